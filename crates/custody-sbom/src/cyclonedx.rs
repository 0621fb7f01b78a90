//! CycloneDX JSON (1.6, 1.7): `metadata` (time, tool, the source read as
//! the root component), `components` (type `library`: name, version,
//! purl, hashes, licences, scope for development and optional packages,
//! where each was read), and `dependencies` for
//! every component whose source states them (a component with no entry
//! has unknown dependencies; an empty `dependsOn` means none).

use serde_json::{Map, Value, json};

use crate::license::{Licensing, Named};
use crate::model::{Bom, Component};

/// The CycloneDX versions written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecVersion {
    /// 1.6 (the default: what BSI TR-03183-2 names).
    V1_6,
    /// 1.7.
    V1_7,
}

impl SpecVersion {
    /// As `specVersion` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1_6 => "1.6",
            Self::V1_7 => "1.7",
        }
    }
}

/// CycloneDX's name of a hash algorithm, for those it knows.
fn algorithm(a: &str) -> Option<&'static str> {
    Some(match a {
        "md5" => "MD5",
        "sha1" => "SHA-1",
        "sha256" => "SHA-256",
        "sha384" => "SHA-384",
        "sha512" => "SHA-512",
        "sha3_256" | "sha3-256" => "SHA3-256",
        "sha3_512" | "sha3-512" => "SHA3-512",
        "blake2b_256" | "blake2b-256" => "BLAKE2b-256",
        "blake2b_512" | "blake2b-512" => "BLAKE2b-512",
        "blake3" => "BLAKE3",
        _ => return None,
    })
}

/// The licences as CycloneDX states them, each `acknowledgement:
/// declared` (the package's own metadata says so; nothing is concluded).
fn licenses(l: &Licensing) -> Option<Value> {
    match l {
        Licensing::None => None,
        Licensing::Expression(e) => {
            Some(json!([{ "expression": e, "acknowledgement": "declared" }]))
        }
        Licensing::Licenses(named) => Some(Value::Array(
            named
                .iter()
                .map(|n| {
                    let mut l = match n {
                        Named::Id(id) => json!({ "id": id }),
                        Named::Name { name, text: None } => json!({ "name": name }),
                        Named::Name {
                            name,
                            text: Some(t),
                        } => json!({
                            "name": name, "text": { "contentType": "text/plain", "content": t }
                        }),
                    };
                    l["acknowledgement"] = "declared".into();
                    json!({ "license": l })
                })
                .collect(),
        )),
    }
}

fn component(bom: &Bom, c: &Component) -> Value {
    let mut o = Map::new();
    o.insert("type".into(), "library".into());
    o.insert("bom-ref".into(), c.bom_ref.clone().into());
    o.insert("name".into(), c.name.clone().into());
    if let Some(v) = &c.version {
        o.insert("version".into(), v.clone().into());
    }
    if let Some(p) = &c.purl {
        o.insert("purl".into(), p.clone().into());
    }
    // Development only: not reachable at runtime, CycloneDX's `excluded`;
    // installed only where possible: `optional`. Unsaid: no scope.
    if c.dev {
        o.insert("scope".into(), "excluded".into());
    } else if c.optional {
        o.insert("scope".into(), "optional".into());
    }
    let hashes: Vec<Value> = c
        .hashes
        .iter()
        .filter_map(|h| algorithm(&h.algorithm).map(|a| json!({ "alg": a, "content": h.hex })))
        .collect();
    if !hashes.is_empty() {
        o.insert("hashes".into(), hashes.into());
    }
    if let Some(l) = licenses(&c.licensing) {
        o.insert("licenses".into(), l);
    }
    let mut props: Vec<Value> = c
        .subjects
        .iter()
        .map(|s| json!({ "name": "custody:source", "value": bom.subjects[*s].path.display().to_string() }))
        .collect();
    if !c.indexed {
        props.push(json!({ "name": "custody:local", "value": "true" }));
    }
    if let Some(at) = &c.location {
        props.push(json!({ "name": "custody:location", "value": at }));
    }
    o.insert("properties".into(), props.into());
    Value::Object(o)
}

fn subject(bom: &Bom, i: usize) -> Value {
    let s = &bom.subjects[i];
    json!({
        "type": "application",
        "bom-ref": s.bom_ref,
        "name": s.path.display().to_string(),
        "description": format!("{} read by {}", s.kind.label(), bom.tool.name),
        "properties": [{ "name": "custody:source-kind", "value": s.kind.label() }],
    })
}

/// The bill as a CycloneDX document.
pub fn document(bom: &Bom, version: SpecVersion) -> Value {
    let refs = |ix: &[usize]| -> Vec<String> {
        ix.iter()
            .map(|i| bom.components[*i].bom_ref.clone())
            .collect()
    };
    let mut dependencies: Vec<Value> = Vec::new();
    let (root, extra): (Value, Vec<Value>) = if let [_] = bom.subjects.as_slice() {
        dependencies
            .push(json!({ "ref": bom.subjects[0].bom_ref, "dependsOn": refs(&bom.roots[0]) }));
        (subject(bom, 0), Vec::new())
    } else {
        let subjects: Vec<Value> = (0..bom.subjects.len()).map(|i| subject(bom, i)).collect();
        dependencies.push(json!({
            "ref": "sources",
            "dependsOn": bom.subjects.iter().map(|s| s.bom_ref.clone()).collect::<Vec<_>>(),
        }));
        for (s, roots) in bom.subjects.iter().zip(&bom.roots) {
            dependencies.push(json!({ "ref": s.bom_ref, "dependsOn": refs(roots) }));
        }
        let root = json!({
            "type": "application",
            "bom-ref": "sources",
            "name": format!("{} sources", bom.subjects.len()),
        });
        (root, subjects)
    };
    for (c, d) in bom.components.iter().zip(&bom.depends) {
        if let Some(d) = d {
            dependencies.push(json!({ "ref": c.bom_ref, "dependsOn": refs(d) }));
        }
    }
    let mut components = extra;
    components.extend(bom.components.iter().map(|c| component(bom, c)));
    let mut doc = head(version, &bom.serial, bom.created, &bom.tool, root);
    doc["components"] = components.into();
    doc["dependencies"] = dependencies.into();
    doc
}

/// What every document starts with: format, version, serial number, and
/// the metadata (time, tool, the component described).
pub fn head(
    version: SpecVersion,
    serial: &str,
    created: jiff::Timestamp,
    tool: &crate::Tool,
    component: Value,
) -> Value {
    let mut doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": version.as_str(),
        "serialNumber": serial,
        "version": 1,
        "metadata": {
            "timestamp": created.to_string(),
            "tools": { "components": [{
                "type": "application", "name": tool.name, "version": tool.version,
            }]},
        },
    });
    doc["metadata"]["component"] = component;
    doc
}
