//! Every real configuration file in the corpus parses; the official ones of
//! each release line produce no unknown-directive finding for that line.
//! Redistributable files live in tests/fixtures/corpus; the others are read
//! from ../shared/corpus (present in CI) and their absence is said loudly.

mod support;

use std::path::{Path, PathBuf};
use support::*;

/// The release line an official file belongs to, from its name.
fn line_of(name: &str) -> String {
    let stem = name.trim_end_matches(".conf");
    if stem == "valkey-unstable-8.1-dev" {
        return "valkey-8.1".into();
    }
    if let Some(v) = stem.strip_prefix("valkey-sentinel-") {
        return format!("valkey-{v}");
    }
    if stem.starts_with("valkey-") {
        return stem.into();
    }
    let version = stem
        .trim_start_matches("redis-full-")
        .trim_start_matches("redis-")
        .trim_start_matches("sentinel-");
    version.trim_end_matches("-m01").into()
}

fn official_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    let fixtures = repo().join("tests/fixtures/corpus/official");
    files.extend(
        std::fs::read_dir(&fixtures)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "conf")),
    );
    if let Some(shared) = require_corpus() {
        for entry in std::fs::read_dir(shared.join("official"))
            .unwrap()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            let name = path.file_name().unwrap().to_owned();
            if path.extension().is_some_and(|x| x == "conf") && !fixtures.join(&name).exists() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn config_findings(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("config."))
        .map(|f| {
            format!(
                "{} {} ({}:{})",
                f["rule"], f["message"], f["location"]["file"], f["location"]["line"]
            )
        })
        .collect()
}

#[test]
fn official_configs_have_no_unknown_directive_for_their_own_version() {
    let files = official_files();
    assert!(files.len() >= 24, "only {} official files", files.len());
    let mut problems = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let line = line_of(name);
        let work = tempfile::tempdir().unwrap();
        let mut target = path.clone();
        if name.starts_with("redis-full-") {
            // `include redis.conf`: give it the 8.0-era redis.conf beside it.
            let Some(shared) = corpus_dir() else { continue };
            std::fs::copy(path, work.path().join(name)).unwrap();
            std::fs::copy(
                shared.join("official/redis-8.0-m01.conf"),
                work.path().join("redis.conf"),
            )
            .unwrap();
            target = work.path().join(name);
        }
        let mut args = vec!["--redis-version", line.as_str(), "--fail-on", "none"];
        if name.contains("sentinel") {
            args.push("--sentinel");
        }
        let target_str = target.to_str().unwrap().to_string();
        args.push(&target_str);
        let (code, report, stderr) = check_json(&args, work.path());
        if code != 0 {
            problems.push(format!("{name} ({line}): exit {code}: {stderr}"));
            continue;
        }
        let errors: Vec<String> = config_findings(&report)
            .into_iter()
            .filter(|f| !f.contains("deprecated-directive") && !f.contains("duplicate-directive"))
            .collect();
        if !errors.is_empty() {
            problems.push(format!("{name} ({line}):\n    {}", errors.join("\n    ")));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn official_configs_are_rejected_by_lines_that_lack_their_directives() {
    // The 7.0 file uses names (listpack, enable-*-command) that 6.2 does not know.
    let path = repo().join("tests/fixtures/corpus/official/redis-7.0.conf");
    let (_, report, _) = check_json(
        &["--redis-version", "6.2", "--fail-on", "none", path.to_str().unwrap()],
        &repo(),
    );
    let unknown: Vec<_> = findings_of(&report, "config.unknown-directive");
    assert!(
        unknown.iter().any(|f| f["subject"] == "hash-max-listpack-entries"),
        "{unknown:#?}"
    );
    assert!(unknown.iter().any(|f| f["subject"] == "appenddirname"));
    // ... and the 6.0 file's names are deprecated spellings on 7.0.
    let path = repo().join("tests/fixtures/corpus/official/redis-6.0.conf");
    let (_, report, _) = check_json(
        &["--redis-version", "7.0", "--fail-on", "none", path.to_str().unwrap()],
        &repo(),
    );
    assert!(findings_of(&report, "config.deprecated-directive")
        .iter()
        .any(|f| f["subject"] == "hash-max-ziplist-entries"));
    assert!(findings_of(&report, "config.unknown-directive").is_empty());
}

fn realworld_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() && path.file_name().is_some_and(|n| n != "env") {
            realworld_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "conf") {
            out.push(path);
        }
    }
}

