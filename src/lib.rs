//! redis-preflight: is this Redis/Valkey deployment production-ready?
//!
//! Data flows one way: inputs (`conf`, `env`, `probe`) → `facts` → `rules` →
//! `findings` → `report`, with one pipeline (`run`) that owns a run of many
//! targets and the CLI (`cli`) around it. See docs/architecture.md; the
//! allowed imports are enforced by tests/architecture.rs.

pub mod cli;
pub mod conf;
pub mod dates;
pub mod deploy;
pub mod env;
pub mod error;
pub mod facts;
pub mod findings;
pub mod probe;
pub mod report;
pub mod rules;
pub mod run;
pub mod settings;
pub mod textfile;
