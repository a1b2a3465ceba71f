//! seance-events: order, selection, losslessness, bad lines, towns, follow.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::*;

fn demo_lines() -> Vec<String> {
    vec![
        other("2026-01-22T09:00:00Z", "patrol_started", "gastown/witness"),
        start("2026-01-22T10:00:00Z", "gastown/crew/joe", &uuid(1), Some("patrol")),
        other("2026-01-22T10:01:00Z", "mail_sent", "mayor"),
        start("2026-01-22T10:05:00Z", "gastown/polecats/nux", &uuid(2), None),
        start("2026-01-22T10:10:00Z", "mayor", &uuid(3), Some("handoff")),
        other("2026-01-22T10:11:00Z", "merge_completed", "gastown/refinery"),
    ]
}

#[test]
fn newest_first_and_only_session_starts_byte_for_byte() {
    let town = Town::new();
    let lines = demo_lines();
    town.write_log(&lines);
    let run = town.tool("seance-events").run().ok();
    assert_eq!(run.stdout, format!("{}\n{}\n{}\n", lines[4], lines[3], lines[1]));
}

#[test]
fn unknown_fields_spacing_and_escapes_survive() {
    let town = Town::new();
    let odd = r#"{ "ts" : "2026-01-22T10:00:00Z", "type":"session_start", "zzz": 267777777777777777777777, "actor":"mayor", "payload":{"session_id":"a\u0062c", "x":[1.50e3]} }"#;
    town.write_log(&[odd.to_string()]);
    let run = town.tool("seance-events").run().ok();
    assert_eq!(run.stdout, format!("{odd}\n"));
}

#[test]
fn out_of_order_lines_within_the_window_are_sorted() {
    let town = Town::new();
    // Written late: 10:04 lands after 10:06 and 10:05 (within the default 5m window).
    town.write_log(&[
        start("2026-01-22T10:00:00Z", "mayor", &uuid(1), None),
        start("2026-01-22T10:06:00Z", "mayor", &uuid(3), None),
        start("2026-01-22T10:05:00Z", "mayor", &uuid(2), None),
        other("2026-01-22T10:07:00Z", "mail_sent", "mayor"),
        start("2026-01-22T10:04:00Z", "mayor", &uuid(4), None),
    ]);
    let run = town.tool("seance-events").run().ok();
    assert_eq!(ids(&run.stdout), [uuid(3), uuid(2), uuid(4), uuid(1)]);
    // Equal times keep the later line first, as in the log read from its end.
    let town = Town::new();
    town.write_log(&[
        start("2026-01-22T10:00:00Z", "mayor", &uuid(1), None),
        start("2026-01-22T10:00:00Z", "mayor", &uuid(2), None),
    ]);
    assert_eq!(ids(&town.tool("seance-events").run().ok().stdout), [uuid(2), uuid(1)]);
}

#[test]
fn the_window_is_a_flag_and_beyond_it_log_order_wins() {
    let town = Town::new();
    // 12:00 is written two hours before lines from 10:00 to 10:19, then 11:00 comes last. Read
    // from the end, 11:00 is out once enough of the 10:xx lines are in, before 12:00 is read.
    let mut lines = vec![start("2026-01-22T12:00:00Z", "mayor", &uuid(2), None)];
    lines.extend((0..20).map(|i| start(&format!("2026-01-22T10:{i:02}:00Z"), "mayor", &uuid(100 + i), None)));
    lines.push(start("2026-01-22T11:00:00Z", "mayor", &uuid(3), None));
    town.write_log(&lines);
    let first_two =
        |args: &[&str]| ids(&town.tool("seance-events").args(args).run().ok().stdout)[..2].to_vec();
    // The default window cannot see it...
    assert_eq!(first_two(&[]), [uuid(3), uuid(2)]);
    // ...a 2-hour window can.
    assert_eq!(first_two(&["--window", "2h"]), [uuid(2), uuid(3)]);
    town.tool("seance-events").args(["--window", "soon"]).run().code(2);
}

