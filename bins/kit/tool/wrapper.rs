//! seance: gt's `seance` command over the toolkit. Listing is seance-events, seance-filter and
//! seance-fmt chained in one process through the same code, so its rows are the pipeline's.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

use super::{candidates, found_code, pick, talk};
use crate::cli::docs;
use crate::cli::flags::common::{CONFIG_DIR, EXIT_STATUS, LOCK_TIMEOUT, SINCE, STRICT, TOWN, UNTIL};
use crate::cli::flags::filter::{ACTOR, RECENT, RESUMABLE, RIG, ROLE, SESSION, TOPIC, UNIQUE};
use crate::cli::flags::log::{EVENTS, WINDOW};
use crate::cli::flags::render::{COLOR, FORMAT, JSON_ARRAY, MARK_ABSENT, NO_HEADER, TIME, WIDTH};
use crate::cli::flags::seance::{AGENT, FORGET, GREP, Mode, PROMPT, TALK};
use crate::cli::shell::{COMPLETE_FLAG, Shell};
use crate::cli::{Args, Command, Tool};
use crate::core::doctor;
use crate::core::error::{Code, Error, Result, WriteResult};
use crate::core::filter::{Filter, FilterOpts};
use crate::core::listing::scan_into;
use crate::core::out;
use crate::core::render::{ABSENT, Format, Formatter};

pub const TOOL: Tool = Tool {
    name: "seance",
    about: "list predecessor sessions, and talk to them",
    synopsis: "[OPTIONS]\npick [OPTIONS]\ninit bash|zsh|fish\ndoctor [--json]",
    description: "Lists the town's recent sessions, newest first: the same as \
                  `seance-events | seance-filter -n 20 | seance-fmt` with the flags given, plus \
                  gt's \"Discoverable Sessions\" title and \"Talk to a predecessor\" hint when \
                  the table goes to a terminal, where the sessions whose transcript is in no \
                  account are also marked ✗ gone (as --mark-absent does; a line under the table \
                  says what the mark means). Every flag of those tools that makes sense here \
                  passes through to the tool that owns it.\n\n\
                  With --talk ID, resumes that session as a fork so you can ask it questions \
                  (see --talk).\n\n\
                  `seance pick` lists the resumable sessions (each once; all of them unless -n is \
                  given) in fzf, with seance-show's view of the highlighted one in the preview: \
                  Enter talks to it as --talk would, ctrl-y prints its id instead (to the file \
                  descriptor $SEANCE_PICK_FD when set, which is how the Ctrl-X Ctrl-T widget of \
                  `seance init` puts it at the cursor), ctrl-s searches the transcripts as you type (see \
                  --grep), Esc leaves quietly. A session without a \
                  transcript is marked, and choosing it reopens the picker with the reason; when \
                  nothing matches, fzf is not opened and the reason goes to stderr. With records on \
                  stdin (`seance-sessions | seance pick`, `seance-grep X | seance pick`), it offers \
                  the sessions they name instead of the town's listing, each in its own kind's row \
                  (an empty stdin is no records: the listing it is; with --events - stdin is the log \
                  the listing reads). The listing flags filter what it offers; --prompt and --agent apply \
                  to the talk. fzf must be on PATH.\n\n\
                  `seance init SHELL` prints the shell integration to eval from the shell's \
                  startup file: completion for every seance tool, and Ctrl-X Ctrl-T to open the \
                  picker. `seance init skill` prints a Claude Code skill (save it as \
                  ~/.claude/skills/seance/SKILL.md) that teaches an agent to find what its \
                  predecessors said, did and left with seance-grep and seance-trail before it \
                  spends a --talk.\n\n\
                  `seance doctor` says what seance sees and what is wrong with it, one check per \
                  line (ok, warn or fail): the town and how it was found, its log, each account \
                  (its transcripts and cleanupPeriodDays, which deletes old transcripts), the \
                  current account and why, the agent, fzf, the shell integration, \
                  CLAUDE_CODE_CHILD_SESSION, stages left behind, and logged sessions whose \
                  transcripts are gone. With --json, one NDJSON record per check. Exits 1 when a \
                  check fails.",
    flags: &[
        &ROLE,
        &RIG,
        &RECENT,
        &JSON_ARRAY,
        &TALK,
        &PROMPT,
        &AGENT,
        &FORGET,
        &GREP,
        &CONFIG_DIR,
        &LOCK_TIMEOUT,
        &TOWN,
        &EVENTS,
        &ACTOR,
        &SESSION,
        &TOPIC,
        &SINCE,
        &UNTIL,
        &RESUMABLE,
        &UNIQUE,
        &FORMAT,
        &TIME,
        &NO_HEADER,
        &WIDTH,
        &MARK_ABSENT,
        &COLOR,
        &WINDOW,
        &STRICT,
        &EXIT_STATUS,
    ],
    commands: &[
        Command { name: "pick", args: &[], about: "Choose a session with fzf, then talk to it" },
        Command {
            name: "init",
            args: &["bash", "zsh", "fish", "skill"],
            about: "Print shell integration to eval, or the agent skill",
        },
        Command { name: "doctor", args: &[], about: "Check what seance sees and what is wrong with it" },
    ],
    operand: mode,
    ..Tool::EMPTY
};

