//! The probe against hostile servers: replies that never end, lie about
//! their size or nesting, trickle in, or stop after the handshake. Each run
//! must end as "incomplete" (exit 3 under `--probe`) within `--timeout` plus
//! start-up slack, name the limit or the wait in its one error line, never
//! show the password, and peak under 64 MB of resident memory.
//!
//! Every server here is a fake one in a thread on 127.0.0.1 (`support/probe.rs`).
//! Peak RSS is the kernel's high-water mark for the child (`VmHWM`).

#[path = "support/probe.rs"]
mod probe;
#[path = "support/server.rs"]
mod server;

use probe::{Behaviour, FakeServer, PASSWORD};
use std::time::Duration;

const TIMEOUT: f64 = 3.0;
/// Process start-up and exit on a busy 2-core machine.
const SLACK: f64 = 2.5;
const RSS_LIMIT_KB: i64 = 64 * 1024;

struct Outcome {
    code: i32,
    stderr: String,
    stdout: String,
    elapsed: f64,
    peak_rss_kb: i64,
}

/// Runs `check --probe` against the URL through the shared runner, which
/// measures peak RSS and fails the test as a hang after 30 s.
fn probe(url: &str, with_password: bool, extra: &[&str]) -> Outcome {
    let envs: &[(&str, &str)] = if with_password {
        &[("REDIS_PASSWORD", PASSWORD)]
    } else {
        &[]
    };
    probe_with(url, envs, extra)
}

/// `probe` with these environment variables (a password of the test's own).
fn probe_with(url: &str, envs: &[(&str, &str)], extra: &[&str]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let timeout = TIMEOUT.to_string();
    let mut args = vec![
        "check",
        "--no-settings",
        "--probe",
        "--url",
        url,
        "--timeout",
        &timeout,
        "--connect-timeout",
        "1",
        "--latency-samples",
        "3",
    ];
    args.extend_from_slice(extra);
    let run = probe::run(dir.path(), &args, envs, Duration::from_secs(30));
    Outcome {
        code: run
            .code
            .unwrap_or_else(|| panic!("redis-preflight was killed by a signal: {}", run.stderr)),
        stdout: run.stdout,
        stderr: run.stderr,
        elapsed: run.elapsed.as_secs_f64(),
        peak_rss_kb: run.peak_rss_kb,
    }
}

/// Exit 3, one error line naming one of `reasons`, in time, in memory, no password.
fn expect_incomplete(case: &str, outcome: &Outcome, reasons: &[&str]) {
    let all = format!("{}\n{}", outcome.stdout, outcome.stderr);
    assert!(!all.contains("panicked"), "{case}: panic:\n{all}");
    assert!(!all.contains(PASSWORD), "{case}: the password leaked:\n{all}");
    assert_eq!(outcome.code, 3, "{case}: expected exit 3\n{all}");
    let errors: Vec<&str> = outcome.stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{case}: expected one error line:\n{}", outcome.stderr);
    let line = errors[0].to_lowercase();
    assert!(
        reasons.iter().any(|r| line.contains(&r.to_lowercase())),
        "{case}: the error does not name one of {reasons:?}: {}",
        errors[0]
    );
    assert!(
        outcome.elapsed < TIMEOUT + SLACK,
        "{case}: took {:.2} s with --timeout {TIMEOUT}",
        outcome.elapsed
    );
    assert!(
        outcome.peak_rss_kb < RSS_LIMIT_KB,
        "{case}: peak RSS {} MB, over 64 MB",
        outcome.peak_rss_kb / 1024
    );
    eprintln!(
        "{case}: exit 3 in {:.2} s, peak RSS {:.1} MB: {}",
        outcome.elapsed,
        outcome.peak_rss_kb as f64 / 1024.0,
        errors[0]
    );
}

fn endless(head: &[u8], fill: &[u8]) -> Behaviour {
    Behaviour::Stream {
        head: head.to_vec(),
        fill: fill.to_vec(),
        pause: Duration::ZERO,
    }
}

#[test]
fn an_endless_reply_stops_at_the_reply_limit() {
    // A simple string that never ends, and a bulk whose data never ends after a PONG.
    for (case, behaviour) in [
        ("endless simple string", endless(b"+", &[b'a'; 65536])),
        ("endless INFO line", endless(b"+PONG\r\n$1000\r\n", &[b'a'; 65536])),
    ] {
        let fake = FakeServer::start(behaviour);
        let outcome = probe(&fake.url(), false, &[]);
        expect_incomplete(case, &outcome, &["larger than 4 MiB", "not the redis protocol"]);
    }
    // The whole stream of an endless line, not a declared length, reaches the limit.
    let fake = FakeServer::start(endless(b"+", &[b'a'; 65536]));
    let outcome = probe(&fake.url(), false, &["--max-reply-bytes", "1MiB"]);
    expect_incomplete(
        "endless line, 1 MiB limit",
        &outcome,
        &["PING reply is larger than 1 MiB"],
    );
}

