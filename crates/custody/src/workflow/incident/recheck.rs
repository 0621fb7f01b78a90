//! Data re-checked for an incident report: a folder given for an affected
//! dataset version is verified against that version's seal manifest as
//! the ledger stored it, its signature checked again against the
//! ledger's trusted keys. The answer says whether the bytes at hand are
//! the sealed version and, where not, which files and records differ.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use jiff::Timestamp;
use serde::Serialize;

use crate::ledger::{Impact, Ledger, LedgerError};
use crate::workflow::progress::ByteProgress;
use crate::workflow::verify::{self, VerifyError, VerifyReport};

/// At most this many differing files are named per re-check.
const SHOWN: usize = 20;

/// `NAME[@ROOT]=PATH`, as given to `--recheck`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecheckRequest {
    /// The dataset's name.
    pub dataset: String,
    /// A prefix of the version's root (hex, `sha256:` allowed), when the
    /// name alone is ambiguous.
    pub root: Option<String>,
    /// The data to check.
    pub path: PathBuf,
}

impl RecheckRequest {
    fn given(&self) -> String {
        match &self.root {
            Some(r) => format!("{}@{r}={}", self.dataset, self.path.display()),
            None => format!("{}={}", self.dataset, self.path.display()),
        }
    }
}

impl FromStr for RecheckRequest {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (version, path) = s
            .split_once('=')
            .ok_or_else(|| format!("{s:?} is not DATASET[@ROOT]=PATH"))?;
        let (dataset, root) = match version.split_once('@') {
            Some((d, r)) => {
                let r = r.strip_prefix("sha256:").unwrap_or(r).to_ascii_lowercase();
                if r.len() < 8 || !r.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(format!(
                        "{s:?}: a root is at least 8 hex digits (optionally after sha256:)"
                    ));
                }
                (d, Some(r))
            }
            None => (version, None),
        };
        if dataset.is_empty() || path.is_empty() {
            return Err(format!("{s:?} is not DATASET[@ROOT]=PATH"));
        }
        Ok(Self {
            dataset: dataset.to_owned(),
            root,
            path: PathBuf::from(path),
        })
    }
}

/// One re-check, as the report states it.
#[derive(Debug, Clone, Serialize)]
pub struct Recheck {
    /// The dataset.
    pub dataset: String,
    /// The version's root (SHA-256 hex).
    pub root: String,
    /// How the incident touched it: `read`, `written` or `downstream`.
    pub role: &'static str,
    /// The data checked.
    pub path: String,
    /// When.
    pub checked_at: Timestamp,
    /// Key id of the manifest's signer.
    pub signer: String,
    /// Whether the data is the sealed version, byte for byte.
    pub identical: bool,
    /// Files matching.
    pub unchanged: u64,
    /// Files not in the seal.
    pub added: usize,
    /// Sealed files missing.
    pub removed: usize,
    /// Files that differ.
    pub modified: usize,
    /// Records changed, inserted and deleted in the files that differ
    /// (where the seal indexed records).
    pub records_changed: u64,
    /// Records inserted.
    pub records_inserted: u64,
    /// Records deleted.
    pub records_deleted: u64,
    /// The first differing files, one line each.
    pub differences: Vec<String>,
}

/// Why a re-check could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RecheckError {
    /// No affected version has that name (and root).
    #[error("--recheck {given}: no affected dataset version is {wanted}; affected: {known}")]
    NotAffected {
        /// As given.
        given: String,
        /// The name (and root prefix) asked for.
        wanted: String,
        /// What the incident touched.
        known: String,
    },
    /// The name fits several affected versions.
    #[error("--recheck {given}: {dataset} has {} affected versions ({}); name one as {dataset}@ROOT=PATH", roots.len(), roots.join(", "))]
    Ambiguous {
        /// As given.
        given: String,
        /// The name.
        dataset: String,
        /// The candidates' roots (12 digits).
        roots: Vec<String>,
    },
    /// The ledger holds no manifest of the version (a run's output that
    /// was never sealed cannot be named here: it has no dataset name).
    #[error("--recheck {given}: the ledger holds no seal manifest of {dataset}@{root}")]
    NoManifest {
        /// As given.
        given: String,
        /// The name.
        dataset: String,
        /// The root.
        root: String,
    },
    /// The stored manifest does not open, or the data cannot be read.
    #[error("--recheck {given}: {source}")]
    Verify {
        /// As given.
        given: String,
        /// Why.
        source: VerifyError,
    },
    /// The ledger.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// The affected dataset versions: (name, root, role).
fn affected(impact: &Impact) -> Vec<(&str, &str, &'static str)> {
    let mut out = Vec::new();
    for (hits, role) in [
        (&impact.exposed, "read"),
        (&impact.written, "written"),
        (&impact.downstream, "downstream"),
    ] {
        for d in hits.iter().flat_map(|a| &a.datasets) {
            if !out
                .iter()
                .any(|(n, r, _): &(&str, &str, _)| *n == d.name && *r == d.root)
            {
                out.push((d.name.as_str(), d.root.as_str(), role));
            }
        }
    }
    out
}

