//! What custody's workflows and front ends use of `custody-advisory`:
//! reading advisory sources and writing the local database.
//!
//! Every path into that crate from the workflows is named here, so that a
//! change of its layout is a change of this file only.

pub use custody_advisory::Severity;
pub use custody_advisory::import::{ImportError, Problem, SourceBatch, read_source_with_progress};
pub use custody_advisory::matching::canonical as canonical_version;
pub use custody_advisory::severity::of as severity_of;
pub use custody_advisory::store::{
    ImportSummary, SourceStatus, Store, StoreError, write as write_store,
};
