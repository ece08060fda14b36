//! Errors that stop a run before any finding can be trusted. Each maps to an
//! exit code; none carries a secret (messages are built from paths, line
//! numbers and reasons, never from values).

use std::fmt;

/// Bad usage or unreadable/invalid input (exit code 2).
#[derive(Debug, Clone)]
pub struct InputError {
    message: String,
}

impl InputError {
    pub fn new(message: impl Into<String>) -> InputError {
        InputError {
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

/// Process exit codes, in one place.
pub mod exit {
    pub const PASS: i32 = 0;
    pub const FINDINGS: i32 = 1;
    pub const INPUT_ERROR: i32 = 2;
    pub const PROBE_INCOMPLETE: i32 = 3;
}
