//! seance-fmt: gt's table to the column, and the machine formats.

use crate::util::*;

fn events() -> String {
    [
        start("2026-01-22T10:06:00Z", "gastown/crew/joe", &uuid(1), Some("patrol")),
        start("2026-01-22T10:05:00Z", "gastown/polecats/a-very-long-polecat-name", &uuid(2), None),
        start(
            "2026-01-22T10:04:00Z",
            "beads/witness",
            &uuid(3),
            Some("日本語のトピックはとても長いですね本当に"),
        ),
        start(
            "2026-01-22T10:03:00Z",
            "beads/refinery",
            &uuid(4),
            Some("cafe\u{301} cafe\u{301} cafe\u{301} cafe\u{301} cafe\u{301}"),
        ),
        start("2026-01-22T10:02:00Z", "mayor", "mayor-4242", Some("tab\there")),
    ]
    .join("\n")
}

fn fmt(args: &[&str]) -> String {
    tool("seance-fmt").args(args).stdin(events()).run().ok().stdout
}

const RULE: &str = "────────────────────────────────────────────────────────────────────────────────────────";

#[test]
fn table_is_gts_listing_in_local_time() {
    // TZ is IST-5:30 in every test: 10:06Z shows as 15:36.
    let expected = format!(
        "SESSION_ID    ROLE                        STARTED           TOPIC
{RULE}
00000001-00…  gastown/crew/joe            2026-01-22 15:36  patrol
00000002-00…  gastown/polecats/a-very-l…  2026-01-22 15:35  -
00000003-00…  beads/witness               2026-01-22 15:34  日本語のトピックはとても長…
00000004-00…  beads/refinery              2026-01-22 15:33  cafe\u{301} cafe\u{301} cafe\u{301} cafe\u{301} cafe\u{301}
mayor-4242    mayor                       2026-01-22 15:32  tab here
"
    );
    assert_eq!(fmt(&["--format", "table"]), expected);
}

#[test]
fn table_cuts_by_display_width() {
    let long = start(
        "2026-01-22T10:04:00Z",
        "beads/witness",
        &uuid(3),
        Some("ab日本語のトピックはとても長いですね本当に"),
    );
    let run = tool("seance-fmt").args(["--format", "table", "--no-header"]).stdin(long).run().ok();
    // 27 columns of text then the ellipsis: a wide character that would straddle the cut is
    // left out, and the cell is padded to nothing at the end of the line.
    assert_eq!(
        run.stdout,
        "00000003-00…  beads/witness               2026-01-22 15:34  ab日本語のトピックはとても…\n"
    );
    let combining = start("2026-01-22T10:04:00Z", "mayor", &uuid(3), Some(&"e\u{301}".repeat(40)));
    let run = tool("seance-fmt").args(["--format", "table", "--no-header"]).stdin(combining).run().ok();
    assert!(run.stdout.ends_with(&format!("  {}…\n", "e\u{301}".repeat(27))), "{}", run.stdout);
}

