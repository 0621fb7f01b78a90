//! The readers against what the tools themselves report about the same
//! projects (fixtures/ecosystems/*/oracle/, recorded by make.sh):
//! `npm query '*'` and `npm ls --all --json` for the npm project, with and
//! without `--package-lock-only`, and `cargo metadata` for the Cargo one.
//! Every difference is named and explained.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::collections::BTreeSet;

use common::fixture;
use custody_ecosystems::{Inventory, Source, read};
use serde_json::Value;

fn json(rel: &str) -> Value {
    let text = fs_err::read_to_string(fixture(rel)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn read_fixture(rel: &str) -> Inventory {
    read(&fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `(name, version, dev)` of every `npm query` node but the root project.
fn query_nodes(rel: &str) -> Vec<(String, String, bool)> {
    let mut out: Vec<_> = json(rel)
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["location"] != "")
        .map(|n| {
            (
                n["name"].as_str().unwrap().to_owned(),
                n["version"].as_str().unwrap().to_owned(),
                n["dev"].as_bool().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn read_nodes(inv: &Inventory) -> Vec<(String, String, bool)> {
    let mut out: Vec<_> = inv
        .packages
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone().unwrap_or_else(|| "?".into()),
                p.dev,
            )
        })
        .collect();
    out.sort();
    out
}

/// Every `(dependency key, version)` in an `npm ls --all --json` tree
/// (entries npm shows as `{}` are optional packages not installed).
fn ls_pairs(rel: &str) -> BTreeSet<(String, String)> {
    fn walk(deps: &Value, out: &mut BTreeSet<(String, String)>) {
        let Some(deps) = deps.as_object() else { return };
        for (key, node) in deps {
            if let Some(v) = node["version"].as_str() {
                out.insert((key.clone(), v.to_owned()));
            }
            walk(&node["dependencies"], out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&json(rel)["dependencies"], &mut out);
    out
}

#[test]
fn package_lock_v3_v2_and_shrinkwrap_are_what_npm_query_reports() {
    let oracle = query_nodes("npm/oracle/npm-query-package-lock.json");
    assert_eq!(oracle.len(), 36);
    for rel in [
        "npm/npm-v3/package-lock.json",
        "npm/npm-v2/package-lock.json",
        "npm/shrinkwrap/npm-shrinkwrap.json",
    ] {
        assert_eq!(
            read_nodes(&read_fixture(rel)),
            oracle,
            "{rel}: names, versions, dev"
        );
    }
}

#[test]
fn package_lock_v1_differs_from_npm_query_only_by_the_folder_version() {
    let oracle = query_nodes("npm/oracle/npm-query-package-lock.json");
    let read = read_nodes(&read_fixture("npm/npm-v1/package-lock.json"));
    let only_oracle: Vec<_> = oracle.iter().filter(|n| !read.contains(n)).collect();
    let only_read: Vec<_> = read.iter().filter(|n| !oracle.contains(n)).collect();
    // npm 6 writes `"version": "file:local-lib"`; npm 11 reads 0.1.0 from the folder.
    assert_eq!(only_oracle, [&("local-lib".into(), "0.1.0".into(), false)]);
    assert_eq!(only_read, [&("local-lib".into(), "?".into(), false)]);
}

#[test]
fn pnpm_lockfiles_are_what_npm_query_reports_but_the_folder_version() {
    let oracle = query_nodes("npm/oracle/npm-query-package-lock.json");
    for rel in ["npm/pnpm-v6/pnpm-lock.yaml", "npm/pnpm-v9/pnpm-lock.yaml"] {
        let read = read_nodes(&read_fixture(rel));
        let only_oracle: Vec<_> = oracle.iter().filter(|n| !read.contains(n)).collect();
        let only_read: Vec<_> = read.iter().filter(|n| !oracle.contains(n)).collect();
        // pnpm locks a `file:` folder as a directory, not by its version.
        assert_eq!(
            only_oracle,
            [&("local-lib".into(), "0.1.0".into(), false)],
            "{rel}"
        );
        assert_eq!(
            only_read,
            [&("local-lib".into(), "?".into(), false)],
            "{rel}"
        );
    }
}

#[test]
fn yarn_lockfiles_add_one_minimist_to_what_npm_query_reports() {
    let oracle: BTreeSet<(String, String)> = query_nodes("npm/oracle/npm-query-package-lock.json")
        .into_iter()
        .map(|(n, v, _)| (n, v))
        .collect();
    for rel in [
        "npm/yarn-classic/yarn.lock",
        "npm/yarn-berry/yarn.lock",
        "npm/yarn-berry-v3/yarn.lock",
    ] {
        let read: BTreeSet<(String, String)> = read_fixture(rel)
            .packages
            .iter()
            .map(|p| (p.name.clone(), p.version.clone().unwrap_or_default()))
            .collect();
        // yarn resolves local-lib's `minimist@^1.2.0` to the newest 1.2.x
        // instead of reusing the project's 1.2.5 as npm does.
        let extra: Vec<_> = read.difference(&oracle).collect();
        assert_eq!(extra, [&("minimist".into(), "1.2.8".into())], "{rel}");
        assert!(oracle.is_subset(&read), "{rel}");
        // yarn records no dev flag.
        assert!(read_fixture(rel).packages.iter().all(|p| !p.dev), "{rel}");
    }
}

#[test]
fn package_lock_is_what_npm_ls_reports_with_the_alias_resolved() {
    let oracle = ls_pairs("npm/oracle/npm-ls-package-lock.json");
    let read: BTreeSet<(String, String)> = read_fixture("npm/npm-v3/package-lock.json")
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone().unwrap()))
        .collect();
    // npm ls names a node by its dependency key: the alias `my-ms`.
    let only_oracle: Vec<_> = oracle.difference(&read).collect();
    let only_read: Vec<_> = read.difference(&oracle).collect();
    assert_eq!(only_oracle, [&("my-ms".into(), "2.1.3".into())]);
    assert_eq!(only_read, [&("ms".into(), "2.1.3".into())]);
    assert_eq!(oracle.len(), 36);
}

#[test]
fn node_modules_is_what_npm_reports_installed_but_the_unfollowed_link() {
    let inv = read_fixture("npm/node-modules");
    // The installed tree has no dev flags to read: compare names and versions.
    let read: Vec<(String, String)> = read_nodes(&inv)
        .into_iter()
        .map(|(n, v, _)| (n, v))
        .collect();
    let oracle: Vec<(String, String)> = query_nodes("npm/oracle/npm-query-installed.json")
        .into_iter()
        .map(|(n, v, _)| (n, v))
        .collect();
    assert_eq!(oracle.len(), 14);
    let only_oracle: Vec<_> = oracle.iter().filter(|n| !read.contains(n)).collect();
    let only_read: Vec<_> = read.iter().filter(|n| !oracle.contains(n)).collect();
    // `node_modules/local-lib` links out of the tree: listed, not followed.
    assert_eq!(only_oracle, [&("local-lib".into(), "0.1.0".into())]);
    assert_eq!(only_read, [&("local-lib".into(), "?".into())]);

    let ls = ls_pairs("npm/oracle/npm-ls-installed.json");
    assert_eq!(
        ls.len(),
        14,
        "npm ls: the 13 installed packages and local-lib"
    );
    assert!(ls.contains(&("my-ms".into(), "2.1.3".into())));
    assert!(
        !ls.iter()
            .any(|(n, _)| n.starts_with("@esbuild/") && n != "@esbuild/linux-x64")
    );
}

/// The Cargo source id of a package, as `cargo metadata` writes it.
fn cargo_source(s: &Source) -> Value {
    match s {
        Source::Registry(Some(url)) if url.starts_with("sparse+") => Value::String(url.clone()),
        Source::Registry(Some(url)) => Value::String(format!("registry+{url}")),
        Source::Git(url) => Value::String(format!("git+{url}")),
        Source::Path(None) => Value::Null,
        other => panic!("unexpected Cargo source {other:?}"),
    }
}

#[test]
fn cargo_lock_is_what_cargo_metadata_reports() {
    let oracle = json("cargo/oracle/cargo-metadata-packages.json")["packages"].clone();
    let oracle: Vec<(String, String, Value)> = oracle
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
                p["source"].clone(),
            )
        })
        .collect();
    assert_eq!(oracle.len(), 16);
    for rel in ["cargo/v3/Cargo.lock", "cargo/v4/Cargo.lock"] {
        let mut read: Vec<(String, String, Value)> = read_fixture(rel)
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.version.clone().unwrap(),
                    cargo_source(&p.source),
                )
            })
            .collect();
        read.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        assert_eq!(read, oracle, "{rel}");
    }
}
