//! `seance pick` with a stand-in fzf on PATH that records what it was given and answers as a
//! user would (Enter, ctrl-y, Esc), and once with the real fzf in filter mode.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::talk::{Setup, setup};
use crate::transcript_fixture::conversation;
use crate::util::{start, uuid};
use crate::world::*;

const FZF: &str = r#"#!/bin/sh
# Stand-in fzf: records its arguments and input, then answers as told.
printf '%s\n' "$@" > "$SEANCE_TEST_DIR/fzf-args"
cat > "$SEANCE_TEST_DIR/fzf-input"
[ "$SEANCE_TEST_KEY" = esc ] && exit 130
printf '%s\n' "$SEANCE_TEST_KEY"
grep -m1 -e "$SEANCE_TEST_PICK" "$SEANCE_TEST_DIR/fzf-input"
"#;

struct Picker {
    s: Setup,
    /// A dir holding the stand-in fzf, first on PATH.
    bin: PathBuf,
}

/// The talk world, with a log that names the session twice (a restart), a session of another
/// rig, and a fallback id that cannot be resumed.
fn picker() -> Picker {
    let s = setup();
    let other = uuid(43);
    s.w.session(&s.w.one, Path::new("/srv/other"), &other);
    let log = [
        start("2026-01-22T09:00:00Z", "gastown/crew/joe", &s.id, Some("first")),
        start("2026-01-22T09:30:00Z", "beads/crew/ann", &other, None),
        start("2026-01-22T09:40:00Z", "gastown/witness", "gastown/witness-4242", None),
        start("2026-01-22T10:00:00Z", "gastown/crew/joe", &s.id, Some("restarted")),
    ];
    fs::write(s.w.town.join(".events.jsonl"), log.join("\n") + "\n").unwrap();
    let bin = s.w.home.join("bin");
    fs::create_dir_all(&bin).unwrap();
    fs::write(bin.join("fzf"), FZF).unwrap();
    fs::set_permissions(bin.join("fzf"), fs::Permissions::from_mode(0o755)).unwrap();
    Picker { s, bin }
}

impl Picker {
    fn pick(&self, key: &str, pick: &str, extra: &[&str]) -> crate::util::Tool {
        let path = format!("{}:{}", self.bin.display(), std::env::var("PATH").unwrap());
        let mut args = vec!["pick", "--agent", self.s.agent.to_str().unwrap()];
        args.extend(extra);
        self.s
            .w
            .tool("seance")
            .args(args)
            .env("PATH", path)
            .env("SEANCE_TEST_DIR", &self.s.w.home)
            .env("SEANCE_TEST_KEY", key)
            .env("SEANCE_TEST_PICK", pick)
            .env("SEANCE_TEST_RECORD", &self.s.record)
            .env("SEANCE_TEST_LINK", &self.s.link)
    }

    fn fzf_input(&self) -> String {
        read(&self.s.w.home.join("fzf-input"))
    }
}

#[test]
fn enter_talks_to_the_chosen_session_then_unstages() {
    let p = picker();
    let run = p.pick("", "restarted", &[]).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, format!("Summoning session {}…\n", p.s.id));
    assert!(read(&p.s.record).starts_with(&format!("args: [--fork-session] [--resume] [{}]\n", p.s.id)));
    assert!(read(&p.s.record).contains("link=yes"));
    p.s.cleaned_up();
    // The menu: resumable sessions only, each once (the newest start), as id TAB table row.
    let input = p.fzf_input();
    let ids: Vec<&str> = input.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(ids, [p.s.id.as_str(), &uuid(43)]);
    assert!(input.lines().next().unwrap().ends_with("restarted"), "{input}");
    let args = read(&p.s.w.home.join("fzf-args"));
    let args: Vec<&str> = args.lines().collect();
    assert!(args.windows(2).any(|w| w == ["--with-nth", "2.."]), "{args:?}");
    assert!(args.windows(2).any(|w| w == ["--expect", "ctrl-y"]), "{args:?}");
    let preview = args[args.iter().position(|a| *a == "--preview").unwrap() + 1];
    let show = crate::util::bin("seance-show");
    assert_eq!(preview, format!("'{}' --color always {{1}}", show.display()));
}

