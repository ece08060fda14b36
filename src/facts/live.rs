//! Facts from the live probe: `live.*` (INFO, ACL answers, latency, TLS),
//! `host.*`, the running configuration as `conf.*` (for auditing a server
//! started without a file), and drift between the file and what runs.

use super::{Facts, Origin, Value};
use crate::conf::acl;
use crate::conf::catalog::{catalog, Directive, Target, ValueType};
use crate::conf::special::parse_directive;
use crate::probe::{LiveData, Reply};

/// A setting whose running value differs from the file.
#[derive(Debug, Clone)]
pub struct Drift {
    pub name: String,
    pub file_value: Value,
    pub live_value: Value,
    pub origin: Origin,
    /// Both values as a person reads them (`1gb`, not `1073741824`); never for secrets.
    pub file_text: String,
    pub live_text: String,
}

/// Bytes in the largest unit that divides them, as redis.conf spells it.
pub fn human_bytes(bytes: i64) -> String {
    const UNITS: [(i64, &str); 3] = [(1 << 30, "gb"), (1 << 20, "mb"), (1 << 10, "kb")];
    for (size, unit) in UNITS {
        if bytes != 0 && bytes % size == 0 {
            return format!("{}{unit}", bytes / size);
        }
    }
    bytes.to_string()
}

fn shown(directive: &Directive, value: &Value) -> String {
    match (directive.value_type, value) {
        (ValueType::Memory, Value::Int(bytes)) => human_bytes(*bytes),
        _ => value.to_string(),
    }
}

fn info_value(text: &str) -> Value {
    match text.parse::<i64>() {
        Ok(number) => Value::Int(number),
        Err(_) => Value::Str(text.to_string()),
    }
}

fn unknown(reason: &str) -> Value {
    Value::Unknown {
        unknown: reason.to_string(),
    }
}

fn int(live: &LiveData, key: &str) -> Option<i64> {
    live.info.get(key)?.parse().ok()
}

fn float(live: &LiveData, key: &str) -> Option<f64> {
    live.info.get(key)?.parse().ok()
}

