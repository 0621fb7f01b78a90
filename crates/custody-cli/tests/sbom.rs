//! `custody sbom`: a real environment against its own interpreter as the
//! oracle (what is installed, what depends on what), lockfiles made by
//! the real tools, snapshots of what users read, and bad input. The
//! documents are also kept under `target/tmp/sbom/` for `.ci/run`, which
//! checks them with the formats' reference validators
//! (`scripts/sbom/validate.sh`).

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::custody_run;
use serde_json::Value;

/// Where the documents are kept for the validators.
fn kept(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sbom");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// `custody sbom ARGS -o FILE` (kept as `keep`), parsed.
fn sbom(args: &[&str], keep: &str) -> Value {
    let home = tempfile::tempdir().unwrap();
    let out = kept(keep);
    let mut all = vec!["sbom"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", out.to_str().unwrap()]);
    let r = custody_run(home.path(), &all);
    assert_eq!(r.code, 0, "{all:?}: {}", r.stderr);
    serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap()
}

/// The environment's interpreter says what is installed and, evaluating
/// each `Requires-Dist` marker for itself with no extra, what depends on
/// what; and which requirements carry a marker on facts other than the
/// Python version and extras (platform, implementation).
const ORACLE: &str = r#"
import importlib.metadata as md, json, re, sys
from pip._vendor.packaging.requirements import Requirement
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
dists = {norm(d.metadata["Name"]): d for d in md.distributions()}
edges, platform = {}, {}
for n, d in dists.items():
    out, plat = set(), set()
    for r in d.requires or []:
        req = Requirement(r)
        t = norm(req.name)
        if t not in dists or t == n:
            continue
        m = str(req.marker or "")
        if re.search(r"platform|sys_platform|os_name|implementation", m):
            plat.add(t)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            out.add(t)
    edges[n], platform[n] = sorted(out), sorted(plat)
json.dump({"versions": {n: d.version for n, d in dists.items()}, "edges": edges, "platform": platform}, sys.stdout)
"#;

fn oracle(venv: &Path) -> Value {
    let out = Command::new(venv.join("bin/python"))
        .args(["-c", ORACLE])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Component name -> version, and name -> names it depends on.
fn graph(doc: &Value) -> (BTreeMap<String, String>, BTreeMap<String, BTreeSet<String>>) {
    let by_ref: BTreeMap<&str, &Value> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["bom-ref"].as_str().unwrap(), c))
        .collect();
    let versions = by_ref
        .values()
        .filter(|c| c["type"] == "library")
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut edges = BTreeMap::new();
    for d in doc["dependencies"].as_array().unwrap() {
        let Some(c) = by_ref.get(d["ref"].as_str().unwrap()) else {
            continue;
        };
        let to = d["dependsOn"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                by_ref[r.as_str().unwrap()]["name"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        edges.insert(c["name"].as_str().unwrap().to_owned(), to);
    }
    (versions, edges)
}

/// How many distributions the environment's site-packages holds.
fn want_count(venv: &Path) -> usize {
    oracle(venv)["versions"].as_object().unwrap().len()
}

/// The data team's environment of `real_envs.rs` (pip from PyPI).
#[test]
fn a_real_environment_matches_its_interpreter() {
    let venv = common::ml_venv();
    let v = venv.to_str().unwrap();
    let doc = sbom(&[v], "ml-venv.cdx16.json");
    sbom(&[v, "--spec-version", "1.7"], "ml-venv.cdx17.json");
    sbom(&[v, "--format", "spdx"], "ml-venv.spdx23.json");
    let spdx3 = sbom(
        &[v, "--format", "spdx", "--spec-version", "3.0.1"],
        "ml-venv.spdx3.jsonld",
    );
    let packages = spdx3["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "software_Package")
        .count();
    assert_eq!(
        packages,
        1 + want_count(&venv),
        "the source and every distribution"
    );
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.6");
    let truth = oracle(&venv);
    let (versions, edges) = graph(&doc);
    let want: BTreeMap<String, String> = serde_json::from_value(truth["versions"].clone()).unwrap();
    assert_eq!(
        versions, want,
        "every installed distribution, at its version"
    );
    let litellm = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "litellm")
        .unwrap();
    assert_eq!(litellm["purl"], "pkg:pypi/litellm@1.82.6");
    // Every dependency the interpreter has in effect is there; one more
    // only where a platform or implementation marker guards it (the files
    // do not tell the platform, so such a requirement may be in effect).
    let mut more = 0;
    for (name, deps) in &edges {
        let real: BTreeSet<String> = serde_json::from_value(truth["edges"][name].clone()).unwrap();
        let guarded: BTreeSet<String> =
            serde_json::from_value(truth["platform"][name].clone()).unwrap();
        assert!(real.is_subset(deps), "{name}: {real:?} not in {deps:?}");
        for extra in deps.difference(&real) {
            assert!(
                guarded.contains(extra),
                "{name} -> {extra}: no marker explains it"
            );
            more += 1;
        }
    }
    assert_eq!(
        edges.len(),
        want.len(),
        "each component's dependencies are stated"
    );
    assert!(
        edges.values().map(BTreeSet::len).sum::<usize>() > want.len(),
        "a real environment has dependencies"
    );
    eprintln!("{more} platform-guarded dependencies kept");
    // Licences: expressions are valid SPDX; nothing guessed.
    let expressions = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["licenses"][0]["expression"].as_str())
        .count();
    assert!(expressions > 10, "{expressions}");
}

/// Lockfiles made by the real tools: dependencies as locked.
#[test]
fn lockfiles_with_their_dependencies() {
    let uv = sbom(&["fixtures/lockfiles/uv/uv.lock"], "uv.cdx16.json");
    sbom(
        &["fixtures/lockfiles/uv/uv.lock", "--format", "spdx"],
        "uv.spdx23.json",
    );
    let (versions, edges) = graph(&uv);
    assert_eq!(versions.len(), 13, "{versions:?}");
    assert_eq!(
        edges["requests"],
        ["certifi", "chardet", "idna", "urllib3"]
            .map(String::from)
            .into(),
    );
    let poetry = sbom(
        &[
            "fixtures/lockfiles/poetry-2/poetry.lock",
            "--format",
            "spdx",
        ],
        "poetry.spdx23.json",
    );
    assert_eq!(poetry["spdxVersion"], "SPDX-2.3");
    let depends = poetry["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["relationshipType"] == "DEPENDS_ON")
        .count();
    assert!(depends > 0, "{poetry}");
    // A requirements file states no dependencies: none are invented.
    let req = sbom(&["fixtures/requirements/ordinary.txt"], "req.cdx16.json");
    let deps = req["dependencies"].as_array().unwrap();
    assert_eq!(deps.len(), 1, "only the source's list: {deps:?}");
}

/// What a user reads, pinned: the CycloneDX of the uv.lock fixture.
#[test]
fn the_uv_lock_document() {
    let doc = sbom(&["fixtures/lockfiles/uv/uv.lock"], "uv.snap.json");
    insta::assert_json_snapshot!(doc);
}

#[test]
fn bad_input_is_named() {
    let home = tempfile::tempdir().unwrap();
    let r = custody_run(
        home.path(),
        &["sbom", "fixtures/lockfiles/bad/uv-toml-syntax/uv.lock"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("fixtures/lockfiles/bad/uv-toml-syntax/uv.lock"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("line "), "{}", r.stderr);
    let r = custody_run(
        home.path(),
        &[
            "sbom",
            "fixtures/lockfiles/uv/uv.lock",
            "--spec-version",
            "2.3",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("--spec-version 2.3 is not a version custody writes for CycloneDX"),
        "{}",
        r.stderr
    );
    let empty = tempfile::tempdir().unwrap();
    let r = custody_run(home.path(), &["sbom", empty.path().to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("no Python environment, node_modules or lockfile found"),
        "{}",
        r.stderr
    );
    let r = custody_run(
        home.path(),
        &[
            "sbom",
            "fixtures/lockfiles/uv/uv.lock",
            "-o",
            "/nonexistent/dir/x.json",
        ],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("/nonexistent/dir/x.json"), "{}", r.stderr);
}

/// `custody scan` reads a bill like a lockfile: each of custody's own
/// three formats of the uv.lock fixture gives the findings the lockfile
/// gives (the fixture pins releases with known advisories).
#[test]
fn a_bill_scans_like_the_lockfile_it_describes() {
    let home = common::imported_home();
    let scan = |path: &str| {
        let r = custody_run(home.path(), &["scan", path, "--no-inspect", "-f", "json"]);
        assert!(r.code == 0 || r.code == 1, "{path}: {}", r.stderr);
        common::finding_ids(&common::json(&r))
    };
    let want = scan("fixtures/lockfiles/uv/uv.lock");
    assert!(want.len() > 5, "{want:?}");
    for (args, keep) in [
        (&[][..], "rt.cdx16.json"),
        (&["--spec-version", "1.7"][..], "rt.cdx17.json"),
        (&["--format", "spdx"][..], "rt.spdx23.json"),
        (
            &["--format", "spdx", "--spec-version", "3.0.1"][..],
            "rt.spdx3.jsonld",
        ),
    ] {
        sbom(
            &[&["fixtures/lockfiles/uv/uv.lock"][..], args].concat(),
            keep,
        );
        assert_eq!(scan(kept(keep).to_str().unwrap()), want, "{keep}");
    }
}

/// A bill that is not one custody reads, or is broken, is bad input that
/// names the file and the place.
#[test]
fn a_broken_bill_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let cases = [
        (
            "old.cdx.json",
            r#"{"bomFormat":"CycloneDX","specVersion":"1.2","components":[]}"#,
            "specVersion: CycloneDX specVersion \"1.2\" is not one custody reads",
        ),
        (
            "bad.cdx.json",
            r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"x","purl":"pkg:pypi/x@not a version!"}]}"#,
            "components[0]",
        ),
        (
            "trunc.spdx.json",
            r#"{"spdxVersion":"SPDX-2.3","packages":[{"name":"#,
            "line 1",
        ),
    ];
    for (name, text, want) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        let r = custody_run(home.path(), &["scan", p.to_str().unwrap(), "--no-inspect"]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(name) && r.stderr.contains(want),
            "{name}: {}",
            r.stderr
        );
    }
    // npm and Cargo components are read; another ecosystem's component is
    // listed, not dropped.
    let p = dir.path().join("mixed.cdx.json");
    std::fs::write(
        &p,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
            {"name":"left-pad","purl":"pkg:npm/left-pad@1.3.0"},
            {"name":"rails","purl":"pkg:gem/rails@7.0.0"},
            {"name":"requests","purl":"pkg:pypi/requests@2.19.1"}]}"#,
    )
    .unwrap();
    let r = custody_run(
        home.path(),
        &["scan", p.to_str().unwrap(), "--no-inspect", "-f", "json"],
    );
    let j = common::json(&r);
    assert_eq!(j["summary"]["packages"], 2, "{j}");
    let text = custody_run(home.path(), &["scan", p.to_str().unwrap(), "--no-inspect"]);
    assert!(
        text.stdout.contains(
            "a package from gem (pkg:gem/rails@7.0.0): custody reads PyPI, npm and crates.io packages"
        ),
        "{}",
        text.stdout
    );
}

