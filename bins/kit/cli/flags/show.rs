//! Flags of seance-show.

use super::store;
use crate::cli::{Complete, Flag};
use crate::core::choice::{Choice, choices};

choices! {
    /// How seance-show writes a conversation.
    pub enum ShowFormat { Text = "text", Markdown = "md", Json = "json" }
}

#[derive(Debug, Default)]
pub struct ShowArgs {
    pub lines: Option<usize>,
    pub format: Option<ShowFormat>,
    pub trail: bool,
}

pub const LINES: Flag =
    Flag::value("lines", "N", "Show the last N lines of the conversation (0: all)", |a, v| {
        store(&mut a.show.lines, v.number()?)
    })
    .short('n')
    .doc(
        "Default: $FZF_PREVIEW_LINES when set (the height of fzf's preview pane), else 40. Only as much of \
        the transcript is read, from its end, as those lines need.",
    );

pub const SHOW_FORMAT: Flag = Flag::value("format", "FORMAT", "text, md or json (default: text)", |a, v| {
    store(&mut a.show.format, v.choice()?)
})
.doc(
    "text is for a terminal and fzf's preview. md is the conversation as Markdown, each tool call \
            folded to one line, for pasting into a handoff. json is the transcript records shown, as NDJSON, \
            byte for byte. For md and json, -n counts records and defaults to 0 (all).",
)
.complete(Complete::Choices(ShowFormat::NAMES));

pub const TRAIL: Flag = Flag::switch(
    "trail",
    "After the exchanges, show what the session left (as seance-trail finds it)",
    |a| a.show.trail = true,
)
.doc(
    "One line per write, edit, commit, push, branch, pull request, bead, mail and the last todo list; \
    commands are left out. With --format json, seance-trail's records.",
);
