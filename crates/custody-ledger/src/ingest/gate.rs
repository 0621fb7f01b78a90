//! A vetting index's decisions (`custody index serve`, `custody guard`,
//! `custody index mirror` with `--ledger`): an in-toto statement of
//! predicate type [`INDEX_DECISIONS_PREDICATE`] whose subjects are the
//! files the index served (or mirrored), so an environment's provenance
//! can show that what it holds passed the gate.
//!
//! ```json
//! {"_type": "https://in-toto.io/Statement/v1",
//!  "subject": [{"name": "idna-2.7-py2.py3-none-any.whl", "digest": {"sha256": "…"}}],
//!  "predicateType": "https://custody.dev/index-decisions/v1",
//!  "predicate": {
//!    "index": {"upstream": "https://pypi.org/simple/",
//!              "policy": {"min-age": "3d", "suspicious": "block",
//!                         "block-severity": null, "allows": 0}},
//!    "session": {"kind": "guard", "started": "…", "ended": "…"},
//!    "decisions": [{"time": "…", "action": "allowed", "code": "allowed",
//!                   "reason": "…", "project": "idna", "version": "2.7",
//!                   "filename": "idna-2.7-py2.py3-none-any.whl",
//!                   "sha256": "…", "status": 200, "inspected": true}]}}
//! ```
//!
//! The subjects are exactly the files of the `allowed` decisions answered
//! with 200 (by name and sha256), checked here: a statement whose
//! subjects and decisions disagree is refused even when its signature is
//! good. Decisions about no release (a request path refused, an upstream
//! page that failed) are kept in the document and not stored as rows.

use std::collections::BTreeSet;

use serde::Deserialize;

pub use custody_seal::open::INDEX_DECISIONS_PREDICATE;

use crate::backend::Value;
use crate::error::Refusal;
use crate::graph::{Fact, GATE_DECISIONS};
use crate::ingest::attestation::normalize;
use crate::log::Event;

#[derive(Deserialize)]
struct Session {
    kind: String,
    started: String,
    ended: String,
}

/// One decision as the index's log writes it.
#[derive(Debug, Clone, Deserialize)]
struct Line {
    time: String,
    action: String,
    code: String,
    #[serde(default)]
    reason: String,
    project: Option<String>,
    version: Option<String>,
    filename: Option<String>,
    sha256: Option<String>,
    status: Option<u16>,
}

#[derive(Deserialize)]
struct Predicate {
    session: Session,
    decisions: Vec<Line>,
}

/// One stored decision about a release or one of its files.
#[derive(Debug, Clone)]
pub struct Decided {
    /// Its place among the document's decisions.
    pub position: i64,
    /// The project (PEP 503 name).
    pub project: String,
    /// The release.
    pub version: String,
    /// The file ('' when about the release).
    pub filename: String,
    /// The file's sha256 ('' when none).
    pub sha256: String,
    /// `allowed`, `hidden`, `refused` or `fault`.
    pub action: String,
    /// The rule's stable code.
    pub code: String,
    /// One line.
    pub reason: String,
    /// The HTTP status answered (0: none).
    pub status: i64,
    /// When, RFC 3339.
    pub decided_at: String,
}

/// An index session's decisions, checked.
#[derive(Debug, Clone)]
pub struct Gate {
    /// `serve`, `guard` or `mirror`.
    pub kind: String,
    /// Decisions about a release, in order.
    pub decisions: Vec<Decided>,
}

const ACTIONS: &[&str] = &["allowed", "hidden", "refused", "fault"];
const KINDS: &[&str] = &["serve", "guard", "mirror"];

impl Gate {
    /// Reads a verified statement.
    pub fn parse(statement: &custody_seal::manifest::Statement) -> Result<Self, Refusal> {
        let bad = |m: String| Refusal::Malformed(format!("index decisions: {m}"));
        let p: Predicate =
            serde_json::from_value(statement.predicate.clone()).map_err(|e| bad(e.to_string()))?;
        if !KINDS.contains(&p.session.kind.as_str()) {
            return Err(bad(format!(
                "session kind {:?} is none of serve, guard, mirror",
                p.session.kind
            )));
        }
        for (what, t) in [("started", &p.session.started), ("ended", &p.session.ended)] {
            t.parse::<jiff::Timestamp>()
                .map_err(|e| bad(format!("session {what} {t:?}: {e}")))?;
        }
        let mut served = BTreeSet::new();
        let mut decisions = Vec::new();
        for (i, d) in p.decisions.into_iter().enumerate() {
            if !ACTIONS.contains(&d.action.as_str()) {
                return Err(bad(format!("decision {i}: action {:?}", d.action)));
            }
            d.time
                .parse::<jiff::Timestamp>()
                .map_err(|e| bad(format!("decision {i}: time {:?}: {e}", d.time)))?;
            if d.action == "allowed" && d.status == Some(200) {
                let (Some(f), Some(h)) = (&d.filename, &d.sha256) else {
                    return Err(bad(format!(
                        "decision {i}: a file served without its name and sha256"
                    )));
                };
                served.insert((f.clone(), h.clone()));
            }
            let (Some(project), Some(version)) = (&d.project, &d.version) else {
                continue;
            };
            decisions.push(Decided {
                position: i64::try_from(i).unwrap_or(i64::MAX),
                project: normalize(project),
                version: version.clone(),
                filename: d.filename.clone().unwrap_or_default(),
                sha256: d.sha256.clone().unwrap_or_default(),
                action: d.action,
                code: d.code,
                reason: d.reason,
                status: i64::from(d.status.unwrap_or(0)),
                decided_at: d.time,
            });
        }
        let subjects: BTreeSet<(String, String)> = statement
            .subject
            .iter()
            .map(|s| {
                let h = s.digest.get("sha256").cloned().unwrap_or_default();
                (s.name.clone(), h)
            })
            .collect();
        if subjects != served {
            return Err(bad(format!(
                "the subjects ({} files) are not the files the decisions served ({}): \
                 each served file must be a subject, by name and sha256, and nothing else",
                subjects.len(),
                served.len()
            )));
        }
        Ok(Self {
            kind: p.session.kind,
            decisions,
        })
    }

    /// One row per decision about a release.
    pub fn facts(&self, event: &Event) -> Vec<Fact> {
        self.decisions
            .iter()
            .map(|d| Fact {
                table: GATE_DECISIONS,
                row: vec![
                    Value::Int(event.seq),
                    Value::Int(d.position),
                    d.project.as_str().into(),
                    d.version.as_str().into(),
                    d.filename.as_str().into(),
                    d.sha256.as_str().into(),
                    d.action.as_str().into(),
                    d.code.as_str().into(),
                    d.reason.as_str().into(),
                    Value::Int(d.status),
                    d.decided_at.as_str().into(),
                ],
            })
            .collect()
    }
}
