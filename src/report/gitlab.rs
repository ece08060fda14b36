//! GitLab Code Quality (a Code Climate subset): a JSON array of issues with
//! `description`, `check_name`, `fingerprint`, `severity` and `location`.

use super::baseline::{target_file, unique_fingerprints};
use super::model::Model as Report;
use crate::findings::{Finding, Severity, State};
use serde_json::{json, Value};

pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "blocker",
        Severity::High => "critical",
        Severity::Medium => "major",
        Severity::Low => "minor",
        Severity::Info => "info",
    }
}

pub fn render(report: &Report) -> String {
    let findings: Vec<&Finding> = report.findings.iter().collect();
    let fingerprints = unique_fingerprints(report, &findings);
    let issues: Vec<Value> = findings
        .iter()
        .zip(fingerprints)
        .map(|(finding, fingerprint)| {
            let state = if finding.state == State::Warn {
                "could not verify: "
            } else {
                ""
            };
            // GitLab needs a path: the file to change, else the first input.
            let path = target_file(report, finding)
                .or_else(|| report.configs.first().map(|c| report.repo_path(c)))
                .unwrap_or_else(|| ".".into());
            let line = finding.location.as_ref().map_or(1, |l| l.line.max(1));
            json!({
                "type": "issue",
                "engine_name": "redis-preflight",
                "check_name": finding.rule,
                "description": format!("{state}{} ({})", finding.message, finding.rule),
                "content": { "body": format!("{}\n\nFix: {}", finding.title, finding.remediation) },
                "categories": ["Security"],
                "fingerprint": fingerprint,
                "severity": severity(finding.severity),
                "location": { "path": path, "lines": { "begin": line } },
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_default();
    text.push('\n');
    text
}
