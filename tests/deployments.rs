//! Deployment files as a user passes them: compose files, Kubernetes
//! manifests and Helm values, by name or by walking a directory.
//!
//! * Every real deployment file in `tests/fixtures/deployments/` (public,
//!   permissively licensed; see its SOURCES.md and EXPECTED.md) is read with
//!   its kind, without an input error and without a single
//!   `config.unknown-directive` caused by its YAML structure; a snapshot of
//!   each file's targets and findings (rule, state, severity, line) is kept
//!   in `tests/snapshots/` and was judged by hand against EXPECTED.md.
//! * A repository walk finds the Redis files, skips the rest and says so.
//! * Unresolved values are "could not verify", never a guessed "no password".

mod common;

use common::{bin, corpus_dir};
use serde_json::Value;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

fn repo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn check(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let output = std::process::Command::new(bin())
        .args(["check", "--no-settings", "--fail-on", "none", "--color", "never"])
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn check_json(args: &[&str], cwd: &Path) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = check(&all, cwd);
    assert_eq!(code, 0, "{args:?}: exit {code}\n{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{stdout}"))
}

/// Targets and findings of one run, one line each, in a stable order.
fn summary(report: &Value) -> String {
    let mut out = String::new();
    for target in report["targets"].as_array().unwrap() {
        let _ = writeln!(
            out,
            "target {} ({})",
            target["id"].as_str().unwrap(),
            target["kind"].as_str().unwrap()
        );
    }
    let mut lines: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let line = f["location"]["line"]
                .as_u64()
                .map(|l| format!(":{l}"))
                .unwrap_or_default();
            format!(
                "{} {} {} {}{line} [{}]",
                f["state"].as_str().unwrap_or("fail"),
                f["severity"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["target"].as_str().unwrap().rsplit('#').next().unwrap(),
                f["subject"].as_str().unwrap_or(""),
            )
        })
        .collect();
    lines.sort();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    out
}

fn fixtures(kind: &str) -> Vec<std::path::PathBuf> {
    let dir = repo().join("tests/fixtures/deployments").join(kind);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Snapshots every fixture of a kind; returns how many targets they hold.
fn snapshot_kind(dir: &str, kind: &str) -> usize {
    let files = fixtures(dir);
    assert!(!files.is_empty(), "no {dir} fixtures");
    let mut instances = 0;
    for file in files {
        let relative = file.strip_prefix(repo()).unwrap().to_str().unwrap().to_string();
        let report = check_json(&["--kind", kind, &relative], &repo());
        let structural: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "config.unknown-directive" && f["location"]["file"].as_str() == Some(&relative))
            .collect();
        assert!(
            structural.is_empty(),
            "{relative}: YAML read as directives: {structural:#?}"
        );
        // A file with no Redis instance (a Service, a ConfigMap) has no target of its own.
        instances += report["targets"].as_array().unwrap().len();
        let name = file.file_name().unwrap().to_str().unwrap().replace(['.', '-'], "_");
        insta::assert_snapshot!(format!("{dir}__{name}"), summary(&report));
    }
    instances
}

#[test]
fn every_compose_fixture_is_read_with_its_services() {
    // EXPECTED.md counts the Redis services of the compose files.
    assert!(snapshot_kind("compose", "compose") >= 30);
}

#[test]
fn every_kubernetes_fixture_is_read_with_its_workloads() {
    // Five of the eleven files define a Redis workload; the rest are a
    // Service, ConfigMaps, a kustomization, an operator resource, a Dapr component.
    assert_eq!(snapshot_kind("kubernetes", "kubernetes"), 5);
}

#[test]
fn every_helm_values_fixture_is_read_with_its_chart() {
    assert_eq!(snapshot_kind("helm", "helm-values"), 7);
}

