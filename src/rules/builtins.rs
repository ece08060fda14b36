//! Checks that need code (password strength, IP ranges, ACL semantics),
//! referenced by name from the rule files. Each is a pure function of facts:
//! no I/O, and nothing it returns contains a secret.

use super::Rule;
use crate::conf::commands::DANGEROUS_COMMANDS;
use crate::env::parse_bool;
use crate::facts::{AclUser, DiagnosticKind, Facts, Origin, Secret, Source, Value};
use crate::findings::{Severity, State};
use crate::settings::Thresholds;
use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::LazyLock;

/// One thing a builtin found.
#[derive(Debug, Clone, Default)]
pub struct Hit {
    pub subject: String,
    pub detail: String,
    pub origin: Origin,
    /// `Warn`: the builtin could not verify (the facts it needs are unknown).
    pub state: State,
    /// Overrides the rule's severity when it depends on the value (latency, expiry).
    pub severity: Option<Severity>,
}

type Builtin = fn(&Rule, &Facts) -> Vec<Hit>;

const BUILTINS: &[(&str, Builtin)] = &[
    ("config_diagnostics", config_diagnostics),
    ("bind_all_interfaces", bind_all_interfaces),
    ("port_published", port_published),
    ("public_access", public_access),
    ("unixsocket_permissive", unixsocket_permissive),
    ("no_password", no_password),
    ("weak_password", weak_password),
    ("placeholder_password", placeholder_password),
    ("cleartext_acl_password", cleartext_acl_password),
    ("default_user_unrestricted", default_user_unrestricted),
    ("dangerous_commands", dangerous_commands),
    ("output_buffer_unlimited", output_buffer_unlimited),
    ("plaintext_url", plaintext_url),
    ("public_host", public_host),
    ("password_mismatch", password_mismatch),
    ("tls_verify_disabled", tls_verify_disabled),
    ("ttl_invalid", ttl_invalid),
    ("suppression_meta", suppression_meta),
    ("config_drift", config_drift),
    ("latency_high", latency_high),
    ("tls_cert_expiring", tls_cert_expiring),
    ("version_eol", version_eol),
    ("deploy_version_eol", deploy_version_eol),
];

/// The facts a builtin reads that a checklist audit shows as evidence
/// (its other inputs are side tables: ACL users, diagnostics, env variables).
pub fn reads(name: &str) -> &'static [&'static str] {
    match name {
        "no_password" => &["conf.requirepass"],
        "weak_password" | "placeholder_password" => &["conf.requirepass", "env.url.password"],
        "port_published" => &["deploy.port_published", "deploy.published_address"],
        "public_access" => &["managed.public", "conf.requirepass"],
        "deploy_version_eol" => &["deploy.version", "managed.engine_version"],
        "bind_all_interfaces" => &["conf.bind", "deploy.container", "deploy.port_published"],
        "unixsocket_permissive" => &["conf.unixsocket", "conf.unixsocketperm"],
        _ => &[],
    }
}

pub fn exists(name: &str) -> bool {
    BUILTINS.iter().any(|(n, _)| *n == name)
}

pub fn names() -> impl Iterator<Item = &'static str> {
    BUILTINS.iter().map(|(n, _)| *n)
}

pub fn run(name: &str, rule: &Rule, facts: &Facts) -> Vec<Hit> {
    BUILTINS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| f(rule, facts))
        .unwrap_or_default()
}

fn fact_origin(facts: &Facts, path: &str) -> Origin {
    facts.get(path).map(|f| f.origin.clone()).unwrap_or(Origin::Default)
}

/// The rule that reports each kind of config diagnostic.
pub fn diagnostic_rule(kind: DiagnosticKind) -> &'static str {
    match kind {
        DiagnosticKind::SyntaxError => "config.syntax-error",
        DiagnosticKind::UnknownDirective => "config.unknown-directive",
        DiagnosticKind::InvalidValue => "config.invalid-value",
        DiagnosticKind::DuplicateDirective => "config.duplicate-directive",
        DiagnosticKind::DeprecatedDirective => "config.deprecated-directive",
        DiagnosticKind::IncludeError => "config.include-error",
        DiagnosticKind::Template => "config.unrendered-template",
        DiagnosticKind::ValueOverflow => "config.value-overflow",
    }
}

fn config_diagnostics(rule: &Rule, facts: &Facts) -> Vec<Hit> {
    facts
        .diagnostics
        .iter()
        .filter(|d| diagnostic_rule(d.kind) == rule.id)
        .map(|d| Hit {
            subject: d.subject.clone(),
            detail: d.message.clone(),
            origin: d.origin.clone(),
            ..Default::default()
        })
        .collect()
}

/// Waiver and inline-suppression findings are made after evaluation (they
/// depend on which findings exist), so the rule itself finds nothing.
fn suppression_meta(_: &Rule, _: &Facts) -> Vec<Hit> {
    Vec::new()
}

// ---------------------------------------------------------------- live

fn config_drift(_: &Rule, facts: &Facts) -> Vec<Hit> {
    if let Some(reason) = &facts.drift_unknown {
        return vec![Hit {
            subject: "CONFIG GET".into(),
            detail: reason.clone(),
            state: State::Warn,
            origin: Origin::Live,
            ..Default::default()
        }];
    }
    facts
        .drift
        .iter()
        .map(|drift| {
            let detail = if drift.file_value.is_secret() || drift.live_value.is_secret() {
                "the running value differs from the file (values hidden: it is a secret)".to_string()
            } else {
                format!(
                    "the file says `{}`, the server runs `{}`",
                    drift.file_text, drift.live_text
                )
            };
            Hit {
                subject: drift.name.clone(),
                detail,
                origin: drift.origin.clone(),
                ..Default::default()
            }
        })
        .collect()
}

fn int_fact(facts: &Facts, path: &str) -> Option<i64> {
    facts.value(path).and_then(Value::as_int)
}

fn latency_high(_: &Rule, facts: &Facts) -> Vec<Hit> {
    let Some(p50) = int_fact(facts, "live.latency.p50_us") else {
        return Vec::new();
    };
    let defaults = Thresholds::default();
    let medium = int_fact(facts, "settings.latency_medium_us").unwrap_or(defaults.latency_p50_medium_ms * 1000);
    let high = int_fact(facts, "settings.latency_high_us").unwrap_or(defaults.latency_p50_high_ms * 1000);
    let severity = if p50 > high {
        Severity::High
    } else if p50 > medium {
        Severity::Medium
    } else {
        return Vec::new();
    };
    let p99 = int_fact(facts, "live.latency.p99_us").unwrap_or(p50);
    vec![Hit {
        subject: "latency".into(),
        detail: format!(
            "p50 {:.2} ms, p99 {:.2} ms over PING round trips",
            p50 as f64 / 1000.0,
            p99 as f64 / 1000.0
        ),
        origin: Origin::Live,
        severity: Some(severity),
        ..Default::default()
    }]
}

