//! The scan itself: pure, from loaded data to a [`ScanReport`].

mod ecosystems;

use std::collections::{BTreeMap, BTreeSet};

use custody_advisory::{Advisory, Severity, matching, severity};
use custody_inventory::{Inventory, Origin, Package, Pin};
use custody_pypa::PackageName;

use crate::advisories::{AdvisoryIndex, Origin as AdvisoryOrigin};
use crate::policy::Policy;
use crate::report::{
    AppliedIgnore, DatabaseInfo, Finding, SCHEMA, ScanReport, Summary, Unchecked, codes,
};

/// A record that affects a package version, with where it came from.
#[derive(Clone)]
struct Matched {
    advisory: Advisory,
    origin: AdvisoryOrigin,
    hit: matching::Hit,
}

/// Settings of one scan, already resolved from flags and policy.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// "Now", injected so tests are deterministic.
    pub now: jiff::Timestamp,
    /// Fail at or above this severity.
    pub fail_on: Severity,
    /// Cooldown: locked files younger than this are flagged (`None`: off).
    pub min_age: Option<jiff::SignedDuration>,
    /// Warn when the newest advisory is older than this.
    pub max_db_age: Option<jiff::SignedDuration>,
    /// Ignores.
    pub policy: Policy,
}

/// A scan could not complete.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The advisory database failed during lookups.
    #[error(transparent)]
    Store(#[from] custody_advisory::store::StoreError),
}

/// Whole days since the newest record, whether that is older than the
/// limit, and the warnings about the data.
fn freshness(
    status: &crate::advisories::IndexStatus,
    opts: &ScanOptions,
) -> (Option<i64>, bool, Vec<String>) {
    let newest = status
        .newest_modified
        .as_deref()
        .and_then(|m| m.parse::<jiff::Timestamp>().ok());
    let age_days = newest.map(|t| opts.now.duration_since(t).as_hours() / 24);
    let mut warnings = Vec::new();
    if !status.imported {
        warnings.push(format!(
            "no advisory database imported: checked only against {} embedded malicious-package records; \
             import advisories with `custody db import` for vulnerabilities",
            status.embedded
        ));
    }
    let stale = matches!((opts.max_db_age, newest), (Some(limit), Some(newest)) if opts.now.duration_since(newest) > limit);
    if let (Some(limit), Some(newest)) = (opts.max_db_age, newest)
        && stale
    {
        warnings.push(format!(
            "advisory data is stale: newest record modified {newest}, {} days ago (limit {} days)",
            age_days.unwrap_or(0),
            limit.as_hours() / 24
        ));
    }
    (age_days, stale, warnings)
}

/// Looks every checkable package up and builds the report.
pub fn scan(
    inv: &Inventory,
    index: &AdvisoryIndex,
    opts: &ScanOptions,
) -> Result<ScanReport, ScanError> {
    let status = index.status()?;
    let (age_days, stale, mut warnings) = freshness(&status, opts);
    let (checked, unchecked) = group(inv);

    let today = opts.now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let mut findings = Vec::new();
    let mut ignored = Vec::new();
    let mut names: Vec<&PackageName> = checked.keys().map(|(n, _)| n).collect();
    names.dedup();
    let candidates = index.candidates(&names)?;
    for ((name, version_text), (pkg, locations)) in &checked {
        let Some(version) = &pkg.version else {
            continue;
        };
        let hits = matches(
            index,
            candidates.get(name).map_or(&[][..], Vec::as_slice),
            name,
            version,
        )?;
        for group in collapse(hits) {
            let mut f = finding(name.as_str(), None, version_text, locations, &group);
            match apply_ignores(&mut f, &opts.policy, today, &mut warnings) {
                IgnoreOutcome::Ignored => ignored.push(f),
                IgnoreOutcome::Reported => findings.push(f),
            }
        }
        if let (Some(min_age), Some(uploaded)) = (opts.min_age, pkg.upload_time) {
            let age = opts.now.duration_since(uploaded);
            if age < min_age {
                findings.push(cooldown(
                    name,
                    version_text,
                    locations,
                    uploaded,
                    age,
                    min_age,
                ));
            }
        }
    }
    let others = ecosystems::look_up(&inv.ecosystems, index)?;
    for g in others.groups.iter().filter(|g| !g.hits.is_empty()) {
        let hits = g.hits.clone();
        for group in collapse(hits) {
            let mut f = finding(
                g.name,
                Some(g.ecosystem.osv_name()),
                g.version,
                &g.locations,
                &group,
            );
            match apply_ignores(&mut f, &opts.policy, today, &mut warnings) {
                IgnoreOutcome::Ignored => ignored.push(f),
                IgnoreOutcome::Reported => findings.push(f),
            }
        }
    }
    warnings.extend(others.warnings);
    let mut unchecked = unchecked;
    unchecked.extend(others.unchecked);
    findings.sort_by(|a, b| {
        b.malicious
            .cmp(&a.malicious)
            .then(b.severity.rank().cmp(&a.severity.rank()))
            // A stated severity before an unknown one of the same rank.
            .then((a.severity == Severity::Unknown).cmp(&(b.severity == Severity::Unknown)))
            .then(a.ecosystem.cmp(&b.ecosystem))
            .then(a.package.cmp(&b.package))
            .then(a.version.cmp(&b.version))
            .then(a.id.cmp(&b.id))
    });
    let summary = Summary {
        packages: inv.packages.len() + inv.ecosystems.packages.len(),
        checked: checked.len() + others.groups.len(),
        unchecked: unchecked.len(),
        findings: findings.len(),
        malicious: findings.iter().filter(|f| f.malicious).count(),
        ignored: ignored.len(),
    };
    Ok(ScanReport {
        schema: SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        scanned_at: opts.now,
        database: DatabaseInfo {
            status,
            age_days,
            stale,
        },
        sources: inv.sources.clone(),
        summary,
        findings,
        ignored,
        unchecked,
        warnings,
        fail_on: opts.fail_on,
    })
}

