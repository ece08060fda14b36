//! The rule pack: schema-valid, documented, and each rule proven by a
//! failing and a passing fixture (`tests/rules/<rule-id>/`).

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use support::*;

fn rule_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(repo().join("rules"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn all_rules() -> Vec<toml::Value> {
    rule_files()
        .iter()
        .flat_map(|path| {
            let value: toml::Value = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            value["rule"].as_array().cloned().unwrap_or_default()
        })
        .collect()
}

#[test]
fn every_rule_file_validates_against_the_schema() {
    let validator = validator("rule.schema.json");
    for path in rule_files() {
        let value: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let json = serde_json::to_value(&value).unwrap();
        let errors = schema_errors(&validator, &json);
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

#[test]
fn the_schema_rejects_malformed_rules() {
    let validator = validator("rule.schema.json");
    let good = r#"[[rule]]
id = "memory.example"
title = "t"
severity = "high"
category = "memory"
sources = ["config"]
checklist = ["memory-limits"]
when = { fact = "conf.maxmemory", eq = 0 }
message = "m"
remediation = "r"
references = ["https://redis.io/"]
"#;
    let parse = |text: &str| serde_json::to_value(toml::from_str::<toml::Value>(text).unwrap()).unwrap();
    assert!(
        schema_errors(&validator, &parse(good)).is_empty(),
        "{:?}",
        schema_errors(&validator, &parse(good))
    );
    for bad in [
        good.replace("severity = \"high\"", "severity = \"urgent\""),
        good.replace("id = \"memory.example\"", "id = \"Memory Example\""),
        good.replace("when = { fact = \"conf.maxmemory\", eq = 0 }", ""),
        good.replace("message = \"m\"\n", ""),
        good.replace("eq = 0", "eq = 0, ne = 1"),
        format!("{good}builtin = \"weak_password\"\n"),
        format!("{good}colour = \"red\"\n"),
    ] {
        assert!(!schema_errors(&validator, &parse(&bad)).is_empty(), "accepted:\n{bad}");
    }
}

#[test]
fn ids_are_unique_and_named_after_their_category_and_file() {
    let mut seen = BTreeSet::new();
    for path in rule_files() {
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        let value: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for rule in value["rule"].as_array().unwrap() {
            let id = rule["id"].as_str().unwrap();
            assert!(seen.insert(id.to_string()), "duplicate rule id {id}");
            assert_eq!(
                rule["category"].as_str(),
                Some(stem.as_str()),
                "{id} in {}",
                path.display()
            );
            assert!(id.starts_with(&format!("{stem}.")), "{id} in {}", path.display());
        }
    }
}

#[test]
fn built_in_rules_are_documented() {
    for rule in all_rules() {
        let id = rule["id"].as_str().unwrap();
        let description = rule.get("description").and_then(|d| d.as_str()).unwrap_or("");
        assert!(description.trim().len() > 40, "{id}: needs a description");
        let references = rule
            .get("references")
            .and_then(|r| r.as_array())
            .cloned()
            .unwrap_or_default();
        assert!(!references.is_empty(), "{id}: needs at least one reference");
        for reference in references {
            assert!(reference.as_str().unwrap().starts_with("https://"), "{id}: {reference}");
        }
    }
}

#[test]
fn the_built_in_pack_loads_and_every_regex_compiles() {
    let pack = redis_preflight::rules::RulePack::embedded().unwrap();
    assert_eq!(pack.rules.len(), all_rules().len());
    pack.validate().unwrap();
}

#[test]
fn the_schema_lists_exactly_the_builtins_the_engine_has() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("schemas/rule.schema.json")).unwrap()).unwrap();
    let listed: BTreeSet<String> = schema["$defs"]["builtin_name"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let engine: BTreeSet<String> = redis_preflight::rules::builtins::names().map(str::to_string).collect();
    assert_eq!(listed, engine);
}

#[test]
fn checklist_items_referenced_by_rules_exist() {
    let checklist: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("schemas/checklist.json")).unwrap()).unwrap();
    let known: BTreeSet<String> = checklist
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    for rule in all_rules() {
        for item in rule
            .get("checklist")
            .and_then(|c| c.as_array())
            .cloned()
            .unwrap_or_default()
        {
            assert!(
                known.contains(item.as_str().unwrap()),
                "{}: unknown checklist item {item}",
                rule["id"]
            );
        }
    }
}

