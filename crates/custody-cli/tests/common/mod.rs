//! Helpers for driving the real `custody` binary.

#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub mod docs;
pub mod index_world;
pub mod sandbox;
pub mod tamper;

/// The instant every test runs "at", so ages and snapshots are stable.
pub const NOW: &str = "2026-11-23T12:00:00Z";

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn shared() -> PathBuf {
    root().join("../shared")
}

pub fn pypa_db() -> PathBuf {
    shared().join("advisories/pypa-advisory-db")
}

pub fn osv_real() -> PathBuf {
    shared().join("advisories/osv-real")
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// The `custody` binary under test: `CUSTODY_TEST_BIN` when the suite
/// runs again as another user (from a copy that user can execute).
pub fn custody_bin() -> PathBuf {
    std::env::var_os("CUSTODY_TEST_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_custody")),
        PathBuf::from,
    )
}

/// A `custody` command with its own home, run from the repository root
/// (or `CUSTODY_TEST_CWD`, for a user who cannot enter it).
pub fn custody(home: &Path) -> Command {
    let mut c = Command::new(custody_bin());
    c.current_dir(std::env::var_os("CUSTODY_TEST_CWD").map_or_else(root, PathBuf::from))
        .env("CUSTODY_HOME", home)
        .env("CUSTODY_NOW", NOW)
        .env_remove("CUSTODY_TEST_CRASH_AFTER");
    c
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

pub fn custody_run(home: &Path, args: &[&str]) -> Run {
    run(custody(home).args(args))
}

/// A home with the PyPA database and the real OSV malicious records imported
/// once per test binary, copied per call so tests cannot disturb each other.
pub fn imported_home() -> tempfile::TempDir {
    static TEMPLATE: OnceLock<tempfile::TempDir> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let t = tempfile::tempdir().unwrap();
        let r = custody_run(
            t.path(),
            &[
                "db",
                "import",
                pypa_db().to_str().unwrap(),
                osv_real().to_str().unwrap(),
            ],
        );
        assert_eq!(r.code, 0, "import failed: {}", r.stderr);
        t
    });
    let home = tempfile::tempdir().unwrap();
    std::fs::copy(
        template.path().join("advisories.db"),
        home.path().join("advisories.db"),
    )
    .unwrap();
    home
}

/// Parses a JSON scan report.
pub fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr))
}

/// (package, version, id) of every finding in a JSON report.
pub fn finding_ids(report: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["package"].as_str().unwrap().to_owned(),
                f["version"].as_str().unwrap().to_owned(),
                f["id"]
                    .as_str()
                    .unwrap_or(f["code"].as_str().unwrap())
                    .to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A virtual environment with `packages` installed by pip from PyPI (wheels
/// only), made once with the `python3` on PATH and kept under
/// `target/test-envs/NAME` until the package list changes.
pub fn pip_venv(name: &str, packages: &[&str]) -> PathBuf {
    let dir = root().join("target/test-envs").join(name);
    let ready = dir.join(".custody-ready");
    let want = packages.join(" ");
    if std::fs::read_to_string(&ready).is_ok_and(|t| t == want) {
        return dir;
    }
    // Tests (and test processes) asking for the same venv at once: one
    // builds it, the others wait and find it ready.
    let _lock = BuildLock::take(&dir.with_extension("lock"));
    if std::fs::read_to_string(&ready).is_ok_and(|t| t == want) {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let ok = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&dir)
        .status()
        .unwrap()
        .success();
    assert!(ok, "python3 -m venv failed");
    let out = Command::new(dir.join("bin/python"))
        .args(["-m", "pip", "install", "--quiet", "--only-binary=:all:"])
        .args(packages)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pip install of {want} failed (this test needs PyPI): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&ready, &want).unwrap();
    dir
}

/// A lock file held while a test venv is built, removed when dropped
/// (also when the build panics); one left by a killed process is taken
/// over after ten minutes.
struct BuildLock(PathBuf);

impl BuildLock {
    fn take(path: &Path) -> Self {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let started = std::time::Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(_) => return Self(path.to_owned()),
                Err(_) if started.elapsed() > std::time::Duration::from_secs(600) => {
                    let _ = std::fs::remove_file(path);
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(200)),
            }
        }
    }
}

impl Drop for BuildLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The data team's environment (`real_envs.rs`, `sbom.rs`), pinned: a new
/// release must not change what CI judges.
pub const ML_PACKAGES: &[&str] = &[
    "litellm==1.82.6",
    "numpy==2.4.6",
    "pandas==3.1.1",
    "pyarrow==26.0.1",
    "scikit-learn==1.9.0",
    "tqdm==4.70.1",
    "joblib==1.6.0",
    "huggingface_hub==2.4.0",
    "boto3==1.42.3",
];

/// [`ML_PACKAGES`] installed by pip from PyPI, kept under `target/test-envs/ml-venv`.
pub fn ml_venv() -> PathBuf {
    pip_venv("ml-venv", ML_PACKAGES)
}
