//! seance-gc, the lock against flock(1), concurrency and kill -9.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::uuid;
use crate::world::*;

const OTHER: &str = "/srv/other";

/// Stages `ids` (sessions in account two) and returns their tokens.
fn stage(w: &World, ids: &[String]) -> Vec<String> {
    for id in ids {
        w.session(&w.two, Path::new(OTHER), id);
    }
    let run = w.tool("seance-stage").args(ids).run().ok();
    run.stdout.lines().map(str::to_string).collect()
}

#[test]
fn gc_removes_orphans_with_their_entries_and_keeps_the_rest() {
    let w = World::new();
    let (gone, kept) = (uuid(1), uuid(2));
    stage(&w, &[gone.clone(), kept.clone()]);
    let index = w.target().join("sessions-index.json");
    // The source of one disappears: its link dangles.
    fs::remove_file(w.project(&w.two, Path::new(OTHER)).join(format!("{gone}.jsonl"))).unwrap();
    // Nothing else of anyone's is touched: a regular transcript, a foreign dangling non-session
    // link, an entry without a link.
    let own = w.session(&w.one, &w.work, &uuid(3));
    std::os::unix::fs::symlink("/nowhere", w.target().join("notes.txt")).unwrap();
    let dry = w.tool("seance-gc").args(["--dry-run"]).run().ok();
    assert_eq!(
        dry.stdout,
        format!(
            "would remove session {gone}'s entry in {} (orphan)\nwould remove session {gone}'s link {} (orphan)\n",
            index.display(),
            w.target().join(format!("{gone}.jsonl")).display()
        )
    );
    let run = w.tool("seance-gc").args(["--json"]).run().code(0);
    let records: Vec<serde_json::Value> =
        run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["kind"], "entry");
    assert_eq!(
        records[1],
        serde_json::json!({"action":"removed","kind":"link","path":w.target().join(format!("{gone}.jsonl")).display().to_string(),"session_id":gone,"reason":"orphan"})
    );
    assert_eq!(
        run.stderr,
        "seance-gc: removed 1 session link(s), 0 sidecar link(s), 1 index entry, 0 temp file(s)\n"
    );
    assert!(!exists(&w.target().join(format!("{gone}.jsonl"))));
    assert!(is_link(&w.target().join(format!("{kept}.jsonl"))));
    let text = read(&index);
    assert!(!text.contains(&gone) && text.contains(&kept));
    assert!(own.is_file() && is_link(&w.target().join("notes.txt")));
    // Nothing left to do: silent, for cron.
    w.tool("seance-gc").run().ok();
    assert_eq!(w.tool("seance-gc").run().ok().stdout, "");
}

#[test]
fn older_than_removes_stale_stages_and_quiet_says_nothing() {
    let w = World::new();
    let tokens = stage(&w, &[uuid(1)]);
    w.tool("seance-gc").args(["--older-than", "1h"]).run().ok();
    assert!(is_link(&w.target().join(format!("{}.jsonl", uuid(1)))));
    // Both the link and its entry are removed as stale, not orphan.
    let dry = w.tool("seance-gc").args(["--older-than", "0s", "--dry-run", "--json"]).run().ok();
    let index = w.target().join("sessions-index.json");
    let link = w.target().join(format!("{}.jsonl", uuid(1)));
    assert_eq!(
        dry.stdout,
        format!(
            "{}\n{}\n",
            serde_json::json!({"action":"would_remove","kind":"entry","path":index,"session_id":uuid(1),"reason":"stale"}),
            serde_json::json!({"action":"would_remove","kind":"link","path":link,"session_id":uuid(1),"reason":"stale"})
        )
    );
    let run = w.tool("seance-gc").args(["--older-than", "0s", "-q"]).run().ok();
    assert_eq!(run.stdout, "");
    assert!(!exists(&w.target().join(format!("{}.jsonl", uuid(1)))));
    assert!(!read(&w.target().join("sessions-index.json")).contains(&uuid(1)));
    // Unstaging after gc has nothing to do.
    w.tool("seance-unstage").args(&tokens).run().ok();
}

