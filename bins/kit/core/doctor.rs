//! `seance doctor`: what seance sees and what is wrong with it, one check per line. Each check
//! is `ok`, `warn` (works, but something will bite: transcripts that the client will delete,
//! stages left behind) or `fail` (something seance needs is missing: no town, an account dir
//! that does not exist, no agent).

use std::collections::HashSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::agent::{self, Agent};
use super::claude;
use super::error::Result;
use super::event::{Event, is_claude_session_id};
use super::eventlog::{self, EventsOpts, Flow, Sink};
use super::holds;
use super::malformed::Skipped;
use super::time::Clock;
use super::town;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

pub struct Check {
    /// What was checked: `town`, `log`, `account`, `current`, `agent`, `fzf`, `shell`,
    /// `environment`, `stages`, `transcripts`.
    pub name: &'static str,
    pub status: Status,
    pub message: String,
}

/// What the caller asked about: the same overrides the other commands take.
pub struct Inputs<'a> {
    pub town: Option<&'a Path>,
    pub config_dir: Option<&'a Path>,
    pub agent: Option<&'a OsStr>,
}

/// The client's default when settings.json does not say (FACTS.md).
const DEFAULT_CLEANUP_DAYS: u64 = 30;

/// The environment variable `seance init` sets, so that doctor can tell it was loaded.
pub const SHELL_MARK: &str = "SEANCE_SHELL_INTEGRATION";

