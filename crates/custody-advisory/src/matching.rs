//! Does a record affect `name==version`? OSV semantics with PEP 440 order.
//!
//! A record affects a version when an affected entry for the PyPI package
//! lists it in `versions`, or when one of its `ECOSYSTEM` (or `SEMVER`)
//! ranges contains it. Range evaluation follows the OSV schema: events are
//! sorted by version (`introduced: "0"` first); `introduced` opens the range,
//! `fixed` closes it at that version, `last_affected` closes it after that
//! version; a version at or above any `limit` is outside the range. `GIT`
//! ranges are ignored (their versions are in `versions`). Withdrawn records
//! never match.

use custody_pypa::{PackageName, Version};

use crate::Advisory;
use crate::osv::{Event, Range};

/// Why a record matched.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hit {
    /// Versions that fix it (`fixed` events of the matching entries).
    pub fixed: Vec<String>,
    /// Last affected versions, where the record gives no fix.
    pub last_affected: Vec<String>,
}

/// What decides whether one record affects one package: its explicit
/// versions (canonical, see [`canonical`]) and its ECOSYSTEM/SEMVER ranges.
/// Computed once at import and stored beside the record, so a scan parses
/// full records only for the packages they actually affect.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Matcher {
    /// Canonical forms of the listed versions (unparseable ones verbatim).
    #[serde(rename = "v", default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// The ranges, each a list of events.
    #[serde(rename = "r", default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
}

/// A version's canonical text: PEP 440 normal form with trailing zero
/// release segments removed, so two versions are equal exactly when their
/// canonical texts are (`1.0` == `1.0.0` == `1`).
pub fn canonical(v: &Version) -> String {
    let mut release = v.release().to_vec();
    while release.len() > 1 && release.last() == Some(&0) {
        release.pop();
    }
    v.clone().with_release(release).to_string()
}

fn canonical_text(s: &str) -> String {
    custody_pypa::parse_version(s).map_or_else(|_| s.trim().to_owned(), |v| canonical(&v))
}

impl Matcher {
    /// The matcher of `adv` for `name`; `None` when the record does not
    /// name that PyPI package (or is withdrawn).
    pub fn new(adv: &Advisory, name: &PackageName) -> Option<Self> {
        if adv.withdrawn.is_some() {
            return None;
        }
        let mut m: Option<Matcher> = None;
        for a in entries(adv, name) {
            let m = m.get_or_insert_with(Matcher::default);
            m.versions
                .extend(a.versions.iter().map(|v| canonical_text(v)));
            m.ranges.extend(
                a.ranges
                    .iter()
                    .filter(|r| {
                        r.kind.eq_ignore_ascii_case("ECOSYSTEM")
                            || r.kind.eq_ignore_ascii_case("SEMVER")
                    })
                    .cloned(),
            );
        }
        if let Some(m) = &mut m {
            // A listed version inside a range adds nothing: keep only the
            // others (PyPA records list every version their ranges cover).
            let ranges: Vec<_> = m.ranges.iter().map(parsed_events).collect();
            m.versions.retain(|v| {
                custody_pypa::parse_version(v)
                    .map_or(true, |p| !ranges.iter().any(|r| contains(r, &p)))
            });
            m.versions.sort();
            m.versions.dedup();
        }
        m
    }

    /// Whether `version` (with its canonical text) is affected.
    pub fn matches(&self, version: &Version, canonical_version: &str) -> bool {
        self.versions
            .binary_search_by(|v| v.as_str().cmp(canonical_version))
            .is_ok()
            || self.ranges.iter().any(|r| range_contains(r, version))
    }
}

/// The affected entries of `adv` for the PyPI package `name`.
fn entries<'a>(
    adv: &'a Advisory,
    name: &'a PackageName,
) -> impl Iterator<Item = &'a crate::osv::Affected> {
    adv.affected.iter().filter(move |a| {
        a.package
            .as_ref()
            .is_some_and(|p| p.is_pypi() && PackageName::new(&p.name).ok().as_ref() == Some(name))
    })
}

