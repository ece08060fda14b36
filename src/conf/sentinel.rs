//! `sentinel ...` statements, validated as Sentinel does when it loads its
//! config: known statement, argument count, quorum and port, and that
//! per-master statements name a master already declared with `monitor`.

use super::catalog::{Product, Target};
use super::special::DirectiveError;
use crate::facts::DiagnosticKind;
use std::collections::HashSet;

/// (statement, argument counts (the statement included, `sentinel` not), per-master, first Redis line, last Redis line)
type Statement = (&'static str, &'static [usize], bool, (u32, u32), Option<(u32, u32)>);

const STATEMENTS: &[Statement] = &[
    ("monitor", &[5], false, (2, 6), None),
    ("down-after-milliseconds", &[3], true, (2, 6), None),
    ("failover-timeout", &[3], true, (2, 6), None),
    ("parallel-syncs", &[3], true, (2, 6), None),
    ("can-failover", &[3], true, (2, 6), Some((2, 6))),
    ("notification-script", &[3], true, (2, 6), None),
    ("client-reconfig-script", &[3], true, (2, 6), None),
    ("auth-pass", &[3], true, (2, 6), None),
    ("auth-user", &[3], true, (6, 0), None),
    ("config-epoch", &[3], true, (2, 8), None),
    ("leader-epoch", &[3], true, (2, 8), None),
    ("known-slave", &[4], true, (2, 8), None),
    ("known-replica", &[4], true, (5, 0), None),
    ("known-sentinel", &[4, 5], true, (2, 8), None),
    ("rename-command", &[4], true, (4, 0), None),
    ("master-reboot-down-after-period", &[3], true, (7, 0), None),
    ("current-epoch", &[2], false, (2, 8), None),
    ("myid", &[2], false, (2, 8), None),
    ("announce-ip", &[2], false, (2, 8), None),
    ("announce-port", &[2], false, (2, 8), None),
    ("deny-scripts-reconfig", &[2], false, (3, 2), None),
    ("resolve-hostnames", &[2], false, (6, 2), None),
    ("announce-hostnames", &[2], false, (6, 2), None),
    ("sentinel-user", &[2], false, (6, 2), None),
    ("sentinel-pass", &[2], false, (6, 2), None),
];

/// Valkey 8 renamed the `master` statements; the old names are still read.
const VALKEY_8_STATEMENTS: &[Statement] = &[("primary-reboot-down-after-period", &[3], true, (8, 0), None)];

#[derive(Default)]
pub struct SentinelState {
    masters: HashSet<String>,
}

fn invalid(message: &str, arg: Option<usize>) -> DirectiveError {
    DirectiveError {
        kind: DiagnosticKind::InvalidValue,
        message: message.to_string(),
        arg,
    }
}

fn available(statement: &Statement, target: &Target) -> bool {
    let (_, _, _, first, last) = *statement;
    let line = match target.product {
        Product::Redis => (target.major, target.minor),
        // Valkey 7.2 forked from Redis 7.2 and keeps every statement of it.
        Product::Valkey => (7, 2),
    };
    line >= first && last.is_none_or(|last| line <= last)
}

impl SentinelState {
    /// Checks one `sentinel` line; `args` excludes the word `sentinel`.
    pub fn check(&mut self, args: &[&str], target: &Target) -> Result<(), DirectiveError> {
        let Some(name) = args.first().map(|a| a.to_ascii_lowercase()) else {
            return Err(invalid("Unrecognized sentinel configuration statement.", None));
        };
        let valkey_8 = target.product == Product::Valkey && target.major >= 8;
        let statement = STATEMENTS
            .iter()
            .chain(VALKEY_8_STATEMENTS.iter().filter(|_| valkey_8))
            .find(|s| s.0 == name && (valkey_8 || available(s, target)));
        let Some(&(_, counts, per_master, _, _)) = statement else {
            return Err(invalid("Unrecognized sentinel configuration statement.", Some(0)));
        };
        if !counts.contains(&args.len()) {
            return Err(invalid("Unrecognized sentinel configuration statement.", None));
        }
        if name == "monitor" {
            let quorum: i64 = args[4].parse().unwrap_or(0);
            if quorum <= 0 {
                return Err(invalid("Quorum must be 1 or greater.", Some(4)));
            }
            if !args[3].parse::<i64>().is_ok_and(|port| (0..=65535).contains(&port)) {
                return Err(invalid("Invalid port number.", Some(3)));
            }
            if !self.masters.insert(args[1].to_string()) {
                return Err(invalid("Duplicate master name.", Some(1)));
            }
        } else if per_master && !self.masters.contains(args[1]) {
            return Err(invalid("No such master with specified name.", Some(1)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Sentinel says of each line, in order: `None` when it accepts it.
    fn said(lines: &[&str], version: &str) -> Vec<Option<String>> {
        let target = Target::parse(version).unwrap();
        let mut state = SentinelState::default();
        lines
            .iter()
            .map(|line| {
                let args: Vec<&str> = line.split(' ').collect();
                state.check(&args, &target).err().map(|e| e.message)
            })
            .collect()
    }

    #[test]
    fn statements_are_checked_as_sentinel_loads_them() {
        let no = |message: &str| Some(message.to_string());
        assert_eq!(
            said(
                &[
                    "monitor m 10.0.0.1 6379 2",
                    "auth-pass m secret",
                    "down-after-milliseconds other 1000",
                    "monitor m 10.0.0.2 6379 2",
                    "monitor n 10.0.0.2 6379 0",
                    "monitor o 10.0.0.2 65536 1",
                    "auth-pass m",
                    "no-such-statement x",
                    "master-reboot-down-after-period m 1000",
                ],
                "7.0"
            ),
            [
                None,
                None,
                no("No such master with specified name."),
                no("Duplicate master name."),
                no("Quorum must be 1 or greater."),
                no("Invalid port number."),
                no("Unrecognized sentinel configuration statement."),
                no("Unrecognized sentinel configuration statement."),
                None,
            ]
        );
        // A statement newer than the line is unknown to it.
        assert_eq!(
            said(
                &["monitor m 10.0.0.1 6379 2", "master-reboot-down-after-period m 1000"],
                "6.2"
            )[1],
            no("Unrecognized sentinel configuration statement.")
        );
    }
}
