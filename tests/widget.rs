//! The picker as a newcomer meets it: nothing to offer opens no fzf; a session without a
//! transcript is marked, and choosing it reopens the picker with the reason; ctrl-y puts the id
//! at the cursor of the command line being typed, through `seance init`'s widget in zsh, bash
//! and fish (keys typed on a pseudo-terminal through zsh's zpty module).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use crate::docs::need;
use crate::talk::{Setup, setup};
use crate::util::{bin, start, uuid};

/// Stand-in fzf: records each call's header and input; answers call N with the key
/// `$SEANCE_TEST_KEY` and the first line matching `$SEANCE_TEST_PICK_N` (or `..._PICK`).
const FZF: &str = r#"#!/bin/sh
d="$SEANCE_TEST_DIR"
n=$(($(cat "$d/fzf-calls" 2>/dev/null || echo 0) + 1))
echo "$n" > "$d/fzf-calls"
prev=''
for a in "$@"; do
    [ "$prev" = --header ] && printf '%s\n' "$a" > "$d/fzf-header-$n"
    prev=$a
done
cat > "$d/fzf-input-$n"
eval "pick=\${SEANCE_TEST_PICK_$n:-\$SEANCE_TEST_PICK}"
printf '%s\n' "$SEANCE_TEST_KEY"
grep -m1 -e "$pick" "$d/fzf-input-$n"
"#;

struct World {
    s: Setup,
    bin: PathBuf,
    gone: String,
}

fn world() -> World {
    let s = setup();
    let gone = uuid(0x60);
    let log = [
        start("2026-01-22T09:00:00Z", "gastown/crew/joe", &s.id, Some("has one")),
        start("2026-01-22T10:00:00Z", "beads/crew/ann", &gone, Some("lost")),
    ];
    fs::write(s.w.town.join(".events.jsonl"), log.join("\n") + "\n").unwrap();
    let bin = s.w.home.join("bin");
    fs::create_dir_all(&bin).unwrap();
    fs::write(bin.join("fzf"), FZF).unwrap();
    fs::set_permissions(bin.join("fzf"), fs::Permissions::from_mode(0o755)).unwrap();
    World { s, bin, gone }
}

impl World {
    fn path(&self) -> String {
        format!(
            "{}:{}:{}",
            self.bin.display(),
            bin("seance").parent().unwrap().display(),
            std::env::var("PATH").unwrap()
        )
    }

    fn pick(&self, key: &str, extra: &[&str]) -> crate::util::Tool {
        self.s
            .w
            .tool("seance")
            .args(["pick", "--agent", self.s.agent.to_str().unwrap()])
            .args(extra)
            .env("PATH", self.path())
            .env("SEANCE_TEST_DIR", &self.s.w.home)
            .env("SEANCE_TEST_KEY", key)
            .env("SEANCE_TEST_RECORD", &self.s.record)
            .env("SEANCE_TEST_LINK", &self.s.link)
    }

    fn read(&self, name: &str) -> String {
        fs::read_to_string(self.s.w.home.join(name)).unwrap_or_default()
    }
}

#[test]
fn nothing_to_offer_opens_no_fzf() {
    let w = world();
    let run = w.pick("", &["--rig", "nosuch"]).env("SEANCE_TEST_PICK", ".").run().code(0);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.starts_with(
            "seance: No session matches --rig nosuch --resumable among the 2 session starts in "
        ) && run.stderr.ends_with("; rigs here: beads, gastown.\n"),
        "{}",
        run.stderr
    );
    assert_eq!(w.read("fzf-calls"), "", "fzf was opened");
}

#[test]
fn a_session_without_a_transcript_is_marked_and_refused_and_the_picker_reopens() {
    let w = world();
    let run = w
        .pick("ctrl-y", &[])
        .env("SEANCE_TEST_PICK_1", "lost")
        .env("SEANCE_TEST_PICK_2", "has one")
        .run()
        .code(0);
    // The second choice is the one printed.
    assert_eq!(run.stdout, format!("{}\n", w.s.id));
    assert_eq!(w.read("fzf-calls"), "2\n");
    let menu = w.read("fzf-input-1");
    let marked: Vec<&str> = menu.lines().filter(|l| l.ends_with("  ✗ no transcript")).collect();
    assert_eq!(marked.len(), 1, "{menu}");
    assert!(marked[0].starts_with(&format!("{}\t", w.gone)), "{menu}");
    assert_eq!(
        w.read("fzf-header-1"),
        "Enter: talk to it   ctrl-y: print its id   ctrl-s: search transcripts   Esc: leave\n"
    );
    assert_eq!(
        w.read("fzf-header-2"),
        format!(
            "{} has no transcript in any account, so it cannot be resumed: choose another   (Esc: leave)\n",
            w.gone
        )
    );
    // Nothing was staged for the refused one.
    assert!(!w.s.w.target().exists());
}

/// Types `keys` in `shell` (set up with `seance init`) and waits for `want` on the terminal.
fn press(w: &World, shell_cmd: &str, setup: &str, keys: &str, want: &str) -> String {
    let driver = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/press-keys.zsh");
    let out = Command::new("zsh")
        .args(["-f"])
        .arg(&driver)
        .args([keys, want])
        .current_dir(&w.s.w.work)
        .env("HOME", &w.s.w.home)
        .env("PATH", w.path())
        .env("SHELL_CMD", shell_cmd)
        .env("SETUP", setup)
        .env(
            "READY_CMD",
            if shell_cmd.contains("fish") { "echo READY(math 1+1)" } else { "echo READY$((1+1))" },
        )
        .env("SEANCE_TEST_DIR", &w.s.w.home)
        .env("SEANCE_TEST_KEY", "ctrl-y")
        .env("SEANCE_TEST_PICK", "has one")
        .env_remove("CLAUDE_CONFIG_DIR")
        .env_remove("GT_TOWN_ROOT")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn ctrl_y_puts_the_id_at_the_cursor_in_every_shell() {
    if !need("zsh") {
        return;
    }
    let w = world();
    // `echo 'id='`, the cursor moved back before the closing quote, Ctrl-X Ctrl-T, ctrl-y in
    // the picker, Enter: the command run is `echo 'id=ID'`.
    let keys = "echo 'id='\x02\x18\x14\n";
    let want = format!("\nid={}", w.s.id);
    let shells: [(&str, &str, &str); 3] = [
        ("zsh", "TERM=dumb zsh -f -i", "PS1='%% '; eval \"$(seance init zsh)\""),
        ("bash", "TERM=dumb bash --norc --noprofile -i", "eval \"$(seance init bash)\""),
        ("fish", "TERM=dumb fish --no-config -i", "seance init fish | source"),
    ];
    for (name, cmd, setup) in shells {
        if !need(name) {
            continue;
        }
        let out = press(&w, cmd, setup, keys, &format!("{want}\r\n"));
        assert_eq!(out, "ok\n", "{name}: {out}");
    }
}
