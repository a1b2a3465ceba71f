//! `seance pick` as a user meets it: the real fzf on a real terminal (a tmux pane of a fixed
//! size, on a private tmux server), keys sent as typed, the screen read back until it shows what
//! is expected or a deadline passes. Live search (ctrl-s) narrows the menu as the query is
//! typed, the preview follows the query, Enter talks to the chosen session; `--grep TEXT` lists
//! only sessions with hits; the listing flags and hostile text survive the trip through fzf.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::docs::need;
use crate::talk::{Setup, setup};
use crate::transcript_fixture::conversation;
use crate::util::{bin, start, uuid};

/// How long a screen may take to show what a test waits for (fzf starts, a reload runs).
const DEADLINE: Duration = Duration::from_secs(15);

/// The talk world with three sessions whose transcripts hold different words: 42 (gastown crew)
/// and 43 (beads) say "kestrel", only 43 says "wombat", only 44 (gastown polecat) "penguins".
fn world() -> Setup {
    let s = setup();
    let cwd = Path::new("/srv/other");
    conversation(&s.id, cwd, "Where is the kestrel roadmap?", "Filed under docs/roadmap.md")
        .write(&s.w.project(&s.w.two, cwd));
    conversation(&uuid(43), cwd, "Ship the kestrel build", "Built with the wombat toolchain")
        .write(&s.w.project(&s.w.one, cwd));
    let third = Path::new("/srv/third");
    conversation(&uuid(44), third, "Count the birds", "There are 12 penguins")
        .write(&s.w.project(&s.w.one, third));
    let log = [
        start("2026-01-22T09:00:00Z", "gastown/crew/joe", &s.id, Some("roadmap")),
        start("2026-01-22T09:30:00Z", "beads/crew/ann", &uuid(43), Some("build")),
        start("2026-01-22T09:40:00Z", "gastown/polecats/nux", &uuid(44), Some("birds")),
    ];
    fs::write(s.w.town.join(".events.jsonl"), log.join("\n") + "\n").unwrap();
    s
}

/// Whether this machine can run these tests; says so when it cannot (CI must).
fn can_run() -> bool {
    need("tmux") && need("fzf")
}

/// `seance pick ARGS` in a tmux pane 120x40 on a private server, with the world's environment.
/// The server goes before the world does (dropped first: its socket is in the world).
struct Screen {
    s: Setup,
    socket: PathBuf,
    /// Where the pane writes seance's exit status.
    exit: PathBuf,
}

impl Screen {
    /// On the world of [`world`], when tmux and fzf are here.
    fn open(args: &[&str]) -> Option<Screen> {
        can_run().then(|| Screen::open_in(world(), args, &[]))
    }

    fn open_in(s: Setup, args: &[&str], envs: &[(&str, &Path)]) -> Screen {
        let socket = s.w.home.join("tmux");
        let exit = s.w.home.join("exit");
        let mut command: Vec<String> = vec![
            "-S".into(),
            socket.display().to_string(),
            "-f".into(),
            "/dev/null".into(),
            "new-session".into(),
            "-d".into(),
            "-s".into(),
            "pick".into(),
            "-x".into(),
            "120".into(),
            "-y".into(),
            "40".into(),
            "sh".into(),
            "-c".into(),
            "\"$@\"; echo \"$?\" > \"$0\"".into(),
            exit.display().to_string(),
            bin("seance").display().to_string(),
            "pick".into(),
            "--agent".into(),
            s.agent.display().to_string(),
        ];
        command.extend(args.iter().map(|a| a.to_string()));
        // The pane inherits the server's environment, which is this command's: the world's
        // HOME and working dir, the stand-in agent's record, no outer tmux.
        let mut tmux =
            s.w.tool("seance")
                .program("tmux", &command)
                .env_remove("TMUX")
                .env("SEANCE_TEST_RECORD", &s.record)
                .env("SEANCE_TEST_LINK", &s.link);
        for (key, value) in envs {
            tmux = tmux.env(key, value);
        }
        let run = tmux.run();
        assert_eq!(run.code, 0, "tmux: {}", run.stderr);
        Screen { s, socket, exit }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-S").arg(&self.socket).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Keys by tmux's names (C-s, Enter, BSpace).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "pick"];
        args.extend(keys);
        self.tmux(&args);
    }

