//! `custody verify` of `custody run` attestations: subjects are named by
//! a normal relative path (not `file://out.jsonl`, which RFC 8089 reads
//! with `out.jsonl` as the host), outputs match whatever spelling of the
//! path was used at run time or at verify time, every subject must be
//! accounted for, and attestations written in the old form still verify.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use common::Run;
use common::sandbox::World;

fn key(w: &World) -> (String, String) {
    let prefix = w.s("lab");
    let r = common::run(w.custody().args(["key", "generate", "-o", &prefix]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    (format!("{prefix}.key"), format!("{prefix}.pub"))
}

/// `custody verify PATHS -m att.json --key lab.pub --json` in the world.
fn verify(w: &World, paths: &[&str]) -> (Run, serde_json::Value) {
    let (att, public) = (w.s("att.json"), w.s("lab.pub"));
    let r = common::run(
        w.custody()
            .arg("verify")
            .args(paths)
            .args(["-m", &att, "--key", &public, "--json"]),
    );
    let doc = serde_json::from_str(&r.stdout).unwrap_or(serde_json::Value::Null);
    (r, doc)
}

fn removed(doc: &serde_json::Value) -> Vec<String> {
    doc["report"]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["path"].as_str().unwrap().to_owned())
        .collect()
}

/// Two outputs written as `./out/a.jsonl` and `out/b.txt`.
fn two_outputs(w: &World) -> serde_json::Value {
    let (k, _) = key(w);
    let code = format!(
        "open({a:?}, 'w').write('{{}}\\n')\nopen({b:?}, 'w').write('b\\n')\n",
        a = w.s("out/a.jsonl"),
        b = w.s("out/b.txt")
    );
    let (r, _) = w.sandboxed(
        &[
            "--output",
            "./out/a.jsonl",
            "--output",
            "out/b.txt",
            "-k",
            &k,
        ],
        &code,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    common::sandbox::payload(&w.p("att.json"))
}

/// Subjects are named `out/a.jsonl`, however the path was written, and
/// carry no relative `file://` URI; verify matches them given as
/// relative, `./`-prefixed or absolute paths.
#[test]
fn subjects_have_relative_names_and_verify_takes_any_spelling() {
    let w = World::new();
    let st = two_outputs(&w);
    let subjects = st["subject"].as_array().unwrap();
    let names: Vec<&str> = subjects
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["out/a.jsonl", "out/b.txt"], "{st}");
    for s in subjects {
        assert!(s.get("uri").is_none(), "no URI for a relative name: {s}");
        assert_eq!(s["digest"]["sha256"].as_str().unwrap().len(), 64, "{s}");
    }
    let (a, b) = (w.s("out/a.jsonl"), w.s("out/b.txt"));
    for paths in [
        ["out/a.jsonl", "out/b.txt"],
        ["./out/a.jsonl", "./out//b.txt"],
        [a.as_str(), b.as_str()],
        ["out/../out/a.jsonl", b.as_str()],
    ] {
        let (r, doc) = verify(&w, &paths);
        assert_eq!(r.code, 0, "{paths:?}: {}{}", r.stdout, r.stderr);
        assert_eq!(doc["report"]["unchanged"], 2, "{paths:?}: {doc}");
    }
    // A changed output is still caught under another spelling.
    std::fs::write(w.p("out/b.txt"), "B\n").unwrap();
    let (r, doc) = verify(&w, &["out/a.jsonl", "./out/b.txt"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(doc["report"]["modified"][0]["path"], "./out/b.txt", "{doc}");
}

/// An attested output left out of `custody verify` is reported missing
/// and fails the check: an attestation is verified whole.
#[test]
fn every_subject_must_be_accounted_for() {
    let w = World::new();
    two_outputs(&w);
    let (r, doc) = verify(&w, &["out/a.jsonl"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(removed(&doc), ["out/b.txt"], "{doc}");
    assert_eq!(doc["report"]["unchanged"], 1, "{doc}");
    assert!(
        r.stderr
            .contains("out/b.txt: an attested output was not given to verify"),
        "{}",
        r.stderr
    );
    // Neither given: both reported.
    std::fs::write(w.p("other"), "x").unwrap();
    let (r, doc) = verify(&w, &["other"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(removed(&doc), ["out/a.jsonl", "out/b.txt"], "{doc}");
    assert_eq!(doc["report"]["added"][0]["path"], "other", "{doc}");
}

/// Attestations written before this change named subjects as given at
/// run time (`./out/a.jsonl`, or an absolute path) with a `file://` URI
/// built from the name: they still verify.
#[test]
fn attestations_in_the_old_form_still_verify() {
    let w = World::new();
    let (k, _) = key(&w);
    std::fs::write(w.p("out/a.jsonl"), "{}\n").unwrap();
    std::fs::write(w.p("out/b.txt"), "b\n").unwrap();
    let sha = |p: &str| custody_seal::artifact::digest(&w.p(p)).unwrap();
    let abs = w.s("out/b.txt");
    let statement = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [
            {"name": "./out/a.jsonl", "uri": "file://./out/a.jsonl", "digest": {"sha256": sha("out/a.jsonl")}},
            {"name": abs, "uri": format!("file://{abs}"), "digest": {"sha256": sha("out/b.txt")}},
        ],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {},
    });
    let signer =
        custody_seal::keys::SigningKey::from_pem(&std::fs::read_to_string(&k).unwrap(), None)
            .unwrap();
    // Signed the way `custody run` signs (a DSSE envelope over the
    // statement's JSON, pretty-printed), with the seal crate's own code.
    let payload = serde_json::to_vec(&statement).unwrap();
    let env = custody_seal::dsse::Envelope::sign(custody_seal::dsse::IN_TOTO, &payload, &signer);
    let mut bytes = serde_json::to_vec_pretty(&env).unwrap();
    bytes.push(b'\n');
    std::fs::write(w.p("att.json"), bytes).unwrap();
    let (r, doc) = verify(&w, &["out/a.jsonl", "out/b.txt"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(doc["report"]["unchanged"], 2, "{doc}");
}
