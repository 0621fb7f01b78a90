//! `custody run`: the record cannot be blinded or abused (item 7 of the
//! review), the whole process tree ends before the outputs are attested,
//! outputs custody cannot vouch for are refused, and a stopped or timed
//! out run still writes a signed attestation. The suite runs again as
//! `nobody` when root.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::sandbox::{World, attempt, attempts, byproduct, probe, rerun_as_nobody};

/// A flood of 1,024 decoy opens (and more) before the real secret: the
/// secret is still recorded, first, by its full path; the decoys are
/// counted.
#[test]
fn a_flood_of_decoys_cannot_hide_a_secret() {
    let w = World::new();
    let key = w.plant_key();
    std::fs::create_dir_all(w.p("decoys")).unwrap();
    for i in 0..1100 {
        std::fs::write(w.p(&format!("decoys/{i}")), "x").unwrap();
    }
    let code = format!(
        r#"
n = 0
for i in range(1100):
    try:
        open(os.path.join({d:?}, str(i))).close(); n += 1
    except OSError:
        pass
print("PROBE decoys", n)
attempt("key", lambda: open({k:?}).read())
"#,
        d = w.s("decoys"),
        k = key.to_str().unwrap()
    );
    let control = w.control(&code);
    assert_eq!(
        probe(&control, "decoys"),
        "1100",
        "control: the decoys open"
    );
    let (r, st) = w.sandboxed(&[], &code);
    assert_eq!(probe(&r, "decoys"), "0");
    assert_eq!(probe(&r, "key"), "err EACCES");
    let all = attempts(&st);
    assert_eq!(all[0]["target"], key.to_str().unwrap(), "the secret first");
    assert_eq!(all[0]["reason"], "credential");
    let recorded = byproduct(&st, "attempts");
    let decoys = all
        .iter()
        .filter(|a| a["reason"] == "outside-policy")
        .count() as u64;
    assert_eq!(
        decoys + recorded["dropped"].as_u64().unwrap(),
        1100,
        "{recorded}"
    );
    let first = r
        .stderr
        .lines()
        .position(|l| l.contains("[credential]"))
        .unwrap();
    let outside = r
        .stderr
        .lines()
        .position(|l| l.contains("[outside-policy]"))
        .unwrap();
    assert!(first < outside, "the secret is listed first: {}", r.stderr);
}

/// Control characters in a path are printed raw no more (they could
/// redraw the summary as clean), and text the step chose cannot carry data
/// out through the signed attestation.
#[test]
fn paths_cannot_redraw_the_summary_or_carry_data() {
    let w = World::new();
    let evil = w.p("\x1b[2J\x1b[Hclean\r");
    std::fs::create_dir_all(evil.join(".ssh")).unwrap();
    std::fs::write(evil.join(".ssh/id_rsa"), "x").unwrap();
    // The step reads data it was given and tries to carry it out in the
    // names of paths it opens and sockets it connects to.
    let secret = "53454352455420444154412031323334353637383930";
    std::fs::write(w.p("input.txt"), secret).unwrap();
    let code = format!(
        r#"
attempt("evil", lambda: open({e}).read())
s = open({i:?}).read()
for p in [f"/nonexistent/{{s}}/x.key", os.path.expanduser(f"~/.ssh/{{s}}"), f"/{{s}}.env"]:
    try:
        open(p)
    except OSError:
        pass
u = socket.socket(socket.AF_UNIX)
try:
    u.connect(f"/custody/{{s}}")
except OSError:
    pass
print("PROBE done ok")
"#,
        e = common::sandbox::py(evil.join(".ssh/id_rsa").to_str().unwrap()),
        i = w.s("input.txt")
    );
    let input = w.s("input.txt");
    let control = w.control(&code);
    assert_eq!(probe(&control, "done"), "ok");
    let (r, st) = w.sandboxed(&["--input", &input], &code);
    assert_eq!(probe(&r, "evil"), "err EACCES");
    assert!(!r.stderr.contains('\x1b'), "no raw escape: {:?}", r.stderr);
    assert!(!r.stderr.contains('\r'), "no raw carriage return");
    assert!(
        r.stderr.contains("\\x1b[2J\\x1b[Hclean\\x0d"),
        "{}",
        r.stderr
    );
    let text = std::fs::read_to_string(w.p("att.json")).unwrap();
    assert!(
        !text.contains(&secret[..12]),
        "no chosen data in the record"
    );
    assert!(!r.stderr.contains(&secret[..12]));
    // What the collector looked for still reads as it is.
    attempt(&st, "open", "/…/….key");
    attempt(&st, "open", "$HOME/.ssh/…");
    attempt(&st, "connect", "unix:/…");
}

