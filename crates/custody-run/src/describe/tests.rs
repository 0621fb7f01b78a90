use super::*;
use crate::enforce::Net;

fn none(_: &Path) -> String {
    "?".into()
}

#[test]
fn addresses_in_words() {
    let mut v4 = vec![2, 0, 0x11, 0x5c, 127, 0, 0, 1];
    v4.extend([0; 8]);
    assert_eq!(sockaddr(&v4, &none), "127.0.0.1:4444");
    let mut v6 = vec![10, 0, 0, 53, 0, 0, 0, 0];
    v6.extend([0; 15]);
    v6.push(1);
    assert_eq!(sockaddr(&v6, &none), "[::1]:53");
    let mut unix = vec![1, 0];
    unix.extend(b"/var/run/docker.sock\0junk");
    let shown = |p: &Path| p.display().to_string();
    assert_eq!(sockaddr(&unix, &shown), "unix:/var/run/docker.sock");
    assert_eq!(sockaddr(b"\x01\0\0hidden", &none), "unix:@…");
    assert_eq!(sockaddr(b"\x02\0", &none), "inet (short address)");
    assert_eq!(sockaddr(b"", &none), "(no address)");
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
        "/srv/app/credentials.json",
        "/srv/app/service-account.json",
        "/srv/app/.envrc",
        "/usr/local/etc/npmrc",
        "/backup/id_ed25519",
    ] {
        assert!(is_credential(p), "{p}");
    }
    for p in [
        "/usr/lib/python3.11/os.py",
        "/data/in.jsonl",
        "/etc/hosts",
        "/srv/.envoy",
        "/etc/ssl/certs/ca.pem",
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
        namespaces: true,
    };
    assert!(granted(&policy, Path::new("/usr/lib/x"), false));
    assert!(!granted(&policy, Path::new("/usr/lib/x"), true));
    assert!(granted(&policy, Path::new("/data/out/f"), true));
    assert!(!granted(&policy, Path::new("/data/input"), false));
    assert!(writes(0o1101) && writes(2) && !writes(0o2_000_000));
}

/// A file system of a few real paths.
fn real(p: &Path) -> bool {
    [
        "/",
        "/home",
        "/home/ci",
        "/home/ci/.ssh",
        "/home/ci/.ssh/id_rsa",
        "/etc",
        "/etc/shadow",
    ]
    .iter()
    .any(|r| Path::new(r) == p)
}

fn places() -> Places {
    Places::new(vec![
        ("/tmp/custody-run-x/home".into(), "$HOME".into()),
        ("/tmp/custody-run-x/tmp".into(), "$TMPDIR".into()),
        ("/data/out".into(), "/data/out".into()),
    ])
}

fn shown(p: &str) -> (String, bool) {
    path(Path::new(p), &places(), &real)
}

#[test]
fn real_files_are_named_in_full() {
    assert_eq!(
        shown("/home/ci/.ssh/id_rsa"),
        ("/home/ci/.ssh/id_rsa".into(), true)
    );
    assert_eq!(shown("/etc/shadow"), ("/etc/shadow".into(), true));
}

#[test]
fn missing_and_step_made_parts_keep_only_known_names() {
    // A collector's usual guesses read as they are.
    assert_eq!(
        shown("/home/ci/.aws/credentials"),
        ("/home/ci/.aws/credentials".into(), false)
    );
    assert_eq!(
        shown("/tmp/custody-run-x/home/.ssh/id_rsa"),
        ("$HOME/.ssh/id_rsa".into(), false)
    );
    // Data hidden in names the step chose does not reach the record.
    let secret = "4142434445464748495051525354555657585960616263646566676869707172";
    assert_eq!(
        shown(&format!("/home/ci/.ssh/{secret}")),
        ("/home/ci/.ssh/…".into(), false)
    );
    assert_eq!(
        shown(&format!("/nope/{secret}/{secret}/x/{secret}.key")),
        ("/…/….key".into(), false)
    );
    assert_eq!(
        shown(&format!("/tmp/custody-run-x/tmp/{secret}/.env")),
        ("$TMPDIR/…/.env".into(), false)
    );
    assert_eq!(
        shown("/data/out/part-0001.parquet"),
        ("/data/out/…".into(), false)
    );
    assert_eq!(shown("/data/out"), ("/data/out".into(), false));
    // Control characters never survive, even in a real folder's name.
    assert_eq!(
        path(Path::new("/\x1b[2J"), &places(), &|_| true),
        ("/\\x1b[2J".into(), true)
    );
}

#[test]
fn refused_calls_in_words() {
    let a = |v: &[u64]| {
        let mut out = [0u64; 6];
        out[..v.len()].copy_from_slice(v);
        out
    };
    assert_eq!(refused("ioctl", &a(&[0, 0x5412])), "TIOCSTI");
    assert_eq!(refused("ioctl", &a(&[0, 0xffff_ffff_0000_5412])), "TIOCSTI");
    assert_eq!(refused("ioctl", &a(&[0, 0x1234])), "request 0x1234");
    assert_eq!(refused("mknodat", &a(&[0, 0, 0o060_600])), "block device");
    assert_eq!(refused("chmod", &a(&[0, 0o4755])), "set-ID mode 4755");
    assert_eq!(
        refused("openat", &a(&[0, 0, 0o101, 0o2755])),
        "set-ID mode 2755"
    );
    assert_eq!(
        refused("clone", &a(&[0x1000_0011])),
        "namespaces 0x10000000"
    );
    assert_eq!(refused("shmget", &a(&[])), "");
}