/// The flags that shape what the picker lists (which sessions, from which log, town and
/// accounts, read how): its live search lists with them too. The others say how to show the
/// listing or how to talk, or are the picker's own (--grep, whose text the query replaces).
#[rustfmt::skip]
const PICK_LISTING: &[&crate::cli::Flag] = &[
    &ROLE, &RIG, &RECENT, &ACTOR, &SESSION, &TOPIC, &SINCE, &UNTIL, &RESUMABLE, &UNIQUE,
    &CONFIG_DIR, &TOWN, &EVENTS, &WINDOW, &STRICT,
];

/// The operands: `pick`, or `init` and a shell.
fn mode(args: &mut Args, word: String) -> Result<()> {
    let mode = &mut args.seance.mode;
    *mode =
        match (&*mode, word.as_str()) {
            (Mode::List, "pick") => Mode::Pick,
            (Mode::List, "init") => Mode::Init(None),
            (Mode::Init(None), "skill") => Mode::Skill,
            (Mode::List, "doctor") => Mode::Doctor,
            // Guesses a newcomer makes, since pick and init are subcommands.
            (Mode::List, "talk") => return Err(Error::usage("to talk to a session use `seance --talk ID`")),
            (
                Mode::List,
                tool @ ("show" | "grep" | "trail" | "events" | "filter" | "fmt" | "stage" | "unstage" | "gc"),
            ) => {
                return Err(Error::usage(format!("'{tool}' is a tool of its own: use `seance-{tool}`")));
            }
            (Mode::Init(None), shell) => Mode::Init(Some(Shell::parse(shell).ok_or_else(|| {
                Error::usage(format!("init: '{shell}' is not one of bash, zsh, fish, skill"))
            })?)),
            _ => return Err(Error::usage(format!("unexpected argument '{word}'"))),
        };
    Ok(())
}

