//! What may reach a terminal or a line-based consumer: no control characters (a newline in an
//! id would make two records of one), and no invisible format characters (a bidi override can
//! make a table say something it does not). Used by every renderer and by the diagnostics.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not be shown as it is: a control character (C0, DEL, C1), a Unicode format
/// character (category Cf: bidi embeddings, overrides and isolates, zero-width characters, the
/// BOM, tags ...), or a line or paragraph separator.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
                | '\u{E0020}'..='\u{E007F}'
        )
}

/// `text` with each hidden character written as `\u{XXXX}` (tab, newline and carriage return
/// as `\t`, `\n`, `\r`), and a backslash as `\\` so that the escaping can be told apart from
/// the text. Borrowed when there is nothing to escape.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c == '\\' || is_hidden(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\\' => out.push_str("\\\\"),
            c if is_hidden(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` with hidden characters written as `\u{XXXX}`, backslashes left alone: for messages,
/// where a path or a quoted input must stay on one line and show what it holds.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_hidden(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` for a document a person reads (Markdown): newlines and tabs kept, every other hidden
/// character left out, so a terminal escape or a bidi override in a transcript cannot change
/// what the document shows. Borrowed when there is nothing to drop.
pub fn visible_text(text: &str) -> Cow<'_, str> {
    let dropped = |c: char| c != '\n' && c != '\t' && is_hidden(c);
    if !text.chars().any(dropped) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().filter(|&c| !dropped(c)).collect())
}

/// A rendered JSON text with control and format characters, which JSON allows raw inside
/// strings (DEL, C1, bidi overrides ...), written as `\uXXXX` escapes: the same JSON value.
pub fn escape_json_hidden(json: &mut Vec<u8>, from: usize) {
    // Below U+0020 only the layout's newlines can be there: JSON has no raw controls in strings.
    let hidden = |c: char| c >= '\u{7f}' && is_hidden(c);
    let Ok(text) = std::str::from_utf8(&json[from..]) else { return };
    if !text.chars().any(hidden) {
        return;
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                escaped.push_str(&format!("\\u{:04x}", unit));
            }
        } else {
            escaped.push(c);
        }
    }
    json.truncate(from);
    json.extend_from_slice(escaped.as_bytes());
}

/// `value` as one NDJSON line (a newline at its end), hidden characters escaped as
/// [`escape_json_hidden`] does: what every tool writes a record with, so that a bidi override in
/// a transcript cannot reorder a terminal line showing the raw records.
pub fn json_line(value: &impl serde::Serialize) -> serde_json::Result<Vec<u8>> {
    let mut line = serde_json::to_vec(value)?;
    escape_json_hidden(&mut line, 0);
    line.push(b'\n');
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_bidi_and_separators_are_hidden_letters_are_not() {
        for c in [
            '\n',
            '\r',
            '\t',
            '\0',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{202e}',
            '\u{2066}',
            '\u{2069}',
            '\u{200b}',
            '\u{feff}',
            '\u{2028}',
            '\u{e0041}',
        ] {
            assert!(is_hidden(c), "{c:?}");
        }
        for c in ['a', 'é', '日', '😀', '\u{301}', ' '] {
            assert!(!is_hidden(c), "{c:?}");
        }
    }

    #[test]
    fn escaping_keeps_one_line_and_is_unambiguous() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a\tb\\c\nd"), "a\\tb\\\\c\\nd");
        assert_eq!(escape("\u{202e}evil\u{1b}[2J"), "\\u{202e}evil\\u{001b}[2J");
        assert_eq!(one_line("/tmp/a\nb\\c"), "/tmp/a\\nb\\c");
    }

    #[test]
    fn documents_keep_their_lines_and_lose_what_hides() {
        assert!(matches!(visible_text("plain\n\tindented é"), Cow::Borrowed(_)));
        assert_eq!(visible_text("a\u{1b}[31mred\u{202e}txt.exe\u{200b}\r\nb"), "a[31mredtxt.exe\nb");
    }
}
