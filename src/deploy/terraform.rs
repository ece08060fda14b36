//! Terraform (`*.tf`, `*.tfvars`, `*.tfvars.json`): managed Redis resources
//! written directly, with values from literals, `variable` defaults,
//! `*.tfvars` in the same directory and simple `local`s. Anything else is
//! unknown, named by its expression.
//!
//! A resource is one instance (`terraform:main.tf#aws_elasticache_replication_group.cache`),
//! built through [`managed::Managed`] so an attribute means what it means in
//! a cloud description. Resources it links to (a parameter group, a user
//! group, firewall rules) are looked up in every `.tf` of the directory; the
//! directory's files are parsed once ([`DirCache`]). A `module` call whose
//! source or arguments name a Redis module is a target too, but modules are
//! not followed: what it decides is unknown, except a password written as
//! an argument.
//!
//! Secrets are masked by position before anything else sees the text: the
//! string value of every attribute, object key, module argument or tfvars
//! entry whose name may hold a credential, the default of a `variable`
//! whose name does (or that is `sensitive`), URL passwords in any string,
//! and `password = x` in comments.

use super::managed::{self, Attribute, Auth, Managed, Seen, Service, Transit};
use super::mask::key_holds_secret;
use super::{id_path, DeployFile, Instance, Kind, Locator};
use crate::conf::catalog::Target;
use crate::facts::Value;
use crate::textfile::{mask_ranges, SourceFile};
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span;
use serde_json::Value as J;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Deepest nesting of brackets, braces, parentheses and interpolations a
/// file may have (the parser recurses on each).
pub const MAX_NESTING: usize = 64;

/// How many steps one value's evaluation may take (locals referring to locals).
const EVAL_BUDGET: u32 = 4096;
/// How deep locals may refer to each other.
const MAX_LOCAL_DEPTH: u32 = 16;

/// What the files of one directory hold for each other (variables, locals,
/// firewall rules, parameter groups), read once per directory.
#[derive(Default)]
pub struct DirCache {
    dirs: HashMap<PathBuf, Arc<DirInfo>>,
}

impl DirCache {
    fn dir(&mut self, dir: &Path) -> Arc<DirInfo> {
        self.dirs
            .entry(dir.to_path_buf())
            .or_insert_with(|| Arc::new(DirInfo::read(dir)))
            .clone()
    }
}

/// One parsed `.tf` file.
struct Parsed {
    name: String,
    /// The text as read (to tell whether a file named again is the same).
    text: Arc<str>,
    /// The text masked, for naming expressions.
    shown: Arc<str>,
    body: Body,
}

/// The values one `.tfvars` file sets (unknown: not a literal).
struct VarsFile {
    name: String,
    values: HashMap<String, Result<J, String>>,
}

#[derive(Default)]
struct DirInfo {
    tf: Vec<Parsed>,
    /// `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)`: later ones win.
    auto_vars: Vec<VarsFile>,
    /// Other `*.tfvars`: they count when they all agree.
    other_vars: Vec<VarsFile>,
    index: Index,
}

impl DirInfo {
    fn read(dir: &Path) -> DirInfo {
        let mut info = DirInfo::default();
        let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        }) else {
            return info;
        };
        let mut names: Vec<(String, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
            .filter_map(|e| Some((e.file_name().to_str()?.to_string(), e.path())))
            .filter(|(name, _)| name.ends_with(".tf") || name.ends_with(".tfvars") || name.ends_with(".tfvars.json"))
            .collect();
        names.sort();
        let mut auto = Vec::new();
        for (name, path) in names {
            let Ok(text) = crate::textfile::read_text_file(&path) else {
                continue;
            };
            if name.ends_with(".tf") {
                if let Ok((body, masks)) = parse_hcl(&text) {
                    info.tf.push(Parsed {
                        shown: Arc::from(mask_ranges(&text, &masks)),
                        text: Arc::from(text),
                        name,
                        body,
                    });
                }
                continue;
            }
            let Ok(values) = tfvars_values(&name, &text) else {
                continue;
            };
            let file = VarsFile {
                name: name.clone(),
                values,
            };
            if name == "terraform.tfvars" {
                auto.push((0, file));
            } else if name == "terraform.tfvars.json" {
                auto.push((1, file));
            } else if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") {
                auto.push((2, file));
            } else {
                info.other_vars.push(file);
            }
        }
        auto.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
        info.auto_vars = auto.into_iter().map(|(_, f)| f).collect();
        for (file, parsed) in info.tf.iter().enumerate() {
            info.index.add(file, &parsed.body);
        }
        info
    }
}

/// Where the top-level blocks of interest are: (file, position in its body).
#[derive(Default)]
struct Index {
    variables: HashMap<String, Vec<(usize, usize)>>,
    /// Each local: (file, its `locals` block, its position in the block).
    locals: HashMap<String, Vec<(usize, usize, usize)>>,
    /// Linked resources by `type.label`.
    labels: HashMap<String, Vec<(usize, usize)>>,
    /// Linked resources by `type attr=value`, for an attribute of [`LINK_ATTRS`] written as a string.
    literal_attrs: HashMap<String, Vec<(usize, usize)>>,
    /// Linked resources by `type attr`, when that attribute is an expression to evaluate.
    computed_attrs: HashMap<String, Vec<(usize, usize)>>,
}

/// The attributes other resources name a linked resource by.
const LINK_ATTRS: [&str; 4] = ["name", "user_group_id", "user_id", "redis_cache_name"];

/// The resource types one resource may link to.
const LINKED: [&str; 5] = [
    "aws_elasticache_parameter_group",
    "aws_memorydb_parameter_group",
    "aws_elasticache_user_group",
    "aws_elasticache_user",
    "azurerm_redis_firewall_rule",
];

