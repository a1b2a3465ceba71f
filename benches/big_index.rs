//! Big-index benchmark (issue 11's cost budget), run with `cargo bench --bench big_index`.
//!
//! Stages a session into a project dir whose sessions-index.json holds about 1 MB, 20 MB and
//! 65 MB of entries (65 MB is 200,000 entries), and unstages it again. Reported for each size,
//! against `python3 -c 'import json,sys; json.load(open(sys.argv[1]))'` on the same file in the
//! same run: stage's wall time, how long it held the index lock (seen from outside: a probe
//! that tries the lock every millisecond), and its peak memory. Budgets: on the 20 MB index the
//! lock is held under 0.5 s, and every size uses under 4x the index's size in memory.

use std::fs;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::{RUNS, ms};

/// An entry shaped like Claude Code's, about 330 bytes as laid out here.
fn entry(n: usize) -> String {
    format!(
        r#"{{"sessionId":"{n:08x}-1111-4222-8333-{n:012x}","fullPath":"/p/{n:08x}-1111-4222-8333-{n:012x}.jsonl","fileMtime":1769076005000,"firstPrompt":"Plan?","summary":"Plan {n}","messageCount":{},"created":"2026-01-22T10:00:00.000Z","modified":"2026-01-22T10:00:05.000Z","projectPath":"/home/u/x","isSidechain":false}}"#,
        n % 97
    )
}

/// The child's peak resident set in bytes, from wait4(2), and its wall time.
fn run_measured(cmd: &mut Command) -> (Duration, u64, Vec<u8>) {
    let start = Instant::now();
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 writes into the two locals; the pid is our own child.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{cmd:?} failed");
    (start.elapsed(), usage.ru_maxrss as u64 * 1024, out)
}

