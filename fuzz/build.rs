//! Tells the targets the optimisation level they are built at: the resp target
//! sizes its parser thread's stack by it (unoptimised frames are several times larger).
fn main() {
    let level = std::env::var("OPT_LEVEL").unwrap_or_else(|_| "3".into());
    println!("cargo:rustc-env=FUZZ_OPT_LEVEL={level}");
    println!("cargo:rerun-if-env-changed=OPT_LEVEL");
}
