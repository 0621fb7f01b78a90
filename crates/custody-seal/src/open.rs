//! Reading a signed manifest: size limit, container (DSSE envelope or
//! Sigstore bundle), signature by a trusted key, statement, manifest rules,
//! and the Merkle root against the signed subject. Nothing in the payload
//! is parsed before its signature has verified.

use std::path::Path;

use crate::dsse;
use crate::error::{OpenError, TrustError};
use crate::keys::PublicKey;
use crate::manifest::{Manifest, PREDICATE_TYPE, STATEMENT_TYPE, Statement};
use crate::seal::Container;

/// Default size limit of a manifest file: 1 GiB.
pub const DEFAULT_MAX_SIZE: u64 = 1 << 30;

/// The predicate type of model-signing 1.x signatures.
pub const MODEL_SIGNING_PREDICATE: &str = "https://model_signing/signature/v1.0";

/// The predicate type of SLSA provenance v1 (`custody run` attestations).
pub const SLSA_PROVENANCE: &str = "https://slsa.dev/provenance/v1";

/// The predicate type of a `custody scan` inventory: every package of
/// every environment and lockfile a scan read.
pub const INVENTORY_PREDICATE: &str = "https://custody.dev/inventory/v1";
/// The predicate type of a `custody deliver` bundle.
pub const DELIVERY_PREDICATE: &str = "https://custody.dev/delivery/v1";
/// The predicate type of a `custody accept` decision.
pub const DECISION_PREDICATE: &str = "https://custody.dev/delivery-decision/v1";
/// The predicate type of a vetting index's decisions (`custody index
/// serve`, `custody guard`, `custody index mirror` with `--ledger`).
pub const INDEX_DECISIONS_PREDICATE: &str = "https://custody.dev/index-decisions/v1";
/// custody's evidence statements other than manifests and provenance:
/// opened as [`Payload::Evidence`], their predicates read by the caller.
pub const EVIDENCE_PREDICATES: &[&str] = &[
    INVENTORY_PREDICATE,
    DELIVERY_PREDICATE,
    DECISION_PREDICATE,
    INDEX_DECISIONS_PREDICATE,
];

/// What a signed file holds.
#[derive(Debug)]
pub enum Payload {
    /// A custody manifest, checked.
    Custody(Manifest),
    /// A model-signing statement (checked by [`crate::modelsign`]).
    ModelSigning(Statement),
    /// A SLSA provenance statement (`custody run` attestations): its
    /// subjects are checked against files by the caller.
    Provenance(Statement),
    /// One of custody's [`EVIDENCE_PREDICATES`] (a scan inventory, a
    /// delivery bundle, a delivery decision, an index's decisions): read by
    /// the ledger by its predicate type.
    Evidence(Statement),
}

/// A signed manifest that verified.
#[derive(Debug)]
pub struct Opened {
    /// What it holds.
    pub payload: Payload,
    /// Key id of the key that verified it (`None` when not checked).
    pub signer: Option<String>,
    /// How it was wrapped.
    pub container: Container,
}

/// Opens `path`. A file that cannot be read is [`OpenError::Unreadable`];
/// everything after that is [`OpenError::Untrusted`]. With `trusted` empty the signature is not checked (for
/// `diff` without keys; the caller says so). The file's bytes, the decoded
/// payload and the parsed manifest are the only large allocations: the
/// payload is decoded once, behind room for its PAE header, and verified
/// in place.
pub fn open(path: &Path, trusted: &[PublicKey], max_size: u64) -> Result<Opened, OpenError> {
    let bytes = read_bounded(path, max_size)?;
    Ok(open_bytes(path, bytes, trusted)?)
}

/// [`open`] of bytes already in memory (no size limit: the caller bounded
/// them); `name` only names the document in errors. The bytes are dropped
/// once the payload is decoded. The checks are [`open`]'s, in the same
/// order.
pub fn open_bytes(
    name: &Path,
    bytes: Vec<u8>,
    trusted: &[PublicKey],
) -> Result<Opened, TrustError> {
    let verified = verify_bytes(name, &bytes, trusted)?;
    // The file's bytes are not needed past the decoded payload.
    drop(bytes);
    interpret(verified)
}

/// A payload whose container and signature checked, not yet read.
#[derive(Debug)]
pub struct Verified {
    name: std::path::PathBuf,
    /// The decoded payload behind room for its PAE header.
    buf: Vec<u8>,
    /// Key id of the key that verified it (`None` when not checked).
    pub signer: Option<String>,
    /// How it was wrapped.
    pub container: Container,
}

impl Verified {
    /// The payload's bytes (an in-toto statement, not yet parsed).
    pub fn payload(&self) -> &[u8] {
        &self.buf[dsse::PAE_ROOM..]
    }
}

