//! `seance doctor` on a healthy world and on broken ones: no town, a missing account dir, no
//! agent, a short cleanupPeriodDays, CLAUDE_CODE_CHILD_SESSION set, stages left behind and
//! orphaned, logged sessions whose transcripts are gone.

use std::fs;
use std::path::Path;

use crate::util::{Run, start, uuid};
use crate::world::World;

/// A world whose log names two sessions, both with transcripts, and whose accounts keep
/// transcripts for years.
fn healthy() -> World {
    let w = World::new();
    let lines = [
        start("2026-01-22T10:00:00Z", "gastown/crew/joe", &uuid(1), Some("patrol")),
        start("2026-01-22T11:00:00Z", "beads/polecats/nux", &uuid(2), None),
    ];
    fs::write(w.town.join(".events.jsonl"), lines.join("\n") + "\n").unwrap();
    w.session(&w.one, Path::new("/srv/a"), &uuid(1));
    w.session(&w.two, Path::new("/srv/b"), &uuid(2));
    for account in [&w.one, &w.two] {
        fs::write(account.join("settings.json"), "{\"cleanupPeriodDays\": 100000}\n").unwrap();
    }
    w
}

fn doctor(w: &World, extra: &[&str]) -> crate::util::Tool {
    w.tool("seance")
        .args(["doctor", "--json", "--agent", "true"])
        .args(extra)
        .env("SEANCE_SHELL_INTEGRATION", "bash")
}

/// (check, status, message) of each record.
fn records(run: &Run) -> Vec<(String, String, String)> {
    run.stdout
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let s = |k: &str| v[k].as_str().unwrap().to_string();
            (s("check"), s("status"), s("message"))
        })
        .collect()
}

fn status_of<'a>(checks: &'a [(String, String, String)], name: &str) -> Vec<(&'a str, &'a str)> {
    checks.iter().filter(|(c, _, _)| c == name).map(|(_, s, m)| (s.as_str(), m.as_str())).collect()
}

#[test]
fn a_healthy_world_is_all_ok() {
    let w = healthy();
    let run = doctor(&w, &[]).run();
    assert_eq!(run.code, 0, "{}", run.stdout);
    let checks = records(&run);
    let names: Vec<&str> = checks.iter().map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(
        names,
        [
            "town",
            "log",
            "account",
            "account",
            "current",
            "agent",
            "fzf",
            "shell",
            "environment",
            "stages",
            "transcripts"
        ]
    );
    for (name, status, message) in &checks {
        // fzf may be missing where the tests run; it is only a warning.
        assert!(status == "ok" || name == "fzf", "{name}: {status}: {message}");
    }
    let town = status_of(&checks, "town")[0].1;
    assert_eq!(
        town,
        format!(
            "{} (the outermost directory above the working directory with mayor/town.json)",
            w.town.display()
        )
    );
    let log = status_of(&checks, "log")[0].1;
    assert!(log.starts_with(&format!("{}: ", w.town.join(".events.jsonl").display())), "{log}");
    assert!(log.contains(", 2 session starts, newest "), "{log}");
    assert_eq!(
        status_of(&checks, "account")[1].1,
        format!("two: {}, 1 transcripts, cleanupPeriodDays 100000", w.two.display())
    );
    assert_eq!(
        status_of(&checks, "current")[0].1,
        format!(
            "{} (from ~/.claude, since $CLAUDE_CONFIG_DIR is not set, the town's account 'one')",
            w.one.display()
        )
    );
    assert_eq!(status_of(&checks, "stages")[0].1, "none");
    assert_eq!(status_of(&checks, "transcripts")[0].1, "every one of the log's 2 sessions has a transcript");
    // The human form: one line per check, status first.
    let run =
        w.tool("seance").args(["doctor", "--agent", "true"]).env("SEANCE_SHELL_INTEGRATION", "bash").run();
    assert!(run.stdout.lines().next().unwrap().starts_with("ok    town         "), "{}", run.stdout);
    assert_eq!(run.stdout.lines().count(), 11);
}

