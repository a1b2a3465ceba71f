//! Flags of the `seance` wrapper itself: `--talk`, `pick` and `init`.

use std::ffi::OsString;

use super::store;
use crate::cli::shell::Shell;
use crate::cli::{Complete, Flag};

#[derive(Debug, Default)]
pub struct SeanceArgs {
    pub mode: Mode,
    pub talk: Option<String>,
    pub prompt: Option<String>,
    pub agent: Option<OsString>,
    pub forget: bool,
    pub grep: Option<String>,
}

/// What the command line asks `seance` for: its operands.
#[derive(Debug, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    List,
    Pick,
    /// `init` and the shell, once given.
    Init(Option<Shell>),
    /// `init skill`: the agent skill.
    Skill,
    Doctor,
}

pub const TALK: Flag =
    Flag::value("talk", "ID", "Talk to a predecessor session (a full id or a prefix)", |a, v| {
        store(&mut a.seance.talk, v.text()?)
    })
    .short('t')
    .doc(
        "Removes orphaned stages quietly, stages the session (seance-stage), runs the agent as `claude \
        --fork-session --resume <full id>` with CLAUDECODE, CLAUDE_CODE_ENTRYPOINT and \
        CLAUDE_CODE_CHILD_SESSION removed from its environment, then unstages, always: on exit, on \
        Ctrl-C, and on SIGTERM or SIGHUP (forwarded to the agent first). Exits with the agent's status, \
        0 for 0 and 130. When the agent is Claude Code 2.0.73 or later (its --version says so), the fork \
        gets an id chosen in advance (--session-id), and afterwards seance says where the fork was saved and how to reopen it (`seance \
        --talk <fork id>`).",
    )
    .complete(Complete::Session);

pub const PROMPT: Flag = Flag::value(
    "prompt",
    "PROMPT",
    "One-shot question for --talk (passed to the agent as -p PROMPT)",
    |a, v| store(&mut a.seance.prompt, v.text()?),
)
.short('p');

pub const AGENT: Flag = Flag::value(
    "agent",
    "CMD",
    "The agent command line for --talk (default: $SEANCE_AGENT, else claude)",
    |a, v| store(&mut a.seance.agent, v.os()),
)
.doc(
    "A command line split the way a shell splits words (quotes and backslashes work; pipes, \
     redirections and $ expansions need a script), so `--agent 'claude --model opus'` works. Its \
     program is looked up before anything is staged.",
)
.complete(Complete::Command);

pub const FORGET: Flag =
    Flag::switch("forget", "Remove the fork after --talk instead of keeping it", |a| a.seance.forget = true)
        .doc(
            "Removes the transcript the talk wrote and its sidecar dir, and nothing else. Needs Claude Code \
         2.0.73 or later as the agent, which names the fork with the id seance chose for it.",
        );

pub const GREP: Flag = Flag::value(
    "grep",
    "TEXT",
    "List only sessions whose transcripts hold TEXT (with pick: preview the hits)",
    |a, v| store(&mut a.seance.grep, v.text()?),
)
.doc(
    "TEXT is a plain string, searched as `seance-grep -F -l TEXT` searches it (what was said and \
     done, never keys or metadata). With `pick`, the preview shows the session's hits \
     (`seance-grep -F TEXT ID`). Inside the picker, with or without --grep, ctrl-s switches to \
     live search: fzf stops filtering, each keystroke reloads the menu with the sessions \
     `seance-grep -F -l` finds for the query (among those the picker's listing flags choose), and \
     the preview shows the highlighted session's hits for the query (the session itself while \
     the query is empty). Not when the menu came down stdin (records, or --events -), which \
     cannot be read again.",
);
