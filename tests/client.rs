//! End to end with the real Claude Code client, driven offline against the fake Messages API
//! (tests/fake_api.rs): the predecessor is written by the client itself (`claude -p "remember
//! the word W"` in another account), and a fork proves it loaded the predecessor by answering
//! with W, which the fake model says only when W is in the conversation the client sent.
//!
//! Every scenario runs against each client version CI pins: `SEANCE_CLAUDE_BIN` (the oldest we
//! support, 2.1.197) and `SEANCE_CLAUDE_BIN_NEWEST` (2.1.330). `.ci/run` installs both; under
//! `CI` a missing one fails the test, elsewhere it is skipped with a note.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::fake_api::{self, FakeApi, heard, remember};
use crate::transcript_fixture::conversation;
use crate::util::{Run, Tool, tool, uuid};
use crate::world::*;

const MISS: &str = "No conversation found with session ID";
const QUESTION: &str = "What was the word?";
/// A client run takes about a second; one that takes this long has hung.
const LIMIT: Duration = Duration::from_secs(90);

pub struct Client {
    pub bin: PathBuf,
    pub var: &'static str,
}

impl Client {
    fn from_env(var: &'static str) -> Option<Client> {
        match std::env::var_os(var).filter(|v| !v.is_empty()) {
            Some(bin) => Some(Client { bin: PathBuf::from(bin), var }),
            None if std::env::var_os("CI").is_some() => {
                panic!("CI must install the Claude Code client and set {var} (see .ci/run)")
            }
            None => {
                eprintln!("skipping: set {var} to a Claude Code client to run this test");
                None
            }
        }
    }

    fn version(&self) -> String {
        let run = Tool::from_command(&self.bin).args(["--version"]).run_within(LIMIT);
        run.stdout.trim().to_string()
    }
}

/// Defines, for each scenario `fn name(&Client)`, a module `name` with one test per client:
/// `client::name::oldest` and `client::name::newest`.
macro_rules! each_client {
    ($($(#[$attr:meta])* $name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            $(#[$attr])*
            fn oldest() {
                if let Some(client) = super::Client::from_env("SEANCE_CLAUDE_BIN") {
                    super::$name(&client)
                }
            }
            #[test]
            $(#[$attr])*
            fn newest() {
                if let Some(client) = super::Client::from_env("SEANCE_CLAUDE_BIN_NEWEST") {
                    super::$name(&client)
                }
            }
        }
    )*};
}

each_client!(
    staged_fork_hears_a_predecessor_of_another_account,
    hand_written_predecessor_is_heard_too,
    talk_by_prefix_hears_the_predecessor_and_leaves_one_fork,
    odd_working_dirs,
    predecessor_with_a_sidecar,
    predecessor_in_the_same_account,
    predecessor_in_home_claude,
    overlapping_talks_of_one_session,
    child_session_variable_is_not_passed_on,
    project_dir_name_variable,
    forget_removes_the_fork_and_nothing_else,
    task_tools_leave_the_todo_trail,
);

/// A test world with the fake API running, and the client under test.
struct Scene<'a> {
    w: World,
    api: FakeApi,
    client: &'a Client,
    secret: String,
    /// Where the predecessor ran.
    other: PathBuf,
}

