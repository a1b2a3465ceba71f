//! seance-show: a session's last exchanges, read from the end of its transcript, for a quick
//! look before talking to it (and for fzf's preview pane).

use std::fs::File;
use std::io::{self, BufReader, Write};

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::cli::flags::common::{CONFIG_DIR, TOWN};
use crate::cli::flags::render::{COLOR, TIME};
use crate::cli::flags::show::{LINES, SHOW_FORMAT, ShowFormat as Format, TRAIL};
use crate::cli::{Args, Complete, Tool};
use crate::core::claude;
use crate::core::error::{Code, Error, Result, WriteResult};
use crate::core::lines::{ForwardLines, ReverseLines};
use crate::core::out::{self, ColorWhen, Paint};
use crate::core::printable::visible_text;
use crate::core::regular::{self, How};
use crate::core::render::cell;
use crate::core::resolve::Sessions;
use crate::core::sessions::{Start, town_starts};
use crate::core::time::{Clock, Style};
use crate::core::trail::{self, TrailRecord};
use crate::core::transcript::{Str, from_line, input_fields, json_text};

pub const TOOL: Tool = Tool {
    name: "seance-show",
    about: "print a session's last exchanges",
    synopsis: "[OPTIONS] ID\n[OPTIONS] < RECORDS",
    description: "Finds the session's transcript as seance-stage does (any account, the newest \
                  file wins; ID may be a prefix of at least 4 characters) and prints the end of \
                  the conversation: what the user and the assistant wrote, each under a line \
                  with the time and who spoke, and each tool call as one line (→ Bash: ls). \
                  Tool results, thinking and bookkeeping records are left out. Lines longer \
                  than 500 columns are cut, so a huge message cannot flood a preview.\n\n\
                  The first line says who the session was (the actor of its newest session_start \
                  event in the town's log), its topic, the account that holds it and how long \
                  ago its transcript last changed; it counts as one of the --lines.\n\n\
                  Without ID, the sessions that the lines on stdin name are shown, each once, in \
                  their order: events, seance-sessions records, seance-grep hits and -l records, \
                  seance-trail records, ids, fzf's lines (`seance-grep -l X | seance-show`). \
                  When there are several, each starts with a line `==> ID <==` (and a blank line \
                  between them), as head(1) does for files. A line that names no session is \
                  reported and the rest are shown; the exit status is then 2.",
    flags: &[&LINES, &SHOW_FORMAT, &TRAIL, &TIME, &COLOR, &CONFIG_DIR, &TOWN],
    operands: Complete::Session,
    operand: one_id,
    ..Tool::EMPTY
};

/// Text lines longer than this (in columns) are cut with `…`.
const MAX_LINE: usize = 500;
/// Tool-call summaries are cut shorter: one line each.
const MAX_TOOL_LINE: usize = 120;

pub fn main() -> i32 {
    super::run(&TOOL, show)
}

/// The one operand: a session id or prefix.
fn one_id(args: &mut Args, value: String) -> Result<()> {
    if !args.operands.is_empty() {
        return Err(Error::usage("one session id at a time"));
    }
    args.operands.push(value);
    Ok(())
}

fn show(args: Args) -> Result<Code> {
    // No ID: the sessions that records or ids on stdin name, each once, in their order.
    let (inputs, unusable) = match args.operands.first() {
        Some(input) => (vec![input.clone()], Vec::new()),
        None if super::stdin_has_records() => super::ids_on_stdin()?,
        None => Default::default(),
    };
    for line in &unusable {
        crate::core::error::warn(TOOL.name, &format!("<stdin>:{line}: no session id on this line"));
    }
    if inputs.is_empty() {
        if unusable.is_empty() {
            return Err(Error::usage("a session id is required (try 'seance-show --help')"));
        }
        return Ok(Code::Failure);
    }
    let stdin_code = if unusable.is_empty() { Code::Success } else { Code::Failure };
    let (current, sessions) = Sessions::locate(args.common.config_dir(), args.common.town.as_deref())?;
    for warning in sessions.warnings() {
        crate::core::error::warn(TOOL.name, &warning.to_string());
    }
    let mut out = out::stdout();
    let many = inputs.len() > 1;
    let mut shown = 0;
    let code = super::for_each_item(
        TOOL.name,
        &inputs,
        |_| None,
        |input| {
            // Several sessions are told apart as head(1) tells files apart.
            let banner = many.then(|| format!("{}==> {} <==\n", if shown > 0 { "\n" } else { "" }, input));
            shown += 1;
            show_one(&args, &current, &sessions, input, banner.as_deref(), &mut out)
        },
    )?;
    out.flush().or_closed()?;
    Ok(code.max(stdin_code))
}

