//! Gather: the only stage that reads input. Env files and the process
//! environment, the live probe (only when asked), every config file (with
//! its includes and ACL file) and the baseline. Everything after this works
//! on values in memory.

use super::{ProbeRequest, RunError, RunPlan};
use crate::conf::catalog::Target;
use crate::conf::{self, LoadOptions, ParsedConfig};
use crate::deploy::kind::{self, Detected};
use crate::deploy::{self, compose, walk, DeployFile, Instance, Kind};
use crate::env::{self, redis_url};
use crate::error::InputError;
use crate::facts::{EnvVar, Origin, Secret, Value};
use crate::probe::connect::{Endpoint, TlsFiles};
use crate::probe::{self, LiveData, ProbeOptions};
use crate::report::baseline::{self, Baseline};
use crate::report::model::InputCounts;
use crate::textfile::{read_text_file, SourceFile};
use std::path::{Path, PathBuf};

/// One Redis instance of a deployment file, with the config it runs.
pub struct DeployTarget {
    /// The deployment file that defines it.
    pub file: std::sync::Arc<PathBuf>,
    pub instance: Instance,
    pub config: ParsedConfig,
}

/// What a run read.
pub struct Gathered {
    /// Redis instances found in compose files, manifests and Helm values.
    pub deployments: Vec<DeployTarget>,
    /// Deployment files' text (and the `.env`/`env_file:` files they read), masked.
    pub deploy_sources: Vec<SourceFile>,
    /// How many files were read and passed over.
    pub inputs: InputCounts,
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
    let classified = classify(plan)?;
    let nothing_else =
        plan.configs.is_empty() && plan.env_files.is_empty() && !plan.process_env && plan.probe.is_none();
    if !plan.inputs.is_empty() && classified.counts.read == 0 && nothing_else {
        let names: Vec<String> = plan.inputs.iter().map(|p| p.display().to_string()).collect();
        return Err(RunError::Input(InputError::new(format!(
            "nothing to check under {}: no redis.conf, sentinel.conf, env, compose, Kubernetes, Helm values, Terraform or cloud description that concerns Redis ({} files passed over)",
            names.join(", "),
            classified.counts.skipped
        ))));
    }
    let classified_walked = classified.walked_configs.clone();
    let mut env_files = plan.env_files.clone();
    env_files.extend(classified.env_files.iter().cloned());
    let (mut vars, env_sources) = env::read_env_files(&env_files)?;
    // App variables of deployment files that name no instance there (an
    // external or managed Redis) are the app's environment too.
    let mut unlinked = false;
    for file in &classified.deploy {
        unlinked |= !file.unlinked_env.is_empty();
        vars.extend(file.unlinked_env.iter().cloned());
    }
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
    let mut configs = plan
        .configs
        .iter()
        .map(|path| conf::load(path, target, &plan.load))
        .collect::<Result<Vec<_>, _>>()?;
    for (path, text, sentinel) in classified.configs {
        let options = LoadOptions {
            sentinel: plan.load.sentinel || sentinel,
            ..plan.load.clone()
        };
        configs.push(conf::load_text(&path, text, target, &options)?);
    }
    let mut deployments = Vec::new();
    let mut deploy_sources = Vec::new();
    for file in classified.deploy {
        deploy_sources.push(file.source.clone());
        deploy_sources.extend(file.extra_sources.iter().cloned());
        for mut instance in file.instances {
            // The image's tag names the release line, unless --redis-version says;
            // it is pinned either way (`config.version-eol` judges the pin).
            let pinned = instance.fact("deploy.image").and_then(|(image, origin)| {
                let line = image.as_str().and_then(compose::image_target)?;
                Some((line, origin.clone()))
            });
            if let Some((line, origin)) = &pinned {
                if instance.fact("deploy.version").is_none() {
                    instance
                        .facts
                        .push(("deploy.version".into(), Value::Str(line.to_string()), origin.clone()));
                }
            }
            let line = plan.version.or(pinned.map(|(line, _)| line)).unwrap_or(target);
            let options = LoadOptions {
                sentinel: plan.load.sentinel || instance.sentinel,
                ..plan.load.clone()
            };
            let pieces = std::mem::take(&mut instance.pieces);
            let config = conf::load_pieces(&file.source.path, pieces, line, &options)?;
            deployments.push(DeployTarget {
                file: file.source.path.clone(),
                instance,
                config,
            });
        }
    }
    // A walked config that a deployment reads is judged there, in its
    // container, not a second time as if it ran on a host.
    let read_by_deployments: std::collections::HashSet<PathBuf> = deployments
        .iter()
        .flat_map(|d| d.config.files.iter().map(|f| canonical(&f.path)))
        .collect();
    configs.retain(|config| {
        let walked_main = config
            .main_file()
            .filter(|main| classified_walked.iter().any(|w| w == main.as_ref()));
        !walked_main.is_some_and(|main| read_by_deployments.contains(&canonical(main)))
    });
    link_managed(&mut deployments, &vars);
    let env_asked = !env_files.is_empty() || plan.process_env;
    let baseline = match &plan.baseline {
        None => None,
        Some(path) => Some((read_baseline(path)?, super::baseline_reason(path))),
    };
    let env = (env_asked || unlinked).then_some(vars);
    Ok(Gathered {
        deployments,
        deploy_sources,
        inputs: classified.counts,
        target,
        configs,
        env,
        env_sources,
        live,
        probe_failure,
        baseline,
    })
}

