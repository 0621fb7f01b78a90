//! Record indexes of line-oriented data (JSONL, CSV, TSV): one 16-byte
//! fingerprint per record, and optionally the value of a key field, so a
//! change can be named as "record 1,234 (line 1,235, id=abc)".
//!
//! Fingerprints (XXH3-128) locate changes; they do not protect anything.
//! Integrity comes from the file digest, which covers every byte. A JSONL or TSV
//! record is a line without its `\n`; a CSV record is its parsed fields
//! (so quoting may change without a record-level change, though the file
//! digest still differs). JSONL and TSV files are indexed in parallel, in
//! the same chunks the file digest uses.

use std::io;
use std::os::unix::fs::FileExt as _;
use std::path::Path;

use rayon::prelude::*;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::error::DataError;
use crate::hash::{Algorithm, Digest};

/// A record fingerprint.
pub type Fingerprint = [u8; 16];

/// How a file is split into records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One JSON value per line.
    Jsonl,
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
    /// Tab-separated values with a header row, no quoting.
    Tsv,
}

impl Format {
    /// The format a file name implies (`.jsonl`, `.ndjson`, `.csv`, `.tsv`).
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.')?.1;
        match ext {
            "jsonl" | "ndjson" => Some(Self::Jsonl),
            "csv" => Some(Self::Csv),
            "tsv" => Some(Self::Tsv),
            _ => None,
        }
    }
}

/// The records of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// How records were split.
    pub format: Format,
    /// Line of the first record (2 after a header row).
    pub first_line: u64,
    /// One per record, in order.
    pub fingerprints: Vec<Fingerprint>,
    /// Key field values, one per record, when a key was asked for.
    pub keys: Option<Vec<String>>,
    /// Start line of each record when records span lines (CSV with quoted
    /// newlines); else record `i` is on line `first_line + i`.
    pub lines: Option<Vec<u64>>,
}

impl Index {
    /// The 1-based line record `i` starts on.
    pub fn line(&self, i: usize) -> u64 {
        self.lines
            .as_ref()
            .and_then(|l| l.get(i).copied())
            .unwrap_or(self.first_line + i as u64)
    }
}

/// Indexes the file at `path` (`size` bytes).
pub fn index(
    path: &Path,
    size: u64,
    format: Format,
    key: Option<&str>,
    chunk: u64,
) -> Result<Index, DataError> {
    index_and_digest(path, size, format, key, chunk, None).map(|(i, _)| i)
}

/// [`index`], and for JSONL and TSV also the chunk digests of the file
/// (with `algorithm`), taken in the same read. CSV gives `None`.
pub fn index_and_digest(
    path: &Path,
    size: u64,
    format: Format,
    key: Option<&str>,
    chunk: u64,
    algorithm: Option<Algorithm>,
) -> Result<(Index, Option<Vec<Digest>>), DataError> {
    match format {
        Format::Jsonl | Format::Tsv => lines(path, size, format, key, chunk, algorithm),
        Format::Csv => csv_records(path, key).map(|i| (i, None)),
    }
}

/// XXH3-128 of the record. Not a cryptographic hash, on purpose: a
/// million records are fingerprinted at memory speed, and the file digest
/// (BLAKE3 or SHA-256) already authenticates every byte. A record forged
/// to collide would still make its file "modified"; it could only escape
/// being named.
fn fingerprint(record: &[u8]) -> Fingerprint {
    twox_hash::XxHash3_128::oneshot(record).to_le_bytes()
}

/// What one chunk contributes: the records between its first and last
/// newline, and where those newlines are (absolute offsets).
struct Part {
    newlines: Option<(u64, u64)>,
    records: Vec<(Fingerprint, Option<Result<String, String>>)>,
    /// The chunk's digest, when the file digest is taken in the same pass.
    digest: Option<Digest>,
}

/// A key extractor for one line: the column number for TSV, the field for JSONL.
#[derive(Clone, Copy)]
enum KeyOf<'a> {
    Json(&'a str),
    Column(usize),
}

fn key_of(record: &[u8], how: KeyOf<'_>) -> Result<String, String> {
    match how {
        KeyOf::Json(field) => {
            if let Some(v) = leading_key(record, field) {
                return Ok(v);
            }
            let mut de = serde_json::Deserializer::from_slice(record);
            match KeyField(field).deserialize(&mut de) {
                Ok(Some(v)) => Ok(v),
                Ok(None) => Err(String::new()),
                Err(e) => Err(format!("not a JSON object: {e}")),
            }
        }
        KeyOf::Column(c) => record
            .split(|b| *b == b'\t')
            .nth(c)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .ok_or_else(String::new),
    }
}

