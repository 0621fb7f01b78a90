//! Sealing: walk, hash (files in parallel, chunks of large files in
//! parallel), index records, build the manifest, sign it.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::dsse;
use crate::error::DataError;
use crate::hash::{self, Algorithm};
use crate::keys::{SigningKey, hex};
use crate::manifest::{Entry, HexDigest, Manifest, Records, SCHEMA, Symlinks};
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
    let format = Format::from_name(&l.name).filter(|_| records && options.records);
    let (d, records) = match format {
        Some(format) => {
            // One read for both: JSONL and TSV chunks give their digests
            // while their records are fingerprinted.
            let (index, chunks) = records::index_and_digest(
                &l.path,
                l.size,
                format,
                options.record_key.as_deref(),
                options.chunk_size,
                Some(options.algorithm),
            )?;
            let d = match chunks {
                Some(chunks) => hash::FileDigest::from_chunks(
                    options.algorithm,
                    options.chunk_size,
                    l.size,
                    chunks,
                ),
                None => hash::file(options.algorithm, &l.path, l.size, options.chunk_size)
                    .map_err(io)?,
            };
            (d, Some(Records::from_index(index)))
        }
        None => (
            hash::file(options.algorithm, &l.path, l.size, options.chunk_size).map_err(io)?,
            None,
        ),
    };
    Ok((
        Entry {
            path: l.name.clone(),
            size: d.size,
            digest: HexDigest(d.digest),
            chunks: d.chunks.iter().copied().map(HexDigest).collect(),
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
        &l.path,
        l.size,
        format,
        options.record_key.as_deref(),
        options.chunk_size,
    )?;
    Ok(Some(Records::from_index(index)))
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

/// Writes the signed manifest to `out`. The statement is serialised once,
/// behind room for the DSSE pre-authentication header, signed in place, and
/// base64-encoded straight into the writer: no copy of a large payload.
pub fn sign_to(
    manifest: &Manifest,
    key: &SigningKey,
    container: Container,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut buf = vec![b' '; dsse::PAE_ROOM];
    manifest.write_statement(&mut buf)?;
    let start = dsse::put_pae_header(dsse::IN_TOTO, &mut buf).map_err(std::io::Error::other)?;
    let sig = key.sign(&buf[start..]);
    let payload = &buf[dsse::PAE_ROOM..];
    let key_id = key.public().key_id();
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    if container == Container::Bundle {
        write!(
            w,
            "{{\n  \"mediaType\": \"{}\",\n  \"verificationMaterial\": {{\n    \"publicKey\": {{\n      \"hint\": \"{key_id}\"\n    }},\n    \"tlogEntries\": []\n  }},\n  \"dsseEnvelope\": ",
            dsse::BUNDLE_V03
        )?;
    }
    w.write_all(b"{\n  \"payload\": \"")?;
    {
        let mut enc =
            base64::write::EncoderWriter::new(&mut w, &base64::engine::general_purpose::STANDARD);
        enc.write_all(payload)?;
        enc.finish()?;
    }
    write!(
        w,
        "\",\n  \"payloadType\": \"{}\",\n  \"signatures\": [\n    {{\n      \"sig\": \"{}\",\n      \"keyid\": \"{key_id}\"\n    }}\n  ]\n}}",
        dsse::IN_TOTO,
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sig)
    )?;
    if container == Container::Bundle {
        w.write_all(b"\n}")?;
    }
    w.write_all(b"\n")?;
    w.flush()
}
