//! The command-line layer: every tool describes its flags once, as a table of [`Flag`]s, and
//! that table drives parsing (lexopt as a lexer only), `-h`, `--help` and `--version`, so that
//! nothing a user reads can drift from what the parser accepts.

pub mod docs;
pub mod flags;
pub mod man;
pub mod shell;

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Duration;

use jiff::Timestamp;

use crate::core::error::{Error, Result};
use crate::core::time::{parse_duration, parse_moment};

/// What a shell should offer as the value of a flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Complete {
    Nothing,
    File,
    Dir,
    Choices(&'static [&'static str]),
    Role,
    Rig,
    Session,
    Command,
}

#[derive(Debug)]
pub struct Flag {
    pub long: &'static str,
    pub short: Option<char>,
    /// Other long names accepted for the same flag (gt's spellings).
    pub aliases: &'static [&'static str],
    /// The value's name in help (`DIR`), or `None` for a switch.
    pub value: Option<&'static str>,
    /// One line for `-h`.
    pub help: &'static str,
    /// The rest of the story for `--help` and the man page; may be empty.
    pub doc: &'static str,
    pub complete: Complete,
}

impl Flag {
    /// The base for table entries: `Flag { long: "x", help: "...", ..Flag::EMPTY }`.
    pub const EMPTY: Flag = Flag {
        long: "",
        short: None,
        aliases: &[],
        value: None,
        help: "",
        doc: "",
        complete: Complete::Nothing,
    };

    pub fn names(&self) -> String {
        let mut text = match self.short {
            Some(short) => format!("-{short}, --{}", self.long),
            None => format!("    --{}", self.long),
        };
        if let Some(value) = self.value {
            let _ = write!(text, " {value}");
        }
        text
    }
}

pub struct Tool {
    pub name: &'static str,
    /// One line: what the tool does.
    pub about: &'static str,
    /// What follows the name in a usage line, e.g. `[OPTIONS]`.
    pub synopsis: &'static str,
    /// Paragraphs (separated by blank lines) for `--help` and the man page.
    pub description: &'static str,
    pub flags: &'static [&'static Flag],
    /// What the tool's operands are, for completion.
    pub operands: Complete,
    /// Subcommands (`seance pick`), each with the words it takes.
    pub commands: &'static [Command],
}

/// A subcommand: a first operand that changes what the tool does.
#[derive(Debug)]
pub struct Command {
    pub name: &'static str,
    /// The fixed words it takes (`init bash`), offered by completion.
    pub args: &'static [&'static str],
    pub about: &'static str,
}

impl Tool {
    /// The base for tool definitions, like [`Flag::EMPTY`].
    pub const EMPTY: Tool = Tool {
        name: "",
        about: "",
        synopsis: "",
        description: "",
        flags: &[],
        operands: Complete::Nothing,
        commands: &[],
    };

    /// Every flag the tool accepts, with the shared help and version flags last.
    pub fn all_flags(&self) -> impl Iterator<Item = &Flag> {
        self.flags.iter().copied().chain([&HELP, &VERSION])
    }

    /// The usage lines' synopses: one per line of `synopsis`.
    pub fn synopses(&self) -> impl Iterator<Item = &'static str> {
        self.synopsis.lines()
    }
}

pub const HELP: Flag =
    Flag { long: "help", short: Some('h'), help: "Print help (-h: short, --help: long)", ..Flag::EMPTY };

pub const VERSION: Flag =
    Flag { long: "version", short: Some('V'), help: "Print the version", ..Flag::EMPTY };

/// SPEC.md's exit codes, shared by every tool's `--help` and man page.
pub const EXIT_STATUS: &[(u8, &str)] = &[
    (0, "success, including \"nothing found\" unless -e is given"),
    (1, "-e/--exit-status was given and nothing matched"),
    (2, "usage error, unreadable input, malformed data that stops the work, I/O error"),
    (3, "a session id or prefix that resolves to no session or to several"),
    (4, "the index lock was not acquired within --lock-timeout"),
    (
        5,
        "refused for safety: corrupt index, token that does not match disk, regular file where a link was expected",
    ),
];

/// Receives parsed flags. Returns `Ok(false)` for a flag it does not own, so that a tool made
/// of several option sets (the wrapper) can offer each flag to each set in turn.
pub trait Opts {
    fn set(&mut self, flag: &'static Flag, value: Option<OsString>) -> Result<bool>;

    fn operand(&mut self, value: OsString) -> Result<()> {
        Err(Error::usage(format!(
            "unexpected argument {}",
            crate::core::error::quote(&value.to_string_lossy())
        )))
    }
}

pub enum Parsed {
    /// Go on and do the work.
    Run,
    /// Help or version was printed: exit 0 without doing anything else.
    Printed,
}

/// Parses `args` (without the program name) against the tool's table.
pub fn parse(tool: &Tool, args: impl IntoIterator<Item = OsString>, opts: &mut dyn Opts) -> Result<Parsed> {
    use lexopt::Arg;
    let mut parser = lexopt::Parser::from_args(args);
    let usage_err = |err: lexopt::Error| Error::usage(format!("{err} (try '{} --help')", tool.name));
    while let Some(arg) = parser.next().map_err(usage_err)? {
        let flag = match arg {
            Arg::Short('h') => return print(&short_help(tool)),
            Arg::Long("help") => return print(&long_help(tool)),
            Arg::Short('V') | Arg::Long("version") => {
                return print(&format!("{} {}\n", tool.name, env!("CARGO_PKG_VERSION")));
            }
            Arg::Short(c) => tool.flags.iter().find(|f| f.short == Some(c)),
            Arg::Long(name) => tool.flags.iter().find(|f| f.long == name || f.aliases.contains(&name)),
            Arg::Value(value) => {
                opts.operand(value)?;
                continue;
            }
        };
        let Some(flag) = flag else {
            return Err(usage_err(arg.unexpected()));
        };
        let value = match flag.value {
            Some(_) => Some(parser.value().map_err(usage_err)?),
            None => None,
        };
        if !opts.set(flag, value)? {
            // A table entry without a handler is a bug in this crate, not the user's mistake.
            return Err(Error::usage(format!("internal error: --{} is not handled", flag.long)));
        }
    }
    Ok(Parsed::Run)
}

fn print(text: &str) -> Result<Parsed> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(Parsed::Printed)
}

