//! Crash safety (issue 19, item 3): the real binary killed with SIGKILL at
//! random moments during `db import`, `seal`, `run --attest --record` and
//! `ledger add`. After every kill the output is the previous file or the
//! complete new one (never half), the database opens and passes its own
//! check (`db status` and SQLite's `integrity_check`; `ledger verify`),
//! and running the command again succeeds.
//!
//! The moments are random and seeded: each loop prints its seed, and
//! `CUSTODY_CRASH_SEED=N` replays it (`CUSTODY_CRASH_ITERATIONS=N` runs
//! more). Each loop first runs its command to the end once to measure it;
//! then even kills come at a uniform delay over that duration, odd kills
//! wait for the write to begin (a temporary file, a journal) and add a
//! random delay, so that some land inside the write on any machine. Each
//! loop counts the kills that landed inside the write, shown by what they
//! left (a temporary file, a hot journal, a non-empty write-ahead log), and
//! fails when none did: that is the control that the loop tests something.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
#![allow(
    clippy::print_stderr,
    reason = "the seeds and the tallies are for whoever reads the log"
)]

mod common;

use std::fmt::Write as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{custody, custody_run, docs, osv_real, pypa_db};

/// Kills per loop unless `CUSTODY_CRASH_ITERATIONS` says otherwise.
const ITERATIONS: usize = 8;

fn iterations() -> usize {
    std::env::var("CUSTODY_CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ITERATIONS)
}

/// splitmix64: small, seeded, good enough for delays.
struct Rng(u64);

impl Rng {
    fn seeded(what: &str) -> Self {
        let seed = std::env::var("CUSTODY_CRASH_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap();
                (now.as_secs() << 30) ^ u64::from(now.subsec_nanos())
            });
        eprintln!("{what}: seed {seed} (CUSTODY_CRASH_SEED={seed} replays it)");
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A delay in `[0, max]`, to the microsecond.
    fn up_to(&mut self, max: Duration) -> Duration {
        let us = u64::try_from(max.as_micros()).unwrap().max(1);
        Duration::from_micros(self.next() % (us + 1))
    }
}

/// When to kill.
enum When<'a> {
    /// This long after the start.
    After(Duration),
    /// This long after `ready` first holds (polled every 200 µs).
    Once(&'a dyn Fn() -> bool, Duration),
}

/// How a command that was to be killed ended.
#[derive(Debug)]
struct Ended {
    /// SIGKILL ended it (not its own exit first).
    killed: bool,
    /// Its exit code when it finished first.
    code: Option<i32>,
    /// When the kill was sent.
    at: Duration,
}

/// Runs `cmd` and kills it with SIGKILL at `when`, unless it ends first.
fn run_and_kill(cmd: &mut Command, when: &When) -> Ended {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let kill_at = match when {
        When::After(d) => start + *d,
        When::Once(ready, d) => loop {
            if ready() {
                break Instant::now() + *d;
            }
            if child.try_wait().unwrap().is_some() {
                break Instant::now();
            }
            assert!(start.elapsed() < Duration::from_secs(120), "never ready");
            std::thread::sleep(Duration::from_micros(200));
        },
    };
    while Instant::now() < kill_at {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep((kill_at - Instant::now()).min(Duration::from_micros(500)));
    }
    let at = start.elapsed();
    // SIGKILL; a child that already exited is a zombie, and its own
    // status is what `wait` returns.
    let _ = child.kill();
    let status = child.wait().unwrap();
    Ended {
        killed: status.signal() == Some(9),
        code: status.code(),
        at,
    }
}

/// The hidden temporary files `write_atomic` leaves when killed before its
/// rename, removed after counting; any other stray file fails.
fn temporaries(dir: &Path, output: &str) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name.starts_with(".custody-") {
            std::fs::remove_file(dir.join(&name)).unwrap();
            n += 1;
        } else {
            assert_eq!(name, output, "a stray file beside the output");
        }
    }
    n
}

fn has_temporary(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".custody-")
    })
}

/// A file's inode, size and modification time: what changes when it is
/// replaced or written to.
fn identity(p: &Path) -> (u64, u64, i64, i64) {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(p).map_or((0, 0, 0, 0), |m| {
        (m.ino(), m.size(), m.mtime(), m.mtime_nsec())
    })
}

fn nonempty(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.len() > 0)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// What the loops print at the end and assert on.
#[derive(Default)]
struct Tally {
    kills: usize,
    inside: usize,
    finished: usize,
}