/// Which affected version `req` names.
fn pick<'a>(
    req: &RecheckRequest,
    versions: &[(&'a str, &'a str, &'static str)],
) -> Result<(&'a str, &'a str, &'static str), RecheckError> {
    let fits: Vec<_> = versions
        .iter()
        .filter(|(n, r, _)| {
            *n == req.dataset && req.root.as_deref().is_none_or(|p| r.starts_with(p))
        })
        .copied()
        .collect();
    match fits.as_slice() {
        [one] => Ok(*one),
        [] => Err(RecheckError::NotAffected {
            given: req.given(),
            wanted: match &req.root {
                Some(r) => format!("{}@{r}", req.dataset),
                None => format!("named {}", req.dataset),
            },
            known: if versions.is_empty() {
                "none".into()
            } else {
                versions
                    .iter()
                    .map(|(n, r, _)| format!("{n}@{}", &r[..r.len().min(12)]))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        }),
        many => Err(RecheckError::Ambiguous {
            given: req.given(),
            dataset: req.dataset.clone(),
            roots: many
                .iter()
                .map(|(_, r, _)| r[..r.len().min(12)].to_owned())
                .collect(),
        }),
    }
}

/// Verifies each requested folder against the affected version it names.
///
/// # Errors
/// See [`RecheckError`]: every request must name one affected, sealed
/// version whose stored manifest still verifies; data that differs is an
/// answer, not an error.
pub fn recheck(
    ledger: &mut Ledger,
    impact: &Impact,
    requests: &[RecheckRequest],
    progress: &dyn ByteProgress,
) -> Result<Vec<Recheck>, RecheckError> {
    let versions = affected(impact);
    let mut out = Vec::new();
    if requests.is_empty() {
        return Ok(out);
    }
    let trusted = ledger.trusted()?;
    for req in requests {
        let (dataset, root, role) = pick(req, &versions)?;
        let no_manifest = || RecheckError::NoManifest {
            given: req.given(),
            dataset: dataset.to_owned(),
            root: root.to_owned(),
        };
        let document = ledger
            .manifest_document(dataset, root)?
            .ok_or_else(no_manifest)?;
        let name = PathBuf::from(format!("the ledger's manifest of {dataset}"));
        let report = verify::verify_bytes(
            &name,
            document.into_bytes(),
            std::slice::from_ref(&req.path),
            &trusted,
            progress,
        )
        .map_err(|source| RecheckError::Verify {
            given: req.given(),
            source,
        })?;
        out.push(summarise(dataset, root, role, &req.path, &report));
    }
    Ok(out)
}

fn summarise(
    dataset: &str,
    root: &str,
    role: &'static str,
    path: &Path,
    v: &VerifyReport,
) -> Recheck {
    let r = &v.report;
    let records = r.modified.iter().filter_map(|m| m.records.as_ref());
    let (changed, inserted, deleted) = records.fold((0, 0, 0), |(c, i, d), x| {
        (
            c + x.changed_count,
            i + x.inserted_count,
            d + x.deleted_count,
        )
    });
    let differences = r
        .modified
        .iter()
        .map(|m| match &m.records {
            Some(x) => format!(
                "modified {} ({} record(s) changed, {} inserted, {} deleted)",
                m.path, x.changed_count, x.inserted_count, x.deleted_count
            ),
            None => format!(
                "modified {} ({} → {} bytes)",
                m.path, m.old_size, m.new_size
            ),
        })
        .chain(r.added.iter().map(|f| format!("added {}", f.path)))
        .chain(r.removed.iter().map(|f| format!("removed {}", f.path)))
        .chain(r.settings.iter().map(|s| format!("setting {s}")))
        .take(SHOWN)
        .collect();
    Recheck {
        dataset: dataset.to_owned(),
        root: root.to_owned(),
        role,
        path: path.display().to_string(),
        checked_at: Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_else(|_| Timestamp::now()),
        signer: v.signature.key_id.clone(),
        identical: v.identical,
        unchanged: r.unchanged,
        added: r.added.len(),
        removed: r.removed.len(),
        modified: r.modified.len(),
        records_changed: changed,
        records_inserted: inserted,
        records_deleted: deleted,
        differences,
    }
}

#[cfg(test)]
mod tests {
    use super::{RecheckError, RecheckRequest, pick};

    #[test]
    fn requests_parse_with_and_without_a_root() {
        let r: RecheckRequest = "clean=/data/clean".parse().unwrap();
        assert_eq!(r.dataset, "clean");
        assert_eq!(r.root, None);
        assert_eq!(r.path.to_str(), Some("/data/clean"));
        let r: RecheckRequest = "clean@sha256:ABCDEF0123=/d=x".parse().unwrap();
        assert_eq!(r.root.as_deref(), Some("abcdef0123"));
        assert_eq!(r.path.to_str(), Some("/d=x"), "the path may hold '='");
        for bad in [
            "clean",
            "=/d",
            "clean=",
            "clean@abc=/d",
            "clean@zzzzzzzzzz=/d",
        ] {
            assert!(bad.parse::<RecheckRequest>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_name_must_fit_exactly_one_affected_version() {
        let versions = [
            ("clean", "aaaa1111bbbb2222", "written"),
            ("clean", "cccc3333dddd4444", "downstream"),
            ("train", "eeee5555ffff6666", "downstream"),
        ];
        let req = |s: &str| s.parse::<RecheckRequest>().unwrap();
        assert_eq!(
            pick(&req("train=/t"), &versions).unwrap().1,
            "eeee5555ffff6666"
        );
        assert_eq!(
            pick(&req("clean@cccc3333=/c"), &versions).unwrap().2,
            "downstream"
        );
        let e = pick(&req("clean=/c"), &versions).unwrap_err();
        assert!(matches!(e, RecheckError::Ambiguous { .. }), "{e}");
        assert!(e.to_string().contains("aaaa1111bbbb, cccc3333dddd"), "{e}");
        let e = pick(&req("raw=/r"), &versions).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--recheck raw=/r: no affected dataset version is named raw; affected: \
             clean@aaaa1111bbbb, clean@cccc3333dddd, train@eeee5555ffff"
        );
    }
}
