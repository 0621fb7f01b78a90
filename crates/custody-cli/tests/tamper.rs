//! The tamper suite: every signed artifact custody makes (seal manifests,
//! as DSSE envelopes and Sigstore bundles; model-signing bundles; `custody
//! run` attestations; delivery bundles), changed in one way at a time,
//! must be refused by the real binary with a stable exit code and a reason
//! that names the change. Each test first checks its unchanged artifact
//! verifies (exit 0): a verifier that refused everything would fail it, as
//! would one that accepted everything.
//!
//! The changes are data (`common/tamper.rs` for those every envelope
//! shares, each test's own table for its statement): class, change,
//! function, exit code, words. docs/security.md lists the classes.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::path::Path;

use common::tamper::{self, Answers, Case, Signed, first_string, insert_in_object};
use custody_seal::keys::{Scheme, SigningKey, hex};
use serde_json::{Value, json};

/// `custody verify` answers 4 to every refused manifest or signature.
const VERIFY: Answers = Answers {
    untrusted: 4,
    malformed: 4,
    payload_type: 4,
};

const ZEROS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn write(root: &Path, name: &str, data: &[u8]) {
    let p = root.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

/// A key pair written by `custody key generate -o DIR/NAME`, loaded.
fn keygen(home: &Path, dir: &Path, name: &str, scheme: &str) -> SigningKey {
    let prefix = dir.join(name);
    let r = common::custody_run(
        home,
        &["key", "generate", "-o", s(&prefix), "--scheme", scheme],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pem = std::fs::read_to_string(dir.join(format!("{name}.key"))).unwrap();
    SigningKey::from_pem(&pem, None).unwrap()
}

/// Runs the control and every case: each changed artifact is written to
/// `dir/case-N.json` and given to `check`, which returns the exit code and
/// the output. All failures are reported together.
fn run_cases(signed: &Signed, cases: &[Case], dir: &Path, check: &dyn Fn(&Path) -> (i32, String)) {
    let key_id = signed.key.public().key_id();
    let good = dir.join("good.json");
    std::fs::write(&good, &signed.bytes).unwrap();
    let (code, out) = check(&good);
    assert_eq!(code, 0, "the unchanged artifact must verify:\n{out}");
    assert!(out.contains(&key_id), "{out}");
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let bytes = (case.mutate)(signed);
        assert_ne!(
            bytes, signed.bytes,
            "[{}] {} changes nothing",
            case.class, case.change
        );
        let path = dir.join(format!("case-{i}.json"));
        std::fs::write(&path, &bytes).unwrap();
        let (code, out) = check(&path);
        failures.extend(tamper::judge(case, code, &out, &key_id));
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n---\n")
    );
}

/// `custody verify PATHS -m MANIFEST --key PUB` from `cwd`: exit code,
/// stdout and stderr (the text a user reads).
fn verify(
    home: &Path,
    cwd: &Path,
    paths: &[&str],
    manifest: &Path,
    public: &Path,
) -> (i32, String) {
    let r = common::run(
        common::custody(home)
            .current_dir(cwd)
            .arg("verify")
            .args(paths)
            .args(["-m", s(manifest), "--key", s(public)]),
    );
    (r.code, format!("{}{}", r.stdout, r.stderr))
}

// ------------------------------------------------------ seal manifests --

/// The predicate's files, changed by `edit` (root left as signed).
fn files(s: &Signed, edit: impl FnOnce(&mut Vec<Value>)) -> Vec<u8> {
    s.resigned(|st| edit(st["predicate"]["files"].as_array_mut().unwrap()))
}

/// `entry` inserted where the order of paths puts it.
fn insert_sorted(list: &mut Vec<Value>, entry: Value) {
    list.push(entry);
    list.sort_by(|a, b| {
        let (a, b) = (a["path"].as_str().unwrap(), b["path"].as_str().unwrap());
        a.split('/').cmp(b.split('/'))
    });
}

/// A copy of the entry for `path`, named `name`.
fn twin(list: &[Value], path: &str, name: &str) -> Value {
    let mut e = list.iter().find(|e| e["path"] == path).unwrap().clone();
    e["path"] = name.into();
    e
}

fn rename(list: &mut [Value], path: &str, name: &str) {
    let e = list.iter_mut().find(|e| e["path"] == path).unwrap();
    e["path"] = name.into();
}

/// The statement with `a.jsonl` renamed to a Cyrillic look-alike, its root
/// and subject computed again: a consistent forgery the rules allow (two
/// scripts are two names), caught by the data.
fn consistent_lookalike(s: &Signed) -> Vec<u8> {
    s.resigned(|st| {
        let mut m: custody_seal::manifest::Manifest =
            serde_json::from_value(st["predicate"].clone()).unwrap();
        m.files[0].path = "\u{430}.jsonl".into();
        m.files
            .sort_by(|a, b| custody_seal::names::order(&a.path, &b.path));
        m.root = hex(&m.compute_root());
        st["subject"][0]["digest"]["blake3"] = m.root.clone().into();
        st["predicate"] = serde_json::to_value(&m).unwrap();
    })
}

fn manifest_entry_cases() -> Vec<Case> {
    let root_words: &'static [&'static str] = &["hash to root"];
    vec![
        Case {
            class: "entries",
            change: "an entry added",
            mutate: |s| {
                files(s, |l| {
                    l.push(json!({"path": "zz.bin", "size": 1, "digest": ZEROS}));
                })
            },
            exit: 4,
            says: root_words,
        },
        Case {
            class: "entries",
            change: "an entry removed",
            mutate: |s| files(s, |l| drop(l.pop())),
            exit: 4,
            says: root_words,
        },
        Case {
            class: "entries",
            change: "an entry's digest",
            mutate: |s| files(s, |l| l[1]["digest"] = ZEROS.into()),
            exit: 4,
            says: root_words,
        },
        Case {
            class: "entries",
            change: "an entry's size",
            mutate: |s| files(s, |l| l[1]["size"] = 5.into()),
            exit: 4,
            says: root_words,
        },
    ]
}

