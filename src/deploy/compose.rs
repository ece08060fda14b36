//! Compose files: the services that run Redis or Valkey, what they run
//! (`command:`/`entrypoint:`, a mounted redis.conf, the image's
//! environment), what they publish, and the application services whose
//! variables point at them. Values are interpolated as compose does it
//! (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `$$`) from
//! the `.env` beside the file; a variable that is not set there is unknown.

use super::yaml::{self, Node, Style};
use super::{is_exporter_image, is_redis_image, is_redis_variable, DeployFile, Instance, Kind, Locator};
use crate::conf::argv::{self, Word};
use crate::conf::catalog::Target;
use crate::conf::{ArgLine, Opaque, Piece};
use crate::env::{dotenv, redis_url};
use crate::facts::{EnvVar, Origin, Value};
use crate::textfile::{mask_ranges, SourceFile};
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a directive's value comes from when compose cannot resolve it.
const UNSET: &str = "which is not set here (no `.env` beside the compose file sets it)";

/// A service's variables: name, value, where the value is written.
type ServiceEnv = Vec<(String, Resolved, Range<usize>)>;

/// Reads a compose file (its text already read) and the `.env` beside it.
pub fn read(path: &Path, text: &str, target: &Target) -> Result<DeployFile, String> {
    let documents = yaml::parse(text).map_err(|e| super::yaml_error(path, &e))?;
    let root = documents.first().cloned().unwrap_or(Node::Map(Vec::new(), 0..0));
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut masks = super::mask::secret_ranges(text, &documents);
    let file = Arc::new(path.to_path_buf());
    let mut extra_sources = Vec::new();
    // `.env` beside the file: compose's interpolation source.
    let dotenv_path = dir.join(".env");
    let variables = match std::fs::metadata(&dotenv_path) {
        Ok(meta) if meta.is_file() => read_dotenv(&dotenv_path, &mut extra_sources)?,
        _ => HashMap::new(),
    };
    let interpolation = Interpolation { variables };
    // Interpolated values may hold secrets too (`${REDIS_PASSWORD:-default}` is literal).
    let services = root.get("services").map(Node::entries).unwrap_or_default();
    let mut service_env: Vec<(String, ServiceEnv)> = Vec::new();
    for (name, service) in services {
        let Some(name) = name.as_str() else { continue };
        let env = service_environment(service, &interpolation, &dir, &mut extra_sources)?;
        service_env.push((name.to_string(), env));
    }
    for (_, env) in &service_env {
        for (var, value, span) in env {
            if crate::env::may_hold_secret(var) && !value.text.is_empty() && span.end <= text.len() {
                masks.push(span.clone());
            }
        }
    }
    let shown: Arc<str> = Arc::from(mask_ranges(text, &masks));
    let locator = Locator::new(file.clone(), shown.clone());
    let source = SourceFile {
        path: file.clone(),
        text: shown,
    };
    let mut instances = Vec::new();
    let mut names_of: Vec<(usize, Vec<String>)> = Vec::new();
    for ((name, service), (_, env)) in services.iter().zip(&service_env) {
        let Some(name) = name.as_str() else { continue };
        if let Some(instance) = redis_service(
            name,
            service,
            env,
            &interpolation,
            &dir,
            &source,
            text,
            &locator,
            target,
        ) {
            let mut aliases = vec![name.to_string()];
            for key in ["container_name", "hostname"] {
                if let Some(alias) = service.get(key).and_then(Node::as_str) {
                    aliases.push(alias.to_string());
                }
            }
            if let Some(networks) = service.get("networks") {
                for (_, network) in networks.entries() {
                    for alias in network.get("aliases").and_then(Node::as_seq).unwrap_or_default() {
                        if let Some(alias) = alias.as_str() {
                            aliases.push(alias.to_string());
                        }
                    }
                }
            }
            names_of.push((instances.len(), aliases));
            instances.push(instance);
        }
    }
    // Monitoring: an exporter service in the same file.
    let exporter = services.iter().find_map(|(_, s)| {
        s.get("image")
            .and_then(Node::as_str)
            .filter(|image| is_exporter_image(image))
            .map(|_| s.span())
    });
    if let Some(span) = exporter {
        for instance in &mut instances {
            instance.facts.push((
                "deploy.monitoring".into(),
                Value::Bool(true),
                locator.origin(span.clone()),
            ));
        }
    }
    // The application side: variables that name a Redis service here.
    let mut unlinked_env = Vec::new();
    for ((name, service), (_, env)) in services.iter().zip(&service_env) {
        if name.as_str().is_none() {
            continue;
        }
        let image = service.get("image").and_then(Node::as_str).unwrap_or("");
        if is_redis_image(image) || is_exporter_image(image) {
            continue;
        }
        let vars: Vec<EnvVar> = env
            .iter()
            .filter(|(var, value, _)| is_redis_variable(var, &value.text) && value.unset.is_none())
            .map(|(var, value, span)| locator.env_var(var, &value.text, span.clone()))
            .collect();
        if vars.is_empty() {
            continue;
        }
        let named_host = vars.iter().find_map(host_named);
        let linked = named_host.as_ref().and_then(|host| {
            names_of
                .iter()
                .find(|(_, aliases)| aliases.iter().any(|a| a.eq_ignore_ascii_case(host)))
                .map(|(index, _)| *index)
        });
        match linked.or_else(|| (instances.len() == 1 && named_host.is_none()).then_some(0)) {
            Some(index) => {
                instances[index].env.extend(vars);
            }
            None => unlinked_env.extend(vars),
        }
    }
    Ok(DeployFile {
        kind: Kind::Compose,
        source,
        instances,
        extra_sources,
        unlinked_env,
    })
}

