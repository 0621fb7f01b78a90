//! Pure descriptions of what a step aimed at: which paths are usual
//! places of secrets, what a policy grants, socket addresses and kinds in
//! words, and a path as the record shows it.
//!
//! A step chooses the paths it tries, so a path could carry data out
//! through the signed record (a covert channel). The record therefore
//! names in full only what exists outside the step's writable places
//! (real files the step did not make); of the rest it keeps the longest
//! existing folder and, of the missing or step-made part, only names from
//! a fixed vocabulary of secrets' places (`.ssh`, `credentials`, ...),
//! writing `…` for anything else.

use std::path::{Component, Path, PathBuf};

use crate::enforce::Policy;

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
    "/credentials.json",
    "/service-account.json",
    "/service_account.json",
    "/application_default_credentials.json",
    "/.envrc",
    "/npmrc",
    "/.boto",
    "/.s3cfg",
    "/.my.cnf",
    "/kubeconfig",
    "/id_rsa",
    "/id_dsa",
    "/id_ecdsa",
    "/id_ed25519",
];
/// File endings of private keys and key stores. A `.pem` counts only when
/// its name or folder says it holds a key: most are public certificates.
const CREDENTIAL_ENDINGS: &[&str] = &[".key", ".p12", ".pfx", ".pem", "wallet.dat"];

/// Names kept verbatim in the part of a path that does not exist or that
/// the step made: the places of [`CREDENTIAL_PARTS`] and the files
/// collectors look for in them.
const VOCABULARY: &[&str] = &[
    ".ssh",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "authorized_keys",
    "known_hosts",
    "config",
    "ssh",
    "ssh_host_rsa_key",
    "ssh_host_ecdsa_key",
    "ssh_host_ed25519_key",
    ".git-credentials",
    ".gitconfig",
    ".aws",
    "credentials",
    ".config",
    "gcloud",
    "application_default_credentials.json",
    "credentials.db",
    "access_tokens.db",
    ".azure",
    "accessTokens.json",
    ".kube",
    "var",
    "run",
    "secrets",
    "kubernetes.io",
    "serviceaccount",
    "token",
    "ca.crt",
    "namespace",
    ".docker",
    "config.json",
    ".npmrc",
    ".pypirc",
    ".vault-token",
    ".netrc",
    ".pgpass",
    "etc",
    "shadow",
    "gshadow",
    ".bash_history",
    ".zsh_history",
    ".psql_history",
    ".mysql_history",
    ".python_history",
    "terraform.tfstate",
    ".gnupg",
    "proc",
    "self",
    "environ",
    ".env",
    ".env.local",
    ".env.production",
    "home",
    "root",
    "tmp",
    "opt",
    "srv",
    "app",
    "data",
    "wallet.dat",
    "nscd",
    "socket",
    "service-account.json",
    "service_account.json",
    ".envrc",
    "npmrc",
    ".boto",
    ".s3cfg",
    ".my.cnf",
    "kubeconfig",
    "memfd",
];

/// Whether `path` (absolute) is a usual place of a secret.
pub fn is_credential(path: &str) -> bool {
    let ending = |e: &&str| path.ends_with(*e);
    CREDENTIAL_PARTS
        .iter()
        .any(|p| path.contains(p) || p.ends_with('/') && path.ends_with(&p[..p.len() - 1]))
        || CREDENTIAL_ENDINGS
            .iter()
            .filter(|e| **e != ".pem")
            .any(ending)
        || path.ends_with(".pem") && (path.contains("/private/") || name(path).contains("key"))
        || path.starts_with("/proc/") && path.ends_with("/environ")
        || name(path) == ".env"
        || name(path).starts_with(".env.")
}

