//! The write path under fire (issue 11): undeliverable tokens, failing stderr, signals while a
//! talk stages, config dirs with `..` and relative paths, a project dir swapped mid-stage, gc
//! racing writers or meeting errors it cannot judge, forged tokens, and smaller cases.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::crash::failpoint_bins;
use crate::util::{bin, uuid};
use crate::world::*;

const OTHER: &str = "/srv/other";

/// A world with session `uuid(1)` in account two (with a sidecar dir), to stage from `work`.
fn world() -> (World, String) {
    let w = World::new();
    let id = uuid(1);
    let source = w.session(&w.two, Path::new(OTHER), &id);
    fs::create_dir_all(source.with_file_name(&id).join("subagents")).unwrap();
    (w, id)
}

/// Nothing of `id`'s stage is left in the target dir, nor in seance's records.
fn nothing_left(w: &World, id: &str) {
    let target = w.target();
    assert!(!exists(&target.join(format!("{id}.jsonl"))), "link left behind");
    assert!(!exists(&target.join(id)), "sidecar link left behind");
    let index = fs::read_to_string(target.join("sessions-index.json")).unwrap_or_default();
    assert!(!index.contains(id), "entry left behind: {index}");
    let state = w.one.join(".seance/stages").join(target.file_name().unwrap());
    let left: Vec<_> =
        fs::read_dir(&state).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
    assert!(left.is_empty(), "stage records left behind: {left:?}");
}

/// A command for one of our binaries in `w`, as the tests' tools run.
fn command(w: &World, dir: &Path, tool: &str) -> Command {
    let mut cmd = Command::new(dir.join(tool));
    cmd.env("HOME", &w.home).current_dir(&w.work);
    for var in ["CLAUDE_CONFIG_DIR", "GT_TOWN_ROOT", "GT_ROOT", "SEANCE_FAILPOINT", "SEANCE_AGENT"] {
        cmd.env_remove(var);
    }
    cmd
}

fn normal_bins() -> PathBuf {
    bin("seance").parent().unwrap().to_path_buf()
}

/// A pipe whose reading end is already closed: writing to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (read, write) = nix::unistd::pipe().unwrap();
    drop(read);
    Stdio::from(write)
}

fn dev_full() -> Stdio {
    Stdio::from(fs::OpenOptions::new().write(true).open("/dev/full").unwrap())
}

#[test]
fn a_token_stage_cannot_deliver_is_undone_and_exit_2() {
    // Issue 11, defect 3: `seance-stage $SID >/dev/full` exited 2 leaving the link and entry,
    // and with a closed stdout it exited 0, same leftovers, the token lost either way.
    let (w, id) = world();
    for (what, stdout) in [("full", dev_full as fn() -> Stdio), ("closed", closed_pipe)] {
        let out = command(&w, &normal_bins(), "seance-stage")
            .arg(&id)
            .stdout(stdout())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "stdout {what}: {stderr}");
        assert!(stderr.contains(&format!("token for {id} not delivered; undid its stage")), "{stderr}");
        nothing_left(&w, &id);
    }
    // Beside a stage another party holds a token for, only this run's part goes.
    let token = w.tool("seance-stage").args([&id]).run().ok().stdout;
    let out = command(&w, &normal_bins(), "seance-stage").arg(&id).stdout(dev_full()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(is_link(&w.target().join(format!("{id}.jsonl"))), "the other party's stage went");
    w.tool("seance-unstage").args([token.trim()]).run().ok();
    nothing_left(&w, &id);
}

const AGENT: &str = r#"#!/bin/sh
case "$1" in --help|--version) exit 0 ;; esac
[ -e "$SEANCE_TEST_MARK" ] || touch "$SEANCE_TEST_MARK"
exit "${SEANCE_TEST_CODE:-0}"
"#;

fn agent(w: &World) -> PathBuf {
    let path = w.home.join("agent.sh");
    fs::write(&path, AGENT).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn a_talk_with_stderr_full_or_closed_keeps_its_exit_code_and_cleans_up() {
    // Issue 11, defect 3: `seance --talk ... 2>/dev/full` panicked (exit 101) after staging.
    let (w, id) = world();
    let agent = agent(&w);
    for (what, stderr) in [("full", dev_full as fn() -> Stdio), ("closed", closed_pipe)] {
        for code in ["0", "7"] {
            let status = command(&w, &normal_bins(), "seance")
                .args(["--talk", &id, "--agent"])
                .arg(&agent)
                .env("SEANCE_TEST_MARK", w.home.join("ran"))
                .env("SEANCE_TEST_CODE", code)
                .stdout(Stdio::null())
                .stderr(stderr())
                .status()
                .unwrap();
            assert_eq!(status.code(), Some(code.parse().unwrap()), "stderr {what}, agent exit {code}");
            nothing_left(&w, &id);
        }
    }
    assert!(w.home.join("ran").exists());
}

/// Waits until `path` exists, or panics when `child` ends first.
fn wait_for(path: &Path, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !path.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{what}: ended ({status:?}) before it got there");
        }
        assert!(Instant::now() < deadline, "{what}: never got there");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn signal(child: &Child, sig: nix::sys::signal::Signal) {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), sig).unwrap();
}

