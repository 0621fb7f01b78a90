-- Each time a recorded scan saw an environment or lockfile: derived from
-- `scan-inventory` events, like every graph table.
CREATE TABLE environment_scans (
    environment TEXT NOT NULL,
    event_seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    scanned_at TEXT NOT NULL,
    PRIMARY KEY (environment, event_seq)
);
