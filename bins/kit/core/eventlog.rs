//! The event-log reader behind seance-events, the listing and completion: the town's session
//! events, newest first, each line unchanged.
//!
//! The log is read from its end. Lines are "roughly" in time order, so events wait in a heap
//! until a line at least the window older than them has been read: nothing still unread can
//! then be newer, and they are emitted. `| head` therefore costs about what it prints plus one
//! window of log. Lines that cannot be a wanted event (they do not contain the quoted type
//! name) are passed over without being parsed, which is what keeps a full scan near `grep`.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use memchr::memmem::Finder;

use super::error::{Error, Result};
use super::event::{Event, Malformed};
use super::lines::{ForwardLines, ReverseLines, is_blank, trim_eol};
use super::malformed::{Place, Skipped};
use super::rawjson;
use super::regular::{self, How, Refused};
use super::town;

/// Whether a producer should go on after handing over an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// Where events go: stdout for a standalone tool, the next stage inside the wrapper.
pub trait Sink {
    fn event(&mut self, line: &[u8], event: &Event) -> Result<Flow>;
    /// Called when a producer is about to wait (`--follow`), so what was found gets seen.
    fn flush(&mut self) -> Result<()>;
}

/// How far out of time order the log's lines may be, unless the caller says otherwise.
pub const DEFAULT_WINDOW: SignedDuration = SignedDuration::from_mins(5);

/// What to read and which events are wanted.
#[derive(Debug)]
pub struct EventsOpts {
    pub town: Option<PathBuf>,
    /// Another log than the town's; `-` is stdin.
    pub events: Option<PathBuf>,
    /// Empty: session_start.
    pub types: Vec<String>,
    pub all_types: bool,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub follow: bool,
    pub window: SignedDuration,
    /// At most this many events (`-n`; 0 or none: all); with `follow`, the backlog shown
    /// before the new events (none by default).
    pub limit: Option<usize>,
    /// The first malformed line stops the scan.
    pub strict: bool,
}

impl Default for EventsOpts {
    fn default() -> Self {
        EventsOpts {
            town: None,
            events: None,
            types: Vec::new(),
            all_types: false,
            since: None,
            until: None,
            follow: false,
            window: DEFAULT_WINDOW,
            limit: None,
            strict: false,
        }
    }
}

/// Which events are wanted, and the cheap test that rules most lines out unparsed.
struct Wanted<'o> {
    opts: &'o EventsOpts,
    /// The wanted types as they appear quoted in JSON; empty with `--all-types`.
    needles: Vec<Finder<'static>>,
}

impl<'o> Wanted<'o> {
    fn new(opts: &'o EventsOpts) -> Wanted<'o> {
        let types: Vec<&str> = match (opts.all_types, opts.types.is_empty()) {
            (true, _) => Vec::new(),
            (false, true) => vec!["session_start"],
            (false, false) => opts.types.iter().map(String::as_str).collect(),
        };
        let needles = types.iter().map(|t| Finder::new(rawjson::string(t).as_bytes()).into_owned()).collect();
        Wanted { opts, needles }
    }

    fn candidate(&self, line: &[u8]) -> bool {
        !is_blank(line) && (self.needles.is_empty() || self.needles.iter().any(|n| n.find(line).is_some()))
    }

    fn type_matches(&self, event: &Event) -> bool {
        if self.opts.all_types {
            return true;
        }
        let kind = event.kind.as_deref().unwrap_or("");
        if self.opts.types.is_empty() {
            kind == "session_start"
        } else {
            self.opts.types.iter().any(|t| t == kind)
        }
    }

    fn time_matches(&self, ts: Timestamp) -> bool {
        self.opts.since.is_none_or(|since| ts >= since) && self.opts.until.is_none_or(|until| ts < until)
    }

    /// Parses a candidate line; `Ok(None)` for a malformed one, which is counted.
    fn parse<'l>(
        &self,
        line: &'l [u8],
        place: Place,
        skipped: &mut Skipped,
    ) -> Result<Option<Candidate<'l>>> {
        let event = match Event::parse(line) {
            Ok(event) => event,
            Err(why) => {
                skipped.record(place, &why)?;
                return Ok(None);
            }
        };
        let ts = event.timestamp();
        let type_matches = self.type_matches(&event);
        if type_matches && ts.is_none() {
            skipped.record(place, &Malformed("no valid \"ts\"".into()))?;
        }
        let wanted = type_matches && ts.is_some_and(|ts| self.time_matches(ts));
        Ok(Some(Candidate { event, ts, wanted }))
    }

    /// The event on a line when it is wanted.
    fn pick<'l>(&self, line: &'l [u8], place: Place, skipped: &mut Skipped) -> Result<Option<Event<'l>>> {
        Ok(self.parse(line, place, skipped)?.filter(|c| c.wanted).map(|c| c.event))
    }
}

