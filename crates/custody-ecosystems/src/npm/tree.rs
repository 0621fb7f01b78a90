//! The walk of an installed `node_modules` tree, shared by the package
//! list (`node_modules`) and the install-script inspection (`scripts`).
//!
//! Package folders are `node_modules/<name>` and `node_modules/@scope/<name>`,
//! nested under a package's own `node_modules`, and pnpm's store
//! `node_modules/.pnpm/<id>/node_modules/<name>`. Other dot-entries (`.bin`,
//! `.package-lock.json`, `.cache`) are not packages. Symbolic links are never
//! followed: a link whose target is inside the tree is skipped (the target is
//! visited where it is, as pnpm lays things out), and a link out of the tree
//! (npm's `file:` and workspace links) is visited as [`Entry::OutLink`],
//! unread. A folder without a `package.json` is not a package and is skipped.

use std::path::{Path, PathBuf};

use crate::{Error, Location};

/// Nesting deeper than this is refused (real trees are a few levels deep).
const MAX_DEPTH: usize = 64;

/// What the walk found, in walk order: each folder's entries by name, a
/// package before its own `node_modules`.
pub(crate) enum Entry<'a> {
    /// A package folder that has a `package.json` (a regular file).
    Package {
        /// Its name as the tree places it (`@scope/name`).
        installed_as: &'a str,
        /// The folder.
        dir: &'a Path,
    },
    /// A symbolic link out of the tree (or dangling), in place of a package.
    OutLink {
        /// Its name as the tree places it.
        installed_as: &'a str,
        /// The link.
        link: &'a Path,
        /// Its target as written.
        target: &'a Path,
    },
}

/// The `node_modules` folder of `path`: the folder itself when it is named
/// so, else the project folder's.
pub(crate) fn root(path: &Path) -> PathBuf {
    if path.file_name().is_some_and(|n| n == "node_modules") {
        path.to_owned()
    } else {
        path.join("node_modules")
    }
}

/// Walks the tree at `tree` (a `node_modules` folder), calling `visit` on
/// every entry; the first error ends the walk.
pub(crate) fn walk(
    tree: &Path,
    visit: &mut dyn FnMut(Entry<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    let meta = fs_err::metadata(tree).map_err(|e| Error::io(tree, &e))?;
    if !meta.is_dir() {
        return Err(Error::parse(tree, Location::File, "not a folder"));
    }
    let root = fs_err::canonicalize(tree).map_err(|e| Error::io(tree, &e))?;
    Walk { root, visit }.modules_dir(tree, 0)
}

struct Walk<'v> {
    /// The canonical path of the tree's top `node_modules`.
    root: PathBuf,
    visit: &'v mut dyn FnMut(Entry<'_>) -> Result<(), Error>,
}

/// The entries of a folder, sorted by name (the OS order is arbitrary).
pub(crate) fn entries(dir: &Path) -> Result<Vec<(String, PathBuf)>, Error> {
    let mut out = Vec::new();
    for entry in fs_err::read_dir(dir).map_err(|e| Error::io(dir, &e))? {
        let entry = entry.map_err(|e| Error::io(dir, &e))?;
        // A name that is not UTF-8 is no npm package name.
        if let Ok(name) = entry.file_name().into_string() {
            out.push((name, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

pub(crate) fn symlink_meta(path: &Path) -> Result<std::fs::Metadata, Error> {
    fs_err::symlink_metadata(path).map_err(|e| Error::io(path, &e))
}

impl Walk<'_> {
    /// A `node_modules` folder: its packages, scopes and pnpm store.
    fn modules_dir(&mut self, dir: &Path, depth: usize) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Err(Error::parse(
                dir,
                Location::File,
                format!("node_modules nested more than {MAX_DEPTH} deep"),
            ));
        }
        for (name, path) in entries(dir)? {
            let meta = symlink_meta(&path)?;
            if name == ".pnpm" && meta.is_dir() {
                for (_, store_entry) in entries(&path)? {
                    let inner = store_entry.join("node_modules");
                    if symlink_meta(&store_entry)?.is_dir() && inner.is_dir() {
                        self.modules_dir(&inner, depth + 1)?;
                    }
                }
            } else if name.starts_with('.') {
                // .bin, .package-lock.json, .cache, .modules.yaml: not packages.
            } else if name.starts_with('@') && meta.is_dir() {
                for (inner, pkg) in entries(&path)? {
                    self.package_dir(&format!("{name}/{inner}"), &pkg, depth)?;
                }
            } else {
                self.package_dir(&name, &path, depth)?;
            }
        }
        Ok(())
    }

    /// One package folder (or a link to one).
    fn package_dir(&mut self, installed_as: &str, dir: &Path, depth: usize) -> Result<(), Error> {
        let meta = symlink_meta(dir)?;
        if meta.file_type().is_symlink() {
            return self.link(installed_as, dir);
        }
        if !meta.is_dir() {
            return Ok(());
        }
        let manifest = dir.join("package.json");
        if !symlink_meta(&manifest).is_ok_and(|m| m.is_file()) {
            return Ok(());
        }
        (self.visit)(Entry::Package { installed_as, dir })?;
        let nested = dir.join("node_modules");
        if symlink_meta(&nested).is_ok_and(|m| m.is_dir()) {
            self.modules_dir(&nested, depth + 1)?;
        }
        Ok(())
    }

    /// A symbolic link in place of a package folder: skipped when it points
    /// into the tree, visited unread when it points out of it.
    fn link(&mut self, installed_as: &str, link: &Path) -> Result<(), Error> {
        let target = fs_err::read_link(link).map_err(|e| Error::io(link, &e))?;
        let inside = fs_err::canonicalize(link).is_ok_and(|t| t.starts_with(&self.root));
        if inside {
            return Ok(());
        }
        (self.visit)(Entry::OutLink {
            installed_as,
            link,
            target: &target,
        })
    }
}
