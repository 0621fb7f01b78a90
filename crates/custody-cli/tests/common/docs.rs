//! Signed documents the ledger accepts, made in the test instead of by a
//! `custody run` each: run attestations of one environment with many
//! packages, so that ingest has work to do.

use std::path::{Path, PathBuf};

use custody_seal::keys::SigningKey;
use serde_json::json;

/// A run attestation (DSSE, in-toto statement of `custody run`) signed by
/// `key`: the environment `/envs/e{n}` with `packages` packages of its own
/// wrote the output `out-{n}`.
pub fn run_attestation(key: &SigningKey, n: usize, packages: usize) -> Vec<u8> {
    let prefix = format!("/envs/e{n}");
    let output = format!("out-{n}");
    let digest = |text: &str| {
        custody_seal::keys::hex(&<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()))
    };
    let mut deps = vec![
        json!({"name": format!("{prefix}/bin/python"), "digest": {"sha256": digest(&prefix)}}),
    ];
    deps.extend((0..packages).map(|p| {
        json!({"name": format!("pkg-{n}-{p}"), "uri": format!("pkg:pypi/pkg-{n}-{p}@1.{p}"),
               "annotations": {"environment": prefix}})
    }));
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": output, "digest": {"sha256": digest(&output)}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://custody.dev/run/v1",
                "externalParameters": {
                    "command": [format!("{prefix}/bin/python"), "step.py"],
                    "inputs": [],
                    "outputs": [output],
                    "env": [],
                },
                "internalParameters": {"policy": {}},
                "resolvedDependencies": deps,
            },
            "runDetails": {
                "builder": {"id": "https://custody.dev/run@0.1.0"},
                "metadata": {"startedOn": "2026-03-24T10:00:00Z", "finishedOn": "2026-03-24T10:05:00Z"},
                "byproducts": [
                    {"name": "enforced", "annotations": {"enforced": [], "setup_error": null}},
                    {"name": "exit", "annotations": {"code": 0, "signal": null}},
                ],
            },
        },
    });
    let payload = serde_json::to_vec(&statement).unwrap();
    let envelope = custody_seal::dsse::Envelope::sign(custody_seal::dsse::IN_TOTO, &payload, key);
    serde_json::to_vec(&envelope).unwrap()
}

/// `count` run attestations (numbered from `first`) written to `dir` as
/// `run-NNNNN.json`, sorted by name.
pub fn run_attestations(
    key: &SigningKey,
    dir: &Path,
    first: usize,
    count: usize,
    packages: usize,
) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    (first..first + count)
        .map(|n| {
            let p = dir.join(format!("run-{n:05}.json"));
            std::fs::write(&p, run_attestation(key, n, packages)).unwrap();
            p
        })
        .collect()
}

/// The signing key in the PEM file `path` (no passphrase).
pub fn signing_key(path: &Path) -> SigningKey {
    SigningKey::from_pem(&std::fs::read_to_string(path).unwrap(), None).unwrap()
}
