//! Command-line interface: arguments → a `run::RunPlan`; the pipeline
//! (`run`) does the work; this writes the outputs and picks the exit code.

mod managed_docs;
pub mod output;
mod probe_args;

use crate::conf::catalog::Target;
use crate::conf::LoadOptions;
use crate::deploy::Kind;
use crate::error::{exit, InputError};
use crate::report::Format;
use crate::rules::{docs, RulePack};
use crate::run::{self, RunError, RunPlan};
use crate::settings::{self, Settings};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "redis-preflight",
    version,
    about = "Is this Redis/Valkey deployment production-ready? Checks redis.conf and the client environment against a production rule pack."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a redis.conf and/or the application's Redis environment.
    Check(Box<CheckArgs>),
    /// The production checklist audit (= `check --format checklist`; `--format html` for a page).
    Checklist(Box<CheckArgs>),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// List the rules (table, json or markdown).
    Rules(RulesArgs),
    /// Print the full documentation of one rule.
    Explain {
        /// Rule id, e.g. `auth.weak-password`.
        rule: String,
        /// Also load the rule pack in this directory.
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files and directories to check. Each file's kind is detected from its name and content
    /// (redis.conf, sentinel.conf, .env, compose, Kubernetes, Helm values, Terraform, cloud JSON); a directory is walked
    /// (skipping .git, node_modules, target, vendor and what .gitignore ignores).
    #[arg(value_name = "PATH")]
    pub files: Vec<PathBuf>,
    /// The kind of every file named: redis-conf, sentinel-conf, env, compose, kubernetes, helm-values,
    /// terraform, cloud-json.
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    pub kind: Option<Kind>,
    /// The redis.conf (or sentinel.conf) to check.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Vec<PathBuf>,
    /// A dotenv file with REDIS_URL, REDIS_TLS, REDIS_PASSWORD, CACHE_TTL_* (repeatable; later files win).
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
    /// Also read the process environment (it overrides --env-file values).
    #[arg(long)]
    pub env: bool,
    /// Target release line: `7.0`, `7.2.4`, `redis-7.4`, `valkey-8.0` [default: 7.2, or the settings file's].
    #[arg(long = "redis-version", value_name = "VERSION")]
    pub redis_version: Option<String>,
    /// Deployment profile: self-hosted, memorystore, elasticache, azure-cache, redis-cloud, development [default: self-hosted; a managed target is judged by its service's profile unless another is given].
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// Exit 1 when a finding is at or above this severity (critical, high, medium, low, info, none) [default: high].
    #[arg(long = "fail-on", value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Output format.
    #[arg(long, value_name = "FORMAT", default_value = "human")]
    pub format: Format,
    /// Colour: auto (only on a terminal, and never with NO_COLOR set), always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,
    #[command(flatten)]
    pub output: output::OutputArgs,
    /// Settings file [default: the nearest redis-preflight.toml from the working directory up].
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
    /// Ignore any redis-preflight.toml.
    #[arg(long, conflicts_with = "settings")]
    pub no_settings: bool,
    /// Additional rule pack: a directory of *.toml rule files.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Only these rules: ids, categories or id prefixes (repeatable; replaces the settings file's `select`).
    #[arg(long, value_name = "RULE")]
    pub select: Vec<String>,
    /// Never these rules (repeatable; adds to the settings file's `ignore`).
    #[arg(long, value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Directory that relative `include` paths are resolved against [default: the config file's directory].
    #[arg(long = "include-base", value_name = "DIR")]
    pub include_base: Option<PathBuf>,
    /// Rewrite an absolute include prefix, e.g. `/etc/redis=deploy/redis` (repeatable).
    #[arg(long = "include-map", value_name = "FROM=TO")]
    pub include_map: Vec<String>,
    /// Read the config as a Sentinel config.
    #[arg(long)]
    pub sentinel: bool,
    #[command(flatten)]
    pub probe: probe_args::ProbeArgs,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// table, json, markdown (docs/rules.md) or managed (docs/managed.md: the managed-service
    /// attributes read and the rules they feed).
    #[arg(long, default_value = "table")]
    pub format: String,
    /// Also list the rule pack in this directory.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { exit::INPUT_ERROR } else { exit::PASS };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Check(args) => run_check(*args),
        Command::Checklist(mut args) => {
            if args.format == Format::Human {
                args.format = Format::Checklist;
            }
            run_check(*args)
        }
        Command::Completions { shell } => write_output(&output::completions(shell), None).map(|_| exit::PASS),
        Command::Man => output::man_page()
            .and_then(|page| write_output(&page, None))
            .map(|_| exit::PASS),
        Command::Rules(args) => run_rules(args),
        Command::Explain { rule, rules } => run_explain(&rule, rules.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            exit::INPUT_ERROR
        }
    }
}

