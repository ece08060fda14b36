//! `REDIS_URL` as client libraries read it: `redis://`, `rediss://`
//! (`valkey://`, `valkeys://`), `unix://`; user, password, host, port, db,
//! query. Errors never echo the URL, which may hold a password.

use url::Url;

pub const DEFAULT_PORT: i64 = 6379;

#[derive(Debug, Clone, PartialEq)]
pub struct RedisUrl {
    pub scheme: String,
    pub host: Option<String>,
    pub port: Option<i64>,
    pub socket_path: Option<String>,
    pub db: i64,
    pub username: Option<String>,
    pub password: Option<String>,
    pub tls: bool,
    pub query: Vec<(String, String)>,
}

/// Parses a Redis URL; the error says what is wrong without the URL itself.
pub fn parse(text: &str) -> Result<RedisUrl, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("REDIS_URL is empty".into());
    }
    let url = Url::parse(text).map_err(|e| format!("not a valid URL ({e})"))?;
    let scheme = url.scheme().to_ascii_lowercase();
    let tls = match scheme.as_str() {
        "redis" | "valkey" | "unix" | "redis+unix" | "redis-socket" => false,
        "rediss" | "valkeys" => true,
        other => {
            return Err(format!(
                "unsupported scheme `{other}://` (expected redis://, rediss:// or unix://)"
            ))
        }
    };
    let username = Some(percent_decode(url.username())).filter(|u| !u.is_empty());
    let password = url.password().map(percent_decode);
    let query: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let query_value = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let password = password.or_else(|| query_value("password"));
    let is_socket = matches!(scheme.as_str(), "unix" | "redis+unix" | "redis-socket");
    let (host, port, socket_path, db) = if is_socket {
        let path = url.path().to_string();
        if path.is_empty() || path == "/" {
            return Err("a unix:// URL needs a socket path, e.g. unix:///run/redis/redis.sock".into());
        }
        let db = match query_value("db") {
            Some(db) => parse_db(&db)?,
            None => 0,
        };
        (None, None, Some(path), db)
    } else {
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or("the URL has no host")?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        let port = url.port().map(i64::from).unwrap_or(DEFAULT_PORT);
        if port == 0 {
            return Err("port 0 is not a valid port".into());
        }
        let path = url.path().trim_start_matches('/');
        let db = if path.is_empty() {
            match query_value("db") {
                Some(db) => parse_db(&db)?,
                None => 0,
            }
        } else {
            parse_db(path)?
        };
        (Some(host), Some(port), None, db)
    };
    Ok(RedisUrl {
        scheme,
        host,
        port,
        socket_path,
        db,
        username,
        password,
        tls,
        query,
    })
}

fn parse_db(text: &str) -> Result<i64, String> {
    text.parse::<i64>().ok().filter(|db| *db >= 0).ok_or_else(|| {
        format!(
            "the database `{}` is not a non-negative number",
            text.chars().take(20).collect::<String>()
        )
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16)),
                bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16)),
            ) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a query key (decoded) names a credential: `password`, and what
/// looks like one (`pass`, `auth_token`). Over-matching only hides a value.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["pass", "pwd", "secret", "token", "auth"]
        .iter()
        .any(|word| key.contains(word))
}

