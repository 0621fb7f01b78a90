//! `custody seal`.

use custody_seal::hash::Algorithm;
use custody_seal::manifest::Symlinks;
use custody_seal::modelsign;
use custody_seal::seal::{self, Container, Options};

use crate::cli::{HashArg, SealArgs, SealFormat, SymlinkArg};
use crate::commands::key;
use crate::exit::{CliError, CmdResult, Exit};
use crate::output;

pub fn run(args: &SealArgs) -> CmdResult {
    let signing = key::read_private(&args.key, args.passphrase_env.as_deref())?;
    if args.format == SealFormat::ModelSigning {
        return model_signing(args, &signing);
    }
    let options = Options {
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
    let started = std::time::Instant::now();
    let plan = seal::plan(&args.paths, &options).map_err(CliError::bad_input)?;
    let bar = output::bytes_progress("sealing", plan.bytes);
    let manifest = seal::build(&args.paths, &plan, &options, &|done| bar.set_position(done))
        .map_err(CliError::bad_input)?;
    bar.finish_and_clear();
    let container = if args.format == SealFormat::Bundle {
        Container::Bundle
    } else {
        Container::Dsse
    };
    key::write_atomic_with(&args.out, false, &mut |w| {
        seal::sign_to(&manifest, &signing, container, w)
    })?;
    let records: u64 = manifest
        .files
        .iter()
        .filter_map(|e| e.records.as_ref().map(|r| r.count))
        .sum();
    let seconds = started.elapsed().as_secs_f64();
    let summary = serde_json::json!({
        "schema": "custody.seal/v1",
        "manifest": args.out,
        "name": manifest.name,
        "algorithm": manifest.algorithm.name(),
        "root": manifest.root,
        "files": manifest.files.len(),
        "bytes": plan.bytes,
        "records": records,
        "key_id": signing.public().key_id(),
    });
    if args.json {
        output::stdout(&format!("{summary}\n"))?;
    } else {
        output::stdout(&format!(
            "sealed {} ({} files, {}, {} records) → {}\nroot {}:{}\nsigned by {} key {}\n",
            manifest.name,
            manifest.files.len(),
            human_bytes(plan.bytes),
            records,
            args.out.display(),
            manifest.algorithm.name(),
            manifest.root,
            signing.scheme().name(),
            signing.public().key_id(),
        ))?;
    }
    output::note(&format!(
        "{} in {seconds:.2} s ({}/s)",
        human_bytes(plan.bytes),
        human_bytes(rate(plan.bytes, seconds))
    ));
    Ok(Exit::Success)
}

fn model_signing(args: &SealArgs, signing: &custody_seal::keys::SigningKey) -> CmdResult {
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
    let bytes =
        modelsign::sign(model, signing, &args.out, &options).map_err(CliError::bad_input)?;
    key::write_atomic(&args.out, &bytes, false)?;
    output::stdout(&format!(
        "signed {} in model-signing format → {} (key {})\n",
        model.display(),
        args.out.display(),
        signing.public().key_id()
    ))?;
    Ok(Exit::Success)
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

/// `1.5 GiB`.
#[expect(clippy::cast_precision_loss, reason = "a size for people")]
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