impl<'a> Scene<'a> {
    fn new(client: &'a Client, secret: &str) -> Scene<'a> {
        let w = World::new();
        let other = w.town.join("gastown/polecats/nux");
        fs::create_dir_all(&other).unwrap();
        Scene { api: FakeApi::start(secret), w, client, secret: secret.to_string(), other }
    }

    /// `tool` with the environment of a client that talks only to the fake API, in account
    /// `config` (`None`: `~/.claude`), run from `cwd`.
    fn offline(&self, tool: Tool, config: Option<&Path>, cwd: &Path) -> Tool {
        let mut tool = tool
            .env("HOME", &self.w.home)
            .env("ANTHROPIC_BASE_URL", self.api.url())
            .env("ANTHROPIC_API_KEY", "dummy")
            .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
            .env("DISABLE_TELEMETRY", "1")
            .env("DISABLE_AUTOUPDATER", "1")
            .cwd(cwd);
        for var in [
            "CLAUDECODE",
            "CLAUDE_CODE_ENTRYPOINT",
            "CLAUDE_CODE_CHILD_SESSION",
            "CLAUDE_CODE_SESSION_ID",
            "CLAUDE_CODE_PROJECT_DIR_NAME",
            "ANTHROPIC_AUTH_TOKEN",
        ] {
            tool = tool.env_remove(var);
        }
        match config {
            Some(dir) => tool.env("CLAUDE_CONFIG_DIR", dir),
            None => tool.env_remove("CLAUDE_CONFIG_DIR"),
        }
    }

    fn claude(&self, config: Option<&Path>, cwd: &Path, args: &[&str]) -> Tool {
        self.offline(Tool::from_command(&self.client.bin).args(args), config, cwd)
    }

    fn seance(&self, name: &str, config: Option<&Path>, cwd: &Path) -> Tool {
        self.offline(tool(name), config, cwd)
    }

    /// The real client writes the predecessor: `claude -p "remember the word W…"` with a
    /// session id of our choosing, in `config`'s project dir for `cwd`.
    fn predecessor(&self, config: Option<&Path>, cwd: &Path, n: u32, extra: &str) -> (String, PathBuf) {
        let id = uuid(n);
        let prompt = format!("{}{extra}", remember(&self.secret));
        let run = self.claude(config, cwd, &["--session-id", &id, "-p", &prompt]);
        let run = run.run_within(LIMIT);
        assert_eq!(run.code, 0, "{}: the predecessor failed: {}{}", self.client.var, run.stdout, run.stderr);
        let account = config.map_or_else(|| self.w.home.join(".claude"), Path::to_path_buf);
        let file = self.w.project(&account, cwd).join(format!("{id}.jsonl"));
        assert!(fs::symlink_metadata(&file).unwrap().is_file(), "{} not written", file.display());
        (id, file)
    }

    /// `claude --fork-session --resume ID -p QUESTION` from the working dir, in account one.
    fn resume(&self, id: &str) -> Run {
        self.api.clear();
        self.claude(Some(&self.w.one), &self.w.work, &["--fork-session", "--resume", id, "-p", QUESTION])
            .run_within(LIMIT)
    }

    /// `seance --talk ARG -p QUESTION` with the client as the agent, from `cwd` in account one.
    fn talk(&self, cwd: &Path, arg: &str, extra: &[&str]) -> Run {
        self.api.clear();
        let mut args = vec!["--talk", arg, "--agent", self.client.bin.to_str().unwrap()];
        args.extend(extra);
        args.extend(["-p", QUESTION]);
        self.seance("seance", Some(&self.w.one), cwd).args(args).run_within(LIMIT)
    }

    /// The fork answered from the predecessor's conversation: it printed the secret, and the
    /// request it sent carried the predecessor's user and assistant turns before the question.
    fn heard(&self, run: &Run) {
        assert_eq!(run.code, 0, "{}: stdout: {} stderr: {}", self.client.var, run.stdout, run.stderr);
        assert_eq!(run.stdout, format!("{}\n", heard(&self.secret)), "{}: {}", self.client.var, run.stderr);
        let requests = self.api.messages_requests();
        let last = requests.last().expect("the client called the API");
        let users = last.turns("user");
        assert!(users.iter().any(|u| u.contains(&remember(&self.secret))), "{users:?}");
        assert!(users.last().unwrap().contains(QUESTION), "{users:?}");
        let assistants = last.turns("assistant");
        assert!(!assistants.is_empty(), "no assistant turn sent: {users:?}");
    }

    fn heard_noted(&self) {
        let requests = self.api.messages_requests();
        let assistants = requests.last().unwrap().turns("assistant");
        assert!(assistants.iter().any(|a| a.contains(fake_api::NOTED)), "{assistants:?}");
    }

    fn miss(&self, run: &Run, id: &str) {
        assert_ne!(run.code, 0, "{}: found {id} unstaged: {}", self.client.var, run.stdout);
        assert!(
            run.stdout.contains(&format!("{MISS}: {id}")) || run.stderr.contains(&format!("{MISS}: {id}"))
        );
        assert!(self.api.messages_requests().is_empty());
    }
}

/// Every file under `dir`, with its mode and its bytes (a link: where it points).
fn tree(dir: &Path) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let bytes = if meta.file_type().is_symlink() {
                fs::read_link(&path).unwrap().into_os_string().into_encoded_bytes()
            } else if meta.is_dir() {
                todo.push(path.clone());
                Vec::new()
            } else {
                fs::read(&path).unwrap()
            };
            out.insert(path, (meta.mode(), bytes));
        }
    }
    out
}

