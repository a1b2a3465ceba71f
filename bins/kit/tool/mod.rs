//! The tools, one module each. Each is a function that returns an exit code; the binaries under
//! `bins/` call them. The read-path tools are also stages that the `seance` wrapper chains in
//! one process, so its output is the pipeline's by construction.

pub(crate) mod candidates;
pub mod events;
pub mod filter;
pub mod fmt;
pub mod gc;
pub mod grep;
pub(crate) mod pick;
pub mod sessions;
pub mod show;
pub mod stage;
pub(crate) mod talk;
pub mod trail;
pub mod unstage;
pub mod wrapper;

use std::io::{self, Write};

use std::collections::{HashMap, HashSet};

use crate::cli::{self, Args, Tool};
use crate::core::claude;
use crate::core::error::{self, Code, Error, Result, WriteResult};
use crate::core::event::Event;
use crate::core::eventlog::Flow;
use crate::core::lines::{ForwardLines, is_blank};
use crate::core::malformed::{Place, Skipped};
use crate::core::resolve::id_from_line;
use crate::core::sessions::{self as listing, Account, Scope, Session, Start};
use crate::core::town;

/// Every tool, in the order the docs list them.
pub const ALL: &[&Tool] = &[
    &wrapper::TOOL,
    &events::TOOL,
    &filter::TOOL,
    &fmt::TOOL,
    &show::TOOL,
    &sessions::TOOL,
    &grep::TOOL,
    &trail::TOOL,
    &stage::TOOL,
    &unstage::TOOL,
    &gc::TOOL,
];

/// Parses the command line against the tool's flags, then runs `body`; returns the process exit
/// code.
pub(crate) fn run(tool: &Tool, body: fn(Args) -> Result<Code>) -> i32 {
    let _ = RUNNING.set(tool.name);
    let outcome = (|| match cli::parse(tool, std::env::args_os().skip(1))? {
        None => Ok(Code::Success),
        Some(args) => body(args),
    })();
    error::finish(tool.name, outcome)
}

/// The tool this process runs, for messages from helpers that are not handed its name.
static RUNNING: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Says so on stderr when stdin is a terminal: a tool that reads stdin would otherwise wait
/// silently for input nobody meant to type.
fn note_terminal_stdin(what: &str) {
    if rustix::termios::isatty(std::io::stdin()) {
        let tool = RUNNING.get().copied().unwrap_or("seance");
        error::warn(
            tool,
            &format!("reading {what} from the terminal; end with Ctrl-D (usually they are piped in)"),
        );
    }
}

/// Feeds each event on stdin to `each`; blank lines are skipped, malformed ones are noted as
/// `<stdin>:LINE`.
pub(crate) fn read_stdin_events(
    skipped: &mut Skipped,
    mut each: impl FnMut(&[u8], &Event) -> Result<Flow>,
) -> Result<()> {
    note_terminal_stdin("events (NDJSON, as seance-events prints them)");
    let stdin = io::stdin();
    let mut lines = ForwardLines::new(io::BufReader::with_capacity(64 * 1024, stdin.lock()));
    while let Some((number, line)) = lines.next_line().map_err(|e| Error::io("read", "<stdin>", e))? {
        if is_blank(line) {
            continue;
        }
        match Event::parse(line) {
            Ok(event) => {
                if each(line, &event)? == Flow::Stop {
                    break;
                }
            }
            Err(why) => skipped.record(Place::Line("<stdin>", number), &why)?,
        }
    }
    Ok(())
}

/// Feeds each item to `each`: the operands, or with none, what `pick` finds on each stdin line
/// (blank lines skipped). A failed item is reported as `tool: message` and the rest go on; the
/// result is the most severe code of them all. Only a write error to stdout stops the run.
pub(crate) fn for_each_item(
    tool: &str,
    operands: &[String],
    pick: fn(&str) -> Option<String>,
    mut each: impl FnMut(&str) -> Result<()>,
) -> Result<Code> {
    let mut worst = Code::Success;
    let mut outcome = |result: Result<()>, place: Option<u64>| -> Result<()> {
        match result {
            Ok(()) => Ok(()),
            Err(err @ (Error::Closed | Error::Reported(_))) => Err(err),
            Err(Error::Failed { code, message }) => {
                match place {
                    Some(line) => error::warn(tool, &format!("<stdin>:{line}: {message}")),
                    None => error::warn(tool, &message),
                }
                worst = worst.max(code);
                Ok(())
            }
        }
    };
    if !operands.is_empty() {
        for item in operands {
            outcome(each(item), None)?;
        }
        return Ok(worst);
    }
    note_terminal_stdin("one item per line");
    let stdin = io::stdin();
    let mut lines = ForwardLines::new(io::BufReader::new(stdin.lock()));
    while let Some((number, line)) = lines.next_line().map_err(|e| Error::io("read", "<stdin>", e))? {
        if is_blank(line) {
            continue;
        }
        let result = match std::str::from_utf8(line).ok().and_then(pick) {
            Some(item) => each(&item),
            None => Err(Error::failure("nothing usable on this line")),
        };
        outcome(result, Some(number))?;
    }
    Ok(worst)
}

