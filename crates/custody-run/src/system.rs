//! The system paths every step may use, and the secrets among them it
//! may not: `/etc` is granted entry by entry, without password hashes,
//! host keys, TLS private keys, keytabs and the credentials of clusters,
//! VPNs and package indexes.

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
    "/opt",
    "/dev/urandom",
    "/dev/random",
    "/dev/zero",
];
/// Files every step may write.
pub const WRITE: &[&str] = &["/dev/null"];

/// Entries of `/etc` no step may read.
pub const ETC_SECRETS: &[&str] = &[
    "shadow",
    "shadow-",
    "gshadow",
    "gshadow-",
    "ssh",
    "sudoers",
    "sudoers.d",
    "security",
    "krb5.keytab",
    "kubernetes",
    "rancher",
    "openvpn",
    "wireguard",
    "NetworkManager",
    "ppp",
    "credstore",
    "credstore.encrypted",
    "docker",
    "ipsec.secrets",
    "ipsec.d",
    "letsencrypt",
    "pip.conf",
    "npmrc",
    "netrc",
    ".pwd.lock",
];
/// Folders granted without their `private` subfolder.
const WITH_PRIVATE: &[&str] = &["ssl", "pki"];

/// The read-only system paths, with `/etc` (at `etc`) as its entries
/// minus [`ETC_SECRETS`].
pub fn read(etc: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = READ.iter().map(PathBuf::from).collect();
    let mut granted = grant(etc, true);
    granted.sort();
    out.extend(granted);
    out
}

/// `dir`'s entries, descending into any that holds a `private` folder (and,
/// at the top, into [`WITH_PRIVATE`]), and leaving out every `private`
/// below the top and every [`ETC_SECRETS`] entry at it.
fn grant(dir: &Path, top: bool) -> Vec<PathBuf> {
    let Ok(list) = fs_err::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in list.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let refused = if top {
            ETC_SECRETS.contains(&name)
        } else {
            name == "private"
        };
        if refused {
            continue;
        }
        let path = entry.path();
        if top && WITH_PRIVATE.contains(&name) || path.join("private").is_dir() {
            out.extend(grant(&path, false));
        } else {
            out.push(path);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
    use super::*;

    #[test]
    fn etc_is_granted_without_its_secrets() {
        let etc = tempfile::tempdir().unwrap();
        let e = etc.path();
        for f in ["hosts", "passwd", "shadow", "pip.conf"] {
            std::fs::write(e.join(f), "x").unwrap();
        }
        for d in [
            "ssh",
            "ssl/certs",
            "ssl/private",
            "pki/tls/certs",
            "pki/tls/private",
            "python3",
        ] {
            std::fs::create_dir_all(e.join(d)).unwrap();
        }
        let got: Vec<String> = read(e)
            .iter()
            .filter_map(|p| p.strip_prefix(e).ok())
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            got,
            ["hosts", "passwd", "pki/tls/certs", "python3", "ssl/certs"]
        );
    }
}
