//! The one way anything reaches stderr. `eprintln!` panics when stderr is full or its reader
//! is gone, which would turn a diagnostic into a crash with exit 101 (and, in `seance --talk`,
//! leave a stage behind); here a failed write is ignored, since there is nowhere left to say
//! it, and the tool keeps its exit code. Each message is written whole in one call, with
//! control and format characters escaped so that it stays one line.

use std::io::Write;

use super::printable;

/// Writes `tool: message` and a newline.
pub fn say(tool: &str, message: &str) {
    line(&format!("{tool}: {message}"));
}

/// Writes `text` and a newline, as one line whatever `text` holds.
pub fn line(text: &str) {
    let mut out = printable::one_line(text).into_owned();
    out.push('\n');
    let _ = std::io::stderr().lock().write_all(out.as_bytes());
}
