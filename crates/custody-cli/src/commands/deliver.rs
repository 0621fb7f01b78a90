//! `custody deliver` and `custody accept`.

use custody::workflow::deliver::accept::{self, AcceptError, AcceptRequest, Decision};
use custody::workflow::deliver::decision;
use custody::workflow::deliver::policy::DeliveryPolicy;
use custody::workflow::deliver::{self, DeliverError, Evidence};

use crate::cli::{AcceptArgs, DeliverArgs, LedgerArg, StatusFormat};
use crate::commands::{key, ledger};
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

pub fn deliver(args: &DeliverArgs) -> CmdResult {
    let signing = key::read_private(&args.key, args.passphrase_env.as_deref())?;
    let location = if args.runs.is_empty() || args.record {
        Some(ledger::location(&args.ledger)?)
    } else {
        None
    };
    let files =
        custody::keys::public_key_files(&args.runs_signed_by).map_err(CliError::bad_input)?;
    let runners = key::read_public(&files)?;
    let evidence = match (&location, args.runs.is_empty()) {
        (Some(l), true) => Evidence::Ledger(l),
        _ => Evidence::Runs {
            files: &args.runs,
            signed_by: &runners,
        },
    };
    let report = deliver::deliver(
        &args.manifest,
        &evidence,
        &signing,
        &args.out,
        super::now()?,
    )
    .map_err(|e| match e {
        DeliverError::Ledger(e) => ledger::ledger_error(e),
        e
        @ (DeliverError::Manifest { .. } | DeliverError::Run { .. } | DeliverError::Io { .. }) => {
            CliError::bad_input(e)
        }
    })?;
    output::stdout(&format!(
        "delivery {}: {}@{}:{} with {} source manifest(s), {} run attestation(s), {} inventory(ies); signed by {}\n",
        report.bundle.display(),
        report.dataset.name,
        report.dataset.algorithm,
        report.dataset.root,
        report.sources,
        report.attestations,
        report.inventories,
        report.signer
    ))?;
    if report.attestations == 0 {
        output::note(
            "note: no step attestation is in the bundle (no recorded run wrote this version; \
             runs name folders by their SHA-256 root)",
        );
    }
    Ok(match (&location, args.record) {
        (Some(l), true) => ledger::record(l, &args.out, &signing.public().key_id()),
        _ => Exit::Success,
    })
}

pub fn accept(args: &AcceptArgs) -> CmdResult {
    // A bad lab key fails before anything is decided.
    let signing = match &args.key {
        Some(k) => Some(key::read_private(k, args.passphrase_env.as_deref())?),
        None => None,
    };
    let location = if args.record {
        Some(ledger::location(&LedgerArg {
            ledger: args.ledger.clone(),
        })?)
    } else {
        None
    };
    let policy = DeliveryPolicy::load(&args.policy).map_err(CliError::bad_input)?;
    let files = custody::keys::public_key_files(&args.trust).map_err(CliError::bad_input)?;
    let trusted = key::read_public(&files)?;
    let req = AcceptRequest {
        bundle: &args.bundle,
        policy: &policy,
        trusted: &trusted,
        data: args.data.as_deref(),
        home: &super::home()?,
        advisories_as_of: args.advisories_as_of,
        now: super::now()?,
    };
    let report = accept::accept(&req).map_err(|e| match e {
        e @ (AcceptError::Read { .. } | AcceptError::Malformed { .. }) => CliError::bad_input(e),
        e @ AcceptError::Advisories(_) => CliError::internal(e),
    })?;
    match args.format {
        StatusFormat::Table => output::stdout(&render::deliver::accept(&report))?,
        StatusFormat::Json => output::stdout(&render::json(&report)?)?,
    }
    if let Some(signing) = &signing {
        let out = args.decision.clone().unwrap_or_else(|| {
            let mut name = args.bundle.clone().into_os_string();
            name.push(".decision.json");
            name.into()
        });
        decision::write(&report, signing, &out).map_err(CliError::internal)?;
        output::note(&format!(
            "decision signed by {} to {}",
            signing.public().key_id(),
            out.display()
        ));
        if let Some(l) = &location {
            let recorded = ledger::record(l, &out, &signing.public().key_id());
            if report.decision == Decision::Accept {
                return Ok(recorded);
            }
        }
    }
    Ok(match report.decision {
        Decision::Accept => Exit::Success,
        Decision::Reject => Exit::Findings,
    })
}
