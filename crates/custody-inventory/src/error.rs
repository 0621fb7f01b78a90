use std::fmt;
use std::path::PathBuf;

/// Where in a file a problem is: the same type `custody-ecosystems`' readers
/// report, so their errors pass through unchanged.
pub use custody_ecosystems::Location;

/// Why an inventory could not be built. Every variant names the path.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// The file's contents are malformed.
    #[error("{path}: {location}: {message}")]
    Parse {
        /// The offending file.
        path: PathBuf,
        /// Where in it.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// The path could not be read (missing, permission denied, symlink loop...).
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The operating system's explanation.
        reason: String,
    },
    /// The file is larger than custody reads (`custody_ecosystems::limits::MAX_TEXT_BYTES`).
    #[error("{path}: larger than the {} limit for a lockfile, bill of materials or metadata file; not read", custody_ecosystems::limits::human(*limit))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// Entries of the files read could not be read. Every other entry was
    /// read: the partial inventory is kept for a caller that reports both.
    #[error("{}", invalid_message(path, problems))]
    Invalid {
        /// The path given to [`crate::discover`] or [`crate::read_lockfile`].
        path: PathBuf,
        /// Each entry that could not be read, with its file and line.
        problems: Vec<crate::Problem>,
        /// Everything else that was read.
        partial: Box<crate::Inventory>,
    },
    /// A file was given whose kind custody does not know.
    #[error(
        "{path}: not an environment or a known lockfile (requirements*.txt, uv.lock, poetry.lock, Pipfile.lock, pdm.lock, pylock.toml, package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock, Cargo.lock, a bill of materials) or node_modules folder"
    )]
    Unrecognised {
        /// The path.
        path: PathBuf,
    },
    /// A folder held nothing to inventory.
    #[error(
        "{path}: no Python environment, node_modules or lockfile found (looked {depth} folders deep)"
    )]
    NothingFound {
        /// The folder searched.
        path: PathBuf,
        /// How deep the search went.
        depth: usize,
    },
}

fn invalid_message(path: &std::path::Path, problems: &[crate::Problem]) -> String {
    use fmt::Write as _;
    let n = problems.len();
    let mut out = format!(
        "{}: {n} {} could not be read (the rest was read)",
        path.display(),
        if n == 1 { "entry" } else { "entries" }
    );
    for p in problems {
        let _ = write!(out, "\n  {p}");
    }
    out
}

impl InventoryError {
    pub(crate) fn parse(
        path: &std::path::Path,
        location: Location,
        message: impl Into<String>,
    ) -> Self {
        Self::Parse {
            path: path.to_owned(),
            location,
            message: message.into(),
        }
    }

    /// A file that `read_bounded` did not read.
    pub(crate) fn unread(path: &std::path::Path, why: custody_ecosystems::limits::Unread) -> Self {
        use custody_ecosystems::limits::Unread;
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

    pub(crate) fn io(path: &std::path::Path, err: &std::io::Error) -> Self {
        // fs-err wraps the original error and already names the path; keep only the OS reason.
        let reason =
            std::error::Error::source(err).map_or_else(|| err.to_string(), ToString::to_string);
        Self::Io {
            path: path.to_owned(),
            reason,
        }
    }
}
