//! The ledger's workflows: where it is, documents and keys in, and its
//! questions (verify, impact, lineage) out. Each opens the ledger at a
//! resolved [`Location`], does one thing and returns a serialisable
//! report; a location that cannot be opened is a [`LedgerError`] the
//! front end maps (the location in it never carries a password).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::ledger::{AddOutcome, Ledger, LedgerError, Lineage, Location, VerifyReport};

/// The environment variable naming the ledger when no flag does.
pub const LEDGER_ENV: &str = "CUSTODY_LEDGER";

/// The ledger file's name in the custody home.
pub const LEDGER_FILE: &str = "ledger.db";

/// Where the location came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationSource {
    /// `--ledger`.
    Flag,
    /// [`LEDGER_ENV`].
    Environment,
    /// `$CUSTODY_HOME/ledger.db`.
    Home,
}

/// The location to open: `flag`, else `env` (both ignored when empty),
/// else [`LEDGER_FILE`] in `home`. `None` when none is given and there is
/// no home.
///
/// # Errors
/// [`LedgerError::Location`] when the string names no store.
pub fn resolve(
    flag: Option<&str>,
    env: Option<&str>,
    home: Option<&Path>,
) -> Result<Option<(Location, LocationSource)>, LedgerError> {
    if let Some(s) = flag.filter(|s| !s.is_empty()) {
        return Location::parse(s).map(|l| Some((l, LocationSource::Flag)));
    }
    if let Some(s) = env.filter(|s| !s.is_empty()) {
        return Location::parse(s).map(|l| Some((l, LocationSource::Environment)));
    }
    Ok(home.map(|h| (Location::Sqlite(h.join(LEDGER_FILE)), LocationSource::Home)))
}

/// What happened to one document given to [`add`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum FileOutcome {
    /// Stored as this event.
    Stored {
        /// The event's sequence number.
        seq: i64,
    },
    /// Already in the ledger, as this event.
    AlreadyStored {
        /// The event's sequence number.
        seq: i64,
    },
    /// Not stored: the ledger refused it, or the file could not be read.
    Refused {
        /// Why.
        reason: String,
    },
}

impl From<AddOutcome> for FileOutcome {
    fn from(o: AddOutcome) -> Self {
        match o {
            AddOutcome::Stored(seq) => Self::Stored { seq },
            AddOutcome::Duplicate(seq) => Self::AlreadyStored { seq },
        }
    }
}

/// One document given to [`add`].
#[derive(Debug, Clone, Serialize)]
pub struct FileResult {
    /// The file.
    pub path: PathBuf,
    /// What happened to it.
    #[serde(flatten)]
    pub outcome: FileOutcome,
}

/// The documents given to [`add`], in order.
#[derive(Debug, Clone, Serialize)]
pub struct AddReport {
    /// The ledger, without a password.
    pub ledger: String,
    /// One per file.
    pub files: Vec<FileResult>,
}

impl AddReport {
    /// How many were refused.
    pub fn refused(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.outcome, FileOutcome::Refused { .. }))
            .count()
    }
}

/// Opens a ledger that must already exist, for a command that only reads:
/// a SQLite file that is not there is an error naming it (a mistyped path
/// must not answer "nothing affected" from a new, empty ledger), and none
/// is created.
///
/// # Errors
/// No ledger at `location`, or it cannot be reached, logged in to, or
/// migrated.
pub fn open_existing(location: &Location) -> Result<Ledger, LedgerError> {
    if let Location::Sqlite(path) = location
        && !path.exists()
    {
        return Err(LedgerError::Unreachable {
            location: location.display(),
            detail:
                "no ledger here yet: store documents with `custody ledger add` or `--record` first"
                    .to_owned(),
        });
    }
    open(location)
}

/// Opens the ledger at `location`, creating a SQLite file and its folder
/// when missing.
///
/// # Errors
/// The store cannot be reached, logged in to, or migrated.
pub fn open(location: &Location) -> Result<Ledger, LedgerError> {
    if let Location::Sqlite(path) = location
        && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
    {
        fs_err::create_dir_all(parent).map_err(|e| LedgerError::Unreachable {
            location: location.display(),
            detail: e.to_string(),
        })?;
    }
    Ledger::open(location)
}

