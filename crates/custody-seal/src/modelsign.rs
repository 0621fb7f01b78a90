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
//!   component by component ([`names::order`]).
//! * Root: the subject digest is the SHA-256 over the raw 32-byte digests of
//!   the resources in the order they are listed.
//! * Statement: in-toto Statement v1, predicate type
//!   [`MODEL_SIGNING_PREDICATE`], one subject named after the model folder;
//!   written as `json.dumps(indent=2)` would (non-ASCII as `\uXXXX`).
//! * Envelope and bundle: DSSE over the in-toto payload type, one DER ECDSA
//!   signature with an empty key id, in a bundle whose public-key hint is the
//!   key id ([`crate::keys::PublicKey::key_id`]) and whose `tlogEntries` is
//!   empty.
//!
//! model-signing records no file sizes, so reports carry the local size of
//! files that were added or modified and 0 where the size is unknown.

use std::collections::HashMap;
use std::io::{self, Read as _};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use sha2::Digest as _;

use crate::compare::{FileNote, Modified, Report};
use crate::dsse::{Bundle, Envelope, IN_TOTO};
use crate::hash::Digest;
use crate::keys::{SigningKey, hex};
use crate::manifest::{STATEMENT_TYPE, Statement};
use crate::names;
use crate::open::MODEL_SIGNING_PREDICATE;

/// The paths model-signing ignores by default (at the top of the model only).
pub const GIT_PATHS: [&str; 4] = [".git", ".gitattributes", ".github", ".gitignore"];

/// Read size when hashing a file (model-signing reads 1 MiB at a time too).
const READ_BUFFER: usize = 1 << 20;

/// Marks a path component that is not UTF-8: it contains `/`, so it can
/// match no ignore path (whose components never do).
const NOT_UTF8: &str = "/not-utf-8";

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
struct Hashed {
    /// Model-relative name.
    name: String,
    /// SHA-256 of the content.
    digest: Digest,
    /// Bytes hashed.
    size: u64,
}

/// A file of the model, listed.
#[derive(Debug, Clone)]
struct Found {
    name: String,
    path: PathBuf,
}

/// What a verified predicate signs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Signed {
    /// Normalised names and digests in listed order.
    resources: Vec<(String, Digest)>,
    /// `serialization.ignore_paths` as written.
    ignore_paths: Vec<String>,
}

// ---------------------------------------------------------------- pure --

/// The root digest: SHA-256 over the raw digests in order.
fn root_digest<'a>(digests: impl IntoIterator<Item = &'a Digest>) -> Digest {
    let mut h = sha2::Sha256::new();
    for d in digests {
        h.update(d);
    }
    h.finalize().into()
}

/// Whether the model-relative path `parts` lies under one of `ignore`
/// (component prefix, as Python's `PurePath.is_relative_to`).
fn ignored(parts: &[String], ignore: &[Vec<String>]) -> bool {
    ignore.iter().any(|i| parts.starts_with(i))
}

/// Components of a relative path with `.` and empty ones dropped and `..`
/// taken back lexically; `None` when it climbs out of the model.
fn normalize(path: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            p => out.push(p.to_owned()),
        }
    }
    Some(out)
}

/// An ignore path recorded in a signature, as model-signing applies it:
/// absolute ones are dropped, `.` and empty components dropped, and one
/// with `..` matches nothing (model-signing joins it to the model path
/// without resolving it, so no walked path is under it).
fn signed_ignore(path: &str) -> Option<Vec<String>> {
    if path.starts_with('/') {
        return None;
    }
    let parts: Vec<String> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .map(str::to_owned)
        .collect();
    (!parts.iter().any(|p| p == "..")).then_some(parts)
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

/// A hex digest of 32 bytes, either case (model-signing reads it with
/// `bytes.fromhex`).
fn parse_hex_digest(s: &str) -> Option<Digest> {
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
fn check_statement(statement: &Statement) -> Result<Signed, Error> {
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
fn compare(signed: &[(String, Digest)], local: &[Hashed]) -> Report {
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

/// The statement's bytes, laid out as model-signing writes it.
fn statement(
    name: &str,
    files: &[Hashed],
    ignore_paths: &[String],
    allow_symlinks: bool,
) -> Result<Vec<u8>, Error> {
    #[derive(Serialize)]
    struct StatementOut<'a> {
        #[serde(rename = "_type")]
        type_: &'static str,
        subject: [SubjectOut<'a>; 1],
        #[serde(rename = "predicateType")]
        predicate_type: &'static str,
        predicate: PredicateOut<'a>,
    }
    #[derive(Serialize)]
    struct SubjectOut<'a> {
        name: &'a str,
        digest: Sha256Out,
    }
    #[derive(Serialize)]
    struct Sha256Out {
        sha256: String,
    }
    #[derive(Serialize)]
    struct PredicateOut<'a> {
        resources: Vec<ResourceOut<'a>>,
        serialization: SerializationOut<'a>,
    }
    #[derive(Serialize)]
    struct ResourceOut<'a> {
        algorithm: &'static str,
        digest: String,
        name: &'a str,
    }
    #[derive(Serialize)]
    struct SerializationOut<'a> {
        #[serde(skip_serializing_if = "no_paths")]
        ignore_paths: &'a [String],
        hash_type: &'static str,
        method: &'static str,
        allow_symlinks: bool,
    }
    #[allow(
        clippy::ref_option_ref,
        clippy::trivially_copy_pass_by_ref,
        reason = "serde's skip_serializing_if signature"
    )]
    fn no_paths(paths: &&[String]) -> bool {
        paths.is_empty()
    }
    let out = StatementOut {
        type_: STATEMENT_TYPE,
        subject: [SubjectOut {
            name,
            digest: Sha256Out {
                sha256: hex(&root_digest(files.iter().map(|f| &f.digest))),
            },
        }],
        predicate_type: MODEL_SIGNING_PREDICATE,
        predicate: PredicateOut {
            resources: files
                .iter()
                .map(|f| ResourceOut {
                    algorithm: "sha256",
                    digest: hex(&f.digest),
                    name: &f.name,
                })
                .collect(),
            serialization: SerializationOut {
                ignore_paths,
                hash_type: "sha256",
                method: "files",
                allow_symlinks,
            },
        },
    };
    let mut bytes = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut bytes, AsciiPretty::default());
    out.serialize(&mut ser)
        .map_err(|e| Error::Encode(e.to_string()))?;
    Ok(bytes)
}

