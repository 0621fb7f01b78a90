//! The local advisory database: one SQLite file under the custody home.
//!
//! Writes happen inside one transaction while holding an exclusive lock on
//! `advisories.lock`, so an interrupted or failed import leaves the previous
//! database intact and two imports never interleave. Readers need no lock,
//! but for one case: an import killed after its transaction spilled pages
//! into the file leaves a hot journal, which a read-only connection cannot
//! roll back; [`Store::open`] then rolls it back under the lock first.
//!
//! Tables: `advisories` (one row per record id, the record as JSON),
//! `affects` (normalised PyPI package name -> record id, the lookup index),
//! `ecosystem_affects` (npm and crates.io: ecosystem and name -> record id),
//! `sources` (what was imported, when), `meta` (schema version).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use custody_pypa::PackageName;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;

use crate::Advisory;
use crate::import::SourceBatch;
use crate::matching::Matcher;

/// Bumped when the table layout changes; an older file must be re-imported.
const SCHEMA_VERSION: i64 = 3;
/// Versions an import upgrades in place (their records are kept).
const UPGRADABLE_FROM: i64 = 2;
/// The database file's name under the custody home.
pub const DB_FILE: &str = "advisories.db";
const LOCK_FILE: &str = "advisories.lock";

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file system holding the database has no room left (or the
    /// user's quota is spent): the import was rolled back.
    #[error("advisory database {path}: no space left on its file system ({source})")]
    Full {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// SQLite refused (corrupt file, ...).
    #[error("advisory database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The file was written by an incompatible custody version.
    #[error("advisory database {path} has schema version {found}, this custody reads {SCHEMA_VERSION}: {}", schema_hint(*found))]
    Schema {
        /// The database file.
        path: PathBuf,
        /// The version found.
        found: i64,
    },
    /// The home folder or lock file could not be created or locked.
    #[error("cannot use {path}: {reason}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The operating system's explanation.
        reason: String,
    },
    /// A stored record no longer parses (the file was altered by hand).
    #[error("advisory database {path}: stored record {id} is corrupt: {reason}")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// The record id.
        id: String,
        /// The parser's explanation.
        reason: String,
    },
}

/// One imported source, as `db status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceStatus {
    /// Canonical path given to `db import`.
    pub name: String,
    /// `osv-json`, `osv-dir`, `osv-zip` or `pypa-yaml`.
    pub kind: String,
    /// Records it holds now (after newer records from other sources won).
    pub records: u64,
    /// Newest `modified` among its records.
    pub newest_modified: Option<String>,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
}

/// What an import changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Per source: records read and records stored.
    pub sources: Vec<(String, usize, usize)>,
}

/// Read access to the database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

fn schema_hint(found: i64) -> &'static str {
    if found == UPGRADABLE_FROM {
        "any `custody db import` upgrades it in place"
    } else {
        "run `custody db import` again after deleting it"
    }
}

fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| {
        let path = path.to_owned();
        if source.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
            StoreError::Full { path, source }
        } else {
            StoreError::Sqlite { path, source }
        }
    }
}

/// SQLite's `SQLITE_READONLY_ROLLBACK`: a read-only connection found a hot
/// journal (a writer died inside its transaction) it may not roll back.
fn needs_rollback(e: &StoreError) -> bool {
    matches!(e, StoreError::Sqlite { source, .. }
        if source.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly)
            && matches!(source, rusqlite::Error::SqliteFailure(f, _)
                if f.extended_code == rusqlite::ffi::SQLITE_READONLY_ROLLBACK))
}

/// Rolls back the hot journal of an interrupted import: under the import
/// lock (so never under a live writer), a read-write connection's first
/// read plays the journal back and deletes it.
fn roll_back_interrupted(home: &Path, path: &Path) -> Result<(), StoreError> {
    let _lock = lock_home(home)?;
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(sql(path))?;
    conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |_| Ok(()))
        .map_err(sql(path))
}

impl Store {
    /// The database file under `home`.
    pub fn path_in(home: &Path) -> PathBuf {
        home.join(DB_FILE)
    }

    /// Opens the database read-only; `Ok(None)` when none was imported yet.
    /// A hot journal left by a killed import is rolled back first (which
    /// needs write access to the home).
    pub fn open(home: &Path) -> Result<Option<Self>, StoreError> {
        let path = Self::path_in(home);
        if !path.exists() {
            return Ok(None);
        }
        match Self::open_read_only(path.clone()) {
            Err(e) if needs_rollback(&e) => {
                roll_back_interrupted(home, &path)?;
                Self::open_read_only(path).map(Some)
            }
            other => other.map(Some),
        }
    }

