//! Bad input must never crash redis-preflight: every case below exits 2 with one clear
//! `error: ...` line on stderr that names the offending file (or option value), and never
//! panics. Include cycles and syntax errors are not input errors: they are findings
//! (exit 1) pointing at the right place.

mod common;

use common::preflight;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;
use tempfile::TempDir;

/// Generous: every case here should finish in well under a second.
const TIMEOUT: Duration = Duration::from_secs(20);

fn tmp() -> TempDir {
    tempfile::Builder::new()
        .prefix("rp-bad-input-")
        .tempdir()
        .expect("temp dir")
}

/// `redis-preflight check --no-settings <args...>`, run in `cwd`.
fn check_in(cwd: &Path, args: &[&str]) -> Output {
    let mut cmd = preflight();
    cmd.current_dir(cwd)
        .arg("check")
        .arg("--no-settings")
        .args(args)
        .timeout(TIMEOUT);
    cmd.output().expect("run redis-preflight")
}

fn check(args: &[&str]) -> Output {
    check_in(&std::env::temp_dir(), args)
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit 2, no panic, nothing on stdout, and stderr is a single line `error: ...` that
/// contains every string in `mentions` (the file's path, or the bad option value).
#[track_caller]
fn assert_input_error(out: &Output, mentions: &[&str]) {
    assert_input_error_lines(out, mentions, true);
}

#[track_caller]
fn assert_input_error_lines(out: &Output, mentions: &[&str], one_line: bool) {
    let stderr = stderr_of(out);
    assert!(!stderr.contains("panicked"), "redis-preflight panicked:\n{stderr}");
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit 2 (input error), got {:?}\nstderr:\n{stderr}\nstdout:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
    let text = stderr.trim_end();
    assert!(
        text.starts_with("error: "),
        "stderr must start with `error: `, got:\n{stderr}"
    );
    if one_line {
        assert_eq!(
            text.lines().count(),
            1,
            "expected a one-line error message, got:\n{stderr}"
        );
    }
    for m in mentions {
        assert!(
            text.contains(m),
            "the error message should mention {m:?}, got:\n{stderr}"
        );
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

// ---------------------------------------------------------------------------------------------
// Files that are not config files
// ---------------------------------------------------------------------------------------------

#[test]
fn empty_file() {
    let dir = tmp();
    let f = dir.path().join("empty.conf");
    fs::write(&f, b"").unwrap();
    assert_input_error(&check(&[path_str(&f)]), &[path_str(&f)]);
}

/// Deterministic pseudo-random bytes (xorshift), with NULs guaranteed.
fn garbage(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    for i in (0..len).step_by(97) {
        out[i] = 0;
    }
    out
}

#[test]
fn binary_garbage_with_nuls() {
    let dir = tmp();
    let f = dir.path().join("garbage.conf");
    fs::write(&f, garbage(4096)).unwrap();
    assert_input_error(&check(&[path_str(&f)]), &[path_str(&f)]);
}

#[test]
fn binary_garbage_after_valid_lines() {
    // The NUL is deep inside an otherwise normal file.
    let dir = tmp();
    let f = dir.path().join("tail-garbage.conf");
    let mut content = b"port 6379\nmaxmemory 1gb\n".repeat(200);
    content.extend(garbage(512));
    fs::write(&f, content).unwrap();
    assert_input_error(&check(&[path_str(&f)]), &[path_str(&f)]);
}

#[test]
fn non_utf8_latin1_comment() {
    let dir = tmp();
    let f = dir.path().join("latin1.conf");
    // "# café" in Latin-1: é is the single byte 0xE9.
    fs::write(&f, b"port 6379\n# caf\xe9\nmaxmemory 1gb\n").unwrap();
    assert_input_error(&check(&[path_str(&f)]), &[path_str(&f)]);
}

#[test]
fn fifty_megabyte_file() {
    let dir = tmp();
    let f = dir.path().join("huge.conf");
    let line = format!("# {}\n", "x".repeat(1021)); // 1 KiB per line
    let mut content = String::with_capacity(50 * 1024 * 1024 + 16);
    content.push_str("port 6379\n");
    while content.len() < 50 * 1024 * 1024 {
        content.push_str(&line);
    }
    fs::write(&f, content).unwrap();
    assert_input_error(&check(&[path_str(&f)]), &[path_str(&f)]);
}

#[test]
fn ten_thousand_deep_include_chain() {
    let dir = tmp();
    let n = 10_000;
    for i in 0..n {
        let mut text = String::new();
        if i + 1 < n {
            text.push_str(&format!("include c{}.conf\n", i + 1));
        }
        text.push_str(&format!("# link {i}\n"));
        fs::write(dir.path().join(format!("c{i}.conf")), text).unwrap();
    }
    let first = dir.path().join("c0.conf");
    let out = check(&[path_str(&first)]);
    // The message names the file where the nesting limit was hit: one of the chain.
    assert_input_error(&out, &[path_str(dir.path())]);
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("64") || stderr.to_ascii_lowercase().contains("nest"),
        "the error should say the include nesting is too deep, got:\n{stderr}"
    );
}

#[test]
fn directory_as_config() {
    let dir = tmp();
    let d = dir.path().join("conf.d");
    fs::create_dir(&d).unwrap();
    assert_input_error(&check(&[path_str(&d)]), &[path_str(&d)]);
    // Also through --config.
    assert_input_error(&check(&["--config", path_str(&d)]), &[path_str(&d)]);
}

#[test]
fn missing_file() {
    let dir = tmp();
    let f = dir.path().join("does-not-exist.conf");
    assert_input_error(&check(&[path_str(&f)]), &[path_str(&f)]);
}

/// Tests run as root in CI, where `chmod 000` does not stop reading; a path whose parent is
/// a regular file can never be opened, by anyone (ENOTDIR), so it is the portable
/// "cannot read" case.
#[test]
fn unreadable_path_whose_parent_is_a_file() {
    let dir = tmp();
    let parent = dir.path().join("plain-file");
    fs::write(&parent, "port 6379\n").unwrap();
    let f = parent.join("redis.conf");
    assert_input_error(&check(&[path_str(&f)]), &[path_str(&f)]);
}

/// `chmod 000`: checked for real when it bites (not root); when the test runs with
/// CAP_DAC_OVERRIDE (root), the file stays readable, which this test says out loud and
/// then checks that the file is simply read and checked (no crash, exit 0 or 1).
#[test]
fn chmod_000_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp();
    let f = dir.path().join("secret.conf");
    fs::write(&f, "port 6379\n").unwrap();
    fs::set_permissions(&f, fs::Permissions::from_mode(0o000)).unwrap();
    let readable_anyway = fs::File::open(&f).is_ok();
    let out = check(&[path_str(&f)]);
    if readable_anyway {
        eprintln!(
            "NOTE: chmod 000 does not make a file unreadable here (running as root / with \
             CAP_DAC_OVERRIDE); unreadability is covered by \
             unreadable_path_whose_parent_is_a_file. Checking that the file is read normally."
        );
        let stderr = stderr_of(&out);
        assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "a readable chmod-000 file should be checked normally, got {:?}:\n{stderr}",
            out.status
        );
    } else {
        assert_input_error(&out, &[path_str(&f)]);
    }
    fs::set_permissions(&f, fs::Permissions::from_mode(0o600)).unwrap();
}

