//! `redis-preflight.toml`: profile, gate threshold, rule selection, severity
//! overrides, thresholds and waivers. Validated against
//! `schemas/settings.schema.json`; errors point into the file.

use crate::dates::{format_date, parse_date};
use crate::error::InputError;
use crate::findings::Severity;
use crate::textfile::{line_column, read_text_file};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const FILE_NAME: &str = "redis-preflight.toml";
const SCHEMA: &str = include_str!("../schemas/settings.schema.json");

pub const PROFILES: [&str; 6] = [
    "self-hosted",
    "memorystore",
    "elasticache",
    "azure-cache",
    "redis-cloud",
    "development",
];

/// The numbers the rules compare against. One `Default`: what the rules use
/// when the settings file says nothing, and what `schemas/settings.schema.json`
/// documents (a test keeps the two equal).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    pub password_min_length: i64,
    pub max_ttl_seconds: i64,
    pub memory_pressure_percent: i64,
    pub hit_rate_min_percent: i64,
    pub clients_percent: i64,
    pub backup_max_age_hours: i64,
    pub backup_retention_days: i64,
    pub latency_p50_medium_ms: i64,
    pub latency_p50_high_ms: i64,
    pub cert_expiry_days: i64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            password_min_length: 32,
            max_ttl_seconds: 2_592_000,
            memory_pressure_percent: 80,
            hit_rate_min_percent: 80,
            clients_percent: 80,
            backup_max_age_hours: 24,
            backup_retention_days: 7,
            latency_p50_medium_ms: 1,
            latency_p50_high_ms: 10,
            cert_expiry_days: 30,
        }
    }
}

/// The eviction policy the guide expects when the settings name none.
pub const DEFAULT_EVICTION_POLICY: &str = "allkeys-lru";
/// The service tier when the settings name none.
pub const DEFAULT_TIER: &str = "basic";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub rule: String,
    pub subject: Option<String>,
    pub reason: String,
    pub expires: Option<String>,
    /// Line and byte offset of the `[[waiver]]` table in the settings file.
    #[serde(skip)]
    pub line: usize,
    #[serde(skip)]
    pub offset: usize,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub profile: Option<String>,
    pub fail_on: Option<String>,
    pub redis_version: Option<String>,
    pub env: Option<bool>,
    #[serde(default)]
    pub env_files: Vec<PathBuf>,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    pub eviction_policy: Option<String>,
    /// What every target is for (`cache`, `session`, `store`, `queue`),
    /// unless a `[[roles]]` entry names it; unset: inferred per target.
    pub role: Option<String>,
    /// Roles per target, by a glob on target ids; the first match wins.
    #[serde(default)]
    pub roles: Vec<RoleFor>,
    /// `basic` (default) or `standard` (high availability: a replica is required).
    pub tier: Option<String>,
    /// `required` or `optional`: run the live probe (as --probe).
    pub probe: Option<String>,
    #[serde(default)]
    pub thresholds: Thresholds,
    #[serde(default)]
    pub waiver: Vec<Waiver>,
    /// Attestations for checklist items no machine can see (`[[attest]]`).
    #[serde(default)]
    pub attest: Vec<Attestation>,
    /// Where the settings came from (None = built-in defaults) and its text.
    #[serde(skip)]
    pub path: Option<Arc<PathBuf>>,
    #[serde(skip)]
    pub text: Option<Arc<str>>,
}

