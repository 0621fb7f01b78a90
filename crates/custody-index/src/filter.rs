//! The policy's page-level decisions, pure: which releases of a project
//! page a client may see. Files are judged one by one later, when fetched.

use std::collections::{BTreeMap, BTreeSet};

use custody_pypa::{PackageName, Version};

use crate::decision::Decision;
use crate::page::ProjectPage;
use crate::rules::Code;

/// An exception to the cooldown (`[[index.allow]]`). Never an exception
/// to a malicious-package record or to inspection.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Allow {
    /// The project.
    pub package: PackageName,
    /// One release only, when given.
    pub version: Option<String>,
    /// Why.
    pub reason: String,
    /// Last day it applies (inclusive, UTC).
    pub expires: jiff::civil::Date,
    /// Its line in the policy file.
    pub line: usize,
}

/// What the page filter needs.
#[derive(Debug, Clone, Copy)]
pub struct PagePolicy<'a> {
    /// Now.
    pub now: jiff::Timestamp,
    /// The cooldown.
    pub min_age: Option<jiff::SignedDuration>,
    /// Cooldown exceptions.
    pub allows: &'a [Allow],
}

/// The page without the releases a client must not see, and one decision
/// per hidden file (and per file kept by an exception).
/// `flagged(version)` is the record-based decision about a release, if
/// any: [`Code::Malicious`] (a `MAL-` record) or [`Code::Vulnerable`]
/// (an advisory at or above the policy's `block-severity`), with the
/// particulars (the record's id). No exception applies to either.
///
/// A release's age is its newest file's (a file added to an old release
/// is what an attacker would do); with `min-age` set, a release with a
/// file whose upload time is unknown is hidden.
pub fn filter(
    page: &ProjectPage,
    project: &PackageName,
    flagged: &dyn Fn(&Version) -> Option<(Code, String)>,
    policy: &PagePolicy<'_>,
) -> (ProjectPage, Vec<Decision>) {
    let version_of = |filename: &str| {
        custody_pypa::filename::archive_name(filename)
            .and_then(|a| a.version)
            .and_then(|v| custody_pypa::parse_version(&v).ok())
    };
    // The newest upload per release; `None` inside when one file has none.
    let mut newest: BTreeMap<Version, Option<jiff::Timestamp>> = BTreeMap::new();
    for f in page
        .files
        .iter()
        .filter(|f| crate::page::safe_filename(&f.filename))
    {
        if let Some(v) = version_of(&f.filename) {
            let t = f.uploaded();
            newest
                .entry(v)
                .and_modify(|n| *n = n.zip(t).map(|(a, b)| a.max(b)))
                .or_insert(t);
        }
    }
    let mut verdicts: BTreeMap<Version, (Code, String)> = BTreeMap::new();
    for (v, uploaded) in &newest {
        if let Some((code, id)) = flagged(v) {
            verdicts.insert(v.clone(), (code, format!("{project} {v}: {id}")));
        } else if let Some(min_age) = policy.min_age
            && let Some(code_reason) = cooldown(project, v, *uploaded, min_age, policy)
        {
            verdicts.insert(v.clone(), code_reason);
        }
    }
    let mut out = ProjectPage {
        name: page.name.clone(),
        files: Vec::new(),
        versions: None,
    };
    let mut decisions = Vec::new();
    let mut hidden: BTreeSet<Version> = BTreeSet::new();
    for f in &page.files {
        let decided = match version_of(&f.filename) {
            _ if !crate::page::safe_filename(&f.filename) => {
                Some((Code::BadFilename, format!("{:?}", f.filename)))
            }
            None => Some((Code::UnknownVersion, format!("{:?}", f.filename))),
            Some(v) => verdicts.get(&v).cloned().inspect(|(code, _)| {
                if *code != Code::CooldownException {
                    hidden.insert(v.clone());
                }
            }),
        };
        if let Some((code, reason)) = decided {
            decisions.push(
                Decision::new(policy.now, code, reason)
                    .project(project.as_str())
                    .file(&f.filename, f.sha256()),
            );
            if code == Code::CooldownException {
                out.files.push(f.clone());
            }
        } else {
            out.files.push(f.clone());
        }
    }
    out.versions = page.versions.as_ref().map(|list| {
        list.iter()
            .filter(|s| custody_pypa::parse_version(s).map_or(true, |v| !hidden.contains(&v)))
            .cloned()
            .collect()
    });
    (out, decisions)
}

