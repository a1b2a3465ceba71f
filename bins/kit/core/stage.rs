//! Staging (seance-stage, seance --talk): makes a session resumable from the current account and working directory by
//! linking its transcript (and sidecar dir) into that directory's project dir and adding its
//! index entry, and prints an undo token. Each step that fails undoes the steps before it.

use std::fs;
use std::io::Read;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::value::RawValue;

use crate::core::claude::{self, Transcript};
use crate::core::error::{Code, Error, Result};
use crate::core::fail;
use crate::core::holds::{self, Hold, Record, Stages};
use crate::core::index::{self, INDEX_NAME, fingerprint};
use crate::core::links::{Found, ProjectDir, Target};
use crate::core::lock::{self, IndexLock};
use crate::core::rawjson;
use crate::core::regular::{self, How};
use crate::core::resolve::Sessions;
use crate::core::token::{Token, require_utf8};

/// What staging one session did.
pub struct Staged {
    pub id: String,
    pub source: PathBuf,
    pub index: PathBuf,
    pub token: Token,
    /// The live hold on the stage, for a stage made to be held (`seance --talk`).
    pub hold: Option<Hold>,
}

/// Everything staging needs to know, resolved once per run.
pub struct Stager {
    pub sessions: Sessions,
    pub current: PathBuf,
    pub cwd: PathBuf,
    pub lock_timeout: Duration,
}

impl Stager {
    pub fn new(
        config_dir: Option<&Path>,
        town: Option<&Path>,
        cwd: Option<&Path>,
        lock_timeout: Duration,
    ) -> Result<Stager> {
        let (current, sessions) = Sessions::locate(config_dir, town)?;
        let cwd = claude::canonical_cwd(cwd)?;
        // Both end up in tokens and in the index (as projectPath, fullPath): refused here,
        // before anything is changed, when they cannot.
        require_utf8(&current)?;
        require_utf8(&cwd)?;
        Ok(Stager { sessions, current, cwd, lock_timeout })
    }

    fn target(&self) -> PathBuf {
        claude::project_dir(&self.current, &self.cwd)
    }

    /// Stages one session, or joins the stage already there (see `holds`): as a token user, or
    /// with `hold`, as a live holder. On failure, nothing of this run is left behind.
    pub fn stage(&self, input: &str, hold: bool) -> Result<Staged> {
        let (id, source) = self.sessions.resolve(input)?;
        let target = self.target();
        encodable(&id, &target, &source)?;
        let token = Token {
            id: id.clone(),
            dir: target.clone(),
            link: None,
            sidecar: None,
            entry: None,
            generation: None,
            user: None,
            hold: false,
        };
        let staged = |token, hold| Staged {
            id: id.clone(),
            source: source.file.clone(),
            index: target.join(INDEX_NAME),
            token,
            hold,
        };
        make_dir(&target)?;
        fail::point("stage.made-dir");
        let dir = ProjectDir::open(&target)?
            .ok_or_else(|| Error::usage(format!("{}: vanished", target.display())))?;
        let stages = Stages::open(&target, true)?
            .ok_or_else(|| Error::usage(format!("{}: no state dir", target.display())))?;
        // Read before the lock: another project's index is nothing to hold ours for (and a FIFO
        // there is refused, never waited on).
        let from_source = source_entry(&source, &id)?;
        // Everything from here on happens under the index lock, so that joining this stage and
        // the last user's leaving it never interleave.
        let lock = lock::lock_in(&dir, self.lock_timeout)?;
        let file_name = format!("{id}.jsonl");
        let old = stages.read(&id)?;
        let linked = match at_target(Some(&dir), &file_name, &source)? {
            AtTarget::Visible(_) => return Ok(staged(token, None)),
            AtTarget::Linked => true,
            // Left by a crash, and its transcript is gone: gc would remove it; so do we, unless
            // a live talk still holds it.
            AtTarget::Orphan(to) => {
                if old.is_some() && stages.held(&id, None)? {
                    return Err(Error::new(
                        Code::Unsafe,
                        format!(
                            "{}: its transcript is gone but a running talk holds it; left alone",
                            target.join(&file_name).display()
                        ),
                    ));
                }
                dir.unlink_if_points_to(&file_name, &to)?;
                fail::point("stage.removed-orphan");
                false
            }
            AtTarget::Free => false,
        };
        let mut joining = Joining {
            dir: &dir,
            stages: &stages,
            id: &id,
            old: old.clone(),
            token,
            made_link: false,
            made_sidecar: false,
            from_source,
        };
        match joining.make(self, &source, linked, hold, &lock) {
            Ok(()) => {
                let hold =
                    if hold { Some(stages.hold(&id).inspect_err(|_| joining.undo(&lock))?) } else { None };
                fail::point("stage.held");
                let token = joining.token.clone();
                drop(lock);
                Ok(staged(token, hold))
            }
            Err(err) => {
                joining.undo(&lock);
                Err(err)
            }
        }
    }

