//! Malicious-package records compiled into the binary (see
//! `embedded/README.md`): a fresh install catches these with nothing imported.

use crate::{Advisory, parse};

const RECORDS: &[(&str, &str)] = &[
    (
        "MAL-2026-2144.json",
        include_str!("../embedded/MAL-2026-2144.json"),
    ),
    (
        "CUSTODY-2026-0001.json",
        include_str!("../embedded/CUSTODY-2026-0001.json"),
    ),
    (
        "MAL-2026-2254.json",
        include_str!("../embedded/MAL-2026-2254.json"),
    ),
    (
        "MAL-2026-3201.json",
        include_str!("../embedded/MAL-2026-3201.json"),
    ),
    (
        "MAL-2025-6794.json",
        include_str!("../embedded/MAL-2025-6794.json"),
    ),
    (
        "MAL-2025-46974.json",
        include_str!("../embedded/MAL-2025-46974.json"),
    ),
    (
        "MAL-2022-1.json",
        include_str!("../embedded/MAL-2022-1.json"),
    ),
];

/// The name embedded records carry as their source.
pub const SOURCE: &str = "embedded";

/// Every embedded record, parsed.
///
/// # Panics
/// Never at run time: a test parses every record, so a malformed one fails the build's tests.
pub fn records() -> Vec<Advisory> {
    RECORDS
        .iter()
        .map(|(name, text)| {
            parse::json(text.as_bytes())
                .unwrap_or_else(|e| panic!("embedded record {name} is malformed: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_pypa::{PackageName, parse_version};

    #[test]
    fn every_record_parses_and_names_its_file() {
        for (name, text) in RECORDS {
            let adv = parse::json(text.as_bytes()).unwrap();
            assert_eq!(format!("{}.json", adv.id), *name);
            assert!(adv.is_malicious() || adv.id.starts_with("CUSTODY-"));
        }
    }

    #[test]
    fn covers_the_known_compromised_releases() {
        let recs = records();
        let hit = |n: &str, v: &str| {
            let name = PackageName::new(n).unwrap();
            let v = parse_version(v).unwrap();
            recs.iter()
                .any(|r| crate::matching::affects(r, &name, &v).is_some())
        };
        for (n, v) in [
            ("litellm", "1.82.7"),
            ("litellm", "1.82.8"),
            ("litellm", "1.107.0"),
            ("telnyx", "4.87.1"),
            ("telnyx", "4.87.2"),
            ("lightning", "2.6.2"),
            ("lightning", "2.6.3"),
            ("num2words", "0.5.15"),
            ("num2words", "0.5.16"),
        ] {
            assert!(hit(n, v), "{n} {v}");
        }
        for (n, v) in [
            ("litellm", "1.82.6"),
            ("litellm", "1.106.2"),
            ("lightning", "2.6.1"),
            ("num2words", "0.5.14"),
        ] {
            assert!(!hit(n, v), "{n} {v} is clean");
        }
    }

    #[test]
    fn covers_npm_and_crates_io_compromises() {
        use custody_ecosystems::{Ecosystem, matching::Record};
        let recs: Vec<Record> = RECORDS
            .iter()
            .map(|(_, text)| serde_json::from_str(text).unwrap())
            .collect();
        let hit = |eco, n: &str, v: &str| recs.iter().any(|r| r.affects(eco, n, v).unwrap());
        assert!(hit(Ecosystem::Npm, "debug", "4.4.2"));
        assert!(!hit(Ecosystem::Npm, "debug", "4.4.1"));
        assert!(!hit(Ecosystem::Npm, "debug", "4.4.3"));
        assert!(hit(Ecosystem::CratesIo, "rustdecimal", "0.1.0"));
        assert!(!hit(Ecosystem::CratesIo, "rust_decimal", "1.36.0"));
    }
}
