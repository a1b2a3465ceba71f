//! Matching a pattern against the decoded text of transcripts (seance-grep): the regex, the
//! literals that let the reader skip lines without decoding them, and the context of a hit.

use regex::{Regex, RegexBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{Hir, Look};

use super::transcript::{Prefilter, Strings, decode_strings, raw_safe_pieces};

/// A seance-grep hit as seance-fmt reads it back: the session, who it is (when the town knows),
/// the kind of text, the text and the match's byte offsets in it.
#[derive(Debug, serde::Deserialize)]
pub struct HitRecord {
    pub session_id: String,
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    pub kind: String,
    pub text: String,
    #[serde(rename = "match")]
    pub range: [usize; 2],
}

impl HitRecord {
    /// `line` as a grep hit, when it is one (a JSON object with `session_id`, `kind`, `text` and
    /// `match` at the top).
    pub fn parse(line: &[u8]) -> Option<HitRecord> {
        memchr::memmem::find(line, b"\"match\"")?;
        serde_json::from_slice(line).ok()
    }
}

/// A `seance-grep -l` record as seance-fmt reads it back: a session and how many hits it had.
#[derive(Clone, Debug, serde::Deserialize, PartialEq, Eq)]
pub struct ListedRecord {
    pub session_id: String,
    pub hits: u64,
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub topic: Option<String>,
}

impl ListedRecord {
    /// `line` as a `-l` record, when it is one (a JSON object with `session_id` and a number
    /// `hits` at the top).
    pub fn parse(line: &[u8]) -> Option<ListedRecord> {
        memchr::memmem::find(line, b"\"hits\"")?;
        serde_json::from_slice(line).ok()
    }
}

/// How a pattern is read.
#[derive(Clone, Copy, Debug, Default)]
pub struct Syntax {
    /// `-F`: the pattern is a plain string.
    pub fixed: bool,
    /// `-i`
    pub ignore_case: bool,
    /// `-w`: only whole words.
    pub word: bool,
    /// `-U`: a match may span lines of the text.
    pub multiline: bool,
}

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct Matcher {
    regex: Regex,
    multiline: bool,
    prefilter: Option<Prefilter>,
    /// The same pattern over bytes, run on a line's decoded strings (see [`Matcher::line_filter`]).
    strings: Option<regex::bytes::Regex>,
}

/// Why a pattern cannot be used, in one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadPattern {
    /// What is wrong and where: `unclosed group at character 1`.
    pub message: String,
    /// The pattern is not valid regex syntax (as plain text it would be fine).
    pub syntax: bool,
}

impl BadPattern {
    /// `err` said of a pattern whose own text (before `-w` wrapped it) is `pattern`.
    fn of(err: regex::Error, pattern: &str, ignore_case: bool) -> BadPattern {
        let parsed = regex_syntax::ParserBuilder::new()
            .case_insensitive(ignore_case)
            .multi_line(true)
            .build()
            .parse(pattern);
        // The regex crate's own message spans lines (the pattern, a caret, the error): the
        // parser's error gives the same what and where as parts.
        let (what, offset) = match parsed {
            Err(regex_syntax::Error::Parse(e)) => (e.kind().to_string(), e.span().start.offset),
            Err(regex_syntax::Error::Translate(e)) => (e.kind().to_string(), e.span().start.offset),
            _ => {
                let message = match err {
                    regex::Error::CompiledTooBig(limit) => {
                        format!("it compiles to more than {} MB; make it simpler", limit / (1024 * 1024))
                    }
                    other => other.to_string().lines().last().unwrap_or_default().to_string(),
                };
                return BadPattern { message, syntax: false };
            }
        };
        let at = pattern.get(..offset).map_or(0, |b| b.chars().count()) + 1;
        BadPattern { message: format!("{what} at character {at}"), syntax: true }
    }
}

/// Longer literals make a prefilter that skips more; shorter ones are not worth a pass.
const MIN_LITERAL: usize = 3;

