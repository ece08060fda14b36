//! YAML documents as a small tree whose every node keeps its byte span, so
//! findings can point at the key or list item they are about. Parsing is
//! saphyr-parser's (a maintained YAML 1.2 parser that reports spans); this
//! module only builds the tree, resolves anchors, aliases and `<<` merge
//! keys, and bounds alias expansion so input size bounds time and memory.

use saphyr_parser::{Event, Parser, ScalarStyle, Span, SpannedEventReceiver};
use std::collections::HashMap;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Scalar(Scalar),
    Seq(Vec<Node>, Range<usize>),
    Map(Vec<(Node, Node)>, Range<usize>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub value: String,
    /// Bytes of the scalar as written (quotes included; a block scalar's content).
    pub span: Range<usize>,
    pub style: Style,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    /// `|`: its content maps line for line onto the file.
    Literal,
    /// `>`: lines are folded.
    Folded,
}

/// Why a YAML file could not be read, with where.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl Node {
    pub fn span(&self) -> Range<usize> {
        match self {
            Node::Scalar(s) => s.span.clone(),
            Node::Seq(_, span) | Node::Map(_, span) => span.clone(),
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar's text (not null).
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().filter(|s| !s.is_null()).map(|s| s.value.as_str())
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match self {
            Node::Seq(items, _) => Some(items),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(Node, Node)] {
        match self {
            Node::Map(entries, _) => entries,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self, Node::Map(..))
    }

    /// The value of `key` in a mapping (the last one wins, as in most readers).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The entry (key and value) of `key`.
    pub fn entry(&self, key: &str) -> Option<&(Node, Node)> {
        self.entries().iter().rev().find(|(k, _)| k.as_str() == Some(key))
    }

    /// `a.b.c` through nested mappings.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// A boolean as YAML 1.1 readers (Go's, so Kubernetes and Helm) spell it.
    pub fn as_bool(&self) -> Option<bool> {
        let scalar = self.as_scalar()?;
        if scalar.style == Style::Quoted {
            return None;
        }
        match scalar.value.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "y" => Some(true),
            "false" | "no" | "off" | "n" => Some(false),
            _ => None,
        }
    }

    /// Every scalar in the tree, in document order.
    pub fn scalars<'a>(&'a self, out: &mut Vec<&'a Scalar>) {
        match self {
            Node::Scalar(s) => out.push(s),
            Node::Seq(items, _) => items.iter().for_each(|i| i.scalars(out)),
            Node::Map(entries, _) => entries.iter().for_each(|(k, v)| {
                k.scalars(out);
                v.scalars(out);
            }),
        }
    }
}

impl Scalar {
    pub fn is_null(&self) -> bool {
        self.style == Style::Plain && matches!(self.value.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }
}

/// Every document of a YAML stream. Empty documents are left out.
///
/// Two shapes Go's YAML reader (so compose, kubectl and Helm) accepts and
/// the YAML 1.2 grammar, which saphyr follows, refuses, are repaired in a
/// copy of the text and parsed again, a bounded number of times, with every
/// span mapped back to the text as written:
/// - a quoted scalar whose continuation lines are not indented past its key
///   (`key: '[` ... `]'` back at the key's column): those lines are indented;
/// - a flow collection whose closing `]`/`}` sits at the indentation of its
///   key: the bracket is moved to the end of the line before it (same bytes).
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut current = text.to_string();
    let mut origin: Option<Vec<usize>> = None;
    for _ in 0..32 {
        let offsets = ByteOffsets::new(&current, origin.clone());
        let error = match parse_once(&current, text, offsets) {
            Err(error) => error,
            other => return other,
        };
        if error.message == QUOTED_INDENTATION {
            let map = origin.clone().unwrap_or_else(|| (0..=current.len()).collect());
            let Some((fixed, fixed_origin)) = reindent_quoted(&current, &map, &error) else {
                return Err(error);
            };
            current = fixed;
            origin = Some(fixed_origin);
        } else if error.message.contains("indentation") {
            match move_closing_bracket(&current, error.line) {
                Some(fixed) => current = fixed,
                None => return Err(error),
            }
        } else {
            return Err(error);
        }
    }
    parse_once(&current, text, ByteOffsets::new(&current, origin))
}

const QUOTED_INDENTATION: &str = "invalid indentation in quoted scalar";

