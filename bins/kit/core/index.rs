//! The sessions-index.json editor. Every change is made under gt's lock, written to a uniquely
//! named temp file in the same dir (mode kept, fsync), renamed over the index, and the dir
//! fsynced, so a reader never sees a torn file. Untouched members and entries keep their raw
//! text; only whitespace is re-laid. Claude Code writes without the lock, so if the file changed
//! between our read and our rename we start over. An index that does not parse, has an unknown
//! shape or is a symlink is never rewritten.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::ops::Range;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rustix::fd::AsFd;
use rustix::fs::CWD;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::core::error::{Code, Error, Result, describe_io};
use crate::core::fail;
use crate::core::links::ProjectDir;
use crate::core::lock::IndexLock;
use crate::core::rawjson;
use crate::core::regular::{self, How, Refused, Role};

pub const INDEX_NAME: &str = "sessions-index.json";
/// Our temp files start with this, so nothing else is ever mistaken for one (and Claude Code's
/// own fixed `sessions-index.json.tmp` is never touched).
pub const TEMP_PREFIX: &str = ".seance-tmp-";
const ATTEMPTS: usize = 8;

/// An index as read, and the edits to it. The file's text is kept as it is: an edit splices
/// entries in or out and copies every other byte, so an untouched value is never re-encoded or
/// re-indented, and the work is one pass over the file whatever its nesting.
pub struct Index {
    text: String,
    /// The entries array's contents: from just after `[` to just before `]`.
    inside: Range<usize>,
    entries: Vec<Entry>,
    added: Vec<Box<RawValue>>,
    /// How entries are laid out: the whitespace before each (empty for compact files), the
    /// whitespace before `]`, and the depth to indent an added entry at.
    gap: String,
    closing: String,
    depth: usize,
    dirty: bool,
}

struct Entry {
    /// The entry's text, and the whitespace in front of it (after `[` or the comma).
    span: Range<usize>,
    lead: Range<usize>,
    id: Option<String>,
    removed: bool,
}

/// The `sessionId` of an entry's text; an error when it has more than one, since readers take
/// the last and we would edit by the first.
fn entry_shape(text: &str) -> std::result::Result<Option<String>, &'static str> {
    struct Key(bool);
    impl<'de> serde::Deserialize<'de> for Key {
        fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Key, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = Key;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a key")
                }
                fn visit_str<E>(self, key: &str) -> std::result::Result<Key, E> {
                    Ok(Key(key == "sessionId"))
                }
            }
            d.deserialize_str(V)
        }
    }
    struct Id;
    impl<'de> Visitor<'de> for Id {
        type Value = std::result::Result<Option<String>, &'static str>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an entry")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
            let mut id: Option<Option<String>> = None;
            let mut twice = false;
            while let Some(Key(is_id)) = map.next_key()? {
                if is_id {
                    // A sessionId that is not a string is no id.
                    let value: serde_json::Value = map.next_value()?;
                    twice |= id.is_some();
                    id = Some(value.as_str().map(str::to_string));
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(if twice { Err("an entry has two sessionId keys") } else { Ok(id.flatten()) })
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Ok(None))
        }
        fn visit_str<E>(self, _: &str) -> std::result::Result<Self::Value, E> {
            Ok(Ok(None))
        }
        fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
            Ok(Ok(None))
        }
        fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
            Ok(Ok(None))
        }
        fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
            Ok(Ok(None))
        }
        fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
            Ok(Ok(None))
        }
        fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(Ok(None))
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    (&mut de).deserialize_any(Id).unwrap_or(Ok(None))
}

/// What an entry means, as a short stable word: a hash of its value re-encoded compactly, so a
/// writer that re-indents the file does not change it.
pub fn fingerprint(entry: &RawValue) -> String {
    fingerprint_text(entry.get())
}

