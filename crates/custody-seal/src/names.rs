//! Manifest paths: relative, `/`-separated, UTF-8, no `.`/`..`, no
//! duplicates, and no two names that one file system would take for the
//! same file (case, Unicode compatibility forms). Also: paths as RFC 3986
//! URI paths (percent-encoded), for SARIF and attestations.

use std::cmp::Ordering;
use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization as _;

/// Why `name` cannot be a manifest path, if it cannot.
pub fn check(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty path".into());
    }
    if name.starts_with('/') {
        return Err("absolute path (manifest paths are relative to the dataset root)".into());
    }
    if name.contains('\\') {
        return Err("backslash in a path (a separator on Windows; not portable)".into());
    }
    if name.chars().any(|c| c == '\0' || c.is_control()) {
        return Err("control character in a path".into());
    }
    for part in name.split('/') {
        match part {
            "" => return Err("empty path component (`//` or a trailing `/`)".into()),
            "." | ".." => return Err(format!("`{part}` component (paths must be normalised)")),
            _ => {}
        }
    }
    Ok(())
}

/// Percent-encodes a path (on Windows `\\` read as `/`): every byte but the
/// unreserved characters, the sub-delimiters, `:` and `@` (RFC 3986
/// `pchar`) and `/`. In a relative reference a `:` in the first segment
/// would read as a scheme, so `relative` encodes `:` too.
pub fn percent_encode_path(bytes: &[u8], relative: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        let b = if cfg!(windows) && b == b'\\' { b'/' } else { b };
        let keep = b.is_ascii_alphanumeric()
            || b"-._~/!$&'()*+,;=@".contains(&b)
            || (b == b':' && !relative);
        if keep {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Order of paths: component by component, each by bytes (`a/b` before
/// `a-c`), the order model-signing and most tree walkers use.
pub fn order(a: &str, b: &str) -> Ordering {
    a.split('/').cmp(b.split('/'))
}

/// The first pair of names that collide: exact duplicates, names that
/// differ only in case, or look-alikes under Unicode compatibility
/// normalisation (NFKC), with the reason.
pub fn collision<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Option<(String, String, &'static str)> {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for name in names {
        let folded: String = if name.is_ascii() {
            name.to_ascii_lowercase()
        } else {
            name.nfkc().collect::<String>().to_lowercase()
        };
        if let Some(prev) = seen.insert(folded, name) {
            let why = if prev == name {
                "appear twice"
            } else if prev.to_lowercase() == name.to_lowercase() {
                "differ only in case (one file on macOS and Windows)"
            } else {
                "look alike (equal after Unicode NFKC normalisation and case folding)"
            };
            return Some((prev.to_owned(), name.to_owned(), why));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_paths_are_named() {
        for bad in [
            "",
            "/etc/passwd",
            "a/../b",
            "./a",
            "a//b",
            "a/",
            "a\\b",
            "a\nb",
        ] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
        for good in ["a", "a/b.jsonl", ".env", "ün ïc.txt", "a..b"] {
            assert!(check(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn component_order() {
        let mut v = vec!["a-c/c", "a/b", "a", "B"];
        v.sort_by(|a, b| order(a, b));
        assert_eq!(v, ["B", "a", "a/b", "a-c/c"]);
    }

    #[test]
    fn collisions() {
        assert_eq!(collision(["a", "b", "a"]).unwrap().2, "appear twice");
        assert!(
            collision(["Data.csv", "data.csv"])
                .unwrap()
                .2
                .contains("case")
        );
        // U+FB01 LATIN SMALL LIGATURE FI vs "fi".
        assert!(
            collision(["\u{fb01}le", "file"])
                .unwrap()
                .2
                .contains("NFKC")
        );
        assert!(collision(["a", "b"]).is_none());
    }

    /// Decodes `%XX` escapes (what a URI reader does).
    fn decode(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }

    #[test]
    fn paths_are_percent_encoded_per_segment() {
        assert_eq!(
            percent_encode_path("a b/#1/café/x?.py".as_bytes(), true),
            "a%20b/%231/caf%C3%A9/x%3F.py"
        );
        assert_eq!(percent_encode_path(b"100%/c:d", true), "100%25/c%3Ad");
        assert_eq!(percent_encode_path(b"/c:d/e@f+g", false), "/c:d/e@f+g");
        assert_eq!(
            percent_encode_path(b"dir\\x.py", true),
            "dir%5Cx.py",
            "a file name on Unix"
        );
        for p in ["a b/#1/café/x?.py", "100%/c:d", "[x]/{y}/\"<>|`^"] {
            let e = percent_encode_path(p.as_bytes(), true);
            assert!(
                e.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@%".contains(&c)),
                "{e}"
            );
            assert_eq!(decode(&e), p.as_bytes(), "{e} decodes back");
        }
    }
}
