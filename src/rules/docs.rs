//! `docs/rules.md`, generated from the rule files (a test keeps it current).

use super::{Check, RulePack};
use std::fmt::Write as _;

pub fn rules_markdown(pack: &RulePack) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# redis-preflight rules\n");
    let _ = writeln!(
        out,
        "Generated from `rules/*.toml` by `redis-preflight rules --format markdown`; do not edit by hand.\n"
    );
    let _ = writeln!(out, "| id | severity | title |\n|---|---|---|");
    for rule in &pack.rules {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} |",
            rule.id,
            anchor(&rule.id),
            rule.severity,
            rule.title
        );
    }
    let mut category = "";
    for rule in &pack.rules {
        if rule.category != category {
            category = &rule.category;
            let _ = writeln!(out, "\n## {category}");
        }
        let _ = writeln!(out, "\n### {}\n", rule.id);
        let _ = writeln!(out, "**{}**\n", rule.title);
        let _ = writeln!(out, "- Severity: `{}`", rule.severity);
        if !rule.profile_severity.is_empty() {
            let by: Vec<String> = rule
                .profile_severity
                .iter()
                .map(|(p, s)| format!("`{s}` on {p}"))
                .collect();
            let _ = writeln!(out, "- Severity by profile: {}", by.join(", "));
        }
        for entry in &rule.severity_when {
            let _ = writeln!(out, "- Severity `{}` when {}", entry.severity, entry.when);
        }
        let _ = writeln!(
            out,
            "- Sources: {}",
            rule.sources.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        );
        let profiles = rule
            .profiles
            .as_ref()
            .map(|p| p.join(", "))
            .unwrap_or_else(|| "all".into());
        let _ = writeln!(out, "- Profiles: {profiles}");
        if let Some(roles) = &rule.roles {
            let _ = writeln!(out, "- Roles: {}", roles.join(", "));
        }
        if rule.managed {
            let _ = writeln!(out, "- Managed targets: yes (judges what the resource decides)");
        }
        if !rule.sentinel {
            let _ = writeln!(out, "- Sentinel configs: no (a Sentinel holds no data)");
        }
        if !rule.requires.is_empty() {
            let _ = writeln!(out, "- Runs on targets with: {}", rule.requires.join(", "));
        }
        if !rule.checklist.is_empty() {
            let _ = writeln!(out, "- Checklist: {}", rule.checklist.join(", "));
        }
        let check = match &rule.check {
            Check::Builtin(name) => format!("builtin `{name}`"),
            Check::When(_) => "declarative condition".to_string(),
        };
        let _ = writeln!(out, "- Check: {check} (`{}`)", rule.file);
        if !rule.description.is_empty() {
            let _ = writeln!(out, "\n{}", rule.description);
        }
        let _ = writeln!(out, "\n**Fix:** {}", rule.remediation);
        if !rule.profile_message.is_empty() {
            let _ = writeln!(out, "\n**Message by profile:**\n");
            for (profile, message) in &rule.profile_message {
                let _ = writeln!(out, "- {profile}: {message}");
            }
        }
        if !rule.profile_remediation.is_empty() {
            let _ = writeln!(out, "\n**Fix by profile:**\n");
            for (profile, remediation) in &rule.profile_remediation {
                let _ = writeln!(out, "- {profile}: {remediation}");
            }
        }
        if !rule.references.is_empty() {
            let _ = writeln!(out, "\n**References:**\n");
            for reference in &rule.references {
                let _ = writeln!(out, "- <{reference}>");
            }
        }
    }
    out
}

fn anchor(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The full text `explain RULE` prints.
pub fn explain(rule: &super::Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})\n{}\n", rule.id, rule.severity, rule.title);
    if !rule.description.is_empty() {
        let _ = writeln!(out, "{}\n", rule.description);
    }
    let _ = writeln!(out, "Fix: {}\n", rule.remediation);
    for (profile, remediation) in &rule.profile_remediation {
        let _ = writeln!(out, "Fix on {profile}: {remediation}\n");
    }
    let _ = writeln!(out, "Category: {}", rule.category);
    let _ = writeln!(
        out,
        "Sources: {}",
        rule.sources.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    );
    let _ = writeln!(
        out,
        "Profiles: {}",
        rule.profiles
            .as_ref()
            .map(|p| p.join(", "))
            .unwrap_or_else(|| "all".into())
    );
    if let Some(roles) = &rule.roles {
        let _ = writeln!(out, "Roles: {}", roles.join(", "));
    }
    for (profile, severity) in &rule.profile_severity {
        let _ = writeln!(out, "Severity on {profile}: {severity}");
    }
    for entry in &rule.severity_when {
        let _ = writeln!(out, "Severity {} when {}", entry.severity, entry.when);
    }
    if rule.managed {
        let _ = writeln!(out, "Managed targets: yes");
    }
    if !rule.sentinel {
        let _ = writeln!(out, "Sentinel configs: no");
    }
    if !rule.requires.is_empty() {
        let _ = writeln!(out, "Runs on targets with: {}", rule.requires.join(", "));
    }
    if !rule.checklist.is_empty() {
        let _ = writeln!(out, "Checklist: {}", rule.checklist.join(", "));
    }
    if !rule.references.is_empty() {
        let _ = writeln!(out, "References:");
        for reference in &rule.references {
            let _ = writeln!(out, "  {reference}");
        }
    }
    out
}
