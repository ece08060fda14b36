//! Effective settings: what redis-server runs with after reading the file,
//! i.e. the last value of each directive, accumulated repeatable ones, and
//! compiled-in defaults (not redis.conf's commented examples) for the rest.

use crate::conf::acl::{self, AclUserSpec};
use crate::conf::catalog::Directive;
use crate::conf::special::output_buffer_class;
use crate::conf::ParsedConfig;
use crate::facts::{AclUser, Facts, Origin, RenamedCommand, Secret, Value};
use std::collections::{BTreeMap, HashMap};

/// Writes `conf.*` facts, ACL users and renamed commands for a parsed config.
pub fn apply(parsed: &ParsedConfig, facts: &mut Facts) {
    let target = parsed.target;
    // One pass over the lines: each directive's occurrences, in file order.
    let mut by_name: HashMap<&str, Vec<(&Value, &Origin)>> = HashMap::new();
    for line in &parsed.directives {
        if let (Some(name), Some(value)) = (line.canonical.as_deref(), line.value.as_ref()) {
            by_name.entry(name).or_default().push((value, &line.origin));
        }
    }
    let defaults = super::defaults::for_target(&target);
    for (directive, default) in defaults.iter() {
        let seen = by_name
            .get(directive.name.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let (value, origin) = match &parsed.unseen {
            Some(reason) if seen.is_empty() => (
                Value::Unknown {
                    unknown: format!(
                        "`{}` is not set where redis-preflight can see it: {reason}",
                        directive.name
                    ),
                },
                Origin::Default,
            ),
            _ => effective_value(directive, default, seen),
        };
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

fn effective_value(directive: &Directive, default: &Value, seen: &[(&Value, &Origin)]) -> (Value, Origin) {
    let Some((last_value, last_origin)) = seen.last() else {
        return (default.clone(), Origin::Default);
    };
    if !directive.repeatable {
        return ((*last_value).clone(), (*last_origin).clone());
    }
    match directive.special.as_deref() {
        // The first `save` line replaces the defaults, later ones add points, `save ""` clears.
        Some("save") => {
            let mut points = Vec::new();
            let mut origin = Origin::Default;
            for &(value, at) in seen {
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
            record(default);
            let mut origin = Origin::Default;
            for (value, at) in seen.iter().copied() {
                record(value);
                origin = at.clone();
            }
            (Value::List(by_class.into_values().collect()), origin)
        }
        _ => {
            let mut items = Vec::new();
            let mut first_origin = None;
            for (value, at) in seen.iter().copied() {
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
    match &parsed.acl_file {
        // The ACL file replaces inline users (redis-server refuses both together).
        Some(acl_file) => match &acl_file.users {
            Ok(specs) => users.extend(
                specs
                    .iter()
                    .map(|(spec, origin)| to_acl_user(spec.clone(), origin.clone())),
            ),
            Err(reason) => {
                facts.acl_unknown = Some(format!("the aclfile could not be read here: {reason}"));
                return;
            }
        },
        None => {
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
            } else if matches!(fact.value, Value::Reference { .. } | Value::Unknown { .. })
                || (fact.origin.has_location() && fact.value.as_str() == Some(""))
            {
                // Kept elsewhere, unresolved, or explicitly empty: findings
                // about the default user point at where that was written.
                default.nopass = !matches!(fact.value, Value::Reference { .. } | Value::Unknown { .. });
                default.origin = fact.origin.clone();
            }
        }
        users.push(default);
    }
    facts.acl_users = users;
}

/// The loader's behaviour as the facts show it (reading and effective values together).
#[cfg(test)]
mod tests {
    use crate::conf::catalog::Target;
    use crate::conf::{load, LoadOptions, ParsedConfig};
    use crate::facts::{DiagnosticKind, Facts, Origin, Value};
    use std::path::{Path, PathBuf};

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn load_text(text: &str, version: &str) -> (ParsedConfig, Facts) {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "redis.conf", text);
        let parsed = load(&path, Target::parse(version).unwrap(), &LoadOptions::default()).unwrap();
        let mut facts = Facts::default();
        super::apply(&parsed, &mut facts);
        (parsed, facts)
    }

    fn rules_of(parsed: &ParsedConfig) -> Vec<DiagnosticKind> {
        parsed.diagnostics.iter().map(|d| d.kind).collect()
    }

    #[test]
    fn names_are_case_insensitive_and_values_typed() {
        let (parsed, facts) = load_text(
            "MAXMEMORY 2GB\nAppendOnly YES\nmaxmemory-policy ALLKEYS-LRU\nport 6380\n",
            "7.2",
        );
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(facts.value("conf.maxmemory"), Some(&Value::Int(2 << 30)));
        assert_eq!(facts.value("conf.appendonly"), Some(&Value::Bool(true)));
        assert_eq!(
            facts.value("conf.maxmemory-policy"),
            Some(&Value::Str("allkeys-lru".into()))
        );
        assert_eq!(facts.value("conf.port"), Some(&Value::Int(6380)));
    }

    #[test]
    fn single_valued_directives_take_the_last_value_and_report_the_duplicate() {
        let (parsed, facts) = load_text("port 6379\nport 6390\n", "7.2");
        assert_eq!(facts.value("conf.port"), Some(&Value::Int(6390)));
        assert_eq!(rules_of(&parsed), [DiagnosticKind::DuplicateDirective]);
        let Origin::File { line, .. } = &facts.get("conf.port").unwrap().origin else {
            panic!()
        };
        assert_eq!(*line, 2);
    }

    #[test]
    fn save_lines_replace_the_default_accumulate_and_reset() {
        let (_, facts) = load_text("port 6379\n", "7.2");
        assert_eq!(facts.value("conf.save").unwrap().as_list().unwrap().len(), 3);
        let (_, facts) = load_text("save 900 1\nsave 300 10\n", "7.2");
        let points: Vec<String> = facts
            .value("conf.save")
            .unwrap()
            .as_list()
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(points, ["900 1", "300 10"]);
        let (_, facts) = load_text("save 900 1\nsave \"\"\n", "7.2");
        assert_eq!(facts.value("conf.save"), Some(&Value::List(vec![])));
        let (parsed, _) = load_text("save 900\n", "7.2");
        assert_eq!(rules_of(&parsed), [DiagnosticKind::InvalidValue]);
    }

    #[test]
    fn bind_lists_keep_optional_addresses() {
        let (_, facts) = load_text("bind 127.0.0.1 -::1\n", "7.2");
        let bind: Vec<String> = facts
            .value("conf.bind")
            .unwrap()
            .as_list()
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(bind, ["127.0.0.1", "-::1"]);
        let (_, facts) = load_text("port 6379\n", "7.2");
        assert_eq!(facts.value("conf.bind").unwrap().to_string(), "*, -::*");
        assert_eq!(facts.get("conf.bind").unwrap().origin, Origin::Default);
    }

    #[test]
    fn quoted_values_and_escapes() {
        let (parsed, facts) = load_text("logfile \"/var/log/redis/a b.log\"\nrequirepass 'it\\'s'\n", "7.2");
        assert!(parsed.diagnostics.is_empty());
        assert_eq!(
            facts.value("conf.logfile"),
            Some(&Value::Str("/var/log/redis/a b.log".into()))
        );
        assert_eq!(facts.value("conf.requirepass").unwrap().as_str(), Some("it's"));
        // The displayed text masks the password, with the same length.
        assert_eq!(
            &*parsed.files[0].text,
            "logfile \"/var/log/redis/a b.log\"\nrequirepass *******\n"
        );
    }

    #[test]
    fn every_line_that_may_hold_a_password_is_masked_in_the_shown_text() {
        let text = "# requirepass commented1\n\
                    #masterauth commented2\n\
                    requirepas misspelled3\n\
                    masterpassword invented4\n\
                    requirepass \"unterminated5\n\
                    user alice on >plain6 <removed7 #0123abcd !0123abcd ~* +@all\n\
                    # user bob on >commented8\n\
                    sentinel auth-pass mymaster sentinel9 extra12\n\
                    user carol on \">quoted 13\" ~*\n\
                    primaryauth valkey10\n\
                    tls-key-file-pass tls11\n\
                    \x0c\x0cuser dave on\x0c>formfeed14 ~*\n\
                    user erin on \">esc\\\"aped 15\" ~*\n\
                    user frank on \"\\x3ehex16\" >ab\x0cfeed17 ~*\n\
                    # The password is not on this comment line, nor maxmemory 1gb\n\
                    tls-auth-clients optional\n\
                    maxmemory 2gb\n";
        let (parsed, _) = load_text(text, "7.2");
        let shown = &*parsed.files[0].text;
        assert_eq!(shown.len(), text.len());
        for secret in [
            "commented1",
            "commented2",
            "misspelled3",
            "invented4",
            "unterminated5",
            "plain6",
            "removed7",
            "0123abcd",
            "commented8",
            "sentinel9",
            "valkey10",
            "tls11",
            "extra12",
            "quoted",
            " 13",
            "formfeed14",
            "aped",
            " 15",
            "hex16",
            "feed17",
        ] {
            assert!(!shown.contains(secret), "{secret} is shown:\n{shown}");
        }
        // What is not a secret stays readable, so snippets still help.
        for kept in [
            "# requirepass ",
            "user alice on ",
            " ~* +@all",
            "sentinel auth-pass mymaster ",
            "# The password is not on this comment line, nor maxmemory 1gb",
            "tls-auth-clients optional",
            "maxmemory 2gb",
        ] {
            assert!(shown.contains(kept), "{kept:?} is masked:\n{shown}");
        }
    }

    #[test]
    fn syntax_errors_point_at_the_quote() {
        let (parsed, _) = load_text("port 6379\ndir \"/var/lib/redis\n", "7.2");
        let diagnostic = &parsed.diagnostics[0];
        assert_eq!(diagnostic.kind, DiagnosticKind::SyntaxError);
        let Origin::File { line, column, .. } = &diagnostic.origin else {
            panic!()
        };
        assert_eq!((*line, *column), (2, 5));
    }

    #[test]
    fn invalid_values_point_at_the_argument() {
        let (parsed, _) = load_text("maxmemory-policy allkeys-lfru\n", "7.2");
        let diagnostic = &parsed.diagnostics[0];
        assert_eq!(diagnostic.kind, DiagnosticKind::InvalidValue);
        assert!(diagnostic.message.contains("allkeys-lru"), "{}", diagnostic.message);
        let Origin::File { column, len, .. } = &diagnostic.origin else {
            panic!()
        };
        assert_eq!((*column, *len), (18, 12));
    }

    #[test]
    fn includes_relative_glob_missing_and_cycles() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("conf.d")).unwrap();
        write(&dir.path().join("conf.d"), "20-memory.conf", "maxmemory 1gb\n");
        write(&dir.path().join("conf.d"), "10-port.conf", "port 6390\nmaxmemory 2gb\n");
        write(dir.path(), "loop.conf", "include loop-b.conf\n");
        write(dir.path(), "loop-b.conf", "include loop.conf\n");
        let main = write(
            dir.path(),
            "redis.conf",
            "include conf.d/*.conf\ninclude missing.conf\ninclude loop.conf\n",
        );
        let parsed = load(&main, Target::DEFAULT, &LoadOptions::default()).unwrap();
        let mut facts = Facts::default();
        super::apply(&parsed, &mut facts);
        // Glob matches are read in sorted order: 20-memory.conf's value wins.
        assert_eq!(facts.value("conf.maxmemory"), Some(&Value::Int(1 << 30)));
        assert_eq!(facts.value("conf.port"), Some(&Value::Int(6390)));
        let errors: Vec<(&str, usize, &str)> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.kind == DiagnosticKind::IncludeError)
            .map(|d| match &d.origin {
                Origin::File { file, line, .. } => {
                    (file.file_name().unwrap().to_str().unwrap(), *line, d.message.as_str())
                }
                _ => panic!(),
            })
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!((errors[0].0, errors[0].1), ("redis.conf", 2));
        assert!(errors[0].2.contains("no such file"));
        assert_eq!((errors[1].0, errors[1].1), ("loop-b.conf", 1));
        assert!(errors[1].2.contains("include cycle"), "{}", errors[1].2);
    }

    #[test]
    fn include_depth_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..100 {
            write(dir.path(), &format!("{i}.conf"), &format!("include {}.conf\n", i + 1));
        }
        write(dir.path(), "100.conf", "port 6379\n");
        let err = load(&dir.path().join("0.conf"), Target::DEFAULT, &LoadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("nested more than 64 levels"), "{err}");
    }

    #[test]
    fn sentinel_directives_need_sentinel_mode() {
        let dir = tempfile::tempdir().unwrap();
        let text = "port 26379\nsentinel monitor m 127.0.0.1 6379 2\n";
        let path = write(dir.path(), "redis.conf", text);
        let parsed = load(&path, Target::DEFAULT, &LoadOptions::default()).unwrap();
        assert_eq!(rules_of(&parsed), [DiagnosticKind::SyntaxError]);
        let parsed = load(
            &path,
            Target::DEFAULT,
            &LoadOptions {
                sentinel: true,
                ..LoadOptions::default()
            },
        )
        .unwrap();
        assert!(parsed.diagnostics.is_empty());
        let path = write(dir.path(), "sentinel-26379.conf", text);
        let parsed = load(&path, Target::DEFAULT, &LoadOptions::default()).unwrap();
        assert!(
            parsed.sentinel && parsed.diagnostics.is_empty(),
            "named like a Sentinel config"
        );
    }

    #[test]
    fn acl_users_are_parsed_with_redacted_display() {
        let (parsed, facts) = load_text(
            "user app on >longenoughpassword ~app:* +@read\nuser default off\n",
            "7.2",
        );
        assert!(parsed.diagnostics.is_empty());
        let app = facts.acl_users.iter().find(|u| u.name == "app").unwrap();
        assert_eq!(app.passwords[0].expose(), "longenoughpassword");
        assert_eq!(
            facts.value("conf.user").unwrap().to_string(),
            "app on >******** ~app:* +@read, default off"
        );
        assert!(!facts.acl_users.iter().any(|u| u.name == "default" && u.enabled));
    }
}
