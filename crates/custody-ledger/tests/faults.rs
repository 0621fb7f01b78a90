//! Faults the issue names, on both backends: `kill -9` of a writer in the
//! middle of ingest loses no acknowledged document and leaves a ledger
//! that verifies; a full disk is [`LedgerError::Full`] with what was
//! stored before intact.

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Store;
use common::docs::{key, run_statement, signed};
use custody_ledger::{AddOutcome, Ledger, LedgerError, Location};

/// `n` signed run attestations, each with `packages` packages of its own,
/// written to `dir`; the ledger trusts their key.
fn documents(location: &Location, dir: &Path, n: usize, packages: usize) -> Vec<PathBuf> {
    let k = key();
    Ledger::open(location)
        .expect("open")
        .trust_add(&k.public().to_pem())
        .expect("trust");
    (0..n)
        .map(|i| {
            let names: Vec<(String, String)> = (0..packages)
                .map(|p| (format!("pkg-{i}-{p}"), format!("1.{p}")))
                .collect();
            let refs: Vec<(&str, &str)> = names
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            let out = format!("{:064x}", i + 1);
            let st = run_statement(
                &format!("/envs/e{i}"),
                &refs,
                &[],
                &[("out", out.as_str())],
                "2026-03-24T10:00:00Z",
                "2026-03-24T10:05:00Z",
            );
            let path = dir.join(format!("doc{i:04}.json"));
            fs_err::write(&path, signed(&st, &k)).expect("write");
            path
        })
        .collect()
}

/// The location as `Location::parse` reads it.
fn spelled(location: &Location) -> String {
    match location {
        Location::Sqlite(p) => p.display().to_string(),
        Location::Postgres(url) => url.clone(),
    }
}

/// The writer `kill_9_*` runs and kills: adds every document in
/// `LEDGER_CHILD_DOCS` to `LEDGER_CHILD_LOCATION`, printing `ACK <digest>`
/// after each commit.
#[test]
#[ignore = "the writer the kill -9 tests start and kill; not a test by itself"]
fn child_writer() {
    let location = Location::parse(&std::env::var("LEDGER_CHILD_LOCATION").expect("location"))
        .expect("location");
    let dir = PathBuf::from(std::env::var("LEDGER_CHILD_DOCS").expect("docs"));
    let mut paths: Vec<PathBuf> = fs_err::read_dir(&dir)
        .expect("docs")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    let mut ledger = Ledger::open(&location).expect("open");
    let mut out = std::io::stdout().lock();
    for p in paths {
        let bytes = fs_err::read(&p).expect("read");
        ledger.add(&bytes).expect("add");
        writeln!(out, "ACK {}", custody_ledger::log::sha256_hex(&bytes)).expect("ack");
        out.flush().expect("flush");
    }
}

/// Kills the writer at several points; after each kill, every
/// acknowledged document is stored and the ledger verifies; in the end
/// every document can still be added.
fn kill_9_loses_no_acknowledged_document(store: &dyn Store) {
    let location = store.location();
    let dir = tempfile::tempdir().expect("dir");
    let docs = documents(&location, dir.path(), 120, 200);
    let mut acked_total = 0;
    // Each round kills the writer right after its k-th acknowledgement
    // (earlier documents come back as duplicates, also acknowledged), so
    // the kill lands mid-ingest however fast ingest is.
    for (round, k) in [5_usize, 25, 45, 65, 85].into_iter().enumerate() {
        let mut child = Command::new(std::env::current_exe().expect("exe"))
            .args(["child_writer", "--exact", "--ignored", "--nocapture", "-q"])
            .env("LEDGER_CHILD_LOCATION", spelled(&location))
            .env("LEDGER_CHILD_DOCS", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the writer");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut acked = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(d) = line.strip_prefix("ACK ") {
                    acked.push(d.to_owned());
                    let _ = tx.send(acked.len());
                }
            }
            acked
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Ok(n) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            if n >= k {
                break;
            }
        }
        child.kill().expect("kill -9");
        child.wait().expect("reap");
        let acked = reader.join().expect("reader");
        assert!(
            acked.len() >= k,
            "round {round}: only {} acknowledged",
            acked.len()
        );
        let mut l = Ledger::open(&location).expect("open after the kill");
        let report = l.verify().expect("verify");
        assert!(report.ok(), "round {round}: {report:?}");
        for d in &acked {
            assert_eq!(
                store.count(&format!("SELECT COUNT(*) FROM events WHERE digest = '{d}'")),
                1,
                "round {round}: acknowledged {d} is not stored"
            );
        }
        acked_total += acked.len();
    }
    // The kills landed mid-ingest at least once (not all before the first
    // commit, not all after the last).
    let stored = store.count("SELECT COUNT(*) FROM runs");
    assert!(
        stored > 0 && stored < 120,
        "{stored} runs stored before the last add"
    );
    assert!(acked_total > 0);
    let mut l = Ledger::open(&location).expect("open");
    for p in &docs {
        let bytes = fs_err::read(p).expect("read");
        assert!(matches!(
            l.add(&bytes).expect("add after the kills"),
            AddOutcome::Stored(_) | AddOutcome::Duplicate(_)
        ));
    }
    assert_eq!(store.count("SELECT COUNT(*) FROM runs"), 120);
    assert!(l.verify().expect("verify").ok());
}

