//! `custody sbom`.

use custody::workflow::sbom::{self, Format, SbomRequest, SpecVersion};

use crate::cli::{SbomArgs, SbomFormat};
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
    let req = SbomRequest {
        paths: &args.paths,
        depth: args.depth,
        format: format(args)?,
        now: super::now()?,
    };
    let out = sbom::sbom(&req).map_err(CliError::bad_input)?;
    let text = render::json(&out.document)?;
    match &args.out {
        Some(path) => {
            custody::keys::write_atomic(path, text.as_bytes(), false).map_err(|e| {
                CliError::internal(anyhow::anyhow!("cannot write {}: {e}", path.display()))
            })?;
            output::note(&format!(
                "{}: {} component(s) from {} source(s); dependencies stated for {}",
                path.display(),
                out.components,
                out.sources,
                out.with_dependencies
            ));
        }
        None => output::stdout(&text)?,
    }
    Ok(Exit::Success)
}
