//! Reachability: who can open a connection to the server, derived once from
//! every source that says (the listener in the config, the container's
//! published port or Service, the managed resource's network) so that the
//! rules grade their severity on one answer with one piece of evidence.

use crate::facts::{Facts, Origin, Value};
use std::net::IpAddr;

/// How far the server can be reached, narrowest first (the order is the ranking).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// Only processes on the same host (or in the same pod): loopback binds,
    /// or no TCP port at all.
    HostOnly,
    /// A private network: private addresses, a container port not published,
    /// a cluster-internal Service, a managed instance on a private network.
    Private,
    /// Every interface of a host, a port published on every interface, a
    /// LoadBalancer or NodePort, a managed endpoint open to the internet.
    Public,
}

impl Reach {
    pub fn name(self) -> &'static str {
        match self {
            Reach::HostOnly => "host-only",
            Reach::Private => "private",
            Reach::Public => "public",
        }
    }
}

/// What was decided, why, and where it was read; `Err` is why it is unknown.
struct Decision {
    reach: Result<Reach, String>,
    evidence: String,
    origin: Origin,
}

/// Writes `exposure.reachability` (a `Reach` name, or unknown with the
/// reason), `exposure.evidence`, `exposure.protected_mode_blocks` and, for a
/// server reachable only through its unix socket,
/// `exposure.socket_excludes_others`.
pub fn apply(facts: &mut Facts) {
    if let Some((blocks, origin)) = protected_mode_blocks(facts) {
        facts.insert("exposure.protected_mode_blocks", Value::Bool(blocks), origin);
    }
    let socket_only = socket_only(facts);
    if let Some(excludes) = socket_only.as_ref().and_then(|(_, excludes)| *excludes) {
        let origin = facts
            .get("conf.unixsocketperm")
            .map(|f| f.origin.clone())
            .unwrap_or(Origin::Settings);
        facts.insert("exposure.socket_excludes_others", Value::Bool(excludes), origin);
    }
    let Some(decision) = decide(facts, socket_only.map(|(origin, _)| origin)) else {
        return;
    };
    let value = match decision.reach {
        Ok(reach) => Value::Str(reach.name().into()),
        Err(unknown) => Value::Unknown { unknown },
    };
    facts.insert("exposure.reachability", value, decision.origin.clone());
    facts.insert("exposure.evidence", Value::Str(decision.evidence), decision.origin);
}

/// Whether protected mode refuses remote clients while the default user has
/// no password: it must be on, and before 7.0 Redis applies it only when no
/// `bind` is written (every Valkey release behaves as 7.0).
fn protected_mode_blocks(facts: &Facts) -> Option<(bool, Origin)> {
    let protected = facts.get("conf.protected-mode")?;
    let on = protected.value.as_bool()?;
    let product = facts.value("target.product").and_then(Value::as_str).unwrap_or("redis");
    let major = facts
        .value("target.line")
        .and_then(Value::as_str)
        .and_then(|line| line.split('.').next()?.parse::<u32>().ok())
        .unwrap_or(7);
    let bind_written = facts
        .get("conf.bind")
        .is_some_and(|f| !matches!(f.origin, Origin::Default));
    let applies = product != "redis" || major >= 7 || !bind_written;
    Some((on && applies, protected.origin.clone()))
}

/// With `port 0` and a unix socket: the socket's origin, and whether its
/// mode keeps other local users out (connecting needs write permission; unknown
/// for mode 0, which leaves it to the umask).
fn socket_only(facts: &Facts) -> Option<(Origin, Option<bool>)> {
    let port = facts.get("conf.port")?;
    if port.value.as_int() != Some(0) {
        return None;
    }
    let socket = facts.get("conf.unixsocket")?;
    if socket.value.as_str().is_none_or(str::is_empty) {
        return None;
    }
    let excludes = facts
        .value("conf.unixsocketperm")
        .and_then(Value::as_int)
        .map(|mode| mode != 0 && mode & 0o002 == 0);
    Some((port.origin.clone(), excludes))
}

