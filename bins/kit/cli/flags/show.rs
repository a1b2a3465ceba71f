//! Flags of seance-show.

use crate::cli::Flag;

pub const LINES: Flag = Flag {
    long: "lines",
    short: Some('n'),
    value: Some("N"),
    help: "Show the last N lines of the conversation (0: all)",
    doc: "Default: $FZF_PREVIEW_LINES when set (the height of fzf's preview pane), else 40. \
          Only as much of the transcript is read, from its end, as those lines need.",
    ..Flag::EMPTY
};
