//! Typed errors: every one names the file, and a parse error also names
//! where in it (a line, or a key path where the format has no lines to give).

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A 1-based line.
    Line(usize),
    /// A 1-based line and column.
    LineCol(usize, usize),
    /// A key path in a structured document, such as `packages["node_modules/ms"].version`.
    Key(String),
    /// The file as a whole.
    File,
}

impl Location {
    /// The 1-based line, when the location has one.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Line(l) | Self::LineCol(l, _) => Some(*l),
            Self::Key(_) | Self::File => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line(l) => write!(f, "line {l}"),
            Self::LineCol(l, c) => write!(f, "line {l}, column {c}"),
            Self::Key(k) => write!(f, "key {k}"),
            Self::File => f.write_str("file"),
        }
    }
}

/// Why a dependency source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file's contents are malformed or of a version custody does not read.
    #[error("{}: {location}: {message}", path.display())]
    Parse {
        /// The offending file.
        path: PathBuf,
        /// Where in it.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// The path could not be read (missing, permission denied, not UTF-8...).
    #[error("cannot read {}: {reason}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The operating system's explanation.
        reason: String,
    },
    /// The file is larger than custody reads (`limits::MAX_TEXT_BYTES`).
    #[error("{}: larger than the {} limit for a lockfile or metadata file; not read", path.display(), crate::limits::human(*limit))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The path is not a dependency source this crate knows.
    #[error(
        "{}: not a known npm or Cargo dependency source (package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock, Cargo.lock, node_modules)",
        path.display()
    )]
    Unrecognised {
        /// The path.
        path: PathBuf,
    },
}

impl Error {
    pub(crate) fn parse(path: &Path, location: Location, message: impl Into<String>) -> Self {
        Self::Parse {
            path: path.to_owned(),
            location,
            message: message.into(),
        }
    }

    pub(crate) fn io(path: &Path, err: &std::io::Error) -> Self {
        // fs-err's message is "failed to open file `PATH`: REASON"; the path
        // is named once, by this error.
        let text = err.to_string();
        let reason = text
            .rsplit_once("`: ")
            .map_or(text.as_str(), |(_, reason)| reason)
            .to_owned();
        Self::Io {
            path: path.to_owned(),
            reason,
        }
    }

    /// A file that [`crate::limits::read_bounded`] did not read.
    pub(crate) fn unread(path: &Path, why: crate::limits::Unread) -> Self {
        use crate::limits::Unread;
        match why {
            Unread::Io(e) => Self::io(path, &e),
            Unread::NotAFile => Self::Io {
                path: path.to_owned(),
                reason: why.to_string(),
            },
            Unread::TooLarge(limit) => Self::TooLarge {
                path: path.to_owned(),
                limit,
            },
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Parse { path, .. }
            | Self::Io { path, .. }
            | Self::TooLarge { path, .. }
            | Self::Unrecognised { path } => path,
        }
    }

    /// Where in the file, for a parse error.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Self::Parse { location, .. } => Some(location),
            Self::Io { .. } | Self::TooLarge { .. } | Self::Unrecognised { .. } => None,
        }
    }
}
