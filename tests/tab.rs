//! Completion as a user meets it: Tab pressed in real zsh (on a pseudo-terminal, through zsh's
//! zpty module, see press-tab.zsh), bash's completion function called with the words readline
//! hands it (COMP_WORDS/COMP_CWORD, including readline's split of `--role=cr`), and fish's
//! `complete -C`. The candidates are checked for flags, roles, rigs and the town's session ids.

use std::path::PathBuf;
use std::process::Command;

use crate::docs::need;
use crate::util::{Town, bin, start, uuid};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A town with three rigs and sessions of several roles; `mayor-4242` is not resumable.
fn town() -> Town {
    let town = Town::new();
    town.write_log(&[
        start("2026-01-22T10:00:00Z", "gastown/crew/joe", &uuid(0xa1), Some("patrol")),
        start("2026-01-22T10:05:00Z", "beads/polecats/nux", &uuid(0xa2), None),
        start("2026-01-22T10:06:00Z", "wyvern/witness", &uuid(0xb3), Some("triage")),
        start("2026-01-22T10:07:00Z", "mayor", "mayor-4242", None),
    ]);
    town
}

/// Runs `program args…` from the town with our binaries first on PATH and a scratch HOME.
fn run_shell(program: &str, args: &[&str], envs: &[(&str, &str)], town: &Town) -> String {
    let path = format!("{}:{}", bin("seance").parent().unwrap().display(), std::env::var("PATH").unwrap());
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(&town.root)
        .env("PATH", path)
        .env("HOME", home.path())
        .env_remove("GT_TOWN_ROOT")
        .env_remove("GT_ROOT")
        .env_remove("CLAUDE_CONFIG_DIR")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{program}: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Each (line, words) pair: type the line in zsh, press Tab, expect every word on screen.
fn zsh_press_tab(setup: &str, cases: &[(&str, &str)], town: &Town) {
    let mut args = vec!["-f".to_string(), repo().join("tests/press-tab.zsh").display().to_string()];
    for (line, words) in cases {
        args.push(line.to_string());
        args.push(words.to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_shell("zsh", &args, &[("SHELL_CMD", "TERM=dumb zsh -f -i"), ("SETUP", setup)], town);
    let expected: Vec<String> = cases.iter().map(|(line, _)| format!("ok {line}")).collect();
    assert_eq!(out.lines().collect::<Vec<_>>(), expected, "{out}");
}

const ZSH_CASES: &[(&str, &str)] = &[
    // A unique flag is inserted, with `=` since it takes a value.
    ("seance --ro", "seance --role="),
    // Values from the town's log: the helper is called as `_seance_candidates -J -default- rig`.
    ("seance --rig ", "beads gastown wyvern"),
    ("seance --role=", "crew mayor polecat witness"),
    ("seance-filter --role p", "seance-filter --role polecat"),
    // Session ids: a prefix is completed to the full id; with none, each is listed with who and
    // what (the non-Claude id `mayor-4242` is not offered).
    ("seance --talk 000000a", "000000a1-0000-4000-8000-0000000000a1 000000a2-0000-4000-8000-0000000000a2"),
    ("seance-show 000000a", "000000a1-0000-4000-8000-0000000000a1 gastown/crew/joe beads/polecats/nux"),
    ("seance-stage 000000b", "seance-stage 000000b3-0000-4000-8000-0000000000b3"),
    ("seance --format ", "table tsv fzf json ids"),
    ("seance init ", "bash fish zsh"),
];

#[test]
fn zsh_tab_completes_flags_roles_rigs_and_session_ids() {
    if !need("zsh") {
        return;
    }
    let town = town();
    // As README says: `eval "$(seance init zsh)"` after compinit.
    let setup = "PS1='%% '; LISTMAX=0; autoload -Uz compinit; compinit -u -D; eval \"$(seance init zsh)\"";
    zsh_press_tab(setup, ZSH_CASES, &town);
    // Installed from $fpath instead, autoloaded on first use.
    let setup = format!(
        "PS1='%% '; LISTMAX=0; fpath=({} $fpath); autoload -Uz compinit; compinit -u -D",
        repo().join("completions").display()
    );
    zsh_press_tab(&setup, ZSH_CASES, &town);
}

#[test]
fn zsh_tab_test_fails_when_a_candidate_is_missing() {
    // The driver must be able to fail: a rig the town does not have is never shown.
    if !need("zsh") {
        return;
    }
    let town = town();
    let setup = "PS1='%% '; autoload -Uz compinit; compinit -u -D; eval \"$(seance init zsh)\"";
    let driver = repo().join("tests/press-tab.zsh").display().to_string();
    let out = run_shell(
        "zsh",
        &["-f", &driver, "seance --rig ", "nosuchrig"],
        &[("SHELL_CMD", "TERM=dumb zsh -f -i"), ("SETUP", setup), ("TAB_TRIES", "40")],
        &town,
    );
    assert!(out.starts_with("FAIL seance --rig : ") && out.contains("wyvern"), "{out}");
}

#[test]
fn bash_completes_as_readline_calls_it() {
    if !need("bash") {
        return;
    }
    let town = town();
    // COMP_WORDS as readline splits the line: `=` is a word break, so `--role=cr` is three words.
    let script = r#"eval "$(seance init bash)" || exit 1
c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _seance; echo "${COMPREPLY[*]}"; }
c seance --ro
c seance --rig ''
c seance --role =
c seance --role = p
c seance-filter --rig = w
c seance --talk 000000a
c seance-show ''
c seance-stage 000000b3
c seance --format = js
"#;
    let out = run_shell("bash", &["--norc", "--noprofile", "-c", script], &[], &town);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "--role",
            "beads gastown wyvern",
            "crew mayor polecat witness",
            "polecat",
            "wyvern",
            &format!("{} {}", uuid(0xa2), uuid(0xa1)),
            &format!("{} {} {}", uuid(0xb3), uuid(0xa2), uuid(0xa1)),
            &uuid(0xb3),
            "json",
        ]
    );
}

#[test]
fn fish_complete_offers_flags_roles_rigs_and_session_ids() {
    if !need("fish") {
        return;
    }
    let town = town();
    let script = "seance init fish | source; or exit 1
for line in 'seance --ri' 'seance --rig ' 'seance --role=' 'seance-filter --role p' 'seance --talk 000000a' 'seance-show '
    complete -C $line | string replace -r '\\t.*' ''
    echo @@
end";
    let out = run_shell("fish", &["--no-config", "-c", script], &[], &town);
    let parts: Vec<Vec<&str>> = out.split("@@\n").map(|p| p.lines().collect()).collect();
    assert_eq!(parts[0], ["--rig"]);
    assert_eq!(parts[1], ["beads", "gastown", "wyvern"]);
    assert_eq!(parts[2], ["--role=crew", "--role=mayor", "--role=polecat", "--role=witness"]);
    assert_eq!(parts[3], ["polecat"]);
    // fish sorts what it shows.
    assert_eq!(parts[4], [uuid(0xa1), uuid(0xa2)]);
    assert_eq!(parts[5], [uuid(0xa1), uuid(0xa2), uuid(0xb3)]);
}
