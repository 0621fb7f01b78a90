//! yarn 1's `yarn.lock` (`# yarn lockfile v1`).
//!
//! Not YAML: yarn's own syntax. Each entry starts at column 0 with one or
//! more descriptors (`name@range`, comma-separated, quoted when they need it)
//! and a colon; its fields follow indented by two spaces (`version "1.0.0"`,
//! `resolved "URL#sha1"`, `integrity sha512-…`), and `dependencies:` blocks
//! by four. Strings are JSON-quoted or bare. The name is the descriptor's,
//! or the aliased package's for `alias@npm:real@range`. yarn 1 does not
//! record which packages are dev-only.

use std::path::Path;

use super::{integrity_list, package, source_of_resolved, split_name};
use crate::model::{Inventory, Origin, Package, Source, SourceKind};
use crate::{Error, Location};

/// The header yarn 1 writes on every lockfile.
pub(crate) const HEADER: &str = "# yarn lockfile v1";

struct Entry {
    line: usize,
    descriptors: Vec<String>,
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
}

pub(crate) fn read(path: &Path, content: &str) -> Result<Inventory, Error> {
    if !content.lines().any(|l| l.trim_end() == HEADER) {
        return Err(Error::parse(
            path,
            Location::Line(1),
            format!("missing the `{HEADER}` header (is this a yarn 1 lockfile?)"),
        ));
    }
    let entries = parse(path, content)?;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        out.push(package_of(path, e)?);
    }
    Ok(Inventory::one(
        path,
        SourceKind::YarnClassic,
        Some("1".into()),
        out,
    ))
}

fn parse(path: &Path, content: &str) -> Result<Vec<Entry>, Error> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut in_block = false;
    for (i, raw) in content.lines().enumerate() {
        let line = i + 1;
        let err = |msg: String| Error::parse(path, Location::Line(line), msg);
        let trimmed = raw.trim_end();
        let indent = trimmed.len() - trimmed.trim_start_matches(' ').len();
        let body = &trimmed[indent..];
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        match indent {
            0 => {
                let Some(keys) = body.strip_suffix(':') else {
                    return Err(err(format!(
                        "expected `descriptor[, descriptor]:`, found {body:?}"
                    )));
                };
                let descriptors = split_descriptors(keys).map_err(err)?;
                entries.push(Entry {
                    line,
                    descriptors,
                    version: None,
                    resolved: None,
                    integrity: None,
                });
                in_block = false;
            }
            2 => {
                let Some(entry) = entries.last_mut() else {
                    return Err(err("an indented line before any entry".into()));
                };
                if let Some(block) = body.strip_suffix(':') {
                    scalar(block).map_err(err)?;
                    in_block = true;
                    continue;
                }
                in_block = false;
                let (key, value) = field(body).map_err(err)?;
                match key.as_str() {
                    "version" => entry.version = Some(value),
                    "resolved" => entry.resolved = Some(value),
                    "integrity" => entry.integrity = Some(value),
                    _ => {}
                }
            }
            4 if in_block => {
                field(body).map_err(err)?;
            }
            _ => return Err(err(format!("unexpected indentation of {indent} spaces"))),
        }
    }
    Ok(entries)
}

/// A quoted (JSON) or bare string, the whole of `s`.
fn scalar(s: &str) -> Result<String, String> {
    if s.starts_with('"') {
        if quoted_end(s) != Some(s.len()) {
            return Err(format!("unterminated or trailing text after string {s:?}"));
        }
        serde_json::from_str(s).map_err(|e| {
            let e = e.to_string();
            let e = e.split(" at line ").next().unwrap_or(&e).to_owned();
            format!("bad quoted string {s:?}: {e}")
        })
    } else if s.is_empty() || s.contains([' ', '"']) {
        Err(format!("bad bare string {s:?}"))
    } else {
        Ok(s.to_owned())
    }
}