/// Minutes from now, as a log's `ts`.
fn minutes_from_now(minutes: i64) -> String {
    let ts = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(minutes);
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[test]
fn skewed_times_hide_nothing_and_leave_the_order_alone() {
    // Events 90, 60, 30 and 10 minutes ago; skewed lines are put at the end, the start, the
    // middle, or all over, stamped 2001, year 0, or far in the future.
    let normal: Vec<String> = [-90, -60, -30, -10]
        .iter()
        .enumerate()
        .map(|(i, m)| start(&minutes_from_now(*m), "mayor", &uuid(i as u32 + 1), None))
        .collect();
    let skewed = |n: u32, ts: &str| start(ts, "gastown/crew/joe", &uuid(900 + n), None);
    let old = |n| skewed(n, "2001-09-09T01:46:40Z");
    let year0 = |n| skewed(n, "0000-01-01T00:00:00Z");
    let future = |n| skewed(n, "2099-01-01T00:00:00Z");
    let variants: Vec<(&str, Vec<String>)> = vec![
        ("2001 at the end", [normal.clone(), vec![old(1)]].concat()),
        ("year 0 at the end", [normal.clone(), vec![year0(1)]].concat()),
        ("five 2001 lines at the end", [normal.clone(), (1..=5).map(old).collect()].concat()),
        ("future at the start", [vec![future(1)], normal.clone()].concat()),
        ("future at the end", [normal.clone(), vec![future(1)]].concat()),
        (
            "all over",
            vec![
                future(1),
                normal[0].clone(),
                old(2),
                normal[1].clone(),
                year0(3),
                normal[2].clone(),
                future(4),
                normal[3].clone(),
                old(5),
            ],
        ),
    ];
    for (name, lines) in variants {
        let town = Town::new();
        town.write_log(&lines);
        let direct = town.tool("seance-events").args(["--since", "2h"]).run().ok().stdout;
        let all = town.tool("seance-events").run().ok().stdout;
        let piped = town.tool("seance-filter").args(["--since", "2h"]).stdin(&all).run().ok().stdout;
        assert_eq!(direct, piped, "{name}");
        let rest: Vec<String> = ids(&all).into_iter().filter(|id| (1..=4).any(|n| *id == uuid(n))).collect();
        assert_eq!(rest, [uuid(4), uuid(3), uuid(2), uuid(1)], "{name}: newest first for the rest");
        let since: Vec<String> =
            ids(&direct).into_iter().filter(|id| (1..=4).any(|n| *id == uuid(n))).collect();
        assert_eq!(since, [uuid(4), uuid(3), uuid(2), uuid(1)], "{name}: --since 2h hid events");
    }
}

#[test]
fn type_and_all_types() {
    let town = Town::new();
    let lines = demo_lines();
    town.write_log(&lines);
    let run =
        town.tool("seance-events").args(["--type", "mail_sent", "--type", "merge_completed"]).run().ok();
    assert_eq!(run.stdout, format!("{}\n{}\n", lines[5], lines[2]));
    let run = town.tool("seance-events").args(["--all-types"]).run().ok();
    let mut all = lines.clone();
    all.reverse();
    assert_eq!(run.stdout, all.join("\n") + "\n");
}

#[test]
fn since_and_until() {
    let town = Town::new();
    town.write_log(&demo_lines());
    let run = town.tool("seance-events").args(["--since", "2026-01-22T10:05:00Z"]).run().ok();
    assert_eq!(ids(&run.stdout), [uuid(3), uuid(2)]);
    let run = town.tool("seance-events").args(["--until", "2026-01-22T10:05:00Z"]).run().ok();
    assert_eq!(ids(&run.stdout), [uuid(1)]);
    let run = town
        .tool("seance-events")
        .args(["--since", "2026-01-22T11:05:00+01:00", "--until", "2026-01-22T10:10:00Z"])
        .run()
        .ok();
    assert_eq!(ids(&run.stdout), [uuid(2)]);
    // Relative times count back from now: the demo events are long past.
    assert_eq!(town.tool("seance-events").args(["--since", "1h"]).run().ok().stdout, "");
    let run = town.tool("seance-events").args(["--since", "tomorrowish"]).run().code(2);
    assert!(run.stderr.starts_with("seance-events: --since: 'tomorrowish' is not a time"), "{}", run.stderr);
}

#[test]
fn events_file_and_stdin_keep_input_order() {
    let town = Town::new();
    let lines = demo_lines();
    let run = tool("seance-events").args(["--events", "-"]).stdin(lines.join("\n")).run().ok();
    assert_eq!(ids(&run.stdout), [uuid(1), uuid(2), uuid(3)]);
    let elsewhere = town.root.join("other.jsonl");
    std::fs::write(&elsewhere, lines.join("\n")).unwrap();
    // A named file is read from its end like the town's log, with no town needed.
    let run = tool("seance-events").args(["--events".as_ref(), elsewhere.as_os_str()]).run().ok();
    assert_eq!(ids(&run.stdout), [uuid(3), uuid(2), uuid(1)]);
}

#[test]
fn malformed_lines_are_counted_and_strict_stops() {
    let town = Town::new();
    let good = start("2026-01-22T10:00:00Z", "mayor", &uuid(1), None);
    let mut log = Vec::new();
    log.extend_from_slice(good.as_bytes());
    log.extend_from_slice(b"\n{\"type\":\"session_start\",\"ts\":\n"); // bad JSON
    log.extend_from_slice(b"[\"session_start\"]\n"); // not an object
    log.extend_from_slice(
        b"{\"type\":\"session_start\",\"ts\":\"2026-01-22T11:00:00Z\",\"actor\":\"\xff\"}\n",
    ); // not UTF-8
    let last_bad_line = log.iter().filter(|&&b| b == b'\n').count() + 1;
    log.extend_from_slice(b"{\"type\":\"session_start\",\"ts\":\"yesterday\"}\n"); // no valid time
    log.extend_from_slice(b"\n   \n"); // blank lines are not malformed
    std::fs::write(town.log(), &log).unwrap();
    let run = town.tool("seance-events").run().code(0);
    assert_eq!(run.stdout, format!("{good}\n"));
    let log_path = town.log().canonicalize().unwrap();
    assert_eq!(
        run.stderr,
        format!(
            "seance-events: skipped 4 malformed lines (first: {}:{last_bad_line}: no valid \"ts\")\n",
            log_path.display()
        )
    );
    let run = town.tool("seance-events").args(["--strict"]).run().code(2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.ends_with("no valid \"ts\"\n"), "{}", run.stderr);
    // On stdin, places are line numbers.
    let run = tool("seance-events").args(["--events", "-"]).stdin(&log).run().code(0);
    assert!(run.stderr.contains("(first: <stdin>:2: invalid JSON:"), "{}", run.stderr);
}

#[test]
fn crlf_and_huge_lines() {
    let town = Town::new();
    let topic = "x".repeat(3 << 20); // a 3 MiB line, bigger than any read chunk
    let huge = start("2026-01-22T10:00:00Z", "mayor", &uuid(1), Some(&topic));
    let small = start("2026-01-22T10:01:00Z", "mayor", &uuid(2), None);
    let noise = format!("{{\"type\":\"mail_sent\",\"body\":\"{}\"}}", "y".repeat(2 << 20));
    std::fs::write(town.log(), format!("{huge}\r\n{noise}\n{small}\r\n")).unwrap();
    let run = town.tool("seance-events").run().ok();
    assert_eq!(run.stdout, format!("{small}\n{huge}\n"));
}

#[test]
fn empty_and_missing_logs_are_empty_results() {
    let town = Town::new();
    town.tool("seance-events").run().ok();
    assert_eq!(town.tool("seance-events").run().ok().stdout, "");
    std::fs::write(town.log(), "").unwrap();
    assert_eq!(town.tool("seance-events").run().ok().stdout, "");
    // -e turns "nothing found" into exit 1.
    town.tool("seance-events").args(["-e"]).run().code(1);
    town.write_log(&demo_lines());
    town.tool("seance-events").args(["--exit-status"]).run().ok();
}

#[test]
fn no_town_is_exit_2_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tool("seance-events").cwd(tmp.path()).run().code(2);
    assert_eq!(run.stdout, "");
    let cwd = tmp.path().canonicalize().unwrap();
    assert_eq!(
        run.stderr,
        format!(
            "seance-events: not in a Gas Town: no mayor/ in {} or above; name one with --town DIR or set GT_TOWN_ROOT\n",
            cwd.display()
        )
    );
    let run = tool("seance-events").args(["--town", "/nonexistent/town"]).run().code(2);
    assert_eq!(run.stderr, "seance-events: --town /nonexistent/town: No such file or directory\n");
}

