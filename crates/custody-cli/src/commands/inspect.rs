//! `custody inspect`.

use custody::inspect::{Options, Verdict};
use custody::workflow::inspect;

use crate::cli::{FailOn, InspectArgs, InspectFormat};
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

pub fn run(args: &InspectArgs) -> CmdResult {
    if let Some(old) = &args.against {
        return against(args, old);
    }
    let progress = output::progress("inspecting");
    let batch = inspect::inspect_batch(&args.paths, Options { deep: args.deep }, &|| {
        progress.inc(1);
    });
    progress.finish_and_clear();
    let text = match args.format {
        InspectFormat::Json => render::json(&batch)?,
        InspectFormat::Sarif => render::sarif::inspect(&batch.reports, env!("CARGO_PKG_VERSION"))?,
        InspectFormat::Table => render::inspect::batch(&batch),
    };
    output::stdout(&text)?;
    let threshold = match args.fail_on {
        FailOn::Suspicious => Verdict::Suspicious,
        FailOn::Malicious => Verdict::Malicious,
    };
    Ok(if batch.reaches(threshold) {
        Exit::Findings
    } else if batch.errors.is_empty() {
        Exit::Success
    } else {
        Exit::BadInput
    })
}

/// `custody inspect NEW --against OLD`.
fn against(args: &InspectArgs, old: &std::path::Path) -> CmdResult {
    let [new] = args.paths.as_slice() else {
        return Err(CliError::bad_input(anyhow::anyhow!(
            "--against compares one package: give exactly one PATH"
        )));
    };
    let d = inspect::against(old, new).map_err(CliError::bad_input)?;
    let text = match args.format {
        InspectFormat::Json => render::json(&d)?,
        InspectFormat::Sarif => render::sarif::inspect(
            std::slice::from_ref(&d.new_findings),
            env!("CARGO_PKG_VERSION"),
        )?,
        InspectFormat::Table => render::inspect::diff(&d.diff),
    };
    output::stdout(&text)?;
    Ok(if d.adds_early_behaviour() {
        Exit::Findings
    } else {
        Exit::Success
    })
}
