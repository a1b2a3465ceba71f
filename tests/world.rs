//! A temp world for the write path: a HOME with two Claude accounts (`~/.claude` is a link to
//! the first, as gt sets it up), a town whose accounts.json lists both, and a working dir.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

use crate::transcript_fixture::conversation;
use crate::util::{Tool, start, tool};

pub struct World {
    _tmp: TempDir,
    pub home: PathBuf,
    pub one: PathBuf,
    pub two: PathBuf,
    pub town: PathBuf,
    pub work: PathBuf,
}

/// The project-dir name Claude gives a path, computed independently of the crate: every UTF-16
/// unit outside [A-Za-z0-9] becomes '-'; past 200 units, '-' and base 36 of Java's hashCode.
pub fn encode(path: &str) -> String {
    let units: Vec<u16> = path.encode_utf16().collect();
    let mut name: String = units
        .iter()
        .map(|&u| if u < 128 && (u as u8 as char).is_ascii_alphanumeric() { u as u8 as char } else { '-' })
        .collect();
    if units.len() > 200 {
        let mut h: i32 = 0;
        for &u in &units {
            h = h.wrapping_mul(31).wrapping_add(u as i32);
        }
        let mut n = (h as i64).unsigned_abs();
        let mut digits = Vec::new();
        loop {
            digits.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize]);
            n /= 36;
            if n == 0 {
                break;
            }
        }
        digits.reverse();
        name.truncate(200);
        name.push('-');
        name.push_str(std::str::from_utf8(&digits).unwrap());
    }
    name
}

impl World {
    pub fn new() -> World {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let home = root.join("home");
        let one = home.join(".claude-accounts/one");
        let two = home.join(".claude-accounts/two");
        fs::create_dir_all(one.join("projects")).unwrap();
        fs::create_dir_all(two.join("projects")).unwrap();
        std::os::unix::fs::symlink(&one, home.join(".claude")).unwrap();
        let town = root.join("town");
        fs::create_dir_all(town.join("mayor")).unwrap();
        fs::write(town.join("mayor/town.json"), "{}").unwrap();
        fs::write(
            town.join("mayor/accounts.json"),
            r#"{"version":1,"default":"one","accounts":{"one":{"email":"1@x","config_dir":"~/.claude-accounts/one"},"two":{"email":"2@x","config_dir":"~/.claude-accounts/two"}}}"#,
        )
        .unwrap();
        let work = town.join("gastown/crew/joe");
        fs::create_dir_all(&work).unwrap();
        World { _tmp: tmp, home, one, two, town, work }
    }

    /// What a failed lookup names as searched: the log, then both accounts by name.
    pub fn searched(&self) -> String {
        format!(
            "the log {}, then {} (one), {} (two)",
            self.town.join(".events.jsonl").display(),
            self.one.display(),
            self.two.display()
        )
    }

    /// The project dir of `cwd` in an account.
    pub fn project(&self, account: &Path, cwd: &Path) -> PathBuf {
        account.join("projects").join(encode(&cwd.to_string_lossy()))
    }

    /// Where a stage from the working dir puts things.
    pub fn target(&self) -> PathBuf {
        self.project(&self.one, &self.work)
    }

    /// Writes a transcript for `id` in `account`'s project dir for `cwd`: one question and its
    /// answer, shaped like the real client's.
    pub fn session(&self, account: &Path, cwd: &Path, id: &str) -> PathBuf {
        conversation(id, cwd, "Where did you put the migration plan?", "In docs/plan.md")
            .write(&self.project(account, cwd))
    }

    /// Writes `index` (entries and all) as the project's sessions-index.json, laid out the way
    /// our writer lays it out, so that byte-for-byte comparisons are meaningful.
    pub fn write_index(&self, dir: &Path, json: &str) -> PathBuf {
        fs::create_dir_all(dir).unwrap();
        let path = dir.join("sessions-index.json");
        let mut out = Vec::new();
        seance::core::rawjson::indent_into(&mut out, json.as_bytes(), 0);
        fs::write(&path, out).unwrap();
        path
    }

    pub fn events(&self, ids: &[&str]) {
        let lines: Vec<String> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| start(&format!("2026-01-22T10:{:02}:00Z", i % 60), "gastown/crew/joe", id, None))
            .collect();
        fs::write(self.town.join(".events.jsonl"), lines.join("\n") + "\n").unwrap();
    }

    /// Runs `tool` from the binary dir `bins` (the normal build, or the failpoint build) in this
    /// world, with `$SEANCE_FAILPOINT` set to `failpoint` when given.
    pub fn run_from(&self, bins: &Path, tool: &str, args: &[&str], failpoint: Option<&str>) -> Output {
        let mut cmd = Command::new(bins.join(tool));
        cmd.args(args).env("HOME", &self.home).current_dir(&self.work);
        for var in ["CLAUDE_CONFIG_DIR", "GT_TOWN_ROOT", "GT_ROOT", "SEANCE_FAILPOINT"] {
            cmd.env_remove(var);
        }
        if let Some(point) = failpoint {
            cmd.env("SEANCE_FAILPOINT", point);
        }
        cmd.env("TZ", "UTC").output().unwrap()
    }

    pub fn tool(&self, name: &str) -> Tool {
        tool(name).env("HOME", &self.home).cwd(&self.work)
    }
}

/// An entry as Claude Code writes it.
pub fn entry(id: &str, full_path: &Path) -> String {
    format!(
        r#"{{"sessionId":"{id}","fullPath":"{}","fileMtime":1769076005000,"firstPrompt":"Where did you put the migration plan?","summary":"Plan","messageCount":2,"created":"2026-01-22T10:00:00.000Z","modified":"2026-01-22T10:00:05.000Z","gitBranch":"main","projectPath":"/srv/other","isSidechain":false}}"#,
        full_path.display()
    )
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

pub fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).map(|m| m.file_type().is_symlink()).unwrap_or(false)
}

pub fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}
