//! Typed values of directives, validated the way redis-server validates them
//! (`yesnotoi`, `string2ll`, `memtoull`, enum tables, bounds), so that
//! "redis-server would refuse to start" is decided by the same rules.

use super::catalog::{Directive, Target, ValueType};
use crate::facts::Value;

/// Redis's `string2ll`: optional `-`, no `+`, no leading zeros, no blanks.
pub fn string2ll(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 20 {
        return None;
    }
    if bytes == b"0" {
        return Some(0);
    }
    let (negative, digits) = match bytes[0] {
        b'-' => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    if digits.is_empty() || !(b'1'..=b'9').contains(&digits[0]) || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let magnitude: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    if negative {
        if magnitude > i64::MAX as u64 + 1 {
            return None;
        }
        Some((magnitude as i128).wrapping_neg() as i64)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Redis's `memtoull`: digits then an optional unit `b k kb m mb g gb`
/// (case-insensitive; `k` = 1000, `kb` = 1024). Negative numbers are refused.
pub fn memtoull(text: &str) -> Option<u64> {
    let digits_end = text.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(digits_end);
    let multiplier: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    // strtoull of an empty digit run is 0 without an error, as in redis-server.
    let number: u64 = if digits.is_empty() { 0 } else { digits.parse().ok()? };
    number.checked_mul(multiplier)
}

/// Why a value is refused, phrased like redis-server's own message.
pub type ValueError = String;

fn bounds_message(bounds: (Option<i128>, Option<i128>)) -> String {
    match bounds {
        (Some(min), Some(max)) => format!("argument must be between {min} and {max} inclusive"),
        (Some(min), None) => format!("argument must be at least {min}"),
        (None, Some(max)) => format!("argument must be at most {max}"),
        (None, None) => "argument out of range".to_string(),
    }
}

fn check_bounds(directive: &Directive, target: &Target, number: i128) -> Result<(), ValueError> {
    let bounds = directive.bounds_for(target);
    let below = bounds.0.is_some_and(|min| number < min);
    let above = bounds.1.is_some_and(|max| number > max);
    if below || above {
        Err(bounds_message(bounds))
    } else {
        Ok(())
    }
}

/// Parses the arguments of a standard (non-special) directive into a typed value.
pub fn parse_standard(directive: &Directive, args: &[&str], target: &Target) -> Result<Value, ValueError> {
    let joined = args.join(" ");
    match directive.value_type {
        ValueType::Bool => match joined.to_ascii_lowercase().as_str() {
            "yes" => Ok(Value::Bool(true)),
            "no" => Ok(Value::Bool(false)),
            _ => Err("argument must be 'yes' or 'no'".to_string()),
        },
        ValueType::Int | ValueType::Memory => parse_number(directive, target, &joined),
        ValueType::Enum => parse_enum(directive, target, args),
        ValueType::String | ValueType::Path | ValueType::Special => {
            if directive.secret {
                Ok(Value::secret(joined))
            } else {
                Ok(Value::Str(joined))
            }
        }
    }
}

fn parse_number(directive: &Directive, target: &Target, text: &str) -> Result<Value, ValueError> {
    if directive.value_type == ValueType::Memory {
        if let Some(bytes) = memtoull(text) {
            check_bounds(directive, target, bytes as i128)?;
            return Ok(Value::Int(i64::try_from(bytes).unwrap_or(i64::MAX)));
        }
    }
    // A whole percentage (`string2ll`), from 0 to 100.
    if directive.percent && text.len() > 1 && text.ends_with('%') {
        match string2ll(&text[..text.len() - 1]) {
            Some(p) if (0..=100).contains(&p) => return Ok(Value::Str(text.to_string())),
            Some(p) if p > 100 => return Err("percentage argument must be less or equal to 100".to_string()),
            _ => {}
        }
    }
    if directive.value_type == ValueType::Int {
        if let Some(number) = string2ll(text) {
            check_bounds(directive, target, number as i128)?;
            return Ok(Value::Int(number));
        }
    }
    Err(if directive.value_type == ValueType::Memory {
        "argument must be a memory value (a number with an optional unit: b, k, kb, m, mb, g, gb)".to_string()
    } else if directive.percent {
        "argument must be a number or a percentage".to_string()
    } else {
        "argument couldn't be parsed into an integer".to_string()
    })
}

fn parse_enum(directive: &Directive, target: &Target, args: &[&str]) -> Result<Value, ValueError> {
    let words: Vec<String> = if directive.multi_flag {
        args.iter()
            .flat_map(|a| a.split(' '))
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    } else {
        vec![args.join(" ").to_ascii_lowercase()]
    };
    let known: Vec<&str> = directive
        .values
        .iter()
        .map(String::as_str)
        .filter(|v| directive.value_exists_on(v, target))
        .collect();
    if words.is_empty() {
        return Err(format!("argument(s) must be one of: {}", known.join(", ")));
    }
    for word in &words {
        if !known.contains(&word.as_str()) {
            let kind = if directive.multi_flag {
                "argument(s)"
            } else {
                "argument"
            };
            return Err(format!("{kind} must be one of the following: {}", known.join(", ")));
        }
    }
    Ok(Value::Str(words.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_whole_numbers_up_to_100() {
        let target = Target::parse("7.0").unwrap();
        let lookup = crate::conf::catalog::catalog()
            .lookup("maxmemory-clients", &target)
            .unwrap();
        let parse = |text: &str| parse_number(lookup.directive, &target, text);
        for ok in ["0%", "5%", "100%", "1gb", "0"] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for bad in ["150%", "101%", "1.5%", "-5%", "%", "05%"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn string2ll_is_strict() {
        assert_eq!(string2ll("0"), Some(0));
        assert_eq!(string2ll("6379"), Some(6379));
        assert_eq!(string2ll("-2"), Some(-2));
        assert_eq!(string2ll("-9223372036854775808"), Some(i64::MIN));
        for bad in ["", "01", "+5", " 5", "5 ", "-0", "1e3", "9223372036854775808", "12abc"] {
            assert_eq!(string2ll(bad), None, "{bad}");
        }
    }

    #[test]
    fn memory_units_follow_redis() {
        assert_eq!(memtoull("1k"), Some(1000));
        assert_eq!(memtoull("1kb"), Some(1024));
        assert_eq!(memtoull("1KB"), Some(1024));
        assert_eq!(memtoull("2m"), Some(2_000_000));
        assert_eq!(memtoull("64mb"), Some(64 * 1024 * 1024));
        assert_eq!(memtoull("1gb"), Some(1 << 30));
        assert_eq!(memtoull("1G"), Some(1_000_000_000));
        assert_eq!(memtoull("100b"), Some(100));
        assert_eq!(memtoull("42"), Some(42));
        for bad in ["1tb", "1.5gb", "-1", "12 mb", "1mbb"] {
            assert_eq!(memtoull(bad), None, "{bad}");
        }
    }
}