/// A FIFO is not a config file: nobody writes to it, so reading it would block forever.
#[test]
fn fifo_is_rejected_not_waited_on() {
    let dir = tmp();
    let f = dir.path().join("pipe.conf");
    let made = std::process::Command::new("mkfifo")
        .arg(&f)
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo failed");
    let limit = Duration::from_secs(5);
    let out = preflight()
        .args(["check", "--no-settings", path_str(&f)])
        .timeout(limit)
        .output()
        .expect("run redis-preflight");
    assert!(
        out.status.code().is_some(),
        "redis-preflight did not finish within {limit:?} on a FIFO (it blocks reading it): \
         {:?}\nstderr:\n{}",
        out.status,
        stderr_of(&out)
    );
    assert_input_error(&out, &[path_str(&f)]);
}

/// `/dev/zero` never ends: the 8 MB limit must bound the read itself, not only the size the
/// file system reports (0 for a device). The `ulimit -v` is only a safety net for this
/// machine: without a bounded read the process would eat all memory.
#[test]
fn endless_char_device_is_rejected_within_the_size_limit() {
    let mut cmd = assert_cmd::Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(common::bin())
        .args(["check", "--no-settings", "/dev/zero"])
        .timeout(TIMEOUT);
    let out = cmd.output().expect("run redis-preflight under sh");
    let stderr = stderr_of(&out);
    assert!(
        !stderr.to_ascii_lowercase().contains("out of memory") && !stderr.contains("memory allocation"),
        "redis-preflight read /dev/zero until it ran out of memory (the 8 MB limit is only \
         checked against the reported file size, not enforced while reading):\n{stderr}"
    );
    assert_input_error(&out, &["/dev/zero"]);
}