#[test]
fn every_cloud_json_fixture_is_read_with_its_instances() {
    // EXPECTED.md: Azure 1 + 1, Memorystore 1 + 2 clusters, ElastiCache 3
    // cache clusters + 1 replication group, MemoryDB 2; the firewall-rule
    // list and the users list are descriptions without an instance.
    assert_eq!(snapshot_kind("cloud-json", "cloud-json"), 11);
}

/// Each Terraform fixture in a directory of its own, as in its repository
/// (a directory is one Terraform module: variables, tfvars, parameter groups
/// and firewall rules are read across its files). claranet's two files are
/// one module.
#[test]
fn every_terraform_fixture_is_read_with_its_resources() {
    let mut targets = 0;
    let files = fixtures("terraform");
    let mut modules: Vec<Vec<std::path::PathBuf>> = Vec::new();
    for file in files {
        let name = file.file_name().unwrap().to_str().unwrap();
        if name.starts_with("claranet__terraform-azurerm-redis__") {
            match modules
                .iter_mut()
                .find(|m| m[0].to_str().unwrap().contains("claranet__"))
            {
                Some(module) => module.push(file),
                None => modules.push(vec![file]),
            }
        } else {
            modules.push(vec![file]);
        }
    }
    for module in modules {
        let dir = tempfile::tempdir().unwrap();
        let mut names = Vec::new();
        for file in &module {
            let name = file.file_name().unwrap().to_str().unwrap().to_string();
            fs::copy(file, dir.path().join(&name)).unwrap();
            names.push(name);
        }
        let mut args = vec!["--kind", "terraform"];
        args.extend(names.iter().map(String::as_str));
        let report = check_json(&args, dir.path());
        targets += report["targets"].as_array().unwrap().len();
        let name = names[0].replace(['.', '-'], "_");
        insta::assert_snapshot!(format!("terraform__{name}"), summary(&report));
    }
    // EXPECTED.md: 1 Redis Cloud database, 3 Redis cache clusters (not the
    // memcached one), 5 replication groups, 3 MemoryDB clusters, 3 Azure
    // caches, 3 Memorystore instances, claranet's cache, umotif's group, and
    // the Redis module calls (clouddrove's, mineiros', umotif's two).
    assert_eq!(targets, 24);
}

#[test]
fn helm_values_are_detected_by_name_and_content() {
    for file in fixtures("helm") {
        let relative = file.strip_prefix(repo()).unwrap().to_str().unwrap().to_string();
        let report = check_json(&[&relative], &repo());
        let kinds: Vec<&str> = report["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["kind"].as_str().unwrap())
            .collect();
        assert!(
            kinds.iter().all(|k| *k == "helm-values") && !kinds.is_empty(),
            "{relative}: {kinds:?}"
        );
    }
}

#[test]
fn unresolved_variables_are_unknown_not_missing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("docker-compose.yml"),
        "services:\n  redis:\n    image: redis:7.2\n    command: redis-server --requirepass \"${REDIS_PASSWORD}\" --maxmemory 1gb\n",
    )
    .unwrap();
    let report = check_json(&["docker-compose.yml"], dir.path());
    let no_password: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "auth.no-password")
        .collect();
    assert_eq!(no_password.len(), 1, "{report:#}");
    assert_eq!(no_password[0]["state"], "warn");
    let message = no_password[0]["message"].as_str().unwrap();
    assert!(
        message.contains("${REDIS_PASSWORD}") && message.contains("not set here"),
        "{message}"
    );
    assert_eq!(no_password[0]["location"]["line"], 4);
    // With the variable set beside the file, the password is known and strong.
    fs::write(
        dir.path().join(".env"),
        "REDIS_PASSWORD=9dK2-vQ7x-Lm3p-Zr8t-Wy4n-Hb6c-Jf1s-Tq5u\n",
    )
    .unwrap();
    let report = check_json(&["docker-compose.yml"], dir.path());
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"auth.no-password"), "{rules:?}");
    assert!(!rules.contains(&"auth.password-in-source"), "{rules:?}");
}