#[test]
fn a_declared_two_gigabyte_bulk_is_refused_before_it_is_read() {
    let fake = FakeServer::start(Behaviour::Send(b"+PONG\r\n$2147483648\r\n".to_vec()));
    let outcome = probe(&fake.url(), false, &[]);
    expect_incomplete("2 GB bulk", &outcome, &["INFO reply is larger than 4 MiB"]);
}

#[test]
fn a_huge_array_then_a_stall_is_refused_at_once() {
    let fake = FakeServer::start(Behaviour::Send(b"*2147483647\r\n".to_vec()));
    let outcome = probe(&fake.url(), false, &[]);
    expect_incomplete("*2147483647", &outcome, &["more than 50000 elements"]);
    assert!(
        outcome.elapsed < TIMEOUT,
        "it waited for the stall: {:.2} s",
        outcome.elapsed
    );
}

#[test]
fn deep_nesting_is_refused() {
    let fake = FakeServer::start(Behaviour::Send(b"*1\r\n".repeat(100_000)));
    let outcome = probe(&fake.url(), false, &[]);
    expect_incomplete("100 000-deep nesting", &outcome, &["nested more than 16 levels"]);
}

#[test]
fn endless_attributes_are_counted_not_recursed() {
    // 200 000 empty RESP3 attributes before a reply: 800 KB, under the byte limit.
    let mut reply = b"|0\r\n".repeat(200_000);
    reply.extend_from_slice(b"+PONG\r\n");
    let fake = FakeServer::start(Behaviour::Send(reply));
    let outcome = probe(&fake.url(), false, &[]);
    expect_incomplete("200 000 attributes", &outcome, &["more than 50000 elements"]);
}

#[test]
fn one_byte_per_second_ends_at_the_deadline() {
    let fake = FakeServer::start(Behaviour::Stream {
        head: Vec::new(),
        fill: b"+".to_vec(),
        pause: Duration::from_secs(1),
    });
    let outcome = probe(&fake.url(), false, &[]);
    expect_incomplete("1 byte per second", &outcome, &["did not finish within 3.0 s"]);
    assert!(
        outcome.elapsed >= TIMEOUT - 0.1,
        "ended before the deadline: {:.2} s",
        outcome.elapsed
    );
}

#[test]
fn a_hundred_megabyte_info_is_refused() {
    // A real-looking INFO body, 100 MB of it, announced and then sent.
    let fake = FakeServer::start(endless(
        format!("+PONG\r\n${}\r\n# Server\r\n", 100 * 1024 * 1024).as_bytes(),
        &b"used_memory:1024\r\n".repeat(4096),
    ));
    let outcome = probe(&fake.url(), false, &[]);
    expect_incomplete("100 MB INFO", &outcome, &["INFO reply is larger than 4 MiB"]);
    // With a limit large enough to read it, the deadline still ends the run.
    let outcome = probe(&fake.url(), false, &["--max-reply-bytes", "1024MiB"]);
    let line = outcome.stderr.lines().find(|l| l.starts_with("error:")).unwrap_or("");
    assert_eq!(outcome.code, 3, "{}", outcome.stderr);
    assert!(
        outcome.elapsed < TIMEOUT + SLACK,
        "took {:.2} s: {line}",
        outcome.elapsed
    );
    eprintln!(
        "100 MB INFO with a 1 GiB limit: exit 3 in {:.2} s, peak RSS {:.1} MB: {line}",
        outcome.elapsed,
        outcome.peak_rss_kb as f64 / 1024.0
    );
}

#[test]
fn info_with_too_many_fields_is_refused() {
    let body: Vec<u8> = (0..30_000)
        .flat_map(|i| format!("field{i}:1\r\n").into_bytes())
        .collect();
    let mut reply = format!("+PONG\r\n${}\r\n", body.len()).into_bytes();
    reply.extend_from_slice(&body);
    reply.extend_from_slice(b"\r\n");
    // The other six commands of the pipeline are refused.
    reply.extend_from_slice(&b"-ERR unknown command\r\n".repeat(6));
    let fake = FakeServer::start(Behaviour::Send(reply));
    let outcome = probe(&fake.url(), false, &[]);
    expect_incomplete("INFO with 30 000 fields", &outcome, &["more than 20000 fields"]);
}

#[test]
fn a_tls_handshake_then_silence_ends_at_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let certs = server::make_certificates(dir.path(), 30);
    let fake = FakeServer::start(Behaviour::TlsThenSilent {
        cert: certs.server_cert.clone(),
        key: certs.server_key.clone(),
    });
    let url = format!("rediss://127.0.0.1:{}", fake.port);
    let ca = certs.ca.to_str().unwrap();
    let outcome = probe(&url, true, &["--tls-ca", ca]);
    expect_incomplete(
        "TLS handshake, then silence",
        &outcome,
        &["did not finish within 3.0 s"],
    );
    // Stalling inside the handshake ends at the connect timeout.
    let silent = FakeServer::start(Behaviour::Silent);
    let outcome = probe(&format!("rediss://127.0.0.1:{}", silent.port), true, &["--tls-ca", ca]);
    expect_incomplete("TLS handshake stalls", &outcome, &["TLS handshake timed out"]);
}

