//! What rules produce and reports consume: the rules → report contract.

use crate::facts::Origin;
pub use crate::facts::Source;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL_DESCENDING: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Some(match text.to_ascii_lowercase().as_str() {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// FAIL: the check ran and the deployment does not meet it. WARN: it could not be verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum State {
    #[default]
    Fail,
    Warn,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub path: Arc<PathBuf>,
    #[serde(skip)]
    pub offset: usize,
    #[serde(skip)]
    pub len: usize,
}

impl Location {
    pub fn from_origin(origin: &Origin) -> Option<Location> {
        match origin {
            Origin::File {
                file,
                line,
                column,
                offset,
                len,
            } => Some(Location {
                file: file.display().to_string(),
                line: *line,
                column: *column,
                path: file.clone(),
                offset: *offset,
                len: *len,
            }),
            Origin::Env {
                file: Some(file),
                line: Some(line),
                column,
                offset,
                len,
                ..
            } => Some(Location {
                file: file.display().to_string(),
                line: *line,
                column: column.unwrap_or(1),
                path: file.clone(),
                offset: offset.unwrap_or(0),
                len: len.unwrap_or(0),
            }),
            _ => None,
        }
    }
}

/// Counts of findings per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    counts: [usize; 5],
}

impl Tally {
    pub fn of<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Tally {
        let mut tally = Tally::default();
        for finding in findings {
            tally.counts[finding.severity as usize] += 1;
        }
        tally
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.counts[severity as usize]
    }

    /// `8 high, 11 medium` — the non-zero severities, most severe first.
    pub fn describe(&self) -> String {
        Severity::ALL_DESCENDING
            .iter()
            .filter(|s| self.count(**s) > 0)
            .map(|s| format!("{} {s}", self.count(*s)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The id of the target a finding belongs to (`redis-conf:deploy/redis.conf`).
pub type TargetId = String;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub title: String,
    pub severity: Severity,
    pub category: String,
    pub source: Source,
    /// The target (one server) the finding is about.
    pub target: TargetId,
    pub state: State,
    pub message: String,
    pub remediation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// For env findings from the process environment: the variable name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppressed {
    #[serde(flatten)]
    pub finding: Finding,
    /// `waiver` (settings file) or `inline` (comment in the config).
    pub by: String,
    pub reason: String,
}
