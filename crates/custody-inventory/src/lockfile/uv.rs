//! uv's `uv.lock` (lock `version = 1`).

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{inventory, newest, package, parse_toml, upload_time};
use crate::model::{Inventory, Pin, SourceKind};
use crate::{InventoryError, Location};

#[derive(Deserialize)]
struct Lock {
    version: Option<Spanned<i64>>,
    #[serde(default)]
    package: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: Spanned<String>,
    version: Option<Spanned<String>>,
    #[serde(default)]
    source: Option<toml::Table>,
    sdist: Option<Artifact>,
    #[serde(default)]
    wheels: Vec<Artifact>,
    #[serde(default)]
    dependencies: Vec<Dependency>,
}

#[derive(Deserialize)]
struct Dependency {
    name: String,
}

#[derive(Deserialize)]
struct Artifact {
    hash: Option<String>,
    #[serde(rename = "upload-time")]
    upload_time: Option<Spanned<toml::Value>>,
}

pub(crate) fn read(path: &Path, content: &str) -> Result<Inventory, InventoryError> {
    let lock: Lock = parse_toml(path, content)?;
    let lines = crate::text::LineIndex::new(content);
    match lock.version {
        None => {
            return Err(InventoryError::parse(
                path,
                Location::Key("version".into()),
                "missing lock `version` (is this a uv.lock?)",
            ));
        }
        Some(v) if *v.get_ref() != 1 => {
            let line = lines.line(v.span().start);
            return Err(InventoryError::parse(
                path,
                Location::Line(line),
                format!(
                    "unsupported uv.lock version {} (custody reads version 1)",
                    v.get_ref()
                ),
            ));
        }
        Some(_) => {}
    }
    let mut out = Vec::with_capacity(lock.package.len());
    for e in &lock.package {
        let pin = pin_of(e.source.as_ref());
        let mut p = package(
            path,
            &lines,
            SourceKind::UvLock,
            &e.name,
            e.version.as_ref(),
            pin,
        )?;
        let mut times = Vec::new();
        for a in e.sdist.iter().chain(&e.wheels) {
            if let Some(h) = &a.hash {
                p.hashes.push(h.clone());
            }
            if let Some(t) = &a.upload_time {
                times.push(upload_time(path, &lines, t)?);
            }
        }
        p.upload_time = newest(times);
        p.depends = super::locked_depends(e.dependencies.iter().map(|d| d.name.as_str()));
        out.push(p.local_unless_indexed());
    }
    Ok(inventory(path, SourceKind::UvLock, out))
}

fn pin_of(source: Option<&toml::Table>) -> Pin {
    let Some(src) = source else { return Pin::Exact };
    let get = |k: &str| src.get(k).and_then(toml::Value::as_str).map(str::to_owned);
    if let Some(url) = get("git") {
        Pin::Vcs { url }
    } else if let Some(url) = get("url") {
        Pin::Url { url }
    } else if let Some(target) = get("editable") {
        Pin::Editable { target }
    } else if let Some(path) = get("virtual")
        .or_else(|| get("directory"))
        .or_else(|| get("path"))
    {
        Pin::Local { path }
    } else {
        Pin::Exact
    }
}
