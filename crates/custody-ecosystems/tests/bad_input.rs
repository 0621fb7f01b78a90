//! Bad input for every reader: each is a typed error naming the file and the
//! line (or the key where the format has no line to give), never a panic
//! and never a partial list. The error texts are snapshotted together.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::fixture;
use custody_ecosystems::{Error, Location, SourceKind, parse, read, read_node_modules};

fn err(kind: SourceKind, name: &str, content: &str) -> Error {
    match parse(kind, Path::new(name), content) {
        Ok(inv) => panic!(
            "{name}: read {} packages from bad input",
            inv.packages.len()
        ),
        Err(e) => e,
    }
}

fn location(e: &Error) -> Location {
    e.location()
        .cloned()
        .unwrap_or_else(|| panic!("no location: {e}"))
}

/// The first `fraction` of a real fixture, cut at a character boundary.
fn truncated(rel: &str, cut: usize) -> String {
    let text = fs_err::read_to_string(fixture(rel)).unwrap();
    text[..cut].to_owned()
}

const LOCK: SourceKind = SourceKind::PackageLock;
const PNPM: SourceKind = SourceKind::PnpmLock;
const YARN1: SourceKind = SourceKind::YarnClassic;
const BERRY: SourceKind = SourceKind::YarnBerry;
const CARGO: SourceKind = SourceKind::CargoLock;

/// A bad-input case: label, kind, file name, content.
type Case = (&'static str, SourceKind, &'static str, String);

/// Every inline case.
fn cases() -> Vec<Case> {
    [
        npm_cases(),
        pnpm_cases(),
        yarn1_cases(),
        berry_cases(),
        cargo_cases(),
        other_cases(),
    ]
    .concat()
}

fn npm_cases() -> Vec<Case> {
    let s = |x: &str| x.to_owned();
    vec![
        ("npm: not an object", LOCK, "package-lock.json", s("[1, 2]")),
        (
            "npm: no lockfileVersion",
            LOCK,
            "package-lock.json",
            s("{\"name\": \"x\", \"packages\": {}}"),
        ),
        (
            "npm: lockfileVersion 4",
            LOCK,
            "package-lock.json",
            s("{\n  \"name\": \"x\",\n  \"lockfileVersion\": 4,\n  \"packages\": {}\n}"),
        ),
        (
            "npm: lockfileVersion as a string",
            LOCK,
            "package-lock.json",
            s("{\n  \"lockfileVersion\": \"3\"\n}"),
        ),
        (
            "npm: v3 without packages",
            LOCK,
            "package-lock.json",
            s("{\"lockfileVersion\": 3}"),
        ),
        (
            "npm: packages not an object",
            LOCK,
            "package-lock.json",
            s("{\n  \"lockfileVersion\": 3,\n  \"packages\": []\n}"),
        ),
        (
            "npm: entry not an object",
            LOCK,
            "package-lock.json",
            s(
                "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/ms\": \"2.1.3\"\n  }\n}",
            ),
        ),
        (
            "npm: version not a string",
            LOCK,
            "package-lock.json",
            s(
                "{\n  \"lockfileVersion\": 2,\n  \"packages\": {\n    \"\": {},\n    \"node_modules/ms\": {\n      \"version\": 2.1\n    }\n  }\n}",
            ),
        ),
        (
            "npm: v1 entry not an object",
            LOCK,
            "npm-shrinkwrap.json",
            s(
                "{\n  \"lockfileVersion\": 1,\n  \"dependencies\": {\n    \"ms\": {\n      \"version\": \"2.0.0\",\n      \"dependencies\": {\n        \"x\": true\n      }\n    }\n  }\n}",
            ),
        ),
    ]
}

fn pnpm_cases() -> Vec<Case> {
    let s = |x: &str| x.to_owned();
    vec![
        (
            "pnpm: YAML syntax error",
            PNPM,
            "pnpm-lock.yaml",
            s(
                "lockfileVersion: '9.0'\npackages:\n  ms@2.1.3:\n    resolution: {integrity: sha512-x\n  debug@4.3.4:\n",
            ),
        ),
        (
            "pnpm: not a mapping",
            PNPM,
            "pnpm-lock.yaml",
            s("- a\n- b\n"),
        ),
        (
            "pnpm: no lockfileVersion",
            PNPM,
            "pnpm-lock.yaml",
            s("packages: {}\n"),
        ),
        (
            "pnpm: lockfileVersion 5.4",
            PNPM,
            "pnpm-lock.yaml",
            s("lockfileVersion: 5.4\n\npackages:\n  /ms/2.1.3:\n    dev: false\n"),
        ),
        (
            "pnpm: packages a list",
            PNPM,
            "pnpm-lock.yaml",
            s("lockfileVersion: '6.0'\n\npackages:\n  - /ms@2.1.3\n"),
        ),
        (
            "pnpm: entry not a mapping",
            PNPM,
            "pnpm-lock.yaml",
            s("lockfileVersion: '9.0'\n\npackages:\n\n  ms@2.1.3: 7\n"),
        ),
        (
            "pnpm: no name to tell",
            PNPM,
            "pnpm-lock.yaml",
            s(
                "lockfileVersion: '6.0'\n\npackages:\n\n  file:vendor/x:\n    resolution: {directory: vendor/x, type: directory}\n",
            ),
        ),
        (
            "pnpm: resolution not a mapping",
            PNPM,
            "pnpm-lock.yaml",
            s("lockfileVersion: '9.0'\n\npackages:\n\n  ms@2.1.3:\n    resolution: sha512-x\n"),
        ),
    ]
}

