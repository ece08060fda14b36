//! A JSON reader that keeps the byte span of every key and value, so a
//! finding points at the line that decided it. Linear in the text, nesting
//! bounded (no recursion past `MAX_DEPTH`), strict RFC 8259 except that a
//! lone surrogate escape becomes U+FFFD.
//!
//! Why not a crate: serde_json drops positions, and the span-keeping readers
//! (saphyr, which reads YAML, not JSON's exact grammar; jsonc-parser) give a
//! span per token but not a position per decoded byte, which a recorded
//! response needs: its body is JSON inside a JSON string (`"{\"AuthToken\": …}"`),
//! and both findings and masking must land on the escaped text in the file.

use std::ops::Range;

/// Deeper nesting is refused: cloud descriptions are a dozen levels deep.
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    /// The value as written, quotes and brackets included.
    pub span: Range<usize>,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// As written (`1`, `-2.5e3`).
    Number(String),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Json,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset in the text parsed.
    pub offset: usize,
    pub message: String,
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.member(key).map(|m| &m.value)
    }

    /// The last member named `key` (as most JSON readers keep it).
    pub fn member(&self, key: &str) -> Option<&Member> {
        match &self.value {
            Value::Object(members) => members.iter().rev().find(|m| m.key == key),
            _ => None,
        }
    }

    /// A dotted path of keys (`persistenceConfig.persistenceMode`).
    pub fn path(&self, path: &str) -> Option<&Json> {
        path.split('.').try_fold(self, |node, key| node.get(key))
    }

    pub fn members(&self) -> &[Member] {
        match &self.value {
            Value::Object(members) => members,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Json] {
        match &self.value {
            Value::Array(items) => items,
            _ => &[],
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self.value, Value::Object(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// An integer, also written as a string (`"5"`) or a float with no
    /// fraction (`1.0`).
    pub fn as_i64(&self) -> Option<i64> {
        let text = match &self.value {
            Value::Number(text) | Value::Str(text) => text.trim(),
            _ => return None,
        };
        text.parse::<i64>().ok().or_else(|| {
            let float = text.parse::<f64>().ok()?;
            (float.fract() == 0.0 && float.abs() < 9.0e15).then_some(float as i64)
        })
    }

    /// Moves every span through `map` (a decoded string's byte offsets to
    /// the file's).
    pub fn remap(&mut self, map: &[usize]) {
        let at = |offset: usize| {
            map.get(offset)
                .copied()
                .unwrap_or_else(|| map.last().copied().unwrap_or(0))
        };
        let mut stack: Vec<&mut Json> = vec![self];
        while let Some(node) = stack.pop() {
            node.span = at(node.span.start)..at(node.span.end);
            match &mut node.value {
                Value::Array(items) => stack.extend(items.iter_mut()),
                Value::Object(members) => {
                    for member in members.iter_mut() {
                        member.key_span = at(member.key_span.start)..at(member.key_span.end);
                        stack.push(&mut member.value);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Parses one JSON text (a leading byte-order mark is skipped).
pub fn parse(text: &str) -> Result<Json, JsonError> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
    };
    if text.starts_with('\u{feff}') {
        parser.pos = 3;
    }
    parser.blank();
    let value = parser.value(0)?;
    parser.blank();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("text after the JSON value"));
    }
    Ok(value)
}

/// Decodes a string token's content (between the quotes) and the map from
/// each byte of the decoded text to its offset in `text` (one more entry
/// for the end). `None` when it is not a well-formed JSON string.
pub fn decode_with_map(text: &str, span: Range<usize>) -> Option<(String, Vec<usize>)> {
    let raw = text.get(span.clone())?;
    if raw.len() < 2 || !raw.starts_with('"') || !raw.ends_with('"') {
        return None;
    }
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: span.start,
    };
    let mut map = Vec::new();
    let decoded = parser.string_inner(Some(&mut map)).ok()?;
    (parser.pos == span.end).then_some((decoded, map))
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> JsonError {
        JsonError {
            offset: self.pos.min(self.bytes.len()),
            message: message.to_string(),
        }
    }

    fn blank(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        let start = self.pos;
        let value = match self.bytes.get(self.pos) {
            None => return Err(self.error("the text ends where a value should be")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::Str(self.string_inner(None)?),
            Some(b't') => self.word("true", Value::Bool(true))?,
            Some(b'f') => self.word("false", Value::Bool(false))?,
            Some(b'n') => self.word("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.error("expected a value")),
        };
        Ok(Json {
            span: start..self.pos,
            value,
        })
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.bytes.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("expected a digit")),
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if !self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
                return Err(self.error("expected a digit after the decimal point"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if !self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
                return Err(self.error("expected a digit in the exponent"));
            }
            self.digits();
        }
        Ok(Value::Number(self.text[start..self.pos].to_string()))
    }

    fn digits(&mut self) {
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.blank();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.blank();
            items.push(self.value(depth + 1)?);
            self.blank();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        self.pos += 1;
        let mut members = Vec::new();
        self.blank();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.blank();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected a key in double quotes"));
            }
            let key_start = self.pos;
            let key = self.string_inner(None)?;
            let key_span = key_start..self.pos;
            self.blank();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error("expected ':' after a key"));
            }
            self.pos += 1;
            self.blank();
            let value = self.value(depth + 1)?;
            members.push(Member { key, key_span, value });
            self.blank();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    /// A string token from its opening quote; `map` (if given) gets the
    /// offset in the text of each decoded byte, then of the closing quote.
    fn string_inner(&mut self, mut map: Option<&mut Vec<usize>>) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // Runs end at ASCII bytes, so they are whole characters.
            out.push_str(&self.text[run_start..self.pos]);
            if let Some(map) = map.as_deref_mut() {
                map.extend(run_start..self.pos);
            }
            match self.bytes.get(self.pos) {
                None => return Err(self.error("the text ends inside a string")),
                Some(b'"') => {
                    if let Some(map) = map.as_deref_mut() {
                        map.push(self.pos);
                    }
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let escape_start = self.pos;
                    let before = out.len();
                    self.escape(&mut out)?;
                    if let Some(map) = map.as_deref_mut() {
                        map.extend(std::iter::repeat_n(escape_start, out.len() - before));
                    }
                }
                Some(_) => return Err(self.error("a control character inside a string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        self.pos += 1;
        let Some(&c) = self.bytes.get(self.pos) else {
            return Err(self.error("the text ends inside a string"));
        };
        self.pos += 1;
        let decoded = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high) && self.bytes[self.pos..].starts_with(b"\\u") {
                    let save = self.pos;
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xDC00..0xE000).contains(&low) {
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        char::from_u32(code).unwrap_or('\u{fffd}')
                    } else {
                        self.pos = save;
                        '\u{fffd}'
                    }
                } else {
                    char::from_u32(high).unwrap_or('\u{fffd}')
                }
            }
            _ => {
                self.pos -= 1;
                return Err(self.error("an unknown escape in a string"));
            }
        };
        out.push(decoded);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| self.error("expected four hex digits after \\u"))?;
        let value = digits
            .iter()
            .fold(0u32, |acc, d| acc * 16 + (*d as char).to_digit(16).unwrap_or(0));
        self.pos += 4;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_escapes() {
        let text = r#"{"a\/b": "x\u00e9\ud83d\ude00", "n": [1, -2.5e3, true, null], "o": {}}"#;
        let json = parse(text).unwrap();
        let member = json.member("a/b").unwrap();
        assert_eq!(&text[member.key_span.clone()], r#""a\/b""#);
        assert_eq!(member.value.as_str(), Some("xé😀"));
        assert_eq!(&text[json.get("n").unwrap().span.clone()], "[1, -2.5e3, true, null]");
        assert_eq!(json.get("n").unwrap().items()[1].value, Value::Number("-2.5e3".into()));
    }

    #[test]
    fn errors_have_offsets() {
        for (text, offset) in [
            ("{\"a\": }", 6),
            ("[1,]", 3),
            ("{\"a\" 1}", 5),
            ("\"abc", 4),
            ("01", 1),
            ("[1] x", 4),
        ] {
            let error = parse(text).unwrap_err();
            assert_eq!(error.offset, offset, "{text}: {error:?}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = "[".repeat(100_000);
        assert!(parse(&text).unwrap_err().message.contains("nested deeper"));
    }

    #[test]
    fn decoded_strings_map_back() {
        let text = r#"{"s": "{\"k\": \"v\\u00e9\"}"}"#;
        let span = parse(text).unwrap().get("s").unwrap().span.clone();
        let (inner, map) = decode_with_map(text, span).unwrap();
        let mut json = parse(&inner).unwrap();
        json.remap(&map);
        let value = json.get("k").unwrap();
        assert_eq!(&text[value.span.clone()], r#"\"v\\u00e9\""#);
    }
}