impl Tally {
    fn count(&mut self, what: &str, i: usize, e: &Ended, inside: bool) {
        eprintln!(
            "{what} #{i}: {} at {:?}{}",
            if e.killed { "killed" } else { "finished" },
            e.at,
            if inside { ", inside the write" } else { "" }
        );
        if e.killed {
            self.kills += 1;
            self.inside += usize::from(inside);
        } else {
            self.finished += 1;
            assert_eq!(e.code, Some(0), "{what} #{i} finished but failed");
        }
    }

    fn check(&self, what: &str, took: Duration) {
        eprintln!(
            "{what}: {} kills, {} inside the write, {} finished first; one complete run took {took:?}",
            self.kills, self.inside, self.finished
        );
        assert!(
            self.inside > 0,
            "{what}: no kill landed inside the write, so the loop showed nothing"
        );
    }
}

// ---------------------------------------------------------------- db import

/// `db status` as JSON without the home's path (two homes are compared).
fn db_state(home: &Path) -> serde_json::Value {
    let r = custody_run(home, &["db", "status", "--format", "json"]);
    assert_eq!(r.code, 0, "db status after a kill: {}", r.stderr);
    let mut v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    v.as_object_mut().unwrap().remove("path");
    v
}

fn integrity_ok(db: &Path) {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    let r: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(r, "ok", "{}", db.display());
}

