//! The README's "What it looks like" sample is the real output of its Quick-start
//! command: the lines before `...` are a contiguous run of the real output, the lines
//! after it are exactly its last lines, and the exit code is the one the README states.
//! When the human output changes, this test fails and says which README lines to update.

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).expect("README.md is readable")
}

/// The text of a `## ` section of the README, heading excluded.
fn section<'a>(readme: &'a str, heading: &str) -> &'a str {
    let start = readme
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("README has no `## {heading}` section"));
    let body = &readme[start + heading.len() + 5..];
    match body.find("\n## ") {
        Some(end) => &body[..end],
        None => body,
    }
}

/// The first fenced block of a language in a piece of the README.
fn first_block<'a>(text: &'a str, language: &str) -> &'a str {
    let fence = format!("```{language}\n");
    let start = text
        .find(&fence)
        .unwrap_or_else(|| panic!("no ```{language} block in:\n{text}"))
        + fence.len();
    let rest = &text[start..];
    let end = rest
        .find("```")
        .unwrap_or_else(|| panic!("unclosed ```{language} block"));
    &rest[..end]
}

/// The Quick-start command's arguments (after `cargo run --release --`) and the exit
/// code the Quick-start text states ("it exits N").
fn quick_start() -> (Vec<String>, i32) {
    let readme = readme();
    let quick = section(&readme, "Quick start");
    let command = first_block(quick, "sh")
        .lines()
        .find_map(|line| line.trim().strip_prefix("cargo run --release -- "))
        .expect("the Quick start runs `cargo run --release -- ...`");
    let args = command.split_whitespace().map(str::to_string).collect();
    let prose = quick.split_whitespace().collect::<Vec<_>>().join(" ");
    let code = prose
        .split("it exits ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse().ok())
        .expect("the Quick start says which code the example exits with (`it exits N`)");
    (args, code)
}

/// Lines with trailing whitespace trimmed and trailing blank lines dropped.
fn normalised(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// The nearest settings file `check` discovers from `dir` upward, if any.
fn discovered_settings(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join("redis-preflight.toml"))
        .find(|candidate| candidate.is_file())
}

/// Where `part` matches `output` best when laid over `output[start..]`: the start with
/// the most equal lines (the first such start), and that count.
fn best_alignment(part: &[String], output: &[String]) -> (usize, usize) {
    let last_start = output.len().saturating_sub(part.len());
    (0..=last_start)
        .map(|start| {
            let equal = part.iter().zip(&output[start..]).filter(|(a, b)| a == b).count();
            (start, equal)
        })
        .fold(
            (0, 0),
            |best, candidate| if candidate.1 > best.1 { candidate } else { best },
        )
}

/// A diff-like listing of `part` (from the README) laid over `output[start..]`:
/// `  ` equal, `-` the README's line, `+` the real line at that position.
fn listing(part: &[String], output: &[String], start: usize) -> String {
    let mut out = String::new();
    for (i, readme_line) in part.iter().enumerate() {
        let number = start + i + 1;
        match output.get(start + i) {
            Some(real) if real == readme_line => out.push_str(&format!("  {number:>3} | {real}\n")),
            Some(real) => {
                out.push_str(&format!("- {number:>3} | {readme_line}    <- README\n"));
                out.push_str(&format!("+ {number:>3} | {real}    <- real output\n"));
            }
            None => out.push_str(&format!(
                "- {number:>3} | {readme_line}    <- README (past the end of the output)\n"
            )),
        }
    }
    out
}

#[test]
fn readme_sample_output_is_the_real_output_of_the_quick_start_command() {
    let (args, expected_code) = quick_start();
    let readme = readme();
    let block = first_block(section(&readme, "What it looks like"), "text");
    let block = normalised(block);
    let (head, tail) = match block.iter().position(|l| l.trim() == "...") {
        Some(dots) => (block[..dots].to_vec(), block[dots + 1..].to_vec()),
        None => (block.clone(), Vec::new()),
    };
    let elided = head.len() != block.len();

    // The README's command as a user runs it: from the repository root, picking up
    // whatever redis-preflight.toml it would pick up (none in this repository), with
    // colour off (`--color never`, NO_COLOR) because the README shows plain text.
    // miette wraps at a fixed width (100 columns) whatever the terminal; COLUMNS is
    // pinned anyway so a terminal-dependent width could not make this test flaky.
    let mut command = assert_cmd::Command::cargo_bin("redis-preflight").expect("binary is built");
    for (name, _) in std::env::vars() {
        if name.starts_with("REDIS_") || name.starts_with("CACHE_TTL_") {
            command.env_remove(name);
        }
    }
    let output = command
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .args(&args)
        .args(["--color", "never"])
        .output()
        .expect("run redis-preflight");
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let real = normalised(&stdout);

    let settings_note = match discovered_settings(&repo()) {
        Some(path) => format!("\n(note: the run picked up the settings file {})", path.display()),
        None => String::new(),
    };
    let command_line = format!("redis-preflight {} --color never", args.join(" "));
    let update = "Update the ```text block under \"## What it looks like\" in README.md to the real output";

    let mut problems = Vec::new();
    let (head_start, head_equal) = best_alignment(&head, &real);
    if head_equal != head.len() || (!elided && real.len() != head.len()) {
        problems.push(format!(
            "The README lines {} must be {} of the real output; best match starts at real line {}:\n{}",
            if elided { "before `...`" } else { "of the block" },
            if elided { "a contiguous run" } else { "all" },
            head_start + 1,
            listing(&head, &real, head_start)
        ));
    }
    let tail_start = real.len().saturating_sub(tail.len());
    if real.len() < tail.len() || real[tail_start..] != tail[..] {
        problems.push(format!(
            "The README lines after `...` must be exactly the last {} lines of the real output:\n{}",
            tail.len(),
            listing(&tail, &real, tail_start)
        ));
    }
    let numbered: String = real
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{:>5} | {l}\n", i + 1))
        .collect();
    assert!(
        problems.is_empty(),
        "The README's sample output no longer matches `{command_line}` (run from the repository root).\n\
         {update}.{settings_note}\n\n{}\n\
         README block:\n{}\n\nReal output ({} lines):\n{numbered}\nstderr:\n{stderr}",
        problems.join("\n"),
        block.join("\n"),
        real.len(),
    );
    assert_eq!(
        output.status.code(),
        Some(expected_code),
        "The README says `{command_line}` exits {expected_code}; it exited {:?}.{settings_note}\n\
         Real output:\n{numbered}\nstderr:\n{stderr}",
        output.status.code(),
    );
}
