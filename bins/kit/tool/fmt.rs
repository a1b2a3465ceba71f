//! seance-fmt: renders NDJSON events as gt's table, tsv, an fzf menu, a JSON array or ids.

use super::read_stdin_events;
use crate::cli::Tool;
use crate::cli::flags::common::STRICT;
use crate::cli::flags::render::{COLOR, FORMAT, MARK_ABSENT, NO_HEADER, TIME, WIDTH};
use crate::core::error::Code;
use crate::core::eventlog::Flow;
use crate::core::malformed::Skipped;
use crate::core::out;
use crate::core::render::{Format, Formatter};

pub const TOOL: Tool = Tool {
    name: "seance-fmt",
    about: "render session events and records for people and programs",
    synopsis: "[OPTIONS] < RECORDS",
    description: "Reads NDJSON events (and the other tools' records) on stdin and renders them. The table is gt's listing: \
                  SESSION_ID, ROLE, STARTED and TOPIC, two spaces apart, under a rule; a cell \
                  too long for its column is cut to one column less than its width plus …, by \
                  display width. An empty input in table format prints gt's \"No session events \
                  found.\" and its two hints.\n\n\
                  seance-trail's records are rendered too: the table is TIME, ROLE (the actor), \
                  KIND and WHAT (the path, command, hash and subject, URL …); tsv is the session \
                  id, time, actor, kind and what; ids gives each session once.\n\n\
                  seance-grep's hits are rendered too: the table is SESSION_ID, ROLE, KIND and \
                  TEXT, the match in TEXT in bold red when colour is on (never in the machine \
                  formats); tsv is the session id, role, kind and text; ids gives each session \
                  once. seance-grep -l's records are SESSION_ID, ROLE, HITS and TOPIC (tsv: the \
                  session id, actor, hit count and topic).\n\n\
                  seance-sessions' records are rendered too: the table is SESSION_ID, \
                  ROLE/ACCOUNT (the town's actor when it logged the session, else the account \
                  that holds it), MODIFIED and TITLE (the title, else the first prompt, else -); \
                  tsv is the session id, actor or account, modified time and title.\n\n\
                  A stream may mix the kinds: each record is rendered in its own kind's layout, \
                  and the table starts anew (a blank line, then that kind's header) wherever the \
                  kind changes.",
    flags: &[&FORMAT, &TIME, &NO_HEADER, &WIDTH, &MARK_ABSENT, &COLOR, &STRICT],
    ..Tool::EMPTY
};

pub fn main() -> i32 {
    super::run(&TOOL, |args| {
        let mut formatter = Formatter::new(&args.render);
        if args.render.mark_absent && formatter.format() == Format::Table {
            formatter = formatter.on_disk(super::on_disk(&args)?);
        }
        let mut out = out::stdout();
        let mut skipped = Skipped::new(args.common.strict);
        let outcome = read_stdin_events(&mut skipped, |line, event| {
            formatter.record(&mut out, line, event).map(|()| Flow::Continue)
        });
        skipped.report(TOOL.name);
        formatter.report(TOOL.name);
        outcome?;
        formatter.finish(&mut out)?;
        Ok(Code::Success)
    })
}
