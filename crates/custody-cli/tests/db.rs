//! `custody db import` / `db status`: sources, atomicity, malformed records,
//! OSV semantics on imported data.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::io::Write;
use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;

use common::{custody, custody_run, finding_ids, json, osv_real, pypa_db};

/// The signal `std::process::abort` raises (Linux).
const SIGABRT: i32 = 6;

fn status(home: &Path) -> serde_json::Value {
    let r = custody_run(home, &["db", "status", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    json(&r)
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn scan_req(home: &Path, reqs: &str) -> common::Run {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "requirements.txt", reqs);
    custody_run(home, &["scan", p.to_str().unwrap(), "-f", "json"])
}

#[test]
fn status_of_an_empty_home() {
    let home = tempfile::tempdir().unwrap();
    let s = status(home.path());
    assert_eq!(s["imported"], false);
    assert_eq!(s["embedded"], 7);
    let r = custody_run(home.path(), &["db", "status"]);
    assert!(r.stdout.contains("none imported"), "{}", r.stdout);
}

#[test]
fn import_pypa_and_osv_then_status() {
    let home = tempfile::tempdir().unwrap();
    let r = custody_run(
        home.path(),
        &[
            "db",
            "import",
            pypa_db().to_str().unwrap(),
            osv_real().to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = status(home.path());
    assert_eq!(s["records"], 2665);
    assert_eq!(s["malicious"], 4);
    assert_eq!(s["withdrawn"], 10);
    assert_eq!(
        s["embedded"], 3,
        "the four real MAL records replace their embedded twins; litellm 1.107.0's, npm's and crates.io's stay"
    );
    let kinds: Vec<_> = s["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, vec!["osv-dir", "pypa-yaml"]);
    assert_eq!(s["newest_modified"], "2026-06-08T19:21:16Z");
    // Importing the same source again replaces it: counts are unchanged.
    let r = custody_run(home.path(), &["db", "import", osv_real().to_str().unwrap()]);
    assert_eq!(r.code, 0);
    assert_eq!(status(home.path())["records"], 2665);
}

#[test]
fn osv_all_zip_export() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("all.zip");
    let mut zw = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    for e in std::fs::read_dir(osv_real()).unwrap() {
        let e = e.unwrap();
        zw.start_file(
            e.file_name().to_string_lossy(),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zw.write_all(&std::fs::read(e.path()).unwrap()).unwrap();
    }
    zw.start_file("broken.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    zw.write_all(b"{\"id\": \"X\",").unwrap();
    zw.finish().unwrap();
    let r = custody_run(home.path(), &["db", "import", zip_path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("all.zip!broken.json"),
        "the malformed member is named: {}",
        r.stderr
    );
    let s = status(home.path());
    assert_eq!(s["records"], 4);
    assert_eq!(s["sources"][0]["kind"], "osv-zip");
    let ids = finding_ids(&json(&scan_req(home.path(), "telnyx==4.87.1\n")));
    assert_eq!(
        ids,
        vec![("telnyx".into(), "4.87.1".into(), "MAL-2026-2254".into())]
    );
}

#[test]
fn malformed_record_is_reported_and_skipped_or_fatal_under_strict() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        osv_real().join("MAL-2026-2254.json"),
        dir.path().join("MAL-2026-2254.json"),
    )
    .unwrap();
    write(
        dir.path(),
        "bad.json",
        "{\n  \"id\": \"MAL-1\",\n  \"modified\": 12,\n}\n",
    );
    write(
        dir.path(),
        "no-modified.yaml",
        "id: PYSEC-1\naffected: []\n",
    );
    let r = custody_run(
        home.path(),
        &["db", "import", "--strict", dir.path().to_str().unwrap()],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert!(
        !home.path().join("advisories.db").exists(),
        "strict failure writes nothing"
    );

    let r = custody_run(home.path(), &["db", "import", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("bad.json: line 3, column"),
        "file and line: {}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("no-modified.yaml: line 1, column 1: missing field `modified`"),
        "file and reason: {}",
        r.stderr
    );
    assert!(
        r.stdout.contains("skipped 2 malformed record(s)"),
        "{}",
        r.stdout
    );
    assert_eq!(status(home.path())["records"], 1);
}

#[test]
fn a_file_with_no_valid_record_fails_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(
        custody_run(home.path(), &["db", "import", osv_real().to_str().unwrap()]).code,
        0
    );
    let before = std::fs::read(home.path().join("advisories.db")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "x.json", "not json");
    let r = custody_run(home.path(), &["db", "import", bad.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("x.json: line 1, column 2: expected ident"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read(home.path().join("advisories.db")).unwrap(),
        before
    );
    let r = custody_run(home.path(), &["db", "import", "/nonexistent/advisories"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot read /nonexistent/advisories"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_interrupted_import_leaves_the_previous_database_intact() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(
        custody_run(home.path(), &["db", "import", osv_real().to_str().unwrap()]).code,
        0
    );
    let before = status(home.path());
    assert_eq!(before["records"], 4);
    // Abort the process (no unwinding, no cleanup) after 500 records are
    // written inside the import transaction: `std::process::abort`, so the
    // process is ended by SIGABRT, not by an error exit.
    let out = custody(home.path())
        .env("CUSTODY_TEST_CRASH_AFTER", "500")
        .args(["db", "import", pypa_db().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        (out.status.code(), out.status.signal()),
        (None, Some(SIGABRT)),
        "the import must have been aborted: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = status(home.path());
    assert_eq!(s, before, "the earlier import is all there is, unchanged");
    assert_eq!(s["records"], 4, "only the earlier import is visible");
    assert_eq!(s["sources"].as_array().unwrap().len(), 1);
    // And the database is still writable afterwards.
    assert_eq!(
        custody_run(home.path(), &["db", "import", pypa_db().to_str().unwrap()]).code,
        0
    );
    assert_eq!(status(home.path())["records"], 2665);
}

/// An import aborted late, once its transaction has spilled pages into
/// the file, leaves a hot journal. Readers open the database read-only and
/// cannot roll it back themselves (SQLite's `SQLITE_READONLY_ROLLBACK`):
/// `db status` and `scan` must roll it back first, not fail until the next
/// import.
#[test]
fn a_hot_journal_left_by_an_aborted_import_is_rolled_back_by_readers() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(
        custody_run(home.path(), &["db", "import", osv_real().to_str().unwrap()]).code,
        0
    );
    let before = status(home.path());
    let out = custody(home.path())
        .env("CUSTODY_TEST_CRASH_AFTER", "2500")
        .args(["db", "import", pypa_db().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.signal(), Some(SIGABRT));
    let journal = home.path().join("advisories.db-journal");
    assert!(
        std::fs::metadata(&journal).is_ok_and(|m| m.len() > 0),
        "the control: the aborted import left a hot journal"
    );
    assert_eq!(status(home.path()), before, "rolled back, then read");
    assert!(!journal.exists(), "the journal was played back and removed");
    let r = scan_req(home.path(), "requests==2.19.1\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn osv_semantics_on_imported_records() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A malicious-intent package: every version.
    write(
        dir.path(),
        "MAL-2099-1.json",
        r#"{"id":"MAL-2099-1","modified":"2026-11-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"Evil_Pkg"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#,
    );
    // A withdrawn record never matches.
    write(
        dir.path(),
        "PYSEC-2099-2.json",
        r#"{"id":"PYSEC-2099-2","modified":"2026-11-01T00:00:00Z","withdrawn":"2026-11-02T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"six"},"versions":["1.16.0"]}]}"#,
    );
    // Aliases of one problem from two records collapse; last_affected and limit.
    write(
        dir.path(),
        "PYSEC-2099-3.json",
        r#"{"id":"PYSEC-2099-3","aliases":["GHSA-aaaa-bbbb-cccc"],"modified":"2026-11-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"tool"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"last_affected":"1.4"}]}]}]}"#,
    );
    write(
        dir.path(),
        "GHSA-aaaa-bbbb-cccc.json",
        r#"{"id":"GHSA-aaaa-bbbb-cccc","aliases":["PYSEC-2099-3","CVE-2099-3"],"modified":"2026-11-01T00:00:00Z","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],"affected":[{"package":{"ecosystem":"PyPI","name":"tool"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"limit":"1.5"}]}]}]}"#,
    );
    // last_affected alone: inclusive.
    write(
        dir.path(),
        "PYSEC-2099-4.json",
        r#"{"id":"PYSEC-2099-4","modified":"2026-11-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"tool2"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"last_affected":"1.4"}]}]}]}"#,
    );
    assert_eq!(
        custody_run(home.path(), &["db", "import", dir.path().to_str().unwrap()]).code,
        0
    );
    let j = json(&scan_req(
        home.path(),
        "evil-pkg==0.0.1\nsix==1.16.0\ntool==1.4\ntool==1.4.post1\ntool==1.5\ntool2==1.4\ntool2==1.4.post1\n",
    ));
    let ids = finding_ids(&j);
    assert_eq!(
        ids,
        vec![
            ("evil-pkg".into(), "0.0.1".into(), "MAL-2099-1".into()),
            ("tool".into(), "1.4".into(), "PYSEC-2099-3".into()),
            // Outside PYSEC-2099-3 (last_affected 1.4) but inside its alias GHSA (limit 1.5).
            ("tool".into(), "1.4.post1".into(), "PYSEC-2099-3".into()),
            ("tool2".into(), "1.4".into(), "PYSEC-2099-4".into()),
        ]
    );
    let tool = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"] == "tool")
        .unwrap();
    assert_eq!(
        tool["aliases"],
        serde_json::json!(["CVE-2099-3", "GHSA-aaaa-bbbb-cccc"])
    );
    assert_eq!(
        tool["severity"], "high",
        "the scored record of the group sets the severity"
    );
}

#[test]
fn concurrent_imports_are_serialised() {
    let home = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..3)
        .map(|_| {
            custody(home.path())
                .args([
                    "db",
                    "import",
                    pypa_db().to_str().unwrap(),
                    osv_real().to_str().unwrap(),
                ])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(status(home.path())["records"], 2665);
}
