//! Reading a package's files as data, safely.
//!
//! Archives are read in memory and never extracted; links are recorded, not
//! followed; paths that would escape an extraction folder are recorded as
//! anomalies; sizes, member counts and compression ratios are bounded. A
//! corrupt or truncated archive yields what could be read plus an anomaly;
//! only an archive that cannot be opened at all is an error.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Bounds on what is read from one package.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Members read before stopping.
    pub max_members: usize,
    /// Bytes kept of one member; the rest is not read.
    pub max_member_bytes: u64,
    /// Bytes kept over all members.
    pub max_total_bytes: u64,
    /// Uncompressed / compressed ratio above which a member (of at least
    /// 1 MiB) counts as a compression bomb and is not read.
    pub max_ratio: u64,
    /// Members of a zip (a wheel) for which this says `true` keep only
    /// their first [`HEAD_BYTES`] and are not inflated further: files no
    /// analysis reads (native libraries, data). Their RECORD digests go
    /// unchecked. `None` reads every member whole.
    pub skim: Option<fn(&str) -> bool>,
}

/// Bytes kept of a skimmed member: enough to tell a binary by its magic.
pub const HEAD_BYTES: u64 = 4096;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_members: 20_000,
            max_member_bytes: 16 << 20,
            max_total_bytes: 256 << 20,
            max_ratio: 200,
            skim: None,
        }
    }
}

/// The container format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// A `.whl` (zip with `*.dist-info`).
    Wheel,
    /// A `.zip` sdist.
    Zip,
    /// A `.tar.gz` / `.tgz` sdist.
    TarGz,
    /// A `.tar.bz2` sdist.
    TarBz2,
    /// A `.tar.xz` sdist.
    TarXz,
    /// An unpacked folder.
    Folder,
}

impl Format {
    /// The format a file name announces.
    pub fn from_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".whl") {
            Some(Self::Wheel)
        } else if name.ends_with(".zip") || name.ends_with(".egg") {
            Some(Self::Zip)
        } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            Some(Self::TarGz)
        } else if name.ends_with(".tar.bz2") || name.ends_with(".tbz2") {
            Some(Self::TarBz2)
        } else if name.ends_with(".tar.xz") || name.ends_with(".txz") {
            Some(Self::TarXz)
        } else {
            None
        }
    }
}

/// One file of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Path inside the package, as stored (`/`-separated).
    pub path: String,
    /// Its full size in bytes, as stored or read.
    pub size: u64,
    /// Its bytes, up to [`Limits::max_member_bytes`].
    pub data: Vec<u8>,
    /// Whether `data` is shorter than the file (over a limit, or skimmed).
    pub truncated: bool,
    /// SHA-256 of the whole file when it was hashed while read (installed
    /// environments: files kept in part are still checked against RECORD).
    pub sha256: Option<[u8; 32]>,
}

/// Something about the container itself that a benign package does not do,
/// or that stopped it being read completely.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Anomaly {
    /// An absolute path or one with `..`: extraction would write outside its folder.
    UnsafePath {
        /// The path as stored.
        path: String,
    },
    /// A symbolic or hard link (recorded, never followed).
    Link {
        /// The link's path.
        path: String,
        /// Where it points.
        target: String,
    },
    /// A member larger than the per-member limit; only its start was read.
    Oversized {
        /// The member.
        path: String,
        /// Its size.
        size: u64,
    },
    /// A member whose compression ratio marks a decompression bomb; not read.
    CompressionBomb {
        /// The member.
        path: String,
        /// Its size uncompressed.
        size: u64,
        /// Uncompressed / compressed.
        ratio: u64,
    },
    /// More members than the limit; the rest were not read.
    TooManyMembers {
        /// The limit.
        limit: usize,
    },
    /// The total size limit was reached; the rest were not read.
    TotalSizeLimit {
        /// The limit in bytes.
        limit: u64,
    },
    /// One member could not be decompressed.
    Unreadable {
        /// The member.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file name announces one format and the content is another.
    Misnamed {
        /// What the name says.
        announced: Format,
        /// What the bytes are.
        actual: Format,
    },
    /// The archive ends early or is corrupt after some members.
    Truncated {
        /// Why reading stopped.
        reason: String,
    },
}