    /// What `stage` would do, in words; changes nothing.
    pub fn plan(&self, input: &str) -> Result<String> {
        let (id, source) = self.sessions.resolve(input)?;
        let target = self.target();
        encodable(&id, &target, &source)?;
        let file_name = format!("{id}.jsonl");
        let link = target.join(&file_name);
        let mut text = format!("session {id}\n  source  {}\n", source.file.display());
        match at_target(ProjectDir::open(&target)?.as_ref(), &file_name, &source)? {
            AtTarget::Visible(why) => return Ok(text + &format!("  nothing to do: {why}\n")),
            AtTarget::Linked => text += &format!("  keep    {} (linked already)\n", link.display()),
            AtTarget::Orphan(to) => {
                text += &format!("  remove  {} -> {} (orphan)\n", link.display(), to.display());
                text += &format!("  link    {} -> {}\n", link.display(), source.file.display());
            }
            AtTarget::Free => text += &format!("  link    {} -> {}\n", link.display(), source.file.display()),
        }
        if let Some(sidecar) = source.sidecar(&id) {
            text += &format!("  link    {} -> {}\n", target.join(&id).display(), sidecar.display());
        }
        text +=
            &format!("  index   add an entry to {} unless it has one\n", target.join(INDEX_NAME).display());
        Ok(text)
    }
}

/// Fails when the token of a stage that adds everything could not be encoded, so that a stage
/// is refused before it changes anything rather than left without its undo token.
fn encodable(id: &str, target: &Path, source: &Transcript) -> Result<()> {
    let token = Token {
        id: id.to_string(),
        dir: target.to_path_buf(),
        link: Some(source.file.clone()),
        sidecar: source.sidecar(id),
        entry: Some("0".repeat(16)),
        generation: Some(String::new()),
        user: Some(String::new()),
        hold: false,
    };
    token.encode().map(drop)
}

/// One run's part in a stage: what it made, so that a failure can take back exactly that.
struct Joining<'a> {
    dir: &'a ProjectDir,
    stages: &'a Stages,
    id: &'a str,
    /// The stage's record before this run (`None`: this run makes the stage).
    old: Option<Record>,
    token: Token,
    made_link: bool,
    made_sidecar: bool,
    /// The session's entry in its own project's index, when it has one there.
    from_source: Option<Box<RawValue>>,
}

