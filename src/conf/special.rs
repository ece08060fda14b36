//! Argument validation for every directive: arity, standard typed values and
//! the directives redis-server parses with its own code (save, bind,
//! client-output-buffer-limit, user, ...).

use super::catalog::{Directive, Product, Target, ValueType};
use super::value::{describe_bytes, memory_on, parse_standard, wrapped_percentage};
use super::{acl, commands};
use crate::facts::{DiagnosticKind, Value};

pub struct DirectiveError {
    pub kind: DiagnosticKind,
    pub message: String,
    /// Index of the offending argument, when one is to blame.
    pub arg: Option<usize>,
}

fn invalid(message: impl Into<String>, arg: Option<usize>) -> DirectiveError {
    DirectiveError {
        kind: DiagnosticKind::InvalidValue,
        message: message.into(),
        arg,
    }
}

fn syntax(message: impl Into<String>) -> DirectiveError {
    DirectiveError {
        kind: DiagnosticKind::SyntaxError,
        message: message.into(),
        arg: None,
    }
}

/// The arguments redis-server works on. Since 7.0 a single quoted argument of a
/// multi-argument directive is split on spaces: `save "3600 1 300 100"` equals
/// `save 3600 1 300 100`.
fn effective_args<'a>(directive: &Directive, raw_args: &[&'a str], target: &Target) -> Vec<&'a str> {
    let multi_arg = directive.args.as_ref().is_some_and(|count| count.max != Some(1));
    if multi_arg
        && raw_args.len() == 1
        && !raw_args[0].is_empty()
        && target.major >= 7
        && directive.special.as_deref() != Some("user")
        && directive.special.as_deref() != Some("loadmodule")
        && directive.special.as_deref() != Some("sentinel")
    {
        raw_args[0].split(' ').filter(|a| !a.is_empty()).collect()
    } else {
        raw_args.to_vec()
    }
}

/// Memory values of an accepted line that do not fit in 64 bits: the index of
/// the argument (as written, or 0 for a split quoted argument) and what the
/// server keeps instead.
pub fn overflowed_memory(directive: &Directive, raw_args: &[&str], target: &Target) -> Vec<(usize, String)> {
    if directive.ignored_on(target) {
        return Vec::new();
    }
    let args = effective_args(directive, raw_args, target);
    let at = |index: usize| if args.len() == raw_args.len() { index } else { 0 };
    let mut notes = Vec::new();
    let mut note = |index: usize, text: &str, percent_too: bool| {
        let Some(memory) = memory_on(text, target) else {
            return;
        };
        let percent = if percent_too {
            wrapped_percentage(directive, memory.bytes)
        } else {
            None
        };
        let kept = match percent {
            Some(percent) => format!("{percent}% of maxmemory (a size that large is read back as a percentage)"),
            None => describe_bytes(memory.bytes),
        };
        if memory.overflowed || percent.is_some() {
            let why = if memory.overflowed {
                "does not fit in 64 bits"
            } else {
                "is beyond what the server can hold"
            };
            notes.push((
                at(index),
                format!("`{text}` {why}: redis-server {target} silently keeps {kept}"),
            ));
        }
    };
    if directive.value_type == ValueType::Memory && args.len() == 1 {
        note(0, args[0], true);
    } else if directive.is_special("client-output-buffer-limit") {
        for (group, limits) in args.chunks(4).enumerate() {
            for offset in [1, 2] {
                if let Some(text) = limits.get(offset) {
                    note(group * 4 + offset, text, false);
                }
            }
        }
    }
    notes
}

/// Validates the arguments of one directive line and returns its value.
pub fn parse_directive(directive: &Directive, raw_args: &[&str], target: &Target) -> Result<Value, DirectiveError> {
    let (min, max) = match &directive.args {
        Some(count) => (count.min, count.max),
        None => (1, Some(1)),
    };
    let split_storage = effective_args(directive, raw_args, target);
    let args: &[&str] = &split_storage;
    // `save` alone is accepted by every line (it only drops the defaults when it is
    // the first `save`); from 7.0 `bind` and `client-output-buffer-limit` alone too.
    let min = match directive.special.as_deref() {
        Some("save") => 0,
        Some("bind" | "client-output-buffer-limit" | "latency-tracking-info-percentiles")
            if accepts_bare_multi_arg(target) =>
        {
            0
        }
        _ => min,
    };
    if args.len() < min || max.is_some_and(|max| args.len() > max) {
        let expected = match (min, max) {
            (min, Some(max)) if min == max => format!("{min}"),
            (min, Some(max)) => format!("{min} to {max}"),
            (min, None) => format!("at least {min}"),
        };
        return Err(syntax(format!(
            "wrong number of arguments: expected {expected}, got {}",
            args.len()
        )));
    }
    if directive.ignored_on(target) {
        return Ok(ignored_value(directive, args, target));
    }
    if let [value] = args {
        check_file_name(&directive.name, value, target)?;
        check_announced_name(&directive.name, value, target)?;
    }
    if directive.value_type != ValueType::Special {
        return parse_standard(directive, args, target).map_err(|message| invalid(message, Some(0)));
    }
    match directive.special.as_deref().unwrap_or("") {
        "save" if target.product == Product::Redis && target.major < 7 => Ok(parse_save_before_7(args)?),
        "save" => parse_save(args),
        "bind" => parse_bind(args),
        "client-output-buffer-limit" if redis_before_7(target) => parse_output_buffer_limit_before_7(args),
        "client-output-buffer-limit" => parse_output_buffer_limits(args, target),
        "oom-score-adj-values" => parse_oom_score_adj(args),
        "notify-keyspace-events" => parse_keyspace_events(args[0], target),
        "replicaof" => parse_replicaof(args),
        "rename-command" => {
            if !commands::exists(&args[0].to_ascii_lowercase(), target) {
                return Err(invalid(
                    format!("No such command `{}` in rename-command", args[0]),
                    Some(0),
                ));
            }
            Ok(Value::Str(format!("{} {}", args[0], quote_if_empty(args[1]))))
        }
        "user" => acl::parse_user_args_for(args, target)
            .map(|user| Value::Str(user.redacted_line()))
            .map_err(|e| invalid(e.message, e.arg)),
        "latency-tracking-info-percentiles" => parse_percentiles(args),
        "unixsocketperm" if redis_before_7(target) => parse_octal_permissions_before_7(args[0]),
        "unixsocketperm" => parse_octal_permissions(args[0]),
        _ => Ok(Value::Str(args.join(" "))),
    }
}

