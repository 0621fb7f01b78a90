//! OpenSSF model-signing 1.x signatures (the key-based method, offline).
//!
//! [`sign`] writes the Sigstore bundle v0.3 that `model_signing sign key`
//! writes, and `model_signing verify key` accepts it; [`verify`] checks a
//! folder against a model-signing statement that [`crate::open::open`]
//! already authenticated, the way `model_signing verify key` does.
//!
//! The format, as model-signing 1.1.1 writes and reads it:
//!
//! * Walk: every entry under the model is looked at, including those in
//!   ignored folders; a symbolic link anywhere is an error unless links are
//!   allowed (then a link to a file is hashed under the link's name and a
//!   link to a folder is neither followed nor listed); FIFOs, sockets,
//!   devices and broken links are errors. Folders, empty or not, are never
//!   listed.
//! * Ignored: paths that are a component prefix of a file's model-relative
//!   path. By default the top-level `.git`, `.gitattributes`, `.github` and
//!   `.gitignore` (only at the top: `sub/.gitignore` is signed), the
//!   signature file when it lies inside the model, and the caller's ignore
//!   paths. The signer records them all in the predicate, and a verifier
//!   ignores what is recorded there too.
//! * Resources: one per file, `{name, algorithm: "sha256", digest}` with the
//!   SHA-256 of the whole file in lowercase hex, named by its `/`-separated
//!   path relative to the model (`.` for a model that is one file), sorted
//!   component by component ([`crate::names::order`]).
//! * Root: the subject digest is the SHA-256 over the raw 32-byte digests of
//!   the resources in the order they are listed.
//! * Statement: in-toto Statement v1, predicate type
//!   [`crate::open::MODEL_SIGNING_PREDICATE`], one subject named after the model folder;
//!   written as `json.dumps(indent=2)` would (non-ASCII as `\uXXXX`).
//! * Envelope and bundle: DSSE over the in-toto payload type, one DER ECDSA
//!   signature with an empty key id, in a bundle whose public-key hint is the
//!   key id ([`crate::keys::PublicKey::key_id`]) and whose `tlogEntries` is
//!   empty.
//!
//! model-signing records no file sizes, so reports carry the local size of
//! files that were added or modified and 0 where the size is unknown.
//!
//! Files are walked with custody seal's walk (`walk::tree`) and hashed
//! with [`crate::hash::whole`]; which files count is model-signing's rule
//! (`files.rs`); the statement is written by `statement.rs` and read back
//! by `predicate.rs`.

mod files;
mod predicate;
mod statement;

use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::compare::Report;
use crate::dsse::{Bundle, Envelope, IN_TOTO};
use crate::hash::{self, Algorithm, Digest};
use crate::keys::SigningKey;
use crate::manifest::Statement;
use files::{Found, ignore_set, list, model_name};
use predicate::{check_statement, compare};
use statement::statement;

/// The paths model-signing ignores by default (at the top of the model only).
pub const GIT_PATHS: [&str; 4] = [".git", ".gitattributes", ".github", ".gitignore"];

/// How to walk a model, for signing and for verifying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Paths to leave out, with everything under them. A relative entry is
    /// relative to the model folder, `/`-separated (unlike the
    /// `model_signing` CLI, which resolves `--ignore-paths` against the
    /// working directory: pass absolute paths for that behaviour). An
    /// absolute entry counts when it lies inside the model, and an entry
    /// outside the model (absolute, or climbing out with `..`) is dropped,
    /// as model-signing drops it. When signing, the entries are
    /// recorded in the signature, so verifiers ignore them too.
    pub ignore_paths: Vec<String>,
    /// Hash files that symbolic links point to (under the link's name)
    /// instead of refusing links. Links to folders are never followed.
    pub allow_symlinks: bool,
    /// Ignore the top-level [`GIT_PATHS`] (default: yes).
    pub ignore_git_paths: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            ignore_paths: Vec::new(),
            allow_symlinks: false,
            ignore_git_paths: true,
        }
    }
}

