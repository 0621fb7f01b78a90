//! The deterministic walk: which files a dataset holds, under which names.
//!
//! One folder root: names are relative to it. One file: its name is the
//! file name. Several roots: each contributes under its own base name.
//! Names are checked ([`crate::names`]) and sorted by component.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::error::DataError;
use crate::manifest::Symlinks;
use crate::names;

/// A file to hash.
#[derive(Debug, Clone)]
pub struct Listed {
    /// Manifest name.
    pub name: String,
    /// Where it is.
    pub path: PathBuf,
    /// Size at listing time.
    pub size: u64,
    /// Device and inode, to recognise a file however it is named.
    pub id: (u64, u64),
}

/// Exclude patterns, matched against a file's name and each of its
/// parent folders (`--exclude .git` leaves out the whole `.git` tree).
pub fn excludes(patterns: &[String]) -> Result<GlobSet, DataError> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = Glob::new(p).map_err(|e| DataError::Exclude {
            pattern: p.clone(),
            detail: e.kind().to_string(),
        })?;
        b.add(g);
    }
    b.build().map_err(|e| DataError::Exclude {
        pattern: patterns.join(" "),
        detail: e.to_string(),
    })
}

/// Lists the files under `roots`.
pub fn list(
    roots: &[PathBuf],
    symlinks: Symlinks,
    exclude: &GlobSet,
) -> Result<Vec<Listed>, DataError> {
    let mut out = Vec::new();
    let prefixed = roots.len() > 1;
    for root in roots {
        let meta = fs_err::symlink_metadata(root).map_err(|source| DataError::Io {
            path: root.clone(),
            source,
        })?;
        let base = root
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
            .ok_or_else(|| DataError::Name {
                path: root.clone(),
                reason: "a dataset root needs a UTF-8 base name".into(),
            })?;
        let followed_dir = meta.is_symlink() && symlinks == Symlinks::Follow && root.is_dir();
        if !(meta.is_dir() || followed_dir) {
            let listed = one(
                root,
                &base,
                symlinks,
                root.parent().unwrap_or(Path::new(".")),
            )?;
            out.extend(listed);
            continue;
        }
        walk_dir(
            root,
            if prefixed { Some(&base) } else { None },
            symlinks,
            exclude,
            &mut out,
        )?;
    }
    out.sort_by(|a, b| names::order(&a.name, &b.name));
    if let Some((a, b, why)) = names::collision(out.iter().map(|l| l.name.as_str())) {
        return Err(DataError::Collision { a, b, why });
    }
    Ok(out)
}

/// Why a walk stopped.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A link leads back to a folder that holds it (only when following
    /// links).
    Loop(PathBuf),
    /// An entry or folder could not be read.
    Io {
        /// The entry or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// The entries under the folder `root`, `root` itself left out, in one
/// order for a given tree: a folder before what it holds, the entries of
/// a folder by the bytes of their names. Links to folders are descended
/// into only when `follow_links` (a link at `root` always is); the subtree
/// of an entry `keep` refuses is left out. Both custody seal's walk and
/// model-signing's ([`crate::modelsign`]) are this walk, with their own
/// rules for each entry.
pub(crate) fn tree<'a>(
    root: &'a Path,
    follow_links: bool,
    mut keep: impl FnMut(&walkdir::DirEntry) -> bool + 'a,
) -> impl Iterator<Item = Result<walkdir::DirEntry, Failure>> + 'a {
    walkdir::WalkDir::new(root)
        .follow_links(follow_links)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| e.depth() == 0 || keep(e))
        .filter(|e| e.as_ref().map_or(true, |e| e.depth() > 0))
        .map(move |e| {
            e.map_err(|e| {
                let path = e.path().map_or_else(|| root.to_owned(), Path::to_owned);
                if e.loop_ancestor().is_some() {
                    return Failure::Loop(path);
                }
                Failure::Io {
                    path,
                    source: e
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("walk failed")),
                }
            })
        })
}

fn walk_dir(
    root: &Path,
    prefix: Option<&str>,
    symlinks: Symlinks,
    exclude: &GlobSet,
    out: &mut Vec<Listed>,
) -> Result<(), DataError> {
    let canonical_root = fs_err::canonicalize(root).map_err(|source| DataError::Io {
        path: root.to_owned(),
        source,
    })?;
    let keep = |e: &walkdir::DirEntry| {
        e.path()
            .strip_prefix(root)
            .ok()
            .and_then(Path::to_str)
            .is_none_or(|rel| !exclude.is_match(rel))
    };
    for entry in tree(root, symlinks == Symlinks::Follow, keep) {
        let entry = entry.map_err(|f| match f {
            Failure::Loop(path) => DataError::Name {
                path,
                reason: "symbolic link loop".into(),
            },
            Failure::Io { path, source } => DataError::Io { path, source },
        })?;
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let rel = rel.to_str().ok_or_else(|| DataError::Name {
            path: entry.path().to_owned(),
            reason: "file name is not UTF-8 (manifest paths must be)".into(),
        })?;
        let name = match prefix {
            Some(p) => format!("{p}/{rel}"),
            None => rel.to_owned(),
        };
        let ft = entry.file_type();
        if entry.path_is_symlink() {
            match symlinks {
                Symlinks::Refuse => return Err(DataError::Symlink(entry.path().to_owned())),
                Symlinks::Skip => continue,
                Symlinks::Follow => {
                    let target =
                        fs_err::canonicalize(entry.path()).map_err(|source| DataError::Io {
                            path: entry.path().to_owned(),
                            source,
                        })?;
                    if !target.starts_with(&canonical_root) {
                        return Err(DataError::LinkOutside(entry.path().to_owned()));
                    }
                }
            }
        }
        if ft.is_dir() {
            continue;
        }
        if !ft.is_file() {
            return Err(DataError::Special(entry.path().to_owned()));
        }
        names::check(&name).map_err(|reason| DataError::Name {
            path: entry.path().to_owned(),
            reason,
        })?;
        let meta = entry.metadata().map_err(|e| DataError::Io {
            path: entry.path().to_owned(),
            source: e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("stat failed")),
        })?;
        out.push(Listed {
            name,
            path: entry.path().to_owned(),
            size: meta.len(),
            id: (meta.dev(), meta.ino()),
        });
    }
    Ok(())
}

fn one(
    path: &Path,
    name: &str,
    symlinks: Symlinks,
    parent: &Path,
) -> Result<Vec<Listed>, DataError> {
    let meta = fs_err::symlink_metadata(path).map_err(|source| DataError::Io {
        path: path.to_owned(),
        source,
    })?;
    if meta.is_symlink() {
        match symlinks {
            Symlinks::Refuse => return Err(DataError::Symlink(path.to_owned())),
            Symlinks::Skip => return Ok(Vec::new()),
            Symlinks::Follow => {
                let target = fs_err::canonicalize(path).map_err(|source| DataError::Io {
                    path: path.to_owned(),
                    source,
                })?;
                let parent = fs_err::canonicalize(parent).map_err(|source| DataError::Io {
                    path: parent.to_owned(),
                    source,
                })?;
                if !target.starts_with(parent) {
                    return Err(DataError::LinkOutside(path.to_owned()));
                }
            }
        }
    }
    let meta = fs_err::metadata(path).map_err(|source| DataError::Io {
        path: path.to_owned(),
        source,
    })?;
    if !meta.is_file() {
        return Err(DataError::Special(path.to_owned()));
    }
    Ok(vec![Listed {
        name: name.to_owned(),
        path: path.to_owned(),
        size: meta.len(),
        id: (meta.dev(), meta.ino()),
    }])
}
