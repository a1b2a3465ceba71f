//! Flags of the event-log reader (seance-events, and the listing in seance).

use std::path::PathBuf;

use jiff::SignedDuration;

use super::{Args, store};
use crate::cli::{Complete, Flag};
use crate::core::eventlog::{DEFAULT_WINDOW, EventsOpts};

#[derive(Debug, Default)]
pub struct LogArgs {
    pub events: Option<PathBuf>,
    pub types: Vec<String>,
    pub all_types: bool,
    pub follow: bool,
    pub window: Option<SignedDuration>,
    pub limit: Option<usize>,
}

impl Args {
    /// What the event-log reader is asked for.
    pub fn events_opts(&self) -> EventsOpts {
        EventsOpts {
            town: self.common.town.clone(),
            events: self.log.events.clone(),
            types: self.log.types.clone(),
            all_types: self.log.all_types,
            since: self.common.since,
            until: self.common.until,
            follow: self.log.follow,
            window: self.log.window.unwrap_or(DEFAULT_WINDOW),
            strict: self.common.strict,
            limit: self.log.limit,
        }
    }
}

pub const EVENTS: Flag =
    Flag::value("events", "FILE", "Read this event log instead of the town's (- for stdin)", |a, v| {
        store(&mut a.log.events, v.path())
    })
    .doc(
        "Stdin, and any file that is not a regular file, is read from its start and emitted in input order, \
        since a pipe cannot be read from its end.",
    )
    .complete(Complete::File);

pub const TYPE: Flag =
    Flag::value("type", "TYPE", "Emit events of this type (repeatable; default: session_start)", |a, v| {
        a.log.types.push(v.text()?);
        Ok(())
    });

pub const ALL_TYPES: Flag =
    Flag::switch("all-types", "Emit events of every type", |a| a.log.all_types = true);

pub const FOLLOW: Flag =
    Flag::switch("follow", "Keep emitting new events as they are appended (after -n N of backlog)", |a| {
        a.log.follow = true
    })
    .short('f')
    .doc(
        "New events come oldest first, as they are written, until the tool is killed or its reader goes \
        away. Like `tail -F`: a log renamed away is read to its end before the new one is opened, a log \
        truncated in place is read again from its start, a line is emitted once its newline is written, \
        and skipped lines are reported as they come.",
    );

pub const BACKLOG: Flag = Flag::value(
    "limit",
    "N",
    "Emit only the N newest events (when following: the backlog, default none)",
    |a, v| store(&mut a.log.limit, v.number()?),
)
.short('n')
.doc(
    "Without --follow, the N newest events, newest first (0: all). With --follow, the N newest events \
        of the log come first, oldest first, then the events appended after, so the output stays in \
        time order; by default a follower prints only new events, like `tail -n 0 -F`.",
);

pub const WINDOW: Flag = Flag::value(
    "window",
    "DURATION",
    "How far out of time order the log's lines may be (default: 5m)",
    |a, v| store(&mut a.log.window, v.duration()?),
)
.doc(
    "Events are written by many processes, so a line can be a little older than the one before it. \
        Output is exactly newest first for logs whose lines are out of order by less than DURATION; a \
        larger window costs reading that much more of the log.",
);
