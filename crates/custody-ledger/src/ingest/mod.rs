//! Evidence in: what a document is, whether it is trusted, and the facts
//! it states. Signed documents are opened with custody-seal's own
//! [`custody_seal::open::open_bytes`] (the checks of `open`, from
//! memory); nothing is parsed as evidence before a
//! trusted key has verified it.

pub mod attestation;
pub mod delivery;
pub mod environment;
pub mod gate;
pub mod inventory;
pub mod manifest;
mod provenance;
pub mod trust;

use std::path::Path;

use custody_seal::error::TrustError;
use custody_seal::keys::PublicKey;
use custody_seal::open::{self, Payload};

use crate::error::Refusal;
use crate::graph::Fact;
use crate::log::Event;

/// What an event holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A trusted public key (PEM).
    Trust,
    /// A `custody run` attestation (DSSE over SLSA provenance).
    Attestation,
    /// A seal manifest (`custody.manifest/v1`, DSSE or Sigstore bundle).
    Manifest,
    /// A scan inventory (DSSE over a `custody.dev/inventory/v1` statement).
    Inventory,
    /// A delivery bundle (`custody.dev/delivery/v1`).
    Delivery,
    /// A lab's decision about a bundle (`custody.dev/delivery-decision/v1`).
    Decision,
    /// A vetting index's decisions (`custody.dev/index-decisions/v1`).
    IndexDecisions,
}

impl Kind {
    /// The name stored in `events.kind`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Trust => "trust",
            Self::Attestation => "run-attestation",
            Self::Manifest => "seal-manifest",
            Self::Inventory => "scan-inventory",
            Self::Delivery => "delivery-bundle",
            Self::Decision => "delivery-decision",
            Self::IndexDecisions => "index-decisions",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Trust,
            Self::Attestation,
            Self::Manifest,
            Self::Inventory,
            Self::Delivery,
            Self::Decision,
            Self::IndexDecisions,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// A signed document that verified, parsed.
pub enum Document {
    /// A run attestation.
    Attestation(attestation::Run),
    /// A seal manifest.
    Manifest(manifest::Version),
    /// A scan inventory.
    Inventory(inventory::Scan),
    /// A delivery bundle or a decision.
    Delivery(delivery::Delivery),
    /// A vetting index's decisions.
    Gate(gate::Gate),
}

impl Document {
    /// Its kind.
    pub fn kind(&self) -> Kind {
        match self {
            Self::Attestation(_) => Kind::Attestation,
            Self::Manifest(_) => Kind::Manifest,
            Self::Inventory(_) => Kind::Inventory,
            Self::Delivery(delivery::Delivery::Bundle { .. }) => Kind::Delivery,
            Self::Delivery(delivery::Delivery::Decision { .. }) => Kind::Decision,
            Self::Gate(_) => Kind::IndexDecisions,
        }
    }

