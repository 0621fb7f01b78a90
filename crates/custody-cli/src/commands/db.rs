//! `custody db import` and `custody db status`.

use std::path::Path;
use std::sync::Mutex;

use custody::advisory::StoreError;
use custody::workflow::db::{self, ImportFlowError, ImportProgress, ImportRequest};

use crate::cli::{DbCommand, ImportArgs, StatusArgs, StatusFormat};
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

pub fn run(cmd: &DbCommand) -> CmdResult {
    match cmd {
        DbCommand::Import(args) => import(args),
        DbCommand::Status(args) => status(args),
    }
}

fn import(args: &ImportArgs) -> CmdResult {
    let req = ImportRequest {
        paths: args.paths.clone(),
        home: super::home()?,
        now: super::now()?,
        strict: args.strict,
        crash_after: std::env::var("CUSTODY_TEST_CRASH_AFTER")
            .ok()
            .and_then(|v| v.parse().ok()),
    };
    let report = db::import(&req, &Progress::default()).map_err(error)?;
    for pr in &report.problems {
        output::note(&format!("  malformed, skipped: {pr}"));
    }
    output::stdout(&render::table::db_import(&report))?;
    Ok(Exit::Success)
}

/// A record counter per source, and a line when each is read.
#[derive(Default)]
struct Progress(Mutex<Option<indicatif::ProgressBar>>);

impl ImportProgress for Progress {
    fn source_started(&self, path: &Path) {
        let bar = output::progress(&format!("reading {}", path.display()));
        if let Ok(mut b) = self.0.lock() {
            *b = Some(bar);
        }
    }

    fn record(&self) {
        if let Ok(b) = self.0.lock()
            && let Some(b) = b.as_ref()
        {
            b.inc(1);
        }
    }

    fn source_read(&self, path: &Path, records: usize) {
        if let Ok(mut b) = self.0.lock()
            && let Some(b) = b.take()
        {
            b.finish_and_clear();
        }
        output::note(&format!("read {}: {records} records", path.display()));
    }
}

/// The exit code of each way an import can fail; the malformed records
/// are listed first.
fn error(e: ImportFlowError) -> CliError {
    match e {
        ImportFlowError::NoValidRecords { ref problems, .. } => {
            for pr in problems {
                output::note(&format!("  malformed: {pr}"));
            }
            CliError::bad_input(e)
        }
        ImportFlowError::Strict { problems } => {
            for pr in &problems {
                output::note(&format!("  malformed, skipped: {pr}"));
            }
            CliError::bad_input(anyhow::anyhow!(
                "{} malformed record(s) and --strict: nothing was written",
                problems.len()
            ))
        }
        ImportFlowError::Store(e @ StoreError::Full { .. }) => {
            CliError::full(e, "the previous database")
        }
        ImportFlowError::Store(e) => {
            CliError::internal(e).with_hint("the previous database is unchanged")
        }
        e @ (ImportFlowError::Read(_) | ImportFlowError::Empty { .. }) => CliError::bad_input(e),
    }
}

fn status(args: &StatusArgs) -> CmdResult {
    let home = super::home()?;
    let now = super::now()?;
    let st = db::status(&home).map_err(CliError::internal)?;
    let text = match args.format {
        StatusFormat::Json => render::json(&st)?,
        StatusFormat::Table => render::table::db_status(&st, now),
    };
    output::stdout(&text)?;
    Ok(Exit::Success)
}
