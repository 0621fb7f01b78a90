//! Text a step chose (paths it tried, names of its processes) made safe to
//! show on a terminal and to sign: control characters, invalid UTF-8 and
//! characters that reorder or hide text are escaped, and the length is
//! bounded. A path cannot redraw custody's summary, clear the screen, or
//! read differently than it is.

use std::fmt::Write as _;

/// At most this many characters of one text are kept.
pub const MAX_CHARS: usize = 256;

/// `bytes` as printable text: `\n`, `\t`, `\xNN` for other control
/// characters and invalid UTF-8, `\u{NNNN}` for bidirectional controls,
/// zero-width characters and other invisible formatting; cut to
/// [`MAX_CHARS`] characters with `…` and the number of bytes left out.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut chars = 0usize;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if chars >= MAX_CHARS {
                return cut(out, bytes.len());
            }
            push_char(&mut out, c);
            chars += 1;
        }
        for b in chunk.invalid() {
            if chars >= MAX_CHARS {
                return cut(out, bytes.len());
            }
            let _ = write!(out, "\\x{b:02x}");
            chars += 1;
        }
    }
    out
}

fn cut(mut out: String, total: usize) -> String {
    let _ = write!(out, "…({total} bytes)");
    out
}

fn push_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\\' => out.push_str("\\\\"),
        c if c.is_control() => {
            let n = u32::from(c);
            if n < 0x100 {
                let _ = write!(out, "\\x{n:02x}");
            } else {
                let _ = write!(out, "\\u{{{n:04x}}}");
            }
        }
        c if invisible(c) => {
            let _ = write!(out, "\\u{{{:04x}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

/// Characters that change how surrounding text reads without showing:
/// bidirectional overrides and isolates, zero-width characters, the
/// byte-order mark, tag characters.
fn invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00ad
            | 0x034f
            | 0x061c
            | 0x115f
            | 0x1160
            | 0x17b4
            | 0x17b5
            | 0x180e
            | 0x200b..=0x200f
            | 0x202a..=0x202e
            | 0x2028
            | 0x2029
            | 0x2060..=0x2064
            | 0x2066..=0x206f
            | 0x3164
            | 0xfe00..=0xfe0f
            | 0xfeff
            | 0xffa0
            | 0xfff9..=0xfffb
            | 0xe0000..=0xe007f
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escape(b"/tmp/\x1b[2J\x1b[1Aclean\r\n"),
            "/tmp/\\x1b[2J\\x1b[1Aclean\\x0d\\n"
        );
        assert_eq!(escape(b"a\x7fb"), "a\\x7fb");
        assert_eq!(escape("a\u{9b}b".as_bytes()), "a\\x9bb", "C1 CSI");
        assert_eq!(escape(b"back\\slash"), "back\\\\slash");
    }

    #[test]
    fn invalid_utf8_and_invisible_characters_are_escaped() {
        assert_eq!(escape(b"a\xffb\xc3"), "a\\xffb\\xc3");
        assert_eq!(
            escape("id_rsa\u{202e}txt.key".as_bytes()),
            "id_rsa\\u{202e}txt.key"
        );
        assert_eq!(escape("a\u{200b}b".as_bytes()), "a\\u{200b}b");
        assert_eq!(escape("a\u{2028}b".as_bytes()), "a\\u{2028}b");
        assert_eq!(escape("données/é".as_bytes()), "données/é");
    }

    #[test]
    fn long_text_is_cut() {
        let long = "x".repeat(10_000);
        let e = escape(long.as_bytes());
        assert!(e.starts_with(&"x".repeat(MAX_CHARS)));
        assert!(e.ends_with("…(10000 bytes)"), "{e}");
        assert!(e.chars().count() < MAX_CHARS + 20);
    }
}
