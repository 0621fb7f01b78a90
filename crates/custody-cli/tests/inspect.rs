//! `custody inspect` end to end on the replicas: verdicts, exit codes, and a
//! bad package that does not stop the batch.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use common::{custody_run, fixture, json};

#[test]
fn malicious_replica_exits_1_and_a_bad_archive_does_not_stop_the_batch() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken-1.0.tar.gz");
    std::fs::write(&bad, b"not an archive").unwrap();
    let r = custody_run(
        home.path(),
        &[
            "inspect",
            "--format",
            "json",
            bad.to_str().unwrap(),
            fixture("inspect/replicas/litellm-1.82.8-py3-none-any.whl")
                .to_str()
                .unwrap(),
            fixture("inspect/replicas/litellm-1.82.6-py3-none-any.whl")
                .to_str()
                .unwrap(),
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = json(&r);
    let verdicts: Vec<_> = j["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["verdict"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(verdicts, vec!["malicious", "clean"]);
    assert!(
        j["errors"][0]["error"]
            .as_str()
            .unwrap()
            .contains("broken-1.0.tar.gz")
    );
}

#[test]
fn clean_package_exits_0_and_unreadable_alone_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let clean = fixture("inspect/replicas/benign_pkg-1.0-py3-none-any.whl");
    assert_eq!(
        custody_run(home.path(), &["inspect", clean.to_str().unwrap()]).code,
        0
    );
    let r = custody_run(home.path(), &["inspect", "/nonexistent/x-1.0.whl"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stdout.contains("ERROR") && r.stdout.contains("/nonexistent/x-1.0.whl"),
        "{}",
        r.stdout
    );
}
