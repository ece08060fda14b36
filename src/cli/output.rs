//! Where `check` writes: `--output [FORMAT=]FILE` (repeatable), baselines,
//! `--statistics`, `--quiet`; and the generated shell completions and man page.

use crate::error::InputError;
use crate::findings::Severity;
use crate::report::model::Model as Report;
use crate::report::{self, Format};
use clap::Args;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Args, Debug, Default, Clone)]
pub struct OutputArgs {
    /// Write a report to a file: `FORMAT=FILE` (e.g. `sarif=preflight.sarif`; repeatable, each written once),
    /// or a plain FILE for the `--format` report instead of standard output.
    #[arg(long, short = 'o', value_name = "[FORMAT=]FILE")]
    pub output: Vec<String>,
    /// Findings recorded in this baseline file (rule + subject + file) are suppressed; only new ones count.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings in this baseline file (then they are suppressed in this run).
    #[arg(long = "write-baseline", value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Print the number of findings per rule instead of the report.
    #[arg(long)]
    pub statistics: bool,
    /// Print only the summary when the gate fails, nothing when it passes.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// One `--output`: a format and a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputTarget {
    pub format: Format,
    pub file: PathBuf,
}

/// Splits `--output` values: `FORMAT=FILE` when FORMAT names a format, else a
/// plain file for `default`. The same file twice is an error unless it is the
/// same format (then it is written once).
pub fn targets(values: &[String], default: Format) -> Result<Vec<OutputTarget>, InputError> {
    let mut targets: Vec<OutputTarget> = Vec::new();
    for value in values {
        let target = match value.split_once('=') {
            Some((name, file)) if Format::NAMES.contains(&name) => {
                if file.is_empty() {
                    return Err(InputError::new(format!("--output `{value}`: no file after `=`")));
                }
                OutputTarget {
                    format: name.parse().map_err(InputError::new)?,
                    file: PathBuf::from(file),
                }
            }
            _ => OutputTarget {
                format: default,
                file: PathBuf::from(value),
            },
        };
        if let Some(existing) = targets.iter().find(|t| t.file == target.file) {
            if existing.format != target.format {
                return Err(InputError::new(format!(
                    "--output: {} is given for two formats",
                    target.file.display()
                )));
            }
            continue;
        }
        targets.push(target);
    }
    Ok(targets)
}

fn write_file(path: &Path, text: &str) -> Result<(), InputError> {
    std::fs::write(path, text).map_err(|e| {
        InputError::new(format!(
            "{}: cannot write the report: {}",
            path.display(),
            crate::textfile::io_reason(&e)
        ))
    })
}

/// `--statistics`: findings per rule, most frequent first.
pub fn statistics(report: &Report) -> String {
    let mut counts: BTreeMap<&str, (usize, Severity, &str)> = BTreeMap::new();
    for finding in &report.findings {
        let entry = counts
            .entry(finding.rule.as_str())
            .or_insert((0, finding.severity, finding.title.as_str()));
        entry.0 += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(b.1 .1.cmp(&a.1 .1)).then(a.0.cmp(b.0)));
    let width = rows.iter().map(|(rule, _)| rule.len()).max().unwrap_or(4);
    let mut out = String::new();
    for (rule, (count, severity, title)) in &rows {
        let _ = writeln!(out, "{count:>5}  {rule:<width$}  {:<8}  {title}", severity.as_str());
    }
    // With several targets: what each contributed, most first.
    if report.targets.len() > 1 {
        let mut targets: Vec<_> = report.targets.iter().collect();
        targets.sort_by(|a, b| b.findings.cmp(&a.findings).then(a.id.cmp(&b.id)));
        let _ = writeln!(out, "       per target:");
        for target in targets {
            let _ = writeln!(out, "{:>5}  {}", target.findings, target.id);
        }
    }
    let _ = writeln!(
        out,
        "{:>5}  findings in {} rules ({} suppressed)",
        report.findings.len(),
        rows.len(),
        report.suppressed.len()
    );
    out
}

