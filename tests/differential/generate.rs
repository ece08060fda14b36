//! Config cases generated from the directive catalog (`schemas/directives.json`), for the
//! differential test against real servers (`tests/differential_servers.rs`).
//!
//! Every case is one config file whose last line is the edge being tried. For every directive
//! (and alias) the catalog says the target line accepts, the values come from its type:
//! integers and memory values at and beyond their bounds, 2^63, 2^64, negative, fractional,
//! with every unit spelling and case and a garbage suffix; every enum value and near misses;
//! every boolean spelling; strings and paths empty, relative, absolute, with `/` and `..`;
//! each special validator's own shapes; and one argument too few and too many. The lexer's
//! quoting and escaping cases are a fixed list (they are about the line, not a directive).
//!
//! Deterministic: the full list depends only on the catalog and the target; [`sample`]
//! shuffles it with a seeded SplitMix64 and keeps the first `n`, taking every directive once
//! before any directive twice, so a small sample still touches the whole catalog.

use serde_json::Value;
use std::collections::HashMap;

/// Which part of the test a case belongs to: floors and tallies are per group.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Group {
    Catalog,
    Lexer,
    HandWritten,
}

impl Group {
    pub fn label(self) -> &'static str {
        match self {
            Group::Catalog => "catalog",
            Group::Lexer => "lexer",
            Group::HandWritten => "hand-written",
        }
    }
}

/// One config to try on both tools.
#[derive(Clone, Debug)]
pub struct GenCase {
    pub group: Group,
    /// The directive as written (an alias stays an alias); `lexer` / `hand-written` otherwise.
    pub directive: String,
    /// The kind of edge (`max+1`, `unit-upper`, `near-miss`, ...): with the directive and the
    /// server's verdict it names a disagreement class.
    pub edge: String,
    /// The whole config file; `{TMP}` stands for the case's temp dir.
    pub config: Vec<u8>,
    /// Files written beside the config (relative name, content; `{TMP}` replaced).
    pub files: Vec<(String, Vec<u8>)>,
    /// Directories created beside the config.
    pub dirs: Vec<String>,
}

impl GenCase {
    /// The edge line as it appears in the config (for reports).
    pub fn shown(&self) -> String {
        let text = String::from_utf8_lossy(&self.config);
        let last = text.trim_end_matches(['\n']).rsplit('\n').next().unwrap_or("");
        last.escape_debug().to_string()
    }
}

/// A release line: `7.0` is Redis 7.0, `valkey-8.1` Valkey 8.1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub valkey: bool,
    pub major: u32,
    pub minor: u32,
}

impl Line {
    pub fn parse(text: &str) -> Option<Line> {
        let (valkey, rest) = match text.strip_prefix("valkey-") {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix("redis-").unwrap_or(text)),
        };
        let mut parts = rest.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(Line { valkey, major, minor })
    }

    /// `redis-7.0` / `valkey-8.1`, the spelling of the catalog's `*_by_line` keys.
    fn key(&self) -> String {
        format!(
            "{}-{}.{}",
            if self.valkey { "valkey" } else { "redis" },
            self.major,
            self.minor
        )
    }

    fn within(&self, range: Option<&Value>) -> bool {
        let Some(range) = range.and_then(Value::as_array) else {
            return false;
        };
        let bound = |v: Option<&Value>| v.and_then(Value::as_str).and_then(Line::parse_bare);
        let here = (self.major, self.minor);
        let after_first = bound(range.first()).is_some_and(|first| first <= here);
        let before_last = match range.get(1) {
            Some(Value::Null) | None => true,
            last => bound(last).is_some_and(|last| here <= last),
        };
        after_first && before_last
    }

    fn parse_bare(text: &str) -> Option<(u32, u32)> {
        let (major, minor) = text.split_once('.')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    }

    /// Is a catalog entry (directive or alias) accepted by this line?
    fn accepts(&self, entry: &Value) -> bool {
        self.within(entry.get(if self.valkey { "valkey" } else { "redis" }))
    }
}

