//! Bad input: every malformed file gives exit 2 and a message naming the
//! file and the place. Fixtures: fixtures/lockfiles/bad (see its README).

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use common::{custody_run, fixture};

/// (fixture folder, file named in the message, place named in the message)
const CASES: &[(&str, &str, &str)] = &[
    ("uv-toml-syntax", "uv.lock", "line 250"),
    (
        "uv-unsupported-version",
        "uv.lock",
        "unsupported uv.lock version 99",
    ),
    ("poetry-missing-version", "poetry.lock", "line 91"),
    ("poetry-truncated", "poetry.lock", "line 114"),
    ("pipenv-invalid-json", "Pipfile.lock", "line 49"),
    ("pipenv-wrong-shape", "Pipfile.lock", "line 260"),
    ("requirements-bad-specifier", "requirements.txt", "line 198"),
    ("requirements-bad-marker", "requirements.txt", "line 3"),
    ("pylock-missing-lock-version", "pylock.toml", "lock-version"),
    (
        "pylock-unsupported-version",
        "pylock.toml",
        "unsupported lock-version \"2.0\"",
    ),
    ("pdm-bad-version", "pdm.lock", "line 234"),
    (
        "metadata-no-version",
        "Jinja2-2.10.dist-info/METADATA",
        "missing required field `Version`",
    ),
    (
        "record-bad-hash",
        "certifi-2018.8.24.dist-info/RECORD",
        "line 4",
    ),
    ("record-bad-columns", "idna-2.7.dist-info/RECORD", "line 4"),
];

#[test]
fn each_malformed_input_exits_2_naming_file_and_place() {
    let home = tempfile::tempdir().unwrap();
    for (dir, file, place) in CASES {
        let path = fixture(&format!("lockfiles/bad/{dir}"));
        let r = custody_run(home.path(), &["scan", path.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{dir}: exit code; stderr: {}", r.stderr);
        // A bad requirement line does not hide the other packages: they are
        // reported, and the scan still fails. Any other bad file gives no report.
        if dir.starts_with("requirements-") {
            assert!(
                r.stdout.contains("Scanned"),
                "{dir}: the readable lines are reported: {}",
                r.stdout
            );
        } else {
            assert!(
                r.stdout.is_empty(),
                "{dir}: no report on bad input, got {}",
                r.stdout
            );
        }
        assert!(
            r.stderr.contains(file),
            "{dir}: message names {file}: {}",
            r.stderr
        );
        assert!(
            r.stderr.contains(place),
            "{dir}: message names {place}: {}",
            r.stderr
        );
    }
    assert!(
        !home.path().join("advisories.db").exists(),
        "a scan writes nothing"
    );
}

#[test]
fn missing_path_is_a_clear_error() {
    let home = tempfile::tempdir().unwrap();
    let r = custody_run(home.path(), &["scan", "does/not/exist"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot read does/not/exist") && r.stderr.contains("No such file"),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_a_clear_error() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(dir.path().join("b"), dir.path().join("a")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("b")).unwrap();
    let r = custody_run(
        home.path(),
        &["scan", dir.path().join("a").to_str().unwrap()],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("Too many levels of symbolic links"),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop_inside_a_project_is_not_followed() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "requests==2.32.3\n").unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let r = custody_run(home.path(), &["scan", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("from 1 source(s)"), "{}", r.stdout);
}

#[test]
fn unreadable_include_names_the_including_line() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        "# top\n-r missing.txt\n",
    )
    .unwrap();
    let r = custody_run(
        home.path(),
        &[
            "scan",
            dir.path().join("requirements.txt").to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("requirements.txt: line 2: included file"),
        "{}",
        r.stderr
    );
}

#[test]
fn unknown_file_kind_and_empty_folder() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.csv"), "a,b\n").unwrap();
    let r = custody_run(
        home.path(),
        &["scan", dir.path().join("data.csv").to_str().unwrap()],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("not an environment or a known lockfile"),
        "{}",
        r.stderr
    );
    let r = custody_run(home.path(), &["scan", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("no Python environment, node_modules or lockfile found"),
        "{}",
        r.stderr
    );
}

#[test]
fn non_utf8_lockfile_names_the_place() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("requirements.txt");
    std::fs::write(&p, b"requests==2.19.1\nfoo==1.0 # caf\xe9\n").unwrap();
    let r = custody_run(home.path(), &["scan", p.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("line 2") && r.stderr.contains("not valid UTF-8"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_usage_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let r = custody_run(home.path(), &["scan", "--format", "xml"]);
    assert_eq!(r.code, 2);
    let r = custody_run(home.path(), &["scan", "--min-age", "soon", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("invalid duration"), "{}", r.stderr);
}
