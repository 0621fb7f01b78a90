//! What custody's workflows and front ends use of `custody-sbom`: the
//! bill-of-materials model and its writers.
//!
//! Every path into that crate is named here and nowhere else, so that a
//! change of its layout is a change of this file only.

pub use custody_sbom::cyclonedx::{self, SpecVersion};
pub use custody_sbom::{Bom, Tool, dataset, spdx2, spdx3};
