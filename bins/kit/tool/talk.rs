//! `seance --talk`: gc orphans, stage the session, run the agent on it as a fork, and unstage
//! whatever happens to the agent or to us (short of SIGKILL, which seance-gc --older-than
//! covers). The index lock is never held while the agent runs.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::Pid;

use crate::core::error::{Code, Error, Result};
use crate::core::gc::Gc;
use crate::core::stage::Stager;
use crate::core::unstage;

pub struct Talk<'a> {
    pub id: &'a str,
    pub prompt: Option<&'a str>,
    pub agent: Option<OsString>,
    pub config_dir: Option<&'a Path>,
    pub town: Option<&'a Path>,
    pub lock_timeout: Duration,
}

static GOT_INT: AtomicBool = AtomicBool::new(false);
static GOT_TERM: AtomicBool = AtomicBool::new(false);
static GOT_HUP: AtomicBool = AtomicBool::new(false);

/// Notes a signal for the wait loop. A Ctrl-C from the terminal already reaches the agent (it
/// is in our process group), so only a SIGINT sent by `kill` is marked for forwarding.
extern "C" fn note_signal(sig: i32, info: *mut nix::libc::siginfo_t, _: *mut nix::libc::c_void) {
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
        unsafe { signal::sigaction(sig, &action) }.map_err(|e| Error::usage(format!("sigaction: {e}")))?;
    }
    Ok(())
}

fn agent_program(explicit: Option<OsString>) -> OsString {
    explicit
        .or_else(|| std::env::var_os("SEANCE_AGENT").filter(|a| !a.is_empty()))
        .unwrap_or_else(|| OsString::from("claude"))
}

pub fn talk(talk: &Talk) -> Result<Code> {
    let stager = Stager::new(talk.config_dir, talk.town, None, talk.lock_timeout)?;
    for warning in stager.sessions.warnings() {
        eprintln!("seance: {warning}");
    }
    // Leftovers of a seance that was killed; failures here must not stop the talk.
    let gc = Gc { older_than: None, dry_run: false, lock_timeout: talk.lock_timeout };
    gc.account(&stager.current, &mut |_| {}, &mut |_| {});
    catch_signals()?;
    let staged = stager.stage(talk.id)?;
    eprintln!("Summoning session {}…", staged.id);
    let program = agent_program(talk.agent.clone());
    let mut command = Command::new(&program);
    command.args(["--fork-session", "--resume", &staged.id]);
    if let Some(prompt) = talk.prompt {
        command.args(["-p", prompt]);
    }
    command.env_remove("CLAUDECODE").env_remove("CLAUDE_CODE_ENTRYPOINT");
    let outcome = match command.spawn() {
        Ok(child) => Ok(wait_forwarding(Pid::from_raw(child.id() as i32))),
        Err(err) => Err(Error::new(
            Code::Failure,
            format!("{}: {}", program.to_string_lossy(), crate::core::error::describe_io(&err)),
        )),
    };
    let cleanup = unstage::undo(&staged.token, talk.lock_timeout);
    let status = outcome?;
    if let Err(err) = cleanup {
        eprintln!("seance: {} (undo token: {})", err.message, staged.token.encode());
        return Ok(err.code);
    }
    Ok(status)
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
