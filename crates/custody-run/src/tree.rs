//! The step's whole process tree. custody is a child subreaper: whatever
//! the step starts, and whatever those processes leave behind when they
//! exit (a double-forked daemon, a process in a session of its own), stays
//! custody's descendant. When the step's main process has exited, custody
//! kills what is left and reaps it before it hashes the outputs, so
//! nothing keeps custody waiting and nothing rewrites an output after it
//! was attested.

use std::collections::{HashMap, HashSet};

use rustix::process::{Pid, PidfdFlags, Signal, WaitOptions, pidfd_open, pidfd_send_signal, wait};
use serde::{Deserialize, Serialize};

/// A process custody killed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    /// Its process id.
    pub pid: u32,
    /// Its name (the kernel's `comm`, escaped).
    pub name: String,
}

/// At most this many killed processes are listed; all are counted.
pub const MAX_LISTED: usize = 64;

/// `(pid, parent pid, name, zombie)` from the text of `/proc/PID/stat`.
/// The name is between the first `(` and the last `)`: it may hold both.
pub fn parse_stat(text: &str) -> Option<(u32, u32, String, bool)> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let id = text[..open].trim().parse().ok()?;
    let name = text.get(open + 1..close)?.to_owned();
    let mut rest = text.get(close + 1..)?.split_whitespace();
    let state = rest.next()?;
    let parent = rest.next()?.parse().ok()?;
    Some((id, parent, name, state == "Z"))
}

/// Every process below `root` in a table of `(pid, ppid, name, zombie)`.
pub fn below(table: &[(u32, u32, String, bool)], root: u32) -> Vec<(u32, String, bool)> {
    let mut children: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, row) in table.iter().enumerate() {
        children.entry(row.1).or_default().push(i);
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut todo = vec![root];
    while let Some(p) = todo.pop() {
        for &i in children.get(&p).map_or(&[][..], Vec::as_slice) {
            let (pid, _, name, zombie) = &table[i];
            if seen.insert(*pid) {
                out.push((*pid, name.clone(), *zombie));
                todo.push(*pid);
            }
        }
    }
    out
}

fn table() -> Vec<(u32, u32, String, bool)> {
    let Ok(dir) = fs_err::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        })
        .filter_map(|e| fs_err::read_to_string(e.path().join("stat")).ok())
        .filter_map(|t| parse_stat(&t))
        .collect()
}

/// Kills every descendant of this process and reaps them, until none is
/// left (or five seconds have passed). Returns those it killed, how many,
/// and how many were still alive when it gave up.
pub fn kill_all() -> (Vec<Process>, u64, u64) {
    let me = std::process::id();
    let mut killed: Vec<Process> = Vec::new();
    let mut count = 0u64;
    let mut signalled = HashSet::new();
    for _ in 0..500 {
        let live = below(&table(), me);
        if live.is_empty() {
            break;
        }
        for (pid, name, zombie) in live {
            if zombie || !signalled.insert(pid) {
                continue;
            }
            // A pidfd names this process, not a pid that could be reused
            // between reading /proc and the kill.
            let Some(p) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
                continue;
            };
            let Ok(fd) = pidfd_open(p, PidfdFlags::empty()) else {
                continue;
            };
            if !still_below(pid, me) {
                continue;
            }
            if pidfd_send_signal(&fd, Signal::KILL).is_ok() {
                count += 1;
                if killed.len() < MAX_LISTED {
                    killed.push(Process {
                        pid,
                        name: program_name(&name),
                    });
                }
            }
        }
        reap();
        std::thread::sleep(std::time::Duration::from_millis(10));
        reap();
    }
    let survivors = if count == 0 {
        0
    } else {
        below(&table(), me).iter().filter(|p| !p.2).count()
    };
    (killed, count, survivors as u64)
}

/// A process's name as the record shows it: the kernel's `comm` is the
/// step's to choose (`PR_SET_NAME`, the name of a link it executes), so
/// it is kept only when it names a program of the system, else `…`.
fn program_name(comm: &str) -> String {
    let known = !comm.is_empty()
        && !comm.contains('/')
        && ["/usr/bin", "/bin", "/usr/sbin", "/usr/local/bin"]
            .iter()
            .any(|d| std::path::Path::new(d).join(comm).exists());
    if known {
        crate::text::escape(comm.as_bytes())
    } else {
        "…".to_owned()
    }
}

/// Whether `pid` is still below `me` (read again after its pidfd was
/// opened, so the pidfd names the process that was found).
fn still_below(pid: u32, me: u32) -> bool {
    below(&table(), me).iter().any(|(p, _, _)| *p == pid)
}

/// Reaps the children of custody that have ended, but `main` (the step's
/// main process, which `Child::wait` reaps).
pub fn reap_orphans(main: u32) {
    let me = std::process::id();
    for (pid, parent, _, zombie) in table() {
        if parent == me
            && zombie
            && pid != main
            && let Some(p) = i32::try_from(pid).ok().and_then(Pid::from_raw)
        {
            let _ = rustix::process::waitpid(Some(p), WaitOptions::NOHANG);
        }
    }
}

/// Reaps every child that has ended (orphans of the step come to custody,
/// the subreaper), whatever its process group (`waitpid(-1)`).
fn reap() {
    while let Ok(Some(_)) = wait(WaitOptions::NOHANG) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_odd_names() {
        assert_eq!(
            parse_stat("42 (python3) S 7 42 42 0 -1"),
            Some((42, 7, "python3".into(), false))
        );
        assert_eq!(
            parse_stat("43 (a) b) (c) Z 42 1 1"),
            Some((43, 42, "a) b) (c".into(), true))
        );
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn descendants_of_a_root() {
        let t = vec![
            (10, 1, "custody".to_owned(), false),
            (11, 10, "step".to_owned(), false),
            (12, 11, "child".to_owned(), false),
            (13, 10, "daemon".to_owned(), false),
            (20, 1, "other".to_owned(), false),
        ];
        let mut got: Vec<u32> = below(&t, 10).iter().map(|r| r.0).collect();
        got.sort_unstable();
        assert_eq!(got, [11, 12, 13]);
        assert!(below(&t, 12).is_empty());
    }
}