/// One session's exchanges (and trail) on `out`, after `banner` when there is one.
fn show_one(
    args: &Args,
    current: &std::path::Path,
    sessions: &Sessions,
    input: &str,
    banner: Option<&str>,
    mut out: &mut dyn Write,
) -> Result<()> {
    let (id, transcript) = sessions.resolve(input)?;
    if let Some(banner) = banner {
        out.write_all(banner.as_bytes()).or_closed()?;
    }
    let path = &transcript.file;
    let file = regular::open(path, How::READ).map_err(|refused| refused.error(path, How::READ.role))?;
    let format = args.show.format.unwrap_or(Format::Text);
    let limit = match (args.show.lines, format) {
        (Some(n), _) => n,
        (None, Format::Text) => {
            std::env::var("FZF_PREVIEW_LINES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(40)
        }
        (None, _) => 0,
    };
    let tty = out::stdout_is_terminal();
    let render = Render {
        clock: Clock::new(),
        style: args.render.time.unwrap_or(Style::Local),
        paint: Paint {
            on: format == Format::Text
                && out::color_enabled(args.render.color.unwrap_or(ColorWhen::Auto), tty),
        },
    };
    let read_err = |e| Error::io("read", path.display(), e);
    let header = || {
        // What the town knows is a bonus: a log that cannot be read leaves the header without it.
        let known = sessions.town.as_deref().and_then(|town| town_starts(town, &[&id]).ok()?.remove(&id));
        let account = claude::account_name(&transcript.config, current, sessions.town.as_deref());
        let age = Timestamp::try_from(transcript.modified).ok().map(|t| render.clock.ago(t));
        header_line(known.as_ref(), &account, age.as_deref())
    };
    match format {
        Format::Text => {
            writeln!(out, "{}", render.paint.bold(&header())).or_closed()?;
            let body = if limit == 0 { 0 } else { limit.saturating_sub(1) };
            if limit == 0 {
                // Everything, streamed from the start, so memory stays flat.
                let mut lines = ForwardLines::new(BufReader::with_capacity(64 * 1024, file));
                let mut last = None;
                while let Some((_, line)) = lines.next_line().map_err(read_err)? {
                    if let Some(turn) = Turn::parse(line) {
                        render.text(&mut out, &turn, last).or_closed()?;
                        last = Some(turn.speaker);
                    }
                }
            } else if body > 0 {
                let mut turns = Vec::new();
                let mut count = 0;
                last_records(file, read_err, |line| {
                    if let Some(turn) = Turn::parse(line) {
                        count += turn.line_count();
                        turns.push(turn);
                    }
                    count >= body
                })?;
                turns.reverse();
                let mut text = Vec::new();
                let mut last = None;
                for turn in &turns {
                    render.text(&mut text, turn, last).or_closed()?;
                    last = Some(turn.speaker);
                }
                let text = String::from_utf8_lossy(&text);
                let all: Vec<&str> = text.lines().collect();
                for line in &all[all.len().saturating_sub(body)..] {
                    writeln!(out, "{line}").or_closed()?;
                }
            }
        }
        Format::Markdown => {
            writeln!(out, "# Session {id}\n\n{}", header()).or_closed()?;
            let mut state = (None, false);
            each_record(file, limit, read_err, &mut |line| {
                if let Some(turn) = Turn::parse(line) {
                    render.markdown(&mut out, &turn, &mut state).or_closed()?;
                }
                Ok(())
            })?;
        }
        Format::Json => {
            each_record(file, limit, read_err, &mut |line| {
                if Turn::parse(line).is_some() {
                    out.write_all(line).or_closed()?;
                    out.write_all(b"\n").or_closed()?;
                }
                Ok(())
            })?;
        }
    }
    if args.show.trail {
        let mut items = Vec::new();
        trail::read(path, None, |item| {
            if item.artifact.kind() != trail::Kind::Command {
                items.push(item);
            }
        })
        .map_err(read_err)?;
        render.trail(out, format, &id, &items)?;
    }
    Ok(())
}

/// Reads `file` from its end, handing each line to `each` until it returns true (enough).
fn last_records(
    file: File,
    read_err: impl Fn(io::Error) -> Error,
    mut each: impl FnMut(&[u8]) -> bool,
) -> Result<()> {
    let len = file.metadata().map_err(&read_err)?.len();
    let mut lines = ReverseLines::new(file, len);
    while let Some((_, line)) = lines.next_line().map_err(&read_err)? {
        if each(line) {
            break;
        }
    }
    Ok(())
}

/// Hands `each` the lines of the shown records: all of them in order (`limit` 0, streamed), or
/// the last `limit` records that show something, found from the end.
fn each_record(
    file: File,
    limit: usize,
    read_err: impl Fn(io::Error) -> Error,
    each: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    if limit == 0 {
        let mut lines = ForwardLines::new(BufReader::with_capacity(64 * 1024, file));
        while let Some((_, line)) = lines.next_line().map_err(&read_err)? {
            each(line)?;
        }
        return Ok(());
    }
    let mut kept: Vec<Vec<u8>> = Vec::new();
    last_records(file, read_err, |line| {
        if Turn::parse(line).is_some() {
            kept.push(line.to_vec());
        }
        kept.len() >= limit
    })?;
    for line in kept.iter().rev() {
        each(line)?;
    }
    Ok(())
}

/// `gastown/crew/joe · topic: patrol · account: work · 3h ago`: who the session was, what
/// about, where it is kept, how long ago it last changed.
fn header_line(known: Option<&Start>, account: &str, age: Option<&str>) -> String {
    let mut parts = Vec::new();
    match known {
        Some(known) => {
            parts.push(known.actor.clone());
            if let Some(topic) = &known.topic {
                parts.push(format!("topic: {topic}"));
            }
        }
        None => parts.push("no session_start in the town's log".to_string()),
    }
    parts.push(format!("account: {account}"));
    parts.extend(age.map(String::from));
    cell(&parts.join(" · "), MAX_LINE, false)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Speaker {
    User,
    Assistant,
}

/// A piece of a turn: text as written (trimmed), or a tool call summed up in one line.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    ToolCall(String),
}

/// What one transcript record contributes: who spoke, when, and what.
struct Turn {
    speaker: Speaker,
    time: Option<Timestamp>,
    parts: Vec<Part>,
}

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<std::borrow::Cow<'a, str>>,
    timestamp: Option<String>,
    #[serde(rename = "isMeta", default)]
    is_meta: bool,
    #[serde(rename = "isSidechain", default)]
    is_sidechain: bool,
    #[serde(borrow)]
    message: Option<Message<'a>>,
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow)]
    content: Option<&'a RawValue>,
}

