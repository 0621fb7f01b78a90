//! Signing keys: Ed25519 (default) and ECDSA P-256 (for interoperability
//! with Sigstore and model-signing), as PEM files: PKCS#8 private keys
//! (optionally encrypted with a passphrase), SPKI public keys.
//!
//! Ed25519 private keys are written as PKCS#8 v1 (RFC 5208
//! `PrivateKeyInfo`, the seed only), which OpenSSL 3.0 and
//! pyca/cryptography load; v2 (RFC 5958 `OneAsymmetricKey`, with the
//! public key, as `ed25519-dalek` writes it) is still read.
//!
//! A key id is the lowercase hex SHA-256 of the public key's SPKI PEM text
//! (64-column base64, LF line ends): the same bytes `openssl pkey -pubout`
//! writes, and the value model-signing puts in its bundle's key hint.

use ed25519_dalek::Signer as _;
use p256::ecdsa::signature::Verifier as _;
use pkcs8::der::pem::LineEnding;
use pkcs8::{
    DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _, EncodePublicKey as _,
};
use sha2::Digest as _;

use crate::error::KeyError;

/// Which signature scheme a key uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Ed25519 (RFC 8032).
    Ed25519,
    /// ECDSA over NIST P-256 with SHA-256, DER-encoded signatures.
    EcdsaP256,
}

impl Scheme {
    /// Name in output and flags.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ed25519 => "ed25519",
            Self::EcdsaP256 => "ecdsa-p256",
        }
    }
}

/// A private key that signs.
pub enum SigningKey {
    /// Ed25519.
    Ed25519(ed25519_dalek::SigningKey),
    /// ECDSA P-256.
    EcdsaP256(p256::ecdsa::SigningKey),
}

/// A public key that verifies.
#[derive(Clone)]
pub enum PublicKey {
    /// Ed25519.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// ECDSA P-256.
    EcdsaP256(p256::ecdsa::VerifyingKey),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SigningKey({}, {})",
            self.scheme().name(),
            self.public().key_id()
        )
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({}, {})", self.scheme().name(), self.key_id())
    }
}

impl SigningKey {
    /// A fresh key from the operating system's random source.
    pub fn generate(scheme: Scheme) -> Result<Self, KeyError> {
        let mut seed = zeroize_bytes();
        loop {
            getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
            match scheme {
                Scheme::Ed25519 => {
                    return Ok(Self::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed)));
                }
                Scheme::EcdsaP256 => {
                    // A random 32-byte string is a valid scalar except with
                    // negligible probability; draw again if not.
                    if let Ok(k) = p256::ecdsa::SigningKey::from_slice(&seed) {
                        return Ok(Self::EcdsaP256(k));
                    }
                }
            }
        }
    }

    /// Reads a PEM private key: PKCS#8 (`PRIVATE KEY`), encrypted PKCS#8
    /// (`ENCRYPTED PRIVATE KEY`, needs `passphrase`) or, for P-256, SEC1
    /// (`EC PRIVATE KEY`, as `openssl ecparam -genkey` writes).
    pub fn from_pem(pem: &str, passphrase: Option<&str>) -> Result<Self, KeyError> {
        let label = pem_label(pem)?;
        match label.as_str() {
            "ENCRYPTED PRIVATE KEY" => {
                let pass = passphrase.ok_or(KeyError::NeedsPassphrase)?;
                if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_encrypted_pem(pem, pass) {
                    return Ok(Self::Ed25519(k));
                }
                p256::ecdsa::SigningKey::from_pkcs8_encrypted_pem(pem, pass)
                    .map(Self::EcdsaP256)
                    .map_err(|_| KeyError::WrongPassphraseOrKind)
            }
            "PRIVATE KEY" => {
                if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_pem(pem) {
                    return Ok(Self::Ed25519(k));
                }
                p256::ecdsa::SigningKey::from_pkcs8_pem(pem)
                    .map(Self::EcdsaP256)
                    .map_err(|e| KeyError::Unsupported(e.to_string()))
            }
            "EC PRIVATE KEY" => p256::SecretKey::from_sec1_pem(strip_ec_parameters(pem).as_str())
                .map(|k| Self::EcdsaP256(k.into()))
                .map_err(|e| KeyError::Unsupported(e.to_string())),
            "PUBLIC KEY" => Err(KeyError::PublicNotPrivate),
            other => Err(KeyError::Label(other.to_owned())),
        }
    }

    /// PKCS#8 PEM, encrypted (PBES2, scrypt, AES-256-CBC) when a passphrase
    /// is given. Ed25519 keys are PKCS#8 v1: without the optional public
    /// key, which OpenSSL 3.0 and pyca/cryptography refuse.
    pub fn to_pem(&self, passphrase: Option<&str>) -> Result<String, KeyError> {
        let pem = match (self, passphrase) {
            (Self::Ed25519(k), None) => seed_only(k).to_pkcs8_pem(LineEnding::LF),
            (Self::Ed25519(k), Some(p)) => seed_only(k).to_pkcs8_encrypted_pem(p, LineEnding::LF),
            (Self::EcdsaP256(k), None) => k.to_pkcs8_pem(LineEnding::LF),
            (Self::EcdsaP256(k), Some(p)) => k.to_pkcs8_encrypted_pem(p, LineEnding::LF),
        }
        .map_err(|e| KeyError::Encode(e.to_string()))?;
        Ok(pem.as_str().to_owned())
    }

    /// The matching public key.
    pub fn public(&self) -> PublicKey {
        match self {
            Self::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
            Self::EcdsaP256(k) => PublicKey::EcdsaP256(*k.verifying_key()),
        }
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        match self {
            Self::Ed25519(_) => Scheme::Ed25519,
            Self::EcdsaP256(_) => Scheme::EcdsaP256,
        }
    }

    /// Signs `message`: 64 raw bytes for Ed25519, a DER `ECDSA-Sig-Value`
    /// over SHA-256 for P-256 (what DSSE, Sigstore and model-signing use).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::Ed25519(k) => k.sign(message).to_bytes().to_vec(),
            Self::EcdsaP256(k) => {
                let sig: p256::ecdsa::DerSignature = k.sign(message);
                sig.as_bytes().to_vec()
            }
        }
    }
}

