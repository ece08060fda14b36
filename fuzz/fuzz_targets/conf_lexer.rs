//! The redis.conf lexer over arbitrary text: no panic, and every span it
//! returns points into the text at character boundaries (diagnostics,
//! snippets and secret masking all slice the text with them).

#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_preflight::conf::lexer;
use redis_preflight_fuzz::assert_span;

fuzz_target!(|data: &[u8]| {
    redis_preflight_fuzz::catch_stack_overflow();
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let mut previous = 0usize;
    for line in lexer::directive_lines(text) {
        assert!(line.number > previous, "line numbers must increase");
        previous = line.number;
        let end = line.start + line.text.len();
        assert_span(text, line.start, end, &format_args!("line {}", line.number));
        assert_eq!(
            &text[line.start..end],
            line.text,
            "a line's text is the text at its span"
        );
        assert!(!line.text.starts_with('#'), "comment lines are skipped");
        match lexer::split_args(&line) {
            Ok(args) => {
                for arg in args {
                    assert_span(
                        text,
                        arg.span.start,
                        arg.span.end,
                        &format_args!("argument {:?}", arg.value),
                    );
                    assert!(
                        line.start <= arg.span.start && arg.span.end <= end,
                        "argument {:?} at {:?} is outside its line {}..{end}",
                        arg.value,
                        arg.span,
                        line.start
                    );
                    assert!(!arg.span.is_empty(), "an argument spans at least one byte");
                    if !arg.quoted {
                        assert_eq!(arg.value, &text[arg.span.clone()], "an unquoted argument is its text");
                    }
                }
            }
            Err(error) => {
                assert!(
                    line.start <= error.at && error.at < end,
                    "lex error at {} is outside its line {}..{end}",
                    error.at,
                    line.start
                );
                assert!(!error.message().is_empty());
            }
        }
    }
    let mut expected_start = 0usize;
    for (number, start, raw) in lexer::all_lines(text) {
        assert!(number >= 1);
        assert_eq!(start, expected_start, "all_lines covers the text without gaps");
        assert_eq!(&text[start..start + raw.len()], raw);
        expected_start = start + raw.len() + 1;
    }
});
