//! `custody run`: a hostile step cannot act on the machine's kernel state
//! from inside the sandbox: no terminal injection, no capabilities, no
//! SysV IPC, no attribute changes outside its writable paths, no opens by
//! handle. Each probe runs once plainly (the control shows it works there)
//! and once under custody; the suite runs again as `nobody` when root.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::os::unix::fs::MetadataExt as _;
use std::process::Command;

use common::sandbox::{World, attempt, attempts, byproduct, is_root, probe, rerun_as_nobody};

/// Runs `argv` with a new pseudo-terminal as its controlling terminal,
/// then a shell that reads one line from that terminal: what a caller's
/// shell would run once custody returned. Prints the terminal's output.
const PTY_DRIVER: &str = r#"
import os, select, sys
pid, fd = os.forkpty()
if pid == 0:
    os.execvp("bash", ["bash", "-c", '"$@"; IFS= read -r -t 2 line; echo "SHELL READ:[$line]"', "bash"] + sys.argv[1:])
out = b""
while True:
    try:
        r, _, _ = select.select([fd], [], [], 30)
        if not r:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        out += chunk
    except OSError:
        break
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
"#;

fn on_a_terminal(w: &World, argv: &[&str]) -> String {
    let out = Command::new(common::sandbox::PY)
        .args(["-I", "-S", "-c", PTY_DRIVER])
        .args(argv)
        .current_dir(w.dir.path())
        .env("TMPDIR", w.p("tmp"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Item 1: a step pushes characters into the caller's terminal with
/// TIOCSTI; the caller's shell would run them after custody returns. And
/// a Ctrl-C pushed that way must not kill custody before it attests.
#[test]
fn terminal_injection_is_refused() {
    let w = World::new();
    let inject = |text: &str| {
        format!(
            "{}import fcntl, signal, termios, time\ngot = []\nsignal.signal(signal.SIGINT, lambda s, f: got.append(s))\ndef inject():\n    for ch in {}.encode():\n        fcntl.ioctl(0, termios.TIOCSTI, bytes([ch]))\nattempt('tiocsti', inject)\ntime.sleep(0.3)\nprint('PROBE sigint', 'yes' if got else 'no', flush=True)\n",
            common::sandbox::PRELUDE,
            common::sandbox::py(text)
        )
    };
    let code = inject("echo INJECTED\n");
    let legacy =
        std::fs::read_to_string("/proc/sys/dev/tty/legacy_tiocsti").is_ok_and(|v| v.trim() == "1");
    let control = on_a_terminal(&w, &[common::sandbox::PY, "-I", "-S", "-c", &code]);
    if legacy {
        assert!(control.contains("PROBE tiocsti ok"), "control: {control}");
        assert!(
            control.contains("SHELL READ:[echo INJECTED]"),
            "control: the shell reads the injected line: {control}"
        );
    } else {
        // The kernel refuses TIOCSTI itself here; custody must still.
        assert!(control.contains("PROBE tiocsti err"), "control: {control}");
    }
    let custody = common::custody_bin();
    let att = w.s("att.json");
    let custody = custody.to_str().unwrap();
    let argv = |code: &str| -> Vec<String> {
        [
            custody,
            "run",
            "--attest",
            &att,
            "--",
            common::sandbox::PY,
            "-I",
            "-S",
            "-c",
            code,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
    };
    let a = argv(&code);
    let treated = on_a_terminal(&w, &a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        treated.contains("PROBE tiocsti err EPERM"),
        "treatment: {treated}"
    );
    assert!(
        treated.contains("SHELL READ:[]"),
        "nothing injected: {treated}"
    );
    assert!(treated.contains("ioctl    TIOCSTI [refused]"), "{treated}");
    let st = w.statement();
    assert_eq!(attempt(&st, "ioctl", "TIOCSTI")["reason"], "refused");
    assert_eq!(byproduct(&st, "enforced")["enforced"]["own_session"], true);

    // Ctrl-C: in the control it sends SIGINT to the foreground group (the
    // probe catches it); under custody it is refused, no SIGINT comes,
    // custody attests and the shell goes on.
    let ctrl_c = inject("\u{3}");
    if legacy {
        let control = on_a_terminal(&w, &[common::sandbox::PY, "-I", "-S", "-c", &ctrl_c]);
        assert!(
            control.contains("PROBE sigint yes"),
            "control: Ctrl-C interrupts the foreground group: {control}"
        );
    }
    std::fs::remove_file(&att).unwrap();
    let a = argv(&ctrl_c);
    let treated = on_a_terminal(&w, &a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(treated.contains("PROBE tiocsti err EPERM"), "{treated}");
    assert!(treated.contains("PROBE sigint no"), "{treated}");
    assert!(treated.contains("SHELL READ:[]"), "{treated}");
    assert!(w.p("att.json").is_file(), "attested: {treated}");
}

/// Item 2: a step run as root keeps no capability. Controls run as root
/// (as `nobody` most of these fail in the control too, and the treatment
/// is checked alone).
#[test]
fn a_root_step_has_no_capabilities() {
    let w = World::new();
    let root = is_root();
    for f in ["ctl.bin", "out/tx.bin"] {
        std::fs::write(w.p(f), "#!/bin/sh\n").unwrap();
    }
    let code = |target: &str| {
        format!(
            r#"
import stat
host = socket.gethostname().encode()
dev = os.path.join(os.environ["TMPDIR"], "disk")
def disk():
    # A loop device: a block device every root may open here.
    os.mknod(dev, stat.S_IFBLK | 0o600, os.makedev(7, 0))
    with open(dev, "rb") as f:
        f.read(512)
attempt("mknod-block", disk)
call("sethostname", libc.sethostname(host, len(host)))
# The system call itself: glibc's wrapper reads through a NULL timeval.
call("settimeofday", libc.syscall(164, None, None))
call("syslog", libc.klogctl(10, None, 0))
attempt("kmsg", lambda: open("/dev/kmsg", "rb").close())
cap = (0x02000001).to_bytes(4, "little") + (1 << 13).to_bytes(4, "little") + bytes(12)
attempt("setcap", lambda: os.setxattr({target:?}, "security.capability", cap))
attempt("setuid-bit", lambda: os.chmod({target:?}, 0o4755))
"#
        )
    };
    let control = w.control(&code(&w.s("ctl.bin")));
    assert_eq!(probe(&control, "setuid-bit"), "ok", "control");
    if root {
        for p in [
            "mknod-block",
            "sethostname",
            "settimeofday",
            "syslog",
            "kmsg",
            "setcap",
        ] {
            assert_eq!(probe(&control, p), "ok", "control as root: {p}");
        }
    }
    let out = w.s("out");
    let (r, st) = w.sandboxed(&["--output", &out], &code(&w.s("out/tx.bin")));
    for (p, errno) in [
        ("mknod-block", "EPERM"),
        ("sethostname", "EPERM"),
        ("settimeofday", "EPERM"),
        ("syslog", "EPERM"),
        ("kmsg", "EACCES"),
        ("setcap", "EPERM"),
        ("setuid-bit", "EPERM"),
    ] {
        assert_eq!(probe(&r, p), format!("err {errno}"), "{p}: {}", r.stderr);
    }
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mode = std::fs::metadata(w.p("out/tx.bin")).unwrap().mode();
    assert_eq!(mode & 0o6000, 0, "no set-ID bit");
    assert!(
        xattr_names(&w.p("out/tx.bin")).is_empty(),
        "no file capability"
    );
    let caps = &byproduct(&st, "enforced")["enforced"]["capabilities"];
    assert_eq!(caps["capabilities_empty"], true, "{caps}");
    if root {
        assert_eq!(caps["bounding_empty"], true, "{caps}");
        assert_eq!(caps["securebits_locked"], true, "{caps}");
    }
    let all = attempts(&st);
    let refused = |call: &str, target: &str| {
        all.iter().any(|a| {
            a["reason"] == "refused"
                && a["call"].as_str().unwrap().starts_with(call)
                && a["target"].as_str().unwrap().contains(target)
        })
    };
    assert!(refused("mknod", "block device"), "{all:#?}");
    assert!(refused("sethostname", ""), "{all:#?}");
    assert!(refused("settimeofday", ""), "{all:#?}");
    assert!(refused("syslog", ""), "{all:#?}");
    assert!(refused("fchmodat", "set-ID mode 4755") || refused("chmod", "set-ID mode 4755"));
}

fn xattr_names(p: &std::path::Path) -> String {
    let out = Command::new(common::sandbox::PY)
        .args(["-c", "import os, sys; print(os.listxattr(sys.argv[1]))"])
        .arg(p)
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if s == "[]" { String::new() } else { s }
}

/// Item 4: SysV shared memory, queues and semaphores reach every process
/// of the machine (IPC namespace aside).
#[test]
fn sysv_ipc_is_refused() {
    let w = World::new();
    let key = 0x6375_0000 + (std::process::id() & 0xffff);
    let code = format!(
        r#"
IPC_CREAT = 0o1000
shm = libc.shmget({key}, 4096, IPC_CREAT | 0o666)
call("shmget", shm)
if shm != -1:
    libc.shmat.restype = ctypes.c_void_p
    ctypes.memmove(libc.shmat(shm, None, 0), b"SECRET", 6)
call("msgget", libc.msgget({key}, IPC_CREAT | 0o666))
call("semget", libc.semget({key}, 1, IPC_CREAT | 0o666))
"#
    );
    let listed = |table: &str| {
        std::fs::read_to_string(format!("/proc/sysvipc/{table}"))
            .unwrap()
            .lines()
            .skip(1)
            .any(|l| l.split_whitespace().next() == Some(&key.to_string()))
    };
    let control = w.control(&code);
    for p in ["shmget", "msgget", "semget"] {
        assert_eq!(probe(&control, p), "ok", "control {p}");
    }
    assert!(listed("shm") && listed("msg") && listed("sem"), "control");
    let k = key.to_string();
    let removed = Command::new("ipcrm")
        .args(["-M", &k, "-Q", &k, "-S", &k])
        .status()
        .unwrap();
    assert!(removed.success());
    let (r, st) = w.sandboxed(&[], &code);
    for p in ["shmget", "msgget", "semget"] {
        assert_eq!(probe(&r, p), "err EPERM", "{p}: {}", r.stderr);
        assert_eq!(attempt(&st, p, "")["reason"], "refused");
    }
    assert!(!listed("shm") && !listed("msg") && !listed("sem"));
    let ns = &byproduct(&st, "enforced")["enforced"]["namespaces"];
    assert!(ns.as_array().unwrap().contains(&"ipc".into()), "{ns}");
}

/// The probes of item 5 against `key`; the last one changes a file of
/// the step's own output, which must keep working.
fn attribute_probes(key: &str, own: &str) -> String {
    format!(
        r#"
K = {key:?}
attempt("chmod", lambda: os.chmod(K, 0o644))
attempt("chown", lambda: os.chown(K, os.getuid(), os.getgid()))
attempt("utime", lambda: os.utime(K, (0, 0)))
attempt("setxattr", lambda: os.setxattr(K, "user.custody", b"x"))
link = os.path.join(os.environ["TMPDIR"], "link")
if not os.path.lexists(link):
    os.symlink(K, link)
attempt("chmod-via-link", lambda: os.chmod(link, 0o666))
attempt("chmod-via-proc", lambda: os.chmod(f"/proc/self/fd/{{os.open(link, os.O_PATH)}}", 0o666))
attempt("own-output", lambda: os.chmod({own:?}, 0o640))
"#
    )
}

/// Item 5: chmod, chown, utime and setxattr on a file outside the policy
/// (Landlock does not cover them): `~/.ssh/id_rsa` stays private.
#[test]
fn attributes_outside_the_policy_are_unchanged() {
    let w = World::new();
    let key = w.plant_key();
    std::fs::write(w.p("out/own"), "x").unwrap();
    let before = std::fs::metadata(&key).unwrap();
    let code = attribute_probes(key.to_str().unwrap(), &w.s("out/own"));
    let control = w.control(&code);
    for p in [
        "chmod",
        "chown",
        "utime",
        "setxattr",
        "chmod-via-link",
        "chmod-via-proc",
    ] {
        assert_eq!(probe(&control, p), "ok", "control {p}");
    }
    // Put the key back as it was.
    common::sandbox::mode(&key, 0o600);
    let restore = Command::new(common::sandbox::PY)
        .args(["-c", "import os, sys; os.removexattr(sys.argv[1], 'user.custody'); os.utime(sys.argv[1], ns=(int(sys.argv[2]), int(sys.argv[3])))"])
        .args([key.to_str().unwrap(), &(before.atime() * 1_000_000_000 + before.atime_nsec()).to_string(), &(before.mtime() * 1_000_000_000 + before.mtime_nsec()).to_string()])
        .status()
        .unwrap();
    assert!(restore.success());
    let _ = std::fs::remove_file(w.p("tmp/link"));
    let out = w.s("out");
    let (r, st) = w.sandboxed(&["--output", &out], &code);
    for p in ["chmod", "chown", "utime", "setxattr", "chmod-via-link"] {
        assert_eq!(probe(&r, p), "err EROFS", "{p}: {}", r.stderr);
    }
    // /proc is closed by Landlock before the mount decides.
    assert!(
        probe(&r, "chmod-via-proc").starts_with("err "),
        "{}",
        r.stdout
    );
    assert_eq!(probe(&r, "own-output"), "ok", "the step's own output");
    let after = std::fs::metadata(&key).unwrap();
    assert_eq!(after.mode() & 0o777, 0o600);
    assert_eq!(after.mtime(), before.mtime());
    assert!(xattr_names(&key).is_empty());
    let enforced = &byproduct(&st, "enforced")["enforced"];
    assert_eq!(enforced["read_only_mounts"], true, "{enforced}");
}

/// Item 5 where no namespace can be made: the filter refuses every
/// attribute change instead (the step's own output included).
#[test]
fn without_namespaces_attribute_changes_are_refused() {
    let w = World::new();
    let key = w.plant_key();
    std::fs::write(w.p("out/own"), "x").unwrap();
    let code = attribute_probes(key.to_str().unwrap(), &w.s("out/own"));
    let out = w.s("out");
    let r = common::run(
        w.probe(&["--output", &out], &code)
            .env("CUSTODY_TEST_NO_NAMESPACES", "1"),
    );
    for p in [
        "chmod",
        "chown",
        "utime",
        "setxattr",
        "chmod-via-link",
        "own-output",
    ] {
        assert_eq!(probe(&r, p), "err EPERM", "{p}: {}", r.stderr);
    }
    assert_eq!(std::fs::metadata(&key).unwrap().mode() & 0o777, 0o600);
    let st = w.statement();
    let enforced = &byproduct(&st, "enforced")["enforced"];
    assert_eq!(enforced["read_only_mounts"], false);
    assert_eq!(enforced["namespaces"], serde_json::json!([]));
    assert!(
        r.stderr.contains("attribute changes refused"),
        "{}",
        r.stderr
    );
}

/// Item 8: `creat()` of a secret's place is recorded like an open;
/// `open_by_handle_at` (a path-less open) is refused; the private folder
/// is 0700.
#[test]
fn creat_handles_and_the_private_folder() {
    let w = World::new();
    let cred = w.p("home/.aws/credentials");
    std::fs::create_dir_all(cred.parent().unwrap()).unwrap();
    let key = w.plant_key();
    let code = |c: &str| {
        format!(
            r#"
call("creat", libc.creat({c:?}.encode(), 0o600))
class FH(ctypes.Structure):
    _fields_ = [("bytes", ctypes.c_uint), ("type", ctypes.c_int), ("h", ctypes.c_ubyte * 128)]
fh = FH(); fh.bytes = 128; mnt = ctypes.c_int()
call("name_to_handle_at", libc.name_to_handle_at(-100, {k:?}.encode(), ctypes.byref(fh), ctypes.byref(mnt), 0))
try:
    root = os.open("/", os.O_RDONLY)
except OSError:
    root = -1
call("open_by_handle_at", libc.open_by_handle_at(root, ctypes.byref(fh), os.O_RDONLY))
home = os.environ["HOME"]
print("PROBE private", oct(os.stat(home).st_mode & 0o777), oct(os.stat(os.path.dirname(home)).st_mode & 0o777))
"#,
            k = key.to_str().unwrap()
        )
    };
    std::fs::write(&cred, "[default]\n").unwrap();
    let control = w.control(&code(cred.to_str().unwrap()));
    assert_eq!(probe(&control, "creat"), "ok");
    if is_root() {
        assert_eq!(probe(&control, "open_by_handle_at"), "ok");
    }
    std::fs::write(&cred, "[default]\n").unwrap();
    let (r, st) = w.sandboxed(&[], &code(cred.to_str().unwrap()));
    // The read-only mount answers before Landlock.
    assert_eq!(probe(&r, "creat"), "err EROFS", "{}", r.stderr);
    assert_eq!(probe(&r, "open_by_handle_at"), "err EPERM");
    assert_eq!(probe(&r, "private"), "0o700 0o700");
    assert_eq!(std::fs::read_to_string(&cred).unwrap(), "[default]\n");
    let a = attempt(&st, "open", cred.to_str().unwrap());
    assert_eq!(a["reason"], "credential");
    assert_eq!(a["outcome"], "denied");
    assert_eq!(attempt(&st, "open_by_handle_at", "")["reason"], "refused");
}

#[test]
fn the_suite_passes_as_an_ordinary_user() {
    rerun_as_nobody("the_suite_passes_as_an_ordinary_user", 6);
}
