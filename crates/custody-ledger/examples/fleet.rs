//! The ledger benchmark's fleet (issue 15, `bench/ledger`): a generated
//! fleet of real signed documents, ingested and queried.
//!
//! ```text
//! fleet generate --envs E --runs R --pypi pypi.tsv --out FLEET --key-out KEY.pub
//! fleet ingest   --ledger LOCATION --fleet FLEET --key KEY.pub [--batch N]
//! fleet impact   --ledger LOCATION --package NAME [--queries N]
//! fleet floor    --fleet FLEET --key KEY.pub [--runs N]
//! ```
//!
//! `floor` times, on one core, what every ingest must do per document
//! whatever the code around it: the SHA-256 that names it, and the DSSE
//! signature check (envelope JSON, base64, PAE, Ed25519 with its SHA-512
//! over the payload); then custody's whole open (those plus parsing into
//! the ledger's facts). It prints microseconds per run (three documents)
//! and the runs per second two cores could reach doing only that.
//!
//! `generate` writes, per run, two seal manifests (the version it read and
//! the one it wrote; built as custody-seal builds them, signed with
//! `seal::sign_to`) and the run's attestation (custody-run's shape, signed
//! with `attest::sign`), each as an 8-byte little-endian length and the
//! document. Environments hold about 300 packages drawn from the most
//! downloaded PyPI packages; two planted packages are in 5 % and 0.1 % of
//! them. Results are printed as one JSON object per command.

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark tool: its results are its output"
)]

use std::io::{BufRead as _, BufReader, BufWriter, Write as _};
use std::path::PathBuf;
use std::time::Instant;

use custody_ledger::{Ledger, Location, PackageVersion, Window};
use custody_seal::hash::Algorithm;
use custody_seal::keys::{Scheme, SigningKey, hex};
use custody_seal::manifest::{Entry, HexDigest, Manifest, SCHEMA, Symlinks};
use custody_seal::seal::Container;
use rayon::prelude::*;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// The package in 5 % of environments.
const PLANTED_5: &str = "custody-bench-planted-five";
/// The package in 0.1 % of environments.
const PLANTED_01: &str = "custody-bench-planted-tenth";
/// Packages per environment.
const PACKAGES: usize = 300;
/// The most downloaded packages environments draw from.
const POOL: usize = 1500;

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        return Err("usage: fleet generate|ingest|impact ...".into());
    };
    let flag = |name: &str| -> Option<String> {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let need = |name: &str| flag(name).ok_or_else(|| format!("{name} is required"));
    let number = |name: &str, default: usize| -> Result<usize, Failure> {
        flag(name).map_or(Ok(default), |v| Ok(v.parse()?))
    };
    match command.as_str() {
        "generate" => generate(
            number("--envs", 10_000)?,
            number("--runs", 1_000_000)?,
            &PathBuf::from(need("--pypi")?),
            &PathBuf::from(need("--out")?),
            &PathBuf::from(need("--key-out")?),
        ),
        "ingest" => ingest(
            &Location::parse(&need("--ledger")?)?,
            &PathBuf::from(need("--fleet")?),
            &PathBuf::from(need("--key")?),
            number("--batch", 1000)?,
        ),
        "impact" => impact(
            &Location::parse(&need("--ledger")?)?,
            &need("--package")?,
            number("--queries", 50)?,
        ),
        "floor" => floor(
            &PathBuf::from(need("--fleet")?),
            &PathBuf::from(need("--key")?),
            number("--runs", 2000)?,
        ),
        other => Err(format!("unknown command {other:?}").into()),
    }
}

/// A small deterministic generator (SplitMix64): the fleet is the same
/// for the same sizes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

/// The most downloaded packages with a version, by rank.
fn popular(tsv: &PathBuf) -> Result<Vec<(String, String)>, Failure> {
    let reader = BufReader::new(fs_err::File::open(tsv)?);
    let mut ranked = Vec::new();
    for line in reader.lines().skip(1) {
        let line = line?;
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 4 || cols[1].is_empty() {
            continue;
        }
        if let Ok(rank) = cols[3].parse::<u32>() {
            ranked.push((rank, cols[0].to_owned(), cols[1].to_owned()));
        }
    }
    ranked.sort();
    Ok(ranked
        .into_iter()
        .take(POOL)
        .map(|(_, n, v)| (n, v))
        .collect())
}

