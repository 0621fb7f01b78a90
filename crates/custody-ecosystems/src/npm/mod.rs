//! The npm ecosystem's sources: npm, pnpm and yarn lockfiles and installed
//! `node_modules` trees. One file per format; what they share is here.

pub(crate) mod node_modules;
pub(crate) mod package_lock;
pub(crate) mod pnpm;
pub(crate) mod tree;
pub(crate) mod yarn_berry;
pub(crate) mod yarn_classic;

use crate::model::{Ecosystem, Origin, Package, Source};

/// Splits `name@rest` (`@scope/name@rest` for scoped names) at the `@` that
/// ends the name. `None` when there is no such `@` or the name is empty.
pub(crate) fn split_name(spec: &str) -> Option<(&str, &str)> {
    let from = usize::from(spec.starts_with('@'));
    let at = spec[from..].find('@')? + from;
    (at > from).then(|| (&spec[..at], &spec[at + 1..]))
}

/// Whether `s` is an exact version (SemVer, as npm writes versions), as
/// opposed to a `file:`/`link:` reference, a URL or a range.
pub(crate) fn is_exact_version(s: &str) -> bool {
    semver::Version::parse(s).is_ok()
}

/// Classifies an npm `resolved` value (or a yarn classic `resolved`, or an
/// npm v1 `version` that is not a version).
pub(crate) fn source_of_resolved(resolved: &str) -> Source {
    const GIT: [&str; 7] = [
        "git+",
        "git:",
        "git@",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ];
    let lower = resolved.to_ascii_lowercase();
    if GIT.iter().any(|p| lower.starts_with(p)) {
        Source::Git(resolved.to_owned())
    } else if let Some(p) = resolved.strip_prefix("file:") {
        Source::Path(Some(p.to_owned()))
    } else if lower.starts_with("https://") || lower.starts_with("http://") {
        if is_registry_tarball(resolved) {
            Source::Registry(Some(resolved.to_owned()))
        } else {
            Source::Other(resolved.to_owned())
        }
    } else {
        // npm writes a link's target folder as a bare relative path.
        Source::Path(Some(resolved.to_owned()))
    }
}

/// A registry tarball URL: `…/<name>/-/<file>.tgz` (the npm registry API's
/// layout, which other registries such as Verdaccio or Artifactory follow).
fn is_registry_tarball(url: &str) -> bool {
    let path = url.split(['#', '?']).next().unwrap_or(url);
    path.contains("/-/") && path.ends_with(".tgz")
}

/// Subresource Integrity strings, one per hash (npm allows several,
/// separated by whitespace).
pub(crate) fn integrity_list(sri: &str) -> Vec<String> {
    sri.split_whitespace().map(str::to_owned).collect()
}

/// A package of the npm ecosystem with no flags set.
pub(crate) fn package(
    name: &str,
    version: Option<String>,
    origin: Origin,
    source: Source,
) -> Package {
    Package {
        ecosystem: Ecosystem::Npm,
        name: name.to_owned(),
        version,
        origin,
        integrity: Vec::new(),
        dev: false,
        optional: false,
        install_script: false,
        license: None,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_at_the_version_separator() {
        assert_eq!(split_name("ms@2.1.3"), Some(("ms", "2.1.3")));
        assert_eq!(
            split_name("@types/node@20.11.0"),
            Some(("@types/node", "20.11.0"))
        );
        assert_eq!(
            split_name("my-ms@npm:ms@2.1.3"),
            Some(("my-ms", "npm:ms@2.1.3"))
        );
        assert_eq!(split_name("@scope/x"), None);
        assert_eq!(split_name("x"), None);
        assert_eq!(split_name("@1.0.0"), None);
    }

    #[test]
    fn resolved_values_are_classified() {
        assert_eq!(
            source_of_resolved("https://registry.npmjs.org/@types/node/-/node-20.11.0.tgz"),
            Source::Registry(Some(
                "https://registry.npmjs.org/@types/node/-/node-20.11.0.tgz".into()
            ))
        );
        assert_eq!(
            source_of_resolved("https://example.com/pkg.tgz"),
            Source::Other("https://example.com/pkg.tgz".into())
        );
        assert_eq!(
            source_of_resolved("git+ssh://git@github.com/a/b.git#0123abc"),
            Source::Git("git+ssh://git@github.com/a/b.git#0123abc".into())
        );
        assert_eq!(
            source_of_resolved("file:local-lib"),
            Source::Path(Some("local-lib".into()))
        );
        assert_eq!(
            source_of_resolved("local-lib"),
            Source::Path(Some("local-lib".into()))
        );
    }

    #[test]
    fn several_integrity_hashes_are_kept_apart() {
        assert_eq!(
            integrity_list("sha512-a sha1-b"),
            vec!["sha512-a", "sha1-b"]
        );
    }
}
