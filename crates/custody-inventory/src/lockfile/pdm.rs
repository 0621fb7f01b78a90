//! PDM's `pdm.lock` (lock_version 4.x).

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{inventory, package, parse_toml};
use crate::model::{Inventory, Pin, SourceKind};
use crate::{InventoryError, Location};

#[derive(Deserialize)]
struct Lock {
    metadata: Option<Metadata>,
    #[serde(default)]
    package: Vec<Entry>,
}

#[derive(Deserialize)]
struct Metadata {
    lock_version: Option<String>,
}

#[derive(Deserialize)]
struct Entry {
    name: Spanned<String>,
    version: Option<Spanned<String>>,
    #[serde(default)]
    files: Vec<File>,
    git: Option<String>,
    revision: Option<String>,
    url: Option<String>,
    path: Option<String>,
    #[serde(default)]
    editable: bool,
    marker: Option<String>,
}

#[derive(Deserialize)]
struct File {
    hash: Option<String>,
}

pub(crate) fn read(path: &Path, content: &str) -> Result<Inventory, InventoryError> {
    let lock: Lock = parse_toml(path, content)?;
    let lines = crate::text::LineIndex::new(content);
    let meta = lock.metadata.ok_or_else(|| {
        InventoryError::parse(
            path,
            Location::Key("metadata".into()),
            "missing [metadata] table (is this a pdm.lock?)",
        )
    })?;
    if let Some(v) = &meta.lock_version
        && !v.starts_with("4.")
    {
        return Err(InventoryError::parse(
            path,
            Location::Key("metadata.lock_version".into()),
            format!("unsupported pdm lock_version {v:?} (custody reads 4.x)"),
        ));
    }
    let mut out = Vec::with_capacity(lock.package.len());
    for e in &lock.package {
        let pin = if let Some(g) = &e.git {
            Pin::Vcs {
                url: e
                    .revision
                    .as_ref()
                    .map_or(g.clone(), |r| format!("{g}@{r}")),
            }
        } else if e.editable {
            Pin::Editable {
                target: e.path.clone().or_else(|| e.url.clone()).unwrap_or_default(),
            }
        } else if let Some(u) = &e.url {
            if super::pipfile::is_remote(u) {
                Pin::Url { url: u.clone() }
            } else {
                Pin::Local { path: u.clone() }
            }
        } else if let Some(p) = &e.path {
            Pin::Local { path: p.clone() }
        } else {
            Pin::Exact
        };
        let mut p = package(
            path,
            &lines,
            SourceKind::PdmLock,
            &e.name,
            e.version.as_ref(),
            pin,
        )?;
        p.hashes = e.files.iter().filter_map(|f| f.hash.clone()).collect();
        p.marker.clone_from(&e.marker);
        out.push(p.local_unless_indexed());
    }
    Ok(inventory(path, SourceKind::PdmLock, out))
}