/// Names no walk gives, and names that collide: refused by the rules
/// before the root is computed.
fn manifest_name_cases() -> Vec<Case> {
    vec![
        Case {
            class: "path",
            change: "`../a.jsonl`",
            mutate: |s| files(s, |l| rename(l, "a.jsonl", "../a.jsonl")),
            exit: 4,
            says: &["\"../a.jsonl\"", "`..` component"],
        },
        Case {
            class: "path",
            change: "an absolute path",
            mutate: |s| files(s, |l| rename(l, "a.jsonl", "/etc/passwd")),
            exit: 4,
            says: &["absolute path"],
        },
        Case {
            class: "path",
            change: "a backslash",
            mutate: |s| files(s, |l| rename(l, "a.jsonl", "a\\b.jsonl")),
            exit: 4,
            says: &["backslash"],
        },
        Case {
            class: "path",
            change: "a NUL",
            mutate: |s| files(s, |l| rename(l, "a.jsonl", "a\0.jsonl")),
            exit: 4,
            says: &["control character"],
        },
        Case {
            class: "unicode",
            change: "the NFD twin of the NFC `café.txt` added",
            mutate: |s| {
                files(s, |l| {
                    let t = twin(l, "caf\u{e9}.txt", "cafe\u{301}.txt");
                    insert_sorted(l, t);
                })
            },
            exit: 4,
            says: &["look alike", "NFKC"],
        },
        Case {
            class: "unicode",
            change: "a compatibility look-alike (`ﬁle.txt`, U+FB01) of `file.txt` added",
            mutate: |s| {
                files(s, |l| {
                    let t = twin(l, "file.txt", "\u{fb01}le.txt");
                    insert_sorted(l, t);
                })
            },
            exit: 4,
            says: &["look alike"],
        },
        Case {
            class: "unicode",
            change: "`a.jsonl` renamed to Cyrillic `а.jsonl`, root as signed",
            mutate: |s| {
                files(s, |l| {
                    rename(l, "a.jsonl", "\u{430}.jsonl");
                    l.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
                })
            },
            exit: 4,
            says: &["hash to root"],
        },
        Case {
            class: "unicode",
            change: "`a.jsonl` renamed to Cyrillic `а.jsonl`, root and subject recomputed",
            mutate: consistent_lookalike,
            exit: 1,
            says: &["removed  \u{430}.jsonl", "added    a.jsonl"],
        },
        Case {
            class: "case",
            change: "`A.jsonl` added beside `a.jsonl`",
            mutate: |s| {
                files(s, |l| {
                    let t = twin(l, "a.jsonl", "A.jsonl");
                    insert_sorted(l, t);
                })
            },
            exit: 4,
            says: &["differ only in case"],
        },
    ]
}

