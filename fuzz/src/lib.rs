//! Helpers shared by the fuzz targets in `fuzz_targets/`: a scratch directory
//! per process, a reader for the control bytes some targets take, and the
//! oracles that are not specific to one target.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// One directory per fuzzing process, created on first use and reused by every
/// execution (files are overwritten, never a new directory per input).
/// `scripts/fuzz` points `TMPDIR` at `fuzz/target/tmp` and removes it after a run.
pub fn scratch_dir(target: &str) -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("redis-preflight-fuzz-{target}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("cannot create the fuzz scratch directory");
        // Canonical, so paths in reports and include cycles compare as the loader sees them.
        dir.canonicalize().unwrap_or(dir)
    })
}

/// Whether `REDIS_PREFLIGHT_FUZZ_SKIP` (comma-separated names) turns off the
/// check or placement `name`: to keep fuzzing past a bug that is already
/// known. Each target documents the names it reads.
pub fn skipped(name: &str) -> bool {
    static SKIP: OnceLock<Vec<String>> = OnceLock::new();
    SKIP.get_or_init(|| {
        std::env::var("REDIS_PREFLIGHT_FUZZ_SKIP")
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
    .iter()
    .any(|s| s == name)
}

/// Writes `bytes` to `dir/name` (the file must exist for the input to mean anything).
pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("cannot write a fuzz scratch file");
    path
}

/// Removes `dir/name` if it exists, so a file from an earlier input cannot
/// change what this one means.
pub fn remove_file(dir: &Path, name: &str) {
    let _ = std::fs::remove_file(dir.join(name));
}

/// Reads control bytes; past the end it yields zeros.
pub struct Control<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Control<'a> {
    pub fn new(bytes: &'a [u8]) -> Control<'a> {
        Control { bytes, at: 0 }
    }

    pub fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.byte() as usize % n
    }

    pub fn bit(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Splits on NUL bytes into at most `max` parts (the last keeps any further
/// NULs). NUL never appears in a file redis-preflight accepts, so it is a
/// separator that costs the fuzzer nothing.
pub fn split_parts(data: &[u8], max: usize) -> Vec<&[u8]> {
    data.splitn(max, |b| *b == 0).collect()
}

/// A cheap hash (FNV-1a), for control bytes of inputs that carry none.
pub fn fnv(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for chunk in out.chunks_mut(8) {
        for b in data {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0x9e37_79b9_7f4a_7c15;
        chunk.copy_from_slice(&h.to_le_bytes());
    }
    out
}

/// Inputs up to this size must be handled in under `TIME_LIMIT`.
pub const TIME_LIMIT_INPUT_BYTES: usize = 1024 * 1024;
pub const TIME_LIMIT: Duration = Duration::from_secs(1);

/// Runs `f` and panics when it takes more than `TIME_LIMIT` for an input below
/// `TIME_LIMIT_INPUT_BYTES` twice in a row (once could be the machine being
/// busy): a non-linear-time finding. libFuzzer's own `-timeout` catches hangs.
pub fn time_oracle<R>(input_len: usize, what: &str, mut f: impl FnMut() -> R) -> R {
    let start = Instant::now();
    let result = f();
    let first = start.elapsed();
    if input_len < TIME_LIMIT_INPUT_BYTES && first > TIME_LIMIT {
        let again = Instant::now();
        let result = f();
        let second = again.elapsed();
        if second > TIME_LIMIT {
            panic!(
                "non-linear-time finding: {what} took {first:?} then {second:?} for an input of {input_len} bytes \
                 (limit {TIME_LIMIT:?} below {TIME_LIMIT_INPUT_BYTES} bytes)"
            );
        }
        return result;
    }
    result
}

/// Panics when `range` is not a valid char-boundary range of `text`.
pub fn assert_span(text: &str, start: usize, end: usize, what: &dyn std::fmt::Display) {
    assert!(
        start <= end && end <= text.len(),
        "{what}: span {start}..{end} is outside the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: span {start}..{end} splits a UTF-8 character"
    );
}

/// Finds a planted password in output text: any `WINDOW` consecutive
/// characters of one of its alphanumeric runs, as written or once
/// percent-escapes are decoded. So escaped spellings (`\"`, `&quot;`, `%40`,
/// `\x53`) and partly masked ones still count, as long as a run of the
/// password keeps 7 characters together. One pass per text, not one per piece.
pub struct LeakCheck {
    windows: std::collections::HashSet<[u8; LeakCheck::WINDOW]>,
    in_runs: [bool; 256],
}

impl LeakCheck {
    pub const WINDOW: usize = 7;

    pub fn new(secret: &str) -> LeakCheck {
        let mut windows = std::collections::HashSet::new();
        let mut in_runs = [false; 256];
        for run in secret.split(|c: char| !c.is_ascii_alphanumeric()) {
            for window in run.as_bytes().windows(Self::WINDOW) {
                windows.insert(window.try_into().expect("a window has WINDOW bytes"));
                for b in window {
                    in_runs[usize::from(*b)] = true;
                }
            }
        }
        LeakCheck { windows, in_runs }
    }

    /// The byte offset of a piece of the password in `text`, if any.
    pub fn find(&self, text: &[u8]) -> Option<usize> {
        self.find_raw(text).or_else(|| {
            if !text.contains(&b'%') {
                return None;
            }
            let decoded = percent_decode(text);
            // Offsets in the decoded text are close enough to show where it is.
            self.find_raw(&decoded)
        })
    }

    fn find_raw(&self, text: &[u8]) -> Option<usize> {
        let mut run = 0usize;
        for (i, b) in text.iter().enumerate() {
            if self.in_runs[usize::from(*b)] {
                run += 1;
                if run >= Self::WINDOW {
                    let start = i + 1 - Self::WINDOW;
                    let window: &[u8; Self::WINDOW] = text[start..=i].try_into().expect("WINDOW bytes");
                    if self.windows.contains(window) {
                        return Some(start);
                    }
                }
            } else {
                run = 0;
            }
        }
        None
    }
}

/// `%XX` decoded (upper or lower case hex); anything else kept.
pub fn percent_decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'%' {
            let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
            if let (Some(h), Some(l)) = (hex(text.get(i + 1)), hex(text.get(i + 2))) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

/// Makes a stack overflow (or any SIGSEGV/SIGBUS) on this thread a crash that
/// libFuzzer records with its input. libFuzzer's own handler runs on the
/// overflowed stack and dies silently without a sanitizer, and Rust's guard-page
/// handler is not installed because libFuzzer, not Rust, provides `main`: this
/// gives the thread an alternate signal stack and turns the signal into an
/// abort, which libFuzzer handles. Cheap after the first call on a thread.
pub fn catch_stack_overflow() {
    use std::cell::Cell;
    use std::sync::Once;
    thread_local! {
        static READY: Cell<bool> = const { Cell::new(false) };
    }
    static HANDLER: Once = Once::new();
    if READY.with(Cell::get) {
        return;
    }
    const ALT_STACK: usize = 256 * 1024;
    // Leaked on purpose: the alternate stack must live as long as the thread.
    let stack: &'static mut [u8] = Box::leak(vec![0u8; ALT_STACK].into_boxed_slice());
    let alt = libc::stack_t {
        ss_sp: stack.as_mut_ptr().cast(),
        ss_flags: 0,
        ss_size: ALT_STACK,
    };
    // SAFETY: `alt` describes a live, leaked buffer of ALT_STACK bytes.
    unsafe { libc::sigaltstack(&alt, std::ptr::null_mut()) };
    HANDLER.call_once(|| {
        extern "C" fn on_fault(_: libc::c_int) {
            let message = b"\n==fuzz== SIGSEGV/SIGBUS (a stack overflow?): aborting so libFuzzer saves the input\n";
            // SAFETY: write(2) and abort(3) are async-signal-safe.
            unsafe {
                libc::write(2, message.as_ptr().cast(), message.len());
                libc::abort();
            }
        }
        for signal in [libc::SIGSEGV, libc::SIGBUS] {
            // SAFETY: a plain handler on the alternate stack; the struct is zeroed then filled.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_fault as extern "C" fn(libc::c_int) as usize;
                action.sa_flags = libc::SA_ONSTACK | libc::SA_NODEFER | libc::SA_RESETHAND;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    });
    READY.with(|ready| ready.set(true));
}

/// A deployment instance's config as redis-server would read it, under the
/// time oracle (the readers' targets all check the loader on what they found).
pub fn load_instance(
    input_len: usize,
    instance: &redis_preflight::deploy::Instance,
    anchor: &Path,
) -> Result<redis_preflight::conf::ParsedConfig, redis_preflight::error::InputError> {
    time_oracle(input_len, "conf::load_pieces", || {
        redis_preflight::conf::load_pieces(
            anchor,
            instance.pieces.clone(),
            redis_preflight::conf::catalog::Target::DEFAULT,
            &redis_preflight::conf::LoadOptions::default(),
        )
    })
}