/// Runs `custody` and waits at most `limit` (the test fails, it does not
/// hang, when custody would wait forever).
fn bounded(mut cmd: Command, limit: Duration) -> common::Run {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "custody still running after {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A daemonised grandchild that keeps opening files: custody neither
/// waits for it forever nor leaves it running; the attestation names it.
#[test]
fn a_daemon_cannot_keep_custody_waiting() {
    let w = World::new();
    let code = r#"
r, wr = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.write(wr, str(os.getpid()).encode())
        os.close(wr)
        for fd in (0, 1, 2):
            os.close(fd)
        # Bounded, so that a failing run leaves nothing for long.
        import time
        end = time.time() + 60
        while time.time() < end:
            try:
                open("/etc/hostname").close()
            except OSError:
                pass
    os._exit(0)
os.close(wr)
print("PROBE daemon", os.read(r, 16).decode(), flush=True)
"#;
    let r = bounded(w.probe(&[], code), Duration::from_secs(60));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pid = probe(&r, "daemon");
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the daemon {pid} was killed: {}",
        r.stderr
    );
    let st = w.statement();
    let processes = byproduct(&st, "processes");
    assert_eq!(processes["ended"]["how"], "exited");
    assert!(
        processes["killed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["pid"].as_u64() == pid.parse().ok()),
        "{processes}"
    );
    assert!(r.stderr.contains("killed 1 process(es)"), "{}", r.stderr);
}

/// The size of `p` now and a second later.
fn growing(p: &std::path::Path) -> bool {
    let size = || std::fs::metadata(p).map_or(0, |m| m.len());
    let before = size();
    std::thread::sleep(Duration::from_secs(1));
    size() > before
}

/// A process that forks and exits, again and again, so that its pid is
/// never the same twice and a scan of /proc rarely even sees it (it
/// outran a kill loop and filled the machine's process table in a
/// review). Each hop writes a byte to `out/beat`; it gives up by itself
/// after 4 s, so a failing run cannot flood the machine.
#[test]
fn a_process_that_keeps_forking_is_still_killed() {
    let w = World::new();
    let beat = w.p("out/beat");
    let code = format!(
        r#"
import time
end = time.time() + 4
beat = os.open({b:?}, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
if os.fork() == 0:
    os.setsid()
    for fd in (0, 1, 2):
        os.close(fd)
    while time.time() < end:
        os.write(beat, b"x")
        # A hop a millisecond at most: each hop leaves a zombie to the
        # machine's init in the control.
        time.sleep(0.001)
        try:
            if os.fork() > 0:
                os._exit(0)
        except OSError:
            time.sleep(0.01)
    os._exit(0)
print("PROBE hopping ok")
"#,
        b = beat.to_str().unwrap()
    );
    let control = w.control(&code);
    assert_eq!(probe(&control, "hopping"), "ok");
    assert!(growing(&beat), "control: it hops on after the step");
    let start = Instant::now();
    while growing(&beat) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the control ends"
        );
    }
    std::fs::remove_file(&beat).unwrap();
    let out = w.s("out");
    let r = bounded(w.probe(&["--output", &out], &code), Duration::from_secs(60));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!growing(&beat), "nothing hops on: {}", r.stderr);
    let st = w.statement();
    let processes = byproduct(&st, "processes");
    assert_eq!(processes["survivors"], 0, "{processes}");
    assert!(
        processes["killed_count"].as_u64().unwrap() >= 1,
        "{processes}"
    );
}

