//! Enforcement, applied by the sandbox helper to itself just before it
//! executes the step: namespaces (a read-only machine but for the
//! writable paths, private IPC, with `--net loopback` a private network),
//! a session of its own (no controlling terminal), no capabilities,
//! Landlock for the file system (and TCP), then the seccomp allow-list.
//! All survive `execve` and bind every descendant; none can be lifted by
//! the step.

use std::os::fd::RawFd;
use std::path::PathBuf;

use crate::filter::Network;
use crate::privileges::Dropped;

use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible as _, PathBeneath, PathFd,
    RestrictionStatus, Ruleset, RulesetAttr as _, RulesetCreatedAttr as _, RulesetStatus, Scope,
};
use serde::{Deserialize, Serialize};

/// The newest Landlock ABI custody asks for; the kernel may grant less.
const WANTED_ABI: ABI = ABI::V7;

/// Network policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Net {
    /// No network: no Internet or datagram sockets, no `connect`
    /// (socketpair, pipes and unconnected unix stream sockets still work).
    None,
    /// A private network namespace with only its own loopback: the step
    /// may serve and connect on 127.0.0.1 and ::1 and reach nothing else.
    /// Unix sockets are refused (a path could reach a daemon outside).
    Loopback,
}

/// What the step may touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Read (and execute) only.
    pub read: Vec<PathBuf>,
    /// Read and write.
    pub write: Vec<PathBuf>,
    /// Network.
    pub net: Net,
    /// Run even if the kernel cannot enforce every requested right.
    pub allow_degraded: bool,
    /// Trap opens, executions and refused calls to the supervisor.
    pub observe: bool,
    /// Make namespaces (mount, IPC) where the system allows. Off only for
    /// tests of the fallback (`CUSTODY_TEST_NO_NAMESPACES`).
    #[serde(default = "yes")]
    pub namespaces: bool,
}

fn yes() -> bool {
    true
}

/// What was actually enforced.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "a serialised record of independent facts the kernel reported"
)]
pub struct Enforced {
    /// Landlock: `full`, `partial` or `none`.
    pub landlock: String,
    /// The Landlock ABI custody asked for.
    pub landlock_abi_requested: u32,
    /// Whether `no_new_privs` is set (setuid binaries cannot gain rights).
    pub no_new_privs: bool,
    /// Whether the seccomp filter is installed.
    pub seccomp: bool,
    /// The system calls the filter allows (some only with certain
    /// arguments); every other is refused.
    pub allowed_syscalls: Vec<String>,
    /// Network policy.
    pub net: Net,
    /// What `socket()` grants for the Internet families.
    pub internet_sockets: InternetSockets,
    /// Namespaces made for the step (`user`, `mount`, `ipc`, `network`).
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Whether every mount but the writable paths is read-only (then the
    /// kernel refuses attribute changes elsewhere; else the filter refuses
    /// them everywhere).
    #[serde(default)]
    pub read_only_mounts: bool,
    /// Why the mounts are not read-only, when not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_mounts_why_not: Option<String>,
    /// `/dev/shm` is a fresh tmpfs of the step's own, writable.
    #[serde(default)]
    pub private_shm: bool,
    /// The step runs in a session of its own, without a controlling
    /// terminal.
    #[serde(default)]
    pub own_session: bool,
    /// Capabilities dropped.
    pub capabilities: Dropped,
    /// Whether a supervisor received the step's opens, executions and
    /// refused calls.
    #[serde(default)]
    pub observed: bool,
}

/// What `socket()` grants for the Internet families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InternetSockets {
    /// Any, in a network namespace whose only interface is its loopback.
    PrivateLoopback,
    /// None: `socket()` is refused (Landlock does not refuse TCP here).
    Refused,
    /// TCP sockets may be made but never connected: seccomp refuses
    /// `connect` (recording the destination) and so does Landlock.
    UnconnectedTcp,
}

