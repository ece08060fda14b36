//! The example deployments in `examples/deployments/<kind>/{good,bad}/` (issue 11,
//! "Bar"), checked the way a user runs them: `redis-preflight check <dir>` with the
//! default gate, from the repository root.
//!
//! * Every `good` directory passes the gate (exit 0).
//! * Every `bad` directory fails it (exit 1), and its FAIL findings at or above the
//!   gate are exactly the rule ids listed in its `expected.txt` (one id a line, a
//!   `# why` after it), written from a reviewer's judgement of the files.
//! * Every directory yields at least one target of its kind, so a file that stopped
//!   being detected fails here instead of passing on nothing.
//!
//! Where the tool and the expectation disagree, `expected.txt` says so on a comment
//! line, and the test accepts it for now and prints it:
//!
//! ```text
//! # TOOL-DISAGREES: missing <rule-id> <why it is expected although not reported>
//! # TOOL-DISAGREES: extra <rule-id> <why it is reported although not expected>
//! ```
//!
//! A `good` directory may have an `expected.txt` too, holding only `extra` lines.
//! A disagreement that no longer holds (the rule now fires, or no longer does) fails
//! the test, so the marker is removed when the tool or the expectation changes.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Each example kind: its directory under `examples/deployments/` and the target
/// kind the report must name for it.
const KINDS: &[(&str, &str)] = &[
    ("redis-conf", "redis-conf"),
    ("compose", "compose"),
    ("kubernetes", "kubernetes"),
    ("helm", "helm-values"),
    ("terraform", "terraform"),
    ("cloud-json", "cloud-json"),
];

/// The gate the expectations were written for: the documented default of `--fail-on`.
const DEFAULT_GATE: &str = "high";

const MARKER: &str = "# TOOL-DISAGREES:";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn examples_dir() -> PathBuf {
    repo().join("examples/deployments")
}

fn severity_rank(severity: &str) -> u8 {
    match severity {
        "info" => 0,
        "low" => 1,
        "medium" => 2,
        "high" => 3,
        "critical" => 4,
        other => panic!("unknown severity `{other}` in the report"),
    }
}

/// Every rule id of the pack, from `redis-preflight rules --format json`, so a
/// misspelled id in an `expected.txt` is an error and not a line that never matches.
fn rule_ids() -> &'static BTreeSet<String> {
    static IDS: OnceLock<BTreeSet<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let output = Command::new(env!("CARGO_BIN_EXE_redis-preflight"))
            .args(["rules", "--format", "json"])
            .current_dir(repo())
            .output()
            .expect("run redis-preflight rules");
        assert!(output.status.success(), "`rules --format json` failed");
        let rules: Value = serde_json::from_slice(&output.stdout).expect("rules JSON");
        let list = rules
            .as_array()
            .or_else(|| rules["rules"].as_array())
            .expect("a list of rules");
        list.iter()
            .map(|rule| rule["id"].as_str().expect("rule id").to_string())
            .collect()
    })
}

/// What `expected.txt` says about one example directory.
#[derive(Default, Debug)]
struct Expected {
    /// Rule ids that must be reported.
    ids: BTreeSet<String>,
    /// Expected by the reviewer but not reported by the tool today, with why.
    missing: BTreeMap<String, String>,
    /// Reported by the tool today but not expected by the reviewer, with why.
    extra: BTreeMap<String, String>,
}

