//! How Claude Code stores sessions (FACTS.md): accounts (config dirs), the project dir of a
//! working directory, and finding a session's transcript across accounts. Read-only: nothing
//! here changes a file.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

use crate::core::error::{Error, Result, describe_io, quote};
use crate::core::rawjson;
use crate::core::regular::{self, How, Refused};

/// A session id we are willing to build a path from: `[A-Za-z0-9][A-Za-z0-9._-]{0,127}`, and
/// nothing `..`-like.
pub fn valid_session_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && bytes[0].is_ascii_alphanumeric()
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(b))
        && !id.contains("..")
}

/// The current account: `$CLAUDE_CONFIG_DIR` when set, else `~/.claude` resolved through
/// symlinks. Set but empty is refused: the client then keeps its sessions under `./projects` of
/// whatever directory it runs in (checked on 2.1.197 and 2.1.330), so no one account would be
/// the right one to stage into or clean.
pub fn current_config() -> Result<PathBuf> {
    match std::env::var_os("CLAUDE_CONFIG_DIR") {
        Some(dir) if dir.is_empty() => Err(Error::usage(
            "CLAUDE_CONFIG_DIR is set but empty (Claude Code would keep sessions in ./projects): \
             unset it, set it to a config dir, or pass --config-dir",
        )),
        Some(dir) => {
            let cwd =
                std::env::current_dir().map_err(|e| Error::io("resolve", "the working directory", e))?;
            Ok(normalised(&cwd, Path::new(&dir)))
        }
        None => Ok(resolved(home()?.join(".claude"))),
    }
}

/// The dirs where a client started in `cwd` with account `config` writes a new session (a
/// fork, say), the client's choice first: 2.1.330 and later write into
/// `$CLAUDE_CODE_PROJECT_DIR_NAME` when it and `CLAUDE_CONFIG_DIR` are set, older clients ignore
/// it and use `cwd`'s project dir. Both look sessions up in `cwd`'s project dir, so that is where
/// stages go whatever the variable says.
pub fn new_session_dirs(config: &Path, cwd: &Path) -> Vec<PathBuf> {
    let name = std::env::var_os("CLAUDE_CODE_PROJECT_DIR_NAME");
    let config_set = std::env::var_os("CLAUDE_CONFIG_DIR").is_some_and(|d| !d.is_empty());
    let mut dirs: Vec<PathBuf> = named_project_dir(config, name.as_deref(), config_set).into_iter().collect();
    dirs.push(project_dir(config, cwd));
    dirs
}

/// `$CLAUDE_CODE_PROJECT_DIR_NAME`'s dir in `config` when the client would use it: with
/// CLAUDE_CONFIG_DIR set, and a name that is one plain path component (anything else could
/// point outside the account, and `--forget` removes files there).
fn named_project_dir(config: &Path, name: Option<&std::ffi::OsStr>, config_set: bool) -> Option<PathBuf> {
    let name = name.filter(|n| {
        let mut parts = Path::new(n).components();
        matches!((parts.next(), parts.next()), (Some(std::path::Component::Normal(_)), None))
            && !n.as_encoded_bytes().contains(&b'/')
    })?;
    config_set.then(|| config.join("projects").join(name))
}

/// The current account: `--config-dir` when given, else the environment's.
pub fn current_account(config_dir: Option<&Path>) -> Result<PathBuf> {
    match config_dir {
        Some(dir) => fs::canonicalize(dir).map_err(|e| Error::io("resolve", dir.display(), e)),
        None => current_config(),
    }
}

fn home() -> Result<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| Error::failure("HOME is not set"))
}

