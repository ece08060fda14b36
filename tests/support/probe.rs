//! Helpers for the live-probe tests (`tests/probe_failures.rs`,
//! `tests/probe_readonly.rs`): running the binary under a wall-clock guard,
//! fake TCP servers on loopback for the failure cases, a black-hole listener,
//! a RESP-recording proxy in front of a real redis-server, a MONITOR client.
//!
//! Everything here binds or connects to 127.0.0.1 only, and every loop is
//! bounded in count and in time.
#![allow(dead_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A password distinctive enough that finding it in any output is a leak.
pub const PASSWORD: &str = "Zq9-preflight-Sekret-4711";

/// No helper thread lives longer than this, whatever a test does.
const THREAD_LIMIT: Duration = Duration::from_secs(90);

/// One finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    pub args: Vec<String>,
    /// The child's peak resident memory in kB: the kernel's high-water mark
    /// of its own memory (`VmHWM`), read at every poll while it runs.
    /// (`wait4`'s `ru_maxrss` would also count this test process, whose
    /// memory the child shares until exec.)
    pub peak_rss_kb: i64,
}

impl Run {
    /// Everything a person (or a log) would see.
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}) for {:?}:\n{}\nstderr: {}",
                self.args, self.stdout, self.stderr
            )
        })
    }

    /// The lines of stderr that start with `error:`.
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr.lines().filter(|l| l.starts_with("error:")).collect()
    }

    /// Never a panic, and the password nowhere in stdout or stderr.
    pub fn assert_clean(&self) {
        assert!(
            !self.stderr.contains("panicked"),
            "the binary panicked for {:?}:\n{}",
            self.args,
            self.stderr
        );
        assert!(
            !self.stderr.contains("RUST_BACKTRACE"),
            "the binary panicked for {:?}:\n{}",
            self.args,
            self.stderr
        );
        assert!(
            !self.all_output().contains(PASSWORD),
            "the password appears in the output of {:?}:\nstdout: {}\nstderr: {}",
            self.args,
            self.stdout,
            self.stderr
        );
    }

    /// Exactly one `error: …` line on stderr (other lines, if any, are warnings),
    /// and it is one line of reasonable length. Returns that line.
    pub fn one_error_line(&self) -> &str {
        let errors = self.error_lines();
        assert_eq!(
            errors.len(),
            1,
            "expected exactly one `error:` line for {:?}, got stderr:\n{}",
            self.args,
            self.stderr
        );
        for line in self.stderr.lines().filter(|l| !l.trim().is_empty()) {
            assert!(
                line.starts_with("error:") || line.starts_with("warning:"),
                "stderr has a line that is neither an error nor a warning for {:?}: {line:?}\nstderr:\n{}",
                self.args,
                self.stderr
            );
        }
        let line = errors[0];
        assert!(line.len() < 400, "the error line is not short: {line}");
        line
    }
}

/// Runs the binary in `dir` with `args`, only the given `REDIS_*` variables
/// (the test process's own are removed), and kills it if it is still running
/// after `guard`: a run that needs the guard is a hang and fails the test.
pub fn run(dir: &Path, args: &[&str], envs: &[(&str, &str)], guard: Duration) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_redis-preflight"));
    cmd.current_dir(dir).env_remove("NO_COLOR").env("RUST_BACKTRACE", "0");
    for (name, _) in std::env::vars() {
        if name.starts_with("REDIS_") || name.starts_with("CACHE_TTL_") {
            cmd.env_remove(name);
        }
    }
    for (name, value) in envs {
        cmd.env(name, value);
    }
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start redis-preflight");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = out.read_to_end(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = err.read_to_end(&mut text);
        text
    });
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_rss_kb = 0;
    let status = loop {
        if let Some(kb) = std::fs::read_to_string(&status_file).ok().and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<i64>().ok())
        }) {
            peak_rss_kb = peak_rss_kb.max(kb);
        }
        if let Some(status) = child.try_wait().expect("wait for redis-preflight") {
            break status;
        }
        if started.elapsed() > guard {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
            panic!("HANG: redis-preflight {args:?} still ran after {guard:?} and was killed; stderr so far:\n{stderr}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = started.elapsed();
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned(),
        elapsed,
        args: args.iter().map(|a| a.to_string()).collect(),
        peak_rss_kb,
    }
}