#[test]
fn kill_9_during_ingest_sqlite() {
    kill_9_loses_no_acknowledged_document(&common::Sqlite::new());
}

#[test]
fn kill_9_during_ingest_postgres() {
    kill_9_loses_no_acknowledged_document(&common::Postgres::new());
}

/// A tmpfs of `size` mounted on a new folder (root only), unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str, owner: Option<u32>) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .expect("mount");
        assert!(
            out.status.success(),
            "mounting a small tmpfs needs root: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(uid) = owner {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(uid)).expect("chown");
        }
        Self { dir }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).output();
    }
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    fs_err::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Adds big documents until the store is full: the error is `Full`, the
/// documents acknowledged before are all there, and the ledger verifies.
fn fill(location: &Location, docs: &[PathBuf]) {
    let mut l = Ledger::open(location).expect("open");
    let began = Instant::now();
    let mut stored = 0;
    let mut full = None;
    for p in docs {
        match l.add(&fs_err::read(p).expect("read")) {
            Ok(AddOutcome::Stored(_)) => stored += 1,
            Ok(AddOutcome::Duplicate(_)) => panic!("duplicate"),
            Err(e) => {
                full = Some(e);
                break;
            }
        }
    }
    let e = full.expect("the small disk filled up");
    assert!(matches!(e, LedgerError::Full { .. }), "{e:?}");
    assert!(e.to_string().contains("storage is full"), "{e}");
    assert!(stored > 0, "some documents fit before the disk filled");
    assert!(began.elapsed() < Duration::from_secs(60));
    drop(l);
    let mut l = Ledger::open(location).expect("reopen a full ledger");
    let report = l.verify().expect("verify");
    assert!(report.ok(), "{report:?}");
    // Trust + the documents that were acknowledged, nothing half-written.
    assert_eq!(report.events, stored + 1);
}

#[test]
fn a_full_disk_is_full_and_keeps_what_was_stored_sqlite() {
    assert!(
        is_root(),
        "this test mounts a tmpfs: run the suite as root (CI does)"
    );
    let disk = SmallDisk::mount("3m", None);
    let location = Location::Sqlite(disk.dir.path().join("ledger.db"));
    let docs_dir = tempfile::tempdir().expect("dir");
    let docs = documents(&location, docs_dir.path(), 60, 1500);
    fill(&location, &docs);
}

#[test]
fn a_full_disk_is_full_and_keeps_what_was_stored_postgres() {
    assert!(
        is_root(),
        "this test mounts a tmpfs: run the suite as root (CI does)"
    );
    let store = common::Postgres::new();
    // The server runs as nobody: the tablespace's folder is theirs.
    let disk = SmallDisk::mount("3m", Some(65534));
    store.raw(&format!(
        "CREATE TABLESPACE small LOCATION '{}'",
        disk.dir.path().display()
    ));
    store.raw("ALTER DATABASE postgres SET default_tablespace = small");
    let location = store.location();
    let docs_dir = tempfile::tempdir().expect("dir");
    let docs = documents(&location, docs_dir.path(), 60, 1500);
    assert_eq!(
        store.count(
            "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'events' AND tablespace = 'small'"
        ),
        1,
        "the ledger's tables are on the small disk"
    );
    fill(&location, &docs);
}
