//! One suite, two backends: each case takes a [`Store`].

#![allow(dead_code, reason = "each test binary uses part of the harness")]

pub mod docs;
pub mod pg;

use custody_ledger::Location;

/// A fresh, empty store and raw SQL access to it (for tampering).
pub trait Store {
    /// Its location.
    fn location(&self) -> Location;
    /// Runs `sql` directly, bypassing the ledger.
    fn raw(&self, sql: &str);
    /// One integer from `sql`.
    fn count(&self, sql: &str) -> i64;
    /// SQL that makes every insert into `run_outputs` fail.
    fn failing_trigger(&self) -> &'static str;
    /// SQL that removes it.
    fn drop_trigger(&self) -> &'static str;
}

pub struct Sqlite {
    dir: tempfile::TempDir,
}

impl Sqlite {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
    fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("ledger.db")
    }
}

impl Store for Sqlite {
    fn location(&self) -> Location {
        Location::Sqlite(self.path())
    }
    fn raw(&self, sql: &str) {
        let c = rusqlite::Connection::open(self.path()).expect("open");
        c.execute_batch(sql).expect("raw SQL");
    }
    fn count(&self, sql: &str) -> i64 {
        let c = rusqlite::Connection::open(self.path()).expect("open");
        c.query_row(sql, [], |r| r.get(0)).expect("count")
    }
    fn failing_trigger(&self) -> &'static str {
        "CREATE TRIGGER fail_outputs BEFORE INSERT ON run_outputs \
         BEGIN SELECT RAISE(ABORT, 'injected fault'); END;"
    }
    fn drop_trigger(&self) -> &'static str {
        "DROP TRIGGER fail_outputs"
    }
}

pub struct Postgres {
    cluster: pg::Cluster,
}

impl Postgres {
    pub fn new() -> Self {
        Self {
            cluster: pg::Cluster::start(),
        }
    }
    pub fn port(&self) -> u16 {
        self.cluster.port
    }
    fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.cluster.url(), postgres::NoTls).expect("connect")
    }
}

impl Store for Postgres {
    fn location(&self) -> Location {
        Location::Postgres(self.cluster.url())
    }
    fn raw(&self, sql: &str) {
        self.client().batch_execute(sql).expect("raw SQL");
    }
    fn count(&self, sql: &str) -> i64 {
        self.client().query_one(sql, &[]).expect("count").get(0)
    }
    fn failing_trigger(&self) -> &'static str {
        "CREATE FUNCTION fail_outputs() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$; \
         CREATE TRIGGER fail_outputs BEFORE INSERT ON run_outputs \
         FOR EACH ROW EXECUTE FUNCTION fail_outputs();"
    }
    fn drop_trigger(&self) -> &'static str {
        "DROP TRIGGER fail_outputs ON run_outputs"
    }
}
