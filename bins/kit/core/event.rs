//! One town event, picked out of an NDJSON line without copying it: the fields the tools
//! look at, borrowed from the line. The line itself is what tools pass on, byte for byte.

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde_json::value::RawValue;

use super::rawjson;

#[derive(Debug, Default)]
pub struct Event<'a> {
    pub ts: Option<Cow<'a, str>>,
    pub kind: Option<Cow<'a, str>>,
    pub actor: Option<Cow<'a, str>>,
    pub session_id: Option<Cow<'a, str>>,
    /// `payload.role`, which gt sets to the actor; used when `actor` is missing.
    pub role: Option<Cow<'a, str>>,
    pub topic: Option<Cow<'a, str>>,
}

/// Why a line is not an event.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed(pub String);

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'a> Event<'a> {
    /// Parses one line. Fields of an unexpected type count as absent; bad JSON, invalid UTF-8
    /// and anything but an object are [`Malformed`].
    pub fn parse(line: &'a [u8]) -> Result<Event<'a>, Malformed> {
        let text = std::str::from_utf8(line)
            .map_err(|e| Malformed(format!("invalid UTF-8 at byte {}", e.valid_up_to())))?;
        if !text.trim_start().starts_with('{') {
            return Err(Malformed("not a JSON object".into()));
        }
        // Every reader refuses it alike, so no renderer re-indents it quadratically.
        if rawjson::too_deep(line) {
            return Err(Malformed(format!("nested deeper than {} levels", rawjson::MAX_DEPTH)));
        }
        let wire: Wire<'a> =
            serde_json::from_str(text).map_err(|e| Malformed(format!("invalid JSON: {e}")))?;
        let payload = wire
            .payload
            .and_then(|raw| serde_json::from_str::<Payload<'a>>(raw.get()).ok())
            .unwrap_or_default();
        // A session record without a town has no start time: its last change stands in.
        Ok(Event {
            ts: wire.ts.0.or(wire.modified.0),
            kind: wire.kind.0,
            actor: wire.actor.0,
            session_id: payload.session_id.0.or(wire.session_id.0),
            role: payload.role.0.or(wire.role.0),
            topic: payload.topic.0.or(wire.topic.0),
        })
    }

    pub fn timestamp(&self) -> Option<Timestamp> {
        self.ts.as_deref()?.parse().ok()
    }

    /// Who started the session: the actor, else the payload's role.
    pub fn who(&self) -> &str {
        self.actor.as_deref().or(self.role.as_deref()).unwrap_or("")
    }

    pub fn session_id(&self) -> &str {
        self.session_id.as_deref().unwrap_or("")
    }

    pub fn topic(&self) -> Option<&str> {
        self.topic.as_deref().filter(|t| !t.is_empty())
    }
}

#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(borrow, default)]
    ts: Text<'a>,
    #[serde(borrow, default, rename = "type")]
    kind: Text<'a>,
    #[serde(borrow, default)]
    actor: Text<'a>,
    #[serde(borrow, default)]
    payload: Option<&'a RawValue>,
    // Session records (seance-sessions) and grep hits carry these at the top level.
    #[serde(borrow, default)]
    session_id: Text<'a>,
    #[serde(borrow, default)]
    role: Text<'a>,
    #[serde(borrow, default)]
    topic: Text<'a>,
    #[serde(borrow, default)]
    modified: Text<'a>,
}

#[derive(Deserialize, Default)]
struct Payload<'a> {
    #[serde(borrow, default)]
    session_id: Text<'a>,
    #[serde(borrow, default)]
    role: Text<'a>,
    #[serde(borrow, default)]
    topic: Text<'a>,
}

/// A JSON string, borrowed when it has no escapes; any other JSON value reads as `None`.
#[derive(Default)]
struct Text<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Text<'a>, E> {
                Ok(Text(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Text<'a>, E> {
                Ok(Text(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Text<'a>, E> {
                Ok(Text(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Text<'a>, E> {
                Ok(Text(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text<'a>, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Text<'a>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Text<'a>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        deserializer.deserialize_any(TextVisitor(std::marker::PhantomData))
    }
}

/// An actor split into gt's parts: `<rig>/crew/<name>`, `<rig>/polecats/<name>`,
/// `<rig>/witness`, `<rig>/refinery`; or a town-level role alone: `mayor`, `deacon`, `boot`.
#[derive(Debug, PartialEq, Eq)]
pub struct Actor<'a> {
    pub rig: Option<&'a str>,
    pub role: &'a str,
}

impl<'a> Actor<'a> {
    pub fn parse(actor: &'a str) -> Actor<'a> {
        let mut parts = actor.split('/');
        let first = parts.next().unwrap_or("");
        match parts.next() {
            Some(role) => Actor { rig: Some(first), role },
            None => Actor { rig: None, role: first },
        }
    }
}

/// A role name in the one spelling comparisons use: lower case, `polecats` as `polecat`.
pub fn canonical_role(role: &str) -> String {
    let role = role.to_lowercase();
    if role == "polecats" { "polecat".to_string() } else { role }
}

/// Whether an id is a Claude session id (a UUID), as opposed to gt's `<actor>-<pid>` fallback,
/// which no client can resume.
pub fn is_claude_session_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gt_event() {
        let line = br#"{"ts":"2026-01-22T10:00:00Z","type":"session_start","actor":"gastown/crew/joe","payload":{"session_id":"abc","topic":"patrol","extra":[1,{"a":2}]},"visibility":"feed"}"#;
        let event = Event::parse(line).unwrap();
        assert_eq!(event.kind.as_deref(), Some("session_start"));
        assert_eq!(event.session_id(), "abc");
        assert_eq!(event.topic(), Some("patrol"));
        assert_eq!(event.timestamp().unwrap().to_string(), "2026-01-22T10:00:00Z");
    }

    #[test]
    fn odd_field_types_read_as_absent() {
        let event = Event::parse(br#"{"ts":5,"actor":null,"payload":"x","type":["a"]}"#).unwrap();
        assert!(event.ts.is_none() && event.actor.is_none() && event.kind.is_none());
        assert_eq!(event.session_id(), "");
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let event = Event::parse(br#"{"payload":{"topic":"a\u00e9\"b"}}"#).unwrap();
        assert_eq!(event.topic(), Some("a\u{e9}\"b"));
    }

    #[test]
    fn malformed_lines_say_why() {
        assert_eq!(Event::parse(b"[1]").unwrap_err().0, "not a JSON object");
        assert_eq!(Event::parse(b"{\"a\":\"\xff\"}").unwrap_err().0, "invalid UTF-8 at byte 6");
        assert!(Event::parse(b"{\"a\":").unwrap_err().0.starts_with("invalid JSON"));
    }

    #[test]
    fn actors_split_into_rig_and_role() {
        assert_eq!(Actor::parse("gastown/crew/joe"), Actor { rig: Some("gastown"), role: "crew" });
        assert_eq!(Actor::parse("gastown/witness"), Actor { rig: Some("gastown"), role: "witness" });
        assert_eq!(Actor::parse("mayor"), Actor { rig: None, role: "mayor" });
        assert_eq!(canonical_role("Polecats"), "polecat");
    }

    #[test]
    fn claude_ids_are_uuids() {
        assert!(is_claude_session_id("46621448-3caa-4bbb-8ccc-123456789abc"));
        assert!(!is_claude_session_id("gastown/crew/joe-4242"));
        assert!(!is_claude_session_id("46621448-3caa-4bbb-8ccc-123456789abz"));
    }
}
