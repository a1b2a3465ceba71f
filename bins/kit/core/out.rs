//! Standard output as SPEC.md wants it: line-buffered on a terminal, block-buffered otherwise,
//! colour decided once, and the terminal's width for tables.

use std::io::{self, BufWriter, Write};

use owo_colors::OwoColorize;

use super::choice::choices;

/// Whether stdout is a terminal.
pub fn stdout_is_terminal() -> bool {
    rustix::termios::isatty(rustix::stdio::stdout())
}

/// The terminal's width in columns, when stdout is one that reports it.
pub fn terminal_width() -> Option<usize> {
    let size = rustix::termios::tcgetwinsize(rustix::stdio::stdout()).ok()?;
    (size.ws_col > 0).then_some(size.ws_col as usize)
}

/// Stdout behind the right kind of buffer. `Stdout` itself flushes at every newline, which is
/// what a person watching a terminal wants; a pipe gets big writes instead.
pub fn stdout() -> Box<dyn Write> {
    let stdout = io::stdout();
    if stdout_is_terminal() {
        Box::new(stdout)
    } else {
        Box::new(BufWriter::with_capacity(64 * 1024, stdout.lock()))
    }
}

choices! {
    /// When to colour (`--color`).
    pub enum ColorWhen {
        Auto = "auto",
        Always = "always",
        Never = "never",
    }
}

/// `--color` resolved against the environment, once per run.
pub fn color_enabled(when: ColorWhen, stdout_tty: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            stdout_tty && !no_color && !dumb
        }
    }
}

/// Styles for human output; plain text when colour is off.
#[derive(Clone, Copy, Debug)]
pub struct Paint {
    pub on: bool,
}

impl Paint {
    pub fn bold(self, text: &str) -> String {
        if self.on { text.bold().to_string() } else { text.to_string() }
    }

    pub fn dim(self, text: &str) -> String {
        if self.on { text.dimmed().to_string() } else { text.to_string() }
    }

    /// A match inside a line, as grep marks it.
    pub fn mark(self, text: &str) -> String {
        if self.on { text.red().bold().to_string() } else { text.to_string() }
    }
}
