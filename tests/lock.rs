//! The index lock against gt's: flock(1) and a program that locks the way gt's Go library does
//! (tests/peers.py golock) each exclude seance, and seance excludes each of them; the lock file
//! stays, 0600; /proc/locks shows a FLOCK lock (not POSIX/fcntl, which flock ignores).

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::crash::failpoint_bins;
use crate::util::uuid;
use crate::world::*;

const OTHER: &str = "/srv/other";

fn peers() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers.py")
}

/// A world with a session to stage and an index whose lock file exists.
fn world() -> (World, String, PathBuf) {
    let w = World::new();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    let index = w.write_index(&w.target(), r#"{"version":1,"entries":[],"originalPath":"/p"}"#);
    (w, id, PathBuf::from(format!("{}.lock", index.display())))
}

/// Starts the Go-style locker; returns once it has said whether it got the lock.
fn golock(lock: &Path, hold: &str) -> (Child, String) {
    let mut child = Command::new("python3")
        .arg(peers())
        .args(["golock".as_ref(), lock.as_os_str(), hold.as_ref()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut said).unwrap();
    (child, said.trim().to_string())
}

#[test]
fn a_go_style_holder_excludes_seance() {
    if !crate::docs::need("python3") {
        return;
    }
    let (w, id, lock) = world();
    let (mut holder, said) = golock(&lock, "30");
    assert_eq!(said, "locked");
    let before = read(&w.target().join("sessions-index.json"));
    let run = w.tool("seance-stage").args(["--lock-timeout", "300ms", &id]).run().code(4);
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert!(run.stderr.contains("lock not acquired within 300ms"), "{}", run.stderr);
    assert_eq!(read(&w.target().join("sessions-index.json")), before);
    assert!(!exists(&w.target().join(format!("{id}.jsonl"))));
    w.tool("seance-stage").args([&id]).run().ok();
}

/// Runs seance-stage paused while it holds the lock (failpoint `index.locked:pause`, 1.5 s),
/// and waits until /proc/locks shows the lock; returns the child and the /proc/locks line.
// The child is the caller's to wait for (clippy cannot see it leave with the return value).
#[allow(clippy::zombie_processes)]
fn seance_holding(w: &World, id: &str, lock: &Path) -> (Child, String) {
    let mut child = Command::new(failpoint_bins().join("seance-stage"))
        .arg(id)
        .env("HOME", &w.home)
        .env_remove("CLAUDE_CONFIG_DIR")
        .env("SEANCE_FAILPOINT", "index.locked:pause")
        .current_dir(&w.work)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        // seance creates the lock file: gt's, if gt has not yet.
        let inode = fs::metadata(lock).map(|m| m.ino()).unwrap_or(0);
        let locks = fs::read_to_string("/proc/locks").unwrap();
        let pid = format!(" {} ", child.id());
        if let Some(line) = locks.lines().find(|l| l.contains(&pid) && l.contains(&format!(":{inode} "))) {
            return (child, line.to_string());
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("seance never held the lock:\n{locks}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn seance_excludes_flock_and_the_go_style_locker_with_a_flock_lock() {
    if !crate::docs::need("python3") {
        return;
    }
    let (w, id, lock) = world();
    let (mut seance, line) = seance_holding(&w, &id, &lock);
    // flock(2), exclusive: what gt and flock(1) take, not an fcntl/POSIX lock.
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(&fields[1..4], ["FLOCK", "ADVISORY", "WRITE"], "{line}");
    let flock =
        Command::new("flock").args(["-n".as_ref(), lock.as_os_str(), "true".as_ref()]).status().unwrap();
    assert_eq!(flock.code(), Some(1), "flock(1) got the lock seance holds");
    // The Go-style locker retries every 100 ms: it gets the lock, but only after seance let go.
    let (mut go, said) = golock(&lock, "0");
    assert_eq!(said, "locked");
    let finished = seance.try_wait().unwrap();
    assert!(finished.is_some_and(|s| s.success()), "the Go-style locker got in while seance held the lock");
    go.wait().unwrap();
    seance.wait().unwrap();
    // gt's lock file: still there, 0600, and never emptied into anything else.
    let meta = fs::metadata(&lock).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(read(&w.target().join("sessions-index.json")).contains(&id));
}

#[test]
fn the_lock_file_is_created_0600_and_never_removed() {
    let w = World::new();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    let token = w.tool("seance-stage").args([&id]).run().ok().stdout;
    let lock = w.target().join("sessions-index.json.lock");
    assert_eq!(fs::metadata(&lock).unwrap().permissions().mode() & 0o777, 0o600);
    let inode = fs::metadata(&lock).unwrap().ino();
    w.tool("seance-unstage").args([token.trim()]).run().ok();
    w.tool("seance-gc").args(["--older-than", "0s", "-q"]).run().ok();
    // The same file: a lock file deleted and made again would let two holders in.
    assert_eq!(fs::metadata(&lock).unwrap().ino(), inode);
}
