//! The seccomp filter: an allow-list. Rules are data ([`rules`]), read and
//! tested apart from the kernel ([`decide`] evaluates them in Rust, as the
//! kernel does); [`load`] installs them with libseccomp.
//!
//! Every system call a data step needs is allowed, some only with certain
//! arguments ([`allowed`], [`args`], [`network`]); every other call is
//! refused with `EPERM` and, when a supervisor observes, counted and
//! recorded with its name. A call nobody thought of is refused, not let
//! through.
//!
//! Decisions look only at system call numbers and register arguments,
//! never at the step's memory, so a step cannot race them. Register
//! arguments the kernel reads as 32 bits are compared on their low 32
//! bits only (what the kernel sees); 64-bit arguments in full.

pub mod allowed;
pub mod args;
pub mod network;

use std::os::fd::RawFd;

use libseccomp::{ScmpAction, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext, ScmpSyscall};

/// How an argument is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `arg == value`.
    Eq,
    /// `arg != value`.
    Ne,
    /// `arg & mask == value`.
    Masked(u64),
}

/// One condition on a register argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cmp {
    /// The argument's index (0-5).
    pub arg: u32,
    /// The comparison.
    pub op: Op,
    /// The value compared with.
    pub value: u64,
}

impl Cmp {
    /// Whether the condition holds for these register arguments.
    pub fn holds(&self, args: &[u64; 6]) -> bool {
        let a = args.get(self.arg as usize).copied().unwrap_or(0);
        match self.op {
            Op::Eq => a == self.value,
            Op::Ne => a != self.value,
            Op::Masked(mask) => a & mask == self.value,
        }
    }

    fn scmp(&self) -> ScmpArgCompare {
        let op = match self.op {
            Op::Eq => ScmpCompareOp::Equal,
            Op::Ne => ScmpCompareOp::NotEqual,
            Op::Masked(mask) => ScmpCompareOp::MaskedEqual(mask),
        };
        ScmpArgCompare::new(self.arg, op, self.value)
    }
}

/// `arg == value` on all 64 bits.
pub fn eq(arg: u32, value: u64) -> Cmp {
    Cmp {
        arg,
        op: Op::Eq,
        value,
    }
}

/// `arg & mask == value`.
pub fn masked(arg: u32, mask: u64, value: u64) -> Cmp {
    Cmp {
        arg,
        op: Op::Masked(mask),
        value,
    }
}

/// The low 32 bits of `arg` equal `value`: an `int` or `unsigned int`
/// argument as the kernel reads it.
pub fn eq32(arg: u32, value: u64) -> Cmp {
    masked(arg, 0xffff_ffff, value)
}

/// What a rule does when its conditions hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Let the call through.
    Allow,
    /// Let the call through after the supervisor saw it (opens and
    /// executions; Landlock decides). Without a supervisor: allow.
    Observe,
    /// Fail with this error without running it (`ENOSYS` tells a library
    /// to fall back to an older call).
    Errno(i32),
}

/// One rule: a system call, the conditions (all must hold), and what to
/// do. A call that matches no rule is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The system call's name.
    pub syscall: &'static str,
    /// What to do.
    pub action: Action,
    /// Conditions on its arguments.
    pub args: Vec<Cmp>,
}

/// A rule without conditions.
pub fn always(syscall: &'static str, action: Action) -> Rule {
    Rule {
        syscall,
        action,
        args: Vec::new(),
    }
}

/// A rule with conditions.
pub fn when(syscall: &'static str, action: Action, args: Vec<Cmp>) -> Rule {
    Rule {
        syscall,
        action,
        args,
    }
}

/// The network part of the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// No network; `tcp` when Landlock refuses TCP too.
    None {
        /// Internet stream sockets may be made (never connected).
        tcp: bool,
    },
    /// A private network namespace: only Internet sockets, any kind; no
    /// unix sockets (a path reaches outside any network namespace).
    Loopback,
}

/// What the filter depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The network policy.
    pub network: Network,
    /// Whether every mount but the step's writable paths is read-only: then
    /// attribute changes (chmod, chown, utimes, xattrs) are left to the
    /// kernel, which refuses them there; otherwise the filter refuses them.
    pub read_only_mounts: bool,
}

impl Options {
    /// Two bytes, for the helper to tell the supervisor which rules it
    /// loaded.
    pub fn to_bytes(self) -> [u8; 2] {
        let net = match self.network {
            Network::None { tcp: false } => 0,
            Network::None { tcp: true } => 1,
            Network::Loopback => 2,
        };
        [net, u8::from(self.read_only_mounts)]
    }

