//! A trusted public key, stored as an event like any document so that the
//! set of trusted keys is itself tamper-evident.

use custody_seal::keys::PublicKey;

use crate::backend::Value;
use crate::error::Refusal;
use crate::graph::{Fact, TRUSTED_KEYS};
use crate::log::Event;

/// Reads a PEM public key (Ed25519 or P-256).
pub fn parse(pem: &str) -> Result<PublicKey, Refusal> {
    PublicKey::from_pem(pem).map_err(|e| Refusal::BadKey(e.to_string()))
}

/// The `trusted_keys` row of a trust event.
pub fn facts(key: &PublicKey, event: &Event) -> Vec<Fact> {
    vec![Fact {
        table: TRUSTED_KEYS,
        row: vec![
            key.key_id().into(),
            event.body.as_str().into(),
            Value::Int(event.seq),
        ],
    }]
}
