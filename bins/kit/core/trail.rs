//! What a predecessor did and left behind, read from its tool calls and their results: the
//! files it wrote and edited, the commands it ran, and what those commands' output says they
//! made (commits, pushes, branches, pull requests, beads, mail), plus its last todo list.
//!
//! A call is joined to its result by `tool_use_id`, so `ok` is known and a commit hash is only
//! ever taken from the output of the command that made it, never from a `git log` elsewhere.
//! Everything here is best effort over what real tools print: an unknown tool or an output
//! that does not look like what git, gh, bd or gt print is skipped, never an error.

use std::collections::HashMap;
use std::collections::VecDeque;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::cmdline::{program, simple_commands};
use super::transcript::{self, Prefilter, Reader, Record};

/// Every line a trail needs holds one of these; the reader skips the rest undecoded.
const WANTED: &[&str] = &["\"type\":\"tool_use\"", "\"type\":\"tool_result\"", "\"type\":\"pr-link\""];

/// The trail of one transcript file, handed to `each` in order as it is read. Reading ends
/// early when `stop` is raised. Returns how many lines were skipped as malformed.
pub fn read(path: &Path, stop: Option<Arc<AtomicBool>>, mut each: impl FnMut(Item)) -> io::Result<u64> {
    let mut reader = Reader::open(path)?.with_prefilter(Prefilter::new(WANTED, false));
    if let Some(stop) = stop {
        reader = reader.stop_on(stop);
    }
    let mut trail = Trail::new();
    let mut ready = Vec::new();
    while let Some(record) = reader.next_record()? {
        trail.record(&record);
        trail.ready(&mut ready);
        ready.drain(..).for_each(&mut each);
    }
    trail.finish(&mut ready);
    ready.drain(..).for_each(&mut each);
    Ok(reader.malformed)
}

/// The kinds of things a trail holds, in the order the docs list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Write,
    Edit,
    Command,
    Commit,
    Push,
    Branch,
    Pr,
    Bead,
    Mail,
    Todo,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Write,
        Kind::Edit,
        Kind::Command,
        Kind::Commit,
        Kind::Push,
        Kind::Branch,
        Kind::Pr,
        Kind::Bead,
        Kind::Mail,
        Kind::Todo,
    ];
    pub const NAMES: &'static [&'static str] =
        &["write", "edit", "command", "commit", "push", "branch", "pr", "bead", "mail", "todo"];

    pub fn name(self) -> &'static str {
        Kind::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::NAMES.iter().position(|n| *n == name).map(|i| Kind::ALL[i])
    }
}

impl super::choice::Choice for Kind {
    const NAMES: &'static [&'static str] = Kind::NAMES;

    fn from_name(name: &str) -> Option<Kind> {
        Kind::from_name(name)
    }

    fn name(self) -> &'static str {
        Kind::name(self)
    }
}

/// One thing a session left, with the fields of its kind (serialised after `kind`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Artifact {
    /// A file written whole (Write).
    Write {
        path: String,
        tool: String,
        ok: Option<bool>,
    },
    /// A file changed in place (Edit, MultiEdit, NotebookEdit).
    Edit {
        path: String,
        tool: String,
        ok: Option<bool>,
    },
    Command {
        command: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        ok: Option<bool>,
    },
    Commit {
        hash: String,
        subject: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        branch: Option<String>,
    },
    Push {
        remote: Option<String>,
        branch: String,
        url: Option<String>,
        /// The push created the branch on the remote (`* [new branch]`).
        new: bool,
    },
    Branch {
        branch: String,
    },
    Pr {
        url: String,
        number: Option<u64>,
        repo: Option<String>,
        /// `gh` (its output) or `pr-link` (the client's own record).
        source: String,
    },
    Bead {
        id: String,
        action: String,
    },
    Mail {
        to: String,
        subject: Option<String>,
    },
    /// The session's last todo list: what was not done yet, in its order.
    Todo {
        pending: Vec<String>,
        in_progress: Vec<String>,
        completed: usize,
    },
}

impl Artifact {
    pub fn kind(&self) -> Kind {
        match self {
            Artifact::Write { .. } => Kind::Write,
            Artifact::Edit { .. } => Kind::Edit,
            Artifact::Command { .. } => Kind::Command,
            Artifact::Commit { .. } => Kind::Commit,
            Artifact::Push { .. } => Kind::Push,
            Artifact::Branch { .. } => Kind::Branch,
            Artifact::Pr { .. } => Kind::Pr,
            Artifact::Bead { .. } => Kind::Bead,
            Artifact::Mail { .. } => Kind::Mail,
            Artifact::Todo { .. } => Kind::Todo,
        }
    }

    /// The file a write or an edit touched.
    pub fn path(&self) -> Option<&str> {
        match self {
            Artifact::Write { path, .. } | Artifact::Edit { path, .. } => Some(path),
            _ => None,
        }
    }

    /// A line that says what it is, for tables: the path, the command, `hash subject` …
    pub fn what(&self) -> String {
        match self {
            Artifact::Write { path, ok, .. } | Artifact::Edit { path, ok, .. } => failed(path, *ok),
            Artifact::Command { command, ok, .. } => failed(command, *ok),
            Artifact::Commit { hash, subject, .. } => format!("{hash} {subject}"),
            Artifact::Push { remote, branch, .. } => match remote {
                Some(remote) => format!("{remote} {branch}"),
                None => branch.clone(),
            },
            Artifact::Branch { branch } => branch.clone(),
            Artifact::Pr { url, .. } => url.clone(),
            Artifact::Bead { id, action } => format!("{id} ({action})"),
            Artifact::Mail { to, subject } => match subject {
                Some(subject) => format!("{to}: {subject}"),
                None => to.clone(),
            },
            Artifact::Todo { pending, .. } if pending.is_empty() => "all done".to_string(),
            Artifact::Todo { pending, .. } => format!("{} pending: {}", pending.len(), pending.join("; ")),
        }
    }
}

fn failed(text: &str, ok: Option<bool>) -> String {
    if ok == Some(false) { format!("{text} (failed)") } else { text.to_string() }
}

