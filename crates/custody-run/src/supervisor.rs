//! The seccomp user-notification supervisor: runs in `custody run`'s own
//! process (outside the sandbox), receives each trapped system call of the
//! step, records what it aimed at, and answers. Opens and executions are
//! let through to Landlock; refused network calls are answered EPERM. The
//! answer never depends on what is read from the step's memory, so a step
//! that rewrites its arguments after the fact can only blur the record,
//! never change a decision.

use std::fs::File;
use std::io::{IoSliceMut, Write as _};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd as _, AsRawFd as _, OwnedFd};
use std::os::unix::ffi::OsStringExt as _;
use std::os::unix::fs::FileExt as _;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use libseccomp::{ScmpNotifReq, ScmpNotifResp, ScmpNotifRespFlags, ScmpSyscall, notify_id_valid};
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::net::{RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, recvmsg};

use crate::attempts::{self, Log, Observed};
use crate::enforce::{Net, Policy};

/// The longest path read from the step's memory.
const PATH_MAX: usize = 4096;
/// `AT_FDCWD` as the kernel passes it (the low 32 bits of -100).
const AT_FDCWD: u64 = 0xffff_ff9c;

#[derive(Debug, Clone, Copy)]
enum Call {
    /// path argument, flags argument (`None`: the flags are in `open_how`).
    Open {
        dirfd: Option<usize>,
        path: usize,
        flags: Option<usize>,
    },
    Exec {
        dirfd: Option<usize>,
        path: usize,
    },
    Connect,
    SendTo,
    SendMsg,
    Socket,
    Listen,
}

/// System call numbers, looked up once.
struct Table(Vec<(ScmpSyscall, Call)>);

impl Table {
    fn new() -> Self {
        let calls = [
            (
                "open",
                Call::Open {
                    dirfd: None,
                    path: 0,
                    flags: Some(1),
                },
            ),
            (
                "openat",
                Call::Open {
                    dirfd: Some(0),
                    path: 1,
                    flags: Some(2),
                },
            ),
            (
                "openat2",
                Call::Open {
                    dirfd: Some(0),
                    path: 1,
                    flags: None,
                },
            ),
            (
                "execve",
                Call::Exec {
                    dirfd: None,
                    path: 0,
                },
            ),
            (
                "execveat",
                Call::Exec {
                    dirfd: Some(0),
                    path: 1,
                },
            ),
            ("connect", Call::Connect),
            ("sendto", Call::SendTo),
            ("sendmsg", Call::SendMsg),
            ("sendmmsg", Call::SendMsg),
            ("socket", Call::Socket),
            ("listen", Call::Listen),
        ];
        Self(
            calls
                .into_iter()
                .filter_map(|(n, c)| Some((ScmpSyscall::from_name(n).ok()?, c)))
                .collect(),
        )
    }

    fn get(&self, sc: ScmpSyscall) -> Option<Call> {
        self.0.iter().find(|(s, _)| *s == sc).map(|(_, c)| *c)
    }
}

/// Accepts the helper's connection on `socket`, takes seccomp's listener
/// from it, and supervises. `None` when the helper never handed one over
/// (it failed before; it reports why).
pub fn serve(socket: &UnixListener, policy: &Policy, stop: &AtomicBool) -> Option<Observed> {
    let tick = Timespec {
        tv_sec: 0,
        tv_nsec: 20_000_000,
    };
    let mut stream = loop {
        let mut fds = [PollFd::new(socket, PollFlags::IN)];
        if poll(&mut fds, Some(&tick)).is_err() {
            return None;
        }
        if fds[0].revents().contains(PollFlags::IN) {
            break socket.accept().ok()?.0;
        }
        if stop.load(Ordering::Acquire) {
            return None;
        }
    };
    let listener = receive(&stream)?;
    stream.write_all(b"1").ok()?;
    Some(supervise(&listener, policy, stop))
}

fn receive(stream: &UnixStream) -> Option<OwnedFd> {
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let mut byte = [0u8; 1];
    recvmsg(
        stream,
        &mut [IoSliceMut::new(&mut byte)],
        &mut control,
        RecvFlags::CMSG_CLOEXEC,
    )
    .ok()?;
    control.drain().find_map(|m| match m {
        RecvAncillaryMessage::ScmRights(mut fds) => fds.next(),
        _ => None,
    })
}

/// Handles notifications on `listener` until no process uses the filter
/// any more, or `stop` is set and nothing is pending.
pub fn supervise(listener: &OwnedFd, policy: &Policy, stop: &AtomicBool) -> Observed {
    let table = Table::new();
    let mut log = Log::default();
    let tick = Timespec {
        tv_sec: 0,
        tv_nsec: 50_000_000,
    };
    loop {
        let mut fds = [PollFd::new(listener, PollFlags::IN)];
        if poll(&mut fds, Some(&tick)).is_err() {
            break;
        }
        let ready = fds[0].revents();
        if ready.contains(PollFlags::IN) {
            // The target may have gone between poll and receive.
            if let Ok(req) = ScmpNotifReq::receive(listener.as_raw_fd()) {
                handle(listener, &table, policy, &req, &mut log);
            }
        } else if ready.intersects(PollFlags::HUP | PollFlags::ERR) || stop.load(Ordering::Acquire)
        {
            break;
        }
    }
    log.finish()
}

