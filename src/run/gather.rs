//! Gather: the only stage that reads input. Env files and the process
//! environment, the live probe (only when asked), every config file (with
//! its includes and ACL file) and the baseline. Everything after this works
//! on values in memory.

use super::{ProbeRequest, RunError, RunPlan};
use crate::conf::catalog::Target;
use crate::conf::{self, ParsedConfig};
use crate::env::{self, redis_url};
use crate::error::InputError;
use crate::facts::{EnvVar, Secret};
use crate::probe::connect::{Endpoint, TlsFiles};
use crate::probe::{self, LiveData, ProbeOptions};
use crate::report::baseline::{self, Baseline};
use crate::textfile::{read_text_file, SourceFile};
use std::path::{Path, PathBuf};

/// What a run read.
pub struct Gathered {
    /// The release line the files are judged by (explicit, else the probed server's).
    pub target: Target,
    pub configs: Vec<ParsedConfig>,
    /// `None`: no env source was asked for, and env rules do not run.
    pub env: Option<Vec<EnvVar>>,
    /// The env files' text, masked.
    pub env_sources: Vec<SourceFile>,
    pub live: Option<LiveData>,
    /// Why an optional probe could not complete.
    pub probe_failure: Option<String>,
    /// A baseline to apply, with the reason suppressed findings will show.
    pub baseline: Option<(Baseline, String)>,
}

pub fn gather(plan: &RunPlan) -> Result<Gathered, RunError> {
    let (mut vars, env_sources) = env::read_env_files(&plan.env_files)?;
    // Read once: the env rules use it with `--env`, the probe as the last
    // place to find REDIS_URL and REDIS_PASSWORD.
    let process = if plan.process_env || plan.probe.is_some() {
        env::read_process_env()
    } else {
        Vec::new()
    };
    if plan.process_env {
        vars.extend(process.iter().cloned());
    }
    let mut target = plan.version.unwrap_or(Target::DEFAULT);
    let (live, probe_failure) = match &plan.probe {
        None => (None, None),
        Some(request) => {
            let options = probe_options(request, &vars, &process)?;
            match probe::run(&options) {
                Ok(data) => {
                    // Without an explicit version, judge the file by the version that runs.
                    if plan.version.is_none() {
                        if let Some(running) = running_version(&data) {
                            target = running;
                        }
                    }
                    (Some(data), None)
                }
                Err(error) if error.usage => return Err(RunError::Input(InputError::new(error.reason))),
                Err(error) if request.required => {
                    return Err(RunError::ProbeIncomplete(format!(
                        "the live probe of {} could not complete: {}",
                        options.endpoint.describe(),
                        error.reason
                    )))
                }
                Err(error) => (None, Some(format!("{}: {}", options.endpoint.describe(), error.reason))),
            }
        }
    };
    let configs = plan
        .configs
        .iter()
        .map(|path| conf::load(path, target, &plan.load))
        .collect::<Result<Vec<_>, _>>()?;
    let baseline = match &plan.baseline {
        None => None,
        Some(path) => Some((read_baseline(path)?, super::baseline_reason(path))),
    };
    let env = (!plan.env_files.is_empty() || plan.process_env).then_some(vars);
    Ok(Gathered {
        target,
        configs,
        env,
        env_sources,
        live,
        probe_failure,
        baseline,
    })
}

fn running_version(data: &LiveData) -> Option<Target> {
    let running = data
        .info
        .get("valkey_version")
        .map(|v| format!("valkey-{v}"))
        .or_else(|| data.info.get("redis_version").cloned())?;
    Target::parse(&running).ok()
}

fn read_baseline(path: &Path) -> Result<Baseline, InputError> {
    let text = read_text_file(path).map_err(|reason| InputError::new(format!("baseline {reason}")))?;
    baseline::parse(&text).map_err(|reason| InputError::new(format!("{}: {reason}", path.display())))
}

fn last_var<'a>(vars: &'a [EnvVar], name: &str) -> Option<&'a EnvVar> {
    vars.iter().rev().find(|v| v.name == name)
}

/// The probe's options: the server from `--url`, else `REDIS_URL` from the
/// env sources, else the process environment; the password from a file, the
/// URL or `REDIS_PASSWORD`.
fn probe_options(request: &ProbeRequest, env_vars: &[EnvVar], process: &[EnvVar]) -> Result<ProbeOptions, InputError> {
    let from_env = |name: &str| {
        last_var(env_vars, name)
            .or_else(|| last_var(process, name))
            .map(|v| v.value.clone())
    };
    let (url_text, from_flag) = match &request.url {
        Some(url) => (url.clone(), true),
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
    let password = match &request.password_file {
        Some(path) => {
            let text = read_text_file(path).map_err(|reason| InputError::new(format!("password file {reason}")))?;
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
            ca: request.tls_ca.clone(),
            cert: request.tls_cert.clone(),
            key: request.tls_key.clone(),
        },
        connect_timeout: request.connect_timeout,
        timeout: request.timeout,
        latency_samples: request.latency_samples,
        app_user,
        limits: probe::resp::Limits {
            max_reply_bytes: request.max_reply_bytes,
            ..probe::resp::Limits::default()
        },
    })
}