/// The file and directory names redis-server checks as it loads them: a name
/// that must not be a path (`pathIsBaseName`: no `/` or `\\`), names that must
/// not be empty, and names that always fail later at startup.
fn check_file_name(name: &str, value: &str, target: &Target) -> Result<(), DirectiveError> {
    let redis_before_7 = target.product == Product::Redis && target.major < 7;
    // Valkey 8.0 refuses an empty `dir`, `dbfilename` and `cluster-config-file`.
    let valkey_8 = target.product == Product::Valkey && target.major >= 8;
    let is_path = value.contains(['/', '\\']);
    let problem = match name {
        "dbfilename" if is_path => Some("dbfilename can't be a path, just a filename".to_string()),
        "dbfilename" if value.is_empty() && valkey_8 => Some("dbfilename can't be empty".to_string()),
        // The RDB file is then a directory, which redis-server fails to load at startup
        // (Redis 6.2 still starts with `.`).
        "dbfilename" if value == ".." || value == "." && !redis_before_7 => Some(format!(
            "`{value}` is a directory: redis-server fails loading it as the RDB file at startup"
        )),
        "appendfilename" if is_path => Some("appendfilename can't be a path, just a filename".to_string()),
        "appendfilename" if value.is_empty() && !redis_before_7 => Some("appendfilename can't be empty".to_string()),
        "appenddirname" if is_path => Some("appenddirname can't be a path, just a dirname".to_string()),
        "appenddirname" if value.is_empty() => Some("appenddirname can't be empty".to_string()),
        "cluster-config-file" if value.is_empty() && valkey_8 => Some("cluster-config-file can't be empty".to_string()),
        // Valkey 8.0 says so; earlier servers fail to chdir into it.
        "dir" if value.is_empty() => Some("dir can't be empty (no directory has an empty name)".to_string()),
        _ => None,
    };
    match problem {
        Some(message) => Err(invalid(message, Some(0))),
        None => Ok(()),
    }
}

/// The command table as `rename-command` lines leave it, in file order.
#[derive(Debug, Default)]
pub struct Renames {
    /// Names taken out of the table (lower case).
    removed: std::collections::HashSet<String>,
    /// Names added by a rename (lower case).
    added: std::collections::HashSet<String>,
}

impl Renames {
    fn exists(&self, name: &str, target: &Target) -> bool {
        self.added.contains(name) || commands::exists(name, target) && !self.removed.contains(name)
    }

    /// `rename-command <from> <to>`: `from` must be in the table now, and `to`
    /// (unless empty: the command is removed) must not be.
    pub fn rename(&mut self, from: &str, to: &str, target: &Target) -> Result<Value, DirectiveError> {
        let (from_key, to_key) = (from.to_ascii_lowercase(), to.to_ascii_lowercase());
        if !self.exists(&from_key, target) {
            let why = if self.removed.contains(&from_key) {
                " (an earlier rename-command took it)"
            } else {
                ""
            };
            return Err(invalid(
                format!("No such command `{from}` in rename-command{why}"),
                Some(0),
            ));
        }
        self.added.remove(&from_key);
        self.removed.insert(from_key);
        if !to.is_empty() {
            if self.exists(&to_key, target) {
                return Err(invalid(
                    format!("Target command name `{to}` already exists: redis-server refuses the rename"),
                    Some(1),
                ));
            }
            self.removed.remove(&to_key);
            self.added.insert(to_key);
        }
        Ok(Value::Str(format!("{from} {}", quote_if_empty(to))))
    }
}

