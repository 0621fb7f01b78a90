-- Signed checkpoints: an RFC 6962 Merkle root over the first tree_size
-- events, signed as a DSSE envelope. Not derived from the log: they attest
-- to it, so deleting the last events or rewriting the whole chain shows.
CREATE TABLE checkpoints (
    tree_size BIGINT PRIMARY KEY,
    root TEXT NOT NULL,
    head TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    key_id TEXT NOT NULL,
    envelope TEXT NOT NULL
);
