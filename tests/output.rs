//! Failed output, for every binary of the package: stdout and stderr each full (/dev/full), a
//! pipe whose reader is gone, and a closed descriptor. No tool panics (exit 101) or hangs; a
//! closed stdout ends quietly with exit 0; a full stdout is exit 2 with one line; a failing
//! stderr changes nothing else: the exit code is the one the same run has with a working one.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{bin, uuid};
use crate::world::*;

const OTHER: &str = "/srv/other";

/// What a stream is given.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Broken {
    /// /dev/full: every write fails with ENOSPC.
    Full,
    /// A pipe whose reader has gone: EPIPE.
    Gone,
    /// No descriptor at all (`>&-`).
    Closed,
}

const BROKEN: [Broken; 3] = [Broken::Full, Broken::Gone, Broken::Closed];

/// Every binary the package builds, from Cargo.toml: a new one is covered without a word here.
fn binaries() -> Vec<String> {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let mut names = Vec::new();
    let mut in_bin = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin && let Some(name) = line.strip_prefix("name = ") {
            names.push(name.trim_matches('"').to_string());
        }
    }
    assert!(names.len() >= 8, "{names:?}");
    names
}

struct Outcome {
    code: i32,
    /// The stream that was not broken.
    other: String,
    /// The other one, when it was not broken after all (the run without a broken stream).
    broken: String,
}