fn yarn1_cases() -> Vec<Case> {
    let s = |x: &str| x.to_owned();
    vec![
        (
            "yarn 1: no header",
            YARN1,
            "yarn.lock",
            s("ms@2.0.0:\n  version \"2.0.0\"\n"),
        ),
        (
            "yarn 1: odd indentation",
            YARN1,
            "yarn.lock",
            s("# yarn lockfile v1\n\n\nms@2.0.0:\n   version \"2.0.0\"\n"),
        ),
        (
            "yarn 1: field without value",
            YARN1,
            "yarn.lock",
            s("# yarn lockfile v1\n\n\nms@2.0.0:\n  version\n"),
        ),
        (
            "yarn 1: unterminated string",
            YARN1,
            "yarn.lock",
            s("# yarn lockfile v1\n\n\nms@2.0.0:\n  version \"2.0.0\n"),
        ),
        (
            "yarn 1: entry line without colon",
            YARN1,
            "yarn.lock",
            s("# yarn lockfile v1\n\n\nms@2.0.0\n  version \"2.0.0\"\n"),
        ),
        (
            "yarn 1: field before any entry",
            YARN1,
            "yarn.lock",
            s("# yarn lockfile v1\n\n  version \"2.0.0\"\n"),
        ),
        (
            "yarn 1: descriptor without a range",
            YARN1,
            "yarn.lock",
            s("# yarn lockfile v1\n\n\nms:\n  version \"2.0.0\"\n"),
        ),
        (
            "yarn 1: nested line outside a block",
            YARN1,
            "yarn.lock",
            s("# yarn lockfile v1\n\n\nms@2.0.0:\n  version \"2.0.0\"\n    x \"1\"\n"),
        ),
    ]
}

fn berry_cases() -> Vec<Case> {
    let s = |x: &str| x.to_owned();
    vec![
        (
            "yarn berry: no __metadata",
            BERRY,
            "yarn.lock",
            s("\"ms@npm:2.1.3\":\n  version: 2.1.3\n  resolution: \"ms@npm:2.1.3\"\n"),
        ),
        (
            "yarn berry: __metadata.version 3",
            BERRY,
            "yarn.lock",
            s("__metadata:\n  version: 3\n  cacheKey: 8\n"),
        ),
        (
            "yarn berry: __metadata.version 11",
            BERRY,
            "yarn.lock",
            s("__metadata:\n  version: 11\n"),
        ),
        (
            "yarn berry: YAML syntax error",
            BERRY,
            "yarn.lock",
            s(
                "__metadata:\n  version: 8\n\n\"ms@npm:2.1.3\":\n  version: 2.1.3\n   resolution: \"ms@npm:2.1.3\"\n",
            ),
        ),
        (
            "yarn berry: no resolution",
            BERRY,
            "yarn.lock",
            s("__metadata:\n  version: 8\n\n\"ms@npm:2.1.3\":\n  version: 2.1.3\n"),
        ),
        (
            "yarn berry: resolution without a name",
            BERRY,
            "yarn.lock",
            s("__metadata:\n  version: 8\n\n\"ms@npm:2.1.3\":\n  resolution: \"npm-2.1.3\"\n"),
        ),
        (
            "yarn berry: entry not a mapping",
            BERRY,
            "yarn.lock",
            s("__metadata:\n  version: 8\n\n\"ms@npm:2.1.3\": 2.1.3\n"),
        ),
    ]
}

