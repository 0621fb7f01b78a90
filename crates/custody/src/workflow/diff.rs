//! The comparison of two custody manifests (`custody.diff/v1`): files,
//! chunks and records added, removed and changed.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::seal::{CompareReport, Manifest, Opened, Payload, PublicKey, compare};
use crate::workflow::verify::{VerifyError, open};

/// Schema of the comparison document.
pub const SCHEMA: &str = "custody.diff/v1";

/// Two manifests compared.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The old manifest.
    pub old: Side,
    /// The new manifest.
    pub new: Side,
    /// Whether both signatures were checked (keys were given).
    pub signatures_checked: bool,
    /// Whether both describe the same data.
    pub identical: bool,
    /// Files added, removed and modified, with chunks and records.
    pub report: CompareReport,
}

/// One manifest of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// The manifest, as given.
    pub manifest: PathBuf,
    /// The data's name.
    pub name: String,
    /// The Merkle root.
    pub root: String,
    /// Id of the key that verified it (`None` when not checked).
    pub key_id: Option<String>,
    /// The hash algorithm (not part of the JSON document).
    #[serde(skip)]
    pub algorithm: &'static str,
}

/// Compares the manifests at `old` and `new`; with `trusted` empty their
/// signatures are not checked ([`DiffReport::signatures_checked`] says so).
///
/// # Errors
/// When either cannot be opened or is not a custody manifest.
pub fn diff(
    old: &Path,
    new: &Path,
    trusted: &[PublicKey],
    max_manifest_size: u64,
) -> Result<DiffReport, VerifyError> {
    let a = open(old, trusted, max_manifest_size)?;
    let b = open(new, trusted, max_manifest_size)?;
    let (Payload::Custody(old_m), Payload::Custody(new_m)) = (&a.payload, &b.payload) else {
        return Err(VerifyError::NotCustody);
    };
    let report = compare::compare(old_m, new_m, &|e| {
        e.records.as_ref().and_then(|r| r.to_index().ok())
    });
    Ok(DiffReport {
        schema: SCHEMA,
        old: side(old, old_m, &a),
        new: side(new, new_m, &b),
        signatures_checked: !trusted.is_empty(),
        identical: report.identical(),
        report,
    })
}

fn side(path: &Path, m: &Manifest, opened: &Opened) -> Side {
    Side {
        manifest: path.to_owned(),
        name: m.name.clone(),
        root: m.root.clone(),
        key_id: opened.signer.clone(),
        algorithm: m.algorithm.name(),
    }
}