/// A line that parsed as an event: its time, when valid, and whether it is wanted.
struct Candidate<'l> {
    event: Event<'l>,
    ts: Option<Timestamp>,
    wanted: bool,
}

/// Emits the wanted events of the log (or stdin) to `sink`.
pub fn scan(opts: &EventsOpts, skipped: &mut Skipped, sink: &mut dyn Sink) -> Result<()> {
    let wanted = Wanted::new(opts);
    let (path, file) = match &opts.events {
        Some(path) if path.as_os_str() == "-" => {
            return scan_forward(&wanted, io::stdin().lock(), "<stdin>", skipped, sink);
        }
        // A file named on purpose may be a pipe (`--events <(...)`): read it as a stream.
        Some(path) => match File::open(path) {
            Ok(file) => (path.clone(), file),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return missing(&wanted, path, skipped, sink);
            }
            Err(err) => return Err(Error::io("open", path.display(), err)),
        },
        // The town's log must be a regular file: a FIFO there is refused, never waited on.
        None => {
            let path = town::events_log(&town::find(opts.town.as_deref())?);
            match regular::open(&path, How::READ) {
                Ok(file) => (path, file),
                Err(Refused::Missing) => return missing(&wanted, &path, skipped, sink),
                Err(refused) => return Err(refused.error(&path, How::READ.role)),
            }
        }
    };
    let meta = file.metadata().map_err(|e| Error::io("read", path.display(), e))?;
    if !meta.is_file() {
        let name = path.display().to_string();
        return scan_forward(&wanted, io::BufReader::new(file), &name, skipped, sink);
    }
    let mut len = meta.len();
    if !opts.follow {
        let mut limited = Limited { sink, left: opts.limit.filter(|n| *n > 0) };
        scan_backward(&wanted, file, len, &path, skipped, &mut limited)?;
        return Ok(());
    }
    // A line still being written when we start is left for the follower to finish.
    len = complete_len(&file, len).map_err(|e| Error::io("read", path.display(), e))?;
    let follower = file.try_clone().map_err(|e| Error::io("read", path.display(), e))?;
    if let Some(backlog) = opts.limit.filter(|n| *n > 0) {
        // The last `backlog` events, then the new ones, all in time order.
        let mut newest = Newest { events: Vec::new(), left: backlog };
        scan_backward(&wanted, file, len, &path, skipped, &mut newest)?;
        for line in newest.events.iter().rev() {
            if let Ok(event) = Event::parse(line)
                && sink.event(line, &event)? == Flow::Stop
            {
                return Ok(());
            }
        }
    }
    follow(&wanted, &path, Some(Tail::new(follower, len)), skipped, sink)
}

/// A missing log is an empty backlog; a follower waits for it to appear.
fn missing(wanted: &Wanted, path: &Path, skipped: &mut Skipped, sink: &mut dyn Sink) -> Result<()> {
    if wanted.opts.follow { follow(wanted, path, None, skipped, sink) } else { Ok(()) }
}

/// Passes on at most `left` events (all when `None`), then asks the producer to stop.
struct Limited<'s> {
    sink: &'s mut dyn Sink,
    left: Option<usize>,
}

impl Sink for Limited<'_> {
    fn event(&mut self, line: &[u8], event: &Event) -> Result<Flow> {
        if self.left == Some(0) {
            return Ok(Flow::Stop);
        }
        self.left = self.left.map(|n| n - 1);
        let flow = self.sink.event(line, event)?;
        Ok(if self.left == Some(0) { Flow::Stop } else { flow })
    }

    fn flush(&mut self) -> Result<()> {
        self.sink.flush()
    }
}

/// Keeps the `left` newest events of a backward scan, newest first.
struct Newest {
    events: Vec<Vec<u8>>,
    left: usize,
}

impl Sink for Newest {
    fn event(&mut self, line: &[u8], _: &Event) -> Result<Flow> {
        self.events.push(line.to_vec());
        self.left -= 1;
        Ok(if self.left == 0 { Flow::Stop } else { Flow::Continue })
    }

    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Where the last complete line of `file`'s first `len` bytes ends.
fn complete_len(file: &File, len: u64) -> io::Result<u64> {
    let mut buf = vec![0; 64 * 1024];
    let mut end = len;
    while end > 0 {
        let from = end.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(end - from) as usize];
        file.read_exact_at(chunk, from)?;
        if let Some(newline) = memchr::memrchr(b'\n', chunk) {
            return Ok(from + newline as u64 + 1);
        }
        end = from;
    }
    Ok(0)
}

