//! Shared stages (SPEC "Shared stages"): one session staged into one dir by several parties at
//! once. Live holders (`seance --talk` while its agent runs) keep the stage whatever other
//! unstages, replayed tokens or gc do; the last user out removes it, whoever made it; a token
//! only undoes its own stage.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{bin, uuid};
use crate::world::*;

const OTHER: &str = "/srv/other";

/// A stand-in agent that checks, every 20 ms while it runs, that its transcript is still linked
/// (writing `lost` when not), for `SEANCE_TEST_LOOPS` rounds or until `release` appears.
const HOLDER: &str = r#"#!/bin/sh
case "$1" in --help|--version) exit 0 ;; esac
d="$SEANCE_TEST_DIR"
echo $$ > "$d/pid"
touch "$d/ready"
n=0
while [ ! -e "$d/release" ]; do
  [ -L "$SEANCE_TEST_LINK" ] || echo "lost at round $n" >> "$d/lost"
  n=$((n + 1))
  [ -n "$SEANCE_TEST_LOOPS" ] && [ "$n" -ge "$SEANCE_TEST_LOOPS" ] && break
  sleep 0.02
done
[ -L "$SEANCE_TEST_LINK" ] || echo "lost at the end" >> "$d/lost"
"#;

struct Shared {
    w: World,
    id: String,
    link: PathBuf,
    agent: PathBuf,
}

fn shared() -> Shared {
    let w = World::new();
    let id = uuid(42);
    w.session(&w.two, Path::new(OTHER), &id);
    let agent = w.home.join("holder.sh");
    fs::write(&agent, HOLDER).unwrap();
    fs::set_permissions(&agent, fs::Permissions::from_mode(0o755)).unwrap();
    let link = w.target().join(format!("{id}.jsonl"));
    Shared { w, id, link, agent }
}

/// A running `seance --talk` and its agent's dir.
struct Talk {
    child: Child,
    dir: PathBuf,
}

impl Talk {
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.dir.join("ready").exists() {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("talk ended before its agent started: {status:?}");
            }
            assert!(Instant::now() < deadline, "the agent never started");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Lets the agent end; returns the talk's exit code.
    fn release(mut self) -> i32 {
        fs::write(self.dir.join("release"), "").unwrap();
        let code = self.child.wait().unwrap().code().unwrap_or(-1);
        self.assert_never_lost();
        code
    }

    fn assert_never_lost(&self) {
        let lost = fs::read_to_string(self.dir.join("lost")).unwrap_or_default();
        assert_eq!(lost, "", "{}: the agent lost its transcript while it ran", self.dir.display());
    }
}

