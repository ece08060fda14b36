//! redis.conf, read as redis-server reads it: lines, quoting, includes,
//! directive names resolved through the version-aware catalog, values
//! validated, and every directive kept with its span.

pub mod acl;
pub mod argv;
pub mod catalog;
pub mod commands;
pub mod lexer;
mod sentinel;
pub mod special;
pub mod value;

use crate::error::InputError;
use crate::facts::{ConfigDiagnostic, DiagnosticKind, Origin};
use catalog::{catalog, Lookup, Target};
use lexer::Arg;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::textfile::SourceFile;
use crate::textfile::{mask_ranges, read_text_file, LineIndex};

/// Deeper include chains are refused rather than followed.
pub const MAX_INCLUDE_DEPTH: usize = 64;

/// Directives whose value is a password, in every release line that has them.
pub const SECRET_DIRECTIVES: [&str; 5] = [
    "requirepass",
    "masterauth",
    "primaryauth",
    "tls-key-file-pass",
    "tls-client-key-file-pass",
];

/// Whether a directive name says its arguments are secret: a secret catalog
/// directive, or a name redis-server does not know that looks like one (a
/// misspelled `requirepas`, an invented `masterpassword`): its value is
/// likely a password all the same.
fn names_a_secret(name: &str, target: &Target) -> bool {
    if let Some(lookup) = catalog().lookup(name, target) {
        return lookup.directive.secret;
    }
    SECRET_DIRECTIVES.contains(&name)
        || ["pass", "pwd", "auth", "secret", "token", "credential"]
            .iter()
            .any(|word| name.contains(word))
        || SECRET_DIRECTIVES.iter().any(|known| within_two_edits(name, known))
}

/// Levenshtein distance at most 2 (names are short: a few dozen bytes).
fn within_two_edits(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 2 || a.len() > 64 {
        return false;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            current[j + 1] = (previous[j] + usize::from(ca != cb))
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()] <= 2
}

/// The words of a line as `sdssplitargs` finds them, with their offsets: blanks
/// (`isspace`) between words; an unquoted word ends only at a space, tab, CR,
/// LF or NUL (a form feed inside it is part of it); a quoted part runs to its
/// closing quote, past backslash escapes. Lenient where the lexer is strict
/// (an unterminated quote runs to the end), so a broken line is masked too.
fn split_words(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    loop {
        // Every delimiter is ASCII, so byte steps never split a character where it matters.
        while i < bytes.len() && lexer::is_c_space(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            return words;
        }
        let start = i;
        let end = loop {
            match bytes.get(i) {
                None => break bytes.len(),
                Some(b' ' | b'\t' | b'\r' | b'\n' | 0) => break i,
                Some(&quote @ (b'"' | b'\'')) => match closing_quote(&text[i + 1..], quote as char) {
                    Some(close) => i += close + 2,
                    None => break bytes.len(),
                },
                Some(_) => i += 1,
            }
        };
        words.push((start, &text[start..end]));
        // A NUL ends the line for redis-server.
        if bytes.get(end) == Some(&0) {
            return words;
        }
        i = end;
    }
}

/// Where a quoted argument closes, as `sdssplitargs` reads it: a backslash
/// escapes the next character (`\"` inside double quotes, `\'` inside single).
fn closing_quote(text: &str, quote: char) -> Option<usize> {
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c == quote {
            return Some(at);
        }
    }
    None
}

