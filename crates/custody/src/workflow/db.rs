//! The local advisory database: what it holds ([`status`]), and the
//! import of advisory sources into it ([`import`]): every source is
//! read fully first, then all are written in one transaction (a crash or
//! error leaves the previous database intact).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::advisories::{AdvisoryIndex, IndexStatus};
use crate::advisory::{self, ImportError, ImportSummary, Problem, Store, StoreError};

/// What to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// Files, folders or OSV `all.zip` archives.
    pub paths: Vec<PathBuf>,
    /// custody's home, which holds the database.
    pub home: PathBuf,
    /// "Now", recorded as the import time.
    pub now: jiff::Timestamp,
    /// A malformed record is an error (nothing is written), not a skip.
    pub strict: bool,
    /// Fault injection for tests: abort after this many records are written.
    pub crash_after: Option<usize>,
}

/// Reading progress, reported to whoever shows it.
pub trait ImportProgress: Sync {
    /// Reading `path` starts.
    fn source_started(&self, path: &Path);
    /// One more record file is read (called from several threads).
    fn record(&self);
    /// `path` is read: `records` valid records.
    fn source_read(&self, path: &Path, records: usize);
}

/// What was imported.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// Per source: name, records read, records stored.
    pub sources: Vec<(String, usize, usize)>,
    /// Malformed records, skipped (each with file and place).
    #[serde(serialize_with = "as_text")]
    pub problems: Vec<Problem>,
    /// The database file.
    pub database: PathBuf,
}

/// Why nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportFlowError {
    /// A source cannot be read.
    #[error(transparent)]
    Read(#[from] ImportError),
    /// A source holds malformed records only.
    #[error("{}: no valid advisory records ({} malformed); nothing was written", path.display(), problems.len())]
    NoValidRecords {
        /// The source.
        path: PathBuf,
        /// Its malformed records.
        problems: Vec<Problem>,
    },
    /// A source holds no records.
    #[error("{}: no advisory records found (.json, .yaml or .yml); nothing was written", path.display())]
    Empty {
        /// The source.
        path: PathBuf,
    },
    /// Malformed records under `strict`.
    #[error("{} malformed record(s) under strict import: nothing was written", problems.len())]
    Strict {
        /// The malformed records.
        problems: Vec<Problem>,
    },
    /// The database cannot be written (the previous one is unchanged).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads every source, then writes them all.
///
/// # Errors
/// See [`ImportFlowError`]; in every case nothing was written.
pub fn import(
    req: &ImportRequest,
    progress: &dyn ImportProgress,
) -> Result<ImportReport, ImportFlowError> {
    let mut problems: Vec<Problem> = Vec::new();
    let mut batches = Vec::new();
    for p in &req.paths {
        let before = problems.len();
        progress.source_started(p);
        let batch = advisory::read_source_with_progress(p, &mut problems, &|| progress.record())?;
        progress.source_read(p, batch.records.len());
        if batch.records.is_empty() && problems.len() > before {
            return Err(ImportFlowError::NoValidRecords {
                path: p.clone(),
                problems: problems.split_off(before),
            });
        }
        if batch.records.is_empty() {
            return Err(ImportFlowError::Empty { path: p.clone() });
        }
        batches.push(batch);
    }
    if req.strict && !problems.is_empty() {
        return Err(ImportFlowError::Strict { problems });
    }
    let ImportSummary { sources } =
        advisory::write_store(&req.home, &batches, &req.now.to_string(), req.crash_after)?;
    Ok(ImportReport {
        sources,
        problems,
        database: Store::path_in(&req.home),
    })
}

/// What the advisories a scan consults hold: the database under `home`
/// (if any was imported) and the embedded records.
///
/// # Errors
/// When the database cannot be read.
pub fn status(home: &Path) -> Result<IndexStatus, StoreError> {
    AdvisoryIndex::open(home)?.status()
}

/// Problems as the lines users read.
fn as_text<S: serde::Serializer>(problems: &[Problem], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(problems.iter().map(ToString::to_string))
}
