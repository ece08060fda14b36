//! Differential test: does redis-preflight's "redis-server would refuse to start" verdict
//! agree with the real `redis-server` installed on this machine?
//!
//! For every case (a config file, plus any files it includes):
//!
//! * **redis-preflight verdict**: `check --no-settings --format json --redis-version <installed
//!   line> --fail-on none [--sentinel]`; "refuse" = at least one finding whose rule is one of
//!   [`REFUSAL_RULES`], else "accept". Any other exit code is a harness error (a disagreement).
//! * **redis-server verdict**: the files are copied into a fresh temp dir (also the server's
//!   cwd, so relative `include`s resolve the same way for both tools) and the server is started
//!   as `redis-server <copy> [--sentinel] --port <free> --bind 127.0.0.1 --dir <tmp>
//!   --daemonize no --logfile "" --save "" --appendonly no --unixsocket <tmp>/probe.sock`.
//!   Command-line options are appended *after* the file's text, so every error in the file is
//!   still hit first. "accept" = it answers PING on the unix socket (or logs that it is ready)
//!   within [`READY_LIMIT`]; "refuse" = it exits first with `*** FATAL CONFIG FILE ERROR`,
//!   `can't open config file` (a missing include) or any other non-environmental reason, or
//!   dies from a signal (redis 7.0 recurses until it crashes on an include cycle).
//!   Refusals whose reason is the environment, not the file (the named reasons of
//!   [`ENVIRONMENT`]: a `dir`, TLS, ACL or module file that does not exist here, a log file
//!   that cannot be opened, a port in use), and servers that neither become ready nor exit in
//!   time, are **excluded** and printed with their reason; they never count as agreement.
//!   Fewer compared cases than [`MUTATION_FLOOR`] / [`CORPUS_FLOOR`], or more than
//!   [`MAX_EXCLUDED_PERCENT`] % of a group excluded (not counting a corpus file whose
//!   neutralised variant was compared), fails the test: it cannot pass by comparing nothing.
//!   Each server runs in its own network namespace (`unshare -n`, or `-rn` unprivileged) when
//!   available, so a `replicaof`/`sentinel monitor` line can never reach another Redis on this
//!   host (one runs on 6379). Without namespaces, `--replicaof no one` is appended and
//!   sentinel cases are excluded.
//!
//! Cases: mutations (appended lines, extra include files, CRLF, a BOM) of an inline
//! hand-written base config and of the official `redis-7.0.conf`, sentinel mutations of an
//! inline sentinel config and of `sentinel-7.0.conf`, and the shared corpus
//! (`../shared/corpus` or `$REDIS_PREFLIGHT_CORPUS`): every official redis/sentinel/valkey
//! config, the 7.2 test-suite assets, every real-world `*.conf`. A corpus case whose file
//! depends on this machine's environment (absolute `dir`, `logfile`, `aclfile`, `loadmodule`,
//! absolute `include`s of sibling files, TLS) also gets a "[neutralised]" variant in which
//! those lines point into the temp dir (and TLS listeners are switched off on the command
//! line); both tools check that same variant.
//!
//! The table and the agreement rate are printed to stdout (`cargo test --test differential
//! -- --nocapture`). The test asserts 100 % agreement on the mutations and on the corpus.
//! A missing corpus prints `MISSING CORPUS: ...` and fails only under `CI=true`
//! (unless `REDIS_PREFLIGHT_ALLOW_MISSING_CORPUS=1`); the inline mutations always run.

mod common;

use common::REFUSAL_RULES;
#[path = "differential/handwritten.rs"]
mod handwritten;

use common::{
    bin, corpus_dir, free_port, isolation, missing_corpus_allowed, redis_server_line, redis_server_version, Isolation,
    RedisServer, Startup,
};
use handwritten::{apply, m, standalone_mutations, Mutation, MINI_BASE};
use serde_json::Value;
use std::collections::VecDeque;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a server may take to become ready before the case is excluded.
const READY_LIMIT: Duration = Duration::from_secs(5);

/// Fewer compared mutations than this fails the test (85 without the corpus's base configs).
const MUTATION_FLOOR: usize = 80;

/// Fewer compared corpus cases than this fails the test when the corpus is present (62 of 70
/// today).
const CORPUS_FLOOR: usize = 50;

/// At most this share of a group's cases may be excluded (a corpus case whose neutralised
/// variant was compared is not counted).
const MAX_EXCLUDED_PERCENT: f64 = 3.0;

