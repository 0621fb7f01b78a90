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

use rustc_hash::FxHashSet as HashSet;

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

/// What [`skeleton`] makes of a file.
pub struct Skeleton {
    /// The source with unreachable bodies elided; `None` when nothing was.
    pub text: Option<Vec<u8>>,
    /// The same text with comments and bare string statements (docstrings)
    /// overwritten with NUL bytes, for prefilters that look for code; `None` when the
    /// lexer could not follow the file.
    pub code: Option<Vec<u8>>,
}

/// The skeleton of `source`: unreachable bodies elided and, separately, a
/// view without comments and docstrings. When the lexer is unsure, both
/// are `None` and callers use the source as it is.
pub fn skeleton(source: &[u8]) -> Skeleton {
    let mut quiet = Vec::new();
    let Some(lines) = logical_lines(source, &mut quiet) else {
        return Skeleton {
            text: None,
            code: None,
        };
    };
    let mut masked = source.to_vec();
    for (a, b) in quiet {
        for c in &mut masked[a..b] {
            // Not a blank: runs of spaces are themselves a signal.
            if !matches!(*c, b'\n' | b'\r') {
                *c = 0;
            }
        }
    }
    let blocks = blocks(&lines, source.len());
    // Identifiers used outside every def body.
    // Blocks come in source order and nest, so one pass over the lines
    // with the end of the current outermost body suffices.
    let mut top: HashSet<&[u8]> = HashSet::default();
    let mut next = blocks.iter().peekable();
    let mut inside_until = 0;
    for l in &lines {
        while let Some(b) = next.next_if(|b| b.body_start <= l.start) {
            inside_until = inside_until.max(b.body_end);
        }
        if l.start >= inside_until {
            top.extend(l.idents.iter().copied());
        }
    }
    let mut reach: HashSet<&[u8]> = HashSet::default();
    let mut frontier: Vec<&HashSet<&[u8]>> = vec![&top];
    while let Some(used) = frontier.pop() {
        for b in &blocks {
            if used.contains(b.name) && reach.insert(b.name) {
                frontier.push(&b.uses);
            }
        }
    }
    let elided: Vec<&Block<'_>> = blocks
        .iter()
        .filter(|b| !reach.contains(b.name) && b.body_start < b.body_end)
        .collect();
    if elided.is_empty() {
        return Skeleton {
            text: None,
            code: Some(masked),
        };
    }
    Skeleton {
        text: Some(elide(source, &elided)),
        code: Some(elide(&masked, &elided)),
    }
}

/// `src` with each block's body replaced by `pass` and as many newlines.
fn elide(src: &[u8], blocks: &[&Block<'_>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(src.len());
    let mut at = 0;
    for b in blocks {
        if b.body_start < at {
            continue; // nested in a body already elided
        }
        out.extend_from_slice(&src[at..b.body_start]);
        out.extend_from_slice(b.body_indent);
        out.extend_from_slice(b"pass");
        let newlines = src[b.body_start..b.body_end]
            .iter()
            .filter(|c| **c == b'\n')
            .count();
        out.extend(std::iter::repeat_n(b'\n', newlines.max(1)));
        at = b.body_end;
    }
    out.extend_from_slice(&src[at..]);
    out
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
fn logical_lines<'a>(src: &'a [u8], quiet: &mut Vec<(usize, usize)>) -> Option<Vec<Logical<'a>>> {
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
            let from = i;
            while i < n && src[i] != b'\n' {
                i += 1;
            }
            quiet.push((from, i));
            i += 1;
            continue;
        }
        let start = i;
        let lead = &src[line_start..start];
        let (end, mut idents, words) = scan_line(src, start, quiet)?;
        i = end;
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

/// The result of [`scan_line`]: the byte after the line, the names it
/// uses, its first words.
type Scanned<'a> = (usize, Vec<&'a [u8]>, Vec<&'a [u8]>);

