//! seance: gt's `seance` command over the toolkit. Listing is seance-events, seance-filter and
//! seance-fmt chained in one process through the same code, so its rows are the pipeline's.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{candidates, found_code, pick, talk};
use crate::cli::docs;
use crate::cli::flags::common::{COLOR, CONFIG_DIR, EXIT_STATUS, LOCK_TIMEOUT, SINCE, STRICT, TOWN, UNTIL};
use crate::cli::flags::filter::{ACTOR, RECENT, RESUMABLE, RIG, ROLE, SESSION, TOPIC, UNIQUE};
use crate::cli::flags::log::{EVENTS, WINDOW};
use crate::cli::flags::render::{FORMAT, JSON_ARRAY, NO_HEADER, TIME, WIDTH};
use crate::cli::flags::talk::{AGENT, PROMPT, TALK};
use crate::cli::shell::{COMPLETE_FLAG, Shell};
use crate::cli::{self, Command, Flag, Opts, Tool};
use crate::core::error::{Code, Error, Result};
use crate::core::eventlog::EventsOpts;
use crate::core::filter::{Filter, FilterOpts};
use crate::core::listing::scan_into;
use crate::core::lock::DEFAULT_TIMEOUT;
use crate::core::out;
use crate::core::render::{FmtOpts, Format, Formatter};

pub const TOOL: Tool = Tool {
    name: "seance",
    about: "list predecessor sessions, and talk to them",
    synopsis: "[OPTIONS]\npick [OPTIONS]\ninit bash|zsh|fish",
    description: "Lists the town's recent sessions, newest first: the same as \
                  `seance-events | seance-filter -n 20 | seance-fmt` with the flags given, plus \
                  gt's \"Discoverable Sessions\" title and \"Talk to a predecessor\" hint when \
                  the table goes to a terminal. Every flag of those tools that makes sense here \
                  passes through to the tool that owns it.\n\n\
                  With --talk ID, resumes that session as a fork so you can ask it questions \
                  (see --talk).\n\n\
                  `seance pick` lists the resumable sessions (each once; all of them unless -n is \
                  given) in fzf, with seance-show's view of the highlighted one in the preview: \
                  Enter talks to it as --talk would, ctrl-y prints its id instead, Esc leaves \
                  quietly. The listing flags filter what it offers; --prompt and --agent apply \
                  to the talk. fzf must be on PATH.\n\n\
                  `seance init SHELL` prints the shell integration to eval from the shell's \
                  startup file: completion for every seance tool, and Ctrl-X Ctrl-T to open the \
                  picker.",
    flags: &[
        &ROLE,
        &RIG,
        &RECENT,
        &JSON_ARRAY,
        &TALK,
        &PROMPT,
        &AGENT,
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
        &COLOR,
        &WINDOW,
        &STRICT,
        &EXIT_STATUS,
    ],
    commands: &[
        Command { name: "pick", args: &[], about: "Choose a session with fzf, then talk to it" },
        Command { name: "init", args: &["bash", "zsh", "fish"], about: "Print shell integration to eval" },
    ],
    ..Tool::EMPTY
};

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Mode {
    List,
    Pick,
    /// `init` and the shell, once given.
    Init(Option<Shell>),
}

pub struct WrapperOpts {
    mode: Mode,
    /// Whether -n was given: the picker offers everything otherwise.
    limit_given: bool,
    events: EventsOpts,
    filter: FilterOpts,
    fmt: FmtOpts,
    talk: Option<String>,
    prompt: Option<String>,
    agent: Option<OsString>,
    config_dir: Option<PathBuf>,
    lock_timeout: Duration,
}