impl Index {
    fn add(&mut self, file: usize, body: &Body) {
        for (at, structure) in body.iter().enumerate() {
            let Some(block) = structure.as_block() else { continue };
            match (block.ident.as_str(), block.labels.as_slice()) {
                ("variable", [name]) => self
                    .variables
                    .entry(name.as_str().to_string())
                    .or_default()
                    .push((file, at)),
                ("locals", _) => {
                    for (position, item) in block.body.iter().enumerate() {
                        if let Some(attr) = item.as_attribute() {
                            self.locals
                                .entry(attr.key.as_str().to_string())
                                .or_default()
                                .push((file, at, position));
                        }
                    }
                }
                ("resource", [kind, label]) if LINKED.contains(&kind.as_str()) => {
                    let kind = kind.as_str();
                    self.labels
                        .entry(format!("{kind}.{}", label.as_str()))
                        .or_default()
                        .push((file, at));
                    for attr in LINK_ATTRS {
                        let value = block.body.get_attribute(attr).map(|a| &a.value);
                        // `redis_cache_name = azurerm_redis_cache.main.name`: by the cache's label.
                        if let Some(("azurerm_redis_cache", cache)) =
                            value.and_then(value_or_ref).as_ref().map(|(k, l)| (k.as_str(), l))
                        {
                            self.labels
                                .entry(format!("{kind}->{cache}"))
                                .or_default()
                                .push((file, at));
                            continue;
                        }
                        match value {
                            Some(Expression::String(value)) => self
                                .literal_attrs
                                .entry(format!("{kind} {attr}={}", value.value()))
                                .or_default()
                                .push((file, at)),
                            Some(_) => self
                                .computed_attrs
                                .entry(format!("{kind} {attr}"))
                                .or_default()
                                .push((file, at)),
                            None => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// One file as the evaluator sees it: its masked text and body.
#[derive(Clone, Copy)]
struct Src<'a> {
    name: &'a str,
    shown: &'a str,
    body: &'a Body,
}

impl<'a> Src<'a> {
    fn block(&self, at: usize) -> Option<&'a Block> {
        self.body.get(at).and_then(Structure::as_block)
    }

    /// The written text of an expression, on one line and short (masked).
    fn text_of(&self, expr: &Expression) -> String {
        expr.span()
            .and_then(|span| self.shown.get(span))
            .map(short)
            .unwrap_or_else(|| "this expression".to_string())
    }
}

/// A text on one line, at most 80 characters.
fn short(text: &str) -> String {
    let mut out = String::new();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.chars().count() > 80 {
        out = out.chars().take(79).collect::<String>() + "…";
    }
    out
}

/// What a file sees: itself, and the other files of its directory.
struct Scope<'a> {
    own: Src<'a>,
    own_index: Index,
    dir: &'a DirInfo,
    /// The directory's copy of the file itself, which `own` replaces.
    skip: Option<usize>,
}

impl<'a> Scope<'a> {
    fn dir_src(&self, file: usize) -> Option<Src<'a>> {
        if Some(file) == self.skip {
            return None;
        }
        self.dir.tf.get(file).map(|p| Src {
            name: &p.name,
            shown: &p.shown,
            body: &p.body,
        })
    }

    /// Every top-level block a lookup names, in this file first.
    fn lookup(&self, pick: impl Fn(&Index) -> Option<&Vec<(usize, usize)>>) -> Vec<(Src<'a>, &'a Block)> {
        let mut out = Vec::new();
        for &(_, at) in pick(&self.own_index).map(Vec::as_slice).unwrap_or_default() {
            if let Some(block) = self.own.block(at) {
                out.push((self.own, block));
            }
        }
        for &(file, at) in pick(&self.dir.index).map(Vec::as_slice).unwrap_or_default() {
            if let Some(src) = self.dir_src(file) {
                if let Some(block) = src.block(at) {
                    out.push((src, block));
                }
            }
        }
        out
    }

    fn variable(&self, name: &str) -> Option<(Src<'a>, &'a Block)> {
        self.lookup(|i| i.variables.get(name)).into_iter().next()
    }

    fn local(&self, name: &str) -> Option<(Src<'a>, &'a Expression)> {
        let attribute = |src: Src<'a>, at: usize, position: usize| {
            src.block(at)
                .and_then(|block| block.body.get(position))
                .and_then(Structure::as_attribute)
                .map(|attr| (src, &attr.value))
        };
        let own = self.own_index.locals.get(name).into_iter().flatten();
        if let Some(found) = own
            .into_iter()
            .find_map(|&(_, at, position)| attribute(self.own, at, position))
        {
            return Some(found);
        }
        let dir = self.dir.index.locals.get(name).into_iter().flatten();
        dir.into_iter()
            .find_map(|&(file, at, position)| attribute(self.dir_src(file)?, at, position))
    }

    fn by_label(&self, kind: &str, label: &str) -> Option<(Src<'a>, &'a Block)> {
        let key = format!("{kind}.{label}");
        self.lookup(|i| i.labels.get(&key)).into_iter().next()
    }
}

/// Evaluates literals, `var.*` and `local.*`; everything else is unknown.
struct Eval<'s, 'a> {
    scope: &'s Scope<'a>,
    budget: Cell<u32>,
    /// Where the values of the current evaluation came from (`variable "x" default in variables.tf`).
    via: RefCell<Vec<String>>,
    /// The current evaluation read a variable or local that holds a secret.
    secret: Cell<bool>,
}

type Res = Result<J, String>;

fn not_evaluated(src: Src, expr: &Expression) -> String {
    format!("`{}` is not evaluated here", src.text_of(expr))
}

impl<'s, 'a> Eval<'s, 'a> {
    fn new(scope: &'s Scope<'a>) -> Self {
        Eval {
            scope,
            budget: Cell::new(EVAL_BUDGET),
            via: RefCell::new(Vec::new()),
            secret: Cell::new(false),
        }
    }

    /// The value of an expression used as `key`: a secret's value (a
    /// variable or local whose name holds a credential, a `sensitive`
    /// variable) is only used where a secret belongs, so it never shows
    /// as a tier or a policy.
    fn value(&self, src: Src, expr: &Expression, key: &str) -> Res {
        self.start();
        let value = self.eval(src, expr, 0);
        if self.secret.get() && !key_holds_secret(key) && value.is_ok() {
            return Err(format!(
                "`{}` holds a secret, which is not read as {key}",
                src.text_of(expr)
            ));
        }
        value
    }

    fn start(&self) {
        self.budget.set(EVAL_BUDGET);
        self.via.borrow_mut().clear();
        self.secret.set(false);
    }

    fn eval(&self, src: Src, expr: &Expression, depth: u32) -> Res {
        let left = self.budget.get();
        if left == 0 {
            return Err(format!("`{}` takes too many steps to evaluate", src.text_of(expr)));
        }
        self.budget.set(left - 1);
        match expr {
            Expression::Null(_) => Ok(J::Null),
            Expression::Bool(b) => Ok(J::Bool(*b.value())),
            Expression::Number(n) => {
                let n = n.value();
                Ok(match n.as_i64() {
                    Some(i) => J::from(i),
                    None => n
                        .as_f64()
                        .and_then(serde_json::Number::from_f64)
                        .map(J::Number)
                        .unwrap_or(J::Null),
                })
            }
            Expression::String(s) => Ok(J::String(s.value().clone())),
            Expression::StringTemplate(t) => literal_template(t).ok_or_else(|| not_evaluated(src, expr)),
            Expression::HeredocTemplate(h) => literal_template(&h.template).ok_or_else(|| not_evaluated(src, expr)),
            Expression::Parenthesis(p) => self.eval(src, p.inner(), depth),
            Expression::Array(items) => items
                .iter()
                .map(|e| self.eval(src, e, depth))
                .collect::<Result<Vec<_>, _>>()
                .map(J::Array),
            Expression::Object(object) => {
                let mut out = serde_json::Map::new();
                for (key, value) in object.iter() {
                    let key = object_key(key).ok_or_else(|| not_evaluated(src, expr))?;
                    out.insert(key, self.eval(src, value.expr(), depth)?);
                }
                Ok(J::Object(out))
            }
            Expression::UnaryOp(op) => match (op.operator.value(), self.eval(src, &op.expr, depth)?) {
                (UnaryOperator::Neg, J::Number(n)) => Ok(n
                    .as_i64()
                    .and_then(i64::checked_neg)
                    .map(J::from)
                    .or_else(|| n.as_f64().and_then(|f| serde_json::Number::from_f64(-f)).map(J::Number))
                    .unwrap_or(J::Null)),
                (UnaryOperator::Not, J::Bool(b)) => Ok(J::Bool(!b)),
                _ => Err(not_evaluated(src, expr)),
            },
            Expression::Traversal(traversal) => {
                let Expression::Variable(root) = &traversal.expr else {
                    return Err(not_evaluated(src, expr));
                };
                let mut ops = traversal.operators.iter().map(|op| op.value());
                let Some(TraversalOperator::GetAttr(name)) = ops.next() else {
                    return Err(not_evaluated(src, expr));
                };
                let mut value = match root.as_str() {
                    "var" => self.var(name.as_str())?,
                    "local" => self.local(src, expr, name.as_str(), depth)?,
                    _ => return Err(not_evaluated(src, expr)),
                };
                for op in ops {
                    value = match op {
                        TraversalOperator::GetAttr(key) => value.get(key.as_str()).cloned(),
                        TraversalOperator::LegacyIndex(i) => value.get(*i.value() as usize).cloned(),
                        TraversalOperator::Index(index) => match self.eval(src, index, depth)? {
                            J::String(key) => value.get(&key).cloned(),
                            J::Number(n) => n.as_u64().and_then(|i| value.get(i as usize).cloned()),
                            _ => None,
                        },
                        _ => None,
                    }
                    .ok_or_else(|| not_evaluated(src, expr))?;
                }
                Ok(value)
            }
            _ => Err(not_evaluated(src, expr)),
        }
    }

    fn local(&self, src: Src, expr: &Expression, name: &str, depth: u32) -> Res {
        if depth >= MAX_LOCAL_DEPTH {
            return Err(format!("`{}` refers to locals too deep to follow", src.text_of(expr)));
        }
        let Some((from, value)) = self.scope.local(name) else {
            return Err(format!("`local.{name}` is not defined in this directory"));
        };
        if key_holds_secret(name) {
            self.secret.set(true);
        }
        let result = self.eval(from, value, depth + 1);
        if result.is_ok() {
            self.via.borrow_mut().push(format!("local.{name} in {}", from.name));
        }
        result
    }

    /// `var.name`: `terraform.tfvars` and `*.auto.tfvars`, else the other
    /// `.tfvars` when they all agree, else the variable's default.
    fn var(&self, name: &str) -> Res {
        let dir = self.scope.dir;
        let sensitive = self
            .scope
            .variable(name)
            .and_then(|(_, b)| b.body.get_attribute("sensitive"))
            .is_some_and(|a| a.value.as_bool() == Some(true));
        if key_holds_secret(name) || sensitive {
            self.secret.set(true);
        }
        if let Some(file) = dir.auto_vars.iter().rev().find(|f| f.values.contains_key(name)) {
            self.via.borrow_mut().push(format!("var.{name} from {}", file.name));
            return file.values[name].clone();
        }
        let default = self.var_default(name);
        if dir.other_vars.iter().any(|f| f.values.contains_key(name)) {
            let mut seen: Vec<(String, Res)> = Vec::new();
            for file in &dir.other_vars {
                let value = file.values.get(name).cloned().unwrap_or_else(|| default.clone());
                seen.push((file.name.clone(), value));
            }
            let first = seen[0].1.clone();
            if first.is_ok() && seen.iter().all(|(_, v)| *v == first) {
                let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
                self.via
                    .borrow_mut()
                    .push(format!("var.{name} from {}", names.join(", ")));
                return first;
            }
            let setting: Vec<&str> = dir
                .other_vars
                .iter()
                .filter(|f| f.values.contains_key(name))
                .map(|f| f.name.as_str())
                .collect();
            return Err(format!(
                "`var.{name}` depends on which .tfvars file is used ({} set it; the others in this directory do not agree)",
                setting.join(", ")
            ));
        }
        default
    }

    fn var_default(&self, name: &str) -> Res {
        let Some((src, block)) = self.scope.variable(name) else {
            return Err(format!("`var.{name}` is not declared in this directory"));
        };
        let Some(default) = block.body.get_attribute("default") else {
            return Err(format!(
                "`var.{name}` has no default and no .tfvars value in this directory"
            ));
        };
        // A default refers to nothing (Terraform rejects it): literals only.
        let value = literal(src, &default.value)?;
        self.via
            .borrow_mut()
            .push(format!("variable \"{name}\" default in {}", src.name));
        Ok(value)
    }
}

/// A literal value (tfvars, variable defaults): no references.
fn literal(src: Src, expr: &Expression) -> Res {
    let empty = DirInfo::default();
    let scope = Scope {
        own: Src {
            name: src.name,
            shown: src.shown,
            body: src.body,
        },
        own_index: Index::default(),
        dir: &empty,
        skip: None,
    };
    let eval = Eval::new(&scope);
    match expr {
        Expression::Traversal(_) => Err(not_evaluated(src, expr)),
        _ => eval.eval(src, expr, MAX_LOCAL_DEPTH),
    }
}

fn literal_template(template: &Template) -> Option<J> {
    let mut out = String::new();
    for element in template.iter() {
        match element {
            Element::Literal(text) => out.push_str(text.value()),
            _ => return None,
        }
    }
    Some(J::String(out))
}

fn object_key(key: &ObjectKey) -> Option<String> {
    match key {
        ObjectKey::Ident(ident) => Some(ident.as_str().to_string()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.value().clone()),
        ObjectKey::Expression(Expression::Variable(v)) => Some(v.as_str().to_string()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Parsing and masking
// ---------------------------------------------------------------------------

/// Positions the pre-scan found: comments, and the first place nesting is too deep.
struct Scan {
    comments: Vec<Range<usize>>,
    too_deep: Option<usize>,
}

/// Walks the text as HCL tokens it needs: strings (with interpolations),
/// comments, heredocs and brackets, to reject nesting the parser would
/// recurse on too deeply and to find comments.
fn prescan(text: &str) -> Scan {
    #[derive(PartialEq)]
    enum Ctx {
        Open(u8),
        Str,
        Interp,
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<Ctx> = Vec::new();
    let mut comments = Vec::new();
    let mut at = 0;
    let mut depth = 0usize;
    while at < bytes.len() {
        let c = bytes[at];
        if stack.last() == Some(&Ctx::Str) {
            match c {
                b'\\' => at += 1,
                b'"' | b'\n' => {
                    stack.pop();
                }
                b'$' | b'%' if bytes.get(at + 1) == Some(&b'{') => {
                    if bytes.get(at.wrapping_sub(1)) == Some(&c) {
                        // `$${` is a literal `${`.
                    } else {
                        stack.push(Ctx::Interp);
                        depth += 1;
                        if depth > MAX_NESTING {
                            return Scan {
                                comments,
                                too_deep: Some(at),
                            };
                        }
                        at += 1;
                    }
                }
                _ => {}
            }
            at += 1;
            continue;
        }
        match c {
            b'"' => stack.push(Ctx::Str),
            b'#' => {
                let end = text[at..].find('\n').map_or(text.len(), |e| at + e);
                comments.push(at..end);
                at = end;
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                let end = text[at..].find('\n').map_or(text.len(), |e| at + e);
                comments.push(at..end);
                at = end;
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                let end = text[at + 2..].find("*/").map_or(text.len(), |e| at + 2 + e + 2);
                comments.push(at..end);
                at = end;
                continue;
            }
            b'<' if bytes.get(at + 1) == Some(&b'<') => {
                // A heredoc: its body runs to a line that is only its delimiter.
                let mut start = at + 2;
                if bytes.get(start) == Some(&b'-') {
                    start += 1;
                }
                let ident_len = text[start..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .unwrap_or(text.len() - start);
                let rest_of_line = text[start + ident_len..].split('\n').next().unwrap_or("");
                if ident_len > 0 && rest_of_line.trim().is_empty() {
                    let ident = &text[start..start + ident_len];
                    let mut line_start = start + ident_len + rest_of_line.len() + 1;
                    while line_start < text.len() {
                        let line = text[line_start..].split('\n').next().unwrap_or("");
                        line_start += line.len() + 1;
                        if line.trim() == ident {
                            break;
                        }
                    }
                    at = line_start.min(text.len());
                    continue;
                }
            }
            b'{' | b'[' | b'(' => {
                stack.push(Ctx::Open(match c {
                    b'{' => b'}',
                    b'[' => b']',
                    _ => b')',
                }));
                depth += 1;
                if depth > MAX_NESTING {
                    return Scan {
                        comments,
                        too_deep: Some(at),
                    };
                }
            }
            b'}' | b']' | b')' => match stack.last() {
                Some(Ctx::Open(closer)) if *closer == c => {
                    stack.pop();
                    depth -= 1;
                }
                Some(Ctx::Interp) if c == b'}' => {
                    stack.pop();
                    depth -= 1;
                }
                _ => {}
            },
            _ => {}
        }
        at += 1;
    }
    Scan {
        comments,
        too_deep: None,
    }
}

/// Where and why a text is not HCL: line, column (1-based), message.
type ParseError = (usize, usize, String);

/// Parses HCL; the error is `line:col: message`. Also returns the ranges to mask.
fn parse_hcl(text: &str) -> Result<(Body, Vec<Range<usize>>), ParseError> {
    let scan = prescan(text);
    if let Some(at) = scan.too_deep {
        let (line, column) = line_column(text, at);
        return Err((
            line,
            column,
            format!("nested deeper than {MAX_NESTING} brackets, braces or interpolations"),
        ));
    }
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        let location = e.location();
        (location.line(), location.column(), short(e.message()))
    })?;
    let mut masks = Vec::new();
    body_masks(text, &body, &mut masks);
    for comment in &scan.comments {
        comment_masks(text, comment.clone(), &mut masks);
    }
    quoted_secret_lines(text, &mut masks);
    Ok((body, masks))
}

fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

fn body_masks(text: &str, body: &Body, out: &mut Vec<Range<usize>>) {
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => expr_masks(text, &attr.value, key_holds_secret(attr.key.as_str()), out),
            Structure::Block(block) => {
                let secret_variable = block.ident.as_str() == "variable"
                    && (block.labels.first().is_some_and(|l| key_holds_secret(l.as_str()))
                        || block
                            .body
                            .get_attribute("sensitive")
                            .is_some_and(|a| a.value.as_bool() == Some(true)));
                if secret_variable {
                    if let Some(default) = block.body.get_attribute("default") {
                        expr_masks(text, &default.value, true, out);
                    }
                }
                body_masks(text, &block.body, out);
            }
        }
    }
}

/// The inside of a quoted span (`"x"` → `x`).
fn inner(text: &str, span: Range<usize>) -> Range<usize> {
    let written = text.get(span.clone()).unwrap_or("");
    if written.len() >= 2 && written.starts_with('"') && written.ends_with('"') {
        span.start + 1..span.end - 1
    } else {
        span
    }
}

/// URL passwords in a string as written (the whole string when escapes move them).
fn url_masks(text: &str, span: Range<usize>, value: &str, out: &mut Vec<Range<usize>>) {
    if !value.contains("://") {
        return;
    }
    let span = inner(text, span);
    let written = text.get(span.clone()).unwrap_or("");
    let mut found = Vec::new();
    let mut offset = 0;
    for word in written.split([' ', '\t', '\n', '"', '\'']) {
        if word.contains("://") {
            found.extend(
                crate::env::redis_url::secret_spans(word)
                    .into_iter()
                    .map(|s| span.start + offset + s.start..span.start + offset + s.end),
            );
        }
        offset += word.len() + 1;
    }
    if written != value && value.contains('@') {
        out.push(span);
    } else {
        out.extend(found);
    }
}

fn template_masks(text: &str, template: &Template, secret: bool, out: &mut Vec<Range<usize>>) {
    for element in template.iter() {
        match element {
            Element::Literal(literal) => {
                if let Some(span) = literal.span() {
                    if secret {
                        out.push(span);
                    } else {
                        url_masks(text, span.clone(), literal.value(), out);
                        // `password = x` lines inside a heredoc or string, as in a comment.
                        line_masks(text, span, out);
                    }
                }
            }
            Element::Interpolation(interpolation) => expr_masks(text, &interpolation.expr, secret, out),
            Element::Directive(directive) => match directive.as_ref() {
                Directive::If(d) => {
                    expr_masks(text, &d.if_expr.cond_expr, false, out);
                    template_masks(text, &d.if_expr.template, secret, out);
                    if let Some(other) = &d.else_expr {
                        template_masks(text, &other.template, secret, out);
                    }
                }
                Directive::For(d) => {
                    expr_masks(text, &d.for_expr.collection_expr, secret, out);
                    template_masks(text, &d.for_expr.template, secret, out);
                }
            },
        }
    }
}

/// The string literals of an expression to mask: all of them when it is a
/// secret's value, else URL passwords and the values of secret object keys.
fn expr_masks(text: &str, expr: &Expression, secret: bool, out: &mut Vec<Range<usize>>) {
    match expr {
        Expression::String(s) => {
            if let Some(span) = s.span() {
                if secret {
                    out.push(inner(text, span));
                } else {
                    url_masks(text, span.clone(), s.value(), out);
                    line_masks(text, inner(text, span), out);
                }
            }
        }
        Expression::StringTemplate(t) => {
            if secret {
                if let Some(span) = t.span() {
                    out.push(inner(text, span));
                }
            }
            template_masks(text, t, secret, out);
        }
        Expression::HeredocTemplate(h) => {
            if secret {
                // The body, between the opening line and the delimiter.
                if let Some(span) = h.span() {
                    let written = text.get(span.clone()).unwrap_or("");
                    let start = written.find('\n').map_or(span.end, |n| span.start + n + 1);
                    let end = written.trim_end().rfind('\n').map_or(span.end, |n| span.start + n);
                    if start < end {
                        out.push(start..end);
                    }
                }
            }
            template_masks(text, &h.template, secret, out);
        }
        Expression::Array(items) => {
            for item in items.iter() {
                expr_masks(text, item, secret, out);
            }
        }
        Expression::Object(object) => {
            for (key, value) in object.iter() {
                let key_secret = object_key(key).is_some_and(|k| key_holds_secret(&k));
                if let ObjectKey::Expression(key) = key {
                    expr_masks(text, key, secret, out);
                }
                expr_masks(text, value.expr(), secret || key_secret, out);
            }
        }
        Expression::Parenthesis(p) => expr_masks(text, p.inner(), secret, out),
        Expression::Conditional(c) => {
            expr_masks(text, &c.cond_expr, false, out);
            expr_masks(text, &c.true_expr, secret, out);
            expr_masks(text, &c.false_expr, secret, out);
        }
        Expression::FuncCall(call) => {
            for arg in call.args.iter() {
                expr_masks(text, arg, secret, out);
            }
        }
        Expression::Traversal(t) => {
            expr_masks(text, &t.expr, secret, out);
            for op in &t.operators {
                if let TraversalOperator::Index(index) = op.value() {
                    expr_masks(text, index, false, out);
                }
            }
        }
        Expression::UnaryOp(op) => expr_masks(text, &op.expr, secret, out),
        Expression::BinaryOp(op) => {
            expr_masks(text, &op.lhs_expr, secret, out);
            expr_masks(text, &op.rhs_expr, secret, out);
        }
        Expression::ForExpr(f) => {
            expr_masks(text, &f.intro.collection_expr, secret, out);
            if let Some(key) = &f.key_expr {
                expr_masks(text, key, secret, out);
            }
            expr_masks(text, &f.value_expr, secret, out);
        }
        Expression::Null(_) | Expression::Bool(_) | Expression::Number(_) | Expression::Variable(_) => {}
    }
}

/// Every line of the text that reads `<secret name> = "value"` (or `:`),
/// whatever the parser made of it (an attribute, a block label, a string
/// that runs over lines): the quoted value. An attribute's is masked
/// already; this catches the same text where a typo put it elsewhere.
fn quoted_secret_lines(text: &str, out: &mut Vec<Range<usize>>) {
    let mut line_start = 0;
    for line in text.split('\n') {
        let start = line_start;
        line_start += line.len() + 1;
        if !line.contains('"') || !line.contains(['=', ':']) {
            continue;
        }
        let trimmed = line.trim_start_matches(['#', '/', '*', ' ', '\t', '-', '{', ',']);
        let trimmed_at = start + (line.len() - trimmed.len());
        let Some(separator) = trimmed.find(['=', ':']) else {
            continue;
        };
        let key = trimmed[..separator].trim().trim_matches(['"', '\'']);
        if key.is_empty() || key.contains([' ', '\t']) || !key_holds_secret(key) {
            continue;
        }
        let after = &trimmed[separator + 1..];
        let value = after.trim_start();
        if !value.starts_with('"') {
            continue;
        }
        let value_at = trimmed_at + separator + 1 + (after.len() - value.len()) + 1;
        // To the closing quote, or the line's end when there is none.
        let quoted = &value[1..];
        let mut end = quoted.trim_end_matches(['\r', ' ', '\t']).len();
        let mut escaped = false;
        for (at, c) in quoted.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = at;
                    break;
                }
                _ => {}
            }
        }
        if end > 0 {
            out.push(value_at..value_at + end);
        }
    }
}

