use super::*;
use crate::conf::{Opaque, Piece};
use crate::facts::Origin;

const FIXTURES: &str = "tests/fixtures/deployments/terraform";

fn read_in(dir: &Path, files: &[(&str, &str)], which: &str) -> Result<DeployFile, String> {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let path = dir.join(which);
    let text = std::fs::read_to_string(&path).unwrap();
    read(&path, &text, &Target::DEFAULT, &mut DirCache::default())
}

/// Reads `which` among `files` written to a fresh directory.
fn read_files(files: &[(&str, &str)], which: &str) -> DeployFile {
    let dir = tempfile::tempdir().unwrap();
    read_in(dir.path(), files, which).unwrap()
}

/// One file, read where no sibling can be found.
fn alone(text: &str) -> DeployFile {
    read(
        Path::new("/nonexistent/terraform/main.tf"),
        text,
        &Target::DEFAULT,
        &mut DirCache::default(),
    )
    .unwrap()
}

fn fixture(name: &str) -> DeployFile {
    let path = Path::new(FIXTURES).join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    read(&path, &text, &Target::DEFAULT, &mut DirCache::default()).unwrap()
}

fn instance<'f>(file: &'f DeployFile, resource: &str) -> &'f Instance {
    file.instances
        .iter()
        .find(|i| i.id.ends_with(&format!("#{resource}")))
        .unwrap_or_else(|| {
            panic!(
                "no {resource} in {:?}",
                file.instances.iter().map(|i| &i.id).collect::<Vec<_>>()
            )
        })
}

fn fact<'i>(instance: &'i Instance, path: &str) -> &'i Value {
    instance
        .fact(path)
        .map(|(value, _)| value)
        .unwrap_or_else(|| panic!("no {path} in {}", instance.id))
}

fn fact_line(instance: &Instance, path: &str) -> Option<usize> {
    instance.fact(path).and_then(|(_, origin)| match origin {
        Origin::File { line, .. } => Some(*line),
        _ => None,
    })
}

fn says(instance: &Instance, concept: &str) -> String {
    match fact(instance, &format!("managed.says.{concept}")) {
        Value::Str(s) => s.clone(),
        other => panic!("{other:?}"),
    }
}

/// A config line the resource decides: its value, why it is opaque, its line.
fn conf<'i>(instance: &'i Instance, directive: &str) -> Option<(&'i str, Option<&'i Opaque>, usize)> {
    for piece in &instance.pieces {
        if let Piece::Lines { source, lines } = piece {
            for line in lines {
                if line.args.first().is_some_and(|a| a.value == directive) {
                    let number = source.text[..line.span.start].matches('\n').count() + 1;
                    let value = line.args.get(1).map(|a| a.value.as_str()).unwrap_or("");
                    return Some((value, line.opaque.as_ref(), number));
                }
            }
        }
    }
    None
}

fn conf_value<'i>(instance: &'i Instance, directive: &str) -> &'i str {
    conf(instance, directive).unwrap_or_else(|| panic!("no {directive}")).0
}

fn unknown(value: &Value) -> &str {
    match value {
        Value::Unknown { unknown } => unknown,
        other => panic!("not unknown: {other:?}"),
    }
}

fn requirepass(instance: &Instance) -> (String, Option<Opaque>) {
    let (value, opaque, _) = conf(instance, "requirepass").expect("requirepass");
    (value.to_string(), opaque.cloned())
}

#[test]
fn memorystore_instances() {
    let file = fixture("bridgecrewio__checkov__tests-terraform-gcp-MemorystoreForRedisAuthEnabled-main.tf");
    assert_eq!(file.instances.len(), 3);
    let pass = instance(&file, "google_redis_instance.pass");
    assert_eq!(
        pass.id.split('#').next().unwrap(),
        format!(
            "terraform:{FIXTURES}/bridgecrewio__checkov__tests-terraform-gcp-MemorystoreForRedisAuthEnabled-main.tf"
        )
    );
    assert!(matches!(requirepass(pass).1, Some(Opaque::Reference(_))));
    assert_eq!(fact(pass, "managed.failover"), &Value::Bool(true));
    assert_eq!(fact(pass, "managed.replicas"), &Value::Int(1));
    assert_eq!(fact(pass, "deploy.version"), &Value::Str("6".into()));
    assert_eq!(fact(pass, "managed.public"), &Value::Bool(false));
    assert_eq!(fact(pass, "managed.encryption_at_rest"), &Value::Bool(true));
    assert_eq!(fact(pass, "managed.backup"), &Value::Bool(false));
    // No transit_encryption_mode: plaintext, at the resource's first line.
    assert_eq!(conf_value(pass, "port"), "6379");
    assert_eq!(conf_value(pass, "tls-port"), "0");
    assert_eq!(
        says(pass, "tls"),
        "transit_encryption_mode is not set (default DISABLED)"
    );
    assert_eq!(conf(pass, "tls-port").unwrap().2, 3);
    assert_eq!(conf_value(pass, "maxmemory-policy"), "volatile-lru");
    let fail1 = instance(&file, "google_redis_instance.fail1");
    assert_eq!(requirepass(fail1), (String::new(), None));
    assert_eq!(says(fail1, "auth"), "auth_enabled is not set (default false)");
    assert_eq!(fact(fail1, "managed.failover"), &Value::Bool(true));
    assert_eq!(fact(fail1, "deploy.version"), &Value::Str("4.0".into()));
    let fail2 = instance(&file, "google_redis_instance.fail2");
    assert_eq!(says(fail2, "auth"), "auth_enabled = false");
    assert_eq!(requirepass(fail2), (String::new(), None));
}

