//! Writing a model-signing statement: the in-toto Statement v1 with the
//! `files` serialization, laid out as model-signing writes it.

use std::io;

use serde::Serialize;

use super::{Error, Hashed, root_digest};
use crate::keys::hex;
use crate::manifest::STATEMENT_TYPE;
use crate::open::MODEL_SIGNING_PREDICATE;

/// The statement's bytes, laid out as model-signing writes it.
pub(super) fn statement(
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
///
/// Why a printer of our own, here only: the payload is the one place
/// where custody's bytes stand for the reference implementation's.
/// model-signing writes it with protobuf's `json_format.MessageToJson`,
/// which is `json.dumps(indent=2)` with `ensure_ascii`, and signs those
/// bytes as they are (DSSE signs the payload, not a parsed value). A
/// verifier parses the JSON under the signature, so any layout verifies;
/// custody keeps the reference's layout so that its payloads read like
/// the reference's, non-ASCII names included (the interop tests compare
/// the two statements as JSON, as model-signing's key order varies from
/// run to run). Everything else (the bundle) is plain `serde_json`.
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
