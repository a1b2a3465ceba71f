//! The command-line layer. Every flag is defined once (`cli/flags/`): its names, value name,
//! help, long doc, completion kind and the handler that stores its value into the typed
//! [`Args`]. Tools list the flags they take in a [`Tool`] table, which drives parsing (lexopt as
//! a lexer only), `-h`, `--help`, `--version`, the man pages and the completions, so that nothing
//! a user reads can drift from what the parser accepts.

pub mod docs;
pub mod flags;
pub mod man;
pub mod shell;
pub mod skill;

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::str::FromStr;

use jiff::{SignedDuration, Timestamp};

pub use self::flags::Args;
use crate::core::choice::Choice;
use crate::core::error::{Error, Result, WriteResult, quote};
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

/// What a flag does with what follows it: a switch stores that it was given; a flag with a value
/// stores the value, parsed, or refuses it with a usage error.
#[derive(Clone, Copy)]
pub enum Set {
    Switch(fn(&mut Args)),
    Value(fn(&mut Args, Value) -> Result<()>),
}

impl std::fmt::Debug for Set {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Set::Switch(_) => "Switch",
            Set::Value(_) => "Value",
        })
    }
}

/// One flag, whole: `Flag::switch(...)` or `Flag::value(...)`, then `.short('n')`, `.doc(...)`,
/// `.complete(...)`, `.aliases(...)` as needed.
#[derive(Clone, Copy, Debug)]
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
    /// Stores what was given into [`Args`].
    pub set: Set,
}

impl Flag {
    /// A flag that takes no value.
    pub const fn switch(long: &'static str, help: &'static str, set: fn(&mut Args)) -> Flag {
        Flag {
            long,
            short: None,
            aliases: &[],
            value: None,
            help,
            doc: "",
            complete: Complete::Nothing,
            set: Set::Switch(set),
        }
    }

    /// A flag that takes a value, called `value` in help.
    pub const fn value(
        long: &'static str,
        value: &'static str,
        help: &'static str,
        set: fn(&mut Args, Value) -> Result<()>,
    ) -> Flag {
        Flag { value: Some(value), set: Set::Value(set), ..Flag::switch(long, help, |_| {}) }
    }

    pub const fn short(self, short: char) -> Flag {
        Flag { short: Some(short), ..self }
    }

    pub const fn doc(self, doc: &'static str) -> Flag {
        Flag { doc, ..self }
    }

    pub const fn complete(self, complete: Complete) -> Flag {
        Flag { complete, ..self }
    }

    pub const fn aliases(self, aliases: &'static [&'static str]) -> Flag {
        Flag { aliases, ..self }
    }

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

/// A flag's value as given, with the flag's name for error messages.
pub struct Value {
    pub flag: &'static str,
    pub raw: OsString,
}

impl Value {
    /// Paths stay as the bytes the user gave.
    pub fn path(self) -> PathBuf {
        PathBuf::from(self.raw)
    }

    pub fn os(self) -> OsString {
        self.raw
    }

    /// The value as UTF-8 text; flags that name files keep their `OsString` instead.
    pub fn text(self) -> Result<String> {
        let flag = self.flag;
        self.raw
            .into_string()
            .map_err(|bad| Error::usage(format!("--{flag}: not valid UTF-8: {}", bad.to_string_lossy())))
    }

    /// A whole number.
    pub fn number<T: FromStr>(self) -> Result<T> {
        let flag = self.flag;
        let value = self.text()?;
        value.parse().map_err(|_| Error::usage(format!("--{flag}: '{value}' is not a whole number")))
    }

    /// One of a fixed set of words.
    pub fn choice<C: Choice>(self) -> Result<C> {
        let flag = self.flag;
        let value = self.text()?;
        choice_named(flag, &value)
    }

    /// Words of a fixed set, separated by commas (`--kind commit,pr`).
    pub fn choices<C: Choice>(self) -> Result<Vec<C>> {
        let flag = self.flag;
        let value = self.text()?;
        value.split(',').map(|word| choice_named(flag, word.trim())).collect()
    }

    /// A duration such as `90s` or `1h30m`.
    pub fn duration(self) -> Result<SignedDuration> {
        let flag = self.flag;
        let value = self.text()?;
        parse_duration(&value).map_err(|e| Error::usage(format!("--{flag}: {e}")))
    }

    /// A `--since`/`--until` moment: RFC 3339, a date, or a duration back from now.
    pub fn moment(self) -> Result<Timestamp> {
        let flag = self.flag;
        let value = self.text()?;
        parse_moment(&value, Timestamp::now()).map_err(|e| Error::usage(format!("--{flag}: {e}")))
    }
}