fn cargo_cases() -> Vec<Case> {
    let s = |x: &str| x.to_owned();
    vec![
        (
            "cargo: no version",
            CARGO,
            "Cargo.lock",
            s(
                "[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n\n[metadata]\n\"checksum b 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\" = \"00\"\n",
            ),
        ),
        (
            "cargo: version 5",
            CARGO,
            "Cargo.lock",
            s("# comment\nversion = 5\n\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n"),
        ),
        (
            "cargo: TOML syntax error",
            CARGO,
            "Cargo.lock",
            s("version = 4\n\n[[package]]\nname = \"a\nversion = \"0.1.0\"\n"),
        ),
        (
            "cargo: package without version",
            CARGO,
            "Cargo.lock",
            s("version = 4\n\n[[package]]\nname = \"a\"\n"),
        ),
        (
            "cargo: version not SemVer",
            CARGO,
            "Cargo.lock",
            s("version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0\"\n"),
        ),
        (
            "cargo: checksum not SHA-256",
            CARGO,
            "Cargo.lock",
            s(
                "version = 3\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"abc\"\n",
            ),
        ),
    ]
}

fn other_cases() -> Vec<Case> {
    let s = |x: &str| x.to_owned();
    vec![(
        "parse: node_modules is a folder",
        SourceKind::NodeModules,
        "node_modules",
        s(""),
    )]
}

#[test]
fn every_bad_input_is_a_located_error() {
    let mut out = String::new();
    for (label, kind, name, content) in cases() {
        let e = err(kind, name, &content);
        assert_eq!(e.path(), Path::new(name), "{label}");
        assert!(matches!(e, Error::Parse { .. }), "{label}: {e}");
        let _ = writeln!(out, "{label}\n    {e}");
    }
    insta::assert_snapshot!(out);
}

#[test]
fn the_locations_are_the_offending_lines() {
    let at = |label: &str| {
        let (_, kind, name, content) = cases().into_iter().find(|c| c.0 == label).unwrap();
        location(&err(kind, name, &content))
    };
    assert_eq!(at("npm: lockfileVersion 4"), Location::Line(3));
    assert_eq!(
        at("npm: no lockfileVersion"),
        Location::Key("lockfileVersion".into())
    );
    assert_eq!(
        at("npm: v3 without packages"),
        Location::Key("packages".into())
    );
    assert_eq!(at("npm: entry not an object"), Location::Line(4));
    assert_eq!(at("npm: version not a string"), Location::Line(5));
    assert_eq!(at("npm: v1 entry not an object"), Location::Line(7));
    assert_eq!(at("pnpm: lockfileVersion 5.4"), Location::Line(1));
    assert_eq!(at("pnpm: entry not a mapping"), Location::Line(5));
    assert_eq!(at("pnpm: no name to tell"), Location::Line(5));
    assert!(matches!(
        at("pnpm: YAML syntax error"),
        Location::LineCol(5, _)
    ));
    assert_eq!(at("yarn 1: odd indentation"), Location::Line(5));
    assert_eq!(at("yarn 1: unterminated string"), Location::Line(5));
    assert_eq!(at("yarn 1: descriptor without a range"), Location::Line(4));
    assert_eq!(
        at("yarn berry: no __metadata"),
        Location::Key("__metadata".into())
    );
    assert_eq!(at("yarn berry: __metadata.version 3"), Location::Line(2));
    assert!(matches!(
        at("yarn berry: YAML syntax error"),
        Location::LineCol(6, _)
    ));
    assert_eq!(at("yarn berry: no resolution"), Location::Line(4));
    assert_eq!(at("cargo: no version"), Location::Key("version".into()));
    assert_eq!(at("cargo: version 5"), Location::Line(2));
    assert!(matches!(
        at("cargo: TOML syntax error"),
        Location::LineCol(4, _)
    ));
    assert_eq!(at("cargo: version not SemVer"), Location::Line(5));
    assert_eq!(at("cargo: checksum not SHA-256"), Location::Line(7));
}