/// Worker threads (the CI machine has 2 cores; servers mostly wait).
const WORKERS: usize = 2;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Group {
    Mutation,
    Corpus,
}

impl Group {
    fn label(self) -> &'static str {
        match self {
            Group::Mutation => "mutation",
            Group::Corpus => "corpus",
        }
    }
}

#[derive(Clone, Debug)]
struct Case {
    group: Group,
    name: String,
    /// Files written into the case's temp dir (name relative to it, content). The first
    /// one is the config given to both tools.
    files: Vec<(String, Vec<u8>)>,
    /// Replace `{TMP}` in the files with the temp dir's path.
    template: bool,
    sentinel: bool,
    /// redis-server options appended after the standard ones.
    extra_args: Vec<String>,
}

#[derive(Clone, Debug)]
enum Preflight {
    Accept,
    /// Summary of the first refusal finding, and the lines of all of them.
    Refuse(String, Vec<u64>),
    Error(String),
}

#[derive(Clone, Debug)]
enum Server {
    Accept,
    Refuse(String),
    Excluded(String),
}

struct Outcome {
    case: Case,
    preflight: Preflight,
    server: Server,
}

impl Outcome {
    fn excluded(&self) -> bool {
        matches!(self.server, Server::Excluded(_))
    }

    fn agrees(&self) -> bool {
        matches!(
            (&self.preflight, &self.server),
            (Preflight::Accept, Server::Accept) | (Preflight::Refuse(..), Server::Refuse(_))
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

/// The hand-written sentinel base config.
const SENTINEL_BASE: &str = "\
# redis-preflight differential test: hand-written sentinel base config
port 26379
daemonize no
sentinel monitor mymaster 127.0.0.1 6379 2
sentinel down-after-milliseconds mymaster 30000
sentinel failover-timeout mymaster 180000
sentinel parallel-syncs mymaster 1
";

/// Sentinel mutations, applied to the inline sentinel base and `sentinel-7.0.conf`.
fn sentinel_mutations() -> Vec<Mutation> {
    vec![
        m("unmodified sentinel base", ""),
        m("quorum 0", "sentinel monitor other 127.0.0.1 6380 0"),
        m("monitor port out of range", "sentinel monitor other 127.0.0.1 70000 2"),
        m("unknown master name", "sentinel down-after-milliseconds nosuch 1000"),
        m("unknown sentinel option", "sentinel can-failover mymaster yes"),
        m("upper-case SENTINEL", "SENTINEL resolve-hostnames yes"),
        m("auth-pass", "sentinel auth-pass mymaster \"a-long-sentinel-password\""),
        m("unknown directive in sentinel", "maxmemroy 1gb"),
        m("port out of range in sentinel", "port 70000"),
    ]
}

fn mutation_cases(bases: &[(&str, String)], mutations: &[Mutation], sentinel: bool) -> Vec<Case> {
    let mut cases = Vec::new();
    for (base_name, base) in bases {
        for mutation in mutations {
            let mut files = vec![("redis.conf".to_string(), apply(base, mutation).into_bytes())];
            for (name, content) in mutation.extra {
                files.push((name.to_string(), content.as_bytes().to_vec()));
            }
            cases.push(Case {
                group: Group::Mutation,
                name: format!("{base_name} + {}", mutation.name),
                files,
                template: true,
                sentinel,
                extra_args: Vec::new(),
            });
        }
    }
    cases
}

// ---------------------------------------------------------------------------------------------
// Corpus
// ---------------------------------------------------------------------------------------------

fn is_sentinel_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.to_ascii_lowercase().contains("sentinel"))
}

fn first_token(line: &str) -> String {
    line.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c| c == '"' || c == '\'')
        .to_ascii_lowercase()
}

/// Does this config need its sibling files (includes, ACL files)?
fn needs_siblings(text: &str) -> bool {
    text.lines()
        .any(|l| matches!(first_token(l).as_str(), "include" | "aclfile"))
}

