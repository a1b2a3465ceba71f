//! Matching a pattern against the decoded text of transcripts (seance-grep): the regex, the
//! literals that let the reader skip lines without decoding them, and the context of a hit.

use regex::{Regex, RegexBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};

use super::transcript::{Prefilter, raw_safe_pieces};

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
}

/// Longer literals make a prefilter that skips more; shorter ones are not worth a pass.
const MIN_LITERAL: usize = 3;

impl Matcher {
    pub fn new(pattern: &str, syntax: Syntax) -> Result<Matcher, String> {
        let body = if syntax.fixed { regex::escape(pattern) } else { pattern.to_string() };
        let body = if syntax.word { format!(r"\b{{start-half}}(?:{body})\b{{end-half}}") } else { body };
        let regex = RegexBuilder::new(&body)
            .case_insensitive(syntax.ignore_case)
            .multi_line(true)
            .build()
            .map_err(|e| e.to_string())?;
        let prefilter = if syntax.fixed {
            raw_safe_pieces(pattern)
                .max_by_key(|p| p.len())
                .filter(|p| p.len() >= MIN_LITERAL)
                .and_then(|p| Prefilter::new(&[p], syntax.ignore_case))
        } else {
            required_literals(&body, syntax.ignore_case).and_then(|lits| Prefilter::new(&lits, false))
        };
        Ok(Matcher { regex, multiline: syntax.multiline, prefilter })
    }

    /// What every line holding a match contains, when that can be said.
    pub fn prefilter(&self) -> Option<Prefilter> {
        self.prefilter.clone()
    }

    /// Calls `each(start, end)` for every match in `text`, in order, until it returns false.
    /// Without `-U` a match lies within one line of the text, as if each line were searched
    /// on its own.
    pub fn each_match(&self, text: &str, mut each: impl FnMut(usize, usize) -> bool) {
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
            // The match ran over a line end: search that line alone, then go on after it.
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let line = &text[..line_end];
            let mut from = start.max(line_start);
            while from <= line.len() {
                let Some(m) = self.regex.find_at(line, from) else { break };
                if !each(m.start(), m.end()) {
                    return;
                }
                from = if m.end() > m.start() { m.end() } else { next_char(line, m.end()) };
            }
            at = line_end + 1;
        }
    }
}

fn next_char(text: &str, at: usize) -> usize {
    at + text[at..].chars().next().map_or(1, char::len_utf8)
}

/// Literals one of which appears in the raw bytes of every line that holds a match of
/// `pattern`: the prefixes (or suffixes) every match begins (or ends) with, each cut to its
/// longest run that a transcript stores unescaped.
fn required_literals(pattern: &str, ignore_case: bool) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(ignore_case)
        .multi_line(true)
        .build()
        .parse(pattern)
        .ok()?;
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
    let prefixes = usable(extractor.kind(ExtractKind::Prefix).extract(&hir));
    let suffixes = usable(extractor.kind(ExtractKind::Suffix).extract(&hir));
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
pub fn context(text: &str, start: usize, end: usize) -> (&str, usize, usize) {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let line = &text[line_start..line_end];
    let (start, end) = (start - line_start, end - line_start);
    if line.chars().count() <= CONTEXT {
        return (line, start, end);
    }
    // The match (cut to fit), then room shared out before and after it.
    let count = |s: &str| s.chars().count();
    let matched = count(&line[start..end]);
    let kept = matched.min(CONTEXT);
    let room = CONTEXT - kept;
    let after = count(&line[end..]).min(room - count(&line[..start]).min(room / 2));
    let before = count(&line[..start]).min(room - after);
    let from = match before {
        0 => start,
        n => line[..start].char_indices().rev().nth(n - 1).map_or(0, |(i, _)| i),
    };
    let byte_after =
        |at: usize, n: usize| line[at..].char_indices().nth(n).map_or(line.len(), |(i, _)| at + i);
    let (match_end, to) = if kept < matched {
        let cut = byte_after(start, kept);
        (cut, cut)
    } else {
        (end, byte_after(end, after))
    };
    (&line[from..to], start - from, match_end - from)
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
        let lits = |p: &str, i: bool| required_literals(p, i);
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
