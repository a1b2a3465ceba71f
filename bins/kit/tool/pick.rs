//! `seance pick`: the listing in fzf, with seance-show as the preview (seance-grep's hits with
//! `--grep`); Enter talks to the chosen session as `--talk` would, ctrl-y prints its id, ctrl-s
//! turns to live search in the transcripts.

use std::cell::RefCell;
use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;
use std::rc::Rc;

use crate::core::claude;

use crate::core::error::{Code, Error, Result, WriteResult};
use crate::core::eventlog::{EventsOpts, Flow};
use crate::core::filter::{Filter, FilterOpts};
use crate::core::listing::scan_into;
use crate::core::malformed::Skipped;
use crate::core::out;
use crate::core::render::{FmtOpts, Format, Formatter};

/// fzf over the listing; Enter talks to the chosen session (through `talk`), ctrl-y prints its
/// id (to the file descriptor `$SEANCE_PICK_FD` when set: the shell widgets read it there while
/// a talk keeps the terminal). Sessions without a transcript are marked; choosing one reopens
/// the picker with the reason in its header. Nothing to offer: no fzf, the reason on stderr.
pub fn pick(
    events: &EventsOpts,
    mut filter: FilterOpts,
    on_disk: &HashSet<String>,
    grep: Option<&str>,
    carry: &Carry,
    talk: impl FnOnce(&str) -> Result<Code>,
) -> Result<Code> {
    let fzf = crate::core::agent::find_program("fzf").ok_or_else(|| {
        Error::failure("pick needs fzf, which is not on PATH (see https://github.com/junegunn/fzf)")
    })?;
    let preview = match grep {
        Some(text) => {
            Line::default().program("seance-grep").words(&carry.place).raw("-F --").word(text).raw("{1}")
        }
        None => show(Line::default(), &carry.place, "{1}"),
    };
    filter.resumable = true;
    filter.unique = true;
    let menu = FmtOpts { format: Some(Format::Fzf), ..FmtOpts::default() };
    // The menu is made before fzf opens: a listing that matches nothing opens no fzf (the
    // listing said why on stderr), and each row can say whether its session can be talked to.
    let rows = Rows::default();
    // With --events - stdin is the log, which the listing reads (its types, its window).
    let log_on_stdin = events.events.as_deref().is_some_and(|p| p.as_os_str() == "-");
    let from_stdin = if log_on_stdin { None } else { stdin_menu(&filter, &menu, &rows)? };
    let offered = match from_stdin {
        Some(offered) => offered,
        None => {
            scan_into("seance", events, Filter::new(filter), Formatter::new(&menu), Box::new(rows.clone()))?
        }
    };
    if !offered {
        return Ok(Code::Success);
    }
    // Live search lists the town's sessions as the picker's flags choose them: not when the
    // menu came down stdin (records, or the log with --events -), which cannot be read again.
    let live = if from_stdin.is_some() || log_on_stdin { Vec::new() } else { live_search(carry)? };
    let mut text = String::new();
    let mut missing = HashSet::new();
    for line in String::from_utf8_lossy(&rows.0.borrow()).lines() {
        let id = line.split('\t').next().unwrap_or("");
        text.push_str(line);
        if claude::valid_session_id(id) && !on_disk.contains(id) {
            missing.insert(id.to_string());
            text.push_str("  ✗ no transcript");
        }
        text.push('\n');
    }
    let search = if live.is_empty() { "" } else { "ctrl-s: search transcripts   " };
    let mut header = format!("Enter: talk to it   ctrl-y: print its id   {search}Esc: leave");
    loop {
        let mut child = std::process::Command::new(&fzf)
            .args(["--delimiter", "\t", "--with-nth", "2..", "--expect", "ctrl-y", "--no-multi"])
            .args(["--header", &header])
            .arg("--preview")
            .arg(OsStr::from_bytes(&preview.0))
            .args(["--preview-window", "down,60%,wrap"])
            .args(&live)
            // fzf runs the commands above with $SHELL: they are written for a POSIX shell, and
            // fzf quotes {q} for one (fish, for one, reads a backslash in single quotes as an
            // escape, so a query could end the quotes and run the rest).
            .env("SHELL", "/bin/sh")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| Error::io("run", fzf.display(), e))?;
        if let Some(mut input) = child.stdin.take() {
            // fzf may exit before reading everything when the choice is made early.
            let _ = input.write_all(text.as_bytes());
        }
        let output = child.wait_with_output().map_err(|e| Error::io("run", fzf.display(), e))?;
        match output.status.code() {
            Some(0) => {}
            // Nothing matched, or Esc / Ctrl-C: the user chose nothing, which is no error.
            Some(1 | 130) => return Ok(Code::Success),
            code => return Err(Error::failure(format!("fzf failed ({})", describe_status(code)))),
        }
        let out = String::from_utf8_lossy(&output.stdout);
        let mut lines = out.lines();
        // With --expect, fzf prints the key first (empty for Enter); with --filter (tests,
        // scripts) it prints only the matches.
        let first = lines.next().unwrap_or("");
        let filtering = first.contains('\t');
        let (key, chosen) = if filtering { ("", first) } else { (first, lines.next().unwrap_or("")) };
        let id = chosen.split('\t').next().unwrap_or("");
        if id.is_empty() {
            return Ok(Code::Success);
        }
        if missing.contains(id) {
            let why = format!("{id} has no transcript in any account, so it cannot be resumed");
            if filtering {
                return Err(Error::new(Code::Unresolved, why));
            }
            header = format!("{why}: choose another   (Esc: leave)");
            continue;
        }
        if key == "ctrl-y" {
            return print_id(id);
        }
        if from_stdin.is_some() {
            // The records came down stdin; the agent talks on the terminal.
            terminal_stdin();
        }
        return talk(id);
    }
}

