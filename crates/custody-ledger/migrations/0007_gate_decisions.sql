-- A vetting index's decisions (`custody index serve|mirror`, `custody
-- guard` with --ledger): one row per decision about a release or file,
-- derived from its event like every graph table. `status` is 0 when the
-- decision answered no request.
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
CREATE INDEX gate_decisions_by_release ON gate_decisions (project, version);