/// The summary counts each kind on its own (a sidecar or a temp file alone is worth a line) and
/// is left out by --dry-run and --quiet.
#[test]
fn the_summary_counts_every_kind_and_only_a_real_run_prints_it() {
    let w = World::new();
    fs::create_dir_all(w.target()).unwrap();
    let sidecar = w.target().join(uuid(7));
    std::os::unix::fs::symlink("/nowhere", &sidecar).unwrap();
    let temp = w.target().join(".seance-tmp-1-2-sessions-index.json");
    fs::write(&temp, "{").unwrap();
    let summary = |sidecars: usize, temps: usize| {
        format!(
            "seance-gc: removed 0 session link(s), {sidecars} sidecar link(s), 0 index entries, {temps} temp file(s)\n"
        )
    };
    let dry = w.tool("seance-gc").args(["--dry-run"]).run().ok();
    assert_eq!(dry.stderr, "");
    assert!(is_link(&sidecar) && temp.is_file());
    w.tool("seance-gc").args(["-q"]).run().ok();
    assert!(!is_link(&sidecar) && !exists(&temp));
    std::os::unix::fs::symlink("/nowhere", &sidecar).unwrap();
    assert_eq!(w.tool("seance-gc").run().code(0).stderr, summary(1, 0));
    fs::write(&temp, "{").unwrap();
    assert_eq!(w.tool("seance-gc").run().code(0).stderr, summary(0, 1));
}

#[test]
fn a_corrupt_index_is_reported_and_the_rest_proceeds() {
    let w = World::new();
    stage(&w, &[uuid(1)]);
    fs::remove_file(w.project(&w.two, Path::new(OTHER)).join(format!("{}.jsonl", uuid(1)))).unwrap();
    // A second project dir with an orphan and a corrupt index.
    let other = w.one.join("projects/-somewhere-else");
    fs::create_dir_all(&other).unwrap();
    std::os::unix::fs::symlink("/gone/x.jsonl", other.join(format!("{}.jsonl", uuid(2)))).unwrap();
    fs::write(other.join("sessions-index.json"), "{broken").unwrap();
    let run = w.tool("seance-gc").run().code(5);
    assert!(
        run.stderr.contains(&format!("{}: does not parse", other.join("sessions-index.json").display())),
        "{}",
        run.stderr
    );
    assert_eq!(read(&other.join("sessions-index.json")), "{broken");
    assert!(is_link(&other.join(format!("{}.jsonl", uuid(2)))));
    assert!(!exists(&w.target().join(format!("{}.jsonl", uuid(1)))));
}

#[test]
fn config_dirs_and_all_accounts() {
    let w = World::new();
    let dangling = |account: &Path, n: u32| {
        let dir = account.join("projects/-p");
        fs::create_dir_all(&dir).unwrap();
        let link = dir.join(format!("{}.jsonl", uuid(n)));
        std::os::unix::fs::symlink("/gone", &link).unwrap();
        link
    };
    let (in_one, in_two) = (dangling(&w.one, 1), dangling(&w.two, 2));
    w.tool("seance-gc").args(["-q".as_ref(), "--config-dir".as_ref(), w.two.as_os_str()]).run().ok();
    assert!(exists(&in_one) && !exists(&in_two));
    let in_two = dangling(&w.two, 3);
    w.tool("seance-gc").args(["-q", "--all-accounts"]).cwd(&w.town).run().ok();
    assert!(!exists(&in_one) && !exists(&in_two));
}

fn wait_for_lock(lock: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Command::new("flock")
        .args(["-n".as_ref(), lock.as_os_str(), "true".as_ref()])
        .status()
        .unwrap()
        .success()
    {
        assert!(Instant::now() < deadline, "flock(1) never took the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_lock_held_by_flock_gives_exit_4_in_time_and_leaves_nothing() {
    let w = World::new();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    let index = w.write_index(
        &w.target(),
        &format!(r#"{{"version":1,"entries":[],"originalPath":"{}"}}"#, w.work.display()),
    );
    let lock = PathBuf::from(format!("{}.lock", index.display()));
    let hold = || {
        let holder = Command::new("flock")
            .args(["--no-fork".as_ref(), lock.as_os_str(), "sleep".as_ref(), "30".as_ref()])
            .spawn()
            .unwrap();
        wait_for_lock(&lock);
        holder
    };
    let mut holder = hold();
    let before = read(&index);
    let started = Instant::now();
    let run = w.tool("seance-stage").args(["--lock-timeout", "300ms", &id]).run().code(4);
    let took = started.elapsed();
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(run.stderr.contains("lock not acquired within 300ms"), "{}", run.stderr);
    assert_eq!(read(&index), before);
    assert!(!exists(&w.target().join(format!("{id}.jsonl"))));
    // The lock file is gt's: still there (flock(1) made it here), and ours to take again.
    assert!(lock.is_file());
    let token = w.tool("seance-stage").args([&id]).run().ok().stdout;
    // unstage and gc take the same flag and give up the same way.
    let mut holder = hold();
    let staged = read(&index);
    for (tool, arg) in [("seance-unstage", token.trim()), ("seance-gc", "--older-than=0s")] {
        let run = w.tool(tool).args(["--lock-timeout", "300ms", arg]).run().code(4);
        assert!(run.stderr.contains("lock not acquired within 300ms"), "{tool}: {}", run.stderr);
        assert_eq!(read(&index), staged, "{tool}");
        assert!(is_link(&w.target().join(format!("{id}.jsonl"))), "{tool}");
    }
    holder.kill().unwrap();
    holder.wait().unwrap();
    w.tool("seance-unstage").args([token.trim()]).run().ok();
}

#[test]
fn concurrent_stages_and_unstages_lose_nothing_and_readers_never_see_a_torn_file() {
    let w = World::new();
    let index = w.write_index(
        &w.target(),
        &format!(r#"{{"version":1,"entries":[{{"sessionId":"pre-existing","n":267777777777777777777777}}],"originalPath":"{}","x":1}}"#, w.work.display()),
    );
    let before = read(&index);
    let ids: Vec<String> = (1..=24).map(uuid).collect();
    for id in &ids {
        w.session(&w.two, Path::new(OTHER), id);
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (stop, index) = (stop.clone(), index.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let text = fs::read_to_string(&index).unwrap();
                serde_json::from_str::<serde_json::Value>(&text)
                    .unwrap_or_else(|e| panic!("torn read: {e}\n{text}"));
                reads += 1;
            }
            reads
        })
    };
    let spawn = |name: &str, arg: &str| {
        let mut tool = w.tool(name).args([arg]);
        tool.cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
    };
    let children: Vec<_> = ids.iter().map(|id| spawn("seance-stage", id)).collect();
    let tokens: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        })
        .collect();
    let staged: serde_json::Value = serde_json::from_str(&read(&index)).unwrap();
    assert_eq!(staged["entries"].as_array().unwrap().len(), 25);
    let children: Vec<_> = tokens.iter().map(|t| spawn("seance-unstage", t)).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(reader.join().unwrap() > 0);
    assert_eq!(read(&index), before);
}

