//! The two stores behind one small interface: statements with `$1`-style
//! parameters (rewritten to `?1` for SQLite), rows of [`Value`]s, and
//! explicit transactions. Every query in this crate runs unchanged on both.

use std::time::Duration;

use crate::error::LedgerError;
use crate::location::Location;

/// How long connecting to a server may take before it is an error.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a SQLite writer waits for another writer's lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// SQLite's page cache (64 MiB instead of 2 MiB) and memory-mapped reads
/// (up to 2 GiB, SQLite's own ceiling): an impact over thousands of runs
/// reads index pages spread through a file that is mostly event bodies,
/// and each page read through a syscall costs more than the lookup. Both
/// are bounded.
const SQLITE_CACHE: &str = "PRAGMA cache_size = -65536; PRAGMA mmap_size = 2147418112;";

/// A column value: the schema holds only integers and text, never NULL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    /// BIGINT.
    Int(i64),
    /// TEXT.
    Text(String),
}

impl Value {
    /// The integer, or 0.
    pub fn int(&self) -> i64 {
        match self {
            Self::Int(i) => *i,
            Self::Text(_) => 0,
        }
    }

    /// The text (an integer's decimal form).
    pub fn text(&self) -> String {
        match self {
            Self::Int(i) => i.to_string(),
            Self::Text(t) => t.clone(),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Self::Int(i)
    }
}

/// An open connection.
pub enum Conn {
    /// SQLite.
    Sqlite(rusqlite::Connection),
    /// PostgreSQL.
    Postgres(Box<postgres::Client>),
}

impl Conn {
    /// Connects (or creates the SQLite file), within [`CONNECT_TIMEOUT`].
    pub fn open(location: &Location) -> Result<Self, LedgerError> {
        match location {
            Location::Sqlite(path) => {
                let storage = |e: rusqlite::Error| {
                    LedgerError::storage(location.display(), sqlite_detail(&e))
                };
                let conn = rusqlite::Connection::open(path).map_err(storage)?;
                conn.busy_timeout(BUSY_TIMEOUT).map_err(storage)?;
                wal(&conn).map_err(storage)?;
                conn.execute_batch(SQLITE_CACHE).map_err(storage)?;
                Ok(Self::Sqlite(conn))
            }
            Location::Postgres(url) => {
                let mut config: postgres::Config =
                    url.parse()
                        .map_err(|e: postgres::Error| LedgerError::Location {
                            given: location.display(),
                            reason: e.to_string(),
                        })?;
                let timeout = config
                    .get_connect_timeout()
                    .copied()
                    .unwrap_or(CONNECT_TIMEOUT);
                config.connect_timeout(timeout);
                let mut client = connect_within(location, config, timeout)?;
                client
                    .batch_execute(POSTGRES_SESSION)
                    .map_err(|e| LedgerError::storage(location.display(), pg_detail(&e)))?;
                Ok(Self::Postgres(Box::new(client)))
            }
        }
    }

    /// Runs `sql` (statements without parameters, `;`-separated).
    pub fn batch(&mut self, sql: &str) -> Result<(), String> {
        match self {
            Self::Sqlite(c) => c.execute_batch(sql).map_err(|e| sqlite_detail(&e)),
            Self::Postgres(c) => c.batch_execute(sql).map_err(|e| pg_detail(&e)),
        }
    }

    /// Runs one statement with parameters; the number of rows changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, String> {
        match self {
            Self::Sqlite(c) => {
                let mut stmt = c
                    .prepare_cached(&sqlite_sql(sql))
                    .map_err(|e| sqlite_detail(&e))?;
                let n = stmt
                    .execute(rusqlite::params_from_iter(params.iter().map(sqlite_value)))
                    .map_err(|e| sqlite_detail(&e))?;
                Ok(n as u64)
            }
            Self::Postgres(c) => {
                let boxed = pg_params(params);
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    boxed.iter().map(|b| &**b as _).collect();
                c.execute(sql, &refs).map_err(|e| pg_detail(&e))
            }
        }
    }

