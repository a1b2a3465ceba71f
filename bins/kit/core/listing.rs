//! The listing behind `seance` and `seance pick`: the event-log reader, the filter and the
//! renderer chained in one process, so its rows are the `seance-events | seance-filter |
//! seance-fmt` pipeline's by construction.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use super::error::{Result, WriteResult};
use super::event::{Actor, Event, canonical_role};
use super::eventlog::{self, EventsOpts, Flow, Sink};
use super::filter::{Filter, FilterOpts};
use super::malformed::Skipped;
use super::render::{Format, Formatter};
use super::town;

/// The listing pipeline into `out`; returns whether anything matched. An empty table says why
/// (see [`nothing_found`]) instead of gt's generic lines.
pub fn scan_into(
    tool: &str,
    events: &EventsOpts,
    filter: Filter,
    formatter: Formatter,
    out: Box<dyn Write>,
) -> Result<bool> {
    let mut chain = Chain { filter, formatter, out, seen: Seen::default() };
    let mut skipped = Skipped::new(events.strict);
    let outcome = eventlog::scan(events, &mut skipped, &mut chain);
    skipped.report(tool);
    outcome?;
    if chain.filter.matched() == 0 {
        let why = nothing_found(events, chain.filter.opts(), &chain.seen);
        // A table says it in its place; machine formats stay empty and say it on stderr.
        if chain.formatter.format() != Format::Table {
            super::error::warn(tool, why.trim_end());
        }
        chain.formatter.empty = Some(why);
    }
    chain.formatter.report(tool);
    chain.formatter.finish(&mut chain.out)?;
    chain.out.flush().or_closed()?;
    Ok(chain.filter.matched() > 0)
}

/// What the reader handed the filter: enough to say why nothing matched.
#[derive(Default)]
pub struct Seen {
    pub events: u64,
    pub rigs: BTreeSet<String>,
    pub roles: BTreeSet<String>,
}

impl Seen {
    fn note(&mut self, event: &Event) {
        self.events += 1;
        let actor = Actor::parse(event.who());
        if let Some(rig) = actor.rig.filter(|r| !r.is_empty())
            && !self.rigs.contains(&rig.to_lowercase())
        {
            self.rigs.insert(rig.to_lowercase());
        }
        if !actor.role.is_empty() && !self.roles.contains(actor.role) {
            self.roles.insert(canonical_role(actor.role));
        }
    }
}

/// The log a listing reads, for messages: `--events FILE`, else the town's.
pub fn log_path(events: &EventsOpts) -> Option<PathBuf> {
    match &events.events {
        Some(path) if path.as_os_str() == "-" => Some(PathBuf::from("<stdin>")),
        Some(path) => Some(path.clone()),
        None => town::find(events.town.as_deref()).ok().map(|town| town::events_log(&town)),
    }
}

/// Why a listing is empty, in the words of its filters: the log read, what was asked and what
/// the log has instead ("rigs here: beads, gastown"). Ends with a newline.
pub fn nothing_found(events: &EventsOpts, filter: &FilterOpts, seen: &Seen) -> String {
    let log = log_path(events).map_or_else(|| "the event log".to_string(), |p| p.display().to_string());
    if seen.events == 0 && events.since.is_none() && events.until.is_none() {
        let exists = log == "<stdin>" || std::path::Path::new(&log).exists();
        return if exists {
            format!(
                "No session events found in {log}: it has no session_start events (do the town's \
                 SessionStart hooks emit them?)\n"
            )
        } else {
            format!("No session events found: {log} does not exist yet.\n")
        };
    }
    let since = events.since.or(filter.since);
    let until = events.until.or(filter.until);
    let second = |at: jiff::Timestamp| at.round(jiff::Unit::Second).unwrap_or(at);
    if seen.events == 0 {
        let window = match (since, until) {
            (Some(since), Some(until)) => format!("between {} and {}", second(since), second(until)),
            (Some(since), None) => format!("since {}", second(since)),
            (None, Some(until)) => format!("before {}", second(until)),
            (None, None) => String::new(),
        };
        return format!("No session started {window} in {log}.\n");
    }
    let mut asked = Vec::new();
    let mut here = Vec::new();
    let list = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(", ");
    for (flag, values) in [("--role", &filter.roles), ("--rig", &filter.rigs)] {
        if !values.is_empty() {
            asked.extend(values.iter().map(|v| format!("{flag} {v}")));
            let (name, set) = if flag == "--role" { ("roles", &seen.roles) } else { ("rigs", &seen.rigs) };
            here.push(format!("{name} here: {}", if set.is_empty() { "none".into() } else { list(set) }));
        }
    }
    for (flag, values) in
        [("--actor", &filter.actors), ("--session", &filter.sessions), ("--topic", &filter.topics)]
    {
        asked.extend(values.iter().map(|v| format!("{flag} {v}")));
    }
    for (flag, at) in [("--since", since), ("--until", until)] {
        asked.extend(at.map(|at| format!("{flag} {}", second(at))));
    }
    if filter.resumable {
        asked.push("--resumable".into());
    }
    let asked = if asked.is_empty() { "the listing".to_string() } else { asked.join(" ") };
    let count = match seen.events {
        1 => "the 1 session start".to_string(),
        n => format!("the {n} session starts"),
    };
    let here = if here.is_empty() { String::new() } else { format!("; {}", here.join("; ")) };
    format!("No session matches {asked} among {count} in {log}{here}.\n")
}

/// seance-filter then seance-fmt, as a sink for seance-events.
struct Chain {
    filter: Filter,
    formatter: Formatter,
    out: Box<dyn Write>,
    seen: Seen,
}

impl Sink for Chain {
    fn event(&mut self, line: &[u8], event: &Event) -> Result<Flow> {
        if self.filter.matched() == 0 {
            self.seen.note(event);
        }
        match self.filter.admit(event) {
            None => Ok(Flow::Continue),
            Some(flow) => self.formatter.row(&mut self.out, line, event).map(|()| flow),
        }
    }

    fn flush(&mut self) -> Result<()> {
        self.out.flush().or_closed()
    }
}
