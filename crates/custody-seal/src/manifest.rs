//! The manifest (`custody.manifest/v1`): every file's path, size, digest,
//! chunk digests and record index, and the Merkle root over them. It is
//! the predicate of an in-toto Statement v1 whose subject is the dataset's
//! name and root; the statement is signed in a DSSE envelope. The format
//! is documented in `docs/seal.md`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::hash::{Algorithm, Digest};
use crate::keys::hex;
use crate::records::{Fingerprint, Format, Index};
use crate::{merkle, names};

/// Schema name inside the predicate.
pub const SCHEMA: &str = "custody.manifest/v1";
/// The in-toto predicate type of a custody manifest.
pub const PREDICATE_TYPE: &str = "https://custody.dev/manifest/v1";
/// in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// Largest chunk size a manifest may declare (1 GiB).
pub const MAX_CHUNK: u64 = 1 << 30;

/// What to do with symbolic links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Symlinks {
    /// Stop with an error naming the link (default).
    Refuse,
    /// Leave links out.
    Skip,
    /// Hash what links point to, if it is inside the dataset.
    Follow,
}

/// The manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`SCHEMA`].
    pub schema: String,
    /// The dataset's name (the statement's subject name).
    pub name: String,
    /// Hash function of every digest here.
    pub algorithm: Algorithm,
    /// Chunk size in bytes.
    pub chunk_size: u64,
    /// Merkle root over the files (hex).
    pub root: String,
    /// Symbolic-link policy the walk used.
    pub symlinks: Symlinks,
    /// Exclude patterns the walk used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excludes: Vec<String>,
    /// Key field of record indexes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_key: Option<String>,
    /// Files in [`names::order`].
    pub files: Vec<Entry>,
}

/// One file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Relative path, `/`-separated.
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// File digest (hex in JSON).
    pub digest: HexDigest,
    /// Chunk digests (hex in JSON) when the file spans several chunks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chunks: Vec<HexDigest>,
    /// Record index of line-oriented data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<Records>,
}

/// A record index as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Records {
    /// How records were split.
    pub format: Format,
    /// Number of records.
    pub count: u64,
    /// Line of the first record.
    pub first_line: u64,
    /// Base64 of the 16-byte fingerprints, concatenated.
    pub fingerprints: String,
    /// Key values, one per record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<String>>,
    /// Start lines, when records span lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<u64>>,
}

impl Records {
    /// Stores an index (taking its keys and lines, not copying them).
    pub fn from_index(index: Index) -> Self {
        let mut raw = Vec::with_capacity(index.fingerprints.len() * 16);
        for f in &index.fingerprints {
            raw.extend_from_slice(f);
        }
        Self {
            format: index.format,
            count: index.fingerprints.len() as u64,
            first_line: index.first_line,
            fingerprints: STANDARD.encode(raw),
            keys: index.keys,
            lines: index.lines,
        }
    }

    /// Whether the stored index is consistent (fingerprint bytes, key and
    /// line counts), without copying it.
    pub fn validate(&self) -> Result<(), String> {
        self.fingerprint_bytes().map(|_| ())
    }

    /// Decodes the stored index; `Err` says what is inconsistent.
    pub fn to_index(&self) -> Result<Index, String> {
        let raw = self.fingerprint_bytes()?;
        let fingerprints: Vec<Fingerprint> = raw
            .chunks_exact(16)
            .map(|c| {
                let mut f = [0u8; 16];
                f.copy_from_slice(c);
                f
            })
            .collect();
        Ok(Index {
            format: self.format,
            first_line: self.first_line,
            fingerprints,
            keys: self.keys.clone(),
            lines: self.lines.clone(),
        })
    }

    fn fingerprint_bytes(&self) -> Result<Vec<u8>, String> {
        let raw = STANDARD
            .decode(&self.fingerprints)
            .map_err(|e| format!("record fingerprints are not base64: {e}"))?;
        if raw.len() as u64 != self.count * 16 {
            return Err(format!(
                "{} bytes of record fingerprints for {} records (16 each)",
                raw.len(),
                self.count
            ));
        }
        let count = usize::try_from(self.count).map_err(|_| "too many records".to_owned())?;
        for (what, len) in [
            ("keys", self.keys.as_ref().map(Vec::len)),
            ("lines", self.lines.as_ref().map(Vec::len)),
        ] {
            if let Some(len) = len
                && len != count
            {
                return Err(format!("{len} record {what} for {count} records"));
            }
        }
        Ok(raw)
    }
}

