//! The CI and audit formats: a snapshot of each on the bundled example, and a
//! validation of each by its own rules (SARIF schema, JUnit parsed and counted,
//! GitLab fields, Prometheus parsed, GitHub command syntax, HTML and Markdown
//! structure); stable fingerprints; no secret in any format; attestations,
//! baselines, `--output FORMAT=FILE`, `--statistics`, `--quiet`, completions
//! and the man page.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use support::*;

/// Every report format: a new one is covered here as soon as it exists.
const FORMATS: &[&str] = &redis_preflight::report::Format::NAMES;

/// Runs `check --no-settings` in `dir` and returns (exit code, stdout, stderr).
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = bin()
        .current_dir(dir)
        .arg("check")
        .arg("--no-settings")
        .args(args)
        .output()
        .expect("run redis-preflight");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The fixed report: the bundled example, from the repository root.
fn example(format: &str) -> String {
    let (code, stdout, stderr) = run_in(
        &repo(),
        &[
            "--format",
            format,
            "--color",
            "never",
            "examples/redis.conf",
            "examples/app.env",
        ],
    );
    assert_eq!(code, 1, "{format}: {stderr}");
    assert!(stderr.is_empty(), "{format}: {stderr}");
    stdout
}

fn example_json() -> serde_json::Value {
    serde_json::from_str(&example("json")).unwrap()
}

/// Version and date do not belong in a snapshot.
fn stable(text: &str) -> String {
    let date = regex_lite::Regex::new(r"\b20[0-9]{2}-[0-9]{2}-[0-9]{2}\b").unwrap();
    date.replace_all(&text.replace(env!("CARGO_PKG_VERSION"), "[VERSION]"), "[DATE]")
        .into_owned()
}

#[test]
fn snapshots_of_every_format() {
    for format in FORMATS.iter().filter(|f| **f != "human" && **f != "json") {
        insta::assert_snapshot!(format!("example_{format}"), stable(&example(format)));
    }
}

#[test]
fn sarif_is_valid_and_complete() {
    let text = example("sarif");
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    let errors = schema_errors(&validator("sarif-schema-2.1.0.json"), &sarif);
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let report = example_json();
    assert!(rules.len() >= report["summary"]["rules_run"].as_u64().unwrap() as usize);
    for rule in rules {
        for field in [
            "id",
            "shortDescription",
            "fullDescription",
            "help",
            "defaultConfiguration",
            "properties",
        ] {
            assert!(!rule[field].is_null(), "rule without {field}: {rule}");
        }
        assert!(rule["help"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(rule["help"]["markdown"].as_str().is_some_and(|t| t.contains("Fix")));
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score));
        assert!(["error", "warning", "note"].contains(&rule["defaultConfiguration"]["level"].as_str().unwrap()));
        assert!(rule["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "security"));
    }
    let results = run["results"].as_array().unwrap();
    let findings = report["findings"].as_array().unwrap();
    let suppressed = report["suppressed"].as_array().unwrap();
    assert_eq!(results.len(), findings.len() + suppressed.len());
    assert_eq!(
        results.iter().filter(|r| r["suppressions"].is_array()).count(),
        suppressed.len()
    );
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "ruleIndex points at another rule");
        assert!(result["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(result["partialFingerprints"]["redisPreflight/v1"].is_string());
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            uri == "examples/redis.conf" || uri == "examples/app.env",
            "not repo-relative: {uri}"
        );
    }
    // A finding that has a line is at that line.
    let bind = results
        .iter()
        .find(|r| r["ruleId"] == "network.bind-all-interfaces")
        .unwrap();
    let region = &bind["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 4);
    assert_eq!(region["startColumn"], 1);
    // A config finding with no line (a compiled-in default) points at the config.
    let latency = results
        .iter()
        .find(|r| r["ruleId"] == "observability.latency-monitor-disabled")
        .unwrap();
    assert_eq!(
        latency["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/redis.conf"
    );
    assert!(latency["locations"][0]["physicalLocation"]["region"].is_null());
}

fn fingerprints(dir: &Path) -> BTreeMap<String, (String, u64)> {
    let (_, text, stderr) = run_in(dir, &["--format", "sarif", "redis.conf", "app.env"]);
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["partialFingerprints"]["redisPreflight/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap_or(0),
                ),
            )
        })
        .collect()
}

