//! Unstaging (seance-unstage, and after each talk): undoes exactly what a stage added, from its token: the index entry first
//! (under the lock, only while it is still the entry stage added), then the links (only while
//! each still points where stage made it). Idempotent; never removes a regular file.

use std::time::Duration;

use crate::core::error::Result;
use crate::core::fail;
use crate::core::index::{self, INDEX_NAME, entry_id, fingerprint};
use crate::core::links::ProjectDir;
use crate::core::token::Token;

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
