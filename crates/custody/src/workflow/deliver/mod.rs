//! Deliveries: the vendor's signed bundle of a dataset version and the
//! evidence behind it (`custody deliver`), and the lab's checks of it
//! against a policy (`custody accept`). Formats in `docs/deliver.md`.

pub mod accept;
pub mod bundle;
pub mod decision;
pub mod policy;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::ledger::ingest::{self, Document};
use crate::ledger::{LedgerError, Location};
use crate::seal::{PublicKey, SigningKey};
use crate::workflow::ledger::open_existing;

pub use bundle::{DatasetRef, Predicate};

/// What `deliver` put in the bundle.
#[derive(Debug, Clone, Serialize)]
pub struct DeliverReport {
    /// The bundle written.
    pub bundle: PathBuf,
    /// The delivered version.
    pub dataset: DatasetRef,
    /// Source manifests included.
    pub sources: usize,
    /// Run attestations included.
    pub attestations: usize,
    /// Scan inventories included.
    pub inventories: usize,
    /// The key that signed it.
    pub signer: String,
}

/// Why there is no bundle.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    /// A file cannot be read or the bundle written.
    #[error("{}: {reason}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The manifest is not a custody seal manifest signed by the key.
    #[error("{}: {reason}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A `--runs` file is not a run attestation signed by the key (or a
    /// runner key given).
    #[error("{}: {reason}", path.display())]
    Run {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The ledger.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// Where the steps' attestations come from.
pub enum Evidence<'a> {
    /// Given files (run attestations), signed by the delivering key or by
    /// one of `signed_by` (runners' keys).
    Runs {
        /// The attestations.
        files: &'a [PathBuf],
        /// Keys besides the delivering key that may have signed them.
        signed_by: &'a [PublicKey],
    },
    /// The ledger: every run upstream of the version, back to sealed
    /// sources, with their inventories.
    Ledger(&'a Location),
}

/// A document of the delivery (a manifest, an attestation), bounded as
/// `custody verify` bounds what it opens.
fn read(path: &Path) -> Result<String, DeliverError> {
    let io = |reason: String| DeliverError::Io {
        path: path.to_owned(),
        reason,
    };
    let bytes = crate::inventory::limits::read_bounded(path, crate::seal::DEFAULT_MAX_SIZE)
        .map_err(|why| io(why.to_string()))?;
    String::from_utf8(bytes).map_err(|_| io("not UTF-8 text".to_owned()))
}

/// Builds, signs and writes the bundle of the version `manifest` seals.
///
/// # Errors
/// See [`DeliverError`].
pub fn deliver(
    manifest: &Path,
    evidence: &Evidence<'_>,
    key: &SigningKey,
    out: &Path,
    now: jiff::Timestamp,
) -> Result<DeliverReport, DeliverError> {
    let trusted = [key.public()];
    let text = read(manifest)?;
    let bad = |reason: String| DeliverError::Manifest {
        path: manifest.to_owned(),
        reason,
    };
    let dataset = match ingest::open_document(text.as_bytes(), &trusted) {
        Ok(Document::Manifest(m)) => DatasetRef {
            name: m.name,
            root: m.root,
            algorithm: m.algorithm,
        },
        Ok(_) => return Err(bad("not a custody seal manifest".into())),
        Err(e) => {
            return Err(bad(format!(
                "{e} (it must be signed by the delivering key)"
            )));
        }
    };
    let (sources, attestations, inventories) = match evidence {
        Evidence::Runs { files, signed_by } => {
            let mut run_keys = trusted.to_vec();
            run_keys.extend_from_slice(signed_by);
            let mut atts = Vec::new();
            for f in *files {
                let t = read(f)?;
                match ingest::open_document(t.as_bytes(), &run_keys) {
                    Ok(Document::Attestation(_)) => atts.push(t),
                    Ok(_) => {
                        return Err(DeliverError::Run {
                            path: f.clone(),
                            reason: "not a run attestation".into(),
                        });
                    }
                    Err(e) => {
                        return Err(DeliverError::Run {
                            path: f.clone(),
                            reason: e.to_string(),
                        });
                    }
                }
            }
            (Vec::new(), atts, Vec::new())
        }
        Evidence::Ledger(location) => from_ledger(location, &dataset)?,
    };
    let report = DeliverReport {
        bundle: out.to_owned(),
        dataset: dataset.clone(),
        sources: sources.len(),
        attestations: attestations.len(),
        inventories: inventories.len(),
        signer: key.public().key_id(),
    };
    let bytes = bundle::sign(
        Predicate {
            created_at: now.to_string(),
            dataset,
            manifest: text,
            sources,
            attestations,
            inventories,
        },
        key,
    );
    crate::keys::write_atomic(out, &bytes, false).map_err(|e| DeliverError::Io {
        path: out.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(report)
}

/// Signed documents, verbatim: source manifests, run attestations, scan
/// inventories.
pub(crate) type Documents = (Vec<String>, Vec<String>, Vec<String>);

/// Every run upstream of the version (its lineage), their inputs' sealed
/// manifests, and the inventories of their environments.
pub(crate) fn from_ledger(
    location: &Location,
    dataset: &DatasetRef,
) -> Result<Documents, DeliverError> {
    let mut ledger = open_existing(location)?;
    let lineage = ledger.lineage(&dataset.name, &dataset.root)?;
    let mut runs = BTreeSet::new();
    let mut read = BTreeSet::new();
    for e in &lineage.upstream {
        runs.insert(e.run.clone());
        read.insert(e.read.1.clone());
    }
    let written: BTreeSet<String> = lineage.upstream.iter().map(|e| e.wrote.1.clone()).collect();
    let mut attestations = Vec::new();
    let mut inventories = Vec::new();
    for r in &runs {
        if let Some(body) = ledger.run_document(r)? {
            attestations.push(body);
        }
        for inv in ledger.inventory_documents_of_run(r)? {
            if !inventories.contains(&inv) {
                inventories.push(inv);
            }
        }
    }
    let mut sources = Vec::new();
    for digest in read.difference(&written) {
        for m in ledger.manifest_documents(digest)? {
            if !sources.contains(&m) {
                sources.push(m);
            }
        }
    }
    Ok((sources, attestations, inventories))
}
