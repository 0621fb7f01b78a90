//! The policy file, `custody.toml`: found in the scanned folder or given with
//! `--config`.
//!
//! ```toml
//! fail-on = "high"        # low | medium | high | critical
//! min-age = "7d"          # cooldown: flag locked files younger than this
//! max-db-age = "7d"       # warn when the newest advisory is older than this
//!
//! [[ignore]]
//! id = "PYSEC-2018-28"    # an advisory id or any of its aliases
//! reason = "not reachable: we never call requests with untrusted redirects"
//! expires = "2027-01-31"  # after this date the finding is reported again
//!
//! [index]                 # `custody index serve` (docs/index.md)
//! min-age = "7d"          # hide releases younger than this (default: the top-level min-age)
//! suspicious = "block"    # block | warn: files inspection finds suspicious
//! block-severity = "high" # hide releases with an advisory at or above this
//!
//! [[index.allow]]         # a cooldown exception, never a malicious one
//! package = "urllib3"
//! version = "2.6.1"       # optional: one release only
//! reason = "the CVE fix we need"
//! expires = "2026-12-31"
//! ```
//!
//! Every problem is reported with its line; unknown keys are errors (a typo
//! must not silently disable a rule).

use std::path::{Path, PathBuf};

use custody_advisory::Severity;
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The file name looked for in a scanned folder.
pub const FILE_NAME: &str = "custody.toml";

/// A validated policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Policy {
    /// Where it was read, if from a file.
    pub path: Option<PathBuf>,
    /// Fail at or above this severity.
    pub fail_on: Option<Severity>,
    /// Cooldown.
    #[serde(skip)]
    pub min_age: Option<jiff::SignedDuration>,
    /// Freshness limit of the advisory data.
    #[serde(skip)]
    pub max_db_age: Option<jiff::SignedDuration>,
    /// Accepted findings.
    pub ignores: Vec<Ignore>,
    /// `custody index serve`'s settings (`[index]`).
    pub index: IndexPolicy,
}

/// What `custody index serve` does with suspicious files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Suspicious {
    /// Refuse them (403).
    #[default]
    Block,
    /// Serve them, logged as `allowed-suspicious`.
    Warn,
}

/// The `[index]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IndexPolicy {
    /// The cooldown of the index (`[index] min-age`, else the top-level `min-age`).
    #[serde(skip)]
    pub min_age: Option<jiff::SignedDuration>,
    /// Suspicious files: block or warn.
    pub suspicious: Suspicious,
    /// Releases with an advisory at or above this severity are hidden
    /// (`[index] block-severity`); none when unset.
    pub block_severity: Option<Severity>,
    /// Cooldown exceptions (`[[index.allow]]`).
    pub allows: Vec<crate::index::Allow>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignore {
    /// Advisory id or alias.
    pub id: String,
    /// Why it is accepted.
    pub reason: String,
    /// Last day the ignore applies (inclusive).
    pub expires: jiff::civil::Date,
    /// Line in the policy file.
    pub line: usize,
}

/// A policy file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// Unreadable file.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's explanation.
        reason: String,
    },
    /// Malformed or invalid content.
    #[error("{path}: line {line}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    fail_on: Option<Spanned<String>>,
    min_age: Option<Spanned<toml::Value>>,
    max_db_age: Option<Spanned<toml::Value>>,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
    index: Option<RawIndex>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawIndex {
    min_age: Option<Spanned<toml::Value>>,
    suspicious: Option<Spanned<String>>,
    block_severity: Option<Spanned<String>>,
    #[serde(default)]
    allow: Vec<Spanned<RawAllow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    package: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    expires: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    id: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    expires: Option<Spanned<toml::Value>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Parses a duration written as days (`7`), or with a unit: `12h`, `7d`, `2w`.
pub fn parse_duration(s: &str) -> Result<jiff::SignedDuration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, "d"),
    };
    let n: i64 = num.parse().map_err(|_| {
        format!("invalid duration {s:?} (expected a number with h, d or w, such as 7d)")
    })?;
    let per_unit = match unit {
        "h" => 1,
        "d" => 24,
        "w" => 24 * 7,
        _ => return Err(format!("invalid duration unit in {s:?} (use h, d or w)")),
    };
    // A number of hours whose seconds overflow an i64 panicked in jiff
    // (found by the policy_custody fuzz target).
    n.checked_mul(per_unit)
        .and_then(jiff::SignedDuration::try_from_hours)
        .ok_or_else(|| format!("duration {s:?} is too long"))
}

