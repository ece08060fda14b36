//! The live probe against real redis-server processes this test starts on
//! loopback ports (and a unix socket): what it finds, the exit codes, the
//! JSON `probe` object, and that no password ever shows.

#[path = "support/server.rs"]
mod server;
mod support;

use server::{make_certificates, TestServer};
use std::path::Path;
use support::*;

const PASSWORD: &str = "Pr0be-Test-Password-0123456789-abcdefXYZ";
/// The least-privilege ACL rules the README documents for the probe's user,
/// read from the README so the test proves exactly what users copy.
fn readme_probe_acl() -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("user preflight on >"))
        .expect("the README documents the probe's ACL user");
    line.split_whitespace().skip(4).collect::<Vec<_>>().join(" ")
}

/// Runs `check --probe` with JSON output; returns exit code, report, stdout+stderr.
fn probe(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, serde_json::Value, String) {
    let mut cmd = bin();
    cmd.current_dir(dir)
        .args(["check", "--no-settings", "--format", "json", "--probe"])
        .args(args);
    for (name, value) in env {
        cmd.env(name, value);
    }
    let output = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (
        output.status.code().unwrap_or(-1),
        report,
        format!("{stdout}\n{stderr}"),
    )
}

fn finding<'a>(report: &'a serde_json::Value, rule: &str) -> Option<&'a serde_json::Value> {
    findings_of(report, rule).into_iter().next()
}

fn assert_valid_report(report: &serde_json::Value) {
    let errors = schema_errors(&validator("report.schema.json"), report);
    assert!(errors.is_empty(), "{errors:#?}\n{report:#}");
}

#[test]
fn an_insecure_server_is_reported_from_what_runs_without_a_file() {
    let server = TestServer::start("bind 0.0.0.0\nprotected-mode no\n");
    let dir = tempfile::tempdir().unwrap();
    let (code, report, output) = probe(dir.path(), &["--url", &server.url()], &[]);
    assert_eq!(code, 1, "{output}");
    assert_valid_report(&report);
    let open = finding(&report, "live.unauthenticated-access").expect("unauthenticated access");
    assert_eq!(open["severity"], "critical");
    assert_eq!(open["source"], "live");
    // Static rules evaluated on the running configuration, marked live.
    for rule in [
        "network.bind-all-interfaces",
        "network.protected-mode-disabled",
        "auth.no-password",
        "memory.maxmemory-unset",
        "tls.disabled",
    ] {
        let found = finding(&report, rule).unwrap_or_else(|| panic!("{rule} missing: {:?}", rule_ids(&report)));
        assert_eq!(found["source"], "live", "{rule}");
        assert!(
            found.get("location").is_none(),
            "{rule}: a running setting has no file line"
        );
    }
    let callable = finding(&report, "live.dangerous-commands-callable").unwrap();
    assert!(callable["message"].as_str().unwrap().contains("FLUSHALL"));
    // The probe object carries the numbers the checklist asks to monitor.
    let summary = &report["probe"];
    assert_eq!(summary["endpoint"], server.url());
    assert_eq!(summary["product"], "redis");
    assert_eq!(summary["role"], "master");
    assert_eq!(summary["unauthenticated_access"], true);
    assert_eq!(summary["latency_ms"]["samples"], 100);
    assert!(summary["latency_ms"]["p50"].as_f64().unwrap() <= summary["latency_ms"]["p99"].as_f64().unwrap());
    assert!(
        summary["round_trips"].as_u64().unwrap() < 110,
        "a handful of round trips plus 100 PINGs"
    );
    // Without --redis-version the running version decides.
    assert_eq!(report["redis_version"], redis_line());
}

