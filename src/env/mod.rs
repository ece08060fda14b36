//! The application's view of Redis: `REDIS_URL`, `REDIS_TLS`,
//! `REDIS_PASSWORD`, `CACHE_TTL_*` and TLS-verify switches, from `.env` files
//! and/or the process environment, each with the file and line it came from.

pub mod dotenv;
pub mod redis_url;

use crate::error::InputError;
use crate::facts::{EnvVar, Origin, Secret};
use crate::textfile::{mask_ranges, read_text_file, SourceFile};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A dotenv file by its name: `.env`, `.env.*` or `*.env`.
pub fn is_env_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

/// Variables redis-preflight reads; everything else in a .env file is
/// ignored: any name with `REDIS` or `VALKEY` in it (`CACHE_REDIS_URL`,
/// `APP__REDIS_HOST`), TTLs, TLS switches, and (see `is_relevant_value`) any
/// variable whose value is a Redis URL.
pub fn is_relevant(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.contains("REDIS")
        || upper.contains("VALKEY")
        || name.starts_with("CACHE_TTL_")
        || name == "NODE_TLS_REJECT_UNAUTHORIZED"
}

/// A variable whose value is a Redis URL (`CELERY_BROKER_URL=redis://...`).
pub fn is_redis_url(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    // `unix://` only counts beside a Redis name (a Docker socket is not Redis).
    ["redis://", "rediss://", "valkey://", "valkeys://", "redis+sentinel://"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
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
/// the variables and the files' text for diagnostics that show the line. The
/// text is masked as it enters: the value of every variable whose name says
/// secret (read by redis-preflight or not) and every password inside a URL.
pub fn read_env_files(paths: &[PathBuf]) -> Result<(Vec<EnvVar>, Vec<SourceFile>), InputError> {
    let mut vars = Vec::new();
    let mut sources = Vec::new();
    for path in paths {
        let text = read_text_file(path).map_err(|reason| InputError::new(format!("env file {reason}")))?;
        let file = Arc::new(path.to_path_buf());
        let entries = dotenv::parse(path, &text)?;
        let mut masks: Vec<Range<usize>> = entries.iter().flat_map(|entry| secret_ranges(entry, &text)).collect();
        masks.extend(commented_secret_ranges(&text));
        sources.push(SourceFile {
            path: file.clone(),
            text: Arc::from(mask_ranges(&text, &masks)),
        });
        for entry in entries {
            if !is_relevant(&entry.name) && !is_redis_url(&entry.value) {
                continue;
            }
            vars.push(EnvVar {
                reference: None,
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

/// Whether a variable's name says it may hold a credential, for masking its
/// text (broader than `is_secret_name`: hiding a harmless value costs little,
/// showing a password is a leak): `*PASS*`, `*PWD*`, `*SECRET*`, `*TOKEN*`,
/// `*AUTH*`, `*CREDENTIAL*`, or a `KEY` word.
pub fn may_hold_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words = || upper.split(['_', '.', '-']);
    is_secret_name(&upper)
        || ["PASS", "PWD", "SECRET", "TOKEN", "CREDENTIAL"]
            .iter()
            .any(|word| upper.contains(word))
        // `REDISAUTH`, `AUTH_KEY`, but not `NODE_TLS_REJECT_UNAUTHORIZED`, whose
        // value is evidence for a finding, or `AUTHOR`.
        || words().any(|word| word.ends_with("AUTH") || (word.starts_with("AUTH") && !word.starts_with("AUTHOR")))
        || words().any(|word| word == "KEY" || word == "PW")
}

/// Where an assignment's text holds a secret, by position: its whole value
/// when the name may hold one (read by redis-preflight or not), else any
/// password inside a URL as written (percent-encoded or not).
fn secret_ranges(entry: &dotenv::DotenvEntry, text: &str) -> Vec<Range<usize>> {
    let end = (entry.offset + entry.len).min(text.len());
    let start = entry.value_offset.min(end);
    if may_hold_secret(&entry.name) {
        return std::iter::once(start..end).collect();
    }
    let Some(written) = text.get(start..end) else {
        return Vec::new();
    };
    let unquoted = written.trim_matches(['"', '\'']);
    if unquoted != entry.value && !redis_url::secret_spans(&entry.value).is_empty() {
        // Escapes changed the text (`p\assword=` reads as `password=`): positions in
        // the value as read are not positions in the file, so all of it goes.
        return std::iter::once(start..end).collect();
    }
    redis_url::secret_spans(written)
        .into_iter()
        .map(|span| start + span.start..start + span.end)
        .collect()
}

/// Secrets on commented-out assignments (`# REDIS_PASSWORD=old-one`), which
/// a snippet shows as context beside a finding on the next line: the value
/// when the name may hold a credential, else URL passwords in it.
fn commented_secret_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut line_start = 0;
    for line in text.split('\n') {
        let start = line_start;
        line_start += line.len() + 1;
        let trimmed = line.trim_start();
        if !trimmed.starts_with('#') {
            continue;
        }
        let body = trimmed.trim_start_matches(['#', ' ', '\t']);
        let body = body.strip_prefix("export ").map(str::trim_start).unwrap_or(body);
        let Some((name, _)) = body.split_once('=') else {
            continue;
        };
        let name = name.trim_end();
        if name.is_empty() || !name.chars().all(dotenv::is_name_char) {
            continue;
        }
        let value_start = start + (line.len() - body.len()) + body.find('=').map_or(0, |i| i + 1);
        let value_end = start + line.trim_end_matches(['\r', ' ', '\t']).len();
        if value_start >= value_end {
            continue;
        }
        if may_hold_secret(name) {
            ranges.push(value_start..value_end);
        } else {
            ranges.extend(
                redis_url::secret_spans(&text[value_start..value_end])
                    .into_iter()
                    .map(|span| value_start + span.start..value_start + span.end),
            );
        }
    }
    ranges
}

/// The relevant variables of the process environment (non-UTF-8 values are skipped).
pub fn read_process_env() -> Vec<EnvVar> {
    let mut vars: Vec<EnvVar> = std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
        .filter(|(name, _)| is_relevant(name))
        .map(|(name, value)| EnvVar {
            reference: None,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_may_hold_a_secret_are_masked_broadly() {
        for name in [
            "CACHE_REDIS_PASSWORD",
            "DATABASE_PASSWORD",
            "DBPASSWORD",
            "APP_SECRET",
            "API_TOKEN",
            "SENTRY_AUTH",
            "REDISAUTH",
            "AUTHTOKEN_X",
            "MYPWD",
            "aws_credentials",
            "STRIPE_KEY",
            "REDIS_PW",
        ] {
            assert!(may_hold_secret(name), "{name}");
        }
        for name in [
            "REDIS_URL",
            "REDIS_TLS",
            "REDIS_KEYPREFIX",
            "PORT",
            "NODE_ENV",
            "NODE_TLS_REJECT_UNAUTHORIZED",
            "GIT_AUTHOR_NAME",
        ] {
            assert!(!may_hold_secret(name), "{name}");
        }
    }

    #[test]
    fn an_escaped_url_that_reads_as_holding_a_password_is_masked_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.env");
        std::fs::write(&path, "REDIS_URL=\"redis://h/0?p\\assword=%41bc\"\nREDIS_TLS=true\n").unwrap();
        let (_, sources) = read_env_files(&[path]).unwrap();
        let shown = &*sources[0].text;
        assert!(!shown.contains("%41bc") && shown.contains("REDIS_TLS=true"), "{shown}");
    }

    #[test]
    fn commented_out_assignments_are_masked() {
        let text = "# REDIS_PASSWORD=\"old\\\"one\"\n#export API_TOKEN=tok\n# REDIS_URL=redis://:urlpw@h\n# just prose = words\nREDIS_TLS=true\n";
        let masked = crate::textfile::mask_ranges(text, &commented_secret_ranges(text));
        for secret in ["old", "one", "tok", "urlpw"] {
            assert!(!masked.contains(secret), "{secret}: {masked}");
        }
        assert!(
            masked.contains("# REDIS_URL=redis://:*****@h") && masked.contains("# just prose = words"),
            "{masked}"
        );
    }

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
