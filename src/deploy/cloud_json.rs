//! Cloud descriptions (`cloud-json`): what `gcloud redis instances describe`,
//! `gcloud redis clusters describe`, `aws elasticache
//! describe-replication-groups` / `describe-cache-clusters` /
//! `describe-users`, `aws memorydb describe-clusters` and `az redis show`
//! print (one resource or a list), also inside a recorder's envelope
//! (placebo `data`, c7n flights `body`, VCR `interactions[].response.body`
//! with `data` or a `string` holding JSON, ARM examples `responses.200.body`).
//!
//! Each described instance becomes a target through `managed::Managed`, as
//! a Terraform resource does: a field the description leaves out takes the
//! service's default, said so in `managed.says.<concept>`; a field that
//! cannot be known is unknown, named. Facts point at the field's value; in
//! a JSON string holding JSON, at the escaped text inside that string.
//!
//! Secrets (`AuthToken`, `password`, Azure `accessKeys`, `primaryKey`,
//! `secondaryKey`, connection strings, URL passwords) are masked by position
//! in the text the reports show.

mod json;

use super::managed::{self, Attribute, Auth, Managed, Seen, Service, Transit};
use super::{id_path, DeployFile, Instance, Kind, Locator};
use crate::conf::catalog::Target;
use crate::facts::Value;
use crate::textfile::SourceFile;
use json::Json;
use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// How many envelopes (and JSON strings holding JSON) are opened, at most.
const MAX_ENVELOPES: usize = 8;

/// Words one of which every description (or its envelope) has, checked
/// before anything is parsed.
const MARKERS: [&str; 12] = [
    "ReplicationGroupId",
    "CacheClusterId",
    "AccessString",
    "ACLName",
    "TLSEnabled",
    "Microsoft.Cache",
    "microsoft.cache",
    "Microsoft.cache",
    "redisVersion",
    "shardCount",
    "authorizationMode",
    "memorySizeGb",
];

const GCLOUD_INSTANCE: &str = "gcloud redis instances describe";
const GCLOUD_CLUSTER: &str = "gcloud redis clusters describe";
const AWS_GROUPS: &str = "aws elasticache describe-replication-groups";
const AWS_CLUSTERS: &str = "aws elasticache describe-cache-clusters";
const AWS_MEMORYDB: &str = "aws memorydb describe-clusters";
const AZ_REDIS: &str = "az redis show";

const fn row(
    service: Service,
    resource: &'static str,
    attribute: &'static str,
    facts: &'static [&'static str],
    default: &'static str,
) -> Attribute {
    Attribute {
        service,
        kind: Kind::CloudJson,
        resource,
        attribute,
        facts,
        default,
    }
}

const TRANSIT_FACTS: &[&str] = &["conf.port", "conf.tls-port"];
const AUTH_FACTS: &[&str] = &["conf.requirepass"];
const EVICTION_FACTS: &[&str] = &["conf.maxmemory-policy"];
const BACKUP_FACTS: &[&str] = &["managed.backup", "managed.backup_retention_days"];
const VERSION_FACTS: &[&str] = &["managed.engine_version", "deploy.version"];

/// Every attribute this reader maps (docs/managed.md is generated from it; a
/// test sets each to a value other than its default and checks a fact comes
/// from its line).
pub const ATTRIBUTES: &[Attribute] = &[
    row(
        Service::Memorystore,
        GCLOUD_INSTANCE,
        "tier",
        &["managed.tier", "managed.failover", "managed.replicas"],
        "always printed (BASIC: no replica, no failover)",
    ),
    row(
        Service::Memorystore,
        GCLOUD_INSTANCE,
        "replicaCount",
        &["managed.replicas"],
        "1 for STANDARD_HA, 0 for BASIC",
    ),
    row(
        Service::Memorystore,
        GCLOUD_INSTANCE,
        "authEnabled",
        AUTH_FACTS,
        "false (absent: no AUTH)",
    ),
    row(
        Service::Memorystore,
        GCLOUD_INSTANCE,
        "transitEncryptionMode",
        TRANSIT_FACTS,
        "DISABLED",
    ),
    row(
        Service::Memorystore,
        GCLOUD_INSTANCE,
        "redisConfigs.maxmemory-policy",
        EVICTION_FACTS,
        "volatile-lru",
    ),
    row(
        Service::Memorystore,
        GCLOUD_INSTANCE,
        "redisConfigs.<directive>",
        &["conf.<directive>"],
        "the service's (unseen)",
    ),
    row(
        Service::Memorystore,
        GCLOUD_INSTANCE,
        "persistenceConfig.persistenceMode",
        &["managed.backup"],
        "DISABLED",
    ),
    row(
        Service::Memorystore,
        GCLOUD_INSTANCE,
        "redisVersion",
        VERSION_FACTS,
        "always printed",
    ),
    row(
        Service::Memorystore,
        GCLOUD_INSTANCE,
        "connectMode",
        &["managed.public"],
        "DIRECT_PEERING (private IP only either way)",
    ),
    row(
        Service::Memorystore,
        GCLOUD_INSTANCE,
        "customerManagedKey",
        &["managed.encryption_at_rest"],
        "Google-managed key (encrypted either way)",
    ),
    row(
        Service::Memorystore,
        GCLOUD_CLUSTER,
        "authorizationMode",
        AUTH_FACTS,
        "AUTH_MODE_DISABLED",
    ),
    row(
        Service::Memorystore,
        GCLOUD_CLUSTER,
        "transitEncryptionMode",
        TRANSIT_FACTS,
        "TRANSIT_ENCRYPTION_MODE_DISABLED",
    ),
    row(
        Service::Memorystore,
        GCLOUD_CLUSTER,
        "replicaCount",
        &["managed.replicas", "managed.failover"],
        "0",
    ),
    row(
        Service::Memorystore,
        GCLOUD_CLUSTER,
        "nodeType",
        &["managed.tier"],
        "REDIS_HIGHMEM_MEDIUM",
    ),
    row(
        Service::Memorystore,
        GCLOUD_CLUSTER,
        "persistenceConfig.mode",
        &["managed.backup"],
        "DISABLED",
    ),
    row(
        Service::Memorystore,
        GCLOUD_CLUSTER,
        "automatedBackupConfig.automatedBackupMode",
        &["managed.backup"],
        "DISABLED",
    ),
    row(
        Service::Memorystore,
        GCLOUD_CLUSTER,
        "automatedBackupConfig.retention",
        &["managed.backup_retention_days"],
        "35 days",
    ),
    row(
        Service::Memorystore,
        GCLOUD_CLUSTER,
        "redisConfigs.maxmemory-policy",
        EVICTION_FACTS,
        "volatile-lru",
    ),
    row(
        Service::ElastiCache,
        AWS_GROUPS,
        "TransitEncryptionEnabled",
        TRANSIT_FACTS,
        "false (absent in older responses)",
    ),
    row(
        Service::ElastiCache,
        AWS_GROUPS,
        "TransitEncryptionMode",
        TRANSIT_FACTS,
        "required when TransitEncryptionEnabled",
    ),
    row(
        Service::ElastiCache,
        AWS_GROUPS,
        "AuthTokenEnabled",
        AUTH_FACTS,
        "false",
    ),
    row(Service::ElastiCache, AWS_GROUPS, "UserGroupIds", AUTH_FACTS, "none"),
    row(
        Service::ElastiCache,
        AWS_GROUPS,
        "AtRestEncryptionEnabled",
        &["managed.encryption_at_rest"],
        "unknown (absent in older responses)",
    ),
    row(
        Service::ElastiCache,
        AWS_GROUPS,
        "AutomaticFailover",
        &["managed.failover"],
        "disabled",
    ),
    row(
        Service::ElastiCache,
        AWS_GROUPS,
        "NodeGroups",
        &["managed.replicas"],
        "members of the first node group, less the primary",
    ),
    row(
        Service::ElastiCache,
        AWS_GROUPS,
        "MemberClusters",
        &["managed.replicas"],
        "used when NodeGroups is absent",
    ),
    row(
        Service::ElastiCache,
        AWS_GROUPS,
        "SnapshotRetentionLimit",
        BACKUP_FACTS,
        "0 (no snapshots)",
    ),
    row(
        Service::ElastiCache,
        AWS_GROUPS,
        "CacheNodeType",
        &["managed.tier"],
        "always printed",
    ),
    row(
        Service::ElastiCache,
        AWS_GROUPS,
        "ClusterEnabled",
        &["conf.cluster-enabled"],
        "false",
    ),
    row(
        Service::ElastiCache,
        AWS_CLUSTERS,
        "TransitEncryptionEnabled",
        TRANSIT_FACTS,
        "false (absent in older responses)",
    ),
    row(
        Service::ElastiCache,
        AWS_CLUSTERS,
        "TransitEncryptionMode",
        TRANSIT_FACTS,
        "required when TransitEncryptionEnabled",
    ),
    row(
        Service::ElastiCache,
        AWS_CLUSTERS,
        "AuthTokenEnabled",
        AUTH_FACTS,
        "false",
    ),
    row(
        Service::ElastiCache,
        AWS_CLUSTERS,
        "AtRestEncryptionEnabled",
        &["managed.encryption_at_rest"],
        "unknown (absent in older responses)",
    ),
    row(
        Service::ElastiCache,
        AWS_CLUSTERS,
        "SnapshotRetentionLimit",
        BACKUP_FACTS,
        "0 (no snapshots)",
    ),
    row(
        Service::ElastiCache,
        AWS_CLUSTERS,
        "CacheNodeType",
        &["managed.tier"],
        "always printed",
    ),
    row(
        Service::ElastiCache,
        AWS_CLUSTERS,
        "EngineVersion",
        VERSION_FACTS,
        "always printed",
    ),
    row(
        Service::ElastiCache,
        AWS_CLUSTERS,
        "CacheParameterGroup.CacheParameterGroupName",
        EVICTION_FACTS,
        "default.redisN: volatile-lru; another group: unknown",
    ),
    row(
        Service::ElastiCache,
        AWS_CLUSTERS,
        "ReplicationGroupId",
        &["managed.failover", "managed.replicas"],
        "none: a single node, no failover",
    ),
    row(Service::MemoryDb, AWS_MEMORYDB, "TLSEnabled", TRANSIT_FACTS, "true"),
    row(
        Service::MemoryDb,
        AWS_MEMORYDB,
        "ACLName",
        AUTH_FACTS,
        "open-access (no authentication)",
    ),
    row(
        Service::MemoryDb,
        AWS_MEMORYDB,
        "SnapshotRetentionLimit",
        BACKUP_FACTS,
        "0 (no snapshots)",
    ),
    row(
        Service::MemoryDb,
        AWS_MEMORYDB,
        "Shards",
        &["managed.replicas", "managed.failover"],
        "unknown without --show-shard-details",
    ),
    row(
        Service::MemoryDb,
        AWS_MEMORYDB,
        "NodeType",
        &["managed.tier"],
        "always printed",
    ),
    row(
        Service::MemoryDb,
        AWS_MEMORYDB,
        "EngineVersion",
        VERSION_FACTS,
        "always printed",
    ),
    row(
        Service::MemoryDb,
        AWS_MEMORYDB,
        "ParameterGroupName",
        EVICTION_FACTS,
        "default.memorydb-*: noeviction; another group: unknown",
    ),
    row(
        Service::MemoryDb,
        AWS_MEMORYDB,
        "KmsKeyId",
        &["managed.encryption_at_rest"],
        "AWS-owned key (encrypted either way)",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "properties.enableNonSslPort",
        TRANSIT_FACTS,
        "false",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "properties.minimumTlsVersion",
        &["conf.tls-protocols"],
        "unknown (absent: the service's default of its time)",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "properties.redisConfiguration.authnotrequired",
        AUTH_FACTS,
        "false (access keys)",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "properties.redisConfiguration.aad-enabled",
        AUTH_FACTS,
        "false",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "properties.redisConfiguration.maxmemory-policy",
        EVICTION_FACTS,
        "volatile-lru",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "properties.redisConfiguration.<directive>",
        &["conf.<directive>"],
        "the service's (unseen)",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "properties.redisConfiguration.rdb-backup-enabled",
        &["managed.backup"],
        "false",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "properties.redisConfiguration.aof-backup-enabled",
        &["managed.backup"],
        "false",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "properties.sku.name",
        &["managed.tier", "managed.failover", "managed.replicas"],
        "always printed (Basic: one node)",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "properties.replicasPerMaster",
        &["managed.replicas"],
        "1 (Standard and Premium)",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "properties.redisVersion",
        VERSION_FACTS,
        "always printed",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "properties.publicNetworkAccess",
        &["managed.public"],
        "Enabled",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "properties.subnetId",
        &["managed.public"],
        "none (not in a virtual network)",
    ),
    row(
        Service::AzureCache,
        AZ_REDIS,
        "firewallRules[].properties.startIP",
        &["managed.public"],
        "unknown when the rules are not in the file",
    ),
];