fn corpus_case(path: &Path, name: String) -> std::io::Result<Case> {
    let main_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("redis.conf")
        .to_string();
    let content = std::fs::read(path)?;
    let mut files = vec![(main_name.clone(), content.clone())];
    if needs_siblings(&String::from_utf8_lossy(&content)) {
        if let Some(dir) = path.parent() {
            let mut siblings: Vec<PathBuf> = std::fs::read_dir(dir)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p != path)
                .collect();
            siblings.sort();
            for s in siblings {
                let n = s.file_name().unwrap().to_string_lossy().into_owned();
                files.push((n, std::fs::read(&s)?));
            }
        }
    }
    Ok(Case {
        group: Group::Corpus,
        name,
        files,
        template: false,
        sentinel: is_sentinel_name(path),
        extra_args: Vec::new(),
    })
}

/// The "[neutralised]" variant of a corpus case: lines that depend on this machine point into
/// the temp dir instead. `None` when nothing in the case does. Only what would fail here is
/// rewritten: an absolute `dir` that does not exist, an absolute `logfile`, an `aclfile` or
/// `loadmodule` file that does not exist, an absolute `include` of a file that does not exist
/// but is one of the case's own files; TLS listeners (which need certificate files) are
/// switched off on the command line.
fn neutralised(case: &Case) -> Option<Case> {
    let names: Vec<String> = case.files.iter().map(|(n, _)| n.clone()).collect();
    let mut changed = false;
    let mut tls = false;
    let mut files = Vec::new();
    let mut need_acl = false;
    for (name, content) in &case.files {
        let text = match std::str::from_utf8(content) {
            Ok(text) if name.ends_with(".conf") => text,
            _ => {
                files.push((name.clone(), content.clone()));
                continue;
            }
        };
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let body = line.trim_end_matches(['\r', '\n']);
            let ending = &line[body.len()..];
            let token = first_token(body);
            let arg = body
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .trim_matches(|c| c == '"' || c == '\'');
            let absolute = arg.starts_with('/');
            let exists = Path::new(arg).exists();
            let replacement = match token.as_str() {
                "dir" if absolute && !Path::new(arg).is_dir() => Some("dir \"{TMP}\"".to_string()),
                "logfile" if absolute => Some("logfile \"\"".to_string()),
                "aclfile" if !exists => {
                    need_acl = true;
                    Some("aclfile \"{TMP}/neutralised.acl\"".to_string())
                }
                "loadmodule" if !exists => Some(format!("# neutralised: {body}")),
                "include" if absolute && !exists => {
                    let base = Path::new(arg)
                        .file_name()
                        .map(|b| b.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    names.contains(&base).then(|| format!("include \"{{TMP}}/{base}\""))
                }
                "tls-port" if arg != "0" => {
                    tls = true;
                    None
                }
                "tls-replication" | "tls-cluster" if arg.eq_ignore_ascii_case("yes") => {
                    tls = true;
                    None
                }
                _ => None,
            };
            match replacement {
                Some(r) => {
                    changed = true;
                    out.push_str(&r);
                }
                None => out.push_str(body),
            }
            out.push_str(ending);
        }
        files.push((name.clone(), out.into_bytes()));
    }
    if need_acl {
        files.push(("neutralised.acl".to_string(), Vec::new()));
    }
    if !changed && !tls {
        return None;
    }
    let extra_args = if tls {
        ["--tls-port", "0", "--tls-replication", "no", "--tls-cluster", "no"]
            .iter()
            .map(|a| a.to_string())
            .collect()
    } else {
        Vec::new()
    };
    Some(Case {
        group: Group::Corpus,
        name: format!("{} [neutralised]", case.name),
        files,
        template: true,
        sentinel: case.sentinel,
        extra_args,
    })
}

fn conf_files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            conf_files_under(&p, out);
        } else if p.extension().is_some_and(|e| e == "conf") {
            out.push(p);
        }
    }
}