fn read_expected(dir: &Path) -> Expected {
    let path = dir.join("expected.txt");
    let Ok(text) = fs::read_to_string(&path) else {
        return Expected::default();
    };
    let known = rule_ids();
    let mut expected = Expected::default();
    for (index, raw) in text.lines().enumerate() {
        let at = format!("{}:{}", path.display(), index + 1);
        let line = raw.trim();
        if let Some(rest) = line.strip_prefix(MARKER) {
            let mut words = rest.split_whitespace();
            let which = words.next().unwrap_or("");
            let id = words.next().unwrap_or("").to_string();
            let why = words.collect::<Vec<_>>().join(" ");
            assert!(known.contains(&id), "{at}: `{id}` is not a rule id of the pack");
            assert!(!why.is_empty(), "{at}: a disagreement needs its reason");
            let map = match which {
                "missing" => &mut expected.missing,
                "extra" => &mut expected.extra,
                other => panic!("{at}: `{other}`: a disagreement is `missing <id> <why>` or `extra <id> <why>`"),
            };
            assert!(map.insert(id.clone(), why).is_none(), "{at}: `{id}` twice");
            continue;
        }
        let id = line.split('#').next().unwrap_or("").trim();
        if id.is_empty() {
            continue;
        }
        assert!(known.contains(id), "{at}: `{id}` is not a rule id of the pack");
        assert!(expected.ids.insert(id.to_string()), "{at}: `{id}` twice");
    }
    for id in expected.missing.keys().chain(expected.extra.keys()) {
        assert!(
            !expected.ids.contains(id),
            "{}: `{id}` is both expected and marked as a disagreement",
            path.display()
        );
    }
    expected
}

/// `redis-preflight check <dir> --format json` from the repository root, with the
/// default gate (no settings file, no `--fail-on`): exit code and report.
fn check(relative: &str) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_redis-preflight"))
        .args(["check", "--no-settings", "--format", "json", relative])
        .current_dir(repo())
        .output()
        .expect("run redis-preflight check");
    let code = output.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{relative}: exit {code}, no JSON report ({e})\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (code, report)
}

/// Every finding, one line each, for a readable failure.
fn describe(report: &Value) -> String {
    let mut out = String::new();
    for target in report["targets"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "    target {} ({})",
            target["id"].as_str().unwrap_or("?"),
            target["kind"].as_str().unwrap_or("?")
        );
    }
    for finding in report["findings"].as_array().into_iter().flatten() {
        let location = &finding["location"];
        let at = match location["file"].as_str() {
            Some(file) => format!("{file}:{}", location["line"]),
            None => "-".to_string(),
        };
        let _ = writeln!(
            out,
            "    {:4} {:8} {:40} {}  {}",
            finding["state"].as_str().unwrap_or("?"),
            finding["severity"].as_str().unwrap_or("?"),
            finding["rule"].as_str().unwrap_or("?"),
            at,
            finding["message"].as_str().unwrap_or("")
        );
    }
    if out.is_empty() {
        out.push_str("    (no targets, no findings)\n");
    }
    out
}