#[test]
fn width_shrinks_topic_then_role() {
    let out = fmt(&["--format", "table", "--width", "70"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "SESSION_ID    ROLE                        STARTED           TOPIC");
    assert_eq!(lines[1].chars().count(), 70);
    assert_eq!(lines[2], "00000001-00…  gastown/crew/joe            2026-01-22 15:36  patrol");
    assert_eq!(lines[4], "00000003-00…  beads/witness               2026-01-22 15:34  日本語の…");
    let out = fmt(&["--format", "table", "--width", "50", "--no-header"]);
    assert_eq!(out.lines().nth(1).unwrap(), "00000002-00…  gastown…  2026-01-22 15:35  -");
}

#[test]
fn times_utc_and_relative() {
    let out = fmt(&["--format", "table", "--time", "utc", "--no-header"]);
    assert!(out.starts_with("00000001-00…  gastown/crew/joe            2026-01-22 10:06  patrol\n"), "{out}");
    let recent = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(150);
    let line = start(&recent.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(), "mayor", &uuid(1), None);
    let run = tool("seance-fmt")
        .args(["--format", "table", "--no-header", "--time", "relative"])
        .stdin(&line)
        .run()
        .ok();
    assert_eq!(run.stdout, "00000001-00…  mayor                       2h ago            -\n");
    let run = tool("seance-fmt").args(["--format", "tsv", "--time", "relative"]).stdin(&line).run().ok();
    assert_eq!(run.stdout, format!("{}\tmayor\t2h ago\t\n", uuid(1)));
}

#[test]
fn tsv_is_the_default_off_a_terminal() {
    let expected = format!(
        "{}\tgastown/crew/joe\t2026-01-22T10:06:00Z\tpatrol\n\
         {}\tgastown/polecats/a-very-long-polecat-name\t2026-01-22T10:05:00Z\t\n",
        uuid(1),
        uuid(2)
    );
    let out = fmt(&[]);
    assert!(out.starts_with(&expected), "{out}");
    assert!(out.ends_with("mayor-4242\tmayor\t2026-01-22T10:02:00Z\ttab\\there\n"), "{out}");
    assert_eq!(
        fmt(&["--format", "tsv", "--time", "local"]).lines().next().unwrap(),
        format!("{}\tgastown/crew/joe\t2026-01-22T15:36:00+05:30\tpatrol", uuid(1))
    );
}

#[test]
fn fzf_ids_and_json() {
    let out = fmt(&["--format", "fzf"]);
    assert_eq!(
        out.lines().next().unwrap(),
        format!("{}\t00000001-00…  gastown/crew/joe            2026-01-22 15:36  patrol", uuid(1))
    );
    assert_eq!(
        fmt(&["--format", "ids"]),
        format!("{}\n{}\n{}\n{}\nmayor-4242\n", uuid(1), uuid(2), uuid(3), uuid(4))
    );
    let one = r#"{"ts":"2026-01-22T10:00:00Z","type":"session_start","n":267777777777777777777777,"payload":{"session_id":"x","e":{}}}"#;
    let run = tool("seance-fmt").args(["--format", "json"]).stdin(format!("{one}\n{one}\n")).run().ok();
    let element = "  {\n    \"ts\": \"2026-01-22T10:00:00Z\",\n    \"type\": \"session_start\",\n    \"n\": 267777777777777777777777,\n    \"payload\": {\n      \"session_id\": \"x\",\n      \"e\": {}\n    }\n  }";
    assert_eq!(run.stdout, format!("[\n{element},\n{element}\n]\n"));
    let parsed: serde_json::Value = serde_json::from_str(&fmt(&["--format", "json"])).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 5);
}

#[test]
fn empty_input() {
    let empty = |format: &str| tool("seance-fmt").args(["--format", format]).run().ok().stdout;
    assert_eq!(
        empty("table"),
        "No session events found.\nSessions are discovered from ~/gt/.events.jsonl\nEnsure SessionStart hooks emit session_start events\n"
    );
    assert_eq!(empty("json"), "[]\n");
    assert_eq!(empty("tsv"), "");
    assert_eq!(empty("ids"), "");
}

#[test]
fn colour_follows_flag_terminal_and_environment() {
    let bold_header = "\u{1b}[1mSESSION_ID";
    assert!(fmt(&["--format", "table", "--color", "always"]).starts_with(bold_header));
    assert!(!fmt(&["--format", "table", "--color", "auto"]).contains('\u{1b}'));
    // Machine formats are never coloured.
    assert!(!fmt(&["--format", "tsv", "--color", "always"]).contains('\u{1b}'));
    // On a terminal the default is a coloured table...
    let run = tool("seance-fmt").stdin(events()).run_on_terminal(120);
    assert!(run.stdout.starts_with(bold_header), "{:?}", run.stdout);
    // ...unless NO_COLOR is set and not empty, or TERM is dumb.
    let run = tool("seance-fmt").stdin(events()).env("NO_COLOR", "1").run_on_terminal(120);
    assert!(run.stdout.starts_with("SESSION_ID"), "{:?}", run.stdout);
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
    let run = tool("seance-fmt").stdin(events()).env("TERM", "dumb").run_on_terminal(120);
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
    tool("seance-fmt").args(["--color", "sometimes"]).run().code(2);
}