/// The host a variable names: a Redis URL's host, or `*_HOST`'s value.
fn host_named(var: &EnvVar) -> Option<String> {
    let value = var.value.expose();
    if super::is_redis_url(value) {
        return redis_url::parse(value).ok().and_then(|url| url.host);
    }
    (var.name.ends_with("_HOST") || var.name.ends_with("HOSTNAME"))
        .then(|| value.trim().to_string())
        .filter(|h| !h.is_empty())
}

fn read_dotenv(path: &Path, sources: &mut Vec<SourceFile>) -> Result<HashMap<String, String>, String> {
    let text = crate::textfile::read_text_file(path)?;
    let entries = dotenv::parse(path, &text).map_err(|e| e.to_string())?;
    let (_, masked) = crate::env::read_env_files(&[path.to_path_buf()]).map_err(|e| e.to_string())?;
    sources.extend(masked);
    Ok(entries.into_iter().map(|e| (e.name, e.value)).collect())
}

/// A value after interpolation.
#[derive(Debug, Clone)]
struct Resolved {
    text: String,
    /// The first variable that is not set (its `${...}` as written).
    unset: Option<String>,
    /// The text is the bytes written in the file.
    verbatim: bool,
}

struct Interpolation {
    variables: HashMap<String, String>,
}

impl Interpolation {
    /// Compose's interpolation of one value.
    fn resolve(&self, written: &str) -> Resolved {
        let mut out = String::new();
        let mut unset = None;
        let mut verbatim = true;
        let bytes = written.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'$' {
                let next = written[i..].find('$').map_or(written.len(), |n| i + n);
                out.push_str(&written[i..next]);
                i = next;
                continue;
            }
            verbatim = false;
            match bytes.get(i + 1) {
                Some(b'$') => {
                    out.push('$');
                    i += 2;
                }
                Some(b'{') => {
                    let Some(close) = matching_brace(&written[i + 2..]) else {
                        out.push_str(&written[i..]);
                        break;
                    };
                    let inner = &written[i + 2..i + 2 + close];
                    let expression = &written[i..i + 3 + close];
                    match self.expand(inner) {
                        Some(value) => out.push_str(&value),
                        None => {
                            unset.get_or_insert_with(|| expression.to_string());
                        }
                    }
                    i += 3 + close;
                }
                Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                    let end = written[i + 1..]
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .map_or(written.len(), |n| i + 1 + n);
                    let name = &written[i + 1..end];
                    match self.variables.get(name) {
                        Some(value) => out.push_str(value),
                        None => {
                            unset.get_or_insert_with(|| format!("${name}"));
                        }
                    }
                    i = end;
                }
                _ => {
                    out.push('$');
                    i += 1;
                }
            }
        }
        Resolved {
            text: out,
            unset,
            verbatim,
        }
    }

    /// `VAR`, `VAR:-default`, `VAR-default`, `VAR:?err`, `VAR?err`, `VAR:+alt`, `VAR+alt`.
    fn expand(&self, inner: &str) -> Option<String> {
        let split = inner.find([':', '-', '?', '+']).unwrap_or(inner.len());
        let name = &inner[..split];
        let rest = &inner[split..];
        let value = self.variables.get(name);
        let (colon, rest) = match rest.strip_prefix(':') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let usable = value.filter(|v| !(colon && v.is_empty()));
        match rest.chars().next() {
            None => value.cloned(),
            Some('-') => Some(usable.cloned().unwrap_or_else(|| self.resolve(&rest[1..]).text)),
            Some('+') => Some(if usable.is_some() {
                self.resolve(&rest[1..]).text
            } else {
                String::new()
            }),
            // `:?err`: compose refuses to run without it; here it is unknown.
            Some('?') => usable.cloned(),
            Some(_) => value.cloned(),
        }
    }
}

fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(at),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// `env_file:` entries that are not files here (their variables are unknown).
fn missing_env_files(service: &Node, interpolation: &Interpolation, dir: &Path) -> Vec<String> {
    env_file_names(service)
        .into_iter()
        .filter(|name| !dir.join(interpolation.resolve(name).text).is_file())
        .collect()
}

fn env_file_names(service: &Node) -> Vec<String> {
    match service.get("env_file") {
        Some(Node::Seq(items, _)) => items
            .iter()
            .filter_map(|i| i.as_str().or_else(|| i.get("path").and_then(Node::as_str)))
            .map(str::to_string)
            .collect(),
        Some(node) => node.as_str().map(str::to_string).into_iter().collect(),
        None => Vec::new(),
    }
}

/// A service's variables (`env_file:` then `environment:`, which wins), interpolated.
fn service_environment(
    service: &Node,
    interpolation: &Interpolation,
    dir: &Path,
    sources: &mut Vec<SourceFile>,
) -> Result<Vec<(String, Resolved, Range<usize>)>, String> {
    let mut out = Vec::new();
    let env_files = env_file_names(service);
    for file in env_files {
        let path = dir.join(interpolation.resolve(&file).text);
        if !path.is_file() {
            continue;
        }
        let (vars, masked) = crate::env::read_env_files(std::slice::from_ref(&path)).map_err(|e| e.to_string())?;
        sources.extend(masked);
        for var in vars {
            // Spans of env-file variables are in the env file, not here.
            out.push((
                var.name.clone(),
                Resolved {
                    text: var.value.expose().to_string(),
                    unset: None,
                    verbatim: false,
                },
                usize::MAX..usize::MAX,
            ));
        }
    }
    match service.get("environment") {
        Some(Node::Map(entries, _)) => {
            for (key, value) in entries {
                let Some(name) = key.as_str() else { continue };
                match value.as_scalar() {
                    // `KEY:` alone takes the value from the shell: unknown here.
                    Some(scalar) if scalar.is_null() => out.push((
                        name.to_string(),
                        Resolved {
                            text: String::new(),
                            unset: Some(format!("${name}")),
                            verbatim: false,
                        },
                        key.span(),
                    )),
                    Some(scalar) => out.push((
                        name.to_string(),
                        interpolation.resolve(&scalar.value),
                        scalar.span.clone(),
                    )),
                    None => {}
                }
            }
        }
        Some(Node::Seq(items, _)) => {
            for item in items {
                let Some(scalar) = item.as_scalar() else { continue };
                match scalar.value.split_once('=') {
                    Some((name, value)) => {
                        let mut resolved = interpolation.resolve(value);
                        resolved.verbatim &= scalar.style == Style::Plain;
                        let value_span = if scalar.style == Style::Plain {
                            scalar.span.start + name.len() + 1..scalar.span.end
                        } else {
                            scalar.span.clone()
                        };
                        out.push((name.trim().to_string(), resolved, value_span));
                    }
                    None => out.push((
                        scalar.value.trim().to_string(),
                        Resolved {
                            text: String::new(),
                            unset: Some(format!("${}", scalar.value.trim())),
                            verbatim: false,
                        },
                        scalar.span.clone(),
                    )),
                }
            }
        }
        _ => {}
    }
    Ok(out)
}

