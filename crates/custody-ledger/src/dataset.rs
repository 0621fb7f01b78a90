//! A sealed dataset version, as queries name it.

use serde::Serialize;

/// A sealed dataset version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetVersion {
    /// Name.
    pub name: String,
    /// Merkle root.
    pub root: String,
    /// Files.
    pub file_count: i64,
    /// When the ledger recorded its manifest.
    pub sealed_at: String,
}
