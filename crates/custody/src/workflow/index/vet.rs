//! What serving and mirroring share: an upstream's project page filtered by
//! the policy (records and cooldown), and the gate every file passes.

use std::collections::HashMap;
use std::sync::Mutex;

use custody_pypa::{PackageName, Version};

use super::gate::Gate;
use super::upstream::{Client, Fault};
use crate::AdvisoryIndex;
use crate::advisories::Candidate;
use crate::index::{self, Code, Decision, DistFile, PagePolicy, ProjectPage};
use crate::policy::IndexPolicy;

/// A filtered page, the decisions about it, and the upstream's files.
pub type Filtered = (ProjectPage, Vec<Decision>, Vec<DistFile>);

/// The upstream, the policy and the gate.
pub struct Vetter {
    /// The upstream.
    pub client: Client,
    /// Files' verdicts.
    pub gate: Gate,
    /// `[index]` of the policy.
    pub policy: IndexPolicy,
    /// A fixed "now" (tests); the clock otherwise.
    pub fixed_now: Option<jiff::Timestamp>,
    advisories: Mutex<AdvisoryIndex>,
}

fn lock_fault() -> Fault {
    Fault {
        code: Code::UpstreamError,
        reason: "the advisory index's lock is poisoned".into(),
    }
}

fn db_fault(e: &impl std::fmt::Display) -> Fault {
    Fault {
        code: Code::UpstreamError,
        reason: format!("advisory database: {e}"),
    }
}

impl Vetter {
    /// A vetter of `client`'s pages and files.
    pub fn new(
        client: Client,
        gate: Gate,
        policy: IndexPolicy,
        advisories: AdvisoryIndex,
        fixed_now: Option<jiff::Timestamp>,
    ) -> Self {
        Self {
            client,
            gate,
            policy,
            fixed_now,
            advisories: Mutex::new(advisories),
        }
    }

    /// Now.
    pub fn now(&self) -> jiff::Timestamp {
        self.fixed_now.unwrap_or_else(jiff::Timestamp::now)
    }

    /// The upstream's page of `name` filtered, with the decisions about it;
    /// `None` when the upstream has no such project.
    pub fn filtered(&self, name: &PackageName) -> Result<Option<Filtered>, Fault> {
        let Some(page) = self.client.page(name)? else {
            return Ok(None);
        };
        let advisories = self.advisories.lock().map_err(|_| lock_fault())?;
        let candidates = advisories
            .candidates(&[name])
            .map_err(|e| db_fault(&e))?
            .remove(name)
            .unwrap_or_default();
        let flag = Flagger::new(&advisories, candidates, self.policy.block_severity);
        let policy = PagePolicy {
            now: self.now(),
            min_age: self.policy.min_age,
            allows: &self.policy.allows,
        };
        let (kept, decisions) = index::filter(&page, name, &|v| flag.flag(v), &policy);
        if let Some(e) = flag.error.into_inner().ok().flatten() {
            return Err(db_fault(&e));
        }
        Ok(Some((kept, decisions, page.files)))
    }
}

/// The record-based decision about a release: a `MAL-` record first, then
/// (with `block-severity` set) any other record at or above it.
struct Flagger<'a> {
    advisories: &'a AdvisoryIndex,
    candidates: Vec<Candidate>,
    block: Option<crate::Severity>,
    /// Severity by record id, read once per page.
    severities: Mutex<HashMap<String, crate::Severity>>,
    /// A record that could not be read: the page is a fault, never served
    /// as if the record did not exist.
    error: Mutex<Option<String>>,
}

impl<'a> Flagger<'a> {
    fn new(
        advisories: &'a AdvisoryIndex,
        candidates: Vec<Candidate>,
        block: Option<crate::Severity>,
    ) -> Self {
        Self {
            advisories,
            candidates,
            block,
            severities: Mutex::new(HashMap::new()),
            error: Mutex::new(None),
        }
    }

    fn flag(&self, v: &Version) -> Option<(Code, String)> {
        let canonical = crate::advisory::canonical_version(v);
        let matching: Vec<&Candidate> = self
            .candidates
            .iter()
            .filter(|c| c.matcher.matches(v, &canonical))
            .collect();
        if let Some(c) = matching.iter().find(|c| c.id.starts_with("MAL-")) {
            return Some((Code::Malicious, c.id.clone()));
        }
        let block = self.block?;
        matching.iter().find_map(|c| {
            let severity = self.severity(c)?;
            (severity.rank() >= block.rank())
                .then(|| (Code::Vulnerable, format!("{} ({severity})", c.id)))
        })
    }

    fn severity(&self, c: &Candidate) -> Option<crate::Severity> {
        if let Some(s) = self.severities.lock().ok()?.get(&c.id) {
            return Some(*s);
        }
        match self.advisories.record(c) {
            Ok(Some(record)) => {
                let s = crate::advisory::severity_of(&record).0;
                self.severities.lock().ok()?.insert(c.id.clone(), s);
                Some(s)
            }
            Ok(None) => None,
            Err(e) => {
                if let Ok(mut slot) = self.error.lock() {
                    *slot = Some(e.to_string());
                }
                None
            }
        }
    }
}
