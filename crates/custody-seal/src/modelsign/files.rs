//! Which files of a model model-signing signs, and under which names.
//!
//! The walk itself is [`crate::walk::tree`], the one custody seal uses;
//! what is done with each entry is model-signing's rule, which differs from
//! a dataset's on purpose: every entry is looked at, including those in
//! ignored folders (a link or FIFO there is still an error); a link is an
//! error unless links are allowed, and then a link to a file is listed
//! under the link's name while a link to a folder is neither followed nor
//! listed; ignore paths are component prefixes, not globs; names are not
//! checked beyond being UTF-8.

use std::io;
use std::path::{Component, Path, PathBuf};

use super::{Error, GIT_PATHS, Options};
use crate::names;
use crate::walk::{self, Failure};

/// Marks a path component that is not UTF-8: it contains `/`, so it can
/// match no ignore path (whose components never do).
const NOT_UTF8: &str = "/not-utf-8";

/// A file of the model, listed.
#[derive(Debug, Clone)]
pub(super) struct Found {
    /// Model-relative name.
    pub(super) name: String,
    /// Where it is.
    pub(super) path: PathBuf,
}

/// Whether the model-relative path `parts` lies under one of `ignore`
/// (component prefix, as Python's `PurePath.is_relative_to`).
fn ignored(parts: &[String], ignore: &[Vec<String>]) -> bool {
    ignore.iter().any(|i| parts.starts_with(i))
}

/// Components of a relative path with `.` and empty ones dropped and `..`
/// taken back lexically; `None` when it climbs out of the model.
fn normalize(path: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            p => out.push(p.to_owned()),
        }
    }
    Some(out)
}

/// An ignore path recorded in a signature, as model-signing applies it:
/// absolute ones are dropped, `.` and empty components dropped, and one
/// with `..` matches nothing (model-signing joins it to the model path
/// without resolving it, so no walked path is under it).
fn signed_ignore(path: &str) -> Option<Vec<String>> {
    if path.starts_with('/') {
        return None;
    }
    let parts: Vec<String> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .map(str::to_owned)
        .collect();
    (!parts.iter().any(|p| p == "..")).then_some(parts)
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// `path` made absolute with every existing part resolved (Python's
/// `Path.resolve()`): the longest existing ancestor is canonicalised and
/// the rest appended.
fn resolve(path: &Path) -> Result<PathBuf, Error> {
    let absolute = std::path::absolute(path).map_err(io_error(path))?;
    let mut existing = absolute.as_path();
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        if let Ok(c) = fs_err::canonicalize(existing) {
            let mut out = c;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return Ok(out);
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => return Ok(absolute),
        }
    }
}

/// The model-relative components of `path` when it lies inside `model`
/// (both resolved like Python's `Path.resolve()`).
fn inside(model: &Path, path: &Path) -> Result<Option<Vec<String>>, Error> {
    let root = fs_err::canonicalize(model).map_err(|source| Error::Io {
        path: model.to_owned(),
        source,
    })?;
    let full = resolve(path)?;
    let Ok(rel) = full.strip_prefix(&root) else {
        return Ok(None);
    };
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(p) => match p.to_str() {
                Some(s) => parts.push(s.to_owned()),
                // No file of the model can have this name under it.
                None => return Ok(None),
            },
            Component::CurDir => {}
            _ => return Ok(None),
        }
    }
    Ok(Some(parts))
}

/// The ignore paths, as model-relative components, sorted: the git paths
/// (unless turned off), the caller's, the signature file when it is inside
/// the model, and those recorded in a signature being verified.
pub(super) fn ignore_set(
    model: &Path,
    signature: &Path,
    options: &Options,
    signed: &[String],
) -> Result<Vec<Vec<String>>, Error> {
    let mut ignore: Vec<Vec<String>> = Vec::new();
    if options.ignore_git_paths {
        ignore.extend(GIT_PATHS.iter().map(|p| vec![(*p).to_owned()]));
    }
    for p in &options.ignore_paths {
        if let Some(parts) = caller_ignore(model, p)? {
            ignore.push(parts);
        }
    }
    if let Some(parts) = inside(model, signature)? {
        ignore.push(parts);
    }
    ignore.extend(signed.iter().filter_map(|p| signed_ignore(p)));
    ignore.sort();
    ignore.dedup();
    Ok(ignore)
}

/// A caller's ignore path: relative to the model, or absolute (counted
/// only inside the model).
fn caller_ignore(model: &Path, path: &str) -> Result<Option<Vec<String>>, Error> {
    if Path::new(path).is_absolute() {
        inside(model, Path::new(path))
    } else {
        Ok(normalize(path))
    }
}

