//! Verification of data against a signed manifest (`custody.verify/v1`):
//! a custody manifest, an OpenSSF model-signing signature, or a
//! `custody run` provenance attestation.

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use crate::workflow::progress::ByteProgress;

use crate::seal::{
    self, CompareReport, DataError, FileNote, Modified, OpenError, Opened, Payload, PublicKey,
    Statement, modelsign,
};

/// Schema of the verification document.
pub const SCHEMA: &str = "custody.verify/v1";

/// What to verify.
#[derive(Debug, Clone, Copy)]
pub struct VerifyRequest<'a> {
    /// The signed manifest, signature or attestation.
    pub manifest: &'a Path,
    /// The data it should describe.
    pub paths: &'a [PathBuf],
    /// Keys whose signatures are trusted.
    pub trusted: &'a [PublicKey],
    /// Larger manifests are refused unread.
    pub max_manifest_size: u64,
}

/// The verification of one manifest against data.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The manifest, as given.
    pub manifest: PathBuf,
    /// The data's name (the manifest's, the model's, or "attested outputs").
    pub name: String,
    /// What kind of manifest.
    pub format: ManifestFormat,
    /// The signature (always valid here: an invalid one is an error).
    pub signature: Signature,
    /// Whether the data is as signed.
    pub identical: bool,
    /// Files added, removed and modified.
    pub report: CompareReport,
    /// Remarks about single outputs of a provenance attestation (not part
    /// of the JSON document).
    #[serde(skip)]
    pub notes: Vec<ProvenanceNote>,
}

/// Why an output of a `custody run` attestation does not verify, beyond
/// the comparison itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProvenanceNote {
    /// The attestation holds no digest for `path`: `custody run` refused
    /// this output (a link, FIFO, socket, device or set-ID file in it).
    NoDigest {
        /// The output, as given.
        path: String,
    },
    /// An attested output was not given to verify.
    NotGiven {
        /// Its subject name.
        name: String,
    },
}

/// The kind of signed document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ManifestFormat {
    /// A `custody seal` manifest.
    Custody,
    /// An OpenSSF model-signing signature.
    ModelSigning,
    /// A `custody run` SLSA provenance attestation.
    SlsaProvenance,
}

/// The signature that verified.
#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    /// Always `true`.
    pub valid: bool,
    /// Id of the key that verified it.
    pub key_id: String,
}

/// Why a verification or comparison did not complete.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The manifest cannot be read, or its signature, statement or rules do not hold.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The data cannot be read.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The model cannot be read, or the model-signing statement is invalid.
    #[error(transparent)]
    ModelSigning(#[from] modelsign::Error),
    /// A model-signing signature was given other than one path.
    #[error("a model-signing signature covers one folder or file; got {0}")]
    ModelSigningPaths(usize),
    /// A scan inventory, delivery bundle or decision: not files to check.
    #[error(
        "a custody scan inventory, delivery bundle or decision (its signature is valid) is evidence, not a list of files to check: `custody ledger add` it, or `custody accept` a bundle"
    )]
    Evidence,
    /// `diff` was given something other than two custody manifests.
    #[error(
        "diff compares custody manifests; a model-signing signature has no record or chunk data (verify it against the folder instead)"
    )]
    NotCustody,
}

/// Opens the manifest (signature first) and checks the data against it.
///
/// # Errors
/// See [`VerifyError`]; data that differs is not an error but a report
/// that is not [`VerifyReport::identical`].
pub fn verify(
    req: &VerifyRequest<'_>,
    progress: &dyn ByteProgress,
) -> Result<VerifyReport, VerifyError> {
    let opened = open(req.manifest, req.trusted, req.max_manifest_size)?;
    check(opened, req.manifest, req.paths, progress)
}

/// [`verify`] of a manifest already in memory (a seal the ledger stored,
/// a bundle's): `name` names it in errors and in the report.
///
/// # Errors
/// As [`verify`].
pub fn verify_bytes(
    name: &Path,
    bytes: Vec<u8>,
    paths: &[PathBuf],
    trusted: &[PublicKey],
    progress: &dyn ByteProgress,
) -> Result<VerifyReport, VerifyError> {
    let opened = seal::open_bytes(name, bytes, trusted).map_err(OpenError::from)?;
    check(opened, name, paths, progress)
}

