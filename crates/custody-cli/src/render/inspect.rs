//! Tables of `custody inspect` and `custody inspect --against`.

use std::fmt::Write as _;
use std::path::Path;

use custody::inspect::{Verdict, VersionDiff};
use custody::workflow::inspect::InspectBatch;

use super::{display_path, labels};

/// The batch: each package with its verdict and, unless clean, its findings.
pub fn batch(b: &InspectBatch) -> String {
    let mut out = String::new();
    for r in &b.reports {
        let verdict = labels::verdict(r.verdict);
        let _ = writeln!(
            out,
            "{verdict:<10}  {}  (score {})",
            display_path(Path::new(&r.path)),
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
                    labels::level(f.level),
                    labels::phase(f.phase)
                );
                let _ = writeln!(out, "      {}", f.snippet);
            }
        }
    }
    for e in &b.errors {
        let _ = writeln!(out, "ERROR       {}: {}", e.path, e.error);
    }
    let _ = writeln!(
        out,
        "{} package(s): {} malicious, {} suspicious, {} clean, {} unreadable",
        b.reports.len() + b.errors.len(),
        b.count(Verdict::Malicious),
        b.count(Verdict::Suspicious),
        b.count(Verdict::Clean),
        b.errors.len()
    );
    out
}

/// What a new version adds to an old one.
pub fn diff(d: &VersionDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}) -> {} ({})",
        display_path(Path::new(&d.old)),
        labels::verdict_title(d.old_verdict),
        display_path(Path::new(&d.new)),
        labels::verdict_title(d.new_verdict)
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
            labels::level(f.level),
            labels::phase(f.phase),
            f.snippet
        );
    }
    out
}
