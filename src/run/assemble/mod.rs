//! Assemble: the inputs of one target (its config, the app's environment,
//! the probe's answers, the settings) become one `Facts`. The only place
//! that writes facts; every derived number is computed here, once.

pub mod conf;
pub mod defaults;
pub mod env;
pub mod exposure;
pub mod live;
pub mod workload;

use crate::conf::catalog::Target;
use crate::conf::ParsedConfig;
use crate::facts::{EnvVar, Facts, Origin, Source, Value};
use crate::probe::LiveData;
use crate::settings::{Settings, DEFAULT_EVICTION_POLICY, DEFAULT_TIER};

pub struct FactInputs<'a> {
    pub target: Target,
    pub profile: &'a str,
    pub settings: &'a Settings,
    pub config: Option<&'a ParsedConfig>,
    /// `None` when no env source was asked for: env rules then do not run.
    pub env: Option<&'a [EnvVar]>,
    /// What the live probe saw, when it ran.
    pub live: Option<&'a LiveData>,
}

fn settings_facts(settings: &Settings, facts: &mut Facts) {
    let thresholds = &settings.thresholds;
    let mut put =
        |name: &str, value: i64| facts.insert(format!("settings.{name}"), Value::Int(value), Origin::Settings);
    put("password_min_length", thresholds.password_min_length);
    put("max_ttl_seconds", thresholds.max_ttl_seconds);
    put("memory_pressure_percent", thresholds.memory_pressure_percent);
    put("hit_rate_min_percent", thresholds.hit_rate_min_percent);
    put("clients_percent", thresholds.clients_percent);
    put("backup_max_age_seconds", thresholds.backup_max_age_hours * 3600);
    put("backup_retention_days", thresholds.backup_retention_days);
    put("latency_medium_us", thresholds.latency_p50_medium_ms * 1000);
    put("latency_high_us", thresholds.latency_p50_high_ms * 1000);
    put("cert_expiry_days", thresholds.cert_expiry_days);
    let mut text = |name: &str, value: Option<&String>, default: &str| {
        let value = value.cloned().unwrap_or_else(|| default.to_string());
        facts.insert(format!("settings.{name}"), Value::Str(value), Origin::Settings)
    };
    text(
        "eviction_policy",
        settings.eviction_policy.as_ref(),
        DEFAULT_EVICTION_POLICY,
    );
    text("tier", settings.tier.as_ref(), DEFAULT_TIER);
    facts.insert(
        "settings.eviction_policy_set",
        Value::Bool(settings.eviction_policy.is_some()),
        Origin::Settings,
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
        facts.sources.push(Source::Config);
        facts.config_file = config.main_file().cloned();
        facts.insert("conf.sentinel-mode", Value::Bool(config.sentinel), Origin::Settings);
        conf::apply(config, &mut facts);
        facts.diagnostics = config.diagnostics.clone();
    } else if let Some(data) = inputs.live {
        // No file: the running configuration is what is audited.
        live::apply_running_config(data, &inputs.target, &mut facts);
    }
    if let Some(data) = inputs.live {
        facts.sources.push(Source::Live);
        live::apply(data, &mut facts);
    }
    if let Some(vars) = inputs.env {
        facts.sources.push(Source::Env);
        env::apply(vars, &mut facts);
    }
    facts
}

/// What is derived from every source of a target once they are all in:
/// its reachability and its role (the target id must be set).
pub fn derive(facts: &mut Facts, settings: &Settings, env: Option<&[EnvVar]>) {
    // A release line without `tls-port` (Redis < 6.0) has no TLS at all.
    if let Some(port) = facts.get("conf.port") {
        let origin = port.origin.clone();
        let available = facts.get("conf.tls-port").is_some();
        facts.insert("target.tls_available", Value::Bool(available), origin);
    }
    exposure::apply(facts);
    workload::apply(facts, settings, env);
}