/// `--quiet`: one line when the gate fails, nothing when it passes.
pub fn quiet_summary(report: &Report) -> String {
    let failing = report.failing().count();
    match report.fail_on {
        Some(threshold) if failing > 0 => format!(
            "redis-preflight: FAIL: {failing} finding{} at or above `{threshold}` ({} in all)\n",
            if failing == 1 { "" } else { "s" },
            report.findings.len()
        ),
        _ => String::new(),
    }
}

/// Writes every `--output` once and prints what standard output should show.
/// `color` is `auto`, `always` or `never`.
pub fn finish(
    args: &OutputArgs,
    targets: &[OutputTarget],
    format: Format,
    color: &str,
    report: &Report,
) -> Result<(), InputError> {
    let mut rendered: Vec<(Format, String)> = Vec::new();
    let mut render = |format: Format, color: bool| -> String {
        if let Some((_, text)) = rendered.iter().find(|(f, _)| *f == format && !color) {
            return text.clone();
        }
        let text = report::render(format, report, color);
        if !color {
            rendered.push((format, text.clone()));
        }
        text
    };
    for target in targets {
        write_file(&target.file, &render(target.format, false))?;
    }
    let stdout_free = !args
        .output
        .iter()
        .any(|value| !matches!(value.split_once('='), Some((name, _)) if Format::NAMES.contains(&name)));
    let text = if args.statistics {
        report.scrub(statistics(report))
    } else if args.quiet {
        report.scrub(quiet_summary(report))
    } else if stdout_free {
        let color = match color {
            "always" => true,
            "never" => false,
            _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        };
        render(format, color)
    } else {
        String::new()
    };
    if !text.is_empty() {
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth a panic.
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }
    Ok(())
}

/// `redis-preflight completions SHELL`.
pub fn completions(shell: clap_complete::Shell) -> String {
    let mut command = <super::Cli as clap::CommandFactory>::command();
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut command, "redis-preflight", &mut buffer);
    String::from_utf8_lossy(&buffer).into_owned()
}

/// `redis-preflight man`: the man page (roff), with each subcommand.
pub fn man_page() -> Result<String, InputError> {
    let command = <super::Cli as clap::CommandFactory>::command();
    let mut buffer = Vec::new();
    let io = |e: std::io::Error| InputError::new(format!("cannot render the man page: {e}"));
    clap_mangen::Man::new(command.clone()).render(&mut buffer).map_err(io)?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        // A one-shot command: leaking two short names is simpler than clap's `string` feature.
        let name: &'static str = Box::leak(format!("redis-preflight-{}", sub.get_name()).into_boxed_str());
        let bin: &'static str = Box::leak(format!("redis-preflight {}", sub.get_name()).into_boxed_str());
        let sub = sub.clone().name(name).bin_name(bin);
        let man = clap_mangen::Man::new(sub);
        buffer.extend_from_slice(b".\\\" ---------------------------------------------------------------\n");
        man.render_title(&mut buffer).map_err(io)?;
        man.render_name_section(&mut buffer).map_err(io)?;
        man.render_synopsis_section(&mut buffer).map_err(io)?;
        man.render_description_section(&mut buffer).map_err(io)?;
        man.render_options_section(&mut buffer).map_err(io)?;
    }
    Ok(String::from_utf8_lossy(&buffer).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_values() {
        let values: Vec<String> = ["sarif=a.sarif", "report.txt", "junit=b.xml", "sarif=a.sarif", "x=y.txt"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let t = targets(&values, Format::Json).unwrap();
        assert_eq!(t.len(), 4);
        assert_eq!(t[0].format, Format::Sarif);
        assert_eq!(t[1].format, Format::Json);
        assert_eq!(t[1].file, PathBuf::from("report.txt"));
        assert_eq!(t[3].file, PathBuf::from("x=y.txt"));
        let clash: Vec<String> = vec!["sarif=a".into(), "junit=a".into()];
        assert!(targets(&clash, Format::Human).is_err());
    }
}
