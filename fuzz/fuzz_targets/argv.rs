//! redis-server's command line: `conf::argv::parse`, then `conf::load_pieces`
//! with the options as `Piece::Lines` (and a small config file when the
//! command line names one). The input is split on NUL bytes into arguments
//! (an argument never holds a NUL), which become `Word`s of a source text: the
//! arguments joined with spaces, or each in double quotes and read as not
//! verbatim (a YAML string whose text differs from the source).
//!
//! Oracles: no panic; every line, argument and diagnostic position is inside
//! the source text at character boundaries; one execution of an input under
//! 1 MB takes less than a second (twice in a row), else it is a non-linear-time
//! finding; and a planted `--requirepass` value is never in a diagnostic's
//! message or subject, whatever the command line made of it (but an ACL rule of
//! a `user` line, which the ACL parser names when it is invalid), nor in the
//! source text a report shows where an option holds it (`LeakCheck`: any 7
//! consecutive characters of it).
//!
//! Input: `[marker flags position] arg \0 arg \0 ...`. A first byte below 0x08
//! (an argument rarely starts with one) says the next two bytes are control:
//!   flags bits 0-2  release line (7.2, 6.2, 7.0, 5.0, 7.4, 8.0, valkey-8.0, 2.8)
//!   flags bit 3     plant `--requirepass <password>` before the argument at `position`
//!   flags bit 4     as one argument `--requirepass <password>`
//!   flags bit 5     the arguments are quoted in the source (not verbatim)
//!   flags bit 6     the last argument's value cannot be read here (opaque)
//! Without the control bytes: Redis 7.2, verbatim, the password planted last.
//!
//! `REDIS_PREFLIGHT_FUZZ_SKIP=argv-leak` turns the leak oracle off (to fuzz
//! past a leak that is already known).

#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_preflight::conf::argv::{self, Word};
use redis_preflight::conf::catalog::Target;
use redis_preflight::conf::{self, LoadOptions, Opaque, Piece, SourceFile};
use redis_preflight::facts::Origin;
use redis_preflight_fuzz::{assert_span, scratch_dir, skipped, time_oracle, write_file, LeakCheck};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

const LINES: [&str; 8] = ["7.2", "6.2", "7.0", "5.0", "7.4", "8.0", "valkey-8.0", "2.8"];

/// Two alphanumeric runs around characters that need quoting or escaping.
const PASSWORD: &str = "Fz9ArgvSecret \"q'\\ Planted77";

fn targets() -> &'static Vec<Target> {
    static TARGETS: OnceLock<Vec<Target>> = OnceLock::new();
    TARGETS.get_or_init(|| LINES.iter().map(|l| Target::parse(l).expect("a known line")).collect())
}

fn leak_check() -> &'static LeakCheck {
    static CHECK: OnceLock<LeakCheck> = OnceLock::new();
    CHECK.get_or_init(|| LeakCheck::new(PASSWORD))
}

