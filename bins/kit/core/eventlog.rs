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
    let path = match &opts.events {
        Some(path) if path.as_os_str() == "-" => {
            return scan_forward(&wanted, io::stdin().lock(), "<stdin>", skipped, sink);
        }
        Some(path) => path.clone(),
        None => town::events_log(&town::find(opts.town.as_deref())?),
    };
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            return if opts.follow { follow(&wanted, &path, None, skipped, sink) } else { Ok(()) };
        }
        Err(err) => return Err(Error::io("open", path.display(), err)),
    };
    let meta = file.metadata().map_err(|e| Error::io("read", path.display(), e))?;
    if !meta.is_file() {
        let name = path.display().to_string();
        return scan_forward(&wanted, io::BufReader::new(file), &name, skipped, sink);
    }
    let len = meta.len();
    let follow_from = (file.try_clone().ok(), len);
    if scan_backward(&wanted, file, len, &path, skipped, sink)? == Flow::Stop || !opts.follow {
        return Ok(());
    }
    let (file, len) = follow_from;
    follow(&wanted, &path, file.map(|f| (f, len)), skipped, sink)
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
    // The oldest time read so far bounds everything still unread: it is older than this plus
    // the window.
    let mut oldest: Option<Timestamp> = None;
    while let Some((offset, line)) = lines.next_match().map_err(|e| Error::io("read", path.display(), e))? {
        if is_blank(line) {
            continue;
        }
        let Some(candidate) = wanted.parse(line, Place::Byte(path, offset), skipped)? else { continue };
        let Some(ts) = candidate.ts else { continue };
        let unread_bound = oldest.map_or(ts, |oldest| oldest.min(ts));
        oldest = Some(unread_bound);
        if candidate.wanted {
            heap.push(Pending { ts, offset, line: line.to_vec() });
        }
        let bound = unread_bound.checked_add(window).unwrap_or(Timestamp::MAX);
        while heap.peek().is_some_and(|p| p.ts >= bound) {
            if emit(heap.pop(), sink)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        if wanted.opts.since.is_some_and(|since| bound < since) {
            break;
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

/// Emits events appended to the log after `start` (the file and the length already read), in
/// the order they are written, until stdout's reader goes away.
fn follow(
    wanted: &Wanted,
    path: &Path,
    start: Option<(File, u64)>,
    skipped: &mut Skipped,
    sink: &mut dyn Sink,
) -> Result<()> {
    let mut current = start;
    // Bytes read past the last complete line, and the file offset where they start.
    let mut partial: Vec<u8> = Vec::new();
    let mut partial_at = current.as_ref().map_or(0, |(_, len)| *len);
    loop {
        sink.flush()?;
        if stdout_reader_gone(POLL_INTERVAL) {
            return Ok(());
        }
        let Ok(meta) = std::fs::metadata(path) else { continue };
        let replaced = current.as_ref().is_none_or(|(file, _)| {
            file.metadata().map_or(true, |m| m.ino() != meta.ino() || m.dev() != meta.dev())
        });
        if replaced {
            let Ok(file) = File::open(path) else { continue };
            current = Some((file, 0));
            (partial, partial_at) = (Vec::new(), 0);
        }
        let Some((file, offset)) = current.as_mut() else { continue };
        let len = file.metadata().map_or(0, |m| m.len());
        if len < *offset {
            // Truncated in place: start over from the top.
            *offset = 0;
            (partial, partial_at) = (Vec::new(), 0);
        }
        while *offset < len {
            let mut chunk = vec![0; ((len - *offset) as usize).min(1 << 20)];
            let read = file.read_at(&mut chunk, *offset).map_err(|e| Error::io("read", path.display(), e))?;
            if read == 0 {
                break;
            }
            *offset += read as u64;
            partial.extend_from_slice(&chunk[..read]);
            let Some(last_newline) = memchr::memrchr(b'\n', &partial) else { continue };
            let complete = last_newline + 1;
            let mut at = partial_at;
            for line in partial[..complete].split_inclusive(|b| *b == b'\n') {
                let place = Place::Byte(path, at);
                at += line.len() as u64;
                let line = trim_eol(line);
                if !wanted.candidate(line) {
                    continue;
                }
                if let Some(event) = wanted.pick(line, place, skipped)?
                    && sink.event(line, &event)? == Flow::Stop
                {
                    return Ok(());
                }
            }
            partial.drain(..complete);
            partial_at = at;
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