#[test]
fn the_issue_s_minimum_rule_ids_exist() {
    let ids: BTreeSet<String> = all_rules()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let required = "config.syntax-error config.unknown-directive config.invalid-value config.include-error config.duplicate-directive config.deprecated-directive network.bind-all-interfaces network.protected-mode-disabled network.plaintext-port-open network.unixsocket-permissive network.default-port auth.no-password auth.weak-password auth.placeholder-password auth.cleartext-acl-password auth.requirepass-ignored auth.masterauth-missing auth.default-user-unrestricted tls.disabled tls.legacy-protocols tls.client-auth-disabled tls.replication-plaintext tls.cluster-plaintext tls.cert-file-missing commands.dangerous-enabled commands.enable-flag-on commands.rename-deprecated memory.maxmemory-unset memory.eviction-policy memory.output-buffer-unlimited persistence.disabled persistence.stop-writes-disabled persistence.fsync-never persistence.rdb-checksum-disabled replication.replica-writable observability.slowlog-disabled observability.latency-monitor-disabled observability.keepalive-disabled env.redis-url-missing env.redis-url-invalid env.tls-mismatch env.plaintext-url env.password-mismatch env.public-host env.tls-verify-disabled env.ttl-invalid";
    for id in required.split_whitespace() {
        assert!(ids.contains(id), "missing rule {id}");
    }
}

#[test]
fn docs_rules_md_is_generated_from_the_rule_files() {
    let output = bin().args(["rules", "--format", "markdown"]).output().unwrap();
    assert!(output.status.success());
    let generated = String::from_utf8(output.stdout).unwrap();
    let committed = std::fs::read_to_string(repo().join("docs/rules.md")).unwrap_or_default();
    assert!(
        generated == committed,
        "docs/rules.md is stale: run `cargo run -- rules --format markdown > docs/rules.md`"
    );
}

#[test]
fn docs_managed_md_is_generated_from_the_readers_tables() {
    let output = bin().args(["rules", "--format", "managed"]).output().unwrap();
    assert!(output.status.success());
    let generated = String::from_utf8(output.stdout).unwrap();
    let committed = std::fs::read_to_string(repo().join("docs/managed.md")).unwrap_or_default();
    assert!(
        generated == committed,
        "docs/managed.md is stale: run `cargo run -- rules --format managed > docs/managed.md`"
    );
}

fn as_str(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn fixture_args(dir: &Path, kind: &str) -> Option<Vec<String>> {
    let conf = dir.join(format!("{kind}.conf"));
    let env = dir.join(format!("{kind}.env"));
    // A deployment file (compose, manifest, Helm values, Terraform), by its detected kind.
    let deployment = [format!("{kind}.yml"), format!("{kind}.tf")]
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.exists())
        .unwrap_or_else(|| dir.join(format!("{kind}.yml")));
    if deployment.exists() {
        let mut args = vec![
            "--fail-on".to_string(),
            "none".to_string(),
            deployment.display().to_string(),
        ];
        // The app's variables beside a managed resource (the app-vs-service rules).
        if env.exists() {
            args.extend(["--env-file".to_string(), env.display().to_string()]);
        }
        return Some(args);
    }
    if !conf.exists() && !env.exists() {
        return None;
    }
    let mut args = vec!["--fail-on".to_string(), "none".to_string()];
    if conf.exists() {
        args.extend(["--config".to_string(), conf.display().to_string()]);
    }
    if env.exists() {
        args.extend(["--env-file".to_string(), env.display().to_string()]);
    }
    if let Ok(extra) = std::fs::read_to_string(dir.join("args")) {
        args.extend(
            extra
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        );
    }
    Some(args)
}

/// Each rule fires on its `fail` fixture and not on its `pass` fixture.
#[test]
fn every_rule_fires_on_its_fail_fixture_and_not_on_its_pass_fixture() {
    let root = repo().join("tests/rules");
    let mut problems = Vec::new();
    let mut checked = 0;
    for rule in all_rules() {
        let id = rule["id"].as_str().unwrap();
        if id.starts_with("settings.") || id.starts_with("probe.") {
            continue; // proven in tests/settings.rs and tests/probe.rs
        }
        let sources: Vec<&str> = rule["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        if !sources.contains(&"config") && !sources.contains(&"env") {
            continue; // live-only rules are proven against real servers in tests/probe.rs
        }
        let dir = root.join(id);
        let (Some(fail), Some(pass)) = (fixture_args(&dir, "fail"), fixture_args(&dir, "pass")) else {
            problems.push(format!("{id}: no fail/pass fixtures in {}", dir.display()));
            continue;
        };
        let (code, report, stderr) = check_json(&as_str(&fail), &dir);
        if code != 0 || !rule_ids(&report).iter().any(|r| r == id) {
            problems.push(format!(
                "{id}: does not fire on fail fixture (exit {code}, got {:?}) {stderr}",
                rule_ids(&report)
            ));
        }
        let (code, report, stderr) = check_json(&as_str(&pass), &dir);
        if code != 0 || rule_ids(&report).iter().any(|r| r == id) {
            problems.push(format!("{id}: fires on pass fixture (exit {code}) {stderr}"));
        }
        checked += 1;
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(checked >= 50, "only {checked} rules checked");
}

#[test]
fn explain_prints_the_rule_documentation() {
    let output = bin().args(["explain", "memory.maxmemory-unset"]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("memory.maxmemory-unset (high)"), "{text}");
    assert!(text.contains("Fix: "), "{text}");
    // The rule's documentation, as its file writes it.
    let rule = all_rules()
        .into_iter()
        .find(|r| r["id"].as_str() == Some("memory.maxmemory-unset"))
        .unwrap();
    let description = rule["description"].as_str().expect("the rule is documented").trim();
    assert!(text.contains(description), "{text}");
    let output = bin().args(["explain", "memory.nope"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("memory.maxmemory-unset"));
    // A name without its category, or with a typo, suggests the closest ids.
    for (asked, meant) in [
        ("weak-password", "did you mean `auth.weak-password`?"),
        ("auth.weak-pasword", "did you mean `auth.weak-password`?"),
        ("eviction-polcy", "did you mean `memory.eviction-policy`?"),
    ] {
        let output = bin().args(["explain", asked]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{asked}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(meant), "{asked}: {stderr}");
    }
}

#[test]
fn rules_lists_every_rule_as_table_and_json() {
    let count = all_rules().len();
    let output = bin().args(["rules", "--format", "json"]).output().unwrap();
    let listed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), count);
    let output = bin().arg("rules").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains(&format!("{count} rules")), "{text}");
    assert!(text.contains("auth.weak-password"));
}