#[test]
fn memorystore_settings() {
    let file = alone(
        r#"resource "google_redis_instance" "c" {
  tier = "STANDARD_HA"
  replica_count = 2
  memory_size_gb = 4
  transit_encryption_mode = "SERVER_AUTHENTICATION"
  redis_configs = {
    "maxmemory-policy" = "allkeys-lru"
    notify-keyspace-events = "Ex"
  }
  persistence_config {
    persistence_mode = "RDB"
    rdb_snapshot_period = "ONE_HOUR"
  }
  redis_version = "REDIS_7_2"
}
"#,
    );
    let c = instance(&file, "google_redis_instance.c");
    assert_eq!(conf_value(c, "port"), "0");
    assert_eq!(conf_value(c, "tls-port"), "6378");
    assert_eq!(conf(c, "maxmemory-policy").unwrap().0, "allkeys-lru");
    assert_eq!(conf(c, "maxmemory-policy").unwrap().2, 7);
    assert_eq!(conf_value(c, "notify-keyspace-events"), "Ex");
    assert_eq!(conf_value(c, "maxmemory"), "4gb");
    assert_eq!(fact(c, "managed.replicas"), &Value::Int(2));
    assert_eq!(fact(c, "managed.backup"), &Value::Bool(true));
    assert!(says(c, "backup").contains("ONE_HOUR"), "{}", says(c, "backup"));
    assert_eq!(fact(c, "deploy.version"), &Value::Str("7.2".into()));
    assert_eq!(fact(c, "managed.engine_version"), &Value::Str("REDIS_7_2".into()));
}

#[test]
fn replication_groups() {
    let file = fixture(
        "bridgecrewio__checkov__tests-terraform-aws-ElasticacheReplicationGroupEncryptionAtTransitAuthToken-main.tf",
    );
    let pass = instance(&file, "aws_elasticache_replication_group.pass");
    // `var.auth_token` is declared nowhere in the directory.
    let (_, opaque) = requirepass(pass);
    assert!(
        matches!(&opaque, Some(Opaque::Unknown(r)) if r.contains("var.auth_token")),
        "{opaque:?}"
    );
    assert_eq!(conf_value(pass, "tls-port"), "6379");
    assert_eq!(conf_value(pass, "port"), "0");
    assert_eq!(fact(pass, "managed.encryption_at_rest"), &Value::Bool(true));
    // One cache cluster by default: no replica to fail over to.
    assert_eq!(fact(pass, "managed.failover"), &Value::Bool(false));
    assert_eq!(conf_value(pass, "maxmemory-policy"), "volatile-lru");
    assert!(says(pass, "eviction").contains("default.redis3.2"));
    let pass2 = instance(&file, "aws_elasticache_replication_group.pass2");
    assert!(matches!(requirepass(pass2).1, Some(Opaque::Reference(r)) if r.contains("sample-group-id")));
    let fail = instance(&file, "aws_elasticache_replication_group.fail");
    assert_eq!(requirepass(fail), (String::new(), None));
    assert_eq!(conf_value(fail, "port"), "6379");
    assert_eq!(conf_value(fail, "tls-port"), "0");
    assert_eq!(fact(fail, "managed.encryption_at_rest"), &Value::Bool(false));
    assert_eq!(fact(fail, "managed.public"), &Value::Bool(false));
}

