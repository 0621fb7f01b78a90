//! Plain-text tables for terminals.

use std::fmt::Write as _;

use std::path::Path;

use custody::advisories::IndexStatus;
use custody::inspect::Verdict;
use custody::report::{Finding, ScanReport};
use custody::workflow::db::ImportReport;
use custody::workflow::scan::{Inspected, ScanWithInspection};

use super::{display_path, labels};

fn location(f: &Finding) -> String {
    let first = f
        .locations
        .first()
        .map_or_else(String::new, |o| match o.line {
            Some(l) => format!("{}:{l}", display_path(&o.path)),
            None => display_path(&o.path),
        });
    if f.locations.len() > 1 {
        format!("{first} (+{} more)", f.locations.len() - 1)
    } else {
        first
    }
}

fn render_rows(rows: &[Vec<String>]) -> String {
    let cols = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..cols)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c + 1 == cols {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}  ", w = widths[c]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `custody scan` as text: findings (malicious first), unchecked and
/// ignored packages, what inspection found, then a summary; `implant` (an
/// inspected package judged malicious) fails the result too.
pub fn scan(doc: &ScanWithInspection, implant: bool) -> String {
    let r = &doc.report;
    let mut out = String::new();
    if !r.findings.is_empty() {
        let mut rows = vec![
            [
                "SEVERITY", "PACKAGE", "VERSION", "ADVISORY", "ALIASES", "FIXED IN", "FOUND IN",
            ]
            .map(str::to_owned)
            .to_vec(),
        ];
        for f in &r.findings {
            let sev = if f.malicious {
                "MALICIOUS".to_owned()
            } else {
                f.severity.as_str().to_uppercase()
            };
            rows.push(vec![
                sev,
                f.label(),
                f.version.clone(),
                f.id.clone().unwrap_or_else(|| f.code.to_owned()),
                if f.aliases.is_empty() {
                    "-".into()
                } else {
                    f.aliases.join(", ")
                },
                if f.fixed.is_empty() {
                    "-".into()
                } else {
                    f.fixed.join(", ")
                },
                location(f),
            ]);
        }
        out.push_str(&render_rows(&rows));
        out.push('\n');
        for f in r.findings.iter().filter(|f| f.malicious) {
            let _ = writeln!(out, "MALICIOUS {} {}: {}", f.label(), f.version, f.summary);
            if let Some(iocs) = &f.iocs {
                let _ = writeln!(out, "  indicators: {iocs}");
            }
            let advice = if f.ecosystem.is_some() {
                "its install scripts may already have run: rotate every credential the install could read, then reinstall from a clean lockfile with scripts disabled"
            } else {
                "do not start Python in an environment that has it installed; rebuild it from a clean lockfile"
            };
            let _ = writeln!(out, "  {advice}");
        }
        if r.findings.iter().any(|f| f.malicious) {
            out.push('\n');
        }
    }
    if !r.unchecked.is_empty() {
        let _ = writeln!(out, "NOT CHECKED (exact version unknown):");
        for u in &r.unchecked {
            let loc = match u.location.line {
                Some(l) => format!("{}:{l}", display_path(&u.location.path)),
                None => display_path(&u.location.path),
            };
            let _ = writeln!(out, "  {}  {}  ({loc})", u.label(), u.reason);
        }
        out.push('\n');
    }
    if !r.ignored.is_empty() {
        let _ = writeln!(out, "IGNORED by policy:");
        for f in &r.ignored {
            if let Some(i) = &f.ignore {
                let _ = writeln!(
                    out,
                    "  {} {} {}  until {}: {}",
                    f.label(),
                    f.version,
                    f.id.as_deref().unwrap_or(f.code),
                    i.expires,
                    i.reason
                );
            }
        }
        out.push('\n');
    }
    out.push_str(&inspection(&doc.inspection));
    out.push_str(&summary_line(r, implant));
    out
}