/// A child that outlives the main process and rewrites the output after
/// the attestation (through a descriptor it opened before, so it needs
/// no call the supervisor would see): it is killed before the outputs are
/// hashed, so the output still verifies later.
#[test]
fn nothing_rewrites_an_output_after_it_was_attested() {
    let w = World::new();
    let data = w.p("out/data.txt");
    let code = format!(
        r#"
import time
open({d:?}, "w").write("clean\n")
if os.fork() == 0:
    os.setsid()
    f = open({d:?}, "r+")
    time.sleep(1.5)
    f.write("POISONED\n")
    f.close()
    os._exit(0)
print("PROBE main ok")
"#,
        d = data.to_str().unwrap()
    );
    let control = w.control(&code);
    assert_eq!(probe(&control, "main"), "ok");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        std::fs::read_to_string(&data).unwrap(),
        "POISONED\n",
        "control: the child rewrites the file"
    );
    let (k, public) = key(&w);
    let out = w.s("out");
    let (r, _) = w.sandboxed(&["--output", &out, "-k", &k], &code);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(std::fs::read_to_string(&data).unwrap(), "clean\n");
    let v =
        common::run(
            w.custody()
                .args(["verify", &out, "-m", &w.s("att.json"), "--key", &public]),
        );
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
}

/// What stays allowed by design: a step may write what it was given (a
/// secret among its inputs included) into a declared output. custody
/// attests the output as it is; judging its content is `seal`/`verify`'s
/// and the data's owner's job.
#[test]
fn a_declared_output_may_hold_what_the_step_read() {
    let w = World::new();
    std::fs::write(w.p("token.txt"), "FAKE-TOKEN-custody-test\n").unwrap();
    let code = format!(
        "attempt('copy', lambda: open({o:?}, 'w').write(open({i:?}).read()))\n",
        i = w.s("token.txt"),
        o = w.s("out/copy.txt")
    );
    let (input, out) = (w.s("token.txt"), w.s("out"));
    let (r, st) = w.sandboxed(&["--input", &input, "--output", &out], &code);
    assert_eq!(probe(&r, "copy"), "ok");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(w.p("out/copy.txt")).unwrap(),
        "FAKE-TOKEN-custody-test\n"
    );
    assert!(st["subject"][0]["digest"]["sha256"].is_string());
}

