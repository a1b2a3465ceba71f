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
    Flag::switch("follow", "After the backlog, keep emitting new events as they are appended", |a| {
        a.log.follow = true
    })
    .short('f')
    .doc(
        "New events come oldest first, as they are written, until the tool is killed or its reader goes \
        away. A log that is truncated or replaced is followed from its start.",
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