fn decide(facts: &Facts, socket_only: Option<Origin>) -> Option<Decision> {
    if facts.get("managed.service").is_some() {
        return Some(managed(facts));
    }
    if let Some(origin) = socket_only {
        let socket = facts
            .value("conf.unixsocket")
            .map(|v| v.to_string())
            .unwrap_or_default();
        return Some(Decision {
            reach: Ok(Reach::HostOnly),
            evidence: format!("`port 0`: no TCP listener, only the unix socket {socket}"),
            origin,
        });
    }
    let listener = listener(facts);
    // Loopback inside a container is the container's own: nobody else
    // reaches it whatever is published.
    if let Some(decision) = listener.as_ref().filter(|d| matches!(d.reach, Ok(Reach::HostOnly))) {
        return Some(Decision {
            reach: Ok(Reach::HostOnly),
            evidence: decision.evidence.clone(),
            origin: decision.origin.clone(),
        });
    }
    let in_container = facts.value("deploy.container").and_then(Value::as_bool) == Some(true)
        && facts.value("deploy.host_network").and_then(Value::as_bool) != Some(true);
    if in_container {
        return Some(container(facts));
    }
    listener
}

fn managed(facts: &Facts) -> Decision {
    let resource = facts
        .value("managed.resource")
        .map(|v| v.to_string())
        .unwrap_or_else(|| "the instance".into());
    let Some(public) = facts.get("managed.public") else {
        return Decision {
            reach: Err(format!("the network of {resource} is not in these files")),
            evidence: format!("the network of {resource} is not in these files"),
            origin: Origin::Settings,
        };
    };
    let says = facts
        .value("managed.says.public")
        .map(|v| format!(": {v}"))
        .unwrap_or_default();
    let (reach, evidence) = match &public.value {
        Value::Bool(true) => (
            Ok(Reach::Public),
            format!("{resource} accepts connections from the internet{says}"),
        ),
        Value::Bool(false) => (
            Ok(Reach::Private),
            format!("{resource} is reachable only from private networks{says}"),
        ),
        Value::Unknown { unknown } => (Err(unknown.clone()), unknown.clone()),
        other => (
            Err(format!("whether {resource} is public reads `{other}`")),
            format!("whether {resource} is public reads `{other}`"),
        ),
    };
    Decision {
        reach,
        evidence,
        origin: public.origin.clone(),
    }
}

fn container(facts: &Facts) -> Decision {
    let Some(published) = facts.get("deploy.port_published") else {
        return Decision {
            reach: Err("whether the container's port is published is not in these files".into()),
            evidence: "whether the container's port is published is not in these files".into(),
            origin: Origin::Settings,
        };
    };
    let address = facts.value("deploy.published_address").map(|v| v.to_string());
    let (reach, evidence) = match (&published.value, address) {
        (Value::Bool(true), Some(address)) => match address.parse::<IpAddr>() {
            Ok(ip) if is_private(ip) => (
                Ok(Reach::Private),
                format!("the Redis port is published on the private address {address}"),
            ),
            _ => (Ok(Reach::Public), format!("the Redis port is published on {address}")),
        },
        (Value::Bool(true), None) => (
            Ok(Reach::Public),
            "the Redis port is published outside the host".into(),
        ),
        (Value::Bool(false), Some(address)) => (
            Ok(Reach::Private),
            format!("in a container whose Redis port is published only on {address}: other containers on its network can connect"),
        ),
        (Value::Bool(false), None) => (
            Ok(Reach::Private),
            "in a container whose Redis port is not published: only its own network (other containers, pods of the cluster) can connect".into(),
        ),
        (Value::Unknown { unknown }, _) => (Err(unknown.clone()), unknown.clone()),
        (other, _) => (
            Err(format!("whether the port is published reads `{other}`")),
            format!("whether the port is published reads `{other}`"),
        ),
    };
    Decision {
        reach,
        evidence,
        origin: published.origin.clone(),
    }
}

