//! `custody inspect`.

use std::fmt::Write as _;

use custody_inspect::analysis::{self, Verdict};
use custody_inspect::archive::{self, Limits};
use serde::Serialize;

use crate::cli::{FailOn, InspectArgs, StatusFormat};
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
    let limits = Limits::default();
    let options = analysis::Options { deep: args.deep };
    let mut batch = Batch {
        schema: SCHEMA,
        reports: Vec::new(),
        errors: Vec::new(),
    };
    let progress = output::progress("inspecting");
    for p in &args.paths {
        // One bad package does not stop the batch.
        match archive::read(p, &limits) {
            Ok(contents) => batch
                .reports
                .push(analysis::inspect_with(&contents, options)),
            Err(e) => batch.errors.push(PackageError {
                path: p.display().to_string(),
                error: e.to_string(),
            }),
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    let text = match args.format {
        StatusFormat::Json => render::json(&batch)?,
        StatusFormat::Table => table(&batch),
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
