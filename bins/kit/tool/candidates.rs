//! `seance --complete KIND` (hidden): what the completion scripts offer for values that come
//! from the town: roles and rigs seen in its log, and recent resumable session ids. One word
//! per line; session ids carry a description after a tab (fish and zsh show it).

use std::collections::{BTreeSet, HashSet};
use std::io::Write;

use crate::core::choice::{Choice, choices};
use crate::core::error::{Code, Error, Result, WriteResult};
use crate::core::event::{Actor, Event, canonical_role, is_claude_session_id};
use crate::core::eventlog::{self, EventsOpts, Flow, Sink};
use crate::core::malformed::Skipped;
use crate::core::out;
use crate::core::printable::is_hidden;
use crate::core::time::Clock;

/// Enough sessions to choose from, few enough to keep a completion instant.
const MAX_SESSIONS: usize = 200;
/// Roles and rigs are read from this many recent session starts at most, so that completion
/// stays fast on a log of hundreds of MB.
const MAX_EVENTS: usize = 20_000;

choices! {
    /// What `seance --complete KIND` offers.
    pub enum Kind {
        Role = "role",
        Rig = "rig",
        Session = "session",
    }
}

pub fn print(kind: &str) -> Result<Code> {
    let Some(kind) = Kind::from_name(kind) else {
        return Err(Error::usage(format!("--complete: '{kind}' is not one of {}", Kind::NAMES.join(", "))));
    };
    let mut sink =
        Candidates { kind, words: BTreeSet::new(), seen: HashSet::new(), sessions: Vec::new(), events: 0 };
    // Quiet about malformed lines: a completion must not write on the user's command line.
    let mut skipped = Skipped::new(false);
    match eventlog::scan(&EventsOpts::default(), &mut skipped, &mut sink) {
        Ok(()) => {}
        // No town here: nothing to offer, and nothing to say.
        Err(_) => return Ok(Code::Success),
    }
    let mut out = out::stdout();
    let clock = Clock::new();
    match kind {
        Kind::Session => {
            for (id, actor, ts, topic) in &sink.sessions {
                let ago = ts.map(|ts| clock.ago(ts)).unwrap_or_default();
                let topic = topic.as_deref().map(|t| format!(", {t}")).unwrap_or_default();
                // A shell shows this beside the candidate: nothing in it may move the cursor or the
                // text around.
                let description: String = format!("{actor}, {ago}{topic}")
                    .chars()
                    .map(|c| if is_hidden(c) { ' ' } else { c })
                    .collect();
                writeln!(out, "{id}\t{description}").or_closed()?;
            }
        }
        _ => {
            for word in &sink.words {
                // A rig or role with a control character in it is no word to complete.
                if !word.chars().any(is_hidden) {
                    writeln!(out, "{word}").or_closed()?;
                }
            }
        }
    }
    out.flush().or_closed()?;
    Ok(Code::Success)
}

type Session = (String, String, Option<jiff::Timestamp>, Option<String>);

struct Candidates {
    kind: Kind,
    words: BTreeSet<String>,
    seen: HashSet<String>,
    sessions: Vec<Session>,
    events: usize,
}

impl Sink for Candidates {
    fn event(&mut self, _line: &[u8], event: &Event) -> Result<Flow> {
        self.events += 1;
        let actor = Actor::parse(event.who());
        match self.kind {
            Kind::Role if !actor.role.is_empty() => {
                self.words.insert(canonical_role(actor.role));
            }
            Kind::Rig => {
                self.words.extend(actor.rig.filter(|r| !r.is_empty()).map(str::to_lowercase));
            }
            Kind::Session => {
                let id = event.session_id();
                if is_claude_session_id(id) && self.seen.insert(id.to_string()) {
                    let topic = event.topic().map(str::to_string);
                    self.sessions.push((id.to_string(), event.who().to_string(), event.timestamp(), topic));
                }
                if self.sessions.len() >= MAX_SESSIONS {
                    return Ok(Flow::Stop);
                }
            }
            Kind::Role => {}
        }
        Ok(if self.events >= MAX_EVENTS { Flow::Stop } else { Flow::Continue })
    }

    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}