#[test]
fn the_preview_command_shows_the_session() {
    // What fzf would run for the highlighted line, run through sh as fzf does.
    let p = picker();
    p.pick("ctrl-y", "restarted", &[]).run().ok();
    let args = read(&p.s.w.home.join("fzf-args"));
    let preview = args.lines().skip_while(|a| *a != "--preview").nth(1).unwrap().replace("{1}", &p.s.id);
    let out = std::process::Command::new("sh")
        .args(["-c", &format!("exec {preview}")])
        .env("HOME", &p.s.w.home)
        .current_dir(&p.s.w.work)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("Where did you put the migration plan?"), "{text}");
}

#[test]
fn ctrl_y_prints_the_id_and_stages_nothing() {
    let p = picker();
    let run = p.pick("ctrl-y", &uuid(43)[..8], &[]).run().ok();
    assert_eq!(run.stdout, format!("{}\n", uuid(43)));
    assert!(!exists(&p.s.w.target()));
    assert!(!exists(&p.s.record));
}

#[test]
fn esc_leaves_quietly() {
    let p = picker();
    let run = p.pick("esc", "", &[]).run().ok();
    assert_eq!(run.stdout, "");
    assert!(!exists(&p.s.w.target()));
}

#[test]
fn listing_flags_filter_the_menu() {
    let p = picker();
    p.pick("ctrl-y", "beads", &["--rig", "beads"]).run().ok();
    let input = p.fzf_input();
    assert_eq!(input.lines().count(), 1, "{input}");
    assert!(input.starts_with(&uuid(43)));
    p.pick("ctrl-y", "x", &["-n", "1"]).run().ok();
    assert_eq!(p.fzf_input().lines().count(), 1);
}