/// The first half of [`open_bytes`]: the container, the signature, and
/// that no object of the payload names a key twice ([`crate::json`]);
/// nothing of the payload interpreted. For a caller that reads one kind of
/// statement faster itself ([`interpret`] reads the rest).
///
/// # Errors
/// As [`open_bytes`], up to the signature.
pub fn verify_bytes(
    name: &Path,
    bytes: &[u8],
    trusted: &[PublicKey],
) -> Result<Verified, TrustError> {
    let path = name;
    let malformed = |detail: String| TrustError::Malformed {
        path: path.to_owned(),
        detail,
    };
    let (buf, signer, container) = {
        let (envelope, container, hint) = parse_container(path, bytes)?;
        if envelope.payload_type != dsse::IN_TOTO {
            return Err(TrustError::PayloadType {
                path: path.to_owned(),
                found: envelope.payload_type,
            });
        }
        let (buf, pae_start) =
            dsse::decode_with_pae(&envelope.payload_type, envelope.payload).map_err(malformed)?;
        let signer = if trusted.is_empty() {
            None
        } else {
            // The bundle's hint, like a signature's key id, only names a
            // key: the signature decides. It is said when nothing verified.
            let verified = dsse::verify_signatures(
                &buf[pae_start..],
                &envelope.signatures,
                trusted,
            )
            .map_err(|detail| TrustError::BadSignature {
                path: path.to_owned(),
                detail: if hint.is_empty() || trusted.iter().any(|k| k.key_id() == hint) {
                    detail
                } else {
                    format!(
                        "the bundle names key {hint}, which is not among the trusted keys; {detail}"
                    )
                },
            })?;
            Some(verified)
        };
        (buf, signer, container)
    };
    // One reading of what the signature covers, for every caller: a
    // duplicate key would let two verifiers see two statements. A payload
    // that is not JSON at all is left for the reader to name.
    if let Err(crate::json::Refusal::Duplicate(detail)) =
        crate::json::unique_keys(&buf[dsse::PAE_ROOM..])
    {
        return Err(TrustError::Ambiguous {
            path: path.to_owned(),
            detail,
        });
    }
    Ok(Verified {
        name: path.to_owned(),
        buf,
        signer,
        container,
    })
}

/// The second half of [`open_bytes`]: the statement, its type, and for a
/// manifest its rules and root.
///
/// # Errors
/// As [`open_bytes`], after the signature.
pub fn interpret(verified: Verified) -> Result<Opened, TrustError> {
    let Verified {
        name,
        buf,
        signer,
        container,
    } = verified;
    let path = name.as_path();
    let payload = &buf[dsse::PAE_ROOM..];
    // The predicate stays raw text until its type is known: a manifest of
    // many files is parsed once, into its own types.
    let statement: Head<'_> = serde_json::from_slice(payload)
        .map_err(|e| statement_error(path, format!("payload is not an in-toto statement: {e}")))?;
    if statement.type_ != STATEMENT_TYPE {
        return Err(statement_error(
            path,
            format!(
                "statement type {:?} is not {STATEMENT_TYPE}",
                statement.type_
            ),
        ));
    }
    if statement.predicate_type == SLSA_PROVENANCE
        || EVIDENCE_PREDICATES.contains(&statement.predicate_type.as_str())
    {
        let full: Statement = serde_json::from_slice(payload).map_err(|e| {
            statement_error(path, format!("payload is not an in-toto statement: {e}"))
        })?;
        let payload = if statement.predicate_type == SLSA_PROVENANCE {
            Payload::Provenance(full)
        } else {
            Payload::Evidence(full)
        };
        return Ok(Opened {
            payload,
            signer,
            container,
        });
    }
    if statement.subject.len() != 1 {
        return Err(statement_error(
            path,
            format!(
                "{} subjects; a manifest has exactly one",
                statement.subject.len()
            ),
        ));
    }
    if statement.predicate_type == MODEL_SIGNING_PREDICATE {
        let full: Statement = serde_json::from_slice(payload).map_err(|e| {
            statement_error(path, format!("payload is not an in-toto statement: {e}"))
        })?;
        return Ok(Opened {
            payload: Payload::ModelSigning(full),
            signer,
            container,
        });
    }
    let manifest = custody_manifest(path, &statement)?;
    Ok(Opened {
        payload: Payload::Custody(manifest),
        signer,
        container,
    })
}

