//! Integrity against `RECORD`: files whose bytes no longer match the hash
//! their distribution recorded (changed after install, or a tampered wheel).

use std::collections::HashMap;

use base64::Engine;
use rayon::prelude::*;
use sha2::Digest;

use crate::archive::{Contents, Member};

/// A file that differs from its RECORD row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The file (a member path).
    pub path: String,
    /// The RECORD that lists it.
    pub record: String,
    /// The RECORD row's line.
    pub line: usize,
    /// Recorded and actual digests, `sha256=<urlsafe base64>`.
    pub recorded: String,
    /// What the file hashes to now.
    pub actual: String,
}

/// Files whose SHA-256 differs from every RECORD row that lists them.
/// Rows with other algorithms, paths outside the package (`../`), and files
/// read only in part are skipped.
pub fn mismatches(contents: &Contents) -> Vec<Mismatch> {
    let by_path: HashMap<&str, &Member> = contents
        .members
        .iter()
        .map(|m| (m.path.as_str(), m))
        .collect();
    let mut out = Vec::new();
    for rec in contents
        .members
        .iter()
        .filter(|m| m.path.ends_with(".dist-info/RECORD"))
    {
        // RECORD paths are relative to the folder that holds the .dist-info.
        let base = rec
            .path
            .rsplit_once('/')
            .and_then(|(dist_info, _)| dist_info.rsplit_once('/'))
            .map_or(String::new(), |(parent, _)| format!("{parent}/"));
        // A dist-info vendored inside a package describes the upstream
        // files the vendor then patched: not this package's own record.
        if !base.is_empty() && by_path.contains_key(format!("{base}__init__.py").as_str()) {
            continue;
        }
        let Some(rows) = std::str::from_utf8(&rec.data)
            .ok()
            .and_then(|t| custody_pypa::record::parse(t).ok())
        else {
            continue;
        };
        // A size that differs is a change, whether or not the bytes were
        // read (a native library is skimmed: its size is all there is).
        for row in &rows {
            let path = format!("{base}{}", row.path);
            if let (Some(recorded), Some(m)) = (row.size, by_path.get(path.as_str()))
                && recorded != m.size
                && !row.path.starts_with("../")
            {
                out.push(Mismatch {
                    path,
                    record: rec.path.clone(),
                    line: row.line,
                    recorded: format!("size={recorded}"),
                    actual: format!("size={}", m.size),
                });
            }
        }
        let sized: std::collections::HashSet<String> = out.iter().map(|m| m.path.clone()).collect();
        let checks: Vec<(String, usize, String, &Member)> = rows
            .into_iter()
            .filter_map(|row| {
                let (algo, digest) = row.hash?;
                if algo != "sha256" || row.path.starts_with("../") || row.path.contains("/../") {
                    return None;
                }
                let path = format!("{base}{}", row.path);
                if sized.contains(&path) {
                    return None;
                }
                let m = by_path
                    .get(path.as_str())
                    .filter(|m| !m.truncated || m.sha256.is_some())?;
                Some((path, row.line, digest, *m))
            })
            .collect();
        // Hashing is most of the cost on wheels with large binaries.
        out.par_extend(
            checks
                .into_par_iter()
                .filter_map(|(path, line, digest, m)| {
                    let actual = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
                        m.sha256
                            .unwrap_or_else(|| sha2::Sha256::digest(&m.data).into()),
                    );
                    (actual != digest.trim_end_matches('=')).then(|| Mismatch {
                        path,
                        record: rec.path.clone(),
                        line,
                        recorded: format!("sha256={digest}"),
                        actual: format!("sha256={actual}"),
                    })
                }),
        );
    }
    out
}
