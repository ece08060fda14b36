//! The only commands the probe may send. Every command goes through
//! `command()`, so this list is the whole truth about what the probe does to
//! a server: read-only, and none of it costs more with a bigger keyspace.

/// Allowed commands, as (command, subcommand) in upper case. `AUTH` is sent
/// by the connection setup itself (`client`), before any of these.
pub const ALLOWED: &[(&str, Option<&str>)] = &[
    ("PING", None),
    ("HELLO", None),
    ("AUTH", None),
    ("INFO", None),
    ("CONFIG", Some("GET")),
    ("ACL", Some("WHOAMI")),
    ("ACL", Some("LIST")),
    ("ACL", Some("DRYRUN")),
    ("COMMAND", Some("INFO")),
    ("LATENCY", Some("LATEST")),
    ("SLOWLOG", Some("LEN")),
    ("MEMORY", Some("DOCTOR")),
    ("CLUSTER", Some("INFO")),
    ("ROLE", None),
    ("DBSIZE", None),
];

/// Whether a command (its words) is on the allow-list.
pub fn is_allowed(words: &[&str]) -> bool {
    let Some(first) = words.first() else { return false };
    let first = first.to_ascii_uppercase();
    let second = words.get(1).map(|w| w.to_ascii_uppercase());
    ALLOWED.iter().any(|(command, sub)| {
        *command == first
            && match sub {
                None => true,
                Some(sub) => second.as_deref() == Some(*sub),
            }
    })
}

/// Refuses anything off the allow-list. A refusal is a bug in
/// redis-preflight, never something a server or user can cause.
pub fn check(words: &[&str]) -> Result<(), String> {
    if !is_allowed(words) {
        return Err(format!(
            "internal error: `{}` is not on the probe's allow-list",
            words.first().copied().unwrap_or("")
        ));
    }
    Ok(())
}

/// Whether the command's second word names a subcommand (`CONFIG GET`).
pub fn has_subcommand(words: &[&str]) -> bool {
    let Some(first) = words.first() else { return false };
    ALLOWED
        .iter()
        .any(|(command, sub)| command.eq_ignore_ascii_case(first) && sub.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_read_only_commands_pass() {
        assert!(is_allowed(&["INFO"]));
        assert!(is_allowed(&["info", "memory"]));
        assert!(is_allowed(&["CONFIG", "GET", "*"]));
        assert!(is_allowed(&["acl", "dryrun", "app", "flushall"]));
        for bad in [
            &["CONFIG", "SET", "x", "y"][..],
            &["KEYS", "*"],
            &["SCAN", "0"],
            &["FLUSHALL"],
            &["ACL", "SETUSER", "x"],
            &["DEBUG", "SLEEP", "1"],
            &["SHUTDOWN"],
            &[],
        ] {
            assert!(!is_allowed(bad), "{bad:?}");
            assert!(check(bad).is_err());
        }
    }
}
