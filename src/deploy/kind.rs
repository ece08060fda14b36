//! What a file is, from its name and content: a redis.conf, a Sentinel
//! config, an env file, a compose file, Kubernetes manifests, Helm values,
//! Terraform or a cloud description. A file that is none of them is said
//! to be what it looks like, never read as a redis.conf.

use super::yaml::{self, Node};
use crate::conf::catalog::{catalog, Target};
use crate::conf::lexer;
use std::fmt;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    RedisConf,
    SentinelConf,
    Env,
    Compose,
    Kubernetes,
    HelmValues,
    Terraform,
    CloudJson,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::RedisConf,
        Kind::SentinelConf,
        Kind::Env,
        Kind::Compose,
        Kind::Kubernetes,
        Kind::HelmValues,
        Kind::Terraform,
        Kind::CloudJson,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::RedisConf => "redis-conf",
            Kind::SentinelConf => "sentinel-conf",
            Kind::Env => "env",
            Kind::Compose => "compose",
            Kind::Kubernetes => "kubernetes",
            Kind::HelmValues => "helm-values",
            Kind::Terraform => "terraform",
            Kind::CloudJson => "cloud-json",
        }
    }

    /// The prefix of target ids of this kind.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Kind::HelmValues => "helm",
            other => other.name(),
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == text)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A file's kind, or what it looks like instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    Kind(Kind),
    /// Not a kind redis-preflight reads; says what it looks like.
    Other(String),
}

/// Names a directory walk looks at at all; everything else is skipped
/// without being opened.
pub fn is_candidate_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    crate::env::is_env_file(path)
        || [".conf", ".yml", ".yaml", ".tf", ".tfvars", ".json"]
            .iter()
            .any(|ending| name.ends_with(ending))
}

/// Detects a file's kind from its name and text.
pub fn detect(path: &Path, text: &str) -> Detected {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if crate::env::is_env_file(path) {
        return Detected::Kind(Kind::Env);
    }
    if name.ends_with(".tf") || name.ends_with(".tfvars") || name.ends_with(".tfvars.json") {
        return Detected::Kind(Kind::Terraform);
    }
    // Before YAML: JSON is YAML too, and would be described as such.
    if name.ends_with(".json") && super::cloud_json::is_description(text) {
        return Detected::Kind(Kind::CloudJson);
    }
    if name.ends_with(".json") {
        return Detected::Other(super::cloud_json::not_a_description(text));
    }
    if name.ends_with(".yml") || name.ends_with(".yaml") || looks_like_yaml(text) && !looks_like_conf(text) {
        return detect_yaml(&name, path, text);
    }
    // A `.conf` is redis-server's unless it is visibly another program's
    // (nginx blocks, INI sections); a misspelt directive is still a finding.
    let other_program = lexer::directive_lines(text)
        .take(200)
        .any(|l| l.text.ends_with('{') || l.text.starts_with('[') || l.text.ends_with(';'));
    if looks_like_conf(text) || name.ends_with(".conf") && !other_program {
        // As redis-server: Sentinel mode comes from the name (or --sentinel),
        // never from `sentinel` lines, which a plain server refuses.
        if name.contains("sentinel") {
            return Detected::Kind(Kind::SentinelConf);
        }
        return Detected::Kind(Kind::RedisConf);
    }
    if text.trim().is_empty() {
        return Detected::Other("an empty file".into());
    }
    Detected::Other(format!(
        "{}, not a redis.conf, env file, compose file, Kubernetes manifest or Helm values (use --kind)",
        describe(&name, text)
    ))
}

fn describe(name: &str, text: &str) -> &'static str {
    if name.ends_with(".conf") {
        "a config file of another program"
    } else if text.trim_start().starts_with('{') || text.trim_start().starts_with('[') {
        "JSON or INI"
    } else if text.trim_start().starts_with('<') {
        "XML or HTML"
    } else {
        "text"
    }
}

/// Most directive lines start with a directive some release line knows.
fn looks_like_conf(text: &str) -> bool {
    let catalog = catalog();
    let mut known = 0usize;
    let mut total = 0usize;
    for line in lexer::directive_lines(text).take(200) {
        let word = line.text.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
        if word.ends_with(':') {
            // `key:` is YAML, never a directive.
            total += 1;
            continue;
        }
        total += 1;
        let known_here = catalog.lookup(&word, &Target::DEFAULT).is_some()
            || !catalog.lines_accepting(&word).is_empty()
            || matches!(
                word.as_str(),
                "include" | "sentinel" | "user" | "rename-command" | "loadmodule"
            );
        known += usize::from(known_here);
    }
    total > 0 && known * 2 > total
}

