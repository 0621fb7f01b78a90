//! `custody report incident`.

use custody::seal::OpenError;
use custody::workflow::impact::ImpactError;
use custody::workflow::incident::{self, IncidentError, IncidentRequest, RecheckError};
use custody::workflow::verify::VerifyError;

use crate::cli::{IncidentArgs, IncidentFormat};
use crate::commands::ledger::{ledger_error, location};
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

pub fn incident(args: &IncidentArgs) -> CmdResult {
    let location = location(&args.ledger)?;
    let now = super::now()?;
    let req = IncidentRequest {
        location: &location,
        advisory: &args.advisory,
        detected_at: args.detected_at.unwrap_or(now),
        rechecks: &args.recheck,
        home: &super::home()?,
        now,
    };
    let report = incident::report(&req, &output::Bytes::new("re-checking")).map_err(error)?;
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

fn error(e: IncidentError) -> CliError {
    match e {
        IncidentError::Impact(ImpactError::Ledger(e)) => ledger_error(e),
        IncidentError::Impact(ImpactError::Question(e)) => CliError::bad_input(e)
            .with_hint("import the advisory source with `custody db import` first"),
        // The ledger checked this manifest when it stored it.
        IncidentError::Recheck(
            e @ RecheckError::Verify {
                source: VerifyError::Open(OpenError::Untrusted(_)),
                ..
            },
        ) => CliError::untrusted(e).with_hint(
            "the ledger's copy changed since it was stored: run `custody ledger verify`",
        ),
        IncidentError::Recheck(e) => CliError::bad_input(e),
    }
}
