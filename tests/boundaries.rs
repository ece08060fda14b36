//! Static thresholds pinned at their edges: for each one the verdict and
//! severity just below, at and just above it, and with the threshold moved
//! in `redis-preflight.toml`; and SARIF fingerprints unique and stable across
//! a run with many findings on several targets (issue 12 §1b).
//!
//! Every case runs the built binary on files written to a temporary
//! directory (`check --format json --fail-on none`); no server is started.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, with no inherited variable that the env reader would pick up.
fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_redis-preflight"));
    for (name, _) in std::env::vars() {
        if name.starts_with("REDIS_") || name.starts_with("CACHE_TTL_") {
            cmd.env_remove(name);
        }
    }
    cmd.env_remove("NO_COLOR");
    cmd
}

/// `check --format json --fail-on none ARGS` in `dir`; with `settings` the
/// `redis-preflight.toml` of `dir` is read, otherwise `--no-settings`.
fn check_in(dir: &Path, settings: bool, args: &[&str]) -> Value {
    let mut cmd = bin();
    cmd.current_dir(dir).arg("check");
    if !settings {
        cmd.arg("--no-settings");
    }
    let output = cmd
        .args(["--format", "json", "--fail-on", "none"])
        .args(args)
        .output()
        .expect("run redis-preflight");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}\n{stdout}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {stdout}\n{stderr}"))
}