#[test]
fn missing_fzf_is_a_clear_usage_error() {
    let p = picker();
    let empty = p.s.w.home.join("empty");
    fs::create_dir_all(&empty).unwrap();
    let run = p.pick("", "", &[]).env("PATH", &empty).run().code(2);
    assert_eq!(
        run.stderr,
        "seance: pick needs fzf, which is not on PATH (see https://github.com/junegunn/fzf)\n"
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn with_the_real_fzf_in_filter_mode() {
    if !crate::docs::need("fzf") {
        return;
    }
    let p = picker();
    let run =
        p.s.w
            .tool("seance")
            .args(["pick", "--agent", p.s.agent.to_str().unwrap()])
            .env("FZF_DEFAULT_OPTS", "--filter=restarted")
            .env("SEANCE_TEST_RECORD", &p.s.record)
            .env("SEANCE_TEST_LINK", &p.s.link)
            .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(&p.s.record).contains(&format!("[--resume] [{}]", p.s.id)));
    assert!(read(&p.s.record).contains("link=yes"));
    p.s.cleaned_up();
}

#[test]
fn pick_and_init_take_no_stray_words() {
    let p = picker();
    let run = p.s.w.tool("seance").args(["pick", "extra"]).run().code(2);
    assert_eq!(run.stderr, "seance: unexpected argument 'extra'\n");
    let run = p.s.w.tool("seance").args(["init", "tcsh"]).run().code(2);
    assert_eq!(run.stderr, "seance: init: 'tcsh' is not one of bash, zsh, fish, skill\n");
    let run = p.s.w.tool("seance").args(["init"]).run().code(2);
    assert_eq!(run.stderr, "seance: init needs a shell (bash, zsh or fish) or skill\n");
    let run = p.s.w.tool("seance").args(["pick", "--talk", "abcd"]).run().code(2);
    assert_eq!(run.stderr, "seance: --talk cannot be combined with pick, init or doctor\n");
}

/// fzf's argument after `flag` whose text starts with `start`.
fn fzf_arg(p: &Picker, flag: &str, start: &str) -> String {
    let args = read(&p.s.w.home.join("fzf-args"));
    let args: Vec<&str> = args.lines().collect();
    let at = args.windows(2).position(|w| w[0] == flag && w[1].starts_with(start));
    args[at.unwrap_or_else(|| panic!("no {flag} {start}… in {args:?}")) + 1].to_string()
}

/// Runs a command fzf would run, through sh as fzf does, in the test world.
fn sh(p: &Picker, command: &str) -> String {
    let out = std::process::Command::new("sh")
        .args(["-c", command])
        .env("HOME", &p.s.w.home)
        // As the picker itself ran (tests/util.rs), so that rows compare.
        .env("TZ", "IST-5:30")
        .current_dir(&p.s.w.work)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The picker's world where the other session talked of something else.
fn picker_apart() -> Picker {
    let p = picker();
    let cwd = Path::new("/srv/other");
    conversation(&uuid(43), cwd, "Cut the beads release", "Tagged v1.2")
        .write(&p.s.w.project(&p.s.w.one, cwd));
    p
}

#[test]
fn grep_lists_only_sessions_with_hits_and_previews_the_hits() {
    let p = picker_apart();
    let run = p.pick("ctrl-y", "restarted", &["--grep", "migration plan"]).run().ok();
    assert_eq!(run.stdout, format!("{}\n", p.s.id));
    let input = p.fzf_input();
    let ids: Vec<&str> = input.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(ids, [p.s.id.as_str()]);
    let preview = fzf_arg(&p, "--preview", "").replace("{1}", &p.s.id);
    let grep = crate::util::bin("seance-grep");
    assert_eq!(preview, format!("'{}' -F -- 'migration plan' {}", grep.display(), p.s.id));
    let hits = sh(&p, &preview);
    assert!(hits.contains("Where did you put the migration plan?"), "{hits}");
    assert!(hits.lines().all(|l| l.contains(&format!("\"session_id\":\"{}\"", p.s.id))), "{hits}");
    // Nothing said anywhere: no menu, nothing chosen.
    let run = p.pick("ctrl-y", "x", &["--grep", "never said by anyone"]).run();
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    assert_eq!(run.stderr, "seance: no session's transcript holds the --grep text\n");
}

#[test]
fn ctrl_s_reloads_the_menu_through_seance_grep() {
    let p = picker_apart();
    p.pick("ctrl-y", "restarted", &[]).run().ok();
    let menu = p.fzf_input();
    let seance = format!("'{}'", crate::util::bin("seance").display());
    let reload = format!("reload({seance} --format fzf --resumable --unique -n 0 --grep {{q}} || true)");
    assert_eq!(fzf_arg(&p, "--bind", "start:"), "start:unbind(change)");
    let (show, grep) = (crate::util::bin("seance-show"), crate::util::bin("seance-grep"));
    let hits = format!(
        "id={{1}}; q={{q}}; if [ -z \"$id\" ]; then :; elif [ -z \"$q\" ]; then exec '{}' --color always \
         \"$id\"; else exec '{}' -F -- \"$q\" \"$id\"; fi",
        show.display(),
        grep.display()
    );
    assert_eq!(
        fzf_arg(&p, "--bind", "ctrl-s:"),
        format!("ctrl-s:disable-search+change-prompt(grep> )+change-preview({hits})+rebind(change)+{reload}")
    );
    assert_eq!(fzf_arg(&p, "--bind", "change:"), format!("change:{reload}"));
    // The preview outside live search is unchanged.
    assert_eq!(fzf_arg(&p, "--preview", ""), format!("'{}' --color always {{1}}", show.display()));
    // The live preview, as fzf runs it: the hits of the query in the highlighted session; with
    // no query, the session as outside live search; with no row, nothing (not every session's
    // hits).
    let preview = |id: &str, q: &str| sh(&p, &hits.replace("{1}", id).replace("{q}", q));
    let hits_of = preview(&format!("'{}'", uuid(43)), "'beads release'");
    assert!(hits_of.contains("Cut the beads release") && !hits_of.contains("Tagged v1.2"), "{hits_of}");
    assert!(hits_of.lines().all(|l| l.contains(&format!("\"session_id\":\"{}\"", uuid(43)))), "{hits_of}");
    let whole = preview(&format!("'{}'", uuid(43)), "''");
    assert!(whole.contains("Cut the beads release") && whole.contains("Tagged v1.2"), "{whole}");
    assert_eq!(preview("", "'beads release'"), "");
    // What fzf runs for the query `migration plan` (it quotes {q} in single quotes): the one
    // session that said it, as the row the menu shows for it.
    let command = reload.strip_prefix("reload(").unwrap().strip_suffix(')').unwrap();
    let rows = sh(&p, &command.replace("{q}", "'migration plan'"));
    let row = menu.lines().find(|l| l.starts_with(&p.s.id)).unwrap();
    assert_eq!(rows, format!("{row}\n"));
    assert_eq!(sh(&p, &command.replace("{q}", "'never said by anyone'")), "");
    let row = menu.lines().find(|l| l.starts_with(&uuid(43))).unwrap();
    assert_eq!(sh(&p, &command.replace("{q}", "'beads release'")), format!("{row}\n"));
}

#[test]
fn grep_with_the_real_fzf_in_filter_mode() {
    // The real fzf takes the live-search bindings, and sees only the session that said it.
    if !crate::docs::need("fzf") {
        return;
    }
    let p = picker_apart();
    let run =
        p.s.w
            .tool("seance")
            .args(["pick", "--grep", "beads release", "--agent", p.s.agent.to_str().unwrap()])
            .env("FZF_DEFAULT_OPTS", "--filter=")
            .env("SEANCE_TEST_RECORD", &p.s.record)
            .env("SEANCE_TEST_LINK", &p.s.link)
            .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(&p.s.record).contains(&format!("[--resume] [{}]", uuid(43))), "{}", read(&p.s.record));
}

#[test]
fn records_on_stdin_are_the_menu() {
    let p = picker_apart();
    // seance-sessions' records: every session on disk, each in a session row (the town's actor,
    // the first prompt), whatever the log says; ctrl-y prints the chosen one.
    let listed = p.s.w.tool("seance-sessions").run().ok().stdout;
    let run = p.pick("ctrl-y", "Cut the beads release", &[]).stdin(&listed).run().ok();
    assert_eq!(run.stdout, format!("{}\n", uuid(43)));
    let input = p.fzf_input();
    let ids: Vec<&str> = input.lines().map(|l| l.split('\t').next().unwrap()).collect();
    let listed_ids: Vec<String> = listed
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["session_id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids, listed_ids);
    assert_eq!(ids.len(), 2);
    let row = input.lines().find(|l| l.starts_with(&uuid(43))).unwrap();
    assert!(row.contains("  beads/crew/ann  ") && row.ends_with("  Cut the beads release"), "{row}");
    // seance-grep's hits: each session once, in a hit row; Enter talks to it as --talk does.
    let hits = p.s.w.tool("seance-grep").args(["-F", "e"]).run_without_stdin().ok().stdout;
    assert!(hits.lines().count() > 2, "{hits}");
    let run = p.pick("", "migration", &[]).stdin(&hits).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(&p.s.record).starts_with(&format!("args: [--fork-session] [--resume] [{}]\n", p.s.id)));
    p.s.cleaned_up();
    let input = p.fzf_input();
    let ids: Vec<&str> = input.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(ids.len(), 2, "{input}");
    assert!(ids.contains(&p.s.id.as_str()) && ids.contains(&uuid(43).as_str()), "{input}");
    let row = input.lines().find(|l| l.starts_with(&p.s.id)).unwrap();
    assert!(
        row.contains("  gastown/crew/joe  ") && row.contains("  Where did you put the migration plan?"),
        "{row}"
    );
    // Records that name no resumable session: no menu, the reason on stderr.
    let run =
        p.pick("ctrl-y", "x", &[]).stdin(start("2026-01-22T09:40:00Z", "mayor", "mayor-4242", None)).run();
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    assert_eq!(run.stderr, "seance: no resumable session among the records on stdin\n");
}

#[test]
fn live_search_repeats_the_listing_flags_as_quoted_words() {
    // The flags that shape the listing, as given (short and alias spellings by their long
    // names), each value one word; the talk's and the display's are left out; --town and
    // --config-dir go to the previews too.
    let p = picker_apart();
    let town = p.s.w.town.display().to_string();
    let one = p.s.w.one.display().to_string();
    // A log under a name with a quote and an fzf placeholder.
    let dir = p.s.w.home.join("it's {q}");
    fs::create_dir_all(&dir).unwrap();
    fs::copy(p.s.w.town.join(".events.jsonl"), dir.join("log")).unwrap();
    let log = dir.join("log").display().to_string();
    #[rustfmt::skip]
    let args = [
        "--rig", "gastown", "-u", "--recent", "5", "--since", "2026-01-01", "--events", &log,
        "--format", "tsv", "--color", "never", "-p", "hi", "--town", &town, "--config-dir", &one,
        "--grep", "migration",
    ];
    p.pick("ctrl-y", "restarted", &args).run().ok();
    let seance = crate::util::bin("seance");
    let words = format!(
        "'--rig' 'gastown' '--unique' '--limit' '5' '--since' '2026-01-01' '--events' '{}' '--town' '{town}' \
         '--config-dir' '{one}'",
        log.replace('\'', "'\\''").replace("{q}", "\\{q}")
    );
    assert_eq!(
        fzf_arg(&p, "--bind", "change:"),
        format!(
            "change:reload('{}' --format fzf --resumable --unique -n 0 {words} --grep {{q}} || true)",
            seance.display()
        )
    );
    let place = format!("'--town' '{town}' '--config-dir' '{one}'");
    let grep = crate::util::bin("seance-grep");
    assert_eq!(fzf_arg(&p, "--preview", ""), format!("'{}' {place} -F -- 'migration' {{1}}", grep.display()));
    assert!(fzf_arg(&p, "--bind", "ctrl-s:").contains(&format!("'{}' {place} -F -- \"$q\"", grep.display())));
}

#[test]
fn a_menu_from_stdin_has_no_live_search() {
    // Records piped in, or the log with --events -: read once, for the menu; a reload would list
    // the town's sessions instead.
    let p = picker();
    let log = read(&p.s.w.town.join(".events.jsonl"));
    let listed = p.s.w.tool("seance-sessions").run().ok().stdout;
    for (stdin, args) in [(&log, &["--events", "-"][..]), (&listed, &[][..])] {
        p.pick("ctrl-y", "restarted", args).stdin(stdin).run().ok();
        let fzf_args = read(&p.s.w.home.join("fzf-args"));
        assert!(!fzf_args.contains("ctrl-s") && !fzf_args.contains("reload"), "{fzf_args}");
        assert_eq!(fzf_arg(&p, "--header", ""), "Enter: talk to it   ctrl-y: print its id   Esc: leave");
    }
}

#[test]
fn with_events_from_stdin_the_menu_is_the_listing_of_that_log() {
    // stdin is the log: its session_start events make the menu, as seance-events would read
    // them, not every line that names a session.
    let p = picker();
    let ended = format!(
        r#"{{"ts":"2026-01-22T11:00:00Z","source":"gt","type":"session_end","actor":"beads/crew/ann","payload":{{"session_id":"{}"}}}}"#,
        uuid(43)
    );
    let log = format!(
        "{}\n{ended}\n",
        start("2026-01-22T10:00:00Z", "gastown/crew/joe", &p.s.id, Some("restarted"))
    );
    p.pick("ctrl-y", "restarted", &["--events", "-"]).stdin(&log).run().ok();
    let ids: Vec<String> = p.fzf_input().lines().map(|l| l.split('\t').next().unwrap().to_string()).collect();
    assert_eq!(ids, [p.s.id.clone()]);
}