/// The regular transcripts in a project dir (forks and sessions, not staged links).
fn transcripts(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl") && fs::symlink_metadata(p).unwrap().is_file())
        .collect();
    files.sort();
    files
}

/// The one fork the talk wrote among `dir`'s transcripts, not in `before`: mode 0600, with the
/// predecessor's conversation copied in.
fn one_fork(s: &Scene, dir: &Path, before: &[PathBuf]) -> PathBuf {
    let new: Vec<PathBuf> = transcripts(dir).into_iter().filter(|p| !before.contains(p)).collect();
    assert_eq!(new.len(), 1, "{}: forks in {}: {new:?}", s.client.var, dir.display());
    let meta = fs::symlink_metadata(&new[0]).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let text = read(&new[0]);
    assert!(text.contains(&remember(&s.secret)) && text.contains(QUESTION));
    new[0].clone()
}

/// Nothing staged is left in `dir`: no links, no index entry.
fn nothing_staged(dir: &Path, id: &str) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries {
            let path = entry.unwrap().path();
            assert!(!is_link(&path), "left behind: {}", path.display());
        }
    }
    let index = fs::read_to_string(dir.join("sessions-index.json")).unwrap_or_default();
    assert!(!index.contains(id), "entry left behind: {index}");
}

/// The stage → resume → unstage cycle, checked on what the client does.
fn stage_cycle(s: &Scene, id: &str, source_project: &Path) {
    let source = tree(source_project);
    let before = s.resume(id);
    s.miss(&before, id);

    let token = s.seance("seance-stage", Some(&s.w.one), &s.w.work).args([id]).run_within(LIMIT);
    assert_eq!(token.code, 0, "{}", token.stderr);
    let forks = transcripts(&s.w.target());
    let run = s.resume(id);
    s.heard(&run);
    one_fork(s, &s.w.target(), &forks);
    assert_eq!(tree(source_project), source, "the predecessor's project dir changed");

    let undo =
        s.seance("seance-unstage", Some(&s.w.one), &s.w.work).args([token.stdout.trim()]).run_within(LIMIT);
    assert_eq!(undo.code, 0, "{}", undo.stderr);
    nothing_staged(&s.w.target(), id);
    let after = s.resume(id);
    s.miss(&after, id);
    assert_eq!(tree(source_project), source);
}

fn staged_fork_hears_a_predecessor_of_another_account(c: &Client) {
    let s = Scene::new(c, "PAPAYA");
    let (id, file) = s.predecessor(Some(&s.w.two), &s.other, 11, "");
    stage_cycle(&s, &id, file.parent().unwrap());
    // What the fork was sent holds the predecessor's answer too.
    let token = s.seance("seance-stage", Some(&s.w.one), &s.w.work).args([&id]).run_within(LIMIT);
    s.heard(&s.resume(&id));
    s.heard_noted();
    s.seance("seance-unstage", Some(&s.w.one), &s.w.work).args([token.stdout.trim()]).run_within(LIMIT);
}

fn hand_written_predecessor_is_heard_too(c: &Client) {
    let s = Scene::new(c, "QUINCE");
    let id = uuid(12);
    let dir = s.w.project(&s.w.two, &s.other);
    conversation(&id, &s.other, &remember(&s.secret), fake_api::NOTED).write(&dir);
    stage_cycle(&s, &id, &dir);
}

fn talk_by_prefix_hears_the_predecessor_and_leaves_one_fork(c: &Client) {
    let s = Scene::new(c, "MANGO");
    let (id, file) = s.predecessor(Some(&s.w.two), &s.other, 13, "");
    let source = tree(file.parent().unwrap());
    let before = transcripts(&s.w.target());
    let run = s.talk(&s.w.work, &id[..8], &[]);
    s.heard(&run);
    assert!(run.stderr.starts_with(&format!("Summoning session {id}…\n")), "{}", run.stderr);
    let fork = one_fork(&s, &s.w.target(), &before);
    nothing_staged(&s.w.target(), &id);
    assert_eq!(tree(file.parent().unwrap()), source);
    saved_message(&s, &run, &fork);

    // The saved fork reopens by its id, and is heard from as well.
    let fork_id = fork.file_stem().unwrap().to_str().unwrap().to_string();
    let again = s.talk(&s.w.work, &fork_id, &[]);
    s.heard(&again);
    nothing_staged(&s.w.target(), &fork_id);
}

