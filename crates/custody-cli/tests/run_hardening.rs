//! `custody run`: what a second, adversarial review of the sandbox found,
//! each with a control run of the same probe without custody. The suite
//! runs again as `nobody` when root.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::sandbox::{World, attempts, byproduct, is_root, probe, rerun_as_nobody};

/// An undumpable step hid its memory, and with it the paths it opened,
/// from the supervisor (as `nobody`): `PR_SET_DUMPABLE` and
/// `PR_SET_PDEATHSIG` are refused, and the key's open is recorded.
#[test]
fn an_undumpable_step_cannot_blind_the_record() {
    let w = World::new();
    let key = w.plant_key();
    let code = format!(
        "call('dumpable', libc.prctl(4, 0, 0, 0, 0))\ncall('pdeathsig', libc.prctl(1, 0, 0, 0, 0))\nattempt('key', lambda: open({k:?}).read())\n",
        k = key.to_str().unwrap()
    );
    let control = w.control(&code);
    assert_eq!(probe(&control, "dumpable"), "ok");
    assert_eq!(probe(&control, "pdeathsig"), "ok");
    let (r, st) = w.sandboxed(&[], &code);
    assert_eq!(probe(&r, "dumpable"), "err EPERM", "{}", r.stderr);
    assert_eq!(probe(&r, "pdeathsig"), "err EPERM");
    assert_eq!(probe(&r, "key"), "err EACCES");
    let a = common::sandbox::attempt(&st, "open", key.to_str().unwrap());
    assert_eq!(a["reason"], "credential");
    common::sandbox::attempt(&st, "prctl", "");
}

/// A link the step makes in its own HOME to a secret: the open is judged
/// and named as the secret it leads to, denied or (for a declared input)
/// allowed.
#[test]
fn links_in_the_steps_home_do_not_hide_a_read() {
    let w = World::new();
    let key = w.plant_key();
    let proj = w.p("proj");
    std::fs::create_dir_all(&proj).unwrap();
    std::fs::write(proj.join(".env"), "TOKEN=FAKE\n").unwrap();
    let code = format!(
        r#"
home = os.environ["HOME"]
os.symlink({k:?}, os.path.join(home, "notes.txt"))
os.symlink({e:?}, os.path.join(home, "readme.txt"))
attempt("key-via-link", lambda: open(os.path.join(home, "notes.txt")).read())
attempt("env-via-link", lambda: open(os.path.join(home, "readme.txt")).read())
"#,
        k = key.to_str().unwrap(),
        e = proj.join(".env").to_str().unwrap()
    );
    let input = proj.to_str().unwrap();
    let (r, st) = w.sandboxed(&["--input", input], &code);
    assert_eq!(probe(&r, "key-via-link"), "err EACCES", "{}", r.stderr);
    assert_eq!(probe(&r, "env-via-link"), "ok");
    let all = attempts(&st);
    let by = |target: &str| {
        all.iter()
            .find(|a| a["target"].as_str().unwrap().starts_with(target))
            .unwrap_or_else(|| panic!("{target} not in {all:#?}"))
            .clone()
    };
    let k = by(key.to_str().unwrap());
    assert_eq!(
        (k["reason"].as_str(), k["outcome"].as_str()),
        (Some("credential"), Some("denied"))
    );
    assert!(
        k["target"].as_str().unwrap().ends_with("(via $HOME/…)"),
        "{k}"
    );
    let e = by(proj.join(".env").to_str().unwrap());
    assert_eq!(
        (e["reason"].as_str(), e["outcome"].as_str()),
        (Some("credential"), Some("allowed"))
    );
}