/// Corpus cases, and the list of expected corpus files that are missing.
fn corpus_cases() -> (Vec<Case>, Vec<String>) {
    let root = corpus_dir();
    let mut missing = Vec::new();
    let mut paths: Vec<(PathBuf, String)> = Vec::new();
    let official = root.join("official");
    for required in [
        "redis-7.0.conf",
        "sentinel-7.0.conf",
        "tests-assets-7.2/default.conf",
        "tests-assets-7.2/minimal.conf",
    ] {
        if !official.join(required).is_file() {
            missing.push(official.join(required).display().to_string());
        }
    }
    if let Ok(entries) = std::fs::read_dir(&official) {
        let mut names: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension().is_some_and(|e| e == "conf")
                    && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        n.starts_with("redis-") || n.starts_with("sentinel-") || n.starts_with("valkey-")
                    })
            })
            .collect();
        names.sort();
        for p in names {
            let n = format!("official/{}", p.file_name().unwrap().to_string_lossy());
            paths.push((p, n));
        }
    }
    for asset in ["default.conf", "minimal.conf"] {
        let p = official.join("tests-assets-7.2").join(asset);
        if p.is_file() {
            paths.push((p, format!("official/tests-assets-7.2/{asset}")));
        }
    }
    let realworld = root.join("realworld");
    let mut rw = Vec::new();
    conf_files_under(&realworld, &mut rw);
    if rw.is_empty() {
        missing.push(format!("{}/**/*.conf", realworld.display()));
    }
    for p in rw {
        let rel = p.strip_prefix(&root).unwrap_or(&p).display().to_string();
        paths.push((p, rel));
    }
    let mut cases = Vec::new();
    for (p, name) in paths {
        match corpus_case(&p, name) {
            Ok(case) => {
                let variant = neutralised(&case);
                cases.push(case);
                cases.extend(variant);
            }
            Err(e) => missing.push(format!("{} ({e})", p.display())),
        }
    }
    (cases, missing)
}

// ---------------------------------------------------------------------------------------------
// Running one case
// ---------------------------------------------------------------------------------------------

fn short(s: &str, max: usize) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.chars().count() <= max {
        s
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn run_preflight(config: &Path, workdir: &Path, sentinel: bool, line: &str) -> Preflight {
    let mut cmd = Command::new(bin());
    cmd.args([
        "check",
        "--no-settings",
        "--format",
        "json",
        "--redis-version",
        line,
        "--fail-on",
        "none",
    ]);
    if sentinel {
        cmd.arg("--sentinel");
    }
    cmd.arg(config).current_dir(workdir);
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) => return Preflight::Error(format!("could not run redis-preflight: {e}")),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("panicked") {
        return Preflight::Error(format!("PANIC: {}", short(&stderr, 200)));
    }
    if out.status.code() != Some(0) {
        return Preflight::Error(format!("exit {:?}: {}", out.status.code(), short(stderr.trim(), 160)));
    }
    let report: Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(e) => return Preflight::Error(format!("stdout is not JSON: {e}")),
    };
    let Some(findings) = report.get("findings").and_then(Value::as_array) else {
        return Preflight::Error("report has no `findings` array".to_string());
    };
    let refusing: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f.get("rule")
                .and_then(Value::as_str)
                .is_some_and(|r| REFUSAL_RULES.contains(&r))
        })
        .collect();
    let lines: Vec<u64> = refusing
        .iter()
        .filter_map(|f| f.pointer("/location/line").and_then(Value::as_u64))
        .collect();
    let refusals: Vec<String> = refusing
        .iter()
        .map(|f| {
            let rule = f.get("rule").and_then(Value::as_str).unwrap_or("?");
            let loc = f
                .get("location")
                .map(|l| {
                    let file = l
                        .get("file")
                        .and_then(Value::as_str)
                        .map(|p| {
                            Path::new(p)
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_default()
                        })
                        .unwrap_or_default();
                    format!(" @{file}:{}", l.get("line").and_then(Value::as_u64).unwrap_or(0))
                })
                .unwrap_or_default();
            let msg = f.get("message").and_then(Value::as_str).unwrap_or("");
            format!("{rule}{loc}: {msg}")
        })
        .collect();
    if refusals.is_empty() {
        Preflight::Accept
    } else {
        let more = if refusals.len() > 1 {
            format!(" (+{} more)", refusals.len() - 1)
        } else {
            String::new()
        };
        Preflight::Refuse(format!("{}{more}", refusals[0]), lines)
    }
}

/// Strips redis's `pid:role dd Mon yyyy hh:mm:ss.mmm # ` log prefix.
fn log_message(line: &str) -> &str {
    for marker in [" # ", " * ", " - ", " . "] {
        if let Some(i) = line.find(marker) {
            if line[..i].contains(':') {
                return &line[i + marker.len()..];
            }
        }
    }
    line
}

