//! Every fact path the pipeline writes, in one place: rule packs (built-in
//! and `--rules`) are checked against it when they load, so a typo in a
//! condition is an error instead of a check that silently never fires.

/// Paths written exactly as listed, with what each holds.
pub const EXACT: &[(&str, &str)] = &[
    ("target.product", "`redis` or `valkey`: the product judged"),
    ("target.line", "release line judged, e.g. `7.2`"),
    ("target.id", "the target's id, e.g. `redis-conf:deploy/redis.conf`"),
    ("profile", "deployment profile"),
    ("conf.sentinel-mode", "the config is read as a Sentinel config"),
    ("settings.eviction_policy", "expected `maxmemory-policy`"),
    ("settings.password_min_length", "minimum password length"),
    ("settings.max_ttl_seconds", "longest acceptable cache TTL"),
    ("settings.memory_pressure_percent", "memory use that is pressure"),
    ("settings.hit_rate_min_percent", "lowest acceptable hit rate"),
    (
        "settings.clients_percent",
        "connected clients share of maxclients that is too many",
    ),
    ("settings.backup_max_age_seconds", "oldest acceptable last save"),
    ("settings.latency_medium_us", "p50 latency that is medium"),
    ("settings.latency_high_us", "p50 latency that is high"),
    ("settings.cert_expiry_days", "certificate days left that warn"),
    ("settings.tier", "`basic` or `standard`"),
    ("env.present", "an env source was read"),
    ("env.tls", "`REDIS_TLS` as a boolean"),
    ("env.url.var", "the variable the Redis URL is read from (`REDIS_URL`, `CELERY_BROKER_URL`, ...)"),
    ("env.tls.var", "the variable the TLS switch is read from (`REDIS_TLS`, `REDIS_SSL`, ...)"),
    ("env.host", "a Redis host variable (`REDIS_HOST`, `CACHE_REDIS_HOST`, ...)"),
    ("env.url.scheme", "scheme of `REDIS_URL`"),
    ("env.url.tls", "`REDIS_URL` uses TLS"),
    ("env.url.db", "database number of `REDIS_URL`"),
    ("env.url.host", "host of `REDIS_URL`"),
    ("env.url.port", "port of `REDIS_URL`"),
    ("env.url.socket", "unix socket path of `REDIS_URL`"),
    ("env.url.username", "user of `REDIS_URL`"),
    ("env.url.password", "password of `REDIS_URL` (secret)"),
    ("env.url.error", "why `REDIS_URL` does not parse"),
    ("live.reachable", "the probe reached the server"),
    ("live.endpoint", "where the probe connected"),
    ("live.product", "`redis` or `valkey`, from INFO"),
    ("live.version", "server version, from INFO"),
    ("live.version_number", "major*100+minor"),
    ("live.role", "replication role"),
    ("live.uptime_seconds", "uptime"),
    ("live.used_memory_bytes", "used memory"),
    ("live.maxmemory_bytes", "maxmemory (absent when 0: no limit)"),
    (
        "live.memory_used_percent",
        "used memory as a percentage of maxmemory (float)",
    ),
    ("live.keyspace_hits", "keyspace hits"),
    ("live.keyspace_misses", "keyspace misses"),
    ("live.keyspace_lookups", "hits + misses"),
    ("live.hit_rate_percent", "hits as a percentage of lookups (float)"),
    ("live.fragmentation_x100", "mem_fragmentation_ratio × 100"),
    ("live.last_save_unix", "time of the last successful save"),
    ("live.last_save_age_seconds", "seconds since the last successful save"),
    (
        "live.saved_since_start",
        "the server saved since it started (INFO `rdb_saves`, or `rdb_last_bgsave_time_sec` before 7.0)",
    ),
    ("live.connected_clients", "connected clients"),
    ("live.maxclients", "maxclients (CONFIG GET)"),
    (
        "live.clients_percent",
        "connected clients as a percentage of maxclients (float)",
    ),
    ("live.dbsize", "keys in the selected database"),
    ("live.persistence_enabled", "RDB or AOF on (CONFIG GET)"),
    (
        "live.unauthenticated_access",
        "a connection without credentials may run commands",
    ),
    (
        "live.dangerous_callable",
        "dangerous commands the app's user may run (ACL DRYRUN)",
    ),
    ("live.dryrun_user", "the user ACL DRYRUN checked"),
    ("live.latency.samples", "PINGs timed"),
    ("live.latency.min_us", "fastest PING"),
    ("live.latency.p50_us", "median PING"),
    ("live.latency.p99_us", "99th percentile PING"),
    ("live.latency.max_us", "slowest PING"),
    ("live.slowlog_len", "SLOWLOG LEN"),
    ("live.tls.protocol", "negotiated TLS version"),
    ("live.tls.cert_days_left", "days until the server certificate expires"),
    ("live.plaintext_accepted", "with TLS on, the plaintext port answers too"),
    ("live.round_trips", "round trips the probe made"),
    ("live.elapsed_ms", "time the probe took"),
    ("deploy.kind", "the deployment file's kind: `compose`, `kubernetes`, `helm`, `terraform`, `cloud-json`"),
    ("deploy.container", "Redis runs in a container with its own network namespace"),
    ("deploy.image", "the container image"),
    ("deploy.host_network", "the container shares the host's network (`network_mode: host`, `hostNetwork`)"),
    (
        "deploy.port_published",
        "the Redis port is reachable from outside the host (published on a non-loopback address, LoadBalancer/NodePort Service, hostPort)",
    ),
    ("deploy.published_address", "where the Redis port is published"),
    (
        "deploy.password_in_source",
        "a Redis password is written literally in the deployment file",
    ),
    ("deploy.monitoring", "a metrics exporter or scrape annotation is configured"),
    ("deploy.persistent_volume", "the chart keeps data on a persistent volume"),
    ("deploy.architecture", "the chart's architecture (`standalone`, `replication`)"),
    ("deploy.replicas", "replica count"),
    ("deploy.sentinel", "Sentinel is enabled by the chart"),
    ("deploy.sentinel_quorum", "Sentinel quorum"),
    ("deploy.network_policy", "a NetworkPolicy restricts who may connect"),
    ("deploy.network_policy_allow_external", "the NetworkPolicy lets any pod connect"),
    ("deploy.chart", "the Helm chart the values are for"),
    ("deploy.chart_defaults", "the chart version whose defaults were applied"),
    ("deploy.version", "the release line a deployment pins (`7.0`, `6`, `valkey-8.0`): an image tag or a managed engine version"),
    ("managed.service", "the managed service: `memorystore`, `elasticache`, `memorydb`, `azure-cache`, `redis-cloud`"),
    ("managed.resource", "the resource or described instance (`google_redis_instance.cache`)"),
    ("managed.tier", "the service tier, SKU or node type as written (`STANDARD_HA`, `Premium P1`, `cache.t3.micro`)"),
    ("managed.engine_version", "the engine version as written (`REDIS_7_0`, `7.1`)"),
    ("managed.failover", "a replica takes over automatically when the primary fails"),
    ("managed.replicas", "replicas per primary (or shard)"),
    ("managed.backup", "automatic snapshots or persistence are on"),
    ("managed.backup_retention_days", "days automatic snapshots are kept"),
    ("managed.encryption_at_rest", "data at rest is encrypted"),
    ("managed.public", "the endpoint is reachable from the internet"),
    ("managed.env_link", "the app's Redis variables are linked to this managed instance (unknown: more than one it could be)"),
    ("settings.backup_retention_days", "fewest days of snapshots to keep"),
    (
        "exposure.reachability",
        "who can connect: `host-only`, `private` or `public` (unknown: why), from the listener, the container's published port or Service, the managed network",
    ),
    ("exposure.evidence", "what decided the reachability, quoted"),
    (
        "exposure.protected_mode_blocks",
        "protected mode refuses remote clients while the default user has no password (on, and on Redis < 7.0 only without a written `bind`)",
    ),
    (
        "exposure.socket_excludes_others",
        "with `port 0`, the unix socket's mode keeps other local users out",
    ),
    ("target.tls_available", "the release line has TLS (`tls-port`; Redis 6.0 and later, every Valkey)"),
    ("workload.role", "what the instance is for: `cache`, `session`, `store` or `queue`"),
    ("workload.role_evidence", "why it has that role: a setting, a variable, a name, its persistence"),
    (
        "settings.eviction_policy_set",
        "the team set `eviction_policy` in redis-preflight.toml (else the role decides)",
    ),
    ("host.overcommit_memory", "vm.overcommit_memory"),
    ("host.transparent_hugepages", "transparent hugepages mode"),
    ("host.somaxconn", "net.core.somaxconn"),
];

