//! ACL rules from `user` directives and ACL files, parsed enough to answer
//! production questions (who can log in without a password, who may run
//! FLUSHALL) and to redact passwords before anything is shown.

pub struct AclError {
    pub message: String,
    pub arg: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct AclUserSpec {
    pub name: String,
    pub enabled: bool,
    pub nopass: bool,
    pub passwords: Vec<String>,
    pub hashed_passwords: usize,
    /// The SHA-256 hashes given with `#` (lower case), for `!` removals.
    hashes: Vec<String>,
    pub command_rules: Vec<String>,
    pub key_patterns: Vec<String>,
    /// The rules as written, passwords replaced, for display.
    redacted: Vec<String>,
}

impl AclUserSpec {
    pub fn redacted_line(&self) -> String {
        let mut parts = vec![self.name.clone()];
        parts.extend(self.redacted.iter().cloned());
        parts.join(" ")
    }
}

fn is_hex_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Parses `user <name> <rule>...` arguments (the name first).
pub fn parse_user_args(args: &[&str]) -> Result<AclUserSpec, AclError> {
    let Some((name, rules)) = args.split_first() else {
        return Err(AclError {
            message: "a user needs a name".into(),
            arg: None,
        });
    };
    if name.is_empty() || name.contains(' ') {
        return Err(AclError {
            message: "invalid user name".into(),
            arg: Some(0),
        });
    }
    let mut user = AclUserSpec {
        name: name.to_string(),
        ..AclUserSpec::default()
    };
    let mut index = 0;
    while index < rules.len() {
        let rule = rules[index];
        let arg = Some(index + 1);
        // redis-server accepts an empty rule (`user alice ""`) and does nothing with it.
        if rule.is_empty() {
            index += 1;
            continue;
        }
        // A selector `(+get ~key*)` may span several arguments.
        if rule.starts_with('(') {
            let mut end = index;
            while !rules[end].ends_with(')') {
                end += 1;
                if end >= rules.len() {
                    return Err(AclError {
                        message: format!("Error in user declaration '{name}': unmatched parenthesis in selector"),
                        arg,
                    });
                }
            }
            user.redacted.push(rules[index..=end].join(" "));
            index = end + 1;
            continue;
        }
        let lower = rule.to_ascii_lowercase();
        let mut shown = rule.to_string();
        match lower.as_str() {
            "on" => user.enabled = true,
            "off" => user.enabled = false,
            "nopass" => {
                user.nopass = true;
                user.passwords.clear();
                user.hashed_passwords = 0;
                user.hashes.clear();
            }
            "resetpass" => {
                user.nopass = false;
                user.passwords.clear();
                user.hashed_passwords = 0;
                user.hashes.clear();
            }
            "allkeys"
            | "resetkeys"
            | "allchannels"
            | "resetchannels"
            | "skip-sanitize-payload"
            | "sanitize-payload"
            | "clearselectors" => {
                if lower == "allkeys" {
                    user.key_patterns.push("allkeys".into());
                } else if lower == "resetkeys" {
                    user.key_patterns.clear();
                }
            }
            "allcommands" | "nocommands" => user.command_rules.push(lower.clone()),
            "reset" => {
                user = AclUserSpec {
                    name: name.to_string(),
                    ..AclUserSpec::default()
                };
            }
            _ => match rule.as_bytes()[0] {
                b'>' => {
                    user.passwords.push(rule[1..].to_string());
                    user.nopass = false;
                    shown = ">********".into();
                }
                b'<' => {
                    let removed = &rule[1..];
                    // A password given as a hash may be the one removed: that cannot be told here.
                    if !user.passwords.iter().any(|p| p == removed) && user.hashes.is_empty() {
                        return Err(AclError {
                            message: format!("Error in user declaration '{name}': The password you are trying to remove from the user does not exist"),
                            arg,
                        });
                    }
                    user.passwords.retain(|p| p != removed);
                    shown = "<********".into();
                }
                b'#' => {
                    if !is_hex_sha256(&rule[1..]) {
                        return Err(AclError {
                            message: format!("Error in user declaration '{name}': the password hash must be exactly 64 hexadecimal characters"),
                            arg,
                        });
                    }
                    user.hashed_passwords += 1;
                    user.hashes.push(rule[1..].to_ascii_lowercase());
                    user.nopass = false;
                    shown = "#<sha256>".into();
                }
                b'!' => {
                    if !is_hex_sha256(&rule[1..]) {
                        return Err(AclError { message: format!("Error in user declaration '{name}': the password hash must be exactly 64 hexadecimal characters"), arg });
                    }
                    let removed = rule[1..].to_ascii_lowercase();
                    // A clear password's hash may be the one removed: that cannot be told here.
                    if !user.hashes.contains(&removed) && user.passwords.is_empty() {
                        return Err(AclError {
                            message: format!("Error in user declaration '{name}': The password hash you are trying to remove from the user does not exist"),
                            arg,
                        });
                    }
                    user.hashes.retain(|h| *h != removed);
                    user.hashed_passwords = user.hashes.len();
                    shown = "!<sha256>".into();
                }
                b'~' | b'&' => {
                    if rule.as_bytes()[0] == b'~' {
                        user.key_patterns.push(rule.to_string());
                    }
                }
                b'%' => {
                    let valid = rule[1..].find('~').is_some_and(|tilde| {
                        let flags = &rule[1..1 + tilde];
                        !flags.is_empty() && flags.chars().all(|c| matches!(c, 'R' | 'W' | 'r' | 'w'))
                    });
                    if !valid {
                        return Err(AclError {
                            message: format!("Error in user declaration '{name}': Syntax error in `{rule}`"),
                            arg,
                        });
                    }
                    user.key_patterns.push(rule.to_string());
                }
                b'+' | b'-' if rule.len() > 1 => user.command_rules.push(lower.clone()),
                _ => {
                    return Err(AclError {
                        message: format!("Error in user declaration '{name}': Syntax error in `{rule}`"),
                        arg,
                    })
                }
            },
        }
        user.redacted.push(shown);
        index += 1;
    }
    Ok(user)
}

/// Parses a `user` line and checks that every command and category it names
/// exists on the target, as redis-server does when it loads the ACL.
pub fn parse_user_args_for(args: &[&str], target: &super::catalog::Target) -> Result<AclUserSpec, AclError> {
    if target.product == super::catalog::Product::Redis && target.major < 7 {
        // Selectors, `clearselectors` and `%R~`/`%W~` key permissions came with 7.0.
        let newer = args
            .iter()
            .skip(1)
            .position(|rule| rule.starts_with(['(', '%']) || rule.eq_ignore_ascii_case("clearselectors"));
        if let Some(index) = newer {
            return Err(AclError {
                message: format!(
                    "Error in user declaration '{}': Syntax error in `{}` (selectors and %R~/%W~ came with Redis 7.0)",
                    args[0],
                    args[index + 1]
                ),
                arg: Some(index + 1),
            });
        }
    }
    let user = parse_user_args(args)?;
    let from_7 = target.product == super::catalog::Product::Valkey || target.major >= 7;
    for rule in &user.command_rules {
        let Some(what) = rule.strip_prefix('+').or_else(|| rule.strip_prefix('-')) else {
            continue;
        };
        let removing = rule.starts_with('-');
        let problem = if from_7 {
            subcommand_problem(removing, what)
        } else if removing && what.contains('|') {
            // Measured on 6.2.14: `-config|get` loads; `-client|list`, `-get|x` and
            // `-config|nosuch` stop the ACL ("Unknown command").
            let known_config = what
                .strip_prefix("config|")
                .is_some_and(|sub| subcommand_problem(true, &format!("config|{sub}")).is_none());
            (!known_config).then_some("Unknown command: Redis before 7.0 removes no subcommand but CONFIG's")
        } else {
            None
        };
        if let Some(why) = problem {
            let arg = args.iter().position(|a| a.eq_ignore_ascii_case(rule));
            return Err(AclError {
                message: format!("Error in user declaration '{}': {why} (`{rule}`)", user.name),
                arg,
            });
        }
        let known = match what.strip_prefix('@') {
            Some(category) => super::commands::is_category(category),
            None => super::commands::exists(what.split('|').next().unwrap_or(what), target),
        };
        if !known {
            let arg = args.iter().position(|a| a.eq_ignore_ascii_case(rule));
            return Err(AclError {
                message: format!(
                    "Error in user declaration '{}': Unknown command or category name in ACL `{rule}`",
                    user.name
                ),
                arg,
            });
        }
    }
    Ok(user)
}

/// Why Redis 7.0 refuses a `+cmd|sub` or `-cmd|sub` rule: a container
/// command takes only its own subcommands, a plain command only `+cmd|first-arg`.
fn subcommand_problem(removing: bool, what: &str) -> Option<&'static str> {
    let (command, rest) = what.split_once('|')?;
    if command.starts_with('@') {
        return None;
    }
    if rest.contains('|') {
        return Some("Allowing first-arg of a subcommand is not supported");
    }
    match super::commands::subcommands(command) {
        Some(known) if !known.iter().any(|sub| sub.eq_ignore_ascii_case(rest)) => {
            Some("Unknown subcommand in ACL rule: redis-server stops loading the ACL")
        }
        Some(_) => None,
        None if removing => {
            Some("Removing a first-arg of a command is not supported: redis-server stops loading the ACL")
        }
        None => None,
    }
}