/// Startup failures that are about this machine, not about the config file: a piece of the
/// server's message, and the reason printed for the exclusion. Only these (and a server that
/// could not be started or neither became ready nor exited in time) exclude a case; anything
/// else the server says when it stops is a refusal.
/// Each entry: what the message says, what it must also say ("" = nothing), the reason.
const ENVIRONMENT: [(&str, &str, &str); 8] = [
    (
        "Failed to load certificate",
        "No such file or directory",
        "a TLS certificate file the config names does not exist here",
    ),
    (
        "Failed to load private key",
        "No such file or directory",
        "a TLS key file the config names does not exist here",
    ),
    (
        "Failed to load CA",
        "No such file or directory",
        "a TLS CA file the config names does not exist here",
    ),
    (
        "cannot open shared object file",
        "",
        "a module file the config loads does not exist here",
    ),
    (
        "Error loading ACLs, opening file",
        "No such file or directory",
        "the `aclfile` the config names does not exist here",
    ),
    (
        "Can't open the log file",
        "",
        "the `logfile` the config names cannot be opened here",
    ),
    ("Can't chdir to", "", "the `dir` the config names does not exist here"),
    ("Address already in use", "", "the port is in use on this machine"),
];

/// The named environmental reason of a server message, if it is one.
fn environmental(message: &str) -> Option<&'static str> {
    ENVIRONMENT
        .iter()
        .find(|(needle, also, _)| message.contains(needle) && message.contains(also))
        .map(|(_, _, reason)| *reason)
}

/// Classifies a server that exited before becoming ready.
fn classify_exit(status: std::process::ExitStatus, stdout: &str, stderr: &str) -> Server {
    let all = format!("{stderr}\n{stdout}");
    if let Some(i) = all.find("*** FATAL CONFIG FILE ERROR") {
        let lines: Vec<&str> = all[i..].lines().map(str::trim).collect();
        let at = lines
            .iter()
            .find(|l| l.starts_with("Reading the configuration file"))
            .copied()
            .unwrap_or("");
        let at = at.trim_start_matches("Reading the configuration file, ");
        let pos = lines.iter().position(|l| l.starts_with(">>>"));
        let offending = pos.map(|p| lines[p]).unwrap_or(">>> ?");
        let why = pos
            .and_then(|p| lines.get(p + 1))
            .copied()
            .unwrap_or("(no reason printed)");
        let reason = format!("FATAL CONFIG FILE ERROR {at}: {offending} — {why}");
        // `dir` changes directory while the file is read: a directory missing here stops it.
        let missing_dir = offending.starts_with(">>> 'dir ") && why.contains("No such file or directory");
        return match environmental(why) {
            Some(named) => Server::Excluded(format!("environment: {named}: {reason}")),
            None if missing_dir => Server::Excluded(format!(
                "environment: the `dir` the config names does not exist here: {reason}"
            )),
            None => Server::Refuse(reason),
        };
    }
    if let Some(sig) = status.signal() {
        return Server::Refuse(format!(
            "killed by signal {sig} before becoming ready (crashed while loading the config)"
        ));
    }
    let messages: Vec<&str> = all
        .lines()
        .map(|l| log_message(l.trim()))
        .filter(|l| !l.is_empty())
        .collect();
    if let Some(l) = messages.iter().find(|l| l.contains("can't open config file")) {
        return Server::Refuse(l.to_string());
    }
    // An environmental message among the last ones is what stopped it (earlier ones may be
    // warnings, such as "Failed to resolve hostname").
    let last_two = &messages[messages.len().saturating_sub(2)..];
    if let Some((named, message)) = last_two.iter().find_map(|m| environmental(m).map(|n| (n, m))) {
        return Server::Excluded(format!("environment: {named}: {message}"));
    }
    if let Some(l) = messages
        .iter()
        .find(|l| l.contains("Aborting Redis startup because of ACL errors"))
    {
        return Server::Refuse(l.to_string());
    }
    let meaningful: Vec<&str> = messages
        .iter()
        .filter(|l| {
            !l.contains("oO0OoO0OoO0Oo")
                && !l.starts_with("Redis version=")
                && !l.starts_with("Configuration loaded")
                && !l.starts_with("WARNING")
        })
        .copied()
        .collect();
    let last = match meaningful.len() {
        0 => "(no output)".to_string(),
        1 => meaningful[0].to_string(),
        n => format!("{} / {}", meaningful[n - 2], meaningful[n - 1]),
    };
    Server::Refuse(format!("exited ({status}) before ready: {last}"))
}

