//! Cargo's `Cargo.lock`, `version = 3` and `version = 4`.
//!
//! Every `[[package]]` is listed, the project's own (workspace members and
//! path dependencies, which have no `source`) included, as `cargo metadata`
//! lists them. Formats 1 and 2 wrote no `version` key and are refused.
//! Version 4 differs from 3 only in how git source URLs are encoded, which
//! is kept as written.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::model::{Ecosystem, Inventory, Origin, Package, Source, SourceKind};
use crate::text::{LineIndex, toml_error};
use crate::{Error, Location};

#[derive(Deserialize)]
struct Lock {
    version: Option<Spanned<toml::Value>>,
    #[serde(default)]
    package: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: Spanned<String>,
    version: Spanned<String>,
    source: Option<Spanned<String>>,
    checksum: Option<Spanned<String>>,
}

pub(crate) fn read(path: &Path, content: &str) -> Result<Inventory, Error> {
    let lock: Lock = toml::from_str(content).map_err(|e| toml_error(path, content, &e))?;
    let lines = LineIndex::new(content);
    let format = match &lock.version {
        None => {
            return Err(Error::parse(
                path,
                Location::Key("version".into()),
                "missing `version` (Cargo.lock formats 1 and 2 had none; custody reads 3 and 4: \
                 any recent cargo rewrites the file as 4)",
            ));
        }
        Some(v) => match v.get_ref().as_integer() {
            Some(n @ 3..=4) => n,
            _ => {
                return Err(Error::parse(
                    path,
                    Location::Line(lines.line(v.span().start)),
                    format!(
                        "unsupported Cargo.lock version {} (custody reads 3 and 4)",
                        v.get_ref()
                    ),
                ));
            }
        },
    };
    let mut out = Vec::with_capacity(lock.package.len());
    for e in lock.package {
        out.push(package(path, &lines, e)?);
    }
    Ok(Inventory::one(
        path,
        SourceKind::CargoLock,
        Some(format.to_string()),
        out,
    ))
}

fn package(path: &Path, lines: &LineIndex, e: Entry) -> Result<Package, Error> {
    let line = lines.line(e.name.span().start);
    let version_line = Location::Line(lines.line(e.version.span().start));
    let version = e.version.into_inner();
    if let Err(err) = semver::Version::parse(&version) {
        return Err(Error::parse(
            path,
            version_line,
            format!("invalid version {version:?}: {err}"),
        ));
    }
    let mut integrity = Vec::new();
    if let Some(sum) = e.checksum {
        let at = Location::Line(lines.line(sum.span().start));
        let sum = sum.into_inner();
        if sum.len() != 64 || !sum.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::parse(
                path,
                at,
                format!("checksum {sum:?} is not a SHA-256 in hex"),
            ));
        }
        integrity.push(format!("sha256:{}", sum.to_ascii_lowercase()));
    }
    Ok(Package {
        ecosystem: Ecosystem::CratesIo,
        name: e.name.into_inner(),
        version: Some(version),
        origin: Origin {
            path: path.to_owned(),
            line: Some(line),
        },
        integrity,
        dev: false,
        optional: false,
        install_script: false,
        license: None,
        source: e.source.map_or(Source::Path(None), |s| source(s.get_ref())),
    })
}

/// A Cargo source id: `registry+URL`, `sparse+URL`, `git+URL?ref#commit`.
fn source(id: &str) -> Source {
    if let Some(url) = id.strip_prefix("registry+") {
        Source::Registry(Some(url.to_owned()))
    } else if id.starts_with("sparse+") {
        // Cargo names a sparse index with the prefix: `sparse+https://index.crates.io/`.
        Source::Registry(Some(id.to_owned()))
    } else if let Some(url) = id.strip_prefix("git+") {
        Source::Git(url.to_owned())
    } else if let Some(p) = id.strip_prefix("path+") {
        Source::Path(Some(p.to_owned()))
    } else {
        Source::Other(id.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::source;
    use crate::model::Source;

    #[test]
    fn source_ids_are_classified() {
        assert_eq!(
            source("registry+https://github.com/rust-lang/crates.io-index"),
            Source::Registry(Some("https://github.com/rust-lang/crates.io-index".into()))
        );
        assert_eq!(
            source("sparse+https://index.crates.io/"),
            Source::Registry(Some("sparse+https://index.crates.io/".into()))
        );
        assert_eq!(
            source("git+https://github.com/a/b?branch=main#0123abc"),
            Source::Git("https://github.com/a/b?branch=main#0123abc".into())
        );
        assert_eq!(source("weird"), Source::Other("weird".into()));
    }
}
