//! Key files and atomic writes of what custody makes (keys, manifests,
//! attestations).

use std::path::{Path, PathBuf};

use crate::seal::{KeyError, PublicKey, SigningKey};

/// A key file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file cannot be read.
    #[error(transparent)]
    Read(std::io::Error),
    /// The file holds no private key custody can use (or the passphrase is wrong).
    #[error("{}: cannot use this private key", path.display())]
    Private {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: KeyError,
    },
    /// The file holds no public key custody can use.
    #[error("{}: cannot use this public key", path.display())]
    Public {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: KeyError,
    },
    /// A folder given as keys holds no `*.pub` file.
    #[error("{}: no *.pub key in this folder", .0.display())]
    EmptyFolder(PathBuf),
}

/// The key files `given` names: files as they are, and the `*.pub` files
/// of folders (sorted).
///
/// # Errors
/// A folder that cannot be listed or holds no `*.pub` file.
pub fn public_key_files(given: &[PathBuf]) -> Result<Vec<PathBuf>, KeyFileError> {
    let mut files = Vec::new();
    for p in given {
        if !p.is_dir() {
            files.push(p.clone());
            continue;
        }
        let mut pubs: Vec<PathBuf> = fs_err::read_dir(p)
            .map_err(KeyFileError::Read)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|f| f.extension().is_some_and(|x| x == "pub"))
            .collect();
        if pubs.is_empty() {
            return Err(KeyFileError::EmptyFolder(p.clone()));
        }
        pubs.sort();
        files.extend(pubs);
    }
    Ok(files)
}

/// A file that cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// No temporary file can be made next to it (the folder is missing or read-only).
    #[error("cannot create a temporary file in {}", dir.display())]
    Folder {
        /// The folder.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file system holding it has no room left (or the user's quota is
    /// spent): nothing was written, a file already there is unchanged.
    #[error("cannot write {}: no space left on its file system", path.display())]
    Full {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Writing or renaming failed.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Reads a private key file, decrypting it with `passphrase` when given.
///
/// # Errors
/// When the file cannot be read or holds no usable key.
pub fn read_private(path: &Path, passphrase: Option<&str>) -> Result<SigningKey, KeyFileError> {
    private_from_pem(path, &read_pem(path)?, passphrase)
}

/// The text of a key file (read first, so that a wrong path is reported
/// before anything about its passphrase).
///
/// # Errors
/// When the file cannot be read.
pub fn read_pem(path: &Path) -> Result<String, KeyFileError> {
    use crate::inventory::limits::{Unread, read_bounded};
    let bytes = read_bounded(path, MAX_KEY_BYTES).map_err(|why| match why {
        Unread::Io(e) => KeyFileError::Read(e),
        why => KeyFileError::Read(std::io::Error::other(format!("{}: {why}", path.display()))),
    })?;
    String::from_utf8(bytes).map_err(|_| {
        KeyFileError::Read(std::io::Error::other(format!(
            "{}: not PEM text (not UTF-8)",
            path.display()
        )))
    })
}

/// The largest key file read (a PEM key is a few hundred bytes; a
/// certificate chain a few KiB).
pub const MAX_KEY_BYTES: u64 = 64 * 1024;

/// The private key in `pem`, read from `path`.
///
/// # Errors
/// When it holds no usable key, or `passphrase` does not decrypt it.
pub fn private_from_pem(
    path: &Path,
    pem: &str,
    passphrase: Option<&str>,
) -> Result<SigningKey, KeyFileError> {
    SigningKey::from_pem(pem, passphrase).map_err(|source| KeyFileError::Private {
        path: path.to_owned(),
        source,
    })
}

/// Reads trusted public key files.
///
/// # Errors
/// When a file cannot be read or holds no usable key.
pub fn read_public(paths: &[PathBuf]) -> Result<Vec<PublicKey>, KeyFileError> {
    paths
        .iter()
        .map(|p| {
            let pem = read_pem(p)?;
            PublicKey::from_pem(&pem).map_err(|source| KeyFileError::Public {
                path: p.clone(),
                source,
            })
        })
        .collect()
}

/// Writes `data` to `path` through a temporary file in the same folder,
/// flushed to disk, then a rename, then the folder flushed: readers (and a
/// reader after a crash or a kill) see the old file or the whole new one,
/// never half. `private` files are made readable by their owner only.
///
/// A process killed before the rename leaves its temporary file
/// (`.custody-XXXXXX`, hidden) beside `path`; `path` itself is untouched.
///
/// # Errors
/// See [`WriteError`].
pub fn write_atomic(path: &Path, data: &[u8], private: bool) -> Result<(), WriteError> {
    write_atomic_with(path, private, &mut |w| w.write_all(data))
}

/// [`write_atomic`] with the content written by `write`.
///
/// # Errors
/// See [`WriteError`].
pub fn write_atomic_with(
    path: &Path,
    private: bool,
    write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".custody-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(if private {
            0o600
        } else {
            0o644
        }))
        .tempfile_in(dir)
        .map_err(|source| {
            if is_full(&source) {
                WriteError::Full {
                    path: path.to_owned(),
                    source,
                }
            } else {
                WriteError::Folder {
                    dir: dir.to_owned(),
                    source,
                }
            }
        })?;
    let failed = |source: std::io::Error| {
        let path = path.to_owned();
        if is_full(&source) {
            WriteError::Full { path, source }
        } else {
            WriteError::Write { path, source }
        }
    };
    write(tmp.as_file_mut())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(failed)?;
    tmp.persist(path).map_err(|e| failed(e.error))?;
    // The rename is in the folder's data: flushed, it survives a power cut.
    // A file system that cannot flush a folder (`EINVAL`) has nothing to flush.
    match fs_err::File::open(dir).and_then(|d| d.sync_all()) {
        Err(e) if e.kind() != std::io::ErrorKind::InvalidInput => Err(failed(e)),
        _ => Ok(()),
    }
}

/// `ENOSPC` or `EDQUOT`, also when wrapped (a `BufWriter`, `fs_err`).
fn is_full(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{QuotaExceeded, StorageFull};
    matches!(e.kind(), StorageFull | QuotaExceeded)
}