fn run_server(case: &Case, workdir: &Path, config: &Path) -> Server {
    if case.sentinel && *isolation() == Isolation::None {
        return Server::Excluded(
            "no network namespace (unshare) here: a sentinel would connect to the Redis on \
             this host"
                .to_string(),
        );
    }
    let socket = workdir.join("probe.sock");
    let mut attempt = 0;
    loop {
        attempt += 1;
        let port = free_port();
        let mut args: Vec<String> = Vec::new();
        if case.sentinel {
            args.push("--sentinel".into());
        }
        for a in [
            "--port".to_string(),
            port.to_string(),
            "--bind".into(),
            "127.0.0.1".into(),
            "--dir".into(),
            workdir.display().to_string(),
            "--daemonize".into(),
            "no".into(),
            "--logfile".into(),
            String::new(),
            "--save".into(),
            String::new(),
            "--appendonly".into(),
            "no".into(),
            "--unixsocket".into(),
            socket.display().to_string(),
            "--unixsocketperm".into(),
            "700".into(),
        ] {
            args.push(a);
        }
        if *isolation() == Isolation::None && !case.sentinel {
            args.extend(["--replicaof".into(), "no".into(), "one".into()]);
        }
        args.extend(case.extra_args.iter().cloned());
        let mut server = match RedisServer::spawn(workdir, config, &args, &socket, port) {
            Ok(s) => s,
            Err(e) => return Server::Excluded(format!("could not start redis-server: {e}")),
        };
        let verdict = match server.wait_ready(READY_LIMIT) {
            Startup::Ready => Server::Accept,
            Startup::Exited(status) => classify_exit(status, &server.stdout(), &server.stderr()),
            Startup::TimedOut => {
                Server::Excluded(format!("neither ready nor exited within {} s", READY_LIMIT.as_secs()))
            }
        };
        server.stop();
        match &verdict {
            Server::Excluded(r) if r.contains("already in use") && attempt < 3 => continue,
            _ => return verdict,
        }
    }
}

fn run_case(case: Case, line: &str) -> Outcome {
    let tmp = tempfile::Builder::new()
        .prefix("rp-diff-")
        .tempdir()
        .expect("create temp dir");
    let dir = tmp.path().to_path_buf();
    let dir_str = dir.display().to_string();
    for (name, content) in &case.files {
        let content = match std::str::from_utf8(content) {
            Ok(text) if case.template => text.replace("{TMP}", &dir_str).into_bytes(),
            _ => content.clone(),
        };
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(&path, content).expect("write case file");
    }
    let config = dir.join(&case.files[0].0);
    // Preflight first: a sentinel rewrites its config file when it starts.
    let preflight = run_preflight(&config, &dir, case.sentinel, line);
    let server = run_server(&case, &dir, &config);
    Outcome {
        case,
        preflight,
        server,
    }
}

fn run_all(cases: Vec<Case>, line: &str) -> Vec<Outcome> {
    let total = cases.len();
    let queue: Arc<Mutex<VecDeque<(usize, Case)>>> = Arc::new(Mutex::new(cases.into_iter().enumerate().collect()));
    let results: Arc<Mutex<Vec<Option<Outcome>>>> = Arc::new(Mutex::new((0..total).map(|_| None).collect()));
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            let queue = Arc::clone(&queue);
            let results = Arc::clone(&results);
            s.spawn(move || loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
                let Some((i, case)) = next else { break };
                let outcome = run_case(case, line);
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(outcome);
            });
        }
    });
    let results = Arc::try_unwrap(results)
        .ok()
        .expect("workers finished")
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    results.into_iter().map(|o| o.expect("every case ran")).collect()
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

fn preflight_cell(p: &Preflight) -> (&'static str, String) {
    match p {
        Preflight::Accept => ("accept", String::new()),
        Preflight::Refuse(r, _) => ("refuse", r.clone()),
        Preflight::Error(e) => ("ERROR", e.clone()),
    }
}

fn server_cell(s: &Server) -> (&'static str, String) {
    match s {
        Server::Accept => ("accept", "ready".to_string()),
        Server::Refuse(r) => ("refuse", r.clone()),
        Server::Excluded(r) => ("excluded", r.clone()),
    }
}

