//! A whole file system: an unpacked container image or a machine's root.
//! Every Python environment (`site-packages`, Debian's `dist-packages`,
//! virtual environments, user sites under `~/.local`) and every lockfile
//! anywhere in it, each reported at its own location. The walk reads
//! folders only as deep as it must: an environment found is read and not
//! walked further, pseudo file systems are not entered, links are not
//! followed (a link out of the tree would leave the image). `node_modules`
//! trees and npm and Cargo lockfiles are read too, each where it is.

use std::path::Path;

use super::{LockfileKind, ecosystems, read_one};
use crate::model::{Inventory, Origin, Unresolved};
use crate::{InventoryError, env};

/// Folders of a root that hold no installed software: kernel and device
/// file systems, and package managers' caches of downloads.
const PSEUDO: &[&str] = &["proc", "sys", "dev", "run"];

/// Folders never worth entering, wherever they are.
const NEVER: &[&str] = &[
    "__pycache__",
    ".git",
    ".hg",
    ".cache",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
];

/// Package managers' download caches, as (parent, folder): the sources of
/// packages fetched, with their own development lockfiles, not software
/// installed here (Cargo keeps every crate it downloaded, `Cargo.lock`
/// included, under `~/.cargo/registry/src`).
const CACHES: &[(&str, &str)] = &[(".cargo", "registry"), (".cargo", "git")];

fn is_cache(p: &Path, name: &str) -> bool {
    let parent = p
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy());
    CACHES
        .iter()
        .any(|(dir, sub)| *sub == name && parent.as_deref() == Some(*dir))
}

/// Whether `dir` is the root of a file system: it holds an `os-release`
/// (`etc/` or `usr/lib/`) and a `usr` folder.
pub fn is_root_filesystem(dir: &Path) -> bool {
    dir.join("usr").is_dir()
        && (dir.join("etc/os-release").exists() || dir.join("usr/lib/os-release").exists())
}

/// Adds what was read at `p`; in a whole file system one unreadable
/// environment or lockfile must not hide the rest, so it is listed as not
/// read, with the reason (file and place), and the walk goes on.
fn keep(inv: &mut Inventory, p: &Path, read: Result<Inventory, InventoryError>) {
    match read {
        Ok(part) => inv.extend(part),
        Err(InventoryError::Invalid {
            problems, partial, ..
        }) => {
            inv.extend(*partial);
            inv.problems.extend(problems);
        }
        Err(e) => inv.unresolved.push(Unresolved {
            text: p.display().to_string(),
            reason: format!("cannot be read: {e}"),
            origin: Origin {
                path: p.to_owned(),
                line: None,
            },
        }),
    }
}

/// Inventories every environment and lockfile under `root`. Folders,
/// environments and lockfiles that cannot be read are listed as not read
/// (with the reason); entries of a lockfile that cannot be read are its
/// problems, as for a single lockfile.
///
/// # Errors
/// None today: the signature leaves room for a walk that must stop.
pub fn read_root(root: &Path) -> Result<Inventory, InventoryError> {
    let mut inv = Inventory::default();
    let mut walker = walkdir::WalkDir::new(root).sort_by_file_name().into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            // A folder the reader may not list (a container's root-owned
            // secret store) is reported, not fatal for the rest.
            Err(e) => {
                let p = e.path().unwrap_or(root).to_owned();
                inv.unresolved.push(Unresolved {
                    text: p.display().to_string(),
                    reason: format!(
                        "cannot be read: {}",
                        e.io_error()
                            .map_or_else(|| e.to_string(), ToString::to_string)
                    ),
                    origin: Origin {
                        path: p,
                        line: None,
                    },
                });
                continue;
            }
        };
        let p = entry.path();
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_dir() {
            if entry.depth() == 1 && PSEUDO.contains(&name.as_ref())
                || NEVER.contains(&name.as_ref())
                || is_cache(p, &name)
            {
                walker.skip_current_dir();
            } else if ecosystems::is_node_modules(p) {
                keep(&mut inv, p, ecosystems::read(p));
                walker.skip_current_dir();
            } else if env::is_named_site_packages(p) || p.join("pyvenv.cfg").is_file() {
                keep(&mut inv, p, env::read_environment(p));
                walker.skip_current_dir();
            }
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        if ecosystems::is_lockfile(p) {
            keep(&mut inv, p, ecosystems::read(p));
        } else if let Some(kind) = LockfileKind::from_path(p, false) {
            keep(&mut inv, p, read_one(p, kind));
        }
    }
    Ok(inv)
}
