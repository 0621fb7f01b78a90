//! Installed environments, read one distribution at a time.
//!
//! A `site-packages` folder is listed once (names and file metadata, no
//! contents). Every distribution's list of files (`RECORD`,
//! `installed-files.txt`) is read in full before anything is judged. Each
//! distribution is then read and analysed on its own, with bounds per file,
//! so memory holds a few distributions at a time, never the environment.
//! Files no list owns are grouped by their top-level folder.
//!
//! A start-up hook no list owns is an implant only when every
//! distribution's list was read; where one could not be, the hook is
//! reported as not judged (an unread owner is unknown, never absent). What
//! was not read is always reported.
//!
//! With a [`Cache`], a distribution whose files are unchanged (same list
//! digest, rules, and each file's size, inode and change time) is not read
//! again.

use crate::code::Code;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis;
use crate::archive::{Anomaly, ArchiveError, Contents, Format, HEAD_BYTES, Member};
use crate::cache::Cache;
use crate::options::Options;
use crate::paths::{first_code_line, is_startup_surface};
use crate::report::{Finding, Level, Phase, Report, Verdict};

/// Bytes of a distribution's file list read before giving up on it.
const MAX_LIST_BYTES: u64 = 64 << 20;
/// Bytes of one file read for analysis (the rest is not read).
const MAX_FILE_BYTES: u64 = 16 << 20;
/// Distributions read at once (at least; more where there are more cores).
const READERS: usize = 8;
/// Files listed before the listing stops (what is past it is reported unread).
const MAX_FILES: usize = 2_000_000;

/// Something not read, or not judged because of what was not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unread {
    /// The file or folder, relative to the environment.
    pub path: String,
    /// Why, and what it means for the verdict.
    pub reason: String,
}

/// What inspecting an environment found.
#[derive(Debug, Clone)]
pub struct Environment {
    /// Every finding, with paths relative to the environment; reasons name
    /// the distribution and file.
    pub report: Report,
    /// Distributions (and groups of files no distribution owns) inspected.
    pub groups: usize,
    /// Files listed.
    pub files: usize,
    /// Groups whose result came from the cache.
    pub cached: usize,
    /// What was not read or not judged.
    pub unread: Vec<Unread>,
}

/// A file of the environment: where, how big, and what changes when it is
/// written (a process can set a file's times back, but not its change time).
#[derive(Debug, Clone)]
struct Entry {
    path: String,
    size: u64,
    stamp: (u64, i64, i64),
}

/// Who owns a group of files.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    /// A distribution, by its metadata folder (`setuptools-80.9.0.dist-info`).
    Distribution(String),
    /// Files no list owns, by top-level name.
    Nobody(String),
}

impl Owner {
    fn label(&self) -> String {
        match self {
            Self::Distribution(meta) => {
                let stem = meta
                    .trim_end_matches(".dist-info")
                    .trim_end_matches(".egg-info");
                match stem.split_once('-') {
                    Some((name, version)) => format!("{name} {version}"),
                    None => stem.to_owned(),
                }
            }
            Self::Nobody(top) => format!("files no distribution lists ({top})"),
        }
    }
}

/// A distribution's files, or a top-level folder's files no one owns.
#[derive(Debug)]
struct Group {
    owner: Owner,
    /// Indexes into the listing, sorted by path.
    files: Vec<usize>,
    /// Digest of the distribution's file list, when it has one.
    list_digest: Option<blake3::Hash>,
}

/// The listing of an environment and who owns what.
#[derive(Debug, Default)]
struct Layout {
    entries: Vec<Entry>,
    groups: Vec<Group>,
    /// Distributions whose file list could not be read.
    unknown_owners: Vec<Unread>,
    unread: Vec<Unread>,
    anomalies: Vec<Anomaly>,
}

