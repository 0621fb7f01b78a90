//! Hash functions and file digests.
//!
//! A file is read in fixed chunks (8 MiB by default) hashed in parallel,
//! so a large file uses every core and a mismatch can be located to its
//! chunk. A file of one chunk has the plain digest of its bytes (what
//! `b3sum` or `sha256sum` print); a longer file's digest is the hash of
//! `"custody-chunked-v1"`, the chunk size and the file size (64-bit little
//! endian) and its chunk digests in order.
//!
//! [`whole`] is the plain digest of a file of any size, read front to
//! back: what formats that sign a file's plain digest need (OpenSSF
//! model-signing, in-toto subjects of `custody run`).

use std::io::{self, Read as _};
use std::os::unix::fs::FileExt as _;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

/// A 32-byte digest.
pub type Digest = [u8; 32];

/// The hash function of a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// BLAKE3 (default).
    Blake3,
    /// SHA-256.
    Sha256,
}

impl Algorithm {
    /// The name in manifests and in-toto digest sets.
    pub fn name(self) -> &'static str {
        match self {
            Self::Blake3 => "blake3",
            Self::Sha256 => "sha256",
        }
    }

    /// Digest of `data`.
    pub fn digest(self, data: &[u8]) -> Digest {
        match self {
            Self::Blake3 => *blake3::hash(data).as_bytes(),
            Self::Sha256 => sha2::Sha256::digest(data).into(),
        }
    }

    /// Digest of the concatenation of `parts`.
    pub fn digest_parts(self, parts: &[&[u8]]) -> Digest {
        match self {
            Self::Blake3 => {
                let mut h = blake3::Hasher::new();
                for p in parts {
                    h.update(p);
                }
                *h.finalize().as_bytes()
            }
            Self::Sha256 => {
                let mut h = sha2::Sha256::new();
                for p in parts {
                    h.update(p);
                }
                h.finalize().into()
            }
        }
    }
}

thread_local! {
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Default chunk size: 8 MiB.
pub const DEFAULT_CHUNK: u64 = 8 << 20;

/// A file's digest and, when it spans several chunks, the chunk digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    /// Bytes hashed.
    pub size: u64,
    /// The file digest.
    pub digest: Digest,
    /// Chunk digests (empty for a file of one chunk).
    pub chunks: Vec<Digest>,
}

/// Hashes the file at `path` of `size` bytes (from its metadata), chunks
/// in parallel. Reading is bounded: one chunk buffer per worker thread.
pub fn file(algorithm: Algorithm, path: &Path, size: u64, chunk: u64) -> io::Result<FileDigest> {
    let f = fs_err::File::open(path)?;
    let n = size.div_ceil(chunk).max(1);
    let read = |i: u64| -> io::Result<Digest> {
        let start = i * chunk;
        with_chunk(f.file(), start, (start + chunk).min(size), |buf| {
            algorithm.digest(buf)
        })
    };
    if n == 1 {
        // One read of up to size + 1 bytes tells "grew" without a second call.
        let digest = BUFFER.with_borrow_mut(|buf| -> io::Result<Digest> {
            let want = usize::try_from(size).unwrap_or(usize::MAX);
            buf.resize(want + 1, 0);
            let mut got = 0;
            while got < buf.len() {
                match f.file().read_at(&mut buf[got..], got as u64) {
                    Ok(0) => break,
                    Ok(k) => got += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            match got.cmp(&want) {
                std::cmp::Ordering::Less => Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "file shrank while it was read",
                )),
                std::cmp::Ordering::Greater => Err(io::Error::other("file grew while it was read")),
                std::cmp::Ordering::Equal => Ok(algorithm.digest(&buf[..want])),
            }
        })?;
        return Ok(FileDigest {
            size,
            digest,
            chunks: Vec::new(),
        });
    }
    let chunks: Vec<Digest> = (0..n)
        .into_par_iter()
        .map(read)
        .collect::<io::Result<_>>()?;
    ensure_no_growth(&f, size)?;
    Ok(FileDigest::from_chunks(algorithm, chunk, size, chunks))
}

/// Block size of [`whole`]: 1 MiB (model-signing reads 1 MiB at a time
/// too).
pub const READ_BLOCK: usize = 1 << 20;

/// The plain digest of the whole file at `path` (what `sha256sum` or
/// `b3sum` print, whatever its size) and the number of bytes read. The
/// file is read front to back in [`READ_BLOCK`] blocks through this
/// thread's buffer; no size is needed up front and nothing is chunked.
pub fn whole(algorithm: Algorithm, path: &Path) -> io::Result<(Digest, u64)> {
    match algorithm {
        Algorithm::Blake3 => {
            let mut h = blake3::Hasher::new();
            let size = read_blocks(path, |b| {
                h.update(b);
            })?;
            Ok((*h.finalize().as_bytes(), size))
        }
        Algorithm::Sha256 => {
            let mut h = sha2::Sha256::new();
            let size = read_blocks(path, |b| h.update(b))?;
            Ok((h.finalize().into(), size))
        }
    }
}