impl Matcher {
    pub fn new(pattern: &str, syntax: Syntax) -> Result<Matcher, BadPattern> {
        let inner = if syntax.fixed { regex::escape(pattern) } else { pattern.to_string() };
        let body =
            if syntax.word { format!(r"\b{{start-half}}(?:{inner})\b{{end-half}}") } else { inner.clone() };
        let regex = RegexBuilder::new(&body)
            .case_insensitive(syntax.ignore_case)
            .multi_line(true)
            .build()
            .map_err(|e| BadPattern::of(e, &inner, syntax.ignore_case))?;
        let hir = parse(&body, syntax.ignore_case);
        let strings = hir.as_ref().filter(|h| strings_tell(h)).and_then(|_| {
            regex::bytes::RegexBuilder::new(&body)
                .case_insensitive(syntax.ignore_case)
                .multi_line(true)
                .build()
                .ok()
        });
        let prefilter = if syntax.fixed {
            raw_safe_pieces(pattern)
                .max_by_key(|p| p.len())
                .filter(|p| p.len() >= MIN_LITERAL)
                .and_then(|p| Prefilter::new(&[p], syntax.ignore_case))
        } else {
            hir.as_ref().and_then(required_literals).and_then(|lits| Prefilter::new(&lits, false))
        };
        Ok(Matcher { regex, multiline: syntax.multiline, prefilter, strings })
    }

    /// A test that refuses, without decoding it, a transcript line none of whose text can
    /// match (for [`Reader::with_line_filter`](super::transcript::Reader::with_line_filter)):
    /// the pattern is run over the line's JSON strings, decoded, each on a line of its own.
    /// Every text block is one of those strings, with a line end (or the start or end of the
    /// scratch) on both sides, and `^`/`$` (multi-line), `\b`, `\B` and the half word
    /// boundaries see a line end there just as they see the start or end of the block's text; so
    /// a match in a block, or in one line of it, is a match here. Keys and metadata in the
    /// scratch can only let lines through that then do not match. `None` when the pattern uses
    /// `\A` or `\z` (which only the block's own start and end satisfy) or CRLF mode (whose `$`
    /// does not match between a `\r` ending a block and the line end after it).
    ///
    /// Made for one file: once it has let through nearly all of the file's first
    /// [`TRIAL`] bytes, it lets everything through unlooked (where nearly every line matches,
    /// as in tool output full of hashes, the walk is pure cost: the lines are decoded anyway).
    pub fn line_filter(&self) -> Option<impl FnMut(&[u8]) -> bool + Send + use<>> {
        // A clone has its own cache pool, owned by the thread that reads the file: no lock.
        let regex = self.strings.clone()?;
        let mut scratch = Vec::new();
        let (mut seen, mut kept) = (0usize, 0usize);
        Some(move |line: &[u8]| {
            if seen >= TRIAL && kept >= seen / 100 * 95 {
                return true;
            }
            let keep = keeps(&regex, line, &mut scratch);
            if scratch.capacity() > 4 * BATCH {
                // A huge string of a line just passed: not kept while the line is decoded.
                scratch = Vec::new();
            }
            seen += line.len();
            kept += if keep { line.len() } else { 0 };
            keep
        })
    }

    /// What every line holding a match contains, when that can be said.
    pub fn prefilter(&self) -> Option<Prefilter> {
        self.prefilter.clone()
    }

    /// Calls `each(start, end)` for every match in `text`, in order, until it returns false.
    /// Without `-U` a match lies within one line of the text, as if each line were searched
    /// on its own.
    ///
    /// An empty match (the pattern `''`, or `x*` where there is no x) stands for its line, as
    /// in grep: the first one in a line is a hit, the others are not (a hit per character would
    /// bury the output); non-empty matches in the same line still are.
    pub fn each_match(&self, text: &str, mut each: impl FnMut(usize, usize) -> bool) {
        // Where the line of the last empty hit ends: found once per such line, so linear.
        let mut quiet_until: Option<usize> = None;
        let mut each = |start: usize, end: usize| {
            if start == end {
                if quiet_until.is_some_and(|q| start <= q) {
                    return true;
                }
                quiet_until = Some(text[start..].find('\n').map_or(text.len(), |i| start + i));
            }
            each(start, end)
        };
        let mut at = 0;
        while at <= text.len() {
            let Some(found) = self.regex.find_at(text, at) else { return };
            let (start, end) = (found.start(), found.end());
            if self.multiline || !text[start..end].contains('\n') {
                if !each(start, end) {
                    return;
                }
                at = if end > start { end } else { next_char(text, end) };
                continue;
            }
            // The match ran over a line end, so the pattern can: from here on each line is
            // searched on its own, so that no search reads past its line (searching the whole
            // rest again after each line would read a text of many lines once per line).
            let mut line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let mut from = start;
            loop {
                let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
                // The text before the line stays in view, for `\b` and `^` at its start.
                let line = &text[..line_end];
                while from <= line.len() {
                    let Some(m) = self.regex.find_at(line, from) else { break };
                    if !each(m.start(), m.end()) {
                        return;
                    }
                    from = if m.end() > m.start() { m.end() } else { next_char(line, m.end()) };
                }
                if line_end == text.len() {
                    return;
                }
                line_start = line_end + 1;
                from = line_start;
            }
        }
    }
}