/// A content part. Strings come through `Str` and the input stays raw, so that a huge text or
/// a Write's content is never held twice while it is decoded (see `transcript::json_text`).
#[derive(Deserialize)]
struct Block<'a> {
    #[serde(rename = "type")]
    kind: String,
    #[serde(borrow)]
    text: Option<Str<'a>>,
    name: Option<String>,
    #[serde(borrow)]
    input: Option<&'a RawValue>,
}

impl Turn {
    /// The turn in a transcript line, or `None` for lines that show nothing: other record
    /// types, tool results, meta records, and lines that do not parse (a transcript being
    /// written can end in half a line).
    fn parse(line: &[u8]) -> Option<Turn> {
        // Claude Code writes compact JSON; this skips progress and snapshot records unparsed.
        memchr::memmem::find(line, b"\"message\"")?;
        let record: Record = from_line(line)?;
        let speaker = match record.kind.as_deref() {
            Some("user") => Speaker::User,
            Some("assistant") => Speaker::Assistant,
            _ => return None,
        };
        if record.is_meta || record.is_sidechain {
            return None;
        }
        let content = record.message?.content?;
        let mut parts = Vec::new();
        let push_text = |parts: &mut Vec<Part>, text: &str| {
            let text = text.trim();
            if !text.is_empty() {
                parts.push(Part::Text(text.to_string()));
            }
        };
        if let Some(text) = json_text(content) {
            push_text(&mut parts, &text);
        } else {
            for block in serde_json::from_str::<Vec<Block>>(content.get()).ok()? {
                match (block.kind.as_str(), block.text, block.name) {
                    ("text", Some(text), _) => push_text(&mut parts, &text.0),
                    ("tool_use", _, Some(name)) => {
                        let summary = summarize(block.input);
                        let line = if summary.is_empty() { name } else { format!("{name}: {summary}") };
                        parts.push(Part::ToolCall(cell(&line, MAX_TOOL_LINE - 2, false)));
                    }
                    _ => {}
                }
            }
        }
        if parts.is_empty() {
            return None;
        }
        let time = record.timestamp.and_then(|t| t.parse().ok());
        Some(Turn { speaker, time, parts })
    }

    /// How many lines the text format gives it (without its heading).
    fn line_count(&self) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(text) => text.lines().count(),
                Part::ToolCall(_) => 1,
            })
            .sum()
    }
}