#[test]
fn truncated_real_files_are_errors_at_the_cut() {
    // package-lock.json cut in the middle of its packages.
    let text = truncated("npm/npm-v3/package-lock.json", 9000);
    let e = err(LOCK, "package-lock.json", &text);
    let Location::LineCol(line, _) = location(&e) else {
        panic!("{e}")
    };
    assert_eq!(line, text.matches('\n').count() + 1, "{e}");
    assert!(e.to_string().contains("truncated"), "{e}");

    // pnpm-lock.yaml cut inside a `{integrity: …}` flow mapping.
    let full = fs_err::read_to_string(fixture("npm/pnpm-v9/pnpm-lock.yaml")).unwrap();
    let cut = full.find("{integrity: sha512-PlhdF").unwrap() + 20;
    let e = err(PNPM, "pnpm-lock.yaml", &full[..cut]);
    assert!(matches!(location(&e), Location::LineCol(..)), "{e}");

    // yarn.lock (1) cut inside a quoted URL.
    let full = fs_err::read_to_string(fixture("npm/yarn-classic/yarn.lock")).unwrap();
    let cut = full
        .find("resolved \"https://registry.npmjs.org/lodash")
        .unwrap()
        + 30;
    let e = err(YARN1, "yarn.lock", &full[..cut]);
    assert_eq!(
        location(&e),
        Location::Line(full[..cut].lines().count()),
        "{e}"
    );

    // yarn.lock (berry) cut inside a quoted key.
    let full = fs_err::read_to_string(fixture("npm/yarn-berry/yarn.lock")).unwrap();
    let cut = full.find("\"lodash@npm:4.17.20\":").unwrap() + 8;
    let e = err(BERRY, "yarn.lock", &full[..cut]);
    assert!(matches!(location(&e), Location::LineCol(..)), "{e}");

    // Cargo.lock cut inside a checksum string.
    let full = fs_err::read_to_string(fixture("cargo/v4/Cargo.lock")).unwrap();
    let cut = full.find("checksum = \"d07a86").unwrap() + 16;
    let e = err(CARGO, "Cargo.lock", &full[..cut]);
    let Location::LineCol(line, _) = location(&e) else {
        panic!("{e}")
    };
    assert_eq!(line, full[..cut].lines().count(), "{e}");
}

#[test]
fn read_names_unknown_files_missing_paths_and_bad_encodings() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("requirements.txt");
    fs_err::write(&other, "x==1\n").unwrap();
    assert!(matches!(read(&other), Err(Error::Unrecognised { .. })));

    let missing = dir.path().join("Cargo.lock");
    let e = read(&missing).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
    assert_eq!(e.path(), missing);
    assert_eq!(
        e.to_string(),
        format!(
            "cannot read {}: No such file or directory (os error 2)",
            missing.display()
        )
    );

    let latin1 = dir.path().join("package-lock.json");
    fs_err::write(&latin1, b"{\n\"name\": \"caf\xe9\"\n}").unwrap();
    let e = read(&latin1).unwrap_err();
    assert_eq!(location(&e), Location::Line(2), "{e}");
}

#[test]
fn node_modules_errors_name_the_package_json() {
    let dir = tempfile::tempdir().unwrap();
    let nm = dir.path().join("node_modules");

    let e = read_node_modules(dir.path()).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "no node_modules: {e}");

    fs_err::write(&nm, "not a folder").unwrap();
    let e = read_node_modules(&nm).unwrap_err();
    assert!(e.to_string().contains("not a folder"), "{e}");
    fs_err::remove_file(&nm).unwrap();

    let pkg = nm.join("broken");
    fs_err::create_dir_all(&pkg).unwrap();
    fs_err::write(
        pkg.join("package.json"),
        "{\n  \"name\": \"broken\",\n  \"version\": \"1.0.",
    )
    .unwrap();
    let e = read_node_modules(&nm).unwrap_err();
    assert_eq!(e.path(), pkg.join("package.json"));
    assert!(matches!(location(&e), Location::LineCol(3, _)), "{e}");

    fs_err::write(
        pkg.join("package.json"),
        "{\n  \"name\": \"broken\",\n  \"version\": [1]\n}",
    )
    .unwrap();
    let e = read_node_modules(&nm).unwrap_err();
    assert_eq!(location(&e), Location::Line(3), "{e}");

    fs_err::write(pkg.join("package.json"), "[]").unwrap();
    let e = read_node_modules(&nm).unwrap_err();
    assert_eq!(location(&e), Location::Line(1), "{e}");
}

#[test]
fn every_fixture_cut_anywhere_reads_or_fails_without_panicking() {
    for (rel, kind) in [
        ("npm/npm-v3/package-lock.json", LOCK),
        ("npm/npm-v1/package-lock.json", LOCK),
        ("npm/pnpm-v6/pnpm-lock.yaml", PNPM),
        ("npm/pnpm-v9/pnpm-lock.yaml", PNPM),
        ("npm/yarn-classic/yarn.lock", YARN1),
        ("npm/yarn-berry/yarn.lock", BERRY),
        ("cargo/v4/Cargo.lock", CARGO),
    ] {
        let full = fs_err::read_to_string(fixture(rel)).unwrap();
        let mut cut = 0;
        while cut < full.len() {
            if full.is_char_boundary(cut) {
                let part = &full[..cut];
                if let Err(e) = parse(kind, Path::new(rel), part) {
                    let lines = part.matches('\n').count() + 1;
                    if let Some(line) = e.location().and_then(Location::line) {
                        assert!(line <= lines, "{rel} cut at {cut}: {e}");
                    }
                }
            }
            cut += 53;
        }
    }
}
