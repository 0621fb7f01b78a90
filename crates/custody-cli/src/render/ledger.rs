//! The ledger's reports as text: `ledger add`, `ledger trust add`,
//! `ledger verify`, `impact` and `lineage`.

use std::fmt::Write as _;

use custody::ledger::{ArtifactHit, ChainFault, DatasetVersion, Edge, Lineage, Step, Window};
use custody::workflow::gated::{GateReport, Passed};
use custody::workflow::impact::{ImpactReport, Question, WindowSource};
use custody::workflow::ledger::{
    AddReport, FileOutcome, LedgerVerifyReport, RecordReport, TrustReport,
};

fn outcome(o: &FileOutcome) -> String {
    match o {
        FileOutcome::Stored { seq } => format!("stored (event {seq})"),
        FileOutcome::AlreadyStored { seq } => format!("already stored (event {seq})"),
        FileOutcome::Refused { reason } => format!("refused: {reason}"),
    }
}

/// One line per file, then the ledger.
pub fn add(r: &AddReport) -> String {
    let mut s = String::new();
    for f in &r.files {
        let _ = writeln!(s, "{}: {}", f.path.display(), outcome(&f.outcome));
    }
    let _ = writeln!(s, "ledger: {}", r.ledger);
    s
}

/// `--record`'s one line.
pub fn record(r: &RecordReport) -> String {
    format!(
        "recorded {} in the ledger {}: {}",
        r.path.display(),
        r.ledger,
        outcome(&r.outcome)
    )
}

/// The key and its event.
pub fn trust(r: &TrustReport) -> String {
    let what = match &r.outcome {
        FileOutcome::Stored { seq } => format!("trusted (event {seq})"),
        FileOutcome::AlreadyStored { seq } => format!("already trusted (event {seq})"),
        FileOutcome::Refused { reason } => format!("refused: {reason}"),
    };
    format!("{}: {what}\nledger: {}\n", r.path.display(), r.ledger)
}

fn chain_fault(f: &ChainFault) -> String {
    match f {
        ChainFault::Edited { seq } => {
            format!("event {seq} was edited (its hash no longer matches)")
        }
        ChainFault::Deleted {
            missing_from,
            missing_to,
        } => format!("events {missing_from}..={missing_to} were deleted"),
        ChainFault::Reordered { seq, written_at } => {
            format!("event {seq} was written at {written_at} (reordered)")
        }
        ChainFault::Unlinked { seq } => {
            format!("event {seq} does not follow its predecessor")
        }
        ChainFault::Unreadable { seq, reason } => format!("event {seq} is unreadable: {reason}"),
    }
}

/// The verdict, then every fault.
pub fn verify(r: &LedgerVerifyReport) -> String {
    let v = &r.report;
    let mut s = format!(
        "ledger: {}\nevents: {}  head: {}  checkpoints: {}\n",
        r.ledger, v.events, v.head, v.checkpoints
    );
    if let Some(f) = &v.chain {
        let _ = writeln!(s, "FAULT chain: {}", chain_fault(f));
    }
    for t in &v.tables {
        let _ = writeln!(
            s,
            "FAULT table {}: row {} stored {} expected {}",
            t.table,
            t.key.join("/"),
            t.stored
                .as_ref()
                .map_or_else(|| "(none)".to_owned(), |r| r.join("/")),
            t.expected
                .as_ref()
                .map_or_else(|| "(none)".to_owned(), |r| r.join("/")),
        );
    }
    for c in &v.checkpoint_faults {
        let _ = writeln!(s, "FAULT checkpoint: {c:?}");
    }
    s.push_str(if r.ok { "ok\n" } else { "FAULTS FOUND\n" });
    s
}

fn step(st: &Step) -> String {
    match st {
        Step::Package { name, version } => format!("{name}=={version}"),
        Step::Environment { prefix, .. } => format!("env {prefix}"),
        Step::Run { id } => format!("run {}", short(id)),
        Step::Read { digest } => format!("read {}", short(digest)),
        Step::Wrote { digest } => format!("wrote {}", short(digest)),
    }
}

fn short(d: &str) -> &str {
    let hex = d.rsplit_once(':').map_or(d, |(_, h)| h);
    d.get(..d.len() - hex.len() + hex.len().min(12))
        .unwrap_or(d)
}

fn path(p: &[Step]) -> String {
    p.iter().map(step).collect::<Vec<_>>().join(" -> ")
}

fn datasets(d: &[DatasetVersion]) -> String {
    d.iter()
        .map(|v| format!("{}@{}", v.name, v.root))
        .collect::<Vec<_>>()
        .join(", ")
}