#[test]
fn published_port_and_literal_password() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  cache:\n    image: valkey/valkey:8.1\n    command: [\"valkey-server\", \"--requirepass\", \"Tq5u-9dK2-vQ7x-Lm3p-Zr8t-Wy4n\"]\n    ports:\n      - \"6379:6379\"\n  open:\n    image: redis:7.2\n    ports:\n      - \"127.0.0.1:6380:6379\"\n      - target: 6379\n        published: 6381\n",
    )
    .unwrap();
    let report = check_json(&["compose.yaml"], dir.path());
    let find = |rule: &str, target: &str| -> Vec<Value> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule && f["target"].as_str().unwrap().ends_with(target))
            .cloned()
            .collect()
    };
    let cache = find("network.port-published", "#cache");
    assert_eq!(cache.len(), 1);
    assert_eq!(cache[0]["severity"], "high");
    assert_eq!(cache[0]["location"]["line"], 6);
    // No password and published through the long syntax: critical, at that entry.
    let open = find("network.port-published", "#open");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["severity"], "critical");
    assert_eq!(open[0]["location"]["line"], 11);
    let literal = find("auth.password-in-source", "#cache");
    assert_eq!(literal.len(), 1);
    assert_eq!(literal[0]["location"]["line"], 4);
    assert!(find("auth.password-in-source", "#open").is_empty());
    // Inside a container whose port is published on every interface, listening on
    // every interface is as high as on a host; unpublished, it is information only.
    let bind = find("network.bind-all-interfaces", "#open");
    assert_eq!(bind[0]["severity"], "high");
    let ids: Vec<&str> = report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["compose:compose.yaml#cache", "compose:compose.yaml#open"]);
}

#[test]
fn app_variables_are_linked_to_the_service_they_name() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("docker-compose.yml"),
        "services:\n  queue:\n    image: redis:7.2\n    command: redis-server --requirepass Tq5u-9dK2-vQ7x-Lm3p-Zr8t-Wy4n\n  worker:\n    image: example/worker\n    environment:\n      CELERY_BROKER_URL: redis://queue:6379/0\n      REDIS_SSL: \"true\"\n",
    )
    .unwrap();
    let report = check_json(&["docker-compose.yml"], dir.path());
    let findings = report["findings"].as_array().unwrap();
    let mismatch: Vec<&Value> = findings.iter().filter(|f| f["rule"] == "env.tls-mismatch").collect();
    assert_eq!(mismatch.len(), 1, "{findings:#?}");
    assert_eq!(mismatch[0]["target"], "compose:docker-compose.yml#queue");
    assert!(mismatch[0]["message"].as_str().unwrap().contains("REDIS_SSL"));
    assert!(mismatch[0]["message"].as_str().unwrap().contains("CELERY_BROKER_URL"));
    // The URL names the service and has no password while the server wants one.
    let missing: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "env.password-missing")
        .collect();
    assert_eq!(missing.len(), 1);
    assert!(!findings.iter().any(|f| f["rule"] == "env.redis-url-missing"));
}

#[test]
fn a_directory_walk_reads_what_concerns_redis_and_skips_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in ["deploy", "node_modules/pkg", "docs", "generated", ".git"] {
        fs::create_dir_all(root.join(sub)).unwrap();
    }
    fs::write(
        root.join("deploy/docker-compose.yml"),
        "services:\n  redis:\n    image: redis:7.2\n",
    )
    .unwrap();
    fs::write(
        root.join("deploy/redis.conf"),
        "maxmemory 1gb\nmaxmemory-policy allkeys-lru\n",
    )
    .unwrap();
    // Not Redis, other YAML, ignored and vendored copies: passed over silently.
    fs::write(root.join("docs/mkdocs.yml"), "site_name: x\nnav:\n  - a.md\n").unwrap();
    fs::write(
        root.join("docker-compose.db.yml"),
        "services:\n  db:\n    image: postgres:16\n",
    )
    .unwrap();
    fs::write(root.join("node_modules/pkg/redis.conf"), "port 1\n").unwrap();
    fs::write(
        root.join("generated/docker-compose.yml"),
        "services:\n  r:\n    image: redis\n",
    )
    .unwrap();
    fs::write(root.join(".gitignore"), "generated/\n").unwrap();
    fs::write(root.join(".git/config.yml"), "a: b\n").unwrap();
    fs::write(root.join("README.md"), "# x\n").unwrap();
    let report = check_json(&["."], root);
    let ids: Vec<&str> = report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "redis-conf:deploy/redis.conf",
            "compose:deploy/docker-compose.yml#redis"
        ]
    );
    let (code, stdout, _) = check(&["."], root);
    assert_eq!(code, 0);
    assert!(stdout.contains("2 files read, 4 passed over · 2 targets"), "{stdout}");
    // An empty tree is an input error, not a silent pass.
    let empty = tempfile::tempdir().unwrap();
    let (code, _, stderr) = check(&["."], empty.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("nothing to check"), "{stderr}");
}

