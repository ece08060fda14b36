//! The settings file (`redis-preflight.toml`): TOML, schema validation,
//! waivers and attestations with their positions.
//!
//! Oracles: no panic; an accepted file's waiver and attestation positions are
//! inside the text; the fail-on level and attestation expiry can be computed.

#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_preflight::settings::Settings;
use redis_preflight_fuzz::time_oracle;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    redis_preflight_fuzz::catch_stack_overflow();
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("redis-preflight.toml");
    let settings = match time_oracle(data.len(), "Settings::parse", || Settings::parse(path, text)) {
        Ok(settings) => settings,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let lines = text.split('\n').count();
    for waiver in &settings.waiver {
        assert!(
            waiver.offset <= text.len(),
            "waiver offset {} outside the text",
            waiver.offset
        );
        assert!(
            waiver.line >= 1 && waiver.line <= lines,
            "waiver line {} outside the text",
            waiver.line
        );
    }
    for attestation in &settings.attest {
        assert!(
            attestation.line >= 1 && attestation.line <= lines,
            "attestation line {} outside the text",
            attestation.line
        );
        let _ = attestation.effective_expiry();
        let _ = attestation.is_expired("2025-06-30");
    }
    let _ = settings.fail_on();
});