/// The sessions the command line asks for, newest first, and the town when one is used.
/// A dir that cannot be listed is reported, its sessions left out, and the code is `Failure`.
/// With `reading`, a run with no account dir at all says where it looked (a reading tool's
/// silence would otherwise read as "nothing found").
pub(crate) fn chosen_sessions(
    args: &Args,
    reading: bool,
) -> Result<(Vec<Session>, Option<std::path::PathBuf>, Code)> {
    let current = claude::current_account(args.common.config_dir())?;
    let town = if args.search.no_town { None } else { town::find_optional(args.common.town.as_deref())? };
    let mut accounts = listing::accounts(&current, town.as_deref())?;
    if !args.search.accounts.is_empty() {
        for name in &args.search.accounts {
            if !accounts.iter().any(|a| &a.name == name) {
                let known: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
                return Err(Error::usage(format!("no account named '{name}' (known: {})", known.join(", "))));
            }
        }
        accounts.retain(|a: &Account| args.search.accounts.contains(&a.name));
    }
    let scope = match &args.search.cwd {
        Some(dir) => Scope {
            project: Some(claude::project_dir_name(&claude::canonical_cwd(Some(dir))?.to_string_lossy())),
        },
        None => Scope::default(),
    };
    let tool = RUNNING.get().copied().unwrap_or("seance");
    if reading && accounts.iter().all(|a| !a.config.is_dir()) {
        let dirs: Vec<String> =
            accounts.iter().map(|a| format!("{} ({}, missing)", a.config.display(), a.name)).collect();
        let town = match &town {
            None if args.search.no_town => "",
            None => "; no town found, so no accounts.json was read (use --town DIR or set GT_TOWN_ROOT)",
            Some(_) => "",
        };
        error::warn(tool, &format!("no Claude account to read: {}{town}", dirs.join(", ")));
    }
    let mut unreadable = Vec::new();
    let list = listing::list(&accounts, &scope, &mut unreadable);
    for dir in &unreadable {
        let error = error::describe_io(&dir.error);
        error::warn(tool, &format!("cannot read {}: {error}; its sessions are left out", dir.path.display()));
    }
    let code = if unreadable.is_empty() { Code::Success } else { Code::Failure };
    Ok((list, town, code))
}

/// The ids of the sessions whose transcript is in some account (those [`chosen_sessions`]
/// lists): what `seance-filter --present` keeps and what a table's `--mark-absent` and the
/// picker mark the others by.
pub(crate) fn on_disk(args: &Args) -> Result<HashSet<String>> {
    let (sessions, _, _) = chosen_sessions(args, false)?;
    Ok(sessions.into_iter().map(|s| s.id).collect())
}

/// Keeps the sessions whose transcript was modified in `--since`/`--until`, for the tools whose
/// --since means that (not seance-grep's, which the wrapper gives the events' window).
pub(crate) fn modified_within(args: &Args, list: &mut Vec<Session>) {
    let modified = |s: &Session| jiff::Timestamp::try_from(s.modified).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    list.retain(|s| {
        args.common.since.is_none_or(|since| modified(s) >= since)
            && args.common.until.is_none_or(|until| modified(s) < until)
    });
}

