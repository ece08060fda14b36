//! One `check` run: inputs → facts → rules → findings (with suppressions and
//! waivers applied) → a report. No printing here; the CLI renders.

use crate::conf::catalog::Target;
use crate::conf::{self, LoadOptions, ParsedConfig, SourceFile};
use crate::error::InputError;
use crate::facts::{build_facts, EnvVar, FactInputs};
use crate::findings::{Finding, Location, Severity, State, Suppressed};
use crate::rules::{self, selector_matches, Evaluation, RulePack};
use crate::settings::Settings;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

pub struct CheckOptions {
    pub configs: Vec<PathBuf>,
    pub load: LoadOptions,
    /// `None`: env rules do not run. `Some`: the variables from every env source.
    pub env: Option<Vec<EnvVar>>,
    pub env_sources: Vec<SourceFile>,
    pub target: Target,
    pub profile: String,
    pub fail_on: Option<Severity>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub settings: Settings,
    pub rules: RulePack,
    /// What the live probe saw (`--probe`), or why it could not (optional probe).
    pub live: Option<crate::probe::LiveData>,
    pub probe_failure: Option<String>,
    /// Today as `YYYY-MM-DD`, for waiver expiry.
    pub today: String,
}

/// A rule of the pack, with its effective severity and whether it ran.
#[derive(Debug, Clone)]
pub struct RuleStatus {
    pub rule: crate::rules::Rule,
    pub severity: Severity,
    pub ran: bool,
}

pub struct Report {
    pub target: Target,
    pub profile: String,
    pub fail_on: Option<Severity>,
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    /// Texts of every file a finding may point into.
    pub sources: BTreeMap<PathBuf, Arc<str>>,
    pub rules_run: usize,
    /// Every rule of the pack and whether it ran (inputs, profile and selection
    /// allowed it), for formats that list passed and skipped checks.
    pub rules: Vec<RuleStatus>,
    pub configs: Vec<String>,
    /// What the live probe saw, for the Live section and the JSON `probe` object.
    pub live: Option<crate::probe::LiveData>,
    /// Why an optional probe could not complete.
    pub probe_failure: Option<String>,
    /// Attestations, today and the values each rule read (checklist audit).
    pub audit: crate::attest::Audit,
    /// Every secret seen, so tests and the JSON writer can prove none leaks.
    secrets: Vec<String>,
}

impl Report {
    /// Findings that make the gate fail.
    pub fn failing(&self) -> impl Iterator<Item = &Finding> {
        let threshold = self.fail_on;
        self.findings
            .iter()
            .filter(move |f| f.state == State::Fail && threshold.is_some_and(|t| f.severity >= t))
    }

    pub fn exit_code(&self) -> i32 {
        if self.failing().next().is_some() {
            crate::error::exit::FINDINGS
        } else {
            crate::error::exit::PASS
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }

    /// Replaces any secret that slipped into a text (defence in depth: every
    /// renderer passes its output through this). Messages are built without
    /// secrets; very short ones are skipped so a password like `redis` does
    /// not mangle every word (such passwords are findings of their own).
    pub fn scrub(&self, text: String) -> String {
        let mut text = text;
        for secret in &self.secrets {
            if secret.len() >= 6 && text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), crate::facts::Secret::REDACTED);
            }
        }
        text
    }
}

