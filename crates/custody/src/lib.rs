//! custody's core: the workflows and the report model. Front ends (the
//! `custody` command today; a ledger, an HTTP service or a package index
//! later) parse their own input, call one workflow and render its report;
//! they depend on this crate only.
//!
//! Each workflow in [`workflow`] takes loaded inputs and resolved options
//! and returns a typed, serialisable report whose schema is versioned and
//! documented in `docs/schemas.md`:
//!
//! | workflow | report | schema |
//! |---|---|---|
//! | [`workflow::scan::scan`] | [`workflow::scan::ScanOutcome`] | `custody.scan/v1` (+ `inspection`) |
//! | [`workflow::inspect::inspect_batch`] | [`workflow::inspect::InspectBatch`] | `custody.inspect/v0` |
//! | [`workflow::inspect::against`] | [`workflow::inspect::InspectDiff`] | `custody.inspect-diff/v0` |
//! | [`workflow::verify::verify`] | [`workflow::verify::VerifyReport`] | `custody.verify/v1` |
//! | [`workflow::diff::diff`] | [`workflow::diff::DiffReport`] | `custody.diff/v1` |
//! | [`workflow::seal::seal`] | [`workflow::seal::SealReport`] | `custody.seal/v1` |
//! | [`workflow::key::generate`] | [`workflow::key::KeyPairReport`] | — |
//! | [`workflow::db::import`] | [`workflow::db::ImportReport`] | — |
//! | [`workflow::db::status`] | [`advisories::IndexStatus`] | — |
//! | [`workflow::run::run`], [`workflow::run::write_attestation`] | [`run::Outcome`], classified by [`workflow::run::status`] | SLSA provenance (the attestation file) |
//! | [`workflow::ledger::add`], [`workflow::ledger::trust_add`], [`workflow::ledger::record`] | [`workflow::ledger::AddReport`], [`workflow::ledger::TrustReport`], [`workflow::ledger::RecordReport`] | — |
//! | [`workflow::ledger::verify`], [`workflow::ledger::impact`], [`workflow::ledger::lineage`] | [`workflow::ledger::LedgerVerifyReport`], [`ledger::Impact`], [`ledger::Lineage`] | — |
//!
//! The pure scan underneath is [`scan::scan`]: inventory + advisories +
//! policy + clock in, a [`ScanReport`] out. Errors are typed per workflow,
//! split by what the user must do; progress goes to small traits
//! ([`workflow::progress::ByteProgress`], [`workflow::db::ImportProgress`])
//! that front ends implement as they like.
//!
//! The library crates underneath are reached through one module each
//! ([`advisory`], [`inspect`], [`inventory`], [`ledger`], [`run`], [`seal`]): a front
//! end that needs one of their types names it there.
//!
//! # Example
//!
//! Scanning a requirements file against no imported database (the
//! embedded malicious-package records only):
//!
//! ```
//! use custody::workflow::scan::{ScanRequest, scan};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let requirements = dir.path().join("requirements.txt");
//! fs_err::write(&requirements, "requests==2.32.3\n")?;
//! let outcome = scan(&ScanRequest {
//!     paths: vec![requirements],
//!     depth: 3,
//!     home: dir.path().join("home"),
//!     now: "2026-01-01T00:00:00Z".parse()?,
//!     config: None,
//!     fail_on: None,
//!     min_age: None,
//!     max_db_age: None,
//!     strict: false,
//!     inspect: false,
//!     cache: false,
//! })?;
//! let report = &outcome.document.report;
//! assert_eq!(report.schema, "custody.scan/v1");
//! assert_eq!(report.summary.packages, 1);
//! assert!(!outcome.fails());
//! # Ok(())
//! # }
//! ```

pub mod advisories;
pub mod advisory;
pub mod home;
pub mod index;
pub mod inspect;
pub mod inventory;
pub mod keys;
pub mod ledger;
pub mod policy;
pub mod report;
pub mod run;
pub mod sbom;
pub mod scan;
pub mod seal;
pub mod workflow;

pub use advisories::AdvisoryIndex;
pub use custody_advisory::Severity;
pub use report::ScanReport;
