//! Making a signing key pair: `PREFIX.key` (private, PKCS#8 PEM, mode
//! 0600, encrypted when a passphrase is given) and `PREFIX.pub`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::keys::{self, WriteError};
use crate::seal::{KeyError, Scheme, SigningKey};

/// The key pair written.
#[derive(Debug, Clone, Serialize)]
pub struct KeyPairReport {
    /// The signature scheme.
    pub scheme: &'static str,
    /// The public key's id.
    pub key_id: String,
    /// The private key file.
    pub private_key: PathBuf,
    /// The public key file.
    pub public_key: PathBuf,
    /// Whether the private key is encrypted.
    pub encrypted: bool,
}

/// Why no key pair was written.
#[derive(Debug, thiserror::Error)]
pub enum KeyGenError {
    /// A file of the pair exists and `force` was not given.
    #[error("{} exists", .0.display())]
    Exists(PathBuf),
    /// The key cannot be made or encoded.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A file cannot be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Makes a key pair and writes it next to `prefix`; existing files are
/// replaced only when `force`.
///
/// # Errors
/// See [`KeyGenError`].
pub fn generate(
    prefix: &Path,
    scheme: Scheme,
    passphrase: Option<&str>,
    force: bool,
) -> Result<KeyPairReport, KeyGenError> {
    check_free(prefix, force)?;
    let private = with_suffix(prefix, "key");
    let public = with_suffix(prefix, "pub");
    let key = SigningKey::generate(scheme)?;
    let pem = key.to_pem(passphrase)?;
    keys::write_atomic(&private, pem.as_bytes(), true)?;
    keys::write_atomic(&public, key.public().to_pem().as_bytes(), false)?;
    Ok(KeyPairReport {
        scheme: scheme.name(),
        key_id: key.public().key_id(),
        private_key: private,
        public_key: public,
        encrypted: passphrase.is_some(),
    })
}

/// Whether the files of a pair at `prefix` may be written: they do not
/// exist, or `force`.
///
/// # Errors
/// [`KeyGenError::Exists`] naming the first that exists.
pub fn check_free(prefix: &Path, force: bool) -> Result<(), KeyGenError> {
    for p in [with_suffix(prefix, "key"), with_suffix(prefix, "pub")] {
        if p.exists() && !force {
            return Err(KeyGenError::Exists(p));
        }
    }
    Ok(())
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}
