//! Helm values of the Redis charts: bitnami `redis` (the layout from 14.0.0
//! and the one before it) and bitnami `valkey` (`primary`/`replica`), at the
//! root of the values or under an umbrella chart's `redis:`/`valkey:` key;
//! DandyDeveloper's `redis-ha` (root or `redis-ha:`); OT-CONTAINER-KIT's
//! `redis-replication`. Each chart found is one [`Instance`], its primary
//! server: the config the chart writes for it (start-script options as
//! `ArgLine`s whose spans point at the value that decided them, redis.conf
//! text embedded in block scalars) and the `deploy.*` facts.
//!
//! A key the values leave out takes the chart's default from
//! [`CHART_DEFAULTS`] (one chart version each, named in
//! `deploy.chart_defaults`). A default points at the start of the chart's
//! section: the `redis:`/`valkey:`/`redis-ha:` key of an umbrella chart, the
//! first key of the file otherwise. Values merge as Helm merges them: a map
//! merges with the default key by key, a list or scalar replaces it, and
//! `null` removes it (the template then sees nothing: false, empty). A
//! condition is true as Go templates see it (a non-empty string, even
//! `"false"`, is true); an unquoted `yes`/`no`/`on`/`off` is a boolean, as
//! for Helm's YAML 1.1 reader, and renders as `true`/`false`.
//!
//! Directives neither the chart nor the values set are read as
//! redis-server's compiled-in defaults. The bitnami images start
//! redis-server from their own scripts around the chart's config, so a pod
//! may differ on a directive nobody wrote; that is accepted here.
//!
//! Only the primary is described: a replica's own `replica.configuration`,
//! `replica.extraFlags` and `replica.disableCommands` are not read into the
//! instance (they configure other servers, and reading them into the same
//! config would make "set twice" out of two servers' settings), except that
//! with Sentinel every bitnami node is started with `replica.extraFlags`.

use super::yaml::{self, Node, Scalar, Style};
use super::{id_path, mask, DeployFile, Instance, Kind, Locator};
use crate::conf::argv::{self, Word};
use crate::conf::catalog::Target;
use crate::conf::lexer::{self, Arg};
use crate::conf::{ArgLine, Opaque, Piece, TEMPLATE_MARKERS};
use crate::facts::{Origin, Value};
use crate::textfile::{mask_ranges, SourceFile};
use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// The defaults of one chart version, for keys its values may leave out.
#[derive(Debug)]
pub struct ChartDefaults {
    pub chart: &'static str,
    /// The chart version the defaults are taken from.
    pub version: &'static str,
    /// That version's values.yaml.
    pub values_yaml: &'static str,
    /// Key path → default, as YAML (`~` where the chart's values.yaml leaves
    /// the key out or null, so the templates see nothing).
    pub defaults: &'static [(&'static str, &'static str)],
}

