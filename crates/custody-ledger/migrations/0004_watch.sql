-- The watch cursor: which affected assets each watcher already emitted.
-- State, not evidence: not derived from the log, so verify neither
-- rebuilds nor compares it. An asset is emitted by whoever inserts its
-- row first (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE watch_emitted (
    watcher TEXT NOT NULL,
    advisory TEXT NOT NULL,
    kind TEXT NOT NULL,
    asset TEXT NOT NULL,
    event_id TEXT NOT NULL,
    emitted_at TEXT NOT NULL,
    PRIMARY KEY (watcher, advisory, kind, asset)
);
