//! `seance --talk` with a stand-in agent that records its arguments and environment, checks the
//! link exists while it runs, and then exits or waits for a signal.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::uuid;
use crate::world::*;

/// `--version` says SEANCE_TEST_VERSION. With SEANCE_TEST_FORK_DIR set, it says it is a Claude
/// Code that takes `--session-id` and writes the fork where it is told, with a sidecar dir, as
/// the client would.
const AGENT: &str = r#"#!/bin/sh
if [ "$1" = --version ]; then
  if [ -n "$SEANCE_TEST_VERSION" ]; then echo "$SEANCE_TEST_VERSION"
  elif [ -n "$SEANCE_TEST_FORK_DIR" ]; then echo "2.1.330 (Claude Code)"; fi
  exit 0
fi
rec="$SEANCE_TEST_RECORD"
{
  printf 'args:'; printf ' [%s]' "$@"; echo
  echo "CLAUDECODE=${CLAUDECODE-unset} ENTRYPOINT=${CLAUDE_CODE_ENTRYPOINT-unset} CHILD=${CLAUDE_CODE_CHILD_SESSION-unset} KEEP=${KEEP-unset}"
  if [ -L "$SEANCE_TEST_LINK" ]; then echo link=yes; else echo link=no; fi
} > "$rec"
if [ -n "$SEANCE_TEST_FORK_DIR" ]; then
  while [ "$#" -gt 0 ] && [ "$1" != --session-id ]; do shift; done
  mkdir -p "$SEANCE_TEST_FORK_DIR/$2/subagents"
  echo '{}' > "$SEANCE_TEST_FORK_DIR/$2/subagents/agent-a1.jsonl"
  echo '{}' > "$SEANCE_TEST_FORK_DIR/$2.jsonl"
  if [ -n "$SEANCE_TEST_FORK_ALSO" ]; then mkdir -p "$SEANCE_TEST_FORK_ALSO"; echo '{}' > "$SEANCE_TEST_FORK_ALSO/$2.jsonl"; fi
fi
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
            .env("CLAUDE_CODE_CHILD_SESSION", "1")
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
            "args: [--fork-session] [--resume] [{}]\nCLAUDECODE=unset ENTRYPOINT=unset CHILD=unset KEEP=kept\nlink=yes\n",
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
    // Checked before anything is staged: no "Summoning", nothing to clean up.
    assert_eq!(run.stderr, "seance: agent '/nonexistent/claude' (from --agent): not an executable file\n");
    assert!(!s.w.target().exists());
    let run = s.w.tool("seance").args(["--talk", "ffffffff", "--agent", s.agent.to_str().unwrap()]).run();
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

/// The fork id seance chose, from the agent's recorded arguments.
fn fork_id(s: &Setup) -> String {
    let record = read(&s.record);
    let args = record.lines().next().unwrap();
    let (_, rest) = args.split_once("[--session-id] [").expect(args);
    rest[..36].to_string()
}

