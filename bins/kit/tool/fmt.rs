//! seance-fmt: renders NDJSON events as gt's table, tsv, an fzf menu, a JSON array or ids.

use std::ffi::OsString;

use super::read_stdin_events;
use crate::cli::flags::common::{COLOR, STRICT};
use crate::cli::flags::render::{FORMAT, NO_HEADER, TIME, WIDTH};
use crate::cli::{self, Flag, Opts, Tool};
use crate::core::error::Result;
use crate::core::eventlog::Flow;
use crate::core::malformed::Skipped;
use crate::core::out;
use crate::core::render::{FmtOpts, Format, Formatter};
use crate::core::time::Style;

pub const TOOL: Tool = Tool {
    name: "seance-fmt",
    about: "render session events for people and programs",
    synopsis: "[OPTIONS] < EVENTS",
    description: "Reads NDJSON events on stdin and renders them. The table is gt's listing: \
                  SESSION_ID, ROLE, STARTED and TOPIC, two spaces apart, under a rule; a cell \
                  too long for its column is cut to one column less than its width plus …, by \
                  display width. An empty input in table format prints gt's \"No session events \
                  found.\" and its two hints.",
    flags: &[&FORMAT, &TIME, &NO_HEADER, &WIDTH, &COLOR, &STRICT],
    ..Tool::EMPTY
};

impl Opts for FmtOpts {
    fn set(&mut self, flag: &'static Flag, value: Option<OsString>) -> Result<bool> {
        match flag.long {
            "format" => {
                self.format = Some(match cli::choice(flag, value)? {
                    "table" => Format::Table,
                    "tsv" => Format::Tsv,
                    "fzf" => Format::Fzf,
                    "json" => Format::Json,
                    _ => Format::Ids,
                })
            }
            "time" => {
                self.time = Some(match cli::choice(flag, value)? {
                    "local" => Style::Local,
                    "utc" => Style::Utc,
                    _ => Style::Relative,
                })
            }
            "no-header" => self.no_header = true,
            "width" => self.width = Some(cli::number(flag, value)?),
            "color" => self.color = cli::choice(flag, value)?,
            "strict" => self.strict = true,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

pub fn main() -> i32 {
    super::run(&TOOL, |opts: FmtOpts| {
        let mut formatter = Formatter::new(&opts);
        let mut out = out::stdout();
        let mut skipped = Skipped::new(opts.strict);
        let outcome = read_stdin_events(&mut skipped, |line, event| {
            formatter.row(&mut out, line, event).map(|()| Flow::Continue)
        });
        skipped.report(TOOL.name);
        outcome?;
        formatter.finish(&mut out)?;
        Ok(crate::core::error::Code::Success)
    })
}
