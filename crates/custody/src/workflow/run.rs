//! Running a step in the sandbox and attesting what it made (SLSA
//! provenance, signed when a key is given).

use std::path::{Path, PathBuf};

use crate::keys::{self, WriteError};
use crate::run::{self, Outcome, Request};
use crate::seal::SigningKey;

/// A step to run, and where its attestation goes.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// The step and its policy (`hash` is set from `attest`).
    pub step: Request,
    /// Where to write the attestation, if anywhere.
    pub attest: Option<PathBuf>,
}

/// How a run ended, the first that applies: the sandbox, the timeout, a
/// stop signal to custody, then the step's own code, then refused outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "ended")]
pub enum RunStatus {
    /// The sandbox could not be set up; the step did not run.
    SandboxFailed,
    /// The timeout passed and the step was killed.
    TimedOut,
    /// custody was stopped by `signal` and killed the step.
    Interrupted {
        /// The signal.
        signal: i32,
    },
    /// The step succeeded but an output was refused (a link, FIFO,
    /// socket, device or set-ID file in it).
    OutputsRefused,
    /// The step ended with `code` (128 + N when killed by signal N).
    Exited {
        /// Its exit code.
        code: u8,
    },
}

/// How `outcome` ended.
pub fn status(outcome: &Outcome) -> RunStatus {
    if outcome.setup_error.is_some() {
        return RunStatus::SandboxFailed;
    }
    match outcome.ended {
        run::Ended::TimedOut { .. } => return RunStatus::TimedOut,
        run::Ended::Interrupted { signal } => return RunStatus::Interrupted { signal },
        run::Ended::Exited => {}
    }
    let code = outcome
        .exit_code
        .and_then(|c| u8::try_from(c).ok())
        .unwrap_or(128u8.wrapping_add(u8::try_from(outcome.signal.unwrap_or(0)).unwrap_or(0)));
    if code == 0 && !outcome.refused_outputs.is_empty() {
        return RunStatus::OutputsRefused;
    }
    RunStatus::Exited { code }
}

/// Why a step was not run, or its attestation not written.
#[derive(Debug, thiserror::Error)]
pub enum RunFlowError {
    /// The attestation would be written inside an output.
    #[error(
        "the attestation {} is inside the output {}: the step could replace it or a folder on its way with a link",
        attest.display(),
        output.display()
    )]
    AttestationInOutput {
        /// The attestation.
        attest: PathBuf,
        /// The output.
        output: PathBuf,
    },
    /// The request cannot be run (a program not found, a path not there).
    #[error(transparent)]
    Request(#[from] run::StartError),
    /// The attestation cannot be serialised.
    #[error("cannot serialise the attestation")]
    Serialise(#[source] serde_json::Error),
    /// The attestation cannot be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Runs the step. How it ended (its code, a signal, a timeout, a sandbox
/// that could not be set up, refused outputs) is in the [`Outcome`].
///
/// # Errors
/// When the attestation would be written inside an output, or the request
/// cannot be run.
pub fn run(req: &RunRequest) -> Result<Outcome, RunFlowError> {
    if let Some(att) = &req.attest {
        attestation_outside_outputs(att, &req.step.outputs)?;
    }
    let step = Request {
        hash: req.attest.is_some(),
        ..req.step.clone()
    };
    Ok(run::run(&step)?)
}

/// Writes the attestation of `outcome` to `req.attest` (nothing when it
/// is `None`): a DSSE envelope signed with `signing`, else the statement
/// as JSON.
///
/// # Errors
/// When it cannot be written.
pub fn write_attestation(
    req: &RunRequest,
    outcome: &Outcome,
    signing: Option<&SigningKey>,
) -> Result<(), RunFlowError> {
    let Some(path) = &req.attest else {
        return Ok(());
    };
    let s = &req.step;
    let statement = run::statement(&s.command, &s.inputs, &s.outputs, &s.env, outcome);
    let bytes = if let Some(k) = signing {
        run::sign(&statement, k)
    } else {
        let mut text = serde_json::to_string_pretty(&statement).map_err(RunFlowError::Serialise)?;
        text.push('\n');
        text.into_bytes()
    };
    keys::write_atomic(path, &bytes, false)?;
    Ok(())
}

/// The attestation may not be written inside an output: the step could
/// put a link there and make custody write through it, or block the path.
fn attestation_outside_outputs(att: &Path, outputs: &[PathBuf]) -> Result<(), RunFlowError> {
    let abs = |p: &Path| {
        let a = std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
        // Through links of the folders that exist.
        match (a.parent(), a.file_name()) {
            (Some(dir), Some(name)) => fs_err::canonicalize(dir)
                .map(|d| d.join(name))
                .unwrap_or(a.clone()),
            _ => a,
        }
    };
    let att_abs = abs(att);
    for out in outputs {
        let out_abs = fs_err::canonicalize(out).unwrap_or_else(|_| abs(out));
        if att_abs.starts_with(&out_abs) {
            return Err(RunFlowError::AttestationInOutput {
                attest: att.to_owned(),
                output: out.clone(),
            });
        }
    }
    Ok(())
}