/// The Redis instance a service runs, if it runs one.
#[allow(clippy::too_many_arguments)]
fn redis_service(
    name: &str,
    service: &Node,
    env: &[(String, Resolved, Range<usize>)],
    interpolation: &Interpolation,
    dir: &Path,
    source: &SourceFile,
    raw_text: &str,
    locator: &Locator,
    target: &Target,
) -> Option<Instance> {
    let image_node = service.get("image");
    let image = image_node
        .and_then(Node::as_str)
        .map(|i| interpolation.resolve(i).text)
        .unwrap_or_default();
    let mut words = command_words(service.get("entrypoint"), interpolation);
    words.extend(command_words(service.get("command"), interpolation));
    // `sh -c "redis-server ..."`: the server's words inside the script,
    // with the container's variables expanded as the shell would.
    let missing_env_files = missing_env_files(service, interpolation, dir);
    let mut server_words = server_words(&words, env, &missing_env_files);
    // The official images' entrypoint runs `redis-server` itself when the
    // command starts with an option or a config file (`command: --requirepass x`).
    if server_words.is_none() && is_redis_image(&image) {
        if let Some(first) = words
            .first()
            .filter(|w| w.text.starts_with('-') || w.text.ends_with(".conf"))
        {
            let program = Word::plain("redis-server", first.span.start);
            server_words = Some((
                Word {
                    span: first.span.start..first.span.start,
                    ..program
                },
                words.clone(),
            ));
        }
    }
    if !is_redis_image(&image) && server_words.is_none() {
        return None;
    }
    let bitnami = super::is_bitnami_image(&image);
    let mut pieces = Vec::new();
    let mut facts: Vec<(String, Value, Origin)> = Vec::new();
    let id = format!("compose:{}#{name}", super::id_path(&source.path));
    let service_origin = locator.origin(service.span().start..service.span().start);
    facts.push((
        "deploy.kind".into(),
        Value::Str("compose".into()),
        service_origin.clone(),
    ));
    let host_network = service.get("network_mode").and_then(Node::as_str) == Some("host");
    facts.push((
        "deploy.container".into(),
        Value::Bool(!host_network),
        service_origin.clone(),
    ));
    if !image.is_empty() {
        let origin = image_node
            .map(|n| locator.origin(n.span()))
            .unwrap_or(service_origin.clone());
        if is_official_redis_image(&image) {
            // The image's build turns protected mode off (see is_official_redis_image).
            facts.push(("conf.protected-mode".into(), Value::Bool(false), origin.clone()));
        }
        facts.push(("deploy.image".into(), Value::Str(image.clone()), origin));
    }
    let mut sentinel = false;
    let mut lines: Vec<ArgLine> = Vec::new();
    let mut port = 6379i64;
    let mut tls_port = 0i64;
    if let Some((program, args)) = &server_words {
        sentinel = program.text.contains("sentinel");
        let line_target = image_target(&image).unwrap_or(*target);
        let command = argv::parse(args, &line_target);
        sentinel |= command.sentinel;
        if let Some(config) = &command.config_file {
            match mounted_file(service, &config.text, dir, interpolation) {
                Some(path) => pieces.push(Piece::File(path)),
                None => pieces.push(Piece::Unseen(format!(
                    "the config file `{}` is not mounted from the repository",
                    config.text
                ))),
            }
        }
        if command.reads_stdin {
            pieces.push(Piece::Unseen("the config is read from stdin".into()));
        }
        for mut line in command.lines {
            if let Some(Opaque::Unknown(reason)) = &line.opaque {
                let directive = line
                    .args
                    .first()
                    .map(|a| a.value.to_ascii_lowercase())
                    .unwrap_or_default();
                line.opaque = Some(Opaque::Unknown(format!("`{directive}` comes from {reason}")));
            }
            lines.push(line);
        }
    } else if bitnami {
        // The image writes its redis.conf from variables.
        pieces.push(Piece::Unseen(
            "the bitnami image generates its redis.conf from its variables".into(),
        ));
        lines.extend(bitnami_lines(env));
    }
    for line in &lines {
        let directive = line.args.first().map(|a| a.value.to_ascii_lowercase());
        let value = line.args.get(1).and_then(|a| a.value.parse::<i64>().ok());
        match (directive.as_deref(), value) {
            (Some("port"), Some(v)) => port = v,
            (Some("tls-port"), Some(v)) => tls_port = v,
            _ => {}
        }
        // A literal password written in the compose file.
        if directive
            .as_deref()
            .is_some_and(|d| crate::conf::SECRET_DIRECTIVES.contains(&d))
            && line.opaque.is_none()
        {
            if let Some(arg) = line
                .args
                .get(1)
                .filter(|a| !a.value.is_empty() && a.span.end <= source.text.len())
            {
                if literal_in_file(raw_text, arg) {
                    facts.push((
                        "deploy.password_in_source".into(),
                        Value::Bool(true),
                        locator.origin(arg.span.clone()),
                    ));
                }
            }
        }
    }
    if !lines.is_empty() {
        pieces.push(Piece::Lines {
            source: source.clone(),
            lines,
        });
    }
    publish_facts(
        service,
        interpolation,
        locator,
        &[port, tls_port],
        host_network,
        &mut facts,
    );
    Some(Instance {
        id,
        kind: Kind::Compose,
        pieces,
        sentinel,
        facts,
        env: Vec::new(),
    })
}

