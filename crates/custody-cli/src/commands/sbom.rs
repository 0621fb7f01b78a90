//! `custody sbom`.

use custody::workflow::dataset_bom::{self, DatasetBomError, DatasetRequest, Steps};
use custody::workflow::sbom::{self, Format, SbomOutput, SbomRequest, SpecVersion};

use crate::cli::{SbomArgs, SbomFormat};
use crate::commands::{key, ledger};
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

fn format(args: &SbomArgs) -> Result<Format, CliError> {
    let v = args.spec_version.as_deref();
    match (args.format, v) {
        (SbomFormat::Cyclonedx, None | Some("1.6")) => Ok(Format::CycloneDx(SpecVersion::V1_6)),
        (SbomFormat::Cyclonedx, Some("1.7")) => Ok(Format::CycloneDx(SpecVersion::V1_7)),
        (SbomFormat::Spdx, None | Some("2.3")) => Ok(Format::Spdx23),
        (SbomFormat::Spdx, Some("3.0.1" | "3.0")) => Ok(Format::Spdx3),
        (f, Some(v)) => Err(CliError::bad_input(anyhow::anyhow!(
            "--spec-version {v} is not a version custody writes for {}",
            match f {
                SbomFormat::Cyclonedx => "CycloneDX (1.6, 1.7)",
                SbomFormat::Spdx => "SPDX (2.3, 3.0.1)",
            }
        ))),
    }
}

pub fn run(args: &SbomArgs) -> CmdResult {
    let format = format(args)?;
    let out = match &args.dataset {
        Some(manifest) => dataset(args, manifest, format)?,
        None => sbom::sbom(&SbomRequest {
            paths: &args.paths,
            depth: args.depth,
            format,
            now: super::now()?,
        })
        .map_err(CliError::bad_input)?,
    };
    write(args, &out)
}

fn write(args: &SbomArgs, out: &SbomOutput) -> CmdResult {
    let text = render::json(&out.document)?;
    match &args.out {
        Some(path) => {
            custody::keys::write_atomic(path, text.as_bytes(), false).map_err(|e| {
                CliError::internal(anyhow::anyhow!("cannot write {}: {e}", path.display()))
            })?;
            output::note(&match out.steps {
                Some(steps) => format!(
                    "{}: {} piece(s) of data, {steps} step(s), {} package(s) of their environments",
                    path.display(),
                    out.sources,
                    out.components
                ),
                None => format!(
                    "{}: {} component(s) from {} source(s); dependencies stated for {}",
                    path.display(),
                    out.components,
                    out.sources,
                    out.with_dependencies
                ),
            });
        }
        None => output::stdout(&text)?,
    }
    Ok(Exit::Success)
}

/// `--dataset`: the bill of a sealed version and the steps behind it.
fn dataset(
    args: &SbomArgs,
    manifest: &std::path::Path,
    format: Format,
) -> Result<SbomOutput, CliError> {
    let cyclonedx = match format {
        Format::CycloneDx(v) => Some(v),
        Format::Spdx3 => None,
        Format::Spdx23 => {
            return Err(CliError::bad_input(anyhow::anyhow!(
                "SPDX 2.3 has no dataset profile: use --format spdx --spec-version 3.0.1, or CycloneDX"
            )));
        }
    };
    let files = custody::keys::public_key_files(&args.trust).map_err(CliError::bad_input)?;
    let trusted = key::read_public(&files)?;
    let location;
    let steps = if args.runs.is_empty() {
        location = ledger::location(&args.ledger)?;
        Steps::Ledger(&location)
    } else {
        Steps::Files(&args.runs)
    };
    dataset_bom::dataset_bom(&DatasetRequest {
        manifest,
        steps,
        trusted: &trusted,
        cyclonedx,
        now: super::now()?,
    })
    .map_err(|e| match e {
        DatasetBomError::Ledger(e) => ledger::ledger_error(e),
        e => CliError::bad_input(e),
    })
}
