//! Attestations (`[[attest]]` in redis-preflight.toml) for checklist items no
//! machine can see, and the evidence the checklist audit shows: for every rule
//! that ran, the facts it read and their values (secrets print masked).

use crate::facts::{Facts, Origin};
use crate::rules::{Check, Evaluation, RulePack};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Days a `password-rotated` attestation stays valid when it names no `expires`.
pub const PASSWORD_ROTATION_DAYS: i64 = 90;

/// One `[[attest]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// A checklist item id (`schemas/checklist.json`).
    pub item: String,
    /// Who attests.
    pub by: String,
    /// When (`YYYY-MM-DD`).
    pub date: String,
    /// What was done or seen: a ticket, a runbook, a dashboard.
    pub evidence: String,
    /// After this date (`YYYY-MM-DD`) the item fails again.
    pub expires: Option<String>,
    /// Line of the `[[attest]]` table in the settings file.
    #[serde(skip)]
    pub line: usize,
}

impl Attestation {
    /// The expiry date: the given one, else 90 days after `date` for password rotation.
    pub fn effective_expiry(&self) -> Option<String> {
        if let Some(expires) = &self.expires {
            return Some(expires.clone());
        }
        if self.item == "password-rotated" {
            return parse_date(&self.date).map(|days| format_date(days + PASSWORD_ROTATION_DAYS));
        }
        None
    }

    /// Expired on `today` (`YYYY-MM-DD`)?
    pub fn is_expired(&self, today: &str) -> bool {
        self.effective_expiry().is_some_and(|e| e.as_str() < today)
    }
}

/// A value a rule read: the fact path, its printed value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub fact: String,
    pub value: String,
    pub origin: String,
}

/// What the checklist audit needs beyond findings: attestations, today and evidence.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    pub attestations: Vec<Attestation>,
    /// `YYYY-MM-DD`.
    pub today: String,
    /// Rule id → the values it read, for every rule that ran.
    pub evidence: BTreeMap<String, Vec<Seen>>,
}

const MAX_VALUE_CHARS: usize = 120;

impl Audit {
    pub fn new(attestations: &[Attestation], today: &str) -> Audit {
        Audit {
            attestations: attestations.to_vec(),
            today: today.to_string(),
            evidence: BTreeMap::new(),
        }
    }

    /// Records the facts each rule that runs on `facts` reads (called once per config).
    pub fn collect(&mut self, pack: &RulePack, facts: &Facts, evaluation: &Evaluation<'_>) {
        for rule in &pack.rules {
            if !evaluation.runs(rule, facts) {
                continue;
            }
            let mut paths = Vec::new();
            if let Check::When(condition) = &rule.check {
                condition.facts(&mut paths);
            }
            let mut expanded = Vec::new();
            for path in paths {
                if path == "$" {
                    expanded.extend(rule.for_each.iter().cloned());
                } else {
                    expanded.push(path);
                }
            }
            let seen = self.evidence.entry(rule.id.clone()).or_default();
            for path in expanded {
                let Some(fact) = facts.get(&path) else {
                    continue;
                };
                let mut value = fact.value.to_string();
                if value.chars().count() > MAX_VALUE_CHARS {
                    value = value.chars().take(MAX_VALUE_CHARS).collect::<String>() + "…";
                }
                let item = Seen {
                    fact: path,
                    value,
                    origin: describe_origin(&fact.origin),
                };
                if !seen.contains(&item) {
                    seen.push(item);
                }
            }
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

/// `YYYY-MM-DD` to days since 1970-01-01.
pub fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Days since 1970-01-01 to `YYYY-MM-DD`.
pub fn format_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attestation(item: &str, date: &str, expires: Option<&str>) -> Attestation {
        Attestation {
            item: item.into(),
            by: "ops@example.com".into(),
            date: date.into(),
            evidence: "OPS-1".into(),
            expires: expires.map(String::from),
            line: 1,
        }
    }

    #[test]
    fn dates_round_trip() {
        for date in ["1970-01-01", "2000-02-29", "2024-12-31", "2025-03-01"] {
            assert_eq!(format_date(parse_date(date).unwrap()), date);
        }
        assert_eq!(parse_date("2025-13-01"), None);
        assert_eq!(parse_date("soon"), None);
    }

    #[test]
    fn password_rotation_expires_after_90_days() {
        let a = attestation("password-rotated", "2025-01-01", None);
        assert_eq!(a.effective_expiry().as_deref(), Some("2025-04-01"));
        assert!(!a.is_expired("2025-04-01"));
        assert!(a.is_expired("2025-04-02"));
        let b = attestation("failover-tested", "2020-01-01", None);
        assert!(!b.is_expired("2099-01-01"));
        let c = attestation("failover-tested", "2020-01-01", Some("2021-01-01"));
        assert!(c.is_expired("2021-01-02"));
    }
}
