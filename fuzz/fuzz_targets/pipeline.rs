//! The whole pipeline (`run::execute`, no probe) and every report format,
//! with a planted password that must never come out.
//!
//! The input is split on NUL bytes into a redis.conf, an env file, an include
//! file and an ACL file. A distinctive password is planted into them where the
//! control bytes say (as `requirepass`, `masterauth`, a `user` line `>pw`, a
//! commented-out or misspelled `requirepass`, `REDIS_PASSWORD=`, inside
//! `REDIS_URL`, percent-encoded, quoted with escapes, ...). The run must not
//! show it: not in any report format, not in the baseline it writes, not in
//! its error. "Show" means any 7 consecutive characters of one of the
//! password's alphanumeric runs, as written or once percent-escapes are
//! decoded (`LeakCheck`): so the plain, percent-encoded, JSON- and
//! HTML-escaped spellings all count, and so does a password shown in part.
//!
//! Input: `[0x01 control(48 bytes)] conf \0 env \0 include \0 acl`. Without
//! the 0x01 marker, the control bytes are a hash of the input, so plain
//! redis.conf seeds still get passwords planted.
//!
//! A second oracle: one execution of an input under 1 MB must take less than
//! a second (twice in a row), else it is a non-linear-time finding.
//!
//! `REDIS_PREFLIGHT_FUZZ_SKIP=name,name` turns placements (names in
//! `PLACEMENTS`) or passwords (names in `SECRETS`; the plain one is used
//! instead) off, to keep fuzzing past a leak that is already known.

#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_preflight::conf::catalog::Target;
use redis_preflight::conf::LoadOptions;
use redis_preflight::env::dotenv;
use redis_preflight::report::{self, Format};
use redis_preflight::rules::RulePack;
use redis_preflight::run::{self, RunError, RunPlan};
use redis_preflight::settings::{Settings, PROFILES};
use redis_preflight_fuzz::{
    fnv, remove_file, scratch_dir, skipped, split_parts, time_oracle, write_file, Control, LeakCheck,
};
use std::sync::OnceLock;

const CONTROL_LEN: usize = 48;

/// Each has two alphanumeric runs of 9+ characters around the characters
/// that need quoting, escaping or percent-encoding somewhere.
const SECRETS: [(&str, &str); 5] = [
    ("secret-plain", "Fz9SecretPlanted77"),
    ("secret-markup", "Fz9Secret<\"&'>Planted77"),
    ("secret-space", "Fz9Secret Planted77@:/%#?"),
    ("secret-backslash", "Fz9Secret\\Planted77$"),
    ("secret-space-quote", "Fz9Secret \"q' Planted77"),
];

const LINES: [&str; 6] = ["7.2", "6.0", "7.4", "valkey-8.0", "5.0", "2.8"];

/// Where a password can be planted; each bit of the placement mask enables one.
const PLACEMENTS: [&str; 20] = [
    "requirepass",
    "masterauth",
    "primaryauth",
    "tls-key-file-pass",
    "user",
    "user-remove",
    "commented-requirepass",
    "misspelled-requirepass",
    "include-requirepass",
    "aclfile-user",
    "sentinel-auth-pass",
    "sentinel-sentinel-pass",
    "env-redis-password",
    "env-redis-url",
    "env-redis-url-user",
    "env-redis-url-query",
    "env-other-secret-name",
    "env-valkey-url",
    "env-commented",
    "requirepass-twice",
];

fn rules() -> &'static RulePack {
    static RULES: OnceLock<RulePack> = OnceLock::new();
    RULES.get_or_init(|| RulePack::embedded().expect("the built-in rules load"))
}

fn targets() -> &'static Vec<Target> {
    static TARGETS: OnceLock<Vec<Target>> = OnceLock::new();
    TARGETS.get_or_init(|| LINES.iter().map(|l| Target::parse(l).expect("a known line")).collect())
}

/// A redis.conf argument: bare when it can be, else double-quoted.
fn conf_quote(value: &str) -> String {
    if value.is_empty() || value.contains([' ', '\t', '"', '\'', '\\']) {
        let mut out = String::from("\"");
        for c in value.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        out
    } else {
        value.to_string()
    }
}

