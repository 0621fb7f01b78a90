//! What custody's workflows and front ends use of `custody-ledger`: the
//! evidence store, its location, its reports and its errors.
//!
//! Every path into that crate is named here and nowhere else, so that a
//! change of its layout is a change of this file only.

pub use custody_ledger::ingest;
pub use custody_ledger::ingest::attestation::normalize;
pub use custody_ledger::ingest::environment::id as environment_id;
pub use custody_ledger::ingest::gate::INDEX_DECISIONS_PREDICATE;
pub use custody_ledger::ingest::inventory;
pub use custody_ledger::log::sha256_hex;
pub use custody_ledger::{
    AddOutcome, ArtifactHit, AssetKey, ChainFault, Change, CheckpointFault, DatasetVersion,
    DeliveryHit, Edge, Emitted, EnvironmentHit, GateDecision, Impact, KnownEnvironment, Ledger,
    LedgerError, Lineage, Location, PackageVersion, Refusal, RunHit, Step, TableFault,
    VerifyReport, Window,
};