#[test]
fn town_from_environment_and_nested_towns() {
    let town = Town::new();
    town.write_log(&demo_lines());
    let tmp = tempfile::tempdir().unwrap();
    let run = tool("seance-events").cwd(tmp.path()).env("GT_TOWN_ROOT", &town.root).run().ok();
    assert_eq!(ids(&run.stdout).len(), 3);
    let run = tool("seance-events").cwd(tmp.path()).env("GT_ROOT", &town.root).run().ok();
    assert_eq!(ids(&run.stdout).len(), 3);
    // A town nested inside another: from deep inside, the outermost wins.
    let inner = town.root.join("gastown/crew/joe");
    std::fs::create_dir_all(inner.join("mayor")).unwrap();
    std::fs::write(inner.join("mayor/town.json"), "{}").unwrap();
    std::fs::write(inner.join(".events.jsonl"), "").unwrap();
    let run = tool("seance-events").cwd(&inner).run().ok();
    assert_eq!(ids(&run.stdout).len(), 3);
    // --town overrides discovery.
    let run = tool("seance-events").cwd(&town.root).args(["--town".as_ref(), inner.as_os_str()]).run().ok();
    assert_eq!(run.stdout, "");
}

#[test]
fn closed_stdout_ends_quietly() {
    let town = Town::new();
    let lines: Vec<String> = (0..20_000)
        .map(|i| start(&format!("2026-01-22T10:{:02}:{:02}Z", i / 60 % 60, i % 60), "mayor", &uuid(i), None))
        .collect();
    town.write_log(&lines);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{} | head -1; exit ${{PIPESTATUS:-0}}", bin("seance-events").display()))
        .current_dir(&town.root)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    // The tool's own status, seen through bash's PIPESTATUS.
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("{} | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}", bin("seance-events").display()))
        .current_dir(&town.root)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn follow_emits_appended_events_then_ends_when_the_reader_goes() {
    let town = Town::new();
    town.write_log(&demo_lines());
    // Two events of backlog, in time order, then the new ones below them.
    let mut child =
        town.tool("seance-events").args(["--follow", "-n", "2"]).cmd.stdout(Stdio::piped()).spawn().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    for expected in [uuid(2), uuid(3)] {
        line.clear();
        reader.read_line(&mut line).unwrap();
        assert_eq!(ids(&line), [expected]);
    }
    town.append(&other("2026-01-22T11:00:00Z", "mail_sent", "mayor"));
    town.append(&start("2026-01-22T11:01:00Z", "mayor", &uuid(7), None));
    town.append(&start("2026-01-22T11:02:00Z", "mayor", &uuid(8), None));
    for expected in [uuid(7), uuid(8)] {
        line.clear();
        reader.read_line(&mut line).unwrap();
        assert_eq!(ids(&line), [expected]);
    }
    // Closing the pipe ends the tool even though the log stays quiet.
    drop(reader);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            break;
        }
        assert!(Instant::now() < deadline, "--follow did not notice its reader leave");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A running `seance-events --follow`, its stdout and stderr lines read as they come.