#[test]
fn a_named_file_of_no_known_kind_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("mkdocs.yml"), "site_name: x\nnav:\n  - a.md\n").unwrap();
    let (code, stdout, stderr) = check(&["mkdocs.yml"], dir.path());
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("not a compose file, Kubernetes manifest or Helm values"),
        "{stderr}"
    );
    assert!(stderr.contains("--kind"), "{stderr}");
    // Forcing a kind reads it as that kind.
    fs::write(
        dir.path().join("stack.yml"),
        "services:\n  cache:\n    image: ghcr.io/acme/cache\n    command: redis-server --port 7000\n",
    )
    .unwrap();
    let report = check_json(&["--kind", "compose", "stack.yml"], dir.path());
    assert_eq!(report["targets"][0]["id"], "compose:stack.yml#cache");
    // Malformed YAML says where.
    fs::write(
        dir.path().join("docker-compose.yml"),
        "services:\n  redis: [image: redis\n",
    )
    .unwrap();
    let (code, _, stderr) = check(&["--kind", "compose", "docker-compose.yml"], dir.path());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("docker-compose.yml:") && stderr.contains("not valid YAML"),
        "{stderr}"
    );
    // JSON is said to be JSON (not "YAML"), broken Terraform and JSON say where.
    for (name, text, said) in [
        (
            "package.json",
            "{\"name\": \"app\"}\n",
            "JSON, but not a cloud description",
        ),
        (
            "redis.json",
            "{\"ReplicationGroups\": [",
            "not valid JSON: line 1, column 24",
        ),
        (
            "redis.tf",
            "resource \"google_redis_instance\" \"x\" {\n  tier = \"BASIC\n",
            "redis.tf:2:",
        ),
        (
            "big.tf",
            &format!("locals {{\n  x = {}1{}\n}}\n", "[".repeat(100_000), "]".repeat(100_000)),
            "big.tf:",
        ),
    ] {
        fs::write(dir.path().join(name), text).unwrap();
        let (code, stdout, stderr) = check(&[name], dir.path());
        assert_eq!(code, 2, "{name}: {stdout}");
        assert!(stderr.contains(said), "{name}: {stderr}");
    }
}

#[test]
fn the_shared_corpus_deployments_are_read_without_input_errors() {
    // The corpus is only next to the repository in the development
    // workspace; a user's clone has the permissive copies in tests/fixtures.
    let root = corpus_dir().join("deployments");
    if !root.is_dir() {
        eprintln!("shared corpus not present: the fixtures copies are checked by the other tests");
        return;
    }
    let mut read = 0;
    for kind in ["compose", "kubernetes", "helm", "terraform", "cloud-json"] {
        for entry in fs::read_dir(root.join(kind)).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            let forced = if kind == "helm" { "helm-values" } else { kind };
            let (code, _, stderr) = check(&["--kind", forced, "--format", "json", path.to_str().unwrap()], &repo());
            assert_eq!(code, 0, "{}: {stderr}", path.display());
            read += 1;
        }
    }
    assert!(read >= 10, "only {read} corpus files");
}

