//! Terraform (`*.tf`, `*.tfvars`, `*.tfvars.json`): managed Redis resources
//! written directly, with values from literals, `variable` defaults,
//! `*.tfvars` in the same directory and simple `local`s. Anything else is
//! unknown, named by its expression.

use super::DeployFile;
use crate::conf::catalog::Target;
use std::path::Path;

/// What the files of one directory hold for each other (variables, locals,
/// firewall rules, parameter groups), read once per directory.
#[derive(Default)]
pub struct DirCache {}

pub fn read(path: &Path, text: &str, target: &Target, cache: &mut DirCache) -> Result<DeployFile, String> {
    let _ = (target, cache);
    Ok(empty(path, text, super::Kind::Terraform))
}

/// A file read that defines no instance (until the reader lands).
pub fn empty(path: &Path, _text: &str, kind: super::Kind) -> DeployFile {
    DeployFile {
        kind,
        source: crate::textfile::SourceFile {
            path: std::sync::Arc::new(path.to_path_buf()),
            text: std::sync::Arc::from(""),
        },
        instances: Vec::new(),
        extra_sources: Vec::new(),
        unlinked_env: Vec::new(),
    }
}

/// Every attribute this reader maps (docs/managed.md is generated from it).
pub const ATTRIBUTES: &[super::managed::Attribute] = &[];
