//! `custody accept`: the lab's checks of a delivery bundle against its
//! policy. Every check runs and says why it passed or failed; the bundle is
//! accepted only when all pass. Documents inside are verified against the
//! same trusted keys as the bundle itself, by the ledger's own ingest code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use custody_advisory::matching::canonical;
use custody_pypa::PackageName;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::advisories::AdvisoryIndex;
use crate::ledger::ingest::{self, Document};
use crate::seal::PublicKey;
use crate::workflow::deliver::bundle::{self, BundleError, DatasetRef};
use crate::workflow::deliver::policy::DeliveryPolicy;

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The rule (`signature`, `signers`, `documents`, `sandboxed`,
    /// `network`, `sealed-sources`, `packages`, `max-age`, `data`).
    pub rule: &'static str,
    /// Whether it held.
    pub passed: bool,
    /// Why.
    pub detail: String,
}

/// Accept or reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Every check passed.
    Accept,
    /// Some check failed.
    Reject,
}

/// The lab's decision on a bundle.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptReport {
    /// `custody.accept/v1`.
    pub schema: &'static str,
    /// The bundle, as given.
    pub bundle: PathBuf,
    /// The SHA-256 of the bytes checked (what a signed decision names).
    pub bundle_sha256: String,
    /// The policy file.
    pub policy: PathBuf,
    /// Accept or reject.
    pub decision: Decision,
    /// The delivered version, when the bundle could be read.
    pub dataset: Option<DatasetRef>,
    /// The key that signed the bundle.
    pub signer: Option<String>,
    /// The vendor it signs for (policies with `[vendors.NAME]`).
    pub vendor: Option<String>,
    /// When the decision was made.
    pub decided_at: Timestamp,
    /// The newest advisory record the decision saw (the database "as of").
    pub advisories_as_of: Option<String>,
    /// Every check, in order.
    pub checks: Vec<Check>,
}

/// What to check.
pub struct AcceptRequest<'a> {
    /// The bundle file.
    pub bundle: &'a Path,
    /// The policy.
    pub policy: &'a DeliveryPolicy,
    /// Keys trusted for the bundle and its documents.
    pub trusted: &'a [PublicKey],
    /// The received data, to verify against the seal.
    pub data: Option<&'a Path>,
    /// custody's home (advisories).
    pub home: &'a Path,
    /// Judge by the advisories published by then (to replay an earlier
    /// decision); `None`: every record held now.
    pub advisories_as_of: Option<Timestamp>,
    /// Now.
    pub now: Timestamp,
}

/// Why there is no decision at all.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    /// The bundle cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The bundle.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not a delivery bundle.
    #[error("{}: {source}", path.display())]
    Malformed {
        /// The bundle.
        path: PathBuf,
        /// What is wrong.
        source: BundleError,
    },
    /// The advisory database cannot be read.
    #[error("the advisory database: {0}")]
    Advisories(#[from] crate::advisory::StoreError),
}

/// A step as the bundle states it.
struct Step {
    id: String,
    started_at: String,
    packages: Vec<(String, String)>,
    inputs: Vec<(String, String)>,
    outputs: Vec<String>,
    predicate: Value,
}

fn check(rule: &'static str, passed: bool, detail: String) -> Check {
    Check {
        rule,
        passed,
        detail,
    }
}

