//! Managed targets through evaluation, suppression and the report model,
//! built in memory with the builder the Terraform and cloud readers use (the
//! readers themselves are tested on real files).

use super::gather::{DeployTarget, Gathered};
use super::{evaluate_gathered, RunPlan};
use crate::conf::catalog::Target;
use crate::conf::{self, LoadOptions};
use crate::deploy::managed::{Auth, Managed, Seen, Service, Transit};
use crate::deploy::{Kind, Locator};
use crate::facts::Value;
use crate::findings::{Finding, Severity, State};
use crate::report::checklist::{self, Status};
use crate::report::model::Model;
use crate::rules::RulePack;
use crate::settings::Settings;
use crate::textfile::SourceFile;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// Where a piece of the resource's text is.
type Span<'a> = &'a dyn Fn(&str) -> Range<usize>;
/// Tells the builder what the resource says.
type Build = Box<dyn Fn(&mut Managed<'_>, Span<'_>)>;

/// A resource's text and how the builder is told what it says.
struct Resource {
    service: Service,
    text: String,
    /// The app's `REDIS_URL`, as a variable linked to this instance.
    url: Option<String>,
    build: Build,
}

fn span_of(text: &str, needle: &str) -> Range<usize> {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the resource"));
    start..start + needle.len()
}

fn deploy_target(resource: &Resource) -> (DeployTarget, SourceFile) {
    let path = Arc::new(PathBuf::from("infra/main.tf"));
    let text: Arc<str> = Arc::from(resource.text.as_str());
    let source = SourceFile {
        path: path.clone(),
        text: text.clone(),
    };
    let locator = Locator::new(path.clone(), text.clone());
    let header = 0..resource.text.find('\n').unwrap_or(resource.text.len());
    let mut managed = Managed::new(
        resource.service,
        Kind::Terraform,
        &locator,
        source.clone(),
        "terraform:infra/main.tf#cache".into(),
        "cache",
        header,
    );
    let span = |needle: &str| span_of(&resource.text, needle);
    (resource.build)(&mut managed, &span);
    let env = match &resource.url {
        Some(url) => vec![locator.env_var("REDIS_URL", url, span(url))],
        None => Vec::new(),
    };
    let mut instance = managed.finish(env);
    let pieces = std::mem::take(&mut instance.pieces);
    let config = conf::load_pieces(&path, pieces, Target::DEFAULT, &LoadOptions::default()).unwrap();
    (
        DeployTarget {
            file: path,
            instance,
            config,
        },
        source,
    )
}

fn run(resource: &Resource, profile: &str) -> Model {
    run_with(resource, profile, Settings::default())
}

fn run_with(resource: &Resource, profile: &str, settings: Settings) -> Model {
    let (deployment, source) = deploy_target(resource);
    let plan = RunPlan {
        inputs: Vec::new(),
        kind: None,
        configs: Vec::new(),
        load: LoadOptions::default(),
        env_files: Vec::new(),
        process_env: false,
        probe: None,
        version: None,
        profile: profile.into(),
        fail_on: Some(Severity::High),
        select: Vec::new(),
        ignore: Vec::new(),
        settings,
        rules: RulePack::embedded().unwrap(),
        baseline: None,
        write_baseline: None,
        today: "2026-01-01".into(),
    };
    let gathered = Gathered {
        deployments: vec![deployment],
        deploy_sources: vec![source],
        inputs: Default::default(),
        target: Target::DEFAULT,
        configs: Vec::new(),
        env: None,
        env_sources: Vec::new(),
        live: None,
        probe_failure: None,
        baseline: None,
    };
    evaluate_gathered(plan, gathered).model
}

fn finding<'a>(model: &'a Model, rule: &str) -> &'a Finding {
    model
        .findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {:#?}", ids(model)))
}

fn ids(model: &Model) -> Vec<&str> {
    model.findings.iter().map(|f| f.rule.as_str()).collect()
}

fn ran(model: &Model, rule: &str) -> bool {
    model.rules.iter().any(|r| r.rule.id == rule && r.ran)
}

