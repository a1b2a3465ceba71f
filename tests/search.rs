//! seance-sessions and seance-grep on real-shaped transcripts with planted needles: exact hits,
//! text decoded from JSON, keys never matched, kinds kept apart, early stop, every account.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{json_string, uuid};
use crate::world::World;

/// Transcript lines with the real client's envelope (TRANSCRIPT-FORMAT.md).
struct Lines {
    id: String,
    cwd: String,
    lines: Vec<String>,
}

impl Lines {
    fn new(id: &str, cwd: &Path) -> Lines {
        let mut l = Lines { id: id.to_string(), cwd: cwd.to_string_lossy().into_owned(), lines: Vec::new() };
        l.lines.push(format!(
            r#"{{"type":"queue-operation","operation":"enqueue","timestamp":"2026-01-22T10:00:00.000Z","sessionId":"{id}"}}"#
        ));
        l
    }

    fn envelope(&self, n: usize) -> String {
        format!(
            r#""uuid":"u{n}","timestamp":"2026-01-22T10:00:{:02}.000Z","userType":"external","entrypoint":"sdk-cli","cwd":{},"sessionId":"{}","version":"2.1.197","gitBranch":"main""#,
            n % 60,
            json_string(&self.cwd),
            self.id
        )
    }

    fn user(&mut self, text: &str) -> &mut Lines {
        let env = self.envelope(self.lines.len());
        self.lines.push(format!(
            r#"{{"parentUuid":null,"isSidechain":false,"type":"user","message":{{"role":"user","content":{}}},"promptSource":"sdk",{env}}}"#,
            json_string(text)
        ));
        self
    }

    fn assistant(&mut self, text: &str) -> &mut Lines {
        let env = self.envelope(self.lines.len());
        self.lines.push(format!(
            r#"{{"parentUuid":"x","isSidechain":false,"message":{{"id":"msg_1","type":"message","role":"assistant","model":"claude-opus-4-8","content":[{{"type":"text","text":{}}}],"stop_reason":"end_turn","usage":{{"input_tokens":3}}}},"requestId":"req_1","type":"assistant",{env}}}"#,
            json_string(text)
        ));
        self
    }

    fn bash(&mut self, call: &str, command: &str, output: &str) -> &mut Lines {
        let env = self.envelope(self.lines.len());
        self.lines.push(format!(
            r#"{{"parentUuid":"x","isSidechain":false,"message":{{"id":"msg_2","type":"message","role":"assistant","content":[{{"type":"tool_use","id":"{call}","name":"Bash","input":{{"command":{},"description":"run it"}}}}],"stop_reason":"tool_use"}},"type":"assistant",{env}}}"#,
            json_string(command)
        ));
        let env = self.envelope(self.lines.len());
        self.lines.push(format!(
            r#"{{"parentUuid":"x","isSidechain":false,"type":"user","message":{{"role":"user","content":[{{"tool_use_id":"{call}","type":"tool_result","content":{},"is_error":false}}]}},{env},"toolUseResult":{{"stdout":{},"stderr":"","interrupted":false}},"sourceToolAssistantUUID":"x"}}"#,
            json_string(output),
            json_string(output)
        ));
        self
    }

    fn write(&self, project: &Path) -> PathBuf {
        fs::create_dir_all(project).unwrap();
        let path = project.join(format!("{}.jsonl", self.id));
        fs::write(&path, self.lines.join("\n") + "\n").unwrap();
        path
    }
}

/// Sets a file's modification time, so "newest first" is decided by the test.
fn touch(path: &Path, secs: u64) {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000 + secs);
    fs::File::options().append(true).open(path).unwrap().set_modified(time).unwrap();
}

fn records(stdout: &str) -> Vec<Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn field(records: &[Value], name: &str) -> Vec<String> {
    records.iter().map(|r| r[name].as_str().map_or_else(|| r[name].to_string(), str::to_string)).collect()
}

