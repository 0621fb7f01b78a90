//! A seal manifest (`custody.manifest/v1`), already checked by
//! custody-seal's `open`: a dataset version named by its Merkle root.

use custody_seal::manifest::Manifest;

use crate::backend::Value;
use crate::graph::{DATASET_VERSIONS, Fact};
use crate::log::Event;

/// A dataset version.
#[derive(Debug, Clone)]
pub struct Version {
    /// The dataset's name.
    pub name: String,
    /// Its Merkle root (hex).
    pub root: String,
    /// The root's hash function (`sha256` roots match run digests).
    pub algorithm: String,
    /// How many files it holds.
    pub files: usize,
}

impl Version {
    /// The version `manifest` seals.
    pub fn of(manifest: &Manifest) -> Self {
        Self {
            name: manifest.name.clone(),
            root: manifest.root.clone(),
            algorithm: manifest.algorithm.name().to_owned(),
            files: manifest.files.len(),
        }
    }

    /// Its row; sealed at is when the ledger recorded the manifest (a
    /// manifest carries no time of its own).
    pub fn facts(&self, event: &Event) -> Vec<Fact> {
        vec![Fact {
            table: DATASET_VERSIONS,
            row: vec![
                self.name.as_str().into(),
                self.root.as_str().into(),
                self.algorithm.as_str().into(),
                Value::Int(i64::try_from(self.files).unwrap_or(i64::MAX)),
                event.recorded_at.as_str().into(),
                Value::Int(event.seq),
            ],
        }]
    }
}
