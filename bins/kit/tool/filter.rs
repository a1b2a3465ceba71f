//! seance-filter: keeps the NDJSON events on stdin that match, writing them unchanged.

use std::io::Write;

use super::{found_code, read_stdin_events, write_line};
use crate::cli::Tool;
use crate::cli::flags::common::{EXIT_STATUS, SINCE, STRICT, UNTIL};
use crate::cli::flags::filter::{ACTOR, LIMIT, PRESENT, RESUMABLE, RIG, ROLE, SESSION, TOPIC, UNIQUE};
use crate::core::error::WriteResult;
use crate::core::eventlog::Flow;
use crate::core::filter::{Filter, FilterOpts};
use crate::core::malformed::Skipped;
use crate::core::out;

pub const TOOL: Tool = Tool {
    name: "seance-filter",
    about: "keep the session events that match",
    synopsis: "[OPTIONS] < EVENTS",
    description: "Reads NDJSON events on stdin and writes the lines that match every given flag, \
                  unchanged. Repeating a flag gives alternatives (--role crew --role witness); \
                  different flags must all match.\n\n\
                  It takes seance-sessions records and seance-grep hits as well as events: \
                  their session_id, actor, topic and ts (a session record without a town: its \
                  modified time) are matched the same way.\n\n\
                  Lines that are not JSON objects are skipped and counted on stderr.",
    flags: &[
        &ROLE,
        &RIG,
        &ACTOR,
        &SESSION,
        &TOPIC,
        &SINCE,
        &UNTIL,
        &RESUMABLE,
        &UNIQUE,
        &PRESENT,
        &LIMIT,
        &STRICT,
        &EXIT_STATUS,
    ],
    ..Tool::EMPTY
};

pub fn main() -> i32 {
    super::run(&TOOL, |args| {
        let opts = FilterOpts { since: args.common.since, until: args.common.until, ..args.filter.clone() };
        let mut filter = Filter::new(opts);
        if args.filter.present {
            filter = filter.on_disk(super::on_disk(&args)?);
        }
        let mut out = out::stdout();
        let mut skipped = Skipped::new(args.common.strict);
        let outcome = read_stdin_events(&mut skipped, |line, event| match filter.admit(event) {
            None => Ok(Flow::Continue),
            Some(flow) => write_line(&mut out, line).map(|()| flow),
        });
        skipped.report(TOOL.name);
        outcome?;
        out.flush().or_closed()?;
        Ok(found_code(filter.matched() > 0, args.common.exit_status))
    })
}
