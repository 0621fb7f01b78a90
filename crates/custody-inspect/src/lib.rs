//! Finding malicious code in Python packages without running anything.
//!
//! * [`archive`]: wheels, sdists (`.tar.gz`, `.zip`, `.tar.bz2`) and
//!   unpacked folders read into memory as data, with bounds on member count,
//!   sizes and compression ratio, and path traversal and links reported as
//!   anomalies instead of followed. Nothing is ever written to disk.
//! * [`python`]: facts about Python source (calls, strings, attributes,
//!   imports, with the scope they run in) from tree-sitter-python.
//! * [`skeleton`]: the import-time part of a file (bodies of functions no
//!   import-time code reaches become `pass`), so only code that can act
//!   before a user calls anything is parsed by default.
//! * `roles`: which files run at install, start-up or import because of
//!   other files; `reach`: functions of one module that another runs at import.
//! * [`analysis`]: findings per file and phase; [`verdict`]: the rules
//!   that turn findings into a package's verdict.

pub mod analysis;
pub mod archive;
pub mod cache;
pub mod code;
pub mod decode;
pub mod diff;
pub mod integrity;
pub mod prefilter;
pub mod python;
mod reach;
mod roles;
pub mod site;
pub mod skeleton;
pub mod verdict;
