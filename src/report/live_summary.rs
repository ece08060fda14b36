//! The numbers of a live probe, as the human Live section, the JSON `probe`
//! object, Prometheus and HTML show them. Read from the facts the rules also
//! read (nothing is derived twice); only rounding for display happens here.

use crate::facts::{DeniedCommand, Facts, Source, Value};
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
    /// Unrounded, for metrics.
    #[serde(skip)]
    pub p50_us: i64,
    #[serde(skip)]
    pub p99_us: i64,
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
    /// False: no save since the server started (its start time is not a save).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since_start: Option<bool>,
    pub rdb_status: Option<String>,
    pub aof_status: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tls {
    pub protocol: String,
    pub cert_days_left: Option<i64>,
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
    pub denied: Vec<DeniedCommand>,
}

fn ms(us: i64) -> f64 {
    (us as f64 / 10.0).round() / 100.0
}

/// Rounded to one decimal, for display.
fn one_decimal(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// The probe's numbers from a target's facts; `None` when the probe did not run.
pub fn summarise(facts: &Facts) -> Option<ProbeSummary> {
    if !facts.has_source(Source::Live) {
        return None;
    }
    let int = |path: &str| facts.value(path).and_then(Value::as_int);
    let number = |path: &str| facts.value(path).and_then(Value::as_number);
    let text = |path: &str| facts.value(path).and_then(Value::as_str).map(str::to_string);
    let boolean = |path: &str| facts.value(path).and_then(Value::as_bool);
    let latency = int("live.latency.p50_us").map(|p50| LatencyMs {
        samples: int("live.latency.samples").unwrap_or(0) as usize,
        min: ms(int("live.latency.min_us").unwrap_or(0)),
        p50: ms(p50),
        p99: ms(int("live.latency.p99_us").unwrap_or(0)),
        max: ms(int("live.latency.max_us").unwrap_or(0)),
        p50_us: p50,
        p99_us: int("live.latency.p99_us").unwrap_or(0),
    });
    let tls = text("live.tls.protocol").map(|protocol| Tls {
        protocol,
        cert_days_left: int("live.tls.cert_days_left"),
    });
    Some(ProbeSummary {
        endpoint: text("live.endpoint").unwrap_or_default(),
        product: text("live.product").unwrap_or_default(),
        version: text("live.version").unwrap_or_default(),
        role: text("live.role"),
        uptime_seconds: int("live.uptime_seconds"),
        memory: Memory {
            used_bytes: int("live.used_memory_bytes"),
            max_bytes: int("live.maxmemory_bytes"),
            used_percent: number("live.memory_used_percent").map(one_decimal),
        },
        hit_rate: HitRate {
            hits: int("live.keyspace_hits").unwrap_or(0),
            misses: int("live.keyspace_misses").unwrap_or(0),
            percent: number("live.hit_rate_percent").map(one_decimal),
        },
        latency_ms: latency,
        clients: Clients {
            connected: int("live.connected_clients"),
            max: int("live.maxclients"),
        },
        last_save: LastSave {
            unix: int("live.last_save_unix"),
            age_seconds: int("live.last_save_age_seconds"),
            since_start: boolean("live.saved_since_start"),
            rdb_status: text("live.info.rdb_last_bgsave_status"),
            aof_status: text("live.info.aof_last_write_status"),
        },
        tls,
        unauthenticated_access: boolean("live.unauthenticated_access"),
        plaintext_accepted: boolean("live.plaintext_accepted"),
        keys: int("live.dbsize"),
        round_trips: int("live.round_trips").unwrap_or(0) as usize,
        elapsed_ms: number("live.elapsed_ms").map(one_decimal).unwrap_or(0.0),
        denied: facts.denied.clone(),
    })
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
        _ if summary.last_save.since_start == Some(false) => format!(
            "no save since start (rdb {}, aof {})",
            summary.last_save.rdb_status.as_deref().unwrap_or("?"),
            summary.last_save.aof_status.as_deref().unwrap_or("?")
        ),
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
