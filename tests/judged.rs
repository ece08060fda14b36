//! Scores redis-preflight against independent judgement of real deployments.
//!
//! Every corpus file under `realworld/` and `deployments/` of `../shared/corpus` has an
//! expectations file `tests/judged/<path in the corpus>.toml`, written by reading the
//! file as a reviewer would, not from the tool's output. Each lists the findings that must
//! be reported (`[[finding]]`, with the severity a reviewer would give) and the debatable
//! ones that may be (`[[acceptable]]`), or says why the file is not judged alone (`skip`).
//!
//! The test runs `check FILE --format json --fail-on none` on each judged file (with the
//! corpus root as working directory, so paths in `args` are relative to it; a Terraform file
//! alone in a fresh directory, since the tool also reads the `.tf` files beside it), and
//! compares the FAIL findings of severity low and above with the expectations:
//!
//! * precision: reported findings that are expected or acceptable, over all reported;
//! * recall: expected findings that were reported, over all expected;
//! * severity agreement: expected findings reported at the judged severity, over those reported.
//!
//! A finding is identified by (rule, target, severity): the same rule reported on several
//! lines of one target counts once. `JUDGED_BIN=/path/to/redis-preflight` scores another
//! binary (an older release) against the same expectations. The corpus is `../shared/corpus` or
//! `$REDIS_PREFLIGHT_CORPUS`; without it the test says so loudly and passes, except under `CI=true`.
//! Run it with `cargo test --test judged -- --nocapture` to see the table.

mod common;

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Lowest precision and recall the test accepts. The maintainer raises them to the values
/// measured once the rule changes land, so that a regression in either fails the build.
const PRECISION_FLOOR: f64 = 0.0;
const RECALL_FLOOR: f64 = 0.0;

