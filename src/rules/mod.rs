//! The rule engine: rules are data (`rules/*.toml`), evaluated over facts.
//! Loading the embedded pack does no schema work (the test suite validates
//! those files); user packs given with `--rules` are schema-checked at load.

pub mod builtins;
pub mod condition;
pub mod docs;
pub mod evidence;

use crate::conf::catalog::catalog;
use crate::error::InputError;
use crate::facts::{registry, Facts, Origin, Source, Value};
use crate::findings::{Finding, Location, Severity, State};
use crate::textfile::{io_reason, read_text_file};
use condition::{Condition, Truth};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

pub const RULE_SCHEMA: &str = include_str!("../../schemas/rule.schema.json");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    title: String,
    severity: Severity,
    category: String,
    sources: Vec<String>,
    #[serde(default)]
    checklist: Vec<String>,
    #[serde(default)]
    profiles: Option<Vec<String>>,
    #[serde(default)]
    roles: Option<Vec<String>>,
    #[serde(default)]
    profile_severity: BTreeMap<String, Severity>,
    #[serde(default)]
    severity_when: Vec<RawSeverityWhen>,
    #[serde(default)]
    profile_message: BTreeMap<String, String>,
    #[serde(default)]
    profile_remediation: BTreeMap<String, String>,
    #[serde(default)]
    managed: bool,
    #[serde(default = "runs_on_sentinel")]
    sentinel: bool,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    when: Option<toml::Value>,
    #[serde(default)]
    builtin: Option<String>,
    #[serde(default)]
    for_each: Vec<String>,
    #[serde(default)]
    at: Option<String>,
    message: String,
    remediation: String,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeverityWhen {
    when: toml::Value,
    severity: Severity,
    #[serde(default)]
    because: Option<String>,
}

/// A severity that depends on the target (how reachable it is, what it is
/// for): the first entry whose condition holds sets the finding's severity,
/// and its `because` (a template) is added to the message.
#[derive(Debug, Clone)]
pub struct SeverityWhen {
    pub when: Condition,
    pub severity: Severity,
    pub because: Option<String>,
}

fn runs_on_sentinel() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RawRule>,
}

/// What a rule checks: a declarative condition or a named builtin.
#[derive(Debug, Clone)]
pub enum Check {
    When(Condition),
    Builtin(String),
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub category: String,
    pub sources: Vec<Source>,
    pub checklist: Vec<String>,
    pub profiles: Option<Vec<String>>,
    /// Roles (`workload.role`) the rule judges; absent = every role.
    pub roles: Option<Vec<String>>,
    pub profile_severity: BTreeMap<String, Severity>,
    /// Severities that depend on the target, first match wins; they win over
    /// `profile_severity` and lose to a severity the team sets.
    pub severity_when: Vec<SeverityWhen>,
    /// The message under a profile, when it reads better there (a managed
    /// resource instead of `tls-port`).
    pub profile_message: BTreeMap<String, String>,
    /// The remediation under a profile (the Terraform attribute to change).
    pub profile_remediation: BTreeMap<String, String>,
    /// Runs on a managed target (one with `managed.service`): the service's
    /// configuration is unseen, so only rules that judge what the resource
    /// decides may run there; the others would pass on nothing.
    pub managed: bool,
    /// Runs on a Sentinel's config (`sentinel = false` for rules about a data
    /// server's dataset: memory, persistence, commands, which a Sentinel has not).
    pub sentinel: bool,
    /// Facts a target must have for the rule to run there (`deploy.version`):
    /// without them it has nothing to judge, and passing would claim a check
    /// that was not made.
    pub requires: Vec<String>,
    pub check: Check,
    pub for_each: Vec<String>,
    pub at: Option<String>,
    pub message: String,
    pub remediation: String,
    pub references: Vec<String>,
    pub description: String,
    /// `rules/network.toml`, or the user pack's file.
    pub file: String,
}