#[test]
fn fingerprints_survive_unrelated_edits() {
    let dir = tempfile::tempdir().unwrap();
    let conf = std::fs::read_to_string(repo().join("examples/redis.conf")).unwrap();
    std::fs::write(dir.path().join("redis.conf"), &conf).unwrap();
    std::fs::copy(repo().join("examples/app.env"), dir.path().join("app.env")).unwrap();
    let before = fingerprints(dir.path());
    std::fs::write(dir.path().join("redis.conf"), format!("\n\n# a new comment\n\n{conf}")).unwrap();
    let after = fingerprints(dir.path());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "fingerprints changed"
    );
    // ...while the lines did move.
    let moved = before
        .iter()
        .filter(|(k, (_, line))| *line > 0 && after[*k].1 == line + 4)
        .count();
    assert!(moved >= 3, "lines should have moved: {before:?} {after:?}");
    // Fingerprints are unique within a run.
    let (_, text, _) = run_in(dir.path(), &["--format", "gitlab", "redis.conf", "app.env"]);
    let issues: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let unique: BTreeSet<&str> = issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    assert_eq!(unique.len(), issues.len());
}

#[test]
fn junit_parses_and_counts_agree_with_the_findings() {
    let text = example("junit");
    let document = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let attr = |node: roxmltree::Node<'_, '_>, name: &str| -> usize { node.attribute(name).unwrap().parse().unwrap() };
    let (mut tests, mut failures, mut skipped, mut failure_elements) = (0, 0, 0, 0);
    let mut names = BTreeSet::new();
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
        let failing = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .count();
        let skipping = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
            .count();
        assert_eq!(attr(suite, "tests"), cases.len());
        assert_eq!(attr(suite, "failures"), failing);
        assert_eq!(attr(suite, "skipped"), skipping);
        for case in &cases {
            names.insert(case.attribute("name").unwrap().to_string());
            assert!(case
                .attribute("name")
                .unwrap()
                .starts_with(suite.attribute("name").unwrap()));
            for failure in case.children().filter(|n| n.has_tag_name("failure")) {
                failure_elements += 1;
                assert!(failure.attribute("message").is_some_and(|m| !m.is_empty()));
                assert!(
                    failure.text().unwrap_or("").contains("Fix: "),
                    "failure without remediation"
                );
            }
        }
        tests += cases.len();
        failures += failing;
        skipped += skipping;
    }
    assert_eq!(attr(root, "tests"), tests);
    assert_eq!(attr(root, "failures"), failures);
    assert_eq!(attr(root, "skipped"), skipped);
    let report = example_json();
    let findings = report["findings"].as_array().unwrap();
    let fails: Vec<_> = findings.iter().filter(|f| f["state"] == "fail").collect();
    assert_eq!(failure_elements, fails.len(), "one failure per FAIL finding");
    let failing_rules: BTreeSet<&str> = fails.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(failures, failing_rules.len());
    // One testcase per rule of the pack; rules that did not run are skipped.
    let output = bin().args(["rules", "--format", "json"]).output().unwrap();
    let pack: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(tests, pack.len());
    assert_eq!(names.len(), pack.len());
    let rules_run = report["summary"]["rules_run"].as_u64().unwrap() as usize;
    assert_eq!(tests - skipped, rules_run, "every rule that ran passed or failed");
}

#[test]
fn junit_skips_rules_without_input() {
    // Only an env file: config rules do not run and are skipped.
    let (_, text, _) = run_in(&repo(), &["--format", "junit", "examples/app.env"]);
    let document = roxmltree::Document::parse(&text).unwrap();
    let skipped: Vec<_> = document
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .map(|n| n.attribute("message").unwrap().to_string())
        .collect();
    assert!(skipped.len() > 20, "{skipped:?}");
    assert!(skipped
        .iter()
        .all(|m| m.starts_with("not applicable") || m.starts_with("could not verify")));
}

