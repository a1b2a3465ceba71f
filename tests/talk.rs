//! `seance --talk` with a stand-in agent that records its arguments and environment, checks the
//! link exists while it runs, and then exits or waits for a signal.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::uuid;
use crate::world::*;

const AGENT: &str = r#"#!/bin/sh
rec="$SEANCE_TEST_RECORD"
{
  printf 'args:'; printf ' [%s]' "$@"; echo
  echo "CLAUDECODE=${CLAUDECODE-unset} ENTRYPOINT=${CLAUDE_CODE_ENTRYPOINT-unset} KEEP=${KEEP-unset}"
  if [ -L "$SEANCE_TEST_LINK" ]; then echo link=yes; else echo link=no; fi
} > "$rec"
case "$SEANCE_TEST_MODE" in
  wait)
    trap 'echo got=INT >> "$rec"; exit 130' INT
    trap 'echo got=TERM >> "$rec"; exit 143' TERM
    trap 'echo got=HUP >> "$rec"; exit 129' HUP
    echo ready >> "$rec"
    while :; do sleep 0.05; done ;;
  *) exit "${SEANCE_TEST_CODE:-0}" ;;
esac
"#;

pub struct Setup {
    pub w: World,
    pub id: String,
    pub agent: PathBuf,
    pub record: PathBuf,
    pub link: PathBuf,
}

pub fn setup() -> Setup {
    let w = World::new();
    let id = uuid(42);
    w.session(&w.two, Path::new("/srv/other"), &id);
    let agent = w.home.join("agent.sh");
    fs::write(&agent, AGENT).unwrap();
    fs::set_permissions(&agent, fs::Permissions::from_mode(0o755)).unwrap();
    let record = w.home.join("record");
    let link = w.target().join(format!("{id}.jsonl"));
    Setup { w, id, agent, record, link }
}

impl Setup {
    fn talk(&self, mode: &str, extra: &[&str]) -> crate::util::Tool {
        let mut args = vec!["--talk", &self.id[..8], "--agent", self.agent.to_str().unwrap()];
        args.extend(extra);
        self.w
            .tool("seance")
            .args(args)
            .env("SEANCE_TEST_RECORD", &self.record)
            .env("SEANCE_TEST_LINK", &self.link)
            .env("SEANCE_TEST_MODE", mode)
            .env("CLAUDECODE", "1")
            .env("CLAUDE_CODE_ENTRYPOINT", "cli")
            .env("KEEP", "kept")
    }

    pub fn cleaned_up(&self) {
        assert!(!exists(&self.link), "link left behind");
        let index = read(&self.w.target().join("sessions-index.json"));
        assert!(!index.contains(&self.id), "entry left behind: {index}");
    }
}

#[test]
fn talk_runs_the_agent_on_a_staged_fork_then_cleans_up() {
    let s = setup();
    // An orphan from an earlier, killed seance is cleared first.
    fs::create_dir_all(s.w.target()).unwrap();
    let orphan = s.w.target().join(format!("{}.jsonl", uuid(7)));
    std::os::unix::fs::symlink("/gone.jsonl", &orphan).unwrap();
    let run = s.talk("exit", &[]).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, format!("Summoning session {}…\n", s.id));
    assert_eq!(
        read(&s.record),
        format!(
            "args: [--fork-session] [--resume] [{}]\nCLAUDECODE=unset ENTRYPOINT=unset KEEP=kept\nlink=yes\n",
            s.id
        )
    );
    s.cleaned_up();
    assert!(!exists(&orphan));
}

#[test]
fn one_shot_prompt_and_agent_from_the_environment() {
    let s = setup();
    let run =
        s.w.tool("seance")
            .args(["--talk", &s.id, "-p", "Where did you put X?"])
            .env("SEANCE_AGENT", &s.agent)
            .env("SEANCE_TEST_RECORD", &s.record)
            .env("SEANCE_TEST_LINK", &s.link)
            .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        read(&s.record).starts_with(&format!(
            "args: [--fork-session] [--resume] [{}] [-p] [Where did you put X?]\n",
            s.id
        ))
    );
    s.cleaned_up();
}

#[test]
fn exit_status_is_the_agents_with_130_as_success() {
    let s = setup();
    let run = s.talk("exit", &[]).env("SEANCE_TEST_CODE", "7").run();
    assert_eq!(run.code, 7);
    s.cleaned_up();
    let run = s.talk("exit", &[]).env("SEANCE_TEST_CODE", "130").run();
    assert_eq!(run.code, 0);
    s.cleaned_up();
}

#[test]
fn a_missing_agent_is_an_error_and_still_cleans_up() {
    let s = setup();
    let run = s.w.tool("seance").args(["--talk", &s.id, "--agent", "/nonexistent/claude"]).run();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.ends_with("seance: /nonexistent/claude: No such file or directory\n"),
        "{}",
        run.stderr
    );
    s.cleaned_up();
    let run = s.w.tool("seance").args(["--talk", "ffffffff"]).run();
    assert_eq!(run.code, 3);
    assert_eq!(run.stderr, format!("seance: no session matches 'ffffffff' (searched {})\n", s.w.searched()));
}

fn signal_test(sig: nix::sys::signal::Signal, expected_code: i32, got: &str) {
    let s = setup();
    let mut tool = s.talk("wait", &[]);
    let child = tool.cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !fs::read_to_string(&s.record).unwrap_or_default().contains("ready") {
        assert!(Instant::now() < deadline, "agent never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(is_link(&s.link));
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), sig).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(expected_code), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(read(&s.record).contains(got), "{}", read(&s.record));
    s.cleaned_up();
}

#[test]
fn sigint_is_forwarded_and_cleanup_happens() {
    signal_test(nix::sys::signal::Signal::SIGINT, 0, "got=INT");
}

#[test]
fn sigterm_is_forwarded_and_cleanup_happens() {
    signal_test(nix::sys::signal::Signal::SIGTERM, 143, "got=TERM");
}

#[test]
fn sighup_is_forwarded_and_cleanup_happens() {
    signal_test(nix::sys::signal::Signal::SIGHUP, 129, "got=HUP");
}
