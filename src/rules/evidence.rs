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
    /// Checklist item id → the values of the facts that can verify it (a
    /// NetworkPolicy, a managed service's backups), over every target.
    by_item: BTreeMap<String, (Vec<Seen>, HashSet<Seen>)>,
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
            record(seen, expanded, facts);
        }
    }

    /// Records the values of the facts that can verify a checklist item.
    pub fn collect_item<'p>(&mut self, item: &str, paths: impl Iterator<Item = &'p str>, facts: &Facts) {
        let seen = self.by_item.entry(item.to_string()).or_default();
        record(seen, paths.map(str::to_string), facts);
    }

    /// What was seen of the facts that can verify a checklist item.
    pub fn of_item(&self, item: &str) -> &[Seen] {
        self.by_item
            .get(item)
            .map(|(seen, _)| seen.as_slice())
            .unwrap_or_default()
    }
    /// What a rule read, in the order first seen (empty: the rule did not run).
    pub fn of(&self, rule: &str) -> &[Seen] {
        self.by_rule
            .get(rule)
            .map(|(seen, _)| seen.as_slice())
            .unwrap_or_default()
    }
}

/// Adds the values of `paths` that `facts` holds, each once, in order.
fn record(seen: &mut (Vec<Seen>, HashSet<Seen>), paths: impl IntoIterator<Item = String>, facts: &Facts) {
    for path in paths {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Value;

    #[test]
    fn a_long_value_is_cut_past_the_limit_and_a_file_value_keeps_its_line() {
        let mut facts = Facts::default();
        let origin = Origin::File {
            file: std::sync::Arc::new("redis.conf".into()),
            line: 7,
            column: 1,
            offset: 0,
            len: 1,
        };
        facts.insert("conf.dir", Value::Str("d".repeat(MAX_VALUE_CHARS)), origin.clone());
        facts.insert("conf.logfile", Value::Str("l".repeat(MAX_VALUE_CHARS + 1)), origin);
        let mut seen = Default::default();
        record(
            &mut seen,
            [
                "conf.dir".to_string(),
                "conf.logfile".to_string(),
                "conf.dir".to_string(),
            ],
            &facts,
        );
        let (values, _) = seen;
        assert_eq!(values.len(), 2, "each fact once: {values:?}");
        assert_eq!(values[0].value.chars().count(), MAX_VALUE_CHARS);
        assert!(!values[0].value.ends_with('…'));
        assert_eq!(values[1].value, "l".repeat(MAX_VALUE_CHARS) + "…");
        assert_eq!(
            (values[0].file.as_deref(), values[0].line),
            (Some(std::path::Path::new("redis.conf")), Some(7))
        );
    }
}
