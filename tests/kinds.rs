//! Both kinds of record everywhere: seance-sessions records and seance-grep hits rendered by
//! seance-fmt, read by seance-show and the picker; and the listing marking sessions whose
//! transcript is in no account.

use crate::search::corpus;
use crate::util::{start, tool, uuid};

const RULE_80: &str = "────────────────────────────────────────────────────────────────────────────────";

#[test]
fn fmt_renders_session_records_as_their_own_table() {
    let (w, ids) = corpus();
    let listed = w.tool("seance-sessions").run().ok().stdout;
    let fmt = |args: &[&str]| w.tool("seance-fmt").args(args).stdin(&listed).run().ok().stdout;
    // ROLE/ACCOUNT is the town's actor when it logged the session, else the account; TITLE the
    // title, else the first prompt; cells cut by display width to fit --width.
    assert_eq!(
        fmt(&["--format", "table", "--time", "utc", "--width", "80"]),
        format!(
            "SESSION_ID    ROLE/ACCOUNT            MODIFIED          TITLE
{RULE_80}
00000003-00…  two                     2023-11-14 22:18  unlogged account two
00000002-00…  gastown/crew/joe        2023-11-14 22:16  say it with a quote \" a…
00000001-00…  one                     2023-11-14 22:15  Where did you put the m…
"
        )
    );
    // Local time by default (the tests' zone is +05:30), no header on request; TITLE keeps 8
    // columns however narrow the width.
    assert_eq!(
        fmt(&["--format", "table", "--no-header", "--width", "60"]),
        "00000003-00…  two                     2023-11-15 03:48  unlogge…
00000002-00…  gastown/crew/joe        2023-11-15 03:46  say it …
00000001-00…  one                     2023-11-15 03:45  Where d…
"
    );
    // fzf: the full id, a tab, the table row.
    let fzf = fmt(&["--format", "fzf", "--time", "utc", "--width", "70"]);
    assert_eq!(
        fzf.lines().next().unwrap(),
        format!("{}\t00000003-00…  two                     2023-11-14 22:18  unlogged acco…", ids[2])
    );
    // tsv: full id, who, RFC 3339 time, the title text escaped; nothing coloured.
    assert_eq!(
        fmt(&[]),
        format!(
            "{}\ttwo\t2023-11-14T22:18:20Z\tunlogged account two\n\
             {}\tgastown/crew/joe\t2023-11-14T22:16:40Z\tsay it with a quote \" a backslash \\\\ a\\ttab and ça 日本語\n\
             {}\tone\t2023-11-14T22:15:00Z\tWhere did you put the migration plan?\n",
            ids[2], ids[1], ids[0]
        )
    );
    assert_eq!(fmt(&["--format", "ids"]), format!("{}\n{}\n{}\n", ids[2], ids[1], ids[0]));
    let json: serde_json::Value = serde_json::from_str(&fmt(&["--format", "json"])).unwrap();
    let lines: Vec<serde_json::Value> = listed.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(json, serde_json::Value::Array(lines));
}

#[test]
fn a_session_records_title_wins_over_its_first_prompt() {
    let record = |title: &str, prompt: &str| {
        format!(
            r#"{{"session_id":"{}","account":"work","modified":"2026-01-22T10:00:00.000Z","title":{title},"first_prompt":{prompt},"actor":null}}"#,
            uuid(9)
        )
    };
    let input =
        [record("\"Fix the bug\"", "\"please\""), record("null", "\"please\""), record("null", "null")];
    let run = tool("seance-fmt")
        .args(["--format", "table", "--no-header", "--time", "utc", "--width", "70"])
        .stdin(input.join("\n"))
        .run()
        .ok();
    assert_eq!(
        run.stdout,
        "00000009-00…  work                    2026-01-22 10:00  Fix the bug
00000009-00…  work                    2026-01-22 10:00  please
00000009-00…  work                    2026-01-22 10:00  -
"
    );
}

