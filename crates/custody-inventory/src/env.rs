//! Installed environments: a virtual environment or prefix, or a
//! `site-packages` folder. Read from disk only; the environment's own
//! interpreter is never started (an infected environment runs its implant at
//! every interpreter start).

use std::path::{Path, PathBuf};

use custody_pypa::{metadata, record};
use rayon::prelude::*;
use serde::Deserialize;

use crate::model::{Inventory, Origin, Package, Pin, Source, SourceKind, Unresolved};
use crate::{InventoryError, Location, text};

/// Whether `dir` looks like a site-packages folder: named so, or holding
/// distribution metadata.
pub(crate) fn is_site_packages(dir: &Path) -> bool {
    if is_named_site_packages(dir) {
        return true;
    }
    fs_err::read_dir(dir).is_ok_and(|mut rd| {
        rd.any(|e| {
            e.is_ok_and(|e| {
                let n = e.file_name();
                let n = n.to_string_lossy();
                n.ends_with(".dist-info") || n.ends_with(".egg-info")
            })
        })
    })
}

/// Whether `dir` is called `site-packages` or `dist-packages`.
pub(crate) fn is_named_site_packages(dir: &Path) -> bool {
    matches!(
        dir.file_name().and_then(|n| n.to_str()),
        Some("site-packages" | "dist-packages")
    )
}

/// Whether `dir` is a virtual environment or an installation prefix.
pub(crate) fn is_environment(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file() || site_packages_dirs(dir).is_ok_and(|d| !d.is_empty())
}

/// The site-packages folders of a prefix: `lib*/python*/{site,dist}-packages`
/// and Windows' `Lib/site-packages`, each once even when `lib64` links to `lib`.
pub fn site_packages_dirs(prefix: &Path) -> Result<Vec<PathBuf>, InventoryError> {
    let mut found: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut push = |p: PathBuf| {
        if p.is_dir() {
            let canon = fs_err::canonicalize(&p).unwrap_or_else(|_| p.clone());
            if !found.iter().any(|(c, _)| *c == canon) {
                found.push((canon, p));
            }
        }
    };
    push(prefix.join("Lib").join("site-packages"));
    for lib in ["lib", "lib64"] {
        let dir = prefix.join(lib);
        let Ok(rd) = fs_err::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<PathBuf> = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("python"))
            })
            .collect();
        names.sort();
        for py in names {
            push(py.join("site-packages"));
            push(py.join("dist-packages"));
        }
    }
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

/// Reads every distribution installed under `path` (a prefix or a
/// site-packages folder).
pub fn read_environment(path: &Path) -> Result<Inventory, InventoryError> {
    let meta = fs_err::metadata(path).map_err(|e| InventoryError::io(path, &e))?;
    if !meta.is_dir() {
        return Err(InventoryError::Unrecognised {
            path: path.to_owned(),
        });
    }
    let dirs = if is_site_packages(path) {
        vec![path.to_owned()]
    } else {
        let d = site_packages_dirs(path)?;
        if d.is_empty() {
            return Err(InventoryError::parse(
                path,
                Location::File,
                "no site-packages folder found (looked for lib/python*/site-packages and Lib/site-packages)",
            ));
        }
        d
    };
    let mut inv = Inventory::default();
    for dir in dirs {
        let (packages, unresolved) = read_site_packages(&dir)?;
        inv.sources.push(Source {
            python: python_version(&dir),
            path: dir,
            kind: SourceKind::Environment,
            packages: packages.len(),
        });
        inv.packages.extend(packages);
        inv.unresolved.extend(unresolved);
    }
    Ok(inv)
}

/// The Python version a site-packages folder is for: `X.Y.Z` from the
/// prefix's `pyvenv.cfg` when it agrees with `lib/pythonX.Y`, else `X.Y`.
fn python_version(site_packages: &Path) -> Option<String> {
    let lib_python = site_packages.parent()?;
    let xy = lib_python.file_name()?.to_str()?.strip_prefix("python")?;
    if !xy
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let cfg = lib_python.parent()?.parent()?.join("pyvenv.cfg");
    let exact = crate::text::read(&cfg).ok().and_then(|text| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            let v: Vec<&str> = v.trim().split('.').take(3).collect();
            (matches!(k.trim(), "version" | "version_info") && v.len() == 3).then(|| v.join("."))
        })
    });
    Some(
        exact
            .filter(|v| v.starts_with(&format!("{xy}.")))
            .unwrap_or_else(|| xy.to_owned()),
    )
}

/// Threads reading an environment's metadata (I/O-bound, so above the core count).
const IO_THREADS: usize = 8;

/// What one entry of a site-packages folder turned out to be.
enum Entry {
    Package(Box<Package>),
    Unresolved(Unresolved),
    Other,
}