fn artifacts(s: &mut String, title: &str, hits: &[ArtifactHit]) {
    let _ = writeln!(s, "{title}: {}", hits.len());
    for a in hits {
        let sealed = if a.datasets.is_empty() {
            String::new()
        } else {
            format!("  [{}]", datasets(&a.datasets))
        };
        let _ = writeln!(s, "  {} {}{sealed}", a.name, a.digest);
        for c in &a.changes {
            let _ = writeln!(
                s,
                "    vs {}@{} (sealed {}): {} record(s) differ{}; files +{} -{} ~{}",
                c.previous.name,
                short(&c.previous.root),
                c.previous.sealed_at,
                c.records_differing,
                if c.unindexed {
                    " (some files without a record index)"
                } else {
                    ""
                },
                c.files_added,
                c.files_removed,
                c.files_modified
            );
        }
        let _ = writeln!(s, "    via {}", path(&a.path));
    }
}

fn window(w: &Window, source: WindowSource) -> String {
    let side =
        |t: Option<jiff::Timestamp>, open: &str| t.map_or(open.to_owned(), |t| t.to_string());
    let text = format!(
        "{} .. {}",
        side(w.since, "the beginning"),
        side(w.until, "now")
    );
    match source {
        WindowSource::Given => text,
        WindowSource::AdvisoryOpen => {
            format!("{text} (every run in an affected environment: none can predate the upload)")
        }
    }
}

/// The question, the versions found, the window; environments, runs,
/// then the artifacts, each with its path.
pub fn impact(report: &ImpactReport) -> String {
    let r = &report.impact;
    let mut s = match &report.question {
        Question::Package { name, specifier } if specifier.is_empty() => {
            format!("package: {name} (every version)\n")
        }
        Question::Package { name, specifier } => format!("package: {name}{specifier}\n"),
        Question::Advisory { id } => format!(
            "advisory: {id}{}\n",
            report
                .summary
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default()
        ),
    };
    let versions: Vec<String> = r
        .packages
        .iter()
        .map(|p| format!("{}=={}", p.name, p.version))
        .collect();
    let _ = writeln!(
        s,
        "versions in the ledger: {}",
        if versions.is_empty() {
            "none".to_owned()
        } else {
            versions.join(", ")
        }
    );
    let _ = writeln!(s, "window: {}", window(&r.window, report.window_source));
    let _ = writeln!(s, "environments: {}", r.environments.len());
    for e in &r.environments {
        let _ = writeln!(s, "  {} {}=={}", e.prefix, e.name, e.version);
    }
    let _ = writeln!(s, "runs: {}", r.runs.len());
    for run in &r.runs {
        let _ = writeln!(
            s,
            "  {} {} {}..{}",
            short(&run.id),
            run.command,
            run.started_at,
            run.finished_at
        );
        let _ = writeln!(s, "    via {}", path(&run.path));
    }
    artifacts(
        &mut s,
        "exposed (read by those runs: possibly exfiltrated)",
        &r.exposed,
    );
    artifacts(
        &mut s,
        "written by those runs (possibly injected)",
        &r.written,
    );
    artifacts(
        &mut s,
        "downstream (built from what they wrote)",
        &r.downstream,
    );
    s
}

fn edges(s: &mut String, title: &str, edges: &[Edge]) {
    let _ = writeln!(s, "{title}: {}", edges.len());
    for e in edges {
        let sealed = if e.datasets.is_empty() {
            String::new()
        } else {
            format!("  [{}]", datasets(&e.datasets))
        };
        let _ = writeln!(
            s,
            "  depth {} run {}: read {} {} -> wrote {} {}{sealed}",
            e.depth,
            short(&e.run),
            e.read.0,
            short(&e.read.1),
            e.wrote.0,
            short(&e.wrote.1)
        );
    }
}

/// The version as sealed, then its edges.
pub fn lineage(r: &Lineage) -> String {
    let mut s = format!("dataset: {}@{}\n", r.dataset, r.root);
    match &r.sealed {
        Some(v) => {
            let _ = writeln!(s, "sealed: {} file(s) at {}", v.file_count, v.sealed_at);
        }
        None => s.push_str("sealed: not in the ledger\n"),
    }
    edges(&mut s, "upstream", &r.upstream);
    edges(&mut s, "downstream", &r.downstream);
    s
}

