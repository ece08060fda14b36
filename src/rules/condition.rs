//! Declarative conditions over facts, evaluated with three outcomes: true,
//! false (including "the fact is absent: the rule does not apply") and
//! unknown (a fact exists but its value could not be determined).

use crate::facts::{Facts, Origin, Value};
// regex-lite: compiles in microseconds, and rule patterns need no Unicode tables.
use regex_lite::Regex;
use std::sync::{Arc, OnceLock};

/// A regex compiled on first use: most runs never reach a `matches` test
/// (the fact is absent or an earlier `all` term is false), and compiling
/// eagerly was the largest single cost of starting up.
#[derive(Debug, Clone)]
pub struct LazyRegex {
    pattern: String,
    compiled: Arc<OnceLock<Option<Regex>>>,
}

impl LazyRegex {
    fn new(pattern: &str) -> LazyRegex {
        LazyRegex {
            pattern: pattern.to_string(),
            compiled: Arc::new(OnceLock::new()),
        }
    }

    /// Compiles now, for rule packs that must be checked at load.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub fn validate(&self) -> Result<(), String> {
        Regex::new(&self.pattern)
            .map(|_| ())
            .map_err(|e| format!("invalid regex `{}`: {e}", self.pattern))
    }

    fn is_match(&self, text: &str) -> bool {
        self.compiled
            .get_or_init(|| Regex::new(&self.pattern).ok())
            .as_ref()
            .is_some_and(|r| r.is_match(text))
    }
}

#[derive(Debug, Clone)]
pub enum Operand {
    Literal(toml::Value),
    Fact(String),
}

#[derive(Debug, Clone)]
pub enum Op {
    Set(bool),
    Eq(Operand),
    Ne(Operand),
    In(Vec<toml::Value>),
    NotIn(Vec<toml::Value>),
    Lt(Operand),
    Le(Operand),
    Gt(Operand),
    Ge(Operand),
    Matches(LazyRegex),
    Contains(Operand),
}

#[derive(Debug, Clone)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Builtin(String),
    Test { fact: String, op: Op },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    Unknown,
}

/// A condition as docs show it: `exposure.reachability = "public" and no_password`.
impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |f: &mut std::fmt::Formatter<'_>, items: &[Condition], word: &str| -> std::fmt::Result {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, " {word} ")?;
                }
                match item {
                    Condition::All(_) | Condition::Any(_) => write!(f, "({item})")?,
                    _ => write!(f, "{item}")?,
                }
            }
            Ok(())
        };
        let operand = |operand: &Operand| match operand {
            Operand::Literal(value) => value.to_string(),
            Operand::Fact(path) => path.clone(),
        };
        let list = |values: &[toml::Value]| values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ");
        match self {
            Condition::All(items) => join(f, items, "and"),
            Condition::Any(items) => join(f, items, "or"),
            Condition::Not(inner) => write!(f, "not ({inner})"),
            Condition::Builtin(name) => write!(f, "{name}"),
            Condition::Test { fact, op } => match op {
                Op::Set(true) => write!(f, "{fact} is set"),
                Op::Set(false) => write!(f, "{fact} is not set"),
                Op::Eq(o) => write!(f, "{fact} = {}", operand(o)),
                Op::Ne(o) => write!(f, "{fact} ≠ {}", operand(o)),
                Op::In(values) => write!(f, "{fact} in [{}]", list(values)),
                Op::NotIn(values) => write!(f, "{fact} not in [{}]", list(values)),
                Op::Lt(o) => write!(f, "{fact} < {}", operand(o)),
                Op::Le(o) => write!(f, "{fact} ≤ {}", operand(o)),
                Op::Gt(o) => write!(f, "{fact} > {}", operand(o)),
                Op::Ge(o) => write!(f, "{fact} ≥ {}", operand(o)),
                Op::Matches(regex) => write!(f, "{fact} matches /{}/", regex.pattern()),
                Op::Contains(o) => write!(f, "{fact} contains {}", operand(o)),
            },
        }
    }
}

