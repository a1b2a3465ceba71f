//! Flags of seance-stage.

use crate::cli::{Complete, Flag};

pub const CWD: Flag = Flag {
    long: "cwd",
    value: Some("DIR"),
    help: "Make the session resumable from DIR (default: the working directory)",
    complete: Complete::Dir,
    ..Flag::EMPTY
};

pub const JSON: Flag = Flag {
    long: "json",
    help: "Print an NDJSON record per session instead of a bare token",
    doc: "The record holds the token and what it stands for: session_id, source, link, sidecar, \
          index, and added (which of link, sidecar and entry this run made).",
    ..Flag::EMPTY
};

pub const DRY_RUN: Flag =
    Flag { long: "dry-run", help: "Say what would be done and change nothing", ..Flag::EMPTY };