fn tls_cert_expiring(_: &Rule, facts: &Facts) -> Vec<Hit> {
    let Some(days) = int_fact(facts, "live.tls.cert_days_left") else {
        return Vec::new();
    };
    let limit = int_fact(facts, "settings.cert_expiry_days").unwrap_or(Thresholds::default().cert_expiry_days);
    let (severity, detail) = if days < 0 {
        (Severity::Critical, format!("it expired {} day(s) ago", -days))
    } else if days < limit {
        (Severity::High, format!("it expires in {days} day(s)"))
    } else {
        return Vec::new();
    };
    vec![Hit {
        subject: "server certificate".into(),
        detail,
        origin: Origin::Live,
        severity: Some(severity),
        ..Default::default()
    }]
}

/// Whether a Redis release line (major, minor) is past end of life: every
/// line before 7.0 gets no security fixes. Valkey lines are not judged.
pub fn redis_line_eol(major: i64, minor: i64) -> bool {
    major * 100 + minor < 700
}

/// A release line a deployment pins (`deploy.version`: `6`, `6.2`, `7.0`,
/// `valkey-8.0`) that is past end of life; undecided when the version is.
fn deploy_version_eol(_: &Rule, facts: &Facts) -> Vec<Hit> {
    let Some(fact) = facts.get("deploy.version") else {
        return Vec::new();
    };
    let line = match &fact.value {
        Value::Unknown { unknown } => {
            return vec![Hit {
                subject: "version".into(),
                detail: unknown.clone(),
                origin: fact.origin.clone(),
                state: State::Warn,
                ..Default::default()
            }]
        }
        other => other.to_string(),
    };
    if line.starts_with("valkey") {
        return Vec::new();
    }
    let mut parts = line.split('.');
    let Some(major) = parts.next().and_then(|m| m.trim().parse::<i64>().ok()) else {
        return Vec::new();
    };
    let minor = parts.next().and_then(|m| m.parse::<i64>().ok()).unwrap_or(0);
    if !redis_line_eol(major, minor) {
        return Vec::new();
    }
    let written = facts
        .value("managed.engine_version")
        .map(|v| format!(" (`{v}`)"))
        .unwrap_or_default();
    vec![Hit {
        subject: "version".into(),
        detail: format!("Redis {line}{written} is past end of life and no longer receives security fixes"),
        origin: fact.origin.clone(),
        ..Default::default()
    }]
}

fn version_eol(_: &Rule, facts: &Facts) -> Vec<Hit> {
    // Valkey reports `redis_version` 7.2.4 for compatibility; its own version is `valkey_version`.
    if facts.value("live.product").and_then(Value::as_str) == Some("valkey") {
        return Vec::new();
    }
    let Some(number) = int_fact(facts, "live.version_number") else {
        return Vec::new();
    };
    if !redis_line_eol(number / 100, number % 100) {
        return Vec::new();
    }
    let version = facts.value("live.version").map(|v| v.to_string()).unwrap_or_default();
    vec![Hit {
        subject: "redis_version".into(),
        detail: format!("Redis {version} no longer receives security fixes"),
        origin: Origin::Live,
        ..Default::default()
    }]
}

// ---------------------------------------------------------------- network

fn is_wildcard_bind(address: &str) -> bool {
    let address = address.trim_start_matches('-');
    matches!(address, "*" | "::*" | "0.0.0.0" | "::" | "0:0:0:0:0:0:0:0")
}

fn bind_all_interfaces(_: &Rule, facts: &Facts) -> Vec<Hit> {
    let Some(fact) = facts.get("conf.bind") else {
        return Vec::new();
    };
    let Some(addresses) = fact.value.as_list() else {
        return Vec::new();
    };
    let written: Vec<String> = addresses
        .iter()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    let detail = if written.is_empty() {
        "no `bind` address, and before 7.0 that means every interface".to_string()
    } else if let Some(wildcard) = written.iter().find(|a| is_wildcard_bind(a)) {
        let how = if matches!(fact.origin, Origin::Default) {
            "the compiled-in default"
        } else {
            "the config"
        };
        format!(
            "`bind {}` from {how} includes the wildcard `{wildcard}`",
            written.join(" ")
        )
    } else {
        return Vec::new();
    };
    // Inside a container every interface is the container's own: unless the
    // port is published, only the container's network reaches it.
    let in_container = facts.value("deploy.container").and_then(Value::as_bool) == Some(true)
        && facts.value("deploy.host_network").and_then(Value::as_bool) != Some(true);
    let published = facts.value("deploy.port_published").and_then(Value::as_bool) == Some(true);
    let (detail, severity) = if in_container && !published {
        (
            format!("{detail}; inside a container whose port is not published that is normal: only its own network can connect"),
            Some(Severity::Info),
        )
    } else {
        (detail, None)
    };
    vec![Hit {
        subject: "bind".into(),
        detail,
        origin: fact.origin.clone(),
        severity,
        ..Default::default()
    }]
}

/// The Redis port is reachable from outside the host: critical without a
/// password, high with one, undecided when the password cannot be seen.
fn port_published(rule: &Rule, facts: &Facts) -> Vec<Hit> {
    let Some(fact) = facts.get("deploy.port_published") else {
        return Vec::new();
    };
    if fact.value.as_bool() != Some(true) {
        return Vec::new();
    }
    let address = facts
        .value("deploy.published_address")
        .map(|v| v.to_string())
        .unwrap_or_else(|| "outside the host".into());
    let open = no_password(rule, facts);
    let (severity, auth) = if open.iter().any(|h| h.state == State::Fail) {
        (
            Severity::Critical,
            "and clients need no password: anyone who can reach it owns the data",
        )
    } else if open.is_empty() {
        (Severity::High, "behind a password only")
    } else {
        (
            Severity::High,
            "and whether clients need a password could not be verified",
        )
    };
    vec![Hit {
        subject: "ports".into(),
        detail: format!("the Redis port is published on {address}, {auth}"),
        origin: fact.origin.clone(),
        severity: Some(severity),
        ..Default::default()
    }]
}

