//! OSV matching for npm and crates.io: real records (fixtures/ecosystems/osv/,
//! from GitHub's advisory database, OpenSSF malicious-packages and RustSec)
//! against the fixtures' packages and chosen versions, the SemVer order
//! against node-semver's, and the schema's edge cases (limit, last_affected,
//! unsorted events, prereleases, build metadata, bad versions).

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::collections::BTreeSet;

use common::fixture;
use custody_ecosystems::matching::{
    Affected, MatchError, Record, parse_version, precedence, same_name,
};
use custody_ecosystems::{Ecosystem, Inventory, read};

const NPM: Ecosystem = Ecosystem::Npm;
const CRATES: Ecosystem = Ecosystem::CratesIo;

fn record(id: &str) -> Record {
    let text = fs_err::read_to_string(fixture(&format!("osv/{id}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn all_records() -> Vec<Record> {
    let mut names: Vec<_> = fs_err::read_dir(fixture("osv"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| serde_json::from_str(&fs_err::read_to_string(p).unwrap()).unwrap())
        .collect()
}

/// `(version, affected?)` for each version.
fn check(r: &Record, eco: Ecosystem, name: &str, cases: &[(&str, bool)]) {
    for (v, want) in cases {
        assert_eq!(
            r.affects(eco, name, v).unwrap(),
            *want,
            "{} {name}@{v}",
            r.id
        );
    }
}

fn affected(json: &str) -> Affected {
    serde_json::from_str(json).unwrap()
}

#[test]
fn ghsa_lodash_ecosystem_range_from_zero() {
    let r = record("GHSA-35jh-r3h4-6jhm");
    let cases = [
        ("4.17.20", true),
        ("0.1.0", true),
        ("4.17.21", false),
        ("5.0.0-alpha", false),
    ];
    check(&r, NPM, "lodash", &cases);
    check(&r, NPM, "lodash-es", &cases);
    check(&r, NPM, "lodash.template", &[("4.5.0", false)]);
    // The same name in another ecosystem is another package.
    check(&r, CRATES, "lodash", &[("4.17.20", false)]);
}

#[test]
fn ghsa_minimist_two_entries_leave_a_gap() {
    let r = record("GHSA-xvch-5gv4-984h");
    check(
        &r,
        NPM,
        "minimist",
        &[
            ("0.0.1", true),
            ("0.2.3", true),
            ("0.2.4", false),
            ("0.9.0", false),
            ("1.0.0", true),
            ("1.2.5", true),
            ("1.2.6", false),
            ("1.2.8", false),
        ],
    );
}

#[test]
fn ghsa_regex_crates_io_ecosystem_range() {
    let r = record("GHSA-m5pq-gvj9-9vr8");
    let cases = [
        ("1.5.4", true),
        ("0.1.0", true),
        ("1.5.5-alpha", true),
        ("1.5.5", false),
    ];
    check(&r, CRATES, "regex", &cases);
    check(&record("RUSTSEC-2022-0013"), CRATES, "regex", &cases);
    check(&r, NPM, "regex", &[("1.5.4", false)]);
}

#[test]
fn rustsec_smallvec_two_intervals_in_one_range() {
    check(
        &record("RUSTSEC-2021-0003"),
        CRATES,
        "smallvec",
        &[
            ("0.6.2", false),
            ("0.6.3", true),
            ("0.6.13", true),
            ("0.6.14", false),
            ("0.7.0", false),
            ("1.0.0", true),
            ("1.6.0", true),
            ("1.6.1", false),
            ("2.0.0-alpha.1", false),
        ],
    );
}

#[test]
fn mal_debug_explicit_versions() {
    let r = record("MAL-2025-46974");
    check(
        &r,
        NPM,
        "debug",
        &[
            ("4.4.2", true),
            ("4.4.2+build.7", true),
            ("4.3.4", false),
            ("4.4.1", false),
            ("4.4.3", false),
        ],
    );
}

#[test]
fn mal_tinycolor_an_open_range_covers_every_version() {
    let r = record("MAL-2025-47141");
    // Its first range is `introduced: 0` alone (GitHub's first report):
    // every version is affected, as the schema reads it.
    check(
        &r,
        NPM,
        "@ctrl/tinycolor",
        &[("4.1.0", true), ("4.1.1", true), ("99.0.0", true)],
    );
    check(&r, NPM, "tinycolor", &[("4.1.1", false)]);
    // The second range alone: 4.1.1 up to 4.1.2 included.
    let mut only_second = r.affected[0].clone();
    only_second.ranges.remove(0);
    for (v, want) in [
        ("4.1.0", false),
        ("4.1.1", true),
        ("4.1.2-beta.1", true),
        ("4.1.2", true),
        ("4.1.3", false),
    ] {
        assert_eq!(only_second.affects(v).unwrap(), want, "{v}");
    }
}

#[test]
fn mal_rustdecimal_crate_names_fold_case_and_dashes() {
    let r = record("MAL-2022-1");
    check(
        &r,
        CRATES,
        "rustdecimal",
        &[("0.0.1", true), ("1.23.1", true)],
    );
    check(&r, CRATES, "RustDecimal", &[("1.0.0", true)]);
    check(&r, CRATES, "rust_decimal", &[("1.0.0", false)]);
    assert!(same_name(CRATES, "serde-json", "Serde_JSON"));
    assert!(!same_name(NPM, "serde-json", "serde_json"));
    assert!(!same_name(NPM, "Lodash", "lodash"));
}

/// Every record against every package of a source: `name@version id` hits,
/// and the packages that have no version to match.
fn hits(inv: &Inventory, records: &[Record]) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut found = BTreeSet::new();
    let mut unchecked = BTreeSet::new();
    for p in &inv.packages {
        for r in records {
            match r.affects_package(p) {
                Ok(true) => {
                    found.insert(format!(
                        "{}@{} {}",
                        p.name,
                        p.version.as_deref().unwrap(),
                        r.id
                    ));
                }
                Ok(false) => {}
                Err(MatchError::NoVersion { name }) => {
                    unchecked.insert(name);
                }
                Err(e) => panic!("{}: {e}", p.name),
            }
        }
    }
    (found, unchecked)
}

#[test]
fn the_fixture_projects_hit_their_advisories_in_every_format() {
    let records = all_records();
    assert_eq!(records.len(), 8);
    let expected_npm: BTreeSet<String> = [
        "lodash@4.17.20 GHSA-35jh-r3h4-6jhm",
        "minimist@1.2.5 GHSA-xvch-5gv4-984h",
    ]
    .map(String::from)
    .into();
    for rel in [
        "npm/npm-v3/package-lock.json",
        "npm/npm-v2/package-lock.json",
        "npm/npm-v1/package-lock.json",
        "npm/shrinkwrap/npm-shrinkwrap.json",
        "npm/pnpm-v6/pnpm-lock.yaml",
        "npm/pnpm-v9/pnpm-lock.yaml",
        "npm/yarn-classic/yarn.lock",
        "npm/yarn-berry/yarn.lock",
        "npm/yarn-berry-v3/yarn.lock",
        "npm/node-modules",
    ] {
        let (found, unchecked) = hits(&read(&fixture(rel)).unwrap(), &records);
        assert_eq!(found, expected_npm, "{rel}");
        // The folder dependency is listed without a version where the
        // source gives none: never counted as clean.
        let folder_unversioned =
            rel.contains("npm-v1") || rel.contains("pnpm") || rel.contains("node-modules");
        assert_eq!(unchecked.contains("local-lib"), folder_unversioned, "{rel}");
    }
    let expected_cargo: BTreeSet<String> = [
        "regex@1.5.4 GHSA-m5pq-gvj9-9vr8",
        "regex@1.5.4 RUSTSEC-2022-0013",
        "smallvec@1.6.0 RUSTSEC-2021-0003",
    ]
    .map(String::from)
    .into();
    for rel in ["cargo/v3/Cargo.lock", "cargo/v4/Cargo.lock"] {
        let (found, unchecked) = hits(&read(&fixture(rel)).unwrap(), &records);
        assert_eq!(found, expected_cargo, "{rel}");
        assert!(unchecked.is_empty());
    }
}

#[test]
fn precedence_is_node_semvers_order() {
    let listed = fs_err::read_to_string(fixture("semver/versions.txt")).unwrap();
    let oracle = fs_err::read_to_string(fixture("semver/node-semver-sorted.txt")).unwrap();
    let mut ours: Vec<&str> = listed.lines().collect();
    ours.sort_by(|a, b| precedence(&parse_version(a).unwrap(), &parse_version(b).unwrap()));
    let oracle: Vec<&str> = oracle.lines().collect();
    assert_eq!(ours, oracle);
}

#[test]
fn limit_events_bound_the_range() {
    let a = affected(
        r#"{"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"limit": "2.0.0"}]}]}"#,
    );
    assert!(a.affects("1.9.9").unwrap());
    assert!(!a.affects("2.0.0").unwrap());
    assert!(!a.affects("3.0.0").unwrap());
    let star = affected(
        r#"{"ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"limit": "*"}]}]}"#,
    );
    assert!(star.affects("99.0.0").unwrap());
    assert!(!star.affects("0.9.0").unwrap());
    let two = affected(
        r#"{"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"limit": "1.0.0"}, {"limit": "3.0.0"}]}]}"#,
    );
    assert!(two.affects("2.5.0").unwrap(), "below one of the limits");
    assert!(!two.affects("3.0.0").unwrap());
}

#[test]
fn events_are_sorted_before_they_are_walked() {
    let a = affected(
        r#"{"ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1.5.0"}, {"introduced": "2.0.0"}, {"introduced": "0"}, {"fixed": "2.1.0"}]}]}"#,
    );
    for (v, want) in [
        ("0.1.0", true),
        ("1.4.9", true),
        ("1.5.0", false),
        ("2.0.0", true),
        ("2.1.0", false),
    ] {
        assert_eq!(a.affects(v).unwrap(), want, "{v}");
    }
}

#[test]
fn last_affected_is_inclusive_and_fixed_is_not() {
    let last = affected(
        r#"{"ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"last_affected": "1.4.2"}]}]}"#,
    );
    assert!(last.affects("1.4.2").unwrap());
    assert!(last.affects("1.4.2+meta").unwrap());
    assert!(
        !last.affects("1.4.3-alpha").unwrap(),
        "a prerelease of a later version"
    );
    let fixed = affected(
        r#"{"ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "2.0.0-rc.1"}]}]}"#,
    );
    assert!(fixed.affects("2.0.0-beta.11").unwrap());
    assert!(fixed.affects("2.0.0-rc.0").unwrap());
    assert!(!fixed.affects("2.0.0-rc.1").unwrap());
    assert!(!fixed.affects("2.0.0").unwrap());
    assert!(
        !fixed.affects("1.0.0-rc.1").unwrap(),
        "before the introducing release"
    );
}

#[test]
fn git_and_unknown_ranges_are_skipped_and_versions_still_count() {
    let a = affected(
        r#"{"versions": ["1.2.3"], "ranges": [
            {"type": "GIT", "repo": "https://example.invalid/r", "events": [{"introduced": "abcdef0"}]},
            {"type": "WEIRD", "events": [{"introduced": "0"}]}]}"#,
    );
    assert!(a.affects("1.2.3").unwrap());
    assert!(a.affects("v1.2.3").unwrap());
    assert!(!a.affects("1.2.4").unwrap());
}

#[test]
fn loose_spellings_are_read_and_others_are_errors() {
    assert_eq!(parse_version("v1.2.3").unwrap().to_string(), "1.2.3");
    assert_eq!(parse_version("=1.2.3").unwrap().to_string(), "1.2.3");
    assert_eq!(parse_version("1.2").unwrap().to_string(), "1.2.0");
    assert_eq!(parse_version("7").unwrap().to_string(), "7.0.0");
    for bad in ["01.2.3", "latest", "1.2.x", "", "1.2.3.4", "^1.2.3"] {
        assert!(parse_version(bad).is_err(), "{bad}");
    }
    let a = affected(r#"{"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}"#);
    assert!(matches!(
        a.affects("latest"),
        Err(MatchError::Version { .. })
    ));
    let bad_event = affected(
        r#"{"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.x"}]}]}"#,
    );
    assert!(matches!(
        bad_event.affects("1.0.0"),
        Err(MatchError::Event { event: "fixed", .. })
    ));
    // A listed version is found as written even when it is not SemVer;
    // ranges cannot place it.
    let listed = affected(r#"{"versions": ["2024.1-custom"]}"#);
    assert!(listed.affects("2024.1-custom").unwrap());
    assert!(!listed.affects("other").unwrap());
    let r: Record = serde_json::from_str(
        r#"{"id": "X-4", "affected": [
            {"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "bad"}]}]},
            {"package": {"ecosystem": "npm", "name": "a"}, "versions": ["1.0.0"]}]}"#,
    )
    .unwrap();
    assert!(
        r.affects(NPM, "a", "1.0.0").unwrap(),
        "the entry that affects it wins"
    );
    assert!(matches!(
        r.affects(NPM, "a", "2.0.0"),
        Err(MatchError::Event { .. })
    ));
    let two_fields = affected(
        r#"{"ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1.0.0"}]}]}"#,
    );
    assert_eq!(two_fields.affects("0.5.0"), Err(MatchError::EventShape));
}

#[test]
fn withdrawn_records_and_null_fields() {
    let r: Record = serde_json::from_str(
        r#"{"id": "X-1", "withdrawn": "2024-01-01T00:00:00Z", "affected": [
            {"package": {"ecosystem": "npm", "name": "a"}, "versions": ["1.0.0"]}]}"#,
    )
    .unwrap();
    assert!(!r.affects(NPM, "a", "1.0.0").unwrap());
    let r: Record = serde_json::from_str(
        r#"{"id": "X-2", "affected": [{"package": {"ecosystem": "npm", "name": "a"},
            "versions": null, "ranges": null}]}"#,
    )
    .unwrap();
    assert!(!r.affects(NPM, "a", "1.0.0").unwrap());
    let r: Record = serde_json::from_str(
        r#"{"id": "X-3", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, "versions": ["1.0.0"]}]}"#,
    )
    .unwrap();
    assert!(!r.affects(NPM, "a", "1.0.0").unwrap());
}
