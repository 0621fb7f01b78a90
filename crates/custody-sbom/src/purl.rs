//! Package URLs (purl), made by the `packageurl` crate: PyPI's
//! `pkg:pypi/NAME@VERSION`, the name lower-cased with `_` as `-` as the
//! purl spec's pypi type asks; npm's `pkg:npm/%40SCOPE/NAME@VERSION` (the
//! scope is the namespace, its `@` percent-encoded); crates.io's
//! `pkg:cargo/NAME@VERSION`. Versions are percent-encoded where needed.

use packageurl::PackageUrl;

/// The purl of a PyPI release (`None` only for a name the purl spec
/// refuses, which a PEP 503 name never is).
pub fn pypi(name: &str, version: Option<&str>) -> Option<String> {
    let mut p = PackageUrl::new("pypi", name.replace('_', "-")).ok()?;
    if let Some(v) = version {
        p.with_version(v).ok()?;
    }
    Some(p.to_string())
}

/// The purl of an npm package (`@scope/name` or `name`, as npm writes it).
pub fn npm(name: &str, version: Option<&str>) -> Option<String> {
    let (scope, bare) = match name.strip_prefix('@').and_then(|r| r.split_once('/')) {
        Some((scope, bare)) => (Some(format!("@{scope}")), bare),
        None => (None, name),
    };
    let mut p = PackageUrl::new("npm", bare).ok()?;
    if let Some(s) = scope {
        p.with_namespace(s).ok()?;
    }
    if let Some(v) = version {
        p.with_version(v).ok()?;
    }
    Some(p.to_string())
}

/// The purl of a crates.io crate.
pub fn cargo(name: &str, version: Option<&str>) -> Option<String> {
    let mut p = PackageUrl::new("cargo", name).ok()?;
    if let Some(v) = version {
        p.with_version(v).ok()?;
    }
    Some(p.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_versions_are_encoded_and_names_normalised() {
        assert_eq!(
            super::pypi("torch", Some("2.3.0+cu121")).as_deref(),
            Some("pkg:pypi/torch@2.3.0%2Bcu121")
        );
        assert_eq!(
            super::pypi("Zope_Interface", None).as_deref(),
            Some("pkg:pypi/zope-interface")
        );
    }

    #[test]
    fn npm_scopes_are_namespaces_and_cargo_has_none() {
        assert_eq!(
            super::npm("@sindresorhus/slugify", Some("2.2.1")).as_deref(),
            Some("pkg:npm/%40sindresorhus/slugify@2.2.1")
        );
        assert_eq!(
            super::npm("ms", Some("2.1.3")).as_deref(),
            Some("pkg:npm/ms@2.1.3")
        );
        assert_eq!(
            super::cargo("proc-macro2", Some("1.0.95")).as_deref(),
            Some("pkg:cargo/proc-macro2@1.0.95")
        );
    }
}