fn print_table(outcomes: &[Outcome]) {
    println!();
    println!(
        "{:<9} {:<66} {:<9} {:<9} {:<5} reason (redis-server | redis-preflight)",
        "group", "case", "preflight", "server", "agree"
    );
    println!("{}", "-".repeat(160));
    for o in outcomes {
        let (pv, pr) = preflight_cell(&o.preflight);
        let (sv, sr) = server_cell(&o.server);
        let agree = if o.excluded() {
            "-"
        } else if o.agrees() {
            "yes"
        } else {
            "NO"
        };
        let reason = if pr.is_empty() {
            short(&sr, 150)
        } else {
            format!("{} | {}", short(&sr, 110), short(&pr, 110))
        };
        println!(
            "{:<9} {:<66} {:<9} {:<9} {:<5} {}",
            o.case.group.label(),
            short(&o.case.name, 66),
            pv,
            sv,
            agree,
            reason
        );
    }
}

struct Tally {
    total: usize,
    excluded: usize,
    agreeing: usize,
}

fn tally(outcomes: &[Outcome], group: Group) -> Tally {
    let of_group: Vec<&Outcome> = outcomes.iter().filter(|o| o.case.group == group).collect();
    Tally {
        total: of_group.len(),
        excluded: of_group.iter().filter(|o| o.excluded()).count(),
        agreeing: of_group.iter().filter(|o| !o.excluded() && o.agrees()).count(),
    }
}

fn rate(t: &Tally) -> f64 {
    let compared = t.total - t.excluded;
    // Nothing compared is no agreement: the floors below fail the test then.
    if compared == 0 {
        0.0
    } else {
        100.0 * t.agreeing as f64 / compared as f64
    }
}

/// Was this excluded case's "[neutralised]" variant compared?
fn covered_by_variant(o: &Outcome, all: &[Outcome]) -> bool {
    let variant = format!("{} [neutralised]", o.case.name);
    all.iter().any(|v| v.case.name == variant && !v.excluded())
}

