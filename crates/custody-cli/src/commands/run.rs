//! `custody run` and its hidden sandbox helper.

use custody_run::enforce::Net;
use custody_run::run::{self, Request};
use custody_run::{attest, helper};

use crate::cli::{NetArg, RunArgs, SandboxExecArgs};
use crate::commands::key;
use crate::exit::{CliError, CmdResult, Exit};
use crate::output;

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
    let req = Request {
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
        command: args.command.clone(),
        helper: std::env::current_exe().map_err(CliError::internal)?,
    };
    let outcome = run::run(&req).map_err(CliError::bad_input)?;
    if let Some(e) = &outcome.setup_error {
        output::note(&format!("custody run: the sandbox was not set up: {e}"));
    } else if let Some(e) = &outcome.enforced {
        output::note(&format!(
            "custody run: Landlock {}, seccomp denying {} system calls, network {}; exit {}",
            e.landlock,
            e.denied_syscalls.len(),
            match e.net {
                Net::None => "none",
                Net::Loopback => "private loopback",
            },
            outcome.exit_code.map_or_else(
                || format!("by signal {}", outcome.signal.unwrap_or(0)),
                |c| c.to_string()
            )
        ));
    }
    if let Some(o) = &outcome.observed {
        report_attempts(o);
    }
    if let Some(path) = &args.attest {
        let statement = attest::statement(
            &args.command,
            &args.inputs,
            &args.outputs,
            &args.env,
            &outcome,
        );
        let bytes = if let Some(k) = &signing {
            attest::sign(&statement, k)
        } else {
            crate::render::json(&statement)?.into_bytes()
        };
        key::write_atomic(path, &bytes, false)?;
    }
    if outcome.setup_error.is_some() {
        return Ok(Exit::SandboxFailed);
    }
    Ok(Exit::Step(
        outcome
            .exit_code
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(128u8.wrapping_add(u8::try_from(outcome.signal.unwrap_or(0)).unwrap_or(0))),
    ))
}

/// Lists what the step tried and the policy refused: the answer to
/// "which permission was denied?".
fn report_attempts(o: &custody_run::attempts::Observed) {
    let denied: Vec<_> = o.denied().collect();
    if denied.is_empty() {
        return;
    }
    output::note(&format!(
        "custody run: the step tried {} thing(s) the policy refused:",
        denied.len()
    ));
    for a in denied.iter().take(20) {
        let times = if a.count > 1 {
            format!(" ({}×)", a.count)
        } else {
            String::new()
        };
        output::note(&format!(
            "  {:<8} {} [{}]{times}",
            a.call, a.target, a.reason
        ));
    }
    if denied.len() > 20 {
        output::note(&format!(
            "  … and {} more (see the attestation)",
            denied.len() - 20
        ));
    }
}

/// The sandbox helper. Returns only when the step could not be started.
pub fn helper(args: &SandboxExecArgs) -> Exit {
    let message = helper::main(&args.command);
    output::note(&format!("custody run: {message}"));
    Exit::SandboxFailed
}
