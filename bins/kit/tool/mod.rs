//! The tools, one module each. Each is a function that returns an exit code; the binaries under
//! `bins/` call them. The read-path tools are also stages that the `seance` wrapper chains in
//! one process, so its output is the pipeline's by construction.

pub mod candidates;
pub mod events;
pub mod filter;
pub mod fmt;
pub mod gc;
pub mod pick;
pub mod show;
pub mod stage;
pub mod talk;
pub mod unstage;
pub mod wrapper;

use std::io::{self, Write};

use crate::cli::{self, Opts, Parsed, Tool};
use crate::core::error::{self, Code, Result};
use crate::core::event::Event;
use crate::core::eventlog::Flow;
use crate::core::lines::{ForwardLines, is_blank};
use crate::core::malformed::{Place, Skipped};

/// Every tool, in the order the docs list them.
pub const ALL: &[&Tool] = &[
    &wrapper::TOOL,
    &events::TOOL,
    &filter::TOOL,
    &fmt::TOOL,
    &show::TOOL,
    &stage::TOOL,
    &unstage::TOOL,
    &gc::TOOL,
];

/// Parses the command line into `O`, then runs `body`; returns the process exit code.
pub(crate) fn run<O: Opts + Default>(tool: &Tool, body: fn(O) -> Result<Code>) -> i32 {
    let outcome = (|| {
        let mut opts = O::default();
        match cli::parse(tool, std::env::args_os().skip(1), &mut opts)? {
            Parsed::Printed => Ok(Code::Success),
            Parsed::Run => body(opts),
        }
    })();
    error::finish(tool.name, outcome)
}

/// Feeds each event on stdin to `each`; blank lines are skipped, malformed ones are noted as
/// `<stdin>:LINE`.
pub(crate) fn read_stdin_events(
    skipped: &mut Skipped,
    mut each: impl FnMut(&[u8], &Event) -> Result<Flow>,
) -> Result<()> {
    let stdin = io::stdin();
    let mut lines = ForwardLines::new(io::BufReader::with_capacity(64 * 1024, stdin.lock()));
    while let Some((number, line)) = lines.next_line().map_err(|e| error::Error::io("<stdin>", e))? {
        if is_blank(line) {
            continue;
        }
        match Event::parse(line) {
            Ok(event) => {
                if each(line, &event)? == Flow::Stop {
                    break;
                }
            }
            Err(why) => skipped.record(Place::Line("<stdin>", number), &why)?,
        }
    }
    Ok(())
}

/// Feeds each item to `each`: the operands, or with none, what `pick` finds on each stdin line
/// (blank lines skipped). A failed item is reported as `tool: message` and the rest go on; the
/// result is the most severe code of them all. Only a write error to stdout stops the run.
pub(crate) fn for_each_item(
    tool: &str,
    operands: &[String],
    pick: fn(&str) -> Option<String>,
    mut each: impl FnMut(&str) -> Result<()>,
) -> Result<Code> {
    let mut worst = Code::Success;
    let mut outcome = |result: Result<()>, place: Option<u64>| -> Result<()> {
        match result {
            Ok(()) => Ok(()),
            Err(err) if err.message.is_empty() => Err(err),
            Err(err) => {
                match place {
                    Some(line) => eprintln!("{tool}: <stdin>:{line}: {}", err.message),
                    None => eprintln!("{tool}: {}", err.message),
                }
                worst = worst.max(err.code);
                Ok(())
            }
        }
    };
    if !operands.is_empty() {
        for item in operands {
            outcome(each(item), None)?;
        }
        return Ok(worst);
    }
    let stdin = io::stdin();
    let mut lines = ForwardLines::new(io::BufReader::new(stdin.lock()));
    while let Some((number, line)) = lines.next_line().map_err(|e| error::Error::io("<stdin>", e))? {
        if is_blank(line) {
            continue;
        }
        let result = match std::str::from_utf8(line).ok().and_then(pick) {
            Some(item) => each(&item),
            None => Err(error::Error::usage("nothing usable on this line")),
        };
        outcome(result, Some(number))?;
    }
    Ok(worst)
}

/// Writes a line and its newline.
pub(crate) fn write_line(out: &mut dyn Write, line: &[u8]) -> Result<()> {
    out.write_all(line)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// The exit code for a run that found `found` things, given `-e`.
pub(crate) fn found_code(found: bool, exit_status: bool) -> Code {
    if found || !exit_status { Code::Success } else { Code::NoMatch }
}
