//! Flags of seance-sessions and seance-grep: which sessions (accounts, working dir, town) and
//! how a pattern is matched against what their transcripts say.

use std::path::PathBuf;

use super::filter::LIMIT;
use super::store;
use crate::cli::{Complete, Flag};
use crate::core::error::{Error, Result, quote};
use crate::core::transcript::Kind;

#[derive(Debug, Default)]
pub struct SearchArgs {
    /// --account, each name given.
    pub accounts: Vec<String>,
    pub cwd: Option<PathBuf>,
    pub no_town: bool,
    pub fixed: bool,
    pub ignore_case: bool,
    pub word: bool,
    pub multiline: bool,
    /// --kind, every kind named; empty: all.
    pub kinds: Vec<Kind>,
    /// --tool, every name given; empty: any.
    pub tools: Vec<String>,
    pub files_with_matches: bool,
    pub count: bool,
}

/// The names --kind takes, for help and completion.
pub const KIND_NAMES: &[&str] = &["user", "assistant", "tool_use", "tool_result", "title"];

fn kinds(list: &str) -> Result<Vec<Kind>> {
    list.split(',')
        .map(|name| {
            Kind::parse(name.trim()).ok_or_else(|| {
                let guess = crate::cli::did_you_mean(name.trim(), KIND_NAMES.iter().copied())
                    .map(|g| format!("; did you mean '{g}'?"));
                Error::usage(format!(
                    "--kind: {} is not one of {}{}",
                    quote(name),
                    KIND_NAMES.join(", "),
                    guess.unwrap_or_default()
                ))
            })
        })
        .collect()
}

pub const ACCOUNT: Flag =
    Flag::value("account", "NAME", "Only the account of this name (repeatable)", |a, v| {
        a.search.accounts.push(v.text()?);
        Ok(())
    })
    .doc(
        "NAME is a key of the town's accounts.json, or current (the current account) or default \
         (~/.claude) for those it does not list.",
    );

pub const SESSIONS_CWD: Flag = Flag::value(
    "cwd",
    "DIR",
    "Only sessions whose working directory was DIR",
    |a, v| store(&mut a.search.cwd, v.path()),
)
.doc("DIR is made absolute and resolved through symlinks, then encoded Claude's way into a project dir name.")
.complete(Complete::Dir);

pub const NO_TOWN: Flag =
    Flag::switch("no-town", "Do not look for a town (no accounts.json, no actor or role)", |a| {
        a.search.no_town = true
    })
    .doc("Without a town only the current account and ~/.claude are searched.");

pub const NEWEST: Flag = Flag {
    help: "Only the N most recently modified sessions (0: all)",
    doc: "Every transcript is looked at (one stat each) but only the newest N are opened.",
    ..LIMIT
};

pub const MAX_HITS: Flag = Flag {
    help: "Stop after N hits (0: no limit)",
    doc: "The search stops early: seance-grep -n 1 costs what the newest sessions cost, not the whole \
          corpus. With -l, N sessions.",
    ..LIMIT
};

pub const FIXED: Flag =
    Flag::switch("fixed-strings", "Take PATTERN as a plain string, not a regex", |a| a.search.fixed = true)
        .short('F');

pub const IGNORE_CASE: Flag =
    Flag::switch("ignore-case", "Match upper and lower case alike", |a| a.search.ignore_case = true)
        .short('i');

pub const WORD: Flag = Flag::switch("word-regexp", "Match only whole words", |a| a.search.word = true)
    .short('w')
    .doc("A match must not be preceded or followed by a letter, digit or underscore.");

pub const MULTILINE: Flag =
    Flag::switch("multiline", "Let a match span lines of the text", |a| a.search.multiline = true)
        .short('U')
        .doc("Without it, each line of a message, command or tool output is searched on its own.");

pub const KIND: Flag =
    Flag::value("kind", "KIND", "Search only this kind of text (repeatable, or a,b)", |a, v| {
        a.search.kinds.extend(kinds(&v.text()?)?);
        Ok(())
    })
    .doc(
        "user: what the user typed; assistant: the assistant's text; tool_use: a tool call's input (paths, \
     commands, written content); tool_result: what a tool returned; title: custom-title, ai-title and \
     summary records.",
    )
    .complete(Complete::Choices(KIND_NAMES));

pub const TOOL_NAME: Flag =
    Flag::value("tool", "NAME", "Search only calls of this tool and their results (repeatable)", |a, v| {
        a.search.tools.push(v.text()?);
        Ok(())
    })
    .doc("NAME as Claude Code names its tools: Bash, Edit, Write, Read, Agent … (case-insensitive).");

pub const FILES: Flag =
    Flag::switch("files-with-matches", "Print one record per matching session, with its hit count", |a| {
        a.search.files_with_matches = true
    })
    .short('l');

pub const COUNT: Flag =
    Flag::switch("count", "Print only the number of hits", |a| a.search.count = true).short('c');
