//! One model of the deployment: the effective value of every setting and
//! where it came from. The pipeline's assemble stage (`run::assemble`) writes
//! facts from the inputs (config files, env, probe, settings); rules and
//! reports only read them.
//!
//! A leaf: this module imports nothing from the crate, so every stage can
//! share its types without a cycle (tests/architecture.rs enforces it).

pub mod registry;

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// A value that must never be printed, logged or serialised in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    pub const REDACTED: &'static str = "********";

    pub fn new(value: impl Into<Arc<str>>) -> Secret {
        Secret(value.into())
    }

    /// The clear text, for the few checks that need it (strength, equality).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Secret::REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Secret::REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(Secret::REDACTED)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Int(i64),
    /// A derived ratio kept at full precision (memory used %, hit rate %).
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Secret(Secret),
    /// The source exists but could not tell (e.g. a denied probe command).
    Unknown {
        unknown: String,
    },
    /// Set, but to a value kept elsewhere (a Kubernetes Secret, a chart's
    /// generated password): known to be non-empty, its content unknown.
    Reference {
        reference: String,
    },
}

impl Value {
    pub fn secret(text: impl Into<Arc<str>>) -> Value {
        Value::Secret(Secret::new(text))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Secret(s) => Some(s.expose()),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// Any number, as a float (for comparisons against thresholds).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(x) => Some(*x),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_secret(&self) -> bool {
        matches!(self, Value::Secret(_))
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(true) => f.write_str("yes"),
            Value::Bool(false) => f.write_str("no"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{}", (x * 10.0).round() / 10.0),
            Value::Str(s) if s.is_empty() => f.write_str("\"\""),
            Value::Str(s) => f.write_str(s),
            Value::List(items) if items.is_empty() => f.write_str("\"\""),
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            }
            Value::Secret(s) => write!(f, "{s}"),
            Value::Unknown { unknown } => write!(f, "unknown ({unknown})"),
            Value::Reference { reference } => write!(f, "set from {reference}"),
        }
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Origin {
    /// A directive in a config file.
    File {
        file: Arc<PathBuf>,
        line: usize,
        column: usize,
        offset: usize,
        len: usize,
    },
    /// redis-server's compiled-in default for the target release line.
    #[default]
    Default,
    /// An environment variable, from a dotenv file line or the process.
    Env {
        var: String,
        file: Option<Arc<PathBuf>>,
        line: Option<usize>,
        column: Option<usize>,
        offset: Option<usize>,
        len: Option<usize>,
    },
    /// The running server (probe).
    Live,
    /// redis-preflight's own settings.
    Settings,
}

/// Which kind of input a fact (and so a finding) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A configuration file (or its compiled-in defaults).
    Config,
    /// The application's environment.
    Env,
    /// The running server.
    Live,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Config, Source::Env, Source::Live];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Config => "config",
            Source::Env => "env",
            Source::Live => "live",
        }
    }

    pub fn parse(text: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Origin {
    pub fn source(&self) -> Option<Source> {
        match self {
            Origin::File { .. } | Origin::Default => Some(Source::Config),
            Origin::Env { .. } => Some(Source::Env),
            Origin::Live => Some(Source::Live),
            Origin::Settings => None,
        }
    }

    /// True for origins a user can be pointed at (a line in a file).
    pub fn has_location(&self) -> bool {
        matches!(self, Origin::File { .. } | Origin::Env { file: Some(_), .. })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub value: Value,
    pub origin: Origin,
}

/// A parsed ACL user, from a `user` directive or an ACL file.
#[derive(Debug, Clone)]
pub struct AclUser {
    pub name: String,
    pub enabled: bool,
    pub nopass: bool,
    /// Clear-text passwords (`>password`).
    pub passwords: Vec<Secret>,
    /// Hashed passwords (`#<sha256>`): not secrets in clear, but never printed.
    pub hashed_passwords: usize,
    /// Command rules in order (`+@all`, `-flushall`, `allcommands`, ...), lower-case.
    pub command_rules: Vec<String>,
    /// Key patterns (`~*`, `allkeys`, `%R~x`).
    pub key_patterns: Vec<String>,
    pub origin: Origin,
}

/// A `rename-command FROM TO` (TO empty = the command is removed).
#[derive(Debug, Clone)]
pub struct RenamedCommand {
    pub command: String,
    pub renamed_to: String,
    pub origin: Origin,
}

/// One environment variable, with where it was set.
#[derive(Debug, Clone)]
pub struct EnvVar {
    pub name: String,
    pub value: Secret,
    pub origin: Origin,
    /// Set from somewhere this run cannot read (`Secret redis/password` of a
    /// Kubernetes `secretKeyRef`): the value is empty and the fact becomes a
    /// `Value::Reference`.
    pub reference: Option<String>,
}

/// What kind of problem reading a config found; the rules map each kind to
/// the rule that reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiagnosticKind {
    /// redis-server would refuse the line: bad quoting, wrong argument count, a misplaced statement.
    SyntaxError,
    /// A directive this release line does not know.
    UnknownDirective,
    /// A value redis-server refuses.
    InvalidValue,
    /// A single-valued directive set twice.
    DuplicateDirective,
    /// An old name of a directive.
    DeprecatedDirective,
    /// An `include` that cannot be followed.
    IncludeError,
    /// An unrendered template (`{{ .Values.x }}`): its templated values are unknown.
    Template,
    /// A number the server accepts but cannot hold, so it keeps another value
    /// (`maxmemory 17179869184gb` wraps to 0: no limit).
    ValueOverflow,
}

/// A problem found while reading the config (the `config.*` rules report these).
#[derive(Debug, Clone)]
pub struct ConfigDiagnostic {
    pub kind: DiagnosticKind,
    pub message: String,
    pub origin: Origin,
    /// The directive (or file) it is about, for waivers and baselines.
    pub subject: String,
}

/// A setting whose running value differs from the file.
#[derive(Debug, Clone)]
pub struct Drift {
    pub name: String,
    pub file_value: Value,
    pub live_value: Value,
    pub origin: Origin,
    /// Both values as a person reads them (`1gb`, not `1073741824`); never for secrets.
    pub file_text: String,
    pub live_text: String,
}

/// A probe command the server refused, and its words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeniedCommand {
    pub command: String,
    pub reason: String,
}

