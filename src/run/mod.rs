//! The pipeline: one run over one or more targets.
//!
//! ```text
//! RunPlan ─► gather (all input I/O) ─► per target: assemble (Facts) ─► evaluate
//!         ─► merge (linear) ─► suppress (inline, waivers, baseline, meta) ─► report::Model
//! ```
//!
//! The CLI builds the plan and writes the outputs; nothing here prints.

pub mod assemble;
mod evaluate;
pub mod gather;
mod suppress;

use crate::conf::catalog::Target;
use crate::conf::LoadOptions;
use crate::error::InputError;
use crate::facts::Secret;
use crate::findings::Severity;
use crate::report::baseline;
use crate::report::model::{Audit, Model, RuleStatus};
use crate::rules::{Evaluation, RulePack};
use crate::settings::Settings;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything one run needs, decided by the CLI (or a test).
pub struct RunPlan {
    /// Files and directories whose kind is detected (positional arguments);
    /// directories are walked.
    pub inputs: Vec<PathBuf>,
    /// `--kind`: the kind of every file in `inputs` named directly.
    pub kind: Option<crate::deploy::Kind>,
    pub configs: Vec<PathBuf>,
    pub load: LoadOptions,
    pub env_files: Vec<PathBuf>,
    /// Also read the process environment (it overrides env files).
    pub process_env: bool,
    /// Probe the running server (`--probe`).
    pub probe: Option<ProbeRequest>,
    /// The release line to judge by; `None`: the probed server's, else the default.
    pub version: Option<Target>,
    pub profile: String,
    pub fail_on: Option<Severity>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub settings: Settings,
    pub rules: RulePack,
    /// Findings recorded here are suppressed (`--baseline`).
    pub baseline: Option<PathBuf>,
    /// Record this run's findings as a baseline in this file (the CLI writes
    /// it), then suppress them (`--write-baseline`).
    pub write_baseline: Option<PathBuf>,
    /// `YYYY-MM-DD`, for waiver and attestation expiry.
    pub today: String,
}

/// Which server to probe, and how.
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    /// `--url`; `None`: REDIS_URL from the env sources, else the process environment.
    pub url: Option<Secret>,
    pub password_file: Option<PathBuf>,
    pub tls_ca: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub latency_samples: usize,
    /// The most one reply may take, in bytes.
    pub max_reply_bytes: usize,
    /// Exit 3 when the probe cannot complete (else a WARN finding).
    pub required: bool,
}

/// Why a run stopped before it could report.
#[derive(Debug)]
pub enum RunError {
    /// Bad usage or unreadable input (exit 2).
    Input(InputError),
    /// A required probe could not complete (exit 3).
    ProbeIncomplete(String),
}

impl From<InputError> for RunError {
    fn from(error: InputError) -> RunError {
        RunError::Input(error)
    }
}

/// What a run produced.
pub struct RunOutput {
    pub model: Model,
    /// With `write_baseline`: the baseline file of the findings before they were suppressed.
    pub new_baseline: Option<String>,
}

pub fn execute(plan: RunPlan) -> Result<RunOutput, RunError> {
    let gathered = gather::gather(&plan)?;
    Ok(evaluate_gathered(plan, gathered))
}

/// Everything after gather: evaluation, suppression and the report model.
fn evaluate_gathered(plan: RunPlan, gathered: gather::Gathered) -> RunOutput {
    let evaluation = Evaluation {
        profile: &plan.profile,
        severity_overrides: &plan.settings.severity,
        select: &plan.select,
        ignore: &plan.ignore,
    };
    let evaluated = evaluate::evaluate_targets(&plan, &gathered, &evaluation);
    let mut sources = BTreeMap::new();
    for source in gathered
        .configs
        .iter()
        .flat_map(|c| &c.files)
        .chain(gathered.deployments.iter().flat_map(|d| &d.config.files))
        .chain(&gathered.deploy_sources)
        .chain(&gathered.env_sources)
    {
        sources.insert(source.path.to_path_buf(), source.text.clone());
    }
    if let (Some(path), Some(text)) = (&plan.settings.path, &plan.settings.text) {
        sources.insert(path.to_path_buf(), text.clone());
    }
    let suppressed = suppress::suppress(&plan, &evaluation, &gathered, evaluated.findings, &evaluated.targets);
    let rules: Vec<RuleStatus> = plan
        .rules
        .rules
        .iter()
        .zip(&evaluated.ran)
        .map(|(rule, ran)| RuleStatus {
            severity: evaluation.severity_of(rule),
            rule: rule.clone(),
            ran: *ran,
        })
        .collect();
    let mut secrets = evaluated.secrets;
    secrets.sort();
    secrets.dedup();
    // Longest first, so a secret that contains another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut model = Model {
        product: gathered.target.product.name().to_string(),
        version: gathered.target.to_string(),
        profile: plan.profile.clone(),
        fail_on: plan.fail_on,
        targets: evaluated.targets,
        findings: suppressed.findings,
        suppressed: suppressed.suppressed,
        repo_paths: BTreeMap::new(),
        sources,
        rules_run: evaluated.ran.iter().filter(|r| **r).count(),
        rules,
        configs: gathered
            .configs
            .iter()
            .filter_map(|c| c.main_file().map(|p| p.display().to_string()))
            .collect(),
        inputs: gathered.inputs,
        live: evaluated.live,
        probe_failure: gathered.probe_failure.clone(),
        audit: Audit {
            attestations: plan.settings.attest.clone(),
            today: plan.today.clone(),
            evidence: evaluated.evidence,
        },
        secrets,
    };
    model.repo_paths = repo_paths(&model);
    for target in &mut model.targets {
        target.file = target.file.as_deref().map(repo_relative);
        target.env_file = target.env_file.as_deref().map(repo_relative);
    }
    let new_baseline = plan.write_baseline.as_ref().map(|path| {
        let recorded = baseline::record(&model);
        let text = baseline::write_baseline(&recorded, &model);
        baseline::apply(&mut model, &recorded, &baseline_reason(path));
        text
    });
    if let Some((recorded, reason)) = &gathered.baseline {
        baseline::apply(&mut model, recorded, reason);
    }
    suppress::count_per_target(&mut model);
    RunOutput { model, new_baseline }
}

/// What a finding suppressed by a baseline says.
fn baseline_reason(path: &Path) -> String {
    format!("recorded in the baseline {}", path.display())
}

/// Repo-relative forms of every file a finding or target names.
fn repo_paths(model: &Model) -> BTreeMap<String, String> {
    let mut files: Vec<String> = model.sources.keys().map(|p| p.display().to_string()).collect();
    files.extend(model.configs.iter().cloned());
    files.extend(
        model
            .findings
            .iter()
            .chain(model.suppressed.iter().map(|s| &s.finding))
            .filter_map(|f| f.location.as_ref().map(|l| l.file.clone())),
    );
    files.sort();
    files.dedup();
    files.into_iter().map(|f| (f.clone(), repo_relative(&f))).collect()
}

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
    baseline::normalise_path(&relative.display().to_string())
}

#[cfg(test)]
mod managed_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_use_forward_slashes() {
        assert_eq!(repo_relative("./examples/redis.conf"), "examples/redis.conf");
        let cwd = std::env::current_dir().unwrap();
        let inside = cwd.join("examples").join("redis.conf");
        assert_eq!(repo_relative(&inside.display().to_string()), "examples/redis.conf");
        assert_eq!(repo_relative("/nowhere/at/all.conf"), "/nowhere/at/all.conf");
    }
}