#[test]
fn an_agent_that_takes_session_id_gets_one_and_seance_says_where_the_fork_is() {
    let s = setup();
    let run = s.talk("exit", &["-p", "q"]).env("SEANCE_TEST_FORK_DIR", s.w.target()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let fork = fork_id(&s);
    assert!(seance::core::claude::valid_session_id(&fork) && fork != s.id, "{fork}");
    assert_eq!(fork.as_bytes()[14], b'4', "a version 4 uuid: {fork}");
    assert_eq!(
        read(&s.record).lines().next().unwrap(),
        format!("args: [--fork-session] [--resume] [{}] [--session-id] [{fork}] [-p] [q]", s.id)
    );
    let saved = s.w.target().join(format!("{fork}.jsonl"));
    assert_eq!(
        run.stderr,
        format!(
            "Summoning session {}…\nThe talk was saved as {}\nReopen it with: seance --talk {fork}\n",
            s.id,
            saved.display()
        )
    );
    assert!(exists(&saved) && exists(&s.w.target().join(&fork)));
    s.cleaned_up();
    // Each talk gets a fork of its own.
    s.talk("exit", &[]).env("SEANCE_TEST_FORK_DIR", s.w.target()).run();
    assert_ne!(fork_id(&s), fork);
}

#[test]
fn forget_removes_the_fork_and_its_sidecar_only() {
    let s = setup();
    fs::create_dir_all(s.w.target()).unwrap();
    // Neighbours that look like a fork's: another session and its sidecar.
    let neighbour = s.w.session(&s.w.one, &s.w.work, &uuid(9));
    fs::create_dir_all(s.w.target().join(uuid(9)).join("subagents")).unwrap();
    let run = s.talk("exit", &["--forget"]).env("SEANCE_TEST_FORK_DIR", s.w.target()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let fork = fork_id(&s);
    let saved = s.w.target().join(format!("{fork}.jsonl"));
    assert_eq!(
        run.stderr,
        format!("Summoning session {}…\nForgot the talk (removed {})\n", s.id, saved.display())
    );
    assert!(!exists(&saved) && !exists(&s.w.target().join(&fork)));
    assert!(exists(&neighbour) && exists(&s.w.target().join(uuid(9)).join("subagents")));
    s.cleaned_up();
}

#[test]
fn forget_needs_an_agent_that_takes_session_id() {
    let s = setup();
    let run = s.talk("exit", &["--forget"]).run();
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "seance: --forget needs Claude Code 2.0.73 or later as the agent, to name the fork ({} \
             --version did not say so)\n",
            s.agent.display()
        )
    );
    assert!(!exists(&s.record), "the agent ran");
    assert!(!exists(&s.w.target()), "something was staged");
    // A Claude Code too old to name the fork is run without --session-id.
    let run = s.talk("exit", &["--forget"]).env("SEANCE_TEST_VERSION", "2.0.72 (Claude Code)").run();
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = s.talk("exit", &[]).env("SEANCE_TEST_VERSION", "2.0.72 (Claude Code)").run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!read(&s.record).contains("--session-id"), "{}", read(&s.record));
    let run = s.w.tool("seance").args(["--forget"]).run();
    assert_eq!((run.code, run.stderr.as_str()), (2, "seance: --forget goes with --talk\n"));
}

/// 2.1.330 writes new sessions into `$CLAUDE_CODE_PROJECT_DIR_NAME` (when CLAUDE_CONFIG_DIR is
/// set) but looks sessions up in the working dir's project dir too, as 2.1.197 does: the stage
/// goes there, and seance finds the fork where the client wrote it.
#[test]
fn project_dir_name_moves_the_fork_not_the_stage() {
    let s = setup();
    let named = s.w.one.join("projects/renamed");
    let run = s
        .talk("exit", &[])
        .env("CLAUDE_CONFIG_DIR", &s.w.one)
        .env("CLAUDE_CODE_PROJECT_DIR_NAME", "renamed")
        .env("SEANCE_TEST_FORK_DIR", &named)
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(&s.record).contains("link=yes"), "not staged in the working dir's project dir");
    let fork = fork_id(&s);
    assert!(
        run.stderr.contains(&format!("The talk was saved as {}/{fork}.jsonl\n", named.display())),
        "{}",
        run.stderr
    );
    s.cleaned_up();
    assert!(!exists(&named.join(format!("{}.jsonl", s.id))));
    // Without CLAUDE_CONFIG_DIR the client ignores the variable, and so does seance.
    let run = s
        .talk("exit", &[])
        .env("CLAUDE_CODE_PROJECT_DIR_NAME", "renamed")
        .env("SEANCE_TEST_FORK_DIR", s.w.target())
        .run();
    let fork = fork_id(&s);
    assert!(
        run.stderr.contains(&format!("The talk was saved as {}/{fork}.jsonl\n", s.w.target().display())),
        "{}",
        run.stderr
    );
}

