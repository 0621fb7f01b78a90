//! `custody sbom` of npm and Cargo sources (`fixtures/ecosystems/`, made by
//! the real tools): every registry package the fixtures' own oracles list
//! (npm's `npm query`, `cargo metadata`, yarn's `resolution` lines) is a
//! component with its purl, in each format; purls of a scoped package and
//! an alias, digests checked against the lockfile text, and `custody scan`
//! of the bills finding what the sources give. The documents are kept
//! under `target/tmp/sbom/` for `.ci/run`'s reference validators.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{custody_run, fixture, json};
use serde_json::Value;

/// Where the documents are kept for the validators.
fn kept(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sbom");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The four formats: arguments and file suffix.
const FORMATS: [(&[&str], &str); 4] = [
    (&[], "cdx16.json"),
    (&["--spec-version", "1.7"], "cdx17.json"),
    (&["--format", "spdx"], "spdx23.json"),
    (
        &["--format", "spdx", "--spec-version", "3.0.1"],
        "spdx3.jsonld",
    ),
];

/// `custody sbom PATH ARGS -o kept(keep)`, parsed.
fn sbom(path: &Path, args: &[&str], keep: &str) -> Value {
    let home = tempfile::tempdir().unwrap();
    let out = kept(keep);
    let mut all = vec!["sbom", path.to_str().unwrap()];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", out.to_str().unwrap()]);
    let r = custody_run(home.path(), &all);
    assert_eq!(r.code, 0, "{all:?}: {}", r.stderr);
    serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap()
}

/// A library component of any format: (name, purl).
fn libraries(doc: &Value) -> Vec<(String, Option<String>)> {
    let s = |v: &Value| v.as_str().map(str::to_owned);
    if let Some(cs) = doc["components"].as_array() {
        return cs
            .iter()
            .filter(|c| c["type"] == "library")
            .map(|c| (s(&c["name"]).unwrap(), s(&c["purl"])))
            .collect();
    }
    if let Some(ps) = doc["packages"].as_array() {
        return ps
            .iter()
            .filter(|p| p["primaryPackagePurpose"] == "LIBRARY")
            .map(|p| {
                let purl = p["externalRefs"].as_array().and_then(|r| {
                    r.iter()
                        .find(|r| r["referenceType"] == "purl")
                        .and_then(|r| s(&r["referenceLocator"]))
                });
                (s(&p["name"]).unwrap(), purl)
            })
            .collect();
    }
    doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "software_Package" && e["software_primaryPurpose"] == "library")
        .map(|e| (s(&e["name"]).unwrap(), s(&e["software_packageUrl"])))
        .collect()
}

/// The purl the purl spec gives an npm package: the scope's `@` as `%40`.
fn npm_purl(name: &str, version: &str) -> String {
    format!("pkg:npm/{}@{version}", name.replacen('@', "%40", 1))
}

/// Registry packages of npm's own view of a project (`npm query '*'`):
/// the nodes under `node_modules/` (the root and linked folders are not).
fn npm_oracle(file: &str) -> BTreeSet<String> {
    let nodes: Value = serde_json::from_slice(
        &std::fs::read(fixture("ecosystems/npm/oracle").join(file)).unwrap(),
    )
    .unwrap();
    nodes
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["location"].as_str().unwrap().starts_with("node_modules/"))
        .map(|n| npm_purl(n["name"].as_str().unwrap(), n["version"].as_str().unwrap()))
        .collect()
}

/// Registry packages of a yarn berry lockfile: its `resolution:
/// "NAME@npm:VERSION"` lines.
fn yarn_berry_oracle(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.trim().strip_prefix("resolution: \""))
        .filter_map(|r| {
            let (name, version) = r.trim_end_matches('"').rsplit_once("@npm:")?;
            Some(npm_purl(name, version))
        })
        .collect()
}

