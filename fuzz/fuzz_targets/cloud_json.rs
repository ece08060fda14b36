//! The cloud-description reader on one JSON text: `deploy::kind::detect`
//! (which calls `cloud_json::is_description` on a `.json`), then
//! `deploy::cloud_json::read`, and `conf::load_pieces` on every instance.
//!
//! Oracles: no panic (nor stack overflow on deep nesting); each call's time
//! is near linear (`time_oracle`); an error names the position (`not valid
//! JSON`); the masked text has the input's length; every span an instance
//! carries (config lines, fact origins) is inside the text at character
//! boundaries; and a planted credential never shows: when every
//! `PLANTEDpw1` of the input is the value of an `AuthToken`, `password`,
//! `primaryKey` or `secondaryKey` key, written plainly (`"AuthToken":
//! "PLANTEDpw1`) or escaped inside a JSON string (`\"AuthToken\":
//! \"PLANTEDpw1`), it must not be in an error, in
//! `DeployFile.source.text`, in any fact, nor in the loader's copy of a file.
//!
//! `REDIS_PREFLIGHT_FUZZ_SKIP` names: `cloud-planted` turns the credential
//! check off, `cloud-load` the loading of the pieces.

#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_preflight::conf::catalog::Target;
use redis_preflight::conf::Piece;
use redis_preflight::deploy::{cloud_json, kind, DeployFile};
use redis_preflight::facts::{Origin, Value};
use redis_preflight_fuzz::{assert_span, load_instance, skipped, time_oracle};
use std::path::Path;

const PLANTED: &str = "PLANTEDpw1";
const KEYS: [&str; 4] = ["AuthToken", "password", "primaryKey", "secondaryKey"];

fuzz_target!(|data: &[u8]| {
    redis_preflight_fuzz::catch_stack_overflow();
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("/nonexistent/fuzz/describe.json");
    time_oracle(data.len(), "kind::detect", || kind::detect(path, text));
    time_oracle(data.len(), "cloud_json::is_description", || {
        cloud_json::is_description(text)
    });
    let planted = is_planted(text) && !skipped("cloud-planted");
    let file = match time_oracle(data.len(), "cloud_json::read", || {
        cloud_json::read(path, text, &Target::DEFAULT)
    }) {
        Ok(file) => file,
        Err(error) => {
            assert!(
                error.contains("not valid JSON"),
                "an error that is not a JSON error: {error}"
            );
            if planted {
                assert!(
                    !error.contains(PLANTED),
                    "the planted credential is in the error: {error}"
                );
            }
            return;
        }
    };
    check(text, &file, planted);
});

/// Whether the input has the credential and every copy of it is the value
/// of a secret key, written plainly or escaped inside a string.
fn is_planted(text: &str) -> bool {
    let copies = text.matches(PLANTED).count();
    let values = text
        .match_indices(PLANTED)
        .filter(|(at, _)| {
            let before = &text[..*at];
            KEYS.iter().any(|key| {
                before.ends_with(&format!("\"{key}\": \"")) || before.ends_with(&format!("\\\"{key}\\\": \\\""))
            })
        })
        .count();
    copies > 0 && copies == values
}

fn check(text: &str, file: &DeployFile, planted: bool) {
    let shown = &file.source.text;
    assert_eq!(shown.len(), text.len(), "masking keeps the byte length");
    if planted {
        if let Some(at) = shown.find(PLANTED) {
            let from = at.saturating_sub(60);
            let context = shown.get(from..(at + 80).min(shown.len())).unwrap_or("");
            panic!("secret leak: the planted credential is in the masked text at {at}: {context:?}");
        }
    }
    for instance in &file.instances {
        for (path, value, origin) in &instance.facts {
            if let Origin::File { offset, len, .. } = origin {
                assert_span(text, *offset, offset + len, &format_args!("fact {path}"));
            }
            if planted {
                let shown = match value {
                    Value::Str(s) => s.clone(),
                    Value::Unknown { unknown } => unknown.clone(),
                    Value::Reference { reference } => reference.clone(),
                    _ => String::new(),
                };
                assert!(
                    !shown.contains(PLANTED),
                    "secret leak: the planted credential is in fact {path}"
                );
            }
        }
        for piece in &instance.pieces {
            if let Piece::Lines { source, lines } = piece {
                assert_eq!(source.text.len(), text.len(), "a line's source is the masked text");
                for line in lines {
                    assert_span(&source.text, line.span.start, line.span.end, &"line");
                    for arg in &line.args {
                        assert_span(
                            &source.text,
                            arg.span.start,
                            arg.span.end,
                            &format_args!("`{}`", arg.value),
                        );
                        if planted {
                            assert!(
                                !arg.value.contains(PLANTED),
                                "secret leak: the planted credential is an argument"
                            );
                        }
                    }
                }
            }
        }
        if skipped("cloud-load") {
            continue;
        }
        let anchor = Path::new("/nonexistent/fuzz/anchor.json");
        let loaded = load_instance(text.len(), instance, anchor);
        if let Ok(parsed) = loaded {
            if planted {
                for source in &parsed.files {
                    assert!(
                        !source.text.contains(PLANTED),
                        "secret leak: the planted credential is in the loader's copy of {}",
                        source.path.display()
                    );
                }
            }
        }
    }
}