impl PublicKey {
    /// Reads a PEM SPKI public key (`PUBLIC KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        match pem_label(pem)?.as_str() {
            "PUBLIC KEY" => {}
            "PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" | "EC PRIVATE KEY" => {
                return Err(KeyError::PrivateNotPublic);
            }
            other => return Err(KeyError::Label(other.to_owned())),
        }
        if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
            return Ok(Self::Ed25519(k));
        }
        p256::ecdsa::VerifyingKey::from_public_key_pem(pem)
            .map(Self::EcdsaP256)
            .map_err(|e| KeyError::Unsupported(e.to_string()))
    }

    /// SPKI PEM with LF line ends (the bytes the key id is taken over).
    pub fn to_pem(&self) -> String {
        let pem = match self {
            Self::Ed25519(k) => k.to_public_key_pem(LineEnding::LF),
            // An uncompressed point, as OpenSSL writes it.
            Self::EcdsaP256(k) => k.to_public_key_pem(LineEnding::LF),
        };
        pem.unwrap_or_default()
    }

    /// Stable key id: hex SHA-256 of [`Self::to_pem`].
    pub fn key_id(&self) -> String {
        hex(&sha2::Sha256::digest(self.to_pem().as_bytes()))
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        match self {
            Self::Ed25519(_) => Scheme::Ed25519,
            Self::EcdsaP256(_) => Scheme::EcdsaP256,
        }
    }

    /// Whether `signature` is this key's signature of `message`. P-256
    /// signatures are DER; high-S values are accepted (OpenSSL makes them).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Ed25519(k) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|s| k.verify_strict(message, &s).is_ok()),
            Self::EcdsaP256(k) => p256::ecdsa::DerSignature::from_bytes(signature)
                .ok()
                .and_then(|s| p256::ecdsa::Signature::try_from(s).ok())
                .is_some_and(|s| {
                    let s = s.normalize_s();
                    k.verify(message, &s).is_ok()
                }),
        }
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The label of the first PEM block (`-----BEGIN <label>-----`), skipping
/// an `EC PARAMETERS` block that `openssl ecparam -genkey` puts first.
fn pem_label(pem: &str) -> Result<String, KeyError> {
    pem.lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("-----BEGIN ")
                .and_then(|r| r.strip_suffix("-----"))
        })
        .find(|l| *l != "EC PARAMETERS")
        .map(str::to_owned)
        .ok_or(KeyError::NotPem)
}

