//! Issue 15's end-to-end story, through the binary, on SQLite and on a
//! throwaway PostgreSQL cluster: a virtual environment holding a harmless
//! replica of litellm 1.82.8 is scanned and recorded; a step run in it
//! under `custody run --record` reads a sealed dataset and writes a new
//! version of another; a downstream step in a clean environment builds a
//! third from it. `custody impact --advisory MAL-2026-2144` must name
//! exactly that environment, that run, what it read (exposed), what it
//! wrote (with the records that differ from the version sealed before)
//! and the downstream version — and nothing of the clean step's own.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;
#[path = "../../custody-ledger/tests/common/pg.rs"]
mod pg;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Run;
use serde_json::Value;

struct Story {
    dir: tempfile::TempDir,
    ledger: String,
}

impl Story {
    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn s(&self, rel: &str) -> String {
        self.p(rel).to_str().unwrap().to_owned()
    }

    fn command(&self) -> Command {
        let mut c = common::custody(&self.p("home"));
        // Runs happen now; the advisory's window ends at the real now.
        c.env_remove("CUSTODY_NOW")
            .env("CUSTODY_LEDGER", &self.ledger)
            .env("HOME", self.p("home"))
            .env("TMPDIR", self.p("tmp"))
            .current_dir(self.dir.path());
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        common::run(self.command().args(args))
    }

    fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
        r
    }

    /// Seals `dir` (SHA-256, the digest runs name folders by), recorded;
    /// the root's hex.
    fn seal(&self, dir: &str, out: &str) -> String {
        let r = self.ok(&[
            "seal",
            &self.s(dir),
            "-k",
            &self.s("vendor.key"),
            "-o",
            &self.s(out),
            "--hash",
            "sha256",
            "--record",
        ]);
        let root = r
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("root "))
            .unwrap()
            .trim();
        root.split_once(':').map_or(root, |(_, h)| h).to_owned()
    }

    /// `custody run --record` of `python -c code` reading `input` and
    /// writing `output`; the run's id (its attestation's SHA-256).
    fn step(&self, python: &str, input: &str, output: &str, code: &str, att: &str) -> String {
        self.step_with(&[], python, input, output, code, att)
    }

    /// [`Story::step`] with more `custody run` flags.
    fn step_with(
        &self,
        flags: &[&str],
        python: &str,
        input: &str,
        output: &str,
        code: &str,
        att: &str,
    ) -> String {
        let (input, output, key, attest) = (
            self.s(input),
            self.s(output),
            self.s("vendor.key"),
            self.s(att),
        );
        let mut args = vec!["run"];
        args.extend_from_slice(flags);
        args.extend_from_slice(&[
            "--input", &input, "--output", &output, "-k", &key, "--attest", &attest, "--record",
            "--", python, "-c", code,
        ]);
        let r = common::run(
            self.command()
                .env("OPENAI_API_KEY", "sk-test-not-a-secret")
                .args(&args),
        );
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
        sha256_file(&self.p(att))
    }
}

