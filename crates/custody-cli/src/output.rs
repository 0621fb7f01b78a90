//! Writing to stdout and stderr. A closed pipe (`custody scan | head`) is
//! not an error.

use std::io::{self, Write};

use crate::exit::CliError;

/// Writes `text` to stdout; a broken pipe counts as success.
pub fn stdout(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::internal(
            anyhow::Error::new(e).context("cannot write to standard output"),
        )),
        _ => Ok(()),
    }
}

/// Writes a line to stderr (logs, warnings, progress).
pub fn note(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{text}");
}