/// A digest written as 64 lowercase hex digits (32 bytes in memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HexDigest(pub Digest);

impl Serialize for HexDigest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex(&self.0))
    }
}

impl<'de> Deserialize<'de> for HexDigest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse_digest(&s)
            .map(HexDigest)
            .map_err(serde::de::Error::custom)
    }
}

/// Parses a 64-digit hex digest.
pub fn parse_digest(s: &str) -> Result<Digest, String> {
    if s.len() != 64
        || !s
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(format!("{s:?} is not a 64-digit lowercase hex digest"));
    }
    let mut d = [0u8; 32];
    for (i, b) in d.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
    }
    Ok(d)
}

impl Manifest {
    /// The Merkle root of the listed files.
    pub fn compute_root(&self) -> Digest {
        let leaves: Vec<Digest> = self
            .files
            .iter()
            .map(|e| merkle::leaf(self.algorithm, &e.path, e.size, &e.digest.0))
            .collect();
        merkle::root(self.algorithm, &leaves)
    }

    /// Every rule a manifest custody wrote satisfies. `Err((index, reason))`
    /// names the entry (`usize::MAX` for the manifest as a whole).
    pub fn check(&self) -> Result<(), (usize, String)> {
        const WHOLE: usize = usize::MAX;
        if self.schema != SCHEMA {
            return Err((WHOLE, format!("schema {:?} is not {SCHEMA}", self.schema)));
        }
        if self.chunk_size == 0 || self.chunk_size > MAX_CHUNK {
            return Err((
                WHOLE,
                format!("chunk size {} is not in 1..=1 GiB", self.chunk_size),
            ));
        }
        for (i, e) in self.files.iter().enumerate() {
            names::check(&e.path).map_err(|r| (i, r))?;
            if i > 0 && names::order(&self.files[i - 1].path, &e.path) != std::cmp::Ordering::Less {
                return Err((
                    i,
                    "out of order or repeated (files are sorted by path component)".into(),
                ));
            }
            let expected = if e.size > self.chunk_size {
                e.size.div_ceil(self.chunk_size)
            } else {
                0
            };
            if e.chunks.len() as u64 != expected {
                return Err((
                    i,
                    format!(
                        "{} chunk digests for {} bytes in chunks of {}",
                        e.chunks.len(),
                        e.size,
                        self.chunk_size
                    ),
                ));
            }
            if let Some(r) = &e.records {
                r.validate().map_err(|m| (i, m))?;
            }
        }
        if let Some((a, b, why)) = names::collision(self.files.iter().map(|e| e.path.as_str())) {
            let i = self.files.iter().position(|e| e.path == b).unwrap_or(WHOLE);
            return Err((i, format!("{a:?} and {b:?} {why}")));
        }
        let root = self.compute_root();
        if hex(&root) != self.root {
            return Err((
                WHOLE,
                format!(
                    "the files hash to root {}, not the listed {}",
                    hex(&root),
                    self.root
                ),
            ));
        }
        Ok(())
    }

    /// Appends the in-toto statement that carries this manifest, as JSON
    /// (serialised straight from the manifest, no intermediate tree), to `out`.
    pub fn write_statement(&self, out: &mut Vec<u8>) -> std::io::Result<()> {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(rename = "_type")]
            type_: &'static str,
            subject: [OutSubject<'a>; 1],
            #[serde(rename = "predicateType")]
            predicate_type: &'static str,
            predicate: &'a Manifest,
        }
        #[derive(Serialize)]
        struct OutSubject<'a> {
            name: &'a str,
            digest: std::collections::BTreeMap<&'static str, &'a str>,
        }
        let doc = Out {
            type_: STATEMENT_TYPE,
            subject: [OutSubject {
                name: &self.name,
                digest: [(self.algorithm.name(), self.root.as_str())].into(),
            }],
            predicate_type: PREDICATE_TYPE,
            predicate: self,
        };
        serde_json::to_writer(out, &doc).map_err(std::io::Error::other)
    }
}

/// An in-toto Statement v1, as read.
#[derive(Debug, Deserialize)]
pub struct Statement {
    /// [`STATEMENT_TYPE`].
    #[serde(rename = "_type")]
    pub type_: String,
    /// Subjects.
    pub subject: Vec<Subject>,
    /// Predicate type.
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// Predicate.
    #[serde(default)]
    pub predicate: serde_json::Value,
}

/// A statement's subject.
#[derive(Debug, Deserialize)]
pub struct Subject {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Digest set.
    pub digest: std::collections::BTreeMap<String, String>,
}