/// The menu from the records on stdin when it holds some (`seance-sessions | seance pick`,
/// `seance-grep X | seance pick`): events, session records, grep hits and trail records, each
/// in its own kind's row, through the listing's filter (so each session once). `None` when
/// stdin is a terminal, /dev/null or empty: then the menu is the town's listing.
fn stdin_menu(filter: &FilterOpts, menu: &FmtOpts, rows: &Rows) -> Result<Option<bool>> {
    if !super::stdin_has_records() {
        return Ok(None);
    }
    let mut filter = Filter::new(filter.clone());
    let mut formatter = Formatter::new(menu);
    let mut out = rows.clone();
    let mut skipped = Skipped::new(false);
    let mut records = 0u64;
    super::read_stdin_events(&mut skipped, |line, event| {
        records += 1;
        match filter.admit(event) {
            None => Ok(Flow::Continue),
            Some(flow) => formatter.record(&mut out, line, event).map(|()| flow),
        }
    })?;
    skipped.report("seance");
    if records == 0 && skipped.count() == 0 {
        return Ok(None);
    }
    formatter.report("seance");
    if filter.matched() == 0 {
        crate::core::error::warn("seance", "no resumable session among the records on stdin");
        return Ok(Some(false));
    }
    formatter.finish(&mut out)?;
    Ok(Some(true))
}

/// Makes the terminal the process's stdin again (for the agent a talk starts), when there is
/// one; without, stdin stays as it is.
fn terminal_stdin() {
    use rustix::fs::{Mode, OFlags};
    if let Ok(tty) =
        rustix::fs::open("/dev/tty", OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC, Mode::empty())
    {
        let _ = rustix::stdio::dup2_stdin(&tty);
    }
}

/// ctrl-y's id: on `$SEANCE_PICK_FD` when the shell widget gave one, else on stdout.
fn print_id(id: &str) -> Result<Code> {
    if let Some(fd) =
        std::env::var("SEANCE_PICK_FD").ok().and_then(|fd| fd.parse::<i32>().ok()).filter(|&fd| fd > 2)
    {
        // SAFETY: the widget opened this descriptor for us (`3>&1`); we own it from here on.
        let borrowed = unsafe { rustix::fd::BorrowedFd::borrow_raw(fd) };
        rustix::io::write(borrowed, format!("{id}\n").as_bytes())
            .map_err(|e| Error::failure(format!("SEANCE_PICK_FD {fd}: {e}")))?;
        return Ok(Code::Success);
    }
    let mut out = out::stdout();
    writeln!(out, "{id}").or_closed()?;
    out.flush().or_closed()?;
    Ok(Code::Success)
}

/// The menu as it is rendered, kept for fzf.
#[derive(Clone, Default)]
struct Rows(Rc<RefCell<Vec<u8>>>);

