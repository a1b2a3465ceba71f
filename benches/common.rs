//! Timing shared by the benchmarks: medians of repeated runs, output read through a pipe, and
//! the report line that compares a command with a reference run beside it.
// Each bench includes this file as a module of its own and uses only part of it.
#![allow(dead_code)]

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

/// As [`time`], for a command that exits 1 when it finds nothing (as grep and rg do).
pub fn time_found_or_not(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let out = cmd.stdout(Stdio::piped()).output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    start.elapsed()
}

/// The median of RUNS timings, after one run to warm caches.
pub fn median(mut f: impl FnMut() -> Duration) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..RUNS).map(|_| f()).collect();
    times.sort();
    times[RUNS / 2]
}

/// A report line: `took`, its ratio to `against` (the reference command, measured in the same
/// run, since the machines are shared and noisy), and whether the ratio is within `budget`.
pub fn versus(label: &str, took: Duration, reference: &str, against: Duration, budget: f64) {
    let ratio = took.as_secs_f64() / against.as_secs_f64();
    let verdict = if ratio <= budget { "ok" } else { "OVER BUDGET" };
    println!("{label:<34} {:8.1} ms  {ratio:6.3}x {reference:<6}  (budget {budget}x)  {verdict}", ms(took));
}

/// A report line for a comparison the issue sets no budget for.
pub fn beside(label: &str, took: Duration, reference: &str, against: Duration) {
    let ratio = took.as_secs_f64() / against.as_secs_f64();
    println!("{label:<34} {:8.1} ms  {ratio:6.3}x {reference:<6}  (no budget, for scale)", ms(took));
}

/// The child's own peak resident set, in KB, from wait4(2).
pub fn peak_rss_kb(cmd: &mut Command) -> i64 {
    usage(cmd).0
}

/// The child's own peak resident set (KB) and CPU time (user + system), from wait4(2); its
/// stdout goes to /dev/null.
pub fn usage(cmd: &mut Command) -> (i64, Duration) {
    let child = cmd.stdout(Stdio::null()).spawn().unwrap();
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 writes into the two locals; the pid is our own child.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (usage.ru_maxrss, time(usage.ru_utime) + time(usage.ru_stime))
}
