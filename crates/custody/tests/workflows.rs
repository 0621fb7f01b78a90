//! The workflows as a second front end would call them: no CLI, no
//! process, typed reports in and out.

use std::path::{Path, PathBuf};

use custody::seal::{Container, Scheme, SealOptions};
use custody::workflow::progress::ByteProgress;
use custody::workflow::{diff, inspect, key, seal, verify};

/// Progress nobody watches.
struct Quiet;

impl ByteProgress for Quiet {
    fn start(&self, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

#[expect(
    clippy::unwrap_used,
    reason = "a test helper: its failure is the test's"
)]
fn data(dir: &Path) -> PathBuf {
    let d = dir.join("data");
    fs_err::create_dir_all(&d).unwrap();
    fs_err::write(d.join("a.jsonl"), "{\"id\":1}\n{\"id\":2}\n").unwrap();
    fs_err::write(d.join("b.txt"), "hello\n").unwrap();
    d
}

#[test]
fn seal_verify_and_diff_without_a_front_end() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let pair = key::generate(&dir.join("lab"), Scheme::Ed25519, None, false).unwrap();
    assert!(!pair.encrypted);
    assert!(matches!(
        key::generate(&dir.join("lab"), Scheme::Ed25519, None, false),
        Err(key::KeyGenError::Exists(_))
    ));
    let signing = custody::keys::read_private(&pair.private_key, None).unwrap();
    let trusted = custody::keys::read_public(std::slice::from_ref(&pair.public_key)).unwrap();

    let paths = vec![data(dir)];
    let out = dir.join("m.json");
    let options = SealOptions {
        skip: vec![out.clone()],
        ..SealOptions::default()
    };
    let sealed = seal::seal(&paths, &options, &signing, Container::Dsse, &out, &Quiet).unwrap();
    assert_eq!(sealed.schema, "custody.seal/v1");
    assert_eq!(sealed.files, 2);
    assert_eq!(sealed.key_id, pair.key_id);

    let req = verify::VerifyRequest {
        manifest: &out,
        paths: &paths,
        trusted: &trusted,
        max_manifest_size: 1 << 20,
    };
    let report = verify::verify(&req, &Quiet).unwrap();
    assert_eq!(report.schema, "custody.verify/v1");
    assert_eq!(report.format, verify::ManifestFormat::Custody);
    assert!(report.identical, "{report:?}");

    fs_err::write(dir.join("data/b.txt"), "changed\n").unwrap();
    let report = verify::verify(&req, &Quiet).unwrap();
    assert!(!report.identical);
    assert_eq!(report.report.modified.len(), 1);

    let d = diff::diff(&out, &out, &[], 1 << 20).unwrap();
    assert_eq!(d.schema, "custody.diff/v1");
    assert!(d.identical && !d.signatures_checked);
    assert_eq!(d.old.key_id, None);
}

#[test]
fn an_untrusted_key_is_an_open_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let a = key::generate(&dir.join("a"), Scheme::Ed25519, None, false).unwrap();
    let b = key::generate(&dir.join("b"), Scheme::Ed25519, None, false).unwrap();
    let signing = custody::keys::read_private(&a.private_key, None).unwrap();
    let other = custody::keys::read_public(&[b.public_key]).unwrap();
    let paths = vec![data(dir)];
    let out = dir.join("m.json");
    let options = SealOptions {
        skip: vec![out.clone()],
        ..SealOptions::default()
    };
    seal::seal(&paths, &options, &signing, Container::Dsse, &out, &Quiet).unwrap();
    let req = verify::VerifyRequest {
        manifest: &out,
        paths: &paths,
        trusted: &other,
        max_manifest_size: 1 << 20,
    };
    assert!(matches!(
        verify::verify(&req, &Quiet),
        Err(verify::VerifyError::Open(_))
    ));
}

#[test]
fn an_unreadable_package_is_an_error_entry_and_the_batch_goes_on() {
    let batch = inspect::inspect_batch(
        &[PathBuf::from("does/not/exist.whl")],
        custody::inspect::Options::default(),
        &|| {},
    );
    assert_eq!(batch.schema, "custody.inspect/v0");
    assert!(batch.reports.is_empty());
    assert_eq!(batch.errors.len(), 1);
    assert_eq!(batch.errors[0].path, "does/not/exist.whl");
}

#[test]
fn a_key_file_that_is_not_a_key_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("x.pub");
    fs_err::write(&p, "not a key").unwrap();
    let e = custody::keys::read_public(&[p]).unwrap_err();
    assert!(
        e.to_string().ends_with("x.pub: cannot use this public key"),
        "{e}"
    );
}
