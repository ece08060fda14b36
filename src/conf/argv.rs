//! redis-server's command line, as `main()` in `server.c` reads it:
//! `redis-server [config-file] [--directive args ...]`. A first argument
//! that does not start with `-` is the config file (before 6.2: with `--`);
//! a bare `-` (first, or from 6.2 last) reads the config from stdin; every
//! `--name` starts a config line and the arguments after it become its
//! (quoted) values, so the options are parsed as lines appended to the file,
//! by the same parser and catalog. The name's text is copied as is: a newline
//! in it starts another line, and a `#` line is a comment, values included.

use super::catalog::Target;
use super::lexer::{self, Arg};
use super::{ArgLine, Opaque};
use std::ops::Range;

/// One argument of the command line, with where it is written.
#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    /// The argument in its source file (a YAML string or list item).
    pub span: Range<usize>,
    /// True when `text` is exactly the bytes at `span` (a plain word), so
    /// positions inside it can be pointed at too.
    pub verbatim: bool,
    /// The value cannot be read here (`${REDIS_PASSWORD}` not set).
    pub opaque: Option<Opaque>,
}

impl Word {
    pub fn plain(text: &str, start: usize) -> Word {
        Word {
            text: text.to_string(),
            span: start..start + text.len(),
            verbatim: true,
            opaque: None,
        }
    }
}

/// What a command line asks redis-server to read.
#[derive(Debug, Clone, Default)]
pub struct CommandLine {
    /// The config file argument, as written (a path inside the container).
    pub config_file: Option<Word>,
    /// A bare `-`: the config comes from stdin, which a file cannot show.
    pub reads_stdin: bool,
    /// An argument exactly `--sentinel` (or a `redis-sentinel` program, which
    /// the caller knows): Sentinel mode. redis-server refuses to start in it
    /// without a config file, before it reads any option: say so when
    /// `config_file` is `None`.
    pub sentinel: bool,
    /// The options as config lines, in order.
    pub lines: Vec<ArgLine>,
}

/// Whether a program name runs redis-server (or Valkey's, or Sentinel).
pub fn is_server_program(program: &str) -> bool {
    let base = program.rsplit('/').next().unwrap_or(program);
    matches!(
        base,
        "redis-server" | "valkey-server" | "redis-sentinel" | "valkey-sentinel" | "redis-stack-server"
    )
}

