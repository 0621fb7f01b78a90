//! `custody db import` and `custody db status`.

use std::fmt::Write as _;

use custody::AdvisoryIndex;
use custody_advisory::import::{self, Problem};
use custody_advisory::store;

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
    let home = super::home()?;
    let now = super::now()?;
    let mut problems: Vec<Problem> = Vec::new();
    let mut batches = Vec::new();
    for p in &args.paths {
        let before = problems.len();
        let progress = output::progress(&format!("reading {}", p.display()));
        let batch = import::read_source_with_progress(p, &mut problems, &|| progress.inc(1))
            .map_err(CliError::bad_input)?;
        progress.finish_and_clear();
        output::note(&format!(
            "read {}: {} records",
            p.display(),
            batch.records.len()
        ));
        if batch.records.is_empty() && problems.len() > before {
            for pr in &problems[before..] {
                output::note(&format!("  malformed: {pr}"));
            }
            return Err(CliError::bad_input(anyhow::anyhow!(
                "{}: no valid advisory records ({} malformed); nothing was written",
                p.display(),
                problems.len() - before
            )));
        }
        if batch.records.is_empty() {
            return Err(CliError::bad_input(anyhow::anyhow!(
                "{}: no advisory records found (.json, .yaml or .yml); nothing was written",
                p.display()
            )));
        }
        batches.push(batch);
    }
    for pr in &problems {
        output::note(&format!("  malformed, skipped: {pr}"));
    }
    if args.strict && !problems.is_empty() {
        return Err(CliError::bad_input(anyhow::anyhow!(
            "{} malformed record(s) and --strict: nothing was written",
            problems.len()
        )));
    }
    let crash_after = std::env::var("CUSTODY_TEST_CRASH_AFTER")
        .ok()
        .and_then(|v| v.parse().ok());
    let summary = store::write(&home, &batches, &now.to_string(), crash_after)
        .map_err(|e| CliError::internal(e).with_hint("the previous database is unchanged"))?;
    let mut text = String::new();
    for (name, read, stored) in &summary.sources {
        let _ = writeln!(
            text,
            "imported {name}: {read} records read, {stored} stored"
        );
    }
    if !problems.is_empty() {
        let _ = writeln!(
            text,
            "skipped {} malformed record(s) (listed above)",
            problems.len()
        );
    }
    let _ = writeln!(text, "database: {}", store::Store::path_in(&home).display());
    output::stdout(&text)?;
    Ok(Exit::Success)
}

fn status(args: &StatusArgs) -> CmdResult {
    let home = super::home()?;
    let now = super::now()?;
    let index = AdvisoryIndex::open(&home).map_err(CliError::internal)?;
    let st = index.status().map_err(CliError::internal)?;
    let text = match args.format {
        StatusFormat::Json => render::json(&st)?,
        StatusFormat::Table => render::table::db_status(&st, now),
    };
    output::stdout(&text)?;
    Ok(Exit::Success)
}
