//! npm's `package-lock.json` and `npm-shrinkwrap.json`.
//!
//! lockfileVersion 2 and 3 list every installed folder under `packages`,
//! keyed by its path (`node_modules/debug/node_modules/ms`); version 1 nests
//! `dependencies` by name. Version 2 carries both: `packages` is read. The
//! root project (key `""`) is not listed; a `link` entry is skipped because
//! its target folder is an entry of its own.

use std::path::Path;

use serde_json::{Map, Value};

use super::{integrity_list, package, source_of_resolved, split_name};
use crate::json_lines::KeyLines;
use crate::model::{Inventory, Origin, Package, Source, SourceKind};
use crate::text::{at, json_error};
use crate::{Error, Location};

pub(crate) fn read(path: &Path, content: &str, kind: SourceKind) -> Result<Inventory, Error> {
    let doc: Value = serde_json::from_str(content).map_err(|e| json_error(path, &e))?;
    let keys = KeyLines::new(content);
    let Some(root) = doc.as_object() else {
        return Err(Error::parse(
            path,
            Location::Line(1),
            "not a JSON object (is this a package-lock.json?)",
        ));
    };
    let version = lockfile_version(path, &keys, root)?;
    let packages = if version == 1 {
        let mut out = Vec::new();
        if let Some(deps) = root.get("dependencies") {
            let deps = object(path, &keys, deps, &["dependencies"])?;
            read_v1(
                path,
                &keys,
                deps,
                &mut vec!["dependencies".into()],
                &mut out,
            )?;
        }
        out
    } else {
        let Some(entries) = root.get("packages") else {
            return Err(Error::parse(
                path,
                Location::Key("packages".into()),
                format!("missing `packages` (lockfileVersion {version} lists its packages there)"),
            ));
        };
        let entries = object(path, &keys, entries, &["packages"])?;
        read_packages(path, &keys, entries)?
    };
    Ok(Inventory::one(
        path,
        kind,
        Some(version.to_string()),
        packages,
    ))
}

/// The declared lockfileVersion: 1, 2 or 3.
fn lockfile_version(path: &Path, keys: &KeyLines, root: &Map<String, Value>) -> Result<u64, Error> {
    let Some(v) = root.get("lockfileVersion") else {
        return Err(Error::parse(
            path,
            Location::Key("lockfileVersion".into()),
            "missing `lockfileVersion` (is this a package-lock.json?)",
        ));
    };
    match v.as_u64() {
        Some(n @ 1..=3) => Ok(n),
        _ => Err(Error::parse(
            path,
            at(keys.line(&["lockfileVersion"]), || "lockfileVersion".into()),
            format!("unsupported lockfileVersion {v} (custody reads 1, 2 and 3)"),
        )),
    }
}

fn object<'a>(
    path: &Path,
    keys: &KeyLines,
    value: &'a Value,
    key_path: &[&str],
) -> Result<&'a Map<String, Value>, Error> {
    value.as_object().ok_or_else(|| {
        Error::parse(
            path,
            at(keys.line(key_path), || key_path.join(".")),
            format!("`{}` is not an object", key_path.join(".")),
        )
    })
}

/// A string field, or `None`; any other type is an error.
fn string<'a>(
    path: &Path,
    location: &Location,
    obj: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, Error> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(Error::parse(
            path,
            location.clone(),
            format!("`{field}` is not a string: {other}"),
        )),
    }
}

fn flag(obj: &Map<String, Value>, field: &str) -> bool {
    obj.get(field).and_then(Value::as_bool) == Some(true)
}

