//! The delivery bundle, `custody.dev/delivery/v1`: one DSSE envelope over
//! an in-toto statement whose subject is the delivered dataset version and
//! whose predicate carries, verbatim, the signed documents behind it: the
//! dataset's seal manifest, the manifests of the sealed sources its steps
//! read, the attestations of those steps, and the scan inventories of the
//! environments they ran in. Each stays verifiable on its own; the
//! bundle's signature binds them together.
//!
//! ```json
//! {"_type": "https://in-toto.io/Statement/v1",
//!  "subject": [{"name": "clean", "digest": {"sha256": "3c2c5e…"}}],
//!  "predicateType": "https://custody.dev/delivery/v1",
//!  "predicate": {"createdAt": "2026-03-25T08:00:00Z",
//!                "dataset": {"name": "clean", "root": "3c2c5e…", "algorithm": "sha256"},
//!                "manifest": "<the signed manifest, as text>",
//!                "sources": ["<signed manifest>", …],
//!                "attestations": ["<signed run attestation>", …],
//!                "inventories": ["<signed scan inventory>", …]}}
//! ```

use serde::{Deserialize, Serialize};

use crate::seal::{Envelope, IN_TOTO, JsonRefusal, PublicKey, SigningKey, unique_keys};

/// The predicate type.
pub const PREDICATE: &str = crate::seal::DELIVERY_PREDICATE;

/// The delivered version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetRef {
    /// Its name.
    pub name: String,
    /// Its Merkle root (hex).
    pub root: String,
    /// The root's hash function.
    pub algorithm: String,
}

/// What a bundle carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Predicate {
    /// When the vendor made it (RFC 3339).
    pub created_at: String,
    /// The delivered version.
    pub dataset: DatasetRef,
    /// Its signed manifest, verbatim.
    pub manifest: String,
    /// Signed manifests of the sealed sources, verbatim.
    pub sources: Vec<String>,
    /// Signed run attestations of the steps, verbatim.
    pub attestations: Vec<String>,
    /// Signed scan inventories of their environments, verbatim.
    pub inventories: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct Subject {
    name: String,
    digest: std::collections::BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
struct Statement {
    #[serde(rename = "_type")]
    type_: String,
    subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    predicate_type: String,
    predicate: Predicate,
}

/// The signed bundle's bytes.
pub fn sign(predicate: Predicate, key: &SigningKey) -> Vec<u8> {
    let statement = Statement {
        type_: "https://in-toto.io/Statement/v1".into(),
        subject: vec![Subject {
            name: predicate.dataset.name.clone(),
            digest: [(
                predicate.dataset.algorithm.clone(),
                predicate.dataset.root.clone(),
            )]
            .into(),
        }],
        predicate_type: PREDICATE.into(),
        predicate,
    };
    crate::run::sign(&serde_json::to_value(&statement).unwrap_or_default(), key)
}

/// Why a bundle cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not a DSSE envelope, or not a delivery statement.
    #[error("not a custody delivery bundle: {0}")]
    Malformed(String),
    /// No trusted key signed it.
    #[error("the bundle's signature: {0}")]
    Untrusted(String),
}

/// A bundle whose signature verified.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The key id that verified it.
    pub signer: String,
    /// What it carries.
    pub predicate: Predicate,
}

/// Verifies `bytes` with `trusted` and reads the delivery statement: its
/// subject must be the dataset it names.
///
/// # Errors
/// See [`BundleError`].
pub fn open(bytes: &[u8], trusted: &[PublicKey]) -> Result<Opened, BundleError> {
    let bad = |m: String| BundleError::Malformed(m);
    let envelope: Envelope =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("not a DSSE envelope: {e}")))?;
    if envelope.payload_type != IN_TOTO {
        return Err(bad(format!("payload type {:?}", envelope.payload_type)));
    }
    let signer = envelope.verify(trusted).map_err(BundleError::Untrusted)?;
    let payload = envelope.payload_bytes().map_err(bad)?;
    // A key named twice would let two readers see two bundles under one
    // signature (custody-seal's rule for every signed statement).
    if let Err(JsonRefusal::Duplicate(e)) = unique_keys(&payload) {
        return Err(bad(format!(
            "the signed statement can be read two ways: {e}"
        )));
    }
    let st: Statement = serde_json::from_slice(&payload)
        .map_err(|e| bad(format!("not a delivery statement: {e}")))?;
    if st.predicate_type != PREDICATE {
        return Err(bad(format!("predicate type {:?}", st.predicate_type)));
    }
    let d = &st.predicate.dataset;
    let states = st.subject.len() == 1
        && st.subject[0].name == d.name
        && st.subject[0].digest.get(&d.algorithm) == Some(&d.root);
    if !states {
        return Err(bad("the subject is not the dataset the bundle names".into()));
    }
    Ok(Opened {
        signer,
        predicate: st.predicate,
    })
}
