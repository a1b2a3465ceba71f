//! Reading Claude Code transcripts (TRANSCRIPT-FORMAT.md) as records and the text a person
//! would read in them, for seance-grep, seance-sessions, seance-show and seance-trail.
//!
//! API, in short:
//! - [`Reader::open`] / [`Reader::new`] read a transcript forward; [`Reader::next_record`]
//!   hands out one [`Record`] per line: its `line` number (from 1), `offset`, record `kind`
//!   (`"user"`, `"assistant"`, `"ai-title"` …), `timestamp`, a few envelope fields, and its
//!   [`Block`]s of text, each with a [`Kind`] (user, assistant, tool_use, tool_result, title),
//!   the tool's name (tool_use), the call's id (tool_use `id`, tool_result `tool_use_id`, so a
//!   call and its result can be joined) and, for a tool_use, the input field it came from.
//!   Strings are decoded from JSON and borrowed from the line when they hold no escapes.
//! - [`Reader::window`] reads only the whole lines inside a byte range (a file's head or tail).
//! - [`Reader::with_prefilter`] makes the reader skip, without decoding them, lines that do not
//!   contain any of a [`Prefilter`]'s literals; [`raw_safe_pieces`] says which parts of a text
//!   appear unchanged in a transcript's bytes. [`Reader::count_lines`] (on by default) can be
//!   turned off when line numbers are not wanted, to save a pass over what is skipped.
//! - [`Reader::with_line_filter`] asks a test about each line before decoding it;
//!   [`decode_strings`] hands over a line's JSON strings, decoded, far cheaper than decoding the
//!   line (seance-grep runs its regex over them to skip lines that cannot match).
//! - [`Reader::stop_on`] ends the reading early when a shared flag is raised.
//! - [`parse_line`] decodes one line on its own.
//!
//! Lines may be of any size: a line is held whole only when it is decoded (about twice its
//! size at most); skipped lines are read in chunks and dropped. Malformed lines (not a JSON
//! object, invalid UTF-8, a half-written last line) are skipped and counted in
//! [`Reader::malformed`]. Blank lines are skipped silently.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// Where a piece of text was said.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// What the user typed (a string user record, or a text part of one).
    User,
    /// The assistant's text.
    Assistant,
    /// A tool call's input: one block per string in it (paths, commands, written content).
    ToolUse,
    /// What a tool returned.
    ToolResult,
    /// A `custom-title`, `ai-title` or `summary` record.
    Title,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::User, Kind::Assistant, Kind::ToolUse, Kind::ToolResult, Kind::Title];

    pub fn name(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Assistant => "assistant",
            Kind::ToolUse => "tool_use",
            Kind::ToolResult => "tool_result",
            Kind::Title => "title",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One piece of text in a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block<'a> {
    pub kind: Kind,
    pub text: Cow<'a, str>,
    /// The tool's name, on a tool_use block (a result names only the call's id).
    pub tool: Option<Cow<'a, str>>,
    /// A tool_use's `id`, or the `tool_use_id` of a tool_result.
    pub id: Option<Cow<'a, str>>,
    /// The top-level input field a tool_use block came from (`command`, `file_path` …); the
    /// field the title came from (`customTitle`, `aiTitle`, `summary`) on a title block.
    pub field: Option<Cow<'a, str>>,
    /// A tool_result marked `is_error`.
    pub is_error: bool,
}

/// One transcript line.
#[derive(Debug)]
pub struct Record<'a> {
    /// Line number from 1; 0 when line numbers are not counted or unknown (a window).
    pub line: u64,
    /// Byte offset of the line in the file.
    pub offset: u64,
    /// The record's `type` (`user`, `assistant`, `system`, `custom-title` …), `""` if none.
    pub kind: Cow<'a, str>,
    pub timestamp: Option<Cow<'a, str>>,
    pub cwd: Option<Cow<'a, str>>,
    pub git_branch: Option<Cow<'a, str>>,
    /// `isMeta` records (caveats, reminders) hold no user text here.
    pub is_meta: bool,
    pub blocks: Vec<Block<'a>>,
    /// Each tool_use's raw `input`, by the block's id, for callers that need its structure.
    pub inputs: Vec<(Cow<'a, str>, &'a RawValue)>,
    /// The whole line, for fields this reader does not pick out.
    pub raw: &'a [u8],
}

/// Decodes one transcript line; `None` when it is not a JSON object (or not UTF-8).
pub fn parse_line(raw: &[u8]) -> Option<Record<'_>> {
    let line: Line = from_line(raw)?;
    let mut record = Record {
        line: 0,
        offset: 0,
        kind: line.kind.map(|k| k.0).unwrap_or(Cow::Borrowed("")),
        timestamp: line.timestamp.map(|t| t.0),
        cwd: line.cwd.map(|t| t.0),
        git_branch: line.git_branch.map(|t| t.0),
        is_meta: line.is_meta,
        blocks: Vec::new(),
        inputs: Vec::new(),
        raw,
    };
    match &*record.kind {
        "user" | "assistant" => {
            let speaker = if record.kind == "user" { Kind::User } else { Kind::Assistant };
            if let Some(content) = line.message.and_then(|m| m.content) {
                blocks_of(speaker, record.is_meta, content, &mut record.blocks, &mut record.inputs);
            }
        }
        "custom-title" => record.blocks.extend(title("customTitle", line.custom_title)),
        "ai-title" => record.blocks.extend(title("aiTitle", line.ai_title)),
        "summary" => record.blocks.extend(title("summary", line.summary)),
        _ => {}
    }
    Some(record)
}

fn title<'a>(field: &'static str, text: Option<Str<'a>>) -> Option<Block<'a>> {
    text.map(|t| Block {
        kind: Kind::Title,
        text: t.0,
        tool: None,
        id: None,
        field: Some(Cow::Borrowed(field)),
        is_error: false,
    })
}