/// lockfileVersion 2 and 3: the `packages` map.
fn read_packages(
    path: &Path,
    keys: &KeyLines,
    entries: &Map<String, Value>,
) -> Result<Vec<Package>, Error> {
    let mut out = Vec::new();
    for (key, value) in entries {
        if key.is_empty() {
            continue;
        }
        let obj = object(path, keys, value, &["packages", key])?;
        if flag(obj, "link") {
            continue;
        }
        let line = keys.line(&["packages", key]);
        let loc = at(line, || format!("packages[{key:?}]"));
        let installed_as = key.rsplit("node_modules/").next().unwrap_or(key);
        let in_tree = key.starts_with("node_modules/") || key.contains("/node_modules/");
        let name = match string(path, &loc, obj, "name")? {
            Some(n) => n,
            None if in_tree => installed_as,
            // A workspace or linked folder outside node_modules: its folder name.
            None => key.rsplit('/').next().unwrap_or(key),
        };
        let version = string(path, &loc, obj, "version")?.map(str::to_owned);
        let integrity = string(path, &loc, obj, "integrity")?;
        let source = if !in_tree {
            Source::Path(Some(key.clone()))
        } else if let Some(r) = string(path, &loc, obj, "resolved")? {
            source_of_resolved(r)
        } else if flag(obj, "inBundle") {
            Source::Other("bundled in its parent package".into())
        } else if integrity.is_some() {
            // npm leaves `resolved` out for the configured registry when
            // `omit-lockfile-registry-resolved` is set.
            Source::Registry(None)
        } else {
            Source::Unknown
        };
        let origin = Origin {
            path: path.to_owned(),
            line,
        };
        let mut p = package(name, version, origin, source);
        p.integrity = integrity.map(integrity_list).unwrap_or_default();
        p.dev = flag(obj, "dev");
        p.optional = flag(obj, "optional") || flag(obj, "devOptional");
        p.install_script = flag(obj, "hasInstallScript");
        p.license = obj
            .get("license")
            .and_then(Value::as_str)
            .map(str::to_owned);
        out.push(p);
    }
    Ok(out)
}

/// lockfileVersion 1: nested `dependencies`, keyed by the installed name.
fn read_v1(
    path: &Path,
    keys: &KeyLines,
    deps: &Map<String, Value>,
    key_path: &mut Vec<String>,
    out: &mut Vec<Package>,
) -> Result<(), Error> {
    for (installed_as, value) in deps {
        key_path.push(installed_as.clone());
        let segments: Vec<&str> = key_path.iter().map(String::as_str).collect();
        let obj = object(path, keys, value, &segments)?;
        let line = keys.line(&segments);
        let loc = at(line, || segments.join("."));
        let spec = string(path, &loc, obj, "version")?;
        let resolved = string(path, &loc, obj, "resolved")?;
        let integrity = string(path, &loc, obj, "integrity")?;
        let (name, version, source) = v1_identity(installed_as, spec, resolved, integrity);
        let origin = Origin {
            path: path.to_owned(),
            line,
        };
        let mut p = package(&name, version, origin, source);
        p.integrity = integrity.map(integrity_list).unwrap_or_default();
        p.dev = flag(obj, "dev");
        p.optional = flag(obj, "optional");
        out.push(p);
        if let Some(nested) = obj.get("dependencies") {
            key_path.push("dependencies".into());
            let segments: Vec<&str> = key_path.iter().map(String::as_str).collect();
            let nested = object(path, keys, nested, &segments)?;
            read_v1(path, keys, nested, key_path, out)?;
            key_path.pop();
        }
        key_path.pop();
    }
    Ok(())
}

/// Name, exact version and source of a v1 entry: its `version` is a
/// version, an alias (`npm:ms@2.1.3`), or where it came from (`file:`, git,
/// a tarball URL).
fn v1_identity(
    installed_as: &str,
    spec: Option<&str>,
    resolved: Option<&str>,
    integrity: Option<&str>,
) -> (String, Option<String>, Source) {
    let registry = |resolved: Option<&str>| match resolved {
        Some(r) => source_of_resolved(r),
        None if integrity.is_some() => Source::Registry(None),
        None => Source::Unknown,
    };
    match spec {
        Some(s) if super::is_exact_version(s) => (
            installed_as.to_owned(),
            Some(s.to_owned()),
            registry(resolved),
        ),
        Some(s) if s.starts_with("npm:") => match split_name(&s[4..]) {
            Some((real, v)) => (real.to_owned(), Some(v.to_owned()), registry(resolved)),
            None => (installed_as.to_owned(), None, Source::Other(s.to_owned())),
        },
        Some(s) => (installed_as.to_owned(), None, source_of_resolved(s)),
        None => (installed_as.to_owned(), None, registry(resolved)),
    }
}