#[test]
fn strict_stops_at_a_bad_line() {
    let input = format!("{}\nnot json\n", start("2026-01-22T10:00:00Z", "mayor", &uuid(1), None));
    let run = tool("seance-fmt").args(["--format", "ids"]).stdin(&input).run().code(0);
    assert_eq!(run.stdout, format!("{}\n", uuid(1)));
    assert_eq!(run.stderr, "seance-fmt: skipped 1 malformed line (first: <stdin>:2: not a JSON object)\n");
    let run = tool("seance-fmt").args(["--format", "ids", "--strict"]).stdin(&input).run().code(2);
    assert_eq!(run.stderr, "seance-fmt: <stdin>:2: not a JSON object\n");
}

#[test]
fn a_deeply_nested_event_is_refused_not_re_indented() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let event = format!(
        r#"{{"ts":"2026-01-22T10:00:00Z","type":"session_start","payload":{{"session_id":"{}","x":{deep}}}}}"#,
        uuid(1)
    );
    let input = format!("{event}\n{}\n", start("2026-01-22T10:01:00Z", "mayor", &uuid(2), None));
    let run = tool("seance-fmt").args(["--format", "json"]).stdin(&input).run().code(0);
    assert_eq!(
        run.stderr,
        "seance-fmt: skipped 1 malformed line (first: <stdin>:1: nested deeper than 64 levels)\n"
    );
    assert!(run.stdout.len() < 2_000, "{} bytes", run.stdout.len());
    assert!(run.stdout.contains(&uuid(2)));
    tool("seance-fmt").args(["--format", "json", "--strict"]).stdin(&input).run().code(2);
}

#[test]
fn no_control_or_format_character_reaches_any_format() {
    // An id with a newline that names a real session after it, a topic with ESC and a bidi
    // override, an actor with an isolate, C1 and DEL raw in a JSON string.
    let hostile = format!(
        r#"{{"ts":"2026-01-22T10:00:00Z","type":"session_start","actor":"gastown/crew/\u2066joe","payload":{{"session_id":"abcd1234\n{}","topic":"\u001b[2Jevil\u202etxt.exe\u0085\u007f"}}}}"#,
        uuid(7)
    );
    let input = format!("{hostile}\n{}\n", start("2026-01-22T10:01:00Z", "mayor", &uuid(2), Some("fine")));
    let hidden = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
    };
    for format in ["table", "tsv", "fzf", "json", "ids"] {
        let run = tool("seance-fmt").args(["--format", format, "--color", "never"]).stdin(&input).run();
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert!(!run.stdout.chars().any(hidden), "{format}: {:?}", run.stdout);
        assert!(!run.stderr.chars().any(hidden), "{format}: {:?}", run.stderr);
        assert!(run.stdout.contains(&uuid(2)[..11]), "{format}");
    }
    // ids: the hostile id is left out, and said; it never becomes two lines.
    let run = tool("seance-fmt").args(["--format", "ids"]).stdin(&input).run();
    assert_eq!(run.stdout, format!("{}\n", uuid(2)));
    assert_eq!(
        run.stderr,
        "seance-fmt: left out 1 event whose session_id is not a session id (first: 'abcd1234\\n00000007-0000-4000-8000-000000000007')\n"
    );
    // tsv and fzf: one line per event, the id escaped.
    let tsv = tool("seance-fmt").args(["--format", "tsv"]).stdin(&input).run().ok().stdout;
    assert_eq!(tsv.lines().count(), 2);
    assert!(tsv.starts_with(&format!("abcd1234\\n{}\tgastown/crew/\\u{{2066}}joe\t", uuid(7))), "{tsv}");
    assert!(tsv.contains("\\u{001b}[2Jevil\\u{202e}txt.exe\\u{0085}\\u{007f}"), "{tsv}");
    assert_eq!(
        tool("seance-fmt").args(["--format", "fzf"]).stdin(&input).run().ok().stdout.lines().count(),
        2
    );
    // json: the same values, escaped.
    let json = tool("seance-fmt").args(["--format", "json"]).stdin(&input).run().ok().stdout;
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed[0]["payload"]["topic"], "\u{1b}[2Jevil\u{202e}txt.exe\u{85}\u{7f}");
    // The table keeps its columns.
    let table =
        tool("seance-fmt").args(["--format", "table", "--color", "never"]).stdin(&input).run().ok().stdout;
    assert!(table.lines().nth(2).unwrap().starts_with("abcd1234 00…  gastown/crew/joe"), "{table}");
}

