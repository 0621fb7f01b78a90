//! Reading a model-signing statement that [`crate::open::open`]
//! authenticated: its subject and predicate checked the way
//! `model_signing verify` checks them, and the signed resources compared
//! with the files found.

use std::collections::HashMap;

use super::{Error, Hashed, root_digest};
use crate::compare::{FileNote, Modified, Report};
use crate::hash::Digest;
use crate::keys::hex;
use crate::manifest::{STATEMENT_TYPE, Statement};
use crate::names;
use crate::open::MODEL_SIGNING_PREDICATE;

/// What a verified predicate signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Signed {
    /// Normalised names and digests in listed order.
    pub(super) resources: Vec<(String, Digest)>,
    /// `serialization.ignore_paths` as written.
    pub(super) ignore_paths: Vec<String>,
}

/// A resource name as model-signing reads it (`PurePosixPath`): `.` and
/// empty components dropped; `.` when nothing is left.
fn resource_name(name: &str) -> String {
    if name.starts_with('/') {
        return name.to_owned();
    }
    let parts: Vec<&str> = name
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// Why `name` cannot name a file inside the model, if it cannot: an
/// absolute path, a `..` component, or a NUL (no file name holds one). The
/// model's walk never lists such a name, so a signature that does was not
/// made of a model; model-signing itself would report the file missing.
fn outside_the_model(name: &str) -> Option<&'static str> {
    if name.starts_with('/') {
        Some("an absolute path")
    } else if name.split('/').any(|p| p == "..") {
        Some("a `..` component")
    } else if name.contains('\0') {
        Some("a NUL character")
    } else {
        None
    }
}

/// A hex digest of 32 bytes, either case (model-signing reads it with
/// `bytes.fromhex`).
pub(super) fn parse_hex_digest(s: &str) -> Option<Digest> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut d = [0u8; 32];
    for (i, b) in d.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(d)
}

/// Checks a model-signing statement's subject and predicate and returns
/// what it signs.
pub(super) fn check_statement(statement: &Statement) -> Result<Signed, Error> {
    let bad = Error::Predicate;
    if statement.type_ != STATEMENT_TYPE {
        return Err(bad(format!(
            "statement type {:?} is not {STATEMENT_TYPE}",
            statement.type_
        )));
    }
    if statement.predicate_type != MODEL_SIGNING_PREDICATE {
        return Err(bad(format!(
            "predicate type {:?} is not {MODEL_SIGNING_PREDICATE}",
            statement.predicate_type
        )));
    }
    let [subject] = statement.subject.as_slice() else {
        return Err(bad(format!(
            "{} subjects; model-signing signs exactly one",
            statement.subject.len()
        )));
    };
    let root = subject
        .digest
        .get("sha256")
        .ok_or_else(|| bad("the subject has no sha256 digest".into()))?;
    let predicate = statement
        .predicate
        .as_object()
        .ok_or_else(|| bad("the predicate is not a JSON object".into()))?;
    let ignore_paths = check_serialization(predicate.get("serialization"))?;
    let list = predicate
        .get("resources")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| bad("the predicate has no `resources` list".into()))?;
    let mut resources = Vec::with_capacity(list.len());
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(list.len());
    for (i, r) in list.iter().enumerate() {
        let field = |k: &str| {
            r.get(k)
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| bad(format!("resource {i} has no string `{k}`")))
        };
        let (name, algorithm, digest) = (field("name")?, field("algorithm")?, field("digest")?);
        if algorithm != "sha256" {
            return Err(bad(format!(
                "resource {name:?} has algorithm {algorithm:?}, not \"sha256\""
            )));
        }
        let digest = parse_hex_digest(digest).ok_or_else(|| {
            bad(format!(
                "resource {name:?} has digest {digest:?}, not 64 hex digits"
            ))
        })?;
        if let Some(why) = outside_the_model(name) {
            return Err(bad(format!(
                "resource {i} ({name:?}) has {why}: it names no file inside the model"
            )));
        }
        let name = resource_name(name);
        if let Some(prev) = seen.insert(name.clone(), i) {
            return Err(bad(format!("resources {prev} and {i} both name {name:?}")));
        }
        resources.push((name, digest));
    }
    let computed = hex(&root_digest(resources.iter().map(|(_, d)| d)));
    if computed != *root {
        return Err(bad(format!(
            "the listed resources hash to root {computed}, but the signed subject says {root}"
        )));
    }
    Ok(Signed {
        resources,
        ignore_paths,
    })
}

