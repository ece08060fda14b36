//! Verdicts that depend on what the deployment is: who can reach it
//! (`exposure.reachability`) grades the TLS, password and protected-mode
//! findings; what it is for (`workload.role`) decides which eviction policy
//! and how much persistence it needs; the checklist says "partial" when only
//! some of the evidence an item needs was seen.

mod common;

use serde_json::Value;
use std::fs;
use std::path::Path;

/// `check --no-settings --format json --fail-on none ARGS` in `dir`.
fn run_check(dir: &Path, args: &[&str]) -> Value {
    let output = common::preflight()
        .current_dir(dir)
        .args(["check", "--no-settings", "--format", "json", "--fail-on", "none"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}\n{stdout}"))
}

/// The FAIL findings of `rule` (on targets whose id ends with `target`).
fn fails<'r>(report: &'r Value, rule: &str, target: &str) -> Vec<&'r Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule && f["state"] == "fail" && f["target"].as_str().unwrap().ends_with(target))
        .collect()
}

/// The one FAIL finding of `rule`: its severity and message.
fn one(report: &Value, rule: &str, target: &str) -> (String, String) {
    let found = fails(report, rule, target);
    assert_eq!(found.len(), 1, "{rule} on {target}: {found:#?}");
    (
        found[0]["severity"].as_str().unwrap().to_string(),
        found[0]["message"].as_str().unwrap().to_string(),
    )
}

/// A temporary directory holding these files (parent folders made).
fn files(pairs: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in pairs {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
    dir
}

fn conf_report(text: &str) -> Value {
    let dir = files(&[("redis.conf", text)]);
    run_check(dir.path(), &["redis.conf"])
}

#[test]
fn a_loopback_server_is_judged_as_reachable_from_its_host_only() {
    let report = conf_report("bind 127.0.0.1 -::1\nport 6379\n");
    let (severity, message) = one(&report, "tls.disabled", "");
    assert_eq!(severity, "low");
    assert!(
        message.contains("only this host can connect") && message.contains("`bind 127.0.0.1 -::1`: loopback only"),
        "{message}"
    );
    // Any local process (an SSRF in a web app) still reaches a loopback port.
    assert_eq!(one(&report, "auth.no-password", "").0, "high");
}

#[test]
fn a_server_on_a_restricted_unix_socket_only_is_a_medium_without_a_password() {
    let restricted = conf_report("port 0\nunixsocket /run/redis/redis.sock\nunixsocketperm 770\n");
    let (severity, message) = one(&restricted, "auth.no-password", "");
    assert_eq!(severity, "medium");
    assert!(
        message.contains("only the unix socket /run/redis/redis.sock"),
        "{message}"
    );
    assert!(fails(&restricted, "tls.disabled", "").is_empty());
    // Every local user may connect to a 777 socket: as high as a loopback port.
    let open = conf_report("port 0\nunixsocket /run/redis/redis.sock\nunixsocketperm 777\n");
    assert_eq!(one(&open, "auth.no-password", "").0, "high");
}

#[test]
fn an_open_server_on_every_interface_is_critical_and_says_why() {
    let report = conf_report("bind 0.0.0.0\nprotected-mode no\n");
    let (severity, message) = one(&report, "auth.no-password", "");
    assert_eq!(severity, "critical");
    assert!(
        message.contains("taken over") && message.contains("`bind 0.0.0.0`"),
        "{message}"
    );
    let (severity, message) = one(&report, "network.protected-mode-disabled", "");
    assert_eq!(severity, "critical");
    assert!(message.contains("clients need no password"), "{message}");
    assert_eq!(one(&report, "network.exposed-without-auth", "").0, "critical");
    // With a password, protected mode changes nothing: low.
    let guarded = conf_report("bind 0.0.0.0\nprotected-mode no\nrequirepass Xq3-vT9z-Lm2p-Rw8k-Ys4n-Bc7d-Hf6j\n");
    assert_eq!(one(&guarded, "network.protected-mode-disabled", "").0, "low");
    assert!(fails(&guarded, "auth.no-password", "").is_empty());
    // Protected mode on (the default) refuses remote clients while there is no
    // password: high, and the message says what still holds it back.
    let behind = conf_report("bind 0.0.0.0\n");
    let (severity, message) = one(&behind, "auth.no-password", "");
    assert_eq!(severity, "high");
    assert!(
        message.contains("only protected mode refuses remote clients"),
        "{message}"
    );
    // Before 7.0 a written `bind` turns protected mode off: critical again.
    let old = {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("redis.conf"), "bind 0.0.0.0\n").unwrap();
        run_check(dir.path(), &["--redis-version", "6.2", "redis.conf"])
    };
    assert_eq!(one(&old, "auth.no-password", "").0, "critical");
    // Before 6.0 there is no TLS at all: still clear text, and said so.
    let ancient = {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("redis.conf"),
            "bind 10.0.0.5\nrequirepass Xq3-vT9z-Lm2p-Rw8k-Ys4n-Bc7d-Hf6j\n",
        )
        .unwrap();
        run_check(dir.path(), &["--redis-version", "5.0", "redis.conf"])
    };
    let (severity, message) = one(&ancient, "tls.disabled", "");
    assert_eq!(severity, "high");
    assert!(message.contains("redis 5.0 has no TLS at all"), "{message}");
    // On private addresses: high, not critical.
    let private = conf_report("bind 10.0.0.5 127.0.0.1\nprotected-mode no\n");
    assert_eq!(one(&private, "auth.no-password", "").0, "high");
    assert_eq!(one(&private, "network.protected-mode-disabled", "").0, "high");
    assert!(fails(&private, "network.exposed-without-auth", "").is_empty());
}