/// The app's Redis variables and a managed service described in the same
/// run are compared (a `rediss://` URL to a service without TLS): with one
/// managed instance they are linked to it; with several the link is unknown,
/// named, rather than guessed.
fn link_managed(deployments: &mut [DeployTarget], vars: &[EnvVar]) {
    let app: Vec<&EnvVar> = vars
        .iter()
        .filter(|v| deploy::is_redis_variable(&v.name, v.value.expose()))
        .collect();
    if app.is_empty() {
        return;
    }
    let managed: Vec<usize> = deployments
        .iter()
        .enumerate()
        .filter(|(_, d)| d.instance.is_managed())
        .map(|(index, _)| index)
        .collect();
    let link = match managed.len() {
        0 => return,
        1 => Value::Bool(true),
        n => {
            let names: Vec<&str> = app.iter().map(|v| v.name.as_str()).collect();
            let ids: Vec<&str> = managed
                .iter()
                .take(4)
                .map(|&i| deployments[i].instance.id.as_str())
                .collect();
            Value::Unknown {
                unknown: format!(
                    "the app's {} could point at any of {n} managed instances ({}{})",
                    names.first().copied().unwrap_or("variables"),
                    ids.join(", "),
                    if n > ids.len() { ", …" } else { "" }
                ),
            }
        }
    };
    for index in managed {
        let instance = &mut deployments[index].instance;
        if instance.env.is_empty() {
            instance.env = app.iter().map(|v| (*v).clone()).collect();
        }
        instance
            .facts
            .push(("managed.env_link".into(), link.clone(), Origin::Settings));
    }
}

/// The inputs whose kind was detected, sorted by what reads them.
#[derive(Default)]
struct Classified {
    configs: Vec<(PathBuf, String, bool)>,
    /// Config files found by a walk (not named): a deployment that reads one
    /// judges it in its container, so it is no target of its own.
    walked_configs: Vec<PathBuf>,
    env_files: Vec<PathBuf>,
    /// Env files found by a walk (not named).
    walked_env_files: Vec<PathBuf>,
    deploy: Vec<DeployFile>,
    counts: InputCounts,
    /// Terraform variables, locals and linked resources, read once per directory.
    terraform: deploy::terraform::DirCache,
}

/// Detects the kind of every input (walking directories). A file named
/// directly must be of a kind redis-preflight reads; a file found by a walk
/// that is not, or that does not concern Redis, is passed over.
fn classify(plan: &RunPlan) -> Result<Classified, InputError> {
    let mut out = Classified::default();
    let target = plan.version.unwrap_or(Target::DEFAULT);
    for input in &plan.inputs {
        if input.is_dir() {
            out.counts.walked = true;
            let (files, passed_over) = walk::candidate_files(input);
            out.counts.skipped += passed_over;
            for file in files {
                if !examine(&file, None, &target, false, &mut out)? {
                    out.counts.skipped += 1;
                }
            }
        } else {
            examine(input, plan.kind, &target, true, &mut out)?;
        }
    }
    // A walked `.env` beside a compose file is compose's interpolation
    // source (the compose reader reads it as such), not the app's environment.
    let compose_dirs: Vec<PathBuf> = out
        .deploy
        .iter()
        .filter(|file| file.kind == Kind::Compose)
        .filter_map(|file| file.source.path.parent().map(Path::to_path_buf))
        .collect();
    let walked = std::mem::take(&mut out.walked_env_files);
    out.env_files.retain(|path| {
        let interpolation = walked.contains(path)
            && path.file_name().is_some_and(|name| name == ".env")
            && path.parent().is_some_and(|dir| compose_dirs.iter().any(|c| c == dir));
        if interpolation {
            out.counts.read -= 1;
            out.counts.skipped += 1;
        }
        !interpolation
    });
    Ok(out)
}

/// Reads one input and files it by kind; false when a walk passes it over.
fn examine(
    path: &Path,
    forced: Option<Kind>,
    target: &Target,
    named: bool,
    out: &mut Classified,
) -> Result<bool, InputError> {
    let text = match read_text_file(path) {
        Ok(text) => text,
        Err(reason) if named => return Err(InputError::new(reason)),
        Err(_) => return Ok(false),
    };
    let kind = match forced.map(Detected::Kind).unwrap_or_else(|| kind::detect(path, &text)) {
        Detected::Kind(kind) => kind,
        Detected::Other(looks_like) if named => {
            return Err(InputError::new(format!("{}: {looks_like}", path.display())));
        }
        Detected::Other(_) => return Ok(false),
    };
    let deploy = match kind {
        Kind::RedisConf | Kind::SentinelConf => {
            if !named {
                out.walked_configs.push(path.to_path_buf());
            }
            out.configs.push((path.to_path_buf(), text, kind == Kind::SentinelConf));
            out.counts.read += 1;
            return Ok(true);
        }
        Kind::Env => {
            let concerns_redis = named
                || crate::env::dotenv::parse(path, &text)
                    .is_ok_and(|entries| entries.iter().any(|e| deploy::is_redis_variable(&e.name, &e.value)));
            if concerns_redis {
                if !named {
                    out.walked_env_files.push(path.to_path_buf());
                }
                out.env_files.push(path.to_path_buf());
                out.counts.read += 1;
            }
            return Ok(concerns_redis);
        }
        Kind::Compose => compose::read(path, &text, target),
        Kind::Kubernetes => deploy::kubernetes::read(path, &text, target),
        Kind::HelmValues => deploy::helm::read(path, &text, target),
        Kind::Terraform => deploy::terraform::read(path, &text, target, &mut out.terraform),
        Kind::CloudJson => deploy::cloud_json::read(path, &text, target),
    }
    .map_err(InputError::new)?;
    if !named && !deploy.concerns_redis() {
        return Ok(false);
    }
    out.counts.read += 1;
    out.deploy.push(deploy);
    Ok(true)
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

/// A path as the file system names it, so `./redis/redis.conf` and
/// `redis/redis.conf` compare equal (the path itself when it cannot be resolved).
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
