//! The sessions-index.json editor. Every change is made under gt's lock, written to a uniquely
//! named temp file in the same dir (mode kept, fsync), renamed over the index, and the dir
//! fsynced, so a reader never sees a torn file. Untouched members and entries keep their raw
//! text; only whitespace is re-laid. Claude Code writes without the lock, so if the file changed
//! between our read and our rename we start over. An index that does not parse, has an unknown
//! shape or is a symlink is never rewritten.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::value::RawValue;

use crate::core::error::{Code, Error, Result, describe_io};
use crate::core::fail;
use crate::core::lock;
use crate::core::rawjson::{self, Members};

pub const INDEX_NAME: &str = "sessions-index.json";
/// Our temp files start with this, so nothing else is ever mistaken for one (and Claude Code's
/// own fixed `sessions-index.json.tmp` is never touched).
pub const TEMP_PREFIX: &str = ".seance-tmp-";
const ATTEMPTS: usize = 8;

pub struct Index {
    members: Members,
    entries: Vec<Box<RawValue>>,
    dirty: bool,
}

/// The `sessionId` of an entry, when it is an object that has one.
pub fn entry_id(entry: &RawValue) -> Option<String> {
    let members = rawjson::object(entry.get()).ok()?;
    rawjson::member(&members, "sessionId").and_then(rawjson::as_str)
}

/// What an entry means, as a short stable word: a hash of its value re-encoded compactly, so a
/// writer that re-indents the file does not change it.
pub fn fingerprint(entry: &RawValue) -> String {
    let canonical = serde_json::from_str::<serde_json::Value>(entry.get())
        .map(|v| v.to_string())
        .unwrap_or_else(|_| entry.get().to_string());
    // FNV-1a: small, stable across versions, and no secret is involved.
    let hash = canonical
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("{hash:016x}")
}

impl Index {
    pub(crate) fn parse(text: &[u8], path: &Path) -> Result<Index> {
        let refuse =
            |why: &str| Error::new(Code::Unsafe, format!("{}: {why}; left untouched", path.display()));
        let text = std::str::from_utf8(text).map_err(|_| refuse("not UTF-8"))?;
        let members = rawjson::object(text).map_err(|e| refuse(&format!("does not parse ({e})")))?;
        // Readers take the last of duplicate keys, and we would edit the first: refuse.
        if ["version", "entries"].iter().any(|key| members.iter().filter(|(k, _)| k == key).count() > 1) {
            return Err(refuse("unknown shape (duplicate version or entries)"));
        }
        if rawjson::member(&members, "version").map(RawValue::get) != Some("1") {
            return Err(refuse("unknown shape (version is not 1)"));
        }
        let entries = rawjson::member(&members, "entries")
            .and_then(|raw| serde_json::from_str::<Vec<Box<RawValue>>>(raw.get()).ok())
            .ok_or_else(|| refuse("unknown shape (entries is not an array)"))?;
        Ok(Index { members, entries, dirty: false })
    }

    fn new(original_path: &str) -> Index {
        let raw = |text: String| RawValue::from_string(text).unwrap_or_else(|_| RawValue::NULL.to_owned());
        let members = vec![
            ("version".to_string(), raw("1".into())),
            ("entries".to_string(), raw("[]".into())),
            ("originalPath".to_string(), raw(serde_json::to_string(original_path).unwrap_or_default())),
        ];
        Index { members, entries: Vec::new(), dirty: false }
    }

    pub fn find(&self, id: &str) -> Option<&RawValue> {
        self.entries.iter().map(|e| &**e).find(|e| entry_id(e).as_deref() == Some(id))
    }

    pub fn add(&mut self, entry: Box<RawValue>) {
        self.entries.push(entry);
        self.dirty = true;
    }

    /// Removes the entries for which `doomed` holds; returns how many.
    pub fn remove_where(&mut self, doomed: impl Fn(&RawValue) -> bool) -> usize {
        let before = self.entries.len();
        self.entries.retain(|e| !doomed(e));
        let removed = before - self.entries.len();
        self.dirty |= removed > 0;
        removed
    }

    pub(crate) fn render(&self) -> Vec<u8> {
        let entries: Vec<&str> = self.entries.iter().map(|e| e.get()).collect();
        let array = RawValue::from_string(format!("[{}]", entries.join(",")))
            .unwrap_or_else(|_| RawValue::NULL.to_owned());
        let members: Members = self
            .members
            .iter()
            .map(|(k, v)| (k.clone(), if k == "entries" { array.clone() } else { v.clone() }))
            .collect();
        let mut out = Vec::new();
        rawjson::indent_into(&mut out, rawjson::write_object(&members).as_bytes(), 0);
        out
    }
}

