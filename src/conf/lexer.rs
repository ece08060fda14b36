//! Splits redis.conf text into lines and arguments the way redis-server does
//! (`sdssplitlen` on `\n`, `sdstrim` of " \t\r\n", `sdssplitargs`), keeping
//! byte spans so diagnostics can point at the exact argument.

use std::ops::Range;

/// One argument after quote and escape processing, with the bytes it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub value: String,
    /// Byte range in the file, quotes included.
    pub span: Range<usize>,
    /// True when any part of the argument was quoted (`""` is an empty value, not nothing).
    pub quoted: bool,
}

/// A non-blank, non-comment line.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// 1-based line number.
    pub number: usize,
    /// Byte offset of the first character after trimming.
    pub start: usize,
    pub text: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexErrorKind {
    /// A quote is opened but never closed on the line.
    UnterminatedQuote,
    /// `"foo"bar`: redis-server requires a space (or the end) after a closing quote.
    CharacterAfterClosingQuote,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub kind: LexErrorKind,
    /// Byte offset in the file where the problem is.
    pub at: usize,
}

impl LexError {
    pub fn message(&self) -> &'static str {
        match self.kind {
            LexErrorKind::UnterminatedQuote => "unbalanced quotes: the quote opened here is never closed",
            LexErrorKind::CharacterAfterClosingQuote => {
                "a closing quote must be followed by a space or the end of the line"
            }
        }
    }
}

/// Iterates over the lines redis-server would look at: trimmed, skipping blank
/// lines and lines whose first non-blank character is `#`.
pub fn directive_lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let mut offset = 0usize;
    text.split('\n').enumerate().filter_map(move |(index, raw)| {
        let line_start = offset;
        offset += raw.len() + 1;
        let trimmed_front = raw.trim_start_matches(is_trim_char);
        let lead = raw.len() - trimmed_front.len();
        let trimmed = trimmed_front.trim_end_matches(is_trim_char);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        Some(Line {
            number: index + 1,
            start: line_start + lead,
            text: trimmed,
        })
    })
}

/// Every line with its number and start offset, comments included (for
/// inline suppressions that sit on a comment line).
pub fn all_lines(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut offset = 0usize;
    text.split('\n').enumerate().map(move |(index, raw)| {
        let start = offset;
        offset += raw.len() + 1;
        (index + 1, start, raw)
    })
}