fn check(dir: &Path, args: &[&str]) -> Value {
    check_in(dir, false, args)
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("a findings array")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// What a user sees of the one finding of `rule` (about `subject` when
/// given): (severity, state, message); `None` when the rule is silent.
fn verdict(report: &Value, rule: &str, subject: Option<&str>) -> Option<(String, String, String)> {
    let found: Vec<&Value> = findings(report, rule)
        .into_iter()
        .filter(|f| subject.is_none_or(|s| f["subject"] == s))
        .collect();
    assert!(found.len() <= 1, "{rule} {subject:?} reported twice: {found:#?}");
    found.first().map(|f| {
        (
            f["severity"].as_str().unwrap_or_default().to_string(),
            f["state"].as_str().unwrap_or_default().to_string(),
            f["message"].as_str().unwrap_or_default().to_string(),
        )
    })
}

fn fail(severity: &str, message: &str) -> Option<(String, String, String)> {
    Some((severity.to_string(), "fail".to_string(), message.to_string()))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

// ------------------------------------------------------------ CACHE_TTL_*

const TTL_PROBLEM: &str = "is not a positive number of seconds: entries would never expire or be rejected";

/// Each `CACHE_TTL_*` variable of one env file, judged on its own.
fn ttl_verdicts(
    dir: &Path,
    settings: bool,
    values: &[(&str, &str)],
) -> BTreeMap<String, Option<(String, String, String)>> {
    let text: String = values.iter().map(|(name, value)| format!("{name}={value}\n")).collect();
    write(dir, "app.env", &text);
    let report = check_in(dir, settings, &["--select", "env.ttl-invalid", "--env-file", "app.env"]);
    let names: BTreeSet<&str> = values.iter().map(|(name, _)| *name).collect();
    for finding in findings(&report, "env.ttl-invalid") {
        let subject = finding["subject"].as_str().unwrap_or_default();
        assert!(
            names.contains(subject),
            "a finding about no variable of the file: {finding:#}"
        );
    }
    values
        .iter()
        .map(|(name, _)| (name.to_string(), verdict(&report, "env.ttl-invalid", Some(name))))
        .collect()
}

#[test]
fn cache_ttl_is_valid_from_1_second_to_the_default_maximum_inclusive() {
    let dir = tempfile::tempdir().unwrap();
    let got = ttl_verdicts(
        dir.path(),
        false,
        &[
            ("CACHE_TTL_NEGATIVE", "-1"),
            ("CACHE_TTL_ZERO", "0"),
            ("CACHE_TTL_ONE", "1"),
            ("CACHE_TTL_BELOW_MAX", "2591999"),
            ("CACHE_TTL_AT_MAX", "2592000"),
            ("CACHE_TTL_ABOVE_MAX", "2592001"),
            ("CACHE_TTL_WORD", "one-hour"),
            ("CACHE_TTL_FRACTION", "1.5"),
            ("CACHE_TTL_EMPTY", ""),
        ],
    );
    let expected = BTreeMap::from([
        (
            "CACHE_TTL_NEGATIVE".to_string(),
            fail("medium", &format!("CACHE_TTL_NEGATIVE: -1 {TTL_PROBLEM}")),
        ),
        (
            "CACHE_TTL_ZERO".to_string(),
            fail("medium", &format!("CACHE_TTL_ZERO: 0 {TTL_PROBLEM}")),
        ),
        ("CACHE_TTL_ONE".to_string(), None),
        ("CACHE_TTL_BELOW_MAX".to_string(), None),
        ("CACHE_TTL_AT_MAX".to_string(), None),
        (
            "CACHE_TTL_ABOVE_MAX".to_string(),
            fail(
                "medium",
                "CACHE_TTL_ABOVE_MAX: 2592001 seconds is longer than the 2592000-second maximum",
            ),
        ),
        (
            "CACHE_TTL_WORD".to_string(),
            fail("medium", "CACHE_TTL_WORD: `one-hour` is not a whole number of seconds"),
        ),
        (
            "CACHE_TTL_FRACTION".to_string(),
            fail("medium", "CACHE_TTL_FRACTION: `1.5` is not a whole number of seconds"),
        ),
        (
            "CACHE_TTL_EMPTY".to_string(),
            fail("medium", "CACHE_TTL_EMPTY: is empty"),
        ),
    ]);
    assert_eq!(got, expected);
}

#[test]
fn the_cache_ttl_maximum_moves_with_thresholds_max_ttl_seconds() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis-preflight.toml",
        "[thresholds]\nmax_ttl_seconds = 3600\n",
    );
    let values = [
        ("CACHE_TTL_BELOW", "3599"),
        ("CACHE_TTL_AT", "3600"),
        ("CACHE_TTL_ABOVE", "3601"),
        ("CACHE_TTL_OLD_MAX", "2592000"),
        ("CACHE_TTL_ONE", "1"),
    ];
    let got = ttl_verdicts(dir.path(), true, &values);
    let expected = BTreeMap::from([
        ("CACHE_TTL_BELOW".to_string(), None),
        ("CACHE_TTL_AT".to_string(), None),
        (
            "CACHE_TTL_ABOVE".to_string(),
            fail(
                "medium",
                "CACHE_TTL_ABOVE: 3601 seconds is longer than the 3600-second maximum",
            ),
        ),
        (
            "CACHE_TTL_OLD_MAX".to_string(),
            fail(
                "medium",
                "CACHE_TTL_OLD_MAX: 2592000 seconds is longer than the 3600-second maximum",
            ),
        ),
        ("CACHE_TTL_ONE".to_string(), None),
    ]);
    assert_eq!(got, expected, "with max_ttl_seconds = 3600");

    // The same directory with the settings file ignored: the default maximum again.
    let got = ttl_verdicts(dir.path(), false, &values);
    assert!(got.values().all(Option::is_none), "with --no-settings: {got:#?}");
}

// ------------------------------------------------------------ passwords

/// Random-looking, every character distinct: only its length can make it weak.
const RANDOM: &str = "Xq7vN2pLr9KwT4mZbH8cYd3FjS6uGa1EoV5t";

fn random_password(length: usize) -> &'static str {
    &RANDOM[..length]
}

/// The test passwords must be weak only by length or entropy, never because
/// they are on the list of published passwords.
fn assert_not_known(passwords: &[&str]) {
    let list = std::fs::read_to_string(repo().join("rules/data/known-passwords.txt")).unwrap();
    let known: BTreeSet<String> = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_lowercase)
        .collect();
    assert!(known.len() > 10, "read no known passwords");
    for password in passwords {
        assert!(
            !known.contains(&password.to_lowercase()),
            "{password} is a known password"
        );
    }
}

fn requirepass_verdict(dir: &Path, settings: bool, password: &str) -> Option<(String, String, String)> {
    write(dir, "redis.conf", &format!("port 6379\nrequirepass {password}\n"));
    let report = check_in(
        dir,
        settings,
        &["--select", "auth.weak-password", "--config", "redis.conf"],
    );
    verdict(&report, "auth.weak-password", None)
}

