//! README as a newcomer meets it: the repository cloned into a temp dir, then its first block
//! (the main job on the demo, and the tests), its install block and its demo block run in order
//! in one bash, in the clone, with a scratch HOME, and what each command prints checked. Cargo
//! is not run (a build per test run is too slow, and `cargo test` is what runs this): the built
//! binaries stand in for `cargo install` in `~/.cargo/bin`, which is all PATH holds besides the
//! system's dirs, and `cargo run -q --bin seance --` runs as the installed `seance`. The demo
//! must come out of it unchanged.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use crate::util::bin;

/// One command of README, what it must exit with and what its stdout and stderr must hold.
struct Step {
    command: &'static str,
    code: i32,
    stdout: &'static [&'static str],
    stderr: &'static [&'static str],
}

const fn step(
    command: &'static str,
    code: i32,
    stdout: &'static [&'static str],
    stderr: &'static [&'static str],
) -> Step {
    Step { command, code, stdout, stderr }
}

const QUICK: &[Step] = &[
    step(
        "cargo run -q --bin seance -- --town tests/demo-town -n 5",
        0,
        &[
            "1f229dd0-6471-4712-9439-abd012926185\tbeads/crew/dave\t2026-01-22T14:58:05Z\trelease 0.9 notes\n",
            "8b5ab3ee-6b44-4d58-8863-e8f60f977044\tgastown/witness\t2026-01-22T13:55:14Z\timplement bd sync --watch\n",
        ],
        &[],
    ),
    step("cargo test", 0, &[], &[]),
];

const INSTALL: &[Step] = &[
    step("cargo install --locked --path .", 0, &[], &[]),
    step("install -Dm644 -t ~/.cargo/share/man/man1 man/man1/*.1", 0, &[], &[]),
];

const DEMO: &[Step] = &[
    step("cd tests/demo-town", 0, &[], &[]),
    step("export CLAUDE_CONFIG_DIR=$(mktemp -d)", 0, &[], &[]),
    step(
        "seance --rig gastown -n 5",
        0,
        &[
            "8b5ab3ee-6b44-4d58-8863-e8f60f977044\tgastown/witness\t2026-01-22T13:55:14Z\timplement bd sync --watch\n",
            "1c2442f9-570d-499c-835d-000f1a358ca0\tgastown/polecats/nux\t2026-01-22T11:11:17Z\tfix flaky merge queue test\n",
        ],
        &[],
    ),
    step(
        "seance --rig gastwon",
        0,
        &[],
        &[
            "seance: No session matches --rig gastwon among the 24 session starts in ",
            "; rigs here: beads, gastown, wyvern.\n",
        ],
    ),
    step(
        "seance-show 1a61dbe2",
        0,
        &[
            "  → Write: /home/u/gt/gastown/polecats/nux/docs/migration-plan.md\n",
            "https://github.com/gastown/gastown/pull/417",
        ],
        &[],
    ),
    step(
        "seance-show 6b0a18e8",
        3,
        &[],
        &[
            "seance-show: session 6b0a18e8-2a3a-4c1d-95e4-eeea26e87555 has no transcript in any account (searched ",
            "/tests/demo-home/work (work), ",
            "/tests/demo-home/personal (personal)",
        ],
    ),
    step(
        "seance-grep -l -F 'migration plan'",
        0,
        &[
            "{\"session_id\":\"1a61dbe2-94e3-4923-a8e3-5f55301850c5\",",
            "{\"session_id\":\"ad1b72db-bd62-40dd-9d39-def8e647cb8f\",",
        ],
        &[],
    ),
    step(
        "seance-trail --kind commit --kind pr",
        0,
        &[
            "\"kind\":\"commit\",\"hash\":\"3f9c2a1\",\"subject\":\"Add the hooks migration plan\"",
            "\"kind\":\"pr\",\"url\":\"https://github.com/gastown/gastown/pull/417\"",
            "\"hash\":\"5c0ffee\",\"subject\":\"Changelog for 0.9\"",
        ],
        &[],
    ),
    step(
        "seance --talk 1a61 --agent ../demo-home/agent -p 'Where did you put the migration plan?'",
        0,
        &[
            "agent: would resume a fork of 1a61dbe2-94e3-4923-a8e3-5f55301850c5 from ",
            "agent: and ask it: Where did you put the migration plan?\n",
        ],
        &["Summoning session 1a61dbe2-94e3-4923-a8e3-5f55301850c5…\n"],
    ),
    // fzf runs as a filter here (FZF_DEFAULT_OPTS below): it "chooses" nux's session.
    step(
        "seance pick --agent ../demo-home/agent",
        0,
        &["agent: would resume a fork of 1a61dbe2-94e3-4923-a8e3-5f55301850c5 from "],
        &["Summoning session 1a61dbe2-94e3-4923-a8e3-5f55301850c5…\n"],
    ),
    step(
        "seance doctor --agent ../demo-home/agent",
        0,
        &[
            "ok    town         ",
            "ok    agent        ../demo-home/agent: ",
            "warn  account      personal: ",
            "cleanupPeriodDays 30 (the default): the client deletes transcripts older than 30 days",
            "warn  stages       1 left behind (",
            "953f48f1-f29d-40fd-a4ef-658c95e60af5.jsonl): seance-gc --older-than DURATION removes them\n",
            "warn  transcripts  6 of the log's 22 sessions have no transcript in any account",
        ],
        &[],
    ),
    step(
        "seance-gc --config-dir ../demo-home/work --older-than 0s --dry-run",
        0,
        &[
            "would remove session 953f48f1-f29d-40fd-a4ef-658c95e60af5's entry in ../demo-home/work/projects/-home-u-gt-gastown-crew-max/sessions-index.json (stale)\n",
            "would remove session 953f48f1-f29d-40fd-a4ef-658c95e60af5's link ../demo-home/work/projects/-home-u-gt-gastown-crew-max/953f48f1-f29d-40fd-a4ef-658c95e60af5.jsonl (stale)\n",
        ],
        &[],
    ),
];

