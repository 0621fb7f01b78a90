//! Stored documents read back: what a run's attestation says beyond the
//! graph (its policy, environment variable names, attempts), for reports.

use crate::error::LedgerError;
use crate::ingest;
use crate::ledger::Ledger;

impl Ledger {
    /// The SLSA predicate of the run `id` (its attestation's digest), as
    /// stored; `None` when no such run is in the ledger.
    pub fn run_predicate(&mut self, id: &str) -> Result<Option<serde_json::Value>, LedgerError> {
        let rows = self.rows(
            "SELECT e.body FROM runs r JOIN events e ON e.seq = r.event_seq WHERE r.id = $1",
            &[id.into()],
        )?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        let statement = ingest::stored_statement(&r[0].text())
            .map_err(|e| self.storage(format!("stored attestation {id}: {e}")))?;
        Ok(Some(statement.predicate))
    }
}

impl Ledger {
    /// The stored attestation of run `id`, as signed.
    pub fn run_document(&mut self, id: &str) -> Result<Option<String>, LedgerError> {
        let rows = self.rows(
            "SELECT e.body FROM runs r JOIN events e ON e.seq = r.event_seq WHERE r.id = $1",
            &[id.into()],
        )?;
        Ok(rows.first().map(|r| r[0].text()))
    }

    /// The stored manifests of every sealed version whose root is `root`
    /// (any name), as signed.
    pub fn manifest_documents(&mut self, root: &str) -> Result<Vec<String>, LedgerError> {
        let rows = self.rows(
            "SELECT e.body FROM dataset_versions d JOIN events e ON e.seq = d.event_seq \
             WHERE d.root = $1 ORDER BY d.event_seq",
            &[root.into()],
        )?;
        Ok(rows.into_iter().map(|r| r[0].text()).collect())
    }

    /// The stored manifest of the sealed version `name@root`, as signed.
    pub fn manifest_document(
        &mut self,
        name: &str,
        root: &str,
    ) -> Result<Option<String>, LedgerError> {
        let rows = self.rows(
            "SELECT e.body FROM dataset_versions d JOIN events e ON e.seq = d.event_seq \
             WHERE d.name = $1 AND d.root = $2 ORDER BY d.event_seq LIMIT 1",
            &[name.into(), root.into()],
        )?;
        Ok(rows.first().map(|r| r[0].text()))
    }

    /// The stored scan inventories that saw environment `id`, as signed.
    pub fn inventory_documents_of_environment(
        &mut self,
        id: &str,
    ) -> Result<Vec<String>, LedgerError> {
        let rows = self.rows(
            "SELECT e.body FROM events e WHERE e.seq IN \
             (SELECT s.event_seq FROM environment_scans s WHERE s.environment = $1) \
             ORDER BY e.seq",
            &[id.into()],
        )?;
        Ok(rows.into_iter().map(|r| r[0].text()).collect())
    }

    /// The stored scan inventories that saw the environment of run `id`,
    /// as signed.
    pub fn inventory_documents_of_run(&mut self, id: &str) -> Result<Vec<String>, LedgerError> {
        let rows = self.rows(
            "SELECT e.seq, e.body FROM events e WHERE e.seq IN \
             (SELECT s.event_seq FROM runs r JOIN environment_scans s \
              ON s.environment = r.environment WHERE r.id = $1) ORDER BY e.seq",
            &[id.into()],
        )?;
        Ok(rows.into_iter().map(|r| r[1].text()).collect())
    }
}