/// `N` from a `FATAL CONFIG FILE ERROR at line N: ...` reason.
fn fatal_line(reason: &str) -> Option<u64> {
    let rest = reason.strip_prefix("FATAL CONFIG FILE ERROR at line ")?;
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// Both refuse, but redis-preflight has no refusal finding at the line redis-server names.
fn line_mismatch(o: &Outcome) -> Option<String> {
    let (Preflight::Refuse(summary, lines), Server::Refuse(reason)) = (&o.preflight, &o.server) else {
        return None;
    };
    let n = fatal_line(reason)?;
    (!lines.contains(&n)).then(|| {
        format!(
            "  - {}: redis-server: {} | redis-preflight: {}",
            o.case.name,
            short(reason, 120),
            short(summary, 120)
        )
    })
}

fn describe_disagreement(o: &Outcome) -> String {
    let (pv, pr) = preflight_cell(&o.preflight);
    let (sv, sr) = server_cell(&o.server);
    let first_lines: String = String::from_utf8_lossy(&o.case.files[0].1)
        .lines()
        .rev()
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join(" ⏎ ");
    let tail = if o.case.group == Group::Mutation {
        format!("\n      config tail: {}", short(&first_lines, 160))
    } else {
        String::new()
    };
    format!(
        "  - [{}] {}\n      redis-preflight: {pv} {pr}\n      redis-server:    {sv} {sr}{tail}",
        o.case.group.label(),
        o.case.name
    )
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

#[test]
fn preflight_agrees_with_redis_server() {
    let started = Instant::now();
    let version = redis_server_version();
    let line = redis_server_line();
    println!("redis-server: {version}");
    println!("redis-preflight target: --redis-version {line}");
    if line != "7.0" {
        eprintln!(
            "NOTE: the installed redis-server is {line}, not 7.0: redis-preflight is checked \
             against --redis-version {line}."
        );
    }
    match isolation() {
        Isolation::NetNs(flags) => println!(
            "isolation: every redis-server runs in its own network namespace (unshare {})",
            flags.join(" ")
        ),
        Isolation::None => eprintln!(
            "NOTE: `unshare` cannot create a network namespace here: servers share the host \
             network; `--replicaof no one` is appended and sentinel cases are excluded."
        ),
    }

    let (corpus, missing) = corpus_cases();
    for m in &missing {
        eprintln!("MISSING CORPUS: {m}");
    }
    if !missing.is_empty() {
        eprintln!(
            "MISSING CORPUS: {} expected corpus file(s) not found under {} \
             (set REDIS_PREFLIGHT_CORPUS, or REDIS_PREFLIGHT_ALLOW_MISSING_CORPUS=1 to run only \
             the inline mutations)",
            missing.len(),
            corpus_dir().display()
        );
    }

    let official = corpus_dir().join("official");
    let mut standalone_bases: Vec<(&str, String)> = vec![("mini", MINI_BASE.to_string())];
    if let Ok(text) = std::fs::read_to_string(official.join("redis-7.0.conf")) {
        standalone_bases.push(("redis-7.0.conf", text));
    }
    let mut sentinel_bases: Vec<(&str, String)> = vec![("sentinel-mini", SENTINEL_BASE.to_string())];
    if let Ok(text) = std::fs::read_to_string(official.join("sentinel-7.0.conf")) {
        sentinel_bases.push(("sentinel-7.0.conf", text));
    }
    let mut cases = mutation_cases(&standalone_bases, &standalone_mutations(), false);
    cases.extend(mutation_cases(&sentinel_bases, &sentinel_mutations(), true));
    cases.extend(corpus);

    let outcomes = run_all(cases, &line);
    print_table(&outcomes);

    let mut failures = Vec::new();
    println!();
    for group in [Group::Mutation, Group::Corpus] {
        let t = tally(&outcomes, group);
        println!(
            "{:<9} cases {:>3}, excluded {:>3}, compared {:>3}, agreeing {:>3}: agreement {:.1} %",
            group.label(),
            t.total,
            t.excluded,
            t.total - t.excluded,
            t.agreeing,
            rate(&t)
        );
        let compared = t.total - t.excluded;
        let floor = match group {
            Group::Mutation => MUTATION_FLOOR,
            Group::Corpus if missing.is_empty() => CORPUS_FLOOR,
            Group::Corpus => 0,
        };
        if compared < floor {
            failures.push(format!(
                "only {compared} {} cases compared (at least {floor} required): the test must not pass by \
                 comparing nothing",
                group.label()
            ));
        }
        // An environment-dependent corpus file whose neutralised variant was compared is
        // still checked; every other exclusion counts against the cap.
        let uncovered = outcomes
            .iter()
            .filter(|o| o.case.group == group && o.excluded() && !covered_by_variant(o, &outcomes))
            .count();
        let uncovered_percent = if t.total == 0 {
            0.0
        } else {
            100.0 * uncovered as f64 / t.total as f64
        };
        if uncovered_percent > MAX_EXCLUDED_PERCENT {
            failures.push(format!(
                "{uncovered} {} cases ({uncovered_percent:.1} %) excluded without a compared neutralised \
                 variant (at most {MAX_EXCLUDED_PERCENT} %)",
                group.label()
            ));
        }
        let disagreements: Vec<String> = outcomes
            .iter()
            .filter(|o| o.case.group == group && !o.excluded() && !o.agrees())
            .map(describe_disagreement)
            .collect();
        if !disagreements.is_empty() {
            failures.push(format!(
                "{} {} disagreement(s) ({:.1} % agreement, 100 % required):\n{}",
                disagreements.len(),
                group.label(),
                rate(&t),
                disagreements.join("\n")
            ));
        }
    }
    let mismatches: Vec<String> = outcomes.iter().filter_map(line_mismatch).collect();
    if !mismatches.is_empty() {
        println!(
            "\nboth refuse, but redis-preflight reports no refusal at the line redis-server \
             names (informational, not asserted):"
        );
        for m in &mismatches {
            println!("{m}");
        }
    }
    let excluded: Vec<&Outcome> = outcomes.iter().filter(|o| o.excluded()).collect();
    if !excluded.is_empty() {
        println!("\nexcluded (not counted), each with its reason:");
        for o in excluded {
            let (_, r) = server_cell(&o.server);
            let covered = if covered_by_variant(o, &outcomes) {
                " [its neutralised variant was compared]"
            } else {
                ""
            };
            println!("  - {}{covered}: {}", o.case.name, short(&r, 200));
        }
    }
    println!("\nelapsed: {:.1} s", started.elapsed().as_secs_f64());

    if !missing.is_empty() && !missing_corpus_allowed() {
        failures.push(format!(
            "MISSING CORPUS: {} file(s) not found under {} (see stderr); set \
             REDIS_PREFLIGHT_ALLOW_MISSING_CORPUS=1 to accept running only the inline mutations",
            missing.len(),
            corpus_dir().display()
        ));
    }
    assert!(
        failures.is_empty(),
        "redis-preflight disagrees with redis-server {version}:\n{}",
        failures.join("\n\n")
    );
}
