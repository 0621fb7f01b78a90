//! `custody report incident`: what an advisory means for this ledger, as
//! a security lead sends it. The impact of the advisory (environments,
//! runs, data exposed and possibly injected, downstream), per run the
//! credentials in scope (by name only: the environment variables it was
//! given, the credential places it could read, what its attestation shows
//! it tried), a timeline, a rotation checklist, and the notification
//! deadlines (GDPR Art. 33, NIS2 Art. 23) from the detection time.
//! Schema `custody.incident/v1`, documented in `docs/deliver.md`.

pub mod credentials;
mod deadlines;
pub mod recheck;

use std::path::Path;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

pub use deadlines::{Deadline, deadlines};
pub use recheck::{Recheck, RecheckError, RecheckRequest};

use crate::ledger::{Impact, LedgerError, Location, Window};
use crate::workflow::impact::{self, ImpactError, ImpactReport, Question};
use crate::workflow::ledger::open_existing;

/// The report's schema.
pub const SCHEMA: &str = "custody.incident/v1";

/// The advisory, as the report states it.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisoryFacts {
    /// Its id.
    pub id: String,
    /// One line.
    pub summary: Option<String>,
    /// Whether it is a malicious-package record.
    pub malicious: bool,
    /// When it was published.
    pub published: Option<String>,
    /// Indicators of compromise, when the record has them.
    pub iocs: Option<Value>,
}

/// One attempt a run's supervisor recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// The call (`connect`, `open`, `exec`, ...).
    pub call: String,
    /// What it targeted.
    pub target: String,
    /// `allowed` or why it was refused.
    pub outcome: String,
    /// How many times.
    pub count: u64,
}

/// What an affected run had in reach.
#[derive(Debug, Clone, Serialize)]
pub struct RunScope {
    /// The run.
    pub id: String,
    /// Its command (JSON text).
    pub command: String,
    /// Start.
    pub started_at: String,
    /// End.
    pub finished_at: String,
    /// The network the sandbox gave it (`none`, or what was allowed).
    pub network: String,
    /// Whether Landlock confined its reads; when not, every credential
    /// place counts as readable.
    pub confined: bool,
    /// Names of the environment variables it was given (values never).
    pub env_names: Vec<String>,
    /// Credential places it could read, and what they hold.
    pub credential_places: Vec<(String, String)>,
    /// What it tried that the sandbox refused.
    pub refused: Vec<Attempt>,
    /// Everything it tried, as recorded (allowed too).
    pub attempts: Vec<Attempt>,
}

/// A point in time.
#[derive(Debug, Clone, Serialize)]
pub struct Moment {
    /// When (RFC 3339).
    pub at: String,
    /// What.
    pub what: String,
}

/// Something to do.
#[derive(Debug, Clone, Serialize)]
pub struct Task {
    /// What.
    pub what: String,
    /// Why.
    pub why: String,
}

/// An affected release and when it went live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Release {
    /// The package.
    pub name: String,
    /// The version.
    pub version: String,
    /// When its newest file was uploaded, by a recorded lockfile
    /// inventory (inventories keep the newest file's time, which the
    /// cooldown rules need): the release was live by then. The earliest
    /// any inventory gives; `None` when none holds one.
    pub uploaded_at: Option<String>,
}

/// Counts for the summary.
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    /// Environments holding an affected version.
    pub environments: usize,
    /// Runs in them within the window.
    pub runs: usize,
    /// Artifacts those runs read.
    pub exposed: usize,
    /// Artifacts those runs wrote.
    pub written: usize,
    /// Artifacts built from them.
    pub downstream: usize,
    /// Runs that had network access.
    pub runs_with_network: usize,
    /// Distinct credential names and places in scope.
    pub credentials_in_scope: usize,
}

/// The report.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentReport {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// When it was made.
    pub generated_at: Timestamp,
    /// The ledger, without a password.
    pub ledger: String,
    /// The advisory.
    pub advisory: AdvisoryFacts,
    /// When the incident was detected (the deadlines run from it).
    pub detected_at: Timestamp,
    /// Counts.
    pub counts: Counts,
    /// Notification deadlines.
    pub deadlines: Vec<Deadline>,
    /// What happened when.
    pub timeline: Vec<Moment>,
    /// The impact: environments, runs, exposed, written (with changes),
    /// downstream.
    pub impact: Impact,
    /// Per affected run, what it had in reach.
    pub runs: Vec<RunScope>,
    /// When each affected release was uploaded, where a recorded lockfile
    /// inventory says (OSV records carry no upload times).
    pub releases: Vec<Release>,
    /// Dataset versions to re-verify or recall: what was written and
    /// everything built from it.
    pub recheck: Vec<String>,
    /// Data re-checked against its seal for this report (`--recheck`).
    pub rechecked: Vec<Recheck>,
    /// Deliveries of those versions the ledger knows (bundles recorded by
    /// `custody deliver --record`, decisions by `custody accept --record`).
    pub deliveries: Vec<crate::ledger::DeliveryHit>,
    /// Credentials to rotate and hosts to check.
    pub rotation: Vec<Task>,
}

