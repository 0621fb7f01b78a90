//! A dataset's bill as CycloneDX (1.6, 1.7): the delivered version as
//! `metadata.component` (type `data`), the other data and the steps'
//! packages as components, and each step as a `formulation` workflow whose
//! inputs and outputs reference the data and whose resource references
//! are the packages of its environment.

use serde_json::{Value, json};

use super::{Data, DataBom, Step};
use crate::cyclonedx::SpecVersion;

fn data(d: &Data) -> Value {
    let mut props = vec![
        json!({ "name": "custody:digest-algorithm", "value": d.algorithm }),
        json!({ "name": "custody:digest", "value": d.digest }),
    ];
    let mut c = json!({
        "type": "data",
        "bom-ref": d.bom_ref,
        "name": d.name,
        "data": [{ "type": "dataset", "name": d.name }],
    });
    match d.files {
        Some(n) => {
            // A seal's Merkle root (RFC 6962 over the files' digests) is not
            // a digest of one file: a property, not a `hashes` entry.
            props.push(json!({ "name": "custody:merkle-root", "value": format!("{}:{}", d.algorithm, d.digest) }));
            props.push(json!({ "name": "custody:file-count", "value": n.to_string() }));
            c["description"] = format!(
                "sealed by custody: {n} file(s), Merkle root {}:{}",
                d.algorithm, d.digest
            )
            .into();
        }
        None => c["hashes"] = json!([{ "alg": "SHA-256", "content": d.digest }]),
    }
    c["properties"] = props.into();
    c
}

fn workflow(bom: &DataBom, s: &Step) -> Value {
    let refs = |ix: &[usize]| -> Vec<Value> {
        ix.iter()
            .map(|i| json!({ "resource": { "ref": bom.data[*i].bom_ref } }))
            .collect()
    };
    let short = s.run.id.get(..12).unwrap_or(&s.run.id);
    let mut w = json!({
        "bom-ref": s.bom_ref,
        "uid": s.run.id,
        "name": format!("custody run {short}"),
        "taskTypes": ["build"],
        "timeStart": s.run.started,
        "timeEnd": s.run.finished,
        "properties": [{ "name": "custody:build-type", "value": s.run.build_type }],
    });
    if !s.inputs.is_empty() {
        w["inputs"] = refs(&s.inputs).into();
    }
    if !s.outputs.is_empty() {
        w["outputs"] = refs(&s.outputs).into();
    }
    if !s.packages.is_empty() {
        w["resourceReferences"] = s
            .packages
            .iter()
            .map(|p| json!({ "ref": bom.components[*p].bom_ref }))
            .collect::<Vec<_>>()
            .into();
    }
    w
}

/// The dataset's bill as a CycloneDX document.
pub fn document(bom: &DataBom, version: SpecVersion) -> Value {
    let mut components: Vec<Value> = bom.data.iter().skip(1).map(data).collect();
    components.extend(bom.components.iter().map(|c| {
        json!({
            "type": "library", "bom-ref": c.bom_ref, "name": c.name,
            "version": c.version, "purl": c.purl,
        })
    }));
    let mut doc = crate::cyclonedx::head(
        version,
        &bom.serial,
        bom.created,
        &bom.tool,
        data(&bom.data[0]),
    );
    doc["components"] = components.into();
    if !bom.steps.is_empty() {
        doc["formulation"] = json!([{
            "bom-ref": "formulation",
            "workflows": bom.steps.iter().map(|s| workflow(bom, s)).collect::<Vec<_>>(),
        }]);
    }
    doc
}