/// Reads the arguments after the program name. Before 7.0 every argument
/// that starts with `--` starts a new option (before 6.2 but `--check-rdb`,
/// which was skipped); from 7.0 an option name alone
/// takes the next argument as its value even when that starts with `--`
/// (`--requirepass --x` sets the password `--x`), except `--save` and
/// `--sentinel`, which take nothing before another option.
pub fn parse(args: &[Word], target: &Target) -> CommandLine {
    let mut out = CommandLine::default();
    let modern = target.major >= 7;
    // From 6.2: the config file and stdin as 7.0 reads them.
    let since_6_2 = (target.major, target.minor) >= (6, 2);
    // `checkForSentinelMode`: any argument exactly `--sentinel` (case-sensitive; even one
    // read as a value, as in `--requirepass --sentinel`).
    out.sentinel = args.iter().any(|w| w.text == "--sentinel");
    let mut rest = args;
    if let Some(first) = args.first() {
        // From 6.2 the config file is a first argument that does not start with `-`;
        // before, one that does not start with `--`, and the file `-` was stdin.
        if !since_6_2 && first.text == "-" {
            out.reads_stdin = true;
            rest = &args[1..];
        } else if !first.text.starts_with(if since_6_2 { "-" } else { "--" }) {
            out.config_file = Some(first.clone());
            rest = &args[1..];
        }
    }
    let mut current: Option<LineBuilder> = None;
    // From 7.0: false after an option name alone, whose value comes next.
    let mut handled_last = true;
    let last_index = rest.len().saturating_sub(1);
    let no_file = out.config_file.is_none();
    for (index, word) in rest.iter().enumerate() {
        let text = word.text.as_str();
        // From 6.2, `-` right after the program or last reads stdin.
        let stdin_place = since_6_2 && ((no_file && index == 0) || index == last_index);
        if text == "-" && stdin_place {
            out.reads_stdin = true;
            continue;
        }
        let is_name = text.starts_with("--") && (!modern || handled_last);
        if is_name {
            if !since_6_2 && text == "--check-rdb" {
                continue;
            }
            if let Some(line) = current.take() {
                out.lines.extend(line.finish());
            }
            current = Some(LineBuilder::start(word));
            if modern {
                let words = name_word_count(text);
                handled_last = words != 1;
                if words == 1 {
                    let next_is_name = rest.get(index + 1).is_some_and(|n| n.text.starts_with("--"));
                    let lower = text.to_ascii_lowercase();
                    if lower == "--save" && (next_is_name || index == last_index) {
                        // `--save` before another option (or last) means `save ""`.
                        if let Some(line) = current.as_mut() {
                            line.push_empty(word);
                        }
                        handled_last = true;
                    } else if lower == "--sentinel" && next_is_name {
                        handled_last = true;
                    }
                }
            }
        } else {
            match current.as_mut() {
                Some(line) => line.push_value(word),
                // A value before any option: redis-server appends it to
                // an empty first line, where it becomes the directive name.
                None => {
                    let mut line = LineBuilder::empty(word);
                    line.push_value(word);
                    current = Some(line);
                }
            }
            handled_last = true;
        }
    }
    if let Some(line) = current.take() {
        out.lines.extend(line.finish());
    }
    out
}

/// How many words `sdssplitargs` finds in an option argument (`--port 6380`
/// is two); 0 when it cannot split it (an unbalanced quote).
fn name_word_count(name: &str) -> usize {
    let line = lexer::Line {
        number: 1,
        start: 0,
        text: name,
    };
    lexer::split_args(&line).map(|args| args.len()).unwrap_or(0)
}

/// One config line of an option name's text (the text after `--`, split at
/// its newlines as redis-server splits the config at them).
struct Segment {
    /// The line's text without its leading blanks; what follows it on the
    /// line (the values) comes after its trailing ones.
    text: String,
    /// Its words, or why `sdssplitargs` cannot split it.
    args: Result<Vec<Arg>, String>,
    /// A `#` line: redis-server skips it, with any values after it.
    comment: bool,
}

/// One option being collected: the name's text (raw, as redis-server copies
/// it into the config) and its values (each one argument, as `sdscatrepr`
/// quotes it).
struct LineBuilder {
    /// Config lines the name's text holds: a name with a newline in it
    /// starts more than one (rare, but it is what redis-server does). The
    /// values are appended to the last one.
    segments: Vec<Segment>,
    values: Vec<Arg>,
    /// The name word.
    name_span: Range<usize>,
    /// The whole option, name and values.
    span: Range<usize>,
    opaque: Option<Opaque>,
}

impl LineBuilder {
    fn empty(word: &Word) -> LineBuilder {
        LineBuilder {
            segments: vec![Segment {
                text: String::new(),
                args: Ok(Vec::new()),
                comment: false,
            }],
            values: Vec::new(),
            name_span: word.span.clone(),
            span: word.span.clone(),
            opaque: None,
        }
    }

    fn start(word: &Word) -> LineBuilder {
        let name = &word.text[2..];
        let mut segments = Vec::new();
        let mut offset = 2;
        for segment in name.split('\n') {
            let trimmed_front = segment.trim_start_matches([' ', '\t', '\r']);
            let lead = segment.len() - trimmed_front.len();
            let text = trimmed_front.trim_end_matches([' ', '\t', '\r']);
            let start_in_word = offset + lead;
            let args = split_in_word(word, text, start_in_word);
            segments.push(Segment {
                text: trimmed_front.to_string(),
                args,
                comment: text.starts_with('#'),
            });
            offset += segment.len() + 1;
        }
        LineBuilder {
            segments,
            values: Vec::new(),
            name_span: word.span.clone(),
            span: word.span.clone(),
            opaque: word.opaque.clone(),
        }
    }

