//! seance-unstage: undoes exactly what a stage added, from its token: the index entry first
//! (under the lock, only while it is still the entry stage added), then the links (only while
//! each still points where stage made it). Idempotent; never removes a regular file.

use std::ffi::OsString;
use std::time::Duration;

use super::for_each_item;
use crate::cli::{Flag, Opts, Tool};
use crate::error::Result;
use crate::fail;
use crate::index::{self, INDEX_NAME, entry_id, fingerprint};
use crate::links::ProjectDir;
use crate::lock::{self, DEFAULT_TIMEOUT, LOCK_TIMEOUT};
use crate::token::Token;

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
            "lock-timeout" => self.lock_timeout = lock::timeout(flag, value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn operand(&mut self, value: OsString) -> Result<()> {
        self.tokens.push(value.to_string_lossy().into_owned());
        Ok(())
    }
}

/// The token on a stdin line: a bare word, or the `token` field of a JSON object.
pub(crate) fn token_from_line(line: &str) -> Option<String> {
    let line = line.trim();
    if line.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(line).ok()?;
        return value.get("token")?.as_str().map(str::to_string);
    }
    line.split_whitespace().next().map(str::to_string)
}

/// Undoes one stage.
pub fn undo(token: &Token, timeout: Duration) -> Result<()> {
    let Some(dir) = ProjectDir::open(&token.dir)? else { return Ok(()) };
    if let Some(added) = &token.entry {
        let index = token.dir.join(INDEX_NAME);
        index::edit(&index, timeout, "", |index| {
            Ok(index.remove_where(|e| {
                entry_id(e).as_deref() == Some(token.id.as_str()) && fingerprint(e) == *added
            }))
        })?;
        fail::point("unstage.removed-entry");
    }
    let sidecar = token.sidecar.as_ref().map(|target| dir.unlink_if_points_to(&token.id, target));
    fail::point("unstage.removed-sidecar");
    if let Some(target) = &token.link {
        dir.unlink_if_points_to(&format!("{}.jsonl", token.id), target)?;
    }
    sidecar.transpose().map(|_| ())
}

pub fn main() -> i32 {
    super::run(&TOOL, |opts: UnstageOpts| {
        for_each_item(TOOL.name, &opts.tokens, token_from_line, |word| {
            undo(&Token::decode(word)?, opts.lock_timeout)
        })
    })
}