/// Order, repeats and what a JSON reader could take two ways.
fn manifest_order_cases() -> Vec<Case> {
    vec![
        Case {
            class: "reordering",
            change: "two entries swapped",
            mutate: |s| files(s, |l| l.swap(0, 1)),
            exit: 4,
            says: &["out of order"],
        },
        Case {
            class: "entries",
            change: "an entry listed twice",
            mutate: |s| {
                files(s, |l| {
                    let e = l[0].clone();
                    l.insert(1, e);
                })
            },
            exit: 4,
            says: &["repeated"],
        },
        Case {
            class: "duplicate key",
            change: "a second `blake3` in the subject digest, the signed root last",
            mutate: |s| {
                s.resigned_text(|t| {
                    insert_in_object(t, "digest", &format!("\"blake3\":\"{ZEROS}\","))
                })
            },
            exit: 4,
            says: &["read two ways", "duplicate key \"blake3\""],
        },
        Case {
            class: "duplicate key",
            change: "a second `size` in the first entry",
            mutate: |s| s.resigned_text(|t| insert_in_object(t, "files", "\"size\":0,")),
            exit: 4,
            says: &["read two ways", "duplicate key \"size\""],
        },
        Case {
            class: "duplicate key",
            change: "a second `predicate`, empty, before the signed one",
            mutate: |s| s.resigned_text(|t| format!("{{\"predicate\":{{}},{}", &t[1..])),
            exit: 4,
            says: &["read two ways", "duplicate key \"predicate\""],
        },
        Case {
            class: "trailing data",
            change: "`{}` after the signed statement",
            mutate: |s| s.resigned_text(|t| format!("{t}{{}}")),
            exit: 4,
            says: &["trailing characters"],
        },
        Case {
            class: "truncation",
            change: "the signed statement cut in half",
            mutate: |s| s.resigned_text(|t| t[..t.len() / 2].to_owned()),
            exit: 4,
            says: &["EOF while parsing"],
        },
    ]
}

/// A dataset whose names invite twins: `café.txt` (NFC) and `file.txt`.
fn dataset(root: &Path) {
    write(root, "a.jsonl", b"{\"id\":1}\n{\"id\":2}\n");
    write(root, "b.bin", &[0, 1, 2, 255]);
    write(root, "caf\u{e9}.txt", b"NFC");
    write(root, "file.txt", b"f");
}