/// A step reached processes outside: a write lease on a file it may only
/// read stalled every process that opened it; it reniced and pinned a
/// process of the same user. All refused.
#[test]
fn no_leases_and_no_hold_on_other_processes() {
    let w = World::new();
    let data = w.p("data.txt");
    std::fs::write(&data, "records\n").unwrap();
    // One process of the same user for the control, one for the treatment
    // (an ordinary user cannot undo a renice).
    let sleepers: Vec<_> = (0..2)
        .map(|_| Command::new("sleep").arg("60").spawn().unwrap())
        .collect();
    let code = |pid: u32| {
        format!(
            r#"
import fcntl, resource
fd = os.open({d:?}, os.O_RDONLY)
attempt("lease", lambda: fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK))
call("renice", libc.setpriority(0, {pid}, 19))
attempt("affinity", lambda: os.sched_setaffinity({pid}, {{0}}))
attempt("own-affinity", lambda: os.sched_setaffinity(0, os.sched_getaffinity(0)))
attempt("read-limits", lambda: resource.prlimit(os.getpid(), resource.RLIMIT_NOFILE))
"#,
            d = data.to_str().unwrap()
        )
    };
    let control = w.control(&code(sleepers[0].id()));
    for p in ["lease", "renice", "affinity"] {
        assert_eq!(probe(&control, p), "ok", "control {p}");
    }
    let pid = sleepers[1].id();
    let d = data.to_str().unwrap();
    let (r, st) = w.sandboxed(&["--input", d], &code(pid));
    for p in ["lease", "renice", "affinity"] {
        assert_eq!(probe(&r, p), "err EPERM", "{p}: {}", r.stderr);
    }
    assert_eq!(probe(&r, "own-affinity"), "ok");
    assert_eq!(probe(&r, "read-limits"), "ok");
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(fields[16], "0", "the sleeper's nice value is untouched");
    let all = attempts(&st);
    for call in ["fcntl", "setpriority", "sched_setaffinity"] {
        assert!(
            all.iter()
                .any(|a| a["call"] == call && a["reason"] == "refused"),
            "{call}: {all:#?}"
        );
    }
    for mut s in sleepers {
        s.kill().unwrap();
        let _ = s.wait();
    }
}

/// Zombie children of custody (of a subreaper).
fn zombies_of(pid: u32) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|s| {
            let rest: Vec<&str> = s
                .rsplit(')')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect();
            rest.first() == Some(&"Z") && rest.get(1) == Some(&pid.to_string().as_str())
        })
        .count()
}

/// A step that leaves 300 short-lived orphans behind while it runs: they
/// come to custody, which reaps them as they end (each zombie would hold
/// a process id for the whole run).
#[test]
fn orphans_are_reaped_while_the_step_runs() {
    let w = World::new();
    let code = r#"
import time
for _ in range(300):
    if os.fork() == 0:
        if os.fork() == 0:
            os._exit(0)
        os._exit(0)
    os.wait()
print("READY", flush=True)
time.sleep(4)
"#;
    let mut child = w
        .probe(&[], code)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "READY");
    std::thread::sleep(Duration::from_millis(2500));
    let z = zombies_of(child.id());
    let status = child.wait().unwrap();
    assert!(status.success());
    assert!(z < 10, "{z} zombies under custody while the step ran");
}

/// A huge sparse output (0 blocks on disk) took hours to hash, during which
/// custody ignored SIGTERM and `--timeout`: now the timeout also covers
/// hashing, the output is marked unhashed and custody exits 124.
#[test]
fn a_huge_output_does_not_make_custody_deaf() {
    let w = World::new();
    let out = w.s("out");
    let code = format!(
        "f = open({p:?}, 'wb'); f.truncate(1 << 40); f.close()\nprint('PROBE sparse ok')\n",
        p = w.s("out/huge.bin")
    );
    let start = Instant::now();
    let (r, st) = w.sandboxed(&["--timeout", "3s", "--output", &out], &code);
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "custody returned"
    );
    assert_eq!(probe(&r, "sparse"), "ok");
    assert_eq!(r.code, 124, "{}", r.stderr);
    assert_eq!(byproduct(&st, "processes")["ended"]["how"], "timed-out");
    let subject = &st["subject"][0];
    assert_eq!(subject["digest"], serde_json::json!({}), "{subject}");
}

/// The step closed a folder of its private HOME (mode 0500), so removing
/// the folder failed and the step's data stayed in /tmp (as `nobody`).
/// custody opens it again and removes everything.
#[test]
fn private_folders_are_removed_whatever_the_step_did() {
    let w = World::new();
    let code = r#"
d = os.path.join(os.environ["HOME"], "d")
os.makedirs(os.path.join(d, "e"))
open(os.path.join(d, "e", "data"), "w").write("x")
os.chmod(os.path.join(d, "e"), 0o500)
os.chmod(d, 0o500)
print("PROBE locked ok")
"#;
    let (r, _) = w.sandboxed(&[], code);
    assert_eq!(probe(&r, "locked"), "ok", "{}", r.stderr);
    let left: Vec<_> = std::fs::read_dir(w.p("tmp")).unwrap().flatten().collect();
    assert!(left.is_empty(), "nothing left in TMPDIR: {left:?}");
}

