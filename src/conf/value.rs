//! Typed values of directives, validated the way redis-server validates them
//! (`yesnotoi`, `string2ll`, `memtoull`, enum tables, bounds), so that
//! "redis-server would refuse to start" is decided by the same rules.

use super::catalog::{Directive, Product, Target, ValueType};
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

/// The multiplier of a memory unit (case-insensitive; `k` = 1000, `kb` = 1024).
fn unit_multiplier(unit: &str) -> Option<u64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    })
}

/// Redis's `memtoull` without its overflows: digits then an optional unit
/// `b k kb m mb g gb`. Negative numbers are refused, and so is a value that
/// does not fit in 64 bits (`memory_on` says what a server makes of those).
pub fn memtoull(text: &str) -> Option<u64> {
    let digits_end = text.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(digits_end);
    let multiplier = unit_multiplier(unit)?;
    // strtoull of an empty digit run is 0 without an error, as in redis-server.
    let number: u64 = if digits.is_empty() { 0 } else { digits.parse().ok()? };
    number.checked_mul(multiplier)
}

/// A memory value as one release line reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryValue {
    /// What redis-server keeps, as its unsigned 64-bit number.
    pub bytes: u64,
    /// The number written does not fit in 64 bits: the server capped or wrapped it.
    pub overflowed: bool,
}

/// redis-server copies the number of a memory value into a 128-byte buffer.
const MEMORY_DIGITS_MAX: usize = 127;

/// A memory value as `memtoll` (Redis before 7.0) or `memtoull` (7.0 on,
/// Valkey) reads it: neither checks the multiplication, so `17179869184gb`
/// wraps to 0. Before 7.0 a sign is allowed, the number is capped at
/// `i64::MAX` and a negative result is refused; from 7.0 the number is capped
/// at `u64::MAX`, and Valkey 9.0 refuses a number that does not fit instead.
pub fn memory_on(text: &str, target: &Target) -> Option<MemoryValue> {
    let signed = target.product == Product::Redis && target.major < 7;
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) if signed => (true, rest),
        _ => (false, text),
    };
    let digits_end = rest.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(rest.len());
    let (digits, unit) = rest.split_at(digits_end);
    let multiplier = unit_multiplier(unit)?;
    if text.len() - unit.len() > MEMORY_DIGITS_MAX {
        return None;
    }
    // None: more than u64 holds (strtoull and strtoll of an empty run are 0).
    let magnitude: Option<u64> = if digits.is_empty() {
        Some(0)
    } else {
        digits.parse().ok()
    };
    if signed {
        let exact: i128 = magnitude.map_or(i128::MAX, i128::from) * if negative { -1 } else { 1 };
        let number = exact.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
        let product = number.wrapping_mul(multiplier as i64);
        if product < 0 {
            return None;
        }
        let overflowed = exact
            .checked_mul(i128::from(multiplier))
            .is_none_or(|exact| exact != i128::from(product));
        return Some(MemoryValue {
            bytes: product as u64,
            overflowed,
        });
    }
    let number = match magnitude {
        Some(number) => number,
        None if target.product == Product::Valkey && target.major >= 9 => return None,
        None => u64::MAX,
    };
    Some(MemoryValue {
        bytes: number.wrapping_mul(multiplier),
        overflowed: magnitude.and_then(|n| n.checked_mul(multiplier)).is_none(),
    })
}

/// A percentage directive (`maxmemory-clients`) keeps a percentage as a
/// negative number, so a size of 2^63 bytes or more, read back as signed, is
/// taken for one: 18446744073709551615 is 1 %.
pub fn wrapped_percentage(directive: &Directive, bytes: u64) -> Option<u128> {
    let signed = bytes as i64;
    (directive.percent && signed < 0).then(|| u128::from(signed.unsigned_abs()))
}

