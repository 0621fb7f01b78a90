//! `custody report incident`.

use custody::workflow::impact::ImpactError;
use custody::workflow::incident::{self, IncidentError};

use crate::cli::{IncidentArgs, IncidentFormat};
use crate::commands::ledger::{ledger_error, location};
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

pub fn incident(args: &IncidentArgs) -> CmdResult {
    let location = location(&args.ledger)?;
    let now = super::now()?;
    let detected = args.detected_at.unwrap_or(now);
    let report = incident::report(&location, &args.advisory, detected, &super::home()?, now)
        .map_err(|e| match e {
            IncidentError::Impact(ImpactError::Ledger(e)) => ledger_error(e),
            IncidentError::Impact(ImpactError::Question(e)) => CliError::bad_input(e)
                .with_hint("import the advisory source with `custody db import` first"),
        })?;
    let html_out = args
        .out
        .as_ref()
        .is_some_and(|p| p.extension().is_some_and(|e| e == "html" || e == "htm"));
    let format = args.format.unwrap_or(if html_out {
        IncidentFormat::Html
    } else {
        IncidentFormat::Md
    });
    let text = match format {
        IncidentFormat::Html => render::incident::html(&report),
        IncidentFormat::Md => render::incident::markdown(&report),
        IncidentFormat::Json => render::json(&report)?,
    };
    match &args.out {
        Some(path) => {
            custody::keys::write_atomic(path, text.as_bytes(), false).map_err(|e| {
                CliError::internal(anyhow::anyhow!("cannot write {}: {e}", path.display()))
            })?;
            output::note(&format!(
                "{}: {} environment(s), {} run(s), {} written, {} downstream, {} delivery(ies) to recall; first deadline {}",
                path.display(),
                report.counts.environments,
                report.counts.runs,
                report.counts.written,
                report.counts.downstream,
                report.deliveries.len(),
                report
                    .deadlines
                    .first()
                    .map_or_else(String::new, |d| format!("{} ({})", d.due, d.what))
            ));
        }
        None => output::stdout(&text)?,
    }
    Ok(Exit::Success)
}