/// Everything read from one package.
#[derive(Debug, Clone)]
pub struct Contents {
    /// Where it was read.
    pub path: PathBuf,
    /// The container format.
    pub format: Format,
    /// Its files, in stored order.
    pub members: Vec<Member>,
    /// What was odd about the container.
    pub anomalies: Vec<Anomaly>,
}

/// A package that could not be opened at all.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Missing or unreadable file.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The operating system's explanation.
        reason: String,
    },
    /// Not a readable archive of its kind.
    #[error("{path}: corrupt {format:?} archive: {reason}")]
    Corrupt {
        /// The path.
        path: PathBuf,
        /// The announced format.
        format: Format,
        /// The reader's explanation.
        reason: String,
    },
    /// A file whose name announces no known format.
    #[error("{path}: not a package archive (.whl, .tar.gz, .zip, .tar.bz2, .tar.xz) or folder")]
    UnknownFormat {
        /// The path.
        path: PathBuf,
    },
}

fn io_err(path: &Path, e: &std::io::Error) -> ArchiveError {
    ArchiveError::Io {
        path: path.to_owned(),
        reason: std::error::Error::source(e).map_or_else(|| e.to_string(), ToString::to_string),
    }
}

/// Whether extracting `path` would write outside the extraction folder.
pub fn is_unsafe_path(path: &str) -> bool {
    let p = path.replace('\\', "/");
    p.starts_with('/')
        || p.as_bytes().get(1) == Some(&b':')
        || p.contains('\0')
        || p.split('/').any(|c| c == "..")
}

/// Accumulates members while enforcing the limits.
struct Collector<'a> {
    limits: &'a Limits,
    members: Vec<Member>,
    anomalies: Vec<Anomaly>,
    total: u64,
    stopped: bool,
}

impl<'a> Collector<'a> {
    fn new(limits: &'a Limits) -> Self {
        Self {
            limits,
            members: Vec::new(),
            anomalies: Vec::new(),
            total: 0,
            stopped: false,
        }
    }

    /// Whether another member may be read; records why not.
    fn admit(&mut self) -> bool {
        if self.stopped {
            return false;
        }
        if self.members.len() >= self.limits.max_members {
            self.anomalies.push(Anomaly::TooManyMembers {
                limit: self.limits.max_members,
            });
            self.stopped = true;
        } else if self.total >= self.limits.max_total_bytes {
            self.anomalies.push(Anomaly::TotalSizeLimit {
                limit: self.limits.max_total_bytes,
            });
            self.stopped = true;
        }
        !self.stopped
    }

    /// Reads a member's bytes from `reader`, bounded.
    fn add(&mut self, path: String, size: u64, reader: &mut dyn Read) {
        if is_unsafe_path(&path) {
            self.anomalies
                .push(Anomaly::UnsafePath { path: path.clone() });
        }
        let cap = self
            .limits
            .max_member_bytes
            .min(self.limits.max_total_bytes.saturating_sub(self.total));
        let mut data = Vec::new();
        // One byte past the cap tells whether there was more (headers can lie).
        match reader.take(cap + 1).read_to_end(&mut data) {
            Ok(_) => {}
            Err(e) => {
                self.anomalies.push(Anomaly::Unreadable {
                    path,
                    reason: e.to_string(),
                });
                return;
            }
        }
        let truncated = data.len() as u64 > cap;
        if truncated {
            data.truncate(usize::try_from(cap).unwrap_or(usize::MAX));
            self.anomalies.push(Anomaly::Oversized {
                path: path.clone(),
                size: size.max(cap + 1),
            });
        }
        self.total += data.len() as u64;
        self.members.push(Member {
            path,
            size: size.max(data.len() as u64),
            data,
            truncated,
            sha256: None,
        });
    }