/// Why the sandbox could not be set up around the step.
#[derive(Debug, thiserror::Error)]
pub enum SandboxSetupError {
    /// Landlock refused the ruleset.
    #[error("Landlock: {0}")]
    Landlock(String),
    /// The kernel enforces less than asked, and degraded runs were not allowed.
    #[error(
        "the kernel enforces Landlock only partly or not at all ({0}); refusing to run (pass --allow-degraded to run anyway, and it is recorded)"
    )]
    Degraded(String),
    /// The step's namespaces could not be made.
    #[error(transparent)]
    Namespace(#[from] crate::namespaces::NamespaceError),
    /// The supervisor could not be given the listener.
    #[error("supervisor: {0}")]
    Supervisor(String),
    /// The seccomp filter could not be built or installed.
    #[error(transparent)]
    Seccomp(#[from] crate::filter::SeccompError),
}

/// What [`apply`] did.
#[derive(Debug)]
pub struct Applied {
    /// What was enforced.
    pub enforced: Enforced,
    /// The supervisor's listener, when observing (to be handed to it
    /// before the step runs).
    pub listener: Option<RawFd>,
    /// The options of the filter loaded (the supervisor decides with the
    /// same rules).
    pub filter: crate::filter::Options,
    /// Whether `/dev/shm` is the step's own and writable.
    pub private_shm: bool,
}

/// Applies `policy` to the calling process (the helper, single-threaded,
/// just before `execve`).
pub fn apply(policy: &Policy) -> Result<Applied, SandboxSetupError> {
    // Namespaces first: they need capabilities, seccomp refuses `unshare`
    // and `mount`, Landlock hides /proc.
    let made = crate::namespaces::enter(
        policy.net == Net::Loopback,
        &policy.write,
        policy.namespaces,
    )?;
    // A session of its own: no controlling terminal, so no TIOCSTI into
    // the caller's shell, and no Ctrl-C from the terminal (custody
    // receives it and ends the step).
    let own_session = nix::unistd::setsid().is_ok();
    // The step dies with custody.
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
    let capabilities = crate::privileges::drop_all();
    let status = landlock(policy, made.private_shm)?;
    let landlock = match status.ruleset {
        RulesetStatus::FullyEnforced => "full",
        RulesetStatus::PartiallyEnforced => "partial",
        RulesetStatus::NotEnforced => "none",
    };
    if landlock != "full" && !policy.allow_degraded {
        return Err(SandboxSetupError::Degraded(format!("Landlock {landlock}")));
    }
    // Internet stream sockets only where Landlock refuses TCP too.
    let network = match policy.net {
        Net::None => Network::None {
            tcp: landlock == "full",
        },
        Net::Loopback => Network::Loopback,
    };
    let filter = crate::filter::Options {
        network,
        read_only_mounts: made.read_only,
    };
    let loaded = crate::filter::load(filter, policy.observe)?;
    let enforced = Enforced {
        landlock: landlock.to_owned(),
        landlock_abi_requested: 7,
        no_new_privs: status.no_new_privs,
        seccomp: true,
        allowed_syscalls: loaded.allowed,
        net: policy.net,
        internet_sockets: match network {
            Network::Loopback => InternetSockets::PrivateLoopback,
            Network::None { tcp: false } => InternetSockets::Refused,
            Network::None { tcp: true } => InternetSockets::UnconnectedTcp,
        },
        namespaces: made.namespaces,
        read_only_mounts: made.read_only,
        read_only_mounts_why_not: made.why_not,
        private_shm: made.private_shm,
        own_session,
        capabilities,
        observed: loaded.listener.is_some(),
    };
    Ok(Applied {
        private_shm: enforced.private_shm,
        enforced,
        listener: loaded.listener,
        filter,
    })
}

/// Where a private `/dev/shm` is mounted.
pub const SHM: &str = "/dev/shm";

fn landlock(policy: &Policy, private_shm: bool) -> Result<RestrictionStatus, SandboxSetupError> {
    let ll = |e: landlock::RulesetError| SandboxSetupError::Landlock(e.to_string());
    let abi = WANTED_ABI;
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(abi))
        .map_err(ll)?;
    // No TCP rules: with the access handled, every bind and connect is
    // denied. In a private network namespace TCP stays open.
    if policy.net == Net::None {
        ruleset = ruleset
            .handle_access(AccessNet::BindTcp | AccessNet::ConnectTcp)
            .map_err(ll)?;
    }
    // Abstract unix sockets are not files: Landlock scopes them (and
    // signals) to the sandbox.
    ruleset = ruleset
        .scope(Scope::AbstractUnixSocket | Scope::Signal)
        .map_err(ll)?;
    let mut created = ruleset.create().map_err(ll)?;
    // No device nodes anywhere, even where the step may write.
    let write = AccessFs::from_all(abi) & !(AccessFs::MakeChar | AccessFs::MakeBlock);
    let mut writable = policy.write.clone();
    if private_shm {
        writable.push(PathBuf::from(SHM));
    }
    for (paths, access) in [(&policy.read, AccessFs::from_read(abi)), (&writable, write)] {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_round_trips_through_json() {
        // Every field away from its default, so a field lost on the way
        // (or filled in by `#[serde(default)]`) shows.
        let p = Policy {
            read: vec!["/usr".into(), "/etc/ssl".into()],
            write: vec!["/tmp/out".into()],
            net: Net::Loopback,
            allow_degraded: true,
            observe: false,
            namespaces: false,
        };
        let text = serde_json::to_string(&p).expect("a policy serialises");
        let back: Policy = serde_json::from_str(&text).expect("a serialised policy parses");
        assert_eq!(back, p, "{text}");
    }
}
