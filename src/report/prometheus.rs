//! Prometheus text exposition format for node_exporter's textfile collector
//! (`--output prometheus=/var/lib/node_exporter/textfile/redis_preflight.prom`).

use super::checklist;
use super::model::Model as Report;
use crate::findings::Severity;
use std::fmt::Write as _;

/// Escapes a label value: backslash, double quote and newline.
pub fn label(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    header(
        &mut out,
        "redis_preflight_info",
        "gauge",
        "redis-preflight run: tool version, profile and target Redis version.",
    );
    let _ = writeln!(
        out,
        "redis_preflight_info{{version=\"{}\",profile=\"{}\",redis_version=\"{}\"}} 1",
        label(env!("CARGO_PKG_VERSION")),
        label(&report.profile),
        label(&report.version)
    );
    header(
        &mut out,
        "redis_preflight_findings",
        "gauge",
        "Findings of the last run by severity (suppressed ones excluded).",
    );
    let tally = report.tally();
    for severity in Severity::ALL_DESCENDING {
        let _ = writeln!(
            out,
            "redis_preflight_findings{{severity=\"{severity}\"}} {}",
            tally.count(severity)
        );
    }
    header(
        &mut out,
        "redis_preflight_findings_suppressed",
        "gauge",
        "Findings suppressed by a waiver, an inline comment or the baseline.",
    );
    let _ = writeln!(out, "redis_preflight_findings_suppressed {}", report.suppressed.len());
    header(
        &mut out,
        "redis_preflight_gate_passed",
        "gauge",
        "1 when no finding reaches --fail-on, else 0.",
    );
    let _ = writeln!(out, "redis_preflight_gate_passed {}", u8::from(report.exit_code() == 0));
    header(
        &mut out,
        "redis_preflight_rules_run",
        "gauge",
        "Rules that ran (inputs, profile and selection allowed them).",
    );
    let _ = writeln!(out, "redis_preflight_rules_run {}", report.rules_run);
    header(
        &mut out,
        "redis_preflight_check_passed",
        "gauge",
        "1 when a rule that ran has no finding, 0 when it has one.",
    );
    for status in report.rules.iter().filter(|r| r.ran) {
        let passed = !report.findings.iter().any(|f| f.rule == status.rule.id);
        let _ = writeln!(
            out,
            "redis_preflight_check_passed{{rule=\"{}\",severity=\"{}\",category=\"{}\"}} {}",
            label(&status.rule.id),
            status.severity,
            label(&status.rule.category),
            u8::from(passed)
        );
    }
    header(
        &mut out,
        "redis_preflight_checklist_items",
        "gauge",
        "Production checklist items by status.",
    );
    let audit = checklist::audit(report);
    for (status, count) in checklist::counts(&audit) {
        let _ = writeln!(
            out,
            "redis_preflight_checklist_items{{status=\"{}\"}} {count}",
            status.id()
        );
    }
    live_metrics(report, &mut out);
    out
}

/// The live numbers, under the guide's names, only when the probe ran: `redis_cache_hits_total` and `redis_cache_misses_total`
/// (counter, keyspace_hits / keyspace_misses), `redis_cache_hit_rate` (gauge,
/// hits / (hits + misses)), `redis_memory_used_bytes` (gauge, used_memory) and
/// `redis_connected_clients` (gauge). A static run has no live numbers and
/// emits none.
fn live_metrics(report: &Report, out: &mut String) {
    let Some(live) = &report.live else { return };
    let summary = live;
    let endpoint = summary.endpoint.replace('\\', "\\\\").replace('"', "\\\"");
    let mut metric = |name: &str, kind: &str, help: &str, value: Option<f64>| {
        if let Some(value) = value {
            header(out, name, kind, help);
            let _ = writeln!(out, "{name}{{endpoint=\"{endpoint}\"}} {value}");
        }
    };
    metric(
        "redis_cache_hits_total",
        "counter",
        "Keyspace hits since the server started (INFO keyspace_hits).",
        Some(summary.hit_rate.hits as f64),
    );
    metric(
        "redis_cache_misses_total",
        "counter",
        "Keyspace misses since the server started (INFO keyspace_misses).",
        Some(summary.hit_rate.misses as f64),
    );
    metric(
        "redis_cache_hit_rate",
        "gauge",
        "Hits / (hits + misses), 0 to 1.",
        summary.hit_rate.percent.map(|p| p / 100.0),
    );
    metric(
        "redis_memory_used_bytes",
        "gauge",
        "Memory used by Redis (INFO used_memory).",
        summary.memory.used_bytes.map(|b| b as f64),
    );
    metric(
        "redis_memory_max_bytes",
        "gauge",
        "maxmemory (0: no limit).",
        Some(summary.memory.max_bytes.unwrap_or(0) as f64),
    );
    metric(
        "redis_connected_clients",
        "gauge",
        "Connected clients (INFO connected_clients).",
        summary.clients.connected.map(|c| c as f64),
    );
    metric(
        "redis_preflight_latency_p50_seconds",
        "gauge",
        "Median PING round trip measured by the probe.",
        summary.latency_ms.as_ref().map(|l| l.p50_us as f64 / 1e6),
    );
    metric(
        "redis_preflight_latency_p99_seconds",
        "gauge",
        "99th percentile PING round trip measured by the probe.",
        summary.latency_ms.as_ref().map(|l| l.p99_us as f64 / 1e6),
    );
}
