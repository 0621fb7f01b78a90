//! OSV advisories for PyPI: the record model, matching a package version
//! against a record with PEP 440 ordering, and the local offline database.
//!
//! * [`osv`]: the OSV record (schema 1.x), tolerant of unknown fields.
//! * [`parse`]: OSV JSON and the PyPA database's YAML into records, with
//!   file and line on every error.
//! * [`matching`]: does a record affect `name==version`, and what fixes it.
//! * [`severity`]: one severity per record from CVSS vectors or labels.
//! * [`store`]: the SQLite database under the custody home, written
//!   atomically under a lock; [`embedded`]: records compiled into the binary.
//!
//! ```
//! use custody_advisory::{matching, parse};
//! let rec = parse::json(br#"{"id":"MAL-1","modified":"2026-01-01T00:00:00Z",
//!   "affected":[{"package":{"ecosystem":"PyPI","name":"Evil_Pkg"},
//!   "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#).unwrap();
//! let name = custody_pypa::PackageName::new("evil-pkg").unwrap();
//! let v = custody_pypa::parse_version("1.0").unwrap();
//! assert!(matching::affects(&rec, &name, &v).is_some());
//! ```

pub mod embedded;
pub mod import;
pub mod matching;
pub mod osv;
pub mod parse;
pub mod severity;
pub mod store;

pub use osv::Advisory;
pub use severity::Severity;
