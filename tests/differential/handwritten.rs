//! The hand-written standalone config mutations, shared by `tests/differential.rs` (the
//! installed redis-server, with the official configs as bases) and
//! `tests/differential_servers.rs` (every server of the differential matrix).
//! `{TMP}` in a text stands for the case's temp dir; the main config is `redis.conf`.
#![allow(dead_code)]

/// The hand-written standalone base config the mutations are appended to.
pub const MINI_BASE: &str = "\
# redis-preflight differential test: hand-written base config
port 6379
bind 127.0.0.1 -::1
protected-mode yes
tcp-backlog 511
timeout 0
daemonize no
loglevel notice
databases 16
save 3600 1
save 300 100
dbfilename dump.rdb
maxmemory 100mb
maxmemory-policy allkeys-lru
appendonly no
appendfsync everysec
requirepass \"a-long-base-password-for-the-differential-test\"
";

pub struct Mutation {
    pub name: &'static str,
    /// Text added to the end of the base (a newline is inserted before it if needed).
    pub append: &'static str,
    /// Bytes put in front of the base.
    pub prepend: &'static str,
    /// Convert the whole file to CRLF line endings.
    pub crlf: bool,
    /// Extra files written beside the config (`{TMP}` is the temp dir).
    pub extra: &'static [(&'static str, &'static str)],
}

pub const fn m(name: &'static str, append: &'static str) -> Mutation {
    Mutation {
        name,
        append,
        prepend: "",
        crlf: false,
        extra: &[],
    }
}

pub const fn mx(name: &'static str, append: &'static str, extra: &'static [(&'static str, &'static str)]) -> Mutation {
    Mutation {
        name,
        append,
        prepend: "",
        crlf: false,
        extra,
    }
}

