//! The evidence a checklist audit shows: for every rule that ran, the facts
//! it read, their printed values (secrets masked) and where each came from.

use super::{Check, Evaluation, RulePack};
use crate::facts::{Facts, Origin};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

/// A value a rule read: the fact path, its printed value and where it came
/// from (`origin` as text; `file` and `line` when it was written in a file,
/// so a report can quote that line from its masked sources).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Seen {
    pub fact: String,
    pub value: String,
    pub origin: String,
    pub file: Option<PathBuf>,
    /// 1-based.
    pub line: Option<usize>,
}

/// Rule id → the values it read, over every target of a run.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// In the order first seen, each once.
    by_rule: BTreeMap<String, (Vec<Seen>, HashSet<Seen>)>,
}

const MAX_VALUE_CHARS: usize = 120;

impl Evidence {
    /// Records the facts each rule that runs on `facts` reads.
    pub fn collect(&mut self, pack: &RulePack, facts: &Facts, evaluation: &Evaluation<'_>) {
        for rule in &pack.rules {
            if !evaluation.runs(rule, facts) {
                continue;
            }
            let mut paths = Vec::new();
            match &rule.check {
                Check::When(condition) => condition.facts(&mut paths),
                Check::Builtin(name) => paths.extend(super::builtins::reads(name).iter().map(|p| p.to_string())),
            }
            let mut expanded = Vec::new();
            for path in paths {
                if path == "$" {
                    expanded.extend(rule.for_each.iter().cloned());
                } else {
                    expanded.push(path);
                }
            }
            let seen = self.by_rule.entry(rule.id.clone()).or_default();
            for path in expanded {
                let Some(fact) = facts.get(&path) else {
                    continue;
                };
                let mut value = fact.value.to_string();
                if value.chars().count() > MAX_VALUE_CHARS {
                    value = value.chars().take(MAX_VALUE_CHARS).collect::<String>() + "…";
                }
                let (file, line) = match &fact.origin {
                    Origin::File { file, line, .. } => (Some(file.to_path_buf()), Some(*line)),
                    Origin::Env {
                        file: Some(file), line, ..
                    } => (Some(file.to_path_buf()), *line),
                    _ => (None, None),
                };
                let item = Seen {
                    fact: path,
                    value,
                    origin: describe_origin(&fact.origin),
                    file,
                    line,
                };
                if seen.1.insert(item.clone()) {
                    seen.0.push(item);
                }
            }
        }
    }

    /// What a rule read, in the order first seen (empty: the rule did not run).
    pub fn of(&self, rule: &str) -> &[Seen] {
        self.by_rule
            .get(rule)
            .map(|(seen, _)| seen.as_slice())
            .unwrap_or_default()
    }
}

fn describe_origin(origin: &Origin) -> String {
    match origin {
        Origin::File { file, line, .. } => format!("{}:{line}", file.display()),
        Origin::Default => "compiled-in default".into(),
        Origin::Env {
            var,
            file: Some(file),
            line,
            ..
        } => match line {
            Some(line) => format!("{}:{line} ({var})", file.display()),
            None => format!("{} ({var})", file.display()),
        },
        Origin::Env { var, file: None, .. } => format!("process environment ({var})"),
        Origin::Live => "live server".into(),
        Origin::Settings => "derived by redis-preflight".into(),
    }
}