fn scan_forward(
    wanted: &Wanted,
    reader: impl io::BufRead,
    name: &str,
    skipped: &mut Skipped,
    sink: &mut dyn Sink,
) -> Result<()> {
    let mut lines = ForwardLines::new(reader);
    while let Some((number, line)) = lines.next_line().map_err(|e| Error::io("read", name, e))? {
        if !wanted.candidate(line) {
            continue;
        }
        if let Some(event) = wanted.pick(line, Place::Line(name, number), skipped)?
            && sink.event(line, &event)? == Flow::Stop
        {
            break;
        }
    }
    Ok(())
}

/// An event waiting for its turn; ordered by time, then by place in the log.
struct Pending {
    ts: Timestamp,
    offset: u64,
    line: Vec<u8>,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.ts, self.offset).cmp(&(other.ts, other.offset))
    }
}

/// How many far-off times (clock skew, year 0) the ordering bound shrugs off: it is taken from
/// the oldest time read but this many, so a handful of such lines cannot make newer events
/// come out early, out of order.
const SKEWED: usize = 16;

/// The oldest times read so far but the [`SKEWED`] oldest of them: everything still unread is
/// older than the oldest of these plus the window, for a log out of order by less than the
/// window and with at most [`SKEWED`] lines far off.
struct Bound {
    oldest: BinaryHeap<Timestamp>,
}

impl Bound {
    fn new() -> Bound {
        Bound { oldest: BinaryHeap::with_capacity(SKEWED + 2) }
    }

    fn read(&mut self, ts: Timestamp) {
        self.oldest.push(ts);
        if self.oldest.len() > SKEWED + 1 {
            self.oldest.pop();
        }
    }

    /// Events at least this new can be emitted: nothing unread is newer. None until enough
    /// lines have been read to tell far-off times from the rest.
    fn emit_from(&self, window: SignedDuration) -> Option<Timestamp> {
        if self.oldest.len() <= SKEWED {
            return None;
        }
        let trusted = *self.oldest.peek()?;
        Some(trusted.checked_add(window).unwrap_or(Timestamp::MAX))
    }
}

