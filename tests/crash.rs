//! Crash safety (SPEC.md section 3): the tools are built once more with the `failpoints`
//! feature, and a scenario of stage, unstage and gc runs once per failpoint with the process
//! SIGKILLed there. After `seance-gc --older-than 0s`, every index must hold exactly its
//! pre-existing data, and no temp file, link or entry of ours may be left.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::util::uuid;
use crate::world::*;

/// The binaries built with failpoints, in their own target dir so that the normal build is
/// untouched; built once per test run. That dir is `failpoints` inside the target dir this test
/// was built in (wherever CARGO_TARGET_DIR or the cargo config put it).
pub fn failpoint_bins() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let built = Path::new(env!("CARGO_BIN_EXE_seance"));
        let target = built.ancestors().nth(2).expect("<target>/<profile>/seance").join("failpoints");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .args(["build", "--quiet", "--features", "failpoints", "--bins", "--target-dir"])
            .arg(&target)
            .current_dir(repo)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        target.join("debug")
    })
}

/// Every `fail::point("…")` in the library's sources.
pub fn failpoints() -> Vec<String> {
    fn walk(dir: &Path, found: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&path).unwrap();
                for part in text.split("fail::point(\"").skip(1) {
                    found.push(part.split('"').next().unwrap().to_string());
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("bins/kit"), &mut found);
    found.sort();
    found.dedup();
    found
}

/// The index before the scenario: other sessions' entries, an unknown top-level key, a number
/// no float can hold, and the entry of an orphaned stage of ours (session B).
fn original(b_entry: &str) -> String {
    format!(
        r#"{{"version":1,"zeta":{{"keep":[1,2.50]}},"entries":[{{"sessionId":"other-1","big":267777777777777777777777}},{b_entry},{{"sessionId":"other-2","summary":"caf\u00e9"}}],"originalPath":"/home/u/p"}}"#
    )
}

struct Scene {
    w: World,
    a: String,
    a_source: PathBuf,
    expected_index: String,
}

fn scene() -> Scene {
    let w = World::new();
    let (a, b) = (uuid(1), uuid(2));
    let a_source = w.session(&w.two, Path::new("/srv/other"), &a);
    fs::create_dir_all(a_source.with_file_name(&a).join("subagents")).unwrap();
    let target = w.target();
    fs::create_dir_all(&target).unwrap();
    // B was staged by a seance that was killed, and its transcript is gone since.
    let gone = w.two.join("projects/-srv-gone").join(format!("{b}.jsonl"));
    std::os::unix::fs::symlink(&gone, target.join(format!("{b}.jsonl"))).unwrap();
    // A was too, from when its transcript lived elsewhere: staging it replaces that link.
    std::os::unix::fs::symlink(gone.with_file_name(format!("{a}.jsonl")), target.join(format!("{a}.jsonl")))
        .unwrap();
    let b_entry = format!(r#"{{"sessionId":"{b}","fullPath":"{}"}}"#, gone.display());
    w.write_index(&target, &original(&b_entry));
    let expected_index = {
        let mut out = Vec::new();
        let text = original(&b_entry).replace(&format!(",{b_entry}"), "");
        seance::core::rawjson::indent_into(&mut out, text.as_bytes(), 0);
        String::from_utf8(out).unwrap()
    };
    // And a temp file from a writer of ours that died.
    fs::write(target.join(".seance-tmp-1-2-sessions-index.json"), "{").unwrap();
    Scene { w, a, a_source, expected_index }
}

impl Scene {
    fn run(&self, bins: &Path, tool: &str, args: &[&str], failpoint: Option<&str>) -> Output {
        self.w.run_from(bins, tool, args, failpoint)
    }

    /// stage A, unstage it, stage it again, replay the first token, gc, talk to A (a holder,
    /// killed at the talk's own points): stops at the first step killed.
    /// Returns whether one was.
    fn play(&self, bins: &Path, failpoint: &str) -> bool {
        let killed = |out: &Output| out.status.signal() == Some(9);
        let staged = self.run(bins, "seance-stage", &[&self.a], Some(failpoint));
        if killed(&staged) {
            return true;
        }
        assert!(staged.status.success(), "{}", String::from_utf8_lossy(&staged.stderr));
        let token = String::from_utf8(staged.stdout).unwrap();
        let unstaged = self.run(bins, "seance-unstage", &[token.trim()], Some(failpoint));
        if killed(&unstaged) {
            return true;
        }
        assert!(unstaged.status.success(), "{}", String::from_utf8_lossy(&unstaged.stderr));
        let again = self.run(bins, "seance-stage", &[&self.a], Some(failpoint));
        if killed(&again) {
            return true;
        }
        // The first token, replayed against the stage made again: it is not its stage.
        let replayed = self.run(bins, "seance-unstage", &[token.trim()], Some(failpoint));
        if killed(&replayed) {
            return true;
        }
        assert!(replayed.status.success(), "{}", String::from_utf8_lossy(&replayed.stderr));
        if again.status.success() {
            assert!(
                is_link(&self.w.target().join(format!("{}.jsonl", self.a))),
                "a replayed token undid a later stage"
            );
        }
        let gc = self.run(bins, "seance-gc", &[], Some(failpoint));
        if killed(&gc) {
            return true;
        }
        // A talk joins the stage as a live holder; killed, it holds nothing any more.
        let talk = self.run(bins, "seance", &["--talk", &self.a, "--agent", "true"], Some(failpoint));
        killed(&talk)
    }

    /// What must hold after the crash and one `seance-gc --older-than 0s`.
    fn check(&self, failpoint: &str) {
        let gc = self.run(
            Path::new(env!("CARGO_BIN_EXE_seance")).parent().unwrap(),
            "seance-gc",
            &["--older-than", "0s", "-q"],
            None,
        );
        assert!(gc.status.success(), "{failpoint}: gc: {}", String::from_utf8_lossy(&gc.stderr));
        let target = self.w.target();
        let index = read(&target.join("sessions-index.json"));
        assert_eq!(index, self.expected_index, "{failpoint}: the index lost or kept something");
        let mut names: Vec<String> = fs::read_dir(&target)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["sessions-index.json", "sessions-index.json.lock"], "{failpoint}: leftovers");
        let lock = fs::metadata(target.join("sessions-index.json.lock")).unwrap();
        assert_eq!(lock.permissions().mode() & 0o777, 0o600);
        // The transcript itself is never touched.
        assert!(fs::symlink_metadata(&self.a_source).unwrap().is_file());
        assert!(read(&self.a_source).contains("Where did you put the migration plan?"));
    }
}

#[test]
fn every_failpoint_is_survived() {
    let points = failpoints();
    assert!(points.len() >= 12, "{points:?}");
    let bins = failpoint_bins();
    for point in &points {
        let s = scene();
        assert!(s.play(bins, point), "{point} was never reached: the scenario must cover it");
        s.check(point);
    }
}

#[test]
fn without_a_crash_the_scenario_ends_clean_too() {
    let s = scene();
    assert!(!s.play(failpoint_bins(), "none"));
    s.check("none");
}

#[test]
fn normal_builds_have_no_failpoints() {
    // The feature is off in the binaries users get: the point names do nothing there.
    let s = scene();
    let out = s.run(
        Path::new(env!("CARGO_BIN_EXE_seance")).parent().unwrap(),
        "seance-stage",
        &[&s.a],
        Some("stage.linked"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