/// Three sessions: two in account one (the second logged by the town), one in account two that
/// the log never mentions.
pub(crate) fn corpus() -> (World, Vec<String>) {
    let w = World::new();
    let ids: Vec<String> = (1..=3).map(uuid).collect();
    let a = Lines::new(&ids[0], &w.work)
        .user("Where did you put the migration plan?")
        .assistant("The migration plan is in docs/plan.md, see the \"sessionId\" notes.")
        .bash("toolu_01", "grep -rn content docs/", "docs/plan.md:3: content of the plan")
        .write(&w.project(&w.one, &w.work));
    let b = Lines::new(&ids[1], &w.work)
        .user("say it with a quote \" a backslash \\ a\ttab and ça 日本語")
        .assistant("first half of the split\nneedle across lines")
        .bash("toolu_02", "echo PLANTED-IN-INPUT", "PLANTED-IN-OUTPUT")
        .write(&w.project(&w.one, &w.work));
    let c = Lines::new(&ids[2], &w.town)
        .user("unlogged account two")
        .assistant("only account two knows the ORCHID word")
        .write(&w.project(&w.two, &w.town));
    touch(&a, 100);
    touch(&b, 200);
    touch(&c, 300);
    fs::write(
        w.town.join(".events.jsonl"),
        crate::util::start("2026-01-22T09:00:00Z", "gastown/crew/joe", &ids[1], Some("migration")) + "\n",
    )
    .unwrap();
    (w, ids)
}

#[test]
fn sessions_lists_every_account_newest_first_with_the_towns_word() {
    let (w, ids) = corpus();
    let run = w.tool("seance-sessions").run().ok();
    let got = records(&run.stdout);
    assert_eq!(field(&got, "session_id"), [ids[2].as_str(), ids[1].as_str(), ids[0].as_str()]);
    assert_eq!(field(&got, "account"), ["two", "one", "one"]);
    assert_eq!(got[0]["first_prompt"], "unlogged account two");
    assert_eq!(got[0]["created"], "2026-01-22T10:00:00.000Z");
    assert_eq!(got[0]["git_branch"], "main");
    assert_eq!(got[0]["cwd"], w.town.to_string_lossy().as_ref());
    assert_eq!(got[0]["staged"], false);
    assert!(got[0].get("actor").is_none(), "the log never named it: {}", got[0]);
    assert_eq!(got[1]["actor"], "gastown/crew/joe");
    assert_eq!(got[1]["role"], "crew");
    assert_eq!(got[1]["rig"], "gastown");
    assert_eq!(got[1]["topic"], "migration");
    assert_eq!(got[1]["ts"], "2026-01-22T09:00:00Z");
    // -n stops at the newest; --account picks one.
    let run = w.tool("seance-sessions").args(["-n", "1"]).run().ok();
    assert_eq!(field(&records(&run.stdout), "session_id"), [ids[2].as_str()]);
    let run = w.tool("seance-sessions").args(["--account", "one"]).run().ok();
    assert_eq!(field(&records(&run.stdout), "session_id"), [ids[1].as_str(), ids[0].as_str()]);
    let run = w.tool("seance-sessions").args(["--account", "nope"]).run().code(2);
    assert_eq!(run.stderr, "seance-sessions: no account named 'nope' (known: one, two)\n");
}

#[test]
fn a_staged_link_is_listed_once_as_its_real_file() {
    let (w, ids) = corpus();
    // Stage account two's session into account one's project dir for the working dir.
    w.tool("seance-stage").args([&ids[2]]).run().ok();
    assert!(crate::world::is_link(&w.target().join(format!("{}.jsonl", ids[2]))));
    let run = w.tool("seance-sessions").run().ok();
    let got = records(&run.stdout);
    assert_eq!(field(&got, "session_id"), [ids[2].as_str(), ids[1].as_str(), ids[0].as_str()]);
    assert_eq!(got[0]["staged"], true);
    assert_eq!(got[0]["account"], "two");
    assert_eq!(
        got[0]["path"],
        w.project(&w.two, &w.town).join(format!("{}.jsonl", ids[2])).to_string_lossy().as_ref()
    );
    assert_eq!(got[1]["staged"], false);
}

