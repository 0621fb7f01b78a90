//! Bills of materials other tools made, read like a lockfile: CycloneDX
//! JSON (1.4 to 1.7) and SPDX JSON (2.3; 3.0 JSON-LD). Every component
//! with a `pkg:pypi` purl becomes a package (name and version from the
//! purl, hashes where listed); one with a `pkg:npm` or `pkg:cargo` purl
//! becomes a package of the inventory's `ecosystems` part (npm or
//! crates.io, from the registry); components of other ecosystems, and
//! those with no purl, are kept as unresolved entries with the reason,
//! never dropped silently. Entries are located by key path (`components[3]`),
//! as JSON carries no lines through `serde_json`.

mod cyclonedx;
mod spdx;

use std::path::Path;

use custody_ecosystems::Ecosystem;

use crate::model::{Inventory, Origin, Package, Pin, SourceKind, Unresolved};
use crate::{InventoryError, Location, text};

pub(crate) use cyclonedx::read as read_cyclonedx;
pub(crate) use spdx::read as read_spdx;

/// What a purl names.
pub(crate) enum Named {
    /// A PyPI release: name and version (when the purl has one).
    Pypi(String, Option<String>),
    /// An npm or crates.io package: ecosystem, name as the ecosystem
    /// writes it (`@scope/name`), version (when the purl has one).
    Registry(Ecosystem, String, Option<String>),
    /// Another ecosystem's package: its purl type.
    Other(String),
}

/// Reads a purl.
pub(crate) fn purl(text: &str) -> Result<Named, String> {
    let p: packageurl::PackageUrl<'_> = text.parse().map_err(|e| format!("purl {text:?}: {e}"))?;
    let version = p.version().map(str::to_owned);
    Ok(match p.ty() {
        "pypi" => Named::Pypi(p.name().to_owned(), version),
        "npm" => {
            let name = match p.namespace() {
                Some(scope) => format!("{scope}/{}", p.name()),
                None => p.name().to_owned(),
            };
            Named::Registry(Ecosystem::Npm, name, version)
        }
        "cargo" => Named::Registry(Ecosystem::CratesIo, p.name().to_owned(), version),
        other => Named::Other(other.to_owned()),
    })
}

/// An npm or crates.io package a bill lists, from the registry.
fn registry_package(
    ecosystem: Ecosystem,
    name: String,
    version: Option<String>,
    origin: &Origin,
    integrity: Vec<String>,
) -> custody_ecosystems::Package {
    custody_ecosystems::Package {
        ecosystem,
        name,
        version,
        origin: custody_ecosystems::Origin {
            path: origin.path.clone(),
            line: origin.line,
        },
        integrity,
        dev: false,
        optional: false,
        install_script: false,
        license: None,
        source: custody_ecosystems::Source::Registry(None),
    }
}

/// One entry of a bill, as a package or an unresolved entry.
pub(crate) struct Entry<'a> {
    /// Where in the document (`components[3]`).
    pub key: String,
    /// The purl, if any.
    pub purl: Option<&'a str>,
    /// The name as the bill writes it.
    pub name: &'a str,
    /// Hashes as `algo:hex`.
    pub hashes: Vec<String>,
}

/// Turns entries into an inventory of `kind` from `path`.
pub(crate) fn inventory(
    path: &Path,
    kind: SourceKind,
    entries: Vec<Entry<'_>>,
) -> Result<Inventory, InventoryError> {
    let mut packages = Vec::new();
    let mut others = Vec::new();
    let mut unresolved = Vec::new();
    for e in entries {
        let origin = Origin {
            path: path.to_owned(),
            line: None,
        };
        let at = Location::Key(e.key.clone());
        let unresolved_as = |reason: String| Unresolved {
            text: format!("{} ({})", e.name, e.key),
            reason,
            origin: origin.clone(),
        };
        let Some(p) = e.purl else {
            unresolved.push(unresolved_as(
                "no purl: the bill does not say which ecosystem it is from".into(),
            ));
            continue;
        };
        match purl(p).map_err(|m| InventoryError::parse(path, at.clone(), m))? {
            Named::Other(ty) => unresolved.push(unresolved_as(format!(
                "a package from {ty} ({p}): custody reads PyPI, npm and crates.io packages"
            ))),
            Named::Registry(ecosystem, name, version) => {
                others.push(registry_package(
                    ecosystem, name, version, &origin, e.hashes,
                ));
            }
            Named::Pypi(name, version) => {
                let name = text::name(path, at.clone(), &name)?;
                let pkg = Package::new(
                    name,
                    origin.clone(),
                    kind,
                    match &version {
                        Some(_) => Pin::Exact,
                        None => Pin::Unpinned {
                            specifier: String::new(),
                        },
                    },
                );
                let mut pkg = match version {
                    Some(v) => {
                        let parsed = text::version(path, at, &v)?;
                        pkg.with_version(parsed, &v)
                    }
                    None => pkg,
                };
                pkg.hashes = e.hashes;
                packages.push(pkg);
            }
        }
    }
    let mut inv = crate::lockfile::inventory(path, kind, packages);
    inv.sources[0].packages += others.len();
    inv.unresolved = unresolved;
    inv.ecosystems.packages = others;
    Ok(inv)
}
