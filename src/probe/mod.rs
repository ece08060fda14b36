//! The live probe: connects to the running server, sends only allow-listed
//! read-only commands (pipelined: a handful of round trips plus the latency
//! samples), and returns what it saw. Bounded in time by the connect timeout
//! and a timeout for the whole probe; cost does not grow with the dataset.

pub mod allowlist;
pub mod connect;

use crate::conf::commands::DANGEROUS_COMMANDS;
use crate::facts::Secret;
use connect::{Endpoint, TlsFacts, TlsFiles};
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, RedisConnectionInfo, Value as RespValue};
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

/// Runs the probe on a private single-threaded runtime. Whatever the server
/// sent back (replies, error texts) has the probe's password masked, in case
/// a hostile server echoes what it received.
pub fn run(options: &ProbeOptions) -> Result<LiveData, ProbeError> {
    let password = options
        .password
        .as_ref()
        .map(|p| p.expose().to_string())
        .filter(|p| !p.is_empty());
    let mask = |text: &str| match &password {
        Some(p) if text.contains(p.as_str()) => text.replace(p.as_str(), Secret::REDACTED),
        _ => text.to_string(),
    };
    match run_unmasked(options) {
        Ok(mut data) => {
            for value in data.info.values_mut() {
                *value = mask(value);
            }
            for reply in [&mut data.acl_whoami, &mut data.role] {
                let (Reply::Ok(text) | Reply::Denied(text)) = reply;
                *text = mask(text);
            }
            if let Reply::Denied(text) = &mut data.config {
                *text = mask(text);
            }
            if let Reply::Denied(text) = &mut data.acl_list {
                *text = mask(text);
            }
            if let Reply::Denied(text) = &mut data.dangerous_callable {
                *text = mask(text);
            }
            if let Reply::Denied(text) = &mut data.unauthenticated_access {
                *text = mask(text);
            }
            data.secrets = options.password.iter().cloned().collect();
            Ok(data)
        }
        Err(mut error) => {
            error.reason = mask(&error.reason);
            Err(error)
        }
    }
}

fn run_unmasked(options: &ProbeOptions) -> Result<LiveData, ProbeError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ProbeError::unreachable(format!("cannot start the probe runtime: {e}")))?;
    runtime.block_on(async {
        match tokio::time::timeout(options.timeout, probe(options)).await {
            Ok(result) => result,
            Err(_) => Err(ProbeError::unreachable(format!(
                "the probe did not finish within {:.1} s (--timeout): the server is unreachable or does not answer",
                options.timeout.as_secs_f64()
            ))),
        }
    })
}

fn describe_error(error: &redis::RedisError) -> String {
    let code = error.code().unwrap_or("");
    match code {
        "WRONGPASS" => "authentication failed: wrong username or password (WRONGPASS)".into(),
        "NOAUTH" => "the server requires a password (NOAUTH): set REDIS_PASSWORD, a password in the URL, or --password-file".into(),
        "NOPERM" => format!("the probe's user may not run a command it needs (NOPERM): {}", error.detail().unwrap_or("")),
        _ if error.is_timeout() => "the server did not answer in time".into(),
        _ if error.is_io_error() || error.is_connection_dropped() => {
            "the connection failed or was closed by the server (a TLS port reached with redis://, or not a Redis server?)".into()
        }
        _ if error.kind() == redis::ErrorKind::Parse || error.to_string().contains("parse") || error.to_string().contains("Parse") => {
            "the server answered something that is not the Redis protocol".into()
        }
        _ => {
            // Server error text never includes the password we sent.
            format!("the server refused the probe: {}", error.to_string().lines().next().unwrap_or(""))
        }
    }
}

