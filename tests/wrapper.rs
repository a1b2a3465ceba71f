//! seance: gt's listing, identical to the pipeline it stands for.

use crate::util::*;

fn busy_town() -> Town {
    let town = Town::new();
    let mut lines = Vec::new();
    let actors = ["gastown/crew/joe", "gastown/polecats/nux", "beads/witness", "mayor", "beads/crew/dave"];
    for i in 0..30u32 {
        lines.push(other(&format!("2026-01-22T10:{i:02}:00Z"), "patrol_started", "gastown/witness"));
        let topic = (i % 3 != 0).then(|| format!("topic {i}"));
        lines.push(start(
            &format!("2026-01-22T10:{i:02}:30Z"),
            actors[i as usize % 5],
            &uuid(i),
            topic.as_deref(),
        ));
    }
    town.write_log(&lines);
    town
}

fn pipeline(town: &Town, events: &str, filter: &str, fmt: &str) -> String {
    let script = format!(
        "{} {events} | {} {filter} | {} {fmt}",
        bin("seance-events").display(),
        bin("seance-filter").display(),
        bin("seance-fmt").display()
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(&town.root)
        .env("TZ", "IST-5:30")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn listing_equals_the_pipeline() {
    let town = busy_town();
    let run = town.tool("seance").run().ok();
    assert_eq!(run.stdout, pipeline(&town, "", "-n 20", ""));
    assert_eq!(run.lines().len(), 20);
    assert!(
        run.stdout.starts_with(&format!("{}\tbeads/crew/dave\t2026-01-22T10:29:30Z\ttopic 29\n", uuid(29)))
    );
    let run = town
        .tool("seance")
        .args(["--role", "crew", "--rig", "gastown", "-n", "3", "--format", "table"])
        .run()
        .ok();
    assert_eq!(run.stdout, pipeline(&town, "", "--role crew --rig gastown -n 3", "--format table"));
    assert_eq!(run.lines().len(), 5);
    let run = town.tool("seance").args(["--recent", "0", "--json"]).run().ok();
    assert_eq!(run.stdout, pipeline(&town, "", "", "--format json"));
    let parsed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 30);
}

#[test]
fn pass_through_flags_reach_their_tools() {
    let town = busy_town();
    let run = town
        .tool("seance")
        .args(["--since", "2026-01-22T10:26:00Z", "--format", "ids", "--topic", "topic 2"])
        .run()
        .ok();
    // 27 has no topic.
    assert_eq!(run.stdout, format!("{}\n{}\n{}\n", uuid(29), uuid(28), uuid(26)));
    town.tool("seance").args(["-e", "--rig", "nowhere"]).run().code(1);
    let run = town
        .tool("seance")
        .args(["--format", "table", "--no-header", "-n", "1", "--time", "utc", "--width", "60"])
        .run()
        .ok();
    assert_eq!(run.stdout, "0000001d-00…  beads/crew/dave     2026-01-22 10:29  topic 29\n");
}

#[test]
fn terminal_gets_title_and_hint() {
    let town = busy_town();
    // No account holds these sessions: on a terminal the table marks them, and says why.
    let run = town
        .tool("seance")
        .args(["-n", "2", "--color", "never"])
        .env("HOME", &town.root)
        .run_on_terminal(120);
    assert_eq!(run.code, 0);
    let rule = "─".repeat(120);
    assert_eq!(
        run.stdout,
        format!(
            "Discoverable Sessions\n\nSESSION_ID    ROLE                        STARTED           TOPIC\n{rule}\n\
             0000001d-00…  beads/crew/dave             2026-01-22 15:59  ✗ gone  topic 29\n\
             0000001c-00…  mayor                       2026-01-22 15:58  ✗ gone  topic 28\n\n\
             ✗ gone: no transcript in any account (deleted after cleanupPeriodDays?): cannot be resumed\n\n\
             Talk to a predecessor:\n  seance --talk <session-id>\n  seance --talk <session-id> -p \"Where did you put X?\"\n"
        )
    );
    // An empty town says which log it read, without the title.
    let empty = Town::new();
    let run = empty.tool("seance").args(["--color", "never"]).run_on_terminal(120);
    assert_eq!(
        run.stdout,
        format!("No session events found: {} does not exist yet.\n", empty.log().display())
    );
}

#[test]
fn prompt_needs_talk() {
    let town = busy_town();
    let run = town.tool("seance").args(["-p", "where?"]).run().code(2);
    assert_eq!(run.stderr, "seance: -p/--prompt goes with --talk\n");
}

#[test]
fn the_rest_of_the_flags_pass_through() {
    let town = busy_town();
    let elsewhere = tempfile::tempdir().unwrap();
    let ids = |args: &[&str]| {
        let mut all =
            vec!["--town".to_string(), town.root.display().to_string(), "--format".into(), "ids".into()];
        all.extend(args.iter().map(|a| a.to_string()));
        tool("seance").cwd(elsewhere.path()).args(&all).run().ok().stdout
    };
    assert_eq!(ids(&["--actor", "CREW/DAVE", "-n", "2"]), format!("{}\n{}\n", uuid(29), uuid(24)));
    assert_eq!(ids(&["--session", &uuid(7)[..8]]), format!("{}\n", uuid(7)));
    assert_eq!(ids(&["--until", "2026-01-22T10:01:00Z"]), format!("{}\n", uuid(0)));
    assert_eq!(ids(&["--window", "0", "--limit", "1"]), format!("{}\n", uuid(29)));
    // A restarted session and a fallback id: --unique keeps the newest, --resumable drops gt's.
    town.append(&start("2026-01-22T11:00:00Z", "mayor", &uuid(28), None));
    town.append(&start("2026-01-22T11:01:00Z", "deacon", "deacon-4242", None));
    assert_eq!(ids(&["-n", "3"]), format!("deacon-4242\n{}\n{}\n", uuid(28), uuid(29)));
    assert_eq!(
        ids(&["-n", "3", "--unique", "--resumable"]),
        format!("{}\n{}\n{}\n", uuid(28), uuid(29), uuid(27))
    );
    // Events from a file, and --strict for its bad lines.
    let log = elsewhere.path().join("log.jsonl");
    std::fs::write(
        &log,
        format!("{}\n{{\"type\":\"session_start\"\n", start("2026-01-22T10:00:00Z", "mayor", &uuid(5), None)),
    )
    .unwrap();
    let log = log.display().to_string();
    let run = tool("seance").args(["--events", &log, "--format", "ids"]).run().code(0);
    assert_eq!(run.stdout, format!("{}\n", uuid(5)));
    assert!(
        run.stderr.starts_with(&format!("seance: skipped 1 malformed line (first: {log}:2: ")),
        "{}",
        run.stderr
    );
    let run = tool("seance").args(["--events", &log, "--strict"]).run().code(2);
    assert!(run.stderr.starts_with(&format!("seance: {log}:2: ")), "{}", run.stderr);
}