#[test]
fn a_container_is_as_exposed_as_its_published_port() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  internal:\n    image: redis:7.2\n  published:\n    image: redis:7.2\n    ports:\n      - \"6379:6379\"\n",
    )
    .unwrap();
    let report = run_check(dir.path(), &["compose.yaml"]);
    // Not published: only the compose network reaches it.
    assert_eq!(one(&report, "network.bind-all-interfaces", "#internal").0, "info");
    assert_eq!(one(&report, "auth.no-password", "#internal").0, "high");
    assert_eq!(one(&report, "tls.disabled", "#internal").0, "high");
    // Published on every interface of the host: as exposed as a host.
    assert_eq!(one(&report, "network.bind-all-interfaces", "#published").0, "high");
    let (severity, message) = one(&report, "auth.no-password", "#published");
    assert_eq!(severity, "critical");
    assert!(message.contains("published on every host interface"), "{message}");
}

#[test]
fn the_eviction_policy_is_judged_by_what_the_instance_is_for() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("compose.yaml"),
        "services:
  web:
    image: example/web:1.0
    environment:
      CELERY_BROKER_URL: redis://jobs:6379/0
      SESSION_URL: redis://sessions:6379/0
      REDIS_URL: redis://redis-cache:6379/0
  jobs:
    image: redis:7.2
    command: [\"redis-server\", \"--maxmemory-policy\", \"allkeys-lru\", \"--save\", \"\"]
  sessions:
    image: redis:7.2
    command: [\"redis-server\", \"--maxmemory-policy\", \"noeviction\", \"--save\", \"\"]
  redis-cache:
    image: redis:7.2
    command: [\"redis-server\", \"--maxmemory-policy\", \"allkeys-lfu\", \"--save\", \"\"]
  store:
    image: redis:7.2
    command: [\"redis-server\", \"--appendonly\", \"yes\", \"--save\", \"\"]
",
    )
    .unwrap();
    let report = run_check(dir.path(), &["compose.yaml"]);
    // A broker that evicts loses jobs: high, and the message names the variable.
    let (severity, message) = one(&report, "memory.eviction-policy", "#jobs");
    assert_eq!(severity, "high");
    assert!(
        message.contains("on a queue") && message.contains("CELERY_BROKER_URL"),
        "{message}"
    );
    // A session store that refuses writes when full: medium.
    let (severity, message) = one(&report, "memory.eviction-policy", "#sessions");
    assert_eq!(severity, "medium");
    assert!(
        message.contains("on a session") && message.contains("`sessions`"),
        "{message}"
    );
    // allkeys-lfu suits a cache: said at info only.
    let (severity, message) = one(&report, "memory.eviction-policy", "#redis-cache");
    assert_eq!(severity, "info");
    assert!(message.contains("the guide's choice is `allkeys-lru`"), "{message}");
    // A store that never evicts (the default) passes; its lost-on-restart check is high.
    assert!(fails(&report, "memory.eviction-policy", "#store").is_empty());
    assert!(fails(&report, "persistence.disabled", "#store").is_empty());
    assert_eq!(one(&report, "persistence.disabled", "#jobs").0, "high");
    assert_eq!(one(&report, "persistence.disabled", "#sessions").0, "medium");
    assert_eq!(one(&report, "persistence.disabled", "#redis-cache").0, "info");
}

#[test]
fn an_append_only_store_that_never_evicts_is_not_asked_to_evict() {
    let store = conf_report("bind 127.0.0.1\nappendonly yes\nmaxmemory 1gb\n");
    assert!(fails(&store, "memory.eviction-policy", "").is_empty());
    // The same server with an evicting policy is judged as a cache.
    let cache = conf_report("bind 127.0.0.1\nappendonly yes\nmaxmemory 1gb\nmaxmemory-policy volatile-lru\n");
    assert_eq!(one(&cache, "memory.eviction-policy", "").0, "medium");
}

#[test]
fn the_settings_name_the_role_and_the_team_severity_keeps_the_reason() {
    let conf = "bind 127.0.0.1\nmaxmemory-policy allkeys-lru\n";
    let dir = files(&[
        ("queue.conf", conf),
        ("plain.conf", conf),
        (
            "redis-preflight.toml",
            "[[roles]]\ntarget = \"redis-conf:*queue.conf\"\nrole = \"queue\"\n\n[severity]\n\"memory.eviction-policy\" = \"critical\"\n",
        ),
    ]);
    let output = common::preflight()
        .current_dir(dir.path())
        .args([
            "check",
            "--format",
            "json",
            "--fail-on",
            "none",
            "queue.conf",
            "plain.conf",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let (severity, message) = one(&report, "memory.eviction-policy", "queue.conf");
    assert_eq!(severity, "critical");
    assert!(
        message.contains("a queue must keep every key") && message.contains("[[roles]]"),
        "{message}"
    );
    assert!(fails(&report, "memory.eviction-policy", "plain.conf").is_empty());
}

#[test]
fn a_bad_role_glob_or_role_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("redis.conf"), "port 6379\n").unwrap();
    fs::write(dir.path().join("redis-preflight.toml"), "role = \"database\"\n").unwrap();
    let output = common::preflight()
        .current_dir(dir.path())
        .args(["check", "redis.conf"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("role"));
    fs::write(
        dir.path().join("redis-preflight.toml"),
        "[[roles]]\ntarget = \"compose:[*\"\nrole = \"queue\"\n",
    )
    .unwrap();
    let output = common::preflight()
        .current_dir(dir.path())
        .args(["check", "redis.conf"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("roles") && stderr.contains("compose:[*"), "{stderr}");
}

#[test]
fn cache_ttls_are_judged_only_for_a_cache() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("app.env"),
        "REDIS_URL=redis://127.0.0.1:6379/0\nCACHE_TTL_PAGES=-5\n",
    )
    .unwrap();
    let cache = run_check(dir.path(), &["--env-file", "app.env"]);
    assert_eq!(fails(&cache, "env.ttl-invalid", "").len(), 1);
    fs::write(
        dir.path().join("app.env"),
        "CELERY_BROKER_URL=redis://127.0.0.1:6379/0\nREDIS_URL=redis://127.0.0.1:6379/0\nCACHE_TTL_PAGES=-5\n",
    )
    .unwrap();
    let queue = run_check(dir.path(), &["--env-file", "app.env"]);
    assert!(fails(&queue, "env.ttl-invalid", "").is_empty());
}

/// The Markdown checklist's row for an item.
fn checklist_row(dir: &Path, args: &[&str], item: &str) -> String {
    let output = common::preflight()
        .current_dir(dir)
        .args(["checklist", "--no-settings", "--fail-on", "none"])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.lines()
        .find(|line| line.starts_with('|') && line.contains(&format!("[{item}]")))
        .unwrap_or_else(|| panic!("no row for {item}:\n{text}"))
        .to_string()
}

#[test]
fn the_checklist_says_partial_when_the_control_it_needs_was_not_seen() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("redis.conf"),
        "bind 127.0.0.1 10.0.0.5\nappendonly yes\nrequirepass Xq3-vT9z-Lm2p-Rw8k-Ys4n-Bc7d-Hf6j\n",
    )
    .unwrap();
    let backups = checklist_row(dir.path(), &["redis.conf"], "backups-configured");
    assert!(
        backups.contains("◐ Partial") && backups.contains("no off-host copy seen"),
        "{backups}"
    );
    let firewall = checklist_row(dir.path(), &["redis.conf"], "network-private");
    assert!(
        firewall.contains("◐ Partial") && firewall.contains("no network control was seen"),
        "{firewall}"
    );

    // A NetworkPolicy in front of the pods verifies the firewall item.
    fs::write(
        dir.path().join("values.yaml"),
        "architecture: standalone\nauth:\n  enabled: true\nnetworkPolicy:\n  enabled: true\n  allowExternal: false\n",
    )
    .unwrap();
    let firewall = checklist_row(dir.path(), &["values.yaml"], "network-private");
    assert!(firewall.contains("Verified pass"), "{firewall}");
}

