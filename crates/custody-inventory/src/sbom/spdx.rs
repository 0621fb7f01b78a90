//! SPDX JSON: 2.3 (`packages`, purls in `externalRefs`, `checksums`) and
//! 3.0 JSON-LD (`software_Package` elements of the `@graph`,
//! `software_packageUrl`, `verifiedUsing`).

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::{Entry, inventory};
use crate::model::{Inventory, SourceKind};
use crate::{InventoryError, Location, text};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Doc2 {
    #[serde(default)]
    packages: Vec<Package2>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Package2 {
    #[serde(default)]
    name: String,
    #[serde(default)]
    external_refs: Vec<ExternalRef>,
    #[serde(default)]
    checksums: Vec<Checksum>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_type: String,
    reference_locator: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Checksum {
    algorithm: String,
    checksum_value: String,
}

/// SPDX 2 algorithm names as lockfiles write them.
fn algorithm2(a: &str) -> Option<&'static str> {
    Some(match a {
        "MD5" => "md5",
        "SHA1" => "sha1",
        "SHA256" => "sha256",
        "SHA384" => "sha384",
        "SHA512" => "sha512",
        "SHA3-256" => "sha3_256",
        "SHA3-512" => "sha3_512",
        "BLAKE2b-256" => "blake2b_256",
        "BLAKE2b-512" => "blake2b_512",
        "BLAKE3" => "blake3",
        _ => return None,
    })
}

pub(crate) fn read(path: &Path, content: &str) -> Result<Inventory, InventoryError> {
    let doc: Value = serde_json::from_str(content).map_err(|e| text::json_error(path, &e))?;
    if let Some(v) = doc.get("spdxVersion").and_then(Value::as_str) {
        if !matches!(v, "SPDX-2.2" | "SPDX-2.3") {
            return Err(InventoryError::parse(
                path,
                Location::Key("spdxVersion".into()),
                format!("SPDX version {v:?} is not one custody reads (2.2, 2.3, 3.0)"),
            ));
        }
        return read2(path, doc);
    }
    if doc.get("@graph").is_some() {
        return read3(path, &doc);
    }
    Err(InventoryError::parse(
        path,
        Location::File,
        "not an SPDX document (no spdxVersion, no JSON-LD @graph)",
    ))
}

fn read2(path: &Path, doc: Value) -> Result<Inventory, InventoryError> {
    let doc: Doc2 = serde_json::from_value(doc).map_err(|e| text::json_error(path, &e))?;
    let entries = doc
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| Entry {
            key: format!("packages[{i}]"),
            purl: p
                .external_refs
                .iter()
                .find(|r| r.reference_type == "purl")
                .map(|r| r.reference_locator.as_str()),
            name: &p.name,
            hashes: p
                .checksums
                .iter()
                .filter_map(|c| {
                    algorithm2(&c.algorithm)
                        .map(|a| format!("{a}:{}", c.checksum_value.to_ascii_lowercase()))
                })
                .collect(),
        })
        .collect();
    inventory(path, SourceKind::Spdx, entries)
}

fn read3(path: &Path, doc: &Value) -> Result<Inventory, InventoryError> {
    let graph = doc["@graph"].as_array().ok_or_else(|| {
        InventoryError::parse(path, Location::Key("@graph".into()), "@graph is not a list")
    })?;
    let entries = graph
        .iter()
        .enumerate()
        .filter(|(_, e)| e["type"] == "software_Package" || e["@type"] == "software_Package")
        .map(|(i, e)| Entry {
            key: format!("@graph[{i}]"),
            purl: e["software_packageUrl"].as_str(),
            name: e["name"].as_str().unwrap_or_default(),
            hashes: e["verifiedUsing"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|h| {
                    let a = h["algorithm"].as_str()?;
                    let v = h["hashValue"].as_str()?;
                    Some(format!(
                        "{}:{}",
                        a.replace("blake2b", "blake2b_"),
                        v.to_ascii_lowercase()
                    ))
                })
                .collect(),
        })
        .collect();
    inventory(path, SourceKind::Spdx, entries)
}
