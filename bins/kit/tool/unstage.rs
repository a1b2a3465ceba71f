//! seance-unstage: undoes exactly what a stage added, from its tokens (the work is
//! core::unstage's).

use super::for_each_item;
use crate::cli::flags::common::LOCK_TIMEOUT;
use crate::cli::{self, Tool};
use crate::core::unstage::{decode_checked, known_accounts, token_from_line, undo};

pub const TOOL: Tool = Tool {
    name: "seance-unstage",
    about: "undo what seance-stage did, from its tokens",
    synopsis: "[OPTIONS] [TOKEN]...",
    description: "Takes undo tokens as arguments or, with none, from stdin, one per line: a bare \
                  token or a JSON object with a \"token\" field (seance-stage --json). Each is \
                  checked against the disk before anything is touched: the index entry is removed \
                  only while it is still the one stage added, and each link only while it is still \
                  a symlink to the recorded target. Unstaging twice, or after seance-gc, succeeds \
                  with nothing to do. A token that does not decode or points outside a Claude \
                  projects dir is refused with exit 5; a regular file where a link was recorded is \
                  left alone, also exit 5.",
    flags: &[&LOCK_TIMEOUT],
    operand: cli::collect_operand,
    ..Tool::EMPTY
};

pub fn main() -> i32 {
    super::run(&TOOL, |args| {
        let accounts = known_accounts();
        for_each_item(TOOL.name, &args.operands, token_from_line, |word| {
            undo(&decode_checked(word, &accounts)?, None, args.common.lock_timeout())
        })
    })
}
