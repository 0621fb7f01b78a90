//! The attestation of a run: an in-toto Statement v1 with a SLSA
//! Provenance v1 predicate, signed as a DSSE envelope with custody's keys
//! (the same envelope code as `custody seal`).
//!
//! Subjects are the outputs; resolved dependencies are the inputs and the
//! executable, with digests, and the step's Python packages as purls;
//! byproducts are what the kernel enforced, the exit status, and the
//! attempts the supervisor recorded; the times are run metadata.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use custody_seal::keys::SigningKey;
use serde_json::{Value, json};

use crate::attempts::Observed;
use crate::digests::Digests;
use crate::run::Outcome;

/// The SLSA provenance predicate type.
pub const SLSA_PROVENANCE: &str = "https://slsa.dev/provenance/v1";
/// custody's build type for a sandboxed step.
pub const BUILD_TYPE: &str = "https://custody.dev/run/v1";

/// The name of a path in the attestation, and what `custody verify`
/// compares: lexically normal (no `.`, `..` folded where it can be, no
/// trailing `/`) and relative to `cwd` when under it, else absolute. So
/// `./out.jsonl`, `out.jsonl` and `$PWD/out.jsonl` are one name.
pub fn subject_name(path: &Path, cwd: &Path) -> String {
    let normal = lexical(&cwd.join(path));
    match normal.strip_prefix(lexical(cwd)) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
        _ => normal.to_string_lossy().into_owned(),
    }
}

/// `path` without `.` components and with `..` folded into what precedes
/// it (lexically: a name, not the file system, is being normalised).
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The resource descriptor's `name` and, for an absolute name, its
/// `file://` URI (RFC 8089, percent-encoded). A relative name has no URI:
/// in-toto's `uri` identifies a resource globally, and `file://out.jsonl`
/// would read `out.jsonl` as a host; the name is the file name in-toto and
/// SLSA expect for a subject.
fn named(path: &Path, cwd: &Path) -> serde_json::Map<String, Value> {
    let name = subject_name(path, cwd);
    let mut m = serde_json::Map::new();
    if name.starts_with('/') {
        let uri = format!(
            "file://{}",
            custody_seal::names::percent_encode_path(name.as_bytes(), false)
        );
        m.insert("uri".into(), Value::String(uri));
    }
    m.insert("name".into(), Value::String(name));
    m
}

/// A path's descriptor, with the digest `custody run` computed after the
/// step (or why there is none).
fn descriptor(path: &Path, cwd: &Path, digests: &Digests) -> Value {
    let mut d = named(path, cwd);
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match digests.get(&abs) {
        Some(Ok(digest)) => {
            d.insert("digest".into(), json!({"sha256": digest}));
        }
        Some(Err(e)) => {
            d.insert("digest".into(), json!({}));
            d.insert("annotations".into(), json!({"unhashed": e}));
        }
        None => {
            d.insert("digest".into(), json!({}));
            d.insert("annotations".into(), json!({"unhashed": "not hashed"}));
        }
    }
    Value::Object(d)
}

fn rfc3339(t: SystemTime) -> String {
    jiff::Timestamp::try_from(t).map_or_else(|_| String::new(), |ts| ts.to_string())
}

/// The distributions installed in the step's Python environment, as
/// package URLs (`pkg:pypi/name@version`), read from disk by the scan
/// inventory: the virtual environment the executable belongs to, else the
/// interpreter's own prefix. Empty when the executable is not a Python.
pub fn python_packages(executable: &Path) -> Vec<Value> {
    let is_python = executable
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("python"));
    if !is_python {
        return Vec::new();
    }
    let real = fs_err::canonicalize(executable).unwrap_or_else(|_| executable.to_owned());
    let prefix = [executable, real.as_path()]
        .into_iter()
        .filter_map(|e| e.parent()?.parent())
        .find(|p| p.join("pyvenv.cfg").is_file() || p.join("lib").is_dir());
    let Some(prefix) = prefix else {
        return Vec::new();
    };
    let Ok(inventory) = custody_inventory::read_environment(prefix) else {
        return Vec::new();
    };
    once_each(&inventory.packages)
        .into_iter()
        .map(|p| {
            let version = p.version_text.as_deref().unwrap_or("");
            json!({
                "name": p.name.to_string(),
                "uri": format!("pkg:pypi/{}@{version}", p.name),
                "annotations": {"environment": prefix.display().to_string()},
            })
        })
        .collect()
}

