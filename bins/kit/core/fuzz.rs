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

/// Shared stages, driven in-process by the fuzzer's bytes: each byte is a step on two sessions
/// of one account — stage (a token user), unstage a token (any earlier one: a replayed token),
/// hold (a live holder, as `seance --talk`), release a holder (it unstages), kill a holder (its
/// hold dropped without an unstage, as the kernel does when a holder dies), or
/// `seance-gc --older-than 0s`. After every step the links and entries are what SPEC's shared
/// stages say: a held stage is never removed, a replayed token does nothing, the last user out
/// removes the stage.
pub fn shared_stage(data: &[u8]) {
    use std::time::Duration;

    use crate::core::gc::Gc;
    use crate::core::holds::Hold;
    use crate::core::index::INDEX_NAME;
    use crate::core::stage::Stager;
    use crate::core::unstage::undo;

    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let root = std::env::temp_dir().join(format!("seance-fuzz-shared-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (config, work) = (root.join("account"), root.join("work"));
    let ids = ["46621448-3caa-4bbb-8ccc-000000000001", "46621448-3caa-4bbb-8ccc-000000000002"];
    let source = config.join("projects/-src");
    std::fs::create_dir_all(&source).expect("temp dir");
    std::fs::create_dir_all(&work).expect("temp dir");
    for id in ids {
        let line = r#"{"type":"user","message":{"content":"hi"},"timestamp":"2026-01-22T10:00:00Z"}"#;
        std::fs::write(source.join(format!("{id}.jsonl")), line).expect("temp file");
    }
    let timeout = Duration::from_secs(2);
    let stager = Stager::new(Some(&config), None, Some(&work), timeout).expect("a stager");
    let target = crate::core::claude::project_dir(&stager.current, &stager.cwd);

    #[derive(Default)]
    struct Model {
        /// The stage's generation, its token users and live holders, when it is there.
        stage: Option<(u32, Vec<u32>, usize)>,
        tokens: Vec<(Token, u32, u32)>,
        holders: Vec<(Token, Option<Hold>)>,
    }
    let mut models: [Model; 2] = Default::default();
    let mut fresh = 0u32;
    let gc = Gc { older_than: Some(Duration::ZERO), dry_run: false, lock_timeout: timeout };
    for &byte in data.iter().take(64) {
        let (kind, which) = (byte % 6, usize::from(byte / 6) % 2);
        let arg = usize::from(byte / 12);
        let m = &mut models[which];
        fresh += 1;
        match kind {
            0 | 2 => {
                let staged = stager.stage(ids[which], kind == 2).expect("stage");
                let stage = m.stage.get_or_insert((fresh, Vec::new(), 0));
                if kind == 0 {
                    stage.1.push(fresh);
                    m.tokens.push((staged.token, stage.0, fresh));
                } else {
                    stage.2 += 1;
                    m.holders.push((staged.token, staged.hold));
                }
            }
            1 if !m.tokens.is_empty() => {
                let (token, generation, user) = m.tokens[arg % m.tokens.len()].clone();
                undo(&token, None, timeout).expect("unstage");
                if let Some(stage) = &mut m.stage
                    && stage.0 == generation
                    && stage.1.contains(&user)
                {
                    stage.1.retain(|u| *u != user);
                    if stage.1.is_empty() && stage.2 == 0 {
                        m.stage = None;
                    }
                }
            }
            3 | 4 if !m.holders.is_empty() => {
                let (token, hold) = m.holders.remove(arg % m.holders.len());
                if kind == 3 {
                    undo(&token, hold, timeout).expect("release");
                } else {
                    drop(hold);
                }
                if let Some(stage) = &mut m.stage {
                    stage.2 -= 1;
                    if kind == 3 && stage.1.is_empty() && stage.2 == 0 {
                        m.stage = None;
                    }
                }
            }
            5 => {
                gc.account(&config, &mut |_| {}, &mut |e| panic!("gc: {}", e.message()));
                for m in &mut models {
                    if m.stage.as_ref().is_some_and(|s| s.2 == 0) {
                        m.stage = None;
                    }
                }
            }
            _ => {}
        }
        let index = std::fs::read_to_string(target.join(INDEX_NAME)).unwrap_or_default();
        for (id, m) in ids.iter().zip(&models) {
            let linked = std::fs::symlink_metadata(target.join(format!("{id}.jsonl"))).is_ok();
            assert_eq!(linked, m.stage.is_some(), "link of {id} after step {byte}");
            assert_eq!(index.contains(id), m.stage.is_some(), "entry of {id} after step {byte}");
        }
    }
    drop(models);
    let _ = std::fs::remove_dir_all(&root);
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

    const TARGETS: [Target; 5] = [
        ("event_line", super::event_line),
        ("stdin_line", super::stdin_line),
        ("token", super::token),
        ("index", super::index),
        ("shared_stage", super::shared_stage),
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
