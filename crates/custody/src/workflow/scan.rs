//! Scan with inspection: what `custody scan` does between reading its
//! flags and rendering. Inventory and advisories give the findings of
//! `custody.scan/v1`; every environment read and every package archive
//! given is also inspected, and what inspection found is added to the
//! document as an `inspection` array (a compatible addition).

mod npm;

use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::advisories::AdvisoryIndex;
use crate::advisory::{Severity, StoreError};
use crate::inspect::{self, Cache, Options, Report, Unread, Verdict};
use crate::inventory::{self, Inventory, InventoryError, Problem, SourceKind};
use crate::policy::{self, Policy, PolicyError};
use crate::report::ScanReport;
use crate::scan::{ScanError, ScanOptions};

/// The cooldown when neither flags nor policy set one.
pub const DEFAULT_MIN_AGE: SignedDuration = SignedDuration::from_hours(7 * 24);
/// The freshness limit of advisory data when neither flags nor policy set one.
pub const DEFAULT_MAX_DB_AGE: SignedDuration = SignedDuration::from_hours(7 * 24);

/// What to scan and how; `None` settings come from the policy, then the defaults.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    /// Environments, lockfiles, folders, package archives.
    pub paths: Vec<PathBuf>,
    /// How deep to look for environments and lockfiles in folders.
    pub depth: usize,
    /// custody's home (the advisory database, the inspection cache).
    pub home: PathBuf,
    /// "Now".
    pub now: Timestamp,
    /// The policy file; `None`: `custody.toml` next to the first path, if any.
    pub config: Option<PathBuf>,
    /// Fail at or above this severity.
    pub fail_on: Option<Severity>,
    /// Cooldown (zero: off).
    pub min_age: Option<SignedDuration>,
    /// Freshness limit of the advisory data.
    pub max_db_age: Option<SignedDuration>,
    /// Stale advisory data is an error, not a warning.
    pub strict: bool,
    /// Inspect environments and archives.
    pub inspect: bool,
    /// Reuse inspection results from the cache in `home`.
    pub cache: bool,
}

/// `custody.scan/v1` plus what inspection found.
#[derive(Debug, Clone, Serialize)]
pub struct ScanWithInspection {
    /// The advisory scan.
    #[serde(flatten)]
    pub report: ScanReport,
    /// One entry per inspected environment or archive.
    pub inspection: Vec<Inspected>,
}

/// One inspected environment or archive, summarised for the scan report.
#[derive(Debug, Clone, Serialize)]
pub struct Inspected {
    /// As read.
    pub path: String,
    /// Its verdict (clean when it could not be read: see `error`).
    pub verdict: Verdict,
    /// The verdict's score.
    pub score: u32,
    /// Why the verdict.
    pub reasons: Vec<String>,
    /// How many findings.
    pub findings: usize,
    /// Why it could not be read.
    pub error: Option<String>,
    /// What was not read, or not judged because of what was not read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<Unread>,
    /// For an environment: distributions (and groups of unowned files),
    /// files, and how many distributions' results came from the cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<EnvironmentStats>,
    /// For an installed npm tree: what was inspected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub npm: Option<NpmStats>,
}

/// What inspecting an installed npm tree read.
#[derive(Debug, Clone, Serialize)]
pub struct NpmStats {
    /// Packages (folders with a `package.json`) inspected.
    pub packages: usize,
    /// Of which with at least one install-time finding (a lifecycle
    /// script, at least).
    pub install_scripts: usize,
}

/// How much of an environment was read.
#[derive(Debug, Clone, Serialize)]
pub struct EnvironmentStats {
    /// Distributions and groups of unowned files.
    pub distributions: usize,
    /// Files.
    pub files: usize,
    /// Distributions whose results came from the cache.
    pub cached: usize,
}

/// A scan and everything around it.
#[derive(Debug, Clone)]
pub struct ScanOutcome {
    /// The document (`custody.scan/v1` with `inspection`).
    pub document: ScanWithInspection,
    /// The full reports of what inspection read (for SARIF).
    pub inspected: Vec<Report>,
    /// Entries that could not be read; everything else was scanned, and
    /// the scan fails.
    pub problems: Vec<Problem>,
    /// Every package read (for `--record`).
    pub inventory: Inventory,
}

impl ScanOutcome {
    /// Whether inspection judged a package malicious.
    pub fn implant(&self) -> bool {
        self.document
            .inspection
            .iter()
            .any(|i| i.verdict == Verdict::Malicious)
    }

    /// Whether the scan fails: findings at or above the threshold, or an implant.
    pub fn fails(&self) -> bool {
        self.document.report.fails() || self.implant()
    }
}

