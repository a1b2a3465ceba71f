//! End to end with the real Claude Code client (FACTS.md): without a login it reports
//! "No conversation found with session ID" within a second when it cannot find a session.
//! When it can, it goes on instead, to its login check or (on a machine with no network, as
//! here) to retrying the API. So: a miss before staging, no miss while staged, a miss again
//! after unstaging. `.ci/run` installs the client and sets SEANCE_CLAUDE_BIN.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::uuid;
use crate::world::*;

const MISS: &str = "No conversation found with session ID";
/// A miss is reported in well under a second; a found session is still going after this.
const PATIENCE: Duration = Duration::from_secs(10);

fn client() -> Option<PathBuf> {
    match std::env::var_os("SEANCE_CLAUDE_BIN") {
        Some(bin) => Some(PathBuf::from(bin)),
        None if std::env::var_os("CI").is_some() => {
            panic!("CI must install the Claude Code client (see .ci/run)")
        }
        None => {
            eprintln!("skipping: set SEANCE_CLAUDE_BIN to the Claude Code client to run this test");
            None
        }
    }
}

/// Runs `claude --fork-session --resume <id> -p hi` from `cwd`; returns its output once it has
/// exited, or `None` if it was still running after PATIENCE (and was killed).
fn resume(client: &Path, w: &World, id: &str) -> Option<String> {
    let mut child = Command::new(client)
        .args(["--fork-session", "--resume", id, "-p", "hi"])
        .current_dir(&w.work)
        .env("HOME", &w.home)
        .env_remove("CLAUDE_CONFIG_DIR")
        .env_remove("CLAUDECODE")
        .env_remove("ANTHROPIC_API_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            let mut text = String::new();
            child.stdout.take().unwrap().read_to_string(&mut text).unwrap();
            child.stderr.take().unwrap().read_to_string(&mut text).unwrap();
            return Some(text);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    None
}

#[test]
fn the_real_client_resumes_a_staged_cross_account_session_and_not_after_unstage() {
    let Some(client) = client() else { return };
    let w = World::new();
    let id = uuid(77);
    w.session(&w.two, Path::new("/srv/other"), &id);
    let before = resume(&client, &w, &id).expect("a miss is quick");
    assert!(before.contains(&format!("{MISS}: {id}")), "{before}");

    let token = w.tool("seance-stage").args([&id]).run().ok().stdout;
    let staged = resume(&client, &w, &id);
    if let Some(output) = &staged {
        assert!(!output.contains(MISS), "the client did not find the staged session: {output}");
        assert!(output.contains("Not logged in"), "{output}");
    }

    w.tool("seance-unstage").args([token.trim()]).run().ok();
    let after = resume(&client, &w, &id).expect("a miss is quick");
    assert!(after.contains(&format!("{MISS}: {id}")), "{after}");
}