async fn connection(
    options: &ProbeOptions,
    authenticated: bool,
) -> Result<(MultiplexedConnection, Option<TlsFacts>), ProbeError> {
    let (stream, tls) = connect::open(&options.endpoint, &options.tls, options.connect_timeout).await?;
    // No CLIENT SETINFO, no SELECT, and no AUTH by the redis crate: it hides
    // the server's reason when AUTH fails, and "no password is configured"
    // must not read as "wrong password". AUTH is sent below, allow-listed.
    let info = RedisConnectionInfo::default().set_skip_set_lib_name();
    let config = AsyncConnectionConfig::new().set_response_timeout(Some(options.timeout));
    let (mut connection, driver) = match tokio::time::timeout(
        options.connect_timeout.max(Duration::from_secs(1)),
        MultiplexedConnection::new_with_config(&info, stream, config),
    )
    .await
    {
        Ok(Ok(pair)) => pair,
        Ok(Err(error)) => return Err(ProbeError::unreachable(describe_error(&error))),
        Err(_) => {
            return Err(ProbeError::unreachable(
                "the server accepted the connection but did not answer the handshake",
            ))
        }
    };
    tokio::spawn(driver);
    if let (true, Some(password)) = (authenticated, &options.password) {
        let mut words = vec!["AUTH"];
        if let Some(user) = &options.username {
            words.push(user);
        }
        words.push(password.expose());
        let auth = allowlist::command(&words).map_err(ProbeError::unreachable)?;
        match auth.query_async::<RespValue>(&mut connection).await {
            Ok(_) => {}
            // The server has no password: it runs commands for anyone, which
            // the probe goes on to report.
            Err(error) if error.to_string().contains("without any password configured") => {}
            Err(error) if error.code() == Some("WRONGPASS") || error.to_string().contains("invalid password") => {
                return Err(ProbeError::unreachable(
                    "authentication failed: wrong username or password (WRONGPASS)",
                ))
            }
            Err(error) => return Err(ProbeError::unreachable(describe_error(&error))),
        }
    }
    Ok((connection, tls))
}

