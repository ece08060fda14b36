//! SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
//!
//! - `tool.driver.rules`: every rule that ran (plus any rule with a finding),
//!   with descriptions, help (text and Markdown), the default level, tags and
//!   `security-severity` (GitHub's 0–10 score) from the effective severity.
//! - `results`: one per finding, located repo-relative; findings without a
//!   line point at the file to change (the config, the env file) when known.
//!   `partialFingerprints` hash rule + subject + file, never line numbers.
//! - suppressed findings (waiver, inline, baseline) are results with a
//!   `suppressions` entry, so code scanning shows them as dismissed.

use super::baseline::{target_file, unique_fingerprints};
use super::model::{Model as Report, RuleStatus};
use crate::findings::{Finding, Severity, State};
use serde_json::{json, Value};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const FINGERPRINT_KEY: &str = "redisPreflight/v1";

pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's `security-severity` score: > 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn first_paragraph(text: &str) -> &str {
    text.split("\n\n").next().unwrap_or("").trim()
}

fn rule_descriptor(status: &RuleStatus) -> Value {
    let rule = &status.rule;
    let full = if rule.description.is_empty() {
        rule.title.clone()
    } else {
        first_paragraph(&rule.description).replace('\n', " ")
    };
    let mut markdown = format!("**{}** ({})\n\n", rule.title, status.severity);
    if !rule.description.is_empty() {
        markdown.push_str(&rule.description);
        markdown.push_str("\n\n");
    }
    markdown.push_str(&format!("**Fix:** {}\n", rule.remediation));
    if !rule.references.is_empty() {
        markdown.push_str("\n**References:**\n");
        for reference in &rule.references {
            markdown.push_str(&format!("- <{reference}>\n"));
        }
    }
    let mut text = format!("{}\n\nFix: {}", full, rule.remediation);
    for reference in &rule.references {
        text.push_str(&format!("\n{reference}"));
    }
    let mut tags = vec!["security".to_string(), "redis".to_string(), rule.category.clone()];
    tags.extend(rule.checklist.iter().map(|c| format!("checklist:{c}")));
    let mut descriptor = json!({
        "id": rule.id,
        "name": rule.id,
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": full },
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": { "level": level(status.severity) },
        "properties": {
            "tags": tags,
            "security-severity": security_severity(status.severity),
            "precision": "very-high",
            "problem.severity": level(status.severity).replace("note", "recommendation"),
        }
    });
    if let Some(uri) = rule.references.first() {
        descriptor["helpUri"] = json!(uri);
    }
    descriptor
}

fn result(
    report: &Report,
    finding: &Finding,
    index: Option<usize>,
    fingerprint: &str,
    suppression: Option<(&str, &str)>,
) -> Value {
    let state = if finding.state == State::Warn {
        "could not verify: "
    } else {
        ""
    };
    let mut result = json!({
        "ruleId": finding.rule,
        "level": if finding.state == State::Warn && finding.severity > Severity::Medium { "warning" } else { level(finding.severity) },
        "message": { "text": format!("{state}{}\nFix: {}", finding.message, finding.remediation) },
        "partialFingerprints": { "redisPreflight/v1": fingerprint },
        "properties": {
            "severity": finding.severity,
            "category": finding.category,
            "source": finding.source,
            "state": finding.state,
        }
    });
    if let Some(index) = index {
        result["ruleIndex"] = json!(index);
    }
    if let Some(subject) = &finding.subject {
        result["properties"]["subject"] = json!(subject);
    }
    if let Some(file) = target_file(report, finding) {
        // Outside the working directory: an absolute file URI.
        let uri = if file.starts_with('/') {
            format!("file://{file}")
        } else {
            file
        };
        let mut physical = json!({ "artifactLocation": { "uri": uri } });
        match &finding.location {
            Some(location) => {
                physical["region"] = json!({
                    "startLine": location.line.max(1),
                    "startColumn": location.column.max(1),
                });
            }
            None => {
                result["properties"]["note"] =
                    json!("not set in this file: the compiled-in default or the environment applies");
            }
        }
        result["locations"] = json!([{ "physicalLocation": physical }]);
    }
    if let Some((kind, justification)) = suppression {
        result["suppressions"] = json!([{ "kind": kind, "justification": justification }]);
    }
    result
}

pub fn render(report: &Report) -> String {
    let listed: Vec<&RuleStatus> = report
        .rules
        .iter()
        .filter(|r| {
            r.ran
                || report.findings.iter().any(|f| f.rule == r.rule.id)
                || report.suppressed.iter().any(|s| s.finding.rule == r.rule.id)
        })
        .collect();
    let index_of = |id: &str| listed.iter().position(|r| r.rule.id == id);
    let all: Vec<&Finding> = report
        .findings
        .iter()
        .chain(report.suppressed.iter().map(|s| &s.finding))
        .collect();
    let fingerprints = unique_fingerprints(report, &all);
    let mut results: Vec<Value> = Vec::new();
    for (n, finding) in report.findings.iter().enumerate() {
        results.push(result(report, finding, index_of(&finding.rule), &fingerprints[n], None));
    }
    for (n, suppressed) in report.suppressed.iter().enumerate() {
        let kind = if suppressed.by == "inline" {
            "inSource"
        } else {
            "external"
        };
        let justification = format!("{}: {}", suppressed.by, suppressed.reason);
        results.push(result(
            report,
            &suppressed.finding,
            index_of(&suppressed.finding.rule),
            &fingerprints[report.findings.len() + n],
            Some((kind, &justification)),
        ));
    }
    let sarif = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": env!("CARGO_PKG_NAME"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/redis-preflight/redis-preflight",
                    "rules": listed.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
                }
            },
            "automationDetails": { "id": format!("redis-preflight/{}/", report.profile) },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": true,
                "exitCode": report.exit_code(),
            }],
            "properties": {
                "profile": report.profile,
                "redisVersion": report.version,
                "failOn": report.fail_on,
                "result": if report.exit_code() == 0 { "pass" } else { "fail" },
            },
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    text.push('\n');
    text
}