/// An environment's packages: about 300, the popular ones more often, a
/// third of them one patch release behind; plus the planted ones.
fn environment(e: usize, envs: usize, pool: &[(String, String)]) -> Vec<(String, String)> {
    let mut rng = Rng(e as u64 ^ 0x5eed);
    let mut chosen = std::collections::BTreeMap::new();
    let want = (PACKAGES - 20 + rng.below(41)).min(pool.len());
    while chosen.len() < want {
        // Squaring a uniform draw favours the top of the ranking.
        let u = rng.below(1 << 20);
        let i = (((u * u) >> 20) * pool.len()) >> 20;
        let (name, version) = &pool[i];
        let version = if rng.below(3) == 0 {
            older(version)
        } else {
            version.clone()
        };
        chosen.entry(name.clone()).or_insert(version);
    }
    if e.is_multiple_of(20) {
        chosen.insert(PLANTED_5.to_owned(), "1.0.0".to_owned());
    }
    if e % 1000 == 7 || (envs < 1000 && e == 7 % envs) {
        chosen.insert(PLANTED_01.to_owned(), "1.0.0".to_owned());
    }
    chosen.into_iter().collect()
}

/// The release before `version` when its last part is a number above 0.
fn older(version: &str) -> String {
    match version.rsplit_once('.') {
        Some((head, last)) => match last.parse::<u64>() {
            Ok(n) if n > 0 => format!("{head}.{}", n - 1),
            _ => version.to_owned(),
        },
        None => version.to_owned(),
    }
}

fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// A sealed version of three files, signed as `custody seal` signs it;
/// the envelope and the root.
fn manifest(name: &str, key: &SigningKey) -> Result<(Vec<u8>, String), Failure> {
    let files = (0..3)
        .map(|j| Entry {
            path: format!("part-{j:04}.jsonl"),
            size: 1_000_000 + j,
            digest: HexDigest(sha256(&format!("{name}/{j}"))),
            chunks: Vec::new(),
            records: None,
        })
        .collect();
    let mut m = Manifest {
        schema: SCHEMA.to_owned(),
        name: name.to_owned(),
        algorithm: Algorithm::Sha256,
        chunk_size: custody_seal::hash::DEFAULT_CHUNK,
        root: String::new(),
        symlinks: Symlinks::Refuse,
        excludes: Vec::new(),
        record_key: None,
        files,
    };
    m.root = hex(&m.compute_root());
    let mut out = Vec::new();
    custody_seal::seal::sign_to(&m, key, Container::Dsse, &mut out)?;
    Ok((out, m.root))
}

/// A run's statement in the shape of `custody_run::attest::statement`.
fn statement(
    r: usize,
    prefix: &str,
    packages: &[(String, String)],
    input: (&str, &str),
    output: (&str, &str),
) -> Value {
    let python = format!("{prefix}/bin/python");
    let mut deps = vec![
        json!({"name": input.0, "digest": {"sha256": input.1}}),
        json!({"name": python, "digest": {"sha256": hex(&sha256(prefix))}}),
    ];
    deps.extend(packages.iter().map(|(n, v)| {
        json!({"name": n, "uri": format!("pkg:pypi/{n}@{v}"), "annotations": {"environment": prefix}})
    }));
    let start = 1_767_225_600 + 30 * i64::try_from(r).unwrap_or(0);
    let time = |s: i64| {
        jiff::Timestamp::from_second(s)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": output.0, "digest": {"sha256": output.1}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://custody.dev/run/v1",
                "externalParameters": {
                    "command": [python, "step.py", "--shard", r.to_string()],
                    "inputs": [input.0],
                    "outputs": [output.0],
                    "env": [],
                },
                "internalParameters": {"policy": {"network": "deny"}},
                "resolvedDependencies": deps,
            },
            "runDetails": {
                "builder": {"id": "https://custody.dev/run@0.1.0"},
                "metadata": {"startedOn": time(start), "finishedOn": time(start + 25)},
                "byproducts": [
                    {"name": "enforced", "annotations": {"enforced": ["landlock", "seccomp"], "setup_error": null}},
                    {"name": "exit", "annotations": {"code": 0, "signal": null}},
                ],
            },
        },
    })
}

