//! What a step tried to do, as the supervisor saw it: the bounded log that
//! cannot be blinded.
//!
//! Attempts are kept in tiers, each with its own budget, so that a flood
//! of one kind cannot push out another: attempts on real secrets first,
//! then guesses at secrets and network attempts, then refused system
//! calls, then the rest (opens outside the policy, executions). Past its
//! budget, an attempt of the first three tiers is folded into a count
//! under a coarse key from a small fixed set (the place of secrets it
//! matched, the address family, the system call's name), so none is lost
//! without trace; only the last tier's are merely counted as `dropped`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Why an attempt is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// A usual place of a secret (`~/.ssh/`, `.env`, `*.key`, ...).
    Credential,
    /// A network call the policy refuses (or, in a private loopback,
    /// records).
    Network,
    /// A system call the filter refuses.
    Refused,
    /// An existing path the policy does not grant (Landlock denied it).
    OutsidePolicy,
    /// An execution.
    Exec,
    /// A call whose path or address the supervisor could not read from
    /// the step's memory (a step that hides it: evidence in itself).
    Unreadable,
}

/// The tiers, in the order they are kept and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// A real secret outside the step's writable places, denied.
    Secret,
    /// A guess at a secret's place, or a network attempt.
    Probe,
    /// A refused system call.
    Call,
    /// Anything else.
    Other,
}

/// Each tier's budget of distinct attempts.
pub const BUDGETS: &[(Tier, usize)] = &[
    (Tier::Secret, 1024),
    (Tier::Probe, 256),
    (Tier::Call, 256),
    (Tier::Other, 512),
];

/// Within the first two tiers, each coarse key (place of secrets,
/// address family) has this budget of its own, so a flood at one place
/// (`/proc/*/environ`) cannot use up the tier for another (`/.ssh/`).
pub const PER_KEY: usize = 128;

fn budget(tier: Tier) -> usize {
    BUDGETS
        .iter()
        .find(|(t, _)| *t == tier)
        .map_or(0, |(_, n)| *n)
}

/// One kind of attempt, with how often it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// The system call: `open`, `exec`, `connect`, `sendto`, `sendmsg`,
    /// `socket`, `socketpair`, `listen`, `bind`, or the name of a refused
    /// call (`ioctl`, `shmget`, ...).
    pub call: String,
    /// What it aimed at, escaped and bounded: a path (see
    /// [`crate::describe::path`]), `ADDRESS:PORT`, `unix:PATH`, a socket
    /// kind, an ioctl request; for folded attempts, the coarse key.
    pub target: String,
    /// Why it is recorded.
    pub reason: Reason,
    /// `denied` or `allowed`. Network attempts and refused calls are
    /// denied (by the filter); opens and executions are decided by
    /// Landlock from the policy, and this is the policy's answer.
    pub outcome: String,
    /// How many times.
    pub count: u64,
    /// The process that made the first one.
    pub pid: u32,
}

/// What the supervisor saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    /// Attempts, by tier (secrets first), then in the order first seen.
    pub attempts: Vec<Attempt>,
    /// Attempts past their tier's budget, folded by a coarse key (the
    /// target names the key), with counts.
    #[serde(default)]
    pub folded: Vec<Attempt>,
    /// Other attempts (outside-policy opens, executions) past their
    /// budget: counted only.
    pub dropped: u64,
    /// Notifications handled (every observed or refused call).
    pub notifications: u64,
}

impl Observed {
    /// The attempts that were, or by the policy will be, denied, secrets
    /// and network first.
    pub fn denied(&self) -> impl Iterator<Item = &Attempt> {
        self.attempts
            .iter()
            .chain(&self.folded)
            .filter(|a| a.outcome == "denied")
    }
}

/// One attempt as the supervisor classified it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The call.
    pub call: String,
    /// The target, already escaped.
    pub target: String,
    /// Why it is recorded.
    pub reason: Reason,
    /// Denied (or allowed).
    pub denied: bool,
    /// The process.
    pub pid: u32,
    /// Its tier.
    pub tier: Tier,
    /// The coarse key it is folded under past the budget (`None`: only
    /// counted).
    pub fold: Option<String>,
}

/// The bounded, de-duplicated log.
#[derive(Debug, Default)]
pub struct Log {
    seen: HashMap<(String, String), usize>,
    kept: Vec<(Tier, Attempt)>,
    per_tier: HashMap<Tier, usize>,
    per_key: HashMap<(Tier, String), usize>,
    folded_at: HashMap<(String, String), usize>,
    folded: Vec<Attempt>,
    dropped: u64,
    notifications: u64,
}

fn attempt(e: &Entry, target: String) -> Attempt {
    Attempt {
        call: e.call.clone(),
        target,
        reason: e.reason,
        outcome: if e.denied { "denied" } else { "allowed" }.to_owned(),
        count: 1,
        pid: e.pid,
    }
}