/// The largest policy file read (`custody.toml`, `delivery.toml`): 1 MiB.
/// A `custody.toml` comes with the folder scanned, so it is untrusted.
pub const MAX_POLICY_BYTES: u64 = 1 << 20;

/// A TOML policy file's text (a regular file of at most [`MAX_POLICY_BYTES`]).
pub(crate) fn read_text(path: &Path) -> Result<String, PolicyError> {
    use crate::inventory::limits::{Unread, read_bounded};
    let io = |reason: String| PolicyError::Io {
        path: path.to_owned(),
        reason,
    };
    let bytes = read_bounded(path, MAX_POLICY_BYTES).map_err(|why| match why {
        Unread::Io(e) => {
            io(std::error::Error::source(&e).map_or_else(|| e.to_string(), ToString::to_string))
        }
        why => io(why.to_string()),
    })?;
    String::from_utf8(bytes).map_err(|_| io("not UTF-8 text".to_owned()))
}

/// `text` (of `path`) as `T`, or the parser's message at its line; and
/// the function that makes an error at an offset of `text`.
pub(crate) fn parse_toml<'a, T: serde::de::DeserializeOwned>(
    path: &'a Path,
    text: &'a str,
) -> (
    Result<T, PolicyError>,
    impl Fn(usize, String) -> PolicyError + 'a,
) {
    let invalid = move |offset: usize, message: String| PolicyError::Invalid {
        path: path.to_owned(),
        line: line_of(text, offset),
        message,
    };
    let raw = toml::from_str(text).map_err(|e| {
        invalid(
            e.span().map_or(0, |s| s.start),
            e.message().trim().to_owned(),
        )
    });
    (raw, invalid)
}

impl Policy {
    /// Reads and validates a policy file.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        Self::parse(path, &read_text(path)?)
    }

    /// Validates policy text; `path` is used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Self, PolicyError> {
        let (raw, invalid) = parse_toml::<Raw>(path, text);
        let raw = raw?;
        let mut policy = Policy {
            path: Some(path.to_owned()),
            ..Policy::default()
        };
        if let Some(f) = &raw.fail_on {
            policy.fail_on = Some(
                f.get_ref()
                    .parse()
                    .map_err(|m| invalid(f.span().start, format!("fail-on: {m}")))?,
            );
        }
        let duration = |v: &Spanned<toml::Value>, key: &str| {
            let s = match v.get_ref() {
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::String(s) => s.clone(),
                _ => {
                    return Err(invalid(
                        v.span().start,
                        format!("{key}: expected days (7) or a duration (\"12h\", \"7d\")"),
                    ));
                }
            };
            parse_duration(&s).map_err(|m| invalid(v.span().start, format!("{key}: {m}")))
        };
        if let Some(v) = &raw.min_age {
            policy.min_age = Some(duration(v, "min-age")?);
        }
        if let Some(v) = &raw.max_db_age {
            policy.max_db_age = Some(duration(v, "max-db-age")?);
        }
        for entry in &raw.ignore {
            let at = entry.span().start;
            let e = entry.get_ref();
            let id =
                e.id.as_ref()
                    .ok_or_else(|| invalid(at, "[[ignore]] needs `id`".into()))?;
            let reason = e
                .reason
                .as_ref()
                .filter(|r| !r.get_ref().trim().is_empty())
                .ok_or_else(|| {
                    invalid(
                        at,
                        format!("[[ignore]] {} needs a non-empty `reason`", id.get_ref()),
                    )
                })?;
            let expires = e.expires.as_ref().ok_or_else(|| {
                invalid(
                    at,
                    format!(
                        "[[ignore]] {} needs `expires` (a date such as 2027-01-31)",
                        id.get_ref()
                    ),
                )
            })?;
            let date_text = match expires.get_ref() {
                toml::Value::Datetime(d) => d.to_string(),
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let date: jiff::civil::Date = date_text.parse().map_err(|_| {
                invalid(
                    expires.span().start,
                    format!("`expires` {date_text:?} is not a date (YYYY-MM-DD)"),
                )
            })?;
            policy.ignores.push(Ignore {
                id: id.get_ref().trim().to_owned(),
                reason: reason.get_ref().trim().to_owned(),
                expires: date,
                line: line_of(text, id.span().start),
            });
        }
        policy.index.min_age = policy.min_age;
        if let Some(index) = &raw.index {
            index_table(index, text, &mut policy.index, &duration, &invalid)?;
        }
        Ok(policy)
    }
}