/// Entries grouped by (name, version) — one lookup, one finding, many
/// locations — and the entries that cannot be looked up.
type Checked<'a> = BTreeMap<(PackageName, String), (&'a Package, Vec<Origin>)>;

fn group(inv: &Inventory) -> (Checked<'_>, Vec<Unchecked>) {
    let mut checked: Checked<'_> = BTreeMap::new();
    let mut unchecked = Vec::new();
    for p in &inv.packages {
        match (&p.version, &p.version_text) {
            (Some(_), Some(vt)) => {
                checked
                    .entry((p.name.clone(), vt.clone()))
                    .or_insert_with(|| (p, Vec::new()))
                    .1
                    .push(p.origin.clone());
            }
            _ => unchecked.push(Unchecked {
                ecosystem: None,
                package: p.name.to_string(),
                version: p.version_text.clone(),
                reason: unchecked_reason(&p.pin),
                location: p.origin.clone(),
            }),
        }
    }
    for u in &inv.unresolved {
        unchecked.push(Unchecked {
            ecosystem: None,
            package: u.text.clone(),
            version: None,
            reason: u.reason.clone(),
            location: u.origin.clone(),
        });
    }
    (checked, unchecked)
}

/// The candidates that affect `name==version`: decided on the compact
/// matchers, full records read only for hits.
fn matches(
    index: &AdvisoryIndex,
    candidates: &[crate::advisories::Candidate],
    name: &PackageName,
    version: &custody_pypa::Version,
) -> Result<Vec<Matched>, ScanError> {
    let canonical = matching::canonical(version);
    let mut hits = Vec::new();
    for c in candidates {
        if !c.matcher.matches(version, &canonical) {
            continue;
        }
        if let Some(advisory) = index.record(c)? {
            let hit = matching::hit(&advisory, name);
            hits.push(Matched {
                advisory,
                origin: c.origin,
                hit,
            });
        }
    }
    Ok(hits)
}

fn unchecked_reason(pin: &Pin) -> String {
    if !pin.is_from_index() {
        let what = match pin {
            Pin::Vcs { url } => format!("version-control checkout ({url})"),
            Pin::Editable { target } => format!("editable install ({target})"),
            Pin::Local { path } => format!("local project or archive ({path})"),
            _ => "local project".to_owned(),
        };
        return format!("{what}: not a package-index release, never matched by name");
    }
    match pin {
        Pin::Unpinned { specifier } if specifier.is_empty() => "unpinned: no version given".into(),
        Pin::Unpinned { specifier } => format!("unpinned: {specifier} does not fix one version"),
        Pin::Url { url } => format!("direct URL without a known version: {url}"),
        Pin::Vcs { .. }
        | Pin::Editable { .. }
        | Pin::Local { .. }
        | Pin::Installed
        | Pin::Exact => "no PEP 440 version (arbitrary equality or unreadable)".into(),
    }
}

/// Records that share an id or alias become one group (union-find over ids).
fn collapse(hits: Vec<Matched>) -> Vec<Vec<Matched>> {
    let mut groups: Vec<(BTreeSet<String>, Vec<Matched>)> = Vec::new();
    for hit in hits {
        let mut merged_ids: BTreeSet<String> = std::iter::once(hit.advisory.id.clone())
            .chain(hit.advisory.aliases.iter().cloned())
            .collect();
        let mut merged = vec![hit];
        let mut i = 0;
        while i < groups.len() {
            if groups[i].0.is_disjoint(&merged_ids) {
                i += 1;
            } else {
                let (gids, gmembers) = groups.swap_remove(i);
                merged_ids.extend(gids);
                merged.extend(gmembers);
                i = 0;
            }
        }
        groups.push((merged_ids, merged));
    }
    groups.into_iter().map(|(_, m)| m).collect()
}

/// MAL- first (it says "malicious"), then the ecosystem's own database
/// (PYSEC- for PyPI, RUSTSEC- for crates.io), GHSA-, CVE-, others.
fn id_rank(id: &str) -> u8 {
    ["MAL-", "PYSEC-", "RUSTSEC-", "GHSA-", "CVE-"]
        .iter()
        .position(|p| id.starts_with(p))
        .map_or(5, |i| u8::try_from(i).unwrap_or(5))
}