/// Byte ranges of one line (any line: a commented-out `# requirepass x` is
/// shown as context beside findings too) that hold secrets: every argument
/// of a directive whose name says secret, the `>`/`<`/`#`/`!` password rules
/// of `user` lines, Sentinel's `auth-pass`/`sentinel-pass` values. Works from
/// the raw text so a line that fails to lex is masked too.
pub fn secret_ranges(line_start: usize, raw: &str, target: &Target) -> Vec<std::ops::Range<usize>> {
    let body = raw.trim_start_matches(|c: char| c == '#' || c.is_ascii() && lexer::is_c_space(c as u8));
    let body_start = line_start + (raw.len() - body.len());
    let words = split_words(body);
    let Some(&(_, first)) = words.first() else {
        return Vec::new();
    };
    let name = first.trim_matches(['"', '\'']).to_ascii_lowercase();
    let end = line_start + raw.len();
    match name.as_str() {
        // A quoted rule is masked whatever it starts with (`"\x3epw"` is `>pw`),
        // and so is any word with a `>`/`<` in it (`on\x0c>pw` is one word).
        "user" => words
            .iter()
            .skip(2)
            .filter(|(_, w)| w.starts_with(['#', '!', '"', '\'']) || w.contains(['>', '<']))
            .map(|&(at, word)| body_start + at..body_start + at + word.len())
            .collect(),
        // `sentinel auth-pass <master> <password>`, `sentinel sentinel-pass <password>`:
        // everything after the master name (an extra word may be the password too).
        "sentinel" => match words.get(1).map(|(_, w)| w.to_ascii_lowercase()) {
            Some(sub) if sub.contains("pass") => {
                let first_secret = if sub == "sentinel-pass" { 2 } else { 3 };
                words
                    .get(first_secret)
                    .or(words.last())
                    .map(|(at, _)| body_start + at..end)
                    .into_iter()
                    .collect()
            }
            _ => Vec::new(),
        },
        _ if names_a_secret(&name, target) => words.get(1).map(|(at, _)| body_start + at..end).into_iter().collect(),
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

/// One part of what redis-server reads, in order: a config file, then the
/// command-line options it appends as config lines.
#[derive(Debug, Clone)]
pub enum Piece {
    /// A config file on disk, with its includes (a redis.conf in the
    /// repository, or one a container mounts).
    File(PathBuf),
    /// Config lines inside another file (a YAML block scalar). `lex_text`
    /// has the byte length of `source.text` with everything outside the
    /// embedded config blanked, so spans point into the file as written.
    Embedded { source: SourceFile, lex_text: Arc<str> },
    /// Lines already split into words (redis-server's arguments), with
    /// spans into `source.text`.
    Lines { source: SourceFile, lines: Vec<ArgLine> },
    /// A config redis-server reads that the repository does not hold (a
    /// file that is not mounted from it, an image's generated config): every
    /// directive not set by a later piece is unknown, for this reason.
    Unseen(String),
}

/// One config line made of words that came from somewhere else (argv).
#[derive(Debug, Clone)]
pub struct ArgLine {
    /// The directive name first; spans into the source file.
    pub args: Vec<Arg>,
    /// The whole line in the source file.
    pub span: std::ops::Range<usize>,
    /// Set when the values cannot be read here.
    pub opaque: Option<Opaque>,
}

/// Why a directive's value cannot be read from the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opaque {
    /// Unresolved (`${REDIS_PASSWORD}` not set here, a template): rules that
    /// need it report "could not verify: <reason>".
    Unknown(String),
    /// Set to a value kept elsewhere (`Secret redis/password`).
    Reference(String),
}

/// Template markers of an unrendered config (Helm, Jinja, envsubst).
pub const TEMPLATE_MARKERS: [&str; 3] = ["{{", "{%", "${"];

#[derive(Debug, Clone)]
pub struct ParsedConfig {
    pub target: Target,
    pub files: Vec<SourceFile>,
    pub directives: Vec<DirectiveLine>,
    pub diagnostics: Vec<ConfigDiagnostic>,
    pub suppressions: Vec<InlineSuppression>,
    pub sentinel: bool,
    /// The `aclfile` the config names, read with it (None: no `aclfile`).
    pub acl_file: Option<AclFile>,
    /// Why part of the config cannot be seen (`Piece::Unseen`): directives
    /// it does not set are unknown rather than compiled-in defaults.
    pub unseen: Option<String>,
}

/// The users of an `aclfile`, as read when the config was loaded.
#[derive(Debug, Clone)]
pub struct AclFile {
    pub path: Arc<PathBuf>,
    /// Each user with the line that defines it, or why the file could not be read.
    pub users: Result<Vec<(acl::AclUserSpec, Origin)>, String>,
}

impl ParsedConfig {
    pub fn main_file(&self) -> Option<&Arc<PathBuf>> {
        self.files.first().map(|f| &f.path)
    }
}

/// Reads a config file (and what it includes) for a target release line.
pub fn load(path: &Path, target: Target, options: &LoadOptions) -> Result<ParsedConfig, InputError> {
    let text = read_config_file(path)?;
    load_text(path, text, target, options)
}

/// Reads a config file whose text was already read (to detect its kind).
pub fn load_text(path: &Path, text: String, target: Target, options: &LoadOptions) -> Result<ParsedConfig, InputError> {
    if text.trim().is_empty() {
        return Err(InputError::new(format!(
            "{}: the config file is empty; redis-server would run on compiled-in defaults, which is never what a production deployment means",
            path.display()
        )));
    }
    let mut loader = Loader::new(path, target, options);
    loader.load_text(path.to_path_buf(), text)?;
    loader.check_after_load();
    loader.parsed.acl_file = loader.read_acl_file();
    Ok(loader.parsed)
}

/// Reads what one redis-server reads: pieces in order (a config file, then
/// its command-line options), as one config. `anchor` names the deployment
/// file the pieces come from (include paths are relative to it). A `File`
/// piece that cannot be read is an include error, as redis-server refuses to
/// start without its config file.
pub fn load_pieces(
    anchor: &Path,
    pieces: Vec<Piece>,
    target: Target,
    options: &LoadOptions,
) -> Result<ParsedConfig, InputError> {
    let mut loader = Loader::new(anchor, target, options);
    for piece in pieces {
        match piece {
            Piece::File(path) => match read_text_file(&path) {
                Ok(text) => loader.load_text(path, text)?,
                Err(reason) => {
                    let subject = path.display().to_string();
                    loader.diagnose(
                        DiagnosticKind::IncludeError,
                        format!("cannot read the config file `{subject}`: {reason}"),
                        Origin::Default,
                        subject,
                    );
                }
            },
            Piece::Embedded { source, lex_text } => loader.load_embedded(source, &lex_text)?,
            Piece::Lines { source, lines } => loader.load_lines(source, lines)?,
            Piece::Unseen(reason) => {
                loader.parsed.unseen.get_or_insert(reason);
            }
        }
    }
    loader.check_after_load();
    loader.parsed.acl_file = loader.read_acl_file();
    Ok(loader.parsed)
}

impl<'o> Loader<'o> {
    fn new(path: &Path, target: Target, options: &'o LoadOptions) -> Loader<'o> {
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
        Loader {
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
                acl_file: None,
                unseen: None,
            },
            stack: Vec::new(),
            line_indexes: Vec::new(),
            sentinel_state: sentinel::SentinelState::default(),
            seen_single: HashMap::new(),
            renames: special::Renames::default(),
            read_a_config_file: false,
            file_index: HashMap::new(),
            file_by_path: HashMap::new(),
            templated_files: Vec::new(),
        }
    }
}

/// Reads the main config file, with clear errors for the usual ways it goes wrong.
fn read_config_file(path: &Path) -> Result<String, InputError> {
    read_text_file(path).map_err(InputError::new)
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
    line_indexes: Vec<Arc<LineIndex>>,
    /// Single-valued directives already set: canonical name -> file and line.
    seen_single: HashMap<String, (Arc<PathBuf>, usize)>,
    /// Commands renamed so far: `rename-command` works on the table as earlier lines left it.
    renames: special::Renames,
    /// redis-server reads a config file (not only arguments): `{config-file}` is not empty.
    read_a_config_file: bool,
    /// Index in `parsed.files` by the address of its path, so a diagnostic
    /// finds its file in constant time however many files a glob includes.
    file_index: HashMap<usize, usize>,
    /// Deployment files already registered (several pieces may come from one).
    file_by_path: HashMap<PathBuf, usize>,
    /// Files already reported as unrendered templates (said once per file).
    templated_files: Vec<usize>,
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

    fn diagnose(&mut self, kind: DiagnosticKind, message: String, origin: Origin, subject: String) {
        self.parsed.diagnostics.push(ConfigDiagnostic {
            kind,
            message,
            origin,
            subject,
        });
    }

    fn load_text(&mut self, path: PathBuf, text: String) -> Result<(), InputError> {
        self.read_a_config_file = true;
        let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        self.stack.push(canonical);
        let file = self.parsed.files.len();
        let text: Arc<str> = Arc::from(text);
        // Lexed once; masks come from every line, comments included.
        let lines: Vec<lexer::Line<'_>> = lexer::directive_lines(&text).collect();
        let masks: Vec<std::ops::Range<usize>> = lexer::all_lines(&text)
            .flat_map(|(_, start, raw)| secret_ranges(start, raw, &self.target))
            .collect();
        let shown: Arc<str> = if masks.is_empty() {
            text.clone()
        } else {
            Arc::from(mask_ranges(&text, &masks))
        };
        self.line_indexes.push(Arc::new(LineIndex::new(&text)));
        let path = Arc::new(path);
        self.file_index.insert(Arc::as_ptr(&path) as usize, file);
        self.parsed.files.push(SourceFile { path, text: shown });
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
        self.lex_lines(file, lines, true)?;
        self.stack.pop();
        Ok(())
    }

    /// Registers a deployment file once, however many pieces come from it.
    fn register(&mut self, source: SourceFile) -> usize {
        if let Some(&index) = self.file_by_path.get(source.path.as_path()) {
            return index;
        }
        let index = self.parsed.files.len();
        self.line_indexes.push(shared_index(&source.text));
        self.file_index.insert(Arc::as_ptr(&source.path) as usize, index);
        self.file_by_path.insert(source.path.to_path_buf(), index);
        self.parsed.files.push(source);
        index
    }

    /// Masks more of a registered file's shown text (positions are kept).
    fn mask_more(&mut self, file: usize, masks: &[std::ops::Range<usize>]) {
        let shown = &self.parsed.files[file].text;
        // Nothing left to mask (a deployment reader masked it already): keep
        // the shared text rather than copy a whole file once per instance.
        let changes = |r: &std::ops::Range<usize>| {
            shown
                .get(r.clone())
                .is_none_or(|part| part.chars().any(|c| c != '*' && !c.is_whitespace()))
        };
        if !masks.iter().any(|r| !r.is_empty() && changes(r)) {
            return;
        }
        self.parsed.files[file].text = Arc::from(mask_ranges(shown, masks));
    }

    /// A config inside another file, e.g. a Helm value holding a redis.conf.
    fn load_embedded(&mut self, source: SourceFile, lex_text: &str) -> Result<(), InputError> {
        self.read_a_config_file = true;
        let file = self.register(source);
        let masks: Vec<std::ops::Range<usize>> = lexer::all_lines(lex_text)
            .flat_map(|(_, start, raw)| secret_ranges(start, raw, &self.target))
            .collect();
        self.mask_more(file, &masks);
        let lines: Vec<lexer::Line<'_>> = lexer::directive_lines(lex_text).collect();
        self.lex_lines(file, lines, false)
    }

    /// redis-server's options, already split into lines of words.
    fn load_lines(&mut self, source: SourceFile, lines: Vec<ArgLine>) -> Result<(), InputError> {
        let file = self.register(source);
        let mut masks = Vec::new();
        for line in &lines {
            let Some(name) = line.args.first().map(|a| a.value.to_ascii_lowercase()) else {
                continue;
            };
            let secret_args: Box<dyn Iterator<Item = &Arg>> = match name.as_str() {
                "user" => Box::new(
                    line.args
                        .iter()
                        .skip(2)
                        .filter(|a| a.value.starts_with(['>', '<', '#', '!']) || a.value.contains(['>', '<'])),
                ),
                "sentinel" => Box::new(line.args.iter().skip(2).filter(|_| {
                    line.args
                        .get(1)
                        .is_some_and(|sub| sub.value.to_ascii_lowercase().contains("pass"))
                })),
                _ if names_a_secret(&name, &self.target) => Box::new(line.args.iter().skip(1)),
                _ => Box::new(std::iter::empty()),
            };
            masks.extend(secret_args.map(|a| a.span.clone()));
            // An argument `--<secret name>` read as a value (`--port --requirepass pw`
            // from 7.0, `-- "--requirepass pw"`): it was meant as that option, so what
            // follows it is masked, in it and after it.
            for (index, arg) in line.args.iter().enumerate() {
                let Some(rest) = arg.value.strip_prefix("--") else {
                    continue;
                };
                let first = rest.split(|c: char| c.is_ascii_whitespace()).next().unwrap_or("");
                if !names_a_secret(&first.to_ascii_lowercase(), &self.target) {
                    continue;
                }
                if first.len() < rest.len() {
                    masks.push(arg.span.clone());
                }
                masks.extend(line.args[index + 1..].iter().map(|a| a.span.clone()));
            }
            // A line that holds no password (a managed service's `requirepass`
            // from `auth_enabled = false`: an empty value pointing at nothing)
            // has nothing to mask, and the attribute it points at stays readable.
            let no_value =
                line.args.len() >= 2 && line.args[1..].iter().all(|a| a.value.is_empty() && a.span.is_empty());
            // The option as written, line by line like a config line: a secret-named
            // option is masked even when it cannot be split (`--requirepass "a b`).
            if !no_value {
                masks.extend(option_text_secrets(
                    &self.parsed.files[file].text,
                    line.span.clone(),
                    &self.target,
                ));
            }
        }
        self.mask_more(file, &masks);
        for line in lines {
            let number = self.line_indexes[file]
                .line_column(&self.parsed.files[file].text, line.span.start)
                .0;
            self.directive_line(file, number, line.span, line.args, line.opaque, false)?;
        }
        Ok(())
    }

    fn lex_lines(&mut self, file: usize, lines: Vec<lexer::Line<'_>>, follow_includes: bool) -> Result<(), InputError> {
        for line in lines {
            // `{{- if .Values.x }}` and friends are template statements, not directives.
            if line.text.starts_with("{{") || line.text.starts_with("{%") {
                self.templated(file, line.start..line.start + line.text.len());
                continue;
            }
            let args = match lexer::split_args_with(&line, quoting_of(&self.target)) {
                Ok(args) => args,
                Err(err) => {
                    let origin = self.origin(file, err.at..err.at + 1);
                    let first_word = line.text.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                    self.diagnose(
                        DiagnosticKind::SyntaxError,
                        err.message().to_string(),
                        origin,
                        first_word,
                    );
                    continue;
                }
            };
            let span = line.start..line.start + line.text.len();
            let opaque = match args
                .iter()
                .skip(1)
                .find(|a| TEMPLATE_MARKERS.iter().any(|m| a.value.contains(m)))
            {
                Some(arg) => {
                    self.templated(file, arg.span.clone());
                    let name = args.first().map(|a| a.value.as_str()).unwrap_or_default();
                    Some(Opaque::Unknown(format!(
                        "`{}` is templated here (the file is not rendered)",
                        name.to_ascii_lowercase()
                    )))
                }
                None => None,
            };
            self.directive_line(file, line.number, span, args, opaque, follow_includes)?;
        }
        Ok(())
    }

    /// An unrendered template is said once per file.
    fn templated(&mut self, file: usize, span: std::ops::Range<usize>) {
        if self.templated_files.contains(&file) {
            return;
        }
        self.templated_files.push(file);
        let origin = self.origin(file, span);
        let subject = self.parsed.files[file].path.display().to_string();
        self.diagnose(
            DiagnosticKind::Template,
            "this config is an unrendered template: its templated values are unknown here".into(),
            origin,
            subject,
        );
    }

    fn directive_line(
        &mut self,
        file: usize,
        number: usize,
        span: std::ops::Range<usize>,
        args: Vec<Arg>,
        opaque: Option<Opaque>,
        follow_includes: bool,
    ) -> Result<(), InputError> {
        let Some((name_arg, rest)) = args.split_first() else {
            return Ok(());
        };
        let name = name_arg.value.to_ascii_lowercase();
        let origin = self.origin(file, span);
        if name == "include" {
            if follow_includes {
                self.include(file, number, rest, origin.clone())?;
            }
            self.parsed.directives.push(DirectiveLine {
                name,
                canonical: Some("include".into()),
                args: rest.to_vec(),
                file,
                line: number,
                origin,
                value: None,
            });
            return Ok(());
        }
        let directive = self.resolve(&name, rest, origin.clone(), name_arg, opaque.as_ref());
        self.parsed.directives.push(DirectiveLine {
            name,
            canonical: directive.0,
            args: rest.to_vec(),
            file,
            line: number,
            origin,
            value: directive.1,
        });
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
        opaque: Option<&Opaque>,
    ) -> (Option<String>, Option<crate::facts::Value>) {
        let catalog = catalog();
        let target = self.target;
        let Some(Lookup { directive, alias }) = catalog.lookup(name, &target) else {
            let name_origin = self.origin_of_arg(&origin, name_arg);
            // A name with blanks is no directive: only its first word is said (the rest
            // may be a value, `-- "--requirepass pw"` from 7.0 makes a name of it).
            let shown = match name.find(|c: char| c.is_ascii() && lexer::is_c_space(c as u8)) {
                Some(end) => format!("{}…", &name[..end]),
                None => name.to_string(),
            };
            let message = unknown_directive_message(name, &shown, &target, self.sentinel);
            self.diagnose(DiagnosticKind::UnknownDirective, message, name_origin, shown);
            return (None, None);
        };
        // `sentinel` alone is what `--sentinel` adds to the config: redis-server
        // skips it in any mode (main() has already entered Sentinel mode).
        if directive.is_special("sentinel") && args.is_empty() {
            return (Some(directive.name.clone()), None);
        }
        if directive.is_special("sentinel") && self.sentinel {
            let values: Vec<&str> = args.iter().map(|a| a.value.as_str()).collect();
            if let Err(special::DirectiveError { kind, message, arg }) = self.sentinel_state.check(&values, &target) {
                let at = match arg.and_then(|i| args.get(i)) {
                    Some(arg) => self.origin_of_arg(&origin, arg),
                    None => origin.clone(),
                };
                self.diagnose(kind, format!("`sentinel`: {message}"), at, "sentinel".into());
                return (Some(directive.name.clone()), None);
            }
        }
        if directive.is_special("sentinel") && !self.sentinel {
            self.diagnose(
                DiagnosticKind::SyntaxError,
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
                        DiagnosticKind::DeprecatedDirective,
                        format!("`{name}` is the old name of `{current}` on {target}"),
                        self.origin_of_arg(&origin, name_arg),
                        name.to_string(),
                    );
                }
            }
        }
        let values: Vec<&str> = args.iter().map(|a| a.value.as_str()).collect();
        let parsed = match opaque {
            Some(Opaque::Unknown(reason)) => Ok(crate::facts::Value::Unknown {
                unknown: reason.clone(),
            }),
            Some(Opaque::Reference(reference)) => Ok(crate::facts::Value::Reference {
                reference: reference.clone(),
            }),
            None if directive.is_special("rename-command") && values.len() == 2 => {
                self.renames.rename(values[0], values[1], &target)
            }
            None => special::parse_directive(directive, &values, &target).and_then(|value| {
                if directive.name == "proc-title-template" {
                    let context = self.title_context();
                    special::check_proc_title(&values.join(" "), &context).map_err(|why| special::DirectiveError {
                        kind: DiagnosticKind::InvalidValue,
                        message: format!("template format is invalid or contains unknown variables: {why}"),
                        arg: Some(0),
                    })?;
                }
                Ok(value)
            }),
        };
        let value = match parsed {
            Ok(value) => value,
            Err(special::DirectiveError { kind, message, arg }) => {
                let at = match arg.and_then(|i| args.get(i)) {
                    Some(arg) => self.origin_of_arg(&origin, arg),
                    None => origin.clone(),
                };
                self.diagnose(kind, format!("`{name}`: {message}"), at, directive.name.clone());
                return (Some(directive.name.clone()), None);
            }
        };
        if opaque.is_none() {
            for (index, message) in special::overflowed_memory(directive, &values, &target) {
                let at = match args.get(index) {
                    Some(arg) => self.origin_of_arg(&origin, arg),
                    None => origin.clone(),
                };
                self.diagnose(
                    DiagnosticKind::ValueOverflow,
                    format!("`{name}`: {message}"),
                    at,
                    directive.name.clone(),
                );
            }
        }
        if !directive.repeatable {
            if let Some((file, line)) = self.seen_single.get(&directive.name) {
                let message = format!(
                    "`{}` is set again; the earlier value at {}:{line} is ignored (the last one wins)",
                    name,
                    file.display()
                );
                self.diagnose(
                    DiagnosticKind::DuplicateDirective,
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

    /// The last value a directive was given in what was read, with its line
    /// (None when it is not set, or not known here).
    fn final_value(&self, name: &str) -> Option<(&crate::facts::Value, &DirectiveLine)> {
        let line = self
            .parsed
            .directives
            .iter()
            .rev()
            .find(|d| d.canonical.as_deref() == Some(name))?;
        let value = line.value.as_ref()?;
        match value {
            crate::facts::Value::Unknown { .. } | crate::facts::Value::Reference { .. } => None,
            _ => Some((value, line)),
        }
    }

    /// Whether a directive's effective value is known: its last line here has a
    /// value that is neither unknown (templated, refused) nor kept elsewhere, or no
    /// line sets it and no unseen config could.
    fn known(&self, name: &str) -> bool {
        let last = self
            .parsed
            .directives
            .iter()
            .rev()
            .find(|d| d.canonical.as_deref() == Some(name));
        match last {
            Some(line) => !matches!(
                line.value,
                None | Some(crate::facts::Value::Unknown { .. } | crate::facts::Value::Reference { .. })
            ),
            None => self.parsed.unseen.is_none(),
        }
    }

    /// What `proc-title-template` variables hold at this point of the config.
    fn title_context(&self) -> special::TitleContext {
        let cluster = self
            .final_value("cluster-enabled")
            .is_some_and(|(v, _)| v.as_bool() == Some(true));
        special::TitleContext {
            unixsocket: self
                .final_value("unixsocket")
                .and_then(|(v, _)| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            server_mode: if self.sentinel {
                "[sentinel]".into()
            } else if cluster {
                "[cluster]".into()
            } else {
                String::new()
            },
            config_file: self.read_a_config_file,
        }
    }

    /// What redis-server checks once the whole config is read, before it starts.
    fn check_after_load(&mut self) {
        self.check_cluster_replicaof();
        self.check_tls_material();
        self.check_users();
    }

    /// From 7.0 a user may be defined once in the config; and users come from
    /// either `user` lines or the `aclfile`, never both (every line refuses that).
    fn check_users(&mut self) {
        let users: Vec<(String, Origin)> = self
            .parsed
            .directives
            .iter()
            .filter(|d| d.canonical.as_deref() == Some("user"))
            .filter_map(|d| d.args.first().map(|name| (name.value.clone(), d.origin.clone())))
            .collect();
        if self.target.product == catalog::Product::Valkey || self.target.major >= 7 {
            let mut seen = std::collections::HashSet::new();
            for (name, origin) in &users {
                if !seen.insert(name.as_str()) {
                    self.diagnose(
                        DiagnosticKind::InvalidValue,
                        format!("`user {name}`: Duplicate user found. A user can only be defined once in config files"),
                        origin.clone(),
                        "user".into(),
                    );
                }
            }
        }
        let acl_file = self
            .final_value("aclfile")
            .and_then(|(v, _)| v.as_str())
            .is_some_and(|path| !path.is_empty());
        if let (true, Some((_, origin))) = (acl_file, users.first()) {
            self.diagnose(
                DiagnosticKind::InvalidValue,
                "`user` lines and an `aclfile` together: redis-server refuses to start (users come from one or the other)".into(),
                origin.clone(),
                "user".into(),
            );
        }
    }

    /// A cluster node cannot be configured as a replica (`replicaof directive not
    /// allowed in cluster mode`, whatever the order of the two lines).
    fn check_cluster_replicaof(&mut self) {
        let cluster = self.final_value("cluster-enabled").and_then(|(v, _)| v.as_bool());
        let Some((replicaof, line)) = self.final_value("replicaof") else {
            return;
        };
        if cluster != Some(true) || replicaof.as_str().is_none_or(str::is_empty) {
            return;
        }
        let origin = line.origin.clone();
        self.diagnose(
            DiagnosticKind::InvalidValue,
            format!(
                "`{}` with `cluster-enabled yes`: redis-server refuses to start (replicaof directive not allowed in cluster mode; replicas join with CLUSTER REPLICATE)",
                line.name
            ),
            origin,
            "replicaof".into(),
        );
    }

    /// With TLS on (`tls-port`, `tls-replication` or `tls-cluster`), redis-server
    /// sets up its TLS context at startup and exits without a certificate, a key,
    /// or (when peers are verified) a CA.
    fn check_tls_material(&mut self) {
        let names = [
            "tls-port",
            "tls-replication",
            "tls-cluster",
            "tls-cert-file",
            "tls-key-file",
            "tls-ca-cert-file",
            "tls-ca-cert-dir",
            "tls-auth-clients",
        ];
        if names
            .iter()
            .any(|name| catalog().lookup(name, &self.target).is_none() || !self.known(name))
        {
            return;
        }
        let set = |loader: &Self, name: &str| loader.final_value(name).map(|(v, line)| (v.clone(), line.clone()));
        let enabled_by = ["tls-port", "tls-replication", "tls-cluster"]
            .into_iter()
            .find_map(|name| {
                set(self, name)
                    .filter(|(value, _)| value.as_int().is_some_and(|port| port != 0) || value.as_bool() == Some(true))
            });
        let Some((_, enabling)) = enabled_by else {
            return;
        };
        let configured = |name: &str| set(self, name).is_some_and(|(v, _)| v.as_str().is_some_and(|s| !s.is_empty()));
        let yes = |name: &str| set(self, name).is_some_and(|(v, _)| v.as_bool() == Some(true));
        let verifies_peers = set(self, "tls-auth-clients").is_none_or(|(v, _)| v.as_str() != Some("no"))
            || yes("tls-replication")
            || yes("tls-cluster");
        let missing = if !configured("tls-cert-file") {
            "no `tls-cert-file` is configured"
        } else if !configured("tls-key-file") {
            "no `tls-key-file` is configured"
        } else if verifies_peers && !configured("tls-ca-cert-file") && !configured("tls-ca-cert-dir") {
            "neither `tls-ca-cert-file` nor `tls-ca-cert-dir` is configured, and peers are verified (tls-auth-clients, tls-replication or tls-cluster)"
        } else {
            return;
        };
        self.diagnose(
            DiagnosticKind::InvalidValue,
            format!(
                "TLS is on (`{}`) but {missing}: redis-server fails to configure TLS and refuses to start",
                enabling.name
            ),
            enabling.origin.clone(),
            enabling.canonical.clone().unwrap_or(enabling.name.clone()),
        );
    }

    fn origin_of_arg(&self, line_origin: &Origin, arg: &Arg) -> Origin {
        match line_origin {
            Origin::File { file, .. } => {
                let index = self.file_index.get(&(Arc::as_ptr(file) as usize)).copied().unwrap_or(0);
                self.origin(index, arg.span.clone())
            }
            other => other.clone(),
        }
    }

    fn include(&mut self, file: usize, line_number: usize, args: &[Arg], origin: Origin) -> Result<(), InputError> {
        if args.len() != 1 {
            self.diagnose(
                DiagnosticKind::SyntaxError,
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
        // Redis before 7.0 reads an include path as written, wildcards and all.
        let globs = self.target.product == catalog::Product::Valkey || self.target.major >= 7;
        let paths: Vec<PathBuf> = if globs && pattern.contains(['*', '?', '[']) {
            match glob::glob(&pattern) {
                Ok(entries) => {
                    let mut found: Vec<PathBuf> = entries.filter_map(Result::ok).collect();
                    found.sort();
                    found
                }
                Err(e) => {
                    self.diagnose(
                        DiagnosticKind::IncludeError,
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
                    DiagnosticKind::IncludeError,
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
                    line_number
                )));
            }
            if reads_as_nothing(&path) {
                continue;
            }
            let text = match read_text_file(&path) {
                Ok(text) => text,
                Err(reason) => {
                    self.diagnose(
                        DiagnosticKind::IncludeError,
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

    /// redis-server loads users from the `aclfile` instead of `user` lines
    /// (it refuses a config with both); its passwords never reach a snippet.
    fn read_acl_file(&self) -> Option<AclFile> {
        let written = self
            .parsed
            .directives
            .iter()
            .rev()
            .filter(|d| d.canonical.as_deref() == Some("aclfile"))
            .find_map(|d| d.value.as_ref().and_then(|v| v.as_str()).map(str::to_string))
            .filter(|p| !p.is_empty())?;
        let path = Arc::new(self.resolve_include_path(&written));
        let users = read_text_file(&path).map(|text| {
            acl::parse_acl_file(&text)
                .into_iter()
                .map(|(spec, line, offset, len)| {
                    let origin = Origin::File {
                        file: path.clone(),
                        line,
                        column: 1,
                        offset,
                        len,
                    };
                    (spec, origin)
                })
                .collect()
        });
        Some(AclFile { path, users })
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

/// Valkey 9.0 lets a quoted part run on into the rest of a word (`"a"b` is `ab`).
pub fn quoting_of(target: &Target) -> lexer::Quoting {
    if target.product == catalog::Product::Valkey && target.major >= 9 {
        lexer::Quoting::Mixed
    } else {
        lexer::Quoting::Strict
    }
}

/// An include redis-server reads without finding a line: a directory (reading
/// it fails at once and redis-server takes that as the end of the file) or
/// `/dev/null`.
fn reads_as_nothing(path: &Path) -> bool {
    let Ok(metadata) = std::fs::metadata(path) else {
        return false;
    };
    metadata.is_dir() || std::fs::canonicalize(path).is_ok_and(|real| real == Path::new("/dev/null"))
}

/// Secrets in one option as written in its source (`--requirepass "a b`, or a
/// YAML string holding it), read line by line as config lines are, past the
/// leading quote and `--`.
fn option_text_secrets(text: &str, span: std::ops::Range<usize>, target: &Target) -> Vec<std::ops::Range<usize>> {
    let Some(raw) = text.get(span.clone()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut offset = span.start;
    for segment in raw.split('\n') {
        let trimmed = segment.trim_start_matches(['"', '\'', ' ', '\t']);
        let body = trimmed.strip_prefix("--").unwrap_or(trimmed);
        out.extend(secret_ranges(offset + (segment.len() - body.len()), body, target));
        offset += segment.len() + 1;
    }
    out
}

/// `name` is looked up; `shown` is what the message says.
fn unknown_directive_message(name: &str, shown: &str, target: &Target, sentinel: bool) -> String {
    let lines = catalog().lines_accepting(name);
    let name = shown;
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

thread_local! {
    /// The line index of the last deployment file registered, with its text:
    /// a file that defines many instances (a Terraform file of 10 000
    /// resources, each loaded on its own) is indexed once, not once each.
    static LAST_INDEX: std::cell::RefCell<Option<(Arc<str>, Arc<LineIndex>)>> = const { std::cell::RefCell::new(None) };
}

/// The line index of a shared text, built once for consecutive loads of it
/// (masking keeps positions, so it holds for every masked copy too).
fn shared_index(text: &Arc<str>) -> Arc<LineIndex> {
    LAST_INDEX.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((seen, index)) = last.as_ref() {
            if Arc::ptr_eq(seen, text) {
                return index.clone();
            }
        }
        let index = Arc::new(LineIndex::new(text));
        *last = Some((text.clone(), index.clone()));
        index
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Value;

    #[test]
    fn words_are_split_as_sdssplitargs_splits_them() {
        assert_eq!(
            split_words("masterauth \"se cret\" x 'a\\'b' c"),
            [
                (0, "masterauth"),
                (11, "\"se cret\""),
                (21, "x"),
                (23, "'a\\'b'"),
                (30, "c")
            ]
        );
        // An unterminated quote runs to the end; a NUL ends the line.
        assert_eq!(split_words("a \"b c"), [(0, "a"), (2, "\"b c")]);
        assert_eq!(split_words("a b\0c d"), [(0, "a"), (2, "b")]);
    }

    #[test]
    fn a_secret_in_a_multi_line_option_is_found_at_its_place() {
        let target = Target::parse("7.0").unwrap();
        let text = "--port 1\n--requirepass hunter2\n  'masterauth other1'";
        let found: Vec<&str> = option_text_secrets(text, 0..text.len(), &target)
            .into_iter()
            .map(|range| &text[range])
            .collect();
        assert_eq!(found, ["hunter2", "other1'"]);
    }

    #[test]
    fn inline_suppressions_name_their_line_rules_and_reason() {
        let text = "port 1\n# redis-preflight: ignore[a.b, c.d] known and accepted\n\
                    #redis-preflight:ignore[x.y]\n# redis-preflight: ignore[] nothing\n\
                    # redis-preflight: ignore[z.z without a bracket\n";
        assert_eq!(
            inline_suppressions(text),
            [
                (
                    2,
                    vec!["a.b".to_string(), "c.d".to_string()],
                    "known and accepted".to_string()
                ),
                (3, vec!["x.y".to_string()], String::new()),
            ]
        );
    }

    #[test]
    fn a_template_statement_is_reported_once_at_its_line() {
        let text = "port 6379\n{{- if .Values.auth }}\nrequirepass x\n{{- end }}\n";
        let parsed = load_for(text, "7.0");
        assert_eq!(kinds(&parsed), [DiagnosticKind::Template]);
        match &parsed.diagnostics[0].origin {
            crate::facts::Origin::File { line, column, len, .. } => {
                assert_eq!((*line, *column, *len), (2, 1, "{{- if .Values.auth }}".len()));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_refused_value_points_at_its_argument() {
        for (text, column) in [
            ("save 3600 1 300 x\n", 17),
            ("save 3600 x 300 1\n", 11),
            ("save 3600 1 0 5\n", 13),
            ("save 0 1\n", 6),
            ("client-output-buffer-limit normal 0 0 0 bogus 0 0 0\n", 41),
            ("oom-score-adj-values 0 200 2001\n", 28),
            ("oom-score-adj-values -2001 0 0\n", 22),
        ] {
            let parsed = load_for(text, "7.0");
            assert_eq!(kinds(&parsed), [DiagnosticKind::InvalidValue], "{text}");
            match &parsed.diagnostics[0].origin {
                crate::facts::Origin::File { column: at, .. } => assert_eq!(*at, column, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        assert!(load_for("oom-score-adj-values -2000 0 2000\n", "7.0")
            .diagnostics
            .is_empty());
    }

    #[test]
    fn a_percentage_is_read_only_where_the_directive_takes_one() {
        assert_eq!(
            kinds(&load_for("maxclients 50%\n", "7.0")),
            [DiagnosticKind::InvalidValue]
        );
        assert!(load_for("maxmemory-clients 5%\n", "7.0").diagnostics.is_empty());
    }

    #[test]
    fn a_command_renamed_away_keeps_its_empty_name_visible() {
        let parsed = load_for("rename-command CONFIG \"\"\nrename-command DEBUG dbg\n", "7.0");
        let values: Vec<&Value> = parsed
            .directives
            .iter()
            .filter(|d| d.canonical.as_deref() == Some("rename-command"))
            .filter_map(|d| d.value.as_ref())
            .collect();
        assert_eq!(
            values,
            [&Value::Str("CONFIG \"\"".into()), &Value::Str("DEBUG dbg".into())]
        );
    }

    #[test]
    fn two_edits_is_the_levenshtein_distance_bound() {
        for (a, b, want) in [
            ("requirepass", "requirepass", true),
            // two deletions, two insertions, two substitutions: at the bound
            ("requirepass", "requirepa", true),
            ("requirepa", "requirepass", true),
            ("requirepass", "reqxirepxss", true),
            // three of each: past it, with the lengths within two of each other
            ("xxxab", "yab", false),
            ("xab", "abyy", false),
            ("abcd", "wxyz", false),
            ("masterauth", "primaryauth", false),
            // lengths three apart are refused before the table is built
            ("requirepass", "requirep", false),
        ] {
            assert_eq!(within_two_edits(a, b), want, "{a} / {b}");
        }
        // Names over 64 bytes are not compared (the table is quadratic).
        let long = "x".repeat(64);
        assert!(within_two_edits(&long, &long));
        let longer = "x".repeat(65);
        assert!(!within_two_edits(&longer, &longer));
    }

    /// Loads `text` as a redis.conf for `version`; the diagnostics' kinds and the parsed config.
    pub(super) fn load_for(text: &str, version: &str) -> ParsedConfig {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("redis.conf");
        std::fs::write(&path, text).unwrap();
        load(&path, Target::parse(version).unwrap(), &LoadOptions::default()).unwrap()
    }

    pub(super) fn kinds(parsed: &ParsedConfig) -> Vec<DiagnosticKind> {
        parsed.diagnostics.iter().map(|d| d.kind).collect()
    }

    pub(super) fn value_of<'p>(parsed: &'p ParsedConfig, name: &str) -> Option<&'p Value> {
        parsed
            .directives
            .iter()
            .rev()
            .find(|d| d.canonical.as_deref() == Some(name))
            .and_then(|d| d.value.as_ref())
    }

    #[test]
    fn an_overflowing_memory_value_is_accepted_and_reported_as_such() {
        let parsed = load_for("maxmemory 17179869184gb\n", "7.0");
        assert_eq!(kinds(&parsed), [DiagnosticKind::ValueOverflow]);
        assert_eq!(value_of(&parsed, "maxmemory"), Some(&Value::Int(0)));
        assert!(parsed.diagnostics[0].message.contains("keeps 0 bytes"));
        // Only a memory value wraps: a file name that reads like one is a name.
        assert!(load_for("dbfilename 17179869184gb\n", "7.0").diagnostics.is_empty());
        // Wrapped below its minimum: refused, and nothing more to say.
        let refused = load_for("repl-backlog-size 17179869184gb\n", "7.0");
        assert_eq!(kinds(&refused), [DiagnosticKind::InvalidValue]);
    }

    #[test]
    fn redis_6_reads_a_wildcard_include_as_a_file_name() {
        let text = "include conf.d/*.conf\n";
        assert_eq!(kinds(&load_for(text, "6.2")), [DiagnosticKind::IncludeError]);
        assert!(load_for(text, "7.0").diagnostics.is_empty());
    }

    #[test]
    fn cluster_mode_refuses_replicaof_in_any_order() {
        for text in [
            "cluster-enabled yes\nreplicaof 10.0.0.1 6379\n",
            "replicaof 10.0.0.1 6379\ncluster-enabled yes\n",
        ] {
            assert_eq!(kinds(&load_for(text, "7.0")), [DiagnosticKind::InvalidValue], "{text}");
        }
        assert!(load_for("cluster-enabled yes\nreplicaof no one\n", "6.2")
            .diagnostics
            .is_empty());
        assert!(load_for("replicaof 10.0.0.1 6379\n", "7.0").diagnostics.is_empty());
    }

    #[test]
    fn rename_command_works_on_the_table_earlier_lines_left() {
        let refused = |text: &str| kinds(&load_for(text, "7.0")) == [DiagnosticKind::InvalidValue];
        assert!(refused("rename-command get set\n"));
        assert!(refused("rename-command GET Set\n"));
        assert!(refused("rename-command get foo\nrename-command get bar\n"));
        assert!(refused("rename-command get foo\nrename-command set foo\n"));
        for accepted in [
            "rename-command get get\n",
            "rename-command get foo\nrename-command foo bar\n",
            "rename-command get \"\"\nrename-command set \"\"\n",
        ] {
            let parsed = load_for(accepted, "7.0");
            assert!(parsed.diagnostics.is_empty(), "{accepted}: {:?}", parsed.diagnostics);
        }
    }

    #[test]
    fn tls_needs_a_certificate_a_key_and_a_ca_to_start() {
        let refused = |text: &str| kinds(&load_for(text, "7.0")) == [DiagnosticKind::InvalidValue];
        assert!(refused("tls-port 6380\n"));
        assert!(refused("tls-replication yes\n"));
        assert!(refused("tls-cluster yes\n"));
        assert!(refused("tls-port 6380\ntls-cert-file c.crt\n"));
        // tls-auth-clients is yes by default: peers are verified, a CA is needed.
        assert!(refused("tls-port 6380\ntls-cert-file c.crt\ntls-key-file c.key\n"));
        let complete = "tls-port 6380\ntls-cert-file c.crt\ntls-key-file c.key\n";
        assert!(load_for(&format!("{complete}tls-ca-cert-dir /etc/ssl\n"), "7.0")
            .diagnostics
            .is_empty());
        assert!(load_for(&format!("{complete}tls-auth-clients no\n"), "7.0")
            .diagnostics
            .is_empty());
        assert!(load_for("tls-port 0\n", "7.0").diagnostics.is_empty());
        // Replication or cluster over TLS verify their peers even with tls-auth-clients no.
        assert!(refused(&format!("{complete}tls-auth-clients no\ntls-cluster yes\n")));
        assert!(refused(&format!(
            "{complete}tls-auth-clients no\ntls-replication yes\n"
        )));
        // A certificate the file leaves to a template is not a missing one.
        let templated = load_for("tls-port 6380\ntls-cert-file {{ .Values.cert }}\n", "7.0");
        assert_eq!(kinds(&templated), [DiagnosticKind::Template]);
    }

    #[test]
    fn proc_title_template_sees_the_lines_before_it() {
        let refused = |text: &str| kinds(&load_for(text, "7.0")) == [DiagnosticKind::InvalidValue];
        assert!(refused(
            "proc-title-template \"{unixsocket}\"\nunixsocket /tmp/r.sock\n"
        ));
        assert!(!refused(
            "unixsocket /tmp/r.sock\nproc-title-template \"{unixsocket}\"\n"
        ));
        assert!(refused("proc-title-template \"{title} {nosuch}\"\n"));
        assert!(load_for("proc-title-template \"{config-file}\"\n", "6.2")
            .diagnostics
            .is_empty());
    }

    #[test]
    fn including_dev_null_or_a_directory_reads_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("conf.d")).unwrap();
        let text = format!(
            "include /dev/null\ninclude {}\nport 6380\n",
            dir.path().join("conf.d").display()
        );
        for version in ["6.2", "7.0", "valkey-9.1"] {
            let parsed = load_for(&text, version);
            assert!(parsed.diagnostics.is_empty(), "{version}: {:?}", parsed.diagnostics);
        }
        assert_eq!(
            kinds(&load_for("include /nonexistent/x.conf\n", "7.0")),
            [DiagnosticKind::IncludeError]
        );
    }

    #[test]
    fn a_user_is_defined_once_and_never_beside_an_aclfile() {
        let twice = "user bob on nopass\nuser bob on nopass\n";
        assert_eq!(kinds(&load_for(twice, "7.0")), [DiagnosticKind::InvalidValue]);
        assert!(load_for(twice, "6.2").diagnostics.is_empty());
        assert!(load_for("user bob on nopass\nuser Bob on nopass\n", "7.0")
            .diagnostics
            .is_empty());
        for version in ["6.2", "7.0", "valkey-9.1"] {
            let both = load_for("aclfile users.acl\nuser bob on nopass\n", version);
            assert_eq!(kinds(&both), [DiagnosticKind::InvalidValue], "{version}");
        }
    }

    #[test]
    fn valkey_9_joins_a_quoted_part_with_what_follows() {
        let text = "dbfilename \"dump\"-1.rdb\n";
        let valkey9 = load_for(text, "valkey-9.0");
        assert!(valkey9.diagnostics.is_empty(), "{:?}", valkey9.diagnostics);
        assert_eq!(value_of(&valkey9, "dbfilename"), Some(&Value::Str("dump-1.rdb".into())));
        for older in ["valkey-8.1", "7.0"] {
            assert_eq!(kinds(&load_for(text, older)), [DiagnosticKind::SyntaxError], "{older}");
        }
    }
}
