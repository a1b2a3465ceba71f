//! Line readers for NDJSON: forward over any stream, and backward over a regular file so the
//! newest events cost time in proportion to how many are wanted, not to the size of the log.
//!
//! Both hand out lines without their terminator (`\n`, or `\r\n`), as borrowed bytes: a line
//! may be of any length and need not be UTF-8; what a line means is for the caller to judge.

use std::fs::File;
use std::io::{self, BufRead};
use std::os::unix::fs::FileExt;

use memchr::memmem::Finder;

/// Strips one line terminator, `\n` or `\r\n`.
pub fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Whether a line holds nothing but whitespace (skipped everywhere, never an error).
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Lines in stream order, numbered from 1 for messages like `<stdin>:7:`.
pub struct ForwardLines<R> {
    reader: R,
    buf: Vec<u8>,
    number: u64,
}

impl<R: BufRead> ForwardLines<R> {
    pub fn new(reader: R) -> Self {
        ForwardLines { reader, buf: Vec::new(), number: 0 }
    }

    /// The next line and its number.
    pub fn next_line(&mut self) -> io::Result<Option<(u64, &[u8])>> {
        self.buf.clear();
        if self.reader.read_until(b'\n', &mut self.buf)? == 0 {
            return Ok(None);
        }
        self.number += 1;
        Ok(Some((self.number, trim_eol(&self.buf))))
    }
}

const FIRST_CHUNK: usize = 64 * 1024;
const MAX_CHUNK: usize = 1024 * 1024;

/// Lines of a file from its end to its start. Reads in chunks that grow from 64 KiB to 1 MiB,
/// so that `| head` reads little; a line longer than a chunk is gathered whole, with reads that
/// double in size so that its cost stays linear in its length.
pub struct ReverseLines {
    file: File,
    /// The file offset of `buf[0]`.
    start: u64,
    buf: Vec<u8>,
    /// `buf[..end]` is what has not been handed out yet.
    end: usize,
    chunk: usize,
    needles: Vec<Finder<'static>>,
    /// File offsets of needle matches not yet handed out, ascending.
    hits: Vec<u64>,
}

impl ReverseLines {
    /// Reads `file` backwards from `len`, its size when the scan begins: what is appended later
    /// is left for a follower.
    pub fn new(file: File, len: u64) -> Self {
        ReverseLines {
            file,
            start: len,
            buf: Vec::new(),
            end: 0,
            chunk: FIRST_CHUNK,
            needles: Vec::new(),
            hits: Vec::new(),
        }
    }

    /// The next line toward the start of the file, with its byte offset in the file.
    pub fn next_line(&mut self) -> io::Result<Option<(u64, &[u8])>> {
        loop {
            let body_end = self.body_end();
            if let Some(newline) = memchr::memrchr(b'\n', &self.buf[..body_end]) {
                self.end = newline + 1;
                let line = trim_eol(&self.buf[newline + 1..body_end]);
                return Ok(Some((self.start + newline as u64 + 1, line)));
            }
            if self.start == 0 {
                if self.end == 0 {
                    return Ok(None);
                }
                self.end = 0;
                return Ok(Some((0, trim_eol(&self.buf[..body_end]))));
            }
            self.read_earlier()?;
        }
    }

    /// Makes [`next_match`](Self::next_match) hand out only lines that contain one of
    /// `needles`. Each chunk is searched once, forward, as grep does, so lines without a needle
    /// cost no work of their own.
    pub fn searching(mut self, needles: Vec<Finder<'static>>) -> Self {
        self.needles = needles;
        self
    }

    /// The next line toward the start of the file that contains a needle (any line when there
    /// are none).
    pub fn next_match(&mut self) -> io::Result<Option<(u64, &[u8])>> {
        if self.needles.is_empty() {
            return self.next_line();
        }
        loop {
            let body_end = self.body_end();
            // Hits at or past the unread end are in lines already handed out.
            let unread_end = self.start + body_end as u64;
            while self.hits.last().is_some_and(|hit| *hit >= unread_end) {
                self.hits.pop();
            }
            let unread = &self.buf[..body_end];
            if let Some(hit) = self.hits.last() {
                let at = (hit - self.start) as usize;
                let line_start = memchr::memrchr(b'\n', &unread[..at]).map(|i| i + 1);
                if line_start.is_some() || self.start == 0 {
                    let line_start = line_start.unwrap_or(0);
                    let line_end = memchr::memchr(b'\n', &unread[at..]).map_or(body_end, |i| at + i);
                    self.end = line_start;
                    return Ok(Some((
                        self.start + line_start as u64,
                        trim_eol(&self.buf[line_start..line_end]),
                    )));
                }
            } else if self.start == 0 {
                self.end = 0;
                return Ok(None);
            }
            // Whatever hit is left lies in the first line, which may go on in the chunk before:
            // keep that line only, so the buffer holds no more than one line plus one chunk.
            if let Some(first_newline) = memchr::memchr(b'\n', unread) {
                self.end = first_newline + 1;
            }
            self.read_earlier()?;
        }
    }

