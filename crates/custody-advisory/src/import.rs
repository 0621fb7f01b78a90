//! Reading advisory sources: OSV JSON files, folders of them, OSV `all.zip`
//! exports, and the PyPA advisory repository (YAML). A malformed record is
//! reported with its file and reason and skipped; the caller decides whether
//! that is fatal (`--strict`).

use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::Advisory;
use crate::parse::{self, ParseError};

/// Largest single record accepted (the biggest real OSV records are ~1 MB).
const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// One source given to `db import`, with what it held.
#[derive(Debug)]
pub struct SourceBatch {
    /// The source's name: its canonical path.
    pub name: String,
    /// `osv-json`, `osv-dir`, `osv-zip` or `pypa-yaml`.
    pub kind: &'static str,
    /// Records read.
    pub records: Vec<Advisory>,
}

/// A record that was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file (for zip members, `archive.zip!member.json`).
    pub file: String,
    /// What is wrong, with line and column where known.
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.reason)
    }
}

/// A source that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Missing, unreadable, or a symlink loop.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The operating system's explanation.
        reason: String,
    },
    /// A zip archive that cannot be opened.
    #[error("{path}: not a readable zip archive: {reason}")]
    Zip {
        /// The archive.
        path: PathBuf,
        /// The zip reader's explanation.
        reason: String,
    },
    /// A file that is not JSON, YAML or zip.
    #[error("{path}: not an advisory source (expected .json, .yaml, .zip or a folder of them)")]
    Unrecognised {
        /// The path.
        path: PathBuf,
    },
}

fn io_err(path: &Path, e: &std::io::Error) -> ImportError {
    let reason = std::error::Error::source(e).map_or_else(|| e.to_string(), ToString::to_string);
    ImportError::Io {
        path: path.to_owned(),
        reason,
    }
}

#[derive(Clone, Copy)]
enum Format {
    Json,
    Yaml,
}

fn format_of(name: &str) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        Some(Format::Json)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(Format::Yaml)
    } else {
        None
    }
}

fn parse_bytes(format: Format, bytes: &[u8]) -> Result<Advisory, ParseError> {
    match format {
        Format::Json => parse::json(bytes),
        Format::Yaml => {
            let text = std::str::from_utf8(bytes)
                .map_err(|e| ParseError::Invalid(format!("not valid UTF-8: {e}")))?;
            parse::yaml(text)
        }
    }
}

/// Reads one source. Skipped records are appended to `problems`.
pub fn read_source(path: &Path, problems: &mut Vec<Problem>) -> Result<SourceBatch, ImportError> {
    read_source_with_progress(path, problems, &|| {})
}

/// [`read_source`], calling `on_record` once per record file read (from
/// several threads), for progress display.
pub fn read_source_with_progress(
    path: &Path,
    problems: &mut Vec<Problem>,
    on_record: &(dyn Fn() + Sync),
) -> Result<SourceBatch, ImportError> {
    let meta = fs_err::metadata(path).map_err(|e| io_err(path, &e))?;
    let name = fs_err::canonicalize(path)
        .map_err(|e| io_err(path, &e))?
        .display()
        .to_string();
    let fname = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if meta.is_dir() {
        let mut records = Vec::new();
        let mut files = Vec::new();
        let mut saw_yaml = false;
        let mut walker = walkdir::WalkDir::new(path).sort_by_file_name().into_iter();
        while let Some(entry) = walker.next() {
            let entry = entry.map_err(|e| ImportError::Io {
                path: e.path().unwrap_or(path).to_owned(),
                reason: e
                    .io_error()
                    .map_or_else(|| e.to_string(), ToString::to_string),
            })?;
            let p = entry.path();
            let hidden = entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.');
            if entry.file_type().is_dir() {
                if hidden {
                    walker.skip_current_dir();
                }
                continue;
            }
            if hidden || !entry.file_type().is_file() {
                continue;
            }
            let Some(format) = format_of(&entry.file_name().to_string_lossy()) else {
                continue;
            };
            saw_yaml |= matches!(format, Format::Yaml);
            files.push((p.to_owned(), format));
        }
        // Parse on all cores; results come back in walk order.
        let parsed: Vec<_> = files
            .par_iter()
            .map(|(p, f)| {
                let r = read_file(p, *f);
                on_record();
                r
            })
            .collect();
        for r in parsed {
            match r? {
                Ok(a) => records.push(a),
                Err(problem) => problems.push(problem),
            }
        }
        return Ok(SourceBatch {
            name,
            kind: if saw_yaml { "pypa-yaml" } else { "osv-dir" },
            records,
        });
    }
    if fname.to_ascii_lowercase().ends_with(".zip") {
        let records = read_zip(path, problems, on_record)?;
        return Ok(SourceBatch {
            name,
            kind: "osv-zip",
            records,
        });
    }
    let format = format_of(&fname).ok_or_else(|| ImportError::Unrecognised {
        path: path.to_owned(),
    })?;
    let mut records = Vec::new();
    match read_file(path, format)? {
        Ok(a) => records.push(a),
        Err(problem) => problems.push(problem),
    }
    Ok(SourceBatch {
        name,
        kind: match format {
            Format::Json => "osv-json",
            Format::Yaml => "pypa-yaml",
        },
        records,
    })
}