fn read_site_packages(dir: &Path) -> Result<(Vec<Package>, Vec<Unresolved>), InventoryError> {
    let mut entries: Vec<PathBuf> = fs_err::read_dir(dir)
        .map_err(|e| InventoryError::io(dir, &e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    let mut out = Vec::new();
    let mut unresolved = Vec::new();
    // Reading hundreds of small metadata files is latency-bound: use all
    // cores. Results come back in entry order, so the first error is the same
    // as a sequential read would give.
    // On a cold page cache each small file is a disk round trip: more threads
    // than cores keep more reads in flight.
    let read_all = || {
        entries
            .par_iter()
            .map(|e| read_entry(e))
            .collect::<Vec<_>>()
    };
    let results = match rayon::ThreadPoolBuilder::new()
        .num_threads(IO_THREADS)
        .build()
    {
        Ok(pool) => pool.install(read_all),
        Err(_) => read_all(),
    };
    for result in results {
        match result? {
            Entry::Package(p) => out.push(*p),
            Entry::Unresolved(u) => unresolved.push(u),
            Entry::Other => {}
        }
    }
    Ok((out, unresolved))
}

fn read_entry(entry: &Path) -> Result<Entry, InventoryError> {
    let Some(fname) = entry.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Ok(Entry::Other);
    };
    if fname.ends_with(".dist-info") && entry.is_dir() {
        Ok(Entry::Package(Box::new(read_dist_info(entry)?)))
    } else if fname.ends_with(".egg-info") {
        let pkg_info = if entry.is_dir() {
            entry.join("PKG-INFO")
        } else {
            entry.to_owned()
        };
        Ok(Entry::Package(Box::new(read_legacy(entry, &pkg_info)?)))
    } else if fname.ends_with(".egg") && entry.is_dir() {
        Ok(Entry::Package(Box::new(read_legacy(
            entry,
            &entry.join("EGG-INFO").join("PKG-INFO"),
        )?)))
    } else if fname.ends_with(".egg-link") {
        let target = text::read(entry)?
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        Ok(Entry::Unresolved(Unresolved {
            text: format!("{fname} -> {target}"),
            reason: "legacy editable install (egg-link); its version lives in the linked project"
                .into(),
            origin: Origin {
                path: entry.to_owned(),
                line: None,
            },
        }))
    } else {
        Ok(Entry::Other)
    }
}

#[derive(Deserialize)]
struct DirectUrl {
    url: String,
    dir_info: Option<DirInfo>,
    vcs_info: Option<serde_json::Value>,
    archive_info: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct DirInfo {
    #[serde(default)]
    editable: bool,
}

fn read_dist_info(dir: &Path) -> Result<Package, InventoryError> {
    let meta_path = dir.join("METADATA");
    if !meta_path.is_file() {
        return Err(InventoryError::parse(
            dir,
            Location::File,
            "dist-info folder has no METADATA file",
        ));
    }
    let mut pkg = read_metadata(&meta_path, Pin::Installed)?;
    let record_path = dir.join("RECORD");
    if record_path.is_file() {
        let content = text::read(&record_path)?;
        let rows = record::validate(&content).map_err(|e| {
            let line = match &e {
                record::RecordError::Csv { line, .. }
                | record::RecordError::Fields { line, .. }
                | record::RecordError::Hash { line, .. }
                | record::RecordError::Size { line, .. }
                | record::RecordError::EmptyPath { line } => *line,
            };
            let msg = e.to_string();
            let msg = msg
                .split_once(": ")
                .map_or(msg.clone(), |(_, m)| m.to_owned());
            InventoryError::parse(&record_path, Location::Line(line), msg)
        })?;
        pkg.record_files = Some(rows);
    }
    let installer = dir.join("INSTALLER");
    if installer.is_file() {
        pkg.installer = Some(text::read(&installer)?.trim().to_owned()).filter(|s| !s.is_empty());
    }
    let direct = dir.join("direct_url.json");
    if direct.is_file() {
        let content = text::read(&direct)?;
        let d: DirectUrl =
            serde_json::from_str(&content).map_err(|e| text::json_error(&direct, &e))?;
        pkg.pin = if d.dir_info.as_ref().is_some_and(|i| i.editable) {
            Pin::Editable { target: d.url }
        } else if d.vcs_info.is_some() {
            Pin::Vcs { url: d.url }
        } else if d.archive_info.is_some() && !d.url.starts_with("file:") {
            Pin::Url { url: d.url }
        } else {
            Pin::Local { path: d.url }
        };
    }
    Ok(pkg)
}

fn read_legacy(entry: &Path, pkg_info: &Path) -> Result<Package, InventoryError> {
    if !pkg_info.is_file() {
        return Err(InventoryError::parse(
            entry,
            Location::File,
            "egg-info has no PKG-INFO file",
        ));
    }
    read_metadata(pkg_info, Pin::Installed)
}

fn read_metadata(meta_path: &Path, pin: Pin) -> Result<Package, InventoryError> {
    let content = text::read(meta_path)?;
    let m = metadata::parse(&content).map_err(|e| {
        let location = match &e {
            metadata::MetadataError::Missing(_) => Location::File,
            metadata::MetadataError::Name { line, .. }
            | metadata::MetadataError::Version { line, .. } => Location::Line(*line),
        };
        let msg = e.to_string();
        let msg = msg
            .strip_prefix("line ")
            .and_then(|m| m.split_once(": "))
            .map_or(msg.clone(), |(_, m)| m.to_owned());
        InventoryError::parse(meta_path, location, msg)
    })?;
    // Point at the Version header: a file and line, like a lockfile entry.
    let origin = Origin {
        path: meta_path.to_owned(),
        line: Some(m.version_line),
    };
    let mut pkg = Package::new(m.name, origin, SourceKind::Environment, pin)
        .with_version(m.version, &m.raw_version);
    pkg.license = crate::License {
        expression: m.license_expression,
        text: m.license,
        classifiers: m.license_classifiers,
    };
    pkg.depends = crate::Depends::Requirements(m.requires_dist);
    Ok(pkg)
}