/// Run `r`'s three documents: the version it read, the one it wrote, and
/// its attestation.
fn run_documents(
    r: usize,
    envs: usize,
    pool: &[(String, String)],
    key: &SigningKey,
) -> Result<Vec<Vec<u8>>, String> {
    let e = r % envs;
    let prefix = format!("/srv/envs/env-{e:05}");
    let packages = environment(e, envs, pool);
    let input = format!("data/raw-{r:07}");
    let output = format!("data/clean-{r:07}");
    let (read, read_root) = manifest(&input, key).map_err(|e| e.to_string())?;
    let (wrote, wrote_root) = manifest(&output, key).map_err(|e| e.to_string())?;
    let st = statement(
        r,
        &prefix,
        &packages,
        (&input, &read_root),
        (&output, &wrote_root),
    );
    Ok(vec![read, wrote, custody_run::attest::sign(&st, key)])
}

fn generate(
    envs: usize,
    runs: usize,
    tsv: &PathBuf,
    out: &PathBuf,
    key_out: &PathBuf,
) -> Result<(), Failure> {
    let began = Instant::now();
    let pool = popular(tsv)?;
    let key = SigningKey::generate(Scheme::Ed25519)?;
    fs_err::write(key_out, key.public().to_pem())?;
    let mut w = BufWriter::with_capacity(1 << 22, fs_err::File::create(out)?);
    let (mut bytes, mut attestation_bytes) = (0_u64, 0_u64);
    for start in (0..runs).step_by(2000) {
        let docs: Vec<Vec<Vec<u8>>> = (start..(start + 2000).min(runs))
            .into_par_iter()
            .map(|r| run_documents(r, envs, &pool, &key))
            .collect::<Result<_, _>>()?;
        for run in docs {
            attestation_bytes += run[2].len() as u64;
            for d in run {
                bytes += d.len() as u64;
                w.write_all(&(d.len() as u64).to_le_bytes())?;
                w.write_all(&d)?;
            }
        }
    }
    w.flush()?;
    let planted_5 = (0..envs).filter(|e| e.is_multiple_of(20)).count();
    let planted_01 = (0..envs)
        .filter(|&e| e % 1000 == 7 || (envs < 1000 && e == 7 % envs))
        .count();
    println!(
        "{}",
        json!({
            "command": "generate", "environments": envs, "runs": runs,
            "dataset_versions": 2 * runs, "documents": 3 * runs, "bytes": bytes,
            "attestation_bytes_mean": attestation_bytes / runs.max(1) as u64,
            "planted": {PLANTED_5: planted_5, PLANTED_01: planted_01},
            "seconds": began.elapsed().as_secs_f64(),
        })
    );
    Ok(())
}

/// The next document of a fleet file, or `None` at its end.
fn next_document(r: &mut impl std::io::Read) -> Result<Option<Vec<u8>>, Failure> {
    let mut len = [0_u8; 8];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let mut doc = vec![0_u8; usize::try_from(u64::from_le_bytes(len))?];
    r.read_exact(&mut doc)?;
    Ok(Some(doc))
}

fn ingest(
    location: &Location,
    fleet: &PathBuf,
    key: &PathBuf,
    batch: usize,
) -> Result<(), Failure> {
    let mut ledger = Ledger::open(location)?;
    ledger.trust_add(&fs_err::read_to_string(key)?)?;
    let mut reader = BufReader::with_capacity(1 << 22, fs_err::File::open(fleet)?);
    let began = Instant::now();
    let (mut stored, mut duplicate, mut refused, mut attestations) = (0_u64, 0_u64, 0_u64, 0_u64);
    let mut docs = Vec::with_capacity(batch);
    loop {
        let next = next_document(&mut reader)?;
        let end = next.is_none();
        if let Some(d) = next {
            // An attestation's payload is SLSA provenance; a manifest's is not.
            attestations += u64::from(d.len() > 8000);
            docs.push(d);
        }
        if docs.len() >= batch || (end && !docs.is_empty()) {
            for outcome in ledger.add_many(&docs)? {
                match outcome {
                    Ok(custody_ledger::AddOutcome::Stored(_)) => stored += 1,
                    Ok(custody_ledger::AddOutcome::Duplicate(_)) => duplicate += 1,
                    Err(e) => {
                        refused += 1;
                        eprintln!("refused: {e}");
                    }
                }
            }
            docs.clear();
        }
        if end {
            break;
        }
    }
    let seconds = began.elapsed().as_secs_f64();
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52 as rates")]
    let rate = |n: u64| n as f64 / seconds;
    println!(
        "{}",
        json!({
            "command": "ingest", "ledger": location.display(), "batch": batch,
            "stored": stored, "duplicate": duplicate, "refused": refused,
            "attestations": attestations, "seconds": seconds,
            "documents_per_s": rate(stored + duplicate),
            "attestations_per_s": rate(attestations),
        })
    );
    if refused > 0 {
        return Err(format!("{refused} documents refused").into());
    }
    Ok(())
}

