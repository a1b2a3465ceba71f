//! The sessions that exist on disk, whether or not a town logged them: every `<id>.jsonl` in
//! the project dirs of every account, each real file once (a link that seance-stage made marks
//! its source `staged`), newest first. Listing only stats; [`Session::describe`] reads a
//! transcript's head and tail for the fields a listing shows, never the whole file.

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::claude;
use super::error::Result;
use super::event::{Actor, Event, canonical_role};
use super::eventlog::{self, EventsOpts, Flow, Sink};
use super::filter::strip_ellipsis;
use super::malformed::Skipped;
use super::transcript::{Kind, Reader};

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

/// How much of each end of a transcript is read for [`Session::describe`].
pub const END_BYTES: u64 = 64 * 1024;
const PROMPT_CHARS: usize = 200;

impl Session {
    /// Reads the transcript's first and last [`END_BYTES`] (once, when they overlap).
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

/// [`Session::describe`] for any transcript file of `len` bytes.
pub fn describe_file(path: &Path, len: u64) -> Described {
    let mut found = Described::default();
    let mut titles: [Option<String>; 3] = Default::default();
    let mut scan = |from: u64, to: u64, head: bool| {
        let Ok(file) = super::regular::open(path, super::regular::How::READ) else { return };
        let Ok(mut reader) = Reader::window(file, from, to) else { return };
        while let Ok(Some(record)) = reader.next_record() {
            if head && found.created.is_none() {
                found.created = record.timestamp.as_deref().map(str::to_string);
            }
            if found.cwd.is_none() {
                found.cwd = record.cwd.as_deref().map(str::to_string);
            }
            // The branch follows `git checkout`: the latest one wins.
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

/// Every session in `accounts`, newest first (then by path), with one stat per file.
pub fn list(accounts: &[Account], scope: &Scope) -> Vec<Session> {
    // Real files by (device, inode): a link and its source are one session.
    let mut found: HashMap<(u64, u64), Session> = HashMap::new();
    let mut linked: Vec<((u64, u64), Session)> = Vec::new();
    for account in accounts {
        let projects = account.config.join("projects");
        let Ok(dirs) = fs::read_dir(&projects) else { continue };
        for dir in dirs.flatten() {
            let name = dir.file_name();
            if scope.project.as_deref().is_some_and(|p| name.to_str() != Some(p)) {
                continue;
            }
            if !dir.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let project = dir.path();
            let Ok(files) = fs::read_dir(&project) else { continue };
            for file in files.flatten() {
                let file_name = file.file_name();
                let Some(id) = file_name.to_str().and_then(|n| n.strip_suffix(".jsonl")) else { continue };
                if !claude::valid_session_id(id) {
                    continue;
                }
                let Ok(kind) = file.file_type() else { continue };
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
                    found.insert((meta.dev(), meta.ino()), session);
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
                    let session = Session {
                        id: id.to_string(),
                        account: accounts
                            .iter()
                            .find(|a| fs::canonicalize(&a.config).is_ok_and(|c| c == config_dir))
                            .map_or_else(|| "other".to_string(), |a| a.name.clone()),
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
        }
    }
    for (key, session) in linked {
        found.entry(key).or_insert(session).staged = true;
    }
    let mut sessions: Vec<Session> = found.into_values().collect();
    for session in &mut sessions {
        session.sidecar =
            fs::symlink_metadata(session.project_dir.join(&session.id)).is_ok_and(|m| m.is_dir());
    }
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
        let listed = list(&accounts, &Scope::default());
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].path, source);
        assert_eq!(listed[0].account, "work");
        assert!(listed[0].staged);
        // Without the source's account, the link still leads to the real file.
        let listed = list(&accounts[..1], &Scope::default());
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].path, fs::canonicalize(&source).unwrap());
        assert_eq!(listed[0].config_dir, fs::canonicalize(&a).unwrap());
    }
}
