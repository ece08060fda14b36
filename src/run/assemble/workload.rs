//! The role of an instance (cache, session store, primary store, queue):
//! what the team said in the settings, else what its names and its
//! configuration suggest, else a cache (the guide's main use). The rules on
//! eviction, persistence and TTLs judge by it; the evidence says why.

use crate::facts::{EnvVar, Facts, Origin, Value};
use crate::settings::Settings;

/// Name words that suggest a role, in the order they are tried: a
/// `session-store` is a session store, a `cache-queue` a queue.
const NAME_CUES: [(&str, &[&str]); 4] = [
    ("queue", &["queue", "broker", "celery", "sidekiq", "bullmq", "rq"]),
    ("session", &["session", "sessions"]),
    (
        "store",
        &["store", "persist", "persistent", "storage", "db", "database"],
    ),
    ("cache", &["cache"]),
];

/// Writes `workload.role` and `workload.role_evidence`.
pub fn apply(facts: &mut Facts, settings: &Settings, env: Option<&[EnvVar]>) {
    let target = facts
        .value("target.id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let (role, evidence, origin) = infer(facts, settings, env.unwrap_or_default(), &target);
    facts.insert("workload.role", Value::Str(role.into()), origin.clone());
    facts.insert("workload.role_evidence", Value::Str(evidence), origin);
}

fn infer(facts: &Facts, settings: &Settings, env: &[EnvVar], target: &str) -> (&'static str, String, Origin) {
    if let Some((role, said)) = settings.role_of(target) {
        return (static_role(role), format!("set by {said}"), Origin::Settings);
    }
    if let Some(var) = env.iter().find(|v| is_broker_variable(&v.name)) {
        return (
            "queue",
            format!("the app reaches it as a message broker (`{}`)", var.name),
            var.origin.clone(),
        );
    }
    if let Some(service) = facts
        .get("managed.service")
        .filter(|f| f.value.as_str() == Some("memorydb"))
    {
        return (
            "store",
            "MemoryDB is a durable primary database (a multi-AZ transaction log)".into(),
            service.origin.clone(),
        );
    }
    if let Some((role, word, name)) = names(target).find_map(|name| role_of_name(&name).map(|(r, w)| (r, w, name))) {
        return (role, format!("its name `{name}` says `{word}`"), Origin::Settings);
    }
    let appendonly = facts.get("conf.appendonly");
    let never_evicts = facts.value("conf.maxmemory-policy").and_then(Value::as_str) == Some("noeviction");
    if let Some(aof) = appendonly.filter(|f| f.value.as_bool() == Some(true) && !matches!(f.origin, Origin::Default)) {
        if never_evicts {
            return (
                "store",
                "`appendonly yes` with `maxmemory-policy noeviction`: kept on disk and never evicted".into(),
                aof.origin.clone(),
            );
        }
    }
    ("cache", "the default: nothing names its role".into(), Origin::Settings)
}

fn static_role(role: &str) -> &'static str {
    NAME_CUES
        .iter()
        .map(|(r, _)| *r)
        .find(|r| *r == role)
        .unwrap_or("cache")
}

/// `CELERY_BROKER_URL`, `RQ_BROKER_URL`, `BROKER_URL`.
fn is_broker_variable(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper == "BROKER_URL" || upper.ends_with("_BROKER_URL")
}

/// The names a target id carries: the instance's (after `#`, e.g. the
/// compose service, the Kubernetes object, the Terraform resource) and the
/// file's stem.
fn names(target: &str) -> impl Iterator<Item = String> + '_ {
    let (file, instance) = match target.split_once('#') {
        Some((file, instance)) => (file, Some(instance)),
        None => (target, None),
    };
    let file = file.split_once(':').map(|(_, path)| path).unwrap_or(file);
    let stem = std::path::Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let instance = instance.map(|i| i.rsplit('/').next().unwrap_or(i).to_string());
    instance
        .into_iter()
        .chain(std::iter::once(stem))
        .filter(|n| !n.is_empty())
}

