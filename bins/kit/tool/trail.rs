//! seance-trail: what predecessors did and left behind (files, commands, commits, pushes,
//! branches, pull requests, beads, mail, unfinished todos), as NDJSON records.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use super::{found_code, write_line};
use crate::cli::flags::common::{CONFIG_DIR, EXIT_STATUS, SINCE, TOWN, UNTIL};
use crate::cli::flags::search::{ACCOUNT, NO_TOWN, SESSIONS_CWD};
use crate::cli::flags::trail::{KIND, LAST, PATH, TRAIL_LIMIT};
use crate::cli::{Args, Complete, Tool};
use crate::core::error::{Code, Result, WriteResult};
use crate::core::glob::Glob;
use crate::core::out;
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
                  Sessions: chosen as seance-grep chooses them: the IDs given (full ids or \
                  prefixes of at least 4 characters), else the session ids on stdin when it is a \
                  pipe or a file (seance-events | seance-filter --rig gastown | seance-trail), \
                  else (a terminal, /dev/null) every session seance-sessions lists; --account, \
                  --cwd, --since, --until and --no-town narrow them as they narrow \
                  seance-sessions.\n\n\
                  Fields by kind: write and edit: path, tool, ok (false when the tool failed, null \
                  when no result was written). command: command, description, ok. commit: hash, \
                  subject, branch. push: remote, branch, url, new. branch: branch. pr: url, \
                  number, repo, source (gh or pr-link). bead: id, action (created, updated, \
                  closed). mail: to, subject. todo (from TodoWrite, or TaskCreate and TaskUpdate): pending (not completed, in order), \
                  in_progress, completed (a count). Tools it does not know and outputs it cannot \
                  read leave nothing, never an error.",
    flags: &[
        &KIND,
        &PATH,
        &LAST,
        &TRAIL_LIMIT,
        &ACCOUNT,
        &SESSIONS_CWD,
        &SINCE,
        &UNTIL,
        &NO_TOWN,
        &EXIT_STATUS,
        &CONFIG_DIR,
        &TOWN,
    ],
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

/// The sessions to read, chosen as seance-grep chooses them, newest first, each with its files
/// and what the town knows of it.
fn select(args: &Args) -> Result<(Code, Vec<Session>)> {
    let (worst, mut chosen, town) = super::read_sessions(TOOL.name, args, &args.operands)?;
    super::modified_within(args, &mut chosen);
    let mut known = super::town_starts(town.as_deref(), &chosen)?;
    let chosen = chosen
        .into_iter()
        .map(|session| {
            let mut files = vec![(None, session.path.clone())];
            for file in session.subagents() {
                // `agent-<id>.jsonl`: the subagent's id, which its records carry.
                let name = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                let agent = name.strip_prefix("agent-").unwrap_or(&name).to_string();
                files.push((Some(agent), file));
            }
            let (actor, role) = match known.remove(&session.id) {
                Some(start) => (Some(start.actor), Some(start.role)),
                None => (None, None),
            };
            Session { id: session.id, files, actor, role }
        })
        .collect();
    Ok((worst, chosen))
}