/// Moves a line holding only a closing bracket onto the end of the line
/// before it (swapping the newline and the bracket's line), if that line
/// has no comment the bracket would fall into.
fn move_closing_bracket(text: &str, line: usize) -> Option<String> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    let start = *starts.get(line.checked_sub(1)?)?;
    let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
    let body = text[start..end].trim();
    if !matches!(body, "]" | "}" | "]," | "}," | "}]" | "]]" | "}}") || start == 0 {
        return None;
    }
    let previous_start = *starts.get(line.checked_sub(2)?)?;
    let previous = &text[previous_start..start - 1];
    if previous.contains(" #") || previous.trim_start().starts_with('#') {
        return None;
    }
    // `prev\n    ]\nrest` becomes `prev    ]\n\nrest`: same bytes, same later offsets.
    let mut fixed = String::with_capacity(text.len());
    fixed.push_str(&text[..start - 1]);
    fixed.push_str(&text[start..end]);
    fixed.push('\n');
    fixed.push_str(&text[end..]);
    Some(fixed)
}

/// Parses `text`, a copy of `original` (itself, or repaired): spans are
/// in `original`.
fn parse_once(text: &str, original: &str, offsets: ByteOffsets) -> Result<Vec<Node>, YamlError> {
    let mut builder = Builder {
        original,
        offsets,
        stack: Vec::new(),
        documents: Vec::new(),
        anchors: HashMap::new(),
        // Aliases may copy nodes; the copies are bounded by the input's size.
        budget: 4 * text.len() + 10_000,
        error: None,
    };
    let mut parser = Parser::new_from_str(text);
    let result = parser.load(&mut builder, true);
    if let Some(error) = builder.error.take() {
        return Err(error);
    }
    result.map_err(|e| YamlError {
        message: e.info().to_string(),
        line: e.marker().line(),
        column: e.marker().col() + 1,
    })?;
    Ok(builder.documents)
}

/// The text with the continuation lines of the quoted scalar that starts
/// at the error's position indented one column past its line's first
/// character, and for each byte of the result its offset in the original.
/// None when there is nothing to indent (no progress).
fn reindent_quoted(text: &str, origin: &[usize], error: &YamlError) -> Option<(String, Vec<usize>)> {
    let line_start = if error.line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(error.line - 2)?.0 + 1
    };
    let line = &text[line_start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let (quote_at, quote) = line.char_indices().nth(error.column.checked_sub(1)?)?;
    if quote != '\'' && quote != '"' {
        return None;
    }
    let required = line.len() - line.trim_start_matches(' ').len() + 1;
    // The line starts inside the scalar, to its closing quote.
    let start = line_start + quote_at + 1;
    let mut inserts: Vec<(usize, usize)> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == '"' => i += 1,
            b'\'' if quote == '\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b if b == quote as u8 => break,
            b'\n' => {
                let indent = bytes[i + 1..].iter().take_while(|b| **b == b' ').count();
                let content = bytes.get(i + 1 + indent).is_some_and(|b| !matches!(b, b'\n' | b'\r'));
                if content && indent < required {
                    inserts.push((i + 1, required - indent));
                }
            }
            _ => {}
        }
        i += 1;
    }
    if inserts.is_empty() {
        return None;
    }
    let added: usize = inserts.iter().map(|(_, n)| n).sum();
    let mut fixed = String::with_capacity(text.len() + added);
    let mut fixed_origin = Vec::with_capacity(text.len() + added + 1);
    let mut from = 0;
    for (at, count) in inserts {
        fixed.push_str(&text[from..at]);
        fixed_origin.extend_from_slice(&origin[from..at]);
        fixed.extend(std::iter::repeat_n(' ', count));
        fixed_origin.extend(std::iter::repeat_n(origin[at], count));
        from = at;
    }
    fixed.push_str(&text[from..]);
    fixed_origin.extend_from_slice(&origin[from..]);
    Some((fixed, fixed_origin))
}

/// Character index → byte offset (saphyr's markers count characters), in
/// the text as written.
struct ByteOffsets {
    /// Byte offset of each character, only when the text is not ASCII.
    table: Option<Vec<usize>>,
    len: usize,
    /// For a reindented copy: each byte's offset in the original text.
    origin: Option<Vec<usize>>,
}

