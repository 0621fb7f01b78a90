//! The ledger: a connection, migrated, and evidence in.

use custody_seal::keys::PublicKey;
use serde::Serialize;

use crate::backend::Conn;
use crate::error::{LedgerError, Refusal};
use crate::graph;
use crate::ingest::{self, Kind};
use crate::location::Location;
use crate::log::{self, Event};
use crate::migrations;

/// What [`Ledger::add`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "seq")]
pub enum AddOutcome {
    /// Stored as the event with this sequence number.
    Stored(i64),
    /// Already stored, as this event.
    Duplicate(i64),
}

/// A ledger on SQLite or PostgreSQL.
pub struct Ledger {
    pub(crate) conn: Conn,
    pub(crate) location: Location,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ledger({})", self.location.display())
    }
}

impl Ledger {
    /// Connects to (or creates) the ledger at `location` and migrates its
    /// schema to this build's version.
    pub fn open(location: &Location) -> Result<Self, LedgerError> {
        let mut conn = Conn::open(location)?;
        migrations::migrate(&mut conn, location)?;
        Ok(Self {
            conn,
            location: location.clone(),
        })
    }

    /// Where it is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The schema version.
    pub fn schema_version(&mut self) -> Result<i64, LedgerError> {
        migrations::applied(&mut self.conn).map_err(|d| self.storage(d))
    }

    pub(crate) fn storage(&self, detail: String) -> LedgerError {
        LedgerError::storage(self.location.display(), detail)
    }

    /// Trusts the PEM public key `pem` for signed documents.
    pub fn trust_add(&mut self, pem: &str) -> Result<AddOutcome, LedgerError> {
        let key = ingest::trust::parse(pem)?;
        self.append(Kind::Trust, pem, |event| ingest::trust::facts(&key, event))
    }

    /// The keys the ledger trusts.
    pub fn trusted(&mut self) -> Result<Vec<PublicKey>, LedgerError> {
        let rows = self
            .conn
            .query("SELECT pem FROM trusted_keys ORDER BY event_seq", &[])
            .map_err(|d| self.storage(d))?;
        Ok(rows
            .iter()
            .filter_map(|r| PublicKey::from_pem(&r[0].text()).ok())
            .collect())
    }

    /// Stores a signed run attestation or seal manifest, once: the same
    /// bytes again are [`AddOutcome::Duplicate`]. Refused documents are
    /// [`LedgerError::Refused`], with the reason.
    pub fn add(&mut self, bytes: &[u8]) -> Result<AddOutcome, LedgerError> {
        let digest = log::sha256_hex(bytes);
        if let Some(seq) = log::find(&mut self.conn, &digest).map_err(|d| self.storage(d))? {
            return Ok(AddOutcome::Duplicate(seq));
        }
        let body = std::str::from_utf8(bytes)
            .map_err(|e| Refusal::Malformed(format!("not UTF-8 JSON: {e}")))?;
        let trusted = self.trusted()?;
        if trusted.is_empty() {
            return Err(Refusal::NoTrustedKeys.into());
        }
        let document = ingest::open_document(bytes, &trusted)?;
        self.append(document.kind(), body, |event| document.facts(event))
    }

    /// Appends an event and its facts in one write transaction; nothing
    /// is kept when any statement fails.
    fn append(
        &mut self,
        kind: Kind,
        body: &str,
        facts: impl FnOnce(&Event) -> Vec<graph::Fact>,
    ) -> Result<AddOutcome, LedgerError> {
        let digest = log::sha256_hex(body.as_bytes());
        self.conn.begin_write().map_err(|d| self.storage(d))?;
        let result = (|| {
            if let Some(seq) = log::find(&mut self.conn, &digest)? {
                return Ok(AddOutcome::Duplicate(seq));
            }
            let event = log::append(&mut self.conn, kind.name(), &digest, body)?;
            for f in facts(&event) {
                graph::insert(&mut self.conn, &f)?;
            }
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
