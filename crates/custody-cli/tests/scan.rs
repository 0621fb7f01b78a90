//! `custody scan` end to end: the real binary on real fixtures and the real
//! PyPA database from ../shared.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use common::{custody_run, finding_ids, fixture, imported_home, json};

/// Findings every lockfile of the fixture project must produce (the
/// resolvers agree on these pins).
const CORE: &[(&str, &str, &str)] = &[
    ("idna", "2.7", "PYSEC-2024-60"),
    ("jinja2", "2.10", "PYSEC-2019-217"),
    ("jinja2", "2.10", "PYSEC-2021-66"),
    ("pyyaml", "5.3", "PYSEC-2020-96"),
    ("pyyaml", "5.3", "PYSEC-2021-142"),
    ("requests", "2.19.1", "PYSEC-2018-28"),
    ("requests", "2.19.1", "PYSEC-2023-74"),
];

#[test]
fn every_lockfile_format_reports_the_known_vulnerabilities() {
    let home = imported_home();
    for rel in [
        "lockfiles/requirements/requirements.txt",
        "lockfiles/uv/uv.lock",
        "lockfiles/pylock/uv/pylock.toml",
        "lockfiles/pylock/pip/pylock.toml",
        "lockfiles/poetry-1.8/poetry.lock",
        "lockfiles/poetry-2/poetry.lock",
        "lockfiles/pipenv/Pipfile.lock",
        "lockfiles/pdm/pdm.lock",
    ] {
        let r = custody_run(
            home.path(),
            &["scan", fixture(rel).to_str().unwrap(), "--format", "json"],
        );
        assert_eq!(r.code, 1, "{rel}: findings exit 1; stderr: {}", r.stderr);
        let ids = finding_ids(&json(&r));
        for (p, v, id) in CORE {
            assert!(
                ids.contains(&((*p).to_owned(), (*v).to_owned(), (*id).to_owned())),
                "{rel}: missing {p} {v} {id}; got {ids:?}"
            );
        }
    }
}

#[test]
fn aliases_collapse_into_one_finding() {
    let home = imported_home();
    let r = custody_run(
        home.path(),
        &[
            "scan",
            fixture("lockfiles/uv/uv.lock").to_str().unwrap(),
            "-f",
            "json",
        ],
    );
    let report = json(&r);
    let mut seen = std::collections::BTreeSet::new();
    for f in report["findings"].as_array().unwrap() {
        let key = (
            f["package"].as_str().unwrap(),
            f["version"].as_str().unwrap(),
        );
        for id in std::iter::once(&f["id"]).chain(f["aliases"].as_array().unwrap()) {
            assert!(
                seen.insert((key, id.as_str().unwrap().to_owned())),
                "{id} reported twice for {key:?}"
            );
        }
    }
    let req = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "PYSEC-2018-28")
        .unwrap();
    assert_eq!(
        req["aliases"],
        serde_json::json!(["CVE-2018-18074", "GHSA-x84v-xcm2-53pg"])
    );
    assert_eq!(
        req["fixed"],
        serde_json::json!(["2.20.0"]),
        "only release versions, no git commits"
    );
}

