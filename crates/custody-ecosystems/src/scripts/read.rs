//! The I/O edge: a package folder's files read, bounded, for the pure
//! analysis. Only what the analysis asks for is read: `package.json`, the
//! names and sizes of the folder's top-level files, the shipped CI, editor
//! and agent config (for worm names), and the files lifecycle scripts run.
//! Symbolic links are never followed; nothing is executed.

use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::analyse::analyse;
use super::report::{PackageFile, PackageReport};
use crate::npm::tree::{entries, symlink_meta};
use crate::{Error, Location};

/// `package.json` larger than this is refused (real ones are a few KiB).
pub const MAX_MANIFEST_BYTES: u64 = 1 << 20;
/// At most this much of any run file is read; the rest is reported skipped
/// (the size still counts for `large-file`).
pub const MAX_SCRIPT_BYTES: u64 = 4 << 20;
/// At most this much of a shipped config file is read.
pub const MAX_CONFIG_BYTES: u64 = 256 << 10;
/// Folders whose files are read for worm names (one level, no recursion).
const CONFIG_DIRS: [&str; 3] = [".github/workflows", ".vscode", ".claude"];
/// Rounds of "read what the analysis asked for" (each round follows one
/// more hop of references).
const ROUNDS: usize = 6;

struct Owned {
    path: String,
    size: u64,
    content: Option<Vec<u8>>,
}

/// Inspects one installed package folder.
pub(crate) fn package(dir: &Path) -> Result<PackageReport, Error> {
    let manifest_path = dir.join("package.json");
    let text = manifest(&manifest_path)?;
    let canonical = fs_err::canonicalize(dir).map_err(|e| Error::io(dir, &e))?;
    let mut files = listing(dir)?;
    let mut tried: BTreeSet<String> = BTreeSet::new();
    for _ in 0..ROUNDS {
        let borrowed = borrow(&files);
        let outcome = analyse(&manifest_path, &text, &borrowed)?;
        let wanted: Vec<String> = outcome
            .missing
            .into_iter()
            .filter(|p| tried.insert(p.clone()))
            .collect();
        if wanted.is_empty() {
            return Ok(outcome.report);
        }
        for path in wanted {
            let full = dir.join(&path);
            if let Some((size, content)) = read_inside(&canonical, &full, MAX_SCRIPT_BYTES)? {
                files.retain(|f| f.path != path);
                files.push(Owned {
                    path,
                    size,
                    content: Some(content),
                });
            }
        }
    }
    Ok(analyse(&manifest_path, &text, &borrow(&files))?.report)
}

fn borrow(files: &[Owned]) -> Vec<PackageFile<'_>> {
    files
        .iter()
        .map(|f| PackageFile {
            path: &f.path,
            size: f.size,
            content: f.content.as_deref(),
        })
        .collect()
}

/// `package.json` as text, bounded.
fn manifest(path: &Path) -> Result<String, Error> {
    let meta = symlink_meta(path)?;
    if !meta.is_file() {
        return Err(Error::parse(path, Location::File, "not a regular file"));
    }
    if meta.len() > MAX_MANIFEST_BYTES {
        let msg = format!(
            "{} bytes, more than the {MAX_MANIFEST_BYTES} read",
            meta.len()
        );
        return Err(Error::parse(path, Location::File, msg));
    }
    crate::text::read(path)
}

/// The top-level regular files by name and size, and the config folders'
/// files with their content.
fn listing(dir: &Path) -> Result<Vec<Owned>, Error> {
    let mut out = Vec::new();
    for (name, path) in entries(dir)? {
        let meta = symlink_meta(&path)?;
        if meta.is_file() && name != "package.json" {
            out.push(Owned {
                path: name,
                size: meta.len(),
                content: None,
            });
        }
    }
    let canonical = fs_err::canonicalize(dir).map_err(|e| Error::io(dir, &e))?;
    for sub in CONFIG_DIRS {
        let folder = dir.join(sub);
        if !symlink_meta(&folder).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        for (name, path) in entries(&folder)? {
            if let Some((size, content)) = read_inside(&canonical, &path, MAX_CONFIG_BYTES)? {
                out.push(Owned {
                    path: format!("{sub}/{name}"),
                    size,
                    content: Some(content),
                });
            }
        }
    }
    Ok(out)
}

/// The size and first `limit` bytes of `path` when it is a regular file
/// (not a link) whose real location is inside `root`; `None` otherwise.
fn read_inside(root: &Path, path: &Path, limit: u64) -> Result<Option<(u64, Vec<u8>)>, Error> {
    let Ok(meta) = fs_err::symlink_metadata(path) else {
        return Ok(None);
    };
    let real: Option<PathBuf> = fs_err::canonicalize(path).ok();
    if !meta.is_file() || !real.is_some_and(|r| r.starts_with(root)) {
        return Ok(None);
    }
    let file = fs_err::File::open(path).map_err(|e| Error::io(path, &e))?;
    let mut content = Vec::new();
    file.take(limit)
        .read_to_end(&mut content)
        .map_err(|e| Error::io(path, &e))?;
    Ok(Some((meta.len(), content)))
}