impl Write for Rows {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The picker's own flags that the commands fzf runs must repeat, as words.
#[derive(Default)]
pub struct Carry {
    /// Those that shape the listing (which sessions, from which log and town): the reload's.
    pub listing: Vec<OsString>,
    /// Where the town and the accounts are (--town, --config-dir): the previews' too.
    pub place: Vec<OsString>,
}

/// fzf's bindings for live search: `change` stays unbound until ctrl-s, which stops fzf's own
/// filtering, turns the preview to the hits of the query in the highlighted session, and from
/// then on reloads the menu on every keystroke with [`reload_command`]'s rows. fzf refreshes a
/// preview whose command holds `{q}` when the query changes, so the hits follow the typing.
/// fzf 0.38 knows the highlighted row by its place in the list, and a reload overtaken by the
/// next one can use up the next one's refresh: the preview may then stay on the row that held
/// that place before, until the cursor moves.
fn live_search(carry: &Carry) -> Result<Vec<OsString>> {
    let reload = action("reload", &reload_command(&carry.listing))?;
    // Through sh (see `SHELL` where fzf is run): with nothing highlighted fzf puts nothing for
    // {1}, and seance-grep would search every session; with no query, every character matches,
    // so the session is shown as outside live search.
    let hits = Line::default().raw("id={1}; q={q}; if [ -z \"$id\" ]; then :; elif [ -z \"$q\" ]; then exec");
    let hits = show(hits, &carry.place, "\"$id\"; else exec")
        .program("seance-grep")
        .words(&carry.place)
        .raw("-F -- \"$q\" \"$id\"; fi");
    let mut ctrl_s = b"ctrl-s:disable-search+change-prompt(grep> )+".to_vec();
    ctrl_s.extend(action("change-preview", &hits)?);
    ctrl_s.extend(b"+rebind(change)+");
    ctrl_s.extend(&reload);
    let mut change = b"change:".to_vec();
    change.extend(reload);
    Ok(vec![
        "--bind".into(),
        "start:unbind(change)".into(),
        "--bind".into(),
        OsString::from_vec(ctrl_s),
        "--bind".into(),
        OsString::from_vec(change),
    ])
}

/// `line` then seance-show's preview of the session `id` (a placeholder or a shell word), and
/// what follows it.
fn show(line: Line, place: &[OsString], id: &str) -> Line {
    line.program("seance-show").raw("--color always").words(place).raw(id)
}

/// The menu's rows for fzf's query `{q}`: seance's own listing, with the picker's listing flags,
/// narrowed by `--grep`, which asks `seance-grep -F -l` (resumable sessions, each once, as the
/// picker lists them).
fn reload_command(listing: &[OsString]) -> Line {
    Line::default()
        .program("seance")
        .raw("--format fzf --resumable --unique -n 0")
        .words(listing)
        .raw("--grep {q} || true")
}

/// A command line for fzf to run through the shell: our words quoted, so that the shell takes
/// each as one word and fzf substitutes none of its placeholders in them, and fzf's own
/// placeholders (`{1}`, `{q}`), which fzf replaces with shell-quoted text.
#[derive(Default)]
struct Line(Vec<u8>);

impl Line {
    /// A sibling binary (see [`sibling`]).
    fn program(self, name: &str) -> Line {
        self.word(sibling(name))
    }

    /// Text of ours (flags, placeholders, shell syntax), written as it is.
    fn raw(mut self, text: &str) -> Line {
        self.space();
        self.0.extend_from_slice(text.as_bytes());
        self
    }

    /// One word, whatever its bytes.
    fn word(mut self, word: impl AsRef<OsStr>) -> Line {
        self.space();
        self.0.extend(fzf_literal(&shell_quote(word.as_ref().as_bytes())));
        self
    }

    fn words(self, words: &[OsString]) -> Line {
        words.iter().fold(self, Line::word)
    }

    fn space(&mut self) {
        if !self.0.is_empty() {
            self.0.push(b' ');
        }
    }
}

/// fzf's `NAME(COMMAND)`, with the first of fzf's delimiters whose closing character the command
/// does not hold: fzf ends the command at the first closing character followed by `+`, `,` or
/// the end, which a path or a value may hold.
fn action(name: &str, command: &Line) -> Result<Vec<u8>> {
    const PAIRS: [(u8, u8); 15] = [
        (b'(', b')'),
        (b'[', b']'),
        (b'<', b'>'),
        (b'~', b'~'),
        (b'!', b'!'),
        (b'@', b'@'),
        (b'#', b'#'),
        (b'$', b'$'),
        (b'%', b'%'),
        (b'^', b'^'),
        (b'&', b'&'),
        (b'*', b'*'),
        (b';', b';'),
        (b'/', b'/'),
        (b'|', b'|'),
    ];
    let command = &command.0;
    let (open, close) = PAIRS.into_iter().find(|(_, close)| !command.contains(close)).ok_or_else(|| {
        Error::usage(format!(
            "pick: cannot hand fzf a command that holds every one of ) ] > ~ ! @ # $ % ^ & * ; / |: {}",
            String::from_utf8_lossy(command)
        ))
    })?;
    let mut text = name.as_bytes().to_vec();
    text.push(open);
    text.extend_from_slice(command);
    text.push(close);
    Ok(text)
}

/// `text` with a backslash before each of fzf's placeholders in it (`{1}`, `{q}`, `{+f}`...),
/// which fzf then writes as they are instead of replacing them. The pattern is fzf's own.
fn fzf_literal(text: &[u8]) -> Vec<u8> {
    static PLACEHOLDER: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r"\{[+sf]*[0-9,.\-]*\}|\{q\}|\{\+?f?nf?\}").expect("a valid pattern")
    });
    PLACEHOLDER.replace_all(text, |m: &regex::bytes::Captures| [b"\\", &m[0]].concat()).into_owned()
}

/// A sibling binary of this one when it is there (an install or a build dir), else its name
/// on PATH.
pub fn sibling(name: &str) -> PathBuf {
    std::env::current_exe()
        .ok()
        .map(|exe| exe.with_file_name(name))
        .filter(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

fn describe_status(code: Option<i32>) -> String {
    code.map_or_else(|| "killed by a signal".to_string(), |c| format!("exit {c}"))
}

/// A word for sh, bash, zsh and fish alike: single quotes, with `'` written as `'\''`.
fn shell_quote(text: &[u8]) -> Vec<u8> {
    let mut word = vec![b'\''];
    for &byte in text {
        if byte == b'\'' {
            word.extend_from_slice(b"'\\''");
        } else {
            word.push(byte);
        }
    }
    word.push(b'\'');
    word
}
