//! `custody scan`.

use std::path::{Path, PathBuf};

use custody::policy::{self, Policy};
use custody::scan::ScanOptions;
use custody::{AdvisoryIndex, Severity};
use custody_inventory::{DiscoverOptions, Inventory, InventoryError};

use crate::cli::{Format, ScanArgs};
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

const DEFAULT_MIN_AGE_HOURS: i64 = 7 * 24;
const DEFAULT_MAX_DB_AGE_HOURS: i64 = 7 * 24;

pub fn run(args: &ScanArgs) -> CmdResult {
    let now = super::now()?;
    let policy = load_policy(args)?;
    let fail_on = args.fail_on.or(policy.fail_on).unwrap_or(Severity::High);
    let min_age = args
        .min_age
        .or(policy.min_age)
        .unwrap_or(jiff::SignedDuration::from_hours(DEFAULT_MIN_AGE_HOURS));
    let max_db_age = args
        .max_db_age
        .or(policy.max_db_age)
        .unwrap_or(jiff::SignedDuration::from_hours(DEFAULT_MAX_DB_AGE_HOURS));

    let inventory = inventory(&args.paths, args.depth)?;
    let home = super::home()?;
    let index = AdvisoryIndex::open(&home).map_err(|e| {
        CliError::internal(e)
            .with_hint("delete the database file and run `custody db import` again")
    })?;
    let opts = ScanOptions {
        now,
        fail_on,
        min_age: (!min_age.is_zero()).then_some(min_age),
        max_db_age: Some(max_db_age),
        policy,
    };
    let report = custody::scan::scan(&inventory, &index, &opts).map_err(CliError::internal)?;

    let stale = report
        .warnings
        .iter()
        .any(|w| w.starts_with("advisory data is stale"));
    for w in &report.warnings {
        output::note(&format!("warning: {w}"));
    }
    if args.strict && stale {
        return Err(CliError::bad_input(anyhow::anyhow!(
            "advisory data is older than the freshness limit (--strict)"
        ))
        .with_hint("import current advisories with `custody db import`, or raise --max-db-age"));
    }
    let text = match args.format {
        Format::Table => render::table::scan(&report),
        Format::Json => render::json(&report)?,
        Format::Sarif => render::sarif::scan(&report)?,
    };
    output::stdout(&text)?;
    Ok(if report.fails() {
        Exit::Findings
    } else {
        Exit::Success
    })
}

fn load_policy(args: &ScanArgs) -> Result<Policy, CliError> {
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => args.paths.first().and_then(|p| {
            let dir = if p.is_dir() {
                p.clone()
            } else {
                p.parent()
                    .map_or_else(|| PathBuf::from("."), Path::to_owned)
            };
            let candidate = if dir.as_os_str().is_empty() {
                PathBuf::from(policy::FILE_NAME)
            } else {
                dir.join(policy::FILE_NAME)
            };
            candidate.is_file().then_some(candidate)
        }),
    };
    match path {
        Some(p) => Policy::load(&p).map_err(CliError::bad_input),
        None => Ok(Policy::default()),
    }
}

fn inventory(paths: &[PathBuf], depth: usize) -> Result<Inventory, CliError> {
    let opts = DiscoverOptions { max_depth: depth };
    let mut inv = Inventory::default();
    for p in paths {
        let part = custody_inventory::discover(p, &opts).map_err(|e| {
            let hint = match &e {
                InventoryError::NothingFound { .. } => Some(
                    "point custody at a virtual environment, a site-packages folder or a lockfile",
                ),
                _ => None,
            };
            let err = CliError::bad_input(
                anyhow::Error::new(e).context(format!("cannot scan {}", p.display())),
            );
            match hint {
                Some(h) => err.with_hint(h),
                None => err,
            }
        })?;
        inv.extend(part);
    }
    Ok(inv)
}