/// The running password comes back from CONFIG GET equal to the probe's own:
/// the password rules judge its real value (not a mask of it), and no
/// output shows it.
#[test]
fn the_running_password_is_judged_by_its_value_and_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let weak = "foobared";
    let server = TestServer::start(&format!("requirepass {weak}\n"));
    let (_, report, output) = probe(dir.path(), &["--url", &server.url()], &[("REDIS_PASSWORD", weak)]);
    let found = finding(&report, "auth.placeholder-password")
        .unwrap_or_else(|| panic!("the running placeholder password is not found: {:?}", rule_ids(&report)));
    assert_eq!(found["source"], "live");
    assert!(!output.contains(weak) && !report.to_string().contains(weak), "{output}");

    let strong = "Zq9-preflight-Sekret-4711-a8f3b2c1d0e9";
    let server = TestServer::start(&format!("requirepass {strong}\n"));
    let (_, report, output) = probe(dir.path(), &["--url", &server.url()], &[("REDIS_PASSWORD", strong)]);
    for rule in ["auth.placeholder-password", "auth.weak-password", "auth.no-password"] {
        assert!(
            finding(&report, rule).is_none(),
            "{rule} for a strong password: {:?}",
            rule_ids(&report)
        );
    }
    assert!(
        !output.contains(strong) && !report.to_string().contains(strong),
        "{output}"
    );
}

fn redis_line() -> String {
    let output = std::process::Command::new("redis-server")
        .arg("--version")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let version = text.split("v=").nth(1).unwrap().split(' ').next().unwrap().to_string();
    let mut parts = version.split('.');
    format!("{}.{}", parts.next().unwrap(), parts.next().unwrap())
}

#[test]
fn the_human_report_has_a_live_section() {
    let server = TestServer::start(&format!("requirepass {PASSWORD}\nmaxmemory 64mb\n"));
    server.cli(&["-a", PASSWORD, "SET", "k", "v"]);
    server.cli(&["-a", PASSWORD, "GET", "k"]);
    server.cli(&["-a", PASSWORD, "GET", "missing"]);
    let output = bin()
        .args([
            "check",
            "--no-settings",
            "--color",
            "never",
            "--probe",
            "--url",
            &server.url(),
            "--fail-on",
            "none",
        ])
        .env("REDIS_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains(PASSWORD));
    let live = text
        .split("Live: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no Live section:\n{text}"));
    assert!(live.starts_with(&format!("{} · redis ", server.url())), "{live}");
    assert!(live.contains("maxmemory ("), "memory against maxmemory: {live}");
    assert!(live.contains("50.0 % of 2 lookups"), "hit rate: {live}");
    assert!(live.contains("latency    min"), "{live}");
    assert!(
        live.contains("p50") && live.contains("p99") && live.contains("(100 PINGs)"),
        "{live}"
    );
    assert!(live.contains("clients    1 connected of 10000 maxclients"), "{live}");
    // The server has never saved: its start time is not a save.
    assert!(live.contains("last save  no save since start"), "{live}");
}

#[test]
fn runtime_changes_are_reported_as_drift_at_the_file_line() {
    let server = TestServer::start(&format!(
        "requirepass {PASSWORD}\nmaxmemory 1gb\nmaxmemory-policy allkeys-lru\n"
    ));
    server.cli(&["-a", PASSWORD, "CONFIG", "SET", "maxmemory", "2gb"]);
    server.cli(&[
        "-a",
        PASSWORD,
        "CONFIG",
        "SET",
        "requirepass",
        "a-different-Secret-0123456789-abcdefgh",
    ]);
    let conf = server.path("redis.conf");
    let dir = tempfile::tempdir().unwrap();
    // The server now wants the new password; the probe has it, the file has the old one.
    let (code, report, output) = probe(
        dir.path(),
        &[
            "--config",
            conf.to_str().unwrap(),
            "--url",
            &server.url(),
            "--fail-on",
            "critical",
        ],
        &[("REDIS_PASSWORD", "a-different-Secret-0123456789-abcdefgh")],
    );
    assert_eq!(code, 0, "{output}");
    assert!(
        !output.contains(PASSWORD) && !output.contains("a-different-Secret"),
        "a password leaked:\n{output}"
    );
    let drift = findings_of(&report, "live.config-drift");
    let maxmemory = drift
        .iter()
        .find(|f| f["subject"] == "maxmemory")
        .expect("maxmemory drift");
    assert!(
        maxmemory["message"]
            .as_str()
            .unwrap()
            .contains("the file says `1gb`, the server runs `2gb`"),
        "{maxmemory:#}"
    );
    assert_eq!(maxmemory["location"]["file"], conf.to_str().unwrap());
    let text = std::fs::read_to_string(&conf).unwrap();
    let line = text.lines().position(|l| l.starts_with("maxmemory 1gb")).unwrap() + 1;
    assert_eq!(maxmemory["location"]["line"], line);
    let password = drift
        .iter()
        .find(|f| f["subject"] == "requirepass")
        .expect("requirepass drift");
    assert!(password["message"].as_str().unwrap().contains("values hidden"));
    assert!(
        drift.iter().all(|f| f["subject"] != "maxmemory-policy"),
        "unchanged settings are not drift"
    );
}

