//! Inspection results kept on disk, by what they were computed from.
//!
//! An entry's name is the BLAKE3 digest of everything its result depends on
//! (see `site::group_key`: the rules this build was compiled with, the
//! options, the distribution's list digest, and each file's path, size,
//! inode and change time), so a change anywhere is a different name and a
//! miss: nothing is ever invalidated in place. Entries are written to a
//! temporary file and renamed, so a reader sees a whole entry or none; an
//! entry that does not parse is a miss. Failing to write is not an error:
//! the next scan inspects again.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::report::Report;

/// Fingerprint of the analysis rules this build holds (its source, hashed
/// at build time by `build.rs`).
pub const RULES: &str = env!("CUSTODY_INSPECT_RULES");

/// A folder of cached results.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// The name of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(String);

impl Cache {
    /// A cache in `dir` (created when the first entry is written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of a digest of what a result was computed from.
    pub fn key(&self, digest: blake3::Hash) -> Key {
        Key(digest.to_hex().to_string())
    }

    fn path(&self, key: &Key) -> PathBuf {
        self.dir.join(&key.0[..2]).join(format!("{}.json", key.0))
    }

    /// A cached result, if there is a whole one.
    pub fn get(&self, key: &Key) -> Option<Report> {
        let data = fs_err::read(self.path(key)).ok()?;
        // A code this build does not know fails to parse: a miss, so an
        // entry written by another version is analysed again.
        serde_json::from_slice(&data).ok()
    }

    /// Stores a result; errors are ignored (the cost is a later miss).
    pub fn put(&self, key: &Key, report: &Report) {
        let path = self.path(key);
        let Some(dir) = path.parent() else { return };
        if fs_err::create_dir_all(dir).is_err() {
            return;
        }
        let Ok(data) = serde_json::to_vec(report) else {
            return;
        };
        let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) else {
            return;
        };
        if tmp.write_all(&data).is_ok() {
            let _ = tmp.persist(&path);
        }
    }
}
