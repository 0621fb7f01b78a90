//! Set-based reads for [`Ledger::impact`]: the runs of many environments,
//! what they read and wrote, the sealed versions of those digests and the
//! runs that read what they wrote, each in one query per chunk of
//! environments instead of one query per environment, run and digest.
//! Lookups that were not prefetched (deeper downstream steps) fall back to
//! one query each and are remembered, so the answers are the per-row
//! queries' answers, in the same order.

use std::collections::HashMap;

use crate::backend::Value;
use crate::dataset::DatasetVersion;
use crate::error::LedgerError;
use crate::ledger::Ledger;

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

/// Levels of steps downstream of the affected runs read set-based; deeper
/// ones fall back to one query each.
const MAX_LEVELS: usize = 64;

/// Rows of (run, position, name, digest, root, dataset name, file count,
/// sealed at), ordered by run, position and dataset name, into the runs'
/// artifacts and the digests' sealed versions.
fn absorb(
    rows: Vec<Vec<Value>>,
    map: &mut HashMap<String, Vec<(String, String)>>,
    datasets: &mut HashMap<String, Vec<DatasetVersion>>,
) {
    let mut last: Option<(String, i64)> = None;
    for r in rows {
        let (run, position, digest) = (r[0].text(), r[1].int(), r[3].text());
        if last.as_ref() != Some(&(run.clone(), position)) {
            map.entry(run.clone())
                .or_default()
                .push((r[2].text(), digest.clone()));
            last = Some((run, position));
        }
        let versions = datasets.entry(digest.clone()).or_default();
        let root = r[4].text();
        if !root.is_empty() && !digest.is_empty() && !versions.iter().any(|v| v.name == r[5].text())
        {
            versions.push(DatasetVersion {
                name: r[5].text(),
                root,
                file_count: r[6].int(),
                sealed_at: r[7].text(),
            });
        }
    }
}

impl Ledger {
    /// Reads what was built from the affected runs' outputs, level by level:
    /// the outputs of every run that read a digest of the level before (with
    /// their sealed versions), then the readers of those outputs, one query
    /// per chunk of runs or digests instead of one per run and digest.
    fn downstream(&mut self, p: &mut Prefetch) -> Result<(), LedgerError> {
        let mut frontier: Vec<String> = p
            .outputs
            .values()
            .flatten()
            .map(|(_, d)| d.clone())
            .collect();
        for _ in 0..MAX_LEVELS {
            let mut runs: Vec<String> = frontier
                .iter()
                .filter_map(|d| p.readers.get(d))
                .flatten()
                .filter(|r| !p.outputs.contains_key(*r))
                .cloned()
                .collect();
            runs.sort();
            runs.dedup();
            if runs.is_empty() {
                break;
            }
            for chunk in runs.chunks(CHUNK) {
                let params: Vec<Value> = chunk.iter().map(|r| Value::from(r.as_str())).collect();
                let sql = format!(
                    "SELECT a.run, a.position, a.name, a.digest, COALESCE(d.root, ''), \
                     COALESCE(d.name, ''), COALESCE(d.file_count, 0), COALESCE(d.sealed_at, '') \
                     FROM run_outputs a \
                     LEFT JOIN dataset_versions d ON d.root = a.digest AND d.algorithm = 'sha256' \
                     WHERE a.run IN ({}) ORDER BY a.run, a.position, d.name",
                    placeholders(1, chunk.len())
                );
                let rows = self
                    .conn
                    .query(&sql, &params)
                    .map_err(|d| self.storage(d))?;
                for run in chunk {
                    p.outputs.entry(run.clone()).or_default();
                }
                absorb(rows, &mut p.outputs, &mut p.datasets);
            }
            let mut digests: Vec<String> = runs
                .iter()
                .filter_map(|r| p.outputs.get(r))
                .flatten()
                .map(|(_, d)| d.clone())
                .filter(|d| !d.is_empty() && !p.readers.contains_key(d))
                .collect();
            digests.sort();
            digests.dedup();
            for chunk in digests.chunks(CHUNK) {
                let params: Vec<Value> = chunk.iter().map(|d| Value::from(d.as_str())).collect();
                let sql = format!(
                    "SELECT DISTINCT digest, run FROM run_inputs WHERE digest IN ({}) \
                     ORDER BY digest, run",
                    placeholders(1, chunk.len())
                );
                for d in chunk {
                    p.readers.entry(d.clone()).or_default();
                }
                for r in self.rows(&sql, &params)? {
                    p.readers.entry(r[0].text()).or_default().push(r[1].text());
                }
            }
            frontier = digests;
        }
        Ok(())
    }

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
            let window = format!(
                "r.environment IN ({}) AND r.finished_s >= $1 AND r.started_s <= $2",
                placeholders(3, chunk.len())
            );
            let sql = format!(
                "SELECT r.environment, r.id, r.command, r.started_at, r.finished_at FROM runs r \
                 WHERE {window} ORDER BY r.environment, r.started_s, r.id"
            );
            for r in self.rows(&sql, &params)? {
                p.runs.entry(r[0].text()).or_default().push((
                    r[1].text(),
                    r[2].text(),
                    r[3].text(),
                    r[4].text(),
                ));
            }
            // Each artifact with the SHA-256 sealed versions of its digest
            // (a version's root is never empty: '' marks none).
            for (table, map) in [
                ("run_inputs", &mut p.inputs),
                ("run_outputs", &mut p.outputs),
            ] {
                let sql = format!(
                    "SELECT a.run, a.position, a.name, a.digest, COALESCE(d.root, ''), \
                     COALESCE(d.name, ''), COALESCE(d.file_count, 0), COALESCE(d.sealed_at, '') \
                     FROM runs r JOIN {table} a ON a.run = r.id \
                     LEFT JOIN dataset_versions d ON d.root = a.digest AND d.algorithm = 'sha256' \
                     WHERE {window} ORDER BY a.run, a.position, d.name"
                );
                let rows = self
                    .conn
                    .query(&sql, &params)
                    .map_err(|d| self.storage(d))?;
                absorb(rows, map, &mut p.datasets);
            }
            let sql = format!(
                "SELECT DISTINCT i.digest, i.run FROM runs r JOIN run_outputs o ON o.run = r.id \
                 JOIN run_inputs i ON i.digest = o.digest WHERE {window} ORDER BY i.digest, i.run"
            );
            // A digest's readers are all its readers, whichever chunk
            // asked: a later chunk's list for it is the same one.
            let mut readers: HashMap<String, Vec<String>> = HashMap::new();
            for r in self.rows(&sql, &params)? {
                readers.entry(r[0].text()).or_default().push(r[1].text());
            }
            for (digest, runs) in readers {
                p.readers.entry(digest).or_insert(runs);
            }
        }
        self.downstream(&mut p)?;
        // Every digest asked about has an entry, even an empty one: what
        // was not found is not there.
        for (_, d) in p.inputs.values().flatten() {
            p.datasets.entry(d.clone()).or_default();
        }
        for (_, d) in p.outputs.values().flatten() {
            p.datasets.entry(d.clone()).or_default();
            p.readers.entry(d.clone()).or_default();
        }
        // Names in byte order on both backends (PostgreSQL's ORDER BY
        // follows the database's collation, SQLite's compares bytes).
        for versions in p.datasets.values_mut() {
            versions.sort_by(|a, b| a.name.cmp(&b.name));
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
