//! The production checklist audit: every item of `schemas/checklist.json`
//! with a status (verified pass, verified fail, partial, attested, not verifiable),
//! the evidence (rules and the values they saw) and attestations. This module
//! builds the model and renders it as Markdown; `html.rs` renders it as a page.

use super::model::{Model as Report, RuleStatus};
use crate::findings::{Finding, Severity, State, Suppressed};
use crate::rules::evidence::Seen;
use crate::settings::Attestation;
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::Path;

const CHECKLIST: &str = include_str!("../../schemas/checklist.json");

#[derive(Debug, Clone, Deserialize)]
pub struct ChecklistItem {
    pub id: String,
    pub phase: String,
    pub title: String,
    pub automated: bool,
    /// The facts only whose value verifies the item (a NetworkPolicy, a
    /// managed service's backups); without one of them, checks that pass
    /// make the item partial, not verified.
    #[serde(default)]
    pub verified_by: Vec<VerifiedBy>,
    /// What a partial item lacks, as the report says it.
    #[serde(default)]
    pub partial: Option<String>,
}

/// A fact and the printed value that verifies a checklist item.
#[derive(Debug, Clone, Deserialize)]
pub struct VerifiedBy {
    pub fact: String,
    pub value: String,
}

/// The checklist items, in the guide's order.
pub fn items() -> Vec<ChecklistItem> {
    // The file is embedded and tested; an error here is a build defect.
    serde_json::from_str(CHECKLIST).unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    /// Checks passed, but the evidence that verifies the item was not seen.
    Partial,
    Attested,
    NotVerifiable,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::Pass => "verified-pass",
            Status::Fail => "verified-fail",
            Status::Partial => "partial",
            Status::Attested => "attested",
            Status::NotVerifiable => "not-verifiable",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "Verified pass",
            Status::Fail => "Verified fail",
            Status::Partial => "Partial",
            Status::Attested => "Attested",
            Status::NotVerifiable => "Not verifiable",
        }
    }

    pub fn icon(self) -> &'static str {
        match self {
            Status::Pass => "✅",
            Status::Fail => "❌",
            Status::Partial => "◐",
            Status::Attested => "📝",
            Status::NotVerifiable => "❔",
        }
    }

    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Attested,
        Status::Partial,
        Status::Fail,
        Status::NotVerifiable,
    ];
}

/// An attestation as the audit sees it.
#[derive(Debug, Clone)]
pub struct AttestationStatus<'a> {
    pub attestation: &'a Attestation,
    pub expires: Option<String>,
    pub expired: bool,
}

/// One checklist item with its status and evidence.
#[derive(Debug, Clone)]
pub struct ItemAudit<'a> {
    pub item: ChecklistItem,
    pub status: Status,
    /// FAIL findings of the item's rules, above info.
    pub failures: Vec<&'a Finding>,
    /// Info findings of the item's rules: shown, but they fail nothing.
    pub notes: Vec<&'a Finding>,
    /// WARN (could not verify) findings.
    pub warnings: Vec<&'a Finding>,
    /// Rules that ran without a finding, with the values they read.
    pub passed: Vec<(&'a RuleStatus, &'a [Seen])>,
    /// Findings accepted by a waiver, an inline comment or the baseline.
    pub accepted: Vec<&'a Suppressed>,
    /// Rules of the item that did not run (input absent, profile, selection).
    pub not_run: Vec<&'a RuleStatus>,
    /// The values that verify the item (`verified_by`), when seen.
    pub verified: Vec<&'a Seen>,
    pub attestations: Vec<AttestationStatus<'a>>,
}

