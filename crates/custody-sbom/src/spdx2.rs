//! SPDX 2.3 JSON: one package per source read (described by the
//! document) and per component (`CONTAINS` from its source, `DEPENDS_ON`
//! between components where the source states it, `DEV_DEPENDENCY_OF` and
//! `OPTIONAL_DEPENDENCY_OF` its source where the source says so), with purls, checksums,
//! declared licences and the tool and time that made it.

use serde_json::{Map, Value, json};

use crate::license::{Licensing, Named};
use crate::model::{Bom, Component};

/// SPDX's name of a checksum algorithm, for those it knows.
fn algorithm(a: &str) -> Option<&'static str> {
    Some(match a {
        "md5" => "MD5",
        "sha1" => "SHA1",
        "sha256" => "SHA256",
        "sha384" => "SHA384",
        "sha512" => "SHA512",
        "sha3_256" | "sha3-256" => "SHA3-256",
        "sha3_512" | "sha3-512" => "SHA3-512",
        "blake2b_256" | "blake2b-256" => "BLAKE2b-256",
        "blake2b_512" | "blake2b-512" => "BLAKE2b-512",
        "blake3" => "BLAKE3",
        _ => return None,
    })
}

/// `SPDXRef-` ids allow letters, digits, `.` and `-`.
fn id(prefix: &str, i: usize, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("SPDXRef-{prefix}-{i}-{clean}")
}

/// Extracted licences (`LicenseRef-*`) collected while writing packages.
#[derive(Default)]
struct Extracted(Vec<Value>);

impl Extracted {
    fn reference(&mut self, name: &str, text: Option<&str>) -> String {
        let id = format!("LicenseRef-custody-{}", self.0.len() + 1);
        self.0.push(json!({
            "licenseId": id,
            "name": name,
            "extractedText": text.unwrap_or(name),
        }));
        id
    }
}

/// `licenseDeclared` and, where it cannot say everything, a comment.
fn declared(l: &Licensing, extracted: &mut Extracted) -> (String, Option<String>) {
    match l {
        Licensing::None => ("NOASSERTION".into(), None),
        Licensing::Expression(e) => (e.clone(), None),
        Licensing::Licenses(named) => match named.as_slice() {
            [Named::Id(id)] => (id.clone(), None),
            [Named::Name { name, text }] => (extracted.reference(name, text.as_deref()), None),
            // Several licences named without saying how they combine: AND
            // or OR would be a claim the metadata does not make.
            many => ("NOASSERTION".into(), Some(crate::license::unjoined(many))),
        },
    }
}

fn package(c: &Component, spdx_id: &str, extracted: &mut Extracted) -> Value {
    let mut o = Map::new();
    o.insert("SPDXID".into(), spdx_id.into());
    o.insert("name".into(), c.name.clone().into());
    if let Some(v) = &c.version {
        o.insert("versionInfo".into(), v.clone().into());
    }
    o.insert("downloadLocation".into(), "NOASSERTION".into());
    o.insert("filesAnalyzed".into(), false.into());
    o.insert("primaryPackagePurpose".into(), "LIBRARY".into());
    // A checksum names one file: only a component with one file per
    // algorithm gets them (a lockfile lists a file per platform).
    let mut checksums: Vec<Value> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for h in &c.hashes {
        if let Some(a) = algorithm(&h.algorithm) {
            if seen.contains(&a) {
                checksums.retain(|x| x["algorithm"] != a);
                continue;
            }
            seen.push(a);
            checksums.push(json!({ "algorithm": a, "checksumValue": h.hex }));
        }
    }
    if !checksums.is_empty() {
        o.insert("checksums".into(), checksums.into());
    }
    let (declared, comment) = declared(&c.licensing, extracted);
    o.insert("licenseConcluded".into(), "NOASSERTION".into());
    o.insert("licenseDeclared".into(), declared.into());
    if let Some(comment) = comment {
        o.insert("licenseComments".into(), comment.into());
    }
    o.insert("copyrightText".into(), "NOASSERTION".into());
    if let Some(at) = &c.location {
        o.insert(
            "comment".into(),
            format!("not a registry release; {at}").into(),
        );
    }
    if let Some(p) = &c.purl {
        o.insert(
            "externalRefs".into(),
            json!([{ "referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": p }]),
        );
    }
    Value::Object(o)
}

/// The bill as an SPDX 2.3 document.
pub fn document(bom: &Bom) -> Value {
    let created = bom
        .created
        .round(jiff::Unit::Second)
        .unwrap_or(bom.created)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let uuid = bom.serial.trim_start_matches("urn:uuid:");
    let mut extracted = Extracted::default();
    let mut packages = Vec::new();
    let mut relationships = Vec::new();
    let subject_ids: Vec<String> = bom
        .subjects
        .iter()
        .enumerate()
        .map(|(i, s)| id("Source", i + 1, s.kind.label()))
        .collect();
    for (s, sid) in bom.subjects.iter().zip(&subject_ids) {
        packages.push(json!({
            "SPDXID": sid,
            "name": s.path.display().to_string(),
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "primaryPackagePurpose": "APPLICATION",
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "comment": format!("{} read by {}", s.kind.label(), bom.tool.name),
        }));
        relationships.push(json!({
            "spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": sid,
        }));
    }
    let ids: Vec<String> = bom
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| id("Package", i + 1, &c.name))
        .collect();
    for (c, cid) in bom.components.iter().zip(&ids) {
        packages.push(package(c, cid, &mut extracted));
        for s in &c.subjects {
            relationships.push(json!({
                "spdxElementId": subject_ids[*s], "relationshipType": "CONTAINS", "relatedSpdxElement": cid,
            }));
            // What the source says of the package: needed for development
            // only, or installed only where possible.
            let scope = if c.dev {
                Some("DEV_DEPENDENCY_OF")
            } else if c.optional {
                Some("OPTIONAL_DEPENDENCY_OF")
            } else {
                None
            };
            if let Some(kind) = scope {
                relationships.push(json!({
                    "spdxElementId": cid, "relationshipType": kind, "relatedSpdxElement": subject_ids[*s],
                }));
            }
        }
    }
    for (from, d) in bom.depends.iter().enumerate() {
        for to in d.iter().flatten() {
            relationships.push(json!({
                "spdxElementId": ids[from], "relationshipType": "DEPENDS_ON", "relatedSpdxElement": ids[*to],
            }));
        }
    }
    let name = match bom.subjects.as_slice() {
        [one] => one.path.display().to_string(),
        many => format!("{} sources", many.len()),
    };
    let mut doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": format!("https://custody.dev/spdx/{uuid}"),
        "creationInfo": {
            "created": created,
            "creators": [format!("Tool: {}-{}", bom.tool.name, bom.tool.version)],
        },
        "packages": packages,
        "relationships": relationships,
    });
    if !extracted.0.is_empty() {
        doc["hasExtractedLicensingInfos"] = Value::Array(extracted.0);
    }
    doc
}