/// The role a name's words suggest, and the word.
fn role_of_name(name: &str) -> Option<(&'static str, &'static str)> {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    NAME_CUES.iter().find_map(|(role, cues)| {
        cues.iter()
            .find(|cue| {
                words.iter().any(|word| {
                    // Short cues only as whole words (`db`, `rq`): `redisdb` and `keydb`
                    // are products, not roles.
                    if cue.len() <= 2 {
                        word == *cue
                    } else {
                        word.contains(*cue)
                    }
                })
            })
            .map(|cue| (*role, *cue))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Secret;

    fn role(target: &str, pairs: &[(&str, Value)], vars: &[&str], settings: &Settings) -> (String, String) {
        let mut facts = Facts::default();
        facts.insert("target.id", Value::Str(target.into()), Origin::Settings);
        for (path, value) in pairs {
            facts.insert(*path, value.clone(), Origin::Default);
        }
        let env: Vec<EnvVar> = vars
            .iter()
            .map(|name| EnvVar {
                reference: None,
                name: name.to_string(),
                value: Secret::new("redis://redis:6379/0"),
                origin: Origin::Settings,
            })
            .collect();
        apply(&mut facts, settings, Some(&env));
        (
            facts.value("workload.role").unwrap().to_string(),
            facts.value("workload.role_evidence").unwrap().to_string(),
        )
    }

    #[test]
    fn names_suggest_a_role() {
        let none = Settings::default();
        assert_eq!(
            role("compose:docker-compose.yml#redis-cache", &[], &[], &none).0,
            "cache"
        );
        assert_eq!(
            role("compose:docker-compose.yml#sessions", &[], &[], &none).0,
            "session"
        );
        assert_eq!(role("helm:values.yaml#celery-broker", &[], &[], &none).0, "queue");
        assert_eq!(
            role(
                "kubernetes:k.yaml#StatefulSet/default/redis-persistent",
                &[],
                &[],
                &none
            )
            .0,
            "store"
        );
        assert_eq!(
            role("redis-conf:deploy/session-store.conf", &[], &[], &none).0,
            "session"
        );
        assert_eq!(role("compose:c.yml#sidekiq", &[], &[], &none).0, "queue");
        // Products are not roles.
        assert_eq!(role("redis-conf:keydb.conf", &[], &[], &none).0, "cache");
        assert_eq!(role("redis-conf:redis.conf", &[], &[], &none).0, "cache");
        let (_, evidence) = role("compose:c.yml#redis-cache", &[], &[], &none);
        assert_eq!(evidence, "its name `redis-cache` says `cache`");
    }

    #[test]
    fn a_broker_variable_makes_a_queue() {
        let none = Settings::default();
        let (role_name, evidence) = role("compose:c.yml#redis", &[], &["CELERY_BROKER_URL"], &none);
        assert_eq!(role_name, "queue");
        assert!(evidence.contains("CELERY_BROKER_URL"), "{evidence}");
        assert_eq!(role("compose:c.yml#redis", &[], &["REDIS_URL"], &none).0, "cache");
    }

    #[test]
    fn an_append_only_file_that_never_evicts_is_a_store() {
        let none = Settings::default();
        let mut facts = Facts::default();
        facts.insert(
            "target.id",
            Value::Str("redis-conf:redis.conf".into()),
            Origin::Settings,
        );
        facts.insert(
            "conf.appendonly",
            Value::Bool(true),
            Origin::File {
                file: std::sync::Arc::new("redis.conf".into()),
                line: 3,
                column: 1,
                offset: 0,
                len: 13,
            },
        );
        facts.insert(
            "conf.maxmemory-policy",
            Value::Str("noeviction".into()),
            Origin::Default,
        );
        apply(&mut facts, &none, None);
        assert_eq!(facts.value("workload.role"), Some(&Value::Str("store".into())));
        // An evicting policy next to the AOF: still judged as a cache.
        facts.insert(
            "conf.maxmemory-policy",
            Value::Str("allkeys-lru".into()),
            Origin::Default,
        );
        apply(&mut facts, &none, None);
        assert_eq!(facts.value("workload.role"), Some(&Value::Str("cache".into())));
    }

    #[test]
    fn the_settings_win() {
        let settings = Settings {
            role: Some("store".into()),
            roles: vec![crate::settings::RoleFor {
                target: "compose:*#jobs".into(),
                role: "queue".into(),
            }],
            ..Settings::default()
        };
        let (queue, evidence) = role("compose:app/docker-compose.yml#jobs", &[], &[], &settings);
        assert_eq!(queue, "queue");
        assert!(evidence.contains("compose:*#jobs"), "{evidence}");
        assert_eq!(role("compose:c.yml#redis-cache", &[], &[], &settings).0, "store");
    }
}
