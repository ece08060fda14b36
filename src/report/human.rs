//! Human output: miette diagnostics that show the offending line with a
//! label, the remediation as help and the rule id; then a summary.

use super::model::Model as Report;
use crate::findings::{Finding, Severity, State};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

/// A source file for miette that only scans the lines around a span.
/// miette's own `SourceCode` for text walks the file from its first byte for
/// every diagnostic; on a 100 KB redis.conf that was a third of a run.
struct WindowedSource {
    name: String,
    text: Arc<str>,
    /// Shared by every finding in the same file: built once per file, so a
    /// file with many findings is not scanned once per finding.
    line_starts: Arc<Vec<usize>>,
}

fn line_starts(text: &str) -> Arc<Vec<usize>> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    Arc::new(starts)
}

impl WindowedSource {
    /// 0-based line containing a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|start| *start <= offset)
            .saturating_sub(1)
    }
}

impl SourceCode for WindowedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let first = self.line_of(span.offset()).saturating_sub(before);
        let last = self.line_of(span.offset() + span.len().saturating_sub(1)) + after + 1;
        let start = self.line_starts[first];
        let end = self.line_starts.get(last + 1).copied().unwrap_or(self.text.len());
        let window = &self.text.as_bytes()[start..end];
        let local = SourceSpan::new((span.offset() - start).into(), span.len());
        let inner = window.read_span(&local, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + start).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count(),
        )))
    }
}

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

type LineIndexes = HashMap<PathBuf, Arc<Vec<usize>>>;

fn render_finding(
    report: &Report,
    finding: &Finding,
    handler: &GraphicalReportHandler,
    indexes: &mut LineIndexes,
    out: &mut String,
) {
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
            diagnostic = diagnostic.with_label(LabeledSpan::new_with_span(
                Some(label.trim_matches('`').to_string()),
                start..end.max(start),
            ));
            let starts = indexes
                .entry(location.path.to_path_buf())
                .or_insert_with(|| line_starts(text))
                .clone();
            source = Some(WindowedSource {
                name: location.file.clone(),
                text: text.clone(),
                line_starts: starts,
            });
        }
    } else if let Some(variable) = &finding.variable {
        diagnostic = diagnostic.with_help(format!(
            "{} (set in the process environment as {variable})",
            finding.remediation
        ));
    }
    let report_diagnostic = match source {
        Some(source) => miette::Report::new(diagnostic).with_source_code(source),
        None => miette::Report::new(diagnostic),
    };
    let _ = handler.render_report(out, report_diagnostic.as_ref());
    if finding.location.is_none() {
        if let Some(file) = report
            .configs
            .first()
            .filter(|_| finding.source == crate::findings::Source::Config)
        {
            let _ = writeln!(
                out,
                "  (in {file}: not set there, so redis-server uses its compiled-in default)"
            );
        }
    }
    out.push('\n');
}

pub fn render(report: &Report, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    let mut indexes = LineIndexes::new();
    for finding in &report.findings {
        render_finding(report, finding, &handler, &mut indexes, &mut out);
    }
    if let Some(live) = &report.live {
        out.push_str(&super::live_summary::human(live));
    }
    let counts = report.tally().describe();
    let total = report.findings.len();
    let plural = if total == 1 { "finding" } else { "findings" };
    let _ = writeln!(
        out,
        "redis-preflight {} · {} {} · profile {} · {} rules run",
        env!("CARGO_PKG_VERSION"),
        report.product,
        report.version.trim_start_matches("valkey-"),
        report.profile,
        report.rules_run
    );
    if report.inputs.walked {
        let targets = report.targets.len();
        let _ = writeln!(
            out,
            "{} files read, {} passed over · {targets} target{}",
            report.inputs.read,
            report.inputs.skipped,
            if targets == 1 { "" } else { "s" }
        );
    }
    // With several targets, the ones that contributed most (all of them: --statistics).
    if report.targets.len() > 1 && report.targets.iter().any(|t| t.findings > 0) {
        let mut targets: Vec<_> = report.targets.iter().filter(|t| t.findings > 0).collect();
        targets.sort_by(|a, b| b.findings.cmp(&a.findings).then(a.id.cmp(&b.id)));
        let shown: Vec<String> = targets
            .iter()
            .take(3)
            .map(|t| format!("{} in {}", t.findings, t.id))
            .collect();
        let more = targets.len().saturating_sub(shown.len());
        let _ = writeln!(
            out,
            "findings by target: {}{}",
            shown.join(", "),
            if more > 0 {
                format!(" (+{more} more)")
            } else {
                String::new()
            }
        );
    }
    // A managed target is judged by its service's profile: counted per
    // profile (JSON `targets[].profile` names each).
    let mut own: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for target in report
        .targets
        .iter()
        .filter(|t| !t.profile.is_empty() && t.profile != report.profile)
    {
        *own.entry(target.profile.as_str()).or_default() += 1;
    }
    if !own.is_empty() {
        let counts: Vec<String> = own.iter().map(|(profile, n)| format!("{n} by {profile}")).collect();
        let _ = writeln!(
            out,
            "managed targets judged by their service's profile: {}",
            counts.join(", ")
        );
    }
    if total == 0 {
        out.push_str("No findings");
    } else {
        let _ = write!(out, "{total} {plural}: {counts}");
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
            let _ = writeln!(
                out,
                "FAIL: {failing} {} at or above `{threshold}`",
                if failing == 1 { "finding" } else { "findings" }
            );
        }
    }
    out
}