/// What the `bind` addresses alone say (on a host, or inside a container).
fn listener(facts: &Facts) -> Option<Decision> {
    let bind = facts.get("conf.bind")?;
    let origin = bind.origin.clone();
    let addresses: Vec<String> = match &bind.value {
        Value::List(items) => items.iter().map(|a| a.to_string()).collect(),
        Value::Unknown { unknown } => {
            return Some(Decision {
                reach: Err(unknown.clone()),
                evidence: unknown.clone(),
                origin,
            })
        }
        other => vec![other.to_string()],
    };
    let written = addresses.join(" ");
    if addresses.is_empty() {
        return Some(Decision {
            reach: Ok(Reach::Public),
            evidence: "no `bind` address: Redis listens on every interface".into(),
            origin,
        });
    }
    let mut widest = Reach::HostOnly;
    for address in &addresses {
        // `-` marks an address that may be missing; it still listens there when present.
        let address = address.trim_start_matches('-');
        let reach = match address {
            "*" | "::*" => Reach::Public,
            "localhost" => Reach::HostOnly,
            _ => match address.parse::<IpAddr>() {
                Ok(ip) if ip.is_unspecified() => Reach::Public,
                Ok(ip) if ip.is_loopback() => Reach::HostOnly,
                Ok(ip) if is_private(ip) => Reach::Private,
                Ok(_) => Reach::Public,
                Err(_) => {
                    return Some(Decision {
                        reach: Err(format!(
                            "`bind {written}` names `{address}`, which is not an IP address"
                        )),
                        evidence: format!("`bind {written}`"),
                        origin,
                    })
                }
            },
        };
        widest = widest.max(reach);
    }
    let evidence = match widest {
        Reach::HostOnly => format!("`bind {written}`: loopback only"),
        Reach::Private => format!("`bind {written}`: private addresses only"),
        Reach::Public => format!("`bind {written}`: every interface or a public address"),
    };
    Some(Decision {
        reach: Ok(widest),
        evidence,
        origin,
    })
}