/// The Docker official `redis` image, which is built with protected mode
/// off by default (its Dockerfile patches the default in `config.c`: the
/// container's network is the isolation). A config or argument still wins.
pub fn is_official_redis_image(image: &str) -> bool {
    let repo = image.split(['@', ':']).next().unwrap_or(image);
    matches!(
        repo,
        "redis" | "library/redis" | "docker.io/library/redis" | "docker.io/redis"
    )
}

/// Whether an argument is written as is in the file (not from a variable).
fn literal_in_file(text: &str, arg: &crate::conf::lexer::Arg) -> bool {
    let written = text.get(arg.span.clone()).unwrap_or("");
    !written.contains('$')
}

/// The release line an image tag names (`redis:7.2-alpine` → 7.2, `valkey/valkey:8` → valkey 8.x).
pub fn image_target(image: &str) -> Option<Target> {
    let (repo, tag) = image.rsplit_once(':')?;
    if tag.contains('/') {
        return None;
    }
    let version: String = tag.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let version = version.trim_end_matches('.');
    if version.is_empty() {
        return None;
    }
    let product = if repo.contains("valkey") { "valkey-" } else { "" };
    if version.contains('.') {
        return Target::parse(&format!("{product}{version}")).ok();
    }
    // A major-only tag (`redis:6`) follows that major's newest release line.
    let first = Target::parse(&format!("{product}{version}.0")).ok()?;
    let newest = crate::conf::catalog::catalog()
        .lines(first.product)
        .iter()
        .filter(|line| line.major == first.major)
        .max_by_key(|line| line.minor)
        .copied();
    newest.or(Some(first))
}

/// A command or entrypoint as words with their spans: a list is one word
/// per item; a string is split as compose splits it (shell-like quoting).
fn command_words(node: Option<&Node>, interpolation: &Interpolation) -> Vec<Word> {
    let Some(node) = node else { return Vec::new() };
    match node {
        Node::Seq(items, _) => items
            .iter()
            .filter_map(Node::as_scalar)
            .map(|scalar| {
                let resolved = interpolation.resolve(&scalar.value);
                word(resolved, scalar.span.clone(), scalar.style == Style::Plain)
            })
            .collect(),
        Node::Scalar(scalar) if !scalar.is_null() => {
            let verbatim_scalar = scalar.style == Style::Plain;
            shell_split(&scalar.value)
                .into_iter()
                .map(|(text, span, plain)| {
                    let resolved = interpolation.resolve(&text);
                    let span = if verbatim_scalar {
                        scalar.span.start + span.start..scalar.span.start + span.end
                    } else {
                        scalar.span.clone()
                    };
                    word(resolved, span, verbatim_scalar && plain)
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

fn word(resolved: Resolved, span: Range<usize>, plain: bool) -> Word {
    let opaque = resolved
        .unset
        .as_ref()
        .map(|expression| Opaque::Unknown(format!("`{expression}`, {UNSET}")));
    Word {
        verbatim: plain && resolved.verbatim,
        text: resolved.text,
        span,
        opaque,
    }
}

/// Splits a command string like a POSIX shell's words (what compose does):
/// blanks separate, single quotes are literal, double quotes and backslashes
/// escape. Returns each word's text, its span in `text`, and whether it was
/// written without quotes or escapes.
pub fn shell_split(text: &str) -> Vec<(String, Range<usize>, bool)> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut start: Option<usize> = None;
    let mut plain = true;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    words.push((std::mem::take(&mut current), s..at, plain));
                    plain = true;
                }
            }
            '\'' => {
                start.get_or_insert(at);
                plain = false;
                for (_, c) in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    current.push(c);
                }
            }
            '"' => {
                start.get_or_insert(at);
                plain = false;
                while let Some((_, c)) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.peek() {
                            Some(&(_, next @ ('"' | '\\' | '$' | '`'))) => {
                                current.push(next);
                                chars.next();
                            }
                            _ => current.push('\\'),
                        },
                        c => current.push(c),
                    }
                }
            }
            '\\' => {
                start.get_or_insert(at);
                plain = false;
                if let Some((_, next)) = chars.next() {
                    current.push(next);
                }
            }
            c => {
                start.get_or_insert(at);
                current.push(c);
            }
        }
    }
    if let Some(s) = start {
        words.push((current, s..text.len(), plain));
    }
    words
}

