//! `seance pick`: the listing in fzf, with seance-show as the preview; Enter talks to the chosen
//! session as `--talk` would, ctrl-y prints its id.

use std::io::Write;
use std::path::PathBuf;

use crate::core::error::{Code, Error, Result, WriteResult};
use crate::core::eventlog::EventsOpts;
use crate::core::filter::{Filter, FilterOpts};
use crate::core::listing::scan_into;
use crate::core::out;
use crate::core::render::{FmtOpts, Format, Formatter};

/// fzf over the listing; Enter talks to the chosen session (through `talk`), ctrl-y prints its
/// id.
pub fn pick(
    events: &EventsOpts,
    mut filter: FilterOpts,
    talk: impl FnOnce(&str) -> Result<Code>,
) -> Result<Code> {
    let fzf = crate::core::agent::find_program("fzf").ok_or_else(|| {
        Error::failure("pick needs fzf, which is not on PATH (see https://github.com/junegunn/fzf)")
    })?;
    let show = std::env::current_exe()
        .ok()
        .map(|exe| exe.with_file_name("seance-show"))
        .filter(|show| show.is_file())
        .unwrap_or_else(|| PathBuf::from("seance-show"));
    let preview = format!("{} --color always {{1}}", shell_quote(&show.to_string_lossy()));
    let mut child = std::process::Command::new(&fzf)
        .args(["--delimiter", "\t", "--with-nth", "2..", "--expect", "ctrl-y", "--no-multi"])
        .args(["--header", "Enter: talk to it   ctrl-y: print its id   Esc: leave"])
        .args(["--preview", &preview, "--preview-window", "down,60%,wrap"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| Error::io("run", fzf.display(), e))?;
    filter.resumable = true;
    filter.unique = true;
    let menu = FmtOpts { format: Some(Format::Fzf), ..FmtOpts::default() };
    let input = Box::new(std::io::BufWriter::new(child.stdin.take().expect("piped")));
    match scan_into("seance", events, Filter::new(filter), Formatter::new(&menu), input) {
        // fzf exits without reading everything when the choice is made early.
        Err(Error::Closed) => {}
        other => {
            other?;
        }
    }
    let output = child.wait_with_output().map_err(|e| Error::io("run", fzf.display(), e))?;
    match output.status.code() {
        Some(0) => {}
        // Nothing matched, or Esc / Ctrl-C: the user chose nothing, which is no error.
        Some(1 | 130) => return Ok(Code::Success),
        code => return Err(Error::failure(format!("fzf failed ({})", describe_status(code)))),
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines();
    // With --expect, fzf prints the key first (empty for Enter); with --filter (tests, scripts)
    // it prints only the matches.
    let first = lines.next().unwrap_or("");
    let (key, chosen) = if first.contains('\t') { ("", first) } else { (first, lines.next().unwrap_or("")) };
    let id = chosen.split('\t').next().unwrap_or("");
    if id.is_empty() {
        return Ok(Code::Success);
    }
    if key == "ctrl-y" {
        let mut out = out::stdout();
        writeln!(out, "{id}").or_closed()?;
        out.flush().or_closed()?;
        return Ok(Code::Success);
    }
    talk(id)
}

fn describe_status(code: Option<i32>) -> String {
    code.map_or_else(|| "killed by a signal".to_string(), |c| format!("exit {c}"))
}

/// A word for sh, bash, zsh and fish alike: single quotes, with `'` written as `'\''`.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}
