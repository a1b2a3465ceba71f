//! seance-trail on real-shaped transcripts with planted artifacts: exact records for writes and
//! edits by path, commits only from the command that made them, failed writes, pull requests
//! from gh and from pr-link records, beads, mail, the last todo list, and --last.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use crate::util::{json_string, start, uuid};
use crate::world::World;

/// A transcript written the way Claude Code writes one: one record per content block, each
/// tool result in a user record joined to its call by tool_use_id.
pub struct Script {
    id: String,
    lines: Vec<String>,
    calls: u32,
    second: u32,
}

impl Script {
    pub fn new(id: &str) -> Script {
        let mut script = Script { id: id.to_string(), lines: Vec::new(), calls: 0, second: 0 };
        script.prompt("Pick up where the last polecat stopped");
        script
    }

    fn ts(&mut self) -> String {
        self.second += 1;
        format!("2026-01-22T10:{:02}:{:02}.000Z", self.second / 60, self.second % 60)
    }

    fn tail(&self) -> String {
        format!(
            r#""userType":"external","entrypoint":"cli","cwd":"/home/u/gt/gastown/polecats/nux","sessionId":"{}","version":"2.1.197","gitBranch":"main"}}"#,
            self.id
        )
    }

    pub fn prompt(&mut self, text: &str) -> &mut Script {
        let ts = self.ts();
        let line = format!(
            r#"{{"parentUuid":null,"isSidechain":false,"promptId":"p1","type":"user","message":{{"role":"user","content":{}}},"uuid":"u{}","timestamp":"{ts}","permissionMode":"default",{}"#,
            json_string(text),
            self.second,
            self.tail()
        );
        self.lines.push(line);
        self
    }

    pub fn say(&mut self, text: &str) -> &mut Script {
        let ts = self.ts();
        let line = format!(
            r#"{{"parentUuid":"u0","isSidechain":false,"message":{{"id":"msg_{n}","type":"message","role":"assistant","model":"claude-opus-4-8","content":[{{"type":"text","text":{}}}],"stop_reason":"end_turn","stop_sequence":null}},"requestId":"req_{n}","type":"assistant","uuid":"a{n}","timestamp":"{ts}",{}"#,
            json_string(text),
            self.tail(),
            n = self.second
        );
        self.lines.push(line);
        self
    }

    /// A tool call; returns its id.
    pub fn call(&mut self, name: &str, input: Value) -> String {
        self.calls += 1;
        let id = format!("toolu_01{:022x}", self.calls as u64 * 7919 + self.second as u64);
        let ts = self.ts();
        let block = json!({"type": "tool_use", "id": id, "name": name, "input": input});
        let line = format!(
            r#"{{"parentUuid":"u0","isSidechain":false,"message":{{"id":"msg_{n}","type":"message","role":"assistant","model":"claude-opus-4-8","content":[{block}],"stop_reason":"tool_use","stop_sequence":null,"usage":{{"input_tokens":10,"output_tokens":5}}}},"requestId":"req_{n}","type":"assistant","uuid":"a{n}","timestamp":"{ts}",{}"#,
            self.tail(),
            n = self.second
        );
        self.lines.push(line);
        id
    }

    /// The result of call `id`, as the client writes a success or an error.
    pub fn result(&mut self, id: &str, content: &str, is_error: bool) -> &mut Script {
        let ts = self.ts();
        let (block, extra) = if is_error {
            (
                json!({"type": "tool_result", "content": content, "is_error": true, "tool_use_id": id}),
                json!(format!("Error: {content}")),
            )
        } else {
            (
                json!({"tool_use_id": id, "type": "tool_result", "content": content, "is_error": false}),
                json!({"stdout": content, "stderr": "", "interrupted": false, "isImage": false}),
            )
        };
        let line = format!(
            r#"{{"parentUuid":"a0","isSidechain":false,"promptId":"p1","type":"user","message":{{"role":"user","content":[{block}]}},"uuid":"r{n}","timestamp":"{ts}","toolUseResult":{extra},"sourceToolAssistantUUID":"a0",{}"#,
            self.tail(),
            n = self.second
        );
        self.lines.push(line);
        self
    }

