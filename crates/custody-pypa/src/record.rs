//! Wheel `RECORD` files: CSV rows of `path,hash,size` (PEP 376, PEP 627).

/// One row of a RECORD file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    /// Path relative to the site-packages folder (may start with `../`).
    pub path: String,
    /// `(algorithm, urlsafe-base64 digest without padding)`, absent for
    /// entries such as RECORD itself and `.pyc` files.
    pub hash: Option<(String, String)>,
    /// File size in bytes, when recorded.
    pub size: Option<u64>,
    /// 1-based line of the row.
    pub line: usize,
}

/// Why a RECORD row was rejected. Lines are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The CSV itself is malformed.
    #[error("line {line}: malformed CSV: {reason}")]
    Csv {
        /// Line of the bad row.
        line: usize,
        /// The CSV reader's explanation.
        reason: String,
    },
    /// A row has the wrong number of fields.
    #[error("line {line}: expected 3 fields (path,hash,size), found {found}")]
    Fields {
        /// Line of the bad row.
        line: usize,
        /// How many fields it has.
        found: usize,
    },
    /// The hash field is not `algorithm=digest`.
    #[error(
        "line {line}: malformed hash field {value:?} (expected `algorithm=urlsafe-base64-digest`)"
    )]
    Hash {
        /// Line of the bad row.
        line: usize,
        /// The field as written.
        value: String,
    },
    /// The size field is not a non-negative integer.
    #[error("line {line}: malformed size field {value:?}")]
    Size {
        /// Line of the bad row.
        line: usize,
        /// The field as written.
        value: String,
    },
    /// A row with an empty path.
    #[error("line {line}: empty path")]
    EmptyPath {
        /// Line of the bad row.
        line: usize,
    },
}

/// Checks every row of a RECORD file without keeping them; returns the
/// number of rows. Same rules and errors as [`parse`], without allocating.
pub fn validate(text: &str) -> Result<usize, RecordError> {
    if text.contains('"') {
        return parse(text).map(|rows| rows.len());
    }
    let mut count = 0;
    for_each_unquoted(text, |line, path, hash, size| {
        check(line, path, hash, size)?;
        count += 1;
        Ok(())
    })?;
    Ok(count)
}

/// Parses a RECORD file, rejecting the first malformed row.
pub fn parse(text: &str) -> Result<Vec<RecordEntry>, RecordError> {
    // Without a quote character no field can contain a comma or newline, so
    // rows split plainly (identical to the CSV reading, much cheaper: building
    // a CSV reader costs more than most RECORD files take to read).
    if !text.contains('"') {
        return parse_unquoted(text);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| RecordError::Csv {
            line: e
                .position()
                .map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX)),
            reason: e.to_string(),
        })?;
        let line = row
            .position()
            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
        if row.len() == 1 && row.get(0).is_some_and(str::is_empty) {
            continue;
        }
        if row.len() != 3 {
            return Err(RecordError::Fields {
                line,
                found: row.len(),
            });
        }
        let path = row.get(0).unwrap_or_default();
        let hash_field = row.get(1).unwrap_or_default();
        let size_field = row.get(2).unwrap_or_default();
        out.push(entry(line, path, hash_field, size_field)?);
    }
    Ok(out)
}

fn parse_unquoted(text: &str) -> Result<Vec<RecordEntry>, RecordError> {
    let mut out = Vec::new();
    for_each_unquoted(text, |line, path, hash, size| {
        out.push(entry(line, path, hash, size)?);
        Ok(())
    })?;
    Ok(out)
}

/// Calls `f(line, path, hash, size)` for each non-empty row of a RECORD
/// without quote characters.
fn for_each_unquoted(
    text: &str,
    mut f: impl FnMut(usize, &str, &str, &str) -> Result<(), RecordError>,
) -> Result<(), RecordError> {
    for (idx, raw) in text.lines().enumerate() {
        let line = idx + 1;
        let row = raw.strip_suffix('\r').unwrap_or(raw);
        if row.is_empty() {
            continue;
        }
        let mut fields = row.split(',');
        let (Some(path), Some(hash), Some(size), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(RecordError::Fields {
                line,
                found: row.split(',').count(),
            });
        };
        f(line, path, hash, size)?;
    }
    Ok(())
}

