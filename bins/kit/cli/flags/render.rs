//! Flags of how events are rendered (seance-fmt, and the listing in seance).

use crate::cli::{Complete, Flag};

pub const FORMAT: Flag = Flag {
    long: "format",
    value: Some("FORMAT"),
    help: "table, tsv, fzf, json or ids (default: table on a terminal, else tsv)",
    doc: "table is gt's listing. tsv is the full session id, actor, RFC 3339 time and topic, \
          tab-separated, with tab, newline, carriage return and backslash written as \\t, \\n, \
          \\r and \\\\. fzf is the full id, a tab, then the table row (for fzf --with-nth 2..). \
          json is one JSON array of the events, indented by 2 spaces, [] when empty. ids is one \
          full session id per line.",
    complete: Complete::Choices(&["table", "tsv", "fzf", "json", "ids"]),
    ..Flag::EMPTY
};

pub const TIME: Flag = Flag {
    long: "time",
    value: Some("STYLE"),
    help: "How to show times: local, utc or relative",
    doc: "Default: local for table and fzf (YYYY-MM-DD HH:MM), utc for tsv (RFC 3339). relative \
          is how long ago, in whole units: 45s ago, 3m ago, 2h ago, 5d ago.",
    complete: Complete::Choices(&["local", "utc", "relative"]),
    ..Flag::EMPTY
};

pub const NO_HEADER: Flag =
    Flag { long: "no-header", help: "Leave out the table's header and rule lines", ..Flag::EMPTY };

pub const WIDTH: Flag = Flag {
    long: "width",
    value: Some("N"),
    help: "Fit the table in N columns (default: the terminal's width)",
    doc: "The TOPIC column shrinks first, then ROLE, each down to 8 columns; the table never grows \
          past gt's 88 columns.",
    ..Flag::EMPTY
};

pub const JSON_ARRAY: Flag = Flag {
    long: "json",
    help: "Output the sessions as one JSON array (same as --format json)",
    ..Flag::EMPTY
};