#[test]
fn auth_ok_then_close() {
    let fake = FakeServer::start(Behaviour::SendAndClose(b"+OK\r\n".to_vec()));
    let outcome = probe(&fake.url(), true, &[]);
    expect_incomplete("AUTH OK, then close", &outcome, &["closed by the server"]);
}

#[test]
fn the_reply_limit_is_checked_on_the_command_line() {
    let outcome = probe("redis://127.0.0.1:1", false, &["--max-reply-bytes", "4 parsecs"]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("--max-reply-bytes"), "{}", outcome.stderr);
}

/// Entries of `conf::commands::DANGEROUS_COMMANDS`, each asked with ACL DRYRUN.
const DANGEROUS_COMMANDS: usize = redis_preflight::conf::commands::DANGEROUS_COMMANDS.len();

/// A bulk string reply.
fn bulk(text: &[u8]) -> Vec<u8> {
    let mut out = format!("${}\r\n", text.len()).into_bytes();
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
    out
}

/// An array of `count` bulk strings of about `width` bytes each.
fn array_of_strings(count: usize, width: usize) -> Vec<u8> {
    let mut out = format!("*{count}\r\n").into_bytes();
    for i in 0..count {
        out.extend_from_slice(&bulk(format!("{i:0width$}").as_bytes()));
    }
    out
}

/// The worst a server can do within the limits: every reply the probe keeps
/// (INFO, CONFIG GET, ACL LIST) just under 4 MiB and at the element and field
/// counts, and the probe goes on to build facts and a report from all of it.
#[test]
fn replies_at_every_limit_stay_under_64_mb() {
    let mut info = b"# Server\r\nredis_version:7.2.4\r\n".to_vec();
    for i in 0..19_990 {
        info.extend_from_slice(format!("field{i}:{:0190}\r\n", i).as_bytes());
    }
    let mut replies = b"+PONG\r\n".to_vec();
    replies.extend_from_slice(&bulk(&info));
    replies.extend_from_slice(&array_of_strings(49_990, 60));
    replies.extend_from_slice(&bulk(b"default"));
    replies.extend_from_slice(&array_of_strings(49_990, 60));
    replies.extend_from_slice(b":0\r\n*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n:0\r\n");
    // ACL DRYRUN refused for each dangerous command, then the latency PINGs.
    replies.extend_from_slice(&b"-ERR unknown subcommand\r\n".repeat(DANGEROUS_COMMANDS));
    replies.extend_from_slice(&b"+PONG\r\n".repeat(3));
    let fake = FakeServer::start(Behaviour::Send(replies));
    let outcome = probe(&fake.url(), false, &["--format", "json"]);
    let all = format!("{}\n{}", outcome.stdout, outcome.stderr);
    assert!(!all.contains("panicked"), "panic:\n{all}");
    assert!(
        outcome.peak_rss_kb < RSS_LIMIT_KB,
        "peak RSS {} MB, over 64 MB",
        outcome.peak_rss_kb / 1024
    );
    assert!(outcome.elapsed < TIMEOUT + SLACK, "took {:.2} s", outcome.elapsed);
    eprintln!(
        "replies at every limit: exit {} in {:.2} s, peak RSS {:.1} MB, {} bytes of report",
        outcome.code,
        outcome.elapsed,
        outcome.peak_rss_kb as f64 / 1024.0,
        outcome.stdout.len()
    );
}

#[test]
fn an_error_quoting_a_short_password_is_masked_as_it_arrives() {
    // A server (or proxy) without AUTH answers the way Redis answers an unknown
    // command: quoting its arguments. The password here is shorter than the
    // report's last-line scrub looks for (6 bytes), so only the probe's masking
    // of each reply as it arrives keeps it out of the error line.
    const SHORT: &str = "Qz7#k";
    let reply = format!("-ERR unknown command 'AUTH', with args beginning with: '{SHORT}' \r\n");
    let fake = FakeServer::start(Behaviour::SendAndClose(reply.into_bytes()));
    let outcome = probe_with(&fake.url(), &[("REDIS_PASSWORD", SHORT)], &[]);
    let all = format!("{}\n{}", outcome.stdout, outcome.stderr);
    assert!(!all.contains(SHORT), "the short password leaked:\n{all}");
    assert!(
        all.contains("unknown command"),
        "the server's error is not shown:\n{all}"
    );
    assert_eq!(outcome.code, 3, "{all}");
}
