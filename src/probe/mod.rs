//! The live probe: connects to the running server, sends only allow-listed
//! read-only commands (pipelined: a handful of round trips plus the latency
//! samples), and returns what it saw. Bounded in time by one deadline
//! (`--timeout`) that every wait ends at, and in memory by limits on every
//! reply (`resp::Limits`); its cost does not grow with the dataset.

pub mod allowlist;
pub mod client;
pub mod connect;
pub mod resp;

use crate::conf::commands::DANGEROUS_COMMANDS;
use crate::facts::Secret;
use client::Connection;
use connect::{Endpoint, TlsFacts, TlsFiles};
use resp::RespValue;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Why a probe could not complete (exit code 3 under `--probe=required`).
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeError {
    pub reason: String,
    /// A usage problem (bad URL, unreadable certificate): exit code 2.
    pub usage: bool,
}

impl ProbeError {
    pub fn unreachable(reason: impl Into<String>) -> ProbeError {
        ProbeError {
            reason: reason.into(),
            usage: false,
        }
    }

    pub fn usage(reason: impl Into<String>) -> ProbeError {
        ProbeError {
            reason: reason.into(),
            usage: true,
        }
    }
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

#[derive(Debug, Clone)]
pub struct ProbeOptions {
    pub endpoint: Endpoint,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub tls: TlsFiles,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub latency_samples: usize,
    /// The ACL user whose dangerous commands are checked (the app's user).
    pub app_user: Option<String>,
    /// What one reply may cost (`--max-reply-bytes`).
    pub limits: resp::Limits,
}

/// The result of one command: its reply, or why the server refused it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply<T> {
    Ok(T),
    Denied(String),
}

impl<T> Reply<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            Reply::Ok(value) => Some(value),
            Reply::Denied(_) => None,
        }
    }
}

/// Latency of PING round trips, in microseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Latency {
    pub samples: usize,
    pub min_us: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

impl Latency {
    pub fn from_samples(mut samples: Vec<u64>) -> Option<Latency> {
        if samples.is_empty() {
            return None;
        }
        samples.sort_unstable();
        let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
        Some(Latency {
            samples: samples.len(),
            min_us: samples[0],
            p50_us: at(0.50),
            p99_us: at(0.99),
            max_us: samples[samples.len() - 1],
        })
    }
}

/// Kernel settings of this machine, read when the server runs here.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HostFacts {
    pub overcommit_memory: Option<i64>,
    pub transparent_hugepages: Option<String>,
    pub somaxconn: Option<i64>,
}

/// Everything the probe saw.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveData {
    pub endpoint: String,
    pub info: BTreeMap<String, String>,
    pub config: Reply<BTreeMap<String, String>>,
    pub acl_whoami: Reply<String>,
    pub acl_list: Reply<Vec<String>>,
    /// Dangerous commands the app's user may run, per `ACL DRYRUN`.
    pub dangerous_callable: Reply<Vec<String>>,
    pub dryrun_user: String,
    pub slowlog_len: Reply<i64>,
    pub role: Reply<String>,
    pub dbsize: Reply<i64>,
    pub unauthenticated_access: Reply<bool>,
    pub latency: Option<Latency>,
    pub tls: Option<TlsFacts>,
    /// With TLS on, whether the plaintext `port` also answers.
    pub plaintext_accepted: Option<bool>,
    pub host: Option<HostFacts>,
    pub round_trips: usize,
    pub elapsed: Duration,
    /// The credentials the probe used, so every report can prove it never shows them.
    pub secrets: Vec<Secret>,
    /// Unix time when the probe ran (for the age of the last save).
    pub now: i64,
}

/// Runs the probe on a private single-threaded runtime, within `options.timeout`
/// in all. Whatever the server sent back has the probe's password masked as
/// it arrived (`client`), in case a hostile server echoes what it received;
/// the probe's own messages are never searched for it.
pub fn run(options: &ProbeOptions) -> Result<LiveData, ProbeError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ProbeError::unreachable(format!("cannot start the probe runtime: {e}")))?;
    let mut data = runtime.block_on(async {
        let deadline = tokio::time::Instant::now() + options.timeout;
        client::before_deadline(deadline, options.timeout, "the server", probe(options, deadline)).await
    })?;
    data.secrets = options.password.iter().cloned().collect();
    Ok(data)
}

