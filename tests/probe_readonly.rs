//! Proof that the live probe is read-only, allow-listed and costs the same on
//! any dataset: a real redis-server, and three independent records of every
//! command the probe sends while `check --probe` runs against it:
//!
//! - a recording TCP proxy in front of the server (the probe connects to it):
//!   every byte the probe sends, parsed as RESP, per connection;
//! - `MONITOR` (which Redis does not feed admin commands such as CONFIG, ACL
//!   LIST/DRYRUN or SLOWLOG, nor commands refused before running, so it is a
//!   cross-check, not the whole truth);
//! - `INFO commandstats` after `CONFIG RESETSTAT`: what the server executed.
//!
//! Each run happens on an empty server and again after `DEBUG POPULATE 200000`
//! (set up with redis-cli, not by the probe), as the default user with a
//! password and as the least-privilege user the README documents.

#[path = "support/probe.rs"]
mod probe;
#[path = "support/server.rs"]
mod server;
mod support;

use probe::{Monitor, RecordingProxy, Run, PASSWORD};
use redis_preflight::probe::allowlist::is_allowed;
use server::TestServer;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const SAMPLES: usize = 20;
const KEYS: usize = 200_000;
const GUARD: Duration = Duration::from_secs(60);

/// The least-privilege user from the README's "Live probe" section if it has
/// one (`user preflight on >… …`), else the one the issue suggests. Its
/// password becomes PASSWORD.
fn least_privilege_user() -> String {
    let fallback = "user preflight on >… -@all +ping +info +config|get +acl|whoami +acl|list +acl|dryrun +latency|latest +slowlog|len +memory|doctor +role +cluster|info +dbsize +command|info";
    let readme = std::fs::read_to_string(support::repo().join("README.md")).unwrap_or_default();
    let documented = readme.lines().find_map(|line| {
        let start = line.find("user preflight on")?;
        let rest = &line[start..];
        Some(rest.split('`').next().unwrap_or(rest).trim().to_string())
    });
    if documented.is_none() {
        eprintln!("NOTE: the README documents no `user preflight on …` line; testing the user the issue suggests");
    }
    let line = documented.unwrap_or_else(|| fallback.to_string());
    line.split_whitespace()
        .map(|word| {
            if word.starts_with('>') || word.starts_with('#') {
                format!(">{PASSWORD}")
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The README's "the only commands sent are `AUTH`, `PING`, …" list, as
/// command names ("CONFIG GET"), if the README has that sentence.
fn documented_commands() -> Option<BTreeSet<String>> {
    let readme = std::fs::read_to_string(support::repo().join("README.md")).unwrap_or_default();
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let start = flat.find("only commands sent are")?;
    let rest = &flat[start..];
    let list = &rest[..rest.find("(allow-list").unwrap_or(rest.len().min(400))];
    let names: BTreeSet<String> = list
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|item| {
            let words: Vec<String> = item
                .split_whitespace()
                .filter(|w| *w != "*")
                .map(String::from)
                .collect();
            name(&words)
        })
        .collect();
    eprintln!("README: the commands sent are {names:?}");
    (!names.is_empty()).then_some(names)
}

fn start_server() -> TestServer {
    let user = least_privilege_user();
    eprintln!("probe user: {}", user.replace(PASSWORD, "<password>"));
    TestServer::start(&format!(
        "user default on >{PASSWORD} ~* &* +@all\n{user}\nenable-debug-command local\n"
    ))
}

fn admin(server: &TestServer, args: &[&str]) -> String {
    server.cli_with(&["-p", &server.port.to_string(), "-a", PASSWORD], args)
}

/// Who the probe connects as.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Identity {
    /// The default user, password from REDIS_PASSWORD.
    Default,
    /// The least-privilege `preflight` user, password from --password-file.
    Preflight,
}

/// Everything recorded during one probe run.
struct Observation {
    /// Per connection (in order), the commands the probe sent.
    proxy: Vec<Vec<Vec<String>>>,
    monitor: Vec<Vec<String>>,
    /// commandstats names (`config|get`) with their call counts.
    executed: BTreeMap<String, u64>,
    report: serde_json::Value,
}

impl Observation {
    fn all_commands(&self) -> Vec<&Vec<String>> {
        self.proxy.iter().flatten().collect()
    }

    /// "CONFIG GET", "PING", "ACL DRYRUN"...: the command and, for container commands, the subcommand.
    fn names(&self) -> Vec<String> {
        self.all_commands().into_iter().map(|words| name(words)).collect()
    }
}

fn name(words: &[String]) -> String {
    let first = words.first().map(|w| w.to_ascii_uppercase()).unwrap_or_default();
    let containers = [
        "CONFIG", "ACL", "CLIENT", "COMMAND", "LATENCY", "SLOWLOG", "MEMORY", "CLUSTER", "OBJECT", "DEBUG", "SCRIPT",
        "FUNCTION", "MODULE", "XINFO",
    ];
    match words.get(1) {
        Some(second) if containers.contains(&first.as_str()) => format!("{first} {}", second.to_ascii_uppercase()),
        _ => first,
    }
}

fn observe(server: &TestServer, identity: Identity) -> Observation {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("password"), format!("{PASSWORD}\n")).unwrap();
    assert_eq!(admin(server, &["CONFIG", "RESETSTAT"]), "OK");
    let monitor = Monitor::start(server.port, Some(PASSWORD));
    let proxy = RecordingProxy::start(server.port);
    let samples = SAMPLES.to_string();
    let url = match identity {
        Identity::Default => format!("redis://127.0.0.1:{}", proxy.port),
        Identity::Preflight => format!("redis://preflight@127.0.0.1:{}", proxy.port),
    };
    let mut args = vec![
        "check",
        "--no-settings",
        "--probe",
        "--url",
        &url,
        "--latency-samples",
        &samples,
        "--format",
        "json",
    ];
    let mut envs = Vec::new();
    match identity {
        Identity::Default => envs.push(("REDIS_PASSWORD", PASSWORD)),
        Identity::Preflight => args.extend(["--password-file", "password"]),
    }
    let run: Run = probe::run(dir.path(), &args, &envs, GUARD);
    run.assert_clean();
    assert!(
        matches!(run.code, Some(0) | Some(1)),
        "the probe did not complete ({identity:?}): exit {:?}\n{}",
        run.code,
        run.stderr
    );
    let report = run.json();
    let proxy = proxy.finish();
    let monitor = monitor.finish();
    let stats = admin(server, &["INFO", "commandstats"]);
    let executed = stats
        .lines()
        .filter_map(|line| line.trim().strip_prefix("cmdstat_"))
        .filter_map(|line| {
            let (command, rest) = line.split_once(':')?;
            let calls = rest.split(',').find_map(|kv| kv.strip_prefix("calls="))?.parse().ok()?;
            Some((command.to_string(), calls))
        })
        // Our own set-up: the RESETSTAT, the MONITOR client, its end marker.
        .filter(|(command, _)| !["config|resetstat", "monitor", "echo"].contains(&command.as_str()))
        .collect();
    Observation {
        proxy,
        monitor,
        executed,
        report,
    }
}

/// What must hold for every single probe run.
fn assert_read_only(observation: &Observation, what: &str) {
    let commands = observation.all_commands();
    assert!(!commands.is_empty(), "{what}: the proxy recorded nothing");
    for words in &commands {
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        assert!(
            is_allowed(&refs),
            "{what}: the probe sent a command off the allow-list: {}",
            name(words)
        );
    }
    let names = observation.names();
    let forbidden = [
        "KEYS",
        "SCAN",
        "CONFIG SET",
        "CONFIG REWRITE",
        "CONFIG RESETSTAT",
        "FLUSHALL",
        "FLUSHDB",
        "DEBUG",
        "CLIENT SETINFO",
        "CLIENT SETNAME",
        "SELECT",
        "SHUTDOWN",
        "SAVE",
        "BGSAVE",
        "MONITOR",
    ];
    for name in &names {
        assert!(
            !forbidden
                .iter()
                .any(|f| name == f || name.starts_with(&format!("{f} "))),
            "{what}: the probe sent {name}"
        );
        assert!(
            !name.starts_with("FLUSH") && !name.starts_with("DEBUG") && !name.starts_with("CLIENT"),
            "{what}: the probe sent {name}"
        );
    }
    // Small: the latency PINGs plus a handful of others.
    assert!(
        names.iter().filter(|n| *n == "PING").count() >= SAMPLES,
        "{what}: fewer PINGs than latency samples: {names:?}"
    );
    assert!(
        commands.len() <= SAMPLES + 30,
        "{what}: {} commands for {SAMPLES} latency samples: {names:?}",
        commands.len()
    );

    // MONITOR: everything it saw is allow-listed and was seen by the proxy too.
    let proxied: BTreeSet<String> = names.iter().cloned().collect();
    for words in &observation.monitor {
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        assert!(
            is_allowed(&refs),
            "{what}: MONITOR shows a command off the allow-list: {words:?}"
        );
        assert!(
            proxied.contains(&name(words)),
            "{what}: MONITOR shows {words:?}, the proxy never saw it"
        );
    }
    assert!(!observation.monitor.is_empty(), "{what}: MONITOR recorded nothing");
    // commandstats: everything the server executed is allow-listed.
    for command in observation.executed.keys() {
        let words: Vec<&str> = command.split('|').collect();
        assert!(
            is_allowed(&words),
            "{what}: the server executed {command} (commandstats)"
        );
    }
    let round_trips = observation.report["probe"]["round_trips"].as_u64().unwrap_or(0) as usize;
    assert!(
        round_trips > 0 && round_trips <= SAMPLES + 10,
        "{what}: {round_trips} round trips for {SAMPLES} samples"
    );
}

#[test]
fn probe_sends_only_allow_listed_commands_and_as_many_on_a_big_dataset() {
    let server = start_server();
    assert_eq!(admin(&server, &["DBSIZE"]), "0");
    let identities = [Identity::Default, Identity::Preflight];
    let empty: Vec<Observation> = identities.iter().map(|i| observe(&server, *i)).collect();

    let populated = admin(&server, &["DEBUG", "POPULATE", &KEYS.to_string()]);
    assert_eq!(populated, "OK", "DEBUG POPULATE failed: {populated}");
    assert_eq!(admin(&server, &["DBSIZE"]), KEYS.to_string());
    let full: Vec<Observation> = identities.iter().map(|i| observe(&server, *i)).collect();

    for ((identity, small), big) in identities.iter().zip(&empty).zip(&full) {
        assert_read_only(small, &format!("{identity:?}, empty"));
        assert_read_only(big, &format!("{identity:?}, {KEYS} keys"));
        assert_eq!(
            small.report["probe"]["keys"], 0,
            "{identity:?}: {:#}",
            small.report["probe"]
        );
        assert_eq!(
            big.report["probe"]["keys"], KEYS as u64,
            "{identity:?}: {:#}",
            big.report["probe"]
        );

        // The same commands, in the same order, on the same connections.
        assert_eq!(
            small.proxy.len(),
            big.proxy.len(),
            "{identity:?}: connections differ with the dataset"
        );
        assert_eq!(
            small.all_commands().len(),
            big.all_commands().len(),
            "{identity:?}: the number of commands depends on the dataset"
        );
        assert_eq!(
            small.proxy, big.proxy,
            "{identity:?}: the commands depend on the dataset"
        );
        let set = |o: &Observation| o.names().into_iter().collect::<BTreeSet<_>>();
        assert_eq!(set(small), set(big));
        assert_eq!(
            small.monitor.len(),
            big.monitor.len(),
            "{identity:?}: MONITOR counts differ"
        );
        assert_eq!(
            small.executed, big.executed,
            "{identity:?}: commandstats differ with the dataset"
        );
        assert_eq!(small.report["probe"]["round_trips"], big.report["probe"]["round_trips"]);

        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for n in small.names() {
            *counts.entry(n).or_default() += 1;
        }
        eprintln!(
            "{identity:?}: {} connections, {} commands ({counts:?}), {} round trips, MONITOR saw {}, commandstats {:?}",
            small.proxy.len(),
            small.all_commands().len(),
            small.report["probe"]["round_trips"],
            small.monitor.len(),
            small.executed
        );
    }

    // What the README promises about the commands sent.
    if let Some(documented) = documented_commands() {
        for observation in empty.iter().chain(&full) {
            for sent in observation.names() {
                assert!(
                    documented.contains(&sent),
                    "the probe sent {sent}, which the README's list of commands sent ({documented:?}) does not name"
                );
            }
        }
    }

    // The least-privilege user is enough: nothing was denied.
    let preflight = &full[1].report["probe"];
    assert_eq!(
        preflight["denied"],
        serde_json::json!([]),
        "the documented probe user is not enough: {preflight:#}"
    );
    assert_eq!(empty[1].report["probe"]["denied"], serde_json::json!([]));
    assert_eq!(empty[0].report["probe"]["denied"], serde_json::json!([]));
}

#[test]
fn monitor_line_parsing() {
    let (client, words) =
        probe::parse_monitor_line(r#"1795642701.549535 [0 127.0.0.1:51426] "ACL" "DRYRUN" "a \"b\"\x41""#).unwrap();
    assert_eq!(client, "127.0.0.1:51426");
    assert_eq!(words, ["ACL", "DRYRUN", "a \"b\"A"]);
    let commands = probe::parse_resp_commands(b"*2\r\n$4\r\nINFO\r\n$3\r\nall\r\nPING\r\n");
    assert_eq!(commands, [vec!["INFO".to_string(), "all".into()], vec!["PING".into()]]);
}
