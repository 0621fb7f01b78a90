//! `custody scan` on the inventory cases of issue 13: requirements files pip
//! accepts are scanned, a bad line fails the scan as bad input (exit 2)
//! naming every bad line, local projects are never matched by name, and a
//! `pylock.toml` without `packages` is bad input.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use common::{custody_run, finding_ids, imported_home, json};

fn scan_json(home: &std::path::Path, path: &std::path::Path) -> common::Run {
    custody_run(home, &["scan", path.to_str().unwrap(), "-f", "json"])
}

#[test]
fn requirements_pip_accepts_are_scanned() {
    let home = imported_home();
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("requirements.txt");
    // A BOM, `-C`, `===`, a continuation inside a name: every line pip accepts.
    std::fs::write(
        &req,
        b"\xEF\xBB\xBFreq\\\nuests==2.19.1 -C key=val\nfoo===1.0-custom\nidna===2.7\n",
    )
    .unwrap();
    let r = scan_json(home.path(), &req);
    assert_eq!(r.code, 1, "findings exit 1: {}", r.stderr);
    let ids = finding_ids(&json(&r));
    assert!(
        ids.contains(&("requests".into(), "2.19.1".into(), "PYSEC-2018-28".into())),
        "{ids:?}"
    );
    assert!(
        ids.contains(&("idna".into(), "2.7".into(), "PYSEC-2024-60".into())),
        "{ids:?}"
    );
    let j = json(&r);
    let unchecked = j["unchecked"].as_array().unwrap();
    assert!(
        unchecked
            .iter()
            .any(|u| u["package"] == "foo" && u["version"] == "1.0-custom"),
        "a non-PEP 440 `===` pin is listed, not dropped: {unchecked:?}"
    );
}

#[test]
fn a_bad_line_is_bad_input_naming_every_bad_line() {
    let home = imported_home();
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("requirements.txt");
    std::fs::write(
        &req,
        "requests==2.19.1\nfoo==>1\nidna==2.7\n--bogus\nsix==1.16.0\n",
    )
    .unwrap();
    let r = custody_run(home.path(), &["scan", req.to_str().unwrap()]);
    assert_eq!(r.code, 2, "bad input, not findings: {}", r.stderr);
    // The bad lines do not hide the others: those are scanned and reported.
    assert!(r.stdout.contains("PYSEC-2018-28"), "{}", r.stdout);
    assert!(r.stdout.contains("PYSEC-2024-60"), "{}", r.stdout);
    assert!(
        r.stderr.contains("2 entries could not be read"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("requirements.txt: line 2: invalid requirement"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("requirements.txt: line 4: no such option: --bogus"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_local_project_sharing_a_pypi_name_is_not_matched() {
    let home = imported_home();
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("uv.lock");
    // The project itself is called `requests` at 2.19.1, a version PyPI's
    // requests has advisories for; idna comes from PyPI.
    std::fs::write(
        &lock,
        r#"version = 1
requires-python = ">=3.11"

[[package]]
name = "requests"
version = "2.19.1"
source = { editable = "." }

[[package]]
name = "jinja2"
version = "2.10"
source = { directory = "libs/jinja2" }

[[package]]
name = "idna"
version = "2.7"
source = { registry = "https://pypi.org/simple" }
"#,
    )
    .unwrap();
    let r = scan_json(home.path(), &lock);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = json(&r);
    let ids = finding_ids(&j);
    assert!(ids.iter().all(|(p, _, _)| p == "idna"), "{ids:?}");
    assert!(!ids.is_empty());
    let unchecked: Vec<(&str, &str)> = j["unchecked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["package"].as_str().unwrap(),
                u["version"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(unchecked, vec![("requests", "2.19.1"), ("jinja2", "2.10")]);
    assert_eq!(j["summary"]["packages"], 3);
    assert_eq!(j["summary"]["checked"], 1);
}

#[test]
fn pylock_without_packages_is_bad_input() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("pylock.toml");
    std::fs::write(&lock, "lock-version = \"1.0\"\ncreated-by = \"x\"\n").unwrap();
    let r = custody_run(home.path(), &["scan", lock.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("pylock.toml"), "{}", r.stderr);
    assert!(r.stderr.contains("`packages`"), "{}", r.stderr);
}

#[test]
fn a_url_wheel_keeps_its_local_version_in_the_report() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("requirements.txt");
    std::fs::write(
        &req,
        "torch @ https://download.pytorch.org/whl/cu121/torch-2.3.0%2Bcu121-cp311-cp311-linux_x86_64.whl\n",
    )
    .unwrap();
    let r = scan_json(home.path(), &req);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = json(&r);
    assert_eq!(j["summary"]["checked"], 1, "the wheel's version is known");
    assert_eq!(j["summary"]["unchecked"], 0);
}