    /// A call and its successful result.
    pub fn tool(&mut self, name: &str, input: Value, output: &str) -> &mut Script {
        let id = self.call(name, input);
        self.result(&id, output, false)
    }

    pub fn bash(&mut self, command: &str, output: &str) -> &mut Script {
        self.tool("Bash", json!({"command": command, "description": "Run it"}), output)
    }

    pub fn write(&mut self, path: &str) -> &mut Script {
        let output = format!(
            "File created successfully at: {path} (file state is current in your context — no need to Read it back)"
        );
        self.tool("Write", json!({"file_path": path, "content": "# Plan\n\n- step one\n"}), &output)
    }

    pub fn edit(&mut self, path: &str) -> &mut Script {
        let output = format!(
            "The file {path} has been updated successfully. (file state is current in your context — no need to Read it back)"
        );
        self.tool(
            "Edit",
            json!({"replace_all": false, "file_path": path, "old_string": "one", "new_string": "two"}),
            &output,
        )
    }

    pub fn todos(&mut self, list: &[(&str, &str)]) -> &mut Script {
        let todos: Vec<Value> = list
            .iter()
            .map(|(content, status)| json!({"content": content, "status": status, "activeForm": content}))
            .collect();
        self.tool("TodoWrite", json!({"todos": todos}), "Todos have been modified successfully. Ensure that you continue to use the todo list to track your progress. Please proceed with the current tasks if applicable")
    }

    pub fn raw(&mut self, line: &str) -> &mut Script {
        self.lines.push(line.to_string());
        self
    }

    /// The number the next line will have.
    pub fn next_line(&self) -> u64 {
        self.lines.len() as u64 + 1
    }

    /// Writes the transcript into `account`, modified `age` seconds before a fixed moment (so
    /// the newest session is the one with the smallest age).
    pub fn save(&self, account: &Path, age: u64) -> PathBuf {
        let dir = account.join("projects/-home-u-gt-gastown-polecats-nux");
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{}.jsonl", self.id));
        fs::write(&file, self.lines.join("\n") + "\n").unwrap();
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000 - age);
        fs::File::options().write(true).open(&file).unwrap().set_modified(when).unwrap();
        file
    }
}

const PLAN: &str = "/home/u/gt/gastown/polecats/nux/docs/migration-plan.md";

/// Five sessions, newest first: e (nothing), d, c, b, a; the plan written by a, b and c and
/// edited in d.
struct Planted {
    world: World,
    ids: Vec<String>,
    /// Line numbers of calls the tests name.
    commit_line: u64,
    failed_write_line: u64,
}

