//! Finding what to inventory: a file by its name, a folder by what is in it.

use std::path::Path;

mod ecosystems;
pub mod rootfs;

use crate::model::Inventory;
use crate::{InventoryError, env, lockfile, requirements, text};

/// The lockfile formats custody reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockfileKind {
    /// `requirements*.txt` and other pip requirements files.
    Requirements,
    /// `uv.lock`.
    Uv,
    /// `poetry.lock`.
    Poetry,
    /// `Pipfile.lock`.
    Pipfile,
    /// `pdm.lock`.
    Pdm,
    /// `pylock.toml` and `pylock.<name>.toml`.
    Pylock,
    /// A CycloneDX JSON bill of materials (named on the command line).
    CycloneDx,
    /// An SPDX JSON or JSON-LD document (named on the command line).
    Spdx,
}

impl LockfileKind {
    /// The kind a file name announces. `explicit` accepts any `*.txt`/`*.in`
    /// as a requirements file (the user named it); discovery is stricter.
    pub fn from_path(path: &Path, explicit: bool) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        let in_req_dir = path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|d| d.to_string_lossy().starts_with("requirements"));
        match name {
            "uv.lock" => Some(Self::Uv),
            "poetry.lock" => Some(Self::Poetry),
            "Pipfile.lock" => Some(Self::Pipfile),
            "pdm.lock" => Some(Self::Pdm),
            "pylock.toml" => Some(Self::Pylock),
            n if n.starts_with("pylock.") && n.ends_with(".toml") => Some(Self::Pylock),
            n if n.ends_with(".txt") && (explicit || n.contains("requirements") || in_req_dir) => {
                Some(Self::Requirements)
            }
            n if explicit && n.ends_with(".in") => Some(Self::Requirements),
            n if explicit && (n.ends_with(".cdx.json") || n == "bom.json") => Some(Self::CycloneDx),
            n if explicit
                && (n.ends_with(".spdx.json")
                    || n.ends_with(".spdx3.json")
                    || n.ends_with(".jsonld")) =>
            {
                Some(Self::Spdx)
            }
            _ => None,
        }
    }

    /// The kind a JSON file's content announces, for a file named on the
    /// command line whose name says nothing (`sbom.json`): a CycloneDX
    /// `bomFormat`, an SPDX `spdxVersion` or `SPDXRef-DOCUMENT`, or an SPDX 3
    /// JSON-LD context, looked for in the first 64 KiB.
    pub fn sniff(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        if !(name.ends_with(".json") || name.ends_with(".jsonld")) {
            return None;
        }
        let mut head = vec![0_u8; 64 * 1024];
        let n = std::io::Read::read(&mut fs_err::File::open(path).ok()?, &mut head).ok()?;
        let head = String::from_utf8_lossy(&head[..n]);
        if head.contains("\"bomFormat\"") && head.contains("CycloneDX") {
            Some(Self::CycloneDx)
        } else if head.contains("\"spdxVersion\"")
            || head.contains("\"SPDXRef-DOCUMENT\"")
            || head.contains("spdx.org/rdf/3.")
        {
            Some(Self::Spdx)
        } else {
            None
        }
    }
}

/// How far discovery looks.
#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    /// How many folder levels below the given folder to search.
    pub max_depth: usize,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        Self { max_depth: 4 }
    }
}

/// Reads one lockfile of a known kind. Entries that cannot be read (a bad
/// line of a requirements file) do not stop the reading: they are collected
/// and returned together as [`InventoryError::Invalid`], with the rest.
pub fn read_lockfile(path: &Path, kind: LockfileKind) -> Result<Inventory, InventoryError> {
    checked(path, read_one(path, kind)?)
}

/// A non-empty [`Inventory::problems`] as an error that keeps the rest.
fn checked(path: &Path, mut inv: Inventory) -> Result<Inventory, InventoryError> {
    if inv.problems.is_empty() {
        return Ok(inv);
    }
    let problems = std::mem::take(&mut inv.problems);
    Err(InventoryError::Invalid {
        path: path.to_owned(),
        problems,
        partial: Box::new(inv),
    })
}