const MEMORYSTORE: &str = "resource \"google_redis_instance\" \"cache\" {\n  name           = \"cache\"\n  tier           = \"STANDARD_HA\"\n  memory_size_gb = 1\n  redis_version  = \"REDIS_7_2\"\n  auth_enabled   = true\n  transit_encryption_mode = \"DISABLED\"\n  persistence_config {\n    persistence_mode    = \"RDB\"\n    rdb_snapshot_period = \"ONE_HOUR\"\n  }\n  redis_configs = {\n    \"maxmemory-policy\" = \"allkeys-lru\"\n  }\n}\n";

#[test]
fn a_repository_with_the_app_and_its_managed_redis_compares_them() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("infra")).unwrap();
    fs::write(dir.path().join("infra/redis.tf"), MEMORYSTORE).unwrap();
    fs::write(dir.path().join(".env"), "REDIS_URL=rediss://10.0.0.3:6378/0\n").unwrap();
    // Not a cloud description: passed over in a walk.
    fs::write(
        dir.path().join("package.json"),
        "{\"name\": \"app\", \"version\": \"1.0.0\"}\n",
    )
    .unwrap();
    let report = check_json(&["."], dir.path());
    let targets = report["targets"].as_array().unwrap();
    let target = targets
        .iter()
        .find(|t| t["kind"] == "terraform")
        .unwrap_or_else(|| panic!("{targets:#?}"));
    assert_eq!(target["id"], "terraform:infra/redis.tf#google_redis_instance.cache");
    assert_eq!(target["profile"], "memorystore");
    let findings = report["findings"].as_array().unwrap();
    let rules: Vec<&str> = findings.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    let tls = findings
        .iter()
        .find(|f| f["rule"] == "env.url-tls-not-offered")
        .unwrap_or_else(|| panic!("{rules:?}"));
    assert_eq!(tls["state"], "fail");
    assert!(tls["message"]
        .as_str()
        .unwrap()
        .contains("transit_encryption_mode = \"DISABLED\""));
    // Memorystore is on a private network (its VPC): TLS off is high, said at the attribute.
    let disabled = findings.iter().find(|f| f["rule"] == "tls.disabled").unwrap();
    assert_eq!(disabled["severity"], "high");
    assert_eq!(disabled["location"]["file"], "infra/redis.tf");
    assert_eq!(disabled["location"]["line"], 7);
    // What the resource sets well is not a finding.
    for passed in [
        "auth.no-password",
        "backup.not-configured",
        "replication.no-automatic-failover",
        "memory.eviction-policy",
        "network.public-access",
        "config.version-eol",
    ] {
        assert!(!rules.contains(&passed), "{passed} fired: {findings:#?}");
    }

    // A second managed instance: which one the app uses is unknown, and said.
    fs::write(
        dir.path().join("infra/other.tf"),
        MEMORYSTORE.replace("\"cache\" {", "\"sessions\" {"),
    )
    .unwrap();
    let report = check_json(&["."], dir.path());
    let tls: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "env.url-tls-not-offered")
        .collect();
    // The same unknown for both instances is said once.
    assert_eq!(tls.len(), 1, "{tls:#?}");
    for finding in tls {
        assert_eq!(finding["state"], "warn");
        assert!(finding["message"]
            .as_str()
            .unwrap()
            .contains("could point at any of 2 managed instances"));
    }
}

