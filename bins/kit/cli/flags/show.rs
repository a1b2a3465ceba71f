//! Flags of seance-show.

use super::store;
use crate::cli::Flag;

#[derive(Debug, Default)]
pub struct ShowArgs {
    pub lines: Option<usize>,
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