fn handle(listener: &OwnedFd, table: &Table, policy: &Policy, req: &ScmpNotifReq, log: &mut Log) {
    log.notified();
    let fd = listener.as_fd().as_raw_fd();
    let call = table.get(req.data.syscall);
    // In a private network namespace, connects are only recorded.
    let loopback = policy.net == Net::Loopback;
    let answer = match call {
        Some(Call::Open { .. } | Call::Exec { .. }) => {
            ScmpNotifResp::new_continue(req.id, ScmpNotifRespFlags::empty())
        }
        Some(Call::Connect) if loopback => {
            ScmpNotifResp::new_continue(req.id, ScmpNotifRespFlags::empty())
        }
        // Everything else the filter traps is a refused network call.
        _ => ScmpNotifResp::new_error(req.id, -libc::EPERM, ScmpNotifRespFlags::empty()),
    };
    let seen = match call {
        Some(Call::Open { dirfd, path, flags }) => {
            path_attempt(policy, req, "open", dirfd, path, flags)
        }
        Some(Call::Exec { dirfd, path }) => path_attempt(policy, req, "exec", dirfd, path, None),
        Some(c) => network(c, req, !loopback),
        None => None,
    };
    // The notification must still be live for what was read to be the
    // step's (and not a reused pid's).
    if let Some((call, target, reason, denied)) = seen
        && notify_id_valid(fd, req.id).is_ok()
    {
        log.record(call, target, reason, denied, req.pid);
    }
    let _ = answer.respond(fd);
}

type Seen = (&'static str, String, &'static str, bool);

fn network(call: Call, req: &ScmpNotifReq, denied: bool) -> Option<Seen> {
    let a = req.data.args;
    let pid = req.pid;
    match call {
        Call::Open { .. } | Call::Exec { .. } => None,
        Call::Connect => Some(("connect", address(pid, a[1], a[2]), "network", denied)),
        Call::SendTo if a[4] != 0 => Some(("sendto", address(pid, a[4], a[5]), "network", true)),
        Call::SendTo | Call::SendMsg => Some(("sendmsg", "TCP Fast Open".into(), "network", true)),
        Call::Socket => Some((
            "socket",
            attempts::socket_kind(a[0], a[1], a[2]),
            "network",
            true,
        )),
        Call::Listen => Some((
            "listen",
            format!("fd {}", a[0] & 0xffff_ffff),
            "network",
            true,
        )),
    }
}

/// An open (`flags` names the flags argument; `None` with `open` reads
/// them from `openat2`'s `open_how`) or an execution.
fn path_attempt(
    policy: &Policy,
    req: &ScmpNotifReq,
    call: &'static str,
    dirfd: Option<usize>,
    path: usize,
    flags: Option<usize>,
) -> Option<Seen> {
    let a = req.data.args;
    let raw = PathBuf::from(std::ffi::OsString::from_vec(string(req.pid, a[path])?));
    let base = if raw.is_absolute() {
        PathBuf::from("/")
    } else {
        base(req.pid, dirfd.map(|i| a[i]))
    };
    let abs = attempts::absolute(&base, &raw);
    let write = match (call, flags) {
        ("exec", _) => false,
        (_, Some(i)) => attempts::writes(a[i]),
        (_, None) => {
            let mut how = [0u8; 8];
            mem(req.pid).and_then(|f| f.read_exact_at(&mut how, a[2]).ok())?;
            attempts::writes(u64::from_ne_bytes(how))
        }
    };
    let (call, reason, denied) = classify(policy, call, &abs, write)?;
    Some((call, abs.display().to_string(), reason, denied))
}

/// Classifies a trapped open or exec against the policy.
pub fn classify(
    policy: &Policy,
    call: &'static str,
    path: &Path,
    write: bool,
) -> Option<(&'static str, &'static str, bool)> {
    let granted = attempts::granted(policy, path, write);
    let text = path.to_string_lossy();
    if attempts::is_credential(&text) {
        return Some((call, "credential", !granted));
    }
    if call == "exec" {
        return Some((call, "exec", !granted));
    }
    // A missing path fails with ENOENT whatever the policy says.
    (!granted && path.symlink_metadata().is_ok()).then_some((call, "outside-policy", true))
}

fn mem(pid: u32) -> Option<File> {
    fs_err::File::open(format!("/proc/{pid}/mem"))
        .ok()
        .map(fs_err::File::into_file)
}

/// Reads a NUL-terminated string at `addr` in `pid`.
fn string(pid: u32, addr: u64) -> Option<Vec<u8>> {
    let f = mem(pid)?;
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    let mut at = addr;
    while out.len() < PATH_MAX {
        // Stop at a page end so an unmapped next page is not read.
        let room = usize::try_from(4096 - at % 4096)
            .unwrap_or(256)
            .min(buf.len());
        let n = f.read_at(&mut buf[..room], at).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(end) = buf[..n].iter().position(|&b| b == 0) {
            out.extend_from_slice(&buf[..end]);
            return Some(out);
        }
        out.extend_from_slice(&buf[..n]);
        at += n as u64;
    }
    Some(out)
}

fn address(pid: u32, addr: u64, len: u64) -> String {
    let len = usize::try_from(len & 0xffff_ffff).unwrap_or(0).min(128);
    let mut buf = vec![0u8; len];
    match mem(pid).map(|f| f.read_at(&mut buf, addr)) {
        Some(Ok(n)) => attempts::sockaddr(&buf[..n]),
        _ => "(unreadable address)".into(),
    }
}

/// The folder a relative path is resolved from.
fn base(pid: u32, dirfd: Option<u64>) -> PathBuf {
    let link = match dirfd {
        Some(fd) if fd & 0xffff_ffff != AT_FDCWD => format!("/proc/{pid}/fd/{}", fd & 0xffff_ffff),
        _ => format!("/proc/{pid}/cwd"),
    };
    fs_err::read_link(link).unwrap_or_else(|_| PathBuf::from("/"))
}
