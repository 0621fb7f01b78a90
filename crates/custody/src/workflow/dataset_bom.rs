//! `custody sbom --dataset`: the bill of materials of a sealed dataset
//! version (an ML-BOM): the version, the steps that produced it back to
//! sealed sources and the packages of each step's environment. The
//! manifest and every attestation are verified before anything is said
//! about them: against `--trust` keys, or the ledger's trusted keys when
//! the steps come from the ledger.

use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::ledger::ingest::{self, Document};
use crate::ledger::{LedgerError, Location};
use crate::sbom::dataset::{self as data, DataBom, RunFacts, Sealed};
use crate::sbom::{SpecVersion, Tool};
use crate::seal::PublicKey;
use crate::workflow::deliver::{self, DatasetRef, DeliverError};
use crate::workflow::ledger::open_existing;
use crate::workflow::sbom::SbomOutput;

/// Where the steps come from.
#[derive(Debug, Clone, Copy)]
pub enum Steps<'a> {
    /// Attestation files, verified with the given keys.
    Files(&'a [PathBuf]),
    /// The ledger: every run upstream of the version, back to sealed
    /// sources, verified with the ledger's trusted keys.
    Ledger(&'a Location),
}

/// What to describe.
#[derive(Debug, Clone, Copy)]
pub struct DatasetRequest<'a> {
    /// The version's signed seal manifest.
    pub manifest: &'a Path,
    /// The steps.
    pub steps: Steps<'a>,
    /// Keys that may have signed the manifest and attestations (with
    /// [`Steps::Ledger`], the ledger's are added).
    pub trusted: &'a [PublicKey],
    /// CycloneDX version, or SPDX 3 when `None`.
    pub cyclonedx: Option<SpecVersion>,
    /// When.
    pub now: Timestamp,
}

/// Why there is no bill.
#[derive(Debug, thiserror::Error)]
pub enum DatasetBomError {
    /// A file cannot be read.
    #[error("cannot read {}: {reason}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A document is not what it should be, or not signed by a trusted key.
    #[error("{}: {reason}", path.display())]
    Document {
        /// The file (or the ledger's document).
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No key to check signatures with.
    #[error("no trusted key: give --trust KEYS (or use a ledger that trusts the signer)")]
    NoKeys,
    /// The ledger.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

fn sealed(path: &Path, text: &str, trusted: &[PublicKey]) -> Result<Sealed, DatasetBomError> {
    match ingest::open_document(text.as_bytes(), trusted) {
        Ok(Document::Manifest(m)) => Ok(Sealed {
            name: m.name,
            root: m.root,
            algorithm: m.algorithm,
            files: m.files,
        }),
        Ok(_) => Err(bad(path, "not a custody seal manifest")),
        Err(e) => Err(bad(path, &e.to_string())),
    }
}

fn run(path: &Path, text: &str, trusted: &[PublicKey]) -> Result<RunFacts, DatasetBomError> {
    match ingest::open_document(text.as_bytes(), trusted) {
        Ok(Document::Attestation(r)) => {
            let artifacts = |a: &[ingest::attestation::Artifact]| {
                a.iter()
                    .filter(|x| !x.digest.is_empty())
                    .map(|x| (x.name.clone(), x.digest.clone()))
                    .collect()
            };
            Ok(RunFacts {
                id: crate::ledger::sha256_hex(text.as_bytes()),
                build_type: ingest::attestation::BUILD_TYPE.to_owned(),
                started: r.started_at.clone(),
                finished: r.finished_at.clone(),
                inputs: artifacts(&r.inputs),
                outputs: artifacts(&r.outputs),
                packages: r.packages.clone(),
            })
        }
        Ok(_) => Err(bad(path, "not a custody run attestation")),
        Err(e) => Err(bad(path, &e.to_string())),
    }
}

fn bad(path: &Path, reason: &str) -> DatasetBomError {
    DatasetBomError::Document {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
}

fn read(path: &Path) -> Result<String, DatasetBomError> {
    fs_err::read_to_string(path).map_err(|e| DatasetBomError::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// The bill of the version `req.manifest` seals.
///
/// # Errors
/// See [`DatasetBomError`].
pub fn dataset_bom(req: &DatasetRequest<'_>) -> Result<SbomOutput, DatasetBomError> {
    let mut trusted = req.trusted.to_vec();
    if let Steps::Ledger(location) = req.steps {
        trusted.extend(open_existing(location)?.trusted()?);
    }
    if trusted.is_empty() {
        return Err(DatasetBomError::NoKeys);
    }
    let delivered = sealed(req.manifest, &read(req.manifest)?, &trusted)?;
    let mut sources = Vec::new();
    let mut runs = Vec::new();
    match req.steps {
        Steps::Files(files) => {
            for f in files {
                runs.push(run(f, &read(f)?, &trusted)?);
            }
        }
        Steps::Ledger(location) => {
            let dataset = DatasetRef {
                name: delivered.name.clone(),
                root: delivered.root.clone(),
                algorithm: delivered.algorithm.clone(),
            };
            let (manifests, attestations, _) =
                deliver::from_ledger(location, &dataset).map_err(|e| match e {
                    DeliverError::Ledger(e) => DatasetBomError::Ledger(e),
                    other => bad(Path::new("the ledger"), &other.to_string()),
                })?;
            let from = Path::new("a document in the ledger");
            for m in &manifests {
                sources.push(sealed(from, m, &trusted)?);
            }
            for a in &attestations {
                runs.push(run(from, a, &trusted)?);
            }
        }
    }
    let tool = Tool {
        name: "custody".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let bom = DataBom::new(&delivered, &sources, &runs, tool, req.now);
    let document = match req.cyclonedx {
        Some(v) => data::cyclonedx::document(&bom, v),
        None => data::spdx3::document(&bom),
    };
    Ok(SbomOutput {
        document,
        sources: bom.data.len(),
        components: bom.components.len(),
        with_dependencies: 0,
        steps: Some(bom.steps.len()),
    })
}
