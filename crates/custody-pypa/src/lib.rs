//! Python packaging standards, as pure functions over bytes and strings.
//!
//! * [`PackageName`]: a PEP 503 normalised distribution name.
//! * [`Version`]: PEP 440 versions (re-exported from `pep440_rs`).
//! * [`metadata`]: the `Name` and `Version` of a core-metadata file
//!   (`METADATA`, `PKG-INFO`).
//! * [`record`]: the rows of a wheel `RECORD` file.
//! * [`filename`]: the name and version a wheel or sdist file name states.
//!
//! Nothing here touches the file system: callers read the bytes and pass the
//! file name along so errors can name it.
//!
//! ```
//! use custody_pypa::PackageName;
//! let name = PackageName::new("Zope.Interface").unwrap();
//! assert_eq!(name.as_str(), "zope-interface");
//! ```

pub mod filename;
pub mod metadata;
mod name;
pub mod record;

pub use name::{InvalidName, PackageName, requirement_identifier_ends_in_separator};
pub use pep440_rs::{Operator, Version, VersionSpecifier, VersionSpecifiers};

/// Parses a PEP 440 version, returning the parser's message on failure.
pub fn parse_version(s: &str) -> Result<Version, String> {
    s.trim().parse::<Version>().map_err(|e| e.to_string())
}