#[test]
fn gitlab_code_quality_fields() {
    let issues: Vec<serde_json::Value> = serde_json::from_str(&example("gitlab")).unwrap();
    let report = example_json();
    assert_eq!(issues.len(), report["findings"].as_array().unwrap().len());
    for issue in &issues {
        assert!(issue["description"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(issue["check_name"].as_str().is_some_and(|c| c.contains('.')));
        assert!(issue["fingerprint"].as_str().is_some_and(|f| f.len() >= 16));
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&issue["severity"].as_str().unwrap()));
        assert!(issue["location"]["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("examples/")));
        assert!(issue["location"]["lines"]["begin"].as_u64().is_some_and(|l| l >= 1));
    }
    let high = issues.iter().filter(|i| i["severity"] == "critical").count();
    assert_eq!(high as u64, report["summary"]["high"].as_u64().unwrap());
}

#[test]
fn github_workflow_commands() {
    let text = example("github");
    let command = regex_lite::Regex::new(
        r"^::(error|warning|notice) file=[^,:\r\n]+(,line=[0-9]+,col=[0-9]+)?,title=[^,:\r\n]+::[^\r\n]+$",
    )
    .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let commands: Vec<&&str> = lines.iter().filter(|l| l.starts_with("::")).collect();
    for line in &commands {
        assert!(command.is_match(line), "bad workflow command: {line}");
    }
    let report = example_json();
    assert_eq!(commands.len(), report["findings"].as_array().unwrap().len());
    assert_eq!(
        commands.iter().filter(|l| l.starts_with("::error ")).count() as u64,
        report["summary"]["high"].as_u64().unwrap() + report["summary"]["critical"].as_u64().unwrap()
    );
    assert!(text.contains("::error file=examples/redis.conf,line=4,col=1,title=network.bind-all-interfaces [high]%3A "));
    assert!(lines.last().unwrap().contains("FAIL"));
}

#[test]
fn prometheus_parses_and_values_match() {
    let text = example("prometheus");
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("exposition format");
    let report = example_json();
    let value = |sample: &prometheus_parse::Sample| match sample.value {
        prometheus_parse::Value::Gauge(v)
        | prometheus_parse::Value::Counter(v)
        | prometheus_parse::Value::Untyped(v) => v,
        _ => f64::NAN,
    };
    for severity in ["critical", "high", "medium", "low", "info"] {
        let sample = scrape
            .samples
            .iter()
            .find(|s| s.metric == "redis_preflight_findings" && s.labels.get("severity") == Some(severity))
            .unwrap_or_else(|| panic!("no findings sample for {severity}"));
        assert_eq!(value(sample), report["summary"][severity].as_f64().unwrap());
    }
    let checks: Vec<_> = scrape
        .samples
        .iter()
        .filter(|s| s.metric == "redis_preflight_check_passed")
        .collect();
    assert_eq!(checks.len() as u64, report["summary"]["rules_run"].as_u64().unwrap());
    let failing_rules: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for sample in checks {
        let rule = sample.labels.get("rule").unwrap();
        assert_eq!(
            value(sample),
            if failing_rules.contains(rule) { 0.0 } else { 1.0 },
            "{rule}"
        );
    }
    let info = scrape
        .samples
        .iter()
        .find(|s| s.metric == "redis_preflight_info")
        .unwrap();
    assert_eq!(info.labels.get("profile"), Some("self-hosted"));
    assert_eq!(info.labels.get("redis_version"), Some("7.2"));
    assert_eq!(info.labels.get("version"), Some(env!("CARGO_PKG_VERSION")));
    // A static run has no live numbers.
    assert!(!text.contains("redis_cache_hit_rate"));
    assert!(!text.contains("redis_memory_used_bytes"));
}

fn checklist_ids() -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("schemas/checklist.json")).unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    items.iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn html_is_self_contained_and_lists_every_item() {
    let html = example("html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    let lower = html.to_lowercase();
    for forbidden in [
        "<script",
        "<link",
        "<img",
        "src=",
        "@import",
        "url(",
        "javascript:",
        "href=\"http",
    ] {
        assert!(!lower.contains(forbidden), "external asset or script: {forbidden}");
    }
    assert_eq!(html.matches("<svg").count(), 2, "two inline charts");
    for svg in html.split("<svg").skip(1) {
        let fragment = format!("<svg{}</svg>", svg.split("</svg>").next().unwrap());
        roxmltree::Document::parse(&fragment).expect("the SVG is well-formed XML");
    }
    for id in checklist_ids() {
        assert!(html.contains(&format!("<tr id=\"{id}\">")), "item {id} missing");
    }
    for status in ["Verified pass", "Verified fail", "Not verifiable"] {
        assert!(html.contains(status), "{status}");
    }
    // Balanced tables and rows.
    assert_eq!(html.matches("<table>").count(), html.matches("</table>").count());
    assert_eq!(html.matches("<tr").count(), html.matches("</tr>").count());
    // Text from inputs is escaped: the remediation's `<output of ...>` placeholder.
    assert!(html.contains("&lt;output of openssl"));
    assert!(!html.contains("<output of"));
}

#[test]
fn checklist_markdown_lists_every_item_with_a_status() {
    let md = example("checklist");
    assert!(md.starts_with("# Redis production checklist"));
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Status"))
        .collect();
    assert_eq!(rows.len(), checklist_ids().len());
    for id in checklist_ids() {
        assert!(md.contains(&format!(" {id} — ")), "{id}");
    }
    // Evidence: failing rules with their location, passing rules with the values they saw.
    assert!(md.contains("`network.bind-all-interfaces` (high) at `examples/redis.conf:4`"));
    assert!(
        md.contains("passed") && md.contains("saw `conf."),
        "passed rules show their values"
    );
    // Items no file can prove are not "verified" by passing static checks.
    let row = rows.iter().find(|r| r.contains("[connection-tested]")).unwrap();
    assert!(row.contains("Not verifiable"), "{row}");
    // `checklist` is `check --format checklist`.
    let output = bin()
        .current_dir(repo())
        .args(["checklist", "--no-settings", "examples/redis.conf", "examples/app.env"])
        .output()
        .unwrap();
    assert_eq!(stable(&String::from_utf8_lossy(&output.stdout)), stable(&md));
}

const SECRETS: &[&str] = &[
    "s3cretRequirepassValue",
    "masterSideSecret42",
    "aclInlineSecret99",
    "keyFilePassSecret7",
    "envPasswordSecret55",
    "urlPasswordSecret77",
    "percent@Encoded#Secret",
    "percent%40Encoded",
];

#[test]
fn no_secret_appears_in_any_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("redis.conf"),
        "requirepass s3cretRequirepassValue\nmasterauth \"masterSideSecret42\"\n\
         user app on >aclInlineSecret99 ~* +@all\ntls-key-file-pass keyFilePassSecret7\n\
         replicaof 10.0.0.5 6379\nbind 0.0.0.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("app.env"),
        "REDIS_URL=redis://app:urlPasswordSecret77@10.0.0.5:6379/0\nREDIS_PASSWORD=envPasswordSecret55\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("other.env"),
        "REDIS_URL=rediss://:percent%40Encoded%23Secret@10.0.0.5:6380/0\n",
    )
    .unwrap();
    let mut outputs = vec!["--write-baseline".to_string(), "baseline.json".to_string()];
    for format in FORMATS {
        outputs.push("--output".into());
        outputs.push(format!("{format}=out.{format}"));
    }
    for env in ["app.env", "other.env"] {
        for format in FORMATS {
            let mut args = vec!["--fail-on", "none", "--format", format, "redis.conf", env];
            let (_, stdout, stderr) = run_in(dir.path(), &args);
            assert!(stdout.len() > 300, "{format}: suspiciously short");
            for secret in SECRETS {
                assert!(!stdout.contains(secret), "{format} leaks {secret}:\n{stdout}");
                assert!(!stderr.contains(secret), "{format} stderr leaks {secret}");
            }
            args.push("--statistics");
            let (_, stdout, _) = run_in(dir.path(), &args);
            for secret in SECRETS {
                assert!(!stdout.contains(secret), "--statistics leaks {secret}");
            }
        }
        let mut args: Vec<&str> = outputs.iter().map(String::as_str).collect();
        args.extend(["redis.conf", env]);
        let (code, _, stderr) = run_in(dir.path(), &args);
        assert_eq!(code, 0, "{stderr}");
        for file in std::fs::read_dir(dir.path()).unwrap() {
            let path = file.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("out.") || name == "baseline.json" {
                let text = std::fs::read_to_string(&path).unwrap();
                for secret in SECRETS {
                    assert!(!text.contains(secret), "{name} leaks {secret}");
                }
            }
        }
    }
}