/// What seance says after the talk: where the fork was saved and how to reopen it.
fn saved_message(s: &Scene, run: &Run, fork: &Path) {
    let fork_id = fork.file_stem().unwrap().to_str().unwrap();
    assert!(
        run.stderr.ends_with(&format!(
            "The talk was saved as {}\nReopen it with: seance --talk {fork_id}\n",
            fork.display()
        )),
        "{}: {}",
        s.client.var,
        run.stderr
    );
}

fn odd_working_dirs(c: &Client) {
    let s = Scene::new(c, "LYCHEE");
    let (id, _) = s.predecessor(Some(&s.w.two), &s.other, 14, "");
    let long = format!("deep/{}/{}", "d".repeat(120), "e".repeat(100));
    for name in ["snake_case_dir", "dotted.v2", "with space", "ünïcødé 日本", long.as_str()] {
        let cwd = s.w.town.join("gastown/crew").join(name);
        fs::create_dir_all(&cwd).unwrap();
        let target = s.w.project(&s.w.one, &cwd);
        let before = transcripts(&target);
        let run = s.talk(&cwd, &id, &[]);
        s.heard(&run);
        one_fork(&s, &target, &before);
        nothing_staged(&target, &id);
    }
}

fn predecessor_with_a_sidecar(c: &Client) {
    let s = Scene::new(c, "FIG");
    let (id, file) =
        s.predecessor(Some(&s.w.two), &s.other, 15, &format!(", then {} a helper", fake_api::SPAWN));
    let project = file.parent().unwrap().to_path_buf();
    let subagents = project.join(&id).join("subagents");
    let agents: Vec<_> = fs::read_dir(&subagents).expect("the client wrote a sidecar").collect();
    assert!(!agents.is_empty());
    let source = tree(&project);

    let token = s.seance("seance-stage", Some(&s.w.one), &s.w.work).args([&id]).run_within(LIMIT);
    assert_eq!(token.code, 0, "{}", token.stderr);
    assert_eq!(fs::read_link(s.w.target().join(&id)).unwrap(), project.join(&id));
    let run = s.resume(&id);
    s.heard(&run);
    let sent = s.api.messages_requests().last().unwrap().clone();
    assert!(sent.turns("assistant").iter().any(|a| a.contains("tool_use:Agent")));
    assert!(sent.turns("user").iter().any(|u| u.contains("tool_result:")));
    s.seance("seance-unstage", Some(&s.w.one), &s.w.work).args([token.stdout.trim()]).run_within(LIMIT);
    nothing_staged(&s.w.target(), &id);
    assert_eq!(tree(&project), source);
}

fn predecessor_in_the_same_account(c: &Client) {
    let s = Scene::new(c, "KIWI");
    let (id, file) = s.predecessor(Some(&s.w.one), &s.other, 16, "");
    let source = tree(file.parent().unwrap());
    let before = transcripts(&s.w.target());
    let run = s.talk(&s.w.work, &id[..8], &[]);
    s.heard(&run);
    one_fork(&s, &s.w.target(), &before);
    nothing_staged(&s.w.target(), &id);
    assert_eq!(tree(file.parent().unwrap()), source);
}

fn predecessor_in_home_claude(c: &Client) {
    let s = Scene::new(c, "GUAVA");
    // ~/.claude as its own account, apart from the town's accounts.
    let home_claude = s.w.home.join(".claude");
    fs::remove_file(&home_claude).unwrap();
    fs::create_dir(&home_claude).unwrap();
    let (id, file) = s.predecessor(None, &s.other, 17, "");
    assert!(file.starts_with(&home_claude));
    let source = tree(file.parent().unwrap());
    let before = transcripts(&s.w.target());
    let run = s.talk(&s.w.work, &id[..8], &[]);
    s.heard(&run);
    one_fork(&s, &s.w.target(), &before);
    nothing_staged(&s.w.target(), &id);
    assert_eq!(tree(file.parent().unwrap()), source);
}

