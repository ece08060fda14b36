//! Shared helpers for the CLI-level tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bin() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("redis-preflight").expect("binary is built");
    cmd.env_remove("NO_COLOR");
    for (name, _) in std::env::vars() {
        if name.starts_with("REDIS_") || name.starts_with("CACHE_TTL_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// Runs `check` with JSON output and returns (exit code, parsed report, stderr).
pub fn check_json(args: &[&str], dir: &Path) -> (i32, serde_json::Value, String) {
    let output: Output = bin()
        .current_dir(dir)
        .arg("check")
        .arg("--no-settings")
        .args(["--format", "json"])
        .args(args)
        .output()
        .expect("run redis-preflight");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
    (output.status.code().unwrap_or(-1), report, stderr)
}

pub fn rule_ids(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|f| f.iter().map(|x| x["rule"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

pub fn findings_of<'a>(report: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .map(|f| f.iter().filter(|x| x["rule"] == rule).collect())
        .unwrap_or_default()
}

pub fn validator(schema_file: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("schemas").join(schema_file)).expect("schema file");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

pub fn schema_errors(validator: &jsonschema::Validator, instance: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

/// The shared corpus (`../shared/corpus`), present in CI, absent in a user's clone.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = repo().join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "\n!!!!!!!! MISSING CORPUS: {} not found: the corpus tests cannot run here !!!!!!!!\n",
            dir.display()
        );
        None
    }
}

/// The corpus, or `None` in a user's clone (the missing corpus is said in
/// one loud line); under `CI=true` a missing corpus fails, unless
/// `REDIS_PREFLIGHT_ALLOW_MISSING_CORPUS=1`.
pub fn require_corpus() -> Option<PathBuf> {
    let dir = corpus_dir();
    let allowed = std::env::var("REDIS_PREFLIGHT_ALLOW_MISSING_CORPUS").as_deref() == Ok("1")
        || std::env::var("CI").as_deref() != Ok("true");
    if dir.is_none() && !allowed {
        panic!("MISSING CORPUS: ../shared/corpus is required under CI=true (set REDIS_PREFLIGHT_ALLOW_MISSING_CORPUS=1 to run without it)");
    }
    dir
}
