//! redis.conf, read as redis-server reads it: lines, quoting, includes,
//! directive names resolved through the version-aware catalog, values
//! validated, and every directive kept with its span.

pub mod acl;
pub mod catalog;
pub mod commands;
pub mod effective;
pub mod lexer;
mod sentinel;
pub mod special;
pub mod value;

use crate::error::InputError;
use crate::facts::{ConfigDiagnostic, Origin};
use catalog::{catalog, Lookup, Target};
use lexer::Arg;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are refused: the biggest official redis.conf is
/// about 110 KB, so anything this large is not a hand-written config.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// Deeper include chains are refused rather than followed.
pub const MAX_INCLUDE_DEPTH: usize = 64;

/// A file that was read, kept for diagnostics that show its lines.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: Arc<PathBuf>,
    /// The text with every password masked (same byte length, so spans hold):
    /// the only form that reaches a report.
    pub text: Arc<str>,
}

/// Byte offsets where each line starts, for offset -> line/column lookups
/// that stay cheap however many directives a file has.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|start| *start <= offset);
        let line_start = self.starts[line - 1];
        let column = text
            .get(line_start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - line_start);
        (line, column + 1)
    }
}

/// Replaces every character inside the ranges with `*` of the same byte length.
pub fn mask_ranges(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    for (offset, c) in text.char_indices() {
        if ranges.iter().any(|r| r.contains(&offset)) && !c.is_whitespace() {
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// Byte ranges of a directive line that hold secrets: every argument of a
/// secret directive, `>`/`<` passwords of `user` lines, Sentinel's
/// `auth-pass`/`sentinel-pass` values. Works from the raw line so a line that
/// fails to lex is masked too.
fn secret_ranges(line: &lexer::Line<'_>, target: &Target) -> Vec<std::ops::Range<usize>> {
    let words: Vec<(usize, &str)> = line
        .text
        .split([' ', '\t'])
        .scan(0usize, |position, word| {
            let start = *position;
            *position += word.len() + 1;
            Some((start, word))
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    let Some(&(_, first)) = words.first() else {
        return Vec::new();
    };
    let name = first.to_ascii_lowercase();
    let end = line.start + line.text.len();
    let after_name = |index: usize| words.get(index).map(|(at, _)| line.start + at..end);
    let is_secret_directive = catalog().lookup(&name, target).is_some_and(|l| l.directive.secret)
        || matches!(
            name.as_str(),
            "requirepass" | "masterauth" | "primaryauth" | "tls-key-file-pass" | "tls-client-key-file-pass"
        );
    if is_secret_directive {
        return after_name(1).into_iter().collect();
    }
    match name.as_str() {
        "user" => words
            .iter()
            .skip(2)
            .filter(|(_, w)| w.trim_start_matches(['"', '\'']).starts_with(['>', '<']))
            .map(|(at, w)| line.start + at..line.start + at + w.len())
            .collect(),
        "sentinel" => match words.get(1).map(|(_, w)| w.to_ascii_lowercase()) {
            Some(sub) if sub == "auth-pass" || sub == "sentinel-pass" => words
                .last()
                .map(|(at, w)| line.start + at..line.start + at + w.len())
                .into_iter()
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// One directive line, after lexing and catalog lookup.
#[derive(Debug, Clone)]
pub struct DirectiveLine {
    /// The name as written, lower-cased.
    pub name: String,
    /// The canonical catalog name when the target knows the directive.
    pub canonical: Option<String>,
    pub args: Vec<Arg>,
    pub file: usize,
    pub line: usize,
    pub origin: Origin,
    /// The parsed value when valid (standard and special directives).
    pub value: Option<crate::facts::Value>,
}

/// `# redis-preflight: ignore[rule.a, rule.b] reason` on the line above a directive.
#[derive(Debug, Clone)]
pub struct InlineSuppression {
    pub rules: Vec<String>,
    pub reason: String,
    pub file: Arc<PathBuf>,
    /// The line of the directive it applies to.
    pub line: usize,
}

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Base directory for relative `include` paths (default: the directory of the main file).
    pub include_base: Option<PathBuf>,
    /// Prefix rewrites for absolute include paths (`/etc/redis=./deploy/redis`).
    pub include_map: Vec<(PathBuf, PathBuf)>,
    /// Treat the file as a Sentinel config even without `sentinel` lines.
    pub sentinel: bool,
}

#[derive(Debug, Clone)]
pub struct ParsedConfig {
    pub target: Target,
    pub files: Vec<SourceFile>,
    pub directives: Vec<DirectiveLine>,
    pub diagnostics: Vec<ConfigDiagnostic>,
    pub suppressions: Vec<InlineSuppression>,
    pub sentinel: bool,
}

impl ParsedConfig {
    pub fn main_file(&self) -> Option<&Arc<PathBuf>> {
        self.files.first().map(|f| &f.path)
    }
}

/// Reads a config file (and what it includes) for a target release line.
pub fn load(path: &Path, target: Target, options: &LoadOptions) -> Result<ParsedConfig, InputError> {
    let text = read_config_file(path)?;
    if text.trim().is_empty() {
        return Err(InputError::new(format!(
            "{}: the config file is empty; redis-server would run on compiled-in defaults, which is never what a production deployment means",
            path.display()
        )));
    }
    let base = options
        .include_base
        .clone()
        .unwrap_or_else(|| path.parent().map(Path::to_path_buf).unwrap_or_default());
    // redis-server accepts `sentinel` lines only in Sentinel mode; a file named
    // like a Sentinel config (sentinel.conf, valkey-sentinel.conf) is read as one.
    let sentinel = options.sentinel
        || path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.to_ascii_lowercase().contains("sentinel"));
    let mut loader = Loader {
        target,
        options,
        base,
        sentinel,
        parsed: ParsedConfig {
            target,
            files: Vec::new(),
            directives: Vec::new(),
            diagnostics: Vec::new(),
            suppressions: Vec::new(),
            sentinel,
        },
        stack: Vec::new(),
        line_indexes: Vec::new(),
        sentinel_state: sentinel::SentinelState::default(),
        seen_single: HashMap::new(),
    };
    loader.load_text(path.to_path_buf(), text)?;
    Ok(loader.parsed)
}

/// Reads the main config file, with clear errors for the usual ways it goes wrong.
pub fn read_config_file(path: &Path) -> Result<String, InputError> {
    read_text_file(path).map_err(InputError::new)
}

/// Reads a text file the user gave us: a regular file (not a directory,
/// FIFO or device, which could block or never end), at most
/// `MAX_FILE_BYTES`, UTF-8 without NUL bytes. The error names the file and
/// says why.
pub fn read_text_file(path: &Path) -> Result<String, String> {
    let shown = path.display();
    read_text_file_inner(path).map_err(|reason| {
        if reason.starts_with(&shown.to_string()) {
            reason
        } else {
            format!("{shown}: {reason}")
        }
    })
}

fn read_text_file_inner(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let metadata = std::fs::metadata(path).map_err(|e| format!("cannot read it: {}", io_reason(&e)))?;
    if metadata.is_dir() {
        return Err("is a directory, not a file".into());
    }
    if !metadata.is_file() {
        return Err("is not a regular file (a FIFO, socket or device)".into());
    }
    let too_large = || {
        format!(
            "the file is larger than {} MB, the most redis-preflight reads",
            MAX_FILE_BYTES / 1024 / 1024
        )
    };
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{} ({:.1} MB)",
            too_large(),
            metadata.len() as f64 / 1_000_000.0
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read it: {}", io_reason(&e)))?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // The size can change between stat and read: bound the read itself too.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {}", io_reason(&e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    decode_text(path, bytes).map_err(|e| e.to_string())
}

/// UTF-8 text without NUL bytes, or an error naming the line and column.
pub fn decode_text(path: &Path, bytes: Vec<u8>) -> Result<String, InputError> {
    if let Some(nul) = bytes.iter().position(|b| *b == 0) {
        let (line, column) = line_column_bytes(&bytes, nul);
        return Err(InputError::new(format!(
            "{}:{line}:{column}: the file contains a NUL byte: it looks binary, not like a text config file",
            path.display()
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let (line, column) = line_column_bytes(e.as_bytes(), at);
        InputError::new(format!(
            "{}:{line}:{column}: the file is not valid UTF-8 (byte 0x{:02x}); save it as UTF-8",
            path.display(),
            e.as_bytes()[at]
        ))
    })
}

fn line_column_bytes(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map(|p| p + 1).unwrap_or(0);
    (line, at - line_start + 1)
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|p| p + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

struct Loader<'o> {
    target: Target,
    options: &'o LoadOptions,
    base: PathBuf,
    sentinel: bool,
    parsed: ParsedConfig,
    /// Canonical paths of the files being read, for cycle detection.
    stack: Vec<PathBuf>,
    sentinel_state: sentinel::SentinelState,
    /// One per entry of `parsed.files`.
    line_indexes: Vec<LineIndex>,
    /// Single-valued directives already set: canonical name -> file and line.
    seen_single: HashMap<String, (Arc<PathBuf>, usize)>,
}

impl Loader<'_> {
    fn origin(&self, file: usize, span: std::ops::Range<usize>) -> Origin {
        // Masking keeps byte lengths, so positions in the shown text are the real ones.
        let source = &self.parsed.files[file];
        let (line, column) = self.line_indexes[file].line_column(&source.text, span.start);
        Origin::File {
            file: source.path.clone(),
            line,
            column,
            offset: span.start,
            len: span.end - span.start,
        }
    }

    fn diagnose(&mut self, rule: &'static str, message: String, origin: Origin, subject: String) {
        self.parsed.diagnostics.push(ConfigDiagnostic {
            rule,
            message,
            origin,
            subject,
        });
    }

    fn load_text(&mut self, path: PathBuf, text: String) -> Result<(), InputError> {
        let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        self.stack.push(canonical);
        let file = self.parsed.files.len();
        let text: Arc<str> = Arc::from(text);
        let masks: Vec<std::ops::Range<usize>> = lexer::directive_lines(&text)
            .flat_map(|line| secret_ranges(&line, &self.target))
            .collect();
        let shown: Arc<str> = if masks.is_empty() {
            text.clone()
        } else {
            Arc::from(mask_ranges(&text, &masks))
        };
        self.line_indexes.push(LineIndex::new(&text));
        self.parsed.files.push(SourceFile {
            path: Arc::new(path),
            text: shown,
        });
        // Each applies to the line below it; one above a blank or comment line
        // matches nothing and is reported as unused.
        let mut suppressions: Vec<(usize, Vec<String>, String)> = inline_suppressions(&text).into_iter().collect();
        suppressions.sort();
        for (comment_line, rules, reason) in suppressions {
            self.parsed.suppressions.push(InlineSuppression {
                rules,
                reason,
                file: self.parsed.files[file].path.clone(),
                line: comment_line + 1,
            });
        }
        for line in lexer::directive_lines(&text) {
            let args = match lexer::split_args(&line) {
                Ok(args) => args,
                Err(err) => {
                    let origin = self.origin(file, err.at..err.at + 1);
                    let first_word = line.text.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                    self.diagnose("config.syntax-error", err.message().to_string(), origin, first_word);
                    continue;
                }
            };
            let Some((name_arg, rest)) = args.split_first() else {
                continue;
            };
            let name = name_arg.value.to_ascii_lowercase();
            let line_end = line.start + line.text.len();
            let origin = self.origin(file, line.start..line_end);
            if name == "include" {
                self.include(file, &line, rest, origin.clone())?;
                self.parsed.directives.push(DirectiveLine {
                    name,
                    canonical: Some("include".into()),
                    args: rest.to_vec(),
                    file,
                    line: line.number,
                    origin,
                    value: None,
                });
                continue;
            }
            let directive = self.resolve(&name, rest, origin.clone(), name_arg);
            self.parsed.directives.push(DirectiveLine {
                name,
                canonical: directive.0,
                args: rest.to_vec(),
                file,
                line: line.number,
                origin,
                value: directive.1,
            });
        }
        self.stack.pop();
        Ok(())
    }

    /// Looks a directive up and validates its arguments; returns its canonical
    /// name and parsed value when both are known.
    fn resolve(
        &mut self,
        name: &str,
        args: &[Arg],
        origin: Origin,
        name_arg: &Arg,
    ) -> (Option<String>, Option<crate::facts::Value>) {
        let catalog = catalog();
        let target = self.target;
        let Some(Lookup { directive, alias }) = catalog.lookup(name, &target) else {
            let name_origin = self.origin_of_arg(&origin, name_arg);
            let message = unknown_directive_message(name, &target, self.sentinel);
            self.diagnose("config.unknown-directive", message, name_origin, name.to_string());
            return (None, None);
        };
        if directive.is_special("sentinel") && self.sentinel {
            let values: Vec<&str> = args.iter().map(|a| a.value.as_str()).collect();
            if let Err(special::DirectiveError { rule, message, arg }) = self.sentinel_state.check(&values, &target) {
                let at = match arg.and_then(|i| args.get(i)) {
                    Some(arg) => self.origin_of_arg(&origin, arg),
                    None => origin.clone(),
                };
                self.diagnose(rule, format!("`sentinel`: {message}"), at, "sentinel".into());
                return (Some(directive.name.clone()), None);
            }
        }
        if directive.is_special("sentinel") && !self.sentinel {
            self.diagnose(
                "config.syntax-error",
                "`sentinel` directive in a config that is not run in Sentinel mode (pass --sentinel)".into(),
                origin,
                name.to_string(),
            );
            return (Some(directive.name.clone()), None);
        }
        if let Some(alias) = alias {
            if alias.deprecated_on(&target) {
                let current = catalog.name_on(directive, &target);
                if current != name {
                    self.diagnose(
                        "config.deprecated-directive",
                        format!("`{name}` is the old name of `{current}` on {target}"),
                        self.origin_of_arg(&origin, name_arg),
                        name.to_string(),
                    );
                }
            }
        }
        let values: Vec<&str> = args.iter().map(|a| a.value.as_str()).collect();
        let parsed = special::parse_directive(directive, &values, &target);
        let value = match parsed {
            Ok(value) => value,
            Err(special::DirectiveError { rule, message, arg }) => {
                let at = match arg.and_then(|i| args.get(i)) {
                    Some(arg) => self.origin_of_arg(&origin, arg),
                    None => origin.clone(),
                };
                self.diagnose(rule, format!("`{name}`: {message}"), at, directive.name.clone());
                return (Some(directive.name.clone()), None);
            }
        };
        if !directive.repeatable {
            if let Some((file, line)) = self.seen_single.get(&directive.name) {
                let message = format!(
                    "`{}` is set again; the earlier value at {}:{line} is ignored (the last one wins)",
                    name,
                    file.display()
                );
                self.diagnose(
                    "config.duplicate-directive",
                    message,
                    origin.clone(),
                    directive.name.clone(),
                );
            }
            if let Origin::File { file, line, .. } = &origin {
                self.seen_single.insert(directive.name.clone(), (file.clone(), *line));
            }
        }
        (Some(directive.name.clone()), Some(value))
    }

    fn origin_of_arg(&self, line_origin: &Origin, arg: &Arg) -> Origin {
        match line_origin {
            Origin::File { file, .. } => {
                let index = self
                    .parsed
                    .files
                    .iter()
                    .position(|f| Arc::ptr_eq(&f.path, file))
                    .unwrap_or(0);
                self.origin(index, arg.span.clone())
            }
            other => other.clone(),
        }
    }

    fn include(&mut self, file: usize, line: &lexer::Line<'_>, args: &[Arg], origin: Origin) -> Result<(), InputError> {
        if args.len() != 1 {
            self.diagnose(
                "config.syntax-error",
                format!("`include` takes exactly one path, got {}", args.len()),
                origin,
                "include".into(),
            );
            return Ok(());
        }
        let written = &args[0].value;
        let arg_origin = self.origin(file, args[0].span.clone());
        let resolved = self.resolve_include_path(written);
        let pattern = resolved.to_string_lossy().into_owned();
        let paths: Vec<PathBuf> = if pattern.contains(['*', '?', '[']) {
            match glob::glob(&pattern) {
                Ok(entries) => {
                    let mut found: Vec<PathBuf> = entries.filter_map(Result::ok).collect();
                    found.sort();
                    found
                }
                Err(e) => {
                    self.diagnose(
                        "config.include-error",
                        format!("invalid include pattern `{written}`: {e}"),
                        arg_origin,
                        written.clone(),
                    );
                    return Ok(());
                }
            }
        } else {
            vec![resolved]
        };
        for path in paths {
            let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if let Some(start) = self.stack.iter().position(|p| *p == canonical) {
                let mut chain: Vec<String> = self.stack[start..].iter().map(|p| p.display().to_string()).collect();
                chain.push(canonical.display().to_string());
                self.diagnose(
                    "config.include-error",
                    format!("include cycle: {}", chain.join(" -> ")),
                    arg_origin.clone(),
                    written.clone(),
                );
                continue;
            }
            if self.stack.len() >= MAX_INCLUDE_DEPTH {
                return Err(InputError::new(format!(
                    "{}:{}: includes are nested more than {MAX_INCLUDE_DEPTH} levels deep; redis-preflight stops here",
                    self.parsed.files[file].path.display(),
                    line.number
                )));
            }
            let text = match read_text_file(&path) {
                Ok(text) => text,
                Err(reason) => {
                    self.diagnose(
                        "config.include-error",
                        format!(
                            "cannot include `{}`: {reason} (redis-server refuses to start)",
                            path.display()
                        ),
                        arg_origin.clone(),
                        written.clone(),
                    );
                    continue;
                }
            };
            self.load_text(path, text)?;
        }
        Ok(())
    }

    fn resolve_include_path(&self, written: &str) -> PathBuf {
        let path = PathBuf::from(written);
        for (from, to) in &self.options.include_map {
            if let Ok(rest) = path.strip_prefix(from) {
                return to.join(rest);
            }
        }
        if path.is_absolute() {
            path
        } else {
            self.base.join(path)
        }
    }
}

fn unknown_directive_message(name: &str, target: &Target, sentinel: bool) -> String {
    let lines = catalog().lines_accepting(name);
    if lines.is_empty() {
        let hint = if sentinel {
            ""
        } else {
            " (a module or fork directive needs its module loaded)"
        };
        format!("`{name}` is not a directive redis-server {target} knows; it refuses to start{hint}")
    } else {
        let known: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        format!(
            "`{name}` is not accepted by {target} (known on {}); redis-server refuses to start",
            known.join(", ")
        )
    }
}

/// Comment lines of the form `# redis-preflight: ignore[rule.a, rule.b] reason`, by line number.
fn inline_suppressions(text: &str) -> Vec<(usize, Vec<String>, String)> {
    let mut out = Vec::new();
    for (number, _, raw) in lexer::all_lines(text) {
        let trimmed = raw.trim();
        let Some(comment) = trimmed.strip_prefix('#') else {
            continue;
        };
        let Some(rest) = comment.trim_start().strip_prefix("redis-preflight:") else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix("ignore[") else {
            continue;
        };
        let Some((ids, reason)) = rest.split_once(']') else {
            continue;
        };
        let rules: Vec<String> = ids
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if !rules.is_empty() {
            out.push((number, rules, reason.trim().to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Facts, Value};

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn load_text(text: &str, version: &str) -> (ParsedConfig, Facts) {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "redis.conf", text);
        let parsed = load(&path, Target::parse(version).unwrap(), &LoadOptions::default()).unwrap();
        let mut facts = Facts::default();
        effective::apply(&parsed, &mut facts);
        (parsed, facts)
    }

    fn rules_of(parsed: &ParsedConfig) -> Vec<&'static str> {
        parsed.diagnostics.iter().map(|d| d.rule).collect()
    }

    #[test]
    fn names_are_case_insensitive_and_values_typed() {
        let (parsed, facts) = load_text(
            "MAXMEMORY 2GB\nAppendOnly YES\nmaxmemory-policy ALLKEYS-LRU\nport 6380\n",
            "7.2",
        );
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(facts.value("conf.maxmemory"), Some(&Value::Int(2 << 30)));
        assert_eq!(facts.value("conf.appendonly"), Some(&Value::Bool(true)));
        assert_eq!(
            facts.value("conf.maxmemory-policy"),
            Some(&Value::Str("allkeys-lru".into()))
        );
        assert_eq!(facts.value("conf.port"), Some(&Value::Int(6380)));
    }

    #[test]
    fn single_valued_directives_take_the_last_value_and_report_the_duplicate() {
        let (parsed, facts) = load_text("port 6379\nport 6390\n", "7.2");
        assert_eq!(facts.value("conf.port"), Some(&Value::Int(6390)));
        assert_eq!(rules_of(&parsed), ["config.duplicate-directive"]);
        let Origin::File { line, .. } = &facts.get("conf.port").unwrap().origin else {
            panic!()
        };
        assert_eq!(*line, 2);
    }

    #[test]
    fn save_lines_replace_the_default_accumulate_and_reset() {
        let (_, facts) = load_text("port 6379\n", "7.2");
        assert_eq!(facts.value("conf.save").unwrap().as_list().unwrap().len(), 3);
        let (_, facts) = load_text("save 900 1\nsave 300 10\n", "7.2");
        let points: Vec<String> = facts
            .value("conf.save")
            .unwrap()
            .as_list()
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(points, ["900 1", "300 10"]);
        let (_, facts) = load_text("save 900 1\nsave \"\"\n", "7.2");
        assert_eq!(facts.value("conf.save"), Some(&Value::List(vec![])));
        let (parsed, _) = load_text("save 900\n", "7.2");
        assert_eq!(rules_of(&parsed), ["config.invalid-value"]);
    }

    #[test]
    fn bind_lists_keep_optional_addresses() {
        let (_, facts) = load_text("bind 127.0.0.1 -::1\n", "7.2");
        let bind: Vec<String> = facts
            .value("conf.bind")
            .unwrap()
            .as_list()
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(bind, ["127.0.0.1", "-::1"]);
        let (_, facts) = load_text("port 6379\n", "7.2");
        assert_eq!(facts.value("conf.bind").unwrap().to_string(), "*, -::*");
        assert_eq!(facts.get("conf.bind").unwrap().origin, Origin::Default);
    }

    #[test]
    fn quoted_values_and_escapes() {
        let (parsed, facts) = load_text("logfile \"/var/log/redis/a b.log\"\nrequirepass 'it\\'s'\n", "7.2");
        assert!(parsed.diagnostics.is_empty());
        assert_eq!(
            facts.value("conf.logfile"),
            Some(&Value::Str("/var/log/redis/a b.log".into()))
        );
        assert_eq!(facts.value("conf.requirepass").unwrap().as_str(), Some("it's"));
        // The displayed text masks the password, with the same length.
        assert_eq!(
            &*parsed.files[0].text,
            "logfile \"/var/log/redis/a b.log\"\nrequirepass *******\n"
        );
    }

    #[test]
    fn syntax_errors_point_at_the_quote() {
        let (parsed, _) = load_text("port 6379\ndir \"/var/lib/redis\n", "7.2");
        let diagnostic = &parsed.diagnostics[0];
        assert_eq!(diagnostic.rule, "config.syntax-error");
        let Origin::File { line, column, .. } = &diagnostic.origin else {
            panic!()
        };
        assert_eq!((*line, *column), (2, 5));
    }

    #[test]
    fn invalid_values_point_at_the_argument() {
        let (parsed, _) = load_text("maxmemory-policy allkeys-lfru\n", "7.2");
        let diagnostic = &parsed.diagnostics[0];
        assert_eq!(diagnostic.rule, "config.invalid-value");
        assert!(diagnostic.message.contains("allkeys-lru"), "{}", diagnostic.message);
        let Origin::File { column, len, .. } = &diagnostic.origin else {
            panic!()
        };
        assert_eq!((*column, *len), (18, 12));
    }

    #[test]
    fn includes_relative_glob_missing_and_cycles() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("conf.d")).unwrap();
        write(&dir.path().join("conf.d"), "20-memory.conf", "maxmemory 1gb\n");
        write(&dir.path().join("conf.d"), "10-port.conf", "port 6390\nmaxmemory 2gb\n");
        write(dir.path(), "loop.conf", "include loop-b.conf\n");
        write(dir.path(), "loop-b.conf", "include loop.conf\n");
        let main = write(
            dir.path(),
            "redis.conf",
            "include conf.d/*.conf\ninclude missing.conf\ninclude loop.conf\n",
        );
        let parsed = load(&main, Target::DEFAULT, &LoadOptions::default()).unwrap();
        let mut facts = Facts::default();
        effective::apply(&parsed, &mut facts);
        // Glob matches are read in sorted order: 20-memory.conf's value wins.
        assert_eq!(facts.value("conf.maxmemory"), Some(&Value::Int(1 << 30)));
        assert_eq!(facts.value("conf.port"), Some(&Value::Int(6390)));
        let errors: Vec<(&str, usize, &str)> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.rule == "config.include-error")
            .map(|d| match &d.origin {
                Origin::File { file, line, .. } => {
                    (file.file_name().unwrap().to_str().unwrap(), *line, d.message.as_str())
                }
                _ => panic!(),
            })
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!((errors[0].0, errors[0].1), ("redis.conf", 2));
        assert!(errors[0].2.contains("no such file"));
        assert_eq!((errors[1].0, errors[1].1), ("loop-b.conf", 1));
        assert!(errors[1].2.contains("include cycle"), "{}", errors[1].2);
    }

    #[test]
    fn include_depth_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..100 {
            write(dir.path(), &format!("{i}.conf"), &format!("include {}.conf\n", i + 1));
        }
        write(dir.path(), "100.conf", "port 6379\n");
        let err = load(&dir.path().join("0.conf"), Target::DEFAULT, &LoadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("nested more than 64 levels"), "{err}");
    }

    #[test]
    fn sentinel_directives_need_sentinel_mode() {
        let dir = tempfile::tempdir().unwrap();
        let text = "port 26379\nsentinel monitor m 127.0.0.1 6379 2\n";
        let path = write(dir.path(), "redis.conf", text);
        let parsed = load(&path, Target::DEFAULT, &LoadOptions::default()).unwrap();
        assert_eq!(rules_of(&parsed), ["config.syntax-error"]);
        let parsed = load(
            &path,
            Target::DEFAULT,
            &LoadOptions {
                sentinel: true,
                ..LoadOptions::default()
            },
        )
        .unwrap();
        assert!(parsed.diagnostics.is_empty());
        let path = write(dir.path(), "sentinel-26379.conf", text);
        let parsed = load(&path, Target::DEFAULT, &LoadOptions::default()).unwrap();
        assert!(
            parsed.sentinel && parsed.diagnostics.is_empty(),
            "named like a Sentinel config"
        );
    }

    #[test]
    fn acl_users_are_parsed_with_redacted_display() {
        let (parsed, facts) = load_text(
            "user app on >longenoughpassword ~app:* +@read\nuser default off\n",
            "7.2",
        );
        assert!(parsed.diagnostics.is_empty());
        let app = facts.acl_users.iter().find(|u| u.name == "app").unwrap();
        assert_eq!(app.passwords[0].expose(), "longenoughpassword");
        assert_eq!(
            facts.value("conf.user").unwrap().to_string(),
            "app on >******** ~app:* +@read, default off"
        );
        assert!(!facts.acl_users.iter().any(|u| u.name == "default" && u.enabled));
    }
}