/// The key when it is the record's first field (`{"id": ...`), the usual
/// layout: its value is parsed and the rest of the line is not read.
fn leading_key(record: &[u8], field: &str) -> Option<String> {
    let rest = record
        .trim_ascii_start()
        .strip_prefix(b"{")?
        .trim_ascii_start();
    let rest = rest
        .strip_prefix(b"\"")?
        .strip_prefix(field.as_bytes())?
        .strip_prefix(b"\"")?;
    // A field name with quotes or escapes in it takes the full parse.
    if field.bytes().any(|b| b == b'"' || b == b'\\') {
        return None;
    }
    let value = rest.trim_ascii_start().strip_prefix(b":")?;
    let v = serde_json::Deserializer::from_slice(value)
        .into_iter::<serde_json::Value>()
        .next()?
        .ok()?;
    Some(match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    })
}

/// Where records start (after a TSV header row) and how keys are read.
fn key_plan<'k>(
    path: &Path,
    size: u64,
    format: Format,
    key: Option<&'k str>,
    read_range: &dyn Fn(u64, u64) -> io::Result<Vec<u8>>,
) -> Result<(u64, Option<KeyOf<'k>>), DataError> {
    let io_err = |source: io::Error| DataError::Io {
        path: path.to_owned(),
        source,
    };
    // TSV: the header row names the key column and is not a record.
    Ok(match (format, key) {
        (Format::Tsv, _) => {
            let head = read_range(0, size.min(1 << 20)).map_err(io_err)?;
            let end = memchr::memchr(b'\n', &head).map_or(size, |p| p as u64 + 1);
            let how = match key {
                Some(k) => {
                    let header =
                        &head[..usize::try_from(end).unwrap_or(head.len()).min(head.len())];
                    let header = header.strip_suffix(b"\n").unwrap_or(header);
                    let column = header
                        .split(|b| *b == b'\t')
                        .position(|c| c.strip_suffix(b"\r").unwrap_or(c) == k.as_bytes())
                        .ok_or_else(|| DataError::MissingKey {
                            path: path.to_owned(),
                            line: 1,
                            key: k.to_owned(),
                        })?;
                    Some(KeyOf::Column(column))
                }
                None => None,
            };
            (end, how)
        }
        (_, Some(k)) => (0, Some(KeyOf::Json(k))),
        (_, None) => (0, None),
    })
}

/// Each chunk's records between its first and last newline, in parallel.
fn chunk_parts(
    file: &std::fs::File,
    size: u64,
    chunk: u64,
    header_end: u64,
    how: Option<KeyOf<'_>>,
    algorithm: Option<Algorithm>,
) -> io::Result<Vec<Part>> {
    let n = size.div_ceil(chunk).max(1);
    (0..n)
        .into_par_iter()
        .map(|i| -> io::Result<Part> {
            let start = i * chunk;
            let end = (start + chunk).min(size);
            crate::hash::with_chunk(file, start, end, |buf| {
                part(buf, start, header_end, how, algorithm)
            })
        })
        .collect::<io::Result<_>>()
}

/// One chunk's [`Part`], from its bytes starting at `start`.
fn part(
    buf: &[u8],
    start: u64,
    header_end: u64,
    how: Option<KeyOf<'_>>,
    algorithm: Option<Algorithm>,
) -> Part {
    let digest = algorithm.map(|a| a.digest(buf));
    let mut nl = memchr::memchr_iter(b'\n', buf);
    let Some(first) = nl.next() else {
        return Part {
            newlines: None,
            records: Vec::new(),
            digest,
        };
    };
    let mut records = Vec::new();
    let mut from = first + 1;
    let mut last = first;
    for p in nl {
        let rec = &buf[from..p];
        // Records inside the header are skipped below by offset.
        if start + from as u64 >= header_end {
            records.push((fingerprint(rec), how.map(|h| key_of(rec, h))));
        }
        from = p + 1;
        last = p;
    }
    Part {
        newlines: Some((start + first as u64, start + last as u64)),
        records,
        digest,
    }
}

