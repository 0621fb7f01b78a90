//! `custody index mirror LOCKFILE... -o DIR`: every pinned release of the
//! lockfiles looked up on the upstream, vetted as the index vets it, and
//! each file that passes written to a folder with its list and a seal
//! ([`super::sealed`]). The folder is built beside `DIR` and renamed into
//! place only when whole and sealed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::gate::Outcome;
use super::sealed::{LIST, LIST_SCHEMA, MirrorFile, MirrorList, SEAL};
use super::upstream::Upstream;
use super::vet::Vetter;
use super::{IndexError, ServeOptions};
use crate::index::{Code, Decision, DistFile};
use crate::inventory::Pin;
use crate::seal::{Algorithm, Container, SealOptions, SigningKey};
use crate::workflow::seal::SealFlowError;
use custody_pypa::{PackageName, Version};

/// Schema of the mirror report.
pub const SCHEMA: &str = "custody.mirror-report/v1";

/// What was mirrored.
#[derive(Debug, Clone, Serialize)]
pub struct MirrorReport {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The folder written.
    pub out: PathBuf,
    /// Its seal.
    pub seal: PathBuf,
    /// The key that sealed it.
    pub key_id: String,
    /// Pinned releases read from the lockfiles.
    pub releases: usize,
    /// Files mirrored.
    pub files: Vec<MirrorFile>,
    /// Files the index inspected (the rest from the verdict cache).
    pub inspected: usize,
    /// Releases hidden and files refused or faulted, with their reasons.
    pub refused: Vec<Decision>,
    /// Pins that could not be mirrored for another reason (not on the
    /// upstream, not from an index, no file with a locked hash).
    pub problems: Vec<String>,
    /// Every decision, allowed ones too, in order (the log's lines and the
    /// evidence `--ledger` records).
    #[serde(skip)]
    pub decisions: Vec<Decision>,
    /// When the mirror started and ended.
    #[serde(skip)]
    pub session: (jiff::Timestamp, jiff::Timestamp),
}

impl MirrorReport {
    fn refuse(&mut self, d: Decision) {
        self.decisions.push(d.clone());
        self.refused.push(d);
    }

    /// Everything pinned was mirrored.
    pub fn complete(&self) -> bool {
        self.refused.is_empty() && self.problems.is_empty()
    }
}

/// Why no mirror was written.
#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    /// The output folder exists and is not empty.
    #[error("{0} exists and is not empty: name a new folder")]
    OutNotEmpty(PathBuf),
    /// A lockfile cannot be read.
    #[error("{path}: {reason}")]
    Lockfile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The index's parts cannot be set up.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The folder cannot be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The folder cannot be sealed.
    #[error(transparent)]
    Seal(#[from] SealFlowError),
}

/// One pinned release and the hashes the lockfiles give for its files.
struct Pinned {
    version: Version,
    text: String,
    sha256: Vec<String>,
}

fn write_err(path: &Path) -> impl Fn(std::io::Error) -> MirrorError + '_ {
    move |source| MirrorError::Write {
        path: path.to_owned(),
        source,
    }
}