fn blocks_of<'a>(
    speaker: Kind,
    is_meta: bool,
    content: Content<'a>,
    blocks: &mut Vec<Block<'a>>,
    inputs: &mut Vec<(Cow<'a, str>, &'a RawValue)>,
) {
    let plain = |kind, text| Block { kind, text, tool: None, id: None, field: None, is_error: false };
    match content {
        Content::Text(text) => {
            if !is_meta {
                blocks.push(plain(speaker, text));
            }
        }
        Content::Parts(parts) => {
            for part in parts {
                match part.kind.as_ref().map(|k| &*k.0) {
                    Some("text") if !is_meta => blocks.extend(part.text.map(|t| plain(speaker, t.0))),
                    Some("tool_use") => {
                        let id = part.id.map(|i| i.0);
                        let tool = part.name.map(|n| n.0);
                        let Some(input) = part.input else { continue };
                        if let Some(id) = &id {
                            inputs.push((id.clone(), input));
                        }
                        let mut leaves = Vec::new();
                        for (field, value) in input_fields(input) {
                            leaves.clear();
                            // A top-level string (a Write's content) is decoded by
                            // `json_text`; nested ones by serde, which copies them.
                            if value.get().starts_with('"') {
                                leaves.extend(json_text(value));
                            } else {
                                let mut de = serde_json::Deserializer::from_str(value.get());
                                if Leaves(&mut leaves).deserialize(&mut de).is_err() {
                                    continue;
                                }
                            }
                            for text in leaves.drain(..) {
                                blocks.push(Block {
                                    kind: Kind::ToolUse,
                                    text,
                                    tool: tool.clone(),
                                    id: id.clone(),
                                    field: Some(field.clone()),
                                    is_error: false,
                                });
                            }
                        }
                    }
                    Some("tool_result") => {
                        let id = part.tool_use_id.map(|i| i.0);
                        let is_error = part.is_error.unwrap_or(false);
                        let mut texts = Vec::new();
                        match part.content {
                            Some(Content::Text(text)) => texts.push(text),
                            Some(Content::Parts(inner)) => texts.extend(
                                inner
                                    .into_iter()
                                    .filter(|p| p.kind.as_ref().map(|k| &*k.0) == Some("text"))
                                    .filter_map(|p| p.text.map(|t| t.0)),
                            ),
                            None => {}
                        }
                        // A result with no text (no content, an empty list, only an image)
                        // still answers its call: an empty block says it came, and how.
                        if texts.is_empty() {
                            texts.push(Cow::Borrowed(""));
                        }
                        blocks.extend(texts.into_iter().map(|text| Block {
                            kind: Kind::ToolResult,
                            text,
                            tool: None,
                            id: id.clone(),
                            field: None,
                            is_error,
                        }));
                    }
                    _ => {}
                }
            }
        }
    }
}

/// From this size on, a line's strings and contents are taken raw and decoded by
/// [`json_text`]: serde_json would unescape a string into its own buffer for us to copy, and a
/// 100 MB tool output would be held three times with its line, not twice. Below it, serde's one
/// pass is faster (taking values raw first reads lists twice) and the copies are small.
const HUGE_LINE: usize = 4 << 20;

thread_local! {
    /// Whether the line [`parse_line`] is decoding on this thread is at least [`HUGE_LINE`]:
    /// serde gives a `Deserialize` impl no other way to know.
    static HUGE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn huge_line() -> bool {
    HUGE.with(|huge| huge.get())
}

/// A transcript line decoded as `T`, its [`Str`]s and contents as its size calls for; what
/// `T` reads from raw values taken from it afterwards is decoded the same way.
pub fn from_line<'a, T: Deserialize<'a>>(raw: &'a [u8]) -> Option<T> {
    HUGE.with(|huge| huge.set(raw.len() >= HUGE_LINE));
    serde_json::from_slice(raw).ok()
}

/// A JSON string, borrowed from the line when it holds no escapes.
pub struct Str<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if huge_line() {
            let raw = <&'de RawValue>::deserialize(deserializer)?;
            return json_text(raw).map(Str).ok_or_else(|| de::Error::custom("expected a string"));
        }
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_string()))
            }
        }
        deserializer.deserialize_str(StrVisitor).map(Str)
    }
}

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    timestamp: Option<Str<'a>>,
    #[serde(borrow)]
    cwd: Option<Str<'a>>,
    #[serde(rename = "gitBranch", borrow)]
    git_branch: Option<Str<'a>>,
    #[serde(rename = "isMeta", default)]
    is_meta: bool,
    #[serde(borrow)]
    message: Option<Message<'a>>,
    #[serde(rename = "customTitle", borrow)]
    custom_title: Option<Str<'a>>,
    #[serde(rename = "aiTitle", borrow)]
    ai_title: Option<Str<'a>>,
    #[serde(borrow)]
    summary: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow)]
    content: Option<Content<'a>>,
}

/// A message's (or a tool result's) `content`: a string, or a list of parts.
enum Content<'a> {
    Text(Cow<'a, str>),
    Parts(Vec<Part<'a>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Content<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !huge_line() {
            return deserializer.deserialize_any(ContentVisitor);
        }
        // Taken raw, so that a string is decoded by `json_text` (a tool's output is the biggest
        // string a transcript holds); a list is then read from its raw text.
        let raw = <&'de RawValue>::deserialize(deserializer)?;
        match raw.get().as_bytes().first() {
            Some(b'"') => json_text(raw).map(Content::Text).ok_or_else(|| de::Error::custom("bad string")),
            Some(b'[') => {
                let parts: Vec<Option<Part<'de>>> =
                    serde_json::from_str(raw.get()).map_err(de::Error::custom)?;
                Ok(Content::Parts(parts.into_iter().flatten().collect()))
            }
            _ => Err(de::Error::custom("expected a string or a list of content parts")),
        }
    }
}

