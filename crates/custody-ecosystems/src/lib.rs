//! npm and Cargo dependency sources read into one normalised package list,
//! and OSV range matching for the `npm` and `crates.io` ecosystems.
//!
//! Readers, one per format, each for files as the real tools write them:
//! npm's `package-lock.json` and `npm-shrinkwrap.json` (lockfileVersion 1,
//! 2, 3), pnpm's `pnpm-lock.yaml` (6.x, 9.x), yarn's `yarn.lock` (yarn 1, and
//! yarn 2+ with `__metadata`), an installed `node_modules` tree, and Cargo's
//! `Cargo.lock` (3, 4). Every reader returns an [`Inventory`] of [`Package`]s,
//! each with its origin (file and line), exact version when locked, integrity
//! digests, dev/optional flags where the format says, and [`Source`]; bad
//! input is an [`Error`] naming the file and the line or key. Nothing is
//! executed and no network is used.
//!
//! [`matching`] decides whether an OSV record's `affected[]` entries cover a
//! package at a version.
//!
//! [`scripts`] inspects npm packages' install-time behaviour (lifecycle
//! scripts and the files they run, read as bytes and never executed) for the
//! signals and files of the npm worms (Shai-Hulud, s1ngularity).
//!
//! ```
//! use std::path::Path;
//! use custody_ecosystems::{matching::Record, parse, Ecosystem, SourceKind};
//!
//! let lock = r#"{"lockfileVersion": 3, "packages": {
//!   "": {"name": "app"},
//!   "node_modules/lodash": {"version": "4.17.20",
//!     "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz"}}}"#;
//! let inv = parse(SourceKind::PackageLock, Path::new("package-lock.json"), lock)?;
//! let lodash = &inv.packages[0];
//! assert_eq!((lodash.name.as_str(), lodash.version.as_deref()), ("lodash", Some("4.17.20")));
//!
//! let record: Record = serde_json::from_str(r#"{"id": "GHSA-35jh-r3h4-6jhm", "affected": [
//!   {"package": {"ecosystem": "npm", "name": "lodash"},
//!    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]}"#)?;
//! assert!(record.affects_package(lodash)?);
//! assert!(!record.affects(Ecosystem::Npm, "lodash", "4.17.21")?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cargo_lock;
mod error;
mod json_lines;
pub mod limits;
pub mod matching;
mod model;
mod npm;
pub mod scripts;
mod text;
mod yaml_lines;

use std::path::Path;

pub use error::{Error, Location};
pub use model::{Ecosystem, Inventory, Origin, Package, Source, SourceFile, SourceKind};

/// The kind of source a path's file name says it is (`yarn.lock` is
/// yarn 1's until its content says otherwise: see [`read`]). A folder
/// named `node_modules` is a [`SourceKind::NodeModules`].
pub fn kind_of(path: &Path) -> Option<SourceKind> {
    match path.file_name()?.to_str()? {
        "package-lock.json" => Some(SourceKind::PackageLock),
        "npm-shrinkwrap.json" => Some(SourceKind::NpmShrinkwrap),
        "pnpm-lock.yaml" => Some(SourceKind::PnpmLock),
        "yarn.lock" => Some(SourceKind::YarnClassic),
        "Cargo.lock" => Some(SourceKind::CargoLock),
        "node_modules" => Some(SourceKind::NodeModules),
        _ => None,
    }
}

/// Which yarn wrote a `yarn.lock`: yarn 2+ files have a top-level
/// `__metadata` key, yarn 1 files a `# yarn lockfile v1` header.
pub fn yarn_kind(content: &str) -> SourceKind {
    let berry = content
        .lines()
        .any(|l| l.starts_with("__metadata:") || l.starts_with("\"__metadata\":"));
    if berry {
        SourceKind::YarnBerry
    } else {
        SourceKind::YarnClassic
    }
}

/// Reads a dependency source: a lockfile by its file name, or an installed
/// `node_modules` folder (or a project folder that has one).
pub fn read(path: &Path) -> Result<Inventory, Error> {
    let kind = match kind_of(path) {
        Some(k) => k,
        None if path.is_dir() && path.join("node_modules").is_dir() => SourceKind::NodeModules,
        None => {
            return Err(Error::Unrecognised {
                path: path.to_owned(),
            });
        }
    };
    if kind == SourceKind::NodeModules {
        return npm::node_modules::read(path);
    }
    let content = text::read(path)?;
    let kind = if kind == SourceKind::YarnClassic {
        yarn_kind(&content)
    } else {
        kind
    };
    parse(kind, path, &content)
}

/// Reads an installed `node_modules` tree (the folder, or a project folder
/// that has one).
pub fn read_node_modules(path: &Path) -> Result<Inventory, Error> {
    npm::node_modules::read(path)
}

/// Parses a lockfile's content as `kind`; `path` is only used to name it.
/// [`SourceKind::NodeModules`] is a folder: use [`read_node_modules`].
pub fn parse(kind: SourceKind, path: &Path, content: &str) -> Result<Inventory, Error> {
    match kind {
        SourceKind::PackageLock | SourceKind::NpmShrinkwrap => {
            npm::package_lock::read(path, content, kind)
        }
        SourceKind::PnpmLock => npm::pnpm::read(path, content),
        SourceKind::YarnClassic => npm::yarn_classic::read(path, content),
        SourceKind::YarnBerry => npm::yarn_berry::read(path, content),
        SourceKind::CargoLock => cargo_lock::read(path, content),
        SourceKind::NodeModules => Err(Error::parse(
            path,
            Location::File,
            "node_modules is a folder: read it with read_node_modules",
        )),
    }
}