/// The PEM text without an `EC PARAMETERS` block.
fn strip_ec_parameters(pem: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    for line in pem.lines() {
        if line.starts_with("-----BEGIN EC PARAMETERS-----") {
            skip = true;
        }
        if !skip {
            out.push_str(line);
            out.push('\n');
        }
        if line.starts_with("-----END EC PARAMETERS-----") {
            skip = false;
        }
    }
    out
}

/// An Ed25519 key as a PKCS#8 v1 `PrivateKeyInfo`: the seed, no public key.
fn seed_only(k: &ed25519_dalek::SigningKey) -> ed25519_dalek::pkcs8::KeypairBytes {
    ed25519_dalek::pkcs8::KeypairBytes {
        secret_key: k.to_bytes(),
        public_key: None,
    }
}

fn zeroize_bytes() -> [u8; 32] {
    [0; 32]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn both_schemes_round_trip_through_pem_and_sign() {
        for scheme in [Scheme::Ed25519, Scheme::EcdsaP256] {
            let k = SigningKey::generate(scheme).unwrap();
            let again = SigningKey::from_pem(&k.to_pem(None).unwrap(), None).unwrap();
            assert_eq!(again.public().key_id(), k.public().key_id());
            let public = PublicKey::from_pem(&k.public().to_pem()).unwrap();
            let sig = again.sign(b"message");
            assert!(public.verify(b"message", &sig));
            assert!(!public.verify(b"messagf", &sig));
            assert_eq!(public.key_id().len(), 64);
        }
    }

    /// The first field of the `PrivateKeyInfo` SEQUENCE is its version:
    /// 0 for v1 (RFC 5208), 1 for v2 (RFC 5958, with the public key).
    fn pkcs8_version(pem: &str) -> u8 {
        let (label, der) = pkcs8::der::pem::decode_vec(pem.as_bytes()).unwrap();
        assert_eq!(label, "PRIVATE KEY");
        // 30 len 02 01 VERSION (a short-form length: these keys are small)
        assert_eq!(&der[..1], &[0x30]);
        assert_eq!(&der[2..4], &[0x02, 0x01]);
        der[4]
    }

    #[test]
    fn ed25519_keys_are_written_as_pkcs8_v1_and_v2_is_still_read() {
        let k = SigningKey::generate(Scheme::Ed25519).unwrap();
        let pem = k.to_pem(None).unwrap();
        assert_eq!(pkcs8_version(&pem), 0, "v1, no public key: {pem}");
        // 16-byte header (SEQUENCE, version, algorithm) + 34-byte nested
        // OCTET STRING: 48 bytes in all, with no [1] public key.
        let (_, der) = pkcs8::der::pem::decode_vec(pem.as_bytes()).unwrap();
        assert_eq!(der.len(), 48);
        let SigningKey::Ed25519(inner) = &k else {
            unreachable!()
        };
        let v2 = inner.to_pkcs8_pem(LineEnding::LF).unwrap();
        assert_eq!(pkcs8_version(&v2), 1, "ed25519-dalek writes v2");
        let again = SigningKey::from_pem(&v2, None).unwrap();
        assert_eq!(again.public().key_id(), k.public().key_id());
        let again = SigningKey::from_pem(&pem, None).unwrap();
        assert_eq!(again.public().key_id(), k.public().key_id());
    }

    #[test]
    fn encrypted_keys_need_the_passphrase() {
        let k = SigningKey::generate(Scheme::Ed25519).unwrap();
        let pem = k.to_pem(Some("correct horse")).unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        assert!(matches!(
            SigningKey::from_pem(&pem, None),
            Err(KeyError::NeedsPassphrase)
        ));
        assert!(matches!(
            SigningKey::from_pem(&pem, Some("wrong")),
            Err(KeyError::WrongPassphraseOrKind)
        ));
        let k2 = SigningKey::from_pem(&pem, Some("correct horse")).unwrap();
        assert_eq!(k2.public().key_id(), k.public().key_id());
    }

    #[test]
    fn wrong_kinds_of_pem_are_named() {
        let k = SigningKey::generate(Scheme::EcdsaP256).unwrap();
        assert!(matches!(
            PublicKey::from_pem(&k.to_pem(None).unwrap()),
            Err(KeyError::PrivateNotPublic)
        ));
        assert!(matches!(
            SigningKey::from_pem(&k.public().to_pem(), None),
            Err(KeyError::PublicNotPrivate)
        ));
        assert!(matches!(
            SigningKey::from_pem("hello", None),
            Err(KeyError::NotPem)
        ));
    }
}
