//! The seccomp filter. Rules are data ([`rules`]) so they can be read and
//! tested apart from the kernel; [`load`] installs them with libseccomp.
//!
//! Decisions never read the step's memory, only system call numbers and
//! register arguments, so a step cannot race them. Network calls the
//! policy refuses are refused whether or not a supervisor is listening:
//! with one, the supervisor records the attempt and answers EPERM (if it
//! is gone, the kernel answers ENOSYS); without one, the filter answers
//! EPERM itself.
//!
//! Register arguments are compared in full 64 bits. Integer arguments the
//! kernel truncates to 32 bits (the socket family, the protocol) are only
//! matched for equality on small values and otherwise caught by a
//! `>=` rule, so garbage in the upper half is refused, never let through.

use std::os::fd::RawFd;

use libseccomp::{
    ScmpAction, ScmpArgCompare as Cmp, ScmpCompareOp as Op, ScmpFilterContext, ScmpSyscall,
};

/// System calls denied to every step: they would let it observe or
/// control other processes, or slip past the filter.
pub const DENIED: &[&str] = &[
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "bpf",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "seccomp",
    "unshare",
    "setns",
    "mount",
    "keyctl",
    "add_key",
    "request_key",
    "perf_event_open",
    "userfaultfd",
];

/// System calls reported to the supervisor and then let through to
/// Landlock, which decides: opening files and executing programs.
pub const OBSERVED: &[&str] = &["open", "openat", "openat2", "execve", "execveat"];

const AF_UNIX: u64 = 1;
const AF_INET: u64 = 2;
const AF_INET6: u64 = 10;
const SOCK_TYPE_MASK: u64 = 0xf;
const SOCK_STREAM: u64 = 1;
const SOCK_DGRAM: u64 = 2;
const IPPROTO_TCP: u64 = 6;
const MSG_FASTOPEN: u64 = 0x2000_0000;

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

/// One refusal: a system call and the conditions (all must hold).
#[derive(Debug, Clone)]
pub struct Rule {
    /// The system call's name.
    pub syscall: &'static str,
    /// Conditions on its arguments.
    pub args: Vec<Cmp>,
}

fn rule(syscall: &'static str, args: Vec<Cmp>) -> Rule {
    Rule { syscall, args }
}

fn eq(arg: u32, value: u64) -> Cmp {
    Cmp::new(arg, Op::Equal, value)
}

fn masked(arg: u32, mask: u64, value: u64) -> Cmp {
    Cmp::new(arg, Op::MaskedEqual(mask), value)
}

/// The network refusals for "no network".
///
/// Sockets: unix stream and seqpacket sockets may be created (their
/// `connect` is refused below, `socketpair` is untouched); with `tcp`
/// (Landlock enforces TCP, so `bind` and `connect` are refused by the
/// kernel as well), Internet stream sockets with protocol 0 or TCP may be
/// created, so that the destination of a `connect` can be recorded. Every
/// other family, type and protocol is refused at `socket()`: UDP (and with
/// it DNS), raw, packet, netlink, SCTP, MPTCP, unix datagrams.
///
/// Then `connect` and `listen` are refused outright, `sendto` with an
/// address, and TCP Fast Open (which connects from `sendto`/`sendmsg`).
pub fn network_rules(tcp: bool) -> Vec<Rule> {
    let mut r = other_families();
    // Unix datagrams can be sent to a daemon's socket by path.
    r.push(rule(
        "socket",
        vec![eq(0, AF_UNIX), masked(1, SOCK_TYPE_MASK, SOCK_DGRAM)],
    ));
    for family in [AF_INET, AF_INET6] {
        if !tcp {
            r.push(rule("socket", vec![eq(0, family)]));
            continue;
        }
        for t in (0..=SOCK_TYPE_MASK).filter(|t| *t != SOCK_STREAM) {
            r.push(rule(
                "socket",
                vec![eq(0, family), masked(1, SOCK_TYPE_MASK, t)],
            ));
        }
        for proto in 1..IPPROTO_TCP {
            r.push(rule("socket", vec![eq(0, family), eq(2, proto)]));
        }
        r.push(rule(
            "socket",
            vec![
                eq(0, family),
                Cmp::new(2, Op::GreaterEqual, IPPROTO_TCP + 1),
            ],
        ));
    }
    r.push(rule("connect", Vec::new()));
    r.push(rule("listen", Vec::new()));
    r.push(rule("sendto", vec![Cmp::new(4, Op::NotEqual, 0)]));
    // The flags argument: sendto(fd, buf, len, flags, ...),
    // sendmsg(fd, msg, flags), sendmmsg(fd, vec, len, flags).
    for (syscall, arg) in [("sendto", 3), ("sendmsg", 2), ("sendmmsg", 3)] {
        r.push(rule(syscall, vec![masked(arg, MSG_FASTOPEN, MSG_FASTOPEN)]));
    }
    r
}

/// Families other than unix (1), inet (2), inet6 (10).
fn other_families() -> Vec<Rule> {
    let mut r: Vec<Rule> = [0]
        .into_iter()
        .chain(3..=9)
        .map(|family| rule("socket", vec![eq(0, family)]))
        .collect();
    r.push(rule("socket", vec![Cmp::new(0, Op::GreaterEqual, 11)]));
    r
}