/// A redis.conf spelling of `value` chosen by the control bytes.
fn conf_value(value: &str, c: &mut Control) -> String {
    let style = c.below(5);
    let at = c.below(value.len().max(1));
    match style {
        // Bare when possible.
        0 => conf_quote(value),
        // Double quotes, one character as \xHH (upper or lower case hex).
        1 | 2 => {
            let mut out = String::from("\"");
            for (i, ch) in value.char_indices() {
                if i == at {
                    let hex = if style == 1 {
                        format!("\\x{:02x}", ch as u32 & 0xff)
                    } else {
                        format!("\\x{:02X}", ch as u32 & 0xff)
                    };
                    out.push_str(&hex);
                } else {
                    if ch == '"' || ch == '\\' {
                        out.push('\\');
                    }
                    out.push(ch);
                }
            }
            out.push('"');
            out
        }
        // Double quotes, one letter as an unknown escape (`\F` is `F`).
        3 => {
            let mut out = String::from("\"");
            for (i, ch) in value.char_indices() {
                if ch == '"' || ch == '\\' || (i == at && ch.is_ascii_alphabetic() && !"nrtbax".contains(ch)) {
                    out.push('\\');
                }
                out.push(ch);
            }
            out.push('"');
            out
        }
        // Single quotes (only `\'` is an escape there).
        _ => {
            let mut out = String::from("'");
            for ch in value.chars() {
                if ch == '\'' {
                    out.push('\\');
                }
                out.push(ch);
            }
            out.push('\'');
            out
        }
    }
}

/// What redis-server accepts between a directive's name and its first argument.
fn separator(c: &mut Control) -> &'static str {
    c.pick(&[" ", " ", "\t", "   ", " \t ", "\r", "\t\r"])
}

fn trailer(c: &mut Control) -> &'static str {
    c.pick(&["", "", " ", "\t", "\r", " extra"])
}

/// Percent-encodes what a URL's userinfo or query cannot hold bare; `all`
/// encodes every byte, `one` also the byte at that index.
fn url_encode(value: &str, all: bool, upper: bool, one: Option<usize>) -> String {
    let mut out = String::new();
    for (i, b) in value.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$'()*,;=".contains(&b);
        if all || !keep || one == Some(i) {
            out.push_str(&if upper {
                format!("%{b:02X}")
            } else {
                format!("%{b:02x}")
            });
        } else {
            out.push(b as char);
        }
    }
    out
}

/// A dotenv spelling of `NAME=value` chosen by the control bytes.
fn env_line(name: &str, value: &str, c: &mut Control) -> String {
    let needs_quotes = value.contains([' ', '#', '"', '\'', '\\', '\t']);
    let style = c.below(7);
    let at = c.below(value.len().max(1));
    let double = |escape_at: Option<usize>| {
        let mut out = String::from("\"");
        for (i, ch) in value.char_indices() {
            if ch == '"' || ch == '\\' || (Some(i) == escape_at && ch.is_ascii_alphabetic() && !"ntr".contains(ch)) {
                out.push('\\');
            }
            out.push(ch);
        }
        out.push('"');
        out
    };
    match style {
        0 if !needs_quotes => format!("{name}={value}"),
        1 if !value.contains('\'') => format!("{name}='{value}'"),
        2 => format!("export {name}={}", double(None)),
        3 if !needs_quotes => format!("{name} = {value} # the app's"),
        // Double quotes, one letter written as an escape (`\F` is `F`).
        4 => format!("{name}={}", double(Some(at))),
        5 if !needs_quotes => format!("export {name}={value}"),
        _ => format!("{name}={}", double(None)),
    }
}

struct Planted {
    conf_lines: Vec<(usize, String)>,
    include: Vec<String>,
    acl: Vec<String>,
    env: Vec<(String, String)>,
}