impl Rule {
    fn from_raw(raw: RawRule, file: &str) -> Result<Rule, String> {
        let check = match (&raw.when, &raw.builtin) {
            (Some(when), None) => Check::When(Condition::parse(when).map_err(|e| format!("rule {}: {e}", raw.id))?),
            (None, Some(name)) => {
                if !builtins::exists(name) {
                    return Err(format!("rule {}: unknown builtin `{name}`", raw.id));
                }
                Check::Builtin(name.clone())
            }
            _ => return Err(format!("rule {}: needs exactly one of `when` or `builtin`", raw.id)),
        };
        if let Check::When(condition) = &check {
            let mut names = Vec::new();
            collect_builtins(condition, &mut names);
            if let Some(unknown) = names.iter().find(|n| !builtins::exists(n)) {
                return Err(format!("rule {}: unknown builtin `{unknown}`", raw.id));
            }
        }
        let severity_when = raw
            .severity_when
            .iter()
            .map(|entry| {
                Ok(SeverityWhen {
                    when: Condition::parse(&entry.when).map_err(|e| format!("rule {}: severity_when: {e}", raw.id))?,
                    severity: entry.severity,
                    because: entry.because.clone(),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        for entry in &severity_when {
            let mut names = Vec::new();
            collect_builtins(&entry.when, &mut names);
            if let Some(unknown) = names.iter().find(|n| !builtins::exists(n)) {
                return Err(format!("rule {}: unknown builtin `{unknown}`", raw.id));
            }
        }
        let sources = raw
            .sources
            .iter()
            .map(|name| {
                Source::parse(name).ok_or_else(|| {
                    format!(
                        "rule {}: unknown source `{name}` (expected config, env or live)",
                        raw.id
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Rule {
            id: raw.id,
            title: raw.title,
            severity: raw.severity,
            category: raw.category,
            sources,
            checklist: raw.checklist,
            profiles: raw.profiles,
            roles: raw.roles,
            profile_severity: raw.profile_severity,
            severity_when,
            profile_message: raw.profile_message,
            profile_remediation: raw.profile_remediation,
            managed: raw.managed,
            sentinel: raw.sentinel,
            requires: raw.requires,
            check,
            for_each: raw.for_each,
            at: raw.at,
            message: raw.message,
            remediation: raw.remediation,
            references: raw.references,
            description: raw.description.unwrap_or_default().trim().to_string(),
            file: file.to_string(),
        })
    }

    /// Whether the target's role is one the rule judges (a target without a
    /// derived role, such as the running configuration alone, is a cache).
    pub fn applies_to_role(&self, facts: &Facts) -> bool {
        let role = facts.value("workload.role").and_then(Value::as_str).unwrap_or("cache");
        self.roles.as_ref().is_none_or(|roles| roles.iter().any(|r| r == role))
    }

    pub fn applies_to_profile(&self, profile: &str) -> bool {
        self.profiles.as_ref().is_none_or(|p| p.iter().any(|x| x == profile))
    }

    /// Compiles the rule's regexes and checks that every fact it reads is one
    /// the pipeline writes. User packs are checked when they load; the built-in
    /// pack by the test suite (`RulePack::validate`), not at every start.
    pub fn validate(&self) -> Result<(), String> {
        let profiles = self
            .profile_severity
            .keys()
            .chain(self.profile_message.keys())
            .chain(self.profile_remediation.keys());
        if let Some(unknown) = profiles
            .into_iter()
            .find(|p| !crate::settings::PROFILES.contains(&p.as_str()))
        {
            return Err(format!("unknown profile `{unknown}`"));
        }
        if let Some(unknown) = self
            .roles
            .iter()
            .flatten()
            .find(|r| !crate::settings::ROLES.contains(&r.as_str()))
        {
            return Err(format!(
                "unknown role `{unknown}` (expected one of {})",
                crate::settings::ROLES.join(", ")
            ));
        }
        let mut paths = Vec::new();
        if let Check::When(condition) = &self.check {
            condition.validate()?;
            condition.facts(&mut paths);
        }
        for entry in &self.severity_when {
            entry.when.validate()?;
            entry.when.facts(&mut paths);
        }
        paths.extend(self.for_each.iter().cloned());
        paths.extend(self.at.iter().cloned());
        paths.extend(self.requires.iter().cloned());
        match paths.into_iter().find(|path| path != "$" && !is_known_fact(path)) {
            Some(unknown) => Err(format!(
                "unknown fact `{unknown}` (see the fact paths in docs/architecture.md)"
            )),
            None => Ok(()),
        }
    }

    pub fn builtin_name(&self) -> Option<&str> {
        match &self.check {
            Check::Builtin(name) => Some(name),
            Check::When(_) => None,
        }
    }
}

/// A fact path the pipeline writes: in the registry, and for `conf.*` a
/// directive the catalog knows on some release line.
pub fn is_known_fact(path: &str) -> bool {
    if !registry::is_known(path) {
        return false;
    }
    match path.strip_prefix("conf.") {
        Some(name) if path != "conf.sentinel-mode" => catalog().knows(name),
        _ => true,
    }
}

fn collect_builtins(condition: &Condition, out: &mut Vec<String>) {
    match condition {
        Condition::All(items) | Condition::Any(items) => items.iter().for_each(|c| collect_builtins(c, out)),
        Condition::Not(inner) => collect_builtins(inner, out),
        Condition::Builtin(name) => out.push(name.clone()),
        Condition::Test { .. } => {}
    }
}

#[derive(Debug, Clone, Default)]
pub struct RulePack {
    pub rules: Vec<Rule>,
}

fn parse_rule_file(name: &str, text: &str) -> Result<Vec<Rule>, String> {
    let file: RuleFile = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
    file.rule.into_iter().map(|raw| Rule::from_raw(raw, name)).collect()
}

/// The built-in files, converted from TOML to JSON at build time.
fn parse_embedded_file(name: &str, json: &str) -> Result<Vec<Rule>, String> {
    let file: RuleFile = serde_json::from_str(json).map_err(|e| format!("{name}: {e}"))?;
    file.rule.into_iter().map(|raw| Rule::from_raw(raw, name)).collect()
}

impl RulePack {
    /// The built-in pack compiled into the binary.
    pub fn embedded() -> Result<RulePack, InputError> {
        let mut rules = Vec::new();
        for (name, text) in EMBEDDED_RULE_FILES {
            rules.extend(
                parse_embedded_file(&format!("rules/{name}"), text)
                    .map_err(|e| InputError::new(format!("internal error in the built-in rules: {e}")))?,
            );
        }
        Ok(RulePack { rules })
    }

    /// Adds a user pack: every `*.toml` in `dir`, each validated against the rule schema.
    pub fn add_user_pack(&mut self, dir: &Path) -> Result<(), InputError> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            InputError::new(format!(
                "{}: cannot read the rules directory: {}",
                dir.display(),
                io_reason(&e)
            ))
        })?;
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(InputError::new(format!("{}: no *.toml rule files", dir.display())));
        }
        let schema: serde_json::Value = serde_json::from_str(RULE_SCHEMA)
            .map_err(|e| InputError::new(format!("internal error: rule schema: {e}")))?;
        let validator = jsonschema::validator_for(&schema)
            .map_err(|e| InputError::new(format!("internal error: rule schema: {e}")))?;
        for path in files {
            let text = read_text_file(&path).map_err(InputError::new)?;
            let value: toml::Value = toml::from_str(&text)
                .map_err(|e| InputError::new(format!("{}: invalid TOML: {}", path.display(), e.message())))?;
            let json = serde_json::to_value(&value).map_err(|e| InputError::new(format!("{}: {e}", path.display())))?;
            let problems: Vec<String> = validator
                .iter_errors(&json)
                .map(|e| format!("{}: {} at `{}`", path.display(), e, e.instance_path))
                .collect();
            if !problems.is_empty() {
                return Err(InputError::new(format!(
                    "invalid rule file:\n  {}",
                    problems.join("\n  ")
                )));
            }
            let name = path.display().to_string();
            for rule in parse_rule_file(&name, &text).map_err(InputError::new)? {
                rule.validate()
                    .map_err(|e| InputError::new(format!("{name}: rule {}: {e}", rule.id)))?;
                if self.rules.iter().any(|r| r.id == rule.id) {
                    return Err(InputError::new(format!(
                        "{name}: rule id `{}` is already defined; pick a new id (use [severity] in redis-preflight.toml to change a built-in rule's severity)",
                        rule.id
                    )));
                }
                self.rules.push(rule);
            }
        }
        Ok(())
    }

    /// Every rule's regexes and fact paths (tests call this for the built-in pack).
    pub fn validate(&self) -> Result<(), String> {
        self.rules
            .iter()
            .try_for_each(|rule| rule.validate().map_err(|e| format!("{}: {e}", rule.id)))
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// What evaluation needs besides facts.
#[derive(Debug, Clone)]
pub struct Evaluation<'a> {
    pub profile: &'a str,
    pub severity_overrides: &'a BTreeMap<String, Severity>,
    /// Rule selectors: `auth`, `auth.weak-password`, `auth.weak` (prefix).
    pub select: &'a [String],
    pub ignore: &'a [String],
}

/// Whether a selector (`auth`, `auth.*`, `auth.weak-password`, `auth.weak`) names a rule.
pub fn selector_matches(selector: &str, id: &str) -> bool {
    let selector = selector.trim_end_matches('*').trim_end_matches('.');
    if selector.is_empty() {
        return true;
    }
    id == selector || id.starts_with(&format!("{selector}.")) || (selector.contains('.') && id.starts_with(selector))
}

impl Evaluation<'_> {
    pub fn is_selected(&self, rule: &Rule) -> bool {
        let selected = self.select.is_empty() || self.select.iter().any(|s| selector_matches(s, &rule.id));
        selected && !self.ignore.iter().any(|s| selector_matches(s, &rule.id))
    }

    /// The rule's severity apart from any target: the team's own, else the
    /// profile's, else the rule's.
    pub fn severity_of(&self, rule: &Rule) -> Severity {
        self.severity_overrides
            .get(&rule.id)
            .copied()
            .or_else(|| rule.profile_severity.get(self.profile).copied())
            .unwrap_or(rule.severity)
    }

    /// The rule's severity on a target: the team's own, else the first
    /// `severity_when` that holds (with its `because`), else the profile's,
    /// else the rule's.
    pub fn severity_for<'r>(&self, rule: &'r Rule, facts: &Facts) -> (Severity, Option<&'r str>) {
        let builtin = |name: &str| builtin_truth(name, rule, facts);
        let matched = rule
            .severity_when
            .iter()
            .find(|entry| condition::evaluate(&entry.when, facts, &builtin) == Truth::True);
        // The team's severity wins, but the reason still explains the finding.
        let because = matched.and_then(|entry| entry.because.as_deref());
        if let Some(severity) = self.severity_overrides.get(&rule.id) {
            return (*severity, because);
        }
        if let Some(entry) = matched {
            return (entry.severity, because);
        }
        let severity = rule
            .profile_severity
            .get(self.profile)
            .copied()
            .unwrap_or(rule.severity);
        (severity, None)
    }

    /// The message template under this profile: the profile's own when the
    /// rule has one and every fact it names is known for the target (a
    /// managed wording needs a managed target), else the rule's.
    pub fn message_of<'r>(&self, rule: &'r Rule, facts: &Facts) -> &'r str {
        pick_text(rule.profile_message.get(self.profile), &rule.message, facts)
    }

    /// The remediation template under this profile (as `message_of`).
    pub fn remediation_of<'r>(&self, rule: &'r Rule, facts: &Facts) -> &'r str {
        pick_text(rule.profile_remediation.get(self.profile), &rule.remediation, facts)
    }

    /// Whether a rule runs at all in this evaluation (inputs, profile,
    /// selection, the facts it requires; on a managed target only rules that
    /// say `managed = true`).
    pub fn runs(&self, rule: &Rule, facts: &Facts) -> bool {
        rule.sources.iter().any(|s| facts.has_source(*s))
            && rule.applies_to_profile(self.profile)
            && rule.applies_to_role(facts)
            && (rule.managed || !is_managed(facts))
            && (rule.sentinel || facts.value("conf.sentinel-mode").and_then(Value::as_bool) != Some(true))
            && rule.requires.iter().all(|path| facts.get(path).is_some())
            && self.is_selected(rule)
    }
}