/// The index's bytes and mode, `None` when it does not exist; refuses anything but a regular
/// file (a symlinked index would let a rename write somewhere else).
fn read(path: &Path) -> Result<Option<(Vec<u8>, u32)>> {
    let file =
        fs::OpenOptions::new().read(true).custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32).open(path);
    let mut file = match file {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) if err.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err(Error::new(
                Code::Unsafe,
                format!("{}: is a symlink; left untouched", path.display()),
            ));
        }
        Err(err) => return Err(Error::io(path.display(), err)),
    };
    let meta = file.metadata().map_err(|e| Error::io(path.display(), e))?;
    if !meta.is_file() {
        return Err(Error::new(
            Code::Unsafe,
            format!("{}: not a regular file; left untouched", path.display()),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes).map_err(|e| Error::io(path.display(), e))?;
    Ok(Some((bytes, meta.permissions().mode() & 0o7777)))
}

/// Reads the index without the lock, for a look (gc, the source of an entry).
pub fn peek(path: &Path) -> Result<Option<Index>> {
    read(path)?.map(|(bytes, _)| Index::parse(&bytes, path)).transpose()
}

/// Applies `change` to the index at `path` under its lock and writes the result atomically if
/// it changed anything. A missing index starts empty (`originalPath` as given) and is created
/// only if something is added.
pub fn edit<T>(
    path: &Path,
    timeout: Duration,
    original_path: &str,
    mut change: impl FnMut(&mut Index) -> Result<T>,
) -> Result<T> {
    let _lock = lock::lock(path, timeout)?;
    fail::point("index.locked");
    for _ in 0..ATTEMPTS {
        let before = read(path)?;
        let mut index = match &before {
            Some((bytes, _)) => Index::parse(bytes, path)?,
            None => Index::new(original_path),
        };
        let outcome = change(&mut index)?;
        if !index.dirty {
            return Ok(outcome);
        }
        let mode = before.as_ref().map_or(0o600, |(_, mode)| *mode);
        let temp = write_temp(path, &index.render(), mode)?;
        fail::point("index.wrote-temp");
        // Claude Code does not take the lock: if it wrote meanwhile, our read is stale.
        if read(path)?.map(|(bytes, _)| bytes) != before.map(|(bytes, _)| bytes) {
            let _ = fs::remove_file(&temp);
            continue;
        }
        if let Err(err) = fs::rename(&temp, path) {
            let _ = fs::remove_file(&temp);
            return Err(Error::io(path.display(), err));
        }
        fail::point("index.renamed");
        sync_dir(path)?;
        return Ok(outcome);
    }
    Err(Error::new(Code::Failure, format!("{}: kept changing while we wrote it; gave up", path.display())))
}

fn write_temp(index: &Path, bytes: &[u8], mode: u32) -> Result<PathBuf> {
    let dir = index.parent().unwrap_or(Path::new("."));
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let temp = dir.join(format!("{TEMP_PREFIX}{}-{nanos}-{INDEX_NAME}", std::process::id()));
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
            .open(&temp)?;
        // The umask must not change the mode the index had.
        file.set_permissions(fs::Permissions::from_mode(mode))?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok(temp),
        Err(err) => {
            let _ = fs::remove_file(&temp);
            Err(Error::new(Code::Failure, format!("{}: {}", temp.display(), describe_io(&err))))
        }
    }
}

fn sync_dir(path: &Path) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io(dir.display(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(added.contains("267777777777777777777777") && added.contains("caf\\u00e9"), "{added}");
        edit(&path, lock::DEFAULT_TIMEOUT, "/x", |index| {
            Ok(index.remove_where(|e| entry_id(e).as_deref() == Some("c")))
        })
        .unwrap();
        let mut expected = Vec::new();
        rawjson::indent_into(&mut expected, ORIGINAL.as_bytes(), 0);
        assert_eq!(fs::read(&path).unwrap(), expected);
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
            assert_eq!(err.code, Code::Unsafe, "{bad}");
            assert_eq!(fs::read_to_string(&path).unwrap(), bad);
        }
        fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere.json"), &path).unwrap();
        let err = add(&path, "/x", "{}").err().unwrap();
        assert_eq!(err.code, Code::Unsafe);
        assert!(!dir.path().join("elsewhere.json").exists());
    }

    #[test]
    fn missing_index_is_created_only_when_something_is_added() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(INDEX_NAME);
        edit(&path, lock::DEFAULT_TIMEOUT, "/p", |index| Ok(index.remove_where(|_| true))).unwrap();
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
        let err = read(&path).err().unwrap();
        assert_eq!(err.code, Code::Failure);
        assert!(err.message.ends_with("Not a directory"), "{}", err.message);
    }

    #[test]
    fn removing_nothing_writes_nothing() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(INDEX_NAME);
        fs::write(&path, ORIGINAL).unwrap();
        let inode = fs::metadata(&path).unwrap().ino();
        let removed =
            edit(&path, lock::DEFAULT_TIMEOUT, "/x", |index| Ok(index.remove_where(|_| false))).unwrap();
        assert_eq!(removed, 0);
        // Every write is a rename of a new file: the same inode means no write happened.
        assert_eq!(fs::metadata(&path).unwrap().ino(), inode);
        let removed = edit(&path, lock::DEFAULT_TIMEOUT, "/x", |index| {
            Ok(index.remove_where(|e| entry_id(e).as_deref() == Some("a")))
        })
        .unwrap();
        assert_eq!(removed, 1);
        assert_ne!(fs::metadata(&path).unwrap().ino(), inode);
    }

    #[test]
    fn fingerprints_are_fnv1a_and_stable_across_versions() {
        // Tokens outlive the process that made them: the hash must not change between releases.
        // The value is FNV-1a 64 of the compact text with keys sorted ({"n":1,"sessionId":"a"}),
        // computed independently.
        assert_eq!(fingerprint(&entry(r#"{"sessionId":"a","n":1}"#)), "8fe064cb732b92dc");
    }
}