/// An agent that waits at gates around the real client: `<gate>.before` exists while it waits
/// to start the client (until `<gate>.go`), `<gate>.after` once the client is done (it then
/// waits for `<gate>.end`). `--version` passes through.
const GATED: &str = r#"#!/bin/sh
case "$1" in --version) exec "$SEANCE_TEST_CLIENT" "$@" ;; esac
g="$SEANCE_TEST_GATE"
wait_for() { n=0; while [ ! -e "$1" ]; do n=$((n+1)); [ $n -gt 1200 ] && exit 99; sleep 0.05; done; }
touch "$g.before"; wait_for "$g.go"
"$SEANCE_TEST_CLIENT" "$@"; rc=$?
touch "$g.after"; wait_for "$g.end"
exit $rc
"#;

fn overlapping_talks_of_one_session(c: &Client) {
    let s = Scene::new(c, "LIME");
    let (id, _) = s.predecessor(Some(&s.w.two), &s.other, 18, "");
    let agent = s.w.home.join("gated.sh");
    fs::write(&agent, GATED).unwrap();
    fs::set_permissions(&agent, fs::Permissions::from_mode(0o755)).unwrap();
    let gates = s.w.home.join("gates");
    fs::create_dir(&gates).unwrap();
    let gate = |name: &str| gates.join(name);
    let wait_for = |path: PathBuf| {
        let deadline = std::time::Instant::now() + LIMIT;
        while !path.exists() {
            assert!(std::time::Instant::now() < deadline, "{} never appeared", path.display());
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let talk = |name: &str| {
        let tool = s
            .seance("seance", Some(&s.w.one), &s.w.work)
            .args(["--talk", &id, "--agent", agent.to_str().unwrap(), "-p", QUESTION])
            .env("SEANCE_TEST_CLIENT", &s.client.bin)
            .env("SEANCE_TEST_GATE", gate(name));
        std::thread::spawn(move || tool.run_within(LIMIT))
    };
    // A stages and runs its client to the end, then waits; B stages the same session and
    // waits before its client starts. A leaves (unstaging), and only then does B's client
    // look the session up: it must still be staged, since B still needs it.
    fs::write(gate("a.go"), "").unwrap();
    let a = talk("a");
    wait_for(gate("a.after"));
    let b = talk("b");
    wait_for(gate("b.before"));
    fs::write(gate("a.end"), "").unwrap();
    let a = a.join().unwrap();
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert!(a.stdout.contains(&heard(&s.secret)), "{}", a.stdout);
    fs::write(gate("b.go"), "").unwrap();
    fs::write(gate("b.end"), "").unwrap();
    let b = b.join().unwrap();
    assert_eq!(b.code, 0, "{}: the second talk lost its stage: {} {}", c.var, b.stdout, b.stderr);
    assert!(b.stdout.contains(&heard(&s.secret)), "{}", b.stdout);
    nothing_staged(&s.w.target(), &id);
}

/// The variable makes an interactive 2.1.197 write no transcript (its code checks
/// `CLAUDE_CODE_CHILD_SESSION && interactive`); in `-p` mode both versions still write one, so
/// here it only shows that a talk from inside a session works. tests/talk.rs checks with a
/// stand-in agent that the variable never reaches the agent.
fn child_session_variable_is_not_passed_on(c: &Client) {
    let s = Scene::new(c, "PLUM");
    let (id, _) = s.predecessor(Some(&s.w.two), &s.other, 19, "");
    let before = transcripts(&s.w.target());
    let args = ["--talk", &id, "--agent", c.bin.to_str().unwrap(), "-p", QUESTION];
    let run = s.seance("seance", Some(&s.w.one), &s.w.work).args(args).env("CLAUDE_CODE_CHILD_SESSION", "1");
    let run = run.run_within(LIMIT);
    s.heard(&run);
    one_fork(&s, &s.w.target(), &before);
}

/// `CLAUDE_CODE_PROJECT_DIR_NAME` (read by 2.1.330 when CLAUDE_CONFIG_DIR is set) moves where
/// the client writes the fork; both versions look sessions up in the working dir's own project
/// dir, so the stage goes there and the talk works on both; seance reports the fork where the
/// client put it.
fn project_dir_name_variable(c: &Client) {
    let s = Scene::new(c, "PEAR");
    let (id, _) = s.predecessor(Some(&s.w.two), &s.other, 20, "");
    let named = s.w.one.join("projects/renamed-project");
    let (before_named, before) = (transcripts(&named), transcripts(&s.w.target()));
    let args = ["--talk", &id, "--agent", c.bin.to_str().unwrap(), "-p", QUESTION];
    let run = s.seance("seance", Some(&s.w.one), &s.w.work).args(args);
    let run = run.env("CLAUDE_CODE_PROJECT_DIR_NAME", "renamed-project");
    let run = run.run_within(LIMIT);
    s.heard(&run);
    let honoured = !transcripts(&named).is_empty();
    let fork =
        if honoured { one_fork(&s, &named, &before_named) } else { one_fork(&s, &s.w.target(), &before) };
    match s.client.version().split(' ').next().unwrap() {
        "2.1.197" => assert!(!honoured, "2.1.197 does not read the variable"),
        "2.1.330" => assert!(honoured, "2.1.330 reads the variable"),
        _ => {}
    }
    saved_message(&s, &run, &fork);
    nothing_staged(&s.w.target(), &id);
    nothing_staged(&named, &id);
}

fn forget_removes_the_fork_and_nothing_else(c: &Client) {
    let s = Scene::new(c, "DATE");
    let (id, file) = s.predecessor(Some(&s.w.two), &s.other, 21, "");
    let source = tree(file.parent().unwrap());
    let agent = c.bin.display().to_string();
    let talk = |question: &str| {
        s.api.clear();
        let args = ["--talk", &id, "--forget", "--agent", &agent, "-p", question];
        s.seance("seance", Some(&s.w.one), &s.w.work).args(args).run_within(LIMIT)
    };
    // A stage and unstage first, so that the index they leave is part of the picture.
    let token = s.seance("seance-stage", Some(&s.w.one), &s.w.work).args([&id]).run_within(LIMIT);
    s.seance("seance-unstage", Some(&s.w.one), &s.w.work).args([token.stdout.trim()]).run_within(LIMIT);
    let target = s.w.target();
    let unchanged = |run: &Run, before: &BTreeMap<PathBuf, (u32, Vec<u8>)>| {
        let mut after = tree(&target);
        // The client makes its own memory dir; that is not the fork's.
        after.retain(|p, _| !p.starts_with(target.join("memory")));
        assert_eq!(&after, before, "{}: {}", c.var, run.stderr);
        assert_eq!(tree(file.parent().unwrap()), source);
    };
    let before = tree(&target);
    let run = talk(QUESTION);
    s.heard(&run);
    unchanged(&run, &before);
    // A fork with a sidecar of its own: the question makes the client call a helper.
    let run = talk(&format!("{} {QUESTION}", fake_api::SPAWN));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(fake_api::HELPER_DONE), "{}", run.stdout);
    unchanged(&run, &before);
}

/// The 2.1.x client keeps its todo list with TaskCreate and TaskUpdate (TodoWrite is off by
/// default): seance-trail reads the list the client itself wrote, with the task numbers its
/// results gave. 2.1.330 refuses the task tools in a `-p` session (an error result for each
/// call): then no todo list was kept, and the trail says none.
fn task_tools_leave_the_todo_trail(c: &Client) {
    let s = Scene::new(c, "LIME");
    let (id, file) = s.predecessor(Some(&s.w.two), &s.other, 16, &format!(", {}", fake_api::TASKS));
    let written = fs::read_to_string(&file).unwrap();
    let run = s.seance("seance-trail", Some(&s.w.one), &s.w.work).args([&id]).run_within(LIMIT);
    assert_eq!(run.code, 0, "{}", run.stderr);
    if written.contains("TaskCreate is disabled for this session") {
        assert!(!written.contains("created successfully"), "{written}");
        assert_eq!(run.stdout, "", "refused task calls made a todo list");
        return;
    }
    // The last change is the TaskUpdate that completed task #1: its line and time.
    let (at, update) = written
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(r#""name":"TaskUpdate""#))
        .expect("the client called TaskUpdate");
    let update: serde_json::Value = serde_json::from_str(update).unwrap();
    assert!(written.contains("Task #3 created successfully: mail the mayor"), "{written}");
    let [_, second, third] = fake_api::TASKS_MADE;
    assert_eq!(
        run.stdout,
        format!(
            r#"{{"session_id":"{id}","ts":"{}","record":{},"kind":"todo","pending":["{second}","{third}"],"in_progress":[],"completed":1}}"#,
            update["timestamp"].as_str().unwrap(),
            at + 1
        ) + "\n"
    );
}