impl Settings {
    /// The nearest `redis-preflight.toml` from `start` upward.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    pub fn load(path: &Path) -> Result<Settings, InputError> {
        let text = read_text_file(path).map_err(|reason| InputError::new(format!("settings file {reason}")))?;
        Settings::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Settings, InputError> {
        let document = toml_edit::ImDocument::parse(text).map_err(|e| {
            let at = e.span().map(|s| s.start).unwrap_or(0);
            let (line, column) = line_column(text, at);
            InputError::new(format!(
                "{}:{line}:{column}: invalid TOML: {}",
                path.display(),
                e.message()
            ))
        })?;
        let value: toml::Value = toml::from_str(text)
            .map_err(|e| InputError::new(format!("{}: invalid TOML: {}", path.display(), e.message())))?;
        let json = serde_json::to_value(&value).map_err(|e| InputError::new(format!("{}: {e}", path.display())))?;
        let schema: serde_json::Value = serde_json::from_str(SCHEMA)
            .map_err(|e| InputError::new(format!("internal error: settings schema: {e}")))?;
        let validator = jsonschema::validator_for(&schema)
            .map_err(|e| InputError::new(format!("internal error: settings schema: {e}")))?;
        let mut problems: Vec<(usize, String)> = validator
            .iter_errors(&json)
            .map(|error| {
                let pointer = error.instance_path.to_string();
                let at = span_of_pointer(&document, &pointer).unwrap_or(0);
                let (line, column) = line_column(text, at);
                let place = if pointer.is_empty() {
                    String::new()
                } else {
                    format!(" at `{}`", pointer.trim_start_matches('/').replace('/', "."))
                };
                (at, format!("{}:{line}:{column}: {error}{place}", path.display()))
            })
            .collect();
        if !problems.is_empty() {
            problems.sort();
            let lines: Vec<String> = problems.into_iter().map(|(_, m)| m).collect();
            return Err(InputError::new(format!(
                "invalid settings file:\n  {}",
                lines.join("\n  ")
            )));
        }
        let mut settings: Settings = value
            .try_into()
            .map_err(|e: toml::de::Error| InputError::new(format!("{}: {}", path.display(), e.message())))?;
        for (index, waiver) in settings.waiver.iter_mut().enumerate() {
            let at = span_of_pointer(&document, &format!("/waiver/{index}")).unwrap_or(0);
            waiver.line = line_column(text, at).0;
            waiver.offset = at;
        }
        for (index, attestation) in settings.attest.iter_mut().enumerate() {
            let at = span_of_pointer(&document, &format!("/attest/{index}")).unwrap_or(0);
            attestation.line = line_column(text, at).0;
        }
        for (index, entry) in settings.roles.iter().enumerate() {
            if let Err(error) = glob::Pattern::new(&entry.target) {
                let at = span_of_pointer(&document, &format!("/roles/{index}/target")).unwrap_or(0);
                let (line, column) = line_column(text, at);
                return Err(InputError::new(format!(
                    "{}:{line}:{column}: `{}` in [[roles]] is not a valid glob: {}",
                    path.display(),
                    entry.target,
                    error.msg
                )));
            }
        }
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        settings.env_files = settings.env_files.iter().map(|f| base.join(f)).collect();
        settings.path = Some(Arc::new(path.to_path_buf()));
        settings.text = Some(Arc::from(text));
        Ok(settings)
    }

    pub fn fail_on(&self) -> Result<Option<Severity>, InputError> {
        parse_fail_on(self.fail_on.as_deref().unwrap_or("high"))
    }
}

/// What an instance is for: it decides which eviction policy and how much
/// persistence it needs.
pub const ROLES: [&str; 4] = ["cache", "session", "store", "queue"];

/// One `[[roles]]` entry: the role of the targets whose id matches a glob.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleFor {
    /// A glob on target ids, e.g. `compose:*#sessions` or `*#worker-redis`.
    pub target: String,
    pub role: String,
}

impl Settings {
    /// The role the settings give a target, and the setting that says so.
    pub fn role_of(&self, target_id: &str) -> Option<(&str, String)> {
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: false,
            require_literal_leading_dot: false,
        };
        self.roles
            .iter()
            .find(|entry| {
                glob::Pattern::new(&entry.target).is_ok_and(|pattern| pattern.matches_with(target_id, options))
            })
            .map(|entry| {
                (
                    entry.role.as_str(),
                    format!("`[[roles]] target = \"{}\"`", entry.target),
                )
            })
            .or_else(|| {
                self.role
                    .as_deref()
                    .map(|role| (role, "`role` in redis-preflight.toml".to_string()))
            })
    }
}

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

/// `none` means never fail; otherwise a severity.
pub fn parse_fail_on(text: &str) -> Result<Option<Severity>, InputError> {
    if text.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    Severity::parse(text).map(Some).ok_or_else(|| {
        InputError::new(format!(
            "invalid --fail-on `{text}`: expected critical, high, medium, low, info or none"
        ))
    })
}