    fn push_value(&mut self, word: &Word) {
        self.values.push(Arg {
            value: word.text.clone(),
            span: word.span.clone(),
            quoted: true,
        });
        self.span.end = self.span.end.max(word.span.end);
        if word.opaque.is_some() && self.opaque.is_none() {
            self.opaque = word.opaque.clone();
        }
    }

    fn push_empty(&mut self, word: &Word) {
        self.values.push(Arg {
            value: String::new(),
            span: word.span.clone(),
            quoted: true,
        });
    }

    fn finish(self) -> Vec<ArgLine> {
        let LineBuilder {
            mut segments,
            values,
            name_span,
            span,
            opaque,
        } = self;
        let last = segments.pop();
        let mut out = Vec::new();
        for segment in segments {
            if segment.comment {
                continue;
            }
            match segment.args {
                Ok(args) if args.is_empty() => {}
                Ok(args) => out.push(ArgLine {
                    args,
                    span: name_span.clone(),
                    opaque: None,
                }),
                Err(error) => out.push(unparseable(name_span.clone(), &error)),
            }
        }
        let Some(last) = last else { return out };
        // A `#` line is a comment whatever follows it: the values are part of it.
        if last.comment {
            return out;
        }
        let mut args = match last.args {
            Ok(args) => args,
            // The values are appended to the same line: they may close a quote
            // the name opened (`--requirepass "a` then ` b"`), so the line is
            // split as redis-server builds it.
            Err(error) => match joined_line(&last.text, &values, span.clone()) {
                Some(args) => {
                    out.push(ArgLine { args, span, opaque });
                    return out;
                }
                None => {
                    out.push(unparseable(span, &error));
                    return out;
                }
            },
        };
        args.extend(values);
        if !args.is_empty() {
            out.push(ArgLine { args, span, opaque });
        }
        out
    }
}

/// Splits one config line of a name's text; spans inside the word point into
/// the source only when it is written as is.
fn split_in_word(word: &Word, text: &str, start_in_word: usize) -> Result<Vec<Arg>, String> {
    let line = lexer::Line {
        number: 1,
        start: start_in_word,
        text,
    };
    let args = lexer::split_args(&line).map_err(|error| error.message().to_string())?;
    Ok(args
        .into_iter()
        .map(|arg| Arg {
            span: if word.verbatim {
                word.span.start + arg.span.start..word.span.start + arg.span.end
            } else {
                word.span.clone()
            },
            ..arg
        })
        .collect())
}

/// A line redis-server cannot split: it refuses to start.
fn unparseable(span: Range<usize>, error: &str) -> ArgLine {
    ArgLine {
        args: vec![Arg {
            value: String::new(),
            span: span.clone(),
            quoted: false,
        }],
        span,
        opaque: Some(Opaque::Unknown(format!("unparseable option: {error}"))),
    }
}

/// The config line redis-server builds from a name's last line and the
/// values (`name "value1" "value2" `), split; `None` when it cannot be.
/// Every argument points at the whole option.
fn joined_line(text: &str, values: &[Arg], span: Range<usize>) -> Option<Vec<Arg>> {
    if values.is_empty() {
        return None;
    }
    let mut line = String::with_capacity(text.len() + 1);
    line.push_str(text);
    line.push(' ');
    for value in values {
        line.push_str(&sdscatrepr(&value.value));
        line.push(' ');
    }
    let line = lexer::Line {
        number: 1,
        start: 0,
        text: line.trim_end_matches(' '),
    };
    let args = lexer::split_args(&line).ok()?;
    Some(
        args.into_iter()
            .map(|arg| Arg {
                span: span.clone(),
                ..arg
            })
            .collect(),
    )
}