/// The refusals for a private network namespace: every family but the
/// Internet ones, unix included (`socketpair` is untouched).
pub fn loopback_rules() -> Vec<Rule> {
    let mut r = other_families();
    r.push(rule("socket", vec![eq(0, AF_UNIX)]));
    r
}

/// Why the filter could not be built or installed.
#[derive(Debug, thiserror::Error)]
#[error("seccomp: {0}")]
pub struct Error(String);

fn err(e: impl std::fmt::Display) -> Error {
    Error(e.to_string())
}

/// What [`load`] installed.
#[derive(Debug)]
pub struct Loaded {
    /// Names of the system calls with a refusal (some conditional).
    pub refused: Vec<String>,
    /// The supervisor's listener, when observing.
    pub listener: Option<RawFd>,
}

/// Installs the filter on the calling thread (the helper is
/// single-threaded) and on every process it becomes or starts.
pub fn load(network: Network, observe: bool) -> Result<Loaded, Error> {
    let mut f = ScmpFilterContext::new(ScmpAction::Allow).map_err(err)?;
    f.set_act_badarch(ScmpAction::KillProcess).map_err(err)?;
    let eperm = ScmpAction::Errno(libc::EPERM);
    let refuse = if observe { ScmpAction::Notify } else { eperm };
    let mut refused: Vec<String> = Vec::new();
    let mut add = |name: &'static str,
                   action: ScmpAction,
                   args: &[Cmp],
                   refusal: bool|
     -> Result<(), Error> {
        // A call this architecture does not have (e.g. `open` on arm64)
        // cannot be made, so there is nothing to refuse.
        let Ok(sc) = ScmpSyscall::from_name(name) else {
            return Ok(());
        };
        if args.is_empty() {
            f.add_rule(action, sc).map_err(err)?;
        } else {
            f.add_rule_conditional(action, sc, args).map_err(err)?;
        }
        if refusal && !refused.iter().any(|r| r == name) {
            refused.push(name.to_owned());
        }
        Ok(())
    };
    for name in DENIED {
        add(name, eperm, &[], true)?;
    }
    let rules = match network {
        Network::None { tcp } => network_rules(tcp),
        Network::Loopback => loopback_rules(),
    };
    for r in rules {
        add(r.syscall, refuse, &r.args, true)?;
    }
    if observe {
        for name in OBSERVED {
            add(name, ScmpAction::Notify, &[], false)?;
        }
        // In a private namespace connects succeed; the supervisor records
        // where they went.
        if network == Network::Loopback {
            add("connect", ScmpAction::Notify, &[], false)?;
        }
    }
    f.load().map_err(err)?;
    let listener = if observe {
        Some(f.get_notify_fd().map_err(err)?)
    } else {
        None
    };
    Ok(Loaded { refused, listener })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn socket_rules(tcp: bool) -> Vec<Rule> {
        network_rules(tcp)
            .into_iter()
            .filter(|r| r.syscall == "socket")
            .collect()
    }

    #[test]
    fn without_tcp_every_internet_socket_is_refused() {
        let rules = socket_rules(false);
        for family in [AF_INET, AF_INET6] {
            assert!(
                rules
                    .iter()
                    .any(|r| r.args.len() == 1 && r.args[0] == eq(0, family)),
                "{family}"
            );
        }
    }

    #[test]
    fn with_tcp_only_stream_sockets_are_left() {
        let rules = socket_rules(true);
        for family in [AF_INET, AF_INET6] {
            let types: Vec<u64> = (0..=SOCK_TYPE_MASK)
                .filter(|t| {
                    rules
                        .iter()
                        .any(|r| r.args == vec![eq(0, family), masked(1, SOCK_TYPE_MASK, *t)])
                })
                .collect();
            assert_eq!(types.len(), 15, "every type but stream is refused");
            assert!(!types.contains(&SOCK_STREAM));
            assert!(
                rules
                    .iter()
                    .any(|r| r.args == vec![eq(0, family), Cmp::new(2, Op::GreaterEqual, 7)])
            );
            for proto in 1..=5 {
                assert!(
                    rules
                        .iter()
                        .any(|r| r.args == vec![eq(0, family), eq(2, proto)])
                );
            }
        }
    }

    #[test]
    fn loopback_refuses_unix_and_exotic_families_only() {
        let rules = loopback_rules();
        assert!(rules.iter().all(|r| r.syscall == "socket"));
        assert!(rules.iter().any(|r| r.args == vec![eq(0, AF_UNIX)]));
        assert!(
            !rules
                .iter()
                .any(|r| r.args.first() == Some(&eq(0, AF_INET)))
        );
    }

    #[test]
    fn connect_listen_and_addressed_sends_are_refused() {
        let rules = network_rules(true);
        for name in ["connect", "listen"] {
            assert!(rules.iter().any(|r| r.syscall == name && r.args.is_empty()));
        }
        assert!(
            rules
                .iter()
                .any(|r| r.syscall == "sendto" && r.args == vec![Cmp::new(4, Op::NotEqual, 0)])
        );
    }
}
