//! A `custody scan --record` inventory: an in-toto statement of predicate
//! type [`INVENTORY_PREDICATE`] listing every package of every
//! environment and lockfile the scan read, so advisories published later
//! still find them.
//!
//! ```json
//! {"_type": "https://in-toto.io/Statement/v1",
//!  "subject": [{"name": "/srv/venv", "digest": {"sha256": "<environment id>"}}],
//!  "predicateType": "https://custody.dev/inventory/v1",
//!  "predicate": {"scannedAt": "2026-03-24T10:00:00Z",
//!                "scanner": {"name": "custody", "version": "0.1.0"},
//!                "sources": [{"path": "/srv/venv", "kind": "environment",
//!                             "packages": [{"name": "litellm", "version": "1.82.8"}]}]}}
//! ```
//!
//! One subject per source, in the same order; its digest is the
//! environment's identity ([`super::environment::id`]), checked here.

use serde::Deserialize;

pub use custody_seal::open::INVENTORY_PREDICATE;

use crate::backend::Value;
use crate::error::Refusal;
use crate::graph::{ENVIRONMENT_SCANS, Fact};
use crate::ingest::attestation::normalize;
use crate::ingest::environment;
use crate::log::Event;

/// One package as listed.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Listed {
    /// Name (normalised on ingest).
    pub name: String,
    /// Version as the source states it.
    pub version: String,
    /// When its newest file was uploaded, where the source records it
    /// (uv.lock, pylock.toml): what a minimum-age rule checks.
    #[serde(
        rename = "uploadTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub upload_time: Option<String>,
}

/// One source a scan read.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Source {
    /// Its absolute path.
    pub path: String,
    /// `environment`, `uv.lock`, `requirements.txt`, ...
    pub kind: String,
    /// Every package with a version.
    pub packages: Vec<Listed>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Predicate {
    scanned_at: String,
    sources: Vec<Source>,
}

/// One source as stored: its prefix, kind, and sorted unique
/// (normalised name, version) pairs.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The environment's prefix or the lockfile's path.
    pub prefix: String,
    /// What it is.
    pub kind: String,
    /// Its packages.
    pub packages: Vec<(String, String)>,
    /// Upload times where the source records them: (name, version, time).
    pub uploads: Vec<(String, String, String)>,
}

/// A scan's inventory, checked.
#[derive(Debug, Clone)]
pub struct Scan {
    /// When, RFC 3339.
    pub scanned_at: String,
    /// The sources.
    pub sources: Vec<Seen>,
}

impl Scan {
    /// Reads a verified statement.
    pub fn parse(statement: &custody_seal::manifest::Statement) -> Result<Self, Refusal> {
        let bad = |m: String| Refusal::Malformed(format!("scan inventory: {m}"));
        let p: Predicate =
            serde_json::from_value(statement.predicate.clone()).map_err(|e| bad(e.to_string()))?;
        p.scanned_at
            .parse::<jiff::Timestamp>()
            .map_err(|e| bad(format!("scannedAt {:?}: {e}", p.scanned_at)))?;
        if statement.subject.len() != p.sources.len() {
            return Err(bad(format!(
                "{} subjects for {} sources",
                statement.subject.len(),
                p.sources.len()
            )));
        }
        let mut sources = Vec::with_capacity(p.sources.len());
        for (s, subject) in p.sources.into_iter().zip(&statement.subject) {
            let uploads = s
                .packages
                .iter()
                .filter_map(|l| {
                    Some((
                        normalize(&l.name),
                        l.version.clone(),
                        l.upload_time.clone()?,
                    ))
                })
                .collect();
            let mut packages: Vec<(String, String)> = s
                .packages
                .into_iter()
                .map(|l| (normalize(&l.name), l.version))
                .collect();
            packages.sort();
            packages.dedup();
            let id = environment::id(&s.path, &packages);
            let signed = subject.digest.get("sha256").map_or("", String::as_str);
            if subject.name != s.path || signed != id {
                return Err(bad(format!(
                    "subject {:?} does not state source {:?} (its digest is the environment's identity)",
                    subject.name, s.path
                )));
            }
            sources.push(Seen {
                prefix: s.path,
                kind: s.kind,
                packages,
                uploads,
            });
        }
        Ok(Self {
            scanned_at: p.scanned_at,
            sources,
        })
    }

    /// Environments, their packages, and one sighting per source.
    pub fn facts(&self, event: &Event) -> Vec<Fact> {
        let mut facts = Vec::new();
        for Seen {
            prefix,
            kind,
            packages,
            ..
        } in &self.sources
        {
            let id = environment::id(prefix, packages);
            if id.is_empty() {
                continue;
            }
            facts.extend(environment::facts(&id, prefix, packages));
            facts.push(Fact {
                table: ENVIRONMENT_SCANS,
                row: vec![
                    id.as_str().into(),
                    Value::Int(event.seq),
                    kind.as_str().into(),
                    self.scanned_at.as_str().into(),
                ],
            });
        }
        facts
    }
}