/// An artifact and where in the transcript it comes from (the line of the call that made it).
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub record: u64,
    pub ts: Option<String>,
    pub artifact: Artifact,
}

/// A trail record as seance-trail prints it (and seance-fmt reads it back): the session, where
/// in its transcript, the artifact's kind and fields, and what the town knows of the session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrailRecord {
    pub session_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subagent: Option<String>,
    pub ts: Option<String>,
    pub record: u64,
    #[serde(flatten)]
    pub artifact: Artifact,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl TrailRecord {
    /// The record for `item` of session `session_id`.
    pub fn new(
        session_id: &str,
        subagent: Option<&str>,
        item: &Item,
        actor: Option<&str>,
        role: Option<&str>,
    ) -> TrailRecord {
        TrailRecord {
            session_id: session_id.to_string(),
            subagent: subagent.map(String::from),
            ts: item.ts.clone(),
            record: item.record,
            artifact: item.artifact.clone(),
            actor: actor.map(String::from),
            role: role.map(String::from),
        }
    }

    /// One NDJSON line, without its newline.
    pub fn to_line(&self) -> Vec<u8> {
        // Strings, numbers and booleans only: serialising cannot fail.
        let mut line = super::printable::json_line(self).unwrap_or_default();
        line.pop();
        line
    }

    /// `line` as a trail record, when it is one (a JSON object with `session_id` and a trail
    /// `kind` at the top); events and other records are not.
    pub fn parse(line: &[u8]) -> Option<TrailRecord> {
        if memchr::memmem::find(line, b"\"kind\"").is_none()
            || memchr::memmem::find(line, b"\"session_id\"").is_none()
        {
            return None;
        }
        serde_json::from_slice(line).ok()
    }
}

/// A tool call waiting for its result.
enum Call {
    File {
        edit: bool,
        path: String,
        tool: String,
    },
    Bash {
        command: String,
        description: Option<String>,
    },
    /// TodoWrite: the whole list, replacing the last one.
    Todo(Vec<Todo>),
    /// TaskCreate (the 2.1.x client's todo tools): one more task, whose number comes in the
    /// result.
    TaskCreate {
        subject: String,
    },
    /// TaskUpdate: a change to the task with that number.
    TaskUpdate(TaskUpdate),
}

#[derive(Clone, Deserialize)]
struct Todo {
    content: String,
    #[serde(default)]
    status: String,
    /// The task's number, for items made by TaskCreate.
    #[serde(skip)]
    task: Option<String>,
}

/// TaskUpdate's input; the client takes `id`/`task_id` and `active_form` for the same fields.
#[derive(Deserialize)]
struct TaskUpdate {
    #[serde(rename = "taskId", alias = "id", alias = "task_id")]
    task: String,
    status: Option<String>,
    subject: Option<String>,
}

/// The session's todo list as its last change left it, and where that change was.
#[derive(Default)]
struct Todos {
    changed: Option<(u64, Option<String>)>,
    items: Vec<Todo>,
}

impl Todos {
    fn changed_by(&mut self, slot: &Slot) {
        self.changed = Some((slot.record, slot.ts.clone()));
    }

    /// TaskCreate's result says `Task #N created successfully: subject`; without the number
    /// the task is still listed (the client lists it too), it just cannot be updated.
    fn create(&mut self, slot: &Slot, subject: String, output: &str) {
        let task = output
            .strip_prefix("Task #")
            .and_then(|rest| rest.split_once(" created successfully"))
            .map(|(n, _)| n.to_string())
            .filter(|n| !n.is_empty() && !n.contains(char::is_whitespace));
        self.items.push(Todo { content: subject, status: "pending".into(), task });
        self.changed_by(slot);
    }

    /// As the client applies an update: `deleted` removes the task; a number it never saw
    /// created becomes a task named by the subject, else by the number.
    fn update(&mut self, slot: &Slot, update: TaskUpdate) {
        let at = self.items.iter().position(|t| t.task.as_deref() == Some(update.task.as_str()));
        match (at, update.status.as_deref()) {
            (Some(at), Some("deleted")) => {
                self.items.remove(at);
            }
            (None, Some("deleted")) => return,
            (Some(at), _) => {
                let item = &mut self.items[at];
                item.status = update.status.unwrap_or(std::mem::take(&mut item.status));
                item.content = update.subject.unwrap_or(std::mem::take(&mut item.content));
            }
            (None, _) => self.items.push(Todo {
                content: update.subject.unwrap_or_else(|| update.task.clone()),
                status: update.status.unwrap_or_else(|| "pending".into()),
                task: Some(update.task),
            }),
        }
        self.changed_by(slot);
    }
}

struct Slot {
    record: u64,
    ts: Option<String>,
    call: Option<Call>,
    items: Vec<Artifact>,
    done: bool,
}

/// How many calls may wait for their results before the oldest is taken as never answered (an
/// interrupted session), so memory stays bounded whatever the transcript's length.
const MAX_WAITING: usize = 256;

/// Builds a session's trail from its tool calls and results, fed in transcript order. Items
/// come out in the order of the calls that made them, as soon as those calls are answered.
#[derive(Default)]
pub struct Trail {
    slots: VecDeque<Slot>,
    /// Slot number of the first entry in `slots`, so call ids can point at slots.
    base: usize,
    calls: HashMap<String, usize>,
    todos: Todos,
    /// Pull requests already reported, so a gh output and the client's pr-link record of the
    /// same PR make one item.
    prs: Vec<String>,
}

impl Trail {
    pub fn new() -> Trail {
        Trail::default()
    }

