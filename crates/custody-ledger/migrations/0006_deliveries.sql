-- Delivery bundles (`custody deliver --record`) and the decisions labs
-- signed about them (`custody accept -k --record`): derived from their
-- events, like every graph table.
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    root TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    created_at TEXT NOT NULL,
    event_seq BIGINT NOT NULL
);
CREATE INDEX deliveries_by_root ON deliveries (root);

CREATE TABLE delivery_decisions (
    id TEXT PRIMARY KEY,
    bundle TEXT NOT NULL,
    name TEXT NOT NULL,
    root TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    event_seq BIGINT NOT NULL
);
CREATE INDEX delivery_decisions_by_root ON delivery_decisions (root);