#[test]
fn no_town_fails() {
    let w = healthy();
    let nowhere = tempfile::tempdir().unwrap();
    let run = doctor(&w, &[]).cwd(nowhere.path()).run();
    assert_eq!(run.code, 1);
    let checks = records(&run);
    let town = &status_of(&checks, "town")[0];
    assert_eq!(town.0, "fail");
    assert!(town.1.starts_with("not in a Gas Town"), "{}", town.1);
    // Without a town there is no log and no account list to check.
    assert!(status_of(&checks, "log").is_empty() && status_of(&checks, "account").is_empty());
}

#[test]
fn a_missing_account_dir_fails() {
    let w = healthy();
    fs::remove_dir_all(&w.two).unwrap();
    let run = doctor(&w, &[]).run();
    assert_eq!(run.code, 1);
    let checks = records(&run);
    assert_eq!(
        status_of(&checks, "account")[1],
        (
            "fail",
            format!("two: {} does not exist (listed in the town's accounts.json)", w.two.display()).as_str()
        )
    );
    // Its session is now a logged session without a transcript.
    let gone = status_of(&checks, "transcripts")[0];
    assert_eq!(
        gone,
        (
            "warn",
            format!("1 of the log's 2 sessions have no transcript in any account ({})", uuid(2)).as_str()
        )
    );
}