/// Checks the bundle; a bundle that does not verify is rejected (with the
/// reason), one that is not a bundle is an error.
///
/// # Errors
/// See [`AcceptError`].
pub fn accept(req: &AcceptRequest<'_>) -> Result<AcceptReport, AcceptError> {
    let bytes = crate::inventory::limits::read_bounded(req.bundle, crate::seal::DEFAULT_MAX_SIZE)
        .map_err(|why| AcceptError::Read {
        path: req.bundle.to_owned(),
        source: match why {
            crate::inventory::limits::Unread::Io(e) => e,
            why => std::io::Error::other(why.to_string()),
        },
    })?;
    let index = AdvisoryIndex::open(req.home)?;
    let mut report = AcceptReport {
        schema: "custody.accept/v1",
        bundle: req.bundle.to_owned(),
        bundle_sha256: crate::ledger::sha256_hex(&bytes),
        policy: req.policy.path.clone(),
        decision: Decision::Reject,
        dataset: None,
        signer: None,
        vendor: None,
        decided_at: req.now,
        advisories_as_of: match req.advisories_as_of {
            Some(t) => Some(t.to_string()),
            None => index.status()?.newest_modified,
        },
        checks: Vec::new(),
    };
    let opened = match bundle::open(&bytes, req.trusted) {
        Ok(o) => o,
        Err(BundleError::Untrusted(why)) => {
            report.checks.push(check("signature", false, why));
            return Ok(report);
        }
        Err(source) => {
            return Err(AcceptError::Malformed {
                path: req.bundle.to_owned(),
                source,
            });
        }
    };
    let p = &opened.predicate;
    report.checks.push(check(
        "signature",
        true,
        format!("signed by trusted key {}", opened.signer),
    ));
    let signing = req.policy.signing(&opened.signer);
    if let Some(ok) = signing.allowed {
        report
            .checks
            .push(check("signers", ok, signing.detail.clone()));
    }
    report.dataset = Some(p.dataset.clone());
    report.signer = Some(opened.signer.clone());
    report.vendor.clone_from(&signing.vendor);
    // With `signers` (or vendors), the documents inside must be theirs
    // too: a trusted key outside the list signs neither the bundle nor its
    // evidence, and a vendor's runner keys sign only its steps.
    let keys = Keys {
        data: allowed(req.trusted, signing.data.as_deref()),
        steps: allowed(req.trusted, signing.steps.as_deref()),
    };
    let mut uploads = BTreeMap::new();
    let (steps, sealed, packages) = documents(p, &keys, &mut report.checks, &mut uploads);
    rules(req, p, &steps, &sealed, &mut report.checks);
    report.checks.push(packages_check(
        &index,
        &packages,
        req.policy,
        req.advisories_as_of,
    )?);
    if let Some(min) = req.policy.min_package_age {
        report.checks.push(package_age(&steps, &uploads, min));
    }
    if let Some(dir) = req.data {
        report.checks.push(data_check(p, dir, &keys.data));
    }
    if report.checks.iter().all(|c| c.passed) {
        report.decision = Decision::Accept;
    }
    Ok(report)
}

/// Trusted keys allowed to sign a bundle's seal manifests (`data`) and
/// its run attestations and inventories (`steps`).
struct Keys {
    data: Vec<PublicKey>,
    steps: Vec<PublicKey>,
}

/// The trusted keys whose ids `ids` lists (`None`: all).
fn allowed(trusted: &[PublicKey], ids: Option<&[String]>) -> Vec<PublicKey> {
    trusted
        .iter()
        .filter(|k| ids.is_none_or(|ids| ids.contains(&k.key_id())))
        .cloned()
        .collect()
}

/// Opens every document: the steps, the sealed roots, every package.
fn documents(
    p: &bundle::Predicate,
    keys: &Keys,
    checks: &mut Vec<Check>,
    uploads: &mut BTreeMap<(String, String), String>,
) -> (Vec<Step>, BTreeSet<String>, BTreeSet<(String, String)>) {
    let mut problems = Vec::new();
    let mut steps = Vec::new();
    let mut sealed = BTreeSet::new();
    let mut packages = BTreeSet::new();
    // `open_document` with no keys does not check signatures (it rebuilds
    // the ledger's own log): never call it so here.
    let none = |what: &str| {
        format!("no trusted key is an allowed signer of {what}: the documents cannot be checked")
    };
    if keys.data.is_empty() {
        checks.push(check("documents", false, none("seal manifests")));
        return (steps, sealed, packages);
    }
    if keys.steps.is_empty() && !(p.attestations.is_empty() && p.inventories.is_empty()) {
        checks.push(check(
            "documents",
            false,
            none("run attestations and inventories"),
        ));
        return (steps, sealed, packages);
    }
    let trusted = &keys.data;
    match ingest::open_document(p.manifest.as_bytes(), trusted) {
        Ok(Document::Manifest(m))
            if m.name == p.dataset.name
                && m.root == p.dataset.root
                && m.algorithm == p.dataset.algorithm =>
        {
            sealed.insert(m.root);
        }
        Ok(_) => problems.push("the manifest is not the seal of the delivered version".to_owned()),
        Err(e) => problems.push(format!("the manifest: {e}")),
    }
    for (i, s) in p.sources.iter().enumerate() {
        match ingest::open_document(s.as_bytes(), trusted) {
            Ok(Document::Manifest(m)) => {
                sealed.insert(m.root);
            }
            Ok(_) => problems.push(format!("source {i}: not a seal manifest")),
            Err(e) => problems.push(format!("source {i}: {e}")),
        }
    }
    for (i, a) in p.attestations.iter().enumerate() {
        let id = crate::ledger::sha256_hex(a.as_bytes());
        match ingest::open_document(a.as_bytes(), &keys.steps) {
            Ok(Document::Attestation(run)) => {
                let predicate = ingest::stored_statement(a).map_or(Value::Null, |s| s.predicate);
                packages.extend(run.packages.iter().cloned());
                steps.push(Step {
                    id,
                    started_at: run.started_at.clone(),
                    packages: run.packages.clone(),
                    inputs: run
                        .inputs
                        .iter()
                        .map(|x| (x.name.clone(), x.digest.clone()))
                        .collect(),
                    outputs: run.outputs.iter().map(|x| x.digest.clone()).collect(),
                    predicate,
                });
            }
            Ok(_) => problems.push(format!("attestation {i}: not a run attestation")),
            Err(e) => problems.push(format!("attestation {i}: {e}")),
        }
    }
    for (i, inv) in p.inventories.iter().enumerate() {
        match ingest::open_document(inv.as_bytes(), &keys.steps) {
            Ok(Document::Inventory(scan)) => {
                for s in scan.sources {
                    packages.extend(s.packages);
                    for (name, version, at) in s.uploads {
                        uploads.insert((name, version), at);
                    }
                }
            }
            Ok(_) => problems.push(format!("inventory {i}: not a scan inventory")),
            Err(e) => problems.push(format!("inventory {i}: {e}")),
        }
    }
    checks.push(if problems.is_empty() {
        check(
            "documents",
            true,
            format!(
                "the manifest, {} source(s), {} attestation(s) and {} inventory(ies) verify",
                p.sources.len(),
                p.attestations.len(),
                p.inventories.len()
            ),
        )
    } else {
        check("documents", false, problems.join("; "))
    });
    (steps, sealed, packages)
}

