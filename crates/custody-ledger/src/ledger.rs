//! The ledger: a connection, migrated, and evidence in.

use custody_seal::keys::PublicKey;
use serde::Serialize;

use crate::backend::Conn;
use crate::error::LedgerError;
use crate::ingest::{self, Kind};
use crate::location::Location;
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
    /// The trusted keys as last read, and the `trusted_keys` stamp (row
    /// count, last event) they were read at: re-read when the stamp
    /// changes, so a key another writer trusted is seen at once.
    pub(crate) trusted_cache: Option<((i64, i64), Vec<PublicKey>)>,
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
            trusted_cache: None,
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

    /// The keys the ledger trusts. Parsed keys are cached and re-read
    /// only when `trusted_keys` changed (its row count or last event).
    pub fn trusted(&mut self) -> Result<Vec<PublicKey>, LedgerError> {
        let stamp = self
            .conn
            .query(
                "SELECT COUNT(*), COALESCE(MAX(event_seq), 0) FROM trusted_keys",
                &[],
            )
            .map_err(|d| self.storage(d))?;
        let stamp = stamp.first().map_or((0, 0), |r| (r[0].int(), r[1].int()));
        if let Some((cached, keys)) = &self.trusted_cache
            && *cached == stamp
        {
            return Ok(keys.clone());
        }
        let rows = self
            .conn
            .query("SELECT pem FROM trusted_keys ORDER BY event_seq", &[])
            .map_err(|d| self.storage(d))?;
        let keys: Vec<PublicKey> = rows
            .iter()
            .filter_map(|r| PublicKey::from_pem(&r[0].text()).ok())
            .collect();
        self.trusted_cache = Some((stamp, keys.clone()));
        Ok(keys)
    }

    /// Stores a signed run attestation or seal manifest, once: the same
    /// bytes again are [`AddOutcome::Duplicate`]. Refused documents are
    /// [`LedgerError::Refused`], with the reason. [`Ledger::add_many`] of
    /// one document.
    pub fn add(&mut self, bytes: &[u8]) -> Result<AddOutcome, LedgerError> {
        self.add_many(&[bytes])?
            .pop()
            .unwrap_or_else(|| Err(self.storage("no outcome for the document".to_owned())))
    }
}
