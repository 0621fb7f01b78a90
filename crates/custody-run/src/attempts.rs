//! What a step tried to do, as the supervisor saw it: pure descriptions
//! and classification of system call arguments, and the bounded log.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::enforce::Policy;

/// At most this many distinct attempts are kept; more are counted.
pub const MAX_ATTEMPTS: usize = 1024;

/// One kind of attempt, with how often it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// The system call: `open`, `exec`, `connect`, `sendto`, `sendmsg`,
    /// `socket`, `listen`.
    pub call: String,
    /// What it aimed at: a path, `ADDRESS:PORT`, `unix:PATH`, a socket kind.
    pub target: String,
    /// Why it is recorded: `credential` (a secret's usual place),
    /// `outside-policy` (an existing path the policy does not grant),
    /// `network`, or `exec`.
    pub reason: String,
    /// `denied` or `allowed`. Network attempts are always denied (by the
    /// seccomp filter); opens and executions are decided by Landlock from
    /// the policy, and this is the policy's answer.
    pub outcome: String,
    /// How many times.
    pub count: u64,
    /// The process that made the first one.
    pub pid: u32,
}

/// What the supervisor saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    /// Attempts in the order first seen.
    pub attempts: Vec<Attempt>,
    /// Attempts not kept because [`MAX_ATTEMPTS`] were already kept.
    pub dropped: u64,
    /// Notifications handled (every open, exec and refused network call).
    pub notifications: u64,
}

impl Observed {
    /// The attempts that were, or by the policy will be, denied.
    pub fn denied(&self) -> impl Iterator<Item = &Attempt> {
        self.attempts.iter().filter(|a| a.outcome == "denied")
    }
}

/// The bounded, de-duplicated log.
#[derive(Debug, Default)]
pub struct Log {
    seen: HashMap<(String, String), usize>,
    observed: Observed,
}

impl Log {
    /// Records one attempt.
    pub fn record(&mut self, call: &str, target: String, reason: &str, denied: bool, pid: u32) {
        let key = (call.to_owned(), target);
        if let Some(&i) = self.seen.get(&key) {
            self.observed.attempts[i].count += 1;
            return;
        }
        if self.observed.attempts.len() >= MAX_ATTEMPTS {
            self.observed.dropped += 1;
            return;
        }
        self.seen.insert(key.clone(), self.observed.attempts.len());
        self.observed.attempts.push(Attempt {
            call: key.0,
            target: key.1,
            reason: reason.to_owned(),
            outcome: if denied { "denied" } else { "allowed" }.to_owned(),
            count: 1,
            pid,
        });
    }

    /// Counts one notification.
    pub fn notified(&mut self) {
        self.observed.notifications += 1;
    }

    /// The result.
    pub fn finish(self) -> Observed {
        self.observed
    }
}

/// Places where secrets usually live (threats.md: the LiteLLM collector's
/// list): matched against the absolute path.
const CREDENTIAL_PARTS: &[&str] = &[
    "/.ssh/",
    "/etc/ssh/ssh_host_",
    "/.git-credentials",
    "/.aws/",
    "/.config/gcloud/",
    "/.azure/",
    "/.kube/",
    "/var/run/secrets/",
    "/run/secrets/",
    "/.docker/config.json",
    "/.npmrc",
    "/.pypirc",
    "/.vault-token",
    "/.netrc",
    "/.pgpass",
    "/etc/shadow",
    "/etc/gshadow",
    "/.bash_history",
    "/.zsh_history",
    "/.psql_history",
    "/.mysql_history",
    "/.python_history",
    "/terraform.tfstate",
    "/.gnupg/",
    "/proc/self/environ",
];
/// File endings of private keys and key stores. A `.pem` counts only when
/// its name or folder says it holds a key: most are public certificates.
const CREDENTIAL_ENDINGS: &[&str] = &[".key", ".p12", ".pfx", "wallet.dat"];

/// Whether `path` (absolute) is a usual place of a secret.
pub fn is_credential(path: &str) -> bool {
    CREDENTIAL_PARTS
        .iter()
        .any(|p| path.contains(p) || p.ends_with('/') && path.ends_with(&p[..p.len() - 1]))
        || CREDENTIAL_ENDINGS.iter().any(|e| path.ends_with(e))
        || path.ends_with(".pem") && (path.contains("/private/") || name(path).contains("key"))
        || path.starts_with("/proc/") && path.ends_with("/environ")
        || name(path) == ".env"
        || name(path).starts_with(".env.")
}