/// Inspects an installed environment (a `site-packages` folder).
///
/// # Errors
/// When the folder itself cannot be listed; anything below it that cannot
/// be read is reported in [`Environment::unread`] instead.
pub fn inspect(
    root: &Path,
    options: Options,
    cache: Option<&Cache>,
) -> Result<Environment, ArchiveError> {
    let layout = list(root)?;
    let limits = Options::limits(options);
    let hooks = startup_hooks(root, &layout);
    // Reading a cold environment waits on the disk more than on the cores:
    // more distributions in flight than cores (memory stays a few
    // distributions' worth).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads().max(READERS))
        .build()
        .ok();
    let run = |f: &(dyn Fn() -> Vec<(Report, bool)> + Sync)| match &pool {
        Some(p) => p.install(f),
        None => f(),
    };
    let results: Vec<(Report, bool)> = run(&|| {
        layout
            .groups
            .par_iter()
            .map(|g| {
                let mut files = g.files.clone();
                files.extend(hook_modules(&layout, g, &hooks));
                files.sort_unstable();
                files.dedup();
                let key = cache.map(|c| c.key(group_key(&layout, g, &files, options)));
                if let (Some(c), Some(k)) = (cache, &key)
                    && let Some(report) = c.get(k)
                {
                    return (report, true);
                }
                let contents = read_group(root, &layout, &files, limits.skim);
                let report = analysis::inspect_with(&contents, options);
                if let (Some(c), Some(k)) = (cache, &key) {
                    c.put(k, &report);
                }
                (report, false)
            })
            .collect()
    });
    let cached = results.iter().filter(|(_, hit)| *hit).count();
    let mut findings = Vec::new();
    let mut reasons = Vec::new();
    let mut verdict = Verdict::Clean;
    let mut score = 0u32;
    let mut anomalies = layout.anomalies.clone();
    for (g, (r, _)) in layout.groups.iter().zip(&results) {
        let label = g.owner.label();
        verdict = verdict.max(r.verdict);
        score = score.saturating_add(r.score);
        reasons.extend(r.reasons.iter().map(|why| format!("{label}: {why}")));
        findings.extend(r.findings.iter().cloned());
        anomalies.extend(r.anomalies.iter().cloned());
    }
    let mut unread = layout.unread.clone();
    // What a bound or an error kept from the analysis is said, by file.
    for a in &anomalies {
        match a {
            Anomaly::Oversized { path, size } => unread.push(Unread {
                path: path.clone(),
                reason: format!(
                    "{size} bytes: only the first {} MiB were analysed (its RECORD digest was still checked)",
                    MAX_FILE_BYTES >> 20
                ),
            }),
            Anomaly::Unreadable { path, reason } => unread.push(Unread {
                path: path.clone(),
                reason: format!("{reason}: not inspected"),
            }),
            _ => {}
        }
    }
    orphans(&layout, &hooks, &mut findings, &mut unread);
    let (env_verdict, env_score, env_reasons) = crate::verdict::verdict(
        &findings
            .iter()
            .filter(|f| f.code == ORPHAN || f.code == UNOWNED_PATHS)
            .cloned()
            .collect::<Vec<_>>(),
    );
    verdict = verdict.max(env_verdict);
    score = score.saturating_add(env_score);
    reasons.extend(env_reasons);
    crate::report::order(&mut findings);
    Ok(Environment {
        report: Report {
            path: root.display().to_string(),
            format: Format::Folder,
            verdict,
            score,
            reasons,
            findings,
            anomalies,
        },
        groups: layout.groups.len(),
        files: layout.entries.len(),
        cached,
        unread,
    })
}

/// Whether a folder is laid out as installed distributions (a top-level
/// `*.dist-info` with a RECORD): read it with [`inspect`].
pub fn looks_installed(dir: &Path) -> bool {
    fs_err::read_dir(dir).is_ok_and(|rd| {
        rd.flatten().any(|e| {
            e.file_name().to_string_lossy().ends_with(".dist-info")
                && e.path().join("RECORD").is_file()
        })
    })
}

const ORPHAN: Code = Code::OrphanStartupHook;
const UNOWNED_PATHS: Code = Code::UnownedPathHook;

/// Lists the folder and assigns every file to the distribution whose list
/// names it, or to a group of unowned files by top-level name.
fn list(root: &Path) -> Result<Layout, ArchiveError> {
    let top = fs_err::read_dir(root).map_err(|e| ArchiveError::Io {
        path: root.to_owned(),
        reason: std::error::Error::source(&e).map_or_else(|| e.to_string(), ToString::to_string),
    })?;
    let mut names: Vec<std::ffi::OsString> = top.flatten().map(|e| e.file_name()).collect();
    names.sort();
    // Top-level folders are listed in parallel (a warm scan is mostly this
    // listing); each keeps its files in sorted depth-first order, so the
    // whole listing is the same on every run.
    let parts: Vec<Listing> = names
        .par_iter()
        .map(|name| {
            let mut part = Listing::default();
            walk(root, &root.join(name), &mut part);
            part
        })
        .collect();
    let mut layout = Layout::default();
    for part in parts {
        layout.anomalies.extend(part.anomalies);
        layout.unread.extend(part.unread);
        for e in part.entries {
            if layout.entries.len() >= MAX_FILES {
                layout.unread.push(Unread {
                    path: e.path,
                    reason: format!(
                        "the listing stopped at {MAX_FILES} files: this and later files are not inspected"
                    ),
                });
                break;
            }
            layout.entries.push(e);
        }
    }
    assign(root, &mut layout);
    Ok(layout)
}