/// Runs `name` in `w` with `args` and `stdin`, one stream (1 or 2) broken as `how`.
fn run(w: &World, name: &str, args: &[&str], stdin: &str, fd: i32, how: Option<Broken>) -> Outcome {
    let mut cmd = Command::new(bin(name));
    cmd.args(args).current_dir(&w.work).env("HOME", &w.home).env("TZ", "UTC");
    for var in ["CLAUDE_CONFIG_DIR", "GT_TOWN_ROOT", "GT_ROOT", "SEANCE_AGENT", "NO_COLOR"] {
        cmd.env_remove(var);
    }
    let broken = || -> Stdio {
        match how {
            Some(Broken::Full) => File::options().write(true).open("/dev/full").unwrap().into(),
            Some(Broken::Gone) => {
                let (reader, writer) = std::io::pipe().unwrap();
                drop(reader);
                writer.into()
            }
            _ => Stdio::piped(),
        }
    };
    cmd.stdin(Stdio::piped());
    if fd == 1 {
        cmd.stdout(broken()).stderr(Stdio::piped());
    } else {
        cmd.stdout(Stdio::piped()).stderr(broken());
    }
    if how == Some(Broken::Closed) {
        // SAFETY: close(2) only, between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                libc::close(fd);
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_string();
    std::thread::spawn(move || {
        let _ = std::io::Write::write_all(&mut input, stdin.as_bytes());
    });
    let collect = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let out = collect(child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let err = collect(child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{name} {args:?} with fd {fd} {how:?}: hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    let (other, broken) = if fd == 1 { (err, out) } else { (out, err) };
    Outcome { code: status.code().unwrap_or(-1), other, broken }
}

/// A world where every tool has something to say: session 1 in account two with its event
/// (and, when `malformed`, a malformed line after it in the log).
fn world(malformed: bool) -> (World, String) {
    let w = World::new();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    w.events(&[&id]);
    if malformed {
        let log = w.town.join(".events.jsonl");
        let mut text = std::fs::read_to_string(&log).unwrap();
        text.push_str("{\"type\":\"session_start\",\"ts\":\n");
        std::fs::write(&log, text).unwrap();
    }
    std::fs::create_dir_all(w.target()).unwrap();
    (w, id)
}

fn orphan(w: &World) {
    let link = w.target().join(format!("{}.jsonl", uuid(9)));
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink("/gone/for/good.jsonl", link).unwrap();
}

#[test]
fn a_failing_stdout_is_exit_2_or_a_quiet_exit_0_for_every_tool() {
    let (w, id) = world(false);
    let event = std::fs::read_to_string(w.town.join(".events.jsonl")).unwrap();
    let event = event.lines().next().unwrap().to_string() + "\n";
    // Each binary prints its help; the tools that print data print that too.
    let mut runs: Vec<(String, Vec<String>, String)> =
        binaries().into_iter().map(|name| (name, vec!["--help".to_string()], String::new())).collect();
    let data: &[(&str, &[&str], &str)] = &[
        ("seance-events", &[], ""),
        ("seance-filter", &[], &event),
        ("seance-fmt", &["--format", "tsv"], &event),
        ("seance-show", &[&id], ""),
        ("seance-gc", &["--json", "--dry-run"], ""),
        ("seance", &["--format", "tsv"], ""),
    ];
    runs.extend(
        data.iter()
            .map(|(n, a, s)| (n.to_string(), a.iter().map(|a| a.to_string()).collect(), s.to_string())),
    );
    orphan(&w);
    for (name, args, stdin) in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let fine = run(&w, name, &args, stdin, 1, None);
        assert_eq!(fine.code, 0, "{name} {args:?}: {}", fine.other);
        for how in BROKEN {
            let got = run(&w, name, &args, stdin, 1, Some(how));
            let what = format!("{name} {args:?} with stdout {how:?}: stderr {:?}", got.other);
            match how {
                Broken::Full => {
                    assert_eq!(got.code, 2, "{what}");
                    let said = got
                        .other
                        .lines()
                        .filter(|l| l.ends_with(": cannot write to stdout: No space left on device"));
                    assert_eq!(said.count(), 1, "{what}");
                }
                Broken::Gone | Broken::Closed => {
                    assert_eq!((got.code, got.other.as_str()), (0, ""), "{what}");
                }
            }
        }
    }
}

#[test]
fn a_failing_stderr_changes_no_exit_code_for_every_tool() {
    let (w, id) = world(true);
    // Each binary refuses an unknown flag; the tools with diagnostics of their own say those.
    let mut runs: Vec<(String, Vec<String>, String)> = binaries()
        .into_iter()
        .map(|name| (name, vec!["--no-such-flag".to_string()], String::new()))
        .collect();
    let data: &[(&str, &[&str], &str)] = &[
        // The malformed line in the log is reported at the end, exit 0.
        ("seance-events", &[], ""),
        ("seance-filter", &[], "not json\n"),
        ("seance-fmt", &["--format", "tsv"], "not json\n"),
        ("seance-show", &["nosuchid"], ""),
        ("seance-stage", &[], "nosuchid\n"),
        ("seance-unstage", &["not-a-token"], ""),
        // The orphan's removal is summed up on stderr.
        ("seance-gc", &[], ""),
        ("seance", &["--format", "tsv"], ""),
        // "Summoning session ..." goes to stderr after the stage: a failing stderr must not
        // leave the stage behind.
        ("seance", &["--talk", &id, "--agent", "true", "-p", "q"], ""),
    ];
    runs.extend(
        data.iter()
            .map(|(n, a, s)| (n.to_string(), a.iter().map(|a| a.to_string()).collect(), s.to_string())),
    );
    for (name, args, stdin) in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        orphan(&w);
        let fine = run(&w, name, &args, stdin, 2, None);
        assert!(!fine.broken.is_empty(), "{name} {args:?} says nothing on stderr");
        for how in BROKEN {
            orphan(&w);
            let got = run(&w, name, &args, stdin, 2, Some(how));
            assert_eq!(got.code, fine.code, "{name} {args:?} with stderr {how:?} (101 is a panic)");
            assert_eq!(got.other, fine.other, "{name} {args:?} with stderr {how:?}: stdout changed");
        }
    }
    // The talks left nothing staged.
    assert!(!exists(&w.target().join(format!("{id}.jsonl"))), "a talk's stage was left behind");
}
