//! What custody's workflows and front ends use of `custody-inspect`:
//! static analysis of package archives and installed environments.
//!
//! Every path into that crate is named here and nowhere else, so that a
//! change of its layout is a change of this file only.

pub use custody_inspect::archive::{ArchiveError, Format as ArchiveFormat, read as read_archive};
pub use custody_inspect::cache::{Cache, RULES as RULES_FINGERPRINT};
pub use custody_inspect::diff::{AddedFile, VersionDiff, compare as compare_versions};
pub use custody_inspect::site::{Unread, inspect as inspect_environment, looks_installed};
pub use custody_inspect::{Code, Finding, Level, Options, Phase, Report, Verdict, inspect_with};
