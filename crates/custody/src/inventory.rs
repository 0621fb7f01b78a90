//! What custody's workflows and front ends use of `custody-inventory`:
//! installed environments and lockfiles read into one inventory.
//!
//! Every path into that crate is named here and nowhere else, so that a
//! change of its layout is a change of this file only.

pub use custody_inventory::{
    DiscoverOptions, Inventory, InventoryError, Problem, SourceKind, discover,
};