/// `key value`, each quoted or bare.
fn field(body: &str) -> Result<(String, String), String> {
    let split = if body.starts_with('"') {
        quoted_end(body).ok_or_else(|| format!("unterminated string in {body:?}"))?
    } else {
        body.find(' ')
            .ok_or_else(|| format!("expected `key value`, found {body:?}"))?
    };
    let key = scalar(&body[..split])?;
    let value = scalar(body[split..].trim_start())?;
    Ok((key, value))
}

/// The offset just past a quoted string at the start of `s`.
fn quoted_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// `a@^1, "b@^2"` into its descriptors.
fn split_descriptors(keys: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = keys.trim();
    while !rest.is_empty() {
        let end = if rest.starts_with('"') {
            quoted_end(rest).ok_or_else(|| format!("unterminated string in {keys:?}"))?
        } else {
            rest.find(',').unwrap_or(rest.len())
        };
        out.push(scalar(rest[..end].trim())?);
        rest = rest[end..].trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    if out.is_empty() {
        return Err("an entry with no descriptor".into());
    }
    Ok(out)
}

fn package_of(path: &Path, e: Entry) -> Result<Package, Error> {
    let first = &e.descriptors[0];
    let Some((installed_as, range)) = split_name(first) else {
        return Err(Error::parse(
            path,
            Location::Line(e.line),
            format!("descriptor {first:?} is not `name@range`"),
        ));
    };
    let name = range
        .strip_prefix("npm:")
        .and_then(split_name)
        .map_or(installed_as, |(real, _)| real);
    let source = match (&e.resolved, range) {
        (Some(r), _) => source_of_resolved(r),
        (None, r) if r.starts_with("file:") || r.starts_with("link:") => {
            Source::Path(Some(r[5..].to_owned()))
        }
        (None, _) => Source::Unknown,
    };
    let origin = Origin {
        path: path.to_owned(),
        line: Some(e.line),
    };
    // A git URL's fragment is a commit, not a digest of a tarball.
    let tarball = matches!(source, Source::Registry(_) | Source::Other(_));
    let mut p = package(name, e.version, origin, source);
    p.integrity = match (&e.integrity, &e.resolved) {
        (Some(sri), _) => integrity_list(sri),
        (None, Some(r)) if tarball => sha1_fragment(r).into_iter().collect(),
        (None, _) => Vec::new(),
    };
    Ok(p)
}

/// `sha1:HEX` from a registry URL's `#HEX` fragment (yarn 1 before 1.10
/// wrote no `integrity` line).
fn sha1_fragment(resolved: &str) -> Option<String> {
    let (_, frag) = resolved.rsplit_once('#')?;
    (frag.len() == 40 && frag.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("sha1:{frag}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_split_on_commas_outside_quotes() {
        assert_eq!(
            split_descriptors(r#""@a/b@^1.0.0", "@a/b@^1.2.0""#).unwrap(),
            vec!["@a/b@^1.0.0", "@a/b@^1.2.0"]
        );
        assert_eq!(
            split_descriptors("ms@2.0.0, ms@^2.0.0").unwrap(),
            vec!["ms@2.0.0", "ms@^2.0.0"]
        );
    }

    #[test]
    fn fields_are_quoted_or_bare() {
        assert_eq!(
            field(r#"version "1.0.0""#).unwrap(),
            ("version".into(), "1.0.0".into())
        );
        assert_eq!(
            field("integrity sha512-abc==").unwrap(),
            ("integrity".into(), "sha512-abc==".into())
        );
        assert_eq!(
            field(r#""@scope/dep" "^1.0.0""#).unwrap(),
            ("@scope/dep".into(), "^1.0.0".into())
        );
        assert!(field("version").is_err());
        assert!(field(r#"version "1.0.0"#).is_err());
    }

    #[test]
    fn sha1_fragments_only_when_they_are_sha1() {
        assert_eq!(
            sha1_fragment("https://r/x/-/x-1.0.0.tgz#5608aeadfc00be6c2901df5f9861788de0d597c8"),
            Some("sha1:5608aeadfc00be6c2901df5f9861788de0d597c8".into())
        );
        assert_eq!(sha1_fragment("https://r/x/-/x-1.0.0.tgz#main"), None);
    }
}
