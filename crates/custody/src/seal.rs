//! What custody's workflows and front ends use of `custody-seal`: keys,
//! dataset manifests, their signatures, comparison and model-signing.
//!
//! Every path into that crate is named here and nowhere else, so that a
//! change of its layout is a change of this file only.

pub use custody_seal::artifact::{ArtifactError, digest as artifact_digest};
pub use custody_seal::compare::{
    self, FileNote, Modified, RecordDiff, RecordNote, Report as CompareReport,
};
pub use custody_seal::dsse::{Envelope, IN_TOTO};
pub use custody_seal::error::{DataError, KeyError, OpenError, TrustError};
pub use custody_seal::hash::Algorithm;
pub use custody_seal::json::{Refusal as JsonRefusal, unique_keys};
pub use custody_seal::keys::{PublicKey, Scheme, SigningKey};
pub use custody_seal::manifest::{Manifest, Statement, Symlinks};
pub use custody_seal::modelsign;
pub use custody_seal::names::percent_encode_path;
pub use custody_seal::open::{
    DECISION_PREDICATE, DEFAULT_MAX_SIZE, DELIVERY_PREDICATE, Opened, Payload, open, open_bytes,
};
pub use custody_seal::seal::{Container, Options as SealOptions, Plan, build, plan, sign_to};
pub use custody_seal::verify::{options_of as verify_options_of, verify};
