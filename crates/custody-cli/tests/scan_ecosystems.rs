//! `custody scan` of npm and Cargo sources: every lockfile format and an
//! installed `node_modules` tree, made by the real tools
//! (`fixtures/ecosystems/`), against real OSV records of both ecosystems
//! (`fixtures/ecosystems/osv/`), imported with `custody db import`.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use common::{custody_run, fixture, json};
use serde_json::Value;

fn osv_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let r = custody_run(
        home.path(),
        &["db", "import", fixture("ecosystems/osv").to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    home
}

/// (ecosystem, package, version, id) of every finding.
fn found(j: &Value) -> Vec<(String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let mut out: Vec<_> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                s(&f["ecosystem"]),
                s(&f["package"]),
                s(&f["version"]),
                s(&f["id"]),
            )
        })
        .collect();
    out.sort();
    out
}

fn quad(e: &str, p: &str, v: &str, id: &str) -> (String, String, String, String) {
    (e.into(), p.into(), v.into(), id.into())
}

#[test]
fn every_npm_format_finds_the_same_advisories() {
    let home = osv_home();
    let want = vec![
        quad("npm", "lodash", "4.17.20", "GHSA-35jh-r3h4-6jhm"),
        quad("npm", "minimist", "1.2.5", "GHSA-xvch-5gv4-984h"),
    ];
    for (rel, kind, packages) in [
        ("npm/npm-v1/package-lock.json", "npm-lock", 36),
        ("npm/npm-v2/package-lock.json", "npm-lock", 36),
        ("npm/npm-v3/package-lock.json", "npm-lock", 36),
        ("npm/shrinkwrap/npm-shrinkwrap.json", "npm-lock", 36),
        ("npm/pnpm-v6/pnpm-lock.yaml", "pnpm-lock", 36),
        ("npm/pnpm-v9/pnpm-lock.yaml", "pnpm-lock", 36),
        // yarn resolves local-lib's minimist@^1.2.0 to 1.2.8 on its own.
        ("npm/yarn-classic/yarn.lock", "yarn-lock", 37),
        ("npm/yarn-berry/yarn.lock", "yarn-lock", 37),
        ("npm/yarn-berry-v3/yarn.lock", "yarn-lock", 37),
        // `npm ci` installed 14 of them on this platform.
        ("npm/node-modules/node_modules", "node-modules", 14),
        ("npm/node-modules", "node-modules", 14),
    ] {
        let path = fixture(&format!("ecosystems/{rel}"));
        let r = custody_run(home.path(), &["scan", path.to_str().unwrap(), "-f", "json"]);
        assert_eq!(r.code, 1, "{rel}: {}", r.stderr);
        let j = json(&r);
        assert_eq!(found(&j), want, "{rel}");
        assert_eq!(j["sources"][0]["kind"], kind, "{rel}");
        assert_eq!(j["summary"]["packages"], packages, "{rel}");
        // The local folder dependency is listed, never matched by name.
        let unchecked = j["unchecked"].as_array().unwrap();
        assert_eq!(unchecked.len(), 1, "{rel}: {unchecked:?}");
        assert_eq!(unchecked[0]["package"], "local-lib", "{rel}");
        assert_eq!(unchecked[0]["ecosystem"], "npm", "{rel}");
    }
}

#[test]
fn findings_name_their_line_fix_and_aliases() {
    let home = osv_home();
    let lock = fixture("ecosystems/npm/npm-v3/package-lock.json");
    let r = custody_run(home.path(), &["scan", lock.to_str().unwrap(), "-f", "json"]);
    let j = json(&r);
    let lodash = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"] == "lodash")
        .unwrap();
    assert_eq!(lodash["fixed"], serde_json::json!(["4.17.21"]));
    assert_eq!(lodash["aliases"], serde_json::json!(["CVE-2021-23337"]));
    assert_eq!(lodash["severity"], "high");
    // The entry's own line in the lockfile.
    let line = lodash["locations"][0]["line"].as_u64().unwrap();
    let text = std::fs::read_to_string(&lock).unwrap();
    let at = text
        .lines()
        .nth(usize::try_from(line).unwrap() - 1)
        .unwrap();
    assert!(at.contains("\"node_modules/lodash\""), "line {line}: {at}");
    // The table names the ecosystem.
    let r = custody_run(home.path(), &["scan", lock.to_str().unwrap()]);
    assert!(r.stdout.contains("lodash (npm)"), "{}", r.stdout);
}

#[test]
fn cargo_lock_versions_3_and_4() {
    let home = osv_home();
    for rel in ["cargo/v3/Cargo.lock", "cargo/v4/Cargo.lock"] {
        let path = fixture(&format!("ecosystems/{rel}"));
        let r = custody_run(home.path(), &["scan", path.to_str().unwrap(), "-f", "json"]);
        assert_eq!(r.code, 1, "{rel}: {}", r.stderr);
        let j = json(&r);
        assert_eq!(
            found(&j),
            vec![
                quad("crates.io", "regex", "1.5.4", "RUSTSEC-2022-0013"),
                quad("crates.io", "smallvec", "1.6.0", "RUSTSEC-2021-0003"),
            ],
            "{rel}"
        );
        // RustSec's id first (the ecosystem's own database), GitHub's an alias.
        assert!(j["findings"][0]["aliases"].to_string().contains("GHSA-"));
        let unchecked: Vec<&str> = j["unchecked"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["package"].as_str().unwrap())
            .collect();
        assert_eq!(unchecked, ["eco-fixture", "helper", "tinydep"], "{rel}");
    }
}