/// A target run by a managed service (Memorystore, ElastiCache, ...).
pub fn is_managed(facts: &Facts) -> bool {
    facts.get("managed.service").is_some()
}

fn pick_text<'r>(special: Option<&'r String>, general: &'r str, facts: &Facts) -> &'r str {
    match special {
        Some(text) if placeholders(text).all(|name| !name.contains('.') || facts.get(name).is_some()) => text,
        _ => general,
    }
}

/// The `{name}` placeholders of a template.
fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template.split('{').skip(1).filter_map(|part| {
        let name = &part[..part.find('}')?];
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '$'));
        valid.then_some(name)
    })
}

/// Evaluates every applicable rule; findings come out in rule order.
pub fn evaluate(pack: &RulePack, facts: &Facts, evaluation: &Evaluation<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in &pack.rules {
        if !evaluation.runs(rule, facts) {
            continue;
        }
        let (severity, because) = evaluation.severity_for(rule, facts);
        // The development profile only stops what would be a disaster anywhere.
        if evaluation.profile == "development" && severity < Severity::Critical {
            continue;
        }
        let texts = Texts {
            message: evaluation.message_of(rule, facts),
            remediation: evaluation.remediation_of(rule, facts),
            because,
        };
        // A severity the user set for the rule wins over a builtin's graded one.
        let user_set = evaluation.severity_overrides.contains_key(&rule.id);
        findings.extend(evaluate_rule(rule, severity, user_set, texts, facts));
    }
    findings
}