struct Follower {
    child: std::process::Child,
    out: std::sync::mpsc::Receiver<String>,
    err: std::sync::mpsc::Receiver<String>,
}

impl Follower {
    fn start(town: &Town, args: &[&str]) -> Follower {
        let mut child = town
            .tool("seance-events")
            .args(args)
            .cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = |pipe: Box<dyn std::io::Read + Send>| {
            let (send, receive) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if send.send(line).is_err() {
                        break;
                    }
                }
            });
            receive
        };
        let out = lines(Box::new(child.stdout.take().unwrap()));
        let err = lines(Box::new(child.stderr.take().unwrap()));
        // Give it time to read the backlog and start waiting.
        std::thread::sleep(Duration::from_millis(300));
        Follower { child, out, err }
    }

    /// The session ids of the next `n` events it emits.
    fn ids(&self, n: usize) -> Vec<String> {
        (0..n)
            .map(|_| {
                let line = self.out.recv_timeout(Duration::from_secs(10)).expect("no event within 10s");
                ids(&line).remove(0)
            })
            .collect()
    }

    fn nothing_more(&self) {
        assert_eq!(self.out.recv_timeout(Duration::from_millis(700)).ok(), None);
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn event(n: u32) -> String {
    start(&format!("2026-01-22T11:{n:02}:00Z"), "mayor", &uuid(n), None)
}

#[test]
fn follow_survives_rename_rotation_and_loses_no_line_written_before_it() {
    let town = Town::new();
    town.write_log(&demo_lines());
    let follower = Follower::start(&town, &["--follow"]);
    town.append(&event(10));
    assert_eq!(follower.ids(1), [uuid(10)]);
    // Appended just before the rename, then the new log: all between two looks at the log.
    town.append(&event(11));
    std::fs::rename(town.log(), town.root.join(".events.jsonl.1")).unwrap();
    std::fs::write(town.log(), "").unwrap();
    town.append(&event(12));
    assert_eq!(follower.ids(2), [uuid(11), uuid(12)]);
    // The log gone for a while, then back.
    std::fs::rename(town.log(), town.root.join(".events.jsonl.2")).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    town.append(&event(13));
    assert_eq!(follower.ids(1), [uuid(13)]);
    follower.nothing_more();
}

#[test]
fn follow_survives_copy_truncate() {
    let town = Town::new();
    town.write_log(&demo_lines());
    let follower = Follower::start(&town, &["--follow"]);
    town.append(&event(20));
    assert_eq!(follower.ids(1), [uuid(20)]);
    std::fs::copy(town.log(), town.root.join(".events.jsonl.1")).unwrap();
    std::fs::OpenOptions::new().write(true).open(town.log()).unwrap().set_len(0).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    town.append(&event(21));
    assert_eq!(follower.ids(1), [uuid(21)]);
    follower.nothing_more();
}

#[test]
fn follow_waits_for_a_half_written_line_to_be_finished() {
    let town = Town::new();
    town.write_log(&demo_lines());
    let line = event(30);
    let (head, rest) = line.split_at(line.len() / 2);
    // Half a line when the follower starts...
    std::fs::OpenOptions::new().append(true).open(town.log()).unwrap().write_all(head.as_bytes()).unwrap();
    let follower = Follower::start(&town, &["--follow"]);
    std::thread::sleep(Duration::from_millis(300));
    // ...and half a line of a new one while it runs.
    let next = event(31);
    let (head2, rest2) = next.split_at(next.len() / 3);
    let mut log = std::fs::OpenOptions::new().append(true).open(town.log()).unwrap();
    log.write_all(format!("{rest}\n{head2}").as_bytes()).unwrap();
    assert_eq!(follower.ids(1), [uuid(30)]);
    std::thread::sleep(Duration::from_millis(500));
    log.write_all(format!("{rest2}\n").as_bytes()).unwrap();
    assert_eq!(follower.ids(1), [uuid(31)]);
    assert_eq!(follower.err.recv_timeout(Duration::from_millis(500)).ok(), None, "nothing was malformed");
}

#[test]
fn follow_reports_skipped_lines_as_it_goes() {
    let town = Town::new();
    town.write_log(&demo_lines());
    let follower = Follower::start(&town, &["--follow"]);
    town.append(r#"{"type":"session_start","ts":"#);
    let report = follower.err.recv_timeout(Duration::from_secs(10)).expect("no report while following");
    assert!(report.starts_with("seance-events: skipped 1 malformed line (first: "), "{report}");
    town.append(&event(40));
    assert_eq!(follower.ids(1), [uuid(40)]);
}

#[test]
fn follow_prints_no_backlog_unless_asked() {
    let town = Town::new();
    town.write_log(&demo_lines());
    let follower = Follower::start(&town, &["--follow"]);
    town.append(&event(50));
    assert_eq!(follower.ids(1), [uuid(50)]);
    drop(follower);
    let follower = Follower::start(&town, &["--follow", "-n", "10"]);
    assert_eq!(follower.ids(4), [uuid(1), uuid(2), uuid(3), uuid(50)]);
    follower.nothing_more();
    // Without --follow, -n is the newest N, newest first.
    let run = town.tool("seance-events").args(["-n", "2"]).run().ok();
    assert_eq!(ids(&run.stdout), [uuid(50), uuid(3)]);
}

#[test]
fn follow_waits_for_a_missing_log() {
    let town = Town::new();
    let mut child = town.tool("seance-events").args(["-f"]).cmd.stdout(Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    town.append(&start("2026-01-22T11:01:00Z", "mayor", &uuid(9), None));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(ids(&line), [uuid(9)]);
    child.kill().unwrap();
    child.wait().unwrap();
}
