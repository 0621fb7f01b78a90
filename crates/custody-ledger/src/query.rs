//! Impact and lineage over the derived tables, with the same SQL on both
//! backends. Inputs and outputs match dataset versions by digest: a run
//! names a folder by the Merkle root custody seal computes for it.

use std::collections::{BTreeSet, VecDeque};

use serde::Serialize;

use crate::backend::Value;
use crate::error::LedgerError;
use crate::ingest::attestation::normalize;
use crate::ledger::Ledger;
use crate::prefetch::Prefetch;

/// One version of a package, as environments name it: the name
/// normalised as PEP 503, the version as installed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PackageVersion {
    /// Normalised name.
    pub name: String,
    /// Version, as the environment states it.
    pub version: String,
}

impl PackageVersion {
    /// `name` (normalised) at `version`.
    pub fn new(name: &str, version: &str) -> Self {
        Self {
            name: normalize(name),
            version: version.to_owned(),
        }
    }
}

/// A time window that runs must overlap (open on a missing side).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Window {
    /// Runs that finished before this are out.
    pub since: Option<jiff::Timestamp>,
    /// Runs that started after this are out.
    pub until: Option<jiff::Timestamp>,
}

/// One step of the path from the package to a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum Step {
    /// The package version.
    Package {
        /// Name.
        name: String,
        /// Version.
        version: String,
    },
    /// An environment containing it.
    Environment {
        /// Its id.
        id: String,
        /// Its prefix.
        prefix: String,
    },
    /// A run.
    Run {
        /// Its id (the attestation's digest).
        id: String,
    },
    /// The run read this artifact.
    Read {
        /// Its digest.
        digest: String,
    },
    /// The run wrote this artifact.
    Wrote {
        /// Its digest.
        digest: String,
    },
}

pub use crate::dataset::DatasetVersion;

/// An affected environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvironmentHit {
    /// Its id.
    pub id: String,
    /// Its prefix.
    pub prefix: String,
    /// The package it holds.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// A run in an affected environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunHit {
    /// Its id.
    pub id: String,
    /// Its environment.
    pub environment: String,
    /// Its command (JSON array text).
    pub command: String,
    /// Start.
    pub started_at: String,
    /// End.
    pub finished_at: String,
    /// Package, environment, run.
    pub path: Vec<Step>,
}

/// An artifact a result run read or wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArtifactHit {
    /// Its name in the attestation.
    pub name: String,
    /// Its digest.
    pub digest: String,
    /// The sealed versions with that root.
    pub datasets: Vec<DatasetVersion>,
    /// For what was written (and downstream): how each sealed version
    /// differs from the version of the same dataset sealed before it.
    pub changes: Vec<crate::change::Change>,
    /// From the package to it.
    pub path: Vec<Step>,
}

/// What a package version touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impact {
    /// The package versions asked about.
    pub packages: Vec<PackageVersion>,
    /// The window.
    pub window: Window,
    /// Environments holding it.
    pub environments: Vec<EnvironmentHit>,
    /// Runs in them within the window.
    pub runs: Vec<RunHit>,
    /// What those runs read: exposed.
    pub exposed: Vec<ArtifactHit>,
    /// What those runs wrote: possibly injected.
    pub written: Vec<ArtifactHit>,
    /// Everything built from what they wrote, transitively.
    pub downstream: Vec<ArtifactHit>,
}

impl Ledger {
    pub(crate) fn rows(
        &mut self,
        sql: &str,
        params: &[Value],
    ) -> Result<Vec<Vec<Value>>, LedgerError> {
        self.conn.query(sql, params).map_err(|d| self.storage(d))
    }

    /// The sealed versions whose root is `digest`.
    pub(crate) fn datasets(&mut self, digest: &str) -> Result<Vec<DatasetVersion>, LedgerError> {
        if digest.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.rows(
            "SELECT name, root, file_count, sealed_at FROM dataset_versions \
             WHERE root = $1 AND algorithm = 'sha256' ORDER BY name",
            &[digest.into()],
        )?;
        let mut versions: Vec<DatasetVersion> = rows
            .into_iter()
            .map(|r| DatasetVersion {
                name: r[0].text(),
                root: r[1].text(),
                file_count: r[2].int(),
                sealed_at: r[3].text(),
            })
            .collect();
        // Byte order on both backends (PostgreSQL sorts by collation).
        versions.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(versions)
    }

    /// The (name, digest) a run read (`run_inputs`) or wrote (`run_outputs`).
    pub(crate) fn artifacts(
        &mut self,
        table: &str,
        run: &str,
    ) -> Result<Vec<(String, String)>, LedgerError> {
        let sql = format!("SELECT name, digest FROM {table} WHERE run = $1 ORDER BY position");
        Ok(self
            .rows(&sql, &[run.into()])?
            .into_iter()
            .map(|r| (r[0].text(), r[1].text()))
            .collect())
    }

    fn hit(
        &mut self,
        pre: &mut Prefetch,
        name: String,
        digest: String,
        path: Vec<Step>,
    ) -> Result<ArtifactHit, LedgerError> {
        Ok(ArtifactHit {
            datasets: self.versions_of(pre, &digest)?,
            changes: Vec::new(),
            name,
            digest,
            path,
        })
    }

