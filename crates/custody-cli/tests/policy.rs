//! custody.toml policy, cooldown and freshness, end to end.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use common::{custody, custody_run, finding_ids, imported_home, json, run};

fn project(requirements: &str, policy: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.txt"), requirements).unwrap();
    if let Some(p) = policy {
        std::fs::write(dir.path().join("custody.toml"), p).unwrap();
    }
    dir
}

#[test]
fn ignore_with_reason_and_future_expiry_applies_by_alias() {
    let home = imported_home();
    let dir = project(
        "jinja2==2.10.1\n",
        Some(
            "[[ignore]]\nid = \"CVE-2020-28493\"\nreason = \"templates are ours, never user input\"\nexpires = 2027-01-31\n",
        ),
    );
    let r = custody_run(
        home.path(),
        &["scan", dir.path().to_str().unwrap(), "-f", "json"],
    );
    let j = json(&r);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(j["summary"]["findings"], 0);
    assert_eq!(j["ignored"][0]["id"], "PYSEC-2021-66");
    assert_eq!(
        j["ignored"][0]["ignore"]["reason"],
        "templates are ours, never user input"
    );
}

#[test]
fn expired_ignore_reports_the_finding_again_and_says_so() {
    let home = imported_home();
    let dir = project(
        "requests==2.19.1\n",
        Some("[[ignore]]\nid = \"PYSEC-2018-28\"\nreason = \"accepted\"\nexpires = 2026-11-01\n"),
    );
    let r = custody_run(
        home.path(),
        &["scan", dir.path().to_str().unwrap(), "-f", "json"],
    );
    assert_eq!(r.code, 1);
    let j = json(&r);
    let f = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "PYSEC-2018-28")
        .unwrap();
    assert_eq!(f["ignore"]["expired"], true);
    assert!(
        r.stderr
            .contains("ignore of PYSEC-2018-28 expired on 2026-11-01"),
        "{}",
        r.stderr
    );
}

#[test]
fn malicious_packages_cannot_be_ignored() {
    let home = tempfile::tempdir().unwrap();
    let dir = project(
        "litellm==1.82.8\n",
        Some("[[ignore]]\nid = \"MAL-2026-2144\"\nreason = \"trust me\"\nexpires = 2099-01-01\n"),
    );
    let r = custody_run(home.path(), &["scan", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("malicious packages are always reported"),
        "{}",
        r.stderr
    );
}

#[test]
fn policy_errors_name_the_line_and_exit_2() {
    let home = tempfile::tempdir().unwrap();
    for (policy, needle) in [
        (
            "[[ignore]]\nid = \"X\"\nexpires = 2027-01-01\n",
            "line 1: [[ignore]] X needs a non-empty `reason`",
        ),
        (
            "\n[[ignore]]\nid = \"X\"\nreason = \"r\"\n",
            "line 2: [[ignore]] X needs `expires`",
        ),
        (
            "fail-on = \"severe\"\n",
            "line 1: fail-on: unknown severity",
        ),
        ("fail_on = \"high\"\n", "line 1: unknown field `fail_on`"),
        (
            "[[ignore]]\nid = \"X\"\nreason = \"r\"\nexpires = \"soon\"\n",
            "line 4: `expires` \"soon\" is not a date",
        ),
    ] {
        let dir = project("requests==2.32.3\n", Some(policy));
        let r = custody_run(home.path(), &["scan", dir.path().to_str().unwrap()]);
        assert_eq!(r.code, 2, "{policy}");
        assert!(
            r.stderr.contains("custody.toml: ") && r.stderr.contains(needle),
            "{policy}: {}",
            r.stderr
        );
    }
}

#[test]
fn fail_on_from_policy_and_flag_override() {
    let home = imported_home();
    let dir = project("requests==2.19.1\n", Some("fail-on = \"critical\"\n"));
    assert_eq!(
        custody_run(home.path(), &["scan", dir.path().to_str().unwrap()]).code,
        0
    );
    assert_eq!(
        custody_run(
            home.path(),
            &["scan", dir.path().to_str().unwrap(), "--fail-on", "low"]
        )
        .code,
        1
    );
}

#[test]
fn explicit_config_file() {
    let home = imported_home();
    let dir = project("requests==2.19.1\n", None);
    let cfg = dir.path().join("other.toml");
    std::fs::write(&cfg, "fail-on = \"critical\"\n").unwrap();
    let r = custody_run(
        home.path(),
        &[
            "scan",
            dir.path().to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0);
    let r = custody_run(
        home.path(),
        &[
            "scan",
            dir.path().to_str().unwrap(),
            "--config",
            "/nonexistent.toml",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot read /nonexistent.toml"),
        "{}",
        r.stderr
    );
}

/// uv.lock records upload-time; the newest file of requests 2.19.1 was
/// uploaded 2018-06-14T13:40:38Z. Pretend "now" is ten hours later.
#[test]
fn cooldown_flags_young_uploads() {
    let home = tempfile::tempdir().unwrap();
    let r = run(custody(home.path())
        .env("CUSTODY_NOW", "2018-06-15T00:00:00Z")
        .args(["scan", "fixtures/lockfiles/uv/uv.lock", "-f", "json"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = json(&r);
    let ids = finding_ids(&j);
    assert!(
        ids.contains(&(
            "requests".into(),
            "2.19.1".into(),
            "custody::cooldown".into()
        )),
        "{ids:?}"
    );
    let f = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"] == "requests")
        .unwrap();
    assert_eq!(
        f["upload_time"], "2018-06-14T13:40:41.014Z",
        "the newest of its files"
    );
    // Turned off with --min-age 0, and a shorter window lets it pass.
    for age in ["0", "6h"] {
        let r = run(custody(home.path())
            .env("CUSTODY_NOW", "2018-06-15T00:00:00Z")
            .args([
                "scan",
                "fixtures/lockfiles/uv/uv.lock",
                "-f",
                "json",
                "--min-age",
                age,
            ]));
        let ids = finding_ids(&json(&r));
        assert!(
            !ids.iter().any(|(p, _, _)| p == "requests"),
            "--min-age {age}: {ids:?}"
        );
    }
}

#[test]
fn stale_database_warns_and_fails_under_strict() {
    let home = imported_home();
    let dir = project("requests==2.32.3\n", None);
    let r = custody_run(home.path(), &["scan", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("advisory data is stale"), "{}", r.stderr);
    let r = custody_run(
        home.path(),
        &["scan", dir.path().to_str().unwrap(), "--strict"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("older than the freshness limit"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    let r = custody_run(
        home.path(),
        &[
            "scan",
            dir.path().to_str().unwrap(),
            "--strict",
            "--max-db-age",
            "1000w",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}