/// Reads the log from its end, emitting events newest first. `--since` does not end the scan
/// early: a line far off in time may sit anywhere, and it must be found whatever its
/// neighbours say (`seance-events --since T` gives what `seance-filter --since T` keeps).
fn scan_backward(
    wanted: &Wanted,
    file: File,
    len: u64,
    path: &Path,
    skipped: &mut Skipped,
    sink: &mut dyn Sink,
) -> Result<Flow> {
    let window = wanted.opts.window;
    let mut lines = ReverseLines::new(file, len).searching(wanted.needles.clone());
    let mut heap = BinaryHeap::new();
    let mut bound = Bound::new();
    while let Some((offset, line)) = lines.next_match().map_err(|e| Error::io("read", path.display(), e))? {
        if is_blank(line) {
            continue;
        }
        let Some(candidate) = wanted.parse(line, Place::Byte(path, offset), skipped)? else { continue };
        let Some(ts) = candidate.ts else { continue };
        bound.read(ts);
        if candidate.wanted {
            heap.push(Pending { ts, offset, line: line.to_vec() });
        }
        let Some(emit_from) = bound.emit_from(window) else { continue };
        while heap.peek().is_some_and(|p| p.ts >= emit_from) {
            if emit(heap.pop(), sink)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
    }
    while let Some(pending) = heap.pop() {
        if emit(Some(pending), sink)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::Continue)
}

fn emit(pending: Option<Pending>, sink: &mut dyn Sink) -> Result<Flow> {
    let Some(pending) = pending else { return Ok(Flow::Continue) };
    // The line was parsed when it was read; it parses the same way again.
    match Event::parse(&pending.line) {
        Ok(event) => sink.event(&pending.line, &event),
        Err(_) => Ok(Flow::Continue),
    }
}

const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// The file being followed: how far it has been read, and the start of a line not finished yet.
struct Tail {
    file: File,
    /// Bytes read so far.
    offset: u64,
    /// Bytes read past the last complete line, and the file offset where they start.
    partial: Vec<u8>,
    partial_at: u64,
}

impl Tail {
    fn new(file: File, offset: u64) -> Tail {
        Tail { file, offset, partial: Vec::new(), partial_at: offset }
    }

    fn is(&self, stat: &rustix::fs::Stat) -> bool {
        self.file.metadata().is_ok_and(|m| m.ino() == stat.st_ino && m.dev() == stat.st_dev)
    }

    /// Emits the complete lines appended since the last read; a truncated file is read again
    /// from its start.
    fn read_new(
        &mut self,
        wanted: &Wanted,
        path: &Path,
        skipped: &mut Skipped,
        sink: &mut dyn Sink,
    ) -> Result<Flow> {
        let len = self.file.metadata().map_err(|e| Error::io("read", path.display(), e))?.len();
        if len < self.offset {
            // Truncated in place (copy-truncate): what was read is gone; start over.
            self.unfinished(path, "cut short by a truncation", skipped)?;
            *self = Tail::new(self.file.try_clone().map_err(|e| Error::io("read", path.display(), e))?, 0);
        }
        let mut chunk = vec![0; 1 << 16];
        while self.offset < len {
            let want = ((len - self.offset) as usize).min(chunk.len());
            let read = self
                .file
                .read_at(&mut chunk[..want], self.offset)
                .map_err(|e| Error::io("read", path.display(), e))?;
            if read == 0 {
                break;
            }
            self.offset += read as u64;
            let fresh = &chunk[..read];
            let Some(last_newline) = memchr::memrchr(b'\n', fresh) else {
                self.partial.extend_from_slice(fresh);
                continue;
            };
            self.partial.extend_from_slice(&fresh[..=last_newline]);
            let mut at = self.partial_at;
            for line in self.partial.split_inclusive(|b| *b == b'\n') {
                let place = Place::Byte(path, at);
                at += line.len() as u64;
                let line = trim_eol(line);
                if !wanted.candidate(line) {
                    continue;
                }
                if let Some(event) = wanted.pick(line, place, skipped)?
                    && sink.event(line, &event)? == Flow::Stop
                {
                    return Ok(Flow::Stop);
                }
            }
            self.partial.clear();
            self.partial.extend_from_slice(&fresh[last_newline + 1..]);
            self.partial_at = at;
        }
        Ok(Flow::Continue)
    }

    /// Counts a line that will never be finished in this file.
    fn unfinished(&self, path: &Path, why: &str, skipped: &mut Skipped) -> Result<()> {
        if self.partial.is_empty() {
            return Ok(());
        }
        skipped.record(Place::Byte(path, self.partial_at), &Malformed(format!("incomplete line {why}")))
    }
}

/// Emits events appended to the log after `start` (the file and the length already read), in
/// the order they are written, until stdout's reader goes away. Like `tail -F`, a log renamed
/// away is read to its end before the new one at its name is opened, a log truncated in place
/// is read again from its start, and a line is emitted only once its newline is written.
fn follow(
    wanted: &Wanted,
    path: &Path,
    start: Option<Tail>,
    skipped: &mut Skipped,
    sink: &mut dyn Sink,
) -> Result<()> {
    let mut current = start;
    loop {
        if let Some(tail) = current.as_mut()
            && tail.read_new(wanted, path, skipped, sink)? == Flow::Stop
        {
            return Ok(());
        }
        // A name that is missing for now (between a rename and the new file) keeps the old file.
        if let Ok(stat) = rustix::fs::stat(path)
            && !current.as_ref().is_some_and(|tail| tail.is(&stat))
        {
            if let Some(mut old) = current.take() {
                // Lines written before the rename, since the last read, are emitted first.
                if old.read_new(wanted, path, skipped, sink)? == Flow::Stop {
                    return Ok(());
                }
                old.unfinished(path, "left at the end of a rotated log", skipped)?;
            }
            match regular::open(path, How::READ) {
                Ok(file) => {
                    current = Some(Tail::new(file, 0));
                    continue;
                }
                Err(Refused::Missing) => {}
                Err(refused) => return Err(refused.error(path, How::READ.role)),
            }
        }
        skipped.report_so_far();
        sink.flush()?;
        if stdout_reader_gone(POLL_INTERVAL) {
            return Ok(());
        }
    }
}

/// Waits up to `timeout` and tells whether stdout is a pipe whose reader has gone, so that
/// `seance-events --follow | head -1` ends even while the log is quiet.
fn stdout_reader_gone(timeout: Duration) -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let stdout = rustix::stdio::stdout();
    let mut fds = [PollFd::new(&stdout, PollFlags::empty())];
    let timeout = Timespec { tv_sec: timeout.as_secs() as i64, tv_nsec: timeout.subsec_nanos() as i64 };
    match poll(&mut fds, Some(&timeout)) {
        Ok(0) | Err(_) => false,
        Ok(_) => fds[0].revents().intersects(PollFlags::ERR | PollFlags::HUP),
    }
}