/// Checks `predicate.serialization` (the keys model-signing requires, a
/// `files` serialization with SHA-256) and returns its ignore paths.
fn check_serialization(serialization: Option<&serde_json::Value>) -> Result<Vec<String>, Error> {
    let bad = Error::Predicate;
    let serialization = serialization
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| bad("the predicate has no `serialization` object".into()))?;
    for key in ["method", "hash_type", "allow_symlinks"] {
        if !serialization.contains_key(key) {
            return Err(bad(format!("`serialization` has no `{key}`")));
        }
    }
    let method = serialization
        .get("method")
        .and_then(serde_json::Value::as_str);
    if method != Some("files") {
        return Err(bad(format!(
            "serialization method {} is not `files` (model_signing verify checks per-file SHA-256 only)",
            serialization
                .get("method")
                .map(ToString::to_string)
                .unwrap_or_default()
        )));
    }
    let hash_type = serialization
        .get("hash_type")
        .and_then(serde_json::Value::as_str);
    if hash_type != Some("sha256") {
        return Err(bad(format!(
            "hash type {} is not `sha256` (model_signing verify checks per-file SHA-256 only)",
            serialization
                .get("hash_type")
                .map(ToString::to_string)
                .unwrap_or_default()
        )));
    }
    Ok(match serialization.get("ignore_paths") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(format!("ignore path {v} is not a string")))
            })
            .collect::<Result<_, _>>()?,
        Some(other) => return Err(bad(format!("`ignore_paths` is {other}, not a list"))),
    })
}

/// What differs between the signed resources and the local files.
pub(super) fn compare(signed: &[(String, Digest)], local: &[Hashed]) -> Report {
    let here: HashMap<&str, &Hashed> = local.iter().map(|h| (h.name.as_str(), h)).collect();
    let there: HashMap<&str, &Digest> = signed.iter().map(|(n, d)| (n.as_str(), d)).collect();
    let mut report = Report::default();
    for (name, digest) in signed {
        match here.get(name.as_str()) {
            None => report.removed.push(FileNote {
                path: name.clone(),
                size: 0,
            }),
            Some(h) if h.digest == *digest => report.unchanged += 1,
            Some(h) => report.modified.push(Modified {
                path: name.clone(),
                old_size: 0,
                new_size: h.size,
                chunks: Vec::new(),
                chunk_size: None,
                records: None,
            }),
        }
    }
    for h in local {
        if !there.contains_key(h.name.as_str()) {
            report.added.push(FileNote {
                path: h.name.clone(),
                size: h.size,
            });
        }
    }
    report
        .removed
        .sort_by(|a, b| names::order(&a.path, &b.path));
    report
        .modified
        .sort_by(|a, b| names::order(&a.path, &b.path));
    report.added.sort_by(|a, b| names::order(&a.path, &b.path));
    report
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
    use super::*;
    use crate::hash::Algorithm;

    fn sha(data: &[u8]) -> Digest {
        Algorithm::Sha256.digest(data)
    }

    fn hashed(name: &str, data: &[u8]) -> Hashed {
        Hashed {
            name: name.to_owned(),
            digest: sha(data),
            size: data.len() as u64,
        }
    }

    #[test]
    fn compare_names_each_difference() {
        let signed: Vec<(String, Digest)> = vec![
            ("a".into(), sha(b"a")),
            ("b".into(), sha(b"b")),
            ("c".into(), sha(b"c")),
        ];
        let local = vec![hashed("a", b"a"), hashed("b", b"B!"), hashed("d", b"dddd")];
        let r = compare(&signed, &local);
        assert_eq!(r.unchanged, 1);
        assert_eq!(
            r.removed,
            [FileNote {
                path: "c".into(),
                size: 0
            }]
        );
        assert_eq!(
            r.added,
            [FileNote {
                path: "d".into(),
                size: 4
            }]
        );
        assert_eq!(r.modified.len(), 1);
        assert_eq!(
            (
                r.modified[0].path.as_str(),
                r.modified[0].old_size,
                r.modified[0].new_size
            ),
            ("b", 0, 2)
        );
        assert!(!r.identical());
        assert!(compare(&signed[..1], &local[..1]).identical());
    }

    #[test]
    fn resource_names_normalise_like_pure_posix_path() {
        assert_eq!(resource_name("./"), ".");
        assert_eq!(resource_name("./a//b"), "a/b");
        assert_eq!(resource_name("/abs"), "/abs");
    }
}
