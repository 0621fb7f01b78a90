//! What a new version of a package adds over an old one: files (start-up
//! hooks and binary blobs above all) and capabilities. The litellm 1.82.8
//! tell was a new `.pth` and new start-up network code next to 1.82.6.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::archive::Contents;
use crate::report::{Finding, Level, Phase, Report, Verdict};

/// A file in the new version that the old one did not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddedFile {
    /// Path, version prefix removed (`pkg-1.0/x.py` reads `x.py`).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// `startup-hook`, `binary`, `python` or `other`.
    pub kind: &'static str,
}

/// The difference between two versions.
#[derive(Debug, Clone, Serialize)]
pub struct VersionDiff {
    /// The old package.
    pub old: String,
    /// The new package.
    pub new: String,
    /// Verdicts of each.
    pub old_verdict: Verdict,
    /// Verdict of the new package.
    pub new_verdict: Verdict,
    /// Files only in the new version.
    pub added_files: Vec<AddedFile>,
    /// Files only in the old version.
    pub removed_files: Vec<String>,
    /// Findings of the new version that the old one did not have (compared
    /// by code, file, phase and snippet, so moved lines do not count).
    pub new_findings: Vec<Finding>,
}

impl VersionDiff {
    /// Whether the new version adds something that acts before run time: a
    /// start-up hook, or a medium or higher finding at install, start-up or
    /// import.
    pub fn adds_early_behaviour(&self) -> bool {
        self.added_files.iter().any(|f| f.kind == "startup-hook")
            || self
                .new_findings
                .iter()
                .any(|f| f.phase != Phase::Runtime && f.level >= Level::Medium)
    }
}

/// A member path without the version-specific parts: the sdist's
/// `name-version/` folder and the wheel's `name-version.dist-info/`.
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    if parts.len() > 1 && is_versioned(parts[0]) && !parts[0].ends_with(".dist-info") {
        parts.remove(0);
    }
    parts
        .iter()
        .map(|p| {
            if let Some(stem) = p.strip_suffix(".dist-info") {
                format!("{}.dist-info", stem.split('-').next().unwrap_or(stem))
            } else if let Some(stem) = p.strip_suffix(".data") {
                format!("{}.data", stem.split('-').next().unwrap_or(stem))
            } else {
                (*p).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `name-1.2.3`: a name, a dash, then something that starts with a digit.
fn is_versioned(component: &str) -> bool {
    component
        .rsplit_once('-')
        .is_some_and(|(_, v)| v.starts_with(|c: char| c.is_ascii_digit()))
}

fn kind(path: &str, data: &[u8]) -> &'static str {
    let base = path.rsplit('/').next().unwrap_or(path);
    if base.ends_with(".pth")
        || base.ends_with(".start")
        || base == "sitecustomize.py"
        || base == "usercustomize.py"
    {
        "startup-hook"
    } else if base.ends_with(".py") {
        "python"
    } else if data.starts_with(b"\x7fELF")
        || data.starts_with(b"MZ")
        || data.starts_with(b"\xcf\xfa\xed\xfe")
        || data.iter().take(4096).any(|b| *b == 0)
    {
        "binary"
    } else {
        "other"
    }
}

/// Compares two inspected versions.
pub fn compare(
    old: &Contents,
    old_report: &Report,
    new: &Contents,
    new_report: &Report,
) -> VersionDiff {
    let old_files: BTreeSet<String> = old.members.iter().map(|m| normalise(&m.path)).collect();
    let new_files: BTreeMap<String, (u64, &'static str)> = new
        .members
        .iter()
        .map(|m| (normalise(&m.path), (m.size, kind(&m.path, &m.data))))
        .collect();
    let added_files = new_files
        .iter()
        .filter(|(p, _)| !old_files.contains(*p) && !p.contains(".dist-info/"))
        .map(|(p, (size, kind))| AddedFile {
            path: p.clone(),
            size: *size,
            kind,
        })
        .collect();
    let removed_files = old_files
        .iter()
        .filter(|p| !new_files.contains_key(*p) && !p.contains(".dist-info/"))
        .cloned()
        .collect();
    let key = |f: &Finding| (f.code, normalise(&f.path), f.phase, f.snippet.clone());
    let seen: BTreeSet<_> = old_report.findings.iter().map(key).collect();
    let new_findings = new_report
        .findings
        .iter()
        .filter(|f| !seen.contains(&key(f)))
        .cloned()
        .collect();
    VersionDiff {
        old: old_report.path.clone(),
        new: new_report.path.clone(),
        old_verdict: old_report.verdict,
        new_verdict: new_report.verdict,
        added_files,
        removed_files,
        new_findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_prefixes_are_removed() {
        assert_eq!(normalise("litellm-1.82.8/litellm/x.py"), "litellm/x.py");
        assert_eq!(
            normalise("litellm-1.82.8.dist-info/RECORD"),
            "litellm.dist-info/RECORD"
        );
        assert_eq!(normalise("litellm/x.py"), "litellm/x.py");
        assert_eq!(normalise("litellm_init.pth"), "litellm_init.pth");
    }
}
