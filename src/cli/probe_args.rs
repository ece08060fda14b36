//! `check --probe`: which server, which credentials, which bounds.

use crate::env::redis_url;
use crate::error::InputError;
use crate::facts::{EnvVar, Secret};
use crate::probe::connect::{Endpoint, TlsFiles};
use crate::probe::ProbeOptions;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug, Default)]
pub struct ProbeArgs {
    /// Also audit the running server, read-only: `--probe` (= required: exit 3 when it cannot
    /// complete) or `--probe=optional` (a WARN finding instead). Without it nothing connects.
    #[arg(long, value_name = "MODE", num_args = 0..=1, default_missing_value = "required", value_parser = ["required", "optional"])]
    pub probe: Option<String>,
    /// Server to probe [default: REDIS_URL from --env-file/--env, else from the process environment].
    /// A password here shows in `ps`: prefer REDIS_PASSWORD or --password-file.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Read the probe's password from this file (first line).
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// CA certificate(s) (PEM) to verify the server's TLS certificate [default: the system store].
    #[arg(long = "tls-ca", value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS.
    #[arg(long = "tls-cert", value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// Client private key (PEM) for mutual TLS.
    #[arg(long = "tls-key", value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Seconds to wait for each connection (and TLS handshake).
    #[arg(long = "connect-timeout", value_name = "SECONDS", default_value = "3")]
    pub connect_timeout: f64,
    /// Seconds for the whole probe.
    #[arg(long, value_name = "SECONDS", default_value = "10")]
    pub timeout: f64,
    /// PING round trips for the latency figures (0 to 100000).
    #[arg(long = "latency-samples", value_name = "N", default_value = "100")]
    pub latency_samples: usize,
}

fn last_var<'a>(vars: &'a [EnvVar], name: &str) -> Option<&'a EnvVar> {
    vars.iter().rev().find(|v| v.name == name)
}

fn seconds(value: f64, flag: &str) -> Result<Duration, InputError> {
    if !(value.is_finite() && value > 0.0 && value <= 3600.0) {
        return Err(InputError::new(format!(
            "{flag} must be more than 0 and at most 3600 seconds"
        )));
    }
    Ok(Duration::from_secs_f64(value))
}

/// Builds the probe's options. `env_vars`: from --env-file/--env;
/// the process environment is the last resort for REDIS_URL and REDIS_PASSWORD.
pub fn probe_options(args: &ProbeArgs, env_vars: &[EnvVar]) -> Result<ProbeOptions, InputError> {
    let process = crate::env::read_process_env();
    let from_env = |name: &str| {
        last_var(env_vars, name)
            .or_else(|| last_var(&process, name))
            .map(|v| v.value.clone())
    };
    let (url_text, from_flag) = match &args.url {
        Some(url) => (Secret::new(url.as_str()), true),
        None => (
            from_env("REDIS_URL").ok_or_else(|| {
                InputError::new(
                    "--probe needs a server: pass --url, or set REDIS_URL (in an --env-file or the environment)",
                )
            })?,
            false,
        ),
    };
    let url = redis_url::parse(url_text.expose()).map_err(|reason| {
        let source = if from_flag { "--url" } else { "REDIS_URL" };
        InputError::new(format!("{source} is not a valid Redis URL: {reason}"))
    })?;
    if from_flag && url.password.is_some() {
        eprintln!("warning: the password in --url is visible to other users in `ps`; prefer REDIS_PASSWORD or --password-file");
    }
    let password = match &args.password_file {
        Some(path) => {
            let text = crate::conf::read_text_file(path)
                .map_err(|reason| InputError::new(format!("password file {reason}")))?;
            Some(Secret::new(text.lines().next().unwrap_or("").trim_end_matches('\r')))
        }
        None => url
            .password
            .clone()
            .map(Secret::new)
            .or_else(|| from_env("REDIS_PASSWORD")),
    }
    .filter(|p| !p.expose().is_empty());
    // Dangerous commands are checked for the application's user: the one in
    // REDIS_URL, which may differ from the probe's own (--url).
    let app_user = from_env("REDIS_URL")
        .and_then(|app| redis_url::parse(app.expose()).ok())
        .map(|app| app.username.unwrap_or_else(|| "default".into()))
        .or_else(|| url.username.clone());
    let endpoint = match (&url.socket_path, &url.host, url.port) {
        (Some(path), _, _) => Endpoint::Unix {
            path: PathBuf::from(path),
        },
        (None, Some(host), Some(port)) => Endpoint::Tcp {
            host: host.clone(),
            port: u16::try_from(port).map_err(|_| InputError::new(format!("port {port} is out of range")))?,
            tls: url.tls,
        },
        _ => return Err(InputError::new("the Redis URL has no host")),
    };
    Ok(ProbeOptions {
        endpoint,
        username: url.username.clone(),
        password,
        tls: TlsFiles {
            ca: args.tls_ca.clone(),
            cert: args.tls_cert.clone(),
            key: args.tls_key.clone(),
        },
        connect_timeout: seconds(args.connect_timeout, "--connect-timeout")?,
        timeout: seconds(args.timeout, "--timeout")?,
        latency_samples: args.latency_samples.min(100_000),
        app_user,
    })
}