pub fn main() -> i32 {
    // Hidden flags for the build and for completion scripts, not for people.
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let hidden = |outcome| crate::core::error::finish(TOOL.name, outcome);
    match (args.first().and_then(|a| a.to_str()), args.get(1), args.len()) {
        (Some("--generate"), Some(dir), 2) => return hidden(docs::generate(Path::new(dir), super::ALL)),
        (Some(COMPLETE_FLAG), Some(kind), 2) => return hidden(candidates::print(&kind.to_string_lossy())),
        _ => {}
    }
    super::run(&TOOL, |args| {
        if args.seance.talk.is_some() && args.seance.mode != Mode::List {
            return Err(Error::usage("--talk cannot be combined with pick, init or doctor"));
        }
        match args.seance.mode {
            Mode::Init(None) => return Err(Error::usage("init needs a shell (bash, zsh or fish) or skill")),
            Mode::Skill => {
                let mut out = out::stdout();
                out.write_all(crate::cli::skill::SKILL.as_bytes()).or_closed()?;
                out.flush().or_closed()?;
                return Ok(Code::Success);
            }
            Mode::Init(Some(shell)) => {
                let mut out = out::stdout();
                out.write_all(shell.init(super::ALL).as_bytes()).or_closed()?;
                out.flush().or_closed()?;
                return Ok(Code::Success);
            }
            // The picker offers every session unless -n is given.
            Mode::Pick => {
                let talk = |id: &str| talk::talk(&talk_to(&args, id));
                let Some(filter) = grep_filter(&args, listing_filter(&args, 0))? else {
                    crate::core::error::warn(TOOL.name, "no session's transcript holds the --grep text");
                    return Ok(Code::Success);
                };
                let on_disk = super::on_disk(&args)?;
                let carry = pick::Carry {
                    listing: args.given_words(PICK_LISTING),
                    place: args.given_words(&[&CONFIG_DIR, &TOWN]),
                };
                return pick::pick(
                    &args.events_opts(),
                    filter,
                    &on_disk,
                    args.seance.grep.as_deref(),
                    &carry,
                    talk,
                );
            }
            Mode::Doctor => return doctor(&args),
            Mode::List => {}
        }
        if let Some(id) = &args.seance.talk {
            return talk::talk(&talk_to(&args, id));
        }
        if args.seance.prompt.is_some() {
            return Err(Error::usage("-p/--prompt goes with --talk"));
        }
        if args.seance.forget {
            return Err(Error::usage("--forget goes with --talk"));
        }
        list(&args)
    })
}

fn talk_to<'a>(args: &'a Args, id: &'a str) -> talk::Talk<'a> {
    talk::Talk {
        id,
        prompt: args.seance.prompt.as_deref(),
        agent: args.seance.agent.clone(),
        config_dir: args.common.config_dir(),
        town: args.common.town.as_deref(),
        lock_timeout: args.common.lock_timeout(),
        forget: args.seance.forget,
    }
}

/// The listing's filter, with `default_limit` when -n was not given. Time bounds are left to the
/// reader, which can then stop early.
fn listing_filter(args: &Args, default_limit: u64) -> FilterOpts {
    FilterOpts { limit: args.filter.limit.or(Some(default_limit)), ..args.filter.clone() }
}

/// With `--grep`, the listing narrowed to the sessions `seance-grep -F -l TEXT` finds (its
/// search and session selection, not a second copy); `None` when it finds none.
fn grep_filter(args: &Args, mut filter: FilterOpts) -> Result<Option<FilterOpts>> {
    let Some(text) = &args.seance.grep else { return Ok(Some(filter)) };
    let mut grep = std::process::Command::new(pick::sibling("seance-grep"));
    grep.args(["-F", "-l"]);
    if let Some(dir) = args.common.config_dir() {
        grep.arg("--config-dir").arg(dir);
    }
    if let Some(town) = &args.common.town {
        grep.arg("--town").arg(town);
    }
    let out = grep
        .arg("--")
        .arg(text)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| Error::io("run", "seance-grep", e))?;
    if out.status.code().unwrap_or(2) > 1 {
        return Err(Error::failure("seance-grep failed"));
    }
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|record| record["session_id"].as_str().map(str::to_lowercase))
        .collect();
    if ids.is_empty() {
        return Ok(None);
    }
    // Sessions already named with --session narrow further; the hits name the rest.
    if filter.sessions.is_empty() {
        filter.sessions = ids;
    } else {
        let named = std::mem::take(&mut filter.sessions);
        filter.sessions =
            ids.into_iter().filter(|id| named.iter().any(|p| id.starts_with(p.as_str()))).collect();
        if filter.sessions.is_empty() {
            return Ok(None);
        }
    }
    Ok(Some(filter))
}