/// Each distribution once: one installed as both `*.dist-info` and
/// `*.egg-info` (or `*.egg`) is the `*.dist-info` (what `importlib.metadata`
/// and pip prefer); the same name and version found twice is listed once.
fn once_each(packages: &[custody_inventory::Package]) -> Vec<&custody_inventory::Package> {
    // The origin is the `METADATA` file in the `*.dist-info` folder.
    let is_dist_info = |p: &custody_inventory::Package| {
        p.origin.path.ancestors().take(2).any(|a| {
            a.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("dist-info"))
        })
    };
    let mut seen = std::collections::HashSet::new();
    packages
        .iter()
        .filter(|p| {
            is_dist_info(p) || !packages.iter().any(|q| q.name == p.name && is_dist_info(q))
        })
        .filter(|p| seen.insert((p.name.to_string(), p.version_text.clone())))
        .collect()
}

/// The supervisor's record: every attempt it kept (credential paths,
/// existing paths outside the policy, executions, network calls), with
/// the policy's verdict and a count.
fn observed(observed: Option<&Observed>) -> Value {
    match observed {
        Some(o) => json!({"name": "attempts", "annotations": {
            "attempts": o.attempts,
            "folded": o.folded,
            "dropped": o.dropped,
            "notifications": o.notifications,
        }}),
        None => json!({"name": "attempts", "annotations": {
            "note": "not observed (--no-observe, or the supervisor could not start); refused calls still failed",
        }}),
    }
}

/// An output's subject: its digest, or, when custody refused it, no
/// digest and what was found.
fn subject(path: &Path, cwd: &Path, outcome: &Outcome) -> Value {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match outcome.refused_outputs.iter().find(|r| r.output == abs) {
        Some(r) => {
            let mut d = named(path, cwd);
            d.insert("digest".into(), json!({}));
            d.insert(
                "annotations".into(),
                json!({"refused": r.entries, "refused_count": r.count}),
            );
            Value::Object(d)
        }
        None => descriptor(path, cwd, &outcome.digests),
    }
}

/// How the process tree ended: on its own, by a signal to custody, or by
/// the timeout; and what custody killed when the main process had ended.
fn processes(outcome: &Outcome) -> Value {
    json!({"name": "processes", "annotations": {
        "ended": outcome.ended,
        "killed": outcome.killed,
        "killed_count": outcome.killed_count,
        "survivors": outcome.survivors,
    }})
}

/// The statement for `outcome`.
pub fn statement(
    command: &[String],
    inputs: &[PathBuf],
    outputs: &[PathBuf],
    env: &[String],
    outcome: &Outcome,
) -> Value {
    let cwd = std::env::current_dir().unwrap_or_default();
    let subjects: Vec<Value> = outputs.iter().map(|p| subject(p, &cwd, outcome)).collect();
    let mut deps: Vec<Value> = inputs
        .iter()
        .map(|p| descriptor(p, &cwd, &outcome.digests))
        .collect();
    deps.push(descriptor(&outcome.executable, &cwd, &outcome.digests));
    deps.extend(python_packages(&outcome.executable));
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": SLSA_PROVENANCE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": {
                    "command": command,
                    "inputs": inputs,
                    "outputs": outputs,
                    "env": env,
                },
                "internalParameters": {"policy": outcome.policy},
                "resolvedDependencies": deps,
            },
            "runDetails": {
                "builder": {"id": format!("https://custody.dev/run@{}", env!("CARGO_PKG_VERSION"))},
                "metadata": {
                    "startedOn": rfc3339(outcome.started),
                    "finishedOn": rfc3339(outcome.finished),
                },
                "byproducts": [
                    {"name": "enforced", "annotations": {
                        "enforced": outcome.enforced,
                        "setup_error": outcome.setup_error,
                    }},
                    {"name": "exit", "annotations": {
                        "code": outcome.exit_code,
                        "signal": outcome.signal,
                    }},
                    observed(outcome.observed.as_ref()),
                    processes(outcome),
                ],
            },
        },
    })
}

