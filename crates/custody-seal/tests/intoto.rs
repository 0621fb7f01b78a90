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