/// `sdscatrepr`: a double-quoted string with `\\ \" \n \r \t \a \b` escaped
/// and every byte that is not printable ASCII as `\xHH`.
fn sdscatrepr(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for byte in text.bytes() {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Piece, SourceFile};
    use super::*;

    fn words(args: &[&str]) -> Vec<Word> {
        let mut at = 0;
        args.iter()
            .map(|a| {
                let word = Word::plain(a, at);
                at += a.len() + 1;
                word
            })
            .collect()
    }

    fn lines(args: &[&str], version: &str) -> Vec<Vec<String>> {
        parse(&words(args), &Target::parse(version).unwrap())
            .lines
            .into_iter()
            .map(|l| l.args.into_iter().map(|a| a.value).collect())
            .collect()
    }

    #[test]
    fn options_become_config_lines() {
        assert_eq!(
            lines(&["--port", "7000", "--bind", "a", "b"], "7.2"),
            vec![vec!["port", "7000"], vec!["bind", "a", "b"]]
        );
        assert_eq!(
            lines(&["--port 7000", "--save", ""], "7.2"),
            vec![vec!["port", "7000"], vec!["save", ""]]
        );
    }

    #[test]
    fn config_file_first_and_stdin() {
        let parsed = parse(&words(&["/etc/redis.conf", "--port", "1"]), &Target::DEFAULT);
        assert_eq!(parsed.config_file.unwrap().text, "/etc/redis.conf");
        assert_eq!(parsed.lines.len(), 1);
        let parsed = parse(&words(&["-", "--port", "1"]), &Target::DEFAULT);
        assert!(parsed.reads_stdin);
    }

    #[test]
    fn a_value_may_start_with_dashes_from_7_0() {
        assert_eq!(
            lines(&["--requirepass", "--x"], "7.2"),
            vec![vec!["requirepass", "--x"]]
        );
        assert_eq!(
            lines(&["--requirepass", "--x"], "6.2"),
            vec![vec!["requirepass"], vec!["x"]]
        );
        // `--save` before another option is `save ""`.
        assert_eq!(
            lines(&["--save", "--appendonly", "yes"], "7.2"),
            vec![vec!["save", ""], vec!["appendonly", "yes"]]
        );
    }

    #[test]
    fn a_comment_in_a_name_takes_the_values_with_it() {
        // redis-server builds `#comment "value"`: one comment line.
        assert!(lines(&["--#comment", "value"], "7.0").is_empty());
        assert_eq!(
            lines(&["--port 7000\n#comment", "value", "--maxmemory", "1gb"], "7.0"),
            vec![vec!["port", "7000"], vec!["maxmemory", "1gb"]]
        );
        // A value does not make a comment: it is quoted (`"#x"`).
        assert_eq!(lines(&["--", "#x"], "7.0"), vec![vec!["#x"]]);
    }

    #[test]
    fn a_broken_line_before_the_last_one_is_refused_too() {
        let parsed = parse(&words(&["--port \"7000\nmaxmemory 1gb"]), &Target::DEFAULT);
        assert_eq!(parsed.lines.len(), 2);
        assert!(matches!(&parsed.lines[0].opaque, Some(Opaque::Unknown(r)) if r.contains("unparseable")));
        let values: Vec<&str> = parsed.lines[1].args.iter().map(|a| a.value.as_str()).collect();
        assert_eq!(values, ["maxmemory", "1gb"]);
    }

    #[test]
    fn the_values_may_close_a_quote_the_name_opened() {
        // `save "3600 " 1 \""`: the first value's opening quote closes the name's.
        assert_eq!(
            lines(&["--save \"3600", " 1 \""], "7.0"),
            vec![vec!["save", "3600 ", "1", "\\"]]
        );
        // Nothing closes it: the line cannot be split.
        let parsed = parse(&words(&["--requirepass \"a", "b"]), &Target::DEFAULT);
        assert!(matches!(&parsed.lines[0].opaque, Some(Opaque::Unknown(_))));
        assert_eq!(sdscatrepr("a\"\\\n\u{7f}é"), "\"a\\\"\\\\\\n\\x7f\\xc3\\xa9\"");
    }

    #[test]
    fn sentinel_mode_is_an_argument_exactly_sentinel() {
        let sentinel = |args: &[&str]| parse(&words(args), &Target::DEFAULT).sentinel;
        assert!(sentinel(&["/etc/sentinel.conf", "--sentinel"]));
        // checkForSentinelMode compares with strcmp, and looks at values too.
        assert!(!sentinel(&["--SENTINEL", "--port", "7000"]));
        assert!(sentinel(&["/etc/sentinel.conf", "--requirepass", "--sentinel"]));
    }

    #[test]
    fn a_bare_sentinel_option_is_no_config_line_error() {
        for args in [
            &["--SENTINEL", "--port", "7000"][..],
            &["--port", "7000", "--sentinel"][..],
        ] {
            let parsed = load(args, "7.0");
            assert!(parsed.diagnostics.is_empty(), "{args:?}: {:?}", parsed.diagnostics);
        }
    }

    fn load(args: &[&str], version: &str) -> super::super::ParsedConfig {
        load_words(&words(args), &args.join(" "), version)
    }

    /// Loads options read as `words` from `text`, their source.
    fn load_words(words: &[Word], text: &str, version: &str) -> super::super::ParsedConfig {
        let target = Target::parse(version).unwrap();
        let command_line = parse(words, &target);
        let source = SourceFile {
            path: std::sync::Arc::new(std::path::PathBuf::from("command-line")),
            text: std::sync::Arc::from(text),
        };
        super::super::load_pieces(
            std::path::Path::new("command-line"),
            vec![Piece::Lines {
                source,
                lines: command_line.lines,
            }],
            target,
            &super::super::LoadOptions {
                sentinel: command_line.sentinel,
                ..Default::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn a_password_read_in_another_place_is_never_shown() {
        for args in [
            // From 7.0 the empty name takes the next argument as its value: the
            // directive's name is `--requirepass hunter2-secret`.
            &["--", "--requirepass hunter2-secret"][..],
            &["--", "--requirepass hunter2-secret", "--port", "1"],
            // `port "--requirepass" "hunter2-secret"`.
            &["--port", "--requirepass", "hunter2-secret"],
            &["--port", "--requirepass hunter2-secret"],
            // An option that cannot be split.
            &["--requirepass \"hunter2-secret"],
            &["--port 1\nrequirepass \"hunter2-secret", "x"],
        ] {
            let parsed = load(args, "7.0");
            assert!(!parsed.diagnostics.is_empty(), "{args:?}");
            for diagnostic in &parsed.diagnostics {
                assert!(
                    !diagnostic.message.contains("hunter2") && !diagnostic.subject.contains("hunter2"),
                    "{args:?}: {diagnostic:?}"
                );
            }
            assert!(
                !parsed.files[0].text.contains("hunter2"),
                "{args:?}: {}",
                parsed.files[0].text
            );
        }
        // A name with blanks is said by its first word.
        let parsed = load(&["--", "--requirepass hunter2-secret"], "7.0");
        assert!(parsed.diagnostics[0]
            .message
            .starts_with("`--requirepass…` is not a directive"));
    }

    #[test]
    fn sentinel_and_acl_passwords_in_options_are_masked() {
        for args in [
            &["--sentinel", "--sentinel", "auth-pass", "mymaster", "hunter2-secret"][..],
            &["--sentinel", "--sentinel", "AUTH-PASS", "mymaster", "hunter2-secret"],
            &["--user", "alice", "on", ">hunter2-secret", "~*", "+@all"],
        ] {
            let parsed = load(args, "7.0");
            let text = &parsed.files[0].text;
            assert!(!text.contains("hunter2"), "{args:?}: {text}");
            // Only the values after the subcommand or user name: the rest is still shown.
            assert!(text.contains(args[2]), "{args:?}: {text}");
        }
        // Options from a YAML or JSON list: each word in its own quotes, so the
        // source text between them is no option text; the words are masked as read.
        let source = r#"["--sentinel", "--sentinel", "auth-pass", "mymaster", "hunter2-secret"]"#;
        let mut at = 0;
        let listed: Vec<Word> = std::iter::from_fn(|| {
            let open = at + source[at..].find('"')? + 1;
            let close = open + source[open..].find('"')?;
            at = close + 1;
            Some(Word::plain(&source[open..close], open))
        })
        .collect();
        let parsed = load_words(&listed, source, "7.0");
        assert!(!parsed.files[0].text.contains("hunter2"), "{}", parsed.files[0].text);
        // A sentinel line without a password keeps its values.
        let parsed = load(
            &[
                "--sentinel",
                "--sentinel",
                "monitor",
                "mymaster",
                "10.0.0.1",
                "6379",
                "2",
            ],
            "7.0",
        );
        assert!(parsed.files[0].text.contains("10.0.0.1"), "{}", parsed.files[0].text);
    }

    #[test]
    fn before_6_2_a_first_argument_without_dashes_is_the_config_file() {
        let old = Target::parse("6.0").unwrap();
        let parsed = parse(&words(&["-x", "--port", "1"]), &old);
        assert_eq!(parsed.config_file.unwrap().text, "-x");
        let parsed = parse(&words(&["-", "--port", "1", "--check-rdb"]), &old);
        assert!(parsed.reads_stdin && parsed.config_file.is_none());
        assert_eq!(parsed.lines.len(), 1);
        // `-` last is a value before 6.2, stdin from 6.2 (checked with 6.2.14).
        let parsed = parse(&words(&["--port", "1", "-"]), &old);
        assert!(!parsed.reads_stdin);
        for line in ["6.2", "7.0"] {
            let target = Target::parse(line).unwrap();
            assert!(parse(&words(&["--port", "1", "-"]), &target).reads_stdin);
            // From 6.2 `-x` is a value before any option, and `--check-rdb` an option.
            let parsed = parse(&words(&["-x", "--port", "1", "--check-rdb"]), &target);
            assert!(parsed.config_file.is_none());
            assert_eq!(parsed.lines[0].args[0].value, "-x");
            assert_eq!(parsed.lines.len(), 3);
        }
    }

    #[test]
    fn spans_point_into_the_source() {
        let parsed = parse(
            &words(&["--maxmemory 2gb", "--requirepass", "s3cret"]),
            &Target::DEFAULT,
        );
        let first = &parsed.lines[0].args;
        assert_eq!(first[1].span, 12..15);
        assert_eq!(parsed.lines[1].args[1].span, 30..36);
        // Lines inside one option, indented: each value at its own place in the source.
        let options = ["--daemonize no", "--port 1\n  maxmemory 2gb"];
        let source = options.join(" ");
        let parsed = parse(&words(&options), &Target::DEFAULT);
        let spans: Vec<&str> = parsed
            .lines
            .iter()
            .flat_map(|line| line.args.iter().map(|arg| &source[arg.span.clone()]))
            .collect();
        assert_eq!(spans, ["daemonize", "no", "port", "1", "maxmemory", "2gb"]);
    }

    #[test]
    fn values_are_shown_as_sdscatrepr_shows_them() {
        assert_eq!(
            sdscatrepr("a\tb\nc\rd\\e\"f\u{7}\u{8}\u{1}é"),
            "\"a\\tb\\nc\\rd\\\\e\\\"f\\a\\b\\x01\\xc3\\xa9\""
        );
    }
}