fuzz_target!(|data: &[u8]| {
    redis_preflight_fuzz::catch_stack_overflow();
    let (flags, position, body) = match data {
        [marker, flags, position, rest @ ..] if *marker < 0x08 => (*flags, usize::from(*position), rest),
        [marker, ..] if *marker < 0x08 => return,
        _ => (0x08, usize::MAX, data),
    };
    let target = targets()[usize::from(flags & 0b111)];
    let plant = flags & 0x08 != 0;
    let joined = flags & 0x10 != 0;
    let quoted = flags & 0x20 != 0;
    let opaque_last = flags & 0x40 != 0;

    let mut args: Vec<String> = if body.is_empty() {
        Vec::new()
    } else {
        body.split(|b| *b == 0)
            .map(|part| String::from_utf8_lossy(part).into_owned())
            .collect()
    };
    // The password, unless the input holds a piece of it already (then a
    // "leak" may be the input's own text).
    let plant = plant && leak_check().find(body).is_none();
    let planted_at = position.min(args.len());
    if plant {
        if joined {
            args.insert(planted_at, format!("--requirepass {PASSWORD}"));
        } else {
            args.insert(planted_at, "--requirepass".to_string());
            args.insert(planted_at + 1, PASSWORD.to_string());
        }
    }

    // The source text and the words in it.
    let mut text = String::new();
    let mut words = Vec::with_capacity(args.len());
    for (index, arg) in args.iter().enumerate() {
        let start = text.len();
        let mut word = if quoted {
            text.push('"');
            text.push_str(arg);
            text.push('"');
            Word {
                text: arg.clone(),
                span: start..text.len(),
                verbatim: false,
                opaque: None,
            }
        } else {
            text.push_str(arg);
            Word::plain(arg, start)
        };
        if opaque_last && index + 1 == args.len() {
            word.opaque = Some(Opaque::Unknown("set from an unset variable".into()));
        }
        text.push(' ');
        words.push(word);
    }

    let dir = scratch_dir("argv");
    let anchor = dir.join("command-line");
    // A config file argument is read from the scratch directory, whatever its
    // name (never a path the input chooses: /dev/zero would never end).
    static CONFIG_FILE: OnceLock<PathBuf> = OnceLock::new();
    let config_file = CONFIG_FILE.get_or_init(|| write_file(dir, "argv.conf", b"port 6380\nmaxmemory 1gb\n"));
    let source = SourceFile {
        path: Arc::new(anchor.clone()),
        text: Arc::from(text.as_str()),
    };

    let (command_line, loaded) = time_oracle(data.len(), "argv::parse and load_pieces", || {
        let command_line = argv::parse(&words, &target);
        let mut pieces = Vec::new();
        if command_line.config_file.is_some() {
            pieces.push(Piece::File(config_file.clone()));
        }
        pieces.push(Piece::Lines {
            source: source.clone(),
            lines: command_line.lines.clone(),
        });
        let options = LoadOptions {
            sentinel: command_line.sentinel,
            ..LoadOptions::default()
        };
        let loaded = conf::load_pieces(&anchor, pieces, target, &options);
        (command_line, loaded)
    });

    // Positions: every line and argument points into the source text.
    for (index, line) in command_line.lines.iter().enumerate() {
        let what = format_args!("argv line {index}");
        assert!(!line.args.is_empty(), "{what}: a line without words");
        assert_span(&text, line.span.start, line.span.end, &what);
        for arg in &line.args {
            assert_span(&text, arg.span.start, arg.span.end, &what);
        }
    }
    if let Some(file) = &command_line.config_file {
        assert_span(&text, file.span.start, file.span.end, &"the config file argument");
    }
    let parsed = match loaded {
        Ok(parsed) => parsed,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let shown_of = |file: &Path| parsed.files.iter().find(|f| f.path.as_path() == file).map(|f| &f.text);
    for diagnostic in &parsed.diagnostics {
        if let Origin::File {
            file,
            offset,
            len,
            line,
            column,
        } = &diagnostic.origin
        {
            let what = format_args!("diagnostic {:?}", diagnostic.message);
            let shown = shown_of(file).unwrap_or_else(|| panic!("{what}: in {}, which was not read", file.display()));
            assert_span(shown, *offset, offset + len, &what);
            assert!(*line >= 1 && *column >= 1, "{what}: line/column are 1-based");
        }
    }

    // The planted password: never in a diagnostic, whatever the command line
    // made of it (but an ACL rule: `--user --requirepass pw` from 7.0 is a user
    // `--requirepass` with the rule `pw`, and an invalid rule is named in its
    // error); never in the text a report shows of an option that holds it.
    if !plant || skipped("argv-leak") {
        return;
    }
    let holds_password = |line: &conf::ArgLine| {
        line.args
            .iter()
            .any(|a| leak_check().find(a.value.as_bytes()).is_some())
    };
    let acl_rule = command_line
        .lines
        .iter()
        .any(|line| line.args.first().is_some_and(|a| a.value.eq_ignore_ascii_case("user")) && holds_password(line));
    if !acl_rule {
        for diagnostic in &parsed.diagnostics {
            for (what, said) in [("message", &diagnostic.message), ("subject", &diagnostic.subject)] {
                if let Some(at) = leak_check().find(said.as_bytes()) {
                    panic!(
                        "secret leak: a diagnostic's {what} shows the planted --requirepass value at {at}: \
                         {said:?} (arguments {args:?})"
                    );
                }
            }
        }
    }
    // Where the password is written in the source text.
    let password_span = if joined {
        let word = &words[planted_at];
        let quote = usize::from(quoted);
        word.span.start + quote + "--requirepass ".len()..word.span.end - quote
    } else {
        words[planted_at + 1].span.clone()
    };
    let read = command_line
        .lines
        .iter()
        .any(|line| line.span.start <= password_span.start && password_span.end <= line.span.end);
    if !read {
        return;
    }
    if let Some(shown) = shown_of(&anchor) {
        let written = &shown[password_span.clone()];
        if let Some(at) = leak_check().find(written.as_bytes()) {
            panic!(
                "secret leak: the command line a report shows has the planted --requirepass value at {at}: \
                 {shown:?} (arguments {args:?})"
            );
        }
    }
});
