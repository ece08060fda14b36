//! Command names and ACL categories redis-server knows (`schemas/commands.json`),
//! for `rename-command` and ACL rules, which redis-server refuses to load when
//! they name an unknown command.

use super::catalog::{Product, Target};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

const COMMANDS_JSON: &str = include_str!("../../schemas/commands.json");

/// A command an application should never be able to run.
pub struct DangerousCommand {
    /// Lower case, as ACL rules name it.
    pub name: &'static str,
    /// Its ACL categories (a `+@admin` grant reaches it).
    pub categories: &'static [&'static str],
    /// The arguments the probe's `ACL DRYRUN` checks it with.
    pub dryrun: &'static [&'static str],
}

/// The one list of dangerous commands: the static ACL check and the live
/// `ACL DRYRUN` both read it.
pub const DANGEROUS_COMMANDS: &[DangerousCommand] = &[
    DangerousCommand {
        name: "flushall",
        categories: &["keyspace", "write", "slow", "dangerous"],
        dryrun: &["FLUSHALL"],
    },
    DangerousCommand {
        name: "flushdb",
        categories: &["keyspace", "write", "slow", "dangerous"],
        dryrun: &["FLUSHDB"],
    },
    DangerousCommand {
        name: "config",
        categories: &["admin", "slow", "dangerous"],
        dryrun: &["CONFIG", "SET", "maxmemory", "0"],
    },
    DangerousCommand {
        name: "keys",
        categories: &["keyspace", "read", "slow", "dangerous"],
        dryrun: &["KEYS", "*"],
    },
    DangerousCommand {
        name: "debug",
        categories: &["admin", "slow", "dangerous"],
        dryrun: &["DEBUG", "SLEEP", "0"],
    },
    DangerousCommand {
        name: "shutdown",
        categories: &["admin", "slow", "dangerous"],
        dryrun: &["SHUTDOWN"],
    },
    DangerousCommand {
        name: "module",
        categories: &["admin", "slow", "dangerous"],
        dryrun: &["MODULE", "LIST"],
    },
];

#[derive(Deserialize)]
struct Entry {
    name: String,
    /// First Redis line with the command (absent: older than every line
    /// covered; `null`: Redis does not have it).
    #[serde(default, deserialize_with = "present_or_null")]
    redis: Option<Option<String>>,
    /// `null` when Valkey does not have it; absent when it does.
    #[serde(default, deserialize_with = "present_or_null")]
    valkey: Option<Option<String>>,
    /// The subcommands of a container command (`config get`), lower case.
    #[serde(default)]
    subcommands: Vec<String>,
}

fn present_or_null<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::deserialize(deserializer)?))
}

#[derive(Deserialize)]
struct CommandsFile {
    categories: Vec<String>,
    commands: Vec<Entry>,
}

struct Commands {
    categories: Vec<String>,
    by_name: HashMap<String, Entry>,
}

fn commands() -> &'static Commands {
    static COMMANDS: OnceLock<Commands> = OnceLock::new();
    COMMANDS.get_or_init(|| {
        // Checked by tests; an unreadable embedded table would be a build defect.
        let file: CommandsFile = serde_json::from_str(COMMANDS_JSON).expect("embedded schemas/commands.json is valid");
        Commands {
            categories: file.categories,
            by_name: file.commands.into_iter().map(|e| (e.name.clone(), e)).collect(),
        }
    })
}

fn parse_line(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Whether a command (lower-case, without subcommand) exists on a target.
pub fn exists(name: &str, target: &Target) -> bool {
    let Some(entry) = commands().by_name.get(name) else {
        return false;
    };
    let since = match &entry.redis {
        Some(None) => None,
        Some(Some(line)) => parse_line(line),
        None => Some((0, 0)),
    };
    match target.product {
        Product::Redis => since.is_some_and(|since| (target.major, target.minor) >= since),
        Product::Valkey => match &entry.valkey {
            Some(None) => false,
            Some(Some(line)) => parse_line(line).is_some_and(|l| (target.major, target.minor) >= l),
            None => since.is_some_and(|since| since <= (7, 2)),
        },
    }
}

/// The subcommands of a container command (`config`: get, set, ...), or None
/// for a plain command.
pub fn subcommands(name: &str) -> Option<&'static [String]> {
    commands()
        .by_name
        .get(name)
        .map(|entry| entry.subcommands.as_slice())
        .filter(|subcommands| !subcommands.is_empty())
}

pub fn is_category(name: &str) -> bool {
    commands().categories.iter().any(|c| c == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_by_version() {
        let t70 = Target::parse("7.0").unwrap();
        assert!(exists("flushall", &t70));
        assert!(exists("function", &t70));
        assert!(!exists("function", &Target::parse("6.2").unwrap()));
        assert!(!exists("hexpire", &t70));
        assert!(exists("hexpire", &Target::parse("7.4").unwrap()));
        assert!(!exists("hexpire", &Target::parse("valkey-8.0").unwrap()));
        // Measured with COMMAND LIST on Valkey 8.1.8 and 9.1.2.
        assert!(exists("hexpire", &Target::parse("valkey-9.0").unwrap()));
        assert!(exists("commandlog", &Target::parse("valkey-8.1").unwrap()));
        assert!(!exists("commandlog", &Target::parse("8.0").unwrap()));
        assert!(!exists("hgetdel", &Target::parse("valkey-9.0").unwrap()));
        assert!(subcommands("config").is_some_and(|s| s.iter().any(|s| s == "get")));
        assert!(subcommands("get").is_none());
        assert!(!exists("nosuchcmd", &t70));
        assert!(is_category("dangerous") && !is_category("dangerzone"));
    }
}
