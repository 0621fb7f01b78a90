//! Bills of materials from custody's package inventories (PyPI, npm and
//! crates.io packages): CycloneDX 1.6 and 1.7 JSON, SPDX 2.3 JSON and
//! SPDX 3.0.1 JSON-LD. A pure model
//! ([`Bom`], built from an inventory) and one writer per format; no I/O.
//! `docs/sbom.md` maps each field to both formats.

pub mod cyclonedx;
pub mod dataset;
mod ecosystem;
mod hash;
pub mod license;
pub mod marker;
pub mod model;
pub mod purl;
pub mod spdx2;
pub mod spdx3;

pub use model::{Bom, Component, Hash, Subject, Tool};
