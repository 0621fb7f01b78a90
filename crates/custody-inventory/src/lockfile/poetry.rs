//! Poetry's `poetry.lock`: lock-version 1.x (hashes under `[metadata.files]`)
//! and 2.x (hashes in each package's `files`).

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{inventory, package, parse_toml};
use crate::model::{Inventory, Pin, SourceKind};
use crate::{InventoryError, Location};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Entry>,
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(rename = "lock-version")]
    lock_version: Option<String>,
    /// lock-version 1.x: name -> files.
    #[serde(default)]
    files: toml::Table,
}

#[derive(Deserialize)]
struct Entry {
    name: Spanned<String>,
    version: Option<Spanned<String>>,
    #[serde(default)]
    files: Vec<File>,
    source: Option<PkgSource>,
    markers: Option<toml::Value>,
    /// Name -> requirement.
    #[serde(default)]
    dependencies: toml::Table,
}

#[derive(Deserialize)]
struct File {
    hash: Option<String>,
}

#[derive(Deserialize)]
struct PkgSource {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
    reference: Option<String>,
    resolved_reference: Option<String>,
}

pub(crate) fn read(path: &Path, content: &str) -> Result<Inventory, InventoryError> {
    let lock: Lock = parse_toml(path, content)?;
    let lines = crate::text::LineIndex::new(content);
    let meta = lock.metadata.ok_or_else(|| {
        InventoryError::parse(
            path,
            Location::Key("metadata".into()),
            "missing [metadata] table (is this a poetry.lock?)",
        )
    })?;
    if let Some(v) = &meta.lock_version {
        let major = v.split('.').next().unwrap_or_default();
        if major != "1" && major != "2" {
            return Err(InventoryError::parse(
                path,
                Location::Key("metadata.lock-version".into()),
                format!("unsupported poetry lock-version {v:?} (custody reads 1.x and 2.x)"),
            ));
        }
    }
    let mut out = Vec::with_capacity(lock.package.len());
    for (i, e) in lock.package.iter().enumerate() {
        if e.version.is_none() {
            let line = lines.line(e.name.span().start);
            return Err(InventoryError::parse(
                path,
                Location::Line(line),
                format!("package[{i}] ({}) has no `version`", e.name.get_ref()),
            ));
        }
        let pin = pin_of(e.source.as_ref());
        let mut p = package(
            path,
            &lines,
            SourceKind::PoetryLock,
            &e.name,
            e.version.as_ref(),
            pin,
        )?;
        p.hashes = e.files.iter().filter_map(|f| f.hash.clone()).collect();
        if p.hashes.is_empty()
            && let Some(toml::Value::Array(files)) = meta.files.get(e.name.get_ref())
        {
            p.hashes = files
                .iter()
                .filter_map(|f| {
                    f.get("hash")
                        .and_then(toml::Value::as_str)
                        .map(str::to_owned)
                })
                .collect();
        }
        p.marker = e.markers.as_ref().map(|m| match m {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        p.depends = super::locked_depends(e.dependencies.keys().map(String::as_str));
        out.push(p.local_unless_indexed());
    }
    Ok(inventory(path, SourceKind::PoetryLock, out))
}

fn pin_of(source: Option<&PkgSource>) -> Pin {
    let Some(s) = source else { return Pin::Exact };
    let url = s.url.clone().unwrap_or_default();
    match s.kind.as_deref() {
        Some("git") => {
            let rev = s.resolved_reference.as_ref().or(s.reference.as_ref());
            Pin::Vcs {
                url: rev.map_or(url.clone(), |r| format!("{url}@{r}")),
            }
        }
        Some("url") => Pin::Url { url },
        Some("directory" | "file") => Pin::Local { path: url },
        // "legacy" and "pypi": a package index, so the version is exact.
        _ => Pin::Exact,
    }
}