/// A tool call in a few words: the input field that says most about it, else its inputs as
/// written.
fn summarize(input: Option<&RawValue>) -> String {
    const TELLING: &[&str] =
        &["command", "file_path", "path", "pattern", "url", "query", "description", "prompt"];
    let Some(input) = input else { return String::new() };
    let fields = input_fields(input);
    let telling =
        TELLING.iter().find_map(|key| fields.iter().find(|(k, _)| k == key).and_then(|(_, v)| json_text(v)));
    let text = telling.unwrap_or(std::borrow::Cow::Borrowed(input.get()));
    // Only the start can show in a tool-call line: a huge input is not folded whole.
    let shown = text.char_indices().nth(4 * MAX_TOOL_LINE).map_or(&*text, |(at, _)| &text[..at]);
    // Hidden characters go before the spaces are folded, so none leaves a double space.
    visible_text(shown).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` as a Markdown code span, fenced with more backticks than it holds in a row.
fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

struct Render {
    clock: Clock,
    style: Style,
    paint: Paint,
}

impl Render {
    fn who(turn: &Turn) -> &'static str {
        match turn.speaker {
            Speaker::User => "user",
            Speaker::Assistant => "assistant",
        }
    }

    /// Writes `turn`, under a heading unless it continues what the same speaker said.
    fn text(&self, out: &mut dyn Write, turn: &Turn, last: Option<Speaker>) -> io::Result<()> {
        if last != Some(turn.speaker) {
            let who = Render::who(turn);
            let heading = match turn.time {
                Some(time) => format!("[{}] {who}", self.clock.minute(time, self.style)),
                None => who.to_string(),
            };
            writeln!(out, "{}", self.paint.bold(&heading))?;
        }
        for part in &turn.parts {
            match part {
                Part::Text(text) => {
                    for line in text.lines() {
                        writeln!(out, "  {}", cell(line, MAX_LINE, false))?;
                    }
                }
                Part::ToolCall(line) => writeln!(out, "  {}", self.paint.dim(&format!("→ {line}")))?,
            }
        }
        Ok(())
    }

    /// The same as Markdown: a `###` heading per speaker, text as written, one list item per
    /// tool call. `state` is the last speaker and whether a list of tool calls is open.
    fn markdown(
        &self,
        out: &mut dyn Write,
        turn: &Turn,
        state: &mut (Option<Speaker>, bool),
    ) -> io::Result<()> {
        let (last, in_list) = state;
        if *last != Some(turn.speaker) {
            *last = Some(turn.speaker);
            *in_list = false;
            let who = Render::who(turn);
            match turn.time {
                Some(time) => writeln!(out, "\n### {who} · {}", self.clock.minute(time, self.style))?,
                None => writeln!(out, "\n### {who}")?,
            }
        }
        for part in &turn.parts {
            match part {
                Part::Text(text) => {
                    writeln!(out, "\n{}", visible_text(text))?;
                    *in_list = false;
                }
                Part::ToolCall(line) => {
                    if !*in_list {
                        writeln!(out)?;
                        *in_list = true;
                    }
                    writeln!(out, "- {}", code_span(line))?;
                }
            }
        }
        Ok(())
    }

    /// What the session left, after its exchanges.
    fn trail(&self, out: &mut dyn Write, format: Format, id: &str, items: &[trail::Item]) -> Result<()> {
        match format {
            Format::Json => {
                for item in items {
                    out.write_all(&TrailRecord::new(id, None, item, None, None).to_line()).or_closed()?;
                    out.write_all(b"\n").or_closed()?;
                }
            }
            Format::Markdown => {
                writeln!(out, "\n## Trail\n").or_closed()?;
                if items.is_empty() {
                    writeln!(out, "Nothing written, edited, committed, pushed or filed.").or_closed()?;
                }
                for item in items {
                    writeln!(
                        out,
                        "- {} {}",
                        item.artifact.kind().name(),
                        code_span(&cell(&item.artifact.what(), MAX_LINE, false))
                    )
                    .or_closed()?;
                }
            }
            Format::Text => {
                writeln!(out, "{}", self.paint.bold("trail")).or_closed()?;
                if items.is_empty() {
                    writeln!(out, "  nothing written, edited, committed, pushed or filed").or_closed()?;
                }
                for item in items {
                    let time = item
                        .ts
                        .as_deref()
                        .and_then(|t| t.parse().ok())
                        .map(|t| self.clock.minute(t, self.style));
                    let line = format!(
                        "{:16}  {:6}  {}",
                        time.unwrap_or_default(),
                        item.artifact.kind().name(),
                        item.artifact.what()
                    );
                    writeln!(out, "  {}", cell(&line, MAX_LINE, false)).or_closed()?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_calls_are_summarised_by_their_telling_field() {
        let line = br#"{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Bash","input":{"command":"ls\n  -la","description":"list"}}]}}"#;
        let turn = Turn::parse(line).unwrap();
        assert_eq!(turn.parts, vec![Part::ToolCall("Bash: ls -la".to_string())]);
    }

    #[test]
    fn tool_results_and_meta_show_nothing() {
        let result = br#"{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"x","content":"big"}]}}"#;
        assert!(Turn::parse(result).is_none());
        let meta = br#"{"type":"user","isMeta":true,"message":{"content":"hi"}}"#;
        assert!(Turn::parse(meta).is_none());
    }
}
