//! `custody accept`'s decision as text.

use std::fmt::Write as _;

use custody::workflow::deliver::accept::{AcceptReport, Decision};

/// The decision, then one line per check.
pub fn accept(r: &AcceptReport) -> String {
    let mut s = String::new();
    let what = r.dataset.as_ref().map_or_else(
        || r.bundle.display().to_string(),
        |d| format!("{}@{}:{}", d.name, d.algorithm, d.root),
    );
    let _ = writeln!(
        s,
        "{} {what}",
        match r.decision {
            Decision::Accept => "ACCEPT",
            Decision::Reject => "REJECT",
        }
    );
    for c in &r.checks {
        let _ = writeln!(
            s,
            "  {} {:<15} {}",
            if c.passed { "ok  " } else { "FAIL" },
            c.rule,
            c.detail
        );
    }
    let _ = writeln!(
        s,
        "advisories as of {}; decided {}",
        r.advisories_as_of.as_deref().unwrap_or("(none imported)"),
        r.decided_at
    );
    s
}
