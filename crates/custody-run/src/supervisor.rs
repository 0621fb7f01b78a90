//! The seccomp user-notification supervisor: runs in `custody run`'s own
//! process (outside the sandbox), receives each trapped system call of the
//! step, records what it aimed at, and answers with the filter's own
//! decision ([`crate::filter::decide`] on the same register arguments the
//! kernel saw): opens, executions and, in a private loopback, connects are
//! let through (Landlock and the namespace decide); every call no rule
//! allows is refused with `EPERM`. The answer never depends on what is
//! read from the step's memory, so a step that rewrites its arguments
//! after the fact can only blur the record, never change a decision.

use std::collections::HashMap;
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

use crate::attempts::{Entry, Log, Observed, Reason, Tier};
use crate::describe::{self, Places};
use crate::enforce::Policy;
use crate::filter::{self, Action};

/// The longest path read from the step's memory.
const PATH_MAX: usize = 4096;
/// `AT_FDCWD` as the kernel passes it (the low 32 bits of -100).
const AT_FDCWD: u64 = 0xffff_ff9c;

/// What the supervisor judges attempts against.
#[derive(Debug, Clone)]
pub struct Watch {
    /// The policy the helper enforces.
    pub policy: Policy,
    /// The step's writable places, as the record names them.
    pub places: Places,
    /// Set once the step's main process has ended: from then on no
    /// process or thread may be made.
    pub ending: std::sync::Arc<AtomicBool>,
}

/// The calls that make a process or a thread.
const FORKS: &[&str] = &["clone", "fork", "vfork"];

/// Accepts the helper's connection on `socket`, takes seccomp's listener
/// and the filter's options from it, and supervises. `None` when the
/// helper never handed one over (it failed before; it reports why).
pub fn serve(socket: &UnixListener, watch: &Watch, stop: &AtomicBool) -> Option<Observed> {
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
    let (listener, options, shm) = receive(&stream)?;
    stream.write_all(b"1").ok()?;
    let mut watch = watch.clone();
    if shm {
        let p = PathBuf::from(crate::enforce::SHM);
        watch.policy.write.push(p.clone());
        watch.places = Places::new(
            watch
                .places
                .writable
                .iter()
                .cloned()
                .chain([(p, crate::enforce::SHM.to_owned())])
                .collect(),
        );
    }
    let rules = filter::Index::new(filter::rules(options));
    Some(supervise(&listener, &watch, &rules, stop))
}

/// The listener, the options of the filter the helper loaded and whether
/// `/dev/shm` is private (sent as `L`, [`filter::Options::to_bytes`], one
/// byte).
fn receive(stream: &UnixStream) -> Option<(OwnedFd, filter::Options, bool)> {
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let mut msg = [0u8; 4];
    recvmsg(
        stream,
        &mut [IoSliceMut::new(&mut msg)],
        &mut control,
        RecvFlags::CMSG_CLOEXEC,
    )
    .ok()?;
    let options = filter::Options::from_bytes([msg[1], msg[2]])?;
    let fd = control.drain().find_map(|m| match m {
        RecvAncillaryMessage::ScmRights(mut fds) => fds.next(),
        _ => None,
    })?;
    Some((fd, options, msg[3] == 1))
}

/// System call names by number, looked up once each.
#[derive(Default)]
struct Names(HashMap<i32, String>);

impl Names {
    fn get(&mut self, sc: ScmpSyscall) -> &str {
        self.0
            .entry(sc.as_raw_syscall())
            .or_insert_with(|| sc.get_name().unwrap_or_else(|_| "unknown".to_owned()))
    }
}

/// Handles notifications on `listener` until no process uses the filter
/// any more, or `stop` is set and nothing is pending.
pub fn supervise(
    listener: &OwnedFd,
    watch: &Watch,
    rules: &filter::Index,
    stop: &AtomicBool,
) -> Observed {
    let mut names = Names::default();
    let mut resolver = Resolver::default();
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
                let name = names.get(req.data.syscall).to_owned();
                handle(listener, watch, rules, &name, &req, &mut log, &mut resolver);
            }
        } else if ready.intersects(PollFlags::HUP | PollFlags::ERR) || stop.load(Ordering::Acquire)
        {
            break;
        }
    }
    log.finish()
}