/// Why a model cannot be signed or checked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The signing key is not ECDSA P-256.
    #[error(
        "model-signing accepts ECDSA P-256, P-384 and P-521 keys only, and custody signs for it with P-256; this is an {scheme} key"
    )]
    KeyNotP256 {
        /// The key's scheme ([`crate::keys::Scheme::name`]).
        scheme: &'static str,
    },
    /// I/O on a file or folder of the model.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// A symbolic link, and links are not allowed.
    #[error(
        "{0}: is a symbolic link; model-signing refuses links anywhere in the model (even in ignored folders such as .git) unless links are allowed"
    )]
    Symlink(PathBuf),
    /// Neither a regular file nor a folder: a FIFO, socket, device or
    /// broken link.
    #[error(
        "{0}: not a regular file or folder (FIFO, socket, device or broken link); model-signing cannot sign it"
    )]
    Special(PathBuf),
    /// A file whose name is not UTF-8.
    #[error("{0}: file name is not UTF-8 (model-signing names files by UTF-8 paths)")]
    NotUtf8(PathBuf),
    /// The statement's predicate is not a model-signing v1.0 predicate
    /// this module can check.
    #[error("not a model-signing signature custody can check: {0}")]
    Predicate(String),
    /// The statement or bundle could not be encoded.
    #[error("cannot encode the model-signing signature: {0}")]
    Encode(String),
}

/// Signs the model at `model` (a folder, or a single file) with `key` and
/// returns the bundle's bytes: compact JSON, as `model_signing sign key`
/// writes it. `signature` is where the bundle will be written; when that
/// is inside the model it is left out of the signature (and recorded as
/// ignored). Only ECDSA P-256 keys can sign.
pub fn sign(
    model: &Path,
    key: &SigningKey,
    signature: &Path,
    options: &Options,
) -> Result<Vec<u8>, Error> {
    if !matches!(key, SigningKey::EcdsaP256(_)) {
        return Err(Error::KeyNotP256 {
            scheme: key.scheme().name(),
        });
    }
    let ignore = ignore_set(model, signature, options, &[])?;
    let files = hash_files(list(model, &ignore, options.allow_symlinks)?)?;
    let recorded: Vec<String> = ignore
        .iter()
        .map(|p| {
            if p.is_empty() {
                ".".to_owned()
            } else {
                p.join("/")
            }
        })
        .collect();
    let payload = statement(
        &model_name(model),
        &files,
        &recorded,
        options.allow_symlinks,
    )?;
    let mut envelope = Envelope::sign(IN_TOTO, &payload, key);
    for s in &mut envelope.signatures {
        // model-signing writes an empty key id; the bundle's hint names the key.
        s.keyid.clear();
    }
    let bundle = Bundle::new(envelope, key.public().key_id());
    serde_json::to_vec(&bundle).map_err(|e| Error::Encode(e.to_string()))
}

/// Checks the model at `model` against `statement`, a model-signing
/// statement whose signature [`crate::open::open`] has verified: the
/// predicate (a `files` serialization with SHA-256, exactly one subject
/// whose digest is the root over the listed resources), then the files,
/// re-hashed with the default git ignores (unless turned off), the
/// `signature` file when it is inside the model, `options`'
/// ignore paths and the ignore paths recorded in the signature.
///
/// The report lists files added (present here, not signed), removed
/// (signed, missing here) and modified. model-signing records no sizes:
/// added and modified files carry their local size, removed files and the
/// old side of modified ones 0.
pub fn verify(
    statement: &Statement,
    model: &Path,
    signature: &Path,
    options: &Options,
) -> Result<Report, Error> {
    let signed = check_statement(statement)?;
    let ignore = ignore_set(model, signature, options, &signed.ignore_paths)?;
    let local = hash_files(list(model, &ignore, options.allow_symlinks)?)?;
    Ok(compare(&signed.resources, &local))
}

/// A file of the model, hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Hashed {
    /// Model-relative name.
    pub(super) name: String,
    /// SHA-256 of the content.
    pub(super) digest: Digest,
    /// Bytes hashed.
    pub(super) size: u64,
}

/// The root digest: SHA-256 over the raw digests in order.
fn root_digest<'a>(digests: impl IntoIterator<Item = &'a Digest>) -> Digest {
    let parts: Vec<&[u8]> = digests.into_iter().map(<[u8; 32]>::as_slice).collect();
    Algorithm::Sha256.digest_parts(&parts)
}

