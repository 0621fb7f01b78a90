//! Every reader on the fixtures the real tools made (fixtures/ecosystems/):
//! one snapshot per file of every package read, and the facts each format
//! records checked by hand.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use common::{fixture, pairs, render};
use custody_ecosystems::{Ecosystem, Inventory, Package, Source, SourceKind, read};

fn read_fixture(rel: &str) -> Inventory {
    read(&fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn find<'a>(inv: &'a Inventory, name: &str, version: &str) -> &'a Package {
    inv.packages
        .iter()
        .find(|p| p.name == name && p.version.as_deref() == Some(version))
        .unwrap_or_else(|| panic!("{name}@{version} not read"))
}

fn by_name<'a>(inv: &'a Inventory, name: &str) -> Vec<&'a Package> {
    inv.packages.iter().filter(|p| p.name == name).collect()
}

#[test]
fn every_fixture_snapshot() {
    for (rel, snap) in [
        ("npm/npm-v3/package-lock.json", "npm_v3"),
        ("npm/npm-v2/package-lock.json", "npm_v2"),
        ("npm/npm-v1/package-lock.json", "npm_v1"),
        ("npm/shrinkwrap/npm-shrinkwrap.json", "npm_shrinkwrap"),
        ("npm/pnpm-v6/pnpm-lock.yaml", "pnpm_v6"),
        ("npm/pnpm-v9/pnpm-lock.yaml", "pnpm_v9"),
        ("npm/yarn-classic/yarn.lock", "yarn_classic"),
        ("npm/yarn-berry/yarn.lock", "yarn_berry_v4"),
        ("npm/yarn-berry-v3/yarn.lock", "yarn_berry_v3"),
        ("npm/node-modules/node_modules", "node_modules"),
        ("cargo/v3/Cargo.lock", "cargo_v3"),
        ("cargo/v4/Cargo.lock", "cargo_v4"),
    ] {
        insta::assert_snapshot!(snap, render(&read_fixture(rel)));
    }
}

#[test]
fn kinds_and_format_versions_are_recorded() {
    for (rel, kind, format) in [
        (
            "npm/npm-v3/package-lock.json",
            SourceKind::PackageLock,
            Some("3"),
        ),
        (
            "npm/npm-v2/package-lock.json",
            SourceKind::PackageLock,
            Some("2"),
        ),
        (
            "npm/npm-v1/package-lock.json",
            SourceKind::PackageLock,
            Some("1"),
        ),
        (
            "npm/shrinkwrap/npm-shrinkwrap.json",
            SourceKind::NpmShrinkwrap,
            Some("3"),
        ),
        (
            "npm/pnpm-v6/pnpm-lock.yaml",
            SourceKind::PnpmLock,
            Some("6.0"),
        ),
        (
            "npm/pnpm-v9/pnpm-lock.yaml",
            SourceKind::PnpmLock,
            Some("9.0"),
        ),
        (
            "npm/yarn-classic/yarn.lock",
            SourceKind::YarnClassic,
            Some("1"),
        ),
        (
            "npm/yarn-berry/yarn.lock",
            SourceKind::YarnBerry,
            Some("10"),
        ),
        (
            "npm/yarn-berry-v3/yarn.lock",
            SourceKind::YarnBerry,
            Some("6"),
        ),
        ("npm/node-modules", SourceKind::NodeModules, None),
        ("cargo/v3/Cargo.lock", SourceKind::CargoLock, Some("3")),
        ("cargo/v4/Cargo.lock", SourceKind::CargoLock, Some("4")),
    ] {
        let inv = read_fixture(rel);
        assert_eq!(inv.sources.len(), 1, "{rel}");
        assert_eq!(inv.sources[0].kind, kind, "{rel}");
        assert_eq!(inv.sources[0].format_version.as_deref(), format, "{rel}");
        let eco = kind.ecosystem();
        assert!(inv.packages.iter().all(|p| p.ecosystem == eco), "{rel}");
    }
}

#[test]
fn package_lock_v3_records_each_installed_folder() {
    let inv = read_fixture("npm/npm-v3/package-lock.json");
    assert_eq!(inv.packages.len(), 36, "37 entries less the root project");
    // The alias is the package it aliases.
    let aliased = find(&inv, "ms", "2.1.3");
    assert_eq!(aliased.origin.line, Some(558));
    assert_eq!(
        aliased.integrity,
        vec![
            "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA=="
        ]
    );
    // Nested under debug: a second ms.
    assert_eq!(find(&inv, "ms", "2.1.2").origin.line, Some(479));
    // Scoped, with its registry tarball.
    assert_eq!(
        find(&inv, "@sindresorhus/slugify", "2.2.1").source,
        Source::Registry(Some(
            "https://registry.npmjs.org/@sindresorhus/slugify/-/slugify-2.2.1.tgz".into()
        ))
    );
    // The install script and the dev/optional flags.
    let esbuild = find(&inv, "esbuild", "0.19.12");
    assert!(esbuild.install_script && esbuild.dev && !esbuild.optional);
    let platform = find(&inv, "@esbuild/linux-x64", "0.19.12");
    assert!(platform.dev && platform.optional && !platform.install_script);
    assert!(!find(&inv, "lodash", "4.17.20").dev);
    // The folder dependency: its folder entry, not the link to it.
    let local = find(&inv, "local-lib", "0.1.0");
    assert_eq!(local.source, Source::Path(Some("local-lib".into())));
    assert_eq!(by_name(&inv, "local-lib").len(), 1);
}

