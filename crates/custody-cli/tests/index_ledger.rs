#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
//! The index's decisions as evidence: `custody guard --ledger` records a
//! signed document of its session, `custody scan --record` records the
//! environment it installed into, and `custody ledger gate` shows every
//! package allowed; a package installed around the gate is `none` (the
//! control that the question can fail). A key the ledger does not trust:
//! exit 7, the document kept next to the log and refused by `ledger add`
//! (exit 5), nothing in `gate_decisions`. On SQLite and PostgreSQL.

mod common;
#[path = "../../custody-ledger/tests/common/pg.rs"]
mod pg;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::index_world::*;

struct Gate<'a> {
    w: &'a World,
    ledger: String,
    uv: PathBuf,
}

impl Gate<'_> {
    fn p(&self, rel: &str) -> PathBuf {
        self.w.dir.path().join(rel)
    }

    fn custody(&self) -> Command {
        let mut c = common::custody(&self.p("custody-home"));
        c.env_remove("CUSTODY_LEDGER")
            .env("HOME", self.p("home"))
            .env("UV_CACHE_DIR", self.p("uv-cache"))
            .env("UV_NO_CONFIG", "1")
            .env("UV_PYTHON_DOWNLOADS", "never")
            .env_remove("http_proxy")
            .env_remove("HTTP_PROXY");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.custody().args(args).output().unwrap()
    }

    fn uv_venv(&self, name: &str) -> PathBuf {
        let venv = self.p(name);
        let o = Command::new(&self.uv)
            .args(["venv", "--python", "python3"])
            .arg(&venv)
            .env("UV_CACHE_DIR", self.p("uv-cache"))
            .env("UV_PYTHON_DOWNLOADS", "never")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        venv
    }

    fn uv_pip(&self, venv: &Path, what: &str) -> Vec<OsString> {
        vec![
            self.uv.clone().into(),
            "pip".into(),
            "install".into(),
            "--no-cache".into(),
            "--python".into(),
            venv.join("bin/python").into(),
            what.into(),
        ]
    }

    /// `custody guard --ledger L -k KEY -- COMMAND`.
    fn guard(&self, key: &str, command: &[OsString]) -> Output {
        self.custody()
            .args([
                "guard",
                "--upstream",
                &self.w.upstream_url(),
                "--timeout",
                "5",
            ])
            .arg("--policy")
            .arg(self.p("custody.toml"))
            .arg("--log")
            .arg(self.p("guard.jsonl"))
            .args(["--ledger", &self.ledger, "-k"])
            .arg(self.p(key))
            .arg("--")
            .args(command)
            .output()
            .unwrap()
    }

    fn scan_record(&self, venv: &Path) {
        let o = self
            .custody()
            .arg("scan")
            .arg(venv)
            .args(["--record", "-k"])
            .arg(self.p("lab.key"))
            .args(["--ledger", &self.ledger, "--no-inspect"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }

    fn gate_json(&self, venv: &Path) -> (Option<i32>, serde_json::Value) {
        let o = self
            .custody()
            .args(["ledger", "gate"])
            .arg(venv)
            .args(["--ledger", &self.ledger, "--format", "json"])
            .output()
            .unwrap();
        let json =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
        (o.status.code(), json)
    }

    /// The events in the ledger (from `ledger verify`, which also checks
    /// that every derived row, `gate_decisions` included, is the log's).
    fn events(&self) -> u64 {
        let o = self.run(&[
            "ledger",
            "verify",
            "--ledger",
            &self.ledger,
            "--format",
            "json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["events"].as_u64().unwrap()
    }

    fn documents(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.p("guard.jsonl.d"))
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }
}

fn verdicts(report: &serde_json::Value) -> Vec<(String, String)> {
    report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["gate"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn gate_story(ledger: impl Fn(&Path) -> String, snapshot: bool) {
    let w = world();
    let g = Gate {
        ledger: ledger(w.dir.path()),
        w: &w,
        uv: uv(),
    };
    for name in ["lab", "other"] {
        let o = g.run(&["key", "generate", "-o", g.p(name).to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let o = g.run(&[
        "ledger",
        "trust",
        "add",
        g.p("lab.pub").to_str().unwrap(),
        "--ledger",
        &g.ledger,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // Installed through the guard, recorded: every package allowed.
    let venv = g.uv_venv("gated");
    let o = g.guard("lab.key", &g.uv_pip(&venv, "requests==2.19.1"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("recorded in the ledger"), "{}", text(&o));
    g.scan_record(&venv);
    let (code, report) = g.gate_json(&venv);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["schema"], "custody.ledger-gate/v1");
    assert_eq!(
        verdicts(&report),
        ["certifi", "chardet", "idna", "requests", "urllib3"]
            .map(|n| (n.to_owned(), "allowed".to_owned()))
    );
    let idna = &report["packages"][2]["decisions"][0];
    assert_eq!(idna["filename"], "idna-2.7-py2.py3-none-any.whl");
    assert_eq!(
        idna["sha256"].as_str().unwrap(),
        hex(&std::fs::read(common::fixture("wheels/idna-2.7-py2.py3-none-any.whl")).unwrap()),
        "the digest of the file served"
    );

    // Control: a package installed straight from the upstream, around the
    // gate, is there without a decision.
    let o = Command::new(&g.uv)
        .args(["pip", "install", "--no-cache", "--python"])
        .arg(venv.join("bin/python"))
        .args(["--default-index", &w.upstream_url(), "Jinja2==2.10"])
        .env("UV_CACHE_DIR", g.p("uv-cache"))
        .env("UV_NO_CONFIG", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    g.scan_record(&venv);
    let (code, report) = g.gate_json(&venv);
    assert_eq!(code, Some(1), "{report:#}");
    let none: Vec<String> = verdicts(&report)
        .into_iter()
        .filter(|(_, v)| v == "none")
        .map(|(n, _)| n)
        .collect();
    assert_eq!(none, ["jinja2", "markupsafe"], "{report:#}");
    if snapshot {
        snapshot_text(&g, &venv);
    }

    // A key the ledger does not trust: the session's document is written
    // and not recorded (exit 7); `ledger add` refuses it (exit 5).
    let before = g.documents();
    let events = g.events();
    let venv2 = g.uv_venv("untrusted");
    let o = g.guard("other.key", &g.uv_pip(&venv2, "idna==2.7"));
    assert_eq!(o.status.code(), Some(7), "{}", text(&o));
    assert!(
        text(&o).contains("was written but not recorded"),
        "{}",
        text(&o)
    );
    let after = g.documents();
    assert_eq!(after.len(), before.len() + 1);
    let document = after.iter().find(|d| !before.contains(d)).unwrap();
    let o = g.run(&[
        "ledger",
        "add",
        document.to_str().unwrap(),
        "--ledger",
        &g.ledger,
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert_eq!(
        g.events(),
        events,
        "nothing of the untrusted session entered"
    );

    // The derived table is rebuilt from the log and matches.
    let o = g.run(&["ledger", "verify", "--ledger", &g.ledger]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// The text of `ledger gate` for the environment with a package
/// installed around the gate.
fn snapshot_text(g: &Gate<'_>, venv: &Path) {
    let o = g
        .custody()
        .args(["ledger", "gate"])
        .arg(venv)
        .args(["--ledger", &g.ledger])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    insta::with_settings!({filters => vec![
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[TIME]"),
        (r"environment /\S+ \([0-9a-f]{12}\), ledger \S+", "environment [VENV] ([ID]), ledger [LEDGER]"),
    ]}, {
        insta::assert_snapshot!("ledger_gate_text", String::from_utf8_lossy(&o.stdout));
    });
}

#[test]
fn guard_decisions_show_an_environment_passed_the_gate_on_sqlite() {
    gate_story(|d| d.join("ledger.db").to_str().unwrap().to_owned(), true);
}

#[test]
fn guard_decisions_show_an_environment_passed_the_gate_on_postgres() {
    let cluster = pg::Cluster::start();
    gate_story(|_| cluster.url(), false);
}

#[test]
fn ledger_gate_names_an_unknown_environment() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.db");
    let key = dir.path().join("lab");
    let run = |args: &[&str]| {
        common::custody(&dir.path().join("home"))
            .env_remove("CUSTODY_LEDGER")
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["key", "generate", "-o", key.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let pubkey = dir.path().join("lab.pub");
    let args = ["ledger", "trust", "add", pubkey.to_str().unwrap()];
    let o = run(&[&args[..], &["--ledger", ledger.to_str().unwrap()]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&[
        "ledger",
        "gate",
        "/no/such/venv",
        "--ledger",
        ledger.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("knows no environment \"/no/such/venv\""),
        "{}",
        text(&o)
    );
    // No ledger at all: exit 6, none created.
    let missing = dir.path().join("missing.db");
    let o = run(&["ledger", "gate", "x", "--ledger", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(6), "{}", text(&o));
    assert!(!missing.exists());
}

/// `index serve --ledger`: what is pending when SIGTERM comes is recorded
/// before it exits (143); the document is beside the log, its rows in the
/// ledger.
#[test]
fn serve_records_pending_decisions_when_stopped() {
    use std::io::{BufRead as _, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let upstream = serve_upstream(content(dir.path()));
    let home = dir.path().join("custody-home");
    let ledger = dir.path().join("ledger.db");
    let ledger = ledger.to_str().unwrap();
    let run = |args: &[&str]| {
        let o = common::custody(&home)
            .env_remove("CUSTODY_LEDGER")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        o
    };
    let key = dir.path().join("lab");
    run(&["key", "generate", "-o", key.to_str().unwrap()]);
    let public = dir.path().join("lab.pub");
    run(&[
        "ledger",
        "trust",
        "add",
        public.to_str().unwrap(),
        "--ledger",
        ledger,
    ]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = dir.path().join("serve.jsonl");
    let mut child = common::custody(&home)
        .env_remove("CUSTODY_LEDGER")
        .args(["index", "serve", "--listen", &format!("127.0.0.1:{port}")])
        .args([
            "--upstream",
            &format!("http://127.0.0.1:{upstream}/simple/"),
        ])
        .arg("--log")
        .arg(&log)
        .args(["--ledger", ledger, "-k"])
        .arg(dir.path().join("lab.key"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    assert!(line.contains("serving"), "{line}");
    let (status, _, _) = request(port, "/simple/idna/", None);
    assert_eq!(status, 200);
    let (status, _, bytes) = request(port, "/files/idna/idna-2.7-py2.py3-none-any.whl", None);
    assert_eq!(status, 200);
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    assert_eq!(status.code(), Some(143), "{rest}");
    assert!(rest.contains("recorded in the ledger"), "{rest}");
    let documents: Vec<_> = std::fs::read_dir(dir.path().join("serve.jsonl.d"))
        .unwrap()
        .collect();
    assert_eq!(documents.len(), 1, "{rest}");
    let db = rusqlite::Connection::open(ledger).unwrap();
    let served: String = db
        .query_row(
            "SELECT sha256 FROM gate_decisions WHERE action = 'allowed' AND status = 200",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(served, hex(&bytes), "the digest of the bytes served");
    let o = common::custody(&home)
        .env_remove("CUSTODY_LEDGER")
        .args(["ledger", "verify", "--ledger", ledger])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// `index mirror --ledger`: the files mirrored are the document's
/// subjects and allowed rows in the ledger.
#[test]
fn mirror_records_the_files_it_mirrored() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let upstream = serve_upstream(content(dir.path()));
    let home = dir.path().join("custody-home");
    let ledger = dir.path().join("ledger.db");
    let ledger = ledger.to_str().unwrap();
    let custody = |args: &[&str]| {
        common::custody(&home)
            .env_remove("CUSTODY_LEDGER")
            .args(args)
            .output()
            .unwrap()
    };
    let key = dir.path().join("lab");
    let o = custody(&["key", "generate", "-o", key.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let public = dir.path().join("lab.pub");
    let o = custody(&[
        "ledger",
        "trust",
        "add",
        public.to_str().unwrap(),
        "--ledger",
        ledger,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut lock = String::new();
    let mut digests = Vec::new();
    for (project, file) in [
        ("idna", "idna-2.7-py2.py3-none-any.whl"),
        ("urllib3", "urllib3-1.23-py2.py3-none-any.whl"),
    ] {
        let digest = hex(&std::fs::read(common::fixture(&format!("wheels/{file}"))).unwrap());
        let version = file.split('-').nth(1).unwrap();
        writeln!(lock, "{project}=={version} --hash=sha256:{digest}").unwrap();
        digests.push((file.to_owned(), digest));
    }
    let requirements = dir.path().join("requirements.txt");
    std::fs::write(&requirements, lock).unwrap();
    let log = dir.path().join("mirror.jsonl");
    let key_file = dir.path().join("lab.key");
    let o = custody(&[
        "index",
        "mirror",
        requirements.to_str().unwrap(),
        "-o",
        dir.path().join("out").to_str().unwrap(),
        "-k",
        key_file.to_str().unwrap(),
        "--upstream",
        &format!("http://127.0.0.1:{upstream}/simple/"),
        "--log",
        log.to_str().unwrap(),
        "--ledger",
        ledger,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("2 file(s) served recorded in the ledger"),
        "{}",
        text(&o)
    );
    let db = rusqlite::Connection::open(ledger).unwrap();
    let mut rows: Vec<(String, String)> = db
        .prepare(
            "SELECT filename, sha256 FROM gate_decisions WHERE action = 'allowed' AND status = 200",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.sort();
    assert_eq!(rows, digests);
    let o = custody(&["ledger", "verify", "--ledger", ledger]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}
