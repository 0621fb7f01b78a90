//! `custody watch` through the binary, on a SQLite ledger in the test's
//! home: JSON lines once per asset, the cursor per watcher name, the
//! output file, an advisory imported between rounds, and signed webhooks
//! on a loopback listener (retries, failures left pending).

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;
#[path = "../../custody-ledger/tests/common/pg.rs"]
mod pg;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use common::Run;
use custody_seal::keys::SigningKey;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};

/// Without the variables `ureq` takes a proxy from, so the loopback
/// listener is reached directly.
fn direct(c: &mut std::process::Command) -> &mut std::process::Command {
    for v in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ] {
        c.env_remove(v);
    }
    c
}

struct Fixture {
    dir: tempfile::TempDir,
    /// `CUSTODY_LEDGER` (the home's SQLite file when `None`).
    ledger: Option<String>,
    /// The sealed `train` folder's SHA-256 Merkle root (bare hex).
    train: String,
}

impl Fixture {
    /// A home with a trusted key, `train` sealed and recorded, and one
    /// run in a venv holding litellm 1.82.8 that read `train` and wrote
    /// `out-1`.
    fn new() -> Self {
        Self::on(None)
    }

    /// [`Self::new`] with the ledger at `ledger`.
    fn on(ledger: Option<String>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut f = Self {
            dir,
            ledger,
            train: String::new(),
        };
        assert_eq!(f.run(&["key", "generate", "-o", &f.s("lab")]).code, 0);
        assert_eq!(f.run(&["ledger", "trust", "add", &f.s("lab.pub")]).code, 0);
        std::fs::create_dir_all(f.p("train")).unwrap();
        std::fs::write(f.p("train/a.jsonl"), "{\"id\":1}\n").unwrap();
        let r = f.run(&[
            "seal",
            &f.s("train"),
            "-k",
            &f.s("lab.key"),
            "-o",
            &f.s("train.m.json"),
            "--hash",
            "sha256",
            "--record",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        f.train = custody_seal::artifact::digest(&f.p("train")).unwrap();
        f.add_run("run-1", "out-1", "2026-03-24T10:00:00Z");
        f
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn s(&self, rel: &str) -> String {
        self.p(rel).to_str().unwrap().to_owned()
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut c = common::custody(&self.p("home"));
        match &self.ledger {
            Some(l) => c.env("CUSTODY_LEDGER", l),
            None => c.env_remove("CUSTODY_LEDGER"),
        };
        common::run(
            direct(&mut c)
                .env_remove("CUSTODY_WEBHOOK_SECRET")
                .args(args),
        )
    }

    /// Signs and adds a run attestation: the venv `/envs/ml` (litellm
    /// 1.82.8, requests 2.32.3) read `train` and wrote `output`.
    fn add_run(&self, name: &str, output: &str, started: &str) {
        let prefix = "/envs/ml";
        let out_digest = custody_seal::keys::hex(&sha2_of(output.as_bytes()));
        let statement = json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": output, "digest": {"sha256": out_digest}}],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {
                "buildDefinition": {
                    "buildType": "https://custody.dev/run/v1",
                    "externalParameters": {
                        "command": [format!("{prefix}/bin/python"), format!("{name}.py")],
                        "inputs": ["train"],
                        "outputs": [output],
                        "env": [],
                    },
                    "internalParameters": {"policy": {}},
                    "resolvedDependencies": [
                        {"name": "train", "digest": {"sha256": self.train}},
                        {"name": format!("{prefix}/bin/python"), "digest": {"sha256": "ab".repeat(32)}},
                        {"name": "litellm", "uri": "pkg:pypi/litellm@1.82.8",
                         "annotations": {"environment": prefix}},
                        {"name": "requests", "uri": "pkg:pypi/requests@2.32.3",
                         "annotations": {"environment": prefix}},
                    ],
                },
                "runDetails": {
                    "builder": {"id": "https://custody.dev/run@0.1.0"},
                    "metadata": {"startedOn": started, "finishedOn": started},
                    "byproducts": [
                        {"name": "enforced", "annotations": {"enforced": [], "setup_error": null}},
                        {"name": "exit", "annotations": {"code": 0, "signal": null}},
                    ],
                },
            },
        });
        let pem = std::fs::read_to_string(self.p("lab.key")).unwrap();
        let key = SigningKey::from_pem(&pem, None).unwrap();
        let payload = serde_json::to_vec(&statement).unwrap();
        let envelope =
            custody_seal::dsse::Envelope::sign(custody_seal::dsse::IN_TOTO, &payload, &key);
        let file = self.p(&format!("{name}.att.json"));
        std::fs::write(&file, serde_json::to_vec(&envelope).unwrap()).unwrap();
        let r = self.run(&["ledger", "add", file.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    }
}

fn sha2_of(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn kinds(events: &[Value]) -> Vec<String> {
    let mut k: Vec<String> = events
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    k.sort();
    k
}

#[test]
fn watch_emits_each_affected_asset_once() {
    let f = Fixture::new();
    let r = f.run(&["watch"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let events = lines(&r.stdout);
    assert_eq!(
        kinds(&events),
        ["environment", "exposed", "run", "written"],
        "{}",
        r.stdout
    );
    for e in &events {
        assert_eq!(e["advisory"], "MAL-2026-2144", "{e}");
        assert_eq!(e["malicious"], true, "{e}");
        assert!(e["summary"].as_str().unwrap().contains("litellm"), "{e}");
        assert_eq!(e["id"].as_str().unwrap().len(), 64, "{e}");
        assert_eq!(
            e["path"][0],
            json!({"step": "package", "name": "litellm", "version": "1.82.8"}),
            "{e}"
        );
        assert!(e["detected_at"].as_str().unwrap().contains('T'), "{e}");
    }
    let by_kind = |k: &str| events.iter().find(|e| e["kind"] == k).unwrap();
    assert_eq!(by_kind("exposed")["asset"]["datasets"][0]["name"], "train");
    assert_eq!(by_kind("exposed")["asset"]["digest"], f.train.as_str());
    assert_eq!(by_kind("written")["asset"]["name"], "out-1");
    assert!(
        by_kind("run")["asset"]["command"]
            .as_str()
            .unwrap()
            .contains("run-1.py")
    );
    assert_eq!(by_kind("environment")["asset"]["prefix"], "/envs/ml");
    assert!(
        r.stderr
            .contains("4 new affected assets for 1 advisory; 0 already emitted"),
        "{}",
        r.stderr
    );

    // The second round: nothing new, nothing printed.
    let r = f.run(&["watch"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .contains("no new affected assets; 4 already emitted"),
        "{}",
        r.stderr
    );

    // Another name has its own cursor; --output appends and prints nothing.
    let out = f.p("affected.jsonl");
    let r = f.run(&["watch", "--name", "soc", "--output", &f.s("affected.jsonl")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let first = lines(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(first.len(), 4);
    let ids = |v: &[Value]| {
        let mut ids: Vec<String> = v
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&first), ids(&events), "ids are stable across watchers");

    // A new run in the same environment: the run and what it wrote, only.
    f.add_run("run-2", "out-2", "2026-03-25T10:00:00Z");
    let r = f.run(&[
        "watch",
        "--name",
        "soc",
        "--output",
        &f.s("affected.jsonl"),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let all = lines(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(all.len(), 6, "appended");
    assert_eq!(kinds(&all[4..]), ["run", "written"]);
    assert_eq!(all[5]["asset"]["name"], "out-2");
    let report: Value = serde_json::from_str(r.stderr.trim()).unwrap();
    assert_eq!(report["new"], 2, "{report}");
    assert_eq!(report["delivered"], 2, "{report}");
    assert_eq!(report["already_emitted"], 4, "{report}");
    assert_eq!(report["watcher"], "soc", "{report}");

    // The cursor is state, not evidence.
    assert_eq!(f.run(&["ledger", "verify"]).code, 0);
}

/// The same on PostgreSQL: the cursor lives in the server's ledger.
#[test]
fn watch_on_postgres_emits_once_per_watcher() {
    let cluster = pg::Cluster::start();
    let f = Fixture::on(Some(cluster.url()));
    let r = f.run(&["watch"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let events = lines(&r.stdout);
    assert_eq!(kinds(&events), ["environment", "exposed", "run", "written"]);
    assert!(events.iter().all(|e| e["advisory"] == "MAL-2026-2144"));
    let r = f.run(&["watch"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    f.add_run("run-2", "out-2", "2026-03-25T10:00:00Z");
    let r = f.run(&["watch"]);
    assert_eq!(kinds(&lines(&r.stdout)), ["run", "written"], "{}", r.stderr);
    assert_eq!(lines(&f.run(&["watch", "--name", "soc"]).stdout).len(), 6);
    assert!(
        !f.p("home/ledger.db").exists(),
        "nothing went to the home's SQLite file"
    );
    assert_eq!(f.run(&["ledger", "verify"]).code, 0);
}

#[test]
fn an_advisory_imported_between_rounds_is_emitted() {
    let f = Fixture::new();
    let r = f.run(&["watch"]);
    assert_eq!(lines(&r.stdout).len(), 4, "{}", r.stderr);
    write_requests_advisory(&f);
    // A withdrawn record for the same version never matches.
    std::fs::write(
        f.p("TEST-2026-0002.json"),
        json!({
            "schema_version": "1.6.0",
            "id": "TEST-2026-0002",
            "modified": "2026-03-27T00:00:00Z",
            "withdrawn": "2026-03-28T00:00:00Z",
            "affected": [{
                "package": {"ecosystem": "PyPI", "name": "requests"},
                "versions": ["2.32.3"]
            }]
        })
        .to_string(),
    )
    .unwrap();
    let r = f.run(&[
        "db",
        "import",
        &f.s("TEST-2026-0001.json"),
        &f.s("TEST-2026-0002.json"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = f.run(&["watch"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let events = lines(&r.stdout);
    assert_eq!(
        kinds(&events),
        ["environment", "exposed", "run", "written"],
        "{}",
        r.stdout
    );
    for e in &events {
        assert_eq!(e["advisory"], "TEST-2026-0001", "{e}");
        assert_eq!(e["malicious"], false, "{e}");
        assert_eq!(e["summary"], "A flaw in requests", "{e}");
        assert_eq!(e["path"][0]["name"], "requests", "{e}");
    }
    assert!(
        r.stderr
            .contains("4 new affected assets for 1 advisory; 4 already emitted"),
        "{}",
        r.stderr
    );
}

/// A request as the listener saw it.
#[derive(Debug, Clone)]
struct Request {
    signature: String,
    body: Vec<u8>,
}

/// A loopback HTTP server answering each request with the next status of
/// `script`, then `then` forever; what it received.
fn server(script: &[u16], then: u16) -> (String, Arc<Mutex<Vec<Request>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let mut script = std::collections::VecDeque::from(script.to_vec());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            let mut signature = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("content-length") {
                        length = v.trim().parse().unwrap();
                    }
                    if k.eq_ignore_ascii_case("x-custody-signature") {
                        v.trim().clone_into(&mut signature);
                    }
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            log.lock().unwrap().push(Request { signature, body });
            let status = script.pop_front().unwrap_or(then);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (url, seen)
}

fn hmac_hex(secret: &[u8], body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(body);
    format!(
        "sha256={}",
        custody_seal::keys::hex(&mac.finalize().into_bytes())
    )
}

#[test]
fn webhooks_are_signed_and_retried() {
    let f = Fixture::new();
    std::fs::write(f.p("secret"), "s3cret\n").unwrap();
    let (url, seen) = server(&[500, 500], 200);
    let r = f.run(&[
        "watch",
        "--webhook",
        &url,
        "--webhook-secret-file",
        &f.s("secret"),
        "--webhook-backoff",
        "10ms",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "", "webhooks only");
    let seen = seen.lock().unwrap().clone();
    // The first event three times (500, 500, 200), then three more.
    assert_eq!(seen.len(), 6, "{seen:?}");
    assert_eq!(seen[0].body, seen[1].body);
    assert_eq!(seen[1].body, seen[2].body);
    for req in &seen {
        // The secret without its trailing newline signs the exact body.
        assert_eq!(req.signature, hmac_hex(b"s3cret", &req.body));
        assert_ne!(req.signature, hmac_hex(b"s3cret\n", &req.body));
    }
    let events: Vec<Value> = seen[2..]
        .iter()
        .map(|q| serde_json::from_slice(&q.body).unwrap())
        .collect();
    assert_eq!(kinds(&events), ["environment", "exposed", "run", "written"]);

    // A secret from the environment; https is refused before anything runs.
    let r = common::run(
        common::custody(&f.p("home"))
            .env("CUSTODY_WEBHOOK_SECRET", "")
            .args(["watch", "--webhook", &url]),
    );
    assert_eq!(r.code, 2, "an empty secret: {}", r.stderr);
    let r = f.run(&[
        "watch",
        "--webhook",
        "https://127.0.0.1:1/",
        "--webhook-secret-file",
        &f.s("secret"),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("http://"), "{}", r.stderr);
}

#[test]
fn a_failing_webhook_leaves_events_pending() {
    let f = Fixture::new();
    let (down, tried) = server(&[], 503);
    let run = |url: &str| {
        common::run(
            direct(&mut common::custody(&f.p("home")))
                .env_remove("CUSTODY_LEDGER")
                .env("CUSTODY_WEBHOOK_SECRET", "k")
                .args([
                    "watch",
                    "--webhook",
                    url,
                    "--webhook-tries",
                    "3",
                    "--webhook-backoff",
                    "10ms",
                ]),
        )
    };
    let r = run(&down);
    assert_eq!(r.code, 9, "{}", r.stderr);
    assert!(
        r.stderr.contains("0 delivered, 4 pending") && r.stderr.contains("answered 503"),
        "{}",
        r.stderr
    );
    assert_eq!(tried.lock().unwrap().len(), 3, "3 tries of the first event");

    // Nothing advanced: a working endpoint gets all four.
    let (up, got) = server(&[], 200);
    let r = run(&up);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(got.lock().unwrap().len(), 4);
    let first: Value = serde_json::from_slice(&tried.lock().unwrap()[0].body).unwrap();
    let again: Value = serde_json::from_slice(&got.lock().unwrap()[0].body).unwrap();
    assert_eq!(first["id"], again["id"], "the same event, the same id");

    // Then nothing is pending.
    let r = run(&up);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(got.lock().unwrap().len(), 4);
    assert!(r.stderr.contains("4 already emitted"), "{}", r.stderr);
}

#[test]
fn help_teaches_and_bad_flags_are_usage_errors() {
    let f = Fixture::new();
    let r = f.run(&["watch", "--help"]);
    assert_eq!(r.code, 0);
    for needle in [
        "X-Custody-Signature",
        "--interval 10m",
        "Exit codes",
        "9 events",
    ] {
        assert!(r.stdout.contains(needle), "{needle}: {}", r.stdout);
    }
    assert_eq!(f.run(&["watch", "--interval", "soon"]).code, 2);
    assert_eq!(f.run(&["watch", "--webhook-secret-file", "x"]).code, 2);
    // A ledger that is not there is exit 6, as for impact.
    let r = f.run(&["watch", "--ledger", &f.s("nowhere.db")]);
    assert_eq!(r.code, 6, "{}", r.stderr);
}

/// An OSV record (not malicious) for requests >=2.0,<2.32.4, at
/// `TEST-2026-0001.json`.
fn write_requests_advisory(f: &Fixture) {
    std::fs::write(
        f.p("TEST-2026-0001.json"),
        json!({
            "schema_version": "1.6.0",
            "id": "TEST-2026-0001",
            "modified": "2026-03-27T00:00:00Z",
            "summary": "A flaw in requests",
            "affected": [{
                "package": {"ecosystem": "PyPI", "name": "requests"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.32.4"}]}]
            }]
        })
        .to_string(),
    )
    .unwrap();
}

/// Waits up to 30 s for `file` to hold `n` lines.
fn wait_for_lines(file: &std::path::Path, n: usize) -> Vec<Value> {
    let began = std::time::Instant::now();
    loop {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        if text.lines().count() >= n || began.elapsed() > std::time::Duration::from_secs(30) {
            return lines(&text);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// `--interval`: rounds go on, and each re-reads the advisory database,
/// so an import while the watcher runs is emitted without a restart.
#[test]
fn interval_rounds_pick_up_a_new_import() {
    let f = Fixture::new();
    let out = f.p("affected.jsonl");
    let mut child = common::custody(&f.p("home"))
        .env_remove("CUSTODY_LEDGER")
        .args([
            "watch",
            "--interval",
            "200ms",
            "--output",
            &f.s("affected.jsonl"),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let first = wait_for_lines(&out, 4);
    assert_eq!(first.len(), 4);
    write_requests_advisory(&f);
    let r = f.run(&["db", "import", &f.s("TEST-2026-0001.json")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let all = wait_for_lines(&out, 8);
    // Rounds after that emit nothing twice.
    std::thread::sleep(std::time::Duration::from_millis(600));
    let later = std::fs::read_to_string(&out).unwrap().lines().count();
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(still_running, "--interval keeps running");
    assert_eq!(all.len(), 8, "{all:?}");
    assert!(all[4..].iter().all(|e| e["advisory"] == "TEST-2026-0001"));
    assert_eq!(later, 8);
}