    /// Feeds one transcript record: its tool calls, tool results and pr-link.
    pub fn record(&mut self, record: &Record) {
        let ts = record.timestamp.as_deref();
        if record.kind == "pr-link" {
            #[derive(Deserialize)]
            struct PrLink {
                #[serde(rename = "prUrl")]
                url: String,
                #[serde(rename = "prNumber")]
                number: Option<u64>,
                #[serde(rename = "prRepository")]
                repo: Option<String>,
                timestamp: Option<String>,
            }
            if let Ok(link) = serde_json::from_slice::<PrLink>(record.raw) {
                let ts = link.timestamp.as_deref().or(ts);
                self.pr_link(record.line, ts, &link.url, link.number, link.repo.as_deref());
            }
            return;
        }
        for (id, input) in &record.inputs {
            let name = record
                .blocks
                .iter()
                .find(|b| b.kind == transcript::Kind::ToolUse && b.id.as_deref() == Some(id))
                .and_then(|b| b.tool.as_deref());
            if let Some(name) = name {
                self.tool_use(record.line, ts, id, name, input.get());
            }
        }
        // A result's text may come in several parts: join them before reading it.
        let mut at = 0;
        let blocks = &record.blocks;
        while at < blocks.len() {
            let block = &blocks[at];
            at += 1;
            if block.kind != transcript::Kind::ToolResult {
                continue;
            }
            let Some(id) = block.id.as_deref() else { continue };
            // Borrowed unless there are parts to join: a huge output is not copied.
            let mut text = std::borrow::Cow::Borrowed(&*block.text);
            while at < blocks.len()
                && blocks[at].kind == transcript::Kind::ToolResult
                && blocks[at].id.as_deref() == Some(id)
            {
                let joined = text.to_mut();
                joined.push('\n');
                joined.push_str(&blocks[at].text);
                at += 1;
            }
            self.tool_result(id, block.is_error, &text);
        }
    }

    /// A `tool_use` block: `input` is its raw JSON. Tools that leave nothing are ignored.
    pub fn tool_use(&mut self, record: u64, ts: Option<&str>, id: &str, name: &str, input: &str) {
        let call = match name {
            "Write" | "Edit" | "MultiEdit" | "NotebookEdit" => {
                #[derive(Deserialize)]
                struct Input {
                    file_path: Option<String>,
                    notebook_path: Option<String>,
                }
                let Ok(input) = serde_json::from_str::<Input>(input) else { return };
                let Some(path) = input.file_path.or(input.notebook_path) else { return };
                Call::File { edit: name != "Write", path, tool: name.to_string() }
            }
            "Bash" => {
                #[derive(Deserialize)]
                struct Input {
                    command: String,
                    description: Option<String>,
                }
                let Ok(input) = serde_json::from_str::<Input>(input) else { return };
                Call::Bash { command: input.command, description: input.description }
            }
            "TodoWrite" => {
                #[derive(Deserialize)]
                struct Input {
                    todos: Vec<Todo>,
                }
                let Ok(input) = serde_json::from_str::<Input>(input) else { return };
                Call::Todo(input.todos)
            }
            "TaskCreate" => {
                #[derive(Deserialize)]
                struct Input {
                    subject: String,
                }
                let Ok(input) = serde_json::from_str::<Input>(input) else { return };
                Call::TaskCreate { subject: input.subject }
            }
            "TaskUpdate" => {
                let Ok(update) = serde_json::from_str::<TaskUpdate>(input) else { return };
                Call::TaskUpdate(update)
            }
            _ => return,
        };
        let number = self.base + self.slots.len();
        self.calls.insert(id.to_string(), number);
        self.slots.push_back(Slot {
            record,
            ts: ts.map(String::from),
            call: Some(call),
            items: Vec::new(),
            done: false,
        });
        if self.slots.len() > MAX_WAITING
            && let Some(front) = self.slots.front_mut()
            && !front.done
        {
            answer(front, None, "", &mut self.todos, &mut self.prs);
        }
    }

    /// A `tool_result` block: `output` is its text (blocks joined), `is_error` its flag.
    pub fn tool_result(&mut self, id: &str, is_error: bool, output: &str) {
        let Some(number) = self.calls.remove(id) else { return };
        let Some(slot) = number.checked_sub(self.base).and_then(|i| self.slots.get_mut(i)) else { return };
        if !slot.done {
            answer(slot, Some(!is_error), output, &mut self.todos, &mut self.prs);
        }
    }

    /// A `pr-link` record: the client saw a pull request made in this session.
    pub fn pr_link(
        &mut self,
        record: u64,
        ts: Option<&str>,
        url: &str,
        number: Option<u64>,
        repo: Option<&str>,
    ) {
        if self.prs.iter().any(|u| u == url) {
            return;
        }
        self.prs.push(url.to_string());
        let artifact = Artifact::Pr {
            url: url.to_string(),
            number,
            repo: repo.map(String::from),
            source: "pr-link".into(),
        };
        self.slots.push_back(Slot {
            record,
            ts: ts.map(String::from),
            call: None,
            items: vec![artifact],
            done: true,
        });
    }

    /// Moves the items that are ready (their call and every call before it answered) to `out`.
    pub fn ready(&mut self, out: &mut Vec<Item>) {
        while self.slots.front().is_some_and(|s| s.done) {
            if let Some(slot) = self.slots.pop_front() {
                self.base += 1;
                let ts = slot.ts;
                out.extend(slot.items.into_iter().map(|artifact| Item {
                    record: slot.record,
                    ts: ts.clone(),
                    artifact,
                }));
            }
        }
    }

    /// The end of the transcript: calls never answered are reported with `ok` unknown, then the
    /// last todo list.
    pub fn finish(mut self, out: &mut Vec<Item>) {
        for slot in self.slots.iter_mut().filter(|s| !s.done) {
            answer(slot, None, "", &mut self.todos, &mut self.prs);
        }
        self.ready(out);
        if let Some((record, ts)) = self.todos.changed {
            let todos = self.todos.items;
            let mut pending = Vec::new();
            let mut in_progress = Vec::new();
            let mut completed = 0;
            for todo in todos {
                match todo.status.as_str() {
                    "completed" => completed += 1,
                    status => {
                        if status == "in_progress" {
                            in_progress.push(todo.content.clone());
                        }
                        pending.push(todo.content);
                    }
                }
            }
            out.push(Item { record, ts, artifact: Artifact::Todo { pending, in_progress, completed } });
        }
    }
}

