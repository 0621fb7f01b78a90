//! `watch`: every advisory (imported and embedded; withdrawn records
//! never match) evaluated against every package version the ledger's
//! environments hold; each asset an affected version touched (environment,
//! run, artifact exposed, written, downstream) becomes a [`WatchEvent`];
//! the ones this watcher has not emitted yet go to the sinks, and only
//! those the sinks accepted advance the cursor (the ledger's
//! `watch_emitted` table). A failed delivery leaves its events pending:
//! they are sent again next round (at least once, each with a stable id).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use custody_pypa::PackageName;
use serde::Serialize;
use sha2::Digest;

use crate::advisories::{AdvisoryIndex, Candidate};
use crate::advisory::StoreError;
use crate::ledger::{
    ArtifactHit, AssetKey, DatasetVersion, Emitted, EnvironmentHit, Impact, Ledger, LedgerError,
    Location, PackageVersion, Step, Window,
};
use crate::workflow::ledger::open_existing;
pub use crate::workflow::watch_sink::{
    FileSink, LinesSink, Retry, SIGNATURE_HEADER, Sink, SinkError, Webhook, WebhookError,
    read_secret, signature,
};

/// The watcher name when none is given.
pub const DEFAULT_WATCHER: &str = "default";

/// What kind of asset an event names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    /// An environment holding an affected version.
    Environment,
    /// A run in such an environment.
    Run,
    /// An artifact such a run read.
    Exposed,
    /// An artifact such a run wrote.
    Written,
    /// An artifact made from a written one, transitively.
    Downstream,
}

impl AssetKind {
    /// Its name in events and in the cursor.
    pub fn name(self) -> &'static str {
        match self {
            Self::Environment => "environment",
            Self::Run => "run",
            Self::Exposed => "exposed",
            Self::Written => "written",
            Self::Downstream => "downstream",
        }
    }
}

/// A run, as an event names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunAsset {
    /// Its id (the attestation's digest).
    pub id: String,
    /// Its environment's id.
    pub environment: String,
    /// Its command (JSON array text).
    pub command: String,
    /// Start (RFC 3339, as signed).
    pub started_at: String,
    /// End.
    pub finished_at: String,
}

/// An artifact, as an event names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArtifactAsset {
    /// Its name in the attestation.
    pub name: String,
    /// Its digest ('' when the run did not hash it).
    pub digest: String,
    /// The sealed dataset versions with that root.
    pub datasets: Vec<DatasetVersion>,
}

/// The asset of an event (its shape follows `kind`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Asset {
    /// `environment`: id, prefix, and the affected package it holds.
    Environment(EnvironmentHit),
    /// `run`.
    Run(RunAsset),
    /// `exposed`, `written`, `downstream`.
    Artifact(ArtifactAsset),
}

/// One newly affected asset: a JSON line, or one webhook body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WatchEvent {
    /// Stable: SHA-256 of the advisory, kind and asset key, the same in
    /// every round and for every watcher (receivers de-duplicate by it).
    pub id: String,
    /// The advisory's id.
    pub advisory: String,
    /// Its summary.
    pub summary: Option<String>,
    /// A malicious-package record.
    pub malicious: bool,
    /// What the asset is.
    pub kind: AssetKind,
    /// The asset.
    pub asset: Asset,
    /// From the package version to the asset.
    pub path: Vec<Step>,
    /// When this round found it (RFC 3339).
    pub detected_at: String,
}

impl WatchEvent {
    /// Its key in the cursor.
    pub fn key(&self) -> AssetKey {
        let asset = match &self.asset {
            Asset::Environment(e) => e.id.clone(),
            Asset::Run(r) => r.id.clone(),
            // An artifact the run could not hash is named by the run that
            // read or wrote it, so two runs' `out` stay two assets.
            Asset::Artifact(a) if a.digest.is_empty() => {
                let run = self
                    .path
                    .iter()
                    .rev()
                    .find_map(|s| match s {
                        Step::Run { id } => Some(id.as_str()),
                        _ => None,
                    })
                    .unwrap_or_default();
                format!("unhashed:{run}:{}", a.name)
            }
            Asset::Artifact(a) => a.digest.clone(),
        };
        AssetKey {
            advisory: self.advisory.clone(),
            kind: self.kind.name().to_owned(),
            asset,
        }
    }
}

/// The stable id of the asset `key`.
fn event_id(key: &AssetKey) -> String {
    let mut h = sha2::Sha256::new();
    for part in [
        "custody.watch.event/v1",
        &key.advisory,
        &key.kind,
        &key.asset,
    ] {
        h.update(part.len().to_string().as_bytes());
        h.update(b":");
        h.update(part.as_bytes());
    }
    custody_seal::keys::hex(&h.finalize())
}

/// Why a round could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The ledger cannot be opened, read or written.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The advisory database cannot be read.
    #[error("the advisory database: {0}")]
    Advisories(#[from] StoreError),
}

