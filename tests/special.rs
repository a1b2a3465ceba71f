//! Special files (a FIFO, a socket, a device) where a regular file is expected: refused with one
//! line naming them, exit 5 for a file seance would write (index, lock) and 2 for one it only
//! reads, and never waited on. Each run is given a deadline: a hang fails the test instead of
//! stalling the suite.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::util::{Town, start, uuid};
use crate::world::*;

const OTHER: &str = "/srv/other";
/// Far longer than any of these runs takes, far shorter than forever.
const DEADLINE: Duration = Duration::from_secs(20);

fn mkfifo(path: &Path) {
    assert!(std::process::Command::new("mkfifo").arg(path).status().unwrap().success());
}

/// A world with session 1 in account two, its event in the log, and the target dir made.
fn world() -> (World, String) {
    let w = World::new();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    w.events(&[&id]);
    fs::create_dir_all(w.target()).unwrap();
    (w, id)
}

fn link(w: &World, id: &str) -> PathBuf {
    w.target().join(format!("{id}.jsonl"))
}

#[test]
fn a_fifo_as_the_target_index_is_refused_before_the_lock() {
    let (w, id) = world();
    let index = w.target().join("sessions-index.json");
    mkfifo(&index);
    let run = w.tool("seance-stage").args(["--lock-timeout", "1s", &id]).run_within(DEADLINE).code(5);
    assert_eq!(
        run.stderr,
        format!("seance-stage: {}: is a FIFO, not a regular file; left untouched\n", index.display())
    );
    assert!(!exists(&link(&w, &id)), "the stage was not undone");
    // Refused before locking: the lock file was never even created.
    assert!(!exists(&w.target().join("sessions-index.json.lock")));
    // A socket likewise.
    fs::remove_file(&index).unwrap();
    // Bound where the path is short enough for a socket address, then moved into place.
    let short = tempfile::tempdir().unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(short.path().join("s")).unwrap();
    fs::rename(short.path().join("s"), &index).unwrap();
    let run = w.tool("seance-stage").args([&id]).run_within(DEADLINE).code(5);
    assert!(run.stderr.contains("is a socket, not a regular file"), "{}", run.stderr);
}

#[test]
fn a_fifo_as_the_index_is_refused_by_unstage_and_gc() {
    let (w, id) = world();
    let token = w.tool("seance-stage").args([&id]).run_within(DEADLINE).ok().stdout;
    let index = w.target().join("sessions-index.json");
    fs::remove_file(&index).unwrap();
    mkfifo(&index);
    let run = w.tool("seance-unstage").args([token.trim()]).run_within(DEADLINE).code(5);
    assert!(run.stderr.contains(&format!("{}: is a FIFO", index.display())), "{}", run.stderr);
    // gc meets it too, with a stale link to collect beside it.
    let run = w.tool("seance-gc").args(["--older-than", "0s"]).run_within(DEADLINE).code(5);
    assert!(run.stderr.contains(&format!("{}: is a FIFO", index.display())), "{}", run.stderr);
    assert!(is_link(&link(&w, &id)), "gc removed a link whose entry it could not check");
}

#[test]
fn a_fifo_as_the_source_index_is_an_error_naming_it() {
    let (w, id) = world();
    let source_index = w.project(&w.two, Path::new(OTHER)).join("sessions-index.json");
    mkfifo(&source_index);
    let run = w.tool("seance-stage").args([&id]).run_within(DEADLINE).code(2);
    assert_eq!(
        run.stderr,
        format!("seance-stage: {}: is a FIFO, not a regular file\n", source_index.display())
    );
    assert!(!exists(&link(&w, &id)), "the link of a failed stage was left");
    assert!(!exists(&w.target().join("sessions-index.json")));
}

#[test]
fn a_fifo_or_a_device_as_the_lock_is_refused() {
    let (w, id) = world();
    let lock = w.target().join("sessions-index.json.lock");
    mkfifo(&lock);
    let run = w.tool("seance-stage").args(["--lock-timeout", "1s", &id]).run_within(DEADLINE).code(5);
    assert_eq!(
        run.stderr,
        format!("seance-stage: {}: is a FIFO, not a regular file; refusing to lock it\n", lock.display())
    );
    assert!(!exists(&link(&w, &id)));
}

