use std::fmt;
use std::path::PathBuf;

use custody_pypa::{PackageName, Version};
use serde::Serialize;

/// The kind of file or folder an inventory entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// An installed environment (`site-packages`).
    Environment,
    /// A pip `requirements.txt` (pip-compile style or hand written).
    RequirementsTxt,
    /// uv's `uv.lock`.
    UvLock,
    /// Poetry's `poetry.lock` (1.x and 2.x).
    PoetryLock,
    /// Pipenv's `Pipfile.lock`.
    PipfileLock,
    /// PDM's `pdm.lock`.
    PdmLock,
    /// PEP 751 `pylock.toml`.
    Pylock,
    /// A CycloneDX bill of materials (JSON) another tool made.
    #[serde(rename = "cyclonedx")]
    CycloneDx,
    /// An SPDX document (2.3 JSON, 3.0 JSON-LD) another tool made.
    Spdx,
    /// npm's `package-lock.json` or `npm-shrinkwrap.json`.
    NpmLock,
    /// pnpm's `pnpm-lock.yaml`.
    PnpmLock,
    /// yarn's `yarn.lock` (yarn 1 or yarn 2+).
    YarnLock,
    /// An installed `node_modules` tree.
    NodeModules,
    /// Cargo's `Cargo.lock`.
    CargoLock,
}

impl SourceKind {
    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Environment => "environment",
            Self::RequirementsTxt => "requirements.txt",
            Self::UvLock => "uv.lock",
            Self::PoetryLock => "poetry.lock",
            Self::PipfileLock => "Pipfile.lock",
            Self::PdmLock => "pdm.lock",
            Self::Pylock => "pylock.toml",
            Self::CycloneDx => "CycloneDX",
            Self::Spdx => "SPDX",
            Self::NpmLock => "package-lock.json",
            Self::PnpmLock => "pnpm-lock.yaml",
            Self::YarnLock => "yarn.lock",
            Self::NodeModules => "node_modules",
            Self::CargoLock => "Cargo.lock",
        }
    }

    /// The kind of an npm or Cargo source.
    pub fn of_ecosystem_source(kind: custody_ecosystems::SourceKind) -> Self {
        use custody_ecosystems::SourceKind as K;
        match kind {
            K::PackageLock | K::NpmShrinkwrap => Self::NpmLock,
            K::PnpmLock => Self::PnpmLock,
            K::YarnClassic | K::YarnBerry => Self::YarnLock,
            K::NodeModules => Self::NodeModules,
            K::CargoLock => Self::CargoLock,
        }
    }
}

/// One file or folder that was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Its path, as given or found.
    pub path: PathBuf,
    /// What it is.
    pub kind: SourceKind,
    /// How many packages it listed.
    pub packages: usize,
    /// For environments: the Python version it is for (`X.Y.Z` from
    /// `pyvenv.cfg`, else `X.Y` from `lib/pythonX.Y`), to evaluate
    /// dependency markers. Not part of the scan's output.
    #[serde(skip)]
    pub python: Option<String>,
}

/// Where a package entry was read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Origin {
    /// The lockfile, or the `*.dist-info` folder.
    pub path: PathBuf,
    /// 1-based line of the entry, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// How precisely a package's version is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Pin {
    /// Installed in an environment: the version is a fact.
    Installed,
    /// Locked or pinned to one exact version.
    Exact,
    /// A range or no constraint: the installed version is unknown.
    Unpinned {
        /// The specifier as written (empty when there is none).
        specifier: String,
    },
    /// A direct URL to an archive.
    Url {
        /// The URL.
        url: String,
    },
    /// A version-control checkout.
    Vcs {
        /// The repository URL (with revision when given).
        url: String,
    },
    /// An editable (development) install of a local folder.
    Editable {
        /// The folder or URL.
        target: String,
    },
    /// A local folder or file, such as the locked project itself.
    Local {
        /// The path.
        path: String,
    },
}