#[test]
fn a_missing_agent_fails_with_a_hint() {
    let w = healthy();
    let run = w.tool("seance").args(["doctor", "--json"]).env("PATH", "/nonexistent").run();
    assert_eq!(run.code, 1);
    let checks = records(&run);
    let agent = status_of(&checks, "agent")[0];
    assert_eq!(agent.0, "fail");
    assert!(agent.1.starts_with("agent 'claude': not found on PATH; install Claude Code"), "{}", agent.1);
    // An agent command line is split and found, with the version it reports.
    let bin = w.home.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let script = bin.join("claude");
    fs::write(&script, "#!/bin/sh\necho '2.1.197 (Claude Code)'\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let run =
        w.tool("seance").args(["doctor", "--json", "--agent", "claude --model opus"]).env("PATH", &bin).run();
    let checks = records(&run);
    assert_eq!(
        status_of(&checks, "agent")[0],
        ("ok", format!("claude --model opus: {}, 2.1.197 (Claude Code)", script.display()).as_str())
    );
}

#[test]
fn a_short_cleanup_period_warns() {
    let w = healthy();
    fs::remove_file(w.two.join("settings.json")).unwrap();
    fs::write(w.one.join("settings.json"), "{\"cleanupPeriodDays\": 7}").unwrap();
    let run = doctor(&w, &[]).run();
    // A warning: everything still works today.
    assert_eq!(run.code, 0, "{}", run.stdout);
    let checks = records(&run);
    let accounts = status_of(&checks, "account");
    for ((status, message), (name, dir, days, setting)) in accounts.iter().zip([
        ("one", &w.one, 7, "cleanupPeriodDays 7"),
        ("two", &w.two, 30, "cleanupPeriodDays 30 (the default)"),
    ]) {
        assert_eq!(*status, "warn");
        let start = format!(
            "{name}: {}, 1 transcripts, {setting}: the client deletes transcripts older than {days} days, and the \
             town's sessions go back ",
            dir.display()
        );
        assert!(message.starts_with(&start), "{message}");
        assert!(
            message.ends_with(&format!(
                "days; raise cleanupPeriodDays in {}",
                dir.join("settings.json").display()
            ))
        );
    }
}

#[test]
fn the_child_session_variable_warns() {
    let w = healthy();
    let run = doctor(&w, &[]).env("CLAUDE_CODE_CHILD_SESSION", "1").run();
    assert_eq!(run.code, 0);
    let checks = records(&run);
    let env = status_of(&checks, "environment")[0];
    assert_eq!(env.0, "warn");
    assert!(env.1.starts_with("CLAUDE_CODE_CHILD_SESSION is set"), "{}", env.1);
}

#[test]
fn stages_left_behind_and_orphaned_warn() {
    let w = healthy();
    let project = w.target();
    fs::create_dir_all(&project).unwrap();
    let source = w.project(&w.two, Path::new("/srv/b")).join(format!("{}.jsonl", uuid(2)));
    let left = project.join(format!("{}.jsonl", uuid(2)));
    std::os::unix::fs::symlink(&source, &left).unwrap();
    std::os::unix::fs::symlink("/gone.jsonl", project.join(format!("{}.jsonl", uuid(9)))).unwrap();
    let run = doctor(&w, &[]).run();
    assert_eq!(run.code, 0);
    let checks = records(&run);
    assert_eq!(
        status_of(&checks, "stages")[0],
        (
            "warn",
            format!(
                "1 left behind ({}): seance-gc --older-than DURATION removes them; 1 orphaned (their transcript \
                 is gone): seance-gc removes them",
                left.display()
            )
            .as_str()
        )
    );
    // A link is not a transcript: removing the source leaves the logged session without one.
    fs::remove_file(&source).unwrap();
    let checks = records(&doctor(&w, &[]).run());
    assert_eq!(status_of(&checks, "transcripts")[0].0, "warn");
}

#[test]
fn the_shell_integration_is_seen_once_loaded() {
    let w = healthy();
    let run =
        w.tool("seance").args(["doctor", "--json", "--agent", "true"]).env("SHELL", "/usr/bin/zsh").run();
    let checks = records(&run);
    assert_eq!(
        status_of(&checks, "shell")[0],
        (
            "warn",
            "integration not loaded in this shell: add `eval \"$(seance init zsh)\"` to ~/.zshrc, after compinit"
        )
    );
    // What `seance init` sets, as a shell that eval'd it passes it on.
    if crate::docs::need("bash") {
        let run = w
            .tool("bash")
            .program(
                "bash",
                [
                    "--norc",
                    "--noprofile",
                    "-c",
                    "eval \"$(seance init bash)\"; seance doctor --json --agent true",
                ],
            )
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    crate::util::bin("seance").parent().unwrap().display(),
                    std::env::var("PATH").unwrap()
                ),
            )
            .run();
        let checks = records(&run);
        assert_eq!(
            status_of(&checks, "shell")[0],
            ("ok", "bash integration loaded (completion, Ctrl-X Ctrl-T)")
        );
    }
}

#[test]
fn tool_names_given_as_subcommands_say_which_command_to_use() {
    let w = healthy();
    let run = w.tool("seance").args(["talk", "abcd"]).run().code(2);
    assert_eq!(run.stderr, "seance: to talk to a session use `seance --talk ID`\n");
    for tool in ["show", "grep", "trail", "stage"] {
        let run = w.tool("seance").args([tool, "abcd"]).run().code(2);
        assert_eq!(run.stderr, format!("seance: '{tool}' is a tool of its own: use `seance-{tool}`\n"));
    }
}