#[test]
fn a_fifo_or_a_device_as_accounts_json_is_refused() {
    let (w, id) = world();
    let accounts = w.town.join("mayor/accounts.json");
    fs::remove_file(&accounts).unwrap();
    mkfifo(&accounts);
    for tool in ["seance-stage", "seance-show"] {
        let run = w.tool(tool).args([&id]).run_within(DEADLINE).code(2);
        assert_eq!(run.stderr, format!("{tool}: {}: is a FIFO, not a regular file\n", accounts.display()));
    }
    // A device that never ends (reading it whole would never finish).
    fs::remove_file(&accounts).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &accounts).unwrap();
    let run = w.tool("seance-stage").args([&id]).run_within(DEADLINE).code(2);
    assert!(run.stderr.contains("is a character device, not a regular file"), "{}", run.stderr);
    assert!(!exists(&link(&w, &id)));
}

#[test]
fn a_fifo_as_the_event_log_is_refused_by_every_reader() {
    let (w, id) = world();
    let log = w.town.join(".events.jsonl");
    fs::remove_file(&log).unwrap();
    mkfifo(&log);
    let expected = |tool: &str| format!("{tool}: {}: is a FIFO, not a regular file\n", log.display());
    let run = w.tool("seance-events").run_within(DEADLINE).code(2);
    assert_eq!(run.stderr, expected("seance-events"));
    let run = w.tool("seance").run_within(DEADLINE).code(2);
    assert_eq!(run.stderr, expected("seance"));
    let run = w.tool("seance-events").args(["--follow"]).run_within(DEADLINE).code(2);
    assert_eq!(run.stderr, expected("seance-events"));
    // A prefix is resolved against the log too: said, not waited on.
    let prefix = &id[..8];
    for tool in ["seance-stage", "seance-show"] {
        let run = w.tool(tool).args([prefix]).run_within(DEADLINE).code(2);
        assert_eq!(run.stderr, expected(tool));
    }
    assert!(!exists(&link(&w, prefix)) && !exists(&link(&w, &id)));
    // Completion candidates stay quiet, and do not hang the shell.
    w.tool("seance").args(["--complete", "session"]).run_within(DEADLINE).ok();
    // The full id needs no log at all.
    w.tool("seance-stage").args([&id]).run_within(DEADLINE).ok();
}

#[test]
fn a_transcript_replaced_by_a_fifo_is_not_read() {
    let (w, id) = world();
    let transcript = w.project(&w.two, Path::new(OTHER)).join(format!("{id}.jsonl"));
    fs::remove_file(&transcript).unwrap();
    mkfifo(&transcript);
    let run = w.tool("seance-show").args([&id]).run_within(DEADLINE).code(3);
    assert!(run.stderr.contains(&id), "{}", run.stderr);
}

#[test]
fn a_fifo_named_with_events_is_a_stream_on_purpose() {
    let town = Town::new();
    let fifo = town.root.join("feed");
    mkfifo(&fifo);
    let line = start("2026-01-22T10:00:00Z", "mayor", &uuid(4), None);
    let writer = {
        let (fifo, line) = (fifo.clone(), line.clone());
        std::thread::spawn(move || fs::write(fifo, line + "\n").unwrap())
    };
    let run =
        town.tool("seance-events").args(["--events".as_ref(), fifo.as_os_str()]).run_within(DEADLINE).ok();
    writer.join().unwrap();
    assert_eq!(run.stdout, line + "\n");
}

#[test]
fn a_fifo_as_town_json_is_never_opened() {
    let town = Town::new();
    let town_json = town.root.join("mayor/town.json");
    fs::remove_file(&town_json).unwrap();
    mkfifo(&town_json);
    town.write_log(&[start("2026-01-22T10:00:00Z", "mayor", &uuid(5), None)]);
    let run = town.tool("seance-events").run_within(DEADLINE).ok();
    assert_eq!(run.lines().len(), 1);
}
