//! Package URLs (purl) for PyPI packages: `pkg:pypi/NAME@VERSION`, the
//! name PEP 503 normalised (as the purl spec's pypi type asks: lower case,
//! `_` as `-`), the version percent-encoded where the purl spec requires.

use std::fmt::Write as _;

/// The purl of a PyPI release.
pub fn pypi(name: &str, version: Option<&str>) -> String {
    let mut s = format!("pkg:pypi/{}", encode(name));
    if let Some(v) = version {
        let _ = write!(s, "@{}", encode(v));
    }
    s
}

/// Percent-encodes everything outside the purl spec's unreserved set
/// (`A-Z a-z 0-9 . - _ ~`).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_versions_are_encoded() {
        assert_eq!(
            super::pypi("torch", Some("2.3.0+cu121")),
            "pkg:pypi/torch@2.3.0%2Bcu121"
        );
        assert_eq!(
            super::pypi("zope-interface", None),
            "pkg:pypi/zope-interface"
        );
    }
}
