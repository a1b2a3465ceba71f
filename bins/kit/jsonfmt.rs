//! Re-indents JSON text without parsing its values, so that numbers, escapes and key order come
//! out exactly as they went in (a float round trip would change `267777777777777777777777`).
//! The input must already be valid JSON.

/// Appends `json` to `out` with 2-space indentation starting at `depth` levels, in the layout
/// of Go's `json.MarshalIndent` (`"key": value`, `{}` and `[]` for empty containers).
pub fn indent_into(out: &mut Vec<u8>, json: &[u8], depth: usize) {
    let mut depth = depth;
    let mut in_string = false;
    let mut escaped = false;
    // An opening bracket is written at once; its newline waits to see if the container is empty.
    let mut just_opened = false;
    for &byte in json {
        if in_string {
            out.push(byte);
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
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
                in_string = true;
            }
            _ => out.push(byte),
        }
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
    fn starts_at_the_given_depth() {
        assert_eq!(indent(r#"{"a":1}"#, 1), "{\n    \"a\": 1\n  }");
    }
}