impl Condition {
    pub fn parse(value: &toml::Value) -> Result<Condition, String> {
        let table = value.as_table().ok_or("a condition must be a table")?;
        if let Some(items) = table.get("all") {
            return Ok(Condition::All(parse_list(items)?));
        }
        if let Some(items) = table.get("any") {
            return Ok(Condition::Any(parse_list(items)?));
        }
        if let Some(inner) = table.get("not") {
            return Ok(Condition::Not(Box::new(Condition::parse(inner)?)));
        }
        if let Some(name) = table.get("builtin") {
            return Ok(Condition::Builtin(
                name.as_str().ok_or("builtin must be a string")?.to_string(),
            ));
        }
        let fact = table
            .get("fact")
            .and_then(|f| f.as_str())
            .ok_or("a test needs `fact = \"path\"`")?
            .to_string();
        let ops: Vec<(&String, &toml::Value)> = table.iter().filter(|(k, _)| k.as_str() != "fact").collect();
        let [(name, operand)] = ops.as_slice() else {
            return Err(format!("the test on `{fact}` needs exactly one operator"));
        };
        let op = match name.as_str() {
            "set" => Op::Set(operand.as_bool().ok_or("`set` takes true or false")?),
            "unset" => Op::Set(!operand.as_bool().ok_or("`unset` takes true or false")?),
            "eq" => Op::Eq(parse_operand(operand)),
            "ne" => Op::Ne(parse_operand(operand)),
            "in" => Op::In(operand.as_array().ok_or("`in` takes an array")?.clone()),
            "not_in" => Op::NotIn(operand.as_array().ok_or("`not_in` takes an array")?.clone()),
            "lt" => Op::Lt(parse_operand(operand)),
            "le" => Op::Le(parse_operand(operand)),
            "gt" => Op::Gt(parse_operand(operand)),
            "ge" => Op::Ge(parse_operand(operand)),
            "contains" => Op::Contains(parse_operand(operand)),
            "matches" => {
                let pattern = operand.as_str().ok_or("`matches` takes a regex string")?;
                Op::Matches(LazyRegex::new(pattern))
            }
            other => return Err(format!("unknown operator `{other}`")),
        };
        Ok(Condition::Test { fact, op })
    }

    /// Every fact path the condition reads, in order.
    pub fn facts(&self, out: &mut Vec<String>) {
        match self {
            Condition::All(items) | Condition::Any(items) => items.iter().for_each(|c| c.facts(out)),
            Condition::Not(inner) => inner.facts(out),
            Condition::Builtin(_) => {}
            Condition::Test { fact, op } => {
                out.push(fact.clone());
                if let Op::Eq(Operand::Fact(other)) | Op::Ne(Operand::Fact(other)) = op {
                    out.push(other.clone());
                }
            }
        }
    }

    /// Compiles every regex now (user packs are checked at load).
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Condition::All(items) | Condition::Any(items) => items.iter().try_for_each(Condition::validate),
            Condition::Not(inner) => inner.validate(),
            Condition::Builtin(_) => Ok(()),
            Condition::Test {
                op: Op::Matches(regex), ..
            } => regex.validate(),
            Condition::Test { .. } => Ok(()),
        }
    }

    /// Replaces `$` fact paths (for `for_each`).
    pub fn substitute(&self, path: &str) -> Condition {
        match self {
            Condition::All(items) => Condition::All(items.iter().map(|c| c.substitute(path)).collect()),
            Condition::Any(items) => Condition::Any(items.iter().map(|c| c.substitute(path)).collect()),
            Condition::Not(inner) => Condition::Not(Box::new(inner.substitute(path))),
            Condition::Builtin(name) => Condition::Builtin(name.clone()),
            Condition::Test { fact, op } => Condition::Test {
                fact: if fact == "$" { path.to_string() } else { fact.clone() },
                op: op.clone(),
            },
        }
    }
}

fn parse_list(value: &toml::Value) -> Result<Vec<Condition>, String> {
    value
        .as_array()
        .ok_or("`all`/`any` take an array of conditions")?
        .iter()
        .map(Condition::parse)
        .collect()
}

fn parse_operand(value: &toml::Value) -> Operand {
    match value.as_table().and_then(|t| t.get("fact")).and_then(|f| f.as_str()) {
        Some(path) => Operand::Fact(path.to_string()),
        None => Operand::Literal(value.clone()),
    }
}

/// A builtin used inside a condition: true when it has any hit.
pub type BuiltinPredicate<'a> = &'a dyn Fn(&str) -> Truth;