/// Scans the logical line that starts at `start` (after its indentation):
/// the byte after it, the names it uses as calls or hands to one (`f(`,
/// inside brackets, on a decorator line: a superset of what the parser
/// counts as invoked), and its first words. Comments and a line of nothing
/// but string literals (a docstring) go to `quiet`. `None` if a string or
/// bracket is left open.
fn scan_line<'a>(
    src: &'a [u8],
    start: usize,
    quiet: &mut Vec<(usize, usize)>,
) -> Option<Scanned<'a>> {
    let n = src.len();
    let mut i = start;
    let mut idents = Vec::new();
    let mut words: Vec<&[u8]> = Vec::new();
    let decorator = src[start] == b'@';
    let mut depth: i64 = 0;
    // A line of nothing but string literals is a docstring or a bare
    // string statement: not code.
    let (mut only_strings, mut strings) = (true, false);
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
                let from = i;
                while i < n && src[i] != b'\n' {
                    i += 1;
                }
                quiet.push((from, i));
            }
            b'(' | b'[' | b'{' => {
                only_strings = false;
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
            b'"' | b'\'' => {
                strings = true;
                i = skip_string(src, i)?;
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                let (word, end) = word_at(src, i);
                i = end;
                if is_string_prefix(src, i, word) {
                    strings = true;
                    // An f-string's fields run code, even in a bare statement.
                    if word.iter().any(|c| matches!(c, b'f' | b'F' | b't' | b'T')) {
                        only_strings = false;
                    }
                    i = skip_string(src, i)?;
                } else {
                    only_strings = false;
                    if words.len() < 3 {
                        words.push(word);
                    }
                    if decorator || depth > 0 || called_at(src, i) {
                        idents.push(word);
                    }
                }
            }
            b' ' | b'\t' | b'\r' | b'\x0c' | b';' => i += 1,
            _ => {
                only_strings = false;
                i += 1;
            }
        }
    }
    if depth != 0 {
        return None;
    }
    if only_strings && strings {
        quiet.push((start, i));
    }
    Some((i, idents, words))
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

/// Whether `hit` holds at some byte of `src` outside string literals and
/// comments. Strings are skipped as [`skip_string`] skips them; a one-line
/// string left open ends at its line, a triple-quoted one at the end.
pub(crate) fn in_code(src: &[u8], hit: impl Fn(&[u8]) -> bool) -> bool {
    let line_end = |i: usize| {
        src[i..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(src.len(), |p| i + p)
    };
    let mut i = 0;
    while i < src.len() {
        match src[i] {
            b'#' => i = line_end(i),
            q @ (b'"' | b'\'') => {
                let triple = src.get(i + 1) == Some(&q) && src.get(i + 2) == Some(&q);
                match skip_string(src, i) {
                    Some(j) => i = j,
                    None if triple => return false,
                    None => i = line_end(i),
                }
            }
            _ if hit(&src[i..]) => return true,
            _ => i += 1,
        }
    }
    false
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
        skeleton(src.as_bytes())
            .text
            .map_or_else(|| src.to_owned(), |s| String::from_utf8(s).unwrap())
    }

    fn code(src: &str) -> String {
        String::from_utf8(skeleton(src.as_bytes()).code.unwrap()).unwrap()
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
        for src in [
            &b"def f():\n    x = (1,\n"[..],
            b"def f():\n    x = '''open\n",
        ] {
            let s = skeleton(src);
            assert!(s.text.is_none() && s.code.is_none());
        }
        let s = skeleton(b"x = 1\n");
        assert!(s.text.is_none(), "nothing to elide");
        assert_eq!(s.code.as_deref(), Some(&b"x = 1\n"[..]));
    }

    #[test]
    fn decorators_threads_and_one_liners() {
        let src = "import threading\n@register\ndef hook():\n    steal()\ndef steal():\n    send()\ndef f(): return 1\nthreading.Thread(target=hook).start()\n";
        assert!(
            skeleton(src.as_bytes()).text.is_none(),
            "everything reachable"
        );
    }

    #[test]
    fn code_view_blanks_comments_and_docstrings_only() {
        let src = "\"\"\"Docs: see https://x\n\"\"\"\nimport os  # http\n# urlopen\nu = 'http://h'\nf'{exec(1)}'\n'a' 'b'; x = 1\n";
        let out = code(src);
        assert_eq!(out.len(), src.len());
        assert_eq!(out.lines().count(), src.lines().count());
        assert!(!out.contains("Docs") && !out.contains("urlopen"), "{out}");
        assert!(
            out.contains("import os  \0") && !out.contains("# http"),
            "{out}"
        );
        assert!(
            out.contains("u = 'http://h'"),
            "strings in code stay: {out}"
        );
        assert!(out.contains("f'{exec(1)}'"), "f-strings run code: {out}");
        assert!(out.contains("'a' 'b'; x = 1"), "{out}");
    }
}
