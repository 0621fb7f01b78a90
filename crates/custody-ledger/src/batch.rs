//! Evidence in, many documents at once: signatures are verified in
//! parallel, chunk by chunk, while the chunk before is appended on the
//! calling thread, all in one write transaction.
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

/// Documents verified per chunk while the chunk before is stored.
const VERIFY_CHUNK: usize = 128;

/// The state of one write transaction appending documents: the log's
/// tail, what this transaction stored (by digest), and the environments
/// it inserted.
struct Writer {
    tail: (i64, String),
    in_batch: HashMap<String, i64>,
    environments: HashSet<String>,
}

impl Writer {
    fn start(conn: &mut Conn) -> Result<Self, String> {
        Ok(Self {
            tail: log::last(conn)?,
            in_batch: HashMap::new(),
            environments: HashSet::new(),
        })
    }

    /// Appends one accepted document after the tail (or names the event
    /// that already holds it).
    fn store(&mut self, conn: &mut Conn, a: &Accepted<'_>) -> Result<AddOutcome, String> {
        let seen = match self.in_batch.get(a.digest.as_str()) {
            Some(seq) => Some(*seq),
            None => log::find(conn, &a.digest)?,
        };
        if let Some(seq) = seen {
            return Ok(AddOutcome::Duplicate(seq));
        }
        let event = log::append_after(
            conn,
            self.tail.0,
            &self.tail.1,
            a.document.kind().name(),
            &a.digest,
            a.body,
        )?;
        insert_facts(conn, a.document.facts(&event), &mut self.environments)?;
        self.in_batch.insert(a.digest.clone(), event.seq);
        let stored = AddOutcome::Stored(event.seq);
        self.tail = (event.seq, event.hash);
        Ok(stored)
    }
}

/// One document's outcome in a batch.
pub type Outcome = Result<AddOutcome, LedgerError>;

/// A document that verified, waiting for the write transaction.
struct Accepted<'a> {
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
            for (index, outcome) in self.verify_and_store(&pending, &digests, &trusted)? {
                outcomes[index] = Some(outcome);
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(self.storage("no outcome".to_owned()))))
            .collect())
    }

    /// Verifies `pending` in chunks on the worker threads while the chunk
    /// before is appended on this one, all in one write transaction; each
    /// document's outcome (a refusal, stored, or a duplicate).
    fn verify_and_store(
        &mut self,
        pending: &[(usize, &str)],
        digests: &[String],
        trusted: &[custody_seal::keys::PublicKey],
    ) -> Result<Vec<(usize, Outcome)>, LedgerError> {
        let verify = |chunk: &[(usize, &str)]| -> Vec<(usize, Result<Document, Refusal>)> {
            chunk
                .par_iter()
                .map(|(i, body)| {
                    let document = if trusted.is_empty() {
                        Err(Refusal::NoTrustedKeys)
                    } else {
                        ingest::open_document(body.as_bytes(), trusted)
                    };
                    (*i, document)
                })
                .collect()
        };
        let chunks: Vec<&[(usize, &str)]> = pending.chunks(VERIFY_CHUNK).collect();
        let bodies: HashMap<usize, &str> = pending.iter().copied().collect();
        self.conn.begin_write().map_err(|d| self.storage(d))?;
        let conn = &mut self.conn;
        let result = std::thread::scope(|scope| -> Result<Vec<(usize, Outcome)>, String> {
            let verify = &verify;
            let mut writer = Writer::start(conn)?;
            let mut next = chunks.first().map(|c| scope.spawn(move || verify(c)));
            let mut out = Vec::with_capacity(pending.len());
            for k in 0..chunks.len() {
                let opened = match next.take() {
                    Some(h) => h
                        .join()
                        .map_err(|_| "a verification thread panicked".to_owned())?,
                    None => Vec::new(),
                };
                next = chunks.get(k + 1).map(|c| scope.spawn(move || verify(c)));
                for (index, document) in opened {
                    out.push(match document {
                        Ok(document) => {
                            let a = Accepted {
                                digest: digests[index].clone(),
                                body: bodies[&index],
                                document,
                            };
                            (index, Ok(writer.store(conn, &a)?))
                        }
                        Err(r) => (index, Err(r.into())),
                    });
                }
            }
            Ok(out)
        });
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
