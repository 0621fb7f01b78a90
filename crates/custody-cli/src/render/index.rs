//! What `custody index mirror` and `custody guard` print.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use custody::index::Decision;
use custody::workflow::index::guard::GuardReport;
use custody::workflow::index::mirror::MirrorReport;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Decisions about the same release for the same reason, once: the
/// project, version, code and reason with how many files it covered.
fn grouped(decisions: &[Decision]) -> Vec<(String, usize)> {
    let mut groups: BTreeMap<(String, String, String), (usize, usize)> = BTreeMap::new();
    for (i, d) in decisions.iter().enumerate() {
        let what = match (&d.project, &d.version) {
            (Some(p), Some(v)) => format!("{p} {v}"),
            (Some(p), None) => p.clone(),
            _ => String::new(),
        };
        let key = (what, d.code.to_string(), d.reason.clone());
        groups.entry(key).or_insert((i, 0)).1 += 1;
    }
    let mut rows: Vec<(usize, String, usize)> = groups
        .into_iter()
        .map(|((what, code, reason), (first, n))| {
            let what = if what.is_empty() {
                String::new()
            } else {
                format!("{what}: ")
            };
            (first, format!("{what}{code}: {reason}"), n)
        })
        .collect();
    rows.sort();
    rows.into_iter().map(|(_, line, n)| (line, n)).collect()
}

fn list(out: &mut String, label: &str, decisions: &[Decision]) {
    for (line, n) in grouped(decisions) {
        let times = if n > 1 {
            format!(" ({n}x)")
        } else {
            String::new()
        };
        let _ = writeln!(out, "  {label:<8} {line}{times}");
    }
}

/// The mirror's summary: what was written and sealed, what was not and why.
pub fn mirror_text(r: &MirrorReport) -> String {
    let bytes: u64 = r.files.iter().map(|f| f.size).sum();
    let mut out = format!(
        "mirrored {} of {} ({}, {} inspected, the rest from the verdict cache) into {}\n\
         sealed: {} (key {})\n",
        plural(r.files.len(), "file", "files"),
        plural(r.releases, "pinned release", "pinned releases"),
        crate::render::seal::human_bytes(bytes),
        r.inspected,
        r.out.display(),
        r.seal.display(),
        r.key_id,
    );
    list(&mut out, "refused", &r.refused);
    for p in &r.problems {
        let _ = writeln!(out, "  {:<8} {p}", "missing");
    }
    if !r.complete() {
        out.push_str(
            "not everything pinned is in the mirror: an install from it fails for those releases\n",
        );
    }
    out
}

/// The guard's summary on stderr, after the command's own output.
pub fn guard_text(r: &GuardReport) -> String {
    let ended = match (r.exit_code, r.signal) {
        (Some(0), _) => "succeeded".to_owned(),
        (Some(c), _) => format!("failed (exit {c})"),
        (None, Some(s)) => format!("was stopped by signal {s}"),
        (None, None) => "ended".to_owned(),
    };
    let mut out = format!(
        "custody guard: the command {ended}; the index ({}) served {} ({} inspected), \
         hid or refused {}\n",
        r.index,
        plural(r.served, "file", "files"),
        r.inspected,
        plural(
            grouped(&r.blocked).len(),
            "release or file",
            "releases or files"
        ),
    );
    list(&mut out, "blocked", &r.blocked);
    list(&mut out, "fault", &r.faults);
    if r.failed_by_policy() {
        out.push_str(
            "custody guard: the index hid or refused what the command asked for (exit 10); \
             docs/index.md explains each code\n",
        );
    }
    out
}
