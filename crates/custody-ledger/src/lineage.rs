//! Lineage of a dataset version: the runs and versions it was built from
//! (up) and the ones built from it (down), transitively.

use std::collections::{BTreeSet, VecDeque};

use serde::Serialize;

use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::query::DatasetVersion;

/// One run connecting two artifacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// How many runs away from the asked version (1 = adjacent).
    pub depth: u32,
    /// The run.
    pub run: String,
    /// What it read: name and digest.
    pub read: (String, String),
    /// What it wrote: name and digest.
    pub wrote: (String, String),
    /// Sealed versions of the far end (the read one going up, the written
    /// one going down).
    pub datasets: Vec<DatasetVersion>,
}

/// Up and down from a dataset version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lineage {
    /// The dataset's name.
    pub dataset: String,
    /// Its root.
    pub root: String,
    /// Whether the ledger holds its manifest.
    pub sealed: Option<DatasetVersion>,
    /// Runs that wrote it, and what they read, transitively.
    pub upstream: Vec<Edge>,
    /// Runs that read it, and what they wrote, transitively.
    pub downstream: Vec<Edge>,
}

impl Ledger {
    /// The version of `name` whose manifest the ledger recorded last.
    pub fn latest_version(&mut self, name: &str) -> Result<Option<DatasetVersion>, LedgerError> {
        let rows = self.rows(
            "SELECT name, root, file_count, sealed_at FROM dataset_versions \
             WHERE name = $1 ORDER BY event_seq DESC LIMIT 1",
            &[name.into()],
        )?;
        Ok(rows.first().map(|r| DatasetVersion {
            name: r[0].text(),
            root: r[1].text(),
            file_count: r[2].int(),
            sealed_at: r[3].text(),
        }))
    }

    /// The lineage of `dataset` at `root`.
    pub fn lineage(&mut self, dataset: &str, root: &str) -> Result<Lineage, LedgerError> {
        // Any algorithm: the asked version is named, not matched by digest.
        let sealed = self
            .rows(
                "SELECT name, root, file_count, sealed_at FROM dataset_versions \
                 WHERE name = $1 AND root = $2",
                &[dataset.into(), root.into()],
            )?
            .into_iter()
            .next()
            .map(|r| DatasetVersion {
                name: r[0].text(),
                root: r[1].text(),
                file_count: r[2].int(),
                sealed_at: r[3].text(),
            });
        Ok(Lineage {
            dataset: dataset.to_owned(),
            root: root.to_owned(),
            sealed,
            upstream: self.walk(root, true)?,
            downstream: self.walk(root, false)?,
        })
    }

    fn walk(&mut self, root: &str, up: bool) -> Result<Vec<Edge>, LedgerError> {
        let (near, far) = if up {
            ("run_outputs", "run_inputs")
        } else {
            ("run_inputs", "run_outputs")
        };
        let mut edges = Vec::new();
        let mut seen = BTreeSet::from([root.to_owned()]);
        let mut queue = VecDeque::from([(root.to_owned(), 1_u32)]);
        while let Some((digest, depth)) = queue.pop_front() {
            let sql =
                format!("SELECT DISTINCT run, name FROM {near} WHERE digest = $1 ORDER BY run");
            for r in self.rows(&sql, &[digest.as_str().into()])? {
                let (run, near_name) = (r[0].text(), r[1].text());
                for (name, other) in self.artifacts(far, &run)? {
                    let near_end = (near_name.clone(), digest.clone());
                    let far_end = (name, other.clone());
                    let (read, wrote) = if up {
                        (far_end, near_end)
                    } else {
                        (near_end, far_end)
                    };
                    edges.push(Edge {
                        depth,
                        run: run.clone(),
                        read,
                        wrote,
                        datasets: self.datasets(&other)?,
                    });
                    if !other.is_empty() && seen.insert(other.clone()) {
                        queue.push_back((other, depth + 1));
                    }
                }
            }
        }
        Ok(edges)
    }
}
