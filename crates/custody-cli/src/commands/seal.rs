//! `custody seal`.

use custody::seal::{Algorithm, Container, SealOptions, SigningKey, Symlinks, modelsign};
use custody::workflow::seal::{self, SealFlowError};

use crate::cli::{HashArg, LedgerArg, SealArgs, SealFormat, SymlinkArg};
use crate::commands::{key, ledger};
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

pub fn run(args: &SealArgs) -> CmdResult {
    let signing = key::read_private(&args.key, args.passphrase_env.as_deref())?;
    let ledger = if args.record {
        Some(ledger::location(&LedgerArg {
            ledger: args.ledger.clone(),
        })?)
    } else {
        None
    };
    if args.format == SealFormat::ModelSigning {
        if args.record {
            return Err(CliError::bad_input(anyhow::anyhow!(
                "--record adds custody manifests to the ledger; model-signing signatures are not stored there"
            )));
        }
        return model_signing(args, &signing);
    }
    let options = SealOptions {
        algorithm: match args.hash {
            HashArg::Blake3 => Algorithm::Blake3,
            HashArg::Sha256 => Algorithm::Sha256,
        },
        chunk_size: args.chunk_size,
        symlinks: symlinks(args.symlinks),
        excludes: args.exclude.clone(),
        records: !args.no_records,
        record_key: args.record_key.clone(),
        name: args.name.clone(),
        skip: vec![args.out.clone()],
    };
    let container = if args.format == SealFormat::Bundle {
        Container::Bundle
    } else {
        Container::Dsse
    };
    let started = std::time::Instant::now();
    let report = seal::seal(
        &args.paths,
        &options,
        &signing,
        container,
        &args.out,
        &output::Bytes::new("sealing"),
    )
    .map_err(error)?;
    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        output::stdout(&render::json_line_sorted(&report)?)?;
    } else {
        output::stdout(&render::seal::seal_text(&report, signing.scheme().name()))?;
    }
    output::note(&format!(
        "{} in {seconds:.2} s ({}/s)",
        render::seal::human_bytes(report.bytes),
        render::seal::human_bytes(rate(report.bytes, seconds))
    ));
    if ledger.is_some() && options.algorithm != Algorithm::Sha256 {
        output::note(
            "note: run attestations name folders by their SHA-256 root: `custody impact` and \
             `lineage` link this version to the runs that read or wrote it only when sealed \
             with --hash sha256",
        );
    }
    Ok(ledger.map_or(Exit::Success, |location| {
        ledger::record(&location, &args.out, &signing.public().key_id())
    }))
}

fn model_signing(args: &SealArgs, signing: &SigningKey) -> CmdResult {
    let [model] = args.paths.as_slice() else {
        return Err(CliError::bad_input(anyhow::anyhow!(
            "model-signing signs exactly one folder or file; got {}",
            args.paths.len()
        )));
    };
    let options = modelsign::Options {
        ignore_paths: args.exclude.clone(),
        allow_symlinks: args.symlinks == SymlinkArg::Follow,
        ..modelsign::Options::default()
    };
    seal::sign_model(model, signing, &args.out, &options).map_err(error)?;
    output::stdout(&format!(
        "signed {} in model-signing format → {} (key {})\n",
        model.display(),
        args.out.display(),
        signing.public().key_id()
    ))?;
    Ok(Exit::Success)
}

/// Unreadable data is bad input; a manifest that cannot be written depends.
fn error(e: SealFlowError) -> CliError {
    match e {
        SealFlowError::Write(e) => key::write_error(e),
        e @ (SealFlowError::Data(_) | SealFlowError::ModelSigning(_)) => CliError::bad_input(e),
    }
}

pub fn symlinks(s: SymlinkArg) -> Symlinks {
    match s {
        SymlinkArg::Refuse => Symlinks::Refuse,
        SymlinkArg::Skip => Symlinks::Skip,
        SymlinkArg::Follow => Symlinks::Follow,
    }
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "a rate for people"
)]
fn rate(bytes: u64, seconds: f64) -> u64 {
    if seconds > 0.0 {
        (bytes as f64 / seconds) as u64
    } else {
        0
    }
}