#[test]
fn password_length_bands_under_12_high_12_to_31_medium_32_passes() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(usize, Option<&str>)> = vec![
        (11, Some("high")),
        (12, Some("medium")),
        (13, Some("medium")),
        (31, Some("medium")),
        (32, None),
        (33, None),
    ];
    assert_not_known(&cases.iter().map(|(n, _)| random_password(*n)).collect::<Vec<_>>());
    for (length, severity) in cases {
        let got = requirepass_verdict(dir.path(), false, random_password(length));
        let expected = severity.and_then(|s| {
            fail(
                s,
                &format!("requirepass has a weak password: {length} characters, fewer than the required 32"),
            )
        });
        assert_eq!(got, expected, "a {length}-character requirepass");
    }
}

#[test]
fn the_same_bands_apply_to_redis_password_in_an_env_file() {
    let dir = tempfile::tempdir().unwrap();
    for (length, severity) in [
        (11, Some("high")),
        (12, Some("medium")),
        (31, Some("medium")),
        (32, None),
    ] {
        let password = random_password(length);
        assert_not_known(&[password]);
        write(
            dir.path(),
            "app.env",
            &format!("REDIS_URL=rediss://cache.internal:6380/0\nREDIS_PASSWORD={password}\n"),
        );
        let report = check(dir.path(), &["--select", "auth.weak-password", "--env-file", "app.env"]);
        let got = verdict(&report, "auth.weak-password", None);
        match severity {
            None => assert_eq!(got, None, "a {length}-character REDIS_PASSWORD"),
            Some(severity) => {
                let (got_severity, state, message) = got.unwrap_or_else(|| panic!("{length}: not reported"));
                assert_eq!((got_severity.as_str(), state.as_str()), (severity, "fail"), "{length}");
                assert!(
                    message.ends_with(&format!(
                        "has a weak password: {length} characters, fewer than the required 32"
                    )),
                    "{length}: {message}"
                );
                assert!(!message.contains(password), "the password is printed: {message}");
            }
        }
    }
}

#[test]
fn password_min_length_from_the_settings_moves_the_medium_band() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis-preflight.toml",
        "[thresholds]\npassword_min_length = 16\n",
    );
    assert_not_known(&[random_password(11), random_password(15), random_password(16)]);
    assert_eq!(
        requirepass_verdict(dir.path(), true, random_password(11)),
        fail(
            "high",
            "requirepass has a weak password: 11 characters, fewer than the required 16"
        )
    );
    assert_eq!(
        requirepass_verdict(dir.path(), true, random_password(15)),
        fail(
            "medium",
            "requirepass has a weak password: 15 characters, fewer than the required 16"
        )
    );
    assert_eq!(requirepass_verdict(dir.path(), true, random_password(16)), None);
    // Without the settings file the 16-character password is short again.
    assert_eq!(
        requirepass_verdict(dir.path(), false, random_password(16)),
        fail(
            "medium",
            "requirepass has a weak password: 16 characters, fewer than the required 32"
        )
    );

    write(
        dir.path(),
        "redis-preflight.toml",
        "[thresholds]\npassword_min_length = 40\n",
    );
    assert_eq!(
        requirepass_verdict(dir.path(), true, random_password(36)),
        fail(
            "medium",
            "requirepass has a weak password: 36 characters, fewer than the required 40"
        )
    );
}

/// Long enough, but built from few characters: 3.0 bits per character is the
/// floor (8 characters used equally often give exactly 3.0).
#[test]
fn a_long_password_of_few_distinct_characters_is_weak_below_3_bits_per_character() {
    let dir = tempfile::tempdir().unwrap();
    let eight = "qZ4wK8mR".repeat(4); // 32 characters, 8 distinct, 4 each: 3.0 bits
    let seven = format!("{}qZ4w", "qZ4wK8m".repeat(4)); // 32 characters, 7 distinct: 2.8 bits
    assert_eq!((eight.len(), seven.len()), (32, 32));
    assert_not_known(&[&eight, &seven]);
    assert_eq!(requirepass_verdict(dir.path(), false, &eight), None, "{eight}");
    assert_eq!(
        requirepass_verdict(dir.path(), false, &seven),
        fail(
            "medium",
            "requirepass has a weak password: low entropy: 2.8 bits per character (repetitive or few distinct characters)"
        ),
        "{seven}"
    );
}