#[test]
fn seal_manifests_refuse_every_single_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = keygen(d, d, "lab", "ed25519");
    dataset(&d.join("data"));
    for format in ["dsse", "bundle"] {
        let out = d.join(format!("m.{format}.json"));
        let r = common::custody_run(
            d,
            &[
                "seal",
                s(&d.join("data")),
                "-k",
                s(&d.join("lab.key")),
                "-o",
                s(&out),
                "--format",
                format,
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let signed = Signed {
            bytes: std::fs::read(&out).unwrap(),
            key: SigningKey::from_pem(&std::fs::read_to_string(d.join("lab.key")).unwrap(), None)
                .unwrap(),
            stranger: SigningKey::generate(Scheme::Ed25519).unwrap(),
        };
        assert_eq!(signed.key.public().key_id(), key.public().key_id());
        let mut cases = tamper::container(&VERIFY);
        if format == "bundle" {
            cases.extend(tamper::bundle());
        }
        cases.extend(manifest_entry_cases());
        cases.extend(manifest_name_cases());
        cases.extend(manifest_order_cases());
        let cases_dir = d.join(format!("cases-{format}"));
        std::fs::create_dir_all(&cases_dir).unwrap();
        run_cases(&signed, &cases, &cases_dir, &|m| {
            verify(d, d, &[s(&d.join("data"))], m, &d.join("lab.pub"))
        });
    }
}

// ------------------------------------------------ model-signing bundles --

/// The predicate's resources, changed by `edit` (subject root as signed).
fn resources(s: &Signed, edit: impl FnOnce(&mut Vec<Value>)) -> Vec<u8> {
    s.resigned(|st| edit(st["predicate"]["resources"].as_array_mut().unwrap()))
}

fn rename_resource(list: &mut [Value], name: &str, to: &str) {
    let r = list.iter_mut().find(|r| r["name"] == name).unwrap();
    r["name"] = to.into();
}

/// model-signing names files and signs digests only (no sizes, no
/// chunks): a renamed resource keeps the root, so a name no walk gives is
/// refused by name, and a name that could be a file is compared with the
/// model (exit 1, the name reported).
fn model_signing_entry_cases() -> Vec<Case> {
    let root_words: &'static [&'static str] = &["hash to root"];
    vec![
        Case {
            class: "entries",
            change: "a resource added",
            mutate: |s| {
                resources(s, |l| {
                    l.push(json!({"name": "zz.bin", "algorithm": "sha256", "digest": ZEROS}));
                })
            },
            exit: 4,
            says: root_words,
        },
        Case {
            class: "entries",
            change: "a resource removed",
            mutate: |s| resources(s, |l| drop(l.pop())),
            exit: 4,
            says: root_words,
        },
        Case {
            class: "entries",
            change: "a resource's digest",
            mutate: |s| resources(s, |l| l[0]["digest"] = ZEROS.into()),
            exit: 4,
            says: root_words,
        },
        Case {
            class: "reordering",
            change: "two resources swapped (the root covers the order)",
            mutate: |s| resources(s, |l| l.swap(0, 1)),
            exit: 4,
            says: root_words,
        },
        Case {
            class: "entries",
            change: "a resource listed twice",
            mutate: |s| {
                resources(s, |l| {
                    let mut e = l[0].clone();
                    e["name"] = format!("./{}", e["name"].as_str().unwrap()).into();
                    l.insert(1, e);
                })
            },
            exit: 4,
            says: &["both name"],
        },
    ]
}