/// Single-core time per run of the work no ingest can skip.
fn floor(fleet: &PathBuf, key: &PathBuf, runs: usize) -> Result<(), Failure> {
    let trusted = [custody_seal::keys::PublicKey::from_pem(
        &fs_err::read_to_string(key)?,
    )?];
    let mut reader = BufReader::with_capacity(1 << 22, fs_err::File::open(fleet)?);
    let mut docs = Vec::with_capacity(runs * 3);
    while docs.len() < runs * 3 {
        let Some(d) = next_document(&mut reader)? else {
            break;
        };
        docs.push(d);
    }
    let runs_read = docs.len() / 3;
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let per_run = |began: Instant| began.elapsed().as_secs_f64() * 1e6 / runs_read as f64;
    let began = Instant::now();
    for d in &docs {
        std::hint::black_box(Sha256::digest(d));
    }
    let sha = per_run(began);
    let began = Instant::now();
    for d in &docs {
        let envelope: custody_seal::dsse::Envelope = serde_json::from_slice(d)?;
        envelope.verify(&trusted)?;
    }
    let signature = per_run(began);
    let began = Instant::now();
    for d in &docs {
        let name = std::path::Path::new("fleet");
        std::hint::black_box(custody_seal::open::open_bytes(name, d.clone(), &trusted)?);
    }
    let seal_open = per_run(began);
    let began = Instant::now();
    for d in &docs {
        std::hint::black_box(custody_ledger::ingest::open_document(d, &trusted)?);
    }
    let open = per_run(began);
    let bytes: usize = docs.iter().map(Vec::len).sum();
    let two_cores = |us: f64| 2.0 * 1e6 / us;
    println!(
        "{}",
        json!({
            "command": "floor", "runs": runs_read, "bytes_per_run": bytes / runs_read.max(1),
            "us_per_run": {
                "sha256": sha, "dsse_verify": signature,
                "seal_open_bytes": seal_open, "open_document": open,
            },
            "runs_per_s_on_two_cores": {
                "sha256_and_verify": two_cores(sha + signature),
                "sha256_and_open": two_cores(sha + open),
            },
        })
    );
    Ok(())
}

fn impact(location: &Location, package: &str, queries: usize) -> Result<(), Failure> {
    let mut ledger = Ledger::open(location)?;
    let mut times = Vec::with_capacity(queries);
    let mut shape = json!(null);
    for _ in 0..queries.max(1) {
        let began = Instant::now();
        // As `custody impact --package NAME` asks: every version held.
        let query: Vec<PackageVersion> = ledger
            .package_versions(package)?
            .iter()
            .map(|v| PackageVersion::new(package, v))
            .collect();
        let result = ledger.impact(&query, &Window::default())?;
        times.push(began.elapsed().as_secs_f64() * 1000.0);
        shape = json!({
            "environments": result.environments.len(), "runs": result.runs.len(),
            "exposed": result.exposed.len(), "written": result.written.len(),
            "downstream": result.downstream.len(),
        });
    }
    times.sort_by(f64::total_cmp);
    let at = |q: usize| times[(times.len() * q / 100).min(times.len() - 1)];
    println!(
        "{}",
        json!({
            "command": "impact", "ledger": location.display(), "package": package,
            "queries": times.len(), "result": shape,
            "p50_ms": at(50), "p99_ms": at(99), "max_ms": times[times.len() - 1],
        })
    );
    Ok(())
}
