//! Sealing data (`custody.seal/v1`): a signed manifest of files, chunks
//! and records, or an OpenSSF model-signing signature.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::keys::{self, WriteError};
use crate::seal::{self, Container, DataError, SealOptions, SigningKey, modelsign};
use crate::workflow::progress::ByteProgress;

/// Schema of the sealing summary.
pub const SCHEMA: &str = "custody.seal/v1";

/// What was sealed.
#[derive(Debug, Clone, Serialize)]
pub struct SealReport {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The manifest written.
    pub manifest: PathBuf,
    /// The data's name.
    pub name: String,
    /// The hash algorithm.
    pub algorithm: &'static str,
    /// The Merkle root.
    pub root: String,
    /// How many files.
    pub files: usize,
    /// How many bytes.
    pub bytes: u64,
    /// How many records (JSONL, CSV, TSV rows) were indexed.
    pub records: u64,
    /// Id of the signing key.
    pub key_id: String,
}

/// Why nothing was sealed.
#[derive(Debug, thiserror::Error)]
pub enum SealFlowError {
    /// The data cannot be read, or breaks a rule (a link under `refuse`, a name).
    #[error(transparent)]
    Data(#[from] DataError),
    /// The model cannot be read.
    #[error(transparent)]
    ModelSigning(#[from] modelsign::Error),
    /// The manifest cannot be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Hashes `paths` into a manifest, signs it with `signing` and writes it
/// to `out` atomically.
///
/// # Errors
/// See [`SealFlowError`].
pub fn seal(
    paths: &[PathBuf],
    options: &SealOptions,
    signing: &SigningKey,
    container: Container,
    out: &Path,
    progress: &dyn ByteProgress,
) -> Result<SealReport, SealFlowError> {
    let plan = seal::plan(paths, options)?;
    progress.start(plan.bytes);
    let manifest = seal::build(paths, &plan, options, &|done| progress.advance(done))?;
    progress.finish();
    keys::write_atomic_with(out, false, &mut |w| {
        seal::sign_to(&manifest, signing, container, w)
    })?;
    let records = manifest
        .files
        .iter()
        .filter_map(|e| e.records.as_ref().map(|r| r.count))
        .sum();
    Ok(SealReport {
        schema: SCHEMA,
        manifest: out.to_owned(),
        name: manifest.name,
        algorithm: manifest.algorithm.name(),
        root: manifest.root,
        files: manifest.files.len(),
        bytes: plan.bytes,
        records,
        key_id: signing.public().key_id(),
    })
}

/// Signs the folder or file `model` in the OpenSSF model-signing format
/// and writes the signature to `out` atomically.
///
/// # Errors
/// See [`SealFlowError`].
pub fn sign_model(
    model: &Path,
    signing: &SigningKey,
    out: &Path,
    options: &modelsign::Options,
) -> Result<(), SealFlowError> {
    let bytes = modelsign::sign(model, signing, out, options)?;
    keys::write_atomic(out, &bytes, false)?;
    Ok(())
}
