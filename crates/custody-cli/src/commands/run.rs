//! `custody run` and its hidden sandbox helper.

use custody::run::{self as run, Ended, Net, Request};
use custody::workflow::run::{self as workflow, RunFlowError, RunRequest};

use crate::cli::{NetArg, RunArgs, SandboxExecArgs};
use crate::commands::key;
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
    render::run::summary(&outcome);
    workflow::write_attestation(&req, &outcome, signing.as_ref()).map_err(error)?;
    Ok(exit_code(&outcome))
}

/// The exit code of each way a run can fail before the step starts or
/// after it ended.
fn error(e: RunFlowError) -> CliError {
    match e {
        RunFlowError::Write(e) => key::write_error(e),
        e @ RunFlowError::Serialise(_) => CliError::internal(e),
        e @ (RunFlowError::AttestationInOutput { .. } | RunFlowError::Request(_)) => {
            CliError::bad_input(e)
        }
    }
}

/// The exit code: how the run ended first, then the step's own code, then
/// refused outputs.
fn exit_code(outcome: &run::Outcome) -> Exit {
    if outcome.setup_error.is_some() {
        return Exit::SandboxFailed;
    }
    match outcome.ended {
        Ended::TimedOut { .. } => return Exit::TimedOut,
        Ended::Interrupted { signal } => {
            return Exit::Step(128u8.wrapping_add(u8::try_from(signal).unwrap_or(0)));
        }
        Ended::Exited => {}
    }
    let step = outcome
        .exit_code
        .and_then(|c| u8::try_from(c).ok())
        .unwrap_or(128u8.wrapping_add(u8::try_from(outcome.signal.unwrap_or(0)).unwrap_or(0)));
    if step == 0 && !outcome.refused_outputs.is_empty() {
        return Exit::OutputsRefused;
    }
    Exit::Step(step)
}

/// The sandbox helper. Returns only when the step could not be started.
pub fn helper(args: &SandboxExecArgs) -> Exit {
    let message = run::helper_main(&args.command);
    output::note(&format!("custody run: {message}"));
    Exit::SandboxFailed
}