/// The hijacked `debug` 4.4.2 is caught with nothing imported (an embedded
/// MAL- record), and its clean neighbours are not (the control).
#[test]
fn embedded_npm_record_catches_a_hijacked_release() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lock = fixture("ecosystems/npm/npm-v3/package-lock.json");
    let text = std::fs::read_to_string(&lock).unwrap();
    assert!(text.contains("\"version\": \"4.3.4\""));
    let path = dir.path().join("package-lock.json");
    std::fs::write(&path, &text).unwrap();
    let clean = custody_run(home.path(), &["scan", path.to_str().unwrap(), "-f", "json"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert_eq!(found(&json(&clean)), vec![]);
    std::fs::write(
        &path,
        text.replace("\"version\": \"4.3.4\"", "\"version\": \"4.4.2\""),
    )
    .unwrap();
    let r = custody_run(home.path(), &["scan", path.to_str().unwrap(), "-f", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = json(&r);
    assert_eq!(
        found(&j),
        vec![quad("npm", "debug", "4.4.2", "MAL-2025-46974")]
    );
    assert_eq!(j["findings"][0]["malicious"], true);
    assert_eq!(j["findings"][0]["advisory_sources"][0], "embedded");
    let table = custody_run(home.path(), &["scan", path.to_str().unwrap()]);
    assert!(
        table.stdout.contains("MALICIOUS debug (npm) 4.4.2"),
        "{}",
        table.stdout
    );
    assert!(
        table
            .stdout
            .contains("install scripts may already have run"),
        "{}",
        table.stdout
    );
}

/// A project folder holding Python, npm and Cargo sources is read whole.
#[test]
fn a_project_folder_mixes_ecosystems() {
    let home = osv_home();
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in [
        (
            "ecosystems/npm/pnpm-v9/pnpm-lock.yaml",
            "web/pnpm-lock.yaml",
        ),
        ("ecosystems/cargo/v4/Cargo.lock", "tools/Cargo.lock"),
        ("lockfiles/uv/uv.lock", "etl/uv.lock"),
    ] {
        let to = dir.path().join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixture(from), to).unwrap();
    }
    let r = custody_run(
        home.path(),
        &["scan", dir.path().to_str().unwrap(), "-f", "json"],
    );
    let j = json(&r);
    let kinds: Vec<&str> = j["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["uv-lock", "cargo-lock", "pnpm-lock"]);
    let ecos: std::collections::BTreeSet<String> = found(&j).into_iter().map(|(e, ..)| e).collect();
    assert!(
        ecos.contains("npm") && ecos.contains("crates.io"),
        "{ecos:?}"
    );
}

#[test]
fn malformed_npm_and_cargo_files_name_file_and_place() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, content, place) in [
        (
            "package-lock.json",
            "{\"lockfileVersion\": 3,\n \"packages\": [}\n",
            "line 2",
        ),
        (
            "Cargo.lock",
            "version = 4\n[[package]]\nname = \"x\"\nversion = \n",
            "line 4",
        ),
        (
            "pnpm-lock.yaml",
            "lockfileVersion: '9.0'\npackages:\n  - [\n",
            "line",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let r = custody_run(home.path(), &["scan", path.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(path.to_str().unwrap()),
            "{name}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(place), "{name}: {}", r.stderr);
    }
}

/// An installed npm tree is inspected for install-time behaviour: a replica
/// of Shai-Hulud 2's `preinstall` fails the scan with the file and phase;
/// the control, identical but for the payload file's name, does not.
#[test]
fn node_modules_install_scripts_are_inspected() {
    let home = tempfile::tempdir().unwrap();
    for (case, code, verdict) in [
        ("shai-hulud-2", 1, "malicious"),
        ("shai-hulud-2-control", 0, "suspicious"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("node_modules/fixture-sh2");
        std::fs::create_dir_all(&pkg).unwrap();
        let from = fixture(&format!("ecosystems/npm/scripts/{case}"));
        for e in std::fs::read_dir(&from).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), pkg.join(e.file_name())).unwrap();
        }
        let r = custody_run(
            home.path(),
            &["scan", dir.path().to_str().unwrap(), "-f", "json"],
        );
        assert_eq!(r.code, code, "{case}: {}", r.stderr);
        let j = json(&r);
        let i = &j["inspection"][0];
        assert_eq!(i["verdict"], verdict, "{case}: {i}");
        assert_eq!(i["npm"]["packages"], 1, "{case}");
        let reasons = i["reasons"].to_string();
        assert!(
            reasons.contains("(setup_bun.js:2, preinstall)"),
            "{case}: {reasons}"
        );
        assert_eq!(
            reasons.contains("[known-worm]"),
            code == 1,
            "{case}: {reasons}"
        );
    }
    // A real tree (esbuild's postinstall among 13 packages) is clean.
    let r = custody_run(
        home.path(),
        &[
            "scan",
            fixture("ecosystems/npm/node-modules").to_str().unwrap(),
            "-f",
            "json",
        ],
    );
    let i = &json(&r)["inspection"][0];
    assert_eq!(i["verdict"], "clean", "{i}");
    assert_eq!(i["npm"]["install_scripts"], 1, "{i}");
}
