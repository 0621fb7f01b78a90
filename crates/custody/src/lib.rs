//! custody's workflows and report model. The CLI and (later) the HTTP
//! service call only this crate.
//!
//! A scan is three steps with I/O only at the edges:
//! 1. [`custody_inventory::discover`] reads environments and lockfiles;
//! 2. [`AdvisoryIndex::open`] opens the local database plus the embedded
//!    malicious-package records;
//! 3. [`scan::scan`] is pure: inventory + advisories + policy + clock in,
//!    a serialisable [`report::ScanReport`] out.

pub mod advisories;
pub mod home;
pub mod policy;
pub mod report;
pub mod scan;

pub use advisories::AdvisoryIndex;
pub use custody_advisory::Severity;
pub use report::ScanReport;