#[test]
fn an_empty_claude_config_dir_is_refused() {
    let s = setup();
    let message = "CLAUDE_CONFIG_DIR is set but empty (Claude Code would keep sessions in ./projects): \
                   unset it, set it to a config dir, or pass --config-dir\n";
    let run = s.talk("exit", &[]).env("CLAUDE_CONFIG_DIR", "").run();
    assert_eq!((run.code, run.stderr.clone()), (2, format!("seance: {message}")));
    assert!(!exists(&s.record));
    for tool in ["seance-stage", "seance-gc"] {
        let mut args = vec![];
        if tool == "seance-stage" {
            args.push(s.id.as_str());
        }
        let run = s.w.tool(tool).args(args).env("CLAUDE_CONFIG_DIR", "").run();
        assert_eq!((run.code, run.stderr), (2, format!("{tool}: {message}")));
    }
    assert!(!exists(&s.w.work.join("projects")) && !exists(&s.w.target()));
    // --config-dir names the account instead.
    let run = s.w.tool("seance-stage").args(["--config-dir", s.w.one.to_str().unwrap(), &s.id]);
    let run = run.env("CLAUDE_CONFIG_DIR", "").run();
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_project_dir_name_that_is_not_one_plain_name_is_ignored() {
    let s = setup();
    // A file named like the fork where the hostile name points: it must survive --forget.
    let victim = s.w.home.join(".claude-accounts/victim");
    for hostile in ["../../victim", "..", "/tmp", "a/b"] {
        let run = s
            .talk("exit", &["--forget"])
            .env("CLAUDE_CONFIG_DIR", &s.w.one)
            .env("CLAUDE_CODE_PROJECT_DIR_NAME", hostile)
            .env("SEANCE_TEST_FORK_DIR", s.w.target())
            .env("SEANCE_TEST_FORK_ALSO", &victim)
            .run();
        assert_eq!(run.code, 0, "{}", run.stderr);
        let fork = format!("{}.jsonl", fork_id(&s));
        let saved = s.w.target().join(&fork);
        assert!(
            run.stderr.ends_with(&format!("Forgot the talk (removed {})\n", saved.display())),
            "{}",
            run.stderr
        );
        assert!(!exists(&saved));
        assert!(exists(&victim.join(&fork)), "{hostile}: removed outside the account");
        s.cleaned_up();
    }
}

/// With --config-dir the stage goes into that account, so the agent must be started on it too:
/// a client left on its own account would not find the link.
#[test]
fn config_dir_is_the_agents_account_too() {
    let s = setup();
    let agent = s.w.home.join("config-agent.sh");
    fs::write(
        &agent,
        "#!/bin/sh\n[ \"$1\" = --version ] && exit 0\n\
         { echo \"config=${CLAUDE_CONFIG_DIR-unset}\"; \
         if [ -L \"$SEANCE_TEST_LINK\" ]; then echo link=yes; else echo link=no; fi; } > \"$SEANCE_TEST_RECORD\"\n",
    )
    .unwrap();
    fs::set_permissions(&agent, fs::Permissions::from_mode(0o755)).unwrap();
    let three = s.w.home.join(".claude-accounts/three");
    fs::create_dir_all(&three).unwrap();
    let link = s.w.project(&three, &s.w.work).join(format!("{}.jsonl", s.id));
    // Given with a `..` in it: the agent gets the normalised, absolute path.
    let given = s.w.home.join(".claude-accounts/two/../three");
    let run =
        s.w.tool("seance")
            .args([
                "--talk",
                &s.id[..8],
                "--agent",
                agent.to_str().unwrap(),
                "--config-dir",
                given.to_str().unwrap(),
            ])
            .env("SEANCE_TEST_RECORD", &s.record)
            .env("SEANCE_TEST_LINK", &link)
            .env("CLAUDE_CONFIG_DIR", &s.w.one)
            .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&s.record), format!("config={}\nlink=yes\n", three.display()));
    assert!(!exists(&link), "link left behind");
}