const BASIC_MEMORYSTORE: &str = r#"resource "google_redis_instance" "cache" {
  tier                    = "BASIC"
  redis_version           = "REDIS_6_X"
  transit_encryption_mode = "DISABLED"
  auth_enabled            = false
}
"#;

/// A Memorystore Basic instance with everything left off, as the guide's
/// first Terraform example has it.
fn basic_memorystore() -> Resource {
    Resource {
        service: Service::Memorystore,
        text: BASIC_MEMORYSTORE.into(),
        url: None,
        build: Box::new(|m, span| {
            let header = m.header();
            m.transit(
                Seen::Known(Transit::Off),
                span("transit_encryption_mode = \"DISABLED\""),
            );
            m.says(
                "tls",
                "transit_encryption_mode = \"DISABLED\"",
                span("transit_encryption_mode"),
            );
            m.auth(Seen::Known(Auth::Off), span("auth_enabled            = false"));
            m.says("auth", "auth_enabled = false", span("auth_enabled"));
            m.fact(
                "managed.failover",
                Value::Bool(false),
                span("tier                    = \"BASIC\""),
            );
            m.says("failover", "tier = \"BASIC\"", span("tier"));
            m.fact("managed.backup", Value::Bool(false), header.clone());
            m.says(
                "backup",
                "persistence_config is not set (default: no snapshots)",
                header.clone(),
            );
            m.fact("managed.encryption_at_rest", Value::Bool(true), header.clone());
            m.fact("managed.public", Value::Bool(false), header.clone());
            m.fact(
                "deploy.version",
                Value::Str("6".into()),
                span("redis_version           = \"REDIS_6_X\""),
            );
            m.fact(
                "managed.engine_version",
                Value::Str("REDIS_6_X".into()),
                span("\"REDIS_6_X\""),
            );
        }),
    }
}

const STANDARD_MEMORYSTORE: &str = r#"resource "google_redis_instance" "cache" {
  tier                    = "STANDARD_HA"
  replica_count           = 1
  redis_version           = "REDIS_7_2"
  transit_encryption_mode = "SERVER_AUTHENTICATION"
  auth_enabled            = true
  persistence_config { persistence_mode = "RDB" }
  redis_configs = { maxmemory-policy = "allkeys-lru" }
}
"#;

/// The guide's production setup: Standard tier with one replica, TLS, AUTH, RDB.
fn standard_memorystore() -> Resource {
    Resource {
        service: Service::Memorystore,
        text: STANDARD_MEMORYSTORE.into(),
        url: None,
        build: Box::new(|m, span| {
            let header = m.header();
            let tls = span("transit_encryption_mode = \"SERVER_AUTHENTICATION\"");
            m.transit(Seen::Known(Transit::On), tls.clone());
            m.says("tls", "transit_encryption_mode = \"SERVER_AUTHENTICATION\"", tls);
            m.minimum_tls(Seen::Known("1.2".into()), header.clone());
            let auth = span("auth_enabled            = true");
            m.auth(
                Seen::Known(Auth::Managed("AUTH string generated by Memorystore".into())),
                auth.clone(),
            );
            m.says("auth", "auth_enabled = true", auth);
            m.eviction(
                Seen::Known("allkeys-lru".into()),
                span("maxmemory-policy = \"allkeys-lru\""),
            );
            let tier = span("tier                    = \"STANDARD_HA\"");
            m.fact("managed.failover", Value::Bool(true), tier.clone());
            m.says("failover", "tier = \"STANDARD_HA\"", tier);
            m.fact("managed.replicas", Value::Int(1), span("replica_count           = 1"));
            let backup = span("persistence_mode = \"RDB\"");
            m.fact("managed.backup", Value::Bool(true), backup.clone());
            m.says("backup", "persistence_mode = \"RDB\"", backup);
            m.fact("managed.encryption_at_rest", Value::Bool(true), header.clone());
            m.fact("managed.public", Value::Bool(false), header);
            m.fact(
                "deploy.version",
                Value::Str("7.2".into()),
                span("redis_version           = \"REDIS_7_2\""),
            );
        }),
    }
}

