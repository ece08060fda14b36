//! One connection to the server: allow-listed commands out (pipelined),
//! bounded replies in (`resp`), and every wait — connecting, the TLS
//! handshake, writing, each reply — ends at the probe's one deadline.
//! Whatever the server sends has the probe's password masked as it arrives,
//! so a server that echoes what it received cannot put it in a report.

use super::connect::{self, Endpoint, Stream, TlsFacts};
use super::resp::{self, Limits, RespError, RespValue};
use super::{allowlist, ProbeError, ProbeOptions};
use std::future::Future;
use std::time::Duration;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::time::Instant;

pub struct Connection {
    stream: BufReader<Box<dyn Stream>>,
    limits: Limits,
    deadline: Instant,
    /// The whole probe's `--timeout`, for messages.
    timeout: Duration,
    secret: Option<String>,
}

/// Runs `future` until the probe's deadline; past it, the probe is incomplete
/// and the reason says what it was waiting for.
pub async fn before_deadline<T>(
    deadline: Instant,
    timeout: Duration,
    waiting_for: &str,
    future: impl Future<Output = Result<T, ProbeError>>,
) -> Result<T, ProbeError> {
    match tokio::time::timeout_at(deadline, future).await {
        Ok(result) => result,
        Err(_) => Err(ProbeError::unreachable(format!(
            "the probe did not finish within {:.1} s (--timeout): the server did not answer in time (waiting for {waiting_for})",
            timeout.as_secs_f64()
        ))),
    }
}

/// The first words of a command, for messages (`ACL DRYRUN`, never its arguments).
fn command_name(words: &[&str]) -> String {
    let name: Vec<String> = words
        .iter()
        .take(if allowlist::has_subcommand(words) { 2 } else { 1 })
        .map(|w| w.to_ascii_uppercase())
        .collect();
    name.join(" ")
}

/// The server's error text as the report may show it: one line, bounded.
pub fn server_words(text: &str) -> String {
    text.lines().next().unwrap_or("").chars().take(200).collect()
}

/// What a refusal of the probe's own setup means for the user.
pub fn describe_refusal(text: &str) -> String {
    let code = text.split_whitespace().next().unwrap_or("");
    match code {
        "WRONGPASS" => "authentication failed: wrong username or password (WRONGPASS)".into(),
        "NOAUTH" => {
            "the server requires a password (NOAUTH): set REDIS_PASSWORD, a password in the URL, or --password-file"
                .into()
        }
        "NOPERM" => format!(
            "the probe's user may not run a command it needs (NOPERM): {}",
            server_words(text.trim_start_matches("NOPERM").trim_start())
        ),
        _ => format!("the server refused the probe: {}", server_words(text)),
    }
}

impl Connection {
    /// Opens a connection; with `authenticate`, sends AUTH when the probe has a password.
    pub async fn open(
        options: &ProbeOptions,
        endpoint: &Endpoint,
        authenticate: bool,
        deadline: Instant,
    ) -> Result<(Connection, Option<TlsFacts>), ProbeError> {
        let left = deadline.saturating_duration_since(Instant::now());
        let (stream, tls) = before_deadline(
            deadline,
            options.timeout,
            "the connection",
            connect::open(endpoint, &options.tls, options.connect_timeout.min(left)),
        )
        .await?;
        let mut connection = Connection {
            stream: BufReader::new(stream),
            limits: options.limits,
            deadline,
            timeout: options.timeout,
            secret: options
                .password
                .as_ref()
                .map(|p| p.expose().to_string())
                .filter(|p| !p.is_empty()),
        };
        if let (true, Some(password)) = (authenticate, &options.password) {
            // AUTH is sent here, not by a client library: "no password is
            // configured" must not read as "wrong password".
            let mut words = vec!["AUTH"];
            if let Some(user) = &options.username {
                words.push(user);
            }
            words.push(password.expose());
            match connection.call(&words).await? {
                RespValue::Error(text) if text.contains("without any password configured") => {
                    // The server has no password: it runs commands for anyone, which the probe reports.
                }
                RespValue::Error(text) if text.starts_with("WRONGPASS") || text.contains("invalid password") => {
                    return Err(ProbeError::unreachable(
                        "authentication failed: wrong username or password (WRONGPASS)",
                    ))
                }
                RespValue::Error(text) => return Err(ProbeError::unreachable(describe_refusal(&text))),
                _ => {}
            }
        }
        Ok((connection, tls))
    }

    /// Sends the commands in one write and reads one reply each. An error
    /// reply is a value (`RespValue::Error`); a reply past the limits, a
    /// closed connection or the deadline is the probe's failure.
    pub async fn pipeline(&mut self, commands: &[&[&str]]) -> Result<Vec<RespValue>, ProbeError> {
        let mut bytes = Vec::new();
        for words in commands {
            allowlist::check(words).map_err(ProbeError::unreachable)?;
            bytes.extend_from_slice(&resp::encode(words));
        }
        let stream = &mut self.stream;
        let sent = async {
            stream.write_all(&bytes).await?;
            stream.flush().await
        };
        before_deadline(self.deadline, self.timeout, "the server to take the commands", async {
            sent.await.map_err(|e| {
                ProbeError::unreachable(format!(
                    "the connection failed or was closed by the server while sending commands: {e}"
                ))
            })
        })
        .await?;
        let mut replies = Vec::with_capacity(commands.len());
        for words in commands {
            let name = command_name(words);
            let stream = &mut self.stream;
            let limits = self.limits;
            let mut reply = before_deadline(self.deadline, self.timeout, &format!("the {name} reply"), async {
                resp::read_reply(stream, limits).await.map_err(|error| {
                    let hint = match error {
                        RespError::Closed | RespError::Io(_) => {
                            " (a TLS port reached with redis://, or not a Redis server?)"
                        }
                        _ => "",
                    };
                    ProbeError::unreachable(format!("the {name} reply {error}{hint}"))
                })
            })
            .await?;
            if let Some(secret) = &self.secret {
                if name == "CONFIG GET" {
                    mask_config(&mut reply, secret);
                } else {
                    reply.mask(secret);
                }
            }
            replies.push(reply);
        }
        Ok(replies)
    }

    /// One command, one reply.
    pub async fn call(&mut self, words: &[&str]) -> Result<RespValue, ProbeError> {
        let mut replies = self.pipeline(&[words]).await?;
        replies
            .pop()
            .ok_or_else(|| ProbeError::unreachable("the server sent no reply"))
    }
}

/// CONFIG GET keeps the running passwords (`requirepass` equals the probe's
/// own password on a healthy server): they become secret facts that the
/// password rules judge and no report shows. Every other name and value is
/// masked like any reply.
fn mask_config(reply: &mut RespValue, secret: &str) {
    let is_secret = |name: &RespValue| {
        name.text()
            .is_some_and(|n| crate::conf::SECRET_DIRECTIVES.contains(&n.to_ascii_lowercase().as_str()))
    };
    match reply {
        RespValue::Array(items) => {
            for pair in items.chunks_mut(2) {
                let keep_value = is_secret(&pair[0]);
                for (index, item) in pair.iter_mut().enumerate() {
                    if index == 0 || !keep_value {
                        item.mask(secret);
                    }
                }
            }
        }
        RespValue::Map(pairs) => {
            for (name, value) in pairs.iter_mut() {
                if !is_secret(name) {
                    value.mask(secret);
                }
                name.mask(secret);
            }
        }
        other => other.mask(secret),
    }
}
