//! Redis where containers keep it: compose files, Kubernetes manifests and
//! Helm values. Each reader finds the Redis/Valkey instances a file defines
//! and turns each into what redis-server would read (`conf::Piece`s: a
//! mounted or embedded redis.conf, then its command-line options) plus the
//! facts only a deployment has (published ports, where a password comes
//! from), and the application variables that point at it.
//!
//! An input module: it reads files and knows no CLI, rules or reports.

pub mod cloud_json;
pub mod compose;
pub mod helm;
pub mod kind;
pub mod kubernetes;
pub mod managed;
pub mod mask;
pub mod terraform;
pub mod walk;
pub mod yaml;

use crate::conf::Piece;
use crate::facts::{EnvVar, Origin, Value};
use crate::textfile::{LineIndex, SourceFile};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use kind::Kind;

/// A Redis or Valkey server a deployment file defines.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Stable id: `compose:deploy/docker-compose.yml#redis`.
    pub id: String,
    pub kind: Kind,
    /// What redis-server reads, in order.
    pub pieces: Vec<Piece>,
    /// Sentinel mode (`redis-sentinel`, `--sentinel`).
    pub sentinel: bool,
    /// `deploy.*` facts.
    pub facts: Vec<(String, Value, Origin)>,
    /// The application's variables that point at this instance.
    pub env: Vec<EnvVar>,
}

impl Instance {
    /// A fact of the instance, with where it came from.
    pub fn fact(&self, path: &str) -> Option<(&Value, &Origin)> {
        self.facts
            .iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, value, origin)| (value, origin))
    }

    /// A managed service's resource (Terraform, a cloud description).
    pub fn is_managed(&self) -> bool {
        self.fact("managed.service").is_some()
    }
}

/// What one deployment file holds.
#[derive(Debug, Clone)]
pub struct DeployFile {
    pub kind: Kind,
    /// The file's text, masked.
    pub source: SourceFile,
    pub instances: Vec<Instance>,
    /// Other files read for it (`.env` beside a compose file, `env_file:`), masked.
    pub extra_sources: Vec<SourceFile>,
    /// Application variables that name Redis but no instance in the file
    /// (an external or managed server).
    pub unlinked_env: Vec<EnvVar>,
}

impl DeployFile {
    /// Whether the file concerns Redis at all (a directory walk skips the rest).
    pub fn concerns_redis(&self) -> bool {
        !self.instances.is_empty() || !self.unlinked_env.is_empty()
    }
}

/// Positions in one file, for origins.
pub struct Locator {
    pub path: Arc<PathBuf>,
    index: LineIndex,
    text: Arc<str>,
}

impl Locator {
    pub fn new(path: Arc<PathBuf>, text: Arc<str>) -> Locator {
        Locator {
            index: LineIndex::new(&text),
            path,
            text,
        }
    }

    pub fn origin(&self, span: Range<usize>) -> Origin {
        let (line, column) = self.index.line_column(&self.text, span.start);
        Origin::File {
            file: self.path.clone(),
            line,
            column,
            offset: span.start,
            len: span.end.saturating_sub(span.start),
        }
    }

    /// An application variable set in this file.
    pub fn env_var(&self, name: &str, value: &str, span: Range<usize>) -> EnvVar {
        self.variable(name, value, None, span)
    }

    /// An application variable this file sets from elsewhere (a Secret).
    pub fn env_reference(&self, name: &str, reference: &str, span: Range<usize>) -> EnvVar {
        self.variable(name, "", Some(reference.to_string()), span)
    }

    fn variable(&self, name: &str, value: &str, reference: Option<String>, span: Range<usize>) -> EnvVar {
        let (line, column) = self.index.line_column(&self.text, span.start);
        EnvVar {
            reference,
            name: name.to_string(),
            value: crate::facts::Secret::new(value),
            origin: Origin::Env {
                var: name.to_string(),
                file: Some(self.path.clone()),
                line: Some(line),
                column: Some(column),
                offset: Some(span.start),
                len: Some(span.end.saturating_sub(span.start)),
            },
        }
    }
}

/// An input error in a deployment file, with its position.
pub fn yaml_error(path: &Path, error: &yaml::YamlError) -> String {
    format!(
        "{}:{}:{}: not valid YAML: {}",
        path.display(),
        error.line,
        error.column,
        error.message
    )
}

/// A repo-relative, forward-slash form of a path for target ids.
pub fn id_path(path: &Path) -> String {
    let text = path.display().to_string().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// A Bitnami Redis or Valkey image (`bitnami/redis-cluster`, and the
/// `bitnamilegacy/` copies Bitnami moved them to in 2025): configured by
/// its `REDIS_*`/`VALKEY_*` variables.
pub fn is_bitnami_image(image: &str) -> bool {
    let image = image.to_ascii_lowercase();
    [
        "bitnami/redis",
        "bitnami/valkey",
        "bitnamilegacy/redis",
        "bitnamilegacy/valkey",
    ]
    .iter()
    .any(|b| image.contains(b))
}

/// Whether an image runs Redis or Valkey (official, bitnami, redis-stack,
/// valkey, or a registry mirror of them).
pub fn is_redis_image(image: &str) -> bool {
    let name = image.rsplit('/').next().unwrap_or(image);
    let name = name.split(['@', ':']).next().unwrap_or(name).to_ascii_lowercase();
    let repo = image.split(['@', ':']).next().unwrap_or(image).to_ascii_lowercase();
    matches!(
        name.as_str(),
        "redis" | "valkey" | "redis-stack" | "redis-stack-server" | "keydb"
    ) || repo.ends_with("bitnami/redis")
        || repo.ends_with("bitnami/valkey")
        || (name.starts_with("redis")
            && !name.contains("exporter")
            && !name.contains("commander")
            && !name.contains("insight"))
        || (name.starts_with("valkey") && !name.contains("exporter"))
}

/// Whether an image is a Redis metrics exporter (evidence of monitoring).
pub fn is_exporter_image(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    lower.contains("redis_exporter") || lower.contains("redis-exporter") || lower.contains("valkey-exporter")
}

/// Application variables that tell how to reach Redis: `REDIS_*`,
/// `VALKEY_*`, prefixed forms (`CACHE_REDIS_URL`, `APP__REDIS_HOST`), and any
/// variable whose value is a Redis URL (`CELERY_BROKER_URL`).
pub fn is_redis_variable(name: &str, value: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.contains("REDIS") || upper.contains("VALKEY") || is_redis_url(value)
}

pub fn is_redis_url(value: &str) -> bool {
    crate::env::is_redis_url(value)
}