pub fn evaluate(condition: &Condition, facts: &Facts, builtin: BuiltinPredicate<'_>) -> Truth {
    match condition {
        Condition::All(items) => {
            let mut unknown = false;
            for item in items {
                match evaluate(item, facts, builtin) {
                    Truth::False => return Truth::False,
                    Truth::Unknown => unknown = true,
                    Truth::True => {}
                }
            }
            if unknown {
                Truth::Unknown
            } else {
                Truth::True
            }
        }
        Condition::Any(items) => {
            let mut unknown = false;
            for item in items {
                match evaluate(item, facts, builtin) {
                    Truth::True => return Truth::True,
                    Truth::Unknown => unknown = true,
                    Truth::False => {}
                }
            }
            if unknown {
                Truth::Unknown
            } else {
                Truth::False
            }
        }
        Condition::Not(inner) => match evaluate(inner, facts, builtin) {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        },
        Condition::Builtin(name) => builtin(name),
        Condition::Test { fact, op } => test(facts, fact, op),
    }
}

fn truth(b: bool) -> Truth {
    if b {
        Truth::True
    } else {
        Truth::False
    }
}

fn test(facts: &Facts, path: &str, op: &Op) -> Truth {
    let value = facts.value(path);
    if let Op::Set(want) = op {
        return truth(is_set(facts, path) == *want);
    }
    let Some(value) = value else { return Truth::False };
    if matches!(value, Value::Unknown { .. }) {
        return Truth::Unknown;
    }
    if matches!(value, Value::Reference { .. }) {
        return reference_test(op);
    }
    let resolve = |operand: &Operand| -> Option<OperandValue> {
        match operand {
            Operand::Literal(literal) => Some(OperandValue::Toml(literal.clone())),
            Operand::Fact(other) => facts.value(other).cloned().map(OperandValue::Fact),
        }
    };
    match op {
        Op::Set(_) => unreachable_set(),
        Op::Eq(operand) => match resolve(operand) {
            Some(other) => compare_eq(value, &other),
            None => Truth::False,
        },
        Op::Ne(operand) => match resolve(operand) {
            Some(other) => match compare_eq(value, &other) {
                Truth::True => Truth::False,
                Truth::False => Truth::True,
                Truth::Unknown => Truth::Unknown,
            },
            None => Truth::False,
        },
        Op::In(items) => truth(
            items
                .iter()
                .any(|item| compare_eq(value, &OperandValue::Toml(item.clone())) == Truth::True),
        ),
        Op::NotIn(items) => truth(
            !items
                .iter()
                .any(|item| compare_eq(value, &OperandValue::Toml(item.clone())) == Truth::True),
        ),
        Op::Lt(o) | Op::Le(o) | Op::Gt(o) | Op::Ge(o) => {
            let Some(right) = resolve(o) else {
                return Truth::False;
            };
            // Integers compare exactly; a derived percentage (a float) compares as a float.
            let ordering = match (value.as_int(), right.as_int()) {
                (Some(left), Some(right)) => left.partial_cmp(&right),
                _ => match (value.as_number(), right.as_number()) {
                    (Some(left), Some(right)) => left.partial_cmp(&right),
                    _ => None,
                },
            };
            let Some(ordering) = ordering else {
                return Truth::False;
            };
            truth(match op {
                Op::Lt(_) => ordering.is_lt(),
                Op::Le(_) => ordering.is_le(),
                Op::Gt(_) => ordering.is_gt(),
                _ => ordering.is_ge(),
            })
        }
        Op::Matches(regex) => match value {
            Value::List(items) => truth(items.iter().any(|i| regex.is_match(&i.to_string()))),
            Value::Secret(_) => Truth::False,
            other => truth(regex.is_match(&plain_text(other))),
        },
        Op::Contains(operand) => {
            let Some(needle) = resolve(operand).map(|o| o.text()) else {
                return Truth::False;
            };
            match value {
                Value::List(items) => truth(items.iter().any(|i| plain_text(i).eq_ignore_ascii_case(&needle))),
                other => truth(
                    plain_text(other)
                        .to_ascii_lowercase()
                        .contains(&needle.to_ascii_lowercase()),
                ),
            }
        }
    }
}

/// A value kept elsewhere is known to be non-empty and nothing more: only
/// a comparison with the empty string is decided.
fn reference_test(op: &Op) -> Truth {
    let against_empty = |operand: &Operand| matches!(operand, Operand::Literal(toml::Value::String(s)) if s.is_empty());
    match op {
        Op::Eq(operand) if against_empty(operand) => Truth::False,
        Op::Ne(operand) if against_empty(operand) => Truth::True,
        _ => Truth::Unknown,
    }
}

