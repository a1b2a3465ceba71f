//! seance-filter: what matches, early exit, bad lines.

use crate::util::*;

fn sessions() -> Vec<String> {
    vec![
        start("2026-01-22T10:06:00Z", "gastown/crew/joe", &uuid(1), Some("Patrol the queue")),
        start("2026-01-22T10:05:00Z", "gastown/polecats/nux", &uuid(2), None),
        start("2026-01-22T10:04:00Z", "beads/witness", &uuid(3), Some("handoff")),
        start("2026-01-22T10:03:00Z", "beads/refinery", &uuid(4), None),
        start("2026-01-22T10:02:00Z", "mayor", &uuid(5), Some("patrol")),
        start("2026-01-22T10:01:00Z", "gastown/crew/joe", &uuid(1), Some("restarted")),
        start("2026-01-22T10:00:00Z", "deacon", "deacon-4242", None),
    ]
}

fn filter(args: &[&str]) -> Vec<String> {
    let run = tool("seance-filter").args(args).stdin(sessions().join("\n") + "\n").run().ok();
    ids(&run.stdout)
}

#[test]
fn output_lines_are_the_input_lines() {
    let input = sessions();
    let run = tool("seance-filter").args(["--rig", "beads"]).stdin(input.join("\n")).run().ok();
    assert_eq!(run.stdout, format!("{}\n{}\n", input[2], input[3]));
}

#[test]
fn roles_parse_from_the_actor() {
    assert_eq!(filter(&["--role", "crew"]), [uuid(1), uuid(1)]);
    assert_eq!(filter(&["--role", "polecat"]), [uuid(2)]);
    assert_eq!(filter(&["--role", "POLECATS"]), [uuid(2)]);
    assert_eq!(filter(&["--role", "witness", "--role", "refinery"]), [uuid(3), uuid(4)]);
    assert_eq!(filter(&["--role", "mayor"]), [uuid(5)]);
    // The role is a segment, not a substring: "crew" is not "cre".
    assert!(filter(&["--role", "cre"]).is_empty());
}

#[test]
fn rigs_are_the_first_segment_and_town_roles_have_none() {
    assert_eq!(filter(&["--rig", "Gastown"]), [uuid(1), uuid(2), uuid(1)]);
    assert!(filter(&["--rig", "mayor"]).is_empty());
    // Across flags, all must match.
    assert_eq!(filter(&["--rig", "gastown", "--role", "polecat"]), [uuid(2)]);
}

#[test]
fn actor_session_and_topic() {
    assert_eq!(filter(&["--actor", "CREW/J"]), [uuid(1), uuid(1)]);
    assert_eq!(filter(&["--session", &uuid(3)[..8]]), [uuid(3)]);
    // A cut id from a table, ellipsis and all.
    assert_eq!(filter(&["--session", &format!("{}…", &uuid(4)[..11])]), [uuid(4)]);
    assert_eq!(filter(&["--session", &format!("{}...", &uuid(4)[..11])]), [uuid(4)]);
    assert_eq!(filter(&["--topic", "patrol"]), [uuid(1), uuid(5)]);
}

#[test]
fn time_bounds() {
    assert_eq!(filter(&["--since", "2026-01-22T10:05:00Z"]), [uuid(1), uuid(2)]);
    assert_eq!(filter(&["--until", "2026-01-22T10:01:00Z"]), ["deacon-4242"]);
}

#[test]
fn resumable_unique_and_limit() {
    assert!(!filter(&["--resumable"]).contains(&"deacon-4242".to_string()));
    assert_eq!(filter(&["--resumable"]).len(), 6);
    assert_eq!(filter(&["--unique"]), [uuid(1), uuid(2), uuid(3), uuid(4), uuid(5), "deacon-4242".into()]);
    assert_eq!(filter(&["-u", "-n", "2"]), [uuid(1), uuid(2)]);
    assert_eq!(filter(&["--limit", "1", "--role", "witness"]), [uuid(3)]);
    assert_eq!(filter(&["-n", "0"]).len(), 7);
}

#[test]
fn limit_exits_at_once_so_producers_stop() {
    // `yes` never ends by itself: only the filter leaving can stop the pipeline.
    let line = start("2026-01-22T10:00:00Z", "mayor", &uuid(1), None);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("yes '{line}' | {} -n 3", bin("seance-filter").display()))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
}

#[test]
fn exit_status() {
    tool("seance-filter").args(["-e", "--rig", "nowhere"]).stdin(sessions().join("\n")).run().code(1);
    tool("seance-filter").args(["--exit-status", "--rig", "beads"]).stdin(sessions().join("\n")).run().ok();
    tool("seance-filter").args(["--rig", "nowhere"]).stdin(sessions().join("\n")).run().ok();
}

#[test]
fn bad_lines_are_skipped_and_counted() {
    let good = start("2026-01-22T10:00:00Z", "mayor", &uuid(1), Some(&"t".repeat(2 << 20)));
    let mut input = Vec::new();
    input.extend_from_slice(b"not json\n");
    input.extend_from_slice(b"42\n");
    input.extend_from_slice(b"{\"actor\":\"\xfe\"}\r\n");
    input.extend_from_slice(b"\r\n");
    input.extend_from_slice(good.as_bytes());
    input.extend_from_slice(b"\r\n");
    let run = tool("seance-filter").stdin(&input).run().code(0);
    assert_eq!(run.stdout, format!("{good}\n"));
    assert_eq!(
        run.stderr,
        "seance-filter: skipped 3 malformed lines (first: <stdin>:1: not a JSON object)\n"
    );
    let run = tool("seance-filter").args(["--strict"]).stdin(&input).run().code(2);
    assert_eq!(run.stderr, "seance-filter: <stdin>:1: not a JSON object\n");
    let run = tool("seance-filter").stdin(&input[9..]).run().code(0);
    assert_eq!(
        run.stderr,
        "seance-filter: skipped 2 malformed lines (first: <stdin>:1: not a JSON object)\n"
    );
    let run = tool("seance-filter").stdin(&input[12..]).run().code(0);
    assert_eq!(
        run.stderr,
        "seance-filter: skipped 1 malformed line (first: <stdin>:1: invalid UTF-8 at byte 10)\n"
    );
}
