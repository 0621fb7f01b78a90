//! `custody key`, `seal`, `verify` and `diff`, end to end through the binary.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Run, custody_run};
use custody_seal::keys::SigningKey;

/// A change made to a JSON document.
type Edit = Box<dyn Fn(&mut serde_json::Value)>;

/// A temp dir with a key pair and a small dataset.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let f = Self { dir };
        let r = f.run(&["key", "generate", "-o", f.p("lab").to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        std::fs::create_dir_all(f.p("data/sub")).unwrap();
        std::fs::write(
            f.p("data/corpus.jsonl"),
            "{\"id\":\"a\",\"text\":\"alpha\"}\n{\"id\":\"b\",\"text\":\"bravo\"}\n{\"id\":\"c\",\"text\":\"charlie\"}\n",
        )
        .unwrap();
        std::fs::write(
            f.p("data/sub/table.csv"),
            "id,v\n1,x\n2,\"multi\nline\"\n3,z\n",
        )
        .unwrap();
        let big: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(f.p("data/weights.bin"), big).unwrap();
        f
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn s(&self, rel: &str) -> String {
        self.p(rel).to_str().unwrap().to_owned()
    }

    fn run(&self, args: &[&str]) -> Run {
        custody_run(self.dir.path(), args)
    }

    fn seal(&self, out: &str, extra: &[&str]) -> Run {
        let (data, key, out) = (self.s("data"), self.s("lab.key"), self.s(out));
        let mut args = vec![
            "seal",
            data.as_str(),
            "-k",
            key.as_str(),
            "-o",
            out.as_str(),
            "--chunk-size",
            "4K",
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    fn verify(&self, manifest: &str, extra: &[&str]) -> Run {
        let (data, m, key) = (self.s("data"), self.s(manifest), self.s("lab.pub"));
        let mut args = vec![
            "verify",
            data.as_str(),
            "-m",
            m.as_str(),
            "--key",
            key.as_str(),
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Text with the temp dir and the random key id replaced.
    fn clean(&self, text: &str) -> String {
        let id = self.key().public().key_id();
        text.replace(self.dir.path().to_str().unwrap(), "[TMP]")
            .replace(&id, "[KEY]")
    }

    fn key(&self) -> SigningKey {
        SigningKey::from_pem(&std::fs::read_to_string(self.p("lab.key")).unwrap(), None).unwrap()
    }

    /// Re-signs `manifest` after `edit` changes its statement: the signature
    /// is valid, so only the manifest rules can reject it.
    fn resign(&self, manifest: &str, out: &str, edit: impl FnOnce(&mut serde_json::Value)) {
        let env: serde_json::Value =
            serde_json::from_slice(&std::fs::read(self.p(manifest)).unwrap()).unwrap();
        let payload = STANDARD.decode(env["payload"].as_str().unwrap()).unwrap();
        let mut statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        edit(&mut statement);
        let bytes = serde_json::to_vec(&statement).unwrap();
        let signed =
            custody_seal::dsse::Envelope::sign(custody_seal::dsse::IN_TOTO, &bytes, &self.key());
        std::fs::write(self.p(out), serde_json::to_vec(&signed).unwrap()).unwrap();
    }
}

#[test]
fn seal_then_verify_identical() {
    let f = Fixture::new();
    let r = f.seal("m.json", &["--record-key", "id"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("seal_stdout", f.clean(&r.stdout));
    let r = f.verify("m.json", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("verify_identical", f.clean(&r.stdout));
}

#[test]
fn one_byte_in_one_record_is_named_by_line_and_key() {
    let f = Fixture::new();
    assert_eq!(f.seal("m.json", &["--record-key", "id"]).code, 0);
    let body = std::fs::read_to_string(f.p("data/corpus.jsonl")).unwrap();
    std::fs::write(f.p("data/corpus.jsonl"), body.replace("bravo", "brave")).unwrap();
    let r = f.verify("m.json", &[]);
    assert_eq!(r.code, 1, "data differs: {}", r.stderr);
    insta::assert_snapshot!("verify_one_record", f.clean(&r.stdout));
    let r = f.verify("m.json", &["--json"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let m = &doc["report"]["modified"][0];
    assert_eq!(m["path"], "corpus.jsonl");
    assert_eq!(m["records"]["changed"][0]["line"], 2);
    assert_eq!(m["records"]["changed"][0]["key"], "b");
    assert_eq!(m["records"]["changed_count"], 1);
    assert_eq!(doc["signature"]["valid"], true);
}

#[test]
fn files_chunks_and_csv_records_without_a_key() {
    let f = Fixture::new();
    assert_eq!(f.seal("m.json", &[]).code, 0);
    // A byte in the third 4 KiB chunk, a CSV record inserted, a file added and one removed.
    let mut big = std::fs::read(f.p("data/weights.bin")).unwrap();
    big[9000] ^= 1;
    std::fs::write(f.p("data/weights.bin"), big).unwrap();
    std::fs::write(
        f.p("data/sub/table.csv"),
        "id,v\n1,x\n2,\"multi\nline\"\n9,new\n3,z\n",
    )
    .unwrap();
    std::fs::write(f.p("data/extra.txt"), "new").unwrap();
    std::fs::remove_file(f.p("data/corpus.jsonl")).unwrap();
    let r = f.verify("m.json", &[]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("verify_files_chunks_csv", f.clean(&r.stdout));
}

#[test]
fn diff_of_two_manifests() {
    let f = Fixture::new();
    assert_eq!(f.seal("old.json", &["--record-key", "id"]).code, 0);
    std::fs::write(
        f.p("data/corpus.jsonl"),
        "{\"id\":\"c\",\"text\":\"charlie\"}\n{\"id\":\"a\",\"text\":\"alpha\"}\n{\"id\":\"d\",\"text\":\"delta\"}\n",
    )
    .unwrap();
    assert_eq!(f.seal("new.json", &["--record-key", "id"]).code, 0);
    let (old, new, key) = (f.s("old.json"), f.s("new.json"), f.s("lab.pub"));
    let r = f.run(&["diff", &old, &new, "--key", &key]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("diff_keyed", f.clean(&r.stdout));
    let r = f.run(&["diff", &old, &old]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("signatures not checked"), "{}", r.stdout);
}

#[test]
fn tampered_envelopes_are_invalid_with_exit_4() {
    let f = Fixture::new();
    assert_eq!(f.seal("m.json", &[]).code, 0);
    let env: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.p("m.json")).unwrap()).unwrap();
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "signature",
            Box::new(|e| {
                let sig = e["signatures"][0]["sig"].as_str().unwrap();
                let mut raw = STANDARD.decode(sig).unwrap();
                raw[10] ^= 0x01;
                e["signatures"][0]["sig"] = STANDARD.encode(raw).into();
            }),
            "no valid signature",
        ),
        (
            "payload",
            Box::new(|e| {
                let p = STANDARD.decode(e["payload"].as_str().unwrap()).unwrap();
                let t = String::from_utf8(p)
                    .unwrap()
                    .replacen("\"size\":", "\"size\": ", 1);
                e["payload"] = STANDARD.encode(t).into();
            }),
            "no valid signature",
        ),
        (
            "payload type",
            Box::new(|e| e["payloadType"] = "application/json".into()),
            "payload type",
        ),
        (
            "unknown field",
            Box::new(|e| e["extra"] = true.into()),
            "unknown field",
        ),
        (
            "no signatures",
            Box::new(|e| e["signatures"] = serde_json::json!([])),
            "no signatures",
        ),
    ];
    for (what, edit, expect) in cases {
        let mut e = env.clone();
        edit(&mut e);
        std::fs::write(f.p("t.json"), serde_json::to_vec(&e).unwrap()).unwrap();
        let r = f.verify("t.json", &[]);
        assert_eq!(r.code, 4, "{what}: {}", r.stderr);
        assert!(r.stderr.contains(expect), "{what}: {}", r.stderr);
        assert!(r.stderr.contains("t.json"), "names the file: {}", r.stderr);
    }
    // A key id is a hint: another tool's id, or none, still verifies
    // with the trusted key (the signature decides).
    for keyid in ["00".repeat(32), "securesystemslib-id".into(), String::new()] {
        let mut e = env.clone();
        e["signatures"][0]["keyid"] = keyid.clone().into();
        std::fs::write(f.p("t.json"), serde_json::to_vec(&e).unwrap()).unwrap();
        let r = f.verify("t.json", &[]);
        assert_eq!(r.code, 0, "key id {keyid:?}: {}", r.stderr);
    }
    // Truncated, empty, oversized, and signed by someone else.
    let full = std::fs::read(f.p("m.json")).unwrap();
    std::fs::write(f.p("t.json"), &full[..full.len() / 2]).unwrap();
    let r = f.verify("t.json", &[]);
    assert_eq!(r.code, 4);
    assert!(
        r.stderr.contains("not JSON") && r.stderr.contains("line"),
        "{}",
        r.stderr
    );
    std::fs::write(f.p("t.json"), "").unwrap();
    assert_eq!(f.verify("t.json", &[]).code, 4);
    let r = f.verify("m.json", &["--max-manifest-size", "100"]);
    assert_eq!(r.code, 4);
    assert!(r.stderr.contains("100-byte limit"), "{}", r.stderr);
    assert_eq!(f.run(&["key", "generate", "-o", &f.s("other")]).code, 0);
    let (data, m, other) = (f.s("data"), f.s("m.json"), f.s("other.pub"));
    let r = f.run(&["verify", &data, "-m", &m, "--key", &other]);
    assert_eq!(r.code, 4);
    assert!(r.stderr.contains("not trusted"), "{}", r.stderr);
}

/// A manifest that cannot be read is bad input (exit 2), not an invalid
/// signature (exit 4): nothing was checked. The message names the file.
#[test]
fn a_manifest_that_cannot_be_read_is_bad_input() {
    let f = Fixture::new();
    assert_eq!(f.seal("m.json", &[]).code, 0);
    for (missing, reason) in [
        (
            "no-such-manifest.json",
            "cannot read the file: no such file",
        ),
        ("data", "cannot read the file: is a folder"),
    ] {
        let r = f.verify(missing, &[]);
        assert_eq!(r.code, 2, "{missing}: {}", r.stderr);
        assert!(
            r.stderr.contains(&f.s(missing)) && r.stderr.contains(reason),
            "names the file and why: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("signature"), "{}", r.stderr);
    }
    // The same for diff.
    let (m, missing) = (f.s("m.json"), f.s("no-such-manifest.json"));
    let r = f.run(&["diff", &m, &missing]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&missing), "{}", r.stderr);
}

#[test]
fn validly_signed_but_bad_manifests_are_rejected() {
    let f = Fixture::new();
    assert_eq!(f.seal("m.json", &[]).code, 0);
    let rename = |name: &'static str| -> Edit {
        Box::new(move |s| s["predicate"]["files"][0]["path"] = name.into())
    };
    let cases: Vec<(&str, Edit, &str)> = vec![
        ("dot-dot", rename("a/../b"), "`..` component"),
        ("absolute", rename("/etc/passwd"), "absolute path"),
        ("backslash", rename("a\\b"), "backslash"),
        (
            "duplicate",
            Box::new(|s| {
                let first = s["predicate"]["files"][0].clone();
                s["predicate"]["files"]
                    .as_array_mut()
                    .unwrap()
                    .insert(0, first);
            }),
            "out of order or repeated",
        ),
        (
            "case collision",
            Box::new(|s| {
                let mut first = s["predicate"]["files"][0].clone();
                first["path"] = "Corpus.jsonl".into();
                s["predicate"]["files"]
                    .as_array_mut()
                    .unwrap()
                    .insert(0, first);
            }),
            "differ only in case",
        ),
        (
            "look-alike",
            Box::new(|s| {
                let mut first = s["predicate"]["files"][0].clone();
                // U+FF43 FULLWIDTH LATIN SMALL LETTER C.
                first["path"] = "\u{ff43}orpus.jsonl".into();
                s["predicate"]["files"].as_array_mut().unwrap().push(first);
            }),
            "look alike",
        ),
        (
            "root",
            Box::new(|s| s["predicate"]["files"][1]["size"] = 1.into()),
            "hash to root",
        ),
        (
            "subject",
            Box::new(|s| s["subject"][0]["digest"]["blake3"] = "00".repeat(32).into()),
            "the manifest was altered",
        ),
        (
            "records",
            Box::new(|s| s["predicate"]["files"][0]["records"]["count"] = 99.into()),
            "record fingerprints",
        ),
        (
            "predicate type",
            Box::new(|s| s["predicateType"] = "https://example.com/other".into()),
            "predicate type",
        ),
    ];
    for (what, edit, expect) in cases {
        f.resign("m.json", "t.json", edit);
        let r = f.verify("t.json", &[]);
        assert_eq!(r.code, 4, "{what}: {}", r.stderr);
        assert!(
            r.stderr.contains(expect),
            "{what}: expected {expect:?} in {}",
            r.stderr
        );
    }
}

#[test]
fn bad_data_is_refused_and_the_old_manifest_survives() {
    let f = Fixture::new();
    assert_eq!(f.seal("m.json", &[]).code, 0);
    let before = std::fs::read(f.p("m.json")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", f.p("data/link")).unwrap();
    let r = f.seal("m.json", &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("data/link: is a symbolic link"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read(f.p("m.json")).unwrap(),
        before,
        "old manifest intact"
    );
    let r = f.seal("m.json", &["--symlinks", "follow"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("points outside the dataset"),
        "{}",
        r.stderr
    );
    std::fs::remove_file(f.p("data/link")).unwrap();
    std::fs::write(f.p("data/Corpus.jsonl"), "{}").unwrap();
    let r = f.seal("m2.json", &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("differ only in case"), "{}", r.stderr);
    assert!(!f.p("m2.json").exists(), "nothing half-written");
    std::fs::remove_file(f.p("data/Corpus.jsonl")).unwrap();
    let fifo = f.p("data/pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let r = f.seal("m2.json", &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
    std::fs::remove_file(&fifo).unwrap();
    // A record without its key field names the line.
    std::fs::write(f.p("data/corpus.jsonl"), "{\"id\":1}\n{\"name\":2}\n").unwrap();
    let r = f.seal("m2.json", &["--record-key", "id"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("corpus.jsonl:2: record has no field \"id\""),
        "{}",
        r.stderr
    );
    // Unreadable data at verify time.
    let r = f.run(&[
        "verify",
        &f.s("missing"),
        "-m",
        &f.s("m.json"),
        "--key",
        &f.s("lab.pub"),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing"), "{}", r.stderr);
}

#[test]
fn keys_with_passphrases_and_p256_bundles() {
    let f = Fixture::new();
    let prefix = f.s("enc");
    let r = common::run(
        common::custody(f.dir.path())
            .args([
                "key",
                "generate",
                "-o",
                &prefix,
                "--scheme",
                "ecdsa-p256",
                "--passphrase-env",
                "PW",
            ])
            .env("PW", "s3cret"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["scheme"], "ecdsa-p256");
    assert_eq!(doc["encrypted"], true);
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(f.p("enc.key")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "private key is private");
    let (data, key, out) = (f.s("data"), f.s("enc.key"), f.s("b.json"));
    let seal = |pw: Option<&str>| {
        let mut c = common::custody(f.dir.path());
        c.args(["seal", &data, "-k", &key, "-o", &out, "--format", "bundle"]);
        c.env_remove("CUSTODY_KEY_PASSPHRASE");
        if let Some(pw) = pw {
            c.env("CUSTODY_KEY_PASSPHRASE", pw);
        }
        common::run(&mut c)
    };
    let r = seal(None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("encrypted"), "{}", r.stderr);
    let r = seal(Some("wrong"));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("wrong passphrase"), "{}", r.stderr);
    let r = seal(Some("s3cret"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.p("b.json")).unwrap()).unwrap();
    assert_eq!(
        bundle["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert_eq!(
        bundle["verificationMaterial"]["publicKey"]["hint"],
        doc["key_id"]
    );
    let r = f.run(&["verify", &data, "-m", &out, "--key", &f.s("enc.pub")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Existing key files are not overwritten.
    let r = f.run(&["key", "generate", "-o", &prefix]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("exists"), "{}", r.stderr);
}

#[test]
fn seal_json_summary_and_sha256() {
    let f = Fixture::new();
    let r = f.seal("m.json", &["--hash", "sha256", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["algorithm"], "sha256");
    assert_eq!(doc["files"], 3);
    assert_eq!(doc["records"], 6, "3 JSONL + 3 CSV records");
    // The statement's subject is the dataset and its root, as in-toto wants.
    let env: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.p("m.json")).unwrap()).unwrap();
    let st: serde_json::Value =
        serde_json::from_slice(&STANDARD.decode(env["payload"].as_str().unwrap()).unwrap())
            .unwrap();
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(st["subject"][0]["name"], "data");
    assert_eq!(st["subject"][0]["digest"]["sha256"], doc["root"]);
    assert_eq!(f.verify("m.json", &[]).code, 0);
}

#[test]
fn key_generate_output() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("team").to_str().unwrap().to_owned();
    let r = custody_run(
        dir.path(),
        &["key", "generate", "-o", &prefix, "--scheme", "ecdsa-p256"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let id = doc["key_id"].as_str().unwrap().to_owned();
    // The key id is the SHA-256 of the public key file's text.
    let public = std::fs::read(dir.path().join("team.pub")).unwrap();
    assert_eq!(
        custody_seal::keys::hex(&<sha2::Sha256 as sha2::Digest>::digest(&public)),
        id
    );
    let tmp = dir.path().to_str().unwrap();
    insta::assert_snapshot!(
        "key_generate_stdout",
        r.stdout.replace(&id, "[KEY]").replace(tmp, "[TMP]")
    );
    insta::assert_snapshot!("key_generate_stderr", r.stderr.replace(tmp, "[TMP]"));
}
