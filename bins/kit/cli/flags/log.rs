//! Flags of the event-log reader (seance-events, and the listing in seance).

use crate::cli::{Complete, Flag};

pub const EVENTS: Flag = Flag {
    long: "events",
    value: Some("FILE"),
    help: "Read this event log instead of the town's (- for stdin)",
    doc: "Stdin, and any file that is not a regular file, is read from its start and emitted in \
          input order, since a pipe cannot be read from its end.",
    complete: Complete::File,
    ..Flag::EMPTY
};

pub const TYPE: Flag = Flag {
    long: "type",
    value: Some("TYPE"),
    help: "Emit events of this type (repeatable; default: session_start)",
    ..Flag::EMPTY
};

pub const ALL_TYPES: Flag = Flag { long: "all-types", help: "Emit events of every type", ..Flag::EMPTY };

pub const FOLLOW: Flag = Flag {
    long: "follow",
    short: Some('f'),
    help: "After the backlog, keep emitting new events as they are appended",
    doc: "New events come oldest first, as they are written, until the tool is killed or its \
          reader goes away. A log that is truncated or replaced is followed from its start.",
    ..Flag::EMPTY
};

pub const WINDOW: Flag = Flag {
    long: "window",
    value: Some("DURATION"),
    help: "How far out of time order the log's lines may be (default: 5m)",
    doc: "Events are written by many processes, so a line can be a little older than the one \
          before it. Output is exactly newest first for logs whose lines are out of order by less \
          than DURATION; a larger window costs reading that much more of the log.",
    ..Flag::EMPTY
};