#[test]
fn a_server_changed_at_runtime_is_audited_as_it_runs() {
    // The file sets a password; someone removed it with CONFIG SET.
    let server = TestServer::start(&format!("requirepass {PASSWORD}\n"));
    server.cli(&["-a", PASSWORD, "CONFIG", "SET", "requirepass", ""]);
    let dir = tempfile::tempdir().unwrap();
    let conf = server.path("redis.conf");
    let (_, report, output) = probe(
        dir.path(),
        &["--config", conf.to_str().unwrap(), "--url", &server.url()],
        &[],
    );
    assert!(!output.contains(PASSWORD));
    let no_password = finding(&report, "auth.no-password").expect("the running server has no password");
    assert_eq!(no_password["source"], "live");
    assert_eq!(
        finding(&report, "live.unauthenticated-access").unwrap()["severity"],
        "critical"
    );
}

#[test]
fn a_hardened_tls_server_passes_and_shows_its_tls_facts() {
    let certs_dir = tempfile::tempdir().unwrap();
    let certs = make_certificates(certs_dir.path(), 365);
    let tls_port = server::free_port();
    let config = format!(
        "port 0\ntls-port {tls_port}\ntls-cert-file {}\ntls-key-file {}\ntls-ca-cert-file {}\ntls-auth-clients yes\n\
         tls-protocols \"TLSv1.2 TLSv1.3\"\nuser default off\n\
         user preflight on >{PASSWORD} {}\n\
         user app on >app-Password-0123456789-abcdefghijkl ~* &* +@all -@dangerous\n\
         rename-command FLUSHALL \"\"\nmaxmemory 64mb\nmaxmemory-policy allkeys-lru\n",
        certs.server_cert.display(),
        certs.server_key.display(),
        certs.ca.display(),
        readme_probe_acl()
    );
    let _server = TestServer::start_on(tls_port, &config);
    let dir = tempfile::tempdir().unwrap();
    let password_file = dir.path().join("password");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();
    let env = dir.path().join("app.env");
    std::fs::write(
        &env,
        format!("REDIS_URL=rediss://app@127.0.0.1:{tls_port}/0\nREDIS_PASSWORD=app-Password-0123456789-abcdefghijkl\n"),
    )
    .unwrap();
    let url = format!("rediss://preflight@127.0.0.1:{tls_port}");
    let tls_args = [
        "--tls-ca",
        certs.ca.to_str().unwrap(),
        "--tls-cert",
        certs.client_cert.to_str().unwrap(),
        "--tls-key",
        certs.client_key.to_str().unwrap(),
    ];
    let mut args = vec![
        "--url",
        url.as_str(),
        "--password-file",
        password_file.to_str().unwrap(),
        "--env-file",
        env.to_str().unwrap(),
    ];
    args.extend(tls_args);
    let (code, report, output) = probe(dir.path(), &args, &[]);
    assert_eq!(code, 0, "{output}");
    assert_valid_report(&report);
    assert!(!output.contains(PASSWORD));
    let summary = &report["probe"];
    assert!(
        summary["tls"]["protocol"].as_str().unwrap().starts_with("TLSv1."),
        "{summary:#}"
    );
    let days = summary["tls"]["cert_days_left"].as_i64().unwrap();
    assert!((363..=365).contains(&days), "{days}");
    assert_eq!(summary["plaintext_accepted"], false);
    assert_eq!(summary["unauthenticated_access"], false);
    assert_eq!(
        summary["denied"],
        serde_json::json!([]),
        "the README's least-privilege user is enough"
    );
    for rule in [
        "live.unauthenticated-access",
        "live.dangerous-commands-callable",
        "tls.disabled",
        "live.tls-cert-expiring",
        "live.plaintext-accepted",
        "auth.no-password",
    ] {
        assert!(
            finding(&report, rule).is_none(),
            "{rule}: {:#}",
            finding(&report, rule).unwrap()
        );
    }
    // The same server over plaintext is a clear error with exit code 3.
    let plain = format!("redis://preflight@127.0.0.1:{tls_port}");
    let (code, _, output) = probe(
        dir.path(),
        &[
            "--url",
            &plain,
            "--password-file",
            password_file.to_str().unwrap(),
            "--connect-timeout",
            "1",
            "--timeout",
            "3",
        ],
        &[],
    );
    assert_eq!(code, 3, "{output}");
    assert!(!output.contains(PASSWORD));
}