fn planted() -> Planted {
    let world = World::new();
    let [a, b, c, _, e] = [1, 2, 3, 4, 5].map(uuid);
    // The id the README's examples use.
    let d = "46621448-3caa-4bbb-8ccc-123456789abc".to_string();

    let mut s = Script::new(&a);
    s.write(PLAN);
    let commit_line = s.next_line();
    s.bash(
        "git add docs && git commit -m \"$(cat <<'EOF'\nAdd migration plan\n\nIt's the plan (draft).\nEOF\n)\"",
        "[polecat/nux 1a2b3c4] Add migration plan\n 1 file changed, 3 insertions(+)\n create mode 100644 docs/migration-plan.md",
    );
    // Hashes in other commands' output are not commits made here.
    s.bash("git log --oneline -3", "9f9f9f9 Someone else's work\n1a2b3c4 Add migration plan");
    s.bash("cat notes/old-output.txt", "[main deadbee] Not a commit of this session");
    s.say("Committed the plan.");
    s.save(&world.one, 500);

    let mut s = Script::new(&b);
    s.write(PLAN);
    let failed_write_line = s.next_line();
    let call = s.call(
        "Write",
        json!({"file_path": "/home/u/gt/gastown/polecats/nux/docs/locked.md", "content": "x"}),
    );
    s.result(&call, "EACCES: permission denied, open '/home/u/gt/gastown/polecats/nux/docs/locked.md'", true);
    s.tool("Frobnicate", json!({"file_path": "/nowhere"}), "unknown tools leave nothing");
    s.bash("git push", "\u{1b}[31mgarbage\u{0} output\n -> ->\n[ ] []");
    s.save(&world.two, 400);

    let mut s = Script::new(&c);
    s.write(PLAN);
    s.bash(
        "gh pr create --fill",
        "\nCreating pull request for polecat/nux into main in gastown/gastown\n\nhttps://github.com/gastown/gastown/pull/42\n",
    );
    s.bash(
        "bd create \"Fix the deadline\" -p 1",
        "✓ Created issue: gt-abc12 — Fix the deadline\n  Priority: P1\n  Status: open\n",
    );
    s.bash("bd update gt-xyz9 --status closed", "✓ Updated issue: gt-xyz9 — Old task\n");
    s.save(&world.one, 300);

    let mut s = Script::new(&d);
    s.edit(PLAN);
    s.todos(&[("Write the plan", "in_progress"), ("Open the PR", "pending")]);
    s.bash("git checkout -b polecat/nux-2", "Switched to a new branch 'polecat/nux-2'");
    s.bash(
        "git push -u origin polecat/nux-2",
        "remote: \nremote: Create a pull request for 'polecat/nux-2' on GitHub by visiting:\nremote:      https://github.com/gastown/gastown/pull/new/polecat/nux-2\nremote: \nTo github.com:gastown/gastown.git\n * [new branch]      polecat/nux-2 -> polecat/nux-2\nbranch 'polecat/nux-2' set up to track 'origin/polecat/nux-2'.",
    );
    s.raw(&format!(
        r#"{{"type":"pr-link","prNumber":43,"prUrl":"https://github.com/gastown/gastown/pull/43","prRepository":"gastown/gastown","timestamp":"2026-01-22T10:05:00.000Z","sessionId":"{d}"}}"#
    ));
    s.bash(
        "gt mail send mayor/ -s \"Handoff: plan is in docs\" -m \"see docs/migration-plan.md\"",
        "✓ Message sent to mayor/",
    );
    s.todos(&[
        ("Write the plan", "completed"),
        ("Open the PR", "completed"),
        ("Tell the witness", "pending"),
        ("Close the bead", "in_progress"),
    ]);
    s.save(&world.two, 200);

    let mut s = Script::new(&e);
    s.say("Nothing to do here.");
    s.save(&world.one, 100);

    let events: Vec<String> = [
        (&a, "gastown/polecats/nux"),
        (&b, "gastown/polecats/nux"),
        (&c, "gastown/crew/joe"),
        (&d, "gastown/polecats/nux"),
        (&e, "gastown/witness"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (id, actor))| start(&format!("2026-01-22T1{i}:00:00Z"), actor, id, None))
    .collect();
    fs::write(world.town.join(".events.jsonl"), events.join("\n") + "\n").unwrap();
    Planted { world, ids: vec![e, d, c, b, a], commit_line, failed_write_line }
}

impl Planted {
    /// The records for the planted sessions, as printed.
    fn lines(&self, args: &[&str]) -> Vec<String> {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(self.ids.iter().map(String::as_str));
        let run = self.world.tool("seance-trail").args(&all).run().ok();
        run.lines().iter().map(|l| l.to_string()).collect()
    }

    fn trail(&self, args: &[&str]) -> Vec<Value> {
        self.lines(args).iter().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

/// A record from its kind up to the session's actor: what the kind says, in printed order.
fn kind_fields(line: &str) -> &str {
    let start = line.find("\"kind\"").unwrap();
    let end = line.find(",\"actor\"").unwrap_or(line.len() - 1);
    &line[start..end]
}

/// The given fields of each record, as a compact JSON list, for exact comparisons.
fn fields(records: &[Value], names: &[&str]) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            let picked: Vec<String> =
                names.iter().map(|n| r.get(*n).map_or("-".to_string(), |v| v.to_string())).collect();
            picked.join(" ")
        })
        .collect()
}

