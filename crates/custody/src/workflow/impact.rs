//! `impact`: the question (a package, a version specifier, or an
//! advisory) resolved to the package versions the ledger holds, then the
//! ledger's answer for them.
//!
//! An advisory's default window is open: OSV records carry no upload
//! times, and an environment that holds an affected release cannot
//! predate its upload, so every run in it is in scope. Its `published`
//! time is *not* used as the start: the runs between the malicious upload
//! and the advisory (hours, for litellm 1.82.8) are the ones that matter.

use std::path::Path;

use custody_advisory::matching;
use custody_pypa::{PackageName, Version, VersionSpecifiers};
use serde::Serialize;

use crate::advisories::AdvisoryIndex;
use crate::ledger::{Impact, LedgerError, Location, PackageVersion, Window};
use crate::workflow::ledger::open_existing;

/// How many written and downstream versions are compared with the
/// version sealed before them (two manifests read back each).
pub const CHANGES_LIMIT: usize = 500;

/// What is asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum Question {
    /// A package: every version, or those a PEP 440 specifier allows.
    Package {
        /// Its name, normalised.
        name: String,
        /// `==1.82.8`, `>=1.82.7,<1.82.9`; empty for every version.
        specifier: String,
    },
    /// The PyPI packages and versions an advisory (OSV record) affects.
    Advisory {
        /// Its id (or an alias), as given.
        id: String,
    },
}

/// Why a question cannot be asked.
#[derive(Debug, thiserror::Error)]
pub enum QuestionError {
    /// Not `NAME` or `NAME` followed by a PEP 440 specifier.
    #[error("{given:?}: {reason}")]
    BadPackage {
        /// What was given.
        given: String,
        /// What is wrong.
        reason: String,
    },
    /// The advisory is neither imported nor embedded.
    #[error(
        "advisory {0} is not in the local database or among the embedded records \
         (`custody db import` the source that has it)"
    )]
    UnknownAdvisory(String),
    /// The advisory database cannot be read.
    #[error("the advisory database: {0}")]
    Advisories(#[from] crate::advisory::StoreError),
    /// The advisory names no PyPI package.
    #[error("advisory {0} affects no PyPI package")]
    NotPypi(String),
}

impl Question {
    /// `NAME`, `NAME==VERSION` or `NAME` followed by any PEP 440
    /// specifier list (`litellm>=1.82.7,<1.82.9`).
    ///
    /// # Errors
    /// [`QuestionError::BadPackage`], saying what is wrong.
    pub fn package(given: &str) -> Result<Self, QuestionError> {
        let bad = |reason: String| QuestionError::BadPackage {
            given: given.to_owned(),
            reason,
        };
        let text = given.trim();
        let split = text
            .find(['=', '<', '>', '!', '~', ' ', '('])
            .unwrap_or(text.len());
        let (name, spec) = text.split_at(split);
        let name = PackageName::new(name).map_err(|e| bad(e.to_string()))?;
        let spec = spec
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim();
        // `==TEXT` also names a version PEP 440 cannot parse, by its text.
        let literal = spec
            .strip_prefix("==")
            .is_some_and(|v| !v.trim().is_empty() && !v.contains([',', '=', '<', '>', '!', '~']));
        if !spec.is_empty() && !literal {
            spec.parse::<VersionSpecifiers>()
                .map_err(|e| bad(format!("not a PEP 440 specifier: {e}")))?;
        }
        Ok(Self::Package {
            name: name.as_str().to_owned(),
            specifier: spec.to_owned(),
        })
    }
}

/// Where the window came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowSource {
    /// `--since` / `--until`, or open on a side not given.
    Given,
    /// An advisory without bounds given: every run in an affected
    /// environment (none can predate the affected upload) until now.
    AdvisoryOpen,
}

/// The answer, with the question and how it was resolved.
#[derive(Debug, Clone, Serialize)]
pub struct ImpactReport {
    /// The ledger, without a password.
    pub ledger: String,
    /// What was asked.
    pub question: Question,
    /// The advisory's summary, when asked by advisory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Where the window came from.
    pub window_source: WindowSource,
    /// Written and downstream versions past [`CHANGES_LIMIT`], left
    /// without their change from the version before.
    pub changes_omitted: usize,
    /// The ledger's answer for the package versions the question selects
    /// among those some environment holds.
    #[serde(flatten)]
    pub impact: Impact,
}