fn fingerprint_text(entry: &str) -> String {
    let canonical = match serde_json::from_str::<serde_json::Value>(entry) {
        Ok(value) => {
            let mut text = String::new();
            canonical(&value, &mut text);
            text
        }
        Err(_) => entry.to_string(),
    };
    // FNV-1a: small, stable across versions, and no secret is involved.
    let hash = canonical
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("{hash:016x}")
}

/// Compact JSON with every object's keys sorted, written here rather than by `Value`'s
/// `Display`, whose key order is whatever serde_json's `preserve_order` feature makes it:
/// turning that feature on anywhere in the build must not change a fingerprint.
fn canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&rawjson::string(key));
                out.push(':');
                canonical(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Where `part` (a slice of `whole`) starts in it.
fn offset(whole: &str, part: &str) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

impl Index {
    /// For the fuzz target and tests; the tools read through `edit` and `peek`.
    #[cfg(any(test, feature = "fuzz"))]
    pub(crate) fn parse(text: &[u8], path: &Path) -> Result<Index> {
        let text = std::str::from_utf8(text).map_err(|_| refuse(path, "not UTF-8"))?.to_string();
        Index::from_text(text, path)
    }

    fn from_text(text: String, path: &Path) -> Result<Index> {
        if rawjson::too_deep(text.as_bytes()) {
            return Err(refuse(path, &format!("nested deeper than {} levels", rawjson::MAX_DEPTH)));
        }
        struct Top<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de> Visitor<'de> for Top<'de> {
            type Value = Vec<(String, &'de RawValue)>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(members)
            }
        }
        let refuse = |why: &str| refuse(path, why);
        let (inside, raw_entries) = {
            let mut de = serde_json::Deserializer::from_str(&text);
            let members = (&mut de)
                .deserialize_map(Top(std::marker::PhantomData))
                .and_then(|m| de.end().map(|_| m))
                .map_err(|e| refuse(&format!("does not parse ({e})")))?;
            // Readers take the last of duplicate keys, and we would edit the first: refuse.
            if ["version", "entries"].iter().any(|key| members.iter().filter(|(k, _)| k == key).count() > 1) {
                return Err(refuse("unknown shape (duplicate version or entries)"));
            }
            let member = |key: &str| members.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
            if member("version").map(RawValue::get) != Some("1") {
                return Err(refuse("unknown shape (version is not 1)"));
            }
            let array = member("entries").ok_or_else(|| refuse("unknown shape (entries is not an array)"))?;
            let raw: Vec<&RawValue> = serde_json::from_str(array.get())
                .map_err(|_| refuse("unknown shape (entries is not an array)"))?;
            let start = offset(&text, array.get());
            let inside = start + 1..start + array.get().len() - 1;
            let spans: Vec<Range<usize>> = raw
                .iter()
                .map(|e| {
                    let at = offset(&text, e.get());
                    at..at + e.get().len()
                })
                .collect();
            (inside, spans)
        };
        let mut entries = Vec::with_capacity(raw_entries.len());
        let mut previous_end = inside.start;
        for span in raw_entries {
            let id = entry_shape(&text[span.clone()]).map_err(refuse)?;
            // The whitespace in front of the entry, after `[` or after the comma.
            let between = &text[previous_end..span.start];
            let lead_start = previous_end + between.rfind(',').map_or(0, |comma| comma + 1);
            entries.push(Entry { lead: lead_start..span.start, span: span.clone(), id, removed: false });
            previous_end = span.end;
        }
        // The layout to give added entries: that of the first entry, else one level deeper
        // than the line the entries array is on (none at all in a file on one line).
        let indent = text[..inside.start]
            .rfind('\n')
            .map(|at| text[at + 1..].chars().take_while(|c| *c == ' ' || *c == '\t').collect::<String>());
        let (gap, closing) = match (entries.first(), &indent) {
            (Some(first), _) => {
                (text[first.lead.clone()].to_string(), text[previous_end..inside.end].to_string())
            }
            (None, Some(indent)) => (format!("\n{indent}  "), format!("\n{indent}")),
            (None, None) => (String::new(), String::new()),
        };
        let depth = gap.rsplit('\n').next().map_or(0, |last| last.len() / 2);
        Ok(Index { text, inside, entries, added: Vec::new(), gap, closing, depth, dirty: false })
    }

    /// A new index, for a project dir that has none. Our own text always parses; if it did
    /// not, that is an error, never an index written as something else.
    fn new(original_path: &str) -> Result<Index> {
        let compact =
            format!(r#"{{"version":1,"entries":[],"originalPath":{}}}"#, rawjson::string(original_path));
        let mut text = Vec::new();
        rawjson::indent_into(&mut text, compact.as_bytes(), 0);
        let text = String::from_utf8(text)
            .map_err(|e| Error::failure(format!("internal error: a new index is not UTF-8: {e}")))?;
        Index::from_text(text, Path::new(INDEX_NAME))
    }

    /// The entry for `id`, as its raw text.
    pub fn find(&self, id: &str) -> Option<&RawValue> {
        let entry = self.entries.iter().find(|e| !e.removed && e.id.as_deref() == Some(id))?;
        serde_json::from_str(&self.text[entry.span.clone()]).ok()
    }

    pub fn add(&mut self, entry: Box<RawValue>) {
        self.added.push(entry);
        self.dirty = true;
    }

    /// Removes the entries for which `doomed(id, entry)` holds; returns how many.
    pub fn remove_where(&mut self, doomed: impl Fn(Option<&str>, &RawValue) -> bool) -> usize {
        let mut removed = 0;
        for entry in self.entries.iter_mut().filter(|e| !e.removed) {
            let Ok(raw) = serde_json::from_str::<&RawValue>(&self.text[entry.span.clone()]) else { continue };
            if doomed(entry.id.as_deref(), raw) {
                entry.removed = true;
                removed += 1;
            }
        }
        self.dirty |= removed > 0;
        removed
    }

    /// Writes the index with the edits made: every byte outside the entries that were removed
    /// or added is the original's.
    pub(crate) fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        let text = self.text.as_bytes();
        out.write_all(&text[..self.inside.start])?;
        let mut first = true;
        for entry in self.entries.iter().filter(|e| !e.removed) {
            if !first {
                out.write_all(b",")?;
            }
            out.write_all(&text[entry.lead.start..entry.span.end])?;
            first = false;
        }
        for entry in &self.added {
            if !first {
                out.write_all(b",")?;
            }
            out.write_all(self.gap.as_bytes())?;
            let raw = entry.get();
            // Entries we build are compact and flat: lay them out like the rest. One taken from
            // another index keeps its own text, whatever its depth (re-indenting deep nesting
            // is quadratic).
            if raw.contains('\n') || self.gap.is_empty() {
                out.write_all(raw.as_bytes())?;
            } else {
                let mut laid = Vec::with_capacity(raw.len() * 2);
                rawjson::indent_into(&mut laid, raw.as_bytes(), self.depth);
                out.write_all(&laid)?;
            }
            first = false;
        }
        if !first {
            out.write_all(self.closing.as_bytes())?;
        }
        out.write_all(&text[self.inside.end..])
    }

    #[cfg(any(test, feature = "fuzz"))]
    pub(crate) fn render(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.text.len() + 1024);
        // Writing to a Vec cannot fail.
        self.write_to(&mut out).expect("writing to memory");
        out
    }
}

