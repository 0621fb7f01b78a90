//! Small helpers shared by the parsers: positions, spans, PEP 440 parsing
//! with file context.

use std::path::Path;

use custody_pypa::{PackageName, Version};

use crate::{InventoryError, Location};

/// Line starts of a text, for turning many byte offsets into lines without
/// rescanning the text each time.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { starts }
    }

    /// 1-based line and (byte) column of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        (line, offset - self.starts[line - 1] + 1)
    }

    /// 1-based line of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.line_col(offset).0
    }
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    (line, col)
}

/// The bytes of a file, up to `MAX_TEXT_BYTES` (a regular file only).
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, InventoryError> {
    use custody_ecosystems::limits::{MAX_TEXT_BYTES, read_bounded};
    read_bounded(path, MAX_TEXT_BYTES).map_err(|why| InventoryError::unread(path, why))
}

/// Converts a TOML error into a located inventory error.
pub(crate) fn toml_error(path: &Path, text: &str, err: &toml::de::Error) -> InventoryError {
    let location = err.span().map_or(Location::File, |s| {
        let (l, c) = line_col(text, s.start);
        Location::LineCol(l, c)
    });
    InventoryError::parse(path, location, err.message().trim().to_owned())
}

/// Converts a JSON error into a located inventory error.
pub(crate) fn json_error(path: &Path, err: &serde_json::Error) -> InventoryError {
    let location = if err.line() == 0 {
        Location::File
    } else {
        Location::LineCol(err.line(), err.column())
    };
    // serde_json appends " at line X column Y"; the location already says it.
    let msg = err.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
    InventoryError::parse(path, location, msg)
}

/// Parses a package name, naming the place on failure.
pub(crate) fn name(
    path: &Path,
    location: Location,
    raw: &str,
) -> Result<PackageName, InventoryError> {
    PackageName::new(raw).map_err(|e| InventoryError::parse(path, location, e.to_string()))
}

/// Parses a PEP 440 version, naming the place on failure.
pub(crate) fn version(
    path: &Path,
    location: Location,
    raw: &str,
) -> Result<Version, InventoryError> {
    custody_pypa::parse_version(raw).map_err(|reason| {
        InventoryError::parse(path, location, format!("invalid version {raw:?}: {reason}"))
    })
}

/// Reads a file to a string, up to `MAX_TEXT_BYTES` (a regular file only),
/// mapping errors to [`InventoryError::Io`] or [`InventoryError::TooLarge`]
/// and invalid UTF-8 to a parse error.
pub(crate) fn read(path: &Path) -> Result<String, InventoryError> {
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes).map_err(|e| {
        let (l, c) = line_col(
            &String::from_utf8_lossy(e.as_bytes()),
            e.utf8_error().valid_up_to(),
        );
        InventoryError::parse(path, Location::LineCol(l, c), "file is not valid UTF-8")
    })
}