#[test]
fn a_terraform_expression_is_could_not_verify_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("main.tf"),
        MEMORYSTORE.replace("\"DISABLED\"", "var.transit_mode").replace(
            "auth_enabled   = true",
            "auth_enabled   = lookup(var.flags, \"auth\", true)",
        ),
    )
    .unwrap();
    fs::write(
        dir.path().join("variables.tf"),
        "variable \"transit_mode\" {\n  type = string\n}\nvariable \"flags\" {}\n",
    )
    .unwrap();
    let report = check_json(&["main.tf"], dir.path());
    let findings = report["findings"].as_array().unwrap();
    let tls = findings.iter().find(|f| f["rule"] == "tls.disabled").unwrap();
    assert_eq!(tls["state"], "warn", "{tls:#?}");
    assert!(
        tls["message"].as_str().unwrap().contains("var.transit_mode"),
        "{tls:#?}"
    );
    let auth = findings.iter().find(|f| f["rule"] == "auth.no-password").unwrap();
    assert_eq!(auth["state"], "warn");
    assert!(
        auth["message"].as_str().unwrap().contains("lookup(var.flags"),
        "{auth:#?}"
    );

    // A tfvars value in the same directory decides it.
    fs::write(
        dir.path().join("terraform.tfvars"),
        "transit_mode = \"SERVER_AUTHENTICATION\"\n",
    )
    .unwrap();
    let report = check_json(&["main.tf"], dir.path());
    assert!(!report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "tls.disabled"));
}

#[test]
fn the_checklist_is_verified_from_the_resource_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("redis.tf"),
        MEMORYSTORE.replace("\"DISABLED\"", "\"SERVER_AUTHENTICATION\""),
    )
    .unwrap();
    let (code, stdout, stderr) = check(&["--format", "checklist", "redis.tf"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    let item = |id: &str| -> String {
        let header = format!(" {id} — ");
        let start = stdout
            .match_indices("\n### ")
            .map(|(i, _)| i + 1)
            .find(|&i| stdout[i..].lines().next().is_some_and(|l| l.contains(&header)))
            .unwrap_or_else(|| panic!("{id} missing:\n{stdout}"));
        let rest = &stdout[start + 4..];
        rest[..rest.find("\n### ").unwrap_or(rest.len())].to_string()
    };
    let tls = item("tls-enabled");
    assert!(tls.contains("Verified pass"), "{tls}");
    assert!(
        tls.contains("transit_encryption_mode = \"SERVER_AUTHENTICATION\""),
        "{tls}"
    );
    assert!(tls.contains("redis.tf:7"), "{tls}");
    let backups = item("backups-configured");
    assert!(backups.contains("Verified pass"), "{backups}");
    let private = item("network-private");
    assert!(private.contains("Verified pass"), "{private}");
    // The tier is verified; the drill itself is still for a person to attest.
    let failover = item("failover-tested");
    assert!(failover.contains("Not verifiable"), "{failover}");
    assert!(stdout.contains("the tier and replicas were verified"), "{stdout}");
}

#[test]
fn the_summary_and_statistics_say_what_each_target_contributed() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  open:\n    image: redis:6.2\n    ports:\n      - \"6379:6379\"\n  quiet:\n    image: redis:7.2\n    command: redis-server --maxmemory 1gb --maxmemory-policy allkeys-lru\n",
    )
    .unwrap();
    let report = check_json(&["compose.yaml"], dir.path());
    let count = |id: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["target"] == id)
            .count()
    };
    let (open, quiet) = (count("compose:compose.yaml#open"), count("compose:compose.yaml#quiet"));
    assert!(open > quiet, "{open} {quiet}");
    let (_, stdout, _) = check(&["compose.yaml"], dir.path());
    assert!(
        stdout.contains(&format!(
            "findings by target: {open} in compose:compose.yaml#open, {quiet} in compose:compose.yaml#quiet"
        )),
        "{stdout}"
    );
    let (_, stdout, _) = check(&["--statistics", "compose.yaml"], dir.path());
    let per_target: Vec<&str> = stdout
        .lines()
        .skip_while(|l| l.trim() != "per target:")
        .skip(1)
        .take(2)
        .map(str::trim)
        .collect();
    assert_eq!(
        per_target,
        [
            format!("{open}  compose:compose.yaml#open"),
            format!("{quiet}  compose:compose.yaml#quiet")
        ],
        "{stdout}"
    );
}