/// What one top-level entry holds.
#[derive(Default)]
struct Listing {
    entries: Vec<Entry>,
    anomalies: Vec<Anomaly>,
    unread: Vec<Unread>,
}

/// Lists `path` (a file, link or folder) into `out`, folders depth-first in
/// name order. Metadata is read relative to the open folder (no path walk
/// per file). Links are recorded, never followed.
fn walk(root: &Path, path: &Path, out: &mut Listing) {
    let rel = relative(root, path);
    let meta = match fs_err::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) => {
            out.unread.push(no_metadata(rel, &e));
            return;
        }
    };
    walk_entry(path, rel, &meta, out);
}

fn walk_entry(path: &Path, rel: String, meta: &std::fs::Metadata, out: &mut Listing) {
    let kind = meta.file_type();
    if kind.is_symlink() {
        let target = fs_err::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        out.anomalies.push(Anomaly::Link { path: rel, target });
    } else if kind.is_file() {
        out.entries.push(Entry {
            path: rel,
            size: meta.len(),
            stamp: stamp(meta),
        });
    } else if kind.is_dir() {
        let entries = match fs_err::read_dir(path) {
            Ok(rd) => rd,
            Err(e) => {
                out.unread.push(Unread {
                    path: rel,
                    reason: format!(
                        "cannot be listed ({}): files below it are not inspected",
                        io_reason(&e)
                    ),
                });
                return;
            }
        };
        let mut children: Vec<fs_err::DirEntry> = Vec::new();
        for entry in entries {
            match entry {
                Ok(e) => children.push(e),
                Err(e) => out.unread.push(Unread {
                    path: rel.clone(),
                    reason: format!(
                        "cannot be listed in full ({}): some files below it are not inspected",
                        io_reason(&e)
                    ),
                }),
            }
        }
        children.sort_by_key(fs_err::DirEntry::file_name);
        // Files here are stat'ed in order on this thread; subfolders are
        // listed in parallel; both are joined in name order. (A task per file
        // cost more than the statx it wrapped.)
        let mut slots: Vec<Slot> = Vec::with_capacity(children.len());
        for child in &children {
            let child_rel = format!("{rel}/{}", child.file_name().to_string_lossy());
            match child.metadata() {
                Ok(m) if m.is_dir() => slots.push(Slot::Folder(child.path(), child_rel, m)),
                Ok(m) if m.is_file() => slots.push(Slot::File(Entry {
                    path: child_rel,
                    size: m.len(),
                    stamp: stamp(&m),
                })),
                Ok(m) => {
                    let mut part = Listing::default();
                    walk_entry(&child.path(), child_rel, &m, &mut part);
                    slots.push(Slot::Done(part));
                }
                Err(e) => slots.push(Slot::Done(Listing {
                    unread: vec![no_metadata(child_rel, &e)],
                    ..Listing::default()
                })),
            }
        }
        slots.par_iter_mut().for_each(|slot| {
            if let Slot::Folder(path, rel, meta) = slot {
                let mut part = Listing::default();
                walk_entry(path, std::mem::take(rel), meta, &mut part);
                *slot = Slot::Done(part);
            }
        });
        for slot in slots {
            match slot {
                Slot::File(e) => out.entries.push(e),
                Slot::Done(part) => {
                    out.entries.extend(part.entries);
                    out.anomalies.extend(part.anomalies);
                    out.unread.extend(part.unread);
                }
                Slot::Folder(..) => {}
            }
        }
    }
}

/// One child of a folder while it is listed: a subfolder still to list, or
/// what a child gave.
enum Slot {
    Folder(std::path::PathBuf, String, std::fs::Metadata),
    File(Entry),
    Done(Listing),
}

