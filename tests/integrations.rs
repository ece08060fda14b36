//! Integrations, for real: the pre-commit hook run by pre-commit itself
//! (`scripts/test-pre-commit`), the HTML report rendered by headless Chromium
//! (`scripts/test-html`), and the copy-paste examples of the README (hook
//! YAML, workflow, action) checked against the real files and flags.
//! Missing prerequisites fail loudly: nothing is skipped silently.

mod support;

use std::process::Command;
use support::*;

fn script(name: &str) -> Command {
    let mut command = Command::new(repo().join("scripts").join(name));
    command
        .current_dir(repo())
        .env("REDIS_PREFLIGHT_BIN", assert_cmd::cargo::cargo_bin("redis-preflight"));
    command
}

fn run_script(name: &str, mut command: Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run scripts/{name}: {e}"));
    assert!(
        output.status.success(),
        "scripts/{name} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn pre_commit_hook_fails_on_a_bad_config_and_passes_on_a_good_one() {
    let venv = tempfile::tempdir().unwrap();
    let works = Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv.path().join("probe"))
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        works,
        "\n!!!!!!!! `python3 -m venv` does not work here: the pre-commit hook cannot be tested. \
         Install python3 and python3-venv (apt-get install -y python3-venv) !!!!!!!!\n"
    );
    // With SKIP_INSTALL=1 the script installs nothing: without a pre-commit on PATH the hook
    // cannot be run. That fails CI and is said loudly elsewhere (a user's clone).
    let installs_nothing = std::env::var("SKIP_INSTALL").is_ok_and(|v| v == "1");
    let has_pre_commit = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if installs_nothing && !has_pre_commit {
        let message = "!!! SKIP_INSTALL=1 and no pre-commit on PATH: the pre-commit hook was not run \
                       (pip install 'pre-commit>=3,<5', or run scripts/test without SKIP_INSTALL) !!!";
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "{message}");
        eprintln!("{message}");
        return;
    }
    run_script("test-pre-commit", script("test-pre-commit"));
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = script("test-html");
    command.arg(dir.path().join("checklist-report.png"));
    run_script("test-html", command);
    assert!(dir.path().join("checklist-report.png").metadata().unwrap().len() > 30_000);
}

/// The fenced blocks of a language in the README.
fn readme_blocks(language: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let fence = format!("```{language}\n");
    readme
        .split(&fence)
        .skip(1)
        .map(|rest| rest.split("\n```").next().unwrap().to_string())
        .collect()
}

/// Every `--flag` named in a text that belongs to `check` exists.
fn assert_flags_exist(text: &str) {
    let help = bin().args(["check", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let flag = regex_lite::Regex::new(r"redis-preflight (?:check|checklist)[^\n]*").unwrap();
    let name = regex_lite::Regex::new(r"--[a-z][a-z-]+").unwrap();
    let mut seen = 0;
    for line in flag.find_iter(text) {
        for m in name.find_iter(line.as_str()) {
            seen += 1;
            assert!(
                help.contains(m.as_str()),
                "README names `{}`, which `check` does not have",
                m.as_str()
            );
        }
    }
    assert!(seen > 0, "no flags found in {text}");
}

#[test]
fn readme_pre_commit_example_uses_the_real_hook() {
    let blocks: Vec<String> = readme_blocks("yaml")
        .into_iter()
        .filter(|b| b.contains("repo:") && b.contains("redis-preflight"))
        .collect();
    assert!(!blocks.is_empty(), "no pre-commit example in the README");
    let hooks: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap()).unwrap();
    let hook = &hooks[0];
    assert_eq!(hook["id"], "redis-preflight");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["pass_filenames"], true);
    let files = regex_lite::Regex::new(hook["files"].as_str().unwrap()).unwrap();
    for name in [
        "redis.conf",
        "deploy/redis-cache.conf",
        "sentinel.conf",
        "valkey.conf",
        ".env",
        "app/.env.production",
        "deploy/app.env",
    ] {
        assert!(files.is_match(name), "the hook should check {name}");
    }
    for name in ["README.md", "nginx.conf", "src/env.rs", "environment.yml"] {
        assert!(!files.is_match(name), "the hook should not check {name}");
    }
    for block in blocks {
        let config: serde_yaml::Value = serde_yaml::from_str(&block).unwrap_or_else(|e| panic!("{e}:\n{block}"));
        let repos = config["repos"]
            .as_sequence()
            .expect("a .pre-commit-config.yaml with `repos:`");
        let ids: Vec<&str> = repos
            .iter()
            .flat_map(|r| r["hooks"].as_sequence().unwrap().iter())
            .map(|h| h["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"redis-preflight"), "{block}");
    }
}

#[test]
fn readme_ci_examples_parse_and_name_real_flags() {
    let blocks = readme_blocks("yaml");
    let workflow = blocks
        .iter()
        .find(|b| b.contains("runs-on:"))
        .expect("a GitHub workflow example in the README");
    let parsed: serde_yaml::Value = serde_yaml::from_str(workflow).unwrap();
    let steps = parsed["jobs"].as_mapping().unwrap().values().next().unwrap()["steps"]
        .as_sequence()
        .unwrap()
        .clone();
    assert!(
        steps
            .iter()
            .any(|s| s["uses"].as_str().is_some_and(|u| u.contains("redis-preflight"))),
        "the workflow uses the action"
    );
    let gitlab = blocks
        .iter()
        .find(|b| b.contains("codequality"))
        .expect("a GitLab CI example in the README");
    let parsed: serde_yaml::Value = serde_yaml::from_str(gitlab).unwrap();
    assert!(parsed.as_mapping().unwrap().len() == 1);
    assert_flags_exist(gitlab);
    let shell = readme_blocks("sh").join("\n");
    assert_flags_exist(&shell);
    let with = steps
        .iter()
        .find_map(|s| s["with"]["args"].as_str())
        .expect("the workflow passes `args`");
    assert_flags_exist(&format!("redis-preflight check {with}"));
    // The action's inputs and its steps.
    let action: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(repo().join("action.yml")).unwrap()).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let text = serde_yaml::to_string(&action).unwrap();
    assert!(text.contains("github/codeql-action/upload-sarif"));
    assert!(text.contains("cargo install"));
    assert!(text.contains("--output \"sarif=$SARIF\""));
    for (key, _) in action["inputs"].as_mapping().unwrap() {
        let key = key.as_str().unwrap();
        if let Some(with) = steps
            .iter()
            .find(|s| s["uses"].as_str().is_some_and(|u| u.contains("redis-preflight")))
            .and_then(|s| s["with"].as_mapping())
        {
            for (used, _) in with {
                assert!(
                    action["inputs"].get(used.as_str().unwrap()).is_some(),
                    "the README passes an unknown input `{}`",
                    used.as_str().unwrap()
                );
            }
        }
        assert!(!key.is_empty());
    }
}