impl Pin {
    /// Whether the package is a release of the package index's project of
    /// its name (installed, pinned, unpinned, or a direct URL to an
    /// archive), rather than a local project, folder, file or VCS checkout
    /// whose name says nothing about which project it is.
    pub fn is_from_index(&self) -> bool {
        matches!(
            self,
            Self::Installed | Self::Exact | Self::Unpinned { .. } | Self::Url { .. }
        )
    }

    /// A short human label.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Installed => "installed",
            Self::Exact => "pinned",
            Self::Unpinned { .. } => "unpinned",
            Self::Url { .. } => "url",
            Self::Vcs { .. } => "vcs",
            Self::Editable { .. } => "editable",
            Self::Local { .. } => "local",
        }
    }
}

/// One package as an environment or lockfile states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// PEP 503 normalised name.
    pub name: PackageName,
    /// PEP 440 version, when exactly known *and* the package comes from a
    /// package index, so advisories for that index's project of this name
    /// apply. `None` for local projects, folders, local archives and VCS
    /// checkouts even when their version is written (it is in
    /// [`Package::version_text`]): a private project may share a PyPI name.
    #[serde(skip)]
    pub version: Option<Version>,
    /// The version, when known. Lockfiles and environments: as the file
    /// writes it, trimmed (a `Pipfile.lock` pin without its `==`).
    /// Requirements files: the PEP 440 normalised form of an `==` pin
    /// (`1.0.0-RC1` is `1.0.0rc1`), an `===` pin as written, and an archive
    /// URL's or path's file-name version percent-decoded (`2.3.0%2Bcu121`
    /// is `2.3.0+cu121`).
    #[serde(rename = "version", skip_serializing_if = "Option::is_none")]
    pub version_text: Option<String>,
    /// How it is pinned.
    pub pin: Pin,
    /// Where it was read.
    pub origin: Origin,
    /// What kind of source it was read from.
    pub source_kind: SourceKind,
    /// Newest upload time among the locked files, where the lockfile records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_time: Option<jiff::Timestamp>,
    /// Hashes of the locked files (`algo:hex`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<String>,
    /// Environment marker, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// Requested extras.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<String>,
    /// For installed packages: the `INSTALLER` file's contents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installer: Option<String>,
    /// For installed packages: number of files listed in RECORD (absent: no RECORD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_files: Option<usize>,
    /// Licence facts as the metadata states them (bills of materials; not
    /// part of the scan's output).
    #[serde(skip)]
    pub license: License,
    /// What it depends on, where the source says: `Requires-Dist` as
    /// written for installed packages, the locked dependencies' names for
    /// lockfiles that list them.
    #[serde(skip)]
    pub depends: Depends,
}

/// Licence facts of a package, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct License {
    /// `License-Expression` (core metadata 2.4).
    pub expression: Option<String>,
    /// The `License` field (free text, sometimes a whole licence).
    pub text: Option<String>,
    /// `License ::` trove classifiers.
    pub classifiers: Vec<String>,
}

/// A package's dependencies, as its source states them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Depends {
    /// The source says nothing (requirements files, `Pipfile.lock`).
    #[default]
    Unknown,
    /// `Requires-Dist` lines (PEP 508), to resolve against the environment.
    Requirements(Vec<String>),
    /// Names of locked packages it depends on.
    Locked(Vec<PackageName>),
}

impl Package {
    /// Whether the exact version is known, so advisories can be checked.
    pub fn is_checkable(&self) -> bool {
        self.version.is_some()
    }

    pub(crate) fn new(
        name: PackageName,
        origin: Origin,
        source_kind: SourceKind,
        pin: Pin,
    ) -> Self {
        Self {
            name,
            version: None,
            version_text: None,
            pin,
            origin,
            source_kind,
            upload_time: None,
            hashes: Vec::new(),
            marker: None,
            extras: Vec::new(),
            installer: None,
            record_files: None,
            license: License::default(),
            depends: Depends::default(),
        }
    }

    pub(crate) fn with_version(mut self, version: Version, text: &str) -> Self {
        self.version = Some(version);
        self.version_text = Some(text.trim().to_owned());
        self
    }

