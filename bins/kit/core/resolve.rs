//! Turning what a user typed or piped into a session and its transcript: full ids, prefixes
//! (at least 4 characters, a table's trailing `…` or `...` ignored), and stdin lines that are
//! events, JSON records or fzf's text.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::core::claude::{self, Transcript, find_transcript};
use crate::core::error::{Code, Error, Result, quote};
use crate::core::event::Event;
use crate::core::eventlog::{self, EventsOpts, Flow, Sink};
use crate::core::filter::strip_ellipsis;
use crate::core::malformed::Skipped;
use crate::core::town;

const MIN_PREFIX: usize = 4;

/// Where sessions are looked for.
pub struct Sessions {
    /// Accounts in search order (current first).
    pub accounts: Vec<PathBuf>,
    /// The town, whose events also name sessions.
    pub town: Option<PathBuf>,
    /// The town's accounts by name, when its accounts.json was read.
    pub listed: Option<Vec<(String, PathBuf)>>,
    /// The current account.
    pub current: PathBuf,
}

impl Sessions {
    /// The current account (`--config-dir` or the environment's) and where to look for sessions
    /// from it: every account, current first, and the town found from `town` or the working dir.
    pub fn locate(config_dir: Option<&Path>, town: Option<&Path>) -> Result<(PathBuf, Sessions)> {
        let current = claude::current_account(config_dir)?;
        let town = town::find_optional(town)?;
        let accounts = claude::search_order(&current, town.as_deref())?;
        let listed = match &town {
            Some(town) => claude::named_town_accounts(town)?,
            None => None,
        };
        Ok((current.clone(), Sessions { accounts, town, listed, current }))
    }

    /// What a user should hear before anything else: listed accounts whose dir is missing, so
    /// that their sessions cannot be found.
    pub fn warnings(&self) -> Vec<String> {
        let (Some(town), Some(listed)) = (&self.town, &self.listed) else { return Vec::new() };
        listed
            .iter()
            .filter(|(_, dir)| !dir.is_dir())
            .map(|(name, dir)| {
                format!(
                    "warning: account '{name}' ({}) does not exist; it is listed in {}",
                    dir.display(),
                    claude::accounts_file(town).display()
                )
            })
            .collect()
    }

