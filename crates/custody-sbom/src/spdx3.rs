//! SPDX 3.0.1 JSON-LD (Core and Software profiles, simple licensing): a
//! `@graph` of one creation info, the tool and agent that made it, the
//! document and its `software_Sbom`, a `software_Package` per source read
//! and per component (`contains` from its source, `dependsOn` where the
//! source states it; development-only packages `dependsOn` in the
//! `development` scope and optional ones `hasOptionalDependency` from
//! their source), and declared licences as
//! `simplelicensing_LicenseExpression` elements (`hasDeclaredLicense`).

use serde_json::{Map, Value, json};

use crate::license::{Licensing, Named};
use crate::model::{Bom, Component};

/// The JSON-LD context every SPDX 3.0.1 document names.
pub const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";
/// The one creation info every element names.
pub const CREATION: &str = "_:creation";

/// SPDX 3's name of a hash algorithm, for those it knows.
fn algorithm(a: &str) -> Option<&'static str> {
    Some(match a {
        "md5" => "md5",
        "sha1" => "sha1",
        "sha256" => "sha256",
        "sha384" => "sha384",
        "sha512" => "sha512",
        "sha3_256" | "sha3-256" => "sha3_256",
        "sha3_512" | "sha3-512" => "sha3_512",
        "blake2b_256" | "blake2b-256" => "blake2b256",
        "blake2b_512" | "blake2b-512" => "blake2b512",
        "blake3" => "blake3",
        _ => return None,
    })
}

