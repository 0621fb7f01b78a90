//! Waiting for the step's main process: until it exits, until custody is
//! told to stop (SIGINT, SIGTERM, SIGHUP), or until the `--timeout`. In the
//! last two cases custody kills the step's whole tree and still writes a
//! signed attestation that says how the run ended.
//!
//! The signals are blocked in custody (before any thread starts, so all
//! inherit the mask) and read from a signalfd: they never interrupt
//! custody halfway, and they stay blocked until it exits, so the
//! attestation is written whatever arrives meanwhile. The step gets the
//! default mask back (Rust resets it in the child before `execve`).

use std::process::Child;
use std::time::{Duration, Instant};

use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::process::{Pid, PidfdFlags, pidfd_open};
use serde::{Deserialize, Serialize};

/// How the step's main process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "how")]
pub enum Ended {
    /// It exited (or was killed) on its own.
    Exited,
    /// custody received this signal and killed the step.
    Interrupted {
        /// The signal's number.
        signal: i32,
    },
    /// The `--timeout` passed and custody killed the step.
    TimedOut {
        /// The timeout, in seconds.
        seconds: u64,
    },
}

/// custody's stop signals, blocked and readable from a descriptor.
#[derive(Debug)]
pub struct Signals {
    fd: SignalFd,
}

/// The signals that stop a run.
const STOP: [Signal; 3] = [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP];

/// The signal number of SIGCHLD, which wakes custody to reap orphans.
const CHLD: i32 = Signal::SIGCHLD as i32;

impl Signals {
    /// Blocks the stop signals in the calling thread (and in every thread
    /// it starts from now on).
    pub fn block() -> std::io::Result<Self> {
        let mut set = SigSet::empty();
        for s in STOP {
            set.add(s);
        }
        set.add(Signal::SIGCHLD);
        set.thread_swap_mask(SigmaskHow::SIG_BLOCK)
            .map_err(std::io::Error::from)?;
        let fd = SignalFd::with_flags(&set, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)
            .map_err(std::io::Error::from)?;
        Ok(Self { fd })
    }

    /// Blocks until a stop signal comes, and returns its number (for a
    /// long-running custody, such as `custody index serve`, that finishes
    /// its work before it exits).
    pub fn wait(&self) -> i32 {
        loop {
            if let Some(s) = self.take() {
                return s;
            }
            let mut fds = [PollFd::new(&self.fd, PollFlags::IN)];
            let _ = poll(&mut fds, None);
        }
    }

    /// The first stop signal waiting, reading (and dropping) SIGCHLDs.
    fn take(&self) -> Option<i32> {
        loop {
            match self.fd.read_signal() {
                Ok(Some(info)) => match i32::try_from(info.ssi_signo) {
                    Ok(CHLD) => {}
                    Ok(s) => return Some(s),
                    Err(_) => return None,
                },
                _ => return None,
            }
        }
    }
}

/// Waits for `rx` (custody's own work after the step: hashing), unless a
/// stop signal comes or `deadline` passes first.
pub fn work<T>(
    rx: &std::sync::mpsc::Receiver<T>,
    signals: &Signals,
    deadline: Option<Instant>,
    timeout: Option<Duration>,
) -> Result<T, Ended> {
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(v) => return Ok(v),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Ended::Exited);
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
        if let Some(signal) = signals.take() {
            return Err(Ended::Interrupted { signal });
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(Ended::TimedOut {
                seconds: timeout.map_or(0, |t| t.as_secs()),
            });
        }
    }
}

/// Waits for `child` to exit, a stop signal, or `deadline`. The child is
/// not reaped; the orphans that come to custody meanwhile are (they would
/// stay zombies, each holding a process id, for the whole run).
pub fn main_process(
    child: &Child,
    signals: &Signals,
    deadline: Option<Instant>,
    timeout: Option<Duration>,
) -> Ended {
    let Ok(pidfd) = pidfd_open(Pid::from_child(child), PidfdFlags::empty()) else {
        // No pidfd (a kernel before 5.3): only the exit can end the wait.
        return Ended::Exited;
    };
    loop {
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if left == Some(Duration::ZERO) {
            return Ended::TimedOut {
                seconds: timeout.map_or(0, |t| t.as_secs()),
            };
        }
        // Wake at least once a second: a deadline is checked even if the
        // poll is interrupted.
        let wait = left.map_or(Duration::from_secs(1), |l| l.min(Duration::from_secs(1)));
        let ts = Timespec {
            tv_sec: i64::try_from(wait.as_secs()).unwrap_or(1),
            tv_nsec: i64::from(wait.subsec_nanos()),
        };
        let mut fds = [
            PollFd::new(&pidfd, PollFlags::IN),
            PollFd::new(&signals.fd, PollFlags::IN),
        ];
        if poll(&mut fds, Some(&ts)).is_err() {
            continue;
        }
        if fds[1].revents().contains(PollFlags::IN)
            && let Some(signal) = signals.take()
        {
            return Ended::Interrupted { signal };
        }
        if fds[0].revents().contains(PollFlags::IN) {
            // What is left is killed and reaped next.
            return Ended::Exited;
        }
        crate::tree::reap_orphans(child.id());
    }
}
