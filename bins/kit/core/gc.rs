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
use crate::core::holds::Stages;
use crate::core::index::{self, INDEX_NAME, Index, TEMP_PREFIX};
use crate::core::links::{Found, ProjectDir, Target};
use crate::core::lock;
use rustix::fs::FileType;

#[derive(Clone, Copy, PartialEq, Eq)]
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
        // The session first: that is what a reader decides on; an index path alone says nothing.
        let what = match (&self.session_id, self.kind) {
            (Some(id), Kind::Entry) => format!("session {id}'s entry in {}", self.path.display()),
            (Some(id), kind) => format!("session {id}'s {} {}", kind.name(), self.path.display()),
            (None, kind) => format!("{} {}", kind.name(), self.path.display()),
        };
        dry_run.then(|| format!("would remove {what} ({})", self.reason))
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
            if let Err(err) = self.project(&dir, removed, failed) {
                failed(err);
            }
        }
    }

    fn project(
        &self,
        path: &Path,
        removed: &mut dyn FnMut(Removal),
        failed: &mut dyn FnMut(Error),
    ) -> Result<()> {
        let dir = match ProjectDir::open(path) {
            Ok(Some(dir)) => dir,
            // Not a directory (a stray file in projects/), or gone: nothing of ours in it.
            Ok(None) => return Ok(()),
            Err(err) if err.code() == Code::Unsafe => return Ok(()),
            Err(err) => return Err(err),
        };
        let mut doomed = Vec::new();
        let mut temps = Vec::new();
        for (name, kind) in dir.entries()? {
            if name.starts_with(TEMP_PREFIX) {
                temps.push(name);
            } else if matches!(kind, FileType::Symlink | FileType::Unknown) {
                match self.verdict(&dir, &name) {
                    Ok(Some(found)) => doomed.push(found),
                    Ok(None) => {}
                    // A link whose target we cannot look up is kept, and said so.
                    Err(err) => failed(err),
                }
            }
        }
        // Stage records are written through temp files too, in seance's state dir beside the
        // account's projects: a killed stage can leave one there.
        let stages = Stages::open(path, false)?;
        let stage_temps = match &stages {
            Some(stages) => stages.temps()?,
            None => Vec::new(),
        };
        if doomed.is_empty() && temps.is_empty() && stage_temps.is_empty() {
            return Ok(());
        }
        let temp_paths: Vec<PathBuf> = temps
            .iter()
            .map(|t| path.join(t))
            .chain(stages.iter().flat_map(|s| stage_temps.iter().map(|t| s.path().join(t))))
            .collect();
        let held = |id: &str| -> Result<bool> {
            match &stages {
                Some(stages) => stages.held(id, None),
                None => Ok(false),
            }
        };
        let index_path = path.join(INDEX_NAME);
        if self.dry_run {
            doomed.retain(|d| !held(&d.id).unwrap_or(true));
            let entries = match index::peek(&index_path)? {
                Some(index) => listed(&index, &doomed),
                None => Vec::new(),
            };
            report(path, &temp_paths, &entries, &doomed, removed);
            return Ok(());
        }
        // Decided again under the lock: a stage or unstage may have changed things since the
        // scan, and a stage that a live talk holds is never removed, however old.
        let lock = lock::lock_in(&dir, self.lock_timeout)?;
        let mut kept = Vec::new();
        for d in doomed {
            if held(&d.id)? || dir.inspect(&d.name)? != Found::Link(d.target.clone()) {
                continue;
            }
            kept.push(d);
        }
        let doomed = kept;
        // Temp files are removed under the index lock: any still there is not in flight. One
        // gone meanwhile (renamed by its writer) is not an error.
        for temp in &temps {
            dir.remove_if_there(temp)?;
            fail::point("gc.removed-temp");
        }
        if let Some(stages) = &stages {
            for temp in &stage_temps {
                stages.remove_temp(temp)?;
            }
        }
        let mut entries = Vec::new();
        index::edit_in(&dir, &lock, "", |index| {
            entries = listed(index, &doomed);
            index.remove_where(|id, _| id.is_some_and(|id| entries.iter().any(|(e, _)| e == id)));
            Ok(())
        })?;
        fail::point("gc.removed-entries");
        let mut gone = Vec::new();
        for d in doomed {
            if dir.unlink_if_points_to(&d.name, &d.target)? {
                fail::point("gc.unlinked");
                if d.kind == Kind::Link
                    && let Some(stages) = &stages
                {
                    stages.remove(&d.id)?;
                }
                gone.push(d);
            }
        }
        drop(lock);
        report(path, &temp_paths, &entries, &gone, removed);
        Ok(())
    }

    /// Whether the link `name` is a session link to remove, and why.
    fn verdict(&self, dir: &ProjectDir, name: &str) -> Result<Option<Doomed>> {
        let (kind, id) = match name.strip_suffix(".jsonl") {
            Some(id) if valid_session_id(id) => (Kind::Link, id),
            Some(_) => return Ok(None),
            None if valid_session_id(name) => (Kind::Sidecar, name),
            None => return Ok(None),
        };
        let Found::Link(target) = dir.inspect(name)? else { return Ok(None) };
        // A live link is a stage only if it points at a file of its own name, as every link
        // stage makes does; `<id>.jsonl` -> a directory is someone else's. A bare `<id>` is a
        // sidecar link when it is named as Claude names sessions, or points at `<id>` in some
        // account's project dir, as a sidecar link does; other links can be named like ids.
        let own_name = target.file_name().is_some_and(|t| t == name);
        let sidecar_shaped = own_name
            && target.parent().and_then(Path::parent).and_then(Path::file_name) == Some("projects".as_ref());
        if kind == Kind::Sidecar && !is_claude_session_id(name) && !sidecar_shaped {
            return Ok(None);
        }
        let reason = if dir.target_state(name)? == Target::Gone {
            "orphan"
        } else if self.older_than.is_some_and(|limit| dir.age(name).is_some_and(|age| age >= limit))
            && own_name
        {
            "stale"
        } else {
            return Ok(None);
        };
        Ok(Some(Doomed { name: name.to_string(), id: id.to_string(), kind, target, reason }))
    }
}

/// A session link gc removes.
struct Doomed {
    name: String,
    id: String,
    kind: Kind,
    target: PathBuf,
    reason: &'static str,
}

/// The doomed sessions the index has an entry for, with why.
fn listed(index: &Index, doomed: &[Doomed]) -> Vec<(String, &'static str)> {
    let ids: BTreeSet<(&str, &'static str)> =
        doomed.iter().filter(|d| d.kind == Kind::Link).map(|d| (d.id.as_str(), d.reason)).collect();
    ids.into_iter()
        .filter(|(id, _)| index.find(id).is_some())
        .map(|(id, why)| (id.to_string(), why))
        .collect()
}

fn report(
    path: &Path,
    temps: &[PathBuf],
    entries: &[(String, &'static str)],
    links: &[Doomed],
    removed: &mut dyn FnMut(Removal),
) {
    for temp in temps {
        removed(Removal { kind: Kind::Temp, path: temp.clone(), session_id: None, reason: "crash" });
    }
    for (id, reason) in entries {
        removed(Removal {
            kind: Kind::Entry,
            path: path.join(INDEX_NAME),
            session_id: Some(id.clone()),
            reason,
        });
    }
    for d in links {
        removed(Removal {
            kind: d.kind,
            path: path.join(&d.name),
            session_id: Some(d.id.clone()),
            reason: d.reason,
        });
    }
}
