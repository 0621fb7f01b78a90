//! Signed checkpoints: an RFC 6962 Merkle root (custody-seal's `merkle`)
//! over the first `tree_size` events, signed in a DSSE envelope. Each
//! event is a leaf named by its sequence number, sized by its body, with
//! its chain hash as the digest.

use custody_seal::dsse::{Envelope, IN_TOTO};
use custody_seal::hash::Algorithm;
use custody_seal::keys::{SigningKey, hex};
use custody_seal::merkle;
use serde::Serialize;
use serde_json::json;

use crate::backend::Value;
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::log::{self, Event};

/// The predicate type of a checkpoint statement.
pub const PREDICATE_TYPE: &str = "https://custody.dev/ledger-checkpoint/v1";

/// A checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    /// Events covered.
    pub tree_size: i64,
    /// Merkle root over them (hex).
    pub root: String,
    /// The last covered event's hash.
    pub head: String,
    /// The signing key's id.
    pub key_id: String,
}

/// Why a checkpoint does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointFault {
    /// The checkpoint's size.
    pub tree_size: i64,
    /// What differs.
    pub reason: String,
}

/// The Merkle root over `events` (hex).
pub fn root(events: &[Event]) -> Result<String, String> {
    let leaves = events
        .iter()
        .map(|e| {
            let digest = custody_seal::manifest::parse_digest(&e.hash)?;
            Ok(merkle::leaf(
                Algorithm::Sha256,
                &e.seq.to_string(),
                e.body.len() as u64,
                &digest,
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(hex(&merkle::root(Algorithm::Sha256, &leaves)))
}

impl Ledger {
    /// Signs a checkpoint over the whole log with `key`.
    pub fn checkpoint(&mut self, key: &SigningKey) -> Result<Checkpoint, LedgerError> {
        let events = log::all(&mut self.conn).map_err(|d| self.storage(d))?;
        let tree_size = i64::try_from(events.len()).unwrap_or(i64::MAX);
        let root = root(&events).map_err(|d| self.storage(d))?;
        let head = events
            .last()
            .map_or_else(|| log::GENESIS.to_owned(), |e| e.hash.clone());
        let statement = json!({
            "_type": custody_seal::manifest::STATEMENT_TYPE,
            "subject": [{"name": "custody-ledger", "digest": {"sha256": root}}],
            "predicateType": PREDICATE_TYPE,
            "predicate": {"tree_size": tree_size, "root": root, "head": head},
        });
        let payload = serde_json::to_vec(&statement).map_err(|e| self.storage(e.to_string()))?;
        let envelope = Envelope::sign(IN_TOTO, &payload, key);
        let text = serde_json::to_string(&envelope).map_err(|e| self.storage(e.to_string()))?;
        let key_id = key.public().key_id();
        self.conn
            .execute(
                "INSERT INTO checkpoints (tree_size, root, head, signed_at, key_id, envelope) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                &[
                    Value::Int(tree_size),
                    root.as_str().into(),
                    head.as_str().into(),
                    Value::Text(jiff::Timestamp::now().to_string()),
                    key_id.as_str().into(),
                    text.into(),
                ],
            )
            .map_err(|d| self.storage(d))?;
        Ok(Checkpoint {
            tree_size,
            root,
            head,
            key_id,
        })
    }

    /// Every stored checkpoint checked against `events` (the whole log):
    /// its signature by a trusted key, and its root over the events it
    /// covers.
    pub(crate) fn check_checkpoints(
        &mut self,
        events: &[Event],
    ) -> Result<(usize, Vec<CheckpointFault>), LedgerError> {
        let rows = self
            .conn
            .query(
                "SELECT tree_size, envelope FROM checkpoints ORDER BY tree_size",
                &[],
            )
            .map_err(|d| self.storage(d))?;
        let trusted = self.trusted()?;
        let mut faults = Vec::new();
        for r in &rows {
            let tree_size = r[0].int();
            if let Err(reason) = check_one(tree_size, &r[1].text(), &trusted, events) {
                faults.push(CheckpointFault { tree_size, reason });
            }
        }
        Ok((rows.len(), faults))
    }
}

fn check_one(
    tree_size: i64,
    envelope: &str,
    trusted: &[custody_seal::keys::PublicKey],
    events: &[Event],
) -> Result<(), String> {
    let envelope: Envelope =
        serde_json::from_str(envelope).map_err(|e| format!("envelope: {e}"))?;
    envelope
        .verify(trusted)
        .map_err(|e| format!("signature: {e}"))?;
    let payload = envelope.payload_bytes()?;
    let statement: serde_json::Value =
        serde_json::from_slice(&payload).map_err(|e| format!("statement: {e}"))?;
    let p = &statement["predicate"];
    if p["tree_size"].as_i64() != Some(tree_size) {
        return Err(format!(
            "the signed size is {}, the row says {tree_size}",
            p["tree_size"]
        ));
    }
    let size = usize::try_from(tree_size).map_err(|e| e.to_string())?;
    let Some(covered) = events.get(..size) else {
        return Err(format!(
            "covers {tree_size} events; the log has {}",
            events.len()
        ));
    };
    let now = root(covered)?;
    if p["root"].as_str() != Some(now.as_str()) {
        return Err(format!(
            "signed root {} is not the log's root {now}",
            p["root"]
        ));
    }
    Ok(())
}
