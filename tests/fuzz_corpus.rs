//! Replays the committed fuzz corpora (tests/fuzz/corpus/TARGET, and any crash artifacts kept
//! in tests/fuzz/regressions/TARGET) through the fuzz target bodies, so that what the fuzzer
//! found stays tested without libFuzzer.

use std::fs;
use std::path::Path;

const TARGETS: [(&str, fn(&[u8])); 4] = [
    ("event_line", seance::core::fuzz::event_line),
    ("stdin_line", seance::core::fuzz::stdin_line),
    ("token", seance::core::fuzz::token),
    ("index", seance::core::fuzz::index),
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
    seance::core::fuzz::index(br#"{"version":1,"entries":[{"sessionId":"a"}],"x":[1.0e5]}"#);
    seance::core::fuzz::index(b"{\"version\":1,\"entries\":{}}");
    seance::core::fuzz::token(b"seance1.");
}