/// Bills other tools wrote of one real environment (cyclonedx-py in four
/// CycloneDX versions, cdxgen, sbom4python in CycloneDX and SPDX 3; see
/// `fixtures/sbom/README.md`) scan with exactly the findings of the
/// environment's own `pip freeze`.
#[test]
fn bills_other_tools_made_scan_like_the_environment() {
    let home = common::imported_home();
    let scan = |path: &Path| {
        let r = custody_run(
            home.path(),
            &["scan", path.to_str().unwrap(), "--no-inspect", "-f", "json"],
        );
        assert!(
            r.code == 0 || r.code == 1,
            "{}: {}",
            path.display(),
            r.stderr
        );
        let j = common::json(&r);
        (j["summary"]["packages"].clone(), common::finding_ids(&j))
    };
    let dir = common::fixture("sbom");
    let (count, want) = scan(&dir.join("requirements.txt"));
    assert_eq!(count, 15, "the freeze lists the 15 distributions");
    assert!(want.len() > 20, "{want:?}");
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.ends_with(".json") || name.ends_with(".jsonld")) {
            continue;
        }
        let (n, found) = scan(&p);
        assert_eq!(n, 15, "{name}: every distribution");
        assert_eq!(found, want, "{name}");
        read += 1;
    }
    assert!(read >= 6, "{read} bills read");
    // The reader is tolerant where the meaning is clear: sbom4python's SPDX
    // 2.3 fails spdx-tools only on its licence list version.
    let (n, found) = scan(&dir.join("invalid/sbom4python.spdx.json"));
    assert_eq!((n, found), (15.into(), want));
    // cdxgen's SPDX 3 names its root project `pkg:pypi/...@latest`: not a
    // version, so bad input naming the element, not a silent skip.
    let r = custody_run(
        home.path(),
        &[
            "scan",
            dir.join("invalid/cdxgen.spdx3.json").to_str().unwrap(),
            "--no-inspect",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("@graph[2]") && r.stderr.contains("\"latest\""),
        "{}",
        r.stderr
    );
}