/// An output only the step can read cannot be vouched for: refused, exit
/// 123 (as root custody reads it, and it is attested).
#[test]
fn an_output_custody_cannot_read_is_refused() {
    let w = World::new();
    let out = w.s("out");
    let code = format!(
        "p = {p:?}\nopen(p, 'w').write('x')\nos.chmod(p, 0)\nprint('PROBE hidden ok')\n",
        p = w.s("out/hidden")
    );
    let (r, st) = w.sandboxed(&["--output", &out], &code);
    assert_eq!(probe(&r, "hidden"), "ok");
    if is_root() {
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(st["subject"][0]["digest"]["sha256"].is_string());
    } else {
        assert_eq!(r.code, 123, "{}", r.stderr);
        let refused = &st["subject"][0]["annotations"]["refused"][0];
        assert_eq!(refused["kind"], "unreadable", "{refused}");
        assert!(r.stderr.contains("unreadable"), "{}", r.stderr);
    }
}

/// `python3` through a pyenv shim needs pyenv from HOME: a clear error at
/// once, not exit 126 from inside the sandbox.
#[test]
fn a_version_managers_shim_is_named() {
    let w = World::new();
    let shim = w.p(".pyenv/shims/python3");
    std::fs::create_dir_all(shim.parent().unwrap()).unwrap();
    std::fs::write(
        &shim,
        "#!/usr/bin/env bash\nexec pyenv exec python3 \"$@\"\n",
    )
    .unwrap();
    common::sandbox::mode(&shim, 0o755);
    let r = common::run(
        w.custody()
            .args(["run", "--", shim.to_str().unwrap(), "-c", "pass"]),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("shim"), "{}", r.stderr);
    assert!(r.stderr.contains("pyenv which python3"), "{}", r.stderr);
}

/// A third review's findings. An execute-only binary makes its process
/// undumpable, so custody cannot read the paths it opens (as `nobody`):
/// such opens are now refused, not let through unrecorded.
#[test]
fn an_execute_only_binary_cannot_read_unrecorded() {
    let w = World::new();
    std::fs::write(w.p(".env"), "TOKEN=FAKE\n").unwrap();
    let env = w.s(".env");
    let script = "cp /bin/cat \"$TMPDIR/x\" && chmod 0111 \"$TMPDIR/x\" && \"$TMPDIR/x\" \"$1\"";
    let att = w.s("att.json");
    let r = common::run(
        w.custody()
            .args(["run", "--input", &env, "--attest", &att, "--"])
            .args(["/bin/sh", "-c", script, "sh", &env]),
    );
    let st = w.statement();
    let all = attempts(&st);
    if is_root() {
        // Root reads any process's memory: the read is recorded by name.
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(all.iter().any(|a| a["target"] == env.as_str()), "{all:#?}");
    } else {
        assert_ne!(r.code, 0, "{}", r.stdout);
        assert!(!r.stdout.contains("TOKEN=FAKE"), "not read: {}", r.stdout);
        let hidden = all
            .iter()
            .find(|a| a["reason"] == "unreadable")
            .unwrap_or_else(|| panic!("{all:#?}"));
        assert_eq!(hidden["outcome"], "denied");
    }
}