/// `ledger gate`: one line per package, its verdict and the decisions
/// behind it, then the count.
pub fn gate(r: &GateReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "environment {} ({}), ledger {}",
        r.environment.prefix,
        short(&r.environment.id),
        r.ledger
    );
    let width = r
        .packages
        .iter()
        .map(|p| p.name.len() + p.version.len() + 1)
        .max()
        .unwrap_or(0);
    for p in &r.packages {
        let release = format!("{} {}", p.name, p.version);
        let verdict = match p.gate {
            Passed::Allowed => "allowed",
            Passed::Refused => "REFUSED",
            Passed::None => "NONE",
        };
        if p.decisions.is_empty() {
            let _ = writeln!(
                s,
                "  {release:width$}  {verdict:7}  no decision: installed without passing the gate"
            );
        }
        for d in &p.decisions {
            let what = if d.action == "allowed" {
                format!("{} sha256 {}", d.filename, short(&d.sha256))
            } else {
                format!("{} {}: {}", d.action, d.code, d.reason)
            };
            let _ = writeln!(
                s,
                "  {release:width$}  {verdict:7}  {what} ({}, event {})",
                d.decided_at, d.event_seq
            );
        }
    }
    let (allowed, refused, none) = r.counts();
    let _ = writeln!(
        s,
        "{} package(s): {allowed} allowed, {refused} refused, {none} without a decision: {}",
        r.packages.len(),
        if r.passed {
            "everything passed the gate"
        } else {
            "NOT everything passed the gate"
        }
    );
    s
}

#[cfg(test)]
mod tests {
    use custody::ledger::{
        ArtifactHit, Change, DatasetVersion, EnvironmentHit, Impact, PackageVersion, RunHit, Step,
        Window,
    };
    use custody::workflow::impact::{ImpactReport, Question, WindowSource};

    fn version(name: &str, root: &str) -> DatasetVersion {
        DatasetVersion {
            name: name.into(),
            root: root.repeat(64),
            file_count: 1,
            sealed_at: "2026-03-24T09:00:00Z".into(),
        }
    }

    /// The story's answer: one environment, one run, what it read, wrote
    /// (with its change) and what was built from it.
    pub fn report() -> ImpactReport {
        let package = Step::Package {
            name: "litellm".into(),
            version: "1.82.8".into(),
        };
        let env = Step::Environment {
            id: "e".repeat(64),
            prefix: "/srv/venv".into(),
        };
        let run = Step::Run { id: "a".repeat(64) };
        let base = vec![package, env, run];
        let with = |extra: Vec<Step>| {
            let mut p = base.clone();
            p.extend(extra);
            p
        };
        let wrote = Step::Wrote {
            digest: "2".repeat(64),
        };
        ImpactReport {
            ledger: "/h/ledger.db".into(),
            question: Question::Advisory {
                id: "MAL-2026-2144".into(),
            },
            summary: Some("Malicious code in litellm (PyPI)".into()),
            window_source: WindowSource::AdvisoryOpen,
            changes_omitted: 0,
            impact: Impact {
                packages: vec![PackageVersion::new("litellm", "1.82.8")],
                window: Window {
                    since: None,
                    until: Some("2026-03-25T00:00:00Z".parse().unwrap()),
                },
                environments: vec![EnvironmentHit {
                    id: "e".repeat(64),
                    prefix: "/srv/venv".into(),
                    name: "litellm".into(),
                    version: "1.82.8".into(),
                }],
                runs: vec![RunHit {
                    id: "a".repeat(64),
                    environment: "e".repeat(64),
                    command: r#"["/srv/venv/bin/python","curate.py"]"#.into(),
                    started_at: "2026-03-24T10:00:00Z".into(),
                    finished_at: "2026-03-24T10:05:00Z".into(),
                    path: base.clone(),
                }],
                exposed: vec![ArtifactHit {
                    name: "raw".into(),
                    digest: "1".repeat(64),
                    datasets: vec![version("raw", "1")],
                    changes: vec![],
                    path: with(vec![Step::Read {
                        digest: "1".repeat(64),
                    }]),
                }],
                written: vec![ArtifactHit {
                    name: "clean".into(),
                    digest: "2".repeat(64),
                    datasets: vec![version("clean", "2")],
                    changes: vec![Change {
                        previous: version("clean", "0"),
                        files_added: 0,
                        files_removed: 0,
                        files_modified: 1,
                        records_differing: 2,
                        unindexed: false,
                    }],
                    path: with(vec![wrote.clone()]),
                }],
                downstream: vec![ArtifactHit {
                    name: "train".into(),
                    digest: "3".repeat(64),
                    datasets: vec![version("train", "3")],
                    changes: vec![],
                    path: with(vec![
                        wrote,
                        Step::Run { id: "b".repeat(64) },
                        Step::Wrote {
                            digest: "3".repeat(64),
                        },
                    ]),
                }],
            },
        }
    }

    #[test]
    fn impact_as_text() {
        insta::assert_snapshot!(super::impact(&report()));
    }

    #[test]
    fn impact_as_dot() {
        insta::assert_snapshot!(crate::render::ledger_dot::impact(&report().impact));
    }
}
