//! What custody's workflows and front ends use of `custody-run`: running a
//! step in the sandbox, what it tried, and its provenance attestation.
//!
//! Every path into that crate is named here and nowhere else, so that a
//! change of its layout is a change of this file only.

pub use custody_run::attempts::{Attempt, Observed, Reason};
pub use custody_run::attest::{sign, statement, subject_name};
pub use custody_run::enforce::{Enforced, Net};
pub use custody_run::helper::main as helper_main;
pub use custody_run::outputs::Kind as RefusedKind;
pub use custody_run::run::{Outcome, RefusedOutput, Request, StartError, run};
pub use custody_run::text::escape;
pub use custody_run::wait::{Ended, Signals};