#[test]
fn an_expiring_certificate_and_an_open_plaintext_port_are_found() {
    let certs_dir = tempfile::tempdir().unwrap();
    let certs = make_certificates(certs_dir.path(), 10);
    let tls_port = server::free_port();
    let config = format!(
        "tls-port {tls_port}\ntls-cert-file {}\ntls-key-file {}\ntls-ca-cert-file {}\ntls-auth-clients no\nrequirepass {PASSWORD}\n",
        certs.server_cert.display(),
        certs.server_key.display(),
        certs.ca.display()
    );
    let server = TestServer::start(&config);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("rediss://127.0.0.1:{tls_port}");
    let (_, report, output) = probe(
        dir.path(),
        &["--url", &url, "--tls-ca", certs.ca.to_str().unwrap()],
        &[("REDIS_PASSWORD", PASSWORD)],
    );
    assert!(!output.contains(PASSWORD));
    let expiring = finding(&report, "live.tls-cert-expiring").unwrap_or_else(|| panic!("{output}"));
    assert_eq!(expiring["severity"], "high");
    assert!(
        expiring["message"].as_str().unwrap().contains("expires in"),
        "{expiring:#}"
    );
    let plaintext = finding(&report, "live.plaintext-accepted").expect("the plaintext port answers");
    assert!(plaintext["message"]
        .as_str()
        .unwrap()
        .contains(&server.port.to_string()));
    assert_eq!(finding(&report, "tls.client-auth-disabled").unwrap()["source"], "live");
}

#[test]
fn an_expired_certificate_is_critical() {
    let certs_dir = tempfile::tempdir().unwrap();
    let certs = make_certificates(certs_dir.path(), -5);
    let tls_port = server::free_port();
    let config = format!(
        "port 0\ntls-port {tls_port}\ntls-cert-file {}\ntls-key-file {}\ntls-ca-cert-file {}\ntls-auth-clients no\nrequirepass {PASSWORD}\n",
        certs.server_cert.display(),
        certs.server_key.display(),
        certs.ca.display()
    );
    let _server = TestServer::start_on(tls_port, &config);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("rediss://127.0.0.1:{tls_port}");
    let (code, report, output) = probe(
        dir.path(),
        &["--url", &url, "--tls-ca", certs.ca.to_str().unwrap()],
        &[("REDIS_PASSWORD", PASSWORD)],
    );
    assert_eq!(code, 1, "{output}");
    let expired = finding(&report, "live.tls-cert-expiring").unwrap();
    assert_eq!(expired["severity"], "critical");
    assert!(expired["message"].as_str().unwrap().contains("expired"));
}

