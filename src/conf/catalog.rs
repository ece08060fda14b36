//! The directive catalog (`schemas/directives.json`): which directives each
//! Redis/Valkey release line accepts, their value types, bounds, defaults,
//! aliases and which ones hold secrets. Data, not code: see docs/architecture.md.

use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

const CATALOG_JSON: &str = include_str!("../../schemas/directives.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Product {
    Redis,
    Valkey,
}

impl Product {
    pub fn name(self) -> &'static str {
        match self {
            Product::Redis => "redis",
            Product::Valkey => "valkey",
        }
    }
}

/// A version resolved to a release line, with a note when it is not that line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub target: Target,
    /// Set when the version names a line the catalog does not know.
    pub note: Option<String>,
}

/// A release line such as Redis 7.2 or Valkey 8.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Target {
    pub product: Product,
    pub major: u32,
    pub minor: u32,
}

impl Target {
    pub const DEFAULT: Target = Target {
        product: Product::Redis,
        major: 7,
        minor: 2,
    };

    /// Parses `7.0`, `7.2.4`, `redis-7.4`, `valkey-8.0`, `8.0-m01`, then snaps
    /// to the newest release line the catalog knows at or below it.
    pub fn parse(spec: &str) -> Result<Target, String> {
        Target::resolve(spec).map(|resolved| resolved.target)
    }

    /// Like `parse`, and says when the version names a line the catalog does
    /// not know (`8.2`, `valkey-10.0`): the config is then read as an older
    /// line, which must never happen silently.
    pub fn resolve(spec: &str) -> Result<Resolved, String> {
        let spec = spec.trim();
        let lower = spec.to_ascii_lowercase();
        let (product, rest) = if let Some(rest) = lower.strip_prefix("valkey-") {
            (Product::Valkey, rest)
        } else if let Some(rest) = lower.strip_prefix("redis-") {
            (Product::Redis, rest)
        } else {
            (Product::Redis, lower.as_str())
        };
        let numeric: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        let mut parts = numeric.split('.').filter(|p| !p.is_empty());
        let parse_part = |p: Option<&str>| p.and_then(|p| p.parse::<u32>().ok());
        let (Some(major), minor) = (parse_part(parts.next()), parse_part(parts.next())) else {
            return Err(format!(
                "invalid version `{spec}`: expected e.g. `7.2`, `7.2.4`, `redis-7.4` or `valkey-8.0`"
            ));
        };
        let wanted = (major, minor.unwrap_or(0));
        let lines = catalog().lines(product);
        let target = lines
            .iter()
            .rev()
            .find(|line| (line.major, line.minor) <= wanted)
            .copied()
            .ok_or_else(|| {
                let known: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                format!(
                    "{} {major}.{} is older than every release line redis-preflight knows ({})",
                    product.name(),
                    wanted.1,
                    known.join(", ")
                )
            })?;
        let substituted = (target.major, target.minor) != wanted;
        let note = substituted.then(|| {
            format!(
                "redis-preflight does not know the {} {}.{} release line; it reads the config as {target}, the newest line it knows below it",
                match product {
                    Product::Redis => "Redis",
                    Product::Valkey => "Valkey",
                },
                wanted.0,
                wanted.1
            )
        });
        Ok(Resolved { target, note })
    }

    /// `redis-7.2`, the key used in `default_by_line`.
    pub fn key(&self) -> String {
        format!("{}-{}.{}", self.product.name(), self.major, self.minor)
    }