/// Hashes the listed files in parallel (SHA-256 of each whole file), in
/// their order.
fn hash_files(files: Vec<Found>) -> Result<Vec<Hashed>, Error> {
    files
        .into_par_iter()
        .map(|f| {
            let (digest, size) =
                hash::whole(Algorithm::Sha256, &f.path).map_err(|source| Error::Io {
                    path: f.path.clone(),
                    source,
                })?;
            Ok(Hashed {
                name: f.name,
                digest,
                size,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::predicate::{Signed, parse_hex_digest};
    use super::*;
    use crate::compare::FileNote;
    use crate::keys::{PublicKey, Scheme, hex};
    use crate::names;

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

    fn parse(payload: &[u8]) -> Statement {
        serde_json::from_slice(payload).unwrap()
    }

    fn sample() -> Vec<Hashed> {
        vec![
            hashed("a/b", b"1"),
            hashed("a-c/c", b"2"),
            hashed("\u{fc}n\u{ef}.txt", b""),
        ]
    }

    #[test]
    fn names_sort_by_component_like_model_signing() {
        let mut v = vec![
            "a-c/c",
            "weights.bin",
            "a/b",
            ".env",
            "sub/deeper/x.dat",
            "sub/.gitignore",
            "empty.bin",
        ];
        v.sort_by(|a, b| names::order(a, b));
        assert_eq!(
            v,
            [
                ".env",
                "a/b",
                "a-c/c",
                "empty.bin",
                "sub/.gitignore",
                "sub/deeper/x.dat",
                "weights.bin"
            ]
        );
    }

    #[test]
    fn root_is_sha256_over_raw_digests_in_order() {
        let (a, b) = (sha(b"a"), sha(b"b"));
        let mut cat = a.to_vec();
        cat.extend_from_slice(&b);
        assert_eq!(root_digest([&a, &b]), sha(&cat));
        assert_ne!(
            root_digest([&b, &a]),
            root_digest([&a, &b]),
            "order matters"
        );
        assert_eq!(
            hex(&root_digest([])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn statement_is_laid_out_like_json_dumps() {
        let payload = statement(
            "model",
            &sample(),
            &[".git".into(), "model.sig".into()],
            false,
        )
        .unwrap();
        let text = String::from_utf8(payload.clone()).unwrap();
        assert!(text.is_ascii(), "non-ASCII is escaped");
        assert!(text.contains(r#""name": "\u00fcn\u00ef.txt""#), "{text}");
        assert!(text.starts_with(
            "{\n  \"_type\": \"https://in-toto.io/Statement/v1\",\n  \"subject\": [\n"
        ));
        assert!(!text.ends_with('\n'));
        let st = parse(&payload);
        let signed = check_statement(&st).unwrap();
        assert_eq!(signed.resources.len(), 3);
        assert_eq!(signed.resources[2].0, "\u{fc}n\u{ef}.txt");
        assert_eq!(signed.ignore_paths, [".git", "model.sig"]);
        // Characters outside the BMP become surrogate pairs.
        let emoji = statement("m", &[hashed("\u{1f600}", b"")], &[], false).unwrap();
        assert!(String::from_utf8(emoji).unwrap().contains(r"\ud83d\ude00"));
        // No ignore paths: the key is left out, as model-signing does.
        let none = statement("m", &sample(), &[], false).unwrap();
        assert!(!String::from_utf8(none).unwrap().contains("ignore_paths"));
    }

    fn predicate_edit(edit: impl FnOnce(&mut serde_json::Value)) -> Result<Signed, Error> {
        let payload = statement("model", &sample(), &[".git".into()], false).unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        edit(&mut v);
        check_statement(&serde_json::from_value(v).unwrap())
    }

    fn detail(r: Result<Signed, Error>) -> String {
        match r {
            Err(Error::Predicate(d)) => d,
            other => panic!("expected a predicate error, got {other:?}"),
        }
    }

    #[test]
    fn predicate_checks() {
        assert!(predicate_edit(|_| {}).is_ok());
        let root = detail(predicate_edit(|v| {
            v["predicate"]["resources"][0]["digest"] = "00".repeat(32).into();
        }));
        assert!(root.contains("root"), "{root}");
        let swapped = detail(predicate_edit(|v| {
            v["predicate"]["resources"]
                .as_array_mut()
                .unwrap()
                .swap(0, 1);
        }));
        assert!(
            swapped.contains("root"),
            "the root covers the listed order: {swapped}"
        );
        // An unsorted list whose root matches its order is accepted.
        let unsorted = predicate_edit(|v| {
            v["predicate"]["resources"]
                .as_array_mut()
                .unwrap()
                .swap(0, 1);
            let r = &v["predicate"]["resources"];
            let ds: Vec<Digest> = (0..3)
                .map(|i| parse_hex_digest(r[i]["digest"].as_str().unwrap()).unwrap())
                .collect();
            v["subject"][0]["digest"]["sha256"] = hex(&root_digest(&ds)).into();
        });
        assert_eq!(unsorted.unwrap().resources[0].0, "a-c/c");
        for key in ["method", "hash_type", "allow_symlinks"] {
            let d = detail(predicate_edit(|v| {
                v["predicate"]["serialization"]
                    .as_object_mut()
                    .unwrap()
                    .remove(key);
            }));
            assert!(d.contains(key), "{d}");
        }
        assert!(
            detail(predicate_edit(
                |v| v["predicate"]["serialization"]["method"] = "shards".into()
            ))
            .contains("files")
        );
        assert!(
            detail(predicate_edit(
                |v| v["predicate"]["serialization"]["hash_type"] = "blake3".into()
            ))
            .contains("sha256")
        );
        assert!(
            detail(predicate_edit(
                |v| v["predicate"]["resources"][1]["algorithm"] = "SHA256".into()
            ))
            .contains("algorithm")
        );
        assert!(
            detail(predicate_edit(
                |v| v["predicate"]["resources"][1]["digest"] = "abc".into()
            ))
            .contains("hex")
        );
        let two = detail(predicate_edit(|v| {
            let s = v["subject"][0].clone();
            v["subject"].as_array_mut().unwrap().push(s);
        }));
        assert!(two.contains("2 subjects"), "{two}");
        assert!(
            detail(predicate_edit(
                |v| v["predicateType"] = "https://model_signing/Digests/v0.1".into()
            ))
            .contains("predicate type")
        );
        assert!(
            detail(predicate_edit(
                |v| v["predicate"]["serialization"]["ignore_paths"] = 3.into()
            ))
            .contains("ignore_paths")
        );
        // Upper-case hex digests parse (bytes.fromhex), and names normalise.
        let upper = predicate_edit(|v| {
            let d = v["predicate"]["resources"][0]["digest"]
                .as_str()
                .unwrap()
                .to_uppercase();
            v["predicate"]["resources"][0]["digest"] = d.into();
            v["predicate"]["resources"][0]["name"] = "./a//b".into();
        })
        .unwrap();
        assert_eq!(upper.resources[0].0, "a/b");
        let dup = detail(predicate_edit(|v| {
            v["predicate"]["resources"][1]["name"] = "a/./b".into();
        }));
        assert!(dup.contains("both name"), "{dup}");
    }

    #[test]
    fn ed25519_keys_are_refused() {
        let k = SigningKey::generate(Scheme::Ed25519).unwrap();
        let e = sign(
            Path::new("/nonexistent"),
            &k,
            Path::new("m.sig"),
            &Options::default(),
        )
        .unwrap_err();
        assert!(matches!(e, Error::KeyNotP256 { scheme: "ed25519" }));
        assert!(e.to_string().contains("P-256, P-384 and P-521"), "{e}");
    }

    fn write(root: &Path, name: &str, data: &[u8]) {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }

    fn open_bundle(bytes: &[u8], key: &PublicKey) -> Statement {
        let bundle: Bundle = serde_json::from_slice(bytes).unwrap();
        assert_eq!(bundle.verification_material.public_key.hint, key.key_id());
        assert_eq!(bundle.dsse_envelope.signatures[0].keyid, "");
        bundle
            .dsse_envelope
            .verify(std::slice::from_ref(key))
            .unwrap();
        parse(&STANDARD.decode(&bundle.dsse_envelope.payload).unwrap())
    }

    #[test]
    fn sign_then_verify_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("model");
        write(&model, "a/b", b"ab");
        write(&model, "a-c/c", b"c");
        write(&model, ".git/HEAD", b"ref");
        write(&model, "sub/.gitignore", b"*");
        write(&model, "notes/x.txt", b"x");
        write(
            &model,
            "big.bin",
            &vec![7u8; crate::hash::READ_BLOCK * 2 + 5],
        );
        std::fs::create_dir_all(model.join("empty")).unwrap();
        let key = SigningKey::generate(Scheme::EcdsaP256).unwrap();
        let sig = model.join("model.sig");
        let options = Options {
            ignore_paths: vec!["notes".into()],
            ..Options::default()
        };
        let bytes = sign(&model, &key, &sig, &options).unwrap();
        std::fs::write(&sig, &bytes).unwrap();
        let st = open_bundle(&bytes, &key.public());
        assert_eq!(st.subject[0].name, "model");
        let names: Vec<&str> = st.predicate["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["a/b", "a-c/c", "big.bin", "sub/.gitignore"]);
        let ignore: Vec<&str> = st.predicate["serialization"]["ignore_paths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            ignore,
            [
                ".git",
                ".gitattributes",
                ".github",
                ".gitignore",
                "model.sig",
                "notes"
            ]
        );
        assert_eq!(
            st.predicate["resources"][2]["digest"].as_str().unwrap(),
            hex(&sha(&vec![7u8; crate::hash::READ_BLOCK * 2 + 5]))
        );
        // The signed ignore paths apply without being passed again.
        let report = verify(&st, &model, &sig, &Options::default()).unwrap();
        assert!(report.identical(), "{report:?}");
        assert_eq!(report.unchanged, 4);
        write(&model, "notes/y.txt", b"y");
        write(&model, ".git/config", b"y");
        write(&model, "a/b", b"AB");
        std::fs::remove_file(model.join("a-c/c")).unwrap();
        let report = verify(&st, &model, &sig, &Options::default()).unwrap();
        assert_eq!(report.modified.len(), 1);
        assert_eq!(
            (
                report.modified[0].path.as_str(),
                report.modified[0].new_size
            ),
            ("a/b", 2)
        );
        assert_eq!(
            report.removed,
            [FileNote {
                path: "a-c/c".into(),
                size: 0
            }]
        );
        assert!(report.added.is_empty());
    }

    #[test]
    fn single_file_models_and_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "w.bin", b"weights");
        let key = SigningKey::generate(Scheme::EcdsaP256).unwrap();
        let file = dir.path().join("w.bin");
        let bytes = sign(&file, &key, &dir.path().join("w.sig"), &Options::default()).unwrap();
        let st = open_bundle(&bytes, &key.public());
        assert_eq!(st.subject[0].name, "w.bin");
        assert_eq!(st.predicate["resources"][0]["name"], ".");
        assert!(
            verify(&st, &file, &dir.path().join("w.sig"), &Options::default())
                .unwrap()
                .identical()
        );

        let model = dir.path().join("m");
        write(&model, "x", b"x");
        write(&model, ".git/objects/o", b"o");
        std::os::unix::fs::symlink("o", model.join(".git/objects/link")).unwrap();
        let e = sign(&model, &key, &dir.path().join("m.sig"), &Options::default()).unwrap_err();
        assert!(
            matches!(e, Error::Symlink(ref p) if p.ends_with(".git/objects/link")),
            "{e}"
        );
        let allow = Options {
            allow_symlinks: true,
            ..Options::default()
        };
        std::os::unix::fs::symlink("x", model.join("y")).unwrap();
        std::os::unix::fs::symlink(".git", model.join("d")).unwrap();
        let bytes = sign(&model, &key, &dir.path().join("m.sig"), &allow).unwrap();
        let st = open_bundle(&bytes, &key.public());
        assert_eq!(
            st.predicate["resources"].as_array().unwrap().len(),
            2,
            "x and the link y; d is a folder"
        );
        assert_eq!(st.predicate["resources"][1]["name"], "y");
        std::os::unix::fs::symlink("missing", model.join("z")).unwrap();
        assert!(matches!(
            sign(&model, &key, &dir.path().join("m.sig"), &allow),
            Err(Error::Special(_))
        ));
    }
}
