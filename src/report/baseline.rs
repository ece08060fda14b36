//! Stable identities of findings (rule + subject + file, never line numbers),
//! shared by SARIF `partialFingerprints`, GitLab `fingerprint` and baselines;
//! repo-relative paths; and `--baseline` / `--write-baseline`.

use crate::check::Report;
use crate::error::InputError;
use crate::findings::{Finding, Suppressed};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Component, Path};

/// `path` relative to the working directory, with forward slashes: what CI
/// systems expect as a repository path. Paths outside it stay absolute.
pub fn repo_relative(file: &str) -> String {
    let path = Path::new(file);
    let relative = if path.is_absolute() {
        let cwd = std::env::current_dir().ok();
        let canonical_cwd = cwd.as_ref().and_then(|c| c.canonicalize().ok());
        let canonical = path.canonicalize().ok();
        let direct = cwd
            .as_ref()
            .and_then(|c| path.strip_prefix(c).ok())
            .map(Path::to_path_buf);
        let resolved = match (&canonical, &canonical_cwd) {
            (Some(p), Some(c)) => p.strip_prefix(c).ok().map(Path::to_path_buf),
            _ => None,
        };
        direct.or(resolved).unwrap_or_else(|| path.to_path_buf())
    } else {
        path.to_path_buf()
    };
    let mut parts: Vec<String> = Vec::new();
    for component in relative.components() {
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

fn is_env_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

/// The file a finding is about, repo-relative: its location, else the file
/// the user should change (the config for config and live findings, the env
/// file for env findings), else none (e.g. the process environment).
pub fn target_file(report: &Report, finding: &Finding) -> Option<String> {
    if let Some(location) = &finding.location {
        return Some(repo_relative(&location.file));
    }
    match finding.source.as_str() {
        "env" if finding.variable.is_some() && !report.sources.keys().any(|p| is_env_file(p)) => None,
        "env" => report
            .sources
            .keys()
            .find(|p| is_env_file(p))
            .map(|p| repo_relative(&p.display().to_string())),
        _ => report.configs.first().map(|c| repo_relative(c)),
    }
}

/// What identifies a finding across runs: rule, subject and file.
pub fn key(report: &Report, finding: &Finding) -> (String, String, String) {
    let subject = finding
        .subject
        .clone()
        .or_else(|| finding.variable.clone())
        .unwrap_or_default();
    (
        finding.rule.clone(),
        subject,
        target_file(report, finding).unwrap_or_default(),
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
pub fn fingerprint(report: &Report, finding: &Finding) -> String {
    let (rule, subject, file) = key(report, finding);
    fnv1a(&format!("{rule}\u{0}{subject}\u{0}{file}"))
}

/// Fingerprints for a list of findings, made unique by an occurrence number
/// where two findings share rule, subject and file (order is by severity and
/// position, so inserting unrelated lines keeps them).
pub fn unique_fingerprints(report: &Report, findings: &[&Finding]) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    findings
        .iter()
        .map(|finding| {
            let base = fingerprint(report, finding);
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
pub fn write(report: &Report) -> String {
    let mut counts: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for finding in &report.findings {
        *counts.entry(key(report, finding)).or_insert(0) += 1;
    }
    let file = BaselineFile {
        version: 1,
        tool: "redis-preflight".into(),
        findings: counts
            .into_iter()
            .map(|((rule, subject, file), count)| BaselineEntry {
                rule,
                subject,
                file,
                count,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    report.scrub(text)
}

/// Moves findings recorded in the baseline to `suppressed` (`by = "baseline"`);
/// only new findings stay. Returns how many were baselined.
pub fn apply(report: &mut Report, path: &Path) -> Result<usize, InputError> {
    let text = crate::conf::read_text_file(path).map_err(|reason| InputError::new(format!("baseline {reason}")))?;
    let file: BaselineFile = serde_json::from_str(&text)
        .map_err(|e| InputError::new(format!("{}: not a redis-preflight baseline: {e}", path.display())))?;
    if file.version != 1 {
        return Err(InputError::new(format!(
            "{}: unsupported baseline version {} (expected 1)",
            path.display(),
            file.version
        )));
    }
    let mut budget: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for entry in file.findings {
        *budget.entry((entry.rule, entry.subject, entry.file)).or_insert(0) += entry.count;
    }
    let keys: Vec<_> = report.findings.iter().map(|f| key(report, f)).collect();
    let reason = format!("recorded in the baseline {}", path.display());
    let mut kept = Vec::new();
    let mut moved = 0;
    for (finding, key) in std::mem::take(&mut report.findings).into_iter().zip(keys) {
        match budget.get_mut(&key) {
            Some(left) if *left > 0 => {
                *left -= 1;
                moved += 1;
                report.suppressed.push(Suppressed {
                    finding,
                    by: "baseline".into(),
                    reason: reason.clone(),
                });
            }
            _ => kept.push(finding),
        }
    }
    report.findings = kept;
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_use_forward_slashes() {
        assert_eq!(repo_relative("./examples/redis.conf"), "examples/redis.conf");
        assert_eq!(repo_relative("examples\\redis.conf"), "examples/redis.conf");
        let cwd = std::env::current_dir().unwrap();
        let inside = cwd.join("examples").join("redis.conf");
        assert_eq!(repo_relative(&inside.display().to_string()), "examples/redis.conf");
        assert_eq!(repo_relative("/nowhere/at/all.conf"), "/nowhere/at/all.conf");
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(""), "cbf29ce484222325");
        assert_eq!(fnv1a("a"), "af63dc4c8601ec8c");
    }
}
