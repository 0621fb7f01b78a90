//! `custody ledger gate ENVIRONMENT`: did everything in an environment the
//! ledger knows pass the vetting index? Each package (from a recorded scan
//! inventory or run) with the index decisions recorded for its release:
//! `allowed` (a file of it was served or mirrored after its checks, with
//! the file's sha256 and when), `refused` (only hidden, refused or faulted)
//! or `none` (installed around the gate). Pure judgement in [`judge`].

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use crate::ledger::{GateDecision, KnownEnvironment, LedgerError, Location};

/// Schema of the report.
pub const SCHEMA: &str = "custody.ledger-gate/v1";

/// What the gate recorded for one package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Passed {
    /// A file of this release was served (or mirrored) after its checks.
    Allowed,
    /// The index hid, refused or failed it, and never served it.
    Refused,
    /// No decision about it: installed without passing the gate.
    None,
}

/// One package of the environment.
#[derive(Debug, Clone, Serialize)]
pub struct PackageGate {
    /// Its name (PEP 503).
    pub name: String,
    /// Its version, as installed.
    pub version: String,
    /// The verdict.
    pub gate: Passed,
    /// The decisions behind it: for `allowed`, each file served (first
    /// time); for `refused`, each distinct refusal (first time).
    pub decisions: Vec<GateDecision>,
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
pub struct GateReport {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The ledger, without a password.
    pub ledger: String,
    /// The environment.
    pub environment: KnownEnvironment,
    /// Every package was allowed.
    pub passed: bool,
    /// Its packages, by name.
    pub packages: Vec<PackageGate>,
}

impl GateReport {
    /// How many packages have each verdict: (allowed, refused, none).
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |p: Passed| self.packages.iter().filter(|g| g.gate == p).count();
        (n(Passed::Allowed), n(Passed::Refused), n(Passed::None))
    }
}

/// Why there is no answer.
#[derive(Debug, thiserror::Error)]
pub enum GatedError {
    /// The ledger cannot be used.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The ledger knows no such environment.
    #[error("the ledger {ledger} knows no environment {which:?} (by id or prefix)")]
    UnknownEnvironment {
        /// The ledger.
        ledger: String,
        /// What was asked.
        which: String,
    },
}

/// The gate's record of the environment `which` (an id, or a prefix as
/// `custody scan --record` names it: made absolute).
///
/// # Errors
/// See [`GatedError`].
pub fn gated(location: &Location, which: &str) -> Result<GateReport, GatedError> {
    let mut ledger = crate::workflow::ledger::open_existing(location)?;
    let mut environment = ledger.environment(which)?;
    if environment.is_none()
        && let Ok(absolute) = fs_err::canonicalize(Path::new(which))
    {
        environment = ledger.environment(&absolute.display().to_string())?;
    }
    let environment = environment.ok_or_else(|| GatedError::UnknownEnvironment {
        ledger: location.display(),
        which: which.to_owned(),
    })?;
    let packages = ledger.environment_packages(&environment.id)?;
    let decisions = ledger.gate_decisions(&environment.id)?;
    let packages = judge(&packages, &decisions);
    Ok(GateReport {
        schema: SCHEMA,
        ledger: location.display(),
        passed: packages.iter().all(|p| p.gate == Passed::Allowed),
        environment,
        packages,
    })
}

/// Two versions are the same release: equal as PEP 440 versions, else as
/// text.
fn same_version(a: &str, b: &str) -> bool {
    match (
        custody_pypa::parse_version(a),
        custody_pypa::parse_version(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Each package's verdict from the decisions about its project.
pub fn judge(packages: &[(String, String)], decisions: &[GateDecision]) -> Vec<PackageGate> {
    packages
        .iter()
        .map(|(name, version)| {
            let about: Vec<&GateDecision> = decisions
                .iter()
                .filter(|d| &d.project == name && same_version(&d.version, version))
                .collect();
            let served: Vec<&GateDecision> = about.iter().copied().filter(|d| d.served()).collect();
            let refused: Vec<&GateDecision> = about
                .iter()
                .copied()
                .filter(|d| d.action != "allowed")
                .collect();
            let (gate, shown) = if !served.is_empty() {
                (
                    Passed::Allowed,
                    first_of(&served, |d| (&d.filename, &d.sha256, "")),
                )
            } else if !refused.is_empty() {
                (
                    Passed::Refused,
                    first_of(&refused, |d| (&d.action, &d.code, d.filename.as_str())),
                )
            } else {
                (Passed::None, Vec::new())
            };
            PackageGate {
                name: name.clone(),
                version: version.clone(),
                gate,
                decisions: shown,
            }
        })
        .collect()
}

/// The first decision of each key, in order.
fn first_of<'a, K: Ord + 'a>(
    decisions: &[&'a GateDecision],
    key: impl Fn(&'a GateDecision) -> K,
) -> Vec<GateDecision> {
    let mut seen = BTreeSet::new();
    decisions
        .iter()
        .filter(|d| seen.insert(key(d)))
        .map(|d| (*d).clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(project: &str, version: &str, action: &str, status: i64) -> GateDecision {
        GateDecision {
            project: project.into(),
            version: version.into(),
            filename: format!("{project}-{version}-py3-none-any.whl"),
            sha256: "ab".repeat(32),
            action: action.into(),
            code: if action == "allowed" {
                "allowed"
            } else {
                "malicious"
            }
            .into(),
            reason: String::new(),
            status,
            decided_at: "2026-11-23T12:00:00Z".into(),
            event_seq: 2,
        }
    }

    #[test]
    fn served_files_allow_refusals_refuse_and_silence_is_none() {
        let packages = vec![
            ("idna".to_owned(), "2.7".to_owned()),
            ("litellm".to_owned(), "1.82.8".to_owned()),
            ("six".to_owned(), "1.16.0".to_owned()),
            ("urllib3".to_owned(), "1.23".to_owned()),
        ];
        let decisions = vec![
            decision("idna", "2.7.0", "allowed", 200),
            decision("idna", "2.7", "allowed", 200),
            decision("idna", "2.7", "allowed", 200),
            decision("litellm", "1.82.8", "hidden", 403),
            decision("litellm", "1.82.6", "allowed", 200),
            decision("urllib3", "1.23", "allowed", 0),
        ];
        let judged = judge(&packages, &decisions);
        let verdicts: Vec<Passed> = judged.iter().map(|p| p.gate).collect();
        assert_eq!(
            verdicts,
            [Passed::Allowed, Passed::Refused, Passed::None, Passed::None]
        );
        assert_eq!(
            judged[0].decisions.len(),
            2,
            "2.7.0 is 2.7 (PEP 440); the same file once"
        );
        assert_eq!(judged[1].decisions[0].action, "hidden");
    }
}
