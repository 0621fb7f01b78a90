//! Does an OSV record affect an npm package or a crate at a version?
//!
//! The OSV schema's evaluation (`IsVulnerable`, schema 1.6): a version is
//! affected by an `affected[]` entry naming its package when the entry lists
//! it in `versions`, or when one of its ranges contains it. A range contains
//! a version when the version is below one of its `limit`s (there is no limit
//! when none is given, and `"*"` is none), and, walking its events sorted by
//! version (`introduced: "0"` first), the last event the version reaches
//! leaves it affected: `introduced` at or below it opens, `fixed` at or below
//! it closes, `last_affected` below it closes.
//!
//! npm and crates.io versions are SemVer 2.0, so both `SEMVER` ranges and the
//! `ECOSYSTEM` ranges GitHub's database writes for these two ecosystems are
//! ordered by SemVer precedence (prereleases before their release, build
//! metadata ignored). `GIT` and unknown range types are skipped. A version
//! written with a leading `v` or `=` (npm accepts both) is read without it,
//! and `1` or `1.2` as `1.0.0` and `1.2.0`; anything else that is not SemVer
//! is compared as written with the `versions` list and is an error where a
//! range would have to place it, never a silent "not affected". Withdrawn
//! records affect nothing.
//!
//! Package names: npm's are compared exactly; crates.io's ignore ASCII case
//! and treat `-` and `_` alike, as crates.io does when it reserves a name.

use std::cmp::Ordering;

use semver::Version;
use serde::{Deserialize, Deserializer};

use crate::model::{Ecosystem, Package};

/// The parts of an OSV record that matching reads (unknown fields ignored).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Record {
    /// The record's id.
    #[serde(default)]
    pub id: String,
    /// When the record was withdrawn, if it was.
    #[serde(default)]
    pub withdrawn: Option<String>,
    /// The affected packages.
    #[serde(default, deserialize_with = "null_as_default")]
    pub affected: Vec<Affected>,
}

/// One `affected[]` entry.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Affected {
    /// The package it names.
    #[serde(default)]
    pub package: Option<AffectedPackage>,
    /// Its ranges.
    #[serde(default, deserialize_with = "null_as_default")]
    pub ranges: Vec<Range>,
    /// Its explicitly listed versions.
    #[serde(default, deserialize_with = "null_as_default")]
    pub versions: Vec<String>,
}

/// `affected[].package`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AffectedPackage {
    /// The OSV ecosystem (`npm`, `crates.io`...).
    #[serde(default)]
    pub ecosystem: String,
    /// The package name.
    #[serde(default)]
    pub name: String,
}

/// `affected[].ranges[]`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Range {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Its events.
    #[serde(default, deserialize_with = "null_as_default")]
    pub events: Vec<Event>,
}