/// Whether `path` names a fact the pipeline can write: one of `EXACT`, or a
/// member of a family whose last part is open: `conf.<directive>` (the rule
/// loader checks the name against the directive catalog), `env.<VARIABLE>`
/// (upper case), `env.url.query.<parameter>`, `live.info.<INFO field>`.
pub fn is_known(path: &str) -> bool {
    if EXACT.iter().any(|(known, _)| *known == path) {
        return true;
    }
    if let Some(name) = path.strip_prefix("env.url.query.") {
        return !name.is_empty();
    }
    if let Some(name) = path.strip_prefix("env.") {
        // Variables are upper case; lower-case names under `env.` are the fixed ones above.
        return !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    }
    if let Some(concept) = path.strip_prefix("managed.says.") {
        return !concept.is_empty();
    }
    if let Some(name) = path.strip_prefix("live.info.") {
        return !name.is_empty();
    }
    path.strip_prefix("conf.").is_some_and(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_paths() {
        for path in [
            "live.memory_used_percent",
            "env.REDIS_URL",
            "env.CACHE_TTL_DEFAULT",
            "env.url.query.ssl_cert_reqs",
            "live.info.used_memory",
            "conf.maxmemory",
        ] {
            assert!(is_known(path), "{path}");
        }
        for path in [
            "live.memory_used_pct",
            "env.url.hots",
            "env.redis_url",
            "settings.nope",
            "conf.",
            "tls",
        ] {
            assert!(!is_known(path), "{path}");
        }
    }
}
