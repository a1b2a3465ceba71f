//! What happens to lines that are not events: counted and reported once at the end, or with
//! `--strict`, the first one stops the tool with exit 2.

use std::fmt;
use std::path::Path;

use crate::core::error::{Code, Error, Result};
use crate::core::event::Malformed;

/// Where a line is, for messages: built only when a line turns out to be malformed.
#[derive(Clone, Copy)]
pub enum Place<'a> {
    /// A line number in a stream (`<stdin>:7`).
    Line(&'a str, u64),
    /// A byte offset in a file read from its end, where line numbers are not counted as it
    /// goes; a report turns it into the line's number.
    Byte(&'a Path, u64),
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(name, number) => write!(f, "{name}:{number}"),
            // Counted only now, for a line that is reported: one pass over what precedes it.
            Place::Byte(path, offset) => match line_at(path, *offset) {
                Some(number) => write!(f, "{}:{number}", path.display()),
                None => write!(f, "{}: byte {offset}", path.display()),
            },
        }
    }
}

/// The number of the line that starts at `offset` in the file at `path`.
fn line_at(path: &Path, offset: u64) -> Option<u64> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?.take(offset);
    let mut buf = vec![0u8; 64 * 1024];
    let mut newlines = 0u64;
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Some(newlines + 1),
            Ok(n) => newlines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64,
            Err(_) => return None,
        }
    }
}

pub struct Skipped {
    strict: bool,
    count: u64,
    first: Option<String>,
    /// The tool that reports, for reports made as it goes (a follower never ends).
    tool: Option<&'static str>,
}

impl Skipped {
    pub fn new(strict: bool) -> Skipped {
        Skipped { strict, count: 0, first: None, tool: None }
    }

    /// Lets [`report_so_far`](Self::report_so_far) speak, as `tool`.
    pub fn reporting_as(mut self, tool: &'static str) -> Skipped {
        self.tool = Some(tool);
        self
    }

    /// Notes a malformed line at `place` (`<stdin>:7`, `PATH:1234`); with `--strict` it
    /// becomes the error that ends the run.
    pub fn record(&mut self, place: Place, why: &Malformed) -> Result<()> {
        if self.strict {
            return Err(Error::new(Code::Failure, format!("{place}: {why}")));
        }
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(format!("{place}: {why}"));
        }
        Ok(())
    }

    /// How many lines were skipped (since the last report).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// One line on stderr for what was skipped since the last report, if anything.
    pub fn report(&mut self, tool: &str) {
        if let Some(first) = self.first.take() {
            let lines = if self.count == 1 { "line" } else { "lines" };
            super::diag::say(tool, &format!("skipped {} malformed {lines} (first: {first})", self.count));
        }
        self.count = 0;
    }

    /// [`report`](Self::report) while the work goes on, when a tool name was given.
    pub fn report_so_far(&mut self) {
        if let Some(tool) = self.tool {
            self.report(tool);
        }
    }
}