    /// Where the next line's text ends: the unread part ends just after that line's terminator,
    /// except at the very end of a file that lacks a final newline.
    fn body_end(&self) -> usize {
        if self.end > 0 && self.buf[self.end - 1] == b'\n' { self.end - 1 } else { self.end }
    }

    /// Prepends the chunk before `start` to what is left unread.
    fn read_earlier(&mut self) -> io::Result<()> {
        // A line longer than a chunk: rather than prepending chunk after chunk (copying the line
        // each time, and holding it twice meanwhile), find where it starts, then read the rest
        // of it in one piece: memory stays near the line's own size, whatever that is.
        let from = if self.end >= self.chunk {
            self.newline_before(self.start)?
        } else {
            self.start.saturating_sub(self.chunk as u64)
        };
        let len = (self.start - from) as usize;
        let mut fresh = Vec::with_capacity(len + self.end);
        fresh.resize(len, 0);
        self.file.read_exact_at(&mut fresh, from)?;
        fresh.extend_from_slice(&self.buf[..self.end]);
        if !self.needles.is_empty() {
            // Matches that start in the new chunk (they may run on into what was there before);
            // those that start later were found when their own chunk was read.
            let longest = self.needles.iter().map(|n| n.needle().len()).max().unwrap_or(1);
            let region = &fresh[..(len + longest - 1).min(fresh.len())];
            let mut found: Vec<u64> = Vec::new();
            for needle in &self.needles {
                found.extend(needle.find_iter(region).filter(|at| *at < len).map(|at| from + at as u64));
            }
            found.sort_unstable();
            found.append(&mut self.hits);
            self.hits = found;
        }
        self.end = fresh.len();
        self.buf = fresh;
        self.start = from;
        self.chunk = (self.chunk * 2).min(MAX_CHUNK);
        Ok(())
    }

    /// The offset of the last newline before `at` (0 when there is none), found with one
    /// chunk-sized buffer: where a long line that ends at `at` starts, terminator included.
    fn newline_before(&self, at: u64) -> io::Result<u64> {
        let mut scratch = vec![0; MAX_CHUNK];
        let mut end = at;
        while end > 0 {
            let from = end.saturating_sub(MAX_CHUNK as u64);
            let piece = &mut scratch[..(end - from) as usize];
            self.file.read_exact_at(piece, from)?;
            if let Some(newline) = memchr::memrchr(b'\n', piece) {
                return Ok(from + newline as u64);
            }
            end = from;
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn reverse(content: &[u8], chunk: usize) -> Vec<(u64, Vec<u8>)> {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(content).unwrap();
        let mut lines = ReverseLines::new(file, content.len() as u64);
        lines.chunk = chunk;
        let mut got = Vec::new();
        while let Some((offset, line)) = lines.next_line().unwrap() {
            got.push((offset, line.to_vec()));
        }
        got
    }

    #[test]
    fn reverse_matches_forward_for_every_chunk_size() {
        let content = b"one\r\ntwo\n\nthree-is-longer\nlast-without-newline";
        let mut forward: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut offset = 0;
        for piece in content.split_inclusive(|b| *b == b'\n') {
            forward.push((offset, trim_eol(piece).to_vec()));
            offset += piece.len() as u64;
        }
        forward.reverse();
        for chunk in 1..content.len() + 2 {
            assert_eq!(reverse(content, chunk), forward, "chunk {chunk}");
        }
    }

    #[test]
    fn search_finds_the_same_lines_as_a_line_by_line_scan() {
        let content = b"a x\nb\n\nx c x\r\nd\nlong line with x far from its start\ne";
        let needles = || vec![Finder::new(b"x").into_owned(), Finder::new(b"c x").into_owned()];
        let mut expected = reverse(content, 64);
        expected.retain(|(_, line)| line.contains(&b'x'));
        for chunk in 1..content.len() + 2 {
            let mut file = tempfile::tempfile().unwrap();
            file.write_all(content).unwrap();
            let mut lines = ReverseLines::new(file, content.len() as u64).searching(needles());
            lines.chunk = chunk;
            let mut got = Vec::new();
            while let Some((offset, line)) = lines.next_match().unwrap() {
                got.push((offset, line.to_vec()));
            }
            assert_eq!(got, expected, "chunk {chunk}");
        }
    }

    #[test]
    fn reverse_of_empty_and_newline_only_files() {
        assert!(reverse(b"", 4).is_empty());
        assert_eq!(reverse(b"\n", 4), vec![(0, vec![])]);
    }

    #[test]
    fn forward_numbers_lines_and_strips_crlf() {
        let mut lines = ForwardLines::new(&b"a\r\nb\nc"[..]);
        assert_eq!(lines.next_line().unwrap(), Some((1, &b"a"[..])));
        assert_eq!(lines.next_line().unwrap(), Some((2, &b"b"[..])));
        assert_eq!(lines.next_line().unwrap(), Some((3, &b"c"[..])));
        assert_eq!(lines.next_line().unwrap(), None);
    }
}