#[test]
fn a_basic_memorystore_instance_is_judged_by_the_memorystore_profile() {
    let model = run(&basic_memorystore(), "self-hosted");
    assert_eq!(model.targets[0].profile, "memorystore");
    assert_eq!(model.profile, "self-hosted");

    // TLS and AUTH are judged on Memorystore in its own words; the instance is
    // on a private network (its VPC), so both are high, as on any private network.
    let tls = finding(&model, "tls.disabled");
    assert_eq!(tls.severity, Severity::High);
    assert!(
        tls.message.contains("inside its VPC network")
            && tls.message.contains("transit_encryption_mode = \"DISABLED\""),
        "{}",
        tls.message
    );
    assert!(tls.remediation.contains("SERVER_AUTHENTICATION"), "{}", tls.remediation);
    let location = tls.location.as_ref().unwrap();
    assert_eq!((location.file.as_str(), location.line), ("infra/main.tf", 4));
    let auth = finding(&model, "auth.no-password");
    assert_eq!(auth.severity, Severity::High);
    assert!(auth.message.contains("auth_enabled = false"), "{}", auth.message);
    assert!(auth.remediation.contains("auth_enabled = true"), "{}", auth.remediation);

    let failover = finding(&model, "replication.no-automatic-failover");
    assert_eq!(failover.severity, Severity::High);
    assert!(
        failover.message.contains("cache") && failover.message.contains("tier = \"BASIC\""),
        "{}",
        failover.message
    );
    assert!(failover.remediation.contains("STANDARD_HA"), "{}", failover.remediation);
    assert!(finding(&model, "backup.not-configured")
        .message
        .contains("persistence_config"));
    let eol = finding(&model, "config.version-eol");
    assert!(
        eol.message.contains("Redis 6") && eol.message.contains("REDIS_6_X"),
        "{}",
        eol.message
    );
    assert!(eol.remediation.contains("REDIS_7_2"), "{}", eol.remediation);
    for quiet in ["storage.encryption-at-rest-disabled", "network.public-access"] {
        assert!(
            ran(&model, quiet) && !ids(&model).contains(&quiet),
            "{quiet}: {:?}",
            ids(&model)
        );
    }
}

#[test]
fn rules_that_read_the_unseen_config_do_not_run_on_a_managed_target() {
    let model = run(&standard_memorystore(), "self-hosted");
    for rule in [
        "persistence.disabled",
        "observability.slowlog-disabled",
        "memory.maxmemory-unset",
        "commands.dangerous-enabled",
        "config.syntax-error",
        "network.bind-all-interfaces",
        "tls.cert-file-missing",
    ] {
        assert!(!ran(&model, rule), "{rule} ran on a managed target");
    }
    for rule in [
        "tls.disabled",
        "tls.legacy-protocols",
        "auth.no-password",
        "memory.eviction-policy",
        "replication.no-automatic-failover",
        "backup.not-configured",
    ] {
        assert!(ran(&model, rule), "{rule} did not run");
    }
    assert!(model.findings.is_empty(), "{:#?}", model.findings);
}

#[test]
fn an_explicit_profile_other_than_self_hosted_wins_over_the_service_s() {
    let model = run(&basic_memorystore(), "development");
    assert_eq!(model.targets[0].profile, "development");
    // Development stops only what is critical anywhere.
    assert!(model.findings.is_empty(), "{:?}", ids(&model));
    let model = run(&basic_memorystore(), "redis-cloud");
    assert_eq!(finding(&model, "tls.disabled").severity, Severity::Critical);
}

