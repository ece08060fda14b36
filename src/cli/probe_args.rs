//! `check --probe`: which server, which credentials, which bounds.

use crate::env::redis_url;
use crate::error::InputError;
use crate::facts::Secret;
use crate::run::ProbeRequest;
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
    /// The most one reply may take (`4MiB`, `512KiB`, `1000000`); a larger reply makes the probe
    /// incomplete. Bounds the probe's memory against a hostile or broken server.
    #[arg(long = "max-reply-bytes", value_name = "SIZE", default_value = "4MiB")]
    pub max_reply_bytes: String,
    /// PING round trips for the latency figures (0 to 100000).
    #[arg(long = "latency-samples", value_name = "N", default_value = "100")]
    pub latency_samples: usize,
}

fn seconds(value: f64, flag: &str) -> Result<Duration, InputError> {
    if !(value.is_finite() && value > 0.0 && value <= 3600.0) {
        return Err(InputError::new(format!(
            "{flag} must be more than 0 and at most 3600 seconds"
        )));
    }
    Ok(Duration::from_secs_f64(value))
}

/// `4MiB`, `512KiB`, `4MB`, `1000000`: a size from 1 KiB to 1 GiB.
fn byte_size(text: &str, flag: &str) -> Result<usize, InputError> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let scale: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1024,
        "m" | "mb" => 1000 * 1000,
        "mib" => 1024 * 1024,
        _ => 0,
    };
    number
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|bytes| (1024..=1024 * 1024 * 1024).contains(bytes))
        .ok_or_else(|| {
            InputError::new(format!(
                "{flag} takes a size from 1KiB to 1024MiB, such as 4MiB or 512KiB"
            ))
        })
}

/// The probe part of a run plan; `None` without `--probe` (nothing connects).
pub fn probe_request(args: &ProbeArgs, mode: Option<&str>) -> Result<Option<ProbeRequest>, InputError> {
    let Some(mode) = mode else {
        return Ok(None);
    };
    if let Some(url) = &args.url {
        if redis_url::parse(url).is_ok_and(|u| u.password.is_some()) {
            eprintln!("warning: the password in --url is visible to other users in `ps`; prefer REDIS_PASSWORD or --password-file");
        }
    }
    Ok(Some(ProbeRequest {
        url: args.url.as_deref().map(Secret::new),
        password_file: args.password_file.clone(),
        tls_ca: args.tls_ca.clone(),
        tls_cert: args.tls_cert.clone(),
        tls_key: args.tls_key.clone(),
        connect_timeout: seconds(args.connect_timeout, "--connect-timeout")?,
        timeout: seconds(args.timeout, "--timeout")?,
        latency_samples: args.latency_samples.min(100_000),
        max_reply_bytes: byte_size(&args.max_reply_bytes, "--max-reply-bytes")?,
        required: mode == "required",
    }))
}

#[cfg(test)]
mod tests {
    use super::byte_size;

    #[test]
    fn sizes() {
        assert_eq!(byte_size("4MiB", "x").unwrap(), 4 * 1024 * 1024);
        assert_eq!(byte_size("512KiB", "x").unwrap(), 512 * 1024);
        assert_eq!(byte_size("2mb", "x").unwrap(), 2_000_000);
        assert_eq!(byte_size("100000", "x").unwrap(), 100_000);
        for bad in ["", "MiB", "4GiB", "10", "-1", "4 parsecs", "99999999999999999999999"] {
            assert!(byte_size(bad, "--max-reply-bytes").is_err(), "{bad}");
        }
    }
}