/// Files read and given to [`Ledger::add_many`] at once: their signatures
/// are checked in parallel and the accepted ones stored in one
/// transaction. Bounds the memory an add of many files holds.
pub const ADD_BATCH: usize = 256;

/// Adds signed documents (run attestations, seal manifests) in batches of
/// [`ADD_BATCH`]; a refused or unreadable file is reported and the rest
/// still added.
///
/// # Errors
/// The ledger cannot be opened, or a write fails on it (storage): the
/// batches stored before stay stored, nothing of the failing batch is.
pub fn add(location: &Location, files: &[PathBuf]) -> Result<AddReport, LedgerError> {
    let mut ledger = open(location)?;
    let mut results = Vec::with_capacity(files.len());
    for chunk in files.chunks(ADD_BATCH) {
        let mut outcomes: Vec<Option<FileOutcome>> = chunk.iter().map(|_| None).collect();
        let mut documents = Vec::with_capacity(chunk.len());
        let mut read = Vec::with_capacity(chunk.len());
        for (i, path) in chunk.iter().enumerate() {
            match read_document(path) {
                Ok(bytes) => {
                    documents.push(bytes);
                    read.push(i);
                }
                Err(reason) => {
                    outcomes[i] = Some(FileOutcome::Refused { reason });
                }
            }
        }
        for (i, outcome) in read.into_iter().zip(ledger.add_many(&documents)?) {
            outcomes[i] = Some(match outcome {
                Ok(o) => o.into(),
                Err(LedgerError::Refused(r)) => FileOutcome::Refused {
                    reason: r.to_string(),
                },
                Err(e) => return Err(e),
            });
        }
        for (path, outcome) in chunk.iter().zip(outcomes) {
            results.push(FileResult {
                path: path.clone(),
                outcome: outcome.unwrap_or_else(|| FileOutcome::Refused {
                    reason: "not read".to_owned(),
                }),
            });
        }
    }
    Ok(AddReport {
        ledger: location.display(),
        files: results,
    })
}

/// A document's bytes: a regular file of at most the size `custody
/// verify` opens (`DEFAULT_MAX_SIZE`, 1 GiB); else why not.
fn read_document(path: &Path) -> Result<Vec<u8>, String> {
    use crate::inventory::limits::{Unread, read_bounded};
    read_bounded(path, crate::seal::DEFAULT_MAX_SIZE).map_err(|why| match why {
        Unread::Io(e) => e.to_string(),
        why => why.to_string(),
    })
}

/// Reads and adds one file: unreadable or refused is its outcome; a
/// storage failure is the caller's error.
fn add_file(ledger: &mut Ledger, path: &Path) -> Result<FileOutcome, LedgerError> {
    let bytes = match read_document(path) {
        Ok(bytes) => bytes,
        Err(reason) => return Ok(FileOutcome::Refused { reason }),
    };
    match ledger.add(&bytes) {
        Ok(o) => Ok(o.into()),
        Err(LedgerError::Refused(r)) => Ok(FileOutcome::Refused {
            reason: r.to_string(),
        }),
        Err(e) => Err(e),
    }
}

/// A document just written by `seal` or `run --attest`, recorded.
#[derive(Debug, Clone, Serialize)]
pub struct RecordReport {
    /// The ledger, without a password.
    pub ledger: String,
    /// The document.
    pub path: PathBuf,
    /// What happened to it; refused when its signer is not trusted.
    #[serde(flatten)]
    pub outcome: FileOutcome,
}

/// Adds the document at `path`, signed by the key with id `signer`, to
/// the ledger: refused, saying which key to trust, when the ledger does
/// not trust that key yet.
///
/// # Errors
/// The ledger cannot be opened or written.
pub fn record(location: &Location, path: &Path, signer: &str) -> Result<RecordReport, LedgerError> {
    let mut ledger = open(location)?;
    let trusted = ledger.trusted()?.iter().any(|k| k.key_id() == signer);
    let outcome = if trusted {
        add_file(&mut ledger, path)?
    } else {
        FileOutcome::Refused {
            reason: format!(
                "the ledger does not trust the signing key {signer} yet \
                 (`custody ledger trust add` its public key, then `custody ledger add` the document)"
            ),
        }
    };
    Ok(RecordReport {
        ledger: location.display(),
        path: path.to_path_buf(),
        outcome,
    })
}

