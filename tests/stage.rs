//! seance-stage and seance-unstage on temp homes with two accounts.

use std::fs;
use std::path::Path;

use crate::util::uuid;
use crate::world::*;

const OTHER: &str = "/srv/other";

#[test]
fn cross_account_stage_links_and_indexes_then_unstage_removes_both() {
    let w = World::new();
    let id = uuid(1);
    let source = w.session(&w.two, Path::new(OTHER), &id);
    let source_entry = entry(&id, &source);
    w.write_index(
        &w.project(&w.two, Path::new(OTHER)),
        &format!(r#"{{"version":1,"entries":[{source_entry}],"originalPath":"{OTHER}"}}"#),
    );
    let run = w.tool("seance-stage").args([&id]).run().ok();
    let token = run.stdout.trim().to_string();
    assert!(token.starts_with("seance1.") && !token.contains(char::is_whitespace), "{token}");
    // The link is in the current account, under the working dir's project dir (not the source's).
    let link = w.target().join(format!("{id}.jsonl"));
    assert_eq!(fs::read_link(&link).unwrap(), source);
    assert!(!exists(&w.project(&w.one, Path::new(OTHER))));
    let index = read(&w.target().join("sessions-index.json"));
    let mut expected = Vec::new();
    seance::core::rawjson::indent_into(
        &mut expected,
        format!(r#"{{"version":1,"entries":[{source_entry}],"originalPath":"{}"}}"#, w.work.display())
            .as_bytes(),
        0,
    );
    assert_eq!(index, String::from_utf8(expected).unwrap());
    let mode = fs::metadata(w.target()).unwrap();
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777, 0o700);

    w.tool("seance-unstage").args([&token]).run().ok();
    assert!(!exists(&link));
    assert!(source.exists());
    assert!(!read(&w.target().join("sessions-index.json")).contains(&id));
    // Again: nothing to do, still success.
    w.tool("seance-unstage").args([&token]).run().ok();
}

#[test]
fn found_in_account_one_or_two_or_nowhere() {
    let w = World::new();
    let (a, b) = (uuid(1), uuid(2));
    let in_one = w.session(&w.one, Path::new(OTHER), &a);
    let in_two = w.session(&w.two, Path::new(OTHER), &b);
    let run = w.tool("seance-stage").args([&a, &b, "--json"]).run().ok();
    let records: Vec<serde_json::Value> =
        run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records[0]["source"], in_one.display().to_string());
    assert_eq!(records[1]["source"], in_two.display().to_string());
    assert_eq!(records[0]["added"], serde_json::json!({"link": true, "sidecar": false, "entry": true}));
    // Same account, other project dir: linked into the working dir's project dir.
    assert_eq!(fs::read_link(w.target().join(format!("{a}.jsonl"))).unwrap(), in_one);
    let run = w.tool("seance-stage").args([&uuid(3)]).run().code(3);
    assert_eq!(
        run.stderr,
        format!("seance-stage: no session matches '{}' (searched {})\n", uuid(3), w.searched())
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn newest_transcript_wins_across_accounts() {
    let w = World::new();
    let id = uuid(5);
    let old = w.session(&w.one, Path::new(OTHER), &id);
    let new = w.session(&w.two, Path::new("/srv/newer"), &id);
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fs::File::options().write(true).open(&old).unwrap().set_modified(past).unwrap();
    w.tool("seance-stage").args([&id]).run().ok();
    assert_eq!(fs::read_link(w.target().join(format!("{id}.jsonl"))).unwrap(), new);
}

#[test]
fn same_account_same_project_is_nothing_to_do() {
    let w = World::new();
    let id = uuid(1);
    w.session(&w.one, &w.work, &id);
    let index = w.write_index(
        &w.target(),
        &format!(r#"{{"version":1,"entries":[],"originalPath":"{}"}}"#, w.work.display()),
    );
    let before = read(&index);
    let run = w.tool("seance-stage").args([&id, "--json"]).run().ok();
    let record: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(record["added"], serde_json::json!({"link": false, "sidecar": false, "entry": false}));
    assert_eq!(read(&index), before);
    let token = record["token"].as_str().unwrap().to_string();
    w.tool("seance-unstage").args([&token]).run().ok();
    assert!(w.target().join(format!("{id}.jsonl")).is_file());
    assert_eq!(read(&index), before);
}

#[test]
fn working_dirs_with_odd_characters_and_long_paths() {
    let w = World::new();
    let long = format!("deep/{}/{}", "d".repeat(120), "e".repeat(100));
    for (n, name) in ["my_app.v2", "with space", "café-ü", "日本", long.as_str()].into_iter().enumerate()
    {
        let dir = w.town.join(name);
        fs::create_dir_all(&dir).unwrap();
        let id = uuid(10 + n as u32);
        w.session(&w.two, Path::new(OTHER), &id);
        w.tool("seance-stage").args(["--cwd".as_ref(), dir.as_os_str(), id.as_ref()]).run().ok();
        let expected = w.one.join("projects").join(encode(&dir.canonicalize().unwrap().to_string_lossy()));
        assert!(is_link(&expected.join(format!("{id}.jsonl"))), "{name}: {}", expected.display());
    }
    let long_name = encode(&w.town.join(&long).to_string_lossy());
    assert!(long_name.len() > 201 && long_name.as_bytes()[200] == b'-', "{long_name}");
}

#[test]
fn long_path_prefers_an_existing_dir_with_the_same_stem() {
    let w = World::new();
    let dir = w.town.join(format!("x/{}", "f".repeat(230)));
    fs::create_dir_all(&dir).unwrap();
    let name = encode(&dir.to_string_lossy());
    // A newer client named it with another suffix.
    let existing = w.one.join("projects").join(format!("{}-newclientsuffix", &name[..200]));
    fs::create_dir_all(&existing).unwrap();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    w.tool("seance-stage").args(["--cwd".as_ref(), dir.as_os_str(), id.as_ref()]).run().ok();
    assert!(is_link(&existing.join(format!("{id}.jsonl"))));
}

#[test]
fn claude_config_dir_is_the_current_account() {
    let w = World::new();
    let id = uuid(1);
    let source = w.session(&w.one, Path::new(OTHER), &id);
    w.tool("seance-stage").env("CLAUDE_CONFIG_DIR", &w.two).args([&id]).run().ok();
    assert_eq!(fs::read_link(w.project(&w.two, &w.work).join(format!("{id}.jsonl"))).unwrap(), source);
    assert!(!exists(&w.target().join(format!("{id}.jsonl"))));
    // --config-dir says the same.
    let id = uuid(2);
    w.session(&w.one, Path::new(OTHER), &id);
    w.tool("seance-stage").args(["--config-dir".as_ref(), w.two.as_os_str(), id.as_ref()]).run().ok();
    assert!(is_link(&w.project(&w.two, &w.work).join(format!("{id}.jsonl"))));
}

#[test]
fn a_session_missing_from_every_index_gets_a_minimal_entry() {
    let w = World::new();
    let id = uuid(1);
    let source = w.session(&w.two, Path::new(OTHER), &id);
    w.tool("seance-stage").args([&id]).run().ok();
    let index: serde_json::Value =
        serde_json::from_str(&read(&w.target().join("sessions-index.json"))).unwrap();
    let entry = &index["entries"][0];
    // Key order, read without a map that sorts.
    let text = read(&w.target().join("sessions-index.json"));
    let top = seance::core::rawjson::object(&text).unwrap();
    let entries: Vec<Box<serde_json::value::RawValue>> =
        serde_json::from_str(seance::core::rawjson::member(&top, "entries").unwrap().get()).unwrap();
    let members = seance::core::rawjson::object(entries[0].get()).unwrap();
    let keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "sessionId",
            "fullPath",
            "fileMtime",
            "firstPrompt",
            "created",
            "modified",
            "projectPath",
            "isSidechain"
        ]
    );
    assert_eq!(entry["sessionId"], id.as_str());
    assert_eq!(entry["fullPath"], w.target().join(format!("{id}.jsonl")).display().to_string());
    assert_eq!(entry["firstPrompt"], "Where did you put the migration plan?");
    assert_eq!(entry["created"], "2026-01-22T10:00:00.000Z");
    assert_eq!(entry["projectPath"], w.work.display().to_string());
    assert_eq!(entry["isSidechain"], false);
    let mtime =
        fs::metadata(&source).unwrap().modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap();
    assert_eq!(entry["fileMtime"], mtime.as_millis() as u64);
    assert_eq!(index["originalPath"], w.work.display().to_string());
}

#[test]
fn round_trip_keeps_every_byte_of_the_index() {
    let w = World::new();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    let original = format!(
        r#"{{"zfirst":{{"deep":[1,2.50,"x"]}},"version":1,"entries":[{{"sessionId":"keep","big":267777777777777777777777,"note":"caf\u00e9"}}],"originalPath":"{}","unknownKey":true}}"#,
        w.work.display()
    );
    let index = w.write_index(&w.target(), &original);
    let before = read(&index);
    let token = w.tool("seance-stage").args([&id]).run().ok().stdout;
    let during = read(&index);
    assert!(
        during.contains("267777777777777777777777")
            && during.contains("\"unknownKey\": true")
            && during.contains(&id)
    );
    w.tool("seance-unstage").stdin(token).run().ok();
    assert_eq!(read(&index), before);
}

#[test]
fn corrupt_index_is_refused_and_nothing_is_left() {
    let w = World::new();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    fs::create_dir_all(w.target()).unwrap();
    for corrupt in [
        "{\"version\":1,\"entries\":[",
        "{\"version\":2,\"entries\":[]}",
        "[]",
        "{\"version\":1,\"entries\":{}}",
    ] {
        let index = w.target().join("sessions-index.json");
        fs::write(&index, corrupt).unwrap();
        let run = w.tool("seance-stage").args([&id]).run().code(5);
        assert!(run.stderr.starts_with(&format!("seance-stage: {}: ", index.display())), "{}", run.stderr);
        assert_eq!(run.stdout, "");
        assert_eq!(read(&index), corrupt);
        assert!(!exists(&w.target().join(format!("{id}.jsonl"))));
    }
}

#[test]
fn sidecar_dirs_are_linked_and_unlinked() {
    let w = World::new();
    let id = uuid(1);
    let source = w.session(&w.two, Path::new(OTHER), &id);
    let sidecar = source.with_extension("");
    fs::create_dir_all(sidecar.join("subagents")).unwrap();
    let token = w.tool("seance-stage").args([&id]).run().ok().stdout;
    assert_eq!(fs::read_link(w.target().join(&id)).unwrap(), sidecar);
    w.tool("seance-unstage").args([token.trim()]).run().ok();
    assert!(!exists(&w.target().join(&id)));
    assert!(sidecar.join("subagents").is_dir());
}

#[test]
fn prefixes() {
    let w = World::new();
    let ids = [
        "abcd1111-0000-4000-8000-000000000001",
        "abcd2222-0000-4000-8000-000000000002",
        "abce3333-0000-4000-8000-000000000003",
    ];
    for id in ids {
        w.session(&w.two, Path::new(OTHER), id);
    }
    // No events at all: files alone resolve prefixes.
    let run = w.tool("seance-stage").args(["--json", "abce"]).run().ok();
    assert!(run.stdout.contains(ids[2]));
    // A cut id from a table.
    w.tool("seance-stage").args(["abcd1111-00…"]).run().ok();
    // Ambiguous and unknown.
    let run = w.tool("seance-stage").args(["abcd"]).run().code(3);
    assert_eq!(run.stderr, format!("seance-stage: 'abcd' matches 2 sessions: {}, {}\n", ids[0], ids[1]));
    let run = w.tool("seance-stage").args(["ffff"]).run().code(3);
    assert_eq!(run.stderr, format!("seance-stage: no session matches 'ffff' (searched {})\n", w.searched()));
    let run = w.tool("seance-stage").args(["abc"]).run().code(3);
    assert_eq!(run.stderr, "seance-stage: no session 'abc' (a prefix needs at least 4 characters)\n");
    // Events name sessions too (repeated ids count once); more than 3 candidates are counted.
    let more: Vec<String> = (0..4).map(|i| format!("abcd{i}000-0000-4000-8000-00000000000{i}")).collect();
    let mut events: Vec<&str> = more.iter().map(String::as_str).collect();
    events.extend([ids[0], ids[0]]);
    w.events(&events);
    let run = w.tool("seance-stage").args(["abcd"]).run().code(3);
    assert_eq!(
        run.stderr,
        format!(
            "seance-stage: 'abcd' matches 6 sessions: {}, {}, {} (and 3 more)\n",
            more[0], more[1], ids[0]
        )
    );
    // An id known only from events has nothing to stage.
    let run = w.tool("seance-stage").args(["abcd3"]).run().code(3);
    assert_eq!(
        run.stderr,
        format!(
            "seance-stage: session {} has no transcript in any account (searched {} (one), {} (two))\n",
            more[3],
            w.one.display(),
            w.two.display()
        )
    );
}

#[test]
fn ids_from_stdin_in_every_shape() {
    let w = World::new();
    let ids: Vec<String> = (1..=4).map(uuid).collect();
    for id in &ids {
        w.session(&w.two, Path::new(OTHER), id);
    }
    let input = format!(
        "{}\n{{\"session_id\":\"{}\"}}\n\n{{\"sessionId\":\"{}\"}}\n{}\t00000004-00…  mayor  2026-01-22 10:00  -\nnot-an-id!\n",
        crate::util::start("2026-01-22T10:00:00Z", "mayor", &ids[0], None),
        ids[1],
        ids[2],
        ids[3]
    );
    let run = w.tool("seance-stage").stdin(input).run().code(2);
    assert_eq!(run.stdout.lines().count(), 4);
    assert_eq!(run.stderr, "seance-stage: <stdin>:6: 'not-an-id!' is not a session id\n");
    for id in &ids {
        assert!(is_link(&w.target().join(format!("{id}.jsonl"))));
    }
}

#[test]
fn dry_run_changes_nothing() {
    let w = World::new();
    let id = uuid(1);
    let source = w.session(&w.two, Path::new(OTHER), &id);
    let run = w.tool("seance-stage").args(["--dry-run", &id]).run().ok();
    let link = w.target().join(format!("{id}.jsonl"));
    assert_eq!(
        run.stdout,
        format!(
            "session {id}\n  source  {}\n  link    {} -> {}\n  index   add an entry to {} unless it has one\n",
            source.display(),
            link.display(),
            source.display(),
            w.target().join("sessions-index.json").display()
        )
    );
    assert!(!exists(&w.target()));
}

#[test]
fn hostile_ids_are_refused_before_any_path_is_built() {
    let w = World::new();
    for bad in ["../../../etc/passwd", "..", "a/b", "-rf", "x\ny", ".hidden"] {
        let run = w.tool("seance-stage").args(["--", bad]).run().code(2);
        assert!(run.stderr.contains("is not a session id"), "{bad:?}: {}", run.stderr);
    }
    assert!(!exists(&w.target()));
}

#[test]
fn tampered_replayed_and_mismatched_tokens() {
    let w = World::new();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    let token = w.tool("seance-stage").args([&id]).run().ok().stdout.trim().to_string();
    for bad in ["seance1.garbage!", "hello", &token[..token.len() - 3]] {
        let run = w.tool("seance-unstage").args([bad]).run().code(5);
        assert!(run.stderr.starts_with("seance-unstage: refused token"), "{}", run.stderr);
    }
    // A token re-encoded to point elsewhere is refused with nothing touched.
    let mut forged: seance::core::token::Token = seance::core::token::Token::decode(&token).unwrap();
    forged.dir = "/etc".into();
    w.tool("seance-unstage").args([forged.encode().unwrap()]).run().code(5);
    assert!(is_link(&w.target().join(format!("{id}.jsonl"))));
    // A regular file where the link was is left alone: exit 5.
    let link = w.target().join(format!("{id}.jsonl"));
    fs::remove_file(&link).unwrap();
    fs::write(&link, "precious").unwrap();
    let run = w.tool("seance-unstage").stdin(format!("{{\"token\":\"{token}\"}}\n")).run().code(5);
    assert!(run.stderr.contains("is a regular file where a link was expected"), "{}", run.stderr);
    assert_eq!(read(&link), "precious");
    // All or nothing: the check of the link comes before any removal, so the entry of what is
    // now a real transcript stays (issue 11, defect 6: it used to go first).
    assert!(read(&w.target().join("sessions-index.json")).contains(&id));
}

#[test]
fn entry_changed_since_stage_leaves_the_whole_stage() {
    let w = World::new();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    let token = w.tool("seance-stage").args([&id]).run().ok().stdout;
    let index = w.target().join("sessions-index.json");
    let changed = read(&index)
        .replace("\"isSidechain\": false", "\"isSidechain\": false, \"summary\": \"edited by Claude\"");
    fs::write(&index, &changed).unwrap();
    // One part is no longer what stage made: nothing of the stage is removed (exit 5).
    let run = w.tool("seance-unstage").args([token.trim()]).run().code(5);
    assert!(run.stderr.contains("no longer the one seance added; nothing removed"), "{}", run.stderr);
    assert_eq!(read(&index), changed);
    assert!(is_link(&w.target().join(format!("{id}.jsonl"))));
}

/// A path that cannot go in a token (nor in Claude's index, which holds paths as text) is
/// refused before anything is changed: no project dir, no link, no index, no token.
#[test]
fn a_config_dir_that_is_not_utf8_is_refused_before_anything_changes() {
    use std::os::unix::ffi::OsStrExt;
    let w = World::new();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    let account = w.home.join(std::ffi::OsStr::from_bytes(b"account-\xff"));
    fs::create_dir_all(account.join("projects")).unwrap();
    let run = w
        .tool("seance-stage")
        .args([std::ffi::OsStr::new("--config-dir"), account.as_os_str(), std::ffi::OsStr::new(&id)])
        .run()
        .code(2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "seance-stage: {}: not valid UTF-8; undo tokens and Claude's index hold paths as text, so nothing was staged\n",
            account.display()
        )
    );
    assert_eq!(fs::read_dir(account.join("projects")).unwrap().count(), 0);
}

