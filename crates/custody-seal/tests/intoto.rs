//! The DSSE envelopes custody writes verify with an independent DSSE
//! implementation: securesystemslib (`securesystemslib.dsse.Envelope`,
//! `securesystemslib.signer.SSlibKey`), the library in-toto signs and
//! verifies with, pinned in `scripts/interop/in-toto.txt`.
//!
//! securesystemslib 1.6 has no `SSlibKey.from_pem`; a key is made from a
//! pyca/cryptography public key with `SSlibKey.from_crypto`, which reads
//! Ed25519 and ECDSA P-256 SPKI PEM keys, so no fallback is needed.
//!
//! The library is installed once into `<target>/interop/in-toto-venv` by
//! `scripts/interop/in-toto-venv.sh`. These tests need python3 (with venv
//! and pip) and access to PyPI the first time; when provisioning fails they
//! fail and say why, they are never skipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    reason = "tests"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use custody_seal::dsse::{Envelope, IN_TOTO};
use custody_seal::keys::{Scheme, SigningKey};
use custody_seal::manifest::STATEMENT_TYPE;

/// Verifies `ENVELOPE` with the SPKI PEM public key `PEM` using
/// securesystemslib only; prints the key's scheme and the payload type.
/// The key id is computed here from the key as pyca/cryptography writes it
/// (SHA-256 of its SPKI PEM), so custody's key-id convention is checked too:
/// securesystemslib only tries keys whose id matches the signature's.
const VERIFY_PY: &str = r#"
import hashlib, json, sys
from cryptography.hazmat.primitives.serialization import (
    Encoding, PublicFormat, load_pem_public_key)
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

envelope_path, pem_path = sys.argv[1:3]
pem = open(pem_path, "rb").read()
public = load_pem_public_key(pem)
canonical = public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
assert canonical == pem, "custody's PEM is not the SPKI PEM OpenSSL writes"
keyid = hashlib.sha256(canonical).hexdigest()
key = SSlibKey.from_crypto(public, keyid=keyid)
envelope = Envelope.from_dict(json.load(open(envelope_path)))
accepted = envelope.verify([key], 1)
assert list(accepted) == [keyid], accepted
print(key.scheme)
print(envelope.payload_type)
"#;

/// The venv with securesystemslib, provisioned once per process (and once
/// per machine: the script is idempotent and takes a lock).
fn python() -> &'static Path {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(|| common::provision("in-toto", "bin/python", "securesystemslib")) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