    /// Keeps the version as text only when the package does not come from a
    /// package index (a local project, folder, file or VCS checkout), so it is
    /// listed but never matched against index advisories by name.
    pub(crate) fn local_unless_indexed(mut self) -> Self {
        if !self.pin.is_from_index() {
            self.version = None;
        }
        self
    }
}

/// Everything read from the given paths.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    /// Files and folders read, in the order read.
    pub sources: Vec<Source>,
    /// Packages, in source order.
    pub packages: Vec<Package>,
    /// Entries that name no package at all (a bare URL with no `#egg=`, a
    /// remote `-r` include): reported, never dropped.
    pub unresolved: Vec<Unresolved>,
    /// Entries custody could not read (a malformed line), each with its file
    /// and line. The rest of the file is still read; a caller must treat a
    /// non-empty list as bad input (see [`crate::discover`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    /// Packages of other ecosystems (npm, crates.io) read from their
    /// lockfiles and `node_modules` trees, whose sources are in `sources`
    /// too, and from bills of materials (`pkg:npm`, `pkg:cargo` purls),
    /// which are sources of this inventory only.
    #[serde(skip_serializing_if = "is_empty_ecosystems")]
    pub ecosystems: custody_ecosystems::Inventory,
}

/// An npm or Cargo package's place and identity: file, line, name, version.
type EcosystemKey = (PathBuf, Option<usize>, String, Option<String>);

fn is_empty_ecosystems(inv: &custody_ecosystems::Inventory) -> bool {
    inv.sources.is_empty() && inv.packages.is_empty()
}

/// An entry that could not be read, with its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file.
    pub path: PathBuf,
    /// 1-based line of the entry (the first line of a continued one).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: line {}: {}",
            self.path.display(),
            self.line,
            self.message
        )
    }
}

/// An entry that could not be tied to a package name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unresolved {
    /// The text as written.
    pub text: String,
    /// Why it could not be resolved.
    pub reason: String,
    /// Where it was read.
    pub origin: Origin,
}

impl Inventory {
    /// Adds another inventory's contents, skipping packages already present
    /// from the same origin (a file included twice).
    pub fn extend(&mut self, other: Inventory) {
        for s in other.sources {
            if !self.sources.iter().any(|x| x.path == s.path) {
                self.sources.push(s);
            }
        }
        let mut seen: std::collections::HashSet<(Origin, custody_pypa::PackageName)> = self
            .packages
            .iter()
            .map(|q| (q.origin.clone(), q.name.clone()))
            .collect();
        for p in other.packages {
            if seen.insert((p.origin.clone(), p.name.clone())) {
                self.packages.push(p);
            }
        }
        for u in other.unresolved {
            if !self.unresolved.contains(&u) {
                self.unresolved.push(u);
            }
        }
        for p in other.problems {
            if !self.problems.contains(&p) {
                self.problems.push(p);
            }
        }
        let known: Vec<std::path::PathBuf> = self
            .ecosystems
            .sources
            .iter()
            .map(|s| s.path.clone())
            .collect();
        for part in other.ecosystems.sources {
            if !known.contains(&part.path) {
                self.ecosystems.sources.push(part);
            }
        }
        // A bill's entries have no line: the version tells them apart.
        let key = |q: &custody_ecosystems::Package| -> EcosystemKey {
            (
                q.origin.path.clone(),
                q.origin.line,
                q.name.clone(),
                q.version.clone(),
            )
        };
        let mut seen: std::collections::HashSet<EcosystemKey> =
            self.ecosystems.packages.iter().map(key).collect();
        for p in other.ecosystems.packages {
            if seen.insert(key(&p)) {
                self.ecosystems.packages.push(p);
            }
        }
    }

    /// An inventory of one npm or Cargo source.
    pub fn from_ecosystem(part: custody_ecosystems::Inventory) -> Self {
        let sources = part
            .sources
            .iter()
            .map(|s| Source {
                path: s.path.clone(),
                kind: SourceKind::of_ecosystem_source(s.kind),
                packages: part.packages.len(),
                python: None,
            })
            .collect();
        Self {
            sources,
            ecosystems: part,
            ..Self::default()
        }
    }
}