/// "Set" means configured: present, not a compiled-in default, and not empty
/// (`requirepass ""` and `save ""` are not set).
fn is_set(facts: &Facts, path: &str) -> bool {
    let Some(fact) = facts.get(path) else { return false };
    if matches!(fact.origin, Origin::Default) {
        return false;
    }
    match &fact.value {
        Value::Str(s) => !s.is_empty(),
        Value::Secret(s) => !s.expose().is_empty(),
        Value::List(items) => !items.is_empty(),
        _ => true,
    }
}

fn unreachable_set() -> Truth {
    // `set` is answered before the value is looked at.
    Truth::False
}

/// The text of a value as it was configured (empty string for empty values).
fn plain_text(value: &Value) -> String {
    match value {
        Value::Str(s) => s.clone(),
        Value::Secret(s) => s.expose().to_string(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        other => other.to_string(),
    }
}

enum OperandValue {
    Toml(toml::Value),
    Fact(Value),
}

impl OperandValue {
    fn as_int(&self) -> Option<i64> {
        match self {
            OperandValue::Toml(t) => t.as_integer(),
            OperandValue::Fact(v) => v.as_int(),
        }
    }

    fn as_number(&self) -> Option<f64> {
        match self {
            OperandValue::Toml(t) => t.as_float().or_else(|| t.as_integer().map(|i| i as f64)),
            OperandValue::Fact(v) => v.as_number(),
        }
    }

    fn text(&self) -> String {
        match self {
            OperandValue::Toml(toml::Value::String(s)) => s.clone(),
            OperandValue::Toml(other) => other.to_string(),
            OperandValue::Fact(v) => plain_text(v),
        }
    }
}

fn compare_eq(value: &Value, other: &OperandValue) -> Truth {
    match other {
        OperandValue::Fact(Value::Unknown { .. }) => Truth::Unknown,
        OperandValue::Fact(fact) => truth(values_equal(value, fact)),
        OperandValue::Toml(literal) => truth(value_equals_toml(value, literal)),
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::List(x), Value::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q)),
        (Value::Str(_) | Value::Secret(_), Value::Str(_) | Value::Secret(_)) => {
            plain_text(a).eq_ignore_ascii_case(&plain_text(b))
        }
        _ => false,
    }
}