/// The custody manifest a verified statement carries, checked: its rules,
/// and its root against the signed subject.
fn custody_manifest(path: &Path, statement: &Head<'_>) -> Result<Manifest, TrustError> {
    if statement.predicate_type != PREDICATE_TYPE {
        return Err(statement_error(
            path,
            format!(
                "predicate type {:?} is none of {PREDICATE_TYPE}, {MODEL_SIGNING_PREDICATE}, {SLSA_PROVENANCE}",
                statement.predicate_type
            ),
        ));
    }
    let raw = statement
        .predicate
        .map_or("null", serde_json::value::RawValue::get);
    let manifest: Manifest =
        serde_json::from_str(raw).map_err(|e| statement_error(path, format!("manifest: {e}")))?;
    manifest
        .check()
        .map_err(|(index, reason)| match manifest.files.get(index) {
            Some(e) => TrustError::BadEntry {
                path: path.to_owned(),
                index,
                name: e.path.clone(),
                reason,
            },
            None => statement_error(path, reason),
        })?;
    let subject = &statement.subject[0];
    let subject_root = subject
        .digest
        .get(manifest.algorithm.name())
        .cloned()
        .unwrap_or_default();
    if subject_root != manifest.root {
        return Err(TrustError::RootMismatch {
            path: path.to_owned(),
            computed: manifest.root.clone(),
            signed: subject_root,
        });
    }
    if subject.name != manifest.name {
        return Err(statement_error(
            path,
            format!(
                "subject name {:?} is not the manifest's name {:?}",
                subject.name, manifest.name
            ),
        ));
    }
    Ok(manifest)
}

/// The file's bytes, within the size limit.
fn read_bounded(path: &Path, max_size: u64) -> Result<Vec<u8>, OpenError> {
    let unreadable = |e: &std::io::Error| OpenError::Unreadable {
        path: path.to_owned(),
        reason: os_reason(e),
    };
    let meta = fs_err::metadata(path).map_err(|e| unreadable(&e))?;
    if !meta.is_file() {
        return Err(OpenError::Unreadable {
            path: path.to_owned(),
            reason: if meta.is_dir() {
                "is a folder".to_owned()
            } else {
                "not a regular file (a device, FIFO or socket)".to_owned()
            },
        });
    }
    let too_large = |size| TrustError::TooLarge {
        path: path.to_owned(),
        size,
        limit: max_size,
    };
    if meta.len() > max_size {
        return Err(too_large(meta.len()).into());
    }
    // Bounded too: the file can grow after the check.
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            fs_err::File::open(path).map_err(|e| unreadable(&e))?,
            max_size + 1,
        ),
        &mut bytes,
    )
    .map_err(|e| unreadable(&e))?;
    if bytes.len() as u64 > max_size {
        return Err(too_large(bytes.len() as u64).into());
    }
    Ok(bytes)
}

/// Why a file could not be read, without the path (the error names it;
/// `fs-err`'s text names it again).
fn os_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

/// The envelope (borrowing the payload from `bytes`), its container, and
/// the bundle's key hint (empty for a bare envelope).
fn parse_container<'a>(
    path: &Path,
    bytes: &'a [u8],
) -> Result<(dsse::EnvelopeRef<'a>, Container, String), TrustError> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "mediaType")]
        media_type: Option<serde::de::IgnoredAny>,
    }
    let malformed = |detail: String| TrustError::Malformed {
        path: path.to_owned(),
        detail,
    };
    let probe: Probe = serde_json::from_slice(bytes).map_err(|e| {
        malformed(if e.is_data() {
            format!("not a JSON object: {e}")
        } else {
            format!("not JSON: {e}")
        })
    })?;
    if probe.media_type.is_some() {
        let bundle: dsse::BundleRef<'a> =
            serde_json::from_slice(bytes).map_err(|e| malformed(format!("bundle: {e}")))?;
        if bundle.media_type != dsse::BUNDLE_V03 {
            return Err(malformed(format!(
                "bundle media type {:?} is not {}",
                bundle.media_type,
                dsse::BUNDLE_V03
            )));
        }
        let hint = bundle.verification_material.public_key.hint;
        Ok((bundle.dsse_envelope, Container::Bundle, hint))
    } else {
        let env: dsse::EnvelopeRef<'a> =
            serde_json::from_slice(bytes).map_err(|e| malformed(format!("DSSE envelope: {e}")))?;
        Ok((env, Container::Dsse, String::new()))
    }
}

/// A statement with its predicate unparsed.
#[derive(serde::Deserialize)]
struct Head<'a> {
    #[serde(rename = "_type")]
    type_: String,
    subject: Vec<crate::manifest::Subject>,
    #[serde(rename = "predicateType")]
    predicate_type: String,
    #[serde(borrow, default)]
    predicate: Option<&'a serde_json::value::RawValue>,
}

fn statement_error(path: &Path, detail: String) -> TrustError {
    TrustError::Statement {
        path: path.to_owned(),
        detail,
    }
}