/// A managed endpoint reachable from the internet: critical without AUTH,
/// high with it, high and undecided when AUTH cannot be seen; undecided
/// when whether it is public cannot be seen.
fn public_access(rule: &Rule, facts: &Facts) -> Vec<Hit> {
    let Some(fact) = facts.get("managed.public") else {
        return Vec::new();
    };
    match &fact.value {
        Value::Unknown { unknown } => {
            return vec![Hit {
                subject: "public access".into(),
                detail: unknown.clone(),
                origin: fact.origin.clone(),
                state: State::Warn,
                ..Default::default()
            }]
        }
        value if value.as_bool() != Some(true) => return Vec::new(),
        _ => {}
    }
    let open = no_password(rule, facts);
    let (severity, state, auth) = if open.iter().any(|h| h.state == State::Fail) {
        (
            Severity::Critical,
            State::Fail,
            "and clients need no password (no AUTH): anyone on the internet owns the data".to_string(),
        )
    } else if open.is_empty() {
        (
            Severity::High,
            State::Fail,
            "behind AUTH only: exposed to password guessing and to every future vulnerability".to_string(),
        )
    } else {
        let why = open.first().map(|h| h.detail.clone()).unwrap_or_default();
        (
            Severity::High,
            State::Warn,
            format!("reachable from the internet, and whether clients need a password could not be verified: {why}"),
        )
    };
    vec![Hit {
        subject: "public access".into(),
        detail: if state == State::Warn {
            auth
        } else {
            format!("the endpoint is reachable from the internet {auth}")
        },
        origin: fact.origin.clone(),
        state,
        severity: Some(severity),
    }]
}

fn unixsocket_permissive(_: &Rule, facts: &Facts) -> Vec<Hit> {
    let socket = facts.value("conf.unixsocket").and_then(Value::as_str).unwrap_or("");
    if socket.is_empty() {
        return Vec::new();
    }
    let Some(fact) = facts.get("conf.unixsocketperm") else {
        return Vec::new();
    };
    let Some(mode) = fact.value.as_int() else {
        return Vec::new();
    };
    // connect(2) on a unix socket needs write permission: only the others'
    // write bit lets every local user in.
    if mode & 0o002 == 0 {
        return Vec::new();
    }
    vec![Hit {
        subject: "unixsocketperm".into(),
        detail: format!("`{socket}` is created with mode {mode:o}: every local user can connect"),
        origin: fact.origin.clone(),
        ..Default::default()
    }]
}

// ---------------------------------------------------------------- auth

fn user_subject(user: &AclUser) -> String {
    format!("ACL user `{}`", user.name)
}

/// A WARN hit when the ACL users could not be read (ACL LIST refused).
fn acl_unknown(facts: &Facts) -> Option<Vec<Hit>> {
    facts.acl_unknown.as_ref().map(|reason| {
        vec![Hit {
            subject: "ACL users".into(),
            detail: reason.clone(),
            state: State::Warn,
            origin: Origin::Live,
            ..Default::default()
        }]
    })
}

fn no_password(_: &Rule, facts: &Facts) -> Vec<Hit> {
    if let Some(unknown) = acl_unknown(facts) {
        return unknown;
    }
    facts
        .acl_users
        .iter()
        .filter(|u| {
            u.enabled && (u.nopass || (u.passwords.is_empty() && u.hashed_passwords == 0 && u.name == "default"))
        })
        .filter_map(|u| {
            // `requirepass` from a Secret is set (not a finding); from an
            // unresolved variable it cannot be verified.
            let requirepass = facts.get("conf.requirepass").filter(|f| f.origin == u.origin);
            match requirepass.map(|f| &f.value) {
                Some(Value::Reference { .. }) => return None,
                Some(Value::Unknown { unknown }) => {
                    return Some(Hit {
                        subject: "the default user".into(),
                        detail: unknown.clone(),
                        state: State::Warn,
                        origin: u.origin.clone(),
                        ..Default::default()
                    })
                }
                _ => {}
            }
            Some(u).map(|u| {
                let detail = if u.name == "default" && matches!(u.origin, Origin::Default) {
                    "no `requirepass` and no `user default` line, so the default user is `on nopass`".to_string()
                } else if requirepass.is_some() {
                    "`requirepass` is empty, so the default user is `on nopass`".to_string()
                } else {
                    format!("`user {}` is enabled with `nopass`", u.name)
                };
                let subject = if u.name == "default" {
                    "the default user".to_string()
                } else {
                    user_subject(u)
                };
                Hit {
                    subject,
                    detail,
                    origin: u.origin.clone(),
                    ..Default::default()
                }
            })
        })
        .collect()
}

/// Every password redis-preflight can see, with what to call it and where it is.
fn all_passwords(facts: &Facts) -> Vec<(String, Secret, Origin)> {
    let mut out = Vec::new();
    for (path, subject) in [("conf.requirepass", "requirepass"), ("conf.masterauth", "masterauth")] {
        if let Some(fact) = facts.get(path) {
            if let Value::Secret(secret) = &fact.value {
                if !secret.expose().is_empty() && !matches!(fact.origin, Origin::Default) {
                    out.push((subject.to_string(), secret.clone(), fact.origin.clone()));
                }
            }
        }
    }
    for user in &facts.acl_users {
        // The implicit default user's password is `requirepass`, already listed.
        if matches!(user.origin, Origin::Default)
            || (user.name == "default" && facts.get("conf.requirepass").is_some_and(|f| f.origin == user.origin))
        {
            continue;
        }
        for password in &user.passwords {
            out.push((user_subject(user), password.clone(), user.origin.clone()));
        }
    }
    for (path, subject) in [
        ("env.REDIS_PASSWORD", "REDIS_PASSWORD"),
        ("env.url.password", "the REDIS_URL password"),
    ] {
        if let Some(fact) = facts.get(path) {
            if let Value::Secret(secret) = &fact.value {
                if !secret.expose().is_empty() {
                    out.push((subject.to_string(), secret.clone(), fact.origin.clone()));
                }
            }
        }
    }
    out
}

/// Passwords published as defaults or examples, grouped under `# source:` lines.
const KNOWN_PASSWORDS_FILE: &str = include_str!("../../rules/data/known-passwords.txt");

/// The entries of a known-passwords file: trimmed lines, without blank and `#` lines.
fn known_password_entries(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Lower-cased, so a lookup of the lower-cased password is case-insensitive.
static KNOWN_PASSWORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    known_password_entries(KNOWN_PASSWORDS_FILE)
        .map(str::to_ascii_lowercase)
        .collect()
});

/// Why a password is a placeholder, if it is one.
pub fn placeholder_reason(password: &str) -> Option<&'static str> {
    let lower = password.trim().to_ascii_lowercase();
    if KNOWN_PASSWORDS.contains(&lower) {
        return Some("it is on the list of passwords published as defaults or examples");
    }
    let template = (lower.starts_with("${") && lower.ends_with('}'))
        || (lower.starts_with("{{") && lower.ends_with("}}"))
        || (lower.starts_with('<') && lower.ends_with('>'))
        || (lower.starts_with('%') && lower.ends_with('%') && lower.len() > 2);
    if template {
        return Some("it is an unexpanded template variable");
    }
    let markers = [
        "changeme",
        "change_me",
        "change-me",
        "replace_me",
        "replaceme",
        "your_",
        "your-",
        "_here",
        "placeholder",
        "example",
    ];
    if markers.iter().any(|m| lower.contains(m)) {
        return Some("it looks like an example value that was never replaced");
    }
    if lower.len() >= 3 && lower.chars().all(|c| c == lower.chars().next().unwrap_or(' ')) {
        return Some("it repeats a single character");
    }
    None
}

