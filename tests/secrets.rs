//! The promise: no password, from any source, appears in any output, log,
//! error or file written.
//!
//! Every case below plants a distinctive secret in one place (a config
//! directive, an include, an aclfile, a Sentinel config, a `.env` line, the
//! process environment, the command line, a password file, a server's
//! replies) and runs the real binary in every output format: each format on
//! standard output, every format at once through `--output FORMAT=FILE`, a
//! plain `--output FILE`, `--write-baseline` and `--baseline`, `--statistics`,
//! `--quiet`, the `checklist` subcommand. Standard output, standard error and
//! every file that appeared or changed anywhere under the case's directory
//! (which is also the run's HOME and TMPDIR) are searched for the secret:
//! as written, percent-encoded (upper- and lower-case hex, reserved characters
//! only or every byte), JSON-, HTML-, XML- and backslash-escaped, and in the
//! text after undoing backslash (JSON, Markdown), HTML and percent escapes, so
//! a mix such as `Zq9%2Dpreflight-…` is caught too. Any 12 characters in a row
//! of the main secret (7 of the second) count as well: a mask that stops
//! short, or an error that quotes the first 40 characters of a line, leaks.
//! The SHA-256 of the main secret (what an ACL `#` rule holds) is a secret too.
//!
//! A run that fails on its arguments, panics, or does not write the files it
//! was asked to is reported as a HARNESS problem, so no case passes vacuously;
//! `harness_detects_a_secret_the_tool_prints` shows the whole pipeline finds a
//! secret the tool does print (a file name). `SECRETS_KEEP=1` keeps each
//! case's directory for a look.
//!
//! Each test collects every leak of every case and fails once at the end with
//! the whole list (case, run, stream or file, which spelling, a short excerpt
//! with the secret replaced by `<SECRET>`), so one run shows all of them.
//!
//! Servers are started by the test on 127.0.0.1 only: fake ones from
//! `support/probe.rs` and a small scripted RESP responder below.

#[path = "support/probe.rs"]
mod probe;

use probe::{Behaviour, FakeServer, PASSWORD};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// The secrets and the oracle
// ---------------------------------------------------------------------------

/// The main secret: `Zq9-preflight-Sekret-4711`.
const S1: &str = PASSWORD;
/// A second one with characters every format has to escape (`&`, `<`, `"`, `%`, `/`).
const S2: &str = "p&<\"x%/Sek9";
/// `printf %s Zq9-preflight-Sekret-4711 | sha256sum`: what an ACL `#` line holds.
const S1_SHA256: &str = "0008d1e35d88014a1dfdc4d034f81a7e66c9cc8750d0ae8256d066fdc63c956d";

/// The needles, each with a label that never contains the secret itself.
fn needles() -> [(&'static str, String); 4] {
    [
        ("secret 1", S1.to_string()),
        ("secret 2", S2.to_string()),
        ("sha256 of secret 1", S1_SHA256.to_string()),
        ("SHA256 of secret 1 (upper hex)", S1_SHA256.to_ascii_uppercase()),
    ]
}

/// Pieces long enough to identify a secret (a mask that stops short, a message
/// that truncates the value): every run of 12 characters of secret 1, of 7 of
/// secret 2. Each holds one of [`ANCHORS`], which is searched first.
fn partials() -> &'static Vec<(&'static str, String)> {
    static PARTIALS: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    PARTIALS.get_or_init(|| {
        let mut out = Vec::new();
        for (label, secret, width) in [("part of secret 1", S1, 12), ("part of secret 2", S2, 7)] {
            let chars: Vec<char> = secret.chars().collect();
            for window in chars.windows(width) {
                out.push((label, window.iter().collect::<String>()));
            }
        }
        out
    })
}

/// Every spelling of a secret, and every piece of one, contains one of these
/// (checked by a test): the texts are searched for them first, and for the
/// rest only when one is there. `str::contains` is slow in a debug build.
const ANCHORS: [&str; 10] = [
    "Sek",
    "%53%65%6B",
    "%53%65%6b",
    "0008d1e3",
    "0008D1E3",
    "%30%30%30%38",
    "9-p",
    "t-S",
    "-Se",
    "x%",
];

fn anchored(text: &str) -> bool {
    ANCHORS.iter().any(|a| text.contains(a))
}

fn percent_encode(text: &str, every_byte: bool, upper: bool) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        let unreserved = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~');
        if unreserved && !every_byte {
            out.push(byte as char);
        } else if upper {
            let _ = write!(out, "%{byte:02X}");
        } else {
            let _ = write!(out, "%{byte:02x}");
        }
    }
    out
}

fn escape_chars(text: &str, table: &[(char, &str)]) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match table.iter().find(|(from, _)| *from == c) {
            Some((_, to)) => out.push_str(to),
            None => out.push(c),
        }
    }
    out
}

/// Every spelling of every needle that a format could produce.
fn encoded_forms() -> &'static Vec<(String, String)> {
    static FORMS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FORMS.get_or_init(|| {
        let mut forms: Vec<(String, String)> = Vec::new();
        let mut seen = HashSet::new();
        for (label, needle) in needles() {
            let json = serde_json::to_string(&needle).unwrap();
            let debug = format!("{needle:?}");
            let spellings: Vec<(&str, String)> = vec![
                ("as written", needle.clone()),
                ("percent-encoded, upper hex", percent_encode(&needle, false, true)),
                ("percent-encoded, lower hex", percent_encode(&needle, false, false)),
                (
                    "percent-encoded every byte, upper hex",
                    percent_encode(&needle, true, true),
                ),
                (
                    "percent-encoded every byte, lower hex",
                    percent_encode(&needle, true, false),
                ),
                ("JSON-escaped", json[1..json.len() - 1].to_string()),
                (
                    "JSON \\u-escaped",
                    escape_chars(
                        &needle,
                        &[
                            ('\\', "\\\\"),
                            ('"', "\\u0022"),
                            ('&', "\\u0026"),
                            ('<', "\\u003c"),
                            ('>', "\\u003e"),
                            ('\'', "\\u0027"),
                        ],
                    ),
                ),
                ("backslash-escaped", debug[1..debug.len() - 1].to_string()),
                (
                    "HTML-escaped",
                    escape_chars(
                        &needle,
                        &[
                            ('&', "&amp;"),
                            ('<', "&lt;"),
                            ('>', "&gt;"),
                            ('"', "&quot;"),
                            ('\'', "&#39;"),
                        ],
                    ),
                ),
                (
                    "HTML-escaped (decimal)",
                    escape_chars(
                        &needle,
                        &[
                            ('&', "&#38;"),
                            ('<', "&#60;"),
                            ('>', "&#62;"),
                            ('"', "&#34;"),
                            ('\'', "&#39;"),
                        ],
                    ),
                ),
                (
                    "HTML-escaped (hex)",
                    escape_chars(
                        &needle,
                        &[
                            ('&', "&#x26;"),
                            ('<', "&#x3c;"),
                            ('>', "&#x3e;"),
                            ('"', "&#x22;"),
                            ('\'', "&#x27;"),
                        ],
                    ),
                ),
                (
                    "XML-escaped",
                    escape_chars(
                        &needle,
                        &[
                            ('&', "&amp;"),
                            ('<', "&lt;"),
                            ('>', "&gt;"),
                            ('"', "&quot;"),
                            ('\'', "&apos;"),
                        ],
                    ),
                ),
            ];
            for (form, text) in spellings {
                if seen.insert(text.clone()) {
                    forms.push((format!("{label}, {form}"), text));
                }
            }
        }
        forms
    })
}

// The decoders jump from one trigger character to the next with `str::find`
// (optimised even in a debug build): reports are up to a few hundred KB.

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\x1b') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(csi) = rest.strip_prefix('[') {
            // Parameters, then one final byte in @..~
            let end = csi
                .find(|c: char| ('@'..='~').contains(&c))
                .map(|e| e + 1)
                .unwrap_or(csi.len());
            rest = &csi[end..];
        } else if let Some(osc) = rest.strip_prefix(']') {
            // Hyperlinks: until BEL or ESC \
            let bel = osc.find('\x07').map(|e| e + 1);
            let st = osc.find("\x1b\\").map(|e| e + 2);
            let end = bel.into_iter().chain(st).min().unwrap_or(osc.len());
            rest = &osc[end..];
        }
    }
    out.push_str(rest);
    out
}

