//! seance-gc: removes what stages leave behind when nothing unstages them. Orphans: session
//! links (`<id>.jsonl`, sidecar `<id>`) whose target is gone, with their index entries; with
//! `--older-than`, stale stages: session links older than that, whatever their target; and
//! our own temp files left by a crash. Entries go before links, so a crash in between leaves
//! links that the next run still sees. Never a regular file, never an entry without a link.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::stage::{CONFIG_DIR as STAGE_CONFIG_DIR, DRY_RUN, JSON};
use crate::claude::{self, valid_session_id};
use crate::cli::{Flag, Opts, Tool};
use crate::error::{Code, Error, Result};
use crate::event::is_claude_session_id;
use crate::fail;
use crate::index::{self, INDEX_NAME, Index, TEMP_PREFIX, entry_id};
use crate::links::{Found, ProjectDir};
use crate::lock::{self, DEFAULT_TIMEOUT, LOCK_TIMEOUT};
use crate::out;
use crate::time::parse_duration;
use crate::town::{self, TOWN};
use rustix::fs::FileType;

const CONFIG_DIR: Flag = Flag {
    help: "Clean this Claude config dir (repeatable; default: the current account)",
    doc: "The current account is $CLAUDE_CONFIG_DIR when set and not empty, else ~/.claude.",
    ..STAGE_CONFIG_DIR
};

const ALL_ACCOUNTS: Flag = Flag {
    long: "all-accounts",
    help: "Also clean every account in the town's mayor/accounts.json",
    ..Flag::EMPTY
};

const OLDER_THAN: Flag = Flag {
    long: "older-than",
    value: Some("DURATION"),
    help: "Also remove session links older than DURATION, whatever their target",
    doc: "Stages that were never unstaged (a killed seance) keep a working link; this removes \
          them with their index entries. 0s removes every session link.",
    ..Flag::EMPTY
};

const QUIET: Flag = Flag { long: "quiet", short: Some('q'), help: "Print no summary", ..Flag::EMPTY };

pub const TOOL: Tool = Tool {
    name: "seance-gc",
    about: "remove orphaned session links, their index entries, and crash leftovers",
    synopsis: "[OPTIONS]",
    description: "Scans the project dirs of the current account (or each --config-dir) for session \
                  symlinks whose target is gone and removes them with their entries in that dir's \
                  sessions-index.json (under gt's lock); with --older-than, also links older than \
                  that; and always the temp files our index writes leave when killed. Made for \
                  cron: silent when there is nothing to do, one summary line on stderr otherwise. \
                  A corrupt index is reported (exit 5) and its dir left untouched while the rest \
                  proceeds.",
    flags: &[&CONFIG_DIR, &ALL_ACCOUNTS, &TOWN, &OLDER_THAN, &DRY_RUN, &JSON, &QUIET, &LOCK_TIMEOUT],
    ..Tool::EMPTY
};

pub struct GcOpts {
    pub config_dirs: Vec<PathBuf>,
    pub all_accounts: bool,
    pub town: Option<PathBuf>,
    pub older_than: Option<Duration>,
    pub dry_run: bool,
    pub json: bool,
    pub quiet: bool,
    pub lock_timeout: Duration,
}

impl Default for GcOpts {
    fn default() -> Self {
        GcOpts {
            config_dirs: Vec::new(),
            all_accounts: false,
            town: None,
            older_than: None,
            dry_run: false,
            json: false,
            quiet: false,
            lock_timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl Opts for GcOpts {
    fn set(&mut self, flag: &'static Flag, value: Option<OsString>) -> Result<bool> {
        match flag.long {
            "config-dir" => self.config_dirs.extend(value.map(PathBuf::from)),
            "all-accounts" => self.all_accounts = true,
            "town" => self.town = value.map(PathBuf::from),
            "older-than" => {
                let text = crate::cli::text(flag, value)?;
                let age = parse_duration(&text).map_err(|e| Error::usage(format!("--older-than: {e}")))?;
                self.older_than = Some(age.unsigned_abs());
            }
            "dry-run" => self.dry_run = true,
            "json" => self.json = true,
            "quiet" => self.quiet = true,
            "lock-timeout" => self.lock_timeout = lock::timeout(flag, value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

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
    fn describe(&self, json: bool, dry_run: bool) -> Option<String> {
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

pub fn main() -> i32 {
    super::run(&TOOL, |opts: GcOpts| {
        let mut accounts = opts.config_dirs.clone();
        if accounts.is_empty() {
            accounts.push(claude::current_account(None)?);
        }
        if opts.all_accounts {
            let town = town::find(opts.town.as_deref())?;
            accounts.extend(claude::town_accounts(&town)?);
        }
        let mut seen = BTreeSet::new();
        accounts.retain(|a| seen.insert(std::fs::canonicalize(a).unwrap_or_else(|_| a.clone())));
        let gc = Gc { older_than: opts.older_than, dry_run: opts.dry_run, lock_timeout: opts.lock_timeout };
        let mut out = out::stdout();
        let mut counts = [0usize; 4]; // by Kind
        let mut worst = Code::Success;
        let mut write_error = None;
        for account in &accounts {
            gc.account(
                account,
                &mut |removal| {
                    counts[removal.kind as usize] += 1;
                    let line = removal.describe(opts.json, opts.dry_run);
                    if let Some(line) = line
                        && let Err(err) = writeln!(out, "{line}")
                    {
                        write_error.get_or_insert(err);
                    }
                },
                &mut |err| {
                    eprintln!("{}: {}", TOOL.name, err.message);
                    worst = worst.max(err.code);
                },
            );
        }
        if let Some(err) = write_error {
            return Err(err.into());
        }
        out.flush()?;
        let [links, sidecars, entries, temps] = counts;
        if !opts.quiet && !opts.dry_run && links + sidecars + entries + temps > 0 {
            eprintln!(
                "{}: removed {links} session link(s), {sidecars} sidecar link(s), {entries} index entr{}, {temps} temp file(s)",
                TOOL.name,
                if entries == 1 { "y" } else { "ies" }
            );
        }
        Ok(worst)
    })
}