/// One event: exactly one of the four fields is set in a valid record.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Event {
    /// Opens the range at this version (`"0"`: before every version).
    pub introduced: Option<String>,
    /// Closes it at this version.
    pub fixed: Option<String>,
    /// Closes it after this version.
    pub last_affected: Option<String>,
    /// Bounds the range below this version (`"*"`: no bound).
    pub limit: Option<String>,
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Why a version could not be matched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatchError {
    /// The package's version is not SemVer.
    #[error("version {version:?} is not SemVer: {reason}")]
    Version {
        /// The version as given.
        version: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A range event's version is not SemVer.
    #[error("range event `{event}: {version:?}` is not SemVer: {reason}")]
    Event {
        /// `introduced`, `fixed`, `last_affected` or `limit`.
        event: &'static str,
        /// The version as written.
        version: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A range event sets none, or more than one, of the four fields.
    #[error("a range event must set exactly one of introduced, fixed, last_affected, limit")]
    EventShape,
    /// The package has no exact version to match.
    #[error("{name} has no exact version: it cannot be matched")]
    NoVersion {
        /// The package name.
        name: String,
    },
}

/// Parses an npm or crates.io version as this module reads them (see the
/// module documentation).
pub fn parse_version(raw: &str) -> Result<Version, String> {
    let s = raw.trim();
    let s = s.strip_prefix('=').unwrap_or(s).trim_start();
    let s = s.strip_prefix('v').unwrap_or(s);
    match Version::parse(s) {
        Ok(v) => Ok(v),
        Err(e) => {
            let parts: Vec<&str> = s.split('.').collect();
            let numeric = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
            if parts.len() < 3 && parts.iter().all(numeric) {
                let padded = format!("{s}{}", ".0".repeat(3 - parts.len()));
                Version::parse(&padded).map_err(|e| e.to_string())
            } else {
                Err(e.to_string())
            }
        }
    }
}

/// SemVer 2.0 precedence (its section 11): build metadata ignored, a
/// prerelease before its release, prerelease identifiers compared
/// numerically or in ASCII order.
pub fn precedence(a: &Version, b: &Version) -> Ordering {
    (a.major, a.minor, a.patch, &a.pre).cmp(&(b.major, b.minor, b.patch, &b.pre))
}

/// Whether two names are the same package in `ecosystem`.
pub fn same_name(ecosystem: Ecosystem, a: &str, b: &str) -> bool {
    match ecosystem {
        Ecosystem::Npm => a == b,
        Ecosystem::CratesIo => {
            a.len() == b.len()
                && a.bytes().zip(b.bytes()).all(|(x, y)| {
                    let fold = |c: u8| {
                        if c == b'-' {
                            b'_'
                        } else {
                            c.to_ascii_lowercase()
                        }
                    };
                    fold(x) == fold(y)
                })
        }
    }
}

impl Affected {
    /// Whether this entry names `name` in `ecosystem`.
    pub fn names(&self, ecosystem: Ecosystem, name: &str) -> bool {
        self.package.as_ref().is_some_and(|p| {
            Ecosystem::from_osv(p.ecosystem.trim()) == Some(ecosystem)
                && same_name(ecosystem, &p.name, name)
        })
    }

    /// Whether this entry affects `version` (its package is not checked:
    /// see [`Affected::names`]). A version that is not SemVer can still be
    /// found in `versions` (compared as written); it is an error only when
    /// a range would have to place it.
    pub fn affects(&self, version: &str) -> Result<bool, MatchError> {
        let parsed = parse_version(version);
        let listed = self
            .versions
            .iter()
            .any(|l| match (parse_version(l), &parsed) {
                (Ok(l), Ok(v)) => precedence(&l, v) == Ordering::Equal,
                _ => l.trim() == version.trim(),
            });
        if listed {
            return Ok(true);
        }
        let ranges = self.ranges.iter().filter(|r| {
            let kind = r.kind.trim();
            kind.eq_ignore_ascii_case("SEMVER") || kind.eq_ignore_ascii_case("ECOSYSTEM")
        });
        for range in ranges {
            let v = parsed.as_ref().map_err(|reason| MatchError::Version {
                version: version.to_owned(),
                reason: reason.clone(),
            })?;
            if contains(&parsed_events(&range.events)?, v) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl Record {
    /// Whether the record affects `name` at `version` in `ecosystem`. An
    /// entry that affects it wins over another that cannot be evaluated;
    /// otherwise the first error is returned, never "not affected".
    pub fn affects(
        &self,
        ecosystem: Ecosystem,
        name: &str,
        version: &str,
    ) -> Result<bool, MatchError> {
        if self.withdrawn.is_some() {
            return Ok(false);
        }
        let mut first_error = None;
        for entry in self.affected.iter().filter(|a| a.names(ecosystem, name)) {
            match entry.affects(version) {
                Ok(true) => return Ok(true),
                Ok(false) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(false), Err)
    }

    /// Whether the record affects a package read from a dependency source.
    /// A package without an exact version is an error, never "not affected".
    pub fn affects_package(&self, package: &Package) -> Result<bool, MatchError> {
        let Some(version) = &package.version else {
            return Err(MatchError::NoVersion {
                name: package.name.clone(),
            });
        };
        self.affects(package.ecosystem, &package.name, version)
    }
}

/// A point on the version line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Point {
    /// `introduced: "0"`: before every version.
    Zero,
    At(Version),
    /// `limit: "*"`: after every version.
    Infinity,
}

impl Point {
    fn cmp_version(&self, v: &Version) -> Ordering {
        match self {
            Point::Zero => Ordering::Less,
            Point::At(p) => precedence(p, v),
            Point::Infinity => Ordering::Greater,
        }
    }

    fn cmp(&self, other: &Point) -> Ordering {
        match (self, other) {
            (Point::Zero, Point::Zero) | (Point::Infinity, Point::Infinity) => Ordering::Equal,
            (Point::Zero, _) | (_, Point::Infinity) => Ordering::Less,
            (_, Point::Zero) | (Point::Infinity, _) => Ordering::Greater,
            (Point::At(a), Point::At(b)) => precedence(a, b),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

fn parsed_events(events: &[Event]) -> Result<Vec<(Kind, Point)>, MatchError> {
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let set = [
            (Kind::Introduced, "introduced", &e.introduced),
            (Kind::Fixed, "fixed", &e.fixed),
            (Kind::LastAffected, "last_affected", &e.last_affected),
            (Kind::Limit, "limit", &e.limit),
        ];
        let mut given = set.iter().filter(|(_, _, v)| v.is_some());
        let (Some((kind, label, Some(raw))), None) = (given.next(), given.next()) else {
            return Err(MatchError::EventShape);
        };
        let raw = raw.trim();
        let point = match (kind, raw) {
            (Kind::Introduced, "0") => Point::Zero,
            (Kind::Limit, r) if r.contains('*') => Point::Infinity,
            _ => Point::At(parse_version(raw).map_err(|reason| MatchError::Event {
                event: label,
                version: raw.to_owned(),
                reason,
            })?),
        };
        out.push((*kind, point));
    }
    Ok(out)
}

/// The schema's `IncludedInRanges` for one range.
fn contains(events: &[(Kind, Point)], v: &Version) -> bool {
    let mut limits = events.iter().filter(|(k, _)| *k == Kind::Limit).peekable();
    if limits.peek().is_some() && !limits.any(|(_, l)| l.cmp_version(v) == Ordering::Greater) {
        return false;
    }
    let mut sorted: Vec<&(Kind, Point)> = events.iter().collect();
    sorted.sort_by(|a, b| a.1.cmp(&b.1));
    let mut affected = false;
    for (kind, point) in sorted {
        let at_or_below = point.cmp_version(v) != Ordering::Greater;
        match kind {
            Kind::Introduced if at_or_below => affected = true,
            Kind::Fixed if at_or_below => affected = false,
            Kind::LastAffected if point.cmp_version(v) == Ordering::Less => affected = false,
            _ => {}
        }
    }
    affected
}