fn handle(
    listener: &OwnedFd,
    watch: &Watch,
    rules: &filter::Index,
    name: &str,
    req: &ScmpNotifReq,
    log: &mut Log,
    resolver: &mut Resolver,
) {
    log.notified();
    let fd = listener.as_fd().as_raw_fd();
    // Once the main process has ended, no process or thread may be made.
    let late = watch.ending.load(Ordering::Acquire) && FORKS.contains(&name);
    let decision = if late {
        None
    } else {
        rules.decide(name, &req.data.args)
    };
    let seen = if late {
        Some(refusal(name, "after the step ended".to_owned(), req.pid))
    } else {
        entry(watch, name, req, decision.is_some(), resolver)
    };
    // A call whose path or address custody cannot read (the step made
    // itself undumpable, with an execute-only binary say) is refused:
    // what the record cannot name, the step does not get.
    let hidden = seen
        .as_ref()
        .is_some_and(|e| e.reason == Reason::Unreadable);
    let answer = match decision {
        Some(Action::Observe | Action::Allow) if !hidden => {
            ScmpNotifResp::new_continue(req.id, ScmpNotifRespFlags::empty())
        }
        Some(Action::Errno(e)) => ScmpNotifResp::new_error(req.id, -e, ScmpNotifRespFlags::empty()),
        _ => ScmpNotifResp::new_error(req.id, -libc::EPERM, ScmpNotifRespFlags::empty()),
    };
    let seen = seen.map(|mut e| {
        e.denied |= hidden;
        e
    });
    // The notification must still be live for what was read to be the
    // step's (and not a reused pid's).
    if let Some(e) = seen
        && notify_id_valid(fd, req.id).is_ok()
    {
        log.record(&e);
    }
    let _ = answer.respond(fd);
}

/// The record of one notification. `allowed`: the filter lets it through.
fn entry(
    watch: &Watch,
    name: &str,
    req: &ScmpNotifReq,
    allowed: bool,
    resolver: &mut Resolver,
) -> Option<Entry> {
    let a = req.data.args;
    let pid = req.pid;
    let path_call = match name {
        "open" => Some(("open", None, 0, Some(1))),
        "openat" => Some(("open", Some(0), 1, Some(2))),
        "creat" => Some(("open", None, 0, None)),
        "execve" => Some(("exec", None, 0, None)),
        "execveat" => Some(("exec", Some(0), 1, None)),
        _ => None,
    };
    if let Some((call, dirfd, path, flags)) = path_call {
        let Some(abs) = step_path(resolver, pid, a[path], dirfd.map(|i| a[i])) else {
            // An undumpable or racing step hides the path: that is itself
            // worth recording, ahead of ordinary opens.
            return Some(Entry {
                call: call.to_owned(),
                target: "(path unreadable)".to_owned(),
                reason: Reason::Unreadable,
                denied: true,
                pid,
                tier: Tier::Probe,
                fold: Some("unreadable".to_owned()),
            });
        };
        if !allowed {
            // An open with a set-ID mode.
            let (target, _) = describe::path(&abs, &watch.places, &exists);
            return Some(refusal(
                name,
                format!("{target} ({})", describe::refused(name, &a)),
                pid,
            ));
        }
        // creat always writes; exec never.
        let write = match (call, flags) {
            ("exec", _) => false,
            (_, Some(i)) => describe::writes(a[i]),
            (_, None) => true,
        };
        if call == "exec"
            && let Some(e) = loader_entry(watch, pid, name, &a, &abs, resolver)
        {
            return Some(e);
        }
        return path_entry(watch, pid, call, &abs, write, resolver);
    }
    let network = |target: String, fold: &str| {
        Some(Entry {
            call: name.to_owned(),
            target,
            reason: Reason::Network,
            denied: !allowed,
            pid,
            tier: Tier::Probe,
            fold: Some(fold.to_owned()),
        })
    };
    // An address custody cannot read is recorded, and refused, as such.
    let addressed = |at: u64, len: u64| match address(pid, at, len, &watch.places) {
        Some(target) => {
            let fold = family(&target);
            network(target, fold)
        }
        None => Some(Entry {
            call: name.to_owned(),
            target: "(address unreadable)".to_owned(),
            reason: Reason::Unreadable,
            denied: true,
            pid,
            tier: Tier::Probe,
            fold: Some("unreadable".to_owned()),
        }),
    };
    match name {
        "connect" | "bind" => addressed(a[1], a[2]),
        "sendto" if a[4] != 0 => addressed(a[4], a[5]),
        "sendto" | "sendmsg" | "sendmmsg" => network("TCP Fast Open".into(), "fast open"),
        "socket" | "socketpair" => network(describe::socket_kind(a[0], a[1], a[2]), "socket"),
        "listen" | "accept" | "accept4" => network(String::new(), "server"),
        _ if allowed => None,
        _ => Some(refusal(name, describe::refused(name, &a), pid)),
    }
}