#[test]
fn replication_group_with_linked_groups_in_a_sibling_file() {
    let main = r#"resource "aws_elasticache_replication_group" "r" {
  engine = "valkey"
  transit_encryption_enabled = true
  transit_encryption_mode = "preferred"
  automatic_failover_enabled = true
  num_cache_clusters = 3
  snapshot_retention_limit = 5
  parameter_group_name = aws_elasticache_parameter_group.p.name
  user_group_ids = [aws_elasticache_user_group.g.user_group_id]
  engine_version = "7.2"
}
"#;
    let links = r#"resource "aws_elasticache_parameter_group" "p" {
  name = "custom"
  family = "valkey7"
  parameter {
    name = "maxmemory-policy"
    value = "allkeys-lfu"
  }
}
resource "aws_elasticache_user" "d" {
  user_id = "open-default"
  user_name = "default"
  access_string = "on ~* +@all"
  engine = "REDIS"
  no_password_required = true
}
resource "aws_elasticache_user_group" "g" {
  engine = "REDIS"
  user_group_id = "ug"
  user_ids = [aws_elasticache_user.d.user_id]
}
"#;
    let file = read_files(&[("main.tf", main), ("links.tf", links)], "main.tf");
    let r = instance(&file, "aws_elasticache_replication_group.r");
    assert_eq!(conf_value(r, "port"), "6379");
    assert_eq!(conf_value(r, "tls-port"), "6379");
    assert_eq!(conf_value(r, "maxmemory-policy"), "allkeys-lfu");
    assert_eq!(conf(r, "maxmemory-policy").unwrap().2, 8);
    assert!(says(r, "eviction").contains("links.tf"));
    // The group's default user has no password.
    assert_eq!(requirepass(r), (String::new(), None));
    assert_eq!(fact(r, "managed.encryption_at_rest"), &Value::Bool(true));
    assert_eq!(fact(r, "managed.failover"), &Value::Bool(true));
    assert_eq!(fact(r, "managed.replicas"), &Value::Int(2));
    assert_eq!(fact(r, "managed.backup"), &Value::Bool(true));
    assert_eq!(fact(r, "managed.backup_retention_days"), &Value::Int(5));
    assert_eq!(fact(r, "deploy.version"), &Value::Str("7.2".into()));
    // A group by name that is nowhere: unknown, named.
    let file = alone("resource \"aws_elasticache_replication_group\" \"r\" {\n  parameter_group_name = \"mine\"\n}\n");
    let r = instance(&file, "aws_elasticache_replication_group.r");
    assert!(matches!(conf(r, "maxmemory-policy").unwrap().1, Some(Opaque::Unknown(u)) if u.contains("mine")));
}

#[test]
fn cache_clusters() {
    let file = fixture("bridgecrewio__checkov__tests-terraform-aws-ElasticCacheAutomaticBackup-main.tf");
    // memcached is not Redis.
    assert_eq!(file.instances.len(), 3);
    let enabled = instance(&file, "aws_elasticache_cluster.enabled");
    assert_eq!(fact(enabled, "managed.backup"), &Value::Bool(true));
    assert_eq!(fact(enabled, "managed.backup_retention_days"), &Value::Int(5));
    assert_eq!(fact(enabled, "managed.encryption_at_rest"), &Value::Bool(false));
    assert!(says(enabled, "at_rest").contains("use aws_elasticache_replication_group"));
    assert_eq!(conf_value(enabled, "tls-port"), "0");
    let default = instance(&file, "aws_elasticache_cluster.default");
    assert_eq!(fact(default, "managed.backup"), &Value::Bool(false));
    assert!(says(default, "backup").contains("not set"));
    // A member of a replication group is judged on its group.
    let file = alone("resource \"aws_elasticache_cluster\" \"m\" {\n  replication_group_id = \"g\"\n}\n");
    assert!(file.instances.is_empty());
}

#[test]
fn memorydb_clusters() {
    let file = fixture("bridgecrewio__checkov__tests-terraform-aws-MemoryDBClusterIntransitEncryption-main.tf");
    let pass = instance(&file, "aws_memorydb_cluster.pass");
    assert_eq!(conf_value(pass, "port"), "0");
    assert_eq!(says(pass, "tls"), "tls_enabled is not set (default true)");
    assert_eq!(requirepass(pass), (String::new(), None));
    let fail = instance(&file, "aws_memorydb_cluster.fail");
    assert_eq!(conf_value(fail, "tls-port"), "0");
    assert_eq!(fact(fail, "managed.backup_retention_days"), &Value::Int(7));
    assert_eq!(fact(fail, "managed.encryption_at_rest"), &Value::Bool(true));
    let acl =
        alone("resource \"aws_memorydb_cluster\" \"m\" {\n  acl_name = \"app-acl\"\n  num_replicas_per_shard = 0\n}\n");
    let m = instance(&acl, "aws_memorydb_cluster.m");
    assert!(matches!(requirepass(m).1, Some(Opaque::Reference(r)) if r == "ACL app-acl"));
    assert_eq!(fact(m, "managed.failover"), &Value::Bool(false));
    assert_eq!(conf_value(m, "maxmemory-policy"), "noeviction");
}

#[test]
fn azure_caches() {
    let file = fixture("bridgecrewio__checkov__tests-terraform-azure-RedisCacheMinTLSVersion-main.tf");
    let pass = instance(&file, "azurerm_redis_cache.pass");
    assert_eq!(fact(pass, "managed.tier"), &Value::Str("Premium P1".into()));
    assert_eq!(fact(pass, "managed.failover"), &Value::Bool(true));
    assert_eq!(conf_value(pass, "port"), "0");
    assert_eq!(conf_value(pass, "tls-port"), "6380");
    assert_eq!(conf_value(pass, "tls-protocols"), "TLSv1.2 TLSv1.3");
    assert!(matches!(requirepass(pass).1, Some(Opaque::Reference(_))));
    // In a subnet: not public, whatever public_network_access_enabled says.
    assert_eq!(fact(pass, "managed.public"), &Value::Bool(false));
    let fail = instance(&file, "azurerm_redis_cache.fail");
    assert_eq!(conf_value(fail, "tls-protocols"), "TLSv1.1 TLSv1.2 TLSv1.3");
    let fail2 = instance(&file, "azurerm_redis_cache.fail2");
    assert_eq!(conf_value(fail2, "tls-protocols"), "TLSv1.2 TLSv1.3");
    assert!(
        says(fail2, "tls").contains("enable_non_ssl_port"),
        "{}",
        says(fail2, "tls")
    );
}

