//! yarn 2+'s `yarn.lock` (YAML, with `__metadata`).
//!
//! Each key lists the descriptors an entry satisfies; the entry's
//! `resolution` (`name@npm:1.0.0`, `name@workspace:path`, `name@file:…`,
//! `name@patch:…`, a git or tarball URL) names the package and where it
//! comes from, `version` its version (`0.0.0-use.local` for workspaces),
//! `checksum` a digest of yarn's zip of it. The project's own root
//! (`workspace:.`) is not listed. yarn berry does not record which packages
//! are dev-only or optional.

use std::path::Path;

use serde_norway::{Mapping, Value};

use super::{package, source_of_resolved, split_name};
use crate::model::{Inventory, Origin, Package, Source, SourceKind};
use crate::text::at;
use crate::yaml_lines::YamlKeys;
use crate::{Error, Location};

/// `__metadata.version` values written by yarn 2 (4) through yarn 4 (8, 10).
const KNOWN: std::ops::RangeInclusive<u64> = 4..=10;

pub(crate) fn read(path: &Path, content: &str) -> Result<Inventory, Error> {
    let doc: Value = crate::text::yaml(path, content)?;
    let keys = YamlKeys::new(content);
    let Some(root) = doc.as_mapping() else {
        return Err(Error::parse(
            path,
            Location::Line(1),
            "not a YAML mapping (is this a yarn.lock?)",
        ));
    };
    let (version, cache_key) = metadata(path, &keys, root)?;
    let mut out = Vec::new();
    for (k, v) in root {
        let Some(key) = k.as_str() else { continue };
        if key == "__metadata" {
            continue;
        }
        let line = keys.line("", key);
        let loc = at(line, || format!("{key:?}"));
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
        if let Some(p) = entry_package(path, &loc, key, entry, origin, cache_key.as_deref())? {
            out.push(p);
        }
    }
    Ok(Inventory::one(
        path,
        SourceKind::YarnBerry,
        Some(version.to_string()),
        out,
    ))
}

/// `__metadata.version` (checked) and `cacheKey`.
fn metadata(path: &Path, keys: &YamlKeys, root: &Mapping) -> Result<(u64, Option<String>), Error> {
    let Some(meta) = root.get("__metadata").and_then(Value::as_mapping) else {
        return Err(Error::parse(
            path,
            Location::Key("__metadata".into()),
            "missing `__metadata` (is this a yarn 2+ lockfile?)",
        ));
    };
    let version = meta.get("version");
    let loc = at(keys.line("__metadata", "version"), || {
        "__metadata.version".into()
    });
    let number = match version {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    match number {
        Some(n) if KNOWN.contains(&n) => {}
        _ => {
            let shown = match version {
                None => "none".to_owned(),
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::String(s)) => format!("{s:?}"),
                Some(other) => format!("{other:?}"),
            };
            return Err(Error::parse(
                path,
                loc,
                format!(
                    "unsupported __metadata.version {shown} (custody reads {} to {})",
                    KNOWN.start(),
                    KNOWN.end()
                ),
            ));
        }
    }
    let cache_key = match meta.get("cacheKey") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Ok((number.unwrap_or_default(), cache_key))
}

fn entry_package(
    path: &Path,
    loc: &Location,
    key: &str,
    entry: &Mapping,
    origin: Origin,
    cache_key: Option<&str>,
) -> Result<Option<Package>, Error> {
    let field = |name: &str| match entry.get(name) {
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        None | Some(Value::Null) => Ok(None),
        Some(_) => Err(Error::parse(
            path,
            loc.clone(),
            format!("`{name}` of `{key}` is not a string"),
        )),
    };
    let Some(resolution) = field("resolution")? else {
        return Err(Error::parse(
            path,
            loc.clone(),
            format!("entry `{key}` has no `resolution`"),
        ));
    };
    let Some((name, reference)) = split_name(&resolution) else {
        return Err(Error::parse(
            path,
            loc.clone(),
            format!("resolution {resolution:?} is not `name@reference`"),
        ));
    };
    if reference == "workspace:." {
        return Ok(None);
    }
    let source = reference_source(reference);
    let version = field("version")?.filter(|v| v != "0.0.0-use.local");
    let mut p = package(name, version, origin, source);
    if let Some(sum) = field("checksum")? {
        p.integrity.push(match (sum.contains('/'), cache_key) {
            (false, Some(ck)) => format!("yarn:{ck}/{sum}"),
            _ => format!("yarn:{sum}"),
        });
    }
    Ok(Some(p))
}

/// Where a resolution's reference (after `name@`) says the package is.
fn reference_source(reference: &str) -> Source {
    let before_params = |s: &str| s.split("::").next().unwrap_or(s).to_owned();
    if reference.starts_with("npm:") {
        Source::Registry(None)
    } else if let Some(rest) = reference
        .strip_prefix("workspace:")
        .or_else(|| reference.strip_prefix("portal:"))
        .or_else(|| reference.strip_prefix("link:"))
    {
        Source::Path(Some(before_params(rest)))
    } else if let Some(rest) = reference.strip_prefix("file:") {
        // `file:./dir#./dir::hash=…&locator=…`: the folder before `#`.
        let rest = before_params(rest);
        Source::Path(Some(rest.split('#').next().unwrap_or(&rest).to_owned()))
    } else if reference.starts_with("patch:") || reference.starts_with("exec:") {
        Source::Other(reference.to_owned())
    } else if reference.contains("#commit=")
        || reference
            .split('#')
            .next()
            .is_some_and(|u| u.ends_with(".git"))
    {
        // yarn's git protocol: `https://host/a/b.git#commit=SHA`.
        Source::Git(reference.to_owned())
    } else {
        source_of_resolved(reference)
    }
}

#[cfg(test)]
mod tests {
    use super::reference_source;
    use crate::model::Source;

    #[test]
    fn references_are_classified() {
        assert_eq!(reference_source("npm:4.17.20"), Source::Registry(None));
        assert_eq!(
            reference_source("file:./local-lib#./local-lib::hash=fca22f&locator=x%40workspace%3A."),
            Source::Path(Some("./local-lib".into()))
        );
        assert_eq!(
            reference_source("workspace:packages/a"),
            Source::Path(Some("packages/a".into()))
        );
        assert_eq!(
            reference_source("https://github.com/a/b.git#commit=0123abc"),
            Source::Git("https://github.com/a/b.git#commit=0123abc".into())
        );
        assert_eq!(
            reference_source("git+ssh://git@github.com/a/b.git#commit=0123abc"),
            Source::Git("git+ssh://git@github.com/a/b.git#commit=0123abc".into())
        );
        assert_eq!(
            reference_source("https://example.com/x-1.0.0.tgz"),
            Source::Other("https://example.com/x-1.0.0.tgz".into())
        );
        assert!(matches!(
            reference_source("patch:ms@npm%3A2.1.3#~/.yarn/patches/ms.patch::version=2.1.3"),
            Source::Other(_)
        ));
    }
}
