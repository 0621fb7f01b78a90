//! `custody verify` and `custody diff`.

use custody::seal::{CompareReport, OpenError, TrustError, modelsign};
use custody::workflow::diff;
use custody::workflow::verify::{self, VerifyError, VerifyRequest};

use crate::cli::{DiffArgs, VerifyArgs};
use crate::commands::key;
use crate::exit::{CliError, CmdResult, Exit};
use crate::output;
use crate::render::{self, seal as text};

pub fn run(args: &VerifyArgs) -> CmdResult {
    let trusted = key::read_public(&args.key)?;
    let req = VerifyRequest {
        manifest: &args.manifest,
        paths: &args.paths,
        trusted: &trusted,
        max_manifest_size: args.max_manifest_size,
    };
    let report = verify::verify(&req, &output::Bytes::new("verifying")).map_err(error)?;
    for n in &report.notes {
        output::note(&text::provenance_note(n));
    }
    if args.json {
        output::stdout(&render::json_sorted(&report)?)?;
    } else {
        output::stdout(&text::verify_text(
            &report.name,
            &report.signature.key_id,
            &report.report,
        ))?;
    }
    Ok(exit_for(&report.report))
}

pub fn diff(args: &DiffArgs) -> CmdResult {
    let trusted = key::read_public(&args.key)?;
    let report =
        diff::diff(&args.old, &args.new, &trusted, args.max_manifest_size).map_err(error)?;
    if args.json {
        output::stdout(&render::json_sorted(&report)?)?;
    } else {
        output::stdout(&text::diff_text(&report))?;
    }
    Ok(exit_for(&report.report))
}

/// 0 when nothing differs, 1 when something does.
fn exit_for(report: &CompareReport) -> Exit {
    if report.identical() {
        Exit::Success
    } else {
        Exit::Findings
    }
}

/// The exit code and hint of each way a verification can fail: a path
/// that cannot be read is bad input; a signature, statement or rule that
/// does not hold is untrusted, a model-signing predicate as much as a
/// custody manifest.
fn error(e: VerifyError) -> CliError {
    let e = match e {
        VerifyError::Open(OpenError::Untrusted(e)) => e,
        e @ VerifyError::ModelSigning(modelsign::Error::Predicate(_)) => {
            return CliError::untrusted(e);
        }
        // Nothing was checked: the path is wrong, not the signature.
        e => return CliError::bad_input(e),
    };
    let hint = match &e {
        TrustError::BadSignature { .. } => {
            Some("give the signer's public key with --key; a changed manifest never verifies")
        }
        TrustError::TooLarge { .. } => {
            Some("raise the limit with --max-manifest-size if the manifest is genuine")
        }
        _ => None,
    };
    let err = CliError::untrusted(e);
    match hint {
        Some(h) => err.with_hint(h),
        None => err,
    }
}
