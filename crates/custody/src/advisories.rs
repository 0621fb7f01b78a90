//! The advisories a scan consults: the local database (when one was
//! imported) plus the embedded malicious-package records. An imported record
//! with the same id replaces the embedded one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use custody_advisory::matching::Matcher;
use custody_advisory::store::{SourceStatus, Store, StoreError};
use custody_advisory::{Advisory, embedded};
use custody_pypa::PackageName;
use serde::Serialize;

/// Where an advisory came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The imported database.
    Database,
    /// Compiled into custody.
    Embedded,
}

/// A record that names a package, before its full text is read.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Record id.
    pub id: String,
    /// What decides whether it affects a version.
    pub matcher: Matcher,
    /// Where it is stored.
    pub origin: Origin,
}

/// The database plus the embedded records.
pub struct AdvisoryIndex {
    store: Option<Store>,
    embedded: Vec<Advisory>,
    db_path: PathBuf,
}

/// What the index holds, for reports and `db status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexStatus {
    /// The database file (it may not exist).
    pub path: PathBuf,
    /// Whether a database was imported.
    pub imported: bool,
    /// Imported sources.
    pub sources: Vec<SourceStatus>,
    /// Imported records (withdrawn included).
    pub records: u64,
    /// Imported withdrawn records (never matched).
    pub withdrawn: u64,
    /// Imported malicious-package records.
    pub malicious: u64,
    /// Embedded records in use (not replaced by imported ones).
    pub embedded: usize,
    /// Newest `modified` among all records in use.
    pub newest_modified: Option<String>,
}

impl AdvisoryIndex {
    /// Opens the database under `home` (if any) and loads the embedded records.
    pub fn open(home: &Path) -> Result<Self, StoreError> {
        let store = Store::open(home)?;
        let mut embedded = embedded::records();
        if let Some(s) = &store {
            let mut keep = Vec::with_capacity(embedded.len());
            for e in embedded {
                if !s.contains(&e.id)? {
                    keep.push(e);
                }
            }
            embedded = keep;
        }
        Ok(Self {
            store,
            embedded,
            db_path: Store::path_in(home),
        })
    }

    /// For each name, the records naming it, as `(id, matcher, origin)`.
    pub fn candidates(
        &self,
        names: &[&PackageName],
    ) -> Result<HashMap<PackageName, Vec<Candidate>>, StoreError> {
        let mut out: HashMap<PackageName, Vec<Candidate>> = HashMap::new();
        if let Some(s) = &self.store {
            for (name, list) in s.candidates(names)? {
                out.entry(name)
                    .or_default()
                    .extend(list.into_iter().map(|(id, matcher)| Candidate {
                        id,
                        matcher,
                        origin: Origin::Database,
                    }));
            }
        }
        for e in &self.embedded {
            for name in e.pypi_packages() {
                if !names.contains(&&name) {
                    continue;
                }
                if let Some(matcher) = Matcher::new(e, &name) {
                    out.entry(name).or_default().push(Candidate {
                        id: e.id.clone(),
                        matcher,
                        origin: Origin::Embedded,
                    });
                }
            }
        }
        Ok(out)
    }

    /// For each lookup key of `ecosystem` (npm names as written, crate
    /// names folded: [`custody_advisory::osv::lookup_key`]), the records
    /// naming it, as `(id, origin)`. Whether a record affects a version is
    /// decided on the full record.
    pub fn ecosystem_candidates(
        &self,
        ecosystem: custody_ecosystems::Ecosystem,
        keys: &[&str],
    ) -> Result<HashMap<String, Vec<(String, Origin)>>, StoreError> {
        let mut out: HashMap<String, Vec<(String, Origin)>> = HashMap::new();
        if let Some(s) = &self.store {
            for (key, ids) in s.ecosystem_candidates(ecosystem, keys)? {
                out.entry(key)
                    .or_default()
                    .extend(ids.into_iter().map(|id| (id, Origin::Database)));
            }
        }
        for e in self.embedded.iter().filter(|e| e.withdrawn.is_none()) {
            for (eco, key) in e.other_packages() {
                if eco == ecosystem && keys.contains(&key.as_str()) {
                    out.entry(key)
                        .or_default()
                        .push((e.id.clone(), Origin::Embedded));
                }
            }
        }
        Ok(out)
    }

    /// The full record with this id from this origin.
    pub fn record_from(&self, id: &str, origin: Origin) -> Result<Option<Advisory>, StoreError> {
        match (origin, &self.store) {
            (Origin::Database, Some(s)) => s.record(id),
            (Origin::Database, None) => Ok(None),
            (Origin::Embedded, _) => Ok(self.embedded.iter().find(|e| e.id == id).cloned()),
        }
    }

    /// The full record of a candidate.
    pub fn record(&self, c: &Candidate) -> Result<Option<Advisory>, StoreError> {
        self.record_from(&c.id, c.origin)
    }

    /// The record with this id (or alias): imported first, else embedded.
    pub fn by_id(&self, id: &str) -> Result<Option<Advisory>, StoreError> {
        if let Some(s) = &self.store
            && let Some(a) = s.record(id)?
        {
            return Ok(Some(a));
        }
        Ok(self
            .embedded
            .iter()
            .find(|e| e.id == id || e.aliases.iter().any(|a| a == id))
            .cloned())
    }

    /// What the index holds.
    pub fn status(&self) -> Result<IndexStatus, StoreError> {
        let (sources, (records, withdrawn, malicious), db_newest) = match &self.store {
            Some(s) => (s.sources()?, s.counts()?, s.newest_modified()?),
            None => (Vec::new(), (0, 0, 0), None),
        };
        // Freshness is the imported data's: embedded records are a fixed floor, not a feed.
        let newest_modified = if self.store.is_some() {
            db_newest
        } else {
            newest_timestamp(self.embedded.iter().map(|a| a.modified.clone()))
        };
        Ok(IndexStatus {
            path: self.db_path.clone(),
            imported: self.store.is_some(),
            sources,
            records,
            withdrawn,
            malicious,
            embedded: self.embedded.len(),
            newest_modified,
        })
    }
}

/// The newest of RFC 3339 strings, compared as instants (not as text).
fn newest_timestamp(items: impl Iterator<Item = String>) -> Option<String> {
    items
        .filter_map(|s| s.parse::<jiff::Timestamp>().ok().map(|t| (t, s)))
        .max_by_key(|(t, _)| *t)
        .map(|(_, s)| s)
}
