//! `custody guard -- COMMAND`: the command behind an ephemeral vetting index.

use custody::workflow::index::evidence::{self, SessionKind};
use custody::workflow::index::guard::{self, GuardError};

use crate::cli::GuardArgs;
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

pub fn run(args: &GuardArgs) -> CmdResult {
    let options =
        super::index::options(&args.vet, std::net::SocketAddr::from(([127, 0, 0, 1], 0)))?;
    let recorder = super::decisions::from_args(&args.record, &options)?;
    let report = guard::guard(options, &args.command).map_err(|e| match e {
        GuardError::Index(e) => super::index::bind_error(e),
        e @ GuardError::NoCommand => CliError::bad_input(e),
        e @ GuardError::Spawn { .. } => {
            CliError::bad_input(e).with_hint("the command after `--` must be a program on PATH")
        }
    })?;
    output::note(render::index::guard_text(&report).trim_end());
    if let Some(path) = &args.report {
        custody::keys::write_atomic(path, render::json(&report)?.as_bytes(), false)
            .map_err(super::key::write_error)?;
    }
    let ledger_exit = match &recorder {
        Some(r) => super::decisions::report(&evidence::record(
            r,
            SessionKind::Guard,
            report.session.0,
            report.session.1,
            &report.decisions,
        )),
        None => Exit::Success,
    };
    Ok(if report.failed_by_policy() {
        Exit::Blocked
    } else if report.succeeded() && ledger_exit != Exit::Success {
        ledger_exit
    } else {
        match (report.exit_code, report.signal) {
            (Some(c), _) => Exit::Step(u8::try_from(c).unwrap_or(1)),
            (None, Some(s)) => Exit::Step(u8::try_from(128 + s).unwrap_or(255)),
            (None, None) => Exit::Step(1),
        }
    })
}
