-- The append-only, hash-chained event log and the graph derived from it.
-- Portable between SQLite and PostgreSQL: BIGINT and TEXT only, no NULLs.
CREATE TABLE events (
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    recorded_at TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE trusted_keys (
    key_id TEXT PRIMARY KEY,
    pem TEXT NOT NULL,
    event_seq BIGINT NOT NULL
);

CREATE TABLE environments (
    id TEXT PRIMARY KEY,
    prefix TEXT NOT NULL
);

CREATE TABLE environment_packages (
    environment TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    PRIMARY KEY (environment, name, version)
);
CREATE INDEX environment_packages_by_name ON environment_packages (name, version);

CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    event_seq BIGINT NOT NULL,
    environment TEXT NOT NULL,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    started_s BIGINT NOT NULL,
    finished_s BIGINT NOT NULL
);
CREATE INDEX runs_by_environment ON runs (environment, started_s);

CREATE TABLE run_inputs (
    run TEXT NOT NULL,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (run, position)
);
CREATE INDEX run_inputs_by_digest ON run_inputs (digest);

CREATE TABLE run_outputs (
    run TEXT NOT NULL,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (run, position)
);
CREATE INDEX run_outputs_by_digest ON run_outputs (digest);

CREATE TABLE dataset_versions (
    name TEXT NOT NULL,
    root TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    file_count BIGINT NOT NULL,
    sealed_at TEXT NOT NULL,
    event_seq BIGINT NOT NULL,
    PRIMARY KEY (name, root)
);
CREATE INDEX dataset_versions_by_root ON dataset_versions (root);
