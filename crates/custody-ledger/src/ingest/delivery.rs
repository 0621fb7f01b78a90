//! Delivery bundles (`https://custody.dev/delivery/v1`, written by
//! `custody deliver`) and lab decisions about them
//! (`https://custody.dev/delivery-decision/v1`, `custody accept -k`): which
//! dataset version went where, and whether it was accepted, so an incident
//! names the deliveries to recall. The documents a bundle carries are not
//! ingested from it; add them on their own.

use serde::Deserialize;

use crate::backend::Value;
use crate::error::Refusal;
use crate::graph::{DELIVERIES, DELIVERY_DECISIONS, Fact};
use crate::log::Event;

#[derive(Deserialize)]
struct Dataset {
    name: String,
    root: String,
    #[serde(default)]
    algorithm: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BundleHead {
    created_at: String,
    dataset: Dataset,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DecisionHead {
    decision: String,
    decided_at: String,
    dataset: Option<Dataset>,
}

/// A delivery or a decision.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// A bundle: the version it delivers and when it was made.
    Bundle {
        /// Dataset name.
        name: String,
        /// Merkle root.
        root: String,
        /// Its hash function.
        algorithm: String,
        /// When the vendor made it.
        created_at: String,
    },
    /// A lab's decision about the bundle with SHA-256 `bundle`.
    Decision {
        /// The bundle's digest (its ledger identity).
        bundle: String,
        /// Dataset name.
        name: String,
        /// Merkle root.
        root: String,
        /// `accept` or `reject`.
        decision: String,
        /// When.
        decided_at: String,
    },
}

impl Delivery {
    /// Reads a verified bundle statement.
    pub fn bundle(statement: &custody_seal::manifest::Statement) -> Result<Self, Refusal> {
        let h: BundleHead = serde_json::from_value(statement.predicate.clone())
            .map_err(|e| Refusal::Malformed(format!("delivery bundle: {e}")))?;
        Ok(Self::Bundle {
            name: h.dataset.name,
            root: h.dataset.root,
            algorithm: h.dataset.algorithm,
            created_at: h.created_at,
        })
    }

    /// Reads a verified decision statement.
    pub fn decision(statement: &custody_seal::manifest::Statement) -> Result<Self, Refusal> {
        let bad = |m: String| Refusal::Malformed(format!("delivery decision: {m}"));
        let h: DecisionHead =
            serde_json::from_value(statement.predicate.clone()).map_err(|e| bad(e.to_string()))?;
        if !matches!(h.decision.as_str(), "accept" | "reject") {
            return Err(bad(format!(
                "decision {:?} is neither accept nor reject",
                h.decision
            )));
        }
        let bundle = statement
            .subject
            .first()
            .and_then(|s| s.digest.get("sha256"))
            .cloned()
            .ok_or_else(|| bad("no subject with a sha256 digest".into()))?;
        let (name, root) = h.dataset.map(|d| (d.name, d.root)).unwrap_or_default();
        Ok(Self::Decision {
            bundle,
            name,
            root,
            decision: h.decision,
            decided_at: h.decided_at,
        })
    }

    /// Its row.
    pub fn facts(&self, event: &Event) -> Vec<Fact> {
        let id = Value::from(event.digest.as_str());
        match self {
            Self::Bundle {
                name,
                root,
                algorithm,
                created_at,
            } => vec![Fact {
                table: DELIVERIES,
                row: vec![
                    id,
                    name.as_str().into(),
                    root.as_str().into(),
                    algorithm.as_str().into(),
                    created_at.as_str().into(),
                    Value::Int(event.seq),
                ],
            }],
            Self::Decision {
                bundle,
                name,
                root,
                decision,
                decided_at,
            } => vec![Fact {
                table: DELIVERY_DECISIONS,
                row: vec![
                    id,
                    bundle.as_str().into(),
                    name.as_str().into(),
                    root.as_str().into(),
                    decision.as_str().into(),
                    decided_at.as_str().into(),
                    Value::Int(event.seq),
                ],
            }],
        }
    }
}