#[test]
fn the_checklist_verifies_items_from_the_resource_and_quotes_its_lines() {
    let model = run(&standard_memorystore(), "self-hosted");
    let audit = checklist::audit(&model);
    let status = |id: &str| audit.iter().find(|a| a.item.id == id).unwrap();
    for id in ["tls-enabled", "password-set", "backups-configured", "network-private"] {
        assert_eq!(status(id).status, Status::Pass, "{id}: {}", status(id).reason());
    }
    // No app variables were read: the app-vs-service rules did not run.
    for rule in [
        "env.url-tls-not-offered",
        "env.url-tls-required",
        "env.url-password-unused",
    ] {
        assert!(!ran(&model, rule), "{rule} ran without the app's variables");
    }
    // Failover: the tier is verified, the drill is not.
    let failover = status("failover-tested");
    assert_eq!(failover.status, Status::NotVerifiable);
    assert!(
        failover.reason().contains("tier and replicas were verified") && failover.reason().contains("attest"),
        "{}",
        failover.reason()
    );
    let markdown = checklist::render(&model);
    assert!(
        markdown.contains(
            "`conf.tls-port = 6378` (infra/main.tf:5: `transit_encryption_mode = \"SERVER_AUTHENTICATION\"`)"
        ),
        "{markdown}"
    );
    assert!(
        markdown
            .contains("`managed.backup = yes` (infra/main.tf:7: `persistence_config { persistence_mode = \"RDB\" }`)"),
        "{markdown}"
    );
    let html = crate::report::html::render(&model);
    assert!(
        html.contains("transit_encryption_mode = &quot;SERVER_AUTHENTICATION&quot;"),
        "{html}"
    );

    // Without a replica the item fails.
    let model = run(&basic_memorystore(), "self-hosted");
    let audit = checklist::audit(&model);
    let failover = audit.iter().find(|a| a.item.id == "failover-tested").unwrap();
    assert_eq!(failover.status, Status::Fail);
    let markdown = checklist::render(&model);
    assert!(
        markdown.contains("at `infra/main.tf:2` `tier                    = \"BASIC\"`"),
        "{markdown}"
    );
}

const ELASTICACHE: &str = r#"resource "aws_elasticache_replication_group" "cache" {
  transit_encryption_enabled = true
  auth_token                 = var.auth_token
  snapshot_retention_limit   = 1
  at_rest_encryption_enabled = false
  subnet_group_name          = var.subnets
}
"#;

fn elasticache(public: Value) -> Resource {
    Resource {
        service: Service::ElastiCache,
        text: ELASTICACHE.into(),
        url: None,
        build: Box::new(move |m, span| {
            m.transit(Seen::Known(Transit::On), span("transit_encryption_enabled = true"));
            m.auth(
                Seen::Known(Auth::Managed("var.auth_token".into())),
                span("auth_token                 = var.auth_token"),
            );
            m.fact("managed.failover", Value::Bool(true), m.header());
            let backup = span("snapshot_retention_limit   = 1");
            m.fact("managed.backup", Value::Bool(true), backup.clone());
            m.fact("managed.backup_retention_days", Value::Int(1), backup.clone());
            m.says("backup", "snapshot_retention_limit = 1", backup);
            let at_rest = span("at_rest_encryption_enabled = false");
            m.fact("managed.encryption_at_rest", Value::Bool(false), at_rest.clone());
            m.says("at_rest", "at_rest_encryption_enabled = false", at_rest);
            let subnets = span("subnet_group_name          = var.subnets");
            m.fact("managed.public", public.clone(), subnets.clone());
            m.says("public", "subnet_group_name = var.subnets", subnets);
        }),
    }
}