/// The `[index]` table into `out` (whose min-age is the top-level one).
fn index_table(
    index: &RawIndex,
    text: &str,
    out: &mut IndexPolicy,
    duration: &impl Fn(&Spanned<toml::Value>, &str) -> Result<jiff::SignedDuration, PolicyError>,
    invalid: &impl Fn(usize, String) -> PolicyError,
) -> Result<(), PolicyError> {
    if let Some(v) = &index.min_age {
        out.min_age = Some(duration(v, "index.min-age")?);
    }
    if let Some(s) = &index.suspicious {
        out.suspicious = match s.get_ref().as_str() {
            "block" => Suspicious::Block,
            "warn" => Suspicious::Warn,
            other => {
                return Err(invalid(
                    s.span().start,
                    format!("index.suspicious: {other:?} is neither \"block\" nor \"warn\""),
                ));
            }
        };
    }
    if let Some(b) = &index.block_severity {
        out.block_severity = Some(
            b.get_ref()
                .parse()
                .map_err(|m| invalid(b.span().start, format!("index.block-severity: {m}")))?,
        );
    }
    for entry in &index.allow {
        out.allows.push(allow(entry, text, invalid)?);
    }
    Ok(())
}

/// One `[[index.allow]]` entry: `package`, `reason` and `expires` required.
fn allow(
    entry: &Spanned<RawAllow>,
    text: &str,
    invalid: &impl Fn(usize, String) -> PolicyError,
) -> Result<crate::index::Allow, PolicyError> {
    let at = entry.span().start;
    let e = entry.get_ref();
    let package = e
        .package
        .as_ref()
        .ok_or_else(|| invalid(at, "[[index.allow]] needs `package`".into()))?;
    let name = custody_pypa::PackageName::new(package.get_ref()).map_err(|m| {
        invalid(
            package.span().start,
            format!("[[index.allow]] package: {m}"),
        )
    })?;
    let reason = e
        .reason
        .as_ref()
        .filter(|r| !r.get_ref().trim().is_empty())
        .ok_or_else(|| {
            invalid(
                at,
                format!("[[index.allow]] {name} needs a non-empty `reason`"),
            )
        })?;
    let expires = e.expires.as_ref().ok_or_else(|| {
        invalid(
            at,
            format!("[[index.allow]] {name} needs `expires` (a date such as 2027-01-31)"),
        )
    })?;
    let date_text = match expires.get_ref() {
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let date: jiff::civil::Date = date_text.parse().map_err(|_| {
        invalid(
            expires.span().start,
            format!("`expires` {date_text:?} is not a date (YYYY-MM-DD)"),
        )
    })?;
    if let Some(v) = &e.version {
        custody_pypa::parse_version(v.get_ref()).map_err(|m| {
            invalid(
                v.span().start,
                format!("[[index.allow]] {name} version: {m}"),
            )
        })?;
    }
    Ok(crate::index::Allow {
        package: name,
        version: e.version.as_ref().map(|v| v.get_ref().clone()),
        reason: reason.get_ref().trim().to_owned(),
        expires: date,
        line: line_of(text, package.span().start),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Result<Policy, PolicyError> {
        Policy::parse(Path::new("custody.toml"), t)
    }

    /// fixtures/fuzz/policy_custody/min-age-overflows.toml, the input the
    /// policy_custody target crashed on, and the other units' limits.
    #[test]
    fn durations_too_long_are_errors_not_panics() {
        let text = include_str!("../../../fixtures/fuzz/policy_custody/min-age-overflows.toml");
        let e = parse(text).unwrap_err().to_string();
        assert!(e.contains("is too long") && e.contains("line 1"), "{e}");
        for s in [
            "2562047788015216h",
            "9223372036854775807d",
            "99999999999999999w",
        ] {
            let e = parse_duration(s).unwrap_err();
            assert!(e.contains("is too long"), "{s}: {e}");
        }
        assert_eq!(
            parse_duration("2562047788015215h").unwrap().as_hours(),
            2_562_047_788_015_215,
            "the largest number of hours jiff holds"
        );
    }

    #[test]
    fn full_policy() {
        let p = parse("fail-on = \"medium\"\nmin-age = 3\nmax-db-age = \"12h\"\n[[ignore]]\nid = \"PYSEC-1\"\nreason = \"r\"\nexpires = 2027-01-31\n").unwrap();
        assert_eq!(p.fail_on, Some(Severity::Medium));
        assert_eq!(p.min_age, Some(jiff::SignedDuration::from_hours(72)));
        assert_eq!(p.max_db_age, Some(jiff::SignedDuration::from_hours(12)));
        assert_eq!(p.ignores[0].expires, jiff::civil::date(2027, 1, 31));
        assert_eq!(p.ignores[0].line, 5);
    }

    #[test]
    fn ignore_without_reason_names_line() {
        let err = parse("\n[[ignore]]\nid = \"X\"\nexpires = 2027-01-01\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("line 2") && msg.contains("reason"), "{msg}");
    }

    #[test]
    fn ignore_without_expiry_is_rejected() {
        assert!(
            parse("[[ignore]]\nid = \"X\"\nreason = \"r\"\n")
                .unwrap_err()
                .to_string()
                .contains("expires")
        );
    }

    #[test]
    fn unknown_key_is_rejected_with_line() {
        let msg = parse("fail-on = \"high\"\nfail_on = \"low\"\n")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("line 2"), "{msg}");
    }

    #[test]
    fn index_table() {
        let p = parse(
            "min-age = 3\n[index]\nsuspicious = \"warn\"\n[[index.allow]]\npackage = \"Foo_Bar\"\n\
             reason = \"fix\"\nexpires = 2027-01-31\n",
        )
        .unwrap();
        assert_eq!(p.index.min_age, Some(jiff::SignedDuration::from_hours(72)));
        assert_eq!(p.index.suspicious, Suspicious::Warn);
        assert_eq!(p.index.allows[0].package.as_str(), "foo-bar");
        assert_eq!(p.index.allows[0].line, 5);
        let msg = parse("[index]\n\n[[index.allow]]\npackage = \"x\"\nexpires = 2027-01-31\n")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("line 3") && msg.contains("reason"), "{msg}");
        let msg = parse("[index]\nsuspicious = \"maybe\"\n")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("line 2"), "{msg}");
        let msg = parse("[index]\nmin_age = 3\n").unwrap_err().to_string();
        assert!(msg.contains("line 2"), "{msg}");
    }

    #[test]
    fn bad_severity() {
        assert!(
            parse("fail-on = \"severe\"")
                .unwrap_err()
                .to_string()
                .contains("unknown severity")
        );
    }
}
