//! seance-filter: keeps the NDJSON events on stdin that match, writing them unchanged.

use std::collections::HashSet;
use std::ffi::OsString;
use std::io::Write;

use jiff::Timestamp;

use super::events::moment;
use super::{EXIT_STATUS, Flow, found_code, read_stdin_events, write_line};
use crate::cli::{self, Complete, Flag, Opts, Tool};
use crate::error::Result;
use crate::event::{Actor, Event, canonical_role, is_claude_session_id};
use crate::malformed::{STRICT, Skipped};
use crate::out;
use crate::time::{SINCE, UNTIL};

pub const ROLE: Flag = Flag {
    long: "role",
    value: Some("ROLE"),
    help: "Keep sessions of this role (repeatable)",
    doc: "The role is parsed from the actor: crew, polecat (or polecats), witness, refinery, \
          mayor, deacon, boot. Case-insensitive; repeated flags are alternatives.",
    complete: Complete::Role,
    ..Flag::EMPTY
};

pub const RIG: Flag = Flag {
    long: "rig",
    value: Some("RIG"),
    help: "Keep sessions in this rig (repeatable)",
    doc: "The rig is the actor's first segment (gastown in gastown/crew/joe); town-level roles \
          (mayor, deacon, boot) have none. Case-insensitive; repeated flags are alternatives.",
    complete: Complete::Rig,
    ..Flag::EMPTY
};

pub const ACTOR: Flag = Flag {
    long: "actor",
    value: Some("TEXT"),
    help: "Keep sessions whose actor contains TEXT (repeatable)",
    doc: "gt's old matching: a case-insensitive substring of the whole actor.",
    ..Flag::EMPTY
};

pub const SESSION: Flag = Flag {
    long: "session",
    value: Some("PREFIX"),
    help: "Keep sessions whose id starts with PREFIX (repeatable)",
    doc: "A trailing … or ... (as tables show cut ids) is ignored; case-insensitive.",
    complete: Complete::Session,
    ..Flag::EMPTY
};

pub const TOPIC: Flag = Flag {
    long: "topic",
    value: Some("TEXT"),
    help: "Keep sessions whose topic contains TEXT (repeatable)",
    doc: "Case-insensitive substring match; events without a topic never match.",
    ..Flag::EMPTY
};

pub const RESUMABLE: Flag = Flag {
    long: "resumable",
    help: "Keep only sessions with a Claude session id",
    doc: "gt falls back to <actor>-<pid> when it has no Claude session id; no client can resume those.",
    ..Flag::EMPTY
};

pub const UNIQUE: Flag = Flag {
    long: "unique",
    short: Some('u'),
    help: "Keep only the first line for each session id",
    doc: "Fed by seance-events, the first is the newest (a restarted session has several).",
    ..Flag::EMPTY
};

pub const LIMIT: Flag = Flag {
    long: "limit",
    short: Some('n'),
    value: Some("N"),
    help: "Stop after N matches (0: no limit)",
    doc: "The tool exits at once, so a producer upstream stops too.",
    ..Flag::EMPTY
};

pub const TOOL: Tool = Tool {
    name: "seance-filter",
    about: "keep the session events that match",
    synopsis: "[OPTIONS] < EVENTS",
    description: "Reads NDJSON events on stdin and writes the lines that match every given flag, \
                  unchanged. Repeating a flag gives alternatives (--role crew --role witness); \
                  different flags must all match.\n\n\
                  Lines that are not JSON objects are skipped and counted on stderr.",
    flags: &[
        &ROLE,
        &RIG,
        &ACTOR,
        &SESSION,
        &TOPIC,
        &SINCE,
        &UNTIL,
        &RESUMABLE,
        &UNIQUE,
        &LIMIT,
        &STRICT,
        &EXIT_STATUS,
    ],
    ..Tool::EMPTY
};

