//! A dataset's bill as SPDX 3.0.1 JSON-LD (Core, Software, Dataset and
//! Build profiles): a `dataset_DatasetPackage` per piece of data (the
//! delivered version is the `software_Sbom`'s root), a `build_Build` per
//! step with `hasInput`, `hasOutput` and `usesTool` (the packages of its
//! environment) relationships.

use serde_json::{Value, json};

use super::{Data, DataBom};
use crate::spdx3::{CONTEXT, CREATION, datetime, header};

fn data(d: &Data, id: &str) -> Value {
    let mut e = json!({
        "type": "dataset_DatasetPackage", "spdxId": id, "creationInfo": CREATION,
        "name": d.name, "software_primaryPurpose": "data",
        "dataset_datasetType": ["noAssertion"],
    });
    match d.files {
        Some(n) => {
            e["comment"] = format!(
                "sealed by custody: {n} file(s), Merkle root {}:{} (RFC 6962 over the files' digests)",
                d.algorithm, d.digest
            )
            .into();
        }
        None => {
            e["verifiedUsing"] =
                json!([{ "type": "Hash", "algorithm": "sha256", "hashValue": d.digest }]);
        }
    }
    e
}

/// The dataset's bill as an SPDX 3.0.1 JSON-LD document.
pub fn document(bom: &DataBom) -> Value {
    let uuid = bom.serial.trim_start_matches("urn:uuid:");
    let base = format!("https://custody.dev/spdx/{uuid}");
    let id = |local: String| format!("{base}#{local}");
    let sbom = id("sbom".into());
    let data_ids: Vec<String> = (1..=bom.data.len())
        .map(|i| id(format!("data-{i}")))
        .collect();
    let pkg_ids: Vec<String> = (1..=bom.components.len())
        .map(|i| id(format!("package-{i}")))
        .collect();
    let mut elements: Vec<Value> = Vec::new();
    for (d, did) in bom.data.iter().zip(&data_ids) {
        elements.push(data(d, did));
    }
    for (c, pid) in bom.components.iter().zip(&pkg_ids) {
        elements.push(json!({
            "type": "software_Package", "spdxId": pid, "creationInfo": CREATION,
            "name": c.name, "software_packageVersion": c.version, "software_packageUrl": c.purl,
            "software_primaryPurpose": "library",
        }));
    }
    let mut n = 0;
    let mut relate = |elements: &mut Vec<Value>, from: &str, kind: &str, to: Vec<String>| {
        if to.is_empty() {
            return;
        }
        n += 1;
        elements.push(json!({
            "type": "Relationship", "spdxId": id(format!("relationship-{n}")), "creationInfo": CREATION,
            "from": from, "relationshipType": kind, "to": to,
        }));
    };
    for (i, s) in bom.steps.iter().enumerate() {
        let bid = id(format!("build-{}", i + 1));
        let mut b = json!({
            "type": "build_Build", "spdxId": bid, "creationInfo": CREATION,
            "build_buildType": s.run.build_type, "build_buildId": s.run.id,
        });
        for (key, t) in [
            ("build_buildStartTime", &s.run.started),
            ("build_buildEndTime", &s.run.finished),
        ] {
            if let Ok(t) = t.parse::<jiff::Timestamp>() {
                b[key] = datetime(t).into();
            }
        }
        elements.push(b);
        let pick = |ix: &[usize], ids: &[String]| ix.iter().map(|x| ids[*x].clone()).collect();
        relate(&mut elements, &bid, "hasInput", pick(&s.inputs, &data_ids));
        relate(
            &mut elements,
            &bid,
            "hasOutput",
            pick(&s.outputs, &data_ids),
        );
        relate(&mut elements, &bid, "usesTool", pick(&s.packages, &pkg_ids));
    }
    let all: Vec<Value> = elements.iter().map(|e| e["spdxId"].clone()).collect();
    let mut graph = header(&base, bom.created, &bom.tool);
    graph.extend([
        json!({
            "type": "SpdxDocument", "spdxId": base, "creationInfo": CREATION, "name": bom.data[0].name,
            "profileConformance": ["core", "software", "dataset", "build"],
            "rootElement": [sbom.clone()], "element": [sbom.clone()],
        }),
        json!({
            "type": "software_Sbom", "spdxId": sbom, "creationInfo": CREATION,
            "software_sbomType": ["build"], "rootElement": [data_ids[0].clone()], "element": all,
        }),
    ]);
    graph.extend(elements);
    json!({ "@context": CONTEXT, "@graph": graph })
}