/// Reads and parses one record file: `Err` when the file cannot be read,
/// `Ok(Err(problem))` when it is not a valid record.
fn read_file(path: &Path, format: Format) -> Result<Result<Advisory, Problem>, ImportError> {
    let problem = |reason: String| Problem {
        file: path.display().to_string(),
        reason,
    };
    let bytes = match custody_ecosystems::limits::read_bounded(path, MAX_RECORD_BYTES) {
        Ok(bytes) => bytes,
        Err(custody_ecosystems::limits::Unread::Io(e)) => return Err(io_err(path, &e)),
        Err(why) => return Ok(Err(problem(format!("record {why}")))),
    };
    Ok(parse_bytes(format, &bytes).map_err(|e| problem(e.to_string())))
}

fn read_zip(
    path: &Path,
    problems: &mut Vec<Problem>,
    on_record: &(dyn Fn() + Sync),
) -> Result<Vec<Advisory>, ImportError> {
    let file = fs_err::File::open(path).map_err(|e| io_err(path, &e))?;
    let zip_err = |e: zip::result::ZipError| ImportError::Zip {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(zip_err)?;
    let mut members = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).map_err(zip_err)?;
        if !member.is_file() {
            continue;
        }
        let Ok(member_name) = member.name().map(std::borrow::Cow::into_owned) else {
            problems.push(Problem {
                file: format!("{}!#{i}", path.display()),
                reason: "member name is not valid UTF-8".into(),
            });
            continue;
        };
        let Some(format) = format_of(&member_name) else {
            continue;
        };
        let label = format!("{}!{member_name}", path.display());
        if member.size() > MAX_RECORD_BYTES {
            problems.push(Problem {
                file: label,
                reason: format!(
                    "record is {} bytes, larger than the {MAX_RECORD_BYTES}-byte limit",
                    member.size()
                ),
            });
            continue;
        }
        let mut bytes = Vec::new();
        // Bound the read too: the size in the header may lie.
        if let Err(e) = (&mut member)
            .take(MAX_RECORD_BYTES + 1)
            .read_to_end(&mut bytes)
        {
            problems.push(Problem {
                file: label,
                reason: format!("cannot decompress: {e}"),
            });
            continue;
        }
        if bytes.len() as u64 > MAX_RECORD_BYTES {
            problems.push(Problem {
                file: label,
                reason: format!("record decompresses to more than {MAX_RECORD_BYTES} bytes"),
            });
            continue;
        }
        members.push((label, format, bytes));
    }
    let parsed: Vec<_> = members
        .par_iter()
        .map(|(label, format, bytes)| {
            on_record();
            parse_bytes(*format, bytes).map_err(|e| Problem {
                file: label.clone(),
                reason: e.to_string(),
            })
        })
        .collect();
    let mut out = Vec::with_capacity(parsed.len());
    for r in parsed {
        match r {
            Ok(a) => out.push(a),
            Err(p) => problems.push(p),
        }
    }
    Ok(out)
}
