//! A full disk (issue 19, item 3): `db import`, `seal -o`, `run --attest`,
//! `ledger add` and `seal --record` with their output on a small tmpfs
//! the test mounts and fills. Each exits 8 naming the file (or the
//! ledger), the earlier database, manifest, attestation or ledger is intact
//! and still checks, and the same command succeeds once there is room (the
//! control).
//!
//! Mounting needs root: without it each test says so and passes without
//! checking anything. CI runs as root.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
#![allow(clippy::print_stderr, reason = "a skipped test says why")]

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Run, custody, custody_run, docs, osv_real, pypa_db};

/// Exit code: no space left (`exit.rs`).
const FULL: i32 = 8;
/// Exit code: `--record` wrote the document but did not record it.
const NOT_RECORDED: i32 = 7;

/// A tmpfs of a few MiB on a fresh folder, unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` (with the reason printed) when not root.
    fn mount(test: &str, size: &str) -> Option<Self> {
        use std::os::unix::fs::MetadataExt as _;
        if std::fs::metadata("/proc/self").unwrap().uid() != 0 {
            eprintln!("{test}: skipped, mounting a tmpfs needs root (CI runs as root)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mount: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(Self { dir })
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Fills the disk with `filler`, leaving `room` bytes free.
    fn fill(&self, room: u64) {
        let mut f = std::fs::File::create(self.p("filler")).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        loop {
            match f.write(&chunk) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
                Err(e) => panic!("filling: {e}"),
            }
        }
        // Single pages too, until not one is left.
        while f.write(&[0u8; 4096]).is_ok_and(|n| n > 0) {}
        let len = f.metadata().unwrap().len();
        f.set_len(len - room).unwrap();
    }

    /// Room again: the filler removed.
    fn free(&self) {
        std::fs::remove_file(self.p("filler")).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let out = Command::new("umount").arg(self.dir.path()).output();
        if !out.is_ok_and(|o| o.status.success()) {
            // Still busy (a process of a failed test): detach it anyway.
            let _ = Command::new("umount")
                .arg("-l")
                .arg(self.dir.path())
                .output();
        }
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Exit 8, the message naming `what` and saying why.
fn full(r: &Run, what: &Path) {
    assert_eq!(r.code, FULL, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(s(what)),
        "names {}: {}",
        what.display(),
        r.stderr
    );
    assert!(
        r.stderr.contains("no space left") || r.stderr.contains("storage is full"),
        "{}",
        r.stderr
    );
}

fn ok(r: &Run) {
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

fn db_status(home: &Path) -> String {
    let r = custody_run(home, &["db", "status", "--format", "json"]);
    ok(&r);
    r.stdout
}

#[test]
fn db_import_on_a_full_disk_keeps_the_earlier_database() {
    let Some(disk) = SmallDisk::mount("db import", "4m") else {
        return;
    };
    let home = disk.p("home");
    ok(&custody_run(&home, &["db", "import", s(&osv_real())]));
    let before = db_status(&home);
    // The PyPA database needs about 7 MiB.
    let r = custody_run(&home, &["db", "import", s(&pypa_db())]);
    full(&r, &home.join("advisories.db"));
    assert!(
        r.stderr.contains("the previous database is unchanged"),
        "{}",
        r.stderr
    );
    assert_eq!(db_status(&home), before, "read on the full disk");
    assert!(!home.join("advisories.db-journal").exists());
    // The control: with room, the same import succeeds.
    let grow = Command::new("mount")
        .args(["-o", "remount,size=32m"])
        .arg(disk.dir.path())
        .status()
        .unwrap();
    assert!(grow.success());
    ok(&custody_run(&home, &["db", "import", s(&pypa_db())]));
    assert!(db_status(&home).contains("\"records\": 2665"));
}

/// A key pair in `dir` (`k.key`, `k.pub`).
fn key(dir: &Path) -> (PathBuf, PathBuf) {
    ok(&custody_run(
        &dir.join("home"),
        &["key", "generate", "-o", s(&dir.join("k"))],
    ));
    (dir.join("k.key"), dir.join("k.pub"))
}

/// `n` small JSONL files under `dir`.
fn dataset(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        std::fs::write(
            dir.join(format!("f{i:04}.jsonl")),
            format!("{{\"id\":{i}}}\n"),
        )
        .unwrap();
    }
}

#[test]
fn seal_on_a_full_disk_keeps_the_earlier_manifest() {
    let Some(disk) = SmallDisk::mount("seal -o", "2m") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let (k, public) = key(work.path());
    let data = work.path().join("data");
    dataset(&data, 3);
    let manifest = disk.p("m.json");
    let seal = || {
        custody_run(
            &work.path().join("home"),
            &["seal", s(&data), "-k", s(&k), "-o", s(&manifest)],
        )
    };
    ok(&seal());
    let earlier = std::fs::read(&manifest).unwrap();
    // A new version, whose manifest needs room.
    dataset(&data, 400);
    disk.fill(0);
    let r = seal();
    full(&r, &manifest);
    assert_eq!(
        std::fs::read(&manifest).unwrap(),
        earlier,
        "the earlier manifest"
    );
    let names: Vec<_> = std::fs::read_dir(disk.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    // It still verifies, against the data it sealed.
    let old = work.path().join("old");
    dataset(&old, 3);
    let verify = |data: &Path| {
        custody_run(
            &work.path().join("home"),
            &["verify", s(data), "-m", s(&manifest), "--key", s(&public)],
        )
    };
    ok(&verify(&old));
    // The control: with room, the same seal succeeds.
    disk.free();
    ok(&seal());
    ok(&verify(&data));
}

#[test]
fn run_attestation_on_a_full_disk_keeps_the_earlier_one() {
    let Some(disk) = SmallDisk::mount("run --attest", "1m") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let (k, public) = key(work.path());
    let out = work.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let attestation = disk.p("run.json");
    let run = || {
        common::run(custody(&work.path().join("home")).args([
            "run",
            "--output",
            s(&out),
            "--attest",
            s(&attestation),
            "-k",
            s(&k),
            "--",
            "/bin/sh",
            "-c",
            &format!("echo data > {}/x", s(&out)),
        ]))
    };
    ok(&run());
    let earlier = std::fs::read(&attestation).unwrap();
    disk.fill(0);
    let r = run();
    full(&r, &attestation);
    assert_eq!(std::fs::read(&attestation).unwrap(), earlier);
    let env: custody_seal::dsse::Envelope = serde_json::from_slice(&earlier).unwrap();
    let public =
        custody_seal::keys::PublicKey::from_pem(&std::fs::read_to_string(public).unwrap()).unwrap();
    assert!(
        env.verify(&[public]).is_ok(),
        "the earlier attestation still verifies"
    );
    disk.free();
    ok(&run());
    assert_ne!(std::fs::read(&attestation).unwrap(), earlier);
}

fn ledger_events(home: &Path, ledger: &Path) -> u64 {
    let r = custody_run(
        home,
        &[
            "ledger",
            "verify",
            "--ledger",
            s(ledger),
            "--format",
            "json",
        ],
    );
    ok(&r);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    v["events"].as_u64().unwrap()
}

#[test]
fn ledger_add_on_a_full_disk_keeps_what_was_stored() {
    let Some(disk) = SmallDisk::mount("ledger add", "4m") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let (k, public) = key(work.path());
    let signer = docs::signing_key(&k);
    let ledger = disk.p("ledger.db");
    ok(&custody_run(
        &home,
        &["ledger", "trust", "add", s(&public), "--ledger", s(&ledger)],
    ));
    let earlier = docs::run_attestations(&signer, &work.path().join("earlier"), 0, 5, 20);
    let add = |files: &[PathBuf]| {
        common::run(
            custody(&home)
                .args(["ledger", "add", "--ledger", s(&ledger)])
                .args(files.iter().map(|f| s(f))),
        )
    };
    ok(&add(&earlier));
    assert_eq!(ledger_events(&home, &ledger), 6);
    let batch = docs::run_attestations(&signer, &work.path().join("batch"), 5, 40, 100);
    // Room to open the ledger, not for the batch: SQLite runs out inside
    // the transaction.
    disk.fill(256 * 1024);
    full(&add(&batch), &ledger);
    disk.free();
    assert_eq!(
        ledger_events(&home, &ledger),
        6,
        "nothing of the batch kept"
    );
    // Not a byte free: the write-ahead log's index cannot grow when the
    // ledger is opened, which is a full disk too, not an I/O error.
    disk.fill(0);
    full(&add(&batch), &ledger);
    // `--record` to the full ledger: the manifest is written, not
    // recorded, and the warning says why.
    let data = work.path().join("data");
    dataset(&data, 2);
    let r = custody_run(
        &home,
        &[
            "seal",
            s(&data),
            "-k",
            s(&k),
            "-o",
            s(&work.path().join("m.json")),
            "--record",
            "--ledger",
            s(&ledger),
        ],
    );
    assert_eq!(r.code, NOT_RECORDED, "{}", r.stderr);
    assert!(
        r.stderr.contains("was written but not recorded"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(s(&ledger)), "{}", r.stderr);
    assert!(work.path().join("m.json").exists());
    disk.free();
    assert_eq!(ledger_events(&home, &ledger), 6);
    // The control: with room, the same add succeeds.
    ok(&add(&batch));
    assert_eq!(ledger_events(&home, &ledger), 46);
}