/// A file whose metadata cannot be read: listed, not inspected.
fn no_metadata(path: String, e: &std::io::Error) -> Unread {
    Unread {
        path,
        reason: format!(
            "its metadata cannot be read ({}): not inspected",
            io_reason(e)
        ),
    }
}

fn io_reason(e: &std::io::Error) -> String {
    std::error::Error::source(e).map_or_else(|| e.to_string(), ToString::to_string)
}

#[cfg(unix)]
fn stamp(meta: &std::fs::Metadata) -> (u64, i64, i64) {
    use std::os::unix::fs::MetadataExt;
    (meta.ino(), meta.ctime(), meta.ctime_nsec())
}

#[cfg(not(unix))]
fn stamp(meta: &std::fs::Metadata) -> (u64, i64, i64) {
    let t = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    (
        0,
        i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
        i64::from(t.subsec_nanos()),
    )
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Reads every distribution's file list and groups the listing by owner.
fn assign(root: &Path, layout: &mut Layout) {
    let index: rustc_hash::FxHashMap<&str, usize> = layout
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.path.as_str(), i))
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; layout.entries.len()];
    let top_meta: Vec<String> = {
        let mut seen: Vec<String> = layout
            .entries
            .iter()
            .filter_map(|e| e.path.split_once('/').map(|(top, _)| top))
            .filter(|top| top.ends_with(".dist-info") || top.ends_with(".egg-info"))
            .map(str::to_owned)
            .collect();
        seen.dedup();
        seen
    };
    let mut groups: Vec<Group> = Vec::new();
    let mut unknown = Vec::new();
    let lists = read_lists(root, &top_meta, &index);
    for (meta, (list_path, prefix, listed)) in top_meta.iter().zip(lists) {
        let g = groups.len();
        let digest = match listed {
            Ok((paths, digest)) => {
                for p in paths {
                    // Most rows are plain relative paths: no copy for those.
                    let found = if prefix.is_empty() && !p.contains("./") && !p.contains("//") {
                        index.get(p.as_str()).copied()
                    } else {
                        normalise(&format!("{prefix}{p}"))
                            .and_then(|n| index.get(n.as_str()).copied())
                    };
                    if let Some(i) = found
                        && owner[i].is_none()
                    {
                        owner[i] = Some(g);
                    }
                }
                Some(digest)
            }
            Err(reason) => {
                unknown.push(Unread {
                    path: list_path,
                    reason,
                });
                None
            }
        };
        groups.push(Group {
            owner: Owner::Distribution(meta.clone()),
            files: Vec::new(),
            list_digest: digest,
        });
    }
    // A metadata file (`x.egg-info` as one PKG-INFO file) names no files.
    for e in layout.entries.iter().filter(|e| {
        !e.path.contains('/') && (e.path.ends_with(".egg-info") || e.path.ends_with(".dist-info"))
    }) {
        unknown.push(Unread {
            path: e.path.clone(),
            reason: "a distribution with no list of its files".into(),
        });
    }
    let meta_group: HashMap<&str, usize> = top_meta
        .iter()
        .enumerate()
        .map(|(g, m)| (m.as_str(), g))
        .collect();
    let mut nobody: BTreeMap<String, usize> = BTreeMap::new();
    for (i, e) in layout.entries.iter().enumerate() {
        let top = e.path.split_once('/').map(|(t, _)| t);
        let g = match (owner[i], top.and_then(|t| meta_group.get(t))) {
            // A metadata folder's own files belong to it, listed or not.
            (_, Some(&g)) | (Some(g), None) => g,
            (None, None) => {
                let key = top.unwrap_or("top level").to_owned();
                *nobody.entry(key.clone()).or_insert_with(|| {
                    groups.push(Group {
                        owner: Owner::Nobody(key),
                        files: Vec::new(),
                        list_digest: None,
                    });
                    groups.len() - 1
                })
            }
        };
        groups[g].files.push(i);
    }
    groups.retain(|g| !g.files.is_empty());
    layout.groups = groups;
    layout.unknown_owners = unknown;
}

/// A distribution's file list read from its metadata folder.
type Listed = (String, String, Result<(Vec<String>, blake3::Hash), String>);