/// Shannon entropy of the password's own characters, in bits per character.
pub fn entropy_bits_per_char(password: &str) -> f64 {
    let chars: Vec<char> = password.chars().collect();
    if chars.is_empty() {
        return 0.0;
    }
    let mut counts = std::collections::HashMap::new();
    for c in &chars {
        *counts.entry(*c).or_insert(0usize) += 1;
    }
    let total = chars.len() as f64;
    counts
        .values()
        .map(|&n| {
            let p = n as f64 / total;
            -p * p.log2()
        })
        .sum()
}

/// Below this many bits per character a long password is still guessable
/// (`passwordpasswordpassword…` scores 2.75; random hex about 3.9).
const MIN_BITS_PER_CHAR: f64 = 3.0;

/// Why a password is weak, if it is.
pub fn weakness(password: &str, min_length: usize) -> Option<String> {
    let length = password.chars().count();
    if length < min_length {
        return Some(format!("{length} characters, fewer than the required {min_length}"));
    }
    let bits = entropy_bits_per_char(password);
    if bits < MIN_BITS_PER_CHAR {
        return Some(format!(
            "low entropy: {bits:.1} bits per character (repetitive or few distinct characters)"
        ));
    }
    None
}

fn min_password_length(facts: &Facts) -> usize {
    facts
        .value("settings.password_min_length")
        .and_then(Value::as_int)
        .unwrap_or(Thresholds::default().password_min_length)
        .try_into()
        .unwrap_or(usize::MAX)
}

/// Shorter passwords are a high finding (issue 11's bands: under 12 high, 12-31 medium).
const SHORT_PASSWORD_CHARS: usize = 12;

fn weak_password(_: &Rule, facts: &Facts) -> Vec<Hit> {
    let min_length = min_password_length(facts);
    all_passwords(facts)
        .into_iter()
        // A placeholder is reported by auth.placeholder-password; saying "weak" too is noise.
        .filter(|(_, secret, _)| placeholder_reason(secret.expose()).is_none())
        .filter_map(|(subject, secret, origin)| {
            weakness(secret.expose(), min_length).map(|detail| Hit {
                // Under 12 characters a password falls to online guessing
                // within days at Redis's speed: high; longer but short of the
                // minimum (or guessable): the rule's severity.
                severity: (secret.expose().chars().count() < SHORT_PASSWORD_CHARS).then_some(Severity::High),
                subject,
                detail,
                origin,
                ..Default::default()
            })
        })
        .collect()
}

fn placeholder_password(_: &Rule, facts: &Facts) -> Vec<Hit> {
    all_passwords(facts)
        .into_iter()
        .filter_map(|(subject, secret, origin)| {
            placeholder_reason(secret.expose()).map(|reason| Hit {
                subject,
                detail: reason.to_string(),
                origin,
                ..Default::default()
            })
        })
        .collect()
}

fn cleartext_acl_password(_: &Rule, facts: &Facts) -> Vec<Hit> {
    facts
        .acl_users
        .iter()
        .filter(|u| !u.passwords.is_empty() && matches!(u.origin, Origin::File { .. }))
        // requirepass is the implicit default user's password, not an ACL line.
        .filter(|u| !(u.name == "default" && facts.get("conf.requirepass").is_some_and(|f| f.origin == u.origin)))
        .map(|u| Hit {
            subject: format!("`{}`", u.name),
            detail: format!("{} `>password` rule(s) instead of `#<sha256>`", u.passwords.len()),
            origin: u.origin.clone(),
            ..Default::default()
        })
        .collect()
}

fn default_user_unrestricted(_: &Rule, facts: &Facts) -> Vec<Hit> {
    // Before 6.0 there are no ACLs: the fix (a restricted default user) does not exist.
    if !has_acls(facts) {
        return Vec::new();
    }
    if let Some(unknown) = acl_unknown(facts) {
        return unknown;
    }
    facts
        .acl_users
        .iter()
        .filter(|u| u.name == "default" && u.enabled)
        .filter(|u| acl_all_commands(u) && acl_all_keys(u))
        .map(|u| Hit {
            subject: "the default user".into(),
            detail: "it may run every command on every key (`~* +@all`)".into(),
            origin: u.origin.clone(),
            ..Default::default()
        })
        .collect()
}

/// Whether the target's release line has ACL users (Redis 6.0+, every Valkey).
fn has_acls(facts: &Facts) -> bool {
    let product = facts.value("target.product").and_then(Value::as_str).unwrap_or("redis");
    let major = facts
        .value("target.line")
        .and_then(Value::as_str)
        .and_then(|line| line.split('.').next()?.parse::<u32>().ok());
    product != "redis" || major.is_none_or(|major| major >= 6)
}

fn acl_all_commands(user: &AclUser) -> bool {
    let last_all = user
        .command_rules
        .iter()
        .rposition(|r| r == "+@all" || r == "allcommands");
    last_all.is_some_and(|at| {
        !user.command_rules[at + 1..]
            .iter()
            .any(|r| r.starts_with('-') || r == "nocommands")
    })
}

fn acl_all_keys(user: &AclUser) -> bool {
    user.key_patterns
        .iter()
        .any(|k| k == "~*" || k == "allkeys" || k == "%RW~*")
}

fn acl_may_run(user: &AclUser, command: &str, categories: &[&str]) -> bool {
    let mut allowed = false;
    for rule in &user.command_rules {
        let (grant, what) = match rule.as_str() {
            "allcommands" => (true, "@all"),
            "nocommands" => (false, "@all"),
            other => match (other.strip_prefix('+'), other.strip_prefix('-')) {
                (Some(rest), _) => (true, rest),
                (_, Some(rest)) => (false, rest),
                _ => continue,
            },
        };
        let applies = match what.strip_prefix('@') {
            Some(category) => category == "all" || categories.contains(&category),
            // `+config|get` grants one subcommand only, not the whole command.
            None => what == command,
        };
        if applies {
            allowed = grant;
        }
    }
    allowed
}

