//! The normalised package list every reader produces.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// A package ecosystem, named as OSV names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Ecosystem {
    /// The npm registry (`npm` in OSV): read from npm, pnpm and yarn files.
    #[serde(rename = "npm")]
    Npm,
    /// crates.io (`crates.io` in OSV): read from `Cargo.lock`.
    #[serde(rename = "crates.io")]
    CratesIo,
}

impl Ecosystem {
    /// The ecosystem's name in OSV records (`affected[].package.ecosystem`).
    pub fn osv_name(self) -> &'static str {
        match self {
            Self::Npm => "npm",
            Self::CratesIo => "crates.io",
        }
    }

    /// The ecosystem an OSV ecosystem string names, if it is one of these.
    pub fn from_osv(name: &str) -> Option<Self> {
        match name {
            "npm" => Some(Self::Npm),
            "crates.io" => Some(Self::CratesIo),
            _ => None,
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

/// Where a package was read: the file and, where known, the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The file (for `node_modules`, the package's own `package.json`).
    pub path: PathBuf,
    /// The line of the entry, when the reader could place it.
    pub line: Option<usize>,
}

/// Where a package comes from, as the file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "at", rename_all = "lowercase")]
pub enum Source {
    /// A package registry: the URL when the file names one (an npm tarball
    /// URL, a Cargo index such as `https://github.com/rust-lang/crates.io-index`
    /// or `sparse+https://index.crates.io/`); `None` when the file records a
    /// registry package without saying which registry (pnpm, yarn berry's
    /// `npm:` protocol): the tool's configured one.
    Registry(Option<String>),
    /// A git repository, as the file writes it (commit included).
    Git(String),
    /// A local folder or file: the path as the file writes it; `None` when the
    /// file does not say (Cargo.lock's path and workspace packages).
    Path(Option<String>),
    /// Anything else, as written (a tarball URL outside a registry, a yarn
    /// `patch:` resolution...).
    Other(String),
    /// The file does not say (an installed `package.json` without `_resolved`).
    Unknown,
}

/// One package of a dependency source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// The name as the ecosystem writes it: npm scoped names as `@scope/name`;
    /// the real package name for an npm alias (`"my-ms": "npm:ms@2.1.3"` is `ms`).
    pub name: String,
    /// The exact version, when the source locks or installs one.
    pub version: Option<String>,
    /// Where it was read.
    pub origin: Origin,
    /// Digests the source records, as written: npm Subresource Integrity
    /// strings (`sha512-BASE64`, one per hash when several are given), Cargo
    /// checksums as `sha256:HEX`, yarn classic's `resolved` URL fragment as
    /// `sha1:HEX` when there is no `integrity` line, and yarn berry's
    /// `checksum` as `yarn:CHECKSUM` (a digest of yarn's own zip of the
    /// package, not of the registry tarball). Read from a bill of
    /// materials: `ALG:HEX` (`sha512:...`) as the bill lists it.
    pub integrity: Vec<String>,
    /// Needed only for development, where the format says so (npm `dev`,
    /// pnpm `dev: true`, or reached only from pnpm 9's `devDependencies`);
    /// `false` where the format does not say (yarn, `node_modules`, Cargo).
    pub dev: bool,
    /// Installed only where possible, where the format says so (npm
    /// `optional`/`devOptional`, pnpm `optional: true`).
    pub optional: bool,
    /// Runs a script when installed, where the source says so (npm
    /// `hasInstallScript`, pnpm 6 `requiresBuild`, an installed
    /// `package.json` with a `preinstall`, `install` or `postinstall` script
    /// or a `binding.gyp` beside it); `false` where it does not say (npm
    /// lockfileVersion 1, pnpm 9, yarn, Cargo).
    pub install_script: bool,
    /// The licence the package states, as written: an installed
    /// `package.json`'s `license` string, or the copy npm keeps in
    /// lockfileVersion 2 and 3 entries; `None` where the source does not
    /// say (pnpm, yarn, Cargo, npm lockfileVersion 1, the old object form
    /// `{"type": ...}`). For bills of materials; not serialised.
    #[serde(skip)]
    pub license: Option<String>,
    /// Where it comes from.
    pub source: Source,
}

/// The kind of a dependency source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// npm's `package-lock.json` (lockfileVersion 1, 2 or 3).
    PackageLock,
    /// npm's `npm-shrinkwrap.json` (the same format, published with a package).
    NpmShrinkwrap,
    /// pnpm's `pnpm-lock.yaml` (lockfileVersion 6.x or 9.x).
    PnpmLock,
    /// yarn 1's `yarn.lock` (`# yarn lockfile v1`).
    YarnClassic,
    /// yarn 2+'s `yarn.lock` (YAML with `__metadata`).
    YarnBerry,
    /// An installed `node_modules` tree.
    NodeModules,
    /// Cargo's `Cargo.lock` (version 3 or 4).
    CargoLock,
}

impl SourceKind {
    /// The ecosystem whose packages this kind of source lists.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Self::CargoLock => Ecosystem::CratesIo,
            _ => Ecosystem::Npm,
        }
    }
}

/// One source that was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceFile {
    /// The file or folder.
    pub path: PathBuf,
    /// What it is.
    pub kind: SourceKind,
    /// The format version the file declares (`lockfileVersion`,
    /// `__metadata.version`, Cargo.lock `version`), when it declares one.
    pub format_version: Option<String>,
}

/// What was read: the sources and their packages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    /// The sources read, in order.
    pub sources: Vec<SourceFile>,
    /// Their packages, each source's in file order.
    pub packages: Vec<Package>,
}

impl Inventory {
    /// An inventory of one source.
    pub(crate) fn one(
        path: &std::path::Path,
        kind: SourceKind,
        format_version: Option<String>,
        mut packages: Vec<Package>,
    ) -> Self {
        packages.sort_by(|a, b| {
            (a.origin.line, &a.origin.path, &a.name).cmp(&(b.origin.line, &b.origin.path, &b.name))
        });
        Self {
            sources: vec![SourceFile {
                path: path.to_owned(),
                kind,
                format_version,
            }],
            packages,
        }
    }

    /// Appends another inventory's sources and packages.
    pub fn extend(&mut self, other: Inventory) {
        self.sources.extend(other.sources);
        self.packages.extend(other.packages);
    }
}
