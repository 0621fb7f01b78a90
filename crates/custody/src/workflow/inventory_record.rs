//! `custody scan --record`: the scan's full inventory (every package of
//! every environment and lockfile read, findings or not) as a signed
//! in-toto statement the ledger stores, so advisories published later
//! still find those environments. The format is documented in
//! `custody_ledger::ingest::inventory` and `docs/ledger.md`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::inventory::{Inventory, SourceKind};
use crate::ledger::inventory::{INVENTORY_PREDICATE, Listed, Source};
use crate::seal::SigningKey;

/// The sources of `inventory` with their packages (only those with a
/// version), paths made absolute so a later run in the same environment
/// names the same prefix.
pub fn sources(inventory: &Inventory) -> Vec<Source> {
    inventory
        .sources
        .iter()
        .map(|s| {
            let packages = inventory
                .packages
                .iter()
                .filter(|p| {
                    p.source_kind == s.kind
                        && (p.origin.path == s.path
                            || (s.kind == SourceKind::Environment
                                && p.origin.path.starts_with(&s.path)))
                })
                .filter_map(|p| {
                    Some(Listed {
                        name: p.name.as_str().to_owned(),
                        version: p.version_text.clone()?,
                        upload_time: p.upload_time.map(|t| t.to_string()),
                    })
                })
                .collect();
            let path = absolute(&s.path);
            let path = if s.kind == SourceKind::Environment {
                prefix_of(&path)
            } else {
                path
            };
            Source {
                path: path.display().to_string(),
                kind: s.kind.label().to_owned(),
                packages,
            }
        })
        .collect()
}

/// The environment's prefix when `path` is its site-packages folder
/// (`PREFIX/lib/pythonX.Y/site-packages`, `PREFIX/Lib/site-packages`): the
/// folder `custody run` names as a step's environment.
fn prefix_of(path: &Path) -> PathBuf {
    if path.file_name().is_some_and(|n| n == "site-packages") {
        let up = path.parent();
        let prefix = match up.and_then(Path::file_name).and_then(|n| n.to_str()) {
            Some(n) if n.starts_with("python") => up.and_then(Path::parent).and_then(Path::parent),
            Some("Lib") => up.and_then(Path::parent),
            _ => None,
        };
        if let Some(p) = prefix {
            return p.to_owned();
        }
    }
    path.to_owned()
}

fn absolute(p: &Path) -> PathBuf {
    fs_err::canonicalize(p)
        .or_else(|_| std::path::absolute(p))
        .unwrap_or_else(|_| p.to_owned())
}

/// The in-toto statement: one subject per source, named by its path,
/// with the environment's identity as its digest.
pub fn statement(sources: &[Source], scanned_at: jiff::Timestamp) -> Value {
    let subjects: Vec<Value> = sources
        .iter()
        .map(|s| {
            let mut packages: Vec<(String, String)> = s
                .packages
                .iter()
                .map(|l| (crate::ledger::normalize(&l.name), l.version.clone()))
                .collect();
            packages.sort();
            packages.dedup();
            json!({
                "name": s.path,
                "digest": {"sha256": crate::ledger::environment_id(&s.path, &packages)},
            })
        })
        .collect();
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": INVENTORY_PREDICATE,
        "predicate": {
            "scannedAt": scanned_at.to_string(),
            "scanner": {"name": "custody", "version": env!("CARGO_PKG_VERSION")},
            "sources": sources,
        },
    })
}

/// Signs `statement` as a DSSE envelope and writes it to `out` (whole, or
/// not at all).
///
/// # Errors
/// The file cannot be written.
pub fn write_signed(statement: &Value, key: &SigningKey, out: &Path) -> std::io::Result<()> {
    let bytes = crate::run::sign(statement, key);
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs_err::create_dir_all(dir)?;
    }
    crate::keys::write_atomic(out, &bytes, false).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::prefix_of;
    use std::path::Path;

    #[test]
    fn site_packages_folders_name_their_prefix() {
        for (given, prefix) in [
            ("/v/lib/python3.11/site-packages", "/v"),
            ("/v/Lib/site-packages", "/v"),
            ("/v", "/v"),
            ("/x/site-packages", "/x/site-packages"),
        ] {
            assert_eq!(prefix_of(Path::new(given)), Path::new(prefix), "{given}");
        }
    }
}