/// Whether a JSON text is a description of a managed Redis (cheap: a walk
/// calls it on every `.json` file; only a text holding a marker word is
/// parsed).
pub fn is_description(text: &str) -> bool {
    if !MARKERS.iter().any(|marker| text.contains(marker)) {
        return false;
    }
    let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if !start.starts_with(['{', '[']) {
        return false;
    }
    let Ok(root) = json::parse(text) else {
        return false;
    };
    if root.get("terraform_version").is_some() || root.get("$schema").is_some() {
        return false;
    }
    let documents = documents(text, root);
    let mut found = Vec::new();
    for document in &documents {
        find(document, 0, &mut found);
    }
    !found.is_empty()
}

/// What a `.json` file that is not a cloud description looks like, for the
/// error when it is named: JSON that does not parse (with where), or other JSON.
pub fn not_a_description(text: &str) -> String {
    match json::parse(text) {
        Err(error) => {
            let (line, column) = crate::textfile::line_column(text, error.offset);
            format!("not valid JSON: line {line}, column {column}: {}", error.message)
        }
        Ok(_) => "JSON, but not a cloud description of a Redis service (use --kind)".into(),
    }
}

pub fn read(path: &Path, text: &str, target: &Target) -> Result<DeployFile, String> {
    let _ = target;
    let root = json::parse(text).map_err(|error| {
        let (line, column) = crate::textfile::line_column(text, error.offset);
        format!("{}:{line}:{column}: not valid JSON: {}", path.display(), error.message)
    })?;
    let mut documents = documents(text, root);
    let mut masks = raw_secret_ranges(text);
    for document in &documents {
        secret_ranges(text, document, &mut masks);
    }
    let shown: Arc<str> = Arc::from(crate::textfile::mask_ranges(text, &masks));
    // What is read is what is shown: a value with a masked part (a secret
    // written inside another field) is read masked, so no message quotes it.
    let masks = merged(masks);
    for document in &mut documents {
        read_masked(document, &shown, &masks);
    }
    let file = Arc::new(path.to_path_buf());
    let locator = Locator::new(file.clone(), shown.clone());
    let source = SourceFile {
        path: file,
        text: shown,
    };
    let mut found = Vec::new();
    for document in &documents {
        find(document, 0, &mut found);
    }
    let mut reader = Reader {
        locator: &locator,
        source: source.clone(),
        file_id: id_path(path),
        found: &found,
        ids: HashSet::new(),
        instances: Vec::new(),
    };
    reader.read_all();
    Ok(DeployFile {
        kind: Kind::CloudJson,
        source,
        instances: reader.instances,
        extra_sources: Vec::new(),
        unlinked_env: Vec::new(),
    })
}

// ---------------------------------------------------------------------------
// Envelopes and shapes
// ---------------------------------------------------------------------------

/// The root and every JSON document held in a string of an envelope (VCR
/// `body.string`), with spans moved into the file.
fn documents(text: &str, root: Json) -> Vec<Json> {
    let mut out = vec![root];
    let mut next = 0;
    let mut level = vec![0usize];
    while next < out.len() {
        let depth = level[next];
        let mut inner = Vec::new();
        if depth < MAX_ENVELOPES {
            embedded(text, &out[next], 0, &mut inner);
        }
        for document in inner {
            out.push(document);
            level.push(depth + 1);
        }
        next += 1;
    }
    out
}

/// Strings holding JSON under envelope keys.
fn embedded(text: &str, node: &Json, depth: usize, out: &mut Vec<Json>) {
    if depth > MAX_ENVELOPES {
        return;
    }
    match &node.value {
        json::Value::Array(items) => {
            for item in items.iter().filter(|i| !i.is_object() || classify(i).is_none()) {
                embedded(text, item, depth + 1, out);
            }
        }
        json::Value::Object(_) => {
            if classify(node).is_some() {
                return;
            }
            for key in ENVELOPE_KEYS {
                let Some(value) = node.get(key) else { continue };
                match value.as_str() {
                    Some(inner) if inner.trim_start().starts_with(['{', '[']) => {
                        if let Some((decoded, map)) = json::decode_with_map(text, value.span.clone()) {
                            if let Ok(mut document) = json::parse(&decoded) {
                                document.remap(&map);
                                out.push(document);
                            }
                        }
                    }
                    Some(_) => {}
                    None => embedded(text, value, depth + 1, out),
                }
            }
        }
        _ => {}
    }
}

/// Keys a recorder wraps a response in.
const ENVELOPE_KEYS: [&str; 9] = [
    "data",
    "body",
    "response",
    "responses",
    "interactions",
    "string",
    "200",
    "201",
    "Payload",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    MemorystoreInstance,
    MemorystoreCluster,
    ElastiCacheGroup,
    ElastiCacheCluster,
    ElastiCacheUser,
    MemoryDbCluster,
    AzureCache,
    AzureFirewallRule,
}

/// The resources of a payload (one or a list) under its envelopes.
fn find<'j>(node: &'j Json, depth: usize, out: &mut Vec<(Shape, &'j Json)>) {
    if depth > MAX_ENVELOPES {
        return;
    }
    match &node.value {
        json::Value::Array(items) => {
            for item in items {
                match item_shape(item) {
                    Some(shape) => out.push((shape, item)),
                    None => find(item, depth + 1, out),
                }
            }
        }
        json::Value::Object(_) => {
            if let Some(found) = classify(node) {
                out.extend(found);
                return;
            }
            for key in ENVELOPE_KEYS {
                if let Some(value) = node.get(key) {
                    find(value, depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

/// A payload: one resource, or an object listing them.
fn classify(node: &Json) -> Option<Vec<(Shape, &Json)>> {
    if let Some(shape) = item_shape(node) {
        return Some(vec![(shape, node)]);
    }
    let mut out = Vec::new();
    for key in [
        "ReplicationGroups",
        "CacheClusters",
        "Users",
        "Clusters",
        "clusters",
        "instances",
        "value",
    ] {
        if let Some(list) = node.get(key) {
            out.extend(
                list.items()
                    .iter()
                    .filter_map(|item| item_shape(item).map(|shape| (shape, item))),
            );
        }
    }
    (!out.is_empty()).then_some(out)
}

fn item_shape(node: &Json) -> Option<Shape> {
    if !node.is_object() {
        return None;
    }
    let has = |key: &str| node.get(key).is_some();
    let name = node.get("name").and_then(Json::as_str).unwrap_or("");
    let kind = node.get("type").and_then(Json::as_str).unwrap_or("");
    if node.get("ReplicationGroupId").and_then(Json::as_str).is_some()
        && (has("MemberClusters") || has("NodeGroups"))
        && !has("CacheClusterId")
    {
        return Some(Shape::ElastiCacheGroup);
    }
    if node.get("CacheClusterId").and_then(Json::as_str).is_some() && (has("Engine") || has("CacheNodeType")) {
        return Some(Shape::ElastiCacheCluster);
    }
    if has("UserId") && has("AccessString") {
        return Some(Shape::ElastiCacheUser);
    }
    if node.get("Name").and_then(Json::as_str).is_some() && (has("ACLName") || has("TLSEnabled")) {
        return Some(Shape::MemoryDbCluster);
    }
    if kind.eq_ignore_ascii_case("Microsoft.Cache/Redis") {
        return Some(Shape::AzureCache);
    }
    if kind.eq_ignore_ascii_case("Microsoft.Cache/Redis/firewallRules") {
        return Some(Shape::AzureFirewallRule);
    }
    let props = node.get("properties").filter(|p| p.is_object()).unwrap_or(node);
    if kind.is_empty()
        && props.get("sku").is_some()
        && (props.get("enableNonSslPort").is_some() || props.get("redisConfiguration").is_some())
    {
        return Some(Shape::AzureCache);
    }
    if name.contains("/instances/") && (has("redisVersion") || has("tier") || has("memorySizeGb")) {
        return Some(Shape::MemorystoreInstance);
    }
    if name.contains("/clusters/") && (has("shardCount") || has("authorizationMode") || has("transitEncryptionMode")) {
        return Some(Shape::MemorystoreCluster);
    }
    None
}

// ---------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------

/// Keys whose string value is a credential.
fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    // Names of switches and states, not of secrets.
    if lower.ends_with("enabled")
        || lower.ends_with("mode")
        || lower.ends_with("date")
        || lower.ends_with("status")
        || lower.ends_with("type")
        || lower.ends_with("count")
        || lower.ends_with("required")
        || lower.ends_with("policy")
        || lower.starts_with("authorization")
        || lower.starts_with("authentication")
    {
        return false;
    }
    lower.contains("password")
        || lower.contains("authtoken")
        || lower.contains("connectionstring")
        || matches!(
            lower.as_str(),
            "primarykey" | "secondarykey" | "accesskey" | "accesskeys"
        )
        || super::mask::key_holds_secret(key)
}

/// The parts of the text to mask, from the parsed document: values of
/// secret keys (whole objects of `accessKeys`), URL passwords.
fn secret_ranges(text: &str, document: &Json, out: &mut Vec<Range<usize>>) {
    // (node, whether it is under a secret key): one pass, however deep.
    let mut stack: Vec<(&Json, bool)> = vec![(document, false)];
    while let Some((node, secret)) = stack.pop() {
        match &node.value {
            json::Value::Object(members) => {
                stack.extend(members.iter().map(|m| (&m.value, secret || is_secret_key(&m.key))));
            }
            json::Value::Array(items) => stack.extend(items.iter().map(|i| (i, secret))),
            json::Value::Number(_) if secret => out.push(node.span.clone()),
            json::Value::Str(value) if secret && !value.is_empty() && value != "true" && value != "false" => {
                out.push(inside_quotes(text, node.span.clone()));
            }
            json::Value::Str(_) if secret => {}
            json::Value::Str(value) => {
                let lower = value.to_ascii_lowercase();
                let url_secret = value.contains("://")
                    && value
                        .split([' ', ',', ';', '"', '\''])
                        .any(|word| word.contains("://") && !crate::env::redis_url::secret_spans(word).is_empty());
                if url_secret || lower.contains("password=") {
                    out.push(inside_quotes(text, node.span.clone()));
                }
            }
            _ => {}
        }
    }
}

/// Sorted, disjoint, non-empty ranges.
fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.retain(|r| !r.is_empty());
    ranges.sort_unstable_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match out.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => out.push(range),
        }
    }
    out
}

/// Replaces each string whose written form overlaps a masked range by its
/// masked form (as written, between the quotes).
fn read_masked(document: &mut Json, shown: &str, masks: &[Range<usize>]) {
    let overlaps = |span: &Range<usize>| {
        let at = masks.partition_point(|m| m.end <= span.start);
        masks.get(at).is_some_and(|m| m.start < span.end)
    };
    let mut stack: Vec<&mut Json> = vec![document];
    while let Some(node) = stack.pop() {
        let span = node.span.clone();
        match &mut node.value {
            json::Value::Object(members) => {
                for member in members.iter_mut() {
                    if overlaps(&member.key_span) {
                        member.key = masked_string(shown, member.key_span.clone());
                    }
                    stack.push(&mut member.value);
                }
            }
            json::Value::Array(items) => stack.extend(items.iter_mut()),
            json::Value::Str(value) if overlaps(&span) => *value = masked_string(shown, span),
            json::Value::Number(number) if overlaps(&span) => *number = "0".into(),
            _ => {}
        }
    }
}

fn masked_string(shown: &str, span: Range<usize>) -> String {
    shown.get(inside_quotes(shown, span)).unwrap_or("***").to_string()
}

/// A string token's span without its quotes (`"x"`, or `\"x\"` inside a string).
fn inside_quotes(text: &str, span: Range<usize>) -> Range<usize> {
    let written = text.get(span.clone()).unwrap_or("");
    if written.len() >= 4 && written.starts_with("\\\"") && written.ends_with("\\\"") {
        span.start + 2..span.end - 2
    } else if written.len() >= 2 && written.starts_with('"') && written.ends_with('"') {
        span.start + 1..span.end - 1
    } else {
        span
    }
}

/// Secrets found in the text itself, whether it parses or not (a JSON
/// string holding JSON that does not): `"key": "value"` and the escaped
/// `\"key\": \"value\"`, for secret keys.
fn raw_secret_ranges(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut skip_until = 0;
    for (colon, _) in text.match_indices(':') {
        if colon < skip_until {
            continue;
        }
        // The key: `"name"` or `\"name\"` right before the colon (blanks between).
        let mut end = colon;
        while end > 0 && matches!(bytes[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        if end == 0 || bytes[end - 1] != b'"' {
            continue;
        }
        let escaped = end >= 2 && bytes[end - 2] == b'\\';
        let key_end = if escaped { end - 2 } else { end - 1 };
        let mut key_start = key_end;
        while key_start > 0 && key_end - key_start < 64 && !matches!(bytes[key_start - 1], b'"' | b'\\' | b'\n') {
            key_start -= 1;
        }
        if key_start == 0 || bytes[key_start - 1] != b'"' {
            continue;
        }
        let Some(key) = text.get(key_start..key_end) else {
            continue;
        };
        if !is_secret_key(key) {
            continue;
        }
        // The value: a string token (escaped like the key), masked to its closing quote.
        let mut at = colon + 1;
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t') {
            at += 1;
        }
        let open = if escaped { &b"\\\""[..] } else { &b"\""[..] };
        if !bytes[at..].starts_with(open) {
            continue;
        }
        let value_start = at + open.len();
        let mut end = value_start;
        while end < bytes.len() && bytes[end] != b'\n' {
            if escaped {
                if bytes[end..].starts_with(b"\\\"") && !bytes[value_start..end].ends_with(b"\\\\") {
                    break;
                }
                end += 1;
            } else if bytes[end] == b'\\' {
                end += 2;
            } else if bytes[end] == b'"' {
                break;
            } else {
                end += 1;
            }
        }
        let end = end.min(bytes.len());
        let value = &text.as_bytes()[value_start..end];
        if value != b"true" && value != b"false" {
            out.push(value_start..end);
        }
        skip_until = end;
    }
    out
}

// ---------------------------------------------------------------------------
// Instances
// ---------------------------------------------------------------------------

struct Reader<'a, 'j> {
    locator: &'a Locator,
    source: SourceFile,
    file_id: String,
    found: &'a [(Shape, &'j Json)],
    ids: HashSet<String>,
    instances: Vec<Instance>,
}

/// `"key": value` as the description writes it (for `managed.says.*`).
fn quote(key: &str, node: &Json) -> String {
    let value = match &node.value {
        json::Value::Null => "null".to_string(),
        json::Value::Bool(b) => b.to_string(),
        json::Value::Number(n) => n.clone(),
        json::Value::Str(s) => {
            let shown: String = s.chars().take(120).collect();
            serde_json::to_string(&shown).unwrap_or_default()
        }
        json::Value::Array(items) if items.is_empty() => "[]".to_string(),
        json::Value::Array(items) => {
            let shown: Vec<String> = items
                .iter()
                .take(3)
                .map(|i| match &i.value {
                    json::Value::Str(s) => serde_json::to_string(s).unwrap_or_default(),
                    json::Value::Number(n) => n.clone(),
                    _ => "…".to_string(),
                })
                .collect();
            let more = if items.len() > 3 { ", …" } else { "" };
            format!("[{}{more}]", shown.join(", "))
        }
        json::Value::Object(members) if members.is_empty() => "{}".to_string(),
        json::Value::Object(_) => "{…}".to_string(),
    };
    format!("\"{key}\": {value}")
}

/// A field read through a dotted path, with what to say about it.
struct Field<'j> {
    path: &'static str,
    node: Option<&'j Json>,
}