fn lines(
    path: &Path,
    size: u64,
    format: Format,
    key: Option<&str>,
    chunk: u64,
    algorithm: Option<Algorithm>,
) -> Result<(Index, Option<Vec<Digest>>), DataError> {
    let io_err = |source: io::Error| DataError::Io {
        path: path.to_owned(),
        source,
    };
    let f = fs_err::File::open(path).map_err(io_err)?;
    let read_range = |start: u64, end: u64| -> io::Result<Vec<u8>> {
        let mut buf = vec![0u8; usize::try_from(end - start).unwrap_or(usize::MAX)];
        f.file().read_exact_at(&mut buf, start)?;
        Ok(buf)
    };
    let (header_end, how) = key_plan(path, size, format, key, &read_range)?;
    let parts = chunk_parts(f.file(), size, chunk, header_end, how, algorithm).map_err(io_err)?;
    let digests: Option<Vec<Digest>> = parts.iter().map(|p| p.digest).collect();
    // Stitch: the record that ends at each chunk's first newline starts in
    // an earlier chunk (or at the file's start); read it whole.
    let mut fingerprints = Vec::new();
    let mut keys: Option<Vec<String>> = how.map(|_| Vec::new());
    let mut open = 0u64;
    let mut push = |rec: (Fingerprint, Option<Result<String, String>>), index: usize| {
        fingerprints.push(rec.0);
        if let (Some(keys), Some(k)) = (keys.as_mut(), rec.1) {
            match k {
                Ok(v) => keys.push(v),
                Err(detail) => return Err((index, detail)),
            }
        }
        Ok(())
    };
    let first_line = if header_end > 0 { 2 } else { 1 };
    let fail = |(index, detail): (usize, String)| {
        let line = first_line + index as u64;
        match (detail.is_empty(), key) {
            (true, Some(k)) => DataError::MissingKey {
                path: path.to_owned(),
                line,
                key: k.to_owned(),
            },
            _ => DataError::Record {
                path: path.to_owned(),
                line,
                detail,
            },
        }
    };
    let mut count = 0usize;
    for part in parts {
        let Some((first, last)) = part.newlines else {
            continue;
        };
        if open >= header_end {
            let rec = read_range(open, first).map_err(io_err)?;
            push((fingerprint(&rec), how.map(|h| key_of(&rec, h))), count).map_err(fail)?;
            count += 1;
        }
        for r in part.records {
            push(r, count).map_err(fail)?;
            count += 1;
        }
        open = last + 1;
    }
    if open < size && open >= header_end {
        let rec = read_range(open, size).map_err(io_err)?;
        push((fingerprint(&rec), how.map(|h| key_of(&rec, h))), count).map_err(fail)?;
    }
    let now = f.metadata().map_err(io_err)?.len();
    if now != size {
        return Err(io_err(io::Error::other(format!(
            "file changed size while it was read ({size} → {now} bytes)"
        ))));
    }
    Ok((
        Index {
            format,
            first_line,
            fingerprints,
            keys,
            lines: None,
        },
        digests,
    ))
}

fn csv_records(path: &Path, key: Option<&str>) -> Result<Index, DataError> {
    let f = fs_err::File::open(path).map_err(|source| DataError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(io::BufReader::with_capacity(1 << 20, f));
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(0, csv::Position::line);
        DataError::Record {
            path: path.to_owned(),
            line,
            detail: e.to_string(),
        }
    };
    let headers = reader.byte_headers().map_err(csv_err)?;
    let column = if let Some(k) = key {
        Some(
            headers
                .iter()
                .position(|h| h == k.as_bytes())
                .ok_or_else(|| DataError::MissingKey {
                    path: path.to_owned(),
                    line: 1,
                    key: k.to_owned(),
                })?,
        )
    } else {
        None
    };
    let mut fingerprints = Vec::new();
    let mut keys = column.map(|_| Vec::new());
    let mut lines = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut field_bytes = Vec::new();
    loop {
        let line = reader.position().line();
        if !reader.read_byte_record(&mut record).map_err(csv_err)? {
            break;
        }
        field_bytes.clear();
        for field in &record {
            field_bytes.extend_from_slice(&(field.len() as u64).to_le_bytes());
            field_bytes.extend_from_slice(field);
        }
        fingerprints.push(fingerprint(&field_bytes));
        lines.push(line);
        if let (Some(keys), Some(c)) = (keys.as_mut(), column) {
            let v = record.get(c).ok_or_else(|| DataError::MissingKey {
                path: path.to_owned(),
                line,
                key: key.unwrap_or_default().to_owned(),
            })?;
            keys.push(String::from_utf8_lossy(v).into_owned());
        }
    }
    let spans = lines.iter().enumerate().any(|(i, l)| *l != 2 + i as u64);
    Ok(Index {
        format: Format::Csv,
        first_line: 2,
        fingerprints,
        keys,
        lines: spans.then_some(lines),
    })
}

