//! pnpm's `pnpm-lock.yaml`, lockfileVersion 6.x (pnpm 8) and 9.x (pnpm 9
//! and later).
//!
//! Both list each resolved package once under `packages`: in 6.x keyed
//! `/name@version(peers)` with `dev` and `optional` flags on the entry, in
//! 9.x keyed `name@version` with the flags gone; 9.x says what depends on
//! what under `snapshots` (with `optional: true`) and what the project
//! depends on under `importers`, so a 9.x package is `dev` when only the
//! importers' `devDependencies` reach it. Folder dependencies (`file:`) have
//! a `directory` resolution; the importers' `link:` dependencies are not
//! packages of the lockfile and are not listed.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_norway::{Mapping, Value};

use super::{integrity_list, is_exact_version, package, source_of_resolved, split_name};
use crate::model::{Inventory, Origin, Package, Source, SourceKind};
use crate::text::at;
use crate::yaml_lines::YamlKeys;
use crate::{Error, Location};

pub(crate) fn read(path: &Path, content: &str) -> Result<Inventory, Error> {
    let doc: Value = crate::text::yaml(path, content)?;
    let keys = YamlKeys::new(content);
    let Some(root) = doc.as_mapping() else {
        return Err(Error::parse(
            path,
            Location::Line(1),
            "not a YAML mapping (is this a pnpm-lock.yaml?)",
        ));
    };
    let (major, declared) = lockfile_version(path, &keys, root)?;
    let entries = match root.get("packages") {
        None | Some(Value::Null) => Mapping::new(),
        Some(Value::Mapping(m)) => m.clone(),
        Some(_) => {
            return Err(Error::parse(
                path,
                at(keys.line("", "packages"), || "packages".into()),
                "`packages` is not a mapping",
            ));
        }
    };
    let graph = (major == 9).then(|| Graph::of(root));
    let mut out = Vec::with_capacity(entries.len());
    for (k, v) in &entries {
        let Some(key) = k.as_str() else { continue };
        let line = keys.line("packages", key);
        let loc = at(line, || format!("packages[{key:?}]"));
        let Some(entry) = v.as_mapping() else {
            return Err(Error::parse(
                path,
                loc,
                format!("entry `{key}` is not a mapping"),
            ));
        };
        let origin = Origin {
            path: path.to_owned(),
            line,
        };
        let mut p = entry_package(path, &loc, key, entry, origin)?;
        if let Some(g) = &graph {
            let base = base_key(key);
            p.dev = g.dev_only.contains(base);
            p.optional = g.optional.get(base).copied().unwrap_or(false);
        } else {
            p.dev = entry.get("dev").and_then(Value::as_bool) == Some(true);
            p.optional = entry.get("optional").and_then(Value::as_bool) == Some(true);
            p.install_script = entry.get("requiresBuild").and_then(Value::as_bool) == Some(true);
        }
        out.push(p);
    }
    Ok(Inventory::one(
        path,
        SourceKind::PnpmLock,
        Some(declared),
        out,
    ))
}

/// The declared lockfileVersion's major (6 or 9) and its text.
fn lockfile_version(path: &Path, keys: &YamlKeys, root: &Mapping) -> Result<(u8, String), Error> {
    let declared = match root.get("lockfileVersion") {
        None => {
            return Err(Error::parse(
                path,
                Location::Key("lockfileVersion".into()),
                "missing `lockfileVersion` (is this a pnpm-lock.yaml?)",
            ));
        }
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => format!("{other:?}"),
    };
    match declared.split('.').next() {
        Some("6") => Ok((6, declared)),
        Some("9") => Ok((9, declared)),
        _ => Err(Error::parse(
            path,
            at(keys.line("", "lockfileVersion"), || {
                "lockfileVersion".into()
            }),
            format!("unsupported lockfileVersion {declared} (custody reads 6.x and 9.x)"),
        )),
    }
}

/// A `packages` key without its peer suffix (`debug@4.3.4(supports-color@8.1.1)`
/// is `debug@4.3.4`) and without 6.x's leading `/`.
fn base_key(key: &str) -> &str {
    let key = key.strip_prefix('/').unwrap_or(key);
    key.split('(').next().unwrap_or(key)
}

fn string<'a>(m: &'a Mapping, field: &str) -> Option<&'a str> {
    m.get(field).and_then(Value::as_str)
}