/// Why [`impact`] has no answer.
#[derive(Debug, thiserror::Error)]
pub enum ImpactError {
    /// The question cannot be resolved.
    #[error(transparent)]
    Question(#[from] QuestionError),
    /// The ledger cannot be opened or read.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// Everything the package versions `question` selects touched within
/// `window`. `home` holds the advisory database (advisories only); `now`
/// closes an advisory's default window.
///
/// # Errors
/// See [`ImpactError`].
pub fn impact(
    location: &Location,
    question: &Question,
    window: &Window,
    home: &Path,
    now: jiff::Timestamp,
) -> Result<ImpactReport, ImpactError> {
    let mut ledger = open_existing(location)?;
    let mut selected = Vec::new();
    let mut summary = None;
    let mut window = window.clone();
    let mut window_source = WindowSource::Given;
    match question {
        Question::Package { name, specifier } => {
            for v in ledger.package_versions(name)? {
                if allows(specifier, &v) {
                    selected.push(PackageVersion::new(name, &v));
                }
            }
        }
        Question::Advisory { id } => {
            let adv = advisory(home, id)?;
            let names = adv.pypi_packages();
            if names.is_empty() {
                return Err(QuestionError::NotPypi(id.clone()).into());
            }
            for name in names {
                for v in ledger.package_versions(name.as_str())? {
                    let hit = custody_pypa::parse_version(&v)
                        .ok()
                        .and_then(|parsed| matching::affects(&adv, &name, &parsed));
                    if hit.is_some() {
                        selected.push(PackageVersion::new(name.as_str(), &v));
                    }
                }
            }
            summary.clone_from(&adv.summary);
            if window.since.is_none() && window.until.is_none() {
                window.until = Some(now);
                window_source = WindowSource::AdvisoryOpen;
            }
        }
    }
    let mut impact = ledger.impact(&selected, &window)?;
    let changes_omitted = ledger.fill_changes(&mut impact, CHANGES_LIMIT)?;
    Ok(ImpactReport {
        ledger: location.display(),
        question: question.clone(),
        summary,
        window_source,
        changes_omitted,
        impact,
    })
}

/// The advisory `id` (or alias): imported, else embedded.
///
/// # Errors
/// [`QuestionError::UnknownAdvisory`], or the database cannot be read.
pub fn advisory(home: &Path, id: &str) -> Result<custody_advisory::Advisory, QuestionError> {
    AdvisoryIndex::open(home)?
        .by_id(id)?
        .ok_or_else(|| QuestionError::UnknownAdvisory(id.to_owned()))
}

/// Whether `specifier` (empty: any) allows the installed `version`. A
/// version PEP 440 cannot parse matches only `==` of its exact text.
fn allows(specifier: &str, version: &str) -> bool {
    if specifier.is_empty() {
        return true;
    }
    let exact = || {
        specifier
            .strip_prefix("==")
            .is_some_and(|v| v.trim() == version)
    };
    match (
        specifier.parse::<VersionSpecifiers>(),
        version.parse::<Version>(),
    ) {
        (Ok(spec), Ok(v)) => spec.contains(&v),
        _ => exact(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_questions_parse_names_and_specifiers() {
        assert_eq!(
            Question::package("LiteLLM==1.82.8").unwrap(),
            Question::Package {
                name: "litellm".into(),
                specifier: "==1.82.8".into()
            }
        );
        assert_eq!(
            Question::package("litellm >=1.82.7, <1.82.9").unwrap(),
            Question::Package {
                name: "litellm".into(),
                specifier: ">=1.82.7, <1.82.9".into()
            }
        );
        assert!(matches!(
            Question::package("litellm=>1"),
            Err(QuestionError::BadPackage { .. })
        ));
        assert!(Question::package("==1.0").is_err());
        assert!(Question::package("x==").is_err());
        assert!(Question::package("x==local-build").is_ok());
    }

    #[test]
    fn specifiers_follow_pep_440() {
        assert!(allows("", "anything"));
        assert!(allows("==1.82.8", "1.82.8.0"));
        assert!(allows(">=1.82.7,<1.82.9", "1.82.8"));
        assert!(!allows(">=1.82.7,<1.82.9", "1.82.9"));
        assert!(!allows(">=1.82.7", "1.82.7rc1"));
        assert!(allows("==weird", "weird"));
        assert!(!allows(">=1", "weird"));
    }
}