#[derive(Default)]
pub struct FilterOpts {
    pub roles: Vec<String>,
    pub rigs: Vec<String>,
    pub actors: Vec<String>,
    pub sessions: Vec<String>,
    pub topics: Vec<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub resumable: bool,
    pub unique: bool,
    /// 0 is no limit.
    pub limit: u64,
    pub strict: bool,
    pub exit_status: bool,
}

impl Opts for FilterOpts {
    fn set(&mut self, flag: &'static Flag, value: Option<OsString>) -> Result<bool> {
        let lower = |value| cli::text(flag, value).map(|t| t.to_lowercase());
        match flag.long {
            "role" => self.roles.push(canonical_role(&lower(value)?)),
            "rig" => self.rigs.push(lower(value)?),
            "actor" => self.actors.push(lower(value)?),
            "session" => self.sessions.push(strip_ellipsis(&lower(value)?).to_string()),
            "topic" => self.topics.push(lower(value)?),
            "since" => self.since = Some(moment(flag, value)?),
            "until" => self.until = Some(moment(flag, value)?),
            "resumable" => self.resumable = true,
            "unique" => self.unique = true,
            "limit" => self.limit = cli::number(flag, value)?,
            "strict" => self.strict = true,
            "exit-status" => self.exit_status = true,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Tables cut ids to `46621448-3c…`; people paste them back.
pub fn strip_ellipsis(prefix: &str) -> &str {
    prefix.strip_suffix('…').or_else(|| prefix.strip_suffix("...")).unwrap_or(prefix)
}

pub struct Filter {
    opts: FilterOpts,
    seen: HashSet<String>,
    matched: u64,
}

impl Filter {
    pub fn new(opts: FilterOpts) -> Filter {
        Filter { opts, seen: HashSet::new(), matched: 0 }
    }

    pub fn matched(&self) -> u64 {
        self.matched
    }

    /// `None` to drop the event; `Some(Flow::Stop)` to keep it and read no further.
    pub fn admit(&mut self, event: &Event) -> Option<Flow> {
        if !self.matches(event) {
            return None;
        }
        if self.opts.unique
            && !event.session_id().is_empty()
            && !self.seen.insert(event.session_id().to_string())
        {
            return None;
        }
        self.matched += 1;
        Some(if self.opts.limit > 0 && self.matched >= self.opts.limit { Flow::Stop } else { Flow::Continue })
    }

    fn matches(&self, event: &Event) -> bool {
        let o = &self.opts;
        let who = event.who();
        let actor = Actor::parse(who);
        let any = |wanted: &[String], test: &dyn Fn(&str) -> bool| {
            wanted.is_empty() || wanted.iter().any(|w| test(w))
        };
        let lower = |text: &str| text.to_lowercase();
        let id = lower(event.session_id());
        let topic = event.topic().map(lower);
        any(&o.roles, &|r| canonical_role(actor.role) == r)
            && any(&o.rigs, &|r| actor.rig.is_some_and(|rig| lower(rig) == r))
            && any(&o.actors, &|a| lower(who).contains(a))
            && any(&o.sessions, &|p| id.starts_with(p))
            && any(&o.topics, &|t| topic.as_deref().is_some_and(|topic| topic.contains(t)))
            && (!o.resumable || is_claude_session_id(event.session_id()))
            && (o.since.is_none() && o.until.is_none()
                || event.timestamp().is_some_and(|ts| {
                    o.since.is_none_or(|since| ts >= since) && o.until.is_none_or(|until| ts < until)
                }))
    }
}

pub fn main() -> i32 {
    super::run(&TOOL, |opts: FilterOpts| {
        let (strict, exit_status) = (opts.strict, opts.exit_status);
        let mut filter = Filter::new(opts);
        let mut out = out::stdout();
        let mut skipped = Skipped::new(strict);
        let outcome = read_stdin_events(&mut skipped, |line, event| match filter.admit(event) {
            None => Ok(Flow::Continue),
            Some(flow) => write_line(&mut out, line).map(|()| flow),
        });
        skipped.report(TOOL.name);
        outcome?;
        out.flush()?;
        Ok(found_code(filter.matched() > 0, exit_status))
    })
}