/// The message and remediation templates a rule's findings use.
#[derive(Debug, Clone, Copy)]
struct Texts<'r> {
    message: &'r str,
    remediation: &'r str,
    /// Why the severity is what it is on this target (`severity_when`).
    because: Option<&'r str>,
}

/// A builtin used as a condition: one that could only say "could not
/// verify" leaves the condition undecided.
fn builtin_truth(name: &str, rule: &Rule, facts: &Facts) -> Truth {
    let hits = builtins::run(name, rule, facts);
    if hits.is_empty() {
        Truth::False
    } else if hits.iter().any(|hit| hit.state == State::Fail) {
        Truth::True
    } else {
        Truth::Unknown
    }
}

fn evaluate_rule(rule: &Rule, severity: Severity, user_set: bool, texts: Texts<'_>, facts: &Facts) -> Vec<Finding> {
    let builtin_truth = |name: &str| builtin_truth(name, rule, facts);
    match &rule.check {
        Check::Builtin(name) => builtins::run(name, rule, facts)
            .into_iter()
            .map(|hit| {
                let vars = vec![
                    ("subject".to_string(), hit.subject.clone()),
                    ("detail".to_string(), hit.detail.clone()),
                ];
                let severity = match hit.severity {
                    Some(graded) if !user_set => graded,
                    _ => severity,
                };
                make_finding(
                    rule,
                    texts,
                    severity,
                    hit.state,
                    facts,
                    &hit.origin,
                    Some(hit.subject),
                    &vars,
                )
            })
            .collect(),
        Check::When(condition) if !rule.for_each.is_empty() => rule
            .for_each
            .iter()
            .filter_map(|path| {
                let concrete = condition.substitute(path);
                let state = match condition::evaluate(&concrete, facts, &builtin_truth) {
                    Truth::True => State::Fail,
                    Truth::Unknown => State::Warn,
                    Truth::False => return None,
                };
                let fact = facts.get(path)?;
                let name = path.split_once('.').map(|(_, n)| n).unwrap_or(path).to_string();
                let mut vars = vec![
                    ("$".to_string(), fact.value.to_string()),
                    ("$.name".to_string(), name.clone()),
                ];
                if let Some(reason) = unknown_reason(&concrete, facts) {
                    vars.push(("unknown".to_string(), reason));
                }
                Some(make_finding(
                    rule,
                    texts,
                    severity,
                    state,
                    facts,
                    &fact.origin,
                    Some(name),
                    &vars,
                ))
            })
            .collect(),
        Check::When(condition) => {
            let state = match condition::evaluate(condition, facts, &builtin_truth) {
                Truth::True => State::Fail,
                Truth::Unknown => State::Warn,
                Truth::False => return Vec::new(),
            };
            let mut paths = Vec::new();
            if let Some(at) = &rule.at {
                paths.push(at.clone());
            }
            condition.facts(&mut paths);
            let located = paths
                .iter()
                .filter_map(|p| facts.get(p).map(|f| (p, f)))
                .find(|(_, f)| f.origin.has_location());
            let first = located.or_else(|| {
                paths
                    .iter()
                    .filter_map(|p| facts.get(p).map(|f| (p, f)))
                    .find(|(_, f)| f.origin.source().is_some())
            });
            let (subject, origin) = match first {
                Some((path, fact)) => (
                    Some(path.split_once('.').map(|(_, n)| n).unwrap_or(path).to_string()),
                    fact.origin.clone(),
                ),
                None => (None, Origin::Default),
            };
            let vars: Vec<(String, String)> = unknown_reason(condition, facts)
                .map(|reason| ("unknown".to_string(), reason))
                .into_iter()
                .collect();
            vec![make_finding(
                rule, texts, severity, state, facts, &origin, subject, &vars,
            )]
        }
    }
}