    fn open_read_only(path: PathBuf) -> Result<Self, StoreError> {
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql(&path))?;
        check_schema(&conn, &path)?;
        // Map the file instead of reading it page by page, and read every
        // query of this process in one snapshot (one lock, consistent counts).
        conn.execute_batch("PRAGMA mmap_size = 1073741824; BEGIN DEFERRED;")
            .map_err(sql(&path))?;
        Ok(Self { conn, path })
    }

    /// For each name, the records that list it as an affected PyPI package
    /// (withdrawn excluded), as `(id, matcher)`: enough to decide which
    /// records match without parsing them. One statement per 500 names.
    pub fn candidates(
        &self,
        names: &[&PackageName],
    ) -> Result<HashMap<PackageName, Vec<(String, Matcher)>>, StoreError> {
        let mut out: HashMap<PackageName, Vec<(String, Matcher)>> = HashMap::new();
        for chunk in names.chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(",");
            let sql_text = format!(
                // Withdrawn records have no `affects` rows (they never match).
                "SELECT package, id, matcher FROM affects WHERE package IN ({placeholders})"
            );
            let mut stmt = self.conn.prepare(&sql_text).map_err(sql(&self.path))?;
            let params = rusqlite::params_from_iter(chunk.iter().map(|n| n.as_str()));
            let rows = stmt
                .query_map(params, |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .map_err(sql(&self.path))?;
            for row in rows {
                let (package, id, matcher) = row.map_err(sql(&self.path))?;
                let corrupt = |reason: String| StoreError::Corrupt {
                    path: self.path.clone(),
                    id: id.clone(),
                    reason,
                };
                let matcher: Matcher =
                    serde_json::from_str(&matcher).map_err(|e| corrupt(e.to_string()))?;
                let name = PackageName::new(&package).map_err(|e| corrupt(e.to_string()))?;
                out.entry(name).or_default().push((id, matcher));
            }
        }
        Ok(out)
    }

    /// For each lookup key (see [`crate::osv::lookup_key`]) of `ecosystem`,
    /// the ids of the records that list it (withdrawn excluded).
    pub fn ecosystem_candidates(
        &self,
        ecosystem: custody_ecosystems::Ecosystem,
        keys: &[&str],
    ) -> Result<HashMap<String, Vec<String>>, StoreError> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for chunk in keys.chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(",");
            let sql_text = format!(
                "SELECT package, id FROM ecosystem_affects WHERE ecosystem = ? AND package IN ({placeholders})"
            );
            let mut stmt = self.conn.prepare(&sql_text).map_err(sql(&self.path))?;
            let params = rusqlite::params_from_iter(
                std::iter::once(ecosystem.osv_name()).chain(chunk.iter().copied()),
            );
            let rows = stmt
                .query_map(params, |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(sql(&self.path))?;
            for row in rows {
                let (package, id) = row.map_err(sql(&self.path))?;
                out.entry(package).or_default().push(id);
            }
        }
        Ok(out)
    }

    /// The full record with this id, if stored.
    pub fn record(&self, id: &str) -> Result<Option<Advisory>, StoreError> {
        let json: Option<String> = self
            .conn
            .prepare_cached("SELECT record FROM advisories WHERE id = ?1")
            .and_then(|mut st| st.query_row([id], |r| r.get(0)).optional())
            .map_err(sql(&self.path))?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                id: id.to_owned(),
                reason: e.to_string(),
            })
        })
        .transpose()
    }

    /// Whether a record with this id is stored (withdrawn or not).
    pub fn contains(&self, id: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row("SELECT 1 FROM advisories WHERE id = ?1", [id], |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
            .map_err(sql(&self.path))
    }

    /// The imported sources.
    pub fn sources(&self) -> Result<Vec<SourceStatus>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.name, s.kind, s.imported_at, \
                 (SELECT COUNT(*) FROM advisories a WHERE a.source = s.name), \
                 (SELECT MAX(a.modified) FROM advisories a WHERE a.source = s.name) \
                 FROM sources s ORDER BY s.imported_at, s.name",
            )
            .map_err(sql(&self.path))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SourceStatus {
                    name: r.get(0)?,
                    kind: r.get(1)?,
                    imported_at: r.get(2)?,
                    records: r.get::<_, i64>(3)?.try_into().unwrap_or(0),
                    newest_modified: r.get(4)?,
                })
            })
            .map_err(sql(&self.path))?;
        rows.collect::<Result<_, _>>().map_err(sql(&self.path))
    }

    /// Counts: (records, withdrawn, malicious).
    pub fn counts(&self) -> Result<(u64, u64, u64), StoreError> {
        self.conn
            .query_row(
                "SELECT COUNT(*), COALESCE(SUM(withdrawn), 0), COALESCE(SUM(malicious), 0) FROM advisories",
                [],
                |r| {
                    let n = |i| r.get::<_, i64>(i).map(|v| u64::try_from(v).unwrap_or(0));
                    Ok((n(0)?, n(1)?, n(2)?))
                },
            )
            .map_err(sql(&self.path))
    }

    /// Newest `modified` over all stored records.
    pub fn newest_modified(&self) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT MAX(modified) FROM advisories", [], |r| r.get(0))
            .map_err(sql(&self.path))
    }
}