/// Renamed resources: a name no file can have is refused by name; one
/// that could be a file is compared with the model (exit 1, both named).
fn model_signing_name_cases() -> Vec<Case> {
    vec![
        Case {
            class: "path",
            change: "`../weights.bin`",
            mutate: |s| resources(s, |l| rename_resource(l, "weights.bin", "../weights.bin")),
            exit: 4,
            says: &["`..` component", "names no file inside the model"],
        },
        Case {
            class: "path",
            change: "an absolute path",
            mutate: |s| resources(s, |l| rename_resource(l, "weights.bin", "/weights.bin")),
            exit: 4,
            says: &["an absolute path"],
        },
        Case {
            class: "path",
            change: "a NUL",
            mutate: |s| resources(s, |l| rename_resource(l, "weights.bin", "weights\0.bin")),
            exit: 4,
            says: &["a NUL character"],
        },
        Case {
            class: "path",
            change: "`sub/x.txt` as `sub\\x.txt` (a file name on POSIX: compared, not found)",
            mutate: |s| resources(s, |l| rename_resource(l, "sub/x.txt", "sub\\x.txt")),
            exit: 1,
            says: &[r"removed  sub\x.txt", "added    sub/x.txt"],
        },
        Case {
            class: "unicode",
            change: "`café.txt` (NFC on disk) signed as its NFD twin",
            mutate: |s| {
                resources(s, |l| {
                    rename_resource(l, "caf\u{e9}.txt", "cafe\u{301}.txt");
                })
            },
            exit: 1,
            says: &["removed  cafe\u{301}.txt", "added    caf\u{e9}.txt"],
        },
        Case {
            class: "unicode",
            change: "`config.json` signed as Cyrillic `сonfig.json`",
            mutate: |s| {
                resources(s, |l| {
                    rename_resource(l, "config.json", "\u{441}onfig.json");
                })
            },
            exit: 1,
            says: &["removed  \u{441}onfig.json"],
        },
        Case {
            class: "case",
            change: "`weights.bin` signed as `Weights.bin`",
            mutate: |s| resources(s, |l| rename_resource(l, "weights.bin", "Weights.bin")),
            exit: 1,
            says: &["removed  Weights.bin", "added    weights.bin"],
        },
    ]
}

/// What a JSON reader could take two ways, or not read at all.
fn model_signing_json_cases() -> Vec<Case> {
    vec![
        Case {
            class: "duplicate key",
            change: "a second `digest` in the first resource, the signed one last",
            mutate: |s| {
                s.resigned_text(|t| {
                    insert_in_object(t, "resources", &format!("\"digest\": \"{ZEROS}\","))
                })
            },
            exit: 4,
            says: &["read two ways", "duplicate key \"digest\""],
        },
        Case {
            class: "duplicate key",
            change: "a second `sha256` in the subject digest, the signed root last",
            mutate: |s| {
                s.resigned_text(|t| {
                    insert_in_object(t, "digest", &format!("\"sha256\": \"{ZEROS}\","))
                })
            },
            exit: 4,
            says: &["read two ways", "duplicate key \"sha256\""],
        },
        Case {
            class: "duplicate key",
            change: "a second, empty `resources` before the signed one",
            mutate: |s| s.resigned_text(|t| insert_in_object(t, "predicate", "\"resources\": [],")),
            exit: 4,
            says: &["read two ways", "duplicate key \"resources\""],
        },
        Case {
            class: "trailing data",
            change: "`{}` after the signed statement",
            mutate: |s| s.resigned_text(|t| format!("{t}{{}}")),
            exit: 4,
            says: &["trailing characters"],
        },
        Case {
            class: "truncation",
            change: "the signed statement cut in half",
            mutate: |s| s.resigned_text(|t| t[..t.len() / 2].to_owned()),
            exit: 4,
            says: &["EOF while parsing"],
        },
    ]
}

