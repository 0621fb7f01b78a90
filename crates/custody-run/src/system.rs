//! The system paths every step may use. `/etc` is an allow-list of what
//! programs need to start and run (the loader's cache, locale and time
//! zone, resolver configuration, users and groups without their password
//! hashes, certificates without private keys, Python's own settings):
//! every other entry, a runner's or package manager's credentials among
//! them (`apt/auth.conf.d`, `gitlab-runner`, `pip.conf`, `postgresql`),
//! stays closed. `/opt` and HOME are not granted; an interpreter's prefix
//! is granted only for a real interpreter (see [`crate::run`]).

use std::path::{Path, PathBuf};

/// System folders every step may read (and execute from); `/etc` is
/// added by [`read`], entry by entry.
const READ: &[&str] = &[
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/bin",
    "/sbin",
    "/dev/urandom",
    "/dev/random",
    "/dev/zero",
];
/// Files every step may write.
pub const WRITE: &[&str] = &["/dev/null"];

/// Entries of `/etc` a step may read, and why.
pub const ETC: &[(&str, &str)] = &[
    ("ld.so.cache", "the dynamic loader"),
    ("ld.so.conf", "the dynamic loader"),
    ("ld.so.conf.d", "the dynamic loader"),
    ("ld.so.preload", "the dynamic loader"),
    ("locale.alias", "locale"),
    ("locale.conf", "locale"),
    ("default/locale", "locale"),
    ("localtime", "time zone"),
    ("timezone", "time zone"),
    ("nsswitch.conf", "name service order"),
    ("host.conf", "resolver"),
    ("hosts", "resolver"),
    ("resolv.conf", "resolver"),
    ("gai.conf", "resolver"),
    ("services", "port names"),
    ("protocols", "protocol names"),
    ("networks", "network names"),
    ("rpc", "RPC names"),
    ("ethertypes", "ethernet type names"),
    ("passwd", "user names (password hashes are in shadow)"),
    ("group", "group names (gshadow stays closed)"),
    ("hostname", "the host's name"),
    ("os-release", "the system's release (Python's platform)"),
    ("debian_version", "the system's release"),
    ("lsb-release", "the system's release"),
    ("mime.types", "file types (Python's mimetypes)"),
    ("magic", "file types (libmagic)"),
    ("magic.mime", "file types (libmagic)"),
    ("ssl", "certificates and OpenSSL settings, without private/"),
    ("ca-certificates", "certificates"),
    ("ca-certificates.conf", "certificates"),
    ("pki", "certificates, without private/"),
    ("crypto-policies", "TLS settings"),
    ("alternatives", "links to the chosen programs"),
    ("python3", "Debian's Python settings (sitecustomize)"),
    ("fonts", "fontconfig (plots)"),
    ("matplotlibrc", "matplotlib's settings"),
    ("terminfo", "terminal descriptions"),
    ("inputrc", "readline"),
    ("shells", "the list of shells"),
];

/// Entries of `/etc` named by a prefix (`python3.11`, ...).
const ETC_PREFIXES: &[&str] = &["python3."];

/// Granted entries that keep private keys in a `private` folder below
/// (`ssl/private`, `pki/tls/private`): only these are searched for one.
const WITH_PRIVATE: &[&str] = &["ssl", "pki"];

/// The read-only system paths, with `/etc` (at `etc`) as the entries of
/// [`ETC`] that exist, folders holding a `private` folder without it.
pub fn read(etc: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = READ.iter().map(PathBuf::from).collect();
    let mut granted: Vec<PathBuf> = ETC
        .iter()
        .map(|(name, _)| etc.join(name))
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if let Ok(list) = fs_err::read_dir(etc) {
        for e in list.flatten() {
            let name = e.file_name();
            if name
                .to_str()
                .is_some_and(|n| ETC_PREFIXES.iter().any(|p| n.starts_with(p)))
            {
                granted.push(e.path());
            }
        }
    }
    let mut expanded: Vec<PathBuf> = granted
        .into_iter()
        .flat_map(|p| {
            let keeps_keys = p
                .strip_prefix(etc)
                .ok()
                .and_then(|r| r.iter().next())
                .is_some_and(|top| WITH_PRIVATE.iter().any(|w| top == *w));
            if keeps_keys {
                without_private(p)
            } else {
                vec![p]
            }
        })
        .collect();
    expanded.sort();
    out.extend(expanded);
    out
}

/// `path`, or, when it is a folder holding a `private` folder somewhere
/// below, its entries without any `private`.
fn without_private(path: PathBuf) -> Vec<PathBuf> {
    if !path.is_dir() || !holds_private(&path) {
        return vec![path];
    }
    let Ok(list) = fs_err::read_dir(&path) else {
        return Vec::new();
    };
    list.flatten()
        .filter(|e| e.file_name() != "private")
        .flat_map(|e| without_private(e.path()))
        .collect()
}

fn holds_private(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .max_depth(4)
        .follow_links(false)
        .into_iter()
        .flatten()
        .any(|e| e.file_type().is_dir() && e.file_name() == "private")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
    use super::*;

    #[test]
    fn etc_is_an_allow_list() {
        let etc = tempfile::tempdir().unwrap();
        let e = etc.path();
        for f in [
            "hosts",
            "passwd",
            "shadow",
            "pip.conf",
            "pg_hba.conf",
            "login.defs",
        ] {
            std::fs::write(e.join(f), "x").unwrap();
        }
        for d in [
            "ssh",
            "ssl/certs",
            "ssl/private",
            "pki/tls/certs",
            "pki/tls/private",
            "python3",
            "python3.11",
            "apt/auth.conf.d",
            "gitlab-runner",
            "postgresql/15/main",
        ] {
            std::fs::create_dir_all(e.join(d)).unwrap();
        }
        std::fs::write(e.join("ssl/openssl.cnf"), "x").unwrap();
        let got: Vec<String> = read(e)
            .iter()
            .filter_map(|p| p.strip_prefix(e).ok())
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            got,
            [
                "hosts",
                "passwd",
                "pki/tls/certs",
                "python3",
                "python3.11",
                "ssl/certs",
                "ssl/openssl.cnf"
            ]
        );
        assert!(!read(e).iter().any(|p| p == Path::new("/opt")));
    }
}
