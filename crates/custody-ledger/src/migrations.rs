//! Versioned schema migrations, one SQL file each under `migrations/`,
//! applied in order inside a transaction and recorded in
//! `schema_migrations`. Both backends run the same files, except where a
//! migration has a `.postgres.sql` variant.

use crate::backend::{Conn, Value};
use crate::error::LedgerError;
use crate::location::Location;

/// One migration.
pub struct Migration {
    /// Its version (1, 2, ...).
    pub version: i64,
    /// Its name (the file's stem).
    pub name: &'static str,
    /// Its SQL on SQLite, and on PostgreSQL unless [`Self::postgres`].
    pub sql: &'static str,
    /// Its SQL on PostgreSQL when it differs.
    pub postgres: Option<&'static str>,
}

/// Every migration this build knows, oldest first.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_events_and_graph",
        sql: include_str!("../migrations/0001_events_and_graph.sql"),
        postgres: None,
    },
    Migration {
        version: 2,
        name: "0002_checkpoints",
        sql: include_str!("../migrations/0002_checkpoints.sql"),
        postgres: None,
    },
    Migration {
        version: 3,
        name: "0003_environment_scans",
        sql: include_str!("../migrations/0003_environment_scans.sql"),
        postgres: None,
    },
    Migration {
        version: 4,
        name: "0004_watch",
        sql: include_str!("../migrations/0004_watch.sql"),
        postgres: None,
    },
    Migration {
        version: 5,
        name: "0005_covering_indexes",
        sql: include_str!("../migrations/0005_covering_indexes.sql"),
        postgres: Some(include_str!(
            "../migrations/0005_covering_indexes.postgres.sql"
        )),
    },
    Migration {
        version: 6,
        name: "0006_deliveries",
        sql: include_str!("../migrations/0006_deliveries.sql"),
        postgres: None,
    },
    Migration {
        version: 7,
        name: "0007_gate_decisions",
        sql: include_str!("../migrations/0007_gate_decisions.sql"),
        postgres: Some(include_str!(
            "../migrations/0007_gate_decisions.postgres.sql"
        )),
    },
];

/// The newest schema version this build knows.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

const CREATE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
)";

/// Brings the store to [`latest`] under the migration lock; refuses a
/// store newer than this build.
pub fn migrate(conn: &mut Conn, location: &Location) -> Result<i64, LedgerError> {
    let storage = |detail: String| LedgerError::storage(location.display(), detail);
    conn.lock_migrations().map_err(storage)?;
    let result = migrate_locked(conn, location);
    let unlocked = conn.unlock_migrations().map_err(storage);
    let version = result?;
    unlocked?;
    Ok(version)
}

fn migrate_locked(conn: &mut Conn, location: &Location) -> Result<i64, LedgerError> {
    let storage = |detail: String| LedgerError::storage(location.display(), detail);
    conn.batch(CREATE).map_err(storage)?;
    let current = applied(conn).map_err(storage)?;
    if current > latest() {
        return Err(LedgerError::SchemaTooNew {
            location: location.display(),
            found: current,
            known: latest(),
        });
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        conn.begin().map_err(storage)?;
        let step = (|| {
            // Another process may have applied it since we looked.
            if applied(conn)? >= m.version {
                return Ok(());
            }
            let sql = match (&*conn, m.postgres) {
                (Conn::Postgres(_), Some(pg)) => pg,
                _ => m.sql,
            };
            conn.batch(sql)?;
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[
                    Value::Int(m.version),
                    Value::from(m.name),
                    Value::Text(jiff::Timestamp::now().to_string()),
                ],
            )?;
            Ok(())
        })();
        match step.and_then(|()| conn.commit()) {
            Ok(()) => {}
            Err(e) => {
                conn.rollback();
                return Err(storage(format!("migration {}: {e}", m.name)));
            }
        }
    }
    applied(conn).map_err(storage)
}

/// The highest applied version (0 for a new store).
pub fn applied(conn: &mut Conn) -> Result<i64, String> {
    let rows = conn.query(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        &[],
    )?;
    Ok(rows.first().and_then(|r| r.first()).map_or(0, Value::int))
}
