//! Facts from the live probe: `live.*` (INFO, ACL answers, latency, TLS),
//! `host.*`, the running configuration as `conf.*` (for auditing a server
//! started without a file), and drift between the file and what runs.
//! Every number derived from INFO is computed here, once, at full precision:
//! the rules and the report's Live section read the same facts.

use super::defaults::split_printed_value;
use crate::conf::acl;
use crate::conf::catalog::{catalog, Directive, Target, ValueType};
use crate::conf::special::parse_directive;
use crate::facts::{DeniedCommand, Drift, Facts, Origin, Value};
use crate::probe::{LiveData, Reply};

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

/// `part` as a percentage of `whole`, unrounded.
fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// Writes `live.*` and `host.*` facts.
pub fn apply(live: &LiveData, facts: &mut Facts) {
    // A value, or an absent one (`None`: the fact is not written).
    let mut put = |path: &str, value: Option<Value>| {
        if let Some(value) = value {
            facts.insert(path, value, Origin::Live)
        }
    };
    put("live.reachable", Some(Value::Bool(true)));
    put("live.endpoint", Some(Value::Str(live.endpoint.clone())));
    for (key, text) in &live.info {
        put(&format!("live.info.{key}"), Some(info_value(text)));
    }
    let product = if live.info.contains_key("valkey_version") {
        "valkey"
    } else {
        "redis"
    };
    put("live.product", Some(Value::Str(product.into())));
    let version = live
        .info
        .get("valkey_version")
        .or_else(|| live.info.get("redis_version"))
        .cloned()
        .unwrap_or_default();
    let mut parts = version.split('.').map(|p| p.parse::<i64>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    put("live.version", Some(Value::Str(version.clone())));
    put("live.version_number", Some(Value::Int(major * 100 + minor)));
    let role = live.role.ok().cloned().or_else(|| live.info.get("role").cloned());
    put("live.role", role.map(Value::Str));
    put("live.uptime_seconds", int(live, "uptime_in_seconds").map(Value::Int));

    let used = int(live, "used_memory");
    let maxmemory = int(live, "maxmemory").filter(|max| *max > 0);
    put("live.used_memory_bytes", used.map(Value::Int));
    put("live.maxmemory_bytes", maxmemory.map(Value::Int));
    let memory_percent = used.zip(maxmemory).and_then(|(used, max)| percent(used, max));
    put("live.memory_used_percent", memory_percent.map(Value::Float));

    let hits = int(live, "keyspace_hits").unwrap_or(0);
    let misses = int(live, "keyspace_misses").unwrap_or(0);
    put("live.keyspace_hits", Some(Value::Int(hits)));
    put("live.keyspace_misses", Some(Value::Int(misses)));
    put("live.keyspace_lookups", Some(Value::Int(hits + misses)));
    put("live.hit_rate_percent", percent(hits, hits + misses).map(Value::Float));
    if let Some(ratio) = float(live, "mem_fragmentation_ratio") {
        put(
            "live.fragmentation_x100",
            Some(Value::Int((ratio * 100.0).round() as i64)),
        );
    }
    // A server that never saved reports its start as the last save: say so
    // (`rdb_saves` from 7.0; before, a bgsave that never ran has time -1).
    let never_saved = match int(live, "rdb_saves") {
        Some(saves) => Some(saves == 0),
        None => int(live, "rdb_last_bgsave_time_sec").map(|seconds| seconds == -1),
    };
    put("live.saved_since_start", never_saved.map(|never| Value::Bool(!never)));
    if let Some(last_save) = int(live, "rdb_last_save_time") {
        put("live.last_save_unix", Some(Value::Int(last_save)));
        put(
            "live.last_save_age_seconds",
            Some(Value::Int((live.now - last_save).max(0))),
        );
    }
    let connected = int(live, "connected_clients");
    let maxclients = live
        .config
        .ok()
        .and_then(|c| c.get("maxclients"))
        .and_then(|m| m.parse::<i64>().ok());
    put("live.connected_clients", connected.map(Value::Int));
    put("live.maxclients", maxclients.map(Value::Int));
    let clients_percent = connected.zip(maxclients).and_then(|(c, m)| percent(c, m));
    put("live.clients_percent", clients_percent.map(Value::Float));
    put("live.dbsize", live.dbsize.ok().copied().map(Value::Int));
    let persistence_on = match live.config.ok() {
        Some(config) => Value::Bool(
            config.get("save").is_some_and(|s| !s.trim().is_empty())
                || config.get("appendonly").is_some_and(|a| a == "yes"),
        ),
        None => unknown("CONFIG GET was refused"),
    };
    put("live.persistence_enabled", Some(persistence_on));

    match &live.unauthenticated_access {
        Reply::Ok(open) => put("live.unauthenticated_access", Some(Value::Bool(*open))),
        Reply::Denied(reason) => put("live.unauthenticated_access", Some(unknown(reason))),
    }
    match &live.dangerous_callable {
        Reply::Ok(commands) => put(
            "live.dangerous_callable",
            Some(Value::List(commands.iter().map(|c| Value::Str(c.clone())).collect())),
        ),
        Reply::Denied(reason) => put(
            "live.dangerous_callable",
            Some(unknown(&format!("ACL DRYRUN: {reason}"))),
        ),
    }
    put("live.dryrun_user", Some(Value::Str(live.dryrun_user.clone())));
    if let Some(latency) = &live.latency {
        put("live.latency.samples", Some(Value::Int(latency.samples as i64)));
        put("live.latency.min_us", Some(Value::Int(latency.min_us as i64)));
        put("live.latency.p50_us", Some(Value::Int(latency.p50_us as i64)));
        put("live.latency.p99_us", Some(Value::Int(latency.p99_us as i64)));
        put("live.latency.max_us", Some(Value::Int(latency.max_us as i64)));
    }
    if let Reply::Ok(len) = &live.slowlog_len {
        put("live.slowlog_len", Some(Value::Int(*len)));
    }
    if let Some(tls) = &live.tls {
        put("live.tls.protocol", Some(Value::Str(tls.protocol.clone())));
        if let Some(not_after) = tls.not_after {
            put(
                "live.tls.cert_days_left",
                Some(Value::Int((not_after - live.now).div_euclid(86_400))),
            );
        }
    }
    put("live.plaintext_accepted", live.plaintext_accepted.map(Value::Bool));
    put("live.round_trips", Some(Value::Int(live.round_trips as i64)));
    put(
        "live.elapsed_ms",
        Some(Value::Float(live.elapsed.as_secs_f64() * 1000.0)),
    );
    if let Some(host) = &live.host {
        put("host.overcommit_memory", host.overcommit_memory.map(Value::Int));
        put(
            "host.transparent_hugepages",
            host.transparent_hugepages.clone().map(Value::Str),
        );
        put("host.somaxconn", host.somaxconn.map(Value::Int));
    }
    facts.denied = denied_commands(live);
}

/// The probe commands the server refused, with its words.
fn denied_commands(live: &LiveData) -> Vec<DeniedCommand> {
    fn reason<T>(reply: &Reply<T>) -> Option<&String> {
        match reply {
            Reply::Denied(reason) => Some(reason),
            Reply::Ok(_) => None,
        }
    }
    [
        ("CONFIG GET *", reason(&live.config)),
        ("ACL LIST", reason(&live.acl_list)),
        ("ACL DRYRUN", reason(&live.dangerous_callable)),
        ("ACL WHOAMI", reason(&live.acl_whoami)),
        ("SLOWLOG LEN", reason(&live.slowlog_len)),
        ("ROLE", reason(&live.role)),
        ("DBSIZE", reason(&live.dbsize)),
    ]
    .into_iter()
    .filter_map(|(command, reason)| {
        reason.map(|reason| DeniedCommand {
            command: command.into(),
            reason: reason.clone(),
        })
    })
    .collect()
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
                        let words = split_printed_value(directive, text);
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
                    Some(super::conf::to_acl_user(spec, Origin::Live))
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
