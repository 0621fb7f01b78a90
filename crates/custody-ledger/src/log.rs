//! The append-only, hash-chained event log.
//!
//! Each event's hash is the SHA-256 of its predecessor's hash and its own
//! fields, each length-prefixed so no two different events encode alike:
//!
//! `hash = SHA-256("custody.ledger.event/v1" ‖ prev_hash ‖ seq ‖ kind ‖ digest ‖ recorded_at ‖ body)`
//!
//! where every field is its decimal byte length, `:`, and its bytes
//! (`seq` in decimal). The first event's `prev_hash` is [`GENESIS`].

use sha2::{Digest as _, Sha256};

use crate::backend::{Conn, Value};

/// The `prev_hash` of the first event: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Position in the log, from 1, without gaps.
    pub seq: i64,
    /// What the body is ([`crate::ingest::Kind`]'s name).
    pub kind: String,
    /// Lowercase hex SHA-256 of the body: the document's identity.
    pub digest: String,
    /// When the ledger stored it (RFC 3339, UTC).
    pub recorded_at: String,
    /// The document as given (UTF-8 JSON, or a PEM key).
    pub body: String,
    /// The previous event's hash.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    custody_seal::keys::hex(&Sha256::digest(bytes))
}

/// The chain hash of an event's fields.
pub fn chain_hash(
    prev_hash: &str,
    seq: i64,
    kind: &str,
    digest: &str,
    recorded_at: &str,
    body: &str,
) -> String {
    let mut h = Sha256::new();
    let seq = seq.to_string();
    for field in [
        "custody.ledger.event/v1",
        prev_hash,
        &seq,
        kind,
        digest,
        recorded_at,
        body,
    ] {
        h.update(field.len().to_string().as_bytes());
        h.update(b":");
        h.update(field.as_bytes());
    }
    custody_seal::keys::hex(&h.finalize())
}

/// The event with `digest`, if stored: its sequence number.
pub fn find(conn: &mut Conn, digest: &str) -> Result<Option<i64>, String> {
    let rows = conn.query(
        "SELECT seq FROM events WHERE digest = $1",
        &[Value::from(digest)],
    )?;
    Ok(rows.first().and_then(|r| r.first()).map(Value::int))
}

/// The last event's sequence number and hash (0 and [`GENESIS`] for an
/// empty log).
pub fn last(conn: &mut Conn) -> Result<(i64, String), String> {
    let last = conn.query(
        "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
        &[],
    )?;
    Ok(match last.first() {
        Some(r) => (r[0].int(), r[1].text()),
        None => (0, GENESIS.to_owned()),
    })
}

/// Appends an event after the current last one (inside the caller's write
/// transaction); the stored event.
pub fn append(conn: &mut Conn, kind: &str, digest: &str, body: &str) -> Result<Event, String> {
    let (seq, prev_hash) = last(conn)?;
    append_after(conn, seq, &prev_hash, kind, digest, body)
}

/// Appends an event after the one with `prev_seq` and `prev_hash`, which
/// the caller knows is the last (it holds the write transaction and
/// appended it, or read it with [`last`]).
pub fn append_after(
    conn: &mut Conn,
    prev_seq: i64,
    prev_hash: &str,
    kind: &str,
    digest: &str,
    body: &str,
) -> Result<Event, String> {
    let seq = prev_seq + 1;
    let recorded_at = jiff::Timestamp::now().to_string();
    let hash = chain_hash(prev_hash, seq, kind, digest, &recorded_at, body);
    conn.execute(
        "INSERT INTO events (seq, kind, digest, recorded_at, body, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            Value::Int(seq),
            Value::from(kind),
            Value::from(digest),
            Value::from(recorded_at.as_str()),
            Value::from(body),
            Value::from(prev_hash),
            Value::from(hash.as_str()),
        ],
    )?;
    Ok(Event {
        seq,
        kind: kind.to_owned(),
        digest: digest.to_owned(),
        recorded_at,
        body: body.to_owned(),
        prev_hash: prev_hash.to_owned(),
        hash,
    })
}

/// Every event, in sequence order.
pub fn all(conn: &mut Conn) -> Result<Vec<Event>, String> {
    let rows = conn.query(
        "SELECT seq, kind, digest, recorded_at, body, prev_hash, hash FROM events ORDER BY seq",
        &[],
    )?;
    Ok(rows
        .into_iter()
        .map(|r| Event {
            seq: r[0].int(),
            kind: r[1].text(),
            digest: r[2].text(),
            recorded_at: r[3].text(),
            body: r[4].text(),
            prev_hash: r[5].text(),
            hash: r[6].text(),
        })
        .collect())
}
