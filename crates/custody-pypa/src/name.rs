use std::fmt;

/// A distribution name normalised per PEP 503: lower case, and every run of
/// `-`, `_` and `.` replaced by a single `-`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct PackageName(String);

/// A string that is not a valid distribution name (PEP 508 `identifier`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid package name {0:?}: names are ASCII letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
)]
pub struct InvalidName(pub String);

impl PackageName {
    /// Validates `raw` (PEP 508 identifier rules) and normalises it (PEP 503).
    pub fn new(raw: &str) -> Result<Self, InvalidName> {
        let raw_trim = raw.trim();
        let bytes = raw_trim.as_bytes();
        let valid = !bytes.is_empty()
            && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
            && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !valid {
            return Err(InvalidName(raw.to_owned()));
        }
        let mut out = String::with_capacity(raw_trim.len());
        let mut in_sep = false;
        for c in raw_trim.chars() {
            if matches!(c, '-' | '_' | '.') {
                if !in_sep {
                    out.push('-');
                }
                in_sep = true;
            } else {
                out.push(c.to_ascii_lowercase());
                in_sep = false;
            }
        }
        Ok(Self(out))
    }

    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for PackageName {
    type Err = InvalidName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// Whether the distribution name or an extra at the start of a PEP 508
/// requirement ends in `-`, `_` or `.` (`idna-=2.7`, `x[a-]`). Such a
/// requirement is invalid, and `pep508_rs` 0.9.2 panics on it (an `expect`
/// after its name and extra loops) instead of returning an error: callers
/// refuse it before parsing. Found by the `inventory_requirements` fuzz
/// target (`fixtures/fuzz/`). Conservative: `true` only for invalid text.
pub fn requirement_identifier_ends_in_separator(requirement: &str) -> bool {
    let is_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let ends_badly = |s: &str| s.ends_with(['-', '_', '.']);
    let rest = requirement.trim_start();
    let (name, rest) = rest.split_at(rest.find(|c| !is_name(c)).unwrap_or(rest.len()));
    if ends_badly(name) {
        return true;
    }
    let Some(mut extras) = rest.trim_start().strip_prefix('[') else {
        return false;
    };
    loop {
        extras = extras.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        let len = extras.find(|c| !is_name(c)).unwrap_or(extras.len());
        if len == 0 {
            return false;
        }
        let (extra, after) = extras.split_at(len);
        if ends_badly(extra) {
            return true;
        }
        extras = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_per_pep_503() {
        for (raw, want) in [
            ("Django", "django"),
            ("zope.interface", "zope-interface"),
            ("Foo__Bar-.baz", "foo-bar-baz"),
            ("typing_extensions", "typing-extensions"),
            ("num2words", "num2words"),
        ] {
            assert_eq!(PackageName::new(raw).unwrap().as_str(), want, "{raw}");
        }
    }

    #[test]
    fn rejects_invalid_names() {
        for raw in ["", "-foo", "foo-", "fo o", "foo/bar", "ünï"] {
            assert!(PackageName::new(raw).is_err(), "{raw:?} should be rejected");
        }
    }

    #[test]
    fn finds_identifiers_that_end_in_a_separator() {
        for bad in [
            "idna-=2.7",
            "  idna_ ==1",
            "x.;python_version>'3'",
            "x[a-]",
            "x [ a , b. ]==1",
            "x[a_,b]",
        ] {
            assert!(requirement_identifier_ends_in_separator(bad), "{bad:?}");
        }
        for good in [
            "idna==2.7",
            "x[a,b]>=1",
            "x [ a-b ] ; python_version >= '3.8'",
            "x @ https://example.invalid/x-1.0-.tar.gz",
            "x; extra == 'a-'",
            "",
            "-r other.txt",
        ] {
            assert!(!requirement_identifier_ends_in_separator(good), "{good:?}");
        }
    }
}