fn check_schema(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let found: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(sql(path))?;
    let found = found.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    if found == SCHEMA_VERSION {
        Ok(())
    } else {
        Err(StoreError::Schema {
            path: path.to_owned(),
            found,
        })
    }
}

fn create_schema(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE IF NOT EXISTS sources (name TEXT PRIMARY KEY, kind TEXT NOT NULL, imported_at TEXT NOT NULL);
         CREATE TABLE IF NOT EXISTS advisories (
             id TEXT PRIMARY KEY, source TEXT NOT NULL, modified TEXT NOT NULL,
             withdrawn INTEGER NOT NULL, malicious INTEGER NOT NULL, record TEXT NOT NULL);
         CREATE TABLE IF NOT EXISTS affects (package TEXT NOT NULL, id TEXT NOT NULL, matcher TEXT NOT NULL, PRIMARY KEY (package, id)) WITHOUT ROWID;
         CREATE INDEX IF NOT EXISTS affects_id ON affects (id);
         CREATE TABLE IF NOT EXISTS ecosystem_affects (ecosystem TEXT NOT NULL, package TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (ecosystem, package, id)) WITHOUT ROWID;
         CREATE INDEX IF NOT EXISTS ecosystem_affects_id ON ecosystem_affects (id);
         -- Covering index: status counts and freshness read it, not the (large) records.
         CREATE INDEX IF NOT EXISTS advisories_stats ON advisories (source, modified, withdrawn, malicious);",
    )
    .map_err(sql(path))?;
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?1)",
        [SCHEMA_VERSION.to_string()],
    )
    .map_err(sql(path))?;
    upgrade(conn, path)?;
    check_schema(conn, path)
}

/// Upgrades a schema-2 file in place: its records are kept and the
/// npm/crates.io lookup rows they imply are added.
fn upgrade(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let found: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(sql(path))?;
    if found.and_then(|v| v.parse::<i64>().ok()) != Some(UPGRADABLE_FROM) {
        return Ok(());
    }
    // One transaction: an interrupted upgrade leaves the schema-2 file as it was.
    let tx = conn.unchecked_transaction().map_err(sql(path))?;
    let mut rows = Vec::new();
    {
        let mut stmt = tx
            .prepare("SELECT id, record FROM advisories WHERE withdrawn = 0")
            .map_err(sql(path))?;
        let mut q = stmt.query([]).map_err(sql(path))?;
        while let Some(r) = q.next().map_err(sql(path))? {
            let id: String = r.get(0).map_err(sql(path))?;
            let json: String = r.get(1).map_err(sql(path))?;
            let adv: Advisory = serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
                path: path.to_owned(),
                id: id.clone(),
                reason: e.to_string(),
            })?;
            for (eco, key) in adv.other_packages() {
                rows.push((eco.osv_name(), key, id.clone()));
            }
        }
    }
    {
        let mut add = tx
            .prepare("INSERT OR IGNORE INTO ecosystem_affects (ecosystem, package, id) VALUES (?1, ?2, ?3)")
            .map_err(sql(path))?;
        for (eco, key, id) in rows {
            add.execute(params![eco, key, id]).map_err(sql(path))?;
        }
    }
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'schema'",
        [SCHEMA_VERSION.to_string()],
    )
    .map_err(sql(path))?;
    tx.commit().map_err(sql(path))
}

/// Creates `home` and takes the exclusive import lock (released on drop).
fn lock_home(home: &Path) -> Result<fs_err::File, StoreError> {
    let io = |path: &Path, e: &std::io::Error| StoreError::Io {
        path: path.to_owned(),
        reason: std::error::Error::source(e).map_or_else(|| e.to_string(), ToString::to_string),
    };
    fs_err::create_dir_all(home).map_err(|e| io(home, &e))?;
    let lock_path = home.join(LOCK_FILE);
    let lock = fs_err::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| io(&lock_path, &e))?;
    lock.file().lock().map_err(|e| io(&lock_path, &e))?;
    Ok(lock)
}