/// Byte ranges of a URL as written that hold a password: the userinfo
/// password and every query value whose key (percent-decoded:
/// `pass%77ord`) names a credential. Found by position, so a password
/// written percent-encoded is masked as written, and one that is also an
/// ordinary word elsewhere in the text leaves that word alone. A value that
/// does not look like a URL but holds credentials (`@`, `password`) is one
/// range: nothing of it may be shown.
pub fn secret_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    // The scheme is what precedes the first `:`, as the URL parser reads it;
    // without one, a value holding credentials is masked whole.
    let scheme_end = text.find(':').filter(|&end| {
        let scheme = text[..end].trim_start();
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let Some(scheme_end) = scheme_end else {
        if text.contains('@') || text.to_ascii_lowercase().contains("password") {
            spans.push(0..text.len());
        }
        return spans;
    };
    let after_scheme = scheme_end + 1;
    // `//authority` only right after the scheme; `unix:/path?password=x` has none.
    let authority_end = if text[after_scheme..].starts_with("//") {
        let authority_start = after_scheme + 2;
        let rest = &text[authority_start..];
        let authority_end = authority_start + rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &text[authority_start..authority_end];
        if let Some(at) = authority.rfind('@') {
            if let Some(colon) = authority[..at].find(':') {
                spans.push(authority_start + colon + 1..authority_start + at);
            }
        }
        authority_end
    } else {
        // `user:pw@host` without `//` is no URL a client reads, but it holds credentials.
        let path = &text[after_scheme..];
        if path[..path.find(['?', '#']).unwrap_or(path.len())].contains('@') {
            spans.push(0..text.len());
            return spans;
        }
        after_scheme
    };
    if let Some(question) = text[authority_end..].find('?') {
        let query_start = authority_end + question + 1;
        let query_end = text[query_start..].find('#').map_or(text.len(), |i| query_start + i);
        let mut position = query_start;
        for pair in text[query_start..query_end].split('&') {
            if let Some(equals) = pair.find('=') {
                // The URL parser drops tabs and line breaks: `pass\tword` is `password`.
                let key: String = pair[..equals]
                    .chars()
                    .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
                    .collect();
                if is_secret_key(&percent_decode(&key.replace('+', " "))) {
                    spans.push(position + equals + 1..position + pair.len());
                }
            }
            position += pair.len() + 1;
        }
    }
    spans.retain(|span| !span.is_empty());
    spans
}

/// Every spelling of a password in a Redis URL: each secret span as written
/// and percent-decoded, for the last-line scrub of every report.
pub fn written_secrets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for span in secret_spans(text) {
        let written = &text[span];
        out.push(written.to_string());
        let decoded = percent_decode(&written.replace('+', " "));
        if decoded != written {
            out.push(decoded);
        }
        let decoded = percent_decode(written);
        if decoded != written {
            out.push(decoded);
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The URL with its password (userinfo or `password=` query) replaced.
pub fn redact(text: &str) -> String {
    match Url::parse(text.trim()) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some(crate::facts::Secret::REDACTED));
            }
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            if pairs.iter().any(|(k, _)| is_secret_key(k)) {
                let mut serializer = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in &pairs {
                    serializer.append_pair(
                        k,
                        if is_secret_key(k) {
                            crate::facts::Secret::REDACTED
                        } else {
                            v
                        },
                    );
                }
                url.set_query(Some(&serializer.finish()));
            }
            url.to_string()
                .replace("%2A%2A%2A%2A%2A%2A%2A%2A", crate::facts::Secret::REDACTED)
        }
        // Unparseable: show only the scheme-looking prefix, never the rest.
        Err(_) => {
            let prefix: String = text
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '-')
                .collect();
            if text[prefix.len()..].starts_with("://") {
                format!("{prefix}://…")
            } else {
                "(unparseable value)".to_string()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_forms() {
        let u = parse("rediss://app:p%40ss@cache.internal:6380/2?ssl_cert_reqs=none").unwrap();
        assert!(u.tls);
        assert_eq!(u.host.as_deref(), Some("cache.internal"));
        assert_eq!(u.port, Some(6380));
        assert_eq!(u.db, 2);
        assert_eq!(u.username.as_deref(), Some("app"));
        assert_eq!(u.password.as_deref(), Some("p@ss"));
        assert_eq!(u.query, vec![("ssl_cert_reqs".to_string(), "none".to_string())]);
        let u = parse("redis://:only-pass@10.0.0.5").unwrap();
        assert_eq!(u.port, Some(6379));
        assert_eq!(u.username, None);
        assert_eq!(u.password.as_deref(), Some("only-pass"));
        let u = parse("unix:///run/redis.sock?db=3").unwrap();
        assert_eq!(u.socket_path.as_deref(), Some("/run/redis.sock"));
        assert_eq!(u.db, 3);
        let u = parse("redis://[::1]:6379").unwrap();
        assert_eq!(u.host.as_deref(), Some("::1"));
    }

    #[test]
    fn errors_never_contain_the_password() {
        for bad in [
            "http://u:hunter2secret@h",
            "redis://u:hunter2secret@h:99999",
            "redis://u:hunter2secret@h/abc",
            "hunter2secret",
            "redis://:hunter2secret@",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(!err.contains("hunter2secret"), "{err}");
            assert!(!redact(bad).contains("hunter2secret"), "{}", redact(bad));
        }
    }

    #[test]
    fn redaction_hides_userinfo_and_query_passwords() {
        assert_eq!(redact("redis://app:s3cr3t@h:6379/0"), "redis://app:********@h:6379/0");
        assert!(!redact("redis://h?password=s3cr3t").contains("s3cr3t"));
        assert!(!redact("redis://h?pass%77ord=s3cr3t").contains("s3cr3t"));
    }

    #[test]
    fn secret_spans_are_positions_in_the_text_as_written() {
        fn spans(text: &str) -> Vec<&str> {
            secret_spans(text).into_iter().map(|r| &text[r]).collect()
        }
        assert_eq!(spans("redis://app:p%40ss@h:6379/0"), ["p%40ss"]);
        assert_eq!(spans("redis://:a@cache.example.com"), ["a"]);
        assert_eq!(spans("redis://h/0?db=1&pass%77ord=%73ecret&x=y#f"), ["%73ecret"]);
        assert_eq!(spans("rediss://h?auth_token=t1&password=t2"), ["t1", "t2"]);
        assert_eq!(spans("redis://:s3cr3t@h:notaport"), ["s3cr3t"]);
        assert_eq!(spans("user:s3cr3t@h"), ["user:s3cr3t@h"]);
        assert!(spans("redis://app@h:6379").is_empty());
        // No authority: the query still counts; a late `://` is not the scheme's.
        assert_eq!(spans("unix:/run/r.sock?password=pw1&x=un://a:b@c"), ["pw1"]);
        assert_eq!(spans("redis://h?pass\tword=pw2"), ["pw2"]);
        let written = written_secrets("redis://h?pass%77ord=%73ecret");
        assert!(
            written.contains(&"%73ecret".to_string()) && written.contains(&"secret".to_string()),
            "{written:?}"
        );
    }
}
