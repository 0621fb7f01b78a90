use super::*;

const ALL_OPTIONS: [Options; 4] = [
    Options {
        network: Network::None { tcp: true },
        read_only_mounts: true,
    },
    Options {
        network: Network::None { tcp: false },
        read_only_mounts: false,
    },
    Options {
        network: Network::Loopback,
        read_only_mounts: true,
    },
    Options {
        network: Network::Loopback,
        read_only_mounts: false,
    },
];

const STRICT: Options = Options {
    network: Network::None { tcp: true },
    read_only_mounts: true,
};

fn args(a: &[u64]) -> [u64; 6] {
    let mut out = [0u64; 6];
    out[..a.len()].copy_from_slice(a);
    out
}

fn decision(o: Options, call: &str, a: &[u64]) -> Option<Action> {
    decide(&rules(o), call, &args(a))
}

#[test]
fn every_name_is_a_system_call_of_x86_64() {
    for o in ALL_OPTIONS {
        for r in rules(o) {
            assert!(
                ScmpSyscall::from_name_by_arch(r.syscall, libseccomp::ScmpArch::X8664).is_ok(),
                "{} is not a system call",
                r.syscall
            );
        }
    }
}

#[test]
fn each_call_has_one_action() {
    for o in ALL_OPTIONS {
        let r = rules(o);
        for a in &r {
            for b in r.iter().filter(|b| b.syscall == a.syscall) {
                assert_eq!(a.action, b.action, "{}", a.syscall);
            }
        }
    }
}

/// A call allowed with any arguments has no conditional rule beside: it
/// would be dead, and a reader would think the condition held.
#[test]
fn unconditional_calls_have_no_conditions_elsewhere() {
    for o in ALL_OPTIONS {
        let r = rules(o);
        for a in r.iter().filter(|a| a.args.is_empty()) {
            assert!(
                !r.iter()
                    .any(|b| b.syscall == a.syscall && !b.args.is_empty()),
                "{} is allowed outright and conditionally",
                a.syscall
            );
        }
    }
}

/// Calls that let a step leave the sandbox, reach other processes or the
/// kernel's state, or blind the supervisor: none has a rule, whatever the
/// options, so each is refused.
#[test]
fn dangerous_calls_have_no_rule() {
    let refused = [
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
        "umount2",
        "pivot_root",
        "chroot",
        "keyctl",
        "add_key",
        "request_key",
        "perf_event_open",
        "userfaultfd",
        "shmget",
        "shmat",
        "shmctl",
        "msgget",
        "msgsnd",
        "semget",
        "semop",
        "mq_open",
        "sethostname",
        "setdomainname",
        "settimeofday",
        "clock_settime",
        "adjtimex",
        "syslog",
        "open_by_handle_at",
        "name_to_handle_at",
        "pidfd_open",
        "pidfd_getfd",
        "pidfd_send_signal",
        "kcmp",
        "init_module",
        "finit_module",
        "kexec_load",
        "reboot",
        "swapon",
        "acct",
        "quotactl",
        "iopl",
        "ioperm",
        "fanotify_init",
        "inotify_init1",
        "setuid",
        "setresuid",
        "capset",
        "move_mount",
        "fsopen",
        "open_tree",
        "mount_setattr",
    ];
    for o in ALL_OPTIONS {
        let r = rules(o);
        for name in refused {
            assert!(!r.iter().any(|x| x.syscall == name), "{name} has a rule");
        }
    }
}

#[test]
fn prctl_and_fcntl_only_for_listed_options() {
    let prctl = |opt| decision(STRICT, "prctl", &[opt, 0]);
    assert_eq!(prctl(15), Some(Action::Allow), "PR_SET_NAME");
    assert_eq!(prctl(4), None, "PR_SET_DUMPABLE");
    assert_eq!(prctl(1), None, "PR_SET_PDEATHSIG");
    assert_eq!(prctl(36), None, "PR_SET_CHILD_SUBREAPER");
    assert_eq!(prctl(0x5961_6d61), None, "PR_SET_PTRACER");
    let fcntl = |cmd| decision(STRICT, "fcntl", &[3, cmd]);
    assert_eq!(fcntl(4), Some(Action::Allow), "F_SETFL");
    assert_eq!(fcntl(37), Some(Action::Allow), "F_OFD_SETLK");
    assert_eq!(fcntl(1024), None, "F_SETLEASE");
    assert_eq!(fcntl(1026), None, "F_NOTIFY");
    assert_eq!(fcntl(8), None, "F_SETOWN");
}