    /// The facts it states, as stored in `event`.
    pub fn facts(&self, event: &Event) -> Vec<Fact> {
        match self {
            Self::Attestation(r) => r.facts(event),
            Self::Manifest(m) => m.facts(event),
            Self::Inventory(s) => s.facts(event),
            Self::Delivery(d) => d.facts(event),
            Self::Gate(g) => g.facts(event),
        }
    }
}

/// Opens `bytes` as a signed document verified by one of `trusted`; no
/// trusted key is [`Refusal::NoTrustedKeys`], never an unchecked open.
pub fn open_document(bytes: &[u8], trusted: &[PublicKey]) -> Result<Document, Refusal> {
    if trusted.is_empty() {
        return Err(Refusal::NoTrustedKeys);
    }
    open_verified(bytes, trusted)
}

/// Opens a document the log stored (checked when it was stored) without
/// checking its signature again: for rebuilding the derived tables.
pub fn open_stored_document(body: &str) -> Result<Document, Refusal> {
    open_verified(body.as_bytes(), &[])
}

/// The signature checked (with `trusted` empty: not checked), then a run
/// attestation read the fast way ([`attestation::Run::from_payload`]),
/// anything else by the whole statement.
fn open_verified(bytes: &[u8], trusted: &[PublicKey]) -> Result<Document, Refusal> {
    let verified = verify_payload(bytes, trusted)?;
    if let Some(run) = attestation::Run::from_payload(verified.payload())? {
        return Ok(Document::Attestation(run));
    }
    document(
        open::interpret(verified)
            .map(|o| o.payload)
            .map_err(|e| refusal(bytes, e))?,
    )
}

/// The document a verified payload is.
fn document(payload: Payload) -> Result<Document, Refusal> {
    match payload {
        Payload::Provenance(statement) => {
            attestation::Run::parse(&statement).map(Document::Attestation)
        }
        Payload::Custody(m) => Ok(Document::Manifest(manifest::Version::of(&m))),
        Payload::Evidence(statement) => match statement.predicate_type.as_str() {
            open::DELIVERY_PREDICATE => {
                delivery::Delivery::bundle(&statement).map(Document::Delivery)
            }
            open::DECISION_PREDICATE => {
                delivery::Delivery::decision(&statement).map(Document::Delivery)
            }
            open::INDEX_DECISIONS_PREDICATE => gate::Gate::parse(&statement).map(Document::Gate),
            _ => inventory::Scan::parse(&statement).map(Document::Inventory),
        },
        Payload::ModelSigning(s) => Err(Refusal::UnknownKind(format!(
            "a model-signing signature ({}), not a run attestation or seal manifest",
            s.predicate_type
        ))),
    }
}

/// The whole manifest a stored seal-manifest event holds (checked when
/// stored; not checked again).
pub fn stored_manifest(body: &str) -> Result<custody_seal::manifest::Manifest, Refusal> {
    match open_payload(body.as_bytes(), &[])? {
        Payload::Custody(m) => Ok(m),
        _ => Err(Refusal::UnknownKind("not a seal manifest".to_owned())),
    }
}

/// The statement a stored run-attestation or inventory event holds
/// (checked when stored; not checked again).
pub fn stored_statement(body: &str) -> Result<custody_seal::manifest::Statement, Refusal> {
    match open_payload(body.as_bytes(), &[])? {
        Payload::Provenance(s) | Payload::Evidence(s) => Ok(s),
        _ => Err(Refusal::UnknownKind("not a run attestation".to_owned())),
    }
}

/// custody-seal's [`open::open_bytes`] of `bytes`, from memory.
fn open_payload(bytes: &[u8], trusted: &[PublicKey]) -> Result<Payload, Refusal> {
    open::interpret(verify_payload(bytes, trusted)?)
        .map(|o| o.payload)
        .map_err(|e| refusal(bytes, e))
}

fn verify_payload(bytes: &[u8], trusted: &[PublicKey]) -> Result<open::Verified, Refusal> {
    unsigned(bytes)?;
    if bytes.len() as u64 > open::DEFAULT_MAX_SIZE {
        return Err(Refusal::Malformed(format!(
            "cannot read the document: {} bytes is over the limit of {}",
            bytes.len(),
            open::DEFAULT_MAX_SIZE
        )));
    }
    open::verify_bytes(Path::new("document"), bytes, trusted).map_err(|e| refusal(bytes, e))
}

/// A bare in-toto statement, or an envelope without signatures. Only the
/// fields asked about are read (the payload is skipped, not copied).
fn unsigned(bytes: &[u8]) -> Result<(), Refusal> {
    use serde::de::IgnoredAny;
    #[derive(serde::Deserialize)]
    struct Signatures {
        signatures: Option<Vec<IgnoredAny>>,
    }
    #[derive(serde::Deserialize)]
    struct Top {
        #[serde(rename = "_type")]
        type_: Option<IgnoredAny>,
        signatures: Option<Vec<IgnoredAny>>,
        #[serde(rename = "dsseEnvelope")]
        envelope: Option<Signatures>,
    }
    let Ok(top) = serde_json::from_slice::<Top>(bytes) else {
        return Ok(());
    };
    if top.type_.is_some() {
        return Err(Refusal::Unsigned(
            "a bare in-toto statement, not a signed DSSE envelope".to_owned(),
        ));
    }
    let signatures = top
        .signatures
        .or_else(|| top.envelope.and_then(|e| e.signatures));
    if signatures.is_some_and(|s| s.is_empty()) {
        return Err(Refusal::Unsigned(
            "the envelope has no signatures".to_owned(),
        ));
    }
    Ok(())
}

/// What custody-seal's refusal means here. A statement error after the
/// signature verified may be a predicate type the ledger does not store.
fn refusal(bytes: &[u8], e: TrustError) -> Refusal {
    match e {
        TrustError::BadSignature { detail, .. } => Refusal::BadSignature(detail),
        TrustError::PayloadType { found, .. } => Refusal::UnknownKind(format!(
            "payload type {found:?} is not an in-toto statement"
        )),
        TrustError::Statement { detail, .. } => match predicate_type(bytes) {
            Some(p)
                if p != custody_seal::manifest::PREDICATE_TYPE
                    && p != open::SLSA_PROVENANCE
                    && !open::EVIDENCE_PREDICATES.contains(&p.as_str()) =>
            {
                Refusal::UnknownKind(format!("predicate type {p:?}"))
            }
            _ => Refusal::Malformed(detail),
        },
        other => Refusal::Malformed(other.to_string()),
    }
}

/// The predicate type of an envelope's (already verified) payload.
fn predicate_type(bytes: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "dsseEnvelope")]
        bundled: Option<custody_seal::dsse::Envelope>,
        #[serde(flatten)]
        rest: serde_json::Map<String, serde_json::Value>,
    }
    let probe: Probe = serde_json::from_slice(bytes).ok()?;
    let envelope = match probe.bundled {
        Some(e) => e,
        None => serde_json::from_value(serde_json::Value::Object(probe.rest)).ok()?,
    };
    let payload = envelope.payload_bytes().ok()?;
    let v: serde_json::Value = serde_json::from_slice(&payload).ok()?;
    v.get("predicateType")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::{Refusal, open_document};

    /// An empty key list never means "do not check".
    #[test]
    fn no_trusted_key_is_a_refusal_not_an_unchecked_open() {
        assert!(matches!(
            open_document(
                b"{\"payload\": \"\", \"payloadType\": \"x\", \"signatures\": [{}]}",
                &[]
            ),
            Err(Refusal::NoTrustedKeys)
        ));
    }
}
