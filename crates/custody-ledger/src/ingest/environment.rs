//! An environment as the ledger knows it: a prefix (a virtual
//! environment's folder, or a lockfile's path) and the set of package
//! versions it holds. Runs and scans that see the same prefix with the
//! same packages name the same environment.

use crate::graph::{ENVIRONMENT_PACKAGES, ENVIRONMENTS, Fact};
use crate::log::sha256_hex;

/// The environment's identity: SHA-256 of its prefix and its sorted
/// `name==version` lines (empty when it has no packages).
///
/// `packages` must be sorted and without duplicates.
pub fn id(prefix: &str, packages: &[(String, String)]) -> String {
    if packages.is_empty() {
        return String::new();
    }
    let mut text = prefix.to_owned();
    for (n, v) in packages {
        text.push('\n');
        text.push_str(n);
        text.push_str("==");
        text.push_str(v);
    }
    sha256_hex(text.as_bytes())
}

/// Its rows: the environment and one per package (none without packages).
pub fn facts(id: &str, prefix: &str, packages: &[(String, String)]) -> Vec<Fact> {
    if id.is_empty() {
        return Vec::new();
    }
    let mut facts = vec![Fact {
        table: ENVIRONMENTS,
        row: vec![id.into(), prefix.into()],
    }];
    for (n, v) in packages {
        facts.push(Fact {
            table: ENVIRONMENT_PACKAGES,
            row: vec![id.into(), n.as_str().into(), v.as_str().into()],
        });
    }
    facts
}
