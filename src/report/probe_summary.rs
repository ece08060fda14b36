//! The numbers of a live probe, as both the human Live section and the JSON
//! `probe` object show them.

use crate::probe::{LiveData, Reply};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Memory {
    pub used_bytes: Option<i64>,
    pub max_bytes: Option<i64>,
    pub used_percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HitRate {
    pub hits: i64,
    pub misses: i64,
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LatencyMs {
    pub samples: usize,
    pub min: f64,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Clients {
    pub connected: Option<i64>,
    pub max: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LastSave {
    pub unix: Option<i64>,
    pub age_seconds: Option<i64>,
    pub rdb_status: Option<String>,
    pub aof_status: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tls {
    pub protocol: String,
    pub cert_days_left: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Denied {
    pub command: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProbeSummary {
    pub endpoint: String,
    pub product: String,
    pub version: String,
    pub role: Option<String>,
    pub uptime_seconds: Option<i64>,
    pub memory: Memory,
    pub hit_rate: HitRate,
    pub latency_ms: Option<LatencyMs>,
    pub clients: Clients,
    pub last_save: LastSave,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<Tls>,
    pub unauthenticated_access: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plaintext_accepted: Option<bool>,
    pub keys: Option<i64>,
    pub round_trips: usize,
    pub elapsed_ms: f64,
    pub denied: Vec<Denied>,
}

fn int(live: &LiveData, key: &str) -> Option<i64> {
    live.info.get(key)?.parse().ok()
}

fn ms(us: u64) -> f64 {
    (us as f64 / 10.0).round() / 100.0
}

pub fn summarise(live: &LiveData) -> ProbeSummary {
    let used = int(live, "used_memory");
    let max = int(live, "maxmemory").filter(|m| *m > 0);
    let hits = int(live, "keyspace_hits").unwrap_or(0);
    let misses = int(live, "keyspace_misses").unwrap_or(0);
    let percent = |a: i64, b: i64| (b > 0).then(|| (a as f64 * 1000.0 / b as f64).round() / 10.0);
    let last_save = int(live, "rdb_last_save_time");
    fn reason<T>(reply: &Reply<T>) -> Option<&String> {
        match reply {
            Reply::Denied(reason) => Some(reason),
            Reply::Ok(_) => None,
        }
    }
    let denied: Vec<Denied> = [
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
        reason.map(|r| Denied {
            command: command.into(),
            reason: r.clone(),
        })
    })
    .collect();
    let product = if live.info.contains_key("valkey_version") {
        "valkey"
    } else {
        "redis"
    };
    ProbeSummary {
        endpoint: live.endpoint.clone(),
        product: product.into(),
        version: live
            .info
            .get("valkey_version")
            .or_else(|| live.info.get("redis_version"))
            .cloned()
            .unwrap_or_default(),
        role: live.role.ok().cloned().or_else(|| live.info.get("role").cloned()),
        uptime_seconds: int(live, "uptime_in_seconds"),
        memory: Memory {
            used_bytes: used,
            max_bytes: max,
            used_percent: used.zip(max).and_then(|(u, m)| percent(u, m)),
        },
        hit_rate: HitRate {
            hits,
            misses,
            percent: percent(hits, hits + misses),
        },
        latency_ms: live.latency.as_ref().map(|l| LatencyMs {
            samples: l.samples,
            min: ms(l.min_us),
            p50: ms(l.p50_us),
            p99: ms(l.p99_us),
            max: ms(l.max_us),
        }),
        clients: Clients {
            connected: int(live, "connected_clients"),
            max: live
                .config
                .ok()
                .and_then(|c| c.get("maxclients"))
                .and_then(|m| m.parse().ok()),
        },
        last_save: LastSave {
            unix: last_save,
            age_seconds: last_save.map(|t| (live.now - t).max(0)),
            rdb_status: live.info.get("rdb_last_bgsave_status").cloned(),
            aof_status: live.info.get("aof_last_write_status").cloned(),
        },
        tls: live.tls.as_ref().map(|t| Tls {
            protocol: t.protocol.clone(),
            cert_days_left: t.not_after.map(|n| (n - live.now).div_euclid(86_400)),
        }),
        unauthenticated_access: live.unauthenticated_access.ok().copied(),
        plaintext_accepted: live.plaintext_accepted,
        keys: live.dbsize.ok().copied(),
        round_trips: live.round_trips,
        elapsed_ms: (live.elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
        denied,
    }
}

fn bytes(value: Option<i64>) -> String {
    match value {
        None => "n/a".into(),
        Some(b) if b >= 1 << 30 => format!("{:.2} GB", b as f64 / (1u64 << 30) as f64),
        Some(b) if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        Some(b) if b >= 1 << 10 => format!("{:.1} KB", b as f64 / 1024.0),
        Some(b) => format!("{b} B"),
    }
}

fn duration(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

/// The Live section of the human report.
pub fn human(summary: &ProbeSummary) -> String {
    let mut lines = Vec::new();
    let role = summary.role.clone().unwrap_or_else(|| "unknown role".into());
    let uptime = summary
        .uptime_seconds
        .map(|s| format!(" · up {}", duration(s)))
        .unwrap_or_default();
    lines.push(format!(
        "Live: {} · {} {} · {role}{uptime}",
        summary.endpoint, summary.product, summary.version
    ));
    let memory = match (summary.memory.max_bytes, summary.memory.used_percent) {
        (Some(max), Some(percent)) => format!(
            "{} used of {} maxmemory ({percent:.1} %)",
            bytes(summary.memory.used_bytes),
            bytes(Some(max))
        ),
        _ => format!("{} used, no maxmemory", bytes(summary.memory.used_bytes)),
    };
    lines.push(format!("  memory     {memory}"));
    let lookups = summary.hit_rate.hits + summary.hit_rate.misses;
    let hit_rate = match summary.hit_rate.percent {
        Some(p) => format!("{p:.1} % of {lookups} lookups"),
        None => "no lookups yet".into(),
    };
    lines.push(format!("  hit rate   {hit_rate}"));
    if let Some(l) = &summary.latency_ms {
        lines.push(format!(
            "  latency    min {:.2} ms · p50 {:.2} ms · p99 {:.2} ms · max {:.2} ms ({} PINGs)",
            l.min, l.p50, l.p99, l.max, l.samples
        ));
    }
    let clients = match (summary.clients.connected, summary.clients.max) {
        (Some(c), Some(m)) => format!("{c} connected of {m} maxclients"),
        (Some(c), None) => format!("{c} connected"),
        _ => "n/a".into(),
    };
    lines.push(format!("  clients    {clients}"));
    let save = match summary.last_save.age_seconds {
        Some(age) => format!(
            "{} ago (rdb {}, aof {})",
            duration(age),
            summary.last_save.rdb_status.as_deref().unwrap_or("?"),
            summary.last_save.aof_status.as_deref().unwrap_or("?")
        ),
        None => "n/a".into(),
    };
    lines.push(format!("  last save  {save}"));
    if let Some(tls) = &summary.tls {
        let expiry = tls
            .cert_days_left
            .map(|d| {
                if d < 0 {
                    format!(", certificate expired {} days ago", -d)
                } else {
                    format!(", certificate expires in {d} days")
                }
            })
            .unwrap_or_default();
        lines.push(format!("  tls        {}{expiry}", tls.protocol));
    }
    for denied in &summary.denied {
        lines.push(format!("  denied     {}: {}", denied.command, denied.reason));
    }
    lines.push(format!(
        "  probe      {} round trips, {:.1} ms",
        summary.round_trips, summary.elapsed_ms
    ));
    let mut out = lines.join("\n");
    out.push_str("\n\n");
    out
}