    /// Runs one query with parameters; its rows.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, String> {
        match self {
            Self::Sqlite(c) => {
                let mut stmt = c
                    .prepare_cached(&sqlite_sql(sql))
                    .map_err(|e| sqlite_detail(&e))?;
                let width = stmt.column_count();
                let rows = stmt
                    .query_map(
                        rusqlite::params_from_iter(params.iter().map(sqlite_value)),
                        |row| {
                            (0..width)
                                .map(|i| {
                                    Ok(match row.get_ref(i)? {
                                        rusqlite::types::ValueRef::Integer(n) => Value::Int(n),
                                        other => Value::Text(
                                            String::from_utf8_lossy(
                                                other.as_bytes().unwrap_or_default(),
                                            )
                                            .into_owned(),
                                        ),
                                    })
                                })
                                .collect::<Result<Vec<_>, rusqlite::Error>>()
                        },
                    )
                    .map_err(|e| sqlite_detail(&e))?;
                rows.collect::<Result<_, _>>()
                    .map_err(|e| sqlite_detail(&e))
            }
            Self::Postgres(c) => {
                let boxed = pg_params(params);
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    boxed.iter().map(|b| &**b as _).collect();
                let rows = c.query(sql, &refs).map_err(|e| pg_detail(&e))?;
                rows.iter().map(pg_row).collect()
            }
        }
    }

    /// Starts a write transaction that excludes other writers: SQLite's
    /// `BEGIN IMMEDIATE`, PostgreSQL's exclusive lock on the event log (so
    /// sequence numbers and the chain are assigned one writer at a time).
    pub fn begin_write(&mut self) -> Result<(), String> {
        match self {
            Self::Sqlite(_) => self.batch("BEGIN IMMEDIATE"),
            Self::Postgres(_) => self.batch("BEGIN; LOCK TABLE events IN EXCLUSIVE MODE"),
        }
    }

    /// Starts a transaction (PostgreSQL) for a migration.
    pub fn begin(&mut self) -> Result<(), String> {
        match self {
            Self::Sqlite(_) => self.batch("BEGIN IMMEDIATE"),
            Self::Postgres(_) => self.batch("BEGIN"),
        }
    }

    /// Holds the migration lock until [`Self::unlock_migrations`]: on
    /// PostgreSQL a session advisory lock (two first opens would otherwise
    /// race to create the same tables); SQLite serialises each migration's
    /// `BEGIN IMMEDIATE` already.
    pub fn lock_migrations(&mut self) -> Result<(), String> {
        match self {
            Self::Sqlite(_) => Ok(()),
            Self::Postgres(_) => self.batch("SELECT pg_advisory_lock(7215001)"),
        }
    }

    /// Releases the migration lock.
    pub fn unlock_migrations(&mut self) -> Result<(), String> {
        match self {
            Self::Sqlite(_) => Ok(()),
            Self::Postgres(_) => self.batch("SELECT pg_advisory_unlock(7215001)"),
        }
    }

    /// Commits.
    pub fn commit(&mut self) -> Result<(), String> {
        self.batch("COMMIT")
    }

    /// Rolls back, ignoring a failure (the connection may be gone; the
    /// server then rolls back itself).
    pub fn rollback(&mut self) {
        let _ = self.batch("ROLLBACK");
    }
}

