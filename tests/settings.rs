//! redis-preflight.toml: discovery, validation errors that point into the
//! file, profiles, selection, severity overrides, waivers and inline ignores.

mod support;

use std::path::Path;
use support::*;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Runs check in `dir`, letting it discover the settings file there.
fn check_in(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let output = bin()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (output.status.code().unwrap_or(-1), report, stderr)
}

const OPEN_CONF: &str = "bind 0.0.0.0\nprotected-mode no\nport 6379\n";

#[test]
fn settings_are_found_from_the_working_directory_upward() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("deploy/redis");
    std::fs::create_dir_all(&nested).unwrap();
    write(
        dir.path(),
        "redis-preflight.toml",
        "profile = \"development\"\nfail_on = \"critical\"\n",
    );
    let conf = write(&nested, "redis.conf", "bind 127.0.0.1 -::1\nport 6379\n");
    let (code, report, stderr) = check_in(&nested, &[&conf]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["profile"], "development");
    assert_eq!(report["fail_on"], "critical");
    // The development profile reports only critical findings.
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] == "critical"),
        "{report:#}"
    );
    // --no-settings ignores it.
    let (_, report, _) = check_in(&nested, &["--no-settings", &conf]);
    assert_eq!(report["profile"], "self-hosted");
}

#[test]
fn invalid_settings_are_an_input_error_pointing_at_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(dir.path(), "redis.conf", "port 6379\n");
    write(
        dir.path(),
        "redis-preflight.toml",
        "profile = \"self-hosted\"\n\n[[waiver]]\nrule = \"memory.maxmemory-unset\"\nexpires = \"2030-01-01\"\n",
    );
    let (code, _, stderr) = check_in(dir.path(), &[&conf]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("redis-preflight.toml:3:1") && stderr.contains("\"reason\" is a required property"),
        "{stderr}"
    );
    write(
        dir.path(),
        "redis-preflight.toml",
        "profile = \"self-hosted\"\nfail_on = \"sometimes\"\n",
    );
    let (code, _, stderr) = check_in(dir.path(), &[&conf]);
    assert_eq!(code, 2);
    assert!(stderr.contains("redis-preflight.toml:2:"), "{stderr}");
    write(dir.path(), "redis-preflight.toml", "colour = \"red\"\n");
    let (code, _, stderr) = check_in(dir.path(), &[&conf]);
    assert_eq!(code, 2);
    assert!(stderr.contains("colour"), "{stderr}");
}

#[test]
fn profiles_change_what_applies_and_how_severe_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "redis.conf",
        "bind 10.0.0.7\nport 6379\nmaxmemory 1gb\nmaxmemory-policy allkeys-lru\n",
    );
    let env = write(dir.path(), "app.env", "REDIS_URL=redis://10.0.0.5:6379/0\n");
    let severity = |report: &serde_json::Value, id: &str| {
        findings_of(report, id)
            .first()
            .map(|f| f["severity"].as_str().unwrap().to_string())
    };
    let (_, hosted, _) = check_json(&["--fail-on", "none", &conf, "--env-file", &env], dir.path());
    assert_eq!(severity(&hosted, "tls.disabled").as_deref(), Some("high"));
    assert_eq!(severity(&hosted, "auth.no-password").as_deref(), Some("high"));
    let (_, cloud, _) = check_json(
        &[
            "--fail-on",
            "none",
            "--profile",
            "redis-cloud",
            &conf,
            "--env-file",
            &env,
        ],
        dir.path(),
    );
    assert_eq!(severity(&cloud, "tls.disabled").as_deref(), Some("critical"));
    assert_eq!(severity(&cloud, "auth.no-password").as_deref(), Some("critical"));
    assert_eq!(severity(&cloud, "env.plaintext-url").as_deref(), Some("critical"));
    // Memorystore: TLS and AUTH are judged as on any private network, high;
    // the host must be private.
    let (_, memorystore, _) = check_json(
        &[
            "--fail-on",
            "none",
            "--profile",
            "memorystore",
            &conf,
            "--env-file",
            &env,
        ],
        dir.path(),
    );
    assert_eq!(severity(&memorystore, "tls.disabled").as_deref(), Some("high"));
    assert_eq!(severity(&memorystore, "auth.no-password").as_deref(), Some("high"));
    // The app's side of the same choice, at the same level.
    assert_eq!(severity(&memorystore, "env.plaintext-url").as_deref(), Some("high"));
    // A redis.conf is no Memorystore resource: the general wording, not the resource's.
    let message = memorystore["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "tls.disabled")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .unwrap();
    assert!(
        message.starts_with("Clients connect in clear text on port"),
        "{message}"
    );
    let public = write(dir.path(), "public.env", "REDIS_URL=redis://35.200.10.4:6379/0\n");
    let (_, memorystore, _) = check_json(
        &["--fail-on", "none", "--profile", "memorystore", "--env-file", &public],
        dir.path(),
    );
    assert_eq!(severity(&memorystore, "env.public-host").as_deref(), Some("critical"));
    let output = bin()
        .args(["check", "--no-settings", "--profile", "staging", &conf])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown profile `staging`"));
}