/// What one round did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundReport {
    /// The ledger, without a password.
    pub ledger: String,
    /// The watcher's name (its cursor).
    pub watcher: String,
    /// When the round evaluated (RFC 3339).
    pub detected_at: String,
    /// Advisories affecting some asset.
    pub advisories: usize,
    /// Advisories with assets not emitted before.
    pub new_advisories: usize,
    /// Assets not emitted before.
    pub new: usize,
    /// Of those, delivered and recorded in the cursor.
    pub delivered: usize,
    /// Assets this watcher had emitted already.
    pub already_emitted: usize,
    /// Why delivery stopped: the events not delivered stay pending.
    pub failure: Option<String>,
}

impl RoundReport {
    /// New events not delivered (sent again next round).
    pub fn pending(&self) -> usize {
        self.new - self.delivered
    }
}

/// Every current affected asset, and how many of them `watcher` emitted.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Events not emitted yet, in advisory, kind and path order.
    pub new: Vec<WatchEvent>,
    /// Assets affected now.
    pub affected: usize,
    /// Advisories affecting some asset.
    pub advisories: usize,
    /// Assets already emitted.
    pub already_emitted: usize,
}

/// Evaluates every advisory in `home`'s index against `ledger` for
/// `watcher`, at `now`.
///
/// # Errors
/// See [`WatchError`].
pub fn evaluate(
    ledger: &mut Ledger,
    home: &Path,
    watcher: &str,
    now: jiff::Timestamp,
) -> Result<Evaluation, WatchError> {
    let index = AdvisoryIndex::open(home)?;
    let installed = ledger.installed_packages()?;
    let mut versions: BTreeMap<PackageName, Vec<String>> = BTreeMap::new();
    for p in &installed {
        if let Ok(name) = PackageName::new(&p.name) {
            versions.entry(name).or_default().push(p.version.clone());
        }
    }
    let names: Vec<&PackageName> = versions.keys().collect();
    // Advisory id -> (a candidate to read the record by, affected versions).
    let mut hits: BTreeMap<String, (Candidate, BTreeSet<PackageVersion>)> = BTreeMap::new();
    for (name, candidates) in index.candidates(&names)? {
        for c in candidates {
            for v in versions.get(&name).into_iter().flatten() {
                let Ok(parsed) = custody_pypa::parse_version(v) else {
                    continue;
                };
                let canonical = custody_advisory::matching::canonical(&parsed);
                if c.matcher.matches(&parsed, &canonical) {
                    hits.entry(c.id.clone())
                        .or_insert_with(|| (c.clone(), BTreeSet::new()))
                        .1
                        .insert(PackageVersion::new(name.as_str(), v));
                }
            }
        }
    }
    let done = ledger.emitted(watcher)?;
    let detected_at = now.to_string();
    let mut out = Evaluation {
        new: Vec::new(),
        affected: 0,
        advisories: 0,
        already_emitted: 0,
    };
    for (id, (candidate, selected)) in hits {
        let record = index.record(&candidate)?;
        let selected: Vec<PackageVersion> = selected.into_iter().collect();
        let impact = ledger.impact(&selected, &Window::default())?;
        let events = events_of(&impact, |kind, asset, path| WatchEvent {
            id: String::new(),
            advisory: id.clone(),
            summary: record.as_ref().and_then(|r| r.summary.clone()),
            malicious: record.as_ref().map_or(
                id.starts_with("MAL-"),
                custody_advisory::Advisory::is_malicious,
            ),
            kind,
            asset,
            path,
            detected_at: detected_at.clone(),
        });
        if !events.is_empty() {
            out.advisories += 1;
        }
        out.affected += events.len();
        for mut e in events {
            let key = e.key();
            if done.contains(&key) {
                out.already_emitted += 1;
            } else {
                e.id = event_id(&key);
                out.new.push(e);
            }
        }
    }
    Ok(out)
}

/// The impact's assets as events, each (kind, asset key) once (the first
/// path found).
fn events_of(
    impact: &Impact,
    event: impl Fn(AssetKind, Asset, Vec<Step>) -> WatchEvent,
) -> Vec<WatchEvent> {
    let mut out: Vec<WatchEvent> = Vec::new();
    for e in &impact.environments {
        let path = vec![
            Step::Package {
                name: e.name.clone(),
                version: e.version.clone(),
            },
            Step::Environment {
                id: e.id.clone(),
                prefix: e.prefix.clone(),
            },
        ];
        out.push(event(
            AssetKind::Environment,
            Asset::Environment(e.clone()),
            path,
        ));
    }
    for r in &impact.runs {
        let asset = Asset::Run(RunAsset {
            id: r.id.clone(),
            environment: r.environment.clone(),
            command: r.command.clone(),
            started_at: r.started_at.clone(),
            finished_at: r.finished_at.clone(),
        });
        out.push(event(AssetKind::Run, asset, r.path.clone()));
    }
    let artifact = |a: &ArtifactHit| {
        Asset::Artifact(ArtifactAsset {
            name: a.name.clone(),
            digest: a.digest.clone(),
            datasets: a.datasets.clone(),
        })
    };
    for (kind, hits) in [
        (AssetKind::Exposed, &impact.exposed),
        (AssetKind::Written, &impact.written),
        (AssetKind::Downstream, &impact.downstream),
    ] {
        for a in hits {
            out.push(event(kind, artifact(a), a.path.clone()));
        }
    }
    let mut seen = BTreeSet::new();
    out.retain(|e| seen.insert(e.key()));
    out
}

