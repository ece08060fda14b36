//! `env.*` facts from the application's variables: the effective value of
//! each (later sources win) and `env.url.*` from `REDIS_URL`.

use crate::env::{self, redis_url};
use crate::facts::{EnvVar, Facts, Origin, Value};
use std::collections::HashMap;

/// Writes `env.*` facts. Later variables of the same name win (process
/// environment is passed last, so it overrides files, as dotenv loaders do).
pub fn apply(vars: &[EnvVar], facts: &mut Facts) {
    facts.insert("env.present", Value::Bool(true), Origin::Settings);
    // The last definition of each name, in the order names were last set.
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (index, var) in vars.iter().enumerate() {
        last.insert(var.name.as_str(), index);
    }
    let effective: Vec<EnvVar> = vars
        .iter()
        .enumerate()
        .filter(|(index, var)| last.get(var.name.as_str()) == Some(index))
        .map(|(_, var)| var.clone())
        .collect();
    for var in &effective {
        let raw = var.value.expose();
        let value = if let Some(reference) = &var.reference {
            Value::Reference {
                reference: reference.clone(),
            }
        } else if is_null_password(var) {
            // Laravel's `REDIS_PASSWORD=null` means no password, not the word.
            continue;
        } else if var.name == "REDIS_URL" || env::is_redis_url(raw) {
            Value::Str(redis_url::redact(raw))
        } else if env::is_secret_name(&var.name) {
            Value::Secret(var.value.clone())
        } else {
            Value::Str(raw.to_string())
        };
        facts.insert(format!("env.{}", var.name), value, var.origin.clone());
        if var.name == "REDIS_TLS" {
            if let Some(flag) = env::parse_bool(raw) {
                facts.insert("env.tls", Value::Bool(flag), var.origin.clone());
                facts.insert("env.tls.var", Value::Str(var.name.clone()), var.origin.clone());
            }
        }
    }
    // Apps name their variables in many ways (`CACHE_REDIS_URL`,
    // `CELERY_BROKER_URL`, `APP__REDIS_PASSWORD`, `REDIS_SSL`): each role is
    // read from the best-named variable, and findings name that variable.
    let url_var = effective.iter().find(|v| v.name == "REDIS_URL").or_else(|| {
        effective
            .iter()
            .filter(|v| env::is_redis_url(v.value.expose()))
            .min_by_key(|v| (!v.name.contains("REDIS"), !v.name.ends_with("_URL"), v.name.len()))
    });
    if let Some(url_var) = url_var {
        facts.insert("env.url.var", Value::Str(url_var.name.clone()), url_var.origin.clone());
        if url_var.name != "REDIS_URL" {
            facts.insert(
                "env.REDIS_URL",
                Value::Str(redis_url::redact(url_var.value.expose())),
                url_var.origin.clone(),
            );
        }
        apply_url(url_var, facts);
    }
    // `REDIS_HOST`, `CACHE_REDIS_HOST`, `redisHost` (a Dapr component's metadata).
    let by_suffix = |suffixes: &[&str]| {
        effective.iter().find(|v| {
            let name: String = v.name.to_ascii_uppercase().replace(['_', '.', '-'], "");
            (name.contains("REDIS") || name.contains("VALKEY"))
                && suffixes.iter().any(|s| name.ends_with(&s.replace('_', "")))
        })
    };
    if facts.get("env.REDIS_PASSWORD").is_none() {
        let password = by_suffix(&["_PASSWORD", "_PASS", "_PASSWD", "_AUTH"]).filter(|v| !is_null_password(v));
        if let Some(var) = password {
            let value = match &var.reference {
                Some(reference) => Value::Reference {
                    reference: reference.clone(),
                },
                None => Value::Secret(var.value.clone()),
            };
            facts.insert("env.REDIS_PASSWORD", value, var.origin.clone());
        } else if let Some(var) = by_suffix(&["_PASSWORD_FILE", "_PASS_FILE", "_AUTH_FILE"]) {
            // The `_FILE` convention (Docker secrets): the password is in that file.
            facts.insert(
                "env.REDIS_PASSWORD",
                Value::Reference {
                    reference: format!("the file {} names", var.name),
                },
                var.origin.clone(),
            );
        }
    }
    // A variable named just `REDIS` (or `*_REDIS`) holds the host in many apps.
    let host = by_suffix(&[
        "_HOST",
        "_HOSTNAME",
        "_ADDR",
        "_ADDRESS",
        "_SERVER",
        "_NODES",
        "_SENTINELS",
        "_ENDPOINT",
    ])
    .or_else(|| {
        effective.iter().find(|v| {
            let name = v.name.to_ascii_uppercase();
            matches!(name.as_str(), "REDIS" | "VALKEY") || name.ends_with("_REDIS")
        })
    });
    if let Some(var) = host {
        facts.insert(
            "env.host",
            Value::Str(var.value.expose().to_string()),
            var.origin.clone(),
        );
    }
    if facts.get("env.tls").is_none() {
        if let Some(var) = by_suffix(&["_TLS", "_SSL", "_USE_SSL", "_USE_TLS", "_TLS_ENABLED", "_SSL_ENABLED"]) {
            if let Some(flag) = env::parse_bool(var.value.expose()) {
                facts.insert("env.tls", Value::Bool(flag), var.origin.clone());
                facts.insert("env.tls.var", Value::Str(var.name.clone()), var.origin.clone());
            }
        }
    }
    facts.env_vars = effective;
}