/// Fills a slot from its call and result (`ok` is `None` when there was no result).
fn answer(slot: &mut Slot, ok: Option<bool>, output: &str, todos: &mut Todos, prs: &mut Vec<String>) {
    slot.done = true;
    match slot.call.take() {
        Some(Call::File { edit: false, path, tool }) => slot.items.push(Artifact::Write { path, tool, ok }),
        Some(Call::File { edit: true, path, tool }) => slot.items.push(Artifact::Edit { path, tool, ok }),
        Some(Call::Bash { command, description }) => {
            let made =
                if ok.is_some() { from_command(&command, output, ok == Some(true)) } else { Vec::new() };
            slot.items.push(Artifact::Command { command, description, ok });
            for artifact in made {
                if let Artifact::Pr { url, .. } = &artifact {
                    if prs.contains(url) {
                        continue;
                    }
                    prs.push(url.clone());
                }
                slot.items.push(artifact);
            }
        }
        // A todo change the client refused (an error result) changed nothing.
        Some(Call::Todo(list)) if ok != Some(false) => {
            todos.items = list;
            todos.changed_by(slot);
        }
        Some(Call::TaskCreate { subject }) if ok != Some(false) => todos.create(slot, subject, output),
        Some(Call::TaskUpdate(update)) if ok != Some(false) => todos.update(slot, update),
        Some(Call::Todo(_) | Call::TaskCreate { .. } | Call::TaskUpdate(_)) | None => {}
    }
}

/// What a shell command made, judged from the command and its own output. `ok` is whether the
/// command succeeded; a commit line counts even from a failed command (a later step of the line
/// may have failed after the commit was made).
pub fn from_command(command: &str, output: &str, ok: bool) -> Vec<Artifact> {
    let mut commit = false;
    let mut oneline_after_commit = false;
    let mut pushes: Vec<&[String]> = Vec::new();
    let mut branches = Vec::new();
    let mut pr_create = false;
    let mut bd = false;
    let mut mails = Vec::new();
    let commands = simple_commands(command);
    for words in &commands {
        let Some((name, args)) = program(words) else { continue };
        match name {
            "git" => {
                let Some((sub, args)) = git_subcommand(args) else { continue };
                match sub {
                    "commit" | "cherry-pick" | "revert" => commit = true,
                    "log" if commit && args.iter().any(|a| a == "--oneline") => oneline_after_commit = true,
                    "push" => pushes.push(args),
                    _ => branches.extend(new_branch(sub, args)),
                }
            }
            "gh" => pr_create |= args.len() >= 2 && args[0] == "pr" && args[1] == "create",
            "bd" => {
                bd |= args.first().is_some_and(|a| matches!(a.as_str(), "create" | "update" | "close" | "q"))
            }
            "gt" if args.len() >= 2 && args[0] == "mail" && args[1] == "send" => {
                mails.extend(mail(&args[2..]))
            }
            _ => {}
        }
    }
    let mut made = Vec::new();
    if ok {
        made.extend(branches.into_iter().map(|branch| Artifact::Branch { branch }));
    }
    if commit {
        let mut found = commits(output);
        if found.is_empty() && ok && oneline_after_commit {
            found.extend(oneline(output));
        }
        made.extend(found);
    }
    for args in &pushes {
        made.extend(pushed(args, output, ok, pushes.len() == 1));
    }
    if pr_create && ok {
        made.extend(pr_urls(output).into_iter().map(|(url, number, repo)| Artifact::Pr {
            url,
            number: Some(number),
            repo: Some(repo),
            source: "gh".into(),
        }));
    }
    if bd {
        made.extend(beads(output));
    }
    if ok {
        made.extend(mails);
    }
    made
}

/// git's subcommand and its arguments, past the options git itself takes (`-C dir`, `-c k=v`).
fn git_subcommand(args: &[String]) -> Option<(&str, &[String])> {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        match arg.as_str() {
            "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace" | "--exec-path" => i += 2,
            a if a.starts_with('-') => i += 1,
            sub => return Some((sub, &args[i + 1..])),
        }
    }
    None
}

/// Commits from git's `[branch abc1234] subject` lines (commit, cherry-pick, revert; also
/// `[branch (root-commit) abc1234]` and `[detached HEAD abc1234]`).
pub fn commits(output: &str) -> Vec<Artifact> {
    output.lines().filter_map(commit_line).collect()
}

fn commit_line(line: &str) -> Option<Artifact> {
    let rest = line.strip_prefix('[')?;
    let (inside, subject) = rest.split_once("] ").or_else(|| rest.strip_suffix(']').map(|i| (i, "")))?;
    let mut words: Vec<&str> = inside.split(' ').collect();
    let hash = words.pop()?;
    if !is_hash(hash) || words.is_empty() {
        return None;
    }
    words.retain(|w| *w != "(root-commit)");
    let branch = words.join(" ");
    let branch = if branch.is_empty() { None } else { Some(branch) };
    Some(Artifact::Commit { hash: hash.to_string(), subject: subject.to_string(), branch })
}

