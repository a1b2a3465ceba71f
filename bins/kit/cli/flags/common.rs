//! Flags that many tools take: where the town and the accounts are, how long to wait for a
//! lock, time bounds, what to do with malformed input and empty results, and the
//! `--json`/`--dry-run` of the tools that change things.

use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;

use super::store;
use crate::cli::{Complete, Flag};

/// What --since and --until say go to the event-log reader (which can then stop early) or to
/// the filter, whichever reads the events.
#[derive(Debug, Default)]
pub struct CommonArgs {
    pub town: Option<PathBuf>,
    /// Every --config-dir given, in order (tools that take one use the last).
    pub config_dirs: Vec<PathBuf>,
    pub lock_timeout: Option<Duration>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub strict: bool,
    pub exit_status: bool,
    pub json: bool,
    pub dry_run: bool,
}

impl CommonArgs {
    /// The current account as --config-dir names it, when it does.
    pub fn config_dir(&self) -> Option<&std::path::Path> {
        self.config_dirs.last().map(PathBuf::as_path)
    }

    pub fn lock_timeout(&self) -> Duration {
        self.lock_timeout.unwrap_or(crate::core::lock::DEFAULT_TIMEOUT)
    }
}

pub const TOWN: Flag = Flag::value(
    "town",
    "DIR",
    "The town's root directory (default: found from the working directory)",
    |a, v| store(&mut a.common.town, v.path()),
)
.doc(
    "Without it, the town is the outermost directory above the working directory that holds \
        mayor/town.json, else the outermost that holds mayor/, else $GT_TOWN_ROOT, then $GT_ROOT (each \
        only if it holds mayor/).",
)
.complete(Complete::Dir);

pub const CONFIG_DIR: Flag =
    Flag::value("config-dir", "DIR", "Use this Claude config dir as the current account", |a, v| {
        a.common.config_dirs.push(v.path());
        Ok(())
    })
    .doc(
        "Default: $CLAUDE_CONFIG_DIR when set, else ~/.claude (through symlinks). Set but empty is \
         refused (exit 2): Claude Code would then use ./projects of any directory. With \
         `seance --talk`, the agent is started with CLAUDE_CONFIG_DIR set to it, so the client \
         looks where the stage was made.",
    )
    .complete(Complete::Dir);

pub const LOCK_TIMEOUT: Flag =
    Flag::value("lock-timeout", "DURATION", "How long to wait for an index lock (default: 5s)", |a, v| {
        store(&mut a.common.lock_timeout, v.duration()?.unsigned_abs())
    })
    .doc(
        "The lock is gt's: flock(2) on sessions-index.json.lock. When it is not acquired in time the \
        session is left as it was and the exit status is 4.",
    );

pub const SINCE: Flag = Flag::value("since", "TIME", "Only events at or after TIME", |a, v| {
    store(&mut a.common.since, v.moment()?)
})
.doc(
    "TIME is RFC 3339 (2026-01-22T10:00:00Z), a date (2026-01-22, local midnight), or a duration back \
        from now: 90s, 30m, 2h, 3d, 1w, or a sum like 1h30m.",
);

pub const UNTIL: Flag =
    Flag::value("until", "TIME", "Only events before TIME", |a, v| store(&mut a.common.until, v.moment()?))
        .doc("TIME takes the same forms as --since.");

pub const STRICT: Flag =
    Flag::switch("strict", "Stop at the first malformed line (exit 2) instead of skipping it", |a| {
        a.common.strict = true
    })
    .doc(
        "Without it, lines that are not JSON objects or not UTF-8 are skipped and counted, and the count is \
        reported on stderr at the end. Blank lines are always skipped silently.",
    );

pub const EXIT_STATUS: Flag =
    Flag::switch("exit-status", "Exit 1 when nothing matched", |a| a.common.exit_status = true).short('e');

pub const JSON: Flag =
    Flag::switch("json", "Print an NDJSON record per session instead of a bare token", |a| {
        a.common.json = true
    })
    .doc(
        "The record holds the token and what it stands for: session_id, source, link, sidecar, index, and \
        added (which of link, sidecar and entry this run made).",
    );

pub const DRY_RUN: Flag =
    Flag::switch("dry-run", "Say what would be done and change nothing", |a| a.common.dry_run = true);
