//! The Terraform reader on one text: `deploy::terraform::read` as a `.tf`,
//! a `.tfvars` and a `.tfvars.json` (each given a path under a directory
//! that does not exist, so no sibling file is found).
//!
//! Oracles: no panic; the read's time is near linear (`time_oracle`); the
//! masked text has the input's length; every span an instance carries
//! (config lines, fact origins) is inside the text at character boundaries;
//! and a planted password never shows: when every `PLANTEDpw1` of the input
//! is on a line of its own written `auth_token = "PLANTEDpw1"` (see
//! `is_planted`), it must not be in `DeployFile.source.text`, in an error,
//! in any fact (the `managed.says.*` texts, unknown reasons) or in the
//! reason a config line is opaque.
//!
//! `REDIS_PREFLIGHT_FUZZ_SKIP=terraform-planted` turns the password check off.

#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_preflight::conf::catalog::Target;
use redis_preflight::conf::{Opaque, Piece};
use redis_preflight::deploy::terraform::{self, DirCache};
use redis_preflight::deploy::DeployFile;
use redis_preflight::facts::Origin;
use redis_preflight_fuzz::{assert_span, skipped, time_oracle};
use std::path::Path;

const PLANTED: &str = "PLANTEDpw1";
const PLANTED_LINE: &str = "auth_token = \"PLANTEDpw1\"";

const PATHS: [&str; 3] = [
    "/nonexistent/fuzz/main.tf",
    "/nonexistent/fuzz/prod.tfvars",
    "/nonexistent/fuzz/terraform.tfvars.json",
];

fuzz_target!(|data: &[u8]| {
    redis_preflight_fuzz::catch_stack_overflow();
    // The reader gets text as `textfile::read_text_file` gives it: UTF-8.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let planted = is_planted(text) && !skipped("terraform-planted");
    for path in PATHS {
        let path = Path::new(path);
        let read = time_oracle(data.len(), "terraform::read", || {
            terraform::read(path, text, &Target::DEFAULT, &mut DirCache::default())
        });
        match read {
            Ok(file) => check(path, text, &file, planted),
            Err(error) => {
                assert!(!error.is_empty(), "{}: an empty error", path.display());
                assert!(
                    error.starts_with(&path.display().to_string()),
                    "the error names the file: {error}"
                );
                if planted {
                    assert!(
                        !error.contains(PLANTED),
                        "secret leak: the planted password is in the error: {error}"
                    );
                }
            }
        }
    }
});

/// Whether the input has the password and every copy of it is on a line
/// that is only `auth_token = "PLANTEDpw1"` (blanks around it allowed).
fn is_planted(text: &str) -> bool {
    let copies = text.matches(PLANTED).count();
    let lines = text
        .split('\n')
        .filter(|line| line.trim_matches([' ', '\t', '\r']) == PLANTED_LINE)
        .count();
    copies > 0 && copies == lines
}

fn check(path: &Path, text: &str, file: &DeployFile, planted: bool) {
    let what = path.display();
    let shown = &file.source.text;
    assert_eq!(shown.len(), text.len(), "{what}: masking keeps the byte length");
    if planted {
        if let Some(at) = shown.find(PLANTED) {
            let from = at.saturating_sub(60);
            let context = shown.get(from..(at + 80).min(shown.len())).unwrap_or("");
            panic!("{what}: secret leak: the planted password is in the masked text at {at}: {context:?}");
        }
    }
    for instance in &file.instances {
        for (name, value, origin) in &instance.facts {
            if let Origin::File { offset, len, .. } = origin {
                assert_span(shown, *offset, offset + len, &format_args!("{what}: fact {name}"));
            }
            if planted {
                let shown_value = format!("{value:?}");
                assert!(
                    !shown_value.contains(PLANTED),
                    "{what}: secret leak: the planted password is in fact {name}: {shown_value}"
                );
            }
        }
        for piece in &instance.pieces {
            let Piece::Lines { source, lines } = piece else {
                continue;
            };
            for line in lines {
                assert_span(
                    &source.text,
                    line.span.start,
                    line.span.end,
                    &format_args!("{what}: line"),
                );
                let directive = line.args.first().map(|a| a.value.as_str()).unwrap_or("");
                for (index, arg) in line.args.iter().enumerate() {
                    // Never the value in a message: it may be the planted password.
                    assert_span(
                        &source.text,
                        arg.span.start,
                        arg.span.end,
                        &format_args!("{what}: argument {index} of `{directive}`"),
                    );
                }
                if planted {
                    if let Some(Opaque::Unknown(reason) | Opaque::Reference(reason)) = &line.opaque {
                        assert!(
                            !reason.contains(PLANTED),
                            "{what}: secret leak: the planted password is in why a line is opaque: {reason}"
                        );
                    }
                }
            }
        }
    }
}