    /// The versions of the package `name` (normalised as PEP 503) that
    /// some environment in the ledger holds, sorted as text.
    pub fn package_versions(&mut self, name: &str) -> Result<Vec<String>, LedgerError> {
        let rows = self.rows(
            "SELECT DISTINCT version FROM environment_packages WHERE name = $1 ORDER BY version",
            &[normalize(name).into()],
        )?;
        let mut versions: Vec<String> = rows.into_iter().map(|r| r[0].text()).collect();
        versions.sort();
        Ok(versions)
    }

    /// The environments holding any of `selected`, the runs in them within
    /// `window`, what they read and wrote, and everything downstream.
    pub fn impact(
        &mut self,
        selected: &[PackageVersion],
        window: &Window,
    ) -> Result<Impact, LedgerError> {
        let mut selected = selected.to_vec();
        selected.sort();
        selected.dedup();
        let mut envs = Vec::new();
        for p in &selected {
            for env in self.rows(
                "SELECT e.id, e.prefix, p.name, p.version FROM environment_packages p \
                 JOIN environments e ON e.id = p.environment \
                 WHERE p.name = $1 AND p.version = $2 ORDER BY e.id",
                &[p.name.as_str().into(), p.version.as_str().into()],
            )? {
                envs.push(env);
            }
        }
        envs.sort();
        let mut impact = Impact {
            packages: selected,
            window: window.clone(),
            environments: Vec::new(),
            runs: Vec::new(),
            exposed: Vec::new(),
            written: Vec::new(),
            downstream: Vec::new(),
        };
        let since = window.since.map_or(i64::MIN, jiff::Timestamp::as_second);
        let until = window.until.map_or(i64::MAX, jiff::Timestamp::as_second);
        let ids: Vec<String> = envs.iter().map(|e| e[0].text()).collect();
        let mut pre = self.prefetch(&ids, since, until)?;
        for env in envs {
            let hit = EnvironmentHit {
                id: env[0].text(),
                prefix: env[1].text(),
                name: env[2].text(),
                version: env[3].text(),
            };
            let base = vec![
                Step::Package {
                    name: hit.name.clone(),
                    version: hit.version.clone(),
                },
                Step::Environment {
                    id: hit.id.clone(),
                    prefix: hit.prefix.clone(),
                },
            ];
            let runs = pre.runs.get(&hit.id).cloned().unwrap_or_default();
            impact.environments.push(hit.clone());
            for (id, command, started_at, finished_at) in runs {
                let mut path = base.clone();
                path.push(Step::Run { id: id.clone() });
                impact.runs.push(RunHit {
                    id: id.clone(),
                    environment: hit.id.clone(),
                    command,
                    started_at,
                    finished_at,
                    path: path.clone(),
                });
                self.spread(&mut pre, &id, &path, &mut impact)?;
            }
        }
        Ok(impact)
    }

    /// Fills `changes` of the first `limit` sealed versions written or
    /// built downstream in `impact` (each compares two manifests read back
    /// from the log, so it is kept out of [`Ledger::impact`] itself); the
    /// number of versions left without.
    pub fn fill_changes(
        &mut self,
        impact: &mut Impact,
        limit: usize,
    ) -> Result<usize, LedgerError> {
        let mut done = 0;
        let mut left = 0;
        for hit in impact
            .written
            .iter_mut()
            .chain(impact.downstream.iter_mut())
        {
            for d in &hit.datasets {
                if done == limit {
                    left += 1;
                    continue;
                }
                done += 1;
                if let Some(c) = self.change(&d.name, &d.root)? {
                    hit.changes.push(c);
                }
            }
        }
        Ok(left)
    }

    /// What `run` read and wrote, and what was built from what it wrote.
    fn spread(
        &mut self,
        pre: &mut Prefetch,
        run: &str,
        path: &[Step],
        impact: &mut Impact,
    ) -> Result<(), LedgerError> {
        for (name, digest) in self.read_by(pre, run)? {
            let mut p = path.to_vec();
            p.push(Step::Read {
                digest: digest.clone(),
            });
            let hit = self.hit(pre, name, digest, p)?;
            impact.exposed.push(hit);
        }
        let mut queue = VecDeque::new();
        for (name, digest) in self.written_by(pre, run)? {
            let mut p = path.to_vec();
            p.push(Step::Wrote {
                digest: digest.clone(),
            });
            queue.push_back((digest.clone(), p.clone()));
            let hit = self.hit(pre, name, digest, p)?;
            impact.written.push(hit);
        }
        let mut seen: BTreeSet<String> = queue.iter().map(|(d, _)| d.clone()).collect();
        while let Some((digest, path)) = queue.pop_front() {
            if digest.is_empty() {
                continue;
            }
            for reader in self.readers_of(pre, &digest)? {
                for (name, out) in self.written_by(pre, &reader)? {
                    if !seen.insert(out.clone()) {
                        continue;
                    }
                    let mut p = path.clone();
                    p.push(Step::Run { id: reader.clone() });
                    p.push(Step::Wrote {
                        digest: out.clone(),
                    });
                    queue.push_back((out.clone(), p.clone()));
                    let hit = self.hit(pre, name, out, p)?;
                    impact.downstream.push(hit);
                }
            }
        }
        Ok(())
    }
}
