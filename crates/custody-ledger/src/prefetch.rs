//! Set-based reads for [`Ledger::impact`]: the runs of many environments,
//! what they read and wrote, the sealed versions of those digests and the
//! runs that read what they wrote, each in one query per chunk of
//! environments instead of one query per environment, run and digest.
//! Lookups that were not prefetched (deeper downstream steps) fall back to
//! one query each and are remembered, so the answers are the per-row
//! queries' answers, in the same order.

use std::collections::HashMap;

use crate::backend::Value;
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::query::DatasetVersion;

/// Environments per query: far below both backends' parameter limits.
const CHUNK: usize = 500;

/// A run of an affected environment: id, command, started, finished.
pub(crate) type RunRow = (String, String, String, String);

/// What the impact of a set of environments reads, by key.
#[derive(Debug, Default)]
pub(crate) struct Prefetch {
    /// Runs in the window, by environment, by start then id.
    pub runs: HashMap<String, Vec<RunRow>>,
    /// (name, digest) read, by run, by position.
    inputs: HashMap<String, Vec<(String, String)>>,
    /// (name, digest) written, by run, by position.
    outputs: HashMap<String, Vec<(String, String)>>,
    /// SHA-256 sealed versions, by root, by name.
    datasets: HashMap<String, Vec<DatasetVersion>>,
    /// Runs that read a digest, ascending.
    readers: HashMap<String, Vec<String>>,
}

/// `$first, $first+1, …` for `n` parameters.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Ledger {
    /// Reads, for the runs of `environments` within `since..=until`, their
    /// runs, inputs, outputs, the sealed versions of those digests, and the
    /// readers of what they wrote.
    pub(crate) fn prefetch(
        &mut self,
        environments: &[String],
        since: i64,
        until: i64,
    ) -> Result<Prefetch, LedgerError> {
        let mut p = Prefetch::default();
        let mut unique: Vec<&String> = environments.iter().collect();
        unique.sort();
        unique.dedup();
        for chunk in unique.chunks(CHUNK) {
            let mut params: Vec<Value> = vec![since.into(), until.into()];
            params.extend(chunk.iter().map(|e| Value::from(e.as_str())));
            let runs = format!(
                "SELECT r.id FROM runs r WHERE r.environment IN ({}) \
                 AND r.finished_s >= $1 AND r.started_s <= $2",
                placeholders(3, chunk.len())
            );
            let sql = format!(
                "SELECT environment, id, command, started_at, finished_at FROM runs \
                 WHERE id IN ({runs}) ORDER BY environment, started_s, id"
            );
            for r in self.rows(&sql, &params)? {
                p.runs.entry(r[0].text()).or_default().push((
                    r[1].text(),
                    r[2].text(),
                    r[3].text(),
                    r[4].text(),
                ));
            }
            for (table, map) in [
                ("run_inputs", &mut p.inputs),
                ("run_outputs", &mut p.outputs),
            ] {
                let sql = format!(
                    "SELECT run, name, digest FROM {table} WHERE run IN ({runs}) \
                     ORDER BY run, position"
                );
                for r in self
                    .conn
                    .query(&sql, &params)
                    .map_err(|d| self.storage(d))?
                {
                    map.entry(r[0].text())
                        .or_default()
                        .push((r[1].text(), r[2].text()));
                }
            }
            let sql = format!(
                "SELECT root, name, file_count, sealed_at FROM dataset_versions \
                 WHERE algorithm = 'sha256' AND root IN \
                 (SELECT digest FROM run_inputs WHERE run IN ({runs}) \
                  UNION SELECT digest FROM run_outputs WHERE run IN ({runs})) \
                 ORDER BY root, name"
            );
            for r in self.rows(&sql, &params)? {
                p.datasets
                    .entry(r[0].text())
                    .or_default()
                    .push(DatasetVersion {
                        name: r[1].text(),
                        root: r[0].text(),
                        file_count: r[2].int(),
                        sealed_at: r[3].text(),
                    });
            }
            let sql = format!(
                "SELECT DISTINCT digest, run FROM run_inputs WHERE digest IN \
                 (SELECT digest FROM run_outputs WHERE run IN ({runs})) ORDER BY digest, run"
            );
            for r in self.rows(&sql, &params)? {
                p.readers.entry(r[0].text()).or_default().push(r[1].text());
            }
        }
        // Every digest asked about has an entry, even an empty one: what
        // was not found is not there.
        for (_, d) in p.inputs.values().flatten() {
            p.datasets.entry(d.clone()).or_default();
        }
        for (_, d) in p.outputs.values().flatten() {
            p.datasets.entry(d.clone()).or_default();
            p.readers.entry(d.clone()).or_default();
        }
        Ok(p)
    }

    /// What `run` read, by position.
    pub(crate) fn read_by(
        &mut self,
        p: &mut Prefetch,
        run: &str,
    ) -> Result<Vec<(String, String)>, LedgerError> {
        if let Some(v) = p.inputs.get(run) {
            return Ok(v.clone());
        }
        let v = self.artifacts("run_inputs", run)?;
        p.inputs.insert(run.to_owned(), v.clone());
        Ok(v)
    }

    /// What `run` wrote, by position.
    pub(crate) fn written_by(
        &mut self,
        p: &mut Prefetch,
        run: &str,
    ) -> Result<Vec<(String, String)>, LedgerError> {
        if let Some(v) = p.outputs.get(run) {
            return Ok(v.clone());
        }
        let v = self.artifacts("run_outputs", run)?;
        p.outputs.insert(run.to_owned(), v.clone());
        Ok(v)
    }

    /// The sealed versions whose root is `digest`.
    pub(crate) fn versions_of(
        &mut self,
        p: &mut Prefetch,
        digest: &str,
    ) -> Result<Vec<DatasetVersion>, LedgerError> {
        if let Some(v) = p.datasets.get(digest) {
            return Ok(v.clone());
        }
        let v = self.datasets(digest)?;
        p.datasets.insert(digest.to_owned(), v.clone());
        Ok(v)
    }

    /// The runs that read `digest`, ascending.
    pub(crate) fn readers_of(
        &mut self,
        p: &mut Prefetch,
        digest: &str,
    ) -> Result<Vec<String>, LedgerError> {
        if let Some(v) = p.readers.get(digest) {
            return Ok(v.clone());
        }
        let v: Vec<String> = self
            .rows(
                "SELECT DISTINCT run FROM run_inputs WHERE digest = $1 ORDER BY run",
                &[digest.into()],
            )?
            .into_iter()
            .map(|r| r[0].text())
            .collect();
        p.readers.insert(digest.to_owned(), v.clone());
        Ok(v)
    }
}
