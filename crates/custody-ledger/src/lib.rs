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
//! use custody_ledger::{AddOutcome, Ledger, Location, PackageVersion, Window};
//! use custody_seal::keys::{Scheme, SigningKey};
//! use custody_seal::seal::{self, Container, Options};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let location = Location::parse(dir.path().join("ledger.db").to_str().unwrap()).unwrap();
//! let mut ledger = Ledger::open(&location).unwrap();
//!
//! // Documents are refused until their signer is trusted.
//! let key = SigningKey::generate(Scheme::Ed25519).unwrap();
//! ledger.trust_add(&key.public().to_pem()).unwrap();
//!
//! // A sealed dataset version, signed as `custody seal` signs it.
//! let data = dir.path().join("train");
//! std::fs::create_dir(&data).unwrap();
//! std::fs::write(data.join("a.jsonl"), "{\"id\": 1}\n").unwrap();
//! let options = Options { name: Some("train".into()), ..Options::default() };
//! let plan = seal::plan(&[data.clone()], &options).unwrap();
//! let manifest = seal::build(&[data], &plan, &options, &|_| {}).unwrap();
//! let mut signed = Vec::new();
//! seal::sign_to(&manifest, &key, Container::Dsse, &mut signed).unwrap();
//!
//! assert_eq!(ledger.add(&signed).unwrap(), AddOutcome::Stored(2));
//! assert_eq!(ledger.add(&signed).unwrap(), AddOutcome::Duplicate(2));
//! let lineage = ledger.lineage("train", &manifest.root).unwrap();
//! assert_eq!(lineage.sealed.unwrap().file_count, 1);
//!
//! // No run attestation names litellm: nothing is affected.
//! assert!(ledger.package_versions("litellm").unwrap().is_empty());
//! let query = [PackageVersion::new("LiteLLM", "1.82.8")];
//! assert!(ledger.impact(&query, &Window::default()).unwrap().environments.is_empty());
//! assert!(ledger.verify().unwrap().ok());
//! ```

pub mod backend;
pub mod batch;
pub mod change;
pub mod checkpoint;
pub mod dataset;
pub mod deliveries;
pub mod documents;
pub mod error;
pub mod gate;
pub mod graph;
pub mod ingest;
pub mod ledger;
pub mod lineage;
pub mod location;
pub mod log;
pub mod migrations;
mod prefetch;
pub mod query;
pub mod verify;
pub mod watch;

pub use change::Change;
pub use checkpoint::{Checkpoint, CheckpointFault};
pub use deliveries::DeliveryHit;
pub use error::{LedgerError, Refusal};
pub use gate::{GateDecision, KnownEnvironment};
pub use ledger::{AddOutcome, Ledger};
pub use lineage::{Edge, Lineage};
pub use location::Location;
pub use query::{
    ArtifactHit, DatasetVersion, EnvironmentHit, Impact, PackageVersion, RunHit, Step, Window,
};
pub use verify::{ChainFault, TableFault, VerifyReport};
pub use watch::{AssetKey, Emitted};
