//! Rendering events (seance-fmt, and the listing) as gt's table, tsv, an fzf menu, a JSON array or ids.

use std::collections::HashSet;
use std::io::Write;

use unicode_width::UnicodeWidthChar;

use crate::core::choice::choices;
use crate::core::claude::valid_session_id;
use crate::core::diag;
use crate::core::error::{Result, WriteResult, quote};
use crate::core::event::Event;
use crate::core::grep::{HitRecord, ListedRecord};
use crate::core::out::{self, ColorWhen, Paint};
use crate::core::printable::{self, is_hidden};
use crate::core::rawjson;
use crate::core::sessions::SessionRecord;
use crate::core::time::{Clock, Style};
use crate::core::trail::TrailRecord;

choices! {
    /// What the rows look like (`--format`).
    pub enum Format {
        Table = "table",
        Tsv = "tsv",
        Fzf = "fzf",
        Json = "json",
        Ids = "ids",
    }
}

/// How to render; `None` is the default for where stdout goes.
#[derive(Clone, Debug, Default)]
pub struct FmtOpts {
    pub format: Option<Format>,
    pub time: Option<Style>,
    pub no_header: bool,
    pub width: Option<usize>,
    pub color: Option<ColorWhen>,
    /// Mark the table's events whose session has no transcript (the ids on disk are given
    /// with [`Formatter::on_disk`]).
    pub mark_absent: bool,
}

/// Column widths; gt's are 12, 26, 16 and 28.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Columns {
    id: usize,
    role: usize,
    time: usize,
    topic: usize,
}

const GT_COLUMNS: Columns = Columns { id: 12, role: 26, time: 16, topic: 28 };
const NARROWEST: usize = 8;
/// A cut cell keeps two characters and its `…`.
const NARROWEST_AT_ALL: usize = 3;
/// The fixed columns of a trail table; WHAT takes the rest.
const TRAIL_TIME: usize = 16;
const TRAIL_ROLE: usize = 22;
const TRAIL_KIND: usize = 7;
/// The fixed columns of a grep-hit table after SESSION_ID; TEXT takes the rest.
const HIT_ROLE: usize = 22;
const HIT_KIND: usize = 11;
/// The fixed columns of a session-record table after SESSION_ID; TITLE takes the rest.
const SESSION_WHO: usize = 22;
const SESSION_TIME: usize = 16;
/// The HITS column of a table of `seance-grep -l` records (after SESSION_ID and ROLE as in a
/// hit table); TOPIC takes the rest.
const LISTED_HITS: usize = 6;
const GAP: &str = "  ";
/// What ends the TOPIC cell of a session with no transcript; [`ABSENT_SHORT`] when TOPIC is
/// too narrow for it.
pub const ABSENT: &str = "✗ gone";
const ABSENT_SHORT: &str = "✗";

impl Columns {
    fn total(&self) -> usize {
        self.id + self.role + self.time + self.topic + 3 * GAP.len()
    }

    /// gt's widths fitted to `width`: a wider terminal gives TOPIC the rest of the line; a
    /// narrower one takes from TOPIC then ROLE, down to 8 columns each, then down to 3, so that
    /// rows do not wrap on a 40-column terminal.
    fn fit(width: Option<usize>) -> Columns {
        let mut columns = GT_COLUMNS;
        if let Some(width) = width {
            columns.topic += width.saturating_sub(columns.total());
            let mut excess = columns.total().saturating_sub(width);
            for floor in [NARROWEST, NARROWEST_AT_ALL] {
                for column in [&mut columns.topic, &mut columns.role] {
                    let give = excess.min(column.saturating_sub(floor));
                    *column -= give;
                    excess -= give;
                }
            }
        }
        columns
    }
}

/// The kinds of record, each with its own table: a mixed stream starts a new table (a blank
/// line and that kind's header) where the kind changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Event,
    Session,
    Trail,
    Hit,
    Listed,
}

