//! The digests of a run's outputs, inputs and executable, taken once the
//! step's tree has ended, as [`custody_seal::artifact::digest`] computes
//! them (a file's SHA-256, a folder's Merkle root).

use std::path::PathBuf;

/// Digests by absolute path: SHA-256 of a file or a folder's Merkle root,
/// or why there is none (an error without the path, or an interruption).
pub type Digests = std::collections::HashMap<PathBuf, Result<String, String>>;

/// The digests of `paths`, or the reason for each failure without the
/// path itself (a name the step chose must not reach the attestation).
pub fn digest_all(paths: &[PathBuf]) -> Digests {
    paths
        .iter()
        .map(|p| {
            let d = custody_seal::artifact::digest(p).map_err(|e| reason_only(&e.to_string()));
            (p.clone(), d)
        })
        .collect()
}

/// An error's text after its last `": "` (the reason, not the path),
/// escaped and bounded.
fn reason_only(e: &str) -> String {
    let tail = e.rsplit(": ").next().unwrap_or(e);
    format!("cannot be hashed: {}", crate::text::escape(tail.as_bytes()))
}
