//! Resource limits (issue 19, item 5): each parser of untrusted input is
//! given a hostile input at its limit through the real binary, and must
//! finish, name the file and the limit (or what it skipped) and exit with
//! its code. The table in `docs/security.md` ("Resource limits") names
//! each test here. Nothing is timed: a hostile input that is not bounded
//! hangs or exhausts memory, which fails the suite by itself (a 100,000
//! deep YAML document took over 20 s before its limit; `-r /dev/zero` read
//! until memory ran out; a chain of 20,000 includes overflowed the stack).
//!
//! Files over a size limit are sparse: their size is set, not written.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{Run, custody_run};

const BAD_INPUT: i32 = 2;
const REFUSED: i32 = 5;

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.0.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.p(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A file of `len` bytes that takes no room.
    fn sparse(&self, rel: &str, len: u64) -> PathBuf {
        let p = self.p(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::File::create(&p).unwrap().set_len(len).unwrap();
        p
    }

    fn custody(&self, args: &[&str]) -> Run {
        custody_run(&self.p("home"), args)
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The exit code, and every one of `words` in stderr.
fn says(r: &Run, code: i32, words: &[&str]) {
    assert_eq!(r.code, code, "{}{}", r.stdout, r.stderr);
    for w in words {
        assert!(r.stderr.contains(w), "{w:?} not in: {}", r.stderr);
    }
}

fn nested(open: &str, close: &str, depth: usize) -> String {
    format!("{}{}", open.repeat(depth), close.repeat(depth))
}

// ------------------------------------------------------- requirement files

#[test]
fn a_requirement_include_of_a_device_is_not_read() {
    let d = Dir::new();
    let req = d.write("requirements.txt", "requests==2.32.3\n-r /dev/zero\n");
    let r = d.custody(&["scan", s(&req), "-f", "json"]);
    says(
        &r,
        BAD_INPUT,
        &[s(&req), "line 2", "/dev/zero", "not a regular file"],
    );
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["summary"]["packages"], 1, "the rest was read");
}

#[test]
fn requirement_includes_deeper_than_64_files_are_not_followed() {
    let d = Dir::new();
    for i in 0..200 {
        d.write(&format!("r{i}.txt"), &format!("-r r{}.txt\n", i + 1));
    }
    d.write("r200.txt", "requests==2.32.3\n");
    let r = d.custody(&["scan", s(&d.p("r0.txt"))]);
    says(
        &r,
        BAD_INPUT,
        &[
            s(&d.p("r64.txt")),
            "r65.txt",
            "includes nest deeper than 64 files",
        ],
    );
}

#[test]
fn a_requirement_file_over_128_mib_is_not_read() {
    let d = Dir::new();
    let big = d.sparse("requirements.txt", (128 << 20) + 1);
    let r = d.custody(&["scan", s(&big)]);
    says(&r, BAD_INPUT, &[s(&big), "larger than the 128 MiB limit"]);
}

// ---------------------------------------------------- lockfiles and bills

#[test]
fn a_lockfile_over_128_mib_is_not_read() {
    for name in ["uv.lock", "package-lock.json", "bom.cdx.json"] {
        let d = Dir::new();
        let big = d.sparse(name, (128 << 20) + 1);
        let r = d.custody(&["scan", s(&big)]);
        says(&r, BAD_INPUT, &[s(&big), "larger than the 128 MiB limit"]);
    }
}

#[test]
fn a_pnpm_lockfile_nested_deeper_than_1000_is_not_parsed() {
    let d = Dir::new();
    let lock = d.write(
        "pnpm-lock.yaml",
        &format!(
            "lockfileVersion: '9.0'\npackages:\n  x: {}\n",
            nested("[", "]", 100_000)
        ),
    );
    let r = d.custody(&["scan", s(&d.p(""))]);
    says(
        &r,
        BAD_INPUT,
        &[s(&lock), "line 3", "nest deeper than 1000 levels"],
    );
}

#[test]
fn json_nested_deeper_than_128_is_refused_by_serde_json() {
    let d = Dir::new();
    let lock = d.write(
        "package-lock.json",
        &format!(
            "{{\"lockfileVersion\": 3, \"x\": {}}}",
            nested("[", "]", 100_000)
        ),
    );
    let r = d.custody(&["scan", s(&lock)]);
    says(&r, BAD_INPUT, &[s(&lock), "recursion limit exceeded"]);
}

/// A field custody does not read is skipped by serde without recursing, so
/// its depth costs nothing; a field it reads is refused at 128.
#[test]
fn a_bill_of_materials_nested_deeper_than_128_is_skipped_or_refused() {
    let d = Dir::new();
    let bom = d.write(
        "bom.cdx.json",
        &format!(
            "{{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"metadata\": {}}}",
            nested("{\"a\":", "}", 100_000).replacen('}', "1}", 1)
        ),
    );
    let r = d.custody(&["scan", s(&bom)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Scanned 0 package entries"),
        "{}",
        r.stdout
    );
    let bom = d.write(
        "bom.cdx.json",
        &format!(
            "{{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": {}}}",
            nested("[", "]", 100_000)
        ),
    );
    let r = d.custody(&["scan", s(&bom)]);
    says(&r, BAD_INPUT, &[s(&bom)]);
}

// ------------------------------------------------------------- advisories

fn import(d: &Dir, what: &Path) -> Run {
    d.custody(&["db", "import", s(what)])
}

#[test]
fn an_osv_yaml_record_nested_deeper_than_1000_is_skipped() {
    let d = Dir::new();
    let rec = d.write(
        "db/PYSEC-1.yaml",
        &format!(
            "id: PYSEC-1\nmodified: 2024-01-01T00:00:00Z\ndatabase_specific: {{x: {}}}\n",
            nested("[", "]", 100_000)
        ),
    );
    let r = import(&d, &d.p("db"));
    says(
        &r,
        BAD_INPUT,
        &[
            s(&rec),
            "line 3",
            "nest deeper than 1000 levels",
            "nothing was written",
        ],
    );
}

#[test]
fn an_osv_yaml_billion_laughs_is_refused_by_the_alias_limit() {
    let d = Dir::new();
    let mut text = String::from(
        "id: PYSEC-1\nmodified: 2024-01-01T00:00:00Z\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        writeln!(text, "a{i}: &a{i} [{refs}]").unwrap();
    }
    text.push_str("database_specific: {x: *a9}\n");
    let rec = d.write("db/PYSEC-1.yaml", &text);
    let r = import(&d, &d.p("db"));
    says(&r, BAD_INPUT, &[s(&rec), "repetition limit exceeded"]);
}

#[test]
fn an_osv_json_record_nested_deeper_than_128_is_skipped() {
    let d = Dir::new();
    let rec = d.write(
        "db/GHSA-1.json",
        &format!(
            "{{\"id\": \"GHSA-1\", \"modified\": \"2024-01-01T00:00:00Z\", \"database_specific\": {}}}",
            nested("[", "]", 100_000)
        ),
    );
    let r = import(&d, &d.p("db"));
    says(&r, BAD_INPUT, &[s(&rec), "recursion limit exceeded"]);
}

#[test]
fn an_osv_record_over_16_mib_or_a_device_is_skipped() {
    let d = Dir::new();
    let big = d.sparse("db/GHSA-big.json", (16 << 20) + 1);
    let r = import(&d, &d.p("db"));
    says(&r, BAD_INPUT, &[s(&big), "larger than the 16 MiB limit"]);
    // A FIFO named as a record: opening it would block until a writer came.
    let fifo = d.p("GHSA-fifo.json");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let r = import(&d, &fifo);
    says(&r, BAD_INPUT, &[s(&fifo), "not a regular file"]);
}

// ---------------------------------------------------------------- policy

#[test]
fn a_policy_file_over_1_mib_or_nested_too_deep_is_refused() {
    let d = Dir::new();
    let req = d.write("p/requirements.txt", "requests==2.32.3\n");
    let big = d.sparse("p/custody.toml", (1 << 20) + 1);
    let r = d.custody(&["scan", s(&req), "--config", s(&big)]);
    says(&r, BAD_INPUT, &[s(&big), "larger than the 1 MiB limit"]);
    let deep = d.write(
        "q/custody.toml",
        &format!("x = {}\n", nested("[", "]", 100_000)),
    );
    let r = d.custody(&["scan", s(&req), "--config", s(&deep)]);
    says(&r, BAD_INPUT, &[s(&deep), "recursion depth"]);
}

// ------------------------------------------------- signed documents

#[test]
fn a_device_given_as_a_manifest_bundle_or_ledger_document_is_not_read() {
    let d = Dir::new();
    assert_eq!(d.custody(&["key", "generate", "-o", s(&d.p("k"))]).code, 0);
    let data = d.write("data/a.jsonl", "{}\n");
    let r = d.custody(&[
        "verify",
        s(data.parent().unwrap()),
        "-m",
        "/dev/zero",
        "--key",
        s(&d.p("k.pub")),
    ]);
    says(&r, BAD_INPUT, &["/dev/zero", "not a regular file"]);
    let ledger = d.p("ledger.db");
    let r = d.custody(&[
        "ledger",
        "trust",
        "add",
        s(&d.p("k.pub")),
        "--ledger",
        s(&ledger),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = d.custody(&["ledger", "add", "/dev/zero", "--ledger", s(&ledger)]);
    assert_eq!(r.code, REFUSED, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("not a regular file"), "{}", r.stdout);
    let policy = d.write("delivery.toml", "");
    let r = d.custody(&[
        "accept",
        "/dev/zero",
        "--policy",
        s(&policy),
        "--trust",
        s(&d.p("k.pub")),
    ]);
    says(&r, BAD_INPUT, &["/dev/zero", "not a regular file"]);
}

#[test]
fn a_manifest_over_1_gib_is_refused_before_it_is_read() {
    let d = Dir::new();
    assert_eq!(d.custody(&["key", "generate", "-o", s(&d.p("k"))]).code, 0);
    let data = d.write("data/a.jsonl", "{}\n");
    let big = d.sparse("m.json", (1 << 30) + 1);
    let r = d.custody(&[
        "verify",
        s(data.parent().unwrap()),
        "-m",
        s(&big),
        "--key",
        s(&d.p("k.pub")),
    ]);
    assert_eq!(r.code, 4, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(s(&big)), "{}", r.stderr);
}

#[test]
fn a_key_file_over_64_kib_or_a_device_is_not_read() {
    let d = Dir::new();
    assert_eq!(d.custody(&["key", "generate", "-o", s(&d.p("k"))]).code, 0);
    let data = d.write("data/a.jsonl", "{}\n");
    // Control: the real key seals.
    let out = d.p("m.json");
    let r = d.custody(&[
        "seal",
        s(data.parent().unwrap()),
        "-k",
        s(&d.p("k.key")),
        "-o",
        s(&out),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = d.custody(&[
        "seal",
        s(data.parent().unwrap()),
        "-k",
        "/dev/zero",
        "-o",
        s(&out),
    ]);
    says(&r, BAD_INPUT, &["/dev/zero", "not a regular file"]);
    let big = d.write("big.key", &"A".repeat(65 * 1024));
    let r = d.custody(&[
        "seal",
        s(data.parent().unwrap()),
        "-k",
        s(&big),
        "-o",
        s(&out),
    ]);
    says(&r, BAD_INPUT, &["big.key", "larger than"]);
    let r = d.custody(&[
        "verify",
        s(data.parent().unwrap()),
        "-m",
        s(&out),
        "--key",
        "/dev/zero",
    ]);
    says(&r, BAD_INPUT, &["/dev/zero", "not a regular file"]);
}
