//! The scan report: what `custody scan --format json` prints (schema
//! `custody.scan/v1`, documented in `docs/scan-json.md`), and what the table
//! and SARIF renderers read.

use custody_advisory::Severity;
use custody_inventory::{Origin, Source};
use serde::Serialize;

use crate::advisories::IndexStatus;

/// The JSON schema identifier; bumped on incompatible changes.
pub const SCHEMA: &str = "custody.scan/v1";

/// Stable finding codes.
pub mod codes {
    /// A package version named by a malicious-package record.
    pub const MALICIOUS: &str = "custody::malicious-package";
    /// A package version affected by a vulnerability advisory.
    pub const VULNERABLE: &str = "custody::vulnerable-package";
    /// A locked file uploaded more recently than the minimum age.
    pub const COOLDOWN: &str = "custody::cooldown";
}

/// Everything one scan found.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// custody's version.
    pub tool_version: &'static str,
    /// When the scan ran (RFC 3339).
    pub scanned_at: jiff::Timestamp,
    /// The advisory data used.
    pub database: DatabaseInfo,
    /// Files and folders read.
    pub sources: Vec<Source>,
    /// Counts.
    pub summary: Summary,
    /// Findings that count, malicious first, then by severity.
    pub findings: Vec<Finding>,
    /// Findings accepted by the policy (not expired).
    pub ignored: Vec<Finding>,
    /// Packages whose advisories could not be looked up, and why.
    pub unchecked: Vec<Unchecked>,
    /// Things the reader must know (stale data, expired ignores, ...).
    pub warnings: Vec<String>,
    /// The threshold used for the exit code.
    pub fail_on: Severity,
}

/// The advisory data behind a report.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseInfo {
    /// As `db status` shows it.
    #[serde(flatten)]
    pub status: IndexStatus,
    /// Whole days since the newest record's `modified`.
    pub age_days: Option<i64>,
    /// Older than the policy's `max-db-age` (a warning says so; `--strict`
    /// fails on it). Not printed: the warning carries it.
    #[serde(skip)]
    pub stale: bool,
}

/// Counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Package entries read (the same name and version in two files counts twice).
    pub packages: usize,
    /// Distinct (name, version) pairs looked up.
    pub checked: usize,
    /// Entries that could not be looked up.
    pub unchecked: usize,
    /// Findings that count.
    pub findings: usize,
    /// Of which malicious.
    pub malicious: usize,
    /// Findings accepted by the policy.
    pub ignored: usize,
}

/// One finding: a package version and the advisory (aliases collapsed) or
/// rule that flags it.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable code, see [`codes`].
    pub code: &'static str,
    /// The OSV ecosystem of the package: absent for PyPI (as in every
    /// `custody.scan/v1` report before npm and Cargo were read), `npm` or
    /// `crates.io` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<&'static str>,
    /// PEP 503 name for PyPI; the name as npm or crates.io writes it otherwise.
    pub package: String,
    /// Version as written.
    pub version: String,
    /// Primary advisory id (MAL- before PYSEC- before GHSA- before others); absent for rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Every other id of the same advisory.
    pub aliases: Vec<String>,
    /// Whether the advisory marks the release malicious.
    pub malicious: bool,
    /// Severity (malicious: critical).
    pub severity: Severity,
    /// CVSS base score, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<f64>,
    /// One-line description.
    pub summary: String,
    /// Versions that fix it.
    pub fixed: Vec<String>,
    /// Where the package was found.
    pub locations: Vec<Origin>,
    /// Indicators of compromise from the advisory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iocs: Option<serde_json::Value>,
    /// Where the advisory came from (`database`, `embedded`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advisory_sources: Vec<crate::advisories::Origin>,
    /// For cooldown findings: the newest upload time of the locked files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_time: Option<jiff::Timestamp>,
    /// A policy ignore that matched: in `ignored` it applies; in `findings` it expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore: Option<AppliedIgnore>,
}

/// A policy ignore, as applied to a finding.
#[derive(Debug, Clone, Serialize)]
pub struct AppliedIgnore {
    /// The id it named.
    pub id: String,
    /// Its reason.
    pub reason: String,
    /// Its expiry date.
    pub expires: jiff::civil::Date,
    /// Whether it had expired at scan time.
    pub expired: bool,
}

/// A package that was not looked up.
#[derive(Debug, Clone, Serialize)]
pub struct Unchecked {
    /// The OSV ecosystem, as for [`Finding::ecosystem`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<&'static str>,
    /// PEP 503 name (npm and crates.io: as written), or the entry's text
    /// when it names no package.
    pub package: String,
    /// Version as written, when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Why it could not be checked.
    pub reason: String,
    /// Where it was found.
    pub location: Origin,
}

impl Finding {
    /// The package as people read it: the name, with its ecosystem in
    /// brackets unless it is PyPI (`debug (npm)`).
    pub fn label(&self) -> String {
        label(self.ecosystem, &self.package)
    }

    /// The package as one key: the name, prefixed `ecosystem:` unless it
    /// is PyPI (`npm:debug`).
    pub fn key(&self) -> String {
        match self.ecosystem {
            Some(e) => format!("{e}:{}", self.package),
            None => self.package.clone(),
        }
    }
}

impl Unchecked {
    /// As [`Finding::label`].
    pub fn label(&self) -> String {
        label(self.ecosystem, &self.package)
    }
}

fn label(ecosystem: Option<&str>, package: &str) -> String {
    match ecosystem {
        Some(e) => format!("{package} ({e})"),
        None => package.to_owned(),
    }
}

impl ScanReport {
    /// Whether the findings fail the scan: any malicious finding, or any
    /// finding at or above [`ScanReport::fail_on`].
    pub fn fails(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.malicious || f.severity.meets(self.fail_on))
    }
}