/// The names and addresses a cluster node announces, as redis-server checks
/// them when they are set (an empty value means "not set" and is accepted).
fn check_announced_name(name: &str, value: &str, target: &Target) -> Result<(), DirectiveError> {
    if value.is_empty() {
        return Ok(());
    }
    // Valkey 9.1 refuses blanks and control characters in these (measured).
    let valkey_9_1 = target.product == Product::Valkey && (target.major, target.minor) >= (9, 1);
    let has_blank_or_control = value.chars().any(|c| c.is_whitespace() || c.is_control());
    let problem = match name {
        "cluster-announce-hostname" if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') => {
            Some("Hostnames may only contain alphanumeric characters, hyphens or dots")
        }
        "cluster-announce-client-ipv4" if value.parse::<std::net::Ipv4Addr>().is_err() => Some("Invalid IPv4 address"),
        "cluster-announce-client-ipv6" if value.parse::<std::net::Ipv6Addr>().is_err() => Some("Invalid IPv6 address"),
        "cluster-announce-human-nodename" if valkey_9_1 && has_blank_or_control => {
            Some("Announced human node name contained invalid character")
        }
        "cluster-announce-ip" if valkey_9_1 && has_blank_or_control => {
            Some("cluster-announce-ip contains invalid character")
        }
        _ => None,
    };
    match problem {
        Some(message) => Err(invalid(message, Some(0))),
        None => Ok(()),
    }
}

fn quote_if_empty(text: &str) -> &str {
    if text.is_empty() {
        "\"\""
    } else {
        text
    }
}

fn parse_replicaof(args: &[&str]) -> Result<Value, DirectiveError> {
    if args[0].eq_ignore_ascii_case("no") && args[1].eq_ignore_ascii_case("one") {
        return Ok(Value::Str(String::new()));
    }
    if !strtoll_full(args[1]).is_some_and(|port| (0..=65535).contains(&port)) {
        return Err(invalid("Invalid master port", Some(1)));
    }
    Ok(Value::Str(args.join(" ")))
}

/// C `strtoll(s, &end, 10)` requiring the whole string to be consumed; like
/// strtoll it saturates at `i64::MIN`/`i64::MAX` (redis-server does not look
/// at errno, so `save 9223372036854775808 1` is accepted).
fn strtoll_full(text: &str) -> Option<i64> {
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.parse::<i128>().unwrap_or(i128::MAX);
    let signed = if negative { -magnitude } else { magnitude };
    Some(signed.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
}

/// A directive a line accepts and ignores keeps its compiled-in default,
/// whatever was written.
fn ignored_value(directive: &Directive, args: &[&str], target: &Target) -> Value {
    directive
        .default_for(target)
        .and_then(|default| parse_standard(directive, &[default], target).ok())
        .unwrap_or_else(|| Value::Str(args.join(" ")))
}

/// What `proc-title-template` variables expand to while the config is read.
#[derive(Debug, Clone, Default)]
pub struct TitleContext {
    /// `unixsocket` as set by earlier lines (empty when unset).
    pub unixsocket: String,
    /// `[cluster]` or `[sentinel]` when earlier lines or the mode say so.
    pub server_mode: String,
    /// redis-server was given a config file (`{config-file}` is its path).
    pub config_file: bool,
}

/// `proc-title-template` as redis-server checks it when it is set: the
/// template is expanded with an empty title (`{{` is a literal `{`), every
/// variable must be known and closed, and the result, trimmed of spaces, must
/// not be empty.
pub fn check_proc_title(template: &str, context: &TitleContext) -> Result<(), String> {
    let mut expanded = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        expanded.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if let Some(literal) = after.strip_prefix('{') {
            expanded.push('{');
            rest = literal;
            continue;
        }
        let Some(close) = after.find('}') else {
            return Err(format!("`{{{after}` is never closed"));
        };
        let value = match &after[..close] {
            "title" => "",
            // Never empty: `host:port`, or `unixsocket:<path>` without a port.
            "listen-addr" => "*",
            "server-mode" => context.server_mode.as_str(),
            "config-file" => {
                if context.config_file {
                    "file"
                } else {
                    ""
                }
            }
            "port" | "tls-port" => "0",
            "unixsocket" => context.unixsocket.as_str(),
            unknown => return Err(format!("unknown variable `{{{unknown}}}`")),
        };
        expanded.push_str(value);
        rest = &after[close + 1..];
    }
    expanded.push_str(rest);
    if expanded.trim_matches(' ').is_empty() {
        return Err("it expands to an empty title".into());
    }
    Ok(())
}

/// Redis 7.0 (and Valkey) read multi-argument directives with one parser that
/// takes an empty argument list.
fn accepts_bare_multi_arg(target: &Target) -> bool {
    target.product == Product::Valkey || target.major >= 7
}

/// What a `save` line that sets no point leaves: the first `save` still drops
/// the compiled-in points, later ones change nothing (not a list, so nothing
/// is added or cleared).
fn save_line_without_points() -> Value {
    Value::Str(String::new())
}