/// A command's reply: the value, or the server's own words for a refusal
/// (`NOPERM this user has no permissions ...`). Replies are taken by value
/// so each is freed as soon as it is converted.
fn reply<T>(value: Option<RespValue>, convert: impl Fn(RespValue) -> Option<T>) -> Reply<T> {
    match value {
        Some(RespValue::Error(text)) => Reply::Denied(client::server_words(&text)),
        Some(value) => convert(value)
            .map(Reply::Ok)
            .unwrap_or_else(|| Reply::Denied("unexpected reply".into())),
        None => Reply::Denied("no reply".into()),
    }
}

/// INFO's `key:value` lines. A real `INFO all` has a few hundred fields
/// (about 1 000 with per-command statistics); more is not a Redis server.
pub const MAX_INFO_FIELDS: usize = 20_000;

fn parse_info(text: &str) -> Result<BTreeMap<String, String>, ProbeError> {
    let mut info = BTreeMap::new();
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        if let Some((key, value)) = line.trim_end().split_once(':') {
            if info.len() == MAX_INFO_FIELDS {
                return Err(ProbeError::unreachable(format!(
                    "the INFO reply has more than {MAX_INFO_FIELDS} fields: not a Redis server?"
                )));
            }
            info.insert(key.to_string(), value.to_string());
        }
    }
    Ok(info)
}

fn parse_config(value: RespValue) -> Option<BTreeMap<String, String>> {
    match value {
        RespValue::Array(items) => {
            let mut config = BTreeMap::new();
            let mut texts = items.into_iter().filter_map(RespValue::into_text);
            while let (Some(name), Some(value)) = (texts.next(), texts.next()) {
                config.insert(name.to_ascii_lowercase(), value);
            }
            Some(config)
        }
        RespValue::Map(pairs) => Some(
            pairs
                .into_iter()
                .filter_map(|(k, v)| Some((RespValue::into_text(k)?.to_ascii_lowercase(), RespValue::into_text(v)?)))
                .collect(),
        ),
        _ => None,
    }
}

