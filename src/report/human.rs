//! Human output: miette diagnostics that show the offending line with a
//! label, the remediation as help and the rule id; then a summary.

use crate::check::Report;
use crate::findings::{Finding, Severity, State};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
use std::fmt::Write as _;

fn miette_severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium | Severity::Low => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (index, content) in text.split('\n').enumerate() {
        if index + 1 == line {
            let column_offset: usize = content.chars().take(column.saturating_sub(1)).map(char::len_utf8).sum();
            return offset + column_offset;
        }
        offset += content.len() + 1;
    }
    text.len()
}

fn render_finding(report: &Report, finding: &Finding, handler: &GraphicalReportHandler, out: &mut String) {
    let state = if finding.state == State::Warn { "WARN " } else { "" };
    let mut diagnostic = MietteDiagnostic::new(format!("{state}{}", finding.message))
        .with_code(format!("{}/{}", finding.severity, finding.rule))
        .with_severity(miette_severity(finding.severity))
        .with_help(finding.remediation.clone());
    let mut source = None;
    if let Some(location) = &finding.location {
        if let Some(text) = report.sources.get(location.path.as_path()) {
            let start = if location.len > 0 && location.offset < text.len() {
                location.offset
            } else {
                offset_of(text, location.line, location.column)
            };
            let end = (start + location.len).min(text.len());
            let label = finding.subject.clone().unwrap_or_else(|| finding.title.clone());
            diagnostic = diagnostic.with_label(LabeledSpan::new_with_span(Some(label.trim_matches('`').to_string()), start..end.max(start)));
            source = Some(NamedSource::new(location.file.clone(), text.to_string()));
        }
    } else if let Some(variable) = &finding.variable {
        diagnostic = diagnostic.with_help(format!("{} (set in the process environment as {variable})", finding.remediation));
    }
    let report_diagnostic = match source {
        Some(source) => miette::Report::new(diagnostic).with_source_code(source),
        None => miette::Report::new(diagnostic),
    };
    let _ = handler.render_report(out, report_diagnostic.as_ref());
    if finding.location.is_none() {
        if let Some(file) = report.configs.first().filter(|_| finding.source == "config") {
            let _ = writeln!(out, "  (in {file}: not set there, so redis-server uses its compiled-in default)");
        }
    }
    out.push('\n');
}

pub fn render(report: &Report, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    let mut out = String::new();
    for finding in &report.findings {
        render_finding(report, finding, &handler, &mut out);
    }
    let counts: Vec<String> = Severity::ALL_DESCENDING
        .iter()
        .map(|s| (s, report.count(*s)))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let total = report.findings.len();
    let plural = if total == 1 { "finding" } else { "findings" };
    let _ = write!(
        out,
        "redis-preflight {} · {} {} · profile {} · {} rules run\n",
        env!("CARGO_PKG_VERSION"),
        report.target.product.name(),
        report.target.to_string().trim_start_matches("valkey-"),
        report.profile,
        report.rules_run
    );
    if total == 0 {
        out.push_str("No findings");
    } else {
        let _ = write!(out, "{total} {plural}: {}", counts.join(", "));
    }
    if !report.suppressed.is_empty() {
        let _ = write!(out, " ({} suppressed)", report.suppressed.len());
    }
    out.push('\n');
    let failing = report.failing().count();
    match report.fail_on {
        None => out.push_str("PASS: the gate is off (--fail-on none)\n"),
        Some(threshold) if failing == 0 => {
            let _ = writeln!(out, "PASS: no finding at or above `{threshold}`");
        }
        Some(threshold) => {
            let _ = writeln!(out, "FAIL: {failing} {} at or above `{threshold}`", if failing == 1 { "finding" } else { "findings" });
        }
    }
    out
}