/// An execution that names no file of its own: a memfd run through
/// `execveat(fd, "", AT_EMPTY_PATH)` (code that was never on disk), or the
/// dynamic loader asked to run a program (`ld-linux-x86-64.so.2 PROG`),
/// whose real target is its first argument.
fn loader_entry(
    watch: &Watch,
    pid: u32,
    name: &str,
    a: &[u64; 6],
    abs: &Path,
    resolver: &mut Resolver,
) -> Option<Entry> {
    let text = abs.to_string_lossy();
    if text.starts_with("/memfd:") {
        return Some(Entry {
            call: "exec".to_owned(),
            target: "memfd (a program that was never a file)".to_owned(),
            reason: Reason::Exec,
            denied: false,
            pid,
            tier: Tier::Probe,
            fold: Some("memfd".to_owned()),
        });
    }
    let file = abs.file_name()?.to_string_lossy();
    if !(file.starts_with("ld-linux") || file == "ld.so") {
        return None;
    }
    let argv = if name == "execveat" { a[2] } else { a[1] };
    let prog = resolver.pointer(pid, argv.wrapping_add(8))?;
    let raw = PathBuf::from(std::ffi::OsString::from_vec(resolver.string(pid, prog)?));
    let prog = describe::absolute(&base(pid, None), &raw);
    let real = resolver.resolve(&prog, &watch.places);
    let (target, _) = describe::path(&prog, &watch.places, &exists);
    let (loader, _) = describe::path(abs, &watch.places, &exists);
    Some(Entry {
        call: "exec".to_owned(),
        target: format!("{target} (by the loader {loader})"),
        reason: Reason::Exec,
        denied: !describe::granted(&watch.policy, &real, false),
        pid,
        tier: Tier::Probe,
        fold: Some("loader".to_owned()),
    })
}

fn refusal(name: &str, target: String, pid: u32) -> Entry {
    Entry {
        call: name.to_owned(),
        target,
        reason: Reason::Refused,
        denied: true,
        pid,
        tier: Tier::Call,
        fold: Some("…".to_owned()),
    }
}

fn family(target: &str) -> &'static str {
    if target.starts_with('[') {
        "inet6"
    } else if target.starts_with("unix:") {
        "unix"
    } else {
        "inet"
    }
}

fn exists(p: &Path) -> bool {
    p.symlink_metadata().is_ok()
}

/// An open or an execution, classified against the policy. Symbolic links
/// are followed first (from custody's side: it is evidence, not a
/// decision), so a link the step made in its HOME to `~/.ssh/id_rsa` is
/// judged, and named, as the key it leads to.
fn path_entry(
    watch: &Watch,
    pid: u32,
    call: &'static str,
    abs: &Path,
    write: bool,
    cache: &mut Resolver,
) -> Option<Entry> {
    let resolved = cache.resolve(abs, &watch.places);
    // Judged by the file reached (what Landlock decides on), a secret's
    // place by either name (a link in HOME named `.env`, say).
    let granted = describe::granted(&watch.policy, &resolved, write);
    let secret = [resolved.as_path(), abs]
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .find(|p| describe::is_credential(p));
    let reason = if secret.is_some() {
        Reason::Credential
    } else if call == "exec" {
        Reason::Exec
    } else if !granted && exists(&resolved) {
        // A missing path fails with ENOENT whatever the policy says.
        Reason::OutsidePolicy
    } else {
        return None;
    };
    let denied = !granted;
    let (mut target, real) = describe::path(&resolved, &watch.places, &exists);
    if resolved != abs {
        target = format!(
            "{target} (via {})",
            describe::path(abs, &watch.places, &exists).0
        );
    }
    let (tier, fold) = match &secret {
        Some(p) if real && denied => (Tier::Secret, Some(describe::credential_place(p))),
        Some(p) => (Tier::Probe, Some(describe::credential_place(p))),
        None => (Tier::Other, None),
    };
    Some(Entry {
        call: call.to_owned(),
        target,
        reason,
        denied,
        pid,
        tier,
        fold,
    })
}

/// Folders outside the step's writable places, with their links followed:
/// the step cannot change them, so each is resolved once (an open-heavy
/// step opens thousands of files in a few folders).
///
/// It also keeps each process's `/proc/PID/mem` open between its calls (a
/// read that fails, after an `execve` or once the pid is another
/// process's, opens it again).
#[derive(Default)]
struct Resolver {
    dirs: HashMap<PathBuf, PathBuf>,
    mem: HashMap<u32, File>,
}