fn finding(
    name: &str,
    ecosystem: Option<&'static str>,
    version: &str,
    locations: &[Origin],
    group: &[Matched],
) -> Finding {
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for a in group.iter().map(|m| &m.advisory) {
        ids.insert(a.id.clone());
        ids.extend(a.aliases.iter().cloned());
    }
    let primary = ids
        .iter()
        .min_by(|a, b| id_rank(a).cmp(&id_rank(b)).then(a.cmp(b)))
        .cloned()
        .unwrap_or_default();
    let malicious = group.iter().any(|m| m.advisory.is_malicious());
    let (sev, cvss) = group
        .iter()
        .map(|m| severity::of(&m.advisory))
        .max_by(|x, y| {
            x.0.rank()
                .cmp(&y.0.rank())
                .then(x.1.unwrap_or(0.0).total_cmp(&y.1.unwrap_or(0.0)))
        })
        .unwrap_or((Severity::Unknown, None));
    // The summary of the record whose id is the primary, else the first with one.
    let summary = group
        .iter()
        .map(|m| &m.advisory)
        .find(|a| a.id == primary)
        .and_then(|a| a.summary.clone().or_else(|| a.details.clone()))
        .or_else(|| {
            group.iter().find_map(|m| {
                m.advisory
                    .summary
                    .clone()
                    .or_else(|| m.advisory.details.clone())
            })
        })
        .map(|s| one_line(&s))
        .unwrap_or_default();
    let mut fixed: Vec<String> = Vec::new();
    for h in group.iter().map(|m| &m.hit) {
        for f in &h.fixed {
            if !fixed.contains(f) {
                fixed.push(f.clone());
            }
        }
    }
    let iocs = group.iter().find_map(|m| m.advisory.iocs().cloned());
    let mut advisory_sources: Vec<AdvisoryOrigin> = group.iter().map(|m| m.origin).collect();
    advisory_sources.dedup();
    Finding {
        code: if malicious {
            codes::MALICIOUS
        } else {
            codes::VULNERABLE
        },
        ecosystem,
        package: name.to_owned(),
        version: version.to_owned(),
        aliases: ids.into_iter().filter(|i| *i != primary).collect(),
        id: Some(primary),
        malicious,
        severity: if malicious { Severity::Critical } else { sev },
        cvss,
        summary,
        fixed,
        locations: locations.to_vec(),
        iocs,
        advisory_sources,
        upload_time: None,
        ignore: None,
    }
}

fn one_line(s: &str) -> String {
    let first = s.trim().lines().next().unwrap_or_default().trim();
    if first.chars().count() > 160 {
        let cut: String = first.chars().take(157).collect();
        format!("{cut}...")
    } else {
        first.to_owned()
    }
}

fn cooldown(
    name: &PackageName,
    version: &str,
    locations: &[Origin],
    uploaded: jiff::Timestamp,
    age: jiff::SignedDuration,
    min_age: jiff::SignedDuration,
) -> Finding {
    Finding {
        code: codes::COOLDOWN,
        ecosystem: None,
        package: name.to_string(),
        version: version.to_owned(),
        id: None,
        aliases: Vec::new(),
        malicious: false,
        severity: Severity::High,
        cvss: None,
        summary: format!(
            "uploaded {} hours ago, younger than the {}-hour minimum age: most malicious releases are removed within hours",
            age.as_hours().max(0),
            min_age.as_hours()
        ),
        fixed: Vec::new(),
        locations: locations.to_vec(),
        iocs: None,
        advisory_sources: Vec::new(),
        upload_time: Some(uploaded),
        ignore: None,
    }
}

enum IgnoreOutcome {
    Ignored,
    Reported,
}

fn apply_ignores(
    f: &mut Finding,
    policy: &Policy,
    today: jiff::civil::Date,
    warnings: &mut Vec<String>,
) -> IgnoreOutcome {
    let Some(rule) = policy
        .ignores
        .iter()
        .find(|i| f.id.as_deref() == Some(i.id.as_str()) || f.aliases.contains(&i.id))
    else {
        return IgnoreOutcome::Reported;
    };
    let expired = today > rule.expires;
    f.ignore = Some(AppliedIgnore {
        id: rule.id.clone(),
        reason: rule.reason.clone(),
        expires: rule.expires,
        expired,
    });
    let id = f.id.clone().unwrap_or_default();
    if f.malicious {
        warnings.push(format!(
            "ignore of {} ({}, line {}) not applied: malicious packages are always reported",
            rule.id, f.package, rule.line
        ));
        return IgnoreOutcome::Reported;
    }
    if expired {
        warnings.push(format!(
            "ignore of {} expired on {} (line {}): {id} in {} {} is reported again",
            rule.id, rule.expires, rule.line, f.package, f.version
        ));
        return IgnoreOutcome::Reported;
    }
    IgnoreOutcome::Ignored
}
