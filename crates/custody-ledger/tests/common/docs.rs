//! Real signed documents: seal manifests signed with custody-seal, run
//! attestations in custody-run's shape signed with its `attest::sign`.

use std::path::Path;

use custody_seal::keys::{Scheme, SigningKey};
use custody_seal::seal::{self, Container, Options};
use serde_json::{Value, json};

pub fn key() -> SigningKey {
    SigningKey::generate(Scheme::Ed25519).expect("key")
}

/// Writes `files` under `dir/name`, seals the folder as `name` (SHA-256,
/// as `custody_seal::artifact::digest` names a folder), and returns the
/// signed envelope and the root.
pub fn sealed(
    dir: &Path,
    name: &str,
    files: &[(&str, &str)],
    key: &SigningKey,
) -> (Vec<u8>, String) {
    sealed_as(Container::Dsse, dir, name, files, key)
}

/// [`sealed`] in the given container (DSSE envelope or Sigstore bundle).
pub fn sealed_as(
    container: Container,
    dir: &Path,
    name: &str,
    files: &[(&str, &str)],
    key: &SigningKey,
) -> (Vec<u8>, String) {
    let root = dir.join(name);
    fs_err::create_dir_all(&root).expect("mkdir");
    for (f, text) in files {
        fs_err::write(root.join(f), text).expect("write");
    }
    let options = Options {
        algorithm: custody_seal::hash::Algorithm::Sha256,
        name: Some(name.to_owned()),
        ..Options::default()
    };
    let roots = [root.clone()];
    let plan = seal::plan(&roots, &options).expect("plan");
    let manifest = seal::build(&roots, &plan, &options, &|_| {}).expect("seal");
    assert_eq!(
        manifest.root,
        custody_seal::artifact::digest(&root).expect("digest"),
        "the run's digest of a folder is the manifest's root"
    );
    let mut out = Vec::new();
    seal::sign_to(&manifest, key, container, &mut out).expect("sign");
    (out, manifest.root)
}

/// A run's statement in the shape of `custody_run::attest::statement`.
pub fn run_statement(
    prefix: &str,
    packages: &[(&str, &str)],
    inputs: &[(&str, &str)],
    outputs: &[(&str, &str)],
    started: &str,
    finished: &str,
) -> Value {
    let mut deps: Vec<Value> = inputs
        .iter()
        .map(|(n, d)| json!({"name": n, "digest": {"sha256": d}}))
        .collect();
    deps.push(
        json!({"name": format!("{prefix}/bin/python"), "digest": {"sha256": "ab".repeat(32)}}),
    );
    deps.extend(packages.iter().map(|(n, v)| {
        json!({"name": n, "uri": format!("pkg:pypi/{n}@{v}"), "annotations": {"environment": prefix}})
    }));
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": outputs.iter().map(|(n, d)| json!({"name": n, "digest": {"sha256": d}})).collect::<Vec<_>>(),
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://custody.dev/run/v1",
                "externalParameters": {
                    "command": [format!("{prefix}/bin/python"), "step.py"],
                    "inputs": inputs.iter().map(|(n, _)| n).collect::<Vec<_>>(),
                    "outputs": outputs.iter().map(|(n, _)| n).collect::<Vec<_>>(),
                    "env": [],
                },
                "internalParameters": {"policy": {}},
                "resolvedDependencies": deps,
            },
            "runDetails": {
                "builder": {"id": "https://custody.dev/run@0.1.0"},
                "metadata": {"startedOn": started, "finishedOn": finished},
                "byproducts": [
                    {"name": "enforced", "annotations": {"enforced": [], "setup_error": null}},
                    {"name": "exit", "annotations": {"code": 0, "signal": null}},
                ],
            },
        },
    })
}

/// A `custody scan --record` inventory of one environment; its subject's
/// digest is the environment's identity unless `digest` forges one.
pub fn inventory_statement(prefix: &str, packages: &[(&str, &str)], digest: Option<&str>) -> Value {
    let mut sorted: Vec<(String, String)> = packages
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    sorted.sort();
    let id = custody_ledger::ingest::environment::id(prefix, &sorted);
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": prefix, "digest": {"sha256": digest.unwrap_or(&id)}}],
        "predicateType": "https://custody.dev/inventory/v1",
        "predicate": {
            "scannedAt": "2026-03-24T09:00:00Z",
            "scanner": {"name": "custody", "version": "0.1.0"},
            "sources": [{
                "path": prefix,
                "kind": "environment",
                "packages": packages.iter().map(|(n, v)| json!({"name": n, "version": v})).collect::<Vec<_>>(),
            }],
        },
    })
}

/// `statement` in a DSSE envelope signed by `key`.
pub fn signed(statement: &Value, key: &SigningKey) -> Vec<u8> {
    custody_run::attest::sign(statement, key)
}
