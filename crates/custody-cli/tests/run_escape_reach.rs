//! `custody run`: what a hostile step can reach. Reads are granted as
//! narrowly as the policy says; no network, no datagram to a daemon's
//! socket, no other process. Each probe runs once plainly (the control
//! shows it works there) and once under custody; the suite runs again as
//! `nobody` when root.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::net::UdpSocket;
use std::os::unix::net::{UnixDatagram, UnixListener};
use std::process::Command;

use common::sandbox::{
    FAKE_KEY, PRELUDE, PY, World, attempt, attempts, byproduct, is_root, probe, rerun_as_nobody,
};

/// A probe script that reads `path`, run as a program of its own.
fn reader_script(path: &str) -> String {
    format!("#!{PY} -IS\n{PRELUDE}\nattempt('read', lambda: print(open({path:?}).read()))\n")
}

fn executable(p: &std::path::Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
    common::sandbox::mode(p, 0o755);
}

/// Runs `custody run --attest ... -- ARGV` from `cwd`.
fn custody_in(w: &World, cwd: &std::path::Path, argv: &[&str]) -> (common::Run, serde_json::Value) {
    let att = w.s("att.json");
    let _ = std::fs::remove_file(&att);
    let r = common::run(
        w.custody()
            .current_dir(cwd)
            .args(["run", "--attest", &att, "--"])
            .args(argv),
    );
    let st = w.statement();
    (r, st)
}

/// Item 6: the command's folder is not granted (a step started as
/// `./step.py` next to `lab.key` read the signing key), nor HOME for a
/// program in `~/bin` beside `~/lib`.
#[test]
fn the_commands_folder_and_home_are_not_granted() {
    let w = World::new();
    let lab = w.p("lab");
    std::fs::create_dir_all(&lab).unwrap();
    std::fs::write(lab.join("lab.key"), FAKE_KEY).unwrap();
    executable(&lab.join("step.py"), &reader_script("lab.key"));
    let control = common::run(Command::new("./step.py").current_dir(&lab));
    assert_eq!(probe(&control, "read"), "ok");
    let (r, st) = custody_in(&w, &lab, &["./step.py"]);
    assert_eq!(probe(&r, "read"), "err EACCES", "{}", r.stderr);
    assert!(!r.stdout.contains(FAKE_KEY));
    let key = lab.join("lab.key");
    let a = attempt(&st, "open", key.to_str().unwrap());
    assert_eq!(
        (a["reason"].as_str(), a["outcome"].as_str()),
        (Some("credential"), Some("denied"))
    );

    let home = w.p("home");
    std::fs::create_dir_all(home.join("lib")).unwrap();
    let cred = home.join(".aws/credentials");
    std::fs::create_dir_all(cred.parent().unwrap()).unwrap();
    std::fs::write(&cred, FAKE_KEY).unwrap();
    let tool = home.join("bin/tool");
    executable(&tool, &reader_script(cred.to_str().unwrap()));
    let control = common::run(&mut Command::new(&tool));
    assert_eq!(probe(&control, "read"), "ok");
    let (r, st) = custody_in(&w, w.dir.path(), &[tool.to_str().unwrap()]);
    assert_eq!(probe(&r, "read"), "err EACCES", "{}", r.stderr);
    let a = attempt(&st, "open", cred.to_str().unwrap());
    assert_eq!(a["outcome"], "denied");
    let policy = &st["predicate"]["buildDefinition"]["internalParameters"]["policy"]["read"];
    let read: Vec<&str> = policy
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(!read.contains(&home.to_str().unwrap()), "{read:?}");
    assert!(
        read.contains(&tool.to_str().unwrap()),
        "the executable itself: {read:?}"
    );
    assert!(!read.contains(&"/opt"), "{read:?}");
}

/// Item 6: `/etc` is an allow-list (a runner's and a package manager's
/// credentials stay closed) and `/opt` is not granted.
#[test]
fn etc_and_opt_are_closed_but_for_what_programs_need() {
    let w = World::new();
    let mut planted = Vec::new();
    if is_root() {
        let id = std::process::id();
        for p in [
            format!("/etc/apt/auth.conf.d/custody-test-{id}.conf"),
            format!("/opt/custody-test-{id}/token"),
        ] {
            std::fs::create_dir_all(std::path::Path::new(&p).parent().unwrap()).unwrap();
            std::fs::write(&p, FAKE_KEY).unwrap();
            common::sandbox::mode(std::path::Path::new(&p), 0o644);
            planted.push(p);
        }
    }
    let mut targets = vec!["/etc/login.defs".to_owned()];
    targets.extend(planted.iter().cloned());
    if is_root() && std::path::Path::new("/etc/postgresql").is_dir() {
        targets.extend(
            walkdir::WalkDir::new("/etc/postgresql")
                .into_iter()
                .flatten()
                .filter(|e| e.file_name() == "pg_hba.conf")
                .map(|e| e.path().display().to_string())
                .take(1),
        );
    }
    let code: String = targets
        .iter()
        .enumerate()
        .map(|(i, t)| format!("attempt('etc{i}', lambda: open({t:?}).read())\n"))
        .chain(["attempt('hosts', lambda: open('/etc/hosts').read())\n".to_owned()])
        .collect();
    let control = w.control(&code);
    let (r, st) = w.sandboxed(&[], &code);
    for (i, t) in targets.iter().enumerate() {
        let what = format!("etc{i}");
        assert_eq!(probe(&control, &what), "ok", "control {t}");
        assert_eq!(probe(&r, &what), "err EACCES", "{t}: {}", r.stderr);
        let a = attempt(&st, "open", t);
        assert_eq!(a["outcome"], "denied", "{t}");
    }
    assert_eq!(probe(&r, "hosts"), "ok", "what programs need stays");
    for p in planted {
        let _ = std::fs::remove_file(&p);
    }
    if is_root() {
        let _ = std::fs::remove_dir(format!("/opt/custody-test-{}", std::process::id()));
    }
}

