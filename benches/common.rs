//! Timing shared by the benchmarks: medians of repeated runs, output read through a pipe.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const RUNS: usize = 5;

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Runs a command with its stdout read by us through a pipe, as a user's shell would. (Never
/// `>/dev/null`: GNU grep notices that and stops at the first match.)
pub fn time(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let out = cmd.stdout(Stdio::piped()).output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    start.elapsed()
}

/// The median of RUNS timings, after one run to warm caches.
pub fn median(mut f: impl FnMut() -> Duration) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..RUNS).map(|_| f()).collect();
    times.sort();
    times[RUNS / 2]
}