// ---------------------------------------------------------------------------------------------
// Environment and settings files
// ---------------------------------------------------------------------------------------------

#[test]
fn malformed_env_line_positional() {
    let dir = tmp();
    let f = dir.path().join("app.env");
    fs::write(&f, "REDIS_URL=redis://cache:6379/0\nTHIS IS NOT AN ASSIGNMENT\n").unwrap();
    assert_input_error(&check(&[path_str(&f)]), &[path_str(&f)]);
}

#[test]
fn malformed_env_line_via_env_file() {
    let dir = tmp();
    let f = dir.path().join(".env");
    fs::write(&f, "=no-name\n").unwrap();
    assert_input_error(&check(&["--env-file", path_str(&f)]), &[path_str(&f)]);
}

#[test]
fn malformed_settings_file_via_flag() {
    let dir = tmp();
    let conf = dir.path().join("redis.conf");
    fs::write(&conf, "port 6379\n").unwrap();
    let settings = dir.path().join("settings.toml");
    fs::write(&settings, "fail_on = \"high\nthis is [not toml\n").unwrap();
    let mut cmd = preflight();
    cmd.current_dir(dir.path())
        .args(["check", "--settings", path_str(&settings), path_str(&conf)])
        .timeout(TIMEOUT);
    assert_input_error(&cmd.output().unwrap(), &[path_str(&settings)]);
}

#[test]
fn malformed_settings_file_found_by_discovery() {
    // No --settings and no --no-settings: the nearest redis-preflight.toml is used.
    let dir = tmp();
    let conf = dir.path().join("redis.conf");
    fs::write(&conf, "port 6379\n").unwrap();
    fs::write(dir.path().join("redis-preflight.toml"), "[[[\n").unwrap();
    let mut cmd = preflight();
    cmd.current_dir(dir.path())
        .args(["check", path_str(&conf)])
        .timeout(TIMEOUT);
    assert_input_error(&cmd.output().unwrap(), &["redis-preflight.toml"]);
}

#[test]
fn settings_file_with_invalid_values() {
    // Valid TOML, invalid settings: still exit 2, `error:` first, the file named, no panic.
    // (Several problems may be listed, one per line, so this one is not held to one line.)
    let dir = tmp();
    let conf = dir.path().join("redis.conf");
    fs::write(&conf, "port 6379\n").unwrap();
    let settings = dir.path().join("settings.toml");
    fs::write(&settings, "fail_on = 42\nno_such_key = true\n").unwrap();
    let mut cmd = preflight();
    cmd.current_dir(dir.path())
        .args(["check", "--settings", path_str(&settings), path_str(&conf)])
        .timeout(TIMEOUT);
    assert_input_error_lines(&cmd.output().unwrap(), &[path_str(&settings)], false);
}

