//! Evaluate: each target's facts against the rule pack, and the running
//! configuration (with `--probe`) against the static rules; findings of all
//! targets merged in one linear pass.

use super::assemble::{self, build_facts, live, FactInputs};
use super::gather::{DeployTarget, Gathered};
use super::RunPlan;
use crate::conf::ParsedConfig;
use crate::deploy::managed::Service;
use crate::facts::{Facts, Origin, Source, Value};
use crate::findings::{Finding, Severity};
use crate::probe::Reply;
use crate::report::live_summary::{self, ProbeSummary};
use crate::report::model::Target;
use crate::rules::evidence::Evidence;
use crate::rules::{self, Evaluation, RulePack};
use std::collections::HashSet;

pub struct Evaluated {
    pub targets: Vec<Target>,
    /// Every target's findings, each once, before suppression.
    pub findings: Vec<Finding>,
    /// Per rule of the pack: did it run on any target?
    pub ran: Vec<bool>,
    pub evidence: Evidence,
    /// Every secret seen, for the final scrub.
    pub secrets: Vec<String>,
    pub live: Option<ProbeSummary>,
}

/// The target a config file is (or, without one, the environment and the server).
fn describe_target(config: Option<&ParsedConfig>, gathered: &Gathered, env_file: Option<&str>) -> Target {
    let (id, kind, file) = match config {
        Some(config) => {
            let kind = if config.sentinel { "sentinel-conf" } else { "redis-conf" };
            let file = config.main_file().map(|f| f.display().to_string()).unwrap_or_default();
            (format!("{kind}:{file}"), kind, Some(file))
        }
        None => match &gathered.live {
            Some(live) => (format!("live:{}", live.endpoint), "live", None),
            None => ("env".to_string(), "env", None),
        },
    };
    Target {
        id,
        kind: kind.to_string(),
        file,
        env_file: env_file.map(str::to_string),
        profile: String::new(),
        findings: 0,
    }
}

/// The target a deployment file's Redis instance is.
fn describe_deployment(deployment: &DeployTarget) -> Target {
    let file = Some(deployment.file.display().to_string());
    let env_file = deployment.instance.env.iter().find_map(|var| match &var.origin {
        crate::facts::Origin::Env { file: Some(file), .. } => Some(file.display().to_string()),
        _ => None,
    });
    Target {
        id: deployment.instance.id.clone(),
        kind: deployment.instance.kind.name().to_string(),
        file,
        env_file,
        profile: String::new(),
        findings: 0,
    }
}

/// The profile a target is judged by: a managed service's own, unless the
/// run asked for a profile other than the default `self-hosted`.
pub fn target_profile<'a>(run_profile: &'a str, deployment: Option<&DeployTarget>) -> &'a str {
    if run_profile != "self-hosted" {
        return run_profile;
    }
    let service = deployment
        .and_then(|d| d.instance.fact("managed.service"))
        .and_then(|(value, _)| value.as_str())
        .and_then(|id| Service::ALL.into_iter().find(|s| s.id() == id));
    match service {
        Some(service) => service.profile(),
        None => run_profile,
    }
}

/// What makes two findings the same. Findings from the shared inputs (the
/// app's environment, the running server) repeat for every config target:
/// they are kept once, under the first target that found them.
#[derive(PartialEq, Eq, Hash)]
struct MergeKey {
    rule: String,
    subject: Option<String>,
    variable: Option<String>,
    location: Option<(String, usize, usize, usize)>,
    message: String,
    source: Source,
    /// Only config findings are per target.
    target: Option<String>,
}

impl MergeKey {
    fn of(finding: &Finding) -> MergeKey {
        MergeKey {
            rule: finding.rule.clone(),
            subject: finding.subject.clone(),
            variable: finding.variable.clone(),
            location: finding
                .location
                .as_ref()
                .map(|l| (l.file.clone(), l.line, l.column, l.offset)),
            message: finding.message.clone(),
            source: finding.source,
            target: (finding.source == Source::Config).then(|| finding.target.clone()),
        }
    }
}