fn dangerous_commands(_: &Rule, facts: &Facts) -> Vec<Hit> {
    // Renames are only visible in a file; a live server is checked with
    // ACL DRYRUN instead (live.dangerous-commands-callable).
    if !facts.has_source(Source::Config) {
        return Vec::new();
    }
    let renamed: Vec<&str> = facts.renamed_commands.iter().map(|r| r.command.as_str()).collect();
    let url_user = facts
        .value("env.url.username")
        .and_then(Value::as_str)
        .map(str::to_string);
    facts
        .acl_users
        .iter()
        .filter(|u| u.enabled && (u.name == "default" || url_user.as_deref() == Some(u.name.as_str())))
        .filter_map(|user| {
            let callable: Vec<String> = DANGEROUS_COMMANDS
                .iter()
                .filter(|dangerous| !renamed.contains(&dangerous.name))
                .filter(|dangerous| acl_may_run(user, dangerous.name, dangerous.categories))
                .map(|dangerous| dangerous.name.to_ascii_uppercase())
                .collect();
            if callable.is_empty() {
                return None;
            }
            let subject = if user.name == "default" {
                "the default user".to_string()
            } else {
                user_subject(user)
            };
            Some(Hit {
                subject,
                detail: callable.join(", "),
                origin: user.origin.clone(),
                ..Default::default()
            })
        })
        .collect()
}

fn output_buffer_unlimited(_: &Rule, facts: &Facts) -> Vec<Hit> {
    let Some(fact) = facts.get("conf.client-output-buffer-limit") else {
        return Vec::new();
    };
    fact.value
        .as_list()
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item.as_str())
        .filter_map(|text| {
            let parts: Vec<&str> = text.split(' ').collect();
            match parts.as_slice() {
                [class @ ("replica" | "pubsub"), "0", "0", _] => Some(Hit {
                    subject: format!("client-output-buffer-limit {class}"),
                    detail: format!("the `{class}` class has no hard or soft limit"),
                    origin: fact.origin.clone(),
                    ..Default::default()
                }),
                _ => None,
            }
        })
        .collect()
}

// ---------------------------------------------------------------- env

/// Loopback, private, link-local, CGNAT and unique-local addresses are not
/// reachable from the internet; everything else (documentation ranges
/// included) is treated as public.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_ip(IpAddr::V4(v4));
            }
            !(v6.is_loopback() || v6.is_unspecified() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80)
        }
    }
}

fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn plaintext_url(_: &Rule, facts: &Facts) -> Vec<Hit> {
    if facts.value("env.url.tls").and_then(Value::as_bool) != Some(false) {
        return Vec::new();
    }
    let Some(host) = facts.value("env.url.host").and_then(Value::as_str) else {
        return Vec::new();
    };
    if is_loopback_host(host) {
        return Vec::new();
    }
    let scheme = facts.value("env.url.scheme").and_then(Value::as_str).unwrap_or("redis");
    vec![Hit {
        subject: "REDIS_URL".into(),
        detail: format!("`{scheme}://` to `{host}` sends the password and every value in clear text"),
        origin: fact_origin(facts, "env.REDIS_URL"),
        ..Default::default()
    }]
}

fn public_host(_: &Rule, facts: &Facts) -> Vec<Hit> {
    let Some(host) = facts.value("env.url.host").and_then(Value::as_str) else {
        return Vec::new();
    };
    let Ok(ip) = host.parse::<IpAddr>() else {
        return Vec::new();
    };
    if !is_public_ip(ip) {
        return Vec::new();
    }
    vec![Hit {
        subject: "REDIS_URL".into(),
        detail: format!(
            "`{host}` is not a private, loopback or link-local address, so it is reachable from the internet"
        ),
        origin: fact_origin(facts, "env.REDIS_URL"),
        ..Default::default()
    }]
}

fn password_mismatch(_: &Rule, facts: &Facts) -> Vec<Hit> {
    let secret = |path: &str| match facts.value(path) {
        Some(Value::Secret(s)) if !s.expose().is_empty() => Some(s.clone()),
        _ => None,
    };
    let env_password = secret("env.REDIS_PASSWORD");
    let url_password = secret("env.url.password");
    let mut hits = Vec::new();
    if let (Some(env), Some(url)) = (&env_password, &url_password) {
        if env.expose() != url.expose() {
            hits.push(Hit {
                subject: "REDIS_PASSWORD".into(),
                detail: "REDIS_PASSWORD and the password in REDIS_URL differ; which one the client uses depends on the library".into(),
                origin: fact_origin(facts, "env.REDIS_PASSWORD"), ..Default::default() });
        }
    }
    // Compare with the server only when the app authenticates as the default user.
    let url_user = facts
        .value("env.url.username")
        .and_then(Value::as_str)
        .unwrap_or("default");
    let server = secret("conf.requirepass").filter(|_| url_user == "default");
    if let Some(server) = server {
        for (path, name) in [
            ("env.REDIS_PASSWORD", "REDIS_PASSWORD"),
            ("env.url.password", "REDIS_URL"),
        ] {
            if let Some(client) = secret(path) {
                if client.expose() != server.expose() {
                    hits.push(Hit {
                        subject: name.into(),
                        detail: format!("{name} does not match `requirepass` in the config: the application will fail to authenticate"),
                        origin: fact_origin(facts, path), ..Default::default() });
                }
            }
        }
    }
    hits
}

/// A switch that turns certificate verification off, by name and value.
fn disables_verification(name: &str, value: &str) -> bool {
    let name = name.to_ascii_uppercase();
    let value = value.trim().to_ascii_lowercase();
    let truthy = parse_bool(&value) == Some(true);
    let falsy = parse_bool(&value) == Some(false);
    (name.contains("REJECT_UNAUTHORIZED") && falsy)
        || ((name.contains("SKIP_VERIFY") || name.contains("INSECURE") || name.contains("NO_VERIFY")) && truthy)
        || ((name.ends_with("_VERIFY")
            || name.contains("VERIFY_PEER")
            || name.contains("VERIFY_CERT")
            || name.ends_with("_SSL_VERIFY"))
            && !name.contains("SKIP")
            && falsy)
        || (name.contains("CERT_REQS") && value == "none")
}

fn tls_verify_disabled(_: &Rule, facts: &Facts) -> Vec<Hit> {
    let mut hits: Vec<Hit> = facts
        .env_vars
        .iter()
        .filter(|v| disables_verification(&v.name, v.value.expose()))
        .map(|v| Hit {
            subject: v.name.clone(),
            detail: format!("`{}={}` turns certificate verification off", v.name, v.value.expose()),
            origin: v.origin.clone(),
            ..Default::default()
        })
        .collect();
    for (path, fact) in facts.iter() {
        let Some(key) = path.strip_prefix("env.url.query.") else {
            continue;
        };
        let value = fact.value.as_str().unwrap_or("");
        let off = match key.to_ascii_lowercase().as_str() {
            "ssl_cert_reqs" | "tls_cert_reqs" => value.eq_ignore_ascii_case("none"),
            "insecure" | "tls_insecure" | "skip_verify" | "insecure_skip_verify" => parse_bool(value) == Some(true),
            "verify" | "tls_verify" | "ssl_verify" | "reject_unauthorized" | "rejectunauthorized" => {
                parse_bool(value) == Some(false)
            }
            _ => false,
        };
        if off {
            hits.push(Hit {
                subject: "REDIS_URL".into(),
                detail: format!("the URL option `{key}={value}` turns certificate verification off"),
                origin: fact.origin.clone(),
                ..Default::default()
            });
        }
    }
    hits
}

