//! The namespaces a step runs in, made by the helper before it restricts
//! itself:
//!
//! - **mount**: the machine read-only but for the step's writable paths
//!   ([`crate::mounts`]), so attribute changes (`chmod`, `chown`, `utime`,
//!   xattrs) are refused by the kernel everywhere else; and a private
//!   `/dev/shm` for POSIX semaphores (Python's multiprocessing);
//! - **IPC**: SysV shared memory, queues and semaphores and POSIX message
//!   queues of its own (the filter refuses the calls too);
//! - **network**, with `--net loopback`: only its own loopback.
//!
//! As root they are made directly; otherwise inside a new user namespace
//! that maps only the caller's own uid and gid, so the step keeps its
//! identity and, after `execve`, holds no capability. Where no namespace
//! can be made (Docker's default profile, some CI runners), `--net none`
//! runs without them and the filter refuses every attribute change
//! instead; `--net loopback` is refused with the reason.

use std::path::PathBuf;

use nix::sched::{CloneFlags, unshare};
use nix::unistd::{getgid, getuid};

/// Why the step's namespaces could not be made.
#[derive(Debug, thiserror::Error)]
pub enum NamespaceError {
    /// `unshare` refused.
    #[error(
        "--net loopback needs a network namespace, and this system does not allow making one ({0}); use --net none"
    )]
    Unshare(String),
    /// The user namespace's id maps could not be written.
    #[error("cannot map the user namespace's ids: {0}")]
    Map(String),
    /// The loopback interface could not be brought up.
    #[error("cannot bring the private loopback interface up: {0}")]
    Loopback(String),
}

/// What was made.
#[derive(Debug, Clone, Default)]
pub struct Made {
    /// The namespaces made: `user`, `mount`, `ipc`, `network`.
    pub namespaces: Vec<String>,
    /// Whether every mount but the writable paths is read-only.
    pub read_only: bool,
    /// Why not, when not.
    pub why_not: Option<String>,
    /// Whether `/dev/shm` is a fresh tmpfs of the step's own (then it is
    /// writable).
    pub private_shm: bool,
}

/// Enters new namespaces (see the module documentation); `loopback` is
/// `--net loopback` (a private network too). `wanted` false makes none
/// (only for `--net none`).
pub fn enter(loopback: bool, writable: &[PathBuf], wanted: bool) -> Result<Made, NamespaceError> {
    if !wanted && !loopback {
        return Ok(Made {
            why_not: Some("namespaces not asked for".into()),
            ..Made::default()
        });
    }
    let mut flags = CloneFlags::CLONE_NEWNS | CloneFlags::CLONE_NEWIPC;
    if loopback {
        flags |= CloneFlags::CLONE_NEWNET;
    }
    let (uid, gid) = (getuid(), getgid());
    let user = if uid.is_root() && unshare(flags).is_ok() {
        false
    } else {
        match unshare(CloneFlags::CLONE_NEWUSER | flags) {
            Ok(()) => true,
            Err(e) if loopback => return Err(NamespaceError::Unshare(e.to_string())),
            Err(e) => {
                return Ok(Made {
                    why_not: Some(format!("no namespace can be made here: {e}")),
                    ..Made::default()
                });
            }
        }
    };
    let mut made = Vec::new();
    if user {
        // Map only our own ids: the step stays who it was.
        let write = |file: &str, text: String| {
            fs_err::write(format!("/proc/self/{file}"), text)
                .map_err(|e| NamespaceError::Map(e.to_string()))
        };
        write("setgroups", "deny".into())?;
        write("uid_map", format!("{uid} {uid} 1\n"))?;
        write("gid_map", format!("{gid} {gid} 1\n"))?;
        made.push("user".to_owned());
    }
    made.extend(["mount".to_owned(), "ipc".to_owned()]);
    if loopback {
        made.push("network".to_owned());
        crate::netns::up().map_err(NamespaceError::Loopback)?;
    }
    let (read_only, why_not) = match crate::mounts::read_only_except(writable) {
        Ok(()) => (true, None),
        Err(e) => (false, Some(e.to_string())),
    };
    let private_shm = read_only && crate::mounts::private_shm();
    Ok(Made {
        namespaces: made,
        read_only,
        why_not,
        private_shm,
    })
}
