//! seance-unstage: undoes exactly what a stage added, from its tokens (the work is
//! core::unstage's).

use std::ffi::OsString;
use std::time::Duration;

use super::for_each_item;
use crate::cli::flags::common::LOCK_TIMEOUT;
use crate::cli::{self, Flag, Opts, Tool};
use crate::core::error::Result;
use crate::core::lock::DEFAULT_TIMEOUT;
use crate::core::token::Token;
use crate::core::unstage::{token_from_line, undo};

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
    ..Tool::EMPTY
};

pub struct UnstageOpts {
    pub tokens: Vec<String>,
    pub lock_timeout: Duration,
}

impl Default for UnstageOpts {
    fn default() -> Self {
        UnstageOpts { tokens: Vec::new(), lock_timeout: DEFAULT_TIMEOUT }
    }
}

impl Opts for UnstageOpts {
    fn set(&mut self, flag: &'static Flag, value: Option<OsString>) -> Result<bool> {
        match flag.long {
            "lock-timeout" => self.lock_timeout = cli::timeout(flag, value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn operand(&mut self, value: OsString) -> Result<()> {
        self.tokens.push(value.to_string_lossy().into_owned());
        Ok(())
    }
}

pub fn main() -> i32 {
    super::run(&TOOL, |opts: UnstageOpts| {
        for_each_item(TOOL.name, &opts.tokens, token_from_line, |word| {
            undo(&Token::decode(word)?, opts.lock_timeout)
        })
    })
}