    /// Keeps the first bytes of a member read in part on purpose (no anomaly).
    fn add_head(&mut self, path: String, size: u64, data: Vec<u8>) {
        if is_unsafe_path(&path) {
            self.anomalies
                .push(Anomaly::UnsafePath { path: path.clone() });
        }
        self.total += data.len() as u64;
        self.members.push(Member {
            path,
            size,
            truncated: (data.len() as u64) < size,
            data,
            sha256: None,
        });
    }

    fn finish(self, path: &Path, format: Format) -> Contents {
        Contents {
            path: path.to_owned(),
            format,
            members: self.members,
            anomalies: self.anomalies,
        }
    }
}

/// Reads a package: an archive by its file name, or a folder.
pub fn read(path: &Path, limits: &Limits) -> Result<Contents, ArchiveError> {
    let meta = fs_err::metadata(path).map_err(|e| io_err(path, &e))?;
    if meta.is_dir() {
        return read_folder(path, limits);
    }
    let announced = Format::from_path(path).ok_or_else(|| ArchiveError::UnknownFormat {
        path: path.to_owned(),
    })?;
    let mut file = fs_err::File::open(path).map_err(|e| io_err(path, &e))?;
    // The content decides, not the name: real uploads include zips named .tar.gz.
    let mut magic = [0u8; 4];
    let n = file.read(&mut magic).map_err(|e| io_err(path, &e))?;
    std::io::Seek::rewind(&mut file).map_err(|e| io_err(path, &e))?;
    let format = match &magic[..n] {
        [b'P', b'K', 3, 4] | [b'P', b'K', 5, 6] => match announced {
            Format::Wheel => Format::Wheel,
            _ => Format::Zip,
        },
        [0x1f, 0x8b, ..] => Format::TarGz,
        [b'B', b'Z', b'h', ..] => Format::TarBz2,
        [0xfd, b'7', b'z', b'X'] => Format::TarXz,
        _ => announced,
    };
    let file = std::io::BufReader::new(file);
    let mut contents = match format {
        Format::Wheel | Format::Zip => read_zip(path, format, file, limits),
        Format::TarGz => read_tar(path, format, flate2::read::GzDecoder::new(file), limits),
        Format::TarBz2 => read_tar(path, format, bzip2::read::BzDecoder::new(file), limits),
        // 64 MiB dictionary memory at most: a hostile header cannot make us allocate more.
        Format::TarXz => read_tar(
            path,
            format,
            lzma_rust2::XzReader::new_mem_limit(file, true, 64 * 1024),
            limits,
        ),
        Format::Folder => unreachable!("folders are handled above"),
    }?;
    if format != announced && !(announced == Format::Zip && format == Format::Wheel) {
        contents.anomalies.push(Anomaly::Misnamed {
            announced,
            actual: format,
        });
    }
    Ok(contents)
}

fn read_zip(
    path: &Path,
    format: Format,
    file: std::io::BufReader<fs_err::File>,
    limits: &Limits,
) -> Result<Contents, ArchiveError> {
    let corrupt = |e: zip::result::ZipError| ArchiveError::Corrupt {
        path: path.to_owned(),
        format,
        reason: e.to_string(),
    };
    let fits = file
        .get_ref()
        .metadata()
        .is_ok_and(|m| m.len() <= limits.max_total_bytes);
    if fits {
        let bytes = fs_err::read(path).map_err(|e| io_err(path, &e))?;
        let archive =
            zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())).map_err(corrupt)?;
        if let Some(c) = read_zip_parallel(&archive, limits) {
            return Ok(c.finish(path, format));
        }
        return Ok(read_zip_entries(archive, limits).finish(path, format));
    }
    let archive = zip::ZipArchive::new(file).map_err(corrupt)?;
    Ok(read_zip_entries(archive, limits).finish(path, format))
}

