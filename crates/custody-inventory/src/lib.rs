//! Python environments and lockfiles, read into one normalised [`Inventory`].
//!
//! Nothing is executed: installed environments are read from their
//! `*.dist-info` / `*.egg-info` folders, lockfiles are parsed as text. Every
//! package keeps the file and line (or key) it came from, and a package whose
//! exact version cannot be known (unpinned, URL, VCS, editable) is kept and
//! marked, never dropped.
//!
//! ```no_run
//! let inv = custody_inventory::discover(std::path::Path::new("."), &Default::default()).unwrap();
//! for p in &inv.packages {
//!     println!("{} {:?} from {}", p.name, p.version_text, p.origin);
//! }
//! ```

mod discover;
mod env;
mod error;
mod lockfile;
mod model;
mod requirements;
mod text;

pub use discover::{DiscoverOptions, LockfileKind, discover, read_lockfile};
pub use env::{read_environment, site_packages_dirs};
pub use error::{InventoryError, Location};
pub use model::{Inventory, Origin, Package, Pin, Problem, Source, SourceKind, Unresolved};