#[test]
fn a_mixed_stream_starts_a_table_where_the_kind_changes() {
    let (w, ids) = corpus();
    let listed = w.tool("seance-sessions").args(["-n", "1"]).run().ok().stdout;
    let hits = w.tool("seance-grep").args(["-F", "ORCHID"]).run_without_stdin().ok().stdout;
    let event = start("2026-01-22T10:06:00Z", "gastown/crew/joe", &ids[1], Some("patrol"));
    let mixed = format!("{event}\n{listed}{hits}{event}\n");
    let run = w
        .tool("seance-fmt")
        .args(["--format", "table", "--time", "utc", "--width", "80"])
        .stdin(&mixed)
        .run()
        .ok();
    assert_eq!(
        run.stdout,
        format!(
            "SESSION_ID    ROLE                        STARTED           TOPIC
{RULE_80}
00000002-00…  gastown/crew/joe            2026-01-22 10:06  patrol

SESSION_ID    ROLE/ACCOUNT            MODIFIED          TITLE
{RULE_80}
00000003-00…  two                     2023-11-14 22:18  unlogged account two

SESSION_ID    ROLE                    KIND         TEXT
{RULE_80}
00000003-00…  -                       assistant    only account two knows the O…

SESSION_ID    ROLE                        STARTED           TOPIC
{RULE_80}
00000002-00…  gastown/crew/joe            2026-01-22 10:06  patrol
"
        )
    );
    // Without headers the rows follow each other; tsv gives each record its own fields.
    let run = w.tool("seance-fmt").args(["--format", "tsv"]).stdin(&mixed).run().ok();
    assert_eq!(
        run.lines(),
        [
            format!("{}\tgastown/crew/joe\t2026-01-22T10:06:00Z\tpatrol", ids[1]),
            format!("{}\ttwo\t2023-11-14T22:18:20Z\tunlogged account two", ids[2]),
            format!("{}\t-\tassistant\tonly account two knows the ORCHID word", ids[2]),
            format!("{}\tgastown/crew/joe\t2026-01-22T10:06:00Z\tpatrol", ids[1]),
        ]
    );
}

/// The corpus with a log naming a session that exists (account one) and one whose transcript
/// is in no account.
fn logged_with_one_gone() -> (crate::world::World, Vec<String>, String) {
    let (w, ids) = corpus();
    let gone = uuid(7);
    let log = [
        start("2026-01-22T09:00:00Z", "gastown/crew/joe", &ids[1], Some("migration")),
        start("2026-01-22T08:00:00Z", "beads/polecats/nux", &gone, Some("cleanup")),
    ];
    std::fs::write(w.town.join(".events.jsonl"), log.join("\n") + "\n").unwrap();
    (w, ids, gone)
}

/// `seance-events | seance-filter ARGS | seance-fmt FMT` in the world.
fn pipeline(w: &crate::world::World, filter: &str, fmt: &str) -> String {
    let bin = |name: &str| crate::util::bin(name).display().to_string();
    let script =
        format!("{} | {} {filter} | {} {fmt}", bin("seance-events"), bin("seance-filter"), bin("seance-fmt"));
    w.tool("seance").program("sh", ["-c", &script]).run().ok().stdout
}

#[test]
fn the_listing_marks_sessions_whose_transcript_is_gone() {
    let (w, _, _) = logged_with_one_gone();
    let table = ["--format", "table", "--time", "utc", "--width", "80", "--mark-absent"];
    let run = w.tool("seance").args(table).run().ok();
    assert_eq!(
        run.stdout,
        format!(
            "SESSION_ID    ROLE                        STARTED           TOPIC
{RULE_80}
00000002-00…  gastown/crew/joe            2026-01-22 09:00  migration
00000007-00…  beads/polecats/nux          2026-01-22 08:00  ✗ gone  cleanup
"
        )
    );
    // The wrapper is still the pipeline, with the same flag on seance-fmt.
    assert_eq!(run.stdout, pipeline(&w, "-n 20", &table.join(" ")));
    // Too narrow a TOPIC for the word keeps the ✗.
    let run =
        w.tool("seance-fmt").args(["--format", "table", "--width", "50", "--no-header", "--mark-absent"]);
    let events = w.tool("seance-events").run().ok().stdout;
    assert_eq!(
        run.stdin(&events).run().ok().stdout,
        format!(
            "{}\n00000007-00…  beads/p…  2026-01-22 13:30  ✗  clea…\n",
            "00000002-00…  gastown…  2026-01-22 14:30  migrati…"
        )
    );
    // Only the table is marked: tsv, json and ids are the pipeline's, unchanged.
    for format in ["tsv", "json", "ids", "fzf"] {
        let run = w.tool("seance").args(["--format", format, "--mark-absent"]).run().ok();
        assert_eq!(run.stdout, pipeline(&w, "-n 20", &format!("--format {format}")), "{format}");
        assert!(!run.stdout.contains('✗'), "{format}: {}", run.stdout);
    }
    assert!(!pipeline(&w, "-n 20", "--format tsv").is_empty());
}

