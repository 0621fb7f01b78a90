//! Entry shapes the fixture projects do not produce (no git host or private
//! registry is reachable here), written by hand after the formats' real
//! output: npm workspaces, git, tarball, bundled and `devOptional` entries;
//! pnpm 9 peer suffixes, tarball resolutions and workspace links; yarn git,
//! tarball and multi-descriptor entries and pre-1.10 files without
//! `integrity`; yarn berry workspaces, patches, git and links; Cargo sparse
//! and alternative registries.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::path::Path;

use common::render;
use custody_ecosystems::{Inventory, Source, SourceKind, parse};

fn read(kind: SourceKind, name: &str, text: &str) -> Inventory {
    parse(kind, Path::new(name), text).unwrap_or_else(|e| panic!("{e}"))
}

fn source_of(inv: &Inventory, name: &str) -> Source {
    inv.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap()
        .source
        .clone()
}

const NPM_WORKSPACE: &str = r#"{
  "name": "ws-root",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "ws-root", "workspaces": ["packages/*"]},
    "node_modules/a": {"resolved": "packages/a", "link": true},
    "node_modules/both": {
      "version": "1.0.0",
      "resolved": "https://registry.npmjs.org/both/-/both-1.0.0.tgz",
      "integrity": "sha512-AAAA sha1-BBBB",
      "devOptional": true
    },
    "node_modules/gitdep": {
      "version": "1.2.3",
      "resolved": "git+ssh://git@github.com/o/gitdep.git#0123456789abcdef0123456789abcdef01234567"
    },
    "node_modules/nores": {"version": "3.0.0", "integrity": "sha512-CCCC"},
    "node_modules/parent": {
      "version": "1.0.0",
      "resolved": "https://npm.example.com/private/-/parent-1.0.0.tgz",
      "integrity": "sha512-DDDD",
      "bundleDependencies": ["child"]
    },
    "node_modules/parent/node_modules/child": {"version": "0.0.1", "inBundle": true},
    "node_modules/tarball": {
      "version": "0.1.0",
      "resolved": "https://example.com/downloads/tarball-0.1.0.tgz",
      "integrity": "sha512-EEEE"
    },
    "packages/a": {"name": "a", "version": "1.0.0"}
  }
}"#;

#[test]
fn npm_workspaces_git_tarballs_and_bundles() {
    let inv = read(SourceKind::PackageLock, "package-lock.json", NPM_WORKSPACE);
    insta::assert_snapshot!(render(&inv));
    assert_eq!(
        source_of(&inv, "a"),
        Source::Path(Some("packages/a".into()))
    );
    assert!(matches!(source_of(&inv, "gitdep"), Source::Git(_)));
    assert_eq!(source_of(&inv, "nores"), Source::Registry(None));
    assert!(matches!(
        source_of(&inv, "parent"),
        Source::Registry(Some(_))
    ));
    assert!(matches!(source_of(&inv, "child"), Source::Other(_)));
    assert!(matches!(source_of(&inv, "tarball"), Source::Other(_)));
    let both = inv.packages.iter().find(|p| p.name == "both").unwrap();
    assert!(
        both.optional && !both.dev,
        "devOptional: installed in production when possible"
    );
    assert_eq!(both.integrity, ["sha512-AAAA", "sha1-BBBB"]);
}

const PNPM9: &str = "lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      gitdep:
        specifier: github:o/gitdep#0123abc
        version: https://codeload.github.com/o/gitdep/tar.gz/0123abc
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)
      ws-a:
        specifier: workspace:*
        version: link:packages/a
    devDependencies:
      react:
        specifier: ^18.2.0
        version: 18.2.0
      typescript:
        specifier: ^5.0.0
        version: 5.0.4

  packages/a: {}