// ---------------------------------------------------------------------------------------------
// Bad options
// ---------------------------------------------------------------------------------------------

fn ok_conf(dir: &TempDir) -> PathBuf {
    let conf = dir.path().join("redis.conf");
    fs::write(&conf, "port 6379\n").unwrap();
    conf
}

#[test]
fn bad_redis_version() {
    let dir = tmp();
    let conf = ok_conf(&dir);
    let out = check(&["--redis-version", "banana", path_str(&conf)]);
    assert_input_error(&out, &["banana"]);
}

#[test]
fn bad_fail_on() {
    let dir = tmp();
    let conf = ok_conf(&dir);
    let out = check(&["--fail-on", "sometimes", path_str(&conf)]);
    assert_input_error(&out, &["sometimes"]);
}

#[test]
fn unknown_profile() {
    let dir = tmp();
    let conf = ok_conf(&dir);
    let out = check(&["--profile", "bare-metal-yolo", path_str(&conf)]);
    assert_input_error(&out, &["bare-metal-yolo"]);
}

#[test]
fn check_with_no_inputs() {
    let dir = tmp();
    let out = check_in(dir.path(), &[]);
    assert_input_error(&out, &[]);
}

// ---------------------------------------------------------------------------------------------
// Not input errors: findings at the right place
// ---------------------------------------------------------------------------------------------

fn findings(out: &Output) -> Vec<Value> {
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a JSON report ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr_of(out)
        )
    });
    report["findings"].as_array().expect("`findings` array").clone()
}

fn of_rule<'a>(findings: &'a [Value], rule: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["rule"] == rule).collect()
}

/// 1-based column of the first argument of a directive line (`include b.conf` → 9).
fn first_arg_column(line: &str) -> u64 {
    let directive_end = line
        .char_indices()
        .skip_while(|(_, c)| c.is_whitespace())
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .unwrap_or(line.len());
    let arg_start = line[directive_end..]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(i, _)| directive_end + i)
        .unwrap_or(line.len());
    line[..arg_start].chars().count() as u64 + 1
}

#[track_caller]
fn assert_points_at_include_line(finding: &Value, files: &[&Path]) {
    let loc = &finding["location"];
    let file = loc["file"]
        .as_str()
        .unwrap_or_else(|| panic!("the include-error finding has no location: {finding:#}"));
    let line = loc["line"].as_u64().expect("location.line") as usize;
    let column = loc["column"].as_u64().expect("location.column");
    let target = files
        .iter()
        .find(|p| Path::new(file).ends_with(p.file_name().unwrap()))
        .unwrap_or_else(|| panic!("location {file} is not one of the cycle's files: {finding:#}"));
    let text = fs::read_to_string(target).unwrap();
    let at = text
        .lines()
        .nth(line - 1)
        .unwrap_or_else(|| panic!("location line {line} is past the end of {file}: {finding:#}"));
    assert!(
        at.trim_start().to_ascii_lowercase().starts_with("include"),
        "the include-error finding should point at an `include` line, but {file}:{line} is \
         {at:?}: {finding:#}"
    );
    let indent = (at.len() - at.trim_start().len()) as u64;
    assert!(
        column == indent + 1 || column == first_arg_column(at),
        "column {column} points at neither the `include` directive nor its path in {at:?}"
    );
}

