//! JSON handled as text, so that what we pass on or rewrite keeps every byte of meaning: numbers
//! (a float round trip would change `267777777777777777777777`), escapes, key order, duplicate
//! keys. Objects are read as ordered lists of raw values; output is re-indented, not re-encoded.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::error::Error;

/// A JSON object's members in file order, each value as its raw text.
pub type Members = Vec<(String, Box<RawValue>)>;

/// Parses `text` as one JSON object, keeping member order and raw values.
pub fn object(text: &str) -> Result<Members, String> {
    struct Ordered;
    impl<'de> Visitor<'de> for Ordered {
        type Value = Members;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
            let mut members = Vec::new();
            while let Some(member) = map.next_entry::<String, Box<RawValue>>()? {
                members.push(member);
            }
            Ok(members)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let members = (&mut de).deserialize_map(Ordered).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(members)
}

/// The first member named `key`.
pub fn member<'m>(members: &'m Members, key: &str) -> Option<&'m RawValue> {
    members.iter().find(|(k, _)| k == key).map(|(_, v)| &**v)
}

/// A raw value as a string, when it is one.
pub fn as_str(raw: &RawValue) -> Option<String> {
    serde_json::from_str::<String>(raw.get()).ok()
}

/// `text` as a JSON string, quoted and escaped. (Through `Value`'s `Display`, which cannot fail,
/// unlike `serde_json::to_string`'s `Result` for types in general.)
pub fn string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// JSON text that we wrote ourselves, as a raw value; invalid JSON here is our bug, reported
/// as an error rather than written as something else.
pub fn raw(text: String) -> super::error::Result<Box<RawValue>> {
    RawValue::from_string(text)
        .map_err(|e| Error::failure(format!("internal error: invalid JSON written: {e}")))
}

/// Writes members back as one compact object, values byte for byte.
pub fn write_object(members: &Members) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&string(key));
        out.push(':');
        out.push_str(value.get());
    }
    out.push('}');
    out
}

/// How deeply arrays and objects may nest in what we re-indent (an index, an event rendered as
/// JSON). Indenting is linear in its output, but the output of `n` nested arrays is quadratic
/// in `n` (20 KB of brackets would become 200 MB of spaces): deeper input is refused instead.
/// Real indexes and events nest a handful of levels.
pub const MAX_DEPTH: usize = 64;

/// Whether `json` nests arrays and objects deeper than [`MAX_DEPTH`]. One linear pass, and
/// none at all past a count of brackets for the usual shallow line.
pub fn too_deep(json: &[u8]) -> bool {
    // A vectorised search that stops at the limit: a long line with few brackets costs little.
    if memchr::memchr2_iter(b'[', b'{', json).take(MAX_DEPTH + 1).count() <= MAX_DEPTH {
        return false;
    }
    let (mut depth, mut strings) = (0usize, Strings::default());
    for &byte in json {
        if strings.continues(byte) {
            continue;
        }
        match byte {
            b'"' => strings.open(),
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Appends `json` to `out` with 2-space indentation starting at `depth` levels, in the layout
/// of Go's `json.MarshalIndent` (`"key": value`, `{}` and `[]` for empty containers).
pub fn indent_into(out: &mut Vec<u8>, json: &[u8], depth: usize) {
    let mut depth = depth;
    let mut strings = Strings::default();
    // An opening bracket is written at once; its newline waits to see if the container is empty.
    let mut just_opened = false;
    for &byte in json {
        if strings.continues(byte) {
            out.push(byte);
            continue;
        }
        if byte.is_ascii_whitespace() {
            continue;
        }
        let closing = matches!(byte, b'}' | b']');
        if just_opened {
            just_opened = false;
            if closing {
                depth -= 1;
                out.push(byte);
                continue;
            }
            newline(out, depth);
        }
        match byte {
            b'{' | b'[' => {
                out.push(byte);
                depth += 1;
                just_opened = true;
            }
            b'}' | b']' => {
                depth -= 1;
                newline(out, depth);
                out.push(byte);
            }
            b',' => {
                out.push(b',');
                newline(out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            b'"' => {
                out.push(byte);
                strings.open();
            }
            _ => out.push(byte),
        }
    }
}

/// Where a byte-by-byte walk over JSON is with respect to string literals, so that brackets and
/// quotes inside strings are not taken for structure.
#[derive(Default)]
struct Strings {
    inside: bool,
    escaped: bool,
}

impl Strings {
    /// A `"` outside a string was met: a string begins after it.
    fn open(&mut self) {
        self.inside = true;
    }

    /// Whether `byte` is part of the string being walked (its closing quote included).
    fn continues(&mut self, byte: u8) -> bool {
        if !self.inside {
            return false;
        }
        match byte {
            _ if self.escaped => self.escaped = false,
            b'\\' => self.escaped = true,
            b'"' => self.inside = false,
            _ => {}
        }
        true
    }
}

fn newline(out: &mut Vec<u8>, depth: usize) {
    out.push(b'\n');
    out.extend(std::iter::repeat_n(b' ', depth * 2));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indent(json: &str, depth: usize) -> String {
        let mut out = Vec::new();
        indent_into(&mut out, json.as_bytes(), depth);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn nested_values_keep_their_bytes() {
        let json = r#"{"a": 267777777777777777777777, "b":[1.50,{}],"c":{"d":"x,\"{y}"},"e":[]}"#;
        let expected = "{\n  \"a\": 267777777777777777777777,\n  \"b\": [\n    1.50,\n    {}\n  ],\n  \
                        \"c\": {\n    \"d\": \"x,\\\"{y}\"\n  },\n  \"e\": []\n}";
        assert_eq!(indent(json, 0), expected);
    }

    #[test]
    fn objects_keep_order_duplicates_and_raw_values() {
        let text = r#"{"z": 1, "a": {"n": 267777777777777777777777}, "z": "again"}"#;
        let members = object(text).unwrap();
        let keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "z"]);
        assert_eq!(member(&members, "a").unwrap().get(), r#"{"n": 267777777777777777777777}"#);
        assert_eq!(write_object(&members), r#"{"z":1,"a":{"n": 267777777777777777777777},"z":"again"}"#);
        assert!(object("[1]").is_err());
        assert!(object("{} x").is_err());
    }

    #[test]
    fn nesting_is_measured_outside_strings_only() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(!too_deep(deep(MAX_DEPTH).as_bytes()));
        assert!(too_deep(deep(MAX_DEPTH + 1).as_bytes()));
        // Brackets in strings do not nest, nor do siblings.
        let quoted = format!(r#"{{"a":"{}\"{}"}}"#, "[".repeat(100), "{".repeat(100));
        assert!(!too_deep(quoted.as_bytes()));
        let siblings = format!("[{}]", vec!["[]"; 1000].join(","));
        assert!(!too_deep(siblings.as_bytes()));
    }

    #[test]
    fn starts_at_the_given_depth() {
        assert_eq!(indent(r#"{"a":1}"#, 1), "{\n    \"a\": 1\n  }");
    }
}