/// All facts about one target.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    values: BTreeMap<String, Fact>,
    pub acl_users: Vec<AclUser>,
    pub renamed_commands: Vec<RenamedCommand>,
    pub env_vars: Vec<EnvVar>,
    pub diagnostics: Vec<ConfigDiagnostic>,
    /// Which inputs were present.
    pub sources: Vec<Source>,
    /// The main config file, so findings without a line can still name a file.
    pub config_file: Option<Arc<PathBuf>>,
    /// Other spellings of secrets as written in a file (a percent-encoded URL password).
    pub secret_spellings: Vec<(String, Origin)>,
    /// Why ACL users are unknown (ACL LIST refused on a live server).
    pub acl_unknown: Option<String>,
    /// Settings whose running value differs from the file (live probe).
    pub drift: Vec<Drift>,
    /// Why drift could not be checked (CONFIG GET refused).
    pub drift_unknown: Option<String>,
    /// Probe commands the server refused.
    pub denied: Vec<DeniedCommand>,
}

impl Facts {
    pub fn get(&self, path: &str) -> Option<&Fact> {
        self.values.get(path)
    }

    pub fn value(&self, path: &str) -> Option<&Value> {
        self.values.get(path).map(|f| &f.value)
    }

    pub fn insert(&mut self, path: impl Into<String>, value: Value, origin: Origin) {
        self.values.insert(path.into(), Fact { value, origin });
    }

    pub fn has_source(&self, source: Source) -> bool {
        self.sources.contains(&source)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Fact)> {
        self.values.iter()
    }

    pub fn env_var(&self, name: &str) -> Option<&EnvVar> {
        self.env_vars.iter().rev().find(|v| v.name == name)
    }

    /// Every secret value known, with where it was written, so reports can
    /// mask it in snippets and prove none leaks.
    pub fn secrets(&self) -> Vec<(&str, &Origin)> {
        let mut out: Vec<(&str, &Origin)> = self
            .values
            .values()
            .filter_map(|f| match &f.value {
                Value::Secret(s) => Some((s.expose(), &f.origin)),
                _ => None,
            })
            .collect();
        for user in &self.acl_users {
            out.extend(user.passwords.iter().map(|p| (p.expose(), &user.origin)));
        }
        out.extend(self.secret_spellings.iter().map(|(s, o)| (s.as_str(), o)));
        out.retain(|(s, _)| !s.is_empty());
        out
    }
}