/// Every check, in the order a user reads them.
pub fn examine(inputs: &Inputs) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut add = |name, status, message: String| checks.push(Check { name, status, message });
    let clock = Clock::new();

    let town = match town::find_explained(inputs.town) {
        Ok((town, how)) => {
            add("town", Status::Ok, format!("{} ({how})", town.display()));
            Some(town)
        }
        Err(err) => {
            add("town", Status::Fail, err.message().to_string());
            None
        }
    };

    let log = town.as_deref().map(|town| read_log(town, &clock, &mut add));

    // Accounts: the town's, then the current one, then ~/.claude, each read once.
    let current = claude::current_account(inputs.config_dir);
    let mut accounts: Vec<(String, PathBuf)> = Vec::new();
    match town.as_deref().map(claude::named_town_accounts) {
        Some(Ok(Some(listed))) => accounts.extend(listed),
        Some(Ok(None)) => add(
            "account",
            Status::Warn,
            format!(
                "{} does not exist: only the current account and ~/.claude are searched",
                claude::accounts_file(town.as_deref().unwrap_or(Path::new("."))).display()
            ),
        ),
        Some(Err(err)) => add("account", Status::Fail, err.message().to_string()),
        None => {}
    }
    let oldest_days = log.as_ref().and_then(|l| l.oldest).map(|ts| days_since(&clock, ts));
    let mut transcripts: HashSet<String> = HashSet::new();
    let mut stages = Vec::new();
    for (name, dir) in &accounts {
        let Some(seen) = read_account(dir) else {
            add(
                "account",
                Status::Fail,
                format!("{name}: {} does not exist (listed in the town's accounts.json)", dir.display()),
            );
            continue;
        };
        add_account(&mut add, name, dir, &seen, oldest_days);
        transcripts.extend(seen.ids);
        stages.extend(seen.links);
    }
    match &current {
        Ok(dir) => {
            let why = if inputs.config_dir.is_some() {
                "--config-dir"
            } else if std::env::var_os("CLAUDE_CONFIG_DIR").is_some_and(|d| !d.is_empty()) {
                "$CLAUDE_CONFIG_DIR"
            } else {
                "~/.claude, since $CLAUDE_CONFIG_DIR is not set"
            };
            let listed = accounts.iter().find(|(_, listed)| same_dir(listed, dir));
            let which = listed.map(|(name, _)| format!(", the town's account '{name}'")).unwrap_or_default();
            let exists = if dir.is_dir() { "" } else { "; it does not exist yet (a talk creates it)" };
            add("current", Status::Ok, format!("{} (from {why}{which}){exists}", dir.display()));
            if listed.is_none()
                && let Some(seen) = read_account(dir)
            {
                transcripts.extend(seen.ids);
                stages.extend(seen.links);
            }
        }
        Err(err) => add("current", Status::Fail, err.message().to_string()),
    }
    if let Some(home) = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".claude"))
        && !accounts.iter().any(|(_, d)| same_dir(d, &home))
        && !current.as_ref().is_ok_and(|c| same_dir(c, &home))
        && let Some(seen) = read_account(&home)
    {
        transcripts.extend(seen.ids);
        stages.extend(seen.links);
    }

    match Agent::find(inputs.agent) {
        Ok(agent) => {
            let version = agent.version().map(|v| format!(", {v}")).unwrap_or_default();
            add(
                "agent",
                Status::Ok,
                format!("{}: {}{version}", agent.words.join(" "), agent.program.display()),
            );
        }
        Err(err) => add("agent", Status::Fail, err.message().to_string()),
    }
    match agent::find_program("fzf") {
        Some(fzf) => {
            let version = agent::version_of(&fzf).map(|v| format!(", {v}")).unwrap_or_default();
            add("fzf", Status::Ok, format!("{}{version}", fzf.display()));
        }
        None => add(
            "fzf",
            Status::Warn,
            "not on PATH: seance pick needs it (https://github.com/junegunn/fzf)".into(),
        ),
    }
    match std::env::var(SHELL_MARK) {
        Ok(shell) if !shell.is_empty() => {
            add("shell", Status::Ok, format!("{shell} integration loaded (completion, Ctrl-X Ctrl-T)"))
        }
        _ => {
            let shell = std::env::var("SHELL").ok();
            let shell = shell.as_deref().and_then(|s| s.rsplit('/').next()).unwrap_or("bash");
            let how = match shell {
                "fish" => "add `seance init fish | source` to ~/.config/fish/config.fish".to_string(),
                "zsh" => "add `eval \"$(seance init zsh)\"` to ~/.zshrc, after compinit".to_string(),
                _ => "add `eval \"$(seance init bash)\"` to ~/.bashrc".to_string(),
            };
            add("shell", Status::Warn, format!("integration not loaded in this shell: {how}"));
        }
    }
    if std::env::var_os("CLAUDE_CODE_CHILD_SESSION").is_some() {
        add(
            "environment",
            Status::Warn,
            "CLAUDE_CODE_CHILD_SESSION is set (a Claude Code session started this shell): a claude run \
             from here writes no transcript; seance --talk removes it from its agent's environment"
                .into(),
        );
    } else {
        add("environment", Status::Ok, "CLAUDE_CODE_CHILD_SESSION is not set".into());
    }

    let orphaned = stages.iter().filter(|s| !s.target_exists).count();
    let held = stages.iter().filter(|s| s.target_exists && s.held).count();
    let left: Vec<&Stage> = stages.iter().filter(|s| s.target_exists && !s.held).collect();
    if stages.is_empty() {
        add("stages", Status::Ok, "none".into());
    } else {
        let mut parts = Vec::new();
        if held > 0 {
            parts.push(format!("{held} held by a live talk"));
        }
        if !left.is_empty() {
            let named: Vec<String> = left.iter().take(3).map(|s| s.link.display().to_string()).collect();
            let more = if left.len() > 3 { format!(" and {} more", left.len() - 3) } else { String::new() };
            parts.push(format!(
                "{} left behind ({}{more}): seance-gc --older-than DURATION removes them",
                left.len(),
                named.join(", ")
            ));
        }
        if orphaned > 0 {
            parts.push(format!("{orphaned} orphaned (their transcript is gone): seance-gc removes them"));
        }
        let status = if left.is_empty() && orphaned == 0 { Status::Ok } else { Status::Warn };
        add("stages", status, parts.join("; "));
    }

    if let Some(log) = &log {
        let gone: Vec<&String> = log.ids.iter().filter(|id| !transcripts.contains(*id)).collect();
        if gone.is_empty() {
            add(
                "transcripts",
                Status::Ok,
                format!("every one of the log's {} sessions has a transcript", log.ids.len()),
            );
        } else {
            let named: Vec<&str> = gone.iter().take(3).map(|id| id.as_str()).collect();
            let more = if gone.len() > 3 { ", …" } else { "" };
            add(
                "transcripts",
                Status::Warn,
                format!(
                    "{} of the log's {} sessions have no transcript in any account ({}{more})",
                    gone.len(),
                    log.ids.len(),
                    named.join(", ")
                ),
            );
        }
    }
    checks
}