fn is_hash(text: &str) -> bool {
    (7..=40).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// The commit a quiet `git commit -q … && git log --oneline` shows first.
fn oneline(output: &str) -> Option<Artifact> {
    let first = output.lines().next()?;
    let (hash, subject) = first.split_once(' ')?;
    is_hash(hash).then(|| Artifact::Commit {
        hash: hash.to_string(),
        subject: subject.to_string(),
        branch: None,
    })
}

/// The branch a `git checkout -b X`, `git switch -c X`, `git branch X` or
/// `git worktree add -b X` makes.
fn new_branch(sub: &str, args: &[String]) -> Option<String> {
    let after = |flags: &[&str]| {
        args.iter().enumerate().find_map(|(i, a)| {
            if flags.contains(&a.as_str()) {
                return args.get(i + 1).cloned();
            }
            flags.iter().find_map(|f| a.strip_prefix(&format!("{f}=")).map(String::from))
        })
    };
    let name = match sub {
        "checkout" => after(&["-b", "-B", "--orphan"]),
        "switch" => after(&["-c", "-C", "--create", "--force-create", "--orphan"]),
        "worktree" if args.first().is_some_and(|a| a == "add") => after(&["-b", "-B"]),
        "branch" => {
            // Only the form that creates: any option but these means list, delete, move …
            const CREATING: &[&str] = &["-f", "--force", "-t", "--track", "--no-track", "-q", "--quiet"];
            if args.iter().any(|a| a.starts_with('-') && !CREATING.contains(&a.as_str())) {
                None
            } else {
                args.iter().find(|a| !a.starts_with('-')).cloned()
            }
        }
        _ => None,
    }?;
    (!name.is_empty() && !name.starts_with('-')).then_some(name)
}

/// The branches a `git push` updated, from its `To URL` block: ` * [new branch]  a -> a`,
/// `   1a2b3c4..5d6e7f8  main -> main`, ` + … (forced update)`. Rejected, deleted, up-to-date and
/// tag lines are not pushes of a branch. A quiet push that printed nothing falls back on the
/// command's own refspec.
fn pushed(args: &[String], output: &str, ok: bool, one_push: bool) -> Vec<Artifact> {
    let mut positional = Vec::new();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        match arg.as_str() {
            "--repo" | "-o" | "--push-option" | "--receive-pack" | "--exec" => i += 1,
            a if a.starts_with('-') => {}
            a => positional.push(a),
        }
        i += 1;
    }
    let remote = if one_push { positional.first().map(|r| r.to_string()) } else { None };
    let mut found = Vec::new();
    let mut url = None;
    for line in output.lines() {
        if let Some(to) = line.strip_prefix("To ") {
            url = Some(to.trim().to_string());
            continue;
        }
        if url.is_none() {
            continue;
        }
        let Some((flag, summary, to)) = ref_line(line) else { continue };
        if !matches!(flag, ' ' | '+' | '*') || summary == "[new tag]" || to.starts_with("refs/tags/") {
            continue;
        }
        let branch = to.strip_prefix("refs/heads/").unwrap_or(to).to_string();
        found.push(Artifact::Push {
            remote: remote.clone(),
            branch,
            url: url.clone(),
            new: summary == "[new branch]",
        });
    }
    if found.is_empty()
        && ok
        && url.is_none()
        && !output.contains("up-to-date")
        && !output.contains("up to date")
        && let Some(refspec) = positional.get(1).filter(|_| one_push)
    {
        let dst = refspec.rsplit(':').next().unwrap_or(refspec).trim_start_matches('+');
        let branch = dst.strip_prefix("refs/heads/").unwrap_or(dst);
        if !branch.is_empty() && branch != "HEAD" && !branch.starts_with("refs/tags/") {
            found.push(Artifact::Push { remote, branch: branch.to_string(), url: None, new: false });
        }
    }
    found
}

/// A ref line of git push's report: its flag, summary and destination ref.
fn ref_line(line: &str) -> Option<(char, &str, &str)> {
    let rest = line.strip_prefix(' ')?;
    let mut chars = rest.chars();
    let flag = chars.next()?;
    let rest = chars.as_str().strip_prefix(' ')?;
    let (summary, rest) = if rest.starts_with('[') {
        let end = rest.find(']')? + 1;
        (&rest[..end], &rest[end..])
    } else {
        rest.split_once(' ')?
    };
    let (_, to) = rest.trim_start().split_once(" -> ")?;
    let to = to.split(' ').next()?;
    (!to.is_empty()).then_some((flag, summary, to))
}

/// Pull request URLs in an output (`https://host/owner/repo/pull/12`): URL, number, owner/repo.
pub fn pr_urls(output: &str) -> Vec<(String, u64, String)> {
    let mut found: Vec<(String, u64, String)> = Vec::new();
    for (start, _) in output.match_indices("http") {
        let rest = &output[start..];
        let end =
            rest.find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '>').unwrap_or(rest.len());
        let url = rest[..end].trim_end_matches(['.', ',', ')']);
        let Some(path) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
            continue;
        };
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() != 5 || parts[3] != "pull" || parts[..3].iter().any(|p| p.is_empty()) {
            continue;
        }
        let Ok(number) = parts[4].parse::<u64>() else { continue };
        if !found.iter().any(|(u, _, _)| u == url) {
            found.push((url.to_string(), number, format!("{}/{}", parts[1], parts[2])));
        }
    }
    found
}

/// Beads that `bd create`, `bd update` or `bd close` reports: `✓ Created issue: gt-abc12 — Title`,
/// `✓ Updated issue: gt-abc12`, `✓ Closed gt-abc12: reason`; `--silent` and `bd q` print the
/// bare id; `--json` prints the issue (or a list of them).
pub fn beads(output: &str) -> Vec<Artifact> {
    let trimmed = output.trim();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Issues {
            One { id: String },
            Many(Vec<Issue>),
        }
        #[derive(Deserialize)]
        struct Issue {
            id: String,
        }
        return match serde_json::from_str::<Issues>(trimmed) {
            Ok(Issues::One { id }) if is_bead_id(&id) => {
                vec![Artifact::Bead { id, action: "created".into() }]
            }
            Ok(Issues::Many(issues)) => issues
                .into_iter()
                .filter(|i| is_bead_id(&i.id))
                .map(|i| Artifact::Bead { id: i.id, action: "updated".into() })
                .collect(),
            _ => Vec::new(),
        };
    }
    let mut found = Vec::new();
    for line in output.lines() {
        let line = line.trim();
        let (action, rest) = if let Some((_, rest)) = line.split_once("Created issue: ") {
            ("created", rest)
        } else if let Some((_, rest)) = line.split_once("Updated issue: ") {
            ("updated", rest)
        } else if let Some(rest) = line.strip_prefix("✓ Closed ") {
            ("closed", rest)
        } else if is_bead_id(line) && found.is_empty() && output.trim() == line {
            ("created", line)
        } else {
            continue;
        };
        let id = rest.split_whitespace().next().unwrap_or("").trim_end_matches([':', ',']);
        if is_bead_id(id) {
            found.push(Artifact::Bead { id: id.to_string(), action: action.into() });
        }
    }
    found
}

