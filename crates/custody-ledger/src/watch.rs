//! The watch cursor: which affected assets a named watcher already
//! emitted, per advisory. State, not evidence: the `watch_emitted` table
//! is not derived from the log, so [`Ledger::verify`] ignores it (as it
//! ignores checkpoints).
//!
//! Marking is one transaction of `INSERT ... ON CONFLICT DO NOTHING` on
//! the key `(watcher, advisory, kind, asset)`: two watchers of the same
//! name at once both may deliver an asset, and the first to insert its
//! row emitted it (delivery is at least once; events carry a stable id).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::backend::Value;
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::query::PackageVersion;

/// One affected asset of one advisory, as the cursor keys it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct AssetKey {
    /// The advisory's id.
    pub advisory: String,
    /// `environment`, `run`, `exposed`, `written` or `downstream`.
    pub kind: String,
    /// The environment's or run's id, or the artifact's digest.
    pub asset: String,
}

/// An asset delivered to a sink, to record in the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emitted {
    /// What was emitted.
    pub key: AssetKey,
    /// The event's stable id.
    pub event_id: String,
}

impl Ledger {
    /// Every `(name, version)` some environment in the ledger holds,
    /// sorted (names normalised as PEP 503).
    pub fn installed_packages(&mut self) -> Result<Vec<PackageVersion>, LedgerError> {
        let rows = self.rows(
            "SELECT DISTINCT name, version FROM environment_packages ORDER BY name, version",
            &[],
        )?;
        Ok(rows
            .into_iter()
            .map(|r| PackageVersion {
                name: r[0].text(),
                version: r[1].text(),
            })
            .collect())
    }

    /// The assets `watcher` already emitted.
    pub fn emitted(&mut self, watcher: &str) -> Result<BTreeSet<AssetKey>, LedgerError> {
        let rows = self.rows(
            "SELECT advisory, kind, asset FROM watch_emitted WHERE watcher = $1",
            &[watcher.into()],
        )?;
        Ok(rows
            .into_iter()
            .map(|r| AssetKey {
                advisory: r[0].text(),
                kind: r[1].text(),
                asset: r[2].text(),
            })
            .collect())
    }

    /// Records `assets` as emitted by `watcher`, in one transaction; an
    /// asset already recorded (by this or a concurrent watcher of the same
    /// name) is left as it is. Returns how many rows were new.
    pub fn mark_emitted(&mut self, watcher: &str, assets: &[Emitted]) -> Result<u64, LedgerError> {
        if assets.is_empty() {
            return Ok(0);
        }
        let now = jiff::Timestamp::now().to_string();
        // In key order, so two writers at once on PostgreSQL wait for each
        // other's rows in the same order and never deadlock.
        let mut assets: Vec<&Emitted> = assets.iter().collect();
        assets.sort_by(|a, b| a.key.cmp(&b.key));
        self.conn.begin().map_err(|d| self.storage(d))?;
        let result = (|| {
            let mut new = 0;
            for a in &assets {
                new += self.conn.execute(
                    "INSERT INTO watch_emitted (watcher, advisory, kind, asset, event_id, emitted_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                    &[
                        watcher.into(),
                        a.key.advisory.as_str().into(),
                        a.key.kind.as_str().into(),
                        a.key.asset.as_str().into(),
                        a.event_id.as_str().into(),
                        Value::Text(now.clone()),
                    ],
                )?;
            }
            Ok(new)
        })();
        match result.and_then(|n| self.conn.commit().map(|()| n)) {
            Ok(n) => Ok(n),
            Err(d) => {
                self.conn.rollback();
                Err(self.storage(d))
            }
        }
    }
}
