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