#[test]
fn model_signing_bundles_refuse_every_single_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = keygen(d, d, "ms", "ecdsa-p256");
    let model = d.join("model");
    write(&model, "weights.bin", &[7u8; 1000]);
    write(&model, "config.json", b"{\"layers\": 2}");
    write(&model, "caf\u{e9}.txt", b"NFC");
    write(&model, "sub/x.txt", b"x");
    let sig = d.join("model.sig");
    let r = common::custody_run(
        d,
        &[
            "seal",
            s(&model),
            "--format",
            "model-signing",
            "-k",
            s(&d.join("ms.key")),
            "-o",
            s(&sig),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let signed = Signed {
        bytes: std::fs::read(&sig).unwrap(),
        key,
        stranger: SigningKey::generate(Scheme::EcdsaP256).unwrap(),
    };
    assert_eq!(
        first_string(&String::from_utf8(signed.payload()).unwrap(), "_type"),
        "https://in-toto.io/Statement/v1"
    );
    let mut cases = tamper::container(&VERIFY);
    cases.extend(tamper::bundle());
    cases.extend(model_signing_entry_cases());
    cases.extend(model_signing_name_cases());
    cases.extend(model_signing_json_cases());
    let cases_dir = d.join("cases");
    std::fs::create_dir_all(&cases_dir).unwrap();
    run_cases(&signed, &cases, &cases_dir, &|m| {
        verify(d, d, &[s(&model)], m, &d.join("ms.pub"))
    });
    reference_agrees(&cases, &cases_dir, &model, &d.join("ms.pub"));
}

/// The changes the reference implementation (`model_signing verify key`
/// 1.1.1) accepts. Its JSON readers keep a key's last value, so it takes
/// the duplicate keys custody refuses. It refuses one change custody
/// accepts: a bundle whose key hint is not the hash of the key given
/// ("Key mismatch"); custody reads the hint as a hint, and the signature,
/// which verifies with the trusted key, decides (docs/seal.md).
const REFERENCE_ACCEPTS: &[&str] = &[
    "the key id changed to a stranger's",
    "blank lines after the JSON",
    "a second `payload`",
    "a second `digest` in the first resource",
    "a second `sha256` in the subject digest",
    "a second, empty `resources` before the signed one",
];

/// Oracle: the reference verifier over every changed signature: the ones
/// it accepts are [`REFERENCE_ACCEPTS`], exactly (so a change of its
/// behaviour shows); every other, it refuses as custody does (but the key
/// hint, above).
fn reference_agrees(cases: &[Case], dir: &Path, model: &Path, public: &Path) {
    let script = common::root().join("scripts/interop/model-signing-venv.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "provisioning model_signing failed (python3 with venv and pip, PyPI the first time): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bin = Path::new(String::from_utf8_lossy(&out.stdout).trim()).join("bin/model_signing");
    let mut accepted = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let sig = dir.join(format!("case-{i}.json"));
        let r = common::run(
            std::process::Command::new(&bin)
                .args([
                    "verify",
                    "key",
                    s(model),
                    "--signature",
                    s(&sig),
                    "--public_key",
                    s(public),
                ])
                .env("PYTHONDONTWRITEBYTECODE", "1"),
        );
        if r.code == 0 {
            accepted.push(case.change);
        }
    }
    let unexpected: Vec<&str> = accepted
        .iter()
        .filter(|c| !REFERENCE_ACCEPTS.iter().any(|a| c.starts_with(a)))
        .copied()
        .collect();
    let missing: Vec<&str> = REFERENCE_ACCEPTS
        .iter()
        .filter(|a| !accepted.iter().any(|c| c.starts_with(*a)))
        .copied()
        .collect();
    assert!(
        unexpected.is_empty() && missing.is_empty(),
        "model_signing accepted {accepted:#?}\nnot listed: {unexpected:?}\nlisted, not accepted: {missing:?}"
    );
}

// ---------------------------------------------- run attestations (SLSA) --

fn subjects(s: &Signed, edit: impl FnOnce(&mut Vec<Value>)) -> Vec<u8> {
    s.resigned(|st| edit(st["subject"].as_array_mut().unwrap()))
}

/// An attestation's subjects are matched to the paths given to verify:
/// a change to them is a difference (exit 1, named), and what a JSON
/// reader could take two ways is refused.
fn attestation_cases() -> Vec<Case> {
    vec![
        Case {
            class: "entries",
            change: "the subject's digest",
            mutate: |s| subjects(s, |l| l[0]["digest"]["sha256"] = ZEROS.into()),
            exit: 1,
            says: &["~ modified out/a.jsonl", "1 modified"],
        },
        Case {
            class: "entries",
            change: "a subject added",
            mutate: |s| {
                subjects(s, |l| {
                    l.push(json!({"name": "out/z.bin", "digest": {"sha256": ZEROS}}));
                })
            },
            exit: 1,
            says: &["out/z.bin: an attested output was not given to verify"],
        },
        Case {
            class: "entries",
            change: "the subject removed",
            mutate: |s| subjects(s, Vec::clear),
            exit: 1,
            says: &["added    out/a.jsonl", "1 added"],
        },
        Case {
            class: "path",
            change: "the subject renamed `../out/a.jsonl`",
            mutate: |s| subjects(s, |l| l[0]["name"] = "../out/a.jsonl".into()),
            exit: 1,
            says: &["an attested output was not given to verify"],
        },
        Case {
            class: "duplicate key",
            change: "a second `sha256` in the subject digest, the signed one last",
            mutate: |s| {
                s.resigned_text(|t| {
                    insert_in_object(t, "digest", &format!("\"sha256\": \"{ZEROS}\","))
                })
            },
            exit: 4,
            says: &["read two ways", "duplicate key \"sha256\""],
        },
        Case {
            class: "duplicate key",
            change: "a second, empty `buildDefinition` in the predicate",
            mutate: |s| {
                s.resigned_text(|t| insert_in_object(t, "predicate", "\"buildDefinition\": {},"))
            },
            exit: 4,
            says: &["read two ways", "duplicate key \"buildDefinition\""],
        },
        Case {
            class: "trailing data",
            change: "`{}` after the signed statement",
            mutate: |s| s.resigned_text(|t| format!("{t}{{}}")),
            exit: 4,
            says: &["trailing characters"],
        },
        Case {
            class: "truncation",
            change: "the signed statement cut in half",
            mutate: |s| s.resigned_text(|t| t[..t.len() / 2].to_owned()),
            exit: 4,
            says: &["EOF while parsing"],
        },
    ]
}

#[test]
fn run_attestations_refuse_every_single_change() {
    let w = common::sandbox::World::new();
    let key = keygen(w.dir.path(), w.dir.path(), "lab", "ed25519");
    let code = format!("open({:?}, 'w').write('{{}}\\n')\n", w.s("out/a.jsonl"));
    let (r, _) = w.sandboxed(&["--output", "out/a.jsonl", "-k", &w.s("lab.key")], &code);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let signed = Signed {
        bytes: std::fs::read(w.p("att.json")).unwrap(),
        key,
        stranger: SigningKey::generate(Scheme::Ed25519).unwrap(),
    };
    let mut cases = tamper::container(&VERIFY);
    cases.extend(attestation_cases());
    let cases_dir = w.p("cases");
    std::fs::create_dir_all(&cases_dir).unwrap();
    run_cases(&signed, &cases, &cases_dir, &|m| {
        let r = common::run(w.custody().args([
            "verify",
            "out/a.jsonl",
            "-m",
            s(m),
            "--key",
            &w.s("lab.pub"),
        ]));
        (r.code, format!("{}{}", r.stdout, r.stderr))
    });
}

// ---------------------------------------------------- delivery bundles --

/// `custody accept` answers 1 (rejected, with the failed check) to a
/// signature that does not hold and 2 to a bundle it cannot read.
const ACCEPT: Answers = Answers {
    untrusted: 1,
    malformed: 2,
    payload_type: 2,
};

fn delivery_cases() -> Vec<Case> {
    vec![
        Case {
            class: "entries",
            change: "the delivered root and the subject changed together",
            mutate: |s| {
                s.resigned(|st| {
                    st["subject"][0]["digest"]["sha256"] = ZEROS.into();
                    st["predicate"]["dataset"]["root"] = ZEROS.into();
                })
            },
            exit: 1,
            says: &["the manifest is not the seal of the delivered version"],
        },
        Case {
            class: "entries",
            change: "the subject's digest alone",
            mutate: |s| s.resigned(|st| st["subject"][0]["digest"]["sha256"] = ZEROS.into()),
            exit: 2,
            says: &["the subject is not the dataset the bundle names"],
        },
        Case {
            class: "payload byte",
            change: "one byte of the carried manifest (the bundle signed again)",
            mutate: |s| {
                s.resigned(|st| {
                    let m = st["predicate"]["manifest"].as_str().unwrap();
                    let mut env: Value = serde_json::from_str(m).unwrap();
                    let mut p = env["payload"].as_str().unwrap().to_owned();
                    let mid = p.len() / 2;
                    let c = if &p[mid..=mid] == "A" { "B" } else { "A" };
                    p.replace_range(mid..=mid, c);
                    env["payload"] = p.into();
                    st["predicate"]["manifest"] = env.to_string().into();
                })
            },
            exit: 1,
            says: &["the manifest: ", "verifies with none of the"],
        },
        Case {
            class: "entries",
            change: "an attestation added that is not a signed document",
            mutate: |s| s.resigned(|st| st["predicate"]["attestations"] = json!(["{}"])),
            exit: 1,
            says: &["attestation 0: "],
        },
        Case {
            class: "duplicate key",
            change: "a second `sha256` in the subject digest, the signed root last",
            mutate: |s| {
                s.resigned_text(|t| {
                    insert_in_object(t, "digest", &format!("\"sha256\":\"{ZEROS}\","))
                })
            },
            exit: 2,
            says: &["read two ways", "duplicate key \"sha256\""],
        },
        Case {
            class: "duplicate key",
            change: "a second `dataset` in the predicate",
            mutate: |s| {
                s.resigned_text(|t| {
                    insert_in_object(
                        t,
                        "predicate",
                        &format!("\"dataset\":{{\"name\":\"x\",\"root\":\"{ZEROS}\",\"algorithm\":\"sha256\"}},"),
                    )
                })
            },
            exit: 2,
            says: &["read two ways", "duplicate key \"dataset\""],
        },
        Case {
            class: "trailing data",
            change: "`{}` after the signed statement",
            mutate: |s| s.resigned_text(|t| format!("{t}{{}}")),
            exit: 2,
            says: &["trailing characters"],
        },
        Case {
            class: "truncation",
            change: "the signed statement cut in half",
            mutate: |s| s.resigned_text(|t| t[..t.len() / 2].to_owned()),
            exit: 2,
            says: &["EOF while parsing"],
        },
    ]
}

#[test]
fn delivery_bundles_refuse_every_single_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = keygen(d, d, "vendor", "ed25519");
    dataset(&d.join("raw"));
    let ok = |args: &[&str]| {
        let r = common::custody_run(d, args);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
    };
    let (vk, vp) = (d.join("vendor.key"), d.join("vendor.pub"));
    ok(&["ledger", "trust", "add", s(&vp)]);
    ok(&[
        "seal",
        s(&d.join("raw")),
        "--hash",
        "sha256",
        "-k",
        s(&vk),
        "-o",
        s(&d.join("raw.m.json")),
        "--record",
    ]);
    let bundle = d.join("raw.delivery.json");
    ok(&[
        "deliver",
        s(&d.join("raw.m.json")),
        "-k",
        s(&vk),
        "-o",
        s(&bundle),
    ]);
    std::fs::create_dir_all(d.join("keys")).unwrap();
    std::fs::copy(&vp, d.join("keys/vendor.pub")).unwrap();
    std::fs::write(d.join("delivery.toml"), "").unwrap();
    let signed = Signed {
        bytes: std::fs::read(&bundle).unwrap(),
        key,
        stranger: SigningKey::generate(Scheme::Ed25519).unwrap(),
    };
    let mut cases = tamper::container(&ACCEPT);
    cases.extend(delivery_cases());
    let cases_dir = d.join("cases");
    std::fs::create_dir_all(&cases_dir).unwrap();
    run_cases(&signed, &cases, &cases_dir, &|b| {
        let r = common::custody_run(
            d,
            &[
                "accept",
                s(b),
                "--policy",
                s(&d.join("delivery.toml")),
                "--trust",
                s(&d.join("keys")),
                "--format",
                "json",
            ],
        );
        (r.code, format!("{}{}", r.stdout, r.stderr))
    });
}
