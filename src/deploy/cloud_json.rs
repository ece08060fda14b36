//! Cloud descriptions (`cloud-json`): what `gcloud redis instances describe`,
//! `aws elasticache describe-replication-groups` / `describe-cache-clusters`,
//! `aws memorydb describe-clusters` and `az redis show` print, also inside a
//! recorder's envelope (`data`, `body`, VCR `interactions`, `responses.200.body`).

use super::DeployFile;
use crate::conf::catalog::Target;
use std::path::Path;

/// Whether a JSON text is a description of a managed Redis (cheap: a walk
/// calls it on every `.json` file).
pub fn is_description(text: &str) -> bool {
    let _ = text;
    false
}

pub fn read(path: &Path, text: &str, target: &Target) -> Result<DeployFile, String> {
    let _ = target;
    Ok(super::terraform::empty(path, text, super::Kind::CloudJson))
}

/// Every attribute this reader maps (docs/managed.md is generated from it).
pub const ATTRIBUTES: &[super::managed::Attribute] = &[];