pub(crate) fn read_one(path: &Path, kind: LockfileKind) -> Result<Inventory, InventoryError> {
    if kind == LockfileKind::Requirements {
        return requirements::read(path);
    }
    let content = text::read(path)?;
    match kind {
        LockfileKind::Uv => lockfile::read_uv(path, &content),
        LockfileKind::Poetry => lockfile::read_poetry(path, &content),
        LockfileKind::Pipfile => lockfile::read_pipfile(path, &content),
        LockfileKind::Pdm => lockfile::read_pdm(path, &content),
        LockfileKind::Pylock => lockfile::read_pylock(path, &content),
        LockfileKind::CycloneDx => crate::sbom::read_cyclonedx(path, &content),
        LockfileKind::Spdx => crate::sbom::read_spdx(path, &content),
        LockfileKind::Requirements => unreachable!("handled above"),
    }
}

/// Inventories `path`: a lockfile, an environment (venv, prefix or
/// site-packages), or a project folder searched for both. Unreadable
/// entries are collected over every file found and returned together as
/// [`InventoryError::Invalid`] (see [`read_lockfile`]).
pub fn discover(path: &Path, opts: &DiscoverOptions) -> Result<Inventory, InventoryError> {
    checked(path, discover_all(path, opts)?)
}

fn discover_all(path: &Path, opts: &DiscoverOptions) -> Result<Inventory, InventoryError> {
    // Follow a symlink given on the command line; report loops and dangling links clearly.
    let meta = fs_err::metadata(path).map_err(|e| InventoryError::io(path, &e))?;
    if meta.is_file() && ecosystems::is_lockfile(path) {
        return ecosystems::read(path);
    }
    if meta.is_dir() && ecosystems::is_node_modules(path) {
        return ecosystems::read(path);
    }
    if meta.is_file() {
        let kind = LockfileKind::from_path(path, true)
            .or_else(|| LockfileKind::sniff(path))
            .ok_or_else(|| InventoryError::Unrecognised {
                path: path.to_owned(),
            })?;
        return read_one(path, kind);
    }
    if rootfs::is_root_filesystem(path) {
        return rootfs::read_root(path);
    }
    if env::is_site_packages(path) || env::is_environment(path) {
        return env::read_environment(path);
    }
    let mut inv = Inventory::default();
    let mut walker = walkdir::WalkDir::new(path)
        .max_depth(opts.max_depth)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let p = e.path().unwrap_or(path).to_owned();
                let reason = e
                    .io_error()
                    .map_or_else(|| e.to_string(), ToString::to_string);
                return Err(InventoryError::Io { path: p, reason });
            }
        };
        let p = entry.path();
        if entry.file_type().is_dir() {
            if entry.depth() > 0 && ecosystems::is_node_modules(p) {
                inv.extend(ecosystems::read(p)?);
                walker.skip_current_dir();
                continue;
            }
            if entry.depth() > 0 && env::is_named_site_packages(p) {
                inv.extend(env::read_environment(p)?);
                walker.skip_current_dir();
                continue;
            }
            if entry.depth() > 0 && skip_dir(p) {
                walker.skip_current_dir();
                continue;
            }
            if entry.depth() > 0 && p.join("pyvenv.cfg").is_file() {
                inv.extend(env::read_environment(p)?);
                walker.skip_current_dir();
            }
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        if ecosystems::is_lockfile(p) {
            inv.extend(ecosystems::read(p)?);
        } else if let Some(kind) = LockfileKind::from_path(p, false) {
            inv.extend(read_one(p, kind)?);
        }
    }
    if inv.sources.is_empty() {
        return Err(InventoryError::NothingFound {
            path: path.to_owned(),
            depth: opts.max_depth,
        });
    }
    Ok(inv)
}

fn skip_dir(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    matches!(
        name.as_ref(),
        "node_modules"
            | "__pycache__"
            | ".git"
            | ".hg"
            | ".tox"
            | ".nox"
            | ".mypy_cache"
            | ".pytest_cache"
            | ".ruff_cache"
            | "target"
    ) || (name.starts_with('.') && !p.join("pyvenv.cfg").is_file())
}