fn ttl_invalid(_: &Rule, facts: &Facts) -> Vec<Hit> {
    let max = int_fact(facts, "settings.max_ttl_seconds").unwrap_or(Thresholds::default().max_ttl_seconds);
    facts
        .env_vars
        .iter()
        .filter(|v| v.name.starts_with("CACHE_TTL_"))
        .filter_map(|v| {
            let raw = v.value.expose().trim();
            let detail = match raw.parse::<i64>() {
                Err(_) if raw.is_empty() => "is empty".to_string(),
                Err(_) => format!("`{raw}` is not a whole number of seconds"),
                Ok(n) if n <= 0 => {
                    format!("{n} is not a positive number of seconds: entries would never expire or be rejected")
                }
                Ok(n) if n > max => format!("{n} seconds is longer than the {max}-second maximum"),
                Ok(_) => return None,
            };
            Some(Hit {
                subject: v.name.clone(),
                detail,
                origin: v.origin.clone(),
                ..Default::default()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_private_addresses() {
        for private in [
            "10.0.0.5",
            "172.16.3.4",
            "192.168.1.1",
            "127.0.0.1",
            "100.64.0.1",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "fe80::1",
        ] {
            assert!(!is_public_ip(private.parse().unwrap()), "{private}");
        }
        for public in [
            "8.8.8.8",
            "203.0.113.7",
            "35.1.2.3",
            "2001:4860::8888",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public_ip(public.parse().unwrap()), "{public}");
        }
    }

    /// A rule to pass to builtins that do not read it (most judge facts alone).
    fn any_rule() -> Rule {
        crate::rules::RulePack::embedded().unwrap().rules.swap_remove(0)
    }

    fn env_var_at(name: &str, value: &str, line: usize) -> crate::facts::EnvVar {
        crate::facts::EnvVar {
            name: name.into(),
            value: Secret::new(value),
            origin: at_line(line),
            reference: None,
        }
    }

    fn at_line(line: usize) -> Origin {
        Origin::File {
            file: std::sync::Arc::new("app.env".into()),
            line,
            column: 1,
            offset: 0,
            len: 1,
        }
    }

    #[test]
    fn hits_point_at_the_line_they_are_about() {
        let pack = crate::rules::RulePack::embedded().unwrap();
        let rule = |id: &str| pack.rules.iter().find(|r| r.id == id).unwrap();
        let mut facts = Facts::default();
        facts.insert("env.REDIS_URL", Value::Str("redis://8.8.8.8:6379".into()), at_line(3));
        facts.insert("env.url.tls", Value::Bool(false), at_line(3));
        facts.insert("env.url.host", Value::Str("8.8.8.8".into()), at_line(3));
        facts.diagnostics.push(crate::facts::ConfigDiagnostic {
            kind: DiagnosticKind::InvalidValue,
            message: "m".into(),
            origin: at_line(7),
            subject: "port".into(),
        });
        facts.drift.push(crate::facts::Drift {
            name: "maxmemory".into(),
            file_value: Value::Int(1),
            live_value: Value::Int(2),
            origin: at_line(9),
            file_text: "1".into(),
            live_text: "2".into(),
        });
        let origins = |hits: Vec<Hit>| hits.into_iter().map(|h| h.origin).collect::<Vec<_>>();
        assert_eq!(origins(plaintext_url(rule("env.plaintext-url"), &facts)), [at_line(3)]);
        assert_eq!(origins(public_host(rule("env.plaintext-url"), &facts)), [at_line(3)]);
        assert_eq!(
            origins(config_diagnostics(rule("config.invalid-value"), &facts)),
            [at_line(7)]
        );
        assert!(config_diagnostics(rule("config.unknown-directive"), &facts).is_empty());
        assert_eq!(
            origins(config_drift(rule("config.invalid-value"), &facts)),
            [at_line(9)]
        );
    }

    #[test]
    fn latency_is_judged_against_the_default_thresholds() {
        let rule = &any_rule();
        let severity = |p50_us: i64| {
            let mut facts = Facts::default();
            facts.insert("live.latency.p50_us", Value::Int(p50_us), Origin::Live);
            latency_high(rule, &facts).first().and_then(|hit| hit.severity)
        };
        assert_eq!(severity(500), None);
        assert_eq!(severity(1_000), None);
        assert_eq!(severity(1_001), Some(Severity::Medium));
        assert_eq!(severity(10_000), Some(Severity::Medium));
        assert_eq!(severity(10_001), Some(Severity::High));
    }

    #[test]
    fn a_certificate_is_judged_by_the_days_it_has_left() {
        let rule = &any_rule();
        let severity = |days: i64| {
            let mut facts = Facts::default();
            facts.insert("live.tls.cert_days_left", Value::Int(days), Origin::Live);
            tls_cert_expiring(rule, &facts).first().and_then(|hit| hit.severity)
        };
        assert_eq!(severity(-1), Some(Severity::Critical));
        assert_eq!(severity(0), Some(Severity::High));
        assert_eq!(severity(29), Some(Severity::High));
        assert_eq!(severity(30), None);
    }

    #[test]
    fn a_running_redis_before_7_0_is_end_of_life_and_valkey_is_not_judged() {
        let rule = &any_rule();
        let hits = |number: i64, product: &str| {
            let mut facts = Facts::default();
            facts.insert("live.version_number", Value::Int(number), Origin::Live);
            facts.insert("live.product", Value::Str(product.into()), Origin::Live);
            version_eol(rule, &facts).len()
        };
        assert_eq!(hits(602, "redis"), 1);
        assert_eq!(hits(699, "redis"), 1);
        assert_eq!(hits(700, "redis"), 0);
        assert_eq!(hits(704, "redis"), 0);
        assert_eq!(hits(602, "valkey"), 0);
    }

    fn facts_of(entries: &[(&str, Value)]) -> Facts {
        let mut facts = Facts::default();
        for (path, value) in entries {
            facts.insert(*path, value.clone(), at_line(4));
        }
        facts
    }

    #[test]
    fn only_written_non_empty_passwords_are_judged() {
        let subjects = |entries: &[(&str, Value, Origin)]| -> Vec<String> {
            let mut facts = Facts::default();
            for (path, value, origin) in entries {
                facts.insert(*path, value.clone(), origin.clone());
            }
            all_passwords(&facts)
                .into_iter()
                .map(|(subject, _, _)| subject)
                .collect()
        };
        assert_eq!(
            subjects(&[
                ("conf.requirepass", Value::secret(""), at_line(2)),
                ("conf.masterauth", Value::secret("from-a-default"), Origin::Default),
            ]),
            Vec::<String>::new()
        );
        assert_eq!(
            subjects(&[("conf.requirepass", Value::secret("written"), at_line(2))]),
            ["requirepass"]
        );
    }

    #[test]
    fn password_hits_say_which_password_where_and_why() {
        let rule = &any_rule();
        let said = |hits: Vec<Hit>| -> Vec<(String, Origin, bool)> {
            hits.into_iter()
                .map(|h| (h.subject, h.origin, !h.detail.is_empty()))
                .collect()
        };
        let facts = facts_of(&[
            ("conf.requirepass", Value::secret("short")),
            ("conf.masterauth", Value::secret("changeme")),
        ]);
        assert_eq!(
            said(weak_password(rule, &facts)),
            [("requirepass".to_string(), at_line(4), true)]
        );
        assert_eq!(
            said(placeholder_password(rule, &facts)),
            [("masterauth".to_string(), at_line(4), true)]
        );
        let query = facts_of(&[("env.url.query.verify", Value::Str("false".into()))]);
        assert_eq!(
            said(tls_verify_disabled(rule, &query)),
            [("REDIS_URL".to_string(), at_line(4), true)]
        );
        let mut env = Facts::default();
        env.env_vars
            .push(env_var_at("REDIS_TLS_REJECT_UNAUTHORIZED", "false", 6));
        assert_eq!(
            said(tls_verify_disabled(rule, &env)),
            [("REDIS_TLS_REJECT_UNAUTHORIZED".to_string(), at_line(6), true)]
        );
        let differ = facts_of(&[
            ("env.REDIS_PASSWORD", Value::secret("abd")),
            ("env.url.password", Value::secret("abc")),
        ]);
        assert_eq!(
            said(password_mismatch(rule, &differ)),
            [("REDIS_PASSWORD".to_string(), at_line(4), true)]
        );
    }

    #[test]
    fn a_url_option_turns_verification_off_only_with_its_off_value() {
        let rule = &any_rule();
        let hits = |key: &str, value: &str| {
            tls_verify_disabled(
                rule,
                &facts_of(&[(&format!("env.url.query.{key}"), Value::Str(value.into()))]),
            )
            .len()
        };
        assert_eq!(hits("verify", "false"), 1);
        assert_eq!(hits("verify", "true"), 0);
        assert_eq!(hits("insecure", "true"), 1);
        assert_eq!(hits("insecure", "false"), 0);
        assert_eq!(hits("ssl_cert_reqs", "none"), 1);
        assert_eq!(hits("ssl_cert_reqs", "required"), 0);
    }

    #[test]
    fn passwords_are_compared_only_when_both_are_written() {
        let rule = &any_rule();
        let subjects = |entries: &[(&str, Value)]| -> Vec<String> {
            password_mismatch(rule, &facts_of(entries))
                .into_iter()
                .map(|h| h.subject)
                .collect()
        };
        let secret = |text: &str| Value::secret(text);
        assert_eq!(
            subjects(&[("env.REDIS_PASSWORD", secret("")), ("env.url.password", secret("abc"))]),
            Vec::<String>::new()
        );
        assert_eq!(
            subjects(&[
                ("env.REDIS_PASSWORD", secret("abd")),
                ("env.url.password", secret("abc"))
            ]),
            ["REDIS_PASSWORD"]
        );
        assert_eq!(
            subjects(&[
                ("conf.requirepass", secret("abc")),
                ("env.REDIS_PASSWORD", secret("abc"))
            ]),
            Vec::<String>::new()
        );
        assert_eq!(
            subjects(&[("conf.requirepass", secret("abc")), ("env.url.password", secret("abd"))]),
            ["REDIS_URL"]
        );
    }

    #[test]
    fn an_unlimited_output_buffer_is_reported_per_class_at_its_line() {
        let rule = &any_rule();
        let limits = Value::List(
            ["normal 0 0 0", "replica 0 0 0", "pubsub 33554432 8388608 60"]
                .iter()
                .map(|l| Value::Str(l.to_string()))
                .collect(),
        );
        let hits = output_buffer_unlimited(rule, &facts_of(&[("conf.client-output-buffer-limit", limits)]));
        let seen: Vec<(String, Origin)> = hits.into_iter().map(|h| (h.subject, h.origin)).collect();
        assert_eq!(seen, [("client-output-buffer-limit replica".to_string(), at_line(4))]);
    }

    #[test]
    fn each_cache_ttl_is_judged_by_its_own_name() {
        let rule = &any_rule();
        let mut facts = Facts::default();
        for (name, value) in [
            ("CACHE_TTL_USERS", "3600"),
            ("CACHE_TTL_PAGES", "0"),
            ("CACHE_TTL_FEEDS", "ten"),
            ("CACHE_TTL_LOGS", "999999999"),
            ("SESSION_TTL", "0"),
        ] {
            facts.env_vars.push(env_var_at(name, value, 2));
        }
        let said: Vec<(String, String)> = ttl_invalid(rule, &facts)
            .into_iter()
            .map(|h| (h.subject, h.detail))
            .collect();
        let names: Vec<&str> = said.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["CACHE_TTL_PAGES", "CACHE_TTL_FEEDS", "CACHE_TTL_LOGS"]);
        assert!(said[2].1.contains("longer than the"), "{}", said[2].1);
    }

    fn deploy_version(value: Value) -> Vec<Hit> {
        let mut facts = Facts::default();
        facts.insert("deploy.version", value, Origin::Default);
        deploy_version_eol(&any_rule(), &facts)
    }

    #[test]
    fn pinned_release_lines_before_7_0_are_end_of_life() {
        for old in ["6", "6.2", "5.0", "4"] {
            let hits = deploy_version(Value::Str(old.into()));
            assert_eq!(hits.len(), 1, "{old}");
            assert_eq!(hits[0].state, State::Fail);
        }
        for current in ["7", "7.0", "7.2", "8.0", "valkey-7.2", "valkey-8.0"] {
            assert!(deploy_version(Value::Str(current.into())).is_empty(), "{current}");
        }
        let unknown = deploy_version(Value::Unknown {
            unknown: "`var.redis_version` has no value here".into(),
        });
        assert_eq!(unknown[0].state, State::Warn);
        assert!(redis_line_eol(6, 2) && !redis_line_eol(7, 0));
    }

    #[test]
    fn password_strength() {
        assert!(weakness("short", 32).is_some());
        assert!(weakness("passwordpasswordpasswordpassword", 32).is_some());
        assert!(weakness("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 32).is_some());
        assert!(weakness("q3V9xL2mR7tK8pZ4wN6yB1cF5hJ0dG3s", 32).is_none());
        assert!(weakness(&"0123456789abcdef".repeat(4), 32).is_none());
    }

    #[test]
    fn placeholders() {
        for p in [
            "foobared",
            "FOOBARED",
            "your_strong_password_here",
            "changeme",
            "password",
            "${REDIS_PASSWORD}",
            "<password>",
            "xxxx",
        ] {
            assert!(placeholder_reason(p).is_some(), "{p}");
        }
        assert!(placeholder_reason("q3V9xL2mR7tK8pZ4wN6yB1cF5hJ0dG3s").is_none());
        // A template is marked at both ends, not at one.
        for strong in [
            "q3V9xL2mR7tK8pZ4}",
            "${q3V9xL2mR7tK8pZ4",
            "<q3V9xL2mR7tK8pZ4",
            "%q3V9xL2mR7tK8pZ4",
        ] {
            assert!(placeholder_reason(strong).is_none(), "{strong}");
        }
        assert!(placeholder_reason("%REDIS_PASS%").is_some());
        assert!(placeholder_reason("{{ .Values.password }}").is_some());
    }

    const LIST_REASON: &str = "it is on the list of passwords published as defaults or examples";

    #[test]
    fn known_password_lines_skip_blanks_and_comments_and_are_trimmed() {
        let text = "# header\n\n# source: https://example.org — demo\n  alpha  \n\t#not-an-entry\nbeta\n\n";
        assert_eq!(known_password_entries(text).collect::<Vec<_>>(), ["alpha", "beta"]);
    }

    #[test]
    fn known_passwords_file_has_no_duplicates() {
        let mut seen = HashSet::new();
        let mut count = 0;
        for entry in known_password_entries(KNOWN_PASSWORDS_FILE) {
            assert!(seen.insert(entry.to_ascii_lowercase()), "`{entry}` is listed twice");
            count += 1;
        }
        assert!(count > 0, "no entries in rules/data/known-passwords.txt");
        assert_eq!(KNOWN_PASSWORDS.len(), count);
    }

    #[test]
    fn every_known_password_group_names_its_source() {
        // A group is a run of non-blank lines; its entries need a source line above them.
        let mut source_seen = false;
        for (index, line) in KNOWN_PASSWORDS_FILE.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                source_seen = false;
            } else if let Some(source) = line.strip_prefix("# source:") {
                let (origin, what) = source.split_once(" — ").unwrap_or_default();
                assert!(
                    !origin.trim().is_empty() && !what.trim().is_empty(),
                    "line {}: want `# source: <URL or corpus path> — <what it is>`",
                    index + 1
                );
                source_seen = true;
            } else if !line.starts_with('#') {
                assert!(
                    source_seen,
                    "line {}: `{line}` has no `# source:` line above it",
                    index + 1
                );
            }
        }
    }

    #[test]
    fn every_known_password_is_reported_whatever_its_case() {
        for entry in known_password_entries(KNOWN_PASSWORDS_FILE) {
            for variant in [entry.to_string(), entry.to_ascii_uppercase(), format!(" {entry} ")] {
                assert_eq!(placeholder_reason(&variant), Some(LIST_REASON), "{variant:?}");
            }
        }
    }

    #[test]
    fn known_passwords_match_only_the_whole_password() {
        for near in ["foobared2", "xfoobared", "H733Kdjndks81x"] {
            assert_ne!(placeholder_reason(near), Some(LIST_REASON), "{near}");
        }
        assert_eq!(placeholder_reason("q3V9xL2mR7tK8pZ4wN6yB1cF5hJ0dG3s"), None);
    }

    /// The severity of the auth.weak-password finding a requirepass of this value gets.
    fn weak_password_severity(password: &str) -> Option<Severity> {
        let mut facts = Facts::default();
        facts.sources.push(Source::Config);
        let origin = Origin::File {
            file: std::sync::Arc::new("redis.conf".into()),
            line: 1,
            column: 1,
            offset: 0,
            len: 12 + password.len(),
        };
        facts.insert("conf.requirepass", Value::Secret(Secret::new(password)), origin);
        let pack = crate::rules::RulePack::embedded().unwrap();
        let evaluation = crate::rules::Evaluation {
            profile: "self-hosted",
            severity_overrides: &Default::default(),
            select: &["auth.weak-password".to_string()],
            ignore: &[],
        };
        let findings = crate::rules::evaluate(&pack, &facts, &evaluation);
        let failed: Vec<_> = findings.iter().filter(|f| f.state == State::Fail).collect();
        assert!(failed.len() <= 1, "{failed:#?}");
        failed.first().map(|f| f.severity)
    }

    #[test]
    fn weak_password_severity_bands() {
        let random = "q3V9xL2mR7tK8pZ4wN6yB1cF5hJ0dG3sW";
        assert_eq!(weak_password_severity(&random[..11]), Some(Severity::High));
        assert_eq!(weak_password_severity(&random[..12]), Some(Severity::Medium));
        assert_eq!(weak_password_severity(&random[..31]), Some(Severity::Medium));
        assert_eq!(weak_password_severity(&random[..32]), None);
    }

    fn user(rules: &[&str]) -> AclUser {
        AclUser {
            name: "app".into(),
            enabled: true,
            nopass: true,
            passwords: vec![],
            hashed_passwords: 0,
            command_rules: rules.iter().map(|r| r.to_string()).collect(),
            key_patterns: vec!["~*".into()],
            origin: Origin::Default,
        }
    }

    #[test]
    fn acl_command_rules_apply_in_order() {
        let u = user(&["+@all", "-flushall", "-@dangerous"]);
        assert!(!acl_may_run(&u, "flushall", &["keyspace", "write", "dangerous"]));
        assert!(!acl_may_run(&u, "debug", &["admin", "dangerous"]));
        assert!(acl_may_run(&u, "get", &["read"]));
        assert!(!acl_all_commands(&u));
        assert!(acl_all_commands(&user(&["+@all"])));
        // Granting more after `+@all` keeps it all; `nocommands` takes it back.
        assert!(acl_all_commands(&user(&["+@all", "+get"])));
        assert!(!acl_all_commands(&user(&["+@all", "nocommands"])));
        assert!(!acl_all_commands(&user(&["allcommands", "-debug"])));
        // A subcommand grant does not grant the whole command.
        assert!(!acl_may_run(&user(&["-@all", "+config|get"]), "config", &["admin"]));
    }

    #[test]
    fn verification_switches() {
        assert!(disables_verification("NODE_TLS_REJECT_UNAUTHORIZED", "0"));
        assert!(disables_verification("REDIS_INSECURE_SKIP_TLS_VERIFY", "true"));
        assert!(disables_verification("REDIS_TLS_VERIFY", "false"));
        assert!(disables_verification("REDIS_SSL_CERT_REQS", "none"));
        assert!(!disables_verification("REDIS_TLS_VERIFY", "true"));
        assert!(!disables_verification("REDIS_INSECURE_SKIP_TLS_VERIFY", "false"));
        assert!(!disables_verification("NODE_TLS_REJECT_UNAUTHORIZED", "1"));
    }
}
