//! `conf::load` with includes. The input is split on NUL bytes into a main
//! file and up to three more files, written into this process's scratch
//! directory; the main file gets `include` lines for them (one per file, or
//! one glob). Errors are fine; a panic is not, and neither is a span outside
//! its file or a secret argument that is not masked in the text a report shows.
//!
//! Input: `[marker flags] main \0 inc1 \0 inc2 \0 inc3`. A first byte below
//! 0x08 (text never starts with one) says the next byte holds flags:
//!   bits 0-2  release line (7.2, 6.0, 2.8, 5.0, 7.4, 8.0, valkey-8.0, valkey-7.2)
//!   bit 3     one `include …/inc*.conf` glob instead of one line per file
//!   bit 4     include lines first instead of last
//!   bit 5     the last extra file is the `aclfile`, not an include
//!   bit 6     main file named sentinel.conf (Sentinel mode)
//!   bit 7     relative include paths (resolved against the main file's directory)
//! Without a flags byte: Redis 7.2, one absolute include line per file, appended.
//!
//! `REDIS_PREFLIGHT_FUZZ_SKIP=conf-formfeed` passes over lines that hold a
//! form feed or vertical tab (a known masking bug).

#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_preflight::conf::catalog::{catalog, Target};
use redis_preflight::conf::{self, LoadOptions};
use redis_preflight::facts::Origin;
use redis_preflight_fuzz::{assert_span, remove_file, scratch_dir, skipped, split_parts, time_oracle, write_file};
use std::collections::HashSet;
use std::sync::OnceLock;

const LINES: [&str; 8] = ["7.2", "6.0", "2.8", "5.0", "7.4", "8.0", "valkey-8.0", "valkey-7.2"];
const HARDCODED_SECRETS: [&str; 5] = [
    "requirepass",
    "masterauth",
    "primaryauth",
    "tls-key-file-pass",
    "tls-client-key-file-pass",
];

fn targets() -> &'static Vec<Target> {
    static TARGETS: OnceLock<Vec<Target>> = OnceLock::new();
    TARGETS.get_or_init(|| LINES.iter().map(|l| Target::parse(l).expect("a known line")).collect())
}

fn secret_directives() -> &'static HashSet<String> {
    static NAMES: OnceLock<HashSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: HashSet<String> = catalog()
            .all()
            .iter()
            .filter(|d| d.secret)
            .map(|d| d.name.clone())
            .collect();
        names.extend(HARDCODED_SECRETS.iter().map(|s| s.to_string()));
        names
    })
}