/// Registry crates of `cargo metadata`, and the names of the others.
fn cargo_oracle() -> (BTreeSet<String>, BTreeSet<String>) {
    let doc: Value = serde_json::from_slice(
        &std::fs::read(fixture(
            "ecosystems/cargo/oracle/cargo-metadata-packages.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let (mut registry, mut other) = (BTreeSet::new(), BTreeSet::new());
    for p in doc["packages"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        if p["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("registry+"))
        {
            registry.insert(format!(
                "pkg:cargo/{name}@{}",
                p["version"].as_str().unwrap()
            ));
        } else {
            other.insert(name.to_owned());
        }
    }
    (registry, other)
}

/// Standard base64 (RFC 4648), decoded here rather than by custody's
/// dependencies.
fn base64_hex(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut bits, mut n, mut hex) = (0_u32, 0, String::new());
    for b in text.trim_end_matches('=').bytes() {
        let v = u32::try_from(ALPHABET.iter().position(|a| *a == b).unwrap()).unwrap();
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            write!(hex, "{:02x}", (bits >> n) & 0xff).unwrap();
        }
    }
    hex
}

/// Every registry package of each npm and Cargo fixture, and nothing
/// else with a purl, in every format; the packages that are not registry
/// releases (folders, git) listed by name without one.
#[test]
fn every_registry_package_is_a_component_in_every_format() {
    let eco = fixture("ecosystems");
    let lock = npm_oracle("npm-query-package-lock.json");
    let (crates, cargo_local) = cargo_oracle();
    let yarn = eco.join("npm/yarn-berry/yarn.lock");
    let cases: [(&str, PathBuf, BTreeSet<String>, &[&str]); 5] = [
        (
            "eco-npm-v3",
            eco.join("npm/npm-v3/package-lock.json"),
            lock.clone(),
            &["local-lib"],
        ),
        (
            "eco-pnpm-v9",
            eco.join("npm/pnpm-v9/pnpm-lock.yaml"),
            lock.clone(),
            &["local-lib"],
        ),
        (
            "eco-yarn-berry",
            yarn.clone(),
            yarn_berry_oracle(&yarn),
            &["local-lib"],
        ),
        (
            "eco-node-modules",
            eco.join("npm/node-modules"),
            npm_oracle("npm-query-installed.json"),
            &["local-lib"],
        ),
        ("eco-cargo-v4", eco.join("cargo/v4/Cargo.lock"), crates, &[]),
    ];
    assert_eq!(lock.len(), 35, "npm query: 35 registry packages");
    for (name, path, want, local) in cases {
        for (args, suffix) in FORMATS {
            let keep = format!("{name}.{suffix}");
            let libs = libraries(&sbom(&path, args, &keep));
            let purls: Vec<&String> = libs.iter().filter_map(|(_, p)| p.as_ref()).collect();
            let unique: BTreeSet<String> = purls.iter().map(|p| (*p).clone()).collect();
            assert_eq!(purls.len(), unique.len(), "{keep}: one component per purl");
            assert_eq!(unique, want, "{keep}");
            let without: BTreeSet<&str> = libs
                .iter()
                .filter(|(_, p)| p.is_none())
                .map(|(n, _)| n.as_str())
                .collect();
            let want_local: BTreeSet<&str> = if local.is_empty() {
                cargo_local.iter().map(String::as_str).collect()
            } else {
                local.iter().copied().collect()
            };
            assert!(want_local.is_subset(&without), "{keep}: {without:?}");
        }
    }
}

/// The scoped package's and the alias's purls, one package's digest
/// decoded by hand from the lockfile's integrity string in each format,
/// its declared licence, the development scope, and what yarn berry's
/// checksum is not.
#[test]
fn purls_digests_and_scopes_are_the_sources() {
    let lockfile = fixture("ecosystems/npm/npm-v3/package-lock.json");
    let lock: Value = serde_json::from_slice(&std::fs::read(&lockfile).unwrap()).unwrap();
    let entry = &lock["packages"]["node_modules/@sindresorhus/slugify"];
    let sri = entry["integrity"].as_str().unwrap();
    let want = base64_hex(sri.strip_prefix("sha512-").unwrap());
    assert_eq!(want.len(), 128);
    assert!(want.starts_with("3249e0482459f097"), "{want}");
    let slugify = "pkg:npm/%40sindresorhus/slugify@2.2.1";

    let cdx = sbom(&lockfile, &[], "eco-npm-v3.cdx16.json");
    let c = cdx["components"].as_array().unwrap();
    let find = |purl: &str| c.iter().find(|c| c["purl"] == purl).unwrap().clone();
    let s = find(slugify);
    assert_eq!(s["name"], "@sindresorhus/slugify");
    assert_eq!(
        s["hashes"],
        serde_json::json!([{ "alg": "SHA-512", "content": want }])
    );
    assert_eq!(s["licenses"][0]["expression"], "MIT");
    assert!(s.get("scope").is_none(), "required: no scope written");
    // `"my-ms": "npm:ms@2.1.3"` is the package ms.
    assert_eq!(find("pkg:npm/ms@2.1.3")["name"], "ms");
    assert!(!c.iter().any(|c| c["name"] == "my-ms"));
    assert_eq!(find("pkg:npm/esbuild@0.19.12")["scope"], "excluded", "dev");
    let local = c.iter().find(|c| c["name"] == "local-lib").unwrap();
    assert!(local.get("purl").is_none(), "{local}");

    let spdx = sbom(&lockfile, &["--format", "spdx"], "eco-npm-v3.spdx23.json");
    let p = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["externalRefs"][0]["referenceLocator"] == slugify)
        .unwrap();
    assert_eq!(
        p["checksums"],
        serde_json::json!([{ "algorithm": "SHA512", "checksumValue": want }])
    );
    assert_eq!(p["licenseDeclared"], "MIT");
    let dev = spdx["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["relationshipType"] == "DEV_DEPENDENCY_OF")
        .count();
    let dev_in_lock = lock["packages"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| k.starts_with("node_modules/") && v["dev"] == true)
        .count();
    assert_eq!(dev, dev_in_lock, "one per development-only package");

    let three = sbom(
        &lockfile,
        &["--format", "spdx", "--spec-version", "3.0.1"],
        "eco-npm-v3.spdx3.jsonld",
    );
    let graph = three["@graph"].as_array().unwrap();
    let p = graph
        .iter()
        .find(|e| e["software_packageUrl"] == slugify)
        .unwrap();
    assert_eq!(
        p["verifiedUsing"],
        serde_json::json!([{ "type": "Hash", "algorithm": "sha512", "hashValue": want }])
    );
    assert!(
        graph
            .iter()
            .any(|e| e["type"] == "LifecycleScopedRelationship" && e["scope"] == "development")
    );

    // Cargo: the checksum as Cargo.lock writes it.
    let cargo = sbom(
        &fixture("ecosystems/cargo/v4/Cargo.lock"),
        &[],
        "eco-cargo-v4.cdx16.json",
    );
    let regex = cargo["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["purl"] == "pkg:cargo/regex@1.5.4")
        .unwrap();
    assert_eq!(
        regex["hashes"][0]["content"],
        "d07a8629359eb56f1e2fb1652bb04212c072a87ba68546a04065d525673ac461"
    );
    // yarn berry's checksum is a digest of yarn's own zip: no hash.
    let yarn = sbom(
        &fixture("ecosystems/npm/yarn-berry/yarn.lock"),
        &[],
        "eco-yarn-berry.cdx16.json",
    );
    assert!(
        yarn["components"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c.get("hashes").is_none())
    );
}

/// One project folder holding pnpm, Cargo and uv lockfiles: one bill with
/// every ecosystem's packages, each component held by its source.
#[test]
fn a_mixed_project_folder() {
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
    for (args, suffix) in FORMATS {
        let doc = sbom(dir.path(), args, &format!("eco-mixed.{suffix}"));
        let kinds: BTreeSet<&str> = libraries(&doc)
            .iter()
            .filter_map(|(_, p)| p.as_deref()?.split('/').next())
            .map(|k| match k {
                "pkg:npm" => "npm",
                "pkg:cargo" => "cargo",
                "pkg:pypi" => "pypi",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, BTreeSet::from(["cargo", "npm", "pypi"]), "{suffix}");
    }
}

/// A home with the fixtures' npm and crates.io OSV records imported.
fn osv_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let r = custody_run(
        home.path(),
        &["db", "import", fixture("ecosystems/osv").to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    home
}

/// (ecosystem, package, version, id) of every finding of `custody scan PATH`.
fn scan(home: &Path, path: &Path) -> BTreeSet<(String, String, String, String)> {
    let r = custody_run(
        home,
        &["scan", path.to_str().unwrap(), "--no-inspect", "-f", "json"],
    );
    assert!(
        r.code == 0 || r.code == 1,
        "{}: {}",
        path.display(),
        r.stderr
    );
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    json(&r)["findings"]
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
        .collect()
}

/// `custody scan` of custody's own bills of the npm and Cargo lockfiles
/// finds what the lockfiles give; so does cyclonedx-npm's bill of the
/// installed tree (`fixtures/sbom/npm/`) against the tree itself.
#[test]
fn bills_scan_like_the_sources_they_describe() {
    let home = osv_home();
    let eco = fixture("ecosystems");
    for (source, name) in [
        (eco.join("npm/npm-v3/package-lock.json"), "rt-npm-v3"),
        (eco.join("cargo/v4/Cargo.lock"), "rt-cargo-v4"),
    ] {
        let want = scan(home.path(), &source);
        assert!(want.len() >= 2, "{name}: {want:?}");
        for (args, suffix) in FORMATS {
            let keep = format!("{name}.{suffix}");
            sbom(&source, args, &keep);
            assert_eq!(scan(home.path(), &kept(&keep)), want, "{keep}");
        }
    }
    let tree = scan(home.path(), &eco.join("npm/node-modules"));
    let peer = fixture("sbom/npm/cyclonedx-npm.1.6.cdx.json");
    assert_eq!(scan(home.path(), &peer), tree);
    assert!(
        tree.iter()
            .any(|(_, p, v, _)| p == "lodash" && v == "4.17.20"),
        "{tree:?}"
    );
}
