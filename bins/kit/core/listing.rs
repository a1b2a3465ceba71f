//! The listing behind `seance` and `seance pick`: the event-log reader, the filter and the
//! renderer chained in one process, so its rows are the `seance-events | seance-filter |
//! seance-fmt` pipeline's by construction.

use std::io::Write;

use super::error::Result;
use super::event::Event;
use super::eventlog::{self, EventsOpts, Flow, Sink};
use super::filter::Filter;
use super::malformed::Skipped;
use super::render::Formatter;

/// The listing pipeline into `out`; returns whether anything matched.
pub fn scan_into(
    tool: &str,
    events: &EventsOpts,
    filter: Filter,
    formatter: Formatter,
    out: Box<dyn Write>,
) -> Result<bool> {
    let mut chain = Chain { filter, formatter, out };
    let mut skipped = Skipped::new(events.strict);
    let outcome = eventlog::scan(events, &mut skipped, &mut chain);
    skipped.report(tool);
    outcome?;
    chain.formatter.finish(&mut chain.out)?;
    chain.out.flush()?;
    Ok(chain.filter.matched() > 0)
}

/// seance-filter then seance-fmt, as a sink for seance-events.
struct Chain {
    filter: Filter,
    formatter: Formatter,
    out: Box<dyn Write>,
}

impl Sink for Chain {
    fn event(&mut self, line: &[u8], event: &Event) -> Result<Flow> {
        match self.filter.admit(event) {
            None => Ok(Flow::Continue),
            Some(flow) => self.formatter.row(&mut self.out, line, event).map(|()| flow),
        }
    }

    fn flush(&mut self) -> Result<()> {
        Ok(self.out.flush()?)
    }
}
