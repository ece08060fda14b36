//! Effective settings: what redis-server runs with after reading the file,
//! i.e. the last value of each directive, accumulated repeatable ones, and
//! compiled-in defaults (not redis.conf's commented examples) for the rest.

use super::acl::{self, AclUserSpec};
use super::catalog::{catalog, Directive, ValueType};
use super::special::{output_buffer_class, parse_directive};
use super::ParsedConfig;
use crate::facts::{AclUser, Facts, Origin, RenamedCommand, Secret, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Writes `conf.*` facts, ACL users and renamed commands for a parsed config.
pub fn apply(parsed: &ParsedConfig, facts: &mut Facts) {
    let target = parsed.target;
    for directive in catalog().directives_for(&target) {
        let (value, origin) = effective_value(parsed, directive);
        facts.insert(format!("conf.{}", directive.name), value.clone(), origin.clone());
        for alias in &directive.aliases {
            facts.insert(format!("conf.{}", alias.name), value.clone(), origin.clone());
        }
    }
    collect_acl_users(parsed, facts);
    for line in parsed
        .directives
        .iter()
        .filter(|d| d.canonical.as_deref() == Some("rename-command") && d.value.is_some())
    {
        if let [from, to] = line.args.as_slice() {
            facts.renamed_commands.push(RenamedCommand {
                command: from.value.to_ascii_lowercase(),
                renamed_to: to.value.clone(),
                origin: line.origin.clone(),
            });
        }
    }
}

fn occurrences<'p>(parsed: &'p ParsedConfig, name: &'p str) -> impl Iterator<Item = (&'p Value, &'p Origin)> + 'p {
    parsed
        .directives
        .iter()
        .filter(move |d| d.canonical.as_deref() == Some(name))
        .filter_map(|d| d.value.as_ref().map(|v| (v, &d.origin)))
}

fn default_value(parsed: &ParsedConfig, directive: &Directive) -> Value {
    let Some(text) = directive.default_for(&parsed.target) else {
        return if directive.repeatable {
            Value::List(Vec::new())
        } else {
            Value::Str(String::new())
        };
    };
    let multi_arg =
        directive.value_type == ValueType::Special && directive.args.as_ref().is_none_or(|a| a.max != Some(1));
    if text.is_empty() && directive.is_special("bind") {
        // An empty list default (no `bind` before 7.0: every interface).
        return Value::List(Vec::new());
    }
    let args: Vec<&str> = if multi_arg && !text.is_empty() {
        text.split_whitespace().collect()
    } else {
        vec![text]
    };
    match parse_directive(directive, &args, &parsed.target) {
        Ok(value) => value,
        Err(_) if directive.secret => Value::secret(text),
        Err(_) => Value::Str(text.to_string()),
    }
}

fn effective_value(parsed: &ParsedConfig, directive: &Directive) -> (Value, Origin) {
    let default = default_value(parsed, directive);
    let mut seen = occurrences(parsed, &directive.name).peekable();
    if seen.peek().is_none() {
        return (default, Origin::Default);
    }
    if !directive.repeatable {
        let (value, origin) = seen
            .last()
            .map(|(v, o)| (v.clone(), o.clone()))
            .unwrap_or((default, Origin::Default));
        return (value, origin);
    }
    match directive.special.as_deref() {
        // The first `save` line replaces the defaults, later ones add points, `save ""` clears.
        Some("save") => {
            let mut points = Vec::new();
            let mut origin = Origin::Default;
            for (value, at) in seen {
                match value.as_list() {
                    Some([]) => points.clear(),
                    Some(items) => points.extend(items.iter().cloned()),
                    None => {}
                }
                origin = at.clone();
            }
            (Value::List(points), origin)
        }
        // Later lines override a class; other classes keep their defaults.
        Some("client-output-buffer-limit") => {
            let mut by_class: BTreeMap<String, Value> = BTreeMap::new();
            let mut record = |value: &Value| {
                for item in value.as_list().unwrap_or_default() {
                    if let Some(text) = item.as_str() {
                        let class = text.split(' ').next().and_then(output_buffer_class).unwrap_or("normal");
                        by_class.insert(class.to_string(), item.clone());
                    }
                }
            };
            record(&default);
            let mut origin = Origin::Default;
            for (value, at) in seen {
                record(value);
                origin = at.clone();
            }
            (Value::List(by_class.into_values().collect()), origin)
        }
        _ => {
            let mut items = Vec::new();
            let mut first_origin = None;
            for (value, at) in seen {
                match value {
                    Value::List(list) => items.extend(list.iter().cloned()),
                    other => items.push(other.clone()),
                }
                first_origin.get_or_insert_with(|| at.clone());
            }
            (Value::List(items), first_origin.unwrap_or(Origin::Default))
        }
    }
}

/// The facts' view of a parsed ACL user.
pub fn to_acl_user(spec: AclUserSpec, origin: Origin) -> AclUser {
    AclUser {
        name: spec.name.clone(),
        enabled: spec.enabled,
        nopass: spec.nopass,
        passwords: spec.passwords.iter().map(|p| Secret::new(p.as_str())).collect(),
        hashed_passwords: spec.hashed_passwords,
        command_rules: spec.command_rules.clone(),
        key_patterns: spec.key_patterns.clone(),
        origin,
    }
}

fn collect_acl_users(parsed: &ParsedConfig, facts: &mut Facts) {
    let mut users: Vec<AclUser> = Vec::new();
    for line in parsed
        .directives
        .iter()
        .filter(|d| d.canonical.as_deref() == Some("user") && d.value.is_some())
    {
        let args: Vec<&str> = line.args.iter().map(|a| a.value.as_str()).collect();
        if let Ok(spec) = acl::parse_user_args(&args) {
            users.push(to_acl_user(spec, line.origin.clone()));
        }
    }
    // An ACL file replaces inline users; read it when it is reachable from here.
    if let Some(fact) = facts.get("conf.aclfile").cloned() {
        if let Some(path) = fact.value.as_str().filter(|p| !p.is_empty()) {
            let base = parsed
                .main_file()
                .and_then(|f| f.parent().map(Path::to_path_buf))
                .unwrap_or_default();
            let full = base.join(path);
            if let Ok(text) = std::fs::read_to_string(&full) {
                users.extend(parse_acl_file(&full, &text));
            }
        }
    }
    if !users.iter().any(|u| u.name == "default") {
        let mut default = to_acl_user(acl::implicit_default_user(), Origin::Default);
        // `requirepass` sets the implicit default user's password.
        if let Some(fact) = facts.get("conf.requirepass") {
            if let Some(password) = fact.value.as_str().filter(|p| !p.is_empty()) {
                default.nopass = false;
                default.passwords = vec![Secret::new(password)];
                default.origin = fact.origin.clone();
            }
        }
        users.push(default);
    }
    facts.acl_users = users;
}

/// Users from an ACL file (`user <name> <rules>` per line).
pub fn parse_acl_file(path: &Path, text: &str) -> Vec<AclUser> {
    let file = std::sync::Arc::new(path.to_path_buf());
    let mut users = Vec::new();
    let mut offset = 0;
    for (index, line) in text.split('\n').enumerate() {
        let start = offset;
        offset += line.len() + 1;
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first().is_some_and(|w| w.eq_ignore_ascii_case("user")) {
            if let Ok(spec) = acl::parse_user_args(&words[1..]) {
                let origin = Origin::File {
                    file: file.clone(),
                    line: index + 1,
                    column: 1,
                    offset: start,
                    len: line.trim_end().len(),
                };
                users.push(to_acl_user(spec, origin));
            }
        }
    }
    users
}
