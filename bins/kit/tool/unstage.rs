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
                  token or a JSON object with a \"token\" field (seance-stage --json). A stage may \
                  be shared (several tokens, or a running seance --talk, on one session in one \
                  dir): a token only gives up its own part, and the stage itself goes when its last \
                  user is done, whoever made it. A token replayed after its stage was undone and \
                  made again does nothing. When the stage goes, every part is checked against the \
                  disk before any is removed: the index entry must still be the one stage added, \
                  and each link still a symlink to the recorded target; when one is not (a link \
                  turned into a regular file, say), nothing is removed (exit 5). Unstaging twice, \
                  or after seance-gc, succeeds with nothing to do. A token that does not decode, or \
                  whose dir is not a project dir of a Claude account, is refused with exit 5 with \
                  nothing touched.",
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
