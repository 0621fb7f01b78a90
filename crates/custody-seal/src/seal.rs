//! Sealing: walk, hash (files in parallel, chunks of large files in
//! parallel), index records, build the manifest, sign it.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::dsse::{self, Bundle, Envelope};
use crate::error::DataError;
use crate::hash::{self, Algorithm};
use crate::keys::{SigningKey, hex};
use crate::manifest::{Entry, Manifest, Records, SCHEMA, Symlinks};
use crate::merkle;
use crate::records::{self, Format};
use crate::walk::{self, Listed};

/// How to seal.
#[derive(Debug, Clone)]
pub struct Options {
    /// Hash function.
    pub algorithm: Algorithm,
    /// Chunk size.
    pub chunk_size: u64,
    /// Symbolic links.
    pub symlinks: Symlinks,
    /// Exclude globs.
    pub excludes: Vec<String>,
    /// Index JSONL/CSV/TSV files by record.
    pub records: bool,
    /// Key field of records.
    pub record_key: Option<String>,
    /// Dataset name (default: the root's base name).
    pub name: Option<String>,
    /// Files to leave out wherever they are (the manifest being written).
    pub skip: Vec<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            algorithm: Algorithm::Blake3,
            chunk_size: hash::DEFAULT_CHUNK,
            symlinks: Symlinks::Refuse,
            excludes: Vec::new(),
            records: true,
            record_key: None,
            name: None,
            skip: Vec::new(),
        }
    }
}

/// What a walk found, before hashing: for progress bars.
pub struct Plan {
    /// Files in manifest order.
    pub files: Vec<Listed>,
    /// Their total size.
    pub bytes: u64,
}

/// Lists the files `options` select under `roots`.
pub fn plan(roots: &[PathBuf], options: &Options) -> Result<Plan, DataError> {
    let exclude = walk::excludes(&options.excludes)?;
    let skip: Vec<(u64, u64)> = options
        .skip
        .iter()
        .filter_map(|p| fs_err::metadata(p).ok())
        .map(|m| (m.dev(), m.ino()))
        .collect();
    let mut files = walk::list(roots, options.symlinks, &exclude)?;
    if !skip.is_empty() {
        files.retain(|l| !skip.contains(&l.id));
    }
    let bytes = files.iter().map(|l| l.size).sum();
    Ok(Plan { files, bytes })
}

/// Hashes the planned files into a manifest. `progress` receives byte
/// counts as files finish.
pub fn build(
    roots: &[PathBuf],
    plan: &Plan,
    options: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Manifest, DataError> {
    let done = AtomicU64::new(0);
    let hashed: Vec<(Entry, crate::hash::Digest)> = plan
        .files
        .par_iter()
        .map(|l| {
            let entry = entry_with_digest(l, options, true)?;
            let total = done.fetch_add(l.size, Ordering::Relaxed) + l.size;
            progress(total);
            Ok(entry)
        })
        .collect::<Result<_, DataError>>()?;
    let leaves: Vec<_> = hashed
        .iter()
        .map(|(e, d)| merkle::leaf(options.algorithm, &e.path, e.size, d))
        .collect();
    let files = hashed.into_iter().map(|(e, _)| e).collect();
    let mut manifest = Manifest {
        schema: SCHEMA.to_owned(),
        name: options.name.clone().unwrap_or_else(|| default_name(roots)),
        algorithm: options.algorithm,
        chunk_size: options.chunk_size,
        root: String::new(),
        symlinks: options.symlinks,
        excludes: options.excludes.clone(),
        record_key: options.record_key.clone(),
        files,
    };
    manifest.root = hex(&merkle::root(manifest.algorithm, &leaves));
    Ok(manifest)
}

/// One file's entry; with `records` false the record index is left out
/// (verification indexes only the files that changed).
pub fn entry(l: &Listed, options: &Options, records: bool) -> Result<Entry, DataError> {
    entry_with_digest(l, options, records).map(|(e, _)| e)
}

fn entry_with_digest(
    l: &Listed,
    options: &Options,
    records: bool,
) -> Result<(Entry, crate::hash::Digest), DataError> {
    let io = |source| DataError::Io {
        path: l.path.clone(),
        source,
    };
    let d = hash::file(options.algorithm, &l.path, l.size, options.chunk_size).map_err(io)?;
    let records = if records && options.records {
        record_index(l, options)?
    } else {
        None
    };
    Ok((
        Entry {
            path: l.name.clone(),
            size: d.size,
            digest: hex(&d.digest),
            chunks: d.chunks.iter().map(|c| hex(c)).collect(),
            records,
        },
        d.digest,
    ))
}

/// The record index of a line-oriented file, if it is one.
pub fn record_index(l: &Listed, options: &Options) -> Result<Option<Records>, DataError> {
    let Some(format) = Format::from_name(&l.name) else {
        return Ok(None);
    };
    let index = records::index(
        options.algorithm,
        &l.path,
        l.size,
        format,
        options.record_key.as_deref(),
        options.chunk_size,
    )?;
    Ok(Some(Records::from_index(&index)))
}

fn default_name(roots: &[PathBuf]) -> String {
    match roots {
        [one] => fs_err::canonicalize(one)
            .ok()
            .as_deref()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .unwrap_or("dataset")
            .to_owned(),
        _ => "dataset".to_owned(),
    }
}

/// How a signed manifest is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// A DSSE envelope (JSON).
    Dsse,
    /// A Sigstore bundle v0.3 around the envelope.
    Bundle,
}

/// The signed manifest file's bytes.
pub fn sign(manifest: &Manifest, key: &SigningKey, container: Container) -> Vec<u8> {
    let payload = serde_json::to_vec(&manifest.statement()).unwrap_or_default();
    let envelope = Envelope::sign(dsse::IN_TOTO, &payload, key);
    let mut out = match container {
        Container::Dsse => serde_json::to_vec_pretty(&envelope),
        Container::Bundle => {
            serde_json::to_vec_pretty(&Bundle::new(envelope, key.public().key_id()))
        }
    }
    .unwrap_or_default();
    out.push(b'\n');
    out
}