impl ItemAudit<'_> {
    /// One sentence on why the item has its status.
    pub fn reason(&self) -> String {
        let valid = self.attestations.iter().find(|a| !a.expired);
        let expired = self.attestations.iter().find(|a| a.expired);
        match self.status {
            Status::Fail if !self.failures.is_empty() => format!(
                "{} finding{}",
                self.failures.len(),
                if self.failures.len() == 1 { "" } else { "s" }
            ),
            Status::Fail => match expired {
                Some(a) => format!(
                    "attestation by {} expired on {}",
                    a.attestation.by,
                    a.expires.as_deref().unwrap_or("?")
                ),
                None => "failing".into(),
            },
            Status::Pass => format!(
                "{} check{} passed",
                self.passed.len(),
                if self.passed.len() == 1 { "" } else { "s" }
            ),
            Status::Partial => match &self.item.partial {
                Some(missing) => format!("partial: {missing}"),
                None => "partial: the evidence that verifies it was not seen".into(),
            },
            Status::Attested => match valid {
                Some(a) => format!("attested by {} on {}", a.attestation.by, a.attestation.date),
                None => "attested".into(),
            },
            Status::NotVerifiable if !self.warnings.is_empty() => "could not be verified".into(),
            Status::NotVerifiable
                if self
                    .passed
                    .iter()
                    .any(|(r, _)| r.rule.id == "replication.no-automatic-failover") =>
            {
                "the tier and replicas were verified (the service fails over automatically), but only a drill shows that clients reconnect: attest it in redis-preflight.toml once a failover was tested".into()
            }
            Status::NotVerifiable if !self.item.automated && !self.passed.is_empty() => {
                "related checks pass, but only a person can confirm it: attest it in redis-preflight.toml".into()
            }
            Status::NotVerifiable if self.not_run.is_empty() && self.passed.is_empty() => {
                "no machine can see this: attest it in redis-preflight.toml".into()
            }
            Status::NotVerifiable => "its checks did not run on these inputs; attest it or give the inputs".into(),
        }
    }
}

/// The audit of every checklist item.
pub fn audit(report: &Report) -> Vec<ItemAudit<'_>> {
    let today = report.audit.today.as_str();
    items()
        .into_iter()
        .map(|item| {
            let rules: Vec<&RuleStatus> = report
                .rules
                .iter()
                .filter(|r| r.rule.checklist.contains(&item.id))
                .collect();
            let of_item = |rule: &str| rules.iter().any(|r| r.rule.id == rule);
            let (notes, failures): (Vec<&Finding>, Vec<&Finding>) = report
                .findings
                .iter()
                .filter(|f| f.state == State::Fail && of_item(&f.rule))
                .partition(|f| f.severity == Severity::Info);
            let warnings: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| f.state == State::Warn && of_item(&f.rule))
                .collect();
            let accepted: Vec<&Suppressed> = report.suppressed.iter().filter(|s| of_item(&s.finding.rule)).collect();
            let passed: Vec<(&RuleStatus, &[Seen])> = rules
                .iter()
                .filter(|r| {
                    r.ran
                        && !report
                            .findings
                            .iter()
                            .any(|f| f.rule == r.rule.id && f.severity != Severity::Info)
                })
                .map(|r| {
                    let seen = report.audit.evidence.of(&r.rule.id);
                    (*r, seen)
                })
                .collect();
            let not_run: Vec<&RuleStatus> = rules.iter().filter(|r| !r.ran).copied().collect();
            let attestations: Vec<AttestationStatus<'_>> = report
                .audit
                .attestations
                .iter()
                .filter(|a| a.item == item.id)
                .map(|a| AttestationStatus {
                    attestation: a,
                    expires: a.effective_expiry(),
                    expired: a.is_expired(today),
                })
                .collect();
            let verified: Vec<&Seen> = report
                .audit
                .evidence
                .of_item(&item.id)
                .iter()
                .filter(|seen| {
                    item.verified_by
                        .iter()
                        .any(|v| v.fact == seen.fact && v.value == seen.value)
                })
                .collect();
            let attested = attestations.iter().any(|a| !a.expired);
            let lapsed = !attested && attestations.iter().any(|a| a.expired);
            let status = if !failures.is_empty() {
                Status::Fail
            } else if !warnings.is_empty() {
                if attested {
                    Status::Attested
                } else if lapsed {
                    Status::Fail
                } else {
                    Status::NotVerifiable
                }
            } else if !passed.is_empty() && item.automated {
                // Items no file can prove (a connection tested, failover
                // drilled) are never "verified" by static checks that passed;
                // items that need a particular control are verified only
                // when it was seen.
                if item.verified_by.is_empty() || !verified.is_empty() {
                    Status::Pass
                } else if attested {
                    Status::Attested
                } else {
                    Status::Partial
                }
            } else if attested {
                Status::Attested
            } else if lapsed {
                Status::Fail
            } else {
                Status::NotVerifiable
            };
            ItemAudit {
                item,
                status,
                failures,
                notes,
                warnings,
                passed,
                accepted,
                not_run,
                verified,
                attestations,
            }
        })
        .collect()
}