#[test]
fn a_path_written_by_three_sessions_and_edited_in_a_fourth() {
    let p = planted();
    let [e, d, c, b, a] = [&p.ids[0], &p.ids[1], &p.ids[2], &p.ids[3], &p.ids[4]];
    let _ = e;
    let got = p.trail(&["--path", "docs/migration-plan.md"]);
    assert_eq!(
        fields(&got, &["session_id", "kind", "tool", "ok"]),
        [
            format!("\"{d}\" \"edit\" \"Edit\" true"),
            format!("\"{c}\" \"write\" \"Write\" true"),
            format!("\"{b}\" \"write\" \"Write\" true"),
            format!("\"{a}\" \"write\" \"Write\" true"),
        ]
    );
    let writers = p.trail(&["--kind", "write", "--path", "*plan.md"]);
    assert_eq!(
        fields(&writers, &["session_id"]),
        [format!("\"{c}\""), format!("\"{b}\""), format!("\"{a}\"")]
    );
    // The whole record, once, field for field.
    assert_eq!(
        p.lines(&["--path", "docs/migration-plan.md"])[0],
        format!(
            r#"{{"session_id":"{d}","ts":"2026-01-22T10:00:02.000Z","record":2,"kind":"edit","path":"{PLAN}","tool":"Edit","ok":true,"actor":"gastown/polecats/nux","role":"polecat"}}"#
        )
    );
    assert!(p.trail(&["--path", "migration-plan.txt"]).is_empty());
}

#[test]
fn last_keeps_the_newest_per_path_and_per_kind() {
    let p = planted();
    let d = &p.ids[1];
    let got = p.trail(&["--last", "--kind", "write", "--kind", "edit", "--kind", "todo"]);
    assert_eq!(
        fields(&got, &["session_id", "kind", "path"]),
        [
            format!("\"{d}\" \"edit\" \"{PLAN}\""),
            format!("\"{d}\" \"todo\" -"),
            format!("\"{}\" \"write\" \"/home/u/gt/gastown/polecats/nux/docs/locked.md\"", p.ids[3]),
        ]
    );
    // Kinds may be listed with commas too, as seance-grep's --kind takes them.
    assert_eq!(p.trail(&["--last", "--kind", "write,edit", "--kind", "todo"]), got);
}

#[test]
fn a_commit_hash_only_from_the_command_that_made_it() {
    let p = planted();
    let got = p.lines(&["--kind", "commit"]);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        got[0],
        format!(
            r#"{{"session_id":"{}","ts":"2026-01-22T10:00:04.000Z","record":{},"kind":"commit","hash":"1a2b3c4","subject":"Add migration plan","branch":"polecat/nux","actor":"gastown/polecats/nux","role":"polecat"}}"#,
            p.ids[4], p.commit_line
        )
    );
}

#[test]
fn a_failed_write_is_ok_false() {
    let p = planted();
    let got = p.trail(&["--kind", "write", "--path", "locked.md"]);
    assert_eq!(
        fields(&got, &["session_id", "record", "ok"]),
        [format!("\"{}\" {} false", p.ids[3], p.failed_write_line)]
    );
}

#[test]
fn pull_requests_from_gh_and_from_pr_link_records() {
    let p = planted();
    let got = p.trail(&["--kind", "pr"]);
    assert_eq!(
        fields(&got, &["session_id", "url", "number", "repo", "source"]),
        [
            format!(
                "\"{}\" \"https://github.com/gastown/gastown/pull/43\" 43 \"gastown/gastown\" \"pr-link\"",
                p.ids[1]
            ),
            format!(
                "\"{}\" \"https://github.com/gastown/gastown/pull/42\" 42 \"gastown/gastown\" \"gh\"",
                p.ids[2]
            ),
        ]
    );
}

#[test]
fn beads_branches_pushes_and_mail() {
    let p = planted();
    let got = p.lines(&["--kind", "bead", "--kind", "branch", "--kind", "push", "--kind", "mail"]);
    assert_eq!(
        got.iter().map(|l| kind_fields(l)).collect::<Vec<_>>(),
        [
            r#""kind":"branch","branch":"polecat/nux-2""#,
            r#""kind":"push","remote":"origin","branch":"polecat/nux-2","url":"github.com:gastown/gastown.git","new":true"#,
            r#""kind":"mail","to":"mayor/","subject":"Handoff: plan is in docs""#,
            r#""kind":"bead","id":"gt-abc12","action":"created""#,
            r#""kind":"bead","id":"gt-xyz9","action":"updated""#,
        ]
    );
}