#[test]
fn a_signal_during_a_lock_wait_undoes_the_stage_and_exits_128_plus_it() {
    // Issue 11, defect 4: with the lock held by flock(1), a ^C during the wait was ignored: the
    // talk staged, ran the agent and exited 0.
    use nix::sys::signal::Signal::{SIGHUP, SIGINT, SIGTERM};
    let (w, id) = world();
    let agent = agent(&w);
    let mark = w.home.join("ran");
    fs::create_dir_all(w.target()).unwrap();
    let lock = w.target().join("sessions-index.json.lock");
    for (sig, code) in [(SIGINT, 130), (SIGTERM, 143), (SIGHUP, 129)] {
        let held = w.home.join("held");
        let _ = fs::remove_file(&held);
        // -o: the lock stays with flock itself, so killing it (and its sleeper) lets go.
        let mut flock = Command::new("flock")
            .arg("-xo")
            .arg(&lock)
            .args(["sh", "-c", "echo $$ > \"$0.pid\"; touch \"$0\"; exec sleep 30"])
            .arg(&held)
            .spawn()
            .unwrap();
        wait_for(&held, &mut flock, "flock");
        let mut talk = command(&w, &normal_bins(), "seance")
            .args(["--talk", &id, "--lock-timeout", "20s", "--agent"])
            .arg(&agent)
            .env("SEANCE_TEST_MARK", &mark)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Until the talk waits on the lock: it has made its project dir's state dir by then.
        let state = w.one.join(".seance/stages").join(w.target().file_name().unwrap());
        wait_for(&state, &mut talk, "talk");
        std::thread::sleep(Duration::from_millis(200));
        signal(&talk, sig);
        let out = talk.wait_with_output().unwrap();
        let sleeper: i32 = read(&w.home.join("held.pid")).trim().parse().unwrap();
        let _ =
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(sleeper), nix::sys::signal::Signal::SIGKILL);
        flock.kill().unwrap();
        flock.wait().unwrap();
        assert_eq!(out.status.code(), Some(code), "{sig}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!mark.exists(), "{sig}: the agent was started");
        nothing_left(&w, &id);
    }
}

/// Runs `tool` from the failpoint build paused at `point`; `act` runs while it is there.
fn paused(w: &World, tool: &str, args: &[&str], point: &str, act: impl FnOnce(&Child)) -> Output {
    let mark = w.home.join(format!("at-{point}"));
    let _ = fs::remove_file(&mark);
    let mut child = command(w, failpoint_bins(), tool)
        .args(args)
        .env("SEANCE_FAILPOINT", format!("{point}:pause"))
        .env("SEANCE_FAILPOINT_MARK", &mark)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&mark, &mut child, point);
    act(&child);
    child.wait_with_output().unwrap()
}

