//! From bytes to logical lines, as pip's `req_file.py` does it:
//! `_decode_req_file` (a byte-order mark decides the encoding), then
//! `preprocess`: `join_lines` (a line ending in `\` is joined to the next
//! with nothing between), `ignore_comments`, `expand_env_variables`
//! (`${NAME}` only, NAME in `[A-Z0-9_]+`; unset or empty stays as written).

use std::path::Path;

use crate::{InventoryError, Location, text};

/// One logical line: continuations joined, comment removed, variables expanded.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Logical {
    /// 1-based number of its first physical line.
    pub(super) line: usize,
    pub(super) text: String,
}

/// Decodes a requirements file: a UTF-8, UTF-16 or UTF-32 byte-order mark is
/// honoured and dropped (Windows editors write one); otherwise UTF-8.
pub(super) fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, InventoryError> {
    // UTF-32 before UTF-16: the little-endian UTF-16 mark is a prefix of UTF-32's.
    let units = |data: &[u8], size: usize, big: bool| -> Option<String> {
        let mut out = String::with_capacity(data.len() / size);
        for c in data.chunks(size) {
            if c.len() != size {
                return None;
            }
            let n = c.iter().enumerate().fold(0u32, |acc, (i, b)| {
                let shift = if big { size - 1 - i } else { i } * 8;
                acc | (u32::from(*b) << shift)
            });
            out.push(char::from_u32(n)?);
        }
        Some(out)
    };
    let utf16 = |data: &[u8], big: bool| -> Option<String> {
        if !data.len().is_multiple_of(2) {
            return None;
        }
        let v: Vec<u16> = data
            .chunks(2)
            .map(|c| {
                if big {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&v).ok()
    };
    let decoded = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(path, rest.to_vec());
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE\x00\x00") {
        units(rest, 4, false).map(|s| ("UTF-32", s))
    } else if let Some(rest) = bytes.strip_prefix(b"\x00\x00\xFE\xFF") {
        units(rest, 4, true).map(|s| ("UTF-32", s))
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        utf16(rest, false).map(|s| ("UTF-16", s))
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        utf16(rest, true).map(|s| ("UTF-16", s))
    } else {
        return utf8(path, bytes);
    };
    decoded.map(|(_, s)| s).ok_or_else(|| {
        InventoryError::parse(
            path,
            Location::File,
            "file starts with a UTF-16/UTF-32 byte-order mark but is not valid in that encoding",
        )
    })
}

fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String, InventoryError> {
    String::from_utf8(bytes).map_err(|e| {
        let (l, c) = text::line_col(
            &String::from_utf8_lossy(e.as_bytes()),
            e.utf8_error().valid_up_to(),
        );
        InventoryError::parse(path, Location::LineCol(l, c), "file is not valid UTF-8")
    })
}

/// Python's `str.splitlines()`: every line boundary Python knows.
fn split_lines(content: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = content.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let boundary = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !boundary {
            continue;
        }
        out.push(&content[start..i]);
        start = i + c.len_utf8();
        if c == '\r' && chars.peek().is_some_and(|(_, n)| *n == '\n') {
            chars.next();
            start += 1;
        }
    }
    if start < content.len() {
        out.push(&content[start..]);
    }
    out
}

/// pip's `COMMENT_RE.match`: the line starts with optional whitespace and `#`.
fn starts_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// pip's `COMMENT_RE.sub("", line)`: cut at the first `#` that starts the
/// line or follows whitespace.
fn strip_comment(line: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            return &line[..i];
        }
        prev_space = c.is_whitespace();
    }
    line
}

/// pip's `expand_env_variables`, with the lookup injected.
pub(super) fn expand(line: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = line.to_owned();
    let mut rest = line;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let len = after
            .bytes()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
            .count();
        if len > 0 && after.as_bytes().get(len) == Some(&b'}') {
            let name = &after[..len];
            if let Some(value) = lookup(name).filter(|v| !v.is_empty()) {
                out = out.replace(&format!("${{{name}}}"), &value);
            }
            rest = &after[len + 1..];
        } else {
            rest = after;
        }
    }
    out
}