#[test]
fn kill_9_during_stages_then_gc_restores_the_index_exactly() {
    let w = World::new();
    let index = w.write_index(
        &w.target(),
        &format!(r#"{{"version":1,"entries":[{{"sessionId":"keep","big":267777777777777777777777}}],"originalPath":"{}"}}"#, w.work.display()),
    );
    let before = read(&index);
    let ids: Vec<String> = (1..=40).map(uuid).collect();
    for id in &ids {
        let source = w.session(&w.two, Path::new(OTHER), id);
        fs::create_dir_all(source.with_extension("")).unwrap(); // a sidecar too
    }
    for delay_ms in [0u64, 2, 5, 10, 20, 40] {
        let mut tool = w.tool("seance-stage").args(&ids);
        let mut child = tool.cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        serde_json::from_str::<serde_json::Value>(&read(&index)).expect("the index parses after kill -9");
        w.tool("seance-gc").args(["--older-than", "0s", "-q"]).run().ok();
        assert_eq!(read(&index), before, "after a kill at {delay_ms} ms");
        let left: Vec<String> = fs::read_dir(w.target())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "sessions-index.json" && n != "sessions-index.json.lock")
            .collect();
        assert!(left.is_empty(), "left behind after a kill at {delay_ms} ms: {left:?}");
    }
}

/// A stage killed while writing its record leaves a temp record in seance's state dir (SPEC 3,
/// "Crash-safe": gc removes temp files of ours); gc removes it and nothing else there.
#[test]
fn a_temp_stage_record_left_by_a_crash_is_removed() {
    let w = World::new();
    let id = uuid(3);
    let tokens = stage(&w, std::slice::from_ref(&id));
    let name = w.target().file_name().unwrap().to_owned();
    let state = w.one.join(".seance/stages").join(name);
    let record = state.join(format!("{id}.stage"));
    let before = read(&record);
    let temp = state.join(format!(".{id}.stage.0123456789abcdef"));
    fs::write(&temp, "{").unwrap();
    // Not ours by name: left alone.
    let other = state.join(".notes");
    fs::write(&other, "mine").unwrap();
    let dry = w.tool("seance-gc").args(["--dry-run"]).run().ok();
    assert_eq!(dry.stdout, format!("would remove temp {} (crash)\n", temp.display()));
    assert!(temp.is_file());
    let run = w.tool("seance-gc").run().code(0);
    assert_eq!(
        run.stderr,
        "seance-gc: removed 0 session link(s), 0 sidecar link(s), 0 index entries, 1 temp file(s)\n"
    );
    assert!(!exists(&temp));
    assert_eq!(read(&record), before);
    assert_eq!(read(&other), "mine");
    // The stage itself is untouched and still undoable by its token.
    w.tool("seance-unstage").args(&tokens).run().ok();
    assert!(!exists(&w.target().join(format!("{id}.jsonl"))));
}