#[test]
fn output_format_file_is_repeatable_and_plain_file_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let conf = repo().join("examples/redis.conf");
    let env = repo().join("examples/app.env");
    let output = bin()
        .current_dir(dir.path())
        .args(["check", "--no-settings", "--format", "json", "--color", "never"])
        .args([
            "--output",
            "sarif=a.sarif",
            "--output",
            "junit=a.xml",
            "-o",
            "prometheus=a.prom",
        ])
        .args(["--output", "sarif=a.sarif"])
        .arg(&conf)
        .arg(&env)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    // Standard output still gets --format.
    let stdout: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stdout["version"], 1);
    for file in ["a.sarif", "a.xml", "a.prom"] {
        assert!(dir.path().join(file).metadata().unwrap().len() > 100, "{file}");
    }
    // A plain --output FILE takes the --format report, and standard output is empty.
    let output = bin()
        .current_dir(dir.path())
        .args([
            "check",
            "--no-settings",
            "--format",
            "gitlab",
            "--output",
            "report.json",
        ])
        .arg(&conf)
        .output()
        .unwrap();
    assert!(output.stdout.is_empty());
    let issues: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    assert!(!issues.is_empty());
    // Two formats into one file is a usage error.
    let output = bin()
        .current_dir(dir.path())
        .args(["check", "--no-settings", "-o", "sarif=x", "-o", "junit=x"])
        .arg(&conf)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    // An unknown format name.
    let output = bin()
        .args(["check", "--no-settings", "--format", "yaml"])
        .arg(&conf)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("sarif"));
}

