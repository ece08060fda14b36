//! redis-preflight: is this Redis/Valkey deployment production-ready?
//!
//! Data flows one way: inputs (`conf`, `env`) → `facts` → `rules` →
//! findings → `report`. See docs/internals.md.

pub mod attest;
pub mod check;
pub mod cli;
pub mod conf;
pub mod env;
pub mod error;
pub mod facts;
pub mod findings;
pub mod probe;
pub mod report;
pub mod rules;
pub mod settings;
