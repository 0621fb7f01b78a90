//! Evidence in, many documents at once: signatures are verified in
//! parallel, then every accepted document is appended in one write
//! transaction.
//!
//! Semantics of [`Ledger::add_many`]:
//!
//! * Each document gets its own outcome, in the order given: stored,
//!   duplicate, or refused with the reason. A refused document is not
//!   stored and does not stop the others.
//! * The accepted documents are appended in the order given, in one
//!   transaction; the call returns after it committed, so every `Stored`
//!   outcome is durable (acknowledged).
//! * The same bytes twice in one batch are stored once: the second is
//!   `Duplicate` of the first's sequence number.
//! * A storage failure (a statement or the commit failed) rolls the whole
//!   batch back and is the call's error: nothing of the batch is kept, and
//!   it can be given again as it was.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::backend::{Conn, Value};
use crate::error::{LedgerError, Refusal};
use crate::graph::{self, ENVIRONMENT_PACKAGES, ENVIRONMENTS, Fact};
use crate::ingest::{self, Document, Kind};
use crate::ledger::{AddOutcome, Ledger};
use crate::log::{self, Event};

/// One document's outcome in a batch.
pub type Outcome = Result<AddOutcome, LedgerError>;

/// A document that verified, waiting for the write transaction.
struct Accepted<'a> {
    index: usize,
    digest: String,
    body: &'a str,
    document: Document,
}

impl Ledger {
    /// Stores many signed documents: [`Ledger::add`] for each, with the
    /// signatures checked in parallel and one write transaction for the
    /// batch (see the module documentation for the semantics). The
    /// outcomes are in the order of `documents`; `Err` is a storage
    /// failure that left nothing of the batch behind.
    pub fn add_many<B: AsRef<[u8]> + Sync>(
        &mut self,
        documents: &[B],
    ) -> Result<Vec<Outcome>, LedgerError> {
        let digests: Vec<String> = documents
            .par_iter()
            .map(|d| log::sha256_hex(d.as_ref()))
            .collect();
        let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(documents.len());
        let mut pending = Vec::new();
        for (i, (bytes, digest)) in documents.iter().zip(&digests).enumerate() {
            if let Some(seq) = log::find(&mut self.conn, digest).map_err(|d| self.storage(d))? {
                outcomes.push(Some(Ok(AddOutcome::Duplicate(seq))));
                continue;
            }
            match std::str::from_utf8(bytes.as_ref()) {
                Ok(body) => {
                    outcomes.push(None);
                    pending.push((i, body));
                }
                Err(e) => outcomes.push(Some(Err(Refusal::Malformed(format!(
                    "not UTF-8 JSON: {e}"
                ))
                .into()))),
            }
        }
        if !pending.is_empty() {
            let trusted = self.trusted()?;
            let opened: Vec<(usize, &str, Result<Document, Refusal>)> = pending
                .into_par_iter()
                .map(|(i, body)| {
                    let document = if trusted.is_empty() {
                        Err(Refusal::NoTrustedKeys)
                    } else {
                        ingest::open_document(body.as_bytes(), &trusted)
                    };
                    (i, body, document)
                })
                .collect();
            let mut accepted = Vec::new();
            for (index, body, document) in opened {
                match document {
                    Ok(document) => accepted.push(Accepted {
                        index,
                        digest: digests[index].clone(),
                        body,
                        document,
                    }),
                    Err(r) => outcomes[index] = Some(Err(r.into())),
                }
            }
            for (index, outcome) in self.store(&accepted)? {
                outcomes[index] = Some(Ok(outcome));
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(self.storage("no outcome".to_owned()))))
            .collect())
    }

    /// Appends `accepted` in one write transaction; each one's outcome.
    fn store(
        &mut self,
        accepted: &[Accepted<'_>],
    ) -> Result<Vec<(usize, AddOutcome)>, LedgerError> {
        if accepted.is_empty() {
            return Ok(Vec::new());
        }
        self.conn.begin_write().map_err(|d| self.storage(d))?;
        let result = (|| {
            let mut tail = log::last(&mut self.conn)?;
            let mut in_batch: HashMap<&str, i64> = HashMap::new();
            let mut environments = HashSet::new();
            let mut out = Vec::with_capacity(accepted.len());
            for a in accepted {
                let seen = match in_batch.get(a.digest.as_str()) {
                    Some(seq) => Some(*seq),
                    None => log::find(&mut self.conn, &a.digest)?,
                };
                if let Some(seq) = seen {
                    out.push((a.index, AddOutcome::Duplicate(seq)));
                    continue;
                }
                let event = log::append_after(
                    &mut self.conn,
                    tail.0,
                    &tail.1,
                    a.document.kind().name(),
                    &a.digest,
                    a.body,
                )?;
                let facts = a.document.facts(&event);
                insert_facts(&mut self.conn, facts, &mut environments)?;
                in_batch.insert(&a.digest, event.seq);
                out.push((a.index, AddOutcome::Stored(event.seq)));
                tail = (event.seq, event.hash);
            }
            Ok(out)
        })();
        match result.and_then(|o| self.conn.commit().map(|()| o)) {
            Ok(o) => Ok(o),
            Err(d) => {
                self.conn.rollback();
                Err(self.storage(d))
            }
        }
    }

    /// Appends an event and its facts in one write transaction; nothing
    /// is kept when any statement fails.
    pub(crate) fn append(
        &mut self,
        kind: Kind,
        body: &str,
        facts: impl FnOnce(&Event) -> Vec<Fact>,
    ) -> Result<AddOutcome, LedgerError> {
        let digest = log::sha256_hex(body.as_bytes());
        self.conn.begin_write().map_err(|d| self.storage(d))?;
        let result = (|| {
            if let Some(seq) = log::find(&mut self.conn, &digest)? {
                return Ok(AddOutcome::Duplicate(seq));
            }
            let event = log::append(&mut self.conn, kind.name(), &digest, body)?;
            insert_facts(&mut self.conn, facts(&event), &mut HashSet::new())?;
            Ok(AddOutcome::Stored(event.seq))
        })();
        match result.and_then(|o| self.conn.commit().map(|()| o)) {
            Ok(o) => Ok(o),
            Err(d) => {
                self.conn.rollback();
                Err(self.storage(d))
            }
        }
    }
}

/// Inserts an event's facts. An environment already stored (or stored
/// earlier in this transaction, listed in `environments`) is not inserted
/// again, nor are its package rows: its id is a digest of its prefix and
/// package set, so the rows would be the same ones, which the first event
/// that stated them owns (`ON CONFLICT DO NOTHING` would drop them).
/// Decided per environment: an inventory states several.
fn insert_facts(
    conn: &mut Conn,
    facts: Vec<Fact>,
    environments: &mut HashSet<String>,
) -> Result<(), String> {
    let mut known: HashMap<String, bool> = HashMap::new();
    for f in facts {
        if f.table == ENVIRONMENTS || f.table == ENVIRONMENT_PACKAGES {
            let id = f.row[0].text();
            let skip = if let Some(k) = known.get(&id) {
                *k
            } else {
                let k = environments.contains(&id)
                    || !conn
                        .query(
                            "SELECT 1 FROM environments WHERE id = $1",
                            &[Value::from(id.as_str())],
                        )?
                        .is_empty();
                environments.insert(id.clone());
                known.insert(id, k);
                k
            };
            if skip {
                continue;
            }
        }
        graph::insert(conn, &f)?;
    }
    Ok(())
}