/// Each metadata folder's list (its path, the prefix its rows are relative
/// to, and the rows or why none), read in parallel.
fn read_lists(
    root: &Path,
    metas: &[String],
    index: &rustc_hash::FxHashMap<&str, usize>,
) -> Vec<Listed> {
    metas
        .par_iter()
        .map(|meta| {
            let (list_name, prefix) = if meta.ends_with(".dist-info") {
                ("RECORD", String::new())
            } else {
                ("installed-files.txt", format!("{meta}/"))
            };
            let list_path = format!("{meta}/{list_name}");
            let listed = read_list(root, &list_path, index.contains_key(list_path.as_str()));
            (list_path, prefix, listed)
        })
        .collect()
}

/// A distribution's list of file paths and the list's digest, or why it
/// cannot be read.
fn read_list(root: &Path, rel: &str, exists: bool) -> Result<(Vec<String>, blake3::Hash), String> {
    if !exists {
        return Err("missing: which files this distribution owns is unknown".to_owned());
    }
    let mut data = Vec::new();
    fs_err::File::open(root.join(rel))
        .and_then(|f| f.take(MAX_LIST_BYTES + 1).read_to_end(&mut data))
        .map_err(|e| {
            format!("cannot be read ({e}): which files this distribution owns is unknown")
        })?;
    if data.len() as u64 > MAX_LIST_BYTES {
        return Err(format!(
            "larger than {} MiB: not read, so which files this distribution owns is unknown",
            MAX_LIST_BYTES >> 20
        ));
    }
    let digest = blake3::hash(&data);
    let text = std::str::from_utf8(&data)
        .map_err(|_| "not UTF-8: which files this distribution owns is unknown".to_owned())?;
    let paths = if rel.ends_with("/RECORD") {
        custody_pypa::record::parse(text)
            .map_err(|e| {
                format!("not a valid RECORD ({e}): which files this distribution owns is unknown")
            })?
            .into_iter()
            .map(|r| r.path)
            .collect()
    } else {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    Ok((paths, digest))
}

/// `a/./b/../c` as `a/c`; `None` when it leaves the folder.
fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The top-level start-up hooks, read (they are small; more than a
/// file's bound is read only in part), by listing index.
fn startup_hooks(root: &Path, layout: &Layout) -> Vec<(usize, Member)> {
    layout
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.path.contains('/') && is_startup_surface(&e.path))
        .filter_map(|(i, e)| Some((i, read_member(root, e, None)?)))
        .collect()
}

/// Modules the group's start-up hooks import that live in other groups:
/// they run at start-up too, so they are read with the hook.
fn hook_modules(layout: &Layout, g: &Group, hooks: &[(usize, Member)]) -> Vec<usize> {
    let mine: Vec<Member> = hooks
        .iter()
        .filter(|(i, _)| g.files.contains(i))
        .map(|(_, m)| m.clone())
        .collect();
    if mine.is_empty() {
        return Vec::new();
    }
    let wanted: HashSet<String> = crate::roles::startup_modules(&mine)
        .into_iter()
        .flat_map(|m| [format!("{m}.py"), format!("{m}/__init__.py")])
        .collect();
    layout
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| wanted.contains(&e.path))
        .map(|(i, _)| i)
        .collect()
}