/// `path` made absolute against `base` and normalised, before any link or token is built from
/// it: through its symlinks when it exists (so `a/../b` means what the kernel makes of it, as
/// for Claude Code itself), else without `.` and `..`, lexically (the dir may not exist yet).
/// A stage's dir must read the same to the unstage that checks its token.
pub fn normalised(base: &Path, path: &Path) -> PathBuf {
    let joined = base.join(path);
    if let Ok(real) = fs::canonicalize(&joined) {
        return real;
    }
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.parent().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` through its symlinks when it exists, else as given.
fn resolved(path: PathBuf) -> PathBuf {
    fs::canonicalize(&path).unwrap_or(path)
}

/// Where a town lists its accounts.
pub fn accounts_file(town: &Path) -> PathBuf {
    town.join("mayor/accounts.json")
}

/// The accounts of `<town>/mayor/accounts.json`, in their listed order, `~/` expanded and a
/// relative `config_dir` taken from the town root (SPEC.md). A town without the file has none.
pub fn town_accounts(town: &Path) -> Result<Vec<PathBuf>> {
    Ok(named_town_accounts(town)?.unwrap_or_default().into_iter().map(|(_, dir)| dir).collect())
}

/// The accounts of the town as (name, config dir), listed order; `None` without accounts.json.
pub fn named_town_accounts(town: &Path) -> Result<Option<Vec<(String, PathBuf)>>> {
    let path = accounts_file(town);
    let mut file = match regular::open(&path, How::READ) {
        Ok(file) => file,
        Err(Refused::Missing) => return Ok(None),
        Err(refused) => return Err(refused.error(&path, How::READ.role)),
    };
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(|e| Error::io("read", path.display(), e))?;
    let bad = |why: String| Error::failure(format!("{}: {why}", path.display()));
    let top = rawjson::object(&text).map_err(bad)?;
    let Some(accounts) = rawjson::member(&top, "accounts") else { return Ok(Some(Vec::new())) };
    let accounts = rawjson::object(accounts.get()).map_err(|e| bad(format!("accounts: {e}")))?;
    let mut dirs = Vec::new();
    for (name, account) in accounts {
        let Ok(fields) = rawjson::object(account.get()) else { continue };
        let Some(dir) = rawjson::member(&fields, "config_dir").and_then(rawjson::as_str) else { continue };
        let dir = match dir.strip_prefix("~/") {
            // Without HOME, `~/x` would quietly become a dir named `~` in the town.
            Some(rest) => home()
                .map_err(|e| {
                    Error::usage(format!("{}: {} to expand {}", path.display(), e.message(), quote(&dir)))
                })?
                .join(rest),
            None => PathBuf::from(dir),
        };
        let town = std::env::current_dir().map(|cwd| cwd.join(town)).unwrap_or_else(|_| town.to_path_buf());
        dirs.push((name.to_string(), normalised(&town, &dir)));
    }
    Ok(Some(dirs))
}

/// What to call the account whose config dir is `config`: its name in accounts.json, else
/// `current` (the account in use) or `default` (`~/.claude`).
pub fn account_name(config: &Path, current: &Path, town: Option<&Path>) -> String {
    let config = resolved(config.to_path_buf());
    let named = town.and_then(|town| named_town_accounts(town).ok().flatten()).unwrap_or_default();
    if let Some((name, _)) = named.into_iter().find(|(_, dir)| resolved(dir.clone()) == config) {
        return name;
    }
    if resolved(current.to_path_buf()) == config { "current".to_string() } else { "default".to_string() }
}

/// Where to look for a session, in order: the current account, the town's accounts as
/// listed, then `~/.claude`; each directory once.
pub fn search_order(current: &Path, town: Option<&Path>) -> Result<Vec<PathBuf>> {
    let mut order = vec![current.to_path_buf()];
    if let Some(town) = town {
        order.extend(town_accounts(town)?);
    }
    if let Ok(home) = home() {
        order.push(home.join(".claude"));
    }
    let mut seen = BTreeSet::new();
    order.retain(|dir| seen.insert(resolved(dir.clone())));
    Ok(order)
}

const LONG_NAME: usize = 200;

/// The project-dir name Claude Code gives a working directory (already made absolute and
/// symlink-free): every UTF-16 unit outside `[A-Za-z0-9]` becomes `-`; a name over 200 units
/// keeps 200, then `-` and the base-36 of a hash of the whole path.
pub fn project_dir_name(path: &str) -> String {
    let units: Vec<u16> = path.encode_utf16().collect();
    let mut name: String = units
        .iter()
        .map(|&u| if u < 128 && (u as u8).is_ascii_alphanumeric() { u as u8 as char } else { '-' })
        .collect();
    if units.len() > LONG_NAME {
        // Java's String.hashCode, which the client computes over the original path.
        let hash =
            units.iter().fold(0i32, |h, &u| h.wrapping_shl(5).wrapping_sub(h).wrapping_add(i32::from(u)));
        name.truncate(LONG_NAME);
        name.push('-');
        name.push_str(&base36(i64::from(hash).unsigned_abs()));
    }
    name
}

fn base36(mut n: u64) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(digits[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.iter().rev().map(|&digit| char::from(digit)).collect()
}

/// The project dir of `cwd` in the account at `config`. For a long path, a dir that already
/// exists with the same first 200 units is preferred, since newer clients changed the suffix.
pub fn project_dir(config: &Path, cwd: &Path) -> PathBuf {
    let name = project_dir_name(&cwd.to_string_lossy());
    let projects = config.join("projects");
    if name.len() > LONG_NAME {
        let stem = format!("{}-", &name[..LONG_NAME]);
        if let Ok(entries) = fs::read_dir(&projects) {
            let mut existing: Vec<String> = entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.starts_with(&stem))
                .collect();
            existing.sort();
            if let Some(found) = existing.into_iter().next() {
                return projects.join(found);
            }
        }
    }
    projects.join(name)
}

/// A session's transcript: a regular `<id>.jsonl` in some account's project dir.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcript {
    pub config: PathBuf,
    pub project: PathBuf,
    pub file: PathBuf,
    pub modified: SystemTime,
}

impl Transcript {
    /// The session's sidecar directory (subagents, tool results), when it has one.
    pub fn sidecar(&self, id: &str) -> Option<PathBuf> {
        let dir = self.project.join(id);
        fs::symlink_metadata(&dir).ok().filter(|m| m.is_dir()).map(|_| dir)
    }
}

/// The project dirs of an account, as names, with the opened `projects/` dir.
fn project_dirs(config: &Path) -> Option<(rustix::fd::OwnedFd, Vec<String>)> {
    let projects = config.join("projects");
    let fd = rustix::fs::open(&projects, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())
        .ok()?;
    let mut names = Vec::new();
    for entry in rustix::fs::Dir::read_from(&fd).ok()? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "." || name == ".." {
            continue;
        }
        if matches!(entry.file_type(), FileType::Directory | FileType::Unknown) {
            names.push(name);
        }
    }
    Some((fd, names))
}

/// Finds a session's transcript across `accounts` with one stat per project dir. Links are
/// not transcripts (they may be our own stages); the newest file wins, then account order.
pub fn find_transcript(accounts: &[PathBuf], id: &str) -> Option<Transcript> {
    let file_name = format!("{id}.jsonl");
    let mut best: Option<Transcript> = None;
    for config in accounts {
        let Some((fd, names)) = project_dirs(config) else { continue };
        for name in names {
            let relative = format!("{name}/{file_name}");
            let Ok(stat) = rustix::fs::statat(&fd, relative.as_str(), AtFlags::SYMLINK_NOFOLLOW) else {
                continue;
            };
            if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
                continue;
            }
            let modified = SystemTime::UNIX_EPOCH
                + std::time::Duration::new(stat.st_mtime as u64, stat.st_mtime_nsec as u32);
            if best.as_ref().is_none_or(|b| modified > b.modified) {
                let project = config.join("projects").join(&name);
                best = Some(Transcript {
                    config: config.clone(),
                    file: project.join(&file_name),
                    project,
                    modified,
                });
            }
        }
    }
    best
}

/// Session ids starting with `prefix` that have a transcript (or a link) in any account.
pub fn ids_with_prefix(accounts: &[PathBuf], prefix: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for config in accounts {
        let Some((_, names)) = project_dirs(config) else { continue };
        for name in names {
            let Ok(entries) = fs::read_dir(config.join("projects").join(&name)) else { continue };
            for entry in entries.flatten() {
                let file = entry.file_name();
                let Some(id) = file.to_str().and_then(|f| f.strip_suffix(".jsonl")) else { continue };
                if id.starts_with(prefix) && valid_session_id(id) {
                    ids.insert(id.to_string());
                }
            }
        }
    }
    ids
}

/// The working directory as Claude sees it: absolute, symlinks resolved.
pub fn canonical_cwd(dir: Option<&Path>) -> Result<PathBuf> {
    let dir = match dir {
        Some(dir) => dir.to_path_buf(),
        None => std::env::current_dir().map_err(|e| Error::io("resolve", "the working directory", e))?,
    };
    fs::canonicalize(&dir).map_err(|e| Error::failure(format!("{}: {}", dir.display(), describe_io(&e))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_dir_name_variable_is_one_plain_component_under_a_set_config_dir() {
        let config = Path::new("/c");
        let named = |name: &str, set| named_project_dir(config, Some(std::ffi::OsStr::new(name)), set);
        assert_eq!(named("short-name", true), Some(PathBuf::from("/c/projects/short-name")));
        assert_eq!(named("short-name", false), None);
        for bad in ["", ".", "..", "a/b", "../x", "/abs", "x/", "./x"] {
            assert_eq!(named(bad, true), None, "{bad:?}");
        }
        assert_eq!(named_project_dir(config, None, true), None);
    }

    #[test]
    fn session_ids() {
        for good in ["46621448-3caa-4bbb-8ccc-123456789abc", "a", "A.b_c-d"] {
            assert!(valid_session_id(good), "{good}");
        }
        let long = "a".repeat(129);
        for bad in ["", ".", "..", "../x", "a/b", "-a", ".a", "a..b", "a b", "a\nb", "é", long.as_str()] {
            assert!(!valid_session_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn project_dir_names_match_the_client() {
        assert_eq!(project_dir_name("/home/u/my_app.v2"), "-home-u-my-app-v2");
        assert_eq!(project_dir_name("/home/u/a b/ü"), "-home-u-a-b--");
        // Outside the BMP: two UTF-16 units, two dashes.
        assert_eq!(project_dir_name("/x/😀"), "-x---");
    }

    #[test]
    fn long_paths_get_the_hash_suffix() {
        let path = format!("/{}", "a".repeat(250));
        let name = project_dir_name(&path);
        assert_eq!(&name[..201], format!("-{}-", "a".repeat(199)));
        // Java's hashCode of the path, by hand: h = 31*h + unit, wrapping, abs, base 36.
        let mut h: i32 = 0;
        for u in path.encode_utf16() {
            h = h.wrapping_mul(31).wrapping_add(i32::from(u));
        }
        assert_eq!(&name[201..], base36(i64::from(h).unsigned_abs()));
        assert_eq!(project_dir_name(&"/".repeat(200)).len(), 200);
    }

    #[test]
    fn relative_config_dirs_are_taken_from_the_town_root() {
        let root = tempfile::tempdir().unwrap();
        let town = root.path().join("town");
        fs::create_dir_all(town.join("mayor")).unwrap();
        fs::write(
            town.join("mayor/accounts.json"),
            r#"{"version":1,"accounts":{"a":{"config_dir":"../home/a"},"b":{"config_dir":"/abs/./b"}}}"#,
        )
        .unwrap();
        assert_eq!(town_accounts(&town).unwrap(), [root.path().join("home/a"), PathBuf::from("/abs/b")]);
    }

    #[test]
    fn base36_digits() {
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36 * 36), "100");
        assert_eq!(base36(2_147_483_648), "zik0zk");
    }
}
