//! What differs between a sealed manifest and the data (or another
//! manifest): files added, removed and modified; within a modified file,
//! the chunks and the records (inserted, deleted, changed, with lines and
//! keys).

use std::collections::HashMap;

use serde::Serialize;

use crate::manifest::{Entry, Manifest};
use crate::records::Index;

/// How many records of each kind a report lists per file (counts are exact).
pub const RECORD_LIST_LIMIT: usize = 1000;

/// The differences.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Files in the new side only.
    pub added: Vec<FileNote>,
    /// Files in the old side only.
    pub removed: Vec<FileNote>,
    /// Files whose digest differs.
    pub modified: Vec<Modified>,
    /// Files that match.
    pub unchanged: u64,
    /// Settings that differ between the two sides (`diff` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<String>,
}

impl Report {
    /// Whether nothing differs.
    pub fn identical(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.modified.is_empty()
            && self.settings.is_empty()
    }
}

/// A file added or removed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileNote {
    /// Path.
    pub path: String,
    /// Size.
    pub size: u64,
}

/// A modified file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Modified {
    /// Path.
    pub path: String,
    /// Size before.
    pub old_size: u64,
    /// Size now.
    pub new_size: u64,
    /// 0-based indexes of chunks that differ (files of several chunks).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chunks: Vec<u64>,
    /// Chunk size, to turn chunk indexes into byte ranges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chunk_size: Option<u64>,
    /// Record-level differences, when both sides have a record index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<RecordDiff>,
}

/// Record-level differences in one file.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct RecordDiff {
    /// How records were matched: `key` (by the key field) or `sequence`
    /// (by content, in order).
    pub matched_by: &'static str,
    /// Counts.
    pub changed_count: u64,
    /// Counts.
    pub inserted_count: u64,
    /// Counts.
    pub deleted_count: u64,
    /// Records present on both sides whose content differs.
    pub changed: Vec<RecordNote>,
    /// Records only on the new side.
    pub inserted: Vec<RecordNote>,
    /// Records only on the old side.
    pub deleted: Vec<RecordNote>,
}

/// One record.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RecordNote {
    /// 1-based line on the new side (for deleted records: the old side).
    pub line: u64,
    /// 1-based line on the old side, for changed records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_line: Option<u64>,
    /// Key value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// Compares `old` with `new`. Record indexes of modified files come from
/// `new_records` (the data's, for verify) or from `new` itself (diff).
pub fn compare(
    old: &Manifest,
    new: &Manifest,
    new_records: &dyn Fn(&Entry) -> Option<Index>,
) -> Report {
    let mut report = Report::default();
    if old.algorithm != new.algorithm {
        report.settings.push(format!(
            "hash function {} → {}",
            old.algorithm.name(),
            new.algorithm.name()
        ));
    }
    if old.chunk_size != new.chunk_size {
        report.settings.push(format!(
            "chunk size {} → {}",
            old.chunk_size, new.chunk_size
        ));
    }
    let theirs: HashMap<&str, &Entry> = new.files.iter().map(|e| (e.path.as_str(), e)).collect();
    let ours: HashMap<&str, &Entry> = old.files.iter().map(|e| (e.path.as_str(), e)).collect();
    for e in &old.files {
        match theirs.get(e.path.as_str()) {
            None => report.removed.push(FileNote {
                path: e.path.clone(),
                size: e.size,
            }),
            Some(n)
                if n.digest == e.digest && n.size == e.size && old.algorithm == new.algorithm =>
            {
                report.unchanged += 1;
            }
            Some(n) => report.modified.push(modified(old, new, e, n, new_records)),
        }
    }
    for e in &new.files {
        if !ours.contains_key(e.path.as_str()) {
            report.added.push(FileNote {
                path: e.path.clone(),
                size: e.size,
            });
        }
    }
    report
}

fn modified(
    old: &Manifest,
    new: &Manifest,
    o: &Entry,
    n: &Entry,
    new_records: &dyn Fn(&Entry) -> Option<Index>,
) -> Modified {
    let same_chunking = old.chunk_size == new.chunk_size && old.algorithm == new.algorithm;
    let chunks = if same_chunking && (!o.chunks.is_empty() || !n.chunks.is_empty()) {
        let count = o.chunks.len().max(n.chunks.len()).max(1);
        (0..count)
            .filter(|i| {
                o.chunks.get(*i) != n.chunks.get(*i) || o.chunks.is_empty() || n.chunks.is_empty()
            })
            .map(|i| i as u64)
            .collect()
    } else {
        Vec::new()
    };
    let records = match (
        o.records.as_ref().and_then(|r| r.to_index().ok()),
        new_records(n),
    ) {
        (Some(a), Some(b)) if old.algorithm == new.algorithm => Some(records(&a, &b)),
        _ => None,
    };
    Modified {
        path: o.path.clone(),
        old_size: o.size,
        new_size: n.size,
        chunk_size: (!chunks.is_empty()).then_some(new.chunk_size),
        chunks,
        records,
    }
}

