//! Whether a `Requires-Dist` requirement can be in effect in an installed
//! environment, from what its files tell: no extra was requested (an
//! installed environment records none), and its Python version (the
//! inventory's, from `lib/pythonX.Y` and `pyvenv.cfg`). Markers on facts the files do not tell (platform,
//! implementation) count as possibly true: the requirement is stated and
//! may be in effect.

use std::str::FromStr as _;

use pep508_rs::marker::{MarkerTree, MarkerTreeKind, MarkerValueVersion};
use pep508_rs::pep440_rs::Version;

/// The Python versions an environment may run, from what the inventory
/// read (`X.Y.Z`, or `X.Y`: then its lowest and a high patch).
pub fn candidates(python: &str) -> Option<Vec<Version>> {
    if python.split('.').count() >= 3 {
        return Some(vec![Version::from_str(python).ok()?]);
    }
    Some(vec![
        Version::from_str(&format!("{python}.0")).ok()?,
        Version::from_str(&format!("{python}.999")).ok()?,
    ])
}

/// Whether `tree` can hold with no extra and one of `python` (any when
/// `None`).
pub fn possible(tree: &MarkerTree, python: Option<&[Version]>) -> bool {
    match tree.kind() {
        MarkerTreeKind::True => true,
        MarkerTreeKind::False => false,
        MarkerTreeKind::Version(m) => m.edges().any(|(range, sub)| {
            let python_key = matches!(
                m.key(),
                MarkerValueVersion::PythonVersion | MarkerValueVersion::PythonFullVersion
            );
            if python_key
                && let Some(vs) = python
                && !vs.iter().any(|v| range.contains(v))
            {
                return false;
            }
            possible(&sub, python)
        }),
        MarkerTreeKind::String(m) => m.children().any(|(_, sub)| possible(&sub, python)),
        MarkerTreeKind::In(m) => m.children().any(|(_, sub)| possible(&sub, python)),
        MarkerTreeKind::Contains(m) => m.children().any(|(_, sub)| possible(&sub, python)),
        MarkerTreeKind::Extra(m) => possible(&m.edge(false), python),
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr as _;

    use pep508_rs::marker::MarkerTree;
    use pep508_rs::pep440_rs::Version;

    use super::possible;

    fn p(marker: &str, python: &str) -> bool {
        let v = [Version::from_str(python).unwrap()];
        possible(&MarkerTree::from_str(marker).unwrap(), Some(&v))
    }

    #[test]
    fn python_and_extras_decide_platform_does_not() {
        assert!(!p("python_version < '3.10'", "3.11.4"));
        assert!(p("python_version >= '3.10'", "3.11.4"));
        assert!(!p("python_full_version < '3.11.2'", "3.11.4"));
        assert!(!p("extra == 'test'", "3.11.4"));
        assert!(p("extra == 'test' or python_version > '3.8'", "3.11.4"));
        assert!(
            p("platform_system == 'Windows'", "3.11.4"),
            "unknown: possible"
        );
        assert!(!p(
            "platform_system == 'Windows' and python_version < '3.8'",
            "3.11.4"
        ));
    }
}
