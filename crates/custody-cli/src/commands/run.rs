//! `custody run` and its hidden sandbox helper.

use custody::run::{self as run, Net, Request};
use custody::workflow::run::{self as workflow, RunFlowError, RunRequest, RunStatus};

use crate::cli::{LedgerArg, NetArg, RunArgs, SandboxExecArgs};
use crate::commands::{key, ledger};
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

pub fn run(args: &RunArgs) -> CmdResult {
    let signing = match &args.key {
        Some(k) => Some(key::read_private(k, args.passphrase_env.as_deref())?),
        None => None,
    };
    if signing.is_some() && args.attest.is_none() {
        return Err(CliError::bad_input(anyhow::anyhow!(
            "-k signs the attestation; give --attest FILE too"
        )));
    }
    let ledger = if args.record {
        if signing.is_none() || args.attest.is_none() {
            return Err(CliError::bad_input(anyhow::anyhow!(
                "--record adds the signed attestation to the ledger; give --attest FILE and -k KEY too"
            )));
        }
        Some(ledger::location(&LedgerArg {
            ledger: args.ledger.clone(),
        })?)
    } else {
        None
    };
    let req = RunRequest {
        step: Request {
            inputs: args.inputs.clone(),
            outputs: args.outputs.clone(),
            allow_read: args.allow_read.clone(),
            env: args.env.clone(),
            net: match args.net {
                NetArg::None => Net::None,
                NetArg::Loopback => Net::Loopback,
            },
            allow_degraded: args.allow_degraded,
            observe: !args.no_observe,
            timeout: args.timeout,
            hash: args.attest.is_some(),
            command: args.command.clone(),
            helper: std::env::current_exe().map_err(CliError::internal)?,
        },
        attest: args.attest.clone(),
    };
    let outcome = workflow::run(&req).map_err(error)?;
    output::reset_terminal();
    for line in render::run::summary(&outcome) {
        output::note(&line);
    }
    workflow::write_attestation(&req, &outcome, signing.as_ref()).map_err(error)?;
    let exit = exit_code(workflow::status(&outcome));
    if let (Some(location), Some(attest), Some(signing)) = (ledger, &args.attest, &signing) {
        let recorded = ledger::record(&location, attest, &signing.public().key_id());
        if exit == Exit::Success {
            return Ok(recorded);
        }
    }
    Ok(exit)
}

/// The exit code of each way a run can fail before the step starts or
/// after it ended.
fn error(e: RunFlowError) -> CliError {
    match e {
        RunFlowError::Write(e) => key::write_error(e),
        e @ RunFlowError::Serialise(_) => CliError::internal(e),
        RunFlowError::AttestationInOutput { attest, output } => {
            CliError::bad_input(anyhow::anyhow!(
                "--attest {} is inside the output {}: the step could replace it or a folder on its way with a link; write the attestation outside every --output",
                attest.display(),
                output.display()
            ))
        }
        e @ RunFlowError::Request(_) => CliError::bad_input(e),
    }
}

/// The exit code of how the run ended.
fn exit_code(status: RunStatus) -> Exit {
    match status {
        RunStatus::SandboxFailed => Exit::SandboxFailed,
        RunStatus::TimedOut => Exit::TimedOut,
        RunStatus::Interrupted { signal } => {
            Exit::Step(128u8.wrapping_add(u8::try_from(signal).unwrap_or(0)))
        }
        RunStatus::OutputsRefused => Exit::OutputsRefused,
        RunStatus::Exited { code } => Exit::Step(code),
    }
}

/// The sandbox helper. Returns only when the step could not be started.
pub fn helper(args: &SandboxExecArgs) -> Exit {
    let message = run::helper_main(&args.command);
    output::note(&format!("custody run: {message}"));
    Exit::SandboxFailed
}
