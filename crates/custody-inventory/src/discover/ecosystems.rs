//! npm and Cargo dependency sources, read by `custody-ecosystems` into the
//! inventory's [`Inventory::ecosystems`] part, with their errors as this
//! crate's.

use std::path::Path;

use crate::error::InventoryError;
use crate::model::Inventory;

/// Whether `path` names an npm or Cargo lockfile (by its file name).
pub(crate) fn is_lockfile(path: &Path) -> bool {
    custody_ecosystems::kind_of(path)
        .is_some_and(|k| k != custody_ecosystems::SourceKind::NodeModules)
}

/// Whether `path` is a folder named `node_modules`.
pub(crate) fn is_node_modules(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "node_modules")
}

/// Reads an npm or Cargo lockfile, or a `node_modules` tree.
pub(crate) fn read(path: &Path) -> Result<Inventory, InventoryError> {
    custody_ecosystems::read(path)
        .map(Inventory::from_ecosystem)
        .map_err(convert)
}

fn convert(e: custody_ecosystems::Error) -> InventoryError {
    use custody_ecosystems::Error as E;
    match e {
        E::Parse {
            path,
            location,
            message,
        } => InventoryError::Parse {
            path,
            location,
            message,
        },
        E::Io { path, reason } => InventoryError::Io { path, reason },
        E::TooLarge { path, limit } => InventoryError::TooLarge { path, limit },
        E::Unrecognised { path } => InventoryError::Unrecognised { path },
    }
}
