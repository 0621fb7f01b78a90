//! The ledger's suite, run against SQLite and a throwaway PostgreSQL
//! cluster: every case in [`cases`] once per backend.

mod common;

use common::Store;
use common::docs::{key, run_statement, sealed, signed};
use custody_ledger::migrations::latest;
use custody_ledger::{
    AddOutcome, ChainFault, Ledger, LedgerError, PackageVersion, Refusal, Step, Window,
};
use custody_ledger::{AssetKey, Emitted};

/// Each case as a test in `sqlite::` and in `postgres::`.
macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $case() {
                super::cases::$case(&crate::common::Sqlite::new());
            })*
        }
        mod postgres {
            $(#[test]
            fn $case() {
                super::cases::$case(&crate::common::Postgres::new());
            })*
        }
    };
}

suite!(
    migrations_are_recorded,
    add_is_idempotent,
    refusals_name_the_reason,
    impact_and_lineage_follow_the_graph,
    impact_follows_a_chain_several_steps_deep,
    verify_passes_on_an_untouched_ledger,
    verify_names_an_edited_event,
    verify_names_a_deleted_event,
    verify_names_a_reordered_event,
    verify_names_an_edited_derived_row,
    a_failed_ingest_leaves_nothing,
    checkpoints_catch_a_truncated_or_rewritten_log,
    a_bundled_manifest_is_read,
    a_scan_inventory_joins_runs_of_its_environment,
    an_inventory_adds_new_environments_beside_known_ones,
    index_decisions_are_stored_only_when_signed_and_consistent,
    concurrent_writers_are_serialised,
    concurrent_first_opens_migrate_once,
    watch_cursor_emits_each_asset_once,
    watch_marks_race_to_one_row,
);

const LITELLM: &str = "litellm";

/// The story: env E1 holds litellm 1.82.8; run A (in E1) reads sealed D1
/// and writes D2; run B (in E2, no litellm) reads D2 and writes D3.
struct Story {
    ledger: Ledger,
    d1: String,
    d2: String,
    d3: String,
    run_a: String,
    run_b: String,
}

fn story(store: &dyn Store) -> Story {
    let dir = tempfile::tempdir().expect("temp dir");
    let k = key();
    let mut ledger = Ledger::open(&store.location()).expect("open");
    ledger.trust_add(&k.public().to_pem()).expect("trust");
    let (m1, d1) = sealed(dir.path(), "D1", &[("a.jsonl", "{\"id\":1}\n")], &k);
    let (m2, d2) = sealed(dir.path(), "D2", &[("b.jsonl", "{\"id\":2}\n")], &k);
    let (m3, d3) = sealed(dir.path(), "D3", &[("c.jsonl", "{\"id\":3}\n")], &k);
    let a = signed(
        &run_statement(
            "/envs/e1",
            &[("LiteLLM", "1.82.8"), ("requests", "2.32.3")],
            &[("D1", &d1)],
            &[("D2", &d2)],
            "2026-03-24T10:00:00Z",
            "2026-03-24T10:05:00Z",
        ),
        &k,
    );
    let b = signed(
        &run_statement(
            "/envs/e2",
            &[("numpy", "2.1.0")],
            &[("D2", &d2)],
            &[("D3", &d3)],
            "2026-03-25T10:00:00Z",
            "2026-03-25T10:05:00Z",
        ),
        &k,
    );
    for doc in [&m1, &m2, &a, &b, &m3] {
        assert!(matches!(
            ledger.add(doc).expect("add"),
            AddOutcome::Stored(_)
        ));
    }
    let id = |bytes: &[u8]| custody_ledger::log::sha256_hex(bytes);
    Story {
        run_a: id(&a),
        run_b: id(&b),
        ledger,
        d1,
        d2,
        d3,
    }
}

mod cases {
    use super::*;

    pub fn migrations_are_recorded(store: &dyn Store) {
        let mut l = Ledger::open(&store.location()).expect("open");
        assert_eq!(l.schema_version().expect("version"), latest());
        assert!(latest() >= 4, "the watch cursor's migration is in");
        drop(l);
        // Opening again applies nothing twice.
        let mut l = Ledger::open(&store.location()).expect("reopen");
        assert_eq!(l.schema_version().expect("version"), latest());
        assert_eq!(
            store.count("SELECT COUNT(*) FROM schema_migrations"),
            latest()
        );
    }

