//! npm and crates.io packages against OSV records: the same findings as
//! PyPI's, each ecosystem's versions ordered by SemVer precedence
//! (`custody-ecosystems`' matching). A record that cannot be evaluated for a
//! version (a version that is not SemVer) is a warning, never "not affected".

use std::collections::{BTreeMap, HashMap};

use custody_advisory::Advisory;
use custody_advisory::matching::Hit;
use custody_advisory::osv::lookup_key;
use custody_ecosystems::matching::Record;
use custody_ecosystems::{Ecosystem, Package, Source};
use custody_inventory::Origin;

use super::{Matched, ScanError};
use crate::advisories::{AdvisoryIndex, Origin as AdvisoryOrigin};
use crate::report::Unchecked;

/// One (ecosystem, package, version) looked up, with every place it was found.
pub(super) struct Group<'a> {
    /// The name as the first source writes it.
    pub name: &'a str,
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The exact version.
    pub version: &'a str,
    /// Where it was found.
    pub locations: Vec<Origin>,
    /// The records that affect it.
    pub hits: Vec<Matched>,
}

/// What the lookups gave.
pub(super) struct Looked<'a> {
    /// Every checked (ecosystem, name, version), with its hits.
    pub groups: Vec<Group<'a>>,
    /// Packages that could not be looked up.
    pub unchecked: Vec<Unchecked>,
    /// Records that could not be evaluated for a version.
    pub warnings: Vec<String>,
}

fn origin(p: &Package) -> Origin {
    Origin {
        path: p.origin.path.clone(),
        line: p.origin.line,
    }
}

/// Why a package is not looked up, if it is not.
fn unchecked_reason(p: &Package) -> Option<String> {
    match (&p.source, &p.version) {
        (Source::Git(url), _) => Some(format!(
            "git dependency ({url}): not a registry release, never matched by name"
        )),
        (Source::Path(at), _) => Some(format!(
            "local folder or file{}: not a registry release, never matched by name",
            at.as_deref().map(|a| format!(" ({a})")).unwrap_or_default()
        )),
        (_, None) => Some("no exact version: the source does not lock one".to_owned()),
        _ => None,
    }
}

/// Looks every npm and crates.io package of `inv` up.
pub(super) fn look_up<'a>(
    inv: &'a custody_ecosystems::Inventory,
    index: &AdvisoryIndex,
) -> Result<Looked<'a>, ScanError> {
    let mut unchecked = Vec::new();
    let mut grouped: BTreeMap<(Ecosystem, String, &'a str), Group<'a>> = BTreeMap::new();
    for p in &inv.packages {
        if let Some(reason) = unchecked_reason(p) {
            unchecked.push(Unchecked {
                ecosystem: Some(p.ecosystem.osv_name()),
                package: p.name.clone(),
                version: p.version.clone(),
                reason,
                location: origin(p),
            });
            continue;
        }
        let Some(version) = p.version.as_deref() else {
            continue;
        };
        grouped
            .entry((p.ecosystem, lookup_key(p.ecosystem, &p.name), version))
            .or_insert_with(|| Group {
                name: &p.name,
                ecosystem: p.ecosystem,
                version,
                locations: Vec::new(),
                hits: Vec::new(),
            })
            .locations
            .push(origin(p));
    }
    let mut candidates: HashMap<Ecosystem, HashMap<String, Vec<(String, AdvisoryOrigin)>>> =
        HashMap::new();
    for eco in [Ecosystem::Npm, Ecosystem::CratesIo] {
        let mut keys: Vec<&str> = grouped
            .keys()
            .filter(|(e, _, _)| *e == eco)
            .map(|(_, k, _)| k.as_str())
            .collect();
        keys.dedup();
        if !keys.is_empty() {
            candidates.insert(eco, index.ecosystem_candidates(eco, &keys)?);
        }
    }
    let mut records = Records::default();
    let mut warnings = Vec::new();
    for ((eco, key, _), group) in &mut grouped {
        let ids = candidates
            .get(eco)
            .and_then(|c| c.get(key))
            .map_or(&[][..], Vec::as_slice);
        for (id, from) in ids {
            let Some((advisory, record)) = records.get(index, id, *from)? else {
                continue;
            };
            match record.affects(group.ecosystem, group.name, group.version) {
                Ok(true) => group.hits.push(Matched {
                    hit: hit(advisory, group.ecosystem, group.name),
                    advisory: advisory.clone(),
                    origin: *from,
                }),
                Ok(false) => {}
                Err(e) => warnings.push(format!(
                    "{id} could not be evaluated for {} {} {}: {e}",
                    group.ecosystem, group.name, group.version
                )),
            }
        }
    }
    Ok(Looked {
        groups: grouped.into_values().collect(),
        unchecked,
        warnings,
    })
}

/// Full records read once each, with their matching form.
#[derive(Default)]
struct Records(HashMap<(String, AdvisoryOrigin), Option<(Advisory, Record)>>);

impl Records {
    fn get(
        &mut self,
        index: &AdvisoryIndex,
        id: &str,
        from: AdvisoryOrigin,
    ) -> Result<Option<&(Advisory, Record)>, ScanError> {
        let key = (id.to_owned(), from);
        if !self.0.contains_key(&key) {
            let loaded = index.record_from(id, from)?.and_then(|a| {
                // The stored record is the OSV model custody keeps; matching
                // reads the same JSON shape.
                let record: Record = serde_json::to_value(&a)
                    .and_then(serde_json::from_value)
                    .ok()?;
                Some((a, record))
            });
            self.0.insert(key.clone(), loaded);
        }
        Ok(self.0.get(&key).and_then(Option::as_ref))
    }
}

/// The versions that fix, or were last affected by, `advisory` for `name`.
fn hit(advisory: &Advisory, ecosystem: Ecosystem, name: &str) -> Hit {
    let mut out = Hit {
        fixed: Vec::new(),
        last_affected: Vec::new(),
    };
    let entries = advisory.affected.iter().filter(|a| {
        a.package.as_ref().is_some_and(|p| {
            Ecosystem::from_osv(p.ecosystem.trim()) == Some(ecosystem)
                && custody_ecosystems::matching::same_name(ecosystem, &p.name, name)
        })
    });
    for event in entries.flat_map(|a| &a.ranges).flat_map(|r| &r.events) {
        if let Some(f) = &event.fixed
            && !out.fixed.contains(f)
        {
            out.fixed.push(f.clone());
        }
        if let Some(l) = &event.last_affected
            && !out.last_affected.contains(l)
        {
            out.last_affected.push(l.clone());
        }
    }
    out
}
