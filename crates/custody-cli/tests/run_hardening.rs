//! `custody run`: what a second, adversarial review of the sandbox found,
//! each with a control run of the same probe without custody. The suite
//! runs again as `nobody` when root.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::sandbox::{PRELUDE, PY, World, attempts, byproduct, is_root, probe, rerun_as_nobody};

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
    let att = w.s("att.json");
    let mut child = w
        .custody()
        .args(["run", "--attest", &att, "--", PY, "-I", "-S", "-c"])
        .arg(format!("{PRELUDE}{code}"))
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
    let att = w.s("att.json");
    let start = Instant::now();
    let r = common::run(
        w.custody()
            .args([
                "run",
                "--timeout",
                "3s",
                "--output",
                &out,
                "--attest",
                &att,
                "--",
            ])
            .args([PY, "-I", "-S", "-c"])
            .arg(format!("{PRELUDE}{code}")),
    );
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "custody returned"
    );
    assert_eq!(probe(&r, "sparse"), "ok");
    assert_eq!(r.code, 124, "{}", r.stderr);
    let st: serde_json::Value = serde_json::from_slice(&std::fs::read(&att).unwrap()).unwrap();
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

#[test]
fn the_suite_passes_as_an_ordinary_user() {
    rerun_as_nobody("the_suite_passes_as_an_ordinary_user", 8);
}
