//! The inspect batch (`custody.inspect/v0`) and the comparison of two
//! versions of a package (`custody.inspect-diff/v0`).

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::inspect::{self, ArchiveError, Options, Report, Verdict, VersionDiff};

/// Schema of the inspect batch.
pub const SCHEMA: &str = "custody.inspect/v0";
/// Schema of the comparison of two versions.
pub const DIFF_SCHEMA: &str = "custody.inspect-diff/v0";

/// Every package of a batch judged, in the order given.
#[derive(Debug, Clone, Serialize)]
pub struct InspectBatch {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// One report per package that could be read.
    pub reports: Vec<Report>,
    /// The packages that could not be read.
    pub errors: Vec<PackageError>,
}

/// A package of the batch that could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct PackageError {
    /// As given.
    pub path: String,
    /// Why.
    pub error: String,
}

impl InspectBatch {
    /// Whether a package was judged `threshold` or worse.
    pub fn reaches(&self, threshold: Verdict) -> bool {
        self.reports.iter().any(|r| r.verdict >= threshold)
    }

    /// How many packages were judged `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.reports.iter().filter(|r| r.verdict == verdict).count()
    }
}

/// Judges each of `paths` (archives, unpacked folders, installed
/// environments) on all cores; `on_done` is called once per package.
/// One package that cannot be read does not stop the batch.
pub fn inspect_batch(
    paths: &[PathBuf],
    options: Options,
    on_done: &(dyn Fn() + Sync),
) -> InspectBatch {
    let limits = options.limits();
    let results: Vec<_> = paths
        .par_iter()
        .map(|p| {
            // An installed environment is read one distribution at a time.
            let r = if p.is_dir() && inspect::looks_installed(p) {
                inspect::inspect_environment(p, options, None).map(|env| env.report)
            } else {
                inspect::read_archive(p, &limits).map(|c| inspect::inspect_with(&c, options))
            };
            on_done();
            r
        })
        .collect();
    let mut batch = InspectBatch {
        schema: SCHEMA,
        reports: Vec::new(),
        errors: Vec::new(),
    };
    for (p, r) in paths.iter().zip(results) {
        match r {
            Ok(report) => batch.reports.push(report),
            Err(e) => batch.errors.push(PackageError {
                path: p.display().to_string(),
                error: e.to_string(),
            }),
        }
    }
    batch
}

/// What a new version of a package adds to an old one.
#[derive(Debug, Clone, Serialize)]
pub struct InspectDiff {
    /// [`DIFF_SCHEMA`].
    pub schema: &'static str,
    /// Files and findings added and removed.
    #[serde(flatten)]
    pub diff: VersionDiff,
    /// The new version's report with only the findings the old one lacked
    /// (what SARIF shows; not part of the JSON document).
    #[serde(skip)]
    pub new_findings: Report,
}

impl InspectDiff {
    /// Whether the new version runs something earlier (at install, import
    /// or start-up) than the old one did.
    pub fn adds_early_behaviour(&self) -> bool {
        self.diff.adds_early_behaviour()
    }
}

/// Reads both versions deep (run-time capabilities count too when
/// comparing versions) and compares their files and findings.
///
/// # Errors
/// When either package cannot be read.
pub fn against(old: &Path, new: &Path) -> Result<InspectDiff, ArchiveError> {
    let options = Options { deep: true };
    let limits = options.limits();
    let (old_c, new_c) = (
        inspect::read_archive(old, &limits)?,
        inspect::read_archive(new, &limits)?,
    );
    let (old_r, new_r) = (
        inspect::inspect_with(&old_c, options),
        inspect::inspect_with(&new_c, options),
    );
    let diff = inspect::compare_versions(&old_c, &old_r, &new_c, &new_r);
    let mut new_findings = new_r;
    new_findings.findings.clone_from(&diff.new_findings);
    Ok(InspectDiff {
        schema: DIFF_SCHEMA,
        diff,
        new_findings,
    })
}