fn is_trim_char(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// C `isspace` in the "C" locale, which is what `sdssplitargs` uses to skip
/// blanks between arguments.
pub fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// After the closing quote at `at`: whether the word ends there (a blank or
/// the end of the line follows), goes on (mixed quoting), or is refused.
fn ends_word_after_quote(bytes: &[u8], at: usize, quoting: Quoting, base: usize) -> Result<bool, LexError> {
    match bytes.get(at + 1) {
        None => Ok(true),
        Some(next) if is_c_space(*next) => Ok(true),
        Some(_) if quoting == Quoting::Mixed => Ok(false),
        Some(_) => Err(LexError {
            kind: LexErrorKind::CharacterAfterClosingQuote,
            at: base + at + 1,
        }),
    }
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Splits one line into arguments following `sdssplitargs`: double quotes with
/// `\n \r \t \b \a \\ \" \xHH` escapes, single quotes with `\'`, quotes may
/// start inside a word (`foo"bar"` is `foobar`), and a closing quote must be
/// followed by a blank or the end of the line.
pub fn split_args(line: &Line<'_>) -> Result<Vec<Arg>, LexError> {
    split_args_with(line, Quoting::Strict)
}

/// How a closing quote ends a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoting {
    /// Redis and Valkey before 9.0: a blank or the end of the line must follow it.
    Strict,
    /// Valkey 9.0 on: the word goes on, so `"a"b'c'` is `abc`.
    Mixed,
}

/// `split_args` with the quoting rules of a release line.
pub fn split_args_with(line: &Line<'_>, quoting: Quoting) -> Result<Vec<Arg>, LexError> {
    let bytes = line.text.as_bytes();
    let base = line.start;
    let mut args = Vec::new();
    let mut i = 0usize;
    loop {
        while i < bytes.len() && is_c_space(bytes[i]) {
            i += 1;
        }
        // redis-server splits a C string: a NUL ends the line (and an empty
        // word before it must not be read again and again).
        if i >= bytes.len() || bytes[i] == 0 {
            return Ok(args);
        }
        let start = i;
        let mut current: Vec<u8> = Vec::new();
        let mut quoted = false;
        let mut in_double = false;
        let mut in_single = false;
        let mut quote_open_at = i;
        loop {
            let c = bytes.get(i).copied();
            if in_double {
                match c {
                    None => {
                        return Err(LexError {
                            kind: LexErrorKind::UnterminatedQuote,
                            at: base + quote_open_at,
                        })
                    }
                    Some(b'\\')
                        if bytes.get(i + 1) == Some(&b'x')
                            && bytes.get(i + 2).and_then(|b| hex_value(*b)).is_some()
                            && bytes.get(i + 3).and_then(|b| hex_value(*b)).is_some() =>
                    {
                        let high = hex_value(bytes[i + 2]).unwrap_or(0);
                        let low = hex_value(bytes[i + 3]).unwrap_or(0);
                        current.push(high * 16 + low);
                        i += 3;
                    }
                    Some(b'\\') if i + 1 < bytes.len() => {
                        i += 1;
                        current.push(match bytes[i] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 0x08,
                            b'a' => 0x07,
                            other => other,
                        });
                    }
                    Some(b'"') => {
                        in_double = false;
                        if ends_word_after_quote(bytes, i, quoting, base)? {
                            i += 1;
                            break;
                        }
                    }
                    Some(other) => current.push(other),
                }
            } else if in_single {
                match c {
                    None => {
                        return Err(LexError {
                            kind: LexErrorKind::UnterminatedQuote,
                            at: base + quote_open_at,
                        })
                    }
                    Some(b'\\') if bytes.get(i + 1) == Some(&b'\'') => {
                        i += 1;
                        current.push(b'\'');
                    }
                    Some(b'\'') => {
                        in_single = false;
                        if ends_word_after_quote(bytes, i, quoting, base)? {
                            i += 1;
                            break;
                        }
                    }
                    Some(other) => current.push(other),
                }
            } else {
                match c {
                    None | Some(b' ') | Some(b'\n') | Some(b'\r') | Some(b'\t') | Some(0) => break,
                    Some(b'"') => {
                        in_double = true;
                        quoted = true;
                        quote_open_at = i;
                    }
                    Some(b'\'') => {
                        in_single = true;
                        quoted = true;
                        quote_open_at = i;
                    }
                    Some(other) => current.push(other),
                }
            }
            i += 1;
        }
        debug_assert!(!in_double && !in_single);
        args.push(Arg {
            value: String::from_utf8_lossy(&current).into_owned(),
            span: base + start..base + i,
            quoted,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Result<Vec<String>, LexError> {
        let line = Line {
            number: 1,
            start: 0,
            text,
        };
        split_args(&line).map(|args| args.into_iter().map(|a| a.value).collect())
    }

    #[test]
    fn plain_words_split_on_blanks() {
        assert_eq!(
            split("save 3600 1   300\t100").unwrap(),
            ["save", "3600", "1", "300", "100"]
        );
    }

    #[test]
    fn double_quotes_support_escapes() {
        assert_eq!(split(r#"a "x\n\r\t\\\"\x41\x4a""#).unwrap(), ["a", "x\n\r\t\\\"AJ"]);
        assert_eq!(split(r#"a "\b\a""#).unwrap(), ["a", "\u{8}\u{7}"]);
        // An unknown escape keeps the character; an incomplete \x keeps "x".
        assert_eq!(split(r#"a "\q\xZ1""#).unwrap(), ["a", "qxZ1"]);
    }

    #[test]
    fn single_quotes_only_escape_the_quote() {
        assert_eq!(split(r"a 'it\'s \n'").unwrap(), ["a", "it's \\n"]);
    }

    #[test]
    fn empty_quotes_are_an_empty_argument() {
        assert_eq!(split(r#"save """#).unwrap(), ["save", ""]);
        assert_eq!(split("logfile ''").unwrap(), ["logfile", ""]);
    }

    #[test]
    fn quotes_may_start_inside_a_word() {
        assert_eq!(split(r#"dir foo"bar baz""#).unwrap(), ["dir", "foobar baz"]);
    }

    #[test]
    fn unterminated_quote_is_an_error_at_the_quote() {
        let err = split(r#"requirepass "abc"#).unwrap_err();
        assert_eq!(err.kind, LexErrorKind::UnterminatedQuote);
        assert_eq!(err.at, 12);
        assert!(err.message().contains("never closed"), "{}", err.message());
        assert_eq!(split("x 'abc").unwrap_err().kind, LexErrorKind::UnterminatedQuote);
    }

    #[test]
    fn character_after_closing_quote_is_an_error() {
        let err = split(r#"dir "a"b"#).unwrap_err();
        assert_eq!(err.kind, LexErrorKind::CharacterAfterClosingQuote);
        assert_eq!(err.at, 7);
        assert!(err.message().contains("followed by a space"), "{}", err.message());
    }

    #[test]
    fn mixed_quoting_joins_quoted_and_plain_parts() {
        let line = Line {
            number: 1,
            start: 0,
            text: r#"dbfilename "a"b'c'd "x y"z"#,
        };
        let args = split_args_with(&line, Quoting::Mixed).unwrap();
        let values: Vec<&str> = args.iter().map(|a| a.value.as_str()).collect();
        assert_eq!(values, ["dbfilename", "abcd", "x yz"]);
        assert_eq!(args[1].span, 11..19);
        assert!(split_args_with(&line, Quoting::Strict).is_err());
        let open = Line {
            text: r#"dir "a"b"c"#,
            ..line
        };
        assert_eq!(
            split_args_with(&open, Quoting::Mixed).unwrap_err().kind,
            LexErrorKind::UnterminatedQuote
        );
    }

    #[test]
    fn spans_cover_the_quotes() {
        let line = Line {
            number: 3,
            start: 100,
            text: r#"logfile "a b""#,
        };
        let args = split_args(&line).unwrap();
        assert_eq!(args[1].span, 108..113);
        assert!(args[1].quoted);
    }

    #[test]
    fn comments_and_blank_lines_are_skipped_and_lines_trimmed() {
        let text = "# comment\n\n  port 6379  \r\n\t# indented comment\nbind *";
        let lines: Vec<_> = directive_lines(text).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].number, 3);
        assert_eq!(lines[0].text, "port 6379");
        assert_eq!(&text[lines[0].start..lines[0].start + 4], "port");
        assert_eq!(lines[1].number, 5);
    }

    #[test]
    fn a_hash_after_a_value_is_part_of_the_value() {
        // redis.conf has whole-line comments only.
        assert_eq!(
            split("maxmemory 0 # unlimited").unwrap(),
            ["maxmemory", "0", "#", "unlimited"]
        );
    }

    #[test]
    fn a_nul_byte_ends_the_line() {
        let line = Line {
            number: 1,
            start: 0,
            text: "a\0b",
        };
        let args = split_args(&line).unwrap();
        assert_eq!(args.len(), 1);
        assert_eq!(args[0].value, "a");
    }
}
