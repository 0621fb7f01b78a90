//! Helpers for `custody run` escape tests: probes in Python that catch
//! their own errors and print what happened, run once plainly (the
//! control: the probe works there) and once under `custody run` (the
//! treatment), with `python3 -I -S` so that nothing but the probe runs (no
//! site, no `.pth`).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Run, run};

/// The interpreter every probe runs with.
pub const PY: &str = "/usr/bin/python3";

/// A fake secret planted where the probes look for one.
pub const FAKE_KEY: &str = "FAKE-PRIVATE-KEY-custody-test";

/// What every probe starts with: `call(what, r)` reports a libc return
/// value, `attempt(what, fn)` a Python call; each prints one line,
/// `PROBE <what> ok` or `PROBE <what> err <ERRNO>`.
pub const PRELUDE: &str = r#"
import ctypes, errno, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
def name(e):
    return errno.errorcode.get(e, str(e))
def call(what, r):
    if r == -1:
        print(f"PROBE {what} err {name(ctypes.get_errno())}", flush=True)
    else:
        print(f"PROBE {what} ok", flush=True)
def attempt(what, fn):
    try:
        fn()
        print(f"PROBE {what} ok", flush=True)
    except OSError as e:
        print(f"PROBE {what} err {name(e.errno)}", flush=True)
"#;

/// A folder of planted files, outside any policy.
pub struct World {
    pub dir: tempfile::TempDir,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let w = Self { dir };
        for d in ["home", "tmp", "out"] {
            std::fs::create_dir_all(w.p(d)).unwrap();
        }
        w
    }

    pub fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn s(&self, rel: &str) -> String {
        self.p(rel).to_str().unwrap().to_owned()
    }

    /// `home/.ssh/id_rsa`, mode 0600, holding [`FAKE_KEY`].
    pub fn plant_key(&self) -> PathBuf {
        let key = self.p("home/.ssh/id_rsa");
        std::fs::create_dir_all(key.parent().unwrap()).unwrap();
        std::fs::write(&key, FAKE_KEY).unwrap();
        mode(&key, 0o600);
        key
    }

    /// The probe run plainly, with the world's HOME.
    pub fn control(&self, code: &str) -> Run {
        run(Command::new(PY)
            .args(["-I", "-S", "-c", &format!("{PRELUDE}{code}")])
            .current_dir(self.dir.path())
            .env("HOME", self.p("home"))
            .env("TMPDIR", self.p("tmp")))
    }

    /// `custody run ARGS --attest att.json -- python3 -I -S -c PROBE`, with
    /// the world's HOME and TMPDIR (custody's private folders go there).
    /// Returns the run and the attestation's statement.
    pub fn sandboxed(&self, args: &[&str], code: &str) -> (Run, serde_json::Value) {
        let _ = std::fs::remove_file(self.p("att.json"));
        let r = run(&mut self.probe(args, code));
        (r, self.statement())
    }

    /// The command of [`World::sandboxed`], to add to, spawn or bound.
    pub fn probe(&self, args: &[&str], code: &str) -> Command {
        let mut c = self.custody();
        c.arg("run")
            .args(args)
            .args(["--attest", &self.s("att.json"), "--", PY, "-I", "-S", "-c"])
            .arg(format!("{PRELUDE}{code}"));
        c
    }

    /// The unsigned attestation `att.json` (`Null` when there is none).
    pub fn statement(&self) -> serde_json::Value {
        std::fs::read(self.p("att.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    /// A `custody` command in the world, with its HOME and TMPDIR.
    pub fn custody(&self) -> Command {
        let mut c = super::custody(self.dir.path());
        c.current_dir(self.dir.path())
            .env("HOME", self.p("home"))
            .env("TMPDIR", self.p("tmp"));
        c
    }
}

/// `s` as a Python string literal (JSON's escapes are Python's).
pub fn py(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

pub fn mode(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(m)).unwrap();
}

/// What the probe `what` printed: `ok`, `err EPERM`, ... (panics with the
/// output when it printed nothing: the probe did not run).
pub fn probe(r: &Run, what: &str) -> String {
    let prefix = format!("PROBE {what} ");
    r.stdout
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| {
            panic!(
                "probe {what} printed nothing (code {}):\nstdout: {}\nstderr: {}",
                r.code, r.stdout, r.stderr
            )
        })
        .to_owned()
}

/// The statement inside a DSSE envelope file (unchecked: tests that
/// check the signature do so themselves).
pub fn payload(file: &Path) -> serde_json::Value {
    let env: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let bytes = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        env["payload"].as_str().unwrap(),
    )
    .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// A listener on 127.0.0.1 that keeps everything it receives (and answers
/// an HTTP request, so that a client's `urlopen` returns).
pub fn tcp_listener() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    use std::io::{Read as _, Write as _};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = std::sync::Arc::clone(&got);
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut c) = conn else { continue };
            c.set_read_timeout(Some(std::time::Duration::from_secs(2)))
                .unwrap();
            let mut buf = [0u8; 4096];
            while let Ok(n) = c.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
                let _ = c.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
            }
        }
    });
    (port, got)
}

/// The byproduct `name` of a statement.
pub fn byproduct<'a>(st: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    st["predicate"]["runDetails"]["byproducts"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["name"] == name))
        .map_or(&serde_json::Value::Null, |b| &b["annotations"])
}

/// The recorded attempts of a statement.
pub fn attempts(st: &serde_json::Value) -> Vec<serde_json::Value> {
    byproduct(st, "attempts")["attempts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The attempt with this call and target, or a panic listing them all.
pub fn attempt(st: &serde_json::Value, call: &str, target: &str) -> serde_json::Value {
    let all = attempts(st);
    all.iter()
        .find(|a| a["call"] == call && a["target"] == target)
        .cloned()
        .unwrap_or_else(|| panic!("no {call} {target} among {all:#?}"))
}

pub fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
}

/// When the suite runs as root, runs every other test of this test binary
/// again as `nobody` (uid 65534), from copies of the test binary and of
/// custody in a folder that user can enter. Returns at once when not root
/// (the suite is already unprivileged) or when already rerun.
pub fn rerun_as_nobody(skip: &str, at_least: u32) {
    if !is_root() || std::env::var_os("CUSTODY_TEST_UNPRIVILEGED").is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    mode(dir.path(), 0o755);
    let tests = dir.path().join("run-tests");
    let custody = dir.path().join("custody");
    std::fs::copy(std::env::current_exe().unwrap(), &tests).unwrap();
    std::fs::copy(super::custody_bin(), &custody).unwrap();
    mode(&tests, 0o755);
    mode(&custody, 0o755);
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&tests)
        .args(["--skip", skip, "--test-threads", "2"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir.path())
        .env("TMPDIR", "/tmp")
        .env("CUSTODY_TEST_BIN", &custody)
        .env("CUSTODY_TEST_CWD", dir.path())
        .env("CUSTODY_TEST_UNPRIVILEGED", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "as nobody:\n{text}");
    let passed: u32 = text
        .split("test result: ok. ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        passed >= at_least,
        "every other test ran as nobody:\n{text}"
    );
}