#[test]
fn include_cycle_is_a_finding_not_an_input_error() {
    let dir = tmp();
    let a = dir.path().join("a.conf");
    let b = dir.path().join("b.conf");
    fs::write(&a, "port 6379\nmaxmemory 1gb\ninclude b.conf\n").unwrap();
    fs::write(&b, "# b.conf\ninclude a.conf\n").unwrap();
    let out = check(&["--format", "json", "--redis-version", "7.0", path_str(&a)]);
    let stderr = stderr_of(&out);
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "an include cycle is a high finding (exit 1), not an input error; stderr:\n{stderr}"
    );
    let all = findings(&out);
    let errors = of_rule(&all, "config.include-error");
    assert!(
        !errors.is_empty(),
        "expected a config.include-error finding, got: {all:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|f| f["message"].as_str().unwrap_or("").contains("cycle")),
        "the include-error should say it is a cycle: {errors:#?}"
    );
    for f in errors {
        assert_points_at_include_line(f, &[&a, &b]);
    }
}

#[test]
fn self_include_is_a_finding_not_an_input_error() {
    let dir = tmp();
    let a = dir.path().join("self.conf");
    fs::write(&a, "port 6379\n\n  include self.conf\n").unwrap();
    let out = check(&["--format", "json", "--redis-version", "7.0", path_str(&a)]);
    let stderr = stderr_of(&out);
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    let all = findings(&out);
    let errors = of_rule(&all, "config.include-error");
    assert!(!errors.is_empty(), "expected config.include-error: {all:#?}");
    for f in errors {
        assert_points_at_include_line(f, &[&a]);
        assert_eq!(f["location"]["line"], 3, "{f:#}");
    }
}

#[test]
fn unterminated_quote_is_a_syntax_error_at_the_quote() {
    let dir = tmp();
    let f = dir.path().join("quote.conf");
    // Line 3, the opening quote is at column 13.
    fs::write(&f, "port 6379\n# a comment\nrequirepass \"abc\nmaxmemory 1gb\n").unwrap();
    let out = check(&["--format", "json", "--redis-version", "7.0", path_str(&f)]);
    let stderr = stderr_of(&out);
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    let all = findings(&out);
    let errors = of_rule(&all, "config.syntax-error");
    assert_eq!(errors.len(), 1, "expected exactly one config.syntax-error: {all:#?}");
    let loc = &errors[0]["location"];
    assert!(loc["file"].as_str().unwrap_or("").ends_with("quote.conf"), "{loc:#}");
    assert_eq!(loc["line"], 3, "wrong line: {:#}", errors[0]);
    assert_eq!(
        loc["column"], 13,
        "the column should point at the unbalanced opening quote: {:#}",
        errors[0]
    );
}

#[test]
fn unterminated_single_quote_in_an_included_file() {
    let dir = tmp();
    let main = dir.path().join("main.conf");
    let inc = dir.path().join("inc.conf");
    fs::write(&main, "port 6379\ninclude inc.conf\n").unwrap();
    fs::write(&inc, "maxmemory 1gb\n  masterauth 'secret\n").unwrap();
    let out = check(&["--format", "json", "--redis-version", "7.0", path_str(&main)]);
    let stderr = stderr_of(&out);
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    let all = findings(&out);
    let errors = of_rule(&all, "config.syntax-error");
    assert_eq!(errors.len(), 1, "{all:#?}");
    let loc = &errors[0]["location"];
    assert!(
        loc["file"].as_str().unwrap_or("").ends_with("inc.conf"),
        "the syntax error is in the included file: {loc:#}"
    );
    assert_eq!(loc["line"], 2, "{loc:#}");
    assert_eq!(loc["column"], 14, "{loc:#}");
    // The secret itself is never echoed.
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("'secret"),
        "the report echoes the (unterminated) password"
    );
}

/// `user alice ""` loads in redis-server (the empty rule is ignored); it used
/// to panic the parser (exit 101).
#[test]
fn an_empty_acl_rule_is_read_like_redis_server_does() {
    let dir = tmp();
    let conf = dir.path().join("redis.conf");
    fs::write(&conf, "user alice \"\"\n").unwrap();
    let out = check(&["--config", conf.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(!rules.iter().any(|r| r.starts_with("config.")), "{rules:?}");
}
