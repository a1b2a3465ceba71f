//! seance-trail: what predecessors did and left behind (files, commands, commits, pushes,
//! branches, pull requests, beads, mail, unfinished todos), as NDJSON records.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use super::{found_code, write_line};
use crate::cli::flags::common::{CONFIG_DIR, EXIT_STATUS, TOWN};
use crate::cli::flags::trail::{KIND, LAST, PATH, TRAIL_LIMIT};
use crate::cli::{Args, Complete, Tool};
use crate::core::claude::{self, find_transcript};
use crate::core::error::{Code, Error, Result, WriteResult};
use crate::core::glob::Glob;
use crate::core::out;
use crate::core::resolve::{Sessions, id_from_line};
use crate::core::roles::known_sessions;
use crate::core::trail::{self, Artifact, Item, Kind, TrailRecord};

pub const TOOL: Tool = Tool {
    name: "seance-trail",
    about: "what predecessors did and left behind",
    synopsis: "[OPTIONS] [ID...]",
    description: "Reads each session's tool calls and their results, joined by tool_use_id, and \
                  prints one NDJSON record per thing it left: session_id, ts, record (the \
                  transcript line of the call), kind, the kind's fields, and actor and role when \
                  the town knows the session. Newest session first, transcript order within it; \
                  the last todo list comes last. A session's subagents are part of it (their \
                  records carry subagent).\n\n\
                  Sessions: the IDs given (prefixes work), else the session ids of the records or \
                  lines on stdin when it is a pipe or a file (seance-events | seance-filter --rig \
                  gastown | seance-trail), else (a terminal, /dev/null) every session of every \
                  account.\n\n\
                  Fields by kind: write and edit: path, tool, ok (false when the tool failed, null \
                  when no result was written). command: command, description, ok. commit: hash, \
                  subject, branch. push: remote, branch, url, new. branch: branch. pr: url, \
                  number, repo, source (gh or pr-link). bead: id, action (created, updated, \
                  closed). mail: to, subject. todo: pending (not completed, in order), \
                  in_progress, completed (a count). Tools it does not know and outputs it cannot \
                  read leave nothing, never an error.",
    flags: &[&KIND, &PATH, &LAST, &TRAIL_LIMIT, &EXIT_STATUS, &CONFIG_DIR, &TOWN],
    operands: Complete::Session,
    operand: crate::cli::collect_operand,
    ..Tool::EMPTY
};

pub fn main() -> i32 {
    super::run(&TOOL, run)
}

/// A session to read, with what the town knows of it.
struct Session {
    id: String,
    files: Vec<(Option<String>, PathBuf)>,
    actor: Option<String>,
    role: Option<String>,
}

/// What the workers hand back for one session: its items, in order, with the subagent they came
/// from; or the error that stopped its reading.
type Found = std::result::Result<Vec<(Option<String>, Item)>, String>;