/// SPDX 3's date-time: UTC, whole seconds (`2026-03-24T10:52:00Z`).
pub fn datetime(t: jiff::Timestamp) -> String {
    t.round(jiff::Unit::Second)
        .unwrap_or(t)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The creation info, the agent and the tool every document starts with,
/// their ids under `base`.
pub fn header(base: &str, created: jiff::Timestamp, tool: &crate::Tool) -> Vec<Value> {
    let (agent, tool_id) = (format!("{base}#agent"), format!("{base}#tool"));
    vec![
        json!({
            "type": "CreationInfo", "@id": CREATION, "specVersion": "3.0.1",
            "created": datetime(created), "createdBy": [agent], "createdUsing": [tool_id],
        }),
        json!({ "type": "SoftwareAgent", "spdxId": agent, "creationInfo": CREATION, "name": tool.name }),
        json!({
            "type": "Tool", "spdxId": tool_id, "creationInfo": CREATION,
            "name": format!("{}-{}", tool.name, tool.version),
        }),
    ]
}

/// Elements of the graph, with ids under one base.
struct Graph {
    base: String,
    elements: Vec<Value>,
    relationships: usize,
}

impl Graph {
    fn id(&self, local: &str) -> String {
        format!("{}#{local}", self.base)
    }

    fn relate(&mut self, from: &str, kind: &str, to: &[String]) {
        self.relationships += 1;
        let id = self.id(&format!("relationship-{}", self.relationships));
        self.elements.push(json!({
            "type": "Relationship", "spdxId": id, "creationInfo": CREATION,
            "from": from, "relationshipType": kind, "to": to,
        }));
    }

    /// The declared licence of `pkg`, as an expression element, where one
    /// can be stated; else a comment saying what the metadata names.
    fn license(&mut self, pkg: &str, index: usize, l: &Licensing) -> Option<String> {
        let (expression, text) = match l {
            Licensing::None => return None,
            Licensing::Expression(e) => (e.clone(), None),
            Licensing::Licenses(named) => match named.as_slice() {
                [Named::Id(id)] => (id.clone(), None),
                [Named::Name { name, text }] => (
                    format!("LicenseRef-custody-{index}"),
                    Some(text.clone().unwrap_or_else(|| name.clone())),
                ),
                many => return Some(crate::license::unjoined(many)),
            },
        };
        let id = self.id(&format!("license-{index}"));
        let mut e = json!({
            "type": "simplelicensing_LicenseExpression", "spdxId": id, "creationInfo": CREATION,
            "simplelicensing_licenseExpression": expression,
        });
        if let Some(text) = text {
            let text_id = self.id(&format!("license-text-{index}"));
            self.elements.push(json!({
                "type": "simplelicensing_SimpleLicensingText", "spdxId": text_id,
                "creationInfo": CREATION, "simplelicensing_licenseText": text,
            }));
            e["simplelicensing_customIdToUri"] = json!([{
                "type": "DictionaryEntry", "key": expression, "value": text_id,
            }]);
        }
        self.elements.push(e);
        self.relate(pkg, "hasDeclaredLicense", &[id]);
        None
    }

    fn package(&mut self, c: &Component, id: &str, index: usize) {
        let mut o = Map::new();
        o.insert("type".into(), "software_Package".into());
        o.insert("spdxId".into(), id.into());
        o.insert("creationInfo".into(), CREATION.into());
        o.insert("name".into(), c.name.clone().into());
        if let Some(v) = &c.version {
            o.insert("software_packageVersion".into(), v.clone().into());
        }
        if let Some(p) = &c.purl {
            o.insert("software_packageUrl".into(), p.clone().into());
        }
        o.insert("software_primaryPurpose".into(), "library".into());
        let hashes: Vec<Value> = c
            .hashes
            .iter()
            .filter_map(|h| {
                algorithm(&h.algorithm)
                    .map(|a| json!({ "type": "Hash", "algorithm": a, "hashValue": h.hex }))
            })
            .collect();
        if !hashes.is_empty() {
            o.insert("verifiedUsing".into(), hashes.into());
        }
        let comment: Vec<String> = [
            c.location
                .as_ref()
                .map(|at| format!("not a registry release; {at}")),
            self.license(id, index, &c.licensing),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !comment.is_empty() {
            o.insert("comment".into(), comment.join("; ").into());
        }
        self.elements.push(Value::Object(o));
    }
}

/// What subject `s`'s source says of its packages: needed for development
/// only (`dependsOn` in the development lifecycle scope) or installed only
/// where possible (`hasOptionalDependency`).
fn scoped(g: &mut Graph, bom: &Bom, s: usize, sid: &str, ids: &[String]) {
    let held = |want: fn(&Component) -> bool| -> Vec<String> {
        (0..bom.components.len())
            .filter(|c| bom.components[*c].subjects.contains(&s) && want(&bom.components[*c]))
            .map(|c| ids[c].clone())
            .collect()
    };
    let dev = held(|c| c.dev);
    if !dev.is_empty() {
        g.relationships += 1;
        let id = g.id(&format!("relationship-{}", g.relationships));
        g.elements.push(json!({
            "type": "LifecycleScopedRelationship", "spdxId": id, "creationInfo": CREATION,
            "from": sid, "relationshipType": "dependsOn", "to": dev, "scope": "development",
        }));
    }
    let optional = held(|c| c.optional && !c.dev);
    if !optional.is_empty() {
        g.relate(sid, "hasOptionalDependency", &optional);
    }
}

/// The bill as an SPDX 3.0.1 JSON-LD document.
pub fn document(bom: &Bom) -> Value {
    let uuid = bom.serial.trim_start_matches("urn:uuid:");
    let mut g = Graph {
        base: format!("https://custody.dev/spdx/{uuid}"),
        elements: Vec::new(),
        relationships: 0,
    };
    let mut graph = header(&g.base, bom.created, &bom.tool);
    let subjects: Vec<String> = (1..=bom.subjects.len())
        .map(|i| g.id(&format!("source-{i}")))
        .collect();
    for (s, id) in bom.subjects.iter().zip(&subjects) {
        g.elements.push(json!({
            "type": "software_Package", "spdxId": id, "creationInfo": CREATION,
            "name": s.path.display().to_string(), "software_primaryPurpose": "application",
            "comment": format!("{} read by {}", s.kind.label(), bom.tool.name),
        }));
    }
    let ids: Vec<String> = (1..=bom.components.len())
        .map(|i| g.id(&format!("package-{i}")))
        .collect();
    for (i, (c, id)) in bom.components.iter().zip(&ids).enumerate() {
        g.package(c, id, i + 1);
    }
    for (s, sid) in subjects.iter().enumerate() {
        let held: Vec<String> = (0..bom.components.len())
            .filter(|c| bom.components[*c].subjects.contains(&s))
            .map(|c| ids[c].clone())
            .collect();
        if !held.is_empty() {
            g.relate(sid, "contains", &held);
        }
        scoped(&mut g, bom, s, sid, &ids);
    }
    for (from, d) in bom.depends.iter().enumerate() {
        if let Some(d) = d {
            let to: Vec<String> = d.iter().map(|t| ids[*t].clone()).collect();
            // An empty list states "no dependencies" (SPDX 3 has no
            // relationship without targets): the package is left without one.
            if !to.is_empty() {
                g.relate(&ids[from], "dependsOn", &to);
            }
        }
    }
    let sbom = g.id("sbom");
    let document = g.base.clone();
    let all: Vec<Value> = g.elements.iter().map(|e| e["spdxId"].clone()).collect();
    graph.push(json!({
        "type": "SpdxDocument", "spdxId": document, "creationInfo": CREATION,
        "name": match bom.subjects.as_slice() {
            [one] => one.path.display().to_string(),
            many => format!("{} sources", many.len()),
        },
        "profileConformance": ["core", "software", "simpleLicensing"],
        "rootElement": [sbom.clone()],
        "element": [sbom.clone()],
    }));
    graph.push(json!({
        "type": "software_Sbom", "spdxId": sbom, "creationInfo": CREATION,
        "software_sbomType": ["analyzed"],
        "rootElement": subjects,
        "element": all,
    }));
    graph.extend(g.elements);
    json!({ "@context": CONTEXT, "@graph": graph })
}
