//! `custody ledger add|trust add|verify`, `custody impact` and
//! `custody lineage`: the ledger's location resolved, one workflow call,
//! the report rendered.

use custody::ledger::{LedgerError, Location, Window};
use custody::workflow::gated::{self, GatedError};
use custody::workflow::impact::{self as impact_flow, ImpactError, Question};
use custody::workflow::ledger::{self as workflow, FileOutcome, LEDGER_ENV, TrustError};

use crate::cli::{
    ImpactArgs, ImpactFormat, LedgerAddArgs, LedgerArg, LedgerCommand, LedgerGateArgs,
    LedgerTrustAddArgs, LedgerTrustCommand, LedgerVerifyArgs, LineageArgs, StatusFormat,
};
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

pub fn run(command: &LedgerCommand) -> CmdResult {
    match command {
        LedgerCommand::Add(args) => add(args),
        LedgerCommand::Trust(LedgerTrustCommand::Add(args)) => trust_add(args),
        LedgerCommand::Verify(args) => verify(args),
        LedgerCommand::Gate(args) => gate(args),
    }
}

/// The ledger's location: `--ledger`, else `CUSTODY_LEDGER`, else the
/// home's `ledger.db`.
pub fn location(arg: &LedgerArg) -> Result<Location, CliError> {
    let env = std::env::var(LEDGER_ENV).ok();
    let home = custody::home::resolve();
    match workflow::resolve(arg.ledger.as_deref(), env.as_deref(), home.as_deref()) {
        Ok(Some((location, _))) => Ok(location),
        Ok(None) => Err(CliError::ledger_unavailable(anyhow::anyhow!(
            "no ledger location: no --ledger, no {LEDGER_ENV} and no home for custody's state"
        ))
        .with_hint("pass --ledger PATH or postgres://..., or set CUSTODY_LEDGER or CUSTODY_HOME")),
        Err(e) => Err(ledger_error(e)),
    }
}

/// The exit code and hint of a ledger error.
pub fn ledger_error(e: LedgerError) -> CliError {
    match e {
        e @ (LedgerError::Location { .. }
        | LedgerError::Unreachable { .. }
        | LedgerError::LoginRefused { .. }) => CliError::ledger_unavailable(e).with_hint(
            "--ledger takes a SQLite path (or sqlite:PATH) or a postgres:// URL; \
             check the server is up and the login is right",
        ),
        e @ LedgerError::SchemaTooNew { .. } => {
            CliError::bad_input(e).with_hint("use a newer custody with this ledger")
        }
        e @ LedgerError::Storage { .. } => CliError::internal(e),
        e @ LedgerError::Full { .. } => CliError {
            exit: Exit::Full,
            error: e.into(),
            hint: Some(
                "free space where the ledger is stored (or grow the server's disk), then add again: \
                 what was stored before is intact"
                    .to_owned(),
            ),
        },
        e @ LedgerError::Refused(_) => CliError {
            exit: Exit::Refused,
            error: e.into(),
            hint: None,
        },
    }
}

/// `--record`: adds the document just written to the ledger; never
/// fails the command that wrote it. Exit 0 when stored (or already), else
/// a warning naming the reason and [`Exit::NotRecorded`].
pub fn record(location: &Location, document: &std::path::Path, signer: &str) -> Exit {
    let result = workflow::record(location, document, signer);
    let reason = match result {
        Ok(report) => match &report.outcome {
            FileOutcome::Refused { reason } => reason.clone(),
            FileOutcome::Stored { .. } | FileOutcome::AlreadyStored { .. } => {
                output::note(&render::ledger::record(&report));
                return Exit::Success;
            }
        },
        Err(e) => e.to_string(),
    };
    output::note(&format!(
        "warning: {} was written but not recorded in the ledger {}: {reason}",
        document.display(),
        location.display()
    ));
    Exit::NotRecorded
}

fn add(args: &LedgerAddArgs) -> CmdResult {
    let location = location(&args.ledger)?;
    let report = workflow::add(&location, &args.files).map_err(ledger_error)?;
    match args.format {
        StatusFormat::Table => output::stdout(&render::ledger::add(&report))?,
        StatusFormat::Json => output::stdout(&render::json(&report)?)?,
    }
    if report.refused() > 0 {
        output::note(&format!(
            "{} of {} document(s) refused",
            report.refused(),
            report.files.len()
        ));
        return Ok(Exit::Refused);
    }
    Ok(Exit::Success)
}

