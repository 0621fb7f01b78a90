//! Reading files as text, line numbers, and the parsers' errors turned into
//! located [`Error`]s.

use std::path::Path;

use crate::{Error, Location};

/// Line starts of a text, for turning byte offsets into lines.
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

/// Reads a file as UTF-8 text, up to [`crate::limits::MAX_TEXT_BYTES`];
/// invalid UTF-8 is a parse error at its line.
pub(crate) fn read(path: &Path) -> Result<String, Error> {
    let bytes = crate::limits::read_bounded(path, crate::limits::MAX_TEXT_BYTES)
        .map_err(|why| Error::unread(path, why))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..valid].iter().filter(|b| **b == b'\n').count() + 1;
        Error::parse(path, Location::Line(line), "file is not valid UTF-8")
    })
}

/// A JSON syntax or shape error, at serde_json's line and column.
pub(crate) fn json_error(path: &Path, err: &serde_json::Error) -> Error {
    let location = if err.line() == 0 {
        Location::File
    } else {
        Location::LineCol(err.line(), err.column())
    };
    // serde_json appends " at line X column Y"; the location already says it.
    let msg = err.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
    let msg = if err.is_eof() {
        format!("{msg} (is the file truncated?)")
    } else {
        msg
    };
    Error::parse(path, location, msg)
}

/// Parses YAML with serde_norway once its flow collections are known not
/// to nest deeper than [`crate::limits::MAX_YAML_FLOW_DEPTH`].
pub(crate) fn yaml<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, Error> {
    use crate::limits::{MAX_YAML_FLOW_DEPTH, yaml_flow_too_deep};
    if let Some(line) = yaml_flow_too_deep(text, MAX_YAML_FLOW_DEPTH) {
        return Err(Error::parse(
            path,
            Location::Line(line),
            format!("flow collections nest deeper than {MAX_YAML_FLOW_DEPTH} levels; not parsed"),
        ));
    }
    serde_norway::from_str(text).map_err(|e| yaml_error(path, text, &e))
}

/// A YAML syntax or shape error, at serde_norway's line and column. libyaml
/// places an error at the end of a file on the line after it: that is
/// reported as the last line.
pub(crate) fn yaml_error(path: &Path, text: &str, err: &serde_norway::Error) -> Error {
    let last = text.matches('\n').count() + 1;
    let location = err.location().map_or(Location::File, |l| {
        if l.line() > last {
            Location::LineCol(last, text.len() - text.rfind('\n').map_or(0, |i| i + 1) + 1)
        } else {
            Location::LineCol(l.line(), l.column())
        }
    });
    let msg = err.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
    Error::parse(path, location, msg)
}

/// A TOML syntax or shape error, at the span's line and column.
pub(crate) fn toml_error(path: &Path, text: &str, err: &toml::de::Error) -> Error {
    let location = err.span().map_or(Location::File, |s| {
        let (l, c) = LineIndex::new(text).line_col(s.start);
        Location::LineCol(l, c)
    });
    Error::parse(path, location, err.message().trim().to_owned())
}

/// The location of a key path, by its line when known.
pub(crate) fn at(line: Option<usize>, key: impl FnOnce() -> String) -> Location {
    line.map_or_else(|| Location::Key(key()), Location::Line)
}