#[test]
fn user_rule_packs_are_schema_checked_at_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[[rule]]\nid = \"custom.x\"\ntitle = \"t\"\n",
    )
    .unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(&conf, "port 6379\n").unwrap();
    let output = bin()
        .args(["check", "--no-settings", "--rules"])
        .arg(dir.path())
        .arg("--config")
        .arg(&conf)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("invalid rule file") && stderr.contains("bad.toml"),
        "{stderr}"
    );

    std::fs::write(
        dir.path().join("bad.toml"),
        "[[rule]]\nid = \"custom.port-6390\"\ntitle = \"Port must be 6390\"\nseverity = \"high\"\ncategory = \"custom\"\nsources = [\"config\"]\nwhen = { fact = \"conf.port\", ne = 6390 }\nmessage = \"port is {conf.port}\"\nremediation = \"Write `port 6390`.\"\nreferences = []\n",
    )
    .unwrap();
    let (code, report, stderr) = check_json(
        &[
            "--rules",
            dir.path().to_str().unwrap(),
            "--select",
            "custom",
            "--config",
            conf.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(rule_ids(&report), ["custom.port-6390"]);
    assert_eq!(report["findings"][0]["message"], "port is 6379");
    assert_eq!(report["findings"][0]["location"]["line"], 1);
}

fn check_with_rule_pack(pack: &Path, conf: &Path) -> std::process::Output {
    bin()
        .args(["check", "--no-settings", "--rules"])
        .arg(pack)
        .arg("--config")
        .arg(conf)
        .output()
        .unwrap()
}

#[test]
fn a_user_rule_reading_an_unknown_fact_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(&conf, "port 6379\n").unwrap();
    let rule = |condition: &str| {
        format!(
            "[[rule]]\nid = \"custom.typo\"\ntitle = \"t\"\nseverity = \"high\"\ncategory = \"custom\"\nsources = [\"live\"]\nwhen = {condition}\nmessage = \"m\"\nremediation = \"r\"\nreferences = []\n"
        )
    };
    // A misspelled live fact, and a directive no release line knows: both would
    // silently never fire if they were accepted.
    for (condition, typo) in [
        ("{ fact = \"live.memory_used_pct\", gt = 80 }", "live.memory_used_pct"),
        ("{ fact = \"conf.maxmemroy\", eq = 0 }", "conf.maxmemroy"),
    ] {
        std::fs::write(dir.path().join("custom.toml"), rule(condition)).unwrap();
        let output = check_with_rule_pack(dir.path(), &conf);
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("unknown fact `{typo}`")) && stderr.contains("custom.typo"),
            "{stderr}"
        );
    }
    // The correctly spelled fact loads.
    std::fs::write(
        dir.path().join("custom.toml"),
        rule("{ fact = \"live.memory_used_percent\", gt = 80 }"),
    )
    .unwrap();
    let output = check_with_rule_pack(dir.path(), &conf);
    assert_ne!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// redis-server loads users from the `aclfile` instead of `user` lines; when
