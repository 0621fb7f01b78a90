//! The custody ledger: custody's own signed evidence (run attestations
//! and seal manifests) kept in an append-only, hash-chained event log on
//! SQLite or PostgreSQL, a graph derived from it (environments and their
//! packages, runs, what they read and wrote, sealed dataset versions), and
//! the questions it answers: [`Ledger::impact`] (from a package version to
//! every environment, run and dataset version it touched) and
//! [`Ledger::lineage`]. [`Ledger::verify`] recomputes the chain and
//! rebuilds the derived tables from the log; [`Ledger::checkpoint`] signs
//! a Merkle root over the log that later verifications check.
//!
//! ```
//! use custody_ledger::{Ledger, Location, PackageQuery, Window};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let location = Location::parse(dir.path().join("ledger.db").to_str().unwrap()).unwrap();
//! let mut ledger = Ledger::open(&location).unwrap();
//!
//! // Documents are refused until a signer is trusted.
//! let key = custody_seal::keys::SigningKey::generate(custody_seal::keys::Scheme::Ed25519).unwrap();
//! ledger.trust_add(&key.public().to_pem()).unwrap();
//!
//! let impact = ledger
//!     .impact(&PackageQuery { name: "litellm".into(), version: None }, &Window::default())
//!     .unwrap();
//! assert!(impact.environments.is_empty());
//! assert!(ledger.verify().unwrap().ok());
//! ```

pub mod backend;
pub mod checkpoint;
pub mod error;
pub mod graph;
pub mod ingest;
pub mod ledger;
pub mod lineage;
pub mod location;
pub mod log;
pub mod migrations;
pub mod query;
pub mod verify;

pub use checkpoint::{Checkpoint, CheckpointFault};
pub use error::{LedgerError, Refusal};
pub use ledger::{AddOutcome, Ledger};
pub use lineage::{Edge, Lineage};
pub use location::Location;
pub use query::{
    ArtifactHit, DatasetVersion, EnvironmentHit, Impact, PackageQuery, RunHit, Step, Window,
};
pub use verify::{ChainFault, TableFault, VerifyReport};
