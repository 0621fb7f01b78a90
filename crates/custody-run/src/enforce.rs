//! Enforcement, applied by the sandbox helper to itself just before it
//! executes the step: Landlock for the file system (and TCP), then a
//! seccomp filter. Both survive `execve` and bind every descendant; neither
//! can be lifted by the step.

use std::path::PathBuf;

use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible as _, PathBeneath, PathFd,
    RestrictionStatus, Ruleset, RulesetAttr as _, RulesetCreatedAttr as _, RulesetStatus, Scope,
};
use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, SeccompRule};
use serde::{Deserialize, Serialize};

/// The newest Landlock ABI custody asks for; the kernel may grant less.
const WANTED_ABI: ABI = ABI::V7;

/// Network policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Net {
    /// No sockets at all (socketpair and pipes still work).
    None,
}

/// What the step may touch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Policy {
    /// Read (and execute) only.
    pub read: Vec<PathBuf>,
    /// Read and write.
    pub write: Vec<PathBuf>,
    /// Network.
    pub net: Net,
    /// Run even if the kernel cannot enforce every requested right.
    pub allow_degraded: bool,
}

/// What was actually enforced.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Enforced {
    /// Landlock: `full`, `partial` or `none`.
    pub landlock: String,
    /// The Landlock ABI custody asked for.
    pub landlock_abi_requested: u32,
    /// Whether `no_new_privs` is set (setuid binaries cannot gain rights).
    pub no_new_privs: bool,
    /// Whether the seccomp filter is installed.
    pub seccomp: bool,
    /// System calls the filter denies (with EPERM).
    pub denied_syscalls: Vec<String>,
    /// Network policy.
    pub net: Net,
}

/// Why the sandbox could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Landlock refused the ruleset.
    #[error("Landlock: {0}")]
    Landlock(String),
    /// The kernel enforces less than asked, and degraded runs were not allowed.
    #[error(
        "the kernel enforces Landlock only partly or not at all ({0}); refusing to run (pass --allow-degraded to run anyway, and it is recorded)"
    )]
    Degraded(String),
    /// The seccomp filter could not be built or installed.
    #[error("seccomp: {0}")]
    Seccomp(String),
}

/// System calls denied to every step: they would let it observe or
/// control other processes, or slip past the filter.
const DENIED: &[(&str, i64)] = &[
    ("ptrace", libc::SYS_ptrace),
    ("process_vm_readv", libc::SYS_process_vm_readv),
    ("process_vm_writev", libc::SYS_process_vm_writev),
    ("bpf", libc::SYS_bpf),
    ("io_uring_setup", libc::SYS_io_uring_setup),
    ("io_uring_enter", libc::SYS_io_uring_enter),
    ("io_uring_register", libc::SYS_io_uring_register),
    ("seccomp", libc::SYS_seccomp),
    ("unshare", libc::SYS_unshare),
    ("setns", libc::SYS_setns),
    ("mount", libc::SYS_mount),
    ("keyctl", libc::SYS_keyctl),
    ("add_key", libc::SYS_add_key),
    ("request_key", libc::SYS_request_key),
    ("perf_event_open", libc::SYS_perf_event_open),
    ("userfaultfd", libc::SYS_userfaultfd),
];

/// Applies `policy` to the calling process (the helper, single-threaded,
/// just before `execve`).
pub fn apply(policy: &Policy) -> Result<Enforced, Error> {
    let status = landlock(policy)?;
    let landlock = match status.ruleset {
        RulesetStatus::FullyEnforced => "full",
        RulesetStatus::PartiallyEnforced => "partial",
        RulesetStatus::NotEnforced => "none",
    };
    if landlock != "full" && !policy.allow_degraded {
        return Err(Error::Degraded(format!("Landlock {landlock}")));
    }
    let denied = seccomp(policy)?;
    Ok(Enforced {
        landlock: landlock.to_owned(),
        landlock_abi_requested: 7,
        no_new_privs: status.no_new_privs,
        seccomp: true,
        denied_syscalls: denied,
        net: policy.net,
    })
}

fn landlock(policy: &Policy) -> Result<RestrictionStatus, Error> {
    let ll = |e: landlock::RulesetError| Error::Landlock(e.to_string());
    let abi = WANTED_ABI;
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(abi))
        .map_err(ll)?;
    // No TCP rules: with the access handled, every bind and connect is denied.
    if policy.net == Net::None {
        ruleset = ruleset
            .handle_access(AccessNet::BindTcp | AccessNet::ConnectTcp)
            .map_err(ll)?
            .scope(Scope::AbstractUnixSocket | Scope::Signal)
            .map_err(ll)?;
    }
    let mut created = ruleset.create().map_err(ll)?;
    for (paths, access) in [
        (&policy.read, AccessFs::from_read(abi)),
        (&policy.write, AccessFs::from_all(abi)),
    ] {
        for p in paths {
            // A path that does not exist grants nothing.
            let Ok(fd) = PathFd::new(p) else { continue };
            let access = if p.is_dir() {
                access
            } else {
                access & AccessFs::from_file(abi)
            };
            created = created.add_rule(PathBeneath::new(fd, access)).map_err(ll)?;
        }
    }
    created.restrict_self().map_err(ll)
}

fn seccomp(policy: &Policy) -> Result<Vec<String>, Error> {
    let sc = |e: seccompiler::Error| Error::Seccomp(e.to_string());
    let mut rules: std::collections::BTreeMap<i64, Vec<SeccompRule>> =
        DENIED.iter().map(|(_, nr)| (*nr, Vec::new())).collect();
    let mut names: Vec<String> = DENIED.iter().map(|(n, _)| (*n).to_owned()).collect();
    if policy.net == Net::None {
        // Every socket family: Internet (TCP, UDP, DNS), netlink, packet,
        // and unix sockets (a path or abstract name could reach a daemon
        // outside). socketpair() and pipes stay.
        rules.insert(libc::SYS_socket, Vec::new());
        names.push("socket".into());
    }
    let arch = std::env::consts::ARCH
        .try_into()
        .map_err(|e: seccompiler::BackendError| Error::Seccomp(e.to_string()))?;
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(u32::try_from(libc::EPERM).unwrap_or(1)),
        arch,
    )
    .map_err(|e| Error::Seccomp(e.to_string()))?;
    let program: BpfProgram = filter
        .try_into()
        .map_err(|e: seccompiler::BackendError| Error::Seccomp(e.to_string()))?;
    seccompiler::apply_filter(&program).map_err(sc)?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_round_trips_through_json() {
        let p = Policy {
            read: vec!["/usr".into()],
            write: vec!["/tmp/out".into()],
            net: Net::None,
            allow_degraded: false,
        };
        let back: Policy = serde_json::from_str(&serde_json::to_string(&p).unwrap_or_default())
            .unwrap_or_else(|_| p.clone());
        assert_eq!(back.read, p.read);
        assert_eq!(back.net, Net::None);
    }
}