/// A bead id: a prefix, a dash, and a short hash, maybe with `.N` children (`gt-abc12`,
/// `bd-a1b2.3`).
fn is_bead_id(text: &str) -> bool {
    let Some((prefix, hash)) = text.rsplit_once('-') else { return false };
    !prefix.is_empty()
        && prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !hash.is_empty()
        && hash.len() <= 16
        && hash.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && hash.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

/// `gt mail send ADDR -s SUBJECT [-m BODY] …`: the recipient and subject.
fn mail(args: &[String]) -> Option<Artifact> {
    const WITH_VALUE: &[&str] = &[
        "-m",
        "--message",
        "--body",
        "--priority",
        "--type",
        "--reply-to",
        "--thread-id",
        "--identity",
        "--from",
        "-f",
        "--file",
    ];
    let mut to = None;
    let mut subject = None;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let a = arg.as_str();
        if a == "-s" || a == "--subject" {
            subject = args.get(i + 1).cloned();
            i += 1;
        } else if let Some(value) = a.strip_prefix("--subject=") {
            subject = Some(value.to_string());
        } else if let Some(value) = a.strip_prefix("-s").filter(|v| !v.is_empty() && !a.starts_with("--")) {
            subject = Some(value.to_string());
        } else if WITH_VALUE.contains(&a) {
            i += 1;
        } else if !a.starts_with('-') && to.is_none() {
            to = Some(arg.clone());
        }
        i += 1;
    }
    Some(Artifact::Mail { to: to?, subject })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(hash: &str, subject: &str, branch: Option<&str>) -> Artifact {
        Artifact::Commit { hash: hash.into(), subject: subject.into(), branch: branch.map(String::from) }
    }

    #[test]
    fn commit_lines_as_git_prints_them() {
        let output = "[main 1a2b3c4] Add migration plan\n 1 file changed, 5 insertions(+)\n create mode 100644 notes/plan.md\n";
        assert_eq!(
            from_command("git commit -m 'Add migration plan'", output, true),
            vec![commit("1a2b3c4", "Add migration plan", Some("main"))]
        );
        let root = "[polecat/nux-mk3 (root-commit) 0f1e2d3] First\n";
        assert_eq!(commits(root), vec![commit("0f1e2d3", "First", Some("polecat/nux-mk3"))]);
        let detached = "[detached HEAD abcdef0] Try\n";
        assert_eq!(commits(detached), vec![commit("abcdef0", "Try", Some("detached HEAD"))]);
        assert_eq!(commits("[x] not a commit\n[main ZZZZZZZ] no\n[1a2b3c4] no branch\n"), vec![]);
    }

    #[test]
    fn a_hash_comes_only_from_the_command_that_made_it() {
        let log = "[main 1a2b3c4] Add plan\n";
        assert_eq!(from_command("git log -1 --format='[main %h] %s'", log, true), vec![]);
        assert_eq!(from_command("cat notes.txt", log, true), vec![]);
        // Claude's quiet commit followed by a log of it, as in the real transcripts.
        let quiet = "git init -q && git add -A && git -c user.email=joe@example.com -c user.name=joe commit -qm \"Add migration plan\" && git log --oneline -1";
        assert_eq!(
            from_command(quiet, "cd24f95 Add migration plan", true),
            vec![commit("cd24f95", "Add migration plan", None)]
        );
        assert_eq!(from_command("git log --oneline -1", "cd24f95 Add migration plan", true), vec![]);
        // A failed quiet commit shows an old commit in its log: nothing was made.
        assert_eq!(from_command(quiet, "Exit code 1\ncd24f95 Add migration plan", false), vec![]);
        // A commit made before a later step failed still counts.
        let failed_push = "[main 1a2b3c4] Add plan\nerror: failed to push some refs";
        assert_eq!(
            from_command("git commit -am x && git push", failed_push, false),
            vec![commit("1a2b3c4", "Add plan", Some("main"))]
        );
    }

    #[test]
    fn pushes_from_gits_report() {
        let output = "remote: \nremote: Create a pull request for 'fix/deadline' on GitHub by visiting:\nremote:      https://github.com/gastown/beads/pull/new/fix/deadline\nremote: \nTo github.com:gastown/beads.git\n * [new branch]      fix/deadline -> fix/deadline\nbranch 'fix/deadline' set up to track 'origin/fix/deadline'.\n";
        assert_eq!(
            from_command("git push -u origin fix/deadline", output, true),
            vec![Artifact::Push {
                remote: Some("origin".into()),
                branch: "fix/deadline".into(),
                url: Some("github.com:gastown/beads.git".into()),
                new: true,
            }]
        );
        let update = "To https://github.com/gastown/beads.git\n   1a2b3c4..5d6e7f8  main -> main\n + 0000000...1111111 HEAD -> refs/heads/wip (forced update)\n ! [rejected]        dev -> dev (fetch first)\n - [deleted]         old\n * [new tag]         v1 -> v1\n";
        let got = from_command("git push --force-with-lease", update, false);
        assert_eq!(
            got,
            vec![
                Artifact::Push {
                    remote: None,
                    branch: "main".into(),
                    url: Some("https://github.com/gastown/beads.git".into()),
                    new: false
                },
                Artifact::Push {
                    remote: None,
                    branch: "wip".into(),
                    url: Some("https://github.com/gastown/beads.git".into()),
                    new: false
                },
            ]
        );
        assert_eq!(from_command("git push origin main", "Everything up-to-date\n", true), vec![]);
        assert_eq!(
            from_command("git push -q origin HEAD:refs/heads/fix", "", true),
            vec![Artifact::Push {
                remote: Some("origin".into()),
                branch: "fix".into(),
                url: None,
                new: false
            }]
        );
        assert_eq!(from_command("git push -q origin fix", "Exit code 1\nfatal: nope", false), vec![]);
    }

    #[test]
    fn branches_from_the_command_when_it_worked() {
        let b = |branch: &str| Artifact::Branch { branch: branch.into() };
        assert_eq!(
            from_command("git checkout -b fix/x", "Switched to a new branch 'fix/x'", true),
            vec![b("fix/x")]
        );
        assert_eq!(from_command("git switch -c feat", "", true), vec![b("feat")]);
        assert_eq!(from_command("git switch --create=feat2", "", true), vec![b("feat2")]);
        assert_eq!(from_command("git branch wip && git branch -D old", "", true), vec![b("wip")]);
        assert_eq!(from_command("git worktree add -b polecat/x ../x", "", true), vec![b("polecat/x")]);
        assert_eq!(from_command("git branch -a; git branch; git checkout main", "", true), vec![]);
        assert_eq!(from_command("git checkout -b fix/x", "fatal: already exists", false), vec![]);
    }

    #[test]
    fn pull_requests_from_gh_output() {
        let output = "\nCreating pull request for fix/deadline into main in gastown/beads\n\nhttps://github.com/gastown/beads/pull/42\n";
        assert_eq!(
            from_command("gh pr create --fill", output, true),
            vec![Artifact::Pr {
                url: "https://github.com/gastown/beads/pull/42".into(),
                number: Some(42),
                repo: Some("gastown/beads".into()),
                source: "gh".into(),
            }]
        );
        // Not made here: a PR that already existed, or a URL in some other command's output.
        let exists = "a pull request for branch \"x\" into branch \"main\" already exists:\nhttps://github.com/g/b/pull/7";
        assert_eq!(from_command("gh pr create --fill", exists, false), vec![]);
        assert_eq!(from_command("gh pr view", "https://github.com/g/b/pull/7", true), vec![]);
        assert_eq!(
            pr_urls("see https://github.com/g/b/pull/new/x and https://ghe.corp/a/b/pull/9."),
            vec![("https://ghe.corp/a/b/pull/9".into(), 9, "a/b".into())]
        );
    }

    #[test]
    fn beads_as_bd_prints_them() {
        let bead = |id: &str, action: &'static str| Artifact::Bead { id: id.into(), action: action.into() };
        assert_eq!(
            from_command(
                "bd create \"Fix deadline\" -p 1",
                "✓ Created issue: gt-abc12 — Fix deadline\n  Priority: P1\n  Status: open\n",
                true
            ),
            vec![bead("gt-abc12", "created")]
        );
        assert_eq!(
            from_command("bd update gt-abc12 --status in_progress", "✓ Updated issue: gt-abc12\n", true),
            vec![bead("gt-abc12", "updated")]
        );
        assert_eq!(
            from_command("bd close bd-a1b2.3 --reason done", "✓ Closed bd-a1b2.3: done\n", true),
            vec![bead("bd-a1b2.3", "closed")]
        );
        assert_eq!(from_command("bd create x --silent", "gt-k9x2\n", true), vec![bead("gt-k9x2", "created")]);
        assert_eq!(
            from_command("bd create x --json", "{\"id\":\"gt-k9x3\",\"title\":\"x\"}", true),
            vec![bead("gt-k9x3", "created")]
        );
        assert_eq!(from_command("bd list", "✓ Created issue: gt-abc12\n", true), vec![]);
        assert_eq!(from_command("bd create x", "Error: no database\n", false), vec![]);
    }

    #[test]
    fn mail_from_the_command() {
        let got =
            from_command("gt mail send mayor/ -s \"Handoff: plan moved\" -m \"see notes/plan.md\"", "", true);
        assert_eq!(
            got,
            vec![Artifact::Mail { to: "mayor/".into(), subject: Some("Handoff: plan moved".into()) }]
        );
        let got = from_command("gt mail send -m body --subject=Hi gastown/witness --notify", "", true);
        assert_eq!(got, vec![Artifact::Mail { to: "gastown/witness".into(), subject: Some("Hi".into()) }]);
        assert_eq!(from_command("gt mail send mayor/ -s x", "Exit code 1\nerror", false), vec![]);
        assert_eq!(from_command("gt mail inbox", "", true), vec![]);
    }

    fn items(trail: Trail) -> Vec<Item> {
        let mut out = Vec::new();
        trail.finish(&mut out);
        out
    }

    #[test]
    fn calls_are_joined_to_their_results_by_id() {
        let mut trail = Trail::new();
        trail.tool_use(3, Some("t3"), "a", "Write", r#"{"file_path":"/w/a.md","content":"x"}"#);
        trail.tool_use(3, Some("t3"), "b", "Edit", r#"{"file_path":"/w/b.md","old_string":"x"}"#);
        trail.tool_use(4, None, "c", "Read", r#"{"file_path":"/w/c.md"}"#);
        trail.tool_use(5, None, "d", "Mystery", r#"{"file_path":"/w/d.md"}"#);
        let mut out = Vec::new();
        trail.tool_result("b", false, "ok");
        trail.ready(&mut out);
        assert!(out.is_empty(), "b waits for a, which came first");
        trail.tool_result("a", true, "Error: denied");
        trail.tool_result("zzz", false, "an answer to nothing");
        trail.ready(&mut out);
        assert_eq!(
            out,
            vec![
                Item {
                    record: 3,
                    ts: Some("t3".into()),
                    artifact: Artifact::Write {
                        path: "/w/a.md".into(),
                        tool: "Write".into(),
                        ok: Some(false)
                    }
                },
                Item {
                    record: 3,
                    ts: Some("t3".into()),
                    artifact: Artifact::Edit { path: "/w/b.md".into(), tool: "Edit".into(), ok: Some(true) }
                },
            ]
        );
        trail.tool_use(6, None, "e", "NotebookEdit", r#"{"notebook_path":"/w/n.ipynb","new_source":"x"}"#);
        trail.tool_use(7, None, "f", "Bash", r#"{"command":"git checkout -b x"}"#);
        assert_eq!(
            items(trail),
            vec![
                Item {
                    record: 6,
                    ts: None,
                    artifact: Artifact::Edit {
                        path: "/w/n.ipynb".into(),
                        tool: "NotebookEdit".into(),
                        ok: None
                    }
                },
                Item {
                    record: 7,
                    ts: None,
                    artifact: Artifact::Command {
                        command: "git checkout -b x".into(),
                        description: None,
                        ok: None
                    }
                },
            ]
        );
    }

    #[test]
    fn the_last_todo_list_comes_last_with_what_was_pending() {
        let mut trail = Trail::new();
        trail.tool_use(
            1,
            None,
            "a",
            "TodoWrite",
            r#"{"todos":[{"content":"one","status":"pending","activeForm":"x"}]}"#,
        );
        trail.tool_result("a", false, "Todos have been modified successfully.");
        let list = r#"{"todos":[{"content":"one","status":"completed","activeForm":"x"},{"content":"two","status":"in_progress","activeForm":"x"},{"content":"three","status":"pending","activeForm":"x"}]}"#;
        trail.tool_use(2, None, "b", "TodoWrite", list);
        trail.tool_result("b", false, "Todos have been modified successfully.");
        trail.tool_use(3, None, "c", "TodoWrite", r#"{"todos":[]}"#);
        trail.tool_result("c", true, "InputValidationError");
        trail.tool_use(4, None, "d", "Bash", r#"{"command":"ls","description":"List"}"#);
        trail.tool_result("d", false, "a\nb");
        assert_eq!(
            items(trail),
            vec![
                Item {
                    record: 4,
                    ts: None,
                    artifact: Artifact::Command {
                        command: "ls".into(),
                        description: Some("List".into()),
                        ok: Some(true)
                    }
                },
                Item {
                    record: 2,
                    ts: None,
                    artifact: Artifact::Todo {
                        pending: vec!["two".into(), "three".into()],
                        in_progress: vec!["two".into()],
                        completed: 1
                    }
                },
            ]
        );
    }

    #[test]
    fn task_tools_keep_the_list_as_the_client_does() {
        let todo = |trail: Trail| {
            items(trail).into_iter().find_map(|i| match i.artifact {
                Artifact::Todo { pending, in_progress, completed } => {
                    Some((i.record, pending, in_progress, completed))
                }
                _ => None,
            })
        };
        let created = |n: u32, subject: &str| format!("Task #{n} created successfully: {subject}");
        let mut trail = Trail::new();
        for (n, subject) in [(1, "plan"), (2, "bead"), (3, "mail"), (4, "spare")] {
            let id = format!("c{n}");
            trail.tool_use(
                n as u64,
                None,
                &id,
                "TaskCreate",
                &format!(r#"{{"subject":"{subject}","description":"d"}}"#),
            );
            trail.tool_result(&id, false, &created(n, subject));
        }
        // The client's aliases for the number, a renaming, a deletion, a refused update and an
        // update of a number never created (the client lists it, named by its subject).
        trail.tool_use(5, None, "u1", "TaskUpdate", r#"{"task_id":"1","status":"completed"}"#);
        trail.tool_result("u1", false, "Updated task #1 status");
        trail.tool_use(
            6,
            None,
            "u2",
            "TaskUpdate",
            r#"{"id":"2","status":"in_progress","subject":"file the bead"}"#,
        );
        trail.tool_result("u2", false, "Updated task #2 status, subject");
        trail.tool_use(7, None, "u3", "TaskUpdate", r#"{"taskId":"4","status":"deleted"}"#);
        trail.tool_result("u3", false, "Updated task #4 deleted");
        trail.tool_use(8, None, "u4", "TaskUpdate", r#"{"taskId":"3","status":"completed"}"#);
        trail.tool_result("u4", true, "<tool_use_error>Error</tool_use_error>");
        trail.tool_use(9, None, "u5", "TaskUpdate", r#"{"taskId":"9","subject":"late"}"#);
        trail.tool_result("u5", false, "Updated task #9 subject");
        // A create whose result gives no number is still listed; a refused one is not.
        trail.tool_use(10, None, "c5", "TaskCreate", r#"{"subject":"odd"}"#);
        trail.tool_result("c5", false, "done");
        trail.tool_use(11, None, "c6", "TaskCreate", r#"{"subject":"refused"}"#);
        trail.tool_result(
            "c6",
            true,
            "<tool_use_error>Error: No such tool available: TaskCreate.</tool_use_error>",
        );
        assert_eq!(
            todo(trail),
            Some((
                10,
                vec!["file the bead".into(), "mail".into(), "late".into(), "odd".into()],
                vec!["file the bead".into()],
                1
            ))
        );
        // Only refused calls: no list at all.
        let mut trail = Trail::new();
        trail.tool_use(1, None, "c", "TaskCreate", r#"{"subject":"x"}"#);
        trail.tool_result("c", true, "<tool_use_error>Error</tool_use_error>");
        assert_eq!(todo(trail), None);
    }

    #[test]
    fn a_pr_seen_twice_is_one_item() {
        let mut trail = Trail::new();
        trail.tool_use(1, None, "a", "Bash", r#"{"command":"gh pr create --fill"}"#);
        trail.tool_result("a", false, "https://github.com/g/b/pull/7\n");
        trail.pr_link(2, Some("t"), "https://github.com/g/b/pull/7", Some(7), Some("g/b"));
        trail.pr_link(3, Some("t"), "https://github.com/g/b/pull/8", Some(8), Some("g/b"));
        let got: Vec<String> = items(trail).iter().map(|i| i.artifact.what()).collect();
        assert_eq!(
            got,
            ["gh pr create --fill", "https://github.com/g/b/pull/7", "https://github.com/g/b/pull/8"]
        );
    }

    #[test]
    fn unanswered_calls_do_not_pile_up() {
        let mut trail = Trail::new();
        let mut out = Vec::new();
        trail.tool_use(1, None, "lost", "Write", r#"{"file_path":"/w/x"}"#);
        for n in 0..MAX_WAITING as u64 + 10 {
            let id = format!("c{n}");
            trail.tool_use(n + 2, None, &id, "Bash", r#"{"command":"true"}"#);
            trail.tool_result(&id, false, "");
            trail.ready(&mut out);
        }
        assert_eq!(out.len(), MAX_WAITING + 11);
        assert_eq!(out[0].artifact, Artifact::Write { path: "/w/x".into(), tool: "Write".into(), ok: None });
        assert!(trail.slots.len() <= MAX_WAITING);
    }

    #[test]
    fn kinds_have_one_name_table() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.name()));
        }
    }
}
