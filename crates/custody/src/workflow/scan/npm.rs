//! Installed npm trees read by a scan are inspected for install-time
//! behaviour (`custody-ecosystems`' `scripts`: lifecycle scripts and the
//! worm patterns), one [`Inspected`] per `node_modules` tree.

use std::path::Path;

use super::{Inspected, NpmStats};
use crate::inspect::{Unread, Verdict};
use crate::inventory::scripts::{self, Level, PackageReport};

/// Finding weights for [`Inspected::score`]: a malicious finding outranks
/// any number of suspicious ones seen in practice.
fn weight(level: Level) -> u32 {
    match level {
        Level::Info => 0,
        Level::Suspicious => 10,
        Level::Malicious => 100,
    }
}

fn verdict(level: Option<Level>) -> Verdict {
    match level {
        Some(Level::Malicious) => Verdict::Malicious,
        Some(Level::Suspicious) => Verdict::Suspicious,
        Some(Level::Info) | None => Verdict::Clean,
    }
}

/// Inspects the tree at `path`; an unreadable `package.json` is the
/// entry's error, the findings so far are not kept (the verdict would be
/// partial).
pub(super) fn inspect(path: &Path) -> Inspected {
    match scripts::inspect_tree(path) {
        Ok(reports) => summary(path, &reports),
        Err(e) => Inspected::failed(path, e.to_string()),
    }
}

fn summary(path: &Path, reports: &[PackageReport]) -> Inspected {
    let mut reasons = Vec::new();
    let mut unread = Vec::new();
    let mut score = 0u32;
    let mut findings = 0;
    for r in reports {
        let who = format!(
            "{} {}",
            r.name.as_deref().unwrap_or("(unnamed)"),
            r.version.as_deref().unwrap_or("(no version)")
        );
        for f in &r.findings {
            findings += 1;
            score = score.saturating_add(weight(f.level));
            if f.level >= Level::Suspicious {
                let line = f.line.map(|l| format!(":{l}")).unwrap_or_default();
                let phase = f.phase.map(|p| format!(", {p}")).unwrap_or_default();
                reasons.push(format!(
                    "{who}: {} [{}] ({}{line}{phase})",
                    f.reason, f.code, f.file
                ));
            }
        }
        for s in &r.skipped {
            unread.push(Unread {
                path: r.dir.join(&s.file).display().to_string(),
                reason: s.reason.clone(),
            });
        }
    }
    Inspected {
        path: path.display().to_string(),
        verdict: verdict(reports.iter().filter_map(|r| r.level).max()),
        score,
        reasons,
        findings,
        error: None,
        unread,
        environment: None,
        npm: Some(NpmStats {
            packages: reports.len(),
            install_scripts: reports.iter().filter(|r| r.level.is_some()).count(),
        }),
    }
}
