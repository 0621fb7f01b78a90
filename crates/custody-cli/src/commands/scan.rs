//! `custody scan`.

use custody::workflow::inventory_record;
use custody::workflow::scan::{self, ScanFlowError, ScanOutcome, ScanRequest};

use crate::cli::{Format, LedgerArg, ScanArgs};
use crate::commands::{key, ledger};
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

pub fn run(args: &ScanArgs) -> CmdResult {
    let now = super::now()?;
    // Key and ledger location first: a bad one fails before the scan.
    let rec = &args.record;
    let record = match (&rec.key, rec.record) {
        (Some(path), true) => Some((
            key::read_private(path, rec.passphrase_env.as_deref())?,
            ledger::location(&LedgerArg {
                ledger: rec.ledger.clone(),
            })?,
        )),
        _ => None,
    };
    let req = ScanRequest {
        paths: args.paths.clone(),
        depth: args.depth,
        home: super::home()?,
        now,
        config: args.config.clone(),
        fail_on: args.fail_on,
        min_age: args.min_age,
        max_db_age: args.max_db_age,
        strict: args.strict,
        inspect: !args.no_inspect,
        cache: !args.no_cache,
    };
    let outcome = scan::scan(&req).map_err(error)?;
    for w in &outcome.document.report.warnings {
        output::note(&format!("warning: {w}"));
    }
    let text = match args.format {
        Format::Table => render::table::scan(&outcome.document, outcome.implant()),
        Format::Json => render::json(&outcome.document)?,
        Format::Sarif => render::sarif::scan(&outcome.document.report, &outcome.inspected)?,
    };
    output::stdout(&text)?;
    let problems = &outcome.problems;
    if !problems.is_empty() {
        // The rest was scanned and reported; the scan still fails.
        for p in problems {
            output::note(&format!("error: {p}"));
        }
        return Err(CliError::bad_input(anyhow::anyhow!(
            "{} entr{} could not be read; everything else was scanned above",
            problems.len(),
            if problems.len() == 1 { "y" } else { "ies" }
        ))
        .with_hint("fix or remove the lines named above; pip refuses them too"));
    }
    let recorded = match record {
        Some((signing, location)) => record_inventory(args, &outcome, &signing, &location, now)?,
        None => Exit::Success,
    };
    Ok(if outcome.fails() {
        Exit::Findings
    } else {
        recorded
    })
}

/// Writes the signed inventory and adds it to the ledger.
fn record_inventory(
    args: &ScanArgs,
    outcome: &ScanOutcome,
    signing: &custody::seal::SigningKey,
    location: &custody::ledger::Location,
    now: jiff::Timestamp,
) -> CmdResult {
    let out = match &args.record.inventory {
        Some(p) => p.clone(),
        None => super::home()?
            .join("inventories")
            .join(format!("scan-{}.json", now.strftime("%Y%m%dT%H%M%S%.fZ"))),
    };
    let sources = inventory_record::sources(&outcome.inventory);
    let statement = inventory_record::statement(&sources, now);
    inventory_record::write_signed(&statement, signing, &out)
        .map_err(|e| CliError::internal(anyhow::anyhow!("cannot write {}: {e}", out.display())))?;
    let packages: usize = sources.iter().map(|s| s.packages.len()).sum();
    output::note(&format!(
        "inventory: {} source(s), {packages} package(s), signed to {}",
        sources.len(),
        out.display()
    ));
    Ok(ledger::record(location, &out, &signing.public().key_id()))
}

/// The exit code and hint of each way a scan can fail.
fn error(e: ScanFlowError) -> CliError {
    match e {
        ScanFlowError::Stale { warnings } => {
            for w in &warnings {
                output::note(&format!("warning: {w}"));
            }
            CliError::bad_input(anyhow::anyhow!(
                "advisory data is older than the freshness limit (--strict)"
            ))
            .with_hint("import current advisories with `custody db import`, or raise --max-db-age")
        }
        e @ ScanFlowError::Inventory {
            source: custody::inventory::InventoryError::NothingFound { .. },
            ..
        } => CliError::bad_input(e).with_hint(
            "point custody at a virtual environment, a site-packages folder or a lockfile",
        ),
        e @ (ScanFlowError::Policy(_) | ScanFlowError::Inventory { .. }) => CliError::bad_input(e),
        ScanFlowError::Index(e) => CliError::internal(e)
            .with_hint("delete the database file and run `custody db import` again"),
        e @ ScanFlowError::Scan(_) => CliError::internal(e),
    }
}
