//! seance-grep: where a thing was said or done, across predecessors' transcripts, searched in
//! the text a person would read (never in keys or metadata), in parallel, output in order.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::cli::flags::common::{CONFIG_DIR, EXIT_STATUS, TOWN};
use crate::cli::flags::search::{
    ACCOUNT, COUNT, FILES, FIXED, IGNORE_CASE, KIND, MAX_HITS, MULTILINE, NO_TOWN, SESSIONS_CWD, TOOL_NAME,
    WORD,
};
use crate::cli::{self, Args, Complete, Tool};
use crate::core::error::{self, Code, Error, Result, WriteResult};
use crate::core::grep::{Matcher, Syntax, context};
use crate::core::out;
use crate::core::printable::json_line;
use crate::core::regular::{self, How, Role};
use crate::core::sessions::{Session, Start};
use crate::core::transcript::{Block, Kind, Prefilter, Reader};
use crate::core::work;

pub const TOOL: Tool = Tool {
    name: "seance-grep",
    about: "search what predecessors said and did, in every transcript",
    synopsis: "[OPTIONS] PATTERN [ID...]",
    description: "Searches the text of sessions' transcripts: what the user typed, what the \
                  assistant wrote, tool calls' input (paths, commands, written content) and what \
                  tools returned, and session titles; decoded from JSON, so a pattern with a \
                  quote, a backslash, a tab or non-ASCII matches what was said, and never keys or \
                  metadata (sessionId, uuid, cwd). PATTERN is a Rust regex unless -F is given; each \
                  line of a text is searched on its own unless -U is given.\n\n\
                  Sessions: the IDs given (full ids or prefixes of at least 4 characters), else \
                  the session ids on stdin when it is a pipe or a file (events, seance-sessions \
                  records, or text whose first word is an id), else every session seance-sessions \
                  lists. A session's subagent transcripts are searched with it.\n\n\
                  Output: one NDJSON hit per match, newest session first and in transcript order \
                  within it: session_id, path, record (line number), ts, kind, tool, text (the \
                  line around the match, at most 200 characters), match (byte offsets in text), \
                  subagent (for hits in a subagent's transcript), and actor, role, rig, topic when \
                  the town logged the session.",
    flags: &[
        &FIXED,
        &IGNORE_CASE,
        &WORD,
        &MULTILINE,
        &KIND,
        &TOOL_NAME,
        &FILES,
        &COUNT,
        &MAX_HITS,
        &ACCOUNT,
        &SESSIONS_CWD,
        &NO_TOWN,
        &CONFIG_DIR,
        &TOWN,
        &EXIT_STATUS,
    ],
    operands: Complete::Session,
    operand: cli::collect_operand,
    ..Tool::EMPTY
};

pub fn main() -> i32 {
    super::run(&TOOL, grep)
}

/// Claude Code's own tools, for a did-you-mean on --tool.
const BUILTIN_TOOLS: &[&str] = &[
    "Agent",
    "Bash",
    "BashOutput",
    "Edit",
    "ExitPlanMode",
    "Glob",
    "Grep",
    "KillShell",
    "MultiEdit",
    "NotebookEdit",
    "Read",
    "Skill",
    "SlashCommand",
    "Task",
    "TaskCreate",
    "TaskGet",
    "TaskList",
    "TaskUpdate",
    "TodoWrite",
    "ToolSearch",
    "WebFetch",
    "WebSearch",
    "Write",
];

/// What every worker needs to search a session.
struct Search<'a> {
    matcher: Matcher,
    prefilter: Option<Prefilter>,
    kinds: Vec<Kind>,
    tools: Vec<String>,
    /// Hits are written (not only counted).
    hits_out: bool,
    /// At most this many hits are wanted (0: all).
    limit: u64,
    starts: &'a HashMap<String, Start>,
}

/// One session's outcome.
#[derive(Default)]
struct Found {
    hits: u64,
    out: Vec<u8>,
    errors: Vec<String>,
}

#[derive(Serialize)]
struct Hit<'a> {
    session_id: &'a str,
    path: std::borrow::Cow<'a, str>,
    record: u64,
    ts: Option<&'a str>,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool: Option<&'a str>,
    text: &'a str,
    #[serde(rename = "match")]
    range: [usize; 2],
    #[serde(skip_serializing_if = "Option::is_none")]
    subagent: Option<&'a str>,
    #[serde(flatten)]
    town: Option<Town<'a>>,
}

