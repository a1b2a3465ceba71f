//! seance-stage: makes a session resumable from the current account and working directory, and
//! prints an undo token (the work is core::stage's).

use std::io::Write;
use std::path::Path;

use super::for_each_item;
use crate::cli::flags::common::{CONFIG_DIR, DRY_RUN, JSON, LOCK_TIMEOUT, TOWN};
use crate::cli::flags::stage::CWD;
use crate::cli::{self, Complete, Tool};
use crate::core::error::{Code, Error, Result, WriteResult, describe_io, warn};
use crate::core::out;
use crate::core::resolve::id_from_line;
use crate::core::stage::{Staged, Stager};
use crate::core::unstage::undo;

pub const TOOL: Tool = Tool {
    name: "seance-stage",
    about: "make a session resumable from here, and print an undo token",
    synopsis: "[OPTIONS] [ID]...",
    description: "Finds each session's transcript in any account (the current one first, then \
                  mayor/accounts.json in its order, then ~/.claude; the newest file wins) and makes \
                  it visible to `claude --resume` from the working directory: a symlink in the \
                  current account's project dir for that directory (and one for the session's \
                  sidecar dir), and the session's entry in that dir's sessions-index.json, added \
                  under gt's lock. Nothing is done when the transcript is already there; when it \
                  is linked already, only what is missing (the entry, say) is added.\n\n\
                  IDs come from the arguments or, with none, from stdin, one per line: an event or \
                  any JSON object with payload.session_id, session_id or sessionId, or text whose \
                  first field is the id (what fzf prints). An id may be a prefix of at least 4 \
                  characters, resolved against the town's events and the accounts' files.\n\n\
                  For each session one undo token is printed: a single shell-safe word for \
                  seance-unstage. Staging a session that is staged already joins that stage: it \
                  stays until the last of its users unstages. A token that cannot be delivered \
                  (stdout full or closed) has its stage undone, and the exit status is 2.",
    flags: &[&CWD, &CONFIG_DIR, &TOWN, &JSON, &DRY_RUN, &LOCK_TIMEOUT],
    operands: Complete::Session,
    operand: cli::collect_operand,
    ..Tool::EMPTY
};

pub fn main() -> i32 {
    super::run(&TOOL, |args| {
        let stager = Stager::new(
            args.common.config_dir(),
            args.common.town.as_deref(),
            args.stage.cwd.as_deref(),
            args.common.lock_timeout(),
        )?;
        for warning in stager.sessions.warnings() {
            crate::core::error::warn(TOOL.name, &warning.to_string());
        }
        let mut out = out::stdout();
        let code = for_each_item(TOOL.name, &args.operands, id_from_line, |input| {
            if args.common.dry_run {
                let plan = stager.plan(input)?;
                out.write_all(plan.as_bytes()).or_closed()?;
                return Ok(());
            }
            let staged = stager.stage(input, false)?;
            let line = if args.common.json { record(&staged) } else { staged.token.encode() };
            // A token that does not reach the caller can never be unstaged: take the stage
            // back and fail loudly, even on a closed stdout (SPEC section 3).
            let delivered = line.map_err(|err| err.message().to_string()).and_then(|line| {
                writeln!(out, "{line}")
                    .and_then(|()| out.flush())
                    .map_err(|err| format!("stdout: {}", describe_io(&err)))
            });
            if let Err(why) = delivered {
                let undone = match undo(&staged.token, None, args.common.lock_timeout()) {
                    Ok(()) => "undid its stage".to_string(),
                    Err(undo) => format!("could not undo its stage either: {}", undo.message()),
                };
                warn(TOOL.name, &format!("{why}: token for {} not delivered; {undone}", staged.id));
                return Err(Error::Reported(Code::Failure));
            }
            Ok(())
        })?;
        out.flush().or_closed()?;
        Ok(code)
    })
}

fn record(staged: &Staged) -> Result<String> {
    let t = &staged.token;
    let path = |p: &Path| serde_json::Value::from(p.to_string_lossy().into_owned());
    let record = serde_json::json!({
        "token": t.encode()?,
        "session_id": staged.id,
        "source": path(&staged.source),
        "link": t.dir.join(format!("{}.jsonl", t.id)).to_string_lossy(),
        "sidecar": t.sidecar.as_ref().map(|_| path(&t.dir.join(&t.id))),
        "index": path(&staged.index),
        "added": { "link": t.link.is_some(), "sidecar": t.sidecar.is_some(), "entry": t.entry.is_some() },
    });
    Ok(record.to_string())
}
