//! Exit codes: designed, documented, distinct.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success; nothing at or above the threshold |
//! | 1 | findings at or above the threshold (malicious packages always) |
//! | 2 | bad usage or bad input (malformed lockfile, policy, advisory, stale data under `--strict`) |
//! | 3 | internal error (database unusable, I/O failure writing output) |
//! | 4 | a manifest or signature is invalid (tampered, malformed, untrusted key); `ledger verify` found a fault |
//! | 5 | `ledger add`: a document was refused (unsigned, untrusted key, malformed) |
//! | 6 | the ledger location is unknown, cannot be reached, or refused the login |
//! | 7 | `--record`: the document was written but not added to the ledger |
//! | 8 | no space left: the ledger's storage, or the file system of the advisory database (`db import`) or of a written file (`seal -o`, `run --attest`, `key generate`, ...), is full or over quota; nothing of the operation was kept, the previous database or file is intact |
//! | 9 | `watch`: events were not delivered (the webhook failed after its tries, the output could not be written); they stay pending for the next round |
//! | 10 | `guard`: the command failed and the index had hidden or refused a release or file (most likely what it needed) |
//!
//! `custody accept` exits 0 accepted, 1 rejected (an untrusted or tampered
//! bundle included: it is a rejection with its reason), 2 bad input.
//! `custody guard` exits with the command's code but for 10 (above).
//! `custody run` exits with the step's code; 123 when the step succeeded
//! but an output was refused (a link, FIFO, socket, device or set-ID file
//! in it); 124 when `--timeout` passed; 125 when the sandbox could not be
//! set up; 128+N when custody was stopped by signal N.

use std::process::ExitCode;

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0.
    Success,
    /// 1.
    Findings,
    /// 2 (clap also uses 2 for usage errors).
    BadInput,
    /// 3.
    Internal,
    /// 4.
    Untrusted,
    /// 5.
    Refused,
    /// 6.
    LedgerUnavailable,
    /// 7.
    NotRecorded,
    /// 8: no space left where custody writes.
    Full,
    /// 9.
    NotDelivered,
    /// 10.
    Blocked,
    /// `custody run`: the step's own exit code.
    Step(u8),
    /// `custody run`: the sandbox could not be set up (125).
    SandboxFailed,
    /// `custody run`: the step succeeded but an output was refused (123).
    OutputsRefused,
    /// `custody run`: `--timeout` passed and the step was killed (124).
    TimedOut,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(match e {
            Exit::Success => 0,
            Exit::Findings => 1,
            Exit::BadInput => 2,
            Exit::Internal => 3,
            Exit::Untrusted => 4,
            Exit::Refused => 5,
            Exit::LedgerUnavailable => 6,
            Exit::NotRecorded => 7,
            Exit::Full => 8,
            Exit::NotDelivered => 9,
            Exit::Blocked => 10,
            Exit::Step(c) => c,
            Exit::SandboxFailed => 125,
            Exit::OutputsRefused => 123,
            Exit::TimedOut => 124,
        })
    }
}

/// An error with the exit code it maps to.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub error: anyhow::Error,
    pub hint: Option<String>,
}

impl CliError {
    pub fn bad_input(error: impl Into<anyhow::Error>) -> Self {
        Self {
            exit: Exit::BadInput,
            error: error.into(),
            hint: None,
        }
    }

    pub fn untrusted(error: impl Into<anyhow::Error>) -> Self {
        Self {
            exit: Exit::Untrusted,
            error: error.into(),
            hint: None,
        }
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self {
            exit: Exit::Internal,
            error: error.into(),
            hint: None,
        }
    }

    /// No space left (exit 8): `what` is kept as it was.
    pub fn full(error: impl Into<anyhow::Error>, what: &str) -> Self {
        Self {
            exit: Exit::Full,
            error: error.into(),
            hint: Some(format!(
                "free space on that file system, then run the command again: {what} is unchanged"
            )),
        }
    }

    pub fn ledger_unavailable(error: impl Into<anyhow::Error>) -> Self {
        Self {
            exit: Exit::LedgerUnavailable,
            error: error.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// A command's result.
pub type CmdResult = Result<Exit, CliError>;