fn entry_package(
    path: &Path,
    loc: &Location,
    key: &str,
    entry: &Mapping,
    origin: Origin,
) -> Result<Package, Error> {
    let base = base_key(key);
    let split = split_name(base);
    let name = string(entry, "name")
        .or(split.map(|(n, _)| n))
        .ok_or_else(|| {
            Error::parse(
                path,
                loc.clone(),
                format!("cannot tell the package name of `{key}`"),
            )
        })?;
    let rest = split.map_or(base, |(_, r)| r);
    let version = string(entry, "version")
        .or(Some(rest))
        .filter(|v| is_exact_version(v))
        .map(str::to_owned);
    let resolution = match entry.get("resolution") {
        Some(Value::Mapping(m)) => Some(m),
        None => None,
        Some(_) => {
            return Err(Error::parse(
                path,
                loc.clone(),
                format!("`resolution` of `{key}` is not a mapping"),
            ));
        }
    };
    let source = match resolution {
        Some(r) => resolution_source(r, rest),
        None if is_exact_version(rest) => Source::Registry(None),
        None => source_of_resolved(rest),
    };
    let mut p = package(name, version, origin, source);
    p.integrity = resolution
        .and_then(|r| string(r, "integrity"))
        .map(integrity_list)
        .unwrap_or_default();
    Ok(p)
}

/// Where a `resolution` says the package comes from.
fn resolution_source(r: &Mapping, rest: &str) -> Source {
    if let Some(dir) = string(r, "directory") {
        return Source::Path(Some(dir.to_owned()));
    }
    if string(r, "type") == Some("git") {
        let repo = string(r, "repo").unwrap_or_default();
        return match string(r, "commit") {
            Some(c) => Source::Git(format!("{repo}#{c}")),
            None => Source::Git(repo.to_owned()),
        };
    }
    if let Some(tarball) = string(r, "tarball") {
        return source_of_resolved(tarball);
    }
    if is_exact_version(rest) {
        Source::Registry(None)
    } else {
        source_of_resolved(rest)
    }
}

/// 9.x's dependency graph, for what 6.x wrote on each entry.
struct Graph {
    /// Base keys reached only from `devDependencies`.
    dev_only: HashSet<String>,
    /// Base keys whose every snapshot says `optional: true`.
    optional: HashMap<String, bool>,
}

impl Graph {
    fn of(root: &Mapping) -> Self {
        let empty = Mapping::new();
        let snapshots = root
            .get("snapshots")
            .and_then(Value::as_mapping)
            .unwrap_or(&empty);
        let mut optional: HashMap<String, bool> = HashMap::new();
        for (k, v) in snapshots {
            let Some(key) = k.as_str() else { continue };
            let opt = v
                .as_mapping()
                .and_then(|m| m.get("optional"))
                .and_then(Value::as_bool)
                == Some(true);
            let all = optional.entry(base_key(key).to_owned()).or_insert(true);
            *all &= opt;
        }
        let mut prod_roots = Vec::new();
        let mut dev_roots = Vec::new();
        if let Some(importers) = root.get("importers").and_then(Value::as_mapping) {
            for importer in importers.values().filter_map(Value::as_mapping) {
                for section in ["dependencies", "optionalDependencies"] {
                    prod_roots.extend(references(importer.get(section), true));
                }
                dev_roots.extend(references(importer.get("devDependencies"), true));
            }
        }
        let prod = reach(snapshots, prod_roots);
        let dev = reach(snapshots, dev_roots);
        let dev_only = dev.difference(&prod).cloned().collect();
        Self { dev_only, optional }
    }
}

/// The snapshot keys a dependency map points at. Importers write
/// `name: {specifier, version}`, snapshots `name: version`; a version is
/// `1.0.0`, `1.0.0(peer@2.0.0)`, an alias's `real@1.0.0`, `file:dir`, or a
/// `link:` (no snapshot).
fn references(map: Option<&Value>, importer: bool) -> Vec<String> {
    let Some(map) = map.and_then(Value::as_mapping) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in map {
        let Some(name) = k.as_str() else { continue };
        let version = if importer {
            v.as_mapping().and_then(|m| string(m, "version"))
        } else {
            v.as_str()
        };
        let Some(version) = version else { continue };
        if version.starts_with("link:") {
            continue;
        }
        // An alias points at `real@1.0.0`; anything else is this name's.
        let before_peers = version.split('(').next().unwrap_or(version);
        if split_name(before_peers).is_some_and(|(_, v)| is_exact_version(v)) {
            out.push(version.to_owned());
        } else {
            out.push(format!("{name}@{version}"));
        }
    }
    out
}

/// Base keys reachable from `roots` through the snapshots' dependencies.
fn reach(snapshots: &Mapping, roots: Vec<String>) -> HashSet<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut queue = roots;
    while let Some(key) = queue.pop() {
        if !seen.insert(key.clone()) {
            continue;
        }
        if let Some(snap) = snapshots.get(key.as_str()).and_then(Value::as_mapping) {
            for section in ["dependencies", "optionalDependencies"] {
                queue.extend(references(snap.get(section), false));
            }
        }
    }
    seen.iter().map(|k| base_key(k).to_owned()).collect()
}