fn short(d: &str) -> &str {
    d.get(..12).unwrap_or(d)
}

/// Sandboxing, network, sources and age.
fn rules(
    req: &AcceptRequest<'_>,
    p: &bundle::Predicate,
    steps: &[Step],
    sealed: &BTreeSet<String>,
    checks: &mut Vec<Check>,
) {
    let policy = req.policy;
    if steps.is_empty() {
        // Rules about steps hold of no step only vacuously: a vendor could
        // leave out the steps that would fail them.
        let enabled = [
            ("sandboxed", policy.sandboxed),
            ("network", policy.network.is_some()),
            ("sealed-sources", policy.sealed_sources),
        ];
        for (rule, on) in enabled {
            if on {
                checks.push(check(
                    rule,
                    false,
                    "the bundle names no step: nothing shows how the version was made \
                     (deliver it with its runs, or accept raw data under a policy without this rule)"
                        .into(),
                ));
            }
        }
        age(req, p, checks);
        return;
    }
    if policy.sandboxed {
        let unsandboxed: Vec<String> = steps
            .iter()
            .filter(|s| !sandboxed(&s.predicate))
            .map(|s| format!("run {}", short(&s.id)))
            .collect();
        checks.push(check(
            "sandboxed",
            unsandboxed.is_empty(),
            if unsandboxed.is_empty() {
                format!(
                    "{} step(s) ran with Landlock and seccomp enforced",
                    steps.len()
                )
            } else {
                format!("not enforced for {}", unsandboxed.join(", "))
            },
        ));
    }
    if let Some(want) = &policy.network {
        let other: Vec<String> = steps
            .iter()
            .filter_map(|s| {
                let net = s.predicate["buildDefinition"]["internalParameters"]["policy"]["net"]
                    .as_str()
                    .unwrap_or("unknown");
                (net != want).then(|| format!("run {} had network {net}", short(&s.id)))
            })
            .collect();
        checks.push(check(
            "network",
            other.is_empty(),
            if other.is_empty() {
                format!("every step had network {want}")
            } else {
                other.join("; ")
            },
        ));
    }
    if policy.sealed_sources {
        let outputs: BTreeSet<&str> = steps
            .iter()
            .flat_map(|s| s.outputs.iter().map(String::as_str))
            .collect();
        let mut loose = Vec::new();
        for s in steps {
            for (name, digest) in &s.inputs {
                if !sealed.contains(digest) && !outputs.contains(digest.as_str()) {
                    loose.push(format!(
                        "run {} read {name} ({}), neither sealed nor made by a step",
                        short(&s.id),
                        short(digest)
                    ));
                }
            }
        }
        if !outputs.contains(p.dataset.root.as_str()) {
            loose.push(format!(
                "no step in the bundle wrote {}@{} (runs name folders by SHA-256 roots)",
                p.dataset.name,
                short(&p.dataset.root)
            ));
        }
        checks.push(check(
            "sealed-sources",
            loose.is_empty(),
            if loose.is_empty() {
                format!(
                    "every input of {} step(s) is sealed or made by a step",
                    steps.len()
                )
            } else {
                loose.join("; ")
            },
        ));
    }
    age(req, p, checks);
}

