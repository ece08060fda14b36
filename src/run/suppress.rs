//! Suppress: inline `ignore[...]` comments and waivers move findings to
//! `suppressed`; then the findings about suppressions themselves (expired or
//! unused waivers, unused inline comments) and a failed optional probe are
//! added. One pass over the findings, with lookups by file and line, so the
//! time grows with the number of findings, not its square.

use super::gather::Gathered;
use super::RunPlan;
use crate::conf::InlineSuppression;
use crate::findings::{Finding, Location, Source, State, Suppressed};
use crate::report::model::{Model, Target};
use crate::rules::{selector_matches, Evaluation, Found};
use std::collections::HashMap;
use std::path::PathBuf;

pub struct Outcome {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
}

/// One finding about the suppressions, before its rule gives it a form.
struct Meta {
    rule: &'static str,
    message: String,
    location: Option<Location>,
    subject: String,
    target: String,
}

pub fn suppress(
    plan: &RunPlan,
    evaluation: &Evaluation<'_>,
    gathered: &Gathered,
    findings: Vec<Finding>,
    targets: &[Target],
) -> Outcome {
    let first_target = targets.first().map(|t| t.id.clone()).unwrap_or_default();
    let inline: Vec<(&InlineSuppression, String)> = gathered
        .configs
        .iter()
        .zip(targets)
        .flat_map(|(config, target)| config.suppressions.iter().map(move |s| (s, target.id.clone())))
        .collect();
    let mut inline_at: HashMap<(PathBuf, usize), Vec<usize>> = HashMap::new();
    for (index, (suppression, _)) in inline.iter().enumerate() {
        inline_at
            .entry((suppression.file.to_path_buf(), suppression.line))
            .or_default()
            .push(index);
    }
    let waivers = &plan.settings.waiver;
    let today = plan.today.as_str();
    let mut used_inline = vec![false; inline.len()];
    let mut used_waivers = vec![false; waivers.len()];
    let mut kept = Vec::with_capacity(findings.len());
    let mut suppressed = Vec::new();
    'findings: for finding in findings {
        if let Some(location) = &finding.location {
            let candidates = inline_at.get(&(location.path.to_path_buf(), location.line));
            if let Some(&index) = candidates
                .into_iter()
                .flatten()
                .find(|&&index| inline[index].0.rules.iter().any(|r| selector_matches(r, &finding.rule)))
            {
                used_inline[index] = true;
                let reason = match inline[index].0.reason.as_str() {
                    "" => "(no reason given)".to_string(),
                    reason => reason.to_string(),
                };
                suppressed.push(Suppressed {
                    finding,
                    by: "inline".into(),
                    reason,
                });
                continue 'findings;
            }
        }
        for (index, waiver) in waivers.iter().enumerate() {
            if waiver.rule != finding.rule {
                continue;
            }
            if let Some(subject) = &waiver.subject {
                let matches_subject = finding
                    .subject
                    .as_deref()
                    .is_some_and(|s| s.trim_matches('`').eq_ignore_ascii_case(subject))
                    || finding.variable.as_deref() == Some(subject.as_str());
                if !matches_subject {
                    continue;
                }
            }
            used_waivers[index] = true;
            if waiver.expires.as_deref().is_some_and(|e| e < today) {
                continue;
            }
            suppressed.push(Suppressed {
                finding,
                by: "waiver".into(),
                reason: waiver.reason.clone(),
            });
            continue 'findings;
        }
        kept.push(finding);
    }

    let meta = meta_findings(plan, &inline, &used_inline, &used_waivers, &first_target);
    if let Some(reason) = &gathered.probe_failure {
        if let Some(rule) = plan.rules.get("probe.incomplete").filter(|r| evaluation.is_selected(r)) {
            kept.push(rule.finding(
                evaluation.severity_of(rule),
                &first_target,
                Found {
                    source: Source::Live,
                    state: State::Warn,
                    message: format!("the live probe could not complete: {reason}"),
                    remediation: None,
                    location: None,
                    subject: Some("probe".into()),
                    variable: None,
                },
            ));
        }
    }
    for meta in meta {
        let Some(rule) = plan.rules.get(meta.rule).filter(|r| evaluation.is_selected(r)) else {
            continue;
        };
        kept.push(rule.finding(
            evaluation.severity_of(rule),
            &meta.target,
            Found {
                source: Source::Config,
                state: State::Fail,
                message: meta.message,
                remediation: None,
                location: meta.location,
                subject: Some(meta.subject),
                variable: None,
            },
        ));
    }
    sort_findings(&mut kept);
    Outcome {
        findings: kept,
        suppressed,
    }
}

/// Findings about the suppressions themselves: expired or unused waivers,
/// inline comments that suppress nothing.
fn meta_findings(
    plan: &RunPlan,
    inline: &[(&InlineSuppression, String)],
    used_inline: &[bool],
    used_waivers: &[bool],
    first_target: &str,
) -> Vec<Meta> {
    let waivers = &plan.settings.waiver;
    let today = plan.today.as_str();
    let mut meta = Vec::new();
    let settings_location = |line: usize, offset: usize| {
        plan.settings.path.as_ref().map(|path| Location {
            file: path.display().to_string(),
            line,
            column: 1,
            path: path.clone(),
            offset,
            len: "[[waiver]]".len(),
        })
    };
    for (index, waiver) in waivers.iter().enumerate() {
        let (rule, message) = match waiver.expires.as_deref().filter(|e| *e < today) {
            Some(expires) => (
                "settings.waiver-expired",
                format!(
                    "the waiver for `{}` expired on {expires}; its findings are reported again",
                    waiver.rule
                ),
            ),
            None if !used_waivers[index] => (
                "settings.waiver-unused",
                format!("the waiver for `{}` matches no finding; remove it", waiver.rule),
            ),
            None => continue,
        };
        meta.push(Meta {
            rule,
            message,
            location: settings_location(waiver.line, waiver.offset),
            subject: waiver.rule.clone(),
            target: first_target.to_string(),
        });
    }
    for (index, (suppression, target)) in inline.iter().enumerate() {
        if used_inline[index] {
            continue;
        }
        let path = suppression.file.clone();
        meta.push(Meta {
            rule: "settings.suppression-unused",
            message: format!(
                "`ignore[{}]` suppresses nothing on the next line; remove it",
                suppression.rules.join(", ")
            ),
            location: Some(Location {
                file: path.display().to_string(),
                line: suppression.line.saturating_sub(1).max(1),
                column: 1,
                path,
                offset: 0,
                len: 0,
            }),
            subject: suppression.rules.join(","),
            target: target.clone(),
        });
    }
    meta
}

/// Most severe first, then by file and line, then by rule: stable across runs.
fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| {
                a.location
                    .as_ref()
                    .map(|l| (&l.file, l.line))
                    .cmp(&b.location.as_ref().map(|l| (&l.file, l.line)))
            })
            .then_with(|| a.rule.cmp(&b.rule))
    });
}

/// Fills in how many findings each target contributed.
pub fn count_per_target(model: &mut Model) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for finding in &model.findings {
        *counts.entry(finding.target.as_str()).or_insert(0) += 1;
    }
    for target in &mut model.targets {
        target.findings = counts.get(target.id.as_str()).copied().unwrap_or(0);
    }
}