impl Joining<'_> {
    /// The record first (so that a crash leaves a record of whatever was made), then the
    /// links, then the entry, and the record again if the entry was added.
    fn make(
        &mut self,
        stager: &Stager,
        source: &Transcript,
        linked: bool,
        hold: bool,
        lock: &IndexLock,
    ) -> Result<()> {
        let id = self.id;
        let mut record =
            self.old.clone().unwrap_or_else(|| Record { generation: holds::nonce(), ..Record::default() });
        let sidecar = source.sidecar(id).filter(|_| self.dir.inspect(id).is_ok_and(|f| f == Found::Missing));
        if !linked {
            record.link = Some(source.file.clone());
        }
        if let Some(sidecar) = &sidecar {
            record.sidecar = Some(sidecar.clone());
        }
        let user = (!hold).then(holds::nonce);
        record.users.extend(user.clone());
        self.token.generation = Some(record.generation.clone());
        self.token.user = user;
        self.token.hold = hold;
        self.stages.write(id, &record)?;
        fail::point("stage.recorded");
        // A link made by an earlier stage is that stage's; this one only adds what is missing,
        // such as an entry that a writer without the lock clobbered.
        if !linked {
            self.dir.link(&format!("{id}.jsonl"), &source.file)?;
            self.made_link = true;
            fail::point("stage.linked");
            self.token.link = Some(source.file.clone());
        }
        if let Some(sidecar) = sidecar {
            self.dir.link(id, &sidecar)?;
            self.made_sidecar = true;
            fail::point("stage.linked-sidecar");
            self.token.sidecar = Some(sidecar);
        }
        let entry = match self.from_source.take() {
            Some(entry) => entry,
            None => minimal_entry(id, source, self.dir.path(), &stager.cwd)?,
        };
        self.token.entry = index::edit_in(self.dir, lock, &stager.cwd.to_string_lossy(), |index| {
            if index.find(id).is_some() {
                return Ok(None); // present already: left alone, and not ours to remove later
            }
            index.add(entry.clone());
            Ok(Some(fingerprint(&entry)))
        })?;
        fail::point("stage.indexed");
        if let Some(entry) = &self.token.entry {
            record.entry = Some(entry.clone());
            self.stages.write(id, &record)?;
            fail::point("stage.recorded-entry");
        }
        Ok(())
    }

    /// Takes back what this run made (still under the lock): the entry, the links, then the
    /// record as it was before.
    fn undo(&self, lock: &IndexLock) {
        if let Some(added) = &self.token.entry {
            let _ = index::edit_in(self.dir, lock, "", |index| {
                Ok(index.remove_where(|id, e| id == Some(self.id) && fingerprint(e) == *added))
            });
        }
        if self.made_sidecar
            && let Some(sidecar) = &self.token.sidecar
        {
            let _ = self.dir.unlink_if_points_to(self.id, sidecar);
        }
        if self.made_link
            && let Some(source) = &self.token.link
        {
            let _ = self.dir.unlink_if_points_to(&format!("{}.jsonl", self.id), source);
        }
        let _ = match &self.old {
            Some(old) => self.stages.write(self.id, old),
            None => self.stages.remove(self.id),
        };
    }
}

/// What is at the transcript's name in the target dir, as stage (and its dry run) sees it.
enum AtTarget {
    /// The transcript itself is here: nothing to do.
    Visible(&'static str),
    /// Linked to this transcript already (by an earlier stage); the entry may still be missing.
    Linked,
    /// A session link whose transcript is gone.
    Orphan(PathBuf),
    Free,
}

/// Looks at `<dir>/<file_name>` (a dir not made yet is free); anything stage must not replace
/// is an exit-5 error.
fn at_target(dir: Option<&ProjectDir>, file_name: &str, source: &Transcript) -> Result<AtTarget> {
    let Some(dir) = dir else { return Ok(AtTarget::Free) };
    let path = || dir.path().join(file_name);
    match dir.inspect(file_name)? {
        Found::Missing => Ok(AtTarget::Free),
        Found::File => Ok(AtTarget::Visible("the transcript is already there")),
        Found::Link(to) if to == source.file => Ok(AtTarget::Linked),
        Found::Link(to) if dir.target_state(file_name)? == Target::Gone => Ok(AtTarget::Orphan(to)),
        Found::Link(to) => Err(Error::new(
            Code::Unsafe,
            format!(
                "{}: links to {}, not {}; left alone",
                path().display(),
                to.display(),
                source.file.display()
            ),
        )),
        Found::Other(what) => {
            Err(Error::new(Code::Unsafe, format!("{}: is {what}; left alone", path().display())))
        }
    }
}

/// Creates the project dir (and `projects/`) 0700 when missing.
fn make_dir(dir: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::io("create", dir.display(), e))
}

/// The session's entry in its own project's index, when it has one there.
fn source_entry(source: &Transcript, id: &str) -> Result<Option<Box<RawValue>>> {
    let index = index::peek_source(&source.project.join(INDEX_NAME))?;
    Ok(index.and_then(|index| index.find(id).map(|e| e.to_owned())))
}

const FIRST_PROMPT_SCAN: u64 = 64 * 1024;

