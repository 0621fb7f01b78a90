//! `custody inspect`.

use std::fmt::Write as _;

use custody_inspect::archive;
use custody_inspect::{self as analysis, Verdict};
use rayon::prelude::*;
use serde::Serialize;

use crate::cli::{FailOn, InspectArgs, InspectFormat};
use crate::exit::{CmdResult, Exit};
use crate::{output, render};

/// Schema of `custody inspect --format json`.
const SCHEMA: &str = "custody.inspect/v0";

#[derive(Serialize)]
struct Batch {
    schema: &'static str,
    reports: Vec<analysis::Report>,
    errors: Vec<PackageError>,
}

#[derive(Serialize)]
struct PackageError {
    path: String,
    error: String,
}

pub fn run(args: &InspectArgs) -> CmdResult {
    if let Some(old) = &args.against {
        return against(args, old);
    }
    let options = analysis::Options { deep: args.deep };
    let limits = options.limits();
    let mut batch = Batch {
        schema: SCHEMA,
        reports: Vec::new(),
        errors: Vec::new(),
    };
    let progress = output::progress("inspecting");
    // Packages are independent: read and judge them on all cores, report
    // them in the order given. One bad package does not stop the batch.
    let results: Vec<_> = args
        .paths
        .par_iter()
        .map(|p| {
            // An installed environment is read one distribution at a time.
            let r = if p.is_dir() && custody_inspect::site::looks_installed(p) {
                custody_inspect::site::inspect(p, options, None).map(|env| env.report)
            } else {
                archive::read(p, &limits).map(|c| analysis::inspect_with(&c, options))
            };
            progress.inc(1);
            r
        })
        .collect();
    for (p, r) in args.paths.iter().zip(results) {
        match r {
            Ok(report) => batch.reports.push(report),
            Err(e) => batch.errors.push(PackageError {
                path: p.display().to_string(),
                error: e.to_string(),
            }),
        }
    }
    progress.finish_and_clear();
    let text = match args.format {
        InspectFormat::Json => render::json(&batch)?,
        InspectFormat::Sarif => render::sarif::inspect(&batch.reports, env!("CARGO_PKG_VERSION"))?,
        InspectFormat::Table => table(&batch),
    };
    output::stdout(&text)?;
    let threshold = match args.fail_on {
        FailOn::Suspicious => Verdict::Suspicious,
        FailOn::Malicious => Verdict::Malicious,
    };
    Ok(if batch.reports.iter().any(|r| r.verdict >= threshold) {
        Exit::Findings
    } else if batch.errors.is_empty() {
        Exit::Success
    } else {
        Exit::BadInput
    })
}

/// Schema of `custody inspect NEW --against OLD --format json`.
const DIFF_SCHEMA: &str = "custody.inspect-diff/v0";

/// `custody inspect NEW --against OLD`.
fn against(args: &InspectArgs, old: &std::path::Path) -> CmdResult {
    let [new] = args.paths.as_slice() else {
        return Err(crate::exit::CliError::bad_input(anyhow::anyhow!(
            "--against compares one package: give exactly one PATH"
        )));
    };
    // Run-time capabilities count too when comparing versions.
    let options = analysis::Options { deep: true };
    let limits = options.limits();
    let read =
        |p: &std::path::Path| archive::read(p, &limits).map_err(crate::exit::CliError::bad_input);
    let (old_c, new_c) = (read(old)?, read(new)?);
    let (old_r, new_r) = (
        analysis::inspect_with(&old_c, options),
        analysis::inspect_with(&new_c, options),
    );
    let d = custody_inspect::diff::compare(&old_c, &old_r, &new_c, &new_r);
    let text = match args.format {
        InspectFormat::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                schema: &'static str,
                #[serde(flatten)]
                diff: &'a custody_inspect::diff::VersionDiff,
            }
            render::json(&Doc {
                schema: DIFF_SCHEMA,
                diff: &d,
            })?
        }
        InspectFormat::Sarif => {
            // The new version's findings that the old one lacked.
            let mut r = new_r.clone();
            r.findings.clone_from(&d.new_findings);
            render::sarif::inspect(&[r], env!("CARGO_PKG_VERSION"))?
        }
        InspectFormat::Table => diff_table(&d),
    };
    output::stdout(&text)?;
    Ok(if d.adds_early_behaviour() {
        Exit::Findings
    } else {
        Exit::Success
    })
}

fn diff_table(d: &custody_inspect::diff::VersionDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({:?}) -> {} ({:?})",
        render::display_path(std::path::Path::new(&d.old)),
        d.old_verdict,
        render::display_path(std::path::Path::new(&d.new)),
        d.new_verdict
    );
    let _ = writeln!(out, "new files: {}", d.added_files.len());
    for f in &d.added_files {
        let mark = if f.kind == "startup-hook" {
            "  <- runs at every Python start-up"
        } else {
            ""
        };
        let _ = writeln!(out, "  + {:<12} {:>9}  {}{mark}", f.kind, f.size, f.path);
    }
    let _ = writeln!(out, "removed files: {}", d.removed_files.len());
    for f in &d.removed_files {
        let _ = writeln!(out, "  - {f}");
    }
    let _ = writeln!(out, "new capabilities: {}", d.new_findings.len());
    for f in &d.new_findings {
        let place = match f.line {
            Some(l) => format!("{}:{l}", f.path),
            None => f.path.clone(),
        };
        let _ = writeln!(
            out,
            "  + {:<30} {:<8} {:<8} {place}\n      {}",
            f.code,
            format!("{:?}", f.level).to_lowercase(),
            format!("{:?}", f.phase).to_lowercase(),
            f.snippet
        );
    }
    out
}

fn table(b: &Batch) -> String {
    let mut out = String::new();
    for r in &b.reports {
        let verdict = match r.verdict {
            Verdict::Malicious => "MALICIOUS",
            Verdict::Suspicious => "SUSPICIOUS",
            Verdict::Clean => "clean",
        };
        let _ = writeln!(
            out,
            "{verdict:<10}  {}  (score {})",
            render::display_path(std::path::Path::new(&r.path)),
            r.score
        );
        for reason in &r.reasons {
            let _ = writeln!(out, "  why: {reason}");
        }
        if r.verdict != Verdict::Clean {
            for f in &r.findings {
                let place = match (f.line, &f.layer) {
                    (Some(l), Some(layer)) => format!("{}:{l} [decoded {layer}]", f.path),
                    (Some(l), None) => format!("{}:{l}", f.path),
                    (None, Some(layer)) => format!("{} [decoded {layer}]", f.path),
                    (None, None) => f.path.clone(),
                };
                let _ = writeln!(
                    out,
                    "  {:<30} {:<8} {:<8} {place}",
                    f.code,
                    format!("{:?}", f.level).to_lowercase(),
                    format!("{:?}", f.phase).to_lowercase()
                );
                let _ = writeln!(out, "      {}", f.snippet);
            }
        }
    }
    for e in &b.errors {
        let _ = writeln!(out, "ERROR       {}: {}", e.path, e.error);
    }
    let count = |v| b.reports.iter().filter(|r| r.verdict == v).count();
    let _ = writeln!(
        out,
        "{} package(s): {} malicious, {} suspicious, {} clean, {} unreadable",
        b.reports.len() + b.errors.len(),
        count(Verdict::Malicious),
        count(Verdict::Suspicious),
        count(Verdict::Clean),
        b.errors.len()
    );
    out
}