/// A flag's value as UTF-8 text; flags that name files keep their `OsString` instead.
pub fn text(flag: &Flag, value: Option<OsString>) -> Result<String> {
    value
        .unwrap_or_default()
        .into_string()
        .map_err(|bad| Error::usage(format!("--{}: not valid UTF-8: {}", flag.long, bad.to_string_lossy())))
}

/// A flag's value as a whole number.
pub fn number<T: std::str::FromStr>(flag: &Flag, value: Option<OsString>) -> Result<T> {
    let value = text(flag, value)?;
    value.parse().map_err(|_| Error::usage(format!("--{}: '{value}' is not a whole number", flag.long)))
}

/// A flag's value that must be one of a fixed set of words.
pub fn choice(flag: &Flag, value: Option<OsString>) -> Result<&'static str> {
    let value = text(flag, value)?;
    let Complete::Choices(choices) = flag.complete else {
        return Err(Error::usage(format!("internal error: --{} has no choices", flag.long)));
    };
    choices.iter().copied().find(|c| *c == value).ok_or_else(|| {
        Error::usage(format!("--{}: '{value}' is not one of {}", flag.long, choices.join(", ")))
    })
}

/// A `--since`/`--until` value.
pub fn moment(flag: &Flag, value: Option<OsString>) -> Result<Timestamp> {
    let text = text(flag, value)?;
    parse_moment(&text, Timestamp::now()).map_err(|e| Error::usage(format!("--{}: {e}", flag.long)))
}

/// A `--lock-timeout` value.
pub fn timeout(flag: &Flag, value: Option<OsString>) -> Result<Duration> {
    let text = text(flag, value)?;
    let duration = parse_duration(&text).map_err(|e| Error::usage(format!("--{}: {e}", flag.long)))?;
    Ok(duration.unsigned_abs())
}

fn usage_line(tool: &Tool) -> String {
    let mut text = String::new();
    for (i, synopsis) in tool.synopses().enumerate() {
        let lead = if i == 0 { "Usage:" } else { "      " };
        let _ = writeln!(text, "{lead} {} {synopsis}", tool.name);
    }
    text
}

pub fn short_help(tool: &Tool) -> String {
    let mut text = format!(
        "{} {}: {}\n\n{}\nOptions:\n",
        tool.name,
        env!("CARGO_PKG_VERSION"),
        tool.about,
        usage_line(tool)
    );
    let width = tool.all_flags().map(|f| f.names().len()).max().unwrap_or(0);
    for flag in tool.all_flags() {
        let _ = writeln!(text, "  {:width$}  {}", flag.names(), flag.help);
    }
    text
}

pub fn long_help(tool: &Tool) -> String {
    let mut text =
        format!("{} {}: {}\n\n{}\n", tool.name, env!("CARGO_PKG_VERSION"), tool.about, usage_line(tool));
    for paragraph in tool.description.split("\n\n") {
        text.push_str(&wrap(paragraph, 0, 90));
        text.push('\n');
    }
    text.push_str("Options:\n");
    for flag in tool.all_flags() {
        let _ = writeln!(text, "  {}", flag.names());
        if !flag.aliases.is_empty() {
            let aliases: Vec<String> = flag.aliases.iter().map(|a| format!("--{a}")).collect();
            let _ = writeln!(text, "          (also {})", aliases.join(", "));
        }
        text.push_str(&wrap(&long_text(flag), 10, 90));
        text.push('\n');
    }
    text.push_str("Exit status:\n");
    for (code, meaning) in EXIT_STATUS {
        let _ = writeln!(text, "  {code}  {meaning}");
    }
    text
}

/// A flag's whole description: its one-line help, then its longer doc.
pub fn long_text(flag: &Flag) -> String {
    let help = flag.help.trim_end_matches('.');
    if flag.doc.is_empty() { format!("{help}.") } else { format!("{help}. {}", flag.doc) }
}

/// Greedy word wrap; a paragraph's own line breaks are kept.
pub fn wrap(paragraph: &str, indent: usize, width: usize) -> String {
    let mut out = String::new();
    for line in paragraph.lines() {
        let mut column = 0;
        for word in line.split_whitespace() {
            if column > 0 && column + 1 + word.len() > width - indent {
                out.push('\n');
                column = 0;
            }
            if column == 0 {
                out.push_str(&" ".repeat(indent));
            } else {
                out.push(' ');
                column += 1;
            }
            out.push_str(word);
            column += word.len();
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_and_indent() {
        assert_eq!(wrap("aaa bbb ccc", 2, 10), "  aaa bbb\n  ccc\n");
    }

    #[test]
    fn names_align_switches_and_values() {
        assert_eq!(HELP.names(), "-h, --help");
        let flag = Flag { long: "town", value: Some("DIR"), ..Flag::EMPTY };
        assert_eq!(flag.names(), "    --town DIR");
    }
}