/// The town's word on a session, as hits carry it.
#[derive(Clone, Copy, Serialize)]
struct Town<'a> {
    actor: &'a str,
    role: &'a str,
    rig: Option<&'a str>,
    topic: Option<&'a str>,
}

impl<'a> Town<'a> {
    fn of(start: Option<&'a Start>) -> Option<Town<'a>> {
        start.map(|s| Town {
            actor: &s.actor,
            role: &s.role,
            rig: s.rig.as_deref(),
            topic: s.topic.as_deref(),
        })
    }
}

#[derive(Serialize)]
struct Listed<'a> {
    session_id: &'a str,
    path: std::borrow::Cow<'a, str>,
    hits: u64,
    #[serde(flatten)]
    town: Option<Town<'a>>,
}

fn grep(args: Args) -> Result<Code> {
    let Some(pattern) = args.operands.first() else {
        return Err(Error::usage("a PATTERN is required (try 'seance-grep --help')"));
    };
    let s = &args.search;
    let syntax = Syntax { fixed: s.fixed, ignore_case: s.ignore_case, word: s.word, multiline: s.multiline };
    let matcher = Matcher::new(pattern, syntax).map_err(|bad| {
        let hint = if bad.syntax { " (-F takes it as plain text)" } else { "" };
        Error::usage(format!("bad PATTERN {}: {}{hint}", error::quote(pattern), bad.message))
    })?;
    for name in &s.tools {
        // Any tool name may be real (MCP servers add their own); one a typo away from a
        // built-in tool is most likely that tool, and would silently match nothing.
        let known = BUILTIN_TOOLS.iter().any(|t| t.eq_ignore_ascii_case(name));
        let lower: Vec<String> = BUILTIN_TOOLS.iter().map(|t| t.to_lowercase()).collect();
        if let (false, Some(guess)) =
            (known, cli::did_you_mean(&name.to_lowercase(), lower.iter().map(String::as_str)))
        {
            let meant = BUILTIN_TOOLS.iter().find(|t| t.to_lowercase() == guess).unwrap_or(&guess);
            error::warn(
                TOOL.name,
                &format!("--tool: no built-in tool is named {}; did you mean '{meant}'?", error::quote(name)),
            );
        }
    }
    let (mut worst, chosen, town) = super::read_sessions(TOOL.name, &args, &args.operands[1..])?;
    let starts = super::town_starts(town.as_deref(), &chosen)?;
    let limit = args.filter.limit.unwrap_or(0);
    let search = Search {
        prefilter: matcher.prefilter(),
        matcher,
        kinds: s.kinds.clone(),
        tools: s.tools.iter().map(|t| t.to_lowercase()).collect(),
        hits_out: !s.files_with_matches && !s.count,
        limit: if s.files_with_matches { 0 } else { limit },
        starts: &starts,
    };
    let mut out = out::stdout();
    let mut written: Result<()> = Ok(());
    let (mut total, mut sessions_hit) = (0u64, 0u64);
    work::ordered(
        chosen.len(),
        |i, stop| (i, search.session(&chosen[i], stop)),
        |(i, found)| {
            for message in &found.errors {
                error::warn(TOOL.name, message);
                worst = worst.max(Code::Failure);
            }
            if found.hits == 0 {
                return true;
            }
            sessions_hit += 1;
            let session = &chosen[i];
            written = if s.count {
                Ok(())
            } else if s.files_with_matches {
                let record = Listed {
                    session_id: &session.id,
                    path: session.path.to_string_lossy(),
                    hits: found.hits,
                    town: Town::of(starts.get(&session.id)),
                };
                write_json(&mut *out, &record)
            } else {
                // A session's output never holds more hits than the limit; only what the limit
                // leaves room for is written.
                let room = if limit == 0 { u64::MAX } else { limit - total };
                let lines =
                    found.out.split_inclusive(|b| *b == b'\n').take(room.min(usize::MAX as u64) as usize);
                lines.into_iter().try_for_each(|l| out.write_all(l).or_closed())
            };
            total += found.hits;
            let reached = match (limit, s.files_with_matches) {
                (0, _) => false,
                (n, true) => sessions_hit >= n,
                (n, false) => total >= n,
            };
            written.is_ok() && !reached
        },
    );
    written?;
    if s.count {
        let shown = if limit > 0 && !s.files_with_matches { total.min(limit) } else { total };
        writeln!(out, "{shown}").or_closed()?;
    }
    out.flush().or_closed()?;
    Ok(worst.max(super::found_code(total > 0, args.common.exit_status)))
}

