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

/// The modules each module of a layer uses: `layer::name` for `bins/kit/LAYER/NAME.rs` or
/// `bins/kit/LAYER/NAME/`, from its `crate::LAYER::NAME` paths and (in files directly in the
/// layer's dir) its `super::NAME` paths. A layer's own `mod.rs` is left out: it declares the
/// modules, and what it holds besides (a tool's `run`) is shared by all of them.
fn module_graph() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut graph = std::collections::BTreeMap::new();
    for layer in ["core", "cli", "tool"] {
        let dir = kit().join(layer);
        for path in sources(&dir) {
            let relative = path.strip_prefix(&dir).unwrap();
            let first = relative.components().next().unwrap().as_os_str().to_string_lossy();
            let unit = first.trim_end_matches(".rs").to_string();
            if unit == "mod" {
                continue;
            }
            let from = format!("{layer}::{unit}");
            let text = fs::read_to_string(&path).unwrap();
            let direct = relative.components().count() == 1;
            let uses: &mut std::collections::BTreeSet<String> = graph.entry(from.clone()).or_default();
            for (prefix, target_layer) in
                [("crate::core::", "core"), ("crate::cli::", "cli"), ("crate::tool::", "tool")]
                    .into_iter()
                    .chain(direct.then_some(("super::", layer)))
            {
                for part in text.split(prefix).skip(1) {
                    let names: Vec<&str> = match part.strip_prefix('{') {
                        Some(group) => group.split('}').next().unwrap().split(',').collect(),
                        None => vec![part],
                    };
                    for name in names {
                        let name: String =
                            name.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        let to = format!("{target_layer}::{name}");
                        let exists = kit().join(target_layer).join(format!("{name}.rs")).exists()
                            || kit().join(target_layer).join(&name).is_dir();
                        if !name.is_empty() && exists && to != from {
                            uses.insert(to);
                        }
                    }
                }
            }
        }
    }
    graph
}

/// A cycle in `graph`, as the modules on it, when there is one.
fn find_cycle(
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = std::collections::BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_cycles() {
    let graph = module_graph();
    assert!(
        graph.contains_key("core::eventlog") && graph["tool::wrapper"].contains("tool::pick"),
        "{graph:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("module cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_cycle_check_sees_a_cycle() {
    let graph = [("a", "b"), ("b", "c"), ("c", "a")]
        .into_iter()
        .map(|(from, to)| (from.to_string(), std::collections::BTreeSet::from([to.to_string()])))
        .collect();
    assert_eq!(find_cycle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}

/// No tool reaches into another: what two tools share lives in `core`. The `seance` wrapper's
/// own parts (the picker, the talk, the completion candidates) are modules of their own that
/// only it uses.
#[test]
fn no_tool_reaches_into_another() {
    let parts = ["tool::pick", "tool::talk", "tool::candidates"];
    let mut found = Vec::new();
    for (from, uses) in module_graph() {
        for to in uses.iter().filter(|to| to.starts_with("tool::")) {
            if !(from == "tool::wrapper" && parts.contains(&to.as_str())) {
                found.push(format!("{from} -> {to}"));
            }
        }
    }
    assert!(found.is_empty(), "tools reaching into tools:\n{}", found.join("\n"));
}
