//! What an inspection returns: a package's findings, and what was not read.

use std::path::PathBuf;

use serde::Serialize;

use super::rules::{Code, Level, Phase};

/// One file of a package handed to [`inspect_files`](super::inspect_files).
#[derive(Debug, Clone, Copy)]
pub struct PackageFile<'a> {
    /// The path inside the package, `/`-separated, without `./`
    /// (`install.js`, `.github/workflows/ci.yml`).
    pub path: &'a str,
    /// The file's whole size in bytes.
    pub size: u64,
    /// Its bytes, or their first part when shorter than `size` (reported as
    /// skipped); `None` when only its name and size are known.
    pub content: Option<&'a [u8]>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's stable code.
    pub code: Code,
    /// The rule's level.
    pub level: Level,
    /// The lifecycle script that runs the code, or `None` for a file the
    /// package ships without running it (a worm's file).
    pub phase: Option<Phase>,
    /// The file, inside the package (`package.json` for a command).
    pub file: String,
    /// The 1-based line, where known.
    pub line: Option<usize>,
    /// A short excerpt, escaped (the command, or the matched text).
    pub evidence: String,
    /// Why this counts.
    pub reason: String,
}

/// Something the inspection did not read, or read only in part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The file (or the reference that named it), inside the package.
    pub file: String,
    /// Why.
    pub reason: String,
}

/// The inspection of one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageReport {
    /// The package folder (for [`inspect_files`](super::inspect_files): the
    /// folder of the manifest path given).
    pub dir: PathBuf,
    /// `name` from `package.json`.
    pub name: Option<String>,
    /// `version` from `package.json`.
    pub version: Option<String>,
    /// The highest level among the findings; `None` without findings.
    pub level: Option<Level>,
    /// The findings: lifecycle scripts first, then signals by file, then
    /// combinations.
    pub findings: Vec<Finding>,
    /// What was not read.
    pub skipped: Vec<Skipped>,
}

impl PackageReport {
    /// Whether a finding with `code` is present.
    pub fn has(&self, code: Code) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }
}