/// Every generated case for `line`, in catalog order, then the lexer cases.
pub fn all_cases(catalog: &Value, line: &Line) -> Vec<GenCase> {
    let mut cases = Vec::new();
    let directives = catalog
        .get("directives")
        .and_then(Value::as_array)
        .expect("schemas/directives.json has a `directives` array");
    for directive in directives {
        if !line.accepts(directive) {
            continue;
        }
        let name = directive["name"].as_str().expect("directive name");
        let mut names = vec![name.to_string()];
        if let Some(aliases) = directive.get("aliases").and_then(Value::as_array) {
            for alias in aliases.iter().filter(|a| line.accepts(a)) {
                names.extend(alias["name"].as_str().map(str::to_string));
            }
        }
        let edges = edges_for(directive, line);
        for written in names {
            for edge in &edges {
                cases.push(edge.case(&written));
            }
        }
    }
    cases.extend(lexer_cases());
    cases
}

/// The first `n` cases of a seeded shuffle, every directive once before any twice. `None`
/// keeps all of them (in the same order).
pub fn sample(cases: Vec<GenCase>, seed: u64, n: Option<usize>) -> Vec<GenCase> {
    let mut rng = SplitMix64(seed);
    let mut keyed: Vec<(u64, GenCase)> = cases.into_iter().map(|c| (rng.next(), c)).collect();
    keyed.sort_by_key(|(k, _)| *k);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut ranked: Vec<(usize, usize, GenCase)> = keyed
        .into_iter()
        .enumerate()
        .map(|(order, (_, case))| {
            let rank = seen.entry(case.directive.clone()).or_insert(0);
            *rank += 1;
            (*rank, order, case)
        })
        .collect();
    ranked.sort_by_key(|(rank, order, _)| (*rank, *order));
    let mut out: Vec<GenCase> = ranked.into_iter().map(|(_, _, c)| c).collect();
    if let Some(n) = n {
        out.truncate(n);
    }
    out
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, seeded, the same on every machine.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

// ---------------------------------------------------------------------------------------------
// Edges per type
// ---------------------------------------------------------------------------------------------

/// One edge of a directive: the arguments after its name, and what must exist beside it.
#[derive(Clone, Debug)]
struct Edge {
    label: String,
    /// The text after the directive name (already quoted); `None` = the name alone.
    args: Option<String>,
    files: Vec<(String, Vec<u8>)>,
    dirs: Vec<String>,
}

impl Edge {
    fn case(&self, name: &str) -> GenCase {
        let line = match &self.args {
            Some(args) => format!("{name} {args}"),
            None => name.to_string(),
        };
        GenCase {
            group: Group::Catalog,
            directive: name.to_string(),
            edge: self.label.clone(),
            config: format!("# generated from schemas/directives.json\n{line}\n").into_bytes(),
            files: self.files.clone(),
            dirs: self.dirs.clone(),
        }
    }
}

fn edge(label: &str, args: &str) -> Edge {
    Edge {
        label: label.to_string(),
        args: Some(args.to_string()),
        files: Vec::new(),
        dirs: Vec::new(),
    }
}

fn bare(label: &str) -> Edge {
    Edge {
        label: label.to_string(),
        args: None,
        files: Vec::new(),
        dirs: Vec::new(),
    }
}

fn number(v: Option<&Value>) -> Option<i128> {
    v.filter(|v| v.is_number()).and_then(|n| n.to_string().parse().ok())
}

fn edges_for(directive: &Value, line: &Line) -> Vec<Edge> {
    let kind = directive["type"].as_str().unwrap_or("");
    let args = &directive["args"];
    let min_args = args.get("min").and_then(Value::as_u64).unwrap_or(1) as usize;
    let max_args = args.get("max").and_then(Value::as_u64).map(|m| m as usize);
    let mut edges = match kind {
        "bool" => bool_edges(),
        "int" | "memory" => {
            let mut bounds = (number(directive.get("min")), number(directive.get("max")));
            if let Some(by_line) = directive
                .get("bounds_by_line")
                .and_then(|b| b.get(line.key()))
                .and_then(Value::as_array)
            {
                bounds = (number(by_line.first()), number(by_line.get(1)));
            }
            let percent = directive.get("percent").and_then(Value::as_bool).unwrap_or(false);
            number_edges(bounds.0, bounds.1, percent)
        }
        "enum" => {
            let values: Vec<String> = directive["values"]
                .as_array()
                .map(|v| v.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            let multi = directive.get("multi_flag").and_then(Value::as_bool).unwrap_or(false);
            enum_edges(&values, multi)
        }
        "string" => path_edges(PathFiles::None),
        "path" => path_edges(PathFiles::Files),
        "special" => special_edges(directive["special"].as_str().unwrap_or("")),
        _ => Vec::new(),
    };
    // Argument counts, for every type: one too few, one too many.
    if min_args >= 1 && !edges.iter().any(|e| e.label == "too-few") {
        let valid = edges.iter().find(|e| e.label == "valid").and_then(|e| e.args.clone());
        let fewer = valid
            .as_deref()
            .map(|v| v.split(' ').take(min_args - 1).collect::<Vec<_>>().join(" "));
        edges.push(match fewer.filter(|f| !f.is_empty()) {
            Some(f) => edge("too-few", &f),
            None => bare("too-few"),
        });
    }
    if let Some(max) = max_args {
        if !edges.iter().any(|e| e.label == "too-many") {
            let valid = edges
                .iter()
                .find(|e| e.label == "valid")
                .and_then(|e| e.args.clone())
                .unwrap_or_else(|| "1".to_string());
            let extra: Vec<&str> = valid
                .split(' ')
                .chain(std::iter::repeat("extra"))
                .take(max + 1)
                .collect();
            let mut too_many = edge("too-many", &extra.join(" "));
            if let Some(e) = edges.iter().find(|e| e.label == "valid") {
                too_many.files = e.files.clone();
                too_many.dirs = e.dirs.clone();
            }
            edges.push(too_many);
        }
    }
    edges
}

fn bool_edges() -> Vec<Edge> {
    let mut edges = vec![edge("valid", "yes"), edge("valid", "no")];
    for (label, v) in [
        ("upper-case", "YES"),
        ("upper-case", "NO"),
        ("mixed-case", "Yes"),
        ("mixed-case", "nO"),
        ("other-spelling", "true"),
        ("other-spelling", "false"),
        ("other-spelling", "1"),
        ("other-spelling", "0"),
        ("other-spelling", "on"),
        ("other-spelling", "off"),
        ("other-spelling", "y"),
        ("other-spelling", "n"),
        ("quoted", "\"yes\""),
        ("empty", "\"\""),
        ("garbage-suffix", "yesx"),
    ] {
        edges.push(edge(label, v));
    }
    edges
}

const TWO_POW_63: &str = "9223372036854775808";
const TWO_POW_64: &str = "18446744073709551616";

fn number_edges(min: Option<i128>, max: Option<i128>, percent: bool) -> Vec<Edge> {
    let mut edges = Vec::new();
    // A value inside the range, for `valid` and as the base of the unit spellings.
    let inside = match (min, max) {
        (Some(lo), Some(hi)) if lo <= 1 && 1 <= hi => 1,
        (Some(lo), _) => lo.max(1),
        (None, _) => 1,
    };
    edges.push(edge("valid", &inside.to_string()));
    if let Some(lo) = min {
        edges.push(edge("min", &lo.to_string()));
        edges.push(edge("min-1", &(lo - 1).to_string()));
    }
    if let Some(hi) = max {
        edges.push(edge("max", &hi.to_string()));
        edges.push(edge("max+1", &(hi + 1).to_string()));
    }
    edges.push(edge("2^63", TWO_POW_63));
    edges.push(edge("2^64", TWO_POW_64));
    edges.push(edge("-2^63", "-9223372036854775808"));
    edges.push(edge("negative", "-1"));
    edges.push(edge("negative-zero", "-0"));
    edges.push(edge("fractional", "1.5"));
    edges.push(edge("fractional", "0.5"));
    edges.push(edge("exponent", "1e3"));
    edges.push(edge("hex", "0x10"));
    edges.push(edge("plus-sign", "+1"));
    edges.push(edge("leading-zero", "010"));
    edges.push(edge("garbage-suffix", "1x"));
    edges.push(edge("garbage-suffix", "1tb"));
    edges.push(edge("not-a-number", "abc"));
    edges.push(edge("empty", "\"\""));
    edges.push(edge("padded", "\" 1\""));
    for unit in ["b", "k", "kb", "m", "mb", "g", "gb"] {
        edges.push(edge("unit-lower", &format!("{inside}{unit}")));
        edges.push(edge("unit-upper", &format!("{inside}{}", unit.to_ascii_uppercase())));
        if unit.len() == 2 {
            let mut chars = unit.chars();
            let (a, b) = (chars.next().unwrap_or('k'), chars.next().unwrap_or('b'));
            edges.push(edge("unit-mixed", &format!("{inside}{}{b}", a.to_ascii_uppercase())));
            edges.push(edge("unit-mixed", &format!("{inside}{a}{}", b.to_ascii_uppercase())));
        }
    }
    edges.push(edge("unit-fractional", "1.5k"));
    edges.push(edge("unit-negative", "-1k"));
    edges.push(edge("unit-overflow", "9223372036854775807k"));
    edges.push(edge("unit-space", "\"1 k\""));
    if percent {
        for (label, v) in [
            ("percent", "0%"),
            ("percent", "50%"),
            ("percent", "100%"),
            ("percent-over", "101%"),
            ("percent-negative", "-1%"),
            ("percent-fractional", "5.5%"),
            ("percent-alone", "%"),
        ] {
            edges.push(edge(label, v));
        }
    }
    edges
}

fn enum_edges(values: &[String], multi: bool) -> Vec<Edge> {
    let mut edges = Vec::new();
    for v in values {
        let quoted = if v.is_empty() { "\"\"".to_string() } else { v.clone() };
        edges.push(edge(if edges.is_empty() { "valid" } else { "value" }, &quoted));
        if !v.is_empty() {
            edges.push(edge("upper-case", &v.to_ascii_uppercase()));
            edges.push(edge("near-miss", &format!("{v}x")));
            if v.len() > 1 {
                edges.push(edge("near-miss", &v[..v.len() - 1]));
            }
        }
    }
    edges.push(edge("empty", "\"\""));
    edges.push(edge("not-a-value", "bogus"));
    if multi {
        for (i, a) in values.iter().enumerate() {
            for b in &values[i + 1..] {
                edges.push(edge("flags-pair", &format!("{a} {b}")));
            }
        }
        if let Some(first) = values.first() {
            edges.push(edge("flags-repeated", &format!("{first} {first}")));
            edges.push(edge("flags-one-quoted", &format!("\"{}\"", values.join(" "))));
        }
    } else if let Some(first) = values.first() {
        edges.push(edge("too-many", &format!("{first} {first}")));
    }
    edges
}

/// What a string or path value's names are beside the config.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PathFiles {
    /// Nothing: a string is a name, not a file (an existing `dbfilename` would be loaded).
    None,
    /// Empty files (a path to a file: `aclfile` must exist).
    Files,
    /// Directories (`dir`).
    Dirs,
}

/// Strings and paths: empty, relative, absolute, with `/`, `.` and `..`, with a blank. For
/// paths the names exist beside the config, so a verdict is about the value, not this machine.
fn path_edges(made: PathFiles) -> Vec<Edge> {
    let with = |label: &str, args: &str| {
        let mut e = edge(label, args);
        let names: Vec<String> = ["pf-rel", "pf-abs", "pf-sub/pf-in", "pf rel"]
            .iter()
            .map(|n| n.to_string())
            .collect();
        match made {
            PathFiles::None => {}
            PathFiles::Dirs => e.dirs = names,
            PathFiles::Files => {
                e.dirs = vec!["pf-sub".to_string()];
                e.files = names.into_iter().map(|n| (n, Vec::new())).collect();
            }
        }
        e
    };
    vec![
        with("valid", "pf-rel"),
        with("empty", "\"\""),
        with("absolute", "{TMP}/pf-abs"),
        with("with-slash", "pf-sub/pf-in"),
        with("dot-dot", "pf-sub/../pf-rel"),
        with("dot", "./pf-rel"),
        with("blank-inside", "\"pf rel\""),
        with("too-many", "pf-rel pf-abs"),
    ]
}

fn special_edges(special: &str) -> Vec<Edge> {
    let list = |pairs: &[(&str, &str)]| pairs.iter().map(|(l, a)| edge(l, a)).collect::<Vec<_>>();
    match special {
        "save" => list(&[
            ("valid", "3600 1"),
            ("disable", "\"\""),
            ("two-pairs", "3600 1 300 100"),
            ("odd", "3600"),
            ("odd", "3600 1 300"),
            ("negative", "-1 1"),
            ("negative", "3600 -1"),
            ("not-a-number", "abc 1"),
            ("zero", "0 0"),
            ("2^63", "9223372036854775808 1"),
        ]),
        "bind" => {
            let sixteen: Vec<String> = (1..=16).map(|i| format!("127.0.0.{i}")).collect();
            let seventeen: Vec<String> = (1..=17).map(|i| format!("127.0.0.{i}")).collect();
            list(&[
                ("valid", "127.0.0.1"),
                ("optional-address", "127.0.0.1 -::1"),
                ("wildcard", "*"),
                ("wildcard", "* -::*"),
                ("16-addresses", &sixteen.join(" ")),
                ("17-addresses", &seventeen.join(" ")),
                ("not-an-address", "999.0.0.1"),
                ("empty", "\"\""),
            ])
        }
        "client-output-buffer-limit" => list(&[
            ("valid", "normal 0 0 0"),
            ("class", "replica 256mb 64mb 60"),
            ("class", "slave 256mb 64mb 60"),
            ("class", "pubsub 32mb 8mb 60"),
            ("class", "master 0 0 0"),
            ("class-upper-case", "PUBSUB 32mb 8mb 60"),
            ("bad-class", "bogus 0 0 0"),
            ("two-classes", "normal 0 0 0 pubsub 32mb 8mb 60"),
            ("five-args", "normal 0 0 0 0"),
            ("negative", "normal -1 0 0"),
            ("negative", "normal 0 0 -1"),
            ("garbage-suffix", "normal 1x 0 0"),
            ("fractional", "normal 1.5mb 0 0"),
        ]),
        "dir" => path_edges(PathFiles::Dirs),
        "include" => {
            let mut edges = Vec::new();
            for (label, args) in [
                ("valid", "pf-inc.conf"),
                ("absolute", "{TMP}/pf-inc.conf"),
                ("missing", "pf-missing.conf"),
                ("empty", "\"\""),
                ("glob", "pf-*.conf"),
                ("glob-no-match", "pf-none-*.conf"),
                ("with-error-inside", "pf-bad.conf"),
                ("too-many", "pf-inc.conf pf-inc.conf"),
            ] {
                let mut e = edge(label, args);
                e.files = vec![
                    ("pf-inc.conf".to_string(), b"maxmemory 1mb\n".to_vec()),
                    ("pf-bad.conf".to_string(), b"maxmemory 1mb\nport 70000\n".to_vec()),
                ];
                if label == "glob" {
                    e.files.truncate(1);
                }
                edges.push(e);
            }
            edges
        }
        "latency-tracking-info-percentiles" => list(&[
            ("valid", "50 99 99.9"),
            ("bounds", "0 100"),
            ("over", "101"),
            ("negative", "-1"),
            ("not-a-number", "abc"),
            ("empty", "\"\""),
        ]),
        "notify-keyspace-events" => {
            let mut edges = list(&[("valid", "KEA"), ("empty", "\"\""), ("unknown-flag", "Q")]);
            for c in "KEg$lshzxetmdnA".chars() {
                edges.push(edge("flag", &c.to_string()));
            }
            edges.push(edge("flag-lower-case", "k"));
            edges
        }
        "oom-score-adj-values" => list(&[
            ("valid", "0 200 800"),
            ("over", "0 200 3000"),
            ("under", "-2000 0 0"),
            ("bounds", "-1000 0 1000"),
            ("not-a-number", "a b c"),
        ]),
        "rename-command" => list(&[
            ("valid", "CONFIG renamed-config"),
            ("to-empty", "CONFIG \"\""),
            ("lower-case", "config renamed-config"),
            ("unknown-command", "NOSUCHCMD foo"),
            ("to-existing-name", "SET GET"),
        ]),
        "replicaof" => list(&[
            ("valid", "10.0.0.1 6379"),
            ("no-one", "no one"),
            ("no-one-upper-case", "NO ONE"),
            ("hostname", "replica.invalid 6379"),
            ("port-not-a-number", "10.0.0.1 abc"),
            ("port-over", "10.0.0.1 70000"),
            ("port-negative", "10.0.0.1 -1"),
            ("port-zero", "10.0.0.1 0"),
        ]),
        "unixsocketperm" => list(&[
            ("valid", "700"),
            ("leading-zero", "0777"),
            ("not-octal", "999"),
            ("not-octal", "8"),
            ("over", "1000"),
            ("negative", "-1"),
            ("not-a-number", "abc"),
            ("empty", "\"\""),
        ]),
        "user" => list(&[
            ("valid", "alice on >alice-password ~* &* +@all"),
            ("unknown-command", "bob on >bob-password ~* +nosuchcmd"),
            ("unknown-rule", "carol bogusrule"),
            ("default-off", "default off"),
            ("name-only", "dave"),
            ("nopass-allcommands", "erin on nopass allcommands allkeys"),
            ("hash-bad", "frank on #abc"),
            (
                "hash-ok",
                "grace on #ef92b778bafe771e89245b89ecbc08a44a4e166c06659911881f383d4473e94f",
            ),
        ]),
        // Needs a module binary, and only Sentinel mode accepts `sentinel`: the hand-written
        // cases of tests/differential.rs cover both.
        "loadmodule" | "sentinel" => Vec::new(),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// The lexer
// ---------------------------------------------------------------------------------------------

/// Quoting, escaping and line-shape cases of the config lexer (`sdssplitargs` and the loop of
/// `loadServerConfigFromString`), on directives every line accepts.
fn lexer_cases() -> Vec<GenCase> {
    let lines: [(&str, &[u8]); 34] = [
        ("unterminated-double-quote", b"requirepass \"abc"),
        ("unterminated-single-quote", b"requirepass 'abc"),
        ("after-closing-double-quote", b"requirepass \"abc\"x"),
        ("after-closing-single-quote", b"requirepass 'abc'x"),
        ("adjacent-quoted", b"requirepass \"a\"\"b\""),
        (
            "double-quote-escapes",
            b"requirepass \"a\\x41\\n\\t\\r\\b\\a\\\\\\\"b\"",
        ),
        ("bad-hex-escape", b"requirepass \"a\\xZZb\""),
        ("one-digit-hex-escape", b"requirepass \"a\\x4b\""),
        ("unknown-escape", b"requirepass \"a\\qb\""),
        ("single-quote-escaped-quote", b"requirepass 'it\\'s long enough'"),
        ("single-quote-backslash", b"requirepass 'a\\nb'"),
        ("quote-inside-word", b"requirepass ab\"cd\""),
        ("quoted-directive", b"\"port\" 6390"),
        ("single-quoted-directive", b"'port' 6390"),
        ("empty-quoted-directive", b"\"\" 6390"),
        ("upper-case-directive", b"PORT 6390"),
        ("mixed-case-directive", b"Port 6390"),
        ("tab-separated", b"port\t6390"),
        ("several-spaces", b"port     6390"),
        ("indented", b"    port 6390"),
        ("trailing-blanks", b"port 6390   \t"),
        ("trailing-comment", b"port 6390 # the port"),
        ("hash-inside-word", b"port 6390#x"),
        ("indented-comment", b"   # port 70000"),
        ("blank-line", b"   \t "),
        ("crlf", b"port 6390\r"),
        ("lone-cr-inside", b"port 63\r90"),
        ("nul-byte", b"port 63\x0090"),
        ("non-utf8", b"requirepass \"\xff\xfe\""),
        ("quoted-value", b"maxmemory-policy \"allkeys-lru\""),
        ("single-quoted-value", b"maxmemory-policy 'allkeys-lru'"),
        ("backslash-at-end", b"requirepass abc\\"),
        ("tab-inside-quotes", b"requirepass \"a\tb\""),
        ("two-quoted-args", b"requirepass \"a\" \"b\""),
    ];
    let mut cases: Vec<GenCase> = lines
        .iter()
        .map(|(label, line)| {
            let mut config = b"# lexer case\n".to_vec();
            config.extend_from_slice(line);
            config.push(b'\n');
            GenCase {
                group: Group::Lexer,
                directive: "lexer".to_string(),
                edge: label.to_string(),
                config,
                files: Vec::new(),
                dirs: Vec::new(),
            }
        })
        .collect();
    for (label, config) in [
        ("bom", b"\xef\xbb\xbfport 6390\n".to_vec()),
        ("no-final-newline", b"port 6390".to_vec()),
        ("crlf-file", b"# lexer case\r\nport 6390\r\nmaxmemory 1mb\r\n".to_vec()),
    ] {
        cases.push(GenCase {
            group: Group::Lexer,
            directive: "lexer".to_string(),
            edge: label.to_string(),
            config,
            files: Vec::new(),
            dirs: Vec::new(),
        });
    }
    cases
}