/// Switches to WAL. Two connections switching a new file at once get
/// `SQLITE_BUSY` without the busy handler being called (the switch needs
/// an exclusive lock): retried until [`BUSY_TIMEOUT`].
fn wal(conn: &rusqlite::Connection) -> Result<(), rusqlite::Error> {
    let began = std::time::Instant::now();
    loop {
        match conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && began.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

/// SQLite's message, and what an extended code means when the message
/// alone would mislead: `SQLITE_IOERR_SHMSIZE` ("disk I/O error") is the
/// WAL's shared-memory file failing to grow, which on Linux is a full file
/// system or quota (SQLite writes each new page of it; only `ENOSPC`,
/// `EDQUOT` or `EFBIG` make that fail).
fn sqlite_detail(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_IOERR_SHMSIZE =>
        {
            format!("{e} ({})", crate::error::SHM_FULL)
        }
        _ => e.to_string(),
    }
}

/// `$1` placeholders as SQLite's numbered `?1`.
fn sqlite_sql(sql: &str) -> String {
    sql.replace('$', "?")
}

fn sqlite_value(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Int(i) => rusqlite::types::Value::Integer(*i),
        Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
    }
}

fn pg_params(params: &[Value]) -> Vec<Box<dyn postgres::types::ToSql + Sync>> {
    params
        .iter()
        .map(|v| -> Box<dyn postgres::types::ToSql + Sync> {
            match v {
                Value::Int(i) => Box::new(*i),
                Value::Text(t) => Box::new(t.clone()),
            }
        })
        .collect()
}

fn pg_row(row: &postgres::Row) -> Result<Vec<Value>, String> {
    use postgres::types::Type;
    (0..row.len())
        .map(|i| {
            let ty = row.columns()[i].type_();
            let v = if *ty == Type::INT8 {
                Value::Int(row.try_get::<_, i64>(i).map_err(|e| e.to_string())?)
            } else if *ty == Type::INT4 {
                Value::Int(i64::from(
                    row.try_get::<_, i32>(i).map_err(|e| e.to_string())?,
                ))
            } else {
                Value::Text(row.try_get::<_, String>(i).map_err(|e| e.to_string())?)
            };
            Ok(v)
        })
        .collect()
}

/// Session settings. The ledger's reads join a few thousand rows each:
/// parallel workers cost more to start than they save (the impact of a
/// package in 50 of 1,000 environments, 5,000 runs: 290 ms of queries with
/// two workers, 160 ms without, on two cores; `bench/RESULTS.md`).
const POSTGRES_SESSION: &str = "SET max_parallel_workers_per_gather = 0";

/// The server's message when there is one (the client's `db error` alone
/// says nothing).
fn pg_detail(e: &postgres::Error) -> String {
    e.as_db_error().map_or_else(
        || e.to_string(),
        |db| format!("{} ({})", db.message(), db.code().code()),
    )
}

/// Connects on a helper thread and waits at most `timeout`: the client's
/// own connect timeout covers the TCP connection only, not a server that
/// accepts it and never answers the startup message. A helper thread left
/// waiting on such a server ends when the server closes the connection
/// (or with the process).
fn connect_within(
    location: &Location,
    config: postgres::Config,
    timeout: Duration,
) -> Result<postgres::Client, LedgerError> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("ledger-connect".to_owned())
        .spawn(move || {
            let _ = tx.send(config.connect(postgres::NoTls));
        })
        .map_err(|e| LedgerError::Unreachable {
            location: location.display(),
            detail: format!("cannot start the connecting thread: {e}"),
        })?;
    match rx.recv_timeout(timeout) {
        Ok(Ok(client)) => Ok(client),
        Ok(Err(e)) => Err(connect_error(location, &e)),
        Err(_) => Err(LedgerError::Unreachable {
            location: location.display(),
            detail: format!("no answer within {}s", timeout.as_secs_f64()),
        }),
    }
}

/// A refused login (SQLSTATE class 28, or a missing database or role) or an
/// unreachable server.
fn connect_error(location: &Location, e: &postgres::Error) -> LedgerError {
    match e.as_db_error() {
        Some(db) => LedgerError::LoginRefused {
            location: location.display(),
            detail: format!("{} ({})", db.message(), db.code().code()),
        },
        None => LedgerError::Unreachable {
            location: location.display(),
            detail: e.to_string(),
        },
    }
}