#[test]
fn a_stage_held_by_a_live_talk_is_not_left_behind() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let s = crate::talk::setup();
    let mut talk =
        s.w.tool("seance")
            .args(["--talk", &s.id[..8], "--agent", s.agent.to_str().unwrap()])
            .env("SEANCE_TEST_RECORD", &s.record)
            .env("SEANCE_TEST_LINK", &s.link)
            .env("SEANCE_TEST_MODE", "wait");
    let mut child =
        talk.cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !fs::read_to_string(&s.record).unwrap_or_default().contains("ready") {
        assert!(Instant::now() < deadline, "agent never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let run = s.w.tool("seance").args(["doctor", "--json", "--agent", "true"]).run();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGTERM)
        .unwrap();
    child.wait().unwrap();
    let checks = records(&run);
    assert_eq!(status_of(&checks, "stages")[0], ("ok", "1 held by a live talk"));
    // Once the talk is over, nothing is left.
    let run = s.w.tool("seance").args(["doctor", "--json", "--agent", "true"]).run();
    assert_eq!(status_of(&records(&run), "stages")[0], ("ok", "none"));
}

#[test]
fn mistyped_flags_and_choices_get_a_guess() {
    let w = healthy();
    let run = w.tool("seance").args(["--rol", "crew"]).run().code(2);
    assert_eq!(run.stderr, "seance: invalid option '--rol'; did you mean '--role'? (try 'seance --help')\n");
    let run = w.tool("seance").args(["--format", "tabel"]).run().code(2);
    assert_eq!(
        run.stderr,
        "seance: --format: 'tabel' is not one of table, tsv, fzf, json, ids; did you mean 'table'?\n"
    );
    let run = w.tool("seance-filter").args(["--rgi", "x"]).run().code(2);
    assert_eq!(
        run.stderr,
        "seance-filter: invalid option '--rgi'; did you mean '--rig'? (try 'seance-filter --help')\n"
    );
    // No guess for a word that is nothing like a flag.
    let run = w.tool("seance").args(["--frobnicate"]).run().code(2);
    assert_eq!(run.stderr, "seance: invalid option '--frobnicate' (try 'seance --help')\n");
}

#[test]
fn the_table_uses_the_terminal_width() {
    let w = healthy();
    // 160 columns: the rule spans them and TOPIC gets the room; 40 columns: no row wraps.
    let run = w.tool("seance").args(["--color", "never", "--topic", "patrol"]).run_on_terminal(160);
    let rule = run.stdout.lines().find(|l| l.starts_with('─')).unwrap().to_string();
    assert_eq!(rule.chars().count(), 160, "{}", run.stdout);
    let run = w.tool("seance").args(["--color", "never"]).run_on_terminal(40);
    // The table's lines; gt's hint below it is its own.
    for line in run.stdout.lines().filter(|l| !l.starts_with("  seance")) {
        assert!(unicode_width(line) <= 40, "{line:?} is wider than 40 columns:\n{}", run.stdout);
    }
    assert!(run.stdout.contains("00000002-00…"), "{}", run.stdout);
}

fn unicode_width(line: &str) -> usize {
    line.chars().count()
}

#[test]
fn old_times_are_told_in_months() {
    let w = healthy();
    let run = w.tool("seance").args(["--format", "table", "--time", "relative", "-n", "1"]).run().ok();
    // The log's sessions started on 2026-01-22; "305d ago" told nobody anything.
    assert!(
        run.stdout.lines().nth(2).is_some_and(|l| l.contains("mo ago") || l.contains("y ago")),
        "{}",
        run.stdout
    );
}

#[test]
fn stdin_on_a_terminal_is_announced() {
    use std::process::Stdio;
    let w = healthy();
    for tool in ["seance-filter", "seance-fmt", "seance-stage", "seance-unstage"] {
        let pty = nix::pty::openpty(None, None).unwrap();
        let mut cmd = w.tool(tool).cmd;
        cmd.stdin(Stdio::from(std::fs::File::from(pty.slave))).stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = cmd.spawn().unwrap();
        // End of input, as Ctrl-D would.
        let mut master = std::fs::File::from(pty.master);
        std::thread::sleep(std::time::Duration::from_millis(300));
        use std::io::Write;
        let _ = master.write_all(b"\x04");
        drop(cmd);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with(&format!("{tool}: reading ")) && stderr.contains("end with Ctrl-D"),
            "{tool}: {stderr}"
        );
    }
    // Piped, nothing is said.
    let run = w.tool("seance-filter").stdin("").run().ok();
    assert_eq!(run.stderr, "");
}