fn securesystemslib_verify(envelope: &Path, pem: &Path) -> Output {
    Command::new(python())
        .args(["-c", VERIFY_PY])
        .arg(envelope)
        .arg(pem)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn check(scheme: Scheme, expected_scheme: &str) {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate(scheme).unwrap();
    let pem = dir.path().join("pub.pem");
    fs_err::write(&pem, key.public().to_pem()).unwrap();
    let statement = serde_json::json!({
        "_type": STATEMENT_TYPE,
        "subject": [{"name": "d\u{e4}ta", "digest": {"sha256": "ab".repeat(32)}}],
        "predicateType": "https://custody.dev/test/v1",
        "predicate": {"note": "non-ASCII payload bytes: \u{fc}"},
    });
    let payload = serde_json::to_vec_pretty(&statement).unwrap();
    let envelope = Envelope::sign(IN_TOTO, &payload, &key);
    let path = dir.path().join("envelope.json");
    fs_err::write(&path, serde_json::to_vec_pretty(&envelope).unwrap()).unwrap();

    let out = securesystemslib_verify(&path, &pem);
    assert!(
        out.status.success(),
        "securesystemslib rejected custody's envelope: {}",
        text(&out)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [expected_scheme, IN_TOTO],
        "{}",
        text(&out)
    );

    // One flipped payload byte: the signature no longer verifies.
    let mut bad = envelope.clone();
    let mut bytes = STANDARD.decode(&bad.payload).unwrap();
    bytes[payload.len() / 2] ^= 0x01;
    bad.payload = STANDARD.encode(&bytes);
    let bad_path = dir.path().join("tampered.json");
    fs_err::write(&bad_path, serde_json::to_vec_pretty(&bad).unwrap()).unwrap();
    let out = securesystemslib_verify(&bad_path, &bad_path.with_file_name("pub.pem"));
    assert!(
        !out.status.success(),
        "securesystemslib accepted a tampered payload: {}",
        text(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("VerificationError"),
        "it failed for the wrong reason: {}",
        text(&out)
    );
}

#[test]
fn securesystemslib_verifies_custody_ed25519_envelopes() {
    check(Scheme::Ed25519, "ed25519");
}

#[test]
fn securesystemslib_verifies_custody_p256_envelopes() {
    check(Scheme::EcdsaP256, "ecdsa-sha2-nistp256");
}

/// Loads a private key with pyca/cryptography (`load_pem_private_key`,
/// the loader securesystemslib's `CryptoSigner` is made from) and prints
/// its public key as SPKI PEM.
const LOAD_KEY_PY: &str = r#"
import sys
from cryptography.hazmat.primitives.serialization import (
    Encoding, PublicFormat, load_pem_private_key)
key_path, password = sys.argv[1:3]
key = load_pem_private_key(open(key_path, "rb").read(), password.encode() or None)
sys.stdout.write(key.public_key().public_bytes(
    Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode())
"#;

/// Signs the payload file as an in-toto DSSE envelope with
/// securesystemslib's `CryptoSigner`, made from the private key as
/// pyca/cryptography loads it; the signature's key id is securesystemslib's
/// own (`sslib`) or a made-up one (`custom`). Prints the key id.
const SSLIB_SIGN_PY: &str = r#"
import json, sys
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey
key_path, payload_path, out_path, mode = sys.argv[1:5]
private = load_pem_private_key(open(key_path, "rb").read(), None)
if mode == "custom":
    public = SSlibKey.from_crypto(private.public_key(), keyid="not-custodys-key-id")
else:
    public = SSlibKey.from_crypto(private.public_key())
envelope = Envelope(
    payload=open(payload_path, "rb").read(),
    payload_type="application/vnd.in-toto+json",
    signatures={},
)
signature = envelope.sign(CryptoSigner(private, public))
json.dump(envelope.to_dict(), open(out_path, "w"))
print(signature.keyid)
"#;

/// custody's private keys (Ed25519 as PKCS#8 v1, plain and encrypted;
/// P-256) load in OpenSSL (`openssl pkey`) and pyca/cryptography, and
/// they derive the same public key custody writes. Ed25519 as PKCS#8 v2
/// (what `ed25519-dalek` writes) is the control: what failed before.
#[test]
fn openssl_and_pyca_load_custody_private_keys() {
    use pkcs8::EncodePrivateKey as _;
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (Scheme::Ed25519, None),
        (Scheme::Ed25519, Some("correct horse")),
        (Scheme::EcdsaP256, None),
        (Scheme::EcdsaP256, Some("correct horse")),
    ];
    for (i, (scheme, pass)) in cases.into_iter().enumerate() {
        let key = SigningKey::generate(scheme).unwrap();
        let path = dir.path().join(format!("{i}.key"));
        fs_err::write(&path, key.to_pem(pass).unwrap()).unwrap();
        let what = format!("{} (passphrase: {})", scheme.name(), pass.is_some());

        let mut openssl = Command::new("openssl");
        openssl.args(["pkey", "-noout", "-in"]).arg(&path);
        openssl.args(["-passin", &format!("pass:{}", pass.unwrap_or(""))]);
        let out = openssl.output().expect("openssl is needed for this oracle");
        assert!(
            out.status.success(),
            "openssl refused {what}: {}",
            text(&out)
        );

        let out = Command::new(python())
            .args(["-c", LOAD_KEY_PY])
            .arg(&path)
            .arg(pass.unwrap_or(""))
            .output()
            .unwrap();
        assert!(out.status.success(), "pyca refused {what}: {}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            key.public().to_pem(),
            "{what}: the same public key"
        );
    }

    // The control: the v2 encoding custody wrote before is refused by
    // OpenSSL 3.0 and pyca/cryptography, so the checks above can fail.
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let v2 = dir.path().join("v2.key");
    fs_err::write(
        &v2,
        key.to_pkcs8_pem(pkcs8::der::pem::LineEnding::LF)
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let out = Command::new(python())
        .args(["-c", LOAD_KEY_PY, v2.to_str().unwrap(), ""])
        .output()
        .unwrap();
    assert!(!out.status.success(), "pyca loads v2 now: {}", text(&out));
    let out = Command::new("openssl")
        .args(["pkey", "-noout", "-in"])
        .arg(&v2)
        .output()
        .unwrap();
    assert!(!out.status.success(), "openssl loads v2: {}", text(&out));
}

/// An envelope securesystemslib signs with a custody key verifies in
/// custody although its key id is not custody's (securesystemslib derives
/// its own, or is told any string); another key's does not.
#[test]
fn custody_verifies_envelopes_securesystemslib_signs() {
    let dir = tempfile::tempdir().unwrap();
    let payload = dir.path().join("statement.json");
    let statement = serde_json::json!({
        "_type": STATEMENT_TYPE,
        "subject": [{"name": "data", "digest": {"sha256": "cd".repeat(32)}}],
        "predicateType": "https://custody.dev/test/v1",
        "predicate": {},
    });
    fs_err::write(&payload, serde_json::to_vec(&statement).unwrap()).unwrap();
    for scheme in [Scheme::Ed25519, Scheme::EcdsaP256] {
        let key = SigningKey::generate(scheme).unwrap();
        let other = SigningKey::generate(scheme).unwrap();
        let key_path = dir.path().join("key.pem");
        fs_err::write(&key_path, key.to_pem(None).unwrap()).unwrap();
        for mode in ["sslib", "custom"] {
            let out_path = dir.path().join(format!("{mode}.json"));
            let out = Command::new(python())
                .args(["-c", SSLIB_SIGN_PY])
                .args([&key_path, &payload, &out_path])
                .arg(mode)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", text(&out));
            let keyid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            assert_ne!(keyid, key.public().key_id(), "the ids differ");
            let envelope: Envelope =
                serde_json::from_slice(&fs_err::read(&out_path).unwrap()).unwrap();
            assert_eq!(envelope.signatures[0].keyid, keyid);
            assert_eq!(
                envelope.verify(&[other.public(), key.public()]),
                Ok(key.public().key_id()),
                "{} {mode}",
                scheme.name()
            );
            assert!(envelope.verify(&[other.public()]).is_err());
        }
    }
}