#[test]
fn every_realworld_config_parses() {
    let mut files = Vec::new();
    realworld_files(&repo().join("tests/fixtures/corpus/realworld"), &mut files);
    if let Some(shared) = require_corpus() {
        realworld_files(&shared.join("realworld"), &mut files);
    }
    assert!(files.len() >= 19, "only {} realworld files", files.len());
    let mut problems = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let mut args = vec!["--fail-on", "none"];
        if name.contains("sentinel") {
            args.push("--sentinel");
        }
        let path_str = path.to_str().unwrap().to_string();
        args.push(&path_str);
        let (code, report, stderr) = check_json(&args, &repo());
        if code != 0 {
            problems.push(format!("{name}: exit {code}: {stderr}"));
        }
        assert!(report["findings"].is_array());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn ddev_optimized_includes_resolve_with_an_include_map() {
    let dir = repo().join("tests/fixtures/corpus/realworld/ddev__ddev-redis");
    let main = dir.join("redis-optimized-includes.conf");
    let map = format!("/etc/redis/conf={}", dir.display());
    let (_, report, _) = check_json(
        &["--fail-on", "none", "--include-map", &map, main.to_str().unwrap()],
        &repo(),
    );
    assert!(
        findings_of(&report, "config.include-error").is_empty(),
        "{:#?}",
        config_findings(&report)
    );
    // maxmemory 512mb comes from the included memory.conf.
    assert!(findings_of(&report, "memory.maxmemory-unset").is_empty());
    // security.conf's `user default ... >redis` and `user redis ... >redis` are clear-text ACL
    // passwords, found through the include and pointed at in the included file.
    let cleartext = findings_of(&report, "auth.cleartext-acl-password");
    assert_eq!(cleartext.len(), 2, "{:#?}", rule_ids(&report));
    assert!(cleartext[0]["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("security.conf"));
    assert_eq!(cleartext[0]["location"]["line"], 13);
    // Without the map, the absolute paths are missing here and each include is an error at its line.
    let (_, report, _) = check_json(&["--fail-on", "none", main.to_str().unwrap()], &repo());
    let errors = findings_of(&report, "config.include-error");
    assert_eq!(errors.len(), 8);
    assert_eq!(errors[0]["location"]["file"].as_str().unwrap(), main.to_str().unwrap());
}

#[test]
fn corpus_env_files_parse() {
    let dir = repo().join("tests/fixtures/corpus/realworld/env");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        let (code, report, stderr) = check_json(&["--fail-on", "none", "--env-file", path.to_str().unwrap()], &repo());
        assert_eq!(code, 0, "{}: {stderr}", path.display());
        // None of these sets REDIS_URL; REDIS_HOST/REDIS_PORT is a way to
        // reach Redis, so only a file without it has nothing to reach Redis by.
        let has_host = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .any(|line| line.starts_with("REDIS_HOST="));
        assert_eq!(
            rule_ids(&report).contains(&"env.redis-url-missing".to_string()),
            !has_host,
            "{}",
            path.display()
        );
        assert!(report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "env.redis-url-invalid"));
        count += 1;
    }
    assert_eq!(count, 4);
}

#[test]
fn fixture_copies_are_byte_identical_to_the_shared_corpus() {
    let Some(shared) = require_corpus() else { return };
    let fixtures = repo().join("tests/fixtures/corpus");
    let mut stack = vec![fixtures.clone()];
    let mut compared = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path.strip_prefix(&fixtures).unwrap();
            if relative == Path::new("SOURCES.md") {
                continue;
            }
            let original = std::fs::read(shared.join(relative))
                .unwrap_or_else(|_| panic!("{} is not in the shared corpus", relative.display()));
            assert_eq!(
                std::fs::read(&path).unwrap(),
                original,
                "{} differs from the corpus",
                relative.display()
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 52);
}
