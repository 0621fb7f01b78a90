//! Lockfiles of the Python package managers, each into [`Package`]s.

mod pdm;
mod pipfile;
mod poetry;
mod pylock;
mod uv;

use std::path::Path;

use toml::Spanned;

use crate::model::{Inventory, Origin, Package, Pin, Source, SourceKind};
use crate::text::LineIndex;
use crate::{InventoryError, Location, text};

pub(crate) use pdm::read as read_pdm;
pub(crate) use pipfile::read as read_pipfile;
pub(crate) use poetry::read as read_poetry;
pub(crate) use pylock::read as read_pylock;
pub(crate) use uv::read as read_uv;

/// Parses TOML into `T`, with located errors.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    content: &str,
) -> Result<T, InventoryError> {
    toml::from_str(content).map_err(|e| text::toml_error(path, content, &e))
}

/// Builds a package from a spanned name and optional spanned version; a
/// missing version leaves it unpinned with `pin`.
pub(crate) fn package(
    path: &Path,
    lines: &LineIndex,
    kind: SourceKind,
    name: &Spanned<String>,
    version: Option<&Spanned<String>>,
    pin: Pin,
) -> Result<Package, InventoryError> {
    let line = lines.line(name.span().start);
    let pkg_name = text::name(path, Location::Line(line), name.get_ref())?;
    let origin = Origin {
        path: path.to_owned(),
        line: Some(line),
    };
    let pkg = Package::new(pkg_name, origin, kind, pin);
    match version {
        Some(v) => {
            let vline = lines.line(v.span().start);
            let parsed = text::version(path, Location::Line(vline), v.get_ref())?;
            Ok(pkg.with_version(parsed, v.get_ref()))
        }
        None => Ok(pkg),
    }
}

/// Wraps packages into an inventory with one source.
pub(crate) fn inventory(path: &Path, kind: SourceKind, packages: Vec<Package>) -> Inventory {
    Inventory {
        sources: vec![Source {
            path: path.to_owned(),
            kind,
            packages: packages.len(),
            python: None,
        }],
        packages,
        ..Inventory::default()
    }
}

/// Parses an upload time written as a TOML datetime or an RFC 3339 string.
pub(crate) fn upload_time(
    path: &Path,
    lines: &LineIndex,
    value: &Spanned<toml::Value>,
) -> Result<jiff::Timestamp, InventoryError> {
    let raw = match value.get_ref() {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    };
    raw.parse::<jiff::Timestamp>().map_err(|e| {
        let (l, c) = lines.line_col(value.span().start);
        InventoryError::parse(
            path,
            Location::LineCol(l, c),
            format!("invalid upload-time {raw:?}: {e}"),
        )
    })
}

/// The newest of a set of optional timestamps.
pub(crate) fn newest(times: impl IntoIterator<Item = jiff::Timestamp>) -> Option<jiff::Timestamp> {
    times.into_iter().max()
}

/// The names a locked package depends on (those that are valid names).
pub(crate) fn locked_depends<'a>(names: impl Iterator<Item = &'a str>) -> crate::Depends {
    let mut out: Vec<custody_pypa::PackageName> = names
        .filter_map(|n| custody_pypa::PackageName::new(n).ok())
        .collect();
    out.sort();
    out.dedup();
    crate::Depends::Locked(out)
}