/// How far clocks may disagree before a bundle "made in the future" is
/// refused.
const CLOCK_SKEW: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

/// `max-age`: made at most that long ago, and not in the future.
fn age(req: &AcceptRequest<'_>, p: &bundle::Predicate, checks: &mut Vec<Check>) {
    let Some(max) = req.policy.max_age else {
        return;
    };
    let (ok, detail) = match p.created_at.parse::<Timestamp>() {
        Ok(c) => {
            let age = req.now.duration_since(c);
            if age < -CLOCK_SKEW {
                (
                    false,
                    format!(
                        "made {} min in the future ({}): clocks or the bundle are wrong",
                        -age.as_mins(),
                        p.created_at
                    ),
                )
            } else {
                (
                    age <= max,
                    format!(
                        "made {} h ago; the policy allows {} h",
                        age.as_hours(),
                        max.as_hours()
                    ),
                )
            }
        }
        Err(e) => (false, format!("createdAt {:?}: {e}", p.created_at)),
    };
    checks.push(check("max-age", ok, detail));
}

/// `min-package-age`: every package of every step's environment was at
/// least `min` old when the step started. An upload time nobody recorded
/// (installed environments carry none; lockfile inventories do) cannot
/// show the age: the rule fails closed and says how many.
fn package_age(
    steps: &[Step],
    uploads: &BTreeMap<(String, String), String>,
    min: jiff::SignedDuration,
) -> Check {
    if steps.is_empty() {
        return check("min-package-age", false, "the bundle names no step".into());
    }
    let mut problems = Vec::new();
    let mut unknown = BTreeSet::new();
    for s in steps {
        let Ok(started) = s.started_at.parse::<Timestamp>() else {
            problems.push(format!(
                "run {}: startedOn {:?} is not a time",
                short(&s.id),
                s.started_at
            ));
            continue;
        };
        for key in &s.packages {
            match uploads.get(key).and_then(|t| t.parse::<Timestamp>().ok()) {
                Some(at) if started.duration_since(at) < min => problems.push(format!(
                    "{}=={} was {} h old when run {} started",
                    key.0,
                    key.1,
                    started.duration_since(at).as_hours(),
                    short(&s.id)
                )),
                Some(_) => {}
                None => {
                    unknown.insert(format!("{}=={}", key.0, key.1));
                }
            }
        }
    }
    if !unknown.is_empty() {
        let some: Vec<&str> = unknown.iter().take(5).map(String::as_str).collect();
        problems.push(format!(
            "no upload time for {} package version(s) ({}{}): deliver lockfile inventories \
             (uv.lock, pylock.toml) to show their age",
            unknown.len(),
            some.join(", "),
            if unknown.len() > some.len() {
                ", ..."
            } else {
                ""
            }
        ));
    }
    if problems.is_empty() {
        check(
            "min-package-age",
            true,
            format!(
                "every package was at least {} h old when its step started",
                min.as_hours()
            ),
        )
    } else {
        check("min-package-age", false, problems.join("; "))
    }
}