/// The chart defaults applied when the values leave a key out: the only
/// chart knowledge here besides what the templates do with the keys.
pub const CHART_DEFAULTS: [ChartDefaults; 5] = [
    ChartDefaults {
        chart: "bitnami/redis",
        version: "23.1.0",
        values_yaml: "https://github.com/bitnami/charts/blob/38684e07d2e5ef68f4c2ff9dcdcf61a3c700c1e8/bitnami/redis/values.yaml",
        defaults: &[
            ("architecture", "replication"),
            ("auth.enabled", "true"),
            ("auth.password", r#""""#),
            ("auth.existingSecret", r#""""#),
            ("commonConfiguration", r#""appendonly yes\nsave \"\"""#),
            ("existingConfigmap", r#""""#),
            ("master.configuration", r#""""#),
            ("master.disableCommands", "[FLUSHDB, FLUSHALL]"),
            ("master.extraFlags", "[]"),
            ("master.containerPorts.redis", "6379"),
            ("master.persistence.enabled", "true"),
            ("master.service.type", "ClusterIP"),
            ("replica.replicaCount", "3"),
            ("replica.extraFlags", "[]"),
            ("replica.service.type", "ClusterIP"),
            ("sentinel.enabled", "false"),
            ("sentinel.quorum", "2"),
            ("sentinel.service.type", "ClusterIP"),
            ("tls.enabled", "false"),
            ("tls.authClients", "true"),
            ("networkPolicy.enabled", "true"),
            ("networkPolicy.allowExternal", "true"),
            ("metrics.enabled", "false"),
        ],
    },
    ChartDefaults {
        chart: "bitnami/redis",
        version: "10.9.0",
        values_yaml: "https://github.com/bitnami/charts/blob/10b54e81930508fc6843cf2e6b71aedcf25344bb/bitnami/redis/values.yaml",
        defaults: &[
            ("cluster.enabled", "true"),
            ("cluster.slaveCount", "2"),
            ("usePassword", "true"),
            ("password", r#""""#),
            ("existingSecret", "~"),
            ("configmap", r#""appendonly yes\nsave \"\"""#),
            ("master.configmap", "~"),
            ("master.disableCommands", "[FLUSHDB, FLUSHALL]"),
            ("master.extraFlags", "[]"),
            ("redisPort", "6379"),
            ("master.persistence.enabled", "true"),
            ("master.service.type", "ClusterIP"),
            ("slave.extraFlags", "[]"),
            ("slave.service.type", "ClusterIP"),
            ("sentinel.enabled", "false"),
            ("sentinel.quorum", "2"),
            ("sentinel.service.type", "ClusterIP"),
            ("tls.enabled", "false"),
            ("tls.authClients", "true"),
            ("networkPolicy.enabled", "false"),
            ("networkPolicy.allowExternal", "~"),
            ("metrics.enabled", "false"),
        ],
    },
    ChartDefaults {
        chart: "bitnami/valkey",
        version: "4.0.2",
        values_yaml: "https://github.com/bitnami/charts/blob/0b16d82f0d3816c42e8490a4c4fc7c4faf8ed1d1/bitnami/valkey/values.yaml",
        defaults: &[
            ("architecture", "replication"),
            ("auth.enabled", "true"),
            ("auth.password", r#""""#),
            ("auth.existingSecret", r#""""#),
            ("commonConfiguration", r#""appendonly yes\nsave \"\"""#),
            ("existingConfigmap", r#""""#),
            ("primary.configuration", r#""""#),
            ("primary.disableCommands", "[FLUSHDB, FLUSHALL]"),
            ("primary.extraFlags", "[]"),
            ("primary.containerPorts.valkey", "6379"),
            ("primary.persistence.enabled", "true"),
            ("primary.service.type", "ClusterIP"),
            ("replica.replicaCount", "3"),
            ("replica.extraFlags", "[]"),
            ("replica.service.type", "ClusterIP"),
            ("sentinel.enabled", "false"),
            ("sentinel.quorum", "2"),
            ("sentinel.service.type", "ClusterIP"),
            ("tls.enabled", "false"),
            ("tls.authClients", "true"),
            ("networkPolicy.enabled", "true"),
            ("networkPolicy.allowExternal", "true"),
            ("metrics.enabled", "false"),
        ],
    },
    ChartDefaults {
        chart: "redis-ha",
        version: "4.x (values.yaml at commit 2e2539a)",
        values_yaml: "https://github.com/DandyDeveloper/charts/blob/2e2539a8960ead2c268f48bdde3b2cdf2b2f1ac8/charts/redis-ha/values.yaml",
        defaults: &[
            ("replicas", "3"),
            ("auth", "false"),
            ("redisPassword", "~"),
            ("existingSecret", "~"),
            ("authKey", "auth"),
            ("redis.port", "6379"),
            ("redis.tlsPort", "~"),
            ("redis.tlsReplication", "~"),
            ("redis.authClients", r#""""#),
            ("redis.disableCommands", "[FLUSHDB, FLUSHALL]"),
            (
                "redis.config",
                r#"{min-replicas-to-write: 1, min-replicas-max-lag: 5, maxmemory: "0", maxmemory-policy: "volatile-lru", save: "900 1", repl-diskless-sync: "yes", rdbcompression: "yes", rdbchecksum: "yes"}"#,
            ),
            ("redis.customConfig", "~"),
            ("sentinel.tlsPort", "~"),
            ("sentinel.quorum", "2"),
            ("hardAntiAffinity", "true"),
            ("persistentVolume.enabled", "true"),
            ("networkPolicy.enabled", "false"),
            ("haproxy.enabled", "false"),
            ("haproxy.service.type", "ClusterIP"),
            ("exporter.enabled", "false"),
        ],
    },
    ChartDefaults {
        chart: "ot-container-kit/redis-replication",
        version: "(version not recorded; values.yaml at commit f3b6dce)",
        values_yaml: "https://github.com/OT-CONTAINER-KIT/redis-operator/blob/f3b6dce31ae5ef14eed6e672281ebaaef0acb163/charts/redis-replication/values.yaml",
        defaults: &[
            ("redisReplication.clusterSize", "3"),
            ("redisReplication.redisSecret.secretName", r#""""#),
            ("redisReplication.redisSecret.secretKey", r#""""#),
            ("redisReplication.serviceType", "ClusterIP"),
            ("externalConfig.enabled", "false"),
            (
                "externalConfig.data",
                r#""tcp-keepalive 400\nslowlog-max-len 158\nstream-node-max-bytes 2048\n""#,
            ),
            ("externalService.enabled", "false"),
            ("externalService.serviceType", "NodePort"),
            ("redisExporter.enabled", "false"),
            ("TLS.ca", "ca.crt"),
            ("TLS.cert", "tls.crt"),
            ("TLS.key", "tls.key"),
            ("TLS.secret.secretName", r#""""#),
            ("sentinel.enabled", "false"),
            (
                "storageSpec",
                "{volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}}",
            ),
        ],
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chart {
    Redis,
    RedisBefore14,
    Valkey,
    RedisHa,
    OtReplication,
}

impl Chart {
    fn defaults(self) -> &'static ChartDefaults {
        &CHART_DEFAULTS[match self {
            Chart::Redis => 0,
            Chart::RedisBefore14 => 1,
            Chart::Valkey => 2,
            Chart::RedisHa => 3,
            Chart::OtReplication => 4,
        }]
    }
}

/// A chart the values configure.
struct Found<'a> {
    chart: Chart,
    /// The chart's values (the root, or the umbrella's `redis:` map).
    values: &'a Node,
    /// `redis`, `valkey`, `redis-ha`, `redis-replication`: the instance id's tail.
    key: &'static str,
    /// Where the chart's defaults point.
    anchor: Range<usize>,
    /// Under an umbrella chart's key.
    nested: bool,
}

/// Reads Helm values (their text already read).
pub fn read(path: &Path, text: &str, target: &Target) -> Result<DeployFile, String> {
    let documents = yaml::parse(text).map_err(|e| super::yaml_error(path, &e))?;
    let empty = Node::Map(Vec::new(), 0..0);
    let root = documents.first().unwrap_or(&empty);
    if !root.is_map() {
        return Err(format!(
            "{}: Helm values must be a mapping of keys, not a {}",
            path.display(),
            if root.as_seq().is_some() {
                "list"
            } else {
                "single value"
            }
        ));
    }
    let found = find_charts(path, root);
    let mut masks = mask::secret_ranges(text, &documents);
    masks.extend(config_masks(text, &documents, &found, target));
    let file = Arc::new(path.to_path_buf());
    let shown: Arc<str> = Arc::from(mask_ranges(text, &masks));
    let locator = Locator::new(file.clone(), shown.clone());
    let source = SourceFile {
        path: file,
        text: shown,
    };
    let mut instances = Vec::new();
    for chart in &found {
        let mut build = Build {
            text,
            source: &source,
            locator: &locator,
            pieces: Vec::new(),
            lines: Vec::new(),
            facts: Vec::new(),
            secrets: HashSet::new(),
        };
        let values = Values {
            node: chart.values,
            defaults: chart.chart.defaults(),
            anchor: chart.anchor.clone(),
        };
        let defaults = chart.chart.defaults();
        let mut said = format!("{} {} defaults", defaults.chart, defaults.version);
        match chart_yaml_version(path, chart.chart_name(), chart.nested) {
            Some(version) => said.push_str(&format!(" (the Chart.yaml beside the values names version {version})")),
            None if chart.chart == Chart::RedisBefore14 => {
                said.push_str(" (the values use the layout of the charts before 14.0.0 and name no chart version)")
            }
            None => said.push_str(" (the values name no chart version)"),
        }
        let at = chart.anchor.clone();
        build.fact("kind", Value::Str("helm".into()), at.clone());
        build.fact("container", Value::Bool(true), at.clone());
        build.fact("chart", Value::Str(defaults.chart.into()), at.clone());
        build.fact("chart_defaults", Value::Str(said), at);
        if let Some((image, span)) = image_of(chart) {
            build.fact("image", Value::Str(image), span);
        }
        match chart.chart {
            Chart::Redis | Chart::RedisBefore14 | Chart::Valkey => bitnami(chart, &values, root, target, &mut build),
            Chart::RedisHa => redis_ha(&values, target, &mut build),
            Chart::OtReplication => ot_replication(&values, &mut build),
        }
        build.flush();
        instances.push(Instance {
            id: format!("helm:{}#{}", id_path(path), chart.key),
            kind: Kind::HelmValues,
            pieces: build.pieces,
            sentinel: false,
            facts: build.facts,
            env: Vec::new(),
        });
    }
    Ok(DeployFile {
        kind: Kind::HelmValues,
        source,
        instances,
        extra_sources: Vec::new(),
        unlinked_env: Vec::new(),
    })
}

impl Found<'_> {
    /// The chart's name in a Chart.yaml (`name:`, or a dependency's name or alias).
    fn chart_name(&self) -> &'static str {
        match self.chart {
            Chart::Redis | Chart::RedisBefore14 => "redis",
            Chart::Valkey => "valkey",
            Chart::RedisHa => "redis-ha",
            Chart::OtReplication => "redis-replication",
        }
    }
}

/// Keys only the bitnami redis/valkey charts' values have together.
pub const BITNAMI_KEYS: [&str; 12] = [
    "architecture",
    "auth",
    "master",
    "primary",
    "replica",
    "sentinel",
    "commonConfiguration",
    "existingConfigmap",
    "usePassword",
    "cluster",
    "configmap",
    "slave",
];

/// How many of the bitnami charts' top-level keys a mapping has (two or more: it is their values).
pub fn bitnami_keys(node: &Node) -> usize {
    BITNAMI_KEYS.iter().filter(|k| node.get(k).is_some()).count()
}

/// `redis.config`/`redis.masterGroupName` beside `hardAntiAffinity`, `haproxy`, `sentinel` or `redisPassword`.
fn is_redis_ha(node: &Node) -> bool {
    let redis = node.get("redis");
    redis.is_some_and(|r| {
        r.get("config").is_some() || r.get("masterGroupName").is_some() || r.get("customConfig").is_some()
    }) && ["hardAntiAffinity", "haproxy", "sentinel", "redisPassword", "replicas"]
        .iter()
        .any(|k| node.get(k).is_some())
}

/// Whether an umbrella chart turns its subchart off (`redis.enabled: false`).
fn disabled(node: &Node) -> bool {
    node.get("enabled").is_some_and(|e| !truthy(e))
}

fn find_charts<'a>(path: &Path, root: &'a Node) -> Vec<Found<'a>> {
    let start = root.span().start;
    let root_anchor = start..start;
    if is_redis_ha(root) {
        return vec![Found {
            chart: Chart::RedisHa,
            values: root,
            key: "redis-ha",
            anchor: root_anchor,
            nested: false,
        }];
    }
    if root.get("redisReplication").is_some_and(Node::is_map) {
        return vec![Found {
            chart: Chart::OtReplication,
            values: root,
            key: "redis-replication",
            anchor: root_anchor,
            nested: false,
        }];
    }
    let mut found = Vec::new();
    for key in ["redis", "valkey", "redis-ha"] {
        let Some((key_node, node)) = root.entry(key) else {
            continue;
        };
        if !node.is_map() {
            continue;
        }
        let only_enabled =
            !node.entries().is_empty() && node.entries().iter().all(|(k, _)| k.as_str() == Some("enabled"));
        let (chart, key) = match key {
            // The key names the chart (argo-cd's umbrella turns it on with `redis-ha.enabled`).
            "redis-ha" => (Chart::RedisHa, "redis-ha"),
            "redis" if bitnami_keys(node) > 0 || only_enabled => (bitnami_layout(node, false), "redis"),
            "valkey" if bitnami_keys(node) > 0 || only_enabled => (Chart::Valkey, "valkey"),
            _ => continue,
        };
        // The subchart was found; it is an instance unless the umbrella turns it off.
        if disabled(node) {
            found.push(None);
            continue;
        }
        found.push(Some(Found {
            chart,
            values: node,
            key,
            anchor: key_node.span(),
            nested: true,
        }));
    }
    if !found.is_empty() {
        return found.into_iter().flatten().collect();
    }
    let strong = root.get("architecture").is_some() || root.get("commonConfiguration").is_some();
    if strong || bitnami_keys(root) >= 2 {
        let named = names_valkey(path)
            || root
                .path(&["image", "repository"])
                .and_then(Node::as_str)
                .is_some_and(|r| r.contains("valkey"));
        // A name that says valkey does not overrule values in the redis chart's layout.
        let valkey = named && !(root.get("master").is_some() && root.get("primary").is_none());
        let chart = bitnami_layout(root, valkey);
        return vec![Found {
            chart,
            values: root,
            key: if chart == Chart::Valkey { "valkey" } else { "redis" },
            anchor: root_anchor,
            nested: false,
        }];
    }
    Vec::new()
}

/// Which bitnami values layout a map has.
fn bitnami_layout(node: &Node, valkey: bool) -> Chart {
    let has = |k: &str| node.get(k).is_some();
    if valkey || (has("primary") && !has("master")) || node.path(&["global", "valkey"]).is_some() {
        Chart::Valkey
    } else if (has("usePassword") || has("cluster") || has("configmap") || has("slave"))
        && !(has("architecture") || has("auth") || has("commonConfiguration"))
    {
        Chart::RedisBefore14
    } else {
        Chart::Redis
    }
}

/// Whether the file or its directory is named for Valkey.
fn names_valkey(path: &Path) -> bool {
    let named = |p: Option<&std::ffi::OsStr>| {
        p.and_then(|n| n.to_str())
            .is_some_and(|n| n.to_ascii_lowercase().contains("valkey"))
    };
    named(path.file_name()) || named(path.parent().and_then(Path::file_name))
}

/// The version a `Chart.yaml` beside the values gives the chart: its own
/// (`name: redis`) or its dependency's (`dependencies: [{name: redis, version: 18.x.x}]`).
fn chart_yaml_version(path: &Path, name: &str, nested: bool) -> Option<String> {
    let chart_yaml = path.parent()?.join("Chart.yaml");
    if !chart_yaml.is_file() {
        return None;
    }
    let text = crate::textfile::read_text_file(&chart_yaml).ok()?;
    let documents = yaml::parse(&text).ok()?;
    let chart = documents.first()?;
    let version = if nested {
        chart
            .get("dependencies")?
            .as_seq()?
            .iter()
            .find(|d| {
                [d.get("alias"), d.get("name")]
                    .into_iter()
                    .flatten()
                    .any(|n| n.as_str() == Some(name))
            })?
            .get("version")?
    } else {
        if chart.get("name")?.as_str()? != name {
            return None;
        }
        chart.get("version")?
    };
    version.as_str().map(str::to_string).filter(|v| !v.is_empty())
}

/// The image the chart runs, as `registry/repository:tag`, and where its tag is written.
fn image_of(chart: &Found<'_>) -> Option<(String, Range<usize>)> {
    let (repository, tag) = match chart.chart {
        Chart::OtReplication => (
            chart.values.path(&["redisReplication", "image"])?,
            chart.values.path(&["redisReplication", "tag"]),
        ),
        _ => (
            chart.values.path(&["image", "repository"])?,
            chart.values.path(&["image", "tag"]),
        ),
    };
    let mut image = repository.as_str()?.to_string();
    if let Some(registry) = chart.values.path(&["image", "registry"]).and_then(Node::as_str) {
        if !registry.is_empty() && chart.chart != Chart::OtReplication {
            image = format!("{registry}/{image}");
        }
    }
    let span = match tag.and_then(|t| t.as_scalar().filter(|s| !s.is_null())) {
        Some(tag) => {
            image = format!("{image}:{}", tag.value);
            tag.span.clone()
        }
        None => repository.span(),
    };
    Some((image, span))
}

/// The release line an image names (`bitnami/redis:8.2.1-debian-12-r0`, `quay.io/opstree/redis:v7.0.15`).
fn image_target(image: &str) -> Option<Target> {
    let (repo, tag) = image.rsplit_once(':')?;
    let tag = tag.strip_prefix('v').unwrap_or(tag);
    super::compose::image_target(&format!("{repo}:{tag}"))
}

// ---------------------------------------------------------------------------
// Values with the chart's defaults.

struct Values<'a> {
    node: &'a Node,
    defaults: &'static ChartDefaults,
    anchor: Range<usize>,
}

/// One setting, as the templates see it.
enum Setting<'a> {
    /// Written in the values (a `null` included: it removes the default).
    File(&'a Node),
    /// The chart's default, every span at the chart's anchor.
    Default(Node),
    /// Neither: the templates see nothing.
    Absent,
}

impl<'a> Values<'a> {
    /// `a.b.c`: the values' setting, else the chart's default.
    fn get(&self, key: &str) -> Setting<'a> {
        let mut node = self.node;
        for part in key.split('.') {
            if !node.is_map() {
                // `auth: ~` removes the whole map (a scalar replaces it).
                return Setting::Absent;
            }
            match node.get(part) {
                Some(next) => node = next,
                None => return self.default(key, &self.anchor),
            }
        }
        Setting::File(node)
    }

    fn default(&self, key: &str, at: &Range<usize>) -> Setting<'a> {
        let Some((_, written)) = self.defaults.defaults.iter().find(|(k, _)| *k == key) else {
            return Setting::Absent;
        };
        match yaml::parse(written).ok().and_then(|docs| docs.into_iter().next()) {
            Some(mut node) => {
                respan(&mut node, at);
                Setting::Default(node)
            }
            None => Setting::Absent,
        }
    }

    /// The first of several spellings of a key the values set, else the first's default.
    fn first_of(&self, keys: &[&str]) -> Setting<'a> {
        keys.iter()
            .map(|k| self.get(k))
            .find(Setting::in_file)
            .unwrap_or_else(|| keys.first().map_or(Setting::Absent, |k| self.get(k)))
    }
}

fn respan(node: &mut Node, at: &Range<usize>) {
    match node {
        Node::Scalar(scalar) => scalar.span = at.clone(),
        Node::Seq(items, span) => {
            *span = at.clone();
            items.iter_mut().for_each(|item| respan(item, at));
        }
        Node::Map(entries, span) => {
            *span = at.clone();
            for (key, value) in entries {
                respan(key, at);
                respan(value, at);
            }
        }
    }
}

impl Setting<'_> {
    fn node(&self) -> Option<&Node> {
        match self {
            Setting::File(node) => Some(node),
            Setting::Default(node) => Some(node),
            Setting::Absent => None,
        }
    }

    fn in_file(&self) -> bool {
        matches!(self, Setting::File(_))
    }

    /// Where the setting is written (the anchor for a default or nothing).
    fn span(&self, anchor: &Range<usize>) -> Range<usize> {
        match self {
            Setting::File(node) => node.span(),
            _ => anchor.clone(),
        }
    }

    fn truthy(&self) -> bool {
        self.node().is_some_and(truthy)
    }

    /// A scalar as the templates print it (not null).
    fn text(&self) -> Option<String> {
        self.node().and_then(rendered)
    }

    /// A non-empty scalar.
    fn nonempty(&self) -> Option<String> {
        self.text().filter(|t| !t.is_empty())
    }

    fn int(&self) -> Option<i64> {
        self.text().and_then(|t| t.trim().parse().ok())
    }

    fn items(&self) -> &[Node] {
        self.node().and_then(Node::as_seq).unwrap_or_default()
    }
}

/// Truth as Go templates see a value: false, 0, "", null and empty collections are false.
fn truthy(node: &Node) -> bool {
    match node {
        Node::Scalar(scalar) if scalar.is_null() => false,
        Node::Scalar(scalar) if scalar.style == Style::Plain => {
            if let Some(flag) = node.as_bool() {
                return flag;
            }
            if let Ok(number) = scalar.value.parse::<f64>() {
                return number != 0.0;
            }
            !scalar.value.is_empty()
        }
        Node::Scalar(scalar) => !scalar.value.is_empty(),
        Node::Seq(items, _) => !items.is_empty(),
        Node::Map(entries, _) => !entries.is_empty(),
    }
}

/// A scalar as a template prints it: an unquoted YAML 1.1 boolean is `true`/`false`.
fn rendered(node: &Node) -> Option<String> {
    let scalar = node.as_scalar().filter(|s| !s.is_null())?;
    Some(match node.as_bool() {
        Some(flag) => flag.to_string(),
        None => scalar.value.clone(),
    })
}

// ---------------------------------------------------------------------------
// Building an instance.

struct Build<'a> {
    /// The file as written (config text is lexed from it).
    text: &'a str,
    /// The file as shown (masked).
    source: &'a SourceFile,
    locator: &'a Locator,
    pieces: Vec<Piece>,
    /// Lines waiting to become a `Piece::Lines`.
    lines: Vec<ArgLine>,
    facts: Vec<(String, Value, Origin)>,
    /// Where `deploy.password_in_source` facts point already.
    secrets: HashSet<(usize, usize)>,
}

impl Build<'_> {
    fn line(&mut self, line: ArgLine) {
        self.lines.push(line);
    }

    fn flush(&mut self) {
        if !self.lines.is_empty() {
            self.pieces.push(Piece::Lines {
                source: self.source.clone(),
                lines: std::mem::take(&mut self.lines),
            });
        }
    }

    fn piece(&mut self, piece: Piece) {
        self.flush();
        self.pieces.push(piece);
    }

    fn fact(&mut self, name: &str, value: Value, span: Range<usize>) {
        self.facts
            .push((format!("deploy.{name}"), value, self.locator.origin(span)));
    }

    /// redis.conf text held by a value: a literal block is lexed in place
    /// (each line points at itself); anything else is lexed from its value,
    /// every word pointing at the whole value.
    fn config(&mut self, setting: &Setting<'_>, key: &str) {
        let Some(scalar) = setting.node().and_then(Node::as_scalar) else {
            return;
        };
        if scalar.is_null() || scalar.value.trim().is_empty() {
            return;
        }
        let in_place = setting.in_file()
            && scalar.style == Style::Literal
            && scalar.span.end <= self.text.len()
            && self.text.is_char_boundary(scalar.span.start)
            && self.text.is_char_boundary(scalar.span.end);
        if in_place {
            let written = &self.text[scalar.span.clone()];
            let lines: Vec<ArgLine> = lexer::directive_lines(written)
                .filter_map(|line| lexer::split_args(&line).ok())
                .map(|args| ArgLine {
                    args,
                    span: 0..0,
                    opaque: None,
                })
                .collect();
            self.literal_secrets(&lines, scalar.span.start);
            let lex_text: Arc<str> = Arc::from(yaml::blank_outside(self.text, scalar.span.clone()));
            self.piece(Piece::Embedded {
                source: self.source.clone(),
                lex_text,
            });
        } else {
            let lines = text_lines(&scalar.value, scalar.span.clone(), key);
            if setting.in_file() {
                self.literal_secrets(&lines, 0);
            }
            self.lines.extend(lines);
        }
    }

    /// `rename-command <CMD> ""` for each command the chart disables.
    fn disable_commands(&mut self, setting: &Setting<'_>) {
        for item in setting.items() {
            let Some(command) = rendered(item) else { continue };
            let span = item.span();
            self.line(synthetic("rename-command", &[&command, ""], span, None));
        }
    }

    /// Options the chart passes to redis-server as they are (`extraFlags`).
    fn flags(&mut self, setting: &Setting<'_>, target: &Target) {
        let words: Vec<Word> = setting
            .items()
            .iter()
            .filter_map(Node::as_scalar)
            .filter(|s| !s.is_null())
            .map(|scalar| word(self.text, scalar, setting.in_file()))
            .collect();
        if words.is_empty() {
            return;
        }
        let command = argv::parse(&words, target);
        if setting.in_file() {
            self.literal_secrets(&command.lines, 0);
        }
        self.lines.extend(command.lines);
    }

    /// `requirepass`/`masterauth` from a literal password, with the fact that it is in the file.
    fn password(&mut self, directives: &[&str], value: &str, span: Range<usize>) {
        for directive in directives {
            self.line(synthetic(directive, &[value], span.clone(), None));
        }
        self.secret_in_source(span);
    }

    fn secret_in_source(&mut self, span: Range<usize>) {
        if self.secrets.insert((span.start, span.end)) {
            self.fact("password_in_source", Value::Bool(true), span);
        }
    }

    /// `deploy.password_in_source` for each password a config line of the file writes.
    fn literal_secrets(&mut self, lines: &[ArgLine], offset: usize) {
        for line in lines.iter().filter(|l| l.opaque.is_none()) {
            let Some(name) = line.args.first().map(|a| a.value.to_ascii_lowercase()) else {
                continue;
            };
            if !crate::conf::SECRET_DIRECTIVES.contains(&name.as_str()) {
                continue;
            }
            let literal = line.args.get(1).filter(|a| {
                !a.value.is_empty() && !a.span.is_empty() && !TEMPLATE_MARKERS.iter().any(|m| a.value.contains(m))
            });
            if let Some(arg) = literal {
                self.secret_in_source(offset + arg.span.start..offset + arg.span.end);
            }
        }
    }

    /// `requirepass`/`masterauth` set to a value that is not written here.
    fn password_elsewhere(&mut self, directives: &[&str], value: &str, span: Range<usize>, opaque: Option<Opaque>) {
        for directive in directives {
            self.line(secret_line(directive, value, span.clone(), opaque.clone()));
        }
    }

    /// `deploy.port_published` from the Service types in front of the server.
    fn exposure(&mut self, services: &[(Setting<'_>, Option<Setting<'_>>)], anchor: &Range<usize>) {
        for (service_type, source_ranges) in services {
            let kind = service_type.text().unwrap_or_default();
            if kind == "LoadBalancer" || kind == "NodePort" {
                let span = service_type.span(anchor);
                let mut address = format!("{kind} Service");
                let ranges: Vec<String> = source_ranges
                    .as_ref()
                    .map(|r| r.items().iter().filter_map(rendered).collect())
                    .unwrap_or_default();
                if kind == "LoadBalancer" && !ranges.is_empty() {
                    address.push_str(&format!(" (source ranges {})", ranges.join(", ")));
                }
                self.fact("port_published", Value::Bool(true), span.clone());
                self.fact("published_address", Value::Str(address), span);
                return;
            }
        }
        let span = services.first().map_or(anchor.clone(), |(s, _)| s.span(anchor));
        self.fact("port_published", Value::Bool(false), span);
    }

    fn bool_fact(&mut self, name: &str, setting: &Setting<'_>, anchor: &Range<usize>) {
        self.fact(name, Value::Bool(setting.truthy()), setting.span(anchor));
    }
}

/// `masterauth` by the name the target knows it by (`primaryauth` from Valkey 8.0).
fn masterauth(target: &Target) -> &'static str {
    let catalog = crate::conf::catalog::catalog();
    catalog
        .lookup("masterauth", target)
        .map_or("masterauth", |found| catalog.name_on(found.directive, target))
}

/// A config line the chart writes, every word pointing at the value that decided it.
fn synthetic(directive: &str, values: &[&str], at: Range<usize>, opaque: Option<Opaque>) -> ArgLine {
    let mut args = vec![Arg {
        value: directive.to_string(),
        span: at.clone(),
        quoted: false,
    }];
    args.extend(values.iter().map(|value| Arg {
        value: value.to_string(),
        span: at.clone(),
        quoted: true,
    }));
    ArgLine { args, span: at, opaque }
}

/// A password line whose value is not the text at `at` (a Secret, a
/// generated password, none): its value points at nothing, so the masking
/// of secret values leaves the text there (`enabled: false`) readable.
fn secret_line(directive: &str, value: &str, at: Range<usize>, opaque: Option<Opaque>) -> ArgLine {
    let mut line = synthetic(directive, &[value], at.clone(), opaque);
    if let Some(arg) = line.args.get_mut(1) {
        arg.span = at.start..at.start;
    }
    line
}

/// Config lines from a value's text, each word pointing at the whole value.
fn text_lines(value: &str, span: Range<usize>, key: &str) -> Vec<ArgLine> {
    let mut out = Vec::new();
    for line in lexer::directive_lines(value) {
        let name = line.text.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
        if line.text.starts_with("{{") || line.text.starts_with("{%") {
            continue;
        }
        let (args, opaque) = match lexer::split_args(&line) {
            Ok(args) => {
                let templated = args
                    .iter()
                    .skip(1)
                    .any(|a| TEMPLATE_MARKERS.iter().any(|m| a.value.contains(m)));
                let opaque = templated
                    .then(|| Opaque::Unknown(format!("`{name}` is templated in `{key}` (Helm renders it at install)")));
                (args, opaque)
            }
            Err(error) => (
                vec![Arg {
                    value: name.clone(),
                    span: 0..0,
                    quoted: false,
                }],
                Some(Opaque::Unknown(format!(
                    "a line of `{key}` that redis-server cannot split: {}",
                    error.message()
                ))),
            ),
        };
        let args = args
            .into_iter()
            .map(|arg| Arg {
                span: span.clone(),
                ..arg
            })
            .collect();
        out.push(ArgLine {
            args,
            span: span.clone(),
            opaque,
        });
    }
    out
}

/// A list item as one redis-server argument.
fn word(text: &str, scalar: &Scalar, in_file: bool) -> Word {
    let written = text.get(scalar.span.clone()).unwrap_or_default();
    let quoted_as_is = written.len() == scalar.value.len() + 2
        && (written.starts_with('"') && written.ends_with('"') || written.starts_with('\'') && written.ends_with('\''))
        && written[1..written.len() - 1] == scalar.value
        && !scalar.value.contains(['\\', '"', '\'']);
    let (span, verbatim) = if !in_file {
        (scalar.span.clone(), false)
    } else if written == scalar.value {
        (scalar.span.clone(), true)
    } else if quoted_as_is {
        (scalar.span.start + 1..scalar.span.end - 1, true)
    } else {
        (scalar.span.clone(), false)
    };
    let opaque = TEMPLATE_MARKERS
        .iter()
        .any(|m| scalar.value.contains(m))
        .then(|| Opaque::Unknown(format!("`{}` is templated (Helm renders it at install)", scalar.value)));
    Word {
        text: scalar.value.clone(),
        span,
        verbatim,
        opaque,
    }
}

// ---------------------------------------------------------------------------
// The charts.

/// The keys of the bitnami layouts.
struct Layout {
    product: &'static str,
    primary: &'static str,
    replica: &'static str,
    auth_enabled: &'static str,
    password: &'static str,
    existing_secret: &'static str,
    common_config: &'static str,
    role_config: &'static str,
    ports: &'static [&'static str],
    replicas: &'static str,
}

const REDIS: Layout = Layout {
    product: "redis",
    primary: "master",
    replica: "replica",
    auth_enabled: "auth.enabled",
    password: "auth.password",
    existing_secret: "auth.existingSecret",
    common_config: "commonConfiguration",
    role_config: "configuration",
    ports: &["master.containerPorts.redis", "master.containerPort"],
    replicas: "replica.replicaCount",
};

const REDIS_BEFORE_14: Layout = Layout {
    product: "redis",
    primary: "master",
    replica: "slave",
    auth_enabled: "usePassword",
    password: "password",
    existing_secret: "existingSecret",
    common_config: "configmap",
    role_config: "configmap",
    ports: &["redisPort"],
    replicas: "cluster.slaveCount",
};

const VALKEY: Layout = Layout {
    product: "valkey",
    primary: "primary",
    replica: "replica",
    auth_enabled: "auth.enabled",
    password: "auth.password",
    existing_secret: "auth.existingSecret",
    common_config: "commonConfiguration",
    role_config: "configuration",
    ports: &["primary.containerPorts.valkey", "primary.containerPort"],
    replicas: "replica.replicaCount",
};

/// The bitnami charts start redis-server with `--port` (or `--port 0
/// --tls-port ...` and the certificates), `--requirepass`/`--masterauth`
/// (or `--protected-mode no` without auth), then include the
/// `commonConfiguration` and the role's `configuration` (with a
/// `rename-command` line per disabled command), then the `extraFlags`.
fn bitnami(found: &Found<'_>, v: &Values<'_>, root: &Node, target: &Target, b: &mut Build<'_>) {
    let layout = match found.chart {
        Chart::RedisBefore14 => &REDIS_BEFORE_14,
        Chart::Valkey => &VALKEY,
        _ => &REDIS,
    };
    let anchor = &v.anchor;
    let line_target = image_of(found)
        .and_then(|(image, _)| image_target(&image))
        .unwrap_or(*target);
    let architecture = if found.chart == Chart::RedisBefore14 {
        v.get("cluster.enabled")
    } else {
        v.get("architecture")
    };
    let replication = if found.chart == Chart::RedisBefore14 {
        architecture.truthy()
    } else {
        architecture.text().as_deref() == Some("replication")
    };
    let sentinel = v.get("sentinel.enabled");
    let sentinel_on = replication && sentinel.truthy();

    // The start script's options.
    let port = v.first_of(layout.ports);
    let tls = v.get("tls.enabled");
    if tls.truthy() {
        let at = tls.span(anchor);
        let port_text = port.text().unwrap_or_else(|| "6379".into());
        b.line(synthetic("port", &["0"], at.clone(), None));
        let port_at = if port.in_file() { port.span(anchor) } else { at.clone() };
        b.line(synthetic("tls-port", &[&port_text], port_at, None));
        let secret = v
            .first_of(&["tls.existingSecret", "tls.certificatesSecret"])
            .nonempty()
            .map_or("a certificate the chart is given or generates".to_string(), |name| {
                format!("the certificates in Secret `{name}`")
            });
        for directive in ["tls-cert-file", "tls-key-file", "tls-ca-cert-file"] {
            b.line(synthetic(
                directive,
                &[""],
                at.clone(),
                Some(Opaque::Reference(secret.clone())),
            ));
        }
        let clients = v.get("tls.authClients");
        let required = if clients.truthy() { "yes" } else { "no" };
        b.line(synthetic("tls-auth-clients", &[required], clients.span(anchor), None));
        b.line(synthetic("tls-replication", &["yes"], at, None));
    } else if port.in_file() {
        if let Some(number) = port.text() {
            b.line(synthetic("port", &[&number], port.span(anchor), None));
        }
    }
    let auth = v.get(layout.auth_enabled);
    let auth_at = auth.span(anchor);
    let both = ["requirepass", masterauth(&line_target)];
    let directives: &[&str] = if replication { &both } else { &both[..1] };
    if !auth.truthy() {
        b.line(secret_line("requirepass", "", auth_at.clone(), None));
        b.line(synthetic("protected-mode", &["no"], auth_at, None));
    } else {
        let secret = v.get(layout.existing_secret);
        let global = root
            .path(&["global", layout.product, "password"])
            .and_then(Node::as_scalar)
            .filter(|s| !s.is_null() && !s.value.is_empty());
        let password = v.get(layout.password);
        if let Some(name) = secret.nonempty() {
            let reference = Opaque::Reference(format!("Secret `{name}` (`{}`)", layout.existing_secret));
            b.password_elsewhere(directives, "", secret.span(anchor), Some(reference));
        } else if let Some(global) = global {
            b.password(directives, &global.value, global.span.clone());
        } else if let (Some(value), true) = (password.nonempty(), password.in_file()) {
            b.password(directives, &value, password.span(anchor));
        } else {
            let at = if password.in_file() {
                password.span(anchor)
            } else {
                auth_at
            };
            let generated = Opaque::Reference("a password the chart generates into a Secret".into());
            b.password_elsewhere(directives, "", at, Some(generated));
        }
    }

    // The config the chart renders into its ConfigMap.
    let existing = if found.chart == Chart::RedisBefore14 {
        Setting::Absent
    } else {
        v.get("existingConfigmap")
    };
    if let Some(name) = existing.nonempty() {
        b.piece(Piece::Unseen(format!(
            "the ConfigMap `{name}` (`existingConfigmap`) holds the config instead of the chart's"
        )));
    } else {
        let common = v.get(layout.common_config);
        b.config(&common, layout.common_config);
        let role_key = format!("{}.{}", layout.primary, layout.role_config);
        b.config(&v.get(&role_key), &role_key);
        b.disable_commands(&v.get(&format!("{}.disableCommands", layout.primary)));
    }
    let flags_role = if sentinel_on { layout.replica } else { layout.primary };
    b.flags(&v.get(&format!("{flags_role}.extraFlags")), &line_target);

    // Facts.
    let shape = if replication { "replication" } else { "standalone" };
    b.fact("architecture", Value::Str(shape.into()), architecture.span(anchor));
    if replication {
        let replicas = v.get(layout.replicas);
        if let Some(count) = replicas.int() {
            b.fact("replicas", Value::Int(count), replicas.span(anchor));
        }
    } else {
        b.fact("replicas", Value::Int(0), architecture.span(anchor));
    }
    b.fact("sentinel", Value::Bool(sentinel_on), sentinel.span(anchor));
    if sentinel_on {
        let quorum = v.get("sentinel.quorum");
        if let Some(count) = quorum.int() {
            b.fact("sentinel_quorum", Value::Int(count), quorum.span(anchor));
        }
    }
    b.bool_fact(
        "persistent_volume",
        &v.get(&format!("{}.persistence.enabled", layout.primary)),
        anchor,
    );
    let service = |role: &str| {
        (
            v.get(&format!("{role}.service.type")),
            Some(v.get(&format!("{role}.service.loadBalancerSourceRanges"))),
        )
    };
    let mut services = vec![service(layout.primary)];
    if replication {
        services.push(service(layout.replica));
    }
    if sentinel_on {
        services.push(service("sentinel"));
    }
    b.exposure(&services, anchor);
    let policy = v.get("networkPolicy.enabled");
    b.bool_fact("network_policy", &policy, anchor);
    if policy.truthy() {
        b.bool_fact(
            "network_policy_allow_external",
            &v.get("networkPolicy.allowExternal"),
            anchor,
        );
    }
    b.bool_fact("monitoring", &v.get("metrics.enabled"), anchor);
}

/// redis-ha renders its redis.conf from `redis.customConfig` alone, or
/// from `port`, TLS (when `sentinel.tlsPort` is set, as its template
/// checks), a `rename-command` per disabled command, the `redis.config`
/// map (in key order, as Go ranges over a map) and `requirepass`/`masterauth`.
fn redis_ha(v: &Values<'_>, target: &Target, b: &mut Build<'_>) {
    let anchor = &v.anchor;
    let custom = v.get("redis.customConfig");
    if custom.truthy() {
        b.config(&custom, "redis.customConfig");
    } else {
        let port = v.get("redis.port");
        if let (Some(number), true) = (port.text(), port.in_file()) {
            b.line(synthetic("port", &[&number], port.span(anchor), None));
        }
        let sentinel_tls = v.get("sentinel.tlsPort");
        if sentinel_tls.truthy() {
            let at = sentinel_tls.span(anchor);
            let tls_port = v.get("redis.tlsPort");
            let number = tls_port.text().unwrap_or_default();
            b.line(synthetic("tls-port", &[&number], tls_port.span(anchor), None));
            let certs = Opaque::Reference("the certificates in the chart's TLS Secret".into());
            for directive in ["tls-cert-file", "tls-key-file", "tls-ca-cert-file"] {
                b.line(synthetic(directive, &[""], at.clone(), Some(certs.clone())));
            }
            let clients = v.get("redis.authClients");
            if clients.text().as_deref() == Some("no") {
                b.line(synthetic("tls-auth-clients", &["no"], clients.span(anchor), None));
            }
            let replication = v.get("redis.tlsReplication");
            let value = if replication.truthy() { "yes" } else { "no" };
            b.line(synthetic("tls-replication", &[value], replication.span(anchor), None));
        }
        b.disable_commands(&v.get("redis.disableCommands"));
        let lines = config_map(v, "redis.config");
        b.literal_secrets(&lines, 0);
        b.lines.extend(lines);
        let auth = v.get("auth");
        let auth_at = auth.span(anchor);
        let directives = ["requirepass", masterauth(target)];
        if auth.truthy() {
            let secret = v.get("existingSecret");
            let password = v.get("redisPassword");
            if let Some(name) = secret.nonempty() {
                let key = v.get("authKey").nonempty().unwrap_or_else(|| "auth".into());
                let reference = Opaque::Reference(format!("Secret `{name}`, key `{key}` (`existingSecret`)"));
                b.password_elsewhere(&directives, "", secret.span(anchor), Some(reference));
            } else if let (Some(value), true) = (password.nonempty(), password.in_file()) {
                b.password(&directives, &value, password.span(anchor));
            } else {
                // The init script replaces the placeholder only with a non-empty password.
                b.password_elsewhere(&directives, "replace-default-auth", auth_at, None);
            }
        } else {
            b.line(secret_line("requirepass", "", auth_at, None));
        }
    }
    let replicas = v.get("replicas");
    let count = replicas.int().unwrap_or(1).max(1);
    let shape = if count > 1 { "replication" } else { "standalone" };
    b.fact("architecture", Value::Str(shape.into()), replicas.span(anchor));
    b.fact("replicas", Value::Int(count - 1), replicas.span(anchor));
    let sentinel_at = v.node.entry("sentinel").map_or(anchor.clone(), |(k, _)| k.span());
    b.fact("sentinel", Value::Bool(true), sentinel_at);
    let quorum = v.get("sentinel.quorum");
    if let Some(count) = quorum.int() {
        b.fact("sentinel_quorum", Value::Int(count), quorum.span(anchor));
    }
    b.bool_fact("hard_anti_affinity", &v.get("hardAntiAffinity"), anchor);
    b.bool_fact("persistent_volume", &v.get("persistentVolume.enabled"), anchor);
    let haproxy = v.get("haproxy.enabled");
    let services = if haproxy.truthy() {
        vec![(
            v.get("haproxy.service.type"),
            Some(v.get("haproxy.service.loadBalancerSourceRanges")),
        )]
    } else {
        Vec::new()
    };
    if services.is_empty() {
        b.fact("port_published", Value::Bool(false), haproxy.span(anchor));
    } else {
        b.exposure(&services, anchor);
    }
    b.bool_fact("network_policy", &v.get("networkPolicy.enabled"), anchor);
    b.bool_fact("monitoring", &v.get("exporter.enabled"), anchor);
}

/// A `directive: value` map rendered as `directive value` lines: the
/// chart's default entries merged with the values' (a `null` removes one),
/// in key order; a list value gives a line per item.
fn config_map(v: &Values<'_>, key: &str) -> Vec<ArgLine> {
    let setting = v.get(key);
    let file_map = match &setting {
        Setting::File(node) if node.is_map() => Some(*node),
        Setting::File(_) | Setting::Absent => return Vec::new(),
        Setting::Default(_) => None,
    };
    let default_at = match file_map {
        Some(_) => v.node_key_span(key).unwrap_or(v.anchor.clone()),
        None => v.anchor.clone(),
    };
    let defaults = v.default(key, &default_at);
    let mut entries: Vec<(&Node, &Node)> = Vec::new();
    if let Some(map) = file_map {
        entries.extend(map.entries().iter().map(|(k, value)| (k, value)));
    }
    if let Some(node) = defaults.node() {
        for (k, value) in node.entries() {
            if !entries.iter().any(|(seen, _)| seen.as_str() == k.as_str()) {
                entries.push((k, value));
            }
        }
    }
    entries.sort_by(|a, b| a.0.as_str().unwrap_or("").cmp(b.0.as_str().unwrap_or("")));
    let mut out = Vec::new();
    for (name, value) in entries {
        let Some(directive) = name.as_str() else { continue };
        let values: Vec<&Node> = match value {
            Node::Seq(items, _) => items.iter().collect(),
            Node::Scalar(_) => vec![value],
            Node::Map(..) => continue,
        };
        for item in values {
            let Some(text) = rendered(item) else { continue };
            let rendered_line = format!("{directive} {text}");
            let line = lexer::Line {
                number: 1,
                start: 0,
                text: &rendered_line,
            };
            let span = name.span().start.min(item.span().start)..name.span().end.max(item.span().end);
            let (args, opaque) = match lexer::split_args(&line) {
                Ok(args) => (args, None),
                Err(error) => (
                    vec![Arg {
                        value: directive.to_string(),
                        span: 0..0,
                        quoted: false,
                    }],
                    Some(Opaque::Unknown(format!(
                        "`{directive}` in `{key}` renders a line redis-server cannot split: {}",
                        error.message()
                    ))),
                ),
            };
            let args = args
                .into_iter()
                .enumerate()
                .map(|(index, arg)| Arg {
                    span: if index == 0 { name.span() } else { item.span() },
                    ..arg
                })
                .collect();
            out.push(ArgLine { args, span, opaque });
        }
    }
    out
}

impl Values<'_> {
    /// Where the last key of `a.b.c` is written.
    fn node_key_span(&self, key: &str) -> Option<Range<usize>> {
        let (parent, last) = match key.rsplit_once('.') {
            Some((parent, last)) => (self.node.path(&parent.split('.').collect::<Vec<_>>())?, last),
            None => (self.node, key),
        };
        parent.entry(last).map(|(k, _)| k.span())
    }
}

/// The OT operator's RedisReplication: no password unless
/// `redisSecret.secretName` and `secretKey` name one; TLS when the TLS
/// Secret is named (the operator then sets up the ports, which the values
/// do not show); `externalConfig.data` when enabled.
fn ot_replication(v: &Values<'_>, b: &mut Build<'_>) {
    let anchor = &v.anchor;
    let secret = v.get("redisReplication.redisSecret.secretName");
    let key = v.get("redisReplication.redisSecret.secretKey");
    match (secret.nonempty(), key.nonempty()) {
        (Some(name), Some(key)) => {
            let reference = Opaque::Reference(format!("Secret `{name}`, key `{key}` (`redisSecret`)"));
            b.password_elsewhere(&["requirepass"], "", secret.span(anchor), Some(reference));
        }
        _ => {
            let at = v
                .node_key_span("redisReplication.redisSecret")
                .unwrap_or(anchor.clone());
            b.line(secret_line("requirepass", "", at, None));
        }
    }
    let tls_secret = v.get("TLS.secret.secretName");
    let tls_on = tls_secret.truthy() && ["TLS.ca", "TLS.cert", "TLS.key"].iter().all(|k| v.get(k).truthy());
    if let (true, Some(name)) = (tls_on, tls_secret.nonempty()) {
        let reason = format!("the operator sets up TLS from Secret `{name}`; the ports it opens are not in the values");
        for directive in ["tls-port", "port"] {
            b.line(synthetic(
                directive,
                &[""],
                tls_secret.span(anchor),
                Some(Opaque::Unknown(reason.clone())),
            ));
        }
    }
    if v.get("externalConfig.enabled").truthy() {
        b.config(&v.get("externalConfig.data"), "externalConfig.data");
    }
    let size = v.get("redisReplication.clusterSize");
    let count = size.int().unwrap_or(1).max(1);
    let shape = if count > 1 { "replication" } else { "standalone" };
    b.fact("architecture", Value::Str(shape.into()), size.span(anchor));
    b.fact("replicas", Value::Int(count - 1), size.span(anchor));
    b.bool_fact("sentinel", &v.get("sentinel.enabled"), anchor);
    b.bool_fact("persistent_volume", &v.get("storageSpec"), anchor);
    let mut services = vec![(v.get("redisReplication.serviceType"), None)];
    if v.get("externalService.enabled").truthy() {
        services.push((v.get("externalService.serviceType"), None));
    }
    b.exposure(&services, anchor);
    b.bool_fact("monitoring", &v.get("redisExporter.enabled"), anchor);
}

// ---------------------------------------------------------------------------
// Masking.

/// Secrets in redis.conf text inside the values: every line of a block
/// scalar that would hold one as a config line (`requirepass x`, a
/// `user` rule, `sentinel auth-pass`), wherever the block is; and a chart's
/// config value of another style as a whole when any of its lines holds one.
fn config_masks(text: &str, documents: &[Node], found: &[Found<'_>], target: &Target) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut scalars = Vec::new();
    for document in documents {
        document.scalars(&mut scalars);
    }
    for scalar in scalars {
        if !matches!(scalar.style, Style::Literal | Style::Folded) {
            continue;
        }
        let Some(written) = text.get(scalar.span.clone()) else {
            continue;
        };
        for (_, start, raw) in lexer::all_lines(written) {
            out.extend(
                crate::conf::secret_ranges(scalar.span.start + start, raw, target)
                    .into_iter()
                    .filter(|r| r.end <= scalar.span.end),
            );
        }
    }
    for chart in found {
        let keys: &[&str] = match chart.chart {
            Chart::Redis | Chart::Valkey => &[
                "commonConfiguration",
                "master.configuration",
                "primary.configuration",
                "replica.configuration",
                "sentinel.configuration",
            ],
            Chart::RedisBefore14 => &["configmap", "master.configmap", "slave.configmap", "sentinel.configmap"],
            Chart::RedisHa => &["redis.customConfig", "sentinel.customConfig"],
            Chart::OtReplication => &["externalConfig.data"],
        };
        for key in keys {
            let path: Vec<&str> = key.split('.').collect();
            let Some(scalar) = chart.values.path(&path).and_then(Node::as_scalar) else {
                continue;
            };
            if matches!(scalar.style, Style::Literal | Style::Folded) {
                continue;
            }
            let holds_secret = lexer::all_lines(&scalar.value)
                .any(|(_, start, raw)| !crate::conf::secret_ranges(start, raw, target).is_empty());
            if holds_secret {
                out.push(scalar.span.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conf::{load_pieces, LoadOptions, ParsedConfig};
    use crate::facts::DiagnosticKind;

    fn read_text(name: &str, text: &str) -> DeployFile {
        read(Path::new(name), text, &Target::DEFAULT).unwrap()
    }

    /// As the pipeline loads it: by the release line the image names.
    fn load(file: &DeployFile, index: usize) -> ParsedConfig {
        let instance = &file.instances[index];
        let line = instance
            .facts
            .iter()
            .find(|(path, _, _)| path == "deploy.image")
            .and_then(|(_, image, _)| image.as_str().and_then(super::super::compose::image_target))
            .unwrap_or(Target::DEFAULT);
        load_pieces(
            &file.source.path,
            instance.pieces.clone(),
            line,
            &LoadOptions::default(),
        )
        .unwrap()
    }

    /// The last directive of a name: its value and its line.
    fn directive(config: &ParsedConfig, name: &str) -> Option<(Value, usize)> {
        config
            .directives
            .iter()
            .rev()
            .find(|d| d.canonical.as_deref() == Some(name))
            .map(|d| (d.value.clone().unwrap_or(Value::Str("<invalid>".into())), d.line))
    }

    fn fact<'f>(instance: &'f Instance, name: &str) -> Option<&'f (String, Value, Origin)> {
        instance.facts.iter().find(|(n, _, _)| n == &format!("deploy.{name}"))
    }

    fn fact_line(instance: &Instance, name: &str) -> usize {
        match fact(instance, name).map(|f| &f.2) {
            Some(Origin::File { line, .. }) => *line,
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn auth_disabled_is_an_empty_password_at_auth_enabled() {
        let text = "architecture: standalone\nauth:\n  enabled: false\n";
        let file = read_text("values.yaml", text);
        assert_eq!(file.instances.len(), 1);
        assert_eq!(file.instances[0].id, "helm:values.yaml#redis");
        let config = load(&file, 0);
        let (value, line) = directive(&config, "requirepass").unwrap();
        assert_eq!(value.as_str(), Some(""));
        assert_eq!(line, 3);
        assert_eq!(directive(&config, "protected-mode").unwrap().0, Value::Bool(false));
        // Nothing secret to hide at `enabled: false`.
        assert!(config.files[0].text.contains("enabled: false"));
        assert!(fact(&file.instances[0], "password_in_source").is_none());
    }

    #[test]
    fn a_literal_password_is_in_source_and_masked() {
        let text = "architecture: replication\nauth:\n  enabled: true\n  password: hunter2hunter2\n";
        let file = read_text("values.yaml", text);
        assert!(!file.source.text.contains("hunter2hunter2"));
        let instance = &file.instances[0];
        assert_eq!(fact(instance, "password_in_source").unwrap().1, Value::Bool(true));
        assert_eq!(fact_line(instance, "password_in_source"), 4);
        let config = load(&file, 0);
        let (value, line) = directive(&config, "requirepass").unwrap();
        assert_eq!(value.as_str(), Some("hunter2hunter2"));
        assert_eq!(line, 4);
        assert_eq!(
            directive(&config, "primaryauth").unwrap().0.as_str(),
            Some("hunter2hunter2")
        );
        assert!(!config.files[0].text.contains("hunter2"));
    }

    #[test]
    fn an_existing_secret_is_a_reference() {
        let text = "architecture: standalone\nauth:\n  existingSecret: redis-auth\n";
        let file = read_text("values.yaml", text);
        let config = load(&file, 0);
        let (value, line) = directive(&config, "requirepass").unwrap();
        assert!(
            matches!(&value, Value::Reference { reference } if reference.contains("redis-auth")),
            "{value:?}"
        );
        assert_eq!(line, 3);
        assert!(directive(&config, "primaryauth").is_none());
        assert!(fact(&file.instances[0], "password_in_source").is_none());
    }

    #[test]
    fn chart_defaults_generate_a_password_and_turn_aof_on() {
        let text = "architecture: replication\nmaster:\n  persistence:\n    enabled: false\n";
        let file = read_text("values.yaml", text);
        let instance = &file.instances[0];
        let config = load(&file, 0);
        let (value, _) = directive(&config, "requirepass").unwrap();
        assert!(matches!(&value, Value::Reference { reference } if reference.contains("generates")));
        assert!(matches!(
            directive(&config, "primaryauth").unwrap().0,
            Value::Reference { .. }
        ));
        // The chart's commonConfiguration default, pointing at the start of the values.
        let (appendonly, line) = directive(&config, "appendonly").unwrap();
        assert_eq!(appendonly, Value::Bool(true));
        assert_eq!(line, 1);
        assert!(directive(&config, "save").is_some());
        assert_eq!(
            config
                .directives
                .iter()
                .filter(|d| d.canonical.as_deref() == Some("rename-command"))
                .count(),
            2
        );
        assert_eq!(fact(instance, "persistent_volume").unwrap().1, Value::Bool(false));
        assert_eq!(fact(instance, "replicas").unwrap().1, Value::Int(3));
        assert_eq!(
            fact(instance, "architecture").unwrap().1,
            Value::Str("replication".into())
        );
        assert_eq!(fact(instance, "network_policy").unwrap().1, Value::Bool(true));
        assert_eq!(fact(instance, "kind").unwrap().1, Value::Str("helm".into()));
        let said = fact(instance, "chart_defaults").unwrap().1.to_string();
        assert!(
            said.contains("bitnami/redis 23.1.0") && said.contains("name no chart version"),
            "{said}"
        );
        assert!(config.diagnostics.is_empty(), "{:?}", config.diagnostics);
    }

    #[test]
    fn common_configuration_in_a_literal_block_keeps_its_lines() {
        let text = "architecture: standalone\ncommonConfiguration: |-\n  # AOF\n  appendonly no\n  maxmemory 2gb\n  requirepass s3cr3tpass\nmaster:\n  configuration: \"maxmemory-policy allkeys-lru\"\n  extraFlags:\n    - --maxmemory 3gb\n  disableCommands: []\n";
        let file = read_text("values.yaml", text);
        assert!(!file.source.text.contains("s3cr3tpass"), "{}", file.source.text);
        assert!(matches!(file.instances[0].pieces[1], Piece::Embedded { .. }));
        let config = load(&file, 0);
        assert_eq!(directive(&config, "appendonly").unwrap(), (Value::Bool(false), 4));
        // maxmemory: 2gb at line 5, then the flag (line 10) wins.
        let lines: Vec<usize> = config
            .directives
            .iter()
            .filter(|d| d.canonical.as_deref() == Some("maxmemory"))
            .map(|d| d.line)
            .collect();
        assert_eq!(lines, [5, 10]);
        assert_eq!(directive(&config, "maxmemory-policy").unwrap().1, 8);
        assert!(directive(&config, "rename-command").is_none());
        assert!(!config
            .diagnostics
            .iter()
            .any(|d| d.kind == DiagnosticKind::UnknownDirective));
        // The chart's password line comes first; the embedded one sets it again.
        assert!(!config.files[0].text.contains("s3cr3tpass"));
        assert_eq!(fact_line(&file.instances[0], "password_in_source"), 6);
    }

    #[test]
    fn extra_flags_are_server_options() {
        let text = "architecture: standalone
master:
  extraFlags:
    - \"--maxmemory-policy allkeys-lru\"
    - --requirepass
    - flagpass123
";
        let file = read_text("values.yaml", text);
        assert!(!file.source.text.contains("flagpass123"));
        let config = load(&file, 0);
        let (policy, line) = directive(&config, "maxmemory-policy").unwrap();
        assert_eq!((policy.to_string().as_str(), line), ("allkeys-lru", 4));
        assert_eq!(directive(&config, "requirepass").unwrap().1, 5);
        assert_eq!(fact_line(&file.instances[0], "password_in_source"), 6);
    }

    #[test]
    fn an_umbrella_chart_nests_the_subchart() {
        let text = "web:\n  replicas: 2\nredis:\n  enabled: true\n  architecture: standalone\n  auth:\n    enabled: false\npostgresql:\n  enabled: true\n";
        let file = read_text("charts/app/values.yaml", text);
        assert_eq!(file.instances.len(), 1);
        let instance = &file.instances[0];
        assert_eq!(instance.id, "helm:charts/app/values.yaml#redis");
        assert_eq!(fact_line(instance, "chart"), 3);
        let config = load(&file, 0);
        assert_eq!(directive(&config, "requirepass").unwrap().1, 7);
        // The commonConfiguration default points at `redis:`.
        assert_eq!(directive(&config, "appendonly").unwrap().1, 3);
        let off = read_text("values.yaml", "redis:\n  enabled: false\n  architecture: standalone\n");
        assert!(off.instances.is_empty());
        let valkey = read_text(
            "values.yaml",
            "valkey:\n  primary:\n    persistence:\n      enabled: true\n",
        );
        assert_eq!(valkey.instances[0].id, "helm:values.yaml#valkey");
        assert_eq!(
            fact(&valkey.instances[0], "chart").unwrap().1,
            Value::Str("bitnami/valkey".into())
        );
    }

    #[test]
    fn a_chart_yaml_beside_the_values_names_the_version() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Chart.yaml"),
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 18.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n",
        )
        .unwrap();
        let path = dir.path().join("values.yaml");
        let file = read(&path, "redis:\n  architecture: standalone\n", &Target::DEFAULT).unwrap();
        let said = fact(&file.instances[0], "chart_defaults").unwrap().1.to_string();
        assert!(
            said.starts_with("bitnami/redis 23.1.0 defaults") && said.contains("18.x.x"),
            "{said}"
        );
    }

    #[test]
    fn a_load_balancer_publishes_the_port() {
        let text = "architecture: standalone\nmaster:\n  service:\n    type: LoadBalancer\n";
        let file = read_text("values.yaml", text);
        let instance = &file.instances[0];
        assert_eq!(fact(instance, "port_published").unwrap().1, Value::Bool(true));
        assert_eq!(
            fact(instance, "published_address").unwrap().1,
            Value::Str("LoadBalancer Service".into())
        );
        assert_eq!(fact_line(instance, "port_published"), 4);
        let closed = read_text("values.yaml", "architecture: standalone\n");
        assert_eq!(
            fact(&closed.instances[0], "port_published").unwrap().1,
            Value::Bool(false)
        );
        let valkey = read_text(
            "valkey/values.yaml",
            "architecture: standalone\nprimary:\n  service:\n    type: NodePort\n",
        );
        assert_eq!(
            fact(&valkey.instances[0], "published_address").unwrap().1,
            Value::Str("NodePort Service".into())
        );
    }

    #[test]
    fn masterauth_by_the_targets_name() {
        assert_eq!(masterauth(&Target::DEFAULT), "masterauth");
        assert_eq!(masterauth(&Target::parse("valkey-8.0").unwrap()), "primaryauth");
        assert_eq!(masterauth(&Target::parse("valkey-7.2").unwrap()), "masterauth");
    }

    #[test]
    fn tls_turns_the_plain_port_off() {
        let text = "architecture: standalone\ntls:\n  enabled: true\n  authClients: false\n";
        let file = read_text("values.yaml", text);
        let config = load(&file, 0);
        assert_eq!(directive(&config, "port").unwrap(), (Value::Int(0), 3));
        assert_eq!(directive(&config, "tls-port").unwrap().0, Value::Int(6379));
        assert_eq!(directive(&config, "tls-auth-clients").unwrap().1, 4);
        assert!(matches!(
            directive(&config, "tls-cert-file").unwrap().0,
            Value::Reference { .. }
        ));
    }

    #[test]
    fn redis_ha_config_map_lines_point_at_each_value() {
        let text = "replicas: 3\nhardAntiAffinity: true\nredis:\n  config:\n    maxmemory: \"1gb\"\n    save: \"900 1\"\n    appendonly: yes\n    min-replicas-to-write: ~\nauth: true\nredisPassword: pa55word-long\nsentinel:\n  quorum: 2\n";
        let file = read_text("values.yaml", text);
        assert_eq!(file.instances[0].id, "helm:values.yaml#redis-ha");
        assert!(!file.source.text.contains("pa55word-long"));
        let instance = &file.instances[0];
        let config = load(&file, 0);
        assert_eq!(directive(&config, "maxmemory").unwrap().1, 5);
        let (save, line) = directive(&config, "save").unwrap();
        assert_eq!(line, 6);
        assert!(save.to_string().contains("900"), "{save:?}");
        // `yes` unquoted is a boolean for Helm, which renders `true`: redis-server refuses it.
        assert!(config
            .diagnostics
            .iter()
            .any(|d| d.subject == "appendonly" && d.kind == DiagnosticKind::InvalidValue));
        // A default entry the values remove with null is gone; others stay.
        assert!(directive(&config, "min-replicas-to-write").is_none());
        assert_eq!(directive(&config, "maxmemory-policy").unwrap().1, 4);
        assert_eq!(
            directive(&config, "requirepass").unwrap(),
            (Value::secret("pa55word-long"), 10)
        );
        assert_eq!(fact(instance, "replicas").unwrap().1, Value::Int(2));
        assert_eq!(fact(instance, "sentinel").unwrap().1, Value::Bool(true));
        assert_eq!(fact_line(instance, "password_in_source"), 10);
        assert_eq!(fact(instance, "chart").unwrap().1, Value::Str("redis-ha".into()));
    }

    #[test]
    fn odd_input_is_an_error_or_nothing() {
        assert!(read(Path::new("v.yaml"), "a: [1, 2\n", &Target::DEFAULT)
            .unwrap_err()
            .starts_with("v.yaml:"));
        assert!(read(Path::new("v.yaml"), "- a\n- b\n", &Target::DEFAULT).is_err());
        assert!(read_text("v.yaml", "").instances.is_empty());
        assert!(read_text("v.yaml", "foo: bar\n").instances.is_empty());
        // Wrong types everywhere: read without panicking.
        let odd = "architecture: [x]\nauth: 3\nmaster: ~\ncommonConfiguration: {a: b}\nreplica:\n  replicaCount: many\nsentinel: yes\ntls: {enabled: [1]}\n";
        let file = read_text("values.yaml", odd);
        let _ = load(&file, 0);
    }

    /// Every Helm fixture: read without error, the instances of EXPECTED.md,
    /// and no directive unknown because of YAML structure.
    #[test]
    fn fixtures() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deployments/helm");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("no {} here: skipped", dir.display());
            return;
        };
        let expected: &[(&str, &str, &str)] = &[
            (
                "DandyDeveloper__charts__charts-redis-ha-values.yaml",
                "redis-ha",
                "none",
            ),
            (
                "OT-CONTAINER-KIT__redis-operator__charts-redis-replication-values.yaml",
                "redis-replication",
                "none",
            ),
            ("bitnami__charts__bitnami-mastodon-values.yaml", "redis", "generated"),
            (
                "bitnami__charts__bitnami-redis-values.v10.9.0.yaml",
                "redis",
                "generated",
            ),
            (
                "bitnami__charts__bitnami-redis-values.v14.8.8.yaml",
                "redis",
                "generated",
            ),
            (
                "bitnami__charts__bitnami-redis-values.v23.1.0.yaml",
                "redis",
                "generated",
            ),
            (
                "bitnami__charts__bitnami-valkey-values.v4.0.2.yaml",
                "valkey",
                "generated",
            ),
        ];
        let mut seen = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let file = read(&path, &text, &Target::DEFAULT).unwrap_or_else(|e| panic!("{name}: {e}"));
            let &(_, key, password) = expected
                .iter()
                .find(|(n, _, _)| *n == name)
                .unwrap_or_else(|| panic!("{name} is not in the list"));
            assert_eq!(file.instances.len(), 1, "{name}");
            assert!(file.instances[0].id.ends_with(&format!("#{key}")), "{name}");
            let config = load(&file, 0);
            let unknown: Vec<_> = config
                .diagnostics
                .iter()
                .filter(|d| d.kind == DiagnosticKind::UnknownDirective)
                .collect();
            assert!(unknown.is_empty(), "{name}: {unknown:?}");
            let requirepass = directive(&config, "requirepass").map(|d| d.0);
            match password {
                "none" => assert_eq!(
                    requirepass.and_then(|v| v.as_str().map(str::to_string)).as_deref(),
                    Some("")
                ),
                _ => assert!(
                    matches!(&requirepass, Some(Value::Reference { reference }) if reference.contains("generates")),
                    "{name}: {requirepass:?}"
                ),
            }
            seen += 1;
        }
        assert_eq!(seen, expected.len());
    }
}