/// The attestation may not be written inside an output: the step could
/// replace a folder on its way with a link, and custody would write
/// through it.
#[test]
fn the_attestation_is_never_written_inside_an_output() {
    let w = World::new();
    let (out, att) = (w.s("out"), w.s("out/meta/step.json"));
    let r = common::run(w.custody().args([
        "run",
        "--output",
        &out,
        "--attest",
        &att,
        "--",
        "/bin/true",
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("inside the output"), "{}", r.stderr);
}

/// The probes of [`the_record_names_what_really_happened`].
fn record_probes(loader: &str) -> String {
    format!(
        r#"
import subprocess
attempt("relative", lambda: open("../data.csv").read())
fd = os.open("../data.csv", os.O_RDONLY)
attempt("reopen", lambda: open(f"/proc/self/fd/{{fd}}").read())
attempt("env", lambda: open("../.env").read())
def whiteout():
    open(os.path.join(os.environ["TMPDIR"], "a"), "w").close()
    r = libc.renameat2(-100, os.path.join(os.environ["TMPDIR"], "a").encode(), -100, os.path.join(os.environ["TMPDIR"], "b").encode(), 4)
    if r == -1:
        raise OSError(ctypes.get_errno(), "renameat2")
attempt("whiteout", whiteout)
def memfd():
    m = os.memfd_create("payload")
    os.write(m, open("/bin/true", "rb").read())
    if os.fork() == 0:
        os.execve(m, ["true"], {{}})
    os.wait()
attempt("memfd", memfd)
attempt("loader", lambda: subprocess.run([{loader:?}, "/bin/true"], check=True))
"#
    )
}

/// What the record got wrong: a relative input read through `..` and a
/// reopen through /proc/self/fd were recorded as denied; a program run
/// from a memfd or through the dynamic loader was not named; a symlinked
/// executable had no digest; a whiteout device could be made. And the
/// places of secrets the policy allows are listed on stderr.
#[test]
fn the_record_names_what_really_happened() {
    let w = World::new();
    let sub = w.p("sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(w.p("data.csv"), "a,b\n").unwrap();
    std::fs::write(w.p(".env"), "TOKEN=FAKE\n").unwrap();
    let loader = ["/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap();
    let code = record_probes(loader);
    let env = w.s(".env");
    let r = common::run(
        w.probe(&["--input", "../data.csv", "--input", "../.env"], &code)
            .current_dir(&sub),
    );
    for p in ["relative", "reopen", "env", "memfd", "loader"] {
        assert_eq!(probe(&r, p), "ok", "{p}: {}", r.stderr);
    }
    assert_eq!(probe(&r, "whiteout"), "err EPERM");
    let st = w.statement();
    let all = attempts(&st);
    assert!(
        !all.iter().any(|a| a["outcome"] == "denied"
            && (a["target"].as_str().unwrap().contains("data.csv")
                || a["target"].as_str().unwrap().starts_with("/proc/"))),
        "reads the policy allows are not denied: {all:#?}"
    );
    assert!(
        all.iter()
            .any(|a| a["target"] == "memfd (a program that was never a file)"),
        "{all:#?}"
    );
    assert!(
        all.iter().any(|a| a["target"]
            .as_str()
            .unwrap()
            .contains("true (by the loader")),
        "{all:#?}"
    );
    assert!(
        all.iter()
            .any(|a| a["call"] == "renameat2" && a["reason"] == "refused")
    );
    let e = all.iter().find(|a| a["target"] == env.as_str()).unwrap();
    assert_eq!(
        (e["reason"].as_str(), e["outcome"].as_str()),
        (Some("credential"), Some("allowed"))
    );
    assert!(
        r.stderr.contains("of secrets the policy allows"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&env), "{}", r.stderr);
    let deps = st["predicate"]["buildDefinition"]["resolvedDependencies"]
        .as_array()
        .unwrap();
    let exe = deps
        .iter()
        .find(|d| d["name"] == "/usr/bin/python3")
        .unwrap();
    assert!(
        exe["digest"]["sha256"].is_string(),
        "a symlinked executable has its digest: {exe}"
    );
    // `../data.csv`, outside the working folder, is named by its absolute
    // path (one name for every spelling of it, as `custody verify` reads it).
    let data = w.s("data.csv");
    let input = deps
        .iter()
        .find(|d| d["name"] == data.as_str())
        .unwrap_or_else(|| panic!("{deps:#?}"));
    assert!(input["digest"]["sha256"].is_string(), "{input}");
    assert_eq!(input["uri"], format!("file://{data}"), "{input}");
}

/// A system call of another architecture (i386 `int 0x80`) still kills
/// the step, and custody now says why.
#[test]
fn a_call_of_another_architecture_is_named() {
    let w = World::new();
    // mov eax, 20 (getpid on i386); int 0x80; ret
    let code = r#"
import mmap
m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
m.write(bytes([0xb8, 0x14, 0, 0, 0, 0xcd, 0x80, 0xc3]))
addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
print("PROBE i386", "ok" if ctypes.CFUNCTYPE(ctypes.c_int)(addr)() > 0 else "zero", flush=True)
"#;
    if !std::path::Path::new("/proc/sys/abi/vsyscall32").exists() && !cfg!(target_arch = "x86_64") {
        return;
    }
    let control = w.control(code);
    assert_eq!(probe(&control, "i386"), "ok", "control: {}", control.stderr);
    let (r, _) = w.sandboxed(&[], code);
    assert_eq!(r.code, 128 + 31, "{}", r.stderr);
    assert!(r.stderr.contains("another architecture"), "{}", r.stderr);
}

#[test]
fn the_suite_passes_as_an_ordinary_user() {
    rerun_as_nobody("the_suite_passes_as_an_ordinary_user", 8);
}