/// In a comment: `password = x`, `auth_token: x`, and URL passwords.
fn comment_masks(text: &str, comment: Range<usize>, out: &mut Vec<Range<usize>>) {
    let body = &text[comment.clone()];
    url_masks(text, comment.clone(), body, out);
    line_masks(text, comment, out);
}

/// `key = value` and `key: value` lines of a text whose key may hold a secret: the value, to the line's end.
fn line_masks(text: &str, comment: Range<usize>, out: &mut Vec<Range<usize>>) {
    let Some(body) = text.get(comment.clone()) else { return };
    // Each `key = value` or `key: value` on each line of it.
    let mut line_start = comment.start;
    for line in body.split('\n') {
        let start = line_start;
        line_start += line.len() + 1;
        let trimmed = line.trim_start_matches(['#', '/', '*', ' ', '\t', '-']);
        let trimmed_at = start + (line.len() - trimmed.len());
        let Some(separator) = trimmed.find(['=', ':']) else {
            continue;
        };
        let key = trimmed[..separator].trim().trim_matches(['"', '\'']);
        if key.is_empty() || key.contains(' ') || !key_holds_secret(key) {
            continue;
        }
        let value = trimmed[separator + 1..].trim_end_matches(['\r', ' ', '\t', '*', '/']);
        if !value.trim().is_empty() {
            out.push(trimmed_at + separator + 1..trimmed_at + separator + 1 + value.len());
        }
    }
}

/// In a JSON text: the string values under a key that may hold a secret,
/// and URL passwords in any string.
fn json_masks(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // For each open object or array: whether its values are secrets, and (objects) the last key.
    let mut stack: Vec<(bool, bool)> = Vec::new();
    let mut pending_key: Option<bool> = None;
    let mut value_secret = false;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                let start = at;
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    if bytes[at] == b'\\' {
                        at += 1;
                    }
                    at += 1;
                }
                let end = (at + 1).min(bytes.len());
                let span = start..end;
                let written = text.get(start + 1..at.min(text.len())).unwrap_or("");
                let next = text[end..].trim_start().as_bytes().first().copied();
                let in_object = stack.last().is_some_and(|(object, _)| *object);
                let inherited = stack.last().is_some_and(|(_, secret)| *secret);
                if in_object && next == Some(b':') && pending_key.is_none() {
                    let unescaped: String = serde_json::from_str(&text[span.clone()]).unwrap_or_default();
                    pending_key = Some(inherited || key_holds_secret(&unescaped));
                } else {
                    let secret = if in_object { value_secret } else { inherited };
                    if secret {
                        out.push(start + 1..at.min(text.len()));
                    } else {
                        let value: String = serde_json::from_str(&text[span.clone()]).unwrap_or_default();
                        url_masks(text, span, &value, &mut out);
                        let _ = written;
                    }
                }
            }
            b':' => {
                value_secret = pending_key.take().unwrap_or(false);
            }
            b',' => {
                pending_key = None;
                value_secret = false;
            }
            b'{' | b'[' => {
                let secret = if stack.last().is_some_and(|(o, _)| *o) {
                    value_secret
                } else {
                    stack.last().is_some_and(|(_, s)| *s)
                };
                stack.push((bytes[at] == b'{', secret));
                pending_key = None;
                value_secret = false;
            }
            b'}' | b']' => {
                stack.pop();
                value_secret = false;
            }
            _ => {}
        }
        at += 1;
    }
    out
}