/// C `atoi`: blanks, a sign, then digits up to the first other character (none is
/// 0), as a C `int` (a `long` cut to 32 bits).
fn atoi(text: &str) -> i64 {
    let rest = text.trim_start_matches(|c: char| c.is_ascii() && super::lexer::is_c_space(c as u8));
    let (negative, digits) = match rest.as_bytes().first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    let mut magnitude: i64 = 0;
    for digit in digits.bytes().take_while(u8::is_ascii_digit) {
        // strtol saturates at LONG_MAX / LONG_MIN.
        magnitude = magnitude.saturating_mul(10).saturating_add(i64::from(digit - b'0'));
    }
    let long = if negative {
        magnitude.saturating_neg()
    } else {
        magnitude
    };
    i64::from(long as i32)
}

/// Redis before 7.0 acts only on `save <seconds> <changes>` (read with `atoi`) and
/// `save ""`; any other `save` line sets no point.
fn parse_save_before_7(args: &[&str]) -> Result<Value, DirectiveError> {
    match args {
        [""] => Ok(Value::List(Vec::new())),
        [seconds, changes] => {
            let (seconds, changes) = (atoi(seconds), atoi(changes));
            if seconds < 1 || changes < 0 {
                return Err(invalid(
                    "Invalid save parameters: seconds must be at least 1 and changes at least 0",
                    Some(if seconds < 1 { 0 } else { 1 }),
                ));
            }
            Ok(Value::List(vec![Value::Str(format!("{seconds} {changes}"))]))
        }
        _ => Ok(save_line_without_points()),
    }
}

fn parse_save(args: &[&str]) -> Result<Value, DirectiveError> {
    if args.is_empty() {
        return Ok(save_line_without_points());
    }
    if args.len() == 1 && args[0].is_empty() {
        return Ok(Value::List(Vec::new()));
    }
    if args.len() % 2 == 1 {
        return Err(invalid(
            "Invalid save parameters: expected pairs of <seconds> <changes>",
            None,
        ));
    }
    let mut points = Vec::new();
    for (index, pair) in args.chunks(2).enumerate() {
        for (offset, number) in pair.iter().enumerate() {
            // Seconds at least 1, changes at least 0.
            let least = if offset == 0 { 1 } else { 0 };
            match strtoll_full(number) {
                None => {
                    return Err(invalid(
                        "Invalid save parameters: not an integer",
                        Some(index * 2 + offset),
                    ))
                }
                Some(n) if n < least => {
                    return Err(invalid(
                        "Invalid save parameters: seconds must be at least 1 and changes at least 0",
                        Some(index * 2 + offset),
                    ))
                }
                Some(_) => {}
            }
        }
        points.push(Value::Str(format!("{} {}", pair[0], pair[1])));
    }
    Ok(Value::List(points))
}

/// redis-server keeps at most 16 bind addresses.
const BIND_ADDRESS_MAX: usize = 16;

fn parse_bind(args: &[&str]) -> Result<Value, DirectiveError> {
    if args.len() > BIND_ADDRESS_MAX {
        return Err(invalid(
            format!("Too many bind addresses specified (at most {BIND_ADDRESS_MAX})"),
            Some(BIND_ADDRESS_MAX),
        ));
    }
    Ok(Value::List(args.iter().map(|a| Value::Str(a.to_string())).collect()))
}

/// Normalises a client class name as redis-server does (`slave` = `replica`).
pub fn output_buffer_class(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "normal" => Some("normal"),
        "replica" | "slave" => Some("replica"),
        "pubsub" => Some("pubsub"),
        _ => None,
    }
}

fn redis_before_7(target: &Target) -> bool {
    target.product == Product::Redis && target.major < 7
}

/// `memtoll` as Redis before 7.0 calls it for output buffer limits, ignoring
/// its error: a bad unit gives 0, a negative number a huge unsigned one.
fn memtoll_unchecked(text: &str) -> u64 {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let digits_end = rest.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(rest.len());
    let (digits, unit) = rest.split_at(digits_end);
    let multiplier: i64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1_000_000,
        "mb" => 1 << 20,
        "g" => 1_000_000_000,
        "gb" => 1 << 30,
        _ => return 0,
    };
    let magnitude: i64 = digits.parse().unwrap_or(if digits.is_empty() { 0 } else { i64::MAX });
    let number = if negative { magnitude.wrapping_neg() } else { magnitude };
    number.wrapping_mul(multiplier) as u64
}

/// Redis before 7.0: one class per line (`client-output-buffer-limit <class>
/// <hard> <soft> <seconds>`), limits read without checks, seconds with `atoi`.
fn parse_output_buffer_limit_before_7(args: &[&str]) -> Result<Value, DirectiveError> {
    let [class, hard, soft, seconds] = args else {
        return Err(syntax(format!(
            "wrong number of arguments: Redis before 7.0 takes one class per line (4 arguments), got {}",
            args.len()
        )));
    };
    let Some(class) = output_buffer_class(class) else {
        return Err(invalid(
            format!("Unrecognized client limit class `{class}` (normal, replica, pubsub)"),
            Some(0),
        ));
    };
    let seconds = atoi(seconds);
    if seconds < 0 {
        return Err(invalid("Negative number of seconds in soft limit is invalid", Some(3)));
    }
    let (hard, soft) = (memtoll_unchecked(hard), memtoll_unchecked(soft));
    Ok(Value::List(vec![Value::Str(format!(
        "{class} {hard} {soft} {seconds}"
    ))]))
}