/// The sessions a reading tool (seance-grep, seance-trail) works on, newest first: those `ids`
/// name (full ids or prefixes), else those whose ids are on stdin when it is a pipe or a file,
/// else every session [`chosen_sessions`] lists; with the town, and the exit code the choice
/// earned (an id given that names no session or several is reported and is `Unresolved`).
pub(crate) fn read_sessions(
    tool: &str,
    args: &Args,
    ids: &[String],
) -> Result<(Code, Vec<Session>, Option<std::path::PathBuf>)> {
    let (all, town, mut worst) = chosen_sessions(args, true)?;
    let (chosen, unresolved) = if !ids.is_empty() {
        let (chosen, unresolved) = listing::select(all, ids);
        for (name, candidates) in &unresolved {
            let why =
                if *candidates == 0 { "no session".to_string() } else { format!("{candidates} sessions") };
            error::warn(tool, &format!("'{name}' matches {why}"));
            worst = worst.max(Code::Unresolved);
        }
        (chosen, Vec::new())
    } else if stdin_has_records() {
        // A line that names no session is no session to search: left out, as before.
        let (ids, _) = ids_on_stdin()?;
        if ids.is_empty() {
            // Right for a pipeline that found nothing; but stdin may merely be an empty pipe
            // (a script's, an agent's shell's), and then silence would read as "no match".
            error::warn(
                tool,
                "stdin named no session, so none was searched (with stdin from a terminal or </dev/null, \
                 every session is)",
            );
        }
        listing::select(all, &ids)
    } else {
        (all, Vec::new())
    };
    // Ids on stdin come from logs and listings that may name sessions no account holds: a note,
    // not a failure.
    let missing = unresolved.iter().filter(|(_, n)| *n == 0).count();
    if missing > 0 {
        error::warn(tool, &format!("{missing} session(s) on stdin have no transcript in any account"));
    }
    Ok((worst, chosen, town))
}

/// The session ids that the lines on stdin name (events, session records, hits, trail
/// records, ids, fzf's lines: [`id_from_line`]), each once, in their order; and the numbers of
/// the lines that name none (blank lines aside).
pub(crate) fn ids_on_stdin() -> Result<(Vec<String>, Vec<u64>)> {
    let stdin = io::stdin();
    let mut lines = ForwardLines::new(io::BufReader::new(stdin.lock()));
    let (mut ids, mut seen, mut unusable) = (Vec::new(), HashSet::new(), Vec::new());
    while let Some((number, line)) = lines.next_line().map_err(|e| Error::io("read", "<stdin>", e))? {
        if is_blank(line) {
            continue;
        }
        match std::str::from_utf8(line).ok().and_then(id_from_line) {
            Some(id) if seen.insert(id.clone()) => ids.push(id),
            Some(_) => {}
            None => unusable.push(number),
        }
    }
    Ok((ids, unusable))
}

/// Whether stdin is a pipe or a file (records to read), not a terminal or /dev/null.
pub(crate) fn stdin_has_records() -> bool {
    use rustix::fs::FileType;
    rustix::fs::fstat(rustix::stdio::stdin())
        .is_ok_and(|st| matches!(FileType::from_raw_mode(st.st_mode), FileType::Fifo | FileType::RegularFile))
}

/// The town's word on each session, when there is a town.
pub(crate) fn town_starts(
    town: Option<&std::path::Path>,
    list: &[Session],
) -> Result<HashMap<String, Start>> {
    match town {
        Some(town) => {
            let ids: Vec<&str> = list.iter().map(|s| s.id.as_str()).collect();
            listing::town_starts(town, &ids)
        }
        None => Ok(HashMap::new()),
    }
}

/// Writes a line and its newline.
pub(crate) fn write_line(out: &mut dyn Write, line: &[u8]) -> Result<()> {
    out.write_all(line).or_closed()?;
    out.write_all(b"\n").or_closed()?;
    Ok(())
}

/// The exit code for a run that found `found` things, given `-e`.
pub(crate) fn found_code(found: bool, exit_status: bool) -> Code {
    if found || !exit_status { Code::Success } else { Code::NoMatch }
}

/// The flag tables, checked in-process: what `--help`, the man pages and the completions are
/// written from must be consistent before any of it is generated.
#[cfg(test)]
mod tables {
    use std::collections::HashSet;
    use std::ffi::OsString;

    use super::ALL;
    use crate::cli::shell::SHELLS;
    use crate::cli::{self, Complete, Set, man};

    #[test]
    fn no_tool_takes_two_flags_with_one_name() {
        for tool in ALL {
            let mut longs = HashSet::new();
            let mut shorts = HashSet::new();
            for flag in tool.all_flags() {
                for long in std::iter::once(&flag.long).chain(flag.aliases) {
                    assert!(longs.insert(*long), "{}: --{long} twice", tool.name);
                }
                if let Some(short) = flag.short {
                    assert!(shorts.insert(short), "{}: -{short} twice", tool.name);
                }
            }
        }
    }

