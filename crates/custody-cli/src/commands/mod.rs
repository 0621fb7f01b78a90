pub mod db;
pub mod decisions;
pub mod deliver;
pub mod demo;
pub mod guard;
pub mod index;
pub mod inspect;
pub mod key;
pub mod ledger;
pub mod report;
pub mod run;
pub mod sbom;
pub mod scan;
pub mod seal;
pub mod verify;
pub mod watch;

use std::path::PathBuf;

use crate::exit::CliError;

/// The custody home, or a clear error when none can be found.
pub fn home() -> Result<PathBuf, CliError> {
    custody::home::resolve().ok_or_else(|| {
        CliError::bad_input(anyhow::anyhow!("cannot find a home for custody's state"))
            .with_hint("set CUSTODY_HOME (or HOME) to a writable folder")
    })
}

/// "Now", overridable with `CUSTODY_NOW` (RFC 3339) so tests and snapshots are deterministic.
pub fn now() -> Result<jiff::Timestamp, CliError> {
    match std::env::var("CUSTODY_NOW") {
        Ok(s) if !s.is_empty() => s.parse().map_err(|e| {
            CliError::bad_input(anyhow::anyhow!(
                "CUSTODY_NOW={s:?} is not an RFC 3339 timestamp: {e}"
            ))
        }),
        _ => Ok(jiff::Timestamp::now()),
    }
}
