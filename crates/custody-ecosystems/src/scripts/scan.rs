//! Searching bytes: the pattern words (one Aho-Corasick automaton over
//! [`PATTERNS`]), the shape of a file (minified, obfuscated), lines and
//! escaped excerpts.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::patterns::{PATTERNS, Pattern, Scope};

/// One pattern found: the row and the byte offset of the match.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub(crate) pattern: &'static Pattern,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

static MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(PATTERNS.iter().map(|p| p.word))
        .ok()
});

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The first hit of every pattern in `text` that counts in `scope` (a run
/// file counts every pattern; a shipped file only [`Scope::Shipped`] ones).
pub(crate) fn hits(text: &[u8], run: bool) -> Vec<Hit> {
    let Some(ac) = MATCHER.as_ref() else {
        return Vec::new();
    };
    let mut seen = vec![false; PATTERNS.len()];
    let mut out = Vec::new();
    for m in ac.find_overlapping_iter(text) {
        let i = m.pattern().as_usize();
        let p = &PATTERNS[i];
        if seen[i] || (!run && p.scope == Scope::Run) {
            continue;
        }
        if p.scope == Scope::Run && in_comment_line(text, m.start()) {
            continue;
        }
        let word = p.word.as_bytes();
        let before_ok =
            !is_word_byte(word[0]) || m.start() == 0 || !is_word_byte(text[m.start() - 1]);
        let after_ok = !is_word_byte(word[word.len() - 1])
            || text.get(m.end()).is_none_or(|b| !is_word_byte(*b));
        if before_ok && after_ok {
            seen[i] = true;
            out.push(Hit {
                pattern: p,
                start: m.start(),
                end: m.end(),
            });
        }
    }
    out
}

/// Whether the line of `offset` is a comment line (`//`, `/*`, `*` or `#`
/// first): documentation that mentions `.npmrc` is not code that reads it.
/// Worm names count even in comments.
fn in_comment_line(text: &[u8], offset: usize) -> bool {
    let start = text[..offset]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line = text[start..offset].trim_ascii_start();
    line.starts_with(b"//")
        || line.starts_with(b"/*")
        || line.starts_with(b"*")
        || line.starts_with(b"#")
}

/// The 1-based line of a byte offset.
pub(crate) fn line_of(text: &[u8], offset: usize) -> usize {
    text[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Longest evidence excerpt, in characters.
const EXCERPT_CHARS: usize = 120;

/// A short excerpt around `start..end` on its line, control and non-ASCII
/// characters escaped (`\n`, `\u{202e}`), at most [`EXCERPT_CHARS`].
pub(crate) fn excerpt(text: &[u8], start: usize, end: usize) -> String {
    let line_start = text[..start]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line_end = text[end..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(text.len(), |i| end + i);
    let from = line_start.max(start.saturating_sub(40));
    let to = line_end.min(end + 40).max(end);
    let mut out = String::new();
    if from > line_start {
        out.push('…');
    }
    out.push_str(&escape(&String::from_utf8_lossy(&text[from..to])));
    if to < line_end {
        out.push('…');
    }
    out
}

/// Printable ASCII kept; everything else escaped, at most [`EXCERPT_CHARS`].
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        if out.chars().count() >= EXCERPT_CHARS {
            out.push('…');
            break;
        }
        if c == ' ' || c.is_ascii_graphic() {
            out.push(c);
        } else {
            out.extend(c.escape_default());
        }
    }
    out
}

/// A line this long is minified code (bundlers keep lines short unless
/// asked to minify; hand-written install scripts never come close).
pub(crate) const MINIFIED_LINE_BYTES: usize = 20_000;
/// This many `_0x1a2b`-style names is javascript-obfuscator's output.
pub(crate) const OBFUSCATED_NAMES: usize = 20;
/// This many `\xNN`/`\uNNNN` escapes, over 2% of the bytes, hides strings.
pub(crate) const ESCAPES: usize = 200;

/// Why a file's shape looks minified or obfuscated, and where.
pub(crate) fn shape(text: &[u8]) -> Option<(usize, usize, String)> {
    let mut obf = 0;
    let mut first_obf = None;
    let mut escapes = 0;
    for (i, w) in text.windows(6).enumerate() {
        if w.starts_with(b"_0x") && w[3..].iter().all(u8::is_ascii_hexdigit) {
            obf += 1;
            first_obf.get_or_insert(i);
        }
        if w[0] == b'\\'
            && (w[1] == b'x' || w[1] == b'u')
            && w[2..4].iter().all(u8::is_ascii_hexdigit)
        {
            escapes += 1;
        }
    }
    if let Some(at) = first_obf.filter(|_| obf >= OBFUSCATED_NAMES) {
        return Some((at, at + 7, format!("{obf} `_0x` names")));
    }
    let mut start = 0;
    for line in text.split(|b| *b == b'\n') {
        if line.len() >= MINIFIED_LINE_BYTES {
            return Some((start, start + 40, format!("a line of {} bytes", line.len())));
        }
        start += line.len() + 1;
    }
    if escapes >= ESCAPES && escapes * 4 * 50 >= text.len() {
        return Some((0, 0, format!("{escapes} hex escapes")));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_respect_boundaries_and_case() {
        let got: Vec<&str> = hits(b"curly wget x; WGET; read .NPMRC", true)
            .iter()
            .map(|h| h.pattern.word)
            .collect();
        assert_eq!(got, ["wget", ".npmrc"]);
        assert!(hits(b"awgetb", true).is_empty());
        // Comment lines are documentation, except for worm names.
        let commented: Vec<&str> = hits(
            b"x\n  // reads .npmrc\n * NPM_TOKEN\n# wget\n/* Sha1-Hulud */",
            true,
        )
        .iter()
        .map(|h| h.pattern.word)
        .collect();
        assert_eq!(commented, ["Sha1-Hulud"]);
        // Outside run code, only worm names count.
        let shipped: Vec<&str> = hits(b".npmrc SHA1HULUD", false)
            .iter()
            .map(|h| h.pattern.word)
            .collect();
        assert_eq!(shipped, ["SHA1HULUD"]);
    }

    #[test]
    fn excerpts_are_short_one_line_and_escaped() {
        let text = "a\nxx \u{202e}token=NPM_TOKEN\tend\nb".as_bytes();
        let s = text.windows(9).position(|w| w == b"NPM_TOKEN").unwrap();
        assert_eq!(excerpt(text, s, s + 9), "xx \\u{202e}token=NPM_TOKEN\\tend");
        assert_eq!(line_of(text, s), 2);
    }

    #[test]
    fn shapes() {
        assert_eq!(shape(b"var a = 1;\n"), None);
        let names = "var _0x1a2b3c = 1;\n".repeat(25);
        assert!(shape(names.as_bytes()).unwrap().2.contains("`_0x` names"));
        let long = "x".repeat(MINIFIED_LINE_BYTES);
        assert!(shape(long.as_bytes()).unwrap().2.contains("a line of"));
    }
}
