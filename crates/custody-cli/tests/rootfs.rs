//! `custody scan ROOT` over a whole file system: every environment and
//! lockfile anywhere, each at its own place, npm's included; pseudo file
//! systems not entered; links not followed; one
//! broken lockfile reported without hiding the rest.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::path::Path;
use std::process::Command;

use common::{custody_run, json};
use serde_json::json;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A small root file system: a real venv deep in the tree, a user site,
/// a lockfile, another ecosystem, a pseudo file system, a link out, and a
/// broken requirements file.
fn build(root: &Path) {
    let root = root.to_owned();
    write(&root, "etc/os-release", "ID=debian\nVERSION_ID=12\n");
    std::fs::create_dir_all(root.join("usr/bin")).unwrap();
    // A real virtual environment deep in the tree (pip and its friends).
    let venv = root.join("opt/app/services/api/.venv");
    std::fs::create_dir_all(venv.parent().unwrap()).unwrap();
    let ok = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .unwrap();
    assert!(ok.success());
    let site = std::fs::read_dir(venv.join("lib"))
        .unwrap()
        .map(|e| e.unwrap().path().join("site-packages"))
        .find(|p| p.is_dir())
        .unwrap();
    let pip = std::fs::read_dir(&site)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("pip-"))
        .unwrap();
    // A user site (pip --user) under a hidden folder, holding pip's metadata.
    let user = root.join("root/.local/lib/python3.11/site-packages");
    std::fs::create_dir_all(&user).unwrap();
    let dist = user.join(pip.file_name().unwrap());
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::copy(pip.join("METADATA"), dist.join("METADATA")).unwrap();
    // A lockfile, another ecosystem, a pseudo file system, a link out.
    std::fs::copy(common::fixture("lockfiles/uv/uv.lock"), {
        std::fs::create_dir_all(root.join("srv/etl")).unwrap();
        root.join("srv/etl/uv.lock")
    })
    .unwrap();
    // npm: an installed tree holding the hijacked debug 4.4.2 (an embedded
    // MAL- record), a real lockfile, and a lockfile that is not one.
    write(
        &root,
        "srv/web/node_modules/debug/package.json",
        "{\"name\":\"debug\",\"version\":\"4.4.2\"}",
    );
    std::fs::copy(
        common::fixture("ecosystems/npm/npm-v3/package-lock.json"),
        root.join("srv/web/package-lock.json"),
    )
    .unwrap();
    write(&root, "srv/old/package-lock.json", "{}");
    // Cargo's download cache: every crate's own Cargo.lock, not installed.
    std::fs::copy(common::fixture("ecosystems/cargo/v4/Cargo.lock"), {
        let d = root.join("root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/regex-1.5.4");
        std::fs::create_dir_all(&d).unwrap();
        d.join("Cargo.lock")
    })
    .unwrap();
    write(
        &root,
        "proc/1/root/usr/lib/python3/site-packages/x-1.0.dist-info/METADATA",
        "Name: x\nVersion: 1.0\n",
    );
    std::os::unix::fs::symlink("/usr", root.join("opt/host-usr")).unwrap();
    // A broken requirements file: named, and the rest still scanned.
    write(
        &root,
        "srv/jobs/requirements.txt",
        "requests==2.19.1\nflask>=>2\n",
    );
}

#[test]
fn a_root_file_system_is_scanned_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("rootfs");
    build(&root);
    let home = common::imported_home();
    let r = custody_run(
        home.path(),
        &["scan", root.to_str().unwrap(), "--no-inspect", "-f", "json"],
    );
    assert_eq!(
        r.code, 2,
        "a broken entry makes the scan incomplete: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("srv/jobs/requirements.txt: line 2"),
        "{}",
        r.stderr
    );
    let j = json(&r);
    let sources: Vec<String> = j["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["path"]
                .as_str()
                .unwrap()
                .strip_prefix(root.to_str().unwrap())
                .unwrap_or("OUTSIDE")
                .to_owned()
        })
        .collect();
    for want in [
        "/opt/app/services/api/.venv/lib",
        "/root/.local/lib/python3.11/site-packages",
        "/srv/etl/uv.lock",
        "/srv/jobs/requirements.txt",
        "/srv/web/node_modules",
        "/srv/web/package-lock.json",
    ] {
        assert!(
            sources.iter().any(|s| s.starts_with(want)),
            "{want} in {sources:?}"
        );
    }
    assert!(
        !sources.iter().any(|s| s.starts_with("/proc")
            || s.starts_with("/opt/host-usr")
            || s.starts_with("/root/.cargo")
            || s == "OUTSIDE"),
        "{sources:?}"
    );
    controls(&root, home.path());
    // The findings of the lockfile and of the requirement that could be read.
    let found: Vec<String> = common::finding_ids(&j)
        .into_iter()
        .map(|(p, v, _)| format!("{p}=={v}"))
        .collect();
    assert!(found.contains(&"requests==2.19.1".to_owned()), "{found:?}");
    let debug = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"] == "debug")
        .unwrap_or_else(|| panic!("debug 4.4.2 found: {j}"));
    assert_eq!(
        (&debug["ecosystem"], &debug["version"], &debug["id"]),
        (&json!("npm"), &json!("4.4.2"), &json!("MAL-2025-46974"))
    );
    assert!(debug["malicious"].as_bool().unwrap());
    let text = custody_run(
        home.path(),
        &["scan", root.to_str().unwrap(), "--no-inspect"],
    );
    for note in ["srv/old/package-lock.json", "MALICIOUS debug (npm) 4.4.2"] {
        assert!(text.stdout.contains(note), "{note}: {}", text.stdout);
    }
}

/// What was left out would have been found: the planted environment under
/// proc is readable, and the link leads to the host's Python packages
/// (Debian's dist-packages, where the machine has them).
fn controls(root: &Path, home: &Path) {
    let planted = root.join("proc/1/root/usr/lib/python3/site-packages");
    let r = custody_run(
        home,
        &[
            "scan",
            planted.to_str().unwrap(),
            "--no-inspect",
            "-f",
            "json",
        ],
    );
    assert_eq!(json(&r)["summary"]["packages"], 1, "{}", r.stderr);
    if Path::new("/usr/lib/python3/dist-packages").is_dir() {
        let linked = root.join("opt/host-usr/lib/python3/dist-packages");
        let r = custody_run(
            home,
            &[
                "scan",
                linked.to_str().unwrap(),
                "--no-inspect",
                "-f",
                "json",
            ],
        );
        assert!(
            json(&r)["summary"]["packages"].as_u64().unwrap() > 0,
            "{}",
            r.stderr
        );
    }
}