fn key(w: &World) -> (String, String) {
    let prefix = w.s("lab");
    let r = common::run(w.custody().args(["key", "generate", "-o", &prefix]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    (format!("{prefix}.key"), format!("{prefix}.pub"))
}

/// A FIFO and a link to a secret in the output: the output is refused
/// (exit 123), its subject carries no digest, the attestation says what
/// was found, and `custody verify` answers at once.
#[test]
fn pipes_and_links_in_the_output_are_refused() {
    let w = World::new();
    let key_file = w.plant_key();
    let code = format!(
        r#"
out = {o:?}
open(os.path.join(out, "ok.jsonl"), "w").write("{{}}\n")
attempt("fifo", lambda: os.mkfifo(os.path.join(out, "pipe")))
attempt("link", lambda: os.symlink({k:?}, os.path.join(out, "key")))
"#,
        o = w.s("out"),
        k = key_file.to_str().unwrap()
    );
    let (k, public) = key(&w);
    let out = w.s("out");
    let (r, _) = w.sandboxed(&["--output", &out, "-k", &k], &code);
    assert_eq!(probe(&r, "fifo"), "ok");
    assert_eq!(probe(&r, "link"), "ok");
    assert_eq!(r.code, 123, "{}", r.stderr);
    assert!(r.stderr.contains("refused"), "{}", r.stderr);
    assert!(
        r.stderr.contains(key_file.to_str().unwrap()),
        "the link's target is named"
    );
    let st = common::sandbox::payload(&w.p("att.json"));
    let subject = &st["subject"][0];
    assert_eq!(subject["digest"], serde_json::json!({}), "{subject}");
    let kinds: Vec<&str> = subject["annotations"]["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"fifo") && kinds.contains(&"symlink"),
        "{kinds:?}"
    );
    let mut cmd = w.custody();
    cmd.args(["verify", &out, "-m", &w.s("att.json"), "--key", &public]);
    let v = bounded(cmd, Duration::from_secs(60));
    assert_eq!(v.code, 1, "not verified: {}{}", v.stdout, v.stderr);
    assert!(v.stderr.contains("refused"), "{}", v.stderr);
}

/// Starts a step that prints READY and sleeps, under `custody run`.
fn sleeper(w: &World, extra: &[&str]) -> std::process::Child {
    let (k, _) = key(w);
    let code = "import time\nprint('READY', os.environ['HOME'], flush=True)\ntime.sleep(120)\n";
    let mut args = vec!["-k", k.as_str()];
    args.extend_from_slice(extra);
    w.probe(&args, code)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// SIGTERM and SIGINT to custody kill the step and still write a signed
/// attestation that says so; the private folders are gone.
#[test]
fn a_stopped_run_still_attests() {
    for (signal, code) in [(nix_signal::TERM, 143), (nix_signal::INT, 130)] {
        let w = World::new();
        let mut child = sleeper(&w, &[]);
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = lines.next().unwrap().unwrap();
        let home = ready.split_whitespace().nth(1).unwrap().to_owned();
        assert!(std::path::Path::new(&home).is_dir());
        let killed = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let start = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "custody did not stop"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(status.code(), Some(code));
        let st = signed(&w);
        let processes = byproduct(&st, "processes");
        assert_eq!(processes["ended"]["how"], "interrupted");
        assert_eq!(processes["ended"]["signal"], code - 128);
        assert!(
            !std::path::Path::new(&home).exists(),
            "private folders removed"
        );
        let left: Vec<_> = std::fs::read_dir(w.p("tmp")).unwrap().flatten().collect();
        assert!(left.is_empty(), "nothing left in TMPDIR: {left:?}");
    }
}

mod nix_signal {
    pub const TERM: &str = "TERM";
    pub const INT: &str = "INT";
}

/// The statement of the signed attestation in the world.
fn signed(w: &World) -> serde_json::Value {
    let env: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.p("att.json")).unwrap()).unwrap();
    let pem = std::fs::read_to_string(w.p("lab.pub")).unwrap();
    let public = custody_seal::keys::PublicKey::from_pem(&pem).unwrap();
    let envelope: custody_seal::dsse::Envelope = serde_json::from_value(env).unwrap();
    assert!(envelope.verify(&[public]).is_ok(), "signed");
    common::sandbox::payload(&w.p("att.json"))
}

/// `--timeout`: the tree is killed, custody exits 124, the attestation
/// says the run timed out.
#[test]
fn a_timeout_kills_the_step_and_says_so() {
    let w = World::new();
    let child = sleeper(&w, &["--timeout", "2s"]);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(124),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let st = signed(&w);
    let ended = &byproduct(&st, "processes")["ended"];
    assert_eq!(ended["how"], "timed-out");
    assert_eq!(ended["seconds"], 2);
    let bad = common::run(w.custody().args(["run", "--timeout", "soon", "--", "true"]));
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("invalid duration"), "{}", bad.stderr);
}

#[test]
fn the_suite_passes_as_an_ordinary_user() {
    rerun_as_nobody("the_suite_passes_as_an_ordinary_user", 7);
}