#[test]
fn replicas_and_their_link_are_checked() {
    let master = TestServer::start(&format!("requirepass {PASSWORD}\nmasterauth {PASSWORD}\n"));
    let replica = TestServer::start(&format!(
        "replicaof 127.0.0.1 {}\nmasterauth {PASSWORD}\nrequirepass {PASSWORD}\n",
        master.port
    ));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !replica
        .cli(&["-a", PASSWORD, "INFO", "replication"])
        .contains("master_link_status:up")
    {
        assert!(std::time::Instant::now() < deadline, "the replica did not sync");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("redis-preflight.toml"), "tier = \"standard\"\n").unwrap();
    let run = |url: &str| {
        let output = bin()
            .current_dir(dir.path())
            .args([
                "check",
                "--format",
                "json",
                "--fail-on",
                "none",
                "--probe",
                "--url",
                url,
            ])
            .env("REDIS_PASSWORD", PASSWORD)
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    };
    let on_master = run(&master.url());
    assert_eq!(on_master["probe"]["role"], "master");
    assert!(finding(&on_master, "live.no-replica").is_none());
    let on_replica = run(&replica.url());
    assert_eq!(on_replica["probe"]["role"], "slave");
    assert!(finding(&on_replica, "live.replica-link-down").is_none());
    drop(master);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while replica
        .cli(&["-a", PASSWORD, "INFO", "replication"])
        .contains("master_link_status:up")
    {
        assert!(std::time::Instant::now() < deadline, "the replica did not notice");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let on_replica = run(&replica.url());
    let down = finding(&on_replica, "live.replica-link-down").expect("link down");
    assert!(down["message"].as_str().unwrap().contains("down"));
    // A lone master on the standard tier has no replica to fail over to.
    let lone = TestServer::start(&format!("requirepass {PASSWORD}\n"));
    assert!(finding(&run(&lone.url()), "live.no-replica").is_some());
}

#[test]
fn a_unix_socket_server_is_probed_and_host_settings_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("redis.sock");
    let server = TestServer::start(&format!(
        "unixsocket {}\nunixsocketperm 700\nrequirepass {PASSWORD}\n",
        socket.display()
    ));
    let url = format!("unix://{}", socket.display());
    let (code, report, output) = probe(
        dir.path(),
        &["--url", &url, "--fail-on", "none"],
        &[("REDIS_PASSWORD", PASSWORD)],
    );
    assert_eq!(code, 0, "{output}");
    assert_eq!(report["probe"]["endpoint"], url);
    assert_eq!(report["probe"]["role"], "master");
    // This machine's kernel settings, as the probe should have read them.
    let overcommit: i64 = std::fs::read_to_string("/proc/sys/vm/overcommit_memory")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        finding(&report, "host.overcommit-memory").is_some(),
        overcommit != 1,
        "{:?}",
        rule_ids(&report)
    );
    let somaxconn: i64 = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        finding(&report, "host.somaxconn").is_some(),
        somaxconn < 511,
        "{:?}",
        rule_ids(&report)
    );
    drop(server);
}

#[test]
fn memory_pressure_evictions_and_hit_rate_come_from_info() {
    let server = TestServer::start(&format!(
        "requirepass {PASSWORD}\nmaxmemory 4mb\nmaxmemory-policy allkeys-lru\nenable-debug-command local\n"
    ));
    // Fill past maxmemory, then write once so Redis evicts; miss far more than hit (low hit rate).
    server.cli(&["-a", PASSWORD, "DEBUG", "POPULATE", "50000", "key", "100"]);
    server.cli(&["-a", PASSWORD, "SET", "trigger", "eviction"]);
    for _ in 0..3 {
        server.cli(&[
            "-a",
            PASSWORD,
            "EVAL",
            "for i=1,500 do redis.call('GET','missing'..i) end return 1",
            "0",
        ]);
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, report, output) = probe(
        dir.path(),
        &["--url", &server.url(), "--fail-on", "none"],
        &[("REDIS_PASSWORD", PASSWORD)],
    );
    assert!(!output.contains(PASSWORD));
    let pressure = finding(&report, "live.memory-pressure").unwrap_or_else(|| panic!("{:?}", rule_ids(&report)));
    assert!(pressure["message"].as_str().unwrap().contains("% of maxmemory"));
    assert!(finding(&report, "live.evictions").is_some(), "{:?}", rule_ids(&report));
    let hit_rate = finding(&report, "live.hit-rate-low").unwrap_or_else(|| panic!("{:?}", rule_ids(&report)));
    assert!(hit_rate["message"].as_str().unwrap().contains("lookups"));
    assert!(report["probe"]["hit_rate"]["misses"].as_i64().unwrap() >= 1500);
}