/// serde_json's pretty printer (2-space indent) with every non-ASCII
/// character written as a `\uXXXX` escape (UTF-16, lowercase hex): the
/// layout of Python's `json.dumps(indent=2)`.
#[derive(Default)]
struct AsciiPretty<'a>(serde_json::ser::PrettyFormatter<'a>);

impl serde_json::ser::Formatter for AsciiPretty<'_> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(i) = rest.find(|c: char| !c.is_ascii()) {
            writer.write_all(&rest.as_bytes()[..i])?;
            let c = rest[i..].chars().next().unwrap_or_default();
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(writer, "\\u{u:04x}")?;
            }
            rest = &rest[i + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }
    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

// ----------------------------------------------------------------- I/O --

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// `path` made absolute with every existing part resolved (Python's
/// `Path.resolve()`): the longest existing ancestor is canonicalised and
/// the rest appended.
fn resolve(path: &Path) -> Result<PathBuf, Error> {
    let absolute = std::path::absolute(path).map_err(io_error(path))?;
    let mut existing = absolute.as_path();
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        if let Ok(c) = fs_err::canonicalize(existing) {
            let mut out = c;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return Ok(out);
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => return Ok(absolute),
        }
    }
}

/// The model-relative components of `path` when it lies inside `model`
/// (both resolved like Python's `Path.resolve()`).
fn inside(model: &Path, path: &Path) -> Result<Option<Vec<String>>, Error> {
    let root = fs_err::canonicalize(model).map_err(|source| Error::Io {
        path: model.to_owned(),
        source,
    })?;
    let full = resolve(path)?;
    let Ok(rel) = full.strip_prefix(&root) else {
        return Ok(None);
    };
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(p) => match p.to_str() {
                Some(s) => parts.push(s.to_owned()),
                // No file of the model can have this name under it.
                None => return Ok(None),
            },
            Component::CurDir => {}
            _ => return Ok(None),
        }
    }
    Ok(Some(parts))
}

/// The ignore paths, as model-relative components, sorted: the git paths
/// (unless turned off), the caller's, the signature file when it is inside
/// the model, and those recorded in a signature being verified.
fn ignore_set(
    model: &Path,
    signature: &Path,
    options: &Options,
    signed: &[String],
) -> Result<Vec<Vec<String>>, Error> {
    let mut ignore: Vec<Vec<String>> = Vec::new();
    if options.ignore_git_paths {
        ignore.extend(GIT_PATHS.iter().map(|p| vec![(*p).to_owned()]));
    }
    for p in &options.ignore_paths {
        if let Some(parts) = caller_ignore(model, p)? {
            ignore.push(parts);
        }
    }
    if let Some(parts) = inside(model, signature)? {
        ignore.push(parts);
    }
    ignore.extend(signed.iter().filter_map(|p| signed_ignore(p)));
    ignore.sort();
    ignore.dedup();
    Ok(ignore)
}

/// A caller's ignore path: relative to the model, or absolute (counted
/// only inside the model).
fn caller_ignore(model: &Path, path: &str) -> Result<Option<Vec<String>>, Error> {
    if Path::new(path).is_absolute() {
        inside(model, Path::new(path))
    } else {
        Ok(normalize(path))
    }
}

