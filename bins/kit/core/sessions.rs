//! The sessions that exist on disk, whether or not a town logged them: every `<id>.jsonl` in
//! the project dirs of every account, each real file once (a link that seance-stage made marks
//! its source `staged`), newest first. Listing only stats; [`Session::describe`] reads a
//! transcript's head and tail for the fields a listing shows, never the whole file.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::SystemTime;

use memchr::memmem::Finder;

use super::claude;
use super::error::Result;
use super::event::{Actor, Event, canonical_role};
use super::eventlog::{self, EventsOpts, Flow, Sink};
use super::filter::strip_ellipsis;
use super::malformed::Skipped;
use super::transcript::{Kind, Record, parse_line};

/// A Claude config dir and the name it goes by in records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Its key in accounts.json, else `current` or `default` (`~/.claude`).
    pub name: String,
    pub config: PathBuf,
}

/// Every account in search order: the current one, the town's accounts.json as listed, then
/// `~/.claude`; each directory once, under the first name that fits it.
pub fn accounts(current: &Path, town: Option<&Path>) -> Result<Vec<Account>> {
    let named = match town {
        Some(town) => claude::named_town_accounts(town)?.unwrap_or_default(),
        None => Vec::new(),
    };
    let resolved = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let name_of = |dir: &Path, fallback: &str| {
        let dir = resolved(dir);
        named.iter().find(|(_, d)| resolved(d) == dir).map_or(fallback.to_string(), |(n, _)| n.clone())
    };
    let mut list = vec![Account { name: name_of(current, "current"), config: current.to_path_buf() }];
    list.extend(named.iter().map(|(name, dir)| Account { name: name.clone(), config: dir.clone() }));
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        let dir = PathBuf::from(home).join(".claude");
        list.push(Account { name: name_of(&dir, "default"), config: dir });
    }
    let mut seen = Vec::new();
    list.retain(|a| {
        let dir = resolved(&a.config);
        let new = !seen.contains(&dir);
        seen.push(dir);
        new
    });
    Ok(list)
}

/// One transcript on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub account: String,
    pub config_dir: PathBuf,
    pub project_dir: PathBuf,
    /// The real file (never a link).
    pub path: PathBuf,
    pub bytes: u64,
    pub modified: SystemTime,
    /// A symlink to it sits in some account's project dir (a stage).
    pub staged: bool,
    pub sidecar: bool,
}

/// What a transcript's head and tail say about it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Described {
    /// The first record's timestamp.
    pub created: Option<String>,
    pub cwd: Option<String>,
    pub git_branch: Option<String>,
    /// The latest custom-title, else ai-title, else summary.
    pub title: Option<String>,
    /// The first text a person typed, cut to 200 characters.
    pub first_prompt: Option<String>,
}

/// How much of each end of a transcript is read at most for [`Session::describe`]: a file of
/// up to twice this is one window, read whole if need be.
pub const END_BYTES: u64 = 64 * 1024;
/// What is read of an end first. Most transcripts give every field in their first and last few
/// records, so more of an end is read only while a field is still missing there (a long first
/// prompt, a session with no title).
const FIRST_BYTES: u64 = 4 * 1024;
/// Longer than any title record: Claude Code's titles are a line of words.
const TITLE_LINE_BYTES: usize = 1024;
const PROMPT_CHARS: usize = 200;

impl Session {
    /// What the transcript's first and last [`END_BYTES`] say.
    pub fn describe(&self) -> Described {
        describe_file(&self.path, self.bytes)
    }

    /// The subagent transcripts in its sidecar, `<id>/subagents/*.jsonl`, sorted.
    pub fn subagents(&self) -> Vec<PathBuf> {
        if !self.sidecar {
            return Vec::new();
        }
        let Ok(entries) = fs::read_dir(self.project_dir.join(&self.id).join("subagents")) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
        files
    }
}

/// [`Session::describe`] for any transcript file of `len` bytes (its size when it was listed:
/// what was appended since is not read).
///
/// The fields come from whole lines (a line cut where reading stops is left out) near the two
/// ends, the first and the last [`END_BYTES`] at most (one window, the whole file, when it is
/// no longer than both). Each end is read from the outside in, [`FIRST_BYTES`] first and then
/// twice as much at a time, only while a field is still missing, so that most transcripts cost
/// two small reads:
/// - `created`, `cwd` and `first_prompt`: the first records of the head that hold them (as
///   far as the head goes); `cwd` from the tail only when the head has none;
/// - `git_branch`: the latest record read from the tail that holds one, else the head's (the
///   tail is read further for it only when neither has one so far);
/// - `title`: scanning back from the end, the first title record found and the line before it
///   (Claude Code writes a session's custom-title just before its ai-title when it appends
///   them again), a custom-title outranking an ai-title, a summary last; the head's, when the
///   whole tail has none.
///
/// A line is decoded only when its bytes can hold a field still missing. The file is opened
/// once.
pub fn describe_file(path: &Path, len: u64) -> Described {
    let Ok(file) = super::regular::open(path, super::regular::How::READ_AT) else {
        return Described::default();
    };
    WINDOW.with_borrow_mut(|buf| Ends { file: &file, buf }.describe(len))
}