    /// Text typed as it is.
    fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "pick", "-l", text]);
    }

    /// Reads the screen until `ok` holds for it; fails with the last screen after the deadline.
    fn wait(&self, what: &str, ok: impl Fn(&Shown) -> bool) -> Shown {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let shown = Shown::parse(&self.tmux(&["capture-pane", "-p", "-t", "pick"]));
            if ok(&shown) {
                return shown;
            }
            assert!(
                Instant::now() < deadline,
                "waited {DEADLINE:?} for {what}; the screen:\n{}",
                shown.screen
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// seance's exit status, once the pane's command has ended.
    fn exit_status(&self) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Ok(code) = fs::read_to_string(&self.exit)
                && code.ends_with('\n')
            {
                return code.trim().to_string();
            }
            assert!(Instant::now() < deadline, "seance pick did not exit within {DEADLINE:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

/// What fzf shows: the menu's rows (the first 8 characters of each session id, sorted), the prompt line, and the preview's text with its frame and wrapping taken out.
struct Shown {
    screen: String,
    rows: Vec<String>,
    prompt: String,
    preview: String,
}

impl Shown {
    fn parse(screen: &str) -> Shown {
        let lines: Vec<&str> = screen.lines().collect();
        // fzf's default layout: the menu, the header, the info line, the prompt, then the
        // preview's frame below (--preview-window down).
        let header = lines.iter().position(|l| l.contains("Enter: talk to it")).unwrap_or(lines.len());
        let mut rows: Vec<String> = lines[..header]
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.get(2..10).unwrap_or("").to_string())
            .collect();
        rows.sort();
        let prompt = lines.get(header + 2).unwrap_or(&"").to_string();
        let preview = lines
            .iter()
            .skip_while(|l| !l.starts_with('╭'))
            .filter_map(|l| l.strip_prefix("│ "))
            .map(|l| l.trim_end().trim_end_matches('│').trim_end())
            .collect::<Vec<_>>()
            .join("");
        Shown { screen: screen.to_string(), rows, prompt, preview }
    }
}

/// The program's path on PATH, if there is one.
fn which(program: &str) -> Option<PathBuf> {
    let found = Command::new("sh").args(["-c", &format!("command -v {program}")]).output().unwrap();
    let path = String::from_utf8_lossy(&found.stdout).trim().to_string();
    (found.status.success() && !path.is_empty()).then(|| PathBuf::from(path))
}

fn short(id: &str) -> String {
    id[..8].to_string()
}

#[test]
fn ctrl_s_searches_as_you_type_and_enter_talks_to_the_one_found() {
    let Some(screen) = Screen::open(&[]) else { return };
    let s = &screen.s;
    let all = [short(&s.id), short(&uuid(43)), short(&uuid(44))];
    screen.wait("the menu", |sh| sh.rows == all);
    // Typed first, the word filters the menu's rows (none holds it); ctrl-s searches for it in
    // the transcripts instead. Two sessions said it; the preview shows the highlighted one's
    // hit (the newest, 43).
    screen.type_text("kestrel");
    screen.wait("fzf's own filtering", |sh| sh.rows.is_empty());
    screen.keys(&["C-s"]);
    let shown = screen.wait("the kestrel sessions", |sh| {
        sh.prompt.starts_with("grep> kestrel")
            && sh.rows == [short(&s.id), short(&uuid(43))]
            && sh.preview.contains("Ship the kestrel build")
    });
    assert!(!shown.preview.contains("wombat"), "{}", shown.screen);
    // No query: every session with a transcript, each previewed as outside live search.
    // (Waited for: fzf 0.38 may keep the preview of a row whose reload was overtaken by the
    // next one's, see live_search in pick.rs.)
    screen.keys(&["C-u"]);
    screen.wait("every session", |sh| sh.rows == all);
    // A word only 43 said, typed in live search: the menu narrows to it, and the preview
    // follows the query (the hit for wombat, no longer the one for kestrel).
    screen.type_text("wombat");
    let shown = screen.wait("the wombat session", |sh| {
        sh.prompt.starts_with("grep> wombat")
            && sh.rows == [short(&uuid(43))]
            && sh.preview.contains("Built with the wombat toolchain")
    });
    assert!(!shown.preview.contains("kestrel"), "{}", shown.screen);
    screen.keys(&["Enter"]);
    assert_eq!(screen.exit_status(), "0");
    let record = fs::read_to_string(&s.record).unwrap();
    assert!(record.starts_with(&format!("args: [--fork-session] [--resume] [{}]\n", uuid(43))), "{record}");
}

#[test]
fn grep_lists_only_the_sessions_with_hits_in_the_real_fzf() {
    let Some(screen) = Screen::open(&["--grep", "kestrel"]) else { return };
    let s = &screen.s;
    let shown = screen.wait("the kestrel sessions", |sh| {
        sh.rows == [short(&s.id), short(&uuid(43))] && sh.preview.contains("Ship the kestrel build")
    });
    // The preview is the hits, not the whole conversation.
    assert!(!shown.preview.contains("wombat"), "{}", shown.screen);
    // fzf's own filter still works on that menu; Enter talks to the one left.
    screen.type_text("roadmap");
    screen.wait("the roadmap session", |sh| {
        sh.rows == [short(&s.id)] && sh.preview.contains("Where is the kestrel roadmap?")
    });
    screen.keys(&["Enter"]);
    assert_eq!(screen.exit_status(), "0");
    let record = fs::read_to_string(&s.record).unwrap();
    assert!(record.starts_with(&format!("args: [--fork-session] [--resume] [{}]\n", s.id)), "{record}");
}

#[test]
fn live_search_keeps_the_listing_flags() {
    let Some(screen) = Screen::open(&["--rig", "gastown"]) else { return };
    let s = &screen.s;
    screen.wait("the gastown menu", |sh| sh.rows == [short(&s.id), short(&uuid(44))]);
    screen.type_text("kestrel");
    screen.wait("fzf's own filtering", |sh| sh.rows.is_empty());
    screen.keys(&["C-s"]);
    // 43 said it too, but it is of beads.
    screen.wait("the gastown kestrel session", |sh| {
        sh.prompt.starts_with("grep> kestrel")
            && sh.rows == [short(&s.id)]
            && sh.preview.contains("Where is the kestrel roadmap?")
    });
    screen.keys(&["Escape"]);
    assert_eq!(screen.exit_status(), "0");
    assert!(!s.record.exists());
}

#[test]
fn hostile_queries_and_flag_values_run_nothing() {
    if !can_run() {
        return;
    }
    let s = world();
    // The log under a name with a quote, fzf placeholders and fzf's closing characters.
    let dir = s.w.home.join("log's {q} {1} (x)+,[y]+");
    fs::create_dir_all(&dir).unwrap();
    let log = dir.join("events.jsonl");
    fs::copy(s.w.town.join(".events.jsonl"), &log).unwrap();
    fs::remove_file(s.w.town.join(".events.jsonl")).unwrap();
    // fish, when there is one, as the user's shell: it reads a backslash in single quotes as an
    // escape, so the quotes fzf puts around the query would not hold there.
    let fish = which("fish");
    let envs: Vec<(&str, &Path)> = fish.iter().map(|f| ("SHELL", f.as_path())).collect();
    let screen = Screen::open_in(s, &["--events", log.to_str().unwrap()], &envs);
    let s = &screen.s;
    screen.wait("the menu", |sh| sh.rows.len() == 3);
    screen.keys(&["C-s"]);
    let pwned = s.w.home.join("pwned");
    let p = pwned.display();
    // The second alone: in fish, fzf's quotes around it would end at the backslash.
    let queries = [
        format!("'$(touch {p}1)`touch {p}2`;touch {p}3;\"$(touch {p}4)\"'\\'' {{q}}"),
        format!("\\' ; touch {p}5 ; echo \\'"),
    ];
    for query in queries {
        screen.type_text(&query);
        screen.wait("no session for the hostile query", |sh| sh.rows.is_empty() && sh.screen.contains("0/0"));
        // The query went through whole: nothing ran, and the menu and preview work on.
        screen.keys(&["C-u"]);
        screen.wait("every session", |sh| sh.rows.len() == 3);
    }
    screen.type_text("penguins");
    screen.wait("the penguins session", |sh| {
        sh.rows == [short(&uuid(44))] && sh.preview.contains("There are 12 penguins")
    });
    screen.keys(&["Escape"]);
    assert_eq!(screen.exit_status(), "0");
    for n in 1..=5 {
        assert!(!s.w.home.join(format!("pwned{n}")).exists(), "pwned{n} was created");
    }
}
