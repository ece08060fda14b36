//! Real redis-server processes for the probe tests: each on a free loopback
//! port (and/or a unix socket) in its own temporary directory, with the
//! config the test needs, stopped (killed and reaped) on drop.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

/// A free TCP port on 127.0.0.1 (never the same one twice in a process).
pub fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    loop {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        // Keep away from ports we handed out already.
        let previous = NEXT.fetch_max(port, Ordering::SeqCst);
        if port != previous && port > 1024 {
            return port;
        }
    }
}

pub struct TestServer {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Child,
}

impl TestServer {
    /// Starts `redis-server` with `config` plus `port`, `bind 127.0.0.1` and
    /// `dir`; `extra` lines come after. Waits until it answers.
    pub fn start(config: &str) -> TestServer {
        let port = free_port();
        TestServer::start_on(port, config)
    }

    pub fn start_on(port: u16, config: &str) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let full = format!(
            "port {port}\nbind 127.0.0.1\ndir {}\nlogfile {}\ndaemonize no\nsave \"\"\nappendonly no\n{config}\n",
            dir.path().display(),
            dir.path().join("redis.log").display()
        );
        std::fs::write(dir.path().join("redis.conf"), full).unwrap();
        let child = Command::new(std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into()))
            .arg(dir.path().join("redis.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (scripts/test installs it)");
        let mut server = TestServer { port, dir, child };
        server.wait_ready();
        server
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("redis-server exited ({status}) at start:\n{}", self.log());
            }
            if self.log().contains("Ready to accept connections") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not become ready:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Runs a command with redis-cli (test set-up only: CONFIG SET, DEBUG POPULATE...).
    pub fn cli(&self, args: &[&str]) -> String {
        self.cli_with(&["-p", &self.port.to_string()], args)
    }

    pub fn cli_with(&self, connection: &[&str], args: &[&str]) -> String {
        let output = Command::new("redis-cli")
            .args(connection)
            .args(["-h", "127.0.0.1", "--no-auth-warning"])
            .args(args)
            .output()
            .expect("redis-cli is installed");
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends raw RESP to a plaintext server and returns the first reply line.
pub fn raw(port: u16, command: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    stream.write_all(command.as_bytes()).unwrap();
    let mut buffer = [0u8; 4096];
    let n = stream.read(&mut buffer).unwrap_or(0);
    String::from_utf8_lossy(&buffer[..n]).into_owned()
}

/// Certificates made at test time: a CA, a server certificate for
/// 127.0.0.1/localhost, and a client certificate, all PEM files in `dir`.
pub struct Certificates {
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

pub fn make_certificates(dir: &Path, server_valid_days: i64) -> Certificates {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
    let now = time_now();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "redis-preflight test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.not_before = now - time::Duration::days(10);
    ca_params.not_after = now + time::Duration::days(3650);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().unwrap();
    let mut server_params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    server_params
        .subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
    server_params
        .distinguished_name
        .push(DnType::CommonName, "redis test server");
    if server_valid_days >= 0 {
        server_params.not_before = now - time::Duration::days(1);
        server_params.not_after = now + time::Duration::days(server_valid_days);
    } else {
        server_params.not_before = now - time::Duration::days(30);
        server_params.not_after = now + time::Duration::days(server_valid_days);
    }
    let server = server_params.signed_by(&server_key, &issuer).unwrap();

    let client_key = KeyPair::generate().unwrap();
    let mut client_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    client_params
        .distinguished_name
        .push(DnType::CommonName, "redis-preflight probe");
    client_params.not_before = now - time::Duration::days(1);
    client_params.not_after = now + time::Duration::days(365);
    let client = client_params.signed_by(&client_key, &issuer).unwrap();

    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    Certificates {
        ca: write("ca.crt", ca.pem()),
        server_cert: write("server.crt", server.pem()),
        server_key: write("server.key", server_key.serialize_pem()),
        client_cert: write("client.crt", client.pem()),
        client_key: write("client.key", client_key.serialize_pem()),
    }
}

fn time_now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}
