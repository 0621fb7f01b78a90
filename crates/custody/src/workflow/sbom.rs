//! `custody sbom`: a bill of materials of environments and lockfiles, in
//! CycloneDX or SPDX. The inventory is the scan's (nothing is executed);
//! an entry that cannot be read is an error naming its file and line: a
//! bill that silently leaves a package out is worse than none.

use std::path::PathBuf;

use crate::inventory::{InventoryError, Problem};
pub use crate::sbom::SpecVersion;
use crate::sbom::{Bom, Tool, cyclonedx, spdx2, spdx3};
use jiff::Timestamp;

/// The document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CycloneDX JSON.
    CycloneDx(SpecVersion),
    /// SPDX 2.3 JSON.
    Spdx23,
    /// SPDX 3.0.1 JSON-LD.
    Spdx3,
}

/// What to describe.
#[derive(Debug, Clone)]
pub struct SbomRequest<'a> {
    /// Environments, lockfiles, or folders holding them.
    pub paths: &'a [PathBuf],
    /// How deep to look inside folders.
    pub depth: usize,
    /// The format.
    pub format: Format,
    /// The time it is made.
    pub now: Timestamp,
}

/// The bill, and what it holds.
#[derive(Debug, Clone)]
pub struct SbomOutput {
    /// The document.
    pub document: serde_json::Value,
    /// Sources read.
    pub sources: usize,
    /// Components.
    pub components: usize,
    /// Components whose dependencies the source states.
    pub with_dependencies: usize,
    /// For a dataset's bill: the steps in it (`sources` is then the data).
    pub steps: Option<usize>,
}

/// Why there is no bill.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// A path cannot be read as an environment or lockfile.
    #[error("{}: {source}", path.display())]
    Inventory {
        /// The path given.
        path: PathBuf,
        /// Why.
        source: InventoryError,
    },
    /// Entries that cannot be read.
    #[error("{} entr{} cannot be read, so the bill would leave packages out:\n  {}",
        .0.len(), if .0.len() == 1 { "y" } else { "ies" },
        .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    Problems(Vec<Problem>),
    /// Nothing to describe.
    #[error("no Python environment or lockfile found in {}", .0.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    Nothing(Vec<PathBuf>),
}

/// Reads the paths and writes the bill.
///
/// # Errors
/// See [`SbomError`].
pub fn sbom(req: &SbomRequest<'_>) -> Result<SbomOutput, SbomError> {
    let (inv, problems) = crate::inventory::discover_paths(req.paths, req.depth)
        .map_err(|(path, source)| SbomError::Inventory { path, source })?;
    if !problems.is_empty() {
        return Err(SbomError::Problems(problems));
    }
    if inv.sources.is_empty() {
        return Err(SbomError::Nothing(req.paths.to_vec()));
    }
    let tool = Tool {
        name: "custody".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let bom = Bom::from_inventory(&inv, tool, req.now);
    let document = match req.format {
        Format::CycloneDx(v) => cyclonedx::document(&bom, v),
        Format::Spdx23 => spdx2::document(&bom),
        Format::Spdx3 => spdx3::document(&bom),
    };
    Ok(SbomOutput {
        document,
        sources: bom.subjects.len(),
        components: bom.components.len(),
        with_dependencies: bom.depends.iter().filter(|d| d.is_some()).count(),
        steps: None,
    })
}