fn sha256_file(p: &Path) -> String {
    use sha2::Digest as _;
    let bytes = std::fs::read(p).unwrap();
    sha2::Sha256::digest(&bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A virtual environment (no pip) with a replica of litellm 1.82.8: its
/// metadata, an empty module, and a `.pth` that runs at start-up like the
/// real one but only marks that it ran.
fn replica_venv(venv: &Path) {
    let out = Command::new(common::sandbox::PY)
        .args(["-m", "venv", "--without-pip"])
        .arg(venv)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let site = std::fs::read_dir(venv.join("lib"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
        .join("site-packages");
    let dist = site.join("litellm-1.82.8.dist-info");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::create_dir_all(site.join("litellm")).unwrap();
    std::fs::write(
        dist.join("METADATA"),
        "Metadata-Version: 2.1\nName: litellm\nVersion: 1.82.8\n",
    )
    .unwrap();
    std::fs::write(site.join("litellm/__init__.py"), "").unwrap();
    std::fs::write(
        site.join("litellm_init.pth"),
        "import os; os.environ.setdefault('REPLICA_PTH_RAN', '1')\n",
    )
    .unwrap();
    std::fs::write(
        dist.join("RECORD"),
        "litellm/__init__.py,,\nlitellm_init.pth,,\nlitellm-1.82.8.dist-info/METADATA,,\nlitellm-1.82.8.dist-info/RECORD,,\n",
    )
    .unwrap();
}

fn names(hits: &Value) -> Vec<String> {
    let mut v: Vec<String> = hits
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["datasets"].as_array().unwrap().clone())
        .map(|d| {
            format!(
                "{}@{}",
                d["name"].as_str().unwrap(),
                d["root"].as_str().unwrap()
            )
        })
        .collect();
    v.sort();
    v
}

/// What the story made: roots (hex) and run ids.
struct Played {
    raw: String,
    clean_before: String,
    clean_after: String,
    train: String,
    curate: String,
    downstream: String,
}

fn story(ledger: impl FnOnce(&Path) -> String) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = ledger(dir.path());
    let st = Story { dir, ledger };
    let played = play(&st);
    check(&st, &played);
}

fn play(st: &Story) -> Played {
    for d in ["tmp", "raw", "clean", "train"] {
        std::fs::create_dir_all(st.p(d)).unwrap();
    }
    st.ok(&["key", "generate", "-o", &st.s("vendor")]);
    st.ok(&["ledger", "trust", "add", &st.s("vendor.pub")]);
    replica_venv(&st.p("venv"));
    let python = st.s("venv/bin/python");

    // The sources: raw data, and yesterday's clean version.
    std::fs::write(st.p("raw/a.jsonl"), "{\"id\":1}\n{\"id\":2}\n{\"id\":5}\n").unwrap();
    std::fs::write(st.p("clean/a.jsonl"), "{\"id\":1}\n{\"id\":2}\n").unwrap();
    let raw = st.seal("raw", "raw.m.json");
    let clean_before = st.seal("clean", "clean0.m.json");

    // The vendor's scan finds the release and records the whole inventory.
    let r = st.run(&[
        "scan",
        &st.s("venv"),
        "--no-inspect",
        "--record",
        "-k",
        &st.s("vendor.key"),
        "--inventory",
        &st.s("inventory.json"),
    ]);
    assert_eq!(
        r.code, 1,
        "the malicious release fails the scan: {}",
        r.stderr
    );
    assert!(r.stdout.contains("MAL-2026-2144"), "{}", r.stdout);
    assert!(
        r.stderr.contains("inventory.json in the ledger"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(": stored (event"), "{}", r.stderr);

    // The curation step runs in the compromised environment: it reads raw
    // and writes a new clean version: raw's three records and one more,
    // where the version before held two of them.
    let copy = format!(
        "import os; open({:?},'w').write(open({:?}).read() + '{{\"id\":3,\"pth\":' + os.environ.get('REPLICA_PTH_RAN','0') + '}}\\n')",
        st.s("clean/a.jsonl"),
        st.s("raw/a.jsonl")
    );
    // It was given an API key by name and could read a folder of AWS
    // credentials: both are in scope for the incident report.
    std::fs::create_dir_all(st.p("home/.aws")).unwrap();
    let aws = st.s("home/.aws");
    let curate = st.step_with(
        &["--env", "OPENAI_API_KEY", "--allow-read", &aws],
        &python,
        "raw",
        "clean",
        &copy,
        "curate.att.json",
    );
    let clean_after = st.seal("clean", "clean1.m.json");
    assert!(
        std::fs::read_to_string(st.p("clean/a.jsonl"))
            .unwrap()
            .contains("\"pth\":1"),
        "the replica's .pth ran at the step's start-up"
    );

    // Downstream, in a clean interpreter: train is built from clean.
    let build = format!(
        "open({:?},'w').write(open({:?}).read())",
        st.s("train/t.jsonl"),
        st.s("clean/a.jsonl")
    );
    let downstream = st.step(
        common::sandbox::PY,
        "clean",
        "train",
        &build,
        "build.att.json",
    );
    let train = st.seal("train", "train.m.json");
    Played {
        raw,
        clean_before,
        clean_after,
        train,
        curate,
        downstream,
    }
}

fn check(st: &Story, p: &Played) {
    let Played {
        raw,
        clean_before,
        clean_after,
        train,
        curate,
        downstream,
    } = p;
    let r = st.ok(&["impact", "--advisory", "MAL-2026-2144", "--format", "json"]);
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["question"]["by"], "advisory", "{j}");
    assert_eq!(
        j["packages"],
        serde_json::json!([{"name": "litellm", "version": "1.82.8"}])
    );
    // One environment: the scan and the run name the same prefix and packages.
    let envs = j["environments"].as_array().unwrap();
    assert_eq!(envs.len(), 1, "{j}");
    assert_eq!(
        envs[0]["prefix"].as_str().unwrap(),
        std::fs::canonicalize(st.p("venv"))
            .unwrap()
            .to_str()
            .unwrap()
    );
    let runs: Vec<&str> = j["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        runs,
        [curate.as_str()],
        "only the step in the environment: {j}"
    );
    assert_ne!(curate, downstream);
    assert_eq!(names(&j["exposed"]), [format!("raw@{raw}")]);
    assert_eq!(names(&j["written"]), [format!("clean@{clean_after}")]);
    let change = &j["written"][0]["changes"][0];
    assert_eq!(change["previous"]["root"], clean_before.as_str(), "{j}");
    assert_ne!(clean_before, clean_after);
    assert_eq!(change["records_differing"], 2, "{j}");
    assert_eq!(change["files_modified"], 1, "{j}");
    assert_eq!(names(&j["downstream"]), [format!("train@{train}")]);
    let path: Vec<&str> = j["downstream"][0]["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        path,
        ["package", "environment", "run", "wrote", "run", "wrote"]
    );

    // The same answer as a graph Graphviz accepts.
    let r = st.ok(&["impact", "--advisory", "MAL-2026-2144", "--format", "dot"]);
    assert!(r.stdout.contains("\"pkg:litellm==1.82.8\""), "{}", r.stdout);
    assert!(r.stdout.contains(&format!("run:{curate}")), "{}", r.stdout);
    let dot = std::fs::write(st.p("impact.dot"), &r.stdout).map(|()| {
        Command::new("dot")
            .args(["-Tsvg", "-o"])
            .arg(st.p("impact.svg"))
            .arg(st.p("impact.dot"))
            .output()
    });
    let out = dot
        .unwrap()
        .expect("Graphviz `dot` (apt-get install graphviz; .ci/run does)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A package question with a range finds the same run; the clean
    // step's interpreter is not in the answer.
    let r = st.ok(&[
        "impact",
        "--package",
        "litellm>=1.82.7,<1.82.9",
        "--format",
        "json",
    ]);
    let k: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(k["runs"], j["runs"]);
    assert_eq!(st.ok(&["ledger", "verify"]).code, 0);
    incident(st, p);
}

/// The incident report of the same story, as JSON, Markdown and HTML.
fn incident(st: &Story, p: &Played) {
    let args = [
        "report",
        "incident",
        "--advisory",
        "MAL-2026-2144",
        "--detected-at",
        "2026-12-01T08:00:00Z",
    ];
    let r = st.ok(&[&args[..], &["--format", "json"]].concat());
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["schema"], "custody.incident/v1");
    assert_eq!(j["counts"]["environments"], 1, "{j}");
    assert_eq!(j["counts"]["runs"], 1, "{j}");
    assert_eq!(j["counts"]["runs_with_network"], 0, "{j}");
    let run = &j["runs"][0];
    assert_eq!(run["id"], p.curate.as_str());
    assert_eq!(run["network"], "none");
    assert_eq!(run["env_names"], serde_json::json!(["OPENAI_API_KEY"]));
    assert_eq!(
        run["credential_places"][0][0],
        st.s("home/.aws").as_str(),
        "{run}"
    );
    let rotation: Vec<&str> = j["rotation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        rotation[0],
        "rotate the secret in environment variable OPENAI_API_KEY"
    );
    assert!(rotation[1].starts_with("rotate what ") && rotation[1].contains("/home/.aws"));
    assert!(
        rotation.contains(&"look for litellm_init.pth"),
        "{rotation:?}"
    );
    let due: Vec<&str> = j["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["due"].as_str().unwrap())
        .collect();
    assert_eq!(
        due,
        [
            "2026-12-02T08:00:00Z",
            "2026-12-04T08:00:00Z",
            "2026-12-04T08:00:00Z",
            "2027-01-04T08:00:00Z"
        ]
    );
    assert_eq!(
        j["recheck"],
        serde_json::json!([
            format!("clean@sha256:{}", p.clean_after),
            format!("train@sha256:{}", p.train)
        ])
    );
    // The secret's value never reaches the report.
    assert!(!r.stdout.contains("sk-test-not-a-secret"));

    let r = st.ok(&[&args[..], &["--format", "md"]].concat());
    assert!(
        r.stdout.starts_with("# Incident report: MAL-2026-2144\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("- [ ] rotate the secret in environment variable OPENAI_API_KEY")
    );

    incident_html(st, &args);

    // An advisory nobody has is bad input, not an empty report.
    let r = st.run(&["report", "incident", "--advisory", "GHSA-none"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("advisory GHSA-none is not in the local database"),
        "{}",
        r.stderr
    );
}

#[test]
fn story_on_sqlite() {
    story(|dir| dir.join("ledger.db").to_str().unwrap().to_owned());
}

#[test]
fn story_on_postgres() {
    let cluster = pg::Cluster::start();
    story(|_| cluster.url());
}

/// The HTML form: a file, a summary on stderr, nothing loaded from outside.
fn incident_html(st: &Story, args: &[&str]) {
    let out = st.s("incident.html");
    let r = st.ok(&[args, &["-o", &out]].concat());
    assert!(
        r.stderr.contains("1 environment(s), 1 run(s)"),
        "{}",
        r.stderr
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for external in ["<script", "src=", "href=", "url(", "@import"] {
        assert!(
            !html.contains(external),
            "the page loads nothing: {external}"
        );
    }
    assert!(html.contains("<h2>Rotation checklist</h2>"));
    // Kept for scripts/report/check.sh, which renders it in chromium.
    if !st.ledger.starts_with("postgres") {
        std::fs::write(
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("incident-story.html"),
            &html,
        )
        .unwrap();
    }
}