    fn is_within(&self, range: &Option<VersionRange>) -> bool {
        let Some(range) = range else { return false };
        let here = (self.major, self.minor);
        if here < range.first {
            return false;
        }
        match range.last {
            Some(last) => here <= last,
            None => true,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.product {
            Product::Redis => write!(f, "{}.{}", self.major, self.minor),
            Product::Valkey => write!(f, "valkey-{}.{}", self.major, self.minor),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueType {
    Bool,
    Int,
    Memory,
    Enum,
    String,
    Path,
    Special,
}

/// `[first_line, last_line_or_null]` as written in the catalog.
#[derive(Debug, Clone, Copy)]
pub struct VersionRange {
    pub first: (u32, u32),
    pub last: Option<(u32, u32)>,
}

fn parse_line(text: &str) -> Result<(u32, u32), String> {
    let (major, minor) = text
        .split_once('.')
        .ok_or_else(|| format!("bad release line `{text}`"))?;
    Ok((
        major.parse().map_err(|_| format!("bad release line `{text}`"))?,
        minor.parse().map_err(|_| format!("bad release line `{text}`"))?,
    ))
}

impl<'de> Deserialize<'de> for VersionRange {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: (String, Option<String>) = Deserialize::deserialize(deserializer)?;
        let first = parse_line(&raw.0).map_err(serde::de::Error::custom)?;
        let last = raw
            .1
            .as_deref()
            .map(parse_line)
            .transpose()
            .map_err(serde::de::Error::custom)?;
        Ok(VersionRange { first, last })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ArgCount {
    pub min: usize,
    pub max: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Alias {
    pub name: String,
    #[serde(default)]
    pub redis: Option<VersionRange>,
    #[serde(default)]
    pub valkey: Option<VersionRange>,
    /// `5.0` (a Redis line) or `valkey-8.0`.
    #[serde(default)]
    pub deprecated_since: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Directive {
    pub name: String,
    #[serde(rename = "type")]
    pub value_type: ValueType,
    #[serde(default)]
    pub min: Option<i128>,
    #[serde(default)]
    pub max: Option<i128>,
    #[serde(default)]
    pub percent: bool,
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub multi_flag: bool,
    #[serde(default)]
    pub special: Option<String>,
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub default_by_line: HashMap<String, String>,
    #[serde(default)]
    pub repeatable: bool,
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub redis: Option<VersionRange>,
    #[serde(default)]
    pub valkey: Option<VersionRange>,
    #[serde(default)]
    pub aliases: Vec<Alias>,
    #[serde(default)]
    pub args: Option<ArgCount>,
    /// Enum values that only exist from a Redis release line on.
    #[serde(default)]
    pub value_since: HashMap<String, String>,
    /// `[min, max]` for lines whose bounds differ from `min`/`max`.
    #[serde(default)]
    pub bounds_by_line: HashMap<String, (Option<i128>, Option<i128>)>,
    /// Lines that still accept the name but ignore its value (their table of
    /// deprecated configs): only the argument count is checked there.
    #[serde(default)]
    pub ignored: Option<ProductRanges>,
}

/// A range of release lines per product.
#[derive(Debug, Clone, Deserialize)]
pub struct ProductRanges {
    #[serde(default)]
    pub redis: Option<VersionRange>,
    #[serde(default)]
    pub valkey: Option<VersionRange>,
}

impl Directive {
    /// Inclusive integer bounds on a target.
    pub fn bounds_for(&self, target: &Target) -> (Option<i128>, Option<i128>) {
        self.bounds_by_line
            .get(&target.key())
            .copied()
            .unwrap_or((self.min, self.max))
    }

    /// Whether an enum value exists on a target: `7.2` is a Redis line (Valkey,
    /// forked from 7.2, has every value up to it), `valkey-9.1` a value only
    /// Valkey has, from that line on.
    pub fn value_exists_on(&self, value: &str, target: &Target) -> bool {
        let Some(since) = self.value_since.get(value) else {
            return true;
        };
        let here = (target.major, target.minor);
        match (since.strip_prefix("valkey-"), target.product) {
            (Some(line), Product::Valkey) => parse_line(line).is_ok_and(|line| here >= line),
            (Some(_), Product::Redis) => false,
            (None, product) => parse_line(since).is_ok_and(|line| match product {
                Product::Redis => here >= line,
                Product::Valkey => line <= (7, 2),
            }),
        }
    }

    pub fn accepted_by(&self, target: &Target) -> bool {
        target.is_within(match target.product {
            Product::Redis => &self.redis,
            Product::Valkey => &self.valkey,
        })
    }

    /// Whether this line accepts the name and ignores its value.
    pub fn ignored_on(&self, target: &Target) -> bool {
        self.ignored.as_ref().is_some_and(|ranges| {
            target.is_within(match target.product {
                Product::Redis => &ranges.redis,
                Product::Valkey => &ranges.valkey,
            })
        })
    }

    /// The compiled-in default for this release line.
    pub fn default_for(&self, target: &Target) -> Option<&str> {
        self.default_by_line
            .get(&target.key())
            .or(self.default.as_ref())
            .map(String::as_str)
    }

    pub fn is_special(&self, name: &str) -> bool {
        self.special.as_deref() == Some(name)
    }
}

impl Alias {
    pub fn accepted_by(&self, target: &Target) -> bool {
        target.is_within(match target.product {
            Product::Redis => &self.redis,
            Product::Valkey => &self.valkey,
        })
    }

    /// Whether, on this target, the alias is the old spelling of a renamed directive.
    pub fn deprecated_on(&self, target: &Target) -> bool {
        let Some(since) = self.deprecated_since.as_deref() else {
            return false;
        };
        let (product, line) = match since.strip_prefix("valkey-") {
            Some(rest) => (Product::Valkey, rest),
            None => (Product::Redis, since.strip_prefix("redis-").unwrap_or(since)),
        };
        let Ok(line) = parse_line(line) else { return false };
        match (product, target.product) {
            (Product::Redis, Product::Redis) | (Product::Valkey, Product::Valkey) => {
                (target.major, target.minor) >= line
            }
            // Valkey forked from Redis 7.2: a Redis rename up to 7.2 holds there too.
            (Product::Redis, Product::Valkey) => line <= (7, 2),
            (Product::Valkey, Product::Redis) => false,
        }
    }
}

#[derive(Debug, Deserialize)]
struct CatalogFile {
    lines: HashMap<String, Vec<String>>,
    directives: Vec<Directive>,
}

/// How a name written in a config file resolves on a target.
#[derive(Debug, Clone, Copy)]
pub struct Lookup<'c> {
    pub directive: &'c Directive,
    /// The alias the file used, if it did not use the canonical name.
    pub alias: Option<&'c Alias>,
}

pub struct Catalog {
    directives: Vec<Directive>,
    by_name: HashMap<String, Vec<(usize, Option<usize>)>>,
    redis_lines: Vec<Target>,
    valkey_lines: Vec<Target>,
}

impl Catalog {
    fn from_json(text: &str) -> Result<Catalog, String> {
        let file: CatalogFile = serde_json::from_str(text).map_err(|e| format!("directive catalog: {e}"))?;
        let mut by_name: HashMap<String, Vec<(usize, Option<usize>)>> = HashMap::new();
        for (index, directive) in file.directives.iter().enumerate() {
            by_name.entry(directive.name.clone()).or_default().push((index, None));
            for (alias_index, alias) in directive.aliases.iter().enumerate() {
                by_name
                    .entry(alias.name.clone())
                    .or_default()
                    .push((index, Some(alias_index)));
            }
        }
        let lines_of = |product: Product| -> Result<Vec<Target>, String> {
            let mut lines = file
                .lines
                .get(product.name())
                .map(|lines| {
                    lines
                        .iter()
                        .map(|l| parse_line(l).map(|(major, minor)| Target { product, major, minor }))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default();
            lines.sort_by_key(|t| (t.major, t.minor));
            Ok(lines)
        };
        Ok(Catalog {
            redis_lines: lines_of(Product::Redis)?,
            valkey_lines: lines_of(Product::Valkey)?,
            directives: file.directives,
            by_name,
        })
    }

    /// Whether some release line knows `name` (canonical or alias).
    pub fn knows(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    pub fn lines(&self, product: Product) -> &[Target] {
        match product {
            Product::Redis => &self.redis_lines,
            Product::Valkey => &self.valkey_lines,
        }
    }

    /// Resolves a lower-case directive name for a target; `None` when that
    /// release line does not accept the name.
    pub fn lookup(&self, name: &str, target: &Target) -> Option<Lookup<'_>> {
        let candidates = self.by_name.get(name)?;
        candidates.iter().find_map(|&(index, alias_index)| {
            let directive = &self.directives[index];
            match alias_index {
                None => directive
                    .accepted_by(target)
                    .then_some(Lookup { directive, alias: None }),
                Some(a) => {
                    let alias = &directive.aliases[a];
                    alias.accepted_by(target).then_some(Lookup {
                        directive,
                        alias: Some(alias),
                    })
                }
            }
        })
    }

    /// Which release lines accept a name at all, for "known in 7.0, not in 6.2" hints.
    pub fn lines_accepting(&self, name: &str) -> Vec<Target> {
        let mut found: Vec<Target> = self
            .redis_lines
            .iter()
            .chain(self.valkey_lines.iter())
            .filter(|t| self.lookup(name, t).is_some())
            .copied()
            .collect();
        found.dedup();
        found
    }

    /// Every directive the target accepts (canonical entries).
    pub fn directives_for<'a>(&'a self, target: &Target) -> impl Iterator<Item = &'a Directive> + 'a {
        let target = *target;
        self.directives
            .iter()
            .filter(move |d| d.accepted_by(&target) || d.aliases.iter().any(|a| a.accepted_by(&target)))
    }

    /// The name a target uses for a directive: its canonical name when that
    /// line accepts it, else the alias that line accepts.
    pub fn name_on<'a>(&self, directive: &'a Directive, target: &Target) -> &'a str {
        if directive.accepted_by(target) {
            return &directive.name;
        }
        directive
            .aliases
            .iter()
            .find(|a| a.accepted_by(target))
            .map(|a| a.name.as_str())
            .unwrap_or(&directive.name)
    }

    pub fn all(&self) -> &[Directive] {
        &self.directives
    }
}

/// The embedded catalog, parsed once.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    // The embedded catalog is checked by tests (schema + corpus); a broken
    // build must fail loudly rather than run with no directives.
    CATALOG.get_or_init(|| Catalog::from_json(CATALOG_JSON).expect("embedded schemas/directives.json is valid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_specs_snap_to_release_lines() {
        assert_eq!(Target::parse("7.2.4").unwrap().to_string(), "7.2");
        assert_eq!(Target::parse("7.0").unwrap().to_string(), "7.0");
        assert_eq!(Target::parse("redis-7.4").unwrap().to_string(), "7.4");
        assert_eq!(Target::parse("valkey-8.0").unwrap().to_string(), "valkey-8.0");
        assert_eq!(Target::parse("7.3").unwrap().to_string(), "7.2");
        assert_eq!(Target::parse("8.0-m01").unwrap().to_string(), "8.0");
        assert!(Target::parse("seven").is_err());
        assert!(Target::parse("1.2").is_err());
    }

    #[test]
    fn an_unknown_line_is_said_with_the_line_used_instead() {
        let future = Target::resolve("valkey-10.2").unwrap();
        assert_eq!(future.target.to_string(), "valkey-9.1");
        let note = future.note.unwrap();
        assert!(note.contains("Valkey 10.2") && note.contains("valkey-9.1"), "{note}");
        let redis = Target::resolve("8.2.1").unwrap();
        assert_eq!(redis.target.to_string(), "8.0");
        assert!(redis.note.unwrap().contains("Redis 8.2"));
        for known in ["7.2.4", "valkey-9.0", "valkey-9.1.2", "8.0-m01", "6.2"] {
            assert_eq!(Target::resolve(known).unwrap().note, None, "{known}");
        }
    }

    #[test]
    fn deprecated_directives_are_ignored_on_their_lines() {
        let c = catalog();
        let on = |name: &str, version: &str| {
            let target = Target::parse(version).unwrap();
            c.lookup(name, &target).unwrap().directive.ignored_on(&target)
        };
        assert!(on("list-max-ziplist-entries", "6.2"));
        assert!(on("lua-replicate-commands", "7.0"));
        assert!(!on("dynamic-hz", "valkey-8.0"));
        assert!(on("dynamic-hz", "valkey-8.1"));
        assert!(!on("sanitize-dump-payload", "valkey-8.1"));
        assert!(on("sanitize-dump-payload", "valkey-9.1"));
        assert!(!on("maxmemory", "7.0"));
    }

    #[test]
    fn valkey_9_lines_know_their_directives() {
        let c = catalog();
        let v81 = Target::parse("valkey-8.1").unwrap();
        let v90 = Target::parse("valkey-9.0").unwrap();
        let v91 = Target::parse("valkey-9.1").unwrap();
        assert!(c.lookup("cluster-databases", &v81).is_none());
        assert!(c.lookup("cluster-databases", &v90).is_some());
        assert!(c.lookup("hash-seed", &v90).is_none());
        assert!(c.lookup("hash-seed", &v91).is_some());
        assert!(c.lookup("cluster-databases", &Target::parse("8.0").unwrap()).is_none());
        let user = c.lookup("tls-auth-clients-user", &v90).unwrap().directive;
        assert!(user.value_exists_on("cn", &v90));
        assert!(!user.value_exists_on("uri", &v90));
        assert!(user.value_exists_on("uri", &v91));
        let load = c.lookup("repl-diskless-load", &v81).unwrap().directive;
        assert!(load.value_exists_on("flush-before-load", &v81));
        assert!(!load.value_exists_on("flush-before-load", &Target::parse("valkey-8.0").unwrap()));
        assert!(!load.value_exists_on("flush-before-load", &Target::parse("8.0").unwrap()));
        let threads = c.lookup("io-threads", &v81).unwrap().directive;
        assert_eq!(threads.bounds_for(&v81), (Some(1), Some(256)));
        assert_eq!(threads.bounds_for(&Target::parse("7.0").unwrap()), (Some(1), Some(128)));
    }

    #[test]
    fn renamed_directives_resolve_through_aliases() {
        let c = catalog();
        let t70 = Target::parse("7.0").unwrap();
        let hit = c.lookup("slaveof", &t70).unwrap();
        assert_eq!(hit.directive.name, "replicaof");
        assert!(hit.alias.unwrap().deprecated_on(&t70));
        let t40 = Target::parse("4.0").unwrap();
        assert!(c.lookup("replicaof", &t40).is_none());
        assert!(c.lookup("slaveof", &t40).is_some());
        assert!(!c.lookup("slaveof", &t40).unwrap().alias.unwrap().deprecated_on(&t40));
    }

    #[test]
    fn valkey_8_renames_masterauth() {
        let c = catalog();
        let v8 = Target::parse("valkey-8.0").unwrap();
        let hit = c.lookup("masterauth", &v8).unwrap();
        assert_eq!(hit.directive.name, "primaryauth");
        assert!(hit.directive.secret);
        assert!(c.lookup("primaryauth", &Target::parse("7.2").unwrap()).is_none());
    }
}