impl<'j> Field<'j> {
    fn of(obj: &'j Json, path: &'static str) -> Field<'j> {
        Field {
            path,
            node: obj.path(path),
        }
    }

    fn str(&self) -> Option<&'j str> {
        self.node.and_then(Json::as_str)
    }

    fn bool(&self) -> Option<bool> {
        self.node.and_then(|n| {
            n.as_bool().or_else(|| match n.as_str()?.to_ascii_lowercase().as_str() {
                "true" | "enabled" | "yes" => Some(true),
                "false" | "disabled" | "no" => Some(false),
                _ => None,
            })
        })
    }

    fn int(&self) -> Option<i64> {
        self.node.and_then(Json::as_i64)
    }

    fn present(&self) -> bool {
        self.node.is_some_and(|n| n.value != json::Value::Null)
    }

    /// The field's value, or `header` when it is not written.
    fn at(&self, header: &Range<usize>) -> Range<usize> {
        match self.node {
            Some(node) if self.present() => node.span.clone(),
            _ => header.clone(),
        }
    }

    /// `"a": {"b": value}` for the path `a.b` (`properties.` left out).
    fn quote(&self) -> String {
        let path = self.path.strip_prefix("properties.").unwrap_or(self.path);
        match self.node {
            Some(node) if self.present() => {
                let mut keys = path.rsplit('.');
                let mut out = quote(keys.next().unwrap_or(path), node);
                for key in keys {
                    out = format!("\"{key}\": {{{out}}}");
                }
                out
            }
            _ => format!("\"{path}\" is not in the description"),
        }
    }

    /// `"key": value`, or that it is absent and what applies then.
    fn says(&self, default: &str) -> String {
        if self.present() {
            self.quote()
        } else {
            format!("{} (default {default})", self.quote())
        }
    }
}

impl<'a, 'j> Reader<'a, 'j> {
    fn read_all(&mut self) {
        let found = self.found;
        for &(shape, node) in found {
            match shape {
                Shape::MemorystoreInstance => self.memorystore_instance(node),
                Shape::MemorystoreCluster => self.memorystore_cluster(node),
                Shape::ElastiCacheGroup => self.elasticache_group(node),
                Shape::ElastiCacheCluster => self.elasticache_cluster(node),
                Shape::MemoryDbCluster => self.memorydb_cluster(node),
                Shape::AzureCache => self.azure_cache(node),
                // Read with the groups and caches they belong to.
                Shape::ElastiCacheUser | Shape::AzureFirewallRule => {}
            }
        }
    }

    fn of_shape(&self, shape: Shape) -> impl Iterator<Item = &'j Json> + '_ {
        self.found.iter().filter(move |(s, _)| *s == shape).map(|(_, n)| *n)
    }

