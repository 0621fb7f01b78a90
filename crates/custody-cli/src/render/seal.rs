//! Text of `custody verify` and `custody diff` reports.

use std::fmt::Write as _;

use custody::seal::{CompareReport as Report, Modified, RecordDiff, RecordNote};
use custody::workflow::diff::DiffReport;
use custody::workflow::seal::SealReport;
use custody::workflow::verify::ProvenanceNote;

/// How many files of each kind the text lists (the JSON lists all).
const FILE_LIMIT: usize = 50;
/// How many records of each kind the text lists per file.
const RECORD_LIMIT: usize = 10;

/// The verify report.
pub fn verify_text(name: &str, signer: &str, report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "signature: valid, key {signer}");
    if report.identical() {
        let _ = writeln!(s, "{name}: identical ({} files)", report.unchanged);
        return s;
    }
    body(&mut s, report);
    let _ = writeln!(s, "{name}: DIFFERS from the manifest ({})", counts(report));
    s
}

/// A remark about one output of a `custody run` attestation, for stderr.
pub fn provenance_note(n: &ProvenanceNote) -> String {
    match n {
        ProvenanceNote::NoDigest { path } => format!(
            "custody verify: {path}: the attestation holds no digest for it: custody run refused this output (a link, FIFO, socket, device or set-ID file in it; its subject lists them)"
        ),
        ProvenanceNote::NotGiven { name } => format!(
            "custody verify: {name}: an attested output was not given to verify (give every output of the run)"
        ),
    }
}

/// The diff report.
pub fn diff_text(d: &DiffReport) -> String {
    let (old, new, report) = (&d.old, &d.new, &d.report);
    let mut s = String::new();
    if !d.signatures_checked {
        let _ = writeln!(s, "note: signatures not checked (pass --key to check them)");
    }
    let _ = writeln!(s, "old: {} root {}:{}", old.name, old.algorithm, old.root);
    let _ = writeln!(s, "new: {} root {}:{}", new.name, new.algorithm, new.root);
    for setting in &report.settings {
        let _ = writeln!(s, "setting changed: {setting}");
    }
    if report.identical() {
        let _ = writeln!(s, "identical ({} files)", report.unchanged);
        return s;
    }
    body(&mut s, report);
    let _ = writeln!(s, "different ({})", counts(report));
    s
}

fn counts(r: &Report) -> String {
    format!(
        "{} added, {} removed, {} modified, {} unchanged",
        r.added.len(),
        r.removed.len(),
        r.modified.len(),
        r.unchanged
    )
}

fn body(s: &mut String, r: &Report) {
    for (sign, what, list) in [("+", "added", &r.added), ("-", "removed", &r.removed)] {
        for f in list.iter().take(FILE_LIMIT) {
            let _ = writeln!(s, "{sign} {what:<9}{} ({} bytes)", f.path, f.size);
        }
        if list.len() > FILE_LIMIT {
            let _ = writeln!(
                s,
                "  … {} more {what} (see --json)",
                list.len() - FILE_LIMIT
            );
        }
    }
    for m in r.modified.iter().take(FILE_LIMIT) {
        modified(s, m);
    }
    if r.modified.len() > FILE_LIMIT {
        let _ = writeln!(
            s,
            "  … {} more modified (see --json)",
            r.modified.len() - FILE_LIMIT
        );
    }
}

fn modified(s: &mut String, m: &Modified) {
    let size = if m.old_size == m.new_size {
        format!("{} bytes", m.new_size)
    } else if m.old_size == 0 {
        // model-signing records no sizes.
        format!("{} bytes now", m.new_size)
    } else {
        format!("{} → {} bytes", m.old_size, m.new_size)
    };
    let _ = writeln!(s, "~ modified {} ({size})", m.path);
    if let Some(chunk) = m.chunk_size
        && !m.chunks.is_empty()
    {
        let shown: Vec<String> = m
            .chunks
            .iter()
            .take(RECORD_LIMIT)
            .map(|c| format!("{c} (bytes {}..{})", c * chunk, (c + 1) * chunk))
            .collect();
        let more = m.chunks.len().saturating_sub(RECORD_LIMIT);
        let _ = writeln!(
            s,
            "    chunks: {}{}",
            shown.join(", "),
            if more > 0 {
                format!(", … {more} more")
            } else {
                String::new()
            }
        );
    }
    if let Some(d) = &m.records {
        records(s, d);
    }
}

fn records(s: &mut String, d: &RecordDiff) {
    let _ = writeln!(
        s,
        "    records (matched by {}): {} changed, {} inserted, {} deleted",
        d.matched_by, d.changed_count, d.inserted_count, d.deleted_count
    );
    for (what, list, total) in [
        ("changed ", &d.changed, d.changed_count),
        ("inserted", &d.inserted, d.inserted_count),
        ("deleted ", &d.deleted, d.deleted_count),
    ] {
        for n in list.iter().take(RECORD_LIMIT) {
            let _ = writeln!(s, "      {what} {}", note(n, what.trim() == "deleted"));
        }
        let listed = list.len().min(RECORD_LIMIT) as u64;
        if total > listed {
            let _ = writeln!(
                s,
                "      … {} more {} (see --json)",
                total - listed,
                what.trim()
            );
        }
    }
}

fn note(n: &RecordNote, old_side: bool) -> String {
    let mut out = match (n.old_line, old_side) {
        (Some(old), _) if old != n.line => format!("line {} (was line {old})", n.line),
        (_, true) => format!("line {} of the sealed file", n.line),
        _ => format!("line {}", n.line),
    };
    if let Some(k) = &n.key {
        let _ = write!(out, ", key {k:?}");
    }
    out
}

/// The sealing summary for people; `scheme` is the signing key's.
pub fn seal_text(r: &SealReport, scheme: &str) -> String {
    format!(
        "sealed {} ({} files, {}, {} records) → {}\nroot {}:{}\nsigned by {scheme} key {}\n",
        r.name,
        r.files,
        human_bytes(r.bytes),
        r.records,
        r.manifest.display(),
        r.algorithm,
        r.root,
        r.key_id,
    )
}

/// `1.5 GiB`.
#[expect(clippy::cast_precision_loss, reason = "a size for people")]
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
