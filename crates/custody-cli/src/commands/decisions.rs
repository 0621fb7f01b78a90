//! `--ledger` of `index serve`, `index mirror` and `guard`: the recorder
//! resolved from the flags (before anything is served), and each recorded
//! document reported on stderr with the exit code it means.

use custody::workflow::index::ServeOptions;
use custody::workflow::index::evidence::{Recorded, Recorder, WriteError};
use custody::workflow::ledger::FileOutcome;

use crate::cli::{DecisionsLedgerArgs, LedgerArg};
use crate::commands::{key, ledger};
use crate::exit::{CliError, Exit};
use crate::output;

/// The recorder `--ledger` asks for (`None` without it): the location
/// and the key resolved first, so a bad one fails before anything runs.
pub fn recorder(
    location: Option<&str>,
    signing: Option<custody::seal::SigningKey>,
    options: &ServeOptions,
) -> Result<Option<Recorder>, CliError> {
    let (Some(location), Some(signing)) = (location, signing) else {
        return Ok(None);
    };
    let location = ledger::location(&LedgerArg {
        ledger: Some(location.to_owned()),
    })?;
    Ok(Some(Recorder::new(location, signing, options)))
}

/// [`recorder`] from `index serve`'s and `guard`'s flags.
pub fn from_args(
    args: &DecisionsLedgerArgs,
    options: &ServeOptions,
) -> Result<Option<Recorder>, CliError> {
    let signing = match &args.key {
        Some(path) if args.ledger.is_some() => {
            Some(key::read_private(path, args.passphrase_env.as_deref())?)
        }
        _ => None,
    };
    recorder(args.ledger.as_deref(), signing, options)
}

/// Reports a recorded document on stderr: [`Exit::Success`] when the
/// ledger stored it (or had it), [`Exit::NotRecorded`] when it was written
/// and not added (a warning says why), [`Exit::Internal`] when it could
/// not even be written.
pub fn report(result: &Result<Recorded, WriteError>) -> Exit {
    let recorded = match result {
        Ok(r) => r,
        Err(e) => {
            output::note(&format!("warning: the decisions were not recorded: {e}"));
            return Exit::Internal;
        }
    };
    let what = format!(
        "{} decision(s), {} file(s) served",
        recorded.decisions, recorded.files
    );
    let reason = match &recorded.ledger {
        Ok(r) => match &r.outcome {
            FileOutcome::Stored { seq } | FileOutcome::AlreadyStored { seq } => {
                output::note(&format!(
                    "custody index: {what} recorded in the ledger {} (event {seq}): {}",
                    r.ledger,
                    recorded.path.display()
                ));
                return Exit::Success;
            }
            FileOutcome::Refused { reason } => reason.clone(),
        },
        Err(e) => e.to_string(),
    };
    output::note(&format!(
        "warning: {} ({what}) was written but not recorded in the ledger: {reason}",
        recorded.path.display()
    ));
    Exit::NotRecorded
}