/// The values a `.tfvars` or `.tfvars.json` file sets.
fn tfvars_values(name: &str, text: &str) -> Result<HashMap<String, Res>, String> {
    let mut out = HashMap::new();
    if name.ends_with(".json") {
        let value: J = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if let J::Object(map) = value {
            for (key, value) in map {
                out.insert(key, Ok(value));
            }
        }
        return Ok(out);
    }
    let (body, masks) = parse_hcl(text).map_err(|(_, _, message)| message)?;
    let shown = mask_ranges(text, &masks);
    let src = Src {
        name,
        shown: &shown,
        body: &body,
    };
    for attr in body.attributes() {
        out.insert(attr.key.as_str().to_string(), literal(src, &attr.value));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Reading a file
// ---------------------------------------------------------------------------

pub fn read(path: &Path, text: &str, target: &Target, cache: &mut DirCache) -> Result<DeployFile, String> {
    let _ = target;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
    let file = Arc::new(path.to_path_buf());
    let error = |(line, column, message): (usize, usize, String)| {
        format!("{}:{line}:{column}: not valid HCL: {message}", path.display())
    };
    if name.ends_with(".json") {
        serde_json::from_str::<J>(text).map_err(|e| {
            format!(
                "{}:{}:{}: not valid JSON: {}",
                path.display(),
                e.line(),
                e.column(),
                short(&e.to_string())
            )
        })?;
        let shown: Arc<str> = Arc::from(mask_ranges(text, &json_masks(text)));
        return Ok(deploy_file(file, shown, Vec::new()));
    }
    let (body, masks) = parse_hcl(text).map_err(error)?;
    let shown: Arc<str> = Arc::from(mask_ranges(text, &masks));
    if !name.ends_with(".tf") {
        return Ok(deploy_file(file, shown, Vec::new()));
    }
    let dir = cache.dir(path.parent().unwrap_or(Path::new(".")));
    let position = dir.tf.iter().position(|p| p.name == name);
    // The directory's copy is this file as read: its index serves for both.
    let same = position.is_some_and(|at| *dir.tf[at].text == *text);
    let mut own_index = Index::default();
    if !same {
        own_index.add(0, &body);
    }
    let own = Src {
        name: &name,
        shown: &shown,
        body: &body,
    };
    let scope = Scope {
        own,
        own_index,
        dir: &dir,
        skip: if same { None } else { position },
    };
    let locator = Locator::new(file.clone(), shown.clone());
    let source = SourceFile {
        path: file.clone(),
        text: shown.clone(),
    };
    let reader = Reader {
        eval: Eval::new(&scope),
        locator: &locator,
        source,
        id_path: id_path(path),
        shown: &shown,
        src: own,
    };
    let mut instances = Vec::new();
    for structure in body.iter() {
        let Some(block) = structure.as_block() else { continue };
        if let Some(instance) = reader.block(block) {
            instances.push(instance);
        }
    }
    Ok(deploy_file(file, shown, instances))
}

fn deploy_file(path: Arc<PathBuf>, shown: Arc<str>, instances: Vec<Instance>) -> DeployFile {
    DeployFile {
        kind: Kind::Terraform,
        source: SourceFile { path, text: shown },
        instances,
        extra_sources: Vec::new(),
        unlinked_env: Vec::new(),
    }
}

/// A file read that defines no instance.
pub fn empty(path: &Path, _text: &str, kind: super::Kind) -> DeployFile {
    DeployFile {
        kind,
        source: SourceFile {
            path: Arc::new(path.to_path_buf()),
            text: Arc::from(""),
        },
        instances: Vec::new(),
        extra_sources: Vec::new(),
        unlinked_env: Vec::new(),
    }
}

struct Reader<'r, 's, 'a> {
    eval: Eval<'s, 'a>,
    locator: &'r Locator,
    source: SourceFile,
    id_path: String,
    shown: &'r str,
    src: Src<'a>,
}

/// One setting as the file writes it.
struct Setting {
    key: String,
    /// None: not written (or `null`), the default applies.
    value: Option<Res>,
    /// The attribute, or the resource's first line when not written.
    at: Range<usize>,
    /// The value's own span (a password literal's, for masking and `requirepass`).
    value_at: Range<usize>,
    /// `key = expression`, and where a variable's value came from.
    written: String,
    /// The value is a string literal written here.
    literal: bool,
}

impl Setting {
    fn is_set(&self) -> bool {
        self.value.is_some()
    }

    /// Where a password this setting gives is: the literal (masked), or,
    /// for one from a variable, the attribute's start (its text is no
    /// secret, so nothing downstream masks it again).
    fn secret_at(&self) -> Range<usize> {
        if self.literal {
            self.value_at.clone()
        } else {
            self.at.start..self.at.start
        }
    }

    fn says(&self, default: &str) -> String {
        match &self.value {
            None => format!("{} is not set (default {default})", self.key),
            Some(_) => self.written.clone(),
        }
    }

    fn bool(&self, default: bool) -> Seen<bool> {
        match &self.value {
            None => Seen::Known(default),
            Some(Ok(J::Bool(b))) => Seen::Known(*b),
            Some(Ok(J::String(s))) if s == "true" || s == "false" => Seen::Known(s == "true"),
            Some(Ok(other)) => Seen::Unknown(format!("{} is {other}, not a boolean", self.key)),
            Some(Err(reason)) => Seen::Unknown(reason.clone()),
        }
    }

    fn str(&self, default: &str) -> Seen<String> {
        self.opt_str().unwrap_or_else(|| Seen::Known(default.to_string()))
    }

    fn opt_str(&self) -> Option<Seen<String>> {
        Some(match self.value.as_ref()? {
            Ok(J::String(s)) => Seen::Known(s.clone()),
            Ok(J::Number(n)) => Seen::Known(n.to_string()),
            Ok(J::Bool(b)) => Seen::Known(b.to_string()),
            Ok(other) => Seen::Unknown(format!("{} is {other}, not a string", self.key)),
            Err(reason) => Seen::Unknown(reason.clone()),
        })
    }

    fn int(&self, default: i64) -> Seen<i64> {
        match &self.value {
            None => Seen::Known(default),
            Some(Ok(J::Number(n))) if n.as_i64().is_some() => Seen::Known(n.as_i64().unwrap_or(default)),
            Some(Ok(J::String(s))) if s.trim().parse::<i64>().is_ok() => {
                Seen::Known(s.trim().parse().unwrap_or(default))
            }
            Some(Ok(other)) => Seen::Unknown(format!("{} is {other}, not a number", self.key)),
            Some(Err(reason)) => Seen::Unknown(reason.clone()),
        }
    }
}

fn map<T, U>(seen: Seen<T>, f: impl FnOnce(T) -> U) -> Seen<U> {
    match seen {
        Seen::Known(t) => Seen::Known(f(t)),
        Seen::Unknown(reason) => Seen::Unknown(reason),
    }
}

/// The string literals of a module argument, by the key they are written
/// under (`replication_group = { node_type = "cache.t3.micro" }` → `node_type`).
fn module_strings<'e>(key: &str, expr: &'e Expression, depth: usize, out: &mut Vec<(String, &'e str, Range<usize>)>) {
    match expr {
        Expression::String(s) => out.push((key.to_string(), s.value().as_str(), span_of(s))),
        Expression::Object(object) if depth < 4 => {
            for (k, v) in object.iter() {
                if let Some(k) = object_key(k) {
                    module_strings(&k, v.expr(), depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

/// A nested block as written.
enum Sub<'b> {
    Absent,
    Static(&'b Block),
    /// `dynamic "x" { … }`: not evaluated.
    Dynamic(&'b Block),
}

fn sub_block<'b>(body: &'b Body, name: &str) -> Sub<'b> {
    if let Some(block) = body.blocks().find(|b| b.ident.as_str() == name) {
        return Sub::Static(block);
    }
    match body
        .blocks()
        .find(|b| b.ident.as_str() == "dynamic" && b.labels.first().is_some_and(|l| l.as_str() == name))
    {
        Some(block) => Sub::Dynamic(block),
        None => Sub::Absent,
    }
}

fn span_of(item: &impl Span) -> Range<usize> {
    item.span().unwrap_or(0..0)
}

/// The value of `name = …` or the literal it names, for linking resources by name.
fn value_or_ref(expr: &Expression) -> Option<(String, String)> {
    // `aws_elasticache_parameter_group.x.name` → ("aws_elasticache_parameter_group", "x").
    let Expression::Traversal(t) = expr else { return None };
    let Expression::Variable(kind) = &t.expr else {
        return None;
    };
    match t.operators.first().map(|op| op.value()) {
        Some(TraversalOperator::GetAttr(name)) => Some((kind.as_str().to_string(), name.as_str().to_string())),
        _ => None,
    }
}

const MODULE_HINTS: [&str; 7] = [
    "elasticache",
    "memorydb",
    "memorystore",
    "redis-cloud",
    "rediscloud",
    "azurerm-redis",
    "redis",
];

struct Ctx<'m> {
    m: Managed<'m>,
    body: &'m Body,
    header: Range<usize>,
}

impl<'r, 's, 'a> Reader<'r, 's, 'a> {
    fn block(&self, block: &'a Block) -> Option<Instance> {
        match (block.ident.as_str(), block.labels.as_slice()) {
            ("resource", [kind, name]) => self.resource(block, kind.as_str(), name.as_str()),
            ("module", [name]) => self.module(block, name.as_str()),
            _ => None,
        }
    }

    /// The resource's first line.
    fn header(&self, block: &Block) -> Range<usize> {
        let start = span_of(&block.ident).start;
        let line = self.shown[start.min(self.shown.len())..]
            .split('\n')
            .next()
            .unwrap_or("");
        start..start + line.trim_end().len()
    }

    fn setting(&self, body: &Body, key: &str, shown_key: &str, header: &Range<usize>) -> Setting {
        let not_set = || Setting {
            key: shown_key.to_string(),
            value: None,
            at: header.clone(),
            value_at: header.start..header.start,
            written: String::new(),
            literal: false,
        };
        let Some(attr) = body.get_attribute(key) else {
            return not_set();
        };
        let value = self.eval.value(self.src, &attr.value, key);
        if value == Ok(J::Null) {
            return not_set();
        }
        let value_at = span_of(&attr.value);
        let at = span_of(&attr.key).start..value_at.end;
        // A string's value is inside its quotes (what masking covers).
        let value_at = match attr.value {
            Expression::String(_) => inner(self.shown, value_at),
            _ => value_at,
        };
        let mut written = format!("{shown_key} = {}", self.src.text_of(&attr.value));
        let via = self.eval.via.borrow();
        if !via.is_empty() {
            let secret = key_holds_secret(key);
            let shown_value = match &value {
                Ok(J::String(s)) if !secret => format!(": \"{}\"", short(s)),
                Ok(v @ (J::Bool(_) | J::Number(_))) => format!(": {v}"),
                _ => String::new(),
            };
            written.push_str(&format!(" ({}{shown_value})", via.join(", ")));
        }
        Setting {
            key: shown_key.to_string(),
            literal: matches!(attr.value, Expression::String(_)),
            value: Some(value),
            at,
            value_at,
            written,
        }
    }

    /// A setting inside a nested block (`persistence_config.persistence_mode`).
    fn sub_setting(&self, body: &Body, block: &str, key: &str, header: &Range<usize>) -> Setting {
        let shown_key = format!("{block}.{key}");
        match sub_block(body, block) {
            Sub::Static(b) => self.setting(&b.body, key, &shown_key, header),
            Sub::Absent => self.setting(&Body::new(), key, &shown_key, header),
            Sub::Dynamic(b) => {
                let at = self.header(b);
                Setting {
                    key: shown_key.clone(),
                    value: Some(Err(format!("`dynamic \"{block}\"` blocks are not evaluated here"))),
                    value_at: at.clone(),
                    at,
                    written: format!("{shown_key} is set in a `dynamic \"{block}\"` block"),
                    literal: false,
                }
            }
        }
    }

    fn resource(&self, block: &'a Block, kind: &str, name: &str) -> Option<Instance> {
        let service = match kind {
            "google_redis_instance" | "google_redis_cluster" => Service::Memorystore,
            "aws_elasticache_replication_group" | "aws_elasticache_cluster" => Service::ElastiCache,
            "aws_memorydb_cluster" => Service::MemoryDb,
            "azurerm_redis_cache" => Service::AzureCache,
            "rediscloud_subscription_database" | "rediscloud_active_active_subscription_database" => {
                Service::RedisCloud
            }
            _ => return None,
        };
        let header = self.header(block);
        let body = &block.body;
        if kind == "aws_elasticache_cluster" {
            // Memcached is not Redis; a member of a replication group is judged on its group.
            let engine = self.setting(body, "engine", "engine", &header);
            if matches!(engine.opt_str(), Some(Seen::Known(e)) if e.eq_ignore_ascii_case("memcached")) {
                return None;
            }
            if self
                .setting(body, "replication_group_id", "replication_group_id", &header)
                .is_set()
            {
                return None;
            }
        }
        let resource = format!("{kind}.{name}");
        let m = Managed::new(
            service,
            Kind::Terraform,
            self.locator,
            self.source.clone(),
            format!("terraform:{}#{resource}", self.id_path),
            &resource,
            header.clone(),
        );
        let mut ctx = Ctx { m, body, header };
        match kind {
            "google_redis_instance" => self.memorystore(&mut ctx),
            "google_redis_cluster" => self.memorystore_cluster(&mut ctx),
            "aws_elasticache_replication_group" => self.replication_group(&mut ctx),
            "aws_elasticache_cluster" => self.cache_cluster(&mut ctx),
            "aws_memorydb_cluster" => self.memorydb(&mut ctx),
            "azurerm_redis_cache" => self.azure(&mut ctx, name),
            "rediscloud_subscription_database" => self.redis_cloud(&mut ctx, ""),
            _ => self.redis_cloud(&mut ctx, "global_"),
        }
        Some(ctx.m.finish(Vec::new()))
    }

    fn get(&self, ctx: &Ctx, key: &str) -> Setting {
        self.setting(ctx.body, key, key, &ctx.header)
    }

    fn get_sub(&self, ctx: &Ctx, block: &str, key: &str) -> Setting {
        self.sub_setting(ctx.body, block, key, &ctx.header)
    }

    /// `managed.engine_version` and `deploy.version` from a version attribute.
    fn version(&self, ctx: &mut Ctx, key: &str, default: &str) {
        let s = self.get(ctx, key);
        ctx.m.says("version", s.says(default), s.at.clone());
        if let Some(seen) = s.opt_str() {
            if let Seen::Known(version) = &seen {
                if let Some(line) = managed::release_line(version) {
                    ctx.m.fact("deploy.version", Value::Str(line), s.at.clone());
                }
            }
            ctx.m
                .seen_fact("managed.engine_version", seen, s.at.clone(), Value::Str);
        }
    }

    fn tier(&self, ctx: &mut Ctx, s: &Setting, default: &str) {
        let seen = s.str(default);
        ctx.m.seen_fact("managed.tier", seen, s.at.clone(), Value::Str);
    }

    /// Failover from a replica count attribute: a replica is what takes over.
    fn replica_count(&self, ctx: &mut Ctx, attribute: &str, default: i64) {
        let replicas = self.get(ctx, attribute);
        ctx.m
            .says("failover", replicas.says(&default.to_string()), replicas.at.clone());
        ctx.m.seen_fact(
            "managed.failover",
            map(replicas.int(default), |r| r > 0),
            replicas.at.clone(),
            Value::Bool,
        );
        ctx.m.seen_fact(
            "managed.replicas",
            replicas.int(default),
            replicas.at.clone(),
            Value::Int,
        );
    }

    fn backup(&self, ctx: &mut Ctx, s: &Setting, default: &str) {
        let seen = s.int(0);
        ctx.m.says("backup", s.says(default), s.at.clone());
        ctx.m.seen_fact(
            "managed.backup",
            map(seen.clone(), |d| d > 0),
            s.at.clone(),
            Value::Bool,
        );
        ctx.m
            .seen_fact("managed.backup_retention_days", seen, s.at.clone(), Value::Int);
    }

    fn not_public(&self, ctx: &mut Ctx, says: &str) {
        let header = ctx.header.clone();
        ctx.m.fact("managed.public", Value::Bool(false), header.clone());
        ctx.m.says("public", says, header);
    }

    fn at_rest_always(&self, ctx: &mut Ctx, says: String, at: Range<usize>) {
        ctx.m.fact("managed.encryption_at_rest", Value::Bool(true), at.clone());
        ctx.m.says("at_rest", says, at);
    }

    fn memory_gb(&self, ctx: &mut Ctx, s: &Setting) {
        if let Some(seen) = s.opt_str() {
            ctx.m
                .config_line("maxmemory", map(seen, |gb| format!("{gb}gb")), s.at.clone());
        }
    }

    /// `maxmemory-policy` from a `redis_configs`-like map attribute.
    fn configs_map(&self, ctx: &mut Ctx, key: &str, default_policy: &str) {
        let header = ctx.header.clone();
        let mut eviction = None;
        if let Some(attr) = ctx.body.get_attribute(key) {
            let at = span_of(&attr.key).start..span_of(&attr.value).end;
            match &attr.value {
                Expression::Object(object) => {
                    for (k, v) in object.iter() {
                        let Some(name) = object_key(k) else { continue };
                        let value = self.eval.value(self.src, v.expr(), &name);
                        let entry_at = span_of(k).start..span_of(v.expr()).end;
                        let seen = match value {
                            Ok(J::String(s)) => Seen::Known(s),
                            Ok(J::Null) => continue,
                            Ok(other) => Seen::Known(other.to_string()),
                            Err(reason) => Seen::Unknown(reason),
                        };
                        if name == "maxmemory-policy" {
                            let text = format!("{key}[\"maxmemory-policy\"] = {}", self.src.text_of(v.expr()));
                            eviction = Some((seen, entry_at, text));
                        } else if !key_holds_secret(&name) {
                            ctx.m.config_line(&name, seen, entry_at);
                        }
                    }
                }
                other => match self.eval.value(self.src, other, key) {
                    Ok(J::Object(map)) => {
                        if let Some(policy) = map.get("maxmemory-policy") {
                            let seen = Seen::Known(policy.as_str().map(str::to_string).unwrap_or(policy.to_string()));
                            eviction = Some((seen, at.clone(), format!("{key} = {}", self.src.text_of(other))));
                        }
                    }
                    Ok(J::Null) => {}
                    Ok(_) => {}
                    Err(reason) => {
                        eviction = Some((
                            Seen::Unknown(reason),
                            at.clone(),
                            format!("{key} = {}", self.src.text_of(other)),
                        ))
                    }
                },
            }
        }
        let (seen, at, text) = eviction.unwrap_or_else(|| {
            (
                Seen::Known(default_policy.to_string()),
                header,
                format!("{key} has no maxmemory-policy (default {default_policy})"),
            )
        });
        ctx.m.says("eviction", text, at.clone());
        ctx.m.eviction(seen, at);
    }

    fn memorystore(&self, ctx: &mut Ctx) {
        let tier = self.get(ctx, "tier");
        self.tier(ctx, &tier, "BASIC");
        let ha = map(tier.str("BASIC"), |t| t.eq_ignore_ascii_case("STANDARD_HA"));
        ctx.m.says("failover", tier.says("BASIC"), tier.at.clone());
        ctx.m
            .seen_fact("managed.failover", ha.clone(), tier.at.clone(), Value::Bool);
        let replicas = self.get(ctx, "replica_count");
        let count = if replicas.is_set() {
            replicas.int(0)
        } else {
            map(ha, |ha| if ha { 1 } else { 0 })
        };
        let at = if replicas.is_set() {
            replicas.at.clone()
        } else {
            tier.at.clone()
        };
        ctx.m.seen_fact("managed.replicas", count, at, Value::Int);

        let auth = self.get(ctx, "auth_enabled");
        ctx.m.says("auth", auth.says("false"), auth.at.clone());
        ctx.m.auth(
            map(auth.bool(false), |on| {
                if on {
                    Auth::Managed("the AUTH string Memorystore generates".into())
                } else {
                    Auth::Off
                }
            }),
            auth.at.clone(),
        );

        let transit = self.get(ctx, "transit_encryption_mode");
        ctx.m.says("tls", transit.says("DISABLED"), transit.at.clone());
        let seen = match transit.str("DISABLED") {
            Seen::Known(mode) => match mode.to_ascii_uppercase().as_str() {
                "DISABLED" | "TRANSIT_ENCRYPTION_MODE_UNSPECIFIED" => Seen::Known(Transit::Off),
                "SERVER_AUTHENTICATION" => Seen::Known(Transit::On),
                other => Seen::Unknown(format!(
                    "transit_encryption_mode \"{other}\" is not a mode this tool knows"
                )),
            },
            Seen::Unknown(reason) => Seen::Unknown(reason),
        };
        ctx.m.transit(seen, transit.at.clone());

        self.configs_map(ctx, "redis_configs", "volatile-lru");
        let memory = self.get(ctx, "memory_size_gb");
        self.memory_gb(ctx, &memory);

        let mode = self.get_sub(ctx, "persistence_config", "persistence_mode");
        let period = self.get_sub(ctx, "persistence_config", "rdb_snapshot_period");
        let mut says = mode.says("DISABLED: no persistence");
        if period.is_set() {
            says = format!("{says}; {}", period.written);
        }
        ctx.m.says("backup", says, mode.at.clone());
        let backup = match mode.str("DISABLED") {
            Seen::Known(mode) => match mode.to_ascii_uppercase().as_str() {
                "RDB" | "AOF" => Seen::Known(true),
                "DISABLED" | "PERSISTENCE_MODE_UNSPECIFIED" => Seen::Known(false),
                other => Seen::Unknown(format!("persistence_mode \"{other}\" is not a mode this tool knows")),
            },
            Seen::Unknown(reason) => Seen::Unknown(reason),
        };
        ctx.m.seen_fact("managed.backup", backup, mode.at.clone(), Value::Bool);

        self.version(ctx, "redis_version", "the service's current default");

        let network = self.get(ctx, "authorized_network");
        let says = if network.is_set() {
            format!("private IP only, on {}", network.written)
        } else {
            "private IP only; authorized_network is not set (the project's default network)".to_string()
        };
        ctx.m.fact("managed.public", Value::Bool(false), network.at.clone());
        ctx.m.says("public", says, network.at.clone());

        let key = self.get(ctx, "customer_managed_key");
        let says = if key.is_set() {
            format!("Google encrypts data at rest, with {}", key.written)
        } else {
            "Google encrypts data at rest (customer_managed_key is not set: a Google-managed key)".to_string()
        };
        self.at_rest_always(ctx, says, key.at.clone());
    }

    fn memorystore_cluster(&self, ctx: &mut Ctx) {
        let node = self.get(ctx, "node_type");
        if node.is_set() {
            self.tier(ctx, &node, "");
        }
        self.replica_count(ctx, "replica_count", 0);

        let auth = self.get(ctx, "authorization_mode");
        ctx.m.says("auth", auth.says("AUTH_MODE_DISABLED"), auth.at.clone());
        let seen = match auth.str("AUTH_MODE_DISABLED") {
            Seen::Known(mode) if mode == "AUTH_MODE_DISABLED" => Seen::Known(Auth::Off),
            Seen::Known(mode) if mode == "AUTH_MODE_IAM_AUTH" => {
                Seen::Known(Auth::Managed("IAM authentication".into()))
            }
            Seen::Known(mode) => Seen::Unknown(format!("authorization_mode \"{mode}\" is not a mode this tool knows")),
            Seen::Unknown(reason) => Seen::Unknown(reason),
        };
        ctx.m.auth(seen, auth.at.clone());

        let transit = self.get(ctx, "transit_encryption_mode");
        ctx.m.says(
            "tls",
            transit.says("TRANSIT_ENCRYPTION_MODE_DISABLED"),
            transit.at.clone(),
        );
        let seen = match transit.str("TRANSIT_ENCRYPTION_MODE_DISABLED") {
            Seen::Known(mode) if mode == "TRANSIT_ENCRYPTION_MODE_DISABLED" => Seen::Known(Transit::Off),
            Seen::Known(mode) if mode == "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION" => Seen::Known(Transit::On),
            Seen::Known(mode) => Seen::Unknown(format!(
                "transit_encryption_mode \"{mode}\" is not a mode this tool knows"
            )),
            Seen::Unknown(reason) => Seen::Unknown(reason),
        };
        ctx.m.transit(seen, transit.at.clone());

        self.configs_map(ctx, "redis_configs", "volatile-lru");
        let mode = self.get_sub(ctx, "persistence_config", "mode");
        ctx.m.says("backup", mode.says("DISABLED"), mode.at.clone());
        let backup = match mode.str("DISABLED") {
            Seen::Known(m) => match m.to_ascii_uppercase().as_str() {
                "RDB" | "AOF" => Seen::Known(true),
                "DISABLED" | "PERSISTENCE_MODE_UNSPECIFIED" => Seen::Known(false),
                other => Seen::Unknown(format!(
                    "persistence_config.mode \"{other}\" is not a mode this tool knows"
                )),
            },
            Seen::Unknown(reason) => Seen::Unknown(reason),
        };
        ctx.m.seen_fact("managed.backup", backup, mode.at.clone(), Value::Bool);
        self.not_public(ctx, "private endpoints only (Private Service Connect)");
        let header = ctx.header.clone();
        self.at_rest_always(ctx, "Google encrypts data at rest".into(), header);
    }

    fn replication_group(&self, ctx: &mut Ctx) {
        let engine = self.get(ctx, "engine");
        let valkey = map(engine.str("redis"), |e| e.eq_ignore_ascii_case("valkey"));

        let enabled = self.get(ctx, "transit_encryption_enabled");
        let mode = self.get(ctx, "transit_encryption_mode");
        let mut says = enabled.says("false");
        if mode.is_set() {
            says = format!("{says}; {}", mode.written);
        }
        let at = if mode.is_set() {
            mode.at.clone()
        } else {
            enabled.at.clone()
        };
        ctx.m.says("tls", says, at.clone());
        let seen = match enabled.bool(false) {
            Seen::Known(false) => Seen::Known(Transit::Off),
            Seen::Known(true) => match mode.str("required") {
                Seen::Known(m) if m.eq_ignore_ascii_case("preferred") => Seen::Known(Transit::Both),
                Seen::Known(m) if m.eq_ignore_ascii_case("required") => Seen::Known(Transit::On),
                Seen::Known(m) => {
                    Seen::Unknown(format!("transit_encryption_mode \"{m}\" is not a mode this tool knows"))
                }
                Seen::Unknown(reason) => Seen::Unknown(reason),
            },
            Seen::Unknown(reason) => Seen::Unknown(reason),
        };
        ctx.m.transit(
            seen,
            if matches!(enabled.bool(false), Seen::Known(false)) {
                enabled.at.clone()
            } else {
                at
            },
        );

        self.elasticache_auth(ctx);

        let rest = self.get(ctx, "at_rest_encryption_enabled");
        let default_rest = matches!(valkey, Seen::Known(true));
        let default_text = if default_rest { "true for valkey" } else { "false" };
        ctx.m.says("at_rest", rest.says(default_text), rest.at.clone());
        let seen = if rest.is_set() {
            rest.bool(false)
        } else {
            match &valkey {
                Seen::Known(v) => Seen::Known(*v),
                Seen::Unknown(reason) => Seen::Unknown(reason.clone()),
            }
        };
        ctx.m
            .seen_fact("managed.encryption_at_rest", seen, rest.at.clone(), Value::Bool);

        let failover = self.get(ctx, "automatic_failover_enabled");
        let multi_az = self.get(ctx, "multi_az_enabled");
        let clusters = {
            let s = self.get(ctx, "num_cache_clusters");
            if s.is_set() {
                s
            } else {
                self.get(ctx, "number_cache_clusters")
            }
        };
        let per_group = self.get(ctx, "replicas_per_node_group");
        let replicas = if per_group.is_set() {
            (per_group.int(0), per_group.at.clone())
        } else {
            (
                map(clusters.int(1), |n| n.saturating_sub(1).max(0)),
                clusters.at.clone(),
            )
        };
        let mut says = failover.says("false");
        if multi_az.is_set() {
            says = format!("{says}; {}", multi_az.written);
        }
        if clusters.is_set() {
            says = format!("{says}; {}", clusters.written);
        }
        ctx.m.says("failover", says, failover.at.clone());
        let seen = match (failover.bool(false), &replicas.0) {
            (Seen::Known(true), Seen::Known(0)) => Seen::Known(false),
            (other, _) => other,
        };
        ctx.m
            .seen_fact("managed.failover", seen, failover.at.clone(), Value::Bool);
        ctx.m.seen_fact("managed.replicas", replicas.0, replicas.1, Value::Int);

        let snapshots = self.get(ctx, "snapshot_retention_limit");
        self.backup(ctx, &snapshots, "0: no automatic snapshots");
        self.parameter_group(ctx, "aws_elasticache_parameter_group", "volatile-lru");
        let node = self.get(ctx, "node_type");
        if node.is_set() {
            self.tier(ctx, &node, "");
        }
        self.version(ctx, "engine_version", "the latest the provider picks");
        self.not_public(ctx, "ElastiCache endpoints are reachable only inside the VPC");
    }

    /// `auth_token`, else `user_group_ids`, else no AUTH.
    fn elasticache_auth(&self, ctx: &mut Ctx) {
        let token = self.get(ctx, "auth_token");
        match &token.value {
            Some(Ok(J::String(s))) if !s.is_empty() => {
                let at = token.secret_at();
                ctx.m.says("auth", token.written.clone(), token.at.clone());
                ctx.m.auth(Seen::Known(Auth::Literal(s.clone())), at);
                return;
            }
            Some(Ok(J::String(_))) | None => {}
            Some(Ok(other)) => {
                let reason = format!("auth_token is {other}, not a string");
                ctx.m.says("auth", token.written.clone(), token.at.clone());
                ctx.m.auth(Seen::Unknown(reason), token.at.clone());
                return;
            }
            Some(Err(reason)) => {
                ctx.m.says("auth", token.written.clone(), token.at.clone());
                ctx.m.auth(Seen::Unknown(reason.clone()), token.at.clone());
                return;
            }
        }
        let groups = ctx.body.get_attribute("user_group_ids");
        let Some(groups) = groups.filter(|g| !g.value.is_null()) else {
            ctx.m.says(
                "auth",
                "auth_token and user_group_ids are not set (default no AUTH)",
                token.at.clone(),
            );
            ctx.m.auth(Seen::Known(Auth::Off), token.at.clone());
            return;
        };
        let at = span_of(&groups.key).start..span_of(&groups.value).end;
        let says = format!("user_group_ids = {}", self.src.text_of(&groups.value));
        ctx.m.says("auth", says, at.clone());
        let seen = self.user_groups(&groups.value);
        ctx.m.auth(seen, at);
    }

    /// What the user groups of `user_group_ids` let in.
    fn user_groups(&self, expr: &Expression) -> Seen<Auth> {
        let items: Vec<&Expression> = match expr {
            Expression::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        let mut names = Vec::new();
        for item in items {
            let group = match value_or_ref(item) {
                Some((kind, label)) if kind == "aws_elasticache_user_group" => {
                    self.find_by_label("aws_elasticache_user_group", &label)
                }
                _ => match self.eval.value(self.src, item, "") {
                    Ok(J::String(id)) => {
                        let found = self.find_by_attr("aws_elasticache_user_group", "user_group_id", &id);
                        if found.is_none() {
                            names.push(format!("user group {id}"));
                        }
                        found
                    }
                    Ok(J::Array(ids)) => {
                        names.extend(
                            ids.iter()
                                .map(|id| format!("user group {}", id.as_str().unwrap_or("?"))),
                        );
                        None
                    }
                    Ok(_) => None,
                    Err(reason) => return Seen::Unknown(reason),
                },
            };
            let Some((src, block)) = group else {
                if value_or_ref(item).is_some_and(|(kind, _)| kind == "aws_elasticache_user_group") {
                    return Seen::Unknown(format!("`{}` is not defined in this directory", self.src.text_of(item)));
                }
                continue;
            };
            let label = block.labels.get(1).map(|l| l.as_str()).unwrap_or("");
            if self.group_has_open_default(src, block) {
                return Seen::Known(Auth::Off);
            }
            names.push(format!("user group aws_elasticache_user_group.{label}"));
        }
        if names.is_empty() {
            return Seen::Unknown("user_group_ids names no user group".into());
        }
        Seen::Known(Auth::Managed(names.join(", ")))
    }

    fn find_by_label(&self, kind: &str, label: &str) -> Option<(Src<'a>, &'a Block)> {
        self.eval.scope.by_label(kind, label)
    }

    /// The resource of a type whose `attr` evaluates to `value`: one that
    /// writes it as a string, else one whose expression evaluates to it.
    fn find_by_attr(&self, kind: &str, attr: &str, value: &str) -> Option<(Src<'a>, &'a Block)> {
        let scope = self.eval.scope;
        let literal = format!("{kind} {attr}={value}");
        if let Some(found) = scope.lookup(|i| i.literal_attrs.get(&literal)).into_iter().next() {
            return Some(found);
        }
        let computed = format!("{kind} {attr}");
        scope
            .lookup(|i| i.computed_attrs.get(&computed))
            .into_iter()
            .find(|(src, block)| {
                block
                    .body
                    .get_attribute(attr)
                    .is_some_and(|a| self.eval.value(*src, &a.value, "") == Ok(J::String(value.to_string())))
            })
    }

    /// Whether a user group holds the `default` user with no password.
    fn group_has_open_default(&self, src: Src<'a>, group: &Block) -> bool {
        let Some(users) = group.body.get_attribute("user_ids") else {
            return false;
        };
        let items: Vec<&Expression> = match &users.value {
            Expression::Array(items) => items.iter().collect(),
            _ => return false,
        };
        for item in items {
            let user = match value_or_ref(item) {
                Some((kind, label)) if kind == "aws_elasticache_user" => {
                    self.find_by_label("aws_elasticache_user", &label)
                }
                _ => match self.eval.value(src, item, "") {
                    Ok(J::String(id)) => self.find_by_attr("aws_elasticache_user", "user_id", &id),
                    _ => None,
                },
            };
            let Some((user_src, user)) = user else { continue };
            let get = |key: &str| {
                user.body
                    .get_attribute(key)
                    .and_then(|a| self.eval.value(user_src, &a.value, "").ok())
            };
            if get("user_name") != Some(J::String("default".into())) {
                continue;
            }
            let no_password = get("no_password_required") == Some(J::Bool(true))
                || user.body.get_blocks("authentication_mode").any(|b| {
                    b.body.get_attribute("type").is_some_and(|a| {
                        self.eval.value(user_src, &a.value, "") == Ok(J::String("no-password-required".into()))
                    })
                });
            if no_password {
                return true;
            }
        }
        false
    }

    /// `parameter_group_name` → the linked group's `maxmemory-policy`.
    fn parameter_group(&self, ctx: &mut Ctx, kind: &str, default_policy: &str) {
        let s = self.get(ctx, "parameter_group_name");
        let attr = ctx.body.get_attribute("parameter_group_name");
        let (seen, says) = 'found: {
            let Some(attr) = attr.filter(|_| s.is_set()) else {
                break 'found (
                    Seen::Known(default_policy.to_string()),
                    format!("parameter_group_name is not set (the default group: maxmemory-policy {default_policy})"),
                );
            };
            let group = match value_or_ref(&attr.value) {
                Some((k, label)) if k == kind => self.find_by_label(kind, &label),
                _ => match s.str("") {
                    Seen::Known(name) if name.starts_with("default.") => {
                        break 'found (
                            Seen::Known(default_policy.to_string()),
                            format!("{} (a default group: maxmemory-policy {default_policy})", s.written),
                        )
                    }
                    Seen::Known(name) => self.find_by_attr(kind, "name", &name),
                    Seen::Unknown(reason) => break 'found (Seen::Unknown(reason), s.written.clone()),
                },
            };
            let Some((src, group)) = group else {
                break 'found (
                    Seen::Unknown(format!(
                        "parameter group `{}` is not defined in this directory",
                        self.src.text_of(&attr.value)
                    )),
                    s.written.clone(),
                );
            };
            let label = group.labels.get(1).map(|l| l.as_str()).unwrap_or("");
            let mut found = None;
            for parameter in group.body.get_blocks("parameter") {
                let get = |key: &str| {
                    parameter
                        .body
                        .get_attribute(key)
                        .map(|a| self.eval.value(src, &a.value, ""))
                };
                match get("name") {
                    Some(Ok(J::String(n))) if n == "maxmemory-policy" => {}
                    Some(Err(reason)) => found = Some(Seen::Unknown(reason)),
                    _ => continue,
                }
                if found.is_some() {
                    continue;
                }
                found = Some(match get("value") {
                    Some(Ok(J::String(v))) => Seen::Known(v),
                    Some(Ok(other)) => Seen::Known(other.to_string()),
                    Some(Err(reason)) => Seen::Unknown(reason),
                    None => Seen::Unknown("the maxmemory-policy parameter has no value".into()),
                });
            }
            let dynamic = group
                .body
                .get_blocks("dynamic")
                .any(|b| b.labels.first().is_some_and(|l| l.as_str() == "parameter"));
            let seen = match found {
                Some(seen) => seen,
                None if dynamic => Seen::Unknown(format!(
                    "{kind}.{label} sets its parameters in a `dynamic \"parameter\"` block, which is not evaluated here"
                )),
                None => Seen::Known(default_policy.to_string()),
            };
            let shown = match &seen {
                Seen::Known(v) => format!("maxmemory-policy {v}"),
                Seen::Unknown(_) => "maxmemory-policy not evaluated".into(),
            };
            (seen, format!("{} ({kind}.{label} in {}: {shown})", s.written, src.name))
        };
        ctx.m.says("eviction", says, s.at.clone());
        ctx.m.eviction(seen, s.at.clone());
    }

    fn cache_cluster(&self, ctx: &mut Ctx) {
        let header = ctx.header.clone();
        ctx.m.says(
            "tls",
            "aws_elasticache_cluster has no in-transit encryption for Redis",
            header.clone(),
        );
        ctx.m.transit(Seen::Known(Transit::Off), header.clone());
        ctx.m
            .says("auth", "aws_elasticache_cluster has no AUTH for Redis", header.clone());
        ctx.m.auth(Seen::Known(Auth::Off), header.clone());
        let snapshots = self.get(ctx, "snapshot_retention_limit");
        self.backup(ctx, &snapshots, "0: no automatic snapshots");
        ctx.m.says(
            "failover",
            "a single-node aws_elasticache_cluster has no replica",
            header.clone(),
        );
        ctx.m.fact("managed.failover", Value::Bool(false), header.clone());
        ctx.m.fact("managed.replicas", Value::Int(0), header.clone());
        ctx.m
            .fact("managed.encryption_at_rest", Value::Bool(false), header.clone());
        ctx.m.says(
            "at_rest",
            "aws_elasticache_cluster cannot encrypt at rest; use aws_elasticache_replication_group",
            header.clone(),
        );
        self.parameter_group(ctx, "aws_elasticache_parameter_group", "volatile-lru");
        let node = self.get(ctx, "node_type");
        if node.is_set() {
            self.tier(ctx, &node, "");
        }
        self.version(ctx, "engine_version", "the latest the provider picks");
        self.not_public(ctx, "ElastiCache endpoints are reachable only inside the VPC");
    }

    fn memorydb(&self, ctx: &mut Ctx) {
        let tls = self.get(ctx, "tls_enabled");
        ctx.m.says("tls", tls.says("true"), tls.at.clone());
        ctx.m.transit(
            map(tls.bool(true), |on| if on { Transit::On } else { Transit::Off }),
            tls.at.clone(),
        );
        let acl = self.get(ctx, "acl_name");
        ctx.m
            .says("auth", acl.says("none: the attribute is required"), acl.at.clone());
        let seen = match acl.opt_str() {
            Some(Seen::Known(name)) if name == "open-access" => Seen::Known(Auth::Off),
            Some(Seen::Known(name)) => Seen::Known(Auth::Managed(format!("ACL {name}"))),
            Some(Seen::Unknown(reason)) => Seen::Unknown(reason),
            None => Seen::Unknown("acl_name is not set".into()),
        };
        ctx.m.auth(seen, acl.at.clone());
        let snapshots = self.get(ctx, "snapshot_retention_limit");
        self.backup(ctx, &snapshots, "0: no automatic snapshots");
        self.replica_count(ctx, "num_replicas_per_shard", 1);
        let key = self.get(ctx, "kms_key_arn");
        let says = if key.is_set() {
            format!("MemoryDB encrypts data at rest, with {}", key.written)
        } else {
            "MemoryDB always encrypts data at rest (kms_key_arn is not set: an AWS-owned key)".to_string()
        };
        self.at_rest_always(ctx, says, key.at.clone());
        self.parameter_group(ctx, "aws_memorydb_parameter_group", "noeviction");
        let node = self.get(ctx, "node_type");
        if node.is_set() {
            self.tier(ctx, &node, "");
        }
        self.version(ctx, "engine_version", "the latest the provider picks");
        self.not_public(ctx, "MemoryDB endpoints are reachable only inside the VPC");
    }

    /// The first of several attribute names that is written (provider v4 and v3 names).
    fn first_set(&self, ctx: &Ctx, block: Option<&str>, keys: &[&str]) -> Setting {
        let get = |key: &str| match block {
            Some(block) => self.get_sub(ctx, block, key),
            None => self.get(ctx, key),
        };
        for key in keys {
            let s = get(key);
            if s.is_set() {
                return s;
            }
        }
        get(keys[0])
    }

    fn azure(&self, ctx: &mut Ctx, label: &str) {
        let sku = self.get(ctx, "sku_name");
        let family = self.get(ctx, "family");
        let capacity = self.get(ctx, "capacity");
        let tier = match (sku.str(""), family.opt_str(), capacity.opt_str()) {
            (Seen::Known(sku), Some(Seen::Known(f)), Some(Seen::Known(c))) => Seen::Known(format!("{sku} {f}{c}")),
            (Seen::Known(sku), _, _) => Seen::Known(sku),
            (Seen::Unknown(reason), _, _) => Seen::Unknown(reason),
        };
        ctx.m.seen_fact("managed.tier", tier, sku.at.clone(), Value::Str);
        let basic = map(sku.str(""), |s| s.eq_ignore_ascii_case("basic"));
        let replicas = self.first_set(ctx, None, &["replicas_per_primary", "replicas_per_master"]);
        ctx.m.says(
            "failover",
            if replicas.is_set() {
                format!("{}; {}", sku.says(""), replicas.written)
            } else {
                sku.says("")
            },
            sku.at.clone(),
        );
        ctx.m.seen_fact(
            "managed.failover",
            map(basic.clone(), |b| !b),
            sku.at.clone(),
            Value::Bool,
        );
        let count = if replicas.is_set() {
            replicas.int(1)
        } else {
            map(basic, |b| if b { 0 } else { 1 })
        };
        let at = if replicas.is_set() {
            replicas.at.clone()
        } else {
            sku.at.clone()
        };
        ctx.m.seen_fact("managed.replicas", count, at, Value::Int);

        let non_ssl = self.first_set(ctx, None, &["non_ssl_port_enabled", "enable_non_ssl_port"]);
        ctx.m.says("tls", non_ssl.says("false"), non_ssl.at.clone());
        ctx.m.transit(
            map(
                non_ssl.bool(false),
                |open| if open { Transit::Both } else { Transit::On },
            ),
            non_ssl.at.clone(),
        );
        let minimum = self.get(ctx, "minimum_tls_version");
        ctx.m.minimum_tls(minimum.str("1.2"), minimum.at.clone());

        let auth = self.first_set(
            ctx,
            Some("redis_configuration"),
            &["authentication_enabled", "enable_authentication"],
        );
        ctx.m.says("auth", auth.says("true"), auth.at.clone());
        ctx.m.auth(
            map(auth.bool(true), |on| {
                if on {
                    Auth::Managed("the access keys Azure generates".into())
                } else {
                    Auth::Off
                }
            }),
            auth.at.clone(),
        );
        let policy = self.get_sub(ctx, "redis_configuration", "maxmemory_policy");
        ctx.m.says("eviction", policy.says("volatile-lru"), policy.at.clone());
        ctx.m.eviction(policy.str("volatile-lru"), policy.at.clone());
        let rdb = self.get_sub(ctx, "redis_configuration", "rdb_backup_enabled");
        let aof = self.get_sub(ctx, "redis_configuration", "aof_backup_enabled");
        let backup = match (rdb.bool(false), aof.bool(false)) {
            (Seen::Known(true), _) | (_, Seen::Known(true)) => Seen::Known(true),
            (Seen::Known(false), Seen::Known(false)) => Seen::Known(false),
            (Seen::Unknown(reason), _) | (_, Seen::Unknown(reason)) => Seen::Unknown(reason),
        };
        let at = if aof.is_set() && !rdb.is_set() {
            aof.at.clone()
        } else {
            rdb.at.clone()
        };
        ctx.m.says(
            "backup",
            format!("{}; {}", rdb.says("false"), aof.says("false")),
            at.clone(),
        );
        ctx.m.seen_fact("managed.backup", backup, at, Value::Bool);

        self.azure_public(ctx, label);
        self.version(ctx, "redis_version", "the provider's default");
        let header = ctx.header.clone();
        self.at_rest_always(ctx, "Azure encrypts data at rest".into(), header);
    }

    fn azure_public(&self, ctx: &mut Ctx, label: &str) {
        let subnet = self.get(ctx, "subnet_id");
        // A reference to another resource (`azurerm_subnet.x.id`) is set, whatever its value.
        let references_resource = ctx
            .body
            .get_attribute("subnet_id")
            .and_then(|a| value_or_ref(&a.value))
            .is_some_and(|(root, _)| root != "var" && root != "local");
        if references_resource {
            let at = subnet.at.clone();
            ctx.m.says(
                "public",
                format!("{}: injected into a virtual network", subnet.written),
                at.clone(),
            );
            ctx.m.fact("managed.public", Value::Bool(false), at);
            return;
        }
        if let Some(seen) = subnet.opt_str() {
            let at = subnet.at.clone();
            ctx.m.says(
                "public",
                format!("{}: injected into a virtual network", subnet.written),
                at.clone(),
            );
            ctx.m.seen_fact("managed.public", map(seen, |_| false), at, Value::Bool);
            return;
        }
        let access = self.get(ctx, "public_network_access_enabled");
        match access.bool(true) {
            Seen::Known(false) => {
                ctx.m.says("public", access.written.clone(), access.at.clone());
                ctx.m.fact("managed.public", Value::Bool(false), access.at.clone());
                return;
            }
            Seen::Unknown(reason) => {
                ctx.m.says("public", access.written.clone(), access.at.clone());
                ctx.m.unknown("managed.public", reason, access.at.clone());
                return;
            }
            Seen::Known(true) => {}
        }
        // Public network access: the firewall rules that name this cache decide.
        let own_name = self.get(ctx, "name");
        let scope = self.eval.scope;
        const RULE: &str = "azurerm_redis_firewall_rule";
        let by_reference = format!("{RULE}->{label}");
        let mut rules = scope.lookup(|i| i.labels.get(&by_reference));
        if let Some(Ok(J::String(own))) = &own_name.value {
            let literal = format!("{RULE} redis_cache_name={own}");
            rules.extend(scope.lookup(|i| i.literal_attrs.get(&literal)));
            let computed = format!("{RULE} redis_cache_name");
            for (src, rule) in scope.lookup(|i| i.computed_attrs.get(&computed)) {
                let Some(cache) = rule.body.get_attribute("redis_cache_name") else {
                    continue;
                };
                if self.eval.value(src, &cache.value, "") == Ok(J::String(own.clone())) {
                    rules.push((src, rule));
                }
            }
        }
        let mut open = None;
        let mut unknown = Vec::new();
        for (src, rule) in &rules {
            let name = format!(
                "azurerm_redis_firewall_rule.{}",
                rule.labels.get(1).map(|l| l.as_str()).unwrap_or("")
            );
            let get = |key: &str| {
                rule.body
                    .get_attribute(key)
                    .map(|a| (self.eval.value(*src, &a.value, ""), src.text_of(&a.value)))
            };
            match (get("start_ip"), get("end_ip")) {
                (Some((Ok(J::String(start)), _)), Some((Ok(J::String(end)), _))) => {
                    if start == "0.0.0.0" && end == "255.255.255.255" {
                        open = Some(format!("{name} in {} allows 0.0.0.0–255.255.255.255", src.name));
                    }
                }
                (start, end) => {
                    let shown = |v: Option<(Res, String)>| v.map(|(_, t)| t).unwrap_or_else(|| "not set".into());
                    unknown.push(format!(
                        "{name} in {} (start_ip = {}, end_ip = {})",
                        src.name,
                        shown(start),
                        shown(end)
                    ));
                }
            }
        }
        let at = access.at.clone();
        let access_says = access.says("true");
        let (value, says) = if let Some(open) = open {
            (Value::Bool(true), format!("{access_says}; firewall rule {open}"))
        } else if !unknown.is_empty() {
            let text = format!("firewall rule {} is not evaluated here", unknown.join("; "));
            (
                Value::Unknown { unknown: text.clone() },
                format!("{access_says}; {text}"),
            )
        } else if !rules.is_empty() {
            (
                Value::Bool(false),
                format!("{access_says}; {} firewall rule(s) restrict the addresses", rules.len()),
            )
        } else {
            (
                Value::Bool(true),
                format!("{access_says}; no subnet_id and no firewall rule: any address may connect"),
            )
        };
        ctx.m.says("public", says, at.clone());
        ctx.m.fact("managed.public", value, at);
    }

    fn redis_cloud(&self, ctx: &mut Ctx, global: &str) {
        let password = self.get(ctx, &format!("{global}password"));
        ctx.m.says(
            "auth",
            if password.is_set() {
                password.written.clone()
            } else {
                format!("{global}password is not set (Redis Cloud generates one for the default user)")
            },
            password.at.clone(),
        );
        let seen = match &password.value {
            None => Seen::Known(Auth::Managed(
                "the password Redis Cloud generates for the default user".into(),
            )),
            Some(Ok(J::String(s))) if !s.is_empty() => Seen::Known(Auth::Literal(s.clone())),
            Some(Ok(_)) => Seen::Unknown(format!("{global}password is not a password")),
            Some(Err(reason)) => Seen::Unknown(reason.clone()),
        };
        let at = match &seen {
            Seen::Known(Auth::Literal(_)) => password.secret_at(),
            _ => password.at.clone(),
        };
        ctx.m.auth(seen, at);

        let tls = self.get(ctx, "enable_tls");
        ctx.m.says("tls", tls.says("false"), tls.at.clone());
        ctx.m.transit(
            map(tls.bool(false), |on| if on { Transit::On } else { Transit::Off }),
            tls.at.clone(),
        );

        let persistence = self.get(ctx, &format!("{global}data_persistence"));
        let remote = sub_block(ctx.body, "remote_backup");
        let (backup, at, says) = match remote {
            Sub::Static(b) | Sub::Dynamic(b) => {
                let at = self.header(b);
                (Seen::Known(true), at, "a remote_backup block is set".to_string())
            }
            Sub::Absent => (
                map(persistence.str("none"), |p| !p.eq_ignore_ascii_case("none")),
                persistence.at.clone(),
                persistence.says("\"none\""),
            ),
        };
        ctx.m.says("backup", says, at.clone());
        ctx.m.seen_fact("managed.backup", backup, at, Value::Bool);

        if global.is_empty() {
            let replication = self.get(ctx, "replication");
            ctx.m.says("failover", replication.says("true"), replication.at.clone());
            ctx.m.seen_fact(
                "managed.failover",
                replication.bool(true),
                replication.at.clone(),
                Value::Bool,
            );
            ctx.m.seen_fact(
                "managed.replicas",
                map(replication.bool(true), |r| if r { 1 } else { 0 }),
                replication.at.clone(),
                Value::Int,
            );
        }
        let eviction = self.get(ctx, "data_eviction");
        ctx.m
            .says("eviction", eviction.says("volatile-lru"), eviction.at.clone());
        ctx.m.eviction(eviction.str("volatile-lru"), eviction.at.clone());

        let ips = self.get(ctx, &format!("{global}source_ips"));
        ctx.m
            .says("public", ips.says("[\"0.0.0.0/0\"]: any address"), ips.at.clone());
        let public = match &ips.value {
            None => Seen::Known(true),
            Some(Ok(J::Array(list))) => Seen::Known(list.iter().any(|ip| ip.as_str() == Some("0.0.0.0/0"))),
            Some(Ok(other)) => Seen::Unknown(format!("{global}source_ips is {other}, not a list")),
            Some(Err(reason)) => Seen::Unknown(reason.clone()),
        };
        ctx.m.seen_fact("managed.public", public, ips.at.clone(), Value::Bool);

        let memory = self.first_set(ctx, None, &["memory_limit_in_gb", "dataset_size_in_gb"]);
        self.memory_gb(ctx, &memory);
        let header = ctx.header.clone();
        self.at_rest_always(ctx, "Redis Cloud encrypts persistent storage at rest".into(), header);
        self.version(ctx, "redis_version", "the subscription's default");
    }

    fn module(&self, block: &'a Block, label: &str) -> Option<Instance> {
        let header = self.header(block);
        let body = &block.body;
        let source = self.setting(body, "source", "source", &header);
        let source_text = match source.opt_str() {
            Some(Seen::Known(s)) => s,
            _ => String::new(),
        };
        let lower = source_text.to_ascii_lowercase();
        // The module's string arguments, also inside objects (`replication_group = { node_type = … }`).
        let mut strings = Vec::new();
        for attr in body.attributes() {
            module_strings(attr.key.as_str(), &attr.value, 0, &mut strings);
        }
        let args = |key: &str| -> Option<String> {
            if let Some(attr) = body.get_attribute(key) {
                if let Some(value) = self.eval.value(self.src, &attr.value, key).ok()?.as_str() {
                    return Some(value.to_string());
                }
            }
            strings.iter().find(|(k, _, _)| k == key).map(|(_, v, _)| v.to_string())
        };
        let named_redis = MODULE_HINTS.iter().any(|h| lower.contains(h))
            || label.to_ascii_lowercase().contains("redis")
            || body.attributes().any(|a| a.key.as_str().starts_with("redis_"))
            || args("engine").is_some_and(|e| e == "redis" || e == "valkey");
        if !named_redis {
            return None;
        }
        let service = if lower.contains("memorydb") {
            Service::MemoryDb
        } else if lower.contains("elasticache") {
            Service::ElastiCache
        } else if lower.contains("memorystore") || (lower.contains("google") && lower.contains("redis")) {
            Service::Memorystore
        } else if lower.contains("azurerm") || lower.contains("azure") {
            Service::AzureCache
        } else if lower.contains("redis-cloud") || lower.contains("rediscloud") || lower.contains("redislabs") {
            Service::RedisCloud
        } else if lower.contains("/aws") && lower.contains("redis") {
            Service::ElastiCache
        } else if let Some(node) = args("node_type") {
            if node.starts_with("cache.") {
                Service::ElastiCache
            } else if node.starts_with("db.") {
                Service::MemoryDb
            } else {
                return None;
            }
        } else if args("redis_version").is_some_and(|v| v.starts_with("REDIS_"))
            || args("tier").is_some_and(|t| t == "BASIC" || t == "STANDARD_HA")
        {
            Service::Memorystore
        } else if args("sku_name")
            .is_some_and(|s| ["basic", "standard", "premium"].contains(&s.to_ascii_lowercase().as_str()))
        {
            Service::AzureCache
        } else if body.get_attribute("memory_limit_in_gb").is_some()
            || body.get_attribute("dataset_size_in_gb").is_some()
        {
            Service::RedisCloud
        } else {
            return None;
        };
        let resource = format!("module.{label}");
        let mut m = Managed::new(
            service,
            Kind::Terraform,
            self.locator,
            self.source.clone(),
            format!("terraform:{}#{resource}", self.id_path),
            &resource,
            header.clone(),
        );
        let shown_source = if source_text.is_empty() {
            "not evaluated".to_string()
        } else {
            source_text.clone()
        };
        let reason = format!("set inside module `{label}` (source {shown_source}), which is not followed");
        m.transit(Seen::Unknown(reason.clone()), header.clone());
        for (fact, concept) in [
            ("managed.backup", "backup"),
            ("managed.failover", "failover"),
            ("managed.encryption_at_rest", "at_rest"),
            ("managed.public", "public"),
        ] {
            // What the service itself fixes holds whatever the module does:
            // Memorystore, ElastiCache and MemoryDB have private addresses
            // only; Google, Azure and MemoryDB always encrypt at rest.
            let fixed = match (concept, service) {
                ("public", Service::Memorystore | Service::ElastiCache | Service::MemoryDb) => Some((
                    false,
                    format!("{} endpoints have private addresses only", service.title()),
                )),
                ("at_rest", Service::Memorystore | Service::AzureCache | Service::MemoryDb) => {
                    Some((true, format!("{} always encrypts data at rest", service.title())))
                }
                _ => None,
            };
            match fixed {
                Some((value, why)) => {
                    m.fact(fact, Value::Bool(value), header.clone());
                    m.says(concept, why, header.clone());
                }
                None => {
                    m.unknown(fact, reason.clone(), header.clone());
                    m.says(concept, reason.clone(), header.clone());
                }
            }
        }
        m.says("tls", reason.clone(), header.clone());
        m.eviction(Seen::Unknown(reason.clone()), header.clone());
        m.says("eviction", reason.clone(), header.clone());
        // A password written as an argument is in the source whatever the module does with it.
        let secret = body.attributes().find_map(|attr| {
            let key = attr.key.as_str();
            if !names_redis_password(key) {
                return None;
            }
            let s = self.setting(body, key, key, &header);
            match &s.value {
                Some(Ok(J::String(value))) if !value.is_empty() => Some((s.written.clone(), value.clone(), s)),
                _ => None,
            }
        });
        // Or inside an object argument (`settings = { auth_token = "…" }`).
        let nested = strings
            .iter()
            .find(|(key, value, _)| !value.is_empty() && names_redis_password(key));
        match (secret, nested) {
            (Some((written, value, s)), _) => {
                let at = s.secret_at();
                m.says("auth", written, s.at.clone());
                m.auth(Seen::Known(Auth::Literal(value)), at);
            }
            (None, Some((key, value, span))) => {
                let at = inner(self.shown, span.clone());
                m.says(
                    "auth",
                    format!("{key} is written in an argument of module `{label}`"),
                    at.clone(),
                );
                m.auth(Seen::Known(Auth::Literal(value.to_string())), at);
            }
            (None, None) => {
                m.says("auth", reason.clone(), header.clone());
                m.auth(Seen::Unknown(reason.clone()), header.clone());
            }
        }
        Some(m.finish(Vec::new()))
    }
}

/// Whether a module argument names the Redis password (`auth_token`,
/// `redis_password`, `settings.password`). Masking is broader (any name that
/// may hold a credential, `labels.my_key` included); a finding that a
/// password is in the source needs the name to say it is one.
fn names_redis_password(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "auth_token",
        "authtoken",
        "auth_string",
        "requirepass",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

/// Every attribute this reader maps, for `docs/managed.md` and the test that
/// each is really read. The facts `conf.<directive>` are the config lines the
/// resource decides.
pub const ATTRIBUTES: &[Attribute] = &[
    row(
        Service::Memorystore,
        "google_redis_instance",
        "tier",
        &["managed.tier", "managed.failover", "managed.replicas"],
        "BASIC (no replica, no failover)",
    ),
    row(
        Service::Memorystore,
        "google_redis_instance",
        "replica_count",
        &["managed.replicas"],
        "1 for STANDARD_HA, 0 for BASIC",
    ),
    row(
        Service::Memorystore,
        "google_redis_instance",
        "auth_enabled",
        &["conf.requirepass"],
        "false (no AUTH)",
    ),
    row(
        Service::Memorystore,
        "google_redis_instance",
        "transit_encryption_mode",
        &["conf.port", "conf.tls-port"],
        "DISABLED",
    ),
    row(
        Service::Memorystore,
        "google_redis_instance",
        "redis_configs",
        &["conf.maxmemory-policy"],
        "maxmemory-policy volatile-lru",
    ),
    row(
        Service::Memorystore,
        "google_redis_instance",
        "memory_size_gb",
        &["conf.maxmemory"],
        "required",
    ),
    row(
        Service::Memorystore,
        "google_redis_instance",
        "persistence_config.persistence_mode",
        &["managed.backup"],
        "DISABLED (no persistence_config block)",
    ),
    row(
        Service::Memorystore,
        "google_redis_instance",
        "redis_version",
        &["managed.engine_version", "deploy.version"],
        "the service's current default",
    ),
    row(
        Service::Memorystore,
        "google_redis_instance",
        "authorized_network",
        &["managed.public"],
        "the project's default network (private IP only, never public)",
    ),
    row(
        Service::Memorystore,
        "google_redis_instance",
        "customer_managed_key",
        &["managed.encryption_at_rest"],
        "a Google-managed key (always encrypted at rest)",
    ),
    row(
        Service::Memorystore,
        "google_redis_cluster",
        "node_type",
        &["managed.tier"],
        "the service's default node type",
    ),
    row(
        Service::Memorystore,
        "google_redis_cluster",
        "replica_count",
        &["managed.failover", "managed.replicas"],
        "0",
    ),
    row(
        Service::Memorystore,
        "google_redis_cluster",
        "authorization_mode",
        &["conf.requirepass"],
        "AUTH_MODE_DISABLED",
    ),
    row(
        Service::Memorystore,
        "google_redis_cluster",
        "transit_encryption_mode",
        &["conf.port", "conf.tls-port"],
        "TRANSIT_ENCRYPTION_MODE_DISABLED",
    ),
    row(
        Service::Memorystore,
        "google_redis_cluster",
        "redis_configs",
        &["conf.maxmemory-policy"],
        "maxmemory-policy volatile-lru",
    ),
    row(
        Service::Memorystore,
        "google_redis_cluster",
        "persistence_config.mode",
        &["managed.backup"],
        "DISABLED",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_replication_group",
        "transit_encryption_enabled",
        &["conf.port", "conf.tls-port"],
        "false",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_replication_group",
        "transit_encryption_mode",
        &["conf.port", "conf.tls-port"],
        "required (when transit_encryption_enabled)",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_replication_group",
        "auth_token",
        &["conf.requirepass", "deploy.password_in_source"],
        "none (then user_group_ids)",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_replication_group",
        "user_group_ids",
        &["conf.requirepass"],
        "none (no AUTH)",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_replication_group",
        "at_rest_encryption_enabled",
        &["managed.encryption_at_rest"],
        "false (true for engine valkey)",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_replication_group",
        "automatic_failover_enabled",
        &["managed.failover"],
        "false",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_replication_group",
        "num_cache_clusters",
        &["managed.replicas"],
        "1 (no replica)",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_replication_group",
        "replicas_per_node_group",
        &["managed.replicas"],
        "num_cache_clusters - 1",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_replication_group",
        "snapshot_retention_limit",
        &["managed.backup", "managed.backup_retention_days"],
        "0 (no automatic snapshots)",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_replication_group",
        "parameter_group_name",
        &["conf.maxmemory-policy"],
        "the default group (maxmemory-policy volatile-lru)",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_replication_group",
        "node_type",
        &["managed.tier"],
        "required",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_replication_group",
        "engine_version",
        &["managed.engine_version", "deploy.version"],
        "the latest the provider picks",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_parameter_group",
        "parameter.maxmemory-policy",
        &["conf.maxmemory-policy"],
        "volatile-lru",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_user_group",
        "user_ids",
        &["conf.requirepass"],
        "a user group: AUTH by its users",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_user",
        "no_password_required",
        &["conf.requirepass"],
        "false",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_cluster",
        "snapshot_retention_limit",
        &["managed.backup", "managed.backup_retention_days"],
        "0 (no automatic snapshots)",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_cluster",
        "parameter_group_name",
        &["conf.maxmemory-policy"],
        "the default group (maxmemory-policy volatile-lru)",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_cluster",
        "node_type",
        &["managed.tier"],
        "required",
    ),
    row(
        Service::ElastiCache,
        "aws_elasticache_cluster",
        "engine_version",
        &["managed.engine_version", "deploy.version"],
        "the latest the provider picks",
    ),
    row(
        Service::MemoryDb,
        "aws_memorydb_cluster",
        "tls_enabled",
        &["conf.port", "conf.tls-port"],
        "true",
    ),
    row(
        Service::MemoryDb,
        "aws_memorydb_cluster",
        "acl_name",
        &["conf.requirepass"],
        "required (open-access: no AUTH)",
    ),
    row(
        Service::MemoryDb,
        "aws_memorydb_cluster",
        "snapshot_retention_limit",
        &["managed.backup", "managed.backup_retention_days"],
        "0 (no automatic snapshots)",
    ),
    row(
        Service::MemoryDb,
        "aws_memorydb_cluster",
        "num_replicas_per_shard",
        &["managed.failover", "managed.replicas"],
        "1",
    ),
    row(
        Service::MemoryDb,
        "aws_memorydb_cluster",
        "kms_key_arn",
        &["managed.encryption_at_rest"],
        "an AWS-owned key (always encrypted at rest)",
    ),
    row(
        Service::MemoryDb,
        "aws_memorydb_cluster",
        "parameter_group_name",
        &["conf.maxmemory-policy"],
        "the default group (maxmemory-policy noeviction)",
    ),
    row(
        Service::MemoryDb,
        "aws_memorydb_cluster",
        "node_type",
        &["managed.tier"],
        "required",
    ),
    row(
        Service::MemoryDb,
        "aws_memorydb_cluster",
        "engine_version",
        &["managed.engine_version", "deploy.version"],
        "the latest the provider picks",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "sku_name",
        &["managed.tier", "managed.failover", "managed.replicas"],
        "required (with family and capacity: Premium P1)",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "replicas_per_primary",
        &["managed.replicas"],
        "1 for Standard and Premium, 0 for Basic",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "replicas_per_master",
        &["managed.replicas"],
        "1 for Standard and Premium, 0 for Basic",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "non_ssl_port_enabled",
        &["conf.port", "conf.tls-port"],
        "false (TLS only)",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "enable_non_ssl_port",
        &["conf.port", "conf.tls-port"],
        "false (TLS only)",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "minimum_tls_version",
        &["conf.tls-protocols"],
        "1.2",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "redis_configuration.authentication_enabled",
        &["conf.requirepass"],
        "true (access keys)",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "redis_configuration.enable_authentication",
        &["conf.requirepass"],
        "true (access keys)",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "redis_configuration.maxmemory_policy",
        &["conf.maxmemory-policy"],
        "volatile-lru",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "redis_configuration.rdb_backup_enabled",
        &["managed.backup"],
        "false",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "redis_configuration.aof_backup_enabled",
        &["managed.backup"],
        "false",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "subnet_id",
        &["managed.public"],
        "none (then public_network_access_enabled)",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "public_network_access_enabled",
        &["managed.public"],
        "true (public unless firewall rules restrict it)",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_cache",
        "redis_version",
        &["managed.engine_version", "deploy.version"],
        "the provider's default",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_firewall_rule",
        "start_ip",
        &["managed.public"],
        "required (0.0.0.0 to 255.255.255.255: any address)",
    ),
    row(
        Service::AzureCache,
        "azurerm_redis_firewall_rule",
        "end_ip",
        &["managed.public"],
        "required (0.0.0.0 to 255.255.255.255: any address)",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_subscription_database",
        "password",
        &["conf.requirepass", "deploy.password_in_source"],
        "generated by Redis Cloud",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_subscription_database",
        "enable_tls",
        &["conf.port", "conf.tls-port"],
        "false",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_subscription_database",
        "data_persistence",
        &["managed.backup"],
        "none",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_subscription_database",
        "remote_backup",
        &["managed.backup"],
        "none",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_subscription_database",
        "replication",
        &["managed.failover", "managed.replicas"],
        "true",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_subscription_database",
        "data_eviction",
        &["conf.maxmemory-policy"],
        "volatile-lru",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_subscription_database",
        "source_ips",
        &["managed.public"],
        "[\"0.0.0.0/0\"] (any address)",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_subscription_database",
        "memory_limit_in_gb",
        &["conf.maxmemory"],
        "none",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_subscription_database",
        "dataset_size_in_gb",
        &["conf.maxmemory"],
        "none",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_subscription_database",
        "redis_version",
        &["managed.engine_version", "deploy.version"],
        "the subscription's default",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_active_active_subscription_database",
        "global_password",
        &["conf.requirepass", "deploy.password_in_source"],
        "generated by Redis Cloud",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_active_active_subscription_database",
        "global_data_persistence",
        &["managed.backup"],
        "none",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_active_active_subscription_database",
        "global_source_ips",
        &["managed.public"],
        "[\"0.0.0.0/0\"] (any address)",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_active_active_subscription_database",
        "enable_tls",
        &["conf.port", "conf.tls-port"],
        "false",
    ),
    row(
        Service::RedisCloud,
        "rediscloud_active_active_subscription_database",
        "data_eviction",
        &["conf.maxmemory-policy"],
        "volatile-lru",
    ),
];

const fn row(
    service: Service,
    resource: &'static str,
    attribute: &'static str,
    facts: &'static [&'static str],
    default: &'static str,
) -> Attribute {
    Attribute {
        service,
        kind: Kind::Terraform,
        resource,
        attribute,
        facts,
        default,
    }
}

#[cfg(test)]
mod tests;