/// What a fake server does with each connection it accepts.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Accepts and never sends a byte (keeps the connection open).
    Silent,
    /// Sends these bytes once, then keeps the connection open, reading nothing.
    Send(Vec<u8>),
    /// Sends these bytes once, then closes.
    SendAndClose(Vec<u8>),
    /// Closes at once.
    Close,
    /// Sends back every byte it receives (a hostile server that echoes the AUTH).
    Echo,
    /// Accepts, counts, closes (a listener that must never be reached).
    Count,
    /// Sends `head`, then `fill` again and again, pausing `pause` between
    /// writes, until the client goes away (an endless or a trickling reply).
    Stream {
        head: Vec<u8>,
        fill: Vec<u8>,
        pause: Duration,
    },
    /// Completes a TLS handshake with this certificate and key (PEM files),
    /// then never sends a byte.
    TlsThenSilent {
        cert: std::path::PathBuf,
        key: std::path::PathBuf,
    },
}

/// A fake TCP server on 127.0.0.1 in a thread, stopped on drop.
pub struct FakeServer {
    pub port: u16,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeServer {
    pub fn start(behaviour: Behaviour) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, halt) = (accepted.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + THREAD_LIMIT;
            let mut held: Vec<TcpStream> = Vec::new();
            let mut echoes: Vec<JoinHandle<()>> = Vec::new();
            while !halt.load(Ordering::SeqCst) && Instant::now() < deadline && count.load(Ordering::SeqCst) < 1000 {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        count.fetch_add(1, Ordering::SeqCst);
                        let _ = stream.set_nonblocking(false);
                        match &behaviour {
                            Behaviour::Silent => held.push(stream),
                            Behaviour::Send(bytes) => {
                                let _ = stream.write_all(bytes);
                                held.push(stream);
                            }
                            Behaviour::SendAndClose(bytes) => {
                                let _ = stream.write_all(bytes);
                                let _ = stream.shutdown(Shutdown::Both);
                            }
                            Behaviour::Close | Behaviour::Count => {
                                let _ = stream.shutdown(Shutdown::Both);
                            }
                            Behaviour::Echo => {
                                let halt = halt.clone();
                                echoes.push(std::thread::spawn(move || echo(stream, &halt, deadline)));
                            }
                            Behaviour::Stream { head, fill, pause } => {
                                let (halt, head, fill, pause) = (halt.clone(), head.clone(), fill.clone(), *pause);
                                echoes.push(std::thread::spawn(move || {
                                    stream_forever(stream, &head, &fill, pause, &halt, deadline)
                                }));
                            }
                            Behaviour::TlsThenSilent { cert, key } => {
                                let (halt, cert, key) = (halt.clone(), cert.clone(), key.clone());
                                echoes.push(std::thread::spawn(move || {
                                    tls_then_silent(stream, &cert, &key, &halt, deadline)
                                }));
                            }
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(5)),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            drop(held);
            for handle in echoes {
                let _ = handle.join();
            }
        });
        FakeServer {
            port,
            accepted,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

fn stream_forever(
    mut stream: TcpStream,
    head: &[u8],
    fill: &[u8],
    pause: Duration,
    halt: &AtomicBool,
    deadline: Instant,
) {
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    if stream.write_all(head).is_err() {
        return;
    }
    while !halt.load(Ordering::SeqCst) && Instant::now() < deadline {
        match stream.write(fill) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
    }
}

fn tls_then_silent(stream: TcpStream, cert: &Path, key: &Path, halt: &AtomicBool, deadline: Instant) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .expect("read the server certificate")
        .map(|c| c.expect("a PEM certificate"))
        .collect();
    let key = PrivateKeyDer::from_pem_file(key).expect("read the server key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("a TLS server configuration");
    let mut connection = rustls::ServerConnection::new(Arc::new(config)).unwrap();
    let mut stream = stream;
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    while connection.is_handshaking() && Instant::now() < deadline && !halt.load(Ordering::SeqCst) {
        match connection.complete_io(&mut stream) {
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
    }
    // Handshake done: hold the connection open and say nothing.
    while !halt.load(Ordering::SeqCst) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn echo(mut stream: TcpStream, halt: &AtomicBool, deadline: Instant) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let mut buffer = [0u8; 4096];
    while !halt.load(Ordering::SeqCst) && Instant::now() < deadline {
        match stream.read(&mut buffer) {
            Ok(0) => return,
            Ok(n) => {
                if stream.write_all(&buffer[..n]).is_err() {
                    return;
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A listener that is never `accept()`ed on, with its accept queue filled by
/// client connections we hold, so that a new connect gets no SYN-ACK (Linux
/// drops the SYN while the queue is full): a black hole on loopback.
pub struct BlackHole {
    pub port: u16,
    /// Whether the queue really filled up (a further connect timed out).
    pub saturated: bool,
    pub filled: usize,
    _listener: TcpListener,
    _held: Vec<TcpStream>,
}

impl BlackHole {
    pub fn start() -> BlackHole {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let address: SocketAddr = listener.local_addr().unwrap();
        let mut held = Vec::new();
        let mut saturated = false;
        let started = Instant::now();
        // std listens with a backlog of 128 here; 1000 connections and 20 s bound it.
        for _ in 0..1000 {
            if started.elapsed() > Duration::from_secs(20) {
                break;
            }
            match TcpStream::connect_timeout(&address, Duration::from_millis(200)) {
                Ok(stream) => held.push(stream),
                Err(e) if e.kind() == ErrorKind::TimedOut || e.kind() == ErrorKind::WouldBlock => {
                    saturated = true;
                    break;
                }
                Err(e) => panic!("filling the black hole's backlog failed: {e}"),
            }
        }
        BlackHole {
            port: address.port(),
            saturated,
            filled: held.len(),
            _listener: listener,
            _held: held,
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

/// One client connection through the proxy: the bytes the client sent.
type Sent = Arc<Mutex<Vec<u8>>>;

/// A TCP proxy on 127.0.0.1 in front of a server on `upstream`, recording
/// every byte each client sends: everything the server receives from the probe.
pub struct RecordingProxy {
    pub port: u16,
    connections: Arc<Mutex<Vec<Sent>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RecordingProxy {
    pub fn start(upstream: u16) -> RecordingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let connections: Arc<Mutex<Vec<Sent>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (record, halt) = (connections.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + THREAD_LIMIT;
            let mut pumps: Vec<JoinHandle<()>> = Vec::new();
            let mut count = 0;
            while !halt.load(Ordering::SeqCst) && Instant::now() < deadline && count < 100 {
                match listener.accept() {
                    Ok((client, _)) => {
                        count += 1;
                        let _ = client.set_nonblocking(false);
                        let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                            continue;
                        };
                        let sent: Sent = Arc::default();
                        record.lock().unwrap().push(sent.clone());
                        let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                        let (h1, h2) = (halt.clone(), halt.clone());
                        pumps.push(std::thread::spawn(move || {
                            pump(client, server, Some(sent), &h1, deadline)
                        }));
                        pumps.push(std::thread::spawn(move || pump(s2, c2, None, &h2, deadline)));
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(5)),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            for pump in pumps {
                let _ = pump.join();
            }
        });
        RecordingProxy {
            port,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops the proxy (after the client is done) and returns, per client
    /// connection in the order they came, the commands it sent.
    pub fn finish(mut self) -> Vec<Vec<Vec<String>>> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let connections = self.connections.lock().unwrap();
        connections
            .iter()
            .map(|sent| parse_resp_commands(&sent.lock().unwrap()))
            .collect()
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, record: Option<Sent>, halt: &AtomicBool, deadline: Instant) {
    let _ = from.set_read_timeout(Some(Duration::from_millis(100)));
    let mut buffer = [0u8; 16384];
    // Once stopped, keep forwarding for a moment so nothing in flight is lost.
    let mut stop_seen: Option<Instant> = None;
    loop {
        if Instant::now() > deadline {
            break;
        }
        if halt.load(Ordering::SeqCst) {
            let seen = *stop_seen.get_or_insert_with(Instant::now);
            if seen.elapsed() > Duration::from_millis(300) {
                break;
            }
        }
        match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                if let Some(record) = &record {
                    record.lock().unwrap().extend_from_slice(&buffer[..n]);
                }
                if to.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Splits what a client sent into commands: RESP arrays of bulk strings (what
/// client libraries send) or inline commands. Panics on anything else.
pub fn parse_resp_commands(bytes: &[u8]) -> Vec<Vec<String>> {
    fn line(bytes: &[u8], at: &mut usize) -> String {
        let start = *at;
        let end = bytes[start..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map(|p| start + p)
            .unwrap_or_else(|| {
                panic!(
                    "unterminated RESP line at byte {start}: {:?}",
                    String::from_utf8_lossy(&bytes[start..])
                )
            });
        *at = end + 2;
        String::from_utf8_lossy(&bytes[start..end]).into_owned()
    }
    let mut commands = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'*' {
            at += 1;
            let count: usize = line(bytes, &mut at).parse().expect("RESP array length");
            let mut words = Vec::with_capacity(count);
            for _ in 0..count {
                assert_eq!(
                    bytes.get(at),
                    Some(&b'$'),
                    "RESP array item is not a bulk string at byte {at}"
                );
                at += 1;
                let len: usize = line(bytes, &mut at).parse().expect("RESP bulk length");
                words.push(String::from_utf8_lossy(&bytes[at..at + len]).into_owned());
                at += len + 2;
            }
            commands.push(words);
        } else {
            let text = line(bytes, &mut at);
            let words: Vec<String> = text.split_whitespace().map(String::from).collect();
            if !words.is_empty() {
                commands.push(words);
            }
        }
    }
    commands
}

/// A raw `MONITOR` client: records every line the server feeds it.
pub struct Monitor {
    port: u16,
    password: Option<String>,
    stream: TcpStream,
    lines: Arc<Mutex<String>>,
    thread: Option<JoinHandle<()>>,
}

fn resp(words: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", words.len()).into_bytes();
    for word in words {
        out.extend_from_slice(format!("${}\r\n{word}\r\n", word.len()).as_bytes());
    }
    out
}

impl Monitor {
    /// Connects, authenticates as the default user with `password` when given,
    /// and waits until MONITOR is on.
    pub fn start(port: u16, password: Option<&str>) -> Monitor {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect the MONITOR client");
        stream.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
        let mut expected_oks = 1;
        if let Some(password) = password {
            stream.write_all(&resp(&["AUTH", password])).unwrap();
            expected_oks += 1;
        }
        stream.write_all(&resp(&["MONITOR"])).unwrap();
        let mut got = String::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut buffer = [0u8; 1024];
        while got.matches("+OK\r\n").count() < expected_oks {
            assert!(Instant::now() < deadline, "MONITOR did not start: {got:?}");
            match stream.read(&mut buffer) {
                Ok(0) => panic!("MONITOR connection closed: {got:?}"),
                Ok(n) => got.push_str(&String::from_utf8_lossy(&buffer[..n])),
                Err(_) => {}
            }
        }
        assert!(!got.starts_with('-'), "MONITOR refused: {got}");
        // Keep whatever came after the +OKs in the same reads.
        let lines: Arc<Mutex<String>> = Arc::new(Mutex::new(got));
        let (record, mut reader) = (lines.clone(), stream.try_clone().unwrap());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + THREAD_LIMIT;
            let mut buffer = [0u8; 16384];
            while Instant::now() < deadline {
                match reader.read(&mut buffer) {
                    Ok(0) => return,
                    Ok(n) => record.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..n])),
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                    Err(_) => return,
                }
            }
        });
        Monitor {
            port,
            password: password.map(String::from),
            stream,
            lines,
            thread: Some(thread),
        }
    }

    /// Sends a marker command on another connection, waits until MONITOR has
    /// shown it (so everything before it has arrived), stops, and returns the
    /// commands recorded before the marker (each as its words).
    pub fn finish(mut self) -> Vec<Vec<String>> {
        let marker = format!("preflight-monitor-end-{}", std::process::id());
        let mut other = TcpStream::connect(("127.0.0.1", self.port)).expect("connect for the marker");
        other.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        if let Some(password) = &self.password {
            other.write_all(&resp(&["AUTH", password])).unwrap();
        }
        other.write_all(&resp(&["ECHO", &marker])).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.lines.lock().unwrap().contains(&marker) {
            assert!(
                Instant::now() < deadline,
                "MONITOR never showed the end marker:\n{}",
                self.lines.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.stream.shutdown(Shutdown::Both);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let text = self.lines.lock().unwrap().clone();
        let parsed: Vec<(String, Vec<String>)> = text
            .split("\r\n")
            .filter_map(|raw| raw.strip_prefix('+'))
            .filter(|line| *line != "OK")
            .map(|line| parse_monitor_line(line).unwrap_or_else(|| panic!("unparsable MONITOR line: {line}")))
            .collect();
        // The marker's own connection (its AUTH and ECHO) is not the probe's.
        let marker_client = parsed
            .iter()
            .find(|(_, words)| words.iter().any(|w| w == &marker))
            .map(|(c, _)| c.clone())
            .unwrap();
        let commands: Vec<Vec<String>> = parsed
            .into_iter()
            .filter(|(client, _)| *client != marker_client)
            .map(|(_, words)| words)
            .collect();
        commands
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `1795642701.549535 [0 127.0.0.1:51426] "INFO" "all"` →
/// `("127.0.0.1:51426", ["INFO", "all"])`.
pub fn parse_monitor_line(line: &str) -> Option<(String, Vec<String>)> {
    let open = line.find('[')?;
    let close = open + line[open..].find("] ")?;
    let client = line[open + 1..close].split_whitespace().last()?.to_string();
    let rest = &line[close + 2..];
    let mut words = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        match chars.next() {
            None => break,
            Some('"') => {}
            Some(_) => return None,
        }
        let mut word = String::new();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => match chars.next()? {
                    'n' => word.push('\n'),
                    'r' => word.push('\r'),
                    't' => word.push('\t'),
                    'a' => word.push('\u{7}'),
                    'b' => word.push('\u{8}'),
                    'x' => {
                        let hex: String = [chars.next()?, chars.next()?].iter().collect();
                        word.push(u8::from_str_radix(&hex, 16).ok()? as char);
                    }
                    other => word.push(other),
                },
                c => word.push(c),
            }
        }
        words.push(word);
    }
    (!words.is_empty()).then_some((client, words))
}
