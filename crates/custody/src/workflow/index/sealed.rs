//! A sealed mirror folder: `custody-mirror.json` (every file's project,
//! version, sha256 and upload time) and `custody-mirror.seal.json` (a
//! custody seal manifest of the whole folder). `index serve` on such a
//! folder verifies the seal against trusted keys before serving, then
//! lists exactly the files the list states, each checked against its
//! sha256 as it is served.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::IndexError;
use crate::index::LocalFile;
use crate::seal::PublicKey;
use crate::workflow::verify::{self, VerifyRequest};

/// The file list's name in the folder.
pub const LIST: &str = "custody-mirror.json";
/// The seal manifest's name in the folder.
pub const SEAL: &str = "custody-mirror.seal.json";
/// The list's schema.
pub const LIST_SCHEMA: &str = "custody.mirror/v1";
/// The largest seal manifest read.
const MAX_SEAL_BYTES: u64 = 256 * 1024 * 1024;

/// The list of a mirror.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MirrorList {
    /// [`LIST_SCHEMA`].
    pub schema: String,
    /// Where the files came from.
    pub upstream: String,
    /// The lockfiles mirrored, as given.
    pub lockfiles: Vec<String>,
    /// When it was built (RFC 3339).
    pub created: String,
    /// Every file, in file-name order.
    pub files: Vec<MirrorFile>,
}

/// One mirrored file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MirrorFile {
    /// The file name.
    pub filename: String,
    /// The project (PEP 503 name).
    pub project: String,
    /// The release.
    pub version: String,
    /// The sha256 of its bytes (hex).
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// The upstream's upload time (PEP 700), when it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_time: Option<String>,
}

/// `dir`'s files as its verified seal states them; `None` when the folder
/// is not sealed and no key was given (a plain folder of files).
///
/// # Errors
/// A sealed folder without a trusted key, a key without a seal, a seal
/// that does not verify, a folder that differs from its seal, or a list
/// that cannot be read.
pub fn open(dir: &Path, trusted: &[PublicKey]) -> Result<Option<Vec<LocalFile>>, IndexError> {
    let seal = dir.join(SEAL);
    let sealed = seal.is_file();
    if !sealed {
        return if trusted.is_empty() {
            Ok(None)
        } else {
            Err(IndexError::NotSealed(seal))
        };
    }
    if trusted.is_empty() {
        return Err(IndexError::SealUntrusted(seal));
    }
    let report = verify::verify(
        &VerifyRequest {
            manifest: &seal,
            paths: &[dir.to_owned()],
            trusted,
            max_manifest_size: MAX_SEAL_BYTES,
        },
        &crate::workflow::progress::Silent,
    )
    .map_err(|e| IndexError::SealInvalid {
        path: seal.clone(),
        reason: e.to_string(),
    })?;
    if !report.identical {
        let r = &report.report;
        let mut changed: Vec<String> = r.modified.iter().map(|m| m.path.clone()).collect();
        changed.extend(r.added.iter().map(|f| format!("{} (added)", f.path)));
        changed.extend(r.removed.iter().map(|f| format!("{} (missing)", f.path)));
        return Err(IndexError::SealMismatch {
            path: dir.to_owned(),
            changed,
        });
    }
    let list = read_list(&dir.join(LIST))?;
    Ok(Some(
        list.files
            .into_iter()
            .map(|f| LocalFile {
                modified: f
                    .upload_time
                    .as_deref()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                filename: f.filename,
                size: f.size,
                sha256: f.sha256,
            })
            .collect(),
    ))
}

fn read_list(path: &PathBuf) -> Result<MirrorList, IndexError> {
    let bad = |reason: String| IndexError::SealInvalid {
        path: path.clone(),
        reason,
    };
    let text = fs_err::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let list: MirrorList = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if list.schema != LIST_SCHEMA {
        return Err(bad(format!(
            "schema {:?}, expected {LIST_SCHEMA:?}",
            list.schema
        )));
    }
    for f in &list.files {
        if !crate::index::safe_filename(&f.filename)
            || f.sha256.len() != 64
            || !f.sha256.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(bad(format!(
                "entry {:?} is not a file name with a sha256",
                f.filename
            )));
        }
    }
    Ok(list)
}