// ------------------------------------------------------------ unixsocketperm

#[test]
fn a_unix_socket_is_permissive_when_others_may_write_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let socket = "/run/redis/redis.sock";
    let run = |conf: &str| {
        write(dir.path(), "redis.conf", conf);
        let report = check(
            dir.path(),
            &["--select", "network.unixsocket-permissive", "--config", "redis.conf"],
        );
        verdict(&report, "network.unixsocket-permissive", None)
    };
    for mode in ["700", "750", "770", "0770"] {
        assert_eq!(
            run(&format!("unixsocket {socket}\nunixsocketperm {mode}\n")),
            None,
            "unixsocketperm {mode}"
        );
    }
    let reported = |mode: &str| {
        fail(
            "medium",
            &format!("The Unix socket is too permissive: `{socket}` is created with mode {mode}: every local user can connect"),
        )
    };
    // Others may write, so any local user can connect.
    for mode in ["772", "776", "777", "707", "0777"] {
        let shown = mode.trim_start_matches('0');
        assert_eq!(
            run(&format!("unixsocket {socket}\nunixsocketperm {mode}\n")),
            reported(shown),
            "unixsocketperm {mode}"
        );
    }
    // Others may only read or traverse: connect(2) needs write permission on
    // the socket, so they cannot connect and nothing is reported.
    for mode in ["771", "774", "775", "705"] {
        assert_eq!(
            run(&format!("unixsocket {socket}\nunixsocketperm {mode}\n")),
            None,
            "unixsocketperm {mode}"
        );
    }
    // No socket, or an empty socket path: nothing is created, nothing to report.
    assert_eq!(run("unixsocketperm 777\n"), None, "no unixsocket");
    assert_eq!(run("unixsocket \"\"\nunixsocketperm 777\n"), None, "empty unixsocket");
    // A socket without a mode is left to the umask: not judged.
    assert_eq!(run(&format!("unixsocket {socket}\n")), None, "no unixsocketperm");
}

// ------------------------------------------------------------ backup retention

fn elasticache(retention: &str) -> String {
    format!(
        r#"resource "aws_elasticache_replication_group" "cache" {{
  replication_group_id       = "cache"
  description                = "app cache"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = "cache.t4g.small"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  snapshot_retention_limit   = {retention}
}}
"#
    )
}

fn retention_report(dir: &Path, settings: bool, days: u32) -> Value {
    let file = format!("retention-{days}/main.tf");
    write(dir, &file, &elasticache(&days.to_string()));
    check_in(dir, settings, &[&file])
}

fn short_retention(days: u32, expected: u32) -> Option<(String, String, String)> {
    fail(
        "medium",
        &format!(
            "aws_elasticache_replication_group.cache keeps automatic backups for {days} days, fewer than the {expected} expected (snapshot_retention_limit = {days})"
        ),
    )
}

#[test]
fn backup_retention_is_short_below_the_default_7_days() {
    let dir = tempfile::tempdir().unwrap();
    for (days, expected) in [
        (1, short_retention(1, 7)),
        (6, short_retention(6, 7)),
        (7, None),
        (8, None),
        (35, None),
    ] {
        let report = retention_report(dir.path(), false, days);
        assert_eq!(
            verdict(&report, "backup.retention-short", None),
            expected,
            "snapshot_retention_limit = {days}"
        );
        assert_eq!(
            verdict(&report, "backup.not-configured", None),
            None,
            "snapshot_retention_limit = {days}"
        );
    }
    // No backups at all is the other rule, not a short retention.
    let report = retention_report(dir.path(), false, 0);
    assert_eq!(verdict(&report, "backup.retention-short", None), None);
    let (severity, state, _) = verdict(&report, "backup.not-configured", None).expect("0 days: no backups");
    assert_eq!((severity.as_str(), state.as_str()), ("high", "fail"));
}