    /// Where a lookup looked, for the message of one that failed: every account dir, named,
    /// and whether an accounts.json was read.
    pub fn searched(&self) -> String {
        let home_claude = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".claude"));
        let dirs: Vec<String> = self
            .accounts
            .iter()
            .map(|dir| {
                let name = self
                    .listed
                    .iter()
                    .flatten()
                    .find(|(_, listed)| listed == dir)
                    .map(|(name, _)| name.clone())
                    .or_else(|| (dir == &self.current).then(|| "current".to_string()))
                    .or_else(|| (Some(dir) == home_claude.as_ref()).then(|| "~/.claude".to_string()));
                let missing = if dir.is_dir() { "" } else { ", missing" };
                match name {
                    Some(name) => format!("{} ({name}{missing})", dir.display()),
                    None => {
                        format!("{}{}", dir.display(), if missing.is_empty() { "" } else { " (missing)" })
                    }
                }
            })
            .collect();
        let town = match (&self.town, &self.listed) {
            (None, _) => "; no town found, so no accounts.json was read (use --town DIR or set GT_TOWN_ROOT)"
                .to_string(),
            (Some(town), None) => format!("; {} does not exist", claude::accounts_file(town).display()),
            (Some(_), Some(_)) => String::new(),
        };
        format!("{}{town}", dirs.join(", "))
    }

    /// The full id and transcript for `input`, a full id or a prefix.
    pub fn resolve(&self, input: &str) -> Result<(String, Transcript)> {
        let wanted = strip_ellipsis(input.trim());
        if !claude::valid_session_id(wanted) {
            return Err(Error::usage(format!("{} is not a session id", quote(input))));
        }
        if let Some(found) = find_transcript(&self.accounts, wanted) {
            return Ok((wanted.to_string(), found));
        }
        if wanted.len() < MIN_PREFIX {
            return Err(Error::new(
                Code::Unresolved,
                format!("no session '{wanted}' (a prefix needs at least {MIN_PREFIX} characters)"),
            ));
        }
        let mut candidates = claude::ids_with_prefix(&self.accounts, wanted);
        candidates.extend(self.event_ids_with_prefix(wanted)?);
        let id = match (candidates.len(), candidates.first()) {
            (_, None) => {
                let log = match &self.town {
                    Some(town) => format!("the log {}, then ", town::events_log(town).display()),
                    None => String::new(),
                };
                return Err(Error::new(
                    Code::Unresolved,
                    format!("no session matches '{wanted}' (searched {log}{})", self.searched()),
                ));
            }
            (1, Some(id)) => id.clone(),
            (n, Some(_)) => {
                let named: Vec<&str> = candidates.iter().take(3).map(String::as_str).collect();
                let more = if n > 3 { format!(" (and {} more)", n - 3) } else { String::new() };
                return Err(Error::new(
                    Code::Unresolved,
                    format!("'{wanted}' matches {n} sessions: {}{more}", named.join(", ")),
                ));
            }
        };
        match find_transcript(&self.accounts, &id) {
            Some(found) => Ok((id, found)),
            None => Err(Error::new(
                Code::Unresolved,
                format!("session {id} has no transcript in any account (searched {})", self.searched()),
            )),
        }
    }

    fn event_ids_with_prefix(&self, prefix: &str) -> Result<BTreeSet<String>> {
        struct Collect<'p> {
            prefix: &'p str,
            ids: BTreeSet<String>,
        }
        impl Sink for Collect<'_> {
            fn event(&mut self, _: &[u8], event: &Event) -> Result<Flow> {
                let id = event.session_id();
                if id.starts_with(self.prefix) && claude::valid_session_id(id) {
                    self.ids.insert(id.to_string());
                }
                Ok(Flow::Continue)
            }
            fn flush(&mut self) -> Result<()> {
                Ok(())
            }
        }
        let Some(town) = &self.town else { return Ok(BTreeSet::new()) };
        let opts = EventsOpts { town: Some(town.clone()), ..EventsOpts::default() };
        let mut sink = Collect { prefix, ids: BTreeSet::new() };
        // A log that is missing means no candidates from it; one that cannot be read (a FIFO
        // in its place, say) is said, rather than quietly leaving candidates out.
        eventlog::scan(&opts, &mut Skipped::new(false), &mut sink)?;
        Ok(sink.ids)
    }
}

/// The session id on a stdin line: `payload.session_id`, `session_id` or `sessionId` of a JSON
/// object, or else the first whitespace-separated field (what fzf prints).
pub fn id_from_line(line: &str) -> Option<String> {
    let line = line.trim();
    if line.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(line).ok()?;
        let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
        return value
            .pointer("/payload/session_id")
            .and_then(text)
            .or_else(|| value.get("session_id").and_then(text))
            .or_else(|| value.get("sessionId").and_then(text));
    }
    line.split_whitespace().next().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_every_kind_of_line() {
        assert_eq!(
            id_from_line(r#"{"type":"session_start","payload":{"session_id":"abc1"}}"#).as_deref(),
            Some("abc1")
        );
        assert_eq!(id_from_line(r#"{"session_id":"abc2","token":"x"}"#).as_deref(), Some("abc2"));
        assert_eq!(id_from_line(r#"{"sessionId":"abc3"}"#).as_deref(), Some("abc3"));
        assert_eq!(id_from_line("abc4\t46621448-3c…  mayor  2026-01-22 10:00  -").as_deref(), Some("abc4"));
        assert_eq!(id_from_line("  abc5  "), Some("abc5".into()));
        assert_eq!(id_from_line("{not json"), None);
        assert_eq!(id_from_line(r#"{"other":1}"#), None);
    }
}
