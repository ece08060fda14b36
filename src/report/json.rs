//! The versioned JSON report (`schemas/report.schema.json`).

use super::model::Model as Report;
use crate::findings::{Finding, Severity, Suppressed};
use serde::Serialize;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    info: usize,
    suppressed: usize,
    rules_run: usize,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    profile: &'a str,
    redis_version: String,
    fail_on: Option<Severity>,
    result: &'static str,
    configs: &'a [String],
    targets: &'a [super::model::Target],
    summary: Summary,
    findings: &'a [Finding],
    suppressed: &'a [Suppressed],
    /// The live probe's numbers, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    probe: Option<super::live_summary::ProbeSummary>,
    /// Why an optional probe could not complete.
    #[serde(skip_serializing_if = "Option::is_none")]
    probe_error: Option<&'a str>,
}

pub fn render(report: &Report) -> String {
    let tally = report.tally();
    let json = JsonReport {
        version: 1,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        profile: &report.profile,
        redis_version: report.version.clone(),
        fail_on: report.fail_on,
        result: if report.exit_code() == 0 { "pass" } else { "fail" },
        configs: &report.configs,
        targets: &report.targets,
        summary: Summary {
            critical: tally.count(Severity::Critical),
            high: tally.count(Severity::High),
            medium: tally.count(Severity::Medium),
            low: tally.count(Severity::Low),
            info: tally.count(Severity::Info),
            suppressed: report.suppressed.len(),
            rules_run: report.rules_run,
        },
        findings: &report.findings,
        suppressed: &report.suppressed,
        probe: report.live.clone(),
        probe_error: report.probe_failure.as_deref(),
    };
    // Serialising plain data with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
