//! Oracle: `custody verify` accepts a custody manifest statement signed
//! by securesystemslib (an independent DSSE implementation, in-toto's),
//! with the public key `custody key generate` wrote, whatever key id
//! securesystemslib puts in the signature; and pyca/cryptography loads the
//! private key `custody key generate` wrote. securesystemslib and its
//! pinned dependencies are installed once into
//! `<target>/interop/in-toto-venv` by `scripts/interop/in-toto-venv.sh`;
//! these tests need python3 (venv, pip) and PyPI the first time, and are
//! never skipped.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{custody_run, root};

/// Re-serialises the statement (other bytes than custody signed: the
/// payload is verified as signed, never re-serialised) and signs it with
/// securesystemslib's `CryptoSigner`, made from the private key as
/// pyca/cryptography loads it, under securesystemslib's own key id.
const SSLIB_SIGN_PY: &str = r#"
import json, sys
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey
manifest, key_path, out_path = sys.argv[1:4]
statement = json.loads(Envelope.from_dict(json.load(open(manifest))).payload)
payload = json.dumps(statement, sort_keys=True, indent=1).encode()
private = load_pem_private_key(open(key_path, "rb").read(), None)
envelope = Envelope(payload=payload, payload_type="application/vnd.in-toto+json", signatures={})
signature = envelope.sign(CryptoSigner(private, SSlibKey.from_crypto(private.public_key())))
json.dump(envelope.to_dict(), open(out_path, "w"))
print(signature.keyid)
"#;

fn python() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root().join("target"), |d| root().join(d));
    let script = root().join("scripts/interop/in-toto-venv.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(target.join("interop/in-toto-venv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "provisioning securesystemslib failed: bash {}: {}\nThis oracle needs python3 with venv and pip, and PyPI the first time; it is not skipped.",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("bin/python")
}

fn text(out: &Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn custody_verifies_a_manifest_securesystemslib_signed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |args: &[&str]| custody_run(d, args);
    for prefix in ["lab", "other"] {
        let r = run(&["key", "generate", "-o", s(&d.join(prefix))]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    std::fs::create_dir_all(d.join("data")).unwrap();
    std::fs::write(d.join("data/a.jsonl"), "{\"id\":1}\n{\"id\":2}\n").unwrap();
    std::fs::write(d.join("data/b.bin"), [0u8, 1, 2, 255]).unwrap();
    let (data, manifest) = (d.join("data"), d.join("m.json"));
    let r = run(&[
        "seal",
        s(&data),
        "-k",
        s(&d.join("lab.key")),
        "-o",
        s(&manifest),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let python = python();
    let signed = d.join("sslib.json");
    let out = Command::new(&python)
        .args(["-c", SSLIB_SIGN_PY])
        .args([&manifest, &d.join("lab.key"), &signed])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let sslib_id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let env: serde_json::Value = serde_json::from_slice(&std::fs::read(&signed).unwrap()).unwrap();
    assert_eq!(env["signatures"][0]["keyid"], sslib_id.as_str());
    let ours = std::fs::read(&manifest).unwrap();
    let ours: serde_json::Value = serde_json::from_slice(&ours).unwrap();
    assert_ne!(
        ours["signatures"][0]["keyid"],
        sslib_id.as_str(),
        "the ids differ"
    );
    assert_ne!(
        ours["payload"], env["payload"],
        "other bytes, same statement"
    );
    let statement: serde_json::Value =
        serde_json::from_slice(&STANDARD.decode(env["payload"].as_str().unwrap()).unwrap())
            .unwrap();
    assert_eq!(
        statement["predicateType"],
        "https://custody.dev/manifest/v1"
    );

    let verify = |key: &str| {
        run(&[
            "verify",
            s(&data),
            "-m",
            s(&signed),
            "--key",
            s(&d.join(key)),
            "--json",
        ])
    };
    let r = verify("lab.pub");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["report"]["unchanged"], 2, "{doc}");
    let r = verify("other.pub");
    assert_eq!(r.code, 4, "an untrusted signer: {}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("sslib.json"), "{}", r.stderr);
    // A changed file is still found.
    std::fs::write(d.join("data/b.bin"), [0u8, 1, 2, 254]).unwrap();
    assert_eq!(verify("lab.pub").code, 1);
}