impl Drop for Talk {
    fn drop(&mut self) {
        let _ = fs::write(self.dir.join("release"), "");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Shared {
    fn talk(&self, name: &str, loops: Option<u32>) -> Talk {
        let dir = self.w.home.join(format!("talk-{name}"));
        fs::create_dir_all(&dir).unwrap();
        let mut cmd = Command::new(bin("seance"));
        cmd.args(["--talk", &self.id, "--agent"])
            .arg(&self.agent)
            .env("HOME", &self.w.home)
            .env("SEANCE_TEST_DIR", &dir)
            .env("SEANCE_TEST_LINK", &self.link)
            .env_remove("CLAUDE_CONFIG_DIR")
            .env_remove("GT_TOWN_ROOT")
            .env_remove("GT_ROOT")
            .env_remove("SEANCE_AGENT")
            .current_dir(&self.w.work)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(loops) = loops {
            cmd.env("SEANCE_TEST_LOOPS", loops.to_string());
        }
        Talk { child: cmd.spawn().unwrap(), dir }
    }

    fn stage(&self) -> String {
        self.w.tool("seance-stage").args([&self.id]).run().ok().stdout.trim().to_string()
    }

    fn unstage(&self, token: &str) {
        self.w.tool("seance-unstage").args([token]).run().ok();
    }

    fn staged(&self) -> bool {
        is_link(&self.link)
    }

    /// Nothing of the stage is left: no link, no entry, no record of seance's own.
    fn nothing_left(&self) {
        assert!(!exists(&self.link), "link left behind");
        let index = fs::read_to_string(self.w.target().join("sessions-index.json")).unwrap_or_default();
        assert!(!index.contains(&self.id), "entry left behind: {index}");
        let state = self.w.one.join(".seance/stages").join(self.w.target().file_name().unwrap());
        let left: Vec<_> =
            fs::read_dir(&state).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
        assert!(left.is_empty(), "stage records left behind: {left:?}");
    }
}

#[test]
fn a_replayed_token_does_not_undo_a_later_stage() {
    // Issue 11, defect 1: `t1=stage; unstage t1; t2=stage; unstage t1` removed t2's stage.
    let s = shared();
    let t1 = s.stage();
    s.unstage(&t1);
    assert!(!s.staged());
    let t2 = s.stage();
    s.unstage(&t1);
    assert!(s.staged(), "a replayed token undid the stage made after it");
    s.unstage(&t2);
    s.nothing_left();
}

#[test]
fn the_last_token_out_removes_the_stage_whoever_made_it() {
    let s = shared();
    let first = s.stage();
    let second = s.stage();
    s.unstage(&first);
    assert!(s.staged(), "the first token removed a stage the second still uses");
    s.unstage(&second);
    s.nothing_left();
    // Unstaging again, in any order, is nothing to do.
    s.unstage(&first);
    s.unstage(&second);
}

#[test]
fn a_talk_keeps_its_stage_whatever_tokens_and_gc_do_and_removes_it_last() {
    let s = shared();
    let token = s.stage();
    let mut talk = s.talk("one", None);
    talk.wait_ready();
    // The token that made the stage is unstaged, and a cron gc with any age runs: the talk
    // still holds it.
    s.unstage(&token);
    s.unstage(&token);
    let gc = s.w.tool("seance-gc").args(["--older-than", "0s"]).run().ok();
    assert_eq!(gc.stdout, "");
    assert!(s.staged(), "the held stage was removed");
    // The talk is the last out: it removes the stage another party's token made.
    assert_eq!(talk.release(), 0);
    s.nothing_left();
}

#[test]
fn gc_older_than_never_removes_a_held_stage_however_old() {
    let s = shared();
    let mut talk = s.talk("old", None);
    talk.wait_ready();
    // A day-old link: the talk has been running for a day.
    let touched = Command::new("touch").args(["-h", "-d", "2 days ago"]).arg(&s.link).status().unwrap();
    assert!(touched.success());
    let gc = s.w.tool("seance-gc").args(["--older-than", "1d", "--json"]).run().ok();
    assert_eq!(gc.stdout, "", "gc removed something of a held stage");
    assert!(s.staged());
    assert_eq!(talk.release(), 0);
    s.nothing_left();
}

#[test]
fn a_killed_holder_holds_nothing_and_gc_collects_its_stage() {
    let s = shared();
    let mut talk = s.talk("killed", None);
    talk.wait_ready();
    // kill -9 the seance (its agent goes too): the kernel releases the hold.
    talk.child.kill().unwrap();
    talk.child.wait().unwrap();
    let pid = fs::read_to_string(talk.dir.join("pid")).unwrap();
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid.trim().parse().unwrap()),
        nix::sys::signal::Signal::SIGKILL,
    );
    assert!(s.staged(), "a killed talk leaves its stage for gc");
    let gc = s.w.tool("seance-gc").args(["--older-than", "0s", "-q"]).run().ok();
    assert_eq!(gc.stdout, "");
    s.nothing_left();
}

#[test]
fn parallel_talks_of_one_session_each_keep_their_transcript_until_they_end() {
    // Issue 11, defect 1: 5 parallel talks, 14 of 50 agents got "No conversation found". Here 6
    // real `seance --talk` processes with agents of different lifetimes (2 to 27 rounds of 20 ms),
    // started together; each checks its transcript is linked every round.
    let s = shared();
    for round in 0..3 {
        let talks: Vec<Talk> =
            (0..6u32).map(|i| s.talk(&format!("{round}-{i}"), Some(2 + (i * 5 + round) % 26))).collect();
        for mut talk in talks {
            let status = talk.child.wait().unwrap();
            assert!(status.success(), "talk: {status:?}");
            talk.assert_never_lost();
        }
        s.nothing_left();
    }
}