fn plant(secret: &str, mask: u32, sentinel: bool, c: &mut Control) -> Planted {
    let mut p = Planted {
        conf_lines: Vec::new(),
        include: Vec::new(),
        acl: Vec::new(),
        env: Vec::new(),
    };
    for (bit, name) in PLACEMENTS.iter().enumerate() {
        if mask & (1 << bit) == 0 || skipped(name) {
            continue;
        }
        let position = c.byte() as usize;
        let conf = |line: String, p: &mut Planted| p.conf_lines.push((position, line));
        match *name {
            "requirepass" | "masterauth" | "primaryauth" | "tls-key-file-pass" => {
                let line = format!("{name}{}{}{}", separator(c), conf_value(secret, c), trailer(c));
                conf(line, &mut p);
            }
            "requirepass-twice" => {
                conf(format!("requirepass {}", conf_value(secret, c)), &mut p);
                conf(format!("requirepass{}{}", separator(c), conf_value(secret, c)), &mut p);
            }
            "user" | "user-remove" => {
                let sign = if *name == "user" { ">" } else { "<" };
                let word = conf_value(&format!("{sign}{secret}"), c);
                let rules = c.pick(&[" ~* +@all", "", " resetchannels -@all +get", " ~* &* +@all"]);
                conf(
                    format!("user{}app{}on {word}{rules}", separator(c), separator(c)),
                    &mut p,
                );
            }
            "commented-requirepass" => {
                let hash = c.pick(&["# ", "#", "  # ", "## "]);
                conf(format!("{hash}requirepass {}", conf_value(secret, c)), &mut p);
            }
            "misspelled-requirepass" => {
                let name = c.pick(&[
                    "requirepas",
                    "requirepassword",
                    "require-pass",
                    "requirepass:",
                    "masterauht",
                ]);
                conf(format!("{name} {}", conf_value(secret, c)), &mut p);
            }
            "include-requirepass" => p.include.push(format!("requirepass {}", conf_value(secret, c))),
            "aclfile-user" => {
                let word = conf_value(&format!(">{secret}"), c);
                p.acl.push(format!("user default on {word} ~* +@all"));
            }
            "sentinel-auth-pass" if sentinel => {
                conf("sentinel monitor mymaster 127.0.0.1 6379 2".into(), &mut p);
                conf(format!("sentinel auth-pass mymaster {}", conf_value(secret, c)), &mut p);
            }
            "sentinel-sentinel-pass" if sentinel => {
                conf(format!("sentinel sentinel-pass {}", conf_value(secret, c)), &mut p);
            }
            "env-redis-password" => {
                let line = env_line("REDIS_PASSWORD", secret, c);
                p.env.push(("REDIS_PASSWORD".into(), line));
            }
            "env-other-secret-name" => {
                let name = c.pick(&[
                    "REDIS_AUTH",
                    "REDIS_PASS",
                    "VALKEY_PASSWORD",
                    "REDIS_AUTH_TOKEN",
                    "APP_SECRET_KEY",
                ]);
                let line = env_line(name, secret, c);
                p.env.push((name.into(), line));
            }
            "env-redis-url" | "env-redis-url-user" | "env-redis-url-query" | "env-valkey-url" => {
                let all = c.bit();
                let upper = c.bit();
                let one = if c.bit() { Some(c.below(secret.len())) } else { None };
                let encoded = url_encode(secret, all, upper, one);
                let scheme = c.pick(&["redis", "rediss", "valkey", "redis"]);
                let host = c.pick(&["cache.internal:6379", "10.0.0.5", "[::1]:6380", "203.0.113.10:6379/2"]);
                let url = match *name {
                    "env-redis-url-user" => format!("{scheme}://app:{encoded}@{host}"),
                    "env-redis-url-query" => format!("{scheme}://{host}?password={encoded}"),
                    _ => format!("{scheme}://:{encoded}@{host}"),
                };
                let var = if *name == "env-valkey-url" {
                    "VALKEY_URL"
                } else {
                    "REDIS_URL"
                };
                let line = env_line(var, &url, c);
                p.env.push((var.into(), line));
            }
            "env-commented" => {
                let line = env_line("REDIS_PASSWORD", secret, c);
                p.env.push(("#".into(), format!("# {line}")));
            }
            _ => {}
        }
    }
    p
}

/// `text` with `lines` inserted before the line each names (modulo the line count).
fn insert_lines(text: &str, lines: &[(usize, String)]) -> String {
    let mut out: Vec<String> = text.split('\n').map(str::to_string).collect();
    for (position, line) in lines {
        let at = position % (out.len() + 1);
        out.insert(at, line.clone());
    }
    out.join("\n")
}

