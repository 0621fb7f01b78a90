//! DSSE envelopes (Dead Simple Signing Envelope, v1) and the Sigstore
//! bundle v0.3 that can carry one.
//!
//! The signature covers PAE(payloadType, payload) =
//! `"DSSEv1" SP len(type) SP type SP len(payload) SP payload`, with the
//! lengths in ASCII decimal. Payloads are verified as the exact bytes that
//! were signed and never re-serialised.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::keys::{PublicKey, SigningKey};

/// The payload type of an in-toto statement.
pub const IN_TOTO: &str = "application/vnd.in-toto+json";
/// The Sigstore bundle media type custody writes and reads.
pub const BUNDLE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// Pre-authentication encoding.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let header = pae_header(payload_type, payload.len());
    let mut out = Vec::with_capacity(header.len() + payload.len());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(payload);
    out
}

/// The PAE text before the payload: `"DSSEv1" SP len(type) SP type SP
/// len(payload) SP`.
fn pae_header(payload_type: &str, payload_len: usize) -> String {
    format!(
        "DSSEv1 {} {payload_type} {payload_len} ",
        payload_type.len()
    )
}

/// Writes the PAE header into the [`PAE_ROOM`] bytes in front of the
/// payload in `buf` (`buf[PAE_ROOM..]`); returns where the PAE starts.
pub fn put_pae_header(payload_type: &str, buf: &mut [u8]) -> Result<usize, String> {
    let header = pae_header(payload_type, buf.len().saturating_sub(PAE_ROOM));
    if header.len() > PAE_ROOM {
        return Err(format!(
            "payload type is too long ({} bytes)",
            payload_type.len()
        ));
    }
    let start = PAE_ROOM - header.len();
    buf[start..PAE_ROOM].copy_from_slice(header.as_bytes());
    Ok(start)
}

/// A DSSE envelope as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// Base64 of the payload.
    pub payload: String,
    /// Media type of the payload.
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// Signatures.
    pub signatures: Vec<Signature>,
}

/// One signature in an envelope.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Base64 of the signature bytes.
    pub sig: String,
    /// The signing key's id (may be empty).
    #[serde(default)]
    pub keyid: String,
}

/// A Sigstore bundle v0.3 with a public-key hint and no transparency log
/// (offline, key-based; the shape model-signing writes and reads).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// [`BUNDLE_V03`].
    #[serde(rename = "mediaType")]
    pub media_type: String,
    /// The key hint.
    #[serde(rename = "verificationMaterial")]
    pub verification_material: VerificationMaterial,
    /// The envelope.
    #[serde(rename = "dsseEnvelope")]
    pub dsse_envelope: Envelope,
}

/// The bundle's verification material: a public key hint only.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationMaterial {
    /// `{"hint": key id}`.
    #[serde(rename = "publicKey")]
    pub public_key: KeyHint,
    /// Always empty: nothing is logged.
    #[serde(rename = "tlogEntries", default)]
    pub tlog_entries: Vec<serde_json::Value>,
}

/// A public key named by its hint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyHint {
    /// The key id.
    #[serde(default)]
    pub hint: String,
}

impl Envelope {
    /// Signs `payload` as `payload_type` with `key`.
    pub fn sign(payload_type: &str, payload: &[u8], key: &SigningKey) -> Self {
        let sig = key.sign(&pae(payload_type, payload));
        Self {
            payload: STANDARD.encode(payload),
            payload_type: payload_type.to_owned(),
            signatures: vec![Signature {
                sig: STANDARD.encode(sig),
                keyid: key.public().key_id(),
            }],
        }
    }

    /// The decoded payload.
    pub fn payload_bytes(&self) -> Result<Vec<u8>, String> {
        STANDARD
            .decode(&self.payload)
            .map_err(|e| format!("payload is not base64: {e}"))
    }

    /// The id of the first trusted key with a valid signature. A
    /// signature's key id is a hint, not an identity: every signature is
    /// tried with every trusted key, whatever its key id says.
    pub fn verify(&self, trusted: &[PublicKey]) -> Result<String, String> {
        let payload = self.payload_bytes()?;
        verify_signatures(
            &pae(&self.payload_type, &payload),
            &self.signatures,
            trusted,
        )
    }
}

/// The id of the first trusted key with a valid signature over `message`
/// (the PAE). Key ids are hints: other tools derive them differently
/// (securesystemslib, model-signing) or leave them empty, so each
/// signature is tried with every trusted key and only the signature
/// decides. On failure, says what each signature claimed.
pub fn verify_signatures(
    message: &[u8],
    signatures: &[Signature],
    trusted: &[PublicKey],
) -> Result<String, String> {
    let ids: Vec<String> = trusted.iter().map(PublicKey::key_id).collect();
    let mut tried = Vec::new();
    for s in signatures {
        let Ok(sig) = STANDARD.decode(&s.sig) else {
            tried.push(format!(
                "a signature that is not base64 (key id {:?})",
                s.keyid
            ));
            continue;
        };
        if let Some(i) = trusted.iter().position(|k| k.verify(message, &sig)) {
            return Ok(ids[i].clone());
        }
        let claim = if s.keyid.is_empty() {
            "a signature without key id".to_owned()
        } else if ids.contains(&s.keyid) {
            format!("a signature naming trusted key {}", short(&s.keyid))
        } else {
            format!(
                "a signature naming key {}, which is not trusted here,",
                short(&s.keyid)
            )
        };
        tried.push(format!(
            "{claim} verifies with none of the {} trusted key(s) ({})",
            ids.len(),
            ids.iter().map(|i| short(i)).collect::<Vec<_>>().join(", ")
        ));
    }
    if signatures.is_empty() {
        tried.push("the envelope has no signatures".into());
    }
    Err(tried.join("; "))
}

