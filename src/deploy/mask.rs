//! Secrets in deployment files, masked by position where the text enters:
//! the value of any key or variable whose name may hold a credential, the
//! argument after a secret option (`--requirepass x`), URL passwords, the
//! data of Kubernetes Secrets, and the same in comments.

use super::yaml::{Node, Scalar, Style};
use crate::conf::SECRET_DIRECTIVES;
use crate::env::{may_hold_secret, redis_url};
use std::ops::Range;

/// Whether a key names a credential: `password`, `redisPassword`,
/// `auth_token`, `REDIS_PASSWORD`, `authKey`.
pub fn key_holds_secret(key: &str) -> bool {
    let upper: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    // Keys that name where a secret is, not the secret.
    let lower = key.to_ascii_lowercase();
    if lower.starts_with("existing")
        || lower.ends_with("file")
        || lower.ends_with("path")
        || lower.ends_with("key") && lower.contains("secret")
    {
        return false;
    }
    may_hold_secret(&upper) || upper.contains("AUTHKEY") || upper.ends_with("AUTH")
}

/// Whether a command-line word is an option whose next word is a secret.
pub fn is_secret_option(word: &str) -> bool {
    let name = word.trim_start_matches('-').to_ascii_lowercase();
    word.starts_with("--") && (SECRET_DIRECTIVES.contains(&name.as_str()) || may_hold_secret(&name.replace('-', "_")))
}

/// Every range of `text` to mask, given its YAML documents.
pub fn secret_ranges(text: &str, documents: &[Node]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for document in documents {
        let secret_kind = document.get("kind").and_then(Node::as_str) == Some("Secret");
        walk(text, document, &mut out);
        if secret_kind {
            for key in ["data", "stringData"] {
                if let Some(data) = document.get(key) {
                    for (_, value) in data.entries() {
                        out.push(value.span());
                    }
                }
            }
        }
    }
    out.extend(comment_ranges(text, documents));
    out
}

fn walk(text: &str, node: &Node, out: &mut Vec<Range<usize>>) {
    match node {
        Node::Scalar(scalar) => scalar_ranges(text, scalar, out),
        Node::Seq(items, _) => {
            for (index, item) in items.iter().enumerate() {
                walk(text, item, out);
                // `["--requirepass", "x"]`: the item after a secret option.
                if item.as_str().is_some_and(is_secret_option) {
                    if let Some(next) = items.get(index + 1).and_then(Node::as_scalar) {
                        out.push(next.span.clone());
                    }
                }
                // `- REDIS_PASSWORD=x`
                if let Some(value) = item.as_scalar() {
                    if let Some((name, _)) = value.value.split_once('=') {
                        if may_hold_secret(name.trim()) {
                            let written = text.get(value.span.clone()).unwrap_or_default();
                            match written.find('=') {
                                Some(at) if written == value.value => {
                                    out.push(value.span.start + at + 1..value.span.end)
                                }
                                _ => out.push(value.span.clone()),
                            }
                        }
                    }
                }
            }
        }
        Node::Map(entries, _) => {
            // `- name: REDIS_PASSWORD\n  value: x`
            let named_secret = node.get("name").and_then(Node::as_str).is_some_and(may_hold_secret);
            for (key, value) in entries {
                walk(text, key, out);
                walk(text, value, out);
                let Some(key) = key.as_str() else { continue };
                let secret = key_holds_secret(key) || (named_secret && key == "value");
                if secret {
                    if let Node::Scalar(scalar) = value {
                        if !scalar.is_null() {
                            out.push(scalar.span.clone());
                        }
                    }
                }
            }
        }
    }
}

/// URL passwords and `--requirepass x` inside one scalar.
fn scalar_ranges(text: &str, scalar: &Scalar, out: &mut Vec<Range<usize>>) {
    let written = text.get(scalar.span.clone()).unwrap_or_default();
    let verbatim = written == scalar.value || (scalar.style == Style::Literal);
    let spans = url_secret_spans(&scalar.value);
    if !spans.is_empty() {
        if verbatim && scalar.style != Style::Literal {
            out.extend(
                spans
                    .iter()
                    .map(|s| scalar.span.start + s.start..scalar.span.start + s.end),
            );
        } else {
            out.push(scalar.span.clone());
        }
    }
    if let Some(options) = secret_option_values(&scalar.value) {
        if verbatim && scalar.style != Style::Literal {
            out.extend(
                options
                    .iter()
                    .map(|s| scalar.span.start + s.start..scalar.span.start + s.end),
            );
        } else {
            out.push(scalar.span.clone());
        }
    }
}

