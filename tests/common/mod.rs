//! Helpers shared by the integration tests (`mod common;`).
//!
//! - [`bin`] / [`preflight`]: the `redis-preflight` binary Cargo built for this test run.
//! - [`free_port`]: a TCP port nobody listens on (and, for cluster configs, port + 10000 too).
//! - [`RedisServer`]: a `redis-server` child process that is killed (and reaped) on drop,
//!   optionally inside its own network namespace so that it can never reach another
//!   Redis on this machine (a `replicaof 127.0.0.1 6379` or `sentinel monitor` line
//!   in a test config would otherwise connect to whatever runs on 6379).
//! - [`corpus_dir`]: where the shared config corpus lives (`../shared/corpus` next to the
//!   checkout, or `$REDIS_PREFLIGHT_CORPUS`).
#![allow(dead_code)]

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Path of the `redis-preflight` binary under test.
/// Rule ids that mean "redis-server would refuse to start with this file" (the
/// differential tests' verdict).
pub const REFUSAL_RULES: [&str; 4] = [
    "config.syntax-error",
    "config.unknown-directive",
    "config.invalid-value",
    "config.include-error",
];

pub fn bin() -> &'static Path {
    assert_cmd::cargo::cargo_bin!("redis-preflight")
}

/// An `assert_cmd` command for the binary under test, with `--no-settings`-independent
/// defaults left to the caller.
pub fn preflight() -> assert_cmd::Command {
    assert_cmd::Command::new(bin())
}

/// Directory of the shared corpus: `$REDIS_PREFLIGHT_CORPUS`, else `<repo>/../shared/corpus`.
pub fn corpus_dir() -> PathBuf {
    match std::env::var_os("REDIS_PREFLIGHT_CORPUS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    }
}

/// Whether a missing `../shared/corpus` is reported but not a failure: in a
/// user's clone (it exists only in the project's workspace and CI), unless
/// `CI=true`; `REDIS_PREFLIGHT_ALLOW_MISSING_CORPUS=1` allows it anywhere.
pub fn missing_corpus_allowed() -> bool {
    std::env::var("REDIS_PREFLIGHT_ALLOW_MISSING_CORPUS").is_ok_and(|v| v == "1")
        || !std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Ports handed out by [`free_port`] in this process, so parallel test threads never get
/// the same one even when the kernel would hand it out again.
fn handed_out() -> &'static Mutex<HashSet<u16>> {
    static PORTS: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    PORTS.get_or_init(|| Mutex::new(HashSet::new()))
}

fn can_bind(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// A TCP port on 127.0.0.1 that is free now, never returned before by this process,
/// and whose cluster-bus port (port + 10000) is free as well.
pub fn free_port() -> u16 {
    let mut given = handed_out().lock().unwrap_or_else(|e| e.into_inner());
    for _ in 0..1000 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local_addr").port();
        drop(listener);
        if port > 55535 || given.contains(&port) || !can_bind(port + 10000) {
            continue;
        }
        given.insert(port);
        return port;
    }
    panic!("could not find a free TCP port on 127.0.0.1 in 1000 tries");
}

/// The `redis-server` to use: `$REDIS_SERVER`, else `redis-server` on PATH.
pub fn redis_server_program() -> String {
    std::env::var("REDIS_SERVER")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "redis-server".to_string())
}

/// `redis-server --version`, e.g. `Redis server v=7.0.15 sha=...`; panics with an
/// installation hint when the program is missing.
pub fn redis_server_version() -> String {
    let program = redis_server_program();
    let out = Command::new(&program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "`{program}` could not be run ({e}).\n\
                 The differential test needs a real redis-server. Install it with \
                 `sudo apt-get install -y redis-server` (scripts/test does this), or point \
                 REDIS_SERVER at a redis-server binary."
            )
        });
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success() && text.contains("v="),
        "`{program} --version` did not print a version: status {:?}, stdout {text:?}, stderr {:?}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// `major.minor` of the installed redis-server, e.g. `7.0`.
pub fn redis_server_line() -> String {
    let version = redis_server_version();
    let v = version
        .split_whitespace()
        .find_map(|w| w.strip_prefix("v="))
        .unwrap_or_else(|| panic!("no `v=` in {version:?}"));
    let mut parts = v.split('.');
    format!("{}.{}", parts.next().unwrap_or("0"), parts.next().unwrap_or("0"))
}

/// How child redis-servers are isolated from the host network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Isolation {
    /// `unshare <flags>`: every server gets its own empty network namespace.
    NetNs(Vec<String>),
    /// No namespace available: servers share the host network.
    None,
}

/// Detects once whether `unshare -n` (as root) or `unshare -rn` (unprivileged user
/// namespaces) works here.
pub fn isolation() -> &'static Isolation {
    static ISO: OnceLock<Isolation> = OnceLock::new();
    ISO.get_or_init(|| {
        if std::env::var("REDIS_PREFLIGHT_NO_NETNS").is_ok_and(|v| v == "1") {
            return Isolation::None;
        }
        for flags in [&["-n"][..], &["-r", "-n"][..]] {
            let ok = Command::new("unshare")
                .args(flags)
                .arg("true")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                return Isolation::NetNs(flags.iter().map(|s| s.to_string()).collect());
            }
        }
        Isolation::None
    })
}

/// A running (or exited) `redis-server`; killed and reaped on drop.
pub struct RedisServer {
    child: Child,
    stdout_path: PathBuf,
    stderr_path: PathBuf,
    pub socket: PathBuf,
    pub port: u16,
    status: Option<ExitStatus>,
}