fn write_json(out: &mut dyn Write, record: &impl Serialize) -> Result<()> {
    let line = json_line(record).map_err(|e| Error::failure(e.to_string()))?;
    out.write_all(&line).or_closed()
}

impl Search<'_> {
    /// The session's transcript, then its subagents'.
    fn session(&self, session: &Session, stop: &Arc<AtomicBool>) -> Found {
        let mut found = Found::default();
        self.file(session, &session.path, None, stop, &mut found);
        for agent in session.subagents() {
            if self.limit > 0 && found.hits >= self.limit {
                break;
            }
            let name = agent.file_stem().map(|n| n.to_string_lossy().into_owned());
            self.file(session, &agent, name.as_deref(), stop, &mut found);
        }
        found
    }

    fn file(
        &self,
        session: &Session,
        path: &Path,
        subagent: Option<&str>,
        stop: &Arc<AtomicBool>,
        found: &mut Found,
    ) {
        // Never blocks on a FIFO or a device swapped in where the transcript was.
        let reader = match regular::open(path, How::READ) {
            Ok(file) => Reader::new(file),
            Err(refused) => {
                found.errors.push(refused.error(path, Role::Read).message().to_string());
                return;
            }
        };
        let mut reader =
            reader.with_prefilter(self.prefilter.clone()).count_lines(self.hits_out).stop_on(stop.clone());
        if let Some(keep) = self.matcher.line_filter() {
            reader = reader.with_line_filter(keep);
        }
        let mut names: Option<HashMap<String, String>> = None;
        let town = Town::of(self.starts.get(&session.id));
        let path_text = path.to_string_lossy();
        loop {
            let record = match reader.next_record() {
                Ok(Some(record)) => record,
                Ok(None) => break,
                Err(e) => {
                    found.errors.push(Error::io("read", path.display(), e).message().to_string());
                    break;
                }
            };
            for block in &record.blocks {
                if !self.kinds.is_empty() && !self.kinds.contains(&block.kind) {
                    continue;
                }
                let needs_name = block.kind == Kind::ToolResult && (self.hits_out || !self.tools.is_empty());
                let tool = self.tool_of(block, path, needs_name, &mut names);
                if !self.tools.is_empty()
                    && !tool.as_deref().is_some_and(|t| self.tools.contains(&t.to_lowercase()))
                {
                    continue;
                }
                let mut full = false;
                self.matcher.each_match(&block.text, |start, end| {
                    found.hits += 1;
                    if self.hits_out {
                        let (text, s, e) = context(&block.text, start, end);
                        let hit = Hit {
                            session_id: &session.id,
                            path: path_text.clone(),
                            record: record.line,
                            ts: record.timestamp.as_deref(),
                            kind: block.kind.name(),
                            tool: tool.as_deref(),
                            text,
                            range: [s, e],
                            subagent,
                            town,
                        };
                        let _ = write_json(&mut found.out, &hit);
                    }
                    full = self.limit > 0 && found.hits >= self.limit;
                    !full
                });
                if full {
                    return;
                }
            }
        }
    }

    /// The tool a block belongs to: named on a call; for a result, found by its call's id in
    /// the same file (read once, and only when a result needs it).
    fn tool_of(
        &self,
        block: &Block,
        path: &Path,
        needed: bool,
        names: &mut Option<HashMap<String, String>>,
    ) -> Option<String> {
        if let Some(tool) = &block.tool {
            return Some(tool.to_string());
        }
        if !needed {
            return None;
        }
        let names = names.get_or_insert_with(|| tool_names(path));
        block.id.as_deref().and_then(|id| names.get(id).cloned())
    }
}

/// Every tool call's id and tool name in a transcript.
fn tool_names(path: &Path) -> HashMap<String, String> {
    let mut names = HashMap::new();
    let Ok(file) = regular::open(path, How::READ) else { return names };
    let reader = Reader::new(file);
    let mut reader = reader.with_prefilter(Prefilter::new(&["\"tool_use\""], false)).count_lines(false);
    while let Ok(Some(record)) = reader.next_record() {
        for block in &record.blocks {
            if let (Some(id), Some(tool)) = (&block.id, &block.tool) {
                names.entry(id.to_string()).or_insert_with(|| tool.to_string());
            }
        }
    }
    names
}
