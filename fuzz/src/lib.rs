//! Helpers shared by the fuzz targets: the readers whose public entry is a
//! path get the fuzzer's bytes as a file, in a private folder kept for the
//! whole process (on `/dev/shm` when there is one, so a run stays in memory).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The process's private folder.
fn folder() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::Builder::new()
                .prefix("custody-fuzz")
                .tempdir_in(shm)
        } else {
            tempfile::Builder::new().prefix("custody-fuzz").tempdir()
        };
        dir.expect("a private temporary folder")
    })
    .path()
}

/// Writes `data` to `name` in the private folder and returns its path.
pub fn file(name: &str, data: &[u8]) -> PathBuf {
    let path = folder().join(name);
    fs_err::write(&path, data).expect("the private folder is writable");
    path
}

/// The bytes as text, as the readers that take `&str` get them from a file
/// (invalid UTF-8 is refused before they run).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// An empty folder `name` in the private folder (made once), for readers
/// that compare a document with files on disk.
pub fn empty_dir(name: &str) -> PathBuf {
    let path = folder().join(name);
    fs_err::create_dir_all(&path).expect("the private folder is writable");
    path
}

/// The key the harness signs statements with: made once per process, so
/// nothing secret is kept; what matters is that the reader's checks after
/// the signature are reached by every input.
fn harness_key() -> &'static custody_seal::keys::SigningKey {
    static KEY: OnceLock<custody_seal::keys::SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        custody_seal::keys::SigningKey::generate(custody_seal::keys::Scheme::Ed25519)
            .expect("a random source")
    })
}

/// The public half of the harness key.
pub fn harness_public() -> custody_seal::keys::PublicKey {
    harness_key().public()
}

/// The input split by its first byte: `Whole(rest)` when it is 0 (the
/// rest is a signed file as written), `Statement(rest)` otherwise (the rest
/// is a statement, to be signed by the harness).
pub enum Input<'a> {
    /// A signed file, container and all.
    Whole(&'a [u8]),
    /// A statement to sign.
    Statement(&'a [u8]),
}

/// Splits `data` (see [`Input`]); `None` when it is empty.
pub fn input(data: &[u8]) -> Option<Input<'_>> {
    let (first, rest) = data.split_first()?;
    Some(if *first == 0 {
        Input::Whole(rest)
    } else {
        Input::Statement(rest)
    })
}

/// `statement` as the payload of a DSSE envelope (in-toto payload type)
/// signed by the harness key: the bytes `custody` writes for a document.
pub fn signed_envelope(statement: &[u8]) -> Vec<u8> {
    let envelope =
        custody_seal::dsse::Envelope::sign(custody_seal::dsse::IN_TOTO, statement, harness_key());
    serde_json::to_vec(&envelope).expect("an envelope serialises")
}