/// Why a scan did not complete.
#[derive(Debug, thiserror::Error)]
pub enum ScanFlowError {
    /// The policy file is unreadable or invalid.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A path holds nothing custody can read, or cannot be read.
    #[error("cannot scan {}", path.display())]
    Inventory {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: InventoryError,
    },
    /// The advisory database cannot be opened.
    #[error(transparent)]
    Index(StoreError),
    /// The advisory database failed during lookups.
    #[error(transparent)]
    Scan(#[from] ScanError),
    /// The advisory data is older than the freshness limit and the request is strict.
    #[error("advisory data is older than the freshness limit")]
    Stale {
        /// The warnings about the data.
        warnings: Vec<String>,
    },
}

/// Scans `req.paths`: inventory and advisories, then inspection.
///
/// # Errors
/// See [`ScanFlowError`]; entries that cannot be read are not errors but
/// [`ScanOutcome::problems`].
pub fn scan(req: &ScanRequest) -> Result<ScanOutcome, ScanFlowError> {
    let policy = load_policy(req.config.as_deref(), req.paths.first())?;
    // Package archives are inspected; everything else is inventoried.
    let (archives, others): (Vec<PathBuf>, Vec<PathBuf>) = req
        .paths
        .iter()
        .cloned()
        .partition(|p| p.is_file() && inspect::ArchiveFormat::from_path(p).is_some());
    let (inventory, problems) = if others.is_empty() {
        (Inventory::default(), Vec::new())
    } else {
        discover(&others, req.depth)?
    };
    let index = AdvisoryIndex::open(&req.home).map_err(ScanFlowError::Index)?;
    let min_age = req.min_age.or(policy.min_age).unwrap_or(DEFAULT_MIN_AGE);
    let opts = ScanOptions {
        now: req.now,
        fail_on: req.fail_on.or(policy.fail_on).unwrap_or(Severity::High),
        min_age: (!min_age.is_zero()).then_some(min_age),
        max_db_age: Some(
            req.max_db_age
                .or(policy.max_db_age)
                .unwrap_or(DEFAULT_MAX_DB_AGE),
        ),
        policy,
    };
    let report = crate::scan::scan(&inventory, &index, &opts)?;
    if req.strict && report.database.stale {
        return Err(ScanFlowError::Stale {
            warnings: report.warnings,
        });
    }
    let (inspection, inspected) = if req.inspect {
        let cache = req
            .cache
            .then(|| Cache::new(req.home.join("cache").join("inspect")));
        inspect_all(&report, &archives, cache.as_ref())
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(ScanOutcome {
        document: ScanWithInspection { report, inspection },
        inspected,
        problems,
        inventory,
    })
}

/// The policy at `config`, else `custody.toml` in the folder of `first`
/// (or `first` itself when it is a folder), else the default.
///
/// # Errors
/// When the policy file cannot be read or is invalid.
pub fn load_policy(config: Option<&Path>, first: Option<&PathBuf>) -> Result<Policy, PolicyError> {
    let path = match config {
        Some(p) => Some(p.to_owned()),
        None => first.and_then(|p| {
            let dir = if p.is_dir() {
                p.clone()
            } else {
                p.parent()
                    .map_or_else(|| PathBuf::from("."), Path::to_owned)
            };
            let candidate = if dir.as_os_str().is_empty() {
                PathBuf::from(policy::FILE_NAME)
            } else {
                dir.join(policy::FILE_NAME)
            };
            candidate.is_file().then_some(candidate)
        }),
    };
    match path {
        Some(p) => Policy::load(&p),
        None => Ok(Policy::default()),
    }
}

/// What the paths hold, and the entries that could not be read (each
/// named by file and line; everything else is kept and scanned).
fn discover(paths: &[PathBuf], depth: usize) -> Result<(Inventory, Vec<Problem>), ScanFlowError> {
    inventory::discover_paths(paths, depth)
        .map_err(|(path, source)| ScanFlowError::Inventory { path, source })
}

impl Inspected {
    fn of(path: &Path, r: &Report) -> Self {
        Self {
            path: path.display().to_string(),
            verdict: r.verdict,
            score: r.score,
            reasons: r.reasons.clone(),
            findings: r.findings.len(),
            error: None,
            unread: Vec::new(),
            environment: None,
            npm: None,
        }
    }

    /// What could not be read at `path`, and why (no verdict).
    fn failed(path: &Path, error: String) -> Self {
        Self {
            path: path.display().to_string(),
            verdict: Verdict::Clean,
            score: 0,
            reasons: Vec::new(),
            findings: 0,
            error: Some(error),
            unread: Vec::new(),
            environment: None,
            npm: None,
        }
    }
}

/// Inspects each environment the scan read (one distribution at a time,
/// results reused from `cache`), and each archive given: the summaries for
/// the report, and the full reports (for SARIF).
fn inspect_all(
    report: &ScanReport,
    archives: &[PathBuf],
    cache: Option<&Cache>,
) -> (Vec<Inspected>, Vec<Report>) {
    let options = Options::default();
    let limits = options.limits();
    let mut full = Vec::new();
    let mut summaries = Vec::new();
    for s in report
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Environment)
    {
        match inspect::inspect_environment(&s.path, options, cache) {
            Ok(env) => {
                let mut summary = Inspected::of(&s.path, &env.report);
                summary.unread = env.unread;
                summary.environment = Some(EnvironmentStats {
                    distributions: env.groups,
                    files: env.files,
                    cached: env.cached,
                });
                summaries.push(summary);
                full.push(env.report);
            }
            Err(e) => summaries.push(Inspected::failed(&s.path, e.to_string())),
        }
    }
    for s in report
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::NodeModules)
    {
        summaries.push(npm::inspect(&s.path));
    }
    for p in archives {
        match inspect::read_archive(p, &limits) {
            Ok(c) => {
                let r = inspect::inspect_with(&c, options);
                summaries.push(Inspected::of(p, &r));
                full.push(r);
            }
            Err(e) => summaries.push(Inspected::failed(p, e.to_string())),
        }
    }
    (summaries, full)
}