/// Why there is no report.
#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    /// The advisory or the ledger.
    #[error(transparent)]
    Impact(#[from] ImpactError),
    /// A `--recheck` that names no affected version, or whose data or
    /// stored manifest cannot be read.
    #[error(transparent)]
    Recheck(RecheckError),
}

impl From<crate::workflow::impact::QuestionError> for IncidentError {
    fn from(e: crate::workflow::impact::QuestionError) -> Self {
        Self::Impact(ImpactError::Question(e))
    }
}

impl From<RecheckError> for IncidentError {
    fn from(e: RecheckError) -> Self {
        match e {
            RecheckError::Ledger(e) => e.into(),
            e => Self::Recheck(e),
        }
    }
}

impl From<LedgerError> for IncidentError {
    fn from(e: LedgerError) -> Self {
        Self::Impact(ImpactError::Ledger(e))
    }
}

/// What to report on.
#[derive(Debug, Clone, Copy)]
pub struct IncidentRequest<'a> {
    /// The ledger.
    pub location: &'a Location,
    /// The advisory id.
    pub advisory: &'a str,
    /// When it was detected.
    pub detected_at: Timestamp,
    /// Data to verify against the seals of the affected versions.
    pub rechecks: &'a [RecheckRequest],
    /// The custody home (advisories).
    pub home: &'a Path,
    /// Now.
    pub now: Timestamp,
}

/// The incident report for an advisory.
///
/// # Errors
/// An unknown advisory, a ledger that cannot be opened or read, or a
/// `--recheck` that cannot be made.
pub fn report(
    req: &IncidentRequest<'_>,
    progress: &dyn crate::workflow::progress::ByteProgress,
) -> Result<IncidentReport, IncidentError> {
    let IncidentRequest {
        location,
        advisory: id,
        detected_at,
        home,
        now,
        ..
    } = *req;
    let question = Question::Advisory { id: id.to_owned() };
    let ImpactReport {
        impact, summary, ..
    } = impact::impact(location, &question, &Window::default(), home, now)?;
    let adv = impact::advisory(home, id)?;
    let mut ledger = open_existing(location)?;
    let rechecked = recheck::recheck(&mut ledger, &impact, req.rechecks, progress)?;
    let releases = releases(&mut ledger, &impact)?;
    let mut runs = Vec::new();
    for r in &impact.runs {
        let predicate = ledger.run_predicate(&r.id)?.unwrap_or(Value::Null);
        runs.push(scope(r, &predicate));
    }
    let advisory = AdvisoryFacts {
        id: adv.id.clone(),
        summary: summary.or(adv.summary.clone()),
        malicious: adv.is_malicious(),
        published: adv.published.clone(),
        iocs: adv.iocs().cloned(),
    };
    let recheck = impact
        .written
        .iter()
        .chain(&impact.downstream)
        .flat_map(|a| {
            if a.datasets.is_empty() {
                vec![format!("{} (sha256 {}, not sealed)", a.name, a.digest)]
            } else {
                a.datasets
                    .iter()
                    .map(|d| format!("{}@sha256:{}", d.name, d.root))
                    .collect()
            }
        })
        .collect();
    let roots: std::collections::BTreeSet<&str> = impact
        .written
        .iter()
        .chain(&impact.downstream)
        .flat_map(|a| a.datasets.iter().map(|d| d.root.as_str()))
        .collect();
    let mut deliveries = Vec::new();
    for root in roots {
        deliveries.extend(ledger.deliveries_of(root)?);
    }
    let rotation = rotation(&runs, &advisory);
    let counts = Counts {
        environments: impact.environments.len(),
        runs: impact.runs.len(),
        exposed: impact.exposed.len(),
        written: impact.written.len(),
        downstream: impact.downstream.len(),
        runs_with_network: runs.iter().filter(|r| r.network != "none").count(),
        credentials_in_scope: rotation.len(),
    };
    Ok(IncidentReport {
        schema: SCHEMA,
        generated_at: now,
        ledger: location.display(),
        timeline: timeline(&impact, &advisory, &releases, &rechecked, detected_at),
        deadlines: deadlines(detected_at),
        advisory,
        detected_at,
        counts,
        impact,
        runs,
        releases,
        recheck,
        rechecked,
        deliveries,
        rotation,
    })
}

