//! Interoperability with the reference implementation of OpenSSF
//! model-signing: the real `model_signing` CLI from PyPI (version pinned in
//! `scripts/interop/model-signing.txt`) verifies what custody signs, and
//! custody verifies what the CLI signs.
//!
//! The CLI is installed once into `<target>/interop/model-signing-venv` by
//! `scripts/interop/model-signing-venv.sh`. These tests need python3 (with
//! venv and pip) and access to PyPI the first time; when provisioning fails
//! they fail and say why, they are never skipped.
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
use custody_seal::compare::{FileNote, Report};
use custody_seal::error::{OpenError, TrustError};
use custody_seal::keys::{PublicKey, Scheme, SigningKey};
use custody_seal::manifest::Statement;
use custody_seal::modelsign::{self, Options};
use custody_seal::open::{self, DEFAULT_MAX_SIZE, Payload};

// ------------------------------------------------------------- helpers --

/// The `model_signing` CLI, provisioned once per process (and once per
/// machine: the script is idempotent and takes a lock).
fn model_signing_bin() -> &'static Path {
    static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match VENV.get_or_init(|| {
        common::provision(
            "model-signing",
            "bin/model_signing",
            "the model_signing CLI",
        )
    }) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

/// Runs `model_signing ARGS` in `cwd` (its CLI resolves some paths against
/// the working directory).
fn model_signing(cwd: &Path, args: &[&str]) -> Output {
    Command::new(model_signing_bin())
        .args(args)
        .current_dir(cwd)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", model_signing_bin().display()))
}

