//! Assembles facts from the inputs of one run.

use super::{Facts, Origin, Value};
use crate::conf::catalog::Target;
use crate::conf::{effective, ParsedConfig};
use crate::settings::Settings;

pub struct FactInputs<'a> {
    pub target: Target,
    pub profile: &'a str,
    pub settings: &'a Settings,
    pub config: Option<&'a ParsedConfig>,
    /// `None` when no env source was asked for: env rules then do not run.
    pub env: Option<Vec<super::EnvVar>>,
}

pub fn build_facts(inputs: FactInputs<'_>) -> Facts {
    let mut facts = Facts::default();
    facts.insert(
        "target.product",
        Value::Str(inputs.target.product.name().into()),
        Origin::Settings,
    );
    facts.insert(
        "target.line",
        Value::Str(format!("{}.{}", inputs.target.major, inputs.target.minor)),
        Origin::Settings,
    );
    facts.insert("profile", Value::Str(inputs.profile.into()), Origin::Settings);
    let settings = inputs.settings;
    facts.insert(
        "settings.eviction_policy",
        Value::Str(settings.eviction_policy.clone().unwrap_or_else(|| "allkeys-lru".into())),
        Origin::Settings,
    );
    facts.insert(
        "settings.password_min_length",
        Value::Int(settings.thresholds.password_min_length.unwrap_or(32)),
        Origin::Settings,
    );
    facts.insert(
        "settings.max_ttl_seconds",
        Value::Int(settings.thresholds.max_ttl_seconds.unwrap_or(2_592_000)),
        Origin::Settings,
    );
    if let Some(config) = inputs.config {
        facts.sources.push("config");
        facts.config_file = config.main_file().cloned();
        facts.insert("conf.sentinel-mode", Value::Bool(config.sentinel), Origin::Settings);
        effective::apply(config, &mut facts);
        facts.diagnostics = config.diagnostics.clone();
    }
    if let Some(vars) = inputs.env {
        facts.sources.push("env");
        crate::env::apply(vars, &mut facts);
    }
    facts
}
