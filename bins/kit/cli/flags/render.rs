//! Flags of how events are rendered (seance-fmt, seance-show, and the listing in seance).
//! They fill in `Args::render`, which is the renderer's own options.

use super::store;
use crate::cli::{Complete, Flag};
use crate::core::choice::Choice;
use crate::core::out::ColorWhen;
use crate::core::render::Format;
use crate::core::time::Style;

pub const FORMAT: Flag = Flag::value(
    "format",
    "FORMAT",
    "table, tsv, fzf, json or ids (default: table on a terminal, else tsv)",
    |a, v| store(&mut a.render.format, v.choice()?),
)
.doc(
    "table is gt's listing. tsv is the full session id, actor, RFC 3339 time and topic, tab-separated, \
        with tab, newline, carriage return and backslash written as \\t, \\n, \\r and \\\\. fzf is the \
        full id, a tab, then the table row (for fzf --with-nth 2..). json is one JSON array of the events, \
        indented by 2 spaces, [] when empty. ids is one full session id per line.",
)
.complete(Complete::Choices(Format::NAMES));

pub const TIME: Flag = Flag::value("time", "STYLE", "How to show times: local, utc or relative", |a, v| {
    store(&mut a.render.time, v.choice()?)
})
.doc(
    "Default: local for table and fzf (YYYY-MM-DD HH:MM), utc for tsv (RFC 3339). relative is how long \
        ago, in whole units: 45s ago, 3m ago, 2h ago, 5d ago.",
)
.complete(Complete::Choices(Style::NAMES));

pub const NO_HEADER: Flag =
    Flag::switch("no-header", "Leave out the table's header and rule lines", |a| a.render.no_header = true);

pub const WIDTH: Flag =
    Flag::value("width", "N", "Fit the table in N columns (default: the terminal's width)", |a, v| {
        store(&mut a.render.width, v.number()?)
    })
    .doc(
        "The TOPIC column shrinks first, then ROLE, each down to 8 columns; the table never grows past gt's \
        88 columns.",
    );

pub const JSON_ARRAY: Flag = Flag::switch(
    "json",
    "Output the sessions as one JSON array (same as --format json); doctor: NDJSON",
    |a| a.render.format = Some(Format::Json),
);

pub const COLOR: Flag = Flag::value("color", "WHEN", "When to use colour: auto, always or never", |a, v| {
    store(&mut a.render.color, v.choice()?)
})
.doc(
    "auto (the default) colours only when stdout is a terminal, NO_COLOR is unset or empty, and TERM is \
        not \"dumb\". Machine formats (NDJSON, tsv, json, ids) are never coloured.",
)
.complete(Complete::Choices(ColorWhen::NAMES));

pub const MARK_ABSENT: Flag = Flag::switch(
    "mark-absent",
    "In the table, mark the sessions whose transcript is in no account (✗ gone)",
    |a| a.render.mark_absent = true,
)
.doc(
    "The accounts are those seance-sessions lists, as for seance-filter --present. The mark ends the \
        TOPIC cell, which is cut shorter to make room. Only the table is marked: tsv, fzf, json and ids \
        are unchanged. seance marks its table on a terminal without being asked, and adds a line saying \
        what the mark means; `seance --format table --mark-absent` is `seance-fmt --format table \
        --mark-absent` at the end of the pipeline.",
);
