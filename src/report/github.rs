//! GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::message`),
//! so findings appear inline on the pull request, followed by the summary.
//! Escaping follows GitHub's runner: in the message `%`, `\r`, `\n`; in
//! property values also `:` and `,`.

use super::baseline::target_file;
use super::model::Model as Report;
use crate::findings::{Severity, State};
use std::fmt::Write as _;

pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "notice",
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let mut properties = Vec::new();
        if let Some(file) = target_file(report, finding) {
            properties.push(format!("file={}", escape_property(&file)));
            if let Some(location) = &finding.location {
                properties.push(format!("line={}", location.line.max(1)));
                properties.push(format!("col={}", location.column.max(1)));
            }
        }
        let warn = if finding.state == State::Warn {
            " (could not verify)"
        } else {
            ""
        };
        properties.push(format!(
            "title={}",
            escape_property(&format!(
                "{} [{}]{warn}: {}",
                finding.rule, finding.severity, finding.title
            ))
        ));
        let message = format!("{}\nFix: {}", finding.message, finding.remediation);
        let _ = writeln!(
            out,
            "::{} {}::{}",
            command(finding.severity),
            properties.join(","),
            escape_data(&message)
        );
    }
    let counts = report.tally().describe();
    let _ = writeln!(
        out,
        "redis-preflight {}: {} finding{}{}{}; {}",
        env!("CARGO_PKG_VERSION"),
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" },
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({counts})")
        },
        if report.suppressed.is_empty() {
            String::new()
        } else {
            format!(", {} suppressed", report.suppressed.len())
        },
        if report.exit_code() == 0 { "PASS" } else { "FAIL" }
    );
    out
}