/// Mirrors the pins of `lockfiles` from `options.upstream` into `out`,
/// sealed with `signing`.
///
/// # Errors
/// See [`MirrorError`]; refusals are in the report.
pub fn mirror(
    lockfiles: &[PathBuf],
    out: &Path,
    options: &ServeOptions,
    signing: &SigningKey,
    progress: &dyn Fn(&str),
) -> Result<MirrorReport, MirrorError> {
    if fs_err::read_dir(out).is_ok_and(|mut d| d.next().is_some()) || out.is_file() {
        return Err(MirrorError::OutNotEmpty(out.to_owned()));
    }
    let mut problems = Vec::new();
    let pins = pins(lockfiles, &mut problems)?;
    let (vet, log) = super::vetter(options)?;
    let started = vet.now();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    fs_err::create_dir_all(&parent).map_err(write_err(&parent))?;
    let tmp = tempfile::Builder::new()
        .prefix(".custody-mirror-")
        .tempdir_in(&parent)
        .map_err(write_err(&parent))?;
    let mut report = MirrorReport {
        schema: SCHEMA,
        out: out.to_owned(),
        seal: out.join(SEAL),
        key_id: signing.public().key_id(),
        releases: pins.len(),
        files: Vec::new(),
        inspected: 0,
        refused: Vec::new(),
        problems,
        decisions: Vec::new(),
        session: (started, started),
    };
    for ((name, _), pin) in &pins {
        progress(&format!("{name} {}", pin.text));
        release(&vet, name, pin, tmp.path(), &mut report)?;
    }
    for d in &report.decisions {
        let _ = log.write(d);
    }
    report.session.1 = vet.now();
    report.files.sort_by(|a, b| a.filename.cmp(&b.filename));
    finish(tmp, out, options, lockfiles, signing, &report)?;
    Ok(report)
}

/// The pins of the lockfiles, by name and version.
fn pins(
    lockfiles: &[PathBuf],
    problems: &mut Vec<String>,
) -> Result<BTreeMap<(PackageName, String), Pinned>, MirrorError> {
    let mut out: BTreeMap<(PackageName, String), Pinned> = BTreeMap::new();
    for path in lockfiles {
        let (inventory, bad) = crate::inventory::discover_paths(std::slice::from_ref(path), 0)
            .map_err(|(path, e)| MirrorError::Lockfile {
                path,
                reason: e.to_string(),
            })?;
        if let Some(p) = bad.first() {
            return Err(MirrorError::Lockfile {
                path: path.clone(),
                reason: p.to_string(),
            });
        }
        for p in inventory.packages {
            let (Pin::Exact, Some(version), Some(text)) = (&p.pin, &p.version, &p.version_text)
            else {
                problems.push(format!(
                    "{} ({}): not pinned to one release from an index; not mirrored",
                    p.name,
                    path.display()
                ));
                continue;
            };
            let entry = out
                .entry((p.name.clone(), version.to_string()))
                .or_insert_with(|| Pinned {
                    version: version.clone(),
                    text: text.clone(),
                    sha256: Vec::new(),
                });
            entry.sha256.extend(
                p.hashes
                    .iter()
                    .filter_map(|h| h.strip_prefix("sha256:"))
                    .map(str::to_ascii_lowercase),
            );
        }
    }
    Ok(out)
}

fn version_of(filename: &str) -> Option<Version> {
    custody_pypa::filename::archive_name(filename)
        .and_then(|a| a.version)
        .and_then(|v| custody_pypa::parse_version(&v).ok())
}

/// One release: its files on the filtered page (those with a locked hash
/// when the lock gives hashes) through the gate into `dir`.
fn release(
    vet: &Vetter,
    name: &PackageName,
    pin: &Pinned,
    dir: &Path,
    report: &mut MirrorReport,
) -> Result<(), MirrorError> {
    let now = vet.now();
    let fault = |code: Code, reason: String| {
        Decision::new(now, code, reason)
            .project(name.as_str())
            .status(code.rule().status)
    };
    let (page, decisions, _) = match vet.filtered(name) {
        Err(f) => {
            report.refuse(fault(f.code, f.reason));
            return Ok(());
        }
        Ok(None) => {
            report.problems.push(format!(
                "{name} {}: the upstream has no such project",
                pin.text
            ));
            return Ok(());
        }
        Ok(Some(x)) => x,
    };
    let ours = |f: &str| version_of(f).as_ref() == Some(&pin.version);
    let hidden: Vec<&Decision> = decisions
        .iter()
        .filter(|d| d.filename.as_deref().is_some_and(ours))
        .filter(|d| d.action != crate::index::Action::Allowed)
        .collect();
    let files: Vec<&DistFile> = page.files.iter().filter(|f| ours(&f.filename)).collect();
    if files.is_empty() {
        if let Some(d) = hidden.first() {
            report.refuse((*d).clone());
        } else {
            report.problems.push(format!(
                "{name} {}: no file of this release on the upstream",
                pin.text
            ));
        }
        return Ok(());
    }
    let chosen: Vec<&DistFile> = if pin.sha256.is_empty() {
        files
    } else {
        files
            .into_iter()
            .filter(|f| {
                f.sha256()
                    .is_some_and(|h| pin.sha256.iter().any(|p| p == h))
            })
            .collect()
    };
    if chosen.is_empty() {
        report.problems.push(format!(
            "{name} {}: none of the upstream's files has a sha256 the lockfile names",
            pin.text
        ));
    }
    for file in chosen {
        gate(vet, name, pin, file, dir, report)?;
    }
    Ok(())
}