impl Resolver {
    /// `path` with its symbolic links followed (see [`resolve`]): its
    /// folder from [`Resolver::folder`], then the last name, followed if
    /// it is a link.
    fn resolve(&mut self, path: &Path, places: &Places) -> PathBuf {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return resolve(path);
        };
        if self.dirs.len() > 4096 {
            self.dirs.clear();
        }
        let candidate = self.folder(dir, places).join(name);
        match candidate.symlink_metadata() {
            Ok(m) if m.is_symlink() => resolve(&candidate),
            _ => candidate,
        }
    }

    /// A folder with its links followed, one name at a time from the root:
    /// each folder costs one `lstat` the first time, and is remembered
    /// unless it lies in the step's writable places (where the step may
    /// replace it with a link at any time).
    fn folder(&mut self, dir: &Path, places: &Places) -> PathBuf {
        let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
            return dir.to_owned();
        };
        if let Some(r) = self.dirs.get(dir) {
            return r.clone();
        }
        let candidate = self.folder(parent, places).join(name);
        let resolved = match candidate.symlink_metadata() {
            Ok(m) if m.is_symlink() => resolve(&candidate),
            _ => candidate,
        };
        let mutable = places
            .writable
            .iter()
            .any(|(root, _)| dir.starts_with(root));
        if !mutable {
            self.dirs.insert(dir.to_owned(), resolved.clone());
        }
        resolved
    }
}

impl Resolver {
    /// The 8-byte pointer at `addr` in `pid`'s memory.
    fn pointer(&mut self, pid: u32, addr: u64) -> Option<u64> {
        let mut b = [0u8; 8];
        let f = match self.mem.entry(pid) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => v.insert(mem(pid)?),
        };
        f.read_exact_at(&mut b, addr).ok()?;
        Some(u64::from_ne_bytes(b))
    }

    /// The NUL-terminated string at `addr` in `pid`'s memory.
    fn string(&mut self, pid: u32, addr: u64) -> Option<Vec<u8>> {
        if let Some(s) = self.mem.get(&pid).and_then(|f| string(f, addr)) {
            return Some(s);
        }
        self.mem.remove(&pid);
        if self.mem.len() >= 64 {
            self.mem.clear();
        }
        let f = mem(pid)?;
        let s = string(&f, addr);
        self.mem.insert(pid, f);
        s
    }
}

/// `path` with its symbolic links followed: the whole path when it exists,
/// else its longest existing folder's (the missing rest kept as it is).
fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = fs_err::canonicalize(path) {
        return p;
    }
    let mut missing = Vec::new();
    let mut cur = path;
    while let Some(parent) = cur.parent() {
        if let Some(name) = cur.file_name() {
            missing.push(name.to_owned());
        }
        if let Ok(p) = fs_err::canonicalize(parent) {
            return missing.iter().rev().fold(p, |acc, n| acc.join(n));
        }
        cur = parent;
    }
    path.to_owned()
}

/// The absolute path a trapped call names: its path argument at `addr`,
/// resolved against its folder descriptor or working folder.
fn step_path(resolver: &mut Resolver, pid: u32, addr: u64, dirfd: Option<u64>) -> Option<PathBuf> {
    let raw = PathBuf::from(std::ffi::OsString::from_vec(resolver.string(pid, addr)?));
    let base = if raw.is_absolute() {
        PathBuf::from("/")
    } else {
        base(pid, dirfd)
    };
    let abs = describe::absolute(&base, &raw);
    // The step's /proc/self is its own, not custody's.
    for own in ["/proc/self", "/proc/thread-self"] {
        if let Ok(rest) = abs.strip_prefix(own) {
            return Some(Path::new("/proc").join(pid.to_string()).join(rest));
        }
    }
    Some(abs)
}

fn mem(pid: u32) -> Option<File> {
    fs_err::File::open(format!("/proc/{pid}/mem"))
        .ok()
        .map(fs_err::File::into_file)
}

/// Reads a NUL-terminated string at `addr` of the memory `f`.
fn string(f: &File, addr: u64) -> Option<Vec<u8>> {
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

fn address(pid: u32, addr: u64, len: u64, places: &Places) -> Option<String> {
    let len = usize::try_from(len & 0xffff_ffff).unwrap_or(0).min(128);
    let mut buf = vec![0u8; len];
    let unix = |p: &Path| describe::path(p, places, &exists).0;
    let n = mem(pid)?.read_at(&mut buf, addr).ok()?;
    Some(describe::sockaddr(&buf[..n], &unix))
}

/// The folder a relative path is resolved from.
fn base(pid: u32, dirfd: Option<u64>) -> PathBuf {
    let link = match dirfd {
        Some(fd) if fd & 0xffff_ffff != AT_FDCWD => format!("/proc/{pid}/fd/{}", fd & 0xffff_ffff),
        _ => format!("/proc/{pid}/cwd"),
    };
    fs_err::read_link(link).unwrap_or_else(|_| PathBuf::from("/"))
}