/// A content read in serde's one pass (a line below [`HUGE_LINE`]).
struct ContentVisitor;

impl<'de> Visitor<'de> for ContentVisitor {
    type Value = Content<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a list of content parts")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Content::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Content::Text(Cow::Owned(v.to_string())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut parts = Vec::new();
        while let Some(part) = seq.next_element::<Option<Part<'de>>>()? {
            parts.extend(part);
        }
        Ok(Content::Parts(parts))
    }
}

#[derive(Deserialize)]
struct Part<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    text: Option<Str<'a>>,
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    name: Option<Str<'a>>,
    #[serde(borrow)]
    input: Option<&'a RawValue>,
    #[serde(borrow)]
    tool_use_id: Option<Str<'a>>,
    #[serde(borrow)]
    content: Option<Content<'a>>,
    is_error: Option<bool>,
}

/// A tool input's top-level fields, raw.
struct Fields<'a>(Vec<(Str<'a>, &'a RawValue)>);

/// A tool call's input as its top-level fields, in order, each value raw; empty when the input
/// is not an object.
pub fn input_fields(input: &RawValue) -> Vec<(Cow<'_, str>, &RawValue)> {
    serde_json::from_str::<Fields>(input.get())
        .map(|f| f.0.into_iter().map(|(k, v)| (k.0, v)).collect())
        .unwrap_or_default()
}

impl<'de: 'a, 'a> Deserialize<'de> for Fields<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::new();
                while let Some(field) = map.next_entry()? {
                    fields.push(field);
                }
                Ok(Fields(fields))
            }
        }
        deserializer.deserialize_map(FieldsVisitor)
    }
}

/// Collects every string in a value (not the keys), depth first.
struct Leaves<'v, 'a>(&'v mut Vec<Cow<'a, str>>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for Leaves<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Leaves<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        self.0.push(Cow::Borrowed(v));
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.push(Cow::Owned(v.to_string()));
        Ok(())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        self.0.push(Cow::Owned(v));
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Leaves(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(Leaves(&mut *self.0))?;
        }
        Ok(())
    }
}

/// The longest runs of `text` that a transcript stores byte for byte: Claude Code writes
/// UTF-8 raw and escapes only `"`, `\` and control characters, so a run without those appears
/// in the line exactly as typed.
pub fn raw_safe_pieces(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c == '"' || c == '\\' || c.is_control()).filter(|p| !p.is_empty())
}

/// How [`decode_strings`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strings {
    /// Every string of the line was handed over.
    Done,
    /// `after` asked to stop.
    Stopped,
    /// The line holds something this walk does not decode (an unknown escape, a lone
    /// surrogate, a string that never ends): only decoding the whole line can tell what it says.
    Odd,
}

/// Appends every JSON string of `line` (keys too: the walk does not tell them apart), decoded,
/// to `out`, each followed by `\n`; after each, `after(out)` may look at `out` (and empty it)
/// and returns true to stop the walk. A line's text blocks are each one of its JSON strings, so
/// what is said in a line is in what this hands over, without the cost of decoding the line.
pub fn decode_strings(
    line: &[u8],
    out: &mut Vec<u8>,
    mut after: impl FnMut(&mut Vec<u8>) -> bool,
) -> Strings {
    let mut at = 0;
    // Outside strings, a quote can only open one: JSON has quotes nowhere else.
    while let Some(open) = memchr::memchr(b'"', &line[at..]) {
        let Some(end) = decode_string(line, at + open + 1, out) else { return Strings::Odd };
        at = end;
        out.push(b'\n');
        if after(out) {
            return Strings::Stopped;
        }
    }
    Strings::Done
}

/// Appends the JSON string whose text begins at `line[at]` (just after its opening quote),
/// decoded, to `out`; returns where it ends (just after its closing quote). `None` for what
/// this does not decode: an unknown escape, a lone surrogate, a string that never ends.
fn decode_string(line: &[u8], mut at: usize, out: &mut Vec<u8>) -> Option<usize> {
    loop {
        let stop = memchr::memchr2(b'"', b'\\', &line[at..])?;
        out.extend_from_slice(&line[at..at + stop]);
        at += stop;
        if line[at] == b'"' {
            return Some(at + 1);
        }
        let escape = *line.get(at + 1)?;
        at += 2;
        let byte = match escape {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'u' => {
                let (c, used) = unicode_escape(&line[at..])?;
                at += used;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                continue;
            }
            _ => return None,
        };
        out.push(byte);
    }
}

