//! `custody report incident`: the report as a few kinds of blocks, then
//! those blocks as Markdown or as one self-contained HTML page (inline
//! style, no script, no external resource; every text escaped).

use std::fmt::Write as _;

use custody::ledger::ArtifactHit;
use custody::workflow::incident::IncidentReport;

/// A piece of the document.
pub enum Block {
    /// A heading of level 1-3.
    Heading(u8, String),
    /// A paragraph.
    Para(String),
    /// A table: header and rows.
    Table(Vec<&'static str>, Vec<Vec<String>>),
    /// A bulleted list.
    List(Vec<String>),
    /// A list of boxes to tick.
    Checklist(Vec<String>),
}

fn short(d: &str) -> &str {
    d.get(..12).unwrap_or(d)
}

fn sealed(a: &ArtifactHit) -> String {
    if a.datasets.is_empty() {
        format!("{} (not sealed)", a.name)
    } else {
        a.datasets
            .iter()
            .map(|d| format!("{}@{}", d.name, short(&d.root)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn artifacts(title: &str, hits: &[ArtifactHit], with_change: bool) -> Vec<Block> {
    let mut out = vec![Block::Heading(2, format!("{title} ({})", hits.len()))];
    if hits.is_empty() {
        out.push(Block::Para("None.".into()));
        return out;
    }
    let mut header = vec!["data", "sha256"];
    if with_change {
        header.push("change from the version before");
    }
    header.push("via run");
    let rows = hits
        .iter()
        .map(|a| {
            let mut row = vec![sealed(a), short(&a.digest).to_owned()];
            if with_change {
                row.push(if a.changes.is_empty() {
                    "no earlier version in the ledger".into()
                } else {
                    a.changes
                        .iter()
                        .map(|c| {
                            format!(
                                "{} record(s) differ from {}@{} (files +{} -{} ~{}){}",
                                c.records_differing,
                                c.previous.name,
                                short(&c.previous.root),
                                c.files_added,
                                c.files_removed,
                                c.files_modified,
                                if c.unindexed {
                                    ", some files not indexed"
                                } else {
                                    ""
                                }
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                });
            }
            let run = a
                .path
                .iter()
                .rev()
                .find_map(|s| match s {
                    custody::ledger::Step::Run { id } => Some(short(id).to_owned()),
                    _ => None,
                })
                .unwrap_or_default();
            row.push(run);
            row
        })
        .collect();
    out.push(Block::Table(header, rows));
    out
}

fn summary(r: &IncidentReport) -> Vec<Block> {
    let i = &r.impact;
    let mut b = Vec::new();
    b.push(Block::Heading(2, "Summary".into()));
    let versions: Vec<String> = i
        .packages
        .iter()
        .map(|p| format!("{}=={}", p.name, p.version))
        .collect();
    b.push(Block::List(vec![
        format!(
            "{} environment(s) held {}",
            r.counts.environments,
            if versions.is_empty() {
                "no affected version".to_owned()
            } else {
                versions.join(", ")
            }
        ),
        format!(
            "{} run(s) ran in them; {} had network access",
            r.counts.runs, r.counts.runs_with_network
        ),
        format!(
            "{} artifact(s) exposed (read), {} possibly injected (written), {} downstream",
            r.counts.exposed, r.counts.written, r.counts.downstream
        ),
        format!(
            "{} item(s) on the rotation checklist",
            r.counts.credentials_in_scope
        ),
    ]));
    b
}

fn runs(r: &IncidentReport) -> Vec<Block> {
    let mut b = Vec::new();
    b.push(Block::Heading(
        2,
        format!("Runs in them ({})", r.runs.len()),
    ));
    for run in &r.runs {
        b.push(Block::Heading(3, format!("Run {}", short(&run.id))));
        let none = |v: Vec<String>| {
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(", ")
            }
        };
        b.push(Block::List(vec![
            format!("command: {}", run.command),
            format!("from {} to {}", run.started_at, run.finished_at),
            format!(
                "network: {}; reads {}",
                run.network,
                if run.confined {
                    "confined by Landlock"
                } else {
                    "NOT confined: every credential place counts as readable"
                }
            ),
            format!(
                "environment variables given (names only): {}",
                none(run.env_names.clone())
            ),
            format!(
                "credential places it could read: {}",
                none(
                    run.credential_places
                        .iter()
                        .map(|(p, h)| format!("{p} ({h})"))
                        .collect()
                )
            ),
            format!(
                "refused attempts: {}",
                none(
                    run.refused
                        .iter()
                        .map(|a| format!("{} {} ({}, {}x)", a.call, a.target, a.outcome, a.count))
                        .collect()
                )
            ),
        ]));
    }
    b
}

fn deliveries(r: &IncidentReport) -> Vec<Block> {
    let mut b = Vec::new();
    b.push(Block::Heading(
        2,
        format!("Deliveries to recall ({})", r.deliveries.len()),
    ));
    b.push(if r.deliveries.is_empty() {
        Block::Para("The ledger records no delivery of an affected version.".into())
    } else {
        Block::Table(
            vec!["bundle", "dataset", "made", "decisions"],
            r.deliveries
                .iter()
                .map(|d| {
                    vec![
                        short(&d.bundle).to_owned(),
                        d.name.clone(),
                        d.created_at
                            .clone()
                            .unwrap_or_else(|| "(bundle not in this ledger)".into()),
                        if d.decisions.is_empty() {
                            "none recorded".into()
                        } else {
                            d.decisions
                                .iter()
                                .map(|(what, when)| format!("{what} at {when}"))
                                .collect::<Vec<_>>()
                                .join("; ")
                        },
                    ]
                })
                .collect(),
        )
    });
    b
}

fn rechecked(r: &IncidentReport) -> Vec<Block> {
    let mut b = vec![Block::Heading(
        2,
        format!("Re-checked data ({})", r.rechecked.len()),
    )];
    if r.rechecked.is_empty() {
        b.push(Block::Para(
            "No data was re-checked for this report (`--recheck DATASET=PATH` verifies a copy against its seal)."
                .into(),
        ));
        return b;
    }
    b.push(Block::Table(
        vec!["version", "touched", "data", "checked", "result"],
        r.rechecked
            .iter()
            .map(|c| {
                let result = if c.identical {
                    format!("the sealed bytes ({} file(s))", c.unchanged)
                } else {
                    format!(
                        "DIFFERS: {} modified, {} added, {} removed; records {} changed, {} inserted, {} deleted: {}",
                        c.modified,
                        c.added,
                        c.removed,
                        c.records_changed,
                        c.records_inserted,
                        c.records_deleted,
                        c.differences.join("; ")
                    )
                };
                vec![
                    format!("{}@{}", c.dataset, short(&c.root)),
                    c.role.into(),
                    c.path.clone(),
                    c.checked_at.to_string(),
                    result,
                ]
            })
            .collect(),
    ));
    b
}

/// The re-check list, with what `--recheck` found.
fn to_recheck(r: &IncidentReport) -> Block {
    if r.recheck.is_empty() {
        return Block::Para("Nothing was written by an affected run.".into());
    }
    Block::Checklist(
        r.recheck
            .iter()
            .map(|d| {
                let mut found = String::new();
                for c in r
                    .rechecked
                    .iter()
                    .filter(|c| *d == format!("{}@sha256:{}", c.dataset, c.root))
                {
                    let what = if c.identical {
                        "re-checked: the sealed bytes"
                    } else {
                        "re-checked: DIFFERS from its seal"
                    };
                    let _ = write!(found, "; {} {what}", c.path);
                }
                format!("re-verify or recall {d} (and every delivery of it){found}")
            })
            .collect(),
    )
}

/// The report as blocks.
pub fn blocks(r: &IncidentReport) -> Vec<Block> {
    let i = &r.impact;
    let mut b = vec![Block::Heading(
        1,
        format!("Incident report: {}", r.advisory.id),
    )];
    if let Some(s) = &r.advisory.summary {
        b.push(Block::Para(s.clone()));
    }
    b.push(Block::Para(format!(
        "Detected {}. Generated {} from the ledger {}. {}",
        r.detected_at,
        r.generated_at,
        r.ledger,
        if r.advisory.malicious {
            "The advisory is a malicious-package record: treat every affected environment as compromised."
        } else {
            "The advisory is a vulnerability record."
        }
    )));
    b.extend(summary(r));
    b.push(Block::Heading(2, "Deadlines".into()));
    b.push(Block::Table(
        vec!["due (UTC)", "regime", "what", "basis"],
        r.deadlines
            .iter()
            .map(|d| {
                vec![
                    d.due.to_string(),
                    d.regime.into(),
                    d.what.into(),
                    d.basis.into(),
                ]
            })
            .collect(),
    ));
    b.push(Block::Heading(2, "Timeline".into()));
    b.push(Block::Table(
        vec!["when", "what"],
        r.timeline
            .iter()
            .map(|m| vec![m.at.clone(), m.what.clone()])
            .collect(),
    ));
    b.push(Block::Heading(
        2,
        format!("Affected environments ({})", i.environments.len()),
    ));
    b.push(Block::Table(
        vec!["prefix", "package", "environment id"],
        i.environments
            .iter()
            .map(|e| {
                vec![
                    e.prefix.clone(),
                    format!("{}=={}", e.name, e.version),
                    short(&e.id).into(),
                ]
            })
            .collect(),
    ));
    b.extend(runs(r));
    b.extend(artifacts(
        "Exposed: read by those runs, possibly exfiltrated",
        &i.exposed,
        false,
    ));
    b.extend(artifacts(
        "Possibly injected: written by those runs",
        &i.written,
        true,
    ));
    b.extend(artifacts(
        "Downstream: built from what they wrote",
        &i.downstream,
        true,
    ));
    b.extend(rechecked(r));
    b.extend(deliveries(r));
    b.push(Block::Heading(2, "Re-check or recall".into()));
    b.push(to_recheck(r));
    b.push(Block::Heading(2, "Rotation checklist".into()));
    b.push(Block::Checklist(
        r.rotation
            .iter()
            .map(|t| format!("{} ({})", t.what, t.why))
            .collect(),
    ));
    b
}

/// Text from the ledger (commands, names) as inert Markdown: one line,
/// no HTML, no code spans or emphasis it did not mean.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Markdown; every text escaped (see [`md`]).
pub fn markdown(r: &IncidentReport) -> String {
    let cell = |s: &str| md(s);
    let mut s = String::new();
    for block in blocks(r) {
        match block {
            Block::Heading(level, t) => {
                let _ = writeln!(s, "{} {}\n", "#".repeat(usize::from(level)), md(&t));
            }
            Block::Para(t) => {
                let _ = writeln!(s, "{}\n", md(&t));
            }
            Block::Table(header, rows) => {
                let _ = writeln!(s, "| {} |", header.join(" | "));
                let _ = writeln!(s, "|{}", "---|".repeat(header.len()));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
                    let _ = writeln!(s, "| {} |", cells.join(" | "));
                }
                s.push('\n');
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(s, "- {}", md(&i));
                }
                s.push('\n');
            }
            Block::Checklist(items) => {
                for i in items {
                    let _ = writeln!(s, "- [ ] {}", md(&i));
                }
                s.push('\n');
            }
        }
    }
    s
}

/// `&`, `<`, `>`, `"` and `'` as entities.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;overflow-wrap:anywhere}\
h1{border-bottom:3px solid #b00020;padding-bottom:.3rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;width:100%;font-size:.9rem;table-layout:fixed}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top;word-break:break-all}\
th{background:#f3f3f3}ul.check{list-style:none;padding-left:0}ul.check li::before{content:'\\2610  '}\
code{font-family:ui-monospace,monospace}";

/// One HTML page with everything inline.
pub fn html(r: &IncidentReport) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Incident report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&r.advisory.id)
    );
    for block in blocks(r) {
        match block {
            Block::Heading(level, t) => {
                let _ = writeln!(s, "<h{level}>{}</h{level}>", esc(&t));
            }
            Block::Para(t) => {
                let _ = writeln!(s, "<p>{}</p>", esc(&t));
            }
            Block::Table(header, rows) => {
                s.push_str("<table>\n<thead><tr>");
                for h in header {
                    let _ = write!(s, "<th>{}</th>", esc(h));
                }
                s.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    s.push_str("<tr>");
                    for c in row {
                        let _ = write!(s, "<td>{}</td>", esc(&c));
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</tbody>\n</table>\n");
            }
            Block::List(items) | Block::Checklist(items) if items.is_empty() => {
                s.push_str("<p>None.</p>\n");
            }
            Block::List(items) => {
                s.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(s, "<li>{}</li>", esc(&i));
                }
                s.push_str("</ul>\n");
            }
            Block::Checklist(items) => {
                s.push_str("<ul class=\"check\">\n");
                for i in items {
                    let _ = writeln!(s, "<li>{}</li>", esc(&i));
                }
                s.push_str("</ul>\n");
            }
        }
    }
    s.push_str("</body>\n</html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn markdown_text_is_inert() {
        assert_eq!(
            super::md("a\n<b>`x`|*y*_z_[l](u)\\"),
            "a &lt;b&gt;\\`x\\`\\|\\*y\\*\\_z\\_\\[l\\](u)\\\\"
        );
    }

    #[test]
    fn html_text_is_escaped() {
        assert_eq!(
            esc("<script>\"a\" & 'b'"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;"
        );
    }
}