#[test]
fn ioctl_only_for_listed_requests_on_their_low_32_bits() {
    let ioctl = |req| decision(STRICT, "ioctl", &[0, req]);
    assert_eq!(ioctl(0x5401), Some(Action::Allow), "TCGETS");
    assert_eq!(ioctl(0x5421), Some(Action::Allow), "FIONBIO");
    // The kernel reads the request as 32 bits: garbage above is ignored.
    assert_eq!(ioctl(0xdead_0000_0000_5401), Some(Action::Allow));
    assert_eq!(ioctl(0x5412), None, "TIOCSTI");
    assert_eq!(ioctl(0xdead_0000_0000_5412), None, "TIOCSTI");
    assert_eq!(ioctl(0x541c), None, "TIOCLINUX");
    assert_eq!(ioctl(0x5402), None, "TCSETS");
    assert_eq!(ioctl(0x4004_9409), Some(Action::Allow), "FICLONE");
    assert_eq!(ioctl(0x4020_940d), None, "FICLONERANGE");
}

#[test]
fn clone_without_namespaces_and_clone3_falls_back() {
    // glibc's fork and pthread_create flags.
    assert_eq!(
        decision(STRICT, "clone", &[0x0120_0011]),
        Some(Action::Observe)
    );
    assert_eq!(
        decision(STRICT, "clone", &[0x003d_0f00]),
        Some(Action::Observe)
    );
    assert_eq!(decision(STRICT, "vfork", &[]), Some(Action::Observe));
    for ns in [0x1000_0000u64, 0x4000_0000, 0x2_0000, 0x0800_0000] {
        assert_eq!(decision(STRICT, "clone", &[0x11 | ns]), None, "{ns:#x}");
    }
    assert_eq!(
        decision(STRICT, "clone3", &[]),
        Some(Action::Errno(libc::ENOSYS))
    );
    assert_eq!(
        decision(STRICT, "openat2", &[]),
        Some(Action::Errno(libc::ENOSYS))
    );
}

#[test]
fn no_set_id_files_and_no_device_nodes() {
    let o_creat = 0o100;
    assert_eq!(
        decision(STRICT, "openat", &[0, 0, o_creat, 0o644]),
        Some(Action::Observe)
    );
    assert_eq!(decision(STRICT, "openat", &[0, 0, o_creat, 0o4755]), None);
    assert_eq!(decision(STRICT, "creat", &[0, 0o2755]), None);
    assert_eq!(decision(STRICT, "chmod", &[0, 0o755]), Some(Action::Allow));
    assert_eq!(decision(STRICT, "chmod", &[0, 0o4755]), None);
    assert_eq!(decision(STRICT, "fchmodat", &[0, 0, 0o2755]), None);
    assert_eq!(decision(STRICT, "mkdirat", &[0, 0, 0o2775]), None);
    // mknod: FIFOs only.
    assert_eq!(
        decision(STRICT, "mknodat", &[0, 0, 0o010_644]),
        Some(Action::Allow)
    );
    assert_eq!(decision(STRICT, "mknodat", &[0, 0, 0o060_600]), None);
    assert_eq!(decision(STRICT, "mknod", &[0, 0o020_600]), None);
    assert_eq!(decision(STRICT, "mknod", &[0, 0o014_755]), None);
    // RENAME_EXCHANGE yes, RENAME_WHITEOUT (a character device) no.
    assert_eq!(
        decision(STRICT, "renameat2", &[0, 0, 0, 0, 2]),
        Some(Action::Allow)
    );
    assert_eq!(decision(STRICT, "renameat2", &[0, 0, 0, 0, 4]), None);
}

#[test]
fn attribute_changes_only_on_read_only_mounts() {
    let loose = Options {
        read_only_mounts: false,
        ..STRICT
    };
    for (call, mode_arg) in args::CHMODS {
        let mut a = [0u64; 6];
        a[*mode_arg as usize] = 0o644;
        assert_eq!(decide(&rules(STRICT), call, &a), Some(Action::Allow));
        assert_eq!(decide(&rules(loose), call, &a), None, "{call}");
    }
    for call in args::ATTRIBUTES {
        assert_eq!(decision(STRICT, call, &[]), Some(Action::Allow));
        assert_eq!(decision(loose, call, &[]), None, "{call}");
    }
}