/// What one zip entry contributes, decided without looking at the others.
enum ZipItem {
    Skip,
    Anomaly(Anomaly),
    Read {
        name: String,
        size: u64,
        data: Result<Vec<u8>, String>,
    },
    /// The first bytes of a member [`Limits::skim`] names.
    Head {
        name: String,
        size: u64,
        data: Vec<u8>,
    },
}

/// Inflates every entry on all cores when the central directory promises
/// an archive within the limits; `None` (read it in order instead) when it
/// does not, or when an entry inflates to more than its header said.
fn read_zip_parallel<'a>(
    archive: &zip::ZipArchive<std::io::Cursor<&'a [u8]>>,
    limits: &'a Limits,
) -> Option<Collector<'a>> {
    use rayon::prelude::*;
    if archive.len() > limits.max_members {
        return None;
    }
    let mut headers = archive.clone();
    let declared: u64 = (0..archive.len())
        .map(|i| {
            headers.by_index_raw(i).map_or(u64::MAX, |e| {
                let skimmed = limits
                    .skim
                    .is_some_and(|skim| skim(&String::from_utf8_lossy(e.name_raw())));
                if skimmed {
                    e.size().min(HEAD_BYTES)
                } else {
                    e.size()
                }
            })
        })
        .try_fold(0u64, u64::checked_add)?;
    if declared > limits.max_total_bytes {
        return None;
    }
    let items: Vec<ZipItem> = (0..archive.len())
        .into_par_iter()
        .map(|i| zip_item(&mut archive.clone(), i, limits, true))
        .collect::<Option<_>>()?;
    let mut c = Collector::new(limits);
    for item in items {
        match item {
            ZipItem::Skip => {}
            ZipItem::Anomaly(a) => c.anomalies.push(a),
            ZipItem::Read { name, size, data } => {
                c.add(name, size, &mut std::io::Cursor::new(data.ok()?));
            }
            ZipItem::Head { name, size, data } => c.add_head(name, size, data),
        }
    }
    Some(c)
}

/// Reads entries in order, with the running limits of [`Collector`].
fn read_zip_entries<R: Read + std::io::Seek>(
    mut archive: zip::ZipArchive<R>,
    limits: &Limits,
) -> Collector<'_> {
    let mut c = Collector::new(limits);
    for i in 0..archive.len() {
        if !c.admit() {
            break;
        }
        match zip_item(&mut archive, i, limits, false) {
            Some(ZipItem::Anomaly(a)) => c.anomalies.push(a),
            Some(ZipItem::Head { name, size, data }) => c.add_head(name, size, data),
            Some(ZipItem::Read { name, size, .. }) => {
                // Streamed so that the collector bounds what is inflated.
                if let Ok(mut entry) = archive.by_index(i) {
                    c.add(name, size, &mut entry);
                }
            }
            Some(ZipItem::Skip) | None => {}
        }
    }
    c
}

