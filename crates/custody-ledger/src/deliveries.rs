//! The deliveries of a dataset version: bundles the ledger holds, and
//! decisions labs signed about bundles of it (a lab's ledger may hold the
//! decision without the bundle).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::LedgerError;
use crate::ledger::Ledger;

/// A delivery of a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryHit {
    /// The bundle's SHA-256 (its ledger identity).
    pub bundle: String,
    /// The dataset's name.
    pub name: String,
    /// When the vendor made it, when the ledger holds the bundle.
    pub created_at: Option<String>,
    /// Decisions about it: `accept` or `reject`, and when.
    pub decisions: Vec<(String, String)>,
}

impl Ledger {
    /// Every delivery of the version whose root is `root`, by bundle.
    pub fn deliveries_of(&mut self, root: &str) -> Result<Vec<DeliveryHit>, LedgerError> {
        let mut by_bundle: BTreeMap<String, DeliveryHit> = BTreeMap::new();
        for r in self.rows(
            "SELECT id, name, created_at FROM deliveries WHERE root = $1 ORDER BY event_seq",
            &[root.into()],
        )? {
            by_bundle.insert(
                r[0].text(),
                DeliveryHit {
                    bundle: r[0].text(),
                    name: r[1].text(),
                    created_at: Some(r[2].text()),
                    decisions: Vec::new(),
                },
            );
        }
        for r in self.rows(
            "SELECT bundle, name, decision, decided_at FROM delivery_decisions \
             WHERE root = $1 ORDER BY event_seq",
            &[root.into()],
        )? {
            by_bundle
                .entry(r[0].text())
                .or_insert_with(|| DeliveryHit {
                    bundle: r[0].text(),
                    name: r[1].text(),
                    created_at: None,
                    decisions: Vec::new(),
                })
                .decisions
                .push((r[2].text(), r[3].text()));
        }
        Ok(by_bundle.into_values().collect())
    }
}
