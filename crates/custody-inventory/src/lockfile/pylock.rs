//! PEP 751 `pylock.toml` (lock-version 1.x).

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{inventory, newest, package, parse_toml, upload_time};
use crate::model::{Inventory, Pin, SourceKind};
use crate::{InventoryError, Location};

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "lock-version")]
    lock_version: Option<Spanned<String>>,
    /// Required by PEP 751 (pip-audit rejects a file without it).
    packages: Option<Vec<Entry>>,
}

#[derive(Deserialize)]
struct Entry {
    name: Spanned<String>,
    version: Option<Spanned<String>>,
    marker: Option<String>,
    vcs: Option<toml::Table>,
    directory: Option<toml::Table>,
    archive: Option<Artifact>,
    sdist: Option<Artifact>,
    #[serde(default)]
    wheels: Vec<Artifact>,
}

#[derive(Deserialize)]
struct Artifact {
    url: Option<String>,
    path: Option<String>,
    #[serde(rename = "upload-time")]
    upload_time: Option<Spanned<toml::Value>>,
    #[serde(default)]
    hashes: toml::Table,
}

pub(crate) fn read(path: &Path, content: &str) -> Result<Inventory, InventoryError> {
    let lock: Lock = parse_toml(path, content)?;
    let lines = crate::text::LineIndex::new(content);
    let Some(lv) = lock.lock_version else {
        return Err(InventoryError::parse(
            path,
            Location::Key("lock-version".into()),
            "missing required key `lock-version` (PEP 751)",
        ));
    };
    if !lv.get_ref().starts_with("1.") && lv.get_ref() != "1" {
        let line = lines.line(lv.span().start);
        return Err(InventoryError::parse(
            path,
            Location::Line(line),
            format!(
                "unsupported lock-version {:?} (custody reads 1.x)",
                lv.get_ref()
            ),
        ));
    }
    let Some(packages) = &lock.packages else {
        return Err(InventoryError::parse(
            path,
            Location::Key("packages".into()),
            "missing required key `packages` (PEP 751); an empty lock writes `packages = []`",
        ));
    };
    let mut out = Vec::with_capacity(packages.len());
    for e in packages {
        let get =
            |t: &toml::Table, k: &str| t.get(k).and_then(toml::Value::as_str).map(str::to_owned);
        let pin = if let Some(v) = &e.vcs {
            let url = get(v, "url").or_else(|| get(v, "path")).unwrap_or_default();
            Pin::Vcs {
                url: get(v, "commit-id").map_or(url.clone(), |c| format!("{url}@{c}")),
            }
        } else if let Some(d) = &e.directory {
            let p = get(d, "path").unwrap_or_default();
            if d.get("editable").and_then(toml::Value::as_bool) == Some(true) {
                Pin::Editable { target: p }
            } else {
                Pin::Local { path: p }
            }
        } else if let Some(a) = &e.archive {
            match (&a.url, &a.path) {
                (Some(u), _) => Pin::Url { url: u.clone() },
                (None, p) => Pin::Local {
                    path: p.clone().unwrap_or_default(),
                },
            }
        } else if e.version.is_some() {
            Pin::Exact
        } else {
            Pin::Unpinned {
                specifier: String::new(),
            }
        };
        let mut p = package(
            path,
            &lines,
            SourceKind::Pylock,
            &e.name,
            e.version.as_ref(),
            pin,
        )?;
        if e.version.is_none()
            && let Some(a) = &e.archive
            && let Some(v) = a
                .url
                .as_deref()
                .or(a.path.as_deref())
                .and_then(custody_pypa::filename::archive_name)
                .and_then(|n| n.version)
        {
            // `version` may be left out for an archive; its file name states it.
            p.version_text = Some(v.clone());
            if let Ok(parsed) = custody_pypa::parse_version(&v) {
                p = p.with_version(parsed, &v);
                if matches!(p.pin, Pin::Unpinned { .. }) {
                    p.pin = Pin::Exact;
                }
            }
        }
        let mut times = Vec::new();
        for a in e.sdist.iter().chain(&e.wheels).chain(&e.archive) {
            for (algo, digest) in &a.hashes {
                if let Some(d) = digest.as_str() {
                    p.hashes.push(format!("{algo}:{d}"));
                }
            }
            if let Some(t) = &a.upload_time {
                times.push(upload_time(path, &lines, t)?);
            }
        }
        p.upload_time = newest(times);
        p.marker.clone_from(&e.marker);
        out.push(p.local_unless_indexed());
    }
    Ok(inventory(path, SourceKind::Pylock, out))
}