/// An entry built from the transcript file, for a session its own index does not list.
fn minimal_entry(id: &str, source: &Transcript, target: &Path, cwd: &Path) -> Result<Box<RawValue>> {
    let modified = jiff::Timestamp::try_from(source.modified).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let (first_prompt, created) = scan_head(&source.file);
    let stamp =
        |ts: jiff::Timestamp| serde_json::Value::from(ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
    // In the order Claude Code writes its entries.
    let fields: Vec<(&str, Option<serde_json::Value>)> = vec![
        ("sessionId", Some(id.into())),
        ("fullPath", Some(target.join(format!("{id}.jsonl")).to_string_lossy().into())),
        ("fileMtime", Some(modified.as_millisecond().into())),
        ("firstPrompt", first_prompt.map(Into::into)),
        ("created", Some(stamp(created.unwrap_or(modified)))),
        ("modified", Some(stamp(modified))),
        ("projectPath", Some(cwd.to_string_lossy().into())),
        ("isSidechain", Some(false.into())),
    ];
    let mut members = rawjson::Members::new();
    for (key, value) in fields {
        if let Some(value) = value {
            members.push((key.to_string(), rawjson::raw(value.to_string())?));
        }
    }
    rawjson::raw(rawjson::write_object(&members))
}

/// The first user prompt and the first timestamp in the first 64 KiB of a transcript.
fn scan_head(file: &Path) -> (Option<String>, Option<jiff::Timestamp>) {
    let mut head = Vec::new();
    // Never blocks: a transcript swapped for a FIFO since it was found gives no head.
    if let Ok(f) = regular::open(file, How::READ) {
        let _ = f.take(FIRST_PROMPT_SCAN).read_to_end(&mut head);
    }
    let (mut prompt, mut created) = (None, None);
    for line in head.split(|b| *b == b'\n') {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(line) else { continue };
        if created.is_none() {
            created = value.get("timestamp").and_then(|t| t.as_str()).and_then(|t| t.parse().ok());
        }
        if prompt.is_none() && value.get("type").and_then(|t| t.as_str()) == Some("user") {
            let content = value.pointer("/message/content");
            let text = match content {
                Some(serde_json::Value::String(text)) => Some(text.clone()),
                Some(serde_json::Value::Array(parts)) => parts
                    .iter()
                    .find(|p| p.get("type").and_then(|t| t.as_str()) == Some("text"))
                    .and_then(|p| p.get("text")?.as_str().map(str::to_string)),
                _ => None,
            };
            prompt = text.map(|t| t.chars().take(200).collect());
        }
        if prompt.is_some() && created.is_some() {
            break;
        }
    }
    (prompt, created)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head_of(lines: &[String]) -> (Option<String>, Option<String>) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.jsonl");
        fs::write(&file, lines.join("\n") + "\n").unwrap();
        let (prompt, created) = scan_head(&file);
        (prompt, created.map(|t| t.to_string()))
    }

    #[test]
    fn the_first_prompt_is_the_first_text_a_person_typed() {
        // The shapes Claude Code writes before the first prompt: a snapshot line without a
        // timestamp (long, so the prompt starts well past the first KiB), an assistant line
        // with text, and a user line that only carries a tool result.
        let lines = [
            format!(r#"{{"type":"file-history-snapshot","messageId":"m0","snapshot":{{"pad":"{}"}}}}"#, "x".repeat(4000)),
            r#"{"type":"assistant","message":{"content":[{"type":"text","text":"not a prompt"}]},"timestamp":"2026-01-22T10:00:00Z"}"#.into(),
            r#"{"type":"user","message":{"content":[{"type":"tool_result","content":"ok"}]},"timestamp":"2026-01-22T10:00:01Z"}"#.into(),
            r#"{"type":"user","message":{"content":[{"type":"image","source":{}},{"type":"text","text":"Where is the plan?"}]},"timestamp":"2026-01-22T10:00:02Z"}"#.into(),
            r#"{"type":"user","message":{"content":"a later prompt"},"timestamp":"2026-01-22T10:00:03Z"}"#.into(),
        ];
        assert_eq!(head_of(&lines), (Some("Where is the plan?".into()), Some("2026-01-22T10:00:00Z".into())));
    }

    #[test]
    fn without_timestamps_the_first_prompt_still_wins() {
        let lines = [
            r#"{"type":"user","message":{"content":"first"}}"#.to_string(),
            r#"{"type":"user","message":{"content":"second"}}"#.into(),
        ];
        assert_eq!(head_of(&lines), (Some("first".into()), None));
    }

    #[test]
    fn only_the_first_64_kib_are_read_and_prompts_are_cut_at_200_chars() {
        let far = [
            format!(r#"{{"type":"summary","summary":"{}"}}"#, "x".repeat(70 * 1024)),
            r#"{"type":"user","message":{"content":"too far"},"timestamp":"2026-01-22T10:00:00Z"}"#.into(),
        ];
        assert_eq!(head_of(&far), (None, None));
        let long = [format!(r#"{{"type":"user","message":{{"content":"{}"}}}}"#, "é".repeat(300))];
        assert_eq!(head_of(&long).0, Some("é".repeat(200)));
    }
}