/// Reads one file. A file a rule reads is kept up to a bound and hashed
/// whole (the rest streamed through the hash), so its RECORD digest is
/// checked whatever was kept. A file no rule reads (a native library, data)
/// keeps its first bytes, enough to tell a binary, and is checked against
/// RECORD by size only; `--deep` (no skimming) reads and hashes it too.
fn read_member(root: &Path, e: &Entry, skim: Option<fn(&str) -> bool>) -> Option<Member> {
    use sha2::Digest as _;
    let skimmed = skim.is_some_and(|s| s(&e.path));
    let cap = if skimmed { HEAD_BYTES } else { MAX_FILE_BYTES };
    let mut file = fs_err::File::open(root.join(&e.path)).ok()?;
    let mut data = Vec::new();
    (&mut file).take(cap).read_to_end(&mut data).ok()?;
    if skimmed {
        return Some(Member {
            truncated: (data.len() as u64) < e.size,
            size: e.size.max(data.len() as u64),
            path: e.path.clone(),
            data,
            sha256: None,
        });
    }
    let mut hasher = sha2::Sha256::new();
    hasher.update(&data);
    let mut size = data.len() as u64;
    // Most files end within what was kept: a buffer only for the rest.
    let mut buf = if size < cap {
        Vec::new()
    } else {
        vec![0u8; 256 << 10]
    };
    while size >= cap {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Some(Member {
        truncated: (data.len() as u64) < size,
        size,
        path: e.path.clone(),
        data,
        sha256: Some(hasher.finalize().into()),
    })
}

/// A group's files as the contents of one package.
fn read_group(
    root: &Path,
    layout: &Layout,
    files: &[usize],
    skim: Option<fn(&str) -> bool>,
) -> Contents {
    let mut members = Vec::with_capacity(files.len());
    let mut anomalies = Vec::new();
    for &i in files {
        let e = &layout.entries[i];
        match read_member(root, e, skim) {
            Some(m) => {
                if m.truncated && skim.is_none_or(|s| !s(&e.path)) {
                    anomalies.push(Anomaly::Oversized {
                        path: e.path.clone(),
                        size: e.size,
                    });
                }
                members.push(m);
            }
            None => anomalies.push(Anomaly::Unreadable {
                path: e.path.clone(),
                reason: "cannot be read".into(),
            }),
        }
    }
    Contents {
        path: root.to_owned(),
        format: Format::Folder,
        members,
        anomalies,
    }
}

/// What a group's cache key covers: the rules, the options, the owner, its
/// list's digest, and each file's path, size, inode and change time.
fn group_key(layout: &Layout, g: &Group, files: &[usize], options: Options) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    h.update(
        format!(
            "rules {}\ndeep {}\nowner {:?}\nlist {}\n",
            crate::cache::RULES,
            options.deep,
            g.owner,
            g.list_digest
                .map_or_else(String::new, |d| d.to_hex().to_string())
        )
        .as_bytes(),
    );
    for &i in files {
        let e = &layout.entries[i];
        h.update(e.path.as_bytes());
        h.update(&[0]);
        h.update(&e.size.to_le_bytes());
        h.update(&e.stamp.0.to_le_bytes());
        h.update(&e.stamp.1.to_le_bytes());
        h.update(&e.stamp.2.to_le_bytes());
    }
    h.finalize()
}

/// Start-up hooks no list names: an implant when every list was read,
/// not judged otherwise. A `.pth` that only adds folders runs no code.
fn orphans(
    layout: &Layout,
    hooks: &[(usize, Member)],
    findings: &mut Vec<Finding>,
    unread: &mut Vec<Unread>,
) {
    let unowned: HashSet<usize> = layout
        .groups
        .iter()
        .filter(|g| matches!(g.owner, Owner::Nobody(_)))
        .flat_map(|g| g.files.iter().copied())
        .collect();
    let any_list = layout
        .groups
        .iter()
        .any(|g| matches!(g.owner, Owner::Distribution(_)));
    for (i, m) in hooks.iter().filter(|(i, _)| unowned.contains(i)) {
        let path = &layout.entries[*i].path;
        let runs_code = !m.path.ends_with(".pth")
            || !crate::roles::pth_code(&String::from_utf8_lossy(&m.data)).is_empty();
        if !any_list {
            if runs_code {
                unread.push(Unread {
                    path: path.clone(),
                    reason: "a start-up hook no list names, not judged: no distribution here keeps a list of its files".into(),
                });
            }
            continue;
        }
        if !runs_code {
            findings.push(Finding {
                code: UNOWNED_PATHS,
                level: Level::Low,
                phase: Phase::Startup,
                path: path.clone(),
                line: None,
                layer: None,
                snippet: String::new(),
                message: "a .pth file no distribution lists; it only adds folders to sys.path"
                    .into(),
                function: None,
            });
        } else if layout.unknown_owners.is_empty() {
            findings.push(Finding {
                code: ORPHAN,
                level: Level::Critical,
                phase: Phase::Startup,
                path: path.clone(),
                line: Some(1),
                layer: None,
                snippet: first_code_line(&m.data).to_owned(),
                message:
                    "a start-up hook that no installed distribution's RECORD lists: an implant"
                        .into(),
                function: None,
            });
        } else {
            let owners: Vec<&str> = layout
                .unknown_owners
                .iter()
                .map(|u| u.path.as_str())
                .collect();
            unread.push(Unread {
                path: path.clone(),
                reason: format!(
                    "a start-up hook no list names, not judged: {} distribution(s) have no readable list of files ({})",
                    owners.len(),
                    owners.join(", ")
                ),
            });
        }
    }
    unread.extend(layout.unknown_owners.iter().cloned());
}

#[cfg(test)]
mod tests;