fn refuse(path: &Path, why: &str) -> Error {
    Error::new(Code::Unsafe, format!("{}: {why}; left untouched", path.display()))
}

/// What the index file was when read: enough to tell whether someone replaced or rewrote it
/// since (Claude Code renames a new file over it; gt writes in place).
#[derive(PartialEq, Eq, Clone, Copy)]
struct Version {
    dev: u64,
    ino: u64,
    size: i64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

fn version(stat: &rustix::fs::Stat) -> Version {
    Version {
        dev: stat.st_dev,
        ino: stat.st_ino,
        size: stat.st_size,
        mtime: (stat.st_mtime, stat.st_mtime_nsec as i64),
        ctime: (stat.st_ctime, stat.st_ctime_nsec as i64),
    }
}

/// How the index is opened (core::regular): it is ours to rewrite, so a symlink or a special
/// file at its name is refused with exit 5, looked at before it is opened and never waited on.
const OPEN: How = How { role: Role::Write, follow: false, create: None, nonblocking: false };

/// Opens the index `name` in `dir` (the working directory for a path), `None` when missing.
fn open_index<D: AsFd>(dir: D, name: &Path, path: &Path) -> Result<Option<File>> {
    match regular::open_at(dir, name, OPEN) {
        Ok(file) => Ok(Some(file)),
        Err(Refused::Missing) => Ok(None),
        Err(Refused::Symlink) => {
            Err(Error::new(Code::Unsafe, format!("{}: is a symlink; left untouched", path.display())))
        }
        Err(refused) => Err(refused.error(path, OPEN.role)),
    }
}

/// Reads an opened index (a regular file: see [`open_index`]).
fn read_file(mut file: File, path: &Path) -> Result<(String, u32, Version)> {
    let stat = rustix::fs::fstat(&file).map_err(|e| Error::io("read", path.display(), e.into()))?;
    let mut bytes = Vec::with_capacity(stat.st_size.max(0) as usize + 1);
    file.read_to_end(&mut bytes).map_err(|e| Error::io("read", path.display(), e))?;
    let text = String::from_utf8(bytes).map_err(|_| refuse(path, "not UTF-8"))?;
    Ok((text, stat.st_mode & 0o7777, version(&stat)))
}

/// The index of an opened project dir, `None` when it does not exist.
fn read_in(dir: &ProjectDir) -> Result<Option<(String, u32, Version)>> {
    let path = dir.path().join(INDEX_NAME);
    open_index(dir.fd(), Path::new(INDEX_NAME), &path)?.map(|file| read_file(file, &path)).transpose()
}

/// The current version of the index in `dir`, `None` when there is none.
fn version_in(dir: &ProjectDir) -> Result<Option<Version>> {
    match rustix::fs::statat(dir.fd(), INDEX_NAME, rustix::fs::AtFlags::SYMLINK_NOFOLLOW) {
        Ok(stat) => Ok(Some(version(&stat))),
        Err(rustix::io::Errno::NOENT) => Ok(None),
        Err(err) => Err(dir.error(INDEX_NAME, err)),
    }
}

/// Reads an index without the lock, for a look (gc's dry run).
pub fn peek(path: &Path) -> Result<Option<Index>> {
    let Some(file) = open_index(CWD, path, path)? else { return Ok(None) };
    let (text, _, _) = read_file(file, path)?;
    Index::from_text(text, path).map(Some)
}

/// Reads another project's index for a look (where a staged entry comes from). It is only read,
/// so a FIFO or device at its name is an error with exit 2; an index that is missing or that
/// cannot be used is `None`.
pub fn peek_source(path: &Path) -> Result<Option<Index>> {
    if let Err(Refused::Special(what)) = regular::look_at(CWD, path, OPEN) {
        return Err(Refused::Special(what).error(path, Role::Read));
    }
    Ok(peek(path).ok().flatten())
}

/// Applies `change` to the index at `path` under its lock (see `edit_in`); the tools edit
/// through an open project dir, the tests through a path.
#[cfg(test)]
pub fn edit<T>(
    path: &Path,
    timeout: std::time::Duration,
    original_path: &str,
    change: impl FnMut(&mut Index) -> Result<T>,
) -> Result<T> {
    let parent = path.parent().unwrap_or(Path::new("."));
    let dir = ProjectDir::open(parent)?
        .ok_or_else(|| Error::usage(format!("{}: no such directory", parent.display())))?;
    let lock = crate::core::lock::lock_in(&dir, timeout)?;
    edit_in(&dir, &lock, original_path, change)
}

/// Applies `change` to the index of the project dir `dir`, whose lock the caller holds, and
/// writes the result atomically if it changed anything: a new file in the same dir (mode
/// kept), fsync, rename over the index, fsync the dir, every step relative to the dir's
/// descriptor. A missing index starts empty (`originalPath` as given) and is created only if
/// something is added.
pub fn edit_in<T>(
    dir: &ProjectDir,
    _lock: &IndexLock,
    original_path: &str,
    mut change: impl FnMut(&mut Index) -> Result<T>,
) -> Result<T> {
    fail::point("index.locked");
    let path = dir.path().join(INDEX_NAME);
    for _ in 0..ATTEMPTS {
        let before = read_in(dir)?;
        let (mut index, mode, seen) = match before {
            Some((text, mode, seen)) => (Index::from_text(text, &path)?, mode, Some(seen)),
            None => (Index::new(original_path)?, 0o600, None),
        };
        let outcome = change(&mut index)?;
        if !index.dirty {
            return Ok(outcome);
        }
        let temp = write_temp(dir, &index, mode)?;
        drop(index);
        fail::point("index.wrote-temp");
        // Claude Code does not take the lock: if it wrote meanwhile, our read is stale.
        if version_in(dir)? != seen {
            dir.remove_if_there(&temp)?;
            continue;
        }
        if let Err(err) = dir.rename(&temp, INDEX_NAME) {
            let _ = dir.remove_if_there(&temp);
            return Err(dir.error(INDEX_NAME, err));
        }
        fail::point("index.renamed");
        dir.sync()?;
        return Ok(outcome);
    }
    Err(Error::new(Code::Failure, format!("{}: kept changing while we wrote it; gave up", path.display())))
}

/// Writes the edited index to a new temp file in `dir`; returns its name.
fn write_temp(dir: &ProjectDir, index: &Index, mode: u32) -> Result<String> {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let temp = format!("{TEMP_PREFIX}{}-{nanos}-{INDEX_NAME}", std::process::id());
    let result = (|| {
        let file = File::from(dir.create_new(&temp, mode)?);
        // The umask must not change the mode the index had.
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        let mut out = BufWriter::with_capacity(256 * 1024, file);
        index.write_to(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    match result {
        Ok(()) => Ok(temp),
        Err(err) => {
            let _ = dir.remove_if_there(&temp);
            Err(Error::new(
                Code::Failure,
                format!("{}: {}", dir.path().join(&temp).display(), describe_io(&err)),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lock;
    use std::fs;

    const ORIGINAL: &str = r#"{
  "version": 1,
  "zeta": {"keep": [1, 2.50]},
  "entries": [
    {"sessionId": "a", "big": 267777777777777777777777},
    {"sessionId": "b", "summary": "caf\u00e9"}
  ],
  "originalPath": "/home/u/p"
}"#;

    /// Adds the entry `text` to the index at `path` through the editor.
    fn add(path: &Path, original_path: &str, text: &str) -> Result<()> {
        edit(path, lock::DEFAULT_TIMEOUT, original_path, |index| {
            index.add(entry(text));
            Ok(())
        })
    }

    fn entry(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).unwrap()
    }

    #[test]
    fn add_then_remove_gives_back_the_same_meaning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(INDEX_NAME);
        fs::write(&path, ORIGINAL).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        add(&path, "/x", r#"{"sessionId":"c"}"#).unwrap();
        let added = fs::read_to_string(&path).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o7777, 0o640);
        // Spliced in, laid out like its neighbours; every other byte is the original's.
        assert_eq!(
            added,
            ORIGINAL.replace("caf\\u00e9\"}\n", "caf\\u00e9\"},\n    {\n      \"sessionId\": \"c\"\n    }\n")
        );
        edit(&path, lock::DEFAULT_TIMEOUT, "/x", |index| Ok(index.remove_where(|id, _| id == Some("c"))))
            .unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), ORIGINAL);
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o7777, 0o640);
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}"); // the index and its lock file
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(INDEX_NAME);
        for bad in [
            "{",
            "[]",
            r#"{"version":2,"entries":[]}"#,
            r#"{"version":1,"entries":{}}"#,
            r#"{"entries":[]}"#,
            r#"{"version":1,"entries":[{"sessionId":"a"}],"entries":[]}"#,
        ] {
            fs::write(&path, bad).unwrap();
            let err = add(&path, "/x", "{}").err().unwrap();
            assert_eq!(err.code(), Code::Unsafe, "{bad}");
            assert_eq!(fs::read_to_string(&path).unwrap(), bad);
        }
        fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere.json"), &path).unwrap();
        let err = add(&path, "/x", "{}").err().unwrap();
        assert_eq!(err.code(), Code::Unsafe);
        assert!(!dir.path().join("elsewhere.json").exists());
    }

    #[test]
    fn missing_index_is_created_only_when_something_is_added() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(INDEX_NAME);
        edit(&path, lock::DEFAULT_TIMEOUT, "/p", |index| Ok(index.remove_where(|_, _| true))).unwrap();
        assert!(!path.exists());
        add(&path, "/p", r#"{"sessionId":"a"}"#).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "{\n  \"version\": 1,\n  \"entries\": [\n    {\n      \"sessionId\": \"a\"\n    }\n  ],\n  \"originalPath\": \"/p\"\n}"
        );
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::metadata(lock::lock_path(&path)).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn fingerprints_ignore_layout_only() {
        let a = fingerprint(&entry(r#"{"sessionId":"a","n":1}"#));
        assert_eq!(a, fingerprint(&entry("{\n  \"sessionId\": \"a\",\n  \"n\": 1\n}")));
        assert_ne!(a, fingerprint(&entry(r#"{"sessionId":"a","n":2}"#)));
    }

    #[test]
    fn other_open_errors_are_reported_as_they_are() {
        // Only ELOOP means "a symlink" (exit 5); anything else is an I/O error (exit 2).
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("file"), "").unwrap();
        let path = dir.path().join("file").join(INDEX_NAME);
        let err = peek(&path).err().unwrap();
        assert_eq!(err.code(), Code::Failure);
        assert!(err.message().ends_with("Not a directory"), "{}", err.message());
    }

    #[test]
    fn removing_nothing_writes_nothing() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(INDEX_NAME);
        fs::write(&path, ORIGINAL).unwrap();
        let inode = fs::metadata(&path).unwrap().ino();
        let removed =
            edit(&path, lock::DEFAULT_TIMEOUT, "/x", |index| Ok(index.remove_where(|_, _| false))).unwrap();
        assert_eq!(removed, 0);
        // Every write is a rename of a new file: the same inode means no write happened.
        assert_eq!(fs::metadata(&path).unwrap().ino(), inode);
        let removed =
            edit(&path, lock::DEFAULT_TIMEOUT, "/x", |index| Ok(index.remove_where(|id, _| id == Some("a"))))
                .unwrap();
        assert_eq!(removed, 1);
        assert_ne!(fs::metadata(&path).unwrap().ino(), inode);
    }

    #[test]
    fn fingerprints_hash_keys_sorted_at_every_depth() {
        let value =
            serde_json::from_str(r#"{"b":{"d":1,"c":"é\n"},"a":[{"z":1,"y":[2,{"x":null}]}]}"#).unwrap();
        let mut text = String::new();
        canonical(&value, &mut text);
        assert_eq!(text, r#"{"a":[{"y":[2,{"x":null}],"z":1}],"b":{"c":"é\n","d":1}}"#);
    }

    #[test]
    fn fingerprints_are_fnv1a_and_stable_across_versions() {
        // Tokens outlive the process that made them: the hash must not change between releases.
        // The value is FNV-1a 64 of the compact text with keys sorted ({"n":1,"sessionId":"a"}),
        // computed independently.
        assert_eq!(fingerprint(&entry(r#"{"sessionId":"a","n":1}"#)), "8fe064cb732b92dc");
    }
}