/// A line per inspected environment or archive, with why and what was not read.
fn inspection(items: &[Inspected]) -> String {
    let mut out = String::new();
    for i in items {
        let verdict = match &i.error {
            Some(_) => labels::UNREADABLE,
            None => labels::verdict(i.verdict),
        };
        let shown = display_path(Path::new(&i.path));
        let mut read = i.environment.as_ref().map_or_else(String::new, |e| {
            format!(
                " ({} distributions, {} files; {} from the cache)",
                e.distributions, e.files, e.cached
            )
        });
        if let Some(n) = &i.npm {
            read = format!(
                " ({} packages, {} with install-time scripts)",
                n.packages, n.install_scripts
            );
        }
        if i.npm.is_some() && i.verdict != Verdict::Clean {
            let _ = writeln!(
                out,
                "inspect: {verdict} {shown}{read}: {} findings",
                i.findings
            );
        } else if i.verdict == Verdict::Clean {
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

fn summary_line(r: &ScanReport, implant: bool) -> String {
    let s = &r.summary;
    let sources = r.sources.len();
    let db = if r.database.status.imported {
        format!(
            "{} advisories",
            r.database.status.records + r.database.status.embedded as u64
        )
    } else {
        format!(
            "{} embedded malicious-package records only",
            r.database.status.embedded
        )
    };
    let mut line = format!(
        "Scanned {} package entries from {sources} source(s) against {db}: ",
        s.packages
    );
    if s.findings == 0 {
        let _ = write!(
            line,
            "no known issues in {} checked package versions",
            s.checked
        );
    } else {
        let _ = write!(
            line,
            "{} finding(s) ({} malicious) in {} checked package versions",
            s.findings, s.malicious, s.checked
        );
    }
    if s.unchecked > 0 {
        let _ = write!(line, "; {} NOT checked (see above)", s.unchecked);
    }
    if s.ignored > 0 {
        let _ = write!(line, "; {} ignored by policy", s.ignored);
    }
    line.push('\n');
    if r.fails() {
        let _ = writeln!(
            line,
            "Result: FAIL (malicious, or at or above {})",
            r.fail_on
        );
    } else if implant {
        let _ = writeln!(line, "Result: FAIL (inspection judged a package malicious)");
    }
    line
}

/// `custody db status` as text.
pub fn db_status(st: &IndexStatus, now: jiff::Timestamp) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "database: {}{}",
        st.path.display(),
        if st.imported {
            ""
        } else {
            " (not created yet)"
        }
    );
    if st.sources.is_empty() {
        let _ = writeln!(
            out,
            "sources:  none imported (run `custody db import PATH`)"
        );
    } else {
        let _ = writeln!(out, "sources:");
        let mut rows = vec![
            ["SOURCE", "KIND", "RECORDS", "NEWEST MODIFIED", "IMPORTED"]
                .map(str::to_owned)
                .to_vec(),
        ];
        for s in &st.sources {
            rows.push(vec![
                s.name.clone(),
                s.kind.clone(),
                s.records.to_string(),
                s.newest_modified.clone().unwrap_or_else(|| "-".into()),
                s.imported_at.clone(),
            ]);
        }
        for line in render_rows(&rows).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    let _ = writeln!(
        out,
        "records:  {} imported ({} withdrawn, {} malicious) + {} embedded malicious-package records",
        st.records, st.withdrawn, st.malicious, st.embedded
    );
    if let Some(m) = &st.newest_modified {
        let age = m
            .parse::<jiff::Timestamp>()
            .map(|t| format!(" ({} days old)", now.duration_since(t).as_hours() / 24))
            .unwrap_or_default();
        let _ = writeln!(out, "newest:   {m}{age}");
    }
    out
}

/// `custody db import` as text.
pub fn db_import(r: &ImportReport) -> String {
    let mut text = String::new();
    for (name, read, stored) in &r.sources {
        let _ = writeln!(
            text,
            "imported {name}: {read} records read, {stored} stored"
        );
    }
    if !r.problems.is_empty() {
        let _ = writeln!(
            text,
            "skipped {} malformed record(s) (listed above)",
            r.problems.len()
        );
    }
    let _ = writeln!(text, "database: {}", r.database.display());
    text
}