/// Passes the bytes of the file at `path` to `update` in order, in blocks
/// of at most [`READ_BLOCK`]; returns how many there were.
fn read_blocks(path: &Path, mut update: impl FnMut(&[u8])) -> io::Result<u64> {
    let mut file = fs_err::File::open(path)?;
    BUFFER.with_borrow_mut(|buf| {
        buf.resize(READ_BLOCK, 0);
        let mut size = 0u64;
        loop {
            let n = match file.read(buf) {
                Ok(0) => return Ok(size),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            update(&buf[..n]);
            size += n as u64;
        }
    })
}

/// Calls `f` with bytes `start..end` of `file`, read into this thread's
/// reused buffer (no page faults for a fresh buffer per chunk).
pub(crate) fn with_chunk<R>(
    file: &std::fs::File,
    start: u64,
    end: u64,
    f: impl FnOnce(&[u8]) -> R,
) -> io::Result<R> {
    BUFFER.with_borrow_mut(|buf| {
        buf.resize(usize::try_from(end - start).unwrap_or(usize::MAX), 0);
        file.read_exact_at(buf, start).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                io::Error::new(e.kind(), "file shrank while it was read")
            } else {
                e
            }
        })?;
        Ok(f(buf))
    })
}

impl FileDigest {
    /// The digest of a file of `size` bytes from the digests of its chunks:
    /// one chunk is the file's plain digest, several are [`chunked`].
    pub fn from_chunks(algorithm: Algorithm, chunk: u64, size: u64, chunks: Vec<Digest>) -> Self {
        match chunks.as_slice() {
            [one] => Self {
                size,
                digest: *one,
                chunks: Vec::new(),
            },
            _ => Self {
                size,
                digest: chunked(algorithm, chunk, size, &chunks),
                chunks,
            },
        }
    }
}

/// The digest of a file from its chunk digests.
pub fn chunked(algorithm: Algorithm, chunk: u64, size: u64, chunks: &[Digest]) -> Digest {
    let mut parts: Vec<&[u8]> = Vec::with_capacity(chunks.len() + 3);
    let chunk = chunk.to_le_bytes();
    let size = size.to_le_bytes();
    parts.push(b"custody-chunked-v1");
    parts.push(&chunk);
    parts.push(&size);
    parts.extend(chunks.iter().map(<[u8; 32]>::as_slice));
    algorithm.digest_parts(&parts)
}

/// Errors if the file is now longer than it was when listed: a digest of
/// a prefix would be wrong.
fn ensure_no_growth(f: &fs_err::File, size: u64) -> io::Result<()> {
    let mut probe = [0u8; 1];
    match f.file().read_at(&mut probe, size)? {
        0 => Ok(()),
        _ => Err(io::Error::other("file grew while it was read")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
    use super::*;

    #[test]
    fn one_chunk_is_the_plain_digest_and_chunks_locate() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&p, &data).unwrap();
        let one = file(Algorithm::Blake3, &p, 10_000, DEFAULT_CHUNK).unwrap();
        assert_eq!(one.digest, *blake3::hash(&data).as_bytes());
        assert!(one.chunks.is_empty());
        let sha = file(Algorithm::Sha256, &p, 10_000, DEFAULT_CHUNK).unwrap();
        assert_eq!(sha.digest, Algorithm::Sha256.digest(&data));
        let many = file(Algorithm::Blake3, &p, 10_000, 4096).unwrap();
        assert_eq!(many.chunks.len(), 3);
        assert_eq!(many.chunks[2], *blake3::hash(&data[8192..]).as_bytes());
        assert_ne!(many.digest, one.digest);
    }

    #[test]
    fn whole_is_the_plain_digest_at_any_size() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let data: Vec<u8> = (0..READ_BLOCK * 2 + 5)
            .map(|i| u8::try_from(i % 251).unwrap())
            .collect();
        std::fs::write(&p, &data).unwrap();
        let (sha, size) = whole(Algorithm::Sha256, &p).unwrap();
        assert_eq!(
            (sha, size),
            (Algorithm::Sha256.digest(&data), data.len() as u64)
        );
        let (b3, _) = whole(Algorithm::Blake3, &p).unwrap();
        assert_eq!(b3, *blake3::hash(&data).as_bytes());
        std::fs::write(&p, b"").unwrap();
        assert_eq!(
            whole(Algorithm::Sha256, &p).unwrap(),
            (Algorithm::Sha256.digest(b""), 0)
        );
        assert!(whole(Algorithm::Sha256, &dir.path().join("missing")).is_err());
    }

    #[test]
    fn a_file_that_changes_size_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"abcdef").unwrap();
        assert!(file(Algorithm::Blake3, &p, 4, 1024).is_err(), "grew");
        assert!(file(Algorithm::Blake3, &p, 9, 1024).is_err(), "shrank");
    }
}