/// the file cannot be read here the users are unknown, not "none".
#[test]
fn an_unreadable_aclfile_makes_the_password_check_unverifiable() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(&conf, "port 6379\naclfile /nonexistent/users.acl\n").unwrap();
    let (_, report, stderr) = check_json(&["--config", conf.to_str().unwrap()], dir.path());
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "auth.no-password")
        .unwrap_or_else(|| panic!("no auth.no-password finding: {report} {stderr}"));
    assert_eq!(finding["state"], "warn", "{finding}");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("could not verify") && message.contains("aclfile"),
        "{message}"
    );

    // Readable: its users replace inline ones, and a user with a password is seen.
    let acl = dir.path().join("users.acl");
    std::fs::write(
        &acl,
        "user default on >a-long-and-random-password-for-tests-0123456789 ~* +@all\n",
    )
    .unwrap();
    std::fs::write(&conf, format!("port 6379\naclfile {}\n", acl.display())).unwrap();
    let (_, report, _) = check_json(&["--config", conf.to_str().unwrap()], dir.path());
    assert!(
        !report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "auth.no-password"),
        "{report}"
    );
}

/// Password bands: under 12 characters high, 12 or more but short of the
/// minimum medium.
#[test]
fn a_short_password_is_high_a_longer_weak_one_medium() {
    let dir = tempfile::tempdir().unwrap();
    for (password, severity) in [("k7Rq2mXv9Lp", "high"), ("k7Rq2mXv9Lp4Wz8s", "medium")] {
        let conf = dir.path().join("redis.conf");
        std::fs::write(&conf, format!("requirepass {password}\n")).unwrap();
        let (_, report, stderr) = check_json(
            &[
                "--select",
                "auth.weak-password",
                "--fail-on",
                "none",
                "--config",
                conf.to_str().unwrap(),
            ],
            dir.path(),
        );
        let findings = report["findings"].as_array().unwrap_or_else(|| panic!("{stderr}"));
        assert_eq!(findings.len(), 1, "{password}: {findings:#?}");
        assert_eq!(findings[0]["severity"], severity, "{password}");
    }
    // A severity the team set for the rule wins over the band.
    let settings = dir.path().join("redis-preflight.toml");
    std::fs::write(&settings, "[severity]\n\"auth.weak-password\" = \"low\"\n").unwrap();
    std::fs::write(dir.path().join("redis.conf"), "requirepass k7Rq2mXv9Lp\n").unwrap();
    let output = bin()
        .args(["check", "--settings"])
        .arg(&settings)
        .args([
            "--select",
            "auth.weak-password",
            "--fail-on",
            "none",
            "--format",
            "json",
            "--config",
        ])
        .arg(dir.path().join("redis.conf"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"][0]["severity"], "low", "{report:#?}");
}

/// What the ACL rules say of each user: who, where, and why, as a reader of the report sees it.
#[test]
fn acl_findings_name_the_user_its_line_and_what_it_may_do() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(
        &conf,
        "bind 10.0.0.5\n\
         user default on nopass ~* +@all\n\
         user alice on >Alice-Strong-Password-0123456789xyz ~* +@all\n\
         user bob on nopass ~cache:* +get\n\
         masterauth \"\"\n\
         rename-command FLUSHALL \"\"\n",
    )
    .unwrap();
    let (_, report, stderr) = check_json(&["--fail-on", "none", "--config", conf.to_str().unwrap()], dir.path());
    let said = |rule: &str| -> Vec<(String, i64, String)> {
        findings_of(&report, rule)
            .iter()
            .map(|f| {
                (
                    f["subject"].as_str().unwrap_or("").to_string(),
                    f["location"]["line"].as_i64().unwrap_or(0),
                    f["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let subjects_and_lines =
        |rule: &str| -> Vec<(String, i64)> { said(rule).into_iter().map(|(s, l, _)| (s, l)).collect() };
    assert_eq!(
        subjects_and_lines("auth.no-password"),
        [("the default user".to_string(), 2), ("ACL user `bob`".to_string(), 4)],
        "{stderr}"
    );
    assert_eq!(
        subjects_and_lines("auth.cleartext-acl-password"),
        [("`alice`".to_string(), 3)]
    );
    assert!(said("auth.cleartext-acl-password")[0]
        .2
        .contains("1 `>password` rule(s)"));
    let unrestricted = said("auth.default-user-unrestricted");
    assert_eq!(unrestricted.len(), 1);
    assert!(
        unrestricted[0].2.contains("every command on every key"),
        "{}",
        unrestricted[0].2
    );
    let dangerous = said("commands.dangerous-enabled");
    assert_eq!(dangerous.len(), 1);
    assert_eq!((dangerous[0].0.as_str(), dangerous[0].1), ("the default user", 2));
    assert!(dangerous[0].2.contains("FLUSHDB"), "{}", dangerous[0].2);
    assert!(!dangerous[0].2.contains("FLUSHALL"), "renamed away: {}", dangerous[0].2);
    // An empty masterauth is no password to judge.
    assert!(
        said("auth.weak-password").is_empty(),
        "{:?}",
        said("auth.weak-password")
    );
}