fn load_pack(extra: Option<&Path>) -> Result<RulePack, InputError> {
    let mut pack = RulePack::embedded()?;
    if let Some(dir) = extra {
        pack.add_user_pack(dir)?;
    }
    Ok(pack)
}

fn write_output(text: &str, output: Option<&Path>) -> Result<(), InputError> {
    match output {
        Some(path) => std::fs::write(path, text).map_err(|e| {
            InputError::new(format!(
                "{}: cannot write the report: {}",
                path.display(),
                crate::textfile::io_reason(&e)
            ))
        }),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
            Ok(())
        }
    }
}

fn parse_kind(text: &str) -> Result<Kind, String> {
    Kind::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        format!("unknown kind `{text}` (expected one of: {})", names.join(", "))
    })
}

fn run_check(args: CheckArgs) -> Result<i32, InputError> {
    let settings = if args.no_settings {
        Settings::default()
    } else {
        let path = match &args.settings {
            Some(path) => Some(path.clone()),
            None => std::env::current_dir().ok().and_then(|dir| Settings::discover(&dir)),
        };
        match path {
            Some(path) => Settings::load(&path)?,
            None => Settings::default(),
        }
    };
    let version = args
        .redis_version
        .as_deref()
        .or(settings.redis_version.as_deref())
        .map(|spec| Target::resolve(spec).map_err(InputError::new))
        .transpose()?
        .map(|resolved| {
            if let Some(note) = &resolved.note {
                eprintln!("warning: {note}");
            }
            resolved.target
        });
    let profile = args
        .profile
        .clone()
        .or(settings.profile.clone())
        .unwrap_or_else(|| "self-hosted".into());
    if !settings::PROFILES.contains(&profile.as_str()) {
        return Err(InputError::new(format!(
            "unknown profile `{profile}` (expected one of: {})",
            settings::PROFILES.join(", ")
        )));
    }
    let fail_on = match &args.fail_on {
        Some(text) => settings::parse_fail_on(text)?,
        None => settings.fail_on()?,
    };
    let configs = args.config.clone();
    let mut env_files = settings.env_files.clone();
    env_files.extend(args.env_files.iter().cloned());
    let process_env = args.env || settings.env == Some(true);
    let probe_mode = args.probe.probe.clone().or(settings.probe.clone());
    if args.files.is_empty() && configs.is_empty() && env_files.is_empty() && !process_env && probe_mode.is_none() {
        return Err(InputError::new(
            "nothing to check: give files or a directory (`redis-preflight check .`), a redis.conf (`--config FILE`), the client environment (`--env-file FILE`, `--env`) and/or `--probe`",
        ));
    }
    let mut include_map = Vec::new();
    for mapping in &args.include_map {
        let (from, to) = mapping
            .split_once('=')
            .ok_or_else(|| InputError::new(format!("--include-map `{mapping}`: expected FROM=TO")))?;
        include_map.push((PathBuf::from(from), PathBuf::from(to)));
    }
    let select = if args.select.is_empty() {
        settings.select.clone()
    } else {
        args.select.clone()
    };
    let mut ignore = settings.ignore.clone();
    ignore.extend(args.ignore.iter().cloned());
    let rules = load_pack(args.rules.as_deref())?;
    // Checked before anything is read, so a typo fails fast.
    let output_targets = output::targets(&args.output.output, args.format)?;
    let plan = RunPlan {
        inputs: args.files.clone(),
        kind: args.kind,
        configs,
        load: LoadOptions {
            include_base: args.include_base.clone(),
            include_map,
            sentinel: args.sentinel,
        },
        env_files,
        process_env,
        probe: probe_args::probe_request(&args.probe, probe_mode.as_deref())?,
        version,
        profile,
        fail_on,
        select,
        ignore,
        settings,
        rules,
        baseline: args.output.baseline.clone(),
        write_baseline: args.output.write_baseline.clone(),
        today: crate::dates::today(),
    };
    let output = match run::execute(plan) {
        Ok(output) => output,
        Err(RunError::Input(error)) => return Err(error),
        Err(RunError::ProbeIncomplete(reason)) => {
            eprintln!("error: {reason}");
            return Ok(exit::PROBE_INCOMPLETE);
        }
    };
    if let (Some(path), Some(text)) = (&args.output.write_baseline, &output.new_baseline) {
        write_output(text, Some(path))?;
    }
    output::finish(&args.output, &output_targets, args.format, &args.color, &output.model)?;
    Ok(output.model.exit_code())
}