/// Count of items per status, in `Status::ALL` order.
pub fn counts(audit: &[ItemAudit<'_>]) -> Vec<(Status, usize)> {
    Status::ALL
        .iter()
        .map(|s| (*s, audit.iter().filter(|a| a.status == *s).count()))
        .collect()
}

pub fn phase_title(phase: &str) -> &'static str {
    if phase == "post-production" {
        "Post-production"
    } else {
        "Pre-production"
    }
}

/// Inline code that survives backticks and pipes in the text.
fn md_code(text: &str) -> String {
    let text = md_escape(text);
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// The text of line `line` (1-based) of a file the report holds, trimmed and
/// already masked: what a checklist shows as the evidence's source.
pub fn source_line(report: &Report, file: &Path, line: usize) -> Option<String> {
    let text = report.sources.get(file)?;
    let content = text.lines().nth(line.checked_sub(1)?)?.trim();
    if content.is_empty() {
        return None;
    }
    Some(if content.chars().count() > MAX_QUOTED_CHARS {
        content.chars().take(MAX_QUOTED_CHARS).collect::<String>() + "…"
    } else {
        content.to_string()
    })
}

const MAX_QUOTED_CHARS: usize = 120;

/// Where a value a rule read came from, as the checklist shows it: the file
/// (repo-relative) and line, and the line's text when the report holds the
/// file (`main.tf:7`, `transit_encryption_mode = "SERVER_AUTHENTICATION"`).
pub fn seen_source(report: &Report, seen: &Seen) -> (String, Option<String>) {
    match (&seen.file, seen.line) {
        (Some(file), Some(line)) => (
            format!("{}:{line}", report.repo_path(&file.display().to_string())),
            source_line(report, file, line),
        ),
        _ => (seen.origin.clone(), None),
    }
}

/// The masked source line a finding points at.
pub fn finding_line(report: &Report, finding: &Finding) -> Option<String> {
    let location = finding.location.as_ref()?;
    source_line(report, &location.path, location.line)
}

pub fn location_text(report: &Report, finding: &Finding) -> Option<String> {
    finding
        .location
        .as_ref()
        .map(|l| format!("{}:{}", report.repo_path(&l.file), l.line))
}

/// Findings counted by severity (unsuppressed).
pub fn severity_counts(report: &Report) -> Vec<(Severity, usize)> {
    let tally = report.tally();
    Severity::ALL_DESCENDING.iter().map(|s| (*s, tally.count(*s))).collect()
}

pub fn render(report: &Report) -> String {
    let audit = audit(report);
    let mut out = String::new();
    let _ = writeln!(out, "# Redis production checklist\n");
    let _ = writeln!(
        out,
        "redis-preflight {} · {} · profile `{}` · {} · audited {}\n",
        env!("CARGO_PKG_VERSION"),
        report.version,
        report.profile,
        if report.configs.is_empty() {
            "no config".to_string()
        } else {
            report
                .configs
                .iter()
                .map(|c| format!("`{}`", report.repo_path(c)))
                .collect::<Vec<_>>()
                .join(", ")
        },
        report.audit.today
    );
    let done = audit
        .iter()
        .filter(|a| matches!(a.status, Status::Pass | Status::Attested))
        .count();
    let _ = writeln!(
        out,
        "**{done} of {} items done** — {}\n",
        audit.len(),
        counts(&audit)
            .iter()
            .map(|(s, n)| format!("{} {n} {}", s.icon(), s.label().to_lowercase()))
            .collect::<Vec<_>>()
            .join(" · ")
    );
    let findings: Vec<String> = severity_counts(report)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let _ = writeln!(
        out,
        "Findings: {} ({} suppressed). Gate: **{}**.\n",
        if findings.is_empty() {
            "none".to_string()
        } else {
            findings.join(", ")
        },
        report.suppressed.len(),
        if report.exit_code() == 0 { "pass" } else { "fail" }
    );
    for phase in ["pre-production", "post-production"] {
        let _ = writeln!(out, "## {}\n", phase_title(phase));
        let _ = writeln!(out, "| Status | Item | Why |");
        let _ = writeln!(out, "|---|---|---|");
        for entry in audit.iter().filter(|a| a.item.phase == phase) {
            let _ = writeln!(
                out,
                "| {} {} | [{}](#{}) — {} | {} |",
                entry.status.icon(),
                entry.status.label(),
                entry.item.id,
                entry.item.id,
                md_escape(&entry.item.title),
                md_escape(&entry.reason())
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Evidence\n");
    for entry in &audit {
        let _ = writeln!(
            out,
            "### {} {} {}\n",
            entry.status.icon(),
            entry.item.id,
            format_args!("— {}", entry.status.label())
        );
        let _ = writeln!(out, "{}\n", md_escape(&entry.item.title));
        let mut lines = Vec::new();
        for finding in &entry.failures {
            lines.push(format!(
                "- ❌ `{}` ({}){}{}: {} — fix: {}",
                finding.rule,
                finding.severity,
                location_text(report, finding)
                    .map(|l| format!(" at `{l}`"))
                    .unwrap_or_default(),
                finding_line(report, finding)
                    .map(|text| format!(" {}", md_code(&text)))
                    .unwrap_or_default(),
                md_escape(&finding.message),
                md_escape(&finding.remediation)
            ));
        }
        for finding in &entry.notes {
            lines.push(format!(
                "- ℹ️ `{}` (info): {}",
                finding.rule,
                md_escape(&finding.message)
            ));
        }
        for finding in &entry.warnings {
            lines.push(format!(
                "- ❔ `{}` could not verify: {}",
                finding.rule,
                md_escape(&finding.message)
            ));
        }
        for suppressed in &entry.accepted {
            lines.push(format!(
                "- ⚠️ `{}` accepted ({}): {} — {}",
                suppressed.finding.rule,
                suppressed.by,
                md_escape(&suppressed.reason),
                md_escape(&suppressed.finding.message)
            ));
        }
        for (rule, seen) in &entry.passed {
            let values = if seen.is_empty() {
                String::new()
            } else {
                format!(
                    ": saw {}",
                    seen.iter()
                        .map(|s| {
                            let (at, text) = seen_source(report, s);
                            let quoted = text.map(|t| format!(": {}", md_code(&t))).unwrap_or_default();
                            format!("`{} = {}` ({}{quoted})", s.fact, md_escape(&s.value), md_escape(&at))
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            lines.push(format!(
                "- ✅ `{}` passed — {}{values}",
                rule.rule.id,
                md_escape(&rule.rule.title)
            ));
        }
        for seen in &entry.verified {
            let (at, _) = seen_source(report, seen);
            lines.push(format!(
                "- ✅ verified by `{} = {}` ({})",
                seen.fact,
                md_escape(&seen.value),
                md_escape(&at)
            ));
        }
        if entry.status == Status::Partial {
            lines.push(format!(
                "- ◐ **missing**: {}",
                md_escape(entry.item.partial.as_deref().unwrap_or("the evidence that verifies it"))
            ));
        }
        for attestation in &entry.attestations {
            let a = attestation.attestation;
            let validity = match (&attestation.expires, attestation.expired) {
                (Some(e), true) => format!(", **expired {e}**"),
                (Some(e), false) => format!(", valid until {e}"),
                (None, _) => String::new(),
            };
            lines.push(format!(
                "- 📝 attested by {} on {}{validity}: {}",
                md_escape(&a.by),
                a.date,
                md_escape(&a.evidence)
            ));
        }
        if !entry.not_run.is_empty() {
            lines.push(format!(
                "- not run: {}",
                entry
                    .not_run
                    .iter()
                    .map(|r| format!("`{}`", r.rule.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if lines.is_empty() {
            lines.push(format!(
                "- no automated check: attest it with `[[attest]]` `item = \"{}\"` in redis-preflight.toml",
                entry.item.id
            ));
        }
        let _ = writeln!(out, "{}\n", lines.join("\n"));
    }
    out
}