/// What became of a started server.
#[derive(Debug)]
pub enum Startup {
    /// It answered PING on its unix socket, or logged that it is ready.
    Ready,
    /// It exited before becoming ready.
    Exited(ExitStatus),
    /// Neither within the time limit (the server is still running; drop kills it).
    TimedOut,
}

impl RedisServer {
    /// Starts `redis-server <config> <extra args...>` in `workdir` (its cwd), with stdout
    /// and stderr captured to files in `workdir`, inside a network namespace when
    /// [`isolation`] found one. `socket` is the unix socket the caller told it to listen on
    /// (via `--unixsocket`), used by [`RedisServer::wait_ready`] to PING it.
    pub fn spawn(
        workdir: &Path,
        config: &Path,
        args: &[String],
        socket: &Path,
        port: u16,
    ) -> std::io::Result<RedisServer> {
        Self::start(redis_server_program(), workdir, Some(config), args, None, socket, port)
    }

    /// Starts `redis-server <args...>` in `workdir` (its cwd) exactly as given, no config
    /// file added, with `stdin` written to its standard input (then closed), stdout and
    /// stderr captured to files in `workdir`, inside a network namespace when [`isolation`]
    /// found one. For command-line tests, where the position of every argument matters.
    pub fn spawn_args(
        workdir: &Path,
        args: &[String],
        stdin: &[u8],
        socket: &Path,
        port: u16,
    ) -> std::io::Result<RedisServer> {
        Self::start(redis_server_program(), workdir, None, args, Some(stdin), socket, port)
    }

    /// Starts `program <args...>` in `workdir` (its cwd) exactly as given, stdin closed,
    /// stdout and stderr captured to files in `workdir`, inside a network namespace when
    /// [`isolation`] found one. For tests that run several servers (Redis and Valkey builds).
    pub fn spawn_program(
        program: &Path,
        workdir: &Path,
        args: &[String],
        socket: &Path,
    ) -> std::io::Result<RedisServer> {
        Self::start(program, workdir, None, args, None, socket, 0)
    }

    /// The one way a test server process is started: isolated when possible, output
    /// captured to files, `stdin` (when given) written and closed, else closed at once.
    fn start(
        program: impl AsRef<std::ffi::OsStr>,
        workdir: &Path,
        config: Option<&Path>,
        args: &[String],
        stdin: Option<&[u8]>,
        socket: &Path,
        port: u16,
    ) -> std::io::Result<RedisServer> {
        let stdout_path = workdir.join("redis-server.stdout");
        let stderr_path = workdir.join("redis-server.stderr");
        let mut cmd = match isolation() {
            Isolation::NetNs(flags) => {
                let mut c = Command::new("unshare");
                c.args(flags).arg("--").arg(&program);
                c
            }
            Isolation::None => Command::new(&program),
        };
        cmd.args(config)
            .args(args)
            .current_dir(workdir)
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(File::create(&stdout_path)?)
            .stderr(File::create(&stderr_path)?);
        let mut child = cmd.spawn()?;
        if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
            // A server that does not read its stdin never sees this: a short text fits the
            // pipe's buffer, and a closed pipe (it exited) is not an error here.
            let _ = input.write_all(text);
        }
        Ok(RedisServer {
            child,
            stdout_path,
            stderr_path,
            socket: socket.to_path_buf(),
            port,
            status: None,
        })
    }

    /// Polls until the server answers PING on its unix socket, exits, or `limit` passes. Only
    /// a reply counts as ready: a log line may come before the last startup check (ACL users
    /// are loaded after the listeners are set up).
    pub fn wait_ping(&mut self, limit: Duration) -> Startup {
        let start = Instant::now();
        loop {
            if let Some(status) = self.try_exit() {
                return Startup::Exited(status);
            }
            if self.ping() {
                return Startup::Ready;
            }
            if start.elapsed() >= limit {
                if let Some(status) = self.try_exit() {
                    return Startup::Exited(status);
                }
                return Startup::TimedOut;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Polls until the server is ready, exits, or `limit` passes.
    pub fn wait_ready(&mut self, limit: Duration) -> Startup {
        let start = Instant::now();
        loop {
            if let Some(status) = self.try_exit() {
                return Startup::Exited(status);
            }
            let log = self.stdout();
            if log.contains("Ready to accept connections")
                || log.contains("ready to accept connections at")
                || log.contains("Sentinel ID is")
                || self.ping()
            {
                return Startup::Ready;
            }
            if start.elapsed() >= limit {
                // One last look: it may have exited right at the deadline.
                if let Some(status) = self.try_exit() {
                    return Startup::Exited(status);
                }
                return Startup::TimedOut;
            }
            std::thread::sleep(Duration::from_millis(15));
        }
    }

    fn try_exit(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// Sends `PING` on the unix socket; true on any RESP reply (`+PONG`, `-NOAUTH ...`).
    pub fn ping(&self) -> bool {
        let Ok(mut s) = UnixStream::connect(&self.socket) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
        let _ = s.set_write_timeout(Some(Duration::from_millis(200)));
        if s.write_all(b"PING\r\n").is_err() {
            return false;
        }
        let mut buf = [0u8; 64];
        matches!(s.read(&mut buf), Ok(n) if n > 0 && (buf[0] == b'+' || buf[0] == b'-'))
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.stdout_path).unwrap_or_default()).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.stderr_path).unwrap_or_default()).into_owned()
    }

    /// Kills the server (SIGKILL) and waits for it.
    pub fn stop(&mut self) {
        if self.status.is_none() {
            let _ = self.child.kill();
            self.status = self.child.wait().ok();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