fn trust_add(args: &LedgerTrustAddArgs) -> CmdResult {
    let location = location(&args.ledger)?;
    let report = workflow::trust_add(&location, &args.key).map_err(|e| match e {
        TrustError::Read(e) => CliError::bad_input(e),
        TrustError::Ledger(LedgerError::Refused(r)) => {
            CliError::bad_input(anyhow::anyhow!("{}: {r}", args.key.display()))
        }
        TrustError::Ledger(e) => ledger_error(e),
    })?;
    output::stdout(&render::ledger::trust(&report))?;
    Ok(Exit::Success)
}

fn verify(args: &LedgerVerifyArgs) -> CmdResult {
    let location = location(&args.ledger)?;
    let report = workflow::verify(&location).map_err(ledger_error)?;
    match args.format {
        StatusFormat::Table => output::stdout(&render::ledger::verify(&report))?,
        StatusFormat::Json => output::stdout(&render::json(&report)?)?,
    }
    Ok(if report.ok {
        Exit::Success
    } else {
        Exit::Untrusted
    })
}

fn gate(args: &LedgerGateArgs) -> CmdResult {
    let location = location(&args.ledger)?;
    let report = gated::gated(&location, &args.environment).map_err(|e| match e {
        GatedError::Ledger(e) => ledger_error(e),
        e @ GatedError::UnknownEnvironment { .. } => CliError::bad_input(e).with_hint(
            "record the environment with `custody scan ENV --record -k KEY`, \
             then name it by the prefix the scan printed",
        ),
    })?;
    match args.format {
        StatusFormat::Table => output::stdout(&render::ledger::gate(&report))?,
        StatusFormat::Json => output::stdout(&render::json(&report)?)?,
    }
    Ok(if report.passed {
        Exit::Success
    } else {
        Exit::Findings
    })
}

pub fn impact(args: &ImpactArgs) -> CmdResult {
    let question = match (&args.package, &args.advisory) {
        (Some(p), _) => Question::package(p).map_err(|e| {
            CliError::bad_input(e).with_hint(
                "expected NAME, NAME==VERSION or NAME with a PEP 440 specifier, \
                 such as 'litellm>=1.82.7,<1.82.9'",
            )
        })?,
        (None, Some(id)) => Question::Advisory { id: id.clone() },
        (None, None) => unreachable!("clap requires --package or --advisory"),
    };
    let window = Window {
        since: args.since,
        until: args.until,
    };
    let location = location(&args.ledger)?;
    let home = super::home()?;
    let report =
        impact_flow::impact(&location, &question, &window, &home, super::now()?).map_err(|e| {
            match e {
                ImpactError::Ledger(e) => ledger_error(e),
                ImpactError::Question(e) => CliError::bad_input(e),
            }
        })?;
    match args.format {
        ImpactFormat::Table => output::stdout(&render::ledger::impact(&report))?,
        ImpactFormat::Json => output::stdout(&render::json(&report)?)?,
        ImpactFormat::Dot => output::stdout(&render::ledger_dot::impact(&report.impact))?,
    }
    Ok(Exit::Success)
}

pub fn lineage(args: &LineageArgs) -> CmdResult {
    let given = args.dataset_version.as_str();
    let (dataset, root) = match given.rsplit_once('@') {
        Some((d, r)) => (d, Some(r)),
        None => (given, None),
    };
    if dataset.is_empty() || root.is_some_and(str::is_empty) {
        return Err(CliError::bad_input(anyhow::anyhow!(
            "{given:?}: expected DATASET or DATASET@ROOT"
        ))
        .with_hint("ROOT is the manifest's Merkle root, as `custody seal` prints it"));
    }
    let location = location(&args.ledger)?;
    let report = match root {
        Some(root) => workflow::lineage(&location, dataset, root).map_err(ledger_error)?,
        None => workflow::lineage_latest(&location, dataset)
            .map_err(ledger_error)?
            .ok_or_else(|| {
                CliError::bad_input(anyhow::anyhow!(
                    "the ledger holds no sealed version of {dataset:?}"
                ))
                .with_hint("record one with `custody seal --record`, or give DATASET@ROOT")
            })?,
    };
    match args.format {
        StatusFormat::Table => output::stdout(&render::ledger::lineage(&report))?,
        StatusFormat::Json => output::stdout(&render::json(&report)?)?,
    }
    Ok(Exit::Success)
}