fn looks_like_yaml(text: &str) -> bool {
    let first = lexer::directive_lines(text).next().map(|l| l.text).unwrap_or("");
    first == "---" || first.starts_with("apiVersion:") || first.split_once(':').is_some_and(|(k, _)| !k.contains(' '))
}

fn detect_yaml(name: &str, path: &Path, text: &str) -> Detected {
    let documents = match yaml::parse(text) {
        Ok(documents) => documents,
        // A YAML file that does not parse is still a YAML file: say why.
        Err(error) => {
            return Detected::Other(format!(
                "YAML that does not parse (line {}: {})",
                error.line, error.message
            ))
        }
    };
    if documents.is_empty() {
        return Detected::Other("an empty YAML file".into());
    }
    if documents
        .iter()
        .any(|d| d.get("apiVersion").is_some() && d.get("kind").is_some())
    {
        return Detected::Kind(Kind::Kubernetes);
    }
    let first = &documents[0];
    let compose_name = name.contains("compose") || name.starts_with("stack") || name.starts_with("docker-");
    if let Some(services) = first.get("services") {
        let service_like = services
            .entries()
            .iter()
            .any(|(_, s)| s.get("image").is_some() || s.get("build").is_some() || s.get("command").is_some());
        if service_like || compose_name && services.is_map() {
            return Detected::Kind(Kind::Compose);
        }
    }
    if is_helm_values(name, path, first) {
        return Detected::Kind(Kind::HelmValues);
    }
    Detected::Other(
        "YAML, but not a compose file, Kubernetes manifest or Helm values for a known Redis chart (use --kind)".into(),
    )
}

/// Values for the bitnami `redis`/`valkey` charts, an umbrella chart with
/// them under `redis:`/`valkey:`, or the `redis-ha` chart.
fn is_helm_values(name: &str, path: &Path, root: &Node) -> bool {
    let chart_keys = |node: &Node| {
        let bitnami = super::helm::bitnami_keys(node);
        let redis_ha = node.get("redis").is_some_and(|r| r.get("config").is_some())
            && (node.get("hardAntiAffinity").is_some()
                || node.get("haproxy").is_some()
                || node.get("sentinel").is_some());
        // OT-CONTAINER-KIT's redis-replication chart.
        let operator = node.get("redisReplication").is_some_and(Node::is_map);
        bitnami >= 2 || redis_ha || operator
    };
    let values_name = name.contains("values");
    let in_chart = path.parent().is_some_and(|dir| dir.join("Chart.yaml").is_file());
    let self_evident = root.get("architecture").is_some() || root.get("redisReplication").is_some();
    if chart_keys(root) && (values_name || in_chart || self_evident) {
        return true;
    }
    ["redis", "valkey", "redis-ha"]
        .iter()
        .any(|key| root.get(key).is_some_and(|sub| sub.is_map() && chart_keys(sub)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str, text: &str) -> Detected {
        detect(Path::new(name), text)
    }

    #[test]
    fn kinds_from_name_and_content() {
        assert_eq!(
            kind("redis.conf", "port 6379\nmaxmemory 1gb\n"),
            Detected::Kind(Kind::RedisConf)
        );
        assert_eq!(
            kind("x.conf", "port 6379\nsentinel monitor m 1.2.3.4 6379 2\n"),
            Detected::Kind(Kind::RedisConf)
        );
        assert_eq!(
            kind("sentinel.conf", "port 26379\n"),
            Detected::Kind(Kind::SentinelConf)
        );
        assert_eq!(kind(".env", "REDIS_URL=redis://x\n"), Detected::Kind(Kind::Env));
        assert_eq!(
            kind("docker-compose.yml", "services:\n  redis:\n    image: redis:7\n"),
            Detected::Kind(Kind::Compose)
        );
        assert_eq!(
            kind("k.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n"),
            Detected::Kind(Kind::Kubernetes)
        );
        assert_eq!(
            kind("values.yaml", "architecture: standalone\nauth:\n  enabled: true\n"),
            Detected::Kind(Kind::HelmValues)
        );
        assert_eq!(
            kind(
                "values.yaml",
                "redis:\n  architecture: replication\n  auth:\n    password: x\n"
            ),
            Detected::Kind(Kind::HelmValues)
        );
        assert!(matches!(kind("a.yaml", "foo: bar\n"), Detected::Other(m) if m.contains("not a compose file")));
        assert!(matches!(
            kind("nginx.conf", "server {\n listen 80;\n}\n"),
            Detected::Other(_)
        ));
        // A compose file without a .yml name is not read as a redis.conf.
        assert_eq!(
            kind("compose", "services:\n  cache:\n    image: valkey/valkey:8\n"),
            Detected::Kind(Kind::Compose)
        );
    }
}