/// Standalone mutations, applied to both the inline base and `redis-7.0.conf`.
pub fn standalone_mutations() -> Vec<Mutation> {
    vec![
        m("unmodified base", ""),
        // enums
        m("bad enum", "maxmemory-policy allkeys-lfru"),
        m("enum upper case", "maxmemory-policy ALLKEYS-LRU"),
        m("bad enum appendfsync", "appendfsync sometimes"),
        m("loglevel nothing (7.2+ value)", "loglevel nothing"),
        m("enable-debug-command local", "enable-debug-command local"),
        m("shutdown-on-sigterm flags", "shutdown-on-sigterm nosave now"),
        m("shutdown-on-sigterm bogus", "shutdown-on-sigterm bogus"),
        // integers
        m("port out of range", "port 70000"),
        m("databases 0", "databases 0"),
        m("maxmemory-samples 65", "maxmemory-samples 65"),
        m("hz -1", "hz -1"),
        m("maxclients 0", "maxclients 0"),
        m("timeout negative", "timeout -5"),
        m("tcp-backlog not a number", "tcp-backlog abc"),
        m("io-threads 200", "io-threads 200"),
        m("tls-port out of range", "tls-port 70000"),
        m("slowlog-log-slower-than -1", "slowlog-log-slower-than -1"),
        m("slowlog-log-slower-than -2", "slowlog-log-slower-than -2"),
        m("list-max-ziplist-size -2 (alias)", "list-max-ziplist-size -2"),
        // memory values
        m("maxmemory 1tb", "maxmemory 1tb"),
        m("maxmemory 1.5gb", "maxmemory 1.5gb"),
        m("maxmemory -1", "maxmemory -1"),
        m("maxmemory 1GB", "maxmemory 1GB"),
        m("maxmemory 100kb", "maxmemory 100kb"),
        m("maxmemory-clients 5%", "maxmemory-clients 5%"),
        // booleans
        m("bad bool", "appendonly maybe"),
        m("bool upper case", "appendonly YES"),
        m("set-proc-title maybe", "set-proc-title maybe"),
        // directive names and argument counts
        m("unknown directive", "maxmemroy 1gb"),
        m("locale-collate (7.2+ directive)", "locale-collate \"\""),
        m("upper-case directive", "PORT 6390"),
        m("quoted directive name", "\"port\" 6390"),
        m("tab separated", "port\t6390"),
        m("port with two args", "port 6379 6380"),
        m("replicaof with one arg", "replicaof onlyhost"),
        m("slaveof bad port", "slaveof 10.0.0.1 abc"),
        m("replicaof valid", "replicaof 10.0.0.1 6379"),
        m("protected-mode without value", "protected-mode"),
        m("trailing comment on a directive", "port 6390 # the port"),
        m("indented directive", "    port 6390"),
        m("alias hash-max-ziplist-entries", "hash-max-ziplist-entries 256"),
        m("alias slave-serve-stale-data", "slave-serve-stale-data yes"),
        m(
            "sentinel directive outside sentinel mode",
            "sentinel monitor x 127.0.0.1 6379 2",
        ),
        // quoting
        m("unterminated quote", "requirepass \"abc"),
        m("character after closing quote", "dir \"/tmp\"x"),
        m("valid escapes", "requirepass \"a\\x41\\\"b\""),
        m(
            "single quotes with escaped quote",
            "requirepass 'it\\'s a long password here'",
        ),
        m("empty requirepass", "requirepass \"\""),
        // special directives
        m("save \"\"", "save \"\""),
        m("save with one arg", "save 900"),
        m("save odd pair count", "save 3600 1 300"),
        m("save as one quoted string", "save \"3600 1 300 100\""),
        m(
            "bind 16 addresses",
            "bind 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6 127.0.0.7 \
             127.0.0.8 127.0.0.9 127.0.0.10 127.0.0.11 127.0.0.12 127.0.0.13 127.0.0.14 \
             127.0.0.15 127.0.0.16",
        ),
        m(
            "bind 17 addresses",
            "bind 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6 127.0.0.7 \
             127.0.0.8 127.0.0.9 127.0.0.10 127.0.0.11 127.0.0.12 127.0.0.13 127.0.0.14 \
             127.0.0.15 127.0.0.16 127.0.0.17",
        ),
        m(
            "client-output-buffer-limit master",
            "client-output-buffer-limit master 0 0 0",
        ),
        m(
            "client-output-buffer-limit pubsub valid",
            "client-output-buffer-limit pubsub 32mb 8mb 60",
        ),
        m(
            "client-output-buffer-limit missing arg",
            "client-output-buffer-limit replica 256mb 64mb",
        ),
        m("notify-keyspace-events Z", "notify-keyspace-events Z"),
        m("notify-keyspace-events KEA", "notify-keyspace-events KEA"),
        m("unixsocketperm 999", "unixsocketperm 999"),
        m("unixsocketperm 700", "unixsocketperm 700"),
        m("oom-score-adj-values 3000", "oom-score-adj-values 0 200 3000"),
        m("oom-score-adj-values valid", "oom-score-adj-values 0 200 800"),
        m(
            "latency-tracking-info-percentiles 101",
            "latency-tracking-info-percentiles 50 101",
        ),
        m(
            "latency-tracking-info-percentiles valid",
            "latency-tracking-info-percentiles 50 99 99.9",
        ),
        m("rename-command to empty", "rename-command CONFIG \"\""),
        m("rename-command unknown command", "rename-command NOSUCHCMD foo"),
        m("user valid", "user alice on >alice-password ~* &* +@all"),
        m("user unknown command", "user bob on >bob-password ~* +nosuchcmd"),
        // includes
        m("include of a missing file", "include missing-include.conf"),
        mx(
            "include of an existing file",
            "include extra.conf",
            &[("extra.conf", "maxmemory 200mb\n")],
        ),
        mx(
            "include (absolute) with an error inside",
            "include {TMP}/extra.conf",
            &[("extra.conf", "maxmemory 200mb\nport 70000\n")],
        ),
        mx(
            "include cycle",
            "include b.conf",
            &[("b.conf", "# b includes the main file back\ninclude redis.conf\n")],
        ),
        // encodings and line endings
        Mutation {
            name: "CRLF line endings",
            append: "",
            prepend: "",
            crlf: true,
            extra: &[],
        },
        Mutation {
            name: "UTF-8 BOM",
            append: "",
            prepend: "\u{feff}",
            crlf: false,
            extra: &[],
        },
    ]
}

pub fn apply(base: &str, mutation: &Mutation) -> String {
    let mut text = String::with_capacity(base.len() + mutation.append.len() + 8);
    text.push_str(mutation.prepend);
    text.push_str(base);
    if !mutation.append.is_empty() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(mutation.append);
        text.push('\n');
    }
    if mutation.crlf {
        text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    text
}