/// Writes `env.url.*` facts for the effective `REDIS_URL`.
fn apply_url(var: &EnvVar, facts: &mut Facts) {
    let origin = var.origin.clone();
    match redis_url::parse(var.value.expose()) {
        Ok(url) => {
            facts.insert("env.url.scheme", Value::Str(url.scheme.clone()), origin.clone());
            facts.insert("env.url.tls", Value::Bool(url.tls), origin.clone());
            facts.insert("env.url.db", Value::Int(url.db), origin.clone());
            if let Some(host) = &url.host {
                facts.insert("env.url.host", Value::Str(host.clone()), origin.clone());
            }
            if let Some(port) = url.port {
                facts.insert("env.url.port", Value::Int(port), origin.clone());
            }
            if let Some(path) = &url.socket_path {
                facts.insert("env.url.socket", Value::Str(path.clone()), origin.clone());
            }
            if let Some(user) = &url.username {
                facts.insert("env.url.username", Value::Str(user.clone()), origin.clone());
            }
            if let Some(password) = &url.password {
                facts.insert("env.url.password", Value::secret(password.as_str()), origin.clone());
            }
            // Every spelling of the password as written, so snippets and the
            // final scrub can mask it.
            for written in redis_url::written_secrets(var.value.expose()) {
                facts.secret_spellings.push((written, origin.clone()));
            }
            for (key, value) in &url.query {
                if key != "password" {
                    facts.insert(
                        format!("env.url.query.{key}"),
                        Value::Str(value.clone()),
                        origin.clone(),
                    );
                }
            }
        }
        Err(reason) => {
            // An unparseable URL may still hold a password: never show its value.
            for written in redis_url::written_secrets(var.value.expose()) {
                facts.secret_spellings.push((written, origin.clone()));
            }
            facts.insert("env.url.error", Value::Str(reason), origin)
        }
    }
}

/// A password variable written as `null` (or `(null)`): frameworks such as
/// Laravel read it as no password at all.
fn is_null_password(var: &EnvVar) -> bool {
    let name = var.name.to_ascii_uppercase();
    let value = var.value.expose().trim();
    (name.ends_with("PASSWORD") || name.ends_with("PASS") || name.ends_with("AUTH"))
        && (value.eq_ignore_ascii_case("null") || value.eq_ignore_ascii_case("(null)"))
}
