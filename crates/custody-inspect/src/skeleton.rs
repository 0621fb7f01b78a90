//! The import-time skeleton of a Python file: the source with the bodies of
//! functions that nothing at import time can reach replaced by `pass`.
//!
//! Parsing is the cost of inspection, and most of a library is function
//! bodies that only run when a user calls them. A light lexer (strings,
//! comments, brackets, indentation, identifiers) finds each `def` block and
//! the names used outside and inside it; a function is reachable when its
//! name is used at top level or inside a reachable function (the same rule
//! as [`crate::python::Facts::reachable_at_import`], over-approximated: any
//! use of the name counts). Line numbers are kept, so findings point at the
//! original lines. When the lexer is unsure (unbalanced brackets, an
//! unterminated string), the source is returned unchanged.

use std::collections::HashSet;

/// A `def` block found by the lexer.
struct Block<'a> {
    name: &'a [u8],
    /// Byte where the body starts (the line after the header).
    body_start: usize,
    /// Byte where the body ends (start of the next line at or left of `indent`).
    body_end: usize,
    /// Leading whitespace of the body's first code line.
    body_indent: &'a [u8],
    /// Identifiers used in the body (nested blocks included).
    uses: HashSet<&'a [u8]>,
}

/// A logical line: its indentation, first byte, and its identifiers.
struct Logical<'a> {
    indent: usize,
    start: usize,
    end: usize,
    lead: &'a [u8],
    /// The name a `def` line defines (not a use of it).
    defines: Option<&'a [u8]>,
    idents: Vec<&'a [u8]>,
}

/// The skeleton of `source`, or `None` when nothing can be elided or the
/// lexer could not follow the file.
pub fn skeleton(source: &[u8]) -> Option<Vec<u8>> {
    let lines = logical_lines(source)?;
    let blocks = blocks(&lines, source.len());
    if blocks.is_empty() {
        return None;
    }
    // Identifiers used outside every def body.
    let mut top: HashSet<&[u8]> = HashSet::new();
    for l in &lines {
        if !blocks
            .iter()
            .any(|b| l.start >= b.body_start && l.start < b.body_end)
        {
            top.extend(l.idents.iter().copied());
        }
    }
    let mut reach: HashSet<&[u8]> = HashSet::new();
    let mut frontier: Vec<&HashSet<&[u8]>> = vec![&top];
    while let Some(used) = frontier.pop() {
        for b in &blocks {
            if used.contains(b.name) && reach.insert(b.name) {
                frontier.push(&b.uses);
            }
        }
    }
    let mut out = Vec::with_capacity(source.len());
    let mut at = 0;
    let mut elided = false;
    for b in &blocks {
        if reach.contains(b.name) || b.body_start < at || b.body_start >= b.body_end {
            continue;
        }
        out.extend_from_slice(&source[at..b.body_start]);
        out.extend_from_slice(b.body_indent);
        out.extend_from_slice(b"pass");
        let newlines = source[b.body_start..b.body_end]
            .iter()
            .filter(|c| **c == b'\n')
            .count();
        out.extend(std::iter::repeat_n(b'\n', newlines.max(1)));
        at = b.body_end;
        elided = true;
    }
    if !elided {
        return None;
    }
    out.extend_from_slice(&source[at..]);
    Some(out)
}

/// `def` blocks with bodies on lines of their own, in source order.
fn blocks<'a>(lines: &[Logical<'a>], len: usize) -> Vec<Block<'a>> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(name) = l.defines else {
            continue;
        };
        let body: Vec<&Logical<'a>> = lines[i + 1..]
            .iter()
            .take_while(|n| n.indent > l.indent)
            .collect();
        let Some(first) = body.first() else {
            continue; // `def f(): return 1` on one line
        };
        let body_end = lines
            .get(i + 1 + body.len())
            .map_or(len, |n| n.start - n.lead.len());
        out.push(Block {
            name,
            body_start: l.end,
            body_end,
            body_indent: first.lead,
            uses: body.iter().flat_map(|n| n.idents.iter().copied()).collect(),
        });
    }
    out
}

