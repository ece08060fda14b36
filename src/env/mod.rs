//! The application's view of Redis: `REDIS_URL`, `REDIS_TLS`,
//! `REDIS_PASSWORD`, `CACHE_TTL_*` and TLS-verify switches, from `.env` files
//! and/or the process environment, each with the file and line it came from.

pub mod dotenv;
pub mod redis_url;

use crate::error::InputError;
use crate::facts::{EnvVar, Facts, Origin, Secret, Value};
use std::path::PathBuf;
use std::sync::Arc;

/// Variables redis-preflight reads; everything else in a .env file is ignored.
pub fn is_relevant(name: &str) -> bool {
    name.starts_with("REDIS_")
        || name.starts_with("CACHE_TTL_")
        || name.starts_with("VALKEY_")
        || name == "NODE_TLS_REJECT_UNAUTHORIZED"
}

/// Whether a variable holds a credential and must never be shown.
pub fn is_secret_name(name: &str) -> bool {
    let words: Vec<&str> = name.split('_').collect();
    let secret_word = words.iter().any(|w| {
        matches!(
            *w,
            "PASSWORD" | "PASS" | "PASSWD" | "PWD" | "AUTH" | "SECRET" | "TOKEN" | "KEY" | "CREDENTIALS"
        )
    });
    secret_word && !matches!(words.last(), Some(&"FILE") | Some(&"PATH") | Some(&"DIR"))
}

/// Reads dotenv files in order (later files override earlier ones); returns
/// the variables and the files' text (for diagnostics that show the line).
pub fn read_env_files(paths: &[PathBuf]) -> Result<(Vec<EnvVar>, Vec<crate::conf::SourceFile>), InputError> {
    let mut vars = Vec::new();
    let mut sources = Vec::new();
    for path in paths {
        let text = crate::conf::read_text_file(path).map_err(|reason| InputError::new(format!("env file {reason}")))?;
        let file = Arc::new(path.to_path_buf());
        sources.push(crate::conf::SourceFile {
            path: file.clone(),
            text: Arc::from(text.as_str()),
        });
        for entry in dotenv::parse(path, &text)? {
            if !is_relevant(&entry.name) {
                continue;
            }
            vars.push(EnvVar {
                origin: Origin::Env {
                    var: entry.name.clone(),
                    file: Some(file.clone()),
                    line: Some(entry.line),
                    column: Some(entry.column),
                    offset: Some(entry.offset),
                    len: Some(entry.len),
                },
                name: entry.name,
                value: Secret::new(entry.value),
            });
        }
    }
    Ok((vars, sources))
}

/// The relevant variables of the process environment (non-UTF-8 values are skipped).
pub fn read_process_env() -> Vec<EnvVar> {
    let mut vars: Vec<EnvVar> = std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
        .filter(|(name, _)| is_relevant(name))
        .map(|(name, value)| EnvVar {
            origin: Origin::Env {
                var: name.clone(),
                file: None,
                line: None,
                column: None,
                offset: None,
                len: None,
            },
            name,
            value: Secret::new(value),
        })
        .collect();
    vars.sort_by(|a, b| a.name.cmp(&b.name));
    vars
}

/// Parses a boolean switch as the usual client libraries do.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" | "y" | "t" => Some(true),
        "0" | "false" | "no" | "off" | "n" | "f" => Some(false),
        _ => None,
    }
}

/// Writes `env.*` facts. Later variables of the same name win (process
/// environment is passed last, so it overrides files, as dotenv loaders do).
pub fn apply(vars: Vec<EnvVar>, facts: &mut Facts) {
    facts.insert("env.present", Value::Bool(true), Origin::Settings);
    let mut effective: Vec<EnvVar> = Vec::new();
    for var in vars {
        effective.retain(|v| v.name != var.name);
        effective.push(var);
    }
    for var in &effective {
        let raw = var.value.expose();
        let value = if var.name == "REDIS_URL" {
            Value::Str(redis_url::redact(raw))
        } else if is_secret_name(&var.name) {
            Value::Secret(var.value.clone())
        } else {
            Value::Str(raw.to_string())
        };
        facts.insert(format!("env.{}", var.name), value, var.origin.clone());
        if var.name == "REDIS_TLS" {
            if let Some(flag) = parse_bool(raw) {
                facts.insert("env.tls", Value::Bool(flag), var.origin.clone());
            }
        }
    }
    if let Some(url_var) = effective.iter().find(|v| v.name == "REDIS_URL") {
        redis_url::apply(url_var, facts);
    }
    facts.env_vars = effective;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            "REDIS_PASSWORD",
            "REDIS_AUTH",
            "REDIS_PASS",
            "REDIS_TLS_KEY",
            "REDIS_SECRET",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "NODE_TLS_REJECT_UNAUTHORIZED",
            "REDIS_KEY_FILE",
            "REDIS_TLS_KEY_PATH",
            "REDIS_URL",
            "REDIS_KEYPREFIX",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
