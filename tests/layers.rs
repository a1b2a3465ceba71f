//! The three layers (ARCHITECTURE.md): `core` never imports `cli` or `tool`, `cli` never
//! imports `tool`, and no tool reaches into another tool. Checked on the sources, so that a
//! wrong arrow fails here before it becomes a cycle.

use std::fs;
use std::path::{Path, PathBuf};

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found.sort();
    found
}

fn kit() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bins/kit")
}

/// The lines of `dir`'s sources that contain any of `forbidden`.
fn offences(dir: &Path, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for path in sources(dir) {
        let text = fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            if forbidden.iter().any(|f| line.contains(f)) {
                found.push(format!("{}:{}: {}", path.display(), number + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn core_imports_neither_cli_nor_tool() {
    let found = offences(&kit().join("core"), &["crate::cli", "crate::tool", "super::super", "seance::cli"]);
    assert!(found.is_empty(), "core reaches up a layer:\n{}", found.join("\n"));
}

#[test]
fn cli_does_not_import_tool() {
    let found = offences(&kit().join("cli"), &["crate::tool", "seance::tool"]);
    assert!(found.is_empty(), "cli reaches up a layer:\n{}", found.join("\n"));
}

/// The layer test itself must be able to fail: it sees a forbidden import when there is one.
#[test]
fn the_layer_check_sees_an_offence() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("sub")).unwrap();
    fs::write(dir.path().join("sub/x.rs"), "use crate::cli::Flag;\n").unwrap();
    assert_eq!(offences(dir.path(), &["crate::cli"]).len(), 1);
}
