//! System calls allowed only with certain arguments, and the few refused
//! with `ENOSYS` so that libraries fall back to an older call whose
//! arguments the filter can see.

use super::{Action, Cmp, Rule, always, eq, eq32, masked, when};

/// `ioctl` requests a data step makes: terminal queries (is this a
/// terminal, how wide is it), non-blocking and close-on-exec switches, how
/// many bytes wait to be read, and a reflink copy between two files the
/// step holds. Nothing that writes to a terminal (`TIOCSTI`, `TIOCLINUX`,
/// `TCSETS`), and nothing for devices.
pub const IOCTLS: &[(&str, u64)] = &[
    ("TCGETS", 0x5401),
    ("TIOCGPGRP", 0x540f),
    ("TIOCGWINSZ", 0x5413),
    ("FIONREAD", 0x541b),
    ("FIONBIO", 0x5421),
    ("FIONCLEX", 0x5450),
    ("FIOCLEX", 0x5451),
    ("TCGETS2", 0x802c_542a),
    // cp (reflink=auto) shares the extents of one file it holds with
    // another it holds open for writing.
    ("FICLONE", 0x4004_9409),
];

/// `prctl` options a step may use: its threads' names, reading its own
/// settings, `no_new_privs`, timer slack, huge pages, naming its memory.
/// Not `PR_SET_DUMPABLE` (an undumpable step hides its memory, and with it
/// the paths it opens, from the supervisor), `PR_SET_PDEATHSIG` (it would
/// outlive custody), `PR_SET_CHILD_SUBREAPER`, `PR_SET_PTRACER`,
/// `PR_SET_SECCOMP`, `PR_SET_MM`, or anything about capabilities.
pub const PRCTLS: &[(&str, u64)] = &[
    ("PR_GET_PDEATHSIG", 2),
    ("PR_GET_DUMPABLE", 3),
    ("PR_GET_KEEPCAPS", 7),
    ("PR_SET_NAME", 15),
    ("PR_GET_NAME", 16),
    ("PR_GET_SECCOMP", 21),
    ("PR_CAPBSET_READ", 23),
    ("PR_GET_SECUREBITS", 27),
    ("PR_SET_TIMERSLACK", 29),
    ("PR_GET_TIMERSLACK", 30),
    ("PR_GET_CHILD_SUBREAPER", 37),
    ("PR_SET_NO_NEW_PRIVS", 38),
    ("PR_GET_NO_NEW_PRIVS", 39),
    ("PR_GET_TID_ADDRESS", 40),
    ("PR_SET_THP_DISABLE", 41),
    ("PR_GET_THP_DISABLE", 42),
    ("PR_GET_SPECULATION_CTRL", 52),
    ("PR_SET_MDWE", 65),
    ("PR_GET_MDWE", 66),
    ("PR_SET_VMA", 0x5356_4d41),
];

/// `fcntl` commands a step may use: descriptors' flags, duplicates,
/// record locks, pipe sizes and memfd seals. Not leases (a lease on a file
/// it may only read stalls every process outside that opens it), not
/// directory notification, not signal ownership (`F_SETOWN`, `F_SETSIG`).
pub const FCNTLS: &[(&str, u64)] = &[
    ("F_DUPFD", 0),
    ("F_GETFD", 1),
    ("F_SETFD", 2),
    ("F_GETFL", 3),
    ("F_SETFL", 4),
    ("F_GETLK", 5),
    ("F_SETLK", 6),
    ("F_SETLKW", 7),
    ("F_OFD_GETLK", 36),
    ("F_OFD_SETLK", 37),
    ("F_OFD_SETLKW", 38),
    ("F_DUPFD_CLOEXEC", 1030),
    ("F_SETPIPE_SZ", 1031),
    ("F_GETPIPE_SZ", 1032),
    ("F_ADD_SEALS", 1033),
    ("F_GET_SEALS", 1034),
];

/// `clone` flags that would make namespaces (`CLONE_NEWNS`,
/// `CLONE_NEWCGROUP`, `CLONE_NEWUTS`, `CLONE_NEWIPC`, `CLONE_NEWUSER`,
/// `CLONE_NEWPID`, `CLONE_NEWNET`).
pub const CLONE_NAMESPACES: u64 = 0x7e02_0000;

/// `personality` values: the query and the default Linux personality
/// (with and without `READ_IMPLIES_EXEC`/`UNAME26` off), as Docker allows.
pub const PERSONALITIES: &[u64] = &[0x0, 0x8, 0x2_0000, 0x2_0008, 0xffff_ffff];