impl Default for WrapperOpts {
    fn default() -> Self {
        WrapperOpts {
            mode: Mode::List,
            limit_given: false,
            events: EventsOpts::default(),
            filter: FilterOpts { limit: 20, ..FilterOpts::default() },
            fmt: FmtOpts::default(),
            talk: None,
            prompt: None,
            agent: None,
            config_dir: None,
            lock_timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl Opts for WrapperOpts {
    fn set(&mut self, flag: &'static Flag, value: Option<OsString>) -> Result<bool> {
        let text = |value: Option<OsString>| cli::text(flag, value);
        match flag.long {
            "json" => self.fmt.format = Some(Format::Json),
            "talk" => self.talk = Some(text(value)?),
            "prompt" => self.prompt = Some(text(value)?),
            "agent" => self.agent = value,
            "config-dir" => self.config_dir = value.map(PathBuf::from),
            "lock-timeout" => self.lock_timeout = cli::timeout(flag, value)?,
            // The stages run in this process on parsed events, so only the reader sees raw
            // lines, and only the filter knows what matched.
            "strict" => return self.events.set(flag, value),
            "limit" => {
                self.limit_given = true;
                return self.filter.set(flag, value);
            }
            "exit-status" => return self.filter.set(flag, value),
            // Time bounds go to the reader, which can then stop early.
            _ => {
                return Ok(self.events.set(flag, value.clone())?
                    || self.filter.set(flag, value.clone())?
                    || self.fmt.set(flag, value)?);
            }
        }
        Ok(true)
    }

    fn operand(&mut self, value: OsString) -> Result<()> {
        let word = value.to_string_lossy();
        self.mode = match (&self.mode, word.as_ref()) {
            (Mode::List, "pick") => Mode::Pick,
            (Mode::List, "init") => Mode::Init(None),
            (Mode::Init(None), shell) => Mode::Init(Some(
                Shell::parse(shell)
                    .ok_or_else(|| Error::usage(format!("init: '{shell}' is not one of bash, zsh, fish")))?,
            )),
            _ => return Err(Error::usage(format!("unexpected argument '{word}'"))),
        };
        Ok(())
    }
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
    super::run(&TOOL, |mut opts: WrapperOpts| {
        if opts.talk.is_some() && opts.mode != Mode::List {
            return Err(Error::usage("--talk cannot be combined with pick or init"));
        }
        match opts.mode {
            Mode::Init(None) => return Err(Error::usage("init needs a shell: bash, zsh or fish")),
            Mode::Init(Some(shell)) => {
                let mut out = out::stdout();
                out.write_all(shell.init(super::ALL).as_bytes())?;
                out.flush()?;
                return Ok(Code::Success);
            }
            Mode::Pick => {
                let filter = std::mem::take(&mut opts.filter);
                let talk = |id: &str| talk::talk(&opts.talk_to(id));
                return pick::pick(&opts.events, filter, opts.limit_given, talk);
            }
            Mode::List => {}
        }
        if let Some(id) = &opts.talk {
            return talk::talk(&opts.talk_to(id));
        }
        if opts.prompt.is_some() {
            return Err(Error::usage("-p/--prompt goes with --talk"));
        }
        list(opts)
    })
}

impl WrapperOpts {
    fn talk_to<'a>(&'a self, id: &'a str) -> talk::Talk<'a> {
        talk::Talk {
            id,
            prompt: self.prompt.as_deref(),
            agent: self.agent.clone(),
            config_dir: self.config_dir.as_deref(),
            town: self.events.town.as_deref(),
            lock_timeout: self.lock_timeout,
        }
    }
}

fn list(opts: WrapperOpts) -> Result<Code> {
    let exit_status = opts.filter.exit_status;
    let mut formatter = Formatter::new(&opts.fmt);
    if formatter.format() == Format::Table && out::stdout_is_terminal() {
        let paint = formatter.paint();
        formatter.preamble = format!("{}\n\n", paint.bold("Discoverable Sessions"));
        formatter.epilogue = format!(
            "\n{}\n  seance --talk <session-id>\n  seance --talk <session-id> -p \"Where did you put X?\"\n",
            paint.bold("Talk to a predecessor:")
        );
    }
    let matched = scan_into(TOOL.name, &opts.events, Filter::new(opts.filter), formatter, out::stdout())?;
    Ok(found_code(matched, exit_status))
}