fn run_rules(args: RulesArgs) -> Result<i32, InputError> {
    let pack = load_pack(args.rules.as_deref())?;
    let text = match args.format.as_str() {
        "markdown" | "md" => docs::rules_markdown(&pack),
        "managed" => managed_docs::markdown(&pack),
        "json" => {
            let rules: Vec<serde_json::Value> = pack
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "title": r.title, "severity": r.severity, "category": r.category,
                        "sources": r.sources, "profiles": r.profiles, "profile_severity": r.profile_severity,
                        "profile_message": r.profile_message, "profile_remediation": r.profile_remediation, "managed": r.managed, "requires": r.requires,
                        "checklist": r.checklist, "builtin": r.builtin_name(), "remediation": r.remediation,
                        "references": r.references, "description": r.description,
                    })
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&rules).unwrap_or_default();
            text.push('\n');
            text
        }
        "table" => {
            let width = pack.rules.iter().map(|r| r.id.len()).max().unwrap_or(10);
            let mut out = format!("{:<width$}  {:<8}  {}\n", "RULE", "SEVERITY", "TITLE");
            for rule in &pack.rules {
                out.push_str(&format!(
                    "{:<width$}  {:<8}  {}\n",
                    rule.id,
                    rule.severity.as_str(),
                    rule.title
                ));
            }
            out.push_str(&format!("{} rules\n", pack.rules.len()));
            out
        }
        other => {
            return Err(InputError::new(format!(
                "unknown format `{other}` (expected table, json, markdown or managed)"
            )))
        }
    };
    write_output(&text, None)?;
    Ok(exit::PASS)
}

/// Rule ids a mistyped one most likely meant: the same name in any category
/// (`weak-password` → `auth.weak-password`), or within a few edits of the id
/// or of its name (`auth.weak-pasword`), closest first, at most three.
fn closest_rule_ids<'p>(pack: &'p RulePack, id: &str) -> Vec<&'p str> {
    let wanted = id.trim().to_ascii_lowercase();
    let wanted_name = wanted.rsplit('.').next().unwrap_or(&wanted).to_string();
    let mut scored: Vec<(usize, &str)> = pack
        .rules
        .iter()
        .filter_map(|rule| {
            let name = rule.id.rsplit('.').next().unwrap_or(&rule.id);
            let distance = strsim::levenshtein(&wanted, &rule.id).min(strsim::levenshtein(&wanted_name, name));
            // A few edits, scaled to the length: `tls` is not close to `ttl`.
            let allowed = (wanted_name.chars().count() / 4).clamp(1, 3);
            (distance <= allowed).then_some((distance, rule.id.as_str()))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, id)| id).collect()
}

fn run_explain(id: &str, extra: Option<&Path>) -> Result<i32, InputError> {
    let pack = load_pack(extra)?;
    let Some(rule) = pack.get(id) else {
        let suggestions = closest_rule_ids(&pack, id);
        let close: Vec<&str> = pack
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .filter(|r| r.starts_with(id.split('.').next().unwrap_or(id)))
            .collect();
        let hint = if !suggestions.is_empty() {
            let quoted: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
            format!("; did you mean {}?", quoted.join(" or "))
        } else if close.is_empty() {
            String::new()
        } else {
            format!("; rules in that category: {}", close.join(", "))
        };
        return Err(InputError::new(format!(
            "no rule `{id}` (see `redis-preflight rules`){hint}"
        )));
    };
    write_output(&docs::explain(rule), None)?;
    Ok(exit::PASS)
}
