//! The line of every object key of a JSON document, by key path.
//!
//! serde_json gives no positions for values, so after a document has parsed
//! (it is valid JSON), one pass over its text records where each object key
//! starts. Readers use it to give each package the line of its entry.

use std::collections::HashMap;

use crate::text::LineIndex;

/// Key paths (object keys from the root; array elements add no segment)
/// and the 1-based line each key is on.
pub(crate) struct KeyLines {
    lines: HashMap<String, usize>,
}

/// Separates key path segments in the map (a control character no
/// lockfile key contains).
const SEP: char = '\u{1f}';

fn joined(path: &[&str]) -> String {
    path.join(&SEP.to_string())
}

enum Frame {
    Object {
        path: String,
        expecting_key: bool,
        last_key: Option<String>,
    },
    Array {
        path: String,
    },
}

impl Frame {
    fn child_path(&self) -> String {
        match self {
            Frame::Object { path, last_key, .. } => {
                let key = last_key.as_deref().unwrap_or_default();
                if path.is_empty() {
                    key.to_owned()
                } else {
                    format!("{path}{SEP}{key}")
                }
            }
            Frame::Array { path } => path.clone(),
        }
    }
}

impl KeyLines {
    /// Indexes `text`, which must be valid JSON (parse it first).
    pub(crate) fn new(text: &str) -> Self {
        let index = LineIndex::new(text);
        let bytes = text.as_bytes();
        let mut lines = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'{' | b'[' => {
                    let path = stack.last().map(Frame::child_path).unwrap_or_default();
                    stack.push(if bytes[i] == b'{' {
                        Frame::Object {
                            path,
                            expecting_key: true,
                            last_key: None,
                        }
                    } else {
                        Frame::Array { path }
                    });
                }
                b'}' | b']' => {
                    stack.pop();
                }
                b',' => {
                    if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                        *expecting_key = true;
                    }
                }
                b':' => {
                    if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                        *expecting_key = false;
                    }
                }
                b'"' => {
                    let end = string_end(bytes, i);
                    if let Some(Frame::Object {
                        path,
                        expecting_key: true,
                        last_key,
                    }) = stack.last_mut()
                    {
                        let key: String = serde_json::from_str(&text[i..end]).unwrap_or_default();
                        let full = if path.is_empty() {
                            key.clone()
                        } else {
                            format!("{path}{SEP}{key}")
                        };
                        lines.entry(full).or_insert_with(|| index.line(i));
                        *last_key = Some(key);
                    }
                    i = end;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        Self { lines }
    }

    /// The line of the key at `path` (`["packages", "node_modules/ms"]`).
    pub(crate) fn line(&self, path: &[&str]) -> Option<usize> {
        self.lines.get(&joined(path)).copied()
    }
}

/// The offset just past the string literal starting at `start` (a `"`).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::KeyLines;

    #[test]
    fn keys_of_nested_objects_and_arrays_have_their_lines() {
        let text = "{\n  \"a\": {\n    \"b\\\"c\": 1,\n    \"d\": [ {\"e\": 2},\n {\"f\": \"x:y,{\"} ]\n  },\n  \"g\": true\n}";
        let k = KeyLines::new(text);
        assert_eq!(k.line(&["a"]), Some(2));
        assert_eq!(k.line(&["a", "b\"c"]), Some(3));
        assert_eq!(k.line(&["a", "d"]), Some(4));
        assert_eq!(k.line(&["a", "d", "e"]), Some(4));
        assert_eq!(k.line(&["a", "d", "f"]), Some(5));
        assert_eq!(k.line(&["g"]), Some(7));
        assert_eq!(k.line(&["x"]), None);
    }

    #[test]
    fn a_value_string_is_never_taken_for_a_key() {
        let k = KeyLines::new("{\"a\": \"b\", \"c\": {\"d\": \"e\"}}");
        assert_eq!(k.line(&["b"]), None);
        assert_eq!(k.line(&["c", "d"]), Some(1));
        assert_eq!(k.line(&["c", "e"]), None);
    }
}