#[test]
fn grep_hits_are_a_table_with_the_match_marked_only_in_colour() {
    let hits = [
        r#"{"session_id":"00000001-0000-4000-8000-000000000001","path":"/x.jsonl","record":3,"ts":"2026-01-22T10:00:00Z","kind":"text","text":"the NEEDLE is here","match":[4,10],"actor":"gastown/crew/joe","role":"crew","rig":"gastown","topic":null}"#,
        r#"{"session_id":"00000001-0000-4000-8000-000000000001","path":"/x.jsonl","record":5,"ts":"2026-01-22T10:00:01Z","kind":"tool_result","text":"a long line where the needle comes after the cut NEEDLE","match":[49,55]}"#,
        r#"{"session_id":"00000002-0000-4000-8000-000000000002","path":"/y.jsonl","record":1,"ts":null,"kind":"text","text":"NEEDLE","match":[0,6]}"#,
    ]
    .join("\n");
    let run = |args: &[&str]| tool("seance-fmt").args(args).stdin(hits.clone()).run().ok().stdout;
    let rule = &RULE[..80 * "─".len()];
    assert_eq!(
        run(&["--format", "table", "--width", "80"]),
        format!(
            "SESSION_ID    ROLE                    KIND         TEXT
{rule}
00000001-00…  gastown/crew/joe        text         the NEEDLE is here
00000001-00…  -                       tool_result  a long line where the needle…
00000002-00…  -                       text         NEEDLE
"
        )
    );
    // The match is marked where it is shown; one cut off is not, and the … never is.
    assert_eq!(
        run(&["--format", "table", "--width", "80", "--color", "always", "--no-header"]),
        "\
00000001-00…  gastown/crew/joe        text         the \x1b[1m\x1b[31mNEEDLE\x1b[39m\x1b[0m is here
00000001-00…  -                       tool_result  a long line where the needle…
00000002-00…  -                       text         \x1b[1m\x1b[31mNEEDLE\x1b[39m\x1b[0m
"
    );
    assert_eq!(
        run(&["--format", "tsv", "--color", "always"]),
        "\
00000001-0000-4000-8000-000000000001\tgastown/crew/joe\ttext\tthe NEEDLE is here
00000001-0000-4000-8000-000000000001\t-\ttool_result\ta long line where the needle comes after the cut NEEDLE
00000002-0000-4000-8000-000000000002\t-\ttext\tNEEDLE
"
    );
    assert_eq!(
        run(&["--format", "ids"]),
        "00000001-0000-4000-8000-000000000001\n00000002-0000-4000-8000-000000000002\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&["--format", "json", "--color", "always"])).unwrap();
    assert_eq!(json[2]["match"], serde_json::json!([0, 6]));
}