/// The program and arguments that start the server: the words themselves
/// when the first is `redis-server`, or the server's words inside a
/// `sh -c` script (up to `&&`, `;`, `|`), with `$VAR` from the container's
/// environment.
fn server_words(
    words: &[Word],
    env: &[(String, Resolved, Range<usize>)],
    missing_env_files: &[String],
) -> Option<(Word, Vec<Word>)> {
    if let Some(start) = words.iter().position(|w| argv::is_server_program(&w.text)) {
        if start == 0 || !words[..start].iter().any(|w| w.text == "-c") {
            return Some((words[start].clone(), words[start + 1..].to_vec()));
        }
    }
    // Inside a shell script: `sh -c "redis-server --requirepass $$PW"`.
    let dash_c = words.iter().position(|w| w.text == "-c")?;
    let script = words.get(dash_c + 1)?;
    let split = shell_split(&script.text);
    let begin = split.iter().position(|(text, _, _)| argv::is_server_program(text))?;
    let mut args = Vec::new();
    for (text, span, plain) in &split[begin + 1..] {
        if matches!(text.as_str(), "&&" | "||" | ";" | "|" | "&") {
            break;
        }
        let shell = Interpolation {
            variables: env
                .iter()
                .filter(|(_, v, _)| v.unset.is_none())
                .map(|(k, v, _)| (k.clone(), v.text.clone()))
                .collect(),
        };
        let resolved = shell.resolve(text);
        let (span, plain) = if script.verbatim {
            (script.span.start + span.start..script.span.start + span.end, *plain)
        } else {
            (script.span.clone(), false)
        };
        let mut word = word(resolved, span, plain);
        if let Some(Opaque::Unknown(_)) = &word.opaque {
            let why = if missing_env_files.is_empty() {
                "it is not set in the service's environment here".to_string()
            } else {
                format!(
                    "it may come from `env_file: {}`, which is not in the repository",
                    missing_env_files.join(", ")
                )
            };
            word.opaque = Some(Opaque::Unknown(format!("`{text}` in the container's shell: {why}")));
        }
        args.push(word);
    }
    Some((Word::plain(&split[begin].0, script.span.start), args))
}