#[test]
fn the_last_todo_list_with_its_pending_items() {
    let p = planted();
    let got = p.trail(&["--kind", "todo"]);
    assert_eq!(
        fields(&got, &["session_id", "pending", "in_progress", "completed"]),
        [format!("\"{}\" [\"Tell the witness\",\"Close the bead\"] [\"Close the bead\"] 2", p.ids[1])]
    );
}

#[test]
fn sessions_from_stdin_records_and_limits() {
    let p = planted();
    let events = p.world.tool("seance-events").run().ok().stdout;
    let run = p.world.tool("seance-trail").args(["--kind", "write", "-n", "2"]).stdin(&events).run().ok();
    // The log's newest event is e's (no writes), then d (edit only), c, b: c's write, b's first.
    assert_eq!(
        fields(
            &run.lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect::<Vec<_>>(),
            &["session_id"]
        ),
        [format!("\"{}\"", p.ids[2]), format!("\"{}\"", p.ids[3])]
    );
    let none = p.world.tool("seance-trail").args(["-e", "--kind", "mail", &p.ids[0]]).run().code(1);
    assert_eq!(none.stdout, "");
    let unknown = p.world.tool("seance-trail").args(["--kind", "mail", "ffffffff-0000"]).run().code(3);
    assert!(
        unknown.stderr.starts_with("seance-trail: 'ffffffff-0000' matches no session"),
        "{}",
        unknown.stderr
    );
    assert_eq!(unknown.stderr.lines().count(), 1);
    let bad = p.world.tool("seance-trail").args(["--kind", "nope"]).run().code(2);
    assert!(
        bad.stderr.starts_with("seance-trail: --kind: 'nope' is not one of write, edit, command"),
        "{}",
        bad.stderr
    );
}

#[test]
fn unknown_tools_and_odd_outputs_leave_nothing_and_no_error() {
    let p = planted();
    let got = p.world.tool("seance-trail").args([&p.ids[3]]).run().ok();
    let kinds: Vec<String> =
        got.lines().iter().map(|l| serde_json::from_str::<Value>(l).unwrap()["kind"].to_string()).collect();
    assert_eq!(kinds, ["\"write\"", "\"write\"", "\"command\""]);
    // The garbage output's command is there, its control characters escaped, nothing made of it.
    assert!(!got.stdout.contains('\u{1b}'));
}

#[test]
fn real_transcripts_give_their_commits_and_todo_list() {
    let world = World::new();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts/2.1.197-print");
    let dir = world.one.join("projects/-home-u-gt-beads-polecats-nux");
    fs::create_dir_all(dir.join("6fe22b49-5bdc-4405-be06-c84be76a0f5f/subagents")).unwrap();
    for file in [
        "6fe22b49-5bdc-4405-be06-c84be76a0f5f.jsonl",
        "6fe22b49-5bdc-4405-be06-c84be76a0f5f/subagents/agent-a07ac8da66b469d20.jsonl",
    ] {
        fs::copy(source.join(file), dir.join(file)).unwrap();
    }
    let run = world
        .tool("seance-trail")
        .args(["--kind", "commit", "--kind", "todo", "--kind", "write", "6fe22b49"])
        .run()
        .ok();
    let got: Vec<Value> = run.lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        fields(&got, &["record", "kind", "hash", "subject", "path", "ok", "pending", "completed"]),
        [
            "10 \"write\" - - \"/home/u/gt/beads/polecats/nux/notes/plan.md\" true - -",
            "16 \"commit\" \"cd24f95\" \"Add migration plan\" - - - -",
            "38 \"commit\" \"8c67ff1\" \"Hand plan to max\" - - - -",
            "52 \"write\" - - \"/home/u/gt/beads/polecats/nux/notes/plan.md\" true - -",
            "26 \"todo\" - - - - [] 3",
        ]
    );
}