fn grep(w: &World, args: &[&str]) -> Vec<Value> {
    records(&w.tool("seance-grep").args(args).run_without_stdin().ok().stdout)
}

#[test]
fn a_phrase_in_one_sessions_assistant_text_is_one_hit() {
    let (w, ids) = corpus();
    let hits = grep(&w, &["-F", "ORCHID word"]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["session_id"], ids[2].as_str());
    assert_eq!(hits[0]["kind"], "assistant");
    assert_eq!(hits[0]["record"], 3);
    assert_eq!(hits[0]["ts"], "2026-01-22T10:00:02.000Z");
    assert_eq!(hits[0]["text"], "only account two knows the ORCHID word");
    assert_eq!(hits[0]["match"], serde_json::json!([27, 38]));
    // A session no log mentions, in the second account, is found; -e says whether anything was.
    w.tool("seance-grep").args(["-e", "-F", "ORCHID"]).run_without_stdin().ok();
    w.tool("seance-grep").args(["-e", "-F", "NOWHERE-AT-ALL"]).run_without_stdin().code(1);
    // An empty pipe names no session: nothing is searched.
    w.tool("seance-grep").args(["-e", "-F", "ORCHID"]).run().code(1);
}

#[test]
fn quotes_backslashes_tabs_and_non_ascii_match_as_typed() {
    let (w, ids) = corpus();
    let typed = "quote \" a backslash \\ a\ttab and ça 日本語";
    for args in [vec!["-F", typed], vec![r#"quote " a backslash \\ a\ttab and ÇA 日本語"#, "-i"]] {
        let hits = grep(&w, &args);
        assert_eq!(field(&hits, "session_id"), [ids[1].as_str()], "{args:?}");
        let text = hits[0]["text"].as_str().unwrap();
        let [s, e] = [0, 1].map(|i| hits[0]["match"][i].as_u64().unwrap() as usize);
        assert_eq!(&text[s..e].to_lowercase(), &typed.to_lowercase());
    }
    // The escaped bytes are not the text.
    assert!(grep(&w, &["-F", r#"\" a backslash"#]).is_empty());
}

#[test]
fn json_keys_are_not_text() {
    let (w, ids) = corpus();
    // Every line holds "sessionId" and most hold "content" as keys; only real text counts.
    let hits = grep(&w, &["-F", "sessionId"]);
    assert_eq!(field(&hits, "session_id"), [ids[0].as_str()]);
    assert_eq!(hits[0]["kind"], "assistant");
    let hits = grep(&w, &["-w", "content"]);
    assert_eq!(field(&hits, "kind"), ["tool_use", "tool_result"]);
    assert_eq!(field(&hits, "tool"), ["Bash", "Bash"]);
    assert!(grep(&w, &["-F", "uuid"]).is_empty());
    assert!(grep(&w, &["-F", "2.1.197"]).is_empty());
}

#[test]
fn a_needle_across_a_line_break_needs_multiline() {
    let (w, ids) = corpus();
    assert!(grep(&w, &[r"split\s+needle"]).is_empty());
    let hits = grep(&w, &["-U", r"split\s+needle"]);
    assert_eq!(field(&hits, "session_id"), [ids[1].as_str()]);
    assert_eq!(hits[0]["text"], "first half of the split\nneedle across lines");
    assert_eq!(hits[0]["match"], serde_json::json!([18, 30]));
}

#[test]
fn regexes_without_a_literal_find_what_the_decoded_text_says() {
    // These are searched through the line filter (the pattern run over a line's decoded JSON
    // strings before the line is decoded): where a text begins and ends must look to it as it
    // does in the text, escapes must be decoded, and keys must not count.
    let (w, ids) = corpus();
    let hits = grep(&w, &[r"^f\w+ \w+"]);
    assert_eq!(field(&hits, "session_id"), [ids[1].as_str()]);
    assert_eq!(field(&hits, "text"), ["first half of the split"]);
    assert_eq!(hits[0]["match"], serde_json::json!([0, 10]));
    let hits = grep(&w, &[r"\w+ \w+s$"]);
    assert_eq!(field(&hits, "text"), ["needle across lines"]);
    assert_eq!(hits[0]["match"], serde_json::json!([7, 19]));
    let hits = grep(&w, &["-i", r"\bÇ\w 日本語$"]);
    let typed = "say it with a quote \" a backslash \\ a\ttab and ça 日本語";
    assert_eq!(field(&hits, "text"), [typed]);
    let at = typed.find("ça").unwrap();
    assert_eq!(hits[0]["match"], serde_json::json!([at, typed.len()]));
    let hits = grep(&w, &["-w", r"t\wo"]);
    assert_eq!(field(&hits, "kind"), ["user", "assistant"]);
    assert_eq!(field(&hits, "text"), ["unlogged account two", "only account two knows the ORCHID word"]);
    // Every line holds the key; only one text says it.
    let hits = grep(&w, &[r"s\w{6}[I]d"]);
    assert_eq!(field(&hits, "session_id"), [ids[0].as_str()]);
    assert_eq!(field(&hits, "kind"), ["assistant"]);
    let run = w.tool("seance-grep").args(["-c", r"^\w+ \w+$"]).run_without_stdin().ok();
    // "run it" (twice, a Bash description), "unlogged account two" has three words.
    assert_eq!(run.stdout, "2\n");
}

#[test]
fn kinds_keep_tool_input_and_tool_output_apart() {
    let (w, _) = corpus();
    let input = grep(&w, &["--kind", "tool_use", "PLANTED-IN"]);
    assert_eq!(field(&input, "text"), ["echo PLANTED-IN-INPUT"]);
    let output = grep(&w, &["--kind", "tool_result", "PLANTED-IN"]);
    assert_eq!(field(&output, "text"), ["PLANTED-IN-OUTPUT"]);
    assert_eq!(field(&output, "tool"), ["Bash"]);
    let both = grep(&w, &["--kind", "tool_use,tool_result", "--tool", "bash", "PLANTED-IN"]);
    assert_eq!(field(&both, "kind"), ["tool_use", "tool_result"]);
    assert!(grep(&w, &["--tool", "Edit", "PLANTED-IN"]).is_empty());
    assert!(grep(&w, &["--kind", "user,assistant", "PLANTED-IN"]).is_empty());
    let run = w.tool("seance-grep").args(["--kind", "thinking", "x"]).run_without_stdin().code(2);
    assert_eq!(
        run.stderr,
        "seance-grep: --kind: 'thinking' is not one of user, assistant, tool_use, tool_result, title\n"
    );
}

#[test]
fn sessions_come_from_ids_or_stdin_records_and_l_and_c_count() {
    let (w, ids) = corpus();
    let listed = grep(&w, &["-l", "-i", "migration plan"]);
    assert_eq!(field(&listed, "session_id"), [ids[0].as_str()]);
    assert_eq!(listed[0]["hits"], 2);
    let run = w.tool("seance-grep").args(["-c", "-F", "PLANTED"]).run_without_stdin().ok();
    assert_eq!(run.stdout, "2\n");
    // Only the sessions named: by argument (a prefix), or by the records on stdin.
    assert!(grep(&w, &["-F", "ORCHID", &ids[0][..8]]).is_empty());
    let events = w.tool("seance-events").run().ok().stdout;
    let run = w.tool("seance-grep").args(["-l", "-F", "PLANTED"]).stdin(&events).run().ok();
    assert_eq!(field(&records(&run.stdout), "session_id"), [ids[1].as_str()]);
    assert_eq!(records(&run.stdout)[0]["actor"], "gastown/crew/joe");
    let run = w.tool("seance-grep").args(["-l", "-F", "ORCHID"]).stdin(&events).run().ok();
    assert_eq!(run.stdout, "");
    let run = w.tool("seance-grep").args(["x", "zzzz9999"]).run().code(3);
    assert_eq!(run.stderr, "seance-grep: 'zzzz9999' matches no session\n");
}

#[test]
fn n_stops_before_an_old_huge_transcript_is_read() {
    let (w, ids) = corpus();
    // An old session of a terabyte (sparse: it costs no disk), which reading would take minutes.
    let huge = w.project(&w.one, &w.work).join(format!("{}.jsonl", uuid(9)));
    let file = fs::File::create(&huge).unwrap();
    file.set_len(1 << 40).unwrap();
    drop(file);
    touch(&huge, 1);
    let run = w
        .tool("seance-grep")
        .args(["-n", "1", "-F", "ORCHID"])
        .run_within(std::time::Duration::from_secs(60));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(field(&records(&run.stdout), "session_id"), [ids[2].as_str()]);
    // seance-sessions reads only its ends.
    let run = w.tool("seance-sessions").run_within(std::time::Duration::from_secs(60));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(records(&run.stdout).len(), 4);
}

#[test]
fn filter_takes_session_records_and_hits_and_keeps_what_is_on_disk() {
    let (w, ids) = corpus();
    // A logged session whose transcript is gone, beside one that exists.
    let gone = uuid(7);
    let log = [
        crate::util::start("2026-01-22T09:00:00Z", "gastown/crew/joe", &ids[1], None),
        crate::util::start("2026-01-22T08:00:00Z", "beads/polecats/nux", &gone, None),
    ];
    fs::write(w.town.join(".events.jsonl"), log.join("\n") + "\n").unwrap();
    let events = w.tool("seance-events").run().ok().stdout;
    let run = w.tool("seance-filter").args(["--present"]).stdin(&events).run().ok();
    assert_eq!(run.stdout, log[0].clone() + "\n");
    // Session records: the rig comes from the town's actor; --session from the top-level id.
    let listed = w.tool("seance-sessions").run().ok().stdout;
    let run = w.tool("seance-filter").args(["--rig", "gastown"]).stdin(&listed).run().ok();
    assert_eq!(field(&records(&run.stdout), "session_id"), [ids[1].as_str()]);
    let run = w.tool("seance-filter").args(["--session", &ids[2][..8]]).stdin(&listed).run().ok();
    assert_eq!(field(&records(&run.stdout), "session_id"), [ids[2].as_str()]);
    // Grep hits: one per session with --unique.
    let hits = w.tool("seance-grep").args(["-i", "plan"]).run_without_stdin().ok().stdout;
    assert!(records(&hits).len() > 1);
    let run = w.tool("seance-filter").args(["--unique"]).stdin(&hits).run().ok();
    assert_eq!(field(&records(&run.stdout), "session_id"), [ids[1].as_str(), ids[0].as_str()]);
}

#[test]
fn sidecars_come_from_the_listing_and_special_files_are_no_sessions() {
    let (w, ids) = corpus();
    let project = w.project(&w.one, &w.work);
    // The first session has a sidecar dir; where the second's would be, a link to a dir is none.
    fs::create_dir_all(project.join(&ids[0]).join("subagents")).unwrap();
    std::os::unix::fs::symlink(&w.town, project.join(&ids[1])).unwrap();
    // A FIFO and a link to it named like transcripts, and a dir named like one: no sessions,
    // and never waited on.
    let fifo = project.join(format!("{}.jsonl", uuid(5)));
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    std::os::unix::fs::symlink(&fifo, project.join(format!("{}.jsonl", uuid(6)))).unwrap();
    fs::create_dir(project.join(format!("{}.jsonl", uuid(8)))).unwrap();
    let run = w.tool("seance-sessions").run_within(std::time::Duration::from_secs(20));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = records(&run.stdout);
    assert_eq!(field(&got, "session_id"), [ids[2].as_str(), ids[1].as_str(), ids[0].as_str()]);
    assert_eq!(field(&got, "sidecar"), ["false", "false", "true"]);
}

#[test]
fn many_sessions_are_described_in_parallel_and_listed_in_order() {
    // More sessions than are described on one thread: the parallel path keeps the order.
    let w = World::new();
    let ids: Vec<String> = (100..140).map(uuid).collect();
    for (n, id) in ids.iter().enumerate() {
        let path = Lines::new(id, &w.work)
            .user(&format!("prompt {n}"))
            .assistant(&"long answer ".repeat(n * 100))
            .write(&w.project(&w.one, &w.work));
        touch(&path, n as u64);
    }
    let run = w.tool("seance-sessions").args(["--no-town"]).run().ok();
    let got = records(&run.stdout);
    let newest_first: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    assert_eq!(field(&got, "session_id"), newest_first);
    let prompts: Vec<String> = (0..ids.len()).rev().map(|n| format!("prompt {n}")).collect();
    assert_eq!(field(&got, "first_prompt"), prompts);
    let run = w.tool("seance-sessions").args(["--no-town", "-n", "3"]).run().ok();
    assert_eq!(field(&records(&run.stdout), "session_id"), newest_first[..3]);
}

#[test]
fn many_hits_in_one_huge_line_cost_their_context_not_the_whole_line_each() {
    // One tool output of 8 MB without a line break, a hit every 7 bytes: if each hit's context
    // looked at the whole line, 20,000 hits would read 160 GB.
    let w = World::new();
    let id = uuid(1);
    let output = "needle ".repeat(1_200_000);
    Lines::new(&id, &w.work)
        .user("run it")
        .bash("toolu_01", "yes needle", &output)
        .write(&w.project(&w.one, &w.work));
    let run = w
        .tool("seance-grep")
        .args(["-n", "20000", "--kind", "tool_result", "-F", "needle"])
        .run_within(std::time::Duration::from_secs(60));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hits = records(&run.stdout);
    assert_eq!(hits.len(), 20000);
    // The first hit has all the room after it; the others share it out around the match.
    assert_eq!(hits[0]["text"], &output[..200]);
    assert_eq!(hits[0]["match"], serde_json::json!([0, 6]));
    let at = 19999 * 7;
    assert_eq!(hits[19999]["text"], &output[at - 97..at + 103]);
    assert_eq!(hits[19999]["match"], serde_json::json!([97, 103]));
}

#[test]
fn a_pattern_that_can_cross_lines_searches_a_long_text_once() {
    // `[^;]*` runs over line ends, so each match found in the whole text stops only at its end;
    // searching the whole rest again for each of 40,000 lines read it 40,000 times.
    let w = World::new();
    let id = uuid(1);
    Lines::new(&id, &w.work).assistant(&"error here\n".repeat(40_000)).write(&w.project(&w.one, &w.work));
    let run = w.tool("seance-grep").args(["-c", "error[^;]*"]).run_within(std::time::Duration::from_secs(60));
    assert_eq!((run.code, run.stdout.as_str()), (0, "40000\n"), "{}", run.stderr);
    // Each line's own match, as if the lines were searched apart.
    let run =
        w.tool("seance-grep").args(["-n", "2", "error[^;]*"]).run_within(std::time::Duration::from_secs(60));
    let hits = records(&run.stdout);
    assert_eq!(field(&hits, "text"), ["error here", "error here"]);
    assert_eq!(hits[1]["match"], serde_json::json!([0, 10]));
}

#[test]
fn a_bad_pattern_or_kind_is_one_line_that_says_what_to_do() {
    let (w, _) = corpus();
    let cases: [(&[&str], &str); 7] = [
        (&["("], "seance-grep: bad PATTERN '(': unclosed group at character 1 (-F takes it as plain text)\n"),
        // -w's wrapping is not the user's: the place is in the pattern as typed.
        (
            &["-w", "ab("],
            "seance-grep: bad PATTERN 'ab(': unclosed group at character 3 (-F takes it as plain text)\n",
        ),
        (
            &["a[b"],
            "seance-grep: bad PATTERN 'a[b': unclosed character class at character 2 (-F takes it as plain text)\n",
        ),
        (
            &[r"\p{Foo}"],
            "seance-grep: bad PATTERN '\\\\p{Foo}': Unicode property not found at character 1 (-F takes it as plain text)\n",
        ),
        (
            &["-i", "x{99999999}"],
            "seance-grep: bad PATTERN 'x{99999999}': it compiles to more than 10 MB; make it simpler\n",
        ),
        (
            &["--kind", "usr", "x"],
            "seance-grep: --kind: 'usr' is not one of user, assistant, tool_use, tool_result, title; did you mean 'user'?\n",
        ),
        (
            &["--kind", "user,assistent", "x"],
            "seance-grep: --kind: 'assistent' is not one of user, assistant, tool_use, tool_result, title; did you mean 'assistant'?\n",
        ),
    ];
    for (args, stderr) in cases {
        let run = w.tool("seance-grep").args(args).run_within(std::time::Duration::from_secs(60));
        assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (2, "", stderr), "{args:?}");
    }
}

#[test]
fn an_account_dir_that_cannot_be_listed_is_reported_not_silently_empty() {
    let (w, ids) = corpus();
    // Account two's projects dir becomes a symlink loop (ELOOP; EACCES and ENOTDIR take the
    // same path): its session is missing, and every tool must say so.
    let projects = w.two.join("projects");
    fs::rename(&projects, w.two.join("moved")).unwrap();
    std::os::unix::fs::symlink(&projects, &projects).unwrap();
    let why = format!(
        "cannot read {}: Too many levels of symbolic links; its sessions are left out",
        projects.display()
    );
    let within = std::time::Duration::from_secs(60);
    let run = w.tool("seance-sessions").run_within(within);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr, format!("seance-sessions: {why}\n"));
    assert_eq!(field(&records(&run.stdout), "session_id"), [ids[1].as_str(), ids[0].as_str()]);
    let run = w.tool("seance-grep").args(["-c", "-F", "ORCHID"]).run_within(within);
    assert_eq!((run.code, run.stdout.as_str()), (2, "0\n"));
    assert_eq!(run.stderr, format!("seance-grep: {why}\n"));
    let run = w.tool("seance-trail").run_within(within);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr, format!("seance-trail: {why}\n"));
    // The doctor's account line says why its sessions are not found.
    let run = w.tool("seance").args(["doctor", "--agent", "true"]).run_within(within);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let line = format!(
        "fail  account      two: {}, 0 transcripts, cleanupPeriodDays 30 (the default); cannot read {}: Too many \
         levels of symbolic links: their sessions are not found by any tool",
        w.two.display(),
        projects.display()
    );
    assert!(run.stdout.lines().any(|l| l == line), "{}", run.stdout);
}

#[test]
fn with_no_account_to_read_the_reading_tools_say_where_they_looked() {
    // A newcomer outside any town, with no ~/.claude yet: silence would read as "nothing found".
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().canonicalize().unwrap();
    let said = format!(
        "no Claude account to read: {}/.claude (current, missing); no town found, so no accounts.json was read \
         (use --town DIR or set GT_TOWN_ROOT)",
        home.display()
    );
    for (tool, args) in [("seance-sessions", &[][..]), ("seance-grep", &["x"][..]), ("seance-trail", &[][..])]
    {
        let run = crate::util::tool(tool)
            .args(args)
            .env("HOME", &home)
            .cwd(&home)
            .run_within(std::time::Duration::from_secs(60));
        assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{tool}: {}", run.stderr);
        assert_eq!(run.stderr, format!("{tool}: {said}\n"));
    }
}

#[test]
fn an_empty_pipe_searches_nothing_and_says_so() {
    // A pipeline that found no sessions searches none; but a caller whose stdin merely happens
    // to be an empty pipe (a script, an agent's shell) must hear why nothing came back.
    let (w, _) = corpus();
    let said = "stdin named no session, so none was searched (with stdin from a terminal or </dev/null, every \
                session is)";
    for (tool, args) in [("seance-grep", &["-F", "ORCHID"][..]), ("seance-trail", &[][..])] {
        let run = w.tool(tool).args(args).run();
        assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{tool}: {}", run.stderr);
        assert_eq!(run.stderr, format!("{tool}: {said}\n"));
    }
    // Blank lines name nothing either; /dev/null is no pipe: every session.
    let run = w.tool("seance-grep").args(["-c", "-F", "ORCHID"]).stdin("\n\n").run();
    assert_eq!(run.stderr, format!("seance-grep: {said}\n"));
    let run =
        w.tool("seance-grep").args(["-c", "-F", "ORCHID"]).run_within(std::time::Duration::from_secs(60));
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("1\n", ""));
}