/// The signed envelope's bytes.
pub fn sign(statement: &Value, key: &SigningKey) -> Vec<u8> {
    let payload = serde_json::to_vec(statement).unwrap_or_default();
    let env = custody_seal::dsse::Envelope::sign(custody_seal::dsse::IN_TOTO, &payload, key);
    let mut out = serde_json::to_vec_pretty(&env).unwrap_or_default();
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_names_are_one_relative_form() {
        let cwd = Path::new("/work/run");
        for (given, name) in [
            ("out.jsonl", "out.jsonl"),
            ("./out.jsonl", "out.jsonl"),
            ("/work/run/out.jsonl", "out.jsonl"),
            ("/work/run/./x/../out.jsonl", "out.jsonl"),
            ("dir/", "dir"),
            ("a b/#1/caf\u{e9}", "a b/#1/caf\u{e9}"),
            ("../elsewhere/out", "/work/elsewhere/out"),
            ("/data/out", "/data/out"),
            (".", "/work/run"),
        ] {
            assert_eq!(subject_name(Path::new(given), cwd), name, "{given}");
        }
        // The cwd's own spelling does not matter either.
        assert_eq!(
            subject_name(Path::new("/work/run/o"), Path::new("/work/./run")),
            "o"
        );
    }

    /// A relative name has no URI (`file://out.jsonl` would name a host);
    /// an absolute one a percent-encoded `file:///` URI.
    #[test]
    fn only_absolute_names_get_a_file_uri() {
        let cwd = Path::new("/work/run");
        let rel = named(Path::new("./out.jsonl"), cwd);
        assert_eq!(rel.get("name"), Some(&json!("out.jsonl")));
        assert!(rel.get("uri").is_none());
        let abs = named(Path::new("/data/a b#1"), cwd);
        assert_eq!(abs.get("uri"), Some(&json!("file:///data/a%20b%231")));
        assert_eq!(abs.get("name"), Some(&json!("/data/a b#1")));
    }

    /// A distribution installed both as `*.dist-info` and as `*.egg-info`
    /// (pip over a `setup.py develop`) is listed once, as the dist-info.
    #[test]
    fn a_distribution_with_dist_info_and_egg_info_is_listed_once() {
        #![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
        let d = tempfile::tempdir().unwrap();
        let venv = d.path().join("venv");
        let site = venv.join("lib/python3.11/site-packages");
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        std::fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        std::fs::write(venv.join("bin/python"), "").unwrap();
        let meta = |name: &str, version: &str| {
            format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        };
        for (folder, file, name, version) in [
            ("demo_pkg-2.0.dist-info", "METADATA", "demo-pkg", "2.0"),
            ("demo_pkg-1.9.egg-info", "PKG-INFO", "demo_pkg", "1.9"),
            ("other-1.0.egg-info", "PKG-INFO", "other", "1.0"),
        ] {
            std::fs::create_dir_all(site.join(folder)).unwrap();
            std::fs::write(site.join(folder).join(file), meta(name, version)).unwrap();
        }
        let mut got: Vec<String> = python_packages(&venv.join("bin/python"))
            .iter()
            .map(|p| p["uri"].as_str().unwrap().to_owned())
            .collect();
        got.sort();
        assert_eq!(got, ["pkg:pypi/demo-pkg@2.0", "pkg:pypi/other@1.0"]);
    }

    #[test]
    fn dates() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_795_000_000);
        assert_eq!(rfc3339(t), "2026-11-18T11:06:40Z");
    }
}