/// pip's `preprocess`: join continued lines, drop comments and blank lines,
/// expand `${NAME}` with `lookup`.
pub(super) fn logical_lines(
    content: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Vec<Logical> {
    let mut joined: Vec<(usize, String)> = Vec::new();
    let mut buf: Option<(usize, String)> = None;
    for (idx, raw) in split_lines(content).into_iter().enumerate() {
        let number = idx + 1;
        if !raw.ends_with('\\') || starts_comment(raw) {
            // A comment line ends a continuation; pip prefixes it with a
            // space so the comment is still recognised once joined.
            let piece = if starts_comment(raw) {
                format!(" {raw}")
            } else {
                raw.to_owned()
            };
            match buf.take() {
                Some((first, mut text)) => {
                    text.push_str(&piece);
                    joined.push((first, text));
                }
                None => joined.push((number, piece)),
            }
        } else {
            let piece = raw.trim_matches('\\');
            buf.get_or_insert_with(|| (number, String::new()))
                .1
                .push_str(piece);
        }
    }
    joined.extend(buf);
    joined
        .into_iter()
        .filter_map(|(line, text)| {
            let t = strip_comment(&text).trim();
            (!t.is_empty()).then(|| Logical {
                line,
                text: expand(t, lookup),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    fn lines(s: &str) -> Vec<(usize, String)> {
        logical_lines(s, &none)
            .into_iter()
            .map(|l| (l.line, l.text))
            .collect()
    }

    #[test]
    fn comments_and_continuations() {
        assert_eq!(
            lines("a==1 \\\n  --hash=sha256:ab # c\n# full\nb # x\nurl#frag\n"),
            vec![
                (1, "a==1   --hash=sha256:ab".into()),
                (4, "b".into()),
                (5, "url#frag".into())
            ]
        );
    }

    #[test]
    fn a_continuation_inside_a_token_joins_with_nothing() {
        // Regression (issue 13): `req\` + `uests==1.0` is `requests==1.0`.
        assert_eq!(
            lines("req\\\nuests==1.0\nnext\n"),
            vec![(1, "requests==1.0".into()), (3, "next".into())]
        );
    }

    #[test]
    fn a_comment_swallows_what_its_continuation_joins() {
        // pip joins first, then strips comments.
        assert_eq!(
            lines("foo # c \\\nbar\nbaz\n"),
            vec![(1, "foo".into()), (3, "baz".into())]
        );
        // A comment line ends a continuation and is not continued itself.
        assert_eq!(
            lines("foo\\\n# c \\\nbar\n"),
            vec![(1, "foo".into()), (3, "bar".into())]
        );
        // A trailing continuation at the end of the file.
        assert_eq!(lines("foo==1\\"), vec![(1, "foo==1".into())]);
    }

    #[test]
    fn line_boundaries_are_pythons() {
        assert_eq!(
            lines("a\r\nb\rc\x0cd"),
            vec![
                (1, "a".into()),
                (2, "b".into()),
                (3, "c".into()),
                (4, "d".into())
            ]
        );
    }

    #[test]
    fn env_variables_in_brace_form_only() {
        let env = |n: &str| match n {
            "VER" => Some("1.2".to_owned()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        let x = |s: &str| expand(s, &env);
        assert_eq!(x("foo==${VER}"), "foo==1.2");
        assert_eq!(x("foo==${VER},!=${VER}"), "foo==1.2,!=1.2");
        assert_eq!(x("foo==$VER"), "foo==$VER");
        assert_eq!(x("foo==${ver}"), "foo==${ver}");
        assert_eq!(x("foo==${UNSET}"), "foo==${UNSET}");
        assert_eq!(x("foo==${EMPTY}"), "foo==${EMPTY}");
        assert_eq!(x("${ ${VER}"), "${ 1.2");
    }

    #[test]
    fn byte_order_marks() {
        let p = Path::new("r.txt");
        // Regression (issue 13): a UTF-8 BOM aborted the scan.
        assert_eq!(
            decode(p, b"\xEF\xBB\xBFfoo==1\n".to_vec()).unwrap(),
            "foo==1\n"
        );
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a==1".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(p, le).unwrap(), "a==1");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("a==1".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(p, be).unwrap(), "a==1");
        let le32: Vec<u8> = [0xFF, 0xFE, 0, 0]
            .into_iter()
            .chain("a".chars().flat_map(|c| u32::from(c).to_le_bytes()))
            .collect();
        assert_eq!(decode(p, le32).unwrap(), "a");
        assert!(decode(p, b"\xFF\xFEa".to_vec()).is_err());
        let err = decode(p, b"ok\n\xFF\n".to_vec()).unwrap_err().to_string();
        assert!(err.contains("r.txt: line 2, column 1"), "{err}");
    }
}