async fn probe(options: &ProbeOptions, deadline: tokio::time::Instant) -> Result<LiveData, ProbeError> {
    let started = Instant::now();
    let (mut conn, tls) = Connection::open(options, &options.endpoint, true, deadline).await?;
    let mut round_trips = 1;

    // One pipeline for everything that does not depend on an earlier answer.
    let results = conn
        .pipeline(&[
            &["PING"][..],
            &["INFO", "all"],
            &["CONFIG", "GET", "*"],
            &["ACL", "WHOAMI"],
            &["ACL", "LIST"],
            &["SLOWLOG", "LEN"],
            &["ROLE"],
            &["DBSIZE"],
        ])
        .await?;
    round_trips += 1;
    let mut results = results.into_iter();
    if let Some(RespValue::Error(text)) = results.next() {
        return Err(ProbeError::unreachable(client::describe_refusal(&text)));
    }
    let info = match results.next() {
        Some(RespValue::Error(text)) => {
            return Err(ProbeError::unreachable(format!(
                "INFO failed, nothing can be checked: {}",
                client::describe_refusal(&text)
            )))
        }
        Some(value) => parse_info(&RespValue::into_text(value).unwrap_or_default())?,
        None => return Err(ProbeError::unreachable("the server answered the pipeline partially")),
    };
    if info.is_empty() {
        return Err(ProbeError::unreachable("INFO returned nothing: not a Redis server?"));
    }
    let config = reply(results.next(), parse_config);
    let acl_whoami = reply(results.next(), RespValue::into_text);
    let acl_list = reply(results.next(), |v| match v {
        RespValue::Array(items) => Some(items.into_iter().filter_map(RespValue::into_text).collect()),
        _ => None,
    });
    let slowlog_len = reply(results.next(), |v| RespValue::into_text(v)?.parse().ok());
    let role = reply(results.next(), |v| match v {
        RespValue::Array(items) => items.into_iter().next().and_then(RespValue::into_text),
        _ => None,
    });
    let dbsize = reply(results.next(), |v| RespValue::into_text(v)?.parse().ok());
    drop(results);

    // Which dangerous commands the application's user may run: asked with
    // ACL DRYRUN, which checks permissions without running anything.
    let dryrun_user = options
        .app_user
        .clone()
        .or_else(|| options.username.clone())
        .or_else(|| acl_whoami.ok().cloned())
        .unwrap_or_else(|| "default".into());
    let commands: Vec<Vec<&str>> = DANGEROUS_COMMANDS
        .iter()
        .map(|dangerous| {
            let mut full = vec!["ACL", "DRYRUN", dryrun_user.as_str()];
            full.extend_from_slice(dangerous.dryrun);
            full
        })
        .collect();
    let commands: Vec<&[&str]> = commands.iter().map(Vec::as_slice).collect();
    let dryruns = conn.pipeline(&commands).await?;
    round_trips += 1;
    // A command renamed away or removed is "not found": not callable. Any
    // other error (no permission for ACL DRYRUN, no such user, a server older
    // than 7.0) means the answer is unknown, not "nothing is callable".
    let refusal = dryruns.iter().find_map(|reply| match reply {
        RespValue::Error(text) if !text.contains("not found") => Some(text),
        _ => None,
    });
    let dangerous_callable = if let Some(text) = refusal {
        Reply::Denied(client::server_words(text))
    } else {
        Reply::Ok(
            DANGEROUS_COMMANDS
                .iter()
                .zip(&dryruns)
                .filter(|(_, reply)| reply.text().as_deref() == Some("OK"))
                .map(|(dangerous, _)| dangerous.name.to_ascii_uppercase())
                .collect(),
        )
    };

    // Latency: sequential PINGs, like `redis-cli --latency`.
    let mut samples = Vec::with_capacity(options.latency_samples);
    for _ in 0..options.latency_samples {
        let start = Instant::now();
        if let RespValue::Error(text) = conn.call(&["PING"]).await? {
            return Err(ProbeError::unreachable(client::describe_refusal(&text)));
        }
        samples.push(start.elapsed().as_micros() as u64);
        round_trips += 1;
    }
    drop(conn);

    // A second connection without credentials: does the server run commands for anyone?
    let unauthenticated_access = match Connection::open(options, &options.endpoint, false, deadline).await {
        Ok((mut anonymous, _)) => {
            round_trips += 2;
            match anonymous.call(&["PING"]).await {
                Ok(RespValue::Error(text)) if text.starts_with("NOAUTH") || text.starts_with("NOPERM") => {
                    Reply::Ok(false)
                }
                Ok(RespValue::Error(text)) => Reply::Denied(client::server_words(&text)),
                Ok(_) => Reply::Ok(true),
                Err(error) => Reply::Denied(error.reason),
            }
        }
        Err(error) => Reply::Denied(error.reason),
    };

    // With TLS on, try the plaintext port too.
    let plaintext_accepted = match (&options.endpoint, &config) {
        (Endpoint::Tcp { host, tls: true, .. }, Reply::Ok(config)) => {
            match config
                .get("port")
                .and_then(|p| p.parse::<u16>().ok())
                .filter(|p| *p != 0)
            {
                None => Some(false),
                Some(port) => {
                    let plain = Endpoint::Tcp {
                        host: host.clone(),
                        port,
                        tls: false,
                    };
                    round_trips += 2;
                    Some(match Connection::open(options, &plain, false, deadline).await {
                        // Any reply, even NOAUTH, is a server answering in plaintext.
                        Ok((mut conn, _)) => conn.call(&["PING"]).await.is_ok(),
                        Err(_) => false,
                    })
                }
            }
        }
        _ => None,
    };

    let host = options.endpoint.is_local().then(read_host_facts);
    Ok(LiveData {
        endpoint: options.endpoint.describe(),
        info,
        config,
        acl_whoami,
        acl_list,
        dangerous_callable,
        dryrun_user,
        slowlog_len,
        role,
        dbsize,
        unauthenticated_access,
        latency: Latency::from_samples(samples),
        tls,
        plaintext_accepted,
        host,
        round_trips,
        elapsed: started.elapsed(),
        secrets: Vec::new(),
        now: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
    })
}

fn read_number(path: &str) -> Option<i64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Kernel settings redis-server warns about at start-up.
fn read_host_facts() -> HostFacts {
    HostFacts {
        overcommit_memory: read_number("/proc/sys/vm/overcommit_memory"),
        transparent_hugepages: std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
            .ok()
            .map(|s| s.trim().to_string()),
        somaxconn: read_number("/proc/sys/net/core/somaxconn"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_percentiles() {
        let l = Latency::from_samples((1..=100).collect()).unwrap();
        assert_eq!((l.min_us, l.p50_us, l.p99_us, l.max_us), (1, 50, 99, 100));
        assert!(Latency::from_samples(vec![]).is_none());
    }

    #[test]
    fn info_parsing() {
        let info = parse_info(
            "# Server\r\nredis_version:7.0.15\r\nused_memory:1024\r\n\r\n# Keyspace\r\ndb0:keys=1,expires=0\r\n",
        )
        .unwrap();
        assert_eq!(info["redis_version"], "7.0.15");
        assert_eq!(info["db0"], "keys=1,expires=0");
    }
}