#[test]
fn azure_firewall_rules_decide_public_access() {
    let cache = r#"resource "azurerm_redis_cache" "c" {
  name = "cache1"
  sku_name = "Basic"
  family = "C"
  capacity = 0
  non_ssl_port_enabled = true
  redis_configuration {
    authentication_enabled = false
  }
}
"#;
    let file = read_files(&[("main.tf", cache)], "main.tf");
    let c = instance(&file, "azurerm_redis_cache.c");
    assert_eq!(fact(c, "managed.public"), &Value::Bool(true));
    assert_eq!(fact(c, "managed.failover"), &Value::Bool(false));
    assert_eq!(fact(c, "managed.replicas"), &Value::Int(0));
    assert_eq!(conf_value(c, "port"), "6379");
    assert_eq!(conf_value(c, "tls-port"), "6380");
    assert_eq!(requirepass(c), (String::new(), None));
    let narrow = "resource \"azurerm_redis_firewall_rule\" \"office\" {\n  redis_cache_name = azurerm_redis_cache.c.name\n  start_ip = \"10.0.0.1\"\n  end_ip = \"10.0.0.9\"\n}\n";
    let file = read_files(&[("main.tf", cache), ("fw.tf", narrow)], "main.tf");
    assert_eq!(
        fact(instance(&file, "azurerm_redis_cache.c"), "managed.public"),
        &Value::Bool(false)
    );
    let all = "resource \"azurerm_redis_firewall_rule\" \"all\" {\n  redis_cache_name = \"cache1\"\n  start_ip = \"0.0.0.0\"\n  end_ip = \"255.255.255.255\"\n}\n";
    let file = read_files(&[("main.tf", cache), ("fw.tf", narrow), ("all.tf", all)], "main.tf");
    assert_eq!(
        fact(instance(&file, "azurerm_redis_cache.c"), "managed.public"),
        &Value::Bool(true)
    );
    // The real claranet rules: for_each over CIDRs, not evaluated.
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "claranet__terraform-azurerm-redis__r-redis.tf",
        "claranet__terraform-azurerm-redis__r-redis-fw.tf",
    ] {
        std::fs::copy(Path::new(FIXTURES).join(name), dir.path().join(name)).unwrap();
    }
    let path = dir.path().join("claranet__terraform-azurerm-redis__r-redis.tf");
    let text = std::fs::read_to_string(&path).unwrap();
    let file = read(&path, &text, &Target::DEFAULT, &mut DirCache::default()).unwrap();
    let main = instance(&file, "azurerm_redis_cache.main");
    // public_network_access_enabled = var.… with no declaration here.
    assert!(unknown(fact(main, "managed.public")).contains("var."));
    // A dynamic redis_configuration: auth unknown, named.
    assert!(matches!(requirepass(main).1, Some(Opaque::Unknown(r)) if r.contains("dynamic")));
}

#[test]
fn azure_unevaluated_firewall_rules_make_public_unknown() {
    let cache = "resource \"azurerm_redis_cache\" \"main\" {\n  sku_name = \"Standard\"\n}\n";
    let rule =
        std::fs::read_to_string(Path::new(FIXTURES).join("claranet__terraform-azurerm-redis__r-redis-fw.tf")).unwrap();
    let file = read_files(&[("main.tf", cache), ("fw.tf", &rule)], "main.tf");
    let main = instance(&file, "azurerm_redis_cache.main");
    let reason = unknown(fact(main, "managed.public"));
    assert!(
        reason.contains("azurerm_redis_firewall_rule.main") && reason.contains("cidrhost"),
        "{reason}"
    );
}

#[test]
fn redis_cloud_databases() {
    let file = fixture("Redislabs-Solution-Architects__rediscloud-aws-terraform__modules-rc-create-db-rc-create-db.tf");
    let db = instance(&file, "rediscloud_subscription_database.example");
    assert!(matches!(requirepass(db).1, Some(Opaque::Reference(r)) if r.contains("Redis Cloud generates")));
    assert_eq!(conf_value(db, "tls-port"), "0");
    assert_eq!(fact(db, "managed.public"), &Value::Bool(true));
    let text = "resource \"rediscloud_subscription_database\" \"d\" {\n  password = \"Zq9-cloud-Sekret\"\n  enable_tls = true\n  data_persistence = \"aof-every-1-second\"\n  replication = false\n  data_eviction = \"allkeys-lru\"\n  source_ips = [\"10.0.0.0/8\"]\n  memory_limit_in_gb = 2\n}\n";
    let file = alone(text);
    let d = instance(&file, "rediscloud_subscription_database.d");
    assert_eq!(fact(d, "deploy.password_in_source"), &Value::Bool(true));
    assert!(!file.source.text.contains("Zq9-cloud-Sekret"));
    assert_eq!(file.source.text.len(), text.len());
    assert!(!says(d, "auth").contains("Zq9"));
    assert_eq!(conf_value(d, "port"), "0");
    assert_eq!(fact(d, "managed.backup"), &Value::Bool(true));
    assert_eq!(fact(d, "managed.failover"), &Value::Bool(false));
    assert_eq!(fact(d, "managed.public"), &Value::Bool(false));
    assert_eq!(conf_value(d, "maxmemory-policy"), "allkeys-lru");
    assert_eq!(conf_value(d, "maxmemory"), "2gb");
    let aa = alone("resource \"rediscloud_active_active_subscription_database\" \"a\" {\n  global_data_persistence = \"snapshot-every-1-hour\"\n  global_source_ips = [\"0.0.0.0/0\"]\n}\n");
    let a = instance(&aa, "rediscloud_active_active_subscription_database.a");
    assert_eq!(fact(a, "managed.backup"), &Value::Bool(true));
    assert_eq!(fact(a, "managed.public"), &Value::Bool(true));
}