/// The subject name: the model's base name (of the resolved path for `.`
/// or `..`).
fn model_name(model: &Path) -> String {
    model
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| {
            fs_err::canonicalize(model)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_default()
}

/// Lists the files of the model to hash, sorted by [`names::order`].
fn list(model: &Path, ignore: &[Vec<String>], allow_symlinks: bool) -> Result<Vec<Found>, Error> {
    let meta = fs_err::symlink_metadata(model).map_err(io_error(model))?;
    let meta = if meta.is_symlink() {
        if !allow_symlinks {
            return Err(Error::Symlink(model.to_owned()));
        }
        fs_err::metadata(model).map_err(|_| Error::Special(model.to_owned()))?
    } else {
        meta
    };
    let mut out = Vec::new();
    if meta.is_file() {
        if !ignored(&[], ignore) {
            out.push(Found {
                name: ".".to_owned(),
                path: model.to_owned(),
            });
        }
    } else if meta.is_dir() {
        walk(model, &mut Vec::new(), ignore, allow_symlinks, &mut out)?;
    } else {
        return Err(Error::Special(model.to_owned()));
    }
    out.sort_by(|a, b| names::order(&a.name, &b.name));
    Ok(out)
}

/// Adds the files under `dir` (whose model-relative components are
/// `parts`) to `out`. Every entry is checked, including those in ignored
/// folders, as model-signing does.
fn walk(
    dir: &Path,
    parts: &mut Vec<String>,
    ignore: &[Vec<String>],
    allow_symlinks: bool,
    out: &mut Vec<Found>,
) -> Result<(), Error> {
    let mut entries = fs_err::read_dir(dir)
        .map_err(io_error(dir))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(io_error(dir))?;
    entries.sort_by_key(fs_err::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let kind = entry.file_type().map_err(io_error(&path))?;
        let (is_file, is_dir) = if kind.is_symlink() {
            if !allow_symlinks {
                return Err(Error::Symlink(path));
            }
            // A broken link is an error, as in model-signing.
            let target = fs_err::metadata(&path).map_err(|_| Error::Special(path.clone()))?;
            if !target.is_file() && !target.is_dir() {
                return Err(Error::Special(path));
            }
            // Python's glob does not descend into links to folders.
            (target.is_file(), false)
        } else if kind.is_dir() || kind.is_file() {
            (kind.is_file(), kind.is_dir())
        } else {
            return Err(Error::Special(path));
        };
        parts.push(
            entry
                .file_name()
                .into_string()
                .unwrap_or_else(|_| NOT_UTF8.to_owned()),
        );
        if is_dir {
            walk(&path, parts, ignore, allow_symlinks, out)?;
        } else if is_file && !ignored(parts, ignore) {
            if parts.iter().any(|p| p == NOT_UTF8) {
                return Err(Error::NotUtf8(path));
            }
            out.push(Found {
                name: parts.join("/"),
                path,
            });
        }
        parts.pop();
    }
    Ok(())
}

/// Hashes the listed files in parallel, in their order.
fn hash_files(files: Vec<Found>) -> Result<Vec<Hashed>, Error> {
    files
        .into_par_iter()
        .map(|f| {
            let (digest, size) = hash_file(&f.path).map_err(|source| Error::Io {
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

thread_local! {
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// SHA-256 of a file's content, streamed through a per-thread buffer.
fn hash_file(path: &Path) -> io::Result<(Digest, u64)> {
    let mut file = fs_err::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut size = 0u64;
    BUFFER.with_borrow_mut(|buf| {
        buf.resize(READ_BUFFER, 0);
        loop {
            let n = match file.read(buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            h.update(&buf[..n]);
            size += n as u64;
        }
        Ok(())
    })?;
    Ok((h.finalize().into(), size))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;
    use crate::keys::{PublicKey, Scheme};

    fn sha(data: &[u8]) -> Digest {
        sha2::Sha256::digest(data).into()
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
    fn ignore_paths_match_component_prefixes() {
        let ignore: Vec<Vec<String>> = GIT_PATHS.iter().map(|p| vec![(*p).to_owned()]).collect();
        let parts = |s: &str| s.split('/').map(str::to_owned).collect::<Vec<_>>();
        assert!(ignored(&parts(".git/HEAD"), &ignore));
        assert!(ignored(&parts(".gitignore"), &ignore));
        assert!(
            !ignored(&parts("sub/.gitignore"), &ignore),
            "only at the top"
        );
        assert!(!ignored(&parts("sub/.git/x"), &ignore));
        assert!(!ignored(&parts(".gitignore2"), &ignore), "whole components");
        assert!(
            ignored(&parts("anything"), &[Vec::new()]),
            "`.` ignores everything"
        );
        assert_eq!(normalize("./a//b/"), Some(parts("a/b")));
        assert_eq!(normalize("a/../b"), Some(parts("b")));
        assert_eq!(normalize("../x"), None);
        assert_eq!(signed_ignore("a/./b"), Some(parts("a/b")));
        assert_eq!(signed_ignore("/etc"), None);
        assert_eq!(signed_ignore("a/../b"), None);
        assert_eq!(resource_name("./"), ".");
        assert_eq!(resource_name("/abs"), "/abs");
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
        write(&model, "big.bin", &vec![7u8; READ_BUFFER * 2 + 5]);
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
            hex(&sha(&vec![7u8; READ_BUFFER * 2 + 5]))
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