#[test]
fn package_lock_v2_v3_and_shrinkwrap_agree() {
    let v3 = read_fixture("npm/npm-v3/package-lock.json");
    let v2 = read_fixture("npm/npm-v2/package-lock.json");
    let sw = read_fixture("npm/shrinkwrap/npm-shrinkwrap.json");
    let strip = |inv: &Inventory| -> Vec<Package> {
        inv.packages
            .iter()
            .map(|p| {
                let mut p = p.clone();
                p.origin.path = "x".into();
                p.origin.line = None;
                p
            })
            .collect()
    };
    assert_eq!(strip(&v3), strip(&v2));
    assert_eq!(strip(&v3), strip(&sw));
}

#[test]
fn package_lock_v1_nests_by_name_and_writes_the_folder_as_its_version() {
    let inv = read_fixture("npm/npm-v1/package-lock.json");
    let v3 = read_fixture("npm/npm-v3/package-lock.json");
    let without_local = |inv: &Inventory| -> Vec<(String, String)> {
        pairs(inv)
            .into_iter()
            .filter(|(n, _)| n != "local-lib")
            .collect()
    };
    assert_eq!(without_local(&inv), without_local(&v3));
    // npm 6 writes `"version": "file:local-lib"`: no version to match.
    let local = by_name(&inv, "local-lib");
    assert_eq!(local.len(), 1);
    assert_eq!(local[0].version, None);
    assert_eq!(local[0].source, Source::Path(Some("local-lib".into())));
    // `"my-ms": {"version": "npm:ms@2.1.3"}`.
    assert_eq!(find(&inv, "ms", "2.1.3").origin.line, Some(266));
    // `dependencies.debug.dependencies.ms`.
    assert_eq!(find(&inv, "ms", "2.1.2").origin.line, Some(202));
    // Same flags as v3, but v1 has no hasInstallScript.
    for p in &inv.packages {
        if let Some(q) = v3
            .packages
            .iter()
            .find(|q| q.name == p.name && q.version == p.version)
        {
            assert_eq!((p.dev, p.optional), (q.dev, q.optional), "{}", p.name);
        }
        assert!(!p.install_script);
    }
}

#[test]
fn pnpm_v6_and_v9_agree_with_each_other_and_with_npm_on_dev_and_optional() {
    let v6 = read_fixture("npm/pnpm-v6/pnpm-lock.yaml");
    let v9 = read_fixture("npm/pnpm-v9/pnpm-lock.yaml");
    let npm = read_fixture("npm/npm-v3/package-lock.json");
    let flags = |inv: &Inventory| -> Vec<(String, Option<String>, bool, bool)> {
        let mut v: Vec<_> = inv
            .packages
            .iter()
            .filter(|p| p.name != "local-lib")
            .map(|p| (p.name.clone(), p.version.clone(), p.dev, p.optional))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        flags(&v6),
        flags(&v9),
        "9.x's dev flags come from its graph"
    );
    assert_eq!(flags(&v6), flags(&npm));
    for inv in [&v6, &v9] {
        // pnpm locks the folder dependency as a directory, without its version.
        let local = by_name(inv, "local-lib");
        assert_eq!(local.len(), 1);
        assert_eq!(local[0].version, None);
        assert_eq!(local[0].source, Source::Path(Some("local-lib".into())));
        // Registry packages: no URL in the file, the integrity is there.
        let lodash = find(inv, "lodash", "4.17.20");
        assert_eq!(lodash.source, Source::Registry(None));
        assert!(lodash.integrity[0].starts_with("sha512-PlhdF"));
    }
    // 6.x says `requiresBuild: true`; 9.x no longer records it.
    assert!(find(&v6, "esbuild", "0.19.12").install_script);
    assert!(!find(&v9, "esbuild", "0.19.12").install_script);
}

#[test]
fn yarn_classic_reads_descriptors_aliases_and_resolved_urls() {
    let inv = read_fixture("npm/yarn-classic/yarn.lock");
    // yarn resolves local-lib's `minimist@^1.2.0` on its own (1.2.8) where
    // npm and pnpm reuse the project's 1.2.5: one more package.
    assert_eq!(inv.packages.len(), 37);
    assert!(find(&inv, "minimist", "1.2.8").origin.line.is_some());
    let aliased = find(&inv, "ms", "2.1.3");
    assert_eq!(aliased.origin.line, Some(213));
    assert_eq!(
        aliased.source,
        Source::Registry(Some(
            "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz#574c8138ce1d2b5861f0b44579dbadd60c6615b2"
                .into()
        ))
    );
    let local = find(&inv, "local-lib", "0.1.0");
    assert_eq!(local.source, Source::Path(Some("./local-lib".into())));
    assert!(inv.packages.iter().all(|p| !p.dev && !p.optional));
}