/// The text of a raw JSON string value: borrowed when it has no escapes, else decoded here.
/// serde_json would decode it into its own scratch buffer for us to copy: a huge string (a
/// 100 MB tool output) would then be held three times, with the line, instead of twice.
pub fn json_text(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    let mut out = Vec::with_capacity(inner.len());
    let end = decode_string(text.as_bytes(), 1, &mut out)?;
    if end != text.len() {
        return None;
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

/// The character of a `\u` escape whose four hex digits begin `rest` (with the low half that
/// must follow a high surrogate), and how many bytes it took.
fn unicode_escape(rest: &[u8]) -> Option<(char, usize)> {
    let hex = |at: usize| -> Option<u32> {
        let digits = std::str::from_utf8(rest.get(at..at + 4)?).ok()?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    };
    let first = hex(0)?;
    match first {
        0xD800..=0xDBFF => {
            if rest.get(4..6)? != b"\\u" {
                return None;
            }
            let low = hex(6)?;
            if !(0xDC00..=0xDFFF).contains(&low) {
                return None;
            }
            Some((char::from_u32(0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00))?, 10))
        }
        0xDC00..=0xDFFF => None,
        _ => Some((char::from_u32(first)?, 4)),
    }
}

/// Literals one of which every interesting line contains: lines without any are not decoded.
#[derive(Clone, Debug)]
pub struct Prefilter {
    finder: regex::bytes::Regex,
    /// An upper bound on a literal's length in bytes (case folding can change it).
    longest: usize,
}

impl Prefilter {
    /// `None` when there is nothing to look for (no literals, or an empty one).
    pub fn new<S: AsRef<str>>(literals: &[S], case_insensitive: bool) -> Option<Prefilter> {
        if literals.is_empty() || literals.iter().any(|l| l.as_ref().is_empty()) {
            return None;
        }
        let alternation: Vec<String> = literals.iter().map(|l| regex::escape(l.as_ref())).collect();
        let finder = regex::bytes::RegexBuilder::new(&alternation.join("|"))
            .case_insensitive(case_insensitive)
            .unicode(case_insensitive)
            .build()
            .ok()?;
        // A character folds to at most 4 UTF-8 bytes.
        let longest = literals.iter().map(|l| l.as_ref().chars().count() * 4).max().unwrap_or(1);
        Some(Prefilter { finder, longest })
    }

    fn find(&self, haystack: &[u8]) -> Option<usize> {
        self.finder.find(haystack).map(|m| m.start())
    }
}

const CHUNK: usize = 1024 * 1024;

/// A test a line must pass to be decoded (see [`Reader::with_line_filter`]).
type LineFilter = Box<dyn FnMut(&[u8]) -> bool + Send>;

/// Reads a transcript's lines forward, decoding only those it hands out.
pub struct Reader {
    file: File,
    /// Where reading ends: the window's end, or `u64::MAX` for the whole file.
    limit: u64,
    buf: Vec<u8>,
    /// File offset of `buf[0]`.
    buf_at: u64,
    /// Next unread byte in `buf`; at a line start unless `cut` is set.
    pos: usize,
    /// Valid bytes in `buf`.
    len: usize,
    eof: bool,
    /// The start of the current line was dropped (no literal in it so far); it begins at
    /// file offset `line_start`.
    cut: bool,
    line_start: u64,
    /// A line read again from its start after a literal was seen in it: kept whole.
    holding: bool,
    prefilter: Option<Prefilter>,
    /// Asked about each line (that holds a literal, with a prefilter) before it is decoded.
    line_filter: Option<LineFilter>,
    count_lines: bool,
    /// Newlines counted in the file before offset `counted_to`.
    newlines: u64,
    counted_to: u64,
    /// Line numbers are unknown in a window that does not start the file.
    numbered: bool,
    stop: Option<Arc<AtomicBool>>,
    /// Lines skipped because they did not decode.
    pub malformed: u64,
}

impl Reader {
    pub fn open(path: &Path) -> io::Result<Reader> {
        Ok(Reader::new(File::open(path)?))
    }

    /// Reads `file` from its start to its end (as it is when reading gets there).
    pub fn new(file: File) -> Reader {
        Reader {
            file,
            limit: u64::MAX,
            buf: Vec::new(),
            buf_at: 0,
            pos: 0,
            len: 0,
            eof: false,
            cut: false,
            line_start: 0,
            holding: false,
            prefilter: None,
            line_filter: None,
            count_lines: true,
            newlines: 0,
            counted_to: 0,
            numbered: true,
            stop: None,
            malformed: 0,
        }
    }

    /// The whole lines between byte `from` and byte `to`: a line cut by `from` (one that
    /// began before it) or by `to` is left out. Line numbers are 0 unless `from` is 0.
    pub fn window(file: File, from: u64, to: u64) -> io::Result<Reader> {
        let mut reader = Reader::new(file);
        reader.limit = to;
        if from > 0 {
            reader.numbered = false;
            // The byte before `from` says whether a line starts exactly there.
            reader.buf_at = from - 1;
            reader.counted_to = from - 1;
            loop {
                if let Some(i) = memchr::memchr(b'\n', &reader.buf[reader.pos..reader.len]) {
                    reader.pos += i + 1;
                    break;
                }
                if reader.eof {
                    reader.pos = reader.len;
                    break;
                }
                let keep = reader.len;
                reader.refill(keep)?;
            }
        }
        Ok(reader)
    }

    pub fn with_prefilter(mut self, prefilter: Option<Prefilter>) -> Reader {
        self.prefilter = prefilter;
        self
    }

    /// Lines for which `keep` returns false are skipped without being decoded (after the
    /// prefilter's literal search, when there is one: that is cheaper and comes first). Like
    /// the prefilter's, a line this skips is not counted in [`Reader::malformed`] even if it
    /// would not have decoded: what is not decoded is not known to be malformed.
    pub fn with_line_filter(mut self, keep: impl FnMut(&[u8]) -> bool + Send + 'static) -> Reader {
        self.line_filter = Some(Box::new(keep));
        self
    }

    /// Whether to number lines (the default); off saves a pass over skipped bytes.
    pub fn count_lines(mut self, on: bool) -> Reader {
        self.count_lines = on;
        self
    }

    /// Reading ends (as at the end of the file) once `stop` is raised.
    pub fn stop_on(mut self, stop: Arc<AtomicBool>) -> Reader {
        self.stop = Some(stop);
        self
    }

    /// The next line that decodes (and holds a prefilter literal, when there is a prefilter).
    pub fn next_record(&mut self) -> io::Result<Option<Record<'_>>> {
        loop {
            let Some((start, end)) = self.next_line()? else { return Ok(None) };
            let offset = self.buf_at + start as u64;
            let line = super::lines::trim_eol(&self.buf[start..end]);
            if super::lines::is_blank(line) {
                continue;
            }
            if !line.starts_with(b"{") {
                self.malformed += 1;
                continue;
            }
            if let Some(keep) = &mut self.line_filter
                && !keep(line)
            {
                continue;
            }
            let number = if self.count_lines && self.numbered {
                if offset > self.counted_to {
                    let from = (self.counted_to - self.buf_at) as usize;
                    self.newlines += memchr::memchr_iter(b'\n', &self.buf[from..start]).count() as u64;
                    self.counted_to = offset;
                }
                self.newlines + 1
            } else {
                0
            };
            let line: *const [u8] = line;
            // SAFETY: `line` points into `self.buf`, which nothing changes while the record
            // lives: the record borrows `self` mutably for as long as the caller keeps it. The
            // raw pointer only gets around the borrow checker's refusal (NLL problem case #3)
            // to let a malformed line's failed decoding end its borrow before the next line is
            // read; decoding twice instead would double the cost of every line.
            let Some(mut record) = parse_line(unsafe { &*line }) else {
                self.malformed += 1;
                continue;
            };
            record.line = number;
            record.offset = offset;
            return Ok(Some(record));
        }
    }

    /// The next line's span in `buf`, without its newline (and only lines with a literal
    /// when there is a prefilter).
    fn next_line(&mut self) -> io::Result<Option<(usize, usize)>> {
        loop {
            if self.stopped() {
                return Ok(None);
            }
            let unread = &self.buf[self.pos..self.len];
            let candidate = match &self.prefilter {
                None => Some(0),
                Some(pre) => pre.find(unread),
            };
            match candidate {
                Some(at) => {
                    let at = self.pos + at;
                    let start = match memchr::memrchr(b'\n', &self.buf[self.pos..at]) {
                        Some(i) => {
                            self.cut = false;
                            self.pos + i + 1
                        }
                        None if self.cut => {
                            // The line began in what was dropped: read it again from its start,
                            // and hold on to it this time until the literal comes round again.
                            self.cut = false;
                            self.holding = true;
                            self.reload(self.line_start)?;
                            continue;
                        }
                        None => self.pos,
                    };
                    match memchr::memchr(b'\n', &self.buf[at..self.len]) {
                        Some(i) => {
                            self.holding = false;
                            self.pos = at + i + 1;
                            return Ok(Some((start, at + i)));
                        }
                        None if self.eof => {
                            self.pos = self.len;
                            if start == self.len || self.limit != u64::MAX {
                                // Nothing after the last newline; or a window, which leaves
                                // out the line its end cuts.
                                return Ok(None);
                            }
                            return Ok(Some((start, self.len)));
                        }
                        None => {
                            self.pos = start;
                            self.refill(start)?;
                        }
                    }
                }
                None => {
                    if self.eof {
                        self.pos = self.len;
                        return Ok(None);
                    }
                    // Nothing here: keep only what a literal running on into the next chunk
                    // needs, and where the unfinished line began.
                    if self.holding {
                        let keep = self.pos;
                        self.refill(keep)?;
                        continue;
                    }
                    if let Some(i) = memchr::memrchr(b'\n', unread) {
                        self.pos += i + 1;
                        self.cut = false;
                    }
                    let pre_len = self.prefilter.as_ref().map_or(0, |p| p.longest);
                    let keep = self.len.saturating_sub(pre_len).max(self.pos);
                    if keep > self.pos {
                        if !self.cut {
                            self.cut = true;
                            self.line_start = self.buf_at + self.pos as u64;
                        }
                        self.pos = keep;
                    }
                    let keep = self.pos;
                    self.refill(keep)?;
                }
            }
        }
    }

    fn stopped(&self) -> bool {
        self.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed))
    }

    /// Starts the buffer over at file offset `at`.
    fn reload(&mut self, at: u64) -> io::Result<()> {
        // Newlines are counted up to where the line was cut, and the line has none: the count
        // stands.
        self.buf_at = at;
        self.pos = 0;
        self.len = 0;
        self.eof = false;
        self.refill(0)
    }

    /// Counts the newlines in `buf[..upto]` not yet counted, before they are dropped.
    fn count_through(&mut self, upto: usize) {
        if !self.count_lines || !self.numbered {
            return;
        }
        let end = self.buf_at + upto as u64;
        if end > self.counted_to && self.counted_to >= self.buf_at {
            let from = (self.counted_to - self.buf_at) as usize;
            self.newlines += memchr::memchr_iter(b'\n', &self.buf[from..upto]).count() as u64;
            self.counted_to = end;
        }
    }

    /// Drops `buf[..keep]` and reads more after what is left, growing the buffer when what is
    /// kept (a long line) fills half of it.
    fn refill(&mut self, keep: usize) -> io::Result<()> {
        self.count_through(keep);
        self.buf.copy_within(keep..self.len, 0);
        self.len -= keep;
        self.pos -= keep.min(self.pos);
        self.buf_at += keep as u64;
        if self.buf.len() < CHUNK {
            self.buf.resize(CHUNK, 0);
        } else if self.len > self.buf.len() / 2 {
            // A fresh zeroed allocation, not a resize: its pages are mapped only as they are
            // written, so the room a long line never fills costs no memory (a resize writes
            // every byte of it, and a 100 MB line would hold 256 MB).
            let mut bigger = vec![0u8; self.buf.len() * 2];
            bigger[..self.len].copy_from_slice(&self.buf[..self.len]);
            self.buf = bigger;
        }
        let at = self.buf_at + self.len as u64;
        let room = (self.buf.len() - self.len) as u64;
        let want = room.min(self.limit.saturating_sub(at)) as usize;
        if want == 0 {
            self.eof = true;
            return Ok(());
        }
        let read = loop {
            match self.file.read_at(&mut self.buf[self.len..self.len + want], at) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if read == 0 {
            self.eof = true;
        }
        self.len += read;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const REAL: &str = "/work/shared/reference/transcripts";

    fn file_with(content: &[u8]) -> File {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(content).unwrap();
        file
    }

    /// (line, kind, tool, id, field, text) of every block.
    fn blocks(
        reader: &mut Reader,
    ) -> Vec<(u64, Kind, Option<String>, Option<String>, Option<String>, String)> {
        let mut out = Vec::new();
        while let Some(record) = reader.next_record().unwrap() {
            for b in &record.blocks {
                let own = |c: &Option<Cow<str>>| c.as_ref().map(|c| c.to_string());
                out.push((record.line, b.kind, own(&b.tool), own(&b.id), own(&b.field), b.text.to_string()));
            }
        }
        out
    }

    // The shapes Claude Code writes, abridged from the real transcripts.
    const USER: &str = r#"{"parentUuid":null,"isSidechain":false,"promptId":"p1","type":"user","message":{"role":"user","content":"Please fix the \"deploy\" script\\now\tça 日本語"},"uuid":"u1","timestamp":"2026-11-24T04:39:25.297Z","permissionMode":"default","userType":"external","entrypoint":"cli","cwd":"/home/u/gt/beads/crew/ann","sessionId":"76348a48","version":"2.1.197","gitBranch":"main"}"#;
    const META: &str = r#"{"type":"user","isMeta":true,"message":{"role":"user","content":"<local-command-caveat>x</local-command-caveat>"},"uuid":"u0","timestamp":"2026-11-24T04:39:25.000Z"}"#;
    const TOOL_USE: &str = r#"{"parentUuid":"f9","isSidechain":false,"message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-opus-4-8","content":[{"type":"tool_use","id":"toolu_0183","name":"Edit","input":{"replace_all":false,"file_path":"/w/notes/plan.md","old_string":"- deadline: friday","new_string":"- deadline: monday"}}],"stop_reason":"tool_use","usage":{"input_tokens":10}},"requestId":"req_1","type":"assistant","uuid":"b2","timestamp":"2026-11-24T04:39:26.000Z","sessionId":"76348a48"}"#;
    const RESULT: &str = r#"{"parentUuid":"b2","isSidechain":false,"promptId":"p1","type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_0183","type":"tool_result","content":"The file /w/notes/plan.md has been updated successfully.","is_error":false}]},"uuid":"fd","timestamp":"2026-11-24T04:39:27.000Z","toolUseResult":{"filePath":"/w/notes/plan.md","oldString":"- deadline: friday"},"sourceToolAssistantUUID":"b2","sessionId":"76348a48"}"#;
    const AGENT_RESULT: &str = r#"{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_9","type":"tool_result","content":[{"type":"text","text":"report"},{"type":"text","text":"agentId: a1"}]}]},"timestamp":"2026-11-24T04:39:28.000Z"}"#;
    const ERROR: &str = r#"{"type":"user","message":{"role":"user","content":[{"type":"tool_result","content":"Exit code 1\nboom","is_error":true,"tool_use_id":"toolu_8"}]},"toolUseResult":"Error: Exit code 1\nboom","timestamp":"2026-11-24T04:39:29.000Z"}"#;
    const TEXT: &str = r#"{"parentUuid":"fd","message":{"id":"msg_2","type":"message","role":"assistant","content":[{"type":"text","text":"Done: the plan says monday."}]},"type":"assistant","uuid":"c3","timestamp":"2026-11-24T04:39:30.000Z"}"#;
    const TODO: &str = r#"{"message":{"role":"assistant","content":[{"type":"tool_use","id":"toolu_7","name":"TodoWrite","input":{"todos":[{"content":"write the plan","status":"pending","activeForm":"Writing"}]}}]},"type":"assistant","timestamp":"2026-11-24T04:39:31.000Z"}"#;
    const TITLES: &str = "{\"type\":\"ai-title\",\"aiTitle\":\"Fix the deploy script plan\",\"sessionId\":\"76348a48\"}\n\
        {\"type\":\"custom-title\",\"customTitle\":\"deploy\",\"sessionId\":\"76348a48\"}\n\
        {\"type\":\"summary\",\"summary\":\"old summary\",\"leafUuid\":\"x\"}\n\
        {\"type\":\"last-prompt\",\"lastPrompt\":\"remember PAPAYA\",\"sessionId\":\"76348a48\"}";

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn every_kind_of_text_is_decoded_with_where_it_came_from() {
        let content = [META, USER, TOOL_USE, RESULT, AGENT_RESULT, ERROR, TEXT, TODO, TITLES].join("\n");
        let mut reader = Reader::new(file_with(content.as_bytes()));
        let got = blocks(&mut reader);
        let expected = vec![
            (2, Kind::User, None, None, None, "Please fix the \"deploy\" script\\now\tça 日本語".to_string()),
            (3, Kind::ToolUse, s("Edit"), s("toolu_0183"), s("file_path"), "/w/notes/plan.md".into()),
            (3, Kind::ToolUse, s("Edit"), s("toolu_0183"), s("old_string"), "- deadline: friday".into()),
            (3, Kind::ToolUse, s("Edit"), s("toolu_0183"), s("new_string"), "- deadline: monday".into()),
            (
                4,
                Kind::ToolResult,
                None,
                s("toolu_0183"),
                None,
                "The file /w/notes/plan.md has been updated successfully.".into(),
            ),
            (5, Kind::ToolResult, None, s("toolu_9"), None, "report".into()),
            (5, Kind::ToolResult, None, s("toolu_9"), None, "agentId: a1".into()),
            (6, Kind::ToolResult, None, s("toolu_8"), None, "Exit code 1\nboom".into()),
            (7, Kind::Assistant, None, None, None, "Done: the plan says monday.".into()),
            (8, Kind::ToolUse, s("TodoWrite"), s("toolu_7"), s("todos"), "write the plan".into()),
            (8, Kind::ToolUse, s("TodoWrite"), s("toolu_7"), s("todos"), "pending".into()),
            (8, Kind::ToolUse, s("TodoWrite"), s("toolu_7"), s("todos"), "Writing".into()),
            (9, Kind::Title, None, None, s("aiTitle"), "Fix the deploy script plan".into()),
            (10, Kind::Title, None, None, s("customTitle"), "deploy".into()),
            (11, Kind::Title, None, None, s("summary"), "old summary".into()),
        ];
        assert_eq!(got, expected);
        assert_eq!(reader.malformed, 0);
    }

    #[test]
    fn envelope_fields_errors_and_raw_inputs() {
        let record = parse_line(USER.as_bytes()).unwrap();
        assert_eq!(record.kind, "user");
        assert_eq!(record.timestamp.as_deref(), Some("2026-11-24T04:39:25.297Z"));
        assert_eq!(record.cwd.as_deref(), Some("/home/u/gt/beads/crew/ann"));
        assert_eq!(record.git_branch.as_deref(), Some("main"));
        // Text without escapes is borrowed from the line, not copied.
        let text = parse_line(TEXT.as_bytes()).unwrap();
        assert!(matches!(text.blocks[0].text, Cow::Borrowed(_)));
        let error = parse_line(ERROR.as_bytes()).unwrap();
        assert!(error.blocks[0].is_error);
        assert!(!parse_line(RESULT.as_bytes()).unwrap().blocks[0].is_error);
        let call = parse_line(TOOL_USE.as_bytes()).unwrap();
        assert_eq!(call.inputs.len(), 1);
        assert_eq!(call.inputs[0].0, "toolu_0183");
        assert!(call.inputs[0].1.get().starts_with(r#"{"replace_all":false"#));
    }

    #[test]
    fn strings_decode_as_serde_decodes_them() {
        let cases = [
            r#""plain""#,
            r#""""#,
            r#""a\"q\\b\/c\n\t\r\b\f""#,
            r#""\u00e9t\u00E9 \u65e5\u672c \ud83d\ude00 end""#,
            r#""caf\u0000e""#,
            "\"raw é 日本 😀\"",
            r#""lone \ud83d here""#,
            r#""low \ude00 first""#,
            r#""bad \x escape""#,
            r#""short \u12""#,
        ];
        for case in cases {
            // What serde_json lets through as a raw value, json_text must decode as serde does;
            // what it refuses, json_text must not make anything of either.
            let owned = RawValue::from_string(case.to_string());
            let ours = owned.ok().and_then(|raw| json_text(&raw).map(Cow::into_owned));
            let serde = serde_json::from_str::<String>(case).ok();
            assert_eq!(ours, serde, "{case}");
        }
        // Borrowed exactly when there is nothing to decode.
        let raw: &RawValue = serde_json::from_str(r#""no escapes""#).unwrap();
        assert!(matches!(json_text(raw), Some(Cow::Borrowed("no escapes"))));
        let raw: &RawValue = serde_json::from_str("[1]").unwrap();
        assert_eq!(json_text(raw), None);
    }

    #[test]
    fn a_huge_line_decodes_as_a_small_one_does() {
        let lines = [
            r#"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t1","content":"out \"q\"\n\u00e9\ud83d\ude00","is_error":true},{"type":"tool_result","tool_use_id":"t2","content":[{"type":"text","text":"a\tb"},{"type":"image"}]}]},"timestamp":"2026-01-22T10:00:00.000Z"PAD}"#,
            r#"{"type":"assistant","message":{"content":[{"type":"text","text":"say \"hi\""},{"type":"tool_use","id":"t3","name":"Write","input":{"file_path":"/w/\u00e9.md","content":"x\ny","nested":{"list":["p\"q",1,null]}}}]},"cwd":"/w","gitBranch":"main"PAD}"#,
            r#"{"type":"user","message":{"content":"plain \\ prompt"},"isMeta":false PAD}"#,
            r#"{"type":"custom-title","customTitle":"t\u0041tle"PAD}"#,
        ];
        let pad = format!(r#","pad":"{}""#, "z".repeat(HUGE_LINE));
        for line in lines {
            let small = line.replace("PAD", "");
            let huge = line.replace("PAD", &pad);
            let (a, b) = (parse_line(small.as_bytes()).unwrap(), parse_line(huge.as_bytes()).unwrap());
            assert_eq!(
                (a.kind, a.timestamp, a.cwd, a.git_branch),
                (b.kind, b.timestamp, b.cwd, b.git_branch)
            );
            assert_eq!(a.blocks, b.blocks, "{small}");
            assert!(!a.blocks.is_empty(), "{small}");
        }
        // A string that does not decode spoils a huge line as it spoils a small one.
        let bad = r#"{"type":"user","message":{"content":"lone \ud800 half"}PAD}"#;
        assert_eq!(
            parse_line(bad.replace("PAD", "").as_bytes()).is_some(),
            parse_line(bad.replace("PAD", &pad).as_bytes()).is_some()
        );
    }

    #[test]
    fn malformed_lines_are_counted_and_skipped() {
        let mut bytes =
            format!("{TEXT}\nnot json\n\n   \n[1,2]\n{{\"type\":\"user\",\"message\":\n").into_bytes();
        bytes.extend_from_slice(b"\xff\n");
        bytes.extend_from_slice(format!("{TEXT}\n{{\"type\":\"assis").as_bytes());
        // Invalid UTF-8 inside a string.
        bytes.extend_from_slice(b"\n{\"type\":\"user\",\"message\":{\"content\":\"\xff\"}}\n");
        let mut reader = Reader::new(file_with(&bytes));
        let lines: Vec<u64> = blocks(&mut reader).iter().map(|b| b.0).collect();
        assert_eq!(lines, [1, 8]);
        assert_eq!(reader.malformed, 6);
    }

    #[test]
    fn prefilter_skips_lines_and_keeps_line_numbers_for_every_chunk_layout() {
        let filler = format!(r#"{{"type":"attachment","attachment":{{"content":"{}"}}}}"#, "y".repeat(3000));
        let needle_line =
            r#"{"type":"assistant","message":{"content":[{"type":"text","text":"the NEEDLE is here"}]}}"#;
        let long_needle = format!(
            r#"{{"type":"user","message":{{"content":[{{"type":"tool_result","tool_use_id":"t","content":"{}NEEDLE"}}]}}}}"#,
            "z".repeat(CHUNK * 3)
        );
        let content = [filler.as_str(), needle_line, &filler, &long_needle, &filler, needle_line].join("\n");
        for counting in [true, false] {
            let pre = Prefilter::new(&["NEEDLE"], false);
            let mut reader =
                Reader::new(file_with(content.as_bytes())).with_prefilter(pre).count_lines(counting);
            let mut got = Vec::new();
            while let Some(record) = reader.next_record().unwrap() {
                got.push((record.line, record.offset, record.blocks.len()));
            }
            let offset = |n: usize| content.split('\n').take(n).map(|l| l.len() as u64 + 1).sum::<u64>();
            let line = |n: u64| if counting { n } else { 0 };
            assert_eq!(got, vec![(line(2), offset(1), 1), (line(4), offset(3), 1), (line(6), offset(5), 1)]);
        }
        // Case-insensitive literals, and none at all.
        let pre = Prefilter::new(&["needle"], true);
        let mut reader = Reader::new(file_with(content.as_bytes())).with_prefilter(pre);
        assert_eq!(blocks(&mut reader).len(), 3);
        assert!(Prefilter::new(&[""], false).is_none());
        assert!(Prefilter::new::<&str>(&[], false).is_none());
    }

    #[test]
    fn a_huge_line_without_the_literal_is_never_held_whole() {
        let mut content = vec![b'x'; CHUNK * 8];
        content.extend_from_slice(b"\n");
        content.extend_from_slice(TEXT.as_bytes());
        let pre = Prefilter::new(&["monday"], false);
        let mut reader = Reader::new(file_with(&content)).with_prefilter(pre);
        let record = reader.next_record().unwrap().unwrap();
        assert_eq!(record.line, 2);
        assert!(reader.buf.len() <= CHUNK * 2, "buffer grew to {}", reader.buf.len());
    }

    #[test]
    fn a_line_of_any_size_is_read_whole_without_a_prefilter() {
        let big = "w".repeat(CHUNK * 3 + 17);
        let line =
            format!(r#"{{"type":"assistant","message":{{"content":[{{"type":"text","text":"{big}"}}]}}}}"#);
        let content = format!("{line}\n{TEXT}\n");
        let mut reader = Reader::new(file_with(content.as_bytes()));
        let got = blocks(&mut reader);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].5.len(), big.len());
        assert_eq!(got[1].0, 2);
    }

    #[test]
    fn windows_hold_only_whole_lines() {
        let content = [TEXT, USER, TEXT, TODO].join("\n") + "\n";
        let starts: Vec<u64> = content
            .split_inclusive('\n')
            .scan(0, |at, l| Some(std::mem::replace(at, *at + l.len() as u64)))
            .collect();
        let kinds = |from: u64, to: u64| {
            let mut reader = Reader::window(file_with(content.as_bytes()), from, to).unwrap();
            let mut got = Vec::new();
            while let Some(record) = reader.next_record().unwrap() {
                got.push((record.line, record.offset));
            }
            got
        };
        assert_eq!(kinds(0, starts[2]), vec![(1, 0), (2, starts[1])]);
        // From inside line 1 to inside line 4: lines 2 and 3, unnumbered.
        assert_eq!(kinds(3, starts[3] + 5), vec![(0, starts[1]), (0, starts[2])]);
        // Starting exactly at a line start keeps that line.
        assert_eq!(kinds(starts[3], u64::MAX), vec![(0, starts[3])]);
    }

    #[test]
    fn stop_ends_reading() {
        let stop = Arc::new(AtomicBool::new(false));
        let content = [TEXT, TEXT].join("\n");
        let mut reader = Reader::new(file_with(content.as_bytes())).stop_on(stop.clone());
        assert!(reader.next_record().unwrap().is_some());
        stop.store(true, Ordering::Relaxed);
        assert!(reader.next_record().unwrap().is_none());
    }

    #[test]
    fn safe_pieces_split_where_json_escapes() {
        let pieces: Vec<&str> = raw_safe_pieces("say \"hi\"\\now\tça").collect();
        assert_eq!(pieces, ["say ", "hi", "now", "ça"]);
    }

    #[test]
    fn the_real_transcripts_decode_whole() {
        let Ok(dirs) = std::fs::read_dir(REAL) else { return };
        let mut kinds = std::collections::BTreeSet::new();
        for dir in dirs.flatten() {
            let Ok(files) = std::fs::read_dir(dir.path()) else { continue };
            for file in files.flatten().filter(|f| f.path().extension().is_some_and(|e| e == "jsonl")) {
                let mut reader = Reader::open(&file.path()).unwrap();
                let mut ids_used = std::collections::BTreeSet::new();
                let mut ids_answered = std::collections::BTreeSet::new();
                while let Some(record) = reader.next_record().unwrap() {
                    for b in &record.blocks {
                        kinds.insert(b.kind);
                        match b.kind {
                            Kind::ToolUse => ids_used.insert(b.id.clone().unwrap().to_string()),
                            Kind::ToolResult => ids_answered.insert(b.id.clone().unwrap().to_string()),
                            _ => false,
                        };
                    }
                }
                assert_eq!(reader.malformed, 0, "{}", file.path().display());
                // Every result joins a call in the same file.
                assert!(ids_answered.is_subset(&ids_used), "{}", file.path().display());
            }
        }
        assert_eq!(kinds.into_iter().collect::<Vec<_>>(), Kind::ALL);
    }
}
