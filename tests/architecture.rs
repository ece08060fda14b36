//! Architecture invariants: which top-level module of the crate may use which.
//!
//! The test reads every `.rs` file under `src/` (except `main.rs` and `lib.rs`) and
//! collects each `crate::NAME` the file refers to: in `use` declarations, grouped or
//! nested and over several lines, and in inline paths such as `crate::conf::io_reason(&e)`.
//! A `super::` chain that climbs to the crate root (`super::super::conf` in
//! `src/run/assemble.rs`) counts as `crate::conf`. Comments (including doc comments),
//! string literals and character literals are blanked out first, so text in them is
//! never counted. Code in `#[cfg(test)]` modules is checked like any other code.
//!
//! A file belongs to the top-level module named by its first path component under
//! `src/` (`src/run/assemble/conf.rs` belongs to `run`). The top-level modules are
//! discovered from the directory listing of `src/`, so the test follows the layout as
//! it changes. A module's references to itself are ignored.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

/// The target layout. Only used to catch typos in the tables below: a module of the
/// layout that does not exist yet simply has no files to check.
const LAYOUT: &[&str] = &[
    "cli", "run", "conf", "env", "probe", "facts", "rules", "findings", "report", "settings", "error", "dates",
    "textfile", "deploy",
];

/// What a module may import from the rest of the crate (its references to itself are always fine).
#[derive(Clone, Copy, Debug)]
enum May {
    /// Only these modules; anything else, including modules added later, is a violation.
    Only(&'static [&'static str]),
    /// Anything except these modules.
    Not(&'static [&'static str]),
}

use May::{Not, Only};

/// The layering rules: (module, what it may import, why). The "why" is quoted in failures.
const RULES: &[(&str, May, &str)] = &[
    (
        "facts",
        Only(&[]),
        "facts is the shared data model every layer builds on, so it depends on none of them",
    ),
    (
        "error",
        Only(&[]),
        "error is a leaf utility that anyone may use, so it uses nothing",
    ),
    (
        "dates",
        Only(&[]),
        "dates is a leaf utility that anyone may use, so it uses nothing",
    ),
    (
        "textfile",
        Only(&[]),
        "textfile is a leaf utility that anyone may use, so it uses nothing",
    ),
    (
        "report",
        Not(&["probe", "conf", "env", "deploy", "run", "cli"]),
        "report only renders the findings it is given; it never gathers input or drives a run",
    ),
    (
        "rules",
        Not(&["probe", "deploy", "run", "cli", "report"]),
        "rules evaluate facts; they neither reach live servers nor know the driver or the renderers",
    ),
    (
        "conf",
        Not(&["cli", "run", "rules", "report"]),
        "conf is an input: it produces facts and knows nothing of what consumes them",
    ),
    (
        "env",
        Not(&["cli", "run", "rules", "report"]),
        "env is an input: it produces facts and knows nothing of what consumes them",
    ),
    (
        "deploy",
        Not(&["cli", "run", "rules", "report", "probe"]),
        "deploy is an input: it reads deployment files into config pieces and facts, and knows nothing of what consumes them",
    ),
    (
        "probe",
        Not(&["cli", "run", "rules", "report"]),
        "probe is an input: it produces facts and knows nothing of what consumes them",
    ),
    (
        "findings",
        Only(&["facts", "error", "dates", "textfile"]),
        "findings are verdicts on facts; they may name facts and the leaf utilities, nothing else",
    ),
    (
        "settings",
        Not(&["cli", "run", "rules", "report", "probe", "conf", "env", "deploy"]),
        "settings is plain user configuration; it stays independent of the pipeline it configures",
    ),
];

/// Modules nobody else may import: (module, why).
const NOBODY_IMPORTS: &[(&str, &str)] = &[("cli", "cli is the outermost layer: only main.rs may drive it")];

/// Modules that must do no file-system or network I/O: (module, why).
const NO_IO: &[(&str, &str)] = &[(
    "report",
    "report formats findings into the writer it is handed; reading or writing files and sockets belongs to the caller",
)];