fn list(args: &Args) -> Result<Code> {
    let mut formatter = Formatter::new(&args.render);
    let table = formatter.format() == Format::Table;
    let terminal = table && out::stdout_is_terminal();
    if terminal {
        let paint = formatter.paint();
        formatter.preamble = format!("{}\n\n", paint.bold("Discoverable Sessions"));
        formatter.absent_note = format!(
            "\n{}{}\n",
            paint.mark(ABSENT),
            paint.dim(": no transcript in any account (deleted after cleanupPeriodDays?): cannot be resumed")
        );
        formatter.epilogue = format!(
            "\n{}\n  seance --talk <session-id>\n  seance --talk <session-id> -p \"Where did you put X?\"\n",
            paint.bold("Talk to a predecessor:")
        );
    }
    // Asked for, marking must work; on a terminal it is a bonus that a missing HOME or an
    // unreadable accounts.json does not get to spoil.
    if table && args.render.mark_absent {
        formatter = formatter.on_disk(super::on_disk(args)?);
    } else if terminal && let Ok(ids) = super::on_disk(args) {
        formatter = formatter.on_disk(ids);
    }
    let Some(filter) = grep_filter(args, listing_filter(args, 20))? else {
        return Ok(found_code(false, args.common.exit_status));
    };
    let filter = Filter::new(filter);
    let matched = scan_into(TOOL.name, &args.events_opts(), filter, formatter, out::stdout())?;
    Ok(found_code(matched, args.common.exit_status))
}

/// `seance doctor`: one line per check, or one NDJSON record per check with --json.
fn doctor(args: &Args) -> Result<Code> {
    let inputs = doctor::Inputs {
        town: args.common.town.as_deref(),
        config_dir: args.common.config_dir(),
        agent: args.seance.agent.as_deref(),
    };
    let checks = doctor::examine(&inputs);
    let mut out = out::stdout();
    let json = args.render.format == Some(Format::Json);
    let tty = out::stdout_is_terminal();
    let color = !json && out::color_enabled(args.render.color.unwrap_or(out::ColorWhen::Auto), tty);
    for check in &checks {
        if json {
            let text = |s: &str| serde_json::Value::from(s).to_string();
            writeln!(
                out,
                "{{\"check\":{},\"status\":{},\"message\":{}}}",
                text(check.name),
                text(check.status.name()),
                text(&check.message)
            )
            .or_closed()?;
        } else {
            let status = format!("{:<4}", check.status.name());
            let status = match (color, check.status) {
                (false, _) | (_, doctor::Status::Ok) => status,
                (true, doctor::Status::Warn) => format!("\x1b[33m{status}\x1b[0m"),
                (true, doctor::Status::Fail) => format!("\x1b[1;31m{status}\x1b[0m"),
            };
            writeln!(out, "{status}  {:<11}  {}", check.name, check.message.replace(['\n', '\r', '\t'], " "))
                .or_closed()?;
        }
    }
    out.flush().or_closed()?;
    Ok(if doctor::worst(&checks) == doctor::Status::Fail { Code::Other(1) } else { Code::Success })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_of_seance_is_sorted_for_the_pickers_live_search() {
        // A new listing flag left out of PICK_LISTING would be dropped by live search, silently.
        #[rustfmt::skip]
        let not_listing: &[&crate::cli::Flag] = &[
            &JSON_ARRAY, &TALK, &PROMPT, &AGENT, &FORGET, &GREP, &LOCK_TIMEOUT, &FORMAT, &TIME,
            &NO_HEADER, &WIDTH, &COLOR, &EXIT_STATUS, &MARK_ABSENT,
        ];
        for flag in TOOL.flags {
            let listing = PICK_LISTING.iter().any(|f| f.long == flag.long);
            let other = not_listing.iter().any(|f| f.long == flag.long);
            assert!(listing != other, "--{}: in PICK_LISTING or not_listing, exactly one", flag.long);
        }
    }
}