#[test]
fn a_password_from_a_file_is_set_and_a_null_one_is_none() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("app.env"),
        "REDIS_URL=rediss://app@10.0.0.5:6380/0\nREDIS_PASSWORD_FILE=/run/secrets/redis\n",
    )
    .unwrap();
    let from_file = run_check(dir.path(), &["--env-file", "app.env"]);
    assert!(fails(&from_file, "env.password-missing", "").is_empty());
    // Laravel's `REDIS_PASSWORD=null` is no password, not a 4-character one.
    fs::write(
        dir.path().join("app.env"),
        "REDIS_URL=rediss://10.0.0.5:6380/0\nREDIS_PASSWORD=null\n",
    )
    .unwrap();
    let null = run_check(dir.path(), &["--env-file", "app.env"]);
    assert!(fails(&null, "auth.weak-password", "").is_empty());
    assert_eq!(fails(&null, "env.password-missing", "").len(), 1);
}

#[test]
fn a_compose_project_is_judged_once_with_its_mounted_config_and_without_its_dotenv() {
    let dir = files(&[
        ("redis/redis.conf", "maxmemory 1gb\nmaxmemory-policy allkeys-lru\n"),
        (".env", "REDIS_PASSWORD=Xq3-vT9z-Lm2p-Rw8k-Ys4n-Bc7d-Hf6j\n"),
        (
            "docker-compose.yml",
            "services:
  web:
    image: example/web:1.0
    environment:
      REDIS_URL: redis://:${REDIS_PASSWORD}@cache:6379/0
  cache:
    image: redis:7.2
    command: [\"redis-server\", \"/usr/local/etc/redis/redis.conf\", \"--requirepass\", \"${REDIS_PASSWORD}\"]
    volumes:
      - ./redis/redis.conf:/usr/local/etc/redis/redis.conf:ro
",
        ),
    ]);
    let report = run_check(dir.path(), &["."]);
    let targets: Vec<&str> = report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    // The mounted config is judged inside its container; `.env` is compose's
    // interpolation file, not an app environment of its own.
    assert_eq!(targets, ["compose:docker-compose.yml#cache"], "{report:#}");
    assert!(fails(&report, "memory.maxmemory-unset", "").is_empty(), "{report:#}");
    // Named explicitly, the config is a target again.
    let named = run_check(dir.path(), &["redis/redis.conf", "docker-compose.yml"]);
    assert_eq!(named["targets"].as_array().unwrap().len(), 2);
}
