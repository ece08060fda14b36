//! Report formats: each a pure function of the report.

pub mod baseline;
pub mod checklist;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod live_summary;
pub mod model;
pub mod prometheus;
pub mod sarif;

use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Junit,
    Gitlab,
    Github,
    Checklist,
    Html,
    Prometheus,
}

impl Format {
    /// Names accepted by `--format` and `--output FORMAT=FILE`.
    pub const NAMES: [&'static str; 9] = [
        "human",
        "json",
        "sarif",
        "junit",
        "gitlab",
        "github",
        "checklist",
        "html",
        "prometheus",
    ];
}

impl FromStr for Format {
    type Err = String;
    fn from_str(text: &str) -> Result<Format, String> {
        match text {
            "human" | "text" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "junit" => Ok(Format::Junit),
            "gitlab" => Ok(Format::Gitlab),
            "github" => Ok(Format::Github),
            "checklist" | "markdown" => Ok(Format::Checklist),
            "html" => Ok(Format::Html),
            "prometheus" => Ok(Format::Prometheus),
            other => Err(format!(
                "unknown format `{other}` (expected one of: {})",
                Format::NAMES.join(", ")
            )),
        }
    }
}

pub fn render(format: Format, report: &model::Model, color: bool) -> String {
    let text = match format {
        Format::Human => human::render(report, color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Gitlab => gitlab::render(report),
        Format::Github => github::render(report),
        Format::Checklist => checklist::render(report),
        Format::Html => html::render(report),
        Format::Prometheus => prometheus::render(report),
    };
    report.scrub(text)
}