#[test]
fn embedded_records_catch_compromised_releases_with_nothing_imported() {
    let home = tempfile::tempdir().unwrap();
    let r = custody_run(home.path(), &["scan", "examples/demo"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("demo_table_embedded", r.stdout);
    assert!(
        r.stderr.contains("no advisory database imported"),
        "{}",
        r.stderr
    );
}

#[test]
fn json_report_snapshot() {
    let home = imported_home();
    let r = custody_run(
        home.path(),
        &["scan", "fixtures/lockfiles/uv/uv.lock", "--format", "json"],
    );
    assert_eq!(r.code, 1);
    let mut report = json(&r);
    // The database block names temp paths and import times: check its shape, then drop it.
    let db = report["database"].take();
    assert_eq!(db["imported"], true);
    assert_eq!(db["sources"].as_array().unwrap().len(), 2);
    insta::assert_json_snapshot!("uv_lock_json", report);
}

#[test]
fn table_snapshot_with_imported_database() {
    let home = imported_home();
    let r = custody_run(
        home.path(),
        &["scan", "fixtures/lockfiles/pipenv/Pipfile.lock"],
    );
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("pipfile_table", r.stdout);
}

#[test]
fn malicious_records_from_osv_match_with_iocs() {
    let home = imported_home();
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("requirements.txt");
    std::fs::write(
        &req,
        "litellm==1.82.7\ntelnyx==4.87.2\nlightning==2.6.3\nnum2words==0.5.16\nlitellm==1.82.6\n",
    )
    .unwrap();
    let r = custody_run(home.path(), &["scan", req.to_str().unwrap(), "-f", "json"]);
    assert_eq!(r.code, 1);
    let report = json(&r);
    let ids = finding_ids(&report);
    assert_eq!(
        ids,
        vec![
            ("lightning".into(), "2.6.3".into(), "MAL-2026-3201".into()),
            ("litellm".into(), "1.82.7".into(), "MAL-2026-2144".into()),
            ("num2words".into(), "0.5.16".into(), "MAL-2025-6794".into()),
            ("telnyx".into(), "4.87.2".into(), "MAL-2026-2254".into()),
        ]
    );
    let litellm = &report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"] == "litellm")
        .unwrap();
    assert_eq!(litellm["malicious"], true);
    assert_eq!(litellm["severity"], "critical");
    assert_eq!(
        litellm["advisory_sources"],
        serde_json::json!(["database"]),
        "imported replaces embedded"
    );
    assert!(
        litellm["iocs"]["domains"]
            .as_array()
            .unwrap()
            .contains(&"litellm.cloud".into())
    );
}

#[test]
fn malicious_always_fails_even_with_fail_on_critical_only_for_them() {
    let home = imported_home();
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("requirements.txt");
    std::fs::write(&req, "requests==2.19.1\n").unwrap();
    let r = custody_run(
        home.path(),
        &["scan", req.to_str().unwrap(), "--fail-on", "critical"],
    );
    assert_eq!(
        r.code, 0,
        "no critical findings in requests 2.19.1: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains("PYSEC-2018-28"),
        "findings are still shown"
    );
    std::fs::write(&req, "requests==2.19.1\nnum2words==0.5.15\n").unwrap();
    let r = custody_run(
        home.path(),
        &["scan", req.to_str().unwrap(), "--fail-on", "critical"],
    );
    assert_eq!(r.code, 1);
}

#[test]
fn unknown_severity_counts_as_high_and_low_threshold_catches_medium() {
    let home = imported_home();
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("requirements.txt");
    // PYSEC-2018-28 has no score: unknown, gated as high.
    std::fs::write(&req, "requests==2.19.1\n").unwrap();
    assert_eq!(
        custody_run(home.path(), &["scan", req.to_str().unwrap()]).code,
        1
    );
    // Nothing affects requests 2.32.3 in the 2024 snapshot.
    std::fs::write(&req, "requests==2.32.3\n").unwrap();
    let r = custody_run(home.path(), &["scan", req.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("no known issues in 1 checked package versions"),
        "{}",
        r.stdout
    );

    // A package whose only finding is medium (CVSS 3.1 base score 5.3):
    // `--fail-on medium` and `low` fail with 1 (findings), `high` (the
    // default) passes with 0.
    let home = tempfile::tempdir().unwrap();
    let osv = tempfile::tempdir().unwrap();
    std::fs::write(
        osv.path().join("PYSEC-2099-50.json"),
        r#"{"id":"PYSEC-2099-50","modified":"2026-11-01T00:00:00Z","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"}],"affected":[{"package":{"ecosystem":"PyPI","name":"mediumpkg"},"versions":["1.0"]}]}"#,
    )
    .unwrap();
    let import = custody_run(home.path(), &["db", "import", osv.path().to_str().unwrap()]);
    assert_eq!(import.code, 0, "{}", import.stderr);
    std::fs::write(&req, "mediumpkg==1.0\n").unwrap();
    let j = json(&custody_run(
        home.path(),
        &["scan", req.to_str().unwrap(), "-f", "json"],
    ));
    let findings = j["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{j}");
    assert_eq!(findings[0]["id"], "PYSEC-2099-50");
    assert_eq!(findings[0]["severity"], "medium", "{j}");
    for (threshold, code) in [("low", 1), ("medium", 1), ("high", 0), ("critical", 0)] {
        let r = custody_run(
            home.path(),
            &["scan", req.to_str().unwrap(), "--fail-on", threshold],
        );
        assert_eq!(
            r.code, code,
            "--fail-on {threshold}: {}{}",
            r.stdout, r.stderr
        );
    }
    let r = custody_run(home.path(), &["scan", req.to_str().unwrap()]);
    assert_eq!(r.code, 0, "the default threshold is high: {}", r.stdout);
}

#[test]
fn unchecked_packages_are_never_reported_as_clean() {
    let home = imported_home();
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("requirements.txt");
    std::fs::write(&req, "requests>=2\nflask\n").unwrap();
    let r = custody_run(home.path(), &["scan", req.to_str().unwrap()]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("2 NOT checked"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("no known issues in 0 checked package versions"),
        "{}",
        r.stdout
    );
    let j = json(&custody_run(
        home.path(),
        &["scan", req.to_str().unwrap(), "-f", "json"],
    ));
    assert_eq!(j["summary"]["unchecked"], 2);
}

#[test]
fn sarif_output_is_sarif_2_1_0() {
    let home = imported_home();
    let r = custody_run(
        home.path(),
        &["scan", "fixtures/lockfiles/uv/uv.lock", "--format", "sarif"],
    );
    assert_eq!(r.code, 1);
    let s = json(&r);
    assert_eq!(s["version"], "2.1.0");
    let run = &s["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 15);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for res in results {
        let idx = usize::try_from(res["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        assert_eq!(
            res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "fixtures/lockfiles/uv/uv.lock"
        );
    }
}