fn text_of(value: &RespValue) -> Option<String> {
    match value {
        RespValue::BulkString(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        RespValue::SimpleString(text) => Some(text.clone()),
        RespValue::VerbatimString { text, .. } => Some(text.clone()),
        RespValue::Okay => Some("OK".into()),
        RespValue::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

/// The server's own words for a refused command (`NOPERM this user has no
/// permissions ...`), not the redis crate's labels.
fn denied(error: &redis::RedisError) -> String {
    let text = match (error.code(), error.detail()) {
        (Some(code), Some(detail)) => format!("{code} {detail}"),
        _ => error.to_string(),
    };
    text.lines().next().unwrap_or("").chars().take(200).collect()
}

fn parse_info(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.trim_end().split_once(':'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn parse_config(value: &RespValue) -> Option<BTreeMap<String, String>> {
    match value {
        RespValue::Array(items) => {
            let texts: Vec<String> = items.iter().filter_map(text_of).collect();
            Some(
                texts
                    .chunks(2)
                    .filter(|c| c.len() == 2)
                    .map(|c| (c[0].to_ascii_lowercase(), c[1].clone()))
                    .collect(),
            )
        }
        RespValue::Map(pairs) => Some(
            pairs
                .iter()
                .filter_map(|(k, v)| Some((text_of(k)?.to_ascii_lowercase(), text_of(v)?)))
                .collect(),
        ),
        _ => None,
    }
}

fn reply<T>(result: &redis::RedisResult<RespValue>, convert: impl Fn(&RespValue) -> Option<T>) -> Reply<T> {
    match result {
        Ok(value) => convert(value)
            .map(Reply::Ok)
            .unwrap_or_else(|| Reply::Denied("unexpected reply".into())),
        Err(error) => Reply::Denied(denied(error)),
    }
}

async fn probe(options: &ProbeOptions) -> Result<LiveData, ProbeError> {
    let started = Instant::now();
    let (mut conn, tls) = connection(options, true).await?;
    let mut round_trips = 1;

    // One pipeline for everything that does not depend on an earlier answer.
    let mut pipe = redis::pipe();
    for words in [
        &["PING"][..],
        &["INFO", "all"],
        &["CONFIG", "GET", "*"],
        &["ACL", "WHOAMI"],
        &["ACL", "LIST"],
        &["SLOWLOG", "LEN"],
        &["ROLE"],
        &["DBSIZE"],
    ] {
        pipe.add_command(allowlist::command(words).map_err(ProbeError::unreachable)?);
    }
    let results: Vec<redis::RedisResult<RespValue>> = pipe
        .ignore_errors()
        .query_async(&mut conn)
        .await
        .map_err(|e| ProbeError::unreachable(describe_error(&e)))?;
    round_trips += 1;
    if let Some(Err(error)) = results.first() {
        return Err(ProbeError::unreachable(describe_error(error)));
    }
    let info = match results.get(1) {
        Some(Ok(value)) => parse_info(&text_of(value).unwrap_or_default()),
        Some(Err(error)) => {
            return Err(ProbeError::unreachable(format!(
                "INFO failed, nothing can be checked: {}",
                describe_error(error)
            )))
        }
        None => return Err(ProbeError::unreachable("the server answered the pipeline partially")),
    };
    if info.is_empty() {
        return Err(ProbeError::unreachable("INFO returned nothing: not a Redis server?"));
    }
    let config = results
        .get(2)
        .map(|r| reply(r, parse_config))
        .unwrap_or(Reply::Denied("no reply".into()));
    let acl_whoami = results
        .get(3)
        .map(|r| reply(r, text_of))
        .unwrap_or(Reply::Denied("no reply".into()));
    let acl_list = results
        .get(4)
        .map(|r| {
            reply(r, |v| match v {
                RespValue::Array(items) => Some(items.iter().filter_map(text_of).collect()),
                _ => None,
            })
        })
        .unwrap_or(Reply::Denied("no reply".into()));
    let slowlog_len = results
        .get(5)
        .map(|r| reply(r, |v| text_of(v)?.parse().ok()))
        .unwrap_or(Reply::Denied("no reply".into()));
    let role = results
        .get(6)
        .map(|r| {
            reply(r, |v| match v {
                RespValue::Array(items) => items.first().and_then(text_of),
                _ => None,
            })
        })
        .unwrap_or(Reply::Denied("no reply".into()));
    let dbsize = results
        .get(7)
        .map(|r| reply(r, |v| text_of(v)?.parse().ok()))
        .unwrap_or(Reply::Denied("no reply".into()));

    // Which dangerous commands the application's user may run: asked with
    // ACL DRYRUN, which checks permissions without running anything.
    let dryrun_user = options
        .app_user
        .clone()
        .or_else(|| options.username.clone())
        .or_else(|| acl_whoami.ok().cloned())
        .unwrap_or_else(|| "default".into());
    let mut pipe = redis::pipe();
    for dangerous in DANGEROUS_COMMANDS {
        let mut full = vec!["ACL", "DRYRUN", dryrun_user.as_str()];
        full.extend_from_slice(dangerous.dryrun);
        pipe.add_command(allowlist::command(&full).map_err(ProbeError::unreachable)?);
    }
    let dryruns: Vec<redis::RedisResult<RespValue>> = pipe
        .ignore_errors()
        .query_async(&mut conn)
        .await
        .map_err(|e| ProbeError::unreachable(describe_error(&e)))?;
    round_trips += 1;
    // A command renamed away or removed is "not found": not callable. Any
    // other error (no permission for ACL DRYRUN, no such user, a server older
    // than 7.0) means the answer is unknown, not "nothing is callable".
    let removed = |error: &redis::RedisError| error.to_string().contains("not found");
    let dangerous_callable = if let Some(Err(error)) = dryruns.iter().find(|r| matches!(r, Err(e) if !removed(e))) {
        Reply::Denied(denied(error))
    } else {
        Reply::Ok(
            DANGEROUS_COMMANDS
                .iter()
                .zip(&dryruns)
                .filter(|(_, result)| matches!(result, Ok(v) if text_of(v).as_deref() == Some("OK")))
                .map(|(dangerous, _)| dangerous.name.to_ascii_uppercase())
                .collect(),
        )
    };

    // Latency: sequential PINGs, like `redis-cli --latency`.
    let mut samples = Vec::with_capacity(options.latency_samples);
    let ping = allowlist::command(&["PING"]).map_err(ProbeError::unreachable)?;
    for _ in 0..options.latency_samples {
        let start = Instant::now();
        let _: RespValue = ping
            .query_async(&mut conn)
            .await
            .map_err(|e| ProbeError::unreachable(describe_error(&e)))?;
        samples.push(start.elapsed().as_micros() as u64);
        round_trips += 1;
    }
    drop(conn);

    // A second connection without credentials: does the server run commands for anyone?
    let unauthenticated_access = match connection(options, false).await {
        Ok((mut anonymous, _)) => {
            round_trips += 2;
            let ping = allowlist::command(&["PING"]).map_err(ProbeError::unreachable)?;
            match ping.query_async::<RespValue>(&mut anonymous).await {
                Ok(_) => Reply::Ok(true),
                Err(error) if matches!(error.code(), Some("NOAUTH") | Some("NOPERM")) => Reply::Ok(false),
                Err(error) => Reply::Denied(denied(&error)),
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
                    let plain = ProbeOptions {
                        endpoint: Endpoint::Tcp {
                            host: host.clone(),
                            port,
                            tls: false,
                        },
                        ..options.clone()
                    };
                    round_trips += 2;
                    Some(match connection(&plain, false).await {
                        Ok((mut conn, _)) => {
                            let ping = allowlist::command(&["PING"]).map_err(ProbeError::unreachable)?;
                            match ping.query_async::<RespValue>(&mut conn).await {
                                Ok(_) => true,
                                Err(error) => error.code().is_some(),
                            }
                        }
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
        );
        assert_eq!(info["redis_version"], "7.0.15");
        assert_eq!(info["db0"], "keys=1,expires=0");
    }
}