/// Record differences: by key when both sides have unique keys, else by
/// content in order (Myers diff over fingerprints).
pub fn records(old: &Index, new: &Index) -> RecordDiff {
    let note = |ix: &Index, i: usize| RecordNote {
        line: ix.line(i),
        old_line: None,
        key: ix.keys.as_ref().and_then(|k| k.get(i).cloned()),
    };
    let mut d = RecordDiff::default();
    let changed = |d: &mut RecordDiff, oi: usize, ni: usize| {
        d.changed_count += 1;
        if d.changed.len() < RECORD_LIST_LIMIT {
            let mut n = note(new, ni);
            n.old_line = Some(old.line(oi));
            d.changed.push(n);
        }
    };
    let inserted = |d: &mut RecordDiff, ni: usize| {
        d.inserted_count += 1;
        if d.inserted.len() < RECORD_LIST_LIMIT {
            d.inserted.push(note(new, ni));
        }
    };
    let deleted = |d: &mut RecordDiff, oi: usize| {
        d.deleted_count += 1;
        if d.deleted.len() < RECORD_LIST_LIMIT {
            d.deleted.push(note(old, oi));
        }
    };
    if let (Some(ok), Some(nk)) = (unique_keys(old), unique_keys(new)) {
        d.matched_by = "key";
        for (oi, k) in old.keys.iter().flatten().enumerate() {
            match nk.get(k.as_str()) {
                Some(&ni) if old.fingerprints[oi] != new.fingerprints[ni] => {
                    changed(&mut d, oi, ni);
                }
                Some(_) => {}
                None => deleted(&mut d, oi),
            }
        }
        for (ni, k) in new.keys.iter().flatten().enumerate() {
            if !ok.contains_key(k.as_str()) {
                inserted(&mut d, ni);
            }
        }
        return d;
    }
    d.matched_by = "sequence";
    let ops = similar::capture_diff_slices(
        similar::Algorithm::Myers,
        &old.fingerprints,
        &new.fingerprints,
    );
    for op in ops {
        match op {
            similar::DiffOp::Equal { .. } => {}
            similar::DiffOp::Delete {
                old_index, old_len, ..
            } => {
                (old_index..old_index + old_len).for_each(|i| deleted(&mut d, i));
            }
            similar::DiffOp::Insert {
                new_index, new_len, ..
            } => {
                (new_index..new_index + new_len).for_each(|i| inserted(&mut d, i));
            }
            similar::DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let both = old_len.min(new_len);
                for k in 0..both {
                    changed(&mut d, old_index + k, new_index + k);
                }
                (old_index + both..old_index + old_len).for_each(|i| deleted(&mut d, i));
                (new_index + both..new_index + new_len).for_each(|i| inserted(&mut d, i));
            }
        }
    }
    d
}

fn unique_keys(ix: &Index) -> Option<HashMap<&str, usize>> {
    let keys = ix.keys.as_ref()?;
    let mut m = HashMap::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        if m.insert(k.as_str(), i).is_some() {
            return None;
        }
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Format;

    fn ix(fps: &[u8], keys: Option<&[&str]>) -> Index {
        Index {
            format: Format::Jsonl,
            first_line: 1,
            fingerprints: fps.iter().map(|b| [*b; 16]).collect(),
            keys: keys.map(|k| k.iter().map(|s| (*s).to_owned()).collect()),
            lines: None,
        }
    }

    #[test]
    fn sequence_diff_names_lines() {
        let d = records(&ix(&[1, 2, 3, 4], None), &ix(&[1, 9, 3, 4, 5], None));
        assert_eq!(d.matched_by, "sequence");
        assert_eq!(
            (d.changed_count, d.inserted_count, d.deleted_count),
            (1, 1, 0)
        );
        assert_eq!(d.changed[0].line, 2);
        assert_eq!(d.changed[0].old_line, Some(2));
        assert_eq!(d.inserted[0].line, 5);
    }

    #[test]
    fn key_diff_follows_moved_records() {
        let d = records(
            &ix(&[1, 2, 3], Some(&["a", "b", "c"])),
            &ix(&[3, 1, 7], Some(&["c", "a", "b"])),
        );
        assert_eq!(d.matched_by, "key");
        assert_eq!(
            (d.changed_count, d.inserted_count, d.deleted_count),
            (1, 0, 0)
        );
        assert_eq!(d.changed[0].key.as_deref(), Some("b"));
        assert_eq!((d.changed[0].line, d.changed[0].old_line), (3, Some(2)));
    }

    #[test]
    fn duplicate_keys_fall_back_to_sequence() {
        let d = records(
            &ix(&[1, 2], Some(&["a", "a"])),
            &ix(&[1, 3], Some(&["a", "a"])),
        );
        assert_eq!(d.matched_by, "sequence");
        assert_eq!(d.changed[0].key.as_deref(), Some("a"));
    }
}
