//! Report formats: each a pure function of the report.

pub mod human;
pub mod json;

use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(text: &str) -> Result<Format, String> {
        match text {
            "human" | "text" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            other => Err(format!("unknown format `{other}` (expected human or json)")),
        }
    }
}

pub fn render(format: Format, report: &crate::check::Report, color: bool) -> String {
    let text = match format {
        Format::Human => human::render(report, color),
        Format::Json => json::render(report),
    };
    report.scrub(text)
}