/// An envelope read in place: the payload stays in the file's bytes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeRef<'a> {
    /// Base64 of the payload (borrowed).
    #[serde(borrow)]
    pub payload: &'a str,
    /// Media type of the payload.
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// Signatures.
    pub signatures: Vec<Signature>,
}

/// A bundle read in place.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleRef<'a> {
    /// Media type.
    #[serde(rename = "mediaType")]
    pub media_type: String,
    /// Key hint.
    #[serde(rename = "verificationMaterial")]
    pub verification_material: VerificationMaterial,
    /// The envelope.
    #[serde(rename = "dsseEnvelope", borrow)]
    pub dsse_envelope: EnvelopeRef<'a>,
}

/// Decodes `payload` (base64) behind room for its PAE header: returns the
/// buffer and where the PAE starts; the payload is `buf[PAE_ROOM..]`.
pub fn decode_with_pae(payload_type: &str, payload: &str) -> Result<(Vec<u8>, usize), String> {
    let mut buf = vec![b' '; PAE_ROOM];
    STANDARD
        .decode_vec(payload, &mut buf)
        .map_err(|e| format!("payload is not base64: {e}"))?;
    let start = put_pae_header(payload_type, &mut buf)?;
    Ok((buf, start))
}

/// Bytes kept in front of a decoded payload for its PAE header.
pub const PAE_ROOM: usize = 256;

fn short(id: &str) -> &str {
    &id[..id.len().min(16)]
}

impl Bundle {
    /// Wraps an envelope signed by `key`.
    pub fn new(envelope: Envelope, key_id: String) -> Self {
        Self {
            media_type: BUNDLE_V03.to_owned(),
            verification_material: VerificationMaterial {
                public_key: KeyHint { hint: key_id },
                tlog_entries: Vec::new(),
            },
            dsse_envelope: envelope,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use crate::keys::Scheme;

    #[test]
    fn pae_matches_the_spec_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }

    #[test]
    fn the_header_in_place_is_the_pae() {
        let mut buf = vec![b' '; PAE_ROOM];
        buf.extend_from_slice(b"{\"a\":1}");
        let start = put_pae_header(IN_TOTO, &mut buf).unwrap();
        assert_eq!(&buf[start..], pae(IN_TOTO, b"{\"a\":1}").as_slice());
    }

    #[test]
    fn sign_verify_and_tamper() {
        let k = SigningKey::generate(Scheme::Ed25519).unwrap();
        let other = SigningKey::generate(Scheme::EcdsaP256).unwrap();
        let env = Envelope::sign(IN_TOTO, b"{}", &k);
        assert_eq!(
            env.verify(&[other.public(), k.public()]).unwrap(),
            k.public().key_id()
        );
        assert!(
            env.verify(&[other.public()])
                .unwrap_err()
                .contains("not trusted")
        );
        let mut bad = env.clone();
        bad.payload = STANDARD.encode(b"{ }");
        assert!(bad.verify(&[k.public()]).is_err());
        let mut bad = env.clone();
        bad.payload_type = "text/plain".into();
        assert!(bad.verify(&[k.public()]).is_err(), "the type is signed too");
        let mut bad = env;
        bad.signatures[0].sig = STANDARD.encode(other.sign(&pae(IN_TOTO, b"{}")));
        bad.signatures[0].keyid = k.public().key_id();
        assert!(
            bad.verify(&[k.public()])
                .unwrap_err()
                .contains("naming trusted key"),
            "a key id names, the signature decides"
        );
    }

    /// securesystemslib and other tools derive key ids their own way, or
    /// leave them empty: the key id is a hint, and only the signature
    /// decides whether a trusted key signed.
    #[test]
    fn a_key_id_is_a_hint_not_an_identity() {
        let k = SigningKey::generate(Scheme::Ed25519).unwrap();
        let other = SigningKey::generate(Scheme::Ed25519).unwrap();
        for keyid in ["", "a-key-id-from-another-tool", &other.public().key_id()] {
            let mut env = Envelope::sign(IN_TOTO, b"{}", &k);
            env.signatures[0].keyid = keyid.to_owned();
            assert_eq!(
                env.verify(&[other.public(), k.public()]).unwrap(),
                k.public().key_id(),
                "key id {keyid:?}"
            );
            // An untrusted signer fails whatever the key id says, even
            // when it names the trusted key.
            let err = env.verify(&[other.public()]).unwrap_err();
            assert!(
                err.contains("verifies with none of the 1 trusted key(s)"),
                "{err}"
            );
        }
        let mut env = Envelope::sign(IN_TOTO, b"{}", &other);
        env.signatures[0].keyid = k.public().key_id();
        assert!(env.verify(&[k.public()]).is_err());
    }
}