#[test]
fn backup_retention_days_from_the_settings_moves_the_boundary() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis-preflight.toml",
        "[thresholds]\nbackup_retention_days = 3\n",
    );
    for (days, expected) in [(2, short_retention(2, 3)), (3, None), (6, None)] {
        let report = retention_report(dir.path(), true, days);
        assert_eq!(
            verdict(&report, "backup.retention-short", None),
            expected,
            "backup_retention_days = 3, snapshot_retention_limit = {days}"
        );
    }
    write(
        dir.path(),
        "redis-preflight.toml",
        "[thresholds]\nbackup_retention_days = 14\n",
    );
    for (days, expected) in [(13, short_retention(13, 14)), (14, None)] {
        let report = retention_report(dir.path(), true, days);
        assert_eq!(
            verdict(&report, "backup.retention-short", None),
            expected,
            "backup_retention_days = 14, snapshot_retention_limit = {days}"
        );
    }
}

// ------------------------------------------------------------ release lines

#[test]
fn redis_release_lines_before_7_0_are_end_of_life() {
    let dir = tempfile::tempdir().unwrap();
    for (n, (image, line)) in [
        ("redis:5.0.14", Some("5.0")),
        ("redis:6.2", Some("6.2")),
        ("redis:6.2.14", Some("6.2")),
        ("redis:6.2-alpine", Some("6.2")),
        ("redis:7.0", None),
        ("redis:7.0.0", None),
        ("redis:7.2", None),
    ]
    .into_iter()
    .enumerate()
    {
        let file = format!("svc-{n}/compose.yml");
        write(dir.path(), &file, &format!("services:\n  cache:\n    image: {image}\n"));
        let report = check(dir.path(), &["--select", "config.version-eol", &file]);
        let expected = line.and_then(|line| {
            fail(
                "high",
                &format!("Redis {line} is past end of life and no longer receives security fixes"),
            )
        });
        assert_eq!(verdict(&report, "config.version-eol", None), expected, "{image}");
    }
}

// ------------------------------------------------------------ slow log

#[test]
fn the_slow_log_is_off_below_0_microseconds_or_with_0_entries() {
    let dir = tempfile::tempdir().unwrap();
    for (slower_than, max_len, reported) in [
        (-1, 128, true),
        (0, 128, false),
        (1, 128, false),
        (10000, 0, true),
        (10000, 1, false),
    ] {
        write(
            dir.path(),
            "redis.conf",
            &format!("slowlog-log-slower-than {slower_than}\nslowlog-max-len {max_len}\n"),
        );
        let report = check(
            dir.path(),
            &["--select", "observability.slowlog-disabled", "--config", "redis.conf"],
        );
        let expected = reported.then(|| {
            (
                "low".to_string(),
                "fail".to_string(),
                format!(
                    "The slow log records nothing (slowlog-log-slower-than {slower_than}, slowlog-max-len {max_len})"
                ),
            )
        });
        assert_eq!(
            verdict(&report, "observability.slowlog-disabled", None),
            expected,
            "slowlog-log-slower-than {slower_than}, slowlog-max-len {max_len}"
        );
    }
}

// ------------------------------------------------------------ waiver expiry

/// A waiver holds through its `expires` day and lapses the day after.
#[test]
fn a_waiver_expiring_today_still_holds_one_that_expired_yesterday_does_not() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "redis.conf", "port 6379\n");
    let run = |expires: &str| {
        write(
            dir.path(),
            "redis-preflight.toml",
            &format!(
                "[[waiver]]\nrule = \"network.default-port\"\nreason = \"behind a firewall\"\nexpires = \"{expires}\"\n"
            ),
        );
        check_in(
            dir.path(),
            true,
            &[
                "--select",
                "network.default-port",
                "--select",
                "settings",
                "--config",
                "redis.conf",
            ],
        )
    };
    // The date the binary sees is the UTC date; retry if midnight passes mid-run.
    for _ in 0..3 {
        let today = time::OffsetDateTime::now_utc().date();
        let days = [today.previous_day().unwrap(), today, today.next_day().unwrap()];
        let reports: Vec<Value> = days.iter().map(|d| run(&d.to_string())).collect();
        if time::OffsetDateTime::now_utc().date() != today {
            continue;
        }
        let [yesterday, on_the_day, tomorrow] = &reports[..] else {
            unreachable!()
        };
        assert!(
            verdict(yesterday, "network.default-port", None).is_some(),
            "expired yesterday: the finding is back {yesterday:#}"
        );
        let (_, _, message) = verdict(yesterday, "settings.waiver-expired", None).expect("settings.waiver-expired");
        assert_eq!(
            message,
            format!(
                "the waiver for `network.default-port` expired on {}; its findings are reported again",
                days[0]
            )
        );
        for (report, when) in [(on_the_day, "today"), (tomorrow, "tomorrow")] {
            assert_eq!(verdict(report, "network.default-port", None), None, "expires {when}");
            assert_eq!(verdict(report, "settings.waiver-expired", None), None, "expires {when}");
            let suppressed = report["suppressed"].as_array().expect("a suppressed array");
            assert!(
                suppressed
                    .iter()
                    .any(|s| s.to_string().contains("network.default-port")),
                "expires {when}: not listed as suppressed {report:#}"
            );
        }
        return;
    }
    panic!("the UTC date changed during every attempt");
}

