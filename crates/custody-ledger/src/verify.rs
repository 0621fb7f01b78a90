//! Verification: the chain recomputed event by event, and every derived
//! table rebuilt in memory from the log and compared with the stored one.

use serde::Serialize;

use crate::checkpoint::CheckpointFault;
use crate::error::LedgerError;
use crate::graph::{self, TABLES};
use crate::ingest::{self, Kind};
use crate::ledger::Ledger;
use crate::log::{self, Event, GENESIS};

/// The first break in the event chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "fault")]
pub enum ChainFault {
    /// The event's fields no longer give its hash.
    Edited {
        /// Its sequence number.
        seq: i64,
    },
    /// Events are missing before this one.
    Deleted {
        /// The first missing sequence number.
        missing_from: i64,
        /// The last missing one.
        missing_to: i64,
    },
    /// The event is intact but not where it was written.
    Reordered {
        /// Where it is now.
        seq: i64,
        /// Where its hash says it belongs.
        written_at: i64,
    },
    /// The event is intact and does not follow its predecessor (the
    /// predecessor was replaced, or events were deleted).
    Unlinked {
        /// Its sequence number.
        seq: i64,
    },
    /// An event that cannot be read back as what its kind says.
    Unreadable {
        /// Its sequence number.
        seq: i64,
        /// Why.
        reason: String,
    },
}

/// A derived row that differs from the log's rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableFault {
    /// The table.
    pub table: &'static str,
    /// The row's key, as text.
    pub key: Vec<String>,
    /// The stored row (absent when the row is missing).
    pub stored: Option<Vec<String>>,
    /// The row the log gives (absent when the row should not exist).
    pub expected: Option<Vec<String>>,
}

/// What [`Ledger::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Events read.
    pub events: usize,
    /// The hash of the last event (the log's head).
    pub head: String,
    /// The first break in the chain, if any.
    pub chain: Option<ChainFault>,
    /// Every derived row that differs.
    pub tables: Vec<TableFault>,
    /// Signed checkpoints checked.
    pub checkpoints: usize,
    /// Checkpoints that do not hold (bad signature, or the log's root
    /// over the events they cover differs: events deleted at the end, or
    /// the chain rewritten).
    pub checkpoint_faults: Vec<CheckpointFault>,
}

impl VerifyReport {
    /// Nothing differs.
    pub fn ok(&self) -> bool {
        self.chain.is_none() && self.tables.is_empty() && self.checkpoint_faults.is_empty()
    }
}

/// The first break in `events` (in stored sequence order).
fn chain_fault(events: &[Event]) -> Option<ChainFault> {
    let mut prev_hash = GENESIS;
    let mut prev_seq = 0;
    for e in events {
        if e.seq != prev_seq + 1 {
            return Some(ChainFault::Deleted {
                missing_from: prev_seq + 1,
                missing_to: e.seq - 1,
            });
        }
        let at = |seq| {
            log::chain_hash(
                &e.prev_hash,
                seq,
                &e.kind,
                &e.digest,
                &e.recorded_at,
                &e.body,
            )
        };
        if at(e.seq) != e.hash {
            let elsewhere = events
                .iter()
                .map(|o| o.seq)
                .find(|&s| s != e.seq && at(s) == e.hash);
            return Some(match elsewhere {
                Some(written_at) => ChainFault::Reordered {
                    seq: e.seq,
                    written_at,
                },
                None => ChainFault::Edited { seq: e.seq },
            });
        }
        if e.prev_hash != prev_hash {
            return Some(ChainFault::Unlinked { seq: e.seq });
        }
        prev_hash = &e.hash;
        prev_seq = e.seq;
    }
    None
}

fn texts(row: &[crate::backend::Value]) -> Vec<String> {
    row.iter().map(crate::backend::Value::text).collect()
}

impl Ledger {
    /// Recomputes the chain and rebuilds the derived tables from the log.
    pub fn verify(&mut self) -> Result<VerifyReport, LedgerError> {
        let events = log::all(&mut self.conn).map_err(|d| self.storage(d))?;
        let mut chain = chain_fault(&events);
        let mut facts = Vec::new();
        for e in &events {
            match derive(e) {
                Ok(f) => facts.extend(f),
                Err(reason) => {
                    chain.get_or_insert(ChainFault::Unreadable { seq: e.seq, reason });
                }
            }
        }
        let expected = graph::rebuild(facts);
        let stored = graph::stored(&mut self.conn).map_err(|d| self.storage(d))?;
        let mut tables = Vec::new();
        for (i, t) in TABLES.iter().enumerate() {
            let keys: std::collections::BTreeSet<_> =
                expected[i].keys().chain(stored[i].keys()).collect();
            for k in keys {
                let (s, x) = (stored[i].get(k), expected[i].get(k));
                if s != x {
                    tables.push(TableFault {
                        table: t.name,
                        key: texts(k),
                        stored: s.map(|r| texts(r)),
                        expected: x.map(|r| texts(r)),
                    });
                }
            }
        }
        let (checkpoints, checkpoint_faults) = self.check_checkpoints(&events)?;
        Ok(VerifyReport {
            checkpoints,
            checkpoint_faults,
            events: events.len(),
            head: events
                .last()
                .map_or_else(|| GENESIS.to_owned(), |e| e.hash.clone()),
            chain,
            tables,
        })
    }
}

/// The facts of a stored event (its signature was checked when stored).
fn derive(e: &Event) -> Result<Vec<graph::Fact>, String> {
    match Kind::from_name(&e.kind) {
        Some(Kind::Trust) => {
            let key = ingest::trust::parse(&e.body).map_err(|r| r.to_string())?;
            Ok(ingest::trust::facts(&key, e))
        }
        Some(_) => {
            let doc = ingest::open_stored_document(&e.body).map_err(|r| r.to_string())?;
            Ok(doc.facts(e))
        }
        None => Err(format!("unknown event kind {:?}", e.kind)),
    }
}