/// The subject name: the model's base name (of the resolved path for `.`
/// or `..`).
pub(super) fn model_name(model: &Path) -> String {
    model
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| {
            fs_err::canonicalize(model)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_default()
}

/// Lists the files of the model to hash, sorted by [`names::order`].
pub(super) fn list(
    model: &Path,
    ignore: &[Vec<String>],
    allow_symlinks: bool,
) -> Result<Vec<Found>, Error> {
    let meta = fs_err::symlink_metadata(model).map_err(io_error(model))?;
    let meta = if meta.is_symlink() {
        if !allow_symlinks {
            return Err(Error::Symlink(model.to_owned()));
        }
        fs_err::metadata(model).map_err(|_| Error::Special(model.to_owned()))?
    } else {
        meta
    };
    let mut out = Vec::new();
    if meta.is_file() {
        if !ignored(&[], ignore) {
            out.push(Found {
                name: ".".to_owned(),
                path: model.to_owned(),
            });
        }
    } else if meta.is_dir() {
        // Links are not followed, so no entry is skipped: every one is
        // checked, including those in ignored folders, as model-signing does.
        for entry in walk::tree(model, false, |_| true) {
            let entry = entry.map_err(|f| match f {
                Failure::Io { path, source } => Error::Io { path, source },
                Failure::Loop(path) => Error::Io {
                    path,
                    source: io::Error::other("symbolic link loop"),
                },
            })?;
            if let Some(found) = file(model, &entry, ignore, allow_symlinks)? {
                out.push(found);
            }
        }
    } else {
        return Err(Error::Special(model.to_owned()));
    }
    out.sort_by(|a, b| names::order(&a.name, &b.name));
    Ok(out)
}

/// The file an entry of the model's walk is to be hashed as, or `None`
/// for a folder, a link to a folder or an ignored file.
fn file(
    model: &Path,
    entry: &walkdir::DirEntry,
    ignore: &[Vec<String>],
    allow_symlinks: bool,
) -> Result<Option<Found>, Error> {
    let path = entry.path();
    let kind = entry.file_type();
    let is_file = if kind.is_symlink() {
        if !allow_symlinks {
            return Err(Error::Symlink(path.to_owned()));
        }
        // A broken link is an error, as in model-signing.
        let target = fs_err::metadata(path).map_err(|_| Error::Special(path.to_owned()))?;
        if !target.is_file() && !target.is_dir() {
            return Err(Error::Special(path.to_owned()));
        }
        // Python's glob does not descend into links to folders.
        target.is_file()
    } else if kind.is_dir() || kind.is_file() {
        kind.is_file()
    } else {
        return Err(Error::Special(path.to_owned()));
    };
    if !is_file {
        return Ok(None);
    }
    let parts: Vec<String> = path
        .strip_prefix(model)
        .unwrap_or(path)
        .components()
        .map(|c| {
            c.as_os_str()
                .to_str()
                .map_or_else(|| NOT_UTF8.to_owned(), str::to_owned)
        })
        .collect();
    if ignored(&parts, ignore) {
        return Ok(None);
    }
    if parts.iter().any(|p| p == NOT_UTF8) {
        return Err(Error::NotUtf8(path.to_owned()));
    }
    Ok(Some(Found {
        name: parts.join("/"),
        path: path.to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_paths_match_component_prefixes() {
        let ignore: Vec<Vec<String>> = GIT_PATHS.iter().map(|p| vec![(*p).to_owned()]).collect();
        let parts = |s: &str| s.split('/').map(str::to_owned).collect::<Vec<_>>();
        assert!(ignored(&parts(".git/HEAD"), &ignore));
        assert!(ignored(&parts(".gitignore"), &ignore));
        assert!(
            !ignored(&parts("sub/.gitignore"), &ignore),
            "only at the top"
        );
        assert!(!ignored(&parts("sub/.git/x"), &ignore));
        assert!(!ignored(&parts(".gitignore2"), &ignore), "whole components");
        assert!(
            ignored(&parts("anything"), &[Vec::new()]),
            "`.` ignores everything"
        );
        assert_eq!(normalize("./a//b/"), Some(parts("a/b")));
        assert_eq!(normalize("a/../b"), Some(parts("b")));
        assert_eq!(normalize("../x"), None);
        assert_eq!(signed_ignore("a/./b"), Some(parts("a/b")));
        assert_eq!(signed_ignore("/etc"), None);
        assert_eq!(signed_ignore("a/../b"), None);
    }
}
