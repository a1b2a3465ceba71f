//! seance-stage: makes a session resumable from the current account and working directory, and
//! prints an undo token (the work is core::stage's).

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::for_each_item;
use crate::cli::flags::common::{CONFIG_DIR, LOCK_TIMEOUT, TOWN};
use crate::cli::flags::stage::{CWD, DRY_RUN, JSON};
use crate::cli::{self, Complete, Flag, Opts, Tool};
use crate::core::error::Result;
use crate::core::lock::DEFAULT_TIMEOUT;
use crate::core::out;
use crate::core::resolve::id_from_line;
use crate::core::stage::{Staged, Stager};

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
                  seance-unstage.",
    flags: &[&CWD, &CONFIG_DIR, &TOWN, &JSON, &DRY_RUN, &LOCK_TIMEOUT],
    operands: Complete::Session,
    ..Tool::EMPTY
};

pub struct StageOpts {
    pub ids: Vec<String>,
    pub cwd: Option<PathBuf>,
    pub config_dir: Option<PathBuf>,
    pub town: Option<PathBuf>,
    pub json: bool,
    pub dry_run: bool,
    pub lock_timeout: Duration,
}

impl Default for StageOpts {
    fn default() -> Self {
        StageOpts {
            ids: Vec::new(),
            cwd: None,
            config_dir: None,
            town: None,
            json: false,
            dry_run: false,
            lock_timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl Opts for StageOpts {
    fn set(&mut self, flag: &'static Flag, value: Option<OsString>) -> Result<bool> {
        match flag.long {
            "cwd" => self.cwd = value.map(PathBuf::from),
            "config-dir" => self.config_dir = value.map(PathBuf::from),
            "town" => self.town = value.map(PathBuf::from),
            "json" => self.json = true,
            "dry-run" => self.dry_run = true,
            "lock-timeout" => self.lock_timeout = cli::timeout(flag, value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn operand(&mut self, value: OsString) -> Result<()> {
        self.ids.push(value.to_string_lossy().into_owned());
        Ok(())
    }
}

pub fn main() -> i32 {
    super::run(&TOOL, |opts: StageOpts| {
        let stager = Stager::new(
            opts.config_dir.as_deref(),
            opts.town.as_deref(),
            opts.cwd.as_deref(),
            opts.lock_timeout,
        )?;
        let mut out = out::stdout();
        let code = for_each_item(TOOL.name, &opts.ids, id_from_line, |input| {
            if opts.dry_run {
                let plan = stager.plan(input)?;
                out.write_all(plan.as_bytes())?;
                return Ok(());
            }
            let staged = stager.stage(input)?;
            let line = if opts.json { record(&staged) } else { staged.token.encode() };
            writeln!(out, "{line}")?;
            out.flush()?;
            Ok(())
        })?;
        out.flush()?;
        Ok(code)
    })
}

fn record(staged: &Staged) -> String {
    let t = &staged.token;
    let path = |p: &Path| serde_json::Value::from(p.to_string_lossy().into_owned());
    let record = serde_json::json!({
        "token": t.encode(),
        "session_id": staged.id,
        "source": path(&staged.source),
        "link": t.dir.join(format!("{}.jsonl", t.id)).to_string_lossy(),
        "sidecar": t.sidecar.as_ref().map(|_| path(&t.dir.join(&t.id))),
        "index": path(&staged.index),
        "added": { "link": t.link.is_some(), "sidecar": t.sidecar.is_some(), "entry": t.entry.is_some() },
    });
    record.to_string()
}