// ------------------------------------------------------------ SARIF

fn sarif(dir: &Path, args: &[&str]) -> Value {
    let output = bin()
        .current_dir(dir)
        .args(["check", "--no-settings", "--format", "sarif", "--fail-on", "none"])
        .args(args)
        .output()
        .expect("run redis-preflight");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("SARIF is JSON")
}

/// (rule, subject, file, line, fingerprint) of every result of every run.
fn fingerprinted_results(report: &Value) -> Vec<(String, String, String, i64, String)> {
    let runs = report["runs"].as_array().expect("runs");
    assert!(!runs.is_empty());
    runs.iter()
        .flat_map(|run| run["results"].as_array().expect("results").iter())
        .map(|result| {
            let prints = result["partialFingerprints"].as_object().expect("partialFingerprints");
            assert_eq!(prints.len(), 1, "{result:#}");
            let print = prints["redisPreflight/v1"]
                .as_str()
                .expect("redisPreflight/v1")
                .to_string();
            let location = &result["locations"][0]["physicalLocation"];
            (
                result["ruleId"].as_str().unwrap_or_default().to_string(),
                result["properties"]["subject"].as_str().unwrap_or_default().to_string(),
                location["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                location["region"]["startLine"].as_i64().unwrap_or(0),
                print,
            )
        })
        .collect()
}

#[test]
fn sarif_fingerprints_are_unique_within_a_run_and_stable_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    // Two services of one file with the same problems: same rule, subject
    // and file, so only the occurrence number tells their fingerprints apart.
    let service = "    image: redis:6.2\n    command: redis-server --protected-mode no\n    ports:\n";
    write(
        dir.path(),
        "twins/compose.yml",
        &format!("services:\n  cache-a:\n{service}      - \"6379:6379\"\n  cache-b:\n{service}      - \"6380:6379\"\n"),
    );
    let examples = repo().join("examples");
    let conf = examples.join("redis.conf");
    let env = examples.join("app.env");
    let compose = examples.join("deployments/compose/bad");
    let args = [
        "--config",
        conf.to_str().unwrap(),
        "--env-file",
        env.to_str().unwrap(),
        compose.to_str().unwrap(),
        "twins",
    ];
    let first = fingerprinted_results(&sarif(dir.path(), &args));

    // Enough results, on several files, to make uniqueness mean something.
    assert!(first.len() >= 40, "only {} results", first.len());
    let files: BTreeSet<&str> = first.iter().map(|r| r.2.as_str()).collect();
    assert!(files.len() >= 4, "results on {files:?}");
    let mut by_key: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    for (rule, subject, file, _, _) in &first {
        *by_key.entry((rule, subject, file)).or_default() += 1;
    }
    let shared = by_key.values().filter(|n| **n > 1).count();
    assert!(shared >= 5, "too few results share rule, subject and file: {by_key:#?}");

    let mut seen: BTreeMap<&str, &(String, String, String, i64, String)> = BTreeMap::new();
    for result in &first {
        assert_eq!(result.4.len(), 16, "{result:?}");
        assert!(result.4.bytes().all(|b| b.is_ascii_hexdigit()), "{result:?}");
        if let Some(earlier) = seen.insert(&result.4, result) {
            panic!("fingerprint {} shared by\n  {earlier:?}\n  {result:?}", result.4);
        }
    }

    let second = fingerprinted_results(&sarif(dir.path(), &args));
    assert_eq!(first, second, "a second run gives other results or fingerprints");
}