#[test]
fn a_signal_at_each_moment_of_a_talks_staging_undoes_it() {
    // Every step of staging, with SIGTERM, SIGINT or SIGHUP arriving while the talk is there:
    // 128 + the signal, the agent never started, nothing left.
    use nix::sys::signal::Signal::{SIGHUP, SIGINT, SIGTERM};
    let points = [
        "stage.made-dir",
        "lock.opened",
        "index.locked",
        "stage.recorded",
        "stage.linked",
        "stage.linked-sidecar",
        "index.wrote-temp",
        "index.renamed",
        "stage.indexed",
        "stage.recorded-entry",
        "stage.held",
        "talk.staged",
    ];
    let (w, id) = world();
    let agent = agent(&w);
    let mark = w.home.join("ran");
    for (n, point) in points.iter().enumerate() {
        let (sig, code) = [(SIGTERM, 143), (SIGINT, 130), (SIGHUP, 129)][n % 3];
        let out = paused(&w, "seance", &["--talk", &id, "--agent", agent.to_str().unwrap()], point, |talk| {
            signal(talk, sig)
        });
        assert_eq!(out.status.code(), Some(code), "{point}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!mark.exists(), "{point}: the agent was started");
        nothing_left(&w, &id);
    }
}

#[test]
fn swapping_the_project_dir_for_a_symlink_mid_stage_writes_nothing_outside_it() {
    // Issue 11, defect 7: lock, temp file and index were opened by path again, so a dir swapped
    // for a symlink while stage ran got sessions-index.json and its .lock written elsewhere.
    // The failpoint makes the swap land at each step in turn.
    for point in ["stage.made-dir", "lock.opened", "stage.linked", "index.locked", "index.wrote-temp"] {
        let (w, id) = world();
        let target = w.target();
        let elsewhere = w.home.join("elsewhere");
        fs::create_dir_all(&elsewhere).unwrap();
        let moved = target.with_file_name("moved");
        let out = paused(&w, "seance-stage", &[&id], point, |_| {
            fs::rename(&target, &moved).unwrap();
            std::os::unix::fs::symlink(&elsewhere, &target).unwrap();
        });
        let written: Vec<_> = fs::read_dir(&elsewhere).unwrap().flatten().map(|e| e.file_name()).collect();
        assert!(written.is_empty(), "{point}: wrote {written:?} through the swapped-in symlink");
        // Whatever it did, it did inside the dir it opened (now `moved`), or refused.
        assert!(
            out.status.success() || out.status.code() == Some(5),
            "{point}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_temp_file_renamed_while_gc_works_is_not_an_error() {
    // Issue 11, defect 10: gc listed temp files before the lock, and one renamed meanwhile by its
    // writer made it exit 2 (`.seance-tmp-...: No such file or directory`).
    let (w, id) = world();
    let target = w.target();
    fs::create_dir_all(&target).unwrap();
    std::os::unix::fs::symlink(w.two.join("projects/-gone/x.jsonl"), target.join(format!("{id}.jsonl")))
        .unwrap();
    let temp = target.join(".seance-tmp-1-2-sessions-index.json");
    fs::write(&temp, "{\"version\":1,\"entries\":[]}").unwrap();
    let out = paused(&w, "seance-gc", &[], "lock.opened", |_| {
        fs::rename(&temp, target.join("sessions-index.json")).unwrap();
    });
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!exists(&target.join(format!("{id}.jsonl"))));
}

#[test]
fn gc_keeps_a_link_whose_target_it_cannot_look_up() {
    // Issue 11, defect 11: any stat error was taken for "target gone" (stage, chmod 000 the
    // source's dir, gc as a normal user: the live stage went). Tests run as root, where EACCES
    // does not happen; a loop in the source's path (ELOOP) is the same kind of error.
    let (w, id) = world();
    let token = w.tool("seance-stage").args([&id]).run().ok().stdout;
    let source_dir = w.project(&w.two, Path::new(OTHER));
    let aside = source_dir.with_file_name("aside");
    fs::rename(&source_dir, &aside).unwrap();
    std::os::unix::fs::symlink(&source_dir, &source_dir).unwrap();
    let run = w.tool("seance-gc").args(["--older-than", "1d"]).run().code(2);
    assert!(run.stderr.contains("cannot tell whether its target exists"), "{}", run.stderr);
    assert!(is_link(&w.target().join(format!("{id}.jsonl"))), "a link gc could not judge was removed");
    assert!(read(&w.target().join("sessions-index.json")).contains(&id));
    fs::remove_file(&source_dir).unwrap();
    fs::rename(&aside, &source_dir).unwrap();
    w.tool("seance-unstage").args([token.trim()]).run().ok();
    nothing_left(&w, &id);
}

#[test]
fn a_token_for_a_dir_outside_any_account_is_refused_with_nothing_created() {
    // Issue 11, defect 13: a forged token with "dir":"$HOME/projects/myrepo" exited 0 and
    // created sessions-index.json.lock in that repo: only the parent's name was checked.
    let (w, id) = world();
    let token = w.tool("seance-stage").args([&id]).run().ok().stdout;
    let repo = w.home.join("projects/myrepo");
    fs::create_dir_all(&repo).unwrap();
    let mut forged = seance::core::token::Token::decode(token.trim()).unwrap();
    forged.dir = repo.clone();
    let run = w.tool("seance-unstage").args([forged.encode().unwrap()]).run().code(5);
    assert!(run.stderr.contains("is not a project dir of a Claude account"), "{}", run.stderr);
    assert_eq!(fs::read_dir(&repo).unwrap().count(), 0, "something was created in the repo");
    // The real one still works.
    w.tool("seance-unstage").args([token.trim()]).run().ok();
    nothing_left(&w, &id);
}

#[test]
fn config_dirs_with_dotdot_or_relative_paths_stage_undoably() {
    // Issue 11, defect 5: `CLAUDE_CONFIG_DIR=.../other/../work` staged, and its token was then
    // refused; a relative config_dir in accounts.json made a dangling relative symlink.
    let (w, id) = world();
    let accounts = w.home.join(".claude-accounts");
    let work = w.work.to_str().unwrap().to_string();
    let up = "../".repeat(work.matches('/').count());
    let relative_one = format!("{up}{}", w.one.to_str().unwrap().trim_start_matches('/'));
    type Way<'a> = (&'a str, Vec<(&'a str, String)>, Vec<String>);
    let ways: [Way; 4] = [
        ("env with ..", vec![("CLAUDE_CONFIG_DIR", format!("{}/two/../one", accounts.display()))], vec![]),
        ("env relative", vec![("CLAUDE_CONFIG_DIR", relative_one.clone())], vec![]),
        ("flag with ..", vec![], vec!["--config-dir".into(), format!("{}/one/./../one", accounts.display())]),
        ("flag relative", vec![], vec!["--config-dir".into(), relative_one]),
    ];
    for (what, env, flags) in ways {
        let mut stage = w.tool("seance-stage").args(&flags).args([&id]);
        let mut unstage = w.tool("seance-unstage");
        for (key, value) in &env {
            stage = stage.env(key, value);
            unstage = unstage.env(key, value);
        }
        let token = stage.run().ok().stdout;
        let link = w.target().join(format!("{id}.jsonl"));
        let to = fs::read_link(&link).unwrap();
        assert!(to.is_absolute() && to.exists(), "{what}: link to {}", to.display());
        let decoded = seance::core::token::Token::decode(token.trim()).unwrap();
        assert_eq!(decoded.dir, w.target(), "{what}: the token's dir is not normalised");
        unstage.args([token.trim()]).run().ok();
        nothing_left(&w, &id);
    }
    // accounts.json with a config_dir relative to the town root.
    let rel = "../home/.claude-accounts/two";
    fs::write(
        w.town.join("mayor/accounts.json"),
        format!(r#"{{"version":1,"accounts":{{"two":{{"config_dir":"{rel}"}}}}}}"#),
    )
    .unwrap();
    let token = w.tool("seance-stage").args([&id]).run().ok().stdout;
    let to = fs::read_link(w.target().join(format!("{id}.jsonl"))).unwrap();
    assert_eq!(to, w.project(&w.two, Path::new(OTHER)).join(format!("{id}.jsonl")));
    w.tool("seance-unstage").args([token.trim()]).run().ok();
    nothing_left(&w, &id);
}

#[test]
fn gc_collects_the_orphaned_sidecar_link_of_a_non_uuid_id() {
    // Issue 11, defect 15: only sidecars named like Claude's UUIDs were collected.
    let w = World::new();
    let id = "my-session.1";
    let source = w.session(&w.two, Path::new(OTHER), id);
    fs::create_dir_all(source.with_file_name(id).join("subagents")).unwrap();
    w.tool("seance-stage").args([id]).run().ok();
    assert!(is_link(&w.target().join(id)));
    fs::remove_dir_all(source.with_file_name(id)).unwrap();
    fs::remove_file(&source).unwrap();
    w.tool("seance-gc").args(["-q"]).run().ok();
    assert!(!exists(&w.target().join(id)), "the sidecar link was left");
    assert!(!exists(&w.target().join(format!("{id}.jsonl"))));
    // A link merely named like an id, pointing at no session's sidecar, is not ours.
    std::os::unix::fs::symlink("/gone/notes", w.target().join("notes")).unwrap();
    w.tool("seance-gc").args(["-q"]).run().ok();
    assert!(is_link(&w.target().join("notes")));
}

#[test]
fn without_home_the_error_says_so() {
    // Issue 11, defect 15: with HOME unset, `~/` in accounts.json went unexpanded and the error
    // was a misleading "no transcript in any account".
    let (w, id) = world();
    let run = w
        .tool("seance-stage")
        .env("CLAUDE_CONFIG_DIR", &w.one)
        .program("env", ["-u", "HOME", bin("seance-stage").to_str().unwrap(), id.as_str()])
        .run()
        .code(2);
    assert!(run.stderr.contains("HOME is not set"), "{}", run.stderr);
    nothing_left(&w, &id);
}

#[test]
fn an_entry_with_two_session_ids_is_refused() {
    // Issue 11, defect 15: an entry with two `sessionId` keys was read by its first while other
    // readers take the last.
    let (w, id) = world();
    let index = w.target().join("sessions-index.json");
    fs::create_dir_all(w.target()).unwrap();
    let text = format!(r#"{{"version":1,"entries":[{{"sessionId":"{id}","sessionId":"other"}}]}}"#);
    fs::write(&index, &text).unwrap();
    let run = w.tool("seance-stage").args([&id]).run().code(5);
    assert!(run.stderr.contains("two sessionId keys"), "{}", run.stderr);
    assert_eq!(read(&index), text);
    assert!(!exists(&w.target().join(format!("{id}.jsonl"))));
}
