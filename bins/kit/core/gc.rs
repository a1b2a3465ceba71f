//! Garbage collection (seance-gc, and before each talk): removes what stages leave behind when nothing unstages them. Orphans: session
//! links (`<id>.jsonl`, sidecar `<id>`) whose target is gone, with their index entries; with
//! `--older-than`, stale stages: session links older than that, whatever their target; and
//! our own temp files left by a crash. Entries go before links, so a crash in between leaves
//! links that the next run still sees. Never a regular file, never an entry without a link.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::core::claude::valid_session_id;
use crate::core::error::{Code, Error, Result};
use crate::core::event::is_claude_session_id;
use crate::core::fail;
use crate::core::index::{self, INDEX_NAME, Index, TEMP_PREFIX, entry_id};
use crate::core::links::{Found, ProjectDir};
use rustix::fs::FileType;

#[derive(Clone, Copy)]
pub enum Kind {
    Link,
    Sidecar,
    Entry,
    Temp,
}

impl Kind {
    fn name(self) -> &'static str {
        ["link", "sidecar", "entry", "temp"][self as usize]
    }
}

/// One thing removed (or, with `--dry-run`, that would be).
pub struct Removal {
    pub kind: Kind,
    pub path: PathBuf,
    pub session_id: Option<String>,
    pub reason: &'static str,
}

impl Removal {
    /// Its line on stdout: an NDJSON record with `--json`, words with `--dry-run`, else none.
    pub fn describe(&self, json: bool, dry_run: bool) -> Option<String> {
        if json {
            let record = serde_json::json!({
                "action": if dry_run { "would_remove" } else { "removed" },
                "kind": self.kind.name(),
                "path": self.path.to_string_lossy(),
                "session_id": self.session_id,
                "reason": self.reason,
            });
            return Some(record.to_string());
        }
        dry_run
            .then(|| format!("would remove {} {} ({})", self.kind.name(), self.path.display(), self.reason))
    }
}

pub struct Gc {
    pub older_than: Option<Duration>,
    pub dry_run: bool,
    pub lock_timeout: Duration,
}

impl Gc {
    /// Cleans every project dir of one account; problems in one dir are reported through
    /// `failed` and the others go on.
    pub fn account(&self, config: &Path, removed: &mut dyn FnMut(Removal), failed: &mut dyn FnMut(Error)) {
        let Ok(projects) = std::fs::read_dir(config.join("projects")) else { return };
        let mut dirs: Vec<PathBuf> = projects.flatten().map(|e| e.path()).collect();
        dirs.sort();
        for dir in dirs {
            if let Err(err) = self.project(&dir, removed) {
                failed(err);
            }
        }
    }

    fn project(&self, path: &Path, removed: &mut dyn FnMut(Removal)) -> Result<()> {
        let dir = match ProjectDir::open(path) {
            Ok(Some(dir)) => dir,
            // Not a directory (a stray file in projects/), or gone: nothing of ours in it.
            Ok(None) | Err(Error { code: Code::Unsafe, .. }) => return Ok(()),
            Err(err) => return Err(err),
        };
        let entries = dir.entries()?;
        let mut doomed: Vec<(String, PathBuf, &'static str)> = Vec::new();
        let mut temps = Vec::new();
        for (name, kind) in entries {
            if name.starts_with(TEMP_PREFIX) {
                temps.push(name);
                continue;
            }
            if !matches!(kind, FileType::Symlink | FileType::Unknown) {
                continue;
            }
            // `<id>.jsonl` for any id we could have staged; a bare `<id>` (sidecar) only for a
            // Claude session id, since other links can be named like ids (`notes.txt`).
            let session_link = match name.strip_suffix(".jsonl") {
                Some(id) => valid_session_id(id),
                None => is_claude_session_id(&name),
            };
            if !session_link {
                continue;
            }
            let Found::Link(target) = dir.inspect(&name)? else { continue };
            let reason = if !dir.target_exists(&name) {
                "orphan"
            } else if self.older_than.is_some_and(|limit| dir.age(&name).is_some_and(|age| age >= limit))
                // A live link is a stage only if it points at a file of its own name, as every
                // link stage makes does; `<id>.jsonl` -> a directory is someone else's.
                && target.file_name().is_some_and(|t| t == name.as_str())
            {
                "stale"
            } else {
                continue;
            };
            doomed.push((name, target, reason));
        }
        if doomed.is_empty() && temps.is_empty() {
            return Ok(());
        }
        let ids: BTreeSet<String> = doomed
            .iter()
            .filter_map(|(name, _, _)| name.strip_suffix(".jsonl"))
            .map(str::to_string)
            .collect();
        let index_path = path.join(INDEX_NAME);
        let is_doomed = |e: &serde_json::value::RawValue| entry_id(e).is_some_and(|id| ids.contains(&id));
        // The doomed sessions the index has an entry for.
        let listed = |index: &Index| -> Vec<String> {
            ids.iter().filter(|id| index.find(id).is_some()).cloned().collect()
        };
        let mut entries = Vec::new();
        if self.dry_run {
            if let Some(index) = index::peek(&index_path)? {
                entries = listed(&index);
            }
        } else {
            // Temp files are removed under the index lock: any still there is not in flight.
            index::edit(&index_path, self.lock_timeout, "", |index| {
                for temp in &temps {
                    dir.unlink(temp)?;
                    fail::point("gc.removed-temp");
                }
                entries = listed(index);
                index.remove_where(is_doomed);
                Ok(())
            })?;
            fail::point("gc.removed-entries");
        }
        for temp in temps {
            removed(Removal { kind: Kind::Temp, path: path.join(temp), session_id: None, reason: "crash" });
        }
        for id in entries {
            let reason = doomed
                .iter()
                .find(|(n, _, _)| n.strip_suffix(".jsonl") == Some(id.as_str()))
                .map_or("orphan", |d| d.2);
            removed(Removal { kind: Kind::Entry, path: index_path.clone(), session_id: Some(id), reason });
        }
        for (name, target, reason) in doomed {
            if !self.dry_run && !dir.unlink_if_points_to(&name, &target)? {
                continue;
            }
            fail::point("gc.unlinked");
            let kind = if name.ends_with(".jsonl") { Kind::Link } else { Kind::Sidecar };
            let id = name.strip_suffix(".jsonl").unwrap_or(&name).to_string();
            removed(Removal { kind, path: path.join(&name), session_id: Some(id), reason });
        }
        Ok(())
    }
}
