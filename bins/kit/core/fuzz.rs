//! The bodies of the fuzz targets (tests/fuzz/), here so that `cargo test` can replay the
//! committed corpora through the same code without libFuzzer. Built only for tests and with the
//! `fuzz` feature (which tests/fuzz/Cargo.toml turns on), so they never ship in the tools. Each
//! panics when a property breaks; none may panic on any input otherwise.

use serde_json::value::RawValue;

use crate::core::claude::valid_session_id;
use crate::core::event::{Actor, Event};
use crate::core::index::Index;
use crate::core::resolve::id_from_line;
use crate::core::token::Token;

/// An event line: parsing never panics, and what it yields can be asked everything.
pub fn event_line(data: &[u8]) {
    if let Ok(event) = Event::parse(data) {
        let _ = event.timestamp();
        let _ = event.topic();
        let id = event.session_id().to_string();
        let actor = Actor::parse(event.who());
        assert!(actor.rig.is_none_or(|rig| !rig.contains('/')));
        let _ = crate::core::event::is_claude_session_id(&id);
    }
}

/// A stdin line for seance-stage: the id it yields (if any) is one of the line's own words or
/// JSON strings, and is never turned into a path unless it is a valid session id.
pub fn stdin_line(data: &[u8]) {
    let Ok(line) = std::str::from_utf8(data) else { return };
    if let Some(id) = id_from_line(line) {
        assert!(!id.contains('\n'), "{id:?}");
        if valid_session_id(&id) {
            assert!(!id.contains('/') && id != "." && id != "..", "{id:?}");
        }
    }
    let _ = crate::core::unstage::token_from_line(line);
}

/// A token: decoding never panics; what decodes is safe (the checks of `Token::decode`) and
/// encodes back to a token that decodes to the same thing.
pub fn token(data: &[u8]) {
    let Ok(word) = std::str::from_utf8(data) else { return };
    if let Ok(token) = Token::decode(word) {
        assert!(valid_session_id(&token.id));
        assert!(token.dir.is_absolute());
        assert!(!token.dir.components().any(|c| matches!(c, std::path::Component::ParentDir)));
        assert_eq!(Token::decode(&token.encode().expect("decoded tokens encode")).ok(), Some(token));
    }
}

/// The index editor: parse, add an entry, parse what was written, remove it: the result is what
/// the original renders to, member for member and entry for entry.
pub fn index(data: &[u8]) {
    let path = std::path::Path::new("fuzz/sessions-index.json");
    let Ok(original) = Index::parse(data, path) else { return };
    let before = original.render();
    // Rendering keeps the meaning: every member and entry, values as they were.
    let meaning = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).ok();
    assert_eq!(meaning(&before), meaning(data), "render changed the meaning");
    let mut index = Index::parse(data, path).expect("parsed once");
    let id = "fuzz-added-entry";
    let fresh = index.find(id).is_none();
    index.add(RawValue::from_string(format!(r#"{{"sessionId":"{id}"}}"#)).expect("valid"));
    let written = index.render();
    let mut again = Index::parse(&written, path).expect("our own output parses");
    assert!(again.find(id).is_some());
    if fresh {
        again.remove_where(|entry_id, _| entry_id == Some(id));
        // The same meaning as before (an empty array may lose the whitespace inside its
        // brackets; every other byte is kept, which tests of the index check).
        assert_eq!(meaning(&again.render()), meaning(&before));
    }
}

/// Replays the committed fuzz corpora (tests/fuzz/corpus/TARGET, and any crash artifacts kept in
/// tests/fuzz/regressions/TARGET) through the target bodies, so that what the fuzzer found stays
/// tested without libFuzzer.
#[cfg(test)]
mod corpora {
    use std::fs;
    use std::path::Path;

    /// Each target by its name in tests/fuzz/fuzz_targets.
    type Target = (&'static str, fn(&[u8]));

    const TARGETS: [Target; 4] = [
        ("event_line", super::event_line),
        ("stdin_line", super::stdin_line),
        ("token", super::token),
        ("index", super::index),
    ];

    #[test]
    fn every_corpus_input_passes_its_target() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
        for (target, body) in TARGETS {
            let mut inputs = 0;
            for dir in ["corpus", "regressions"] {
                let Ok(entries) = fs::read_dir(root.join(dir).join(target)) else { continue };
                for entry in entries.flatten() {
                    let data = fs::read(entry.path()).unwrap();
                    let outcome = std::panic::catch_unwind(|| body(&data));
                    assert!(outcome.is_ok(), "{target}: {} fails", entry.path().display());
                    inputs += 1;
                }
            }
            assert!(inputs >= 5, "{target}: only {inputs} inputs");
        }
    }

    #[test]
    fn edge_inputs_pass_their_targets() {
        // Inputs worth naming on their own: an exponent that float re-encoding would change, an
        // index of the wrong shape, and an empty token body.
        super::index(br#"{"version":1,"entries":[{"sessionId":"a"}],"x":[1.0e5]}"#);
        super::index(b"{\"version\":1,\"entries\":{}}");
        super::token(b"seance1.");
    }
}