/// The worst status: what the exit code says.
pub fn worst(checks: &[Check]) -> Status {
    checks.iter().map(|c| c.status).max().unwrap_or(Status::Ok)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || std::fs::canonicalize(a).ok().zip(std::fs::canonicalize(b).ok()).is_some_and(|(a, b)| a == b)
}

fn days_since(clock: &Clock, ts: Timestamp) -> u64 {
    let secs = clock.now().as_second() - ts.as_second();
    (secs.max(0) as u64) / 86_400
}

/// What the log says about sessions.
struct Log {
    oldest: Option<Timestamp>,
    /// The resumable session ids it names, newest first, each once.
    ids: Vec<String>,
}

fn read_log(town: &Path, clock: &Clock, add: &mut impl FnMut(&'static str, Status, String)) -> Log {
    struct Collect {
        events: u64,
        newest: Option<Timestamp>,
        oldest: Option<Timestamp>,
        seen: HashSet<String>,
        ids: Vec<String>,
    }
    impl Sink for Collect {
        fn event(&mut self, _: &[u8], event: &Event) -> Result<Flow> {
            self.events += 1;
            if let Some(ts) = event.timestamp() {
                self.newest = Some(self.newest.map_or(ts, |n| n.max(ts)));
                self.oldest = Some(self.oldest.map_or(ts, |o| o.min(ts)));
            }
            let id = event.session_id();
            if is_claude_session_id(id) && self.seen.insert(id.to_string()) {
                self.ids.push(id.to_string());
            }
            Ok(Flow::Continue)
        }
        fn flush(&mut self) -> Result<()> {
            Ok(())
        }
    }
    let path = town::events_log(town);
    let mut sink = Collect { events: 0, newest: None, oldest: None, seen: HashSet::new(), ids: Vec::new() };
    let size = match std::fs::metadata(&path) {
        Ok(meta) => meta.len(),
        Err(_) => {
            add(
                "log",
                Status::Warn,
                format!("{} does not exist yet: no session has started", path.display()),
            );
            return Log { oldest: None, ids: Vec::new() };
        }
    };
    let opts = EventsOpts { town: Some(town.to_path_buf()), ..EventsOpts::default() };
    let mut skipped = Skipped::new(false);
    if let Err(err) = eventlog::scan(&opts, &mut skipped, &mut sink) {
        add("log", Status::Fail, err.message().to_string());
        return Log { oldest: None, ids: Vec::new() };
    }
    let bad = match skipped.count() {
        0 => String::new(),
        n => format!(", {n} malformed lines skipped"),
    };
    match sink.newest {
        Some(newest) => add(
            "log",
            Status::Ok,
            format!(
                "{}: {}, {} session starts, newest {}{bad}",
                path.display(),
                bytes(size),
                sink.events,
                clock.ago(newest)
            ),
        ),
        None => add(
            "log",
            Status::Warn,
            format!(
                "{}: {}, no session_start events (do the SessionStart hooks emit them?){bad}",
                path.display(),
                bytes(size)
            ),
        ),
    }
    Log { oldest: sink.oldest, ids: sink.ids }
}

fn bytes(n: u64) -> String {
    match n {
        0..1024 => format!("{n} bytes"),
        1024..1_048_576 => format!("{:.1} KiB", n as f64 / 1024.0),
        1_048_576..1_073_741_824 => format!("{:.1} MiB", n as f64 / 1_048_576.0),
        _ => format!("{:.1} GiB", n as f64 / 1_073_741_824.0),
    }
}

/// A session link in a project dir: a stage (ours, or left by one).
struct Stage {
    link: PathBuf,
    target_exists: bool,
    held: bool,
}

/// What one account dir holds: its transcripts' ids, its stages and its cleanup setting.
struct Account {
    ids: HashSet<String>,
    links: Vec<Stage>,
    cleanup: Option<u64>,
    settings: PathBuf,
    /// Dirs that could not be listed (`PATH: why`): their transcripts are not counted.
    unreadable: Vec<String>,
}

/// Reads an account dir; `None` when it does not exist.
fn read_account(dir: &Path) -> Option<Account> {
    if !dir.is_dir() {
        return None;
    }
    let settings = dir.join("settings.json");
    let cleanup = std::fs::read_to_string(&settings)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|v| v.get("cleanupPeriodDays").and_then(serde_json::Value::as_u64));
    let mut account =
        Account { ids: HashSet::new(), links: Vec::new(), cleanup, settings, unreadable: Vec::new() };
    let mut note = |path: &Path, err: std::io::Error| {
        account_unreadable(&mut account.unreadable, path, &err);
    };
    let projects = match std::fs::read_dir(dir.join("projects")) {
        Ok(projects) => projects,
        Err(err) => {
            if err.kind() != std::io::ErrorKind::NotFound {
                note(&dir.join("projects"), err);
            }
            return Some(account);
        }
    };
    for project in projects.flatten() {
        if !project.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let files = match std::fs::read_dir(project.path()) {
            Ok(files) => files,
            Err(err) => {
                note(&project.path(), err);
                continue;
            }
        };
        for file in files.flatten() {
            let name = file.file_name();
            let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".jsonl")) else { continue };
            let Ok(kind) = file.file_type() else { continue };
            if kind.is_symlink() {
                let link = file.path();
                let target_exists = std::fs::metadata(&link).is_ok();
                let held = held(&project.path(), id);
                account.links.push(Stage { link, target_exists, held });
            } else if kind.is_file() {
                account.ids.insert(id.to_string());
            }
        }
    }
    Some(account)
}

