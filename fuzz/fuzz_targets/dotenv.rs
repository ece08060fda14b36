//! The dotenv parser, then the env-file reader that masks secrets as the text
//! enters (`env::read_env_files`, from a file in the scratch directory).
//!
//! Oracles: no panic; every entry's spans are inside the text at character
//! boundaries; and a secret value (a variable whose name says secret, or the
//! password of a URL value) that is written verbatim exactly once, inside its
//! own assignment, does not survive in the masked text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_preflight::env::{self, dotenv, redis_url};
use redis_preflight_fuzz::{assert_span, scratch_dir, time_oracle, write_file};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    redis_preflight_fuzz::catch_stack_overflow();
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let path = Path::new("fuzz.env");
    let entries = match time_oracle(data.len(), "dotenv::parse", || dotenv::parse(path, text)) {
        Ok(entries) => entries,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let mut previous_line = 0;
    for entry in &entries {
        let what = format_args!("{} (line {})", entry.name, entry.line);
        assert!(entry.line > previous_line, "{what}: lines must increase");
        previous_line = entry.line;
        assert!(entry.column >= 1, "{what}: columns are 1-based");
        assert_span(text, entry.offset, entry.offset + entry.len, &what);
        assert!(
            entry.offset <= entry.value_offset && entry.value_offset <= entry.offset + entry.len,
            "{what}: the value at {} is outside the assignment {}..{}",
            entry.value_offset,
            entry.offset,
            entry.offset + entry.len
        );
        assert!(
            text.is_char_boundary(entry.value_offset),
            "{what}: value offset splits a character"
        );
        assert!(
            text[entry.offset..].starts_with(&entry.name),
            "{what}: the span starts with the name"
        );
    }

    // The same text through the reader that masks it (which refuses NUL bytes).
    if text.contains('\0') {
        return;
    }
    let dir = scratch_dir("dotenv");
    let file = write_file(dir, "fuzz.env", text.as_bytes());
    let (vars, sources) = match env::read_env_files(std::slice::from_ref(&file)) {
        Ok(read) => read,
        Err(error) => panic!("dotenv::parse accepted the text but read_env_files failed: {error}"),
    };
    assert_eq!(sources.len(), 1);
    let shown = &sources[0].text;
    assert_eq!(shown.len(), text.len(), "masking keeps the byte length");
    assert_eq!(
        vars.len(),
        entries
            .iter()
            .filter(|e| env::is_relevant(&e.name) || env::is_redis_url(&e.value))
            .count(),
        "one variable per relevant entry"
    );
    for entry in &entries {
        let mut secrets: Vec<String> = Vec::new();
        if env::is_secret_name(&entry.name) {
            secrets.push(entry.value.clone());
        } else if let Ok(url) = redis_url::parse(&entry.value) {
            secrets.extend(url.password);
        }
        let region = entry.offset..entry.offset + entry.len;
        // A secret made of `*` would be found in any masked text.
        for secret in secrets.iter().filter(|s| s.trim().len() >= 4 && !s.contains('*')) {
            let found: Vec<usize> = text.match_indices(secret.as_str()).map(|(at, _)| at).collect();
            // Only when the one place it is written is inside this assignment:
            // anywhere else it is some other value that happens to be equal.
            if found.len() == 1 && region.contains(&found[0]) && found[0] + secret.len() <= region.end {
                assert!(
                    !shown.contains(secret.as_str()),
                    "secret leak: the value of {} (line {}) is not masked in the env file text: {:?}",
                    entry.name,
                    entry.line,
                    &shown[region.clone()]
                );
            }
        }
    }
});