/// The corpus folders whose every file must be judged.
const JUDGED_FOLDERS: [&str; 2] = ["realworld", "deployments"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectations {
    file: String,
    #[serde(default)]
    args: Vec<String>,
    skip: Option<String>,
    #[serde(default, rename = "finding")]
    findings: Vec<Expected>,
    #[serde(default, rename = "acceptable")]
    acceptable: Vec<Acceptable>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    rule: String,
    severity: Severity,
    target: Option<String>,
    why: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Acceptable {
    rule: String,
    target: Option<String>,
    why: String,
}

/// The severities the scorer counts; `info` is deliberately absent, so an expectation at
/// info is a parse error rather than a finding that can never be matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    fn parse(text: &str) -> Option<Severity> {
        match text {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Reported {
    rule: String,
    target: String,
    severity: Severity,
}

fn matches(rule: &str, target: &Option<String>, reported: &Reported) -> bool {
    rule == reported.rule && target.as_ref().is_none_or(|t| reported.target.contains(t.as_str()))
}

#[derive(Default)]
struct Score {
    files_judged: usize,
    files_skipped: usize,
    reported: usize,
    true_positives: usize,
    expected: usize,
    hits: usize,
    hits_at_severity: usize,
    false_positives: Vec<String>,
    misses: Vec<String>,
    severity_differences: Vec<String>,
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

fn binary() -> PathBuf {
    match std::env::var_os("JUDGED_BIN") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_redis-preflight")),
    }
}

/// The binary without the caller's Redis variables, which `check` could otherwise read.
fn command(bin: &Path) -> Command {
    let mut cmd = Command::new(bin);
    for (name, _) in std::env::vars() {
        if name.starts_with("REDIS_") || name.starts_with("CACHE_TTL_") || name.starts_with("VALKEY_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

fn known_rules(bin: &Path) -> BTreeSet<String> {
    let output = command(bin)
        .args(["rules", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    let rules: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("`rules --format json` is not JSON ({e})"));
    rules
        .as_array()
        .expect("`rules --format json` prints an array")
        .iter()
        .filter_map(|rule| rule["id"].as_str().map(str::to_string))
        .collect()
}

fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if keep(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Runs `check` on one corpus file and returns its FAIL findings at low and above, with the
/// first message of each, or why the run gave no report.
fn run_check(bin: &Path, corpus: &Path, file: &str, args: &[String]) -> Result<BTreeMap<Reported, String>, String> {
    let source = corpus.join(file);
    // Kept alive until the run ends: the Terraform reader looks at every .tf beside the file.
    let scratch;
    let (cwd, input) = if file.ends_with(".tf") {
        scratch = tempfile::tempdir().expect("temporary directory");
        let name = source.file_name().expect("a file name");
        std::fs::copy(&source, scratch.path().join(name)).expect("copy the .tf file");
        (scratch.path().to_path_buf(), PathBuf::from(name))
    } else {
        (corpus.to_path_buf(), PathBuf::from(file))
    };
    let output = command(bin)
        .current_dir(&cwd)
        .arg("check")
        .arg(&input)
        .args(["--format", "json", "--fail-on", "none", "--no-settings"])
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|_| {
        format!(
            "no JSON report (exit {:?}): {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).trim()
        )
    })?;
    let mut reported = BTreeMap::new();
    for finding in report["findings"].as_array().into_iter().flatten() {
        let Some(severity) = finding["severity"].as_str().and_then(Severity::parse) else {
            continue;
        };
        if finding["state"] != "fail" {
            continue;
        }
        let key = Reported {
            rule: finding["rule"].as_str().unwrap_or_default().to_string(),
            target: finding["target"].as_str().unwrap_or_default().to_string(),
            severity,
        };
        let message = finding["message"].as_str().unwrap_or_default().to_string();
        reported.entry(key).or_insert(message);
    }
    Ok(reported)
}

fn shorten(text: &str, limit: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() <= limit {
        line.to_string()
    } else {
        format!("{}…", line.chars().take(limit).collect::<String>())
    }
}

fn score_file(score: &mut Score, name: &str, expectations: &Expectations, reported: &BTreeMap<Reported, String>) {
    for (finding, message) in reported {
        score.reported += 1;
        let expected = expectations
            .findings
            .iter()
            .any(|e| matches(&e.rule, &e.target, finding))
            || expectations
                .acceptable
                .iter()
                .any(|a| matches(&a.rule, &a.target, finding));
        if expected {
            score.true_positives += 1;
        } else {
            score.false_positives.push(format!(
                "{name}: {} {} ({}) — not expected; the tool says: {}",
                finding.rule,
                finding.target,
                finding.severity.as_str(),
                shorten(message, 110)
            ));
        }
    }
    for expected in &expectations.findings {
        score.expected += 1;
        let hits: Vec<&Reported> = reported
            .keys()
            .filter(|r| matches(&expected.rule, &expected.target, r))
            .collect();
        let target = expected.target.as_deref().unwrap_or("");
        if hits.is_empty() {
            score.misses.push(format!(
                "{name}: {} {target} ({}) — {}",
                expected.rule,
                expected.severity.as_str(),
                expected.why
            ));
            continue;
        }
        score.hits += 1;
        if hits.iter().any(|r| r.severity == expected.severity) {
            score.hits_at_severity += 1;
        } else {
            let seen: BTreeSet<&str> = hits.iter().map(|r| r.severity.as_str()).collect();
            score.severity_differences.push(format!(
                "{name}: {} {target} (reported {}, judged {}) — {}",
                expected.rule,
                seen.into_iter().collect::<Vec<_>>().join("/"),
                expected.severity.as_str(),
                expected.why
            ));
        }
    }
}

#[test]
fn judged_deployments_score() {
    let corpus = common::corpus_dir();
    if !corpus.is_dir() {
        let message = format!(
            "MISSING CORPUS: {} not found: no deployment was judged",
            corpus.display()
        );
        assert!(common::missing_corpus_allowed(), "{message} (required under CI=true)");
        eprintln!("\n!!!!!!!! {message} !!!!!!!!\n");
        return;
    }
    let judged_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/judged");
    let bin = binary();
    let rules = known_rules(&bin);
    let mut problems: Vec<String> = Vec::new();

    // Every corpus file is judged (or skipped with a reason), so none is silently left out.
    for folder in JUDGED_FOLDERS {
        for path in files_under(&corpus.join(folder), &|p| {
            p.file_name().is_some_and(|n| n != "SOURCES.md")
        }) {
            let file = relative(&path, &corpus);
            if !judged_dir.join(format!("{file}.toml")).is_file() {
                problems.push(format!("{file}: no expectations file tests/judged/{file}.toml"));
            }
        }
    }

    let mut score = Score::default();
    let expectation_files = files_under(&judged_dir, &|p| p.extension().is_some_and(|e| e == "toml"));
    for path in &expectation_files {
        let name = relative(path, &judged_dir);
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expectations: Expectations = match toml::from_str(&text) {
            Ok(parsed) => parsed,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        let file = &expectations.file;
        if name.strip_suffix(".toml") != Some(file.as_str()) {
            problems.push(format!(
                "{name}: names `{file}`; an expectations file is named after its corpus file"
            ));
        }
        if !corpus.join(file).is_file() {
            problems.push(format!("{name}: the corpus has no file `{file}`"));
            continue;
        }
        let named_rules = expectations
            .findings
            .iter()
            .map(|e| &e.rule)
            .chain(expectations.acceptable.iter().map(|a| &a.rule));
        let unknown: Vec<&String> = named_rules.filter(|rule| !rules.contains(*rule)).collect();
        let unexplained = expectations.findings.iter().map(|e| (&e.rule, &e.why));
        let unexplained = unexplained.chain(expectations.acceptable.iter().map(|a| (&a.rule, &a.why)));
        for (rule, _) in unexplained.filter(|(_, why)| why.trim().is_empty()) {
            problems.push(format!("{name}: `{rule}` has an empty `why`"));
        }
        if !unknown.is_empty() {
            problems.push(format!("{name}: rules the tool does not know: {unknown:?}"));
        }
        if let Some(reason) = &expectations.skip {
            if !expectations.findings.is_empty() || !expectations.acceptable.is_empty() {
                problems.push(format!("{name}: skipped (\"{reason}\") yet lists findings"));
            }
            score.files_skipped += 1;
            continue;
        }
        match run_check(&bin, &corpus, file, &expectations.args) {
            Ok(reported) => {
                score.files_judged += 1;
                score_file(&mut score, file, &expectations, &reported);
            }
            Err(why) => problems.push(format!("{name}: {why}")),
        }
    }

    let precision = ratio(score.true_positives, score.reported);
    let recall = ratio(score.hits, score.expected);
    let agreement = ratio(score.hits_at_severity, score.hits);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\njudged against {} ({} expectations files)",
        bin.display(),
        expectation_files.len()
    );
    let rows = [
        ("files judged", score.files_judged.to_string()),
        ("files skipped", score.files_skipped.to_string()),
        ("reported (low and above)", score.reported.to_string()),
        ("true positives", score.true_positives.to_string()),
        ("false positives", score.false_positives.len().to_string()),
        ("expected findings", score.expected.to_string()),
        ("misses", score.misses.len().to_string()),
        ("precision", format!("{precision:.3}")),
        ("recall", format!("{recall:.3}")),
        (
            "severity agreement",
            format!("{agreement:.3} ({} of {})", score.hits_at_severity, score.hits),
        ),
    ];
    for (label, value) in rows {
        let _ = writeln!(out, "  {label:<26} {value}");
    }
    for (title, lines) in [
        ("false positives", &score.false_positives),
        ("misses", &score.misses),
        ("reported at another severity", &score.severity_differences),
    ] {
        if !lines.is_empty() {
            let _ = writeln!(out, "\n{title} ({}):", lines.len());
            for line in lines {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    println!("{out}");

    if precision < PRECISION_FLOOR {
        problems.push(format!("precision {precision:.3} is below the floor {PRECISION_FLOOR}"));
    }
    if recall < RECALL_FLOOR {
        problems.push(format!("recall {recall:.3} is below the floor {RECALL_FLOOR}"));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) with the judged corpus:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}