fn value_equals_toml(value: &Value, literal: &toml::Value) -> bool {
    match (value, literal) {
        (Value::Bool(b), toml::Value::Boolean(l)) => b == l,
        (Value::Bool(b), toml::Value::String(s)) => s.eq_ignore_ascii_case(if *b { "yes" } else { "no" }),
        (Value::Int(i), toml::Value::Integer(l)) => i == l,
        (Value::Int(i), toml::Value::String(s)) => s.parse::<i64>().is_ok_and(|n| n == *i),
        (Value::Str(_) | Value::Secret(_), toml::Value::String(s)) => plain_text(value).eq_ignore_ascii_case(s),
        (Value::Str(text), toml::Value::Integer(l)) => text.parse::<i64>().is_ok_and(|n| n == *l),
        (Value::List(items), toml::Value::Array(array)) => {
            items.len() == array.len() && items.iter().zip(array).all(|(i, l)| value_equals_toml(i, l))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Origin;

    fn cond(text: &str) -> Condition {
        let value: toml::Value = toml::from_str(&format!("c = {text}")).unwrap();
        Condition::parse(&value["c"]).unwrap()
    }

    #[test]
    fn conditions_read_as_the_docs_show_them() {
        let shown = |text: &str| cond(text).to_string();
        assert_eq!(
            shown(r#"{ all = [ { fact = "exposure.reachability", eq = "public" }, { builtin = "no_password" } ] }"#),
            r#"exposure.reachability = "public" and no_password"#
        );
        assert_eq!(
            shown(
                r#"{ any = [ { fact = "a.b", set = true }, { all = [ { fact = "c.d", unset = true }, { fact = "e.f", ne = 1 } ] } ] }"#
            ),
            "a.b is set or (c.d is not set and e.f ≠ 1)"
        );
        assert_eq!(
            shown(r#"{ not = { fact = "a.b", in = ["x", "y"] } }"#),
            r#"not (a.b in ["x", "y"])"#
        );
        assert_eq!(shown(r#"{ fact = "a.b", not_in = [1] }"#), "a.b not in [1]");
        assert_eq!(shown(r#"{ fact = "a.b", lt = { fact = "c.d" } }"#), "a.b < c.d");
        assert_eq!(shown(r#"{ fact = "a.b", le = 2 }"#), "a.b ≤ 2");
        assert_eq!(shown(r#"{ fact = "a.b", gt = 2 }"#), "a.b > 2");
        assert_eq!(shown(r#"{ fact = "a.b", ge = 2 }"#), "a.b ≥ 2");
        assert_eq!(shown(r#"{ fact = "a.b", eq = 2 }"#), "a.b = 2");
        assert_eq!(shown(r#"{ fact = "a.b", matches = '^x+$' }"#), "a.b matches /^x+$/");
        assert_eq!(shown(r#"{ fact = "a.b", contains = "x" }"#), r#"a.b contains "x""#);
    }

    #[test]
    fn comparisons_hold_exactly_at_their_bounds() {
        let mut f = Facts::default();
        f.insert("live.memory_used_percent", Value::Float(80.5), Origin::Live);
        f.insert("conf.maxclients", Value::Int(100), Origin::Default);
        f.insert("conf.maxmemory", Value::Int(9_007_199_254_740_993), Origin::Default);
        f.insert("conf.unixsocket", Value::Str("100".into()), Origin::Default);
        f.insert(
            "conf.requirepass",
            Value::Reference {
                reference: "Secret redis/password".into(),
            },
            Origin::Default,
        );
        let eval = |text: &str| evaluate(&cond(text), &f, &|_| Truth::False);
        for (text, want) in [
            (r#"{ fact = "conf.maxclients", lt = 100 }"#, Truth::False),
            (r#"{ fact = "conf.maxclients", lt = 101 }"#, Truth::True),
            (r#"{ fact = "conf.maxclients", le = 100 }"#, Truth::True),
            (r#"{ fact = "conf.maxclients", le = 99 }"#, Truth::False),
            (r#"{ fact = "conf.maxclients", gt = 100 }"#, Truth::False),
            (r#"{ fact = "conf.maxclients", ge = 100 }"#, Truth::True),
            (r#"{ fact = "conf.maxclients", ge = 101 }"#, Truth::False),
            // Integers compare exactly, also past 2^53 where floats cannot tell them apart.
            (r#"{ fact = "conf.maxmemory", gt = 9007199254740992 }"#, Truth::True),
            // A derived percentage compares as a float: 80.5 is above 80.
            (r#"{ fact = "live.memory_used_percent", gt = 80 }"#, Truth::True),
            (r#"{ fact = "live.memory_used_percent", le = 80 }"#, Truth::False),
            (r#"{ fact = "live.memory_used_percent", lt = 81 }"#, Truth::True),
            (r#"{ fact = "live.memory_used_percent", lt = 80.6 }"#, Truth::True),
            (r#"{ fact = "conf.maxclients", not_in = [99, 101] }"#, Truth::True),
            (r#"{ fact = "conf.maxclients", not_in = [100] }"#, Truth::False),
            (r#"{ fact = "conf.maxclients", in = [100] }"#, Truth::True),
            // A number written as a string, on either side, is the same number.
            (r#"{ fact = "conf.maxclients", eq = "100" }"#, Truth::True),
            (r#"{ fact = "conf.maxclients", eq = "101" }"#, Truth::False),
            (r#"{ fact = "conf.unixsocket", eq = 100 }"#, Truth::True),
            (r#"{ fact = "conf.unixsocket", eq = 101 }"#, Truth::False),
            // A value kept elsewhere is non-empty, and nothing more.
            (r#"{ fact = "conf.requirepass", eq = "" }"#, Truth::False),
            (r#"{ fact = "conf.requirepass", ne = "" }"#, Truth::True),
            (r#"{ fact = "conf.requirepass", eq = "x" }"#, Truth::Unknown),
            (r#"{ fact = "conf.requirepass", ne = "x" }"#, Truth::Unknown),
        ] {
            assert_eq!(eval(text), want, "{text}");
        }
    }

    #[test]
    fn a_fact_compares_with_another_fact_of_its_type() {
        let mut f = Facts::default();
        let file = Origin::File {
            file: std::sync::Arc::new("redis.conf".into()),
            line: 1,
            column: 1,
            offset: 0,
            len: 1,
        };
        let list = |items: &[&str]| Value::List(items.iter().map(|i| Value::Str(i.to_string())).collect());
        for (path, value) in [
            ("conf.appendonly", Value::Bool(true)),
            ("conf.protected-mode", Value::Bool(true)),
            ("conf.daemonize", Value::Bool(false)),
            ("conf.maxclients", Value::Int(100)),
            ("conf.port", Value::Int(100)),
            ("conf.databases", Value::Int(16)),
            ("conf.save", list(&["3600 1", "300 100"])),
            ("conf.bind", list(&["3600 1", "300 100"])),
            ("conf.include", list(&["3600 1", "300 101"])),
            ("conf.loadmodule", list(&["3600 1"])),
            ("conf.maxmemory-policy", Value::Str("AllKeys-LRU".into())),
            ("settings.eviction_policy", Value::Str("allkeys-lru".into())),
            ("conf.requirepass", Value::secret("allkeys-lru")),
            ("conf.dir", Value::Str(String::new())),
            ("conf.masterauth", Value::secret("")),
        ] {
            f.insert(path, value, file.clone());
        }
        let eval = |text: &str| evaluate(&cond(text), &f, &|_| Truth::False);
        for (text, want) in [
            (
                r#"{ fact = "conf.appendonly", eq = { fact = "conf.protected-mode" } }"#,
                Truth::True,
            ),
            (
                r#"{ fact = "conf.appendonly", eq = { fact = "conf.daemonize" } }"#,
                Truth::False,
            ),
            (
                r#"{ fact = "conf.maxclients", eq = { fact = "conf.port" } }"#,
                Truth::True,
            ),
            (
                r#"{ fact = "conf.maxclients", eq = { fact = "conf.databases" } }"#,
                Truth::False,
            ),
            (
                r#"{ fact = "conf.maxclients", gt = { fact = "conf.databases" } }"#,
                Truth::True,
            ),
            (
                r#"{ fact = "conf.maxclients", lt = { fact = "conf.databases" } }"#,
                Truth::False,
            ),
            (r#"{ fact = "conf.save", eq = { fact = "conf.bind" } }"#, Truth::True),
            (
                r#"{ fact = "conf.save", eq = { fact = "conf.include" } }"#,
                Truth::False,
            ),
            (
                r#"{ fact = "conf.save", eq = { fact = "conf.loadmodule" } }"#,
                Truth::False,
            ),
            (
                r#"{ fact = "conf.maxmemory-policy", eq = { fact = "settings.eviction_policy" } }"#,
                Truth::True,
            ),
            (
                r#"{ fact = "conf.maxmemory-policy", ne = { fact = "settings.eviction_policy" } }"#,
                Truth::False,
            ),
            (
                r#"{ fact = "conf.requirepass", eq = { fact = "settings.eviction_policy" } }"#,
                Truth::True,
            ),
            (
                r#"{ fact = "conf.maxclients", eq = { fact = "settings.eviction_policy" } }"#,
                Truth::False,
            ),
            (
                r#"{ fact = "conf.save", contains = { fact = "conf.loadmodule" } }"#,
                Truth::True,
            ),
            (r#"{ fact = "conf.maxmemory-policy", contains = "lru" }"#, Truth::True),
            (
                r#"{ fact = "conf.maxmemory-policy", contains = { fact = "conf.dir" } }"#,
                Truth::True,
            ),
            // A list equals a written array item by item, and only at the same length.
            (r#"{ fact = "conf.save", eq = ["3600 1", "300 100"] }"#, Truth::True),
            (r#"{ fact = "conf.save", eq = ["3600 1", "300 101"] }"#, Truth::False),
            (r#"{ fact = "conf.save", eq = ["3600 1"] }"#, Truth::False),
            // Set means configured and not empty.
            (r#"{ fact = "conf.dir", set = true }"#, Truth::False),
            (r#"{ fact = "conf.masterauth", set = true }"#, Truth::False),
            (r#"{ fact = "conf.requirepass", set = true }"#, Truth::True),
            (r#"{ fact = "conf.maxmemory-policy", set = true }"#, Truth::True),
        ] {
            assert_eq!(eval(text), want, "{text}");
        }
    }

    #[test]
    fn substitute_replaces_only_the_current_item() {
        let condition = cond(r#"{ all = [ { fact = "$", eq = 0 }, { not = { fact = "conf.maxmemory", eq = 1 } } ] }"#);
        let mut paths = Vec::new();
        condition.substitute("conf.maxclients").facts(&mut paths);
        assert_eq!(paths, ["conf.maxclients", "conf.maxmemory"]);
    }

    fn facts() -> Facts {
        let mut f = Facts::default();
        f.insert("conf.maxmemory", Value::Int(0), Origin::Default);
        f.insert(
            "conf.maxmemory-policy",
            Value::Str("noeviction".into()),
            Origin::Default,
        );
        f.insert("conf.appendonly", Value::Bool(false), Origin::Default);
        f.insert("conf.save", Value::List(vec![]), Origin::Default);
        f.insert("conf.requirepass", Value::secret(""), Origin::Default);
        f.insert("conf.aclfile", Value::Str("users.acl".into()), Origin::Settings);
        f.insert("conf.rename-command", Value::List(vec![]), Origin::Settings);
        f.insert(
            "settings.eviction_policy",
            Value::Str("allkeys-lru".into()),
            Origin::Settings,
        );
        f.insert(
            "live.used_memory",
            Value::Unknown {
                unknown: "INFO denied".into(),
            },
            Origin::Live,
        );
        f
    }

    fn eval(text: &str) -> Truth {
        evaluate(&cond(text), &facts(), &|_| Truth::False)
    }

    #[test]
    fn comparisons() {
        assert_eq!(eval(r#"{ fact = "conf.maxmemory", eq = 0 }"#), Truth::True);
        assert_eq!(eval(r#"{ fact = "conf.maxmemory", gt = 0 }"#), Truth::False);
        assert_eq!(
            eval(r#"{ fact = "conf.maxmemory-policy", ne = { fact = "settings.eviction_policy" } }"#),
            Truth::True
        );
        assert_eq!(
            eval(r#"{ fact = "conf.maxmemory-policy", in = ["noeviction", "volatile-ttl"] }"#),
            Truth::True
        );
        assert_eq!(eval(r#"{ fact = "conf.appendonly", eq = false }"#), Truth::True);
        assert_eq!(eval(r#"{ fact = "conf.appendonly", eq = "no" }"#), Truth::True);
        assert_eq!(eval(r#"{ fact = "conf.save", eq = [] }"#), Truth::True);
        assert_eq!(
            eval(r#"{ fact = "conf.maxmemory-policy", matches = "^no" }"#),
            Truth::True
        );
    }

    #[test]
    fn absent_facts_do_not_apply_and_unknown_propagates() {
        assert_eq!(eval(r#"{ fact = "env.REDIS_URL", eq = "x" }"#), Truth::False);
        assert_eq!(eval(r#"{ fact = "env.REDIS_URL", ne = "x" }"#), Truth::False);
        assert_eq!(eval(r#"{ fact = "env.REDIS_URL", unset = true }"#), Truth::True);
        // Defaults and empty values are not "set".
        assert_eq!(eval(r#"{ fact = "conf.requirepass", set = true }"#), Truth::False);
        assert_eq!(eval(r#"{ fact = "conf.rename-command", set = true }"#), Truth::False);
        assert_eq!(eval(r#"{ fact = "conf.aclfile", set = true }"#), Truth::True);
        assert_eq!(eval(r#"{ fact = "conf.maxmemory", unset = true }"#), Truth::True);
        assert_eq!(eval(r#"{ fact = "live.used_memory", gt = 5 }"#), Truth::Unknown);
        assert_eq!(
            eval(r#"{ all = [{ fact = "conf.maxmemory", eq = 0 }, { fact = "live.used_memory", gt = 5 }] }"#),
            Truth::Unknown
        );
        assert_eq!(
            eval(r#"{ any = [{ fact = "conf.maxmemory", eq = 0 }, { fact = "live.used_memory", gt = 5 }] }"#),
            Truth::True
        );
        assert_eq!(
            eval(r#"{ not = { fact = "live.used_memory", gt = 5 } }"#),
            Truth::Unknown
        );
    }

    #[test]
    fn malformed_conditions_are_refused() {
        let value: toml::Value = toml::from_str(r#"c = { fact = "x", eq = 1, ne = 2 }"#).unwrap();
        assert!(Condition::parse(&value["c"]).is_err());
        let value: toml::Value = toml::from_str(r#"c = { fact = "x", matches = "(" }"#).unwrap();
        assert!(Condition::parse(&value["c"]).unwrap().validate().is_err());
    }
}
