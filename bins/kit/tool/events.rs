//! seance-events: the town's session events as NDJSON, newest first, each line unchanged (the
//! reading is core::eventlog's).

use std::ffi::OsString;
use std::io::Write;

use super::{found_code, write_line};
use crate::cli::flags::common::{EXIT_STATUS, SINCE, STRICT, TOWN, UNTIL};
use crate::cli::flags::log::{ALL_TYPES, EVENTS, FOLLOW, TYPE, WINDOW};
use crate::cli::{self, Flag, Opts, Tool, moment};
use crate::core::error::{Error, Result};
use crate::core::event::Event;
use crate::core::eventlog::{EventsOpts, Flow, Sink, scan};
use crate::core::malformed::Skipped;
use crate::core::out;
use crate::core::time::parse_duration;
use std::path::PathBuf;

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
    flags: &[&TOWN, &EVENTS, &TYPE, &ALL_TYPES, &SINCE, &UNTIL, &FOLLOW, &WINDOW, &STRICT, &EXIT_STATUS],
    ..Tool::EMPTY
};

impl Opts for EventsOpts {
    fn set(&mut self, flag: &'static Flag, value: Option<OsString>) -> Result<bool> {
        match flag.long {
            "town" => self.town = value.map(PathBuf::from),
            "events" => self.events = value.map(PathBuf::from),
            "type" => self.types.push(cli::text(flag, value)?),
            "all-types" => self.all_types = true,
            "since" => self.since = Some(moment(flag, value)?),
            "until" => self.until = Some(moment(flag, value)?),
            "follow" => self.follow = true,
            "window" => {
                let text = cli::text(flag, value)?;
                self.window = parse_duration(&text).map_err(|e| Error::usage(format!("--window: {e}")))?;
            }
            "strict" => self.strict = true,
            "exit-status" => self.exit_status = true,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

pub fn main() -> i32 {
    super::run(&TOOL, |opts: EventsOpts| {
        let mut sink = Stdout { out: out::stdout(), emitted: false };
        let mut skipped = Skipped::new(opts.strict);
        let outcome = scan(&opts, &mut skipped, &mut sink);
        skipped.report(TOOL.name);
        outcome?;
        sink.out.flush()?;
        Ok(found_code(sink.emitted, opts.exit_status))
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
        Ok(self.out.flush()?)
    }
}