fn cooldown(
    project: &PackageName,
    v: &Version,
    uploaded: Option<jiff::Timestamp>,
    min_age: jiff::SignedDuration,
    policy: &PagePolicy<'_>,
) -> Option<(Code, String)> {
    let young = match uploaded {
        None => Some((
            Code::UnknownAge,
            format!(
                "{project} {v}: no upload time, min-age is {}",
                days(min_age)
            ),
        )),
        Some(t) if policy.now.duration_since(t) < min_age => Some((
            Code::Cooldown,
            format!(
                "{project} {v}: uploaded {t}, younger than min-age {}",
                days(min_age)
            ),
        )),
        Some(_) => None,
    }?;
    let today = jiff::tz::Offset::UTC.to_datetime(policy.now).date();
    let allow = policy.allows.iter().find(|a| {
        a.package == *project
            && a.expires >= today
            && a.version
                .as_deref()
                .is_none_or(|av| custody_pypa::parse_version(av).is_ok_and(|av| av == *v))
    });
    Some(match allow {
        Some(a) => (
            Code::CooldownException,
            format!(
                "{project} {v}: allowed until {} by the policy's line {}: {}",
                a.expires, a.line, a.reason
            ),
        ),
        None => young,
    })
}

fn days(d: jiff::SignedDuration) -> String {
    let hours = d.as_hours();
    if hours % 24 == 0 {
        format!("{}d", hours / 24)
    } else {
        format!("{hours}h")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::DistFile;

    fn file(name: &str, t: Option<&str>) -> DistFile {
        DistFile {
            filename: name.into(),
            url: name.into(),
            upload_time: t.map(str::to_owned),
            ..DistFile::default()
        }
    }

    fn page() -> ProjectPage {
        ProjectPage {
            name: "demo".into(),
            files: vec![
                file("demo-1.0-py3-none-any.whl", Some("2020-01-01T00:00:00Z")),
                file("demo-1.0.tar.gz", Some("2020-01-01T00:00:00Z")),
                file("demo-2.0-py3-none-any.whl", Some("2026-11-23T11:00:00Z")),
                file("demo-3.0-py3-none-any.whl", Some("2020-01-01T00:00:00Z")),
                file("demo-4.0-py3-none-any.whl", None),
                file("README.txt", None),
                file("../demo-1.0-py3-none-any.whl", None),
            ],
            versions: Some(vec!["1.0".into(), "2.0".into(), "3.0".into(), "4.0".into()]),
        }
    }

    fn run(allows: &[Allow], min_age: Option<i64>) -> (ProjectPage, Vec<Decision>) {
        let name = PackageName::new("demo").unwrap();
        let mal = |v: &Version| {
            (v.to_string() == "3.0").then(|| (Code::Malicious, "MAL-2026-1".to_owned()))
        };
        let policy = PagePolicy {
            now: "2026-11-23T12:00:00Z".parse().unwrap(),
            min_age: min_age.map(jiff::SignedDuration::from_hours),
            allows,
        };
        filter(&page(), &name, &mal, &policy)
    }

    fn codes(d: &[Decision]) -> Vec<(String, Code)> {
        d.iter()
            .map(|d| (d.filename.clone().unwrap(), d.code))
            .collect()
    }

    #[test]
    fn malicious_cooldown_unknown_age_and_unknown_version_are_hidden() {
        let (p, d) = run(&[], Some(72));
        let kept: Vec<_> = p.files.iter().map(|f| f.filename.as_str()).collect();
        assert_eq!(kept, ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]);
        assert_eq!(
            codes(&d),
            [
                ("demo-2.0-py3-none-any.whl".into(), Code::Cooldown),
                ("demo-3.0-py3-none-any.whl".into(), Code::Malicious),
                ("demo-4.0-py3-none-any.whl".into(), Code::UnknownAge),
                ("README.txt".into(), Code::UnknownVersion),
                ("../demo-1.0-py3-none-any.whl".into(), Code::BadFilename),
            ]
        );
        assert_eq!(p.versions.unwrap(), ["1.0"]);
        assert!(d[1].reason.contains("MAL-2026-1"), "{}", d[1].reason);
    }

    #[test]
    fn without_min_age_only_malicious_is_hidden() {
        let (p, _) = run(&[], None);
        assert_eq!(p.files.len(), 4);
    }

    #[test]
    fn an_allow_keeps_a_young_release_until_it_expires_but_never_a_malicious_one() {
        let allow = |expires: &str| Allow {
            package: PackageName::new("Demo").unwrap(),
            version: None,
            reason: "needed for the fix".into(),
            expires: expires.parse().unwrap(),
            line: 9,
        };
        let (p, d) = run(&[allow("2026-11-23")], Some(72));
        assert!(p.files.iter().any(|f| f.filename.starts_with("demo-2.0")));
        assert!(!p.files.iter().any(|f| f.filename.starts_with("demo-3.0")));
        assert_eq!(d[0].code, Code::CooldownException);
        assert!(d[0].reason.contains("line 9"));
        let (p, _) = run(&[allow("2026-11-22")], Some(72));
        assert!(!p.files.iter().any(|f| f.filename.starts_with("demo-2.0")));
    }
}
