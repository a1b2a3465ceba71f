//! Unstaging (seance-unstage, and after each talk): undoes a token's part in a shared stage (see `holds`), and when it was the
//! stage's last user, exactly what the stage added: the index entry (under the lock, only while
//! it is still the entry stage added), then the links (only while each still points where stage
//! made it), all or nothing. Idempotent; never removes a regular file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::core::claude;
use crate::core::error::{Code, Error, Result};
use crate::core::fail;
use crate::core::holds::{self, Hold, Record, Stages};
use crate::core::index::{self, INDEX_NAME, fingerprint};
use crate::core::links::ProjectDir;
use crate::core::lock::{self, IndexLock};
use crate::core::token::Token;
use crate::core::town;

/// The token on a stdin line: a bare word, or the `token` field of a JSON object.
pub(crate) fn token_from_line(line: &str) -> Option<String> {
    let line = line.trim();
    if line.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(line).ok()?;
        return value.get("token")?.as_str().map(str::to_string);
    }
    line.split_whitespace().next().map(str::to_string)
}

/// Undoes one token's part in a stage (see `holds`): its user leaves, or with `hold`, its
/// live hold is given up; when no user or live holder is left, the stage is removed, all or
/// nothing: every part is checked before any is removed. A token of an earlier generation of
/// the stage (replayed after an unstage and a re-stage) does nothing.
pub fn undo(token: &Token, hold: Option<Hold>, timeout: Duration) -> Result<()> {
    let Some(dir) = ProjectDir::open(&token.dir)? else { return Ok(()) };
    let Some(generation) = &token.generation else {
        // A token from before shared stages: its own parts are the stage.
        let parts = Record {
            generation: String::new(),
            link: token.link.clone(),
            sidecar: token.sidecar.clone(),
            entry: token.entry.clone(),
            users: Vec::new(),
        };
        if parts.link.is_none() && parts.sidecar.is_none() && parts.entry.is_none() {
            return Ok(());
        }
        let lock = lock::lock_in(&dir, timeout)?;
        return remove_stage(&dir, &lock, &token.id, &parts);
    };
    let Some(stages) = Stages::open(&token.dir, false)? else { return Ok(()) };
    let lock = lock::lock_in(&dir, timeout)?;
    let Some(mut record) = stages.read(&token.id)? else { return Ok(()) };
    if record.generation != *generation {
        return Ok(()); // that stage was undone already; this one is someone else's
    }
    let before = record.users.len();
    if let Some(user) = &token.user {
        record.users.retain(|u| u != user);
        if record.users.len() == before {
            return Ok(()); // unstaged already
        }
    } else if !token.hold {
        return Ok(());
    }
    if !record.users.is_empty() || stages.held(&token.id, hold)? {
        // Others still use the stage: only this user leaves.
        if record.users.len() != before {
            stages.write(&token.id, &record)?;
        }
        return Ok(());
    }
    fail::point("unstage.last-out");
    remove_stage(&dir, &lock, &token.id, &record)?;
    stages.remove(&token.id)
}

/// Removes what a stage made, under the lock: every part is checked first (each link still a
/// symlink to its target or gone, the entry still the one added or gone), so that when one is
/// no longer what the stage made, nothing is removed (exit 5).
fn remove_stage(dir: &ProjectDir, lock: &IndexLock, id: &str, parts: &Record) -> Result<()> {
    let links: Vec<(String, &PathBuf)> =
        [(format!("{id}.jsonl"), &parts.link), (id.to_string(), &parts.sidecar)]
            .into_iter()
            .filter_map(|(name, target)| Some((name, target.as_ref()?)))
            .collect();
    for (name, target) in &links {
        dir.check_points_to(name, target)?;
    }
    if let Some(added) = &parts.entry {
        index::edit_in(dir, lock, "", |index| {
            if let Some(entry) = index.find(id)
                && fingerprint(entry) != *added
            {
                return Err(Error::new(
                    Code::Unsafe,
                    format!(
                        "{}: the entry for {id} is no longer the one seance added; nothing removed",
                        dir.path().join(INDEX_NAME).display()
                    ),
                ));
            }
            Ok(index.remove_where(|entry_id, e| entry_id == Some(id) && fingerprint(e) == *added))
        })?;
        fail::point("unstage.removed-entry");
    }
    for (i, (name, target)) in links.iter().enumerate() {
        dir.unlink_if_points_to(name, target)?;
        if i == 0 {
            fail::point("unstage.removed-link");
        }
    }
    Ok(())
}

/// Whether the token's dir is a project dir of a Claude account: `<config>/projects/<name>`
/// where `<config>` is an account we know (the current one, the town's, `~/.claude`) or one
/// seance has staged into (it has seance's state dir). Anything else is a forged or foreign
/// token, refused before anything (not even a lock file) is touched.
fn in_an_account(token: &Token, accounts: &[PathBuf]) -> bool {
    let Some(config) = token.dir.parent().and_then(Path::parent) else { return false };
    accounts.iter().any(|a| a == config)
        || std::fs::symlink_metadata(config.join(holds::STATE_DIR).join("stages")).is_ok_and(|m| m.is_dir())
}

/// Decodes a token from outside (an argument, a stdin line) and checks that it points into a
/// Claude account; refused (exit 5) with nothing touched otherwise.
pub fn decode_checked(word: &str, accounts: &[PathBuf]) -> Result<Token> {
    let token = Token::decode(word)?;
    if !in_an_account(&token, accounts) {
        return Err(Error::new(
            Code::Unsafe,
            format!("refused token: {} is not a project dir of a Claude account", token.dir.display()),
        ));
    }
    Ok(token)
}

/// The accounts a token may point into.
pub fn known_accounts() -> Vec<PathBuf> {
    let current = claude::current_config().ok();
    let town = town::find_optional(None).ok().flatten();
    let mut accounts = Vec::new();
    if let Some(current) = &current {
        accounts = claude::search_order(current, town.as_deref()).unwrap_or_else(|_| vec![current.clone()]);
    }
    accounts.iter().map(|a| std::fs::canonicalize(a).unwrap_or_else(|_| a.clone())).collect()
}