    pub fn add_is_idempotent(store: &dyn Store) {
        let k = key();
        let mut l = Ledger::open(&store.location()).expect("open");
        let pem = k.public().to_pem();
        assert_eq!(l.trust_add(&pem).expect("trust"), AddOutcome::Stored(1));
        assert_eq!(l.trust_add(&pem).expect("trust"), AddOutcome::Duplicate(1));
        let dir = tempfile::tempdir().expect("dir");
        let (m, _) = sealed(dir.path(), "D1", &[("a.jsonl", "{}\n")], &k);
        assert_eq!(l.add(&m).expect("add"), AddOutcome::Stored(2));
        assert_eq!(l.add(&m).expect("add"), AddOutcome::Duplicate(2));
        assert_eq!(store.count("SELECT COUNT(*) FROM events"), 2);
        assert_eq!(store.count("SELECT COUNT(*) FROM dataset_versions"), 1);
    }

    fn refused(l: &mut Ledger, bytes: &[u8]) -> Refusal {
        match l.add(bytes) {
            Err(LedgerError::Refused(r)) => r,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    pub fn refusals_name_the_reason(store: &dyn Store) {
        let (k, stranger) = (key(), key());
        let mut l = Ledger::open(&store.location()).expect("open");
        let st = run_statement(
            "/e",
            &[("x", "1")],
            &[],
            &[("o", &"0".repeat(64))],
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:01Z",
        );
        assert!(matches!(
            refused(&mut l, &signed(&st, &k)),
            Refusal::NoTrustedKeys
        ));
        l.trust_add(&k.public().to_pem()).expect("trust");
        let bare = serde_json::to_vec(&st).expect("json");
        assert!(matches!(refused(&mut l, &bare), Refusal::Unsigned(_)));
        match refused(&mut l, &signed(&st, &stranger)) {
            Refusal::BadSignature(d) => assert!(d.contains("verifies with none"), "{d}"),
            other => panic!("{other:?}"),
        }
        let mut other = st.clone();
        other["predicateType"] = "https://example.com/other/v1".into();
        match refused(&mut l, &signed(&other, &k)) {
            Refusal::UnknownKind(d) => assert!(d.contains("example.com/other"), "{d}"),
            r => panic!("{r:?}"),
        }
        let mut build = st.clone();
        build["predicate"]["buildDefinition"]["buildType"] = "https://example.com/ci".into();
        assert!(matches!(
            refused(&mut l, &signed(&build, &k)),
            Refusal::UnknownKind(_)
        ));
        assert!(matches!(
            refused(&mut l, b"not json"),
            Refusal::Malformed(_)
        ));
        // Only the trusted key was stored.
        assert_eq!(store.count("SELECT COUNT(*) FROM events"), 1);
    }

    /// Downstream steps are read level by level in bulk: a third run
    /// (in E3) reading D3 and writing D4, and a fourth (in E4) reading D4
    /// and writing D5, are found with their whole path.
    pub fn impact_follows_a_chain_several_steps_deep(store: &dyn Store) {
        let mut s = story(store);
        let dir = tempfile::tempdir().expect("temp dir");
        let k = key();
        s.ledger.trust_add(&k.public().to_pem()).expect("trust");
        let (m4, d4) = sealed(dir.path(), "D4", &[("d.jsonl", "{\"id\":4}\n")], &k);
        let (m5, d5) = sealed(dir.path(), "D5", &[("e.jsonl", "{\"id\":5}\n")], &k);
        let step = |env: &str, read: (&str, &str), wrote: (&str, &str), day: u8| {
            signed(
                &run_statement(
                    env,
                    &[("numpy", "2.1.0")],
                    &[read],
                    &[wrote],
                    &format!("2026-03-{day}T10:00:00Z"),
                    &format!("2026-03-{day}T10:05:00Z"),
                ),
                &k,
            )
        };
        let third = step("/envs/e3", ("D3", &s.d3), ("D4", &d4), 26);
        let fourth = step("/envs/e4", ("D4", &d4), ("D5", &d5), 27);
        for doc in [&m4, &third, &fourth, &m5] {
            s.ledger.add(doc).expect("add");
        }
        let query = [PackageVersion::new(LITELLM, "1.82.8")];
        let i = s.ledger.impact(&query, &Window::default()).expect("impact");
        let names: Vec<String> = i
            .downstream
            .iter()
            .flat_map(|a| a.datasets.iter().map(|v| v.name.clone()))
            .collect();
        assert_eq!(names, ["D3", "D4", "D5"]);
        let run_c = custody_ledger::log::sha256_hex(&third);
        let run_d = custody_ledger::log::sha256_hex(&fourth);
        let runs_on_path: Vec<&str> = i.downstream[2]
            .path
            .iter()
            .filter_map(|p| match p {
                Step::Run { id } => Some(id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            runs_on_path,
            [
                s.run_a.as_str(),
                s.run_b.as_str(),
                run_c.as_str(),
                run_d.as_str()
            ]
        );
        assert_eq!(i.downstream[2].digest, d5);
    }

    #[expect(clippy::many_single_char_names, reason = "short names in a long test")]
    pub fn impact_and_lineage_follow_the_graph(store: &dyn Store) {
        let mut s = story(store);
        let q = [PackageVersion::new(LITELLM, "1.82.8")];
        let i = s.ledger.impact(&q, &Window::default()).expect("impact");
        assert_eq!(i.environments.len(), 1);
        assert_eq!(i.environments[0].prefix, "/envs/e1");
        let runs: Vec<_> = i.runs.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(runs, [s.run_a.as_str()]);
        assert_eq!(i.runs[0].started_at, "2026-03-24T10:00:00Z");
        let names = |h: &[custody_ledger::ArtifactHit]| -> Vec<String> {
            h.iter()
                .flat_map(|a| a.datasets.iter().map(|d| d.name.clone()))
                .collect()
        };
        assert_eq!(names(&i.exposed), ["D1"]);
        assert_eq!(names(&i.written), ["D2"]);
        assert_eq!(names(&i.downstream), ["D3"]);
        assert_eq!(i.exposed[0].digest, s.d1);
        assert_eq!(
            i.downstream[0].path,
            vec![
                Step::Package {
                    name: LITELLM.into(),
                    version: "1.82.8".into()
                },
                Step::Environment {
                    id: i.environments[0].id.clone(),
                    prefix: "/envs/e1".into()
                },
                Step::Run {
                    id: s.run_a.clone()
                },
                Step::Wrote {
                    digest: s.d2.clone()
                },
                Step::Run {
                    id: s.run_b.clone()
                },
                Step::Wrote {
                    digest: s.d3.clone()
                },
            ]
        );
        // Every version stored, and a serialisable answer.
        let versions = s.ledger.package_versions("LiteLLM").expect("versions");
        assert_eq!(versions, ["1.82.8"]);
        let any: Vec<_> = versions
            .iter()
            .map(|v| PackageVersion::new(LITELLM, v))
            .collect();
        let j = serde_json::to_value(s.ledger.impact(&any, &Window::default()).expect("impact"))
            .expect("json");
        assert_eq!(j["downstream"][0]["datasets"][0]["name"], "D3");
        // A window before the run, another version, a package in no environment.
        let before = Window {
            since: None,
            until: Some("2026-03-01T00:00:00Z".parse().expect("ts")),
        };
        let w = s.ledger.impact(&q, &before).expect("impact");
        assert_eq!(
            (w.environments.len(), w.runs.len(), w.written.len()),
            (1, 0, 0)
        );
        assert!(
            s.ledger
                .package_versions("torch")
                .expect("versions")
                .is_empty()
        );
        for q in [vec![PackageVersion::new(LITELLM, "1.82.6")], vec![]] {
            let e = s.ledger.impact(&q, &Window::default()).expect("impact");
            assert!(e.environments.is_empty() && e.runs.is_empty() && e.downstream.is_empty());
        }
        let lin = s.ledger.lineage("D2", &s.d2).expect("lineage");
        assert_eq!(lin.sealed.as_ref().map(|d| d.file_count), Some(1));
        assert_eq!(lin.upstream.len(), 1);
        assert_eq!(
            (
                lin.upstream[0].run.as_str(),
                lin.upstream[0].read.1.as_str()
            ),
            (s.run_a.as_str(), s.d1.as_str())
        );
        assert_eq!(lin.downstream.len(), 1);
        assert_eq!(lin.downstream[0].wrote.1, s.d3);
        let up = s.ledger.lineage("D3", &s.d3).expect("lineage");
        let depths: Vec<_> = up
            .upstream
            .iter()
            .map(|e| (e.depth, e.read.1.clone()))
            .collect();
        assert_eq!(depths, [(1, s.d2.clone()), (2, s.d1.clone())]);
    }

    pub fn verify_passes_on_an_untouched_ledger(store: &dyn Store) {
        let mut s = story(store);
        let r = s.ledger.verify().expect("verify");
        assert!(r.ok(), "{r:?}");
        assert_eq!(r.events, 6);
    }

    pub fn verify_names_an_edited_event(store: &dyn Store) {
        let mut s = story(store);
        store.raw("UPDATE events SET body = body || ' ' WHERE seq = 4");
        let r = s.ledger.verify().expect("verify");
        assert_eq!(r.chain, Some(ChainFault::Edited { seq: 4 }));
    }

    pub fn verify_names_a_deleted_event(store: &dyn Store) {
        let mut s = story(store);
        store.raw("DELETE FROM events WHERE seq = 3");
        let r = s.ledger.verify().expect("verify");
        assert_eq!(
            r.chain,
            Some(ChainFault::Deleted {
                missing_from: 3,
                missing_to: 3
            })
        );
        // D2's manifest (event 3) is gone from the log: its row is named.
        assert!(
            r.tables
                .iter()
                .any(|t| t.table == "dataset_versions" && t.expected.is_none()),
            "{r:?}"
        );
    }

    pub fn verify_names_a_reordered_event(store: &dyn Store) {
        let mut s = story(store);
        store.raw(
            "UPDATE events SET seq = -1 WHERE seq = 4; \
             UPDATE events SET seq = 4 WHERE seq = 5; \
             UPDATE events SET seq = 5 WHERE seq = -1;",
        );
        let r = s.ledger.verify().expect("verify");
        assert_eq!(
            r.chain,
            Some(ChainFault::Reordered {
                seq: 4,
                written_at: 5
            })
        );
    }

    pub fn verify_names_an_edited_derived_row(store: &dyn Store) {
        let mut s = story(store);
        store.raw("UPDATE environment_packages SET version = '1.82.6' WHERE name = 'litellm'");
        store.raw(&format!(
            "DELETE FROM run_outputs WHERE run = '{}'",
            s.run_b
        ));
        let r = s.ledger.verify().expect("verify");
        assert_eq!(r.chain, None);
        let faults: Vec<_> = r
            .tables
            .iter()
            .map(|t| {
                (
                    t.table,
                    t.key.get(1).cloned().unwrap_or_default(),
                    t.stored.is_some(),
                    t.expected.is_some(),
                )
            })
            .collect();
        assert_eq!(
            faults,
            [
                ("environment_packages", "litellm".to_owned(), true, false),
                ("environment_packages", "litellm".to_owned(), false, true),
                ("run_outputs", "0".to_owned(), false, true),
            ],
            "{r:?}"
        );
    }

    pub fn a_failed_ingest_leaves_nothing(store: &dyn Store) {
        let k = key();
        let mut l = Ledger::open(&store.location()).expect("open");
        l.trust_add(&k.public().to_pem()).expect("trust");
        store.raw(store.failing_trigger());
        let st = run_statement(
            "/e",
            &[("x", "1")],
            &[("i", &"1".repeat(64))],
            &[("o", &"0".repeat(64))],
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:01Z",
        );
        let doc = signed(&st, &k);
        match l.add(&doc) {
            Err(LedgerError::Storage { detail, .. }) => {
                assert!(detail.contains("injected fault"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        for table in [
            "events",
            "runs",
            "run_inputs",
            "environments",
            "environment_packages",
        ] {
            let want = i64::from(table == "events");
            assert_eq!(
                store.count(&format!("SELECT COUNT(*) FROM {table}")),
                want,
                "{table}"
            );
        }
        store.raw(store.drop_trigger());
        assert_eq!(l.add(&doc).expect("add"), AddOutcome::Stored(2));
        assert!(l.verify().expect("verify").ok());
    }

    pub fn checkpoints_catch_a_truncated_or_rewritten_log(store: &dyn Store) {
        let mut s = story(store);
        let signer = key();
        s.ledger
            .trust_add(&signer.public().to_pem())
            .expect("trust");
        let c = s.ledger.checkpoint(&signer).expect("checkpoint");
        assert_eq!(c.tree_size, 7);
        let r = s.ledger.verify().expect("verify");
        assert!(r.ok() && r.checkpoints == 1, "{r:?}");
        // Deleting the last event leaves an intact chain: the checkpoint
        // names it.
        store.raw("DELETE FROM events WHERE seq = 7");
        let r = s.ledger.verify().expect("verify");
        assert_eq!(r.chain, None);
        assert_eq!(r.checkpoint_faults.len(), 1, "{r:?}");
        assert!(
            r.checkpoint_faults[0].reason.contains("the log has 6"),
            "{r:?}"
        );
        // A forged checkpoint row does not verify.
        store.raw(
            "UPDATE checkpoints SET envelope = REPLACE(envelope, '\"sig\":\"', '\"sig\":\"A')",
        );
        let r = s.ledger.verify().expect("verify");
        assert!(
            r.checkpoint_faults[0].reason.starts_with("signature"),
            "{r:?}"
        );
    }

    pub fn a_bundled_manifest_is_read(store: &dyn Store) {
        let k = key();
        let mut l = Ledger::open(&store.location()).expect("open");
        l.trust_add(&k.public().to_pem()).expect("trust");
        let dir = tempfile::tempdir().expect("dir");
        let (m, root) = common::docs::sealed_as(
            custody_seal::seal::Container::Bundle,
            dir.path(),
            "D9",
            &[("x.jsonl", "{}\n")],
            &k,
        );
        assert_eq!(l.add(&m).expect("add"), AddOutcome::Stored(2));
        let lin = l.lineage("D9", &root).expect("lineage");
        assert_eq!(lin.sealed.map(|d| d.name), Some("D9".to_owned()));
    }

    /// A recorded scan names the environment a run in it names (same
    /// prefix, same packages): impact finds one environment, its run, and
    /// when the scan saw it. A subject that does not state its source is
    /// refused even though signed.
    pub fn a_scan_inventory_joins_runs_of_its_environment(store: &dyn Store) {
        let k = key();
        let mut l = Ledger::open(&store.location()).expect("open");
        l.trust_add(&k.public().to_pem()).expect("trust");
        let packages = [("litellm", "1.82.8"), ("six", "1.16.0")];
        let inv = common::docs::inventory_statement("/envs/e1", &packages, None);
        assert_eq!(
            l.add(&signed(&inv, &k)).expect("add"),
            AddOutcome::Stored(2)
        );
        assert_eq!(
            l.add(&signed(&inv, &k)).expect("again"),
            AddOutcome::Duplicate(2)
        );
        let run = run_statement(
            "/envs/e1",
            &packages,
            &[],
            &[],
            "2026-03-24T10:00:00Z",
            "2026-03-24T10:05:00Z",
        );
        assert_eq!(
            l.add(&signed(&run, &k)).expect("run"),
            AddOutcome::Stored(3)
        );
        let i = l
            .impact(
                &[PackageVersion::new("LiteLLM", "1.82.8")],
                &Window::default(),
            )
            .expect("impact");
        assert_eq!(i.environments.len(), 1, "{i:?}");
        assert_eq!(i.environments[0].prefix, "/envs/e1");
        assert_eq!(i.runs.len(), 1);
        assert_eq!(
            store.count("SELECT COUNT(*) FROM environment_scans WHERE kind = 'environment'"),
            1
        );
        // Signed, but its subject's digest is not the environment's identity.
        let forged =
            common::docs::inventory_statement("/envs/e2", &packages, Some(&"00".repeat(32)));
        match l.add(&signed(&forged, &k)) {
            Err(LedgerError::Refused(Refusal::Malformed(m))) => {
                assert!(m.contains("does not state source \"/envs/e2\""), "{m}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(l.verify().expect("verify").ok());
    }

    /// A vetting index's decisions: stored once signed by a trusted key,
    /// one row per decision about a release, rebuilt by `verify`; subjects
    /// that are not the files served are refused, and so is a key the
    /// ledger does not trust, leaving nothing behind.
    pub fn index_decisions_are_stored_only_when_signed_and_consistent(store: &dyn Store) {
        let k = key();
        let mut l = Ledger::open(&store.location()).expect("open");
        l.trust_add(&k.public().to_pem()).expect("trust");
        let inv = common::docs::inventory_statement(
            "/envs/e1",
            &[("idna", "2.7"), ("litellm", "1.82.8")],
            None,
        );
        assert_eq!(
            l.add(&signed(&inv, &k)).expect("inventory"),
            AddOutcome::Stored(2)
        );
        let served = "ab".repeat(32);
        let decisions = serde_json::json!([
            {"time": "2026-11-23T12:00:00Z", "action": "hidden", "code": "malicious",
             "reason": "litellm 1.82.8: MAL-2026-2144", "project": "LiteLLM", "version": "1.82.8",
             "filename": "litellm-1.82.8-py3-none-any.whl", "sha256": "cd".repeat(32)},
            {"time": "2026-11-23T12:00:01Z", "action": "allowed", "code": "allowed",
             "reason": "clean", "project": "idna", "version": "2.7",
             "filename": "idna-2.7-py2.py3-none-any.whl", "sha256": served,
             "status": 200, "inspected": true},
            {"time": "2026-11-23T12:00:02Z", "action": "fault", "code": "bad-path",
             "reason": "..", "status": 400},
        ]);
        let statement = |subjects: serde_json::Value| {
            serde_json::json!({
                "_type": "https://in-toto.io/Statement/v1",
                "subject": subjects,
                "predicateType": "https://custody.dev/index-decisions/v1",
                "predicate": {
                    "index": {"upstream": "https://pypi.org/simple/", "policy": {}},
                    "session": {"kind": "guard", "started": "2026-11-23T12:00:00Z",
                                "ended": "2026-11-23T12:00:03Z"},
                    "decisions": decisions,
                },
            })
        };
        let good = statement(serde_json::json!([
            {"name": "idna-2.7-py2.py3-none-any.whl", "digest": {"sha256": served}}
        ]));
        // Not trusted: refused, nothing stored.
        let stranger = key();
        assert!(matches!(
            l.add(&signed(&good, &stranger)),
            Err(LedgerError::Refused(Refusal::BadSignature(_)))
        ));
        // Subjects other than the files served: refused though signed.
        let forged = statement(serde_json::json!([
            {"name": "idna-2.7-py2.py3-none-any.whl", "digest": {"sha256": "00".repeat(32)}}
        ]));
        match l.add(&signed(&forged, &k)) {
            Err(LedgerError::Refused(Refusal::Malformed(m))) => {
                assert!(m.contains("not the files the decisions served"), "{m}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(store.count("SELECT COUNT(*) FROM gate_decisions"), 0);
        assert_eq!(
            l.add(&signed(&good, &k)).expect("add"),
            AddOutcome::Stored(3)
        );
        assert_eq!(
            store.count("SELECT COUNT(*) FROM gate_decisions"),
            2,
            "the fault about no release is not a row"
        );
        let env = l.environment("/envs/e1").expect("env").expect("known");
        let found = l.gate_decisions(&env.id).expect("decisions");
        let rows: Vec<(&str, &str, &str, bool)> = found
            .iter()
            .map(|d| {
                (
                    d.project.as_str(),
                    d.version.as_str(),
                    d.action.as_str(),
                    d.served(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("litellm", "1.82.8", "hidden", false),
                ("idna", "2.7", "allowed", true)
            ]
        );
        assert!(l.verify().expect("verify").ok());
    }

    /// An inventory of two environments whose first is already stored
    /// (by a run) stores the second and its packages; verify agrees.
    pub fn an_inventory_adds_new_environments_beside_known_ones(store: &dyn Store) {
        let k = key();
        let mut l = Ledger::open(&store.location()).expect("open");
        l.trust_add(&k.public().to_pem()).expect("trust");
        let e1 = [("litellm", "1.82.8")];
        let run = run_statement(
            "/envs/e1",
            &e1,
            &[],
            &[],
            "2026-03-24T10:00:00Z",
            "2026-03-24T10:05:00Z",
        );
        l.add(&signed(&run, &k)).expect("run");
        let mut inv = common::docs::inventory_statement("/envs/e1", &e1, None);
        let e2 = common::docs::inventory_statement("/envs/e2", &[("numpy", "2.1.0")], None);
        let (subject, source) = (
            e2["subject"][0].clone(),
            e2["predicate"]["sources"][0].clone(),
        );
        inv["subject"]
            .as_array_mut()
            .expect("subjects")
            .push(subject);
        inv["predicate"]["sources"]
            .as_array_mut()
            .expect("sources")
            .push(source);
        l.add(&signed(&inv, &k)).expect("inventory");
        let i = l
            .impact(&[PackageVersion::new("numpy", "2.1.0")], &Window::default())
            .expect("impact");
        assert_eq!(i.environments.len(), 1, "{i:?}");
        assert_eq!(i.environments[0].prefix, "/envs/e2");
        assert_eq!(store.count("SELECT COUNT(*) FROM environments"), 2);
        assert!(l.verify().expect("verify").ok());
    }

    /// Two writers at once, each with its own connection: every document
    /// is stored once and the chain holds.
    pub fn concurrent_writers_are_serialised(store: &dyn Store) {
        let k = key();
        let location = store.location();
        Ledger::open(&location)
            .expect("open")
            .trust_add(&k.public().to_pem())
            .expect("trust");
        let dir = tempfile::tempdir().expect("dir");
        let docs: Vec<Vec<u8>> = (0..20)
            .map(|i| sealed(dir.path(), &format!("D{i}"), &[("a.jsonl", "{}\n")], &k).0)
            .collect();
        std::thread::scope(|scope| {
            for half in docs.chunks(10) {
                let location = location.clone();
                scope.spawn(move || {
                    let mut l = Ledger::open(&location).expect("open");
                    for d in half {
                        l.add(d).expect("add");
                    }
                });
            }
        });
        let mut l = Ledger::open(&location).expect("open");
        let r = l.verify().expect("verify");
        assert!(r.ok(), "{r:?}");
        assert_eq!(r.events, 21);
    }

    /// Four processes' worth of first opens at once on an empty store.
    pub fn concurrent_first_opens_migrate_once(store: &dyn Store) {
        let location = store.location();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                let location = location.clone();
                scope.spawn(move || {
                    let mut l = Ledger::open(&location).expect("open");
                    assert_eq!(l.schema_version().expect("version"), latest());
                });
            }
        });
        assert_eq!(
            store.count("SELECT COUNT(*) FROM schema_migrations"),
            latest()
        );
    }

    /// The assets the story's litellm 1.82.8 affects, as a watcher keys
    /// them (kind, asset), each once.
    fn affected(l: &mut Ledger) -> Vec<(String, String)> {
        let selected: Vec<PackageVersion> = l
            .installed_packages()
            .expect("installed")
            .into_iter()
            .filter(|p| p.name == LITELLM && p.version == "1.82.8")
            .collect();
        let impact = l.impact(&selected, &Window::default()).expect("impact");
        let mut out = Vec::new();
        out.extend(
            impact
                .environments
                .iter()
                .map(|e| ("environment".to_owned(), e.id.clone())),
        );
        out.extend(impact.runs.iter().map(|r| ("run".to_owned(), r.id.clone())));
        for (kind, hits) in [
            ("exposed", &impact.exposed),
            ("written", &impact.written),
            ("downstream", &impact.downstream),
        ] {
            out.extend(hits.iter().map(|h| (kind.to_owned(), h.digest.clone())));
        }
        out.sort();
        out.dedup();
        out
    }

    /// What `watcher` has not emitted yet of `assets`, marked as emitted.
    fn evaluate(l: &mut Ledger, watcher: &str) -> Vec<(String, String)> {
        let assets = affected(l);
        let done = l.emitted(watcher).expect("emitted");
        let new: Vec<(String, String)> = assets
            .iter()
            .filter(|(kind, asset)| {
                !done.contains(&AssetKey {
                    advisory: "MAL-2026-2144".into(),
                    kind: kind.clone(),
                    asset: asset.clone(),
                })
            })
            .cloned()
            .collect();
        let marks: Vec<Emitted> = new
            .iter()
            .map(|(kind, asset)| Emitted {
                key: AssetKey {
                    advisory: "MAL-2026-2144".into(),
                    kind: kind.clone(),
                    asset: asset.clone(),
                },
                event_id: format!("{kind}:{asset}"),
            })
            .collect();
        assert_eq!(
            l.mark_emitted(watcher, &marks).expect("mark"),
            marks.len() as u64
        );
        new
    }

    pub fn watch_cursor_emits_each_asset_once(store: &dyn Store) {
        let mut s = story(store);
        let l = &mut s.ledger;
        let installed = l.installed_packages().expect("installed");
        assert!(
            installed.contains(&PackageVersion::new("litellm", "1.82.8")),
            "{installed:?}"
        );
        assert!(
            installed.contains(&PackageVersion::new("numpy", "2.1.0")),
            "{installed:?}"
        );

        let first = evaluate(l, "ci");
        // E1, run A, D1 read, D2 written, D3 downstream.
        assert_eq!(first.len(), 5, "{first:?}");
        assert!(first.contains(&("run".into(), s.run_a.clone())));
        assert!(first.contains(&("exposed".into(), s.d1.clone())));
        assert!(first.contains(&("written".into(), s.d2.clone())));
        assert!(first.contains(&("downstream".into(), s.d3.clone())));
        assert!(!first.iter().any(|(_, a)| *a == s.run_b));
        // Nothing new: nothing emitted.
        assert!(evaluate(l, "ci").is_empty());
        // Another watcher has its own cursor.
        assert_eq!(evaluate(l, "soc").len(), 5);

        // A new run in E1 is new, and only it (and what only it touched).
        let dir = tempfile::tempdir().expect("dir");
        let k = key();
        l.trust_add(&k.public().to_pem()).expect("trust");
        let (m4, d4) = sealed(dir.path(), "D4", &[("d.jsonl", "{\"id\":4}\n")], &k);
        let c = signed(
            &run_statement(
                "/envs/e1",
                &[("LiteLLM", "1.82.8"), ("requests", "2.32.3")],
                &[("D1", &s.d1)],
                &[("D4", &d4)],
                "2026-03-26T10:00:00Z",
                "2026-03-26T10:05:00Z",
            ),
            &k,
        );
        l.add(&m4).expect("add");
        l.add(&c).expect("add");
        let run_c = custody_ledger::log::sha256_hex(&c);
        let next = evaluate(l, "ci");
        assert_eq!(
            next,
            vec![
                ("run".to_owned(), run_c),
                ("written".to_owned(), d4.clone())
            ],
            "only the new run and what it wrote"
        );
        assert!(evaluate(l, "ci").is_empty());
        assert_eq!(
            store.count("SELECT COUNT(*) FROM watch_emitted WHERE watcher = 'ci'"),
            7
        );

        // The cursor is state, not evidence: verify stays clean.
        let report = l.verify().expect("verify");
        assert!(report.ok(), "{report:?}");
    }

    /// Two connections marking the same assets at once: every row once,
    /// the new-row counts add up to the assets, both succeed.
    pub fn watch_marks_race_to_one_row(store: &dyn Store) {
        drop(Ledger::open(&store.location()).expect("open"));
        let marks: Vec<Emitted> = (0..50)
            .map(|i| Emitted {
                key: AssetKey {
                    advisory: "MAL-1".into(),
                    kind: "run".into(),
                    asset: format!("r{i}"),
                },
                event_id: format!("e{i}"),
            })
            .collect();
        let location = store.location();
        let barrier = std::sync::Barrier::new(2);
        let counts: Vec<u64> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        let mut l = Ledger::open(&location).expect("open");
                        barrier.wait();
                        l.mark_emitted("ci", &marks).expect("mark")
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        assert_eq!(counts.iter().sum::<u64>(), 50, "{counts:?}");
        assert_eq!(store.count("SELECT COUNT(*) FROM watch_emitted"), 50);
    }
}
