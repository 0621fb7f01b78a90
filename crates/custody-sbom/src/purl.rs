//! Package URLs (purl) for PyPI packages, made by the `packageurl` crate:
//! `pkg:pypi/NAME@VERSION`, the name lower-cased with `_` as `-` as the
//! purl spec's pypi type asks, the version percent-encoded where needed.

/// The purl of a PyPI release (`None` only for a name the purl spec
/// refuses, which a PEP 503 name never is).
pub fn pypi(name: &str, version: Option<&str>) -> Option<String> {
    let mut p = packageurl::PackageUrl::new("pypi", name.replace('_', "-")).ok()?;
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
}