/// Runs `command` with `sh` in the planted world, the tools first on PATH, stdin /dev/null.
pub fn shell_in(world: &World, command: &str) -> std::process::Output {
    let bins = crate::util::bin("seance");
    let path = format!("{}:{}", bins.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    std::process::Command::new("sh")
        .args(["-c", command])
        .env("PATH", path)
        .env("HOME", &world.home)
        .env("TZ", "UTC")
        .env_remove("CLAUDE_CONFIG_DIR")
        .env_remove("GT_TOWN_ROOT")
        .current_dir(&world.work)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn the_readme_trail_pipelines_run_and_find_something() {
    let p = planted();
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let commands: Vec<&str> =
        readme.lines().filter(|l| l.starts_with("seance") && l.contains("seance-trail")).collect();
    assert!(commands.len() >= 5, "{commands:?}");
    for command in commands {
        let run = shell_in(&p.world, command);
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success() && run.stderr.is_empty(),
            "{command}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(!stdout.is_empty(), "{command} found nothing");
        for line in stdout.lines() {
            serde_json::from_str::<Value>(line).unwrap();
        }
    }
}

#[test]
fn without_ids_or_piped_input_every_session_is_read() {
    let p = planted();
    let run = shell_in(&p.world, "seance-trail --kind write --path migration-plan.md");
    let got: Vec<Value> =
        String::from_utf8_lossy(&run.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        fields(&got, &["session_id"]),
        [p.ids[2].clone(), p.ids[3].clone(), p.ids[4].clone()].map(|id| format!("\"{id}\""))
    );
}

#[test]
fn account_and_since_choose_sessions_as_for_grep() {
    let p = planted();
    // The plan's writers: c (account one, 300 s old), b (two, 400 s), a (one, 500 s). Only c is in
    // account one and modified at or after 450 s before the planted moment.
    let since = "2026-09-21T14:05:50Z";
    let ids = |command: &str| -> (String, Vec<String>) {
        let run = shell_in(&p.world, command);
        assert!(run.status.success(), "{command}: {}", String::from_utf8_lossy(&run.stderr));
        let out = String::from_utf8(run.stdout).unwrap();
        let got: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        (out, fields(&got, &["session_id"]))
    };
    let write = "seance-trail --kind write --path migration-plan.md";
    let quoted = |i: usize| format!("\"{}\"", p.ids[i]);
    assert_eq!(ids(&format!("{write} --account one")).1, [quoted(2), quoted(4)]);
    assert_eq!(ids(&format!("{write} --since {since}")).1, [quoted(2), quoted(3)]);
    let (both, got) = ids(&format!("{write} --account one --since {since}"));
    assert_eq!(got, [quoted(2)]);
    // Exactly what c alone gives.
    assert_eq!(both, ids(&format!("{write} {}", p.ids[2])).0);
    let unknown = p.world.tool("seance-trail").args(["--account", "nope"]).run().code(2);
    assert!(unknown.stderr.starts_with("seance-trail: no account named 'nope'"), "{}", unknown.stderr);
}

#[test]
fn fmt_renders_trail_records_as_a_table_tsv_and_ids() {
    let p = planted();
    let records = p.lines(&["--kind", "commit", "--kind", "pr", "--kind", "todo"]).join("\n") + "\n";
    let table =
        p.world.tool("seance-fmt").args(["--format", "table", "--width", "100"]).stdin(&records).run().ok();
    assert_eq!(
        table.stdout,
        "\
TIME              ROLE                    KIND     WHAT
────────────────────────────────────────────────────────────────────────────────────────
2026-01-22 15:35  gastown/polecats/nux    pr       https://github.com/gastown/gastown/pull/43
2026-01-22 15:30  gastown/polecats/nux    todo     2 pending: Tell the witness; Close the bead
2026-01-22 15:30  gastown/crew/joe        pr       https://github.com/gastown/gastown/pull/42
2026-01-22 15:30  gastown/polecats/nux    commit   1a2b3c4 Add migration plan
"
    );
    let narrow = p
        .world
        .tool("seance-fmt")
        .args(["--format", "table", "--width", "60", "--no-header"])
        .stdin(&records)
        .run()
        .ok();
    assert_eq!(narrow.lines()[0], "2026-01-22 15:35  gastown/polecats/nux    pr       https://…");
    let tsv = p.world.tool("seance-fmt").args(["--format", "tsv"]).stdin(&records).run().ok();
    assert_eq!(
        tsv.lines()[3],
        format!(
            "{}\t2026-01-22T10:00:04Z\tgastown/polecats/nux\tcommit\t1a2b3c4 Add migration plan",
            p.ids[4]
        )
    );
    let ids = p.world.tool("seance-fmt").args(["--format", "ids"]).stdin(&records).run().ok();
    assert_eq!(ids.lines(), [&p.ids[1], &p.ids[2], &p.ids[4]]);
}

#[test]
fn every_command_the_skill_shows_runs_on_the_test_world() {
    let p = planted();
    let skill = p.world.tool("seance").args(["init", "skill"]).run().ok().stdout;
    assert!(skill.starts_with("---\nname: seance\ndescription: "), "{skill}");
    // The agent --talk would start: a stand-in that answers (and says its version) and exits.
    let agent = p.world.home.join("agent.sh");
    fs::write(&agent, "#!/bin/sh\necho 'It is in docs/migration-plan.md.'\n").unwrap();
    fs::set_permissions(&agent, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut commands = Vec::new();
    let mut in_block = false;
    for line in skill.lines() {
        match line {
            "```sh" => in_block = true,
            "```" => in_block = false,
            _ if in_block => commands.push(line),
            _ => {}
        }
    }
    assert!(commands.len() >= 10, "{commands:?}");
    for command in commands {
        let command = format!("SEANCE_AGENT={} {command}", agent.display());
        let run = shell_in(&p.world, &command);
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(run.status.success(), "{command}: {}", String::from_utf8_lossy(&run.stderr));
        assert!(!stdout.trim().is_empty(), "{command} printed nothing");
    }
}

#[test]
fn a_result_without_text_still_answers_its_call() {
    let world = World::new();
    let id = uuid(60);
    let mut script = Script::new(&id);
    // Results as the client writes them when a tool printed nothing: an empty string, an empty
    // list of parts, only an image; and one call the session never got an answer to.
    let quiet = script.call("Bash", json!({"command": "touch done", "description": "Touch"}));
    script.raw(&format!(
        r#"{{"type":"user","message":{{"role":"user","content":[{{"tool_use_id":"{quiet}","type":"tool_result","content":[]}}]}},"timestamp":"2026-01-22T10:00:30.000Z"}}"#
    ));
    let image = script.call("Write", json!({"file_path": "/w/shot.png", "content": "x"}));
    script.raw(&format!(
        r#"{{"type":"user","message":{{"role":"user","content":[{{"tool_use_id":"{image}","type":"tool_result","content":[{{"type":"image","source":{{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}}}]}}]}},"timestamp":"2026-01-22T10:00:31.000Z"}}"#
    ));
    let empty = script.call("Bash", json!({"command": "true", "description": "Nothing"}));
    script.result(&empty, "", false);
    let failed = script.call("Bash", json!({"command": "false", "description": "Fail"}));
    script.raw(&format!(
        r#"{{"type":"user","message":{{"role":"user","content":[{{"tool_use_id":"{failed}","type":"tool_result","is_error":true}}]}},"timestamp":"2026-01-22T10:00:32.000Z"}}"#
    ));
    script.call("Bash", json!({"command": "sleep 999", "description": "Wait"}));
    script.save(&world.one, 0);
    let run = world.tool("seance-trail").args([&id]).run().ok();
    let got: Vec<String> = run
        .lines()
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            format!("{} {}", v.get("command").or(v.get("path")).unwrap(), v["ok"])
        })
        .collect();
    assert_eq!(
        got,
        [
            "\"touch done\" true",
            "\"/w/shot.png\" true",
            "\"true\" true",
            "\"false\" false",
            "\"sleep 999\" null"
        ]
    );
}