fn run(args: Args) -> Result<Code> {
    let opts = &args.trail;
    let (mut worst, sessions) = select(&args)?;
    let glob = opts.path.as_deref().map(Glob::new);
    let wanted = |item: &Item| {
        let kind = item.artifact.kind();
        (opts.kinds.is_empty() || opts.kinds.contains(&kind))
            && match &glob {
                Some(glob) => item.artifact.path().is_some_and(|p| glob.matches(p)),
                None => true,
            }
    };
    let stop = Arc::new(AtomicBool::new(false));
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(sessions.len().max(1));
    let mut out = out::stdout();
    let mut printed = 0usize;
    let mut seen: HashSet<Key> = HashSet::new();
    let outcome: Result<()> = std::thread::scope(|scope| {
        let (send, receive) = mpsc::sync_channel::<(usize, Found)>(threads * 2);
        for _ in 0..threads {
            let send = send.clone();
            let (sessions, next, stop, wanted) = (&sessions, &next, &stop, &wanted);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= sessions.len() || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let mut found = Vec::new();
                    let mut failed = None;
                    for (subagent, file) in &sessions[i].files {
                        let result = trail::read(file, Some(stop.clone()), |item| {
                            if wanted(&item) {
                                found.push((subagent.clone(), item));
                            }
                        });
                        if let Err(err) = result {
                            failed = Some(format!("{}: {err}", file.display()));
                            break;
                        }
                    }
                    let found = match failed {
                        Some(message) => Err(message),
                        None => Ok(found),
                    };
                    if send.send((i, found)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(send);
        // Workers finish in any order; sessions are printed in theirs.
        let mut pending: BTreeMap<usize, Found> = BTreeMap::new();
        let mut due = 0;
        let result = (|| -> Result<()> {
            for (i, found) in receive.iter() {
                pending.insert(i, found);
                while let Some(found) = pending.remove(&due) {
                    let session = &sessions[due];
                    due += 1;
                    let items = match found {
                        Ok(items) => items,
                        Err(message) => {
                            eprintln!("seance-trail: {message}");
                            worst = worst.max(Code::Failure);
                            continue;
                        }
                    };
                    let keep = if opts.last { latest(&items, &mut seen) } else { vec![true; items.len()] };
                    for ((subagent, item), keep) in items.iter().zip(keep) {
                        if !keep {
                            continue;
                        }
                        let record = TrailRecord::new(
                            &session.id,
                            subagent.as_deref(),
                            item,
                            session.actor.as_deref(),
                            session.role.as_deref(),
                        );
                        write_line(&mut out, &record.to_line())?;
                        printed += 1;
                        if opts.limit > 0 && printed >= opts.limit {
                            return Ok(());
                        }
                    }
                }
            }
            Ok(())
        })();
        stop.store(true, Ordering::Relaxed);
        // Let blocked workers see the stop: drain what they still send.
        drop(receive);
        result
    });
    outcome?;
    out.flush().or_closed()?;
    Ok(worst.max(found_code(printed > 0, args.common.exit_status)))
}

/// What `--last` keeps one of: a path for writes and edits, else the kind.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Path(String),
    Kind(Kind),
}

fn key(artifact: &Artifact) -> Key {
    match artifact.path() {
        Some(path) => Key::Path(path.to_string()),
        None => Key::Kind(artifact.kind()),
    }
}

/// Which of a session's items `--last` keeps: the last one per key in this session, unless a
/// newer session (printed before) had that key already.
fn latest(items: &[(Option<String>, Item)], seen: &mut HashSet<Key>) -> Vec<bool> {
    let mut last: HashMap<Key, usize> = HashMap::new();
    for (i, (_, item)) in items.iter().enumerate() {
        last.insert(key(&item.artifact), i);
    }
    let keep: Vec<bool> = items
        .iter()
        .enumerate()
        .map(|(i, (_, item))| {
            let key = key(&item.artifact);
            last.get(&key) == Some(&i) && !seen.contains(&key)
        })
        .collect();
    seen.extend(last.into_keys());
    keep
}

/// The sessions to read, newest first, each with its files and what the town knows of it.
fn select(args: &Args) -> Result<(Code, Vec<Session>)> {
    let (_, sessions) = Sessions::locate(args.common.config_dir(), args.common.town.as_deref())?;
    for warning in sessions.warnings() {
        eprintln!("{}: {warning}", TOOL.name);
    }
    let mut worst = Code::Success;
    let mut chosen: Vec<(String, claude::Transcript)> = Vec::new();
    let mut add = |input: &str, place: Option<u64>| match sessions.resolve(input) {
        Ok(found) => {
            if !chosen.iter().any(|(id, _)| *id == found.0) {
                chosen.push(found);
            }
        }
        Err(err) => {
            match place {
                Some(line) => eprintln!("seance-trail: <stdin>:{line}: {}", err.message()),
                None => eprintln!("seance-trail: {}", err.message()),
            }
            worst = worst.max(err.code());
        }
    };
    if !args.operands.is_empty() {
        for id in &args.operands {
            add(id, None);
        }
    } else if stdin_has_records() {
        let mut unusable = false;
        for (number, line) in std::io::stdin().lock().lines().enumerate() {
            let line = line.map_err(|e| Error::io("read", "<stdin>", e))?;
            if line.trim().is_empty() {
                continue;
            }
            match id_from_line(&line) {
                Some(id) => add(&id, Some(number as u64 + 1)),
                None => {
                    eprintln!("seance-trail: <stdin>:{}: nothing usable on this line", number + 1);
                    unusable = true;
                }
            }
        }
        if unusable {
            worst = worst.max(Code::Failure);
        }
    } else {
        for id in claude::ids_with_prefix(&sessions.accounts, "") {
            if let Some(found) = find_transcript(&sessions.accounts, &id) {
                chosen.push((id, found));
            }
        }
        chosen.sort_by(|a, b| b.1.modified.cmp(&a.1.modified).then_with(|| a.0.cmp(&b.0)));
    }
    let known = match &sessions.town {
        Some(town) => known_sessions(town),
        None => HashMap::new(),
    };
    let chosen = chosen
        .into_iter()
        .map(|(id, transcript)| {
            let mut files = vec![(None, transcript.file.clone())];
            if let Some(sidecar) = transcript.sidecar(&id) {
                files.extend(subagents(&sidecar.join("subagents")));
            }
            let (actor, role) = match known.get(&id) {
                Some(known) => (Some(known.actor.clone()), Some(known.role.clone())),
                None => (None, None),
            };
            Session { id, files, actor, role }
        })
        .collect();
    Ok((worst, chosen))
}

/// Whether stdin is something piped in (a pipe, a file, a socket), as ripgrep decides: a
/// terminal, or a device such as /dev/null that cron and `< /dev/null` give, means no input.
fn stdin_has_records() -> bool {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return false;
    }
    match rustix::fs::fstat(&stdin) {
        Ok(stat) => matches!(
            rustix::fs::FileType::from_raw_mode(stat.st_mode),
            rustix::fs::FileType::Fifo | rustix::fs::FileType::RegularFile | rustix::fs::FileType::Socket
        ),
        Err(_) => false,
    }
}

/// A sidecar's subagent transcripts, by agent id.
fn subagents(dir: &std::path::Path) -> Vec<(Option<String>, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<(Option<String>, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let agent = name.strip_prefix("agent-")?.strip_suffix(".jsonl")?.to_string();
            entry.file_type().ok()?.is_file().then(|| (Some(agent), entry.path()))
        })
        .collect();
    found.sort();
    found
}