#[test]
fn baseline_fails_only_on_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let conf = std::fs::read_to_string(repo().join("examples/redis.conf")).unwrap();
    std::fs::write(dir.path().join("redis.conf"), &conf).unwrap();
    let (code, _, stderr) = run_in(dir.path(), &["--write-baseline", "baseline.json", "redis.conf"]);
    assert_eq!(code, 0, "writing a baseline accepts today's findings: {stderr}");
    let baseline = std::fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    assert!(!baseline.contains("\"line\""), "keyed without line numbers");
    // Same findings, moved down: still all baselined.
    std::fs::write(dir.path().join("redis.conf"), format!("\n\n\n{conf}")).unwrap();
    let (code, report, _) = check_json(&["--baseline", "baseline.json", "redis.conf"], dir.path());
    assert_eq!(code, 0);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    assert!(report["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["by"] == "baseline"));
    let errors = schema_errors(&validator("report.schema.json"), &report);
    assert!(errors.is_empty(), "{errors:#?}");
    // A new problem fails the gate, alone.
    std::fs::write(dir.path().join("redis.conf"), format!("{conf}\nmaxmemory 0\n")).unwrap();
    let (code, report, _) = check_json(&["--baseline", "baseline.json", "redis.conf"], dir.path());
    assert_eq!(code, 1);
    // (`maxmemory 0` after `maxmemory 2gb`: also a new duplicate of `maxmemory`.)
    let mut ids = rule_ids(&report);
    ids.sort();
    assert_eq!(ids, ["config.duplicate-directive", "memory.maxmemory-unset"]);
    assert_eq!(
        findings_of(&report, "config.duplicate-directive")[0]["subject"],
        "maxmemory"
    );
    // A missing or broken baseline is an input error.
    let (code, _, stderr) = run_in(dir.path(), &["--baseline", "nope.json", "redis.conf"]);
    assert_eq!(code, 2, "{stderr}");
    std::fs::write(dir.path().join("bad.json"), "{}").unwrap();
    let (code, _, stderr) = run_in(dir.path(), &["--baseline", "bad.json", "redis.conf"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn statistics_and_quiet() {
    let (code, stdout, _) = run_in(&repo(), &["--statistics", "examples/redis.conf", "examples/app.env"]);
    assert_eq!(code, 1);
    let first = stdout.lines().next().unwrap();
    assert!(
        first.trim_start().starts_with("3  auth.placeholder-password"),
        "{stdout}"
    );
    let report = example_json();
    let total = report["findings"].as_array().unwrap().len();
    assert!(stdout
        .lines()
        .last()
        .unwrap()
        .trim_start()
        .starts_with(&format!("{total}  findings")));
    let (code, stdout, _) = run_in(&repo(), &["--quiet", "examples/redis.conf", "examples/app.env"]);
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("FAIL"));
    let (code, stdout, _) = run_in(&repo(), &["--quiet", "examples/hardened.conf"]);
    assert_eq!(code, 0);
    assert!(stdout.is_empty(), "nothing on success: {stdout}");
}

fn settings_file(dir: &Path, body: &str) -> String {
    let path = dir.join("redis-preflight.toml");
    std::fs::write(&path, body).unwrap();
    path.display().to_string()
}

fn checklist_row<'a>(md: &'a str, id: &str) -> &'a str {
    md.lines()
        .find(|l| l.starts_with("| ") && l.contains(&format!("[{id}]")))
        .unwrap_or_else(|| panic!("no row for {id}"))
}

#[test]
fn attestations_count_until_they_expire() {
    let dir = tempfile::tempdir().unwrap();
    let settings = settings_file(
        dir.path(),
        r#"
[[attest]]
item = "failover-tested"
by = "alice@example.com"
date = "2026-01-10"
evidence = "Failover drill OPS-42: replica promoted in 9 s, clients reconnected"
expires = "2099-01-01"

[[attest]]
item = "alerts-configured"
by = "bob"
date = "2020-01-01"
evidence = "Alertmanager rules in infra/alerts.yml"
expires = "2021-01-01"

[[attest]]
item = "password-rotated"
by = "carol"
date = "2000-01-01"
evidence = "rotation runbook RB-7"

[[attest]]
item = "tls-enabled"
by = "dave"
date = "2026-01-10"
evidence = "terminated by the proxy"
"#,
    );
    let output = bin()
        .current_dir(repo())
        .args(["checklist", "--settings", &settings, "examples/redis.conf"])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    let failover = checklist_row(&md, "failover-tested");
    assert!(
        failover.contains("Attested") && failover.contains("alice@example.com"),
        "{failover}"
    );
    assert!(md.contains("valid until 2099-01-01"));
    let alerts = checklist_row(&md, "alerts-configured");
    assert!(
        alerts.contains("Verified fail") && alerts.contains("expired on 2021-01-01"),
        "{alerts}"
    );
    // Password rotation: 90 days after the date.
    let rotated = checklist_row(&md, "password-rotated");
    assert!(
        rotated.contains("Verified fail") && rotated.contains("expired on 2000-03-31"),
        "{rotated}"
    );
    // A machine-verified failure is not overridden by an attestation.
    assert!(checklist_row(&md, "tls-enabled").contains("Verified fail"));
    // The HTML shows who and when.
    let output = bin()
        .current_dir(repo())
        .args([
            "checklist",
            "--format",
            "html",
            "--settings",
            &settings,
            "examples/redis.conf",
        ])
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&output.stdout);
    assert!(html.contains("Attested by <strong>alice@example.com</strong> on 2026-01-10"));
}