/// One entry: links and bombs as anomalies, directories skipped, a file
/// read whole when `inflate` (else its data is left for the caller).
/// `None` when an inflated entry is longer than its header says.
fn zip_item<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    i: usize,
    limits: &Limits,
    inflate: bool,
) -> Option<ZipItem> {
    let mut entry = match archive.by_index(i) {
        Ok(e) => e,
        Err(e) => {
            return Some(ZipItem::Anomaly(Anomaly::Unreadable {
                path: format!("#{i}"),
                reason: e.to_string(),
            }));
        }
    };
    let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
    if entry.is_dir() {
        return Some(ZipItem::Skip);
    }
    if entry.is_symlink() {
        let mut target = Vec::new();
        let _ = (&mut entry).take(4096).read_to_end(&mut target);
        return Some(ZipItem::Anomaly(Anomaly::Link {
            path: name,
            target: String::from_utf8_lossy(&target).into_owned(),
        }));
    }
    let size = entry.size();
    let compressed = entry.compressed_size().max(1);
    let ratio = size / compressed;
    if size >= 1 << 20 && ratio > limits.max_ratio {
        return Some(ZipItem::Anomaly(Anomaly::CompressionBomb {
            path: name,
            size,
            ratio,
        }));
    }
    if limits.skim.is_some_and(|skim| skim(&name)) {
        let mut data = Vec::new();
        let _ = (&mut entry).take(HEAD_BYTES).read_to_end(&mut data);
        return Some(ZipItem::Head { name, size, data });
    }
    if !inflate {
        return Some(ZipItem::Read {
            name,
            size,
            data: Ok(Vec::new()),
        });
    }
    if size > limits.max_member_bytes {
        return None;
    }
    let mut data = Vec::with_capacity(usize::try_from(size).ok()?);
    let data = match (&mut entry).take(size + 1).read_to_end(&mut data) {
        Ok(_) if data.len() as u64 > size => return None,
        Ok(_) => Ok(data),
        Err(e) => Err(e.to_string()),
    };
    Some(ZipItem::Read { name, size, data })
}

fn read_tar(
    path: &Path,
    format: Format,
    reader: impl Read,
    limits: &Limits,
) -> Result<Contents, ArchiveError> {
    let mut archive = tar::Archive::new(reader);
    let entries = archive.entries().map_err(|e| ArchiveError::Corrupt {
        path: path.to_owned(),
        format,
        reason: e.to_string(),
    })?;
    let mut c = Collector::new(limits);
    let mut seen_any = false;
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                if !seen_any {
                    return Err(ArchiveError::Corrupt {
                        path: path.to_owned(),
                        format,
                        reason: e.to_string(),
                    });
                }
                c.anomalies.push(Anomaly::Truncated {
                    reason: e.to_string(),
                });
                break;
            }
        };
        seen_any = true;
        if !c.admit() {
            break;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            c.anomalies.push(Anomaly::Link { path: name, target });
            continue;
        }
        if !kind.is_file() && !kind.is_contiguous() {
            continue;
        }
        let size = entry.size();
        let before = c.anomalies.len();
        c.add(name, size, &mut entry);
        // A read error inside a member means the stream itself is broken.
        if c.anomalies[before..]
            .iter()
            .any(|a| matches!(a, Anomaly::Unreadable { .. }))
        {
            c.anomalies.push(Anomaly::Truncated {
                reason: "the compressed stream is corrupt or ends early".into(),
            });
            break;
        }
    }
    if !seen_any {
        return Err(ArchiveError::Corrupt {
            path: path.to_owned(),
            format,
            reason: "no entries".into(),
        });
    }
    Ok(c.finish(path, format))
}

fn read_folder(root: &Path, limits: &Limits) -> Result<Contents, ArchiveError> {
    let mut c = Collector::new(limits);
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.map_err(|e| ArchiveError::Io {
            path: e.path().unwrap_or(root).to_owned(),
            reason: e
                .io_error()
                .map_or_else(|| e.to_string(), ToString::to_string),
        })?;
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if entry.path_is_symlink() {
            let target = fs_err::read_link(entry.path())
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            c.anomalies.push(Anomaly::Link { path: rel, target });
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        if !c.admit() {
            break;
        }
        let size = entry.metadata().map_or(0, |m| m.len());
        match fs_err::File::open(entry.path()) {
            Ok(mut f) => c.add(rel, size, &mut f),
            Err(e) => c.anomalies.push(Anomaly::Unreadable {
                path: rel,
                reason: std::error::Error::source(&e)
                    .map_or_else(|| e.to_string(), ToString::to_string),
            }),
        }
    }
    Ok(c.finish(root, Format::Folder))
}
