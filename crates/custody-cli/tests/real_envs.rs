//! Real environments scan clean: a data team's virtual environment
//! installed from PyPI by the test (litellm 1.82.6, the release before the
//! compromise, with the scientific stack and the SDKs that tripped the
//! rules before), and the Python installation the tests run with. The
//! 61,661-file environment of issue 13 is measured in bench/scan (too slow
//! to build in CI); see bench/RESULTS.md.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{custody_run, json};

/// The environment, made once with pip from PyPI, kept under `target/test-envs/`.
fn ml_venv() -> PathBuf {
    common::ml_venv()
}

/// `custody scan PATH -f json` in a fresh home (embedded records only: the
/// verdict under test is inspection's), twice: cold, then from the cache.
fn scan_twice(path: &Path) -> (serde_json::Value, serde_json::Value) {
    let home = tempfile::tempdir().unwrap();
    let args = ["scan", path.to_str().unwrap(), "-f", "json"];
    let cold = custody_run(home.path(), &args);
    assert_eq!(cold.code, 0, "{}\n{}", cold.stdout, cold.stderr);
    let warm = custody_run(home.path(), &args);
    assert_eq!(warm.code, 0, "{}\n{}", warm.stdout, warm.stderr);
    (json(&cold), json(&warm))
}

fn assert_clean(report: &serde_json::Value, min_distributions: u64) {
    let inspection = report["inspection"].as_array().unwrap();
    assert!(!inspection.is_empty(), "nothing inspected: {report}");
    for i in inspection {
        assert_eq!(i["verdict"], "clean", "{i:#}");
        assert!(i["reasons"].as_array().unwrap().is_empty(), "{i:#}");
        assert!(i["error"].is_null(), "{i:#}");
    }
    let distributions: u64 = inspection
        .iter()
        .map(|i| i["environment"]["distributions"].as_u64().unwrap())
        .sum();
    assert!(
        distributions >= min_distributions,
        "only {distributions} distributions inspected"
    );
}

#[test]
fn a_data_teams_environment_scans_clean() {
    let venv = ml_venv();
    let (cold, warm) = scan_twice(&venv);
    assert_clean(&cold, 50);
    let env = &cold["inspection"][0]["environment"];
    assert!(env["files"].as_u64().unwrap() > 10_000, "{env}");
    assert!(
        cold["inspection"][0]["unread"].is_null(),
        "{:#}",
        cold["inspection"][0]
    );
    assert_eq!(env["cached"], 0);
    // Unchanged: every distribution's result comes from the cache, same verdict.
    assert_clean(&warm, 50);
    let w = &warm["inspection"][0]["environment"];
    assert_eq!(w["cached"], w["distributions"], "{w}");
}

/// The files the distributions of a prefix list, as Python's own
/// `importlib.metadata` reads them (the oracle for ownership).
fn owned_by_python(prefix: &Path) -> std::collections::HashSet<PathBuf> {
    let script = "import sys, importlib.metadata as m, sysconfig, os\n\
        sp = sysconfig.get_paths(vars={'base': sys.argv[1], 'platbase': sys.argv[1]})\n\
        for d in m.distributions(path=[sp['purelib'], sp['platlib']]):\n\
        \tfor f in d.files or []:\n\
        \t\tprint(os.path.normpath(f.locate()))\n";
    let out = Command::new("python3")
        .args(["-I", "-c", script])
        .arg(prefix)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(PathBuf::from)
        .collect()
}

#[test]
fn the_python_installation_scans_clean_but_for_hooks_no_distribution_lists() {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.base_prefix)"])
        .output()
        .unwrap();
    let prefix = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    let home = tempfile::tempdir().unwrap();
    let r = custody_run(
        home.path(),
        &["scan", prefix.to_str().unwrap(), "-f", "json"],
    );
    let report = json(&r);
    let owned = owned_by_python(&prefix);
    assert!(
        owned.len() > 100,
        "importlib.metadata saw {} files",
        owned.len()
    );
    // A machine may carry start-up hooks its provisioning wrote (this one
    // has `_sandboxing_egress_ca.pth`, which execs code at every start):
    // those, and only those, are implants by custody's rule.
    let mut orphans = 0;
    for i in report["inspection"].as_array().unwrap() {
        let site = PathBuf::from(i["path"].as_str().unwrap());
        for why in i["reasons"].as_array().unwrap() {
            let why = why.as_str().unwrap();
            let file = why
                .strip_prefix("a start-up hook no distribution owns (an implant) (")
                .and_then(|r| r.strip_suffix(')'))
                .unwrap_or_else(|| panic!("a reason other than an unowned hook: {why}"));
            assert!(
                !owned.contains(&site.join(file)),
                "{file} is listed by a distribution: {why}"
            );
            orphans += 1;
        }
        if orphans == 0 {
            assert_eq!(i["verdict"], "clean", "{i:#}");
        }
        assert!(i["error"].is_null(), "{i:#}");
    }
    assert_eq!(r.code, i32::from(orphans != 0), "{}", r.stderr);
}