#[test]
fn an_optional_probe_that_fails_is_a_warning_not_an_error() {
    let port = server::free_port();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    // Loopback only: nothing critical in the file, so only the probe could fail the gate.
    std::fs::write(
        &conf,
        "bind 127.0.0.1 -::1\nport 6390\nmaxmemory 1gb\nmaxmemory-policy allkeys-lru\n",
    )
    .unwrap();
    let url = format!("redis://:{PASSWORD}@127.0.0.1:{port}");
    let output = bin()
        .current_dir(dir.path())
        .args([
            "check",
            "--no-settings",
            "--format",
            "json",
            "--probe=optional",
            "--connect-timeout",
            "1",
            "--url",
            &url,
            "--config",
            conf.to_str().unwrap(),
            "--fail-on",
            "critical",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD));
    assert!(stderr.contains("ps"), "a password in --url is warned about: {stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let incomplete = finding(&report, "probe.incomplete").unwrap();
    assert_eq!(incomplete["state"], "warn");
    assert!(
        incomplete["message"].as_str().unwrap().contains("connection refused"),
        "{incomplete:#}"
    );
    assert!(report["probe_error"].as_str().unwrap().contains(&port.to_string()));
    assert_valid_report(&report);
    // Required: the same failure is exit code 3 with a one-line reason.
    let output = bin()
        .current_dir(dir.path())
        .args([
            "check",
            "--no-settings",
            "--probe",
            "--connect-timeout",
            "1",
            "--url",
            &format!("redis://127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: the live probe of redis://127.0.0.1:") && stderr.contains("connection refused"),
        "{stderr}"
    );
}

#[test]
fn every_format_carries_the_live_results_and_no_password() {
    let server = TestServer::start(&format!("requirepass {PASSWORD}\nmaxmemory 64mb\n"));
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name);
    let output = bin()
        .current_dir(dir.path())
        .args([
            "check",
            "--no-settings",
            "--fail-on",
            "none",
            "--probe",
            "--url",
            &server.url(),
        ])
        .args(["--output", &format!("prometheus={}", out("metrics.prom").display())])
        .args(["--output", &format!("html={}", out("audit.html").display())])
        .args(["--output", &format!("sarif={}", out("report.sarif").display())])
        .args(["--output", &format!("junit={}", out("junit.xml").display())])
        .args(["--output", &format!("checklist={}", out("checklist.md").display())])
        .env("REDIS_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for name in [
        "metrics.prom",
        "audit.html",
        "report.sarif",
        "junit.xml",
        "checklist.md",
    ] {
        let text = std::fs::read_to_string(out(name)).unwrap();
        assert!(!text.contains(PASSWORD), "{name} leaks the password");
    }
    // Prometheus: the guide's metric names with the values INFO gave.
    let metrics = std::fs::read_to_string(out("metrics.prom")).unwrap();
    let scrape = prometheus_parse::Scrape::parse(metrics.lines().map(|l| Ok(l.to_string()))).unwrap();
    let value = |name: &str| {
        scrape.samples.iter().find(|s| s.metric == name).map(|s| match s.value {
            prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => f64::NAN,
        })
    };
    assert!(value("redis_memory_used_bytes").unwrap() > 100_000.0);
    assert_eq!(value("redis_memory_max_bytes"), Some(64.0 * 1024.0 * 1024.0));
    assert_eq!(value("redis_connected_clients"), Some(1.0));
    assert_eq!(value("redis_cache_hits_total"), Some(0.0));
    assert!(value("redis_preflight_latency_p50_seconds").unwrap() > 0.0);
    // HTML: the Live numbers of this server.
    let html = std::fs::read_to_string(out("audit.html")).unwrap();
    assert!(
        html.contains(&format!("Live: {}", server.url())),
        "no live section in the HTML"
    );
    // SARIF stays valid with live findings, which have no file location.
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out("report.sarif")).unwrap()).unwrap();
    let errors = schema_errors(&validator("sarif-schema-2.1.0.json"), &sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "live.dangerous-commands-callable"));
}