pub fn evaluate_targets(plan: &RunPlan, gathered: &Gathered, evaluation: &Evaluation<'_>) -> Evaluated {
    let pack = &plan.rules;
    let env_file = gathered.env_sources.first().map(|s| s.path.display().to_string());
    let mut out = Evaluated {
        targets: Vec::new(),
        findings: Vec::new(),
        ran: vec![false; pack.rules.len()],
        evidence: Evidence::default(),
        secrets: Vec::new(),
        live: None,
    };
    if let Some(live) = &gathered.live {
        out.secrets.extend(live.secrets.iter().map(|s| s.expose().to_string()));
    }
    // The running configuration (conf.* from CONFIG GET), built once: with a
    // file, the rules that read the configuration also run on what runs.
    let running = gathered.live.as_ref().map(|live| {
        build_facts(FactInputs {
            target: gathered.target,
            profile: &plan.profile,
            settings: &plan.settings,
            config: None,
            env: None,
            live: Some(live),
        })
    });
    if let Some(running) = &running {
        out.secrets
            .extend(running.secrets().into_iter().map(|(secret, _)| secret.to_string()));
    }
    let static_rules = RulePack {
        rules: pack
            .rules
            .iter()
            .filter(|r| r.sources.contains(&Source::Config) && r.sources.contains(&Source::Live))
            .cloned()
            .collect(),
    };
    // Without a config file the environment and the server are a target of
    // their own, unless deployment files are all there is.
    let configs: Vec<Option<&ParsedConfig>> = if !gathered.configs.is_empty() {
        gathered.configs.iter().map(Some).collect()
    } else if gathered.deploy_sources.is_empty() || gathered.env.is_some() || gathered.live.is_some() {
        vec![None]
    } else {
        Vec::new()
    };
    let mut merged: HashSet<MergeKey> = HashSet::new();
    // The checklist items a control verifies: their facts are kept as evidence.
    let checklist_items: Vec<_> = crate::report::checklist::items()
        .into_iter()
        .filter(|item| !item.verified_by.is_empty())
        .collect();
    let deployments = gathered.deployments.iter().map(|d| (Some(&d.config), Some(d)));
    for (config, deployment) in configs.into_iter().map(|c| (c, None)).chain(deployments) {
        let mut target = match deployment {
            Some(deployment) => describe_deployment(deployment),
            None => describe_target(config, gathered, env_file.as_deref()),
        };
        let profile = target_profile(&plan.profile, deployment);
        target.profile = profile.to_string();
        let evaluation = &Evaluation {
            profile,
            ..evaluation.clone()
        };
        // A deployment's instance is judged with the app variables that
        // point at it, not the shared environment or probed server.
        let (env, live) = match deployment {
            Some(d) => ((!d.instance.env.is_empty()).then_some(d.instance.env.as_slice()), None),
            None => (gathered.env.as_deref(), gathered.live.as_ref()),
        };
        let mut facts = build_facts(FactInputs {
            target: config.map(|c| c.target).unwrap_or(gathered.target),
            profile,
            settings: &plan.settings,
            config,
            env,
            live,
        });
        if let Some(deployment) = deployment {
            for (path, value, origin) in &deployment.instance.facts {
                // `conf.*` from a deployment is the image's own default: the
                // config and the arguments still win.
                let image_default = path.starts_with("conf.");
                if image_default && facts.get(path).is_some_and(|f| !matches!(f.origin, Origin::Default)) {
                    continue;
                }
                facts.insert(path.clone(), value.clone(), origin.clone());
            }
        }
        facts.insert(
            "target.id",
            Value::Str(target.id.clone()),
            crate::facts::Origin::Settings,
        );
        assemble::derive(&mut facts, &plan.settings, env);
        // With a file and a running server: what runs is compared with the file.
        if let (Some(_), Some(live), Some(running)) = (config, live, running.as_ref()) {
            match &live.config {
                Reply::Ok(_) => facts.drift = live::drift(&facts, running),
                Reply::Denied(reason) => facts.drift_unknown = Some(format!("CONFIG GET was refused: {reason}")),
            }
        }
        out.secrets
            .extend(facts.secrets().into_iter().map(|(s, _)| s.to_string()));
        if out.live.is_none() {
            out.live = live_summary::summarise(&facts);
        }
        for (index, rule) in pack.rules.iter().enumerate() {
            out.ran[index] |= evaluation.runs(rule, &facts)
                && !(evaluation.profile == "development"
                    && evaluation.severity_for(rule, &facts).0 < Severity::Critical);
        }
        out.evidence.collect(pack, &facts, evaluation);
        for item in &checklist_items {
            out.evidence
                .collect_item(&item.id, item.verified_by.iter().map(|v| v.fact.as_str()), &facts);
        }
        let primary = rules::evaluate(pack, &facts, evaluation);
        let extra = match running.as_ref() {
            Some(running) if config.is_some() && deployment.is_none() && facts.drift_unknown.is_none() => {
                running_only(pack, &static_rules, running, &target.id, &primary, evaluation)
            }
            _ => Vec::new(),
        };
        for finding in primary.into_iter().chain(extra) {
            if merged.insert(MergeKey::of(&finding)) {
                out.findings.push(finding);
            }
        }
        out.targets.push(target);
    }
    out
}

/// The static rules on the running configuration: only what the file did not
/// already show (e.g. a password removed with CONFIG SET).
fn running_only(
    pack: &RulePack,
    static_rules: &RulePack,
    running: &Facts,
    target: &str,
    primary: &[Finding],
    evaluation: &Evaluation<'_>,
) -> Vec<Finding> {
    // A declarative rule finds one thing per run; a builtin one thing per subject.
    let known: HashSet<(&str, Option<&str>)> = primary
        .iter()
        .flat_map(|f| [(f.rule.as_str(), f.subject.as_deref()), (f.rule.as_str(), None)])
        .collect();
    // The running configuration is shared by every target: its findings
    // belong to the target being evaluated.
    rules::evaluate(static_rules, running, evaluation)
        .into_iter()
        .map(|finding| Finding {
            target: target.to_string(),
            ..finding
        })
        .filter(|finding| {
            let per_rule = pack
                .get(&finding.rule)
                .is_some_and(|r| r.builtin_name().is_none() && r.for_each.is_empty());
            let seen = if per_rule {
                known.contains(&(finding.rule.as_str(), None))
            } else {
                known.contains(&(finding.rule.as_str(), finding.subject.as_deref()))
            };
            !seen
        })
        .collect()
}