/// What counts as file-system or network I/O. Matched, with whitespace around `::` removed,
/// against each line of code and against every path of a `use` tree written out in full
/// (so `use std::{fs, net};` is caught too).
const IO_PATTERNS: &[&str] = &[
    "std::fs",
    "fs::read",
    "fs::write",
    "File::open",
    "File::create",
    "OpenOptions",
    "std::net",
    "TcpStream",
    "UdpSocket",
    "tokio::fs",
    "tokio::net",
];

// ---------------------------------------------------------------------------------------
// The scanner.
// ---------------------------------------------------------------------------------------

/// One reference from a source file to a top-level item of the crate.
#[derive(Clone, Debug, PartialEq, Eq)]
struct CrateRef {
    /// The first component under the crate root (`conf` for `crate::conf::x`), or `*` for a
    /// glob or an alias of the crate root (`use crate::*;`, `use crate as root;`), which hides
    /// what the file uses.
    target: String,
    /// The line of the `target` component (1-based).
    line: usize,
    /// The path as written, e.g. `crate::conf::catalog::Target` or `super::super::env::parse`.
    path: String,
}

/// What the scan of one source file found.
#[derive(Debug, Default)]
struct Scan {
    refs: Vec<CrateRef>,
    /// File-system or network I/O: (line, the patterns of [`IO_PATTERNS`] found on it).
    io: Vec<(usize, Vec<&'static str>)>,
}

/// A path segment and its line.
type Seg = (String, usize);

/// Scans one file. `depth` is how many modules deep the file is: 1 for `src/facts.rs` and
/// `src/facts/mod.rs`, 2 for `src/facts/build.rs`; it decides where `super::` chains lead.
fn scan_source(source: &str, depth: usize) -> Scan {
    let code = strip_comments_and_strings(source);
    let toks = tokenize(&code);
    let mut refs = Vec::new();
    let mut use_paths: Vec<Vec<Seg>> = Vec::new();
    let mut braces = 0usize;
    // The brace depth just inside each inline `mod name { ... }` we are in.
    let mut inline_mods: Vec<usize> = Vec::new();
    let text = |i: usize| toks.get(i).map_or("", |t| t.text.as_str());
    let mut i = 0;
    while i < toks.len() {
        let here = depth + inline_mods.len();
        match text(i) {
            "use" => {
                i += 1;
                let mut leaves = Vec::new();
                parse_use_tree(&toks, &mut i, Vec::new(), &mut leaves);
                refs.extend(leaves.iter().filter_map(|leaf| resolve(leaf, here, true)));
                use_paths.extend(leaves);
                continue;
            }
            "mod" if toks.get(i + 1).is_some_and(|t| t.ident) && text(i + 2) == "{" => {
                braces += 1;
                inline_mods.push(braces);
                i += 3;
                continue;
            }
            "{" => braces += 1,
            "}" => {
                if inline_mods.last() == Some(&braces) {
                    inline_mods.pop();
                }
                braces = braces.saturating_sub(1);
            }
            "crate" | "super" | "self" if i == 0 || text(i - 1) != "::" => {
                let mut path = vec![(toks[i].text.clone(), toks[i].line)];
                let mut j = i + 1;
                while text(j) == "::" && toks.get(j + 1).is_some_and(|t| t.ident) {
                    path.push((toks[j + 1].text.clone(), toks[j + 1].line));
                    j += 2;
                }
                refs.extend(resolve(&path, here, false));
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    let io = io_hits(&code, &use_paths);
    Scan { refs, io }
}

/// Turns a path into a crate reference if it leads out of the crate root: `crate::x...`, or
/// `super::...` climbing exactly `depth` levels. `in_use` is set for the leaves of `use`
/// trees, where a bare root (`use crate as root;`) is an alias of the crate root.
fn resolve(path: &[Seg], depth: usize, in_use: bool) -> Option<CrateRef> {
    let mut written = path.iter().map(|s| s.0.as_str()).collect::<Vec<_>>().join("::");
    if written.ends_with("::self") {
        written.truncate(written.len() - "::self".len()); // `use crate::conf::{self}` imports `crate::conf`
    }
    let segs = if path.first()?.0 == "self" { &path[1..] } else { path };
    let root_len = match segs.first()?.0.as_str() {
        "crate" => 1,
        "super" => {
            let climbs = segs.iter().take_while(|s| s.0 == "super").count();
            if climbs != depth {
                return None; // stays inside the top-level module (or does not compile)
            }
            climbs
        }
        _ => return None,
    };
    let (target, line) = match segs.get(root_len) {
        Some((name, line)) if name != "*" && name != "self" => (name.clone(), *line),
        Some((_, line)) => ("*".to_string(), *line),
        None if in_use => ("*".to_string(), segs[root_len - 1].1),
        None => return None,
    };
    Some(CrateRef {
        target,
        line,
        path: written,
    })
}

/// Parses one use tree starting at `toks[*i]`, pushing each leaf written out in full.
fn parse_use_tree(toks: &[Tok], i: &mut usize, mut path: Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    while let Some(tok) = toks.get(*i) {
        match tok.text.as_str() {
            // `$crate` inside `macro_rules!`.
            "$" => *i += 1,
            "::" => {
                if path.is_empty() {
                    path.push(("::".to_string(), tok.line)); // `::name`: an external crate
                }
                *i += 1;
            }
            "*" => {
                *i += 1;
                path.push(("*".to_string(), tok.line));
                out.push(path);
                return;
            }
            "{" => {
                *i += 1;
                while let Some(t) = toks.get(*i) {
                    match t.text.as_str() {
                        "}" => {
                            *i += 1;
                            return;
                        }
                        "," => *i += 1,
                        _ => {
                            let before = *i;
                            parse_use_tree(toks, i, path.clone(), out);
                            if *i == before {
                                *i += 1; // malformed; do not loop forever
                            }
                        }
                    }
                }
                return;
            }
            _ if tok.ident => {
                path.push((tok.text.clone(), tok.line));
                *i += 1;
                match toks.get(*i).map(|t| t.text.as_str()) {
                    Some("::") => *i += 1,
                    Some("as") => {
                        *i += 2;
                        out.push(path);
                        return;
                    }
                    _ => {
                        out.push(path);
                        return;
                    }
                }
            }
            _ => return,
        }
    }
}

/// Lines doing file-system or network I/O, with the patterns found on each.
fn io_hits(code: &str, use_paths: &[Vec<Seg>]) -> Vec<(usize, Vec<&'static str>)> {
    let squeeze = |line: &str| line.split("::").map(str::trim).collect::<Vec<_>>().join("::");
    let mut texts: Vec<(usize, String)> = code.lines().enumerate().map(|(n, l)| (n + 1, squeeze(l))).collect();
    for path in use_paths {
        if let Some((_, line)) = path.last() {
            texts.push((*line, path.iter().map(|s| s.0.as_str()).collect::<Vec<_>>().join("::")));
        }
    }
    let mut hits: BTreeMap<usize, BTreeSet<&'static str>> = BTreeMap::new();
    for (line, text) in &texts {
        for pattern in IO_PATTERNS {
            // The pattern must start a word: `fs::read` matches `std::fs::read`, not `refs::read`.
            let starts_word = |at: usize| !text[..at].chars().next_back().is_some_and(is_ident_char);
            if text.match_indices(pattern).any(|(at, _)| starts_word(at)) {
                hits.entry(*line).or_default().insert(pattern);
            }
        }
    }
    hits.into_iter()
        .map(|(line, patterns)| (line, patterns.into_iter().collect()))
        .collect()
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Blanks out comments (line, block and doc comments), string literals (plain, byte, C and
/// raw) and character literals, keeping every newline so line numbers stay right.
fn strip_comments_and_strings(source: &str) -> String {
    let c: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, from: &[char]| {
        out.extend(from.iter().map(|&ch| if ch == '\n' { '\n' } else { ' ' }));
    };
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        let end = if c[i] == '/' && next == Some('/') {
            c[i..].iter().position(|&ch| ch == '\n').map_or(c.len(), |n| i + n)
        } else if c[i] == '/' && next == Some('*') {
            block_comment_end(&c, i)
        } else if c[i] == '"' {
            string_end(&c, i)
        } else if c[i] == '\'' {
            char_literal_end(&c, i).unwrap_or(i)
        } else {
            raw_string_end(&c, i).unwrap_or(i)
        };
        if end > i {
            blank(&mut out, &c[i..end]);
            i = end;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// `c[start..]` opens a (possibly nested) block comment; returns the index just past it.
fn block_comment_end(c: &[char], start: usize) -> usize {
    let (mut i, mut depth) = (start + 2, 1);
    while i < c.len() {
        if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    c.len()
}

/// `c[start]` is the `"` opening a string with escapes; returns the index just past it.
fn string_end(c: &[char], start: usize) -> usize {
    let mut i = start + 1;
    while i < c.len() {
        match c[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    c.len()
}

/// `c[start]` is a `'`: returns the index just past the character literal it opens, or
/// `None` for a lifetime or loop label (`'a`, `'static`).
fn char_literal_end(c: &[char], start: usize) -> Option<usize> {
    if c.get(start + 1) == Some(&'\\') {
        // '\n', '\'', '\\', '\x41', '\u{1F600}': skip the escaped character, then find the quote.
        let mut i = start + 3;
        while i < c.len() && c[i] != '\'' {
            if c[i] == '\n' {
                return None;
            }
            i += 1;
        }
        return (i < c.len()).then_some(i + 1);
    }
    (c.get(start + 2) == Some(&'\'') && c.get(start + 1) != Some(&'\'')).then_some(start + 3)
}

/// If a raw string (`r"..."`, `r#"..."#`, `br"..."`, `cr"..."`) starts at `c[start]`, returns
/// the index just past it. `r#ident` (a raw identifier) is not a string.
fn raw_string_end(c: &[char], start: usize) -> Option<usize> {
    if start > 0 && is_ident_char(c[start - 1]) {
        return None;
    }
    let mut i = match (c[start], c.get(start + 1)) {
        ('b' | 'c', Some('r')) => start + 2,
        ('r', _) => start + 1,
        _ => return None,
    };
    let hashes = c[i..].iter().take_while(|&&ch| ch == '#').count();
    i += hashes;
    if c.get(i) != Some(&'"') {
        return None;
    }
    i += 1;
    while i < c.len() {
        if c[i] == '"' && c[i + 1..].iter().take(hashes).filter(|&&ch| ch == '#').count() == hashes {
            return Some(i + 1 + hashes);
        }
        i += 1;
    }
    Some(c.len())
}

#[derive(Debug)]
struct Tok {
    text: String,
    line: usize,
    /// An identifier or keyword (`crate`, `super`, `use` are identifiers here).
    ident: bool,
}

/// Splits stripped code into identifiers, `::` and single punctuation characters.
fn tokenize(code: &str) -> Vec<Tok> {
    let c: Vec<char> = code.chars().collect();
    let mut toks = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < c.len() {
        if c[i] == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let ident = c[i].is_alphabetic() || c[i] == '_';
        if ident || c[i].is_ascii_digit() {
            while i < c.len() && is_ident_char(c[i]) {
                i += 1;
            }
        } else if c[i] == ':' && c.get(i + 1) == Some(&':') {
            i += 2;
        } else {
            i += 1;
        }
        toks.push(Tok {
            text: c[start..i].iter().collect(),
            line,
            ident,
        });
    }
    toks
}

// ---------------------------------------------------------------------------------------
// Reading the crate.
// ---------------------------------------------------------------------------------------

/// One scanned file of the crate.
struct SourceFile {
    /// The path shown in messages, e.g. `src/facts/build.rs`.
    shown: String,
    /// The top-level module it belongs to.
    module: String,
    scan: Scan,
}

struct Crate {
    modules: BTreeSet<String>,
    files: Vec<SourceFile>,
}

/// Entries of `src/` that are not top-level modules of the library: the two crate roots,
/// and `src/bin/`, whose files are separate crates where `crate::` means something else.
const NOT_MODULES: &[&str] = &["main.rs", "lib.rs", "bin"];

fn read_crate() -> Crate {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeSet::new();
    let mut paths = Vec::new();
    for entry in fs::read_dir(&src).expect("read src/") {
        let path = entry.expect("read src/").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if NOT_MODULES.contains(&name.as_str()) {
            continue;
        }
        let before = paths.len();
        if path.is_dir() {
            rust_files(&path, &mut paths);
            if paths.len() > before {
                modules.insert(name);
            }
        } else if let Some(stem) = name.strip_suffix(".rs") {
            modules.insert(stem.to_string());
            paths.push(path);
        }
    }
    paths.sort();
    let files = paths
        .iter()
        .map(|path| {
            let rel = path.strip_prefix(&src).unwrap();
            let parts: Vec<String> = rel
                .components()
                .map(|p| p.as_os_str().to_string_lossy().into_owned())
                .collect();
            let module = parts[0].trim_end_matches(".rs").to_string();
            let depth = parts.len() - usize::from(parts.last().is_some_and(|p| p == "mod.rs"));
            let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            SourceFile {
                shown: format!("src/{}", parts.join("/")),
                module,
                scan: scan_source(&text, depth),
            }
        })
        .collect();
    Crate { modules, files }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The checks.
// ---------------------------------------------------------------------------------------

fn layering_violations(krate: &Crate) -> Vec<String> {
    // (file, line, message), sorted at the end so each file reads top to bottom.
    let mut violations: Vec<(&str, usize, String)> = Vec::new();
    for file in &krate.files {
        let module = file.module.as_str();
        let rule = RULES.iter().find(|(m, _, _)| *m == module);
        for r in file.scan.refs.iter().filter(|r| r.target != module) {
            let at = format!("{}:{}: {module} -> {}: `{}`", file.shown, r.line, r.target, r.path);
            if let Some((_, may, why)) = rule {
                if r.target == "*" {
                    let message = format!("{at} (a glob or alias of the crate root hides what is used; {why})");
                    violations.push((&file.shown, r.line, message));
                    continue;
                }
                let forbidden = match may {
                    Only(allowed) => !allowed.contains(&r.target.as_str()),
                    Not(banned) => banned.contains(&r.target.as_str()),
                };
                if forbidden {
                    violations.push((&file.shown, r.line, format!("{at} ({why})")));
                    continue;
                }
            }
            if let Some((_, why)) = NOBODY_IMPORTS.iter().find(|(m, _)| *m == r.target) {
                violations.push((&file.shown, r.line, format!("{at} ({why})")));
            }
        }
        if let Some((_, why)) = NO_IO.iter().find(|(m, _)| *m == module) {
            for (line, patterns) in &file.scan.io {
                let patterns = patterns.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
                let message = format!("{}:{line}: {module} does I/O: {patterns} ({why})", file.shown);
                violations.push((&file.shown, *line, message));
            }
        }
    }
    violations.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    violations.into_iter().map(|(_, _, message)| message).collect()
}

/// The module → module edges, each with the first reference found as evidence.
fn module_graph(krate: &Crate) -> BTreeMap<&str, BTreeMap<&str, String>> {
    let mut graph: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
    for file in &krate.files {
        for r in &file.scan.refs {
            if r.target != file.module && krate.modules.contains(&r.target) {
                let evidence = format!("{}:{} `{}`", file.shown, r.line, r.path);
                graph
                    .entry(file.module.as_str())
                    .or_default()
                    .entry(r.target.as_str())
                    .or_insert(evidence);
            }
        }
    }
    graph
}

fn reachable<'a>(graph: &BTreeMap<&'a str, BTreeMap<&'a str, String>>, from: &'a str) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from];
    while let Some(m) = todo.pop() {
        for &next in graph.get(m).into_iter().flat_map(|edges| edges.keys()) {
            if seen.insert(next) {
                todo.push(next);
            }
        }
    }
    seen
}

/// One message per group of mutually dependent modules (strongly connected component).
fn cycle_reports(krate: &Crate) -> Vec<String> {
    let graph = module_graph(krate);
    let reach: BTreeMap<&str, BTreeSet<&str>> = krate
        .modules
        .iter()
        .map(|m| (m.as_str(), reachable(&graph, m)))
        .collect();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut reports = Vec::new();
    for (&start, from_start) in &reach {
        if done.contains(start) || !from_start.contains(start) {
            continue;
        }
        let group: BTreeSet<&str> = from_start
            .iter()
            .copied()
            .filter(|m| reach[m].contains(start))
            .collect();
        done.extend(&group);
        // The shortest cycle through `start`, by breadth-first search inside the group.
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        let mut last = start;
        'search: while let Some(m) = queue.pop_front() {
            for &next in graph[m].keys().filter(|n| group.contains(*n)) {
                if next == start {
                    last = m;
                    break 'search;
                }
                if !parent.contains_key(next) {
                    parent.insert(next, m);
                    queue.push_back(next);
                }
            }
        }
        let mut cycle = vec![start, last];
        while let Some(&p) = parent.get(cycle.last().unwrap()) {
            cycle.push(p);
        }
        cycle.reverse(); // start -> ... -> last -> start
        let mut report = format!("import cycle: {}", cycle.join(" -> "));
        for pair in cycle.windows(2) {
            report += &format!("\n      {} -> {}: {}", pair[0], pair[1], graph[pair[0]][pair[1]]);
        }
        if group.len() + 1 > cycle.len() {
            let names = group.iter().copied().collect::<Vec<_>>().join(", ");
            report += &format!("\n    all of these depend on each other: {names}; every edge among them:");
            for &from in &group {
                for (to, evidence) in graph[from].iter().filter(|(to, _)| group.contains(*to)) {
                    report += &format!("\n      {from} -> {to}: {evidence}");
                }
            }
        }
        reports.push(report);
    }
    reports
}

fn fail_with(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{} {what}:\n  {}\n",
        problems.len(),
        problems.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------

#[test]
fn top_level_modules_respect_the_layering() {
    let krate = read_crate();
    let total: usize = krate.files.iter().map(|f| f.scan.refs.len()).sum();
    assert!(
        krate.files.len() > 10 && total > 20,
        "the scan of src/ found {} files and {total} crate references; the scanner is reading nothing",
        krate.files.len()
    );
    fail_with(
        "architecture violation(s) (file:line: importer -> imported: path)",
        &layering_violations(&krate),
    );
}

#[test]
fn no_import_cycles_between_top_level_modules() {
    let krate = read_crate();
    assert!(
        !module_graph(&krate).is_empty(),
        "no module -> module edge found in src/; the scanner is reading nothing"
    );
    fail_with("import cycle(s) between top-level modules", &cycle_reports(&krate));
}

#[test]
fn the_rule_tables_name_modules_of_the_layout() {
    let mut named: Vec<&str> = RULES.iter().map(|r| r.0).collect();
    for (_, may, _) in RULES {
        let (Only(list) | Not(list)) = may;
        named.extend(list.iter());
    }
    named.extend(NOBODY_IMPORTS.iter().map(|r| r.0));
    named.extend(NO_IO.iter().map(|r| r.0));
    let unknown: Vec<&str> = named.into_iter().filter(|m| !LAYOUT.contains(m)).collect();
    assert!(
        unknown.is_empty(),
        "the rule tables name modules outside LAYOUT: {unknown:?}"
    );
    let mut seen = BTreeSet::new();
    for (module, _, _) in RULES {
        assert!(seen.insert(module), "RULES has two entries for {module}");
    }
}

/// (target, line, path) of each reference the scanner finds.
fn refs_of(source: &str, depth: usize) -> Vec<(String, usize, String)> {
    scan_source(source, depth)
        .refs
        .into_iter()
        .map(|r| (r.target, r.line, r.path))
        .collect()
}

fn expect(list: &[(&str, usize, &str)]) -> Vec<(String, usize, String)> {
    list.iter()
        .map(|&(t, l, p)| (t.to_string(), l, p.to_string()))
        .collect()
}

#[test]
fn scanner_finds_exactly_the_crate_references() {
    // As if it were src/facts/build.rs (two modules deep).
    let source = r##"//! Docs mention crate::rules and `use crate::run;`.
use crate::conf::catalog::Target;
use crate::{
    conf,
    probe::LiveData,
};
/// Doc comment naming crate::settings.
pub(crate) fn parse(x: &str) -> bool {
    // use crate::cli;
    let _text = "crate::report";
    let _quote = '"'; let _brace = '{';
    let _raw = r#"crate::dates " crate::dates"#;
    /* crate::textfile /* nested */ crate::textfile */
    crate::env::parse_bool(x)
}
fn keep<'a>(s: &'a str) -> &'a str { let _ = crate :: error::Error::io; s }
use std::io::{self, Write};
use crate::facts::{self, Value};
use crate::{findings::{Finding, Severity as Sev}, rules::{self}};
"##;
    assert_eq!(
        refs_of(source, 2),
        expect(&[
            ("conf", 2, "crate::conf::catalog::Target"),
            ("conf", 4, "crate::conf"),
            ("probe", 5, "crate::probe::LiveData"),
            ("env", 14, "crate::env::parse_bool"),
            ("error", 16, "crate::error::Error::io"),
            ("facts", 18, "crate::facts"),
            ("facts", 18, "crate::facts::Value"),
            ("findings", 19, "crate::findings::Finding"),
            ("findings", 19, "crate::findings::Severity"),
            ("rules", 19, "crate::rules"),
        ])
    );
}

#[test]
fn scanner_follows_super_chains_globs_and_aliases() {
    // As if it were src/run/assemble.rs (two modules deep): `super::super` is the crate root.
    let source = "use super::helper;
use super::super::conf::Target;
use super::{super::env, sibling};
fn load() { super::super::probe::connect(); super::local(); self::super::super::rules::eval(); }
mod tests {
    use super::*;
    use super::super::report;
    use super::super::super::facts::Facts;
}
fn after() { super::super::dates::today(); }
use crate::*;
use crate as root;
macro_rules! m { () => { $crate::textfile::write() }; }
";
    assert_eq!(
        refs_of(source, 2),
        expect(&[
            ("conf", 2, "super::super::conf::Target"),
            ("env", 3, "super::super::env"),
            ("probe", 4, "super::super::probe::connect"),
            ("rules", 4, "self::super::super::rules::eval"),
            ("facts", 8, "super::super::super::facts::Facts"),
            ("dates", 10, "super::super::dates::today"),
            ("*", 11, "crate::*"),
            ("*", 12, "crate"),
            ("textfile", 13, "crate::textfile::write"),
        ])
    );
    // In src/findings.rs (one module deep) `super::` already is the crate root.
    assert_eq!(
        refs_of("use super::facts::Fact;\n", 1),
        expect(&[("facts", 1, "super::facts::Fact")])
    );
}

#[test]
fn scanner_finds_io_outside_comments_and_strings() {
    let source = "// std::fs::read(path)
use std::{
    fs,
    io::Write,
    net::{IpAddr, TcpStream},
};
fn f() { let _ = File :: open(\"std::net\"); let _ = refs::read(); }
fn g() { std::fs::write(p, b\"x\").unwrap(); }
";
    let io = scan_source(source, 1).io;
    assert_eq!(
        io,
        vec![
            (3, vec!["std::fs"]),
            (5, vec!["TcpStream", "std::net"]),
            (7, vec!["File::open"]),
            (8, vec!["fs::write", "std::fs"])
        ]
    );
}