#[test]
fn a_tool_name_close_to_a_builtin_one_is_questioned() {
    let (w, _) = corpus();
    let within = std::time::Duration::from_secs(60);
    let run = w.tool("seance-grep").args(["--tool", "bsh", "-c", "PLANTED"]).run_within(within);
    assert_eq!((run.code, run.stdout.as_str()), (0, "0\n"));
    assert_eq!(run.stderr, "seance-grep: --tool: no built-in tool is named 'bsh'; did you mean 'Bash'?\n");
    // Any case of a real name, and names of tools seance does not know (MCP's), pass quietly.
    let run = w.tool("seance-grep").args(["--tool", "bash", "-c", "PLANTED"]).run_within(within);
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("2\n", ""));
    let run = w.tool("seance-grep").args(["--tool", "mcp__github__create_pr", "-c", "x"]).run_within(within);
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("0\n", ""));
}

#[test]
fn records_escape_what_would_hide_or_reorder_a_terminal_line() {
    // A bidi override, a zero-width space and a tag character (astral: a surrogate pair) in a
    // prompt, a command and a title: the NDJSON of grep, trail and sessions holds them as \u
    // escapes (the same JSON value), never raw, so a terminal showing the records shows them.
    let w = World::new();
    let id = uuid(70);
    let mut lines = Lines::new(&id, &w.work);
    lines.user("open report\u{202e}fdp.exe now\u{200b}").bash(
        "toolu_70",
        "rm -rf \u{202e}/tmp/x\u{e0041}",
        "",
    );
    lines.lines.push(r#"{"type":"custom-title","customTitle":"plan\u202eA","sessionId":"x"}"#.to_string());
    lines.write(&w.project(&w.one, &w.work));
    let raw = |out: &str| out.chars().any(|c| matches!(c, '\u{202e}' | '\u{200b}' | '\u{e0041}'));
    let grep = w.tool("seance-grep").args(["-F", "report"]).run_without_stdin().ok();
    assert!(!raw(&grep.stdout) && grep.stdout.contains(r"report\u202efdp.exe now\u200b"), "{}", grep.stdout);
    assert_eq!(records(&grep.stdout)[0]["text"], "open report\u{202e}fdp.exe now\u{200b}");
    let trail = w.tool("seance-trail").args([&id]).run_without_stdin().ok();
    assert!(
        !raw(&trail.stdout) && trail.stdout.contains(r"rm -rf \u202e/tmp/x\udb40\udc41"),
        "{}",
        trail.stdout
    );
    assert_eq!(records(&trail.stdout)[0]["command"], "rm -rf \u{202e}/tmp/x\u{e0041}");
    let sessions = w.tool("seance-sessions").run_without_stdin().ok();
    assert!(
        !raw(&sessions.stdout) && sessions.stdout.contains(r#""title":"plan\u202eA""#),
        "{}",
        sessions.stdout
    );
}
