//! Single changes to a signed artifact, as data: each [`Case`] is one
//! class of change, the function that makes it from the good artifact's
//! bytes, and what the verifier must answer (exit code and words).
//!
//! Every artifact custody signs is a DSSE envelope, bare or inside a
//! Sigstore bundle v0.3, so the changes to the container are shared
//! ([`container`], [`bundle`]); changes to the statement are the
//! artifact's own and come in two kinds:
//!
//! * unsigned: the payload changed and the signature left as it was (what
//!   an attacker without the key can do): the signature must fail;
//! * re-signed ([`Signed::resigned`], [`Signed::resigned_text`]): the
//!   changed payload signed again with the trusted key, as a buggy or
//!   hostile signer, or a parser differential, would produce it. The
//!   signature holds, so the statement's own rules must catch the change.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use custody_seal::dsse::pae;
use custody_seal::keys::SigningKey;
use serde_json::Value;

/// A good signed artifact, and the keys to forge changes of it with.
pub struct Signed {
    /// The artifact's bytes, as custody wrote them.
    pub bytes: Vec<u8>,
    /// The trusted signing key (re-signs changed payloads).
    pub key: SigningKey,
    /// A key nobody trusts.
    pub stranger: SigningKey,
}

/// One class of single change and what the verifier must say.
pub struct Case {
    /// The class (payload byte, signature, key id, ...).
    pub class: &'static str,
    /// What exactly changes.
    pub change: &'static str,
    /// Makes the changed artifact from the good one.
    pub mutate: fn(&Signed) -> Vec<u8>,
    /// The exit code.
    pub exit: i32,
    /// Words the output (stdout and stderr) must hold; `{signer}` stands
    /// for the trusted key's id.
    pub says: &'static [&'static str],
}

impl Signed {
    /// The artifact as JSON.
    pub fn doc(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap()
    }

    /// The DSSE envelope of `doc` (the bundle's `dsseEnvelope`, or `doc`).
    pub fn envelope(doc: &mut Value) -> &mut Value {
        if doc.get("dsseEnvelope").is_some() {
            &mut doc["dsseEnvelope"]
        } else {
            doc
        }
    }

    /// The signed payload's bytes.
    pub fn payload(&self) -> Vec<u8> {
        let mut doc = self.doc();
        let env = Self::envelope(&mut doc);
        STANDARD.decode(env["payload"].as_str().unwrap()).unwrap()
    }

    /// The statement, parsed.
    pub fn statement(&self) -> Value {
        serde_json::from_slice(&self.payload()).unwrap()
    }

    /// The artifact with its container changed by `edit`, written back as
    /// compact JSON.
    pub fn edit(&self, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
        let mut doc = self.doc();
        edit(&mut doc);
        serde_json::to_vec(&doc).unwrap()
    }

    /// The artifact carrying `payload`, signed again with the trusted key
    /// when `resign` (the signature left as it was otherwise).
    pub fn with_payload(&self, payload: &[u8], resign: bool) -> Vec<u8> {
        self.edit(|doc| {
            let env = Self::envelope(doc);
            env["payload"] = STANDARD.encode(payload).into();
            if resign {
                let ty = env["payloadType"].as_str().unwrap().to_owned();
                let sig = self.key.sign(&pae(&ty, payload));
                env["signatures"][0]["sig"] = STANDARD.encode(sig).into();
            }
        })
    }

    /// The statement changed by `edit` and signed again.
    pub fn resigned(&self, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
        let mut st = self.statement();
        edit(&mut st);
        self.with_payload(&serde_json::to_vec(&st).unwrap(), true)
    }

    /// The payload's text changed by `edit` (for what a JSON value cannot
    /// hold: duplicate keys, trailing data) and signed again.
    pub fn resigned_text(&self, edit: impl FnOnce(&str) -> String) -> Vec<u8> {
        let text = String::from_utf8(self.payload()).unwrap();
        self.with_payload(edit(&text).as_bytes(), true)
    }
}

