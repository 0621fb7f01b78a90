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
    // Lineage of the downstream version, by name alone (the version
    // recorded last): two runs up, back to raw.
    let r = st.ok(&["lineage", "train", "--format", "json"]);
    let lineage: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(lineage["root"], train.as_str(), "{lineage}");
    let up: Vec<(u64, &str)> = lineage["upstream"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["depth"].as_u64().unwrap(), e["run"].as_str().unwrap()))
        .collect();
    assert_eq!(
        up,
        [(1, downstream.as_str()), (2, curate.as_str())],
        "{lineage}"
    );
    assert_eq!(st.ok(&["ledger", "verify"]).code, 0);
    delivery(st, p);
    dataset_bill(st, p);
    incident(st, p);
}

/// `custody sbom --dataset`: which software touched which data, from the
/// ledger and from the attestation file; kept for the validators.
fn dataset_bill(st: &Story, p: &Played) {
    let keep = |name: &str| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sbom");
        std::fs::create_dir_all(&dir).unwrap();
        let suffix = if st.ledger.starts_with("postgres") {
            "pg"
        } else {
            "sqlite"
        };
        dir.join(format!("story-{suffix}-{name}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let (cdx, spdx3) = (
        keep("clean.mlbom.cdx.json"),
        keep("clean.mlbom.spdx3.jsonld"),
    );
    let manifest = st.s("clean1.m.json");
    let r = st.ok(&["sbom", "--dataset", &manifest, "-o", &cdx]);
    assert!(r.stderr.contains("1 step(s)"), "{}", r.stderr);
    let doc: Value = serde_json::from_slice(&std::fs::read(&cdx).unwrap()).unwrap();
    let clean = &doc["metadata"]["component"];
    assert_eq!(clean["type"], "data");
    assert_eq!(clean["name"], "clean");
    let root = |c: &Value| {
        c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "custody:digest")
            .map(|x| x["value"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(root(clean), p.clean_after);
    let raw = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "raw")
        .unwrap();
    assert_eq!(root(raw), p.raw, "the sealed source, by its root");
    let w = &doc["formulation"][0]["workflows"][0];
    assert_eq!(w["uid"], p.curate.as_str());
    assert_eq!(w["inputs"][0]["resource"]["ref"], raw["bom-ref"]);
    assert_eq!(w["outputs"][0]["resource"]["ref"], clean["bom-ref"]);
    let tools: Vec<&str> = w["resourceReferences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ref"].as_str().unwrap())
        .collect();
    assert!(tools.contains(&"pkg:pypi/litellm@1.82.8"), "{tools:?}");
    // SPDX 3: the same from the attestation file, with a key given.
    let (att, key) = (st.s("curate.att.json"), st.s("vendor.pub"));
    st.ok(&[
        "sbom",
        "--dataset",
        &manifest,
        "--runs",
        &att,
        "--trust",
        &key,
        "--format",
        "spdx",
        "--spec-version",
        "3.0.1",
        "-o",
        &spdx3,
    ]);
    let g: Value = serde_json::from_slice(&std::fs::read(&spdx3).unwrap()).unwrap();
    let kinds: Vec<&str> = g["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["relationshipType"].as_str())
        .collect();
    for k in ["hasInput", "hasOutput", "usesTool"] {
        assert!(kinds.contains(&k), "{k}: {kinds:?}");
    }
    // An attestation signed by a key nobody trusts is refused, named.
    st.ok(&["key", "generate", "-o", &st.s("stranger")]);
    let r = st.run(&[
        "sbom",
        "--dataset",
        &manifest,
        "--runs",
        &att,
        "--trust",
        &st.s("stranger.pub"),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("clean1.m.json"), "{}", r.stderr);
    // SPDX 2.3 has no dataset profile.
    let r = st.run(&["sbom", "--dataset", &manifest, "--format", "spdx"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("SPDX 2.3 has no dataset profile"),
        "{}",
        r.stderr
    );
}

/// `accept` of `bundle` with `policy` (TOML text): the exit code and the
/// JSON decision.
fn accept(st: &Story, bundle: &str, policy: &str, extra: &[&str]) -> (i32, Value) {
    std::fs::write(st.p("delivery.toml"), policy).unwrap();
    std::fs::create_dir_all(st.p("keys")).unwrap();
    std::fs::copy(st.p("vendor.pub"), st.p("keys/vendor.pub")).unwrap();
    let (b, pol, keys) = (st.s(bundle), st.s("delivery.toml"), st.s("keys"));
    let mut args = vec![
        "accept", &b, "--policy", &pol, "--trust", &keys, "--format", "json",
    ];
    args.extend_from_slice(extra);
    let r = st.run(&args);
    assert!(
        r.code == 0 || r.code == 1,
        "{args:?}: {}{}",
        r.stdout,
        r.stderr
    );
    (r.code, serde_json::from_str(&r.stdout).unwrap())
}

/// The statement in the DSSE envelope `file`, after its signature
/// verified with the public key `key`.
fn signed_payload(st: &Story, file: &str, key: &str) -> Value {
    use base64::Engine as _;
    let env: custody_seal::dsse::Envelope =
        serde_json::from_slice(&std::fs::read(st.p(file)).unwrap()).unwrap();
    let public =
        custody_seal::keys::PublicKey::from_pem(&std::fs::read_to_string(st.p(key)).unwrap())
            .unwrap();
    env.verify(&[public]).expect("signed by that key");
    serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(&env.payload)
            .unwrap(),
    )
    .unwrap()
}

/// The detail of the check of `rule` in a decision.
fn detail_of(decision: &Value, rule: &str) -> String {
    decision["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} check in {decision}"))["detail"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The failed checks' rules.
fn failed(decision: &Value) -> Vec<String> {
    decision["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// The bundle at `from` with its statement changed by `edit`, signed
/// again by the vendor's key (a vendor, or anyone with the key, lying).
fn resign(st: &Story, from: &str, to: &str, edit: impl FnOnce(&mut Value)) {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let env: Value = serde_json::from_slice(&std::fs::read(st.p(from)).unwrap()).unwrap();
    let mut statement: Value =
        serde_json::from_slice(&b64.decode(env["payload"].as_str().unwrap()).unwrap()).unwrap();
    edit(&mut statement);
    let key = custody_seal::keys::SigningKey::from_pem(
        &std::fs::read_to_string(st.p("vendor.key")).unwrap(),
        None,
    )
    .unwrap();
    let payload = serde_json::to_vec(&statement).unwrap();
    let signed = custody_seal::dsse::Envelope::sign(custody_seal::dsse::IN_TOTO, &payload, &key);
    std::fs::write(st.p(to), serde_json::to_vec(&signed).unwrap()).unwrap();
}

const RAW: &str = "reject-severity = \"high\"\nmax-age = \"30d\"\n";

const STRICT: &str = "sandboxed = true\nnetwork = \"none\"\nsealed-sources = true\nreject-severity = \"high\"\nmax-age = \"30d\"\n";

/// The vendor delivers `clean` from the ledger; the lab rejects it for
/// litellm 1.82.8 alone (every other rule holds), accepts a delivery of
/// the raw source, and rejects every tampered bundle naming the part.
fn delivery(st: &Story, p: &Played) {
    let r = st.ok(&[
        "deliver",
        &st.s("clean1.m.json"),
        "-k",
        &st.s("vendor.key"),
        "-o",
        &st.s("clean.delivery.json"),
        "--record",
    ]);
    assert!(
        r.stderr.contains("clean.delivery.json in the ledger"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout
            .contains("with 1 source manifest(s), 1 run attestation(s), 1 inventory(ies)"),
        "{}",
        r.stdout
    );
    let (code, d) = accept(
        st,
        "clean.delivery.json",
        STRICT,
        &["--data", &st.s("clean")],
    );
    assert_eq!(code, 1, "{d}");
    assert_eq!(d["decision"], "reject");
    assert_eq!(failed(&d), ["packages"], "{d}");
    lab_decision(st);
    // The same delivery judged by the advisories published before
    // MAL-2026-2144 (2026-03-24T11:15:14Z): accepted; a day later: not.
    let (code, d0) = accept(
        st,
        "clean.delivery.json",
        STRICT,
        &[
            "--data",
            &st.s("clean"),
            "--advisories-as-of",
            "2026-03-24T11:00:00Z",
        ],
    );
    assert_eq!((code, d0["decision"].as_str()), (0, Some("accept")), "{d0}");
    assert_eq!(d0["advisories_as_of"], "2026-03-24T11:00:00Z");
    let (_, d1) = accept(
        st,
        "clean.delivery.json",
        STRICT,
        &["--advisories-as-of", "2026-03-25T00:00:00Z"],
    );
    assert_eq!(failed(&d1), ["packages"], "{d1}");
    let packages = detail_of(&d, "packages");
    assert!(packages.contains("litellm==1.82.8: MAL-2026-2144 (malicious)"));
    assert_eq!(d["dataset"]["root"], p.clean_after.as_str());

    // The raw source, sealed and delivered without steps: accepted by a
    // policy for raw data; a policy about steps is not met by no step.
    st.ok(&[
        "deliver",
        &st.s("raw.m.json"),
        "-k",
        &st.s("vendor.key"),
        "-o",
        &st.s("raw.delivery.json"),
    ]);
    let (code, d) = accept(st, "raw.delivery.json", RAW, &["--data", &st.s("raw")]);
    assert_eq!((code, d["decision"].as_str()), (0, Some("accept")), "{d}");
    let (code, d) = accept(st, "raw.delivery.json", STRICT, &[]);
    assert_eq!(code, 1, "{d}");
    assert_eq!(
        failed(&d),
        ["sandboxed", "network", "sealed-sources"],
        "{d}"
    );

    // Received bytes that differ from the seal.
    std::fs::write(st.p("raw/a.jsonl"), "{\"id\":1}\n").unwrap();
    let (code, d) = accept(st, "raw.delivery.json", RAW, &["--data", &st.s("raw")]);
    assert_eq!((code, failed(&d)), (1, vec!["data".to_owned()]), "{d}");

    // A signer the policy does not name; a bundle made long ago.
    let (_, d) = accept(
        st,
        "raw.delivery.json",
        "signers = [\"someone-else\"]\n",
        &[],
    );
    assert_eq!(failed(&d), ["signers", "documents"], "{d}");
    // The documents inside are held to the same signers.
    let vendor_id = d["signer"].as_str().unwrap().to_owned();
    let (_, d) = accept(
        st,
        "raw.delivery.json",
        &format!("signers = [{vendor_id:?}]\n"),
        &[],
    );
    assert_eq!(failed(&d), Vec::<String>::new(), "{d}");
    resign(st, "raw.delivery.json", "old.json", |s| {
        s["predicate"]["createdAt"] = "2025-01-01T00:00:00Z".into();
    });
    let (_, d) = accept(st, "old.json", "max-age = \"30d\"\n", &[]);
    assert_eq!(failed(&d), ["max-age"], "{d}");
    resign(st, "raw.delivery.json", "future.json", |s| {
        s["predicate"]["createdAt"] = "2099-01-01T00:00:00Z".into();
    });
    let (_, d) = accept(st, "future.json", "max-age = \"30d\"\n", &[]);
    assert_eq!(failed(&d), ["max-age"], "{d}");

    tampered(st);
    vendor_keys(st);
}

/// `[vendors.NAME]`: a vendor's bundle and seal key, and the separate key
/// its runner signs steps with. Only the vendor's own keys sign its
/// evidence: a runner key signs no bundle, a bundle key no step.
fn vendor_keys(st: &Story) {
    let r = st.ok(&["key", "generate", "-o", &st.s("runner")]);
    let generated: Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    let runner = generated["key_id"].as_str().unwrap().to_owned();
    st.ok(&["ledger", "trust", "add", &st.s("runner.pub")]);
    std::fs::create_dir_all(st.p("extra")).unwrap();
    let (input, output, key, att) = (
        st.s("raw"),
        st.s("extra"),
        st.s("runner.key"),
        st.s("extra.att.json"),
    );
    let code = format!("open({:?},'w').write('{{}}\\n')", st.s("extra/e.jsonl"));
    st.ok(&[
        "run",
        "--input",
        &input,
        "--output",
        &output,
        "-k",
        &key,
        "--attest",
        &att,
        "--record",
        "--",
        common::sandbox::PY,
        "-c",
        &code,
    ]);
    st.seal("extra", "extra.m.json");
    let r = st.ok(&[
        "deliver",
        &st.s("extra.m.json"),
        "-k",
        &st.s("vendor.key"),
        "-o",
        &st.s("extra.delivery.json"),
    ]);
    assert!(r.stdout.contains("1 run attestation(s)"), "{}", r.stdout);
    // Given as files, a runner's attestation needs its key named.
    let (m, vk, out, att) = (
        st.s("extra.m.json"),
        st.s("vendor.key"),
        st.s("extra2.delivery.json"),
        st.s("extra.att.json"),
    );
    let by_files = ["deliver", &m, "-k", &vk, "-o", &out, "--runs", &att];
    let r = st.run(&by_files);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("{att}: ")), "{}", r.stderr);
    let runner_pub = st.s("runner.pub");
    let r = st.ok(&[&by_files[..], &["--runs-signed-by", &runner_pub]].concat());
    assert!(r.stdout.contains("1 run attestation(s)"), "{}", r.stdout);
    std::fs::copy(st.p("runner.pub"), st.p("keys/runner.pub")).unwrap();
    let (_, d) = accept(st, "extra.delivery.json", "", &[]);
    let vendor = d["signer"].as_str().unwrap().to_owned();
    assert_ne!(vendor, runner);
    let policy = |signers: &str, steps: Option<&str>| {
        let steps = steps.map_or_else(String::new, |s| format!("step-signers = [{s:?}]\n"));
        format!("[vendors.acme]\nsigners = [{signers:?}]\n{steps}")
    };
    let (code, d) = accept(
        st,
        "extra.delivery.json",
        &policy(&vendor, Some(&runner)),
        &[],
    );
    assert_eq!((code, failed(&d)), (0, Vec::<String>::new()), "{d}");
    assert_eq!(d["vendor"], "acme");
    assert_eq!(
        detail_of(&d, "signers"),
        format!("{vendor} signs for vendor acme")
    );
    // Without step-signers the runner's key signs nothing of acme's.
    let (_, d) = accept(st, "extra.delivery.json", &policy(&vendor, None), &[]);
    assert_eq!(failed(&d), ["documents"], "{d}");
    assert!(
        detail_of(&d, "documents").starts_with("attestation 0: "),
        "{d}"
    );
    // The runner's key may not sign the bundle (nor the seal inside).
    let (_, d) = accept(
        st,
        "extra.delivery.json",
        &policy(&runner, Some(&runner)),
        &[],
    );
    assert_eq!(failed(&d), ["signers", "documents"], "{d}");
    assert_eq!(
        detail_of(&d, "signers"),
        format!("{vendor} signs for no vendor the policy names (acme)")
    );
    std::fs::remove_file(st.p("keys/runner.pub")).unwrap();
}

/// The lab signs its decision and records it in the ledger.
fn lab_decision(st: &Story) {
    // Signed by the lab, the decision itself is evidence.
    st.ok(&["key", "generate", "-o", &st.s("lab")]);
    st.ok(&["ledger", "trust", "add", &st.s("lab.pub")]);
    let (b, pol, keys, lab) = (
        st.s("clean.delivery.json"),
        st.s("delivery.toml"),
        st.s("keys"),
        st.s("lab.key"),
    );
    let r = st.run(&[
        "accept", &b, "--policy", &pol, "--trust", &keys, "-k", &lab, "--record",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(".decision.json in the ledger"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("clean.delivery.json.decision.json"),
        "{}",
        r.stderr
    );
    let decision = signed_payload(st, "clean.delivery.json.decision.json", "lab.pub");
    assert_eq!(
        decision["predicateType"],
        "https://custody.dev/delivery-decision/v1"
    );
    assert_eq!(decision["predicate"]["decision"], "reject");
    assert_eq!(
        decision["subject"][0]["digest"]["sha256"],
        sha256_file(&st.p("clean.delivery.json")).as_str()
    );
}

/// Steps that broke the policy, re-signed by the vendor: the rules name
/// them while every document still verifies.
fn unsafe_steps(st: &Story) {
    // A step that had network, one whose sandbox was not enforced (the
    // vendor signing what it pleases): the rules name them.
    for (att, rule, edit) in [
        (
            "att-net.json",
            "network",
            (|s: &mut Value| {
                s["predicate"]["buildDefinition"]["internalParameters"]["policy"]["net"] =
                    "loopback".into();
            }) as fn(&mut Value),
        ),
        ("att-open.json", "sandboxed", |s: &mut Value| {
            for b in s["predicate"]["runDetails"]["byproducts"]
                .as_array_mut()
                .unwrap()
            {
                if b["name"] == "enforced" {
                    b["annotations"]["enforced"]["seccomp"] = false.into();
                }
            }
        }),
    ] {
        resign(st, "curate.att.json", att, edit);
        let text = std::fs::read_to_string(st.p(att)).unwrap();
        resign(st, "clean.delivery.json", "t5.json", |s| {
            s["predicate"]["attestations"] = serde_json::json!([text]);
        });
        let (_, d) = accept(st, "t5.json", STRICT, &[]);
        let f = failed(&d);
        assert!(f.contains(&rule.to_owned()), "{rule}: {d}");
        assert!(!f.contains(&"documents".to_owned()), "{rule}: {d}");
    }
}

/// Each tampered part is named.
fn tampered(st: &Story) {
    // A byte of the statement changed after signing: the bundle's signature.
    let mut env: Value =
        serde_json::from_slice(&std::fs::read(st.p("clean.delivery.json")).unwrap()).unwrap();
    let payload = env["payload"].as_str().unwrap().to_owned();
    let flipped = if payload.starts_with('e') { "f" } else { "e" };
    env["payload"] = format!("{flipped}{}", &payload[1..]).into();
    std::fs::write(st.p("t1.json"), serde_json::to_vec(&env).unwrap()).unwrap();
    let (_, d) = accept(st, "t1.json", STRICT, &[]);
    assert_eq!(failed(&d), ["signature"], "{d}");

    // The step's attestation swapped for another run's (re-signed bundle):
    // nothing in the bundle wrote the delivered version any more.
    let other = std::fs::read_to_string(st.p("build.att.json")).unwrap();
    resign(st, "clean.delivery.json", "t2.json", |s| {
        s["predicate"]["attestations"] = serde_json::json!([other]);
    });
    let (_, d) = accept(st, "t2.json", STRICT, &[]);
    assert!(failed(&d).contains(&"sealed-sources".to_owned()), "{d}");

    // An attestation edited inside (its own signature breaks): documents.
    resign(st, "clean.delivery.json", "t3.json", |s| {
        let a = s["predicate"]["attestations"][0]
            .as_str()
            .unwrap()
            .replace("\"payload\": \"e", "\"payload\": \"f");
        s["predicate"]["attestations"][0] = a.into();
    });
    let (_, d) = accept(st, "t3.json", STRICT, &[]);
    assert!(failed(&d).contains(&"documents".to_owned()), "{d}");

    // The seal of other data under the delivered version's name.
    let raw_manifest = std::fs::read_to_string(st.p("raw.m.json")).unwrap();
    resign(st, "clean.delivery.json", "t4.json", |s| {
        s["predicate"]["manifest"] = raw_manifest.into();
    });
    let (_, d) = accept(st, "t4.json", STRICT, &[]);
    let docs = detail_of(&d, "documents");
    assert!(
        docs.contains("not the seal of the delivered version"),
        "{d}"
    );

    unsafe_steps(st);

    // A cooldown the evidence cannot show: installed environments carry
    // no upload times, so the rule fails closed and says so.
    let (_, d) = accept(st, "clean.delivery.json", "min-package-age = \"7d\"\n", &[]);
    assert!(failed(&d).contains(&"min-package-age".to_owned()), "{d}");
    assert!(
        detail_of(&d, "min-package-age").contains("no upload time for"),
        "{d}"
    );

    // Bad input: not a bundle, a policy with a typo (its line named).
    std::fs::write(st.p("not.json"), "{}").unwrap();
    std::fs::write(
        st.p("delivery.toml"),
        "sandboxed = true\nnetwrok = \"none\"\n",
    )
    .unwrap();
    let r = st.run(&[
        "accept",
        &st.s("raw.delivery.json"),
        "--policy",
        &st.s("delivery.toml"),
        "--trust",
        &st.s("keys"),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("delivery.toml: line 2: unknown field `netwrok`"),
        "{}",
        r.stderr
    );
    std::fs::write(st.p("delivery.toml"), STRICT).unwrap();
    let r = st.run(&[
        "accept",
        &st.s("not.json"),
        "--policy",
        &st.s("delivery.toml"),
        "--trust",
        &st.s("keys"),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("not a custody delivery bundle"),
        "{}",
        r.stderr
    );
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
    // The recorded delivery of the written version, and the lab's decision.
    let d = &j["deliveries"];
    assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
    assert_eq!(
        d[0]["bundle"],
        sha256_file(&st.p("clean.delivery.json")).as_str()
    );
    assert_eq!(d[0]["decisions"][0][0], "reject", "{d}");
    // The ledger rebuilds the delivery tables from its log and agrees.
    assert!(st.ok(&["ledger", "verify"]).stdout.contains("ok"));
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
            .contains("- [ ] rotate the secret in environment variable OPENAI\\_API\\_KEY")
    );

    rechecks(st, p, &args);
    recheck_of_an_edited_ledger(st, &args);
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

/// `--recheck`: the data at hand against the seals of affected versions.
fn rechecks(st: &Story, p: &Played, args: &[&str]) {
    // A copy of the downstream data with one record edited.
    std::fs::create_dir_all(st.p("train-copy")).unwrap();
    let before = std::fs::read_to_string(st.p("train/t.jsonl")).unwrap();
    let edited = before.replacen("{\"id\":2}", "{\"id\":2,\"label\":\"poisoned\"}", 1);
    assert_ne!(before, edited);
    std::fs::write(st.p("train-copy/t.jsonl"), edited).unwrap();
    let clean = format!("clean={}", st.s("clean"));
    let train = format!("train@sha256:{}={}", &p.train[..12], st.s("train-copy"));
    let raw = format!("raw={}", st.s("raw"));
    let r = st.ok(&[
        args,
        &[
            "--format",
            "json",
            "--recheck",
            &clean,
            "--recheck",
            &train,
            "--recheck",
            &raw,
        ],
    ]
    .concat());
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    let checked = &j["rechecked"];
    let got: Vec<(&str, &str, bool)> = checked
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["dataset"].as_str().unwrap(),
                c["role"].as_str().unwrap(),
                c["identical"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("clean", "written", true),
            ("train", "downstream", false),
            ("raw", "read", false)
        ],
        "{checked}"
    );
    assert_eq!(checked[0]["root"], p.clean_after.as_str());
    // `delivery` left raw/ holding one of its three records.
    assert_eq!(checked[2]["records_deleted"], 2, "{checked}");
    assert_eq!(checked[1]["modified"], 1, "{checked}");
    assert_eq!(checked[1]["records_changed"], 1, "{checked}");
    assert_eq!(checked[1]["records_inserted"], 0, "{checked}");
    assert_eq!(
        checked[1]["differences"][0],
        "modified t.jsonl (1 record(s) changed, 0 inserted, 0 deleted)",
        "{checked}"
    );
    let timeline = j["timeline"].to_string();
    assert!(
        timeline.contains("re-checked at") && timeline.contains("differs from its seal"),
        "{timeline}"
    );
    // Markdown: the section, and the re-check list says what was found.
    let r = st.ok(&[args, &["--format", "md", "--recheck", &train]].concat());
    assert!(r.stdout.contains("## Re-checked data (1)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("re-checked: DIFFERS from its seal"),
        "{}",
        r.stdout
    );

    // A name the incident did not touch, and data that cannot be read,
    // are bad input naming the request.
    let r = st.run(&[args, &["--recheck", "elsewhere=/tmp"]].concat());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "--recheck elsewhere=/tmp: no affected dataset version is named elsewhere; affected: raw@{}",
            &p.raw[..12]
        )),
        "{}",
        r.stderr
    );
    let missing = format!("clean={}", st.s("no-such-folder"));
    let r = st.run(&[args, &["--recheck", &missing]].concat());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("--recheck {missing}: ")) && r.stderr.contains("no-such-folder"),
        "{}",
        r.stderr
    );
}

/// A stored manifest edited in the ledger no longer verifies: exit 4,
/// pointing at `ledger verify` (SQLite only: the test edits the file).
fn recheck_of_an_edited_ledger(st: &Story, args: &[&str]) {
    if st.ledger.starts_with("postgres") {
        return;
    }
    let db = rusqlite::Connection::open(&st.ledger).unwrap();
    let edit = |from: &str, to: &str| {
        let n = db
            .execute(
                "UPDATE events SET body = replace(body, ?1, ?2) WHERE seq = \
                 (SELECT max(event_seq) FROM dataset_versions WHERE name = 'clean')",
                [from, to],
            )
            .unwrap();
        assert_eq!(n, 1);
    };
    edit("\"sig\": \"", "\"sig\": \"AAAA");
    let r = st.run(&[args, &["--recheck", &format!("clean={}", st.s("clean"))]].concat());
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("run `custody ledger verify`"),
        "{}",
        r.stderr
    );
    edit("\"sig\": \"AAAA", "\"sig\": \"");
    assert_eq!(st.ok(&["ledger", "verify"]).code, 0);
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
/// The page re-checks two versions: one as sealed, one edited.
fn incident_html(st: &Story, args: &[&str]) {
    let out = st.s("incident.html");
    let clean = format!("clean={}", st.s("clean"));
    let train = format!("train={}", st.s("train-copy"));
    let r = st.ok(&[
        args,
        &["-o", &out, "--recheck", &clean, "--recheck", &train],
    ]
    .concat());
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
    assert!(html.contains("<h2>Re-checked data (2)</h2>"));
    // Kept for scripts/report/check.sh, which renders it in chromium.
    if !st.ledger.starts_with("postgres") {
        std::fs::write(
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("incident-story.html"),
            &html,
        )
        .unwrap();
    }
}
