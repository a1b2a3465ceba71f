//! seance-events: the town's session events as NDJSON, newest first, each line unchanged (the
//! reading is core::eventlog's).

use std::io::Write;

use super::{found_code, write_line};
use crate::cli::Tool;
use crate::cli::flags::common::{EXIT_STATUS, SINCE, STRICT, TOWN, UNTIL};
use crate::cli::flags::log::{ALL_TYPES, BACKLOG, EVENTS, FOLLOW, TYPE, WINDOW};
use crate::core::error::{Result, WriteResult};
use crate::core::event::Event;
use crate::core::eventlog::{Flow, Sink, scan};
use crate::core::malformed::Skipped;
use crate::core::out;

pub const TOOL: Tool = Tool {
    name: "seance-events",
    about: "emit the town's session events as NDJSON, newest first",
    synopsis: "[OPTIONS]",
    description: "Reads the town's event log (<town>/.events.jsonl) from its end and writes its \
                  session_start events to stdout, newest first, each line exactly as it is in the \
                  log. Reading from the end makes `seance-events | head` cost time in proportion \
                  to what it prints, not to the size of the log.\n\n\
                  A missing log is an empty result. Malformed lines that mention a wanted type \
                  (bad JSON, not an object, invalid UTF-8, no valid \"ts\") are skipped and \
                  counted on stderr; lines that do not mention a wanted type are not examined.",
    flags: &[
        &TOWN,
        &EVENTS,
        &TYPE,
        &ALL_TYPES,
        &SINCE,
        &UNTIL,
        &FOLLOW,
        &BACKLOG,
        &WINDOW,
        &STRICT,
        &EXIT_STATUS,
    ],
    ..Tool::EMPTY
};

pub fn main() -> i32 {
    super::run(&TOOL, |args| {
        let mut sink = Stdout { out: out::stdout(), emitted: false };
        let mut skipped = Skipped::new(args.common.strict).reporting_as(TOOL.name);
        let outcome = scan(&args.events_opts(), &mut skipped, &mut sink);
        skipped.report(TOOL.name);
        outcome?;
        sink.out.flush().or_closed()?;
        Ok(found_code(sink.emitted, args.common.exit_status))
    })
}

struct Stdout {
    out: Box<dyn Write>,
    emitted: bool,
}

impl Sink for Stdout {
    fn event(&mut self, line: &[u8], _: &Event) -> Result<Flow> {
        self.emitted = true;
        write_line(&mut self.out, line)?;
        Ok(Flow::Continue)
    }

    fn flush(&mut self) -> Result<()> {
        self.out.flush().or_closed()
    }
}
