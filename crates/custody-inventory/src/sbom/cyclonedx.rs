//! CycloneDX JSON 1.4 to 1.7: `components`, nested ones included, and
//! `metadata.component`'s nested components.

use std::path::Path;

use serde::Deserialize;

use super::{Entry, inventory};
use crate::model::{Inventory, SourceKind};
use crate::{InventoryError, Location, text};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    bom_format: Option<String>,
    spec_version: Option<String>,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Component {
    #[serde(default)]
    name: String,
    purl: Option<String>,
    #[serde(default)]
    hashes: Vec<Hash>,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Hash {
    alg: String,
    content: String,
}

/// CycloneDX's algorithm names as lockfiles write them.
fn algorithm(alg: &str) -> Option<&'static str> {
    Some(match alg {
        "MD5" => "md5",
        "SHA-1" => "sha1",
        "SHA-256" => "sha256",
        "SHA-384" => "sha384",
        "SHA-512" => "sha512",
        "SHA3-256" => "sha3_256",
        "SHA3-512" => "sha3_512",
        "BLAKE2b-256" => "blake2b_256",
        "BLAKE2b-512" => "blake2b_512",
        "BLAKE3" => "blake3",
        _ => return None,
    })
}

fn walk<'a>(components: &'a [Component], prefix: &str, out: &mut Vec<Entry<'a>>) {
    for (i, c) in components.iter().enumerate() {
        let key = format!("{prefix}[{i}]");
        out.push(Entry {
            key: key.clone(),
            purl: c.purl.as_deref(),
            name: &c.name,
            hashes: c
                .hashes
                .iter()
                .filter_map(|h| {
                    algorithm(&h.alg).map(|a| format!("{a}:{}", h.content.to_ascii_lowercase()))
                })
                .collect(),
        });
        walk(&c.components, &format!("{key}.components"), out);
    }
}

pub(crate) fn read(path: &Path, content: &str) -> Result<Inventory, InventoryError> {
    let bom: Document = serde_json::from_str(content).map_err(|e| text::json_error(path, &e))?;
    if bom.bom_format.as_deref() != Some("CycloneDX") {
        return Err(InventoryError::parse(
            path,
            Location::Key("bomFormat".into()),
            "not a CycloneDX document (bomFormat is not \"CycloneDX\")",
        ));
    }
    match bom.spec_version.as_deref() {
        Some("1.4" | "1.5" | "1.6" | "1.7") => {}
        other => {
            return Err(InventoryError::parse(
                path,
                Location::Key("specVersion".into()),
                format!(
                    "CycloneDX specVersion {} is not one custody reads (1.4 to 1.7)",
                    other.map_or_else(|| "(missing)".to_owned(), |v| format!("{v:?}"))
                ),
            ));
        }
    }
    let mut entries = Vec::new();
    walk(&bom.components, "components", &mut entries);
    inventory(path, SourceKind::CycloneDx, entries)
}