/// The built-in default user when no `user default` line exists.
/// The `user <name> <rules>` lines of an ACL file: each parsed user with its
/// 1-based line, and the byte offset and length of the line.
pub fn parse_acl_file(text: &str) -> Vec<(AclUserSpec, usize, usize, usize)> {
    let mut users = Vec::new();
    let mut offset = 0;
    for (index, line) in text.split('\n').enumerate() {
        let start = offset;
        offset += line.len() + 1;
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first().is_some_and(|w| w.eq_ignore_ascii_case("user")) {
            if let Ok(spec) = parse_user_args(&words[1..]) {
                users.push((spec, index + 1, start, line.trim_end().len()));
            }
        }
    }
    users
}

pub fn implicit_default_user() -> AclUserSpec {
    AclUserSpec {
        name: "default".into(),
        enabled: true,
        nopass: true,
        command_rules: vec!["+@all".into()],
        key_patterns: vec!["~*".into()],
        redacted: vec!["on".into(), "nopass".into(), "~*".into(), "&*".into(), "+@all".into()],
        ..AclUserSpec::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_rules_selectors_and_key_resets_are_read_in_order() {
        let user = parse_user_args(&["alice", "on", "", "(+get ~k*)", "(+set", "~a*)", ">pw", "allkeys"])
            .unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(
            user.redacted[1..3],
            ["(+get ~k*)".to_string(), "(+set ~a*)".to_string()]
        );
        assert_eq!(user.key_patterns, ["allkeys"]);
        assert!(user.enabled);
        let reset = parse_user_args(&["bob", "~a*", "allkeys", "resetkeys", "resetchannels"])
            .unwrap_or_else(|e| panic!("{}", e.message));
        assert!(reset.key_patterns.is_empty(), "{:?}", reset.key_patterns);
    }

    #[test]
    fn reset_keeps_only_the_name_and_the_implicit_default_user_is_open() {
        let Ok(user) = parse_user_args(&["alice", "on", ">pw", "~*", "+@all", "reset", "+get"]) else {
            panic!("refused");
        };
        assert_eq!(user.name, "alice");
        assert!(!user.enabled && user.passwords.is_empty() && user.key_patterns.is_empty());
        assert_eq!(user.command_rules, ["+get"]);
        let open = implicit_default_user();
        assert!(open.enabled && open.nopass);
        assert_eq!(
            (open.command_rules, open.key_patterns),
            (vec!["+@all".to_string()], vec!["~*".to_string()])
        );
    }

    #[test]
    fn a_bad_rule_is_blamed_by_its_place_on_the_line() {
        let Err(error) = parse_user_args(&["alice", "on", "", "bogus"]) else {
            panic!("`bogus` accepted");
        };
        assert_eq!(error.arg, Some(3));
    }

    #[test]
    fn before_7_0_a_selector_is_refused_naming_it() {
        let target = super::super::catalog::Target::parse("6.2").unwrap();
        let Err(error) = parse_user_args_for(&["alice", "on", "(+get", "~k*)"], &target) else {
            panic!("a selector accepted on 6.2");
        };
        assert_eq!(error.arg, Some(2));
        assert!(error.message.contains("`(+get`"), "{}", error.message);
        assert!(parse_user_args_for(
            &["alice", "on", "(+get", "~k*)"],
            &super::super::catalog::Target::parse("7.0").unwrap()
        )
        .is_ok());
    }

    #[test]
    fn an_empty_rule_is_accepted_and_ignored() {
        let Ok(user) = parse_user_args(&["alice", ""]) else {
            panic!("an empty rule must be accepted, as redis-server does");
        };
        assert_eq!(user.name, "alice");
        assert!(!user.enabled);
        assert_eq!(user.redacted_line(), "alice");
    }

    fn user(line: &str) -> AclUserSpec {
        let args: Vec<&str> = line.split_whitespace().collect();
        parse_user_args(&args).unwrap_or_else(|e| panic!("{}", e.message))
    }

    #[test]
    fn passwords_are_collected_and_redacted() {
        let u = user("app on >s3cret ~cache:* +@read +get -flushall");
        assert_eq!(u.passwords, ["s3cret"]);
        assert!(u.enabled);
        assert!(!u.redacted_line().contains("s3cret"));
        assert!(u.redacted_line().contains(">********"));
    }

    #[test]
    fn redis_6_refuses_the_acl_syntax_of_7_0() {
        let t62 = super::super::catalog::Target::parse("6.2").unwrap();
        let t70 = super::super::catalog::Target::parse("7.0").unwrap();
        for rule in ["(+get ~k*)", "clearselectors", "%R~k*", "%RW~k*"] {
            let args: Vec<&str> = ["bob", "on"].into_iter().chain(rule.split(' ')).collect();
            assert!(parse_user_args_for(&args, &t62).is_err(), "{rule}");
            assert!(parse_user_args_for(&args, &t70).is_ok(), "{rule}");
        }
    }

    #[test]
    fn removing_a_password_the_user_does_not_have_is_refused() {
        assert!(parse_user_args(&["bob", "on", "<nopw"]).is_err());
        assert!(parse_user_args(&["bob", "on", ">pw", "<pw"]).is_ok());
        assert!(parse_user_args(&["bob", "on", ">pw", "resetpass", "<pw"]).is_err());
        let zeros = format!("#{}", "0".repeat(64));
        let ones = format!("!{}", "1".repeat(64));
        assert!(parse_user_args(&["bob", "on", &zeros, &ones]).is_err());
        assert!(parse_user_args(&["bob", "on", &zeros, &format!("!{}", "0".repeat(64))]).is_ok());
    }

    #[test]
    fn subcommand_rules_are_checked_from_7_0() {
        let t62 = super::super::catalog::Target::parse("6.2").unwrap();
        let t70 = super::super::catalog::Target::parse("7.0").unwrap();
        // Measured on 7.0.15, Valkey 8.1.8 and 9.1.2; 6.2.14 accepts the `+` ones.
        for refused in [
            "+config|nosuch",
            "+acl|nosuch",
            "+client|list|x",
            "-flushall|async",
            "-select|0",
        ] {
            assert!(parse_user_args_for(&["bob", "on", refused], &t70).is_err(), "{refused}");
        }
        for accepted in ["+config|get", "-config|get", "+flushall|async", "+select|0", "+get|x"] {
            assert!(
                parse_user_args_for(&["bob", "on", accepted], &t70).is_ok(),
                "{accepted}"
            );
        }
        for lenient in ["+config|nosuch", "+client|list|x", "-config|get"] {
            assert!(parse_user_args_for(&["bob", "on", lenient], &t62).is_ok(), "{lenient}");
        }
        for refused in ["-client|list", "-get|x", "-acl|nosuch", "-config|nosuch"] {
            assert!(parse_user_args_for(&["bob", "on", refused], &t62).is_err(), "{refused}");
        }
    }

    #[test]
    fn invalid_rules_are_refused() {
        assert!(parse_user_args(&["bob", "on", "bogus"]).is_err());
        assert!(parse_user_args(&["bob", "#abc"]).is_err());
        assert!(parse_user_args(&["bob", "%X~k"]).is_err());
        assert!(parse_user_args(&["bob", "on", "(+get", "~k*"]).is_err());
        assert!(parse_user_args(&["bob", "on", "(+get", "~k*)"]).is_ok());
    }
}