/// RFC 1918, shared address space (RFC 6598), link-local, unique-local IPv6.
fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private() || v4.is_link_local() || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(pairs: &[(&str, Value)]) -> Facts {
        let mut facts = Facts::default();
        for (path, value) in pairs {
            facts.insert(*path, value.clone(), Origin::Settings);
        }
        apply(&mut facts);
        facts
    }

    fn bind(addresses: &[&str]) -> Value {
        Value::List(addresses.iter().map(|a| Value::Str(a.to_string())).collect())
    }

    fn reach(facts: &Facts) -> String {
        facts.value("exposure.reachability").map(|v| v.to_string()).unwrap()
    }

    #[test]
    fn protected_mode_blocks_only_where_the_release_applies_it() {
        let at = |line: &str, bind_written: bool| {
            let mut facts = Facts::default();
            facts.insert("target.line", Value::Str(line.into()), Origin::Settings);
            facts.insert("conf.protected-mode", Value::Bool(true), Origin::Default);
            let bind_origin = if bind_written {
                Origin::Settings
            } else {
                Origin::Default
            };
            facts.insert("conf.bind", bind(&["0.0.0.0"]), bind_origin);
            apply(&mut facts);
            facts.value("exposure.protected_mode_blocks").cloned()
        };
        assert_eq!(at("7.2", true), Some(Value::Bool(true)));
        // Before 7.0 a written `bind` switches protected mode off.
        assert_eq!(at("6.2", true), Some(Value::Bool(false)));
        assert_eq!(at("6.2", false), Some(Value::Bool(true)));
    }

    #[test]
    fn binds_decide_on_a_host() {
        let port = ("conf.port", Value::Int(6379));
        assert_eq!(
            reach(&facts(&[port.clone(), ("conf.bind", bind(&["127.0.0.1", "-::1"]))])),
            "host-only"
        );
        assert_eq!(
            reach(&facts(&[port.clone(), ("conf.bind", bind(&["localhost"]))])),
            "host-only"
        );
        assert_eq!(
            reach(&facts(&[port.clone(), ("conf.bind", bind(&["127.0.0.1", "10.0.0.5"]))])),
            "private"
        );
        assert_eq!(
            reach(&facts(&[port.clone(), ("conf.bind", bind(&["100.64.0.9"]))])),
            "private"
        );
        assert_eq!(
            reach(&facts(&[port.clone(), ("conf.bind", bind(&["fd00::5"]))])),
            "private"
        );
        assert_eq!(
            reach(&facts(&[port.clone(), ("conf.bind", bind(&["*", "-::*"]))])),
            "public"
        );
        assert_eq!(
            reach(&facts(&[port.clone(), ("conf.bind", bind(&["0.0.0.0"]))])),
            "public"
        );
        assert_eq!(
            reach(&facts(&[
                port.clone(),
                ("conf.bind", bind(&["10.0.0.5", "203.0.113.7"]))
            ])),
            "public"
        );
        assert_eq!(reach(&facts(&[port.clone(), ("conf.bind", bind(&[]))])), "public");
        let named = facts(&[port, ("conf.bind", bind(&["redis.internal"]))]);
        assert!(matches!(
            named.value("exposure.reachability"),
            Some(Value::Unknown { .. })
        ));
    }

    #[test]
    fn a_unix_socket_alone_is_host_only_and_its_mode_is_recorded() {
        let closed = facts(&[
            ("conf.port", Value::Int(0)),
            ("conf.bind", bind(&["*"])),
            ("conf.unixsocket", Value::Str("/run/redis.sock".into())),
            ("conf.unixsocketperm", Value::Int(0o770)),
        ]);
        assert_eq!(reach(&closed), "host-only");
        assert_eq!(
            closed.value("exposure.socket_excludes_others"),
            Some(&Value::Bool(true))
        );
        let open = facts(&[
            ("conf.port", Value::Int(0)),
            ("conf.unixsocket", Value::Str("/run/redis.sock".into())),
            ("conf.unixsocketperm", Value::Int(0o777)),
        ]);
        assert_eq!(open.value("exposure.socket_excludes_others"), Some(&Value::Bool(false)));
        // A socket next to a TCP port does not make the server host-only.
        let both = facts(&[
            ("conf.port", Value::Int(6379)),
            ("conf.bind", bind(&["*"])),
            ("conf.unixsocket", Value::Str("/run/redis.sock".into())),
        ]);
        assert_eq!(reach(&both), "public");
        assert!(both.get("exposure.socket_excludes_others").is_none());
    }

    #[test]
    fn a_container_is_as_reachable_as_its_published_port() {
        let inside = [
            ("conf.port", Value::Int(6379)),
            ("conf.bind", bind(&["*", "-::*"])),
            ("deploy.container", Value::Bool(true)),
        ];
        let with = |extra: &[(&str, Value)]| {
            let mut all = inside.to_vec();
            all.extend_from_slice(extra);
            reach(&facts(&all))
        };
        assert_eq!(with(&[("deploy.port_published", Value::Bool(false))]), "private");
        assert_eq!(
            with(&[
                ("deploy.port_published", Value::Bool(true)),
                ("deploy.published_address", Value::Str("every host interface".into()))
            ]),
            "public"
        );
        assert_eq!(
            with(&[
                ("deploy.port_published", Value::Bool(true)),
                ("deploy.published_address", Value::Str("LoadBalancer Service".into()))
            ]),
            "public"
        );
        assert_eq!(
            with(&[
                ("deploy.port_published", Value::Bool(true)),
                ("deploy.published_address", Value::Str("10.1.2.3".into()))
            ]),
            "private"
        );
        // The host's network: the binds decide, as on a host.
        assert_eq!(
            with(&[
                ("deploy.host_network", Value::Bool(true)),
                ("deploy.port_published", Value::Bool(false))
            ]),
            "public"
        );
        // Loopback inside the container: nobody outside it.
        let mut loopback = inside.to_vec();
        loopback[1] = ("conf.bind", bind(&["127.0.0.1"]));
        loopback.push(("deploy.port_published", Value::Bool(true)));
        assert_eq!(reach(&facts(&loopback)), "host-only");
        let unknown = facts(&inside);
        assert!(matches!(
            unknown.value("exposure.reachability"),
            Some(Value::Unknown { .. })
        ));
    }

    #[test]
    fn a_managed_instance_is_as_reachable_as_its_network_setting() {
        let service = ("managed.service", Value::Str("azure-cache".into()));
        assert_eq!(
            reach(&facts(&[service.clone(), ("managed.public", Value::Bool(true))])),
            "public"
        );
        assert_eq!(
            reach(&facts(&[service.clone(), ("managed.public", Value::Bool(false))])),
            "private"
        );
        let unknown = facts(&[
            service,
            (
                "managed.public",
                Value::Unknown {
                    unknown: "`var.public` has no default".into(),
                },
            ),
        ]);
        assert_eq!(
            unknown.value("exposure.reachability"),
            Some(&Value::Unknown {
                unknown: "`var.public` has no default".into()
            })
        );
    }
}