/// Byte offset of the TOML item a JSON pointer names (the deepest one found).
fn span_of_pointer(document: &toml_edit::ImDocument<&str>, pointer: &str) -> Option<usize> {
    let mut item: &toml_edit::Item = document.as_item();
    let mut best = None;
    for segment in pointer.split('/').filter(|s| !s.is_empty()) {
        let next = match item {
            toml_edit::Item::Table(table) => {
                if let Some(key) = table.key(segment) {
                    best = key.span().map(|s| s.start).or(best);
                }
                table.get(segment)
            }
            toml_edit::Item::ArrayOfTables(array) => {
                let index: usize = segment.parse().ok()?;
                let table = array.get(index)?;
                best = table.span().map(|s| s.start).or(best);
                // A table inside an array of tables: continue from it.
                return descend_table(table, pointer, segment, best);
            }
            toml_edit::Item::Value(value) => {
                return descend_value(
                    value,
                    pointer
                        .split('/')
                        .filter(|s| !s.is_empty())
                        .skip_while(|s| *s != segment)
                        .collect(),
                    best,
                );
            }
            toml_edit::Item::None => None,
        };
        match next {
            Some(found) => {
                best = found.span().map(|s| s.start).or(best);
                item = found;
            }
            None => return best,
        }
    }
    best
}

fn descend_table(table: &toml_edit::Table, pointer: &str, after: &str, mut best: Option<usize>) -> Option<usize> {
    let segments: Vec<&str> = pointer.split('/').filter(|s| !s.is_empty()).collect();
    let start = segments
        .iter()
        .position(|s| *s == after)
        .map(|p| p + 1)
        .unwrap_or(segments.len());
    let mut current = table;
    for segment in &segments[start..] {
        if let Some(key) = current.key(segment) {
            best = key.span().map(|s| s.start).or(best);
        }
        match current.get(segment) {
            Some(toml_edit::Item::Table(inner)) => current = inner,
            Some(other) => return other.span().map(|s| s.start).or(best),
            None => return best,
        }
    }
    best
}

fn descend_value(value: &toml_edit::Value, segments: Vec<&str>, best: Option<usize>) -> Option<usize> {
    let mut current = value;
    let mut best = current.span().map(|s| s.start).or(best);
    for segment in segments {
        let next = match current {
            toml_edit::Value::Array(array) => segment.parse().ok().and_then(|i: usize| array.get(i)),
            toml_edit::Value::InlineTable(table) => table.get(segment),
            _ => None,
        };
        match next {
            Some(found) => {
                best = found.span().map(|s| s.start).or(best);
                current = found;
            }
            None => break,
        }
    }
    best
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

    #[test]
    fn schema_documents_the_default_thresholds() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        let properties = &schema["properties"]["thresholds"]["properties"];
        let defaults = Thresholds::default();
        let expected = [
            ("memory_pressure_percent", defaults.memory_pressure_percent),
            ("hit_rate_min_percent", defaults.hit_rate_min_percent),
            ("clients_percent", defaults.clients_percent),
            ("backup_max_age_hours", defaults.backup_max_age_hours),
            ("backup_retention_days", defaults.backup_retention_days),
            ("latency_p50_medium_ms", defaults.latency_p50_medium_ms),
            ("latency_p50_high_ms", defaults.latency_p50_high_ms),
            ("cert_expiry_days", defaults.cert_expiry_days),
            ("password_min_length", defaults.password_min_length),
            ("max_ttl_seconds", defaults.max_ttl_seconds),
        ];
        for (name, value) in expected {
            let description = properties[name]["description"].as_str().unwrap_or_default();
            assert!(
                description.contains(&format!("(default {value}")),
                "schema description of thresholds.{name} must say `(default {value}`: {description}"
            );
        }
    }

    #[test]
    fn valid_settings_load() {
        let text = "profile = \"redis-cloud\"\nfail_on = \"medium\"\nselect = [\"auth\", \"tls.disabled\"]\n[severity]\n\"network.default-port\" = \"info\"\n[[waiver]]\nrule = \"memory.maxmemory-unset\"\nreason = \"sized by the operator\"\nexpires = \"2099-01-01\"\n";
        let s = Settings::parse(Path::new("redis-preflight.toml"), text).unwrap();
        assert_eq!(s.profile.as_deref(), Some("redis-cloud"));
        assert_eq!(s.waiver[0].line, 6);
        assert_eq!(s.severity["network.default-port"], Severity::Info);
    }

    #[test]
    fn errors_point_into_the_file() {
        let text = "profile = \"self-hosted\"\n\n[[waiver]]\nrule = \"memory.maxmemory-unset\"\n";
        let err = Settings::parse(Path::new("p.toml"), text).unwrap_err().to_string();
        assert!(err.contains("p.toml:3:"), "{err}");
        assert!(err.contains("reason"), "{err}");
        let err = Settings::parse(Path::new("p.toml"), "fail_on = \"sometimes\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("p.toml:1:"), "{err}");
        let err = Settings::parse(Path::new("p.toml"), "profile = \n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid TOML"), "{err}");
    }
}