/// Validates one row's fields.
fn check(line: usize, path: &str, hash_field: &str, size_field: &str) -> Result<(), RecordError> {
    if path.is_empty() {
        return Err(RecordError::EmptyPath { line });
    }
    let hash_ok = hash_field.is_empty()
        || hash_field.split_once('=').is_some_and(|(a, d)| {
            !a.is_empty()
                && a.bytes().all(|b| b.is_ascii_alphanumeric())
                && !d.is_empty()
                && d.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='))
        });
    if !hash_ok {
        return Err(RecordError::Hash {
            line,
            value: hash_field.to_owned(),
        });
    }
    if !size_field.is_empty() && size_field.parse::<u64>().is_err() {
        return Err(RecordError::Size {
            line,
            value: size_field.to_owned(),
        });
    }
    Ok(())
}

fn entry(
    line: usize,
    path: &str,
    hash_field: &str,
    size_field: &str,
) -> Result<RecordEntry, RecordError> {
    check(line, path, hash_field, size_field)?;
    Ok(RecordEntry {
        path: path.to_owned(),
        hash: hash_field
            .split_once('=')
            .map(|(a, d)| (a.to_owned(), d.to_owned())),
        size: size_field.parse().ok(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows() {
        let rows = parse(
            "six.py,sha256=Ofkq8yhoNkd2ZTdlSLIOSR6DDhzMtPxCVe6qCiJtDwE,34549\nsix-1.16.0.dist-info/RECORD,,\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].hash.as_ref().unwrap().0, "sha256");
        assert_eq!(rows[0].size, Some(34549));
        assert_eq!(rows[1].hash, None);
    }

    #[test]
    fn rejects_bad_hash_with_line() {
        let err = parse("a.py,sha256=abc,1\nb.py,not-a-hash,2\n").unwrap_err();
        assert_eq!(
            err,
            RecordError::Hash {
                line: 2,
                value: "not-a-hash".into()
            }
        );
    }

    #[test]
    fn quoted_paths_go_through_the_csv_reader() {
        let rows = parse("\"dir/a,b.py\",sha256=abc,3\nc.py,,\n").unwrap();
        assert_eq!(rows[0].path, "dir/a,b.py");
        assert_eq!(rows[1].line, 2);
        let err = parse("\"a.py\",sha256=abc,3,extra\n").unwrap_err();
        assert_eq!(err, RecordError::Fields { line: 1, found: 4 });
    }

    #[test]
    fn both_readers_agree_on_field_counts() {
        assert_eq!(
            parse("a.py;sha256=abc\n").unwrap_err(),
            RecordError::Fields { line: 1, found: 1 }
        );
        assert_eq!(
            parse("\"a.py;sha256=abc\"\n").unwrap_err(),
            RecordError::Fields { line: 1, found: 1 }
        );
    }

    #[test]
    fn validate_agrees_with_parse() {
        for text in [
            "a.py,sha256=abc,1\nb.py,,\n",
            "a.py,sha256=abc,1\nb.py,not-a-hash,2\n",
            "a.py,sha256=abc,12x\n",
            "a.py;x\n",
            ",sha256=abc,1\n",
            "\"q,uoted.py\",sha256=abc,1\n",
        ] {
            assert_eq!(validate(text), parse(text).map(|r| r.len()), "{text:?}");
        }
    }

    #[test]
    fn rejects_bad_size() {
        assert!(matches!(
            parse("a.py,sha256=abc,12x\n"),
            Err(RecordError::Size { line: 1, .. })
        ));
    }
}