    /// The inverse of [`Options::to_bytes`].
    pub fn from_bytes(b: [u8; 2]) -> Option<Self> {
        let network = match b[0] {
            0 => Network::None { tcp: false },
            1 => Network::None { tcp: true },
            2 => Network::Loopback,
            _ => return None,
        };
        Some(Self {
            network,
            read_only_mounts: b[1] == 1,
        })
    }
}

/// Every rule of the filter for `options`.
pub fn rules(options: Options) -> Vec<Rule> {
    let mut r: Vec<Rule> = allowed::GROUPS
        .iter()
        .flat_map(|g| g.calls.iter().map(|c| always(c, Action::Allow)))
        .collect();
    r.extend(args::rules(options.read_only_mounts));
    r.extend(network::rules(options.network));
    r
}

/// What the filter does with a call, evaluated in Rust exactly as the
/// kernel evaluates the loaded rules: the first rule of the call whose
/// conditions all hold (a call has one action, so the first is the only),
/// else `None`: refused.
pub fn decide(rules: &[Rule], syscall: &str, args: &[u64; 6]) -> Option<Action> {
    rules
        .iter()
        .find(|r| r.syscall == syscall && r.args.iter().all(|c| c.holds(args)))
        .map(|r| r.action)
}

/// The rules by system call, for the supervisor, which decides on every
/// notification: [`decide`] without a scan of every rule.
#[derive(Debug, Default)]
pub struct Index(std::collections::HashMap<&'static str, Vec<Rule>>);

impl Index {
    /// Indexes `rules`.
    pub fn new(rules: Vec<Rule>) -> Self {
        let mut map: std::collections::HashMap<&'static str, Vec<Rule>> =
            std::collections::HashMap::new();
        for r in rules {
            map.entry(r.syscall).or_default().push(r);
        }
        Self(map)
    }

    /// [`decide`], on the indexed rules.
    pub fn decide(&self, syscall: &str, args: &[u64; 6]) -> Option<Action> {
        self.0.get(syscall).and_then(|r| decide(r, syscall, args))
    }
}

/// Why the filter could not be built or installed.
#[derive(Debug, thiserror::Error)]
#[error("seccomp: {0}")]
pub struct SeccompError(String);

fn err(e: impl std::fmt::Display) -> SeccompError {
    SeccompError(e.to_string())
}

/// What [`load`] installed.
#[derive(Debug)]
pub struct Loaded {
    /// Names of the system calls allowed (some only with certain
    /// arguments), sorted.
    pub allowed: Vec<String>,
    /// The supervisor's listener, when observing.
    pub listener: Option<RawFd>,
}

/// Installs the filter on the calling thread (the helper is
/// single-threaded) and on every process it becomes or starts. Calls no
/// rule allows are refused: with `EPERM` by the kernel, or, when
/// observing, by the supervisor, which records them.
pub fn load(options: Options, observe: bool) -> Result<Loaded, SeccompError> {
    let eperm = ScmpAction::Errno(libc::EPERM);
    let mut f =
        ScmpFilterContext::new(if observe { ScmpAction::Notify } else { eperm }).map_err(err)?;
    f.set_act_badarch(ScmpAction::KillProcess).map_err(err)?;
    // A binary tree of system calls rather than a list: a few comparisons
    // per call whatever the list's length.
    f.set_ctl_optimize(2).map_err(err)?;
    let mut allowed: Vec<String> = Vec::new();
    for rule in rules(options) {
        // A call this architecture does not have (e.g. `open` on arm64)
        // cannot be made, so it needs no rule.
        let Ok(sc) = ScmpSyscall::from_name(rule.syscall) else {
            continue;
        };
        if !matches!(rule.action, Action::Errno(_)) {
            allowed.push(rule.syscall.to_owned());
        }
        let action = match rule.action {
            // Observing, the default is to notify: the supervisor lets an
            // observed call through after applying these same rules
            // (libseccomp refuses a rule that repeats the default).
            Action::Observe if observe => continue,
            Action::Allow | Action::Observe => ScmpAction::Allow,
            Action::Errno(e) => ScmpAction::Errno(e),
        };
        if rule.args.is_empty() {
            f.add_rule(action, sc).map_err(err)?;
        } else {
            let cmps: Vec<ScmpArgCompare> = rule.args.iter().map(Cmp::scmp).collect();
            f.add_rule_conditional(action, sc, &cmps).map_err(err)?;
        }
    }
    f.load().map_err(err)?;
    let listener = if observe {
        Some(f.get_notify_fd().map_err(err)?)
    } else {
        None
    };
    allowed.sort_unstable();
    allowed.dedup();
    Ok(Loaded { allowed, listener })
}

#[cfg(test)]
mod tests;
