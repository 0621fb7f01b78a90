//! The digest of a build artifact, as provenance names it: a file's plain
//! SHA-256 (what `sha256sum` prints and an in-toto verifier checks), or a
//! folder's Merkle root as `custody seal` computes it (SHA-256, no record
//! index, links skipped).

use std::io;
use std::path::{Path, PathBuf};

use crate::error::DataError;
use crate::hash::{self, Algorithm};
use crate::keys::hex;
use crate::manifest::Symlinks;
use crate::seal;

/// Why an artifact has no digest.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// Missing or unreadable (the I/O error names the path).
    #[error("{0}")]
    Unreadable(io::Error),
    /// A FIFO, socket or device: never opened (a FIFO would block the
    /// reader).
    #[error("{0}: not a regular file or folder")]
    NotFileOrFolder(PathBuf),
    /// A folder that cannot be sealed.
    #[error(transparent)]
    Folder(#[from] DataError),
}

/// The lowercase hex SHA-256 of the file at `path`, or the Merkle root of
/// the folder at `path` as `custody seal --algorithm sha256 --no-records`
/// computes it (symbolic links inside are skipped). A link at `path` is
/// followed (an input may be one). Anything that is not a regular file or
/// folder is an error, never opened.
pub fn digest(path: &Path) -> Result<String, ArtifactError> {
    let meta = fs_err::metadata(path).map_err(ArtifactError::Unreadable)?;
    if meta.is_dir() {
        let options = seal::Options {
            algorithm: Algorithm::Sha256,
            records: false,
            symlinks: Symlinks::Skip,
            ..seal::Options::default()
        };
        let roots = [path.to_owned()];
        let plan = seal::plan(&roots, &options)?;
        Ok(seal::build(&roots, &plan, &options, &|_| {})?.root)
    } else if meta.is_file() {
        let (digest, _) =
            hash::whole(Algorithm::Sha256, path).map_err(ArtifactError::Unreadable)?;
        Ok(hex(&digest))
    } else {
        Err(ArtifactError::NotFileOrFolder(path.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
    use super::*;

    /// The subject of a file is its plain SHA-256, as `sha256sum` (the
    /// oracle) computes it, also past custody seal's 8 MiB chunk size.
    #[test]
    fn files_carry_their_plain_sha256() {
        let d = tempfile::tempdir().unwrap();
        for (name, size) in [("small", 1000usize), ("large", 9 << 20)] {
            let p = d.path().join(name);
            let data: Vec<u8> = (0..size)
                .map(|i| u8::try_from(i % 251).unwrap_or(0))
                .collect();
            std::fs::write(&p, &data).unwrap();
            let out = std::process::Command::new("sha256sum")
                .arg(&p)
                .output()
                .unwrap();
            let want = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                digest(&p).unwrap(),
                want.split_whitespace().next().unwrap(),
                "{name}"
            );
        }
    }

    #[test]
    fn files_folders_and_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, b"abc").unwrap();
        assert_eq!(
            digest(&f).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let folder = dir.path().join("d");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("x"), b"abc").unwrap();
        std::os::unix::fs::symlink("x", folder.join("link")).unwrap();
        let options = seal::Options {
            algorithm: Algorithm::Sha256,
            records: false,
            symlinks: Symlinks::Skip,
            ..seal::Options::default()
        };
        let roots = [folder.clone()];
        let plan = seal::plan(&roots, &options).unwrap();
        let sealed = seal::build(&roots, &plan, &options, &|_| {}).unwrap();
        assert_eq!(digest(&folder).unwrap(), sealed.root);
        let fifo = dir.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let e = digest(&fifo).unwrap_err();
        assert!(matches!(e, ArtifactError::NotFileOrFolder(_)), "{e}");
        assert!(e.to_string().ends_with(": not a regular file or folder"));
        let e = digest(&dir.path().join("missing")).unwrap_err();
        assert!(matches!(e, ArtifactError::Unreadable(_)), "{e}");
    }
}