/// The place of secrets `path` matched (for folding attempts past their
/// budget): one of a small fixed set.
pub fn credential_place(path: &str) -> String {
    if let Some(p) = CREDENTIAL_PARTS.iter().find(|p| path.contains(*p)) {
        return (*p).to_owned();
    }
    if let Some(e) = CREDENTIAL_ENDINGS.iter().find(|e| path.ends_with(*e)) {
        return format!("*{e}");
    }
    if path.starts_with("/proc/") {
        return "/proc/*/environ".to_owned();
    }
    ".env*".to_owned()
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

/// The step's writable places, each with the label the record shows for
/// it (`$HOME`, `$TMPDIR`, or the output's own path).
#[derive(Debug, Clone, Default)]
pub struct Places {
    /// (root, label), longest root first.
    pub writable: Vec<(PathBuf, String)>,
}

impl Places {
    /// The places, sorted so that a nested root is tried first.
    pub fn new(mut writable: Vec<(PathBuf, String)>) -> Self {
        writable.sort_by_key(|(p, _)| std::cmp::Reverse(p.as_os_str().len()));
        Self { writable }
    }
}

/// `path` as the record shows it, and whether it names a real file
/// outside the step's writable places (see the module documentation).
/// `exists` tells whether a path exists (injected for tests).
pub fn path(path: &Path, places: &Places, exists: &dyn Fn(&Path) -> bool) -> (String, bool) {
    let raw = |p: &Path| crate::text::escape(p.as_os_str().as_encoded_bytes());
    let (base, rest) = if let Some((root, label)) = places
        .writable
        .iter()
        .find(|(root, _)| path.starts_with(root))
    {
        (label.clone(), path.strip_prefix(root).unwrap_or(path))
    } else if exists(path) {
        return (raw(path), true);
    } else {
        let base = path
            .ancestors()
            .skip(1)
            .find(|a| exists(a))
            .unwrap_or(Path::new("/"));
        (raw(base), path.strip_prefix(base).unwrap_or(path))
    };
    let mut out = base.trim_end_matches('/').to_owned();
    let mut last_hidden = false;
    for c in rest.components() {
        let Component::Normal(n) = c else { continue };
        let n = n.to_string_lossy();
        if VOCABULARY.contains(&n.as_ref()) {
            out.push('/');
            out.push_str(&n);
            last_hidden = false;
            continue;
        }
        let ending = CREDENTIAL_ENDINGS.iter().find(|e| n.ends_with(**e));
        if last_hidden && ending.is_none() {
            continue;
        }
        out.push_str("/…");
        if let Some(e) = ending {
            out.push_str(e);
        }
        last_hidden = ending.is_none();
    }
    if out.is_empty() {
        out.push('/');
    }
    (out, false)
}

/// A socket address as the step passed it: `ADDRESS:PORT`, `[V6]:PORT`,
/// `unix:PATH` (the path as [`path`] shows it, through `unix_path`) or
/// `unix:@…` (an abstract name, which the step chose: not kept).
pub fn sockaddr(bytes: &[u8], unix_path: &dyn Fn(&Path) -> String) -> String {
    let Some(family) = bytes.get(..2).map(|b| u16::from_ne_bytes([b[0], b[1]])) else {
        return "(no address)".into();
    };
    let port = || bytes.get(2..4).map(|b| u16::from_be_bytes([b[0], b[1]]));
    match family {
        1 => {
            let path = bytes.get(2..).unwrap_or_default();
            if path.first() == Some(&0) {
                "unix:@…".to_owned()
            } else {
                let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                let p = Path::new(
                    <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&path[..end]),
                );
                format!("unix:{}", unix_path(p))
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

/// `ioctl` requests worth naming when refused.
const IOCTL_NAMES: &[(u64, &str)] = &[
    (0x5402, "TCSETS"),
    (0x5403, "TCSETSW"),
    (0x5404, "TCSETSF"),
    (0x540e, "TIOCSCTTY"),
    (0x5412, "TIOCSTI"),
    (0x5414, "TIOCSWINSZ"),
    (0x541c, "TIOCLINUX"),
    (0x541d, "TIOCCONS"),
    (0x4004_9409, "FICLONE"),
    (0x4020_940d, "FICLONERANGE"),
];

/// What a refused system call aimed at, from its register arguments:
/// the ioctl request, the kind of node, the mode, the namespaces asked
/// for. Empty when its name says it all.
pub fn refused(call: &str, a: &[u64; 6]) -> String {
    let mode = |m: u64| {
        let m = m & 0o177_777;
        match m & 0o170_000 {
            0o060_000 => "block device".to_owned(),
            0o020_000 => "character device".to_owned(),
            0o140_000 => "socket".to_owned(),
            _ if m & 0o6000 != 0 => format!("set-ID mode {:o}", m & 0o7777),
            _ => format!("mode {:o}", m & 0o7777),
        }
    };
    match call {
        "ioctl" => {
            let req = a[1] & 0xffff_ffff;
            IOCTL_NAMES
                .iter()
                .find(|(r, _)| *r == req)
                .map_or_else(|| format!("request {req:#x}"), |(_, n)| (*n).to_owned())
        }
        "mknod" | "chmod" | "fchmod" | "creat" | "mkdir" => mode(a[1]),
        "mknodat" | "fchmodat" | "fchmodat2" | "open" | "mkdirat" => mode(a[2]),
        "openat" => mode(a[3]),
        "clone" => format!(
            "namespaces {:#x}",
            a[0] & crate::filter::args::CLONE_NAMESPACES
        ),
        "prlimit64" | "setpriority" => "another process".to_owned(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests;