    /// A builder for a resource named `name` (None when the id was taken:
    /// a recorder that kept the same response twice).
    fn start(&mut self, service: Service, name: &str, resource: String, header: Range<usize>) -> Option<Managed<'a>> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let id = format!("{}:{}#{}", Kind::CloudJson.id_prefix(), self.file_id, name);
        if !self.ids.insert(id.clone()) {
            return None;
        }
        Some(Managed::new(
            service,
            Kind::CloudJson,
            self.locator,
            self.source.clone(),
            id,
            &resource,
            header,
        ))
    }

    /// A target named by `key`'s value (its last path segment: Memorystore
    /// names are `projects/…/instances/x`), pointing at that value.
    fn begin(&mut self, service: Service, obj: &'j Json, key: &str, what: &str) -> Option<(Managed<'a>, Range<usize>)> {
        let full = obj.get(key).and_then(Json::as_str).unwrap_or("");
        let name = full.rsplit('/').next().unwrap_or(full);
        let header = obj
            .get(key)
            .map(|n| n.span.clone())
            .unwrap_or(obj.span.start..obj.span.start + 1);
        let managed = self.start(service, name, format!("{what} {name}"), header.clone())?;
        Some((managed, header))
    }

    fn done(&mut self, managed: Managed<'a>) {
        self.instances.push(managed.finish(Vec::new()));
    }

    fn version(m: &mut Managed, field: &Field, header: &Range<usize>, engine: Option<&str>) {
        let at = field.at(header);
        match field
            .str()
            .or_else(|| field.node.filter(|_| field.present()).map(|_| ""))
        {
            Some(version) if !version.is_empty() => {
                let written = match engine {
                    Some(engine)
                        if engine.eq_ignore_ascii_case("valkey")
                            && !version.to_ascii_lowercase().contains("valkey") =>
                    {
                        format!("valkey {version}")
                    }
                    _ => version.to_string(),
                };
                m.fact("managed.engine_version", Value::Str(version.to_string()), at.clone());
                match managed::release_line(&written) {
                    Some(line) => m.fact("deploy.version", Value::Str(line), at.clone()),
                    None => m.unknown(
                        "deploy.version",
                        format!("{} names no release line", field.quote()),
                        at.clone(),
                    ),
                }
                m.says("version", field.quote(), at);
            }
            _ => {
                let number = field.int().map(|n| n.to_string());
                if let Some(number) = number {
                    m.fact("managed.engine_version", Value::Str(number.clone()), at.clone());
                    if let Some(line) = managed::release_line(&number) {
                        m.fact("deploy.version", Value::Str(line), at.clone());
                    }
                    m.says("version", field.quote(), at);
                    return;
                }
                let reason = format!("{} (the engine version is not in this description)", field.quote());
                m.unknown("managed.engine_version", reason.clone(), at.clone());
                m.unknown("deploy.version", reason.clone(), at.clone());
                m.says("version", reason, at);
            }
        }
    }

    /// `redisConfigs` / `redisConfiguration`: `maxmemory-policy` and the
    /// other entries that are redis.conf directives.
    fn redis_configs(m: &mut Managed, configs: Option<&Json>, header: &Range<usize>, default_policy: &str, key: &str) {
        let policy = configs.and_then(|c| c.get("maxmemory-policy"));
        match policy.and_then(Json::as_str) {
            Some(value) => {
                m.eviction(
                    Seen::Known(value.to_string()),
                    policy.map(|p| p.span.clone()).unwrap_or(header.clone()),
                );
                m.says(
                    "eviction",
                    format!(
                        "\"{key}\": {{{}}}",
                        quote(
                            "maxmemory-policy",
                            policy.unwrap_or(&Json {
                                span: 0..0,
                                value: json::Value::Null
                            })
                        )
                    ),
                    policy.map(|p| p.span.clone()).unwrap_or(header.clone()),
                );
            }
            None => {
                m.eviction(Seen::Known(default_policy.to_string()), header.clone());
                m.says(
                    "eviction",
                    format!("\"{key}\" sets no maxmemory-policy (default {default_policy})"),
                    header.clone(),
                );
            }
        }
        let catalog = crate::conf::catalog::catalog();
        for member in configs.map(Json::members).unwrap_or_default() {
            let name = member.key.to_ascii_lowercase();
            if name == "maxmemory-policy"
                || !catalog.knows(&name)
                || crate::conf::SECRET_DIRECTIVES.contains(&name.as_str())
            {
                continue;
            }
            let value = match &member.value.value {
                json::Value::Str(s) => s.clone(),
                json::Value::Number(n) => n.clone(),
                json::Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
                _ => continue,
            };
            m.config_line(&name, Seen::Known(value), member.value.span.clone());
        }
    }

    fn private_only(m: &mut Managed, what: &str, at: Range<usize>) {
        m.fact("managed.public", Value::Bool(false), at.clone());
        m.says("public", what.to_string(), at);
    }

    fn backup(m: &mut Managed, on: bool, says: String, at: Range<usize>) {
        m.fact("managed.backup", Value::Bool(on), at.clone());
        m.says("backup", says, at);
    }

    // --- Memorystore ---------------------------------------------------------

    fn memorystore_instance(&mut self, obj: &'j Json) {
        let Some((mut m, header)) = self.begin(Service::Memorystore, obj, "name", "Memorystore instance") else {
            return;
        };
        // Tier: STANDARD_HA has a replica and fails over.
        let tier = Field::of(obj, "tier");
        let replicas = Field::of(obj, "replicaCount");
        match tier.str() {
            Some(written) => {
                let ha = written.eq_ignore_ascii_case("STANDARD_HA");
                m.fact("managed.tier", Value::Str(written.to_string()), tier.at(&header));
                m.fact("managed.failover", Value::Bool(ha), tier.at(&header));
                m.says("failover", tier.quote(), tier.at(&header));
                m.fact("managed.replicas", Value::Int(i64::from(ha)), tier.at(&header));
            }
            None => {
                let reason = format!("{} (it is always printed)", tier.quote());
                m.unknown("managed.failover", reason.clone(), header.clone());
                m.says("failover", reason, header.clone());
            }
        }
        if let Some(count) = replicas.int() {
            m.fact("managed.replicas", Value::Int(count), replicas.at(&header));
        }
        // AUTH.
        let auth = Field::of(obj, "authEnabled");
        match auth.bool() {
            Some(true) => m.auth(
                Seen::Known(Auth::Managed("AUTH string generated by Memorystore".into())),
                auth.at(&header),
            ),
            Some(false) | None if !auth.present() || auth.bool().is_some() => {
                m.auth(Seen::Known(Auth::Off), auth.at(&header))
            }
            _ => m.auth(Seen::Unknown(auth.quote()), auth.at(&header)),
        }
        m.says("auth", auth.says("false"), auth.at(&header));
        // In-transit encryption.
        let transit = Field::of(obj, "transitEncryptionMode");
        let seen = match transit.str().map(str::to_ascii_uppercase).as_deref() {
            None if !transit.present() => Seen::Known(Transit::Off),
            Some("DISABLED") | Some("TRANSIT_ENCRYPTION_MODE_UNSPECIFIED") => Seen::Known(Transit::Off),
            Some("SERVER_AUTHENTICATION") => Seen::Known(Transit::On),
            _ => Seen::Unknown(transit.quote()),
        };
        m.transit(seen, transit.at(&header));
        m.says("tls", transit.says("DISABLED"), transit.at(&header));
        Self::redis_configs(&mut m, obj.get("redisConfigs"), &header, "volatile-lru", "redisConfigs");
        // Persistence.
        let persistence = Field::of(obj, "persistenceConfig.persistenceMode");
        let on = persistence
            .str()
            .is_some_and(|mode| mode.eq_ignore_ascii_case("RDB") || mode.eq_ignore_ascii_case("AOF"));
        Self::backup(&mut m, on, persistence.says("DISABLED"), persistence.at(&header));
        // Encryption at rest: always (Google-managed or customer-managed key).
        let key = Field::of(obj, "customerManagedKey");
        m.fact("managed.encryption_at_rest", Value::Bool(true), key.at(&header));
        let at_rest = if key.present() {
            key.quote()
        } else {
            "Memorystore always encrypts data at rest (Google-managed key)".to_string()
        };
        m.says("at_rest", at_rest, key.at(&header));
        // Private IP only.
        let connect = Field::of(obj, "connectMode");
        Self::private_only(
            &mut m,
            &format!(
                "{}: Memorystore instances have a private IP only",
                connect.says("DIRECT_PEERING")
            ),
            connect.at(&header),
        );
        Self::version(&mut m, &Field::of(obj, "redisVersion"), &header, None);
        self.done(m);
    }

    fn memorystore_cluster(&mut self, obj: &'j Json) {
        let Some((mut m, header)) = self.begin(Service::Memorystore, obj, "name", "Memorystore Cluster") else {
            return;
        };
        m.config_line("cluster-enabled", Seen::Known("yes".into()), header.clone());
        let auth = Field::of(obj, "authorizationMode");
        let seen = match auth.str().map(str::to_ascii_uppercase).as_deref() {
            None if !auth.present() => Seen::Known(Auth::Off),
            Some("AUTH_MODE_DISABLED") | Some("AUTH_MODE_UNSPECIFIED") => Seen::Known(Auth::Off),
            Some("AUTH_MODE_IAM_AUTH") => Seen::Known(Auth::Managed("IAM authentication".into())),
            _ => Seen::Unknown(auth.quote()),
        };
        m.auth(seen, auth.at(&header));
        m.says("auth", auth.says("AUTH_MODE_DISABLED"), auth.at(&header));
        let transit = Field::of(obj, "transitEncryptionMode");
        let seen = match transit.str().map(str::to_ascii_uppercase).as_deref() {
            None if !transit.present() => Seen::Known(Transit::Off),
            Some("TRANSIT_ENCRYPTION_MODE_DISABLED") | Some("TRANSIT_ENCRYPTION_MODE_UNSPECIFIED") => {
                Seen::Known(Transit::Off)
            }
            Some("TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION") => Seen::Known(Transit::On),
            _ => Seen::Unknown(transit.quote()),
        };
        m.transit(seen, transit.at(&header));
        m.says(
            "tls",
            transit.says("TRANSIT_ENCRYPTION_MODE_DISABLED"),
            transit.at(&header),
        );
        let replicas = Field::of(obj, "replicaCount");
        let count = replicas.int().unwrap_or(0);
        m.fact("managed.replicas", Value::Int(count), replicas.at(&header));
        m.fact("managed.failover", Value::Bool(count > 0), replicas.at(&header));
        m.says("failover", replicas.says("0"), replicas.at(&header));
        let node_type = Field::of(obj, "nodeType");
        if let Some(tier) = node_type.str() {
            m.fact("managed.tier", Value::Str(tier.to_string()), node_type.at(&header));
        }
        Self::redis_configs(&mut m, obj.get("redisConfigs"), &header, "volatile-lru", "redisConfigs");
        // Backups: persistence (RDB/AOF) or automated backups.
        let persistence = Field::of(obj, "persistenceConfig.mode");
        let automated = Field::of(obj, "automatedBackupConfig.automatedBackupMode");
        let persistent = persistence
            .str()
            .is_some_and(|mode| mode.eq_ignore_ascii_case("RDB") || mode.eq_ignore_ascii_case("AOF"));
        let backups = automated.str().is_some_and(|mode| mode.eq_ignore_ascii_case("ENABLED"));
        let (field, on) = if backups {
            (&automated, true)
        } else if persistent || !automated.present() {
            (&persistence, persistent)
        } else {
            (&automated, false)
        };
        Self::backup(
            &mut m,
            on,
            format!("{}, {}", persistence.says("DISABLED"), automated.says("DISABLED")),
            field.at(&header),
        );
        let retention = Field::of(obj, "automatedBackupConfig.retention");
        if let Some(days) = retention.str().and_then(duration_days) {
            m.fact("managed.backup_retention_days", Value::Int(days), retention.at(&header));
        } else if backups {
            m.fact("managed.backup_retention_days", Value::Int(35), header.clone());
        }
        m.fact("managed.encryption_at_rest", Value::Bool(true), header.clone());
        m.says("at_rest", "Memorystore always encrypts data at rest", header.clone());
        Self::private_only(
            &mut m,
            "Memorystore Cluster endpoints are Private Service Connect addresses only",
            header.clone(),
        );
        let version = Field::of(obj, "redisVersion");
        if version.present() {
            Self::version(&mut m, &version, &header, None);
        } else {
            // The cluster service has only ever run Redis 7.0 and later and
            // its description names none: no pinned version to judge.
            let reason = "a Memorystore Cluster description names no engine version (the service runs 7.0 or later)";
            m.says("version", reason, header.clone());
        }
        self.done(m);
    }

    // --- ElastiCache -----------------------------------------------------------

    /// `TransitEncryptionEnabled` / `TransitEncryptionMode`.
    fn aws_transit(m: &mut Managed, obj: &Json, header: &Range<usize>) {
        let enabled = Field::of(obj, "TransitEncryptionEnabled");
        let mode = Field::of(obj, "TransitEncryptionMode");
        let (seen, at, says) = match (enabled.bool(), mode.str().map(str::to_ascii_lowercase).as_deref()) {
            (Some(false), _) => (Seen::Known(Transit::Off), enabled.at(header), enabled.quote()),
            (_, Some("preferred")) => (
                Seen::Known(Transit::Both),
                mode.at(header),
                format!("{} (TLS and plaintext both accepted)", mode.quote()),
            ),
            (_, Some("required")) => (Seen::Known(Transit::On), mode.at(header), mode.quote()),
            (Some(true), _) => (Seen::Known(Transit::On), enabled.at(header), enabled.quote()),
            (None, None) if !enabled.present() => (
                Seen::Known(Transit::Off),
                header.clone(),
                format!(
                    "{} (an older response: in-transit encryption did not exist, default false)",
                    enabled.quote()
                ),
            ),
            _ => (Seen::Unknown(mode.quote()), mode.at(header), mode.quote()),
        };
        m.transit(seen, at.clone());
        m.says("tls", says, at);
    }

    /// `AtRestEncryptionEnabled` (absent in older responses: unknown).
    fn aws_at_rest(m: &mut Managed, obj: &Json, header: &Range<usize>) {
        let field = Field::of(obj, "AtRestEncryptionEnabled");
        match field.bool() {
            Some(on) => m.fact("managed.encryption_at_rest", Value::Bool(on), field.at(header)),
            None => m.unknown(
                "managed.encryption_at_rest",
                format!("{} (an older response)", field.quote()),
                header.clone(),
            ),
        }
        m.says("at_rest", field.quote(), field.at(header));
    }

    fn snapshots(m: &mut Managed, obj: &Json, header: &Range<usize>) {
        let field = Field::of(obj, "SnapshotRetentionLimit");
        let days = field.int().unwrap_or(0);
        m.fact("managed.backup_retention_days", Value::Int(days), field.at(header));
        Self::backup(m, days > 0, field.says("0"), field.at(header));
    }

    fn elasticache_group(&mut self, obj: &'j Json) {
        let name = obj.get("ReplicationGroupId").and_then(Json::as_str).unwrap_or("");
        let Some((mut m, header)) = self.begin(
            Service::ElastiCache,
            obj,
            "ReplicationGroupId",
            "ElastiCache replication group",
        ) else {
            return;
        };
        Self::aws_transit(&mut m, obj, &header);
        // AUTH token, or RBAC user groups (whose default user may have no password).
        let token = Field::of(obj, "AuthTokenEnabled");
        let groups = Field::of(obj, "UserGroupIds");
        let group_ids: Vec<&str> = groups
            .node
            .map(Json::items)
            .unwrap_or_default()
            .iter()
            .filter_map(Json::as_str)
            .collect();
        if token.bool() == Some(true) {
            m.auth(Seen::Known(Auth::Managed("AUTH token".into())), token.at(&header));
            m.says("auth", token.quote(), token.at(&header));
        } else if !group_ids.is_empty() {
            let open = self.open_default_user(&group_ids);
            match open {
                Some((group, user)) => {
                    let says = format!(
                        "{}: user group {group} has the user \"default\" with \"Authentication\": {{\"Type\": \"no-password\"}}, {}",
                        groups.quote(),
                        quote("AccessString", user.get("AccessString").unwrap_or(user)),
                    );
                    m.auth(Seen::Known(Auth::Off), groups.at(&header));
                    m.says("auth", says, groups.at(&header));
                }
                None => {
                    m.auth(
                        Seen::Known(Auth::Managed(format!("user group {}", group_ids.join(", ")))),
                        groups.at(&header),
                    );
                    m.says("auth", groups.quote(), groups.at(&header));
                }
            }
        } else {
            m.auth(Seen::Known(Auth::Off), token.at(&header));
            m.says("auth", token.says("false"), token.at(&header));
        }
        Self::aws_at_rest(&mut m, obj, &header);
        let failover = Field::of(obj, "AutomaticFailover");
        let on = failover
            .str()
            .is_some_and(|s| s.eq_ignore_ascii_case("enabled") || s.eq_ignore_ascii_case("enabling"));
        m.fact("managed.failover", Value::Bool(on), failover.at(&header));
        let multi_az = Field::of(obj, "MultiAZ");
        let says = if multi_az.present() {
            format!("{}, {}", failover.says("disabled"), multi_az.quote())
        } else {
            failover.says("disabled")
        };
        m.says("failover", says, failover.at(&header));
        // Replicas per shard.
        let node_groups = Field::of(obj, "NodeGroups");
        let members = Field::of(obj, "MemberClusters");
        if let Some(first) = node_groups.node.and_then(|n| n.items().first()) {
            let count = first.get("NodeGroupMembers").map(|m| m.items().len()).unwrap_or(0);
            let count = count.saturating_sub(1) as i64;
            m.fact("managed.replicas", Value::Int(count), node_groups.at(&header));
        } else if let Some(list) = members.node.filter(|n| !n.items().is_empty()) {
            m.fact(
                "managed.replicas",
                Value::Int(list.items().len().saturating_sub(1) as i64),
                list.span.clone(),
            );
        }
        Self::snapshots(&mut m, obj, &header);
        let node_type = Field::of(obj, "CacheNodeType");
        if let Some(tier) = node_type.str() {
            m.fact("managed.tier", Value::Str(tier.to_string()), node_type.at(&header));
        }
        let cluster = Field::of(obj, "ClusterEnabled");
        if let Some(on) = cluster.bool() {
            m.config_line(
                "cluster-enabled",
                Seen::Known(if on { "yes" } else { "no" }.into()),
                cluster.at(&header),
            );
        }
        Self::private_only(
            &mut m,
            "ElastiCache endpoints are reachable from inside the VPC only",
            header.clone(),
        );
        // Engine version and parameter group: from a member cluster in the same file.
        let member_ids: Vec<&str> = members
            .node
            .map(Json::items)
            .unwrap_or_default()
            .iter()
            .filter_map(Json::as_str)
            .collect();
        let member = self.of_shape(Shape::ElastiCacheCluster).find(|c| {
            c.get("ReplicationGroupId").and_then(Json::as_str) == Some(name)
                || c.get("CacheClusterId")
                    .and_then(Json::as_str)
                    .is_some_and(|id| member_ids.contains(&id))
        });
        let engine = obj.get("Engine").and_then(Json::as_str);
        match member {
            Some(member) => {
                Self::version(&mut m, &Field::of(member, "EngineVersion"), &header, engine);
                Self::parameter_group(&mut m, member, &header);
            }
            None => {
                let reason =
                    "describe-replication-groups names no engine version (no member cluster in this file)".to_string();
                m.unknown("managed.engine_version", reason.clone(), header.clone());
                m.unknown("deploy.version", reason.clone(), header.clone());
                m.says("version", reason, header.clone());
                let reason = "the parameter group is not in describe-replication-groups".to_string();
                m.eviction(Seen::Unknown(reason.clone()), header.clone());
                m.says("eviction", reason, header.clone());
            }
        }
        self.done(m);
    }

    /// The `default` user of one of `groups`, active, on and without a password.
    fn open_default_user(&self, groups: &[&str]) -> Option<(String, &'j Json)> {
        self.of_shape(Shape::ElastiCacheUser).find_map(|user| {
            let name = user
                .get("UserName")
                .or_else(|| user.get("UserId"))
                .and_then(Json::as_str)?;
            let no_password = user
                .path("Authentication.Type")
                .and_then(Json::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("no-password"));
            let active = user
                .get("Status")
                .and_then(Json::as_str)
                .is_none_or(|s| s.eq_ignore_ascii_case("active"));
            let on = user
                .get("AccessString")
                .and_then(Json::as_str)
                .is_some_and(|a| a.split_whitespace().any(|w| w == "on"));
            if name != "default" || !no_password || !active || !on {
                return None;
            }
            let member_of: Vec<&str> = user
                .get("UserGroupIds")
                .map(Json::items)
                .unwrap_or_default()
                .iter()
                .filter_map(Json::as_str)
                .collect();
            groups
                .iter()
                .find(|g| member_of.contains(g))
                .map(|g| (g.to_string(), user))
        })
    }

    /// `maxmemory-policy` from the parameter group's name: a default group
    /// keeps volatile-lru, another is not in the file.
    fn parameter_group(m: &mut Managed, obj: &Json, header: &Range<usize>) {
        let group = Field::of(obj, "CacheParameterGroup.CacheParameterGroupName");
        match group.str() {
            Some(name) if name.starts_with("default.") => {
                m.eviction(Seen::Known("volatile-lru".into()), group.at(header));
                m.says(
                    "eviction",
                    format!("{} (its maxmemory-policy is volatile-lru)", group.quote()),
                    group.at(header),
                );
            }
            Some(_) => {
                let reason = format!("{}: the parameter group is not in this file", group.quote());
                m.eviction(Seen::Unknown(reason.clone()), group.at(header));
                m.says("eviction", reason, group.at(header));
            }
            None => {
                let reason = format!("{} (the parameter group is unknown)", group.quote());
                m.eviction(Seen::Unknown(reason.clone()), header.clone());
                m.says("eviction", reason, header.clone());
            }
        }
    }

    fn elasticache_cluster(&mut self, obj: &'j Json) {
        let engine = obj.get("Engine").and_then(Json::as_str).unwrap_or("redis");
        if engine.eq_ignore_ascii_case("memcached") {
            return;
        }
        let group = Field::of(obj, "ReplicationGroupId");
        // A member of a group in the same file is judged with the group.
        if let Some(group_id) = group.str() {
            if self
                .of_shape(Shape::ElastiCacheGroup)
                .any(|g| g.get("ReplicationGroupId").and_then(Json::as_str) == Some(group_id))
            {
                return;
            }
        }
        let Some((mut m, header)) = self.begin(Service::ElastiCache, obj, "CacheClusterId", "ElastiCache cluster")
        else {
            return;
        };
        Self::aws_transit(&mut m, obj, &header);
        let token = Field::of(obj, "AuthTokenEnabled");
        if token.bool() == Some(true) {
            m.auth(Seen::Known(Auth::Managed("AUTH token".into())), token.at(&header));
        } else {
            m.auth(Seen::Known(Auth::Off), token.at(&header));
        }
        m.says("auth", token.says("false"), token.at(&header));
        Self::aws_at_rest(&mut m, obj, &header);
        match group.str() {
            Some(_) => {
                let reason = format!("{}: the replication group is not in this file", group.quote());
                m.unknown("managed.failover", reason.clone(), group.at(&header));
                m.unknown("managed.replicas", reason.clone(), group.at(&header));
                m.says("failover", reason, group.at(&header));
            }
            None => {
                m.fact("managed.failover", Value::Bool(false), header.clone());
                m.fact("managed.replicas", Value::Int(0), header.clone());
                m.says(
                    "failover",
                    "a cache cluster outside a replication group is one node: no failover",
                    header.clone(),
                );
            }
        }
        Self::snapshots(&mut m, obj, &header);
        let node_type = Field::of(obj, "CacheNodeType");
        if let Some(tier) = node_type.str() {
            m.fact("managed.tier", Value::Str(tier.to_string()), node_type.at(&header));
        }
        Self::private_only(
            &mut m,
            "ElastiCache endpoints are reachable from inside the VPC only",
            header.clone(),
        );
        Self::version(&mut m, &Field::of(obj, "EngineVersion"), &header, Some(engine));
        Self::parameter_group(&mut m, obj, &header);
        self.done(m);
    }

    // --- MemoryDB --------------------------------------------------------------

    fn memorydb_cluster(&mut self, obj: &'j Json) {
        let Some((mut m, header)) = self.begin(Service::MemoryDb, obj, "Name", "MemoryDB cluster") else {
            return;
        };
        m.config_line("cluster-enabled", Seen::Known("yes".into()), header.clone());
        let tls = Field::of(obj, "TLSEnabled");
        let seen = match tls.bool() {
            Some(true) => Seen::Known(Transit::On),
            Some(false) => Seen::Known(Transit::Off),
            None if !tls.present() => Seen::Known(Transit::On),
            None => Seen::Unknown(tls.quote()),
        };
        m.transit(seen, tls.at(&header));
        m.says("tls", tls.says("true"), tls.at(&header));
        let acl = Field::of(obj, "ACLName");
        match acl.str() {
            Some(acl_name) if acl_name != "open-access" => {
                m.auth(Seen::Known(Auth::Managed(format!("ACL {acl_name}"))), acl.at(&header));
                m.says("auth", acl.quote(), acl.at(&header));
            }
            _ => {
                m.auth(Seen::Known(Auth::Off), acl.at(&header));
                m.says(
                    "auth",
                    format!("{} (the ACL that lets any client in)", acl.says("open-access")),
                    acl.at(&header),
                );
            }
        }
        Self::snapshots(&mut m, obj, &header);
        // Replicas: from the shard details, when they were asked for.
        let shards = Field::of(obj, "Shards");
        let first = shards.node.and_then(|s| s.items().first());
        let nodes = first.and_then(|f| {
            f.get("NumberOfNodes")
                .and_then(Json::as_i64)
                .or_else(|| f.get("Nodes").map(|n| n.items().len() as i64))
        });
        match nodes {
            Some(nodes) => {
                let replicas = (nodes - 1).max(0);
                m.fact("managed.replicas", Value::Int(replicas), shards.at(&header));
                m.fact("managed.failover", Value::Bool(replicas > 0), shards.at(&header));
                m.says(
                    "failover",
                    format!("\"Shards\": the first shard has {nodes} node(s)"),
                    shards.at(&header),
                );
            }
            None => {
                let reason =
                    "\"Shards\" is not in the description (describe-clusters --show-shard-details lists the replicas)"
                        .to_string();
                m.unknown("managed.replicas", reason.clone(), header.clone());
                m.unknown("managed.failover", reason.clone(), header.clone());
                m.says("failover", reason, header.clone());
            }
        }
        let node_type = Field::of(obj, "NodeType");
        if let Some(tier) = node_type.str() {
            m.fact("managed.tier", Value::Str(tier.to_string()), node_type.at(&header));
        }
        let group = Field::of(obj, "ParameterGroupName");
        match group.str() {
            Some(g) if g.starts_with("default.") => {
                m.eviction(Seen::Known("noeviction".into()), group.at(&header));
                m.says(
                    "eviction",
                    format!("{} (its maxmemory-policy is noeviction)", group.quote()),
                    group.at(&header),
                );
            }
            _ => {
                let reason = format!("{}: the parameter group is not in this file", group.quote());
                m.eviction(Seen::Unknown(reason.clone()), group.at(&header));
                m.says("eviction", reason, group.at(&header));
            }
        }
        let key = Field::of(obj, "KmsKeyId");
        m.fact("managed.encryption_at_rest", Value::Bool(true), key.at(&header));
        let says = if key.present() {
            key.quote()
        } else {
            "MemoryDB always encrypts data at rest".to_string()
        };
        m.says("at_rest", says, key.at(&header));
        Self::private_only(
            &mut m,
            "MemoryDB endpoints are reachable from inside the VPC only",
            header.clone(),
        );
        let engine = obj.get("Engine").and_then(Json::as_str);
        Self::version(&mut m, &Field::of(obj, "EngineVersion"), &header, engine);
        self.done(m);
    }

    // --- Azure -----------------------------------------------------------------

    fn azure_cache(&mut self, obj: &'j Json) {
        let Some((mut m, header)) = self.begin(Service::AzureCache, obj, "name", "Azure Cache for Redis") else {
            return;
        };
        // `az redis show` prints the properties at the top; ARM under `properties`.
        let props = obj.get("properties").filter(|p| p.is_object()).unwrap_or(obj);
        let non_ssl = Field::of(props, "enableNonSslPort");
        let seen = match non_ssl.bool() {
            Some(true) => Seen::Known(Transit::Both),
            Some(false) => Seen::Known(Transit::On),
            None if !non_ssl.present() => Seen::Known(Transit::On),
            None => Seen::Unknown(non_ssl.quote()),
        };
        m.transit(seen, non_ssl.at(&header));
        m.says("tls", non_ssl.says("false"), non_ssl.at(&header));
        let minimum = Field::of(props, "minimumTlsVersion");
        match minimum.str() {
            Some(version) => m.minimum_tls(Seen::Known(version.to_string()), minimum.at(&header)),
            None => m.minimum_tls(
                Seen::Unknown(format!(
                    "{} (the service's default of its time applies)",
                    minimum.quote()
                )),
                header.clone(),
            ),
        }
        let configs = props.get("redisConfiguration");
        let config = |key: &'static str| Field {
            path: key,
            node: configs.and_then(|c| c.get(key)),
        };
        let open = config("authnotrequired");
        let aad = config("aad-enabled");
        let keys_off = Field::of(props, "disableAccessKeyAuthentication");
        if open.bool() == Some(true) {
            m.auth(Seen::Known(Auth::Off), open.at(&header));
            m.says("auth", open.quote(), open.at(&header));
        } else if aad.bool() == Some(true) {
            let how = if keys_off.bool() == Some(true) {
                "Microsoft Entra ID"
            } else {
                "access keys or Microsoft Entra ID"
            };
            m.auth(Seen::Known(Auth::Managed(how.into())), aad.at(&header));
            m.says("auth", aad.quote(), aad.at(&header));
        } else {
            m.auth(Seen::Known(Auth::Managed("access keys".into())), open.at(&header));
            m.says(
                "auth",
                format!("{}: clients authenticate with an access key", open.says("false")),
                open.at(&header),
            );
        }
        Self::redis_configs(&mut m, configs, &header, "volatile-lru", "redisConfiguration");
        let rdb = config("rdb-backup-enabled");
        let aof = config("aof-backup-enabled");
        let (field, on) = match (rdb.bool(), aof.bool()) {
            (Some(true), _) => (&rdb, true),
            (_, Some(true)) => (&aof, true),
            (Some(false), _) => (&rdb, false),
            (_, Some(false)) => (&aof, false),
            _ => (&rdb, false),
        };
        Self::backup(&mut m, on, field.says("false"), field.at(&header));
        // SKU: Basic is one node.
        let sku = Field::of(props, "sku.name");
        let family = props.path("sku.family").and_then(Json::as_str).unwrap_or("");
        let capacity = props.path("sku.capacity").and_then(Json::as_i64);
        match sku.str() {
            Some(written) => {
                let tier = match capacity {
                    Some(c) => format!("{written} {family}{c}"),
                    None => written.to_string(),
                };
                let basic = written.eq_ignore_ascii_case("Basic");
                m.fact("managed.tier", Value::Str(tier), sku.at(&header));
                m.fact("managed.failover", Value::Bool(!basic), sku.at(&header));
                m.fact("managed.replicas", Value::Int(i64::from(!basic)), sku.at(&header));
                m.says("failover", sku.quote(), sku.at(&header));
            }
            None => {
                let reason = format!("{} (it is always printed)", sku.quote());
                m.unknown("managed.failover", reason.clone(), header.clone());
                m.says("failover", reason, header.clone());
            }
        }
        let replicas = Field::of(props, "replicasPerMaster");
        if let Some(count) = replicas.int() {
            m.fact("managed.replicas", Value::Int(count), replicas.at(&header));
        }
        m.fact("managed.encryption_at_rest", Value::Bool(true), header.clone());
        m.says(
            "at_rest",
            "Azure Cache for Redis always encrypts data at rest",
            header.clone(),
        );
        self.azure_public(&mut m, obj, props, &header);
        Self::version(&mut m, &Field::of(props, "redisVersion"), &header, None);
        self.done(m);
    }

    fn azure_public(&self, m: &mut Managed, obj: &Json, props: &Json, header: &Range<usize>) {
        let subnet = Field::of(props, "subnetId");
        let access = Field::of(props, "publicNetworkAccess");
        if subnet.str().is_some_and(|s| !s.is_empty()) {
            Self::private_only(
                m,
                &format!("{}: injected in a virtual network", subnet.quote()),
                subnet.at(header),
            );
            return;
        }
        if access.str().is_some_and(|a| a.eq_ignore_ascii_case("Disabled")) {
            Self::private_only(m, &access.quote(), access.at(header));
            return;
        }
        // Public access on: the firewall rules decide who reaches it (a
        // private endpoint adds a private way in, it closes no public one).
        let endpoints = props
            .get("privateEndpointConnections")
            .map(Json::items)
            .unwrap_or_default()
            .len();
        let access_says = |default: &str| match endpoints {
            0 => access.says(default),
            n => format!("{} (and {n} private endpoint connection(s))", access.says(default)),
        };
        let cache_id = obj.get("id").and_then(Json::as_str).unwrap_or("").to_ascii_lowercase();
        let name = obj
            .get("name")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        let rules: Vec<&Json> = self
            .of_shape(Shape::AzureFirewallRule)
            .filter(|rule| {
                let id = rule.get("id").and_then(Json::as_str).unwrap_or("").to_ascii_lowercase();
                match id.split_once("/firewallrules/") {
                    Some((owner, _)) if !cache_id.is_empty() => owner == cache_id,
                    Some((owner, _)) => owner.rsplit('/').next() == Some(name.as_str()),
                    None => false,
                }
            })
            .collect();
        if rules.is_empty() {
            let reason = format!("{}; firewall rules are not in this file", access_says("Enabled"));
            m.unknown("managed.public", reason.clone(), access.at(header));
            m.says("public", reason, access.at(header));
            return;
        }
        let open = rules.iter().find(|rule| {
            let start = rule.path("properties.startIP").and_then(Json::as_str);
            let end = rule.path("properties.endIP").and_then(Json::as_str);
            !private_range(start, end)
        });
        let (rule, public) = match open {
            Some(rule) => (*rule, true),
            None => (rules[0], false),
        };
        let start = rule.path("properties.startIP");
        let at = start.map(|s| s.span.clone()).unwrap_or(rule.span.clone());
        let rule_name = rule.get("name").and_then(Json::as_str).unwrap_or("?");
        let range = format!(
            "{}–{}",
            start.and_then(Json::as_str).unwrap_or("?"),
            rule.path("properties.endIP").and_then(Json::as_str).unwrap_or("?")
        );
        let says = if public {
            format!("{}; firewall rule {rule_name} lets in {range}", access_says("Enabled"))
        } else {
            format!(
                "{}; the firewall rules let in private addresses only ({rule_name}: {range})",
                access_says("Enabled")
            )
        };
        m.fact("managed.public", Value::Bool(public), at.clone());
        m.says("public", says, at);
    }
}

