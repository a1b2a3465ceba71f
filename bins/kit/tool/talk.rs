//! `seance --talk`: gc orphans, stage the session, run the agent on it as a fork, and unstage
//! whatever happens to the agent or to us (short of SIGKILL, which seance-gc --older-than
//! covers). The index lock is never held while the agent runs.

use std::ffi::OsString;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::Pid;

use crate::core::agent::Agent;
use crate::core::claude;
use crate::core::diag;
use crate::core::error::{Code, Error, Result};
use crate::core::fail;
use crate::core::gc::Gc;
use crate::core::interrupt;
use crate::core::stage::Stager;
use crate::core::unstage;

pub struct Talk<'a> {
    pub id: &'a str,
    pub prompt: Option<&'a str>,
    pub agent: Option<OsString>,
    pub config_dir: Option<&'a Path>,
    pub town: Option<&'a Path>,
    pub lock_timeout: Duration,
    /// Remove the fork after the talk instead of keeping it.
    pub forget: bool,
}

static GOT_INT: AtomicBool = AtomicBool::new(false);
static GOT_TERM: AtomicBool = AtomicBool::new(false);
static GOT_HUP: AtomicBool = AtomicBool::new(false);

/// Notes a signal: before the agent starts, any of them stops the staging (see `interrupt`);
/// after, the wait loop forwards it. A Ctrl-C from the terminal already reaches the agent (it
/// is in our process group), so only a SIGINT sent by `kill` is marked for forwarding.
extern "C" fn note_signal(sig: i32, info: *mut nix::libc::siginfo_t, _: *mut nix::libc::c_void) {
    interrupt::note(sig);
    // SAFETY: the kernel hands a valid siginfo to an SA_SIGINFO handler.
    let from_kill = !info.is_null() && unsafe { (*info).si_code } == nix::libc::SI_USER;
    match sig {
        nix::libc::SIGINT if from_kill => GOT_INT.store(true, Ordering::SeqCst),
        nix::libc::SIGTERM => GOT_TERM.store(true, Ordering::SeqCst),
        nix::libc::SIGHUP => GOT_HUP.store(true, Ordering::SeqCst),
        _ => {}
    }
}

/// Catches SIGINT, SIGTERM and SIGHUP without SA_RESTART, so that waitpid returns to forward
/// them.
fn catch_signals() -> Result<()> {
    let action = SigAction::new(SigHandler::SigAction(note_signal), SaFlags::SA_SIGINFO, SigSet::empty());
    for sig in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        // SAFETY: the handler only stores to atomics, which is async-signal-safe.
        unsafe { signal::sigaction(sig, &action) }.map_err(|e| Error::failure(format!("sigaction: {e}")))?;
    }
    Ok(())
}

pub fn talk(talk: &Talk) -> Result<Code> {
    // Caught from the start: a signal while staging (a Ctrl-C during a lock wait) undoes what
    // was staged and exits 128 + its number without starting the agent.
    catch_signals()?;
    // Checked before anything is staged: a typo in --agent costs no stage and no unstage.
    let agent = Agent::find(talk.agent.as_deref())?;
    let program = agent.program.as_os_str();
    let stager = Stager::new(talk.config_dir, talk.town, None, talk.lock_timeout)?;
    for warning in stager.sessions.warnings() {
        crate::core::error::warn("seance", &warning.to_string());
    }
    // Asked before anything is staged, so a slow or odd agent holds no stage.
    let fork = takes_session_id(&agent).then(new_session_id).transpose()?;
    if talk.forget && fork.is_none() {
        return Err(Error::usage(format!(
            "--forget needs Claude Code 2.0.73 or later as the agent, to name the fork ({} --version \
             did not say so)",
            program.to_string_lossy()
        )));
    }
    // Leftovers of a seance that was killed; failures here must not stop the talk.
    let gc = Gc { older_than: None, dry_run: false, lock_timeout: talk.lock_timeout };
    gc.account(&stager.current, &mut |_| {}, &mut |_| {});
    interrupt::check()?;
    // Held, not just staged: while the agent runs, no other unstage, replayed token or gc
    // removes what it relies on.
    let mut staged = stager.stage(talk.id, true)?;
    fail::point("talk.staged");
    if let Err(signal) = interrupt::check() {
        interrupt::clear();
        let _ = unstage::undo(&staged.token, staged.hold.take(), talk.lock_timeout);
        return Err(signal);
    }
    diag::line(&format!("Summoning session {}…", staged.id));
    let mut command = Command::new(program);
    command.args(&agent.words[1..]).args(["--fork-session", "--resume", &staged.id]);
    if let Some(fork) = &fork {
        command.args(["--session-id", fork]);
    }
    if let Some(prompt) = talk.prompt {
        command.args(["-p", prompt]);
    }
    // Set inside a Claude Code session; with CLAUDE_CODE_CHILD_SESSION the client writes no
    // transcript, and some versions refuse to start nested while CLAUDECODE is set.
    for var in ["CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_CHILD_SESSION"] {
        command.env_remove(var);
    }
    // The stage went into --config-dir's account: the client must look there too, not in the
    // account its own environment names.
    if talk.config_dir.is_some() {
        command.env("CLAUDE_CONFIG_DIR", &stager.current);
    }
    let outcome = match command.spawn() {
        Ok(child) => Ok(wait_forwarding(Pid::from_raw(child.id() as i32))),
        Err(err) => Err(Error::new(
            Code::Failure,
            format!("{}: {}", program.to_string_lossy(), crate::core::error::describe_io(&err)),
        )),
    };
    // The lock wait of the cleanup must not be cut short by the signal we just forwarded.
    interrupt::clear();
    let cleanup = unstage::undo(&staged.token, staged.hold.take(), talk.lock_timeout);
    let status = outcome?;
    if let Err(err) = cleanup {
        let message = match staged.token.encode() {
            Ok(token) => format!("{} (undo token: {token})", err.message()),
            Err(_) => err.message().to_string(),
        };
        crate::core::error::warn("seance", &message);
        return Ok(err.code());
    }
    if let Some(fork) = fork {
        let dirs = claude::new_session_dirs(&stager.current, &stager.cwd);
        if let Some(saved) = dirs.iter().map(|d| d.join(format!("{fork}.jsonl"))).find(|f| is_file(f)) {
            if talk.forget {
                forget(&saved, &fork)?;
            } else {
                diag::line(&format!("The talk was saved as {}", saved.display()));
                diag::line(&format!("Reopen it with: seance --talk {fork}"));
            }
        }
    }
    Ok(status)
}

