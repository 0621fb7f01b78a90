-- As 0007_gate_decisions.sql, but the lookup index is a hash index on the
-- project: a B-tree entry on PostgreSQL is limited to about 2.7 KB and
-- names and versions come from an upstream's file names, unbounded text.
CREATE TABLE gate_decisions (
    event_seq BIGINT NOT NULL,
    position BIGINT NOT NULL,
    project TEXT NOT NULL,
    version TEXT NOT NULL,
    filename TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    action TEXT NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    status BIGINT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (event_seq, position)
);
CREATE INDEX gate_decisions_by_project ON gate_decisions USING hash (project);