    #[test]
    fn a_value_name_exactly_when_the_flag_takes_a_value() {
        for tool in ALL {
            for flag in tool.all_flags() {
                let takes_value = matches!(flag.set, Set::Value(_));
                assert_eq!(flag.value.is_some(), takes_value, "{}: --{}", tool.name, flag.long);
                if let Some(value) = flag.value {
                    let shaped =
                        !value.is_empty() && value.chars().all(|c| c.is_ascii_uppercase() || c == '_');
                    assert!(shaped, "{}: --{} {value}: value names are upper case", tool.name, flag.long);
                }
                if let Complete::Choices(choices) = flag.complete {
                    assert!(takes_value && !choices.is_empty(), "{}: --{}", tool.name, flag.long);
                }
            }
        }
    }

    #[test]
    fn every_flag_is_named_well_and_documented() {
        for tool in ALL {
            for flag in tool.all_flags() {
                for long in std::iter::once(&flag.long).chain(flag.aliases) {
                    let shaped = long.len() >= 2
                        && long.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                    assert!(shaped, "{}: --{long}", tool.name);
                }
                assert!(flag.short.is_none_or(|c| c.is_ascii_alphabetic()), "{}: --{}", tool.name, flag.long);
                let help = flag.help;
                assert!(
                    !help.is_empty() && !help.ends_with('.'),
                    "{}: --{}: help {help:?}",
                    tool.name,
                    flag.long
                );
                assert!(!flag.doc.trim().is_empty() || !help.is_empty());
            }
        }
    }

    #[test]
    fn every_flag_is_in_the_man_page_and_every_completion() {
        let completions: Vec<String> = SHELLS.iter().map(|shell| shell.completion(ALL)).collect();
        for tool in ALL {
            let page = man::page(tool, ALL);
            for flag in tool.all_flags() {
                // The man page escapes dashes: \-\-town.
                let in_page = page.contains(&format!("\\-\\-{}", flag.long.replace('-', "\\-")));
                assert!(in_page, "{}: --{} is not in its man page", tool.name, flag.long);
                for (shell, text) in SHELLS.iter().zip(&completions) {
                    assert!(
                        text.contains(flag.long),
                        "{}: --{} is not in the {shell:?} completion",
                        tool.name,
                        flag.long
                    );
                }
            }
        }
    }

    /// Every flag's handler accepts what its help promises: switches alone, and a sample value
    /// for each kind of value.
    #[test]
    fn every_handler_takes_a_good_value() {
        let sample = |value: &str, complete: Complete| match (value, complete) {
            (_, Complete::Choices(choices)) => choices[0],
            ("N", _) => "3",
            ("DURATION", _) => "90s",
            ("TIME", _) => "2h",
            _ => "x",
        };
        for tool in ALL {
            for flag in tool.flags {
                let mut words = vec![OsString::from(format!("--{}", flag.long))];
                words.extend(flag.value.map(|v| OsString::from(sample(v, flag.complete))));
                let parsed = cli::parse(tool, words);
                assert!(
                    parsed.as_ref().is_ok_and(Option::is_some),
                    "{}: --{}: {parsed:?}",
                    tool.name,
                    flag.long
                );
            }
        }
    }

    #[test]
    fn an_unknown_choice_is_an_error_that_lists_the_choices() {
        let err = cli::parse(&super::fmt::TOOL, ["--format", "xml"].map(OsString::from)).unwrap_err();
        assert_eq!(err.message(), "--format: 'xml' is not one of table, tsv, fzf, json, ids");
        let err = cli::parse(&super::show::TOOL, ["--time", "Local"].map(OsString::from)).unwrap_err();
        assert_eq!(
            err.message(),
            "--time: 'Local' is not one of local, utc, relative; did you mean 'local'?"
        );
        let err = cli::parse(&super::fmt::TOOL, ["--color", "sometimes"].map(OsString::from)).unwrap_err();
        assert_eq!(err.message(), "--color: 'sometimes' is not one of auto, always, never");
    }

    #[test]
    fn handlers_store_typed_values() {
        use crate::core::render::Format;
        use crate::core::time::Style;
        let words = ["--json", "--time", "relative", "-n", "0", "--role", "Polecats", "--session", "ABCD…"];
        let args = cli::parse(&super::wrapper::TOOL, words.map(OsString::from)).unwrap().unwrap();
        assert_eq!(args.render.format, Some(Format::Json));
        assert_eq!(args.render.time, Some(Style::Relative));
        assert_eq!(args.filter.limit, Some(0));
        assert_eq!(args.filter.roles, ["polecat"]);
        assert_eq!(args.filter.sessions, ["abcd"]);
    }
}