impl ByteOffsets {
    fn new(text: &str, origin: Option<Vec<usize>>) -> ByteOffsets {
        let table = (!text.is_ascii()).then(|| text.char_indices().map(|(at, _)| at).collect());
        ByteOffsets {
            table,
            len: text.len(),
            origin,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let byte = match &self.table {
            None => char_index.min(self.len),
            Some(table) => table.get(char_index).copied().unwrap_or(self.len),
        };
        match &self.origin {
            None => byte,
            Some(origin) => origin.get(byte).copied().unwrap_or(byte),
        }
    }

    fn range(&self, span: &Span) -> Range<usize> {
        self.byte(span.start.index())..self.byte(span.end.index())
    }
}

enum Open {
    Seq(Vec<Node>, usize, usize),
    /// Entries, a key waiting for its value, the start, the anchor.
    Map(Vec<(Node, Node)>, Option<Node>, usize, usize),
}

struct Builder<'t> {
    /// The text as written, where spans point.
    original: &'t str,
    offsets: ByteOffsets,
    stack: Vec<Open>,
    documents: Vec<Node>,
    anchors: HashMap<usize, Node>,
    budget: usize,
    error: Option<YamlError>,
}

fn size(node: &Node) -> usize {
    match node {
        Node::Scalar(_) => 1,
        Node::Seq(items, _) => 1 + items.iter().map(size).sum::<usize>(),
        Node::Map(entries, _) => 1 + entries.iter().map(|(k, v)| size(k) + size(v)).sum::<usize>(),
    }
}

impl Builder<'_> {
    fn fail(&mut self, message: &str, span: &Span) {
        if self.error.is_none() {
            self.error = Some(YamlError {
                message: message.to_string(),
                line: span.start.line(),
                column: span.start.col() + 1,
            });
        }
    }

    fn spend(&mut self, cost: usize, span: &Span) -> bool {
        if cost > self.budget {
            self.fail(
                "anchors and aliases expand to far more nodes than the file holds; refusing to expand them",
                span,
            );
            return false;
        }
        self.budget -= cost;
        true
    }

    /// Adds a finished node to whatever is open.
    fn push(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                let empty = matches!(&node, Node::Scalar(s) if s.is_null());
                if !empty {
                    self.documents.push(node);
                }
            }
            Some(Open::Seq(items, _, _)) => items.push(node),
            Some(Open::Map(entries, key, _, _)) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    // `<<: *base` merges the base's entries (explicit keys win).
                    if k.as_str() == Some("<<") && k.as_scalar().is_some_and(|s| s.style == Style::Plain) {
                        let merged: Vec<(Node, Node)> = match &node {
                            Node::Map(base, _) => base.clone(),
                            Node::Seq(bases, _) => bases.iter().flat_map(|b| b.entries().to_vec()).collect(),
                            Node::Scalar(_) => Vec::new(),
                        };
                        for (mk, mv) in merged {
                            if !entries.iter().any(|(ek, _)| ek.as_str() == mk.as_str()) {
                                entries.insert(0, (mk, mv));
                            }
                        }
                    } else {
                        entries.push((k, node));
                    }
                }
            },
        }
    }
}

impl<'input> SpannedEventReceiver<'input> for Builder<'_> {
    fn on_event(&mut self, event: Event<'input>, span: Span) {
        if self.error.is_some() {
            return;
        }
        let range = self.offsets.range(&span);
        match event {
            Event::Scalar(value, style, anchor, _tag) => {
                if !self.spend(1, &span) {
                    return;
                }
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                // saphyr ends a quoted scalar's span after what follows it
                // on the line (a comment too): end it at its closing quote.
                let range = if style == Style::Quoted {
                    range.start
                        ..quoted_end(self.original, range.start)
                            .unwrap_or(range.end)
                            .min(range.end)
                } else {
                    range
                };
                let node = Node::Scalar(Scalar {
                    value: value.into_owned(),
                    span: range,
                    style,
                });
                self.push(node, anchor);
            }
            Event::SequenceStart(anchor, _) => {
                if self.spend(1, &span) {
                    self.stack.push(Open::Seq(Vec::new(), range.start, anchor));
                }
            }
            Event::MappingStart(anchor, _) => {
                if self.spend(1, &span) {
                    self.stack.push(Open::Map(Vec::new(), None, range.start, anchor));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Open::Seq(items, start, anchor)) => (Node::Seq(items, start..range.end.max(start)), anchor),
                    Some(Open::Map(entries, _, start, anchor)) => {
                        (Node::Map(entries, start..range.end.max(start)), anchor)
                    }
                    None => return,
                };
                self.push(node, anchor);
            }
            Event::Alias(id) => {
                let Some(node) = self.anchors.get(&id).cloned() else {
                    self.fail("an alias names an anchor that is not defined before it", &span);
                    return;
                };
                if self.spend(size(&node), &span) {
                    self.push(node, 0);
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {}
        }
    }
}

