//! Pipenv's `Pipfile.lock` (JSON; `default` and `develop` sections).

use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::inventory;
use crate::model::{Inventory, Origin, Package, Pin, SourceKind};
use crate::{InventoryError, Location, text};

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "_meta")]
    meta: Option<Value>,
    #[serde(default)]
    default: Map<String, Value>,
    #[serde(default)]
    develop: Map<String, Value>,
}

pub(crate) fn read(path: &Path, content: &str) -> Result<Inventory, InventoryError> {
    let lock: Lock = serde_json::from_str(content).map_err(|e| text::json_error(path, &e))?;
    if lock.meta.is_none() {
        return Err(InventoryError::parse(
            path,
            Location::Key("_meta".into()),
            "missing `_meta` (is this a Pipfile.lock?)",
        ));
    }
    let lines = text::LineIndex::new(content);
    let mut out = Vec::new();
    for (section, entries) in [("default", &lock.default), ("develop", &lock.develop)] {
        let section_at = content.find(&format!("\"{section}\"")).unwrap_or(0);
        for (raw_name, entry) in entries {
            let key = format!("{section}.{raw_name}");
            let line = content[section_at..]
                .find(&format!("\"{raw_name}\""))
                .map(|off| lines.line(section_at + off));
            let at = line.map_or_else(|| Location::Key(key.clone()), Location::Line);
            let obj = entry.as_object().ok_or_else(|| {
                InventoryError::parse(path, at.clone(), format!("entry `{key}` is not an object"))
            })?;
            let name = text::name(path, at.clone(), raw_name)?;
            let origin = Origin {
                path: path.to_owned(),
                line,
            };
            let s = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
            let editable = obj.get("editable").and_then(Value::as_bool) == Some(true);
            let pin = if let Some(g) = s("git") {
                Pin::Vcs {
                    url: s("ref").map_or(g.clone(), |r| format!("{g}@{r}")),
                }
            } else if editable {
                Pin::Editable {
                    target: s("path").or_else(|| s("file")).unwrap_or_default(),
                }
            } else if let Some(f) = s("file") {
                if is_remote(&f) {
                    Pin::Url { url: f }
                } else {
                    Pin::Local { path: f }
                }
            } else if let Some(p) = s("path") {
                Pin::Local { path: p }
            } else {
                Pin::Exact
            };
            let mut pkg = Package::new(name, origin, SourceKind::PipfileLock, pin);
            if let Some(spec) = s("version") {
                let v = spec
                    .strip_prefix("===")
                    .or_else(|| spec.strip_prefix("=="))
                    .ok_or_else(|| {
                        InventoryError::parse(
                            path,
                            at.clone(),
                            format!("`{key}.version` {spec:?} is not an exact `==` pin"),
                        )
                    })?;
                let parsed = text::version(path, at.clone(), v)?;
                pkg = pkg.with_version(parsed, v);
            } else if matches!(pkg.pin, Pin::Exact) {
                pkg.pin = Pin::Unpinned {
                    specifier: String::new(),
                };
            }
            pkg.hashes = obj
                .get("hashes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            pkg.marker = s("markers");
            out.push(pkg.local_unless_indexed());
        }
    }
    Ok(inventory(path, SourceKind::PipfileLock, out))
}

/// An `http(s)://` URL, as opposed to a local `file:` URL or path.
pub(crate) fn is_remote(url: &str) -> bool {
    let l = url.to_ascii_lowercase();
    l.starts_with("https://") || l.starts_with("http://")
}
