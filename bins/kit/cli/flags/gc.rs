//! Flags of seance-gc.

use crate::cli::Flag;

pub const CONFIG_DIRS: Flag = Flag {
    help: "Clean this Claude config dir (repeatable; default: the current account)",
    doc: "The current account is $CLAUDE_CONFIG_DIR when set and not empty, else ~/.claude.",
    ..super::common::CONFIG_DIR
};

pub const ALL_ACCOUNTS: Flag = Flag {
    long: "all-accounts",
    help: "Also clean every account in the town's mayor/accounts.json",
    ..Flag::EMPTY
};

pub const OLDER_THAN: Flag = Flag {
    long: "older-than",
    value: Some("DURATION"),
    help: "Also remove session links older than DURATION, whatever their target",
    doc: "Stages that were never unstaged (a killed seance) keep a working link; this removes \
          them with their index entries. 0s removes every session link.",
    ..Flag::EMPTY
};

pub const QUIET: Flag = Flag { long: "quiet", short: Some('q'), help: "Print no summary", ..Flag::EMPTY };
