//! Compiled-in defaults of a release line as typed values, parsed from the
//! catalog once per line and process (every target of a run, and every
//! running-config audit, shares them).

use crate::conf::catalog::{catalog, Directive, Target, ValueType};
use crate::conf::special::parse_directive;
use crate::facts::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

type Defaults = Arc<Vec<(&'static Directive, Value)>>;

/// Every directive the target knows, with its compiled-in default.
pub fn for_target(target: &Target) -> Defaults {
    static CACHE: OnceLock<Mutex<HashMap<Target, Defaults>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    // A poisoned lock only means another thread panicked mid-insert: the map is still usable.
    let mut cache = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    cache
        .entry(*target)
        .or_insert_with(|| {
            Arc::new(
                catalog()
                    .directives_for(target)
                    .map(|directive| (directive, default_value(directive, target)))
                    .collect(),
            )
        })
        .clone()
}

/// Splits a value as CONFIG GET (or the catalog) prints it into arguments.
pub fn split_printed_value<'t>(directive: &Directive, text: &'t str) -> Vec<&'t str> {
    let multi_arg =
        directive.value_type == ValueType::Special && directive.args.as_ref().is_none_or(|a| a.max != Some(1));
    if multi_arg && !text.is_empty() {
        text.split_whitespace().collect()
    } else {
        vec![text]
    }
}

fn default_value(directive: &Directive, target: &Target) -> Value {
    let Some(text) = directive.default_for(target) else {
        return if directive.repeatable {
            Value::List(Vec::new())
        } else {
            Value::Str(String::new())
        };
    };
    if text.is_empty() && directive.is_special("bind") {
        // An empty list default (no `bind` before 7.0: every interface).
        return Value::List(Vec::new());
    }
    let args = split_printed_value(directive, text);
    match parse_directive(directive, &args, target) {
        Ok(value) => value,
        Err(_) if directive.secret => Value::secret(text),
        Err(_) => Value::Str(text.to_string()),
    }
}
