//! Assembles facts from the inputs of one run.

use super::{live, Facts, Origin, Value};
use crate::conf::catalog::Target;
use crate::conf::{effective, ParsedConfig};
use crate::probe::LiveData;
use crate::settings::Settings;

pub struct FactInputs<'a> {
    pub target: Target,
    pub profile: &'a str,
    pub settings: &'a Settings,
    pub config: Option<&'a ParsedConfig>,
    /// `None` when no env source was asked for: env rules then do not run.
    pub env: Option<Vec<super::EnvVar>>,
    /// What the live probe saw, when it ran.
    pub live: Option<&'a LiveData>,
}

fn settings_facts(settings: &Settings, facts: &mut Facts) {
    let thresholds = &settings.thresholds;
    let mut put = |name: &str, value: Value| facts.insert(format!("settings.{name}"), value, Origin::Settings);
    put(
        "eviction_policy",
        Value::Str(settings.eviction_policy.clone().unwrap_or_else(|| "allkeys-lru".into())),
    );
    put(
        "password_min_length",
        Value::Int(thresholds.password_min_length.unwrap_or(32)),
    );
    put(
        "max_ttl_seconds",
        Value::Int(thresholds.max_ttl_seconds.unwrap_or(2_592_000)),
    );
    put(
        "memory_pressure_percent",
        Value::Int(thresholds.memory_pressure_percent.unwrap_or(80)),
    );
    put(
        "hit_rate_min_percent",
        Value::Int(thresholds.hit_rate_min_percent.unwrap_or(80)),
    );
    put("clients_percent", Value::Int(thresholds.clients_percent.unwrap_or(80)));
    put(
        "backup_max_age_seconds",
        Value::Int(thresholds.backup_max_age_hours.unwrap_or(24) * 3600),
    );
    put(
        "latency_medium_us",
        Value::Int(thresholds.latency_p50_medium_ms.unwrap_or(1) * 1000),
    );
    put(
        "latency_high_us",
        Value::Int(thresholds.latency_p50_high_ms.unwrap_or(10) * 1000),
    );
    put(
        "cert_expiry_days",
        Value::Int(thresholds.cert_expiry_days.unwrap_or(30)),
    );
    put(
        "tier",
        Value::Str(settings.tier.clone().unwrap_or_else(|| "basic".into())),
    );
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
    settings_facts(inputs.settings, &mut facts);
    if let Some(config) = inputs.config {
        facts.sources.push("config");
        facts.config_file = config.main_file().cloned();
        facts.insert("conf.sentinel-mode", Value::Bool(config.sentinel), Origin::Settings);
        effective::apply(config, &mut facts);
        facts.diagnostics = config.diagnostics.clone();
    } else if let Some(data) = inputs.live {
        // No file: the running configuration is what is audited.
        live::apply_running_config(data, &inputs.target, &mut facts);
    }
    if let Some(data) = inputs.live {
        facts.sources.push("live");
        live::apply(data, &mut facts);
    }
    if let Some(vars) = inputs.env {
        facts.sources.push("env");
        crate::env::apply(vars, &mut facts);
    }
    facts
}
