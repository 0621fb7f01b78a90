//! Typed errors. Each names the file and the place where it can.

use std::path::PathBuf;

/// A key file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No `-----BEGIN ...-----` line.
    #[error("not a PEM file (no -----BEGIN ...----- line)")]
    NotPem,
    /// A PEM block of a kind custody does not read.
    #[error(
        "PEM block `{0}` is not a key custody reads (PRIVATE KEY, ENCRYPTED PRIVATE KEY, EC PRIVATE KEY, PUBLIC KEY)"
    )]
    Label(String),
    /// A public key where a private key is needed.
    #[error("this is a public key; signing needs the private key")]
    PublicNotPrivate,
    /// A private key where a public key is expected.
    #[error("this is a private key; give the public key (custody key generate writes both)")]
    PrivateNotPublic,
    /// Encrypted, and no passphrase given.
    #[error(
        "the key is encrypted; give its passphrase (--passphrase-env or CUSTODY_KEY_PASSPHRASE)"
    )]
    NeedsPassphrase,
    /// Wrong passphrase, or a scheme custody does not support.
    #[error("cannot decrypt the key: wrong passphrase, or not an Ed25519 or P-256 key")]
    WrongPassphraseOrKind,
    /// A well-formed key of an unsupported kind, or a damaged one.
    #[error("unsupported or damaged key (custody signs with Ed25519 and ECDSA P-256): {0}")]
    Unsupported(String),
    /// Could not encode.
    #[error("cannot encode the key: {0}")]
    Encode(String),
    /// The random source failed.
    #[error("the operating system's random source failed: {0}")]
    Random(String),
}

/// Why a signed file cannot be opened, split by what the user must do:
/// give a file that can be read, or not trust this one.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Missing, a folder, or not readable: nothing was checked.
    #[error("{path}: cannot read the file: {reason}")]
    Unreadable {
        /// The file as given.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// Read, and not to be trusted.
    #[error(transparent)]
    Untrusted(#[from] TrustError),
}

/// Why a manifest, envelope or signature is not to be trusted.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// Not JSON, or not the expected shape.
    #[error("{path}: not a custody manifest or signature bundle: {detail}")]
    Malformed {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong, with line and column where known.
        detail: String,
    },
    /// Larger than the limit.
    #[error(
        "{path}: {size} bytes is more than the {limit}-byte limit for a manifest (raise it with --max-manifest-size)"
    )]
    TooLarge {
        /// The manifest file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The envelope's payload type is not in-toto.
    #[error("{path}: payload type `{found}` is not application/vnd.in-toto+json")]
    PayloadType {
        /// The manifest file.
        path: PathBuf,
        /// What it says.
        found: String,
    },
    /// No signature verifies with any trusted key.
    #[error("{path}: no valid signature by a trusted key ({detail})")]
    BadSignature {
        /// The manifest file.
        path: PathBuf,
        /// Which keys were tried and what the signatures claimed.
        detail: String,
    },
    /// The signed payload names a key twice in one object: readers
    /// differ on which value counts, so it is not read at all.
    #[error(
        "{path}: the signed statement can be read two ways: {detail}; custody never signs such a document"
    )]
    Ambiguous {
        /// The manifest file.
        path: PathBuf,
        /// Which key, and where.
        detail: String,
    },
    /// The statement inside is not what custody signs.
    #[error("{path}: {detail}")]
    Statement {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The file list's Merkle root is not the signed subject digest.
    #[error(
        "{path}: the files listed hash to root {computed}, but the signed subject says {signed}: the manifest was altered"
    )]
    RootMismatch {
        /// The manifest file.
        path: PathBuf,
        /// The root of the listed files.
        computed: String,
        /// The subject digest.
        signed: String,
    },
    /// A path in the manifest that no walk produces.
    #[error("{path}: entry {index} ({name:?}): {reason}")]
    BadEntry {
        /// The manifest file.
        path: PathBuf,
        /// 0-based index in the file list.
        index: usize,
        /// The entry's path as written.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Why a dataset cannot be sealed or read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// I/O on a data file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A symbolic link under the refuse policy.
    #[error(
        "{0}: is a symbolic link (custody refuses links by default: --symlinks follow to hash what they point to, --symlinks skip to leave them out)"
    )]
    Symlink(PathBuf),
    /// A link that leaves the dataset under the follow policy.
    #[error("{0}: symbolic link points outside the dataset")]
    LinkOutside(PathBuf),
    /// A FIFO, socket or device.
    #[error("{0}: not a regular file or folder (FIFO, socket or device)")]
    Special(PathBuf),
    /// A name that cannot be a portable manifest path.
    #[error("{path}: {reason}")]
    Name {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Two names that collide on some file system.
    #[error("{a:?} and {b:?} {why}")]
    Collision {
        /// One name.
        a: String,
        /// The other.
        b: String,
        /// Why they collide.
        why: &'static str,
    },
    /// A bad exclude pattern.
    #[error("exclude pattern {pattern:?}: {detail}")]
    Exclude {
        /// The pattern.
        pattern: String,
        /// The parser's message.
        detail: String,
    },
    /// The record key field is missing from a record.
    #[error("{path}:{line}: record has no field {key:?} (--record-key)")]
    MissingKey {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The field.
        key: String,
    },
    /// A record that cannot be parsed for its key.
    #[error("{path}:{line}: {detail}")]
    Record {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The parser's message.
        detail: String,
    },
}