/// The affected releases with the earliest upload time any recorded
/// inventory of an affected environment gives them.
fn releases(
    ledger: &mut crate::ledger::Ledger,
    impact: &Impact,
) -> Result<Vec<Release>, LedgerError> {
    let mut out: Vec<Release> = impact
        .packages
        .iter()
        .map(|p| Release {
            name: p.name.clone(),
            version: p.version.clone(),
            uploaded_at: None,
        })
        .collect();
    let ids: std::collections::BTreeSet<&str> =
        impact.environments.iter().map(|e| e.id.as_str()).collect();
    for id in ids {
        for body in ledger.inventory_documents_of_environment(id)? {
            let Ok(crate::ledger::ingest::Document::Inventory(scan)) =
                crate::ledger::ingest::open_stored_document(&body)
            else {
                continue;
            };
            for (name, version, at) in scan.sources.iter().flat_map(|s| &s.uploads) {
                for r in out
                    .iter_mut()
                    .filter(|r| r.name == *name && r.version == *version)
                {
                    let earlier = r
                        .uploaded_at
                        .as_ref()
                        .is_none_or(|t| at.parse::<Timestamp>().ok() < t.parse::<Timestamp>().ok());
                    if earlier {
                        r.uploaded_at = Some(at.clone());
                    }
                }
            }
        }
    }
    Ok(out)
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// What the attestation of run `r` says it had in reach.
fn scope(r: &crate::ledger::RunHit, predicate: &Value) -> RunScope {
    let build = &predicate["buildDefinition"];
    let policy = &build["internalParameters"]["policy"];
    // Without Landlock enforced the read list says nothing: everything
    // the user could read was in reach.
    let confined = predicate["runDetails"]["byproducts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["name"] == "enforced")
        .any(|b| {
            b["annotations"]["setup_error"].is_null()
                && b["annotations"]["enforced"]["landlock"]
                    .as_str()
                    .is_some_and(|l| !l.is_empty() && l != "none")
        });
    let readable: Vec<String> = if confined {
        policy["read"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        vec!["/".to_owned()]
    };
    let env_names = build["externalParameters"]["env"]
        .as_array()
        .map(|a| a.iter().map(text).collect())
        .unwrap_or_default();
    let mut attempts = Vec::new();
    for b in predicate["runDetails"]["byproducts"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if b["name"] != "attempts" {
            continue;
        }
        for a in b["annotations"]["attempts"]
            .as_array()
            .into_iter()
            .flatten()
        {
            attempts.push(Attempt {
                call: text(&a["call"]),
                target: text(&a["target"]),
                outcome: text(&a["outcome"]),
                count: a["count"].as_u64().unwrap_or(1),
            });
        }
    }
    let refused = attempts
        .iter()
        .filter(|a| a.outcome != "allowed")
        .cloned()
        .collect();
    RunScope {
        id: r.id.clone(),
        command: r.command.clone(),
        started_at: r.started_at.clone(),
        finished_at: r.finished_at.clone(),
        network: policy["net"].as_str().unwrap_or("unknown").to_owned(),
        confined,
        env_names,
        credential_places: credentials::in_scope(&readable)
            .into_iter()
            .map(|(p, h)| (p, h.to_owned()))
            .collect(),
        refused,
        attempts,
    }
}

/// Every environment variable name and credential place any affected run
/// had, once, then the advisory's indicators to look for.
fn rotation(runs: &[RunScope], advisory: &AdvisoryFacts) -> Vec<Task> {
    let mut tasks: Vec<Task> = Vec::new();
    let mut push = |what: String, why: String| {
        if !tasks.iter().any(|t| t.what == what) {
            tasks.push(Task { what, why });
        }
    };
    for r in runs {
        let short = r.id.get(..12).unwrap_or(&r.id);
        for n in &r.env_names {
            push(
                format!("rotate the secret in environment variable {n}"),
                format!("run {short} was given it"),
            );
        }
        for (p, holds) in &r.credential_places {
            push(
                format!("rotate what {p} holds ({holds})"),
                format!("run {short} could read it"),
            );
        }
    }
    let before = tasks.len();
    if let Some(iocs) = &advisory.iocs {
        for (kind, what) in [("files", "look for"), ("domains", "search egress logs for")] {
            for v in iocs[kind].as_array().into_iter().flatten() {
                tasks.push(Task {
                    what: format!("{what} {}", text(v)),
                    why: format!("an indicator of {}", advisory.id),
                });
            }
        }
    }
    if before == 0 && !runs.is_empty() {
        tasks.insert(
            0,
            Task {
                what: "no credential was in reach of an affected run by its attestation".into(),
                why: "the runs were given no environment variables and could read no credential place"
                    .into(),
            },
        );
    }
    tasks
}

fn timeline(
    impact: &Impact,
    advisory: &AdvisoryFacts,
    releases: &[Release],
    rechecked: &[Recheck],
    detected: Timestamp,
) -> Vec<Moment> {
    let mut t: Vec<Moment> = rechecked
        .iter()
        .map(|c| Moment {
            at: c.checked_at.to_string(),
            what: format!(
                "{}@{} re-checked at {}: {}",
                c.dataset,
                &c.root[..c.root.len().min(12)],
                c.path,
                if c.identical {
                    "the sealed bytes"
                } else {
                    "differs from its seal"
                }
            ),
        })
        .collect();
    for r in releases {
        if let Some(at) = &r.uploaded_at {
            t.push(Moment {
                at: at.clone(),
                what: format!(
                    "{} {} uploaded (its newest file, by a recorded lockfile inventory): the release was live by then",
                    r.name, r.version
                ),
            });
        }
    }
    for r in &impact.runs {
        let short = r.id.get(..12).unwrap_or(&r.id);
        t.push(Moment {
            at: r.started_at.clone(),
            what: format!("run {short} started in an affected environment"),
        });
    }
    for a in &impact.written {
        for d in &a.datasets {
            t.push(Moment {
                at: d.sealed_at.clone(),
                what: format!(
                    "{}@{} (written by an affected run) recorded",
                    d.name,
                    &d.root[..d.root.len().min(12)]
                ),
            });
        }
    }
    if let Some(p) = &advisory.published {
        t.push(Moment {
            at: p.clone(),
            what: format!("{} published", advisory.id),
        });
    }
    t.push(Moment {
        at: detected.to_string(),
        what: "detected: the notification clocks start".into(),
    });
    t.sort_by_key(|m| m.at.parse::<Timestamp>().ok());
    t
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::scope;
    use crate::ledger::RunHit;

    fn run() -> RunHit {
        RunHit {
            id: "a".repeat(64),
            environment: "e".into(),
            command: "[]".into(),
            started_at: "2026-03-24T10:00:00Z".into(),
            finished_at: "2026-03-24T10:05:00Z".into(),
            path: Vec::new(),
        }
    }

    fn predicate(landlock: &str) -> serde_json::Value {
        json!({
            "buildDefinition": {
                "externalParameters": {"env": ["AWS_SECRET_ACCESS_KEY"]},
                "internalParameters": {"policy": {"net": "none", "read": ["/usr", "/data/in"]}},
            },
            "runDetails": {"byproducts": [
                {"name": "enforced", "annotations": {"enforced": {"landlock": landlock}, "setup_error": null}},
                {"name": "attempts", "annotations": {"attempts": [
                    {"call": "open", "target": "/root/.aws/credentials", "outcome": "refused: outside the policy", "count": 2},
                    {"call": "exec", "target": "/usr/bin/python3", "outcome": "allowed", "count": 1},
                ]}},
            ]},
        })
    }

    #[test]
    fn a_confined_run_had_only_its_read_list_in_reach() {
        let s = scope(&run(), &predicate("full"));
        assert!(s.confined);
        assert!(s.credential_places.is_empty(), "{:?}", s.credential_places);
        assert_eq!(s.env_names, ["AWS_SECRET_ACCESS_KEY"]);
        assert_eq!(s.refused.len(), 1);
        assert_eq!(s.refused[0].target, "/root/.aws/credentials");
    }

    #[test]
    fn an_unconfined_run_had_every_credential_place_in_reach() {
        for landlock in ["none", ""] {
            let s = scope(&run(), &predicate(landlock));
            assert!(!s.confined);
            let places: Vec<&str> = s
                .credential_places
                .iter()
                .map(|(p, _)| p.as_str())
                .collect();
            assert!(
                places.contains(&"~/.ssh") && places.contains(&"/etc/shadow"),
                "{places:?}"
            );
        }
        let s = scope(&run(), &json!({}));
        assert!(!s.confined, "no enforcement record is not confinement");
    }
}