/// How to say a number a server keeps, in bytes.
pub fn describe_bytes(bytes: u64) -> String {
    const GB: u64 = 1 << 30;
    const MB: u64 = 1 << 20;
    match bytes {
        0 => "0 bytes".to_string(),
        b if b % GB == 0 => format!("{b} bytes ({}gb)", b / GB),
        b if b % MB == 0 => format!("{b} bytes ({}mb)", b / MB),
        b => format!("{b} bytes"),
    }
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
    // A signed memory setting (Valkey's `slot-migration-max-failover-repl-bytes`, from -1)
    // reads a leading minus; the unsigned ones refuse it.
    let signed = directive.bounds_for(target).0.is_some_and(|min| min < 0);
    if let (ValueType::Memory, true, Some(magnitude)) = (directive.value_type, signed, text.strip_prefix('-')) {
        if let Some(memory) = memory_on(magnitude, target).filter(|m| !m.overflowed) {
            let number = -i128::from(memory.bytes);
            check_bounds(directive, target, number)?;
            return Ok(Value::Int(i64::try_from(number).unwrap_or(i64::MIN)));
        }
    }
    if directive.value_type == ValueType::Memory {
        if let Some(memory) = memory_on(text, target) {
            if let Some(percent) = wrapped_percentage(directive, memory.bytes) {
                return if percent <= 100 {
                    Ok(Value::Str(format!("{percent}%")))
                } else {
                    Err("percentage argument must be less or equal to 100".to_string())
                };
            }
            check_bounds(directive, target, i128::from(memory.bytes))?;
            return Ok(Value::Int(i64::try_from(memory.bytes).unwrap_or(i64::MAX)));
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
    // The shutdown flags: saving and not saving at once is refused.
    if words.iter().any(|w| w == "save") && words.iter().any(|w| w == "nosave") {
        return Err("shutdown options SAVE and NOSAVE can't be used simultaneously".to_string());
    }
    Ok(Value::Str(words.join(" ")))
}

#[cfg(test)]
mod signed_memory_tests {
    use super::*;
    use crate::conf::catalog::catalog;

    #[test]
    fn a_memory_setting_whose_minimum_is_negative_reads_a_minus() {
        let target = Target::parse("valkey-9.1").unwrap();
        let directive = catalog()
            .all()
            .iter()
            .find(|d| d.name == "slot-migration-max-failover-repl-bytes")
            .unwrap();
        assert_eq!(parse_standard(directive, &["-1"], &target), Ok(Value::Int(-1)));
        assert!(parse_standard(directive, &["-5"], &target).is_err());
        assert_eq!(parse_standard(directive, &["1gb"], &target), Ok(Value::Int(1 << 30)));
        // An unsigned one still refuses it.
        let maxmemory = catalog().all().iter().find(|d| d.name == "maxmemory").unwrap();
        assert!(parse_standard(maxmemory, &["-1"], &target).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_said_in_the_largest_whole_unit() {
        assert_eq!(describe_bytes(0), "0 bytes");
        assert_eq!(describe_bytes(3 << 30), "3221225472 bytes (3gb)");
        assert_eq!(describe_bytes(3 << 29), "1610612736 bytes (1536mb)");
        assert_eq!(describe_bytes(1000), "1000 bytes");
    }

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
    fn memory_values_wrap_as_each_line_reads_them() {
        let on = |text: &str, version: &str| memory_on(text, &Target::parse(version).unwrap());
        let value = |bytes: u64, overflowed: bool| Some(MemoryValue { bytes, overflowed });
        // Measured: 2^64 wraps to 0 and 2^64 + 1gb to 1gb on 6.2, 7.0, Valkey 8.1 and 9.1.
        for version in ["6.2", "7.0", "valkey-8.1", "valkey-9.1"] {
            assert_eq!(on("17179869184gb", version), value(0, true), "{version}");
            assert_eq!(on("17179869185gb", version), value(1 << 30, true), "{version}");
            assert_eq!(on("1gb", version), value(1 << 30, false), "{version}");
            assert_eq!(on("-5", version), None, "{version}");
        }
        // 6.2 caps the number at i64::MAX and refuses a product that turns negative.
        assert_eq!(on("18446744073709551616", "6.2"), value(i64::MAX as u64, true));
        assert_eq!(on("8589934592gb", "6.2"), None);
        assert_eq!(on("9999999999999999999k", "6.2"), None);
        assert_eq!(on("-0", "6.2"), value(0, false));
        // 7.0 and Valkey 8.1 cap it at u64::MAX; Valkey 9.1 refuses it.
        assert_eq!(on("18446744073709551616", "7.0"), value(u64::MAX, true));
        assert_eq!(on("18446744073709551616", "valkey-8.1"), value(u64::MAX, true));
        assert_eq!(on("18446744073709551616", "valkey-9.1"), None);
        assert_eq!(
            on("9999999999999999999k", "7.0"),
            value(1_864_712_049_423_023_128, true)
        );
        assert_eq!(on("8589934592gb", "7.0"), value(1 << 63, false));
        assert_eq!(on("-0", "7.0"), None);
        assert_eq!(on(&"1".repeat(128), "7.0"), None);
    }

    #[test]
    fn an_overflowing_memory_value_is_accepted_as_the_server_keeps_it() {
        let target = Target::parse("7.0").unwrap();
        let catalog = crate::conf::catalog::catalog();
        let maxmemory = catalog.lookup("maxmemory", &target).unwrap().directive;
        assert_eq!(
            parse_number(maxmemory, &target, "17179869184gb").ok(),
            Some(Value::Int(0))
        );
        // Measured: the wrapped 0 is below repl-backlog-size's minimum of 1.
        let backlog = catalog.lookup("repl-backlog-size", &target).unwrap().directive;
        assert!(parse_number(backlog, &target, "17179869184gb").is_err());
    }

    #[test]
    fn maxmemory_samples_stops_at_64_from_redis_7_4_and_valkey_8_0() {
        let catalog = crate::conf::catalog::catalog();
        for (version, accepted) in [
            ("6.2", true),
            ("7.2", true),
            ("7.4", false),
            ("valkey-8.0", false),
            ("valkey-9.1", false),
        ] {
            let target = Target::parse(version).unwrap();
            let samples = catalog.lookup("maxmemory-samples", &target).unwrap().directive;
            assert_eq!(parse_number(samples, &target, "65").is_ok(), accepted, "{version}");
            assert!(parse_number(samples, &target, "64").is_ok(), "{version}");
        }
    }

    #[test]
    fn shutdown_flags_refuse_save_with_nosave() {
        let target = Target::parse("7.0").unwrap();
        let catalog = crate::conf::catalog::catalog();
        for name in ["shutdown-on-sigterm", "shutdown-on-sigint"] {
            let directive = catalog.lookup(name, &target).unwrap().directive;
            assert!(parse_enum(directive, &target, &["nosave", "save"]).is_err());
            assert!(parse_enum(directive, &target, &["nosave", "now", "force"]).is_ok());
            assert!(parse_enum(directive, &target, &["default", "now"]).is_ok());
        }
    }

    #[test]
    fn a_huge_client_memory_limit_is_read_back_as_a_percentage() {
        let target = Target::parse("7.0").unwrap();
        let clients = crate::conf::catalog::catalog()
            .lookup("maxmemory-clients", &target)
            .unwrap()
            .directive;
        // Measured on 7.0 and Valkey 9.1: CONFIG GET says 1% and 100%; one more is refused.
        let parse = |text: &str| parse_number(clients, &target, text);
        assert_eq!(parse("18446744073709551615").ok(), Some(Value::Str("1%".into())));
        assert_eq!(parse("18446744073709551516").ok(), Some(Value::Str("100%".into())));
        assert!(parse("18446744073709551515").is_err());
        assert!(parse("8589934592gb").is_err());
        assert_eq!(parse("17179869184gb").ok(), Some(Value::Int(0)));
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
