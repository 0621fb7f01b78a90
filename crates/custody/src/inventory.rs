//! What custody's workflows and front ends use of `custody-inventory`:
//! installed environments and lockfiles read into one inventory.
//!
//! Every path into that crate is named here and nowhere else, so that a
//! change of its layout is a change of this file only.

pub use custody_inventory::{
    DiscoverOptions, Inventory, InventoryError, Pin, Problem, SourceKind, discover,
};

/// Bounded reads of untrusted files (`docs/security.md`, "Resource limits").
pub use custody_ecosystems::limits;
/// npm's install-time inspection (`custody-ecosystems`).
pub use custody_ecosystems::scripts;

use std::path::PathBuf;

/// What `paths` hold, and the entries that could not be read (each named
/// by file and line; everything else is kept). The first path that holds
/// nothing readable, or cannot be read, is the error, with that path.
///
/// # Errors
/// That path and why.
pub fn discover_paths(
    paths: &[PathBuf],
    depth: usize,
) -> Result<(Inventory, Vec<Problem>), (PathBuf, InventoryError)> {
    let opts = DiscoverOptions { max_depth: depth };
    let mut inv = Inventory::default();
    let mut problems = Vec::new();
    for p in paths {
        let part = match discover(p, &opts) {
            Err(InventoryError::Invalid {
                problems: bad,
                partial,
                ..
            }) => {
                problems.extend(bad);
                Ok(*partial)
            }
            other => other,
        };
        inv.extend(part.map_err(|e| (p.clone(), e))?);
    }
    Ok((inv, problems))
}
