//! Which session events match (seance-filter, and the listing): roles, rigs, actors, id
//! prefixes, topics, time bounds, resumable, unique, a limit.

use std::collections::HashSet;

use jiff::Timestamp;

use super::event::{Actor, Event, canonical_role, is_claude_session_id};
use super::eventlog::Flow;

/// What to keep. Text is lowercased (and roles canonical) by whoever fills it in.
#[derive(Clone, Debug, Default)]
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
    /// Stop after this many matches; `None` or 0 is no limit.
    pub limit: Option<u64>,
    /// Keep only sessions whose transcript exists (the ids are given with [`Filter::on_disk`]).
    pub present: bool,
}

/// Tables cut ids to `46621448-3c…`; people paste them back.
pub fn strip_ellipsis(prefix: &str) -> &str {
    prefix.strip_suffix('…').or_else(|| prefix.strip_suffix("...")).unwrap_or(prefix)
}

pub struct Filter {
    opts: FilterOpts,
    seen: HashSet<String>,
    matched: u64,
    on_disk: Option<HashSet<String>>,
}

impl Filter {
    pub fn new(opts: FilterOpts) -> Filter {
        Filter { opts, seen: HashSet::new(), matched: 0, on_disk: None }
    }

    /// The session ids that have a transcript, for `present`.
    pub fn on_disk(mut self, ids: HashSet<String>) -> Filter {
        self.on_disk = Some(ids);
        self
    }

    pub fn matched(&self) -> u64 {
        self.matched
    }

    pub fn opts(&self) -> &FilterOpts {
        &self.opts
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
        let full = self.opts.limit.is_some_and(|limit| limit > 0 && self.matched >= limit);
        Some(if full { Flow::Stop } else { Flow::Continue })
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
        self.on_disk.as_ref().is_none_or(|ids| ids.contains(event.session_id()))
            && any(&o.roles, &|r| canonical_role(actor.role) == r)
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
