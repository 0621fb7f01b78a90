//! A real `node_modules` tree of popular packages with install scripts
//! (built by `fixtures/ecosystems/npm/scripts/real-tree.sh`, not committed):
//! none may come out malicious. Ignored by default (needs the tree):
//!
//!     fixtures/ecosystems/npm/scripts/real-tree.sh /tmp/npm-real
//!     CUSTODY_NPM_REAL=/tmp/npm-real cargo test -p custody-ecosystems \
//!         --test scripts_real -- --ignored --nocapture

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::disallowed_methods,
    reason = "tests"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use custody_ecosystems::scripts::{Level, inspect_tree};

#[test]
#[ignore = "needs a real tree: fixtures/ecosystems/npm/scripts/real-tree.sh"]
fn no_popular_package_comes_out_malicious() {
    let root = std::env::var_os("CUSTODY_NPM_REAL")
        .map_or_else(|| PathBuf::from("/tmp/npm-real"), PathBuf::from);
    let started = std::time::Instant::now();
    // The folder itself, or one project per subfolder (the script's sets).
    let mut projects: Vec<PathBuf> = fs_err::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("node_modules").is_dir())
        .collect();
    projects.sort();
    if root.join("node_modules").is_dir() {
        projects.push(root.clone());
    }
    let reports: Vec<_> = projects
        .iter()
        .flat_map(|p| inspect_tree(p).unwrap())
        .collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in &reports {
        let level = r.level.map_or_else(|| "none".to_owned(), |l| l.to_string());
        *counts.entry(level).or_default() += 1;
        if r.level >= Some(Level::Suspicious) {
            println!(
                "{} {}@{}",
                r.level.unwrap(),
                r.name.as_deref().unwrap_or("?"),
                r.version.as_deref().unwrap_or("?")
            );
            for f in r.findings.iter().filter(|f| f.level >= Level::Suspicious) {
                println!(
                    "    {} {:?} {}:{} {}",
                    f.code,
                    f.phase,
                    f.file,
                    f.line.map_or("-".into(), |l| l.to_string()),
                    f.evidence
                );
            }
        }
    }
    println!(
        "{} packages in {:?}: {counts:?}",
        reports.len(),
        started.elapsed()
    );
    let malicious: Vec<_> = reports
        .iter()
        .filter(|r| r.level == Some(Level::Malicious))
        .map(|r| r.name.clone())
        .collect();
    assert!(malicious.is_empty(), "{malicious:?}");
}

#[test]
#[ignore = "needs a real tree: fixtures/ecosystems/npm/scripts/real-tree.sh"]
fn tally_install_time_packages() {
    let root = std::env::var_os("CUSTODY_NPM_REAL")
        .map_or_else(|| PathBuf::from("/tmp/npm-real"), PathBuf::from);
    let mut projects: Vec<PathBuf> = fs_err::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("node_modules").is_dir())
        .collect();
    projects.sort();
    let mut seen = std::collections::BTreeSet::new();
    for r in projects.iter().flat_map(|p| inspect_tree(p).unwrap()) {
        let phases: Vec<String> = r
            .findings
            .iter()
            .filter_map(|f| f.phase.map(|p| format!("{p}:{}", f.code)))
            .collect();
        if !phases.is_empty() && seen.insert((r.name.clone(), r.version.clone())) {
            println!(
                "{}@{} {} skipped={}",
                r.name.as_deref().unwrap_or("?"),
                r.version.as_deref().unwrap_or("?"),
                phases.join(","),
                r.skipped.len()
            );
        }
    }
}
