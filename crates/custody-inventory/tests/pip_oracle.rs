//! Oracle: custody reads every requirements file of `fixtures/requirements/`
//! as pip 26.3's own parser does (`pip._internal.req.req_file.
//! parse_requirements` with a `PipSession`, then
//! `install_req_from_parsed_requirement`): the same (file, line, name,
//! pin kind, version or specifier) rows, and a file pip refuses is a file
//! custody reports problems for (at pip's line, when pip names one).
//!
//! pip is installed, pinned, into a venv under the target folder the first
//! time (PyPI is needed once); `tests/oracle/pip_oracle.py` runs it.

#![allow(
    clippy::unwrap_used,
    clippy::disallowed_methods,
    reason = "test setup fails loudly; std::fs is fine in tests"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use custody_inventory::{Inventory, InventoryError, LockfileKind, Pin, read_lockfile};

const PIP: &str = "26.3";

/// (file name, line, name, kind, value).
type Row = (String, String, String, String, String);

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/requirements")
}

/// `target/pip-oracle-26.3/bin/python`, made on first use.
fn python() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test binary>
    let target = exe.ancestors().nth(3).unwrap().to_owned();
    let venv = target.join(format!("pip-oracle-{PIP}"));
    let py = venv.join("bin/python");
    let ok = |py: &Path| {
        Command::new(py)
            .args(["-m", "pip", "--version"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).starts_with(&format!("pip {PIP} ")))
    };
    if !ok(&py) {
        let made = Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv)
            .status()
            .expect("python3 is needed for the pip oracle");
        assert!(made.success(), "python3 -m venv failed");
        let pinned = Command::new(&py)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("pip=={PIP}"),
            ])
            .status()
            .unwrap();
        assert!(pinned.success(), "installing pip=={PIP} failed");
        assert!(ok(&py), "the venv does not run pip {PIP}");
    }
    py
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

/// pip's reading: per file, its rows or its error.
fn pip_reading(files: &[PathBuf]) -> Vec<(String, Result<Vec<Row>, String>)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/pip_oracle.py");
    let out = Command::new(python())
        .arg(script)
        .args(files)
        .current_dir(corpus())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut result: Vec<(String, Result<Vec<Row>, String>)> = Vec::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        match cols.as_slice() {
            ["file", f] => result.push(((*f).to_owned(), Ok(Vec::new()))),
            ["error", msg] => result.last_mut().unwrap().1 = Err((*msg).to_owned()),
            [file, line, name, kind, value] => {
                if let Ok(rows) = &mut result.last_mut().unwrap().1 {
                    rows.push((
                        (*file).into(),
                        (*line).into(),
                        (*name).into(),
                        (*kind).into(),
                        (*value).into(),
                    ));
                }
            }
            other => panic!("unexpected oracle line {other:?}"),
        }
    }
    result
}

fn normal(v: &str) -> String {
    custody_pypa::parse_version(v).map_or_else(|_| v.to_owned(), |p| p.to_string())
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// custody's reading, as the same rows.
fn custody_rows(inv: &Inventory) -> Vec<Row> {
    let mut rows = Vec::new();
    for p in &inv.packages {
        let (kind, value) = match &p.pin {
            Pin::Exact => ("exact", p.version_text.clone().unwrap_or_default()),
            Pin::Unpinned { specifier } => {
                let mut specs: Vec<String> = specifier
                    .split(',')
                    .map(|s| s.split_whitespace().collect::<String>())
                    .filter(|s| !s.is_empty())
                    .collect();
                specs.sort();
                ("spec", specs.join(","))
            }
            Pin::Url { .. } | Pin::Local { .. } | Pin::Vcs { .. } => (
                "url",
                p.version_text.as_deref().map(normal).unwrap_or_default(),
            ),
            Pin::Editable { .. } => ("editable", String::new()),
            Pin::Installed => ("installed", String::new()),
        };
        rows.push((
            file_name(&p.origin.path),
            p.origin.line.unwrap_or(0).to_string(),
            p.name.to_string(),
            kind.to_owned(),
            value,
        ));
    }
    for u in &inv.unresolved {
        let kind = if u.reason.starts_with("editable") {
            "editable"
        } else {
            "url"
        };
        rows.push((
            file_name(&u.origin.path),
            u.origin.line.unwrap_or(0).to_string(),
            String::new(),
            kind.to_owned(),
            String::new(),
        ));
    }
    rows.sort();
    rows
}

#[test]
fn requirements_files_read_as_pip_reads_them() {
    let files = corpus_files();
    assert!(files.len() >= 15, "corpus: {files:?}");
    let pip = pip_reading(&files);
    assert_eq!(pip.len(), files.len());
    let mut disagreements = Vec::new();
    let (mut agreed_rows, mut agreed_errors) = (0, 0);
    for (file, (shown, verdict)) in files.iter().zip(&pip) {
        let ours = read_lockfile(file, LockfileKind::Requirements);
        match (verdict, ours) {
            (Ok(expected), Ok(inv)) => {
                let mut expected = expected.clone();
                expected.sort();
                let got = custody_rows(&inv);
                if got == expected {
                    agreed_rows += got.len();
                } else {
                    disagreements.push(format!(
                        "{shown}:\n  pip:     {expected:?}\n  custody: {got:?}"
                    ));
                }
            }
            (Err(pip_error), Err(InventoryError::Invalid { problems, .. })) => {
                // pip names the line of an invalid requirement: custody must too.
                let pip_line = pip_error
                    .split("(from line ")
                    .nth(1)
                    .and_then(|r| r.split(' ').next())
                    .and_then(|n| n.parse::<usize>().ok());
                match pip_line {
                    Some(l) if !problems.iter().any(|p| p.line == l) => disagreements.push(
                        format!("{shown}: pip refuses line {l}; custody: {problems:?}"),
                    ),
                    _ => agreed_errors += 1,
                }
            }
            (Ok(_), Err(e)) => disagreements.push(format!("{shown}: pip reads it; custody: {e}")),
            (Err(e), Ok(inv)) => disagreements.push(format!(
                "{shown}: pip refuses it ({e}); custody reads {:?}",
                custody_rows(&inv)
            )),
            (Err(e), Err(other)) => disagreements.push(format!(
                "{shown}: pip refuses it ({e}); custody fails the whole file: {other}"
            )),
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // The claims are not vacuous: every case was seen.
    assert!(agreed_rows >= 30, "{agreed_rows} rows agreed");
    assert!(agreed_errors >= 7, "{agreed_errors} refusals agreed");
}

#[test]
fn the_corpus_holds_every_case_of_issue_13() {
    let text = |f: &str| std::fs::read(corpus().join(f)).unwrap();
    assert!(text("bom.txt").starts_with(b"\xEF\xBB\xBF"));
    assert!(
        String::from_utf8(text("config-settings.txt"))
            .unwrap()
            .contains(" -C ")
    );
    assert!(
        String::from_utf8(text("arbitrary-equality.txt"))
            .unwrap()
            .contains("===1.0-custom")
    );
    assert!(
        String::from_utf8(text("env-vars.txt"))
            .unwrap()
            .contains("${")
    );
    assert!(
        String::from_utf8(text("continuation-in-token.txt"))
            .unwrap()
            .contains("req\\\nuests")
    );
    assert!(
        String::from_utf8(text("urls.txt"))
            .unwrap()
            .contains("%2Bcu121")
    );
}