fuzz_target!(|data: &[u8]| {
    redis_preflight_fuzz::catch_stack_overflow();
    let hashed;
    let (control, body): (&[u8], &[u8]) = match data.split_first() {
        Some((1, rest)) => rest.split_at(rest.len().min(CONTROL_LEN)),
        _ => {
            hashed = fnv(data);
            (&hashed[..], data)
        }
    };
    let mut c = Control::new(control);
    let (secret_name, secret) = c.pick(&SECRETS);
    let secret = if skipped(secret_name) { SECRETS[0].1 } else { secret };
    let target = c.pick(targets());
    let profile = c.pick(&PROFILES);
    let flags = c.byte();
    let sentinel = flags & 1 != 0;
    let write_baseline = flags & 2 != 0;
    let mask = u32::from_le_bytes([c.byte(), c.byte(), c.byte(), 0]);

    let parts = split_parts(body, 4);
    let text = |i: usize| parts.get(i).map(|p| String::from_utf8_lossy(p).into_owned());
    let (conf_base, env_base, include_base, acl_base) = (text(0).unwrap_or_default(), text(1), text(2), text(3));

    // Only the planted password may hold its pieces: skip inputs that spell
    // one themselves (the fuzzer can learn them from the comparisons).
    let leak = LeakCheck::new(secret);
    for base in [
        Some(&conf_base),
        env_base.as_ref(),
        include_base.as_ref(),
        acl_base.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        if leak.find(base.as_bytes()).is_some() {
            return;
        }
    }

    let planted = plant(secret, mask, sentinel, &mut c);
    let dir = scratch_dir("pipeline");

    let mut conf_lines = planted.conf_lines.clone();
    let include_text = match (&include_base, planted.include.is_empty()) {
        (None, true) => None,
        (base, _) => {
            let mut text = planted.include.join("\n");
            text.push('\n');
            text.push_str(base.as_deref().unwrap_or(""));
            Some(text)
        }
    };
    match &include_text {
        Some(text) => {
            let path = write_file(dir, "included.conf", text.as_bytes());
            conf_lines.push((c.byte() as usize, format!("include {}", path.display())));
        }
        None => remove_file(dir, "included.conf"),
    }
    let acl_text = match (&acl_base, planted.acl.is_empty()) {
        (None, true) => None,
        (base, _) => {
            let mut text = planted.acl.join("\n");
            text.push('\n');
            text.push_str(base.as_deref().unwrap_or(""));
            Some(text)
        }
    };
    match &acl_text {
        Some(text) => {
            let path = write_file(dir, "users.acl", text.as_bytes());
            conf_lines.push((c.byte() as usize, format!("aclfile {}", path.display())));
        }
        None => remove_file(dir, "users.acl"),
    }
    let conf_text = insert_lines(&conf_base, &conf_lines);
    let conf_name = if sentinel { "sentinel.conf" } else { "redis.conf" };
    remove_file(dir, if sentinel { "redis.conf" } else { "sentinel.conf" });
    let conf_path = write_file(dir, conf_name, conf_text.as_bytes());

    // Planted env lines go first, where no quote opened by the fuzzer's text can swallow them.
    let mut env_text = String::new();
    for (_, line) in &planted.env {
        env_text.push_str(line);
        env_text.push('\n');
    }
    env_text.push_str(env_base.as_deref().unwrap_or(""));
    let env_path = write_file(dir, "app.env", env_text.as_bytes());
    // The password must stay in the assignments planted for it: if the fuzzer's
    // text makes a planted line part of another variable, that is not a leak.
    if let Ok(entries) = dotenv::parse(&env_path, &env_text) {
        let planted_lines = planted.env.len();
        for entry in &entries {
            let span = env_text.get(entry.offset..entry.offset + entry.len).unwrap_or("");
            let holds = leak.find(span.as_bytes()).is_some();
            if holds && entry.line > planted_lines {
                return;
            }
        }
    }

    let baseline_path = dir.join("baseline.json");
    let plan = || RunPlan {
        inputs: Vec::new(),
        kind: None,
        configs: vec![conf_path.clone()],
        load: LoadOptions::default(),
        env_files: vec![env_path.clone()],
        process_env: false,
        probe: None,
        version: Some(target),
        profile: profile.to_string(),
        fail_on: None,
        select: Vec::new(),
        ignore: Vec::new(),
        settings: Settings::default(),
        rules: rules().clone(),
        baseline: None,
        write_baseline: write_baseline.then(|| baseline_path.clone()),
        today: "2025-06-30".into(),
    };
    let check = |what: &str, output: &str| {
        if let Some(at) = leak.find(output.as_bytes()) {
            let mut from = at.saturating_sub(160).min(output.len());
            while !output.is_char_boundary(from) {
                from -= 1;
            }
            let mut to = (at + 160).min(output.len());
            while !output.is_char_boundary(to) {
                to += 1;
            }
            panic!(
                "secret leak: {what} shows a piece of the planted password {secret:?}:\n...{}...",
                &output[from..to]
            );
        }
    };
    let outputs = time_oracle(data.len(), "run::execute and rendering every format", || {
        let mut outputs: Vec<(String, String)> = Vec::new();
        match run::execute(plan()) {
            Ok(output) => {
                for name in Format::NAMES {
                    let format: Format = name.parse().expect("a format name parses");
                    outputs.push((
                        format!("the {name} report"),
                        report::render(format, &output.model, false),
                    ));
                }
                outputs.push((
                    "the human report in colour".into(),
                    report::render(Format::Human, &output.model, true),
                ));
                if let Some(baseline) = output.new_baseline {
                    outputs.push(("the written baseline".into(), baseline));
                }
            }
            Err(RunError::Input(error)) => outputs.push(("the input error".into(), error.to_string())),
            Err(RunError::ProbeIncomplete(reason)) => outputs.push(("the probe error".into(), reason)),
        }
        outputs
    });
    for (what, output) in &outputs {
        check(what, output);
    }
});