#[test]
fn select_ignore_and_severity_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(dir.path(), "redis.conf", OPEN_CONF);
    let (_, report, _) = check_json(&["--fail-on", "none", "--select", "network", &conf], dir.path());
    let ids = rule_ids(&report);
    assert!(
        !ids.is_empty() && ids.iter().all(|r| r.starts_with("network.")),
        "{ids:?}"
    );
    let (_, report, _) = check_json(&["--fail-on", "none", "--select", "network.bind", &conf], dir.path());
    assert_eq!(rule_ids(&report), ["network.bind-all-interfaces"]);
    let (_, report, _) = check_json(
        &[
            "--fail-on",
            "none",
            "--ignore",
            "network",
            "--ignore",
            "auth.no-password",
            &conf,
        ],
        dir.path(),
    );
    let ids = rule_ids(&report);
    assert!(
        ids.iter()
            .all(|r| !r.starts_with("network.") && r != "auth.no-password"),
        "{ids:?}"
    );
    assert!(ids.iter().any(|r| r == "memory.maxmemory-unset"));

    write(dir.path(), "redis-preflight.toml", "fail_on = \"high\"\nignore = [\"network\", \"tls\", \"auth\", \"commands\"]\n[severity]\n\"memory.maxmemory-unset\" = \"low\"\n");
    let (code, report, stderr) = check_in(dir.path(), &[&conf]);
    assert_eq!(severity_of(&report, "memory.maxmemory-unset"), "low");
    // Nothing left at or above high: the gate passes.
    assert_eq!(code, 0, "{stderr} {report:#}");
}

fn severity_of(report: &serde_json::Value, id: &str) -> String {
    findings_of(report, id)[0]["severity"].as_str().unwrap().to_string()
}

#[test]
fn waivers_suppress_with_a_reason_until_they_expire() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(dir.path(), "redis.conf", "port 6380\nmaxmemory-policy allkeys-lru\n");
    write(
        dir.path(),
        "redis-preflight.toml",
        "ignore = [\"network\", \"tls\", \"auth\", \"commands\", \"observability\", \"persistence\"]\n\n\
         [[waiver]]\nrule = \"memory.maxmemory-unset\"\nreason = \"sized by the container limit (OPS-123)\"\nexpires = \"2999-01-01\"\n",
    );
    let (code, report, stderr) = check_in(dir.path(), &[&conf]);
    assert_eq!(code, 0, "{stderr}");
    assert!(findings_of(&report, "memory.maxmemory-unset").is_empty());
    let suppressed = &report["suppressed"][0];
    assert_eq!(suppressed["rule"], "memory.maxmemory-unset");
    assert_eq!(suppressed["by"], "waiver");
    assert_eq!(suppressed["reason"], "sized by the container limit (OPS-123)");

    // Expired: the finding is back, and the stale waiver is reported at its line.
    write(
        dir.path(),
        "redis-preflight.toml",
        "ignore = [\"network\", \"tls\", \"auth\", \"commands\", \"observability\", \"persistence\"]\n\n\
         [[waiver]]\nrule = \"memory.maxmemory-unset\"\nreason = \"sized by the container limit\"\nexpires = \"2001-01-01\"\n",
    );
    let (code, report, _) = check_in(dir.path(), &[&conf]);
    assert_eq!(code, 1);
    assert_eq!(findings_of(&report, "memory.maxmemory-unset").len(), 1);
    let expired = findings_of(&report, "settings.waiver-expired");
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0]["location"]["line"], 3);
    assert!(expired[0]["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("redis-preflight.toml"));

    // Unused: reported so it does not hide a regression later.
    write(
        dir.path(),
        "redis-preflight.toml",
        "ignore = [\"network\", \"tls\", \"auth\", \"commands\", \"observability\", \"persistence\", \"memory\"]\n\
         [[waiver]]\nrule = \"tls.disabled\"\nreason = \"TLS terminates at the sidecar\"\n",
    );
    let (_, report, _) = check_in(dir.path(), &[&conf]);
    assert_eq!(findings_of(&report, "settings.waiver-unused").len(), 1, "{report:#}");
}

#[test]
fn waivers_can_name_a_subject() {
    let dir = tempfile::tempdir().unwrap();
    let env = write(dir.path(), "app.env", "CACHE_TTL_DEFAULT=0\nCACHE_TTL_KRCI=abc\nREDIS_URL=rediss://:q3V9xL2mR7tK8pZ4wN6yB1cF5hJ0dG3sAb@10.0.0.5:6380/0\n");
    write(dir.path(), "redis-preflight.toml", "[[waiver]]\nrule = \"env.ttl-invalid\"\nsubject = \"CACHE_TTL_DEFAULT\"\nreason = \"0 means no caching for this app\"\n");
    let (_, report, _) = check_in(dir.path(), &["--env-file", &env]);
    let ttl = findings_of(&report, "env.ttl-invalid");
    assert_eq!(ttl.len(), 1);
    assert_eq!(ttl[0]["subject"], "CACHE_TTL_KRCI");
    assert_eq!(report["suppressed"][0]["subject"], "CACHE_TTL_DEFAULT");
}

#[test]
fn inline_ignore_comments_suppress_the_next_directive_only() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "redis.conf",
        "# redis-preflight: ignore[network.bind-all-interfaces] the security group allows only the app subnet\n\
         bind 0.0.0.0\n\
         # redis-preflight: ignore[observability.keepalive-disabled] load balancer handles it\n\
         \n\
         tcp-keepalive 0\n\
         # redis-preflight: ignore[memory] nothing here to ignore\n\
         port 6379\n",
    );
    let (_, report, _) = check_json(&["--fail-on", "none", &conf], dir.path());
    assert!(findings_of(&report, "network.bind-all-interfaces").is_empty());
    let suppressed = report["suppressed"].as_array().unwrap();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["by"], "inline");
    assert_eq!(suppressed[0]["reason"], "the security group allows only the app subnet");
    // Not directly above: it does not apply, and is reported as unused.
    assert_eq!(findings_of(&report, "observability.keepalive-disabled").len(), 1);
    let unused = findings_of(&report, "settings.suppression-unused");
    assert_eq!(unused.len(), 2, "{unused:#?}");
}