#[test]
fn sockets_under_no_network() {
    let (unix, inet, inet6) = (1, 2, 10);
    let (stream, dgram, raw, seqpacket) = (1, 2, 3, 5);
    let cloexec = 0o2_000_000;
    let socket = |o, f, t, p| decision(o, "socket", &[f, t, p]);
    assert_eq!(
        socket(STRICT, unix, stream | cloexec, 0),
        Some(Action::Allow)
    );
    assert_eq!(socket(STRICT, unix, dgram, 0), None);
    assert_eq!(socket(STRICT, inet, stream, 0), Some(Action::Allow));
    assert_eq!(socket(STRICT, inet6, stream, 6), Some(Action::Allow));
    assert_eq!(socket(STRICT, inet, stream, 262), None, "MPTCP");
    assert_eq!(socket(STRICT, inet, stream, 132), None, "SCTP");
    assert_eq!(socket(STRICT, inet, dgram, 0), None, "UDP, DNS");
    assert_eq!(socket(STRICT, inet, raw, 1), None);
    assert_eq!(socket(STRICT, 16, raw, 0), None, "netlink");
    assert_eq!(socket(STRICT, 17, raw, 0), None, "packet");
    // The kernel reads the family as an int: garbage above it is ignored
    // by both.
    assert_eq!(
        socket(STRICT, 0xffff_0000_0000_0002, stream, 0),
        Some(Action::Allow)
    );
    let no_tcp = Options {
        network: Network::None { tcp: false },
        ..STRICT
    };
    assert_eq!(socket(no_tcp, inet, stream, 0), None);
    assert_eq!(socket(no_tcp, unix, seqpacket, 0), Some(Action::Allow));
    let pair = |t| decision(STRICT, "socketpair", &[unix, t, 0]);
    assert_eq!(pair(stream), Some(Action::Allow));
    assert_eq!(pair(seqpacket | cloexec), Some(Action::Allow));
    assert_eq!(pair(dgram), None, "a datagram pair can send to a path");
    for call in ["connect", "bind", "listen", "accept", "accept4"] {
        assert_eq!(decision(STRICT, call, &[]), None, "{call}");
    }
    let fastopen = 0x2000_0000;
    assert_eq!(
        decision(STRICT, "sendto", &[3, 0, 1, 0, 0]),
        Some(Action::Allow)
    );
    assert_eq!(decision(STRICT, "sendto", &[3, 0, 1, 0, 0x7ff0]), None);
    assert_eq!(decision(STRICT, "sendto", &[3, 0, 1, fastopen, 0]), None);
    assert_eq!(decision(STRICT, "sendmsg", &[3, 0, fastopen]), None);
    assert_eq!(decision(STRICT, "sendmmsg", &[3, 0, 1, fastopen]), None);
}

#[test]
fn sockets_in_a_private_loopback() {
    let lo = Options {
        network: Network::Loopback,
        read_only_mounts: true,
    };
    assert_eq!(decision(lo, "socket", &[2, 2, 0]), Some(Action::Allow));
    assert_eq!(decision(lo, "socket", &[10, 3, 58]), Some(Action::Allow));
    assert_eq!(decision(lo, "socket", &[1, 1, 0]), None, "unix");
    assert_eq!(decision(lo, "socket", &[16, 3, 0]), None, "netlink");
    assert_eq!(decision(lo, "connect", &[]), Some(Action::Observe));
    assert_eq!(decision(lo, "listen", &[]), Some(Action::Allow));
    assert_eq!(decision(lo, "socketpair", &[1, 2, 0]), None);
}

#[test]
fn limits_and_priorities_of_the_step_only() {
    assert_eq!(decision(STRICT, "prlimit64", &[0, 7]), Some(Action::Allow));
    assert_eq!(decision(STRICT, "prlimit64", &[1234, 7, 0x7ff0]), None);
    assert_eq!(
        decision(STRICT, "prlimit64", &[1234, 7, 0, 0x7ff0]),
        Some(Action::Allow),
        "reading another process's limits"
    );
    assert_eq!(
        decision(STRICT, "setpriority", &[0, 0, 10]),
        Some(Action::Allow)
    );
    assert_eq!(decision(STRICT, "setpriority", &[0, 1234, 10]), None);
    assert_eq!(
        decision(STRICT, "setpriority", &[2, 0, 19]),
        None,
        "PRIO_USER of the caller: every process of the user"
    );
    assert_eq!(
        decision(STRICT, "sched_setaffinity", &[0, 8, 0x7ff0]),
        Some(Action::Allow)
    );
    assert_eq!(
        decision(STRICT, "sched_setaffinity", &[4242, 8, 0x7ff0]),
        None
    );
    assert_eq!(
        decision(STRICT, "personality", &[0xffff_ffff]),
        Some(Action::Allow)
    );
    assert_eq!(decision(STRICT, "personality", &[0x40_0000]), None);
}