/// Replaces the lookup rows of one stored record: PyPI names with their
/// matchers, npm and crates.io names by lookup key (none for a withdrawn
/// record).
fn index_record(tx: &Connection, adv: &Advisory, path: &Path) -> Result<(), StoreError> {
    for table in ["affects", "ecosystem_affects"] {
        tx.prepare_cached(&format!("DELETE FROM {table} WHERE id = ?1"))
            .and_then(|mut st| st.execute([&adv.id]))
            .map_err(sql(path))?;
    }
    if adv.withdrawn.is_none() {
        let mut add = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO ecosystem_affects (ecosystem, package, id) VALUES (?1, ?2, ?3)",
            )
            .map_err(sql(path))?;
        for (eco, key) in adv.other_packages() {
            add.execute(params![eco.osv_name(), key, adv.id])
                .map_err(sql(path))?;
        }
    }
    let mut add = tx
        .prepare_cached("INSERT OR IGNORE INTO affects (package, id, matcher) VALUES (?1, ?2, ?3)")
        .map_err(sql(path))?;
    for name in adv.pypi_packages() {
        let Some(m) = Matcher::new(adv, &name) else {
            continue;
        };
        let m = serde_json::to_string(&m).map_err(|e| StoreError::Corrupt {
            path: path.to_owned(),
            id: adv.id.clone(),
            reason: e.to_string(),
        })?;
        add.execute(params![name.as_str(), adv.id, m])
            .map_err(sql(path))?;
    }
    Ok(())
}

/// Writes imported sources into the database under `home`, atomically.
///
/// Each source replaces what it held before (records it no longer has are
/// removed); when two sources hold the same id, the newer `modified` wins.
/// `crash_after` is a fault-injection hook for tests: abort the process after
/// that many records were written inside the transaction.
pub fn write(
    home: &Path,
    batches: &[SourceBatch],
    imported_at: &str,
    crash_after: Option<usize>,
) -> Result<ImportSummary, StoreError> {
    let _lock = lock_home(home)?;
    let path = Store::path_in(home);
    let mut conn = Connection::open(&path).map_err(sql(&path))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(sql(&path))?;
    create_schema(&conn, &path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sql(&path))?;
    let mut summary = ImportSummary {
        sources: Vec::new(),
    };
    let mut written = 0usize;
    for batch in batches {
        for table in ["affects", "ecosystem_affects"] {
            tx.execute(
                &format!(
                    "DELETE FROM {table} WHERE id IN (SELECT id FROM advisories WHERE source = ?1)"
                ),
                [&batch.name],
            )
            .map_err(sql(&path))?;
        }
        tx.execute("DELETE FROM advisories WHERE source = ?1", [&batch.name])
            .map_err(sql(&path))?;
        tx.execute(
            "INSERT INTO sources (name, kind, imported_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, imported_at = excluded.imported_at",
            params![batch.name, batch.kind, imported_at],
        )
        .map_err(sql(&path))?;
        let mut stored = 0usize;
        {
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO advisories (id, source, modified, withdrawn, malicious, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT(id) DO UPDATE SET source = excluded.source, modified = excluded.modified, \
                     withdrawn = excluded.withdrawn, malicious = excluded.malicious, record = excluded.record \
                     WHERE excluded.modified >= advisories.modified",
                )
                .map_err(sql(&path))?;
            for adv in &batch.records {
                let json = serde_json::to_string(adv).map_err(|e| StoreError::Corrupt {
                    path: path.clone(),
                    id: adv.id.clone(),
                    reason: e.to_string(),
                })?;
                let changed = upsert
                    .execute(params![
                        adv.id,
                        batch.name,
                        adv.modified,
                        adv.withdrawn.is_some(),
                        adv.is_malicious(),
                        json
                    ])
                    .map_err(sql(&path))?;
                if changed == 0 {
                    continue;
                }
                stored += 1;
                index_record(&tx, adv, &path)?;
                written += 1;
                if crash_after.is_some_and(|n| written >= n) {
                    // Simulates power loss or kill -9 in the middle of the transaction.
                    std::process::abort();
                }
            }
        }
        summary
            .sources
            .push((batch.name.clone(), batch.records.len(), stored));
    }
    tx.commit().map_err(sql(&path))?;
    Ok(summary)
}
