//! Stable identities of findings (rule + subject + file, never line numbers),
//! shared by SARIF `partialFingerprints`, GitLab `fingerprint` and baselines;
//! repo-relative paths; and `--baseline` / `--write-baseline`.

use super::model::Model;
use crate::findings::{Finding, Source, Suppressed};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Component, Path};

/// A relative path with forward slashes and no `./`: what CI systems expect
/// as a repository path. Pure: the pipeline resolves absolute paths against
/// the working directory beforehand (`Model::repo_paths`).
pub fn normalise_path(file: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in Path::new(file).components() {
        match component {
            Component::CurDir => {}
            Component::RootDir => parts.push(String::new()),
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    let joined = parts.join("/");
    if joined.is_empty() {
        ".".into()
    } else {
        joined.replace('\\', "/")
    }
}

/// The file a finding is about, repo-relative: its location, else the file
/// the user should change (the target's config for config and live findings,
/// its env file for env findings), else none (e.g. the process environment).
pub fn target_file(model: &Model, finding: &Finding) -> Option<String> {
    if let Some(location) = &finding.location {
        return Some(model.repo_path(&location.file));
    }
    let target = model.target_of(finding)?;
    match finding.source {
        Source::Env => target.env_file.clone(),
        _ => target.file.clone(),
    }
}

/// What identifies a finding across runs: rule, subject and file.
pub fn key(model: &Model, finding: &Finding) -> (String, String, String) {
    let subject = finding
        .subject
        .clone()
        .or_else(|| finding.variable.clone())
        .unwrap_or_default();
    (
        finding.rule.clone(),
        subject,
        target_file(model, finding).unwrap_or_default(),
    )
}

/// 64-bit FNV-1a, hex: stable across platforms and releases.
pub fn fnv1a(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Fingerprint of a finding (not of its line): `hash(rule, subject, file)`.
pub fn fingerprint(model: &Model, finding: &Finding) -> String {
    let (rule, subject, file) = key(model, finding);
    fnv1a(&format!("{rule}\u{0}{subject}\u{0}{file}"))
}

/// Fingerprints for a list of findings, made unique by an occurrence number
/// where two findings share rule, subject and file (order is by severity and
/// position, so inserting unrelated lines keeps them).
pub fn unique_fingerprints(model: &Model, findings: &[&Finding]) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    findings
        .iter()
        .map(|finding| {
            let base = fingerprint(model, finding);
            let count = seen.entry(base.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                base
            } else {
                fnv1a(&format!("{base}\u{0}{count}"))
            }
        })
        .collect()
}

#[derive(Debug, Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    tool: String,
    findings: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
struct BaselineEntry {
    rule: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    file: String,
    #[serde(default = "one")]
    count: usize,
}

fn one() -> usize {
    1
}

/// The baseline file for the report's current findings.
pub fn write(model: &Model) -> String {
    write_baseline(&record(model), model)
}

/// The report's current findings as a baseline.
pub fn record(model: &Model) -> Baseline {
    let mut budget: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for finding in &model.findings {
        *budget.entry(key(model, finding)).or_insert(0) += 1;
    }
    Baseline { budget }
}

/// The baseline file's text (scrubbed like every output).
pub fn write_baseline(baseline: &Baseline, model: &Model) -> String {
    let file = BaselineFile {
        version: 1,
        tool: "redis-preflight".into(),
        findings: baseline
            .budget
            .iter()
            .map(|((rule, subject, file), count)| (rule.clone(), subject.clone(), file.clone(), *count))
            .map(|(rule, subject, file, count)| BaselineEntry {
                rule,
                subject,
                file,
                count,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    model.scrub(text)
}

/// A parsed baseline: how many findings of each (rule, subject, file) are known.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    budget: BTreeMap<(String, String, String), usize>,
}

/// Parses a baseline file's text; the error says what is wrong, not where.
pub fn parse(text: &str) -> Result<Baseline, String> {
    let file: BaselineFile = serde_json::from_str(text).map_err(|e| format!("not a redis-preflight baseline: {e}"))?;
    if file.version != 1 {
        return Err(format!("unsupported baseline version {} (expected 1)", file.version));
    }
    let mut budget: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for entry in file.findings {
        *budget.entry((entry.rule, entry.subject, entry.file)).or_insert(0) += entry.count;
    }
    Ok(Baseline { budget })
}

/// Moves findings recorded in the baseline to `suppressed` (`by = "baseline"`);
/// only new findings stay. Returns how many were baselined.
pub fn apply(model: &mut Model, baseline: &Baseline, reason: &str) -> usize {
    let mut budget = baseline.budget.clone();
    let keys: Vec<_> = model.findings.iter().map(|f| key(model, f)).collect();
    let mut kept = Vec::new();
    let mut moved = 0;
    for (finding, key) in std::mem::take(&mut model.findings).into_iter().zip(keys) {
        match budget.get_mut(&key) {
            Some(left) if *left > 0 => {
                *left -= 1;
                moved += 1;
                model.suppressed.push(Suppressed {
                    finding,
                    by: "baseline".into(),
                    reason: reason.to_string(),
                });
            }
            _ => kept.push(finding),
        }
    }
    model.findings = kept;
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_use_forward_slashes() {
        assert_eq!(normalise_path("./examples/redis.conf"), "examples/redis.conf");
        assert_eq!(normalise_path("examples\\redis.conf"), "examples/redis.conf");
        assert_eq!(normalise_path("/nowhere/at/all.conf"), "/nowhere/at/all.conf");
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(""), "cbf29ce484222325");
        assert_eq!(fnv1a("a"), "af63dc4c8601ec8c");
    }
}