/// Writes `live.*` and `host.*` facts.
pub fn apply(live: &LiveData, facts: &mut Facts) {
    let origin = Origin::Live;
    let mut put = |path: &str, value: Value| facts.insert(path, value, Origin::Live);
    put("live.reachable", Value::Bool(true));
    put("live.endpoint", Value::Str(live.endpoint.clone()));
    for (key, text) in &live.info {
        put(&format!("live.info.{key}"), info_value(text));
    }
    let product = if live.info.contains_key("valkey_version") {
        "valkey"
    } else {
        "redis"
    };
    put("live.product", Value::Str(product.into()));
    let version = live
        .info
        .get("valkey_version")
        .or_else(|| live.info.get("redis_version"))
        .cloned()
        .unwrap_or_default();
    let mut parts = version.split('.').map(|p| p.parse::<i64>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    put("live.version", Value::Str(version.clone()));
    put("live.version_number", Value::Int(major * 100 + minor));

    let used = int(live, "used_memory");
    let maxmemory = int(live, "maxmemory");
    if let (Some(used), Some(max)) = (used, maxmemory) {
        if max > 0 {
            put("live.memory_used_percent", Value::Int(used * 100 / max));
        }
    }
    let hits = int(live, "keyspace_hits").unwrap_or(0);
    let misses = int(live, "keyspace_misses").unwrap_or(0);
    put("live.keyspace_lookups", Value::Int(hits + misses));
    if hits + misses > 0 {
        put("live.hit_rate_percent", Value::Int(hits * 100 / (hits + misses)));
    }
    if let Some(ratio) = float(live, "mem_fragmentation_ratio") {
        put("live.fragmentation_x100", Value::Int((ratio * 100.0).round() as i64));
    }
    if let Some(last_save) = int(live, "rdb_last_save_time") {
        put("live.last_save_age_seconds", Value::Int((live.now - last_save).max(0)));
    }
    if let (Some(clients), Some(Ok(max))) = (
        int(live, "connected_clients"),
        live.config
            .ok()
            .and_then(|c| c.get("maxclients"))
            .map(|m| m.parse::<i64>()),
    ) {
        if max > 0 {
            put("live.clients_percent", Value::Int(clients * 100 / max));
        }
    }
    let persistence_on = match live.config.ok() {
        Some(config) => Value::Bool(
            config.get("save").is_some_and(|s| !s.trim().is_empty())
                || config.get("appendonly").is_some_and(|a| a == "yes"),
        ),
        None => unknown("CONFIG GET was refused"),
    };
    put("live.persistence_enabled", persistence_on);

    match &live.unauthenticated_access {
        Reply::Ok(open) => put("live.unauthenticated_access", Value::Bool(*open)),
        Reply::Denied(reason) => put("live.unauthenticated_access", unknown(reason)),
    }
    match &live.dangerous_callable {
        Reply::Ok(commands) => put(
            "live.dangerous_callable",
            Value::List(commands.iter().map(|c| Value::Str(c.clone())).collect()),
        ),
        Reply::Denied(reason) => put("live.dangerous_callable", unknown(&format!("ACL DRYRUN: {reason}"))),
    }
    put("live.dryrun_user", Value::Str(live.dryrun_user.clone()));
    if let Some(latency) = &live.latency {
        put("live.latency.min_us", Value::Int(latency.min_us as i64));
        put("live.latency.p50_us", Value::Int(latency.p50_us as i64));
        put("live.latency.p99_us", Value::Int(latency.p99_us as i64));
        put("live.latency.max_us", Value::Int(latency.max_us as i64));
    }
    if let Reply::Ok(len) = &live.slowlog_len {
        put("live.slowlog_len", Value::Int(*len));
    }
    if let Some(tls) = &live.tls {
        put("live.tls.protocol", Value::Str(tls.protocol.clone()));
        if let Some(not_after) = tls.not_after {
            put(
                "live.tls.cert_days_left",
                Value::Int((not_after - live.now).div_euclid(86_400)),
            );
        }
    }
    if let Some(accepted) = live.plaintext_accepted {
        put("live.plaintext_accepted", Value::Bool(accepted));
    }
    if let Some(host) = &live.host {
        if let Some(v) = host.overcommit_memory {
            put("host.overcommit_memory", Value::Int(v));
        }
        if let Some(v) = &host.transparent_hugepages {
            put("host.transparent_hugepages", Value::Str(v.clone()));
        }
        if let Some(v) = host.somaxconn {
            put("host.somaxconn", Value::Int(v));
        }
    }
    let _ = origin;
}

fn split_live_value(directive: &Directive, text: &str) -> Vec<String> {
    let multi = directive.value_type == ValueType::Special && directive.args.as_ref().is_none_or(|a| a.max != Some(1));
    if multi && !text.is_empty() {
        text.split_whitespace().map(str::to_string).collect()
    } else {
        vec![text.to_string()]
    }
}

/// The running configuration as `conf.*` facts (origin Live), ACL users from
/// `ACL LIST`. Unknown values when CONFIG GET or ACL LIST were refused.
pub fn apply_running_config(live: &LiveData, target: &Target, facts: &mut Facts) {
    let catalog = catalog();
    for directive in catalog.directives_for(target) {
        let value = match &live.config {
            Reply::Denied(reason) => unknown(&format!("CONFIG GET was refused: {reason}")),
            Reply::Ok(config) => {
                let names =
                    std::iter::once(directive.name.as_str()).chain(directive.aliases.iter().map(|a| a.name.as_str()));
                match names.filter_map(|n| config.get(n)).next() {
                    None => continue,
                    Some(text) => {
                        let args = split_live_value(directive, text);
                        let words: Vec<&str> = args.iter().map(String::as_str).collect();
                        match parse_directive(directive, &words, target) {
                            Ok(value) => value,
                            Err(_) if directive.secret => Value::secret(text.as_str()),
                            Err(_) => Value::Str(text.clone()),
                        }
                    }
                }
            }
        };
        facts.insert(format!("conf.{}", directive.name), value.clone(), Origin::Live);
        for alias in &directive.aliases {
            facts.insert(format!("conf.{}", alias.name), value.clone(), Origin::Live);
        }
    }
    match &live.acl_list {
        Reply::Ok(lines) => {
            facts.acl_users = lines
                .iter()
                .filter_map(|line| {
                    let words: Vec<&str> = line.split_whitespace().collect();
                    let spec = acl::parse_user_args(words.get(1..)?).ok()?;
                    Some(crate::conf::effective::to_acl_user(spec, Origin::Live))
                })
                .collect();
        }
        Reply::Denied(reason) => facts.acl_unknown = Some(format!("ACL LIST was refused: {reason}")),
    }
}

fn normalised(name: &str, value: &Value) -> Value {
    match (name, value) {
        // Redis prints the classes in its own order.
        ("notify-keyspace-events", Value::Str(text)) => {
            let mut chars: Vec<char> = text.chars().collect();
            chars.sort_unstable();
            Value::Str(chars.into_iter().collect())
        }
        (_, Value::List(items)) => {
            let mut texts: Vec<String> = items.iter().map(|v| v.to_string().to_ascii_lowercase()).collect();
            texts.sort();
            Value::List(texts.into_iter().map(Value::Str).collect())
        }
        (_, Value::Str(text)) => Value::Str(text.to_ascii_lowercase()),
        (_, other) => other.clone(),
    }
}

/// Settings written in the file whose running value differs.
pub fn drift(file: &Facts, running: &Facts) -> Vec<Drift> {
    let mut out = Vec::new();
    for directive in catalog().all() {
        let path = format!("conf.{}", directive.name);
        let (Some(in_file), Some(in_server)) = (file.get(&path), running.get(&path)) else {
            continue;
        };
        if !matches!(in_file.origin, Origin::File { .. }) || matches!(in_server.value, Value::Unknown { .. }) {
            continue;
        }
        // Relative paths are resolved by the server against its working directory.
        if directive.value_type == ValueType::Path || directive.is_special("dir") {
            let written = in_file.value.as_str().unwrap_or("");
            if !written.starts_with('/') {
                continue;
            }
        }
        let same = match (&in_file.value, &in_server.value) {
            (Value::Secret(a), Value::Secret(b)) => a.expose() == b.expose(),
            (a, b) => normalised(&directive.name, a) == normalised(&directive.name, b),
        };
        if !same {
            out.push(Drift {
                name: directive.name.clone(),
                file_text: shown(directive, &in_file.value),
                live_text: shown(directive, &in_server.value),
                file_value: in_file.value.clone(),
                live_value: in_server.value.clone(),
                origin: in_file.origin.clone(),
            });
        }
    }
    out
}