fn list(ids: &BTreeSet<String>) -> String {
    if ids.is_empty() {
        "(none)".into()
    } else {
        ids.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// Checks one example directory; returns what is wrong with it (empty when it is right).
fn check_example(kind: &str, target_kind: &str, verdict: &str) -> Vec<String> {
    let relative = format!("examples/deployments/{kind}/{verdict}");
    let dir = repo().join(&relative);
    assert!(dir.is_dir(), "{relative} is missing");
    let expected = read_expected(&dir);
    let (code, report) = check(&relative);
    let mut problems = Vec::new();

    assert_eq!(
        report["fail_on"].as_str(),
        Some(DEFAULT_GATE),
        "{relative}: the default gate is no longer `{DEFAULT_GATE}`: the expectations were written for it"
    );
    let gate = severity_rank(DEFAULT_GATE);

    let targets: Vec<&str> = report["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["kind"].as_str() == Some(target_kind))
        .filter_map(|t| t["id"].as_str())
        .collect();
    if targets.is_empty() {
        problems.push(format!(
            "no target of kind `{target_kind}`: the example file is not detected"
        ));
    }

    let reported: BTreeSet<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["state"].as_str() == Some("fail"))
        .filter(|f| severity_rank(f["severity"].as_str().unwrap_or("info")) >= gate)
        .map(|f| f["rule"].as_str().expect("finding rule").to_string())
        .collect();

    let want_code = if reported.is_empty() { 0 } else { 1 };
    if code != want_code {
        problems.push(format!("exit code {code}, but the gate findings call for {want_code}"));
    }
    match verdict {
        "good" => {
            assert!(expected.ids.is_empty() && expected.missing.is_empty(), "{relative}/expected.txt: a good example expects no finding at the gate; only `extra` disagreements belong there");
            let unexplained: BTreeSet<String> = reported
                .iter()
                .filter(|id| !expected.extra.contains_key(*id))
                .cloned()
                .collect();
            if !unexplained.is_empty() {
                problems.push(format!("a good deployment fails the gate with {}", list(&unexplained)));
            }
        }
        "bad" => {
            if code != 1 {
                problems.push(format!("a bad deployment passes the gate (exit {code})"));
            }
            let not_reported: BTreeSet<String> = expected.ids.difference(&reported).cloned().collect();
            if !not_reported.is_empty() {
                problems.push(format!("expected but not reported: {}", list(&not_reported)));
            }
            let unexpected: BTreeSet<String> = reported
                .iter()
                .filter(|id| {
                    !expected.ids.contains(*id)
                        && !expected.extra.contains_key(*id)
                        && !expected.missing.contains_key(*id)
                })
                .cloned()
                .collect();
            if !unexpected.is_empty() {
                problems.push(format!("reported but not expected: {}", list(&unexpected)));
            }
        }
        other => panic!("unknown verdict {other}"),
    }
    for id in expected.missing.keys().filter(|id| reported.contains(*id)) {
        problems.push(format!(
            "`{id}` is now reported: turn its `{MARKER} missing` line into a plain expected line"
        ));
    }
    for id in expected.extra.keys().filter(|id| !reported.contains(*id)) {
        problems.push(format!(
            "`{id}` is no longer reported: delete its `{MARKER} extra` line"
        ));
    }

    println!("{relative}: exit {code}, gate findings: {}", list(&reported));
    for (id, why) in &expected.missing {
        println!("  known disagreement: {id} expected but not reported: {why}");
    }
    for (id, why) in &expected.extra {
        println!("  known disagreement: {id} reported but not expected: {why}");
    }
    if !problems.is_empty() || verdict == "good" && !report["findings"].as_array().is_none_or(|f| f.is_empty()) {
        print!("{}", describe(&report));
    }
    problems.into_iter().map(|p| format!("{relative}: {p}")).collect()
}

fn check_kind(kind: &str) {
    let (_, target_kind) = KINDS.iter().find(|(k, _)| *k == kind).expect("a known kind");
    let mut problems = check_example(kind, target_kind, "good");
    problems.extend(check_example(kind, target_kind, "bad"));
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn redis_conf_examples() {
    check_kind("redis-conf");
}

#[test]
fn compose_examples() {
    check_kind("compose");
}

#[test]
fn kubernetes_examples() {
    check_kind("kubernetes");
}

#[test]
fn helm_examples() {
    check_kind("helm");
}

#[test]
fn terraform_examples() {
    check_kind("terraform");
}

#[test]
fn cloud_json_examples() {
    check_kind("cloud-json");
}

/// Every example directory is checked above, and each has a good and a bad one.
#[test]
fn every_example_is_checked() {
    let mut found: Vec<String> = fs::read_dir(examples_dir())
        .expect("examples/deployments")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut listed: Vec<String> = KINDS.iter().map(|(kind, _)| kind.to_string()).collect();
    listed.sort();
    assert_eq!(
        found, listed,
        "examples/deployments/ and KINDS in tests/examples.rs differ"
    );
    for (kind, _) in KINDS {
        for verdict in ["good", "bad"] {
            let dir = examples_dir().join(kind).join(verdict);
            assert!(dir.is_dir(), "{} is missing", dir.display());
        }
        let bad = examples_dir().join(kind).join("bad/expected.txt");
        assert!(bad.is_file(), "{} is missing", bad.display());
    }
}
