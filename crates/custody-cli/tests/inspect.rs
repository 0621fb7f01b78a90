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

/// The whole real malicious corpus (../shared/corpus, read as archives only)
/// in one batch: it completes, nearly every archive is judged, and recall
/// stays at or above the figure measured when the rules were written (bench/RESULTS.md).
#[test]
fn a_batch_over_the_whole_malicious_corpus_completes() {
    let root = common::shared().join("corpus/pypi-malicious-dev");
    let mut paths: Vec<String> = walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| {
            e.file_type().is_file()
                && [".tar.gz", ".tgz", ".zip", ".whl", ".tar.bz2"]
                    .iter()
                    .any(|x| e.file_name().to_string_lossy().ends_with(x))
        })
        .map(|e| e.path().to_string_lossy().into_owned())
        .collect();
    paths.sort();
    assert!(
        paths.len() > 2500,
        "{} archives under {}",
        paths.len(),
        root.display()
    );
    let home = tempfile::tempdir().unwrap();
    let mut args = vec!["inspect".to_owned(), "--format".into(), "json".into()];
    args.extend(paths.iter().cloned());
    let out = common::custody(home.path()).args(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reports = j["reports"].as_array().unwrap();
    let errors = j["errors"].as_array().unwrap();
    assert_eq!(reports.len() + errors.len(), paths.len());
    assert!(errors.len() * 100 <= paths.len(), "{errors:?}");
    let malicious = reports
        .iter()
        .filter(|r| r["verdict"] == "malicious")
        .count();
    eprintln!("{malicious} of {} archives judged malicious", paths.len());
    assert!(
        malicious * 1000 >= paths.len() * 900,
        "recall fell below 90.0%: {malicious} of {}",
        paths.len()
    );
}