pub fn run(options: CheckOptions) -> Result<Report, InputError> {
    let evaluation = Evaluation {
        profile: &options.profile,
        severity_overrides: &options.settings.severity,
        select: &options.select,
        ignore: &options.ignore,
    };
    let mut sources: BTreeMap<PathBuf, Arc<str>> = BTreeMap::new();
    for source in &options.env_sources {
        sources.insert(source.path.to_path_buf(), source.text.clone());
    }
    if let (Some(path), Some(text)) = (&options.settings.path, &options.settings.text) {
        sources.insert(path.to_path_buf(), text.clone());
    }
    let mut findings: Vec<Finding> = Vec::new();
    let mut inline = Vec::new();
    let mut secrets = Vec::new();
    let mut secret_spans: Vec<(Location, String)> = Vec::new();
    if let Some(live) = &options.live {
        secrets.extend(live.secrets.iter().map(|s| s.expose().to_string()));
    }
    let mut rules_run = 0;
    let mut ran = vec![false; options.rules.rules.len()];
    let mut audit = crate::attest::Audit::new(&options.settings.attest, &options.today);
    let parsed: Vec<Option<ParsedConfig>> = if options.configs.is_empty() {
        vec![None]
    } else {
        options
            .configs
            .iter()
            .map(|path| conf::load(path, options.target, &options.load).map(Some))
            .collect::<Result<_, _>>()?
    };
    // The running configuration (conf.* from CONFIG GET), built once: with a
    // file, the rules that read the configuration also run on what runs.
    let running = options.live.as_ref().map(|live| {
        build_facts(FactInputs {
            target: options.target,
            profile: &options.profile,
            settings: &options.settings,
            config: None,
            env: None,
            live: Some(live),
        })
    });
    if let Some(running) = &running {
        secrets.extend(running.secrets().into_iter().map(|(secret, _)| secret.to_string()));
    }
    let static_rules = RulePack {
        rules: options
            .rules
            .rules
            .iter()
            .filter(|r| r.sources.iter().any(|s| s == "config") && r.sources.iter().any(|s| s == "live"))
            .cloned()
            .collect(),
    };
    for config in &parsed {
        let mut facts = build_facts(FactInputs {
            target: options.target,
            profile: &options.profile,
            settings: &options.settings,
            config: config.as_ref(),
            env: options.env.clone(),
            live: options.live.as_ref(),
        });
        // With a file and a running server: what runs is compared with the file.
        if let (Some(_), Some(live), Some(running)) = (config, options.live.as_ref(), running.as_ref()) {
            match &live.config {
                crate::probe::Reply::Ok(_) => facts.drift = crate::facts::live::drift(&facts, running),
                crate::probe::Reply::Denied(reason) => {
                    facts.drift_unknown = Some(format!("CONFIG GET was refused: {reason}"))
                }
            }
        }
        if let Some(config) = config {
            for file in &config.files {
                sources.insert(file.path.to_path_buf(), file.text.clone());
            }
            inline.extend(config.suppressions.iter().cloned());
        }
        for (secret, origin) in facts.secrets() {
            secrets.push(secret.to_string());
            if let Some(location) = Location::from_origin(origin) {
                secret_spans.push((location, secret.to_string()));
            }
        }
        for (index, rule) in options.rules.rules.iter().enumerate() {
            ran[index] |= evaluation.runs(rule, &facts)
                && !(evaluation.profile == "development" && evaluation.severity_of(rule) < Severity::Critical);
        }
        rules_run = ran.iter().filter(|r| **r).count();
        audit.collect(&options.rules, &facts, &evaluation);
        let primary = rules::evaluate(&options.rules, &facts, &evaluation);
        // The static rules on the running configuration: only what the file
        // did not already show (e.g. a password removed with CONFIG SET).
        let mut extra = Vec::new();
        if let Some(running) = running
            .as_ref()
            .filter(|_| config.is_some() && facts.drift_unknown.is_none())
        {
            for finding in rules::evaluate(&static_rules, running, &evaluation) {
                // A declarative rule finds one thing per run; a builtin one thing per subject.
                let per_rule = options
                    .rules
                    .get(&finding.rule)
                    .is_some_and(|r| r.builtin_name().is_none() && r.for_each.is_empty());
                let known = primary
                    .iter()
                    .any(|f| f.rule == finding.rule && (per_rule || f.subject == finding.subject));
                if !known {
                    extra.push(finding);
                }
            }
        }
        for finding in primary.into_iter().chain(extra) {
            // Env findings repeat for every config checked: keep one.
            if !findings.contains(&finding) {
                findings.push(finding);
            }
        }
    }
    let mut suppressed = Vec::new();
    let mut used_inline = vec![false; inline.len()];
    let mut used_waivers = vec![false; options.settings.waiver.len()];
    let mut meta = Vec::new();
    let waivers = &options.settings.waiver;
    findings.retain(|finding| {
        if let Some(location) = &finding.location {
            if let Some(index) = inline.iter().position(|s| {
                *s.file == *location.path
                    && s.line == location.line
                    && s.rules.iter().any(|r| selector_matches(r, &finding.rule))
            }) {
                used_inline[index] = true;
                let reason = if inline[index].reason.is_empty() {
                    "(no reason given)".to_string()
                } else {
                    inline[index].reason.clone()
                };
                suppressed.push(Suppressed {
                    finding: finding.clone(),
                    by: "inline".into(),
                    reason,
                });
                return false;
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
            if waiver.expires.as_deref().is_some_and(|e| e < options.today.as_str()) {
                continue;
            }
            suppressed.push(Suppressed {
                finding: finding.clone(),
                by: "waiver".into(),
                reason: waiver.reason.clone(),
            });
            return false;
        }
        true
    });
    let settings_location = |line: usize, offset: usize| {
        options.settings.path.as_ref().map(|path| Location {
            file: path.display().to_string(),
            line,
            column: 1,
            path: path.clone(),
            offset,
            len: "[[waiver]]".len(),
        })
    };
    for (index, waiver) in waivers.iter().enumerate() {
        if let Some(expires) = waiver.expires.as_deref().filter(|e| *e < options.today.as_str()) {
            meta.push((
                "settings.waiver-expired",
                format!(
                    "the waiver for `{}` expired on {expires}; its findings are reported again",
                    waiver.rule
                ),
                settings_location(waiver.line, waiver.offset),
                waiver.rule.clone(),
            ));
        } else if !used_waivers[index] {
            meta.push((
                "settings.waiver-unused",
                format!("the waiver for `{}` matches no finding; remove it", waiver.rule),
                settings_location(waiver.line, waiver.offset),
                waiver.rule.clone(),
            ));
        }
    }
    for (index, suppression) in inline.iter().enumerate() {
        if !used_inline[index] {
            let path = suppression.file.clone();
            let location = Location {
                file: path.display().to_string(),
                line: suppression.line.saturating_sub(1).max(1),
                column: 1,
                path,
                offset: 0,
                len: 0,
            };
            meta.push((
                "settings.suppression-unused",
                format!(
                    "`ignore[{}]` suppresses nothing on the next line; remove it",
                    suppression.rules.join(", ")
                ),
                Some(location),
                suppression.rules.join(","),
            ));
        }
    }
    if let Some(reason) = &options.probe_failure {
        if let Some(rule) = options
            .rules
            .get("probe.incomplete")
            .filter(|r| evaluation.is_selected(r))
        {
            findings.push(Finding {
                rule: rule.id.clone(),
                title: rule.title.clone(),
                severity: evaluation.severity_of(rule),
                category: rule.category.clone(),
                source: "live".into(),
                state: State::Warn,
                message: format!("the live probe could not complete: {reason}"),
                remediation: rule.remediation.clone(),
                location: None,
                subject: Some("probe".into()),
                variable: None,
            });
        }
    }
    for (rule_id, message, location, subject) in meta {
        let Some(rule) = options.rules.get(rule_id) else {
            continue;
        };
        if !evaluation.is_selected(rule) {
            continue;
        }
        findings.push(Finding {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            severity: evaluation.severity_of(rule),
            category: rule.category.clone(),
            source: "config".into(),
            state: State::Fail,
            message,
            remediation: rule.remediation.clone(),
            location,
            subject: Some(subject),
            variable: None,
        });
    }
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
    secrets.sort();
    secrets.dedup();
    // Longest first, so a secret that contains another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    mask_secrets_in_sources(&mut sources, &mut secret_spans);
    let rules: Vec<RuleStatus> = options
        .rules
        .rules
        .iter()
        .zip(ran)
        .map(|(rule, ran)| RuleStatus {
            severity: evaluation.severity_of(rule),
            rule: rule.clone(),
            ran,
        })
        .collect();
    Ok(Report {
        target: options.target,
        profile: options.profile.clone(),
        fail_on: options.fail_on,
        findings,
        suppressed,
        sources,
        rules_run,
        rules,
        configs: options.configs.iter().map(|p| p.display().to_string()).collect(),
        live: options.live.clone(),
        probe_failure: options.probe_failure.clone(),
        audit,
        secrets,
    })
}

/// Snippets of config and env lines must not show passwords: each secret is
/// masked inside the line it was read from, with as many bytes, so every span
/// still points at the same text.
fn mask_secrets_in_sources(sources: &mut BTreeMap<PathBuf, Arc<str>>, spans: &mut [(Location, String)]) {
    // Longest first, so a secret that contains another is masked whole.
    spans.sort_by_key(|(_, secret)| std::cmp::Reverse(secret.len()));
    for (location, secret) in spans.iter() {
        let Some(text) = sources.get_mut(location.path.as_path()) else {
            continue;
        };
        let start = location.offset.min(text.len());
        let end = (location.offset + location.len).min(text.len());
        if start >= end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        let region = &text[start..end];
        if !region.contains(secret.as_str()) {
            continue;
        }
        let masked_region = region.replace(secret.as_str(), &"*".repeat(secret.len()));
        let mut masked = String::with_capacity(text.len());
        masked.push_str(&text[..start]);
        masked.push_str(&masked_region);
        masked.push_str(&text[end..]);
        *text = Arc::from(masked);
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_000), (2024, 10, 4));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