impl Log {
    /// Records one attempt.
    pub fn record(&mut self, e: &Entry) {
        let key = (e.call.clone(), e.target.clone());
        if let Some(&i) = self.seen.get(&key) {
            self.kept[i].1.count += 1;
            return;
        }
        let keyed = matches!(e.tier, Tier::Secret | Tier::Probe);
        let place = (e.tier, e.fold.clone().unwrap_or_default());
        let key_used = if keyed {
            self.per_key.get(&place).copied().unwrap_or(0)
        } else {
            0
        };
        let used = self.per_tier.entry(e.tier).or_default();
        if *used < budget(e.tier) && key_used < PER_KEY {
            *used += 1;
            if keyed {
                *self.per_key.entry(place).or_default() += 1;
            }
            self.seen.insert(key, self.kept.len());
            self.kept.push((e.tier, attempt(e, e.target.clone())));
            return;
        }
        let Some(fold) = e.fold.clone() else {
            self.dropped += 1;
            return;
        };
        let key = (e.call.clone(), fold.clone());
        if let Some(&i) = self.folded_at.get(&key) {
            self.folded[i].count += 1;
        } else {
            self.folded_at.insert(key, self.folded.len());
            self.folded.push(attempt(e, fold));
        }
    }

    /// Counts one notification.
    pub fn notified(&mut self) {
        self.notifications += 1;
    }

    /// The result.
    pub fn finish(mut self) -> Observed {
        // Stable: within a tier, the order first seen.
        self.kept.sort_by_key(|(t, _)| *t);
        Observed {
            attempts: self.kept.into_iter().map(|(_, a)| a).collect(),
            folded: self.folded,
            dropped: self.dropped,
            notifications: self.notifications,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(call: &str, target: &str, reason: Reason, tier: Tier, fold: Option<&str>) -> Entry {
        Entry {
            call: call.into(),
            target: target.into(),
            reason,
            denied: true,
            pid: 7,
            tier,
            fold: fold.map(str::to_owned),
        }
    }

    #[test]
    fn counts_and_keeps_the_first_pid() {
        let mut log = Log::default();
        let mut e = entry("open", "/a", Reason::Credential, Tier::Secret, None);
        log.record(&e);
        e.pid = 8;
        log.record(&e);
        let o = log.finish();
        assert_eq!(o.attempts[0].count, 2);
        assert_eq!(o.attempts[0].pid, 7);
    }

    /// A flood of real secrets at one place cannot use up the tier for
    /// another place.
    #[test]
    fn each_place_has_its_own_budget() {
        let mut log = Log::default();
        for i in 0..2000 {
            log.record(&entry(
                "open",
                &format!("/proc/{i}/environ"),
                Reason::Credential,
                Tier::Secret,
                Some("/proc/*/environ"),
            ));
        }
        log.record(&entry(
            "open",
            "/home/ci/.ssh/id_rsa",
            Reason::Credential,
            Tier::Secret,
            Some("/.ssh/"),
        ));
        let o = log.finish();
        assert!(
            o.attempts
                .iter()
                .any(|a| a.target == "/home/ci/.ssh/id_rsa")
        );
        assert_eq!(o.folded[0].target, "/proc/*/environ");
        assert_eq!(o.folded[0].count, 2000 - PER_KEY as u64);
    }

    /// The review's flood: 1,024 decoy opens, then the real secret. The
    /// secret is kept, and shown first.
    #[test]
    fn a_flood_of_decoys_cannot_push_out_a_secret() {
        let mut log = Log::default();
        for i in 0..5000 {
            log.record(&entry(
                "open",
                &format!("/decoy/{i}"),
                Reason::OutsidePolicy,
                Tier::Other,
                None,
            ));
        }
        for i in 0..5000 {
            log.record(&entry(
                "connect",
                &format!("10.0.0.1:{i}"),
                Reason::Network,
                Tier::Probe,
                Some("inet"),
            ));
        }
        log.record(&entry(
            "open",
            "/home/ci/.ssh/id_rsa",
            Reason::Credential,
            Tier::Secret,
            Some("/.ssh/"),
        ));
        let o = log.finish();
        assert_eq!(o.attempts[0].target, "/home/ci/.ssh/id_rsa");
        assert_eq!(o.dropped, 5000 - 512);
        // Network attempts past the budget are folded, not lost.
        assert_eq!(o.folded.len(), 1);
        assert_eq!(o.folded[0].target, "inet");
        assert_eq!(o.folded[0].count, 5000 - PER_KEY as u64);
        assert_eq!(o.attempts.len(), 1 + PER_KEY + 512);
        assert_eq!(o.attempts[1].reason, Reason::Network);
    }
}