#[test]
fn on_a_terminal_the_listing_marks_without_being_asked_and_says_why() {
    let (w, _, _) = logged_with_one_gone();
    let run = w.tool("seance").args(["--color", "never", "--time", "utc"]).run_on_terminal(100);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("0000000")).collect();
    assert_eq!(
        rows,
        [
            "00000002-00…  gastown/crew/joe            2026-01-22 09:00  migration",
            "00000007-00…  beads/polecats/nux          2026-01-22 08:00  ✗ gone  cleanup",
        ]
    );
    assert!(
        run.stdout.contains(
            "\n✗ gone: no transcript in any account (deleted after cleanupPeriodDays?): cannot be resumed\n\nTalk to a predecessor:"
        ),
        "{}",
        run.stdout
    );
    // With every session on disk there is no mark and no note.
    let run = w.tool("seance").args(["--color", "never", "--session", "00000002"]).run_on_terminal(100);
    assert!(!run.stdout.contains('✗'), "{}", run.stdout);
}

#[test]
fn show_reads_the_sessions_that_records_on_stdin_name() {
    let (w, ids) = corpus();
    let show = |id: &str| w.tool("seance-show").args(["-n", "0", id]).run().ok().stdout;
    // seance-grep -l names one session: the same as naming it.
    let listed = w.tool("seance-grep").args(["-l", "-F", "ORCHID"]).run_without_stdin().ok().stdout;
    let run = w.tool("seance-show").args(["-n", "0"]).stdin(&listed).run().ok();
    assert_eq!(run.stdout, show(&ids[2]));
    // Several hits of one session show it once; several sessions are told apart as head does.
    let hits = w.tool("seance-grep").args(["-i", "plan"]).run_without_stdin().ok().stdout;
    assert!(hits.lines().count() > 2, "{hits}");
    let run = w.tool("seance-show").args(["-n", "0"]).stdin(&hits).run().ok();
    assert_eq!(
        run.stdout,
        format!("==> {} <==\n{}\n==> {} <==\n{}", ids[1], show(&ids[1]), ids[0], show(&ids[0]))
    );
    // Session records, and a line that names nothing: said, the rest shown, exit 2.
    let records = w.tool("seance-sessions").run().ok().stdout;
    let input = format!("{{\"no\":\"id\"}}\n{records}");
    let run = w.tool("seance-show").args(["-n", "0"]).stdin(&input).run().code(2);
    assert_eq!(run.stderr, "seance-show: <stdin>:1: no session id on this line\n");
    let expected: Vec<String> =
        [&ids[2], &ids[1], &ids[0]].iter().map(|id| format!("==> {id} <==\n{}", show(id))).collect();
    assert_eq!(run.stdout, expected.join("\n"));
    // Nothing on stdin and no ID is still a usage error.
    let run = w.tool("seance-show").run().code(2);
    assert_eq!(run.stderr, "seance-show: a session id is required (try 'seance-show --help')\n");
}

#[test]
fn fmt_renders_grep_l_records_with_their_hit_counts() {
    let (w, ids) = corpus();
    let listed = w.tool("seance-grep").args(["-l", "-i", "plan"]).run_without_stdin().ok().stdout;
    let fmt = |args: &[&str]| w.tool("seance-fmt").args(args).stdin(&listed).run().ok().stdout;
    assert_eq!(
        fmt(&["--format", "table", "--width", "80"]),
        format!(
            "SESSION_ID    ROLE                    HITS    TOPIC
{RULE_80}
00000002-00…  gastown/crew/joe        2       migration
00000001-00…  -                       5       -
"
        )
    );
    assert_eq!(fmt(&[]), format!("{}\tgastown/crew/joe\t2\tmigration\n{}\t\t5\t\n", ids[1], ids[0]));
    assert_eq!(fmt(&["--format", "ids"]), format!("{}\n{}\n", ids[1], ids[0]));
}