#[test]
fn variables_tfvars_and_locals() {
    let main = r#"resource "google_redis_instance" "c" {
  tier = var.tier
  auth_enabled = var.auth
  transit_encryption_mode = local.transit
  redis_version = var.version
  memory_size_gb = var.split
  redis_configs = {
    "maxmemory-policy" = lower("ALLKEYS-LRU")
  }
}
locals {
  transit = local.inner
  inner = "SERVER_AUTHENTICATION"
}
"#;
    let vars = r#"variable "tier" {
  default = "BASIC"
}
variable "auth" {
  default = false
}
variable "version" {}
variable "split" {
  default = 1
}
"#;
    let file = read_files(
        &[
            ("main.tf", main),
            ("variables.tf", vars),
            ("terraform.tfvars", "auth = true\n"),
            ("prod.tfvars", "split = 2\n"),
            ("dev.tfvars", "split = 3\n"),
        ],
        "main.tf",
    );
    let c = instance(&file, "google_redis_instance.c");
    // The variable's default.
    assert_eq!(fact(c, "managed.tier"), &Value::Str("BASIC".into()));
    assert!(says(c, "failover").contains("variables.tf"), "{}", says(c, "failover"));
    // terraform.tfvars overrides it.
    assert!(matches!(requirepass(c).1, Some(Opaque::Reference(_))));
    assert!(says(c, "auth").contains("terraform.tfvars"));
    // A local through a local.
    assert_eq!(conf_value(c, "tls-port"), "6378");
    // No default, no tfvars value.
    assert!(unknown(fact(c, "managed.engine_version")).contains("var.version"));
    // .tfvars files that disagree.
    let (_, opaque, _) = conf(c, "maxmemory").unwrap();
    assert!(
        matches!(opaque, Some(Opaque::Unknown(r)) if r.contains("dev.tfvars") && r.contains("prod.tfvars")),
        "{opaque:?}"
    );
    // A function call is named, never guessed.
    let (_, opaque, _) = conf(c, "maxmemory-policy").unwrap();
    assert!(
        matches!(opaque, Some(Opaque::Unknown(r)) if r.contains("lower(\"ALLKEYS-LRU\")")),
        "{opaque:?}"
    );

    // .tfvars that agree count; JSON auto vars override HCL ones.
    let file = read_files(
        &[
            ("main.tf", main),
            ("variables.tf", vars),
            ("terraform.tfvars", "auth = true\n"),
            ("x.auto.tfvars.json", "{\"auth\": false, \"version\": \"REDIS_7_0\"}"),
            ("prod.tfvars", "split = 2\n"),
            ("dev.tfvars", "split = 2\n"),
        ],
        "main.tf",
    );
    let c = instance(&file, "google_redis_instance.c");
    assert_eq!(conf_value(c, "maxmemory"), "2gb");
    assert_eq!(requirepass(c), (String::new(), None));
    assert_eq!(fact(c, "deploy.version"), &Value::Str("7.0".into()));
}

#[test]
fn extreme_numbers_do_not_overflow() {
    let file = read_files(
        &[
            ("main.tf", "resource \"aws_elasticache_replication_group\" \"r\" {\n  num_cache_clusters = var.n\n  snapshot_retention_limit = -var.n\n}\n"),
            ("terraform.tfvars.json", "{\"n\": -9223372036854775808}"),
        ],
        "main.tf",
    );
    let r = instance(&file, "aws_elasticache_replication_group.r");
    assert_eq!(fact(r, "managed.replicas"), &Value::Int(0));
}

#[test]
fn locals_that_loop_are_unknown() {
    let file = alone(
        "locals {\n  a = local.b\n  b = local.a\n}\nresource \"google_redis_instance\" \"c\" {\n  tier = local.a\n}\n",
    );
    let c = instance(&file, "google_redis_instance.c");
    assert!(unknown(fact(c, "managed.tier")).contains("local"));
}

#[test]
fn null_is_not_written() {
    let file = alone("resource \"aws_elasticache_replication_group\" \"r\" {\n  auth_token = null\n  transit_encryption_enabled = null\n}\n");
    let r = instance(&file, "aws_elasticache_replication_group.r");
    assert_eq!(says(r, "tls"), "transit_encryption_enabled is not set (default false)");
    assert_eq!(requirepass(r), (String::new(), None));
}

