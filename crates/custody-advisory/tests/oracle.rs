//! Oracle: custody's PEP 440 parsing and ordering agree with Python's
//! `packaging` (the reference implementation pip uses) on every version
//! string in the PyPA advisory database.

#![allow(
    clippy::unwrap_used,
    clippy::disallowed_methods,
    reason = "test setup fails loudly; std::fs is fine in tests"
)]

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use custody_advisory::import;

const ORACLE: &str = r#"
import sys
try:
    from packaging.version import Version, InvalidVersion
except ImportError:
    from pip._vendor.packaging.version import Version, InvalidVersion
out = []
valid = []
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    try:
        v = Version(line)
        out.append("ok\t" + str(v))
        valid.append((v, line))
    except InvalidVersion:
        out.append("invalid\t")
valid.sort(key=lambda t: t[0])
# Rank of each valid string in sorted order; equal versions share a rank.
ranks = {}
rank = 0
prev = None
for v, s in valid:
    if prev is not None and v != prev:
        rank += 1
    ranks[s] = rank
    prev = v
print("\n".join(out))
print("--")
print("\n".join(f"{s}\t{r}" for s, r in ranks.items()))
"#;

/// What Python's `packaging` says of each of `input`, in order (`ok` or
/// `invalid`, a tab, the normal form), and the rank of each valid version
/// in its order.
fn packaging(input: &[String]) -> (Vec<String>, std::collections::HashMap<String, usize>) {
    let mut child = Command::new("python3")
        .args(["-c", ORACLE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is needed for the PEP 440 oracle");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.join("\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "oracle failed");
    let text = String::from_utf8(out.stdout).unwrap();
    let (verdicts, ranks) = text.split_once("\n--\n").unwrap();
    // One verdict per input, in order: `zip` would silently drop the tail
    // of the longer list (and a string with a newline would shift every
    // verdict after it).
    let verdicts: Vec<String> = verdicts.lines().map(str::to_owned).collect();
    assert_eq!(
        verdicts.len(),
        input.len(),
        "the oracle must give one verdict per version string"
    );
    let rank_of = ranks
        .lines()
        .filter_map(|l| l.rsplit_once('\t'))
        .map(|(s, r)| (s.to_owned(), r.parse().unwrap()))
        .collect();
    (verdicts, rank_of)
}

#[test]
fn pep440_agrees_with_python_packaging_on_the_pypa_database() {
    let db =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/advisories/pypa-advisory-db");
    let mut problems = Vec::new();
    let batch = import::read_source(&db, &mut problems)
        .expect("read ../shared/advisories/pypa-advisory-db");
    assert!(
        problems.is_empty(),
        "every PyPA record parses: {problems:?}"
    );
    assert!(batch.records.len() > 2500);

    let mut strings: BTreeSet<String> = BTreeSet::new();
    for adv in &batch.records {
        for a in &adv.affected {
            strings.extend(a.versions.iter().map(|v| v.trim().to_owned()));
            for r in a.ranges.iter().filter(|r| r.kind == "ECOSYSTEM") {
                for e in &r.events {
                    for v in [&e.introduced, &e.fixed, &e.last_affected, &e.limit]
                        .into_iter()
                        .flatten()
                    {
                        strings.insert(v.trim().to_owned());
                    }
                }
            }
        }
    }
    strings.retain(|s| !s.is_empty() && !s.contains('\n'));
    let input: Vec<String> = strings.into_iter().collect();
    assert!(
        input.len() > 10_000,
        "expected many distinct versions, got {}",
        input.len()
    );

    let (verdicts, rank_of) = packaging(&input);
    let mut disagreements = Vec::new();
    let mut valid: Vec<(String, custody_pypa::Version, usize)> = Vec::new();
    for (s, line) in input.iter().zip(&verdicts) {
        let (verdict, normal) = line.split_once('\t').unwrap();
        let ours = custody_pypa::parse_version(s);
        match (verdict, &ours) {
            ("ok", Ok(v)) => {
                if v.to_string() != normal {
                    disagreements.push(format!("{s:?}: normalised {v} vs packaging {normal}"));
                }
                valid.push((s.clone(), v.clone(), rank_of[s.as_str()]));
            }
            ("invalid", Err(_)) => {}
            _ => disagreements.push(format!(
                "{s:?}: packaging says {verdict}, custody says {ours:?}"
            )),
        }
    }
    // Ordering: sort by custody's order; packaging's ranks must then be non-decreasing,
    // and equal custody versions must have equal ranks.
    valid.sort_by(|a, b| a.1.cmp(&b.1));
    for w in valid.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let ok = match a.1.cmp(&b.1) {
            std::cmp::Ordering::Equal => a.2 == b.2,
            _ => a.2 < b.2,
        };
        if !ok {
            disagreements.push(format!("order of {:?} and {:?} differs", a.0, b.0));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} version strings disagree with packaging:\n{}",
        disagreements.len(),
        input.len(),
        disagreements
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!(
        "oracle: {} version strings, {} valid, all agree",
        input.len(),
        valid.len()
    );
}