/// Returns how `adv` affects `name==version`, or `None`.
pub fn affects(adv: &Advisory, name: &PackageName, version: &Version) -> Option<Hit> {
    let m = Matcher::new(adv, name)?;
    if !m.matches(version, &canonical(version)) {
        return None;
    }
    Some(hit(adv, name))
}

/// The fixed and last-affected versions `adv` gives for `name`.
pub fn hit(adv: &Advisory, name: &PackageName) -> Hit {
    let mut h = Hit::default();
    for a in entries(adv, name) {
        // GIT ranges name commits, not releases: users upgrade to versions.
        for r in a
            .ranges
            .iter()
            .filter(|r| !r.kind.eq_ignore_ascii_case("GIT"))
        {
            for e in &r.events {
                if let Some(f) = &e.fixed
                    && !h.fixed.contains(f)
                {
                    h.fixed.push(f.clone());
                }
                if let Some(l) = &e.last_affected
                    && !h.last_affected.contains(l)
                {
                    h.last_affected.push(l.clone());
                }
            }
        }
    }
    h.fixed.sort_by(|a, b| cmp_versions(a, b));
    h
}

fn cmp_versions(a: &str, b: &str) -> std::cmp::Ordering {
    match (
        custody_pypa::parse_version(a),
        custody_pypa::parse_version(b),
    ) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

/// Whether a single range contains `v`. Events whose version does not parse
/// are skipped (they cannot be ordered); the import reports them.
pub fn range_contains(range: &Range, v: &Version) -> bool {
    contains(&parsed_events(range), v)
}

/// A range's events, parsed and sorted (`None` is version "0", below all).
fn parsed_events(range: &Range) -> Vec<(Option<Version>, Kind)> {
    let mut events: Vec<(Option<Version>, Kind)> = range.events.iter().filter_map(event).collect();
    events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    events
}

fn contains(events: &[(Option<Version>, Kind)], v: &Version) -> bool {
    let mut affected = false;
    let mut limited = false;
    for (ev, kind) in events {
        match kind {
            Kind::Introduced => {
                if ev.as_ref().is_none_or(|e| v >= e) {
                    affected = true;
                }
            }
            Kind::Fixed => {
                if ev.as_ref().is_some_and(|e| v >= e) {
                    affected = false;
                }
            }
            Kind::LastAffected => {
                if ev.as_ref().is_some_and(|e| v > e) {
                    affected = false;
                }
            }
            Kind::Limit => {
                if ev.as_ref().is_some_and(|e| v >= e) {
                    limited = true;
                }
            }
        }
    }
    affected && !limited
}

fn event(e: &Event) -> Option<(Option<Version>, Kind)> {
    let (text, kind) = if let Some(t) = &e.introduced {
        (t, Kind::Introduced)
    } else if let Some(t) = &e.fixed {
        (t, Kind::Fixed)
    } else if let Some(t) = &e.last_affected {
        (t, Kind::LastAffected)
    } else if let Some(t) = &e.limit {
        (t, Kind::Limit)
    } else {
        return None;
    };
    let t = text.trim();
    if t == "0" && kind == Kind::Introduced {
        return Some((None, kind));
    }
    if t == "*" && kind == Kind::Limit {
        return None;
    }
    custody_pypa::parse_version(t).ok().map(|v| (Some(v), kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn adv(json: &str) -> Advisory {
        parse::json(json.as_bytes()).unwrap()
    }

    fn hit(a: &Advisory, v: &str) -> bool {
        let name = PackageName::new("pkg").unwrap();
        affects(a, &name, &custody_pypa::parse_version(v).unwrap()).is_some()
    }

    fn ranged(events: &str) -> Advisory {
        adv(&format!(
            r#"{{"id":"T-1","modified":"2024-01-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"PyPI","name":"Pkg"}},"ranges":[{{"type":"ECOSYSTEM","events":{events}}}]}}]}}"#
        ))
    }

    #[test]
    fn introduced_fixed() {
        let a = ranged(r#"[{"introduced":"1.0"},{"fixed":"1.5"}]"#);
        assert!(!hit(&a, "0.9"));
        assert!(hit(&a, "1.0"));
        assert!(hit(&a, "1.5rc1"), "pre-releases of the fix are affected");
        assert!(hit(&a, "1.4.post1"));
        assert!(!hit(&a, "1.5"));
        assert!(!hit(&a, "1.5.post1"));
        assert!(!hit(&a, "2.0"));
    }

    #[test]
    fn introduced_zero_matches_everything() {
        let a = ranged(r#"[{"introduced":"0"}]"#);
        for v in ["0.0.1.dev0", "1.0", "99!1.0", "1.0+local"] {
            assert!(hit(&a, v), "{v}");
        }
    }

    #[test]
    fn last_affected_is_inclusive() {
        let a = ranged(r#"[{"introduced":"0"},{"last_affected":"2.0"}]"#);
        assert!(hit(&a, "2.0"));
        assert!(!hit(&a, "2.0.post1"));
        assert!(!hit(&a, "2.0.1"));
    }

    #[test]
    fn limit_bounds_the_range() {
        let a = ranged(r#"[{"introduced":"1.0"},{"limit":"2.0"}]"#);
        assert!(hit(&a, "1.9"));
        assert!(!hit(&a, "2.0"));
        assert!(!hit(&a, "3.0"));
    }

    #[test]
    fn several_intervals() {
        let a =
            ranged(r#"[{"introduced":"2.0"},{"fixed":"2.2"},{"introduced":"0"},{"fixed":"1.1"}]"#);
        assert!(hit(&a, "1.0"));
        assert!(!hit(&a, "1.5"));
        assert!(hit(&a, "2.1"));
        assert!(!hit(&a, "2.2"));
    }

    #[test]
    fn explicit_versions_compare_as_pep440() {
        let a = adv(
            r#"{"id":"MAL-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"pkg"},"versions":["1.82.7","1.0"]}]}"#,
        );
        assert!(hit(&a, "1.82.7"));
        assert!(hit(&a, "1.0.0"), "1.0 == 1.0.0 in PEP 440");
        assert!(!hit(&a, "1.82.6"));
    }

    #[test]
    fn canonical_text_equality_is_version_equality() {
        let vs = [
            "1",
            "1.0",
            "1.0.0",
            "1.0.1",
            "1.0rc1",
            "1.0.0rc1",
            "1.0.post1",
            "1.0.0.post1",
            "1.0.dev0",
            "1!1.0",
            "1!1",
            "1.0+local",
            "1.0.0+local",
            "1.0+local.1",
            "2.0",
            "0.0",
            "0",
            "1.0a1",
            "1.0alpha1",
        ];
        for a in vs {
            for b in vs {
                let (va, vb) = (
                    custody_pypa::parse_version(a).unwrap(),
                    custody_pypa::parse_version(b).unwrap(),
                );
                assert_eq!(va == vb, canonical(&va) == canonical(&vb), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn withdrawn_never_matches() {
        let a = adv(
            r#"{"id":"X","modified":"2024-01-01T00:00:00Z","withdrawn":"2024-02-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"pkg"},"versions":["1.0"]}]}"#,
        );
        assert!(!hit(&a, "1.0"));
    }

    #[test]
    fn other_ecosystems_and_names_do_not_match() {
        let a = adv(
            r#"{"id":"X","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"pkg"},"versions":["1.0"]},{"package":{"ecosystem":"PyPI","name":"pkg2"},"versions":["1.0"]}]}"#,
        );
        assert!(!hit(&a, "1.0"));
    }

    #[test]
    fn fixed_versions_are_reported_in_order() {
        let a =
            ranged(r#"[{"introduced":"0"},{"fixed":"1.10"},{"introduced":"2.0"},{"fixed":"2.2"}]"#);
        let name = PackageName::new("pkg").unwrap();
        let h = affects(&a, &name, &custody_pypa::parse_version("1.0").unwrap()).unwrap();
        assert_eq!(h.fixed, vec!["1.10", "2.2"]);
    }
}
