//! JUnit XML for CI test reports: one `testsuite` per rule category, one
//! `testcase` per rule of the pack. A rule that ran without a finding passes;
//! each FAIL finding is a `failure` (message, location and remediation); a rule
//! that did not run (input absent, profile, selection) or that could only WARN
//! "could not verify" is `skipped`. `failures` counts failing testcases,
//! `skipped` skipped ones, `tests` every testcase; the root sums the suites.

use super::model::{Model as Report, RuleStatus};
use crate::findings::{Finding, State};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Escapes text for XML content and attribute values (and drops characters XML 1.0 forbids).
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes element text (newlines kept as they are).
fn text_escape(text: &str) -> String {
    xml_escape(text).replace("&#10;", "\n")
}

enum Outcome<'a> {
    Passed,
    Failed(Vec<&'a Finding>, Vec<&'a Finding>),
    Skipped(String),
}

fn outcome<'a>(report: &'a Report, status: &RuleStatus) -> Outcome<'a> {
    let findings: Vec<&Finding> = report.findings.iter().filter(|f| f.rule == status.rule.id).collect();
    let (fails, warns): (Vec<&Finding>, Vec<&Finding>) = findings.into_iter().partition(|f| f.state == State::Fail);
    if !fails.is_empty() {
        return Outcome::Failed(fails, warns);
    }
    if !warns.is_empty() {
        let reasons: Vec<&str> = warns.iter().map(|f| f.message.as_str()).collect();
        return Outcome::Skipped(format!("could not verify: {}", reasons.join("; ")));
    }
    if !status.ran {
        return Outcome::Skipped(format!(
            "not applicable: needs {} input, profile `{}` or the rule selection excludes it",
            status
                .rule
                .sources
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" or "),
            report.profile
        ));
    }
    Outcome::Passed
}

fn finding_text(report: &Report, finding: &Finding) -> String {
    let mut text = String::new();
    if let Some(location) = &finding.location {
        let _ = writeln!(
            text,
            "{}:{}:{}",
            report.repo_path(&location.file),
            location.line,
            location.column
        );
    }
    let _ = writeln!(text, "{}", finding.message);
    let _ = writeln!(text, "Fix: {}", finding.remediation);
    text
}

pub fn render(report: &Report) -> String {
    let mut suites: BTreeMap<&str, Vec<&RuleStatus>> = BTreeMap::new();
    for status in &report.rules {
        suites.entry(status.rule.category.as_str()).or_default().push(status);
    }
    let mut body = String::new();
    let (mut total_tests, mut total_failures, mut total_skipped) = (0, 0, 0);
    for (category, rules) in &suites {
        let outcomes: Vec<Outcome<'_>> = rules.iter().map(|r| outcome(report, r)).collect();
        let tests = rules.len();
        let failures = outcomes.iter().filter(|o| matches!(o, Outcome::Failed(..))).count();
        let skipped = outcomes.iter().filter(|o| matches!(o, Outcome::Skipped(..))).count();
        total_tests += tests;
        total_failures += failures;
        total_skipped += skipped;
        let _ = writeln!(
            body,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">",
            xml_escape(category)
        );
        for (status, outcome) in rules.iter().zip(outcomes) {
            let rule = &status.rule;
            let mut attributes = format!(
                "name=\"{}\" classname=\"redis-preflight.{}\" time=\"0\"",
                xml_escape(&rule.id),
                xml_escape(&rule.category)
            );
            let first_file = match &outcome {
                Outcome::Failed(fails, _) => fails.iter().find_map(|f| f.location.as_ref()),
                _ => None,
            };
            if let Some(location) = first_file {
                let _ = write!(
                    attributes,
                    " file=\"{}\" line=\"{}\"",
                    xml_escape(&report.repo_path(&location.file)),
                    location.line
                );
            }
            match outcome {
                Outcome::Passed => {
                    let _ = writeln!(body, "    <testcase {attributes}/>");
                }
                Outcome::Failed(fails, warns) => {
                    let _ = writeln!(body, "    <testcase {attributes}>");
                    for finding in fails {
                        let _ = writeln!(
                            body,
                            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                            xml_escape(&finding.message),
                            finding.severity,
                            text_escape(&finding_text(report, finding))
                        );
                    }
                    if !warns.is_empty() {
                        let text: Vec<String> = warns
                            .iter()
                            .map(|f| format!("could not verify: {}", f.message))
                            .collect();
                        let _ = writeln!(body, "      <system-out>{}</system-out>", text_escape(&text.join("\n")));
                    }
                    let _ = writeln!(body, "    </testcase>");
                }
                Outcome::Skipped(message) => {
                    let _ = writeln!(body, "    <testcase {attributes}>");
                    let _ = writeln!(body, "      <skipped message=\"{}\"/>", xml_escape(&message));
                    let _ = writeln!(body, "    </testcase>");
                }
            }
        }
        let _ = writeln!(body, "  </testsuite>");
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"redis-preflight\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"0\" skipped=\"{total_skipped}\" time=\"0\">"
    );
    out.push_str(&body);
    out.push_str("</testsuites>\n");
    out
}
