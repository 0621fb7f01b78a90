//! `custody verify` and `custody diff`.

use custody_seal::compare;
use custody_seal::error::{OpenError, TrustError};
use custody_seal::keys::PublicKey;
use custody_seal::open::{self, Opened, Payload};
use custody_seal::{modelsign, seal, verify};

use crate::cli::{DiffArgs, VerifyArgs};
use crate::commands::key;
use crate::exit::{CliError, CmdResult, Exit};
use crate::output;
use crate::render::seal as render;

pub fn run(args: &VerifyArgs) -> CmdResult {
    let trusted = key::read_public(&args.key)?;
    let opened = open_manifest(&args.manifest, &trusted, args.max_manifest_size)?;
    let signer = opened.signer.clone().unwrap_or_default();
    let report = match &opened.payload {
        Payload::Custody(manifest) => {
            let options = verify::options_of(manifest, vec![args.manifest.clone()]);
            let plan = seal::plan(&args.paths, &options).map_err(CliError::bad_input)?;
            let bar = output::bytes_progress("verifying", plan.bytes);
            let report = verify::verify(manifest, &plan, &options, &|done| bar.set_position(done))
                .map_err(CliError::bad_input)?;
            bar.finish_and_clear();
            report
        }
        Payload::Provenance(statement) => provenance(statement, &args.paths),
        Payload::ModelSigning(statement) => {
            let [model] = args.paths.as_slice() else {
                return Err(CliError::bad_input(anyhow::anyhow!(
                    "a model-signing signature covers one folder or file; got {}",
                    args.paths.len()
                )));
            };
            modelsign::verify(
                statement,
                model,
                &args.manifest,
                &modelsign::Options::default(),
            )
            .map_err(CliError::bad_input)?
        }
    };
    let name = match &opened.payload {
        Payload::Custody(m) => m.name.clone(),
        Payload::Provenance(_) => "attested outputs".to_owned(),
        Payload::ModelSigning(s) => s
            .subject
            .first()
            .map(|s| s.name.clone())
            .unwrap_or_default(),
    };
    if args.json {
        let doc = serde_json::json!({
            "schema": "custody.verify/v1",
            "manifest": args.manifest,
            "name": name,
            "format": match opened.payload { Payload::Custody(_) => "custody", Payload::ModelSigning(_) => "model-signing", Payload::Provenance(_) => "slsa-provenance" },
            "signature": {"valid": true, "key_id": signer},
            "identical": report.identical(),
            "report": report,
        });
        output::stdout(&crate::render::json(&doc)?)?;
    } else {
        output::stdout(&render::verify_text(&name, &signer, &report))?;
    }
    Ok(exit_for(&report))
}

pub fn diff(args: &DiffArgs) -> CmdResult {
    let trusted: Vec<PublicKey> = key::read_public(&args.key)?;
    let a = open_manifest(&args.old, &trusted, args.max_manifest_size)?;
    let b = open_manifest(&args.new, &trusted, args.max_manifest_size)?;
    let (Payload::Custody(old), Payload::Custody(new)) = (&a.payload, &b.payload) else {
        return Err(CliError::bad_input(anyhow::anyhow!(
            "diff compares custody manifests; a model-signing signature has no record or chunk data (verify it against the folder instead)"
        )));
    };
    let report = compare::compare(old, new, &|e| {
        e.records.as_ref().and_then(|r| r.to_index().ok())
    });
    let checked = !trusted.is_empty();
    if args.json {
        let doc = serde_json::json!({
            "schema": "custody.diff/v1",
            "old": {"manifest": args.old, "name": old.name, "root": old.root, "key_id": a.signer},
            "new": {"manifest": args.new, "name": new.name, "root": new.root, "key_id": b.signer},
            "signatures_checked": checked,
            "identical": report.identical(),
            "report": report,
        });
        output::stdout(&crate::render::json(&doc)?)?;
    } else {
        output::stdout(&render::diff_text(old, new, checked, &report))?;
    }
    Ok(exit_for(&report))
}

/// 0 when nothing differs, 1 when something does.
fn exit_for(report: &compare::Report) -> Exit {
    if report.identical() {
        Exit::Success
    } else {
        Exit::Findings
    }
}

/// Checks `paths` against the subjects of a `custody run` attestation:
/// each must be a subject, with the same SHA-256 (files) or `custody seal`
/// root (folders), and every subject must be given. Both sides are
/// compared as [`custody_run::attest::subject_name`]s (so `./out.jsonl`,
/// `out.jsonl` and its absolute path are one output).
fn provenance(
    statement: &custody_seal::manifest::Statement,
    paths: &[std::path::PathBuf],
) -> compare::Report {
    use custody_run::attest::subject_name;
    let cwd = std::env::current_dir().unwrap_or_default();
    let names: Vec<String> = statement
        .subject
        .iter()
        .map(|s| subject_name(std::path::Path::new(&s.name), &cwd))
        .collect();
    let mut given = vec![false; names.len()];
    let mut report = compare::Report::default();
    for p in paths {
        let name = subject_name(p, &cwd);
        let index = names.iter().position(|n| *n == name);
        let size = fs_err::metadata(p).map_or(0, |m| m.len());
        let shown = p.display().to_string();
        let Some(index) = index else {
            report.added.push(compare::FileNote { path: shown, size });
            continue;
        };
        // The same output named twice at run time is given once.
        for (g, n) in given.iter_mut().zip(&names) {
            *g |= *n == name;
        }
        let s = &statement.subject[index];
        let Some(want) = s.digest.get("sha256") else {
            output::note(&format!(
                "custody verify: {shown}: the attestation holds no digest for it: custody run refused this output (a link, FIFO, socket, device or set-ID file in it; its subject lists them)"
            ));
            report.modified.push(changed(shown, size));
            continue;
        };
        match custody_seal::artifact::digest(p).ok() {
            Some(now) if now == *want => report.unchanged += 1,
            Some(_) => report.modified.push(changed(shown, size)),
            None => report.removed.push(compare::FileNote {
                path: shown,
                size: 0,
            }),
        }
    }
    // An output the attestation vouches for and nobody checked is missing.
    for (name, _) in names.iter().zip(&given).filter(|(_, g)| !**g) {
        output::note(&format!(
            "custody verify: {name}: an attested output was not given to verify (give every output of the run)"
        ));
        report.removed.push(compare::FileNote {
            path: name.clone(),
            size: 0,
        });
    }
    report
}

/// An attested output whose digest does not match (or is missing).
fn changed(path: String, size: u64) -> compare::Modified {
    compare::Modified {
        path,
        old_size: size,
        new_size: size,
        chunks: Vec::new(),
        chunk_size: None,
        records: None,
    }
}

fn open_manifest(
    path: &std::path::Path,
    trusted: &[PublicKey],
    max: u64,
) -> Result<Opened, CliError> {
    open::open(path, trusted, max).map_err(|e| {
        let e = match e {
            // Nothing was checked: the path is wrong, not the signature.
            e @ OpenError::Unreadable { .. } => return CliError::bad_input(e),
            OpenError::Untrusted(e) => e,
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
    })
}