/// The set-user-ID and set-group-ID bits of a mode.
pub const SET_ID: u64 = 0o6000;
/// A mode's file type bits.
pub const S_IFMT: u64 = 0o170_000;
/// A FIFO's file type.
pub const S_IFIFO: u64 = 0o010_000;
/// The open flags that create a file: `O_CREAT`, and `__O_TMPFILE` (the
/// part of `O_TMPFILE` that is not `O_DIRECTORY`). Without them the mode
/// argument is not read, and callers leave anything in it.
pub const CREATING: u64 = 0o100 | 0o20_000_000;

/// Calls that change a file's attributes without opening it. Landlock
/// does not cover them; on read-only mounts the kernel refuses them.
pub const ATTRIBUTES: &[&str] = &[
    "chown",
    "fchown",
    "lchown",
    "fchownat",
    "utime",
    "utimes",
    "futimesat",
    "utimensat",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
];

/// `chmod` and friends with the index of their mode argument.
pub const CHMODS: &[(&str, u32)] = &[
    ("chmod", 1),
    ("fchmod", 1),
    ("fchmodat", 2),
    ("fchmodat2", 2),
];

/// No set-ID bit in the mode argument `arg`.
fn no_set_id(arg: u32) -> Cmp {
    masked(arg, SET_ID, 0)
}

/// The rules. `read_only_mounts`: attribute changes are allowed (the
/// kernel refuses them outside the writable paths); otherwise refused.
pub fn rules(read_only_mounts: bool) -> Vec<Rule> {
    let mut r = Vec::new();
    r.extend(
        IOCTLS
            .iter()
            .map(|&(_, req)| when("ioctl", Action::Allow, vec![eq32(1, req)])),
    );
    r.extend(
        PRCTLS
            .iter()
            .map(|&(_, opt)| when("prctl", Action::Allow, vec![eq32(0, opt)])),
    );
    r.extend(
        FCNTLS
            .iter()
            .map(|&(_, cmd)| when("fcntl", Action::Allow, vec![eq32(1, cmd)])),
    );
    // New processes and threads pass the supervisor, which refuses them
    // once the step's main process has ended: what is left cannot outrun
    // custody's kill by forking.
    r.push(when(
        "clone",
        Action::Observe,
        vec![masked(0, CLONE_NAMESPACES, 0)],
    ));
    r.push(always("fork", Action::Observe));
    r.push(always("vfork", Action::Observe));
    // clone3 and openat2 pass their flags in memory, where the filter
    // cannot look: ENOSYS makes glibc use clone, and callers of openat2
    // use openat.
    r.push(always("clone3", Action::Errno(libc::ENOSYS)));
    r.push(always("openat2", Action::Errno(libc::ENOSYS)));
    r.extend(
        PERSONALITIES
            .iter()
            .map(|&p| when("personality", Action::Allow, vec![eq32(0, p)])),
    );
    // Limits, priorities and CPUs of the step itself only (0: the caller);
    // any process's limits may be read (no new limit given).
    r.push(when("prlimit64", Action::Allow, vec![eq(0, 0)]));
    r.push(when("prlimit64", Action::Allow, vec![eq(2, 0)]));
    // setpriority(PRIO_PROCESS, 0, ...): not PRIO_USER, which reaches
    // every process of the user.
    r.push(when(
        "setpriority",
        Action::Allow,
        vec![eq32(0, 0), eq32(1, 0)],
    ));
    r.push(when("sched_setaffinity", Action::Allow, vec![eq32(0, 0)]));
    // Opens and executions are observed; Landlock decides. No open may
    // create a set-ID file: an open that creates nothing, or one whose mode
    // has no set-ID bit (two rules: either lets it through).
    for (call, flags, mode) in [("open", 1, 2), ("openat", 2, 3)] {
        r.push(when(
            call,
            Action::Observe,
            vec![masked(flags, CREATING, 0)],
        ));
        r.push(when(call, Action::Observe, vec![no_set_id(mode)]));
    }
    r.push(when("creat", Action::Observe, vec![no_set_id(1)]));
    r.push(always("execve", Action::Observe));
    r.push(always("execveat", Action::Observe));
    // renameat2 without RENAME_WHITEOUT, which makes a character device.
    r.push(when("renameat2", Action::Allow, vec![masked(4, 4, 0)]));
    for (call, mode) in [("mkdir", 1), ("mkdirat", 2)] {
        r.push(when(call, Action::Allow, vec![no_set_id(mode)]));
    }
    // FIFOs only: no device nodes, no set-ID files.
    for (call, mode) in [("mknod", 1), ("mknodat", 2)] {
        r.push(when(
            call,
            Action::Allow,
            vec![masked(mode, S_IFMT | SET_ID, S_IFIFO)],
        ));
    }
    if read_only_mounts {
        for &(call, mode) in CHMODS {
            r.push(when(call, Action::Allow, vec![no_set_id(mode)]));
        }
        r.extend(ATTRIBUTES.iter().map(|c| always(c, Action::Allow)));
    }
    r
}