/// Renders events one at a time; holds nothing but what the current row needs.
pub struct Formatter {
    format: Format,
    time: Style,
    header: bool,
    columns: Columns,
    /// The width the table must fit in, when known (a terminal's, or --width).
    width: Option<usize>,
    paint: Paint,
    clock: Clock,
    rows: u64,
    /// Printed before a non-empty table and after it (the wrapper's title and hint).
    pub preamble: String,
    pub epilogue: String,
    /// Printed instead of gt's "No session events found." lines when there is no row.
    pub empty: Option<String>,
    /// The last session id written in ids format for trail records, which come many a session.
    last_id: Option<String>,
    /// The kind of the table being written.
    table_of: Option<Kind>,
    /// The sessions that have a transcript, when the table marks those that do not.
    on_disk: Option<HashSet<String>>,
    /// Rows marked as having no transcript.
    marked: u64,
    /// Printed after a table that marked a row, before the epilogue (the wrapper's hint).
    pub absent_note: String,
    buf: Vec<u8>,
    /// Events whose id `--format ids` could not print, and the first such id, quoted.
    left_out: u64,
    first_left_out: Option<String>,
}

impl Formatter {
    pub fn new(opts: &FmtOpts) -> Formatter {
        let tty = out::stdout_is_terminal();
        let format = opts.format.unwrap_or(if tty { Format::Table } else { Format::Tsv });
        let time = opts.time.unwrap_or(if format == Format::Tsv { Style::Utc } else { Style::Local });
        let width = opts.width.or_else(|| if tty { out::terminal_width() } else { None });
        let color = format == Format::Table && out::color_enabled(opts.color.unwrap_or(ColorWhen::Auto), tty);
        Formatter {
            format,
            time,
            header: !opts.no_header,
            columns: Columns::fit(width),
            width,
            paint: Paint { on: color },
            clock: Clock::new(),
            rows: 0,
            preamble: String::new(),
            epilogue: String::new(),
            empty: None,
            last_id: None,
            table_of: None,
            on_disk: None,
            marked: 0,
            absent_note: String::new(),
            buf: Vec::new(),
            left_out: 0,
            first_left_out: None,
        }
    }

    /// The session ids that have a transcript: a table marks the events of the others.
    pub fn on_disk(mut self, ids: HashSet<String>) -> Formatter {
        self.on_disk = Some(ids);
        self
    }

