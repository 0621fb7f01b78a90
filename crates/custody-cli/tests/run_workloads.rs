//! `custody run` allows what real data steps need: the workloads the
//! seccomp allow-list was derived from (`fixtures/run/`) run under custody
//! with the same outputs as when run plainly, and with no system call
//! refused. CPython with numpy, pandas and pyarrow (installed once from
//! PyPI into `target/test-envs/`), a coreutils pipeline, and a Rust binary
//! with rayon threads (custody's own `seal`).

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::sandbox::{World, attempts, byproduct};

/// The data packages, pinned.
const PACKAGES: &[&str] = &["numpy==2.4.6", "pandas==3.1.1", "pyarrow==26.0.1"];

fn workload(name: &str) -> PathBuf {
    common::fixture(&format!("run/{name}"))
}

/// A virtual environment with [`PACKAGES`], made once with the `python3`
/// on PATH and pip from PyPI, kept under `target/test-envs/`.
fn data_venv() -> PathBuf {
    common::pip_venv("data-venv", PACKAGES)
}

/// Inputs of the workloads, made by `gen_data.py`.
fn inputs(w: &World) -> PathBuf {
    let data = w.p("data");
    std::fs::create_dir_all(&data).unwrap();
    let ok = Command::new(common::sandbox::PY)
        .arg(workload("gen_data.py"))
        .arg(&data)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    data
}

/// Every file of `dir`, relative, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Runs `argv` plainly with `OUT` replaced by `plain/` and under
/// `custody run` with `boxed/`; both must succeed, and custody must have
/// refused no system call. Returns the two folders.
fn under_custody(w: &World, reads: &[&Path], argv: &[&str]) -> (PathBuf, PathBuf) {
    let plain = w.p("plain");
    let boxed = w.p("boxed");
    for d in [&plain, &boxed] {
        std::fs::create_dir_all(d).unwrap();
    }
    let with_out = |out: &Path| -> Vec<String> {
        argv.iter()
            .map(|s| s.replace("OUT", out.to_str().unwrap()))
            .collect()
    };
    let control = common::run(
        Command::new(argv[0])
            .args(&with_out(&plain)[1..])
            .env("TMPDIR", w.p("tmp"))
            .env("LANG", "C.UTF-8"),
    );
    assert_eq!(control.code, 0, "control: {}", control.stderr);
    let att = w.s("att.json");
    let mut cmd = w.custody();
    cmd.args(["run", "--attest", &att, "--output", boxed.to_str().unwrap()]);
    for r in reads {
        cmd.args(["--input", r.to_str().unwrap()]);
    }
    cmd.arg("--").args(with_out(&boxed));
    let r = common::run(&mut cmd);
    assert_eq!(r.code, 0, "under custody: {}", r.stderr);
    let st = w.statement();
    // glibc asks nscd for users and groups, and falls back to /etc when
    // the connect fails: the one network attempt these steps make.
    let refused: Vec<_> = attempts(&st)
        .into_iter()
        .filter(|a| a["reason"] == "refused" || a["reason"] == "network")
        .filter(|a| a["target"] != "unix:/var/run/nscd/socket")
        .collect();
    assert!(
        refused.is_empty(),
        "no call refused: {refused:#?}\n{}",
        r.stderr
    );
    assert_eq!(byproduct(&st, "processes")["killed_count"], 0);
    (plain, boxed)
}

/// [`under_custody`], and the two runs wrote the same files.
fn same_under_custody(w: &World, reads: &[&Path], argv: &[&str]) {
    let (plain, boxed) = under_custody(w, reads, argv);
    assert_eq!(files(&plain), files(&boxed), "the same outputs");
}

#[test]
fn a_numpy_pandas_pyarrow_step() {
    let w = World::new();
    let data = inputs(&w);
    let venv = data_venv();
    let py = venv.join("bin/python");
    let script = workload("pipeline.py");
    same_under_custody(
        &w,
        &[&data, &script],
        &[
            py.to_str().unwrap(),
            script.to_str().unwrap(),
            data.to_str().unwrap(),
            "OUT",
        ],
    );
    let report = std::fs::read_to_string(w.p("boxed/report.txt")).unwrap();
    assert!(report.contains("processes [332833500"), "{report}");
    assert!(report.contains("subprocess HI"), "{report}");
}

#[test]
fn a_coreutils_pipeline() {
    let w = World::new();
    let data = inputs(&w);
    let script = workload("pipeline.sh");
    same_under_custody(
        &w,
        &[&data, &script],
        &[
            "/bin/sh",
            script.to_str().unwrap(),
            data.to_str().unwrap(),
            "OUT",
        ],
    );
    let count = std::fs::read_to_string(w.p("boxed/count.txt")).unwrap();
    assert_eq!(count.trim(), "1000");
}

/// custody's own `seal`: a Rust binary with rayon threads, a directory
/// walk, memory maps and parallel hashing.
#[test]
fn a_rust_binary_with_threads() {
    let w = World::new();
    let data = inputs(&w);
    let prefix = w.s("lab");
    let r = common::run(w.custody().args(["key", "generate", "-o", &prefix]));
    assert_eq!(r.code, 0);
    let key = PathBuf::from(format!("{prefix}.key"));
    let custody = common::custody_bin();
    let c = custody.to_str().unwrap();
    let (plain, boxed) = under_custody(
        &w,
        &[&data, &key],
        &[
            c,
            "seal",
            data.to_str().unwrap(),
            "-k",
            key.to_str().unwrap(),
            "-o",
            "OUT/m.json",
        ],
    );
    // The manifests differ in their times; the Merkle roots agree.
    let root =
        |dir: &Path| common::sandbox::payload(&dir.join("m.json"))["subject"][0]["digest"].clone();
    assert_eq!(root(&plain), root(&boxed));
    assert!(root(&boxed).is_object());
}