#[test]
fn modules_are_targets_but_not_followed() {
    let name = "umotif-public__terraform-aws-elasticache-redis__examples-redis-replication-group-main.tf";
    let file = fixture(name);
    assert!(!file.source.text.contains("1234567890asdfghjkl"));
    let main = instance(&file, "module.redis_main");
    assert_eq!(fact(main, "managed.service"), &Value::Str("elasticache".into()));
    assert_eq!(fact(main, "deploy.password_in_source"), &Value::Bool(true));
    assert_eq!(fact_line(main, "deploy.password_in_source"), Some(49));
    assert!(unknown(fact(main, "managed.backup")).contains("module `redis_main`"));
    assert!(matches!(conf(main, "tls-port").unwrap().1, Some(Opaque::Unknown(r)) if r.contains("not followed")));
    for instance in &file.instances {
        for (_, value, _) in &instance.facts {
            assert!(!format!("{value:?}").contains("1234567890asdfghjkl"));
        }
    }
    let file = fixture("mineiros-io__terraform-google-memorystore-redis__test-unit-complete-main.tf");
    let test = instance(&file, "module.test");
    assert_eq!(fact(test, "managed.service"), &Value::Str("memorystore".into()));
    // `labels = { my_key = "my_val" }` is masked (a key may be a credential)
    // but is not a Redis password written in the source.
    assert!(test
        .facts
        .iter()
        .all(|(path, _, _)| path != "deploy.password_in_source"));
    assert!(!file.source.text.contains("my_val"));
    assert!(matches!(
        conf(test, "maxmemory-policy").unwrap().1,
        Some(Opaque::Unknown(_))
    ));
    let file = fixture("clouddrove__terraform-aws-elasticache__examples-redis-example.tf");
    assert_eq!(
        fact(instance(&file, "module.redis"), "managed.service"),
        &Value::Str("elasticache".into())
    );
    let file = alone("module \"redis\" {\n  source = \"./modules/cache\"\n  settings = {\n    node_type = \"cache.t3.micro\"\n    auth_token = \"Zq9-nested-Sekret\"\n  }\n}\n");
    let redis = instance(&file, "module.redis");
    assert_eq!(fact(redis, "deploy.password_in_source"), &Value::Bool(true));
    assert_eq!(fact_line(redis, "deploy.password_in_source"), Some(5));
    assert!(!file.source.text.contains("Zq9-nested-Sekret"));
    let file = alone("module \"cache\" {\n  source = \"cloudposse/elasticache-redis/aws\"\n}\nmodule \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n");
    assert_eq!(file.instances.len(), 1);
    let cache = instance(&file, "module.cache");
    assert!(unknown(fact(cache, "managed.backup")).contains("cloudposse/elasticache-redis/aws"));
    // What the service fixes holds whatever the module does.
    assert_eq!(fact(cache, "managed.public"), &Value::Bool(false));
}

#[test]
fn secrets_are_masked_by_position() {
    let text = r#"variable "redis_password" {
  default = "Zq9-var-Sekret"
}
variable "opaque" {
  sensitive = true
  default = "Zq9-sensitive-Sekret"
}
# auth_token = "Zq9-comment-Sekret"
locals {
  url = "redis://:Zq9-url-Sekret@cache:6379/0"
  conf = { password = "Zq9-object-Sekret", port = 6379 }
}
resource "aws_elasticache_replication_group" "r" {
  notes = <<EOT
auth_token = "Zq9-heredoc-Sekret"
%{ if true }
auth_token = "Zq9-directive-Sekret"
%{ endif }
EOT
  auth_token = "Zq9-token-Sekret"
  description = "keeps its description"
}
"#;
    let file = alone(text);
    let shown = &file.source.text;
    assert_eq!(shown.len(), text.len());
    for secret in [
        "var",
        "sensitive",
        "comment",
        "url",
        "object",
        "token",
        "heredoc",
        "directive",
    ] {
        assert!(!shown.contains(&format!("Zq9-{secret}-Sekret")), "{secret}: {shown}");
    }
    assert!(shown.contains("keeps its description"));
    assert!(shown.contains("port = 6379"));
    let r = instance(&file, "aws_elasticache_replication_group.r");
    assert_eq!(fact(r, "deploy.password_in_source"), &Value::Bool(true));
    // The requirepass value's span is the masked literal's.
    let (_, _, line) = conf(r, "requirepass").unwrap();
    assert_eq!(line, 20);
    // A secret local read as something else is not shown there.
    let file = alone("locals {\n  auth_token = \"Zq9-local-Sekret\"\n}\nresource \"google_redis_instance\" \"c\" {\n  tier = local.auth_token\n}\n");
    let c = instance(&file, "google_redis_instance.c");
    assert!(unknown(fact(c, "managed.tier")).contains("holds a secret"));

    // A token from a variable default in a sibling: still a password in the source.
    let file = read_files(
        &[
            (
                "main.tf",
                "resource \"aws_elasticache_replication_group\" \"r\" {\n  auth_token = var.redis_password\n}\n",
            ),
            (
                "vars.tf",
                "variable \"redis_password\" {\n  default = \"Zq9-var-Sekret\"\n}\n",
            ),
        ],
        "main.tf",
    );
    let r = instance(&file, "aws_elasticache_replication_group.r");
    assert_eq!(fact(r, "deploy.password_in_source"), &Value::Bool(true));
    assert!(!says(r, "auth").contains("Zq9"));

    let tfvars = "auth_token = \"Zq9-tfvars-Sekret\"\nnode_type = \"cache.t3.micro\"\n";
    let file = read_files(&[("terraform.tfvars", tfvars)], "terraform.tfvars");
    assert!(!file.source.text.contains("Zq9-tfvars-Sekret"));
    assert!(file.source.text.contains("cache.t3.micro"));
    assert!(file.instances.is_empty());
    let json = "{\"auth_token\": \"Zq9-json-Sekret\", \"nested\": {\"password\": [\"Zq9-list-Sekret\"]}, \"url\": \"redis://u:Zq9-jurl-Sekret@h\", \"node_type\": \"cache.t3.micro\"}";
    let file = read_files(&[("terraform.tfvars.json", json)], "terraform.tfvars.json");
    for secret in ["json", "list", "jurl"] {
        assert!(
            !file.source.text.contains(&format!("Zq9-{secret}-Sekret")),
            "{}",
            file.source.text
        );
    }
    assert!(file.source.text.contains("cache.t3.micro"));
    assert_eq!(file.source.text.len(), json.len());
}

