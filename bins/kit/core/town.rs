//! Finding the town (SPEC.md section 1): the outermost ancestor of the working directory that
//! holds `mayor/town.json`; failing that the outermost holding `mayor/`; failing both
//! `$GT_TOWN_ROOT`, then `$GT_ROOT`, each only if it holds `mayor/`. `--town` overrides it all.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::core::error::{Error, Result, describe_io};

/// The town's event log.
pub fn events_log(town: &Path) -> PathBuf {
    town.join(".events.jsonl")
}

/// The town to use: `explicit` (from `--town`) when given, else the one discovery finds.
pub fn find(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        return match std::fs::metadata(dir) {
            Ok(meta) if meta.is_dir() && (has_mayor(dir) || events_log(dir).exists()) => {
                Ok(dir.to_path_buf())
            }
            Ok(meta) if meta.is_dir() => Err(Error::usage(format!(
                "--town {}: not a Gas Town (no mayor/ and no .events.jsonl there); name the town's root, \
                 or leave --town out to find it from the working directory",
                dir.display()
            ))),
            Ok(_) => Err(Error::usage(format!("--town {}: not a directory", dir.display()))),
            Err(err) => Err(Error::usage(format!("--town {}: {}", dir.display(), describe_io(&err)))),
        };
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io("resolve", "the working directory", e))?;
    let env = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    discover(&cwd, env("GT_TOWN_ROOT"), env("GT_ROOT")).ok_or_else(|| {
        Error::failure(format!(
            "not in a Gas Town: no mayor/ in {} or above; name one with --town DIR or set GT_TOWN_ROOT",
            cwd.display()
        ))
    })
}

/// The town and how it was found, in words (for `seance doctor`).
pub fn find_explained(explicit: Option<&Path>) -> Result<(PathBuf, String)> {
    let town = find(explicit)?;
    if explicit.is_some() {
        return Ok((town, "given with --town".into()));
    }
    let how = if town.join("mayor/town.json").is_file()
        && std::env::current_dir().is_ok_and(|cwd| cwd.starts_with(&town))
    {
        "the outermost directory above the working directory with mayor/town.json".to_string()
    } else if std::env::current_dir().is_ok_and(|cwd| cwd.starts_with(&town)) {
        "the outermost directory above the working directory with mayor/".to_string()
    } else if std::env::var_os("GT_TOWN_ROOT").is_some_and(|v| Path::new(&v) == town) {
        "$GT_TOWN_ROOT".to_string()
    } else {
        "$GT_ROOT".to_string()
    };
    Ok((town, how))
}

/// The town when there is one: `--town` must exist, discovery may find nothing.
pub fn find_optional(explicit: Option<&Path>) -> Result<Option<PathBuf>> {
    match explicit {
        Some(_) => find(explicit).map(Some),
        None => Ok(find(None).ok()),
    }
}

fn discover(cwd: &Path, town_root: Option<OsString>, gt_root: Option<OsString>) -> Option<PathBuf> {
    let outermost = |marker: fn(&Path) -> bool| cwd.ancestors().filter(|dir| marker(dir)).last();
    outermost(|dir| dir.join("mayor/town.json").is_file())
        .or_else(|| outermost(has_mayor))
        .map(Path::to_path_buf)
        .or_else(|| [town_root, gt_root].into_iter().flatten().map(PathBuf::from).find(|dir| has_mayor(dir)))
}

fn has_mayor(dir: &Path) -> bool {
    dir.join("mayor").is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn outermost_town_json_beats_nearer_mayor_dirs() {
        let root = tempfile::tempdir().unwrap();
        let outer = root.path().join("outer");
        let inner = outer.join("rig/inner");
        fs::create_dir_all(inner.join("mayor")).unwrap();
        fs::create_dir_all(outer.join("mayor")).unwrap();
        fs::write(outer.join("mayor/town.json"), "{}").unwrap();
        assert_eq!(discover(&inner.join("mayor"), None, None), Some(outer.clone()));
        // Without town.json anywhere, the outermost mayor/ wins.
        fs::remove_file(outer.join("mayor/town.json")).unwrap();
        fs::create_dir_all(root.path().join("mayor")).unwrap();
        assert_eq!(discover(&inner, None, None), Some(root.path().to_path_buf()));
    }

    #[test]
    fn environment_is_the_fallback_and_must_hold_mayor() {
        let root = tempfile::tempdir().unwrap();
        let town = root.path().join("town");
        let elsewhere = root.path().join("elsewhere");
        fs::create_dir_all(town.join("mayor")).unwrap();
        fs::create_dir_all(&elsewhere).unwrap();
        let os = |p: &Path| Some(p.as_os_str().to_owned());
        assert_eq!(discover(&elsewhere, os(&town), None), Some(town.clone()));
        assert_eq!(discover(&elsewhere, os(&elsewhere), os(&town)), Some(town.clone()));
        assert_eq!(discover(&elsewhere, os(&elsewhere), None), None);
    }
}