/// Landlock and seccomp enforced, no set-up error.
fn sandboxed(predicate: &Value) -> bool {
    predicate["runDetails"]["byproducts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["name"] == "enforced")
        .any(|b| {
            let a = &b["annotations"];
            let e = &a["enforced"];
            a["setup_error"].is_null()
                && e["seccomp"] == true
                && e["landlock"]
                    .as_str()
                    .is_some_and(|l| l != "none" && !l.is_empty())
        })
}

/// Malicious packages always reject; vulnerable ones at or above the
/// policy's severity.
fn packages_check(
    index: &AdvisoryIndex,
    packages: &BTreeSet<(String, String)>,
    policy: &DeliveryPolicy,
    as_of: Option<Timestamp>,
) -> Result<Check, AcceptError> {
    let names: Vec<PackageName> = packages
        .iter()
        .filter_map(|(n, _)| PackageName::new(n).ok())
        .collect();
    let refs: Vec<&PackageName> = names.iter().collect();
    let candidates = index.candidates(&refs)?;
    let mut bad = Vec::new();
    for (name, version) in packages {
        let (Ok(pn), Ok(v)) = (PackageName::new(name), custody_pypa::parse_version(version)) else {
            // Not matched is not clean: fail closed.
            bad.push(format!(
                "{name}=={version}: cannot be checked (not a PEP 503 name and PEP 440 version)"
            ));
            continue;
        };
        let canon = canonical(&v);
        for c in candidates.get(&pn).into_iter().flatten() {
            if !c.matcher.matches(&v, &canon) {
                continue;
            }
            let Some(adv) = index.record(c)? else {
                continue;
            };
            if !published_by(&adv, as_of) {
                continue;
            }
            let (severity, _) = custody_advisory::severity::of(&adv);
            if adv.is_malicious() {
                bad.push(format!("{name}=={version}: {} (malicious)", adv.id));
            } else if policy.reject_severity.is_some_and(|t| severity.meets(t)) {
                bad.push(format!(
                    "{name}=={version}: {} ({})",
                    adv.id,
                    severity.as_str()
                ));
            }
        }
    }
    bad.sort();
    bad.dedup();
    Ok(check(
        "packages",
        bad.is_empty(),
        if bad.is_empty() {
            format!(
                "{} package version(s) in the steps' environments: none malicious{}",
                packages.len(),
                policy.reject_severity.map_or_else(String::new, |s| format!(
                    ", none vulnerable at or above {}",
                    s.as_str()
                ))
            )
        } else {
            bad.join("; ")
        },
    ))
}

/// Whether `adv` was published by `as_of` (by `published`, else
/// `modified`); a record with neither date counts as published.
fn published_by(adv: &custody_advisory::osv::Advisory, as_of: Option<Timestamp>) -> bool {
    let Some(as_of) = as_of else { return true };
    adv.published
        .as_deref()
        .or(Some(adv.modified.as_str()).filter(|m| !m.is_empty()))
        .and_then(|t| t.parse::<Timestamp>().ok())
        .is_none_or(|t| t <= as_of)
}

/// The received data against the bundle's manifest.
fn data_check(p: &bundle::Predicate, dir: &Path, trusted: &[PublicKey]) -> Check {
    let paths = [dir.to_owned()];
    let verified = crate::workflow::verify::verify_bytes(
        Path::new("the bundle's manifest"),
        p.manifest.as_bytes().to_vec(),
        &paths,
        trusted,
        &NoProgress,
    );
    match verified {
        Ok(r) if r.identical => check("data", true, format!("{} matches the seal", dir.display())),
        Ok(r) => check(
            "data",
            false,
            format!(
                "{} differs from the seal: {} added, {} removed, {} modified",
                dir.display(),
                r.report.added.len(),
                r.report.removed.len(),
                r.report.modified.len()
            ),
        ),
        Err(e) => check("data", false, format!("{}: {e}", dir.display())),
    }
}

struct NoProgress;

impl crate::workflow::progress::ByteProgress for NoProgress {
    fn start(&self, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{Step, package_age};

    fn step(packages: &[(&str, &str)]) -> Step {
        Step {
            id: "a".repeat(64),
            started_at: "2026-03-24T12:00:00Z".into(),
            packages: packages
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            predicate: serde_json::Value::Null,
        }
    }

    #[test]
    fn packages_younger_than_the_cooldown_or_of_unknown_age_fail() {
        let uploads: BTreeMap<(String, String), String> = [
            (
                ("litellm".into(), "1.82.8".into()),
                "2026-03-24T10:52:00Z".into(),
            ),
            (
                ("six".into(), "1.16.0".into()),
                "2021-05-05T14:00:00Z".into(),
            ),
        ]
        .into();
        let week = jiff::SignedDuration::from_hours(7 * 24);
        let ok = package_age(&[step(&[("six", "1.16.0")])], &uploads, week);
        assert!(ok.passed, "{}", ok.detail);
        let young = package_age(
            &[step(&[("six", "1.16.0"), ("litellm", "1.82.8")])],
            &uploads,
            week,
        );
        assert!(!young.passed);
        assert!(
            young
                .detail
                .contains("litellm==1.82.8 was 1 h old when run aaaaaaaaaaaa started"),
            "{}",
            young.detail
        );
        let unknown = package_age(&[step(&[("numpy", "2.1.0")])], &uploads, week);
        assert!(!unknown.passed);
        assert!(
            unknown
                .detail
                .contains("no upload time for 1 package version(s) (numpy==2.1.0)"),
            "{}",
            unknown.detail
        );
        assert!(!package_age(&[], &uploads, week).passed);
    }
}