/// The data at `paths` against an opened manifest named `manifest`.
fn check(
    opened: Opened,
    manifest_path: &Path,
    paths: &[PathBuf],
    progress: &dyn ByteProgress,
) -> Result<VerifyReport, VerifyError> {
    let mut notes = Vec::new();
    let report = match &opened.payload {
        Payload::Custody(manifest) => {
            let options = seal::verify_options_of(manifest, vec![manifest_path.to_owned()]);
            let plan = seal::plan(paths, &options)?;
            progress.start(plan.bytes);
            let report = seal::verify(manifest, &plan, &options, &|done| progress.advance(done))?;
            progress.finish();
            report
        }
        Payload::Provenance(statement) => provenance(statement, paths, &mut notes),
        Payload::Evidence(_) => return Err(VerifyError::Evidence),
        Payload::ModelSigning(statement) => {
            let [model] = paths else {
                return Err(VerifyError::ModelSigningPaths(paths.len()));
            };
            modelsign::verify(
                statement,
                model,
                manifest_path,
                &modelsign::Options::default(),
            )?
        }
    };
    let (name, format) = match &opened.payload {
        Payload::Custody(m) => (m.name.clone(), ManifestFormat::Custody),
        Payload::Provenance(_) | Payload::Evidence(_) => (
            "attested outputs".to_owned(),
            ManifestFormat::SlsaProvenance,
        ),
        Payload::ModelSigning(s) => (
            s.subject
                .first()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            ManifestFormat::ModelSigning,
        ),
    };
    Ok(VerifyReport {
        schema: SCHEMA,
        manifest: manifest_path.to_owned(),
        name,
        format,
        signature: Signature {
            valid: true,
            key_id: opened.signer.unwrap_or_default(),
        },
        identical: report.identical(),
        report,
        notes,
    })
}

/// Opens a signed manifest: with `trusted` empty the signature is not checked.
///
/// # Errors
/// When it cannot be read, or its signature, statement or rules do not hold.
pub fn open(path: &Path, trusted: &[PublicKey], max: u64) -> Result<Opened, OpenError> {
    seal::open(path, trusted, max)
}

/// Checks `paths` against the subjects of a `custody run` attestation:
/// each must be a subject, with the same SHA-256 (files) or `custody seal`
/// root (folders), and every subject must be given. Both sides are
/// compared as [`crate::run::subject_name`]s (so `./out.jsonl`,
/// `out.jsonl` and its absolute path are one output).
fn provenance(
    statement: &Statement,
    paths: &[PathBuf],
    notes: &mut Vec<ProvenanceNote>,
) -> CompareReport {
    use crate::run::subject_name;
    let cwd = std::env::current_dir().unwrap_or_default();
    let names: Vec<String> = statement
        .subject
        .iter()
        .map(|s| subject_name(Path::new(&s.name), &cwd))
        .collect();
    let mut given = vec![false; names.len()];
    let mut report = CompareReport::default();
    for p in paths {
        let name = subject_name(p, &cwd);
        let index = names.iter().position(|n| *n == name);
        let size = fs_err::metadata(p).map_or(0, |m| m.len());
        let shown = p.display().to_string();
        let Some(index) = index else {
            report.added.push(FileNote { path: shown, size });
            continue;
        };
        // The same output named twice at run time is given once.
        for (g, n) in given.iter_mut().zip(&names) {
            *g |= *n == name;
        }
        let s = &statement.subject[index];
        let Some(want) = s.digest.get("sha256") else {
            notes.push(ProvenanceNote::NoDigest {
                path: shown.clone(),
            });
            report.modified.push(changed(shown, size));
            continue;
        };
        match crate::seal::artifact_digest(p).ok() {
            Some(now) if now == *want => report.unchanged += 1,
            Some(_) => report.modified.push(changed(shown, size)),
            None => report.removed.push(FileNote {
                path: shown,
                size: 0,
            }),
        }
    }
    // An output the attestation vouches for and nobody checked is missing.
    for (name, _) in names.iter().zip(&given).filter(|(_, g)| !**g) {
        notes.push(ProvenanceNote::NotGiven { name: name.clone() });
        report.removed.push(FileNote {
            path: name.clone(),
            size: 0,
        });
    }
    report
}

/// An attested output whose digest does not match (or is missing).
fn changed(path: String, size: u64) -> Modified {
    Modified {
        path,
        old_size: size,
        new_size: size,
        chunks: Vec::new(),
        chunk_size: None,
        records: None,
    }
}