fn account_unreadable(list: &mut Vec<String>, path: &Path, err: &std::io::Error) {
    list.push(format!("{}: {}", path.display(), super::error::describe_io(err)));
}

/// Whether a live talk holds the stage of `id` in `project` (SPEC "Shared stages": a shared
/// flock on `<id>.hold` that the kernel drops when the holder dies). Read from /proc/locks
/// rather than by trying the lock: a doctor must never make a talk starting meanwhile fail.
fn held(project: &Path, id: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Some(hold) = holds::state_dir(project).map(|dir| dir.join(format!("{id}.hold"))) else {
        return false;
    };
    let Ok(meta) = std::fs::symlink_metadata(&hold) else { return false };
    let Ok(locks) = std::fs::read_to_string("/proc/locks") else { return false };
    let file =
        format!("{:02x}:{:02x}:{}", rustix::fs::major(meta.dev()), rustix::fs::minor(meta.dev()), meta.ino());
    // "1: FLOCK  ADVISORY  READ  1234 08:01:5678 0 EOF": the file is major:minor:inode in hex.
    locks.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.get(1) == Some(&"FLOCK") && fields.contains(&file.as_str())
    })
}

fn add_account(
    add: &mut impl FnMut(&'static str, Status, String),
    name: &str,
    dir: &Path,
    seen: &Account,
    oldest_days: Option<u64>,
) {
    let days = seen.cleanup.unwrap_or(DEFAULT_CLEANUP_DAYS);
    let setting = match seen.cleanup {
        Some(days) => format!("cleanupPeriodDays {days}"),
        None => format!("cleanupPeriodDays {DEFAULT_CLEANUP_DAYS} (the default)"),
    };
    let text = format!("{name}: {}, {} transcripts, {setting}", dir.display(), seen.ids.len());
    if let Some(first) = seen.unreadable.first() {
        let more = match seen.unreadable.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        let why = format!("{text}; cannot read {first}{more}: their sessions are not found by any tool");
        return add("account", Status::Fail, why);
    }
    match oldest_days {
        Some(oldest) if oldest > days => add(
            "account",
            Status::Warn,
            format!(
                "{text}: the client deletes transcripts older than {days} days, and the town's sessions go \
                 back {oldest} days; raise cleanupPeriodDays in {}",
                seen.settings.display()
            ),
        ),
        _ => add("account", Status::Ok, text),
    }
}