/// How many bytes of a file the line filter looks at before it may give up on the file.
const TRIAL: usize = 4 << 20;

/// A line's decoded strings are searched in batches of about this many bytes, so that a long
/// line matching early is not walked to its end.
const BATCH: usize = 4 * 1024;

/// Whether any of `line`'s strings, decoded, can hold a match of `regex`.
fn keeps(regex: &regex::bytes::Regex, line: &[u8], scratch: &mut Vec<u8>) -> bool {
    scratch.clear();
    scratch.push(b'\n');
    let mut found = false;
    let walk = decode_strings(line, scratch, |batch| {
        if batch.len() >= BATCH {
            found = regex.is_match(batch);
            // A batch ends at a string's end, so no string is split between two.
            batch.clear();
            batch.push(b'\n');
        }
        found
    });
    match walk {
        Strings::Odd | Strings::Stopped => true,
        Strings::Done => regex.is_match(scratch),
    }
}

/// Whether a match in a line's decoded strings stands for a match in its text (see
/// [`Matcher::line_filter`]).
fn strings_tell(hir: &Hir) -> bool {
    let looks = hir.properties().look_set();
    ![Look::Start, Look::End, Look::StartCRLF, Look::EndCRLF].into_iter().any(|l| looks.contains(l))
}

fn parse(pattern: &str, ignore_case: bool) -> Option<Hir> {
    regex_syntax::ParserBuilder::new()
        .case_insensitive(ignore_case)
        .multi_line(true)
        .build()
        .parse(pattern)
        .ok()
}

fn next_char(text: &str, at: usize) -> usize {
    at + text[at..].chars().next().map_or(1, char::len_utf8)
}

/// Literals one of which appears in the raw bytes of every line that holds a match of the
/// pattern `hir`: the prefixes (or suffixes) every match begins (or ends) with, each cut to its
/// longest run that a transcript stores unescaped.
fn required_literals(hir: &Hir) -> Option<Vec<String>> {
    let usable = |seq: Seq| -> Option<Vec<String>> {
        let literals = seq.literals()?;
        if literals.is_empty() {
            return None;
        }
        let mut out = Vec::new();
        for literal in literals {
            let text = std::str::from_utf8(literal.as_bytes()).ok()?;
            let piece = raw_safe_pieces(text).max_by_key(|p| p.len())?;
            if piece.len() < MIN_LITERAL {
                return None;
            }
            out.push(piece.to_string());
        }
        out.sort();
        out.dedup();
        Some(out)
    };
    let mut extractor = Extractor::new();
    let prefixes = usable(extractor.kind(ExtractKind::Prefix).extract(hir));
    let suffixes = usable(extractor.kind(ExtractKind::Suffix).extract(hir));
    let shortest = |l: &Vec<String>| l.iter().map(String::len).min().unwrap_or(0);
    match (prefixes, suffixes) {
        (Some(p), Some(s)) => Some(if shortest(&s) > shortest(&p) { s } else { p }),
        (p, s) => p.or(s),
    }
}

/// At most this many characters of context around a hit.
pub const CONTEXT: usize = 200;

