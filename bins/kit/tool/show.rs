//! seance-show: a session's last exchanges, read from the end of its transcript, for a quick
//! look before talking to it (and for fzf's preview pane).

use std::io::{self, BufReader, Write};

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::cli::flags::common::{CONFIG_DIR, TOWN};
use crate::cli::flags::render::{COLOR, TIME};
use crate::cli::flags::show::LINES;
use crate::cli::{Args, Complete, Tool};
use crate::core::error::{Code, Error, Result, WriteResult};
use crate::core::lines::{ForwardLines, ReverseLines};
use crate::core::out::{self, ColorWhen, Paint};
use crate::core::regular::{self, How};
use crate::core::render::cell;
use crate::core::resolve::Sessions;
use crate::core::time::{Clock, Style};

pub const TOOL: Tool = Tool {
    name: "seance-show",
    about: "print a session's last exchanges",
    synopsis: "[OPTIONS] ID",
    description: "Finds the session's transcript as seance-stage does (any account, the newest \
                  file wins; ID may be a prefix of at least 4 characters) and prints the end of \
                  the conversation: what the user and the assistant wrote, each under a line \
                  with the time and who spoke, and each tool call as one line (→ Bash: ls). \
                  Tool results, thinking and bookkeeping records are left out. Lines longer \
                  than 500 columns are cut, so a huge message cannot flood a preview.",
    flags: &[&LINES, &TIME, &COLOR, &CONFIG_DIR, &TOWN],
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
    let Some(input) = args.operands.first() else {
        return Err(Error::usage("a session id is required (try 'seance-show --help')"));
    };
    let (_, sessions) = Sessions::locate(args.common.config_dir(), args.common.town.as_deref())?;
    for warning in sessions.warnings() {
        crate::core::error::warn(TOOL.name, &warning.to_string());
    }
    let (_, transcript) = sessions.resolve(input)?;
    let path = &transcript.file;
    let file = regular::open(path, How::READ).map_err(|refused| refused.error(path, How::READ.role))?;
    let limit = match args.show.lines {
        Some(n) => n,
        None => std::env::var("FZF_PREVIEW_LINES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(40),
    };
    let tty = out::stdout_is_terminal();
    let render = Render {
        clock: Clock::new(),
        style: args.render.time.unwrap_or(Style::Local),
        paint: Paint { on: out::color_enabled(args.render.color.unwrap_or(ColorWhen::Auto), tty) },
    };
    let mut out = out::stdout();
    let read_err = |e| Error::io("read", path.display(), e);
    if limit == 0 {
        // Everything, streamed from the start, so memory stays flat.
        let mut lines = ForwardLines::new(BufReader::with_capacity(64 * 1024, file));
        let mut last = None;
        while let Some((_, line)) = lines.next_line().map_err(read_err)? {
            if let Some(turn) = Turn::parse(line) {
                render.write(&mut out, &turn, last).or_closed()?;
                last = Some(turn.speaker);
            }
        }
    } else {
        let len = file.metadata().map_err(read_err)?.len();
        let mut lines = ReverseLines::new(file, len);
        let mut turns = Vec::new();
        let mut count = 0;
        while count < limit {
            let Some((_, line)) = lines.next_line().map_err(read_err)? else { break };
            if let Some(turn) = Turn::parse(line) {
                count += turn.lines.len();
                turns.push(turn);
            }
        }
        turns.reverse();
        let mut text = Vec::new();
        let mut last = None;
        for turn in &turns {
            render.write(&mut text, turn, last).or_closed()?;
            last = Some(turn.speaker);
        }
        let text = String::from_utf8_lossy(&text);
        let all: Vec<&str> = text.lines().collect();
        for line in &all[all.len().saturating_sub(limit)..] {
            writeln!(out, "{line}").or_closed()?;
        }
    }
    out.flush().or_closed()?;
    Ok(Code::Success)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Speaker {
    User,
    Assistant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    ToolCall,
}

/// What one transcript record contributes: who spoke, when, and its lines.
struct Turn {
    speaker: Speaker,
    time: Option<Timestamp>,
    lines: Vec<(Kind, String)>,
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

#[derive(Deserialize)]
struct Block {
    #[serde(rename = "type")]
    kind: String,
    text: Option<String>,
    name: Option<String>,
    input: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Turn {
    /// The turn in a transcript line, or `None` for lines that show nothing: other record
    /// types, tool results, meta records, and lines that do not parse (a transcript being
    /// written can end in half a line).
    fn parse(line: &[u8]) -> Option<Turn> {
        // Claude Code writes compact JSON; this skips progress and snapshot records unparsed.
        memchr::memmem::find(line, b"\"message\"")?;
        let record: Record = serde_json::from_slice(line).ok()?;
        let speaker = match record.kind.as_deref() {
            Some("user") => Speaker::User,
            Some("assistant") => Speaker::Assistant,
            _ => return None,
        };
        if record.is_meta || record.is_sidechain {
            return None;
        }
        let content = record.message?.content?;
        let mut lines = Vec::new();
        if let Ok(text) = serde_json::from_str::<String>(content.get()) {
            push_text(&mut lines, &text);
        } else {
            for block in serde_json::from_str::<Vec<Block>>(content.get()).ok()? {
                match (block.kind.as_str(), block.text, block.name) {
                    ("text", Some(text), _) => push_text(&mut lines, &text),
                    ("tool_use", _, Some(name)) => {
                        let summary = summarize(block.input.as_ref());
                        let line = if summary.is_empty() { name } else { format!("{name}: {summary}") };
                        lines.push((Kind::ToolCall, cell(&format!("→ {line}"), MAX_TOOL_LINE, false)));
                    }
                    _ => {}
                }
            }
        }
        if lines.is_empty() {
            return None;
        }
        let time = record.timestamp.and_then(|t| t.parse().ok());
        Some(Turn { speaker, time, lines })
    }
}

fn push_text(lines: &mut Vec<(Kind, String)>, text: &str) {
    for line in text.trim().lines() {
        lines.push((Kind::Text, cell(line, MAX_LINE, false)));
    }
}

/// A tool call in a few words: the input field that says most about it, else its inputs.
fn summarize(input: Option<&serde_json::Map<String, serde_json::Value>>) -> String {
    const TELLING: &[&str] =
        &["command", "file_path", "path", "pattern", "url", "query", "description", "prompt"];
    let Some(input) = input else { return String::new() };
    let text = match TELLING.iter().find_map(|key| input.get(*key).and_then(|v| v.as_str())) {
        Some(value) => value.to_string(),
        None => serde_json::Value::Object(input.clone()).to_string(),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Render {
    clock: Clock,
    style: Style,
    paint: Paint,
}

impl Render {
    /// Writes `turn`, under a heading unless it continues what the same speaker said.
    fn write(&self, out: &mut dyn Write, turn: &Turn, last: Option<Speaker>) -> io::Result<()> {
        if last != Some(turn.speaker) {
            let who = match turn.speaker {
                Speaker::User => "user",
                Speaker::Assistant => "assistant",
            };
            let heading = match turn.time {
                Some(time) => format!("[{}] {who}", self.clock.minute(time, self.style)),
                None => who.to_string(),
            };
            writeln!(out, "{}", self.paint.bold(&heading))?;
        }
        for (kind, line) in &turn.lines {
            match kind {
                Kind::Text => writeln!(out, "  {line}")?,
                Kind::ToolCall => writeln!(out, "  {}", self.paint.dim(line))?,
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
        assert_eq!(turn.lines, vec![(Kind::ToolCall, "→ Bash: ls -la".to_string())]);
    }

    #[test]
    fn tool_results_and_meta_show_nothing() {
        let result = br#"{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"x","content":"big"}]}}"#;
        assert!(Turn::parse(result).is_none());
        let meta = br#"{"type":"user","isMeta":true,"message":{"content":"hi"}}"#;
        assert!(Turn::parse(meta).is_none());
    }
}