#[test]
fn elasticache_retention_encryption_and_an_undecided_public_endpoint() {
    let model = run(
        &elasticache(Value::Unknown {
            unknown: "`var.subnets` has no value here".into(),
        }),
        "self-hosted",
    );
    assert_eq!(model.targets[0].profile, "elasticache");
    assert!(!ids(&model).contains(&"tls.disabled"), "{:?}", ids(&model));
    assert!(!ids(&model).contains(&"auth.no-password"), "{:?}", ids(&model));
    let retention = finding(&model, "backup.retention-short");
    assert!(
        retention.message.contains("for 1 days, fewer than the 7 expected"),
        "{}",
        retention.message
    );
    assert!(retention.remediation.contains("snapshot_retention_limit = 7"));
    let at_rest = finding(&model, "storage.encryption-at-rest-disabled");
    assert!(at_rest.remediation.contains("at_rest_encryption_enabled = true"));
    let public = finding(&model, "network.public-access");
    assert_eq!(public.state, State::Warn);
    assert!(
        public.message.starts_with("could not verify") && public.message.contains("var.subnets"),
        "{}",
        public.message
    );
    // The threshold comes from the settings.
    let mut settings = Settings::default();
    settings.thresholds.backup_retention_days = 1;
    let model = run_with(&elasticache(Value::Bool(false)), "self-hosted", settings);
    assert!(!ids(&model).contains(&"backup.retention-short"), "{:?}", ids(&model));
    assert!(!ids(&model).contains(&"network.public-access"), "{:?}", ids(&model));
}

#[test]
fn a_public_endpoint_is_critical_without_auth_and_high_with_it() {
    let public = |auth: Auth| {
        Resource {
        service: Service::AzureCache,
        text: "resource \"azurerm_redis_cache\" \"cache\" {\n  public_network_access_enabled = true\n  authentication_enabled = false\n}\n"
            .into(),
        url: None,
        build: Box::new(move |m, span| {
            let at = span("public_network_access_enabled = true");
            m.fact("managed.public", Value::Bool(true), at.clone());
            m.says("public", "public_network_access_enabled = true", at);
            m.auth(Seen::Known(auth.clone()), span("authentication_enabled = false"));
        }),
    }
    };
    let model = run(&public(Auth::Off), "self-hosted");
    assert_eq!(model.targets[0].profile, "azure-cache");
    let finding_open = finding(&model, "network.public-access");
    assert_eq!(finding_open.severity, Severity::Critical);
    assert!(
        finding_open.message.starts_with("public_network_access_enabled = true: the endpoint is reachable from the internet and clients need no password"),
        "{}",
        finding_open.message
    );
    assert!(finding_open
        .remediation
        .contains("public_network_access_enabled = false"));
    let model = run(&public(Auth::Managed("access keys".into())), "self-hosted");
    assert_eq!(finding(&model, "network.public-access").severity, Severity::High);
    assert_eq!(finding(&model, "network.public-access").state, State::Fail);
}

#[test]
fn a_public_endpoint_whose_auth_is_unknown_is_high_and_undecided() {
    let resource = Resource {
        service: Service::AzureCache,
        text: "resource \"azurerm_redis_cache\" \"cache\" {\n  public_network_access_enabled = true\n  authentication_enabled = var.auth\n}\n".into(),
        url: None,
        build: Box::new(|m, span| {
            let at = span("public_network_access_enabled = true");
            m.fact("managed.public", Value::Bool(true), at.clone());
            m.says("public", "public_network_access_enabled = true", at);
            m.auth(
                Seen::Unknown("`var.auth` has no value here".into()),
                span("authentication_enabled = var.auth"),
            );
        }),
    };
    let model = run(&resource, "self-hosted");
    let public = finding(&model, "network.public-access");
    assert_eq!((public.severity, public.state), (Severity::High, State::Warn));
    assert!(public.message.contains("var.auth"), "{}", public.message);
    let auth = finding(&model, "auth.no-password");
    assert_eq!(auth.state, State::Warn);
}

/// A resource with TLS as given and AUTH off, and the app's URL linked to it.
fn linked(transit: Transit, url: &str, link: Value) -> Resource {
    Resource {
        service: Service::Memorystore,
        text: format!(
            "resource \"google_redis_instance\" \"cache\" {{\n  transit_encryption_mode = \"X\"\n  auth_enabled = false\n}}\n# app: REDIS_URL={url}\n"
        ),
        url: Some(url.to_string()),
        build: Box::new(move |m, span| {
            let tls = span("transit_encryption_mode = \"X\"");
            m.transit(Seen::Known(transit), tls.clone());
            m.says("tls", "transit_encryption_mode = \"X\"", tls);
            let auth = span("auth_enabled = false");
            m.auth(Seen::Known(Auth::Off), auth.clone());
            m.says("auth", "auth_enabled = false", auth);
            m.fact("managed.env_link", link.clone(), m.header());
        }),
    }
}