fuzz_target!(|data: &[u8]| {
    redis_preflight_fuzz::catch_stack_overflow();
    let (flags, body) = match data {
        [marker, flags, rest @ ..] if *marker < 0x08 => (*flags, rest),
        [marker] if *marker < 0x08 => (0u8, &[][..]),
        _ => (0u8, data),
    };
    let target = targets()[usize::from(flags & 0b111)];
    let glob = flags & 0x08 != 0;
    let includes_first = flags & 0x10 != 0;
    let acl_last = flags & 0x20 != 0;
    let sentinel_name = flags & 0x40 != 0;
    let relative = flags & 0x80 != 0;

    let dir = scratch_dir("conf_load");
    let parts = split_parts(body, 4);
    let (main, extra) = parts.split_first().expect("splitn yields at least one part");
    let mut include_lines = String::new();
    let mut acl_line = String::new();
    for index in 1..=3 {
        let name = format!("inc{index}.conf");
        match extra.get(index - 1) {
            Some(bytes) => {
                write_file(dir, &name, bytes);
                let shown = if relative {
                    name.clone()
                } else {
                    dir.join(&name).display().to_string()
                };
                if acl_last && index == extra.len() {
                    acl_line = format!("aclfile {shown}\n");
                } else if !glob {
                    include_lines.push_str(&format!("include {shown}\n"));
                }
            }
            None => remove_file(dir, &name),
        }
    }
    if glob && !extra.is_empty() {
        let pattern = if relative {
            "inc*.conf".to_string()
        } else {
            dir.join("inc*.conf").display().to_string()
        };
        include_lines.push_str(&format!("include {pattern}\n"));
    }
    include_lines.push_str(&acl_line);
    let mut main_text: Vec<u8> = Vec::with_capacity(main.len() + include_lines.len() + 1);
    if includes_first {
        main_text.extend_from_slice(include_lines.as_bytes());
        main_text.extend_from_slice(main);
    } else {
        main_text.extend_from_slice(main);
        if !main.is_empty() && !main.ends_with(b"\n") {
            main_text.push(b'\n');
        }
        main_text.extend_from_slice(include_lines.as_bytes());
    }
    let main_name = if sentinel_name { "sentinel.conf" } else { "redis.conf" };
    remove_file(dir, if sentinel_name { "redis.conf" } else { "sentinel.conf" });
    let path = write_file(dir, main_name, &main_text);

    let options = LoadOptions::default();
    let loaded = time_oracle(data.len(), "conf::load", || conf::load(&path, target, &options));
    let Ok(parsed) = loaded else { return };

    let text_of = |file: &std::path::Path| parsed.files.iter().find(|f| f.path.as_path() == file).map(|f| &f.text);
    let check_origin = |origin: &Origin, what: &dyn std::fmt::Display| {
        if let Origin::File {
            file,
            offset,
            len,
            line,
            column,
        } = origin
        {
            let text =
                text_of(file).unwrap_or_else(|| panic!("{what}: origin in {} which was not read", file.display()));
            assert_span(text, *offset, offset + len, what);
            assert!(*line >= 1 && *column >= 1, "{what}: line/column are 1-based");
        }
    };
    let text_of_line = |directive: &conf::DirectiveLine| {
        let shown = &parsed.files[directive.file].text;
        shown.split('\n').nth(directive.line - 1).unwrap_or("").to_string()
    };
    for directive in &parsed.directives {
        // Known: a form feed or vertical tab in the line (a blank between arguments to
        // redis-server, but part of an unquoted argument such as `>ab<FF>cd`).
        if skipped("conf-formfeed") && text_of_line(directive).contains(['\x0b', '\x0c']) {
            continue;
        }
        let what = format_args!("directive {} line {}", directive.name, directive.line);
        check_origin(&directive.origin, &what);
        let shown = &parsed.files[directive.file].text;
        for arg in &directive.args {
            assert_span(shown, arg.span.start, arg.span.end, &what);
        }
        // The text a report shows must hide every secret argument.
        let masked = |arg: &conf::lexer::Arg| shown[arg.span.clone()].chars().all(|c| c == '*' || c.is_whitespace());
        let canonical = directive.canonical.as_deref().unwrap_or("");
        if secret_directives().contains(canonical) {
            for arg in &directive.args {
                assert!(
                    masked(arg),
                    "secret leak: an argument of `{}` is shown unmasked at {}:{}: {:?}",
                    directive.name,
                    parsed.files[directive.file].path.display(),
                    directive.line,
                    &shown[arg.span.clone()]
                );
            }
        }
        if canonical == "user" {
            for arg in directive.args.iter().skip(1) {
                if arg.value.starts_with(['>', '<']) {
                    assert!(
                        masked(arg),
                        "secret leak: the ACL password {:?} of a `user` line is shown unmasked at {}:{}: {:?}",
                        arg.value,
                        parsed.files[directive.file].path.display(),
                        directive.line,
                        &shown[arg.span.clone()]
                    );
                }
            }
        }
        if canonical == "sentinel" {
            let sub = directive.args.first().map(|a| a.value.to_ascii_lowercase());
            let password = match (sub.as_deref(), directive.args.len()) {
                (Some("auth-pass"), 3) => directive.args.get(2),
                (Some("sentinel-pass"), 2) => directive.args.get(1),
                _ => None,
            };
            if let Some(arg) = password {
                assert!(
                    masked(arg),
                    "secret leak: a Sentinel password is shown unmasked at {}:{}: {:?}",
                    parsed.files[directive.file].path.display(),
                    directive.line,
                    &shown[arg.span.clone()]
                );
            }
        }
    }
    for diagnostic in &parsed.diagnostics {
        check_origin(&diagnostic.origin, &format_args!("diagnostic {:?}", diagnostic.message));
    }
    for file in &parsed.files {
        assert!(
            !file.text.is_empty() || file.path.as_path() != path.as_path(),
            "the main file is not empty"
        );
    }
});
