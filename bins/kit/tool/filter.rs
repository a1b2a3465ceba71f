//! seance-filter: keeps the NDJSON events on stdin that match, writing them unchanged.

use std::ffi::OsString;
use std::io::Write;

use super::{found_code, read_stdin_events, write_line};
use crate::cli::flags::common::{EXIT_STATUS, SINCE, STRICT, UNTIL};
use crate::cli::flags::filter::{ACTOR, LIMIT, RESUMABLE, RIG, ROLE, SESSION, TOPIC, UNIQUE};
use crate::cli::{self, Flag, Opts, Tool, moment};
use crate::core::error::Result;
use crate::core::event::canonical_role;
use crate::core::eventlog::Flow;
use crate::core::filter::{Filter, FilterOpts, strip_ellipsis};
use crate::core::malformed::Skipped;
use crate::core::out;

pub const TOOL: Tool = Tool {
    name: "seance-filter",
    about: "keep the session events that match",
    synopsis: "[OPTIONS] < EVENTS",
    description: "Reads NDJSON events on stdin and writes the lines that match every given flag, \
                  unchanged. Repeating a flag gives alternatives (--role crew --role witness); \
                  different flags must all match.\n\n\
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
        &LIMIT,
        &STRICT,
        &EXIT_STATUS,
    ],
    ..Tool::EMPTY
};

impl Opts for FilterOpts {
    fn set(&mut self, flag: &'static Flag, value: Option<OsString>) -> Result<bool> {
        let lower = |value| cli::text(flag, value).map(|t| t.to_lowercase());
        match flag.long {
            "role" => self.roles.push(canonical_role(&lower(value)?)),
            "rig" => self.rigs.push(lower(value)?),
            "actor" => self.actors.push(lower(value)?),
            "session" => self.sessions.push(strip_ellipsis(&lower(value)?).to_string()),
            "topic" => self.topics.push(lower(value)?),
            "since" => self.since = Some(moment(flag, value)?),
            "until" => self.until = Some(moment(flag, value)?),
            "resumable" => self.resumable = true,
            "unique" => self.unique = true,
            "limit" => self.limit = cli::number(flag, value)?,
            "strict" => self.strict = true,
            "exit-status" => self.exit_status = true,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

pub fn main() -> i32 {
    super::run(&TOOL, |opts: FilterOpts| {
        let (strict, exit_status) = (opts.strict, opts.exit_status);
        let mut filter = Filter::new(opts);
        let mut out = out::stdout();
        let mut skipped = Skipped::new(strict);
        let outcome = read_stdin_events(&mut skipped, |line, event| match filter.admit(event) {
            None => Ok(Flow::Continue),
            Some(flow) => write_line(&mut out, line).map(|()| flow),
        });
        skipped.report(TOOL.name);
        outcome?;
        out.flush()?;
        Ok(found_code(filter.matched() > 0, exit_status))
    })
}
