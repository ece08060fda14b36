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

/// Lowest precision, recall and severity agreement the test accepts: the values measured
/// when issue 11 landed (0.991, 0.892, 0.941 over all judged files), rounded down, so that a
/// regression in any of them fails the build. Raise them when the tool gets better.
const PRECISION_FLOOR: f64 = 0.99;
const RECALL_FLOOR: f64 = 0.89;
const SEVERITY_FLOOR: f64 = 0.94;

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

/// What one corpus folder (or all of them) scored.
#[derive(Default, Clone, Copy)]
struct Counts {
    files_judged: usize,
    files_skipped: usize,
    reported: usize,
    true_positives: usize,
    false_positives: usize,
    expected: usize,
    hits: usize,
    hits_at_severity: usize,
    misses: usize,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.files_judged += other.files_judged;
        self.files_skipped += other.files_skipped;
        self.reported += other.reported;
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.expected += other.expected;
        self.hits += other.hits;
        self.hits_at_severity += other.hits_at_severity;
        self.misses += other.misses;
    }

    fn precision(&self) -> f64 {
        ratio(self.true_positives, self.reported)
    }

    fn recall(&self) -> f64 {
        ratio(self.hits, self.expected)
    }

    fn severity_agreement(&self) -> f64 {
        ratio(self.hits_at_severity, self.hits)
    }
}

/// The disagreements, one line each, for the reader of the test's output.
#[derive(Default)]
struct Disagreements {
    false_positives: Vec<String>,
    misses: Vec<String>,
    other_severity: Vec<String>,
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
    // The Terraform reader also takes in every .tf beside the file, so a .tf is checked alone
    // in a directory of its own, kept until the run ends.
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

/// The part of a target id that tells targets of one file apart (`#redis`), or the whole
/// id when it does not name the file.
fn short_target<'a>(target: &'a str, file: &str) -> &'a str {
    let base = file.rsplit('/').next().unwrap_or(file);
    match target.find(base) {
        Some(at) => &target[at + base.len()..],
        None => target,
    }
}

fn score_file(
    score: &mut Counts,
    lines: &mut Disagreements,
    name: &str,
    expectations: &Expectations,
    reported: &BTreeMap<Reported, String>,
) {
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
            score.false_positives += 1;
            lines.false_positives.push(format!(
                "{name}: {} {} ({}) — not expected; the tool says: {}",
                finding.rule,
                short_target(&finding.target, name),
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
            score.misses += 1;
            lines.misses.push(format!(
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
            lines.other_severity.push(format!(
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

    let mut scores: BTreeMap<String, Counts> = BTreeMap::new();
    let mut lines = Disagreements::default();
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
        let folder = file.split('/').next().unwrap_or_default().to_string();
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
            scores.entry(folder).or_default().files_skipped += 1;
            continue;
        }
        match run_check(&bin, &corpus, file, &expectations.args) {
            Ok(reported) => {
                let score = scores.entry(folder).or_default();
                score.files_judged += 1;
                score_file(score, &mut lines, file, &expectations, &reported);
            }
            Err(why) => problems.push(format!("{name}: {why}")),
        }
    }

    let mut total = Counts::default();
    for folder_score in scores.values() {
        total.add(folder_score);
    }
    let mut columns: Vec<(&str, Counts)> = scores.iter().map(|(name, c)| (name.as_str(), *c)).collect();
    columns.push(("all", total));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\njudged against {} ({} expectations files)\n",
        bin.display(),
        expectation_files.len()
    );
    let count =
        |pick: fn(&Counts) -> usize| -> Vec<String> { columns.iter().map(|(_, c)| pick(c).to_string()).collect() };
    let rate =
        |pick: fn(&Counts) -> f64| -> Vec<String> { columns.iter().map(|(_, c)| format!("{:.3}", pick(c))).collect() };
    let rows: [(&str, Vec<String>); 12] = [
        ("", columns.iter().map(|(name, _)| name.to_string()).collect()),
        ("files judged", count(|c| c.files_judged)),
        ("files skipped", count(|c| c.files_skipped)),
        ("reported (low and above)", count(|c| c.reported)),
        ("true positives", count(|c| c.true_positives)),
        ("false positives", count(|c| c.false_positives)),
        ("expected findings", count(|c| c.expected)),
        ("expected and reported", count(|c| c.hits)),
        ("misses", count(|c| c.misses)),
        ("precision", rate(Counts::precision)),
        ("recall", rate(Counts::recall)),
        ("severity agreement", rate(Counts::severity_agreement)),
    ];
    for (label, values) in rows {
        let _ = write!(out, "  {label:<26}");
        for value in values {
            let _ = write!(out, " {value:>12}");
        }
        out.push('\n');
    }
    for (title, list) in [
        ("false positives", &lines.false_positives),
        ("misses", &lines.misses),
        ("reported at another severity", &lines.other_severity),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "\n{title} ({}):", list.len());
            for line in list {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    println!("{out}");

    let (precision, recall) = (total.precision(), total.recall());
    if precision < PRECISION_FLOOR {
        problems.push(format!("precision {precision:.3} is below the floor {PRECISION_FLOOR}"));
    }
    if recall < RECALL_FLOOR {
        problems.push(format!("recall {recall:.3} is below the floor {RECALL_FLOOR}"));
    }
    let agreement = total.severity_agreement();
    if agreement < SEVERITY_FLOOR {
        problems.push(format!(
            "severity agreement {agreement:.3} is below the floor {SEVERITY_FLOOR}"
        ));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) with the judged corpus:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}
