//! The probe's RESP reply parser (`probe::resp::parse_slice`), as a hostile
//! server would feed it: with the default limits and with small ones.
//!
//! Oracles: no panic (a stack overflow or an allocation beyond the limits
//! crashes the process too); a parsed reply used at most the bytes it was
//! given and at most `max_reply_bytes`, has at most `max_elements` values in
//! arrays and maps and at most `max_depth` levels; parsing exactly the bytes
//! it used gives the same reply.

#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_preflight::probe::resp::{parse_slice, Limits, RespValue};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Mutex, OnceLock};

/// Arrays and maps nested in each other (a scalar is 0).
fn depth(value: &RespValue) -> usize {
    match value {
        RespValue::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        RespValue::Map(pairs) => 1 + pairs.iter().map(|(k, v)| depth(k).max(depth(v))).max().unwrap_or(0),
        _ => 0,
    }
}

/// Values inside arrays and maps, counted as the parser spends them.
fn elements(value: &RespValue) -> usize {
    match value {
        RespValue::Array(items) => items.len() + items.iter().map(elements).sum::<usize>(),
        RespValue::Map(pairs) => 2 * pairs.len() + pairs.iter().map(|(k, v)| elements(k) + elements(v)).sum::<usize>(),
        _ => 0,
    }
}

fn check(data: &[u8], limits: &Limits) {
    let Ok((value, used)) = parse_slice(data, limits) else {
        return;
    };
    assert!(used > 0 && used <= data.len(), "used {used} of {} bytes", data.len());
    assert!(
        used <= limits.max_reply_bytes,
        "a reply of {used} bytes passed the limit of {}",
        limits.max_reply_bytes
    );
    assert!(
        depth(&value) <= limits.max_depth,
        "a reply {} levels deep passed the limit of {}",
        depth(&value),
        limits.max_depth
    );
    assert!(
        elements(&value) <= limits.max_elements,
        "a reply with {} elements passed the limit of {}",
        elements(&value),
        limits.max_elements
    );
    let again = parse_slice(&data[..used], limits);
    assert_eq!(
        again,
        Ok((value.clone(), used)),
        "parsing the bytes a reply used gives it again"
    );
    if let Some(text) = value.text() {
        let _ = text.len();
    }
    let mut masked = value;
    masked.mask("hunter22");
}

/// The parser runs on one worker thread with a small stack (spawned once, fed
/// through a channel), so recursion that only the byte budget bounds (4 MiB of
/// reply could nest a million levels) overflows at inputs of a few hundred
/// levels, which the fuzzer makes within its default input size, instead of
/// needing megabytes. The deepest legitimate reply (`max_depth` levels) needs
/// far less. `catch_stack_overflow` makes the overflow a crash libFuzzer saves.
/// 32 KiB optimised (a chain of about 100 RESP3 attributes overflows it); an
/// unoptimised build (`scripts/fuzz --smoke`) has frames about 8 times larger.
const WORKER_STACK: usize = if matches!(env!("FUZZ_OPT_LEVEL").as_bytes(), b"0") {
    256 * 1024
} else {
    32 * 1024
};

/// Inputs to the parser thread, and its "done" answers.
type Worker = Mutex<(Sender<Vec<u8>>, Receiver<()>)>;

fn worker() -> &'static Worker {
    static WORKER: OnceLock<Worker> = OnceLock::new();
    WORKER.get_or_init(|| {
        let (input_tx, input_rx) = channel::<Vec<u8>>();
        let (done_tx, done_rx) = channel::<()>();
        std::thread::Builder::new()
            .name("resp-parser".into())
            .stack_size(WORKER_STACK)
            .spawn(move || {
                redis_preflight_fuzz::catch_stack_overflow();
                for data in input_rx {
                    check(&data, &Limits::default());
                    check(
                        &data,
                        &Limits {
                            max_reply_bytes: 256,
                            max_elements: 16,
                            max_depth: 3,
                        },
                    );
                    if done_tx.send(()).is_err() {
                        break;
                    }
                }
            })
            .expect("cannot start the parser thread");
        Mutex::new((input_tx, done_rx))
    })
}

fuzz_target!(|data: &[u8]| {
    redis_preflight_fuzz::catch_stack_overflow();
    let worker = worker().lock().unwrap_or_else(|e| e.into_inner());
    worker.0.send(data.to_vec()).expect("the parser thread is running");
    // A panic on the worker (an oracle) aborts the process: libfuzzer-sys's panic hook.
    worker.1.recv().expect("the parser thread answered");
});
