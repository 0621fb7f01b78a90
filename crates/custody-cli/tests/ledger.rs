//! `custody ledger`, `custody impact` and `custody lineage` through the
//! binary, on a SQLite ledger in the test's home.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::path::{Path, PathBuf};

use common::Run;

/// A temp dir with a home, a key pair and a sealed folder.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let f = Self { dir };
        let r = f.run(&["key", "generate", "-o", f.s("lab")]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        std::fs::create_dir_all(f.p("train")).unwrap();
        std::fs::write(f.p("train/a.jsonl"), "{\"id\":1}\n{\"id\":2}\n").unwrap();
        f
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn s(&self, rel: &str) -> &'static str {
        Box::leak(self.p(rel).to_str().unwrap().to_owned().into_boxed_str())
    }

    fn home(&self) -> PathBuf {
        self.p("home")
    }

    fn run(&self, args: &[&str]) -> Run {
        common::run(
            common::custody(&self.home())
                .env_remove("CUSTODY_LEDGER")
                .args(args),
        )
    }

    /// Seals `train` with `key`; returns the printed root (`ALG:HEX`).
    fn seal(&self, key: &str, out: &str) -> String {
        let r = self.run(&[
            "seal",
            self.s("train"),
            "-k",
            self.s(key),
            "-o",
            self.s(out),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        root_of(&format!("{}{}", r.stdout, r.stderr))
    }
}

impl Fixture {
    /// Seals `dir` with SHA-256 (the digest a run names a folder by) and
    /// `--record`; returns the printed root.
    fn seal_recorded_sha256(&self, dir: &str, out: &str) -> String {
        let r = self.run(&[
            "seal",
            self.s(dir),
            "-k",
            self.s("lab.key"),
            "-o",
            self.s(out),
            "--hash",
            "sha256",
            "--record",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        root_of(&r.stdout)
    }
}

fn root_of(stderr: &str) -> String {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("root "))
        .unwrap_or_else(|| panic!("no root in {stderr}"))
        .trim()
        .to_owned()
}

/// `NAME==VERSION` of the first Python package an attestation names.
fn first_package(attestation: &Path) -> String {
    let statement = common::sandbox::payload(attestation).to_string();
    let purl = statement
        .split("pkg:pypi/")
        .nth(1)
        .expect("a Python package in the attestation");
    let (name, rest) = purl.split_once('@').unwrap();
    let version: String = rest
        .chars()
        .take_while(|c| !matches!(c, '"' | '?' | '#'))
        .collect();
    format!("{name}=={version}")
}

fn ledger_db(home: &Path) -> PathBuf {
    home.join("ledger.db")
}

#[test]
fn add_trust_lineage_and_verify() {
    let f = Fixture::new();
    let root = f.seal("lab.key", "m.json");

    // Nothing trusted yet: refused with the reason, exit 5.
    let r = f.run(&["ledger", "add", f.s("m.json")]);
    assert_eq!(r.code, 5, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("refused: the ledger trusts no key"),
        "{}",
        r.stdout
    );

    let r = f.run(&["ledger", "trust", "add", f.s("lab.pub")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("trusted (event 1)"), "{}", r.stdout);

    let r = f.run(&["ledger", "add", f.s("m.json")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("m.json: stored (event 2)"),
        "{}",
        r.stdout
    );
    let r = f.run(&["ledger", "add", f.s("m.json"), "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["files"][0]["outcome"], "already_stored");
    assert_eq!(json["files"][0]["seq"], 2);

    // The version is found by the root `custody seal` printed.
    let version = format!("train@{root}");
    let r = f.run(&["lineage", &version]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("sealed: 1 file(s)"), "{}", r.stdout);
    let r = f.run(&["lineage", &version, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["sealed"]["name"], "train");
    assert_eq!(json["sealed"]["file_count"], 1);

    let r = f.run(&["ledger", "verify"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.ends_with("ok\n"), "{}", r.stdout);

    // An edited event is named, exit 4.
    let db = rusqlite::Connection::open(ledger_db(&f.home())).unwrap();
    db.execute(
        "UPDATE events SET recorded_at = '2000-01-01T00:00:00Z' WHERE seq = 2",
        [],
    )
    .unwrap();
    drop(db);
    let r = f.run(&["ledger", "verify"]);
    assert_eq!(r.code, 4, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("FAULT chain: event 2 was edited"),
        "{}",
        r.stdout
    );
    let r = f.run(&["ledger", "verify", "--format", "json"]);
    assert_eq!(r.code, 4);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["chain"]["fault"], "edited");
    assert_eq!(json["chain"]["seq"], 2);
}

#[test]
fn wrong_key_and_unsigned_documents_are_refused() {
    let f = Fixture::new();
    let r = f.run(&["key", "generate", "-o", f.s("other")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    f.seal("other.key", "other.json");
    f.seal("lab.key", "m.json");
    // The statement alone, out of its envelope: unsigned.
    let envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.p("m.json")).unwrap()).unwrap();
    let mut bare = envelope.clone();
    bare["signatures"] = serde_json::json!([]);
    std::fs::write(f.p("bare.json"), serde_json::to_vec(&bare).unwrap()).unwrap();

    assert_eq!(f.run(&["ledger", "trust", "add", f.s("lab.pub")]).code, 0);
    let r = f.run(&[
        "ledger",
        "add",
        f.s("other.json"),
        f.s("bare.json"),
        f.s("m.json"),
    ]);
    assert_eq!(r.code, 5, "{}{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].contains("other.json: refused: bad signature"),
        "{}",
        r.stdout
    );
    assert!(
        lines[1].contains("bare.json: refused: unsigned"),
        "{}",
        r.stdout
    );
    assert!(lines[2].contains("m.json: stored"), "{}", r.stdout);
    assert!(
        r.stderr.contains("2 of 3 document(s) refused"),
        "{}",
        r.stderr
    );
}

#[test]
fn location_flag_env_and_unreachable() {
    let f = Fixture::new();
    // --ledger wins over CUSTODY_LEDGER; both over the home.
    let flag = f.s("flag.db");
    let r = f.run(&["ledger", "trust", "add", f.s("lab.pub"), "--ledger", flag]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(flag), "{}", r.stdout);
    assert!(!ledger_db(&f.home()).exists());
    let r = common::run(
        common::custody(&f.home())
            .env("CUSTODY_LEDGER", format!("sqlite:{}", f.s("env.db")))
            .args(["ledger", "trust", "add", f.s("lab.pub")]),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(f.p("env.db").exists());
    assert!(!ledger_db(&f.home()).exists());

    // An unknown scheme and an unreachable server: exit 6, no password.
    let r = f.run(&["ledger", "verify", "--ledger", "mysql://x"]);
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(
        r.stderr.contains("mysql://x: not a ledger location"),
        "{}",
        r.stderr
    );
    let r = f.run(&[
        "impact",
        "--package",
        "numpy",
        "--ledger",
        "postgres://u:hunter2@127.0.0.1:1/db",
    ]);
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(
        r.stderr.contains("postgres://u:***@127.0.0.1:1/db"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("hunter2"), "{}", r.stderr);

    // Bad arguments are usage errors.
    assert_eq!(f.run(&["lineage", "x@"]).code, 2);
    assert_eq!(f.run(&["lineage", "@abc"]).code, 2);
    assert_eq!(f.run(&["impact", "--package", "x=="]).code, 2);
}

#[test]
fn impact_of_an_unknown_package_is_empty() {
    let f = Fixture::new();
    // Reading commands never create a ledger: none yet is exit 6, named.
    for args in [
        &["impact", "--package", "numpy"][..],
        &["lineage", "train@sha256:00"][..],
        &["ledger", "verify"][..],
    ] {
        let r = f.run(args);
        assert_eq!(r.code, 6, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("no ledger here yet"), "{}", r.stderr);
        assert!(r.stderr.contains("ledger.db"), "{}", r.stderr);
    }
    assert!(!f.home().join("ledger.db").exists());
    assert_eq!(f.run(&["ledger", "trust", "add", f.s("lab.pub")]).code, 0);
    let r = f.run(&["impact", "--package", "numpy==2.0.0", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["question"]["by"], "package");
    assert_eq!(json["question"]["name"], "numpy");
    assert_eq!(json["question"]["specifier"], "==2.0.0");
    assert_eq!(json["packages"], serde_json::json!([]));
    assert_eq!(json["environments"], serde_json::json!([]));
    // An advisory that is neither imported nor embedded is bad input, named.
    let r = f.run(&["impact", "--advisory", "GHSA-none"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("advisory GHSA-none is not in the local database"),
        "{}",
        r.stderr
    );
    // An embedded one resolves, with an open window up to now.
    let r = f.run(&["impact", "--advisory", "MAL-2026-2144", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["window_source"], "advisory_open");
    assert!(json["window"]["until"].is_string(), "{json}");
    // A bad specifier names what is wrong; --package and --advisory exclude each other.
    let r = f.run(&["impact", "--package", "numpy=>2"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not a PEP 440 specifier"), "{}", r.stderr);
    assert_eq!(
        f.run(&["impact", "--package", "a", "--advisory", "b"]).code,
        2
    );
    assert_eq!(f.run(&["impact"]).code, 2);
}

#[test]
fn seal_record_warns_until_the_key_is_trusted() {
    let f = Fixture::new();
    let args = |out: &'static str| {
        [
            "seal",
            f.s("train"),
            "-k",
            f.s("lab.key"),
            "-o",
            f.s(out),
            "--record",
        ]
    };
    // Not trusted: the manifest is written, a warning says why, exit 7.
    let r = f.run(&args("m.json"));
    assert_eq!(r.code, 7, "{}", r.stderr);
    assert!(f.p("m.json").exists());
    assert!(
        r.stderr
            .contains("was written but not recorded in the ledger"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("does not trust the signing key"),
        "{}",
        r.stderr
    );

    assert_eq!(f.run(&["ledger", "trust", "add", f.s("lab.pub")]).code, 0);
    let r = f.run(&args("m2.json"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("stored (event 2)"), "{}", r.stderr);
    // A BLAKE3 seal (the default) is stored but says how runs name folders.
    assert!(
        r.stderr.contains("only when sealed with --hash sha256"),
        "{}",
        r.stderr
    );
    // The first manifest, added by hand, is the same version again.
    let r = f.run(&["ledger", "add", f.s("m.json")]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // A bad location is refused before anything is sealed.
    let r = f.run(&[
        "seal",
        f.s("train"),
        "-k",
        f.s("lab.key"),
        "-o",
        f.s("m3.json"),
        "--record",
        "--ledger",
        "mysql://x",
    ]);
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(!f.p("m3.json").exists());
    // --record needs a custody manifest.
    let r = f.run(&[
        "seal",
        f.s("train"),
        "-k",
        f.s("lab.key"),
        "-o",
        f.s("m4.json"),
        "--format",
        "model-signing",
        "--record",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// A sealed folder read by a recorded run that writes another: the
/// package in the step's environment names the run, what it read (the
/// sealed version) and what it wrote; the written folder's lineage names
/// the run.
#[test]
fn run_record_then_impact_and_lineage() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.p("out")).unwrap();
    std::fs::create_dir_all(f.p("tmp")).unwrap();
    assert_eq!(f.run(&["ledger", "trust", "add", f.s("lab.pub")]).code, 0);
    // SHA-256: the digest a run names a folder by.
    f.seal_recorded_sha256("train", "train.m.json");
    let code = format!(
        "open({:?}, 'w').write(open({:?}).read())",
        f.s("out/clean.jsonl"),
        f.s("train/a.jsonl")
    );
    let r = common::run(
        common::custody(&f.home())
            .env_remove("CUSTODY_LEDGER")
            .env("HOME", f.p("home"))
            .env("TMPDIR", f.p("tmp"))
            .current_dir(f.dir.path())
            .args([
                "run",
                "--input",
                f.s("train"),
                "--output",
                f.s("out"),
                "-k",
                f.s("lab.key"),
                "--attest",
                f.s("att.json"),
                "--record",
                "--",
                common::sandbox::PY,
                "-c",
                &code,
            ]),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("att.json in the ledger"), "{}", r.stderr);
    assert!(r.stderr.contains("stored (event 3)"), "{}", r.stderr);

    // A package of the step's environment, from the attestation.
    let package = first_package(&f.p("att.json"));
    let r = f.run(&["impact", "--package", &package, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let impact: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let runs = impact["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{impact}");
    assert!(runs[0]["command"].as_str().unwrap().contains("clean.jsonl"));
    let exposed = impact["exposed"].as_array().unwrap();
    assert_eq!(exposed.len(), 1, "{impact}");
    assert_eq!(exposed[0]["datasets"][0]["name"], "train", "{impact}");
    assert_eq!(impact["written"].as_array().unwrap().len(), 1, "{impact}");
    let r = f.run(&["impact", "--package", &package]);
    assert!(r.stdout.contains("runs: 1"), "{}", r.stdout);
    assert!(r.stdout.contains("[train@"), "{}", r.stdout);

    // Outside the window: no run.
    let r = f.run(&[
        "impact",
        "--package",
        &package,
        "--until",
        "2000-01-01T00:00:00Z",
        "--format",
        "json",
    ]);
    let impact: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(impact["runs"], serde_json::json!([]), "{impact}");

    // The output, sealed, comes from the run that read `train`.
    let root = f.seal_recorded_sha256("out", "out.m.json");
    let r = f.run(&["lineage", &format!("out@{root}"), "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lineage: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let upstream = lineage["upstream"].as_array().unwrap();
    assert_eq!(upstream.len(), 1, "{lineage}");
    assert_eq!(upstream[0]["datasets"][0]["name"], "train", "{lineage}");
    let r = f.run(&["lineage", &format!("out@{root}")]);
    assert!(r.stdout.contains("upstream: 1"), "{}", r.stdout);
    // The name alone is the version recorded last; an unknown name is bad input.
    let r = f.run(&["lineage", "out", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let latest: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        latest, lineage,
        "the latest version of out is the one sealed"
    );
    let r = f.run(&["lineage", "no-such-dataset"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("no sealed version of \"no-such-dataset\""),
        "{}",
        r.stderr
    );

    assert_eq!(f.run(&["ledger", "verify"]).code, 0);
}

#[test]
fn trust_add_refuses_what_is_not_a_public_key_and_help_teaches() {
    let f = Fixture::new();
    let r = f.run(&["ledger", "trust", "add", f.s("lab.key")]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not a public key"), "{}", r.stderr);
    let r = f.run(&["ledger", "trust", "add", f.s("missing.pub")]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("missing.pub"), "{}", r.stderr);
    assert_eq!(f.run(&["ledger", "trust", "add", f.s("lab.pub")]).code, 0);
    let r = f.run(&["ledger", "trust", "add", f.s("lab.pub")]);
    assert!(
        r.stdout.contains("already trusted (event 1)"),
        "{}",
        r.stdout
    );

    for args in [
        &["ledger", "add", "--help"][..],
        &["ledger", "verify", "--help"],
        &["ledger", "trust", "add", "--help"],
        &["impact", "--help"],
        &["lineage", "--help"],
    ] {
        let r = f.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(r.stdout.contains("Example"), "{args:?}: {}", r.stdout);
        assert!(r.stdout.contains("Exit codes"), "{args:?}: {}", r.stdout);
    }
}

#[test]
fn run_record_needs_a_signed_attestation() {
    let f = Fixture::new();
    for args in [
        &["run", "--record", "--", "/bin/true"][..],
        &[
            "run",
            "--attest",
            f.s("att.json"),
            "--record",
            "--",
            "/bin/true",
        ],
    ] {
        let r = f.run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("--record"), "{}", r.stderr);
    }
    assert!(!f.p("att.json").exists());
}

/// Unmounts its folder when dropped.
struct Unmount(PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).output();
    }
}

/// A ledger whose disk is full: `ledger add` exits 8 naming it, and what
/// was stored before still verifies.
#[test]
fn a_full_ledger_disk_is_exit_8() {
    assert!(
        common::sandbox::is_root(),
        "this test mounts a tmpfs: run the suite as root (CI does)"
    );
    let f = Fixture::new();
    let disk = f.p("disk");
    std::fs::create_dir_all(&disk).unwrap();
    let out = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&disk)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _unmount = Unmount(disk.clone());
    // A manifest bigger than the disk: 4,000 files with long names.
    let big = f.p("big");
    std::fs::create_dir_all(&big).unwrap();
    for i in 0..4000 {
        std::fs::write(big.join(format!("{i:05}-{}.txt", "x".repeat(120))), "x").unwrap();
    }
    let db = disk.join("ledger.db");
    let db = db.to_str().unwrap();
    assert_eq!(
        f.run(&["ledger", "trust", "add", f.s("lab.pub"), "--ledger", db])
            .code,
        0
    );
    let r = f.run(&[
        "seal",
        f.s("big"),
        "-k",
        f.s("lab.key"),
        "-o",
        f.s("big.m.json"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::metadata(f.p("big.m.json")).unwrap().len() > 1 << 20);
    let r = f.run(&["ledger", "add", f.s("big.m.json"), "--ledger", db]);
    assert_eq!(r.code, 8, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("the ledger's storage is full"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("free space"), "{}", r.stderr);
    let r = f.run(&["ledger", "verify", "--ledger", db]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("events: 1"), "{}", r.stdout);
}

/// A lockfile's scan inventory keeps the upload times the lockfile records
/// (what `accept`'s `min-package-age` rule checks).
#[test]
fn a_lockfile_inventory_keeps_upload_times() {
    let f = Fixture::new();
    assert_eq!(f.run(&["ledger", "trust", "add", f.s("lab.pub")]).code, 0);
    let lock = common::fixture("lockfiles/uv/uv.lock");
    let r = f.run(&[
        "scan",
        lock.to_str().unwrap(),
        "--no-inspect",
        "--record",
        "-k",
        f.s("lab.key"),
        "--inventory",
        f.s("inv.json"),
    ]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert!(r.stderr.contains(": stored (event 2)"), "{}", r.stderr);
    let statement = common::sandbox::payload(&f.p("inv.json"));
    let source = &statement["predicate"]["sources"][0];
    assert_eq!(source["kind"], "uv.lock", "{statement}");
    let timed = source["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["uploadTime"].is_string())
        .count();
    assert!(timed > 0, "{statement}");
}

/// The incident report's timeline dates an affected release from the
/// upload time a recorded lockfile inventory holds (OSV has none).
#[test]
fn the_incident_timeline_dates_a_release_from_a_recorded_lockfile() {
    let f = Fixture::new();
    assert_eq!(f.run(&["ledger", "trust", "add", f.s("lab.pub")]).code, 0);
    std::fs::create_dir_all(f.p("proj")).unwrap();
    let wheel = |at: &str| {
        format!(
            "{{ url = \"https://files.pythonhosted.org/packages/00/00/litellm-1.82.8-py3-none-any.whl\", \
             hash = \"sha256:{}\", size = 1000, upload-time = \"{at}\" }}",
            "ab".repeat(32)
        )
    };
    let lock = format!(
        "version = 1\nrevision = 2\nrequires-python = \">=3.11\"\n\n[[package]]\nname = \"litellm\"\n\
         version = \"1.82.8\"\nsource = {{ registry = \"https://pypi.org/simple\" }}\nwheels = [\n    {},\n    {},\n]\n",
        wheel("2026-03-24T10:58:00Z"),
        wheel("2026-03-24T10:52:00Z")
    );
    std::fs::write(f.p("proj/uv.lock"), lock).unwrap();
    let r = f.run(&[
        "scan",
        f.s("proj/uv.lock"),
        "--no-inspect",
        "--record",
        "-k",
        f.s("lab.key"),
    ]);
    assert_eq!(
        r.code, 1,
        "the release is malicious: {}{}",
        r.stdout, r.stderr
    );
    let r = f.run(&[
        "report",
        "incident",
        "--advisory",
        "MAL-2026-2144",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        j["releases"],
        serde_json::json!([{"name": "litellm", "version": "1.82.8", "uploaded_at": "2026-03-24T10:58:00Z"}]),
        "the newest file's upload, as the inventory keeps it: {j}"
    );
    let first = &j["timeline"][0];
    assert_eq!(first["at"], "2026-03-24T10:58:00Z", "{j}");
    assert_eq!(
        first["what"],
        "litellm 1.82.8 uploaded (its newest file, by a recorded lockfile inventory): \
         the release was live by then"
    );
}
