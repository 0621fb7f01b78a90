//! Typed errors, split by what the user must do: reach or log in to the
//! store, repair the store, or give other evidence.

/// Why a ledger operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The location string names no store custody can open.
    #[error("{given}: not a ledger location: {reason}")]
    Location {
        /// The string as given.
        given: String,
        /// Why it was not understood.
        reason: String,
    },
    /// The server did not answer within the connect timeout, or refused
    /// the connection.
    #[error("{location}: cannot reach the ledger: {detail}")]
    Unreachable {
        /// The location, without its password.
        location: String,
        /// The client's reason.
        detail: String,
    },
    /// The server answered and refused the login.
    #[error("{location}: the ledger refused the login: {detail}")]
    LoginRefused {
        /// The location, without its password.
        location: String,
        /// The server's reason.
        detail: String,
    },
    /// A statement failed on a reachable store (disk full, damaged file,
    /// a constraint): nothing of the operation was kept.
    #[error("{location}: ledger storage failed: {detail}")]
    Storage {
        /// The location, without its password.
        location: String,
        /// The database's reason.
        detail: String,
    },
    /// The store has no room left (SQLite's file system is full, or
    /// PostgreSQL reported `disk_full`): nothing of the operation was kept,
    /// and what was stored before is intact.
    #[error("{location}: the ledger's storage is full: {detail}")]
    Full {
        /// The location, without its password.
        location: String,
        /// The database's reason.
        detail: String,
    },
    /// The store's schema is newer than this build knows.
    #[error("{location}: the ledger's schema version {found} is newer than this build's {known}")]
    SchemaTooNew {
        /// The location, without its password.
        location: String,
        /// The store's version.
        found: i64,
        /// The newest version this build has.
        known: i64,
    },
    /// The document was read and is not to be stored.
    #[error("document refused: {0}")]
    Refused(#[from] Refusal),
}

/// Why a document is not stored.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The ledger trusts no key yet (`trust_add` one first).
    #[error("the ledger trusts no key; add the signer's public key first")]
    NoTrustedKeys,
    /// A bare statement, or an envelope without signatures.
    #[error("unsigned: {0}")]
    Unsigned(String),
    /// Signed, but by no trusted key (or the signature does not verify).
    #[error("bad signature: {0}")]
    BadSignature(String),
    /// Signed by a trusted key, and of a kind the ledger does not store.
    #[error("unknown document kind: {0}")]
    UnknownKind(String),
    /// Not JSON, not an envelope, or a statement that breaks its rules.
    #[error("malformed: {0}")]
    Malformed(String),
    /// A public key that cannot be read.
    #[error("not a public key: {0}")]
    BadKey(String),
}

/// The words the SQLite backend adds to `SQLITE_IOERR_SHMSIZE`'s "disk I/O
/// error", which [`LedgerError::storage`] reads as a full disk.
pub const SHM_FULL: &str =
    "SQLITE_IOERR_SHMSIZE: the -shm file beside the ledger cannot grow, its file system is full";

impl LedgerError {
    /// A failed statement at `location`: [`LedgerError::Full`] when the
    /// database says it has no room (SQLite's `SQLITE_FULL` message, its
    /// WAL index that cannot grow, PostgreSQL's SQLSTATE 53100), else
    /// [`LedgerError::Storage`].
    pub fn storage(location: String, detail: String) -> Self {
        let full = detail.contains("database or disk is full")
            || detail.contains("(53100)")
            || detail.contains("No space left on device")
            || detail.contains(SHM_FULL);
        if full {
            Self::Full { location, detail }
        } else {
            Self::Storage { location, detail }
        }
    }
}
