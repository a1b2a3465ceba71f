//! What the town's log says about sessions: the actor, role and topic of each one's newest
//! session_start event, for the tools that print them beside a session's own data.

use std::collections::HashMap;
use std::path::Path;

use super::error::Result;
use super::event::{Actor, Event, canonical_role};
use super::eventlog::{self, EventsOpts, Flow, Sink};
use super::malformed::Skipped;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Known {
    pub actor: String,
    /// The role parsed from the actor (`crew`, `polecat`, `witness` …).
    pub role: String,
    pub topic: Option<String>,
}

/// Every session the town's log names, from its newest session_start event. A log that cannot
/// be read gives none: what is known of a session is a bonus, never a reason to fail.
pub fn known_sessions(town: &Path) -> HashMap<String, Known> {
    scan(town, None)
}

/// What the town's log says of one session (the log is read from its end, up to its newest
/// session_start).
pub fn known_session(town: &Path, id: &str) -> Option<Known> {
    scan(town, Some(id)).remove(id)
}

fn scan(town: &Path, only: Option<&str>) -> HashMap<String, Known> {
    struct Collect<'a> {
        only: Option<&'a str>,
        found: HashMap<String, Known>,
    }
    impl Sink for Collect<'_> {
        fn event(&mut self, _: &[u8], event: &Event) -> Result<Flow> {
            let id = event.session_id();
            if id.is_empty() || self.found.contains_key(id) || self.only.is_some_and(|o| o != id) {
                return Ok(Flow::Continue);
            }
            let actor = event.who().to_string();
            let role = canonical_role(Actor::parse(&actor).role);
            let topic = event.topic().map(String::from);
            self.found.insert(id.to_string(), Known { actor, role, topic });
            Ok(if self.only.is_some() { Flow::Stop } else { Flow::Continue })
        }
        fn flush(&mut self) -> Result<()> {
            Ok(())
        }
    }
    let opts = EventsOpts { town: Some(town.to_path_buf()), ..EventsOpts::default() };
    let mut sink = Collect { only, found: HashMap::new() };
    let _ = eventlog::scan(&opts, &mut Skipped::new(false), &mut sink);
    sink.found
}