fn import(home: &Path, source: &Path) {
    let r = custody_run(home, &["db", "import", s(source)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn kill_9_during_db_import() {
    let mut rng = Rng::seeded("db import");
    // The states before and after the import, and how long it takes, in a
    // home of their own.
    let other = tempfile::tempdir().unwrap();
    import(other.path(), &osv_real());
    let before = db_state(other.path());
    let t = Instant::now();
    import(other.path(), &pypa_db());
    let took = t.elapsed();
    let after = db_state(other.path());
    assert_ne!(before, after);

    let home = tempfile::tempdir().unwrap();
    import(home.path(), &osv_real());
    let journal = home.path().join("advisories.db-journal");
    let ready = || journal.exists();
    let mut tally = Tally::default();
    for i in 0..iterations() {
        let when = if i % 2 == 0 {
            When::After(rng.up_to(took * 6 / 5))
        } else {
            When::Once(&ready, rng.up_to(took / 3))
        };
        let e = run_and_kill(
            custody(home.path()).args(["db", "import", s(&pypa_db())]),
            &when,
        );
        // Killed inside the transaction: the journal holds the pages to
        // restore.
        tally.count("db import", i, &e, e.killed && nonempty(&journal));
        let state = db_state(home.path());
        assert!(
            state == before || state == after,
            "db import #{i}: neither the earlier database nor the new one: {state}"
        );
        // Read-only, as `db status` reads: a hot journal left behind would
        // fail this (a journal that is not hot, from a kill before the
        // first page was written, is ignored by SQLite and may stay).
        integrity_ok(&home.path().join("advisories.db"));
    }
    tally.check("db import", took);
    import(home.path(), &pypa_db());
    assert_eq!(db_state(home.path()), after);
}

// --------------------------------------------------------------------- seal

/// `n` JSONL files of five records each under `dir`, 100 to a folder.
fn dataset(dir: &Path, n: usize) {
    for i in 0..n {
        let sub = dir.join(format!("{:03}", i / 100));
        std::fs::create_dir_all(&sub).unwrap();
        let mut text = String::new();
        for r in 0..5 {
            writeln!(
                text,
                "{{\"id\":{r},\"file\":{i},\"text\":\"custody crash test\"}}"
            )
            .unwrap();
        }
        std::fs::write(sub.join(format!("f{i:05}.jsonl")), text).unwrap();
    }
}

/// The manifest at `path` opens: container, signature, statement, rules.
fn manifest_opens(path: &Path, public: &custody_seal::keys::PublicKey) -> bool {
    custody_seal::open::open_bytes(
        path,
        std::fs::read(path).unwrap(),
        std::slice::from_ref(public),
    )
    .is_ok()
}

fn public_key(path: &Path) -> custody_seal::keys::PublicKey {
    custody_seal::keys::PublicKey::from_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn kill_9_during_seal() {
    let mut rng = Rng::seeded("seal");
    let dir = tempfile::tempdir().unwrap();
    let p = |rel: &str| dir.path().join(rel);
    let home = p("home");
    assert_eq!(
        custody_run(&home, &["key", "generate", "-o", s(&p("k"))]).code,
        0
    );
    let public = public_key(&p("k.pub"));
    dataset(&p("data"), 6000);
    std::fs::create_dir_all(p("out")).unwrap();
    let manifest = p("out/m.json");
    let seal = || {
        let mut c = custody(&home);
        c.args([
            "seal",
            s(&p("data")),
            "-k",
            s(&p("k.key")),
            "-o",
            s(&manifest),
        ]);
        c
    };
    let t = Instant::now();
    let r = common::run(&mut seal());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let took = t.elapsed();
    let mut previous = std::fs::read(&manifest).unwrap();
    // A new version of the data: the next complete seal differs.
    std::fs::write(p("data/new.jsonl"), "{\"id\":1}\n").unwrap();

    let out = p("out");
    // The write begins: a temporary file appears, or the manifest itself
    // changes (which only a writer that is not atomic would show before
    // it is complete).
    let seen = std::cell::Cell::new(identity(&manifest));
    let ready = || has_temporary(&out) || identity(&manifest) != seen.get();
    let mut tally = Tally::default();
    for i in 0..iterations() {
        let when = if i % 2 == 0 {
            When::After(rng.up_to(took * 6 / 5))
        } else {
            When::Once(&ready, rng.up_to(Duration::from_millis(20)))
        };
        let e = run_and_kill(&mut seal(), &when);
        let left = temporaries(&out, "m.json");
        tally.count("seal", i, &e, e.killed && left > 0);
        let now = std::fs::read(&manifest).unwrap();
        if now != previous {
            assert!(
                manifest_opens(&manifest, &public),
                "seal #{i}: {} is neither the previous manifest nor a whole new one",
                manifest.display()
            );
            previous = now;
        }
        seen.set(identity(&manifest));
    }
    tally.check("seal", took);
    assert_eq!(common::run(&mut seal()).code, 0);
    let r = custody_run(
        &home,
        &[
            "verify",
            s(&p("data")),
            "-m",
            s(&manifest),
            "--key",
            s(&p("k.pub")),
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

// ---------------------------------------------------------------------- run

/// Waits until no process has `marker` in its command line: a step whose
/// custody was killed runs on (in its sandbox) until it ends by itself.
fn wait_for_orphans(marker: &str) {
    let start = Instant::now();
    loop {
        let alive = std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
            std::fs::read(e.path().join("cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
        });
        if !alive {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the step never ended"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A DSSE envelope signed by `public` (the attestation, whole).
fn attestation_verifies(path: &Path, public: &custody_seal::keys::PublicKey) -> bool {
    let Ok(env) =
        serde_json::from_slice::<custody_seal::dsse::Envelope>(&std::fs::read(path).unwrap())
    else {
        return false;
    };
    env.verify(std::slice::from_ref(public)).is_ok()
}

fn ledger_verifies(home: &Path, ledger: &Path) -> usize {
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
    assert_eq!(r.code, 0, "ledger verify: {}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    usize::try_from(v["events"].as_u64().unwrap()).unwrap()
}

#[test]
fn kill_9_during_run_attestation_and_record() {
    let mut rng = Rng::seeded("run --attest --record");
    let dir = tempfile::tempdir().unwrap();
    let p = |rel: &str| dir.path().join(rel);
    let home = p("home");
    let ledger = p("ledger.db");
    for d in ["out", "att", "tmp"] {
        std::fs::create_dir_all(p(d)).unwrap();
    }
    assert_eq!(
        custody_run(&home, &["key", "generate", "-o", s(&p("k"))]).code,
        0
    );
    let done = custody_run(
        &home,
        &[
            "ledger",
            "trust",
            "add",
            s(&p("k.pub")),
            "--ledger",
            s(&ledger),
        ],
    );
    assert_eq!(done.code, 0, "{}", done.stderr);
    let public = public_key(&p("k.pub"));
    let attestation = p("att/run.json");
    let marker = format!("custody-crash-{}", std::process::id());
    let script = format!(
        "head -c 64000000 /dev/zero > {}/x; : {marker}",
        s(&p("out"))
    );
    let run = || {
        let mut c = custody(&home);
        c.env("TMPDIR", p("tmp")).args([
            "run",
            "--output",
            s(&p("out")),
            "--attest",
            s(&attestation),
            "-k",
            s(&p("k.key")),
            "--record",
            "--ledger",
            s(&ledger),
            "--",
            "/bin/sh",
            "-c",
            &script,
        ]);
        c
    };
    let started = Instant::now();
    let done = common::run(&mut run());
    assert_eq!(done.code, 0, "{}", done.stderr);
    let took = started.elapsed();
    let mut previous = std::fs::read(&attestation).unwrap();
    let mut events = ledger_verifies(&home, &ledger);
    assert_eq!(events, 2, "the trust and the run");

    let att = p("att");
    let seen = std::cell::Cell::new(identity(&attestation));
    let ready = || has_temporary(&att) || identity(&attestation) != seen.get();
    let mut tally = Tally::default();
    for i in 0..iterations() {
        let when = if i % 2 == 0 {
            When::After(rng.up_to(took * 6 / 5))
        } else {
            When::Once(&ready, rng.up_to(Duration::from_millis(2)))
        };
        let ended = run_and_kill(&mut run(), &when);
        wait_for_orphans(&marker);
        let left = temporaries(&att, "run.json");
        tally.count("run", i, &ended, ended.killed && left > 0);
        let now = std::fs::read(&attestation).unwrap();
        if now != previous {
            assert!(
                attestation_verifies(&attestation, &public),
                "run #{i}: {} is neither the previous attestation nor a whole new one",
                attestation.display()
            );
            previous = now;
        }
        seen.set(identity(&attestation));
        let n = ledger_verifies(&home, &ledger);
        assert!(
            n == events || n == events + 1,
            "run #{i}: {events} events, then {n}"
        );
        events = n;
    }
    tally.check("run --attest --record", took);
    let done = common::run(&mut run());
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert_eq!(ledger_verifies(&home, &ledger), events + 1);
    // The private folders of killed runs are left behind (no cleanup runs
    // on SIGKILL); the test's TMPDIR holds them and goes with it.
}

// ------------------------------------------------------------- ledger add

#[test]
fn kill_9_during_ledger_add() {
    const DOCS: usize = 300;
    let mut rng = Rng::seeded("ledger add");
    let dir = tempfile::tempdir().unwrap();
    let p = |rel: &str| dir.path().join(rel);
    let home = p("home");
    assert_eq!(
        custody_run(&home, &["key", "generate", "-o", s(&p("k"))]).code,
        0
    );
    let key = docs::signing_key(&p("k.key"));
    let earlier = docs::run_attestations(&key, &p("earlier"), 0, 10, 50);
    let batch = docs::run_attestations(&key, &p("batch"), 10, DOCS, 150);
    let add = |ledger: &Path, files: &[PathBuf]| {
        let mut c = custody(&home);
        c.args(["ledger", "add", "--ledger", s(ledger)])
            .args(files.iter().map(|f| s(f)));
        c
    };
    // The earlier state: a trusted key and ten runs.
    let base = p("base.db");
    let done = custody_run(
        &home,
        &[
            "ledger",
            "trust",
            "add",
            s(&p("k.pub")),
            "--ledger",
            s(&base),
        ],
    );
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert_eq!(common::run(&mut add(&base, &earlier)).code, 0);
    assert!(!p("base.db-wal").exists(), "the earlier ledger is one file");
    let base_events = ledger_verifies(&home, &base);
    let started = Instant::now();
    let full = p("full.db");
    std::fs::copy(&base, &full).unwrap();
    assert_eq!(common::run(&mut add(&full, &batch)).code, 0);
    let took = started.elapsed();
    assert_eq!(ledger_verifies(&home, &full), base_events + DOCS);

    let mut tally = Tally::default();
    for i in 0..iterations() {
        let ledger = p(&format!("l{i}.db"));
        std::fs::copy(&base, &ledger).unwrap();
        let wal = p(&format!("l{i}.db-wal"));
        let ready = || nonempty(&wal);
        let when = if i % 2 == 0 {
            When::After(rng.up_to(took * 6 / 5))
        } else {
            When::Once(&ready, rng.up_to(took / 10))
        };
        let ended = run_and_kill(&mut add(&ledger, &batch), &when);
        // Killed between its first write and its last: the write-ahead
        // log still holds frames (a clean close checkpoints and removes it).
        tally.count("ledger add", i, &ended, ended.killed && nonempty(&wal));
        let n = ledger_verifies(&home, &ledger);
        assert!(
            (base_events..=base_events + DOCS).contains(&n),
            "ledger add #{i}: {n} events"
        );
        let done = common::run(&mut add(&ledger, &batch));
        assert_eq!(done.code, 0, "ledger add #{i} again: {}", done.stderr);
        assert_eq!(ledger_verifies(&home, &ledger), base_events + DOCS);
        for f in [ledger, wal, p(&format!("l{i}.db-shm"))] {
            let _ = std::fs::remove_file(f);
        }
    }
    tally.check("ledger add", took);
}
