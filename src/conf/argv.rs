//! redis-server's command line, as `main()` in `server.c` reads it:
//! `redis-server [config-file] [--directive args ...]`. A first argument
//! that does not start with `-` is the config file; a bare `-` (first or
//! last) reads the config from stdin; every `--name` starts a config line and
//! the arguments after it become its (quoted) values, so the options are
//! parsed as lines appended to the file, by the same parser and catalog.

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
    /// `--sentinel` (or a `redis-sentinel` program): Sentinel mode.
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
/// that starts with `--` starts a new option; from 7.0 an option name alone
/// takes the next argument as its value even when that starts with `--`
/// (`--requirepass --x` sets the password `--x`), except `--save` and
/// `--sentinel`, which take nothing before another option.
pub fn parse(args: &[Word], target: &Target) -> CommandLine {
    let mut out = CommandLine::default();
    let mut rest = args;
    if let Some(first) = args.first() {
        if !first.text.starts_with('-') {
            out.config_file = Some(first.clone());
            rest = &args[1..];
        }
    }
    let modern = target.major >= 7;
    let mut current: Option<LineBuilder> = None;
    // From 7.0: false after an option name alone, whose value comes next.
    let mut handled_last = true;
    let last_index = rest.len().saturating_sub(1);
    let no_file = out.config_file.is_none();
    for (index, word) in rest.iter().enumerate() {
        let text = word.text.as_str();
        // `-` right after the program (and, from 7.0, last) reads stdin.
        let stdin_place = (no_file && index == 0) || (modern && index == last_index);
        if text == "-" && stdin_place {
            out.reads_stdin = true;
            continue;
        }
        let is_name = text.starts_with("--") && (!modern || handled_last);
        if is_name {
            if !modern && text == "--check-rdb" {
                continue;
            }
            if let Some(line) = current.take() {
                out.lines.extend(line.finish());
            }
            if text.eq_ignore_ascii_case("--sentinel") {
                out.sentinel = true;
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

/// One option being collected: the name's text (raw, as redis-server copies
/// it into the config) and its values (each one argument, as `sdscatrepr`
/// quotes it).
struct LineBuilder {
    /// Config lines the name's text holds: a name with a newline in it
    /// starts more than one (rare, but it is what redis-server does).
    head: Vec<(Vec<Arg>, Range<usize>, Option<String>)>,
    values: Vec<Arg>,
    span: Range<usize>,
    opaque: Option<Opaque>,
}

impl LineBuilder {
    fn empty(word: &Word) -> LineBuilder {
        LineBuilder {
            head: vec![(Vec::new(), word.span.clone(), None)],
            values: Vec::new(),
            span: word.span.clone(),
            opaque: None,
        }
    }

    fn start(word: &Word) -> LineBuilder {
        let name = &word.text[2..];
        let mut head = Vec::new();
        let mut offset = 2;
        for segment in name.split('\n') {
            let trimmed_front = segment.trim_start_matches([' ', '\t', '\r']);
            let lead = segment.len() - trimmed_front.len();
            let text = trimmed_front.trim_end_matches([' ', '\t', '\r']);
            let start_in_word = offset + lead;
            let line = lexer::Line {
                number: 1,
                start: start_in_word,
                text,
            };
            let (args, error) = match lexer::split_args(&line) {
                Ok(args) => (args, None),
                Err(error) => (Vec::new(), Some(error.message().to_string())),
            };
            // Spans inside the word point into the source only when it is written as is.
            let args = args
                .into_iter()
                .map(|arg| Arg {
                    span: if word.verbatim {
                        word.span.start + arg.span.start..word.span.start + arg.span.end
                    } else {
                        word.span.clone()
                    },
                    ..arg
                })
                .collect();
            let comment = text.starts_with('#');
            if !comment {
                head.push((args, word.span.clone(), error));
            } else {
                head.push((Vec::new(), word.span.clone(), None));
            }
            offset += segment.len() + 1;
        }
        LineBuilder {
            head,
            values: Vec::new(),
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
            mut head,
            values,
            span,
            opaque,
        } = self;
        let last = head.pop();
        let mut out: Vec<ArgLine> = head
            .into_iter()
            .filter(|(args, _, _)| !args.is_empty())
            .map(|(args, span, _)| ArgLine {
                args,
                span,
                opaque: None,
            })
            .collect();
        if let Some((mut args, _, error)) = last {
            if let Some(error) = error {
                // The config line will not split either: redis-server refuses it.
                out.push(ArgLine {
                    args: vec![Arg {
                        value: String::new(),
                        span: span.clone(),
                        quoted: false,
                    }],
                    span,
                    opaque: Some(Opaque::Unknown(format!("unparseable option: {error}"))),
                });
                return out;
            }
            args.extend(values);
            if !args.is_empty() {
                out.push(ArgLine { args, span, opaque });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
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
    fn spans_point_into_the_source() {
        let parsed = parse(
            &words(&["--maxmemory 2gb", "--requirepass", "s3cret"]),
            &Target::DEFAULT,
        );
        let first = &parsed.lines[0].args;
        assert_eq!(first[1].span, 12..15);
        assert_eq!(parsed.lines[1].args[1].span, 30..36);
    }
}