#[test]
fn a_working_dir_that_is_not_utf8_is_refused_before_anything_changes() {
    use std::os::unix::ffi::OsStrExt;
    let w = World::new();
    let id = uuid(1);
    w.session(&w.two, Path::new(OTHER), &id);
    let cwd = w.town.join(std::ffi::OsStr::from_bytes(b"rig-\xff"));
    fs::create_dir_all(&cwd).unwrap();
    let projects_before = fs::read_dir(w.one.join("projects")).unwrap().count();
    let run = w.tool("seance-stage").args([&id]).cwd(&cwd).run().code(2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "seance-stage: {}: not valid UTF-8; undo tokens and Claude's index hold paths as text, so nothing was staged\n",
            cwd.display()
        )
    );
    assert_eq!(fs::read_dir(w.one.join("projects")).unwrap().count(), projects_before);
    // The same with --cwd, and for a dry run.
    for extra in [&[][..], &["--dry-run"][..]] {
        let run = w
            .tool("seance-stage")
            .args([std::ffi::OsStr::new("--cwd"), cwd.as_os_str()])
            .args(extra)
            .args([&id])
            .run()
            .code(2);
        assert_eq!(run.stdout, "");
        assert!(run.stderr.contains("not valid UTF-8"), "{}", run.stderr);
    }
    assert_eq!(fs::read_dir(w.one.join("projects")).unwrap().count(), projects_before);
}
