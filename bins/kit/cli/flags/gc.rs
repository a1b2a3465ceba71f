//! Flags of seance-gc.

use std::time::Duration;

use super::common::CONFIG_DIR;
use super::store;
use crate::cli::Flag;

#[derive(Debug, Default)]
pub struct GcArgs {
    pub all_accounts: bool,
    pub older_than: Option<Duration>,
    pub quiet: bool,
}

pub const CONFIG_DIRS: Flag = Flag {
    help: "Clean this Claude config dir (repeatable; default: the current account)",
    doc: "The current account is $CLAUDE_CONFIG_DIR when set (set but empty is refused), else \
          ~/.claude.",
    ..CONFIG_DIR
};

pub const ALL_ACCOUNTS: Flag =
    Flag::switch("all-accounts", "Also clean every account in the town's mayor/accounts.json", |a| {
        a.gc.all_accounts = true
    });

pub const OLDER_THAN: Flag = Flag::value(
    "older-than",
    "DURATION",
    "Also remove session links older than DURATION, whatever their target",
    |a, v| store(&mut a.gc.older_than, v.duration()?.unsigned_abs()),
)
.doc(
    "Stages that were never unstaged (a killed seance) keep a working link; this removes them with \
        their index entries. 0s removes every session link.",
);

pub const QUIET: Flag = Flag::switch("quiet", "Print no summary", |a| a.gc.quiet = true).short('q');