/// Watches `lock` from another thread while `f` runs; returns the longest stretch it was held.
fn lock_held_during(lock: &Path, f: impl FnOnce()) -> Duration {
    let done = Arc::new(AtomicBool::new(false));
    let longest = Arc::new(Mutex::new(Duration::ZERO));
    let probe = {
        let (done, longest, lock) = (done.clone(), longest.clone(), lock.to_path_buf());
        std::thread::spawn(move || {
            let mut since: Option<Instant> = None;
            while !done.load(Ordering::SeqCst) {
                let Ok(file) = fs::File::open(&lock) else {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                };
                // SAFETY: flock on a descriptor we own.
                let free = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) } == 0;
                drop(file);
                match (free, since) {
                    (false, None) => since = Some(Instant::now()),
                    (true, Some(start)) => {
                        let mut l = longest.lock().unwrap();
                        *l = (*l).max(start.elapsed());
                        since = None;
                    }
                    _ => {}
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    f();
    done.store(true, Ordering::SeqCst);
    probe.join().unwrap();
    *longest.lock().unwrap()
}

fn main() {
    let bin = Path::new(env!("CARGO_BIN_EXE_seance")).parent().unwrap().to_path_buf();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data/big-index");
    let _ = fs::remove_dir_all(&root);
    let home = root.join("home");
    let one = home.join(".claude-accounts/one");
    let two = home.join(".claude-accounts/two");
    let work = root.join("town/gastown/crew/joe");
    fs::create_dir_all(&work).unwrap();
    fs::create_dir_all(one.join("projects")).unwrap();
    fs::create_dir_all(root.join("town/mayor")).unwrap();
    fs::write(
        root.join("town/mayor/accounts.json"),
        r#"{"version":1,"accounts":{"one":{"config_dir":"~/.claude-accounts/one"},"two":{"config_dir":"~/.claude-accounts/two"}}}"#,
    )
    .unwrap();
    std::os::unix::fs::symlink(&one, home.join(".claude")).unwrap();
    let work = work.canonicalize().unwrap();
    let name: String =
        work.to_string_lossy().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let target = one.join("projects").join(&name);
    fs::create_dir_all(&target).unwrap();
    let id = "46621448-3caa-4bbb-8ccc-123456789abc";
    let source = two.join("projects/-srv-other");
    fs::create_dir_all(&source).unwrap();
    fs::write(
        source.join(format!("{id}.jsonl")),
        r#"{"type":"user","message":{"role":"user","content":"hi"},"timestamp":"2026-01-22T10:00:00.000Z"}"#,
    )
    .unwrap();
    let index = target.join("sessions-index.json");
    let tool = |name: &str| {
        let mut cmd = Command::new(bin.join(name));
        cmd.env("HOME", &home).env_remove("CLAUDE_CONFIG_DIR").current_dir(&work);
        cmd
    };
    // What any run of the tool takes before it reads an index (code, libc, stacks): memory
    // beyond this is what the index costs.
    let (_, baseline, _) = run_measured(tool("seance-stage").arg("--help"));
    println!("stage + unstage of one session into a project dir with a big sessions-index.json");
    println!("(time: median of {RUNS}; lock: longest hold seen by a 1 ms probe; memory: peak RSS)");
    for (label, entries) in [("1 MB", 3_100usize), ("20 MB", 62_000), ("65 MB", 200_000)] {
        if std::env::var_os("BIG_INDEX_ONLY").is_some_and(|only| only != label) {
            continue;
        }
        let mut text = String::from("{\n  \"version\": 1,\n  \"entries\": [");
        for n in 0..entries {
            text.push_str(if n == 0 { "\n    " } else { ",\n    " });
            text.push_str(&entry(n));
        }
        text.push_str("\n  ],\n  \"originalPath\": \"/home/u/gt/rig/crew/joe\"\n}");
        fs::write(&index, &text).unwrap();
        let size = text.len() as f64;
        let mut python = Command::new("python3");
        python.args(["-c", "import json,sys; json.load(open(sys.argv[1]))"]).arg(&index);
        let (mut py_times, mut py_rss) = (Vec::new(), 0);
        let (mut times, mut holds, mut rss) = (Vec::new(), Vec::new(), 0);
        for _ in 0..RUNS {
            let (took, peak, _) = run_measured(&mut python);
            py_times.push(took);
            py_rss = py_rss.max(peak);
            let mut token = Vec::new();
            let held = lock_held_during(&index.with_file_name("sessions-index.json.lock"), || {
                let (took, peak, out) = run_measured(tool("seance-stage").arg(id));
                times.push(took);
                rss = rss.max(peak);
                token = out;
            });
            holds.push(held);
            let token = String::from_utf8(token).unwrap();
            let undo = tool("seance-unstage").arg(token.trim()).status().unwrap();
            assert!(undo.success());
        }
        assert_eq!(fs::read_to_string(&index).unwrap(), text, "stage + unstage changed the index");
        let median = |v: &mut Vec<Duration>| {
            v.sort();
            v[v.len() / 2]
        };
        let (stage, hold, py) = (median(&mut times), median(&mut holds), median(&mut py_times));
        let mb = |bytes: f64| bytes / 1e6;
        println!(
            "{label:>6} ({entries} entries, {:.1} MB): stage {:7.1} ms = {:5.2}x python | lock held {:6.1} ms{} | \
             peak {:6.1} MB, {:4.2}x the index beyond the tool's {:.1} MB baseline{} ({:4.2}x python's {:.1} MB)",
            mb(size),
            ms(stage),
            stage.as_secs_f64() / py.as_secs_f64(),
            ms(hold),
            if label == "20 MB" {
                if hold < Duration::from_millis(500) {
                    " (budget 0.5 s: ok)"
                } else {
                    " (budget 0.5 s: OVER BUDGET)"
                }
            } else {
                ""
            },
            mb(rss as f64),
            (rss - baseline) as f64 / size,
            mb(baseline as f64),
            if ((rss - baseline) as f64) / size < 4.0 {
                " (budget 4x: ok)"
            } else {
                " (budget 4x: OVER BUDGET)"
            },
            rss as f64 / py_rss as f64,
            mb(py_rss as f64),
        );
        println!("{:>6}  python3 json.load: {:7.1} ms", "", ms(py));
    }
    if std::env::var_os("BIG_INDEX_KEEP").is_none() {
        let _ = fs::remove_dir_all(&root);
    }
}
