//! Each live and host rule, fail and pass, on probe results built here: the
//! conditions and thresholds, independent of what a test server can be made
//! to show (a save older than a day, Redis 6, a certificate in a week).

use redis_preflight::conf::catalog::Target;
use redis_preflight::findings::{Severity, State};
use redis_preflight::probe::connect::TlsFacts;
use redis_preflight::probe::{HostFacts, Latency, LiveData, Reply};
use redis_preflight::rules::{self, Evaluation, RulePack};
use redis_preflight::run::assemble::{build_facts, FactInputs};
use redis_preflight::settings::Settings;
use std::collections::BTreeMap;
use std::time::Duration;

const NOW: i64 = 1_800_000_000;

fn healthy() -> LiveData {
    let info: BTreeMap<String, String> = [
        ("redis_version", "7.2.4"),
        ("role", "master"),
        ("connected_slaves", "1"),
        ("used_memory", "104857600"),
        ("used_memory_human", "100.00M"),
        ("maxmemory", "1073741824"),
        ("maxmemory_human", "1.00G"),
        ("total_system_memory", "8589934592"),
        ("total_system_memory_human", "8.00G"),
        ("keyspace_hits", "9000"),
        ("keyspace_misses", "1000"),
        ("evicted_keys", "0"),
        ("mem_fragmentation_ratio", "1.10"),
        ("rdb_last_bgsave_status", "ok"),
        ("aof_last_write_status", "ok"),
        ("rdb_last_save_time", "1799996400"),
        ("connected_clients", "10"),
        ("rejected_connections", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let config: BTreeMap<String, String> = [
        ("maxclients", "10000"),
        ("save", "3600 1"),
        ("appendonly", "no"),
        ("port", "6379"),
        ("tcp-backlog", "511"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    LiveData {
        endpoint: "redis://127.0.0.1:6380".into(),
        info,
        config: Reply::Ok(config),
        acl_whoami: Reply::Ok("default".into()),
        acl_list: Reply::Ok(vec![
            "user default on #0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef ~* &* +@all -@dangerous"
                .into(),
        ]),
        dangerous_callable: Reply::Ok(vec![]),
        dryrun_user: "app".into(),
        slowlog_len: Reply::Ok(0),
        role: Reply::Ok("master".into()),
        dbsize: Reply::Ok(10),
        unauthenticated_access: Reply::Ok(false),
        latency: Latency::from_samples(vec![200; 100]),
        tls: Some(TlsFacts {
            protocol: "TLSv1.3".into(),
            cipher: String::new(),
            not_after: Some(NOW + 200 * 86_400),
            validity_problem: None,
        }),
        plaintext_accepted: Some(false),
        host: Some(HostFacts {
            overcommit_memory: Some(1),
            transparent_hugepages: Some("always madvise [never]".into()),
            somaxconn: Some(4096),
        }),
        round_trips: 6,
        elapsed: Duration::from_millis(5),
        secrets: vec![],
        now: NOW,
    }
}

fn findings(live: &LiveData, settings: &Settings) -> Vec<(String, Severity, State)> {
    let pack = RulePack::embedded().unwrap();
    let overrides = BTreeMap::new();
    let evaluation = Evaluation {
        profile: "self-hosted",
        severity_overrides: &overrides,
        select: &[],
        ignore: &[],
    };
    let facts = build_facts(FactInputs {
        target: Target::parse("7.2").unwrap(),
        profile: "self-hosted",
        settings,
        config: None,
        env: None,
        live: Some(live),
    });
    rules::evaluate(&pack, &facts, &evaluation)
        .into_iter()
        .map(|f| (f.rule, f.severity, f.state))
        .collect()
}

fn fires(live: &LiveData, rule: &str) -> Option<(Severity, State)> {
    findings(live, &Settings::default())
        .into_iter()
        .find(|(r, _, _)| r == rule)
        .map(|(_, s, st)| (s, st))
}

fn set(live: &mut LiveData, key: &str, value: &str) {
    live.info.insert(key.into(), value.into());
}

#[test]
fn a_healthy_server_has_no_live_or_host_finding() {
    let found: Vec<String> = findings(&healthy(), &Settings::default())
        .into_iter()
        .map(|(r, _, _)| r)
        .filter(|r| r.starts_with("live.") || r.starts_with("host."))
        .collect();
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn memory_rules() {
    let mut live = healthy();
    set(&mut live, "used_memory", "900000000");
    assert_eq!(
        fires(&live, "live.memory-pressure"),
        Some((Severity::High, State::Fail))
    );
    let mut live = healthy();
    set(&mut live, "maxmemory", "17179869184");
    assert!(fires(&live, "live.maxmemory-exceeds-system").is_some());
    let mut live = healthy();
    set(&mut live, "evicted_keys", "12");
    assert_eq!(fires(&live, "live.evictions"), Some((Severity::Low, State::Fail)));
    let mut live = healthy();
    set(&mut live, "mem_fragmentation_ratio", "1.80");
    set(&mut live, "used_memory", "209715200");
    assert!(fires(&live, "live.fragmentation").is_some());
    set(&mut live, "used_memory", "1048576");
    assert!(
        fires(&live, "live.fragmentation").is_none(),
        "small instances are ignored"
    );
}

#[test]
fn hit_rate_needs_enough_lookups() {
    let mut live = healthy();
    set(&mut live, "keyspace_hits", "500");
    set(&mut live, "keyspace_misses", "600");
    assert_eq!(fires(&live, "live.hit-rate-low"), Some((Severity::Medium, State::Fail)));
    set(&mut live, "keyspace_hits", "50");
    set(&mut live, "keyspace_misses", "60");
    assert!(fires(&live, "live.hit-rate-low").is_none(), "fewer than 1000 lookups");
}

#[test]
fn latency_severity_depends_on_the_median() {
    let mut live = healthy();
    live.latency = Latency::from_samples(vec![2_000; 100]);
    assert_eq!(fires(&live, "live.latency-high"), Some((Severity::Medium, State::Fail)));
    live.latency = Latency::from_samples(vec![15_000; 100]);
    assert_eq!(fires(&live, "live.latency-high"), Some((Severity::High, State::Fail)));
}

#[test]
fn backups() {
    let mut live = healthy();
    set(&mut live, "rdb_last_bgsave_status", "err");
    assert_eq!(
        fires(&live, "live.backup-failed"),
        Some((Severity::Critical, State::Fail))
    );
    let mut live = healthy();
    set(&mut live, "rdb_last_save_time", &(NOW - 2 * 86_400).to_string());
    assert_eq!(fires(&live, "live.backup-stale"), Some((Severity::High, State::Fail)));
    if let Reply::Ok(config) = &mut live.config {
        config.insert("save".into(), String::new());
    }
    assert!(
        fires(&live, "live.backup-stale").is_none(),
        "no persistence, nothing to be stale"
    );
}

#[test]
fn replication_and_tiers() {
    let mut live = healthy();
    set(&mut live, "connected_slaves", "0");
    assert!(fires(&live, "live.no-replica").is_none(), "basic tier needs no replica");
    let settings = Settings {
        tier: Some("standard".into()),
        ..Settings::default()
    };
    assert!(findings(&live, &settings)
        .iter()
        .any(|(r, _, _)| r == "live.no-replica"));
    let mut live = healthy();
    set(&mut live, "role", "slave");
    set(&mut live, "master_link_status", "down");
    set(&mut live, "master_host", "10.0.0.5");
    set(&mut live, "master_port", "6379");
    assert!(fires(&live, "live.replica-link-down").is_some());
}

#[test]
fn clients() {
    let mut live = healthy();
    set(&mut live, "connected_clients", "9000");
    assert!(fires(&live, "live.clients-near-limit").is_some());
    let mut live = healthy();
    set(&mut live, "rejected_connections", "3");
    assert!(fires(&live, "live.rejected-connections").is_some());
}

#[test]
fn certificates_and_plaintext() {
    let mut live = healthy();
    live.tls.as_mut().unwrap().not_after = Some(NOW + 7 * 86_400);
    assert_eq!(
        fires(&live, "live.tls-cert-expiring"),
        Some((Severity::High, State::Fail))
    );
    live.tls.as_mut().unwrap().not_after = Some(NOW - 86_400);
    assert_eq!(
        fires(&live, "live.tls-cert-expiring"),
        Some((Severity::Critical, State::Fail))
    );
    let mut live = healthy();
    live.plaintext_accepted = Some(true);
    assert!(fires(&live, "live.plaintext-accepted").is_some());
}

#[test]
fn versions() {
    let mut live = healthy();
    set(&mut live, "redis_version", "6.2.14");
    assert_eq!(fires(&live, "live.version-eol"), Some((Severity::High, State::Fail)));
    // Valkey says redis_version 7.2.4 for compatibility; its own version decides.
    set(&mut live, "valkey_version", "8.0.1");
    assert!(fires(&live, "live.version-eol").is_none());
}

#[test]
fn access_and_commands() {
    let mut live = healthy();
    live.unauthenticated_access = Reply::Ok(true);
    assert_eq!(
        fires(&live, "live.unauthenticated-access"),
        Some((Severity::Critical, State::Fail))
    );
    let mut live = healthy();
    live.dangerous_callable = Reply::Ok(vec!["FLUSHALL".into(), "CONFIG".into()]);
    assert!(fires(&live, "live.dangerous-commands-callable").is_some());
    live.dangerous_callable =
        Reply::Denied("NOPERM this user has no permissions to run the 'acl|dryrun' command".into());
    assert_eq!(
        fires(&live, "live.dangerous-commands-callable"),
        Some((Severity::High, State::Warn)),
        "could not verify"
    );
}

#[test]
fn a_refused_config_get_makes_config_rules_warn_not_fail() {
    let mut live = healthy();
    live.config = Reply::Denied("NOPERM this user has no permissions to run the 'config|get' command".into());
    let all = findings(&live, &Settings::default());
    let maxmemory = all
        .iter()
        .find(|(r, _, _)| r == "memory.maxmemory-unset")
        .expect("reported as could-not-verify");
    assert_eq!(maxmemory.2, State::Warn);
    assert!(all
        .iter()
        .all(|(r, _, st)| !r.starts_with("tls.") || *st == State::Warn));
    let mut live = healthy();
    live.acl_list = Reply::Denied("NOPERM".into());
    assert_eq!(fires(&live, "auth.no-password"), Some((Severity::High, State::Warn)));
}

#[test]
fn host_settings() {
    let mut live = healthy();
    live.host = Some(HostFacts {
        overcommit_memory: Some(0),
        transparent_hugepages: Some("[always] madvise never".into()),
        somaxconn: Some(128),
    });
    assert!(fires(&live, "host.overcommit-memory").is_some());
    assert!(fires(&live, "host.transparent-hugepages").is_some());
    assert!(fires(&live, "host.somaxconn").is_some());
    live.host = None;
    assert!(
        fires(&live, "host.overcommit-memory").is_none(),
        "a remote server's host is not this machine"
    );
}

/// The rules and the Live section read one unrounded percentage: 80.9 % of
/// maxmemory is above an 80 % threshold (it used to be truncated to 80, so no
/// finding, while the Live section printed 80.9 %).
#[test]
fn memory_pressure_compares_the_unrounded_percentage() {
    let mut live = healthy();
    set(&mut live, "maxmemory", "1000000");
    set(&mut live, "used_memory", "809000");
    assert_eq!(
        fires(&live, "live.memory-pressure"),
        Some((Severity::High, State::Fail))
    );
    let facts = build_facts(FactInputs {
        target: Target::parse("7.2").unwrap(),
        profile: "self-hosted",
        settings: &Settings::default(),
        config: None,
        env: None,
        live: Some(&live),
    });
    let summary = redis_preflight::report::live_summary::summarise(&facts).unwrap();
    assert_eq!(summary.memory.used_percent, Some(80.9));
    set(&mut live, "used_memory", "800000");
    assert_eq!(fires(&live, "live.memory-pressure"), None);
}