/// `text` with `insert` placed right after the first `{` that follows the
/// first `"key":` (whatever the layout).
pub fn insert_in_object(text: &str, key: &str, insert: &str) -> String {
    let at = text
        .find(&format!("\"{key}\":"))
        .unwrap_or_else(|| panic!("no {key:?} in {text}"));
    let brace = at + text[at..].find('{').unwrap() + 1;
    format!("{}{insert}{}", &text[..brace], &text[brace..])
}

/// The first string value of `key` in `text` (compact or pretty JSON).
pub fn first_string(text: &str, key: &str) -> String {
    let at = text.find(&format!("\"{key}\":")).unwrap() + key.len() + 3;
    let start = at + text[at..].find('"').unwrap() + 1;
    let end = start + text[start..].find('"').unwrap();
    text[start..end].to_owned()
}

/// The payload with one byte changed (a digit or letter of its middle
/// turned into another), the signature left as it was.
fn payload_byte(s: &Signed) -> Vec<u8> {
    let mut p = s.payload();
    let mid = p.len() / 2;
    let i = mid + p[mid..].iter().position(u8::is_ascii_alphanumeric).unwrap();
    p[i] = if p[i] == b'0' { b'1' } else { b'0' };
    s.with_payload(&p, false)
}

fn signature_byte(s: &Signed) -> Vec<u8> {
    s.edit(|doc| {
        let sig = &mut Signed::envelope(doc)["signatures"][0]["sig"];
        let mut raw = STANDARD.decode(sig.as_str().unwrap()).unwrap();
        let last = raw.len() - 1;
        raw[last / 2] ^= 0x01;
        *sig = STANDARD.encode(raw).into();
    })
}

fn stranger_signs_as_trusted(s: &Signed) -> Vec<u8> {
    let payload = s.payload();
    s.edit(|doc| {
        let env = Signed::envelope(doc);
        let ty = env["payloadType"].as_str().unwrap().to_owned();
        let sig = s.stranger.sign(&pae(&ty, &payload));
        env["signatures"][0]["sig"] = STANDARD.encode(sig).into();
        env["signatures"][0]["keyid"] = s.key.public().key_id().into();
    })
}

fn keyid_names_stranger(s: &Signed) -> Vec<u8> {
    s.edit(|doc| {
        Signed::envelope(doc)["signatures"][0]["keyid"] = s.stranger.public().key_id().into();
    })
}

fn no_signatures(s: &Signed) -> Vec<u8> {
    s.edit(|doc| Signed::envelope(doc)["signatures"] = Value::Array(Vec::new()))
}

fn payload_type(s: &Signed) -> Vec<u8> {
    s.edit(|doc| Signed::envelope(doc)["payloadType"] = "application/json".into())
}

fn truncated(s: &Signed) -> Vec<u8> {
    s.bytes[..s.bytes.len() / 2].to_vec()
}

fn trailing_object(s: &Signed) -> Vec<u8> {
    [&s.bytes[..], b"{}"].concat()
}

fn trailing_whitespace(s: &Signed) -> Vec<u8> {
    [&s.bytes[..], b"\n\n"].concat()
}

/// A second `"payload"` key in the envelope, before the signed one:
/// another statement, which a first-wins reader would take.
fn second_payload(s: &Signed) -> Vec<u8> {
    let text = String::from_utf8(s.bytes.clone()).unwrap();
    let forged = STANDARD.encode(b"{\"_type\":\"https://in-toto.io/Statement/v1\"}");
    let insert = format!("\"payload\":\"{forged}\",");
    if text.contains("\"dsseEnvelope\":") {
        insert_in_object(&text, "dsseEnvelope", &insert)
    } else {
        format!("{{{insert}{}", &text[1..])
    }
    .into_bytes()
}

fn unknown_field(s: &Signed) -> Vec<u8> {
    s.edit(|doc| Signed::envelope(doc)["note"] = "added".into())
}

/// How a front end answers a container it refuses: its exit codes.
pub struct Answers {
    /// When no trusted key's signature verifies.
    pub untrusted: i32,
    /// When the container cannot be read.
    pub malformed: i32,
    /// When the payload type is not in-toto's.
    pub payload_type: i32,
}

/// What every refused signature says (the verifier's account of each
/// signature it tried).
const BAD_SIGNATURE: &[&str] = &["verifies with none of the 1 trusted key(s)"];