#[test]
fn a_password_line_is_masked_wherever_the_parser_puts_it() {
    // A typo makes the line a block label: still masked.
    let text = "resaws_elasticache_replication_group\" \"r\" {\n  auth_token = \"Zq9-label-Sekret\"\n  x = 1\n}\nresource \"a\" \"b\" {\n  note = \"password: \\\"Zq9-inline-Sekret\\\"\"\n}\n";
    if let Ok(file) = read(
        Path::new("/nonexistent/m.tf"),
        text,
        &Target::DEFAULT,
        &mut DirCache::default(),
    ) {
        assert!(!file.source.text.contains("Zq9-label-Sekret"), "{}", file.source.text);
    }
    let file = alone("locals {\n  a = \"x\"\n  auth_token = \"Zq9-local-Sekret\" # the token\n  b = { password = \"Zq9-brace-Sekret\" }\n}\n");
    assert!(!file.source.text.contains("Zq9-local-Sekret"), "{}", file.source.text);
    assert!(!file.source.text.contains("Zq9-brace-Sekret"), "{}", file.source.text);
    assert!(file.source.text.contains("# the token"), "{}", file.source.text);
}

#[test]
fn bad_hcl_is_an_error_with_its_position() {
    let error = read(
        Path::new("/nonexistent/main.tf"),
        "resource \"x\" \"y\" {\n  a = \n}\n",
        &Target::DEFAULT,
        &mut DirCache::default(),
    )
    .unwrap_err();
    assert!(error.starts_with("/nonexistent/main.tf:"), "{error}");
    assert!(error.contains("not valid HCL"), "{error}");
    let position: Vec<&str> = error.split(':').skip(1).take(2).collect();
    assert!(position.iter().all(|p| p.parse::<usize>().is_ok()), "{error}");
    let deep = format!("a = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
    let error = read(
        Path::new("/nonexistent/deep.tf"),
        &deep,
        &Target::DEFAULT,
        &mut DirCache::default(),
    )
    .unwrap_err();
    assert!(error.starts_with("/nonexistent/deep.tf:1:"), "{error}");
    assert!(error.contains("nested deeper than 64"), "{error}");
    let deep = format!("a = \"{}\"\n", "${\"".repeat(200));
    assert!(read(
        Path::new("/nonexistent/deep.tf"),
        &deep,
        &Target::DEFAULT,
        &mut DirCache::default()
    )
    .is_err());
    let json = read(
        Path::new("/nonexistent/x.tfvars.json"),
        "{\"a\": ",
        &Target::DEFAULT,
        &mut DirCache::default(),
    )
    .unwrap_err();
    assert!(json.contains("not valid JSON"), "{json}");
}

#[test]
fn every_fixture_reads() {
    let mut cache = DirCache::default();
    for entry in std::fs::read_dir(FIXTURES).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let file = read(&path, &text, &Target::DEFAULT, &mut cache).unwrap();
        assert_eq!(file.source.text.len(), text.len());
        for instance in &file.instances {
            for concept in ["tls", "auth", "failover", "backup", "at_rest", "public"] {
                says(instance, concept);
            }
        }
    }
    assert_eq!(cache.dirs.len(), 1);
}

