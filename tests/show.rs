//! seance-show on transcripts with user and assistant text, tool calls, tool results,
//! bookkeeping records and huge lines.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::util::{start, uuid};
use crate::world::*;

/// A transcript line as Claude Code writes it.
fn record(kind: &str, minute: u32, content: &str) -> String {
    format!(
        r#"{{"parentUuid":null,"isSidechain":false,"type":"{kind}","message":{{"role":"{kind}","content":{content}}},"uuid":"u{minute}","timestamp":"2026-01-22T10:{minute:02}:00.000Z"}}"#
    )
}

fn conversation() -> Vec<String> {
    vec![
        r#"{"type":"summary","summary":"Migration","leafUuid":"u9"}"#.to_string(),
        record("user", 1, r#""Where did you put the migration plan?""#),
        record("assistant", 2, r#"[{"type":"thinking","thinking":"secret musings"},{"type":"text","text":"Let me look.\n\nIt should be in docs."}]"#),
        record("assistant", 2, r#"[{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"ls   docs/\n| head","description":"List docs"}}]"#),
        record("user", 3, r#"[{"type":"tool_result","tool_use_id":"t1","content":"plan.md\nnotes.md"}]"#),
        r#"{"type":"user","isMeta":true,"message":{"role":"user","content":"<local-command-stdout>x</local-command-stdout>"},"timestamp":"2026-01-22T10:03:30.000Z"}"#.to_string(),
        record("assistant", 4, r#"[{"type":"tool_use","id":"t2","name":"Read","input":{"file_path":"/w/docs/plan.md"}},{"type":"tool_use","id":"t3","name":"TodoWrite","input":{"todos":[{"content":"a"}]}}]"#),
        record("assistant", 5, r#"[{"type":"text","text":"In docs/plan.md."}]"#),
        r#"{"type":"file-history-snapshot","messageId":"m","snapshot":{}}"#.to_string(),
        record("user", 6, r#"[{"type":"text","text":"Thanks"}]"#),
    ]
}

/// Who the session was, what about, where it is kept and how long ago it changed.
const HEADER: &str = "gastown/crew/joe · topic: migration · account: two · 3h ago";

/// What the whole conversation looks like (TZ is +05:30 in tests), under the header.
const WHOLE: &str = "\
gastown/crew/joe · topic: migration · account: two · 3h ago
[2026-01-22 15:31] user
  Where did you put the migration plan?
[2026-01-22 15:32] assistant
  Let me look.
  
  It should be in docs.
  → Bash: ls docs/ | head
  → Read: /w/docs/plan.md
  → TodoWrite: {\"todos\":[{\"content\":\"a\"}]}
  In docs/plan.md.
[2026-01-22 15:36] user
  Thanks
";

fn world_with(lines: &[String]) -> (World, String) {
    let w = World::new();
    let id = uuid(7);
    let file = w.session(&w.two, Path::new("/srv/other"), &id);
    fs::write(&file, lines.join("\n") + "\n").unwrap();
    let three_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 3600 + 30);
    fs::File::options().write(true).open(&file).unwrap().set_modified(three_hours_ago).unwrap();
    let event = start("2026-01-22T10:00:00Z", "gastown/crew/joe", &id, Some("migration"));
    fs::write(w.town.join(".events.jsonl"), event + "\n").unwrap();
    (w, id)
}

#[test]
fn whole_conversation_with_tool_calls_in_one_line_each() {
    let (w, id) = world_with(&conversation());
    let run = w.tool("seance-show").args(["-n", "0", &id]).run().ok();
    assert_eq!(run.stdout, WHOLE);
    // From the end, with a limit larger than the conversation: the same text.
    let run = w.tool("seance-show").args(["-n", "100", &id]).run().ok();
    assert_eq!(run.stdout, WHOLE);
}

#[test]
fn last_lines_only_and_prefix_ids() {
    let (w, id) = world_with(&conversation());
    let run = w.tool("seance-show").args(["--lines", "4", &id[..8]]).run().ok();
    let all: Vec<&str> = WHOLE.lines().collect();
    // The header is one of the lines, so a preview pane shows it and the end of the talk.
    assert_eq!(run.lines()[0], HEADER);
    assert_eq!(run.lines()[1..], all[all.len() - 3..]);
    // fzf tells its preview pane's height in the environment.
    let run = w.tool("seance-show").args([&id]).env("FZF_PREVIEW_LINES", "3").run().ok();
    assert_eq!(run.stdout, format!("{HEADER}\n[2026-01-22 15:36] user\n  Thanks\n"));
    let run = w.tool("seance-show").args(["-n", "1", &id]).run().ok();
    assert_eq!(run.stdout, format!("{HEADER}\n"));
}

#[test]
fn time_styles_and_colour() {
    let (w, id) = world_with(&conversation());
    let run = w.tool("seance-show").args(["-n", "3", "--time", "utc", &id]).run().ok();
    assert_eq!(run.stdout, format!("{HEADER}\n[2026-01-22 10:06] user\n  Thanks\n"));
    let run = w.tool("seance-show").args(["-n", "3", "--color", "always", &id]).run().ok();
    assert_eq!(
        run.stdout,
        format!("\x1b[1m{HEADER}\x1b[0m\n\x1b[1m[2026-01-22 15:36] user\x1b[0m\n  Thanks\n")
    );
    let run = w.tool("seance-show").args(["-n", "5", "--color", "always", &id]).run().ok();
    assert!(run.lines()[1].starts_with("  \x1b[2m→ TodoWrite"), "{}", run.stdout);
}

#[test]
fn huge_lines_are_cut_and_malformed_lines_skipped() {
    let mut lines = conversation();
    let huge = "x".repeat(3 << 20);
    lines.push(record("assistant", 7, &format!(r#"[{{"type":"text","text":"{huge}"}}]"#)));
    lines.push(record("user", 8, &format!(r#""{huge}""#)));
    lines.push(r#"{"type":"user","message":{"role":"user","content":"half a li"#.to_string());
    let (w, id) = world_with(&lines);
    let run = w.tool("seance-show").args(["-n", "5", &id]).run().ok();
    let out = &run.lines()[1..];
    assert_eq!(out.len(), 4);
    assert_eq!(out[0], "[2026-01-22 15:37] assistant");
    assert_eq!(out[1], format!("  {}…", "x".repeat(499)));
    assert_eq!(out[2], "[2026-01-22 15:38] user");
    assert_eq!(out[3].chars().count(), 502);
}

#[test]
fn a_hundred_megabyte_transcript_is_read_from_its_end() {
    // 100 MB of tool results before the last exchange; --lines 2 must not parse them all. The
    // proof of "from the end" is the benchmark; here it is that the answer is right.
    let w = World::new();
    let id = uuid(8);
    let file = w.session(&w.one, Path::new("/srv/big"), &id);
    let mut out = fs::OpenOptions::new().append(true).open(&file).unwrap();
    let filler =
        record("user", 10, &format!(r#"[{{"type":"tool_result","content":"{}"}}]"#, "y".repeat(1 << 20)));
    for _ in 0..100 {
        writeln!(out, "{filler}").unwrap();
    }
    writeln!(out, "{}", record("assistant", 11, r#"[{"type":"text","text":"done"}]"#)).unwrap();
    drop(out);
    // Tool results show nothing, so "done" continues the assistant's earlier turn.
    let run = w.tool("seance-show").args(["-n", "4", &id]).run().ok();
    assert_eq!(run.lines()[1..], ["[2026-01-22 15:30] assistant", "  In docs/plan.md", "  done"]);
}

#[test]
fn unknown_ambiguous_and_missing_ids() {
    let (w, id) = world_with(&conversation());
    let run = w.tool("seance-show").args(["dead0000"]).run().code(3);
    assert_eq!(
        run.stderr,
        format!("seance-show: no session matches 'dead0000' (searched {})\n", w.searched())
    );
    let run = w.tool("seance-show").run().code(2);
    assert_eq!(run.stderr, "seance-show: a session id is required (try 'seance-show --help')\n");
    let run = w.tool("seance-show").args(["../../etc/passwd"]).run().code(2);
    assert!(run.stderr.contains("is not a session id"), "{}", run.stderr);
    w.tool("seance-show").args([&id, &id]).run().code(2);
}

#[test]
fn markdown_for_a_handoff_with_tool_calls_folded() {
    let (w, id) = world_with(&conversation());
    let run = w.tool("seance-show").args(["--format", "md", &id]).run().ok();
    assert_eq!(
        run.stdout,
        format!(
            "# Session {id}\n\n{HEADER}\n\n### user · 2026-01-22 15:31\n\nWhere did you put the migration plan?\n\n\
             ### assistant · 2026-01-22 15:32\n\nLet me look.\n\nIt should be in docs.\n\n- `Bash: ls docs/ | head`\n\
             - `Read: /w/docs/plan.md`\n- `TodoWrite: {{\"todos\":[{{\"content\":\"a\"}}]}}`\n\nIn docs/plan.md.\n\n\
             ### user · 2026-01-22 15:36\n\nThanks\n"
        )
    );
    // -n counts records here: the last two, and colour never gets into Markdown.
    let run = w.tool("seance-show").args(["--format", "md", "-n", "2", "--color", "always", &id]).run().ok();
    assert_eq!(
        run.stdout,
        format!(
            "# Session {id}\n\n{HEADER}\n\n### assistant · 2026-01-22 15:35\n\nIn docs/plan.md.\n\n### user · 2026-01-22 15:36\n\nThanks\n"
        )
    );
}

#[test]
fn json_is_the_records_shown_byte_for_byte() {
    let lines = conversation();
    let (w, id) = world_with(&lines);
    let run = w.tool("seance-show").args(["--format", "json", &id]).run().ok();
    let shown: Vec<&str> = [1, 2, 3, 6, 7, 9].iter().map(|&i| lines[i].as_str()).collect();
    assert_eq!(run.lines(), shown);
    let run = w.tool("seance-show").args(["--format", "json", "-n", "2", &id]).run().ok();
    assert_eq!(run.lines(), shown[4..]);
}

#[test]
fn the_trail_after_the_exchanges() {
    let mut lines = conversation();
    lines.push(record("assistant", 7, r#"[{"type":"tool_use","id":"t4","name":"Write","input":{"file_path":"/w/docs/plan.md","content":"x"}}]"#));
    lines.push(record("user", 8, r#"[{"type":"tool_result","tool_use_id":"t4","content":"File created successfully at: /w/docs/plan.md"}]"#));
    let (w, id) = world_with(&lines);
    let run = w.tool("seance-show").args(["-n", "3", "--trail", &id]).run().ok();
    assert_eq!(
        run.stdout,
        format!(
            "{HEADER}\n[2026-01-22 15:37] assistant\n  → Write: /w/docs/plan.md\ntrail\n  2026-01-22 15:37  write   /w/docs/plan.md\n  2026-01-22 15:34  todo    1 pending: a\n"
        )
    );
    let run = w.tool("seance-show").args(["--format", "md", "-n", "1", "--trail", &id]).run().ok();
    assert!(
        run.stdout.ends_with("\n## Trail\n\n- write `/w/docs/plan.md`\n- todo `1 pending: a`\n"),
        "{}",
        run.stdout
    );
    let run = w.tool("seance-show").args(["--format", "json", "-n", "1", "--trail", &id]).run().ok();
    assert_eq!(
        run.lines()[1..],
        [
            format!(
                r#"{{"session_id":"{id}","ts":"2026-01-22T10:07:00.000Z","record":11,"kind":"write","path":"/w/docs/plan.md","tool":"Write","ok":true}}"#
            ),
            format!(
                r#"{{"session_id":"{id}","ts":"2026-01-22T10:04:00.000Z","record":7,"kind":"todo","pending":["a"],"in_progress":[],"completed":0}}"#
            ),
        ]
    );
}

#[test]
fn an_empty_trail_says_so_in_every_format() {
    // Only talk: nothing written, run or committed.
    let (w, id) = world_with(&conversation()[..3]);
    let run = w.tool("seance-show").args(["-n", "1", "--trail", &id]).run().ok();
    assert!(
        run.stdout.ends_with("\ntrail\n  nothing written, edited, committed, pushed or filed\n"),
        "{}",
        run.stdout
    );
    let run = w.tool("seance-show").args(["--format", "md", "-n", "1", "--trail", &id]).run().ok();
    assert!(
        run.stdout.ends_with("\n## Trail\n\nNothing written, edited, committed, pushed or filed.\n"),
        "{}",
        run.stdout
    );
    let run = w.tool("seance-show").args(["--format", "json", "-n", "1", "--trail", &id]).run().ok();
    assert_eq!(run.lines().len(), 1, "{}", run.stdout);
}

#[test]
fn the_header_without_a_town_event() {
    let (w, id) = world_with(&conversation());
    fs::write(w.town.join(".events.jsonl"), "").unwrap();
    let run = w.tool("seance-show").args(["-n", "1", &id]).run().ok();
    assert_eq!(run.stdout, "no session_start in the town's log · account: two · 3h ago\n");
}

#[test]
fn markdown_drops_what_would_hide_or_reorder_text() {
    // An escape sequence, a bidi override (the "txt.exe" trick), zero-width and BOM characters
    // and a C1 control, in the text and in a tool call: none reaches the document; newlines
    // and tabs do.
    let lines = vec![
        record("user", 1, r#""run \u001b[31mthis\u001b[0m\tnow\nplease""#),
        record(
            "assistant",
            2,
            r#"[{"type":"text","text":"saved as report\u202etxt.exe\u200b here\ufeff\u0085"}]"#,
        ),
        record(
            "assistant",
            3,
            r#"[{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"cat \u2066secret\u2069 \u001b]0;title\u0007"}}]"#,
        ),
    ];
    let (w, id) = world_with(&lines);
    let run = w.tool("seance-show").args(["--format", "md", &id]).run().ok();
    assert_eq!(
        run.stdout,
        format!(
            "# Session {id}\n\n{HEADER}\n\n### user · 2026-01-22 15:31\n\nrun [31mthis[0m\tnow\nplease\n\n\
             ### assistant · 2026-01-22 15:32\n\nsaved as reporttxt.exe here\n\n- `Bash: cat secret ]0;title`\n"
        )
    );
}