#[test]
fn attestation_errors_point_at_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let settings = settings_file(
        dir.path(),
        "profile = \"self-hosted\"\n\n[[attest]]\nitem = \"coffee-made\"\nby = \"x\"\ndate = \"2026-01-01\"\nevidence = \"mug\"\n\n[[attest]]\nitem = \"failover-tested\"\nby = \"x\"\ndate = \"yesterday\"\nevidence = \"drill\"\n",
    );
    let output = bin()
        .current_dir(repo())
        .args(["checklist", "--settings", &settings, "examples/redis.conf"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("redis-preflight.toml:4:"), "{stderr}");
    assert!(stderr.contains("redis-preflight.toml:12:"), "{stderr}");
    assert!(
        stderr.contains("attest.0.item") && stderr.contains("attest.1.date"),
        "{stderr}"
    );
}

#[test]
fn the_settings_schema_knows_every_checklist_item() {
    let text = std::fs::read_to_string(repo().join("schemas/settings.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let items: Vec<String> = schema["properties"]["attest"]["items"]["properties"]["item"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(items, checklist_ids());
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let output = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            text.contains("redis-preflight") && text.contains("write-baseline"),
            "{shell}"
        );
    }
    let output = bin().arg("man").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let page = String::from_utf8_lossy(&output.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH redis-preflight"),
        "{page}"
    );
    assert!(
        page.contains("redis\\-preflight\\-check") && page.contains("fail\\-on"),
        "{page}"
    );
}