/// A key trusted by [`trust_add`].
#[derive(Debug, Clone, Serialize)]
pub struct TrustReport {
    /// The ledger, without a password.
    pub ledger: String,
    /// The key file.
    pub path: PathBuf,
    /// Its trust event.
    #[serde(flatten)]
    pub outcome: FileOutcome,
}

/// Why [`trust_add`] trusted nothing.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The key file cannot be read.
    #[error("{0}")]
    Read(#[from] std::io::Error),
    /// The ledger refused the key or cannot be used.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// Trusts the PEM public key in `key` for documents added later.
///
/// # Errors
/// See [`TrustError`]; a key that is not a public key is
/// [`LedgerError::Refused`].
pub fn trust_add(location: &Location, key: &Path) -> Result<TrustReport, TrustError> {
    let pem = fs_err::read_to_string(key)?;
    let mut ledger = open(location)?;
    let outcome = ledger.trust_add(&pem)?.into();
    Ok(TrustReport {
        ledger: location.display(),
        path: key.to_path_buf(),
        outcome,
    })
}

/// The ledger's own check, with where it is.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerVerifyReport {
    /// The ledger, without a password.
    pub ledger: String,
    /// Whether no fault was found.
    pub ok: bool,
    /// The chain, the derived tables and the checkpoints.
    #[serde(flatten)]
    pub report: VerifyReport,
}

/// Recomputes the chain, rebuilds the derived tables from the log and
/// compares them, and checks the checkpoints.
///
/// # Errors
/// The ledger cannot be opened or read.
pub fn verify(location: &Location) -> Result<LedgerVerifyReport, LedgerError> {
    let report = open_existing(location)?.verify()?;
    Ok(LedgerVerifyReport {
        ledger: location.display(),
        ok: report.ok(),
        report,
    })
}

/// Where a sealed dataset version came from and what was made from it.
/// `root` is the Merkle root as hex, or as `custody seal` prints it
/// (`ALGORITHM:HEX`).
///
/// # Errors
/// The ledger cannot be opened or read.
pub fn lineage(location: &Location, dataset: &str, root: &str) -> Result<Lineage, LedgerError> {
    let hex = root.split_once(':').map_or(root, |(_, hex)| hex);
    open_existing(location)?.lineage(dataset, hex)
}

/// [`lineage`] of the version of `dataset` recorded last; `None` when the
/// ledger holds no sealed version of it.
///
/// # Errors
/// The ledger cannot be opened or read.
pub fn lineage_latest(location: &Location, dataset: &str) -> Result<Option<Lineage>, LedgerError> {
    let mut ledger = open_existing(location)?;
    let Some(v) = ledger.latest_version(dataset)? else {
        return Ok(None);
    };
    ledger.lineage(dataset, &v.root).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_then_env_then_home() {
        let home = Path::new("/h");
        let (l, s) = resolve(Some("/f.db"), Some("/e.db"), Some(home))
            .unwrap()
            .unwrap();
        assert_eq!(
            (l, s),
            (Location::Sqlite("/f.db".into()), LocationSource::Flag)
        );
        let (l, s) = resolve(Some(""), Some("/e.db"), Some(home))
            .unwrap()
            .unwrap();
        assert_eq!(
            (l, s),
            (
                Location::Sqlite("/e.db".into()),
                LocationSource::Environment
            )
        );
        let (l, s) = resolve(None, None, Some(home)).unwrap().unwrap();
        assert_eq!(
            (l, s),
            (
                Location::Sqlite("/h/ledger.db".into()),
                LocationSource::Home
            )
        );
        assert!(resolve(None, None, None).unwrap().is_none());
        assert!(resolve(Some("mysql://x"), None, None).is_err());
    }
}
