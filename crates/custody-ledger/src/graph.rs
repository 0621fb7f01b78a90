//! The derived tables: each row (a [`Fact`]) is computed from one event,
//! so the tables can be rebuilt from the log and compared with it. A row
//! whose key is already present is not inserted again (`ON CONFLICT DO
//! NOTHING`): the first event that states a fact owns it.

use std::collections::BTreeMap;

use crate::backend::{Conn, Value};

/// A derived table: its name, its columns, and how many leading columns
/// form its primary key.
#[derive(Debug)]
pub struct Table {
    /// The table's name.
    pub name: &'static str,
    /// Its columns, key first.
    pub columns: &'static [&'static str],
    /// The number of key columns.
    pub key: usize,
}

/// `trusted_keys`.
pub const TRUSTED_KEYS: usize = 0;
/// `environments`.
pub const ENVIRONMENTS: usize = 1;
/// `environment_packages`.
pub const ENVIRONMENT_PACKAGES: usize = 2;
/// `runs`.
pub const RUNS: usize = 3;
/// `run_inputs`.
pub const RUN_INPUTS: usize = 4;
/// `run_outputs`.
pub const RUN_OUTPUTS: usize = 5;
/// `dataset_versions`.
pub const DATASET_VERSIONS: usize = 6;
/// `environment_scans`.
pub const ENVIRONMENT_SCANS: usize = 7;
/// `deliveries`.
pub const DELIVERIES: usize = 8;
/// `delivery_decisions`.
pub const DELIVERY_DECISIONS: usize = 9;
/// `gate_decisions`.
pub const GATE_DECISIONS: usize = 10;

/// Every derived table.
pub const TABLES: &[Table] = &[
    Table {
        name: "trusted_keys",
        columns: &["key_id", "pem", "event_seq"],
        key: 1,
    },
    Table {
        name: "environments",
        columns: &["id", "prefix"],
        key: 1,
    },
    Table {
        name: "environment_packages",
        columns: &["environment", "name", "version"],
        key: 3,
    },
    Table {
        name: "runs",
        columns: &[
            "id",
            "event_seq",
            "environment",
            "command",
            "started_at",
            "finished_at",
            "started_s",
            "finished_s",
        ],
        key: 1,
    },
    Table {
        name: "run_inputs",
        columns: &["run", "position", "name", "digest"],
        key: 2,
    },
    Table {
        name: "run_outputs",
        columns: &["run", "position", "name", "digest"],
        key: 2,
    },
    Table {
        name: "dataset_versions",
        columns: &[
            "name",
            "root",
            "algorithm",
            "file_count",
            "sealed_at",
            "event_seq",
        ],
        key: 2,
    },
    Table {
        name: "environment_scans",
        columns: &["environment", "event_seq", "kind", "scanned_at"],
        key: 2,
    },
    Table {
        name: "deliveries",
        columns: &["id", "name", "root", "algorithm", "created_at", "event_seq"],
        key: 1,
    },
    Table {
        name: "delivery_decisions",
        columns: &[
            "id",
            "bundle",
            "name",
            "root",
            "decision",
            "decided_at",
            "event_seq",
        ],
        key: 1,
    },
    Table {
        name: "gate_decisions",
        columns: &[
            "event_seq",
            "position",
            "project",
            "version",
            "filename",
            "sha256",
            "action",
            "code",
            "reason",
            "status",
            "decided_at",
        ],
        key: 2,
    },
];

/// One derived row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// Index into [`TABLES`].
    pub table: usize,
    /// Its values, in the table's column order.
    pub row: Vec<Value>,
}

/// Inserts `fact` unless a row with its key exists.
pub fn insert(conn: &mut Conn, fact: &Fact) -> Result<(), String> {
    let t = &TABLES[fact.table];
    let placeholders: Vec<String> = (1..=t.columns.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING",
        t.name,
        t.columns.join(", "),
        placeholders.join(", ")
    );
    conn.execute(&sql, &fact.row)?;
    Ok(())
}

/// Rows by key, per table, keeping the first fact for a key (what the
/// inserts in log order leave).
pub type Rows = Vec<BTreeMap<Vec<Value>, Vec<Value>>>;

/// The tables `facts` (in log order) produce.
pub fn rebuild(facts: impl IntoIterator<Item = Fact>) -> Rows {
    let mut rows: Rows = vec![BTreeMap::new(); TABLES.len()];
    for f in facts {
        let key = f.row[..TABLES[f.table].key].to_vec();
        rows[f.table].entry(key).or_insert(f.row);
    }
    rows
}

/// Every stored row of every derived table.
pub fn stored(conn: &mut Conn) -> Result<Rows, String> {
    let mut rows: Rows = Vec::with_capacity(TABLES.len());
    for t in TABLES {
        let sql = format!("SELECT {} FROM {}", t.columns.join(", "), t.name);
        let mut table = BTreeMap::new();
        for r in conn.query(&sql, &[])? {
            table.insert(r[..t.key].to_vec(), r);
        }
        rows.push(table);
    }
    Ok(rows)
}
