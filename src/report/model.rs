//! The report: what a run found, about which targets, with what evidence.
//! Built by the pipeline (`run`), read by every format. Holds no probe or
//! input types: only findings, rules, facts-derived summaries and the
//! (already masked) texts that findings point into.

use super::live_summary::ProbeSummary;
use crate::findings::{Finding, Severity, State, Suppressed, Tally};
use crate::rules::evidence::Evidence;
use crate::rules::Rule;
use crate::settings::Attestation;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// A rule of the pack, with its effective severity and whether it ran.
#[derive(Debug, Clone)]
pub struct RuleStatus {
    pub rule: Rule,
    pub severity: Severity,
    pub ran: bool,
}

/// One thing a run looked at: a server as one config file, or the app's
/// environment and the probed server when no file was given.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// Stable id: `redis-conf:deploy/redis.conf`, `env`, `live:127.0.0.1:6379`.
    pub id: String,
    /// `redis-conf`, `sentinel-conf`, `env` or `live`.
    pub kind: String,
    /// The file to change for findings without a line (repo-relative).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The env file the app's variables came from (repo-relative), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env_file: Option<String>,
    /// The deployment profile it was judged by: the run's, or a managed
    /// service's own (`elasticache`) when the run kept the default.
    pub profile: String,
    /// Findings (not suppressed) that belong to it.
    pub findings: usize,
}

/// Files a run read, and files it passed over because they are of no kind
/// it reads or do not concern Redis (only counted when a directory is walked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InputCounts {
    pub read: usize,
    pub skipped: usize,
    /// A directory argument was walked.
    pub walked: bool,
}

/// What the checklist audit needs beyond findings.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    pub attestations: Vec<Attestation>,
    /// `YYYY-MM-DD`.
    pub today: String,
    /// The values each rule read, for every rule that ran.
    pub evidence: Evidence,
}

pub struct Model {
    /// `redis` or `valkey`.
    pub product: String,
    /// The release line judged, as `--redis-version` spells it: `7.2`, `valkey-8.0`.
    pub version: String,
    pub profile: String,
    pub fail_on: Option<Severity>,
    pub targets: Vec<Target>,
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    /// Texts of every file a finding may point into, secrets masked.
    pub sources: BTreeMap<PathBuf, Arc<str>>,
    /// File names as shown → repo-relative paths (computed by the pipeline, so
    /// formats never touch the file system).
    pub repo_paths: BTreeMap<String, String>,
    pub rules_run: usize,
    /// Every rule of the pack and whether it ran.
    pub rules: Vec<RuleStatus>,
    /// The config files checked, as given.
    pub configs: Vec<String>,
    /// How many files the run read and passed over (directory arguments).
    pub inputs: InputCounts,
    /// The live probe's numbers, when it ran.
    pub live: Option<ProbeSummary>,
    /// Why an optional probe could not complete.
    pub probe_failure: Option<String>,
    pub audit: Audit,
    /// Every secret seen, longest first, for the final scrub of every output.
    pub secrets: Vec<String>,
}

impl Model {
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

    pub fn tally(&self) -> Tally {
        Tally::of(&self.findings)
    }

    /// The target a finding belongs to.
    pub fn target_of(&self, finding: &Finding) -> Option<&Target> {
        self.targets.iter().find(|t| t.id == finding.target)
    }

    /// A file name as the report shows it to CI systems (repo-relative).
    pub fn repo_path(&self, file: &str) -> String {
        self.repo_paths
            .get(file)
            .cloned()
            .unwrap_or_else(|| super::baseline::normalise_path(file))
    }

    /// Replaces any secret that slipped into a text (the second line of
    /// defence: every renderer's output passes through this; text is masked
    /// where it enters first). Very short secrets are skipped so a password
    /// like `redis` does not mangle every word (such passwords are findings).
    /// One pass over the text for all secrets at once (Aho-Corasick): a
    /// config of 10 000 ACL users has 10 000 of them, and one search per
    /// secret would cost secrets × output.
    pub fn scrub(&self, text: String) -> String {
        let secrets: Vec<&str> = self
            .secrets
            .iter()
            .map(String::as_str)
            .filter(|secret| secret.len() >= 6)
            .collect();
        if secrets.is_empty() {
            return text;
        }
        // An NFA: a DFA's build grows with pattern length × alphabet, and one
        // secret may be a 5 MB URL password.
        match aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&secrets)
        {
            Ok(searcher) if searcher.is_match(&text) => {
                searcher.replace_all(&text, &vec![crate::facts::Secret::REDACTED; secrets.len()])
            }
            Ok(_) => text,
            // Only a pattern set too large to compile fails; fall back to one search each.
            Err(_) => secrets.iter().fold(text, |text, secret| {
                text.replace(secret, crate::facts::Secret::REDACTED)
            }),
        }
    }
}
