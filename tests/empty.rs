//! Empty and failed states say what was read and what was asked: the log and the filters that
//! matched nothing (with the values the log has), no town, lookups that name every account dir
//! searched, and account dirs that accounts.json lists but that do not exist.

use std::fs;

use crate::util::{Town, other, start, tool, uuid};
use crate::world::World;

fn town() -> Town {
    let town = Town::new();
    town.write_log(&[
        start("2026-01-22T10:00:00Z", "gastown/crew/joe", &uuid(1), Some("patrol")),
        other("2026-01-22T10:01:00Z", "mail_sent", "gastown/crew/joe"),
        start("2026-01-22T10:05:00Z", "beads/polecats/nux", &uuid(2), None),
        start("2026-01-22T10:06:00Z", "wyvern/witness", &uuid(3), None),
        start("2026-01-22T10:07:00Z", "mayor", "mayor-4242", None),
    ]);
    town
}

#[test]
fn a_filter_that_matches_nothing_names_the_log_and_what_is_there() {
    let town = town();
    let log = town.log().display().to_string();
    let run = town.tool("seance").args(["--rig", "gastwon", "--format", "table"]).run().ok();
    assert_eq!(
        run.stdout,
        format!(
            "No session matches --rig gastwon among the 4 session starts in {log}; rigs here: beads, gastown, wyvern.\n"
        )
    );
    let run =
        town.tool("seance").args(["--role", "refinery", "--rig", "beads", "--format", "table"]).run().ok();
    assert_eq!(
        run.stdout,
        format!(
            "No session matches --role refinery --rig beads among the 4 session starts in {log}; \
             roles here: crew, mayor, polecat, witness; rigs here: beads, gastown, wyvern.\n"
        )
    );
    // Not gt's hint about hooks, nor its hard-coded ~/gt path.
    assert!(!run.stdout.contains("~/gt") && !run.stdout.contains("hooks"));
    // Through the real pipeline too: -e still decides the exit code.
    town.tool("seance").args(["--rig", "gastwon", "-e", "--format", "table"]).run().code(1);
    // A time window that holds no session.
    let run = town.tool("seance").args(["--since", "2099-01-01T00:00:00Z", "--format", "table"]).run().ok();
    assert_eq!(run.stdout, format!("No session started since 2099-01-01T00:00:00Z in {log}.\n"));
}

#[test]
fn an_empty_or_missing_log_says_so() {
    let town = Town::new();
    let log = town.log().display().to_string();
    let run = town.tool("seance").args(["--format", "table"]).run().ok();
    assert_eq!(run.stdout, format!("No session events found: {log} does not exist yet.\n"));
    town.write_log(&[other("2026-01-22T10:01:00Z", "mail_sent", "mayor")]);
    let run = town.tool("seance").args(["--format", "table"]).run().ok();
    assert_eq!(
        run.stdout,
        format!(
            "No session events found in {log}: it has no session_start events (do the town's SessionStart \
             hooks emit them?)\n"
        )
    );
}

#[test]
fn a_town_flag_that_names_no_town_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = tool("seance").args(["--town"]).args([dir.path()]).run().code(2);
    assert_eq!(
        run.stderr,
        format!(
            "seance: --town {}: not a Gas Town (no mayor/ and no .events.jsonl there); name the town's root, \
             or leave --town out to find it from the working directory\n",
            dir.path().display()
        )
    );
    assert_eq!(run.stdout, "");
    // A bare log is enough to list from.
    fs::write(dir.path().join(".events.jsonl"), "").unwrap();
    let run = tool("seance").args(["--town"]).args([dir.path()]).run().code(0);
    assert_eq!(
        run.stderr,
        format!(
            "seance: No session events found in {}: it has no session_start events (do the town's SessionStart hooks emit them?)\n",
            dir.path().join(".events.jsonl").display()
        )
    );
}

#[test]
fn outside_a_town_a_talk_says_no_accounts_json_was_read() {
    let w = World::new();
    let nowhere = tempfile::tempdir().unwrap();
    let run =
        w.tool("seance").cwd(nowhere.path()).args(["--talk", "2fab465e", "--agent", "true"]).run().code(3);
    assert_eq!(
        run.stderr,
        format!(
            "seance: no session matches '2fab465e' (searched {} (current); no town found, so no accounts.json \
             was read (use --town DIR or set GT_TOWN_ROOT))\n",
            w.one.display()
        )
    );
}

#[test]
fn a_listed_account_whose_dir_is_missing_is_a_warning() {
    let w = World::new();
    let id = uuid(7);
    w.session(&w.one, &w.work, &id);
    fs::remove_dir_all(&w.two).unwrap();
    let warning = format!(
        "seance-show: warning: account 'two' ({}) does not exist; it is listed in {}\n",
        w.two.display(),
        w.town.join("mayor/accounts.json").display()
    );
    // Found anyway, with the warning.
    let run = w.tool("seance-show").args([&id]).run().code(0);
    assert_eq!(run.stderr, warning);
    // Not found: the warning, then every dir searched, the missing one marked.
    let run = w.tool("seance-show").args(["dead0000"]).run().code(3);
    assert_eq!(
        run.stderr,
        format!(
            "{warning}seance-show: no session matches 'dead0000' (searched the log {}, then {} (one), {} (two, missing))\n",
            w.town.join(".events.jsonl").display(),
            w.one.display(),
            w.two.display()
        )
    );
}
