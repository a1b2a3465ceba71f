//! Hostile inputs not covered elsewhere; tests/HOSTILE.md lists every bad input tried, with the
//! test that backs each row, and the last test here keeps that table honest.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::util::uuid;
use crate::world::*;

const OTHER: &str = "/srv/other";

fn staged_world() -> (World, String) {
    let w = World::new();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    fs::create_dir_all(w.target()).unwrap();
    (w, id)
}

#[test]
fn odd_index_files_are_refused_untouched() {
    let (w, id) = staged_world();
    let index = w.target().join("sessions-index.json");
    for odd in [
        "",
        "\u{feff}{\"version\":1,\"entries\":[]}",
        "null",
        "{\"version\":\"1\",\"entries\":[]}",
        "{\"version\":1}",
    ] {
        fs::write(&index, odd).unwrap();
        let run = w.tool("seance-stage").args([&id]).run().code(5);
        assert!(
            run.stderr.starts_with(&format!("seance-stage: {}: ", index.display())),
            "{odd:?}: {}",
            run.stderr
        );
        assert_eq!(read(&index), odd);
        assert!(!exists(&w.target().join(format!("{id}.jsonl"))), "{odd:?}");
    }
    // An index that is a symlink (to a valid index elsewhere) is not followed or rewritten.
    let elsewhere = w.home.join("elsewhere.json");
    fs::write(&elsewhere, r#"{"version":1,"entries":[]}"#).unwrap();
    fs::remove_file(&index).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &index).unwrap();
    w.tool("seance-stage").args([&id]).run().code(5);
    assert_eq!(read(&elsewhere), r#"{"version":1,"entries":[]}"#);
    assert!(is_link(&index));
}

#[test]
fn what_is_in_the_way_of_the_link_is_left_alone() {
    let (w, id) = staged_world();
    let name = w.target().join(format!("{id}.jsonl"));
    // A directory, and a link to a directory.
    fs::create_dir(&name).unwrap();
    let run = w.tool("seance-stage").args([&id]).run().code(5);
    assert!(run.stderr.contains("left alone"), "{}", run.stderr);
    assert!(name.is_dir());
    fs::remove_dir(&name).unwrap();
    std::os::unix::fs::symlink(&w.home, &name).unwrap();
    let run = w.tool("seance-stage").args([&id]).run().code(5);
    assert!(run.stderr.contains("left alone"), "{}", run.stderr);
    assert_eq!(fs::read_link(&name).unwrap(), w.home);
    // gc leaves a live link to a directory alone too: no stage makes one.
    w.tool("seance-gc").args(["--older-than", "0s", "-q"]).run().ok();
    assert_eq!(fs::read_link(&name).unwrap(), w.home);
}

#[test]
fn a_read_only_project_dir_is_a_clear_error_with_nothing_changed() {
    let (w, id) = staged_world();
    let index = w.write_index(&w.target(), r#"{"version":1,"entries":[],"originalPath":"/p"}"#);
    let stage = crate::util::bin("seance-stage");
    // root writes through any mode, so as root the dir is made read-only by a read-only bind
    // mount in a private mount namespace instead.
    let run = if unsafe { libc::geteuid() } == 0 {
        let dir = w.target().display().to_string();
        let script = format!(
            "mount --bind '{dir}' '{dir}' && mount -o remount,bind,ro '{dir}' && exec '{}' '{id}'",
            stage.display()
        );
        w.tool("seance-stage").program("unshare", ["-m", "sh", "-c", &script]).run()
    } else {
        fs::set_permissions(w.target(), fs::Permissions::from_mode(0o500)).unwrap();
        let run = w.tool("seance-stage").args([&id]).run();
        fs::set_permissions(w.target(), fs::Permissions::from_mode(0o700)).unwrap();
        run
    };
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("Permission denied") || run.stderr.contains("Read-only file system"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&index), "{\n  \"version\": 1,\n  \"entries\": [],\n  \"originalPath\": \"/p\"\n}");
}

#[test]
fn a_project_dir_that_is_a_symlink_is_refused() {
    let w = World::new();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    let elsewhere = w.home.join("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    fs::create_dir_all(w.target().parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&elsewhere, w.target()).unwrap();
    let run = w.tool("seance-stage").args([&id]).run();
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0, "wrote through the symlink");
}

/// The lock file is opened without following links (a link would let anyone who can write the
/// project dir make us create or lock a file elsewhere); one that is not a file is an I/O error.
#[test]
fn a_lock_file_that_is_a_symlink_or_a_directory_is_refused() {
    let (w, id) = staged_world();
    let index = w.write_index(&w.target(), r#"{"version":1,"entries":[]}"#);
    let before = read(&index);
    let lock = w.target().join("sessions-index.json.lock");
    let elsewhere = w.home.join("elsewhere.lock");
    std::os::unix::fs::symlink(&elsewhere, &lock).unwrap();
    let run = w.tool("seance-stage").args([&id]).run().code(5);
    assert_eq!(
        run.stderr,
        format!("seance-stage: {}: is a symlink; refusing to lock through it\n", lock.display())
    );
    assert!(!exists(&elsewhere), "created through the link");
    fs::remove_file(&lock).unwrap();
    fs::create_dir(&lock).unwrap();
    // A file seance would write that is not a regular file is refused like a symlink (exit 5).
    let run = w.tool("seance-stage").args([&id]).run().code(5);
    assert_eq!(
        run.stderr,
        format!(
            "seance-stage: {}: is a directory, not a regular file; refusing to lock it\n",
            lock.display()
        )
    );
    // Either way nothing was changed: no link, the index as it was.
    assert!(!exists(&w.target().join(format!("{id}.jsonl"))));
    assert_eq!(read(&index), before);
}

#[test]
fn names_with_newlines_and_stray_files_are_not_ours() {
    let (w, _) = staged_world();
    let target = w.target();
    let odd = ["a\nb.jsonl", "notes.txt", "-rf.jsonl", "x\ny"];
    for name in odd {
        std::os::unix::fs::symlink("/gone", target.join(name)).unwrap();
    }
    fs::write(target.join("sessions-index.json.tmp"), "{").unwrap();
    let run = w.tool("seance-gc").args(["--older-than", "0s", "--json"]).run().ok();
    assert_eq!(run.stdout, "");
    for name in odd {
        assert!(is_link(&target.join(name)), "{name:?}");
    }
    assert!(exists(&target.join("sessions-index.json.tmp")), "old Claude's temp file is not ours");
}

#[test]
fn huge_and_binary_tokens_and_ids() {
    let (w, _) = staged_world();
    let huge = format!("seance1.{}\n", "A".repeat(1 << 20));
    let run = w.tool("seance-unstage").stdin(&huge).run().code(5);
    assert_eq!(run.stderr.lines().count(), 1);
    assert!(run.stderr.len() < 300, "the error echoes the whole token");
    let run = w.tool("seance-unstage").stdin(b"\xff\xfe\x00token\n").run().code(2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    let run = w.tool("seance-stage").stdin(format!("{}\n", "f".repeat(1 << 20))).run().code(2);
    assert_eq!(run.stderr.lines().count(), 1);
    assert!(run.stderr.len() < 300);
}

#[test]
fn a_transcript_that_is_not_a_regular_file_is_not_found() {
    let w = World::new();
    let id = uuid(1);
    let dir = w.project(&w.two, Path::new(OTHER));
    fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join(format!("{id}.jsonl"));
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let run = w.tool("seance-stage").args([&id]).run().code(3);
    assert!(run.stderr.contains(&id), "{}", run.stderr);
    assert!(!exists(&w.target()));
}

/// Every row of tests/HOSTILE.md names a test that exists.
#[test]
fn the_hostile_inputs_table_names_real_tests() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let table = fs::read_to_string(dir.join("HOSTILE.md")).unwrap();
    let mut sources = String::new();
    for entry in fs::read_dir(&dir).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "rs") {
            sources += &fs::read_to_string(entry.path()).unwrap();
        }
    }
    sources += &fs::read_to_string(dir.join("../bins/kit/core/index.rs")).unwrap();
    sources += &fs::read_to_string(dir.join("../bins/kit/core/token.rs")).unwrap();
    sources += &fs::read_to_string(dir.join("../bins/kit/core/sessions.rs")).unwrap();
    let rows: Vec<&str> =
        table.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| input")).collect();
    assert!(rows.len() >= 25, "{} rows", rows.len());
    for row in rows {
        let test = row.rsplit('|').nth(1).unwrap().trim().trim_matches('`');
        let name = test.rsplit("::").next().unwrap();
        assert!(sources.contains(&format!("fn {name}(")), "HOSTILE.md names {test}, which does not exist");
    }
}

#[test]
fn a_deeply_nested_index_is_refused_not_re_indented() {
    // 20 KB of brackets: re-indented, 10,000 levels would be some 200 MB of spaces.
    let (w, id) = staged_world();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let text =
        format!(r#"{{"version":1,"entries":[{{"sessionId":"other","x":{deep}}}],"originalPath":"/p"}}"#);
    let index = w.target().join("sessions-index.json");
    fs::write(&index, &text).unwrap();
    let run = w.tool("seance-stage").args([&id]).run().code(5);
    assert_eq!(
        run.stderr,
        format!("seance-stage: {}: nested deeper than 64 levels; left untouched\n", index.display())
    );
    assert_eq!(read(&index), text);
    assert!(!exists(&w.target().join(format!("{id}.jsonl"))));
    // Just under the limit is an index like any other.
    let ok = format!("{}{}", "[".repeat(60), "]".repeat(60));
    fs::write(&index, format!(r#"{{"version":1,"entries":[{{"sessionId":"other","x":{ok}}}]}}"#)).unwrap();
    w.tool("seance-stage").args([&id]).run().ok();
    assert!(fs::metadata(&index).unwrap().len() < 20_000);
}
