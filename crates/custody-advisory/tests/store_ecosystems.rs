//! The store's npm and crates.io lookup rows: written at import, removed
//! with their source, and added in place to a database written before they
//! existed (schema 2).

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

use std::path::{Path, PathBuf};

use custody_advisory::import;
use custody_advisory::store::{self, Store, StoreError};
use custody_ecosystems::Ecosystem;

fn osv_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ecosystems/osv")
}

fn import_into(home: &Path, source: &Path) {
    let mut problems = Vec::new();
    let batch = import::read_source(source, &mut problems).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    store::write(home, &[batch], "2026-12-07T00:00:00Z", None).unwrap();
}

fn ids(store: &Store, eco: Ecosystem, key: &str) -> Vec<String> {
    let mut v = store
        .ecosystem_candidates(eco, &[key])
        .unwrap()
        .remove(key)
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn npm_and_crate_names_are_looked_up_by_their_ecosystem_rules() {
    let home = tempfile::tempdir().unwrap();
    import_into(home.path(), &osv_dir());
    let s = Store::open(home.path()).unwrap().unwrap();
    assert_eq!(ids(&s, Ecosystem::Npm, "lodash"), ["GHSA-35jh-r3h4-6jhm"]);
    assert_eq!(
        ids(&s, Ecosystem::Npm, "@ctrl/tinycolor"),
        ["MAL-2025-47141"]
    );
    // npm compares names exactly; crates.io folds case and `_`/`-`.
    assert!(ids(&s, Ecosystem::Npm, "Lodash").is_empty());
    assert!(ids(&s, Ecosystem::CratesIo, "lodash").is_empty());
    assert_eq!(
        ids(
            &s,
            Ecosystem::CratesIo,
            &custody_advisory::osv::lookup_key(Ecosystem::CratesIo, "SmallVec")
        ),
        ["RUSTSEC-2021-0003"]
    );
}

#[test]
fn a_schema_2_database_is_refused_for_reading_and_upgraded_by_an_import() {
    let home = tempfile::tempdir().unwrap();
    import_into(home.path(), &osv_dir());
    // Make it what custody wrote before npm and Cargo were read.
    let db = home.path().join(store::DB_FILE);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP TABLE ecosystem_affects; UPDATE meta SET value = '2' WHERE key = 'schema';",
    )
    .unwrap();
    drop(conn);
    match Store::open(home.path()) {
        Err(e @ StoreError::Schema { found: 2, .. }) => {
            assert!(e.to_string().contains("upgrades it in place"), "{e}");
        }
        other => panic!("expected a schema error, got {:?}", other.err()),
    }
    // Any import upgrades it, keeping the records already there.
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(
        osv_dir().join("MAL-2022-1.json"),
        other.path().join("MAL-2022-1.json"),
    )
    .unwrap();
    import_into(home.path(), other.path());
    let s = Store::open(home.path()).unwrap().unwrap();
    assert_eq!(ids(&s, Ecosystem::Npm, "lodash"), ["GHSA-35jh-r3h4-6jhm"]);
    assert_eq!(ids(&s, Ecosystem::CratesIo, "rustdecimal"), ["MAL-2022-1"]);
}
