//! What a user sees: the JSON report (schema-valid), the human report
//! (snapshot), exit codes by --fail-on, and no secret in any output.

mod support;

use support::*;

const SECRETS: &[&str] = &[
    "s3cretRequirepassValue",
    "masterSideSecret42",
    "aclInlineSecret99",
    "aclBrokenLineSecret1",
    "keyFilePassSecret7",
    "envPasswordSecret55",
    "urlPasswordSecret77",
    "percent@Encoded#Secret",
    "queryPasswordSecret3",
    "brokenUrlSecret88",
];

/// A config and env that hold every kind of secret, some on lines that also have errors.
fn leaky_inputs(dir: &std::path::Path) -> (String, String, String) {
    let conf = dir.join("redis.conf");
    std::fs::write(
        &conf,
        "requirepass s3cretRequirepassValue\n\
         masterauth \"masterSideSecret42\"\n\
         user app on >aclInlineSecret99 ~* +@all\n\
         user broken on >aclBrokenLineSecret1 not-an-acl-rule\n\
         tls-key-file-pass keyFilePassSecret7\n\
         replicaof 10.0.0.5 6379\n\
         bind 0.0.0.0\n",
    )
    .unwrap();
    let env = dir.join("app.env");
    std::fs::write(
        &env,
        "REDIS_URL=redis://app:urlPasswordSecret77@10.0.0.5:6379/0\nREDIS_PASSWORD=envPasswordSecret55\n",
    )
    .unwrap();
    let env2 = dir.join("other.env");
    std::fs::write(
        &env2,
        "REDIS_URL=rediss://:percent%40Encoded%23Secret@10.0.0.5:6380/0?password=queryPasswordSecret3\n",
    )
    .unwrap();
    (
        conf.display().to_string(),
        env.display().to_string(),
        env2.display().to_string(),
    )
}

fn assert_no_secret(label: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{label} leaks `{secret}`:\n{text}");
    }
    assert!(
        !text.contains("percent%40Encoded"),
        "{label} leaks the encoded URL password"
    );
}

#[test]
fn no_secret_appears_in_any_format_or_stream() {
    let dir = tempfile::tempdir().unwrap();
    let (conf, env, env2) = leaky_inputs(dir.path());
    for env_file in [&env, &env2] {
        for format in ["human", "json"] {
            for color in ["never", "always"] {
                let output = bin()
                    .args([
                        "check",
                        "--no-settings",
                        "--fail-on",
                        "none",
                        "--format",
                        format,
                        "--color",
                        color,
                        "--config",
                        &conf,
                        "--env-file",
                        env_file,
                    ])
                    .output()
                    .unwrap();
                let label = format!("{format}/{color}/{env_file}");
                assert_no_secret(&label, &String::from_utf8_lossy(&output.stdout));
                assert_no_secret(&label, &String::from_utf8_lossy(&output.stderr));
                assert!(output.stdout.len() > 500, "{label}: suspiciously short output");
            }
            let out_file = dir.path().join(format!("report.{format}"));
            bin()
                .args([
                    "check",
                    "--no-settings",
                    "--format",
                    format,
                    "--config",
                    &conf,
                    "--env-file",
                    env_file,
                    "--output",
                ])
                .arg(&out_file)
                .assert()
                .code(1);
            assert_no_secret(
                &format!("--output {format}"),
                &std::fs::read_to_string(&out_file).unwrap(),
            );
        }
    }
    // The process environment, the password findings and an unparseable URL.
    let output = bin()
        .env("REDIS_URL", "redis://u:brokenUrlSecret88@host:99999")
        .env("REDIS_PASSWORD", "envPasswordSecret55")
        .args(["check", "--no-settings", "--env", "--format", "json", "--config", &conf])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_no_secret("process env", &stdout);
    assert!(stdout.contains("env.redis-url-invalid"), "{stdout}");
    let broken = dir.path().join("broken.env");
    std::fs::write(&broken, "REDIS_URL=redis://u:brokenUrlSecret88@host:99999\n").unwrap();
    let output = bin()
        .args(["check", "--no-settings", "--env-file"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_no_secret("broken url snippet", &String::from_utf8_lossy(&output.stdout));
}

#[test]
fn the_findings_about_passwords_are_still_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (conf, env, _) = leaky_inputs(dir.path());
    let (_, report, _) = check_json(
        &["--fail-on", "none", "--config", &conf, "--env-file", &env],
        dir.path(),
    );
    let ids = rule_ids(&report);
    for id in [
        "auth.weak-password",
        "auth.cleartext-acl-password",
        "env.password-mismatch",
        "config.invalid-value",
    ] {
        assert!(ids.iter().any(|r| r == id), "{id} missing from {ids:?}");
    }
    // The requirepass value (22 chars) is too short and named without its value.
    let weak = findings_of(&report, "auth.weak-password");
    assert!(
        weak.iter()
            .any(|f| f["subject"] == "requirepass" && f["message"].as_str().unwrap().contains("22 characters")),
        "{weak:#?}"
    );
}

#[test]
fn json_reports_validate_against_the_schema() {
    let validator = validator("report.schema.json");
    let dir = tempfile::tempdir().unwrap();
    let (conf, env, _) = leaky_inputs(dir.path());
    let cases: Vec<Vec<String>> = vec![
        vec![
            "--config".into(),
            "examples/redis.conf".into(),
            "--env-file".into(),
            "examples/app.env".into(),
        ],
        vec!["--config".into(), "examples/hardened.conf".into()],
        vec![
            "--config".into(),
            conf.clone(),
            "--env-file".into(),
            env.clone(),
            "--profile".into(),
            "redis-cloud".into(),
        ],
        vec!["--env-file".into(), env.clone(), "--fail-on".into(), "none".into()],
        vec![
            "--config".into(),
            "tests/fixtures/corpus/official/valkey-8.0.conf".into(),
            "--redis-version".into(),
            "valkey-8.0".into(),
        ],
    ];
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, report, stderr) = check_json(&args, &repo());
        let errors = schema_errors(&validator, &report);
        assert!(errors.is_empty(), "{args:?}: {errors:#?}\n{stderr}");
        assert_eq!(report["version"], 1);
        assert_eq!(report["tool"]["name"], "redis-preflight");
    }
}

