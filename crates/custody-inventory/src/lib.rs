//! Python environments and lockfiles, read into one normalised [`Inventory`].
//!
//! Nothing is executed: installed environments are read from their
//! `*.dist-info` / `*.egg-info` folders, lockfiles are parsed as text. Every
//! package keeps the file and line (or key) it came from, and a package whose
//! exact version cannot be known (unpinned, URL, VCS, editable) is kept and
//! marked, never dropped.
//!
//! ```
//! use custody_inventory::{LockfileKind, read_lockfile};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("requirements.txt");
//! std::fs::write(&path, "Requests==2.19.1\nflask>=2\n").unwrap();
//! let inv = read_lockfile(&path, LockfileKind::Requirements).unwrap();
//! for p in &inv.packages {
//!     println!("{} {:?} from {}", p.name, p.version_text, p.origin);
//! }
//! // Names are normalised; the unpinned package is kept, without a version.
//! assert_eq!(inv.packages[0].name.as_str(), "requests");
//! assert_eq!(inv.packages[0].version_text.as_deref(), Some("2.19.1"));
//! assert_eq!(inv.packages[1].name.as_str(), "flask");
//! assert_eq!(inv.packages[1].version_text, None);
//! ```

mod discover;
mod env;
mod error;
mod lockfile;
mod model;
mod requirements;
mod sbom;
mod text;

pub use discover::rootfs::{is_root_filesystem, read_root};
pub use discover::{DiscoverOptions, LockfileKind, discover, read_lockfile};
pub use env::{read_environment, site_packages_dirs};
pub use error::{InventoryError, Location};
pub use model::{
    Depends, Inventory, License, Origin, Package, Pin, Problem, Source, SourceKind, Unresolved,
};