#[test]
fn the_app_s_url_is_compared_with_the_service_it_is_linked_to() {
    let model = run(
        &linked(Transit::Off, "rediss://10.0.0.5:6378/0", Value::Bool(true)),
        "self-hosted",
    );
    let not_offered = finding(&model, "env.url-tls-not-offered");
    assert!(
        not_offered
            .message
            .starts_with("REDIS_URL connects with TLS (rediss://) but cache offers no TLS"),
        "{}",
        not_offered.message
    );
    assert_eq!(not_offered.variable.as_deref(), Some("REDIS_URL"));
    assert!(!ids(&model).contains(&"env.url-tls-required"));

    let model = run(
        &linked(Transit::On, "redis://10.0.0.5:6379/0", Value::Bool(true)),
        "self-hosted",
    );
    assert!(finding(&model, "env.url-tls-required")
        .message
        .contains("accepts only TLS"));
    assert!(!ids(&model).contains(&"env.url-tls-not-offered"));

    let model = run(
        &linked(
            Transit::On,
            "rediss://:q3V9xL2mR7tK8pZ4wN6yB1cF5hJ0dG3s@10.0.0.5:6378/0",
            Value::Bool(true),
        ),
        "self-hosted",
    );
    let unused = finding(&model, "env.url-password-unused");
    assert!(unused.message.contains("auth_enabled = false"), "{}", unused.message);
    assert!(!unused.message.contains("q3V9xL2m"), "{}", unused.message);

    // The URL could belong to several instances: could not verify.
    let model = run(
        &linked(
            Transit::Off,
            "rediss://10.0.0.5:6378/0",
            Value::Unknown {
                unknown: "REDIS_URL could point at google_redis_instance.cache or google_redis_instance.other".into(),
            },
        ),
        "self-hosted",
    );
    let warn = finding(&model, "env.url-tls-not-offered");
    assert_eq!(warn.state, State::Warn);
    assert!(
        warn.message.starts_with("could not verify") && warn.message.contains("google_redis_instance.other"),
        "{}",
        warn.message
    );
}

#[test]
fn a_redis_conf_under_a_managed_profile_keeps_the_general_wording() {
    let path = PathBuf::from("redis.conf");
    let config = conf::load_text(&path, "port 6379\n".into(), Target::DEFAULT, &LoadOptions::default()).unwrap();
    let plan = RunPlan {
        inputs: Vec::new(),
        kind: None,
        configs: vec![path],
        load: LoadOptions::default(),
        env_files: Vec::new(),
        process_env: false,
        probe: None,
        version: None,
        profile: "memorystore".into(),
        fail_on: None,
        select: Vec::new(),
        ignore: Vec::new(),
        settings: Settings::default(),
        rules: RulePack::embedded().unwrap(),
        baseline: None,
        write_baseline: None,
        today: "2026-01-01".into(),
    };
    let gathered = Gathered {
        deployments: Vec::new(),
        deploy_sources: Vec::new(),
        inputs: Default::default(),
        target: Target::DEFAULT,
        configs: vec![config],
        env: None,
        env_sources: Vec::new(),
        live: None,
        probe_failure: None,
        baseline: None,
    };
    let model = evaluate_gathered(plan, gathered).model;
    assert_eq!(model.targets[0].profile, "memorystore");
    let tls = finding(&model, "tls.disabled");
    // The default `bind * -::*` listens on every interface: as high as anywhere.
    assert_eq!(tls.severity, Severity::High);
    assert_eq!(tls.message, "Clients connect in clear text on port 6379");
    assert!(tls.remediation.starts_with("Enable TLS and close the plaintext port"));
}