    /// One line on stderr when `--format ids` left events out.
    pub fn report(&self, tool: &str) {
        if let Some(first) = &self.first_left_out {
            let events = if self.left_out == 1 { "event" } else { "events" };
            diag::say(
                tool,
                &format!(
                    "left out {} {events} whose session_id is not a session id (first: {first})",
                    self.left_out
                ),
            );
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn paint(&self) -> Paint {
        self.paint
    }

    pub fn row(&mut self, out: &mut dyn Write, line: &[u8], event: &Event) -> Result<()> {
        let first = self.rows == 0;
        self.rows += 1;
        self.buf.clear();
        match self.format {
            Format::Table => {
                self.begin(Kind::Event);
                let absent = self.on_disk.as_ref().is_some_and(|ids| !ids.contains(event.session_id()));
                self.marked += u64::from(absent);
                let row = self.table_row(event, absent);
                self.buf.extend_from_slice(row.as_bytes());
                self.buf.push(b'\n');
            }
            Format::Fzf => {
                let row = self.table_row(event, false);
                let line = format!("{}\t{row}\n", tsv_field(event.session_id()));
                self.buf.extend_from_slice(line.as_bytes());
            }
            Format::Tsv => {
                let time = event.timestamp().map(|ts| self.clock.full(ts, self.time));
                let fields = [
                    event.session_id(),
                    event.who(),
                    time.as_deref().unwrap_or(""),
                    event.topic().unwrap_or(""),
                ];
                let line: Vec<String> = fields.iter().map(|f| tsv_field(f).into_owned()).collect();
                self.buf.extend_from_slice(line.join("\t").as_bytes());
                self.buf.push(b'\n');
            }
            Format::Json => self.push_json(first, line),
            Format::Ids => {
                let id = event.session_id();
                if id.is_empty() || !self.push_id(id) {
                    return Ok(());
                }
            }
        }
        out.write_all(&self.buf).or_closed()?;
        Ok(())
    }

    /// Any record in its own kind's layout: a seance-grep hit, a seance-trail record, a
    /// seance-sessions record, else an event (`event` is the line read as one).
    pub fn record(&mut self, out: &mut dyn Write, line: &[u8], event: &Event) -> Result<()> {
        if let Some(hit) = HitRecord::parse(line) {
            self.hit_row(out, line, &hit)
        } else if let Some(record) = TrailRecord::parse(line) {
            self.trail_row(out, line, &record)
        } else if let Some(record) = SessionRecord::parse(line) {
            self.session_row(out, line, &record)
        } else if let Some(record) = ListedRecord::parse(line) {
            self.listed_row(out, line, &record)
        } else {
            self.row(out, line, event)
        }
    }

    /// A seance-trail record: TIME, ROLE (the actor), KIND and WHAT in a table; the session id,
    /// time, actor, kind and what in tsv; the line itself in json; the session id once per run
    /// of its records in ids.
    pub fn trail_row(&mut self, out: &mut dyn Write, line: &[u8], record: &TrailRecord) -> Result<()> {
        let ts = record.ts.as_deref().and_then(|t| t.parse::<jiff::Timestamp>().ok());
        let actor = record.actor.as_deref().unwrap_or("-");
        let kind = record.artifact.kind().name();
        let what = record.artifact.what();
        let row = |this: &Formatter| {
            let time = ts.map(|t| this.clock.minute(t, this.time)).unwrap_or_default();
            let fixed = [(time.as_str(), TRAIL_TIME), (actor, TRAIL_ROLE), (kind, TRAIL_KIND)];
            this.fixed_line(&fixed, |room| cell(&what, room, false))
        };
        let tsv = |this: &Formatter| {
            let time = ts.map(|t| this.clock.full(t, this.time)).unwrap_or_default();
            vec![record.session_id.clone(), time, actor.to_string(), kind.to_string(), what.to_string()]
        };
        self.kind_row(out, line, &record.session_id, Kind::Trail, row, tsv)
    }

    /// A record of `kind` about session `id`: `row` in a table (under that kind's header) and
    /// after the id in fzf, the fields `tsv` gives in tsv, the line itself in json, the id once
    /// per run of its records in ids.
    fn kind_row(
        &mut self,
        out: &mut dyn Write,
        line: &[u8],
        id: &str,
        kind: Kind,
        row: impl FnOnce(&Formatter) -> String,
        tsv: impl FnOnce(&Formatter) -> Vec<String>,
    ) -> Result<()> {
        let first = self.rows == 0;
        self.rows += 1;
        self.buf.clear();
        match self.format {
            Format::Table => {
                self.begin(kind);
                let row = row(self);
                self.buf.extend_from_slice(row.as_bytes());
            }
            Format::Fzf => {
                let row = format!("{}\t{}", tsv_field(id), row(self));
                self.buf.extend_from_slice(row.as_bytes());
            }
            Format::Tsv => {
                let fields: Vec<String> = tsv(self).iter().map(|f| tsv_field(f).into_owned()).collect();
                self.buf.extend_from_slice(fields.join("\t").as_bytes());
            }
            Format::Json | Format::Ids => return self.line_or_id(out, first, line, id),
        }
        self.buf.push(b'\n');
        out.write_all(&self.buf).or_closed()
    }

    /// A record of any kind but an event in json (the line itself) or ids
    /// (its session id once per run of its records); counted already.
    fn line_or_id(&mut self, out: &mut dyn Write, first: bool, line: &[u8], id: &str) -> Result<()> {
        self.buf.clear();
        if self.format == Format::Json {
            self.push_json(first, line);
        } else {
            if self.last_id.as_deref() == Some(id) || !self.push_id(id) {
                return Ok(());
            }
            self.last_id = Some(id.to_string());
        }
        out.write_all(&self.buf).or_closed()
    }

    /// Appends `line` to the JSON array: indented, hidden characters escaped.
    fn push_json(&mut self, first: bool, line: &[u8]) {
        self.buf.extend_from_slice(if first { b"[\n  " } else { b",\n  " });
        let from = self.buf.len();
        rawjson::indent_into(&mut self.buf, line, 1);
        printable::escape_json_hidden(&mut self.buf, from);
    }

    /// Appends `id` on a line of its own, as `| seance-stage` reads ids; false, with nothing
    /// appended, for an id that is not a session id (a newline in it would name another
    /// session): that one is left out, counted and said at the end.
    fn push_id(&mut self, id: &str) -> bool {
        if !valid_session_id(id) {
            self.rows -= 1;
            self.left_out += 1;
            self.first_left_out.get_or_insert_with(|| quote(id));
            return false;
        }
        self.buf.extend_from_slice(id.as_bytes());
        self.buf.push(b'\n');
        true
    }

    /// A seance-grep hit: SESSION_ID, ROLE, KIND and TEXT in a table, the match marked when
    /// colour is on; the session id, role, kind and text in tsv; the line itself in json; the
    /// session id once per run of its hits in ids.
    pub fn hit_row(&mut self, out: &mut dyn Write, line: &[u8], hit: &HitRecord) -> Result<()> {
        let role = hit.actor.as_deref().or(hit.role.as_deref()).unwrap_or("-");
        let fixed =
            [(hit.session_id.as_str(), GT_COLUMNS.id), (role, HIT_ROLE), (hit.kind.as_str(), HIT_KIND)];
        let row = |this: &Formatter| {
            this.fixed_line(&fixed, |room| marked_cell(&hit.text, hit.range, room, this.paint))
        };
        let tsv = |_: &Formatter| {
            vec![hit.session_id.clone(), role.to_string(), hit.kind.clone(), hit.text.clone()]
        };
        self.kind_row(out, line, &hit.session_id, Kind::Hit, row, tsv)
    }

    /// A `seance-grep -l` record: SESSION_ID, ROLE (the town's actor, else -), HITS and TOPIC
    /// (else -) in a table; the session id, actor, hit count and topic in tsv.
    pub fn listed_row(&mut self, out: &mut dyn Write, line: &[u8], record: &ListedRecord) -> Result<()> {
        let actor = record.actor.as_deref().filter(|a| !a.is_empty());
        let topic = record.topic.as_deref().filter(|t| !t.is_empty());
        let hits = record.hits.to_string();
        let row = |this: &Formatter| {
            let fixed = [
                (record.session_id.as_str(), GT_COLUMNS.id),
                (actor.unwrap_or("-"), HIT_ROLE),
                (hits.as_str(), LISTED_HITS),
            ];
            this.fixed_line(&fixed, |room| cell(topic.unwrap_or("-"), room, false))
        };
        let tsv = |_: &Formatter| {
            let text = |t: Option<&str>| t.unwrap_or("").to_string();
            vec![record.session_id.clone(), text(actor), hits.clone(), text(topic)]
        };
        self.kind_row(out, line, &record.session_id, Kind::Listed, row, tsv)
    }

    /// In a table, what goes before a row of `kind`: the preamble before the first row, and
    /// the kind's header and rule wherever a new kind of record starts (after a blank line
    /// when a table of another kind came before).
    fn begin(&mut self, kind: Kind) {
        if self.format != Format::Table || self.table_of == Some(kind) {
            return;
        }
        let before = self.table_of.replace(kind);
        if before.is_none() {
            self.buf.extend_from_slice(self.preamble.as_bytes());
        }
        if !self.header {
            return;
        }
        if before.is_some() {
            self.buf.push(b'\n');
        }
        let fixed_header = |fixed: &[(&str, usize)], last: &str| {
            let mut header = self.fixed_line(fixed, |_| String::new());
            header.push_str(last);
            (header, self.width.unwrap_or(GT_COLUMNS.total()).min(GT_COLUMNS.total()))
        };
        let (header, rule) = match kind {
            Kind::Event => (
                self.table_line(["SESSION_ID", "ROLE", "STARTED"], &cell("TOPIC", self.columns.topic, false)),
                self.columns.total(),
            ),
            Kind::Session => fixed_header(
                &[("SESSION_ID", GT_COLUMNS.id), ("ROLE/ACCOUNT", SESSION_WHO), ("MODIFIED", SESSION_TIME)],
                "TITLE",
            ),
            Kind::Trail => {
                fixed_header(&[("TIME", TRAIL_TIME), ("ROLE", TRAIL_ROLE), ("KIND", TRAIL_KIND)], "WHAT")
            }
            Kind::Listed => fixed_header(
                &[("SESSION_ID", GT_COLUMNS.id), ("ROLE", HIT_ROLE), ("HITS", LISTED_HITS)],
                "TOPIC",
            ),
            Kind::Hit => {
                fixed_header(&[("SESSION_ID", GT_COLUMNS.id), ("ROLE", HIT_ROLE), ("KIND", HIT_KIND)], "TEXT")
            }
        };
        let rule = "─".repeat(rule);
        self.buf.extend_from_slice(
            format!("{}\n{}\n", self.paint.bold(&header), self.paint.dim(&rule)).as_bytes(),
        );
    }

    /// A seance-sessions record: SESSION_ID, ROLE/ACCOUNT (the town's actor, else the account),
    /// MODIFIED and TITLE (the title, else the first prompt, else `-`) in a table; the session
    /// id, who, modified time and title in tsv; the line itself in json; the id in ids.
    pub fn session_row(&mut self, out: &mut dyn Write, line: &[u8], record: &SessionRecord) -> Result<()> {
        let modified = record.modified.parse::<jiff::Timestamp>().ok();
        let row = |this: &Formatter| {
            let time = modified.map_or_else(|| record.modified.clone(), |t| this.clock.minute(t, this.time));
            let fixed = [
                (record.session_id.as_str(), GT_COLUMNS.id),
                (record.who(), SESSION_WHO),
                (time.as_str(), SESSION_TIME),
            ];
            this.fixed_line(&fixed, |room| cell(record.about().unwrap_or("-"), room, false))
        };
        let tsv = |this: &Formatter| {
            let time = modified.map_or_else(|| record.modified.clone(), |t| this.clock.full(t, this.time));
            let about = record.about().unwrap_or("").to_string();
            vec![record.session_id.clone(), record.who().to_string(), time, about]
        };
        self.kind_row(out, line, &record.session_id, Kind::Session, row, tsv)
    }

    /// Fixed columns, padded and two spaces apart, then the last cell made by `last` in the room
    /// left (the rest of the width, at least 8; unbounded when the width is not known).
    fn fixed_line(&self, fixed: &[(&str, usize)], last: impl FnOnce(usize) -> String) -> String {
        let mut line = String::new();
        let mut used = 0;
        for &(text, width) in fixed {
            line.push_str(&cell(text, width, true));
            line.push_str(GAP);
            used += width + GAP.len();
        }
        let room = self.width.map_or(usize::MAX, |w| w.saturating_sub(used).max(NARROWEST));
        line.push_str(&last(room));
        line
    }

    pub fn finish(&mut self, out: &mut dyn Write) -> Result<()> {
        match self.format {
            Format::Json if self.rows == 0 => out.write_all(b"[]\n").or_closed()?,
            Format::Json => out.write_all(b"\n]\n").or_closed()?,
            Format::Table if self.rows == 0 => {
                let text = match &self.empty {
                    Some(text) => text.clone(),
                    None => format!(
                        "No session events found.\n{}\n{}\n",
                        self.paint.dim("Sessions are discovered from ~/gt/.events.jsonl"),
                        self.paint.dim("Ensure SessionStart hooks emit session_start events"),
                    ),
                };
                out.write_all(text.as_bytes()).or_closed()?;
            }
            Format::Table => {
                if self.marked > 0 {
                    out.write_all(self.absent_note.as_bytes()).or_closed()?;
                }
                out.write_all(self.epilogue.as_bytes()).or_closed()?
            }
            _ => {}
        }
        out.flush().or_closed()
    }

    /// gt's row for `event`; `absent` starts its TOPIC cell with the mark (aligned, and next to
    /// what it marks however wide the terminal), the topic cut to the room left.
    fn table_row(&self, event: &Event, absent: bool) -> String {
        let started = match (event.timestamp(), event.ts.as_deref()) {
            (Some(ts), _) => self.clock.minute(ts, self.time),
            (None, raw) => raw.unwrap_or("").to_string(),
        };
        let topic = event.topic().unwrap_or("-");
        let cells = [event.session_id(), event.who(), &started];
        if !absent {
            return self.table_line(cells, &cell(topic, self.columns.topic, false));
        }
        let width = self.columns.topic;
        let mark = if width >= ABSENT.chars().count() + GAP.len() + NARROWEST_AT_ALL {
            ABSENT
        } else {
            ABSENT_SHORT
        };
        let room = width.saturating_sub(mark.chars().count() + GAP.len());
        let topic = match room {
            0 => self.paint.mark(mark),
            room => format!("{}{GAP}{}", self.paint.mark(mark), cell(topic, room, false)),
        };
        self.table_line(cells, &topic)
    }

    /// The cells in gt's columns, then `last` (TOPIC, cut already) as it is.
    fn table_line(&self, cells: [&str; 3], last: &str) -> String {
        let c = self.columns;
        let mut line = String::new();
        for (text, width) in cells.into_iter().zip([c.id, c.role, c.time]) {
            line.push_str(&cell(text, width, true));
            line.push_str(GAP);
        }
        line.push_str(last);
        line
    }
}

/// `text` in `width` display columns: cut to `width - 1` plus `…` when too wide (never inside a
/// character; combining marks stay with their base), then padded with spaces when `pad`.
/// Control characters become spaces and format characters (bidi overrides, zero-width ones)
/// are left out, so that a hostile topic can neither break the layout nor reorder what a
/// reader sees.
pub(crate) fn cell(text: &str, width: usize, pad: bool) -> String {
    let shown = || shown(text);
    let char_width = |c: char| c.width().unwrap_or(0);
    let full: usize = shown().map(char_width).sum();
    let mut out = String::with_capacity(text.len());
    let mut used = 0;
    if full <= width {
        out.extend(shown());
        used = full;
    } else if width > 0 {
        for c in shown() {
            let w = char_width(c);
            if used + w > width - 1 {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        used += 1;
    }
    if pad {
        out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    }
    out
}

/// The characters of `text` a cell shows, one for one: control characters as spaces, format
/// characters left out.
fn shown(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter_map(|c| match c {
        c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => Some(' '),
        c if is_hidden(c) => None,
        c => Some(c),
    })
}

/// `cell(text, width, false)` with the bytes `range` of `text` marked (when colour is on): the
/// cell shows `text` one character for one, so the mark is found by counting shown characters,
/// and stops before a cut's `…`.
fn marked_cell(text: &str, range: [usize; 2], width: usize, paint: Paint) -> String {
    let plain = cell(text, width, false);
    let [start, end] = range;
    if !paint.on || start >= end || text.get(start..end).is_none() {
        return plain;
    }
    let before = shown(&text[..start]).count();
    let within = shown(&text[start..end]).count();
    let total = plain.chars().count();
    let kept = if shown(text).count() == total { total } else { total.saturating_sub(1) };
    let at = |n: usize| plain.char_indices().nth(n.min(kept)).map_or(plain.len(), |(i, _)| i);
    let (from, to) = (at(before), at(before + within));
    if from >= to {
        return plain;
    }
    format!("{}{}{}", &plain[..from], paint.mark(&plain[from..to]), &plain[to..])
}

/// A tsv field on one line: tab, newline, carriage return and backslash as `\t`, `\n`, `\r`,
/// `\\`, other control and format characters as `\u{XXXX}`.
fn tsv_field(text: &str) -> std::borrow::Cow<'_, str> {
    printable::escape(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cut_by_display_width() {
        assert_eq!(cell("abc", 5, true), "abc  ");
        assert_eq!(cell("abcdef", 5, true), "abcd…");
        // Wide characters are two columns; one that would straddle the cut is left out.
        assert_eq!(cell("日本語の話", 6, true), "日本… ");
        // A combining accent stays with its letter and costs no width.
        assert_eq!(cell("e\u{301}e\u{301}e\u{301}xyz", 5, false), "e\u{301}e\u{301}e\u{301}x…");
        assert_eq!(cell("a\tb", 5, false), "a b");
    }

    #[test]
    fn columns_shrink_topic_then_role() {
        assert_eq!(Columns::fit(None), GT_COLUMNS);
        assert_eq!(Columns::fit(Some(88)), GT_COLUMNS);
        // A wide terminal gives TOPIC the rest.
        assert_eq!(Columns::fit(Some(200)), Columns { topic: 140, ..GT_COLUMNS });
        assert_eq!(Columns::fit(Some(80)).topic, 20);
        let narrow = Columns::fit(Some(50));
        assert_eq!((narrow.topic, narrow.role), (8, 8));
        let narrower = Columns::fit(Some(40));
        assert_eq!((narrower.topic, narrower.role, narrower.total()), (3, 3, 40));
    }

    #[test]
    fn tsv_escapes() {
        assert_eq!(tsv_field("a\tb\\c\nd"), "a\\tb\\\\c\\nd");
    }
}