fn parse_output_buffer_limits(args: &[&str], target: &Target) -> Result<Value, DirectiveError> {
    if args.len() % 4 != 0 {
        return Err(invalid(
            "Wrong number of arguments in buffer limit configuration: expected <class> <hard> <soft> <seconds>",
            None,
        ));
    }
    let mut limits = Vec::new();
    for (index, group) in args.chunks(4).enumerate() {
        let Some(class) = output_buffer_class(group[0]) else {
            return Err(invalid(
                format!(
                    "Invalid client class `{}` in buffer limit configuration (normal, replica, pubsub)",
                    group[0]
                ),
                Some(index * 4),
            ));
        };
        let hard = memory_on(group[1], target).map(|m| m.bytes);
        let soft = memory_on(group[2], target).map(|m| m.bytes);
        let seconds = strtoll_full(group[3]).filter(|s| *s >= 0);
        let (Some(hard), Some(soft), Some(seconds)) = (hard, soft, seconds) else {
            return Err(invalid(
                "Error in hard, soft or soft_seconds setting in buffer limit configuration",
                Some(index * 4 + 1),
            ));
        };
        limits.push(Value::Str(format!("{class} {hard} {soft} {seconds}")));
    }
    Ok(Value::List(limits))
}

fn parse_oom_score_adj(args: &[&str]) -> Result<Value, DirectiveError> {
    if args.len() != 3 {
        return Err(invalid("Invalid oom-score-adj-values: expected 3 values", None));
    }
    for (index, arg) in args.iter().enumerate() {
        match strtoll_full(arg) {
            Some(v) if (-2000..=2000).contains(&v) => {}
            _ => {
                return Err(invalid(
                    "Invalid oom-score-adj-values: each value must be an integer from -2000 to 2000",
                    Some(index),
                ))
            }
        }
    }
    Ok(Value::List(args.iter().map(|a| Value::Str(a.to_string())).collect()))
}

fn parse_keyspace_events(arg: &str, target: &Target) -> Result<Value, DirectiveError> {
    // `n` (new key) came with 7.0.
    const CLASSES: &str = "Ag$lshzxeKEtmdn";
    let classes = if redis_before_7(target) {
        &CLASSES[..CLASSES.len() - 1]
    } else {
        CLASSES
    };
    if let Some(bad) = arg.chars().find(|c| !classes.contains(*c)) {
        return Err(invalid(
            format!("Invalid event class character `{bad}`; use letters from '{classes}'"),
            Some(0),
        ));
    }
    Ok(Value::Str(arg.to_string()))
}

fn parse_percentiles(args: &[&str]) -> Result<Value, DirectiveError> {
    if args.len() == 1 && args[0].is_empty() {
        return Ok(Value::List(Vec::new()));
    }
    for (index, arg) in args.iter().enumerate() {
        match arg.parse::<f64>() {
            Ok(p) if (0.0..=100.0).contains(&p) => {}
            _ => {
                return Err(invalid(
                    "latency-tracking-info-percentiles: each value must be a number from 0 to 100",
                    Some(index),
                ))
            }
        }
    }
    Ok(Value::List(args.iter().map(|a| Value::Str(a.to_string())).collect()))
}

/// `strtoll(arg, &end, 8)` that must reach the end of the argument: blanks and
/// a sign may lead, and an empty argument is 0 (no digits leaves `end` at the
/// start, which is then the end).
fn strtoll_octal_full(arg: &str) -> Option<i64> {
    if arg.is_empty() {
        return Some(0);
    }
    let rest = arg.trim_start_matches(|c: char| c.is_ascii() && super::lexer::is_c_space(c as u8));
    let (negative, digits) = match rest.as_bytes().first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    let number = i64::from_str_radix(digits, 8).ok()?;
    Some(if negative { -number } else { number })
}

/// Redis before 7.0 reads `unixsocketperm` with `strtol(arg, NULL, 8)`: the
/// octal digits it finds first, whatever follows (`999` is 0, `7z` is 7).
fn parse_octal_permissions_before_7(arg: &str) -> Result<Value, DirectiveError> {
    let rest = arg.trim_start_matches(|c: char| c.is_ascii() && super::lexer::is_c_space(c as u8));
    let (negative, digits) = match rest.as_bytes().first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    let mut mode: i64 = 0;
    for digit in digits.bytes().take_while(|b| (b'0'..=b'7').contains(b)) {
        mode = mode.saturating_mul(8).saturating_add(i64::from(digit - b'0'));
    }
    // A negative mode becomes a large `mode_t`.
    if negative && mode != 0 || mode > 0o777 {
        return Err(invalid("Invalid socket file permissions", Some(0)));
    }
    Ok(Value::Int(mode))
}

