//! Bounds on what custody takes in from files it did not write, shared by
//! the crates that read lockfiles, bills of materials, package metadata and
//! advisories (`docs/security.md`, "Resource limits"): a file is read only
//! when it is a regular file and no larger than its limit, and a YAML
//! document only when its flow collections do not nest too deep.

use std::io::Read as _;
use std::path::Path;

/// The largest lockfile, bill of materials, `METADATA`, `RECORD` or other
/// text file of an environment read whole: 128 MiB. The largest real ones
/// seen are tens of MiB (a CycloneDX bill of a container image, a
/// monorepo's `package-lock.json`).
pub const MAX_TEXT_BYTES: u64 = 128 << 20;

/// The deepest nesting of YAML flow collections (`[`, `{`) parsed. libyaml
/// spends time proportional to this depth on every token, so a document
/// nested 100,000 deep (200 KB) took over 20 s; serde refuses anything
/// deeper than 128 anyway, so no document custody could use is refused.
pub const MAX_YAML_FLOW_DEPTH: usize = 1000;

/// Why a file was not read.
#[derive(Debug)]
pub enum Unread {
    /// The operating system's error.
    Io(std::io::Error),
    /// A device, FIFO, socket or folder: reading it could block or never end.
    NotAFile,
    /// Larger than the limit (given).
    TooLarge(u64),
}

impl std::fmt::Display for Unread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "{e}"),
            Self::NotAFile => {
                f.write_str("not a regular file (a device, FIFO or socket); not read")
            }
            Self::TooLarge(limit) => {
                write!(f, "larger than the {} limit; not read", human(*limit))
            }
        }
    }
}

/// `limit` in MiB or KiB, as the limits are set.
pub fn human(limit: u64) -> String {
    if limit >= 1 << 20 && limit.is_multiple_of(1 << 20) {
        format!("{} MiB", limit >> 20)
    } else if limit >= 1 << 10 && limit.is_multiple_of(1 << 10) {
        format!("{} KiB", limit >> 10)
    } else {
        format!("{limit}-byte")
    }
}

/// The bytes of the regular file `path` (links followed), at most `limit`.
/// The size is checked before reading and the read is bounded too (a file
/// can grow, and `/proc` files say they are empty).
///
/// # Errors
/// See [`Unread`].
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, Unread> {
    // Before opening: opening a FIFO blocks until someone writes to it.
    let meta = fs_err::metadata(path).map_err(Unread::Io)?;
    if !meta.is_file() {
        return Err(Unread::NotAFile);
    }
    if meta.len() > limit {
        return Err(Unread::TooLarge(limit));
    }
    let file = fs_err::File::open(path).map_err(Unread::Io)?;
    if !file.metadata().map_err(Unread::Io)?.is_file() {
        return Err(Unread::NotAFile);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(Unread::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Unread::TooLarge(limit));
    }
    Ok(bytes)
}

/// The 1-based line where `text`'s YAML flow collections first nest deeper
/// than `limit`, if they do.
///
/// A scanner, not a parser, built to count too deep rather than too
/// shallow: every `[` and `{` counts, wherever it is (in a string or a
/// block scalar too; not in a comment); a `]` or `}` counts only outside what it takes for a
/// quoted string (a quote where a scalar can start), a comment, or a block
/// scalar's lines. So a closing bracket inside a string cannot hide an
/// opening one outside it.
pub fn yaml_flow_too_deep(text: &str, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    // The last byte that was not a space: where a scalar can start.
    let mut prev = b'\n';
    let mut spaced = true;
    // The indentation of the line that opened a block scalar (`|`, `>`).
    let mut block: Option<usize> = None;
    for (n, line) in text.split('\n').enumerate() {
        let b = line.as_bytes();
        let indent = b.iter().take_while(|c| **c == b' ').count();
        if let Some(parent) = block {
            if indent >= b.len() || indent > parent {
                // Inside the block scalar: openings still count.
                depth += line.bytes().filter(|c| matches!(c, b'[' | b'{')).count();
                if depth > limit {
                    return Some(n + 1);
                }
                continue;
            }
            block = None;
        }
        if depth == 0 && quote.is_none() {
            prev = b'\n';
            spaced = true;
        }
        let mut i = indent;
        while i < b.len() {
            let c = b[i];
            if matches!(c, b'[' | b'{') {
                depth += 1;
                if depth > limit {
                    return Some(n + 1);
                }
            }
            if let Some(q) = quote {
                if c == b'\\' && q == b'"' {
                    i += 1;
                } else if c == q {
                    if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                        i += 1;
                    } else {
                        quote = None;
                    }
                }
                i += 1;
                continue;
            }
            let at_start = matches!(prev, b'\n' | b'[' | b'{' | b',')
                || (matches!(prev, b':' | b'-' | b'?') && spaced)
                // JSON's `"key":"value"`, no space after the colon.
                || (prev == b':' && i >= 2 && matches!(b[i - 2], b'"' | b'\''));
            match c {
                b'#' if spaced => break,
                b'"' | b'\'' if at_start => quote = Some(c),
                b']' | b'}' => depth = depth.saturating_sub(1),
                b'|' | b'>' if depth == 0 && at_start => {
                    block = Some(indent);
                    break;
                }
                _ => {}
            }
            spaced = matches!(c, b' ' | b'\t');
            if !spaced {
                prev = c;
            }
            i += 1;
        }
        spaced = true;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_flow_nesting_is_found_at_its_line() {
        let deep = format!("a: 1\nb: {}{}\n", "[".repeat(2000), "]".repeat(2000));
        assert_eq!(yaml_flow_too_deep(&deep, MAX_YAML_FLOW_DEPTH), Some(2));
        let ok = format!("b: {}{}\n", "[".repeat(500), "]".repeat(500));
        assert_eq!(yaml_flow_too_deep(&ok, MAX_YAML_FLOW_DEPTH), None);
    }

    #[test]
    fn closing_brackets_in_strings_comments_and_block_scalars_do_not_count() {
        for level in [
            "[\"]]\", ",
            "['it''s ]', ",
            "[ # ]]\n",
            "{\"k\":\"}]\", x: ",
        ] {
            let text = format!("a: {}1\n", level.repeat(2000));
            assert!(
                yaml_flow_too_deep(&text, MAX_YAML_FLOW_DEPTH).is_some(),
                "{level}"
            );
        }
        // A block scalar's text is not YAML: its quotes open nothing.
        let text = format!("d: |\n  it's ]]]]\nb: {}1\n", "[".repeat(1200));
        assert_eq!(yaml_flow_too_deep(&text, MAX_YAML_FLOW_DEPTH), Some(3));
    }

    #[test]
    fn ordinary_lockfile_yaml_is_not_deep() {
        let text = "lockfileVersion: '9.0'\npackages:\n  ms@2.1.3:\n    resolution: {integrity: sha512-x}\n    engines: {node: '>=8'}\n  'a]b': [x, 'y]', \"z}\"]\n# a [ comment\n";
        assert_eq!(yaml_flow_too_deep(text, 3), None);
    }

    #[test]
    fn a_fifo_or_a_device_is_not_read_and_a_large_file_is_refused() {
        assert!(matches!(
            read_bounded(Path::new("/dev/zero"), 1 << 20),
            Err(Unread::NotAFile)
        ));
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("big");
        fs_err::write(&p, vec![b'x'; 2048]).expect("write");
        assert!(matches!(
            read_bounded(&p, 1024),
            Err(Unread::TooLarge(1024))
        ));
        assert_eq!(read_bounded(&p, 2048).expect("read").len(), 2048);
    }
}