/// Splits `src` into logical lines; `None` if a string or bracket is left open.
fn logical_lines(src: &[u8]) -> Option<Vec<Logical<'_>>> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = src.len();
    while i < n {
        // Start of a physical line outside brackets: indentation.
        let line_start = i;
        let mut col = 0;
        while i < n && matches!(src[i], b' ' | b'\t' | b'\x0c') {
            col = if src[i] == b'\t' {
                (col / 8 + 1) * 8
            } else {
                col + 1
            };
            i += 1;
        }
        if i >= n {
            break;
        }
        if matches!(src[i], b'\n' | b'\r' | b'#') {
            while i < n && src[i] != b'\n' {
                i += 1;
            }
            i += 1;
            continue;
        }
        let start = i;
        let lead = &src[line_start..start];
        // Names used as calls or handed to one (`f(`, inside brackets, on a
        // decorator line): a superset of what the parser counts as invoked.
        let mut idents = Vec::new();
        let mut words: Vec<&[u8]> = Vec::new();
        let decorator = src[start] == b'@';
        let mut depth: i64 = 0;
        // Scan to the end of the logical line.
        loop {
            if i >= n {
                break;
            }
            let c = src[i];
            match c {
                b'\n' if depth == 0 => {
                    i += 1;
                    break;
                }
                b'\\' if src.get(i + 1) == Some(&b'\n') => i += 2,
                b'\\' if src.get(i + 1) == Some(&b'\r') => i += 3,
                b'#' => {
                    while i < n && src[i] != b'\n' {
                        i += 1;
                    }
                }
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    i += 1;
                }
                b')' | b']' | b'}' => {
                    depth -= 1;
                    if depth < 0 {
                        return None;
                    }
                    i += 1;
                }
                b'"' | b'\'' => i = skip_string(src, i)?,
                c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                    let (word, end) = word_at(src, i);
                    i = end;
                    if is_string_prefix(src, i, word) {
                        i = skip_string(src, i)?;
                    } else {
                        if words.len() < 3 {
                            words.push(word);
                        }
                        if decorator || depth > 0 || called_at(src, i) {
                            idents.push(word);
                        }
                    }
                }
                _ => i += 1,
            }
        }
        if depth != 0 {
            return None;
        }
        let defines = match words.as_slice() {
            [d, name, ..] if *d == b"def" => Some(*name),
            [a, d, name, ..] if *a == b"async" && *d == b"def" => Some(*name),
            _ => None,
        };
        // A def's own name (followed by its parameters) is not a use.
        if let Some(name) = defines
            && let Some(at) = idents.iter().position(|w| *w == name)
        {
            idents.remove(at);
        }
        out.push(Logical {
            defines,
            indent: col,
            start,
            end: i,
            lead,
            idents,
        });
    }
    Some(out)
}

/// The identifier that starts at `start`, and the byte after it.
fn word_at(src: &[u8], start: usize) -> (&[u8], usize) {
    let end = src[start..]
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80))
        .map_or(src.len(), |p| start + p);
    (&src[start..end], end)
}

/// A string prefix (r, b, f, rb, ...) directly before a quote at `at`.
fn is_string_prefix(src: &[u8], at: usize, word: &[u8]) -> bool {
    matches!(src.get(at), Some(b'"' | b'\''))
        && word.len() <= 2
        && word
            .iter()
            .all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't'))
}

/// Whether `(` follows at `at`, after blanks: a call.
fn called_at(src: &[u8], at: usize) -> bool {
    src[at.min(src.len())..]
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t'))
        == Some(&b'(')
}

/// The byte after the string literal that opens at `i`; `None` if unterminated.
fn skip_string(src: &[u8], i: usize) -> Option<usize> {
    let q = src[i];
    let triple = src.get(i + 1) == Some(&q) && src.get(i + 2) == Some(&q);
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < src.len() {
        let c = src[j];
        if c == b'\\' {
            // Raw strings keep the backslash, but it still protects the quote.
            j += 2;
            continue;
        }
        if c == q {
            if !triple {
                return Some(j + 1);
            }
            if src.get(j + 1) == Some(&q) && src.get(j + 2) == Some(&q) {
                return Some(j + 3);
            }
        } else if c == b'\n' && !triple {
            return None;
        }
        j += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skel(src: &str) -> String {
        skeleton(src.as_bytes()).map_or_else(|| src.to_owned(), |s| String::from_utf8(s).unwrap())
    }

    #[test]
    fn unreachable_bodies_become_pass_and_lines_stay() {
        let src = "import os\n\ndef helper():\n    os.system('x')\n    return 1\n\ndef used():\n    return helper()\n\nclass C:\n    def m(self):\n        '''doc\nat column 0\n'''\n        return os.popen('y')\n\nused()\n";
        let out = skel(src);
        assert_eq!(out.lines().count(), src.lines().count(), "{out}");
        assert!(out.contains("os.system"), "reached through used(): {out}");
        assert!(!out.contains("os.popen"), "m is never named: {out}");
        assert!(
            out.contains("class C:\n    def m(self):\n        pass\n"),
            "{out}"
        );
    }

    #[test]
    fn unsure_lexing_returns_none() {
        assert!(skeleton(b"def f():\n    x = (1,\n").is_none());
        assert!(skeleton(b"def f():\n    x = '''open\n").is_none());
        assert!(skeleton(b"x = 1\n").is_none());
    }

    #[test]
    fn decorators_threads_and_one_liners() {
        let src = "import threading\n@register\ndef hook():\n    steal()\ndef steal():\n    send()\ndef f(): return 1\nthreading.Thread(target=hook).start()\n";
        assert!(skeleton(src.as_bytes()).is_none(), "everything reachable");
    }
}