/// Finds one top-level field of a JSON object without building the object.
struct KeyField<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for KeyField<'_> {
    type Value = Option<String>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for KeyField<'_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(is_key) = map.next_key_seed(IsName(self.0))? {
            if is_key && found.is_none() {
                let v: serde_json::Value = map.next_value()?;
                found = Some(match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                });
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Whether a map key equals the name (no allocation for plain keys).
struct IsName<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for IsName<'_> {
    type Value = bool;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for IsName<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
    use super::*;

    fn idx(name: &str, body: &str, key: Option<&str>, chunk: u64) -> Result<Index, DataError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        let format = Format::from_name(name).unwrap();
        index(&p, body.len() as u64, format, key, chunk)
    }

    #[test]
    fn jsonl_records_and_keys_whatever_the_chunking() {
        let body = "{\"id\":\"a\",\"t\":1}\n{\"t\":2,\"id\":7}\n\n{\"id\":\"c\\u0041\"}";
        let whole = idx("d.jsonl", body, Some("id"), 1 << 20).unwrap_err();
        // The empty line 3 has no key.
        assert!(
            matches!(
                whole,
                DataError::Record { line: 3, .. } | DataError::MissingKey { line: 3, .. }
            ),
            "{whole}"
        );
        let body = "{\"id\":\"a\",\"t\":1}\n{\"t\":2,\"id\":7}\n{\"id\":\"c\\u0041\"}";
        let a = idx("d.jsonl", body, Some("id"), 1 << 20).unwrap();
        assert_eq!(a.keys.as_deref().unwrap(), ["a", "7", "cA"]);
        for chunk in [1, 3, 7, 16, 17, 18] {
            let b = idx("d.jsonl", body, Some("id"), chunk).unwrap();
            assert_eq!(a, b, "chunk {chunk}");
        }
        assert_eq!(a.fingerprints[0], fingerprint(b"{\"id\":\"a\",\"t\":1}"));
    }

    #[test]
    fn leading_keys_take_the_fast_path_with_the_same_values() {
        for rec in [
            &br#"{"id": "a\u0041", "t": [1, 2]}"#[..],
            br#"  { "id" :7,"t":1}"#,
            br#"{"id":{"x":1},"t":1}"#,
            br#"{"t":1,"id":"z"}"#,
        ] {
            let fast = leading_key(rec, "id");
            let full = key_of(rec, KeyOf::Json("id")).unwrap();
            if let Some(fast) = fast {
                assert_eq!(fast, full, "{}", String::from_utf8_lossy(rec));
            } else {
                assert_eq!(full, "z");
            }
        }
        assert_eq!(leading_key(br#"{"identity":1}"#, "id"), None);
    }

    #[test]
    fn tsv_header_names_the_key_and_is_not_a_record() {
        let a = idx("d.tsv", "id\tv\nx\t1\ny\t2\n", Some("v"), 4).unwrap();
        assert_eq!(a.keys.unwrap(), ["1", "2"]);
        assert_eq!(a.first_line, 2);
        assert!(matches!(
            idx("d.tsv", "id\tv\n", Some("nope"), 4),
            Err(DataError::MissingKey { line: 1, .. })
        ));
    }

    #[test]
    fn csv_with_quoted_newlines_keeps_start_lines() {
        let a = idx("d.csv", "id,text\n1,\"two\nlines\"\n2,x\n", Some("id"), 4).unwrap();
        assert_eq!(a.keys.as_deref().unwrap(), ["1", "2"]);
        assert_eq!(a.line(0), 2);
        assert_eq!(a.line(1), 4);
    }

    #[test]
    fn the_fused_pass_gives_the_file_digest_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.jsonl");
        let body = (0..500).fold(String::new(), |mut b, i| {
            b.push_str("{\"id\":");
            b.push_str(&i.to_string());
            b.push_str("}\n");
            b
        });
        std::fs::write(&p, &body).unwrap();
        let size = body.len() as u64;
        for chunk in [64, 1000, 1 << 20] {
            let (_, chunks) = index_and_digest(
                &p,
                size,
                Format::Jsonl,
                None,
                chunk,
                Some(Algorithm::Blake3),
            )
            .unwrap();
            let chunks = chunks.unwrap();
            let plain = crate::hash::file(Algorithm::Blake3, &p, size, chunk).unwrap();
            if plain.chunks.is_empty() {
                assert_eq!(chunks, [plain.digest]);
            } else {
                assert_eq!(chunks, plain.chunks, "chunk {chunk}");
            }
        }
    }

    #[test]
    fn bad_json_names_the_line() {
        let e = idx("d.jsonl", "{\"id\":1}\n[1,2]\n", Some("id"), 1 << 20).unwrap_err();
        assert!(e.to_string().contains(":2:"), "{e}");
    }
}