/// The line of `text` around the match `start..end`, cut to [`CONTEXT`] characters around the
/// match, and the match's byte offsets in it.
///
/// Only the characters that can end up in the context are looked at (at most [`CONTEXT`] + 1 on
/// each side of the match, and of the match itself): a line of megabytes with thousands of hits
/// costs each hit its context, not the whole line.
pub fn context(text: &str, start: usize, end: usize) -> (&str, usize, usize) {
    const LIMIT: usize = CONTEXT + 1;
    // Back from the match to the line's start, or LIMIT characters, whichever comes first.
    let mut from_line = start;
    let mut before_all = 0;
    for (i, c) in text[..start].char_indices().rev() {
        if c == '\n' || before_all == LIMIT {
            break;
        }
        from_line = i;
        before_all += 1;
    }
    // On from the match to the line's end, likewise.
    let mut to_line = end;
    let mut after_all = 0;
    for (i, c) in text[end..].char_indices() {
        if c == '\n' || after_all == LIMIT {
            break;
        }
        to_line = end + i + c.len_utf8();
        after_all += 1;
    }
    let matched = text[start..end].chars().take(LIMIT).count();
    if before_all + matched + after_all <= CONTEXT {
        return (&text[from_line..to_line], start - from_line, end - from_line);
    }
    // The match (cut to fit), then room shared out before and after it.
    let kept = matched.min(CONTEXT);
    let room = CONTEXT - kept;
    let after = after_all.min(room - before_all.min(room / 2));
    let before = before_all.min(room - after);
    let from = match before {
        0 => start,
        n => text[from_line..start].char_indices().rev().nth(n - 1).map_or(from_line, |(i, _)| from_line + i),
    };
    let byte_after = |at: usize, n: usize| {
        text[at..to_line.max(at)].char_indices().nth(n).map_or(to_line.max(at), |(i, _)| at + i)
    };
    let (match_end, to) = if kept < matched {
        let cut = text[start..end].char_indices().nth(kept).map_or(end, |(i, _)| start + i);
        (cut, cut)
    } else {
        (end, byte_after(end, after))
    };
    (&text[from..to], start - from, match_end - from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, syntax: Syntax, text: &str) -> Vec<(usize, usize)> {
        let matcher = Matcher::new(pattern, syntax).unwrap();
        let mut out = Vec::new();
        matcher.each_match(text, |s, e| {
            out.push((s, e));
            true
        });
        out
    }

    #[test]
    fn lines_are_searched_apart_unless_multiline() {
        let text = "first foo\nbar second\nfoo  bar";
        let plain = Syntax::default();
        assert_eq!(matches(r"foo\s+bar", plain, text), vec![(21, 29)]);
        let multi = Syntax { multiline: true, ..plain };
        assert_eq!(matches(r"foo\s+bar", multi, text), vec![(6, 13), (21, 29)]);
        // A leftmost match that runs over a line end gives way to the line's own match.
        assert_eq!(matches(r"a\s*", plain, "xa\nb a"), vec![(1, 2), (5, 6)]);
        assert_eq!(matches(r"^b", plain, "a\nb"), vec![(2, 3)]);
    }

    #[test]
    fn an_empty_match_is_one_hit_per_line() {
        let plain = Syntax::default();
        assert_eq!(matches("", plain, "ab\n\ncd"), vec![(0, 0), (3, 3), (4, 4)]);
        // The line's non-empty matches are hits too.
        assert_eq!(matches("x*", plain, "axxb\nc"), vec![(0, 0), (1, 3), (5, 5)]);
        let multi = Syntax { multiline: true, ..plain };
        assert_eq!(matches("x*", multi, "axxb\nc"), vec![(0, 0), (1, 3), (5, 5)]);
        // Linear: a long line of empty matches is walked once.
        let long = "é".repeat(200_000);
        assert_eq!(matches("", plain, &long), vec![(0, 0)]);
    }

    #[test]
    fn fixed_words_and_case() {
        let fixed = Syntax { fixed: true, ..Syntax::default() };
        assert_eq!(matches("a.b", fixed, "axb a.b"), vec![(4, 7)]);
        let word = Syntax { word: true, ..fixed };
        assert_eq!(matches("-x", word, "a-x -x -xy (-x)"), vec![(4, 6), (12, 14)]);
        let icase = Syntax { ignore_case: true, ..fixed };
        assert_eq!(matches("ÇA", icase, "ça va"), vec![(0, 3)]);
    }

    #[test]
    fn prefilters_hold_only_what_the_raw_line_shows() {
        let lits = |p: &str, i: bool| required_literals(&parse(p, i).unwrap());
        assert_eq!(lits("migration plan", false), Some(vec!["migration plan".into()]));
        assert_eq!(
            lits(r"(deploy|release)d? script", false),
            Some(vec![
                "deploy script".into(),
                "deployd script".into(),
                "release script".into(),
                "released script".into()
            ])
        );
        assert_eq!(lits(r"\w+Error", false), Some(vec!["Error".into()]));
        // A quote is escaped in the line: the longest piece around it is looked for.
        assert_eq!(lits(r#"say "hello there""#, false), Some(vec!["hello there".into()]));
        assert_eq!(lits(r"[0-9a-f]{7} \w+", false), None);
        assert_eq!(lits("ab", false), None);
        assert!(
            Matcher::new("x\ty", Syntax { fixed: true, ..Syntax::default() }).unwrap().prefilter().is_none()
        );
    }

    /// Whether decoding `line` whole finds a match in its text, as seance-grep would.
    fn decoded_match(matcher: &Matcher, line: &str) -> bool {
        let Some(record) = crate::core::transcript::parse_line(line.as_bytes()) else { return false };
        record.blocks.iter().any(|block| {
            let mut found = false;
            matcher.each_match(&block.text, |_, _| {
                found = true;
                false
            });
            found
        })
    }

    /// A deterministic xorshift stream.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// `text` as a JSON string, written the way Claude Code does (`plain`) or with every
    /// escape JSON allows: `\/`, and `\u` for everything not ASCII (surrogate pairs beyond the
    /// BMP) and for some ASCII too.
    fn json(text: &str, plain: bool) -> String {
        if plain {
            return serde_json::to_string(text).unwrap();
        }
        let mut out = String::from("\"");
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '/' => out.push_str("\\/"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                'a' | 'e' => out.push_str(&format!("\\u{:04X}", c as u32)),
                c if c.is_ascii() && !c.is_control() => out.push(c),
                c => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
        }
        out.push('"');
        out
    }

    /// A transcript line holding `texts` as text, in one of the shapes parse_line reads, or
    /// only in metadata (where no text is).
    fn line_with(shape: usize, texts: &[String]) -> String {
        let (a, b) = (&texts[0], &texts[1]);
        let envelope = r#""sessionId":"76348a48","cwd":"/w/deploy plan","uuid":"content""#;
        match shape {
            0 => format!(r#"{{"type":"user","message":{{"role":"user","content":{a}}},{envelope}}}"#),
            1 => format!(
                r#"{{"type":"assistant","message":{{"content":[{{"type":"text","text":{a}}},{{"type":"text","text":{b}}}]}},{envelope}}}"#
            ),
            2 => format!(
                r#"{{"type":"assistant","message":{{"content":[{{"type":"tool_use","id":"t1","name":"Bash","input":{{"command":{a},"nested":{{"list":[1,true,null,{b}]}}}}}}]}},{envelope}}}"#
            ),
            3 => format!(
                r#"{{"type":"user","message":{{"content":[{{"tool_use_id":"t1","type":"tool_result","content":{a},"is_error":false}}]}},"toolUseResult":{{"stdout":{b}}},{envelope}}}"#
            ),
            4 => format!(
                r#"{{"type":"user","message":{{"content":[{{"type":"tool_result","tool_use_id":"t1","content":[{{"type":"text","text":{a}}},{{"type":"image","text":{b}}}]}}]}}}}"#
            ),
            5 => format!(r#"{{"type":"ai-title","aiTitle":{a},{envelope}}}"#),
            _ => format!(r#"{{"type":"progress","data":{{"text":{a},"more":[{b}]}},{envelope}}}"#),
        }
    }

    const PIECES: &[&str] = &[
        "deploy",
        "plan",
        "sessionId",
        "content",
        "ça",
        "ÇA",
        "日本語",
        "😀",
        "\"",
        "\\",
        "\t",
        "\n",
        "\r",
        " ",
        "x",
        "a-b",
        "é",
        "/",
        "  ",
        "Deploy",
        "_",
    ];

    const PATTERNS: &[&str] = &[
        "^deploy",
        "plan$",
        "^plan$",
        r"\bdeploy\b",
        r"\Bploy",
        r"\Bx\B",
        r"plan\s+deploy",
        r"plan\ndeploy",
        "^$",
        r"^\s*$",
        r"^\W",
        r"\W$",
        "sessionId",
        "content",
        "ça plan",
        "日本語$",
        "^😀",
        r#""\\"#,
        "\t",
        r"\w+ \w+$",
        "x$",
        "^_",
        r"[/\\]",
        "^ ",
        "é",
    ];

    #[test]
    fn the_line_filter_never_drops_a_line_whose_text_matches() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let (mut kept, mut dropped, mut matching) = (0, 0, 0);
        let mut compiled = std::collections::HashMap::new();
        for round in 0..20_000 {
            let texts: Vec<String> = (0..2)
                .map(|_| {
                    let text: String =
                        (0..1 + rng.below(6)).map(|_| PIECES[rng.below(PIECES.len())]).collect();
                    json(&text, rng.below(2) == 0)
                })
                .collect();
            let line = line_with(round % 7, &texts);
            // A piece of text as typed (-F), or as a regex.
            let piece = rng.below(4) == 0;
            let pattern =
                if piece { PIECES[rng.below(PIECES.len())] } else { PATTERNS[rng.below(PATTERNS.len())] };
            let syntax = Syntax {
                fixed: piece,
                ignore_case: rng.below(3) == 0,
                word: rng.below(4) == 0,
                multiline: rng.below(2) == 0,
            };
            let key = (pattern, syntax.fixed, syntax.ignore_case, syntax.word, syntax.multiline);
            let (matcher, keep) = compiled.entry(key).or_insert_with(|| {
                let matcher = Matcher::new(pattern, syntax).unwrap();
                let keep = matcher.line_filter().expect("no \\A, \\z or CRLF: a filter");
                (matcher, keep)
            });
            let keeps = keep(line.as_bytes());
            if decoded_match(matcher, &line) {
                matching += 1;
                assert!(keeps, "dropped a match: {pattern:?} {syntax:?} in {line}");
            }
            if keeps { kept += 1 } else { dropped += 1 }
        }
        // The test means something only if both outcomes are common.
        assert!(matching > 1500 && dropped > 5000 && kept > matching, "{matching} {kept} {dropped}");
    }

    #[test]
    fn the_line_filter_sees_decoded_text_only_where_it_is_a_string() {
        let keeps = |pattern: &str, syntax: Syntax, line: &str| {
            let matcher = Matcher::new(pattern, syntax).unwrap();
            matcher.line_filter().unwrap()(line.as_bytes())
        };
        let plain = Syntax::default();
        let line = |text: &str| line_with(0, &[json(text, false), json("", true)]);
        // Found as decoded, whatever the escapes.
        assert!(keeps(
            "say \"ça\"\\now\t😀/",
            Syntax { fixed: true, ..plain },
            &line("say \"ça\"\\now\t😀/")
        ));
        assert!(keeps(r"^second$", plain, &line("first\nsecond\nthird")));
        assert!(keeps(r"^first\b", plain, &line("first\nsecond\nthird")));
        assert!(keeps(r"\bthird$", plain, &line("first\nsecond\nthird")));
        assert!(keeps(r"first\s+second", Syntax { multiline: true, ..plain }, &line("first\nsecond")));
        // Not as escaped, and not across the strings of a line (their ends are line ends).
        assert!(!keeps(r"\\u00e7", plain, &line("ç")));
        assert!(!keeps(r#"user"\s*,"#, plain, &line("x")));
        assert!(!keeps("lay", Syntax { word: true, ..plain }, &line("player")));
        // Odd lines are left to the decoder, which counts them malformed.
        for odd in [r#"{"a":"\x"}"#, r#"{"a":"\ud800"}"#, r#"{"a":"\udc00\ud800"}"#, r#"{"a":"open"#] {
            assert!(keeps("nothing-here", plain, odd), "{odd}");
        }
    }

    #[test]
    fn decoded_strings_are_every_string_of_the_line() {
        let line = r#"{"k\"ey":"a\\b\/c\n\t\r\b\f","n":[1,"\u00e7\uD83D\uDE00\u65E5"],"e":""}"#;
        let mut out = Vec::new();
        assert_eq!(decode_strings(line.as_bytes(), &mut out, |_| false), Strings::Done);
        assert_eq!(String::from_utf8(out).unwrap(), "k\"ey\na\\b/c\n\t\r\u{8}\u{c}\nn\nç😀日\ne\n\n");
        // Stopping after the second string.
        let mut out = Vec::new();
        let mut seen = 0;
        let walk = decode_strings(line.as_bytes(), &mut out, |_| {
            seen += 1;
            seen == 2
        });
        assert_eq!((walk, out.as_slice()), (Strings::Stopped, "k\"ey\na\\b/c\n\t\r\u{8}\u{c}\n".as_bytes()));
    }

    #[test]
    fn the_line_filter_gives_up_on_a_file_where_nearly_every_line_matches() {
        let matcher = Matcher::new(r"\bx\b", Syntax::default()).unwrap();
        let line = |text: &str| line_with(0, &[json(text, true), json("", true)]);
        let (hit, miss) = (line("a x b"), line("a b"));
        let mut keep = matcher.line_filter().unwrap();
        assert!(!keep(miss.as_bytes()));
        for _ in 0..TRIAL / hit.len() + 1 {
            assert!(keep(hit.as_bytes()));
        }
        assert!(keep(miss.as_bytes()), "gave up: lets everything through");
        // Where it refuses enough, it goes on refusing.
        let mut keep = matcher.line_filter().unwrap();
        for _ in 0..TRIAL / hit.len() / 10 {
            assert!(!keep(miss.as_bytes()));
        }
        for _ in 0..TRIAL / hit.len() + 1 {
            assert!(keep(hit.as_bytes()));
        }
        assert!(!keep(miss.as_bytes()));
    }

    #[test]
    fn absolute_anchors_and_crlf_mode_get_no_line_filter() {
        for pattern in [r"\Adeploy", r"plan\z", r"(?R)plan$", r"(?R)^plan", r"x|\Ay"] {
            assert!(Matcher::new(pattern, Syntax::default()).unwrap().line_filter().is_none(), "{pattern}");
        }
        for pattern in ["^deploy", r"plan$", r"\bx\b", "plain"] {
            assert!(Matcher::new(pattern, Syntax::default()).unwrap().line_filter().is_some(), "{pattern}");
        }
    }

    /// The context as first written: the whole line counted for every hit.
    fn whole_line_context(text: &str, start: usize, end: usize) -> (&str, usize, usize) {
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let line = &text[line_start..line_end];
        let (start, end) = (start - line_start, end - line_start);
        if line.chars().count() <= CONTEXT {
            return (line, start, end);
        }
        let count = |s: &str| s.chars().count();
        let kept = count(&line[start..end]).min(CONTEXT);
        let room = CONTEXT - kept;
        let after = count(&line[end..]).min(room - count(&line[..start]).min(room / 2));
        let before = count(&line[..start]).min(room - after);
        let from = match before {
            0 => start,
            n => line[..start].char_indices().rev().nth(n - 1).map_or(0, |(i, _)| i),
        };
        let byte_after =
            |at: usize, n: usize| line[at..].char_indices().nth(n).map_or(line.len(), |(i, _)| at + i);
        let (match_end, to) = if kept < count(&line[start..end]) {
            let cut = byte_after(start, kept);
            (cut, cut)
        } else {
            (end, byte_after(end, after))
        };
        (&line[from..to], start - from, match_end - from)
    }

    #[test]
    fn a_bounded_context_is_the_whole_line_context() {
        // Lines of up to a thousand characters, so most hits have more line than context.
        let pieces = ["a", "é", "日本", "needle", " "];
        let mut seed = 7u64;
        for _ in 0..60 {
            let mut text = String::new();
            for _ in 0..(seed % 1500) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let piece = if (seed >> 20).is_multiple_of(300) {
                    "\n"
                } else {
                    pieces[(seed >> 33) as usize % pieces.len()]
                };
                text.push_str(piece);
            }
            let multi = Syntax { multiline: true, ..Syntax::default() };
            for pattern in ["needle", r"a\s+é", r"(?s)n.{0,300}e", "日本+"] {
                for syntax in [Syntax::default(), multi] {
                    Matcher::new(pattern, syntax).unwrap().each_match(&text, |s, e| {
                        assert_eq!(context(&text, s, e), whole_line_context(&text, s, e), "{text:?} {s} {e}");
                        true
                    });
                }
            }
        }
    }

    #[test]
    fn context_is_the_line_cut_around_the_match() {
        assert_eq!(context("one\ntwo needle three\nfour", 8, 14), ("two needle three", 4, 10));
        let long = format!("{}NEEDLE{}", "é".repeat(300), "b".repeat(300));
        let (text, s, e) = context(&long, 600, 606);
        assert_eq!(text.chars().count(), CONTEXT);
        assert_eq!(&text[s..e], "NEEDLE");
        assert_eq!(text[..s].chars().count(), 97);
        // At the very start, the room goes after the match.
        let (text, s, e) = context(&long[600..], 0, 6);
        assert_eq!((text.chars().count(), s, e), (CONTEXT, 0, 6));
        // A match longer than the room is cut.
        let huge = "n".repeat(500);
        let (text, s, e) = context(&huge, 0, 500);
        assert_eq!((text.len(), s, e), (CONTEXT, 0, CONTEXT));
    }
}