fn percent_decode(text: &str) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        let hex = rest.get(at + 1..at + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(byte) if rest.as_bytes()[at + 1].is_ascii_hexdigit() => {
                out.push(byte);
                rest = &rest[at + 3..];
            }
            _ => {
                out.push(b'%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.extend_from_slice(rest.as_bytes());
    String::from_utf8_lossy(&out).into_owned()
}

fn html_decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.get(..rest.len().min(12)).and_then(|head| head.find(';'));
        let decoded = end.and_then(|end| {
            let entity = &rest[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    if let Some(hex) = entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                    } else if let Some(dec) = entity.strip_prefix('#') {
                        dec.parse::<u32>().ok().and_then(char::from_u32)
                    } else {
                        None
                    }
                }
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// JSON / backslash escapes (`\"`, `\\`, `\/`, `\n`, `\u0026`, `\x41`).
fn backslash_decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let Some(next) = rest.chars().next() else {
            out.push('\\');
            break;
        };
        let width = match next {
            'u' => 4,
            'x' => 2,
            _ => 0,
        };
        if width > 0 {
            let code = rest
                .get(1..1 + width)
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32);
            match code {
                Some(c) => {
                    out.push(c);
                    rest = &rest[1 + width..];
                }
                None => {
                    out.push('\\');
                }
            }
            continue;
        }
        match next {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' | 'f' => {}
            other => out.push(other),
        }
        rest = &rest[next.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// A secret found in some text: which spelling, in which view, and where.
#[derive(Debug, Clone)]
struct Hit {
    what: String,
    view: &'static str,
    excerpt: String,
}

/// The views of a text the plain secrets are searched in: without colours,
/// and after undoing every escape a format may apply: backslash (JSON, Rust,
/// Markdown), then HTML entities, then percent-encoding. Undoing an escape
/// that is not there leaves a plain secret as it is.
fn decoded_views(text: &str) -> Vec<(&'static str, String)> {
    let base = if text.contains('\x1b') {
        strip_ansi(text)
    } else {
        text.to_string()
    };
    let mut views = Vec::new();
    if base.contains(['%', '&', '\\']) {
        views.push((
            "after JSON/backslash-, HTML- and percent-decoding",
            percent_decode(&html_decode(&backslash_decode(&base))),
        ));
    }
    views.insert(0, ("as written, without ANSI escapes", base));
    views
}

/// The oracle: does this text hold any spelling of any secret, or a piece of one?
fn find_secret(text: &str) -> Option<Hit> {
    search(text).map(|(what, view, seen)| Hit {
        what,
        view,
        excerpt: excerpt(&seen),
    })
}

/// What was found, in which view, and that view's text.
fn search(text: &str) -> Option<(String, &'static str, String)> {
    // Every encoded spelling, in the text as written.
    if anchored(text) {
        for (what, form) in encoded_forms() {
            if text.contains(form.as_str()) {
                return Some((what.clone(), "as written", text.to_string()));
            }
        }
    }
    // The plain secrets and their pieces, in every decoded view.
    for (name, seen) in decoded_views(text) {
        if !anchored(&seen) {
            continue;
        }
        for (label, needle) in needles() {
            if seen.contains(needle.as_str()) {
                return Some((label.to_string(), name, seen));
            }
        }
        for (label, part) in partials() {
            if seen.contains(part.as_str()) {
                return Some((label.to_string(), name, seen));
            }
        }
    }
    None
}

/// Replaces every spelling of every secret, and every piece of one, by `<SECRET>`.
fn redact(text: &str) -> String {
    let mut forms: Vec<String> = encoded_forms().iter().map(|(_, f)| f.clone()).collect();
    // Longest first, so a whole secret goes before its pieces; then pieces of
    // any length down to the partial width, so no tail of a secret stays.
    for (secret, min) in [(S1, 6), (S2, 4)] {
        let chars: Vec<char> = secret.chars().collect();
        for width in min..chars.len() {
            for window in chars.windows(width) {
                forms.push(window.iter().collect());
            }
        }
    }
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    let mut out = text.to_string();
    for form in &forms {
        if out.contains(form.as_str()) {
            out = out.replace(form.as_str(), "<SECRET>");
        }
    }
    out
}

/// About 70 characters each side of the first secret, redacted, on one line.
fn excerpt(seen: &str) -> String {
    let redacted = redact(seen);
    let Some(at) = redacted.find("<SECRET>") else {
        return "<excerpt withheld: the secret is only visible in a decoded view>".into();
    };
    let mut start = at.saturating_sub(70);
    while !redacted.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + "<SECRET>".len() + 70).min(redacted.len());
    while !redacted.is_char_boundary(end) {
        end += 1;
    }
    let window: String = redacted[start..end]
        .chars()
        .map(|c| match c {
            '\n' => '⏎',
            '\x1b' => '␛',
            c if c.is_control() => '·',
            c => c,
        })
        .collect();
    let window = format!("…{window}…");
    // Never let the report itself print the secret.
    if search(&window).is_some() || window.contains("Sek") {
        "<excerpt withheld: it still matches after redaction>".into()
    } else {
        window
    }
}

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------

/// Which runs a case gets.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Runs {
    /// Static input: every format on stdout, every format to files, baselines,
    /// statistics, quiet, the checklist subcommand with a plain `--output FILE`.
    Full,
    /// The probe is involved (each run may wait for timeouts): every format to
    /// files at once (human on stdout), JSON to a plain `--output FILE`, SARIF on
    /// stdout with `--write-baseline`.
    Probe,
}

struct Case {
    name: String,
    /// Files to write, relative to the working directory.
    files: Vec<(String, Vec<u8>)>,
    /// Arguments naming the inputs (and probe options); the harness adds the format options.
    args: Vec<String>,
    env: Vec<(String, String)>,
    runs: Runs,
    /// Let the working directory's redis-preflight.toml be found (no `--no-settings`).
    settings: bool,
    /// Where else the secret lives (a server's replies), for the check that every case plants one.
    held_elsewhere: String,
    /// Keeps a fake server alive for the case.
    _server: Option<Mutex<Box<dyn Send>>>,
}

impl Case {
    fn new(name: &str) -> Case {
        Case {
            name: name.to_string(),
            files: Vec::new(),
            args: Vec::new(),
            env: Vec::new(),
            runs: Runs::Full,
            settings: false,
            held_elsewhere: String::new(),
            _server: None,
        }
    }

    fn file(mut self, path: &str, content: impl Into<Vec<u8>>) -> Case {
        self.files.push((path.to_string(), content.into()));
        self
    }

    fn args<const N: usize>(mut self, args: [&str; N]) -> Case {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    fn env(mut self, name: &str, value: &str) -> Case {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    /// Probe runs, with short bounds so a server that never answers costs ~2 s.
    fn probe(mut self, mode: &str) -> Case {
        self.runs = Runs::Probe;
        self.args.extend(
            [
                mode,
                "--connect-timeout",
                "1",
                "--timeout",
                "2",
                "--latency-samples",
                "3",
            ]
            .map(String::from),
        );
        self
    }

    fn server(mut self, server: impl Send + 'static, holds: &str) -> Case {
        self._server = Some(Mutex::new(Box::new(server)));
        self.held_elsewhere = holds.to_string();
        self
    }
}

/// A redis.conf with the line between two lines that have findings of their own,
/// so that a snippet of either shows the secret's line as context.
fn conf_text(line: &str) -> String {
    format!("bind 0.0.0.0\n{line}\nprotected-mode no\nport 6379\n")
}

fn conf(name: &str, line: &str) -> Case {
    Case::new(name).file("redis.conf", conf_text(line)).args(["redis.conf"])
}

/// A .env with the line between lines that have findings of their own.
fn env_text(line: &str) -> String {
    format!("REDIS_URL=redis://10.0.0.5:6379/0\n{line}\nREDIS_TLS=false\nCACHE_TTL_DEFAULT=-5\n")
}

fn env_file(name: &str, line: &str) -> Case {
    Case::new(name).file("app.env", env_text(line)).args(["app.env"])
}

fn sentinel(name: &str, line: &str) -> Case {
    let text = format!(
        "port 26379\nsentinel monitor mymaster 127.0.0.1 6379 2\n{line}\nsentinel down-after-milliseconds mymaster 5000\n"
    );
    Case::new(name).file("sentinel.conf", text).args(["sentinel.conf"])
}

fn config_cases() -> Vec<Case> {
    vec![
        conf("conf.requirepass", &format!("requirepass {S1}")),
        conf("conf.requirepass-mixed-case-name", &format!("RequirePass {S1}")),
        conf("conf.requirepass-tab-separated", &format!("requirepass\t{S1}")),
        conf("conf.requirepass-double-quoted", &format!("requirepass \"{S1}\"")),
        conf("conf.requirepass-single-quoted", &format!("requirepass '{S1}'")),
        conf("conf.requirepass-escaped-quote", &format!("requirepass \"ab\\\"{S1}\"")),
        // "\x5a" is `Z`: redis-server reads the secret itself from this spelling.
        conf(
            "conf.requirepass-hex-escape",
            "requirepass \"\\x5aq9-preflight-Sekret-4711\"",
        ),
        conf(
            "conf.requirepass-special-chars-quoted",
            "requirepass \"p&<\\\"x%/Sek9\"",
        ),
        // A `"` inside an unquoted word opens a quote redis-server never sees closed.
        conf("conf.requirepass-special-chars-unquoted", &format!("requirepass {S2}")),
        conf("conf.requirepass-extra-argument", &format!("requirepass {S1} extra")),
        conf("conf.requirepass-unterminated-quote", &format!("requirepass \"{S1}")),
        Case::new("conf.requirepass-crlf-line-endings")
            .file(
                "redis.conf",
                format!("bind 0.0.0.0\r\nrequirepass {S1}\r\nprotected-mode no\r\n"),
            )
            .args(["redis.conf"]),
        conf(
            "conf.requirepass-duplicate",
            &format!("requirepass {S1}\nrequirepass {S2}"),
        ),
        conf("conf.requirepass-commented-out", &format!("# requirepass {S1}")),
        conf(
            "conf.requirepass-commented-out-indented",
            &format!("   #requirepass {S1}"),
        ),
        conf("conf.requirepass-misspelled", &format!("requirepas {S1}")),
        conf("conf.masterpass-unknown-directive", &format!("masterpass {S1}")),
        conf("conf.masterauth", &format!("masterauth {S1}")),
        conf("conf.primaryauth-valkey", &format!("primaryauth {S1}")).args(["--redis-version", "valkey-8.0"]),
        conf("conf.primaryauth-on-redis-7.2", &format!("primaryauth {S1}")),
        conf("conf.tls-key-file-pass", &format!("tls-key-file-pass {S1}")),
        conf(
            "conf.tls-client-key-file-pass",
            &format!("tls-client-key-file-pass {S1}"),
        ),
        conf("conf.user-add-password", &format!("user alice on >{S1} ~* +@all")),
        conf("conf.user-remove-password", &format!("user alice on <{S1} ~* +@all")),
        conf(
            "conf.user-hashed-password",
            &format!("user alice on #{S1_SHA256} ~* +@all"),
        ),
        conf(
            "conf.user-quoted-special-password",
            "user alice on \">p&<\\\"x%/Sek9\" ~* +@all",
        ),
        conf(
            "conf.user-quoted-password-with-space",
            &format!("user alice on \">ab {S1}\" ~* +@all"),
        ),
        conf(
            "conf.requirepass-quoted-with-space",
            &format!("requirepass \"ab {S1}\""),
        ),
        conf(
            "conf.user-nopass-and-password",
            &format!("user default on nopass >{S1} ~* &* +@all"),
        ),
        conf(
            "conf.user-invalid-rule",
            &format!("user alice on >{S1} ~* +@no-such-category"),
        ),
        conf(
            "conf.sentinel-line-in-redis-conf",
            &format!("sentinel auth-pass mymaster {S1}"),
        ),
        Case::new("conf.include")
            .file("redis.conf", conf_text("include other.conf"))
            .file("other.conf", conf_text(&format!("requirepass {S1}")))
            .args(["redis.conf"]),
        Case::new("conf.include-glob")
            .file("redis.conf", conf_text("include conf.d/*.conf"))
            .file("conf.d/secret.conf", conf_text(&format!("masterauth {S1}")))
            .args(["redis.conf"]),
        Case::new("conf.aclfile")
            .file("redis.conf", conf_text("aclfile users.acl"))
            .file("users.acl", format!("user bob on >{S1} ~* +@all\n"))
            .args(["redis.conf"]),
        Case::new("conf.aclfile-malformed-lines")
            .file("redis.conf", conf_text("aclfile users.acl"))
            .file(
                "users.acl",
                format!("user default on nopass ~* +@all\nuser bob on >{S1} ~* +@no-such-category\nbob >{S2}\n"),
            )
            .args(["redis.conf"]),
        Case::new("conf.aclfile-quoted-password-with-space")
            .file("redis.conf", conf_text("aclfile users.acl"))
            .file("users.acl", format!("user bob on \">ab {S1}\" ~* +@all\n"))
            .args(["redis.conf"]),
        Case::new("conf.binary-file")
            .file("redis.conf", format!("requirepass {S1}\n\0\0\0\n").into_bytes())
            .args(["redis.conf"]),
        Case::new("conf.non-utf8-file")
            .file(
                "redis.conf",
                [format!("requirepass {S1}").as_bytes(), b"\xff\xfe\n"].concat(),
            )
            .args(["redis.conf"]),
        sentinel("sentinel.auth-pass", &format!("sentinel auth-pass mymaster {S1}")),
        sentinel("sentinel.sentinel-pass", &format!("sentinel sentinel-pass {S1}")),
        sentinel(
            "sentinel.auth-pass-quoted-special-chars",
            "sentinel auth-pass mymaster \"p&<\\\"x%/Sek9\"",
        ),
        sentinel("sentinel.requirepass", &format!("requirepass {S1}")),
        sentinel(
            "sentinel.auth-pass-extra-argument",
            &format!("sentinel auth-pass mymaster {S1} extra"),
        ),
    ]
}

fn env_file_cases() -> Vec<Case> {
    vec![
        env_file("env.password", &format!("REDIS_PASSWORD={S1}")),
        env_file("env.password-double-quoted", &format!("REDIS_PASSWORD=\"{S1}\"")),
        env_file("env.password-escaped-quote", &format!("REDIS_PASSWORD=\"ab\\\"{S1}\"")),
        env_file("env.password-single-quoted", &format!("REDIS_PASSWORD='{S1}'")),
        env_file("env.password-special-chars", &format!("REDIS_PASSWORD='{S2}'")),
        env_file("env.password-export", &format!("export REDIS_PASSWORD={S1}")),
        env_file(
            "env.password-inline-comment",
            &format!("REDIS_PASSWORD={S1} # rotated in March"),
        ),
        env_file(
            "env.password-multi-line-quoted",
            &format!("REDIS_PASSWORD=\"first\n{S1}\""),
        ),
        env_file(
            "env.password-duplicate",
            &format!("REDIS_PASSWORD={S1}\nREDIS_PASSWORD={S2}"),
        ),
        env_file("env.url-password", &format!("REDIS_URL=redis://:{S1}@127.0.0.1:6379/0")),
        env_file(
            "env.url-user-password",
            &format!("REDIS_URL=redis://app:{S1}@127.0.0.1:6379/0"),
        ),
        env_file(
            "env.url-percent-encoded-password",
            "REDIS_URL=redis://:Zq9%2Dpreflight-Sekret-4711@127.0.0.1:6379/0",
        ),
        env_file(
            "env.url-special-chars-password",
            &format!(
                "REDIS_URL=rediss://app:{}@cache.example.com:6380/0",
                percent_encode(S2, false, true)
            ),
        ),
        env_file(
            "env.url-double-quoted",
            &format!(r#"REDIS_URL="redis://:{S1}@127.0.0.1:6379/0""#),
        ),
        env_file(
            "env.url-double-quoted-escaped-backslash",
            &format!(r#"REDIS_URL="redis://:{S1}\\x@127.0.0.1:6379/0""#),
        ),
        env_file(
            "env.url-double-quoted-escaped-quote",
            &format!(r#"REDIS_URL="redis://:ab\"{S1}@127.0.0.1:6379/0""#),
        ),
        env_file(
            "env.url-password-with-at-sign",
            &format!("REDIS_URL=redis://app:{S1}@x@127.0.0.1:6379/0"),
        ),
        env_file(
            "env.url-query-password",
            &format!("REDIS_URL=redis://127.0.0.1:6379/0?password={S1}"),
        ),
        env_file(
            "env.url-query-percent-encoded-key",
            &format!("REDIS_URL=redis://127.0.0.1:6379/0?pass%77ord={S1}"),
        ),
        env_file(
            "env.url-malformed-port",
            &format!("REDIS_URL=redis://:{S1}@127.0.0.1:notaport"),
        ),
        env_file("env.url-no-scheme", &format!("REDIS_URL=:{S1}@127.0.0.1:6379")),
        env_file(
            "env.url-unsupported-scheme",
            &format!("REDIS_URL=http://:{S1}@127.0.0.1:6379"),
        ),
        env_file(
            "env.url-escaped-query-key",
            // Read as `password=`; written percent-encoded, so only masking by span hides it.
            &format!(
                "REDIS_URL=\"redis://127.0.0.1:6379/0?p\\assword={}\"",
                percent_encode(S1, true, true)
            ),
        ),
        env_file("env.commented-out-password", &format!("# REDIS_PASSWORD=\"{S1}\"")),
        env_file(
            "env.commented-out-url",
            &format!("#REDIS_URL=redis://:{S1}@127.0.0.1:6379/0"),
        ),
        env_file("env.unread-cache-redis-password", &format!("CACHE_REDIS_PASSWORD={S1}")),
        env_file("env.unread-database-password", &format!("DATABASE_PASSWORD={S1}")),
        env_file("env.unread-app-secret", &format!("APP_SECRET={S1}")),
        env_file("env.unread-api-token", &format!("API_TOKEN={S1}")),
        env_file("env.unread-lowercase-name", &format!("redis_password={S1}")),
        env_file("env.unread-numbered-name", &format!("REDIS_PASSWORD2={S1}")),
        env_file("env.abbreviated-name", &format!("REDIS_PW={S1}")),
        env_file("env.valkey-password", &format!("VALKEY_PASSWORD={S1}")),
        env_file("env.sentinel-password", &format!("REDIS_SENTINEL_PASSWORD={S1}")),
        env_file("env.colon-instead-of-equals", &format!("REDIS_PASSWORD: {S1}")),
        env_file(
            "env.colon-instead-of-equals-url-with-query",
            &format!("REDIS_URL: redis://:{S1}@127.0.0.1:6379/0?protocol=3"),
        ),
        env_file("env.pasted-secret-line", &format!("{S1}==")),
        env_file(
            "env.syntax-error-on-another-line",
            &format!("REDIS_PASSWORD={S1}\nthis line is not an assignment"),
        ),
        env_file("env.unterminated-double-quote", &format!("REDIS_PASSWORD=\"{S1}")),
        env_file("env.unterminated-single-quote", &format!("REDIS_PASSWORD='{S1}")),
        Case::new("env.dotenv-via-env-file-flag")
            .file(".env", env_text(&format!("REDIS_URL=redis://:{S1}@127.0.0.1:6379/0")))
            .args(["--env-file", ".env"]),
        Case::new("env.with-config")
            .file("redis.conf", conf_text("maxmemory 0"))
            .file("app.env", env_text(&format!("REDIS_PASSWORD={S1}")))
            .args(["redis.conf", "app.env"]),
        Case::new("env.binary-file")
            .file("app.env", format!("REDIS_PASSWORD={S1}\n\0\0\n").into_bytes())
            .args(["app.env"]),
        Case::new("settings.password-shaped-key")
            .file("redis.conf", conf_text("maxmemory 0"))
            .file(
                "redis-preflight.toml",
                format!("profile = \"self-hosted\"\nredis_password = \"{S1}\"\n"),
            )
            .args(["redis.conf"]),
    ]
    .into_iter()
    .map(|case| {
        if case.name.starts_with("settings.") {
            Case { settings: true, ..case }
        } else {
            case
        }
    })
    .collect()
}

fn process_env_cases() -> Vec<Case> {
    let base = |name: &str| Case::new(name).args(["--env"]).env("REDIS_TLS", "false");
    vec![
        base("procenv.password").env("REDIS_PASSWORD", S1),
        base("procenv.password-special-chars").env("REDIS_PASSWORD", S2),
        base("procenv.url-password").env("REDIS_URL", &format!("redis://:{S1}@127.0.0.1:6379/0")),
        base("procenv.url-user-password").env("REDIS_URL", &format!("redis://app:{S1}@10.0.0.5:6379/0")),
        base("procenv.url-query-password").env("REDIS_URL", &format!("redis://127.0.0.1:6379/0?password={S1}")),
        base("procenv.url-malformed-port").env("REDIS_URL", &format!("redis://:{S1}@127.0.0.1:notaport")),
        base("procenv.unread-secret-names")
            .env("CACHE_REDIS_PASSWORD", S1)
            .env("APP_SECRET", S1)
            .env("API_TOKEN", S1),
        base("procenv.overrides-env-file")
            .file("app.env", env_text(&format!("REDIS_PASSWORD={S2}")))
            .args(["app.env"])
            .env("REDIS_PASSWORD", S1),
    ]
}

/// A loopback port nothing listens on: bound, read, released.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().unwrap().port()
}

fn command_line_cases() -> Vec<Case> {
    let port = closed_port();
    let url = |userinfo: &str| format!("redis://{userinfo}127.0.0.1:{port}/0");
    let password_file = |name: &str, secret: &str| {
        Case::new(name).file("secret.txt", format!("{secret}\n")).args([
            "--url",
            &url(""),
            "--password-file",
            "secret.txt",
        ])
    };
    vec![
        Case::new("cli.url-password-optional")
            .args(["--url", &url(&format!(":{S1}@"))])
            .probe("--probe=optional"),
        Case::new("cli.url-password-required")
            .args(["--url", &url(&format!(":{S1}@"))])
            .probe("--probe"),
        Case::new("cli.url-user-password-required")
            .args(["--url", &url(&format!("app:{S1}@"))])
            .probe("--probe"),
        Case::new("cli.url-special-chars-password")
            .args(["--url", &url(&format!(":{}@", percent_encode(S2, false, true)))])
            .probe("--probe"),
        Case::new("cli.url-query-password")
            .args(["--url", &format!("redis://127.0.0.1:{port}/0?password={S1}")])
            .probe("--probe"),
        Case::new("cli.url-malformed-port")
            .args(["--url", &format!("redis://:{S1}@127.0.0.1:notaport")])
            .probe("--probe"),
        Case::new("cli.url-rediss-password")
            .args(["--url", &format!("rediss://:{S1}@127.0.0.1:{port}")])
            .probe("--probe"),
        password_file("cli.password-file-optional", S1).probe("--probe=optional"),
        password_file("cli.password-file-required", S1).probe("--probe"),
        password_file("cli.password-file-special-chars", S2).probe("--probe"),
        Case::new("cli.process-env-url-probe")
            .env("REDIS_URL", &url(&format!(":{S1}@")))
            .probe("--probe"),
        Case::new("cli.process-env-password-probe")
            .env("REDIS_PASSWORD", S1)
            .args(["--url", &url("")])
            .probe("--probe"),
        Case::new("cli.env-file-url-probe")
            .file("app.env", env_text(&format!("REDIS_URL={}", url(&format!(":{S1}@")))))
            .args(["app.env"])
            .probe("--probe=optional"),
        Case::new("cli.config-and-url-probe")
            .file("redis.conf", conf_text(&format!("requirepass {S1}")))
            .args(["redis.conf", "--url", &url(&format!(":{S1}@"))])
            .probe("--probe=optional"),
    ]
}

// ---------------------------------------------------------------------------
// A scripted RESP server (127.0.0.1 only), for replies that carry secrets
// ---------------------------------------------------------------------------

type Script = fn(&[String]) -> Vec<u8>;

struct ScriptedRedis {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ScriptedRedis {
    fn start(script: Script) -> ScriptedRedis {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let halt = stop.clone();
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(90);
            let mut handles = Vec::new();
            let mut accepted = 0;
            while !halt.load(Ordering::SeqCst) && Instant::now() < deadline && accepted < 500 {
                match listener.accept() {
                    Ok((stream, _)) => {
                        accepted += 1;
                        let halt = halt.clone();
                        handles.push(std::thread::spawn(move || serve(stream, script, &halt, deadline)));
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(5)),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            for handle in handles {
                let _ = handle.join();
            }
        });
        ScriptedRedis {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for ScriptedRedis {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One complete command at the start of `buffer` (RESP array of bulk strings,
/// or an inline line) and how many bytes it took; None while incomplete.
fn next_command(buffer: &[u8]) -> Option<(Vec<String>, usize)> {
    fn line(buffer: &[u8], from: usize) -> Option<(&[u8], usize)> {
        let end = from + buffer.get(from..)?.windows(2).position(|w| w == b"\r\n")?;
        Some((&buffer[from..end], end + 2))
    }
    if buffer.first() == Some(&b'*') {
        let (count, mut at) = line(buffer, 1)?;
        let count: usize = std::str::from_utf8(count).ok()?.parse().ok()?;
        let mut words = Vec::new();
        for _ in 0..count {
            if buffer.get(at)? != &b'$' {
                return Some((vec![String::new()], buffer.len()));
            }
            let (len, next) = line(buffer, at + 1)?;
            let len: usize = std::str::from_utf8(len).ok()?.parse().ok()?;
            let word = buffer.get(next..next + len)?;
            buffer.get(next + len + 1)?;
            words.push(String::from_utf8_lossy(word).into_owned());
            at = next + len + 2;
        }
        Some((words, at))
    } else {
        let end = buffer.iter().position(|b| *b == b'\n')?;
        let text = String::from_utf8_lossy(&buffer[..end]);
        Some((text.split_whitespace().map(String::from).collect(), end + 1))
    }
}

fn serve(mut stream: TcpStream, script: Script, halt: &AtomicBool, deadline: Instant) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let mut buffer: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 8192];
    while !halt.load(Ordering::SeqCst) && Instant::now() < deadline {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(_) => break,
        }
        let mut replies = Vec::new();
        while let Some((words, used)) = next_command(&buffer) {
            buffer.drain(..used);
            if !words.is_empty() {
                replies.extend(script(&words));
            }
        }
        if !replies.is_empty() && stream.write_all(&replies).is_err() {
            break;
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

fn bulk(text: &str) -> Vec<u8> {
    format!("${}\r\n{text}\r\n", text.len()).into_bytes()
}

fn array(items: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for item in items {
        out.extend(bulk(item));
    }
    out
}

fn info_text(extra: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!(
        "# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\nos:Linux 6.1.0 x86_64\r\nuptime_in_seconds:86400\r\n\
         executable:/usr/bin/redis-server\r\nconfig_file:/etc/redis/redis.conf\r\n{extra}\
         # Clients\r\nconnected_clients:3\r\nmaxclients:10000\r\n\
         # Memory\r\nused_memory:1048576\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\nmem_fragmentation_ratio:1.10\r\n\
         # Persistence\r\nrdb_last_save_time:{now}\r\naof_enabled:0\r\n\
         # Stats\r\nkeyspace_hits:90\r\nkeyspace_misses:10\r\nevicted_keys:0\r\n\
         # Replication\r\nrole:master\r\nconnected_slaves:0\r\n\
         # Keyspace\r\ndb0:keys=10,expires=0,avg_ttl=0\r\n"
    )
}

/// A server that answers like redis-server does: CONFIG GET shows the
/// configured passwords in clear, ACL LIST the SHA-256 of the password.
fn honest_server(words: &[String]) -> Vec<u8> {
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    match upper.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["AUTH", ..] | ["CLIENT", ..] | ["SELECT", ..] => b"+OK\r\n".to_vec(),
        ["PING", ..] => b"+PONG\r\n".to_vec(),
        ["INFO", ..] => bulk(&info_text("")),
        ["CONFIG", "GET", ..] => array(&[
            "requirepass",
            S1,
            "masterauth",
            S2,
            "tls-key-file-pass",
            S1,
            "maxmemory",
            "0",
            "maxmemory-policy",
            "noeviction",
            "bind",
            "* -::*",
            "protected-mode",
            "no",
            "port",
            "6379",
            "save",
            "3600 1 300 100 60 10000",
            "appendonly",
            "no",
        ]),
        ["ACL", "WHOAMI"] => bulk("default"),
        ["ACL", "LIST"] => array(&[&format!("user default on sanitize-payload #{S1_SHA256} ~* &* +@all")]),
        ["ACL", "DRYRUN", ..] => b"+OK\r\n".to_vec(),
        ["SLOWLOG", ..] | ["DBSIZE"] => b":0\r\n".to_vec(),
        ["ROLE"] => b"*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n".to_vec(),
        _ => b"-ERR unknown command\r\n".to_vec(),
    }
}

/// A server that puts the probe's own password into every text it sends back.
fn hostile_server(words: &[String]) -> Vec<u8> {
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    match upper.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["AUTH", ..] => format!("+OK welcome {S1}\r\n").into_bytes(),
        ["PING", ..] => b"+PONG\r\n".to_vec(),
        ["INFO", ..] => bulk(&info_text(&format!("master_auth_hint:{S1}\r\nrun_id:{S1}\r\n"))),
        ["CONFIG", "GET", ..] => array(&["requirepass", S1, "maxmemory", "0", "bind", &format!("{S1} 127.0.0.1")]),
        ["ACL", "WHOAMI"] => bulk(S1),
        ["ACL", "LIST"] => array(&[&format!("user {S1} on >{S1} ~* +@all")]),
        ["ACL", "DRYRUN", ..] => format!("-ERR User {S1} not found\r\n").into_bytes(),
        ["SLOWLOG", ..] => format!("-NOPERM {S1} may not run this command\r\n").into_bytes(),
        ["DBSIZE"] => b":0\r\n".to_vec(),
        ["ROLE"] => format!(
            "*3\r\n$6\r\nmaster\r\n:0\r\n*1\r\n*3\r\n${}\r\n{S1}\r\n$4\r\n6380\r\n$1\r\n0\r\n",
            S1.len()
        )
        .into_bytes(),
        _ => format!("-ERR unknown command, password {S1}\r\n").into_bytes(),
    }
}

fn probe_reply_cases() -> Vec<Case> {
    let fake = |behaviour: Behaviour| {
        let server = FakeServer::start(behaviour);
        let url = server.url();
        (server, url)
    };
    let mut cases = Vec::new();

    let (server, url) = fake(Behaviour::Echo);
    cases.push(
        Case::new("reply.echo-env-password")
            .env("REDIS_PASSWORD", S1)
            .args(["--url", &url])
            .probe("--probe=optional")
            .server(server, ""),
    );
    let (server, _) = fake(Behaviour::Echo);
    let port = server.port;
    cases.push(
        Case::new("reply.echo-url-password")
            .args(["--url", &format!("redis://:{S1}@127.0.0.1:{port}")])
            .probe("--probe")
            .server(server, ""),
    );
    let (server, url) = fake(Behaviour::Echo);
    cases.push(
        Case::new("reply.echo-password-file")
            .file("secret.txt", format!("{S1}\n"))
            .args(["--url", &url, "--password-file", "secret.txt"])
            .probe("--probe")
            .server(server, ""),
    );
    let (server, url) = fake(Behaviour::Echo);
    cases.push(
        Case::new("reply.echo-special-chars-password")
            .env("REDIS_PASSWORD", S2)
            .args(["--url", &url])
            .probe("--probe")
            .server(server, ""),
    );
    let reply = format!("-ERR {S1}\r\n");
    let (server, url) = fake(Behaviour::SendAndClose(reply.clone().into_bytes()));
    cases.push(
        Case::new("reply.error-with-password-then-close")
            .env("REDIS_PASSWORD", S1)
            .args(["--url", &url])
            .probe("--probe")
            .server(server, &reply),
    );
    let (server, url) = fake(Behaviour::Send(reply.clone().into_bytes()));
    cases.push(
        Case::new("reply.error-with-password-kept-open")
            .env("REDIS_PASSWORD", S1)
            .args(["--url", &url])
            .probe("--probe=optional")
            .server(server, &reply),
    );
    let reply = format!("-WRONGPASS invalid username-password pair or user is disabled: {S1}\r\n");
    let (server, url) = fake(Behaviour::SendAndClose(reply.clone().into_bytes()));
    cases.push(
        Case::new("reply.wrongpass-with-password")
            .env("REDIS_PASSWORD", S1)
            .args(["--url", &url])
            .probe("--probe")
            .server(server, &reply),
    );
    let reply = format!("-ERR {S2}\r\n");
    let (server, url) = fake(Behaviour::SendAndClose(reply.clone().into_bytes()));
    cases.push(
        Case::new("reply.error-with-special-chars-password")
            .env("REDIS_PASSWORD", S2)
            .args(["--url", &url])
            .probe("--probe")
            .server(server, &reply),
    );
    let reply = format!("+{S1}\r\n");
    let (server, url) = fake(Behaviour::SendAndClose(reply.clone().into_bytes()));
    cases.push(
        Case::new("reply.simple-string-password")
            .file("secret.txt", format!("{S1}\n"))
            .args(["--url", &url, "--password-file", "secret.txt"])
            .probe("--probe")
            .server(server, &reply),
    );
    let server = ScriptedRedis::start(honest_server);
    let url = format!("redis://127.0.0.1:{}", server.port);
    let holds = String::from_utf8_lossy(&honest_server(&["CONFIG".into(), "GET".into(), "*".into()])).into_owned();
    cases.push(
        Case::new("reply.live-config-get-passwords")
            .args(["--url", &url])
            .probe("--probe=optional")
            .server(server, &holds),
    );
    let server = ScriptedRedis::start(honest_server);
    let url = format!("redis://127.0.0.1:{}", server.port);
    cases.push(
        Case::new("reply.live-config-get-passwords-drift-from-file")
            .file(
                "redis.conf",
                conf_text(&format!("requirepass {S2}\nmasterauth {S1}\nmaxmemory 2gb")),
            )
            .args(["redis.conf", "--url", &url])
            .probe("--probe=optional")
            .server(server, &holds),
    );
    let server = ScriptedRedis::start(hostile_server);
    let url = format!("redis://127.0.0.1:{}", server.port);
    let holds = String::from_utf8_lossy(&hostile_server(&["ACL".into(), "WHOAMI".into()])).into_owned();
    cases.push(
        Case::new("reply.hostile-server-repeats-password")
            .env("REDIS_PASSWORD", S1)
            .args(["--url", &url])
            .probe("--probe=optional")
            .server(server, &holds),
    );
    cases
}

// ---------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------

/// Every report format: a new one is covered here as soon as it exists.
const FORMATS: &[&str] = &redis_preflight::report::Format::NAMES;

/// File names for `--output FORMAT=FILE`.
fn output_file(format: &str) -> String {
    let ext = match format {
        "human" => "txt",
        "json" => "json",
        "sarif" => "sarif",
        "junit" => "junit.xml",
        "gitlab" => "gitlab.json",
        "github" => "github.txt",
        "checklist" => "checklist.md",
        "html" => "html",
        "prometheus" => "prom",
        _ => unreachable!(),
    };
    format!("out/all/report.{ext}")
}

/// Label of the run that writes every format to a file at once.
const ALL_FILES: &str = "check --format human --color always, --output FORMAT=FILE for every format";

/// The runs of a case: a label for the report and the arguments before the case's own.
/// `--write-baseline` suppresses what it records, so it gets a run of its own.
fn runs_of(case: &Case) -> Vec<(String, Vec<String>)> {
    let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let mut all_files = strings(&["check", "--format", "human", "--color", "always"]);
    for format in FORMATS {
        all_files.push("--output".into());
        all_files.push(format!("{format}={}", output_file(format)));
    }
    let mut runs = vec![(ALL_FILES.to_string(), all_files)];
    match case.runs {
        Runs::Probe => {
            runs.push((
                "check --format json --output FILE".into(),
                strings(&["check", "--format", "json", "--output", "out/plain/report.json"]),
            ));
            runs.push((
                "check --format sarif (stdout) --write-baseline".into(),
                strings(&[
                    "check",
                    "--format",
                    "sarif",
                    "--write-baseline",
                    "out/base/baseline.json",
                ]),
            ));
        }
        Runs::Full => {
            for format in FORMATS {
                runs.push((
                    format!("check --format {format} (stdout)"),
                    strings(&["check", "--format", format]),
                ));
            }
            runs.push((
                "checklist --format html --output FILE --statistics".into(),
                strings(&[
                    "checklist",
                    "--format",
                    "html",
                    "--output",
                    "out/plain/checklist.html",
                    "--statistics",
                ]),
            ));
            runs.push((
                "check --quiet --fail-on info --write-baseline".into(),
                strings(&[
                    "check",
                    "--quiet",
                    "--fail-on",
                    "info",
                    "--write-baseline",
                    "out/base/baseline.json",
                ]),
            ));
            runs.push((
                "check --baseline --format json (stdout)".into(),
                strings(&["check", "--baseline", "out/base/baseline.json", "--format", "json"]),
            ));
        }
    }
    runs
}

/// One leak (or a problem that makes the case prove nothing).
#[derive(Debug, Clone)]
struct Leak {
    case: String,
    run: String,
    place: String,
    hit: Hit,
}

/// Bounds how many binaries run at once across all tests of this file.
fn slots() -> &'static (Mutex<usize>, Condvar) {
    static SLOTS: OnceLock<(Mutex<usize>, Condvar)> = OnceLock::new();
    SLOTS.get_or_init(|| {
        // Twice the cores: part of each run is process start-up and the 10 ms exit poll.
        let n = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .max(2);
        (Mutex::new(2 * n), Condvar::new())
    })
}

fn with_slot<T>(f: impl FnOnce() -> T) -> T {
    let (lock, ready) = slots();
    let mut free = lock.lock().unwrap();
    while *free == 0 {
        free = ready.wait(free).unwrap();
    }
    *free -= 1;
    drop(free);
    let result = f();
    *lock.lock().unwrap() += 1;
    ready.notify_one();
    result
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) if t.is_file() => out.push(path),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

fn problem(case: &Case, run: &str, place: &str, what: String) -> Leak {
    Leak {
        case: case.name.clone(),
        run: run.to_string(),
        place: place.to_string(),
        hit: Hit {
            what,
            view: "harness",
            excerpt: String::new(),
        },
    }
}

/// Set `SECRETS_KEEP=1` to keep each case's directory (its path is printed) for a look.
fn keep_dirs() -> bool {
    std::env::var_os("SECRETS_KEEP").is_some_and(|v| v == "1")
}

/// Runs every run of a case; returns the leaks and problems found.
fn check_case(case: &Case) -> Vec<Leak> {
    let mut leaks = Vec::new();
    let root = tempfile::tempdir().expect("temp dir");
    let work = root.path().join("work");
    let home = root.path().join("home");
    let tmp = root.path().join("tmp");
    for dir in [&work, &home, &tmp] {
        std::fs::create_dir_all(dir).unwrap();
    }
    for dir in ["out/all", "out/plain", "out/base"] {
        std::fs::create_dir_all(work.join(dir)).unwrap();
    }
    let mut planted: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    for (path, content) in &case.files {
        let full = work.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, content).unwrap();
        planted.insert(full, content.clone());
    }

    // The case must plant a secret somewhere, or it proves nothing.
    let mut inputs = String::new();
    for (_, content) in &case.files {
        inputs.push_str(&String::from_utf8_lossy(content));
        inputs.push('\n');
    }
    inputs.push_str(&case.args.join(" "));
    for (name, value) in &case.env {
        let _ = write!(inputs, "\n{name}={value}");
    }
    inputs.push_str(&case.held_elsewhere);
    if search(&inputs).is_none() {
        leaks.push(problem(
            case,
            "-",
            "inputs",
            "HARNESS: the case plants no secret".into(),
        ));
    }

    let envs: Vec<(String, String)> = [
        ("HOME", home.clone()),
        ("TMPDIR", tmp.clone()),
        ("XDG_CACHE_HOME", home.join(".cache")),
        ("XDG_CONFIG_HOME", home.join(".config")),
        ("XDG_DATA_HOME", home.join(".local/share")),
        ("XDG_STATE_HOME", home.join(".local/state")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.display().to_string()))
    .chain(case.env.iter().cloned())
    .collect();
    let env_refs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();

    // The same text (a format on stdout and in its file) is searched once.
    let mut verdicts: HashMap<u64, Option<Hit>> = HashMap::new();
    let mut verdict = |text: &str| -> Option<Hit> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut hasher);
        verdicts
            .entry(hasher.finish())
            .or_insert_with(|| find_secret(text))
            .clone()
    };
    let mut seen_files: HashSet<(PathBuf, Vec<u8>)> = HashSet::new();
    for (label, mut args) in runs_of(case) {
        if args.iter().any(|a| a == "--baseline") && !work.join("out/base/baseline.json").is_file() {
            continue; // --write-baseline stopped on an input error: there is nothing to read back
        }
        if !case.settings {
            args.insert(1, "--no-settings".into());
        }
        args.extend(case.args.iter().cloned());
        let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let go = || probe::run(&work, &arg_refs, &env_refs, Duration::from_secs(30));
        // Static runs are CPU-bound: bounded together. Probe runs mostly wait on sockets.
        let run = match case.runs {
            Runs::Full => with_slot(go),
            Runs::Probe => go(),
        };

        for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            if let Some(hit) = verdict(text) {
                leaks.push(Leak {
                    case: case.name.clone(),
                    run: label.clone(),
                    place: stream.into(),
                    hit,
                });
            }
        }
        // A run that failed on its arguments or crashed proves nothing.
        let clap_error = ["unexpected argument", "invalid value", "Usage:"]
            .iter()
            .any(|m| run.stderr.contains(m));
        let expected_codes: &[i32] = match case.runs {
            Runs::Full => &[0, 1, 2],
            Runs::Probe => &[0, 1, 2, 3],
        };
        if clap_error || run.stderr.contains("panicked") || !run.code.is_some_and(|c| expected_codes.contains(&c)) {
            let first = run.stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            leaks.push(problem(
                case,
                &label,
                "exit",
                format!(
                    "HARNESS: exit code {:?}, stderr starts: {}",
                    run.code,
                    redact(&first.chars().take(200).collect::<String>())
                ),
            ));
        }
        // A run that got as far as a report must have written what it was asked to.
        if matches!(run.code, Some(0) | Some(1)) {
            let mut expected: Vec<String> = args
                .iter()
                .filter_map(|a| a.split_once('=').map(|(_, file)| file.to_string()))
                .filter(|file| file.starts_with("out/"))
                .collect();
            for flag in ["--output", "--write-baseline"] {
                if let Some(at) = args.iter().position(|a| a == flag) {
                    if args[at + 1].starts_with("out/") {
                        expected.push(args[at + 1].clone());
                    }
                }
            }
            for file in expected {
                let written = std::fs::metadata(work.join(&file)).map(|m| m.len()).unwrap_or(0);
                // An empty Prometheus file is possible in principle; the others always have text.
                if written == 0 && !file.ends_with(".prom") {
                    leaks.push(problem(case, &label, &file, "HARNESS: the file was not written".into()));
                }
            }
        }

        // Every file that appeared or changed anywhere under the case's directory.
        for path in files_under(root.path()) {
            let Ok(bytes) = std::fs::read(&path) else { continue };
            if planted.get(&path) == Some(&bytes) {
                continue;
            }
            if !seen_files.insert((path.clone(), bytes.clone())) {
                continue;
            }
            let shown = path.strip_prefix(root.path()).unwrap_or(&path).display().to_string();
            let place = if planted.contains_key(&path) {
                format!("file {shown} (an input, rewritten!)")
            } else {
                format!("file {shown}")
            };
            if let Some(hit) = verdict(&String::from_utf8_lossy(&bytes)) {
                leaks.push(Leak {
                    case: case.name.clone(),
                    run: label.clone(),
                    place,
                    hit,
                });
            }
        }
    }
    if keep_dirs() {
        let kept = root.keep();
        eprintln!("{}: kept {}", case.name, kept.display());
    }
    leaks
}

/// Runs all cases and fails once, at the end, with every leak of every case.
fn check_all(test: &str, cases: Vec<Case>) {
    let started = Instant::now();
    let count = cases.len();
    let names: BTreeSet<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), count, "case names must be unique");
    // Static cases queue for the CPU slots; probe cases wait on sockets, all at once.
    let workers = if cases.iter().all(|c| c.runs == Runs::Probe) {
        count.max(1)
    } else {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .clamp(2, 8)
            * 2
    };
    let queue = Mutex::new(cases.iter().collect::<Vec<_>>());
    let results: Mutex<Vec<Leak>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let Some(case) = queue.lock().unwrap().pop() else { break };
                let leaks = check_case(case);
                results.lock().unwrap().extend(leaks);
            });
        }
    });
    let mut leaks = results.into_inner().unwrap();
    leaks.sort_by(|a, b| (&a.case, &a.run, &a.place).cmp(&(&b.case, &b.run, &b.place)));
    let elapsed = started.elapsed();
    eprintln!("{test}: {count} cases in {:.1} s", elapsed.as_secs_f64());
    if leaks.is_empty() {
        return;
    }
    let mut by_case: BTreeMap<&str, Vec<&Leak>> = BTreeMap::new();
    for leak in &leaks {
        by_case.entry(leak.case.as_str()).or_default().push(leak);
    }
    let mut report = format!(
        "{test}: {} leak(s)/problem(s) in {} of {count} cases ({:.1} s):\n",
        leaks.len(),
        by_case.len(),
        elapsed.as_secs_f64()
    );
    for (case, leaks) in &by_case {
        let places: BTreeSet<String> = leaks.iter().map(|l| l.place.clone()).collect();
        let _ = writeln!(
            report,
            "  {case}: {} of its runs, in {}",
            leaks.iter().map(|l| &l.run).collect::<BTreeSet<_>>().len(),
            places.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    report.push_str("\nDetails:\n");
    for leak in &leaks {
        let _ = writeln!(
            report,
            "- [{}] run `{}` → {}: {} ({})\n    {}",
            leak.case, leak.run, leak.place, leak.hit.what, leak.hit.view, leak.hit.excerpt
        );
    }
    // Last line of defence: the report must not print a secret itself.
    assert!(search(&report).is_none(), "the leak report itself holds a secret");
    panic!("{report}");
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

/// A compose file with the line in the Redis service (and an app service
/// with findings of its own next to it).
fn compose(name: &str, service_lines: &str) -> Case {
    let text = format!(
        "services:\n  redis:\n    image: redis:7.2\n{service_lines}\n    ports:\n      - \"6379:6379\"\n  app:\n    image: example/app\n    environment:\n      REDIS_URL: redis://redis:6379/0\n"
    );
    Case::new(name)
        .file("docker-compose.yml", text)
        .args(["docker-compose.yml"])
}

fn deployment_cases() -> Vec<Case> {
    vec![
        compose("compose.command-string", &format!("    command: redis-server --requirepass {S1} --maxmemory 1gb")),
        compose(
            "compose.command-string-quoted",
            &format!("    command: redis-server --requirepass \"{S1}\" --save \"\""),
        ),
        compose("compose.command-list", &format!("    command: [\"redis-server\", \"--requirepass\", \"{S1}\"]")),
        compose(
            "compose.command-block-list",
            &format!("    command:\n      - redis-server\n      - --requirepass\n      - '{S1}'"),
        ),
        compose(
            "compose.shell-script",
            &format!("    command: sh -c \"redis-server --requirepass {S1} --appendonly yes\""),
        ),
        compose("compose.interpolation-default", &format!("    command: redis-server --requirepass ${{REDIS_PASSWORD:-{S1}}}")),
        compose("compose.environment-map", &format!("    environment:\n      REDIS_PASSWORD: {S1}")),
        compose("compose.environment-list", &format!("    environment:\n      - REDIS_PASSWORD={S1}")),
        compose("compose.comment", &format!("    # command: redis-server --requirepass {S1}")),
        compose("compose.comment-key", &format!("    # password: {S1}")),
        Case::new("compose.dotenv-beside")
            .file(".env", format!("REDIS_PASSWORD={S1}\n"))
            .file(
                "docker-compose.yml",
                "services:\n  redis:\n    image: redis:7.2\n    command: redis-server --requirepass ${REDIS_PASSWORD}\n",
            )
            .args(["docker-compose.yml"]),
        Case::new("compose.app-url")
            .file(
                "docker-compose.yml",
                format!("services:\n  redis:\n    image: redis:7.2\n  app:\n    image: example/app\n    environment:\n      CELERY_BROKER_URL: redis://:{S1}@redis:6379/0\n"),
            )
            .args(["docker-compose.yml"]),
        Case::new("kubernetes.args-and-secret")
            .file(
                "redis.yaml",
                format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: redis\nstringData:\n  password: {S1}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cache\nspec:\n  template:\n    spec:\n      containers:\n        - name: redis\n          image: redis:7.2\n          args: [\"--requirepass\", \"$(REDIS_PASSWORD)\"]\n          env:\n            - name: REDIS_PASSWORD\n              value: \"{S1}\"\n"),
            )
            .args(["redis.yaml"]),
        Case::new("kubernetes.base64-data")
            .file(
                "secret.yaml",
                format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: redis\ndata:\n  redis-password: {S1}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: r\nspec:\n  containers:\n    - name: redis\n      image: redis:7.2\n      command: [\"redis-server\", \"--requirepass\", \"{S1}\"]\n"),
            )
            .args(["secret.yaml"]),
        Case::new("helm.auth-password")
            .file(
                "values.yaml",
                format!("architecture: standalone\nauth:\n  enabled: true\n  password: \"{S1}\"\ncommonConfiguration: |-\n  appendonly yes\n  masterauth {S1}\nmaster:\n  extraFlags:\n    - --requirepass {S1}\n"),
            )
            .args(["values.yaml"]),
        Case::new("helm.redis-ha")
            .file(
                "values.yaml",
                format!("redis:\n  config:\n    maxmemory: \"1gb\"\nsentinel:\n  quorum: 2\nhardAntiAffinity: true\nauth: true\nredisPassword: {S1}\n"),
            )
            .args(["values.yaml"]),
        Case::new("terraform.auth-token")
            .file(
                "main.tf",
                format!("# auth_token = \"{S1}\"\nresource \"aws_elasticache_replication_group\" \"cache\" {{\n  replication_group_id = \"cache\"\n  transit_encryption_enabled = true\n  auth_token = \"{S1}\"\n  user_group_ids = []\n}}\n"),
            )
            .args(["main.tf"]),
        Case::new("terraform.variable-default-and-tfvars")
            .file(
                "infra/main.tf",
                "resource \"aws_elasticache_replication_group\" \"cache\" {\n  auth_token = var.redis_auth_token\n}\nresource \"rediscloud_subscription_database\" \"db\" {\n  password = var.db_password\n}\n",
            )
            .file(
                "infra/variables.tf",
                format!("variable \"redis_auth_token\" {{\n  default = \"{S1}\"\n}}\nvariable \"db_password\" {{\n  sensitive = true\n  default = \"p\"\n}}\n"),
            )
            .file("infra/terraform.tfvars", format!("db_password = \"{S1}\"\n"))
            .args(["infra/main.tf", "infra/variables.tf", "infra/terraform.tfvars"]),
        Case::new("terraform.tfvars-json-walk")
            .file(
                "tf/main.tf",
                "resource \"rediscloud_subscription_database\" \"db\" {\n  password = var.db_password\n}\n",
            )
            .file("tf/terraform.tfvars.json", format!("{{\"db_password\": {}}}", serde_json::to_string(S2).unwrap()))
            .file("tf/prod.tfvars", format!("db_password = \"{S1}\"\n"))
            .args(["."]),
        Case::new("terraform.module-and-literal")
            .file(
                "main.tf",
                format!("module \"redis\" {{\n  source = \"cloudposse/elasticache-redis/aws\"\n  auth_token = \"{S1}\"\n}}\nresource \"rediscloud_subscription_database\" \"db\" {{\n  password = \"{}\"\n  alert {{\n    name = \"x\"\n  }}\n}}\nlocals {{\n  url = \"redis://:{S1}@cache:6379\"\n}}\n", S2.replace('"', "\\\"")),
            )
            .args(["main.tf"]),
        Case::new("compose.directory-walk")
            .file(
                "deploy/docker-compose.yml",
                format!("services:\n  cache:\n    image: valkey/valkey:8.1\n    command: valkey-server --requirepass {S1}\n"),
            )
            .args(["."]),
    ]
}

/// A cloud description (`*.json`) given on the command line.
fn cloud(name: &str, text: String) -> Case {
    Case::new(name).file("describe.json", text).args(["describe.json"])
}

/// A secret as a JSON string token.
fn json_string(secret: &str) -> String {
    serde_json::to_string(secret).unwrap()
}

fn cloud_description_cases() -> Vec<Case> {
    let s1 = json_string(S1);
    let s2 = json_string(S2);
    let azure = format!(
        r#"{{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Cache/Redis/c1", "name": "c1", "type": "Microsoft.Cache/Redis", "properties": {{"sku": {{"name": "Standard", "family": "C", "capacity": 1}}, "enableNonSslPort": true, "redisVersion": "6.0", "redisConfiguration": {{}}, "accessKeys": {{"primaryKey": {s1}, "secondaryKey": {s2}}}}}}}"#
    );
    vec![
        cloud(
            "cloud-json.elasticache-auth-token",
            format!(
                "{{\n  \"ReplicationGroups\": [\n    {{\n      \"ReplicationGroupId\": \"rg\",\n      \"MemberClusters\": [\"rg-001\"],\n      \"AuthTokenEnabled\": true,\n      \"AuthToken\": {s1},\n      \"TransitEncryptionEnabled\": false\n    }}\n  ]\n}}\n"
            ),
        ),
        cloud("cloud-json.azure-access-keys", format!("{{\"status_code\": 200, \"data\": {azure}}}\n")),
        cloud(
            "cloud-json.vcr-string",
            format!(
                "{{\"interactions\": [{{\"request\": {{}}, \"response\": {{\"body\": {{\"string\": {}}}}}}}]}}\n",
                json_string(&format!("{{\"value\": [{azure}]}}"))
            ),
        ),
        cloud(
            "cloud-json.connection-strings",
            format!(
                r#"{{"name": "c2", "type": "Microsoft.Cache/Redis", "sku": {{"name": "Basic", "family": "C", "capacity": 0}}, "enableNonSslPort": false, "connectionString": "c2.redis.cache.windows.net:6380,password={S1},ssl=True", "url": "redis://:{S1}@c2.redis.cache.windows.net:6380", "password": {s2}}}"#
            ),
        ),
        Case::new("cloud-json.directory-walk")
            .file(
                "cloud/memorydb.json",
                format!(
                    r#"{{"Clusters": [{{"Name": "m1", "ACLName": "open-access", "TLSEnabled": false, "EngineVersion": "7.1", "Password": {s1}}}]}}"#
                ),
            )
            .args(["."]),
    ]
}

#[test]
fn secrets_in_deployment_files_never_leak() {
    check_all("deployment files", deployment_cases());
}

#[test]
fn secrets_in_cloud_descriptions_never_leak() {
    check_all("cloud descriptions", cloud_description_cases());
}

#[test]
fn secrets_in_config_files_never_leak() {
    check_all("config files", config_cases());
}

#[test]
fn secrets_in_env_files_never_leak() {
    check_all("env files", env_file_cases());
}

#[test]
fn secrets_in_the_process_environment_never_leak() {
    check_all("process environment", process_env_cases());
}

#[test]
fn secrets_on_the_command_line_never_leak() {
    check_all("command line", command_line_cases());
}

#[test]
fn secrets_in_probe_replies_never_leak() {
    check_all("probe replies", probe_reply_cases());
}

/// At least 40 distinct placements, as promised in the module docs.
#[test]
fn enough_placements() {
    let total = config_cases().len()
        + env_file_cases().len()
        + process_env_cases().len()
        + command_line_cases().len()
        + probe_reply_cases().len()
        + deployment_cases().len()
        + cloud_description_cases().len();
    eprintln!("{total} placements");
    assert!(total >= 40, "only {total} placements");
}

/// The oracle finds every spelling, in noise, and does not cry wolf.
#[test]
fn oracle_detects_every_encoding() {
    for (what, form) in encoded_forms() {
        let text = format!("some report text \"{form}\" and more\n");
        assert!(find_secret(&text).is_some(), "the oracle misses {what}");
    }
    let mixed = [
        "redis://:Zq9%2Dpreflight-Sekret-4711@host".to_string(),
        "redis://:Zq9%2dpreflight%2DSekret%2d4711@host".to_string(),
        format!("\x1b[31m{S1}\x1b[0m"),
        "p%26%3C%22x%25%2FSek9".to_string(),
        "p&amp;&lt;&quot;x%/Sek9".to_string(),
        "p\\u0026\\u003c\\\"x%/Sek9".to_string(),
        "p&amp;&lt;&quot;x%25/Sek9".to_string(),
        "p\\&\\<\\\"x\\%\\/Sek9".to_string(),
        "requirepass \"\\x5aq9-preflight-Sekret-4711\"".to_string(),
        "Zq9-preflight-Sekret-47".to_string() + "11",
        "****-preflight-Sekret-4711".to_string(),
        // Truncated by a message that quotes at most 40 characters.
        "`REDIS_URL: redis://:Zq9-preflight-Sekret` is not a valid variable name".to_string(),
        "`REDIS_PASSWORD: p&<\"x%/S` is not".to_string(),
        "Zq9-prefligh".to_string(),
        S1_SHA256.to_string(),
    ];
    for text in &mixed {
        assert!(find_secret(text).is_some(), "the oracle misses {}", redact(text));
    }
    for (_, part) in partials() {
        assert!(anchored(part), "no anchor in a partial");
    }
    for (what, form) in encoded_forms() {
        assert!(anchored(form), "no anchor in {what}");
    }
    for clean in [
        "requirepass ********",
        "redis://:********@127.0.0.1:6379/0",
        "redis-preflight 0.1.0 · redis 7.2",
        "Zq9-preflig and 9-pr and -Se and x% and /Sek",
        "&amp; &lt; %2F \\u0026",
    ] {
        assert!(find_secret(clean).is_none(), "false alarm on {clean}");
    }
    // The excerpt shown in a failure never prints the secret.
    let hit = find_secret(&format!(
        "error: REDIS_URL redis://:{S1}@h and \"{}\"",
        serde_json::to_string(S2).unwrap()
    ))
    .unwrap();
    assert!(hit.excerpt.contains("<SECRET>"), "{}", hit.excerpt);
    assert!(find_secret(&hit.excerpt).is_none());
}

/// The whole harness (run, collect stdout/stderr/files, search) detects a
/// secret that the tool is supposed to print: here it is the config's file
/// name, which every format shows. Proves the leak tests cannot pass vacuously.
#[test]
fn harness_detects_a_secret_the_tool_prints() {
    let name = format!("{S1}.conf");
    let case = Case::new("harness.secret-as-file-name")
        .file(&name, conf_text("maxmemory 0"))
        .args([name.as_str()]);
    let leaks = check_case(&case);
    let harness_problems: Vec<&Leak> = leaks.iter().filter(|l| l.hit.view == "harness").collect();
    assert!(harness_problems.is_empty(), "{harness_problems:?}");
    let places: BTreeSet<&str> = leaks.iter().map(|l| l.place.as_str()).collect();
    for format in FORMATS {
        if *format == "prometheus" {
            continue; // metrics carry no file names
        }
        let file = format!("file work/{}", output_file(format));
        assert!(places.contains(file.as_str()), "no leak seen in {file}: {places:?}");
        let run = format!("check --format {format} (stdout)");
        assert!(
            leaks.iter().any(|l| l.run == run && l.place == "stdout"),
            "no leak seen on stdout of `{run}`: {places:?}"
        );
    }
    assert!(places.contains("file work/out/base/baseline.json"), "{places:?}");
}