/// Whether a firewall rule's range is inside one private (RFC 1918) block.
fn private_range(start: Option<&str>, end: Option<&str>) -> bool {
    let parse = |ip: Option<&str>| {
        ip.and_then(|ip| ip.trim().parse::<std::net::Ipv4Addr>().ok())
            .map(u32::from)
    };
    let (Some(start), Some(end)) = (parse(start), parse(end)) else {
        return false;
    };
    [(0x0A00_0000u32, 8u32), (0xAC10_0000, 12), (0xC0A8_0000, 16)]
        .iter()
        .any(|&(base, bits)| {
            let mask = u32::MAX << (32 - bits);
            start & mask == base && end & mask == base
        })
}

/// `"1209600s"` (a protobuf duration) in whole days.
fn duration_days(text: &str) -> Option<i64> {
    let seconds: f64 = text.trim().strip_suffix('s')?.parse().ok()?;
    Some((seconds / 86_400.0).floor() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conf::Piece;
    use crate::facts::Origin;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/deployments/cloud-json");

    fn fixture(part: &str) -> (std::path::PathBuf, String) {
        let entry = std::fs::read_dir(FIXTURES)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_str().unwrap().contains(part))
            .unwrap_or_else(|| panic!("no fixture {part}"));
        let text = std::fs::read_to_string(&entry).unwrap();
        (entry, text)
    }

    fn read_text(text: &str) -> DeployFile {
        read(Path::new("d/cloud.json"), text, &Target::DEFAULT).unwrap()
    }

    fn names(file: &DeployFile) -> Vec<String> {
        file.instances
            .iter()
            .map(|i| i.id.rsplit('#').next().unwrap().to_string())
            .collect()
    }

    fn fact<'f>(instance: &'f Instance, path: &str) -> Option<&'f Value> {
        instance.fact(path).map(|(value, _)| value)
    }

    fn fact_line(instance: &Instance, path: &str) -> Option<usize> {
        instance.fact(path).and_then(|(_, origin)| match origin {
            Origin::File { line, .. } => Some(*line),
            _ => None,
        })
    }

    /// The config lines the instance sets: directive, value, opaque?, span.
    fn lines(instance: &Instance) -> Vec<(String, String, bool, Range<usize>)> {
        let mut out = Vec::new();
        for piece in &instance.pieces {
            if let Piece::Lines { lines, .. } = piece {
                for line in lines {
                    out.push((
                        line.args[0].value.clone(),
                        line.args.get(1).map(|a| a.value.clone()).unwrap_or_default(),
                        line.opaque.is_some(),
                        line.span.clone(),
                    ));
                }
            }
        }
        out
    }

    fn line(instance: &Instance, directive: &str) -> Option<(String, bool)> {
        lines(instance)
            .into_iter()
            .find(|(d, ..)| d == directive)
            .map(|(_, v, o, _)| (v, o))
    }

    fn public(instance: &Instance) -> Option<bool> {
        match fact(instance, "managed.public")? {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn is_unknown(value: Option<&Value>) -> bool {
        matches!(value, Some(Value::Unknown { .. }))
    }

    #[test]
    fn memorystore_instance_fixture() {
        let (path, text) = fixture("redis-instance-labels-get-instance");
        assert!(is_description(&text));
        let file = read(&path, &text, &Target::DEFAULT).unwrap();
        assert_eq!(names(&file), ["c7n-redis-default-5b53"]);
        let i = &file.instances[0];
        assert!(
            i.id.starts_with("cloud-json:") && i.id.ends_with(".json#c7n-redis-default-5b53"),
            "{}",
            i.id
        );
        assert_eq!(line(i, "port"), Some(("6379".into(), false)));
        assert_eq!(line(i, "tls-port"), Some(("0".into(), false)));
        assert_eq!(line(i, "requirepass"), Some((String::new(), false)));
        assert_eq!(line(i, "maxmemory-policy"), Some(("volatile-lru".into(), false)));
        assert_eq!(fact(i, "managed.failover"), Some(&Value::Bool(false)));
        assert_eq!(fact(i, "managed.backup"), Some(&Value::Bool(false)));
        assert_eq!(fact(i, "deploy.version"), Some(&Value::Str("7.0".into())));
        assert_eq!(fact(i, "managed.tier"), Some(&Value::Str("BASIC".into())));
        assert_eq!(public(i), Some(false));
        assert_eq!(
            fact(i, "managed.says.tls"),
            Some(&Value::Str("\"transitEncryptionMode\": \"DISABLED\"".into()))
        );
        let says_auth = fact(i, "managed.says.auth").and_then(Value::as_str).unwrap();
        assert!(
            says_auth.contains("authEnabled") && says_auth.contains("default false"),
            "{says_auth}"
        );
        // Facts point at the field's line.
        let tls_line = text
            .lines()
            .position(|l| l.contains("\"transitEncryptionMode\""))
            .unwrap()
            + 1;
        assert_eq!(fact_line(i, "managed.says.tls"), Some(tls_line));
    }

    #[test]
    fn memorystore_cluster_fixture() {
        let (path, text) = fixture("redis-cluster-query-get-clusters");
        let file = read(&path, &text, &Target::DEFAULT).unwrap();
        assert_eq!(names(&file), ["c7n-redis-cluster-primary", "c7n-redis-cluster-legacy"]);
        let (primary, legacy) = (&file.instances[0], &file.instances[1]);
        assert_eq!(line(primary, "port"), Some(("0".into(), false)));
        assert_eq!(line(primary, "tls-port"), Some(("6378".into(), false)));
        assert_eq!(line(primary, "requirepass"), Some((String::new(), true)));
        assert_eq!(line(legacy, "port"), Some(("6379".into(), false)));
        assert_eq!(line(legacy, "tls-port"), Some(("0".into(), false)));
        assert_eq!(line(legacy, "requirepass"), Some((String::new(), false)));
        for i in [primary, legacy] {
            assert_eq!(line(i, "cluster-enabled"), Some(("yes".into(), false)));
            assert_eq!(fact(i, "managed.replicas"), Some(&Value::Int(1)));
            assert_eq!(fact(i, "managed.failover"), Some(&Value::Bool(true)));
            assert_eq!(fact(i, "managed.backup"), Some(&Value::Bool(false)));
            assert_eq!(public(i), Some(false));
            assert_eq!(fact(i, "deploy.version"), None);
        }
    }

    #[test]
    fn elasticache_cache_clusters_fixture() {
        let (path, text) = fixture("DescribeCacheClusters");
        let file = read(&path, &text, &Target::DEFAULT).unwrap();
        // Group myec is not in the file: each member is judged on its own.
        assert_eq!(names(&file), ["myec-001", "myec-002", "myec-003"]);
        let retention: Vec<_> = file
            .instances
            .iter()
            .map(|i| fact(i, "managed.backup_retention_days").cloned())
            .collect();
        assert_eq!(
            retention,
            [Some(Value::Int(0)), Some(Value::Int(1)), Some(Value::Int(0))]
        );
        for i in &file.instances {
            assert_eq!(line(i, "tls-port"), Some(("0".into(), false)));
            assert_eq!(line(i, "requirepass"), Some((String::new(), false)));
            assert!(is_unknown(fact(i, "managed.encryption_at_rest")));
            assert!(is_unknown(fact(i, "managed.failover")));
            assert_eq!(fact(i, "deploy.version"), Some(&Value::Str("3.2".into())));
            assert_eq!(fact(i, "managed.tier"), Some(&Value::Str("cache.r3.large".into())));
            let says = fact(i, "managed.says.tls").and_then(Value::as_str).unwrap();
            assert!(says.contains("older"), "{says}");
        }
    }

    #[test]
    fn elasticache_replication_group_fixture() {
        let (path, text) = fixture("DescribeReplicationGroups");
        let file = read(&path, &text, &Target::DEFAULT).unwrap();
        assert_eq!(names(&file), ["test-c7n-rg"]);
        let i = &file.instances[0];
        assert_eq!(line(i, "port"), Some(("6379".into(), false)));
        assert_eq!(line(i, "tls-port"), Some(("0".into(), false)));
        assert_eq!(line(i, "requirepass"), Some((String::new(), false)));
        assert_eq!(line(i, "cluster-enabled"), Some(("yes".into(), false)));
        assert_eq!(fact(i, "managed.encryption_at_rest"), Some(&Value::Bool(false)));
        assert_eq!(fact(i, "managed.failover"), Some(&Value::Bool(true)));
        assert_eq!(fact(i, "managed.replicas"), Some(&Value::Int(2)));
        assert_eq!(fact(i, "managed.backup_retention_days"), Some(&Value::Int(1)));
        assert_eq!(fact(i, "managed.backup"), Some(&Value::Bool(true)));
        assert_eq!(public(i), Some(false));
    }

    #[test]
    fn users_and_firewall_rules_alone_are_no_target() {
        for part in ["DescribeUsers", "RedisCacheFirewallRulesList"] {
            let (path, text) = fixture(part);
            assert!(is_description(&text), "{part}");
            let file = read(&path, &text, &Target::DEFAULT).unwrap();
            assert!(file.instances.is_empty(), "{part}");
        }
    }

    #[test]
    fn memorydb_fixture() {
        let (path, text) = fixture("memory-db.DescribeClusters");
        let file = read(&path, &text, &Target::DEFAULT).unwrap();
        assert_eq!(names(&file), ["c7n-test-memorydb", "test-cluster-default"]);
        let (custom, default) = (&file.instances[0], &file.instances[1]);
        assert_eq!(line(custom, "tls-port"), Some(("0".into(), false)));
        assert_eq!(line(default, "tls-port"), Some(("6379".into(), false)));
        assert_eq!(line(default, "port"), Some(("0".into(), false)));
        for i in [custom, default] {
            assert_eq!(line(i, "requirepass"), Some((String::new(), false)));
            assert_eq!(fact(i, "deploy.version"), Some(&Value::Str("7.1".into())));
            assert!(is_unknown(fact(i, "managed.failover")));
        }
        assert_eq!(line(custom, "maxmemory-policy").map(|l| l.1), Some(true));
        assert_eq!(line(default, "maxmemory-policy"), Some(("noeviction".into(), false)));
        assert_eq!(fact(custom, "managed.backup"), Some(&Value::Bool(false)));
        assert_eq!(fact(default, "managed.backup"), Some(&Value::Bool(true)));
    }

    #[test]
    fn azure_fixtures() {
        let (path, text) = fixture("RedisCacheGet");
        let file = read(&path, &text, &Target::DEFAULT).unwrap();
        assert_eq!(names(&file), ["cache1"]);
        let i = &file.instances[0];
        assert_eq!(line(i, "port"), Some(("6379".into(), false)));
        assert_eq!(line(i, "tls-port"), Some(("6380".into(), false)));
        assert_eq!(line(i, "tls-protocols").map(|l| l.1), Some(true));
        assert_eq!(line(i, "requirepass"), Some((String::new(), true)));
        assert_eq!(fact(i, "managed.tier"), Some(&Value::Str("Premium P3".into())));
        assert_eq!(fact(i, "managed.replicas"), Some(&Value::Int(2)));
        assert_eq!(fact(i, "deploy.version"), Some(&Value::Str("3.2".into())));
        let reason = match fact(i, "managed.public") {
            Some(Value::Unknown { unknown }) => unknown.clone(),
            other => panic!("{other:?}"),
        };
        assert!(reason.contains("firewall rules are not in this file"), "{reason}");

        let (path, text) = fixture("RedisTest.test_find_by_name");
        let file = read(&path, &text, &Target::DEFAULT).unwrap();
        assert_eq!(names(&file), ["cctestredis"]);
        let i = &file.instances[0];
        assert_eq!(line(i, "port"), Some(("0".into(), false)));
        assert_eq!(line(i, "tls-port"), Some(("6380".into(), false)));
        assert_eq!(line(i, "maxclients"), Some(("256".into(), false)));
        assert_eq!(fact(i, "managed.tier"), Some(&Value::Str("Basic C0".into())));
        assert_eq!(fact(i, "managed.failover"), Some(&Value::Bool(false)));
        assert!(is_unknown(fact(i, "managed.public")));
    }

    #[test]
    fn azure_cache_and_its_firewall_rules_in_one_list() {
        let cache = |name: &str| {
            format!(
                r#"{{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cache/Redis/{name}", "name": "{name}", "type": "Microsoft.Cache/Redis", "properties": {{"sku": {{"name": "Standard", "family": "C", "capacity": 1}}, "enableNonSslPort": false, "minimumTlsVersion": "1.2", "publicNetworkAccess": "Enabled", "redisConfiguration": {{}}}}}}"#
            )
        };
        let rule = |cache: &str, start: &str, end: &str| {
            format!(
                r#"{{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cache/Redis/{cache}/firewallRules/r", "name": "r", "type": "Microsoft.Cache/Redis/firewallRules", "properties": {{"startIP": "{start}", "endIP": "{end}"}}}}"#
            )
        };
        let text = format!(
            "{{\"value\": [\n{},\n{},\n{},\n{}\n]}}",
            cache("private"),
            rule("private", "10.0.0.1", "10.0.0.9"),
            cache("open"),
            rule("open", "0.0.0.0", "255.255.255.255")
        );
        let file = read_text(&text);
        assert_eq!(names(&file), ["private", "open"]);
        assert_eq!(public(&file.instances[0]), Some(false));
        assert_eq!(public(&file.instances[1]), Some(true));
        assert_eq!(fact_line(&file.instances[1], "managed.public"), Some(5));
        assert_eq!(
            line(&file.instances[0], "tls-protocols"),
            Some(("TLSv1.2 TLSv1.3".into(), false))
        );
    }

    #[test]
    fn az_cli_output_is_flat() {
        let text = r#"[{"name": "flat", "type": "Microsoft.Cache/Redis", "enableNonSslPort": true, "minimumTlsVersion": "1.0", "publicNetworkAccess": "Disabled", "sku": {"name": "Premium", "family": "P", "capacity": 1}, "redisConfiguration": {"maxmemory-policy": "allkeys-lru", "authnotrequired": "true", "rdb-backup-enabled": "true"}, "redisVersion": "6.0", "accessKeys": {"primaryKey": "pk-Sekret-1", "secondaryKey": "sk-Sekret-2"}}]"#;
        let file = read_text(text);
        let i = &file.instances[0];
        assert_eq!(line(i, "port"), Some(("6379".into(), false)));
        assert_eq!(line(i, "tls-port"), Some(("6380".into(), false)));
        assert_eq!(
            line(i, "tls-protocols"),
            Some(("TLSv1 TLSv1.1 TLSv1.2 TLSv1.3".into(), false))
        );
        assert_eq!(line(i, "requirepass"), Some((String::new(), false)));
        assert_eq!(line(i, "maxmemory-policy"), Some(("allkeys-lru".into(), false)));
        assert_eq!(fact(i, "managed.backup"), Some(&Value::Bool(true)));
        assert_eq!(public(i), Some(false));
        assert_eq!(fact(i, "deploy.version"), Some(&Value::Str("6.0".into())));
        assert!(!file.source.text.contains("Sekret"), "{}", file.source.text);
        assert_eq!(file.source.text.len(), text.len());
    }

    #[test]
    fn elasticache_group_with_its_members_and_users() {
        let text = r#"{"ReplicationGroups": [{"ReplicationGroupId": "rg", "MemberClusters": ["rg-001", "rg-002"], "AutomaticFailover": "disabled", "TransitEncryptionEnabled": true, "TransitEncryptionMode": "preferred", "UserGroupIds": ["ug-open"], "AtRestEncryptionEnabled": true, "CacheNodeType": "cache.t4g.micro", "Engine": "valkey"}, {"ReplicationGroupId": "rg2", "MemberClusters": ["x"], "UserGroupIds": ["ug-closed"], "AuthTokenEnabled": false}],
 "CacheClusters": [{"CacheClusterId": "rg-001", "ReplicationGroupId": "rg", "Engine": "valkey", "EngineVersion": "7.2.6", "CacheParameterGroup": {"CacheParameterGroupName": "custom"}}, {"CacheClusterId": "mc", "Engine": "memcached"}, {"CacheClusterId": "solo", "Engine": "redis", "EngineVersion": "7.1.0", "AuthTokenEnabled": true, "TransitEncryptionEnabled": true}],
 "Users": [{"UserId": "default", "UserName": "default", "Status": "active", "AccessString": "on ~* +@all", "UserGroupIds": ["ug-open"], "Authentication": {"Type": "no-password"}}]}"#;
        let file = read_text(text);
        assert_eq!(names(&file), ["rg", "rg2", "solo"]);
        let (rg, rg2, solo) = (&file.instances[0], &file.instances[1], &file.instances[2]);
        assert_eq!(line(rg, "port"), Some(("6379".into(), false)));
        assert_eq!(line(rg, "tls-port"), Some(("6379".into(), false)));
        assert_eq!(line(rg, "requirepass"), Some((String::new(), false)));
        let says = fact(rg, "managed.says.auth").and_then(Value::as_str).unwrap();
        assert!(says.contains("no-password") && says.contains("ug-open"), "{says}");
        assert_eq!(fact(rg, "deploy.version"), Some(&Value::Str("valkey-7.2".into())));
        assert_eq!(line(rg, "maxmemory-policy").map(|l| l.1), Some(true));
        assert_eq!(fact(rg, "managed.replicas"), Some(&Value::Int(1)));
        assert_eq!(fact(rg, "managed.failover"), Some(&Value::Bool(false)));
        assert_eq!(line(rg2, "requirepass"), Some((String::new(), true)));
        assert_eq!(line(solo, "requirepass"), Some((String::new(), true)));
        assert_eq!(line(solo, "port"), Some(("0".into(), false)));
        assert_eq!(fact(solo, "managed.failover"), Some(&Value::Bool(false)));
    }

    #[test]
    fn memorystore_list_and_single_and_shards() {
        let text = r#"{"instances": [{"name": "projects/p/locations/l/instances/a", "tier": "STANDARD_HA", "authEnabled": true, "transitEncryptionMode": "SERVER_AUTHENTICATION", "redisVersion": "REDIS_6_X", "redisConfigs": {"maxmemory-policy": "allkeys-lfu", "notify-keyspace-events": "Ex", "maxmemory-gb": "1"}, "persistenceConfig": {"persistenceMode": "RDB"}}]}"#;
        let file = read_text(text);
        let i = &file.instances[0];
        assert_eq!(names(&file), ["a"]);
        assert_eq!(line(i, "tls-port"), Some(("6378".into(), false)));
        assert_eq!(line(i, "requirepass"), Some((String::new(), true)));
        assert_eq!(line(i, "maxmemory-policy"), Some(("allkeys-lfu".into(), false)));
        assert_eq!(line(i, "notify-keyspace-events"), Some(("Ex".into(), false)));
        assert_eq!(line(i, "maxmemory-gb"), None);
        assert_eq!(fact(i, "managed.failover"), Some(&Value::Bool(true)));
        assert_eq!(fact(i, "managed.backup"), Some(&Value::Bool(true)));
        assert_eq!(fact(i, "deploy.version"), Some(&Value::Str("6".into())));
        let text = r#"{"Clusters": [{"Name": "m", "ACLName": "my-acl", "TLSEnabled": true, "Shards": [{"Name": "0001", "NumberOfNodes": 2}], "EngineVersion": "7.1"}]}"#;
        let i = &read_text(text).instances[0];
        assert_eq!(line(i, "requirepass"), Some((String::new(), true)));
        assert_eq!(fact(i, "managed.replicas"), Some(&Value::Int(1)));
        assert_eq!(fact(i, "managed.failover"), Some(&Value::Bool(true)));
    }

    #[test]
    fn envelopes() {
        let payload = r#"{"Clusters": [{"Name": "env", "ACLName": "open-access", "TLSEnabled": false}]}"#;
        let escaped = serde_json::to_string(payload).unwrap();
        for text in [
            format!(r#"{{"status_code": 200, "data": {payload}}}"#),
            format!(r#"{{"headers": {{}}, "body": {payload}}}"#),
            format!(r#"{{"parameters": {{}}, "responses": {{"200": {{"body": {payload}}}}}}}"#),
            format!(r#"{{"interactions": [{{"request": {{}}, "response": {{"body": {{"data": {payload}}}}}}}]}}"#),
            format!(
                "{{\"interactions\": [{{\"request\": {{}}, \"response\": {{\"body\": {{\"string\": {escaped}}}}}}}]}}"
            ),
        ] {
            assert!(is_description(&text), "{text}");
            let file = read_text(&text);
            assert_eq!(names(&file), ["env"], "{text}");
            // Facts point into the file, at the field (escaped or not).
            let (_, _, origin) = file.instances[0]
                .facts
                .iter()
                .find(|(p, _, _)| p == "managed.says.tls")
                .unwrap();
            let Origin::File { offset, len, .. } = origin else {
                panic!()
            };
            let written = &text[*offset..offset + len];
            assert_eq!(written, "false", "{text}");
        }
    }

    #[test]
    fn a_string_holding_json_masks_and_points_inside() {
        let inner = r#"{"value": [{"name": "vcr", "type": "Microsoft.Cache/Redis", "properties": {"sku": {"name": "Basic"}, "accessKeys": {"primaryKey": "pk\/Sekret+1=="}}}]}"#;
        let text = format!(
            "{{\"interactions\": [{{\"response\": {{\"body\": {{\"string\": {}}}}}}}]}}",
            serde_json::to_string(inner).unwrap()
        );
        let file = read_text(&text);
        assert_eq!(names(&file), ["vcr"]);
        assert!(!file.source.text.contains("Sekret"), "{}", file.source.text);
        assert_eq!(file.source.text.len(), text.len());
        let (_, _, origin) = file.instances[0]
            .facts
            .iter()
            .find(|(p, _, _)| p == "managed.tier")
            .unwrap();
        let Origin::File { offset, len, .. } = origin else {
            panic!()
        };
        assert_eq!(&text[*offset..offset + len], "\\\"Basic\\\"");
    }

    #[test]
    fn secrets_are_masked_by_position() {
        let text = "{\"ReplicationGroups\": [{\"ReplicationGroupId\": \"rg\", \"MemberClusters\": [], \"AuthToken\": \"tok-Sekret-1\", \"AuthTokenEnabled\": true,\n \"password\": \"pw\\\"Sekret-2\", \"url\": \"redis://:Sekret-3@h:6379\", \"ConnectionString\": \"h:6380,password=Sekret-4,ssl=True\"}],\n \"junk\": \"{\\\"AuthToken\\\": \\\"Sekret-5 not json\"}";
        let file = read_text(text);
        assert_eq!(file.source.text.len(), text.len());
        assert!(!file.source.text.contains("Sekret"), "{}", file.source.text);
        assert!(file.source.text.contains("\"AuthTokenEnabled\": true"));
        assert!(file.source.text.contains("\"ReplicationGroupId\": \"rg\""));
    }

    #[test]
    fn a_secret_inside_another_field_is_read_masked() {
        // Found by the cloud_json fuzz target: the mode was quoted in managed.says.tls.
        let text = r#"{"instances": [{"name": "projects/p/locations/l/instances/i", "tier": "BASIC", "transitEncryptionMode": "SERVER_\"AuthToken\": \"PLANTEDpw1\"AUTHENTICATION"}]}"#;
        let file = read_text(text);
        assert!(!file.source.text.contains("PLANTEDpw1"));
        let i = &file.instances[0];
        for (path, value, _) in &i.facts {
            assert!(!format!("{value:?}").contains("PLANTEDpw1"), "{path}: {value:?}");
        }
        assert_eq!(line(i, "port").map(|l| l.1), Some(true));
    }

    #[test]
    fn not_descriptions() {
        for text in [
            r#"{"name": "app", "version": "1.0.0", "dependencies": {"redis": "^4.0.0"}}"#,
            r#"{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"ReplicationGroups": {"type": "array", "items": {"ReplicationGroupId": "x", "MemberClusters": []}}}}"#,
            r#"{"version": 4, "terraform_version": "1.5.0", "resources": [{"type": "azurerm_redis_cache", "instances": [{"attributes": {"redis_version": "6", "redisVersion": "x"}}]}]}"#,
            r#"{"redisVersion": "7"}"#,
            "not json ReplicationGroupId",
            "",
        ] {
            assert!(!is_description(text), "{text}");
        }
    }

    #[test]
    fn invalid_json_is_an_error_with_its_position() {
        let error = read(
            Path::new("a/b.json"),
            "{\n  \"Clusters\": [\n    {\"Name\": tru}\n  ]\n}",
            &Target::DEFAULT,
        )
        .unwrap_err();
        assert!(error.starts_with("a/b.json:3:14: not valid JSON: "), "{error}");
        let deep = "[".repeat(100_000);
        let error = read(Path::new("d.json"), &deep, &Target::DEFAULT).unwrap_err();
        assert!(
            error.contains("not valid JSON") && error.contains("nested deeper"),
            "{error}"
        );
        assert!(!is_description(&format!("{deep} ReplicationGroupId")));
    }

    #[test]
    fn a_huge_description_is_read_in_linear_time() {
        let one = r#"{"CacheClusterId": "c-NUM", "Engine": "redis", "EngineVersion": "7.1.0", "CacheNodeType": "cache.t3.micro", "TransitEncryptionEnabled": true, "Note": "\u00e9\/\n padding padding padding padding padding padding padding padding padding"}"#;
        let build = |count: usize| {
            let items: Vec<String> = (0..count).map(|n| one.replace("NUM", &n.to_string())).collect();
            format!("{{\"CacheClusters\": [\n{}\n]}}", items.join(",\n"))
        };
        let time = |text: &str| {
            let start = std::time::Instant::now();
            let file = read_text(text);
            (start.elapsed(), file.instances.len())
        };
        let small = build(2_500);
        let big = build(25_000);
        assert!(big.len() > 5_000_000, "{}", big.len());
        let (t_small, n_small) = time(&small);
        let (t_big, n_big) = time(&big);
        assert_eq!((n_small, n_big), (2_500, 25_000));
        assert!(is_description(&big));
        // Ten times the text, well under a hundred times the time.
        assert!(
            t_big < t_small * 40 + std::time::Duration::from_millis(200),
            "{t_small:?} then {t_big:?}"
        );
    }

    #[test]
    fn the_fuzz_seeds_hide_their_planted_credential() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/cloud_json");
        let mut planted = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(is_description(&text), "{}", path.display());
            let file = read(&path, &text, &Target::DEFAULT).unwrap();
            assert!(!file.instances.is_empty() || text.contains("firewallRules") || text.contains("UserId"));
            if text.contains("PLANTEDpw1") {
                planted += 1;
                assert!(!file.source.text.contains("PLANTEDpw1"), "{}", file.source.text);
            }
        }
        assert!(planted >= 3);
    }

    /// A minimal payload of a description, for the attribute table's test.
    fn base(resource: &str) -> serde_json::Value {
        use serde_json::json;
        match resource {
            GCLOUD_INSTANCE => {
                json!({"name": "projects/p/locations/l/instances/t", "tier": "BASIC", "redisVersion": "REDIS_7_0"})
            }
            GCLOUD_CLUSTER => json!({"name": "projects/p/locations/l/clusters/t", "shardCount": 1}),
            AWS_GROUPS => {
                json!({"ReplicationGroups": [{"ReplicationGroupId": "t", "MemberClusters": ["t-001"], "CacheNodeType": "cache.t3.micro"}]})
            }
            AWS_CLUSTERS => {
                json!({"CacheClusters": [{"CacheClusterId": "t", "Engine": "redis", "EngineVersion": "7.0.7", "CacheNodeType": "cache.t3.micro", "CacheParameterGroup": {"CacheParameterGroupName": "default.redis7"}}]})
            }
            AWS_MEMORYDB => {
                json!({"Clusters": [{"Name": "t", "ACLName": "open-access", "EngineVersion": "7.1", "NodeType": "db.t4g.small", "ParameterGroupName": "default.memorydb-redis7"}]})
            }
            AZ_REDIS => {
                json!({"value": [{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Cache/Redis/t", "name": "t", "type": "Microsoft.Cache/Redis", "properties": {"sku": {"name": "Basic", "family": "C", "capacity": 0}, "redisVersion": "6.0", "redisConfiguration": {}}}]})
            }
            other => panic!("no base payload for {other}"),
        }
    }

    /// A value other than the default for each attribute of the table.
    fn sample(resource: &str, attribute: &str) -> serde_json::Value {
        use serde_json::json;
        match (resource, attribute) {
            (_, "tier") => json!("STANDARD_HA"),
            (_, "replicaCount") => json!(3),
            (_, "authEnabled") => json!(true),
            (GCLOUD_INSTANCE, "transitEncryptionMode") => json!("SERVER_AUTHENTICATION"),
            (GCLOUD_CLUSTER, "transitEncryptionMode") => json!("TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION"),
            (_, "redisConfigs.maxmemory-policy") | (_, "properties.redisConfiguration.maxmemory-policy") => {
                json!("allkeys-lru")
            }
            (_, "redisConfigs.<directive>") => json!("Ex"),
            (_, "properties.redisConfiguration.<directive>") => json!("500"),
            (_, "persistenceConfig.persistenceMode") | (_, "persistenceConfig.mode") => json!("RDB"),
            (_, "redisVersion") => json!("REDIS_6_X"),
            (_, "connectMode") => json!("PRIVATE_SERVICE_ACCESS"),
            (_, "customerManagedKey") => json!("projects/p/locations/l/keyRings/r/cryptoKeys/k"),
            (_, "authorizationMode") => json!("AUTH_MODE_IAM_AUTH"),
            (_, "nodeType") => json!("REDIS_HIGHMEM_XLARGE"),
            (_, "automatedBackupConfig.automatedBackupMode") => json!("ENABLED"),
            (_, "automatedBackupConfig.retention") => json!("864000s"),
            (_, "TransitEncryptionEnabled") => json!(true),
            (_, "TransitEncryptionMode") => json!("preferred"),
            (_, "AuthTokenEnabled") => json!(true),
            (_, "UserGroupIds") => json!(["ug-1"]),
            (_, "AtRestEncryptionEnabled") => json!(true),
            (_, "AutomaticFailover") => json!("enabled"),
            (_, "NodeGroups") => {
                json!([{"NodeGroupId": "0001", "NodeGroupMembers": [{"CacheClusterId": "a"}, {"CacheClusterId": "b"}]}])
            }
            (_, "MemberClusters") => json!(["a", "b", "c"]),
            (_, "SnapshotRetentionLimit") => json!(7),
            (_, "CacheNodeType") => json!("cache.r7g.large"),
            (_, "ClusterEnabled") => json!(true),
            (_, "EngineVersion") => json!("6.2.6"),
            (_, "CacheParameterGroup.CacheParameterGroupName") => json!("custom-params"),
            (_, "ReplicationGroupId") => json!("elsewhere"),
            (_, "TLSEnabled") => json!(false),
            (_, "ACLName") => json!("my-acl"),
            (_, "Shards") => json!([{"Name": "0001", "NumberOfNodes": 3}]),
            (_, "NodeType") => json!("db.r7g.large"),
            (_, "ParameterGroupName") => json!("custom-params"),
            (_, "KmsKeyId") => json!("arn:aws:kms:us-east-1:1:key/k"),
            (_, "properties.enableNonSslPort") => json!(true),
            (_, "properties.minimumTlsVersion") => json!("1.2"),
            (_, "properties.redisConfiguration.authnotrequired") => json!("true"),
            (_, "properties.redisConfiguration.aad-enabled") => json!("true"),
            (_, "properties.redisConfiguration.rdb-backup-enabled") => json!("true"),
            (_, "properties.redisConfiguration.aof-backup-enabled") => json!("true"),
            (_, "properties.sku.name") => json!("Premium"),
            (_, "properties.replicasPerMaster") => json!(3),
            (_, "properties.redisVersion") => json!("4.0.14"),
            (_, "properties.publicNetworkAccess") => json!("Disabled"),
            (_, "properties.subnetId") => {
                json!("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/s")
            }
            (_, "firewallRules[].properties.startIP") => json!("192.0.2.1"),
            other => panic!("no sample value for {other:?}: add one with the row"),
        }
    }

    #[test]
    fn every_attribute_of_the_table_is_read_from_its_line() {
        for row in ATTRIBUTES {
            assert_eq!(row.kind, Kind::CloudJson);
            let mut payload = base(row.resource);
            let value = sample(row.resource, row.attribute);
            let inserted = value.clone();
            // The resource object inside the payload.
            let resource = match payload.as_object_mut().unwrap().values_mut().next() {
                Some(serde_json::Value::Array(list))
                    if row.resource != GCLOUD_INSTANCE && row.resource != GCLOUD_CLUSTER =>
                {
                    &mut list[0]
                }
                _ => &mut payload,
            };
            let (attribute, directive) = match row.attribute.split_once("<directive>") {
                Some((prefix, _)) if prefix.starts_with("redisConfigs") => (
                    format!("{prefix}notify-keyspace-events"),
                    Some("notify-keyspace-events"),
                ),
                Some((prefix, _)) => (format!("{prefix}maxclients"), Some("maxclients")),
                None => (row.attribute.to_string(), None),
            };
            let key = attribute.rsplit('.').next().unwrap().to_string();
            if attribute.starts_with("firewallRules[]") {
                let cache = payload["value"][0]["id"].as_str().unwrap().to_string();
                let rule = serde_json::json!({"id": format!("{cache}/firewallRules/r"), "name": "r", "type": "Microsoft.Cache/Redis/firewallRules", "properties": {"startIP": inserted, "endIP": "192.0.2.9"}});
                payload["value"].as_array_mut().unwrap().push(rule);
            } else {
                let mut node = resource;
                let parts: Vec<&str> = attribute.split('.').collect();
                for part in &parts[..parts.len() - 1] {
                    if node.get(*part).is_none() {
                        node[*part] = serde_json::json!({});
                    }
                    node = &mut node[*part];
                }
                node[*parts.last().unwrap()] = inserted;
            }
            let text = serde_json::to_string_pretty(&payload).unwrap();
            let written = match &value {
                serde_json::Value::Array(_) => "[".to_string(),
                serde_json::Value::Object(_) => "{".to_string(),
                scalar => scalar.to_string(),
            };
            let wanted = format!("\"{key}\": {written}");
            let field_line = text.lines().position(|l| l.trim_start().starts_with(&wanted)).unwrap() + 1;
            let file = read_text(&text);
            assert_eq!(file.instances.len(), 1, "{}: {text}", row.attribute);
            let instance = &file.instances[0];
            let index = crate::textfile::LineIndex::new(&text);
            let line_of = |span: &Range<usize>| index.line_column(&text, span.start).0;
            let hit = row.facts.iter().any(|name| {
                let name = match directive {
                    Some(d) => name.replace("<directive>", d),
                    None => name.to_string(),
                };
                match name.strip_prefix("conf.") {
                    Some(d) => lines(instance)
                        .iter()
                        .any(|(l, _, _, span)| l == d && line_of(span) == field_line),
                    None => fact_line(instance, &name) == Some(field_line),
                }
            });
            assert!(
                hit,
                "{} {}: none of {:?} comes from line {field_line}:\n{text}\n{:#?}",
                row.resource, row.attribute, row.facts, instance.facts
            );
        }
    }
}