/// `value` as one of `C`'s words, or a usage error naming them (and the one likely meant).
fn choice_named<C: Choice>(flag: &str, value: &str) -> Result<C> {
    C::from_name(value).ok_or_else(|| {
        let guess = did_you_mean(value, C::NAMES.iter().copied()).map(|g| format!("; did you mean '{g}'?"));
        Error::usage(format!(
            "--{flag}: '{value}' is not one of {}{}",
            C::NAMES.join(", "),
            guess.unwrap_or_default()
        ))
    })
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
    /// Takes each operand as it is met on the command line (lossy UTF-8: ids and tokens are
    /// ASCII); the default refuses them all.
    pub operand: fn(&mut Args, String) -> Result<()>,
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
    /// The base for tool definitions: `Tool { name: "x", ..., ..Tool::EMPTY }`.
    pub const EMPTY: Tool = Tool {
        name: "",
        about: "",
        synopsis: "",
        description: "",
        flags: &[],
        operands: Complete::Nothing,
        operand: no_operands,
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

fn no_operands(_: &mut Args, value: String) -> Result<()> {
    Err(Error::usage(format!("unexpected argument {}", quote(&value))))
}

/// Operands collected in order, for the tools that take a list (ids, tokens).
pub fn collect_operand(args: &mut Args, value: String) -> Result<()> {
    args.operands.push(value);
    Ok(())
}

/// `-h` and `--help`, handled by the parser before any other flag.
pub const HELP: Flag = Flag::switch("help", "Print help (-h: short, --help: long)", |_| {}).short('h');

/// `-V` and `--version`, handled by the parser before any other flag.
pub const VERSION: Flag = Flag::switch("version", "Print the version", |_| {}).short('V');

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

/// Parses `args` (without the program name) against the tool's table; `None` when help or the
/// version was printed, and the tool should exit 0 without doing anything else.
pub fn parse(tool: &Tool, args: impl IntoIterator<Item = OsString>) -> Result<Option<Args>> {
    use lexopt::Arg;
    let mut parser = lexopt::Parser::from_args(args);
    let mut parsed = Args::default();
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
                (tool.operand)(&mut parsed, value.to_string_lossy().into_owned())?;
                continue;
            }
        };
        let Some(flag) = flag else {
            let guess = match arg {
                Arg::Long(name) => {
                    let longs = tool
                        .all_flags()
                        .flat_map(|f| std::iter::once(f.long).chain(f.aliases.iter().copied()));
                    did_you_mean(name, longs).map(|g| format!("; did you mean '--{g}'?"))
                }
                _ => None,
            };
            return Err(Error::usage(format!(
                "{}{} (try '{} --help')",
                arg.unexpected(),
                guess.unwrap_or_default(),
                tool.name
            )));
        };
        let flag: &'static Flag = flag;
        match flag.set {
            Set::Switch(set) => {
                set(&mut parsed);
                parsed.given.push(flags::Given { flag, value: None });
            }
            Set::Value(set) => {
                let raw = parser.value().map_err(usage_err)?;
                parsed.given.push(flags::Given { flag, value: Some(raw.clone()) });
                set(&mut parsed, Value { flag: flag.long, raw })?;
            }
        }
    }
    Ok(Some(parsed))
}

fn print(text: &str) -> Result<Option<Args>> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).or_closed()?;
    stdout.flush().or_closed()?;
    Ok(None)
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
        let flag = Flag::value("town", "DIR", "", |_, _| Ok(()));
        assert_eq!(flag.names(), "    --town DIR");
    }
}

/// The candidate a mistyped word most likely meant: the only one it is a prefix of, else the
/// nearest by edit distance when that is small for the word's length (`--rol` → `--role`,
/// `tabel` → `table`).
pub fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&str> = candidates.collect();
    let prefixed: Vec<&str> =
        candidates.iter().copied().filter(|c| c.starts_with(word) && !word.is_empty()).collect();
    if let [only] = prefixed[..] {
        return Some(only);
    }
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, counting a swap of two neighbours as one edit (`tabel`, `table`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod guess_tests {
    use super::did_you_mean;

    #[test]
    fn near_misses_are_guessed_and_strangers_are_not() {
        let flags = ["role", "rig", "limit", "recent", "resumable", "format", "time"];
        let guess = |w| did_you_mean(w, flags.iter().copied());
        assert_eq!(guess("rol"), Some("role"));
        assert_eq!(guess("roel"), Some("role"));
        assert_eq!(guess("limt"), Some("limit"));
        assert_eq!(guess("resum"), Some("resumable"));
        assert_eq!(guess("fromat"), Some("format"));
        assert_eq!(guess("frobnicate"), None);
        assert_eq!(guess("r"), None);
        let formats = ["table", "tsv", "fzf", "json", "ids"];
        assert_eq!(did_you_mean("tabel", formats.iter().copied()), Some("table"));
        assert_eq!(did_you_mean("jsno", formats.iter().copied()), Some("json"));
        assert_eq!(did_you_mean("xml", formats.iter().copied()), None);
    }
}