fn gate(
    vet: &Vetter,
    name: &PackageName,
    pin: &Pinned,
    file: &DistFile,
    dir: &Path,
    report: &mut MirrorReport,
) -> Result<(), MirrorError> {
    let decision = |code: Code, reason: String| {
        Decision::new(vet.now(), code, reason)
            .project(name.as_str())
            .file(&file.filename, file.sha256())
            .status(code.rule().status)
    };
    match vet.gate.pass(&vet.client, file) {
        Err(f) => report.refuse(decision(f.code, f.reason)),
        Ok((Outcome::Refuse(code, reason), inspected)) => {
            report.inspected += usize::from(inspected);
            report.refuse(decision(code, reason));
        }
        Ok((Outcome::Serve(bytes, code, reason), inspected)) => {
            report.inspected += usize::from(inspected);
            let path = dir.join(&file.filename);
            fs_err::write(&path, &bytes).map_err(write_err(&path))?;
            let sha256 = super::upstream::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes));
            let mut allowed = decision(code, reason).file(&file.filename, Some(&sha256));
            allowed.inspected = Some(inspected);
            report.decisions.push(allowed);
            report.files.push(MirrorFile {
                filename: file.filename.clone(),
                project: name.to_string(),
                version: pin.text.clone(),
                sha256,
                size: bytes.len() as u64,
                upload_time: file.upload_time.clone(),
            });
        }
    }
    Ok(())
}

/// The list written, the folder sealed, and renamed into place.
fn finish(
    tmp: tempfile::TempDir,
    out: &Path,
    options: &ServeOptions,
    lockfiles: &[PathBuf],
    signing: &SigningKey,
    report: &MirrorReport,
) -> Result<(), MirrorError> {
    let list = MirrorList {
        schema: LIST_SCHEMA.to_owned(),
        upstream: match &options.upstream {
            Upstream::Url(u) => u.clone(),
            Upstream::Dir(d) => d.display().to_string(),
        },
        lockfiles: lockfiles.iter().map(|p| p.display().to_string()).collect(),
        created: options.now.unwrap_or_else(jiff::Timestamp::now).to_string(),
        files: report.files.clone(),
    };
    let list_path = tmp.path().join(LIST);
    let mut text = serde_json::to_vec_pretty(&list)
        .map_err(std::io::Error::other)
        .map_err(write_err(&list_path))?;
    text.push(b'\n');
    fs_err::write(&list_path, text).map_err(write_err(&list_path))?;
    let seal_path = tmp.path().join(SEAL);
    let seal_options = SealOptions {
        algorithm: Algorithm::Sha256,
        records: false,
        name: out.file_name().map(|n| n.to_string_lossy().into_owned()),
        skip: vec![seal_path.clone()],
        ..SealOptions::default()
    };
    crate::workflow::seal::seal(
        &[tmp.path().to_owned()],
        &seal_options,
        signing,
        Container::Dsse,
        &seal_path,
        &crate::workflow::progress::Silent,
    )?;
    if out.is_dir() {
        fs_err::remove_dir(out).map_err(write_err(out))?;
    }
    let kept = tmp.keep();
    fs_err::rename(&kept, out).map_err(write_err(out))?;
    Ok(())
}
