//! SARIF `artifactLocation.uri` values are RFC 3986 URI references: a
//! space, `#`, `%` or a non-ASCII letter in a path is percent-encoded (a
//! raw `#` would start a fragment and cut the path short), for scan and
//! inspect output, relative to the working folder or as `file://` URIs.
//! `scripts/sarif/check-custody.sh` validates such a log with the OASIS
//! schema (its `uri-reference` format checked) and the SARIF Multitool.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::path::{Path, PathBuf};

use common::{Run, fixture, root};

/// A folder name with a space, a `#`, a `%` and a non-ASCII letter.
const ODD: &str = "odd dir #1 100%/café";

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// `custody ARGS` in `cwd` with an empty home; exit 0 or 1.
fn sarif(cwd: &Path, home: &Path, args: &[&str]) -> serde_json::Value {
    let r: Run = common::run(common::custody(home).current_dir(cwd).args(args));
    assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

fn uris(log: &serde_json::Value) -> Vec<String> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["locations"].as_array().unwrap().iter())
        .map(|l| {
            l["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// `%XX` decoded (what a URI reader does), as a path.
fn decode(s: &str) -> PathBuf {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16).unwrap(),
            );
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    PathBuf::from(String::from_utf8(out).unwrap())
}

/// Every URI is made of URI characters only and names, decoded, a file
/// that exists under the odd folder (relative URIs from `cwd`).
fn check(uris: &[String], cwd: &Path, absolute: bool) {
    assert!(!uris.is_empty());
    for u in uris {
        assert!(
            u.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@%".contains(&c)),
            "not a URI reference: {u}"
        );
        assert!(u.contains("odd%20dir%20%231%20100%25/caf%C3%A9/"), "{u}");
        let path = if absolute {
            decode(u.strip_prefix("file://").unwrap_or_else(|| panic!("{u}")))
        } else {
            assert!(!u.starts_with("file:"), "{u}");
            cwd.join(decode(u))
        };
        assert!(
            path.exists(),
            "{u} decodes to {}, which does not exist",
            path.display()
        );
        assert!(path.to_str().unwrap().contains(ODD), "{}", path.display());
    }
}

#[test]
fn inspect_sarif_uris_are_percent_encoded() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join(ODD).join("site-packages");
    copy_tree(
        &fixture("inspect/replicas/site-packages-litellm-1.107.0"),
        &site,
    );
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let rel = Path::new(ODD).join("site-packages");
    let log = sarif(
        dir.path(),
        &home,
        &["inspect", "--format", "sarif", rel.to_str().unwrap()],
    );
    check(&uris(&log), dir.path(), false);
    // From elsewhere: absolute file:// URIs.
    let log = sarif(
        &root(),
        &home,
        &["inspect", "--format", "sarif", site.to_str().unwrap()],
    );
    check(&uris(&log), dir.path(), true);
}

#[test]
fn scan_sarif_uris_are_percent_encoded() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join(ODD).join("demo");
    copy_tree(&root().join("examples/demo"), &demo);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let rel = Path::new(ODD).join("demo");
    let log = sarif(
        dir.path(),
        &home,
        &["scan", "--format", "sarif", rel.to_str().unwrap()],
    );
    check(&uris(&log), dir.path(), false);
    let log = sarif(
        &root(),
        &home,
        &["scan", "--format", "sarif", demo.to_str().unwrap()],
    );
    check(&uris(&log), dir.path(), true);
}