/// Why a condition could not be decided: the first unknown fact it reads.
fn unknown_reason(condition: &Condition, facts: &Facts) -> Option<String> {
    let mut paths = Vec::new();
    condition.facts(&mut paths);
    paths.iter().find_map(|path| match facts.value(path) {
        Some(Value::Unknown { unknown }) => Some(unknown.clone()),
        _ => None,
    })
}

#[allow(clippy::too_many_arguments)]
fn make_finding(
    rule: &Rule,
    texts: Texts<'_>,
    severity: Severity,
    state: State,
    facts: &Facts,
    origin: &Origin,
    subject: Option<String>,
    vars: &[(String, String)],
) -> Finding {
    let source = origin
        .source()
        .filter(|s| rule.sources.contains(s))
        .or_else(|| rule.sources.iter().copied().find(|s| facts.has_source(*s)))
        .unwrap_or(Source::Config);
    let variable = match origin {
        Origin::Env { var, .. } => Some(var.clone()),
        _ => None,
    };
    // A WARN says what could not be verified and why, not a message filled
    // with unknown values.
    let message = if state == State::Warn {
        let reason = vars
            .iter()
            .find(|(k, _)| k == "unknown" || k == "detail")
            .map(|(_, v)| v.as_str())
            .unwrap_or("a fact it needs is unknown");
        format!("could not verify: {} ({reason})", rule.title)
    } else {
        let message = render(texts.message, facts, vars);
        match texts.because {
            Some(because) => format!("{message}; {}", render(because, facts, vars)),
            None => message,
        }
    };
    let target = facts.value("target.id").and_then(Value::as_str).unwrap_or_default();
    rule.finding(
        severity,
        target,
        Found {
            source,
            state,
            message,
            remediation: Some(render(texts.remediation, facts, vars)),
            location: Location::from_origin(origin),
            subject,
            variable,
        },
    )
}