/// Where the quoted scalar that starts at `start` ends (after its closing quote).
fn quoted_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(start)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 1,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b if b == quote => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The file's text with everything outside `span` blanked (newlines kept),
/// so a config inside a literal block scalar lexes with spans into the file.
pub fn blank_outside(text: &str, span: Range<usize>) -> String {
    text.char_indices()
        .flat_map(|(at, c)| {
            let keep = span.contains(&at);
            let replacement = if keep || c == '\n' { c } else { ' ' };
            // A blanked multi-byte character becomes as many spaces as it had bytes.
            let width = if keep || c == '\n' { 1 } else { c.len_utf8() };
            std::iter::repeat_n(replacement, width)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_anchors_and_merge_keys() {
        let text = "base: &b\n  image: redis:7\n  ports: ['6379:6379']\nsvc:\n  <<: *b\n  image: valkey/valkey\nconf: |\n  maxmemory 2gb\n";
        let docs = parse(text).unwrap();
        let root = &docs[0];
        let svc = root.get("svc").unwrap();
        assert_eq!(svc.get("image").unwrap().as_str(), Some("valkey/valkey"));
        assert_eq!(svc.path(&["ports"]).unwrap().as_seq().unwrap().len(), 1);
        let conf = root.get("conf").unwrap().as_scalar().unwrap();
        assert_eq!(&text[conf.span.clone()], "maxmemory 2gb\n");
        assert_eq!(conf.style, Style::Literal);
        let image = root.path(&["base", "image"]).unwrap().as_scalar().unwrap();
        assert_eq!(&text[image.span.clone()], "redis:7");
    }

    #[test]
    fn non_ascii_spans_are_bytes() {
        let text = "é: ü\nkey: välue\n";
        let docs = parse(text).unwrap();
        let value = docs[0].get("key").unwrap().as_scalar().unwrap();
        assert_eq!(&text[value.span.clone()], "välue");
        let blanked = blank_outside(text, value.span.clone());
        assert_eq!(blanked.len(), text.len());
        assert_eq!(&blanked[value.span.clone()], "välue");
    }

    #[test]
    fn alias_bombs_are_refused_and_errors_have_positions() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let error = parse(&text).unwrap_err();
        assert!(error.message.contains("expand"), "{}", error.message);
        let error = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert!(error.line >= 1);
    }

    #[test]
    fn a_closing_bracket_at_the_key_indentation_is_read_as_go_reads_it() {
        let text = "svc:\n  test: [\n      \"CMD\",\n      \"ping\"\n  ]\n  interval: 30s\n";
        let docs = parse(text).unwrap();
        let interval = docs[0].path(&["svc", "interval"]).unwrap().as_scalar().unwrap();
        assert_eq!(&text[interval.span.clone()], "30s");
        assert_eq!(docs[0].path(&["svc", "test"]).unwrap().as_seq().unwrap().len(), 2);
    }

    #[test]
    fn quoted_scalars_back_at_the_key_column_are_read_as_go_reads_them() {
        let text = "a:\n  b: '[\n    x\n  ]'\n  c: \"y\n  z\"\n  d: é\n";
        let docs = parse(text).unwrap();
        let a = docs[0].get("a").unwrap();
        let b = a.get("b").unwrap().as_scalar().unwrap();
        assert_eq!(b.value, "[ x ]");
        assert_eq!(&text[b.span.clone()], "'[\n    x\n  ]'");
        assert_eq!(a.get("c").unwrap().as_str(), Some("y z"));
        let d = a.get("d").unwrap().as_scalar().unwrap();
        assert_eq!(&text[d.span.clone()], "é");
        // Other errors stay errors.
        assert!(parse("a:\n  b: 'x\n").is_err());
    }

    #[test]
    fn a_quoted_scalar_ends_at_its_quote() {
        let text = "k: \"v # x\\\" y\" # comment\nl: 'it''s' # more\n";
        let docs = parse(text).unwrap();
        let k = docs[0].get("k").unwrap().as_scalar().unwrap();
        assert_eq!(&text[k.span.clone()], "\"v # x\\\" y\"");
        let l = docs[0].get("l").unwrap().as_scalar().unwrap();
        assert_eq!(&text[l.span.clone()], "'it''s'");
    }

    #[test]
    fn many_documents() {
        let docs = parse("---\nkind: A\n---\n---\nkind: B\n").unwrap();
        assert_eq!(docs.len(), 2);
    }
}