thread_local! {
    /// The bytes of the window being read, kept from file to file: a listing reads thousands.
    static WINDOW: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// What a line's bytes hold when it can carry a field. Keys and type names are looked for with
/// their quotes, as Claude Code writes them (a key spelt with `\u` escapes is not seen).
struct Keys {
    timestamp: Finder<'static>,
    cwd: Finder<'static>,
    /// The type of a record that can hold a prompt.
    user: Finder<'static>,
    branch: Finder<'static>,
    /// The end of the `custom-title` and `ai-title` types.
    title: Finder<'static>,
    summary: Finder<'static>,
}

static KEYS: LazyLock<Keys> = LazyLock::new(|| Keys {
    timestamp: Finder::new(br#""timestamp""#),
    cwd: Finder::new(br#""cwd""#),
    user: Finder::new(br#""user""#),
    branch: Finder::new(br#""gitBranch""#),
    title: Finder::new(br#"-title""#),
    summary: Finder::new(br#""summary""#),
});

/// A line as a transcript reader takes it: a JSON object, else nothing.
fn record_of(raw: &[u8]) -> Option<Record<'_>> {
    let line = super::lines::trim_eol(raw);
    if !line.starts_with(b"{") {
        return None;
    }
    parse_line(line)
}

/// The fields the head's first records give.
#[derive(Default)]
struct First {
    created: Option<String>,
    cwd: Option<String>,
    first_prompt: Option<String>,
    /// The branch of the last record decoded, for a tail that names none.
    git_branch: Option<String>,
}

impl First {
    /// Takes what the next line adds; true once nothing is missing.
    fn take(&mut self, raw: &[u8]) -> bool {
        let keys = &*KEYS;
        let wanted = (self.created.is_none() && keys.timestamp.find(raw).is_some())
            || (self.cwd.is_none() && keys.cwd.find(raw).is_some())
            || (self.first_prompt.is_none() && keys.user.find(raw).is_some());
        if !wanted {
            return false;
        }
        let Some(record) = record_of(raw) else { return false };
        if self.created.is_none() {
            self.created = record.timestamp.as_deref().map(str::to_string);
        }
        if self.cwd.is_none() {
            self.cwd = record.cwd.as_deref().map(str::to_string);
        }
        if self.first_prompt.is_none() {
            self.first_prompt = record
                .blocks
                .iter()
                .find(|b| b.kind == Kind::User && typed(&b.text))
                .map(|b| b.text.chars().take(PROMPT_CHARS).collect());
        }
        if let Some(branch) = record.git_branch.as_deref() {
            self.git_branch = Some(branch.to_string());
        }
        self.created.is_some() && self.cwd.is_some() && self.first_prompt.is_some()
    }
}

/// The fields the last records give, taken from the last line back.
#[derive(Default)]
struct Latest {
    /// Whether to look for the branch, and for the titles.
    want_branch: bool,
    want_titles: bool,
    /// The head named a branch: lines not read yet are not read for one.
    head_branch: bool,
    /// It follows `git checkout`: the latest one wins.
    git_branch: Option<String>,
    /// The custom-title, ai-title and summary found.
    titles: [Option<String>; 3],
    /// Lines still to read after the first title found, when it is not a custom-title.
    title_lines: Option<u8>,
}

impl Latest {
    fn tail() -> Latest {
        Latest { want_branch: true, want_titles: true, ..Latest::default() }
    }

    /// Takes what the line before those taken so far adds; true once no line further back can
    /// change the fields. With `whole` false, `raw` is only the end of a line whose start is
    /// not read yet: true when what is missing is not worth reading further for.
    fn take(&mut self, raw: &[u8], whole: bool) -> bool {
        let branch_open = self.want_branch && self.git_branch.is_none();
        let titles_open = self.want_titles && self.titles[0].is_none();
        if !whole {
            // The line before the first title found, when it is longer than a title record,
            // is not one: no need to read it whole.
            if self.title_lines == Some(1) && raw.len() > TITLE_LINE_BYTES {
                self.title_lines = Some(0);
            }
            return (!titles_open || self.title_lines == Some(0)) && (!branch_open || self.head_branch);
        }
        let keys = &*KEYS;
        let wanted = (branch_open && keys.branch.find(raw).is_some())
            || (titles_open && (keys.title.find(raw).is_some() || keys.summary.find(raw).is_some()));
        if let Some(n) = &mut self.title_lines {
            *n = n.saturating_sub(1);
        }
        if wanted && let Some(record) = record_of(raw) {
            if branch_open {
                self.git_branch = record.git_branch.as_deref().map(str::to_string);
            }
            for block in record.blocks.iter().filter(|b| titles_open && b.kind == Kind::Title) {
                let slot = match block.field.as_deref() {
                    Some("customTitle") => 0,
                    Some("aiTitle") => 1,
                    _ => 2,
                };
                self.titles[slot].get_or_insert_with(|| block.text.to_string());
                self.title_lines.get_or_insert(1);
            }
        }
        (!self.want_branch || self.git_branch.is_some()) && (!self.want_titles || self.titles[0].is_some())
    }

    fn untitled(&self) -> bool {
        self.titles.iter().all(Option::is_none)
    }
}

/// An open transcript and the buffer its windows are read into.
struct Ends<'a> {
    file: &'a File,
    buf: &'a mut Vec<u8>,
}

impl Ends<'_> {
    fn describe(&mut self, len: u64) -> Described {
        let (head, tail) = if len <= 2 * END_BYTES {
            ((0, len), (0, len))
        } else {
            ((0, END_BYTES), (len - END_BYTES, len))
        };
        let mut first = First::default();
        self.forward(head, &mut |raw| first.take(raw));
        let mut latest = Latest { head_branch: first.git_branch.is_some(), ..Latest::tail() };
        self.backward(tail, &mut |raw, whole| latest.take(raw, whole));
        // What the whole tail does not say, the head's last records may.
        let branchless = latest.git_branch.is_none() && first.git_branch.is_none();
        if tail != head && (latest.untitled() || branchless) {
            let mut early =
                Latest { want_branch: branchless, want_titles: latest.untitled(), ..Latest::default() };
            self.backward(head, &mut |raw, whole| early.take(raw, whole));
            if early.want_titles {
                latest.titles = early.titles;
            }
            if branchless {
                latest.git_branch = early.git_branch;
            }
        }
        if tail != head && first.cwd.is_none() {
            self.forward(tail, &mut |raw| {
                if KEYS.cwd.find(raw).is_none() {
                    return false;
                }
                first.cwd = record_of(raw).and_then(|r| r.cwd.as_deref().map(str::to_string));
                first.cwd.is_some()
            });
        }
        Described {
            created: first.created,
            cwd: first.cwd,
            git_branch: latest.git_branch.or(first.git_branch),
            title: latest.titles.into_iter().flatten().next(),
            first_prompt: first.first_prompt,
        }
    }

    /// Reads the file's bytes `[at, end)` into the buffer, where the window that starts at
    /// byte `base` keeps them; says how many there were: fewer at the end of the file, or up
    /// to an error (which ends reading as the end of the file would).
    fn read(&mut self, base: u64, at: u64, end: u64) -> usize {
        let (from, to) = ((at - base) as usize, (end - base) as usize);
        if self.buf.len() < to {
            self.buf.resize(to, 0);
        }
        let mut got = 0;
        while from + got < to {
            match self.file.read_at(&mut self.buf[from + got..to], at + got as u64) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        got
    }

    /// Hands `visit` the whole lines of the window `[from, to)` (without their newline), first
    /// to last, until it returns true.
    fn forward(&mut self, (from, to): (u64, u64), visit: &mut dyn FnMut(&[u8]) -> bool) {
        // From the byte before the window, which says whether a line starts where it does.
        let base = from.saturating_sub(1);
        let mut step = FIRST_BYTES;
        let mut end = to.min(from + step);
        let mut got = base + self.read(base, base, end) as u64;
        let mut pos = 0;
        let mut whole = from == 0;
        loop {
            match memchr::memchr(b'\n', &self.buf[pos..(got - base) as usize]) {
                Some(i) => {
                    if whole && visit(&self.buf[pos..pos + i]) {
                        return;
                    }
                    whole = true;
                    pos += i + 1;
                }
                // The rest is a line the window's end cuts, or one not read whole yet.
                None if end == to || got < end => return,
                None => {
                    step *= 2;
                    let more = to.min(from + step);
                    got = end + self.read(base, end, more) as u64;
                    end = more;
                }
            }
        }
    }

    /// Hands `visit` the whole lines of the window `[from, to)` (without their newline), last
    /// to first, until it returns true; and before reading more, the end of the line that runs
    /// back into what is not read yet (`whole` false), which can stop it too.
    fn backward(&mut self, (from, to): (u64, u64), visit: &mut dyn FnMut(&[u8], bool) -> bool) {
        let base = from.saturating_sub(1);
        let mut step = FIRST_BYTES;
        // Lines that start at `start` or after are read; so is the byte before it, which says
        // whether one starts there.
        let mut start = from.max(to.saturating_sub(step));
        let mut low = start.saturating_sub(1);
        let got = self.read(base, low, to) as u64;
        let to = low + got;
        // Just past the newline that ends the next line to hand out; none until one is found.
        let mut cursor: Option<u64> = None;
        loop {
            let upto = match cursor {
                None => (to - base) as usize,
                Some(c) => (c - base) as usize - 1,
            };
            let lowest = (low - base) as usize;
            match memchr::memrchr(b'\n', &self.buf[lowest..upto]) {
                Some(i) => {
                    let i = lowest + i;
                    if cursor.is_some() && visit(&self.buf[i + 1..upto], true) {
                        return;
                    }
                    cursor = Some(base + i as u64 + 1);
                }
                // The line runs back to before what was read: read twice as much.
                None if start > from => {
                    if cursor.is_some() && visit(&self.buf[lowest..upto], false) {
                        return;
                    }
                    step *= 2;
                    start = from.max(to.saturating_sub(step));
                    let more = start.saturating_sub(1);
                    if self.read(base, more, low) as u64 != low - more {
                        return;
                    }
                    low = more;
                }
                // The first line of the file is whole; a line the window's start cuts is not.
                None if from == 0 && cursor.is_some() => {
                    visit(&self.buf[..upto], true);
                    return;
                }
                None => return,
            }
        }
    }
}

/// Whether a user text is something a person typed, not a slash command's echo.
fn typed(text: &str) -> bool {
    let text = text.trim_start();
    !text.is_empty() && !text.starts_with("<command-") && !text.starts_with("<local-command-")
}

/// Which sessions to list.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Only this project dir name (a working directory encoded Claude's way).
    pub project: Option<String>,
}

/// A dir of an account that could not be listed: its sessions are missing from a listing.
#[derive(Debug)]
pub struct Unreadable {
    pub path: PathBuf,
    pub error: std::io::Error,
}

/// Every session in `accounts`, newest first (then by path), with one stat per file; each
/// `projects` dir (one that exists) and project dir that could not be read (EACCES, ELOOP,
/// ENOTDIR ...) is noted in `unreadable`, so that its sessions are not silently missing.
pub fn list(accounts: &[Account], scope: &Scope, unreadable: &mut Vec<Unreadable>) -> Vec<Session> {
    // Real files by (device, inode): a link and its source are one session.
    let mut found: HashMap<(u64, u64), Session> = HashMap::new();
    let mut linked: Vec<((u64, u64), Session)> = Vec::new();
    // The accounts' real dirs, made when the first link needs them.
    let mut real_configs: Option<Vec<Option<PathBuf>>> = None;
    for account in accounts {
        let projects = account.config.join("projects");
        let dirs = match fs::read_dir(&projects) {
            Ok(dirs) => dirs,
            // An account with no sessions yet has no projects dir.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(error) => {
                unreadable.push(Unreadable { path: projects, error });
                continue;
            }
        };
        for dir in dirs.flatten() {
            let name = dir.file_name();
            if scope.project.as_deref().is_some_and(|p| name.to_str() != Some(p)) {
                continue;
            }
            if !dir.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let project = dir.path();
            let files = match fs::read_dir(&project) {
                Ok(files) => files,
                Err(error) => {
                    unreadable.push(Unreadable { path: project, error });
                    continue;
                }
            };
            // A session's sidecar is a dir beside it: the listing says which are, with no stat.
            let mut subdirs = HashSet::new();
            let mut here = Vec::new();
            for file in files.flatten() {
                let Ok(kind) = file.file_type() else { continue };
                let file_name = file.file_name();
                if kind.is_dir() {
                    subdirs.insert(file_name);
                    continue;
                }
                let Some(id) = file_name.to_str().and_then(|n| n.strip_suffix(".jsonl")) else { continue };
                if !claude::valid_session_id(id) {
                    continue;
                }
                let path = file.path();
                if kind.is_file() {
                    let Ok(meta) = file.metadata() else { continue };
                    let session = Session {
                        id: id.to_string(),
                        account: account.name.clone(),
                        config_dir: account.config.clone(),
                        project_dir: project.clone(),
                        bytes: meta.len(),
                        modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                        staged: false,
                        sidecar: false,
                        path,
                    };
                    here.push(((meta.dev(), meta.ino()), session));
                } else if kind.is_symlink() {
                    // A stage: its target is the session; it counts once, as that file.
                    let Ok(meta) = fs::metadata(&path) else { continue };
                    if !meta.is_file() {
                        continue;
                    }
                    let real = fs::canonicalize(&path).unwrap_or(path);
                    let real_project = real.parent().map(Path::to_path_buf).unwrap_or_default();
                    let config_dir = real_project
                        .parent()
                        .filter(|p| p.file_name().is_some_and(|n| n == "projects"))
                        .and_then(Path::parent)
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| account.config.clone());
                    let real_configs = real_configs.get_or_insert_with(|| {
                        accounts.iter().map(|a| fs::canonicalize(&a.config).ok()).collect()
                    });
                    let owner = accounts
                        .iter()
                        .zip(real_configs.iter())
                        .find(|(_, real)| real.as_ref() == Some(&config_dir))
                        .map(|(a, _)| a.name.clone());
                    let session = Session {
                        id: id.to_string(),
                        account: owner.unwrap_or_else(|| "other".to_string()),
                        config_dir,
                        project_dir: real_project,
                        bytes: meta.len(),
                        modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                        staged: true,
                        sidecar: false,
                        path: real,
                    };
                    linked.push(((meta.dev(), meta.ino()), session));
                }
            }
            for (key, mut session) in here {
                session.sidecar = subdirs.contains(std::ffi::OsStr::new(&session.id));
                found.insert(key, session);
            }
        }
    }
    for (key, mut session) in linked {
        // A link whose source no listed account holds: its sidecar is looked for beside the source.
        found
            .entry(key)
            .or_insert_with(|| {
                session.sidecar =
                    fs::symlink_metadata(session.project_dir.join(&session.id)).is_ok_and(|m| m.is_dir());
                session
            })
            .staged = true;
    }
    let mut sessions: Vec<Session> = found.into_values().collect();
    sessions.sort_by(|a, b| b.modified.cmp(&a.modified).then_with(|| a.path.cmp(&b.path)));
    sessions
}

/// Sessions that `wanted` names (full ids, or prefixes of at least 4 characters that name one
/// session), in `all`'s order, each once; and the names that matched none or several.
pub fn select(all: Vec<Session>, wanted: &[String]) -> (Vec<Session>, Vec<(String, usize)>) {
    let mut keep = vec![false; all.len()];
    let mut unresolved = Vec::new();
    for name in wanted {
        let name = strip_ellipsis(name.trim());
        let exact: Vec<usize> = (0..all.len()).filter(|&i| all[i].id == name).collect();
        let found = if !exact.is_empty() || name.len() < 4 {
            exact
        } else {
            let mut ids: Vec<&str> =
                all.iter().filter(|s| s.id.starts_with(name)).map(|s| s.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            if ids.len() > 1 {
                unresolved.push((name.to_string(), ids.len()));
                continue;
            }
            (0..all.len()).filter(|&i| all[i].id.starts_with(name)).collect()
        };
        if found.is_empty() {
            unresolved.push((name.to_string(), 0));
        }
        for i in found {
            keep[i] = true;
        }
    }
    let chosen = all.into_iter().zip(keep).filter(|(_, k)| *k).map(|(s, _)| s).collect();
    (chosen, unresolved)
}

/// A seance-sessions record as seance-fmt reads it back: what its table shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
pub struct SessionRecord {
    pub session_id: String,
    pub account: String,
    pub modified: String,
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub first_prompt: Option<String>,
}

impl SessionRecord {
    /// `line` as a session record, when it is one (a JSON object with `session_id`, `account`
    /// and `modified` at the top: events, hits and trail records have no `account`).
    pub fn parse(line: &[u8]) -> Option<SessionRecord> {
        memchr::memmem::find(line, b"\"account\"")?;
        serde_json::from_slice(line).ok()
    }

    /// Who: the town's actor when it logged the session, else the account that holds it.
    pub fn who(&self) -> &str {
        self.actor.as_deref().filter(|a| !a.is_empty()).unwrap_or(&self.account)
    }

    /// What it was about: its title, else the first prompt.
    pub fn about(&self) -> Option<&str> {
        fn given(text: &Option<String>) -> Option<&str> {
            text.as_deref().filter(|t| !t.trim().is_empty())
        }
        given(&self.title).or(given(&self.first_prompt))
    }
}

/// What the town's newest session_start event says of a session.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Start {
    pub actor: String,
    /// The role parsed from the actor, canonical (`crew`, `polecat` …).
    pub role: String,
    pub rig: Option<String>,
    pub topic: Option<String>,
    pub ts: Option<String>,
}

/// The newest session_start event of each of `ids` in the town's log, read from its end and
/// only until every id is found.
pub fn town_starts(town: &Path, ids: &[&str]) -> Result<HashMap<String, Start>> {
    struct Collect<'i> {
        wanted: std::collections::HashSet<&'i str>,
        found: HashMap<String, Start>,
    }
    impl Sink for Collect<'_> {
        fn event(&mut self, _: &[u8], event: &Event) -> Result<Flow> {
            let id = event.session_id();
            if self.wanted.contains(id) && !self.found.contains_key(id) {
                let actor = Actor::parse(event.who());
                self.found.insert(
                    id.to_string(),
                    Start {
                        actor: event.who().to_string(),
                        role: canonical_role(actor.role),
                        rig: actor.rig.map(str::to_string),
                        topic: event.topic().map(str::to_string),
                        ts: event.ts.as_deref().map(str::to_string),
                    },
                );
            }
            Ok(if self.found.len() == self.wanted.len() { Flow::Stop } else { Flow::Continue })
        }
        fn flush(&mut self) -> Result<()> {
            Ok(())
        }
    }
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let opts = EventsOpts { town: Some(town.to_path_buf()), ..EventsOpts::default() };
    let mut sink = Collect { wanted: ids.iter().copied().collect(), found: HashMap::new() };
    eventlog::scan(&opts, &mut Skipped::new(false), &mut sink)?;
    Ok(sink.found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::transcript::Reader;

    /// How the fields were read before the ends were read in growing steps: every line of both
    /// whole 64 KiB windows decoded. Wherever the growing reads find a field, they must agree.
    fn whole_windows(path: &Path, len: u64) -> Described {
        let mut found = Described::default();
        let mut titles: [Option<String>; 3] = Default::default();
        let mut scan = |from: u64, to: u64, head: bool| {
            let file = File::open(path).unwrap();
            let mut reader = Reader::window(file, from, to).unwrap();
            while let Ok(Some(record)) = reader.next_record() {
                if head && found.created.is_none() {
                    found.created = record.timestamp.as_deref().map(str::to_string);
                }
                if found.cwd.is_none() {
                    found.cwd = record.cwd.as_deref().map(str::to_string);
                }
                if let Some(branch) = record.git_branch.as_deref() {
                    found.git_branch = Some(branch.to_string());
                }
                for block in &record.blocks {
                    match block.kind {
                        Kind::User if head && found.first_prompt.is_none() && typed(&block.text) => {
                            found.first_prompt = Some(block.text.chars().take(PROMPT_CHARS).collect());
                        }
                        Kind::Title => {
                            let slot = match block.field.as_deref() {
                                Some("customTitle") => 0,
                                Some("aiTitle") => 1,
                                _ => 2,
                            };
                            titles[slot] = Some(block.text.to_string());
                        }
                        _ => {}
                    }
                }
            }
        };
        if len <= 2 * END_BYTES {
            scan(0, len, true);
        } else {
            scan(0, END_BYTES, true);
            scan(len - END_BYTES, len, false);
        }
        found.title = titles.into_iter().flatten().next();
        found
    }

    /// What both ways of reading say of a transcript with `content`.
    fn read_both(content: &str) -> (Described, Described) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        fs::write(&path, content).unwrap();
        let len = content.len() as u64;
        (describe_file(&path, len), whole_windows(&path, len))
    }

    /// Both ways of reading `lines`, each ended by a newline.
    fn read_lines(lines: &[String]) -> (Described, Described) {
        read_both(&(lines.join("\n") + "\n"))
    }

    fn user(text: &str, second: u32) -> String {
        format!(
            r#"{{"type":"user","message":{{"role":"user","content":{}}},"timestamp":"2026-01-01T00:00:{second:02}Z","cwd":"/w","gitBranch":"main"}}"#,
            serde_json::to_string(text).unwrap()
        )
    }

    /// An assistant record of about `bytes` bytes.
    fn said(bytes: usize, branch: &str) -> String {
        format!(
            r#"{{"type":"assistant","message":{{"content":[{{"type":"text","text":"{}"}}]}},"cwd":"/w","gitBranch":"{branch}"}}"#,
            "x".repeat(bytes.saturating_sub(100))
        )
    }

    fn titled(kind: &str, text: &str) -> String {
        let field = match kind {
            "custom-title" => "customTitle",
            "ai-title" => "aiTitle",
            _ => "summary",
        };
        format!(r#"{{"type":"{kind}","{field}":"{text}","sessionId":"s"}}"#)
    }

    /// Lines of about `bytes` in all, none holding a title.
    fn filler(bytes: usize) -> Vec<String> {
        (0..bytes / 4000).map(|_| said(4000, "main")).collect()
    }

    #[test]
    fn a_long_first_prompt_is_found_as_far_as_the_head_goes() {
        let queued = r#"{"type":"queue-operation","operation":"enqueue","timestamp":"2026-01-01T00:00:00Z"}"#;
        let mut lines = vec![queued.to_string(), user(&"p".repeat(50 * 1024), 1)];
        lines.extend(filler(160_000));
        lines.push(titled("ai-title", "t"));
        let (got, before) = read_lines(&lines);
        assert_eq!(got.first_prompt, Some("p".repeat(200)));
        assert_eq!(got.created.as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(got, before);
        // A prompt that runs past the head's 64 KiB is not read (nor was it before); the cwd then
        // comes from the tail.
        lines[1] = user(&"p".repeat(70 * 1024), 1);
        let (got, before) = read_lines(&lines);
        assert_eq!(got.first_prompt, None);
        assert_eq!(got.cwd.as_deref(), Some("/w"));
        assert_eq!(got, before);
    }

    #[test]
    fn a_title_far_back_in_the_tail_is_found() {
        let mut lines = vec![user("hi", 0)];
        lines.extend(filler(160_000));
        lines.push(titled("ai-title", "far back"));
        let at = lines.len();
        lines.extend(filler(60_000));
        let (got, before) = read_lines(&lines);
        assert_eq!(got.title.as_deref(), Some("far back"));
        assert_eq!(got, before);
        // Past the tail's 64 KiB (and the head's), as before: none.
        lines.splice(at + 1..at + 1, filler(8_000));
        let (got, before) = read_lines(&lines);
        assert_eq!(got.title, None);
        assert_eq!(got, before);
    }

    #[test]
    fn without_a_title_in_the_tail_the_heads_is_taken() {
        let mut lines = vec![user("hi", 0), titled("ai-title", "early"), titled("summary", "old")];
        lines.extend(filler(160_000));
        let (got, before) = read_lines(&lines);
        assert_eq!(got.title.as_deref(), Some("early"));
        assert_eq!(got, before);
        lines.drain(1..3);
        let (got, before) = read_lines(&lines);
        assert_eq!(got.title, None);
        assert_eq!(got.git_branch.as_deref(), Some("main"));
        assert_eq!(got, before);
    }

    #[test]
    fn a_file_shorter_than_the_first_read_is_read_whole_but_a_half_last_line() {
        let lines = [user("hi", 3), said(300, "feature"), titled("custom-title", "named")];
        let (got, before) = read_lines(&lines);
        let expected = Described {
            created: Some("2026-01-01T00:00:03Z".into()),
            cwd: Some("/w".into()),
            git_branch: Some("feature".into()),
            title: Some("named".into()),
            first_prompt: Some("hi".into()),
        };
        assert_eq!(got, expected);
        assert_eq!(got, before);
        // The last line without its newline is being written: left out.
        let (got, before) = read_both(&lines.join("\n"));
        assert_eq!(got.title, None);
        assert_eq!(got.git_branch.as_deref(), Some("feature"));
        assert_eq!(got, before);
        // Nothing but a half line; nothing at all.
        assert_eq!(read_both(&lines[0]).0, Described::default());
        assert_eq!(read_both("").0, Described::default());
    }

    #[test]
    fn a_line_the_tail_window_starts_inside_is_left_out() {
        let mut head = vec![user("hi", 0)];
        head.extend(filler(160_000));
        let custom = titled("custom-title", "straddles");
        // After the custom title: an ai-title, then lines that make the tail window start
        // `into` bytes into the custom title's line.
        for into in [0, 1, custom.len() / 2, custom.len()] {
            let mut tail = vec![titled("ai-title", "inside")];
            let mut rest = END_BYTES as usize - (custom.len() + 1 - into) - (tail[0].len() + 1);
            while rest > 0 {
                let n = rest.min(3000);
                // A line of exactly n bytes with its newline; the last one takes what is left.
                let n = if rest - n < 200 { rest } else { n };
                let mut line = said(200, "main");
                let pad = n - 1 - line.len();
                line.insert_str(line.find("xx").unwrap(), &"y".repeat(pad));
                tail.push(line);
                rest -= n;
            }
            let mut lines = head.clone();
            lines.push(custom.clone());
            lines.extend(tail);
            let content = lines.join("\n") + "\n";
            let window = content.len() as u64 - END_BYTES;
            assert_eq!(
                content[..window as usize].len() - content[..window as usize].rfind('\n').unwrap() - 1,
                into
            );
            let (got, before) = read_both(&content);
            let expected = if into == 0 { "straddles" } else { "inside" };
            assert_eq!(got.title.as_deref(), Some(expected), "{into} bytes into the line");
            assert_eq!(got, before);
        }
    }

    #[test]
    fn a_custom_title_written_before_an_ai_title_wins_wherever_reading_stops() {
        let mut head = vec![user("hi", 0)];
        head.extend(filler(160_000));
        head.push(titled("custom-title", "named"));
        head.push(titled("ai-title", "generated"));
        // Reading steps end 4, 8, 16 … KiB from the end: move the pair across each of the first
        // ones, so that some step cuts the custom title's line in two.
        for after in (3_900..4_200).chain(7_900..8_300).step_by(5) {
            let mut lines = head.clone();
            lines.push(said(after, "main"));
            let (got, before) = read_lines(&lines);
            assert_eq!(got.title.as_deref(), Some("named"), "{after} bytes after the pair");
            assert_eq!(got, before);
        }
    }

    #[test]
    fn the_branch_is_the_latest_record_reads() {
        let mut lines = vec![user("hi", 0)];
        lines.extend(filler(160_000));
        lines.push(said(300, "feature"));
        lines.push(titled("ai-title", "t"));
        let (got, before) = read_lines(&lines);
        assert_eq!(got.git_branch.as_deref(), Some("feature"));
        assert_eq!(got, before);
    }

    #[test]
    fn a_fifo_in_place_of_a_transcript_is_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &path,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        assert_eq!(describe_file(&path, 0), Described::default());
        assert_eq!(describe_file(&dir.path().join("missing.jsonl"), 10), Described::default());
    }

    #[test]
    fn head_and_tail_give_the_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        let mut lines = vec![
            r#"{"type":"file-history-snapshot","messageId":"m"}"#.to_string(),
            r#"{"type":"user","isMeta":true,"message":{"content":"caveat"},"timestamp":"2026-01-01T00:00:00Z","cwd":"/w","gitBranch":"main"}"#.into(),
            r#"{"type":"user","message":{"content":"<command-name>/rename</command-name>"},"timestamp":"2026-01-01T00:00:01Z"}"#.into(),
            format!(r#"{{"type":"user","message":{{"content":"{}"}},"timestamp":"2026-01-01T00:00:02Z"}}"#, "é".repeat(300)),
            r#"{"type":"ai-title","aiTitle":"early title"}"#.into(),
        ];
        // A middle that is never read, then the tail.
        let pad = format!(
            r#"{{"type":"custom-title","customTitle":"hidden in the middle","pad":"{}"}}"#,
            "x".repeat(200_000)
        );
        lines.push(pad);
        lines.push(r#"{"type":"assistant","message":{"content":[{"type":"text","text":"ok"}]},"gitBranch":"feature"}"#.into());
        lines.push(r#"{"type":"ai-title","aiTitle":"late title"}"#.into());
        fs::write(&path, lines.join("\n") + "\n").unwrap();
        let len = fs::metadata(&path).unwrap().len();
        let got = describe_file(&path, len);
        assert_eq!(got.created.as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(got.cwd.as_deref(), Some("/w"));
        assert_eq!(got.git_branch.as_deref(), Some("feature"));
        assert_eq!(got.title.as_deref(), Some("late title"));
        assert_eq!(got.first_prompt, Some("é".repeat(200)));
    }

    #[test]
    fn a_link_and_its_source_are_one_staged_session() {
        let root = tempfile::tempdir().unwrap();
        let a = root.path().join("a");
        let b = root.path().join("b");
        let id = "46621448-3caa-4bbb-8ccc-123456789abc";
        fs::create_dir_all(a.join("projects/-src")).unwrap();
        fs::create_dir_all(b.join("projects/-dst")).unwrap();
        let source = a.join(format!("projects/-src/{id}.jsonl"));
        fs::write(&source, "{}\n").unwrap();
        std::os::unix::fs::symlink(&source, b.join(format!("projects/-dst/{id}.jsonl"))).unwrap();
        // A dangling link is no session.
        std::os::unix::fs::symlink(a.join("gone"), b.join("projects/-dst/gone-1.jsonl")).unwrap();
        let accounts = vec![
            Account { name: "current".into(), config: b.clone() },
            Account { name: "work".into(), config: a.clone() },
        ];
        let listed = list(&accounts, &Scope::default(), &mut Vec::new());
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].path, source);
        assert_eq!(listed[0].account, "work");
        assert!(listed[0].staged);
        // Without the source's account, the link still leads to the real file.
        let listed = list(&accounts[..1], &Scope::default(), &mut Vec::new());
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].path, fs::canonicalize(&source).unwrap());
        assert_eq!(listed[0].config_dir, fs::canonicalize(&a).unwrap());
    }
}
