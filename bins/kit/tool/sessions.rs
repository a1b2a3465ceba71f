//! seance-sessions: the sessions that exist on disk, in every account, newest first, as NDJSON
//! records that the other tools take as they take events.

use std::io::Write;
use std::time::SystemTime;

use jiff::Timestamp;
use serde::Serialize;

use crate::cli::flags::common::{CONFIG_DIR, EXIT_STATUS, SINCE, TOWN, UNTIL};
use crate::cli::flags::search::{ACCOUNT, NEWEST, NO_TOWN, SESSIONS_CWD};
use crate::cli::{Args, Tool};
use crate::core::error::{Code, Error, Result, WriteResult};
use crate::core::out;
use crate::core::printable::json_line;
use crate::core::sessions::{Described, Session, Start};
use crate::core::work;

pub const TOOL: Tool = Tool {
    name: "seance-sessions",
    about: "list the sessions that exist on disk, in every account",
    synopsis: "[OPTIONS]",
    description: "Prints one NDJSON record per transcript in the project dirs of every account (the \
                  current one, the town's accounts.json in its order, ~/.claude), whether or not the \
                  town logged the session, newest modification first. A session staged by \
                  seance-stage is listed once, as its real file, with staged true.\n\n\
                  Fields: session_id, account, config_dir, project_dir, path, bytes, modified, \
                  created, cwd, git_branch, title (the latest custom-title, else ai-title, else \
                  summary), first_prompt (cut to 200 characters), sidecar, staged; and when the \
                  town logged the session, its newest session_start event's actor, role, rig, \
                  topic and ts. Only the head and the tail of each transcript are read.",
    flags: &[&ACCOUNT, &SESSIONS_CWD, &SINCE, &UNTIL, &NEWEST, &NO_TOWN, &CONFIG_DIR, &TOWN, &EXIT_STATUS],
    ..Tool::EMPTY
};

pub fn main() -> i32 {
    super::run(&TOOL, list)
}

/// Up to this many sessions are described on this thread, and more are handed to the workers
/// by this many: reading a few KiB of each costs less than starting threads (`-n 20`) or
/// waking one for each session on a busy machine.
const ALONE: usize = 32;

/// Claude's way of writing a time: UTC, milliseconds.
fn stamp(time: SystemTime) -> String {
    Timestamp::try_from(time).unwrap_or(Timestamp::UNIX_EPOCH).strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[derive(Serialize)]
struct Record<'a> {
    session_id: &'a str,
    account: &'a str,
    config_dir: std::borrow::Cow<'a, str>,
    project_dir: std::borrow::Cow<'a, str>,
    path: std::borrow::Cow<'a, str>,
    bytes: u64,
    modified: String,
    created: Option<&'a str>,
    cwd: Option<&'a str>,
    git_branch: Option<&'a str>,
    title: Option<&'a str>,
    first_prompt: Option<&'a str>,
    sidecar: bool,
    staged: bool,
    #[serde(flatten)]
    town: Option<&'a Start>,
}

fn write_record(
    out: &mut dyn Write,
    session: &Session,
    described: &Described,
    start: Option<&Start>,
) -> Result<()> {
    let record = Record {
        session_id: &session.id,
        account: &session.account,
        config_dir: session.config_dir.to_string_lossy(),
        project_dir: session.project_dir.to_string_lossy(),
        path: session.path.to_string_lossy(),
        bytes: session.bytes,
        modified: stamp(session.modified),
        created: described.created.as_deref(),
        cwd: described.cwd.as_deref(),
        git_branch: described.git_branch.as_deref(),
        title: described.title.as_deref(),
        first_prompt: described.first_prompt.as_deref(),
        sidecar: session.sidecar,
        staged: session.staged,
        town: start,
    };
    let line = json_line(&record).map_err(|e| Error::failure(e.to_string()))?;
    out.write_all(&line).or_closed()
}

fn list(args: Args) -> Result<Code> {
    let (mut list, town, worst) = super::chosen_sessions(&args, true)?;
    super::modified_within(&args, &mut list);
    let limit = args.filter.limit.unwrap_or(0) as usize;
    if limit > 0 {
        list.truncate(limit);
    }
    let starts = super::town_starts(town.as_deref(), &list)?;
    let mut out = out::stdout();
    if list.len() <= ALONE {
        for session in &list {
            write_record(&mut out, session, &session.describe(), starts.get(&session.id))?;
        }
    } else {
        // Work handed out by the batch: one session is too little to be worth a handoff.
        let batches: Vec<&[Session]> = list.chunks(ALONE).collect();
        let mut written: Result<()> = Ok(());
        work::ordered(
            batches.len(),
            |i, _| batches[i].iter().map(|s| (s, s.describe())).collect::<Vec<_>>(),
            |described| {
                written =
                    described.iter().try_for_each(|(s, d)| write_record(&mut out, s, d, starts.get(&s.id)));
                written.is_ok()
            },
        );
        written?;
    }
    out.flush().or_closed()?;
    Ok(worst.max(super::found_code(!list.is_empty(), args.common.exit_status)))
}
