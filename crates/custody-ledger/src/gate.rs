//! What the gate decided about an environment's packages: the
//! environments the ledger knows (by id or prefix), their packages, and
//! the index decisions recorded for those projects. Which decision matches
//! which installed version (PEP 440 equality) is the caller's to judge.

use serde::Serialize;

use crate::error::LedgerError;
use crate::ledger::Ledger;

/// An environment the ledger knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KnownEnvironment {
    /// Its id (a digest of its prefix and package set).
    pub id: String,
    /// Its prefix (or a lockfile's path).
    pub prefix: String,
    /// The last event that stated it (a scan inventory or a run).
    pub event_seq: i64,
}

/// A decision of a vetting index, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateDecision {
    /// The project (PEP 503 name).
    pub project: String,
    /// The release, as the file name states it.
    pub version: String,
    /// The file ('' when about the release).
    pub filename: String,
    /// The file's sha256 ('' when none).
    pub sha256: String,
    /// `allowed`, `hidden`, `refused` or `fault`.
    pub action: String,
    /// The rule's stable code.
    pub code: String,
    /// One line.
    pub reason: String,
    /// The HTTP status answered (0: none).
    pub status: i64,
    /// When it was decided (RFC 3339).
    pub decided_at: String,
    /// The event of the document that recorded it.
    pub event_seq: i64,
}

impl GateDecision {
    /// A file the index served (or mirrored) after checking it.
    pub fn served(&self) -> bool {
        self.action == "allowed" && self.status == 200
    }
}

impl Ledger {
    /// The environment `which` names: the one with that id, else among
    /// those with that prefix the one stated last.
    pub fn environment(&mut self, which: &str) -> Result<Option<KnownEnvironment>, LedgerError> {
        let rows = self.rows(
            "SELECT e.id, e.prefix, \
             COALESCE((SELECT MAX(s.event_seq) FROM environment_scans s WHERE s.environment = e.id), 0), \
             COALESCE((SELECT MAX(r.event_seq) FROM runs r WHERE r.environment = e.id), 0) \
             FROM environments e WHERE e.id = $1 OR e.prefix = $1",
            &[which.into()],
        )?;
        let all = rows.into_iter().map(|r| KnownEnvironment {
            id: r[0].text(),
            prefix: r[1].text(),
            event_seq: r[2].int().max(r[3].int()),
        });
        let (by_id, by_prefix): (Vec<_>, Vec<_>) = all.partition(|e| e.id == which);
        Ok(by_id
            .into_iter()
            .next()
            .or_else(|| by_prefix.into_iter().max_by_key(|e| e.event_seq)))
    }

    /// The packages of environment `id`: (name, version), sorted.
    pub fn environment_packages(&mut self, id: &str) -> Result<Vec<(String, String)>, LedgerError> {
        Ok(self
            .rows(
                "SELECT name, version FROM environment_packages WHERE environment = $1 \
                 ORDER BY name, version",
                &[id.into()],
            )?
            .into_iter()
            .map(|r| (r[0].text(), r[1].text()))
            .collect())
    }

    /// Every recorded index decision about a project environment `id`
    /// holds (any version), in log order.
    pub fn gate_decisions(&mut self, id: &str) -> Result<Vec<GateDecision>, LedgerError> {
        Ok(self
            .rows(
                "SELECT project, version, filename, sha256, action, code, reason, status, \
                 decided_at, event_seq FROM gate_decisions WHERE project IN \
                 (SELECT name FROM environment_packages WHERE environment = $1) \
                 ORDER BY event_seq, position",
                &[id.into()],
            )?
            .into_iter()
            .map(|r| GateDecision {
                project: r[0].text(),
                version: r[1].text(),
                filename: r[2].text(),
                sha256: r[3].text(),
                action: r[4].text(),
                code: r[5].text(),
                reason: r[6].text(),
                status: r[7].int(),
                decided_at: r[8].text(),
                event_seq: r[9].int(),
            })
            .collect())
    }
}
