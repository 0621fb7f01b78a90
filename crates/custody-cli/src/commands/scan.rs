//! `custody scan`.

use std::path::{Path, PathBuf};

use custody::policy::{self, Policy};
use custody::scan::ScanOptions;
use custody::{AdvisoryIndex, Severity};
use custody_inspect::{self as analysis, Verdict};
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

    // Package archives are inspected; everything else is inventoried.
    let (archives, others): (Vec<PathBuf>, Vec<PathBuf>) = args
        .paths
        .iter()
        .cloned()
        .partition(|p| p.is_file() && custody_inspect::archive::Format::from_path(p).is_some());
    let (inventory, problems) = if others.is_empty() {
        (custody_inventory::Inventory::default(), Vec::new())
    } else {
        inventory(&others, args.depth)?
    };
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
    let (inspection, inspected) = if args.no_inspect {
        (Vec::new(), Vec::new())
    } else {
        let cache = (!args.no_cache)
            .then(|| custody_inspect::cache::Cache::new(home.join("cache").join("inspect")));
        inspect(&report, &archives, cache.as_ref())
    };
    let implant = inspection.iter().any(|i| i.verdict == Verdict::Malicious);
    let text = match args.format {
        Format::Table => render::table::scan(&report, &inspection_table(&inspection), implant),
        Format::Json => render::json(&ScanWithInspection {
            report: &report,
            inspection: &inspection,
        })?,
        Format::Sarif => render::sarif::scan(&report, &inspected)?,
    };
    output::stdout(&text)?;
    if !problems.is_empty() {
        // The rest was scanned and reported; the scan still fails.
        for p in &problems {
            output::note(&format!("error: {p}"));
        }
        return Err(CliError::bad_input(anyhow::anyhow!(
            "{} entr{} could not be read; everything else was scanned above",
            problems.len(),
            if problems.len() == 1 { "y" } else { "ies" }
        ))
        .with_hint("fix or remove the lines named above; pip refuses them too"));
    }
    Ok(if report.fails() || implant {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// `custody.scan/v1` plus what inspection found (a compatible addition).
#[derive(serde::Serialize)]
struct ScanWithInspection<'a> {
    #[serde(flatten)]
    report: &'a custody::report::ScanReport,
    inspection: &'a [Inspected],
}

/// One inspected environment or archive, summarised for the scan report.
#[derive(serde::Serialize)]
struct Inspected {
    path: String,
    verdict: Verdict,
    score: u32,
    reasons: Vec<String>,
    findings: usize,
    error: Option<String>,
    /// What was not read, or not judged because of what was not read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unread: Vec<custody_inspect::site::Unread>,
    /// For an environment: distributions (and groups of unowned files),
    /// files, and how many distributions' results came from the cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<EnvironmentStats>,
}

#[derive(serde::Serialize)]
struct EnvironmentStats {
    distributions: usize,
    files: usize,
    cached: usize,
}

impl Inspected {
    fn of(path: &Path, r: &analysis::Report) -> Self {
        Self {
            path: path.display().to_string(),
            verdict: r.verdict,
            score: r.score,
            reasons: r.reasons.clone(),
            findings: r.findings.len(),
            error: None,
            unread: Vec::new(),
            environment: None,
        }
    }

    fn failed(path: &Path, e: &custody_inspect::archive::ArchiveError) -> Self {
        Self {
            path: path.display().to_string(),
            verdict: Verdict::Clean,
            score: 0,
            reasons: Vec::new(),
            findings: 0,
            error: Some(e.to_string()),
            unread: Vec::new(),
            environment: None,
        }
    }
}

/// Inspects each environment the scan read (one distribution at a time,
/// results reused from `cache`), and each archive given: the summaries for
/// the report, and the full reports (for SARIF).
fn inspect(
    report: &custody::report::ScanReport,
    archives: &[PathBuf],
    cache: Option<&custody_inspect::cache::Cache>,
) -> (Vec<Inspected>, Vec<analysis::Report>) {
    let options = analysis::Options::default();
    let limits = options.limits();
    let mut full = Vec::new();
    let mut summaries = Vec::new();
    for s in report
        .sources
        .iter()
        .filter(|s| s.kind == custody_inventory::SourceKind::Environment)
    {
        match custody_inspect::site::inspect(&s.path, options, cache) {
            Ok(env) => {
                let mut summary = Inspected::of(&s.path, &env.report);
                summary.unread = env.unread;
                summary.environment = Some(EnvironmentStats {
                    distributions: env.groups,
                    files: env.files,
                    cached: env.cached,
                });
                summaries.push(summary);
                full.push(env.report);
            }
            Err(e) => summaries.push(Inspected::failed(&s.path, &e)),
        }
    }
    for p in archives {
        match custody_inspect::archive::read(p, &limits) {
            Ok(c) => {
                let r = analysis::inspect_with(&c, options);
                summaries.push(Inspected::of(p, &r));
                full.push(r);
            }
            Err(e) => summaries.push(Inspected::failed(p, &e)),
        }
    }
    (summaries, full)
}

fn inspection_table(items: &[Inspected]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for i in items {
        let verdict = match (&i.error, i.verdict) {
            (Some(_), _) => "UNREADABLE",
            (None, Verdict::Malicious) => "MALICIOUS",
            (None, Verdict::Suspicious) => "SUSPICIOUS",
            (None, Verdict::Clean) => "clean",
        };
        let shown = render::display_path(Path::new(&i.path));
        let read = i.environment.as_ref().map_or_else(String::new, |e| {
            format!(
                " ({} distributions, {} files; {} from the cache)",
                e.distributions, e.files, e.cached
            )
        });
        if i.verdict == Verdict::Clean {
            let _ = writeln!(out, "inspect: {verdict} {shown}{read}");
        } else {
            let _ = writeln!(
                out,
                "inspect: {verdict} {shown} ({} findings; details: custody inspect {shown})",
                i.findings
            );
        }
        for r in &i.reasons {
            let _ = writeln!(out, "  why: {r}");
        }
        if let Some(e) = &i.error {
            let _ = writeln!(out, "  {e}");
        }
        for u in &i.unread {
            let _ = writeln!(out, "  not read: {}: {}", u.path, u.reason);
        }
    }
    out
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

/// What the paths hold, and the entries that could not be read (each
/// named by file and line; everything else is kept and scanned).
fn inventory(
    paths: &[PathBuf],
    depth: usize,
) -> Result<(Inventory, Vec<custody_inventory::Problem>), CliError> {
    let opts = DiscoverOptions { max_depth: depth };
    let mut inv = Inventory::default();
    let mut problems = Vec::new();
    for p in paths {
        let part = match custody_inventory::discover(p, &opts) {
            Err(InventoryError::Invalid {
                problems: bad,
                partial,
                ..
            }) => {
                problems.extend(bad);
                Ok(*partial)
            }
            other => other,
        };
        let part = part.map_err(|e| {
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
    Ok((inv, problems))
}