fn name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `path` joined to `base` when relative, with `.` and `..` resolved
/// lexically (symbolic links are not followed).
pub fn absolute(base: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in base.join(path).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

/// Whether `policy` grants `path` for reading (and executing), or for
/// writing when `write`.
pub fn granted(policy: &Policy, path: &Path, write: bool) -> bool {
    let within = |roots: &[PathBuf]| roots.iter().any(|r| path.starts_with(r));
    within(&policy.write) || !write && within(&policy.read)
}

/// The open flags that ask for writing: `O_WRONLY`, `O_RDWR`, `O_CREAT`,
/// `O_TRUNC`.
pub fn writes(flags: u64) -> bool {
    let f = flags & 0xffff_ffff;
    f & 0b11 != 0 || f & 0o100 != 0 || f & 0o1000 != 0
}

/// A socket address as the step passed it: `ADDRESS:PORT`, `[V6]:PORT`,
/// `unix:PATH` or `unix:@ABSTRACT`.
pub fn sockaddr(bytes: &[u8]) -> String {
    let Some(family) = bytes.get(..2).map(|b| u16::from_ne_bytes([b[0], b[1]])) else {
        return "(no address)".into();
    };
    let port = || bytes.get(2..4).map(|b| u16::from_be_bytes([b[0], b[1]]));
    match family {
        1 => {
            let path = bytes.get(2..).unwrap_or_default();
            if let Some(rest) = path.strip_prefix(b"\0") {
                let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
                format!("unix:@{}", String::from_utf8_lossy(&rest[..end]))
            } else {
                let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                format!("unix:{}", String::from_utf8_lossy(&path[..end]))
            }
        }
        2 => match (port(), bytes.get(4..8)) {
            (Some(p), Some(a)) => format!("{}.{}.{}.{}:{p}", a[0], a[1], a[2], a[3]),
            _ => "inet (short address)".into(),
        },
        10 => match (port(), bytes.get(8..24)) {
            (Some(p), Some(a)) => {
                let mut octets = [0u8; 16];
                octets.copy_from_slice(a);
                format!("[{}]:{p}", std::net::Ipv6Addr::from(octets))
            }
            _ => "inet6 (short address)".into(),
        },
        other => format!("family {other}"),
    }
}

/// A socket's family, type and protocol in words, e.g. `inet/dgram`.
pub fn socket_kind(family: u64, kind: u64, protocol: u64) -> String {
    let family = match family & 0xffff_ffff {
        1 => "unix".to_owned(),
        2 => "inet".to_owned(),
        10 => "inet6".to_owned(),
        16 => "netlink".to_owned(),
        17 => "packet".to_owned(),
        40 => "vsock".to_owned(),
        f => format!("family {f}"),
    };
    let kind = match kind & 0xf {
        1 => "stream".to_owned(),
        2 => "dgram".to_owned(),
        3 => "raw".to_owned(),
        5 => "seqpacket".to_owned(),
        k => format!("type {k}"),
    };
    match protocol & 0xffff_ffff {
        0 => format!("{family}/{kind}"),
        p => format!("{family}/{kind} protocol {p}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enforce::Net;

    #[test]
    fn addresses_in_words() {
        let mut v4 = vec![2, 0, 0x11, 0x5c, 127, 0, 0, 1];
        v4.extend([0; 8]);
        assert_eq!(sockaddr(&v4), "127.0.0.1:4444");
        let mut v6 = vec![10, 0, 0, 53, 0, 0, 0, 0];
        v6.extend([0; 15]);
        v6.push(1);
        assert_eq!(sockaddr(&v6), "[::1]:53");
        let mut unix = vec![1, 0];
        unix.extend(b"/var/run/docker.sock\0junk");
        assert_eq!(sockaddr(&unix), "unix:/var/run/docker.sock");
        assert_eq!(sockaddr(b"\x01\0\0hidden"), "unix:@hidden");
        assert_eq!(sockaddr(b"\x02\0"), "inet (short address)");
        assert_eq!(sockaddr(b""), "(no address)");
        assert_eq!(socket_kind(2, 0x80802, 0), "inet/dgram");
        assert_eq!(socket_kind(16, 3, 9), "netlink/raw protocol 9");
    }

    #[test]
    fn credential_places() {
        for p in [
            "/root/.ssh/id_rsa",
            "/home/a/.aws/credentials",
            "/home/a/.kube/config",
            "/var/run/secrets/kubernetes.io/serviceaccount/token",
            "/etc/shadow",
            "/srv/app/.env",
            "/proc/1/environ",
            "/etc/ssl/private/server.key",
            "/etc/ssl/private/server.pem",
            "/srv/tls/api-key.pem",
            "/root/.ssh",
        ] {
            assert!(is_credential(p), "{p}");
        }
        for p in [
            "/usr/lib/python3.11/os.py",
            "/data/in.jsonl",
            "/etc/hosts",
            "/srv/.envoy",
        ] {
            assert!(!is_credential(p), "{p}");
        }
    }

    #[test]
    fn paths_resolve_lexically_and_policy_grants_by_prefix() {
        assert_eq!(
            absolute(Path::new("/work/a"), Path::new("../b/./c")),
            PathBuf::from("/work/b/c")
        );
        assert_eq!(
            absolute(Path::new("/x"), Path::new("/etc/../root")),
            PathBuf::from("/root")
        );
        let policy = Policy {
            read: vec!["/usr".into(), "/data/in".into()],
            write: vec!["/data/out".into()],
            net: Net::None,
            allow_degraded: false,
            observe: true,
        };
        assert!(granted(&policy, Path::new("/usr/lib/x"), false));
        assert!(!granted(&policy, Path::new("/usr/lib/x"), true));
        assert!(granted(&policy, Path::new("/data/out/f"), true));
        assert!(!granted(&policy, Path::new("/data/input"), false));
        assert!(writes(0o1101) && writes(2) && !writes(0o2_000_000));
    }

    #[test]
    fn log_counts_and_bounds() {
        let mut log = Log::default();
        log.record("open", "/a".into(), "credential", true, 7);
        log.record("open", "/a".into(), "credential", true, 8);
        for i in 0..MAX_ATTEMPTS + 5 {
            log.record("connect", format!("10.0.0.1:{i}"), "network", true, 7);
        }
        let o = log.finish();
        assert_eq!(o.attempts[0].count, 2);
        assert_eq!(o.attempts[0].pid, 7);
        assert_eq!(o.attempts.len(), MAX_ATTEMPTS);
        assert_eq!(o.dropped, 6);
    }
}
