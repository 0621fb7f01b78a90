//! The OSV record, as far as custody uses it. Unknown fields are ignored so
//! newer schema versions still load; `database_specific` is kept whole.

use serde::{Deserialize, Serialize};

/// One OSV advisory record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The record id (`PYSEC-2021-66`, `MAL-2026-2144`, `GHSA-...`).
    pub id: String,
    /// When the record last changed (RFC 3339).
    pub modified: String,
    /// When it was first published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When it was withdrawn; withdrawn records never match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// Other ids for the same problem.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// One-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Severity scores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<SeverityScore>,
    /// What it affects.
    #[serde(default)]
    pub affected: Vec<Affected>,
    /// Links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// Database-specific data; for malicious-package records, `iocs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

impl Advisory {
    /// Whether this is a malicious-package record (`MAL-` id or alias).
    pub fn is_malicious(&self) -> bool {
        self.id.starts_with("MAL-")
            || self.aliases.iter().any(|a| a.starts_with("MAL-"))
            || self
                .database_specific
                .as_ref()
                .and_then(|d| d.get("malicious"))
                .and_then(serde_json::Value::as_bool)
                == Some(true)
    }

    /// Indicators of compromise (`database_specific.iocs`), when present.
    pub fn iocs(&self) -> Option<&serde_json::Value> {
        self.database_specific.as_ref()?.get("iocs")
    }

    /// Names (PEP 503 normalised) of the PyPI packages this record affects.
    pub fn pypi_packages(&self) -> Vec<custody_pypa::PackageName> {
        let mut out: Vec<_> = self
            .affected
            .iter()
            .filter_map(|a| a.package.as_ref())
            .filter(|p| p.is_pypi())
            .filter_map(|p| custody_pypa::PackageName::new(&p.name).ok())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The npm and crates.io packages this record affects, as
    /// `(ecosystem, lookup key)`: the key is the name as npm writes it, or a
    /// crate name folded as crates.io folds it (see [`lookup_key`]).
    pub fn other_packages(&self) -> Vec<(custody_ecosystems::Ecosystem, String)> {
        let mut out: Vec<_> = self
            .affected
            .iter()
            .filter_map(|a| a.package.as_ref())
            .filter_map(|p| {
                let eco = custody_ecosystems::Ecosystem::from_osv(p.ecosystem.trim())?;
                Some((eco, lookup_key(eco, &p.name)))
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// The key a package name is looked up by in its ecosystem: npm names as
/// written (npm compares them exactly), crate names in ASCII lower case with
/// `_` as `-` (crates.io treats those as the same name).
pub fn lookup_key(ecosystem: custody_ecosystems::Ecosystem, name: &str) -> String {
    match ecosystem {
        custody_ecosystems::Ecosystem::Npm => name.to_owned(),
        custody_ecosystems::Ecosystem::CratesIo => name.to_ascii_lowercase().replace('_', "-"),
    }
}

/// A severity score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityScore {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`...
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector or label.
    pub score: String,
}

/// One affected package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// The package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    /// Version ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Explicit versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// Per-package severity (schema 1.5+).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<SeverityScore>,
}

/// An affected package's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Ecosystem, `PyPI` for Python.
    pub ecosystem: String,
    /// The name as the ecosystem writes it.
    pub name: String,
    /// Package URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

impl Package {
    /// Whether the ecosystem is PyPI (OSV allows `PyPI:suffix` variants).
    pub fn is_pypi(&self) -> bool {
        let e = self.ecosystem.split(':').next().unwrap_or_default();
        e.eq_ignore_ascii_case("pypi")
    }
}

/// A version range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// `ECOSYSTEM`, `SEMVER` or `GIT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// For `GIT` ranges, the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The events, in the record's order.
    #[serde(default)]
    pub events: Vec<Event>,
}

/// One range event; exactly one field is set in a valid record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Event {
    /// The range starts here (`"0"`: from the first version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    /// The first version that is not affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    /// The last version that is affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    /// An upper bound on the whole range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

/// A reference link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// `ADVISORY`, `WEB`, `FIX`...
    #[serde(rename = "type")]
    pub kind: String,
    /// The URL.
    pub url: String,
}