/// What was found, before the rule adds its id, title, category and
/// (unless given) remediation.
#[derive(Debug, Clone)]
pub struct Found {
    pub source: Source,
    pub state: State,
    pub message: String,
    pub remediation: Option<String>,
    pub location: Option<Location>,
    pub subject: Option<String>,
    pub variable: Option<String>,
}

impl Rule {
    /// The one constructor of a finding: from the rule, its effective severity,
    /// the target it is about and what was found.
    pub fn finding(&self, severity: Severity, target: &str, found: Found) -> Finding {
        Finding {
            rule: self.id.clone(),
            title: self.title.clone(),
            severity,
            category: self.category.clone(),
            source: found.source,
            target: target.to_string(),
            state: found.state,
            message: found.message,
            remediation: found.remediation.unwrap_or_else(|| self.remediation.clone()),
            location: found.location,
            subject: found.subject,
            variable: found.variable,
        }
    }
}

/// Fills `{fact.path}` and builtin placeholders; secrets print redacted.
pub fn render(template: &str, facts: &Facts, vars: &[(String, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '$'));
        if !valid {
            out.push('{');
            rest = after;
            continue;
        }
        if let Some((_, value)) = vars.iter().find(|(k, _)| k == name) {
            out.push_str(value);
        } else if let Some(value) = facts.value(name) {
            out.push_str(&display_value(value));
        } else if name.contains('.') {
            out.push_str("(not set)");
        } else {
            out.push('{');
            out.push_str(name);
            out.push('}');
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

fn display_value(value: &Value) -> String {
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_for_some_roles_runs_only_on_those_and_without_a_role_on_a_cache() {
        let pack = RulePack::embedded().unwrap();
        let rule = |id: &str| pack.rules.iter().find(|r| r.id == id).unwrap();
        let with_role = |role: Option<&str>| {
            let mut facts = Facts::default();
            if let Some(role) = role {
                facts.insert("workload.role", Value::Str(role.into()), Origin::Settings);
            }
            facts
        };
        let caches_only = rule("env.ttl-invalid");
        assert_eq!(caches_only.roles.as_deref(), Some(&["cache".to_string()][..]));
        assert!(caches_only.applies_to_role(&with_role(None)));
        assert!(caches_only.applies_to_role(&with_role(Some("cache"))));
        assert!(!caches_only.applies_to_role(&with_role(Some("queue"))));
        assert!(!caches_only.applies_to_role(&with_role(Some("store"))));
        let every_role = rule("auth.no-password");
        assert!(every_role.roles.is_none());
        assert!(every_role.applies_to_role(&with_role(Some("queue"))));
    }

    #[test]
    fn the_development_profile_keeps_only_critical_findings() {
        let rule = |id: &str, severity: &str| {
            format!(
                "[[rule]]\nid = \"network.{id}\"\ntitle = \"t\"\nseverity = \"{severity}\"\ncategory = \"network\"\n\
                 sources = [\"config\"]\nwhen = {{ fact = \"conf.port\", eq = 1 }}\nmessage = \"m\"\nremediation = \"r\"\n"
            )
        };
        let text = [rule("a", "critical"), rule("b", "high"), rule("c", "info")].join("\n");
        let pack = RulePack {
            rules: parse_rule_file("rules/network.toml", &text).unwrap(),
        };
        let mut facts = Facts::default();
        facts.insert("conf.port", Value::Int(1), Origin::Default);
        facts.sources.push(Source::Config);
        let overrides = BTreeMap::new();
        let fired = |profile: &str| -> Vec<String> {
            let evaluation = Evaluation {
                profile,
                severity_overrides: &overrides,
                select: &[],
                ignore: &[],
            };
            evaluate(&pack, &facts, &evaluation)
                .into_iter()
                .map(|f| f.rule)
                .collect()
        };
        assert_eq!(fired("development"), ["network.a"]);
        assert_eq!(fired("self-hosted"), ["network.a", "network.b", "network.c"]);
    }
}