/// UDP, TCP and a unix socket: each works plainly and is refused and
/// recorded with its destination under custody, with and without the
/// supervisor.
#[test]
fn no_network() {
    let w = World::new();
    let (port, got) = common::sandbox::tcp_listener();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_read_timeout(Some(std::time::Duration::from_millis(500)))
        .unwrap();
    let udp_port = udp.local_addr().unwrap().port();
    let sock = w.p("daemon.sock");
    let _unix = UnixListener::bind(&sock).unwrap();
    let code = format!(
        r#"
def udp():
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"UDP", ("127.0.0.1", {udp_port}))
attempt("udp", udp)
attempt("tcp", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3).sendall(b"TCP"))
def unix():
    s = socket.socket(socket.AF_UNIX)
    s.connect({sock:?})
attempt("unix", unix)
"#,
        sock = sock.to_str().unwrap()
    );
    let control = w.control(&code);
    for p in ["udp", "tcp", "unix"] {
        assert_eq!(probe(&control, p), "ok", "control {p}");
    }
    let mut buf = [0u8; 16];
    assert_eq!(
        udp.recv(&mut buf).unwrap(),
        3,
        "control: the datagram arrived"
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(
        got.lock().unwrap().as_slice(),
        b"TCP",
        "control: TCP arrived"
    );
    got.lock().unwrap().clear();
    for extra in [&[][..], &["--no-observe"][..]] {
        let (r, st) = w.sandboxed(extra, &code);
        for p in ["udp", "tcp", "unix"] {
            assert_eq!(probe(&r, p), "err EPERM", "{p} {extra:?}: {}", r.stderr);
        }
        if extra.is_empty() {
            assert_eq!(attempt(&st, "socket", "inet/dgram")["reason"], "network");
            assert_eq!(
                attempt(&st, "connect", &format!("127.0.0.1:{port}"))["outcome"],
                "denied"
            );
            attempt(&st, "connect", &format!("unix:{}", sock.display()));
        } else {
            assert!(attempts(&st).is_empty());
            assert!(byproduct(&st, "attempts")["note"].is_string());
        }
    }
    assert!(
        udp.recv(&mut buf).is_err(),
        "no datagram reached the listener"
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(
        got.lock().unwrap().is_empty(),
        "nothing reached the listener"
    );
}

/// A real name lookup (getaddrinfo through the system's resolver) reaches
/// a DNS server on 127.0.0.1:53 plainly, and nothing under custody. Both
/// run in a user, network and mount namespace of the test's own, where
/// /etc/resolv.conf names that server.
#[test]
fn dns_lookups_do_not_leave() {
    let w = World::new();
    std::fs::write(
        w.p("resolv.conf"),
        "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    )
    .unwrap();
    let server = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
open(sys.argv[1] + ".ready", "w").close()
s.settimeout(8)
try:
    data, _ = s.recvfrom(512)
    open(sys.argv[1], "wb").write(data)
except OSError:
    pass
"#;
    std::fs::write(w.p("dns.py"), server).unwrap();
    let name = format!("exfil-{}.custody-test.example", std::process::id());
    let code = format!("attempt('lookup', lambda: socket.getaddrinfo({name:?}, 443))\n");
    std::fs::write(w.p("probe.py"), format!("{PRELUDE}{code}")).unwrap();
    let custody = common::custody_bin();
    let script = |inner: &str| {
        format!(
            "{ip} link set lo up && mount --bind {resolv} /etc/resolv.conf && \
             ({PY} -I -S {dns} {heard} &) && \
             for i in $(seq 200); do [ -e {heard}.ready ] && break; sleep 0.05; done && \
             rm {heard}.ready && {inner}",
            ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
                .into_iter()
                .find(|p| std::path::Path::new(p).exists())
                .unwrap_or("ip"),
            resolv = w.s("resolv.conf"),
            dns = w.s("dns.py"),
            heard = w.s("heard")
        )
    };
    let in_ns = |inner: &str| {
        common::run(
            Command::new("unshare")
                .args(["--user", "--map-root-user", "--net", "--mount", "sh", "-c"])
                .arg(script(inner))
                .current_dir(w.dir.path())
                .env("TMPDIR", w.p("tmp")),
        )
    };
    let control = in_ns(&format!("{PY} -I -S {}", w.s("probe.py")));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let heard = std::fs::read(w.p("heard")).unwrap_or_default();
    assert!(
        String::from_utf8_lossy(&heard).contains("custody-test"),
        "control: the query reached the server: {} {}",
        control.stdout,
        control.stderr
    );
    std::fs::remove_file(w.p("heard")).unwrap();
    let att = w.s("att.json");
    let r = in_ns(&format!(
        "{} run --attest {att} --input {probe} -- {PY} -I -S {probe}",
        custody.display(),
        probe = w.s("probe.py")
    ));
    assert!(
        probe(&r, "lookup").starts_with("err"),
        "{} {}",
        r.stdout,
        r.stderr
    );
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(!w.p("heard").exists(), "the server heard nothing");
    let st = w.statement();
    assert_eq!(attempt(&st, "socket", "inet/dgram")["outcome"], "denied");
}

/// Item 3: a pair of datagram sockets can send to any path socket (a
/// daemon outside: journald, /dev/log). Refused; a pair of stream sockets
/// (asyncio) still works.
#[test]
fn datagram_pairs_cannot_reach_a_daemon() {
    let w = World::new();
    let path = w.p("log.sock");
    let daemon = UnixDatagram::bind(&path).unwrap();
    common::sandbox::mode(&path, 0o777);
    daemon
        .set_read_timeout(Some(std::time::Duration::from_millis(500)))
        .unwrap();
    let code = format!(
        r#"
def dgram():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    a.sendmsg([b"SECRET"], [], 0, {p:?})
attempt("dgram-pair", dgram)
def stream():
    a, b = socket.socketpair()
    a.sendall(b"x")
    assert b.recv(1) == b"x"
attempt("stream-pair", stream)
"#,
        p = path.to_str().unwrap()
    );
    let control = w.control(&code);
    assert_eq!(probe(&control, "dgram-pair"), "ok");
    let mut buf = [0u8; 16];
    assert_eq!(
        daemon.recv(&mut buf).unwrap(),
        6,
        "control: the daemon heard it"
    );
    let (r, st) = w.sandboxed(&[], &code);
    assert_eq!(probe(&r, "dgram-pair"), "err EPERM", "{}", r.stderr);
    assert_eq!(probe(&r, "stream-pair"), "ok");
    assert!(daemon.recv(&mut buf).is_err(), "the daemon heard nothing");
    assert_eq!(
        attempt(&st, "socketpair", "unix/dgram")["reason"],
        "network"
    );
}

/// Other processes and the machine's private files: no ptrace of a
/// child, no /proc/self/fd, no /etc/shadow (readable only to root), no
/// write through a link the caller left in an output.
#[test]
fn no_other_process_and_no_way_out_of_the_output() {
    let w = World::new();
    let outside = w.p("outside.txt");
    std::fs::write(&outside, "outside").unwrap();
    std::os::unix::fs::symlink(&outside, w.p("out/link")).unwrap();
    let code = format!(
        r#"
import signal, time
pid = os.fork()
if pid == 0:
    time.sleep(30)
    os._exit(0)
call("ptrace", libc.ptrace(16, pid, None, None))
os.kill(pid, signal.SIGKILL)
attempt("proc-fd", lambda: os.listdir("/proc/self/fd"))
attempt("shadow", lambda: open("/etc/shadow").read())
attempt("through-link", lambda: open({l:?}, "w").write("pwned"))
"#,
        l = w.s("out/link")
    );
    let control = w.control(&code);
    for p in ["ptrace", "proc-fd", "through-link"] {
        assert_eq!(probe(&control, p), "ok", "control {p}");
    }
    if is_root() {
        assert_eq!(probe(&control, "shadow"), "ok");
    }
    std::fs::write(&outside, "outside").unwrap();
    let out = w.s("out");
    let (r, st) = w.sandboxed(&["--output", &out], &code);
    assert_eq!(probe(&r, "ptrace"), "err EPERM", "{}", r.stderr);
    assert_eq!(probe(&r, "proc-fd"), "err EACCES");
    assert_eq!(probe(&r, "shadow"), "err EACCES");
    // The file behind the link is on a read-only mount.
    assert_eq!(probe(&r, "through-link"), "err EROFS");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "outside");
    assert_eq!(attempt(&st, "ptrace", "")["reason"], "refused");
    assert_eq!(attempt(&st, "open", "/etc/shadow")["outcome"], "denied");
    // The link the caller left in the output is refused at the end.
    assert_eq!(r.code, 123, "{}", r.stderr);
}

#[test]
fn the_suite_passes_as_an_ordinary_user() {
    rerun_as_nobody("the_suite_passes_as_an_ordinary_user", 6);
}