/// Whether the agent names the fork with `--session-id`: Claude Code does since 2.0.73, and says
/// its version as `X.Y.Z (Claude Code)`. `--version` answers in a tenth of the time `--help`
/// takes (0.05 s against 0.9 s on 2.1.330). An agent that says something else, fails, or takes
/// longer than a few seconds to answer is run as before, without it.
fn takes_session_id(agent: &Agent) -> bool {
    let Ok(mut child) = Command::new(&agent.program)
        .args(&agent.words[1..])
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let Some(mut stdout) = child.stdout.take() else { return false };
    let reader = std::thread::spawn(move || {
        let mut said = String::new();
        let _ = stdout.read_to_string(&mut said);
        said
    });
    let deadline = Instant::now() + VERSION_PATIENCE;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
    reader.join().ok().and_then(|said| claude_code_version(&said)).is_some_and(|v| v >= SESSION_ID_SINCE)
}

const VERSION_PATIENCE: Duration = Duration::from_secs(10);
const SESSION_ID_SINCE: (u32, u32, u32) = (2, 0, 73);

/// The version in Claude Code's `--version` output, `2.1.197 (Claude Code)`.
fn claude_code_version(said: &str) -> Option<(u32, u32, u32)> {
    let version = said.trim().strip_suffix(" (Claude Code)")?;
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    let version = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(version)
}

/// A random (version 4) UUID for the fork.
fn new_session_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    rustix::rand::getrandom(&mut bytes, rustix::rand::GetRandomFlags::empty())
        .map_err(|e| Error::new(Code::Failure, format!("getrandom: {e}")))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
}

fn is_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// `--forget`: removes the fork the talk wrote, its transcript and its sidecar dir (subagents,
/// tool results), and nothing else: both are named by the id seance chose for it.
fn forget(saved: &Path, fork: &str) -> Result<()> {
    let sidecar = saved.with_file_name(fork);
    if std::fs::symlink_metadata(&sidecar).is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir_all(&sidecar).map_err(|e| Error::io("remove", sidecar.display(), e))?;
    }
    std::fs::remove_file(saved).map_err(|e| Error::io("remove", saved.display(), e))?;
    diag::line(&format!("Forgot the talk (removed {})", saved.display()));
    Ok(())
}

/// Waits for the agent, forwarding the signals we catch; returns our exit status.
fn wait_forwarding(pid: Pid) -> Code {
    loop {
        for (flag, sig) in
            [(&GOT_INT, Signal::SIGINT), (&GOT_TERM, Signal::SIGTERM), (&GOT_HUP, Signal::SIGHUP)]
        {
            if flag.swap(false, Ordering::SeqCst) {
                let _ = signal::kill(pid, sig);
            }
        }
        match waitpid(pid, None) {
            Ok(WaitStatus::Exited(_, code)) => return exit_code(code),
            Ok(WaitStatus::Signaled(_, sig, _)) => return exit_code(128 + sig as i32),
            Ok(_) | Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return Code::Failure,
        }
    }
}

/// gt's rule: the agent's status, with 130 (left with Ctrl-C) counted as success.
fn exit_code(code: i32) -> Code {
    match code {
        0 | 130 => Code::Success,
        other => Code::Other(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_code_versions() {
        assert_eq!(claude_code_version("2.1.197 (Claude Code)\n"), Some((2, 1, 197)));
        assert_eq!(claude_code_version("2.1.330 (Claude Code)"), Some((2, 1, 330)));
        assert!(claude_code_version("2.0.73 (Claude Code)").unwrap() >= SESSION_ID_SINCE);
        assert!(claude_code_version("2.0.72 (Claude Code)").unwrap() < SESSION_ID_SINCE);
        assert!(claude_code_version("1.9.999 (Claude Code)").unwrap() < SESSION_ID_SINCE);
        for other in [
            "",
            "2.1.197",
            "2.1 (Claude Code)",
            "2.1.1.1 (Claude Code)",
            "x.1.2 (Claude Code)",
            "codex 2.1.0",
        ] {
            assert_eq!(claude_code_version(other), None, "{other}");
        }
    }
}
