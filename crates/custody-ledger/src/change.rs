//! How a sealed dataset version differs from the version of the same
//! dataset sealed before it: what a run that wrote it may have injected.
//! Both manifests come from the log, so the comparison is record-level
//! wherever the seal indexed records (JSONL, CSV, TSV).

use custody_seal::compare;
use custody_seal::manifest::Manifest;
use serde::Serialize;

use crate::dataset::DatasetVersion;
use crate::error::LedgerError;
use crate::ingest;
use crate::ledger::Ledger;

/// A version against its predecessor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The version sealed before it under the same name.
    pub previous: DatasetVersion,
    /// Files added, removed and modified.
    pub files_added: u64,
    /// Files removed.
    pub files_removed: u64,
    /// Files modified.
    pub files_modified: u64,
    /// Records that differ: changed, inserted and deleted in modified
    /// files, plus every record of added and removed files (where their
    /// records were indexed).
    pub records_differing: u64,
    /// Whether some modified file has no record index (its records were
    /// not compared).
    pub unindexed: bool,
}

/// Records per file of `m` (files without a record index count 0).
fn records_by_path(m: &Manifest) -> std::collections::HashMap<&str, u64> {
    m.files
        .iter()
        .map(|e| (e.path.as_str(), e.records.as_ref().map_or(0, |r| r.count)))
        .collect()
}

impl Ledger {
    /// The manifest of the version `name`@`root`, and the event it is in.
    fn manifest_event(
        &mut self,
        name: &str,
        root: &str,
    ) -> Result<Option<(i64, Manifest)>, LedgerError> {
        let rows = self.rows(
            "SELECT d.event_seq, e.body FROM dataset_versions d JOIN events e ON e.seq = d.event_seq \
             WHERE d.name = $1 AND d.root = $2",
            &[name.into(), root.into()],
        )?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        let m = ingest::stored_manifest(&r[1].text())
            .map_err(|e| self.storage(format!("stored manifest {name}@{root}: {e}")))?;
        Ok(Some((r[0].int(), m)))
    }

    /// How `name`@`root` differs from the version of `name` recorded just
    /// before it; `None` when it is the first, or not in the ledger.
    pub fn change(&mut self, name: &str, root: &str) -> Result<Option<Change>, LedgerError> {
        let Some((seq, new)) = self.manifest_event(name, root)? else {
            return Ok(None);
        };
        let rows = self.rows(
            "SELECT name, root, file_count, sealed_at FROM dataset_versions \
             WHERE name = $1 AND event_seq < $2 AND root <> $3 ORDER BY event_seq DESC LIMIT 1",
            &[name.into(), seq.into(), root.into()],
        )?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        let previous = DatasetVersion {
            name: r[0].text(),
            root: r[1].text(),
            file_count: r[2].int(),
            sealed_at: r[3].text(),
        };
        let Some((_, old)) = self.manifest_event(&previous.name, &previous.root)? else {
            return Ok(None);
        };
        let report = compare::compare(&old, &new, &|e| {
            e.records.as_ref().and_then(|r| r.to_index().ok())
        });
        let mut records = 0;
        let mut unindexed = false;
        for m in &report.modified {
            match &m.records {
                Some(d) => records += d.changed_count + d.inserted_count + d.deleted_count,
                None => unindexed = true,
            }
        }
        let (in_new, in_old) = (records_by_path(&new), records_by_path(&old));
        let count =
            |m: &std::collections::HashMap<&str, u64>, p: &str| m.get(p).copied().unwrap_or(0);
        records += report
            .added
            .iter()
            .map(|f| count(&in_new, &f.path))
            .sum::<u64>();
        records += report
            .removed
            .iter()
            .map(|f| count(&in_old, &f.path))
            .sum::<u64>();
        Ok(Some(Change {
            previous,
            files_added: report.added.len() as u64,
            files_removed: report.removed.len() as u64,
            files_modified: report.modified.len() as u64,
            records_differing: records,
            unindexed,
        }))
    }
}