/// The lines of the first ```sh block after `heading` (the file's first block for "").
fn block(readme: &str, heading: &str) -> Vec<String> {
    let from = if heading.is_empty() {
        0
    } else {
        readme.find(heading).unwrap_or_else(|| panic!("README lacks {heading}"))
    };
    let start = readme[from..].find("```sh\n").unwrap() + from + 6;
    let end = readme[start..].find("```").unwrap() + start;
    readme[start..end].lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect()
}

/// What this test runs for a README command: the installed `seance` for `cargo run`; nothing for
/// the other cargo commands.
fn runnable(command: &str) -> Option<String> {
    match command.strip_prefix("cargo run -q --bin seance -- ") {
        Some(args) => Some(format!("seance {args}")),
        None if command.starts_with("cargo ") => None,
        None => Some(command.to_string()),
    }
}

/// The command of a README line: without its `# comment`.
fn command(line: &str) -> &str {
    line.split("  #").next().unwrap().trim_end()
}

#[test]
fn readme_commands_run_in_a_fresh_clone_as_written() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let clone = root.join("seance");
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let git = Command::new("git").args(["clone", "-q"]).arg(&repo).arg(&clone).output().unwrap();
    assert!(git.status.success(), "{}", String::from_utf8_lossy(&git.stderr));
    let readme = fs::read_to_string(clone.join("README.md")).unwrap();
    let quick = block(&readme, "");
    let install = block(&readme, "## Install");
    let demo = block(&readme, "## Try it on the demo town");
    let written: Vec<&str> = quick.iter().chain(&install).chain(&demo).map(|l| command(l)).collect();
    let steps = || QUICK.iter().chain(INSTALL).chain(DEMO);
    let expected: Vec<&str> = steps().map(|s| s.command).collect();
    assert_eq!(written, expected, "README's commands and this test's steps differ");

    // ~/.cargo/bin as `cargo install` leaves it, and nothing else of ours on PATH.
    let home = root.join("home");
    let cargo_bin = home.join(".cargo/bin");
    fs::create_dir_all(&cargo_bin).unwrap();
    for entry in fs::read_dir(bin("seance").parent().unwrap()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("seance") && !name.contains('.') {
            std::os::unix::fs::symlink(entry.path(), cargo_bin.join(&name)).unwrap();
        }
    }
    let out = root.join("out");
    fs::create_dir_all(&out).unwrap();
    let mut script = String::from("cd \"$CLONE\" || exit 99\n");
    for (n, step) in steps().enumerate() {
        let Some(command) = runnable(step.command) else { continue };
        script.push_str(&format!(
            "{{ {command}\n}} >\"$OUT/{n}.out\" 2>\"$OUT/{n}.err\" </dev/null; echo $? >\"$OUT/{n}.rc\"\n"
        ));
    }
    let run = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &script])
        .env_clear()
        .env("HOME", &home)
        .env("PATH", format!("{}:/usr/local/bin:/usr/bin:/bin", cargo_bin.display()))
        .env("CLONE", &clone)
        .env("OUT", &out)
        .env("TMPDIR", &root)
        .env("FZF_DEFAULT_OPTS", "--filter=1a61dbe2")
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    for (n, step) in steps().enumerate() {
        if runnable(step.command).is_none() {
            continue;
        }
        let read = |ext: &str| fs::read_to_string(out.join(format!("{n}.{ext}"))).unwrap();
        let (code, stdout, stderr) = (read("rc"), read("out"), read("err"));
        let context = format!("`{}`:\nstdout: {stdout}\nstderr: {stderr}", step.command);
        assert_eq!(code.trim(), step.code.to_string(), "exit code of {context}");
        for part in step.stdout {
            assert!(stdout.contains(part), "stdout lacks {part:?}: {context}");
        }
        for part in step.stderr {
            assert!(stderr.contains(part), "stderr lacks {part:?}: {context}");
        }
        if step.stdout.is_empty() {
            assert_eq!(stdout, "", "{context}");
        }
        if step.stderr.is_empty() {
            assert_eq!(stderr, "", "{context}");
        }
    }
    // The quick start and `seance --rig gastown -n 5` printed five sessions each.
    for n in [0, 6] {
        assert_eq!(fs::read_to_string(out.join(format!("{n}.out"))).unwrap().lines().count(), 5);
    }
    // The man pages went where `man` finds them from PATH alone.
    if crate::docs::need("man") {
        let found = Command::new("man")
            .args(["-w", "seance"])
            .env_clear()
            .env("HOME", &home)
            .env("PATH", format!("{}:/usr/bin:/bin", cargo_bin.display()))
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&found.stdout).trim(),
            home.join(".cargo/share/man/man1/seance.1").display().to_string()
        );
    }
    // The demo is as it was cloned, and nobody's ~/.claude was made.
    let status = Command::new("git")
        .args(["status", "--porcelain", "--ignored"])
        .current_dir(&clone)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&status.stdout), "");
    assert!(!home.join(".claude").exists());
}