fn text(out: &Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_ok(out: &Output, what: &str) {
    assert!(out.status.success(), "{what} failed: {}", text(out));
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn write(root: &Path, name: &str, data: &[u8]) {
    let p = root.join(name);
    fs_err::create_dir_all(p.parent().unwrap()).unwrap();
    fs_err::write(p, data).unwrap();
}

/// Deterministic pseudo-random bytes (xorshift), so large files are not
/// trivially compressible and each test's data differs by seed.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A model folder with the cases that matter: component-wise order
/// (`a/b` before `a-c/c`), non-ASCII names, an empty file, dotfiles, the
/// top-level git paths (ignored) and a nested `.gitignore` (signed), an
/// empty folder (never listed) and a file larger than the 1 MiB read
/// buffer. Returns the number of files that are signed.
fn make_model(model: &Path) -> u64 {
    write(model, "a/b", b"in a\n");
    write(model, "a-c/c", b"in a-c\n");
    write(
        model,
        "\u{fc}n\u{ef} c\u{f6}d\u{e9}.txt",
        "h\u{e9}llo\n".as_bytes(),
    );
    write(model, "empty.bin", b"");
    write(model, ".env", b"SECRET=no\n");
    write(model, "config.json", br#"{"layers": 2}"#);
    write(model, "sub/.gitignore", b"*.tmp\n");
    write(model, "sub/tokenizer.txt", b"tok tok\n");
    write(model, "sub/deeper/x.dat", &noise(4096, 3));
    write(model, "weights.bin", &noise(2_500_000, 7));
    write(model, ".git/HEAD", b"ref: refs/heads/main\n");
    write(model, ".gitattributes", b"*.bin filter=lfs\n");
    fs_err::create_dir_all(model.join("empty-dir")).unwrap();
    10
}

fn p256_key(dir: &Path) -> (SigningKey, PathBuf, PathBuf) {
    let key = SigningKey::generate(Scheme::EcdsaP256).unwrap();
    let private = dir.join("key.pem");
    let public = dir.join("pub.pem");
    fs_err::write(&private, key.to_pem(None).unwrap()).unwrap();
    fs_err::write(&public, key.public().to_pem()).unwrap();
    (key, private, public)
}

/// A P-256 key for the CLI to sign with: SEC1 from `openssl ecparam` when
/// openssl is installed (what model-signing's documentation uses), else
/// PKCS#8 written by custody. Returns the private and public PEM paths.
fn cli_key(dir: &Path) -> (PathBuf, PathBuf) {
    let private = dir.join("key.pem");
    let public = dir.join("pub.pem");
    let made = Command::new("openssl")
        .args([
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            s(&private),
        ])
        .output()
        .is_ok_and(|o| o.status.success())
        && Command::new("openssl")
            .args(["ec", "-in", s(&private), "-pubout", "-out", s(&public)])
            .output()
            .is_ok_and(|o| o.status.success());
    if made {
        assert!(
            fs_err::read_to_string(&private)
                .unwrap()
                .contains("BEGIN EC PRIVATE KEY")
        );
    } else {
        eprintln!("openssl not available: the CLI signs with a PKCS#8 key written by custody");
        p256_key(dir);
    }
    (private, public)
}

fn statement_of(signature: &Path, trusted: &PublicKey) -> Statement {
    let opened = open::open(signature, std::slice::from_ref(trusted), DEFAULT_MAX_SIZE)
        .unwrap_or_else(|e| panic!("open {}: {e}", signature.display()));
    assert_eq!(opened.signer.as_deref(), Some(trusted.key_id().as_str()));
    match opened.payload {
        Payload::ModelSigning(st) => st,
        Payload::Custody(_) | Payload::Provenance(_) | Payload::Evidence(_) => {
            panic!("a model-signing signature opened as something else")
        }
    }
}

fn paths(notes: &[FileNote]) -> Vec<&str> {
    notes.iter().map(|n| n.path.as_str()).collect()
}

fn modified(report: &Report) -> Vec<&str> {
    report.modified.iter().map(|m| m.path.as_str()).collect()
}

/// custody, signing the same folder with the same key as the CLI did
/// (`sig` is the CLI's bundle), writes the same statement (as JSON;
/// model-signing's key order and `ignore_paths` order vary from run to run)
/// and the same bundle around it.
fn custody_writes_the_same_bundle(model: &Path, private: &Path, sig: &Path) {
    let key = SigningKey::from_pem(&fs_err::read_to_string(private).unwrap(), None).unwrap();
    let ours: serde_json::Value =
        serde_json::from_slice(&modelsign::sign(model, &key, sig, &Options::default()).unwrap())
            .unwrap();
    let theirs: serde_json::Value = serde_json::from_slice(&fs_err::read(sig).unwrap()).unwrap();
    let statement = |bundle: &serde_json::Value| {
        let payload = STANDARD
            .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        v["predicate"]["serialization"]["ignore_paths"]
            .as_array_mut()
            .unwrap()
            .sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        v
    };
    assert_eq!(statement(&ours), statement(&theirs));
    let skeleton = |bundle: &serde_json::Value| {
        let mut b = bundle.clone();
        b["dsseEnvelope"]["payload"] = "".into();
        b["dsseEnvelope"]["signatures"][0]["sig"] = "".into();
        b
    };
    assert_eq!(skeleton(&ours), skeleton(&theirs));
}

// --------------------------------------------------------------- tests --

#[test]
fn model_signing_verifies_what_custody_signs() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    make_model(&model);
    let (key, _, public) = p256_key(dir.path());

    // The signature inside the model: it is left out and recorded as ignored.
    let inside = model.join("model.sig");
    let bytes = modelsign::sign(&model, &key, &inside, &Options::default()).unwrap();
    fs_err::write(&inside, &bytes).unwrap();
    let out = model_signing(
        dir.path(),
        &[
            "verify",
            "key",
            s(&model),
            "--signature",
            s(&inside),
            "--public_key",
            s(&public),
        ],
    );
    assert_ok(
        &out,
        "model_signing verify of custody's signature (inside the model)",
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Verification succeeded"),
        "{}",
        text(&out)
    );

    // Outside the model, with a caller's ignore path that the signature
    // records: the CLI applies it without being told.
    let outside = dir.path().join("outside.sig");
    let options = Options {
        ignore_paths: vec!["config.json".into()],
        ..Options::default()
    };
    fs_err::write(
        &outside,
        modelsign::sign(&model, &key, &outside, &options).unwrap(),
    )
    .unwrap();
    write(&model, "config.json", b"changed, but ignored");
    let out = model_signing(
        dir.path(),
        &[
            "verify",
            "key",
            s(&model),
            "--signature",
            s(&outside),
            "--public_key",
            s(&public),
        ],
    );
    assert_ok(
        &out,
        "model_signing verify of custody's signature (outside, with an ignore path)",
    );

    // The CLI really checks the files: one changed byte fails it.
    let mut weights = fs_err::read(model.join("weights.bin")).unwrap();
    weights[1_500_000] ^= 1;
    fs_err::write(model.join("weights.bin"), &weights).unwrap();
    let out = model_signing(
        dir.path(),
        &[
            "verify",
            "key",
            s(&model),
            "--signature",
            s(&outside),
            "--public_key",
            s(&public),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Hash mismatch for 'weights.bin'"),
        "{}",
        text(&out)
    );
}

#[test]
fn model_signing_verifies_custody_single_file_and_symlink_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _, public) = p256_key(dir.path());

    let file = dir.path().join("weights.safetensors");
    fs_err::write(&file, noise(10_000, 11)).unwrap();
    let sig = dir.path().join("file.sig");
    fs_err::write(
        &sig,
        modelsign::sign(&file, &key, &sig, &Options::default()).unwrap(),
    )
    .unwrap();
    let out = model_signing(
        dir.path(),
        &[
            "verify",
            "key",
            s(&file),
            "--signature",
            s(&sig),
            "--public_key",
            s(&public),
        ],
    );
    assert_ok(
        &out,
        "model_signing verify of a single-file model signed by custody",
    );

    // Links: a link to a file is hashed under its own name, a link to a
    // folder is neither followed nor listed, in both implementations.
    let model = dir.path().join("linked");
    write(&model, "real/w.bin", &noise(1000, 12));
    std::os::unix::fs::symlink("real/w.bin", model.join("alias.bin")).unwrap();
    std::os::unix::fs::symlink("real", model.join("folder-link")).unwrap();
    let refused = modelsign::sign(&model, &key, &sig, &Options::default()).unwrap_err();
    assert!(matches!(refused, modelsign::Error::Symlink(_)), "{refused}");
    let allow = Options {
        allow_symlinks: true,
        ..Options::default()
    };
    let sig = dir.path().join("linked.sig");
    fs_err::write(&sig, modelsign::sign(&model, &key, &sig, &allow).unwrap()).unwrap();
    let out = model_signing(
        dir.path(),
        &[
            "verify",
            "key",
            s(&model),
            "--signature",
            s(&sig),
            "--public_key",
            s(&public),
            "--allow_symlinks",
        ],
    );
    assert_ok(
        &out,
        "model_signing verify --allow_symlinks of custody's signature",
    );

    let cli_sig = dir.path().join("cli-linked.sig");
    let cli_dir = dir.path().join("cli-key");
    fs_err::create_dir_all(&cli_dir).unwrap();
    let (private, cli_public) = cli_key(&cli_dir);
    let out = model_signing(
        dir.path(),
        &[
            "sign",
            "key",
            s(&model),
            "--private_key",
            s(&private),
            "--signature",
            s(&cli_sig),
            "--allow_symlinks",
        ],
    );
    assert_ok(&out, "model_signing sign --allow_symlinks");
    let trusted = PublicKey::from_pem(&fs_err::read_to_string(&cli_public).unwrap()).unwrap();
    let st = statement_of(&cli_sig, &trusted);
    let report = modelsign::verify(&st, &model, &cli_sig, &allow).unwrap();
    assert!(report.identical(), "{report:?}");
    assert_eq!(report.unchanged, 2, "real/w.bin and alias.bin");
}

#[test]
fn custody_verifies_what_model_signing_signs() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    let files = make_model(&model);
    let (private, public) = cli_key(dir.path());
    let sig = model.join("model.sig");
    let out = model_signing(
        dir.path(),
        &[
            "sign",
            "key",
            s(&model),
            "--private_key",
            s(&private),
            "--signature",
            s(&sig),
        ],
    );
    assert_ok(&out, "model_signing sign key");

    let trusted = PublicKey::from_pem(&fs_err::read_to_string(&public).unwrap()).unwrap();
    let st = statement_of(&sig, &trusted);
    assert_eq!(st.subject[0].name, "model");
    let report = modelsign::verify(&st, &model, &sig, &Options::default()).unwrap();
    assert!(report.identical(), "{report:?}");
    assert_eq!(report.unchanged, files);

    custody_writes_the_same_bundle(&model, &private, &sig);

    // One changed byte, one new file, one deleted file: each named exactly.
    let mut weights = fs_err::read(model.join("weights.bin")).unwrap();
    weights[1_234_567] ^= 0x80;
    fs_err::write(model.join("weights.bin"), &weights).unwrap();
    write(&model, "sub/new.txt", b"new\n");
    fs_err::remove_file(model.join("sub/tokenizer.txt")).unwrap();
    // Changes under the ignored top-level .git do not count.
    write(&model, ".git/index", b"ignored");
    let report = modelsign::verify(&st, &model, &sig, &Options::default()).unwrap();
    assert_eq!(modified(&report), ["weights.bin"]);
    assert_eq!(report.modified[0].new_size, 2_500_000);
    assert_eq!(paths(&report.added), ["sub/new.txt"]);
    assert_eq!(report.added[0].size, 4);
    assert_eq!(paths(&report.removed), ["sub/tokenizer.txt"]);
    assert_eq!(report.unchanged, files - 2);
    assert!(!report.identical());
    // The CLI agrees.
    let out = model_signing(
        dir.path(),
        &[
            "verify",
            "key",
            s(&model),
            "--signature",
            s(&sig),
            "--public_key",
            s(&public),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "Extra files found in model 'model': sub/new.txt",
        "Missing files in model 'model': sub/tokenizer.txt",
        "Hash mismatch for 'weights.bin'",
    ] {
        assert!(err.contains(needle), "{needle:?} in {}", text(&out));
    }

    // A changed payload no longer verifies: the signature covers its bytes.
    let mut bundle: serde_json::Value =
        serde_json::from_slice(&fs_err::read(&sig).unwrap()).unwrap();
    let payload = STANDARD
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let payload = String::from_utf8(payload).unwrap();
    let digest = st.predicate["resources"][0]["digest"].as_str().unwrap();
    let other = digest.replacen(
        &digest[..1],
        if digest.starts_with('0') { "1" } else { "0" },
        1,
    );
    assert!(payload.contains(digest));
    bundle["dsseEnvelope"]["payload"] = STANDARD.encode(payload.replace(digest, &other)).into();
    let tampered = dir.path().join("tampered.sig");
    fs_err::write(&tampered, serde_json::to_vec(&bundle).unwrap()).unwrap();
    match open::open(&tampered, std::slice::from_ref(&trusted), DEFAULT_MAX_SIZE) {
        Err(OpenError::Untrusted(TrustError::BadSignature { .. })) => {}
        other => panic!("a tampered payload must fail the signature check, got {other:?}"),
    }
}

#[test]
fn a_wrong_public_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    write(&model, "w.bin", &noise(5000, 21));
    let (private, _) = cli_key(dir.path());
    let sig = dir.path().join("model.sig");
    let out = model_signing(
        dir.path(),
        &[
            "sign",
            "key",
            s(&model),
            "--private_key",
            s(&private),
            "--signature",
            s(&sig),
        ],
    );
    assert_ok(&out, "model_signing sign key");

    let other = dir.path().join("other");
    fs_err::create_dir_all(&other).unwrap();
    let (wrong, _, wrong_pem) = p256_key(&other);
    match open::open(&sig, &[wrong.public()], DEFAULT_MAX_SIZE) {
        Err(OpenError::Untrusted(TrustError::BadSignature { detail, .. })) => {
            assert!(
                detail.contains("not among the trusted keys"),
                "the hint names another key: {detail}"
            );
        }
        other => panic!("a wrong key must be refused, got {other:?}"),
    }
    // Without the hint, the signature itself does not verify.
    let mut bundle: serde_json::Value =
        serde_json::from_slice(&fs_err::read(&sig).unwrap()).unwrap();
    bundle["verificationMaterial"]["publicKey"]["hint"] = "".into();
    let no_hint = dir.path().join("no-hint.sig");
    fs_err::write(&no_hint, serde_json::to_vec(&bundle).unwrap()).unwrap();
    match open::open(&no_hint, &[wrong.public()], DEFAULT_MAX_SIZE) {
        Err(OpenError::Untrusted(TrustError::BadSignature { .. })) => {}
        other => panic!("a wrong key must be refused, got {other:?}"),
    }
    // The CLI agrees.
    let out = model_signing(
        dir.path(),
        &[
            "verify",
            "key",
            s(&model),
            "--signature",
            s(&sig),
            "--public_key",
            s(&wrong_pem),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Key mismatch"),
        "{}",
        text(&out)
    );
}
