//! Flags that many tools take: where the town and the accounts are, how to treat malformed
//! input and empty results, colour and time bounds.

use crate::cli::{Complete, Flag};

pub const TOWN: Flag = Flag {
    long: "town",
    value: Some("DIR"),
    help: "The town's root directory (default: found from the working directory)",
    doc: "Without it, the town is the outermost directory above the working directory that holds \
          mayor/town.json, else the outermost that holds mayor/, else $GT_TOWN_ROOT, then $GT_ROOT \
          (each only if it holds mayor/).",
    complete: Complete::Dir,
    ..Flag::EMPTY
};

pub const CONFIG_DIR: Flag = Flag {
    long: "config-dir",
    value: Some("DIR"),
    help: "Use this Claude config dir as the current account",
    doc: "Default: $CLAUDE_CONFIG_DIR when set and not empty, else ~/.claude (through symlinks).",
    complete: Complete::Dir,
    ..Flag::EMPTY
};

pub const LOCK_TIMEOUT: Flag = Flag {
    long: "lock-timeout",
    value: Some("DURATION"),
    help: "How long to wait for an index lock (default: 5s)",
    doc: "The lock is gt's: flock(2) on sessions-index.json.lock. When it is not acquired in time \
          the session is left as it was and the exit status is 4.",
    ..Flag::EMPTY
};

pub const SINCE: Flag = Flag {
    long: "since",
    value: Some("TIME"),
    help: "Only events at or after TIME",
    doc: "TIME is RFC 3339 (2026-01-22T10:00:00Z), a date (2026-01-22, local midnight), or a \
          duration back from now: 90s, 30m, 2h, 3d, 1w, or a sum like 1h30m.",
    complete: Complete::Nothing,
    ..Flag::EMPTY
};

pub const UNTIL: Flag = Flag {
    long: "until",
    value: Some("TIME"),
    help: "Only events before TIME",
    doc: "TIME takes the same forms as --since.",
    ..Flag::EMPTY
};

pub const STRICT: Flag = Flag {
    long: "strict",
    help: "Stop at the first malformed line (exit 2) instead of skipping it",
    doc: "Without it, lines that are not JSON objects or not UTF-8 are skipped and counted, and \
          the count is reported on stderr at the end. Blank lines are always skipped silently.",
    ..Flag::EMPTY
};

pub const EXIT_STATUS: Flag =
    Flag { long: "exit-status", short: Some('e'), help: "Exit 1 when nothing matched", ..Flag::EMPTY };

pub const COLOR: Flag = Flag {
    long: "color",
    value: Some("WHEN"),
    help: "When to use colour: auto, always or never",
    doc: "auto (the default) colours only when stdout is a terminal, NO_COLOR is unset or empty, \
          and TERM is not \"dumb\". Machine formats (NDJSON, tsv, json, ids) are never coloured.",
    complete: Complete::Choices(&["auto", "always", "never"]),
    ..Flag::EMPTY
};