#[test]
fn settings_can_turn_on_the_process_environment_and_env_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app.env", "REDIS_URL=redis://10.0.0.5:6379/0\n");
    write(
        dir.path(),
        "redis-preflight.toml",
        "env = true\nenv_files = [\"app.env\"]\n",
    );
    let output = bin()
        .current_dir(dir.path())
        .env("REDIS_TLS", "true")
        .args(["check", "--format", "json", "--fail-on", "none"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mismatch = findings_of(&report, "env.tls-mismatch");
    assert_eq!(mismatch.len(), 1, "{report:#}");
    // REDIS_TLS came from the process, REDIS_URL from the file: the finding points at the file line.
    assert_eq!(mismatch[0]["location"]["line"], 1);
    assert!(
        mismatch[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("REDIS_TLS sets TLS to yes"),
        "{mismatch:#?}"
    );
    assert!(!findings_of(&report, "env.plaintext-url").is_empty());
}

#[test]
fn without_an_env_source_env_rules_do_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(dir.path(), "redis.conf", "port 6379\n");
    let output = bin()
        .current_dir(dir.path())
        .env("REDIS_URL", "redis://203.0.113.9:6379")
        .args(["check", "--no-settings", "--format", "json", "--fail-on", "none", &conf])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        rule_ids(&report).iter().all(|r| !r.starts_with("env.")),
        "{:?}",
        rule_ids(&report)
    );
}

#[test]
fn version_aware_checks() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "redis.conf",
        "slaveof 10.0.0.5 6379\nmasterauth q3V9xL2mR7tK8pZ4wN6yB1cF5hJ0dG3sAb\nenable-debug-command no\n",
    );
    // 7.2: slaveof is a deprecated spelling; enable-debug-command exists.
    let (_, report, _) = check_json(&["--fail-on", "none", "--redis-version", "7.2.4", &conf], dir.path());
    assert_eq!(
        findings_of(&report, "config.deprecated-directive")[0]["subject"],
        "slaveof"
    );
    assert!(findings_of(&report, "config.unknown-directive").is_empty());
    assert_eq!(report["redis_version"], "7.2");
    // 6.2: enable-debug-command did not exist yet: redis-server 6.2 refuses it.
    let (_, report, _) = check_json(&["--fail-on", "none", "--redis-version", "6.2", &conf], dir.path());
    assert_eq!(
        findings_of(&report, "config.unknown-directive")[0]["subject"],
        "enable-debug-command"
    );
    // Valkey 8.0: masterauth is the old name of primaryauth, and still a secret.
    let (_, report, _) = check_json(
        &["--fail-on", "none", "--redis-version", "valkey-8.0", &conf],
        dir.path(),
    );
    assert!(
        findings_of(&report, "config.deprecated-directive")
            .iter()
            .any(|f| f["subject"] == "masterauth"),
        "{:#?}",
        rule_ids(&report)
    );
    assert_eq!(report["redis_version"], "valkey-8.0");
    // With no bind line, 6.2 listens everywhere while 7.x defaults to `* -::*` (also everywhere).
    let plain = write(dir.path(), "plain.conf", "port 6390\n");
    for version in ["6.2", "7.2"] {
        let (_, report, _) = check_json(&["--fail-on", "none", "--redis-version", version, &plain], dir.path());
        let bind = findings_of(&report, "network.bind-all-interfaces");
        assert_eq!(bind.len(), 1, "{version}");
        assert!(bind[0].get("location").is_none());
    }
}