#[test]
fn the_schema_rejects_a_report_missing_required_fields() {
    let validator = validator("report.schema.json");
    let (_, mut report, _) = check_json(&["--config", "examples/redis.conf"], &repo());
    report["findings"][0].as_object_mut().unwrap().remove("severity");
    assert!(!schema_errors(&validator, &report).is_empty());
}

#[test]
fn findings_point_at_the_line_and_column() {
    let (_, report, _) = check_json(
        &["--config", "examples/redis.conf", "--env-file", "examples/app.env"],
        &repo(),
    );
    let bind = &findings_of(&report, "network.bind-all-interfaces")[0];
    assert_eq!(bind["location"]["file"], "examples/redis.conf");
    assert_eq!(bind["location"]["line"], 4);
    assert_eq!(bind["location"]["column"], 1);
    assert_eq!(bind["source"], "config");
    let ttl: Vec<_> = findings_of(&report, "env.ttl-invalid");
    assert_eq!(ttl.len(), 2, "{ttl:#?}");
    assert_eq!(ttl[0]["location"]["file"], "examples/app.env");
    assert_eq!(ttl[0]["source"], "env");
    let lines: Vec<i64> = ttl.iter().map(|f| f["location"]["line"].as_i64().unwrap()).collect();
    assert_eq!(lines, [6, 7]);
    // Unset directives have no line: the compiled-in default is what runs.
    let latency = &findings_of(&report, "observability.latency-monitor-disabled")[0];
    assert!(latency.get("location").is_none());
}

#[test]
fn exit_codes_follow_fail_on() {
    let run = |args: &[&str]| {
        bin()
            .args(["check", "--no-settings"])
            .args(args)
            .current_dir(repo())
            .output()
            .unwrap()
            .status
            .code()
    };
    // examples/redis.conf has critical findings.
    assert_eq!(run(&["--config", "examples/redis.conf"]), Some(1));
    assert_eq!(run(&["--config", "examples/redis.conf", "--fail-on", "none"]), Some(0));
    // The hardened example has no finding at all.
    assert_eq!(run(&["--config", "examples/hardened.conf"]), Some(0));
    assert_eq!(
        run(&["--config", "examples/hardened.conf", "--fail-on", "info"]),
        Some(0)
    );
    // An info finding fails the gate only at `info`.
    let info_only = [
        "--config",
        "examples/redis.conf",
        "--select",
        "observability.latency-monitor-disabled",
    ];
    assert_eq!(run(&[&info_only[..], &["--fail-on", "info"]].concat()), Some(1));
    assert_eq!(run(&[&info_only[..], &["--fail-on", "low"]].concat()), Some(0));
    // The example's worst finding is critical: a published password (`requirepass`) on a
    // server bound to every interface; without that rule it stops at high.
    assert_eq!(
        run(&["--config", "examples/redis.conf", "--fail-on", "critical"]),
        Some(1)
    );
    assert_eq!(
        run(&[
            "--config",
            "examples/redis.conf",
            "--fail-on",
            "critical",
            "--ignore",
            "auth.placeholder-password"
        ]),
        Some(0)
    );
    let dir = tempfile::tempdir().unwrap();
    let open = dir.path().join("open.conf");
    std::fs::write(&open, "bind 0.0.0.0\nprotected-mode no\n").unwrap();
    assert_eq!(
        run(&["--config", open.to_str().unwrap(), "--fail-on", "critical"]),
        Some(1)
    );
    assert_eq!(
        run(&["--config", "examples/hardened.conf", "--fail-on", "bogus"]),
        Some(2)
    );
    assert_eq!(run(&["--config", "examples/missing.conf"]), Some(2));
}

#[test]
fn human_output_of_the_example() {
    let output = bin()
        .args([
            "check",
            "--no-settings",
            "--color",
            "never",
            "--config",
            "examples/redis.conf",
            "--env-file",
            "examples/app.env",
        ])
        .current_dir(repo())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "no colour codes when not asked");
    let text = text.replace(env!("CARGO_PKG_VERSION"), "<version>");
    insta::assert_snapshot!("human_example", text);
}

#[test]
fn human_output_of_the_hardened_example() {
    let output = bin()
        .args([
            "check",
            "--no-settings",
            "--color",
            "never",
            "--config",
            "examples/hardened.conf",
        ])
        .current_dir(repo())
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout)
        .unwrap()
        .replace(env!("CARGO_PKG_VERSION"), "<version>");
    assert!(text.contains("PASS: no finding at or above `high`"), "{text}");
    insta::assert_snapshot!("human_hardened", text);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let run = |args: &[&str], no_color: bool| {
        let mut cmd = bin();
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let output = cmd
            .args(["check", "--no-settings", "--config", "examples/redis.conf"])
            .args(args)
            .current_dir(repo())
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(run(&["--color", "always"], false).contains('\u{1b}'));
    assert!(!run(&[], false).contains('\u{1b}'), "stdout is a pipe here");
    assert!(!run(&[], true).contains('\u{1b}'));
    assert!(!run(&["--color", "never"], false).contains('\u{1b}'));
}
