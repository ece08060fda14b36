//! The checklist audit as one self-contained HTML page: inline CSS, inline
//! SVG charts (findings by severity, checklist completion), no external
//! assets and no JavaScript. Every text from inputs is escaped.

use super::checklist::{self, ItemAudit, Status};
use super::model::Model as Report;
use crate::findings::Severity;
use std::fmt::Write as _;

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Inline `code` spans in rule texts (`like this`) as <code>.
fn rich(text: &str) -> String {
    let escaped = escape(text);
    let mut out = String::with_capacity(escaped.len());
    for (index, part) in escaped.split('`').enumerate() {
        if index % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "#7f1d1d",
        Severity::High => "#dc2626",
        Severity::Medium => "#f59e0b",
        Severity::Low => "#3b82f6",
        Severity::Info => "#6b7280",
    }
}

fn status_color(status: Status) -> &'static str {
    match status {
        Status::Pass => "#16a34a",
        Status::Attested => "#2563eb",
        Status::Fail => "#dc2626",
        Status::Partial => "#d97706",
        Status::NotVerifiable => "#9ca3af",
    }
}

const CSS: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #111827; background: #f3f4f6; margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 12px; }
.meta { color: #4b5563; margin: 0 0 20px; }
.cards { display: flex; gap: 16px; flex-wrap: wrap; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 16px 20px; flex: 1 1 340px; }
.card h3 { margin: 0 0 8px; font-size: 15px; color: #374151; }
.gate { font-weight: 700; padding: 2px 10px; border-radius: 999px; color: #fff; }
.gate.pass { background: #16a34a; color: #fff; } .gate.fail { background: #dc2626; color: #fff; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; overflow: hidden; }
th, td { text-align: left; vertical-align: top; padding: 9px 12px; border-bottom: 1px solid #e5e7eb; }
th { background: #f9fafb; font-size: 13px; text-transform: uppercase; letter-spacing: .03em; color: #4b5563; }
tr:last-child td { border-bottom: none; }
.badge { display: inline-block; white-space: nowrap; font-size: 12px; font-weight: 700; padding: 2px 9px; border-radius: 999px; color: #fff; }
.item-id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; color: #374151; }
.title { font-weight: 600; }
ul.evidence { margin: 4px 0 0; padding-left: 18px; }
ul.evidence li { margin: 2px 0; }
ul.evidence li.ok { font-size: 13px; }
.fail { color: #b91c1c; } .ok { color: #15803d; } .partial { color: #b45309; font-weight: 600; } .muted { color: #6b7280; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; background: #f3f4f6; padding: 0 4px; border-radius: 4px; overflow-wrap: anywhere; }
.sev { display: inline-block; width: 74px; font-size: 12px; font-weight: 700; color: #fff; text-align: center; border-radius: 4px; padding: 1px 0; }
.live { color: #6b7280; }
footer { margin-top: 32px; color: #6b7280; font-size: 13px; }
"#;

fn severity_chart(report: &Report) -> String {
    let counts = checklist::severity_counts(report);
    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let mut svg = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 360 150\" role=\"img\" aria-label=\"Findings by severity\">",
    );
    for (row, (severity, count)) in counts.iter().enumerate() {
        let y = 8 + row * 28;
        let width = (*count as f64 / max as f64 * 230.0).round() as usize;
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\" font-size=\"13\" fill=\"#374151\">{severity}</text>\
             <rect x=\"70\" y=\"{y}\" width=\"{}\" height=\"20\" rx=\"3\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"13\" font-weight=\"700\" fill=\"#111827\">{count}</text>",
            y + 15,
            width.max(2),
            severity_color(*severity),
            78 + width.max(2),
            y + 15
        );
    }
    svg.push_str("</svg>");
    svg
}

fn checklist_chart(audit: &[ItemAudit<'_>]) -> String {
    let total = audit.len().max(1);
    let done = audit
        .iter()
        .filter(|a| matches!(a.status, Status::Pass | Status::Attested))
        .count();
    // A donut: one arc per status, drawn as stroked circles with dash offsets.
    let radius = 52.0_f64;
    let circumference = 2.0 * std::f64::consts::PI * radius;
    let mut svg = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 360 150\" role=\"img\" aria-label=\"Checklist completion\">\
         <g transform=\"rotate(-90 75 75)\">",
    );
    let _ = write!(
        svg,
        "<circle cx=\"75\" cy=\"75\" r=\"{radius}\" fill=\"none\" stroke=\"#e5e7eb\" stroke-width=\"22\"/>"
    );
    let mut offset = 0.0;
    for (status, count) in checklist::counts(audit) {
        if count == 0 {
            continue;
        }
        let length = count as f64 / total as f64 * circumference;
        let _ = write!(
            svg,
            "<circle cx=\"75\" cy=\"75\" r=\"{radius}\" fill=\"none\" stroke=\"{}\" stroke-width=\"22\" \
             stroke-dasharray=\"{length:.2} {:.2}\" stroke-dashoffset=\"{:.2}\"/>",
            status_color(status),
            circumference - length,
            -offset
        );
        offset += length;
    }
    let _ = write!(
        svg,
        "</g><text x=\"75\" y=\"72\" text-anchor=\"middle\" font-size=\"22\" font-weight=\"700\" fill=\"#111827\">{done}/{}</text>\
         <text x=\"75\" y=\"92\" text-anchor=\"middle\" font-size=\"12\" fill=\"#4b5563\">done</text>",
        audit.len()
    );
    for (row, (status, count)) in checklist::counts(audit).iter().enumerate() {
        let y = 30 + row * 26;
        let _ = write!(
            svg,
            "<rect x=\"160\" y=\"{}\" width=\"14\" height=\"14\" rx=\"3\" fill=\"{}\"/>\
             <text x=\"182\" y=\"{}\" font-size=\"13\" fill=\"#374151\">{} — {count}</text>",
            y,
            status_color(*status),
            y + 12,
            status.label()
        );
    }
    svg.push_str("</svg>");
    svg
}

fn evidence(report: &Report, entry: &ItemAudit<'_>) -> String {
    let mut items: Vec<String> = Vec::new();
    for finding in &entry.failures {
        let at = checklist::location_text(report, finding)
            .map(|l| format!(" at <code>{}</code>", escape(&l)))
            .unwrap_or_default();
        let at = match checklist::finding_line(report, finding) {
            Some(text) => format!("{at} <code class=\"source\">{}</code>", escape(&text)),
            None => at,
        };
        items.push(format!(
            "<li class=\"fail\"><code>{}</code> ({}){at}: {}<br><span class=\"muted\">Fix: {}</span></li>",
            escape(&finding.rule),
            finding.severity,
            rich(&finding.message),
            rich(&finding.remediation)
        ));
    }
    for finding in &entry.notes {
        items.push(format!(
            "<li><code>{}</code> (info): {}</li>",
            escape(&finding.rule),
            rich(&finding.message)
        ));
    }
    for finding in &entry.warnings {
        items.push(format!(
            "<li><code>{}</code> could not verify: {}</li>",
            escape(&finding.rule),
            rich(&finding.message)
        ));
    }
    for suppressed in &entry.accepted {
        items.push(format!(
            "<li><code>{}</code> accepted ({}): {}</li>",
            escape(&suppressed.finding.rule),
            escape(&suppressed.by),
            rich(&suppressed.reason)
        ));
    }
    for (rule, seen) in &entry.passed {
        let values: Vec<String> = seen
            .iter()
            .map(|s| {
                let (at, text) = checklist::seen_source(report, s);
                let quoted = text
                    .map(|t| format!(": <code class=\"source\">{}</code>", escape(&t)))
                    .unwrap_or_default();
                format!(
                    "<code>{} = {}</code> <span class=\"muted\">({}{quoted})</span>",
                    escape(&s.fact),
                    escape(&s.value),
                    escape(&at)
                )
            })
            .collect();
        let values = if values.is_empty() {
            String::new()
        } else {
            format!(": saw {}", values.join(", "))
        };
        items.push(format!(
            "<li class=\"ok\"><code>{}</code> passed{values}</li>",
            escape(&rule.rule.id)
        ));
    }
    for seen in &entry.verified {
        let (at, _) = checklist::seen_source(report, seen);
        items.push(format!(
            "<li class=\"ok\">verified by <code>{} = {}</code> <span class=\"muted\">({})</span></li>",
            escape(&seen.fact),
            escape(&seen.value),
            escape(&at)
        ));
    }
    if entry.status == Status::Partial {
        items.push(format!(
            "<li class=\"partial\">missing: {}</li>",
            escape(entry.item.partial.as_deref().unwrap_or("the evidence that verifies it"))
        ));
    }
    for attestation in &entry.attestations {
        let a = attestation.attestation;
        let validity = match (&attestation.expires, attestation.expired) {
            (Some(e), true) => format!(", <strong class=\"fail\">expired {}</strong>", escape(e)),
            (Some(e), false) => format!(", valid until {}", escape(e)),
            (None, _) => String::new(),
        };
        items.push(format!(
            "<li>Attested by <strong>{}</strong> on {}{validity}: {}</li>",
            escape(&a.by),
            escape(&a.date),
            rich(&a.evidence)
        ));
    }
    if !entry.not_run.is_empty() {
        let ids: Vec<String> = entry
            .not_run
            .iter()
            .map(|r| format!("<code>{}</code>", escape(&r.rule.id)))
            .collect();
        items.push(format!("<li class=\"muted\">Not run: {}</li>", ids.join(", ")));
    }
    if items.is_empty() {
        items.push(format!(
            "<li class=\"muted\">No automated check: attest it with <code>[[attest]] item = \"{}\"</code> in redis-preflight.toml</li>",
            escape(&entry.item.id)
        ));
    }
    format!("<ul class=\"evidence\">{}</ul>", items.join(""))
}

pub fn render(report: &Report) -> String {
    let audit = checklist::audit(report);
    let mut out = String::new();
    let pass = report.exit_code() == 0;
    let configs = if report.configs.is_empty() {
        "no config".to_string()
    } else {
        report
            .configs
            .iter()
            .map(|c| format!("<code>{}</code>", escape(&report.repo_path(c))))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Redis production checklist — redis-preflight</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n\
         <h1>Redis production checklist</h1>\n\
         <p class=\"meta\">redis-preflight {} · {} · profile <strong>{}</strong> · {configs} · audited {} · gate <span class=\"gate {}\">{}</span></p>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&report.version),
        escape(&report.profile),
        escape(&report.audit.today),
        if pass { "pass" } else { "fail" },
        if pass { "PASS" } else { "FAIL" }
    );
    let _ = write!(
        out,
        "<section class=\"cards\">\n<div class=\"card\"><h3>Findings by severity — {} total{}</h3>{}</div>\n\
         <div class=\"card\"><h3>Checklist completion</h3>{}</div>\n</section>\n",
        report.findings.len(),
        if report.suppressed.is_empty() {
            String::new()
        } else {
            format!(", {} suppressed", report.suppressed.len())
        },
        severity_chart(report),
        checklist_chart(&audit)
    );
    for phase in ["pre-production", "post-production"] {
        let _ = write!(
            out,
            "<h2>{}</h2>\n<table>\n<thead><tr><th style=\"width:150px\">Status</th><th style=\"width:32%\">Item</th><th>Evidence</th></tr></thead>\n<tbody>\n",
            checklist::phase_title(phase)
        );
        for entry in audit.iter().filter(|a| a.item.phase == phase) {
            let _ = writeln!(
                out,
                "<tr id=\"{}\"><td><span class=\"badge\" style=\"background:{}\">{}</span></td>\
                 <td><div class=\"title\">{}</div><div class=\"item-id\">{}</div><div class=\"muted\">{}</div></td><td>{}</td></tr>",
                escape(&entry.item.id),
                status_color(entry.status),
                entry.status.label(),
                escape(&entry.item.title),
                escape(&entry.item.id),
                escape(&entry.reason()),
                evidence(report, entry)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !report.findings.is_empty() {
        out.push_str("<h2>All findings</h2>\n<table>\n<thead><tr><th style=\"width:90px\">Severity</th><th style=\"width:26%\">Rule</th><th>Finding</th></tr></thead>\n<tbody>\n");
        for finding in &report.findings {
            let at = checklist::location_text(report, finding)
                .map(|l| format!("<div class=\"muted\"><code>{}</code></div>", escape(&l)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<tr><td><span class=\"sev\" style=\"background:{}\">{}</span></td><td><code>{}</code>{at}</td><td>{}{}</td></tr>",
                severity_color(finding.severity),
                finding.severity,
                escape(&finding.rule),
                if finding.state == crate::findings::State::Warn {
                    "could not verify: "
                } else {
                    ""
                },
                rich(&finding.message)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("<h2>Live numbers</h2>\n");
    match &report.live {
        None => out.push_str("<p class=\"live\">Not probed: this is a static audit of the files (run with <code>--probe</code> to add them).</p>\n"),
        Some(live) => {
            // The same lines as the human report's Live section.
            let text = super::live_summary::human(live);
            out.push_str("<pre class=\"live\">");
            out.push_str(&escape(text.trim_end()));
            out.push_str("</pre>\n");
        }
    }
    let _ = write!(
        out,
        "<footer>Generated by redis-preflight {}. Statuses: verified pass/fail (checked from the files), attested (a person vouched for it in redis-preflight.toml), not verifiable (no machine can see it).</footer>\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}