packages:

  gitdep@https://codeload.github.com/o/gitdep/tar.gz/0123abc:
    resolution: {tarball: https://codeload.github.com/o/gitdep/tar.gz/0123abc}
    version: 1.0.0

  loose-envify@1.4.0:
    resolution: {integrity: sha512-lyuxPGr/Wfhrlem2CL/UcnUc1zcqKAImBDzukY7Y5F/yQiNdko6+fRLevlw1HgMySw7f611UIY408EtxRSoK3Q==}
    hasBin: true

  react-dom@18.2.0:
    resolution: {integrity: sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==}
    peerDependencies:
      react: ^18.2.0

  react@18.2.0:
    resolution: {integrity: sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==}
    engines: {node: '>=0.10.0'}

  typescript@5.0.4:
    resolution: {integrity: sha512-cW9T5W9xY37cc+jfEnaUvX91foxtHkza3Nw3wkoF4sSlKn0MONdkdEndig/qPBWXNkmplh3NzayQzCiHM4/hqw==}
    engines: {node: '>=12.20'}
    hasBin: true

snapshots:

  gitdep@https://codeload.github.com/o/gitdep/tar.gz/0123abc: {}

  loose-envify@1.4.0: {}

  react-dom@18.2.0(react@18.2.0):
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0

  react@18.2.0:
    dependencies:
      loose-envify: 1.4.0

  typescript@5.0.4: {}
";

#[test]
fn pnpm9_peer_suffixes_tarballs_and_links() {
    let inv = read(SourceKind::PnpmLock, "pnpm-lock.yaml", PNPM9);
    insta::assert_snapshot!(render(&inv));
    let dev: Vec<&str> = inv
        .packages
        .iter()
        .filter(|p| p.dev)
        .map(|p| p.name.as_str())
        .collect();
    // react is a devDependency, but react-dom (production) needs it too.
    assert_eq!(dev, ["typescript"]);
    let git = inv.packages.iter().find(|p| p.name == "gitdep").unwrap();
    assert_eq!(git.version.as_deref(), Some("1.0.0"));
    assert!(matches!(git.source, Source::Other(_)));
    assert!(
        inv.packages.iter().all(|p| p.name != "ws-a"),
        "a link is no package"
    );
}

const YARN1: &str = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@scope/a@^1.0.0", "@scope/a@^1.1.0":
  version "1.1.0"
  resolved "https://registry.yarnpkg.com/@scope/a/-/a-1.1.0.tgz#0123456789abcdef0123456789abcdef01234567"
  integrity sha512-AAAA
  dependencies:
    b "^2.0.0"
  optionalDependencies:
    c "^3.0.0"

"gitdep@git+https://github.com/o/gitdep.git#0123abc":
  version "1.0.0"
  resolved "git+https://github.com/o/gitdep.git#0123abcdef0123abcdef0123abcdef0123abcdef"

old@^1.0.0:
  version "1.0.0"
  resolved "https://registry.yarnpkg.com/old/-/old-1.0.0.tgz#5608aeadfc00be6c2901df5f9861788de0d597c8"

"tarball@https://example.com/t.tgz":
  version "0.1.0"
  resolved "https://example.com/t.tgz#d09d1f357b443f493382a8eb3ccd183872ae6009"
"#;

#[test]
fn yarn1_git_tarballs_and_files_without_integrity() {
    let inv = read(SourceKind::YarnClassic, "yarn.lock", YARN1);
    insta::assert_snapshot!(render(&inv));
    assert_eq!(inv.packages.len(), 4);
    let old = inv.packages.iter().find(|p| p.name == "old").unwrap();
    assert_eq!(
        old.integrity,
        ["sha1:5608aeadfc00be6c2901df5f9861788de0d597c8"]
    );
    assert!(matches!(source_of(&inv, "gitdep"), Source::Git(_)));
    let git = inv.packages.iter().find(|p| p.name == "gitdep").unwrap();
    assert!(git.integrity.is_empty(), "a commit id is no digest");
    assert!(matches!(source_of(&inv, "tarball"), Source::Other(_)));
}

const BERRY: &str = r#"# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

"gitdep@https://github.com/o/gitdep.git#commit=0123abc":
  version: 1.0.0
  resolution: "gitdep@https://github.com/o/gitdep.git#commit=0123abc"
  languageName: node
  linkType: hard

"linked@link:../linked::locator=root%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "linked@link:../linked::locator=root%40workspace%3A."
  languageName: node
  linkType: soft

"ms@patch:ms@npm%3A2.1.3#~/.yarn/patches/ms-npm-2.1.3-abc.patch":
  version: 2.1.3
  resolution: "ms@patch:ms@npm%3A2.1.3#~/.yarn/patches/ms-npm-2.1.3-abc.patch::version=2.1.3&hash=def"
  checksum: 10c0/aaaa
  languageName: node
  linkType: hard

"root@workspace:.":
  version: 0.0.0-use.local
  resolution: "root@workspace:."
  languageName: unknown
  linkType: soft

"ws-a@workspace:packages/a, ws-a@workspace:^":
  version: 0.0.0-use.local
  resolution: "ws-a@workspace:packages/a"
  languageName: unknown
  linkType: soft
"#;

#[test]
fn yarn_berry_workspaces_patches_git_and_links() {
    let inv = read(SourceKind::YarnBerry, "yarn.lock", BERRY);
    insta::assert_snapshot!(render(&inv));
    assert!(inv.packages.iter().all(|p| p.name != "root"));
    assert_eq!(
        source_of(&inv, "ws-a"),
        Source::Path(Some("packages/a".into()))
    );
    assert_eq!(
        source_of(&inv, "linked"),
        Source::Path(Some("../linked".into()))
    );
    assert!(matches!(source_of(&inv, "gitdep"), Source::Git(_)));
    let ms = inv.packages.iter().find(|p| p.name == "ms").unwrap();
    assert_eq!(
        ms.version.as_deref(),
        Some("2.1.3"),
        "a patched release is still that release"
    );
    assert!(matches!(ms.source, Source::Other(_)));
    let ws = inv.packages.iter().find(|p| p.name == "ws-a").unwrap();
    assert_eq!(ws.version, None, "0.0.0-use.local is yarn's placeholder");
}

const CARGO: &str = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "bar"
version = "0.1.0"
source = "registry+https://my-registry.example/index"
checksum = "CC936419F96FA211C1B9166887B38E5E40B19958E5B895BE7C1F93ADEC7071AC"

[[package]]
name = "foo"
version = "1.0.0-beta.2+build.5"
source = "sparse+https://index.crates.io/"
checksum = "3bd1574e617a9a6c1f8f8181bd7e841e1f20e4277607ef28945765188d6284d4"
"#;

#[test]
fn cargo_sparse_and_alternative_registries() {
    let inv = read(SourceKind::CargoLock, "Cargo.lock", CARGO);
    insta::assert_snapshot!(render(&inv));
    assert_eq!(
        source_of(&inv, "foo"),
        Source::Registry(Some("sparse+https://index.crates.io/".into()))
    );
    let bar = inv.packages.iter().find(|p| p.name == "bar").unwrap();
    assert_eq!(
        bar.integrity,
        ["sha256:cc936419f96fa211c1b9166887b38e5e40b19958e5b895be7c1f93adec7071ac"]
    );
}