/// Passwords of the URLs inside a text (each blank-separated word with `://`).
fn url_secret_spans(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for word in text.split([' ', '\t', '\n', '"', '\'']) {
        if word.contains("://") {
            out.extend(
                redis_url::secret_spans(word)
                    .into_iter()
                    .map(|s| offset + s.start..offset + s.end),
            );
        }
        offset += word.len() + 1;
    }
    out
}

/// In a command string: the word after each secret option, to the next blank
/// (quotes included), and the value of `--requirepass=x`.
fn secret_option_values(text: &str) -> Option<Vec<Range<usize>>> {
    let mut out = Vec::new();
    let mut words = Vec::new();
    let mut start = None;
    let mut quote: Option<char> = None;
    for (at, c) in text.char_indices() {
        match (start, quote) {
            (None, _) if c.is_whitespace() => {}
            (None, _) => {
                start = Some(at);
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
            }
            (Some(_), Some(q)) if c == q => quote = None,
            (Some(_), Some(_)) => {}
            (Some(_), None) if c == '"' || c == '\'' => quote = Some(c),
            (Some(s), None) if c.is_whitespace() => {
                words.push(s..at);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push(s..text.len());
    }
    // The same on blank-separated words, quotes taken as letters: a script
    // quoted inside another (`sh -c "x '--requirepass pw'"`) is split again
    // by the shell that runs it.
    let mut plain = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (start, c.is_whitespace()) {
            (None, false) => start = Some(at),
            (Some(s), true) => {
                plain.push(s..at);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        plain.push(s..text.len());
    }
    // The last part of a word between quotes and brackets (`x["--requirepass`).
    let last_part = |range: &Range<usize>| {
        text[range.clone()]
            .split(|c: char| "\"'`[](){},;".contains(c))
            .rfind(|part| !part.is_empty())
            .unwrap_or("")
    };
    for (index, word) in plain.iter().enumerate() {
        if is_secret_option(last_part(word)) {
            if let Some(next) = plain.get(index + 1) {
                out.push(next.clone());
            }
        }
    }
    for (index, word) in words.iter().enumerate() {
        let written = &text[word.clone()];
        if let Some((name, _)) = written.split_once('=') {
            if is_secret_option(name) {
                out.push(word.start + name.len() + 1..word.end);
                continue;
            }
        }
        if is_secret_option(written) {
            if let Some(next) = words.get(index + 1) {
                out.push(next.clone());
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Secrets in YAML comments: `# password: x`, `# - REDIS_PASSWORD=x`,
/// `# command: redis-server --requirepass x`, URL passwords.
fn comment_ranges(text: &str, documents: &[Node]) -> Vec<Range<usize>> {
    let scalars = ScalarSpans::new(documents);
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split('\n') {
        let start = line_start;
        line_start += line.len() + 1;
        let Some(hash) = comment_start(line, start, &scalars) else {
            continue;
        };
        let comment_at = start + hash;
        let comment = &line[hash..];
        out.extend(
            url_secret_spans(comment)
                .into_iter()
                .map(|s| comment_at + s.start..comment_at + s.end),
        );
        if let Some(options) = secret_option_values(comment) {
            out.extend(options.into_iter().map(|s| comment_at + s.start..comment_at + s.end));
        }
        let body = comment.trim_start_matches(['#', ' ', '\t', '-']);
        let body_at = comment_at + (comment.len() - body.len());
        let separator = body.find([':', '=']);
        if let Some(at) = separator {
            let key = body[..at].trim().trim_matches(['"', '\'']);
            if !key.is_empty() && !key.contains(' ') && key_holds_secret(key) {
                let value = &body[at + 1..];
                let trimmed = value.trim_end_matches(['\r', ' ', '\t']);
                if !trimmed.trim().is_empty() {
                    out.push(body_at + at + 1..body_at + at + 1 + trimmed.len());
                }
            }
        }
    }
    out
}

/// The byte spans of every scalar, to tell a comment's `#` from one inside a value.
struct ScalarSpans {
    /// Sorted by start.
    spans: Vec<Range<usize>>,
    /// The largest end among `spans[..=i]`.
    reach: Vec<usize>,
}

impl ScalarSpans {
    fn new(documents: &[Node]) -> ScalarSpans {
        let mut scalars = Vec::new();
        for document in documents {
            document.scalars(&mut scalars);
        }
        let mut spans: Vec<Range<usize>> = scalars
            .into_iter()
            .map(|s| s.span.clone())
            .filter(|s| !s.is_empty())
            .collect();
        spans.sort_by_key(|s| s.start);
        let reach = spans
            .iter()
            .scan(0, |max, s| {
                *max = s.end.max(*max);
                Some(*max)
            })
            .collect();
        ScalarSpans { spans, reach }
    }

    fn inside(&self, at: usize) -> bool {
        let before = self.spans.partition_point(|s| s.start <= at);
        before > 0 && self.reach[before - 1] > at
    }
}

/// Where a YAML comment starts on a line (which starts at `line_start` in
/// the text): a `#` at the start or after a blank that is not inside a
/// scalar as the parser read it.
fn comment_start(line: &str, line_start: usize, scalars: &ScalarSpans) -> Option<usize> {
    let mut previous = ' ';
    for (at, c) in line.char_indices() {
        if c == '#' && previous.is_whitespace() && !scalars.inside(line_start + at) {
            return Some(at);
        }
        previous = c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::yaml;

    fn masked(text: &str) -> String {
        let docs = yaml::parse(text).unwrap();
        crate::textfile::mask_ranges(text, &secret_ranges(text, &docs))
    }

    #[test]
    fn masks_keys_env_options_urls_and_comments() {
        let text = "auth:\n  password: hunter2hunter2\nenv:\n- name: REDIS_PASSWORD\n  value: s3cr3t-value\ncommand: redis-server --requirepass \"pa ss\" --port 1\nargs: [\"--requirepass\", \"listpw\"]\nurl: redis://:urlpw@cache:6379\nenvironment:\n  - REDIS_PASSWORD=envpw\n# password: commented\n";
        let shown = masked(text);
        for secret in [
            "hunter2hunter2",
            "s3cr3t-value",
            "pa ss",
            "listpw",
            "urlpw",
            "envpw",
            "commented",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert_eq!(shown.len(), text.len());
        assert!(shown.contains("--port 1"));
        assert!(shown.contains("REDIS_PASSWORD"), "{shown}");
    }

    #[test]
    fn options_inside_a_quoted_script_are_masked() {
        let text = "command: [sh, -c, x'valkey-server --requirepass nestedpw1']\nargs: [\"a --masterauth=eqpw1234 b\"]\nx: r$(A)[\"--requirepass gluedpw12\", 1]\n";
        let shown = masked(text);
        assert!(!shown.contains("nestedpw1"), "{shown}");
        assert!(!shown.contains("eqpw1234"), "{shown}");
        assert!(!shown.contains("gluedpw12"), "{shown}");
        assert!(shown.contains("valkey-server --requirepass"), "{shown}");
    }

    #[test]
    fn comments_are_where_the_parser_says() {
        let text = "image: a 'b  # command: redis-server --requirepass commentpw1\nk: \"v # password: notacomment\" # password: realcomment\n";
        let shown = masked(text);
        assert!(!shown.contains("commentpw1"), "{shown}");
        assert!(!shown.contains("realcomment"), "{shown}");
        assert!(shown.contains("notacomment"), "{shown}");
    }

    #[test]
    fn secret_data_is_masked() {
        let text = "apiVersion: v1\nkind: Secret\ndata:\n  redis-password: aHVudGVyMg==\nstringData:\n  other: plain\n";
        let shown = masked(text);
        assert!(!shown.contains("aHVudGVyMg=="));
        assert!(!shown.contains("plain"));
    }
}