/// A resource setting one attribute of the table to a value other than its
/// default: the line marked `#<-` is where one of the row's facts must come from.
fn sample(row: &Attribute) -> String {
    let (resource, attribute) = (row.resource, row.attribute);
    let wrap = |lines: &str| format!("resource \"{resource}\" \"t\" {{\n  engine = \"redis\"\n{lines}\n}}\n");
    let value = |attribute: &str| -> &str {
        match (resource, attribute) {
            ("google_redis_instance", "transit_encryption_mode") => "\"SERVER_AUTHENTICATION\"",
            (_, "transit_encryption_mode") => "\"TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION\"",
            (_, "tier") => "\"STANDARD_HA\"",
            (_, "authorization_mode") => "\"AUTH_MODE_IAM_AUTH\"",
            (_, "persistence_mode" | "mode") => "\"RDB\"",
            ("google_redis_instance", "redis_version") => "\"REDIS_7_0\"",
            (_, "redis_version" | "engine_version") => "\"7.1\"",
            (_, "node_type") => "\"cache.m5.large\"",
            (_, "auth_token" | "password" | "global_password") => "\"Zq9-sample-Sekret\"",
            (_, "user_group_ids") => "[\"ug-1\"]",
            (_, "parameter_group_name") => "\"default.redis7\"",
            (_, "acl_name") => "\"app-acl\"",
            (_, "sku_name") => "\"Premium\"",
            (_, "minimum_tls_version") => "\"1.0\"",
            (_, "maxmemory_policy" | "data_eviction") => "\"allkeys-lru\"",
            (_, "subnet_id" | "authorized_network" | "customer_managed_key" | "kms_key_arn") => "\"some-id\"",
            (_, "data_persistence" | "global_data_persistence") => "\"aof-every-1-second\"",
            (_, "source_ips" | "global_source_ips") => "[\"10.0.0.0/8\"]",
            (
                _,
                "auth_enabled"
                | "transit_encryption_enabled"
                | "at_rest_encryption_enabled"
                | "automatic_failover_enabled"
                | "non_ssl_port_enabled"
                | "enable_non_ssl_port"
                | "rdb_backup_enabled"
                | "aof_backup_enabled"
                | "enable_tls",
            ) => "true",
            (
                _,
                "tls_enabled"
                | "authentication_enabled"
                | "enable_authentication"
                | "replication"
                | "public_network_access_enabled",
            ) => "false",
            _ => "3",
        }
    };
    match (resource, attribute) {
        (_, "redis_configs") => wrap("  redis_configs = {\n    \"maxmemory-policy\" = \"allkeys-lru\" #<-\n  }"),
        ("aws_elasticache_replication_group", "transit_encryption_mode") => {
            wrap("  transit_encryption_enabled = true\n  transit_encryption_mode = \"preferred\" #<-")
        }
        (_, "remote_backup") => wrap("  remote_backup { #<-\n    interval = \"every-6-hours\"\n  }"),
        ("aws_elasticache_parameter_group", _) => "resource \"aws_elasticache_parameter_group\" \"p\" {\n  name = \"mine\"\n  parameter {\n    name = \"maxmemory-policy\"\n    value = \"allkeys-lru\"\n  }\n}\nresource \"aws_elasticache_replication_group\" \"r\" {\n  parameter_group_name = \"mine\" #<-\n}\n".to_string(),
        ("aws_elasticache_user_group" | "aws_elasticache_user", _) => "resource \"aws_elasticache_user\" \"d\" {\n  user_id = \"d\"\n  user_name = \"default\"\n  no_password_required = true\n}\nresource \"aws_elasticache_user_group\" \"g\" {\n  user_group_id = \"g\"\n  user_ids = [aws_elasticache_user.d.user_id]\n}\nresource \"aws_elasticache_replication_group\" \"r\" {\n  user_group_ids = [\"g\"] #<-\n}\n".to_string(),
        ("azurerm_redis_firewall_rule", _) => "resource \"azurerm_redis_cache\" \"c\" { #<-\n  sku_name = \"Premium\"\n}\nresource \"azurerm_redis_firewall_rule\" \"all\" {\n  redis_cache_name = azurerm_redis_cache.c.name\n  start_ip = \"0.0.0.0\"\n  end_ip = \"255.255.255.255\"\n}\n".to_string(),
        _ => match attribute.split_once('.') {
            Some((block, key)) => wrap(&format!("  {block} {{\n    {key} = {} #<-\n  }}", value(key))),
            None => wrap(&format!("  {attribute} = {} #<-", value(attribute))),
        },
    }
}

#[test]
fn every_attribute_in_the_table_is_read() {
    let mut missing = Vec::new();
    for row in ATTRIBUTES {
        assert_eq!(row.kind, Kind::Terraform);
        let text = sample(row);
        let expected = text.lines().position(|l| l.contains("#<-")).unwrap() + 1;
        let file = alone(&text);
        let found = file.instances.iter().any(|instance| {
            row.facts.iter().any(|fact| match fact.strip_prefix("conf.") {
                Some(directive) => conf(instance, directive).is_some_and(|(_, _, line)| line == expected),
                None => fact_line(instance, fact) == Some(expected),
            })
        });
        if !found {
            missing.push(format!(
                "{}.{} ({:?}) not from line {expected} of\n{text}",
                row.resource, row.attribute, row.facts
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