fn parse_octal_permissions(arg: &str) -> Result<Value, DirectiveError> {
    match strtoll_octal_full(arg) {
        Some(mode) if (0..=0o777).contains(&mode) => Ok(Value::Int(mode)),
        _ => Err(invalid(
            "argument must be an octal permission mode from 0 to 777",
            Some(0),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_units_before_7_0_are_read_as_memtoll_reads_them() {
        for (text, bytes) in [
            ("1", 1),
            ("1b", 1),
            ("1k", 1000),
            ("1kb", 1024),
            ("2m", 2_000_000),
            ("2MB", 2 << 20),
            ("3g", 3_000_000_000),
            ("3gb", 3 << 30),
            ("1tb", 0),
        ] {
            assert_eq!(memtoll_unchecked(text), bytes, "{text}");
        }
    }

    #[test]
    fn save_points_need_a_second_and_no_negative_changes() {
        assert!(parse_save(&["3600", "1", "60", "0"]).is_ok());
        assert!(parse_save(&["0", "1"]).is_err());
        assert!(parse_save(&["3600", "-1"]).is_err());
        assert!(parse_save(&[""]).is_ok());
    }

    fn save_on(version: &str, args: &[&str]) -> Result<Value, DirectiveError> {
        let target = Target::parse(version).unwrap();
        let directive = crate::conf::catalog::catalog()
            .lookup("save", &target)
            .unwrap()
            .directive;
        parse_directive(directive, args, &target)
    }

    #[test]
    fn overflowing_memory_values_are_noted_with_what_the_server_keeps() {
        let target = Target::parse("7.0").unwrap();
        let catalog = crate::conf::catalog::catalog();
        let maxmemory = catalog.lookup("maxmemory", &target).unwrap().directive;
        let notes = overflowed_memory(maxmemory, &["17179869184gb"], &target);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].0, 0);
        assert!(notes[0].1.contains("keeps 0 bytes"), "{}", notes[0].1);
        assert!(overflowed_memory(maxmemory, &["16gb"], &target).is_empty());
        let limits = catalog.lookup("client-output-buffer-limit", &target).unwrap().directive;
        let args = ["normal", "0", "0", "0", "pubsub", "17179869185gb", "0", "0"];
        assert!(parse_directive(limits, &args, &target).is_ok());
        let notes = overflowed_memory(limits, &args, &target);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].0, 5);
        assert!(notes[0].1.contains("1073741824 bytes (1gb)"), "{}", notes[0].1);
    }

    #[test]
    fn an_ignored_directive_takes_any_value_and_keeps_its_default() {
        // Measured: 6.2, 7.0, Valkey 8.1 and 9.1 start with `list-max-ziplist-entries bogus`;
        // Valkey 8.1 and 9.1 with `dynamic-hz bogus`, which 6.2 and 7.0 refuse.
        for version in ["6.2", "7.0", "valkey-8.1", "valkey-9.1"] {
            assert!(
                parse_on("list-max-ziplist-entries", &["bogus"], version).is_ok(),
                "{version}"
            );
            assert!(
                parse_on("list-max-ziplist-value", &["17179869184gb"], version).is_ok(),
                "{version}"
            );
        }
        assert_eq!(
            parse_on("dynamic-hz", &["bogus"], "valkey-8.1").ok(),
            Some(Value::Bool(true))
        );
        assert!(parse_on("dynamic-hz", &["bogus"], "7.0").is_err());
        assert!(parse_on("dynamic-hz", &["yes", "no"], "valkey-8.1").is_err());
        let target = Target::parse("7.0").unwrap();
        let value = crate::conf::catalog::catalog()
            .lookup("list-max-ziplist-value", &target)
            .unwrap()
            .directive;
        assert!(overflowed_memory(value, &["17179869184gb"], &target).is_empty());
    }

    #[test]
    fn proc_title_templates_are_expanded_as_redis_server_does() {
        let plain = TitleContext {
            config_file: true,
            ..TitleContext::default()
        };
        // Measured on 6.2, 7.0, Valkey 8.1 and 9.1 (unixsocket set after the template).
        for accepted in [
            "x",
            "}",
            "a}b",
            "{{title}}",
            "{port}",
            "{tls-port}",
            "{listen-addr}",
            "{config-file}",
        ] {
            assert!(check_proc_title(accepted, &plain).is_ok(), "{accepted}");
        }
        for refused in [
            "{title} {nosuch}",
            "",
            " ",
            "{title",
            "{TITLE}",
            "{}",
            "{title}",
            "{server-mode}",
            "{unixsocket}",
        ] {
            assert!(check_proc_title(refused, &plain).is_err(), "{refused}");
        }
        let cluster = TitleContext {
            server_mode: "[cluster]".into(),
            unixsocket: "/run/redis.sock".into(),
            config_file: false,
        };
        assert!(check_proc_title("{server-mode}", &cluster).is_ok());
        assert!(check_proc_title("{unixsocket}", &cluster).is_ok());
        assert!(check_proc_title("{config-file}", &cluster).is_err());
    }

    #[test]
    fn a_client_memory_limit_read_back_as_a_percentage_is_noted() {
        let target = Target::parse("7.0").unwrap();
        let clients = crate::conf::catalog::catalog()
            .lookup("maxmemory-clients", &target)
            .unwrap()
            .directive;
        let notes = overflowed_memory(clients, &["18446744073709551615"], &target);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].1.contains("keeps 1% of maxmemory"), "{}", notes[0].1);
        assert!(overflowed_memory(clients, &["5%"], &target).is_empty());
    }

    #[test]
    fn save_alone_is_accepted_and_sets_no_point() {
        for version in ["6.2", "7.0", "valkey-9.1"] {
            assert_eq!(
                save_on(version, &[]).ok(),
                Some(save_line_without_points()),
                "{version}"
            );
        }
    }

    #[test]
    fn redis_6_acts_only_on_two_argument_save_lines_read_with_atoi() {
        let points = |args: &[&str]| save_on("6.2", args).ok();
        let list = |point: &str| Some(Value::List(vec![Value::Str(point.into())]));
        assert_eq!(points(&["100"]), Some(save_line_without_points()));
        assert_eq!(points(&["100 1"]), Some(save_line_without_points()));
        assert_eq!(points(&["100", "1", "200"]), Some(save_line_without_points()));
        assert_eq!(points(&["100", "1", "200", "2"]), Some(save_line_without_points()));
        assert_eq!(points(&["10", "1x"]), list("10 1"));
        assert_eq!(points(&["10", "x"]), list("10 0"));
        assert_eq!(points(&["4294967297", "1"]), list("1 1"));
        assert!(points(&["x", "1"]).is_none());
        assert!(points(&["0", "0"]).is_none());
        assert!(points(&["5", "-1"]).is_none());
        // 7.0 reads every pair strictly.
        assert!(save_on("7.0", &["10", "1x"]).is_err());
        assert!(save_on("7.0", &["100", "1", "200"]).is_err());
    }

    #[test]
    fn numbers_read_with_strtoll_saturate() {
        assert_eq!(strtoll_full("9223372036854775808"), Some(i64::MAX));
        assert_eq!(strtoll_full("-99999999999999999999999"), Some(i64::MIN));
        assert_eq!(strtoll_full(" +5"), Some(5));
        for bad in ["", "-", "1x", "x1", "1 "] {
            assert_eq!(strtoll_full(bad), None, "{bad:?}");
        }
        // Measured: 7.0, Valkey 8.1 and 9.1 start with it.
        assert!(save_on("7.0", &["9223372036854775808", "1"]).is_ok());
        assert!(save_on("7.0", &["-9223372036854775809", "1"]).is_err());
    }

    #[test]
    fn latency_percentiles_alone_are_accepted_from_7_0() {
        let target = Target::parse("7.0").unwrap();
        let directive = crate::conf::catalog::catalog()
            .lookup("latency-tracking-info-percentiles", &target)
            .unwrap()
            .directive;
        assert_eq!(
            parse_directive(directive, &[], &target).ok(),
            Some(Value::List(Vec::new()))
        );
    }

    #[test]
    fn bind_and_output_buffer_limits_alone_are_accepted_from_7_0() {
        let catalog = crate::conf::catalog::catalog();
        for name in ["bind", "client-output-buffer-limit"] {
            for (version, accepted) in [("6.2", false), ("7.0", true), ("valkey-8.1", true)] {
                let target = Target::parse(version).unwrap();
                let directive = catalog.lookup(name, &target).unwrap().directive;
                assert_eq!(
                    parse_directive(directive, &[], &target).is_ok(),
                    accepted,
                    "{name} {version}"
                );
            }
        }
    }

    fn accepted(name: &str, value: &str, version: &str) -> bool {
        let target = Target::parse(version).unwrap();
        let directive = crate::conf::catalog::catalog().lookup(name, &target).unwrap().directive;
        parse_directive(directive, &[value], &target).is_ok()
    }

    #[test]
    fn file_names_are_checked_as_each_line_checks_them() {
        let all = ["6.2", "7.0", "valkey-8.1", "valkey-9.1"];
        for version in all {
            for (name, value) in [
                ("dbfilename", "a/b"),
                ("dbfilename", "a\\b"),
                ("dbfilename", ".."),
                ("appendfilename", "a/b"),
                ("dir", ""),
            ] {
                assert!(!accepted(name, value, version), "{name} {value:?} on {version}");
            }
            for (name, value) in [
                ("dbfilename", "dump.rdb"),
                ("appendfilename", ".."),
                ("cluster-config-file", "a/b"),
            ] {
                assert!(accepted(name, value, version), "{name} {value:?} on {version}");
            }
        }
        // Measured per line: (directive, value, accepted on 6.2, 7.0, Valkey 8.1, Valkey 9.1).
        for (name, value, expected) in [
            ("dbfilename", "", [true, true, false, false]),
            ("dbfilename", ".", [true, false, false, false]),
            ("appendfilename", "", [true, false, false, false]),
            ("cluster-config-file", "", [true, true, false, false]),
        ] {
            for (version, expected) in all.iter().zip(expected) {
                assert_eq!(
                    accepted(name, value, version),
                    expected,
                    "{name} {value:?} on {version}"
                );
            }
        }
        for version in ["7.0", "valkey-9.1"] {
            assert!(!accepted("appenddirname", "", version));
            assert!(!accepted("appenddirname", "a/b", version));
            assert!(accepted("appenddirname", "..", version));
        }
    }

    fn parse_on(name: &str, args: &[&str], version: &str) -> Result<Value, DirectiveError> {
        let target = Target::parse(version).unwrap();
        let directive = crate::conf::catalog::catalog().lookup(name, &target).unwrap().directive;
        parse_directive(directive, args, &target)
    }

    #[test]
    fn redis_6_reads_output_buffer_limits_one_class_a_line_without_checks() {
        let two = ["normal", "0", "0", "0", "pubsub", "0", "0", "0"];
        let refused = parse_on("client-output-buffer-limit", &two, "6.2")
            .err()
            .map(|e| e.kind);
        assert_eq!(refused, Some(DiagnosticKind::SyntaxError));
        assert!(parse_on("client-output-buffer-limit", &two, "7.0").is_ok());
        let limits = |args: &[&str]| parse_on("client-output-buffer-limit", args, "6.2").ok();
        let one = |text: &str| Some(Value::List(vec![Value::Str(text.into())]));
        // Measured on 6.2.14: a bad unit is 0, -5 wraps, seconds are read with atoi.
        assert_eq!(limits(&["normal", "1tb", "0", "0"]), one("normal 0 0 0"));
        assert_eq!(
            limits(&["normal", "-5", "0", "0"]),
            one("normal 18446744073709551611 0 0")
        );
        assert_eq!(limits(&["normal", "5", "0", "x"]), one("normal 5 0 0"));
        assert!(limits(&["normal", "5", "0", "-1"]).is_none());
        assert!(limits(&["master", "0", "0", "0"]).is_none());
        assert!(parse_on("client-output-buffer-limit", &["normal", "1tb", "0", "0"], "7.0").is_err());
    }

    #[test]
    fn keyspace_class_n_came_with_7_0() {
        assert!(parse_on("notify-keyspace-events", &["KEn"], "6.2").is_err());
        assert!(parse_on("notify-keyspace-events", &["KEm"], "6.2").is_ok());
        assert!(parse_on("notify-keyspace-events", &["KEn"], "7.0").is_ok());
    }

    #[test]
    fn redis_6_reads_unixsocketperm_up_to_the_first_non_octal_character() {
        for (text, mode) in [("999", 0), ("abc", 0), ("7z", 7), ("", 0), ("700", 0o700)] {
            assert_eq!(
                parse_on("unixsocketperm", &[text], "6.2").ok(),
                Some(Value::Int(mode)),
                "{text:?}"
            );
        }
        for bad in ["-1", "1000"] {
            assert!(parse_on("unixsocketperm", &[bad], "6.2").is_err(), "{bad}");
        }
        assert!(parse_on("unixsocketperm", &["999"], "7.0").is_err());
    }

    #[test]
    fn announced_names_and_addresses_are_checked_as_each_line_checks_them() {
        for version in ["7.0", "valkey-8.1", "valkey-9.1"] {
            assert!(!accepted("cluster-announce-hostname", "a_b", version), "{version}");
            assert!(!accepted("cluster-announce-hostname", "pf/rel", version), "{version}");
            assert!(
                accepted("cluster-announce-hostname", "node-1.example", version),
                "{version}"
            );
            assert!(accepted("cluster-announce-hostname", "", version), "{version}");
        }
        for version in ["valkey-8.1", "valkey-9.1"] {
            assert!(!accepted("cluster-announce-client-ipv4", "::1", version));
            assert!(!accepted("cluster-announce-client-ipv4", "pf-rel", version));
            assert!(accepted("cluster-announce-client-ipv4", "1.2.3.4", version));
            assert!(accepted("cluster-announce-client-ipv6", "::1", version));
            assert!(accepted("cluster-announce-client-ipv6", "", version));
        }
        assert!(accepted("cluster-announce-ip", "pf rel", "valkey-8.1"));
        assert!(!accepted("cluster-announce-ip", "pf rel", "valkey-9.1"));
        assert!(accepted("cluster-announce-ip", "a/b", "valkey-9.1"));
        assert!(accepted("cluster-announce-human-nodename", "pf rel", "valkey-8.1"));
        assert!(!accepted("cluster-announce-human-nodename", "pf rel", "valkey-9.1"));
    }

    #[test]
    fn unixsocketperm_is_read_as_strtoll_in_base_8() {
        for ok in ["700", "0777", "", " 700", "+700", "-0", "0"] {
            assert!(parse_octal_permissions(ok).is_ok(), "{ok:?}");
        }
        for bad in ["999", "1000", "7z", " ", "+", "-1", "0x1ff"] {
            assert!(parse_octal_permissions(bad).is_err(), "{bad:?}");
        }
    }
}
