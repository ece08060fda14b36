//! A dotenv reader that keeps the line and column of every variable.
//!
//! Hand-written rather than `dotenvy` because findings must point at the
//! exact line of a `.env` file and dotenvy's iterator does not expose
//! positions. Syntax accepted: `KEY=value`, `export KEY=value`, blank lines,
//! `#` comment lines, ` #` inline comments after unquoted values, `'single'`
//! (literal) and `"double"` quotes (with `\n \t \" \\` escapes, may span
//! lines), and empty values.

use crate::error::InputError;
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub struct DotenvEntry {
    pub name: String,
    pub value: String,
    /// 1-based line and column of the name.
    pub line: usize,
    pub column: usize,
    /// Byte span of the whole assignment.
    pub offset: usize,
    pub len: usize,
    /// Byte offset where the value starts as written (quotes included).
    pub value_offset: usize,
}

/// A character a variable name may hold (`A-Z a-z 0-9 _ .`).
pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

pub fn parse(path: &Path, text: &str) -> Result<Vec<DotenvEntry>, InputError> {
    let mut entries = Vec::new();
    let mut offset = 0usize;
    let lines: Vec<&str> = text.split('\n').collect();
    let mut index = 0usize;
    while index < lines.len() {
        let raw = lines[index];
        let line_start = offset;
        offset += raw.len() + 1;
        let line_number = index + 1;
        index += 1;
        let trimmed = raw.trim_start();
        let indent = raw.len() - trimmed.len();
        let content = trimmed.trim_end_matches(['\r', ' ', '\t']);
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let (content, name_offset) = match content.strip_prefix("export ") {
            Some(rest) => {
                let rest_trimmed = rest.trim_start();
                (rest_trimmed, indent + 7 + (rest.len() - rest_trimmed.len()))
            }
            None => (content, indent),
        };
        let Some((name_part, value_part)) = content.split_once('=') else {
            return Err(InputError::new(format!(
                "{}:{line_number}:{}: expected `NAME=value`",
                path.display(),
                name_offset + 1
            )));
        };
        let name = name_part.trim_end();
        if name.is_empty() || !name.chars().all(is_name_char) || name.starts_with(|c: char| c.is_ascii_digit()) {
            // Never quote the "name": after a typo (`REDIS_PASSWORD: s3cr3t=`)
            // it holds the value. Only the valid start of it and a position.
            let valid_len = name.find(|c: char| !is_name_char(c)).unwrap_or(name.len());
            let valid = &name[..valid_len];
            let (offending, at, hint) = if name.is_empty() {
                ("nothing before `=`".to_string(), 0, "write NAME=value".to_string())
            } else if name.starts_with(|c: char| c.is_ascii_digit()) {
                (
                    "a digit first".to_string(),
                    0,
                    "a name starts with a letter or `_`".to_string(),
                )
            } else {
                let offending = match name[valid_len..].chars().next() {
                    Some(' ' | '\t') => "a blank".to_string(),
                    Some(c) if c.is_ascii_punctuation() => format!("`{c}`"),
                    _ => "a character not allowed in a name".to_string(),
                };
                (offending, valid_len, format!("write {valid}=value"))
            };
            let column = name_offset + at + 1;
            return Err(InputError::new(format!(
                "{}:{line_number}:{column}: not a valid variable name: {offending} ({hint})",
                path.display(),
            )));
        }
        let value_part = value_part.trim_start();
        let value_offset = line_start + name_offset + (content.len() - value_part.len());
        let mut end = line_start + raw.trim_end_matches(['\r', ' ', '\t']).len();
        let value = if let Some(rest) = value_part.strip_prefix('"') {
            // Double quotes may continue on following lines until the closing quote.
            let mut collected = String::new();
            let mut remaining = rest.to_string();
            loop {
                if let Some(close) = find_unescaped_quote(&remaining) {
                    collected.push_str(&remaining[..close]);
                    break;
                }
                collected.push_str(&remaining);
                if index >= lines.len() {
                    return Err(InputError::new(format!(
                        "{}:{line_number}: unterminated double quote in the value of {name}",
                        path.display()
                    )));
                }
                collected.push('\n');
                remaining = lines[index].to_string();
                end = offset + lines[index].len();
                offset += lines[index].len() + 1;
                index += 1;
            }
            unescape_double(&collected)
        } else if let Some(rest) = value_part.strip_prefix('\'') {
            match rest.find('\'') {
                Some(close) => rest[..close].to_string(),
                None => {
                    return Err(InputError::new(format!(
                        "{}:{line_number}: unterminated single quote in the value of {name}",
                        path.display()
                    )))
                }
            }
        } else {
            let without_comment = match value_part.find(" #").or_else(|| value_part.find("\t#")) {
                Some(at) => &value_part[..at],
                None if value_part.starts_with('#') => "",
                None => value_part,
            };
            without_comment.trim().to_string()
        };
        entries.push(DotenvEntry {
            name: name.to_string(),
            value,
            line: line_number,
            column: name_offset + 1,
            offset: line_start + name_offset,
            len: end.saturating_sub(line_start + name_offset),
            value_offset,
        });
    }
    Ok(entries)
}

fn find_unescaped_quote(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn unescape_double(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(String, String, usize)> {
        parse(Path::new("t.env"), text)
            .unwrap()
            .into_iter()
            .map(|e| (e.name, e.value, e.line))
            .collect()
    }

    #[test]
    fn reads_the_common_forms() {
        let text = "# comment\nREDIS_URL=redis://h:6379\nexport REDIS_TLS=true\nA='x # y'\nB=\"a\\nb\"\nC=plain # inline\nD=\nE = spaced\n";
        assert_eq!(
            values(text),
            vec![
                ("REDIS_URL".into(), "redis://h:6379".into(), 2),
                ("REDIS_TLS".into(), "true".into(), 3),
                ("A".into(), "x # y".into(), 4),
                ("B".into(), "a\nb".into(), 5),
                ("C".into(), "plain".into(), 6),
                ("D".into(), "".into(), 7),
                ("E".into(), "spaced".into(), 8),
            ]
        );
    }

    #[test]
    fn hash_inside_a_value_without_space_is_kept() {
        assert_eq!(values("P=abc#def")[0].1, "abc#def");
    }

    #[test]
    fn multi_line_double_quotes() {
        let v = values("K=\"line1\nline2\"\nN=1\n");
        assert_eq!(v[0].1, "line1\nline2");
        assert_eq!(v[1], ("N".into(), "1".into(), 3));
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse(Path::new("x.env"), "OK=1\nnot a var\n").unwrap_err();
        assert!(err.to_string().contains("x.env:2"), "{err}");
        let err = parse(Path::new("x.env"), "K=\"open\n").unwrap_err();
        assert!(err.to_string().contains("unterminated"), "{err}");
    }

    #[test]
    fn a_bad_name_is_described_by_position_never_quoted() {
        // A YAML-style typo puts the password into the "name".
        let err = parse(Path::new("x.env"), "REDIS_PASSWORD: s3cr3t-value=\n")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("s3cr3t"), "{err}");
        assert!(
            err.contains("x.env:1:15") && err.contains("`:`") && err.contains("REDIS_PASSWORD=value"),
            "{err}"
        );
        let err = parse(Path::new("x.env"), "  9LIVES=x\n").unwrap_err().to_string();
        assert!(err.contains("x.env:1:3") && err.contains("digit"), "{err}");
        let err = parse(Path::new("x.env"), "=x\n").unwrap_err().to_string();
        assert!(err.contains("x.env:1:1"), "{err}");
    }
}
