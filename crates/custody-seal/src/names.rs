//! Manifest paths: relative, `/`-separated, UTF-8, no `.`/`..`, no
//! duplicates, and no two names that one file system would take for the
//! same file (case, Unicode compatibility forms).

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
}
