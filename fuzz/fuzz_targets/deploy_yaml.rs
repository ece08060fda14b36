//! The deployment-file readers on one YAML text: `deploy::kind::detect`,
//! then `deploy::compose::read`, `deploy::kubernetes::read` and
//! `deploy::helm::read` (each given a path under a directory that does not
//! exist, so no `.env` or mounted file is found), and `conf::load_pieces`
//! on every instance they find.
//!
//! Oracles: no panic; each reader's time is near linear (`time_oracle`);
//! the masked text has the input's length; every span an instance carries
//! (config lines, embedded configs) is inside the text at character
//! boundaries; and a planted password never shows: when every
//! `PLANTEDpw1` of the input is written as the option `--requirepass
//! PLANTEDpw1` (a word of its own, see `is_planted`), it
//! must not be in `DeployFile.source.text`, nor in the text of any file the
//! config loader shows.
//!
//! `REDIS_PREFLIGHT_FUZZ_SKIP` names: `deploy-planted` turns the password
//! check off, `deploy-load` the loading of the pieces.

#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_preflight::conf::catalog::Target;
use redis_preflight::conf::Piece;
use redis_preflight::deploy::{self, compose, helm, kind, kubernetes, DeployFile};
use redis_preflight_fuzz::{assert_span, load_instance, skipped, time_oracle};
use std::path::Path;

const PLANTED: &str = "PLANTEDpw1";
const PLANTED_OPTION: &str = "--requirepass PLANTEDpw1";

type Reader = fn(&Path, &str, &Target) -> Result<DeployFile, String>;

const READERS: [(&str, &str, Reader); 3] = [
    ("compose::read", "/nonexistent/fuzz/docker-compose.yml", compose::read),
    ("kubernetes::read", "/nonexistent/fuzz/manifests.yaml", kubernetes::read),
    ("helm::read", "/nonexistent/fuzz/values.yaml", helm::read),
];

fuzz_target!(|data: &[u8]| {
    redis_preflight_fuzz::catch_stack_overflow();
    // The readers get text as `textfile::read_text_file` gives it: UTF-8.
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["docker-compose.yml", "manifests.yaml", "values.yaml", "deploy"] {
        let path = Path::new("/nonexistent/fuzz").join(name);
        time_oracle(data.len(), "kind::detect", || kind::detect(&path, text));
    }
    let planted = is_planted(text);
    for (what, path, read) in READERS {
        let path = Path::new(path);
        let file = match time_oracle(data.len(), what, || read(path, text, &Target::DEFAULT)) {
            Ok(file) => file,
            Err(error) => {
                assert!(!error.is_empty(), "{what}: an empty error");
                if planted && !skipped("deploy-planted") {
                    assert!(
                        !error.contains(PLANTED),
                        "{what}: the planted password is in its error: {error}"
                    );
                }
                continue;
            }
        };
        check(what, text, &file, planted);
    }
});

/// Whether the input has the password and every copy of it is written as
/// an option of its own: `--requirepass PLANTEDpw1` between blanks, quotes
/// or YAML flow punctuation (`Redis--requirepass PLANTEDpw1x` is no option).
fn is_planted(text: &str) -> bool {
    let copies = text.matches(PLANTED).count();
    let options = text
        .match_indices(PLANTED_OPTION)
        .filter(|(at, _)| {
            let before = text[..*at].chars().next_back();
            let after = text[at + PLANTED_OPTION.len()..].chars().next();
            before.is_none_or(|c| c.is_whitespace() || "\"'[,{".contains(c))
                && after.is_none_or(|c| c.is_whitespace() || "\"']},;&|".contains(c))
        })
        .count();
    copies > 0 && copies == options
}

fn check(what: &str, text: &str, file: &DeployFile, planted: bool) {
    let shown = &file.source.text;
    assert_eq!(shown.len(), text.len(), "{what}: masking keeps the byte length");
    if planted && !skipped("deploy-planted") {
        if let Some(at) = shown.find(PLANTED) {
            let from = at.saturating_sub(60);
            let context = shown.get(from..(at + 80).min(shown.len())).unwrap_or("");
            panic!("{what}: secret leak: the planted password is in the masked text at {at}: {context:?}");
        }
    }
    for instance in &file.instances {
        for piece in &instance.pieces {
            match piece {
                Piece::Lines { source, lines } => {
                    for line in lines {
                        assert_span(
                            &source.text,
                            line.span.start,
                            line.span.end,
                            &format_args!("{what}: line"),
                        );
                        for arg in &line.args {
                            assert_span(
                                &source.text,
                                arg.span.start,
                                arg.span.end,
                                &format_args!("{what}: `{}`", arg.value),
                            );
                        }
                    }
                }
                Piece::Embedded { source, lex_text } => {
                    assert_eq!(
                        lex_text.len(),
                        source.text.len(),
                        "{what}: an embedded config keeps the length"
                    );
                }
                Piece::File(_) | Piece::Unseen(_) => {}
            }
        }
        if skipped("deploy-load") {
            continue;
        }
        let anchor = Path::new("/nonexistent/fuzz/anchor.yaml");
        let loaded = load_instance(text.len(), instance, anchor);
        if let Ok(parsed) = loaded {
            if planted && !skipped("deploy-planted") {
                for source in &parsed.files {
                    assert!(
                        !source.text.contains(PLANTED),
                        "{what}: secret leak: the planted password is in the loader's copy of {}",
                        source.path.display()
                    );
                }
            }
        }
    }
    let _ = deploy::id_path(Path::new(what));
}
