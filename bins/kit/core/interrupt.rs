//! A signal that should stop work before it commits to anything: `seance --talk` catches
//! SIGINT, SIGTERM and SIGHUP while it stages, and a lock wait gives up as soon as one arrives,
//! so a Ctrl-C during a wait for gt's lock undoes the stage instead of being swallowed.

use std::sync::atomic::{AtomicI32, Ordering};

use crate::core::error::{Code, Error, Result};

static PENDING: AtomicI32 = AtomicI32::new(0);

/// Notes that `signal` arrived. Async-signal-safe: a handler may call it.
pub fn note(signal: i32) {
    PENDING.store(signal, Ordering::SeqCst);
}

/// The signal that arrived, if any, as an error that exits 128 + its number.
pub fn check() -> Result<()> {
    match PENDING.load(Ordering::SeqCst) {
        0 => Ok(()),
        signal => Err(Error::new(Code::Other(128 + signal), format!("interrupted by signal {signal}"))),
    }
}

/// Forgets a noted signal (once the agent runs, signals are forwarded to it instead).
pub fn clear() {
    PENDING.store(0, Ordering::SeqCst);
}