/// The repository file a container path comes from, through `volumes:`.
fn mounted_file(service: &Node, container_path: &str, dir: &Path, interpolation: &Interpolation) -> Option<PathBuf> {
    for volume in service.get("volumes").and_then(Node::as_seq).unwrap_or_default() {
        let (source, target) = match volume {
            Node::Scalar(s) => {
                let resolved = interpolation.resolve(&s.value).text;
                let mut parts = resolved.splitn(3, ':');
                let source = parts.next().unwrap_or("").to_string();
                let Some(target) = parts.next() else { continue };
                (source, target.to_string())
            }
            Node::Map(..) => {
                let source = volume.get("source").and_then(Node::as_str).unwrap_or("").to_string();
                let target = volume.get("target").and_then(Node::as_str).unwrap_or("").to_string();
                (source, target)
            }
            Node::Seq(..) => continue,
        };
        // Named volumes (no `/` or `.` prefix) are not files of the repository.
        if !(source.starts_with('.') || source.starts_with('/') || source.starts_with('~')) {
            continue;
        }
        let host = if source.starts_with('/') {
            PathBuf::from(&source)
        } else {
            dir.join(&source)
        };
        let target = target.trim_end_matches('/');
        if container_path == target {
            if host.is_file() {
                return Some(host);
            }
        } else if let Some(rest) = container_path.strip_prefix(&format!("{target}/")) {
            let candidate = host.join(rest);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The bitnami image's variables as the config lines it writes.
fn bitnami_lines(env: &[(String, Resolved, Range<usize>)]) -> Vec<ArgLine> {
    let mut lines = Vec::new();
    let get = |name: &str| env.iter().rev().find(|(n, _, _)| n == name);
    let line = |directive: &str, value: &Resolved, span: &Range<usize>, name: &str| {
        let opaque = value
            .unset
            .as_ref()
            .map(|expression| Opaque::Unknown(format!("`{directive}` comes from `{name}` = `{expression}`, {UNSET}")));
        ArgLine {
            args: vec![
                crate::conf::lexer::Arg {
                    value: directive.to_string(),
                    span: span.clone(),
                    quoted: false,
                },
                crate::conf::lexer::Arg {
                    value: value.text.clone(),
                    span: span.clone(),
                    quoted: true,
                },
            ],
            span: span.clone(),
            opaque,
        }
    };
    let allow_empty =
        get("ALLOW_EMPTY_PASSWORD").is_some_and(|(_, v, _)| crate::env::parse_bool(&v.text) == Some(true));
    match get("REDIS_PASSWORD").or_else(|| get("VALKEY_PASSWORD")) {
        Some((name, value, span)) if span.start != usize::MAX => lines.push(line("requirepass", value, span, name)),
        Some(_) => {}
        None if allow_empty => {
            if let Some((name, value, span)) = get("ALLOW_EMPTY_PASSWORD").filter(|(_, _, s)| s.start != usize::MAX) {
                let empty = Resolved {
                    text: String::new(),
                    ..value.clone()
                };
                lines.push(line("requirepass", &empty, span, name));
            }
        }
        None => {}
    }
    if let Some((name, value, span)) = get("REDIS_AOF_ENABLED").filter(|(_, _, s)| s.start != usize::MAX) {
        lines.push(line("appendonly", value, span, name));
    }
    lines
}

/// `ports:` entries that publish a Redis port, and on which address.
fn publish_facts(
    service: &Node,
    interpolation: &Interpolation,
    locator: &Locator,
    redis_ports: &[i64],
    host_network: bool,
    facts: &mut Vec<(String, Value, Origin)>,
) {
    if host_network {
        let origin = service
            .get("network_mode")
            .map(|n| locator.origin(n.span()))
            .unwrap_or_default();
        facts.push(("deploy.host_network".into(), Value::Bool(true), origin));
        return;
    }
    let mut published: Option<(String, Origin)> = None;
    let mut loopback_only: Option<Origin> = None;
    for entry in service.get("ports").and_then(Node::as_seq).unwrap_or_default() {
        let (host_ip, container) = match entry {
            Node::Scalar(s) => {
                let text = interpolation.resolve(&s.value).text;
                let spec = text.split('/').next().unwrap_or("").to_string();
                // [host_ip:][host_port:]container_port (IPv6 host in brackets).
                let (host_ip, rest) = match spec.strip_prefix('[') {
                    Some(rest) => match rest.split_once("]:") {
                        Some((ip, rest)) => (Some(ip.to_string()), rest.to_string()),
                        None => (None, spec.clone()),
                    },
                    None => {
                        let parts: Vec<&str> = spec.split(':').collect();
                        if parts.len() == 3 {
                            (Some(parts[0].to_string()), format!("{}:{}", parts[1], parts[2]))
                        } else {
                            (None, spec.clone())
                        }
                    }
                };
                // Container port only (`"6379"`): published on an ephemeral host port.
                let container = rest.rsplit(':').next().unwrap_or("").to_string();
                (host_ip, container)
            }
            Node::Map(..) => {
                let container = entry.get("target").and_then(Node::as_str).unwrap_or("").to_string();
                let host_ip = entry.get("host_ip").and_then(Node::as_str).map(str::to_string);
                (host_ip, container)
            }
            Node::Seq(..) => continue,
        };
        if !port_matches(&container, redis_ports) {
            continue;
        }
        let origin = locator.origin(entry.span());
        match host_ip.as_deref() {
            Some(ip) if is_loopback(ip) => {
                loopback_only.get_or_insert(origin);
            }
            Some(ip) if !ip.is_empty() && ip != "0.0.0.0" && ip != "::" => {
                published.get_or_insert((ip.to_string(), origin));
            }
            _ => {
                published.get_or_insert(("every host interface".to_string(), origin));
            }
        }
    }
    match (published, loopback_only) {
        (Some((address, origin)), _) => {
            facts.push(("deploy.port_published".into(), Value::Bool(true), origin.clone()));
            facts.push(("deploy.published_address".into(), Value::Str(address), origin));
        }
        (None, Some(origin)) => {
            facts.push(("deploy.port_published".into(), Value::Bool(false), origin.clone()));
            facts.push((
                "deploy.published_address".into(),
                Value::Str("127.0.0.1".into()),
                origin,
            ));
        }
        (None, None) => {
            let origin = locator.origin(service.span().start..service.span().start);
            facts.push(("deploy.port_published".into(), Value::Bool(false), origin));
        }
    }
}

fn is_loopback(ip: &str) -> bool {
    ip.starts_with("127.") || ip == "::1" || ip == "localhost"
}

/// `6379`, `6379-6380` (a range containing it).
fn port_matches(container: &str, redis_ports: &[i64]) -> bool {
    let container = container.trim();
    match container.split_once('-') {
        Some((low, high)) => match (low.parse::<i64>(), high.parse::<i64>()) {
            (Ok(low), Ok(high)) => redis_ports.iter().any(|p| *p > 0 && (low..=high).contains(p)),
            _ => false,
        },
        None => container
            .parse::<i64>()
            .is_ok_and(|p| redis_ports.contains(&p) && p > 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_as_compose_does_it() {
        let interpolation = Interpolation {
            variables: [
                ("SET".to_string(), "v".to_string()),
                ("EMPTY".to_string(), String::new()),
            ]
            .into(),
        };
        let text = |s: &str| interpolation.resolve(s).text;
        assert_eq!(text("${SET}"), "v");
        assert_eq!(text("${UNSET:-d}"), "d");
        assert_eq!(text("${EMPTY:-d}"), "d");
        assert_eq!(text("${EMPTY-d}"), "");
        assert_eq!(text("$$HOME"), "$HOME");
        assert_eq!(text("a${SET}b$SET"), "avbv");
        assert_eq!(interpolation.resolve("${NOPE}").unset.as_deref(), Some("${NOPE}"));
        assert_eq!(
            interpolation.resolve("${NOPE:?need it}").unset.as_deref(),
            Some("${NOPE:?need it}")
        );
        assert!(interpolation.resolve("plain").unset.is_none());
    }

    #[test]
    fn shell_words_with_spans() {
        let words = shell_split(r#"redis-server --requirepass "a b" --save '' x\ y"#);
        let texts: Vec<&str> = words.iter().map(|w| w.0.as_str()).collect();
        assert_eq!(texts, ["redis-server", "--requirepass", "a b", "--save", "", "x y"]);
        assert_eq!(words[2].1, 27..32);
        assert!(words[0].2 && !words[2].2);
    }

    #[test]
    fn image_versions() {
        assert_eq!(
            image_target("redis:7.2-alpine").map(|t| t.to_string()),
            Some("7.2".into())
        );
        assert_eq!(
            image_target("valkey/valkey:8.1").map(|t| t.to_string()),
            Some("valkey-8.1".into())
        );
        assert!(image_target("redis").is_none());
        assert!(image_target("redis:latest").is_none());
        // A major-only tag is that major's newest line.
        assert_eq!(image_target("redis:6").map(|t| t.to_string()), Some("6.2".into()));
        assert_eq!(
            image_target("redis:5-alpine").map(|t| t.to_string()),
            Some("5.0".into())
        );
        assert_eq!(
            image_target("valkey/valkey:8").map(|t| t.to_string()),
            Some("valkey-8.1".into())
        );
    }
}