/// The changes every DSSE envelope (bare or in a bundle) must refuse,
/// with `answers` the front end's codes.
pub fn container(answers: &Answers) -> Vec<Case> {
    let (untrusted, malformed) = (answers.untrusted, answers.malformed);
    vec![
        Case {
            class: "payload byte",
            change: "one byte of the signed statement, signature unchanged",
            mutate: payload_byte,
            exit: untrusted,
            says: BAD_SIGNATURE,
        },
        Case {
            class: "signature",
            change: "one bit of the signature",
            mutate: signature_byte,
            exit: untrusted,
            says: BAD_SIGNATURE,
        },
        Case {
            class: "key id",
            change: "a stranger's signature naming the trusted key's id",
            mutate: stranger_signs_as_trusted,
            exit: untrusted,
            says: &["naming trusted key"],
        },
        Case {
            class: "key id",
            change: "the key id changed to a stranger's (the id is an unsigned hint: \
                     the signature still verifies, and the signer reported is the key that verified)",
            mutate: keyid_names_stranger,
            exit: 0,
            says: &["{signer}"],
        },
        Case {
            class: "signature",
            change: "every signature removed",
            mutate: no_signatures,
            exit: untrusted,
            says: &["no signatures"],
        },
        Case {
            class: "payload type",
            change: "payloadType application/json",
            mutate: payload_type,
            exit: answers.payload_type,
            says: &["payload type", "application/json"],
        },
        Case {
            class: "truncation",
            change: "the file cut in half",
            mutate: truncated,
            exit: malformed,
            says: &["EOF while parsing"],
        },
        Case {
            class: "trailing data",
            change: "`{}` after the JSON",
            mutate: trailing_object,
            exit: malformed,
            says: &["trailing characters"],
        },
        Case {
            class: "trailing data",
            change: "blank lines after the JSON (whitespace is not data)",
            mutate: trailing_whitespace,
            exit: 0,
            says: &["{signer}"],
        },
        Case {
            class: "duplicate key",
            change: "a second `payload`, another statement, before the signed one",
            mutate: second_payload,
            exit: malformed,
            says: &["duplicate field `payload`"],
        },
        Case {
            class: "unknown field",
            change: "a field the envelope does not have",
            mutate: unknown_field,
            exit: malformed,
            says: &["unknown field `note`"],
        },
    ]
}

fn media_type(s: &Signed) -> Vec<u8> {
    s.edit(|doc| doc["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.2+json".into())
}

fn hint_names_stranger(s: &Signed) -> Vec<u8> {
    s.edit(|doc| {
        doc["verificationMaterial"]["publicKey"]["hint"] = s.stranger.public().key_id().into();
    })
}

fn second_envelope(s: &Signed) -> Vec<u8> {
    let text = String::from_utf8(s.bytes.clone()).unwrap();
    let at = text.rfind('}').unwrap();
    format!("{},\"dsseEnvelope\":{{}}}}", &text[..at]).into_bytes()
}

/// The changes a Sigstore bundle's own fields must refuse (`verify`).
pub fn bundle() -> Vec<Case> {
    vec![
        Case {
            class: "media type",
            change: "bundle v0.2 media type",
            mutate: media_type,
            exit: 4,
            says: &["bundle media type", "v0.2"],
        },
        Case {
            class: "key id",
            change: "the bundle's key hint names a stranger (a hint: the signature decides)",
            mutate: hint_names_stranger,
            exit: 0,
            says: &["{signer}"],
        },
        Case {
            class: "duplicate key",
            change: "a second `dsseEnvelope` after the signed one",
            mutate: second_envelope,
            exit: 4,
            says: &["duplicate field `dsseEnvelope`"],
        },
    ]
}

/// The outcome of one case, `None` when it held.
pub fn judge(case: &Case, code: i32, output: &str, signer: &str) -> Option<String> {
    let missing: Vec<String> = case
        .says
        .iter()
        .map(|w| w.replace("{signer}", signer))
        .filter(|w| !output.contains(w.as_str()))
        .collect();
    (code != case.exit || !missing.is_empty()).then(|| {
        format!(
            "[{}] {}: exit {code} (want {}), missing {missing:?}\n{output}",
            case.class, case.change, case.exit
        )
    })
}