/// Where events go, and how the watcher is named.
pub struct Options {
    /// The ledger.
    pub location: Location,
    /// The custody home (the advisory database).
    pub home: PathBuf,
    /// The watcher's name: its own cursor.
    pub watcher: String,
}

/// One round: evaluate, deliver the new events to every sink in order
/// (an event counts as delivered once every sink accepted it), let each
/// sink make its writes durable, then record the delivered ones.
///
/// # Errors
/// The ledger or the advisory database failed; a sink failing is not an
/// error but [`RoundReport::failure`], its events pending.
pub fn round(options: &Options, sinks: &mut [Box<dyn Sink>]) -> Result<RoundReport, WatchError> {
    let mut ledger = open_existing(&options.location)?;
    let now = jiff::Timestamp::now();
    let evaluation = evaluate(&mut ledger, &options.home, &options.watcher, now)?;
    let (delivered, failure) = deliver(&evaluation.new, sinks);
    let marks: Vec<Emitted> = evaluation.new[..delivered]
        .iter()
        .map(|e| Emitted {
            key: e.key(),
            event_id: e.id.clone(),
        })
        .collect();
    ledger.mark_emitted(&options.watcher, &marks)?;
    let new_advisories = evaluation
        .new
        .iter()
        .map(|e| e.advisory.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    Ok(RoundReport {
        ledger: options.location.display(),
        watcher: options.watcher.clone(),
        detected_at: now.to_string(),
        advisories: evaluation.advisories,
        new_advisories,
        new: evaluation.new.len(),
        delivered,
        already_emitted: evaluation.already_emitted,
        failure: failure.map(|e| e.to_string()),
    })
}

/// Sends `events` to `sinks` until one fails; how many every sink
/// accepted (and made durable), and the failure.
fn deliver(events: &[WatchEvent], sinks: &mut [Box<dyn Sink>]) -> (usize, Option<SinkError>) {
    let mut accepted = 0;
    let mut failure = None;
    'events: for e in events {
        let body = match serde_json::to_vec(e) {
            Ok(b) => b,
            Err(err) => {
                failure = Some(SinkError::Encode(err.to_string()));
                break;
            }
        };
        for s in sinks.iter_mut() {
            if let Err(err) = s.send(&body) {
                failure = Some(err);
                break 'events;
            }
        }
        accepted += 1;
    }
    for s in sinks.iter_mut() {
        if let Err(err) = s.finish() {
            // Not durable: nothing counts as delivered.
            return (0, Some(err));
        }
    }
    (accepted, failure)
}

/// Runs a round, then (with `interval`) another every `interval`,
/// forever; `on_round` sees each round's report or error. Without
/// `interval`, the one round's result.
///
/// # Errors
/// The single round's [`WatchError`] (with an interval, errors go to
/// `on_round` and the loop goes on: a ledger that is down now may be up
/// next round).
pub fn watch(
    options: &Options,
    sinks: &mut [Box<dyn Sink>],
    interval: Option<Duration>,
    on_round: &mut dyn FnMut(&Result<RoundReport, WatchError>),
) -> Result<RoundReport, WatchError> {
    loop {
        let result = round(options, sinks);
        let Some(interval) = interval else {
            return result;
        };
        on_round(&result);
        std::thread::sleep(interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_stable_and_distinct() {
        let key = |kind: &str, asset: &str| AssetKey {
            advisory: "MAL-2026-2144".into(),
            kind: kind.into(),
            asset: asset.into(),
        };
        assert_eq!(event_id(&key("run", "ab")), event_id(&key("run", "ab")));
        assert_ne!(event_id(&key("run", "ab")), event_id(&key("written", "ab")));
        // Length-prefixed: moving a character between fields changes it.
        assert_ne!(event_id(&key("run", "ab")), event_id(&key("runa", "b")));
        assert_eq!(event_id(&key("run", "ab")).len(), 64);
    }
}

#[cfg(test)]
mod unhashed_tests {
    use super::*;

    fn event(run: &str) -> WatchEvent {
        WatchEvent {
            id: String::new(),
            advisory: "MAL-1".into(),
            summary: None,
            malicious: true,
            kind: AssetKind::Written,
            asset: Asset::Artifact(ArtifactAsset {
                name: "out".into(),
                digest: String::new(),
                datasets: Vec::new(),
            }),
            path: vec![Step::Run { id: run.into() }],
            detected_at: String::new(),
        }
    }

    /// Two runs' unhashed `out` are two assets, each emitted once.
    #[test]
    fn unhashed_artifacts_of_two_runs_are_two_assets() {
        assert_ne!(event("r1").key(), event("r2").key());
        assert_eq!(event("r1").key(), event("r1").key());
    }
}