#[test]
fn yarn_berry_reads_resolutions_and_skips_the_root_workspace() {
    for rel in ["npm/yarn-berry/yarn.lock", "npm/yarn-berry-v3/yarn.lock"] {
        let inv = read_fixture(rel);
        assert_eq!(inv.packages.len(), 37, "{rel}");
        assert!(by_name(&inv, "custody-eco-fixture").is_empty(), "{rel}");
        let aliased = find(&inv, "ms", "2.1.3");
        assert_eq!(aliased.source, Source::Registry(None), "{rel}");
        let local = find(&inv, "local-lib", "0.1.0");
        assert_eq!(
            local.source,
            Source::Path(Some("./local-lib".into())),
            "{rel}"
        );
        // Platform packages of other systems were never fetched: no checksum.
        assert!(
            find(&inv, "@esbuild/aix-ppc64", "0.19.12")
                .integrity
                .is_empty()
        );
    }
    let v4 = read_fixture("npm/yarn-berry/yarn.lock");
    assert!(find(&v4, "lodash", "4.17.20").integrity[0].starts_with("yarn:10c0/"));
    // yarn 3 writes the bare hex; the cache key is prefixed.
    let v3 = read_fixture("npm/yarn-berry-v3/yarn.lock");
    assert!(find(&v3, "lodash", "4.17.20").integrity[0].starts_with("yarn:8/"));
}

#[test]
fn every_npm_lockfile_locks_the_same_registry_packages() {
    let registry = |rel: &str| -> Vec<(String, String)> {
        let inv = read_fixture(rel);
        let mut v: Vec<_> = inv
            .packages
            .iter()
            .filter(|p| matches!(p.source, Source::Registry(_)))
            .map(|p| (p.name.clone(), p.version.clone().unwrap_or_default()))
            .filter(|(n, v)| !(n == "minimist" && v == "1.2.8"))
            .collect();
        v.sort();
        v
    };
    let reference = registry("npm/npm-v3/package-lock.json");
    assert_eq!(reference.len(), 35);
    for rel in [
        "npm/npm-v2/package-lock.json",
        "npm/npm-v1/package-lock.json",
        "npm/shrinkwrap/npm-shrinkwrap.json",
        "npm/pnpm-v6/pnpm-lock.yaml",
        "npm/pnpm-v9/pnpm-lock.yaml",
        "npm/yarn-classic/yarn.lock",
        "npm/yarn-berry/yarn.lock",
        "npm/yarn-berry-v3/yarn.lock",
    ] {
        assert_eq!(registry(rel), reference, "{rel}");
    }
}

#[test]
fn node_modules_reads_package_json_and_does_not_follow_the_link_out() {
    let inv = read_fixture("npm/node-modules");
    assert_eq!(inv.packages.len(), 14);
    let nested = find(&inv, "ms", "2.1.2");
    assert!(
        nested
            .origin
            .path
            .ends_with("node_modules/debug/node_modules/ms/package.json")
    );
    assert_eq!(nested.origin.line, Some(3));
    // Installed under its alias, the manifest names the real package.
    let aliased = find(&inv, "ms", "2.1.3");
    assert!(
        aliased
            .origin
            .path
            .ends_with("node_modules/my-ms/package.json")
    );
    // npm made `node_modules/local-lib -> ../local-lib`: listed, not read.
    let local = by_name(&inv, "local-lib");
    assert_eq!(local.len(), 1);
    assert_eq!(local[0].version, None);
    assert_eq!(local[0].source, Source::Path(Some("../local-lib".into())));
    assert!(find(&inv, "esbuild", "0.19.12").install_script);
    assert!(
        by_name(&inv, "@esbuild/aix-ppc64").is_empty(),
        "not installed here"
    );
}

#[test]
fn cargo_lock_v3_and_v4_list_the_same_packages() {
    let v3 = read_fixture("cargo/v3/Cargo.lock");
    let v4 = read_fixture("cargo/v4/Cargo.lock");
    assert_eq!(pairs(&v3), pairs(&v4));
    assert_eq!(v4.packages.len(), 16);
    let regex = find(&v4, "regex", "1.5.4");
    assert_eq!(regex.ecosystem, Ecosystem::CratesIo);
    assert_eq!(regex.origin.line, Some(63));
    assert_eq!(
        regex.integrity,
        vec!["sha256:d07a8629359eb56f1e2fb1652bb04212c072a87ba68546a04065d525673ac461"]
    );
    assert_eq!(
        regex.source,
        Source::Registry(Some("https://github.com/rust-lang/crates.io-index".into()))
    );
    assert_eq!(find(&v4, "helper", "0.2.0").source, Source::Path(None));
    assert_eq!(
        find(&v4, "tinydep", "0.3.0").source,
        Source::Git(
            "file:///tmp/custody-eco-git/tinydep?branch=main#c596282c5de8a2e469c089bf569d8c99e6c1be98"
                .into()
        )
    );
}
